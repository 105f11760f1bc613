"""The approved snapshots on disk: ``snapshots/<template>/<fixture>/``.

Each case folder holds one file per snapshot kind and a ``manifest.json`` with the sha256 of every
part and what produced it. A case is replaced as a whole, in two phases:

1. every new part is written beside the old one as ``.NAME.new`` (temp file, fsync, rename);
2. the new manifest is written as ``.pending.json``: the commit point;
3. the ``.new`` parts are renamed into place, ``manifest.json`` is replaced, ``.pending.json`` goes.

A run killed before (2) leaves the old case (the ``.new`` files are dropped at the next read); killed
after (2), the next read finishes the update. So a case is old or new, never a mix, and a part
that still disagrees with its manifest (edited by hand, truncated) is reported, never trusted.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors import SnapshotError
from ..readback import validate
from ..safepaths import MAX_DEPTH, NAME, check_name, open_nofollow, read_regular, safe_folder

__all__ = ["ApprovedSnapshot", "SnapshotStore", "atomic_write", "manifest_hash", "sha256"]

MANIFEST = "manifest.json"
PENDING = ".pending.json"
LOCK = ".lock"
#: A manifest lists a case's parts and how they were made: a few KB. Bounds for a hostile one.
MAX_MANIFEST_BYTES = 5_000_000
MAX_PARTS = 1000


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def manifest_hash(manifest: dict[str, Any]) -> str:
    """The identity of an approved snapshot: its manifest (which lists every part's hash)."""
    return sha256(json.dumps(manifest, sort_keys=True).encode())


def _file_mode() -> int:
    """0644 under the usual umask: mkstemp makes 0600 files, unreadable to a CI upload step or a
    reviewer's tools running as another user."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half.
    A full disk or a read-only folder is a :class:`SnapshotError` naming the file; ``path`` is
    left as it was."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), _FILE_MODE)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise SnapshotError(f"{path}: cannot write ({exc.strerror or exc}); the file is unchanged. "
                            "Free disk space or fix the folder's permissions, then re-run") from None
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise


class ManifestFile(BaseModel):
    """What a ``manifest.json`` (or ``.pending.json``) must hold for the store to trust it: the
    sha256 of every part, a bounded number of parts. The rest of a manifest is what produced the
    snapshot (engine, browser, probes); it is kept as written and compared, never obeyed."""

    model_config = ConfigDict(strict=True, extra="allow")

    parts: Annotated[dict[str, Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]], Field(max_length=MAX_PARTS)]


def _load_manifest(path: Path, data: bytes | None = None) -> dict[str, Any]:
    """A manifest (or ``.pending.json``) whose ``parts`` map valid part names to hashes
    (:class:`ManifestFile`); nothing else is trusted, since a snapshot folder may come from
    anyone's branch."""
    hint = f"restore it with 'git checkout -- {path}'"
    try:
        manifest = json.loads(data if data is not None else read_regular(path, SnapshotError, follow=False, limit=MAX_MANIFEST_BYTES))
        parts = manifest["parts"]
        if not isinstance(parts, dict) or not all(isinstance(v, str) for v in parts.values()):
            raise TypeError("'parts' must map file names to hashes")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        raise SnapshotError(f"{path}: does not parse ({exc}); {hint}") from None
    for name in parts:
        check_name(name, "part", path, SnapshotError)
    try:
        validate(ManifestFile, manifest, path, SnapshotError, hint=hint)
    except SnapshotError as exc:
        raise SnapshotError(str(exc).replace(f"{path}: ", f"{path}: does not parse: ", 1)) from None
    return manifest


@dataclass(frozen=True)
class ApprovedSnapshot:
    """One case's approved parts (file name -> bytes) and its manifest."""

    folder: Path
    parts: dict[str, bytes]
    manifest: dict[str, Any] = field(default_factory=dict)

    def text(self, filename: str) -> str | None:
        data = self.parts.get(filename)
        if data is None:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SnapshotError(
                f"{self.folder / filename}: not valid UTF-8 (byte {exc.start}); restore it with "
                f"'git checkout -- {self.folder / filename}' or re-approve the case"
            ) from None


class SnapshotStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._depth = 0

    @contextmanager
    def lock(self, *, timeout: float = 30.0) -> Iterator[None]:
        """Hold the store's write lock (``snapshots/.lock``, an flock the OS releases when the
        holder dies): two runs writing one snapshot folder take turns, and readers wait for a
        writer to finish; a run that waits longer than ``timeout`` stops with a message naming
        the other process. Re-entrant within one store."""
        self.root.mkdir(parents=True, exist_ok=True)
        with self._flock(exclusive=True, timeout=timeout) as handle:
            if handle is not None:
                handle.seek(0)
                handle.truncate()
                handle.write(f"pid {os.getpid()} since {time.strftime('%H:%M:%S')}")
                handle.flush()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if handle is not None:
                    handle.seek(0)
                    handle.truncate()

    @contextmanager
    def _flock(self, *, exclusive: bool, timeout: float) -> Iterator[IO[str] | None]:
        if self._depth:  # this store already holds the write lock
            yield None
            return
        try:
            # O_NOFOLLOW: a lock file planted as a symlink must not truncate the file it points to.
            fd = open_nofollow(self.root / LOCK, os.O_RDWR | os.O_CREAT | os.O_APPEND, SnapshotError)
        except SnapshotError:
            if os.path.islink(self.root / LOCK):
                raise
            yield None  # a read-only checkout: nobody can write here, reading needs no lock
            return
        handle = os.fdopen(fd, "a+", encoding="utf-8")
        with handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        handle.seek(0)
                        holder = handle.read().strip() or "another process"
                        raise SnapshotError(
                            f"{self.root / LOCK}: another email-harness run ({holder}) is writing these snapshots; "
                            + ("nothing was written" if exclusive else "they could not be read") + ". Re-run when it has finished"
                        ) from None
                    time.sleep(0.05)
            try:
                yield handle
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def folder(self, template: str, fixture: str) -> Path:
        """The case's folder; the names are checked and no step may be a symlink, since they may
        come from a report or a manifest rather than from the catalog."""
        check_name(template, "template", self.root, SnapshotError)
        check_name(fixture, "fixture", self.root / template, SnapshotError)
        return safe_folder(self.root, template, fixture, error=SnapshotError)

    def read(self, template: str, fixture: str) -> ApprovedSnapshot | None:
        """The approved snapshot, ``None`` when the case has none, ``SnapshotError`` when corrupt."""
        folder = self.folder(template, fixture)
        manifest_path = folder / MANIFEST
        if not folder.is_dir():
            return None
        if any(p.name.startswith(".") for p in folder.iterdir()):
            with self.lock():  # an interrupted update (or one in progress: wait for it)
                self._repair(folder)
        with self._flock(exclusive=False, timeout=60):
            return self._read(folder, manifest_path)

    def _read(self, folder: Path, manifest_path: Path) -> ApprovedSnapshot | None:
        if not manifest_path.is_file():
            if any(p for p in folder.iterdir() if not p.name.startswith(".")):
                raise SnapshotError(f"{manifest_path}: missing; the snapshot cannot be trusted. Re-approve the case.")
            return None
        manifest = _load_manifest(manifest_path)
        parts: dict[str, bytes] = {}
        for filename, expected in manifest["parts"].items():
            path = folder / filename
            data = read_regular(path, SnapshotError, follow=False)
            if sha256(data) != expected:
                raise SnapshotError(
                    f"{path}: content does not match its manifest (truncated, edited by hand, or an interrupted "
                    f"update); restore it with 'git checkout -- {folder}' or re-approve the case"
                )
            parts[filename] = data
        return ApprovedSnapshot(folder, parts, manifest)

    def approved_outcome(self, template: str, fixture: str) -> str | None:
        """The approved ``outcome.txt``, checked against its manifest even when other parts of
        the case are corrupt; ``None`` when the case has no snapshot, and
        :data:`~harness.snapshots.outcome.UNKNOWN` when the outcome cannot be validated (a
        manifest that does not parse, an outcome edited by hand): who gets this email must
        never be read from an unverified file."""
        from .outcome import UNKNOWN

        folder = self.folder(template, fixture)
        if not folder.is_dir():
            return None
        try:
            snapshot = self.read(template, fixture)
            if snapshot is not None:
                return snapshot.text("outcome.txt")
        except SnapshotError:
            pass
        else:
            return None
        try:
            with self._flock(exclusive=False, timeout=60):
                expected = _load_manifest(folder / MANIFEST)["parts"].get("outcome.txt")
                data = read_regular(folder / "outcome.txt", SnapshotError, follow=False)
            if expected and sha256(data) == expected:
                return data.decode("utf-8")
        except (SnapshotError, UnicodeDecodeError):
            pass
        return UNKNOWN

    def write(self, template: str, fixture: str, parts: dict[str, bytes], manifest: dict[str, Any]) -> dict[str, Any]:
        """Replace the case's snapshot as a whole (see the module docstring); parts no longer
        produced (body.html of a case that is now not sent) are removed. Returns the manifest
        as written, with every part's hash."""
        folder = self.folder(template, fixture)
        for filename in parts:
            check_name(filename, "part", folder, SnapshotError)
        self._repair(folder)
        for filename, data in sorted(parts.items()):
            atomic_write(folder / f".{filename}.new", data)
        manifest = {**manifest, "parts": {name: sha256(data) for name, data in sorted(parts.items())}}
        atomic_write(folder / PENDING, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
        self._finish(folder)
        return manifest

    def _finish(self, folder: Path) -> None:
        """Phase 3: move the committed ``.new`` parts into place."""
        data = read_regular(folder / PENDING, SnapshotError, follow=False, limit=MAX_MANIFEST_BYTES)
        manifest = _load_manifest(folder / PENDING, data)
        for filename in manifest["parts"]:
            staged = folder / f".{filename}.new"
            if staged.is_file():
                os.replace(staged, folder / filename)
        atomic_write(folder / MANIFEST, data)
        for stale in folder.iterdir():
            if stale.is_file() and stale.name != MANIFEST and stale.name not in manifest["parts"] and not stale.name.startswith("."):
                stale.unlink()
        (folder / PENDING).unlink()

    def _repair(self, folder: Path) -> None:
        """Finish a committed update, or drop the staged parts of one that never committed, and
        remove temporary files of a killed write."""
        if not folder.is_dir():
            return
        try:
            if (folder / PENDING).is_file():
                self._finish(folder)
            else:
                for staged in folder.glob(".*.new"):
                    staged.unlink()
            for temporary in folder.glob(".*.tmp"):
                temporary.unlink()
        except (OSError, ValueError, KeyError, SnapshotError) as exc:
            raise SnapshotError(f"{folder}: an interrupted update cannot be recovered ({exc}); "
                                f"restore it with 'git checkout -- {folder}' or re-approve the case") from None

    def remove(self, template: str, fixture: str) -> None:
        folder = self.folder(template, fixture)  # refuses a symlinked folder: never delete through one
        shutil.rmtree(folder, ignore_errors=True)
        parent = folder.parent
        while parent != self.root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()  # the template's folder, and its empty parents (billing/ of billing/x)
            parent = parent.parent

    def cases(self) -> set[tuple[str, str]]:
        """Every (template, fixture) with a snapshot folder on disk. A template in a catalog
        subfolder has its snapshots one level deeper per folder (``billing/invoice_paid/en-paid``):
        a case folder holds files (or nothing), a template's folders hold folders only."""
        if not self.root.is_dir():
            return set()
        def folders(path: Path) -> list[Path]:  # real folders with valid names: nothing else is ours
            return [p for p in path.iterdir() if NAME.fullmatch(p.name) and p.is_dir() and not p.is_symlink()]

        found = set()
        def walk(template: Path, depth: int) -> None:
            for folder in folders(template):
                entries = list(folder.iterdir())
                if not entries or any(not e.is_dir() or e.is_symlink() for e in entries) or depth == MAX_DEPTH:
                    found.add((template.relative_to(self.root).as_posix(), folder.name))
                else:
                    walk(folder, depth + 1)

        for template in folders(self.root):
            walk(template, 1)
        return found
