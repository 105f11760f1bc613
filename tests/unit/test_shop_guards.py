"""The shop's send guards (``shop/guards.py``): which account gets which email. Each runs on a
``shop.models.Account`` and the fixed clock, and returns the template's values or ``NotSent``."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from harness import NotSent, guards
from shop import guards as shop_guards
from shop.models import Account, GiftCard, Incident, LineItem, Order, Refund, Shipment, SignIn

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
MUG = LineItem(sku="MUG-1", name="Mug", quantity=1, unit_price=Decimal("12.50"))
CARD = GiftCard(brand="Google Play", amount=Decimal("25"), code="GPLY-7Q2M-XK4P-9RT3")
SHIPMENT = Shipment(carrier="Royal Mail", tracking_number="RM1", shipped_at=NOW - timedelta(days=2), expected_at=date(2026, 11, 3))


def order(id: str = "NW-1", status: str = "placed", *, days_ago: int = 1, **fields) -> Order:
    fields.setdefault("line_items", [MUG])
    return Order(id=id, placed_at=NOW - timedelta(days=days_ago), status=status, currency="GBP", **fields)


def account(*, created_days_ago: float = 400, **fields) -> Account:
    return Account(id="en-ada", locale="en", name="Ada Lovelace", email="ada@example.org", created_at=NOW - timedelta(days=created_days_ago), **fields)


def guard(name: str, who: Account):
    return guards.get(name)(who, NOW)


def test_the_shop_registers_its_guards_under_the_names_templates_use():
    for name in ("order", "gift_card_order", "shipped_order", "delayed_order", "refunded_order", "sign_in", "password_reset", "incident", "new_account"):
        assert guards.get(name) is getattr(shop_guards, name)


# -- order -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["placed", "shipped", "delivered"])
def test_an_order_with_items_gets_the_order_email(status):
    placed = order(status=status)
    assert guard("order", account(orders=[placed])) == {"order": placed}


@pytest.mark.parametrize("status", ["cancelled", "refunded"])
def test_a_cancelled_or_refunded_order_gets_no_order_email(status):
    assert guard("order", account(orders=[order(status=status)])) == NotSent("account has no order")


def test_a_gift_card_only_order_is_not_an_order_with_items():
    assert guard("order", account(orders=[order(line_items=[], gift_cards=[CARD])])) == NotSent("account has no order")


def test_no_orders_no_order_email():
    assert guard("order", account()) == NotSent("account has no order")


def test_the_latest_qualifying_order_is_the_one_shown():
    older, newer, newest_cancelled = order("NW-1", days_ago=5), order("NW-2", days_ago=2), order("NW-3", "cancelled", days_ago=1)
    assert guard("order", account(orders=[newer, older, newest_cancelled])) == {"order": newer}
    assert guard("order", account(orders=[older, newer])) == {"order": newer}


# -- gift cards ------------------------------------------------------------------------------


def test_a_gift_card_order_gets_the_gift_card_confirmation():
    bought = order(line_items=[], gift_cards=[CARD])
    assert guard("gift_card_order", account(orders=[bought])) == {"order": bought}


@pytest.mark.parametrize("status", ["cancelled", "refunded"])
def test_a_cancelled_or_refunded_gift_card_order_gets_no_confirmation(status):
    assert guard("gift_card_order", account(orders=[order(status=status, gift_cards=[CARD])])) == NotSent("account has no gift card order")


@pytest.mark.parametrize("status", ["placed", "shipped", "delivered"])
def test_a_live_gift_card_order_in_any_other_status_is_confirmed(status):
    bought = order(status=status, gift_cards=[CARD])
    assert guard("gift_card_order", account(orders=[bought])) == {"order": bought}


def test_an_order_without_gift_cards_gets_no_gift_card_confirmation():
    """The weekend incident: "thanks for your gift card purchase" to accounts that bought none."""
    assert guard("gift_card_order", account(orders=[order()])) == NotSent("account has no gift card order")
    assert guard("gift_card_order", account()) == NotSent("account has no gift card order")


def test_the_latest_live_gift_card_order_is_confirmed():
    old, new, refunded = (order("NW-1", days_ago=9, gift_cards=[CARD]), order("NW-2", days_ago=3, gift_cards=[CARD]),
                          order("NW-3", "refunded", days_ago=1, gift_cards=[CARD]))
    assert guard("gift_card_order", account(orders=[old, refunded, new])) == {"order": new}


# -- shipping, delays, refunds ---------------------------------------------------------------


def test_a_shipped_order_with_a_shipment_gets_the_shipping_notice():
    shipped = order(status="shipped", shipment=SHIPMENT)
    assert guard("shipped_order", account(orders=[shipped])) == {"order": shipped, "shipment": SHIPMENT}


def test_a_delivered_order_with_a_shipment_gets_no_shipping_notice():
    assert guard("shipped_order", account(orders=[order(status="delivered", shipment=SHIPMENT)])) == NotSent("account has no shipped order")


def test_a_shipped_order_without_shipment_gets_no_shipping_notice():
    assert guard("shipped_order", account(orders=[order(status="shipped")])) == NotSent("account has no shipped order")


def test_the_latest_shipped_order_is_noticed():
    first = order("NW-1", "shipped", days_ago=6, shipment=SHIPMENT)
    second = order("NW-2", "shipped", days_ago=2, shipment=SHIPMENT)
    assert guard("shipped_order", account(orders=[second, first]))["order"] is second


def test_only_a_delayed_shipment_gets_the_delay_notice():
    late = SHIPMENT.model_copy(update={"delayed_to": date(2026, 11, 9)})
    delayed = order(status="shipped", shipment=late)
    assert guard("delayed_order", account(orders=[delayed, order("NW-2", "shipped", days_ago=0, shipment=SHIPMENT)])) == {"order": delayed, "shipment": late}
    assert guard("delayed_order", account(orders=[order(status="shipped", shipment=SHIPMENT), order("NW-3")])) == NotSent("account has no delayed order")


def test_only_a_refunded_order_gets_the_refund_email():
    refund = Refund(amount=Decimal("12.50"), refunded_at=NOW)
    refunded = order(status="refunded", refund=refund)
    assert guard("refunded_order", account(orders=[order("NW-0", days_ago=0), refunded])) == {"order": refunded, "refund": refund}
    assert guard("refunded_order", account(orders=[order(status="refunded")])) == NotSent("account has no refunded order")


# -- account events --------------------------------------------------------------------------


def test_the_latest_sign_in_is_the_one_alerted():
    old = SignIn(at=NOW - timedelta(days=3), device="Firefox", location="Leeds", ip="192.0.2.1")
    new = SignIn(at=NOW - timedelta(hours=1), device="Safari", location="Paris", ip="192.0.2.9")
    assert guard("sign_in", account(sign_ins=[new, old])) == {"sign_in": new}
    assert guard("sign_in", account(sign_ins=[old, new])) == {"sign_in": new}
    assert guard("sign_in", account()) == NotSent("account has no sign in")


def test_a_password_reset_is_sent_only_when_requested():
    at = NOW - timedelta(minutes=5)
    assert guard("password_reset", account(password_reset_requested_at=at)) == {"requested_at": at}
    assert guard("password_reset", account()) == NotSent("account has no password reset")


def test_the_latest_incident_is_the_one_notified():
    first, last = Incident(id="INC-1", exposed_data=["email"]), Incident(id="INC-2", exposed_data=["name"])
    assert guard("incident", account(incidents=[first, last])) == {"incident": last}
    assert guard("incident", account()) == NotSent("account has no incident")


@pytest.mark.parametrize(("days", "sent"), [(0, True), (6, True), (7, True), (7.001, False), (8, False), (30, False)])
def test_the_welcome_email_goes_to_accounts_at_most_seven_days_old(days, sent):
    expected = {} if sent else NotSent("account has no new account")
    assert guard("new_account", account(created_days_ago=days)) == expected


def test_the_last_of_several_incidents_is_the_one_notified():
    incidents = [Incident(id=f"INC-{n}", exposed_data=["email"]) for n in range(1, 4)]
    assert guard("incident", account(incidents=incidents)) == {"incident": incidents[-1]}
