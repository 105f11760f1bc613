"""``ignore`` entries: findings a team accepts on purpose, dropped the same way for every rule.

In a rule's options, in ``templates/_catalog.yaml`` or a template's metadata::

    rules:
      links:
        ignore:
          - {selector: ".preview a", reason: "the preview block's links are placeholders"}
          - {value: "#", reason: "in-page anchors of the table of contents"}

A ``selector`` drops a finding about an element (``Finding.node``) inside an element it matches;
a ``value`` drops a finding whose element or message holds it as a whole term. An entry narrows
one rule; switching the rule off (``links: false``) would hide everything else it finds too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bs4 import BeautifulSoup, Tag

from .base import Finding
from .options import IgnoreEntry

__all__ = ["drop_ignored", "value_pattern"]


def value_pattern(value: str) -> re.Pattern[str]:
    """``value`` as a whole term: not preceded or followed by a letter, digit, ``_`` or ``-``."""
    return re.compile(r"(?<![\w-])" + re.escape(value) + r"(?![\w-])")


def drop_ignored(findings: Iterable[Finding], entries: list[IgnoreEntry], document: BeautifulSoup) -> list[Finding]:
    """``findings`` without those an entry matches."""
    findings = list(findings)
    if not entries or not findings:
        return findings
    matchers = [_Matcher(entry, document) for entry in entries]
    return [f for f in findings if not any(m.matches(f) for m in matchers)]


class _Matcher:
    def __init__(self, entry: IgnoreEntry, document: BeautifulSoup) -> None:
        self.entry = entry
        self.document = document
        self.pattern = value_pattern(entry.value) if entry.value is not None else None
        self._selected: set[int] | None = None

    def matches(self, finding: Finding) -> bool:
        if self.pattern is not None and not (self.pattern.search(finding.element) or self.pattern.search(finding.message)):
            return False
        if self.entry.selector is not None:
            node = finding.node
            if not isinstance(node, Tag):
                return False  # a finding about the text part, the subject, a measurement: no element to place
            if self._selected is None:  # selected once per case, and only when a finding has an element
                self._selected = {id(element) for element in self.document.select(self.entry.selector)}
            return id(node) in self._selected or any(id(parent) in self._selected for parent in node.parents)
        return True
