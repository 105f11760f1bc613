"""``no-leftovers``: nothing of the template machinery reaches the reader.

Unrendered template syntax, a placeholder (``[[FirstName]]``, ``*|FNAME|*``, ``%%name%%``,
``[FIRST_NAME]``, ``[order.id]``, ``[Product Name]``), a value that rendered as
``None``/``null``/``undefined``/``NaN`` or ``[object Object]``, or an empty ``[data-field]``, in
the subject, the HTML, its links and the text part. Merge tags of a syntax the template declares
(``merge_tags:``, or every syntax with ``language: none``) are the email service's to fill: they
are reported as one note, never as an error.

Words in single brackets are ordinary copy ("[Acme] Reset your password", "[Important] Reply
STOP"): a bracket is a placeholder only when it holds a field name (``[first_name]``,
``[FIRST_NAME]``, ``[order.id]``: words joined by ``_`` or ``.``), names a field of a fixture
(``[First Name]`` where a fixture has ``first_name``; case and separators aside), or is a
fill-me-in phrase ending in a slot noun (``[Product Name]``, ``[Sender Name]``, ``[email
address]``, ``[Company Name, LLC]``: how Postmark's templates mark copy to replace).

This rule owns leftovers in the subject too: ``subject`` checks the subject's presence, length and
preheader, so one ``ignore`` entry here covers a leftover wherever it is.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from bs4 import NavigableString, Tag

from ...fixtures import leaf_strings, leaf_values
from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ._memo import memo
from ._text import describe, fold, fold_name

__all__ = ["MERGE_TAGS", "leftovers_in"]

#: Merge-tag syntaxes of email services and template languages, by the name templates declare.
MERGE_TAGS = {
    # The space after a sigil is matched only after one: two \s* around an optional sigil would
    # try every split of a long run of spaces (quadratic).
    "handlebars": re.compile(r"\{\{\{?\s*(?:[#/^>!&]\s*)?[\w.@-]+(?:\s[^{}]*)?\}?\}\}"),  # {{FirstName}}, {{#each items}}
    "mailchimp": re.compile(r"\*\|[A-Za-z0-9_:]+\|\*"),  # *|FNAME|*
    "brackets": re.compile(r"\[\[[^\[\]\n]{1,60}\]\]"),  # [[FirstName]]
    "percent": re.compile(r"%%[A-Za-z0-9_.:-]{1,60}%%"),  # %%firstname%%
}
#: What each syntax's match begins with: a text without it is not searched (a search tries the
#: pattern at every position; ``in`` is one pass in C).
_OPENINGS = {"handlebars": "{{", "mailchimp": "*|", "brackets": "[[", "percent": "%%"}
#: Jinja syntax and JavaScript's object dump.
_ALWAYS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\[object Object\]")
#: Text in single brackets, not a Markdown link (``[Link](x)``): a candidate placeholder, kept by
#: :func:`_is_placeholder`. Not looked for in a derived text part, where an image's alt text is
#: written in brackets too.
_BRACKETED = re.compile(r"(?<!\[)\[([^\[\]\n]{1,60})\](?![\](])")
#: A field name: words joined by ``_`` or ``.`` (``first_name``, ``FIRST_NAME``, ``order.id``),
#: perhaps inside a sigil of a home-made syntax (``[#site_name#]``, ``[%first_name%]``).
_FIELD_NAME = re.compile(r"[#%$@:{]*[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*[#%$@:}]*")
#: The last word of a fill-me-in phrase ("[Product Name]", "[Your email address]"); not "date" or
#: "link", which end bracketed copy too ("[Save the date]", "[New link]").
_SLOT_NOUNS = frozenset({"name", "email", "e-mail", "address", "number", "id", "url", "phone", "amount"})
_PHRASE = re.compile(r"[A-Za-z-]+(?: [A-Za-z-]+){0,4}")
#: Values that rendered as nothing: only where a value stands alone (a whole text node, a
#: ``[data-field]``, after "label:"), never the word "null" in a sentence about it.
_EMPTY_WORD = re.compile(r"^(?:None|null|undefined|NaN|nan)$|(?::|=)\s*(?:None|null|undefined|NaN|nan)(?!\w)")
#: A text whose folded form holds none of those words cannot hold one after its fixture values
#: are blanked (blanking only turns letters into spaces): the blanking is skipped for it.
_MAY_BE_EMPTY = re.compile(r"None|null|undefined|NaN|nan")


def _without_fixture_data(text: str, ctx: RuleContext) -> str:
    """A fixture may hold template syntax on purpose (``{{ 7*7 }}`` as a name): shown literally,
    that is correct output, so the fixture's own values are taken out before looking. Each is
    blanked with as many spaces, so a leftover found after keeps its place in ``text``."""
    for value in _fixture_values(ctx):
        if value in text:
            text = text.replace(value, " " * len(value))
    return text


def _fixture_values(ctx: RuleContext) -> tuple[str, ...]:
    """The fixture's string values and their words, longest first: computed once per run and
    fixture, not once per text node (``no-leftovers`` strips every node of the page)."""
    return memo("leftovers-values", (ctx.fixture.data,), lambda: _values_of(ctx.fixture.data))


def _values_of(data: object) -> tuple[str, ...]:
    values = leaf_strings(data)
    values |= {word for value in values for word in value.split()}  # parts such as the first name
    return tuple(sorted(values, key=len, reverse=True))


def _field_names(ctx: RuleContext) -> frozenset[str]:
    """Folded names of the fields of every fixture (``first_name`` -> ``firstname``): each key and
    each run of keys of a path (``order.id``, ``id``, ``account.order.id``), as a placeholder may
    name them. Computed once per run: every case of a run has the same fixtures, in another order."""
    return _of_the_fixtures(ctx)[0]


def _of_the_fixtures(ctx: RuleContext) -> tuple[frozenset[str], dict[str, bool]]:
    """:func:`_field_names`, and the verdicts of :func:`_is_placeholder` so far, which depend on
    the text and those names only: a run's emails repeat the same few bracketed texts (Outlook's
    ``[if mso | IE]`` in every MJML email), judged once per run rather than once per occurrence."""
    if "_field_names" not in ctx.__dict__:  # asked once per bracketed text: the memo's key is not free
        every = tuple(sorted((f.data for f in (ctx.fixture, *ctx.others)), key=id))
        ctx.__dict__["_field_names"] = memo(
            "leftovers-field-names", every, lambda: (frozenset().union(*(_names_of(data) for data in every)), {}))
    return ctx.__dict__["_field_names"]


def _names_of(data: object) -> frozenset[str]:
    """:func:`_field_names` of one fixture's data."""
    return memo("leftovers-names-of", (data,), lambda: frozenset(_name_runs(data)))


def _name_runs(data: object) -> Iterator[str]:
    for path, _ in leaf_values(data):
        keys = ["account", *path.split(".")]
        # Every run that holds a key of the data: "account" alone is a word of copy.
        for j in range(2, len(keys) + 1):
            for i in range(j):
                if len(name := fold_name("".join(keys[i:j]))) >= 2:
                    yield name


#: Verdicts kept per fixture set: a hostile email's thousands of distinct bracketed texts must
#: not grow the memo without end.
_VERDICTS = 4096


def _is_placeholder(inner: str, ctx: RuleContext) -> bool:
    """Whether the text between single brackets is a placeholder rather than copy."""
    names, verdicts = _of_the_fixtures(ctx)
    if inner not in verdicts:
        if len(verdicts) >= _VERDICTS:
            verdicts.clear()
        verdicts[inner] = _judged_placeholder(inner, names)
    return verdicts[inner]


def _judged_placeholder(inner: str, field_names: frozenset[str]) -> bool:
    inner = inner.strip()
    if _FIELD_NAME.fullmatch(inner) and re.search(r"\w[_.]\w", inner):
        return True
    if fold_name(inner) in field_names:
        return True
    phrase = inner.split(",")[0].strip()  # "Company Name, LLC"
    return bool(_PHRASE.fullmatch(phrase)) and phrase.rsplit(" ", 1)[-1].casefold() in _SLOT_NOUNS


def _placeholder_spans(text: str, ctx: RuleContext) -> set[tuple[int, int, str]]:
    verdicts = _of_the_fixtures(ctx)[1]  # looked up here first: an email repeats its bracketed texts
    spans = set()
    for m in _BRACKETED.finditer(text):
        verdict = verdicts.get(m.group(1))
        if verdict or (verdict is None and _is_placeholder(m.group(1), ctx)):
            spans.add((m.start(), m.end(), m.group(0)))
    return spans


def _declared(ctx: RuleContext) -> list[re.Pattern[str]]:
    return [MERGE_TAGS[name] for name in ctx.template.merge_tags if name in MERGE_TAGS]


def merge_tags_in(text: str, ctx: RuleContext) -> list[str]:
    return sorted({m.group(0) for pattern in _declared(ctx) for m in pattern.finditer(text)})


def leftovers_in(text: str, ctx: RuleContext, *, fragments: list[str] | None = None, placeholders: bool = True) -> list[str]:
    """Leftovers in ``text`` (declared merge tags aside); ``fragments`` are stand-alone values
    (text nodes, data fields) checked for values that rendered as ``None`` and the like."""
    found = {leftover for _, _, leftover in _spans(_without_fixture_data(text, ctx), ctx, placeholders=placeholders)}
    for fragment in [text, *(fragments or [])]:
        if _MAY_BE_EMPTY.search(fold(fragment)):  # folded: bidi isolates inside a word are dropped
            found.update(_empty_words(_without_fixture_data(fragment, ctx)))
    return sorted(found)


def _spans(text: str, ctx: RuleContext, *, placeholders: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, leftover) in ``text``, fixture values already blanked: each leftover once, by
    its longest match (``{{ customer.first_name }}``, not also its ``{{`` and ``}}``)."""
    for pattern in _declared(ctx):
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    searched = [pattern for name, pattern in MERGE_TAGS.items() if _OPENINGS.get(name, "") in text]
    if "{" in text or "}" in text or "[object Object]" in text:  # every match of _ALWAYS holds one
        searched.append(_ALWAYS)
    spans = {(m.start(), m.end(), m.group(0)) for pattern in searched for m in pattern.finditer(text)}
    if placeholders and "[" in text:
        spans |= _placeholder_spans(text, ctx)
    # "label: None" where a value stands after its label; the label is not part of the leftover.
    if _MAY_BE_EMPTY.search(text):
        spans |= {(m.end() - len(word), m.end(), word) for m in _EMPTY_WORD.finditer(text)
                  if (word := m.group(0).lstrip(":= ")) and not m.group(0).startswith(word)}
    # By start, longest first: a span is covered when one before it reaches as far (a sweep, not
    # every pair: a hostile email holds thousands of braces).
    kept, reach = [], -1
    for span in sorted(spans, key=lambda s: (s[0], -s[1])):
        if span[1] > reach:
            kept.append(span)
            reach = span[1]
    return kept


def _empty_words(fragment: str) -> set[str]:
    """Values that rendered as ``None`` and the like in a stand-alone value (a whole text node)."""
    return {m.group(0).lstrip(":= ") for m in _EMPTY_WORD.finditer(fold(fragment))}


def _reader_nodes(strings: list[NavigableString]) -> list[tuple[Tag, str]]:
    """(parent element, folded text) of every text node the reader reads of ``strings`` (the
    document's, in document order)."""
    nodes = []
    for string in strings:
        parent = string.parent
        if isinstance(string, NavigableString) and parent is not None and parent.name not in ("style", "script", "title", "[document]"):
            text = fold(str(string))
            if text:
                nodes.append((parent, text))
    return nodes


def _html_leftovers(nodes: list[tuple[Tag, str]], ctx: RuleContext) -> list[tuple[str, Tag]]:
    """(leftover, element): each leftover of the reader's text once per element that holds it,
    so an ``ignore`` entry by selector can drop it (``code`` for a tip that shows template syntax
    on purpose). A leftover split over elements (``[[<b>name</b>]]``) belongs to the innermost
    element holding all its parts."""
    starts, offset = [], 0
    for _, text in nodes:
        starts.append(offset)
        offset += len(text) + 1  # the joining space
    whole = " ".join(text for _, text in nodes)
    joined = _without_fixture_data(whole, ctx)
    found: dict[tuple[str, int], tuple[str, Tag]] = {}
    for start, end, leftover in _spans(joined, ctx):
        first, last = bisect_right(starts, start) - 1, bisect_right(starts, end - 1) - 1
        element = _common_ancestor([parent for parent, _ in nodes[first:last + 1]])
        found.setdefault((leftover, id(element)), (leftover, element))
    # A whole text node that is "None". Each node's text is part of ``whole``: without one of the
    # words there, none of the nodes holds one.
    for parent, text in nodes if _MAY_BE_EMPTY.search(whole) else ():
        for leftover in _empty_words(_without_fixture_data(text, ctx)) if _MAY_BE_EMPTY.search(text) else ():  # text: folded
            found.setdefault((leftover, id(parent)), (leftover, parent))
    return sorted(found.values(), key=lambda pair: pair[0])


def _common_ancestor(elements: list[Tag]) -> Tag:
    """The innermost element holding every one of ``elements`` (itself when there is one)."""
    first, others = elements[0], elements[1:]
    for candidate in (first, *first.parents):
        if all(e is candidate or any(p is candidate for p in e.parents) for e in others):
            return candidate
    return first


@rules.register("no-leftovers", options=RuleOptions)
def no_leftovers(ctx: RuleContext) -> Iterator[Finding]:
    """Nothing of the template machinery reaches the reader: no unrendered syntax, placeholder,
    value rendered as ``None`` or empty ``[data-field]``; declared merge tags are one note."""
    facts = ctx._facts
    nodes = _reader_nodes(facts.strings)
    hrefs = " ".join(str(a.get("href", "")) for a in facts.named("a"))
    places = {
        "subject": (ctx.email.subject, [ctx.email.subject]),
        "HTML": (" ".join(text for _, text in nodes), []),
        "link": (hrefs, []),
        # Its lines are looked at one by one only where the whole text holds a "None" or the like
        # (folded, as leftovers_in reads them): a line is part of the text.
        "text part": (ctx.email.text, ctx.email.text.splitlines() if _MAY_BE_EMPTY.search(fold(ctx.email.text)) else []),
    }
    left_for_the_service: set[str] = set()
    for place, (text, fragments) in places.items():
        left_for_the_service.update(merge_tags_in(text, ctx))
        if place == "HTML":  # by element, so that a selector in an ignore entry can place them
            for leftover, element in _html_leftovers(nodes, ctx):
                yield ctx.error(f"{leftover!r} in the HTML", element=describe(element), expected="rendered values only", node=element)
            continue
        derived = place == "text part" and ctx.email.written_text is None
        for leftover in leftovers_in(text, ctx, fragments=fragments, placeholders=not derived):
            yield ctx.error(f"{leftover!r} in the {place}", element=place, expected="rendered values only")
    if left_for_the_service:
        shown = ", ".join(sorted(left_for_the_service)[:8]) + (" ..." if len(left_for_the_service) > 8 else "")
        yield ctx.note(f"merge tags left for the email service to fill: {shown}", element="whole email",
                       expected=f"declared syntaxes: {', '.join(ctx.template.merge_tags)}")
    for element in facts.having("data-field"):
        if not fold(element.get_text()):
            yield ctx.error("required value is empty", element=describe(element), expected="a value", node=element)
