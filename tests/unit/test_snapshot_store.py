"""The snapshot store (``harness/snapshots/store.py``): a case is replaced as a whole, so it is
always old or new, and a part that disagrees with its manifest is reported, never trusted."""

from __future__ import annotations

import json
import os
import threading

import pytest

from harness.errors import SnapshotError
from harness.snapshots import ApprovedSnapshot, SnapshotStore, atomic_write, manifest_hash, sha256

OLD = {"outcome.txt": b"sent\n", "body.html": b"<p>old</p>\n"}
NEW = {"outcome.txt": b"not sent: account has no order\n", "subject.txt": b"\n"}


@pytest.fixture
def store(tmp_path):
    return SnapshotStore(tmp_path / "snapshots")


def files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_written_case_reads_back_with_its_manifest(store):
    written = store.write("refund", "de-refunded", OLD, {"template": "abc"})
    assert written == {"template": "abc", "parts": {"body.html": sha256(OLD["body.html"]), "outcome.txt": sha256(OLD["outcome.txt"])}}
    snapshot = store.read("refund", "de-refunded")
    assert snapshot == ApprovedSnapshot(store.root / "refund" / "de-refunded", OLD, written)
    assert snapshot.text("outcome.txt") == "sent\n" and snapshot.text("desktop.png") is None
    assert json.loads((snapshot.folder / "manifest.json").read_text()) == written
    assert (snapshot.folder / "manifest.json").read_text().endswith("}\n")


def test_sha256_and_manifest_hash():
    assert sha256(b"") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert manifest_hash({"b": 1, "a": [2]}) == manifest_hash({"a": [2], "b": 1}) == sha256(b'{"a": [2], "b": 1}')


def test_a_case_without_folder_or_with_an_empty_folder_has_no_snapshot(store):
    assert store.read("refund", "de-refunded") is None
    (store.root / "refund" / "de-refunded").mkdir(parents=True)
    assert store.read("refund", "de-refunded") is None


def test_parts_without_a_manifest_are_an_error_not_a_missing_snapshot(store):
    store.write("refund", "de-refunded", OLD, {})
    (store.root / "refund/de-refunded/manifest.json").unlink()
    with pytest.raises(SnapshotError, match="manifest.json: missing; the snapshot cannot be trusted"):
        store.read("refund", "de-refunded")


@pytest.mark.parametrize("damage", [lambda b: b[:3], lambda b: b + b"!", lambda b: b""])
def test_a_part_that_disagrees_with_its_manifest_is_an_error(store, damage):
    store.write("refund", "de-refunded", OLD, {})
    part = store.root / "refund/de-refunded/body.html"
    part.write_bytes(damage(part.read_bytes()))
    with pytest.raises(SnapshotError, match=r"body.html: content does not match its manifest .*git checkout"):
        store.read("refund", "de-refunded")


def test_a_part_listed_in_the_manifest_but_missing_is_an_error(store):
    store.write("refund", "de-refunded", OLD, {})
    (store.root / "refund/de-refunded/body.html").unlink()
    with pytest.raises(SnapshotError, match="body.html: cannot read"):
        store.read("refund", "de-refunded")


@pytest.mark.parametrize(
    "manifest",
    [b"{not json", b"\xff\xfe", b"[]", b'{"prats": {}}', b'{"parts": []}', b'{"parts": {"a.txt": 1}}', b'{"parts": {"../../etc/passwd": "x"}}', b'{"parts": {".hidden": "x"}}'],
)
def test_a_manifest_that_does_not_parse_or_names_bad_parts_is_an_error(store, manifest):
    store.write("refund", "de-refunded", OLD, {})
    (store.root / "refund/de-refunded/manifest.json").write_bytes(manifest)
    with pytest.raises(SnapshotError, match="manifest.json: (does not parse|part .* is not a valid name)"):
        store.read("refund", "de-refunded")


def test_a_part_that_is_not_utf8_is_reported_when_read_as_text(store):
    store.write("refund", "de-refunded", {"body.txt": b"ok \xff"}, {})
    with pytest.raises(SnapshotError, match=r"body.txt: not valid UTF-8 \(byte 3\)"):
        store.read("refund", "de-refunded").text("body.txt")


def test_a_rewrite_replaces_every_part_and_removes_parts_no_longer_produced(store):
    store.write("refund", "de-refunded", OLD, {"v": 1})
    folder = store.root / "refund/de-refunded"
    (folder / ".gitkeep").write_bytes(b"")
    manifest = store.write("refund", "de-refunded", NEW, {"v": 2})
    assert store.read("refund", "de-refunded").parts == NEW
    assert sorted(files(folder)) == [".gitkeep", "manifest.json", "outcome.txt", "subject.txt"]
    assert manifest["v"] == 2


def test_part_names_are_checked_before_anything_is_written(store):
    with pytest.raises(SnapshotError, match="is not a valid name"):
        store.write("refund", "de-refunded", {"../escape.txt": b"x"}, {})
    assert not (store.root / "refund").exists()


@pytest.mark.parametrize(("template", "fixture"), [("../x", "f"), ("t", ".hidden"), ("t", "a/b"), ("", "f")])
def test_case_names_are_checked(store, template, fixture):
    with pytest.raises(SnapshotError, match="is not a valid name"):
        store.folder(template, fixture)


def test_a_symlinked_case_folder_is_refused(store, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (store.root / "refund").mkdir(parents=True)
    os.symlink(tmp_path / "elsewhere", store.root / "refund" / "de-refunded")
    with pytest.raises(SnapshotError, match="is a symbolic link"):
        store.write("refund", "de-refunded", OLD, {})


# -- the two-phase write ---------------------------------------------------------------------


def test_parts_are_moved_into_place_before_the_manifest_is_replaced(store, monkeypatch):
    """Phase 3 of the module docstring: the .new parts, then manifest.json, then .pending.json goes."""
    store.write("refund", "de-refunded", OLD, {})
    steps = []
    real_replace, real_unlink = os.replace, type(store.root).unlink

    def replace(src, dst):
        steps.append(("replace", os.path.basename(dst)))
        real_replace(src, dst)

    def unlink(path, missing_ok=False):
        steps.append(("unlink", path.name))
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(type(store.root), "unlink", unlink)
    store.write("refund", "de-refunded", NEW, {})
    assert steps == [
        ("replace", ".outcome.txt.new"), ("replace", ".subject.txt.new"), ("replace", ".pending.json"),  # phases 1 and 2
        ("replace", "outcome.txt"), ("replace", "subject.txt"), ("replace", "manifest.json"),
        ("unlink", "body.html"), ("unlink", ".pending.json"),
    ]


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs."""


@pytest.mark.parametrize("kill_at", range(1, 9))
def test_a_write_killed_at_any_step_leaves_the_case_old_or_new(store, monkeypatch, kill_at):
    store.write("refund", "de-refunded", OLD, {"v": "old"})
    folder = store.root / "refund/de-refunded"
    calls = [0]
    real_replace, real_unlink = os.replace, type(store.root).unlink

    def step():
        calls[0] += 1
        if calls[0] == kill_at:
            raise Killed

    def replace(src, dst):
        step()
        real_replace(src, dst)

    def unlink(path, missing_ok=False):
        if path.parent == folder:
            step()
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(type(store.root), "unlink", unlink)
    with pytest.raises(Killed):
        store.write("refund", "de-refunded", NEW, {"v": "new"})
    monkeypatch.undo()
    snapshot = SnapshotStore(store.root).read("refund", "de-refunded")  # a later run: reading recovers
    assert (snapshot.parts, snapshot.manifest["v"]) in ((OLD, "old"), (NEW, "new"))
    assert snapshot.manifest["v"] == ("old" if kill_at <= 3 else "new")  # .pending.json is the commit point
    assert not [name for name in files(folder) if name.startswith(".")]
    assert set(files(folder)) == {"manifest.json", *snapshot.parts}


def test_staged_parts_of_an_update_that_never_committed_are_dropped(store):
    store.write("refund", "de-refunded", OLD, {})
    folder = store.root / "refund/de-refunded"
    (folder / ".body.html.new").write_bytes(b"half")
    (folder / ".body.html.abc123.tmp").write_bytes(b"half")
    assert store.read("refund", "de-refunded").parts == OLD
    assert sorted(files(folder)) == ["body.html", "manifest.json", "outcome.txt"]


def test_a_committed_update_is_finished_by_the_next_write_too(store):
    store.write("refund", "de-refunded", OLD, {})
    folder = store.root / "refund/de-refunded"
    (folder / ".outcome.txt.new").write_bytes(NEW["outcome.txt"])
    (folder / ".subject.txt.new").write_bytes(NEW["subject.txt"])
    (folder / ".pending.json").write_text(json.dumps({"parts": {k: sha256(v) for k, v in NEW.items()}}))
    store.write("other", "case", {"a.txt": b"a"}, {})
    assert store.read("refund", "de-refunded").parts == NEW


def test_an_interrupted_update_that_cannot_be_recovered_is_an_error(store):
    store.write("refund", "de-refunded", OLD, {})
    (store.root / "refund/de-refunded/.pending.json").write_bytes(b"{broken")
    with pytest.raises(SnapshotError, match="an interrupted update cannot be recovered .*git checkout"):
        store.read("refund", "de-refunded")


# -- atomic_write ----------------------------------------------------------------------------


def test_atomic_write_makes_a_readable_file(tmp_path):
    target = tmp_path / "deep" / "folder" / "part.txt"
    old_umask = os.umask(0o022)
    try:
        atomic_write(target, b"data")
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == b"data"
    assert target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["part.txt"]


def test_a_failed_write_leaves_the_file_as_it_was_and_says_so(tmp_path, monkeypatch):
    target = tmp_path / "part.txt"
    target.write_bytes(b"approved")

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(SnapshotError, match=r"part.txt: cannot write \(No space left on device\); the file is unchanged"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"approved"
    assert [p.name for p in tmp_path.iterdir()] == ["part.txt"]


def test_an_interrupted_atomic_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "part.txt", b"new")
    assert list(tmp_path.iterdir()) == []


# -- the lock --------------------------------------------------------------------------------


def test_a_second_writer_waits_then_gives_up_naming_the_holder(store):
    holding, release = threading.Event(), threading.Event()

    def other_run():
        with SnapshotStore(store.root).lock():
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert holding.wait(5)
        assert (store.root / ".lock").read_text().startswith(f"pid {os.getpid()} since ")
        with pytest.raises(SnapshotError, match=r"another email-harness run \(pid \d+ since [\d:]+\) is writing these snapshots; nothing was written"):
            with store.lock(timeout=0.06):
                pass
    finally:
        release.set()
        thread.join()
    assert (store.root / ".lock").read_text() == ""
    with store.lock(timeout=0.06):
        with store.lock(timeout=0.06):  # re-entrant within one store
            store.write("refund", "de-refunded", OLD, {})
        assert store.read("refund", "de-refunded").parts == OLD


def test_a_reader_waits_for_a_writer_then_says_it_could_not_read(store, monkeypatch):
    store.write("refund", "de-refunded", OLD, {})
    (store.root / "refund/de-refunded/.body.html.new").write_bytes(b"x")
    holding, release = threading.Event(), threading.Event()

    def writer():
        with SnapshotStore(store.root).lock():
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(5)
        reader = SnapshotStore(store.root)
        monkeypatch.setattr(reader, "lock", lambda: SnapshotStore.lock(reader, timeout=0.06))
        with pytest.raises(SnapshotError, match="is writing these snapshots; nothing was written"):
            reader.read("refund", "de-refunded")
        with pytest.raises(SnapshotError, match="they could not be read"):
            with reader._flock(exclusive=False, timeout=0.06):
                pass
    finally:
        release.set()
        thread.join()


def test_a_lock_file_planted_as_a_symlink_is_refused(store, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    store.root.mkdir()
    os.symlink(victim, store.root / ".lock")
    with pytest.raises(SnapshotError, match="is a symbolic link"):
        with store.lock():
            pass
    assert victim.read_text() == "keep me"


# -- listing and removing --------------------------------------------------------------------


def test_cases_lists_real_case_folders_only(store, tmp_path):
    assert store.cases() == set()
    store.write("refund", "de-refunded", OLD, {})
    store.write("refund", "en-one", OLD, {})
    store.write("welcome", "en-new", OLD, {})
    (store.root / "refund" / ".hidden").mkdir()
    (store.root / "refund" / "a-file.txt").write_text("x")
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", store.root / "refund" / "linked")
    os.symlink(tmp_path / "elsewhere", store.root / "linked-template")
    assert store.cases() == {("refund", "de-refunded"), ("refund", "en-one"), ("welcome", "en-new")}


def test_remove_deletes_the_case_and_an_emptied_template_folder(store):
    store.write("refund", "de-refunded", OLD, {})
    store.write("refund", "en-one", OLD, {})
    store.write("welcome", "en-new", OLD, {})
    store.remove("refund", "de-refunded")
    assert store.cases() == {("refund", "en-one"), ("welcome", "en-new")}
    store.remove("welcome", "en-new")
    assert not (store.root / "welcome").exists() and (store.root / "refund").is_dir()
    store.remove("welcome", "never-there")


# -- details that keep snapshot folders readable and safe --------------------------------------


def test_the_manifest_is_stable_pretty_json(store):
    written = store.write("refund", "de-refunded", OLD, {"template": "abc", "a": 1})
    text = (store.root / "refund/de-refunded/manifest.json").read_text()
    assert text == json.dumps(written, indent=2, sort_keys=True) + "\n"
    assert text.index('"a"') < text.index('"parts"') < text.index('"template"')


def test_new_files_get_the_mode_the_umask_allows(tmp_path):
    from harness.snapshots import store as store_module

    old = os.umask(0o027)
    try:
        assert store_module._file_mode() == 0o640
        assert os.umask(0o027) == 0o027  # the umask is left as it was
    finally:
        os.umask(old)


def test_the_temporary_file_is_a_hidden_sibling_of_the_target(tmp_path, monkeypatch):
    seen = []
    real_fsync = os.fsync

    def look(fd):
        seen.extend(p.name for p in tmp_path.iterdir())
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", look)
    atomic_write(tmp_path / "body.txt", b"x")
    assert len(seen) == 1 and seen[0].startswith(".body.txt.") and seen[0].endswith(".tmp")


def test_a_failed_write_says_how_to_fix_it(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(SnapshotError) as raised:
        atomic_write(tmp_path / "part.txt", b"new")
    assert str(raised.value) == (f"{tmp_path / 'part.txt'}: cannot write (No space left on device); the file is unchanged. "
                                 "Free disk space or fix the folder's permissions, then re-run")


def test_a_manifest_that_is_a_symlink_is_not_trusted(store, tmp_path):
    store.write("refund", "de-refunded", OLD, {})
    manifest = store.root / "refund/de-refunded/manifest.json"
    (tmp_path / "copy.json").write_bytes(manifest.read_bytes())
    manifest.unlink()
    os.symlink(tmp_path / "copy.json", manifest)
    with pytest.raises(SnapshotError, match="manifest.json: is a symbolic link"):
        store.read("refund", "de-refunded")


def test_a_pending_manifest_that_is_a_symlink_is_not_followed(store, tmp_path):
    store.write("refund", "de-refunded", OLD, {})
    folder = store.root / "refund/de-refunded"
    (tmp_path / "pending.json").write_text(json.dumps({"parts": {k: sha256(v) for k, v in NEW.items()}}))
    os.symlink(tmp_path / "pending.json", folder / ".pending.json")
    with pytest.raises(SnapshotError, match=r"an interrupted update cannot be recovered \(.*\.pending\.json: is a symbolic link"):
        store.read("refund", "de-refunded")


def test_an_unreadable_pending_manifest_is_named(store):
    store.write("refund", "de-refunded", OLD, {})
    (store.root / "refund/de-refunded/.pending.json").write_text('{"parts": []}')
    with pytest.raises(SnapshotError) as raised:
        store.read("refund", "de-refunded")
    assert f"({store.root / 'refund/de-refunded/.pending.json'}: does not parse ('parts' must map file names to hashes);" in str(raised.value)


def test_the_manifest_error_says_what_is_wrong(store):
    store.write("refund", "de-refunded", OLD, {})
    path = store.root / "refund/de-refunded/manifest.json"
    path.write_text('{"parts": ["body.html"]}')
    with pytest.raises(SnapshotError) as raised:
        store.read("refund", "de-refunded")
    assert str(raised.value) == f"{path}: does not parse ('parts' must map file names to hashes); restore it with 'git checkout -- {path}'"


def test_a_folder_holding_only_hidden_files_has_no_snapshot(store):
    folder = store.root / "refund/de-refunded"
    folder.mkdir(parents=True)
    (folder / ".gitkeep").write_text("")
    assert store.read("refund", "de-refunded") is None


def test_bad_names_are_reported_with_where_they_came_from(store):
    with pytest.raises(SnapshotError) as raised:
        store.folder("../x", "f")
    assert str(raised.value).startswith(f"{store.root}: template '../x' is not a valid name")
    with pytest.raises(SnapshotError) as raised:
        store.folder("refund", ".hidden")
    assert str(raised.value).startswith(f"{store.root / 'refund'}: fixture '.hidden' is not a valid name")
    with pytest.raises(SnapshotError) as raised:
        store.write("refund", "de-refunded", {"a/b.txt": b""}, {})
    assert str(raised.value).startswith(f"{store.root / 'refund/de-refunded'}: part 'a/b.txt' is not a valid name")


def test_the_lock_creates_the_snapshot_folder_and_its_parents(tmp_path):
    deep = SnapshotStore(tmp_path / "a" / "b" / "snapshots")
    with deep.lock(timeout=0.06):
        assert (tmp_path / "a/b/snapshots/.lock").is_file()


def hold(store_root, *, exclusive=True, seconds=10.0):
    """Another process's lock on the store, held in a thread until the returned event is set."""
    holding, release = threading.Event(), threading.Event()

    def run():
        other = SnapshotStore(store_root)
        if exclusive:
            with other.lock():
                holding.set()
                release.wait(seconds)
        else:
            with other._flock(exclusive=False, timeout=5):
                holding.set()
                release.wait(seconds)

    thread = threading.Thread(target=run)
    thread.start()
    assert holding.wait(5)
    return release, thread


def test_a_lock_released_by_its_holder_is_taken_by_the_waiting_writer(store):
    import time

    store.root.mkdir()
    release, thread = hold(store.root)
    threading.Timer(0.1, release.set).start()
    started = time.monotonic()
    with store.lock(timeout=5):
        waited = time.monotonic() - started
    thread.join()
    assert 0.05 < waited < 0.9


def test_after_a_nested_lock_the_store_really_waits_for_others_again(store):
    store.root.mkdir()
    with store.lock(timeout=0.06):
        with store.lock(timeout=0.06):
            pass
    release, thread = hold(store.root)
    try:
        with pytest.raises(SnapshotError, match="is writing these snapshots"):
            with store.lock(timeout=0.06):
                pass
    finally:
        release.set()
        thread.join()


def test_readers_share_the_lock(store):
    import time

    store.write("refund", "de-refunded", OLD, {})
    release, thread = hold(store.root, exclusive=False, seconds=3)
    try:
        started = time.monotonic()
        assert store.read("refund", "de-refunded").parts == OLD
        assert time.monotonic() - started < 1
    finally:
        release.set()
        thread.join()


def test_a_writer_blocked_by_a_reader_says_so_exactly(store):
    store.root.mkdir()
    release, thread = hold(store.root, exclusive=False)
    try:
        with pytest.raises(SnapshotError) as raised:
            with store.lock(timeout=0.06):
                pass
    finally:
        release.set()
        thread.join()
    assert str(raised.value) == (f"{store.root / '.lock'}: another email-harness run (another process) is writing these snapshots; "
                                 "nothing was written. Re-run when it has finished")


def test_a_reader_blocked_by_a_writer_says_so_exactly(store):
    store.root.mkdir()
    release, thread = hold(store.root)
    try:
        with pytest.raises(SnapshotError) as raised:
            with store._flock(exclusive=False, timeout=0.06):
                pass
    finally:
        release.set()
        thread.join()
    assert str(raised.value).endswith("is writing these snapshots; they could not be read. Re-run when it has finished")


def test_a_part_that_is_a_symlink_is_not_trusted(store, tmp_path):
    store.write("refund", "de-refunded", OLD, {})
    part = store.root / "refund/de-refunded/body.html"
    (tmp_path / "body.html").write_bytes(part.read_bytes())
    part.unlink()
    os.symlink(tmp_path / "body.html", part)
    with pytest.raises(SnapshotError, match="body.html: is a symbolic link"):
        store.read("refund", "de-refunded")


def test_the_file_mode_under_the_usual_umask(tmp_path):
    from harness.snapshots import store as store_module

    old = os.umask(0o022)
    try:
        assert store_module._file_mode() == 0o644
    finally:
        os.umask(old)
