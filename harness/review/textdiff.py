"""Word-level differences between two versions of a text, for people and for grouping.

:func:`word_diff` gives the hunks a designer reads (each changed line before and after, the words
that differ marked); :func:`edits` gives the same differences as ``(removed, added)`` word runs,
which :func:`mask` turns into a fixture-independent identity of the edit, so one template edit
seen in many cases is recognised as one change.

Lines are compared first (fast on long HTML), words only inside changed blocks; a block too big to
compare word by word counts as removed and added whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import takewhile
from difflib import SequenceMatcher
from typing import Literal

from ..fixtures.placeholders import mask  # shared with accepted findings; re-exported for change groups

__all__ = ["Hunk", "Row", "Segment", "edits", "first_edit", "mask", "word_diff"]

#: Words, runs of punctuation and runs of white space; joined back they give the text unchanged.
TOKEN = re.compile(r"\w+|[^\w\s]|\s+")
#: Blocks with more tokens than this on a side are not compared word by word.
MAX_BLOCK_TOKENS = 4000

Op = Literal["=", "-", "+"]


@dataclass(frozen=True)
class Segment:
    """A run of one line: unchanged (``=``), removed (``-``) or added (``+``)."""

    op: Op
    text: str


@dataclass(frozen=True)
class Row:
    """One line of a hunk: context (``ctx``), the line before (``del``) or after (``add``)."""

    kind: Literal["ctx", "del", "add"]
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


Hunk = list[Row]


def _tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def _line_opcodes(a: list[str], b: list[str], context: int) -> list[list[tuple[str, int, int, int, int]]]:
    return list(SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context))


def _word_opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    if len(a) > MAX_BLOCK_TOKENS or len(b) > MAX_BLOCK_TOKENS:
        return [("replace", 0, len(a), 0, len(b))]
    return SequenceMatcher(lambda t: t.isspace(), a, b, autojunk=False).get_opcodes()


def _rows(kind: Literal["del", "add"], segments: Iterable[Segment]) -> list[Row]:
    """Split segments at line ends into rows."""
    rows: list[list[Segment]] = [[]]
    for segment in segments:
        parts = segment.text.split("\n")
        for i, part in enumerate(parts):
            if i:
                rows.append([])
            if part:
                rows[-1].append(Segment(segment.op, part))
    return [Row(kind, tuple(r)) for r in rows]


def _replace(before: list[str], after: list[str]) -> list[Row]:
    a, b = _tokens("\n".join(before)), _tokens("\n".join(after))
    old: list[Segment] = []
    new: list[Segment] = []
    for tag, i1, i2, j1, j2 in _word_opcodes(a, b):
        if tag == "equal":
            old.append(Segment("=", "".join(a[i1:i2])))
            new.append(Segment("=", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            old.append(Segment("-", "".join(a[i1:i2])))
        if j2 > j1:
            new.append(Segment("+", "".join(b[j1:j2])))
    return _rows("del", old) + _rows("add", new)


def word_diff(before: str, after: str, *, context: int = 1) -> list[Hunk]:
    """Hunks of changed lines with ``context`` unchanged lines around them; a changed line is
    shown before and after, its changed words marked."""
    a, b = before.splitlines(), after.splitlines()
    hunks: list[Hunk] = []
    for group in _line_opcodes(a, b, context):
        rows: list[Row] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [Row("ctx", (Segment("=", line),)) for line in a[i1:i2]]
            elif tag == "delete":
                rows += [Row("del", (Segment("-", line),)) for line in a[i1:i2]]
            elif tag == "insert":
                rows += [Row("add", (Segment("+", line),)) for line in b[j1:j2]]
            else:
                rows += _replace(a[i1:i2], b[j1:j2])
        hunks.append(rows)
    return hunks


def _words(tokens: Iterable[str]) -> str:
    return " ".join("".join(tokens).split())


def edits(before: str, after: str) -> list[tuple[str, str]]:
    """The differences as ``(removed words, added words)``, white space folded: the same
    template edit gives the same list in every case it shows in."""
    a, b = before.splitlines(), after.splitlines()
    found: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        old, new = _tokens("\n".join(a[i1:i2])), _tokens("\n".join(b[j1:j2]))
        for wtag, x1, x2, y1, y2 in _word_opcodes(old, new):
            if wtag != "equal":
                edit = (_words(old[x1:x2]), _words(new[y1:y2]))
                if edit != ("", ""):
                    found.append(edit)
    return found


def first_edit(before: str, after: str, *, words: int = 3) -> tuple[str, str] | None:
    """The first difference with up to ``words`` unchanged words around it, before and after
    (``Help centre`` -> ``Help center``), for a one-line title."""
    for hunk in word_diff(before, after, context=0):
        rows = {row.kind: row for row in reversed(hunk) if row.kind != "ctx"}
        old, new = rows.get("del"), rows.get("add")
        return _around(old, "-", words), _around(new, "+", words)
    return None


def _plain(word: str) -> bool:
    """A word worth quoting as context (not a URL or an address)."""
    return len(word) < 30 and "://" not in word and "@" not in word


def _around(row: Row | None, op: str, words: int) -> str:
    if row is None:
        return ""
    segments = list(row.segments)
    marked = [i for i, s in enumerate(segments) if s.op == op]
    if not marked:
        return row.text.strip()
    pre = "".join(s.text for s in segments[: marked[0]])
    mid = "".join(s.text for s in segments[marked[0] : marked[-1] + 1])
    post = "".join(s.text for s in segments[marked[-1] + 1 :])
    left = list(takewhile(_plain, reversed(pre.split()[-words:])))[::-1] if words else []
    right = list(takewhile(_plain, post.split()[:words])) if words else []
    text = " ".join(left) + (" " if pre[-1:].isspace() else "") + mid + (" " if post[:1].isspace() else "") + " ".join(right)
    return " ".join(text.split())
