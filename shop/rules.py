"""``order-id``: a purchase email shows an order id of the recipient's own, and never goes to an
account without an order (the gift-card incident)."""

from __future__ import annotations

from collections.abc import Iterator

from harness import Finding, RuleContext, rules

from .models import Account


def fold(text: str) -> str:
    return " ".join(text.split())


@rules.register("order-id")
def order_id(ctx: RuleContext) -> Iterator[Finding]:
    """Options: ``selector`` (default ``[data-field=order-id]``): where the order id is shown."""
    selector = ctx.options.get("selector", "[data-field=order-id]")
    account: Account = ctx.account
    own = {o.id for o in account.orders}
    if not own:
        yield ctx.error(
            "sent to an account that has no order at all",
            element=f"subject: {ctx.email.subject!r}",
            expected="outcome 'not sent' (add the order requirement to the template's requires:)",
        )
        return
    shown = [fold(el.get_text()) for el in ctx.document.select(selector)]
    if not shown:
        yield ctx.error("no order id shown", element=selector, expected=f"one of the account's orders: {sorted(own)}")
    for value in shown:
        if value not in own:
            yield ctx.error(
                f"order id {value!r} does not belong to the recipient",
                element=selector,
                expected=f"one of {sorted(own)}",
            )
