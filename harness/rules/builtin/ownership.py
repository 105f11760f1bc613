"""``belongs-to-recipient``: every value shown in a place is one of the recipient's own, and an
email of that kind is never sent to someone who has none (the gift-card incident: a purchase
confirmation sent to accounts that bought nothing).

Configured per template, in the team's terms::

    rules:
      belongs-to-recipient: {selector: "[data-field=invoice-number]", path: "invoices[].number"}
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from ...fixtures import leaf_values
from ..base import Finding, RuleContext, rules
from ..options import CssSelector, FieldPath, RuleOptions
from ..paths import strip_lists
from ._memo import memo
from ._text import fold


class BelongsToRecipientOptions(RuleOptions):
    selector: CssSelector = Field(examples=["[data-field=invoice-number]"])
    """Where the email shows the values (a CSS selector)."""
    path: FieldPath = Field(examples=["invoices[].number"])
    """The fixture field holding the recipient's own values (``invoices[].number``)."""
    required: bool = True
    """An email that shows none of them is an error."""


@rules.register("belongs-to-recipient", options=BelongsToRecipientOptions)
def belongs_to_recipient(ctx: RuleContext) -> Iterator[Finding]:
    """Every value shown at ``selector`` is one of the recipient's own at ``path``; an email
    showing none, or sent to a fixture that has none, is an error (the gift-card incident)."""
    selector, path = ctx.options.get("selector"), strip_lists(str(ctx.options.get("path", "")))
    if not selector or not path:
        yield ctx.error("belongs-to-recipient needs the options selector and path", element="rules:",
                        expected='e.g. {selector: "[data-field=order-id]", path: "orders[].id"}')
        return
    # Once per run and fixture: reading fixture data (a model dumped) costs more than the check.
    own = memo(f"belongs-to-recipient-own {path}", (ctx.fixture.data,),
               lambda: sorted({fold(str(value)) for at, value in leaf_values(ctx.fixture.data) if at == path and value is not None}))
    # Findings name the field as the option is written ("invoices[].number"), the one spelling
    # the option check accepts, also where the option was given without "[]".
    named = _spelling(str(ctx.options["path"]), ctx)
    if not own:
        yield ctx.error(f"sent to a fixture without any {named}", element=f"subject: {ctx.email.subject!r}",
                        expected="outcome 'not sent' (a send guard under requires:)")
        return
    shown = [(fold(element.get_text(" ")), element) for element in ctx.document.select(selector)]
    if not shown and ctx.options.get("required", True):
        yield ctx.error(f"no {named} shown", element=selector, expected=f"one of the recipient's own: {own[:5]}")
    for value, element in shown:
        if value not in own:
            yield ctx.error(f"{value!r} at {selector} is not the recipient's {named}", element=selector, expected=f"one of {own[:5]}", node=element)


def _spelling(written: str, ctx: RuleContext) -> str:
    """The option's path in the path syntax of rule options: as written when it marks lists
    (``orders[].id``), else as a fixture's data spells it (``orders.id`` -> ``orders[].id``)."""
    if "[]" not in written:
        every = (ctx.fixture.data, *(fixture.data for fixture in ctx.others))
        return memo(f"belongs-to-recipient-spelling {written}", every, lambda: _spelt(written, every))
    return written


def _spelt(written: str, every: tuple[object, ...]) -> str:
    """``written`` as the first of the fixtures' data ``every`` that has it spells it."""
    for data in every:
        for at, _ in leaf_values(data, lists="[]"):
            if strip_lists(at) == written:
                return at
    return written
