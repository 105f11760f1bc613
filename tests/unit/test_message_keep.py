"""The raw ``.eml`` a run keeps in its report: two runs at once on one report folder (each empties
``messages/`` as it starts) must not crash each other, and a folder that cannot take the file is
a message naming it, not a traceback."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from harness.errors import HarnessError
from harness.message.stage import KEEP_ATTEMPTS, MessageStage

EMAIL = SimpleNamespace(template="welcome", fixture="ar-no-orders")


def stage(tmp_path: Path) -> MessageStage:
    keeper = MessageStage(tmp_path / "report", smtp=False)
    keeper.cleared = True  # as after the run's start
    return keeper


def test_a_message_folder_emptied_by_another_run_meanwhile_is_made_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = os.replace, []

    def other_run_clears_first(source: Path, target: Path) -> None:
        calls.append(target)
        if len(calls) == 1:  # the other run empties messages/ between this run's write and its rename
            shutil.rmtree(tmp_path / "report" / "messages")
        real(source, target)
    monkeypatch.setattr(os, "replace", other_run_clears_first)
    stage(tmp_path)._keep(EMAIL, b"Subject: hi\r\n\r\nbody")  # type: ignore[arg-type]
    kept = tmp_path / "report" / "messages" / "welcome" / "ar-no-orders.eml"
    assert len(calls) == 2 and kept.read_bytes() == b"Subject: hi\r\n\r\nbody"
    assert [p.name for p in kept.parent.iterdir()] == ["ar-no-orders.eml"]  # no partial file left


def test_the_partial_file_is_this_process_s_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda source, target: (seen.append(Path(source).name), real(source, target))[1])
    stage(tmp_path)._keep(EMAIL, b"x")  # type: ignore[arg-type]
    assert seen == [f".ar-no-orders.eml.{os.getpid()}.tmp"]


def test_a_folder_removed_every_time_is_a_message_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tries: list[int] = []

    def always_gone(source: Path, target: Path) -> None:
        tries.append(1)
        raise FileNotFoundError(errno.ENOENT, "No such file or directory")
    monkeypatch.setattr(os, "replace", always_gone)
    with pytest.raises(HarnessError, match=r"ar-no-orders\.eml: the report's messages folder was removed 3 times.*another run"):
        stage(tmp_path)._keep(EMAIL, b"x")  # type: ignore[arg-type]
    assert len(tries) == KEEP_ATTEMPTS == 3


def test_a_full_disk_is_a_message_and_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(source: Path, target: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(HarnessError, match=r"ar-no-orders\.eml: cannot write the raw message \(No space left on device\)"):
        stage(tmp_path)._keep(EMAIL, b"x")  # type: ignore[arg-type]
    assert list((tmp_path / "report" / "messages" / "welcome").iterdir()) == []
