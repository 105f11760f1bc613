"""What a reader would see differently if another MJML engine rendered the same MJML.

MRML (the default, Rust) and JavaScript mjml produce different markup; most of it is layout
detail a reader never notices, and the screenshots judge the pixels. What matters is the text,
the link targets and the images' alternative text: ``email-harness compare-engines`` reports
every case where those differ, so a team whose production runs JavaScript mjml knows whether the
default engine checks what its customers get.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from bs4 import BeautifulSoup

from ..cases import Case
from ..errors import HarnessError
from .mjml_engines import MjmlEngine
from .text import html_to_text

__all__ = ["compare_engines", "reader_differences"]


def _reader_view(html: str) -> dict[str, list[str]]:
    document = BeautifulSoup(html, "lxml")
    return {
        "text": [" ".join(line.split()) for line in html_to_text(html).splitlines() if line.strip()],
        "links": sorted(str(a.get("href")) for a in document.find_all("a", href=True)),
        "image alt texts": sorted(f"{img.get('src')}: {img.get('alt')!r}" for img in document.find_all("img")),
    }


def reader_differences(html_a: str, html_b: str, names: tuple[str, str] = ("a", "b")) -> list[str]:
    """One line per difference a reader would notice between two renderings of one email."""
    a, b = _reader_view(html_a), _reader_view(html_b)
    found = []
    for aspect in a:
        if a[aspect] != b[aspect]:
            diff = [line for line in difflib.unified_diff(a[aspect], b[aspect], *names, lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("---", "+++")]
            found.append(f"{aspect}: " + "; ".join(diff[:6]) + (" ..." if len(diff) > 6 else ""))
    return found


def compare_engines(sources: Iterable[tuple[Case, str]], first: MjmlEngine, second: MjmlEngine) -> dict[str, list[str]]:
    """Case id -> what differs for a reader between ``first`` and ``second`` on that MJML."""
    differences: dict[str, list[str]] = {}
    for case, mjml in sources:
        try:
            found = reader_differences(first.render(mjml), second.render(mjml), (first.name, second.name))
        except HarnessError as exc:
            found = [f"rendering failed: {exc}"]
        if found:
            differences[case.id] = found
    return differences
