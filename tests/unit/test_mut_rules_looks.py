"""The rules about how mail clients and the browser show an email (``client-support``,
``images-off``, ``text-fits``, ``rtl-layout``): each value that decides a verdict or writes a
finding's words, pinned by its effect (issue 25: what mutation testing showed unguarded, and the
module-level lists mutmut does not mutate)."""

from __future__ import annotations

import pytest

from harness.rules.builtin.client_support import caniemail, used_features

from .build import check, email, page

# -- client-support: the default clients (DEFAULT_CLIENTS) ------------------------------------------


def team_wrote(source: str):
    """An email whose team-written source (what client-support reads) is ``source``."""
    return email(page("<p>generated</p>"), source=source)


def test_by_default_gmail_apple_mail_outlook_and_yahoo_are_checked_in_that_order():
    """``inline-size`` is missing in every default client: the finding names all nine (and its
    caniemail title without the trailing blank the data set gives it)."""
    (finding,) = check("client-support", team_wrote('<p style="inline-size: 20em">x</p>'), severity="warning")
    assert finding.message == (
        "inline-size is not supported by Gmail (Desktop Webmail), Gmail (iOS), Gmail (Android), Apple Mail (macOS), "
        "Apple Mail (iOS), Outlook (Windows), Outlook (macOS), Outlook (Outlook.com), Yahoo! Mail (Desktop Webmail) "
        f"(caniemail {caniemail()['last_update_date'][:10]}: https://www.caniemail.com/features/css-inline-size/)"
    )


# -- client-support: CSS functions (_FUNCTION) and image formats (_IMAGE_EXT, _IMAGE_SLUG) -----------

@pytest.mark.parametrize(("function", "slug"), [
    ("linear-gradient", "css-linear-gradient"), ("radial-gradient", "css-radial-gradient"),
    ("conic-gradient", "css-conic-gradient"), ("calc", "css-unit-calc"), ("clamp", "css-function-clamp"),
    ("min", "css-function-min"), ("max", "css-function-max"), ("var", "css-variables"),
])
def test_each_css_function_is_its_caniemail_feature(function, slug):
    assert used_features(f'<p style="width: {function}(1px, 2px)">x</p>')[slug] == f"{function}()"


def test_a_function_name_inside_another_word_is_no_use_of_it():
    assert "css-function-max" not in used_features('<p style="width: fitmax(1px)">x</p>')


@pytest.mark.parametrize(("extension", "slug"), [
    ("webp", "image-webp"), ("avif", "image-avif"), ("svg", "image-svg"), ("bmp", "image-bmp"), ("tif", "image-tiff"),
    ("tiff", "image-tiff"), ("heic", "image-heif"), ("heif", "image-heif"), ("apng", "image-apng"), ("ico", "image-ico"),
])
def test_each_image_format_is_its_caniemail_feature(extension, slug):
    src = f"https://cdn.example/a.{extension}?v=2"
    assert used_features(f'<img src="{src}">')[slug] == src


@pytest.mark.parametrize("src", ["https://cdn.example/a.png", "https://cdn.example/a.webpage", "https://cdn.example/webp/a.jpg"])
def test_other_images_are_no_image_format_feature(src):
    assert not [slug for slug in used_features(f'<img src="{src}">') if slug.startswith("image-")]


# -- client-support: what every email has (_EVERY_EMAIL_HAS), table-only CSS (_TABLE_ONLY) -----------

def test_the_body_every_html_email_has_is_no_finding_but_its_style_is_read():
    source = '<html><head><title>x</title><meta charset="utf-8"></head><body style="inline-size: 20em"><p>Hi</p></body></html>'
    assert [f.element for f in check("client-support", team_wrote(source))] == ["inline-size: 20em"]


@pytest.mark.parametrize("prop", ["border-spacing: 2px", "table-layout: fixed"])
def test_a_table_property_on_a_cell_does_nothing_and_is_no_finding(prop):
    assert check("client-support", team_wrote(f'<table><tr><td style="{prop}">x</td></tr></table>')) == []
    (finding,) = check("client-support", team_wrote(f'<table style="{prop}"><tr><td>x</td></tr></table>'))
    assert finding.element == prop and "Outlook (Windows), Outlook (macOS)" in finding.message


# -- client-support: Outlook's Word engine (_WORD_OUTLOOK) -------------------------------------------

WINDOWS_MAIL = {"outlook": ["windows-mail"]}


def test_windows_mail_is_outlooks_word_engine_too():
    """Windows Mail renders with Word like Outlook for Windows: it reads ``<!--[if mso]>`` blocks
    and ``mso-hide: all``, and skips ``<!--[if !mso]><!-->`` blocks."""
    shadow = 'style="box-shadow: 0 1px 2px #ccc"'
    assert check("client-support", team_wrote(f"<!--[if !mso]><!--><div {shadow}>x</div><!--<![endif]-->"), clients=WINDOWS_MAIL) == []
    (finding,) = check("client-support", team_wrote(f"<!--[if mso]><div {shadow}>x</div><![endif]-->"), clients=WINDOWS_MAIL)
    assert finding.message.startswith("box-shadow is not supported by Outlook (Windows Mail) (caniemail")
    assert check("client-support", team_wrote('<span style="visibility: hidden; mso-hide: all">x</span>'), clients=WINDOWS_MAIL) == []


# -- rtl-layout: what to do, per kind of problem (_EXPECTED) -------------------------------------------

AR = email(page("<h1>طلبك</h1>", lang="ar", dir="rtl"), locale="ar")


@pytest.mark.parametrize(("kind", "expected"), [
    ("document-ltr", 'dir="rtl" on <html> and <body> (MJML: <mjml dir="rtl">) for a right-to-left language'),
    ("table-ltr", 'the table right to left: dir="rtl" (MJML: direction="rtl" on mj-section and mj-column)'),
    ("block-ltr", 'right-to-left text in a right-to-left block: dir="rtl", or dir="auto" for a value'),
    ("align-left", 'right-to-left text aligned right (text-align: right or start; MJML: align="right")'),
    ("reordered", 'the number kept in its order: <span dir="ltr"> around it (a value that may hold letters too: the bdi filter)'),
    ("a-new-kind", "right-to-left layout"),
])
def test_each_kind_of_wrong_direction_says_what_to_do(kind, expected):
    problem = {"kind": kind, "element": "td > p", "text": "", "detail": "it runs left to right"}
    (finding,) = check("rtl-layout", AR, measured={"mobile": {"direction": [problem]}})
    assert finding.expected == expected
