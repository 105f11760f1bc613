"""Headers declared once (issue 28 item 1): the catalog's ``message:`` for every template, a
template's own over it, values templated like the subject and folded to one line."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from harness.cases import Case
from harness.errors import CatalogError

from .project import MessageProject


def headers(data: bytes) -> dict[str, str]:
    parsed = message_from_bytes(data, policy=policy.default)
    return {name: str(value) for name, value in parsed.items()}


def test_the_catalog_declares_them_once_for_every_template(shop: MessageProject) -> None:
    got = headers(shop.mime("order[de-jo]"))
    assert got["From"] == "Nörthwind Shop <orders@shop.example.com>"
    assert got["Reply-To"] == "help@shop.example.com"
    assert got["To"] == "Jürgen Müller <jm@example.net>"  # to: email (the default), to_name: name
    assert got["Subject"] == "Grüße Jürgen Müller: Ihre Bestellung NW-1234"
    assert got["Date"] == "Sun, 01 Nov 2026 09:00:00 +0000"  # the project's fixed clock
    assert len(got["X-Entity-Ref-ID"]) == 24  # token('ref'): templated in the case's context


def test_a_template_overrides_fields_and_adds_headers(shop: MessageProject) -> None:
    shop.write("templates/order.yaml", shop.root.joinpath("templates/order.yaml").read_text() + """\
message:
  from: "Northwind Billing <billing@shop.example.com>"
  kind: bulk
  headers:
    List-Unsubscribe: "<https://shop.example.com/unsubscribe/{{ token('u') }}>"
    X-Entity-Ref-ID: ""
""")
    got = headers(shop.mime())
    assert got["From"] == "Northwind Billing <billing@shop.example.com>"
    assert got["Reply-To"] == "help@shop.example.com"  # the catalog's, not overridden
    assert got["List-Unsubscribe"].startswith("<https://shop.example.com/unsubscribe/")
    assert "X-Entity-Ref-ID" not in got  # "" drops the catalog's header


def test_a_newline_in_a_fixture_value_cannot_add_a_header(shop: MessageProject) -> None:
    shop.write("fixtures/en-ada.yaml", 'name: "Ada\\r\\nBcc: victim@example.org"\nemail: ada@example.net\n')
    data = shop.mime()
    got = headers(data)
    assert "Bcc" not in got
    assert got["To"] == '"Ada Bcc: victim@example.org" <ada@example.net>'
    assert got["Subject"].startswith("Grüße Ada Bcc: victim@example.org:")


@pytest.mark.parametrize(("entry", "expected"), [
    ("headers: {Subject: x}", "'Subject' is written by the harness"),
    ("headers: {'X Bad': x}", "'X Bad' is not a header name"),
    ("to: 'orders[0].email'", "is not a fixture field path"),
    ("kind: newsletter", "kind"),
])
def test_a_wrong_message_setting_names_the_file_and_field(shop: MessageProject, entry: str, expected: str) -> None:
    shop.write("templates/order.yaml", f"subject: s\nmessage:\n  {entry}\n")
    with shop.engine() as engine:
        with pytest.raises(CatalogError) as raised:
            engine.render(Case.parse("order[en-ada]"))
    assert "order.yaml" in str(raised.value) and "message" in str(raised.value) and expected in str(raised.value)


def test_without_message_settings_no_message_is_built(shop: MessageProject) -> None:
    shop.write("templates/_catalog.yaml", "default_locale: en\n")
    with shop.engine() as engine:
        email = engine.render(Case.parse("order[en-ada]"))
    assert email.sent and email.message_spec is None and email.mime is None
