"""``bidi-isolation``: a value carrying bidirectional controls is shown isolated, so it cannot
reorder the text around it.

A name such as ``"Maryam \u202eexe.live"`` renders as "Maryam evil.exe" without isolation: the
right-to-left override (U+202E) flips what follows it, a classic spoofing trick. Isolated in an
element of its own with ``dir="auto"`` (or ``<bdi>``, which several mail clients drop), and
between U+2068/U+2069 in the text part, it stays where it is. The ``bdi`` and ``isolate``
filters do both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import NavigableString

from ...fixtures import leaf_values
from ..base import Finding, RuleContext, rules

__all__ = ["BIDI_CONTROLS"]

#: Embeddings, overrides and isolates: U+202A-U+202E, U+2066-U+2069.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_FSI, _PDI = "\u2068", "\u2069"


def _isolated_in_html(value: str, ctx: RuleContext) -> bool | None:
    """None when ``value`` is not in the HTML; else whether each occurrence sits in an element of
    its own that isolates it (``<bdi>``, or ``dir`` set on an element holding just the value)."""
    occurrences = [s for s in ctx.document.find_all(string=True) if type(s) is NavigableString and value in str(s)]
    if not occurrences:
        return None
    for string in occurrences:
        element = string.parent
        holds_value = element is not None and element.get_text().strip(f" {_FSI}{_PDI}") == value.strip()
        if not (holds_value and (element.name == "bdi" or element.get("dir"))):
            return False
    return True


@rules.register("bidi-isolation")
def bidi_isolation(ctx: RuleContext) -> Iterator[Finding]:
    for path, value in leaf_values(ctx.fixture.data):
        if not isinstance(value, str) or not BIDI_CONTROLS.search(value):
            continue
        if _isolated_in_html(value, ctx) is False:
            yield ctx.error(f"fixture field {path} carries bidirectional controls and is not isolated in the HTML",
                            element=f"the element showing {path}", expected="<span dir=\"auto\"> around the value (the bdi filter)")
        if value in ctx.email.text and f"{_FSI}{value}{_PDI}" not in ctx.email.text:
            yield ctx.error(f"fixture field {path} carries bidirectional controls and is not isolated in the text part",
                            element="text part", expected="U+2068 … U+2069 around the value (the isolate filter)")
