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
from typing import Any

from ..errors import SnapshotError

__all__ = ["ApprovedSnapshot", "SnapshotStore", "atomic_write", "manifest_hash", "sha256"]

MANIFEST = "manifest.json"
PENDING = ".pending.json"
LOCK = ".lock"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def manifest_hash(manifest: dict[str, Any]) -> str:
    """The identity of an approved snapshot: its manifest (which lists every part's hash)."""
    return sha256(json.dumps(manifest, sort_keys=True).encode())


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half.
    A full disk or a read-only folder is a :class:`SnapshotError` naming the file; ``path`` is
    left as it was."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
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

    @contextmanager
    def lock(self, *, timeout: float = 30.0) -> Iterator[None]:
        """Hold the store's write lock (``snapshots/.lock``, an flock the OS releases when the
        holder dies): two runs writing one snapshot folder at once take turns; a run that waits
        longer than ``timeout`` stops with a message naming the other process."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK
        with open(path, "a+", encoding="utf-8") as handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        handle.seek(0)
                        holder = handle.read().strip() or "another process"
                        raise SnapshotError(
                            f"{path}: another email-harness run ({holder}) is writing these snapshots; "
                            "nothing was written. Re-run when it has finished"
                        ) from None
                    time.sleep(0.05)
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {time.strftime('%H:%M:%S')}")
            handle.flush()
            try:
                yield
            finally:
                handle.seek(0)
                handle.truncate()
                fcntl.flock(handle, fcntl.LOCK_UN)

    def folder(self, template: str, fixture: str) -> Path:
        return self.root / template / fixture

    def read(self, template: str, fixture: str) -> ApprovedSnapshot | None:
        """The approved snapshot, ``None`` when the case has none, ``SnapshotError`` when corrupt."""
        folder = self.folder(template, fixture)
        manifest_path = folder / MANIFEST
        if not folder.is_dir():
            return None
        self._recover(folder)
        if not manifest_path.is_file():
            if any(p for p in folder.iterdir() if not p.name.startswith(".")):
                raise SnapshotError(f"{manifest_path}: missing; the snapshot cannot be trusted. Re-approve the case.")
            return None
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            parts_hashes: dict[str, str] = manifest["parts"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise SnapshotError(
                f"{manifest_path}: does not parse ({exc}); restore it with 'git checkout -- {manifest_path}'"
            ) from None
        parts: dict[str, bytes] = {}
        for filename, expected in parts_hashes.items():
            path = folder / filename
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise SnapshotError(f"{path}: listed in the manifest but unreadable: {exc.strerror}") from None
            if sha256(data) != expected:
                raise SnapshotError(
                    f"{path}: content does not match its manifest (truncated, edited by hand, or an interrupted "
                    f"update); restore it with 'git checkout -- {folder}' or re-approve the case"
                )
            parts[filename] = data
        return ApprovedSnapshot(folder, parts, manifest)

    def write(self, template: str, fixture: str, parts: dict[str, bytes], manifest: dict[str, Any]) -> None:
        """Replace the case's snapshot as a whole (see the module docstring); parts no longer
        produced (body.html of a case that is now not sent) are removed."""
        folder = self.folder(template, fixture)
        self._recover(folder)
        for filename, data in sorted(parts.items()):
            atomic_write(folder / f".{filename}.new", data)
        manifest = {**manifest, "parts": {name: sha256(data) for name, data in sorted(parts.items())}}
        atomic_write(folder / PENDING, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
        self._finish(folder)

    def _finish(self, folder: Path) -> None:
        """Phase 3: move the committed ``.new`` parts into place."""
        data = (folder / PENDING).read_bytes()
        manifest = json.loads(data)
        for filename in manifest["parts"]:
            staged = folder / f".{filename}.new"
            if staged.is_file():
                os.replace(staged, folder / filename)
        atomic_write(folder / MANIFEST, data)
        for stale in folder.iterdir():
            if stale.is_file() and stale.name != MANIFEST and stale.name not in manifest["parts"] and not stale.name.startswith("."):
                stale.unlink()
        (folder / PENDING).unlink()

    def _recover(self, folder: Path) -> None:
        """Finish a committed update, or drop the parts of one that never committed."""
        if not folder.is_dir():
            return
        try:
            if (folder / PENDING).is_file():
                self._finish(folder)
            else:
                for staged in folder.glob(".*.new"):
                    staged.unlink()
        except (OSError, ValueError, KeyError) as exc:
            raise SnapshotError(f"{folder}: an interrupted update cannot be recovered ({exc}); "
                                f"restore it with 'git checkout -- {folder}' or re-approve the case") from None

    def remove(self, template: str, fixture: str) -> None:
        shutil.rmtree(self.folder(template, fixture), ignore_errors=True)
        parent = self.root / template
        if parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()

    def cases(self) -> set[tuple[str, str]]:
        """Every (template, fixture) with a snapshot folder on disk."""
        if not self.root.is_dir():
            return set()
        return {
            (t.name, f.name)
            for t in self.root.iterdir()
            if t.is_dir() and not t.name.startswith(".")
            for f in t.iterdir()
            if f.is_dir() and not f.name.startswith(".")
        }
