"""The rules that read what the browser measured in each look (dark, forced dark, images off,
pseudo-locale, right to left), on hand-made measurements: each fires on a broken page and is
silent on a good one. Their measurements in a real Chromium: tests/test_page_probes.py and
tests/test_looks.py."""

from __future__ import annotations

from .build import check, email, messages, page, run

MAIL = email(page("<h1>Your order</h1>"))
AR = email(page("<h1>طلبك</h1>", lang="ar", dir="rtl"), locale="ar")


def overflow(kind: str = "overflows-box", element: str = "td > div", by: int = 37) -> dict:
    return {"kind": kind, "element": element, "text": "[Ŧĥåñķš one two]", "by": by, "width": 240}


# -- text-fits ------------------------------------------------------------------------------------

def test_text_fits_is_silent_when_nothing_overflows_and_without_screenshots():
    assert check("text-fits", MAIL, measured={"mobile": {"overflow": []}, "mobile-pseudo": {"overflow": []}}) == []
    assert check("text-fits", MAIL, measured=None) == []


def test_an_overflow_is_one_error_naming_element_text_and_every_viewport_it_was_seen_in():
    measured = {"mobile": {"overflow": [overflow()]}, "mobile-pseudo": {"overflow": [overflow()]}}
    (finding,) = check("text-fits", MAIL, measured=measured)
    assert finding.severity == "error" and finding.element == "td > div"
    assert finding.message == "'[Ŧĥåñķš one two]' overflows its 240 px box by 37 px in mobile, mobile-pseudo"
    assert "375 px" in finding.expected and "~40% longer" in finding.expected


def test_an_email_wider_than_the_window_and_clipped_text_are_said_as_such():
    measured = {"desktop-pseudo": {"overflow": [overflow("wider-than-viewport", "table", 212), overflow("clipped", "p", 12)]}}
    assert messages(check("text-fits", MAIL, measured=measured)) == [
        "'[Ŧĥåñķš one two]' makes the email wider than the window by 212 px in desktop-pseudo",
        "'[Ŧĥåñķš one two]' is cut off: 12 px of it hidden by its 240 px box in desktop-pseudo",
    ]


# -- rtl-layout -----------------------------------------------------------------------------------

def test_rtl_layout_is_silent_on_a_right_to_left_email_the_browser_found_right():
    assert check("rtl-layout", AR, measured={"desktop": {"direction": []}, "mobile": {"direction": []}}) == []


def test_each_kind_of_wrong_direction_is_an_error_with_what_to_do():
    problems = [
        {"kind": "document-ltr", "element": "html", "text": "", "detail": "the document runs left to right"},
        {"kind": "table-ltr", "element": "table.items", "text": "المنتج", "detail": "a table runs left to right"},
        {"kind": "reordered", "element": "p", "text": "اتصل بنا", "detail": "'+44 20 7946 0000' shows as '0000 7946 20 +44'"},
    ]
    findings = check("rtl-layout", AR, measured={"mobile": {"direction": problems}})
    assert [(f.severity, f.element) for f in findings] == [("error", "html"), ("error", "table.items"), ("error", "p")]
    assert findings[2].message == "'+44 20 7946 0000' shows as '0000 7946 20 +44' (ar, mobile)"
    assert 'dir="rtl"' in findings[0].expected and "bdi" in findings[2].expected


def test_a_problem_seen_in_two_viewports_is_one_finding():
    problem = {"kind": "block-ltr", "element": "div", "text": "مرحبا", "detail": "right-to-left text in a left-to-right block"}
    (finding,) = check("rtl-layout", AR, measured={"desktop": {"direction": [problem]}, "mobile": {"direction": [problem]}})
    assert "(ar, desktop, mobile)" in finding.message


# -- images-off -----------------------------------------------------------------------------------

def seen(text: str, *images: dict) -> dict:
    return {"mobile-images-off": {"images": {"text": text, "images": list(images)}}}


WORDS = "Thank you for your order. We have received it and will email you again as soon as it ships to you."


def test_images_off_is_silent_when_the_text_carries_the_message():
    logo = {"element": "a > img", "src": "https://cdn/logo.png", "alt": "Northwind Shop", "width": 140, "height": 40, "visible": True}
    assert check("images-off", MAIL, measured=seen(WORDS, logo)) == []
    assert check("images-off", MAIL, measured={"mobile": {"overflow": []}}) == []  # no images-off look: nothing measured


HERO = {"element": "td > img", "src": "https://cdn/hero.png", "alt": "", "width": 600, "height": 400, "visible": True}


def test_an_email_that_is_mostly_pictures_fails_with_what_the_reader_sees():
    (finding,) = check("images-off", MAIL, measured=seen("Unsubscribe · Help", HERO))
    assert finding.message == "with images off (mobile-images-off) the email shows 2 words beside 1 blocked picture(s): 'Unsubscribe · Help'"
    assert finding.element == "td > img"
    assert check("images-off", MAIL, measured=seen("Unsubscribe · Help", HERO), min_words=2) == []


def test_a_short_email_of_text_is_not_mostly_pictures():
    logo = {**HERO, "element": "a > img", "width": 140, "height": 40}
    assert check("images-off", MAIL, measured=seen("Payment received. Invoice INV-2001: 1,290.50 €. Download the receipt", logo)) == []


def test_a_message_that_exists_only_in_an_image_fails_naming_the_image():
    banner = {"element": "td > img", "src": "https://cdn/sale.png", "alt": "Half price on every gift card until Sunday",
              "width": 600, "height": 300, "visible": True}
    (finding,) = check("images-off", MAIL, measured=seen(WORDS, banner))
    assert finding.element == "td > img" and "a message only in an image" in finding.message
    said = seen(WORDS + " Half price on every gift card until Sunday.", banner)
    assert check("images-off", MAIL, measured=said) == []  # the same words in live text too


# -- accessibility in the dark --------------------------------------------------------------------

FOOTER = {"id": "color-contrast", "impact": "serious", "help": "Elements must meet minimum color contrast ratio thresholds",
          "nodes": ['p[data-copy="legal_footer"] (2.9:1, #52606d on #0b1220)']}


def test_dark_mode_contrast_is_an_error_naming_element_ratio_and_viewports():
    (finding,) = check("accessibility", MAIL, scan=[], measured={"desktop-dark": {"axe": [FOOTER]}, "mobile-dark": {"axe": [FOOTER]}})
    assert finding.severity == "error"
    assert finding.message.startswith("axe color-contrast (serious) in desktop-dark, mobile-dark:")
    assert finding.element == 'p[data-copy="legal_footer"] (2.9:1, #52606d on #0b1220)'
    assert check("accessibility", MAIL, scan=[], measured={"mobile-dark": {"axe": []}}) == []


def test_forced_dark_contrast_from_the_pixels_is_a_warning_that_says_it_is_an_approximation():
    """Chromium's auto dark mode only approximates how a mail app darkens an email: an estimate
    may warn, never fail a case."""
    low = {"element": "td > div", "text": "Help centre", "ratio": 2.1, "required": 4.5, "foreground": "#5a5a5a", "background": "#1c1c1c"}
    (finding,) = check("accessibility", MAIL, scan=[], measured={"mobile-forced-dark": {"contrast": [low]}})
    assert finding.severity == "warning"
    assert finding.message == (
        "text at about 2.1:1 contrast in mobile-forced-dark (#5a5a5a on #1c1c1c; an approximation from Chromium's auto dark mode): 'Help centre'"
    )
    assert "4.5:1" in finding.expected
    # An ignore entry for contrast accepts it (axe's colour contrast too); see test_rule_options.py.
    accepted = [{"value": "contrast", "reason": "brand colours, reviewed with the design team"}]
    assert run("accessibility", MAIL, scan=[], measured={"mobile-forced-dark": {"contrast": [low]}}, ignore=accepted) == []


def test_a_left_to_right_document_is_one_finding_not_one_per_block_it_makes_left_to_right():
    problems = [
        {"kind": "document-ltr", "element": "html", "text": "", "detail": "<html> runs left to right (direction: ltr)"},
        {"kind": "document-ltr", "element": "body", "text": "", "detail": "<body> runs left to right (direction: ltr)"},
        {"kind": "table-ltr", "element": "table", "text": "", "detail": "table runs left to right (direction: ltr from html)"},
        {"kind": "block-ltr", "element": "div", "text": "مرحبا", "detail": "right-to-left text runs left to right (direction: ltr from html)"},
        {"kind": "block-ltr", "element": "p", "text": "شكرا", "detail": "right-to-left text runs left to right (direction: ltr from td > p)"},
    ]
    findings = check("rtl-layout", AR, measured={"mobile": {"direction": problems}})
    assert [f.element for f in findings] == ["html", "p"]  # the cause, and a block wrong on its own
    assert findings[0].message == "<html> runs left to right (direction: ltr), and with it 3 table(s) and block(s) (ar, mobile)"


def test_text_cut_at_the_bottom_of_a_fixed_height_box_is_said_as_such():
    cut = {"kind": "clipped-height", "element": "td > a", "text": "[Ṽîéŵ ýöûŕ öŕðéŕ one]", "by": 18, "width": 200, "height": 22}
    (finding,) = check("text-fits", MAIL, measured={"mobile-pseudo": {"overflow": [cut]}})
    assert finding.message == "'[Ṽîéŵ ýöûŕ öŕðéŕ one]' is cut off at the bottom: 18 px of it hidden by its 22 px tall box in mobile-pseudo"
    assert "fixed widths or heights" in finding.expected


def test_overflow_measured_with_images_off_is_left_to_the_images_off_rule():
    """A blocked image's box is Chromium's alt-text box: its width says nothing about the layout."""
    assert check("text-fits", MAIL, measured={"mobile-images-off": {"overflow": [overflow("wider-than-viewport")]}}) == []


def test_a_blocked_picture_counts_by_the_size_it_was_declared_with():
    blocked = {**HERO, "width": 95, "height": 18, "declared": [600, 400]}  # drawn as its alt text
    (finding,) = check("images-off", MAIL, measured=seen("Unsubscribe · Help", blocked))
    assert "beside 1 blocked picture(s)" in finding.message


def test_a_product_thumbnail_whose_alt_describes_it_is_not_a_message():
    """An order confirmation's 80 px thumbnails: the alt text describes the picture, in words the
    item line need not repeat."""
    thumbnail = {"element": "tr:nth-child(2) > td > img", "src": "https://cdn/mug.jpg", "alt": "Blue stoneware mug with a wooden handle",
                 "width": 80, "height": 80, "visible": True, "declared": [80, 80]}
    fluid = {**thumbnail, "width": 96, "height": 18, "declared": [96, 0]}  # MJML's height="auto", drawn as its alt text
    assert check("images-off", MAIL, measured=seen(WORDS + " Espresso mug 1 × 12.00 €", thumbnail, fluid)) == []


def test_a_fluid_banner_with_a_message_is_still_a_picture():
    """MJML's fluid banner declares width="600" height="auto": its width makes it a picture."""
    banner = {"element": "td > img", "src": "https://cdn/sale.png", "alt": "Half price on every gift card until Sunday",
              "width": 600, "height": 22, "visible": True, "declared": [600, 0]}
    (finding,) = check("images-off", MAIL, measured=seen(WORDS, banner))
    assert "a message only in an image" in finding.message
