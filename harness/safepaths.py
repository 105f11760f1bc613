"""The one gate for names and paths that come from data: results.json, manifests, .pending.json,
shard reports and URLs.

Nothing read from a file decides where the harness writes. A fixture or part name is one path
segment of a strict grammar (no ``/``, no leading dot, so no ``..`` and no absolute path); a
template name is a path of such segments (``billing/invoice_paid``: a template in a subfolder of
the catalog), each segment obeying the same grammar, so still no ``..``, no absolute path and no
empty segment; a folder the harness writes into is refused when it, or a folder between it and its
root, is a symlink; files are opened without following links (``O_NOFOLLOW``) and read only when
they are regular files (a FIFO would block the run forever).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

from .errors import HarnessError

__all__ = ["MAX_DEPTH", "NAME", "TEMPLATE", "check_name", "open_nofollow", "read_regular", "safe_folder"]

#: Fixture and snapshot part names, and each segment of a template name: letters or digits
#: first, at most 128 characters.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
#: Segments a template name may have: the catalog's subfolders nest at most this deep.
MAX_DEPTH = 8
#: Template names: one to :data:`MAX_DEPTH` NAME segments joined by ``/`` (``welcome``,
#: ``billing/invoice_paid``).
TEMPLATE = re.compile(rf"{NAME.pattern}(?:/{NAME.pattern}){{0,{MAX_DEPTH - 1}}}")


def check_name(value: Any, what: str, source: object, error: type[HarnessError] = HarnessError) -> str:
    """``value`` when it is a safe name, else ``error`` naming ``source`` and the value. A
    ``"template"`` may be a path of names (:data:`TEMPLATE`); anything else is one segment."""
    grammar, rule = (TEMPLATE, "segments of letters, digits, '_', '-', '.' joined by '/'") if what == "template" else (
        NAME, "letters, digits, '_', '-', '.'; no '/'")
    if not isinstance(value, str) or not grammar.fullmatch(value):
        raise error(f"{source}: {what} {str(value)[:80]!r} is not a valid name ({rule}; no leading dot, no empty "
                    "segment); the file was not written by email-harness or was altered")
    return value


def safe_folder(root: Path, *names: str, error: type[HarnessError] = HarnessError) -> Path:
    """``root/names...`` when no existing step from ``root`` down is a symlink or a non-folder.
    The names must already have passed :func:`check_name`; a template name's segments are
    separate steps (``billing/invoice_paid``: ``billing``, then ``invoice_paid``)."""
    path = root
    for name in (segment for name in names for segment in name.split("/")):
        path = path / name
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue  # created later, by the harness, as a real folder
        except OSError as exc:
            raise error(f"{path}: cannot be used ({exc.strerror})") from None
        if stat.S_ISLNK(mode):
            raise error(f"{path}: is a symbolic link; email-harness never writes through one. Replace it with a real folder")
        if not stat.S_ISDIR(mode):
            raise error(f"{path}: expected a folder, found another kind of file; remove it and re-run")
    return path


def open_nofollow(path: Path, flags: int, error: type[HarnessError] = HarnessError, mode: int = 0o644) -> int:
    """``os.open`` that refuses a symlink at ``path`` (a lock or report file planted as a link
    to a file elsewhere would otherwise be truncated through it)."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), mode)
    except OSError as exc:
        if os.path.islink(path):
            raise error(f"{path}: is a symbolic link; email-harness never writes through one. Delete it and re-run") from None
        raise error(f"{path}: cannot open ({exc.strerror})") from None


def read_regular(
    path: Path, error: type[HarnessError] = HarnessError, *, limit: int = 50_000_000, follow: bool = True
) -> bytes:
    """The bytes of ``path`` when it is a regular file (not a FIFO or device) of at most
    ``limit`` bytes; with ``follow=False`` a symlink is refused too."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow and os.path.islink(path):
            raise error(f"{path}: is a symbolic link; email-harness reads only regular files here (snapshot, report and catalog files). Copy the file in instead") from None
        raise error(f"{path}: cannot read: {exc.strerror}") from None
    try:
        # Checked on the descriptor before wrapping it: os.fdopen of a folder raises IsADirectoryError.
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{path}: is a folder, expected a file; remove or rename the folder")
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{path}: not a regular file (a pipe or device?); replace it with a file")
        if info.st_size > limit:
            raise error(f"{path}: {info.st_size:,} bytes; the limit is {limit:,}")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
