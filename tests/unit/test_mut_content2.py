"""The content rules, pinned where mutation testing found them loose: which bracketed words name a
fixture's field (``no-leftovers``), a three-letter first name deep in another fixture
(``no-foreign-data``), a loop allowed by its quoted value (``empty-list``), the advice for text
that only overflows in the pseudo-locale (``text-fits``), letters without a Unicode name
(``bidi-isolation``) and which elements can lack alt text (``images``)."""

from __future__ import annotations

from dataclasses import replace

from harness.render.recording import EmptyLoop
from harness.rules.builtin.bidi import mixed_scripts
from harness.rules.builtin.leftovers import leftovers_in
from harness.rules.builtin.links import missing_alts
from harness.rules.builtin.render_gaps import EmptyListOptions

from .build import check, context, email, fixture, messages, page, run


# -- no-leftovers: bracketed words that name a field ----------------------------------------------

def test_a_bracket_naming_any_key_of_a_fixture_is_a_placeholder_but_account_alone_is_copy():
    ada = fixture("en-ada", name="Ada", po="PO-77", customer={"loyalty_tier": "gold"})
    mail = email(page("<p>Your [PO], [Loyalty Tier], [Account] and [Tier]</p>"), subject="s", text="x\n")
    # "po": a key of two letters; "loyalty_tier": a key under another; "account" is what templates
    # call the fixture, and a word of copy on its own; "tier" is part of a key, not a key.
    assert messages(check("no-leftovers", mail, recipient=ada)) == ["'[Loyalty Tier]' in the HTML", "'[PO]' in the HTML"]


def test_leftovers_in_looks_for_placeholders_unless_told_not_to():
    ctx = context("no-leftovers", email(page("<p>x</p>")))
    assert leftovers_in("Dear [Customer Name],", ctx) == ["[Customer Name]"]
    assert leftovers_in("Dear [Customer Name],", ctx, placeholders=False) == []


# -- no-foreign-data: the parts of a name, however deep ------------------------------------------

def test_another_fixtures_three_letter_first_name_deep_in_its_data_is_foreign():
    kai = fixture("en-kai", name="Kai Tanaka", order={"billing": {"first_name": "Lee"}})
    found = check("no-foreign-data", email(page("<p>Hello Lee</p>"), subject="s", text="x\n"), others=[kai])
    assert messages(found) == ["order.billing.first_name of another fixture (en-kai) appears in the HTML: 'Lee'"]


# -- empty-list: a loop over a quoted key --------------------------------------------------------

def test_a_loop_allowed_with_double_quotes_is_allowed_as_the_finding_names_it():
    mail = replace(email(page("<p>x</p>")),
                   empty_loops=(EmptyLoop("receipt.html", 3, '{% for c in order["coupons"] %}', 'order["coupons"]'),))
    assert messages(run("empty-list", mail)) == ['{% for c in order["coupons"] %} ran 0 times (order["coupons"] is empty) and has no {% else %}']
    assert run("empty-list", mail, allow=['order["coupons"]']) == []
    # Checked without a catalog at hand (no templates to look the loop up in): kept, quotes unified.
    assert EmptyListOptions.model_validate({"allow": ['order["coupons"]']}).allow == ["order['coupons']"]


# -- text-fits: the advice for the pseudo-locale -------------------------------------------------

def test_text_that_overflows_in_a_pseudo_viewport_is_told_about_translations():
    overflow = {"kind": "overflows-box", "element": "td > div", "text": "Ŧĥåñķš", "by": 37, "width": 240}
    (finding,) = check("text-fits", email(page("<p>x</p>")), measured={"mobile-pseudo": {"overflow": [overflow]}})
    assert finding.expected == (
        "text that wraps inside its column at 375 px with text ~40% longer, as translations are (the -pseudo viewports): "
        "no white-space: nowrap on words that get translated, no fixed widths or heights around text, and long words "
        "allowed to break (overflow-wrap: anywhere)")


# -- bidi-isolation: letters Python has no name for ----------------------------------------------

def test_a_letter_without_a_unicode_name_is_of_no_look_alike_script():
    tangut = "\U00017000"  # a letter (str.isalpha) that unicodedata.name does not know
    assert tangut.isalpha()
    assert mixed_scripts(f"{tangut}ab {tangut}") is None
    assert mixed_scripts(f"{tangut} P\u0430ypal") == ("P\u0430ypal", ["CYRILLIC", "LATIN"])


# -- images: only an <img> lacks alt text ---------------------------------------------------------

def test_only_img_elements_are_missing_alt_text():
    from bs4 import BeautifulSoup

    source = '<p><img src="logo.png"><video src="clip.mp4"></video><img src="hr.png" alt=""></p>'
    document = BeautifulSoup(source, "lxml")
    assert [str(tag) for tag in missing_alts(source, document)] == ['<img src="logo.png"/>']
