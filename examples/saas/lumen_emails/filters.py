"""Lumen's template filters: amounts and rates in the email's locale, cards by their last four digits."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_percent
from jinja2 import pass_context
from jinja2.runtime import Context

from harness import filters

from .models import PaymentMethod


@filters.register("currency")
@pass_context
def currency(ctx: Context, amount: Decimal | int | float, code: str) -> str:
    """``{{ invoice.total | currency(invoice.currency) }}``: ``$49.00`` in English, ``49,00 €`` in
    German. The locale is the email's (``locale`` in the template context), not the server's."""
    return format_currency(Decimal(str(amount)), code, locale=ctx["locale"])


@filters.register("percent")
@pass_context
def percent(ctx: Context, rate: Decimal | float) -> str:
    """``{{ invoice.tax_rate | percent }}``: ``0.2`` -> ``20%`` in English, ``19 %`` in German."""
    return format_percent(Decimal(str(rate)), locale=ctx["locale"])


@filters.register("card")
def card(method: PaymentMethod) -> str:
    """``{{ account.payment_method | card }}`` -> ``Visa •••• 4242``: never more than the last four."""
    return f"{method.brand} •••• {method.last4}"
