"""What every rule shares: findings, the rule context, running the configured rules, and the
text helpers of the built-in rules."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from harness.rules import Finding, RuleOptions, rules, run_rules
from harness.rules.builtin._text import describe, fold, visible_text, word_diff

from .build import context, email, fixture, page


@pytest.fixture(autouse=True)
def _own_registry(monkeypatch):
    """Rules registered here are gone after the test."""
    monkeypatch.setattr(rules, "_items", dict(rules._items))
    monkeypatch.setattr(rules, "origins", dict(rules.origins))


def test_a_finding_describes_itself_with_place_and_expectation():
    assert Finding("links", "error", "bad link", "a[href=x]", "https").describe() == "[links] error: bad link at a[href=x]; expected https"
    assert Finding("size", "warning", "big").describe() == "[size] warning: big"


def test_the_context_makes_findings_of_its_rule():
    ctx = context("my-rule", email(page("<p>x</p>")))
    assert ctx.error("e", element="el", expected="ex") == Finding("my-rule", "error", "e", "el", "ex")
    assert ctx.warning("w", element="el", expected="ex") == Finding("my-rule", "warning", "w", "el", "ex")
    assert ctx.note("n", element="el", expected="ex") == Finding("my-rule", "note", "n", "el", "ex")
    assert ctx.error("e") == Finding("my-rule", "error", "e", "", "")


def test_the_context_gives_the_fixture_data_as_account_and_the_parsed_html():
    ada = fixture("en-ada", name="Ada")
    mail = email(page("<p>Hello</p>"))
    ctx = context("r", mail, recipient=ada)
    assert ctx.account.name == "Ada"
    assert ctx.document is mail.document and ctx.document.p.get_text() == "Hello"


def test_run_rules_gives_each_rule_its_options_and_one_shared_document():
    seen = []

    class SpyOptions(RuleOptions):
        n: int = 0

    @rules.register("unit-spy", options=SpyOptions)
    def spy(ctx):
        seen.append((ctx.rule_id, ctx.options, id(ctx.document)))
        yield ctx.note(f"saw {ctx.options.get('n')}")

    mail = email(page("<p>x</p>"))
    base = context("", mail)
    found = run_rules({"unit-spy": {"n": 1}, "no-leftovers": {}}, base)
    assert found == [Finding("unit-spy", "note", "saw 1")]
    assert seen == [("unit-spy", {"n": 1}, id(base.document))]


def test_a_rule_that_crashes_is_a_finding_and_the_other_rules_still_run():
    @rules.register("unit-crashes")
    def crashes(ctx):
        raise ZeroDivisionError("oops")

    @rules.register("unit-returns-none")
    def returns_none(ctx):
        return None

    found = run_rules({"unit-crashes": {}, "unit-returns-none": {}, "subject": {}}, context("", email(page("<p>x</p>"), subject="")))
    assert found[0] == Finding("unit-crashes", "error", "the rule itself failed: ZeroDivisionError: oops", element=f"{__file__}:64")
    assert [f.rule for f in found[1:]] == ["subject"] and found[1].message == "subject is empty"


def test_fold_and_visible_text():
    assert fold("  a\n\t b  c ") == "a b c"
    assert visible_text(BeautifulSoup("<p>Hello<br>Ada</p><p> Lovelace </p>", "lxml")) == "Hello Ada Lovelace"


def test_describe_names_an_element_like_a_selector():
    soup = BeautifulSoup(
        '<strong data-field="order-id" data-copy="c" data-section="s" class="x">1</strong>'
        f'<a href="https://shop.example.com/{"x" * 80}">a</a><img src="{"y" * 80}"><p data-field="">z</p>', "lxml")
    assert describe(soup.strong) == "strong[data-field=order-id][data-copy=c][data-section=s]"
    assert describe(soup.a) == "a[href=https://shop.example.com/" + "x" * 35 + "]"
    assert describe(soup.img) == "img[src=" + "y" * 60 + "]"
    assert describe(soup.p) == "p"


def test_word_diff_shows_the_first_difference_with_four_words_before():
    assert word_diff("one two three four five six", "one two three four FIVE six") == "...one two three four [-five-]{+FIVE+}..."
    assert word_diff("a b c d e f g", "a b c d e f g h") == "...d e f g {+h+}..."
    assert word_diff("a b c", "a c") == "...a [-b-]..."
    assert word_diff("a b", "a  b") == ""


def test_findings_default_to_no_place_and_no_expectation():
    ctx = context("my-rule", email(page("<p>x</p>")))
    assert ctx.warning("w") == Finding("my-rule", "warning", "w", "", "")
    assert ctx.note("n") == Finding("my-rule", "note", "n", "", "")


def test_word_diff_shows_several_words_that_differ():
    assert word_diff("one two three four", "one TWO THREE four") == "...one [-two three-]{+TWO THREE+}..."
