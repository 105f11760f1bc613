"""The render pipeline: Jinja2 -> MJML -> HTML, subject, text, per locale, deterministic."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from harness.cases import Case


def test_order_confirmation_shows_items_totals_and_address(render):
    email = render("order_confirmation", "en-one-order")
    assert email.outcome == "sent"
    assert email.subject == "Order confirmed: NW-100231"
    doc = BeautifulSoup(email.html, "html.parser")
    assert doc.select_one("[data-field=order-id]").get_text() == "NW-100231"
    assert doc.select_one("[data-field=total]").get_text() == "£35.19"  # 2 x 12.50 + 6.20 + 3.99
    assert "12 Rowan Close" in doc.select_one("[data-field=address]").get_text()
    assert "Stoneware mug" in email.text and "£35.19" in email.text


@pytest.mark.parametrize(
    ("fixture", "subject"),
    [
        ("en-gift-card-google-play", "Your gift card purchase, order NW-100266"),
        ("it-gift-card-mastercard", "Il tuo acquisto di carte regalo, ordine NW-100199"),
        ("de-gift-card-hotels", "Ihr Geschenkkartenkauf, Bestellung NW-100250"),
    ],
)
def test_gift_card_confirmation_in_each_locale(render, bundled, fixture, subject):
    email = render("gift_card_confirmation", fixture)
    assert email.subject == subject
    codes = [card.code for order in bundled.fixtures.fixtures[fixture].data.orders for card in order.gift_cards]
    assert codes  # each of these accounts bought gift cards: their own codes are what must stay hidden
    shown = [cell.get_text() for cell in BeautifulSoup(email.html, "html.parser").select("[data-field=gift-card-code]")]
    assert shown == [f"•••• •••• {code[-4:]}" for code in codes]  # masked in the HTML...
    for code in codes:
        assert f"•••• •••• {code[-4:]}" in email.text  # ...and in the text part
        assert code not in email.html and code not in email.text and code not in email.subject  # never in full


def test_money_and_dates_follow_the_locale(render):
    it = render("gift_card_confirmation", "it-gift-card-mastercard")
    de = render("gift_card_confirmation", "de-gift-card-hotels")
    visible = lambda email: BeautifulSoup(email.html, "html.parser").get_text()  # noqa: E731
    assert "100,00\xa0€" in visible(it) and "28 ottobre 2026" in it.text
    assert "200,00\xa0€" in visible(de) and "30. Oktober 2026" in de.text


@pytest.mark.parametrize("fixture", ["en-no-orders", "it-no-orders", "en-new-account", "de-minimal"])
def test_purchase_confirmations_are_not_sent_to_accounts_without_orders(render, fixture):
    for template in ("order_confirmation", "gift_card_confirmation"):
        email = render(template, fixture)
        assert email.outcome == "not sent"
        assert email.reason.startswith("account has no")
        assert email.html == ""


def test_inline_styles_are_inlined(render):
    """<mj-style inline="inline"> rules end up in style attributes, as mail clients need."""
    email = render("order_confirmation", "en-one-order")
    amount = BeautifulSoup(email.html, "html.parser").select_one("[data-field=total]")
    assert "font-weight: bold" in amount["style"]


def test_text_template_is_used_where_there_is_one(render):
    email = render("password_reset", "en-new-account")
    assert email.text.startswith("Reset your password\n\nHello Fatima,")
    assert "https://shop.example.com/reset?token=" in email.text


def test_bare_mjml_is_a_static_template_with_its_title_as_subject(bundled):
    template = bundled.catalog.templates["service_update"]
    assert template.is_static
    email = bundled.render(Case("service_update", "en-one-order"))
    assert email.subject == "Our customer service hours over the holidays"


def test_rendering_is_deterministic(bundled):
    """Fixed clock and seeded tokens: two renders are identical, tokens differ per account."""
    first = bundled.render(Case("password_reset", "en-new-account"))
    again = bundled.render(Case("password_reset", "en-new-account"))
    other = bundled.render(Case("password_reset", "de-minimal"))
    assert first == again
    token = lambda e: e.text.split("token=")[1].split()[0]  # noqa: E731
    assert token(first) != token(other)


def test_locale_falls_back_to_the_templates_first_locale(bundled):
    template = bundled.catalog.templates["order_confirmation"]
    assert template.locale_for("de") == "de"
    assert template.locale_for("de_AT") == "de"
    assert template.locale_for("fr") == "en"


def test_subject_cannot_inject_headers(sandbox):
    sandbox.edit("fixtures/en-new-account.yaml", "name: Fatima Okafor", 'name: "Fatima\\r\\nBcc: all@example.com"')
    sandbox.edit("templates/welcome.yaml", 'subject: "{{ t.subject }}"', 'subject: "{{ t.subject }}, {{ account.name }}"')
    email = sandbox.engine().render(Case("welcome", "en-new-account"))
    assert "\n" not in email.subject and "\r" not in email.subject
    assert email.subject == "Welcome to Northwind Shop, Fatima Bcc: all@example.com"
