"""Every locale and the text part: translations complete, a fallback locale said out loud,
bidirectional spoofing isolated, and a text part that says what the HTML says, readably."""

from __future__ import annotations

import pytest

from harness.cases import Case


def test_the_derived_text_part_writes_links_readably(render):
    text = render("welcome", "en-new-account").text
    assert text.startswith("Northwind Shop <https://shop.example.com>\n")  # the linked logo, by its alt text
    assert "Start shopping <https://shop.example.com>" in text
    assert "](" not in text and "[[" not in text  # no broken markdown
    assert "help@shop.example.com <" not in text  # a mailto link whose text is the address: once


def test_a_hand_written_text_part_that_drops_a_fact_of_the_html_fails(sandbox):
    case = "password_reset[en-new-account]"
    assert not [f for f in sandbox.check(case).findings if f.rule == "text-part"]
    sandbox.edit("templates/password_reset.txt", "{{ t.intro }} {{ requested_at | datetime }}.", "{{ t.intro }}.")
    messages = [f.message for f in sandbox.check(case).findings if f.rule == "text-part"]
    assert any("is in the HTML but not in the text part" in m and "2026" in m for m in messages), messages


def test_a_preheader_does_not_count_as_text_the_reader_sees(sandbox):
    """The hidden preheader shows in the inbox, not in the email: it need not be in the text part."""
    result = sandbox.check("order_confirmation[en-one-order]")
    assert not [f for f in result.findings if f.rule == "text-part"]


@pytest.mark.parametrize("severity", ["note", "error"])
def test_a_fixture_in_a_locale_the_template_does_not_offer_is_said_out_loud(sandbox, severity):
    if severity == "error":
        sandbox.edit("templates/_catalog.yaml", "default_locale: en", "default_locale: en\nlocale_fallback: error")
    result = sandbox.check("service_update[de-minimal]")
    (finding,) = [f for f in result.findings if f.rule == "locale"]
    assert (finding.severity, finding.message) == (severity, "sent in en: de not offered")
    assert result.ok == (severity == "note")


def test_a_name_with_a_right_to_left_override_is_isolated_or_the_case_fails(sandbox):
    """The fixture's name hides "evil.exe" behind U+202E: shown as is, it reads "exe.live"."""
    case = "order_confirmation[en-rtl]"
    assert not [f for f in sandbox.check(case).findings if f.rule == "bidi-isolation"]  # the bundled template isolates it
    sandbox.edit("templates/order_confirmation.mjml", '<p data-field="address">{{ account.name | bdi }}', '<p data-field="address">{{ account.name }}')
    messages = [f.message for f in sandbox.check(case).findings if f.rule == "bidi-isolation"]
    assert messages == [
        "fixture field name carries bidirectional controls and is not isolated in the HTML",
        "fixture field name carries bidirectional controls and is not isolated in the text part",
    ]
    email = sandbox.engine().render(Case.parse(case))
    assert '<span dir="auto">\u2068' not in email.html


def test_the_bdi_filter_escapes_what_it_isolates(render):
    from harness.render.jinja import new_environment, render_jinja

    out = render_jinja(new_environment(__import__("pathlib").Path(".")), source="{{ v | bdi }}", context={"v": "<b>x"}, where="t")
    assert out == '<span dir="auto">\u2068&lt;b&gt;x\u2069</span>'


@pytest.mark.parametrize(("locale", "direction"), [
    ("ar", "rtl"), ("he", "rtl"), ("fa_IR", "rtl"), ("ur", "rtl"), ("ckb", "rtl"), ("yi", "rtl"),
    ("en", "ltr"), ("de_CH", "ltr"), ("en-XA", "ltr"), ("zz", "ltr"),
])
def test_the_direction_of_a_language_comes_from_cldr(locale, direction):
    """Templates get ``dir`` from it, and ``rtl-layout`` judges the emails it says are rtl."""
    from harness.render.formatting import text_direction

    assert text_direction(locale) == direction


def test_the_derived_text_part_keeps_an_inline_direction_as_a_unicode_isolate():
    """A phone number in <span dir="ltr"> inside Arabic keeps its order in a plain-text reader too."""
    from harness.render.text import html_to_text

    html = ('<html dir="rtl"><body><p>اتصل بنا على <span dir="ltr">+44 20 7946 0000</span>'
            ' أو <span dir="auto">\u2068Leila\u2069</span><span dir="ltr"> </span></p></body></html>')
    assert html_to_text(html) == "اتصل بنا على \u2066+44 20 7946 0000\u2069 أو \u2068Leila\u2069\n"
    assert html_to_text(html.replace(' dir="ltr"', "")) == "اتصل بنا على +44 20 7946 0000 أو \u2068Leila\u2069\n"
