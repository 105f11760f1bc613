"""The rules of one case share one reading of the email (``harness.rules.facts``): the walk of the
parsed tree, the tags by name, the folded text. Shared must mean the same object, and the same
answers ``find_all`` gave: a rule reading the shared facts still fires on broken input."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, NavigableString

from harness.rules import rules, run_rules
from harness.rules.builtin._text import reads_right_to_left, visible_text
from harness.rules.builtin.content import preheader, reader_text
from harness.rules.facts import EmailFacts

from .build import check, context, email, fixture, messages, page, run


@pytest.fixture(autouse=True)
def _own_registry(monkeypatch):
    """Rules registered here are gone after the test."""
    monkeypatch.setattr(rules, "_items", dict(rules._items))
    monkeypatch.setattr(rules, "origins", dict(rules.origins))


HTML = page(
    '<!--[if mso]><p>outlook</p><![endif]--><style>p{color:red}</style>'
    '<table><tr><td><table role="presentation"><tr><th>h</th></tr></table></td></tr></table>'
    '<p data-field="id">NW-1</p><a href="https://x.example">x</a><a name="top">top</a>'
    '<p data-field="">empty</p><img src="https://x.example/a.png"><h2>two</h2><h1>one</h1>',
    head="<title>T</title>",
)


def test_two_rules_of_a_case_read_the_same_facts_of_the_same_document():
    seen = []

    @rules.register("unit-facts-a")
    def a(ctx):
        seen.append((ctx._facts, ctx.document))
        return []

    @rules.register("unit-facts-b")
    def b(ctx):
        seen.append((ctx._facts, ctx.document))
        return []

    base = context("", email(HTML))
    run_rules({"unit-facts-a": {}, "unit-facts-b": {}}, base)
    (facts_a, doc_a), (facts_b, doc_b) = seen
    assert facts_a is facts_b is base._facts
    assert doc_a is doc_b is facts_a.document is base.document


def test_another_email_gets_facts_of_its_own():
    first, second = context("", email(HTML)), context("", email(page("<p>other</p>")))
    assert first._facts is not second._facts
    assert second._facts.visible_text == "other"


def test_the_facts_are_what_find_all_finds():
    document = BeautifulSoup(HTML, "lxml")
    facts = EmailFacts(document)
    assert facts.tags == document.find_all(True) and all(a is b for a, b in zip(facts.tags, document.find_all(True)))
    assert [str(s) for s in facts.strings] == [str(s) for s in document.find_all(string=True)]
    assert {type(s) for s in facts.strings} > {NavigableString}  # comments, styles kept: rules filter them
    assert facts.named("a") == document.find_all("a") and facts.named("img") == document.find_all("img")
    assert facts.named("blink") == []
    assert facts.having("data-field") == document.find_all(attrs={"data-field": True})
    assert [t.name for t in facts.having("href")] == ["a"] and facts.having("data-field")[1]["data-field"] == ""
    assert facts.body is document.body
    assert [str(s) for s in facts.body_strings] == [str(s) for s in document.body.find_all(string=True)]
    assert "T" not in map(str, facts.body_strings) and "T" in map(str, facts.strings)
    assert facts.visible_text == visible_text(document) == "outlook".join([]) + " ".join(document.get_text(" ").split())


def test_a_document_without_a_body_has_no_body_strings_and_reads_all_its_text_for_direction():
    fragment = BeautifulSoup("<p>\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd</p><p>hi</p>", "html.parser")
    facts = EmailFacts(fragment)
    assert facts.body is None and facts.body_strings == []
    assert facts.right_to_left and reads_right_to_left(fragment)
    assert not EmailFacts(BeautifulSoup("<p>hello</p>", "html.parser")).right_to_left


def test_direction_is_read_in_the_body_only_and_not_in_comments():
    hebrew = "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd \u05e9\u05dc\u05d5\u05dd"
    assert EmailFacts(BeautifulSoup(page(f"<p>{hebrew}</p><p>hi</p>"), "lxml")).right_to_left
    assert not EmailFacts(BeautifulSoup(page("<p>hi</p>", head=f"<title>{hebrew}</title>"), "lxml")).right_to_left
    assert not EmailFacts(BeautifulSoup(page(f"<!--{hebrew}--><p>hi</p>"), "lxml")).right_to_left
    # as many right-to-left letters as left-to-right ones: not right to left
    assert not EmailFacts(BeautifulSoup(page("<p>\u05e9\u05dc ab</p>"), "lxml")).right_to_left


def test_memo_computes_once_per_key_and_facts():
    facts = EmailFacts(BeautifulSoup(page("<p>x</p>"), "lxml"))
    calls = []
    assert facts.memo("k", lambda: calls.append(1) or "v") == "v"
    assert facts.memo("k", lambda: calls.append(2) or "w") == "v"
    assert facts.memo("other", lambda: calls.append(3) or "z") == "z"
    assert calls == [1, 3]
    assert facts.having("data-x") is facts.having("data-x")


def test_the_reader_text_is_computed_once_and_shared_by_subject_and_text_part():
    base = context("", email(page('<span style="display:none">Preview</span><p>Order NW-1 of 2024</p>')))
    text = reader_text(base._facts)
    assert text == "Order NW-1 of 2024" and reader_text(base._facts) is text
    assert preheader(base.document, base._facts) == preheader(base.document) == "Preview"


# Broken input still breaks: each rule that now reads the shared facts fires as before.


def test_rules_reading_the_shared_facts_still_fire_in_one_run():
    html = page(
        '<table><tr><td>layout</td></tr></table><h2>skipped h1</h2>'
        '<p data-field="order-id"> </p><p>Hello {{ name }}</p><p data-field="total">EUR 12.00</p>'
        '<a href="http://x.example">click here</a><a href="https://shop.example/track">track</a><img src="http://x.example/a.png">'
    )
    mail = email(html, text="Hello Ada")
    found = run_rules({name: {} for name in ("no-leftovers", "text-part", "accessibility", "links", "images")}, context("", mail))
    got = {(f.rule, f.message) for f in found}
    assert {
        ("no-leftovers", "'{{ name }}' in the HTML"),
        ("no-leftovers", "required value is empty"),
        ("text-part", "'12.00' is in the HTML but not in the text part"),
        ("text-part", "'EUR 12.00' is in the HTML but not in the text part"),
        ("text-part", "link https://shop.example/track is missing from the text part"),
        ("accessibility", '1 layout table(s) without role="presentation"'),
        ("accessibility", "first heading is <h2>"),
        ("links", "link scheme 'http' is not allowed"),
        ("images", "image source is not https: 'http://x.example/a.png'"),
    } <= got, got


def test_a_table_with_a_header_cell_only_in_a_nested_table_is_a_data_table_as_find_said():
    nested = page('<table role="presentation"><tr><td><table><tr><th>h</th></tr></table></td></tr></table>'
                  '<table><tr><td>x</td></tr></table>')
    assert messages(check("accessibility", email(nested))) == ['1 layout table(s) without role="presentation"']
    assert messages(check("accessibility", email(page("<table><tr><th>h</th></tr></table>")))) == []


def test_headings_are_read_in_document_order_across_levels():
    assert messages(check("accessibility", email(page("<h1>a</h1><h3>c</h3><h2>b</h2>")))) == ["<h3> follows <h1>"]
    assert messages(check("accessibility", email(page("<h1>a</h1><h2>b</h2><h3>c</h3>")))) == []


def test_an_anchor_without_href_is_not_a_link_the_text_part_must_hold():
    mail = email(page('<a name="https://x.example/a">a</a><div href="https://x.example/b">b</div>'), text="nothing")
    assert messages(check("text-part", mail)) == []
    assert messages(check("text-part", email(page('<a href="https://x.example/a">a</a>'), text="nothing"))) == [
        "link https://x.example/a is missing from the text part"]


def test_approved_copy_is_found_by_its_exact_block_name():
    mail = email(page('<p data-copy="scam-warning-v2">Old words</p><p data-copy="scam-warning">We never ask.</p>'),
                 text="We never ask.")
    assert messages(run("approved-copy", mail, blocks=["scam-warning"], approved_copy={"scam-warning": "We never ask."})) == []
    wrong = email(page('<p data-copy="scam-warning">We always ask.</p>'), text="We never ask.")
    assert [f.message.split(":")[0] for f in run("approved-copy", wrong, blocks=["scam-warning"],
                                                 approved_copy={"scam-warning": "We never ask."})] == [
        "'scam-warning' differs from the approved copy"]


def test_missing_alts_reads_the_images_given_or_finds_them():
    from harness.rules.builtin.links import missing_alts

    document = BeautifulSoup(page('<img src="a.png"><img src="b.png" alt="">'), "lxml")
    found = [str(t) for t in missing_alts("<p>html</p>", document)]
    assert found == ['<img src="a.png"/>']
    assert [str(t) for t in missing_alts("<p>html</p>", document, [])] == []


def test_style_rules_are_cut_brace_to_brace_nested_and_unclosed():
    """client-support walks a style sheet from brace to brace (it went character by character)."""
    from harness.rules.builtin.client_support import _rule_blocks

    assert list(_rule_blocks("@media x { .a { color: red } .b { top: 0 } } .c { left: 0 }")) == [
        ("@media x", "", ()), (".a", " color: red ", ("css-at-media",)), (".b", " top: 0 ", ("css-at-media",)), (".c", " left: 0 ", ())]
    assert list(_rule_blocks(".a { color: red } .b { top: 0")) == [(".a", " color: red ", ()), (".b", " top: 0", ())]
    assert list(_rule_blocks("@supports (x) { @media y { .a { b: c } } }")) == [
        ("@supports (x)", "", ()), ("@media y", "", ("css-at-supports",)), (".a", " b: c ", ("css-at-supports", "css-at-media"))]


def test_fold_drops_each_bidi_isolate_and_leaves_other_text_alone():
    from harness.rules.facts import fold

    assert [fold(f"INV{c}-1") for c in "\u2066\u2067\u2068\u2069"] == ["INV-1"] * 4
    assert fold(" a\u200f b\n\tc ") == "a\u200f b c"  # a mark that is no isolate stays


def test_a_word_with_any_kind_of_digit_is_a_fact_the_text_part_must_hold():
    from harness.rules.builtin.content import _facts

    assert _facts("Order ٣٤ ships x² today, (NW-1).") == {"٣٤", "x²", "NW-1"}


def test_a_bracketed_text_is_judged_once_per_fixture_set(monkeypatch):
    from harness.rules.builtin import leftovers

    judged = []
    real = leftovers._judged_placeholder
    monkeypatch.setattr(leftovers, "_judged_placeholder", lambda inner, names: judged.append(inner) or real(inner, names))
    ada, bob = fixture("en-ada", voucher_code="V-1"), fixture("en-bob", nickname="B")
    mail = email(page("<p>[if mso | IE] [Voucher Code] [if mso | IE]</p>"))
    assert messages(check("no-leftovers", mail, recipient=ada, others=[bob])) == ["'[Voucher Code]' in the HTML"]
    assert messages(check("no-leftovers", mail, recipient=bob, others=[ada])) == ["'[Voucher Code]' in the HTML"]
    assert sorted(judged) == ["Voucher Code", "if mso | IE"]
    # another fixture set judges again, by its own field names
    assert messages(check("no-leftovers", mail, recipient=bob)) == []
    assert sorted(judged) == ["Voucher Code", "Voucher Code", "if mso | IE", "if mso | IE"]


def test_the_verdicts_kept_are_bounded_and_a_full_memo_starts_over(monkeypatch):
    from harness.rules.builtin import leftovers

    monkeypatch.setattr(leftovers, "_VERDICTS", 2)
    ada = fixture("en-ada", first_name="Ada")
    mail = email(page("<p>[a_b] [Acme] [First Name]</p>"))
    ctx = context("", mail, recipient=ada)
    assert messages(leftovers.no_leftovers(ctx)) == ["'[First Name]' in the HTML", "'[a_b]' in the HTML"]
    verdicts = leftovers._of_the_fixtures(ctx)[1]
    assert len(verdicts) <= 2 and verdicts.get("First Name") is True
    assert leftovers._is_placeholder("Acme", ctx) is False and leftovers._is_placeholder("a_b", ctx) is True


def test_the_run_memo_can_be_cleared(monkeypatch):
    from harness.rules.builtin import _memo

    monkeypatch.setattr(_memo, "_CACHE", type(_memo._CACHE)())
    key = {"a": 1}
    assert _memo.memo("unit", (key,), lambda: "one") == "one"
    _memo.clear()
    assert len(_memo._CACHE) == 0 and _memo.memo("unit", (key,), lambda: "two") == "two"


def test_bidi_reads_each_fixtures_strings_once_per_run_and_still_fires():
    from harness.rules.builtin.bidi import _strings

    spoof = fixture("en-mal", name="Maryam \u202eexe.live", seller="P\u0430ypal", plan=3)
    mail = email(page("<p>Maryam \u202eexe.live from P\u0430ypal</p>"), text="nothing")
    assert _strings(spoof.data) is _strings(spoof.data)
    assert [(path, mixed, controlled) for path, _, mixed, controlled in _strings(spoof.data)] == [
        ("id", None, False), ("name", None, True), ("seller", ("P\u0430ypal", ["CYRILLIC", "LATIN"]), False)]
    assert messages(check("bidi-isolation", mail, recipient=spoof)) == [
        "fixture field name carries bidirectional controls and is not isolated in the HTML",
        "fixture field seller mixes Cyrillic and Latin letters in one word: 'P\u0430ypal' (a look-alike)"]
    assert messages(check("bidi-isolation", mail, recipient=spoof, lookalikes=False)) == [
        "fixture field name carries bidirectional controls and is not isolated in the HTML"]


def test_foreign_data_weighs_ordinary_words_only_once_a_foreign_value_shows(monkeypatch):
    from harness.rules.builtin import foreign_data

    made = []
    real = foreign_data._OrdinaryWords
    monkeypatch.setattr(foreign_data, "_OrdinaryWords", lambda ctx, text: made.append(text) or real(ctx, text))
    ada = fixture("en-ada", name="Ada Lovelace", email="ada@example.com", plan={"name": "Team"})
    bob = fixture("en-bob", name="Bob Stone", email="bob@example.com", plan={"name": "Free"})
    assert messages(check("no-foreign-data", email(page("<p>Hi Ada Lovelace</p>"), text="Hi"), recipient=ada, others=[bob])) == []
    assert made == []
    shown = email(page("<p>Hi Ada Lovelace, Bob Stone (bob@example.com) is on Free</p>"), text="Hi")
    assert messages(check("no-foreign-data", shown, recipient=ada, others=[bob])) == [
        "name of another fixture (en-bob) appears in the HTML: 'Bob Stone'",
        "email of another fixture (en-bob) appears in the HTML: 'bob@example.com'"]
    assert len(made) == 1
    assert foreign_data._by_field(ada.data) == {"id": {"en-ada"}, "name": {"Ada Lovelace"}, "email": {"ada@example.com"}, "plan.name": {"Team"}}


@pytest.mark.parametrize("fields", [["*email*", "name", "*.name", "*_id"], ["orders.id"], ["a?c", "[ab]x"], ["*"], []])
def test_the_fields_of_foreign_data_match_as_fnmatch_matches_each(fields):
    from fnmatch import fnmatchcase

    from harness.rules.builtin.foreign_data import _fields_pattern

    matches = _fields_pattern(tuple(fields))
    for path in ["email", "customer.email", "name", "plan.name", "Name", "name\n", "order_id", "orders.id", "abc", "bx", "x.abc"]:
        assert matches(path) == any(fnmatchcase(path, f) for f in fields), path
    assert _fields_pattern(tuple(fields)) is matches
    _fields_pattern.cache_clear()
