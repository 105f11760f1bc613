"""Content rules: ``subject``, ``text-part``, ``size``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, NavigableString, Tag
from pydantic import Field

from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ..facts import EmailFacts
from ._memo import memo
from ._text import describe, fold


class SubjectOptions(RuleOptions):
    max_length: int = Field(90, ge=1)
    """Characters; a longer subject is a warning (most inboxes cut it)."""


@rules.register("subject", options=SubjectOptions)
def subject(ctx: RuleContext) -> Iterator[Finding]:
    """The subject is present and short enough; a preheader (``<mj-preview>``) gives the grey
    line inboxes show after it. Leftovers in the subject are ``no-leftovers``' to report (once,
    so one ``ignore`` entry there accepts one)."""
    text = ctx.email.subject
    if not text.strip():
        yield ctx.error("subject is empty", element="subject", expected="a subject (metadata subject: or <mj-title>)")
    max_length = int(ctx.options.get("max_length", 90))
    if len(text) > max_length:
        yield ctx.warning(f"subject is {len(text)} characters long", element="subject", expected=f"at most {max_length}")
    if not preheader(ctx.document, ctx._facts):
        # Without a hidden preheader, inboxes show the first text of the body: fine when it says
        # what the email is about ("Hello Ada, your order has shipped"), not when it is nothing
        # or a "view in browser" line.
        first = reader_text(ctx._facts, _styles(ctx))[:_PREVIEW_LENGTH]
        expected = "a hidden preheader (<mj-preview>, or a hidden <span>/<div> before the first visible text)"
        if not first:
            yield ctx.warning("no preheader, and no text at the start of the body", element="the start of <body>", expected=expected)
        elif _BOILERPLATE.search(first):
            yield ctx.warning(f"no preheader: inboxes show {first[:60]!r} after the subject", element="the start of <body>",
                              expected=f"{expected}, or a first line that says what the email is about")


#: Inline styles that hide an element from the reader but not from the inbox's preview line.
_HIDING = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all|opacity\s*:\s*0(?![.\d])|max-height\s*:\s*0(?![.\d])", re.I)


#: Characters of the body an inbox shows after the subject, about.
_PREVIEW_LENGTH = 90
#: First lines that say nothing about the email: what inboxes would show without a preheader.
_BOILERPLATE = re.compile(
    r"view (?:it |this (?:e-?mail |message )?)?(?:in (?:your |a )?browser|online)|web ?version|trouble (?:reading|viewing|seeing)"
    r"|(?:can[’']t|cannot|can not) see|not displaying|open in (?:your )?browser|im browser|online ansehen|webversion|nel browser|versione web",
    re.I,
)


def preheader(document: BeautifulSoup, facts: EmailFacts | None = None) -> str:
    """The preview text inboxes show after the subject: the text of a hidden element before the
    body's first line of visible text (MJML's <mj-preview>; the common hidden <span> or <div>,
    often after a logo and layout tables, or after a short "view in browser" line). ``facts``:
    the document's, shared by the rules of a case."""
    facts = facts or EmailFacts(document)
    body = facts.body
    if body is None:
        return ""
    visible = 0
    for string in facts.body_strings:
        # Comments, styles and scripts have string types of their own (Comment, Stylesheet, Script).
        if type(string) is not NavigableString or not string.strip():
            continue
        hidden = next((p for p in string.parents if p is not body and _HIDING.search(str(p.get("style", "")))), None)
        if hidden is not None:
            return fold(hidden.get_text(" "))
        visible += len(fold(string))
        if visible > _PREVIEW_LENGTH:
            break  # past the preview line: hidden text further down is something else
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
    for token in sorted(_facts(reader_text(ctx._facts, _styles(ctx))) - _facts(text)):
        if token not in text:
            yield ctx.error(f"{token!r} is in the HTML but not in the text part", element="text part",
                            expected="every number, amount, date and code of the HTML also in the text part")
    for element in ctx._facts.having("data-field"):
        for line in element.stripped_strings:  # an address spans lines: check each
            value = fold(line)
            if value and value not in text:
                yield ctx.error(f"{value!r} is in the HTML but not in the text part", element=describe(element), expected="the same value in the text part",
                                node=element)
    reported: set[str] = set()  # two anchors to one page (a button and its text link) are one missing link
    for a in ctx._facts.having("href"):
        if a.name != "a":
            continue
        href = str(a["href"])
        if href.startswith("https://") and href not in ctx.email.text and href not in reported:
            reported.add(href)
            yield ctx.error(f"link {href} is missing from the text part", element=describe(a), expected="every link also in the text part", node=a)


def _facts(text: str) -> set[str]:
    """The words with a digit in them: amounts, dates, times, order and tracking numbers, codes.
    Split on white space, not matched with a regular expression: a 100 KB word made one
    backtrack for minutes. (Never empty: only punctuation is stripped, and each has a digit.)"""
    return {word.strip(".,;:!?()[]<>\"'«»") for word in text.split() if any(map(str.isdigit, word))}


def reader_text(facts: EmailFacts, styles: dict[str, bool] | None = None) -> str:
    """The text a reader sees in the body: without hidden elements (the preheader shows in the
    inbox, not in the email), styles and scripts. Computed once per case (``subject`` and
    ``text-part`` both read it). ``styles``: whether a style attribute hides, by its text, kept
    from email to email (see :func:`_styles`)."""
    return facts.memo("reader text", lambda: _reader_text(facts, {} if styles is None else styles))


#: Style attributes judged per run and template, at most: a hostile email's distinct styles must
#: not grow it without end.
_STYLES = 4096


def _styles(ctx: RuleContext) -> dict[str, bool]:
    """Whether a style attribute hides, by its text: once per run and template, whose emails
    repeat the same few dozen styles (MJML's), rather than once per element of every email."""
    return memo("content-hiding-styles", (ctx.template,), dict)


def _reader_text(facts: EmailFacts, styles: dict[str, bool]) -> str:
    if facts.body is None:
        return ""
    parts = []
    hidden: dict[int, bool] = {}  # by element: each element's style read once, not once per string below it
    for string in facts.body_strings:
        # Comments, styles and scripts have string types of their own (Comment, Stylesheet, Script).
        if type(string) is not NavigableString or _hidden(string.parent, hidden, styles):
            continue
        parts.append(str(string))
    return fold(" ".join(parts))


def _hidden(element: Tag | None, known: dict[int, bool], styles: dict[str, bool]) -> bool:
    """Whether ``element`` or one of its parents has a hiding style, remembered in ``known`` (by
    element) and ``styles`` (by style)."""
    chain = []
    while element is not None and id(element) not in known:
        chain.append(element)
        element = element.parent
    hides = element is not None and known[id(element)]
    for tag in reversed(chain):  # from the outermost: an element is hidden when a parent is
        if not hides:
            style = str(tag.get("style", ""))
            if style not in styles:
                if len(styles) >= _STYLES:
                    styles.clear()
                styles[style] = bool(_HIDING.search(style))
            hides = styles[style]
        known[id(tag)] = hides
    return hides


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
