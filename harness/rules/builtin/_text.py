"""Helpers the built-in rules share: visible text, normalization, describing an element."""

from __future__ import annotations

import difflib
import unicodedata

from bs4 import BeautifulSoup, NavigableString, Tag

__all__ = ["describe", "fold", "reads_right_to_left", "visible_text", "word_diff"]


#: The isolates the ``bdi`` and ``isolate`` filters put around a value (U+2066-U+2069): invisible,
#: so no part of what the reader reads.
_ISOLATES = str.maketrans("", "", "\u2066\u2067\u2068\u2069")


def fold(text: str) -> str:
    """White space folded and bidi isolates dropped, for comparing what a reader reads regardless
    of line breaks, indentation and isolation (``'\u2068INV-4001\u2069'`` is ``'INV-4001'``)."""
    return " ".join(text.translate(_ISOLATES).split())


def visible_text(document: BeautifulSoup | Tag) -> str:
    return fold(document.get_text(" "))


def reads_right_to_left(document: BeautifulSoup | Tag) -> bool:
    """Whether most letters of the body's text are of a right-to-left script (Arabic, Hebrew...):
    the Unicode bidi class of each letter, so an Arabic name in an English email does not make
    the email right to left, and an Arabic email with English product names stays right to left."""
    body = document.find("body") or document
    rtl = ltr = 0
    for string in body.find_all(string=True):
        # Comments (Outlook's conditional markup included), styles and scripts are not read:
        # BeautifulSoup gives them string types of their own (Comment, Stylesheet, Script).
        if type(string) is not NavigableString:
            continue
        for char in str(string):
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                rtl += 1
            elif kind == "L":
                ltr += 1
    return rtl > ltr


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
