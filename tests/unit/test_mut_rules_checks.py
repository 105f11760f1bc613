"""What the checking rules promise, stated where ``make mutation`` found it unchecked (issue 25).

``accessibility``, ``bidi-isolation``, ``links``/``images``, ``no-foreign-data``,
``belongs-to-recipient`` and the page measurements they share: each test is one promise as a
designer reads it in a finding (its message, element and expectation), on the smallest email
that breaks it.
"""

from __future__ import annotations

import os

import pytest

from harness.catalog import Template, TemplateMeta
from harness.rules import Finding
from harness.rules.builtin._text import reads_right_to_left

from .build import check, email, fixture, page, run, template

ACCEPT = "reviewed with the design team"
WORDS = "one two three four five six seven eight nine ten"

# -- which way an email reads (reads_right_to_left) ----------------------------------------------

ARABIC = "شكرا لطلبك"  # 8 Arabic letters (bidi class AL)
HEBREW = "תודה"  # 4 Hebrew letters (bidi class R)


def rtl(body: str, *, head: str = "") -> bool:
    return reads_right_to_left(email(page(body, head=head)).document)


def test_arabic_letters_make_an_email_right_to_left():
    assert rtl(f"<p>{ARABIC}</p>") and rtl(f"<p>{HEBREW}</p>")


def test_the_majority_of_letters_decides_by_one_letter():
    assert rtl("<p>abc مرحبا</p>")  # 5 Arabic, 3 Latin
    assert not rtl("<p>abcde مرح</p>")  # 3 Arabic, 5 Latin
    assert not rtl("<p>abc مرح</p>")  # a tie is left to right


def test_digits_spaces_and_punctuation_are_no_letters():
    assert rtl(f"<p>{HEBREW} 1234567890 !!! ... ---</p>")


@pytest.mark.parametrize("unread", [f"<!-- {ARABIC} {ARABIC} {ARABIC} -->",
                                    f"<style>.x::after {{ content: '{ARABIC} {ARABIC} {ARABIC}' }}</style>",
                                    f"<script>var s = '{ARABIC} {ARABIC} {ARABIC}';</script>"])
def test_comments_styles_and_scripts_are_not_read_and_the_text_after_them_is(unread):
    assert not rtl(f"{unread}<p>Your order has shipped</p>")
    assert rtl(f"{unread}<p>{ARABIC}</p>")


def test_only_the_body_is_read_not_the_title():
    assert not rtl("<p>Your order has shipped</p>", head=f"<title>{ARABIC} {ARABIC} {ARABIC} {ARABIC}</title>")


# -- accessibility: dir and axe findings per viewport ----------------------------------------------

def test_an_arabic_email_with_dir_rtl_passes():
    assert check("accessibility", email(page(f"<p>{ARABIC}</p>", lang="ar", dir="rtl"), locale="ar")) == []


def dark_axe(*violations: dict) -> dict:
    return {"desktop-dark": {"axe": list(violations)}}


CONTRAST = {"id": "color-contrast", "impact": "serious", "help": "Elements must meet minimum color contrast ratio thresholds"}


def test_dark_violations_differing_in_their_rule_or_their_elements_are_separate_findings():
    footer, button = {**CONTRAST, "nodes": ["p.footer"]}, {**CONTRAST, "nodes": ["a.button"]}
    link = {"id": "link-in-text-block", "impact": "serious", "help": "Links must be distinguishable", "nodes": ["p.footer"]}
    found = check("accessibility", email(page("<p>Hi</p>")), scan=[], measured=dark_axe(footer, button, link))
    assert [(f.message.split(":")[0], f.element) for f in found] == [
        ("axe color-contrast (serious) in desktop-dark", "p.footer"),
        ("axe color-contrast (serious) in desktop-dark", "a.button"),
        ("axe link-in-text-block (serious) in desktop-dark", "p.footer"),
    ]


def test_a_light_scan_violation_names_no_viewport():
    found = check("accessibility", email(page("<p>Hi</p>")), scan=[{**CONTRAST, "nodes": ["h1"]}])
    assert [f.message for f in found] == ["axe color-contrast (serious): Elements must meet minimum color contrast ratio thresholds"]


LOW = {"element": "td > div", "text": "Help centre", "ratio": 2.1, "required": 4.5, "foreground": "#5a5a5a", "background": "#1c1c1c"}


def test_forced_dark_contrast_names_the_element_and_what_to_do():
    (found,) = check("accessibility", email(page("<p>Hi</p>")), scan=[], measured={"mobile-forced-dark": {"contrast": [LOW]}})
    assert found == Finding(
        "accessibility", "warning",
        "text at about 2.1:1 contrast in mobile-forced-dark (#5a5a5a on #1c1c1c; an approximation from Chromium's auto dark mode): 'Help centre'",
        "td > div",
        "at least 4.5:1 when a mail app darkens the email itself: give the email dark styles of its own, or colours that survive inversion",
    )


@pytest.mark.parametrize("key", ["element", "foreground", "background"])
def test_forced_dark_measurements_differing_in_element_or_colours_are_separate_findings(key):
    other = {**LOW, key: "p.other" if key == "element" else "#000001"}
    seen = {"desktop-forced-dark": {"contrast": [LOW, other]}, "mobile-forced-dark": {"contrast": [LOW]}}
    found = check("accessibility", email(page("<p>Hi</p>")), scan=[], measured=seen)
    assert [f.message.split(" (")[0] for f in found] == [
        "text at about 2.1:1 contrast in desktop-forced-dark, mobile-forced-dark", "text at about 2.1:1 contrast in desktop-forced-dark",
    ]


def test_a_viewport_that_measured_nothing_is_no_finding():
    """A probe that returned null (a page that failed to load) is skipped, not a crash."""
    assert check("accessibility", email(page("<p>Hi</p>")), scan=[], measured={"desktop-dark": {"axe": None, "contrast": None}}) == []


# -- an ignore entry's selector accepts a finding about an element (Finding.node) -------------------

#: (rule, the element inside <div class="legacy">, options, the finding's message): every finding
#: about an element carries it, so ``{selector: .legacy, reason: ...}`` accepts that one finding.
ABOUT_AN_ELEMENT = [
    ("links", '<a href="">Orders</a>', {}, "link has no href"),
    ("links", '<a href="https://127.0.0.1/orders">Orders</a>', {}, "link points at an IP address: 127.0.0.1"),
    ("links", '<a href="https://shop.example.com/orders">Orders</a>', {"require_params": ["utm_source"]},
     "link lacks tracking parameter(s) ['utm_source']"),
    ("links", '<a href="https://shop.example.com/orders">here</a>', {}, "link text 'here' says nothing out of context"),
    ("images", '<img src="https://cdn.example.com/a.png" width="10">', {}, "image has no alt attribute"),
    ("images", '<img src="https://cdn.example.com/a.png" alt="A">', {}, "image has no width or height"),
    ("images", '<img src="http://cdn.example.com/a.png" alt="A" width="10">', {}, "image source is not https: 'http://cdn.example.com/a.png'"),
    ("images", '<img src="https://evil.example.com/a.png" alt="A" width="10">', {"allowed_hosts": ["cdn.example.com"]},
     "image host evil.example.com is not allowed"),
    ("images", '<a href="https://shop.example.com"><img src="https://cdn.example.com/a.png" alt="" width="10"></a>', {},
     'image has alt="" and is all there is in its link: the link has no name'),
    ("incident-notice", '<div data-section="which-data"><p>Your name.</p></div>', {"sections": ["which-data"]}, "section 'which-data' has 2 words"),
    ("incident-notice", f'<div data-section="what-happened"><p>{WORDS}</p></div>', {"sections": ["what-happened"]},
     "section 'what-happened' gives no date"),
    ("incident-notice", f'<div data-section="contact"><p>{WORDS}</p></div>', {"sections": ["contact"]},
     "section 'contact' names no email address or phone number"),
    ("belongs-to-recipient", '<span data-field="order-id">NW-9</span>',
     {"selector": "[data-field=order-id]", "path": "orders[].id", "recipient": fixture(orders=[{"id": "NW-1"}])},
     "'NW-9' at [data-field=order-id] is not the recipient's orders[].id"),
    ("approved-copy", '<p data-copy="scam">Gift cards are fun.</p>', {"blocks": ["scam"], "approved_copy": {"scam": "Gift cards are for gifts."}},
     "'scam' differs from the approved copy: ...Gift cards are [-for gifts.-]{+fun.+}..."),
    ("text-part", '<span data-field="name">Ada Lovelace</span>', {"text": "Hello"}, "'Ada Lovelace' is in the HTML but not in the text part"),
    ("text-part", '<a href="https://shop.example.com/track">Track</a>', {"text": "Hello"}, "link https://shop.example.com/track is missing from the text part"),
    ("no-leftovers", '<span data-field="name"> </span>', {}, "required value is empty"),
]


@pytest.mark.parametrize(("rule", "markup", "options", "message"), ABOUT_AN_ELEMENT)
def test_an_ignore_selector_accepts_a_finding_about_an_element_inside_it(rule, markup, options, message):
    options = dict(options)
    mail = email(page(f'<p>Hello</p><div class="legacy">{markup}</div>'), text=options.pop("text", None))
    assert message in [f.message for f in run(rule, mail, **options)]
    accepted = [{"selector": ".legacy", "reason": ACCEPT}]
    assert message not in [f.message for f in run(rule, mail, **options, ignore=accepted)]


# -- images: alt text, as written and as sent --------------------------------------------------------

IMG = '<img src="https://cdn.example.com/a.png" width="100">'


def mjml(body: str) -> str:
    return f"<mjml><mj-body>{body}</mj-body></mjml>"


def test_an_mj_image_without_alt_goes_out_with_mjmls_empty_alt():
    """MRML leaves alt out where JavaScript mjml, the reference, writes alt="": not the author's gap."""
    assert check("images", email(page(IMG), source=mjml('<mj-image src="https://cdn.example.com/a.png" />'))) == []


def test_a_hand_written_img_without_alt_in_mjml_is_an_error_even_unquoted():
    source = mjml("<mj-raw><img src=https://cdn.example.com/a.png width=100></mj-raw>")
    assert [f.message for f in check("images", email(page(IMG), source=source))] == ["image has no alt attribute"]


def test_an_mj_image_that_is_all_its_link_holds_names_no_link():
    source = mjml('<mj-image src="https://cdn.example.com/a.png" href="https://shop.example.com" />')
    found = check("images", email(page(f'<a href="https://shop.example.com">{IMG}</a>'), source=source))
    assert found == [Finding("images", "error", 'image has no alt attribute (MJML sends alt="") and is all there is in its link: the link has no name',
                             "img[src=https://cdn.example.com/a.png]", "alt text that says where the link goes")]


def alone(link: str) -> list[str]:
    return [f.message for f in check("images", email(page(link)))]


NAMELESS = 'image has alt="" and is all there is in its link: the link has no name'
DECORATIVE = '<img src="https://cdn.example.com/a.png" alt="" width="100">'


def test_white_space_and_several_decorative_images_give_a_link_no_name():
    assert alone(f'<a href="https://shop.example.com">\n  {DECORATIVE}\n</a>') == [NAMELESS]
    assert alone(f'<a href="https://shop.example.com">{DECORATIVE}{DECORATIVE}</a>') == [NAMELESS, NAMELESS]


def test_a_title_names_a_link():
    assert alone(f'<a href="https://shop.example.com" title="Open the shop">{DECORATIVE}</a>') == []


def test_only_a_named_link_to_the_same_address_next_to_it_makes_an_image_link_a_twin():
    """MJML's social icon and its label: two links, one address, the label names both."""
    assert alone(f'<a href="https://shop.example.com">{DECORATIVE}</a><a href="https://shop.example.com">Shop</a>') == []
    assert alone(f'<a href="https://shop.example.com">{DECORATIVE}</a><a href="https://help.example.com">Help</a>') == [NAMELESS]
    assert alone(f'<a href="https://shop.example.com">{DECORATIVE}</a><a href="https://shop.example.com">{DECORATIVE}</a>') == [NAMELESS, NAMELESS]


def test_a_size_in_an_inline_style_counts_in_any_case():
    assert alone('<img src="https://cdn.example.com/a.png" alt="A" style="WIDTH: 100px">') == []


# -- bidi-isolation ----------------------------------------------------------------------------------

SPOOF = "Maryam \u202eexe.live"


def test_a_number_before_a_spoofed_value_does_not_stop_the_check():
    found = check("bidi-isolation", email(page(f"<p>{SPOOF}</p>"), text=f"\u2068{SPOOF}\u2069"), recipient=fixture("en-x", count=3, name=SPOOF))
    assert [f.message for f in found] == ["fixture field name carries bidirectional controls and is not isolated in the HTML"]


def test_a_look_alike_shown_only_in_the_text_part_is_found():
    lookalike = "P\u0430ypal"  # Cyrillic а
    found = check("bidi-isolation", email(page("<p>Hello</p>"), text=f"From {lookalike}"), recipient=fixture("en-x", seller=lookalike))
    assert [f.message for f in found] == [f"fixture field seller mixes Cyrillic and Latin letters in one word: {lookalike!r} (a look-alike)"]


def test_an_ipv6_link_points_at_an_ip_address():
    found = check("links", email(page('<a href="https://[2001:db8::1]/orders">Your orders</a>')))
    assert [f.message for f in found] == ["link points at an IP address: 2001:db8::1"]


# -- no-foreign-data: one-word values and the template's own words ----------------------------------

def foreign(mail, recipient, *others, **kwargs) -> list[str]:
    return [f.message for f in check("no-foreign-data", mail, recipient=recipient, others=list(others), **kwargs)]


def test_fields_that_match_nothing_find_nothing():
    assert foreign(email(page("<p>Hello Ben Carter</p>")), fixture("en-ada", name="Ada"), fixture("en-ben", name="Ben Carter"), fields=["nothing"]) == []


ADA = fixture("en-ada", plan={"name": "Team"})


def test_another_fixtures_word_counts_where_the_recipients_own_value_of_that_field_is_shown_even_last():
    """"Free" alone is a word; where the email names the recipient's own plan it stands for theirs."""
    other = fixture("en-ben", plan={"name": "Free"})
    assert foreign(email(page("<p>Your Free trial</p>"), subject="Welcome to Team", text="Hello"), ADA, other) == [
        "plan.name of another fixture (en-ben) appears in the HTML: 'Free'"
    ]
    assert foreign(email(page("<p>Your Free trial</p>"), subject="Welcome", text="Hello"), ADA, other) == []


def test_a_word_the_template_itself_says_is_not_another_fixtures_value():
    other = fixture("en-ben", plan={"name": "Free"})
    mail = email(page("<p>Team: upgrade to Free</p>"), text="Hello")
    assert foreign(mail, ADA, other) == ["plan.name of another fixture (en-ben) appears in the HTML: 'Free'"]
    assert foreign(mail, ADA, other, approved_copy={"upsell": "Upgrade to Free"}) == []
    assert foreign(mail, ADA, other, tpl=template(strings={"en": {"upsell": "Upgrade to Free"}})) == []


def test_the_template_files_words_are_read_again_after_an_edit(tmp_path):
    source = tmp_path / "t.mjml"
    tpl = Template(name="t", source_path=source, meta=TemplateMeta(language="jinja", subject="s"), language="jinja")
    other, mail = fixture("en-ben", plan={"name": "Free"}), email(page("<p>Team: upgrade to Free</p>"), text="Hello")
    source.write_text("<p>{{ plan.name }}: upgrade to Free</p>", encoding="utf-8")
    assert foreign(mail, ADA, other, tpl=tpl) == []
    source.write_text("<p>{{ plan.name }}: upgrade to Pro</p>", encoding="utf-8")
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 1_000_000_000))
    assert foreign(mail, ADA, other, tpl=tpl) == ["plan.name of another fixture (en-ben) appears in the HTML: 'Free'"]


def test_a_value_two_fixtures_share_is_reported_for_each_that_counts():
    """Ben's plan "Free" is a word here (Ada's plan is not shown); Cy's surname "Free" is a name."""
    found = foreign(email(page("<p>Hello from Free</p>"), text="Hello"), fixture("en-ada"), fixture("en-ben", plan={"name": "Free"}),
                    fixture("en-cy", last_name="Free"))
    assert found == ["last_name of another fixture (en-cy) appears in the HTML: 'Free'"]
