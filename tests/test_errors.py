"""Bad input gives a message naming the template, fixture, file:line and field; the run goes on."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from harness.cli import app


def test_malformed_mjml_names_the_template(sandbox):
    sandbox.edit("templates/welcome.mjml", "</mj-column>", "")
    result = sandbox.check("welcome[en-new-account]")
    assert result.status == "error"
    assert "welcome.mjml: mrml rejected the MJML" in result.error


def test_jinja_syntax_error_names_file_and_line(sandbox):
    sandbox.edit("templates/refund.mjml", "{{ t.heading }}</h1>", "{{ t.heading }</h1>")
    result = sandbox.check("refund[de-refunded]")
    assert result.status == "error"
    assert "refund.mjml:7: Jinja syntax error" in result.error


def test_undefined_variable_names_file_line_and_variable(sandbox):
    sandbox.edit("templates/refund.mjml", "{{ refund.amount", "{{ refund.amout")
    result = sandbox.check("refund[de-refunded]")
    assert result.status == "error"
    assert "refund.mjml:7: undefined value" in result.error and "amout" in result.error


def test_sandbox_refuses_template_injection(sandbox):
    sandbox.edit("templates/welcome.mjml", "{{ t.intro }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    result = sandbox.check("welcome[en-new-account]")
    assert result.status == "error"
    assert "welcome.mjml:7" in result.error and "__class__" in result.error


def test_broken_fixture_names_file_and_field_and_the_run_goes_on(sandbox):
    sandbox.edit("fixtures/en-one-order.yaml", "quantity: 2", "quantity: two")
    engine = sandbox.engine()
    results = {case.id: engine.check(case) for case in engine.cases()}
    broken = results["order_confirmation[en-one-order]"]
    assert broken.status == "error"
    assert "en-one-order.yaml: fails the Account model: field orders.0.line_items.0.quantity" in broken.error
    assert results["order_confirmation[en-several-orders]"].status == "passed"


def test_unknown_fixture_field_is_refused(sandbox):
    sandbox.edit("fixtures/de-minimal.yaml", "name: Ute", "name: Ute\nnickname: U")
    result = sandbox.check("welcome[de-minimal]")
    assert "field nickname: not in the Account model" in result.error


def test_non_utf8_fixture_is_named(sandbox):
    sandbox.write("fixtures/en-latin1.yaml", "locale: en\nname: Jos\xe9\n".encode("latin-1"))
    result = sandbox.check("welcome[en-latin1]")
    assert result.status == "error"
    assert "en-latin1.yaml:2: not UTF-8 (byte 20)" in result.error


def test_invalid_yaml_gives_the_line(sandbox):
    sandbox.write("fixtures/en-broken.yaml", "locale: en\nname: [unclosed\n")
    result = sandbox.check("welcome[en-broken]")
    assert "en-broken.yaml:3: invalid YAML" in result.error


def test_an_unknown_send_guard_is_one_configuration_error_naming_the_file_and_the_known_guards(sandbox, monkeypatch):
    sandbox.edit("templates/refund.yaml", "requires: [refunded_order]", "requires: [refunded_ordr]")
    monkeypatch.chdir(sandbox.root)
    result = CliRunner().invoke(app, ["run", "--no-screenshots"])
    assert result.exit_code == 2
    assert result.output.count("unknown send guard") == 1  # once, not once per fixture
    assert "refund.yaml: requires: unknown send guard 'refunded_ordr'; known: " in result.output
    assert "gift_card_order" in result.output and "[tool.email-harness] plugins" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_rule_is_one_configuration_error(sandbox, monkeypatch):
    sandbox.edit("templates/refund.yaml", "rules:", "rules:\n  no-lorem: {}")
    monkeypatch.chdir(sandbox.root)
    result = CliRunner().invoke(app, ["run", "--no-screenshots"])
    assert result.exit_code == 2
    assert result.output.count("unknown rule") == 1
    assert "refund.yaml: rules: unknown rule 'no-lorem'; known: " in result.output


@pytest.mark.parametrize(("old", "new", "says"), [
    ("  max_diff_ratio: 0.0\n", "  max_diff_ratio: 0.0\n  mask: ['[data-field=']\n",
     "field screenshots.mask: Value error, not a CSS selector: '[data-field='"),
    ("viewports: [desktop-dark,", "viewports: [desktop-drak,",
     "field screenshots.variants.viewports: Value error, unknown viewport(s) ['desktop-drak']"),
])
def test_a_bad_screenshot_setting_names_the_file_and_the_setting(sandbox, monkeypatch, old, new, says):
    sandbox.edit("templates/_catalog.yaml", old, new)
    monkeypatch.chdir(sandbox.root)
    result = CliRunner().invoke(app, ["run", "--no-screenshots"])
    assert result.exit_code == 2
    assert f"templates/_catalog.yaml: {says}" in result.output
    assert "Traceback" not in result.output


def test_cli_lists_every_problem_and_exits_1(sandbox, monkeypatch):
    sandbox.edit("templates/refund.mjml", "{{ refund.amount", "{{ refund.amout")
    monkeypatch.chdir(sandbox.root)
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 1
    assert "refund[de-refunded]: error" in result.output
    cases = json.loads((sandbox.root / "report" / "results.json").read_text())["cases"]
    assert sum(c["status"] == "error" for c in cases) == 1
    assert sum(c["status"] == "passed" for c in cases) == len(cases) - 1


def test_usage_error_exits_2(sandbox, monkeypatch):
    monkeypatch.chdir(sandbox.root)
    result = CliRunner().invoke(app, ["run", "--catalog", str(sandbox.root / "nope")])
    assert result.exit_code == 2
    assert "does not exist; pass --catalog DIR" in result.output


def test_help_texts_print_brackets_as_written():
    """Setting names and case patterns contain brackets; the terminal library must not eat them."""
    runner = CliRunner()
    run_help = runner.invoke(app, ["run", "--help"]).output
    assert "Overrides [tool.email-harness]." in run_help and "'invoice_*[de-*]'" in run_help
    assert "(default: [tool.email-harness] output)" in runner.invoke(app, ["review", "--help"]).output
