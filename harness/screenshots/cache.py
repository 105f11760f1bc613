"""The local shot cache: what this machine's browser took of a document, kept outside
``snapshots/``, so an unchanged re-run takes no screenshot even when the approved PNGs came from
another browser build.

``snapshots/`` holds what a reviewer approved, with the fingerprint of the browser that took it.
When this machine's browser differs (a Chromium patch release, other fonts) or the page was
measured by older probes, the approved record cannot stand for this machine's page; this cache
keeps this machine's own results instead, and only ``email-harness approve --rebaseline`` ever
writes such environment-only differences into ``snapshots/``.

**Where**: ``[tool.email-harness] cache`` (default ``.cache/email-harness`` in the project; off
with ``cache = false`` or ``run --no-cache``). Project-local rather than the platform's cache
folder: a CI job caches it by a path in its workspace, deleting a checkout deletes it, a test or
benchmark in a temporary project starts empty, and a read-only home changes nothing. The folder
gets its own ``.gitignore`` (``*``), as pytest's ``.pytest_cache`` does.

**Key**: the sha256 of the HTML shot, the looks (each viewport's full definition), mask,
accessibility scan and text direction, the browser fingerprint (version, flags, fonts) and the
code that takes and measures shots (:data:`CODE`). The catalog files the page loaded (a logo) are
recorded with their sha256 and checked on every read: a changed asset is a miss. Two smaller
kinds of entry live beside the shots: the texts derived from an email's HTML (keyed by the HTML
and the deriving code, for snapshots an older harness derived), and the figures of each pixel
comparison of an approved PNG with this machine's (keyed by both PNGs and the threshold), so a
machine whose pixels differ from the approving one's by noise does not decode them every run.

**Trust**: an entry is ``MAGIC <sha256 of the rest>\\n`` + one JSON line + the raw PNG bytes. An
entry whose hash, key, lengths, JSON or PNG signatures do not check out (truncated, edited,
another format) is ignored and deleted, never used; nothing is unpickled. The hash catches
corruption, not a person with write access to the folder (who could edit ``snapshots/`` too), so
approvals never read the cache: what they write was taken by that run's browser.

**Size**: bounded (``cache_max_mb``, default :data:`DEFAULT_MAX_MB`). Reads touch their entry;
when a write takes the folder past the bound, the least recently used entries are deleted until
it is under 80% of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .browser import Fingerprint
from .camera import Shots
from .compare import PNG_SIGNATURE, ImageDiff
from .viewports import Viewport

__all__ = ["CODE", "DEFAULT_MAX_MB", "ShotCache"]

DEFAULT_MAX_MB = 256
#: The first bytes of every entry; a new layout gets a new number, and old entries stop matching.
MAGIC = b"email-harness-shots 1 "
#: Entries are deleted down to this share of the bound, so a full cache is not trimmed on every write.
LOW_WATER = 0.8
MAX_HEADER = 20_000_000
#: Subfolders, one per kind of entry: a case's shots, the texts derived from its HTML, and
#: pixel comparisons of an approved PNG with this machine's.
KINDS = ("shots", "texts", "verdicts")


def _code_digest() -> str:
    """The code that takes and measures shots: these modules and the browser-side libraries. A
    harness upgrade (or a local edit) that could change what a page shows or measures is a miss."""
    from ..render import pseudo

    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("browser", "camera", "contrast", "offline", "probes", "viewports", "world"):
        digest.update((here / f"{name}.py").read_bytes())
    digest.update(Path(pseudo.__file__ or "").read_bytes())
    for package in ("playwright", "axe-playwright-python"):
        try:
            digest.update(f"{package}=={version(package)}".encode())
        except PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()[:16]


#: Identity of the shot-taking code, part of every key.
CODE = _code_digest()


def _verdict_key(approved: bytes, received: bytes, threshold: float) -> str:
    identity = f"{hashlib.sha256(approved).hexdigest()}\0{hashlib.sha256(received).hexdigest()}\0{threshold!r}\0{CODE}"
    return hashlib.sha256(identity.encode()).hexdigest()


def _text_key(identity: str) -> str:
    """A file name for texts derived from a document (``Engine._serialize``'s ``html_source``)."""
    return hashlib.sha256(f"{identity}\0{os.environ.get('MUTANT_UNDER_TEST', '')}".encode()).hexdigest()


class ShotCache:
    """A folder of :class:`~.camera.Shots` keyed by :meth:`key`. Never raises for what it finds on
    disk or fails to write: a cache that cannot be read or written is a miss."""

    def __init__(self, folder: Path, *, assets: Path, max_bytes: int = DEFAULT_MAX_MB * 1_000_000) -> None:
        self.folder = folder
        #: The catalog folder the page's relative URLs are served from (see ``offline.OfflineRouter``).
        self.assets = assets.resolve()
        self.max_bytes = max_bytes
        #: What happened, for tests, ``make bench`` and the run's figures.
        self.hits = self.misses = self.rejected = self.evicted = 0
        self._total: int | None = None
        self._asset_hashes: dict[tuple[str, int, int], str] = {}

    # -- keys --------------------------------------------------------------------------------

    @staticmethod
    def key(html: str, viewports: Sequence[Viewport], *, mask: Sequence[str], accessibility: bool, rtl: bool,
            fingerprint: Fingerprint) -> str:
        """The entry for ``html`` shot in ``viewports`` with these settings by this browser."""
        identity = {
            "html": hashlib.sha256(html.encode("utf-8", "surrogatepass")).hexdigest(),
            "viewports": [asdict(v) for v in viewports],
            "mask": list(mask),
            "accessibility": accessibility,
            "rtl": rtl,
            "fingerprint": fingerprint.to_json(),
            "code": CODE,
            # Under mutmut every mutant of a module shares its source: each gets its own entries.
            "mutant": os.environ.get("MUTANT_UNDER_TEST", ""),
        }
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key

    # -- reading -----------------------------------------------------------------------------

    def get(self, key: str) -> Shots | None:
        """The shots stored under ``key``, or None (absent, stale asset, or not trustworthy)."""
        entry = self._read("shots", key, self._shots)
        if entry is not None and any(self._asset_hash(name) != digest for name, digest in entry[1].items()):
            entry = None
        self._count(entry)
        return entry[0] if entry is not None else None

    def get_texts(self, key: str) -> dict[str, str] | None:
        """Texts stored under ``key`` with :meth:`put_texts`, or None."""
        return self._count(self._read("texts", _text_key(key), self._texts))

    def get_verdict(self, approved: bytes, received: bytes, threshold: float) -> ImageDiff | None:
        """How many pixels of ``received`` differ from ``approved`` (see :func:`.compare.compare_png`),
        as judged on an earlier run, without the diff image; None when not judged yet."""
        return self._count(self._read("verdicts", _verdict_key(approved, received, threshold), self._verdict))

    def put_verdict(self, approved: bytes, received: bytes, threshold: float, diff: ImageDiff) -> None:
        figures = [diff.changed_pixels, diff.total_pixels, list(diff.approved_size), list(diff.received_size)]
        self._write("verdicts", _verdict_key(approved, received, threshold), {"verdict": figures}, b"")

    def _count(self, found: Any) -> Any:
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def _read(self, kind: str, key: str, parse: Any) -> Any:
        """``parse(meta, blobs)`` of the entry, or None; a damaged entry is counted and deleted."""
        path = self._path(kind, key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        entry = self._check(key, data)
        try:
            value = parse(*entry) if entry is not None else None
        except (ValueError, KeyError, TypeError, AttributeError):
            value = None
        if value is None:
            self.rejected += 1
            self._drop(path, len(data))
            return None
        try:
            os.utime(path)  # most recently used: the last to be evicted
        except OSError:
            pass
        return value

    @staticmethod
    def _check(key: str, data: bytes) -> tuple[dict[str, Any], bytes] | None:
        """An entry's JSON line and blobs once its hash and key check out, or None: every check
        passes before anything in it is used."""
        line, newline, rest = data.partition(b"\n")
        if not newline or not line.startswith(MAGIC) or hashlib.sha256(rest).hexdigest().encode() != line[len(MAGIC):]:
            return None
        header, newline, blobs = rest.partition(b"\n")
        if not newline or len(header) > MAX_HEADER:
            return None
        try:
            meta = json.loads(header)
        except (ValueError, RecursionError):
            return None
        if not isinstance(meta, dict) or meta.get("key") != key:
            return None  # an entry copied or renamed to another document's name
        return meta, blobs

    @staticmethod
    def _shots(meta: dict[str, Any], blobs: bytes) -> tuple[Shots, dict[str, str]] | None:
        sizes = [(str(name), int(size)) for name, size in meta["pngs"]]
        axe, page, assets = meta["axe"], meta["page"], meta["assets"]
        if not (isinstance(page, dict) and isinstance(assets, dict) and (axe is None or isinstance(axe, list))):
            return None
        if sum(size for _, size in sizes) != len(blobs) or any(size < 0 for _, size in sizes):
            return None
        pngs: dict[str, bytes] = {}
        offset = 0
        for name, size in sizes:
            png = blobs[offset:offset + size]
            offset += size
            if not png.startswith(PNG_SIGNATURE):
                return None
            pngs[name] = png
        return Shots(pngs, axe, page, assets=tuple(sorted(assets))), {str(k): str(v) for k, v in assets.items()}

    @staticmethod
    def _verdict(meta: dict[str, Any], blobs: bytes) -> ImageDiff | None:
        changed, total, (w0, h0), (w1, h1) = meta["verdict"]
        figures = (changed, total, w0, h0, w1, h1)
        if blobs or not all(type(n) is int and n >= 0 for n in figures) or changed > total:
            return None
        return ImageDiff(changed, total, (w0, h0), (w1, h1))

    @staticmethod
    def _texts(meta: dict[str, Any], blobs: bytes) -> dict[str, str] | None:
        texts = meta["texts"]
        if blobs or not isinstance(texts, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in texts.items()):
            return None
        return texts

    def _asset_hash(self, name: str) -> str:
        """sha256 of a catalog file the page loaded, "missing" when it is not (or not a regular
        file inside the catalog folder, as the router would answer 404)."""
        path = (self.assets / name).resolve()
        try:
            if not path.is_relative_to(self.assets):
                return "missing"
            stat = path.stat()
            memo = (str(path), stat.st_mtime_ns, stat.st_size)
            if memo not in self._asset_hashes:
                self._asset_hashes[memo] = hashlib.sha256(path.read_bytes()).hexdigest()
            return self._asset_hashes[memo]
        except OSError:
            return "missing"

    # -- writing -----------------------------------------------------------------------------

    def put(self, key: str, shots: Shots) -> None:
        """Store ``shots`` under ``key``, then evict down to the bound if it was passed."""
        names = sorted(shots.pngs)
        meta = {
            "pngs": [[name, len(shots.pngs[name])] for name in names],
            "axe": shots.axe,
            "page": shots.page,
            "assets": {name: self._asset_hash(name) for name in shots.assets},
        }
        self._write("shots", key, meta, b"".join(shots.pngs[name] for name in names))

    def put_texts(self, key: str, texts: dict[str, str]) -> None:
        """Store texts (the derived parts of an email, see ``Engine._serialize``) under ``key``."""
        self._write("texts", _text_key(key), {"texts": texts}, b"")

    def _write(self, kind: str, key: str, meta: dict[str, Any], blobs: bytes) -> None:
        """One entry, atomically: a reader sees the old entry, the new one or none."""
        rest = json.dumps({**meta, "key": key}, sort_keys=True).encode() + b"\n" + blobs
        data = MAGIC + hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest
        if len(data) > self.max_bytes * LOW_WATER:
            return  # one entry larger than the cache may hold: not worth evicting everything for
        path = self._path(kind, key)
        try:
            self._prepare(path.parent)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return  # a full disk or a read-only folder: the run goes on without the entry
        self._total = (self._total if self._total is not None else self.size()) + len(data)
        if self._total > self.max_bytes:
            self.evict()

    def _prepare(self, folder: Path) -> None:
        """The folder, with a ``.gitignore`` keeping it out of commits and a CACHEDIR.TAG keeping
        it out of backups (both as pytest writes them)."""
        if folder.is_dir():
            return
        folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".gitignore").write_text("# Written by email-harness: this machine's screenshots, never committed.\n*\n")
        (self.folder / "CACHEDIR.TAG").write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n# email-harness's shot cache; see harness/screenshots/cache.py\n")

    def entries(self) -> list[tuple[float, int, Path]]:
        """(last used, size, path) of every entry, least recently used first."""
        found = []
        for kind in KINDS:
            try:
                with os.scandir(self.folder / kind) as listing:
                    for item in listing:
                        if item.is_file(follow_symlinks=False) and not item.name.startswith("."):
                            stat = item.stat(follow_symlinks=False)
                            found.append((stat.st_mtime, stat.st_size, Path(item.path)))
            except OSError:
                continue
        return sorted(found)

    def size(self) -> int:
        """Bytes the entries take on disk."""
        return sum(size for _, size, _ in self.entries())

    def evict(self) -> None:
        """Delete least recently used entries until the cache is under :data:`LOW_WATER` of its bound."""
        entries = self.entries()
        total = sum(size for _, size, _ in entries)
        for _, size, path in entries:
            if total <= self.max_bytes * LOW_WATER:
                break
            self._drop(path, 0)
            total -= size
            self.evicted += 1
        self._total = total

    def _drop(self, path: Path, size: int) -> None:
        try:
            path.unlink()
        except OSError:
            return
        if self._total is not None:
            self._total -= size

    def __repr__(self) -> str:
        return f"ShotCache({str(self.folder)!r}, hits={self.hits}, misses={self.misses}, rejected={self.rejected})"

