"""``no-leftovers``: nothing of the template machinery reaches the reader.

Unrendered template syntax, a placeholder (``[[FirstName]]``, ``*|FNAME|*``, ``%%name%%``,
``[Product Name]``), a value that rendered as ``None``/``null``/``undefined``/``NaN`` or
``[object Object]``, or an empty ``[data-field]``. Merge tags of a syntax the template declares
(``merge_tags:``, or every syntax with ``language: none``) are the email service's to fill: they
are reported as one note, never as an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import NavigableString

from ...fixtures import leaf_strings
from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ._text import describe, fold

__all__ = ["MERGE_TAGS", "leftovers_in"]

#: Merge-tag syntaxes of email services and template languages, by the name templates declare.
MERGE_TAGS = {
    "handlebars": re.compile(r"\{\{\{?\s*[#/^>!&]?\s*[\w.@-]+(?:\s[^{}]*)?\}?\}\}"),  # {{FirstName}}, {{#each items}}
    "mailchimp": re.compile(r"\*\|[A-Za-z0-9_:]+\|\*"),  # *|FNAME|*
    "brackets": re.compile(r"\[\[[^\[\]\n]{1,60}\]\]"),  # [[FirstName]]
    "percent": re.compile(r"%%[A-Za-z0-9_.:-]{1,60}%%"),  # %%firstname%%
}
#: Jinja syntax and JavaScript's object dump.
_ALWAYS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\[object Object\]")
#: A Title Case placeholder in brackets ("[Product Name]"). Not looked for in a derived text part,
#: where an image's alt text is written in brackets too.
_PLACEHOLDER = re.compile(r"(?<!\[)\[(?:[A-Z][a-z]+)(?: [A-Z][a-z]+){0,3}\](?![\](])")
#: Values that rendered as nothing: only where a value stands alone (a whole text node, a
#: ``[data-field]``, after "label:"), never the word "null" in a sentence about it.
_EMPTY_WORD = re.compile(r"^(?:None|null|undefined|NaN|nan)$|(?::|=)\s*(?:None|null|undefined|NaN|nan)(?!\w)")


def _without_fixture_data(text: str, ctx: RuleContext) -> str:
    """A fixture may hold template syntax on purpose (``{{ 7*7 }}`` as a name): shown literally,
    that is correct output, so the fixture's own values are taken out before looking."""
    for value in _fixture_values(ctx):
        text = text.replace(value, " ")
    return text


def _fixture_values(ctx: RuleContext) -> list[str]:
    """The fixture's string values and their words, longest first: computed once per rule run,
    not once per text node (``no-leftovers`` strips every node of the page)."""
    if "_fixture_values" not in ctx.__dict__:
        values = leaf_strings(ctx.fixture.data)
        values |= {word for value in values for word in value.split()}  # parts such as the first name
        ctx.__dict__["_fixture_values"] = sorted(values, key=len, reverse=True)
    return ctx.__dict__["_fixture_values"]


def _declared(ctx: RuleContext) -> list[re.Pattern[str]]:
    return [MERGE_TAGS[name] for name in ctx.template.merge_tags if name in MERGE_TAGS]


def merge_tags_in(text: str, ctx: RuleContext) -> list[str]:
    return sorted({m.group(0) for pattern in _declared(ctx) for m in pattern.finditer(text)})


def leftovers_in(text: str, ctx: RuleContext, *, fragments: list[str] | None = None, placeholders: bool = True) -> list[str]:
    """Leftovers in ``text`` (declared merge tags aside); ``fragments`` are stand-alone values
    (text nodes, data fields) checked for values that rendered as ``None`` and the like."""
    text = _without_fixture_data(text, ctx)
    for pattern in _declared(ctx):
        text = pattern.sub(" ", text)
    found = {m.group(0) for m in _ALWAYS.finditer(text)}
    if placeholders:
        found |= {m.group(0) for m in _PLACEHOLDER.finditer(text)}
    found |= {m.group(0) for name, pattern in MERGE_TAGS.items() for m in pattern.finditer(text)}
    for fragment in [text, *(fragments or [])]:
        found |= {m.group(0).lstrip(":= ") for m in _EMPTY_WORD.finditer(fold(fragment))}
    return sorted(found)


@rules.register("no-leftovers", options=RuleOptions)
def no_leftovers(ctx: RuleContext) -> Iterator[Finding]:
    """Nothing of the template machinery reaches the reader: no unrendered syntax, placeholder,
    value rendered as ``None`` or empty ``[data-field]``; declared merge tags are one note."""
    doc = ctx.document
    texts = [fold(str(s)) for s in doc.find_all(string=True) if isinstance(s, NavigableString)
             and s.parent is not None and s.parent.name not in ("style", "script", "title", "[document]")]
    html_text = " ".join(t for t in texts if t)
    hrefs = " ".join(str(a.get("href", "")) for a in doc.find_all("a"))
    places = {
        "subject": (ctx.email.subject, [ctx.email.subject]),
        "HTML": (html_text, texts),
        "link": (hrefs, []),
        "text part": (ctx.email.text, ctx.email.text.splitlines()),
    }
    left_for_the_service: set[str] = set()
    for place, (text, fragments) in places.items():
        left_for_the_service.update(merge_tags_in(text, ctx))
        derived = place == "text part" and ctx.email.written_text is None
        for leftover in leftovers_in(text, ctx, fragments=[_without_fixture_data(f, ctx) for f in fragments], placeholders=not derived):
            yield ctx.error(f"{leftover!r} in the {place}", element=place, expected="rendered values only")
    if left_for_the_service:
        shown = ", ".join(sorted(left_for_the_service)[:8]) + (" ..." if len(left_for_the_service) > 8 else "")
        yield ctx.note(f"merge tags left for the email service to fill: {shown}", element="whole email",
                       expected=f"declared syntaxes: {', '.join(ctx.template.merge_tags)}")
    for element in doc.find_all(attrs={"data-field": True}):
        if not fold(element.get_text()):
            yield ctx.error("required value is empty", element=describe(element), expected="a value", node=element)
