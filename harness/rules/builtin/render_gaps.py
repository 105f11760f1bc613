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

import re
from collections.abc import Iterator

from pydantic import Field, field_validator

from ..base import Finding, RuleContext, rules
from ..options import RuleOptions


#: A value as the findings name it: ``order.coupons``, ``account["orders"]``, ``account.orders[1].sku``.
_VALUE = re.compile(r"[A-Za-z_@][\w-]*(?:\.[\w-]+|\[[^\]]+\])*")


def _values(entries: list[str]) -> list[str]:
    """Each entry names a value the way a finding does, or the option says how to write it (an
    entry that can match nothing must not pass silently)."""
    for entry in entries:
        if not _VALUE.fullmatch(entry.strip()):
            raise ValueError(f"{entry!r} is not a value as findings name it; write e.g. 'order.coupons' "
                             f"(the value itself: no {{% %}}, filters or spaces)")
    return [entry.strip() for entry in entries]


class EmptyListOptions(RuleOptions):
    allow: list[str] = Field(default_factory=list, examples=[["order.coupons"]])
    """Loops that may run empty, by the value they walk as the finding names it
    (``order.coupons`` for ``{% for coupon in order.coupons|sort %}``)."""

    _allow = field_validator("allow")(_values)


class MissingValueOptions(RuleOptions):
    allow: list[str] = Field(default_factory=list, examples=[["account.nickname"]])
    """Keys that may be printed missing, as the finding names them (``account.nickname``)."""

    _allow = field_validator("allow")(_values)


@rules.register("empty-list", options=EmptyListOptions)
def empty_list(ctx: RuleContext) -> Iterator[Finding]:
    """A sent email in which a ``{% for %}`` over a value ran zero times with no ``{% else %}``."""
    if not ctx.email.sent:
        return
    allowed = set(ctx.options.get("allow", []))
    for loop in ctx.email.empty_loops:
        if loop.expression in allowed:
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
        if missing.key in allowed:
            continue
        yield ctx.error(
            f"{file} prints {missing.key!r}, which no scope has: it rendered as nothing",
            element=missing.key,
            expected=(f"{missing.key} in the fixture or the context (a typo in the template?), or the template testing it "
                      f"before printing it (or rules: {{missing-value: {{allow: [\"{missing.key}\"]}}}})"),
        )
