"""Reading a snapshot while another run writes it: the reader waits for the writer and reads the
case old or new, never a spurious "content does not match its manifest".

A writer holds ``snapshots/.lock`` exclusively for its whole write (``SnapshotStore.lock``);
readers take it shared. Here the other run is a thread with its own store (``flock`` locks
belong to an open file, so two stores in one process exclude each other as two processes do),
caught between replacing a part and replacing the manifest."""

from __future__ import annotations

import threading
import time
import types

import pytest

import harness.snapshots.store as store_module
from harness.snapshots import SnapshotStore
from harness.snapshots.outcome import UNKNOWN

OLD = {"outcome.txt": b"sent\n", "body.txt": b"Your order shipped.\n"}
NEW = {"outcome.txt": b"not sent: account has no order\n", "body.txt": b"Your order is on its way.\n"}


@pytest.fixture
def store(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    store.write("shipping", "en-ada", OLD, {"template": "v1"})
    return store


class HalfWrittenCase:
    """Another run holding the write lock with the case half replaced: ``body.txt`` and
    ``outcome.txt`` already new, ``manifest.json`` still old. It finishes the write as soon as the
    reader has found the lock taken (its first pause before trying again) or is done, whichever
    comes first; ``patience`` seconds at most."""

    def __init__(self, root, monkeypatch, *, patience: float = 5.0) -> None:
        self.other = SnapshotStore(root)
        self.patience = patience
        self.holding, self.reader_done = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._write)

        def pause(seconds: float) -> None:  # the store waits between tries: the reader is blocked
            self.reader_done.set()
            time.sleep(seconds)

        # Waiting on the event instead of a fixed half second keeps the test (and each mutant
        # mutmut runs it for) quick.
        monkeypatch.setattr(store_module, "time", types.SimpleNamespace(
            monotonic=time.monotonic, strftime=time.strftime, sleep=pause))

    def _write(self) -> None:
        folder = self.other.root / "shipping" / "en-ada"
        with self.other.lock():
            for name, data in NEW.items():
                (folder / name).write_bytes(data)  # parts replaced; the manifest still lists OLD's hashes
            self.holding.set()
            self.reader_done.wait(self.patience)
            self.other.write("shipping", "en-ada", NEW, {"template": "v2"})

    def __enter__(self) -> HalfWrittenCase:
        self.thread.start()
        assert self.holding.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        self.reader_done.set()
        self.thread.join(10)


def test_a_read_during_a_write_waits_and_gets_the_new_case(store, monkeypatch):
    with HalfWrittenCase(store.root, monkeypatch) as writer:
        try:
            snapshot = SnapshotStore(store.root).read("shipping", "en-ada")
        finally:
            writer.reader_done.set()
    assert snapshot.parts == NEW and snapshot.manifest["template"] == "v2"


def test_the_approved_outcome_read_during_a_write_is_the_new_one_not_unknown(store, monkeypatch):
    """Who gets this email is never 'unknown' just because a run was approving at that moment."""
    with HalfWrittenCase(store.root, monkeypatch) as writer:
        try:
            outcome = SnapshotStore(store.root).approved_outcome("shipping", "en-ada")
        finally:
            writer.reader_done.set()
    assert outcome == "not sent: account has no order\n" and outcome != UNKNOWN


def test_without_a_writer_a_read_does_not_wait(store):
    assert SnapshotStore(store.root).read("shipping", "en-ada").parts == OLD
