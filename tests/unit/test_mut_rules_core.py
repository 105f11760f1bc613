"""What every rule shares (findings, the registry, options and their messages, ``ignore``
entries, field paths), pinned where mutation testing showed a promise no test held (issue 25)."""

from __future__ import annotations

import pickle

import pytest

from harness.catalog import load_catalog
from harness.errors import ConfigError
from harness.rules import Finding, RuleOptions, RuleRegistry, rules, run_rules
from harness.rules.options import TemplateSources, check_rule_options, option_problems
from harness.rules.paths import FieldPaths

from .build import context, email, page


@pytest.fixture(autouse=True)
def _own_registry(monkeypatch):
    """Rules registered here are gone after the test."""
    monkeypatch.setattr(rules, "_items", dict(rules._items))
    monkeypatch.setattr(rules, "origins", dict(rules.origins))
    monkeypatch.setattr(rules, "option_models", dict(rules.option_models))


# -- findings and the registry ---------------------------------------------------------------------

MAIL = email(page('<div class="preview"><p>Preview text</p></div><p>Body text</p>'))


def test_a_finding_crosses_a_process_without_its_element():
    """A finding pickles as if it had no element (the parsed email stays behind) and comes back whole."""
    with_node = Finding("links", "error", "bad link", "a", "https", node=MAIL.document.p)
    without = Finding("links", "error", "bad link", "a", "https")
    assert pickle.dumps(with_node) == pickle.dumps(without)
    back = pickle.loads(pickle.dumps(with_node))
    assert (back, back.node) == (without, None)


@pytest.mark.parametrize("severity", ["error", "warning", "note"])
def test_an_ignore_selector_places_findings_of_every_severity(severity):
    @rules.register("unit-every-p")
    def every_p(ctx):
        for p in ctx.document.find_all("p"):
            yield getattr(ctx, severity)(f"p says {p.get_text()!r}", element="p", node=p)

    ignore = [{"selector": ".preview", "reason": "placeholder copy"}]
    found = run_rules({"unit-every-p": {"ignore": ignore}}, context("", MAIL))
    assert [(f.severity, f.message) for f in found] == [(severity, "p says 'Body text'")]


def test_a_teams_own_registry_speaks_of_rules_and_keeps_their_options_models():
    class Options(RuleOptions):
        limit: int = 1

    registry = RuleRegistry()
    with pytest.raises(ConfigError, match=r"^unknown rule 'links'; known: none$"):
        registry.get("links")
    registry.register("limited", options=Options)(lambda ctx: [])
    assert registry.options_model("limited") is Options and registry.options_model("links") is None


# -- what templates write, for options that name it (TemplateSources) -------------------------------

def test_loop_values_are_named_as_an_empty_loop_finding_names_them():
    sources = TemplateSources(None, [
        "{% for x %}{% for card in order.gift_cards|sort %}{% endfor %}",  # a tag without 'in' is skipped, not the end
        "{% for a in  order.lines  |  sort( %}{% for b in [1,  2] %}{% for c in range(n,   3) %}{% for d in account.orders %}",
    ])
    assert sources.loop_values == {"order.gift_cards", "order.lines | sort(", "[1, 2]", "range(n, 3)", "account.orders"}


def test_template_text_is_every_file_but_metadata_hidden_folders_and_huge_files(tmp_path):
    (tmp_path / "receipt.mjml").write_bytes(b"{{ order.total_due }} \xff broken byte")  # read, the byte replaced
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "old.mjml").write_text("{{ order.hidden_total }}")
    (tmp_path / "receipt.yaml").write_text("subject: {{ order.subject_line }}")
    (tmp_path / "huge.html").write_bytes(b"{{ order.huge_total }}".ljust(5_000_000))
    (tmp_path / "big.html").write_bytes(b"{{ order.big_total }}".ljust(4_999_999))
    words = TemplateSources(tmp_path, ["Your order {{ order.id }}"]).words
    assert {"total_due", "broken", "id", "big_total"} <= words
    assert not {"hidden_total", "subject_line", "huge_total"} & words


# -- option messages ---------------------------------------------------------------------------------

class PlanOptions(RuleOptions):
    plan: str
    """The ``plan.name`` field, as the welcome email prints it. Checked on every fixture."""


def test_a_missing_option_is_named_with_the_first_sentence_of_its_documentation():
    assert [p.text for p in option_problems("shows-plan", {}, PlanOptions)] == [
        "needs the option 'plan': The `plan.name` field, as the welcome email prints it"]


def test_a_rule_given_a_number_instead_of_options_says_so(tmp_path):
    root = tmp_path / "templates"
    root.mkdir()
    (root / "_catalog.yaml").write_text("rules:\n  links: 5\n")
    (root / "welcome.mjml").write_text("<mjml><mj-body></mj-body></mjml>")
    (root / "welcome.yaml").write_text("subject: S\n")
    with pytest.raises(ConfigError, match=r"rules: links: takes \{\} .* or false \(off\), not int \(5\); "):
        check_rule_options(load_catalog(root), None)


# -- field path hints --------------------------------------------------------------------------------

ORDERS = FieldPaths(frozenset({"orders[].gift_cards[].code", "orders[].id", "invoices[].number", "invoices[].due"}))


@pytest.mark.parametrize(("pattern", "says"), [
    ("orders.*code", "'orders.*code' matches no field of the fixtures; did you mean 'orders[].gift_cards[].code'? "
                     "(a list is marked with '[]' after its key)"),
    ("invoices", "'invoices' matches no field of the fixtures: it holds fields; did you mean 'invoices[].due' or "
                 "'invoices[].number' or 'invoices.*'?"),
])
def test_a_path_that_matches_nothing_gets_the_right_spelling(pattern, says):
    assert ORDERS.problem(pattern) == says


NUMBERED = FieldPaths(frozenset({f"field{n}" for n in range(10)} | {"zip"}))


def test_close_names_are_at_most_three_and_the_rest_are_counted():
    assert NUMBERED.problem("fieldx") == "'fieldx' matches no field of the fixtures; did you mean 'field9' or 'field8' or 'field7'?"
    four = FieldPaths(frozenset({"name1", "name2", "name3", "name4"}))
    assert four.problem("nameX") == "'nameX' matches no field of the fixtures; did you mean 'name4' or 'name3' or 'name2'?"
    assert four.problem("a.b.c.d") == ("'a.b.c.d' matches no field of the fixtures; known fields include "
                                       "'name1' or 'name2' or 'name3' (+1 more)")
    three = FieldPaths(frozenset({"name1", "name2", "name3"}))
    assert three.problem("a.b.c.d") == "'a.b.c.d' matches no field of the fixtures; known fields include 'name1' or 'name2' or 'name3'"


def test_without_a_close_name_the_first_eight_known_fields_are_counted():
    assert NUMBERED.problem("qqqqqqqq") == ("'qqqqqqqq' matches no field of the fixtures; known fields include "
                                            "'field0' or 'field1' or 'field2' (+5 more)")
    assert FieldPaths(frozenset()).problem("email") == "'email' matches no field of the fixtures"


# -- a rule that gives something else than findings ----------------------------------------------------

def test_what_a_rule_gives_instead_of_findings_is_an_error_finding_and_the_next_rule_still_runs():
    @rules.register("unit-returns-text")
    def returns_text(ctx):
        return "oops"

    @rules.register("unit-yields-dict")
    def yields_dict(ctx):
        yield {"message": "x" * 100}

    @rules.register("unit-bad-severity")
    def bad_severity(ctx):
        yield Finding(ctx.rule_id, "fatal", "m")  # type: ignore[arg-type]

    @rules.register("unit-bad-message")
    def bad_message(ctx):
        yield Finding(ctx.rule_id, "error", 42)  # type: ignore[arg-type]

    configured = {name: {} for name in ("unit-returns-text", "unit-yields-dict", "size", "unit-bad-severity", "unit-bad-message")}
    configured["size"] = {"limit_kb": "big"}
    found = run_rules(configured, context("", MAIL))
    assert [(f.rule, f.severity, f.message, f.expected) for f in found] == [
        ("unit-returns-text", "error", "the rule returned str; expected an iterable of Findings (yield ctx.error(...))", ""),
        ("unit-yields-dict", "error", f"the rule yielded dict {repr({'message': 'x' * 100})[:80]}; expected a Finding "
                                      "(ctx.error(...), ctx.warning(...), ctx.note(...))", ""),
        ("size", "error", "the rule's options are wrong: limit_kb: Input should be a valid number (got 'big')", "see 'email-harness rules size'"),
        ("unit-bad-severity", "error", "the rule yielded a Finding with severity 'fatal' and a str message; "
                                       "expected a severity of error, warning, note and a str message", ""),
        ("unit-bad-message", "error", "the rule yielded a Finding with severity 'error' and a int message; "
                                      "expected a severity of error, warning, note and a str message", ""),
    ]


def test_a_rule_registered_again_without_a_model_takes_any_options():
    class Options(RuleOptions):
        limit: int = 1

    rules.register("unit-replaced", options=Options)(lambda ctx: [])
    rules.register("unit-replaced")(lambda ctx: [])
    assert rules.options_model("unit-replaced") is None
