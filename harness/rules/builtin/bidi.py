"""``bidi-isolation``: a value carrying bidirectional controls is shown isolated, so it cannot
reorder the text around it.

A name such as ``"Maryam \u202eexe.live"`` renders as "Maryam evil.exe" without isolation: the
right-to-left override (U+202E) flips what follows it, a classic spoofing trick. Isolated in an
element of its own with ``dir="auto"`` (or ``<bdi>``, which several mail clients drop), and
between U+2068/U+2069 in the text part, it stays where it is. The ``bdi`` and ``isolate``
filters do both.

Look-alikes are the other spoof: ``"Pаypal"`` with a Cyrillic ``а`` reads as a brand it is not.
Isolation cannot help there, so a shown value that mixes Latin, Cyrillic, Greek or Armenian
letters inside one word is flagged naming the field (option ``lookalikes``: ``warning``, the
default, ``error``, or ``false``): an email that shows a value someone else chose (an inviter's
name, a seller, a workspace) is where phishing hides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Literal

from bs4 import NavigableString

from ...fixtures import leaf_values
from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ._memo import memo

__all__ = ["BIDI_CONTROLS"]

#: Embeddings, overrides and isolates: U+202A-U+202E, U+2066-U+2069.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_FSI, _PDI = "\u2068", "\u2069"
#: Scripts whose letters pass for each other (the Unicode confusables that matter in names).
_LOOKALIKE_SCRIPTS = {"LATIN", "CYRILLIC", "GREEK", "ARMENIAN"}
_WORD = re.compile(r"\w+")


def mixed_scripts(value: str) -> tuple[str, list[str]] | None:
    """The first word of ``value`` that mixes letters of look-alike scripts, and those scripts."""
    for word in _WORD.findall(value):
        scripts = {unicodedata.name(ch, "").split(" ")[0] for ch in word if ch.isalpha()} & _LOOKALIKE_SCRIPTS
        if len(scripts) > 1:
            return word, sorted(scripts)
    return None


def _isolated_in_html(value: str, ctx: RuleContext) -> bool | None:
    """None when ``value`` is not in the HTML; else whether each occurrence sits in an element of
    its own that isolates it (``<bdi>``, or ``dir`` set on an element holding just the value)."""
    occurrences = [s for s in ctx._facts.strings if type(s) is NavigableString and value in str(s)]
    if not occurrences:
        return None
    for string in occurrences:
        element = string.parent
        holds_value = element is not None and element.get_text().strip(f" {_FSI}{_PDI}") == value.strip()
        if not (holds_value and (element.name == "bdi" or element.get("dir"))):
            return False
    return True


def _strings(data: object) -> list[tuple[str, str, tuple[str, list[str]] | None, bool]]:
    """``(path, value, mixed_scripts(value), whether it holds bidi controls)`` for each string of
    a fixture's data: once per run and fixture, not once per case (a name per character)."""
    return memo("bidi-strings", (data,), lambda: [
        (path, value, mixed_scripts(value), BIDI_CONTROLS.search(value) is not None)
        for path, value in leaf_values(data) if isinstance(value, str)
    ])


class BidiIsolationOptions(RuleOptions):
    lookalikes: Literal["warning", "error", False] = "warning"
    """A shown value mixing Latin, Cyrillic, Greek or Armenian letters in one word: ``warning``,
    ``error``, or ``false`` (not looked for)."""


@rules.register("bidi-isolation", options=BidiIsolationOptions)
def bidi_isolation(ctx: RuleContext) -> Iterator[Finding]:
    """A fixture value carrying bidirectional controls is isolated in the HTML and the text part,
    and a shown value does not mix look-alike scripts in one word."""
    lookalikes = ctx.options.get("lookalikes", "warning")
    for path, value, mixed, controlled in _strings(ctx.fixture.data):
        mixed = mixed if lookalikes else None
        if mixed and (value in ctx.email.text or _isolated_in_html(value, ctx) is not None):
            word, scripts = mixed
            report = ctx.error if lookalikes == "error" else ctx.warning
            yield report(f"fixture field {path} mixes {' and '.join(s.title() for s in scripts)} letters in one word: {word!r} (a look-alike)",
                         element=f"the element showing {path}",
                         expected="letters of one script per word; a value someone else chose, shown marked as theirs")
        if not controlled:
            continue
        if _isolated_in_html(value, ctx) is False:
            yield ctx.error(f"fixture field {path} carries bidirectional controls and is not isolated in the HTML",
                            element=f"the element showing {path}", expected="<span dir=\"auto\"> around the value (the bdi filter)")
        if value in ctx.email.text and f"{_FSI}{value}{_PDI}" not in ctx.email.text:
            yield ctx.error(f"fixture field {path} carries bidirectional controls and is not isolated in the text part",
                            element="text part", expected="U+2068 … U+2069 around the value: the isolate filter in NAME.txt (a derived text part gets them from the bdi filter)")
