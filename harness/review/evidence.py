"""A case's parts before and after, read from a report folder (``approved/`` and ``received/``).

A report may be a CI artifact from anyone's branch: names must pass the one name grammar, files
are read without following links and only when regular, and anything missing or malformed reads
as "not there" rather than failing the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import HarnessError
from ..safepaths import NAME, TEMPLATE, read_regular

__all__ = ["CaseEvidence", "as_list", "as_str", "png_size"]

#: Text parts are small; a bigger file in a report is not ours.
MAX_TEXT = 3_000_000


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's header, without decoding it."""
    if len(data) >= 24 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


class CaseEvidence:
    """What a report holds for one case. ``before(name)`` is the approved part (``None`` when
    the approved snapshot had none), ``after(name)`` the received one (``None``: not produced)."""

    def __init__(self, report: Path, case: dict[str, Any]) -> None:
        self.report = report
        self.case = case
        template, fixture = as_str(case.get("template")), as_str(case.get("fixture"))
        self.valid = bool(TEMPLATE.fullmatch(template) and NAME.fullmatch(fixture))
        self.folder = f"{template}/{fixture}"
        received = case.get("received")
        self.received: set[str] = {n for n in received if isinstance(n, str) and NAME.fullmatch(n)} if isinstance(received, dict) else set()
        self.approved = {n for n in as_list(case.get("approved")) if isinstance(n, str) and NAME.fullmatch(n)}
        self.diffs = {n for n in as_list(case.get("diffs")) if isinstance(n, str) and NAME.fullmatch(n)}
        self.changes = [c for c in as_list(case.get("changes")) if isinstance(c, dict)]
        self.changed = {as_str(c.get("filename")): as_str(c.get("status")) for c in self.changes}
        #: A case with no approved snapshot at all (status "new").
        self.first = case.get("status") == "new" or case.get("approved_manifest") is None
        self._texts: dict[tuple[str, str], str | None] = {}

    def _read(self, side: str, name: str, limit: int = MAX_TEXT) -> bytes | None:
        if not self.valid or not NAME.fullmatch(name):
            return None
        path = self.report / side / self.folder / name
        try:
            return read_regular(path, follow=False, limit=limit) if path.is_file() else None
        except HarnessError:
            return None

    def _text(self, side: str, name: str) -> str | None:
        if (side, name) not in self._texts:  # the page reads a part several times
            data = self._read(side, name)
            self._texts[side, name] = data.decode("utf-8", "replace") if data is not None else None
        return self._texts[side, name]

    def has_before(self, name: str) -> bool:
        if self.first or self.changed.get(name) == "new":
            return False
        return name in self.approved or (name in self.received and name not in self.changed)

    def before(self, name: str) -> str | None:
        """The approved text of part ``name``: copied into ``approved/`` when it changed, the
        same as the received one when it did not."""
        if not self.has_before(name):
            return None
        return self._text("approved" if name in self.approved else "received", name)

    def after(self, name: str) -> str | None:
        return self._text("received", name) if name in self.received else None

    def before_url(self, name: str) -> str:
        side = "approved" if name in self.approved else "received"
        return f"{side}/{self.folder}/{name}"

    def after_url(self, name: str) -> str:
        return f"received/{self.folder}/{name}"

    def image(self, side: str, name: str) -> bytes | None:
        """A PNG of the report (``received`` or ``approved``; diff images are under ``received``)."""
        return self._read(side, name, limit=50_000_000)
