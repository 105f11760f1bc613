"""``subject``, ``text-part`` and ``size``."""

from __future__ import annotations

import pytest

from harness.rules import Finding
from harness.rules.builtin.content import preheader

from .build import check, email, page

PREHEADER = '<div style="display:none">Your parcel is on its way.</div>'


# -- subject ---------------------------------------------------------------------------------


def subject(text: str, *, body: str = PREHEADER + "<p>Hello</p>"):
    return email(page(body), subject=text, text="Hello\n")


def test_a_short_subject_with_a_preheader_passes():
    assert check("subject", subject("Your order NW-1 is confirmed")) == []


def test_an_empty_subject_is_an_error():
    for blank in ("", "   "):
        assert check("subject", subject(blank)) == [
            Finding("subject", "error", "subject is empty", "subject", "a subject (metadata subject: or <mj-title>)")
        ]


def test_the_subject_limit_is_90_characters_by_default():
    assert check("subject", subject("x" * 90)) == []
    assert check("subject", subject("x" * 91)) == [Finding("subject", "warning", "subject is 91 characters long", "subject", "at most 90")]


def test_max_length_sets_the_limit():
    assert check("subject", subject("x" * 40), max_length=40) == []
    assert check("subject", subject("x" * 41), max_length="40") == [Finding("subject", "warning", "subject is 41 characters long", "subject", "at most 40")]


def test_leftovers_in_the_subject_are_no_leftovers_to_report():
    """Reported once, by ``no-leftovers``: one ``ignore`` entry accepts it."""
    assert check("subject", subject("Your order [[order_id]]")) == []
    assert check("no-leftovers", subject("Your order [[order_id]]")) == [
        Finding("no-leftovers", "error", "'[[order_id]]' in the subject", "subject", "rendered values only")
    ]


HIDDEN = "a hidden preheader (<mj-preview>, or a hidden <span>/<div> before the first visible text)"


def test_no_preheader_and_no_text_to_show_instead_is_a_warning():
    assert check("subject", subject("Your order", body='<img src="https://cdn.example.com/banner.png" alt="">')) == [
        Finding("subject", "warning", "no preheader, and no text at the start of the body", "the start of <body>", HIDDEN)
    ]


@pytest.mark.parametrize("line", ["Having trouble reading this email? Click here.", "View this email in your browser", "E-Mail im Browser ansehen"])
def test_no_preheader_and_a_view_in_browser_first_line_is_a_warning(line):
    """What the inbox would show after the subject says nothing about the email."""
    assert check("subject", subject("Your order", body=f"<p>{line}</p><p>Hello Ada, your order has shipped.</p>")) == [
        Finding("subject", "warning", f"no preheader: inboxes show {(line + ' Hello Ada, your order has shipped.')[:60]!r} after the subject",
                "the start of <body>", f"{HIDDEN}, or a first line that says what the email is about")
    ]


def test_a_first_line_that_says_what_the_email_is_about_serves_as_the_preheader():
    """MJML's gallery "alert" template: no <mj-preview>, and none needed."""
    body = ('<table role="presentation"><tr><td><img src="https://cdn.example.com/logo.png" alt="Acme" width="120"></td></tr></table>'
            "<div><p>Hello there! Just a friendly reminder that we have an upcoming appointment.</p></div>")
    assert check("subject", subject("Your appointment", body=body)) == []


def test_a_hidden_preheader_after_a_logo_and_deep_in_layout_tables_is_found():
    """Postmark-style layouts: the logo and a dozen wrapper elements come before the hidden span."""
    wrappers = "<table><tr><td>" * 6
    body = (f'{wrappers}<a href="https://acme.example.com"><img src="https://cdn.example.com/logo.png" alt="Acme"></a>'
            '<span class="preheader" style="display: none !important; visibility: hidden; mso-hide: all;">Your receipt for order 1042.</span>'
            "<p>Hi Ada,</p>" + "</td></tr></table>" * 6)
    assert preheader(email(page(body)).document) == "Your receipt for order 1042."
    assert check("subject", subject("Your receipt", body="<p>View in browser</p>" + body)) == []


@pytest.mark.parametrize(
    "style",
    ["display:none", "DISPLAY: none", "visibility:hidden", "mso-hide:all", "opacity:0", "max-height:0px;overflow:hidden", "font-size:1px;max-height: 0"],
)
def test_a_preheader_is_hidden_text_at_the_start_of_the_body(style):
    document = email(page(f'<span style="{style}">Your parcel is on its way.</span><p>Hello</p>')).document
    assert preheader(document) == "Your parcel is on its way."


@pytest.mark.parametrize("style", ["opacity:0.5", "max-height:0.5em", "max-height:100px", "color:#fff", ""])
def test_visible_text_is_not_a_preheader(style):
    assert preheader(email(page(f'<span style="{style}">Hello</span>')).document) == ""


def test_a_hidden_element_without_text_is_not_a_preheader():
    assert preheader(email(page('<div style="display:none">  </div><div style="display:none">Real  one</div>')).document) == "Real one"


def test_the_preheader_is_looked_for_before_the_first_line_of_visible_text():
    forty = "<div>" * 40 + "</div>" * 40
    assert preheader(email(page(forty + PREHEADER)).document) == "Your parcel is on its way."
    assert preheader(email(page("<p>View in browser</p>" + PREHEADER)).document) == "Your parcel is on its way."
    a_line = "<p>Hello Ada, thank you for your order. We will email you again as soon as it ships, with tracking.</p>"
    assert preheader(email(page(a_line + PREHEADER)).document) == ""


def test_a_document_without_body_has_no_preheader():
    assert preheader(email("").document) == ""


# -- text-part -------------------------------------------------------------------------------


def two_parts(body: str, text: str):
    return email(page(body), text=text)


def test_a_text_part_with_the_facts_and_links_of_the_html_passes():
    body = '<p>Order <b data-field="order-id">NW-1</b>, total <span data-field="total">£35.19</span>.</p><a href="https://shop.example.com/o/1">Track</a>'
    assert check("text-part", two_parts(body, "Order NW-1, total £35.19.\nTrack: https://shop.example.com/o/1\n")) == []


def test_an_empty_text_part_is_an_error_and_the_only_finding():
    for text in ("", " \n \n"):
        assert check("text-part", two_parts('<b data-field="order-id">NW-1</b>', text)) == [
            Finding("text-part", "error", "plain-text part is empty", "text part", "the email's content as text")
        ]


def test_a_data_field_missing_from_the_text_part_is_an_error():
    found = check("text-part", two_parts('<p>Hello <b data-field="name">Ada Lovelace</b></p>', "Hello Ada\n"))
    assert found == [Finding("text-part", "error", "'Ada Lovelace' is in the HTML but not in the text part", "b[data-field=name]",
                             "the same value in the text part")]


def test_each_line_of_a_multi_line_field_is_checked():
    body = '<p data-field="address">12 Rowan Close<br>Flat B<br>Leeds</p>'
    assert check("text-part", two_parts(body, "12 Rowan Close\nFlat B\nLeeds\n")) == []
    found = check("text-part", two_parts(body, "12 Rowan Close\nLeeds\n"))
    assert [f.message for f in found] == ["'Flat B' is in the HTML but not in the text part"]


def test_an_https_link_missing_from_the_text_part_is_an_error():
    found = check("text-part", two_parts('<a href="https://shop.example.com/help">Help</a>', "Help\n"))
    assert found == [Finding("text-part", "error", "link https://shop.example.com/help is missing from the text part",
                             "a[href=https://shop.example.com/help]", "every link also in the text part")]


def test_a_link_two_anchors_share_is_reported_once():
    """A logo and a button both to the shop: one link missing from the text part, one finding."""
    body = ('<a href="https://shop.example.com/"><img src="logo.png" alt="Shop"></a>'
            '<a href="https://shop.example.com/">Visit the shop</a><a href="https://shop.example.com/help">Help</a>')
    found = check("text-part", two_parts(body, "Visit the shop\nHelp\n"))
    assert [f.message for f in found] == ["link https://shop.example.com/ is missing from the text part",
                                          "link https://shop.example.com/help is missing from the text part"]
    assert check("text-part", two_parts(body, "Visit the shop: https://shop.example.com/\nHelp: https://shop.example.com/help\n")) == []


def test_mailto_and_anchor_links_need_not_be_in_the_text_part():
    assert check("text-part", two_parts('<a href="mailto:help@shop.example.com">Write</a> <a href="#top">Top</a> <a>x</a>', "Write Top x\n")) == []


def test_a_number_the_reader_sees_must_be_in_the_text_part():
    found = check("text-part", two_parts("<p>Arrives on 12 November, total 35.19</p>", "Arrives on 12 November\n"))
    assert [f.message for f in found] == ["'35.19' is in the HTML but not in the text part"]


def test_numbers_in_the_hidden_preheader_styles_and_scripts_are_not_facts_of_the_body():
    body = '<div style="display:none">Order 99 shipped</div><style>p{margin:10px}</style><script>var a = 5;</script><p>Hello</p>'
    assert check("text-part", two_parts(body, "Hello\n")) == []


# -- size ------------------------------------------------------------------------------------

LIMIT = 102 * 1024


def sized(n_bytes: int, *, filler: str = "x"):
    """An HTML part of exactly ``n_bytes`` bytes of UTF-8 (``filler`` may be several bytes long)."""
    width = len(filler.encode("utf-8"))
    html = filler * (n_bytes // width) + "y" * (n_bytes % width)
    assert len(html.encode("utf-8")) == n_bytes
    return email(html, text="x\n")


def test_html_under_90_percent_of_gmails_limit_passes():
    assert check("size", sized(int(0.9 * LIMIT))) == []


def test_html_over_90_percent_is_a_warning():
    assert check("size", sized(int(0.9 * LIMIT) + 1)) == [
        Finding("size", "warning", "HTML is 91.8 KB, close to Gmail's clipping limit", "HTML", "under 102 KB")
    ]
    assert [f.severity for f in check("size", sized(LIMIT))] == ["warning"]


def test_html_over_gmails_limit_is_an_error():
    assert check("size", sized(LIMIT + 1)) == [Finding("size", "error", "HTML is 102.0 KB; Gmail clips it", "HTML", "under 102 KB")]


def test_size_is_counted_in_bytes_not_characters():
    """60,000 accented letters are 120,000 bytes of UTF-8: clipped, though under 102 K characters."""
    accented = sized(120_000, filler="é")
    assert len(accented.html) == 60_000
    assert [f.message for f in check("size", accented)] == ["HTML is 117.2 KB; Gmail clips it"]
    near = sized(LIMIT + 2, filler="ü")  # 52,225 characters, one byte over the limit
    assert [f.severity for f in check("size", near)] == ["error"]


def test_limit_kb_sets_the_limit():
    assert check("size", sized(5 * 1024 + 1), limit_kb=5) == [Finding("size", "error", "HTML is 5.0 KB; Gmail clips it", "HTML", "under 5 KB")]
    assert check("size", sized(4 * 1024), limit_kb="5") == []


def test_a_preheader_made_of_several_elements_reads_as_one_line():
    document = email(page('<div style="display:none">Your <b>parcel</b> is on its way.</div>')).document
    assert preheader(document) == "Your parcel is on its way."


def test_a_fact_after_the_hidden_preheader_is_still_checked():
    body = '<div style="display:none">Your parcel is on its way.</div><p>Total 35.19</p>'
    assert check("text-part", two_parts(body, "Total\n")) == [
        Finding("text-part", "error", "'35.19' is in the HTML but not in the text part", "text part",
                "every number, amount, date and code of the HTML also in the text part")
    ]


def test_numbers_in_comments_are_not_facts():
    assert check("text-part", two_parts("<!-- build 2026.11 --><p>Hello</p>", "Hello\n")) == []


def test_only_links_of_the_body_must_be_in_the_text_part():
    mail = email(page('<p>Hello</p>', head='<link rel="stylesheet" href="https://fonts.example/css">'), text="Hello\n")
    assert check("text-part", mail) == []


def test_the_expected_size_names_the_limit_in_kb():
    assert check("size", sized(1000 * 1024 + 1), limit_kb=1000)[0].expected == "under 1000 KB"
    assert check("size", sized(950 * 1024), limit_kb=1000)[0].expected == "under 1000 KB"


def test_exactly_90_percent_is_not_yet_a_warning():
    assert check("size", sized(9216), limit_kb=10) == []
    assert [f.severity for f in check("size", sized(9217), limit_kb=10)] == ["warning"]
