"""What keeps the rules cheap per case (issue 29 item 3): each rule timed by name, the HTML parsed
once, facts of the fixture data computed once per run and fixture set, not once per case."""

from __future__ import annotations

from harness.rules import run_rules
from harness.rules.builtin import _memo
from harness.rules.builtin.leftovers import _field_names, _fixture_values
from harness.timing import Stopwatch

from .build import check, context, email, fixture, messages, page


def test_each_rule_is_timed_under_its_own_name_and_the_parse_apart():
    watch = Stopwatch()
    run_rules({"no-leftovers": {}, "links": {}}, context("", email(page("<p>Hi {{ name }}</p>"))), stopwatch=watch)
    assert {stage: watch.calls[stage] for stage in ("parse", "rule:no-leftovers", "rule:links")} == {
        "parse": 1, "rule:no-leftovers": 1, "rule:links": 1}


def test_an_email_parsed_before_the_rules_is_not_parsed_again():
    mail, watch = email(page("<p>Hi</p>")), Stopwatch()
    mail.document  # noqa: B018 - the snapshot normalizer parsed it
    run_rules({"links": {}}, context("", mail), stopwatch=watch)
    assert watch.calls["parse"] == 0 and watch.calls["rule:links"] == 1


def test_the_field_names_of_a_run_are_computed_once_for_every_case():
    ada, bob = fixture("en-ada", first_name="Ada"), fixture("en-bob", order={"id": "1"})
    mail = email(page("<p>x</p>"))
    for_ada = _field_names(context("", mail, recipient=ada, others=[bob]))
    assert _field_names(context("", mail, recipient=bob, others=[ada])) is for_ada
    assert {"firstname", "orderid", "accountorderid"} <= for_ada


def test_another_set_of_fixtures_has_its_own_field_names():
    ada, eve = fixture("en-ada", first_name="Ada"), fixture("en-eve", voucher_code="V-1")
    mail = email(page("<p>[Voucher Code]</p>"))
    assert "vouchercode" not in _field_names(context("", mail, recipient=ada))
    assert "vouchercode" in _field_names(context("", mail, recipient=ada, others=[eve]))
    assert messages(check("no-leftovers", mail, recipient=ada)) == []
    assert messages(check("no-leftovers", mail, recipient=ada, others=[eve])) == ["'[Voucher Code]' in the HTML"]


def test_fixture_values_are_the_fixtures_own_longest_first():
    ada = fixture("en-ada", name="Ada Lovelace")
    values = _fixture_values(context("", email(page("")), recipient=ada))
    assert values[:3] == ("Ada Lovelace", "Lovelace", "en-ada") and "Ada" in values
    assert _fixture_values(context("", email(page("")), recipient=ada)) is values


def test_the_memo_holds_what_its_key_names_and_forgets_the_oldest(monkeypatch):
    monkeypatch.setattr(_memo, "_CACHE", type(_memo._CACHE)())
    monkeypatch.setattr(_memo, "_LIMIT", 2)
    first, calls = {"a": 1}, []
    assert _memo.memo("unit", (first,), lambda: calls.append(1) or "one") == "one"
    assert _memo.memo("unit", (first,), lambda: calls.append(1) or "again") == "one" and calls == [1]
    _memo.memo("unit", ({"b": 1},), lambda: "two")
    _memo.memo("unit", ({"c": 1},), lambda: "three")
    assert len(_memo._CACHE) == 2  # the first is gone: a new object of its id cannot find its value
    assert _memo.memo("unit", (first,), lambda: "recomputed") == "recomputed"


def test_a_value_rendered_as_none_is_found_though_an_isolate_splits_the_word():
    """The blanking of fixture values is skipped for a text without None, null...: judged on the
    folded text, where bidi isolates are dropped, so 'No\u2069ne' still reads None."""
    mail = email(page("<p>Balance: No\u2069ne</p>"), subject="Balance: No\u2069ne", text="Balance: No\u2069ne")
    assert messages(check("no-leftovers", mail)) == ["'None' in the subject", "'None' in the HTML", "'None' in the text part"]


def test_a_fixture_value_that_reads_none_is_still_blanked():
    mail = email(page("<p>None</p>"), subject="None", text="None")
    assert messages(check("no-leftovers", mail, recipient=fixture("en-ada", nickname="None"))) == []
    assert messages(check("no-leftovers", mail)) == ["'None' in the subject", "'None' in the HTML", "'None' in the text part"]


def test_text_part_skips_text_deep_inside_a_hidden_element_and_only_there():
    """Each element's style is read once per email: a string three levels under a hidden element
    is still hidden, and its visible neighbour after it is not."""
    html = page('<div style="display:none"><table><tr><td><b>Code 9911</b> <i>and 7733</i></td></tr></table></div>'
                '<table><tr><td><b>Order 4242</b></td></tr></table>')
    assert messages(check("text-part", email(html, text="Thanks"))) == ["'4242' is in the HTML but not in the text part"]
