"""Promises of the content and ``no-foreign-data`` rules that surviving mutants showed untested:
a link in the text part after a non-link ``href`` (a font's ``<link>``), fixture data holding
numbers or blank values, and the recipient's id among the others."""

from __future__ import annotations

from .build import check, email, fixture, page

# -- text-part ----------------------------------------------------------------------------------


def test_a_missing_link_is_found_after_a_font_stylesheet_link_in_the_head():
    """MJML puts a font's ``<link href>`` in the head: it is no anchor, and the anchors after it
    are still looked for in the text part."""
    html = page('<p>Your parcel NW-1 ships.</p><a href="https://shop.example.com/track">Track it</a>',
                head='<link rel="stylesheet" href="https://fonts.example.com/css?family=Inter">')
    found = check("text-part", email(html, text="Your parcel NW-1 ships. Track it\n"))
    assert [f.message for f in found] == ["link https://shop.example.com/track is missing from the text part"]
    assert check("text-part", email(html, text="Your parcel NW-1 ships. Track it: https://shop.example.com/track\n")) == []


# -- no-foreign-data ----------------------------------------------------------------------------

#: A SaaS model whose plan and role are ordinary words (matched by the default ``*.name``, ``*.id``).
RESET = ("<p>Hi Ada,</p><p>Someone asked to reset the password of ada@example.org. If it was not you, tell your admin.</p>"
         "<p>Thanks, the Acme Team</p>")
GRACE = fixture("en-grace", name="Grace Hopper", email="grace@example.net", plan={"name": "Team"}, roles=[{"id": "admin"}])


def test_numbers_and_flags_in_the_recipients_data_do_not_break_the_ordinary_words_check():
    """Fixtures hold numbers and booleans (seats, a flag): judging "Team" and "admin" as the
    template's own words reads the recipient's string values only."""
    ada = fixture("en-ada", name="Ada Lovelace", email="ada@example.org", plan={"name": "Free", "seats": 5, "trial": True},
                  roles=[{"id": "member"}], balance=None)
    mail = email(page(RESET), subject="Reset your password", text="Hi Ada, tell your admin. Thanks, the Acme Team")
    assert check("no-foreign-data", mail, recipient=ada, others=[GRACE]) == []


def test_a_blank_value_of_the_recipient_is_not_shown_in_the_email():
    """Ada's plan name is blank: the email cannot show it, so Grace's "Team" there is the
    template's word, not Grace's plan standing where Ada's belongs."""
    ada = fixture("en-ada", name="Ada Lovelace", email="ada@example.org", plan={"name": " "}, roles=[{"id": ""}])
    mail = email(page(RESET), subject="Reset your password", text="Hi Ada, tell your admin. Thanks, the Acme Team")
    assert check("no-foreign-data", mail, recipient=ada, others=[GRACE]) == []
    # The check fires on the same email when Ada's plan is shown in it (the pair of this test).
    shown = fixture("en-ada", name="Ada Lovelace", email="ada@example.org", plan={"name": "Acme"}, roles=[{"id": ""}])
    assert [f.message for f in check("no-foreign-data", mail, recipient=shown, others=[GRACE])] == [
        "plan.name of another fixture (en-grace) appears in the HTML: 'Team'",
        "plan.name of another fixture (en-grace) appears in the text part: 'Team'",
    ]


def test_another_version_of_the_recipient_among_the_others_does_not_hide_a_third_fixtures_value():
    """A caller of the rules whose ``others`` hold the recipient's id again (an earlier version
    of its data): that one's values are the recipient's, and a third fixture with the same value
    is still reported."""
    ada = fixture("en-ada", name="Ada Lovelace", email="ada@example.org")
    earlier = fixture("en-ada", name="Ada Lovelace", email="ada@example.org", phone="+44 20 7946 0018")
    ben = fixture("en-ben", name="Ben Carter", email="ben@example.net", phone="+44 20 7946 0018")
    mail = email(page("<p>Hi Ada Lovelace, call +44 20 7946 0018.</p>"), subject="s", text="x")
    found = check("no-foreign-data", mail, recipient=ada, others=[earlier, ben])
    assert [f.message for f in found] == ["phone of another fixture (en-ben) appears in the HTML: '+44 20 7946 0018'"]
