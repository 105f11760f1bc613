"""``email-harness rules``: every rule with its options, defaults and an example, generated from
the declarations; and a misconfigured rule stopping both fronts with exit 2 before any case runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from harness.catalog import load_catalog
from harness.cli import app
from harness.rules import rules
from harness.rules.options import check_rule_options
from harness.rules.reference import format_rule, format_rules, rule_doc

REPO = Path(__file__).resolve().parents[1]


def test_rules_lists_every_rule_of_the_project_one_line_each(tmp_path, monkeypatch):
    saas = tmp_path / "saas"
    shutil.copytree(REPO / "examples/saas", saas)
    monkeypatch.chdir(saas)
    result = CliRunner().invoke(app, ["rules"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for name in rules.names():
        assert sum(line.startswith(f"{name} ") for line in lines) == 1, name
    # The project's own rule, loaded from its plugins as the engine loads them, says where it is from.
    assert [line for line in lines if line.startswith("invoice-number ")][0].endswith("(from lumen_emails.rules)")
    assert "'email-harness rules NAME' shows a rule's options with an example." in result.output


def test_one_rule_shows_its_description_options_defaults_docs_and_an_example(monkeypatch):
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(app, ["rules", "incident-notice"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("incident-notice (built in)\n\nA data or security notice says what happened")
    assert "  sections: list[str], default [what-happened, which-data, consequences, what-we-did, what-you-can-do, contact]\n" in out
    assert "  min_words: int, default 10\n      Words each section has at least." in out
    assert "  ignore: list of entries, default []" in out
    assert "example (templates/_catalog.yaml, or a template's NAME.yaml):\n  rules:\n    incident-notice:\n      sections: [" in out


def test_required_options_and_their_kinds_are_shown(monkeypatch):
    monkeypatch.chdir(REPO)
    out = CliRunner().invoke(app, ["rules", "belongs-to-recipient"]).output
    assert "  selector: CSS selector, required\n" in out and "  path: field path, required\n" in out
    assert "      path: invoices[].number\n" in out


def test_an_unknown_rule_exits_2_with_the_closest_name(monkeypatch):
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(app, ["rules", "aproved-copy"])
    assert result.exit_code == 2
    assert "unknown rule 'aproved-copy'; did you mean 'approved-copy'?" in result.output


@pytest.mark.parametrize("name", rules.names())
def test_every_generated_example_is_a_valid_configuration(tmp_path, name):
    """The example is the declaration's: pasted into a catalog, it passes the checks."""
    example = rule_doc(name).example
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/_catalog.yaml").write_text(example + "\n")
    # A template that loops over and prints what the examples allow (an allow entry naming
    # nothing the templates write is a typo).
    (tmp_path / "templates/t.mjml").write_text(
        "<mjml><mj-body><mj-raw>{% for coupon in order.coupons %}{{ coupon }}{% endfor %}{{ account.nickname }}</mj-raw></mj-body></mjml>")
    assert yaml.safe_load(example)["rules"][name] is not None
    check_rule_options(load_catalog(tmp_path / "templates"))


def test_the_listing_marks_the_rules_on_by_default_and_the_optional_ones():
    from harness.catalog.templates import DEFAULT_RULES

    lines = format_rules().splitlines()
    for name in rules.names():
        line = next(line for line in lines if line.startswith(f"{name} "))
        assert line.split()[1] == ("default" if name in DEFAULT_RULES else "optional"), line
    assert next(line for line in lines if line.startswith("approved-copy ")).split()[1] == "optional"
    assert next(line for line in lines if line.startswith("no-leftovers ")).split()[1] == "default"
    assert "default: runs while templates/_catalog.yaml has no rules: (once it has, only the rules named there run);" in lines
    assert format_rule("size").split("\n\n")[2] == "on by default: runs while templates/_catalog.yaml has no rules: (else once named there)"
    assert "\n\noptional: runs once named under rules:" in format_rule("approved-copy")


def test_the_listing_is_the_reference_functions_output():
    assert format_rules().splitlines()[0].startswith("accessibility ")


# -- both fronts stop on a misconfigured rule ------------------------------------------------------


def test_run_exits_2_naming_the_file_rule_and_option(sandbox, monkeypatch):
    sandbox.edit("templates/_catalog.yaml", '"orders[].gift_cards[].code"', "orders.gift_cards.code")
    sandbox.edit("templates/welcome.yaml", "approved-copy: {blocks: [legal_footer]}", "approved-copy: {block: [legal_footer]}")
    monkeypatch.chdir(sandbox.root)
    result = CliRunner().invoke(app, ["run", "--no-screenshots"])
    assert result.exit_code == 2, result.output
    assert ("templates/_catalog.yaml: rules: no-foreign-data: fields[5]: 'orders.gift_cards.code' matches no field of "
            "fixture_model Account; did you mean 'orders[].gift_cards[].code'?") in result.output
    assert "templates/welcome.yaml: rules: approved-copy: unknown option 'block'; did you mean 'blocks'?" in result.output
    assert "templates/welcome.yaml: rules: approved-copy: needs the option 'blocks'" in result.output
    # Nothing ran: the report folder is at most the empty one --output is checked with beforehand.
    assert "Traceback" not in result.output and not any((sandbox.root / "report").glob("*"))


def test_pytest_reports_a_misconfigured_rule_as_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", pyproject='[tool.email-harness]\ncatalog = "templates"\n')
    (pytester.path / "templates").mkdir()
    (pytester.path / "templates/hello.mjml").write_text("<mjml><mj-body><mj-text>Hi</mj-text></mj-body></mjml>")
    (pytester.path / "templates/_catalog.yaml").write_text("rules:\n  size: {limit_kb: lots}\n")
    (pytester.path / "fixtures").mkdir()
    (pytester.path / "fixtures/en-ann.yaml").write_text("locale: en\nname: Ann\n")
    result = pytester.runpytest_subprocess("templates")
    assert result.ret == pytest.ExitCode.INTERRUPTED  # a collection error: nothing ran
    result.stdout.fnmatch_lines(["*templates/_catalog.yaml: rules: size: limit_kb: Input should be a valid number*(got 'lots')*"])
    assert "Traceback" not in result.stdout.str()


def test_a_team_rule_is_documented_from_its_own_declaration(monkeypatch):
    from harness.rules import RuleOptions
    from harness.rules.reference import format_rule

    monkeypatch.setattr(rules, "_items", dict(rules._items))
    monkeypatch.setattr(rules, "origins", dict(rules.origins))
    monkeypatch.setattr(rules, "option_models", dict(rules.option_models))

    class PlanOptions(RuleOptions):
        plans: list[str]
        """Plan names the email may mention."""

    @rules.register("mentions-plan", options=PlanOptions)
    def mentions_plan(ctx):
        """The email names the recipient's plan. Only one of the sold ones."""
        return []

    @rules.register("undeclared")
    def undeclared(ctx):
        return []

    text = format_rule("mentions-plan")
    assert text.startswith(f"mentions-plan ({__name__})\n\nThe email names the recipient's plan. Only one of the sold ones.")
    assert "  plans: list[str], required\n      Plan names the email may mention." in text
    assert "      plans: ...  # required: list[str]" in text
    assert "options: not declared; the rule takes none (only ignore entries)" in format_rule("undeclared")
    # Without a docstring of its own, a rule is described by its module's (as the built-ins' modules do).
    assert format_rule("undeclared").startswith("undeclared (test_rules_command)\n\n`email-harness rules`: every rule")
