"""``bidi-isolation``: a value carrying bidirectional controls is shown isolated (``<bdi>`` or an
element of its own with ``dir``, and between U+2068/U+2069 in the text part)."""

from __future__ import annotations

from harness.rules import Finding

from .build import check, email, fixture, page

SPOOF = "Maryam \u202eexe.live"
FSI, PDI = "\u2068", "\u2069"
MARYAM = fixture("en-rtl", name=SPOOF, city="London", orders=[{"id": "NW-1", "quantity": 2}])


def shown(html_name: str, text_name: str = f"{FSI}{SPOOF}{PDI}"):
    return email(page(f"<p>Hello {html_name}, your order NW-1</p>"), text=f"Hello {text_name}\n")


def html_error(path: str = "name") -> Finding:
    return Finding("bidi-isolation", "error", f"fixture field {path} carries bidirectional controls and is not isolated in the HTML",
                   f"the element showing {path}", '<span dir="auto"> around the value (the bdi filter)')


def text_error(path: str = "name") -> Finding:
    return Finding("bidi-isolation", "error", f"fixture field {path} carries bidirectional controls and is not isolated in the text part",
                   "text part", "U+2068 … U+2069 around the value: the isolate filter in NAME.txt (a derived text part gets them from the bdi filter)")


def test_a_value_isolated_in_html_and_text_passes():
    assert check("bidi-isolation", shown(f"<bdi>{SPOOF}</bdi>"), recipient=MARYAM) == []
    assert check("bidi-isolation", shown(f'<span dir="auto">{SPOOF}</span>'), recipient=MARYAM) == []
    assert check("bidi-isolation", shown(f'<span dir="auto"> {FSI}{SPOOF}{PDI} </span>'), recipient=MARYAM) == []


def test_a_value_not_isolated_in_the_html_is_an_error():
    assert check("bidi-isolation", shown(SPOOF), recipient=MARYAM) == [html_error()]
    assert check("bidi-isolation", shown(f"<b>{SPOOF}</b>"), recipient=MARYAM) == [html_error()]


def test_an_isolating_element_must_hold_the_value_alone():
    assert check("bidi-isolation", shown(f'<span dir="auto">Dear {SPOOF}</span>'), recipient=MARYAM) == [html_error()]


def test_every_place_showing_the_value_must_isolate_it():
    mail = email(page(f"<p><bdi>{SPOOF}</bdi></p><p>{SPOOF}</p>"), text=f"{FSI}{SPOOF}{PDI}")
    assert check("bidi-isolation", mail, recipient=MARYAM) == [html_error()]


def test_a_value_not_isolated_in_the_text_part_is_an_error():
    assert check("bidi-isolation", shown(f"<bdi>{SPOOF}</bdi>", SPOOF), recipient=MARYAM) == [text_error()]
    assert check("bidi-isolation", shown(f"<bdi>{SPOOF}</bdi>", f"{FSI}{SPOOF}"), recipient=MARYAM) == [text_error()]


def test_a_value_the_email_does_not_show_is_not_checked():
    mail = email(page("<p>Hello</p>"), text="Hello\n")
    assert check("bidi-isolation", mail, recipient=MARYAM) == []


def test_values_without_bidi_controls_need_no_isolation():
    plain = fixture("en-ada", name="Ada Lovelace", nickname="\u200fnot a control we look for")
    assert check("bidi-isolation", email(page("<p>Ada Lovelace</p>"), text="Ada Lovelace"), recipient=plain) == []


def test_each_field_with_controls_is_named():
    both = fixture("en-two", name=SPOOF, address={"line1": "12 \u2067Nile\u2069 Street"})
    mail = email(page(f"<p>{SPOOF}</p><p>12 \u2067Nile\u2069 Street</p>"), text="x")
    assert check("bidi-isolation", mail, recipient=both) == [html_error("name"), html_error("address.line1")]


# -- look-alikes ----------------------------------------------------------------------------------

PAYPAL = "P\u0430ypal Support"  # a Cyrillic "а" among Latin letters


def lookalike(severity: str = "warning") -> Finding:
    return Finding("bidi-isolation", severity, "fixture field inviter mixes Cyrillic and Latin letters in one word: 'P\u0430ypal' (a look-alike)",
                   "the element showing inviter", "letters of one script per word; a value someone else chose, shown marked as theirs")


def test_a_shown_value_mixing_look_alike_scripts_in_one_word_is_flagged_naming_the_field():
    invited = fixture("en-invited", inviter=PAYPAL)
    mail = email(page(f"<p>{PAYPAL} invited you</p>"))
    assert check("bidi-isolation", mail, recipient=invited) == [lookalike()]
    assert check("bidi-isolation", mail, recipient=invited, lookalikes="error") == [lookalike("error")]
    assert check("bidi-isolation", mail, recipient=invited, lookalikes=False) == []


def test_one_script_per_word_is_no_look_alike_and_an_unshown_value_is_not_judged():
    names = fixture("en-names", inviter="Paypal Support", city="Москва", mixed="Иван Smith", greek="Ωmega")
    mail = email(page("<p>Paypal Support, Москва, Иван Smith</p>"))
    assert check("bidi-isolation", mail, recipient=names) == []  # Ωmega is one Greek letter and Latin, but not shown
    assert check("bidi-isolation", email(page("<p>Hello</p>")), recipient=fixture("en-x", inviter=PAYPAL)) == []
