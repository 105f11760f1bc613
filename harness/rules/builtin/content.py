"""Content rules: ``no-leftovers``, ``subject``, ``text-part``, ``size``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..base import Finding, RuleContext, rules
from ...fixtures import leaf_strings
from ._text import describe, fold, visible_text

_LEFTOVERS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\[object Object\]|(?<!\w)(?:None|undefined|null|nan|NaN)(?!\w)")


def _without_fixture_data(text: str, ctx: RuleContext) -> str:
    """A fixture may hold template syntax on purpose (``{{ 7*7 }}`` as a name): shown literally,
    that is correct output, so the fixture's own values are taken out before looking."""
    values = leaf_strings(ctx.fixture.data)
    values |= {word for value in values for word in value.split()}  # parts such as the first name
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, " ")
    return text


def leftovers_in(text: str, ctx: RuleContext) -> list[str]:
    return sorted({m.group(0) for m in _LEFTOVERS.finditer(_without_fixture_data(text, ctx))})


@rules.register("no-leftovers")
def no_leftovers(ctx: RuleContext) -> Iterator[Finding]:
    """No unrendered template syntax, ``None``/``undefined``/``nan``/``[object Object]``, and no
    empty ``[data-field]`` element (a required value that rendered empty)."""
    hrefs = " ".join(str(a.get("href", "")) for a in ctx.document.find_all("a"))
    for place, text in {"subject": ctx.email.subject, "HTML": visible_text(ctx.document), "link": hrefs, "text part": ctx.email.text}.items():
        for leftover in leftovers_in(text, ctx):
            yield ctx.error(f"{leftover!r} in the {place}", element=place, expected="rendered values only")
    for element in ctx.document.find_all(attrs={"data-field": True}):
        if not fold(element.get_text()):
            yield ctx.error("required value is empty", element=describe(element), expected="a value")


@rules.register("subject")
def subject(ctx: RuleContext) -> Iterator[Finding]:
    """Options: ``max_length`` (90): longer subjects are cut by most inboxes. Also wants a preheader
    (``<mj-preview>``), the grey line inboxes show after the subject."""
    text = ctx.email.subject
    if not text.strip():
        yield ctx.error("subject is empty", element="subject", expected="a subject (metadata subject: or <mj-title>)")
    max_length = int(ctx.options.get("max_length", 90))
    if len(text) > max_length:
        yield ctx.warning(f"subject is {len(text)} characters long", element="subject", expected=f"at most {max_length}")
    for leftover in leftovers_in(text, ctx):
        yield ctx.error(f"{leftover!r} in the subject", element="subject", expected="rendered values only")
    body = ctx.document.body
    first = body.find("div") if body else None
    hidden = first is not None and "display:none" in str(first.get("style", "")).replace(" ", "")
    if not hidden or not fold(first.get_text()):
        yield ctx.warning("no preheader", element="body > div:first-child", expected="<mj-preview> text")


@rules.register("text-part")
def text_part(ctx: RuleContext) -> Iterator[Finding]:
    """The plain-text part exists and carries the key facts of the HTML: every ``[data-field]``
    value (order id, amounts...) and every https link."""
    text = fold(ctx.email.text)
    if not text:
        yield ctx.error("plain-text part is empty", element="text part", expected="the email's content as text")
        return
    for element in ctx.document.find_all(attrs={"data-field": True}):
        for line in element.stripped_strings:  # an address spans lines: check each
            value = fold(line)
            if value and value not in text:
                yield ctx.error(f"{value!r} is in the HTML but not in the text part", element=describe(element), expected="the same value in the text part")
    for a in ctx.document.find_all("a", href=True):
        href = str(a["href"])
        if href.startswith("https://") and href not in ctx.email.text:
            yield ctx.error(f"link {href} is missing from the text part", element=describe(a), expected="every link also in the text part")


@rules.register("size")
def size(ctx: RuleContext) -> Iterator[Finding]:
    """Options: ``limit_kb`` (102): Gmail clips HTML above ~102 KB, hiding the rest of the email."""
    limit = float(ctx.options.get("limit_kb", 102)) * 1024
    actual = len(ctx.email.html.encode("utf-8"))
    if actual > limit:
        yield ctx.error(f"HTML is {actual / 1024:.1f} KB; Gmail clips it", element="HTML", expected=f"under {limit / 1024:.0f} KB")
    elif actual > 0.9 * limit:
        yield ctx.warning(f"HTML is {actual / 1024:.1f} KB, close to Gmail's clipping limit", element="HTML", expected=f"under {limit / 1024:.0f} KB")
