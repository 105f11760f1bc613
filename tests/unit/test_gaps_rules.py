"""Rule decisions the mutation audit found unpinned (issue 25): ``approved-copy`` reads the whole
paragraph, letter case included, in both parts; ``links`` matches tracking parameters by name."""

from __future__ import annotations

import textwrap

from harness.rules import Finding

from .build import check, email, page

# -- approved-copy: the whole paragraph, exactly ---------------------------------------------

#: A legal footer well past 80 characters: a check of its first 80 would miss the last sentence.
FOOTER = (
    "Northwind Traders Ltd, 1 Harbour Street, Bristol BS1 4QA. Registered in England and Wales "
    "under number 01234567. You receive this email because you placed an order with us."
)
COPY = {"legal_footer": FOOTER}


def footed(html_copy: str = FOOTER, text_copy: str = FOOTER):
    """An email with the footer in its HTML and in a hand-written text part."""
    return email(page(f'<p>Thanks</p><p data-copy="legal_footer">{html_copy}</p>'), text=f"Thanks\n\n{text_copy}\n")


def test_the_long_footer_as_approved_in_both_parts_passes():
    assert len(FOOTER) > 80
    assert check("approved-copy", footed(), approved_copy=COPY, blocks=["legal_footer"]) == []


def test_a_hand_written_text_part_altered_after_character_80_is_an_error():
    altered = FOOTER.replace("placed an order with us", "signed up for our newsletter")
    assert altered[:80] == FOOTER[:80]
    found = check("approved-copy", footed(text_copy=altered), approved_copy=COPY, blocks=["legal_footer"])
    assert found == [Finding("approved-copy", "error", "approved paragraph 'legal_footer' missing or altered in the text part",
                             "text part", FOOTER[:80] + "...")]


def test_a_text_part_that_differs_only_in_letter_case_is_an_error():
    shouted = FOOTER.replace("Registered in England", "REGISTERED IN ENGLAND")
    found = check("approved-copy", footed(text_copy=shouted), approved_copy=COPY, blocks=["legal_footer"])
    assert [f.message for f in found] == ["approved paragraph 'legal_footer' missing or altered in the text part"]


def test_the_html_paragraph_altered_after_character_80_is_an_error():
    altered = FOOTER.replace("placed an order", "opened an account")
    found = check("approved-copy", footed(html_copy=altered), approved_copy=COPY, blocks=["legal_footer"])
    assert [f.message.split(":")[0] for f in found] == ["'legal_footer' differs from the approved copy"]


def test_an_html_paragraph_that_differs_only_in_letter_case_is_an_error():
    lowered = FOOTER.replace("Northwind Traders Ltd", "northwind traders ltd")
    found = check("approved-copy", footed(html_copy=lowered), approved_copy=COPY, blocks=["legal_footer"])
    assert [f.message.split(":")[0] for f in found] == ["'legal_footer' differs from the approved copy"]


def test_the_text_part_may_wrap_the_paragraph_over_lines():
    """What a hand-written text part does at 72 columns: white space is folded, words are not."""
    wrapped = "\n".join(textwrap.wrap(FOOTER, 72))
    assert check("approved-copy", footed(text_copy=wrapped), approved_copy=COPY, blocks=["legal_footer"]) == []


# -- links: require_params by name ----------------------------------------------------------


def link(href: str):
    return email(page(f'<a href="{href}">Your order</a>'))


def test_a_parameter_whose_name_only_starts_with_the_required_one_does_not_count():
    href = "https://shop.example.com/?utm_source_platform=email"
    assert [f.message for f in check("links", link(href), require_params=["utm_source"])] == [
        "link lacks tracking parameter(s) ['utm_source']"
    ]


def test_a_required_name_appearing_only_in_a_value_does_not_count():
    href = "https://shop.example.com/?ref=utm_source"
    assert [f.message for f in check("links", link(href), require_params=["utm_source"])] == [
        "link lacks tracking parameter(s) ['utm_source']"
    ]


def test_a_parameter_that_contains_the_required_name_does_not_count():
    href = "https://shop.example.com/?x_utm_source=email"
    assert [f.message for f in check("links", link(href), require_params=["utm_source"])] == [
        "link lacks tracking parameter(s) ['utm_source']"
    ]


def test_the_exact_parameter_among_others_passes():
    href = "https://shop.example.com/?utm_source_platform=web&utm_source=email"
    assert check("links", link(href), require_params=["utm_source"]) == []
