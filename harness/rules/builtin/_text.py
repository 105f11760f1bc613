"""Helpers the built-in rules share: visible text, normalization, describing an element."""

from __future__ import annotations

import difflib

from bs4 import BeautifulSoup, Tag

__all__ = ["describe", "fold", "visible_text", "word_diff"]


#: The isolates the ``bdi`` and ``isolate`` filters put around a value (U+2066-U+2069): invisible,
#: so no part of what the reader reads.
_ISOLATES = str.maketrans("", "", "\u2066\u2067\u2068\u2069")


def fold(text: str) -> str:
    """White space folded and bidi isolates dropped, for comparing what a reader reads regardless
    of line breaks, indentation and isolation (``'\u2068INV-4001\u2069'`` is ``'INV-4001'``)."""
    return " ".join(text.translate(_ISOLATES).split())


def visible_text(document: BeautifulSoup | Tag) -> str:
    return fold(document.get_text(" "))


def describe(tag: Tag) -> str:
    """A CSS-selector-like name for ``tag``, to point a designer at it."""
    parts = [tag.name]
    for attr in ("data-field", "data-copy", "data-section"):
        if tag.get(attr):
            parts.append(f"[{attr}={tag[attr]}]")
    if tag.get("href"):
        parts.append(f"[href={str(tag['href'])[:60]}]")
    if tag.get("src"):
        parts.append(f"[src={str(tag['src'])[:60]}]")
    return "".join(parts)


def word_diff(expected: str, found: str) -> str:
    """``expected ... [-old-] {+new+} ...``: the first words that differ, with a little context."""
    a, b = expected.split(), found.split()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            before = " ".join(a[max(0, i1 - 4):i1])
            removed = f"[-{' '.join(a[i1:i2])}-]" if i2 > i1 else ""
            added = f"{{+{' '.join(b[j1:j2])}+}}" if j2 > j1 else ""
            return f"...{before} {removed}{added}..."
    return ""
