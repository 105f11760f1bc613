"""``belongs-to-recipient``: every id shown is the recipient's own; none shown, or a recipient with
none, is an error (the gift-card incident)."""

from __future__ import annotations

from harness.rules import Finding

from .build import check, email, fixture, page

ORDER_IDS = {"selector": "[data-field=order-id]", "path": "orders[].id"}
ADA = fixture("en-ada", orders=[{"id": "NW-1"}, {"id": "NW-2"}, {"id": None}])


def showing(*ids: str, subject: str = "Your order"):
    return email(page("".join(f'<p>Order <strong data-field="order-id">{i}</strong></p>' for i in ids)), subject=subject)


def test_the_recipients_own_ids_pass():
    assert check("belongs-to-recipient", showing("NW-1"), recipient=ADA, **ORDER_IDS) == []
    assert check("belongs-to-recipient", showing("NW-1", "NW-2"), recipient=ADA, **ORDER_IDS) == []


def test_white_space_in_a_shown_id_is_folded():
    mail = email(page('<strong data-field="order-id">\n   NW-1\n</strong>'))
    assert check("belongs-to-recipient", mail, recipient=ADA, **ORDER_IDS) == []


def test_another_customers_id_is_an_error():
    found = check("belongs-to-recipient", showing("NW-9"), recipient=ADA, **ORDER_IDS)
    assert found == [Finding("belongs-to-recipient", "error", "'NW-9' at [data-field=order-id] is not the recipient's orders[].id",
                             "[data-field=order-id]", "one of ['NW-1', 'NW-2']")]


def test_every_shown_id_is_checked_not_only_the_first():
    found = check("belongs-to-recipient", showing("NW-1", "NW-9"), recipient=ADA, **ORDER_IDS)
    assert [f.message for f in found] == ["'NW-9' at [data-field=order-id] is not the recipient's orders[].id"]


def test_an_email_showing_no_id_is_an_error():
    found = check("belongs-to-recipient", showing(), recipient=ADA, **ORDER_IDS)
    assert found == [Finding("belongs-to-recipient", "error", "no orders[].id shown", "[data-field=order-id]",
                             "one of the recipient's own: ['NW-1', 'NW-2']")]


def test_showing_none_is_allowed_when_not_required():
    assert check("belongs-to-recipient", showing(), recipient=ADA, required=False, **ORDER_IDS) == []
    assert check("belongs-to-recipient", showing("NW-9"), recipient=ADA, required=False, **ORDER_IDS) != []


def test_a_recipient_without_any_is_an_error_whatever_is_shown():
    nobody = fixture("en-nobody", orders=[])
    found = check("belongs-to-recipient", showing("NW-1", subject="Your gift card purchase"), recipient=nobody, **ORDER_IDS)
    assert found == [Finding("belongs-to-recipient", "error", "sent to a fixture without any orders[].id",
                             "subject: 'Your gift card purchase'", "outcome 'not sent' (a send guard under requires:)")]


def test_the_path_may_be_written_without_brackets():
    assert check("belongs-to-recipient", showing("NW-9"), recipient=ADA, selector="[data-field=order-id]", path="orders.id") != []
    assert check("belongs-to-recipient", showing("NW-2"), recipient=ADA, selector="[data-field=order-id]", path="orders.id") == []


def test_values_are_compared_as_text():
    numbered = fixture("en-num", invoices=[{"number": 1001}])
    mail = email(page('<span data-field="invoice">1001</span>'))
    assert check("belongs-to-recipient", mail, recipient=numbered, selector="[data-field=invoice]", path="invoices.number") == []


def test_the_expected_list_shows_at_most_five_ids():
    many = fixture("en-many", orders=[{"id": f"NW-{n}"} for n in range(1, 8)])
    found = check("belongs-to-recipient", showing("NW-99"), recipient=many, **ORDER_IDS)
    assert found[0].expected == "one of ['NW-1', 'NW-2', 'NW-3', 'NW-4', 'NW-5']"
    found = check("belongs-to-recipient", showing(), recipient=many, **ORDER_IDS)
    assert found[0].expected == "one of the recipient's own: ['NW-1', 'NW-2', 'NW-3', 'NW-4', 'NW-5']"


def test_selector_and_path_are_required_options():
    expected = Finding("belongs-to-recipient", "error", "belongs-to-recipient needs the options selector and path", "rules:",
                       'e.g. {selector: "[data-field=order-id]", path: "orders[].id"}')
    assert check("belongs-to-recipient", showing("NW-1"), recipient=ADA, path="orders[].id") == [expected]
    assert check("belongs-to-recipient", showing("NW-1"), recipient=ADA, selector="[data-field=order-id]") == [expected]


def test_an_id_in_pretty_printed_markup_is_read_as_its_text():
    mail = email(page('<strong data-field="order-id">\n  <span>NW-1</span>\n</strong>'))
    assert check("belongs-to-recipient", mail, recipient=ADA, **ORDER_IDS) == []


def test_a_value_isolated_by_the_bdi_filter_is_still_the_recipients():
    """The bdi filter's invisible isolates (U+2068 ... U+2069) are no part of the value read."""
    mail = email(page('<p><span data-field="order-id" dir="auto">\u2068NW-1\u2069</span></p>'))
    assert check("belongs-to-recipient", mail, recipient=fixture("en-ada", orders=[{"id": "NW-1"}]),
                 selector="[data-field=order-id]", path="orders[].id") == []
