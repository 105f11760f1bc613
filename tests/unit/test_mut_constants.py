"""Module-level values that decide a verdict, each pinned by its effect.

mutmut 3 mutates code inside functions only: a word dropped from a set of vague link texts, a
script dropped from the look-alike set, or a threshold moved by one changes what the harness
decides, and no mutant of ``make mutation`` would show it. So every member of such a set is
tested by name, and every threshold on both sides of its edge.
"""

from __future__ import annotations

import pytest

from harness.rules.builtin.bidi import mixed_scripts
from harness.rules.builtin.content import preheader
from harness.rules.builtin.foreign_data import DEFAULT_FIELDS, personal_values

from .build import check, email, fixture, page

# -- links: vague link text (_VAGUE_LINK_TEXT) -----------------------------------------------------

VAGUE = ["click here", "here", "hier", "hier klicken", "qui", "clicca qui", "link", "more", "mehr"]


@pytest.mark.parametrize("text", VAGUE)
def test_each_vague_link_text_is_a_warning(text):
    found = check("links", email(page(f'<a href="https://shop.example.com/orders">{text.upper()}</a>')))
    assert [f.message for f in found] == [f"link text {text.upper()!r} says nothing out of context"]


@pytest.mark.parametrize("text", ["Track your parcel", "here is your order", "more about returns", "linked accounts", "Quittung"])
def test_a_link_text_that_only_contains_a_vague_word_passes(text):
    assert check("links", email(page(f'<a href="https://shop.example.com/orders">{text}</a>'))) == []


# -- links: non-production hosts (_NON_PRODUCTION) ---------------------------------------------------

@pytest.mark.parametrize("label", ["localhost", "staging", "stage", "dev", "test", "internal"])
@pytest.mark.parametrize("shape", ["{}.shop.example.com", "shop-{}.example.com", "shop.{}.example.com"])
def test_each_non_production_host_marker_fires_as_a_label_or_a_hyphenated_part(label, shape):
    host = shape.format(label)
    found = check("links", email(page(f'<a href="https://{host}/orders">Your orders</a>')))
    assert f"link points at a non-production host: {host}" in [f.message for f in found]


@pytest.mark.parametrize("host", ["shop.example.com", "developer.example.com", "testimonials.example.com",
                                  "internals.example.com", "backstage.example.com", "devices.example.com"])
def test_a_word_that_only_starts_like_a_marker_is_production(host):
    found = check("links", email(page(f'<a href="https://{host}/orders">Your orders</a>')))
    assert not [f for f in found if "non-production" in f.message]


# -- bidi-isolation: look-alike scripts (_LOOKALIKE_SCRIPTS) ---------------------------------------

LATIN, CYRILLIC, GREEK, ARMENIAN = "a", "\u0430", "\u03bf", "\u0585"  # Latin a, Cyrillic а, Greek ο, Armenian օ


@pytest.mark.parametrize(("word", "scripts"), [
    (f"P{CYRILLIC}ypal", ["CYRILLIC", "LATIN"]),
    (f"G{GREEK}{GREEK}gle", ["GREEK", "LATIN"]),
    (f"g{ARMENIAN}{ARMENIAN}gle", ["ARMENIAN", "LATIN"]),
    (f"{CYRILLIC}{GREEK}", ["CYRILLIC", "GREEK"]),
    (f"{ARMENIAN}{GREEK}", ["ARMENIAN", "GREEK"]),
    (f"{CYRILLIC}{ARMENIAN}", ["ARMENIAN", "CYRILLIC"]),
])
def test_each_pair_of_look_alike_scripts_in_one_word_is_found(word, scripts):
    assert mixed_scripts(f"Hello {word} team") == (word, scripts)


@pytest.mark.parametrize("value", [
    "Paypal Support", "Москва", "Иван Smith", "Ωμέγα", "שלום abc", "abcשלום", "東京abc", "Müller 42", "abc123",
])
def test_other_scripts_and_one_script_per_word_are_no_look_alikes(value):
    assert mixed_scripts(value) is None


# -- preheader: the preview line (_PREVIEW_LENGTH, 90 characters) ---------------------------------

HIDDEN = '<span style="display:none">Your parcel is on its way</span>'


@pytest.mark.parametrize(("visible", "found"), [(90, "Your parcel is on its way"), (91, "")])
def test_hidden_text_counts_as_preheader_only_within_the_first_90_visible_characters(visible, found):
    doc = email(page(f"<p>{'x' * visible}</p>{HIDDEN}")).document
    assert preheader(doc) == found


def test_without_a_preheader_the_first_90_characters_are_what_the_inbox_shows():
    boilerplate = "View this email in your browser"
    assert check("subject", email(page(f"<p>{'Hello Ada. ' * 8}xx {boilerplate}</p>"))) == []  # past character 90
    [finding] = check("subject", email(page(f"<p>{'Hello Ada. ' * 5}{boilerplate}</p>")))
    assert finding.message.startswith("no preheader: inboxes show ")


# -- images-off: pictures and thumbnails (PICTURE_AREA 20,000 px², PICTURE_WIDTH 200 px) ------------

def seen(text: str, *images: dict) -> dict:
    return {"mobile-images-off": {"images": {"text": text, "images": list(images)}}}


@pytest.mark.parametrize(("width", "height", "picture"), [(200, 100, True), (100, 200, True), (199, 100, False), (200, 99, False)])
def test_an_image_of_20000_square_px_or_more_is_a_picture(width, height, picture):
    image = {"element": "td > img", "alt": "", "width": width, "height": height, "visible": True}
    found = check("images-off", email(page("<p>x</p>")), measured=seen("Unsubscribe · Help", image))
    assert bool(found) is picture


@pytest.mark.parametrize(("width", "judged"), [(200, True), (199, False)])
def test_an_alt_text_message_counts_from_an_image_200_px_wide(width, judged):
    banner = {"element": "td > img", "alt": "Half price on every gift card until Sunday", "width": width, "height": 30, "visible": True}
    text = "Thank you for your order. We have received it and will email you again as soon as it ships to you."
    found = check("images-off", email(page("<p>x</p>")), measured=seen(text, banner))
    assert bool(found) is judged


# -- foreign data: value lengths (4 to MAX_VALUE_LENGTH 256 characters) -------------------------

@pytest.mark.parametrize(("length", "kept"), [(3, False), (4, True), (256, True), (257, False)])
def test_a_personal_value_counts_from_4_to_256_characters(length, kept):
    value = "n" * length
    assert (value in personal_values(fixture(name=value).data, ["name"])) is kept


# -- foreign data: the default fields (DEFAULT_FIELDS) -----------------------------------------------

#: A field path for each default pattern that no other pattern matches.
ONE_FIELD_EACH = {
    "contact.work_email_addr": "*email*", "mobile_phone_no": "*phone*", "name": "name", "plan.name": "*.name",
    "last_name": "*_name", "id": "id", "order.id": "*.id", "customer_id": "*_id", "card_number": "*number",
    "voucher_code": "*code", "billing_address_line": "*address*", "iban_masked": "*iban*", "reset_token": "*token*",
}


def test_each_default_field_pattern_makes_its_field_personal():
    data = {}
    for path in ONE_FIELD_EACH:
        *parents, leaf = path.split(".")
        target = data
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = f"value of {path}"
    data.update({"city": "value of city", "plan_tier": "value of plan_tier", "notes": "value of notes"})
    found = personal_values(fixture(data.pop("id"), **data).data, DEFAULT_FIELDS, by_shape=False)  # the fixture's id is its "id" field
    assert found == {f"value of {path}": path for path in ONE_FIELD_EACH}
