"""Helpers the built-in rules share: visible text, normalization, describing an element."""

from __future__ import annotations

import difflib
import re

from bs4 import BeautifulSoup, Tag

from ..facts import EmailFacts, fold

__all__ = ["describe", "fold", "fold_name", "reads_right_to_left", "visible_text", "word_diff"]

_SEPARATORS = re.compile(r"[\W_]+")


def fold_name(text: str) -> str:
    """A name without case and separators: ``First Name``, ``first_name``, ``firstName`` alike."""
    return _SEPARATORS.sub("", text).casefold()


def visible_text(document: BeautifulSoup | Tag) -> str:
    return EmailFacts(document).visible_text


def reads_right_to_left(document: BeautifulSoup | Tag) -> bool:
    """Whether most letters of the body's text are of a right-to-left script (see
    :attr:`EmailFacts.right_to_left`; a rule reads ``ctx._facts.right_to_left``, shared)."""
    return EmailFacts(document).right_to_left


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
