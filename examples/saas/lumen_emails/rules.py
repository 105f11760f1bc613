"""``invoice-number``: a billing email shows an invoice number of the recipient's own, and never
goes to an account that has no invoice at all."""

from __future__ import annotations

from collections.abc import Iterator

from harness import Finding, RuleContext, rules
from harness.rules import CssSelector, RuleOptions

from .models import Account


def _fold(text: str) -> str:
    return " ".join(text.split())


class InvoiceNumberOptions(RuleOptions):
    selector: CssSelector = "[data-field=invoice-number]"
    """Where the email shows the invoice number."""


@rules.register("invoice-number", options=InvoiceNumberOptions)
def invoice_number(ctx: RuleContext) -> Iterator[Finding]:
    """A billing email shows an invoice number of the recipient's own, also in the subject."""
    selector = ctx.options["selector"]
    account: Account = ctx.account
    own = sorted(invoice.number for invoice in account.invoices)
    if not own:
        yield ctx.error(
            "billing email sent to an account without any invoice",
            element=f"subject: {ctx.email.subject!r}",
            expected="outcome 'not sent' (require an invoice guard in the template's requires:)",
        )
        return
    shown = [_fold(element.get_text()) for element in ctx.document.select(selector)]
    if not shown:
        yield ctx.error("no invoice number shown", element=selector, expected=f"one of the account's invoices: {own}")
    for value in shown:
        if value not in own:
            yield ctx.error(f"invoice number {value!r} is not one of the recipient's", element=selector, expected=f"one of {own}")
    # The number in the subject line, too: it is what customers search their inbox for.
    if shown and not any(number in ctx.email.subject for number in shown):
        yield ctx.warning("the invoice number shown is not in the subject", element="subject", expected=f"{shown[0]} in the subject")
