"""The ``message`` rule (issue 28 item 5), shown firing on each broken property of a message:
a header missing, a bad address, a sender outside the sending domains, bulk mail without
one-click unsubscribe, a 1,200-character line, the HTML part over Gmail's clipping size as
encoded, no text part; and the text part drifting from the HTML (``text-part``)."""

from __future__ import annotations

from dataclasses import replace

from harness.cases import Case
from harness.rules import Finding, RuleContext, run_rules

from .project import MessageProject

RULES = "rules:\n  message: {}\n  text-part: {}\n"


def found(shop: MessageProject, case_id: str = "order[en-ada]", **options: object) -> list[Finding]:
    path = shop.root / "templates/_catalog.yaml"
    if "rules:" not in path.read_text():
        path.write_text(path.read_text() + RULES)
    result = shop.check(case_id)
    return [f for f in result.findings if f.rule in ("message", "text-part")]


def test_a_well_made_message_has_no_findings(shop: MessageProject) -> None:
    assert found(shop) == []


def test_a_missing_header_is_named(shop: MessageProject) -> None:
    shop.write("fixtures/en-ada.yaml", 'name: "Ada Lovelace"\nlocale: en\n')  # no email: no To
    (finding,) = found(shop)
    assert (finding.severity, finding.element, finding.message) == ("error", "header To", "the message has no To header")


def test_a_bad_address_is_named_with_its_header(shop: MessageProject) -> None:
    shop.write("fixtures/en-ada.yaml", 'name: "Ada Lovelace"\nemail: "ada@@example..net"\nlocale: en\n')
    findings = found(shop)
    assert [f.element for f in findings] == ["header To"]
    assert "'ada@@example..net'" in findings[0].message or "holds no address" in findings[0].message


def test_a_reply_to_without_a_domain_is_named(shop: MessageProject) -> None:
    shop.edit("templates/_catalog.yaml", "reply_to: help@shop.example.com", "reply_to: help")
    (finding,) = found(shop)
    assert finding.element == "header Reply-To" and "'help' is not valid" in finding.message


def test_a_sender_outside_the_sending_domains(shop: MessageProject) -> None:
    shop.write("templates/order.yaml", shop.root.joinpath("templates/order.yaml").read_text() + "message:\n  from: promo@shop-deals.example\n")
    (finding,) = found(shop)
    assert finding.element == "header From" and "'shop-deals.example' is not one of the catalog's sending domains" in finding.message
    assert "['shop.example.com']" in finding.expected  # default: the catalog's own From domain


def test_bulk_mail_needs_one_click_unsubscribe(shop: MessageProject) -> None:
    meta = shop.root / "templates/order.yaml"
    meta.write_text(meta.read_text() + "message:\n  kind: bulk\n")
    assert [f.element for f in found(shop)] == ["header List-Unsubscribe", "header List-Unsubscribe-Post"]
    meta.write_text(meta.read_text() + "  headers:\n    List-Unsubscribe: \"<https://shop.example.com/u/{{ token('u') }}>\"\n"
                    "    List-Unsubscribe-Post: List-Unsubscribe=One-Click\n")
    assert found(shop) == []


def test_a_1200_character_line_sent_as_8bit(shop: MessageProject) -> None:
    shop.edit("templates/_catalog.yaml", "to_name: name", "to_name: name\n  encoding: 8bit")
    shop.edit("templates/order.html", "View</a>", "View</a>" + "x" * 1200)
    findings = [f for f in found(shop) if f.rule == "message"]
    assert [f.element for f in findings] == ["text/plain part", "text/html part"]
    assert findings[1].message.startswith("the text/html part has a line of 1,2") and "(encoded as 8bit)" in findings[1].message


def test_the_encoded_html_part_over_gmail_s_clipping_size(shop: MessageProject) -> None:
    shop.edit("templates/order.html", "View</a>", 'View</a><span data-x="' + "é" * 40_000 + '"></span>')  # 80 KB of UTF-8, more as base64
    assert [(f.element, f.severity) for f in found(shop)] == [("text/html part", "error")]
    assert "KB as encoded; Gmail clips it" in found(shop)[0].message
    assert len((shop.root / "templates/order.html").read_bytes()) < 102 * 1024  # the size rule, before encoding, passes it


def test_a_text_part_that_drifted_from_the_html(shop: MessageProject) -> None:
    shop.write("templates/order.txt", "Hello {{ account.name }}, your order NW-1243 is on its way.\nhttps://shop.example.com/o/1\n")
    (finding,) = found(shop)
    assert (finding.rule, finding.element) == ("text-part", "text part") and "'NW-1234' is in the HTML but not in the text part" in finding.message


def test_a_message_without_a_text_part(shop: MessageProject) -> None:
    with shop.engine() as engine:
        case = Case.parse("order[en-ada]")
        email = engine.render(case)
        html_only = email.mime.split(b"\r\n--=_eh_")[0] + b"\r\n"  # the headers of a message whose parts were lost
        html_only = html_only.replace(b"multipart/alternative", b"text/html")
        email.__dict__["mime"] = html_only
        base = RuleContext("", email, engine.fixtures.fixtures["en-ada"], [], engine.catalog.templates["order"], {})
        findings = run_rules({"message": {}}, replace(base))
    assert [f.element for f in findings] == ["text/plain part"]


def test_no_message_declared_is_a_note(shop: MessageProject) -> None:
    shop.write("templates/_catalog.yaml", RULES)
    (finding,) = found(shop)
    assert finding.severity == "note" and "declare message:" in finding.message
