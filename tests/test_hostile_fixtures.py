"""Hostile fixture values are data: shown literally, escaped in HTML, never executed or interpreted."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from harness.cases import Case


@pytest.mark.parametrize(
    ("template", "fixture", "literal"),
    [
        ("order_confirmation", "en-hostile-html", "<script>alert('name')</script> Mallory <b>Bold</b>"),
        ("order_confirmation", "en-hostile-html", "\"><img src=x onerror=alert('addr')>"),
        ("order_confirmation", "en-hostile-html", "</mj-text><mj-raw><script>alert(2)</script></mj-raw>"),
        ("order_confirmation", "en-hostile-html", '<a href="https://evil.example">Free prize</a>'),
        ("sign_in_alert", "en-hostile-html", "<svg onload=alert(3)>"),
        ("sign_in_alert", "en-hostile-html", "{{ 7*7 }}"),
    ],
)
def test_markup_in_data_is_shown_as_text_not_as_markup(render, template, fixture, literal):
    email = render(template, fixture)
    doc = BeautifulSoup(email.html, "html.parser")
    assert literal in doc.get_text()  # visible, literally
    assert not doc.find("script") and not doc.find("svg") and not doc.select("img[onerror]")
    assert not doc.select('a[href="https://evil.example"]')


def test_jinja_syntax_in_a_name_is_not_evaluated(sandbox):
    """The name is put in the subject (no bundled subject shows it); the greeting shows its first
    word in HTML and text. Literally everywhere, never evaluated to 49."""
    name = "{{ 7*7 }} {% raw %}Jinja{% endraw %} ${7*7} <%= 7*7 %>"
    sandbox.edit("templates/data_incident_notice.yaml", 'subject: "{{ t.subject }}"', 'subject: "{{ t.subject }} ({{ account.name }})"')
    email = sandbox.engine().render(Case("data_incident_notice", "en-jinja-name"))
    assert email.subject == f"Your email address was exposed: what happened and what to do ({name})"
    assert "Hello {{," in email.text  # the first name, literally
    assert "Hello {{," in BeautifulSoup(email.html, "html.parser").get_text()
    for part in (email.subject, email.text, BeautifulSoup(email.html, "html.parser").get_text()):
        assert "49" not in part


def test_right_to_left_text_and_emoji_survive(render):
    email = render("order_confirmation", "en-rtl")
    assert "مريم الحسيني" in email.html and "🌴" in email.html
    # The right-to-left override is kept as the customer's data, inside its own element.
    assert "\u202e" in BeautifulSoup(email.html, "html.parser").select_one("[data-field=address]").get_text()


def test_a_200_character_name_renders_whole(render, bundled):
    name = bundled.fixtures.fixtures["it-emoji-long-name"].data.name
    assert len(name) >= 200
    assert name in render("order_confirmation", "it-emoji-long-name").text


def test_empty_optional_fields_leave_no_gaps(render):
    email = render("password_reset", "de-minimal")
    assert email.outcome == "sent"
    assert "Hallo Ute," in email.text and "None" not in email.text
