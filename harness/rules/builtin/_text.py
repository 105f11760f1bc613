"""Helpers the built-in rules share: visible text, normalization, an account's own values."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from bs4 import BeautifulSoup, Tag

from ...fixtures import Account

__all__ = ["account_strings", "describe", "fold", "visible_text", "word_diff"]


def fold(text: str) -> str:
    """White space folded, for comparing copy regardless of line breaks and indentation."""
    return " ".join(text.split())


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


def account_strings(account: Account) -> set[str]:
    """Every string value in the account's data (names, addresses, codes...)."""

    def walk(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from walk(v)
        elif isinstance(value, list):
            for v in value:
                yield from walk(v)

    return {s for s in walk(account.model_dump(mode="json")) if s.strip()}


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
