"""The en-XA pseudo-locale: accented text about 40% longer, with the tokens that must keep working
(amounts, order numbers, addresses, merge tags) left as they are, on text and on a whole email."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from harness.render.pseudo import EXPANSION, PSEUDO_LOCALE, pseudolocalize_html, pseudolocalize_text

REPO = Path(__file__).resolve().parents[2]
SENTENCE = "We have received your order and will email you again as soon as it ships."


def expansion(before: str, after: str) -> float:
    return len(after) / len(before) - 1


# -- pseudolocalize_text ---------------------------------------------------------------------


def test_a_sentence_is_accented_bracketed_and_forty_percent_longer():
    after = pseudolocalize_text(SENTENCE)
    assert after.startswith("[Ŵé ĥåṽé ŕéçéîṽéð ýöûŕ öŕðéŕ") and after.endswith("]")
    assert after[len(SENTENCE) + 1 : len(SENTENCE) + 10] == " one two "
    assert 0.35 <= expansion(SENTENCE, after) <= 0.50
    assert EXPANSION == 0.4 and PSEUDO_LOCALE == "en-XA"


def test_the_accents_are_one_character_each():
    assert pseudolocalize_text("abcdefghijklmnopqrstuvwxyz").startswith("[åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýž ")
    assert pseudolocalize_text("ACEINOSUYZ").startswith("[ÅÇÉÎÑÖŠÛÝŽ ")


def test_short_text_gets_at_least_one_character_of_padding():
    assert pseudolocalize_text("OK") == "[ÖĶ o]"
    assert pseudolocalize_text("Hi there") == "[Ĥî ţĥéŕé o]"


def test_surrounding_whitespace_stays_outside_and_blank_text_is_left_alone():
    assert pseudolocalize_text("\n   Hello Alice,\n  ") == "\n   [Ĥéļļö Åļîçé, on]\n  "
    assert pseudolocalize_text(" \n\t ") == " \n\t "
    assert pseudolocalize_text("") == ""


def test_the_length_counts_whitespace_as_html_shows_it():
    indented = "Order\n                    number:"
    assert pseudolocalize_text(indented) == "[Öŕðéŕ\n                    ñûɱƀéŕ: on]"
    assert pseudolocalize_text("Order number:") == "[Öŕðéŕ ñûɱƀéŕ: on]"


@pytest.mark.parametrize(
    "kept",
    [
        "NW-100231",
        "£35.19",
        "30/10/2026",
        "https://shop.example.com/orders/NW-100231",
        "www.shop.example.com",
        "help@shop.example.com",
        "{{ user.first_name }}",
        "{% if gift %}",
        "{name}",
        "{0}",
        "*|FNAME|*",
        "[[order_link]]",
        "%s",
        "%(count)d",
    ],
)
def test_tokens_that_must_keep_working_are_not_accented(kept: str):
    after = pseudolocalize_text(f"See {kept} soon")
    assert after.startswith(f"[Šéé {kept} šööñ ")


def test_a_merge_tag_next_to_words_keeps_its_inside_and_the_words_are_accented():
    assert pseudolocalize_text("Hello {{name}}!").startswith("[Ĥéļļö {{name}}! ")
    assert pseudolocalize_text("Hello *|FNAME|*, thanks").startswith("[Ĥéļļö *|FNAME|*, ţĥåñķš ")


def test_right_to_left_text_is_padded_not_accented():
    arabic = "شكراً لطلبك، سنرسل لك رسالة عند الشحن"
    after = pseudolocalize_text(arabic)
    assert after.startswith(f"[{arabic} one two") and after.endswith("]")
    assert 0.35 <= expansion(arabic, after) <= 0.50
    hebrew_with_a_brand = "תודה שקניתם ב-Northwind"
    assert pseudolocalize_text(hebrew_with_a_brand).startswith(f"[{hebrew_with_a_brand} ")


def test_pseudolocalizing_twice_expands_twice():
    once = pseudolocalize_text(SENTENCE)
    twice = pseudolocalize_text(once)
    assert twice.startswith("[[Ŵé ĥåṽé") and "öñé ţŵö" in twice and len(twice) > len(once) * 1.35


# -- pseudolocalize_html ---------------------------------------------------------------------


def page(body: str, head: str = "") -> str:
    return f'<!DOCTYPE html><html lang="en"><head>{head}</head><body>{body}</body></html>'


def test_text_in_nested_inline_tags_is_transformed_and_lang_is_set():
    html = pseudolocalize_html(page("<p>Your <strong>order</strong> <a href='https://x.example/o/1'>ships <em>today</em></a></p>"))
    soup = BeautifulSoup(html, "lxml")
    assert soup.html["lang"] == "en-XA"
    assert [soup.p.contents[0], soup.strong.string, soup.a.contents[0], soup.em.string] == [
        "[Ýöûŕ o] ", "[öŕðéŕ o]", "[šĥîþš o] ", "[ţöðåý o]"]


def test_style_script_comments_and_the_doctype_are_untouched_and_the_title_is_transformed():
    css = "a { color: red; } /* Hello */"
    html = pseudolocalize_html(page("<script>var hello = 'Hello';</script><p>Hi</p><!-- Hello -->",
                                    f"<title>Your receipt</title><style>{css}</style>"))
    assert html.startswith("<!DOCTYPE html>")
    assert f"<style>{css}</style>" in html and "<script>var hello = 'Hello';</script>" in html
    assert "<!-- Hello -->" in html
    assert "<title>[Ýöûŕ ŕéçéîþţ on]</title>" in html


def test_attributes_are_untouched():
    html = pseudolocalize_html(page(
        '<a href="https://shop.example.com/help" title="Help centre">Help</a>'
        '<img src="https://cdn.shop.example.com/logo.png" alt="Northwind Shop">'))
    soup = BeautifulSoup(html, "lxml")
    assert soup.a.attrs == {"href": "https://shop.example.com/help", "title": "Help centre"}
    assert soup.img.attrs == {"src": "https://cdn.shop.example.com/logo.png", "alt": "Northwind Shop"}
    assert soup.a.string == "[Ĥéļþ o]"


def test_a_fragment_comes_back_as_a_document_as_lxml_parses_it():
    assert pseudolocalize_html("<p>Hello</p>") == '<html lang="en-XA"><body><p>[Ĥéļļö o]</p></body></html>'


def test_a_bundled_email_is_transformed_and_keeps_its_order_number_and_links():
    source = (REPO / "snapshots/order_confirmation/en-one-order/body.html").read_text(encoding="utf-8")
    html = pseudolocalize_html(source)
    soup = BeautifulSoup(html, "lxml")
    assert soup.html["lang"] == "en-XA"
    assert "NW-100231" in soup.find("strong").get_text()
    links = [a["href"] for a in BeautifulSoup(source, "lxml").find_all("a")]
    assert [a["href"] for a in soup.find_all("a")] == links and "https://shop.example.com/orders/NW-100231" in links
    assert soup.h1.get_text(strip=True) == "[Ţĥåñķ ýöû ƒöŕ ýöûŕ öŕðéŕ one two]"
    assert "[help@shop.example.com " in soup.get_text() and "£35.19" in soup.get_text()
    assert "Thank you" not in soup.body.get_text()  # every shown text went through
