"""The shop's template filters: prices in the account's locale, gift-card codes masked."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from jinja2 import pass_context
from jinja2.runtime import Context

from harness import filters


@filters.register("money")
@pass_context
def money(ctx: Context, amount: Decimal | float | int, currency: str) -> str:
    """``{{ order.total | money(order.currency) }}`` -> ``€ 12,50`` in Italian."""
    return format_currency(Decimal(str(amount)), currency, locale=ctx["locale"])


@filters.register("mask")
def mask(code: str, visible: int = 4) -> str:
    """``ABCD-EFGH-1234`` -> ``•••• •••• 1234``: a gift-card code is never shown in full."""
    return "•••• •••• " + code[-visible:]
