"""Every way a client shows an email, judged in a real Chromium on the bundled catalog: its own
dark styles, an app's forced dark, images off, the pseudo-locale and right to left. Each defect
of issue 18 is planted in a copy of the project and must fail with the element and what was
expected; the bundled catalog passes in every look."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from harness.cases import Case

REPO = Path(__file__).resolve().parents[1]

ORDER = "order_confirmation[en-one-order]"
LOOKS = {"desktop", "mobile", "desktop-dark", "mobile-dark", "mobile-forced-dark", "mobile-images-off", "mobile-pseudo", "desktop-pseudo"}


def findings(result, rule: str) -> list:
    return [f for f in result.findings if f.rule == rule]


def pngs(case: str) -> set[str]:
    template, fixture = Case.parse(case).template, Case.parse(case).fixture
    return {p.stem for p in (REPO / "snapshots" / template / fixture).glob("*.png")}


# -- which looks are kept ---------------------------------------------------------------------------

def test_the_first_screenshotted_fixture_of_each_template_gets_every_look():
    assert pngs(ORDER) == LOOKS
    assert pngs("order_confirmation[en-several-orders]") == {"desktop", "mobile"}  # the others: plain only
    # The order confirmation names its own: every look in each script it goes out in.
    assert pngs("order_confirmation[ar-one-order]") == pngs("order_confirmation[de-delayed]") == LOOKS


def test_dark_screenshots_only_for_an_email_with_dark_styles():
    """service_update is plain HTML without a prefers-color-scheme rule: dark mode would show
    the light email again, so no -dark PNG is kept; forced dark still applies (apps do it anyway)."""
    assert pngs("service_update[en-one-order]") == LOOKS - {"desktop-dark", "mobile-dark"}


def test_the_bundled_catalog_is_clean_in_every_look(sandbox):
    result = sandbox.check(ORDER, screenshots=True)
    assert result.ok, result.explain()
    assert result.findings == []


# -- dark mode, judged -------------------------------------------------------------------------------

def test_a_dark_footer_at_2_9_to_1_fails_naming_the_element_and_the_ratio(sandbox):
    sandbox.edit("templates/_partials/layout.mjml", ".footer div, .footer a { color: #9aa5b1 !important; }", "")
    result = sandbox.check(ORDER, screenshots=True)
    (finding,) = findings(result, "accessibility")
    assert finding.severity == "error" and not result.ok
    assert finding.message.startswith("axe color-contrast (serious) in desktop-dark, mobile-dark")
    assert 'p[data-copy="legal_footer"] (2.9:1, #52606d on #0b1220)' in finding.element


def test_a_dark_style_that_hides_the_heading_fails_naming_the_heading(sandbox):
    sandbox.edit("templates/_partials/layout.mjml", ".card div a { color: #93c5fd !important; }",
                 ".card div a { color: #93c5fd !important; }\n        .card h1 { color: #1f2937 !important; }")
    (finding,) = findings(sandbox.check(ORDER, screenshots=True), "accessibility")
    assert "h1 (1:1, #1f2937 on #1f2937)" in finding.element


def test_forced_dark_text_on_a_light_background_image_fails_though_light_mode_passes(sandbox):
    """Text over a background image: axe-core cannot judge it in any mode; an app inverting the
    email turns the text light and leaves the image light. Only the pixels show it."""
    hero = ('<div style="background-image:url(https://cdn.shop.example.com/img/hero.png);background-color:#dfe2e7;'
            'padding:20px;color:#1f2933" data-field="hero">Your order is on its way to you</div>')
    sandbox.edit("templates/order_confirmation.mjml", "<h1>{{ t.heading }}</h1>", "<h1>{{ t.heading }}</h1>" + hero)
    result = sandbox.check(ORDER, screenshots=True)
    (finding,) = findings(result, "accessibility")
    assert finding.message.startswith("text at ") and "contrast in mobile-forced-dark" in finding.message
    assert "Your order is on its way" in finding.message and finding.element.endswith("div")
    assert "4.5:1" in finding.expected


# -- text that fits --------------------------------------------------------------------------------

def test_a_heading_that_fits_in_english_but_not_in_the_pseudo_locale_fails_naming_it(sandbox):
    sandbox.edit("templates/order_confirmation.mjml", "<h1>{{ t.heading }}</h1>", '<h1 style="white-space:nowrap">{{ t.heading }}</h1>')
    result = sandbox.check(ORDER, screenshots=True)
    (finding,) = findings(result, "text-fits")
    assert finding.element.endswith("h1") and finding.severity == "error"
    assert "[Ţĥåñķ ýöû ƒöŕ ýöûŕ öŕðéŕ" in finding.message and "in mobile-pseudo" in finding.message
    assert "mobile," not in finding.message  # the English heading fits on the phone


# -- images off ------------------------------------------------------------------------------------

def test_a_message_that_exists_only_in_an_image_fails(sandbox):
    banner = '<img src="https://cdn.shop.example.com/img/sale.png" alt="Half price on every gift card until Sunday" width="300" height="100">'
    sandbox.edit("templates/order_confirmation.mjml", "<h1>{{ t.heading }}</h1>", "<h1>{{ t.heading }}</h1>" + banner)
    (finding,) = findings(sandbox.check(ORDER, screenshots=True), "images-off")
    assert finding.message.startswith("a message only in an image (mobile-images-off): alt 'Half price")
    assert finding.element.endswith("img")


def test_images_off_shows_alt_text_where_the_logo_was():
    off = Image.open(REPO / "snapshots/order_confirmation/en-one-order/mobile-images-off.png").convert("RGB")
    on = Image.open(REPO / "snapshots/order_confirmation/en-one-order/mobile.png").convert("RGB")
    logo = (25, 30, 165, 70)  # the 140x40 logo box
    grey = (223, 226, 231)  # the placeholder of a remote image
    assert on.crop(logo).getcolors(100_000) and max(on.crop(logo).getcolors(100_000))[1] == grey
    assert grey not in {c for _, c in off.crop(logo).getcolors(100_000)}


# -- right to left ---------------------------------------------------------------------------------

def _ink_columns(path: str, band: tuple[int, int]) -> tuple[int, int]:
    """Leftmost and rightmost x of dark pixels (text) in a horizontal band of a screenshot."""
    image = Image.open(io.BytesIO((REPO / path).read_bytes())).convert("L")
    dark = image.crop((0, band[0], image.width, band[1])).point(lambda v: 255 if v < 100 else 0)
    box = dark.getbbox()
    assert box is not None
    return box[0], box[2]


def test_the_arabic_email_is_laid_out_right_to_left_in_its_screenshot():
    left, right = _ink_columns("snapshots/order_confirmation/ar-one-order/mobile.png", (110, 140))  # the heading
    assert right > 340 and left > 100  # ends at the right margin, ragged on the left
    left, right = _ink_columns("snapshots/order_confirmation/en-one-order/mobile.png", (110, 140))
    assert left < 30 and right < 345


def test_an_arabic_email_laid_out_left_to_right_fails(sandbox):
    case = "order_confirmation[ar-one-order]"
    assert findings(sandbox.check(case, screenshots=True), "rtl-layout") == []
    sandbox.edit("templates/_partials/layout.mjml", '<mjml lang="{{ locale }}" dir="{{ dir }}">', '<mjml lang="{{ locale }}" dir="ltr">')
    found = findings(sandbox.check(case, screenshots=True), "rtl-layout")
    assert any(f.element == "html" and "<html> runs left to right" in f.message for f in found), [f.message for f in found]
    assert all(f.severity == "error" for f in found)


@pytest.mark.parametrize("isolated", [False, True])
def test_a_phone_number_in_arabic_text_keeps_its_order_only_when_isolated(sandbox, isolated):
    phone = "{{ shop.support_phone | bdi }}" if isolated else "{{ shop.support_phone }}"
    sandbox.edit("templates/order_confirmation.mjml", "<h1>{{ t.heading }}</h1>", f"<h1>{{{{ t.heading }}}}</h1><p>{{{{ t.greeting }}}} {phone}</p>")
    found = findings(sandbox.check("order_confirmation[ar-one-order]", screenshots=True), "rtl-layout")
    if isolated:
        assert found == []
    else:
        (finding,) = found
        assert finding.message.startswith("'+44 20 7946 0000' shows as '0000 7946 20 44+'")
        assert "bdi" in finding.expected


def test_the_bundled_snapshots_stay_under_the_25_mb_budget():
    """The README's budget: every look multiplies PNGs, and each re-approval stays in git history."""
    total = sum(p.stat().st_size for p in (REPO / "snapshots").rglob("*") if p.is_file())
    assert total < 25 * 1024 * 1024, f"snapshots/ is {total / 1024 / 1024:.1f} MB"
