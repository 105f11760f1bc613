"""Content rules: ``subject``, ``text-part``, ``size``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, NavigableString
from pydantic import Field

from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ._text import describe, fold
from .leftovers import leftovers_in


class SubjectOptions(RuleOptions):
    max_length: int = Field(90, ge=1)
    """Characters; a longer subject is a warning (most inboxes cut it)."""


@rules.register("subject", options=SubjectOptions)
def subject(ctx: RuleContext) -> Iterator[Finding]:
    """The subject is present, short enough and fully rendered; a preheader (``<mj-preview>``)
    gives the grey line inboxes show after it."""
    text = ctx.email.subject
    if not text.strip():
        yield ctx.error("subject is empty", element="subject", expected="a subject (metadata subject: or <mj-title>)")
    max_length = int(ctx.options.get("max_length", 90))
    if len(text) > max_length:
        yield ctx.warning(f"subject is {len(text)} characters long", element="subject", expected=f"at most {max_length}")
    for leftover in leftovers_in(text, ctx):
        yield ctx.error(f"{leftover!r} in the subject", element="subject", expected="rendered values only")
    if not preheader(ctx.document):
        yield ctx.warning("no preheader", element="the start of <body>", expected="a hidden preheader (<mj-preview>, or a hidden <span>/<div> first in the body)")


#: Inline styles that hide an element from the reader but not from the inbox's preview line.
_HIDING = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all|opacity\s*:\s*0(?![.\d])|max-height\s*:\s*0(?![.\d])", re.I)


def preheader(document: BeautifulSoup) -> str:
    """The preview text inboxes show after the subject: the text of a hidden element among the
    first elements of the body (MJML's <mj-preview>, the common hidden <span> or <div>)."""
    body = document.body
    if body is None:
        return ""
    for element in body.find_all(True, limit=15):
        if _HIDING.search(str(element.get("style", ""))) and (text := fold(element.get_text(" "))):
            return text
    return ""


@rules.register("text-part", options=RuleOptions)
def text_part(ctx: RuleContext) -> Iterator[Finding]:
    """The plain-text part exists and says what the HTML says: every ``[data-field]`` value,
    every number, amount, date and code the reader sees (a word with a digit in it), and every
    https link."""
    text = fold(ctx.email.text)
    if not text:
        yield ctx.error("plain-text part is empty", element="text part", expected="the email's content as text")
        return
    for token in sorted(_facts(_reader_text(ctx.document)) - _facts(text)):
        if token not in text:
            yield ctx.error(f"{token!r} is in the HTML but not in the text part", element="text part",
                            expected="every number, amount, date and code of the HTML also in the text part")
    for element in ctx.document.find_all(attrs={"data-field": True}):
        for line in element.stripped_strings:  # an address spans lines: check each
            value = fold(line)
            if value and value not in text:
                yield ctx.error(f"{value!r} is in the HTML but not in the text part", element=describe(element), expected="the same value in the text part",
                                node=element)
    for a in ctx.document.find_all("a", href=True):
        href = str(a["href"])
        if href.startswith("https://") and href not in ctx.email.text:
            yield ctx.error(f"link {href} is missing from the text part", element=describe(a), expected="every link also in the text part", node=a)


def _facts(text: str) -> set[str]:
    """The words with a digit in them: amounts, dates, times, order and tracking numbers, codes.
    Split on white space, not matched with a regular expression: a 100 KB word made one
    backtrack for minutes."""
    return {word.strip(".,;:!?()[]<>\"'«»") for word in text.split() if any(c.isdigit() for c in word)} - {""}


def _reader_text(document: BeautifulSoup) -> str:
    """The text a reader sees in the body: without hidden elements (the preheader shows in the
    inbox, not in the email), styles and scripts."""
    body = document.body
    if body is None:
        return ""
    parts = []
    for string in body.find_all(string=True):
        parent = string.parent
        if type(string) is not NavigableString or parent is None or parent.name in ("style", "script") or any(
            _HIDING.search(str(p.get("style", ""))) for p in string.parents if getattr(p, "get", None)
        ):
            continue
        parts.append(str(string))
    return fold(" ".join(parts))


class SizeOptions(RuleOptions):
    limit_kb: float = Field(102, gt=0)
    """Gmail clips HTML above ~102 KB, hiding the rest of the email: above it an error, above 90%
    of it a warning."""


@rules.register("size", options=SizeOptions)
def size(ctx: RuleContext) -> Iterator[Finding]:
    """The HTML stays under Gmail's clipping limit."""
    limit = float(ctx.options.get("limit_kb", 102)) * 1024
    actual = len(ctx.email.html.encode("utf-8"))
    if actual > limit:
        yield ctx.error(f"HTML is {actual / 1024:.1f} KB; Gmail clips it", element="HTML", expected=f"under {limit / 1024:.0f} KB")
    elif actual > 0.9 * limit:
        yield ctx.warning(f"HTML is {actual / 1024:.1f} KB, close to Gmail's clipping limit", element="HTML", expected=f"under {limit / 1024:.0f} KB")
