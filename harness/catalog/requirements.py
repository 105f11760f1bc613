"""What a template needs from an account to be sent at all.

A template lists requirement names under ``requires:``. Each requirement looks at the account and
either returns the values it adds to the template context (e.g. ``order``) or ``None``: then the
template is **not sent** to that account, an explicit outcome recorded like any other. This is
what stops a purchase confirmation from going to an account that bought nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..fixtures.schema import Account, Order

__all__ = ["REQUIREMENTS", "Requirement", "check_requirements"]

Requirement = Callable[[Account, datetime], dict[str, Any] | None]


def _latest(orders: list[Order]) -> Order | None:
    return max(orders, key=lambda o: o.placed_at, default=None)


def _order(account: Account, now: datetime) -> dict[str, Any] | None:
    order = _latest([o for o in account.orders if o.status in ("placed", "shipped", "delivered") and o.line_items])
    return {"order": order} if order else None


def _gift_card_order(account: Account, now: datetime) -> dict[str, Any] | None:
    order = _latest([o for o in account.orders if o.gift_cards and o.status not in ("cancelled", "refunded")])
    return {"order": order} if order else None


def _shipped_order(account: Account, now: datetime) -> dict[str, Any] | None:
    order = _latest([o for o in account.orders if o.status == "shipped" and o.shipment])
    return {"order": order, "shipment": order.shipment} if order else None


def _delayed_order(account: Account, now: datetime) -> dict[str, Any] | None:
    order = _latest([o for o in account.orders if o.shipment and o.shipment.delayed_to])
    return {"order": order, "shipment": order.shipment} if order else None


def _refunded_order(account: Account, now: datetime) -> dict[str, Any] | None:
    order = _latest([o for o in account.orders if o.refund])
    return {"order": order, "refund": order.refund} if order else None


def _sign_in(account: Account, now: datetime) -> dict[str, Any] | None:
    sign_in = max(account.sign_ins, key=lambda s: s.at, default=None)
    return {"sign_in": sign_in} if sign_in else None


def _password_reset(account: Account, now: datetime) -> dict[str, Any] | None:
    at = account.password_reset_requested_at
    return {"requested_at": at} if at else None


def _incident(account: Account, now: datetime) -> dict[str, Any] | None:
    return {"incident": account.incidents[-1]} if account.incidents else None


def _new_account(account: Account, now: datetime) -> dict[str, Any] | None:
    return {} if now - account.created_at <= timedelta(days=7) else None


#: Requirement name -> check. Add one here (with a test) when a template needs new data.
REQUIREMENTS: dict[str, Requirement] = {
    "order": _order,
    "gift_card_order": _gift_card_order,
    "shipped_order": _shipped_order,
    "delayed_order": _delayed_order,
    "refunded_order": _refunded_order,
    "sign_in": _sign_in,
    "password_reset": _password_reset,
    "incident": _incident,
    "new_account": _new_account,
}


def check_requirements(names: list[str], account: Account, now: datetime) -> tuple[dict[str, Any], str | None]:
    """The context the requirements add, and the reason the email is not sent (``None``: sent)."""
    context: dict[str, Any] = {}
    for name in names:
        added = REQUIREMENTS[name](account, now)
        if added is None:
            return {}, f"account has no {name.replace('_', ' ')}"
        context.update(added)
    return context, None
