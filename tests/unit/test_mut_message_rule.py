"""What the ``message`` rule promises, on messages built here without a mail server (issue 25).

The rule reads the bytes a customer's provider receives (``RenderedEmail.mime``) and the case's
:class:`MessageSpec` (kind, sending domains). Each test builds the smallest message that breaks
one promise, by hand (``raw``) where the builder would never write it, and pins the finding a
template author reads: its message, element and expectation.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.message.headers import MessageSpec
from harness.render import RenderedEmail
from harness.rules import Finding

from .build import check, email, page, run

SHOP = "shop.example.com"
HEADERS = (
    ("From", f"Shop <orders@{SHOP}>"),
    ("To", "Ada Lovelace <ada@example.net>"),
    ("Subject", "Your order NW-1"),
    ("Date", "Sat, 05 Dec 2026 10:00:00 +0000"),
    ("Message-ID", f"<nw-1@{SHOP}>"),
    ("MIME-Version", "1.0"),
)
TEXT = ("text/plain", "7bit", "Your order NW-1 has shipped.")
HTML = ("text/html", "7bit", "<p>Your order NW-1 has shipped.</p>")


def raw(headers: tuple[tuple[str, str], ...] = HEADERS, parts: tuple[tuple[str, str | None, str], ...] = (TEXT, HTML)) -> bytes:
    """A multipart/alternative message, CRLF line ends, each part ``(type, transfer encoding or
    None, body)``; the body is the part's payload exactly (no line end added)."""
    lines = [f"{name}: {value}" for name, value in headers]
    lines += ['Content-Type: multipart/alternative; boundary="B"', ""]
    for kind, encoding, body in parts:
        lines += ["--B", f'Content-Type: {kind}; charset="utf-8"']
        lines += [f"Content-Transfer-Encoding: {encoding}"] if encoding else []
        lines += ["", body]
    lines += ["--B--", ""]
    return "\r\n".join(lines).encode("utf-8")


def mail(data: bytes | None = None, **spec: object) -> RenderedEmail:
    """An email whose message is ``data`` (default: a well-made one) under a spec built from
    ``spec`` (sending domain: the shop's)."""
    spec.setdefault("headers", HEADERS)
    spec.setdefault("sending_domains", (SHOP,))
    rendered = replace(email(page("<p>Your order NW-1 has shipped.</p>")), message_spec=MessageSpec(**spec))  # type: ignore[arg-type]
    rendered.__dict__["mime"] = raw() if data is None else data
    return rendered


def built(html: str = "<p>Your order NW-1 has shipped.</p>", text: str | None = None, **spec: object) -> RenderedEmail:
    """An email whose message the harness's own builder writes (``harness.message.build``)."""
    spec.setdefault("headers", HEADERS[:-1])  # the builder adds MIME-Version itself
    spec.setdefault("sending_domains", (SHOP,))
    spec.setdefault("seed", "t[f]")
    return replace(email(page(html), text=text), message_spec=MessageSpec(**spec))  # type: ignore[arg-type]


def error(message: str, element: str, expected: str) -> Finding:
    return Finding("message", "error", message, element, expected)


def without(name: str) -> tuple[tuple[str, str], ...]:
    return tuple((n, v) for n, v in HEADERS if n != name)


def replaced(name: str, value: str) -> tuple[tuple[str, str], ...]:
    return tuple((n, value if n == name else v) for n, v in HEADERS)


# -- a well-made message, and none at all --------------------------------------------------------------


def test_a_message_the_harness_builds_has_no_findings():
    assert check("message", built()) == []
    assert check("message", mail()) == []


@pytest.mark.parametrize("rendered", [replace(email(page("<p>x</p>")), message_spec=None),
                                      replace(email(page("<p>x</p>"), sent=False), message_spec=MessageSpec(headers=HEADERS))],
                         ids=["no message declared", "not sent"])
def test_without_a_message_one_note_says_how_to_declare_it(rendered):
    assert check("message", rendered) == [
        Finding("message", "note", "no message is built: declare message: (from, to...) in _catalog.yaml", "message",
                "the headers the customer's message carries")]


# -- required headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["From", "To", "Date", "Message-ID", "Subject", "MIME-Version"])
def test_each_required_header_missing_is_named(name):
    assert check("message", mail(raw(without(name)))) == [
        error(f"the message has no {name} header", f"header {name}", f"{name}: set it under message: in the metadata")]


def test_the_required_headers_are_an_option():
    campaign = error("the message has no X-Campaign header", "header X-Campaign", "X-Campaign: set it under message: in the metadata")
    assert check("message", mail(), required=["X-Campaign"]) == [campaign]
    assert check("message", mail(raw(without("Date"))), required=["X-Campaign"]) == [campaign]  # Date no longer required
    assert run("message", mail(raw(without("Date")))) == [  # the engine fills in the default list
        error("the message has no Date header", "header Date", "Date: set it under message: in the metadata")]


def test_header_names_match_in_any_case():
    lowered = tuple((n.lower(), v) for n, v in HEADERS)
    assert check("message", mail(raw(lowered))) == []
    bad = tuple((n, "ada@@example.net" if n == "to" else v) for n, v in lowered)
    assert [f.element for f in check("message", mail(raw(bad)))] == ["header To"]


# -- addresses -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["From", "To"])
def test_an_invalid_address_is_quoted_with_its_header(name):
    (finding,) = check("message", mail(raw(replaced(name, "Ada <ada@@example.net>")), sending_domains=()))
    assert (finding.severity, finding.element, finding.expected) == ("error", f"header {name}", "a valid address (RFC 5322)")
    assert finding.message.startswith(f"{name} address 'ada@@example.net' is not valid: ")
    assert len(finding.message) > len(f"{name} address 'ada@@example.net' is not valid: ") + 10  # email-validator's reason follows


def test_a_reply_to_without_a_domain_is_named():
    (finding,) = check("message", mail(raw(HEADERS + (("Reply-To", "help"),))))
    assert finding.element == "header Reply-To" and finding.message.startswith("Reply-To address 'help' is not valid: ")
    assert check("message", mail(raw(HEADERS + (("Reply-To", f"Help <help@{SHOP}>"),)))) == []


def test_each_mailbox_of_a_header_is_checked_and_an_empty_one_skipped():
    findings = check("message", mail(raw(replaced("To", "Ada <ada@example.net>, bob@@example.net, , Cy <cy@example>,"))))
    assert [f.message.split(" is not valid")[0] for f in findings] == ["To address 'bob@@example.net'", "To address 'cy@example'"]


def test_the_address_is_the_last_angle_brackets_of_a_mailbox():
    """A display name may itself hold brackets: the address is what the last pair holds."""
    assert check("message", mail(raw(replaced("To", '"Ada <ada@example>" <ada@example.net>')))) == []
    (finding,) = check("message", mail(raw(replaced("To", '"Ada <ada@example.net>" <ada@example>'))))
    assert finding.message.startswith("To address 'ada@example' is not valid")


def test_a_folded_address_header_is_read_whole():
    folded = replaced("To", "Ada Lovelace\r\n <ada@@example.net>")
    (finding,) = check("message", mail(raw(folded)))
    assert finding.message.startswith("To address 'ada@@example.net' is not valid")


def test_addresses_are_checked_offline():
    """Syntax only: an address at a domain that does not exist passes (no DNS lookup)."""
    assert check("message", mail(raw(replaced("To", "ada@no-mail-here-4f9c2e.com")))) == []


# -- the sending domain ----------------------------------------------------------------------------------


def test_a_sender_outside_the_sending_domains_is_an_error():
    assert check("message", mail(raw(replaced("From", "Deals <promo@shop-deals.example>")))) == [
        error("From domain 'shop-deals.example' is not one of the catalog's sending domains", "header From",
              "one of ['shop.example.com'] (message.sending_domains in _catalog.yaml)")]


def test_sending_domains_compare_without_case():
    assert check("message", mail(raw(replaced("From", "Shop <Orders@Shop.Example.COM>")))) == []
    assert check("message", mail(sending_domains=("SHOP.Example.com",))) == []
    (finding,) = check("message", mail(raw(replaced("From", "Deals <promo@Deals.Example>")), sending_domains=("Shop.Example.com", "mail.example")))
    assert finding.message == "From domain 'deals.example' is not one of the catalog's sending domains"
    assert finding.expected == "one of ['shop.example.com', 'mail.example'] (message.sending_domains in _catalog.yaml)"


def test_no_sending_domains_allow_any_sender():
    assert check("message", mail(raw(replaced("From", "promo@deals.example")), sending_domains=())) == []


def test_the_domain_is_after_the_last_at_sign():
    """A quoted local part may hold an '@': the domain is what follows the last one."""
    findings = check("message", mail(raw(replaced("From", f'"sales@deals.example"@{SHOP}'))))
    assert [f.element for f in findings] == ["header From"]  # the quoting, not the domain
    assert "is not one of the catalog's sending domains" not in findings[0].message


# -- bulk mail -------------------------------------------------------------------------------------------

UNSUBSCRIBE = error("bulk mail without a one-click unsubscribe link", "header List-Unsubscribe",
                    "List-Unsubscribe: <https://...> (RFC 8058; Gmail and Yahoo require it of bulk senders)")
POST = error("bulk mail without List-Unsubscribe-Post", "header List-Unsubscribe-Post",
             "List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058)")


def test_bulk_mail_needs_a_one_click_unsubscribe_link_and_post():
    assert check("message", mail(kind="bulk")) == [UNSUBSCRIBE, POST]
    assert check("message", mail()) == []  # transactional mail needs neither


def test_bulk_mail_with_both_headers_passes():
    headers = HEADERS + (("List-Unsubscribe", f"<https://{SHOP}/u/1>, <mailto:u@{SHOP}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click  "))
    assert check("message", mail(raw(headers), kind="bulk")) == []


@pytest.mark.parametrize(("unsubscribe", "post", "found"), [
    (f"<mailto:u@{SHOP}>", "List-Unsubscribe=One-Click", [UNSUBSCRIBE]),  # mail only: no one-click
    (f"<http://{SHOP}/u/1>", "List-Unsubscribe=One-Click", [UNSUBSCRIBE]),  # not https
    (f"<https://{SHOP}/u/1>", "List-Unsubscribe=one-click", [POST]),  # the value is exact
    (f"<https://{SHOP}/u/1>", "List-Unsubscribe=One-Click; x", [POST]),
])
def test_bulk_mail_with_a_wrong_header(unsubscribe, post, found):
    headers = HEADERS + (("List-Unsubscribe", unsubscribe), ("List-Unsubscribe-Post", post))
    assert check("message", mail(raw(headers), kind="bulk")) == found


# -- lines over 998 octets -------------------------------------------------------------------------------


def track(length: int) -> tuple[tuple[str, str], ...]:
    """The headers plus an ``X-Track`` header line of ``length`` octets."""
    url = "https://shop.example.com/t?u="  # a colon in the value: the name ends at the first one
    return HEADERS + (("X-Track", url + "x" * (length - len("X-Track: ") - len(url))),)


def test_a_header_line_over_998_octets_is_named():
    assert check("message", mail(raw(track(999)))) == [
        error("a line of header X-Track is 999 octets; SMTP allows 998, a relay rewraps or refuses it", "header X-Track",
              "headers folded within 998 octets a line")]


def test_a_header_line_of_998_octets_passes():
    assert check("message", mail(raw(track(998)))) == []


@pytest.mark.parametrize("indent", [" ", "\t"])
def test_a_long_folded_line_names_the_header_it_continues(indent):
    headers = HEADERS + (("X-Track", "short\r\n" + indent + "y" * 1200),)
    (finding,) = check("message", mail(raw(headers)))
    assert finding.message == "a line of header X-Track is 1,201 octets; SMTP allows 998, a relay rewraps or refuses it"
    assert finding.element == "header X-Track"


def test_a_long_line_in_the_body_is_not_a_header_line():
    """Only lines before the first blank line are header lines; a body line is its part's."""
    long_text = ("text/plain", "7bit", "z" * 1000)
    (finding,) = check("message", mail(raw(parts=(long_text, HTML))))
    assert finding.element == "text/plain part"


def test_a_part_line_over_998_octets_names_the_part_and_its_encoding():
    findings = check("message", mail(raw(parts=(("text/plain", "8bit", "ok\r\n" + "é" * 600), ("text/html", "7bit", "<p>" + "x" * 1200 + "</p>")))))
    assert findings == [
        error("the text/plain part has a line of 1,200 octets; SMTP allows 998, a relay rewraps or refuses it (encoded as 8bit)",
              "text/plain part", "encoding: auto (quoted-printable or base64) or shorter lines"),
        error("the text/html part has a line of 1,207 octets; SMTP allows 998, a relay rewraps or refuses it (encoded as 7bit)",
              "text/html part", "encoding: auto (quoted-printable or base64) or shorter lines"),
    ]


def test_a_part_without_a_transfer_encoding_is_7bit():
    (finding,) = check("message", mail(raw(parts=(("text/plain", None, "x" * 999), HTML))))
    assert finding.message.endswith("(encoded as 7bit)") and "a line of 999 octets" in finding.message


def test_a_line_of_words_is_measured_whole():
    (finding,) = check("message", mail(raw(parts=(("text/plain", "7bit", "word " * 200), HTML))))
    assert finding.message.startswith("the text/plain part has a line of 1,000 octets")


def test_a_part_line_of_998_octets_passes_its_line_end_not_counted():
    assert check("message", mail(raw(parts=(("text/plain", "7bit", "x" * 998 + "\r\n" + "y" * 998), HTML)))) == []
    assert check("message", mail(raw(parts=(("text/plain", "7bit", "x" * 998 + "\r\n" + "y" * 999), HTML))))[0].message.startswith(
        "the text/plain part has a line of 999 octets")


def test_the_builder_s_8bit_encoding_keeps_a_long_line_and_auto_rewraps_it():
    long = "<p>" + "x" * 1200 + "</p>"
    assert [f.element for f in check("message", built(long, encoding="8bit"))] == ["text/plain part", "text/html part"]
    assert check("message", built(long)) == []


# -- Gmail's clipping size -------------------------------------------------------------------------------


def html_of(size: int, **spec: object) -> RenderedEmail:
    """A message whose HTML part is ``size`` octets as sent (its lines well under 998)."""
    body = "\r\n".join("h" * 98 for _ in range(size // 100)) + "\r\n" * bool(size // 100)
    body += "h" * (size - len(body))
    return mail(raw(parts=(TEXT, ("text/html", "7bit", body))), **spec)


def test_an_html_part_over_the_clipping_size_is_an_error():
    assert check("message", html_of(10 * 1024 + 1), clip_kb=10) == [
        error("the HTML part is 10.0 KB as encoded; Gmail clips it", "text/html part", "under 10 KB")]


def test_an_html_part_within_10_percent_of_it_is_a_warning():
    warning = Finding("message", "warning", "the HTML part is 10.0 KB as encoded, close to Gmail's clipping size", "text/html part", "under 10 KB")
    assert check("message", html_of(10 * 1024), clip_kb=10) == [warning]  # at the size: not clipped yet
    assert check("message", html_of(9217), clip_kb=10) == [replace(warning, message=warning.message.replace("10.0", "9.0"))]
    assert check("message", html_of(9216), clip_kb=10) == []  # exactly 90%
    assert check("message", html_of(10189), clip_kb=10)[0].message == warning.message  # 9.95 KB, rounded


def test_the_limit_is_shown_as_configured():
    """A clip size of 1.5 KB is not 'under 2 KB': a part of 1.6 KB would seem to pass."""
    (finding,) = check("message", html_of(1537), clip_kb=1.5)
    assert (finding.message, finding.expected) == ("the HTML part is 1.5 KB as encoded; Gmail clips it", "under 1.5 KB")
    (finding,) = check("message", html_of(1500), clip_kb=1.5)
    assert (finding.severity, finding.expected) == ("warning", "under 1.5 KB")


def test_gmail_s_102_kb_is_the_default():
    assert [f.severity for f in check("message", html_of(102 * 1024 + 1))] == ["error"]
    assert [f.severity for f in check("message", html_of(102 * 1024))] == ["warning"]
    (finding,) = run("message", html_of(102 * 1024 + 1))
    assert (finding.message, finding.expected) == ("the HTML part is 102.0 KB as encoded; Gmail clips it", "under 102 KB")


def test_the_size_is_counted_in_octets_as_sent():
    """8bit UTF-8: 'é' is two octets on the wire."""
    body = "\r\n".join("é" * 49 for _ in range(60))  # 60 lines of 98 octets, 59 line ends
    (finding,) = check("message", mail(raw(parts=(TEXT, ("text/html", "8bit", body)))), clip_kb=5)
    assert finding.severity == "error" and finding.message == f"the HTML part is {(60 * 98 + 59 * 2) / 1024:.1f} KB as encoded; Gmail clips it"


def test_a_message_without_an_html_part_is_not_measured():
    assert check("message", mail(raw(parts=(TEXT,)))) == []


def test_the_clip_size_must_be_positive():
    (finding,) = run("message", mail(), clip_kb=0)
    assert finding.message == "the rule's options are wrong: clip_kb: Input should be greater than 0 (got 0)"


# -- the text part ---------------------------------------------------------------------------------------

NO_TEXT = error("the message has no text part", "text/plain part", "multipart/alternative with a text/plain part first")


def test_a_message_without_a_text_part_is_an_error():
    assert check("message", mail(raw(parts=(HTML,)))) == [NO_TEXT]


@pytest.mark.parametrize(("encoding", "body"), [("7bit", ""), ("7bit", "  \r\n\t"), ("base64", "ICAgCg=="), ("quoted-printable", "=20=20")])
def test_an_empty_text_part_is_no_text_part(encoding, body):
    """Blank once decoded: base64 of three spaces is no text either."""
    assert check("message", mail(raw(parts=(("text/plain", encoding, body), HTML)))) == [NO_TEXT]


def test_findings_come_in_the_order_of_the_message():
    """Headers, addresses, sender, unsubscribe, lines, size, text part."""
    headers = without("Subject")
    headers = tuple((n, "Deals <promo@deals.example>" if n == "From" else v) for n, v in headers) + (("Reply-To", "help"), ("X-Track", "x" * 1000))
    findings = check("message", mail(raw(headers, parts=(("text/html", "7bit", "h" * 1000),)), kind="bulk"), clip_kb=0.5)
    assert [f.element for f in findings] == [
        "header Subject", "header Reply-To", "header From", "header List-Unsubscribe", "header List-Unsubscribe-Post",
        "header X-Track", "text/html part", "text/html part", "text/plain part"]
