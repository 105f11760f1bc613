"""A team's own project: its plugin module, its data, its guards, filters, translations and rules.

Each extension point is shown working and shown failing the way a user gets it wrong. Every
project here names its plugin module after the test, because a registration lives as long as the
process (as pytest's and pluggy's do) and tests share worker processes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cases import Case
from harness.cli import app
from harness.engine import Engine
from harness.errors import ConfigError
from harness.project import Project

EMAIL = """<mjml lang="{{{{ locale }}}}" dir="{{{{ dir }}}}"><mj-head><mj-title>Hi</mj-title><mj-preview>Hi</mj-preview></mj-head>
<mj-body><mj-section><mj-column><mj-text>{body}</mj-text></mj-column></mj-section></mj-body></mjml>
"""


class TeamProject:
    """A throwaway project folder: pyproject.toml, templates/, fixtures/ and a plugin module."""

    def __init__(self, root: Path, module: str) -> None:
        self.root, self.module = root, module
        (root / "templates").mkdir()
        (root / "fixtures").mkdir()
        self.settings: dict[str, str] = {"screenshots": "false"}

    def plugin(self, code: str) -> None:
        self.settings["plugins"] = f'["{self.module}"]'
        (self.root / f"{self.module}.py").write_text("from harness import *\nfrom harness import NotSent\n" + code)

    def template(self, name: str, body: str, meta: str | None = None) -> None:
        (self.root / "templates" / f"{name}.mjml").write_text(EMAIL.format(body=body))
        if meta is not None:
            (self.root / "templates" / f"{name}.yaml").write_text(meta)

    def fixture(self, name: str, yaml_text: str) -> None:
        (self.root / "fixtures" / f"{name}.yaml").write_text(yaml_text)

    def engine(self) -> Engine:
        body = "".join(f"{key} = {value}\n" for key, value in self.settings.items())
        (self.root / "pyproject.toml").write_text("[tool.email-harness]\n" + body)
        return Engine(Project.load(self.root), screenshots=False)

    def render(self, case_id: str):
        return self.engine().render(Case.parse(case_id))


@pytest.fixture
def team(tmp_path: Path, request: pytest.FixtureRequest) -> TeamProject:
    return TeamProject(tmp_path, "team_" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:12])


INVOICES = """locale: en
name: Ada Lovelace
invoices:
  - {number: INV-1, status: paid, items: [{name: Pro plan, amount: 12}]}
"""
NO_INVOICE = "locale: en\nname: Grace Hopper\ninvoices: []\n"
PAID_GUARD = """
@guards.register("paid_invoice")
def paid_invoice(account, now):
    paid = [i for i in account.invoices if i.status == "paid"]
    if not paid:
        return NotSent("no paid invoice")
    return {"invoice": paid[-1], "receipt_url": "https://app.example.com/r/" + paid[-1].number}
"""


# -- send guards ---------------------------------------------------------------------------------


def test_a_guard_decides_who_gets_the_email_in_its_own_words_and_adds_send_time_values(team):
    team.plugin(PAID_GUARD)
    team.template("receipt", "Invoice {{ invoice.number }}: {{ receipt_url }}", "subject: Receipt\nrequires: [paid_invoice]\n")
    team.fixture("en-ada", INVOICES)
    team.fixture("en-grace", NO_INVOICE)
    sent = team.render("receipt[en-ada]")
    assert sent.sent and "Invoice INV-1: https://app.example.com/r/INV-1" in sent.text
    skipped = team.render("receipt[en-grace]")
    assert (skipped.outcome, skipped.reason) == ("not sent", "no paid invoice")


def test_a_guard_that_returns_nothing_never_sends(team):
    team.plugin('@guards.register("forgot_return")\ndef forgot_return(account, now):\n    account.name\n')
    team.template("t", "x", "subject: S\nrequires: [forgot_return]\n")
    team.fixture("en-ada", INVOICES)
    email = team.render("t[en-ada]")
    assert (email.outcome, email.reason) == ("not sent", "guard 'forgot_return' not met")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("    return account.plan.name\n", "send guard 'broken' failed: AttributeError: plan"),
        ("    return ['invoice']\n", "send guard 'broken' returned list; expected a mapping of template values (sent) or NotSent(reason)"),
    ],
)
def test_a_broken_guard_is_an_error_of_that_case_naming_guard_template_and_fixture(team, code, expected):
    team.plugin('@guards.register("broken")\ndef broken(account, now):\n' + code)
    team.template("t", "x", "subject: S\nrequires: [broken]\n")
    team.fixture("en-ada", INVOICES)
    result = team.engine().check(Case.parse("t[en-ada]"))
    assert result.status == "error"
    assert expected in result.error and "t.yaml, fixture en-ada" in result.error


def test_an_unknown_guard_lists_the_known_ones(team):
    team.plugin(PAID_GUARD)
    team.template("t", "x", "subject: S\nrequires: [paid_invoce]\n")
    with pytest.raises(ConfigError) as raised:
        team.engine()
    message = str(raised.value)
    assert "t.yaml: requires: unknown send guard 'paid_invoce'; known: " in message and "paid_invoice" in message


# -- the team's data -----------------------------------------------------------------------------


def test_free_form_fixtures_read_by_attribute_and_their_keys_shadow_dict_methods(team):
    team.template("t", "{% for item in account.invoices[0].items %}{{ item.name }} {{ item.amount }}{% endfor %}", "subject: S\n")
    team.fixture("en-ada", INVOICES)
    assert "Pro plan 12" in team.render("t[en-ada]").text  # the key 'items', not dict.items


def test_a_missing_key_in_free_form_data_names_the_file_line_fixture_and_key(team):
    team.template("t", "Plan: {{ account.plan }}", "subject: S\n")
    team.fixture("en-ada", INVOICES)
    result = team.engine().check(Case.parse("t[en-ada]"))
    assert result.status == "error"
    assert "t.mjml:2: undefined value: the fixture has no key 'plan' in en-ada.yaml" in result.error
    assert "t[en-ada]" in result.explain()


MODEL = """
from pydantic import BaseModel, ConfigDict

class Invoice(BaseModel):
    number: str
    status: str

class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    locale: str
    name: str
    invoices: list[Invoice] = []
"""


def test_fixtures_are_validated_against_the_teams_model_with_file_field_and_expected_type(team):
    team.plugin(MODEL)
    team.settings["fixture_model"] = f'"{team.module}:Customer"'
    team.fixture("en-ada", "locale: en\nname: Ada\ninvoices: [{number: INV-1, status: paid}]\n")
    team.fixture("en-typo", "locale: en\nname: Ada\nplann: pro\ninvoices: [{number: 7, status: paid}]\n")
    fixtures = team.engine().fixtures
    ada = fixtures.fixtures["en-ada"].data
    assert type(ada).__name__ == "Customer" and ada.id == "en-ada" and ada.invoices[0].number == "INV-1"
    error = str(fixtures.errors["en-typo"])
    assert "en-typo.yaml: fails the Customer model" in error
    assert "field invoices.0.number: Input should be a valid string (got 7)" in error
    assert "field plann: not in the Customer model" in error


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ('"{module}:Nope"', "fixture_model = '{module}:Nope': module {module} has no 'Nope'"),
        ('"{module}"', "expected 'package.module:Name'"),
        ('"{module}:NOT_A_MODEL"', "not a pydantic model class"),
    ],
)
def test_a_wrong_fixture_model_setting_is_a_configuration_error(team, setting, expected):
    team.plugin(MODEL + "NOT_A_MODEL = 3\n")
    team.settings["fixture_model"] = setting.format(module=team.module)
    with pytest.raises(ConfigError, match=expected.format(module=team.module).replace("(", r"\(").replace(")", r"\)")):
        team.engine()


def test_control_characters_are_refused_in_free_form_fixtures_too(team):
    team.fixture("en-bell", 'locale: en\nprofile: {name: "Ada\\x07"}\n')
    assert "field profile.name: contains U+0007" in str(team.engine().fixtures.errors["en-bell"])


# -- the team's Jinja environment ------------------------------------------------------------------


def test_registered_filters_tests_globals_and_extensions_reach_every_template(team):
    team.plugin(
        "import jinja2.ext\n"
        '@filters.register("shout")\ndef shout(value):\n    return value.upper() + "!"\n'
        '@jinja_tests.register("vip")\ndef vip(account):\n    return account.name.startswith("Ada")\n'
        'jinja_globals.register("app_url")("https://app.example.com")\n'
        'jinja_extensions.register("loopcontrols")(jinja2.ext.loopcontrols)\n'
    )
    team.template("t", "{{ account.name | shout }} {% if account is vip %}VIP{% endif %} {{ app_url }} "
                       "{% for n in [1, 2, 3] %}{% if n == 2 %}{% break %}{% endif %}n{{ n }}{% endfor %}", "subject: S\n")
    team.fixture("en-ada", INVOICES)
    assert "ADA LOVELACE! VIP https://app.example.com n1" in team.render("t[en-ada]").text


def test_the_sandbox_and_strictness_stay_with_registered_code(team):
    team.plugin('jinja_globals.register("helper")(object())\n')
    team.template("t", "{{ helper.__class__.__mro__ }}", "subject: S\n")
    team.fixture("en-ada", INVOICES)
    result = team.engine().check(Case.parse("t[en-ada]"))
    assert result.status == "error" and "refused by the sandbox" in result.error


def test_an_unknown_filter_names_the_template_line(team):
    team.template("t", "{{ account.name | shuot }}", "subject: S\n")
    team.fixture("en-ada", INVOICES)
    result = team.engine().check(Case.parse("t[en-ada]"))
    assert "t.mjml:2" in result.error and "No filter named 'shuot'" in result.error


PO = r'''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"

msgid "Hello %(name)s"
msgstr "Hallo %(name)s"

msgid "Bye"
msgstr "Tschüss"

msgid "%(num)d seat"
msgid_plural "%(num)d seats"
msgstr[0] "%(num)d Platz"
msgstr[1] "%(num)d Plätze"
'''


def test_gettext_renders_each_fixture_in_its_locale_from_po_catalogs(team):
    (team.root / "locale/de/LC_MESSAGES").mkdir(parents=True)
    (team.root / "locale/de/LC_MESSAGES/messages.po").write_text(PO, encoding="utf-8")
    team.settings["translations"] = '"locale"'
    body = "{% trans name=account.name %}Hello {{ name }}{% endtrans %}. {{ ngettext('%(num)d seat', '%(num)d seats', 3) }}. {{ _('Bye') }}"
    team.template("t", body, "subject: S\nlocales: [en, de]\n")
    team.fixture("de-max", "locale: de\nname: Max\n")
    team.fixture("en-ada", "locale: en\nname: Ada\n")
    assert "Hallo Max. 3 Plätze. Tschüss" in team.render("t[de-max]").text
    assert "Hello Ada. 3 seats. Bye" in team.render("t[en-ada]").text


def test_a_broken_po_file_is_named(team):
    (team.root / "locale/de/LC_MESSAGES").mkdir(parents=True)
    (team.root / "locale/de/LC_MESSAGES/messages.po").write_text('msgid "a"\nmsgtsr "b"\n')  # a typo
    team.settings["translations"] = '"locale"'
    team.template("t", "{{ _('a') }}", "subject: S\nlocales: [de]\n")
    team.fixture("de-max", "locale: de\nname: Max\n")
    with pytest.raises(ConfigError, match="messages.po: cannot read the gettext catalog: Unknown or misformatted keyword on 1"):
        team.engine()


def test_a_translation_hole_fails_the_template_whatever_the_fixtures(team):
    """No German fixture reaches these templates: the holes are found all the same."""
    (team.root / "locale/de/LC_MESSAGES").mkdir(parents=True)
    (team.root / "locale/de/LC_MESSAGES/messages.po").write_text(PO.replace('msgstr "Hallo %(name)s"', 'msgstr ""'), encoding="utf-8")
    team.settings["translations"] = '"locale"'
    team.template("gettext", "{% trans name=account.name %}Hello {{ name }}{% endtrans %}", "subject: S\nlocales: [en, de]\n")
    team.template("strings", "{{ t.heading }} {{ t.intro }}", "subject: S\nlocales: [en, it]\nstrings: {en: {heading: H, intro: I}, it: {heading: Ciao}}\n")
    team.fixture("en-ada", "locale: en\nname: Ada\n")
    errors = team.engine().catalog.errors
    assert "gettext.yaml: locale 'de' has no translation for 'Hello %(name)s'" in str(errors["gettext"])
    assert "strings.yaml: locale 'it' lacks string(s) intro under strings:" in str(errors["strings"])


# -- loading the project's code --------------------------------------------------------------------


def test_a_missing_plugin_module_is_a_configuration_error_from_the_cli(team, monkeypatch):
    team.settings["plugins"] = '["no_such_module_here"]'
    team.template("t", "x", "subject: S\n")
    team.engine  # noqa: B018
    body = "".join(f"{key} = {value}\n" for key, value in team.settings.items())
    (team.root / "pyproject.toml").write_text("[tool.email-harness]\n" + body)
    monkeypatch.chdir(team.root)
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2
    assert "[tool.email-harness] plugins: 'no_such_module_here': no module named 'no_such_module_here'" in result.output


def test_a_plugin_module_that_raises_names_its_file_and_line(team):
    team.plugin("x = 1\nraise RuntimeError('half-written plugin')\n")
    with pytest.raises(ConfigError) as raised:
        team.engine()
    assert "importing it failed: RuntimeError: half-written plugin" in str(raised.value)
    assert f"{team.module}.py:4" in str(raised.value)


@pytest.mark.parametrize(("code", "expected"), [
    ("import sys\nsys.exit(0)\n", "it called sys.exit(0)"),
    ("raise SystemExit('bye')\n", "it called sys.exit('bye')"),
    ("class Stop(BaseException): pass\nraise Stop('not an Exception')\n", "Stop: not an Exception"),
])
def test_a_plugin_module_that_exits_is_a_configuration_error_not_a_green_run(team, monkeypatch, code, expected):
    """sys.exit(0) while loading once ended 'email-harness run' with exit 0 and nothing checked."""
    team.plugin(code)
    team.template("t", "x", "subject: S\n")
    team.fixture("en-a", "locale: en\nname: A\n")
    with pytest.raises(ConfigError):
        team.engine()  # writes pyproject.toml too
    monkeypatch.chdir(team.root)
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2, result.output
    assert f"plugins: '{team.module}': importing it failed: {expected}" in result.output
    assert f"{team.module}.py:" in result.output


def test_a_wrong_setting_type_names_the_key_and_what_it_takes(team):
    team.settings["plugins"] = f'"{team.module}"'
    with pytest.raises(ConfigError, match=r"plugins = '.*': expected a list of module names"):
        team.engine()


def test_an_installed_package_registers_through_its_entry_point(tmp_path):
    """A package of shared rules (say, a company-wide one) needs no setting: its entry point in
    the ``email_harness`` group is imported before the project's own modules."""
    site = tmp_path / "site"
    (site / "acme_rules-1.0.dist-info").mkdir(parents=True)
    (site / "acme_rules-1.0.dist-info/METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (site / "acme_rules-1.0.dist-info/entry_points.txt").write_text("[email_harness]\nacme = acme_rules\n")
    (site / "acme_rules.py").write_text(
        "from harness import rules\n\n@rules.register('acme-no-exclamation')\ndef rule(ctx):\n"
        "    if '!' in ctx.email.subject:\n        yield ctx.error('no ! in subjects', element='subject')\n"
    )
    project = tmp_path / "project"
    (project / "templates").mkdir(parents=True)
    (project / "fixtures").mkdir()
    (project / "templates/t.mjml").write_text(EMAIL.format(body="x"))
    (project / "templates/t.yaml").write_text("subject: Hi!\nrules: {acme-no-exclamation: {}}\n")
    (project / "fixtures/en-ada.yaml").write_text("locale: en\nname: Ada\n")
    (project / "pyproject.toml").write_text("[tool.email-harness]\nscreenshots = false\n")
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run([sys.executable, "-m", "harness", "run"], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "[acme-no-exclamation] error: no ! in subjects at subject" in run.stdout
    without = subprocess.run([sys.executable, "-m", "harness", "run"], cwd=project, capture_output=True, text=True, timeout=120)
    assert without.returncode == 2 and "unknown rule 'acme-no-exclamation'" in without.stdout


def test_the_harness_core_names_no_shop_concept():
    """The shop is an example project (shop/); the core speaks of templates, fixtures, guards,
    rules and snapshots. Docstrings may use shop examples; identifiers may not."""
    import ast
    import re

    shop_words = re.compile(r"order|gift_?card|shipment|shipping|refund|shop", re.I)
    offenders = []
    for path in sorted(Path(__file__).resolve().parents[1].joinpath("harness").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                names = [node.name]
            elif isinstance(node, ast.Name):
                names = [node.id]
            elif isinstance(node, ast.Attribute):
                names = [node.attr]
            elif isinstance(node, ast.arg):
                names = [node.arg]
            offenders += [f"{path.name}:{node.lineno} {n}" for n in names if shop_words.search(n) and not n.startswith(("OrderedDict", "STATUS_ORDER", "sort"))]
    assert offenders == []


def test_a_misspelt_field_is_named_with_what_it_was_probably_meant_to_be(team):
    team.plugin(MODEL.replace('    model_config = ConfigDict(extra="forbid")\n', ""))  # pydantic's default: extras ignored
    team.settings["fixture_model"] = f'"{team.module}:Customer"'
    team.fixture("en-typo", "locale: en\nnmae: Ada\ninvoice: []\n")
    error = str(team.engine().fixtures.errors["en-typo"])
    assert "field nmae: not in the Customer model (a typo of 'name'?)" in error
    assert "field invoice: not in the Customer model (a typo of 'invoices'?)" in error
    assert "field name: Field required (the file has 'nmae', 'invoice')" in error
    assert "got {" not in error  # not the whole file as "input"
