"""The shop's send guards: which account gets which email, in the shop's own terms.

Each guard returns the values it adds to the template context, or ``NotSent`` with the reason
recorded in the snapshot. ``gift_card_order`` is the one that stops the weekend incident: a
"thanks for your gift card purchase" email to accounts that bought no gift card.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from harness import NotSent, guards

from .models import Account, Order

Sent = dict[str, Any]


def _latest(orders: list[Order]) -> Order | None:
    return max(orders, key=lambda o: o.placed_at, default=None)


@guards.register("order")
def order(account: Account, now: datetime) -> Sent | NotSent:
    found = _latest([o for o in account.orders if o.status in ("placed", "shipped", "delivered") and o.line_items])
    return {"order": found} if found else NotSent("account has no order")


@guards.register("gift_card_order")
def gift_card_order(account: Account, now: datetime) -> Sent | NotSent:
    found = _latest([o for o in account.orders if o.gift_cards and o.status not in ("cancelled", "refunded")])
    return {"order": found} if found else NotSent("account has no gift card order")


@guards.register("shipped_order")
def shipped_order(account: Account, now: datetime) -> Sent | NotSent:
    found = _latest([o for o in account.orders if o.status == "shipped" and o.shipment])
    return {"order": found, "shipment": found.shipment} if found else NotSent("account has no shipped order")


@guards.register("delayed_order")
def delayed_order(account: Account, now: datetime) -> Sent | NotSent:
    found = _latest([o for o in account.orders if o.shipment and o.shipment.delayed_to])
    return {"order": found, "shipment": found.shipment} if found else NotSent("account has no delayed order")


@guards.register("refunded_order")
def refunded_order(account: Account, now: datetime) -> Sent | NotSent:
    found = _latest([o for o in account.orders if o.refund])
    return {"order": found, "refund": found.refund} if found else NotSent("account has no refunded order")


@guards.register("sign_in")
def sign_in(account: Account, now: datetime) -> Sent | NotSent:
    latest = max(account.sign_ins, key=lambda s: s.at, default=None)
    return {"sign_in": latest} if latest else NotSent("account has no sign in")


@guards.register("password_reset")
def password_reset(account: Account, now: datetime) -> Sent | NotSent:
    at = account.password_reset_requested_at
    return {"requested_at": at} if at else NotSent("account has no password reset")


@guards.register("incident")
def incident(account: Account, now: datetime) -> Sent | NotSent:
    return {"incident": account.incidents[-1]} if account.incidents else NotSent("account has no incident")


@guards.register("new_account")
def new_account(account: Account, now: datetime) -> Sent | NotSent:
    return {} if now - account.created_at <= timedelta(days=7) else NotSent("account has no new account")
