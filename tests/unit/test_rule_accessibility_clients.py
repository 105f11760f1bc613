"""``accessibility`` (structure screen readers rely on, plus axe-core findings) and
``client-support`` (what the team wrote that mail clients do not support, from caniemail)."""

from __future__ import annotations

import pytest

from harness.rules import Finding
from harness.rules.builtin.client_support import DEFAULT_CLIENTS, caniemail, unsupported_in, used_features

from .build import check, email, page, run

LAYOUT = '<table role="presentation"><tr><td><h1>Hello</h1><h2>Your order</h2><h3>Items</h3><h2>Address</h2></td></tr></table>'


def accessible(body: str = LAYOUT, **attributes):
    return email(page(body, **attributes), locale="de")


def test_lang_dir_presentational_tables_and_ordered_headings_pass():
    assert check("accessibility", accessible()) == []


def test_a_data_table_with_headers_needs_no_role():
    assert check("accessibility", accessible('<table><tr><th>Item</th></tr><tr><td>Mug</td></tr></table>')) == []


@pytest.mark.parametrize("lang", [None, "", "und"])
def test_a_missing_language_is_an_error(lang):
    shown = lang or ""
    assert check("accessibility", accessible(lang=lang)) == [
        Finding("accessibility", "error", f"<html lang={shown!r}>", "html[lang]", "the email's language (de): <mjml lang=...>")
    ]


@pytest.mark.parametrize("direction", [None, ""])
def test_a_missing_dir_is_an_error_in_a_right_to_left_language(direction):
    mail = email(page("<p>شكراً لطلبك</p>", lang="ar", dir=direction), locale="ar")
    assert check("accessibility", mail) == [
        Finding("accessibility", "error", "<html> has no dir, and its language (ar) is written right to left", "html[dir]",
                'dir="rtl": <mjml dir="rtl"> or <html dir="rtl">')
    ]


def test_a_left_to_right_email_needs_no_dir():
    """Postmark's and SendGrid's templates, and most MJML, write ``<html lang="en">`` and no dir:
    without dir a document is left to right, which is what they are."""
    postmark = (
        '<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title></title></head>'
        '<body><span class="preheader" style="display:none">Use this link to reset your password.</span>'
        '<table class="email-wrapper" role="presentation"><tr><td><h1>Hi Ada,</h1>'
        "<p>You recently requested to reset your password for your Acme account.</p></td></tr></table></body></html>"
    )
    assert check("accessibility", email(postmark, locale="en")) == []
    assert check("accessibility", accessible(dir=None)) == []


def test_an_email_whose_text_is_right_to_left_needs_dir_whatever_its_locale():
    """A Hebrew email sent from a template whose locale says ``en`` still reads right to left."""
    mail = email(page("<p>תודה על ההזמנה שלך. ההזמנה NW-1 נשלחה.</p>", lang="he", dir=None), locale="en")
    assert [f.message for f in check("accessibility", mail)] == ["<html> has no dir, and most of its text is right to left"]


def test_an_arabic_name_does_not_make_an_english_email_right_to_left():
    mail = email(page("<p>Hello فاطمة الزهراء, your order NW-1 has shipped and will arrive on Tuesday.</p>", dir=None), locale="en")
    assert check("accessibility", mail) == []


def test_rtl_is_a_direction_too():
    assert check("accessibility", accessible(dir="rtl")) == []


def test_layout_tables_without_role_presentation_are_one_error():
    body = "<table><tr><td>a</td></tr></table><table role=\"grid\"><tr><td>b</td></tr></table>" + LAYOUT
    assert check("accessibility", accessible(body)) == [
        Finding("accessibility", "error", '2 layout table(s) without role="presentation"', "table:not([role=presentation])",
                "screen readers skip layout tables only when marked presentational")
    ]


def test_a_skipped_heading_level_is_a_warning():
    assert check("accessibility", accessible('<h1>Hello</h1><h3>Items</h3>')) == [
        Finding("accessibility", "warning", "<h3> follows <h1>", "h3", "<h2>")
    ]


def test_the_first_heading_must_be_h1():
    assert check("accessibility", accessible("<h2>Items</h2><h3>Mug</h3>")) == [
        Finding("accessibility", "warning", "first heading is <h2>", "h2", "<h1>")
    ]


def test_going_back_up_any_number_of_levels_is_fine():
    assert check("accessibility", accessible("<h1>a</h1><h2>b</h2><h3>c</h3><h4>d</h4><h2>e</h2><h1>f</h1><h2>g</h2>")) == []


def test_a_page_without_html_element_has_neither_lang_nor_dir():
    assert [f.message for f in check("accessibility", email("", locale="en"))] == ["<html lang=''>"]
    assert [f.message for f in check("accessibility", email("", locale="ar"))] == [
        "<html lang=''>", "<html> has no dir, and its language (ar) is written right to left",
    ]


# -- axe-core findings -----------------------------------------------------------------------

CONTRAST = {"id": "color-contrast", "impact": "serious", "help": "Elements must meet minimum color contrast ratio thresholds", "nodes": ["h1"]}
REGION = {"id": "region", "impact": "moderate", "help": "All page content should be contained by landmarks", "nodes": ["p", "div", "td", "span", "a"]}
CRITICAL = {"id": "image-alt", "impact": "critical", "help": "Images must have alternate text", "nodes": ["img"]}
MINOR = {"id": "minor-thing", "impact": "minor", "help": "Minor", "nodes": ["b"]}


def test_serious_and_critical_axe_violations_are_errors_and_the_rest_warnings():
    found = check("accessibility", accessible(), scan=[CONTRAST, REGION, CRITICAL, MINOR])
    assert found == [
        Finding("accessibility", "error", "axe color-contrast (serious): Elements must meet minimum color contrast ratio thresholds", "h1",
                "no color-contrast violation (https://dequeuniversity.com/rules/axe/4.12/color-contrast)"),
        Finding("accessibility", "warning", "axe region (moderate): All page content should be contained by landmarks", "p; div; td (+2 more)",
                "no region violation (https://dequeuniversity.com/rules/axe/4.12/region)"),
        Finding("accessibility", "error", "axe image-alt (critical): Images must have alternate text", "img",
                "no image-alt violation (https://dequeuniversity.com/rules/axe/4.12/image-alt)"),
        Finding("accessibility", "warning", "axe minor-thing (minor): Minor", "b", "no minor-thing violation (https://dequeuniversity.com/rules/axe/4.12/minor-thing)"),
    ]


def test_three_nodes_are_listed_without_a_count():
    three = {**REGION, "nodes": ["p", "div", "td"]}
    assert check("accessibility", accessible(), scan=[three])[0].element == "p; div; td"


def test_an_ignore_entry_accepts_one_axe_violation_by_its_id():
    accepted = [{"value": "color-contrast", "reason": "brand colours, reviewed with the design team"}]
    found = run("accessibility", accessible(), scan=[CONTRAST, REGION], ignore=accepted)
    assert [f.message.split(" (")[0] for f in found] == ["axe region"]


def test_axe_false_skips_the_scan_findings_and_no_scan_means_none():
    assert check("accessibility", accessible(), scan=[CONTRAST], axe=False) == []
    assert len(check("accessibility", accessible(), scan=[CONTRAST], axe=True)) == 1
    assert check("accessibility", accessible(), scan=None) == []


# -- client-support --------------------------------------------------------------------------


def mjml(body: str, head: str = "") -> str:
    return f"<mjml><mj-head>{head}</mj-head><mj-body><mj-section><mj-column><mj-text>{body}</mj-text></mj-column></mj-section></mj-body></mjml>"


def team_wrote(source: str):
    return email(page("<p>generated</p>"), source=source)


def test_used_features_reads_style_attributes_tags_and_mj_style():
    source = mjml(
        '<h1 style="display:flex; position: absolute">Hi</h1><video src="a.mp4"></video><img src="https://x/a.webp?v=1">'
        '<input type="checkbox"><input><map name="m"><area></map>',
        head='<mj-style inline="inline">.a { background: linear-gradient(red, blue); width: calc(100% - 2px); color: var(--c) }'
             "@font-face { font-family: X } @media (prefers-color-scheme: dark) { .b { display: none } }</mj-style>",
    )
    found = used_features(source)
    assert found["css-display-flex"] == "display: flex"
    assert found["css-position"] == "position: absolute"
    assert found["html-video"] == "<video>"
    assert found["image-webp"] == "https://x/a.webp?v=1"
    assert found["html-input-checkbox"] == "<input type=checkbox>"
    assert found["html-input-text"] == "<input type=text>"
    assert found["html-image-maps"] == "<map>"
    assert found["css-linear-gradient"] == "linear-gradient()"
    assert found["css-unit-calc"] == "calc()"
    assert found["css-variables"] == "var()"
    assert found["css-at-font-face"] == "@font-face"
    assert found["css-at-media-prefers-color-scheme"] == "@media (prefers-color-scheme)"
    assert found["css-display-none"] == "display: none"
    assert not [slug for slug in found if slug.startswith("html-mj")]


def test_used_features_maps_image_extensions_to_caniemail_slugs():
    assert used_features('<img src="a.TIF">') == {"html-img": "<img>", "image-tiff": "a.TIF"}
    assert used_features('<img src="a.heic">')["image-heif"] == "a.heic"
    assert used_features('<img src="a.svg#x">')["image-svg"] == "a.svg#x"
    assert "image-png" not in used_features('<img src="a.png">')


def test_used_features_knows_only_caniemail_slugs_and_the_first_use():
    found = used_features('<p style="position:relative">a</p><p style="position:absolute">b</p><blink>x</blink>')
    assert found["css-position"] == "position: relative"
    assert "html-blink" not in found
    assert used_features(mjml("", head="<mj-style>.x { clamp-it: 1 } .y { width: clamp(1px, 2px, 3px) }</mj-style>"))["css-function-clamp"] == "clamp()"


def test_unsupported_in_names_clients_whose_latest_version_lacks_the_feature():
    data = caniemail()
    assert unsupported_in(data["by_slug"]["css-display-flex"], DEFAULT_CLIENTS) == ["Outlook (Windows)"]
    assert unsupported_in(data["by_slug"]["css-display-flex"], {"gmail": ["ios"]}) == []
    assert unsupported_in(data["by_slug"]["css-margin"], DEFAULT_CLIENTS) == []
    assert unsupported_in({"stats": {"gmail": {"ios": {"2019": "n", "2024": "y"}}}}, {"gmail": ["ios"]}) == []
    assert unsupported_in({"stats": {"gmail": {"ios": {"2019": "y", "2024": "n #1"}}}}, {"gmail": ["ios", "android"]}) == ["Gmail (iOS)"]
    assert unsupported_in({"stats": None}, {"gmail": ["ios"]}) == []
    assert unsupported_in({"stats": {"newmail": {"tv": {"1": "n"}}}}, {"newmail": ["tv"]}) == ["newmail (tv)"]


def test_caniemail_data_is_the_vendored_npm_package():
    caniemail.cache_clear()
    data = caniemail()
    assert data["source"].startswith("npm caniemail ")
    assert data["by_slug"]["css-position"]["title"] == "position"
    assert len(data["by_slug"]) == len(data["data"]) > 300


def test_unsupported_css_is_a_warning_naming_clients_and_the_caniemail_page():
    found = check("client-support", team_wrote(mjml('<h1 style="position:absolute">Hi</h1>')))
    assert found == [Finding(
        "client-support", "warning",
        "position is not supported by Gmail (Desktop Webmail), Gmail (iOS), Gmail (Android), Outlook (Windows) "
        f"(caniemail {caniemail()['last_update_date'][:10]}: https://www.caniemail.com/features/css-position/)",
        "position: absolute", "a fallback, or an ignore entry {value: css-position, reason: ...} if it is a deliberate enhancement",
    )]


def test_supported_markup_passes():
    assert check("client-support", team_wrote(mjml('<p style="margin:0;color:#333">Hello <b>Ada</b></p>'))) == []


def test_severity_error_makes_findings_errors():
    source = mjml('<h1 style="position:absolute">Hi</h1>')
    assert [f.severity for f in check("client-support", team_wrote(source), severity="error")] == ["error"]
    assert [f.severity for f in check("client-support", team_wrote(source), severity="warning")] == ["warning"]


def test_mj_style_blocks_are_scanned():
    source = mjml("<p>Hi</p>", head="<mj-style>.badge { position: absolute }</mj-style>")
    assert [f.element for f in check("client-support", team_wrote(source))] == ["position: absolute"]


def test_ignore_entries_and_clients_options():
    source = mjml('<h1 style="display:flex;position:absolute">Hi</h1>')
    ignore = [{"value": "css-position", "reason": "a badge that may sit inline where unsupported"}]
    assert [f.element for f in run("client-support", team_wrote(source), ignore=ignore)] == ["display: flex"]
    assert [f.element for f in check("client-support", team_wrote(source), clients={"gmail": ["ios"]})] == ["position: absolute"]


def test_the_rule_reads_the_source_not_the_generated_html():
    generated = email(page('<div style="position:absolute">x</div>'), source=mjml("<p>Hi</p>"))
    assert check("client-support", generated) == []


def test_every_heading_level_counts():
    assert check("accessibility", accessible("<h1>a</h1><h2>b</h2><h3>c</h3><h4>d</h4><h5>e</h5><h6>f</h6>")) == []
    assert [f.message for f in check("accessibility", accessible("<h1>a</h1><h2>b</h2><h3>c</h3><h4>d</h4><h6>f</h6>"))] == ["<h6> follows <h4>"]
    assert [f.message for f in check("accessibility", accessible("<h1>a</h1><h2>b</h2><h3>c</h3><h5>e</h5>"))] == ["<h5> follows <h3>"]


def test_four_nodes_are_three_and_one_more():
    four = {**REGION, "nodes": ["p", "div", "td", "span"]}
    assert check("accessibility", accessible(), scan=[four])[0].element == "p; div; td (+1 more)"


def test_an_ignored_feature_does_not_hide_the_next_one():
    source = mjml('<h1 style="display:flex;position:absolute">Hi</h1>')
    ignore = [{"value": "css-display-flex", "reason": "falls back to block"}]
    assert [f.element for f in run("client-support", team_wrote(source), ignore=ignore)] == ["position: absolute"]


def test_unsupported_in_reads_every_platform_after_one_without_data():
    assert unsupported_in({"stats": {"gmail": {"ios": {"1": "n"}}}}, {"gmail": ["tv", "ios"]}) == ["Gmail (iOS)"]


def test_used_features_details():
    assert "css-display-none" not in used_features('<p style="float:none">x</p>')
    assert used_features('<p style="display: grid">x</p>')["css-display-grid"] == "display: grid"
    assert used_features("<p style='position:fixed'>x</p>")["css-position"] == "position: fixed"
    assert used_features('<area href="#">')["html-image-maps"] == "<area>"
    assert used_features('<input type="checkbox">')["html-input-checkbox"] == "<input type=checkbox>"
    long_value = "URL(https://cdn.example/img/background.png) no-repeat center top"
    assert used_features(f'<p style="background: {long_value}">x</p>')["css-background"] == f"background: {long_value.lower()[:40]}"
    src = "https://cdn.example/" + "a" * 80 + ".webp"
    assert used_features(f'<img src="{src}">')["image-webp"] == src[:80]


def test_mjml_tags_and_their_attributes_are_not_read():
    """What MJML's own tags say is MJML's business: it makes them work across clients."""
    assert used_features('<mj-section style="position:absolute" css-class="x"><mj-column></mj-column></mj-section>') == {}


def test_the_elements_every_html_email_has_are_not_findings():
    """caniemail marks <body> unsupported in Outlook for macOS: every plain-HTML email (Postmark's,
    SendGrid's) has one, so it says nothing about this email."""
    postmark = (
        '<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta name="x-apple-disable-message-reformatting" />'
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" /><title></title></head>'
        '<body style="margin: 0; -webkit-text-size-adjust: none;"><table class="email-wrapper" role="presentation"><tr><td>'
        "<p>Hi Ada,</p></td></tr></table></body></html>"
    )
    assert check("client-support", team_wrote(postmark)) == []


def test_a_link_to_a_stylesheet_is_still_a_finding():
    found = check("client-support", team_wrote('<html><head><link rel="stylesheet" href="https://x/a.css"></head><body><p>Hi</p></body></html>'))
    assert [f.element for f in found] == ["<link>"]
