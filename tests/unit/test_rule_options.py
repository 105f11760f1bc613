"""Rule options are declared and checked: a misconfigured rule is a configuration error naming the
file, the rule and the option (with the right spelling), never a rule that checks nothing; field
paths have one syntax; ``ignore`` entries drop findings the same way for every rule."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel

from harness.catalog import load_catalog
from harness.errors import ConfigError
from harness.rules import FieldPath, Finding, RuleOptions, rules, run_rules
from harness.rules.options import check_rule_options
from harness.rules.paths import FieldPaths, field_paths, path_syntax_problem

from .build import context, email, fixture, page, run

EMAIL = "<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body></mjml>"


class Invoice(BaseModel):
    number: str
    due: date | None = None


class Account(BaseModel):
    name: str
    email: str
    address: dict[str, str] = {}
    invoices: list[Invoice] = []
    tags: list[str] = []


ADA = fixture("en-ada", name="Ada", email="ada@example.org", invoices=[{"number": "INV-1"}], address={"line1": "1 Road"})


@pytest.fixture(autouse=True)
def _own_registry(monkeypatch):
    """Rules registered here are gone after the test."""
    monkeypatch.setattr(rules, "_items", dict(rules._items))
    monkeypatch.setattr(rules, "origins", dict(rules.origins))
    monkeypatch.setattr(rules, "option_models", dict(rules.option_models))


def catalog(tmp_path: Path, catalog_rules: str = "", **templates: str):
    """A catalog folder: ``_catalog.yaml`` with ``catalog_rules`` and one template per keyword
    (its metadata's ``rules:`` block)."""
    root = tmp_path / "templates"
    root.mkdir(parents=True)
    if catalog_rules:
        (root / "_catalog.yaml").write_text(f"rules:\n{catalog_rules}")
    for name, template_rules in templates.items():
        (root / f"{name}.mjml").write_text(EMAIL)
        (root / f"{name}.yaml").write_text(f"subject: S\nrules:\n{template_rules}" if template_rules else "subject: S\n")
    return load_catalog(root)


def problem(tmp_path: Path, catalog_rules: str = "", paths: FieldPaths | None = None, **templates: str) -> str:
    with pytest.raises(ConfigError) as raised:
        check_rule_options(catalog(tmp_path, catalog_rules, **templates), paths)
    return str(raised.value)


def passes(tmp_path: Path, catalog_rules: str = "", paths: FieldPaths | None = None, **templates: str) -> None:
    check_rule_options(catalog(tmp_path, catalog_rules, **templates), paths)


# -- unknown options, wrong types ----------------------------------------------------------------


def test_an_unknown_option_names_the_file_the_rule_and_the_closest_option(tmp_path):
    said = problem(tmp_path, "  links: {allowed_domain: [shop.example.com]}\n", welcome="")
    assert said.startswith(f"{tmp_path}/templates/_catalog.yaml: rules: links: unknown option 'allowed_domain'; did you mean 'allowed_domains'?")
    assert "'email-harness rules RULE'" in said


def test_the_right_spelling_passes(tmp_path):
    passes(tmp_path, "  links: {allowed_domains: [shop.example.com]}\n", welcome="")


def test_an_option_set_in_a_template_is_blamed_on_the_template(tmp_path):
    said = problem(tmp_path, "  subject: {}\n", welcome="  subject: {max_lenght: 60}\n")
    assert said.startswith(f"{tmp_path}/templates/welcome.yaml: rules: subject: unknown option 'max_lenght'; did you mean 'max_length'?")


def test_a_wrong_type_names_the_option_and_the_value(tmp_path):
    said = problem(tmp_path, "  size: {limit_kb: big}\n", welcome="")
    assert "_catalog.yaml: rules: size: limit_kb: Input should be a valid number" in said and "(got 'big')" in said
    assert "bidi-isolation: lookalikes: Input should be 'warning', 'error' or False" in problem(
        tmp_path / "2", "  bidi-isolation: {lookalikes: loud}\n", welcome="")


def test_a_rule_without_options_takes_none(tmp_path):
    assert "text-part: unknown option 'strict'" in problem(tmp_path, "  text-part: {strict: true}\n", welcome="")
    passes(tmp_path / "2", "  text-part: {}\n", welcome="")


def test_the_old_accessibility_spelling_points_at_ignore_entries(tmp_path):
    said = problem(tmp_path, "  accessibility: {axe_ignore: [color-contrast]}\n", welcome="")
    assert "accessibility: unknown option 'axe_ignore'; did you mean 'ignore'? (entries such as {value:" in said


def test_client_support_knows_caniemail_client_names(tmp_path):
    said = problem(tmp_path, "  client-support: {clients: {gmial: [ios]}}\n", welcome="")
    assert "client-support: clients: unknown client family 'gmial'" in said
    passes(tmp_path / "2", "  client-support: {clients: {gmail: [ios]}, severity: error}\n", welcome="")


def test_every_problem_is_listed_once(tmp_path):
    said = problem(tmp_path, "  size: {limit: 1}\n", welcome="", refund="", receipt="  links: {allowed: []}\n")
    assert said.count("size: unknown option 'limit'") == 1  # the catalog's, not once per template
    assert "receipt.yaml: rules: links: unknown option 'allowed'" in said


# -- rules with nothing to check ------------------------------------------------------------------


@pytest.mark.parametrize("options", ["{}", "{blocks: []}"])
def test_approved_copy_without_blocks_is_an_error(tmp_path, options):
    said = problem(tmp_path, welcome=f"  approved-copy: {options}\n")
    assert f"{tmp_path}/templates/welcome.yaml: rules: approved-copy: " in said
    assert ("needs the option 'blocks'" if options == "{}" else "blocks: List should have at least 1 item") in said


def test_approved_copy_with_blocks_passes(tmp_path):
    passes(tmp_path, welcome="  approved-copy: {blocks: [legal_footer]}\n")


def test_incident_notice_with_no_sections_is_an_error_and_the_default_sections_pass(tmp_path):
    assert "incident-notice: sections: List should have at least 1 item" in problem(tmp_path, welcome="  incident-notice: {sections: []}\n")
    assert "section names are data-section values" in problem(tmp_path / "2", welcome="  incident-notice: {sections: [what happened]}\n")
    passes(tmp_path / "3", welcome="  incident-notice: {}\n")


def test_belongs_to_recipient_needs_a_selector_and_a_path(tmp_path):
    said = problem(tmp_path, welcome="  belongs-to-recipient: {path: 'orders[].id'}\n")
    assert "welcome.yaml: rules: belongs-to-recipient: needs the option 'selector'" in said
    said = problem(tmp_path / "2", welcome="  belongs-to-recipient: {selector: '[data-field=order-id'}\n")
    assert "needs the option 'path'" in said and "selector: not a CSS selector: '[data-field=order-id'" in said
    passes(tmp_path / "3", welcome="  belongs-to-recipient: {selector: '[data-field=order-id]', path: 'orders[].id'}\n")


def test_options_completed_by_the_template_are_checked_as_merged(tmp_path):
    """The catalog may set part of a rule's options and each template the rest."""
    passes(tmp_path, "  belongs-to-recipient: {path: 'orders[].id'}\n", welcome="  belongs-to-recipient: {selector: '[data-field=id]'}\n")
    said = problem(tmp_path / "2", "  belongs-to-recipient: {path: 'orders[].id'}\n", welcome="  belongs-to-recipient: {required: false}\n")
    assert "welcome.yaml: rules: belongs-to-recipient: needs the option 'selector'" in said


def test_a_rule_switched_off_is_not_checked(tmp_path):
    passes(tmp_path, "  approved-copy: {}\n", welcome="  approved-copy: false\n")


# -- field paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "says"), [
    ("invoices.number", "'invoices.number' matches no field of fixture_model Account; did you mean 'invoices[].number'?"),
    ("invoices.*.number", "'invoices.*.number' matches no field of fixture_model Account; did you mean 'invoices[].number'?"),
    ("invoices[0].number", "'invoices[0].number' is not a field path; did you mean 'invoices[].number'?"),
    ("invoice[].number", "'invoice[].number' matches no field of fixture_model Account; did you mean 'invoices[].number' or 'invoices[].due'?"),
    ("tags", "'tags' matches no field of fixture_model Account; did you mean 'tags[]'? (a list is marked with '[]' after its key)"),
    ("invoices[]", "'invoices[]' matches no field of fixture_model Account: it holds fields; did you mean 'invoices[].due' or 'invoices[].number' or 'invoices[].*'?"),
])
def test_a_field_path_that_matches_nothing_is_refused_with_the_right_spelling(tmp_path, path, says):
    said = problem(tmp_path, f"  no-foreign-data: {{fields: [email, '{path}']}}\n", FieldPaths.of_model(Account), welcome="")
    assert f"_catalog.yaml: rules: no-foreign-data: fields[1]: {says}" in said


@pytest.mark.parametrize("path", ["invoices[].number", "invoices[].*", "*email*", "tags[]", "address.line1", "address.*"])
def test_field_paths_in_the_one_syntax_pass(tmp_path, path):
    """``address`` is a mapping in the model: any key under it may exist."""
    passes(tmp_path, f"  no-foreign-data: {{fields: ['{path}'], allow: ['invoices[].number']}}\n", FieldPaths.of_model(Account), welcome="")


def test_without_a_model_paths_are_checked_against_the_fixtures(tmp_path):
    paths = field_paths(None, [ADA.data, fixture("en-ben", name="Ben", phone="+44 1").data])
    passes(tmp_path, "  no-foreign-data: {fields: ['invoices[].number', phone, 'address.line1']}\n", paths, welcome="")
    said = problem(tmp_path / "2", "  no-foreign-data: {allow: ['address.line2']}\n", paths, welcome="")
    assert "no-foreign-data: allow[0]: 'address.line2' matches no field of the fixtures; did you mean 'address.line1'?" in said


def test_belongs_to_recipient_takes_one_field_not_a_pattern(tmp_path):
    paths = FieldPaths.of_model(Account)
    said = problem(tmp_path, welcome="  belongs-to-recipient: {selector: '[data-field=n]', path: 'invoices.number'}\n", paths=paths)
    assert "belongs-to-recipient: path: 'invoices.number' matches no field of fixture_model Account; did you mean 'invoices[].number'?" in said
    assert "has a '*': this option names one field" in problem(
        tmp_path / "2", welcome="  belongs-to-recipient: {selector: x, path: 'invoices[].*'}\n", paths=paths)


def test_the_path_syntax():
    assert path_syntax_problem("orders[].gift_cards[].code") is None
    assert path_syntax_problem("*email*") is None
    assert path_syntax_problem("orders[*].id") == "'orders[*].id' is not a field path; did you mean 'orders[].id'? (keys joined by '.', '[]' after a list, e.g. 'orders[].id')"
    assert path_syntax_problem("") == "a field path cannot be empty; e.g. 'orders[].id'"
    assert "is not a field path" in path_syntax_problem("orders..id")


def test_paths_of_a_model_follow_optional_nested_and_list_fields():
    paths = FieldPaths.of_model(Account)
    assert paths.leaves == {"name", "email", "invoices[].number", "invoices[].due", "tags[]"}
    assert paths.open == {"address"}


class Team(BaseModel):
    name: str
    teams: list[Team] = []


def test_a_recursive_model_is_walked_once_and_open_below():
    paths = FieldPaths.of_model(Team)
    assert (paths.leaves, paths.open) == ({"name"}, {"teams[]"})
    assert paths.problem("teams[].teams[].name") is None  # below the recursion: not checked
    assert "did you mean 'name'" in paths.problem("nmae")


def test_no_foreign_data_matches_fields_written_in_the_path_syntax():
    ben = fixture("en-ben", name="Ben", email="ben@example.net", invoices=[{"number": "INV-2042"}])
    mail = email(page("<p>Hello Ada, invoice INV-2042</p>"), subject="Invoice", text="Hello Ada, invoice INV-2042\n")
    found = run("no-foreign-data", mail, recipient=ADA, others=[ben], fields=["invoices[].number"])
    assert [f.message for f in found] == ["invoices.number of another fixture (en-ben) appears in the HTML: 'INV-2042'",
                                          "invoices.number of another fixture (en-ben) appears in the text part: 'INV-2042'"]


# -- a team's rule ---------------------------------------------------------------------------------


class ShowsPlanOptions(RuleOptions):
    path: FieldPath = "plan.name"
    """The fixture field holding the plan's name."""
    minimum: int = 1
    """How many times the plan is named at least."""


def test_a_team_rule_that_declares_options_gets_the_same_checks(tmp_path):
    seen = []

    @rules.register("shows-plan", options=ShowsPlanOptions)
    def shows_plan(ctx):
        seen.append(ctx.options)
        return []

    said = problem(tmp_path, "  shows-plan: {minimun: 2, path: 'plans.name'}\n", FieldPaths.of_model(Account), welcome="")
    assert "shows-plan: unknown option 'minimun'; did you mean 'minimum'?" in said
    assert "shows-plan: path: 'plans.name' matches no field of fixture_model Account" in said
    run_rules({"shows-plan": {"minimum": 2}}, context("", email(page("<p>x</p>"))))
    assert seen == [{"path": "plan.name", "minimum": 2}]  # a dict, defaults filled in


def test_a_team_rule_without_a_declaration_takes_ignore_entries_only(tmp_path):
    seen = []

    @rules.register("no-shouting")
    def no_shouting(ctx):
        seen.append(ctx.options)
        return []

    passes(tmp_path, "  no-shouting: {ignore: [{value: x, reason: on purpose}]}\n", welcome="")
    run_rules({"no-shouting": {}}, context("", email(page("<p>x</p>"))))
    assert seen == [{}]
    said = problem(tmp_path / "given", "  no-shouting: {anything: [1, 2]}\n", welcome="")
    assert "rules: no-shouting: takes no options (given 'anything')" in said


def test_options_must_be_a_pydantic_model():
    with pytest.raises(ConfigError, match="options=.* is not a pydantic model class"):
        rules.register("bad", options=dict)  # type: ignore[arg-type]


def test_wrong_options_reaching_a_run_are_a_finding_not_a_crash():
    found = run_rules({"size": {"limit_kb": "big"}}, context("", email(page("<p>x</p>"))))
    assert [(f.rule, f.severity) for f in found] == [("size", "error")]
    assert found[0].message.startswith("the rule's options are wrong: limit_kb: Input should be a valid number")


# -- ignore entries --------------------------------------------------------------------------------

PREVIEW = page('<div class="preview"><a href="#">Preview link</a></div><p><a href="#">Real link</a> <a href="#top">Top</a></p>')


def test_an_ignore_selector_drops_findings_about_elements_inside_a_match():
    assert len(run("links", email(PREVIEW))) == 3
    found = run("links", email(PREVIEW), ignore=[{"selector": ".preview", "reason": "placeholder links in the preview block"}])
    assert [f.element for f in found] == ["a[href=#]", "a[href=#top]"]  # the real links are still reported


def test_an_ignore_value_drops_findings_holding_it_as_a_whole_term():
    found = run("links", email(PREVIEW), ignore=[{"value": "#", "reason": "in-page anchors"}])
    assert [f.element for f in found] == ["a[href=#top]"]  # '#' is not '#top'


def test_an_entry_with_selector_and_value_needs_both():
    found = run("links", email(PREVIEW), ignore=[{"selector": "p", "value": "#top", "reason": "back to top"}])
    assert [f.element for f in found] == ["a[href=#]", "a[href=#]"]


def test_a_selector_does_not_drop_findings_without_an_element():
    mail = email(page("<p>x</p>"), subject="")
    found = run("subject", mail, ignore=[{"selector": "body", "reason": "everything?"}])
    assert "subject is empty" in [f.message for f in found]


def test_template_ignore_entries_add_to_the_catalogs(tmp_path):
    cat = catalog(tmp_path, "  links: {ignore: [{value: '#', reason: a}]}\n",
                  welcome="  links: {ignore: [{selector: .preview, reason: b}]}\n")
    assert cat.rules_for(cat.templates["welcome"])["links"]["ignore"] == [{"value": "#", "reason": "a"}, {"selector": ".preview", "reason": "b"}]


@pytest.mark.parametrize(("entries", "says"), [
    ("[css-at-media]", "client-support: ignore[0]: 'css-at-media' is not an entry; write {value: 'css-at-media', reason: \"why\"}"),
    ("[{value: css-at-media}]", "client-support: ignore[0].reason: Field required"),
    ("[{value: x, reason: ''}]", "client-support: ignore[0].reason: String should have at least 1 character"),
    ("[{reason: why}]", "client-support: ignore[0]: an ignore entry needs a selector or a value"),
    ("[{selector: 'a[href=', reason: why}]", "client-support: ignore[0].selector: not a CSS selector: 'a[href='"),
    ("[{slug: x, reason: why}]", "client-support: ignore[0].slug: Extra inputs are not permitted"),
])
def test_a_wrong_ignore_entry_names_the_file_and_the_entry(tmp_path, entries, says):
    said = problem(tmp_path, welcome=f"  client-support: {{ignore: {entries}}}\n")
    assert f"welcome.yaml: rules: {says}" in said


def test_the_bundled_catalog_and_its_ignore_entries_pass():
    from shop.models import Account as ShopAccount

    repo = Path(__file__).resolve().parents[2]
    check_rule_options(load_catalog(repo / "templates"), FieldPaths.of_model(ShopAccount))


# -- the finding's element -------------------------------------------------------------------------


def test_a_findings_node_is_not_part_of_equality_repr_or_the_report():
    doc = email(page("<p>x</p>")).document
    with_node = Finding("r", "error", "m", "p", node=doc.p)
    assert with_node == Finding("r", "error", "m", "p") and "node" not in repr(with_node)
    assert with_node.node is doc.p
    assert dataclasses.asdict(with_node) == {"rule": "r", "severity": "error", "message": "m", "element": "p", "expected": ""}
    assert pickle.loads(pickle.dumps(with_node)).node is None


def test_run_rules_lets_go_of_the_elements_once_the_ignores_are_applied():
    found = run("links", email(PREVIEW))
    assert found and all(f.node is None for f in found)  # results do not keep every parsed email alive


# -- strict types, entries that are not options ---------------------------------------------------


def test_a_string_where_a_yes_or_no_is_expected_is_an_error_not_true(tmp_path):
    """Pydantic's lax mode reads "yes" as True; YAML already gives true and false."""
    said = problem(tmp_path, welcome="  belongs-to-recipient: {selector: '[data-field=id]', path: 'orders[].id', required: 'yes'}\n")
    assert "welcome.yaml: rules: belongs-to-recipient: required: Input should be a valid boolean (got 'yes')" in said
    passes(tmp_path / "2", welcome="  belongs-to-recipient: {selector: '[data-field=id]', path: 'orders[].id', required: false}\n")


def test_an_int_where_a_float_is_expected_still_passes(tmp_path):
    passes(tmp_path, "  size: {limit_kb: 90}\n", welcome="")
    assert "size: limit_kb: Input should be a valid number" in problem(tmp_path / "2", "  size: {limit_kb: '90'}\n", welcome="")


@pytest.mark.parametrize(("entry", "got"), [("[selector]", "a list (['selector'])"), ("enabled", "a string ('enabled')"), ("", "an empty value")])
def test_a_rule_given_something_else_than_options_is_one_error_saying_what_it_takes(tmp_path, entry, got):
    said = problem(tmp_path, welcome=f"  belongs-to-recipient: {entry}\n", refund="")
    assert said.startswith(
        f"{tmp_path}/templates/welcome.yaml: rules: belongs-to-recipient: takes {{}} (on, default options), a mapping of options "
        f"(belongs-to-recipient: {{option: value}}) or false (off), not {got}; "
        "'email-harness rules belongs-to-recipient' shows its options with an example")
    assert said.count("belongs-to-recipient") == 3 and "dict[str,any]" not in said


def test_a_rule_set_in_the_catalog_to_something_else_names_the_catalog(tmp_path):
    said = problem(tmp_path, "  links: [shop.example.com]\n", welcome="")
    assert said.startswith(f"{tmp_path}/templates/_catalog.yaml: rules: links: takes {{}}")


@pytest.mark.parametrize("entry", ["{}", "false", "true"])
def test_on_off_and_default_options_pass(tmp_path, entry):
    passes(tmp_path, f"  links: {entry}\n", welcome=f"  subject: {entry}\n")
