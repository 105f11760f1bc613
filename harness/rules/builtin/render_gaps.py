"""What the render left empty without saying so: ``empty-list`` and ``missing-value``.

Both read what the render recorded (:mod:`harness.render.recording`), not the HTML: an empty item
table and a greeting without a name look like ordinary markup once rendered.

``empty-list``: a Jinja ``{% for %}`` over a value ran zero times, and the template has no
``{% else %}`` for it and does not test the value (``{% if order.gift_cards %}``): the author did
not plan for an empty list, yet the email was sent (a gift-card confirmation for an order with no
gift card in it). A template that means it lists the loops::

    rules:
      empty-list: {allow: ["order.coupons"]}

``missing-value``: a team renderer's template (Mustache, Handlebars, Django) printed a key that no
scope has, which those languages render as nothing ("Hi ,"). Jinja templates fail on it already.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from pydantic import Field, ValidationInfo, field_validator

from ..base import Finding, RuleContext, rules
from ..options import RuleOptions, template_sources


#: A value as the findings name it: ``order.coupons``, ``account["orders"]``, ``account.orders[1].sku``.
_VALUE = re.compile(r"[A-Za-z_@][\w-]*(?:\.[\w-]+|\[[^\]]+\])*")
#: A printed key as ``missing-value`` names it: ``account.first_name``, ``account.invoices[].currency``.
_KEY = re.compile(r"[A-Za-z_@][\w@-]*(?:\[\])*(?:\.[\w@-]+(?:\[\])*)*")
#: A list index in a recorded key: ``account.invoices[0].currency``.
_INDEX = re.compile(r"\[\s*\d+\s*\]")


def _values(entries: list[str]) -> list[str]:
    """Each entry names a value the way a finding does, or the option says how to write it (an
    entry that can match nothing must not pass silently)."""
    for entry in entries:
        if not _VALUE.fullmatch(entry.strip()):
            raise ValueError(f"{entry!r} is not a value as findings name it; write e.g. 'order.coupons' "
                             f"(the value itself: no {{% %}}, filters or spaces)")
    return [entry.strip() for entry in entries]


def _did_you_mean(entry: str, known: list[str]) -> str:
    close = difflib.get_close_matches(entry, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class EmptyListOptions(RuleOptions):
    allow: list[str] = Field(default_factory=list, examples=[["order.coupons"]])
    """Loops that may run empty, by the value they walk as the finding names it
    (``order.coupons`` for ``{% for coupon in order.coupons|sort %}``)."""

    @field_validator("allow")
    @classmethod
    def _loops(cls, entries: list[str], info: ValidationInfo) -> list[str]:
        entries = _values(entries)
        sources = template_sources(info)
        if sources is not None and entries:  # the templates are read only for entries to check
            loops = sorted({value.replace('"', "'") for value in sources.loop_values})
            for entry in entries:
                if entry.replace('"', "'") not in loops:
                    hint = _did_you_mean(entry, loops) or (f" (loops: {', '.join(loops[:8])}{' ...' if len(loops) > 8 else ''})"
                                                           if loops else " (the templates have no {% for %})")
                    raise ValueError(f"{entry!r} is the value of no template's {{% for %}}{hint}")
        return [entry.replace('"', "'") for entry in entries]


def allow_entry(key: str) -> str:
    """A recorded key as ``missing-value``'s ``allow`` takes it: list indices as ``[]``, as field
    paths write them (``account.invoices[0].currency`` -> ``account.invoices[].currency``)."""
    return _INDEX.sub("[]", key)


class MissingValueOptions(RuleOptions):
    allow: list[str] = Field(default_factory=list, examples=[["account.nickname"]])
    """Keys that may be printed missing, as the finding names them, lists marked ``[]``
    (``account.nickname``, ``account.invoices[].currency``)."""

    @field_validator("allow")
    @classmethod
    def _keys(cls, entries: list[str], info: ValidationInfo) -> list[str]:
        entries = [entry.strip() for entry in entries]
        for entry in entries:
            if not _KEY.fullmatch(entry):
                fixed = allow_entry(entry)
                hint = f"; did you mean {fixed!r}? (a list is marked with '[]', any item)" if fixed != entry and _KEY.fullmatch(fixed) else ""
                raise ValueError(f"{entry!r} is not a key as findings name it{hint}; write e.g. 'account.nickname'")
        sources = template_sources(info)
        if sources is not None:
            for entry in entries:
                names = entry.replace("[]", "").split(".")
                unknown = next((name for name in names if name not in sources.words), None)
                if unknown is not None:
                    close = difflib.get_close_matches(unknown, sorted(sources.words), n=1, cutoff=0.6)
                    fixed = ".".join(close[0] + part[len(unknown):] if part.replace("[]", "") == unknown else part
                                     for part in entry.split(".")) if close else ""
                    hint = f"; did you mean {fixed!r}?" if fixed else ""
                    raise ValueError(f"{entry!r} is no key the templates print: no template writes {unknown!r}{hint}")
        return entries


@rules.register("empty-list", options=EmptyListOptions)
def empty_list(ctx: RuleContext) -> Iterator[Finding]:
    """A sent email in which a ``{% for %}`` over a value ran zero times with no ``{% else %}``."""
    if not ctx.email.sent:
        return
    allowed = set(ctx.options.get("allow", []))
    for loop in ctx.email.empty_loops:
        if loop.expression.replace('"', "'") in allowed:
            continue
        yield ctx.error(
            f"{loop.tag} ran 0 times ({loop.expression} is empty) and has no {{% else %}}",
            element=f"{loop.file}:{loop.line}",
            expected=(f"items in {loop.expression}, a send guard that stops the email without them, "
                      f"or {{% else %}} / {{% if {loop.expression} %}} for a list that may be empty "
                      f"(or rules: {{empty-list: {{allow: [\"{loop.expression}\"]}}}})"),
        )


@rules.register("missing-value", options=MissingValueOptions)
def missing_value(ctx: RuleContext) -> Iterator[Finding]:
    """A team renderer's template printed a key that no scope resolves."""
    if not ctx.email.sent:
        return
    allowed = set(ctx.options.get("allow", []))
    file = ctx.template.source_path.name
    for missing in ctx.email.missing_values:
        entry = allow_entry(missing.key)
        if entry in allowed:
            continue
        yield ctx.error(
            f"{file} prints {missing.key!r}, which no scope has: it rendered as nothing",
            element=missing.key,
            expected=(f"{missing.key} in the fixture or the context (a typo in the template?), or the template testing it "
                      f"before printing it (or rules: {{missing-value: {{allow: [\"{entry}\"]}}}})"),
        )
