"""Promises of ``no-leftovers``, ``images`` and ``message`` that survived mutation only because a
verdict was remembered: each test here starts from a clean memory (fresh fixture data for the
leftovers' memo, a cleared cache of address verdicts), so the code that decides runs again.

mutmut runs each mutant in a process forked after the unit tests ran once, with every module-level
cache as those tests left it: a test that reuses a module's fixture object, or an address another
test already checked, reads the original code's verdict and cannot see a mutant.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.rules import Finding
from harness.rules.builtin import message as message_rule

from .build import check, email, fixture, page
from .test_mut_message_rule import mail, raw, replaced


# -- no-leftovers: fill-me-in phrases, judged afresh ------------------------------------------------


def leftovers(body: str) -> list[str]:
    """The messages of ``no-leftovers`` for ``body``, with fixture data no other test has used:
    the verdicts on bracketed texts are remembered per fixture data."""
    fresh = fixture("en-ada", first_name="Ada", email="ada@example.com")
    return [f.message for f in check("no-leftovers", email(page(body), text="Hello Ada.\n"), recipient=fresh)]


@pytest.mark.parametrize("phrase", ["[Company Name, LLC]", "[Sender Name, Inc]"])
def test_a_fill_me_in_phrase_followed_by_a_comma_is_a_leftover(phrase):
    """Postmark writes ``[Company Name, LLC]``: the phrase is what comes before the comma."""
    assert leftovers(f"<p>Sent by {phrase}.</p>") == [f"{phrase!r} in the HTML"]


@pytest.mark.parametrize("phrase", ["[Your email address]", "[Credit Card Statement Name]", "[Your account ID]"])
def test_a_fill_me_in_phrase_of_three_words_or_more_ends_in_its_slot_noun(phrase):
    """Only the last word is the slot noun: "email address" is not one, "address" is."""
    assert leftovers(f"<p>Write to {phrase}.</p>") == [f"{phrase!r} in the HTML"]


def test_bracketed_copy_whose_last_word_is_no_slot_noun_stays_copy():
    """The other side of the two tests above: the rule does not flag every bracketed phrase."""
    assert leftovers("<p>[Name your price today] and [Save the date, friends]</p>") == []


# -- images: an image without src and alt ---------------------------------------------------------


@pytest.mark.parametrize("other_src", ["None", "XXXX"])
def test_an_image_without_src_or_alt_is_reported_whatever_the_other_images_are(other_src):
    """An image without ``src`` has no address to match an alt the author wrote elsewhere: an
    image whose address happens to read "None" (a value that rendered as nothing) does not lend
    it its alt."""
    html = page(f'<img src="{other_src}" alt="Logo" width="10"><img width="10">')
    no_alt = [f for f in check("images", email(html)) if f.message == "image has no alt attribute"]
    assert [f.element for f in no_alt] == ["img"]


# -- message: addresses, checked for syntax only --------------------------------------------------


@pytest.fixture
def fresh_verdicts() -> Iterator[None]:
    """Address verdicts are remembered per process; each test here judges its addresses again."""
    message_rule._invalid.cache_clear()
    yield
    message_rule._invalid.cache_clear()


def test_a_valid_address_at_a_domain_without_mail_is_valid(fresh_verdicts, monkeypatch):
    """Syntax only: no DNS query (a test run offline, or at an example domain that receives no
    mail, gives the same verdict as one online)."""
    import email_validator.deliverability as deliverability

    def no_dns(*args: object, **kwargs: object) -> None:
        raise AssertionError("the message rule looked up a domain in DNS")

    monkeypatch.setattr(deliverability, "validate_email_deliverability", no_dns)
    headers = replaced("To", "Ada <ada@no-mail.example.net>") + (("Reply-To", "Help <help@no-mail.example.org>"),)
    assert check("message", mail(raw(headers))) == []


def test_an_invalid_address_is_reported_with_email_validators_reason(fresh_verdicts):
    (finding,) = check("message", mail(raw(replaced("To", "Ada <ada@@mutant.example.net>"))))
    assert finding == Finding("message", "error",
                              "To address 'ada@@mutant.example.net' is not valid: "
                              "The part after the @-sign contains invalid characters: '@'.",
                              "header To", "a valid address (RFC 5322)")

