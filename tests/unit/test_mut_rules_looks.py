"""The rules about how mail clients and the browser show an email (``client-support``,
``images-off``, ``text-fits``, ``rtl-layout``): each value that decides a verdict or writes a
finding's words, pinned by its effect (issue 25: what mutation testing showed unguarded, and the
module-level lists mutmut does not mutate)."""

from __future__ import annotations

import pytest

from harness.rules.builtin.client_support import caniemail, used_features

from .build import check, email, lacking, page  # noqa: F401 - lacking is a fixture

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


# -- client-support: fallbacks, judged for a client lacking exactly the features a test names -------

def found(source: str, clients: dict[str, list[str]]) -> list[str]:
    """The elements client-support reports in a team-written ``source``."""
    return [f.element for f in check("client-support", team_wrote(source), clients=clients)]


HIDING = [
    ("font-size: 1px", "css-font-size"), ("font-size: 0", "css-font-size"), ("line-height: 1px !important", "css-line-height"),
    ("line-height: 0px", "css-line-height"), ("visibility: hidden", "css-visibility"), ("visibility: collapse", "css-visibility"),
    ("opacity: 0", "css-opacity"), ("opacity: 0.0 !important", "css-opacity"), ("overflow: hidden", "css-overflow"),
    ("height: 0", "css-height"), ("max-height: 0", "css-max-height"), ("width: 0", "css-width"), ("max-width: 0 !important", "css-max-width"),
]


@pytest.mark.parametrize(("declaration", "slug"), HIDING)
def test_a_hiding_declaration_beside_display_none_is_a_fallback(lacking, declaration, slug):
    clients = lacking(slug)
    assert found(f'<span style="display: none; {declaration}">x</span>', clients) == []
    assert found(f'<span style="{declaration}">x</span>', clients) == [declaration]


@pytest.mark.parametrize(("declaration", "slug"), [
    ("font-size: 2px", "css-font-size"), ("line-height: 1.5", "css-line-height"), ("float: none", "css-float"),
    ("background: transparent", "css-background"), ("border-collapse: collapse", "css-border-collapse"),
    ("transition: all", "css-transition"), ("text-overflow: hidden", "css-text-overflow"), ("width: 10px", "css-width"),
    ("opacity: 0.5", "css-opacity"),
])
def test_a_declaration_that_does_not_hide_is_read_beside_display_none(lacking, declaration, slug):
    assert found(f'<span style="display: none; {declaration}">x</span>', lacking(slug)) == [declaration]


def test_display_none_hides_only_where_the_client_supports_it(lacking):
    both = '<span style="display: none; visibility: hidden">x</span>'
    assert found(both, lacking("css-visibility")) == []
    assert found(both, lacking("css-display-none", "css-visibility")) == ["display: none", "visibility: hidden"]


@pytest.mark.parametrize(("lacks", "excused"), [("css-opacity", "opacity: 0"), ("css-visibility", "visibility: hidden")])
def test_visibility_and_opacity_are_fallbacks_for_each_other(lacking, lacks, excused):
    assert found('<span style="visibility: hidden; opacity: 0">x</span>', lacking(lacks)) == []
    assert found(f'<span style="{excused}">x</span>', lacking(lacks)) == [excused]


@pytest.mark.parametrize("collapse", ["height: 0", "max-height: 0"])
def test_a_collapsed_box_with_overflow_hidden_hides_where_both_are_supported(lacking, collapse):
    source = f'<div style="opacity: 0; {collapse}; overflow: hidden">x</div>'
    assert found(source, lacking("css-opacity")) == []
    assert found(source, lacking("css-opacity", "css-overflow")) == ["opacity: 0", "overflow: hidden"]
    assert sorted(found(source, lacking("css-opacity", f"css-{collapse.split(':')[0]}"))) == sorted(["opacity: 0", collapse])
    assert found(f'<div style="opacity: 0; {collapse}">x</div>', lacking("css-opacity")) == ["opacity: 0"]  # no overflow: hidden


@pytest.mark.parametrize("prop", ["min-width", "max-width", "min-height", "max-height"])
def test_a_size_limit_equal_to_the_size_is_no_finding(lacking, prop):
    size = prop.split("-")[1]
    clients = lacking(f"css-{prop}")
    assert found(f'<img src="x.png" style="{prop}: 48px" {size.upper()}="48">', clients) == []
    assert found(f'<img src="x.png" style="{prop}: 48.0px !important" {size}=48>', clients) == []
    assert found(f'<img src="x.png" style="{size}: 48px; {prop}: 48px">', clients) == []
    assert found(f'<img src="x.png" style="{size}: 48px; {prop}: 48px">', lacking(f"css-{prop}", f"css-{size}")) == sorted([f"{size}: 48px", f"{prop}: 48px"])
    assert found(f'<img src="x.png" style="{prop}: 48px" {size}="64">', clients) == [f"{prop}: 48px"]


def test_border_spacing_zero_is_no_finding_beside_cellspacing_or_a_supported_collapse(lacking):
    clients = lacking("css-border-spacing")
    assert found('<table style="border-spacing: 0" CELLSPACING="0"><tr><td>x</td></tr></table>', clients) == []
    assert found('<table style="border-spacing: 0" cellspacing=0><tr><td>x</td></tr></table>', clients) == []
    collapse = '<table style="border-spacing: 0; border-collapse: collapse"><tr><td>x</td></tr></table>'
    assert found(collapse, clients) == []
    assert found(collapse, lacking("css-border-spacing", "css-border-collapse")) == ["border-collapse: collapse", "border-spacing: 0"]
    assert found('<table style="padding: 0" cellspacing="0"><tr><td>x</td></tr></table>', lacking("css-padding")) == ["padding: 0"]


def test_width_auto_matters_only_against_a_width_attribute(lacking):
    clients = lacking("css-width")
    assert found('<img src="x.png" style="width: auto">', clients) == []
    assert found('<img src="x.png" WIDTH="600" style="width: auto">', clients) == ["width: auto"]


# -- client-support: where clients never read what the team wrote ----------------------------------

EVERY_KIND = (
    '<video src="a.mp4"></video><img src="https://cdn.example/a.webp"><map name="m"><area></map><input type="checkbox">'
    '<p style="width: calc(100% - 2px)">x</p><mj-style>@font-face { font-family: X } '
    "@media (prefers-color-scheme: dark) { .b { color: red } }</mj-style>"
)


def test_markup_only_outlook_reads_is_no_finding_for_other_clients(lacking):
    clients = lacking("html-video", "image-webp", "html-image-maps", "html-input-checkbox", "css-unit-calc", "css-at-font-face",
                      "css-at-media-prefers-color-scheme")
    everything = ["<video>", "https://cdn.example/a.webp", "<map>", "<input type=checkbox>", "calc()", "@font-face",
                  "@media (prefers-color-scheme)"]
    assert sorted(found(EVERY_KIND, clients)) == sorted(everything)
    assert found(f"<!--[if mso]>{EVERY_KIND}<![endif]-->", clients) == []
    assert found(f"<!-- {EVERY_KIND} -->", clients) == []


def test_what_a_dark_mode_query_holds_matters_only_where_the_query_is_read(lacking):
    dark = "<mj-style>@media (prefers-color-scheme: dark) { .badge { position: absolute } }</mj-style>"
    assert found(dark, lacking("css-position", "css-at-media-prefers-color-scheme")) == ["@media (prefers-color-scheme)"]
    assert found(dark, lacking("css-position")) == ["position: absolute"]


def test_css_comments_are_read_by_no_client(lacking):
    clients = lacking("css-position", "css-float")
    css = "<mj-style>/* .a { position: absolute } */ .b { float: left } /* .c { position: fixed } */</mj-style>"
    assert found(css, clients) == ["float: left"]
    assert found('<p style="/* position: absolute; */ float: left">x</p>', clients) == ["float: left"]
    assert found("<mj-style>.b { float: left } /* .a { position: absolute }</mj-style>", clients) == ["float: left", "position: absolute"]


def test_html_comments_are_skipped_from_the_first_character_to_the_last(lacking):
    clients = lacking("css-position", "css-float")
    assert found('<!-- <p style="position: absolute">a</p> --><p style="float: left">b</p>', clients) == ["float: left"]
    assert found('<!----><p style="float: left">b</p><!-- x --><!-- <p style="position: fixed">c</p> -->', clients) == ["float: left"]
    assert found('<p style="float: left">b</p><!-- <p style="position: fixed">c</p>', clients) == ["float: left", "position: fixed"]
    conditional = ('<!--[if mso]><p style="float: left">a</p><![endif]--><p style="position: absolute">b</p>'
                   '<!--[if mso]><p style="float: right">c</p><![endif]-->')
    assert found(conditional, clients) == ["position: absolute"]


def test_rules_after_a_declaration_outside_any_rule_are_read(lacking):
    clients = lacking("css-position", "css-float")
    assert found("<mj-style>.a { float: left } .b { position: absolute }</mj-style>", clients) == ["float: left", "position: absolute"]
    assert found("<mj-style>@import url(x.css); .b { position: absolute }</mj-style>", clients) == ["position: absolute"]
    nested = "<mj-style>@media screen { .a { float: left } .b { position: absolute } } .c { float: none }</mj-style>"
    assert found(nested, clients) == ["float: left", "position: absolute"]


# -- images-off: counting words, judging pictures and their alt text ------------------------------

MAIL = email(page("<h1>Your order</h1>"))
LIVE = "Thank you for your order. We have received it and will email you again as soon as it ships to you."
BANNER = {"element": "td > img", "src": "https://cdn/sale.png", "alt": "Half price on every gift card until Sunday",
          "width": 600, "height": 300, "visible": True, "declared": [600, 300]}
GOT = "the words of the image in live text too: with images off readers get at most the alt text"


def images_off(*images: dict, text: str = LIVE, viewport: str = "mobile-images-off", **options) -> list:
    return check("images-off", MAIL, measured={viewport: {"images": {"text": text, "images": list(images)}}}, **options)


def test_every_live_word_counts_one_letter_ones_too():
    (finding,) = images_off({**BANNER, "alt": ""}, text="I got a 5 € gift")
    assert finding.message == "with images off (mobile-images-off) the email shows 5 words beside 1 blocked picture(s): 'I got a 5 € gift'"
    assert finding.expected == "the message in live text (at least 20 words), not in pictures"


@pytest.mark.parametrize(("words", "fails"), [(19, True), (20, False)])
def test_twenty_live_words_beside_a_picture_are_enough_by_default(words, fails):
    assert bool(images_off({**BANNER, "alt": ""}, text=" ".join(["word"] * words))) is fails


def test_few_words_are_said_once_with_at_most_three_pictures_and_120_characters():
    long_words = " ".join(["Supercalifragilistic"] * 10)
    pictures = [{**BANNER, "alt": "", "element": f"tr:nth-child({n}) img"} for n in range(1, 5)]
    measured = {v: {"images": {"text": long_words, "images": pictures}} for v in ("desktop-images-off", "mobile-images-off")}
    (finding,) = check("images-off", MAIL, measured=measured)
    assert finding.message == f"with images off (desktop-images-off) the email shows 10 words beside 4 blocked picture(s): {long_words[:120]!r}"
    assert finding.element == "tr:nth-child(1) img; tr:nth-child(2) img; tr:nth-child(3) img"


def test_a_measurement_without_text_sizes_or_element_names_is_still_judged():
    """A blocked image counts by its declared size when it drew no box; "img" stands for an element
    the probe could not name."""
    (finding,) = check("images-off", MAIL, measured={"mobile-images-off": {"images": {
        "images": [{"alt": "", "visible": True, "declared": [600, 400]}]}}})
    assert finding.message == "with images off (mobile-images-off) the email shows 0 words beside 1 blocked picture(s): ''"
    assert finding.element == "img"
    assert check("images-off", MAIL, measured={"mobile-images-off": {"images": {"text": "Hello"}}}) == []


def test_a_viewport_measured_wrongly_does_not_stop_the_others_being_judged():
    measured = {"desktop-images-off": {"images": "not measured"}, "mobile-images-off": {"images": {"text": "Hi", "images": [{**BANNER, "alt": ""}]}}}
    assert [f.message.split(")")[0] for f in check("images-off", MAIL, measured=measured)] == ["with images off (mobile-images-off"]


def test_a_picture_counts_by_its_declared_width_and_height():
    blocked = {**BANNER, "width": 95, "height": 18, "declared": [600, 40]}  # drawn as its alt text
    assert [f.message.split(":")[0] for f in images_off(blocked)] == ["a message only in an image (mobile-images-off)"]
    assert len(images_off({**blocked, "alt": ""}, text="Unsubscribe · Help")) == 1  # 24,000 px² declared: a picture


def test_an_alt_text_message_is_judged_by_its_words_of_three_letters_or_more():
    four = {**BANNER, "alt": "Get our new app"}
    (finding,) = images_off(four)
    assert finding.message == "a message only in an image (mobile-images-off): alt 'Get our new app'; 4 of its 4 words are nowhere in the text"
    assert (finding.element, finding.expected) == ("td > img", GOT)
    assert images_off(four, text_words=5) == []
    assert images_off({**BANNER, "alt": "to be or not on at by me"}) == []  # words of two letters prove nothing
    assert images_off({**BANNER, "alt": None}, text_words=1) == []  # no alt text: nothing to judge


def test_an_alt_text_counts_when_more_than_half_its_words_are_missing():
    assert images_off({**BANNER, "alt": "Your order leaves tomorrow"}) == []  # 'your', 'order' are in the text: 2 of 4 missing
    (finding,) = images_off({**BANNER, "alt": "Your parcel leaves tomorrow"})
    assert "3 of its 4 words are nowhere in the text" in finding.message


def test_each_image_is_judged_once_and_hidden_or_narrow_ones_not_at_all():
    hidden = {**BANNER, "visible": False, "element": "div.hidden img"}
    logo = {**BANNER, "width": 140, "height": 40, "declared": [140, 40], "element": "a > img"}
    measured = {v: {"images": {"text": LIVE, "images": [hidden, logo, BANNER]}} for v in ("desktop-images-off", "mobile-images-off")}
    assert [f.element for f in check("images-off", MAIL, measured=measured)] == ["td > img"]


def test_a_long_alt_text_is_quoted_to_120_characters_and_an_unnamed_image_is_img():
    alt = "Half price on every gift card until Sunday " * 4
    unnamed = {k: v for k, v in BANNER.items() if k != "element"}
    (finding,) = images_off({**unnamed, "alt": alt})
    assert finding.message.startswith(f"a message only in an image (mobile-images-off): alt {alt[:120]!r}; ")
    assert finding.element == "img"


# -- text-fits: what a finding says ------------------------------------------------------------------

def test_a_text_fits_finding_says_everything_a_reader_needs():
    problem = {"kind": "overflows-box", "element": "td > div", "text": "Bestellbestätigung", "by": 37, "width": 240}
    (finding,) = check("text-fits", MAIL, measured={"desktop": {"overflow": [problem]}, "mobile": {"overflow": [problem]}})
    assert finding.message == "'Bestellbestätigung' overflows its 240 px box by 37 px in desktop, mobile"
    assert finding.expected == (
        "text that wraps inside its column at 375 px, 800 px: no white-space: nowrap on words that get translated, "
        "no fixed widths or heights around text, and long words allowed to break (overflow-wrap: anywhere)"
    )


def test_a_measurement_missing_parts_still_reads():
    (unknown, box, tall) = check("text-fits", MAIL, measured={"mobile": {"overflow": [
        {"kind": "a-new-kind"}, {"kind": "overflows-box", "element": "p"}, {"kind": "clipped-height", "element": "p"}]}})
    assert (unknown.message, unknown.element) == ("'this element' does not fit by ? px in mobile", "")
    assert box.message == "'this element' overflows its ? px box by ? px in mobile"
    assert tall.message == "'this element' is cut off at the bottom: ? px of it hidden by its ? px tall box in mobile"


def test_each_kind_and_element_is_its_own_finding():
    problems = [{"kind": "overflows-box", "element": "p", "by": 1, "width": 9}, {"kind": "clipped", "element": "p", "by": 1, "width": 9},
                {"kind": "clipped", "element": "td", "by": 1, "width": 9}]
    assert [f.element for f in check("text-fits", MAIL, measured={"mobile": {"overflow": problems}})] == ["p", "p", "td"]


# -- rtl-layout: one finding per problem, the text it is about, the document's own finding ----------

def direction(*problems: dict) -> list:
    return check("rtl-layout", AR, measured={"mobile": {"direction": list(problems)}})


def test_problems_differing_in_kind_element_or_detail_are_each_a_finding():
    base = {"kind": "block-ltr", "element": "p", "text": "", "detail": "runs left to right"}
    found = direction(base, {**base, "kind": "align-left"}, {**base, "element": "div"}, {**base, "detail": "aligned left"})
    assert [(f.element, f.message) for f in found] == [
        ("p", "runs left to right (ar, mobile)"), ("p", "runs left to right (ar, mobile)"), ("div", "runs left to right (ar, mobile)"),
        ("p", "aligned left (ar, mobile)")]


def test_the_text_a_block_holds_is_quoted_but_a_reordered_numbers_is_in_its_detail():
    (block, number) = direction({"kind": "block-ltr", "element": "div", "text": "مرحبا", "detail": "runs left to right"},
                                {"kind": "reordered", "element": "p", "text": "اتصل", "detail": "'+44 20' shows as '20 +44'"})
    assert block.message == "runs left to right (ar, mobile): 'مرحبا'"
    assert number.message == "'+44 20' shows as '20 +44' (ar, mobile)"


def test_a_left_to_right_body_alone_is_its_own_finding():
    (body,) = direction({"kind": "document-ltr", "element": "body", "text": "", "detail": "<body> runs left to right"})
    assert (body.element, body.message) == ("body", "<body> runs left to right (ar, mobile)")


def test_the_document_finding_counts_what_it_makes_left_to_right_and_nothing_else_does():
    found = direction(
        {"kind": "document-ltr", "element": "html", "text": "", "detail": "<html> runs left to right"},
        {"kind": "document-ltr", "element": "body", "text": "", "detail": "<body> runs left to right"},
        {"kind": "block-ltr", "text": "شكرا", "detail": "right-to-left text runs left to right (direction: ltr from td > p)"},
    )
    assert [(f.element, f.message) for f in found] == [
        ("html", "<html> runs left to right, and with it 1 table(s) and block(s) (ar, mobile)"),
        ("", "right-to-left text runs left to right (direction: ltr from td > p) (ar, mobile): 'شكرا'"),
    ]
    only_the_document = direction({"kind": "document-ltr", "element": "html", "text": "", "detail": "<html> runs left to right"},
                                  {"kind": "document-ltr", "element": "body", "text": "", "detail": "<body> runs left to right"})
    assert [f.element for f in only_the_document] == ["html"]
