"""What the rules read of one email, computed once per case and shared by every rule.

The built-in rules each walked the whole parsed document (``find_all``: every tag matched against
a filter, ~0.1 ms a walk) and each folded its text again. :class:`EmailFacts` walks the tree
once, on first use, and keeps the tags by name, the strings in document order and the folded
texts; :func:`~harness.rules.run_rules` gives the same object to every rule of a case
(``ctx._facts``). Read-only, like the document: a rule that changed a list would change it for the
rules after it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable
from functools import cached_property
from typing import Any, TypeVar

from bs4 import BeautifulSoup, NavigableString, Tag

__all__ = ["EmailFacts", "fold"]

T = TypeVar("T")

#: The isolates the ``bdi`` and ``isolate`` filters put around a value (U+2066-U+2069): invisible,
#: so no part of what the reader reads.
_ISOLATES = str.maketrans("", "", "\u2066\u2067\u2068\u2069")
_ISOLATE = re.compile("[\u2066-\u2069]")


def fold(text: str) -> str:
    """White space folded and bidi isolates dropped, for comparing what a reader reads regardless
    of line breaks, indentation and isolation (``'\u2068INV-4001\u2069'`` is ``'INV-4001'``)."""
    if _ISOLATE.search(text):  # translate goes character by character even when none is there
        text = text.translate(_ISOLATES)
    return " ".join(text.split())


class EmailFacts:
    """One email's document as the rules read it: each fact computed on first use."""

    def __init__(self, document: BeautifulSoup | Tag) -> None:
        self.document = document
        self._memo: dict[Hashable, Any] = {}

    @cached_property
    def _walk(self) -> tuple[list[Tag], list[NavigableString]]:
        """Every tag and every string (comments, styles and scripts included) below the
        document, in document order: what ``find_all(True)`` and ``find_all(string=True)`` give."""
        tags: list[Tag] = []
        strings: list[NavigableString] = []
        for node in self.document.descendants:
            if isinstance(node, Tag):
                tags.append(node)
            elif isinstance(node, NavigableString):
                strings.append(node)
        return tags, strings

    @property
    def tags(self) -> list[Tag]:
        """Every element, in document order."""
        return self._walk[0]

    @property
    def strings(self) -> list[NavigableString]:
        """Every string of the document (of every kind: a comment is a ``Comment``), in order."""
        return self._walk[1]

    @cached_property
    def _by_name(self) -> dict[str, list[Tag]]:
        by_name: dict[str, list[Tag]] = {}
        for tag in self.tags:
            by_name.setdefault(tag.name, []).append(tag)
        return by_name

    def named(self, name: str) -> list[Tag]:
        """The elements named ``name`` (``a``, ``img``), in document order."""
        return self._by_name.get(name, [])

    def having(self, attribute: str) -> list[Tag]:
        """The elements that have ``attribute`` (``data-field``), in document order."""
        return self.memo(("having", attribute), lambda: [tag for tag in self.tags if tag.get(attribute) is not None])

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, computed once per case for ``key``: a value a rule derives from the
        document that another rule reads too (the text a reader sees, for ``subject`` and
        ``text-part``). The key names what is computed, not who asks."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @cached_property
    def body(self) -> Tag | None:
        """The first ``<body>``, as ``document.body`` finds it."""
        bodies = self.named("body")
        return bodies[0] if bodies else None

    @cached_property
    def body_strings(self) -> list[NavigableString]:
        """The strings below ``<body>`` (of every kind), in order; none without a body."""
        if self.body is None:
            return []
        return [node for node in self.body.descendants if isinstance(node, NavigableString)]

    @cached_property
    def visible_text(self) -> str:
        """The document's text as ``get_text`` gives it (no comments, styles or scripts), folded."""
        return fold(self.document.get_text(" "))

    @cached_property
    def right_to_left(self) -> bool:
        """Whether most letters of the body's text (the document's without a body) are of a
        right-to-left script (Arabic, Hebrew...): the Unicode bidi class of each letter, so an
        Arabic name in an English email does not make the email right to left, and an Arabic
        email with English product names stays right to left."""
        rtl = ltr = 0
        for string in self.body_strings if self.body is not None else self.strings:
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
