"""``approved-copy`` and ``incident-notice``: wording that must read as approved, and what a
data-breach notice must say (GDPR Art. 34)."""

from __future__ import annotations

import pytest

from harness.rules import Finding

from .build import check, email, page

# -- approved-copy ---------------------------------------------------------------------------

SCAM = "Gift cards are for gifts. Nobody from Northwind will ask you to pay with one."
COPY = {"scam_warning": SCAM}


def warned(html_copy: str = SCAM, text: str = f"Hello\n{SCAM}\n"):
    return email(page(f'<p>Hello</p><p data-copy="scam_warning">{html_copy}</p>'), text=text)


def test_the_approved_paragraph_in_html_and_text_passes():
    assert check("approved-copy", warned(), approved_copy=COPY, blocks=["scam_warning"]) == []


def test_line_breaks_and_indentation_do_not_matter():
    reflowed = "Gift cards are for gifts.\n     Nobody from Northwind will ask\nyou to pay with one."
    assert check("approved-copy", warned(reflowed, text=f"{reflowed}\n"), approved_copy=COPY, blocks=["scam_warning"]) == []


def test_an_altered_paragraph_in_the_html_is_an_error_with_the_words_that_differ():
    altered = SCAM.replace("are for gifts", "are great gifts")
    found = check("approved-copy", warned(altered), approved_copy=COPY, blocks=["scam_warning"])
    assert found == [Finding("approved-copy", "error", "'scam_warning' differs from the approved copy: ...Gift cards are [-for-]{+great+}...",
                             "[data-copy=scam_warning]", "templates/_copy/en.yaml: scam_warning")]


def test_the_text_part_is_checked_too():
    found = check("approved-copy", warned(text="Hello\nGift cards are for gifts.\n"), approved_copy=COPY, blocks=["scam_warning"])
    assert found == [Finding("approved-copy", "error", "approved paragraph 'scam_warning' missing or altered in the text part",
                             "text part", SCAM[:80] + "...")]


def test_a_missing_paragraph_is_an_error():
    mail = email(page("<p>Hello</p>"), text=f"{SCAM}\n")
    assert check("approved-copy", mail, approved_copy=COPY, blocks=["scam_warning"]) == [
        Finding("approved-copy", "error", "approved paragraph 'scam_warning' missing from the HTML", "[data-copy=scam_warning]", SCAM[:80] + "...")
    ]


def test_every_copy_of_the_paragraph_is_checked():
    mail = email(page(f'<p data-copy="scam_warning">{SCAM}</p><p data-copy="scam_warning">Gift cards are fun.</p>'), text=SCAM)
    found = check("approved-copy", mail, approved_copy=COPY, blocks=["scam_warning"])
    assert [f.message.split(":")[0] for f in found] == ["'scam_warning' differs from the approved copy"]


def test_a_block_without_approved_copy_for_the_locale_is_an_error():
    found = check("approved-copy", warned(), approved_copy={}, blocks=["scam_warning"])
    assert found == [Finding("approved-copy", "error", "no approved copy 'scam_warning' for locale en", "_copy/en.yaml", "")]


def test_no_blocks_no_check():
    assert check("approved-copy", email(page("<p>Hi</p>"), text="Hi"), approved_copy=COPY) == []


# -- incident-notice -------------------------------------------------------------------------

WORDS = "one two three four five six seven eight nine ten"
SECTIONS = {
    "what-happened": f"On 27 October 2026 a newsletter showed every address: {WORDS}.",
    "which-data": f"Your email address and your name, nothing else: {WORDS}.",
    "consequences": f"You may receive more spam or phishing emails now: {WORDS}.",
    "what-we-did": f"We asked every recipient to delete the message: {WORDS}.",
    "what-you-can-do": f"Be careful with emails that mention this incident: {WORDS}.",
    "contact": f"Our data protection officer answers at dpo@shop.example.com: {WORDS}.",
}


def notice(**changes: str | None):
    sections = {**SECTIONS, **changes}
    body = "".join(f'<div data-section="{name}"><p>{text}</p></div>' for name, text in sections.items() if text is not None)
    return email(page(body))


def missing(name: str) -> Finding:
    return Finding("incident-notice", "error", f"the notice does not say {name.replace('-', ' ')}", f"[data-section={name}]", "a section with that content")


def test_a_complete_notice_passes():
    assert check("incident-notice", notice()) == []


@pytest.mark.parametrize("name", list(SECTIONS))
def test_each_section_is_required(name):
    assert check("incident-notice", notice(**{name: None})) == [missing(name)]


def test_a_section_needs_ten_words_by_default():
    nine = "Your email address was shown to other customers today."
    assert len(nine.split()) == 9
    assert check("incident-notice", notice(**{"which-data": nine})) == [
        Finding("incident-notice", "error", "section 'which-data' has 9 words", "[data-section=which-data]", "at least 10 words in plain language")
    ]
    assert check("incident-notice", notice(**{"which-data": nine + " Sorry."})) == []


def test_min_words_sets_the_minimum():
    assert [f.message for f in check("incident-notice", notice(), min_words=12)] == []
    assert [f.message for f in check("incident-notice", notice(**{"which-data": "Your email address."}), min_words="3")] == []
    assert [f.message for f in check("incident-notice", notice(**{"which-data": "Your email."}), min_words=3)] == ["section 'which-data' has 2 words"]


def test_what_happened_must_give_a_date():
    undated = f"A newsletter showed every address to others: {WORDS}."
    assert check("incident-notice", notice(**{"what-happened": undated})) == [
        Finding("incident-notice", "error", "section 'what-happened' gives no date", "[data-section=what-happened]", "when it happened")
    ]
    for dated in (f"In 1999 it happened: {WORDS}", f"Last week, 2026-10-27: {WORDS}"):
        assert check("incident-notice", notice(**{"what-happened": dated})) == []
    assert check("incident-notice", notice(**{"what-happened": f"Order 120261 was shown: {WORDS}"})) != []


def test_the_contact_section_must_give_an_email_or_phone():
    nowhere = f"Our data protection officer will gladly answer your questions: {WORDS}."
    assert check("incident-notice", notice(contact=nowhere)) == [
        Finding("incident-notice", "error", "section 'contact' names no email address or phone number", "[data-section=contact]", "a contact point")
    ]
    for reachable in (f"Call +44 20 7946 0000: {WORDS}", f"Call 0800 123 456: {WORDS}", f"Write to dpo@shop.example.com: {WORDS}"):
        assert check("incident-notice", notice(contact=reachable)) == []


def test_a_mailto_or_tel_link_counts_as_a_contact():
    for href in ("mailto:dpo@shop.example.com", "tel:+442079460000"):
        body = "".join(f'<div data-section="{n}"><p>{t}</p></div>' for n, t in SECTIONS.items() if n != "contact")
        body += f'<div data-section="contact"><p>Our data protection officer answers <a href="{href}">here</a>: {WORDS}</p></div>'
        assert check("incident-notice", email(page(body))) == []


def test_the_date_and_contact_checks_belong_to_their_own_sections():
    swapped = notice(**{"what-happened": SECTIONS["contact"], "contact": SECTIONS["what-happened"]})
    assert [f.message for f in check("incident-notice", swapped)] == [
        "section 'what-happened' gives no date", "section 'contact' names no email address or phone number",
    ]


VAGUE_EXPECTED = "say concretely what happened, to which data, and when (or vague: warning in the rule's options)"


def test_a_vague_phrase_is_an_error_even_in_a_notice_with_every_section():
    """A notice can have a date and an address in every section and still say "technical error"."""
    vague = notice(consequences=f"Due to a Technical Error, you may receive more spam: {WORDS}.")
    assert check("incident-notice", vague) == [
        Finding("incident-notice", "error", "vague phrase 'technical error' in the notice", "HTML", VAGUE_EXPECTED)
    ]


def test_vague_warning_makes_it_a_warning_where_every_section_is_there():
    vague = notice(consequences=f"Your data was inadvertently shown, so you may receive more spam: {WORDS}.")
    assert check("incident-notice", vague, vague="warning") == [
        Finding("incident-notice", "warning", "vague phrase 'inadvertently' in the notice", "HTML", VAGUE_EXPECTED)
    ]
    lacking = notice(consequences=f"Your data was inadvertently shown: {WORDS}.", contact=None)
    assert [f.severity for f in check("incident-notice", lacking, vague="warning")] == ["error", "error"]


def test_the_documented_example_passes():
    """The notice in the rule's docstring (``email-harness rules incident-notice``) is a complete one."""
    from harness.rules.builtin.notices import incident_notice

    doc = incident_notice.__doc__ or ""
    example = doc[doc.index("<mj-text>") + len("<mj-text>"):doc.index("</mj-text>")]
    assert check("incident-notice", email(page(example))) == []
    assert [f.message for f in check("incident-notice", email(page(example.replace("2026", "last month"))))] == [
        "section 'what-happened' gives no date"
    ]


def test_a_vague_phrase_in_a_notice_lacking_sections_is_an_error():
    cryptic = email(page(f'<p>Due to a technical error your data was inadvertently published.</p><div data-section="contact"><p>{SECTIONS["contact"]}</p></div>'))
    found = check("incident-notice", cryptic, sections=["what-happened", "contact"])
    assert found == [
        missing("what-happened"),
        Finding("incident-notice", "error", "vague phrase 'technical error' with nothing else: the notice lacks what-happened", "HTML", "what happened, concretely"),
        Finding("incident-notice", "error", "vague phrase 'inadvertently' with nothing else: the notice lacks what-happened", "HTML", "what happened, concretely"),
    ]


def test_sections_and_vague_phrases_are_options():
    assert check("incident-notice", notice(**{"which-data": None}), sections=["what-happened", "contact"]) == []
    found = check("incident-notice", notice(consequences=f"A glitch happened, so you may get spam: {WORDS}"), vague_phrases=["Glitch"])
    assert [f.message for f in found] == ["vague phrase 'Glitch' in the notice"]


def test_a_long_approved_paragraph_is_cut_at_80_characters_in_the_expectation():
    long = "Gift cards are for gifts only. Nobody from Northwind, the police or your bank will ever ask you to pay with one."
    found = check("approved-copy", email(page("<p>x</p>"), text="x"), approved_copy={"scam": long}, blocks=["scam"])
    assert [f.expected for f in found] == [long[:80] + "...", long[:80] + "..."]


def test_markup_inside_an_approved_paragraph_is_read_as_its_text():
    mail = email(page('<p data-copy="scam_warning">Gift cards are <b>for</b> gifts. Nobody from <i>Northwind</i> will ask you to pay with one.</p>'), text=SCAM)
    assert check("approved-copy", mail, approved_copy=COPY, blocks=["scam_warning"]) == []


def test_a_block_without_approved_copy_does_not_stop_the_next_block():
    found = check("approved-copy", warned("Gift cards are fun."), approved_copy=COPY, blocks=["missing", "scam_warning"])
    assert [f.message.split(":")[0] for f in found] == ["no approved copy 'missing' for locale en", "'scam_warning' differs from the approved copy"]


def test_words_are_counted_across_the_markup_of_a_section():
    nine = '<div data-section="which-data">\n  <h2>Your data</h2>\n  <p>Your email address was shown to others.</p>\n</div>'
    body = "".join(f'<div data-section="{n}"><p>{t}</p></div>' for n, t in SECTIONS.items() if n != "which-data") + nine
    assert [f.message for f in check("incident-notice", email(page(body)))] == ["section 'which-data' has 9 words"]


def test_every_missing_section_is_named_with_a_vague_phrase():
    cryptic = email(page("<p>A technical error occurred.</p>"))
    found = check("incident-notice", cryptic, sections=["what-happened", "contact"], vague_phrases=["technical error"])
    assert found[-1].message == "vague phrase 'technical error' with nothing else: the notice lacks what-happened, contact"
