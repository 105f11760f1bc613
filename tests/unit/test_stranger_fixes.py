"""Defects a stranger found adopting email-harness in a team's repository (issues 23 and 26):
verdicts a team can trust, on repositories as they are."""

from __future__ import annotations

import pytest

from harness.rules import Finding

from .build import check, email, fixture, page, run

# -- 1. bracketed words are copy; placeholders are still leftovers -----------------------------

ADA = fixture("en-ada", first_name="Ada", order={"id": "NW-1"}, email="ada@example.com")


def leftovers(body: str, *, subject: str = "Your order NW-1", recipient=ADA) -> list[str]:
    """The messages of ``no-leftovers`` for an email with ``body`` and ``subject``."""
    mail = email(page(body), subject=subject, text="Hello Ada.\n")
    return [f.message for f in check("no-leftovers", mail, recipient=recipient)]


@pytest.mark.parametrize("subject", ["[Acme] Reset your password", "[Important] Your order", "[Action required] Confirm", "[Discourse Meta] [howto] Update"])
def test_a_bracketed_subject_prefix_is_copy(subject):
    assert leftovers("<p>Hello Ada</p>", subject=subject) == []
    assert check("subject", email(page('<div style="display:none">x</div><p>Hello</p>'), subject=subject, text="x")) == []


def test_bracketed_words_in_the_body_are_copy():
    body = "<p>[Important] Reply STOP to opt out.</p><p>[Acme Shop] Order [NW-1]</p><p>See [1] and [a note]</p>"
    assert leftovers(body) == []


@pytest.mark.parametrize("placeholder", ["[FIRST_NAME]", "[first_name]", "[order.id]", "[[name]]", "[#site_name#]",
                                         "[First Name]", "[firstName]", "[Order ID]", "[EMAIL]"])
def test_a_placeholder_is_still_a_leftover(placeholder):
    """A field name (``_`` or ``.`` between words), a double bracket, or words naming a field of
    the fixture, case and separators aside."""
    assert leftovers(f"<p>Hello {placeholder}</p>") == [f"{placeholder!r} in the HTML"]
    assert leftovers("<p>Hello Ada</p>", subject=f"Hi {placeholder}") == [f"{placeholder!r} in the subject"]


def test_a_field_of_another_fixture_names_a_placeholder_too():
    grace = fixture("en-grace", first_name="Grace", loyalty={"tier": "gold"})
    mail = email(page("<p>Your [Loyalty Tier] status</p>"), text="Hello.\n")
    assert [f.message for f in check("no-leftovers", mail, recipient=ADA, others=[grace])] == ["'[Loyalty Tier]' in the HTML"]
    assert check("no-leftovers", mail, recipient=ADA) == []


@pytest.mark.parametrize("phrase", ["[Product Name]", "[Sender Name]", "[Company Name, LLC]", "[email address]", "[Credit Card Statement Name]"])
def test_a_fill_me_in_phrase_of_a_postmark_template_is_a_leftover(phrase):
    """Postmark's starter templates mark the copy a team must replace this way."""
    assert leftovers(f"<p>Thanks for trying {phrase}.</p>") == [f"{phrase!r} in the HTML"]


def test_a_leftover_in_the_subject_is_reported_once_by_no_leftovers():
    """``subject`` no longer repeats it: one ``ignore`` entry accepts it."""
    mail = email(page('<div style="display:none">x</div><p>Hello</p>'), subject="Your order [order.id]", text="x\n")
    assert check("subject", mail, recipient=ADA) == []
    assert check("no-leftovers", mail, recipient=ADA) == [
        Finding("no-leftovers", "error", "'[order.id]' in the subject", "subject", "rendered values only")]
    assert run("no-leftovers", mail, recipient=ADA, ignore=[{"value": "[order.id]", "reason": "shown on purpose"}]) == []
