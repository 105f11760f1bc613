"""A team's own code is called through one boundary (:mod:`harness.boundary`): whatever it raises
(``SystemExit``, ``GeneratorExit`` and other ``BaseException`` subclasses included), returns or
loops on becomes a named error, never a traceback, a hang or a write outside the project.

At load time (a constructor, an extension, a snapshot kind's name) ``email-harness run`` exits 2
naming the plugin, its module and the line that raised; at case time the case is an error (a rule:
a finding) naming the plugin, and the run goes on to write its report. Each test here is one
hostile plugin; its module is named after the test, because registrations are process-wide.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from harness.cli import app
from harness.errors import ConfigError, TemplateError
from harness.plugins import registries

from test_plugins import TeamProject  # the same throwaway project as the plugin tests

ADA = "locale: en\nname: Ada\n"
GRACE = "locale: en\nname: Grace\n"


@pytest.fixture(autouse=True)
def restore_registries() -> Iterator[None]:
    """A hostile plugin must not outlive its test: every registry is put back as it was."""
    saved = {name: (dict(r._items), dict(r.origins)) for name, r in registries().items()}
    rule_models = dict(registries()["rules"].option_models)
    yield
    for name, registry in registries().items():
        registry._items, registry.origins = dict(saved[name][0]), dict(saved[name][1])
    registries()["rules"].option_models = rule_models


@pytest.fixture
def team(tmp_path: Path, request: pytest.FixtureRequest) -> TeamProject:
    (tmp_path / "project").mkdir()
    return TeamProject(tmp_path / "project", "hostile_" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:12])


def setup(team: TeamProject, plugin: str, *, meta: str = "subject: Hi\n", body: str = "Hello {{ account.name }}") -> None:
    """Two templates x two fixtures, so a test can see the run go on past a broken case."""
    team.plugin(plugin)
    team.template("welcome", body, meta)
    team.template("plain", "Plain {{ account.name }}", "subject: Plain\n")
    team.fixture("en-ada", ADA)
    team.fixture("en-grace", GRACE)


def run(team: TeamProject, monkeypatch: pytest.MonkeyPatch) -> tuple[Result, dict | None]:
    """``email-harness run`` in the project: the result and the report's results.json (or None)."""
    body = "".join(f"{key} = {value}\n" for key, value in team.settings.items())
    (team.root / "pyproject.toml").write_text("[tool.email-harness]\n" + body)
    monkeypatch.chdir(team.root)
    result = CliRunner().invoke(app, ["run"])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"a traceback: {type(result.exception).__name__}: {result.exception}\n{result.output}"
    )
    results = team.root / "report" / "results.json"
    return result, json.loads(results.read_text()) if results.is_file() else None


def case(document: dict, case_id: str) -> dict:
    return next(c for c in document["cases"] if c["id"] == case_id)


def assert_case_error(team: TeamProject, monkeypatch: pytest.MonkeyPatch, case_id: str, *expected: str) -> dict:
    """The run went on: exit 1, a report with ``case_id`` an error naming ``expected``, the
    other template's cases passing (new)."""
    result, document = run(team, monkeypatch)
    assert result.exit_code == 1, result.output
    assert document is not None, "no report was written"
    broken = case(document, case_id)
    assert broken["status"] == "error", broken
    for text in expected:
        assert text in broken["error"], broken["error"]
    assert case(document, "plain[en-ada]")["status"] == "new"
    return broken


def assert_config_error(team: TeamProject, monkeypatch: pytest.MonkeyPatch, *expected: str) -> str:
    """Exit 2 before any case ran, the message naming ``expected`` and the plugin's file:line."""
    result, _ = run(team, monkeypatch)
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())  # rich wraps long lines
    for text in expected:
        assert text in output, output
    return output


# -- MJML engines ----------------------------------------------------------------------------------

ENGINE = """
from harness.render.mjml_engines import MrmlEngine, mjml_engines

@mjml_engines.register("{name}")
class Hostile(MrmlEngine):
    name = "{name}"
{body}
"""


def test_an_engine_whose_render_raises_is_an_error_of_each_case_not_a_traceback(team, monkeypatch):
    setup(team, ENGINE.format(name="boom-render", body="    def render(self, mjml):\n        raise RuntimeError('engine down')\n"))
    team.settings["mjml_engine"] = '"boom-render"'
    result, document = run(team, monkeypatch)
    assert result.exit_code == 1 and document is not None
    error = case(document, "welcome[en-ada]")["error"]
    assert "welcome.mjml: MJML engine 'boom-render' failed: RuntimeError: engine down" in error
    assert f"{team.module}.py:10" in error
    assert {c["status"] for c in document["cases"]} == {"error"}


def test_an_engine_whose_constructor_raises_stops_the_run_naming_engine_module_and_line(team, monkeypatch):
    setup(team, ENGINE.format(name="boom-init", body="    def __init__(self, project_root=None):\n        raise OSError('no binary')\n"))
    team.settings["mjml_engine"] = '"boom-init"'
    assert_config_error(team, monkeypatch, "MJML engine 'boom-init'", "OSError: no binary", f"{team.module}.py:10", f"module {team.module}")


def test_an_engine_that_returns_bytes_is_an_error_saying_what_it_should_return(team, monkeypatch):
    setup(team, ENGINE.format(name="bytes-out", body="    def render(self, mjml):\n        return b'<html></html>'\n"))
    team.settings["mjml_engine"] = '"bytes-out"'
    result, document = run(team, monkeypatch)
    assert result.exit_code == 1 and document is not None
    assert "MJML engine 'bytes-out' returned bytes; expected the HTML as str" in case(document, "plain[en-ada]")["error"]


def test_an_engine_whose_close_raises_keeps_the_results_and_says_so(team, monkeypatch):
    setup(team, ENGINE.format(name="boom-close", body="    def close(self):\n        raise BrokenPipeError('worker gone')\n"))
    team.settings["mjml_engine"] = '"boom-close"'
    result, document = run(team, monkeypatch)
    assert result.exit_code == 1 and document is not None, result.output
    assert case(document, "welcome[en-ada]")["status"] == "new"
    assert "at the end of the run: MJML engine 'boom-close' failed: BrokenPipeError: worker gone" in " ".join(result.output.split())


# -- renderers -------------------------------------------------------------------------------------


def test_a_renderer_registered_as_a_function_is_a_configuration_error(team, monkeypatch):
    setup(team, '@renderers.register("fn")\ndef fn(request):\n    return RenderOutput(html="x")\n', meta="subject: Hi\nrenderer: fn\n")
    assert_config_error(team, monkeypatch, "renderer 'fn'", "expected a class", f"module {team.module}")


def test_a_renderer_claiming_extensions_with_a_bare_string_is_a_configuration_error(team, monkeypatch):
    setup(team, '@renderers.register("stringy")\nclass Stringy:\n    extensions = ".md"\n    def render(self, request):\n        return RenderOutput(html="x")\n')
    assert_config_error(team, monkeypatch, "renderer 'stringy'", "extensions = '.md'; expected a tuple of file extensions such as ('.mustache',)")


def test_a_renderer_whose_constructor_raises_is_a_configuration_error(team, monkeypatch):
    setup(team, (
        '@renderers.register("ctor")\nclass Ctor:\n    extensions = (".ctor",)\n'
        '    def __init__(self):\n        raise KeyError("TEMPLATE_DIR")\n'
        '    def render(self, request):\n        return RenderOutput(html="x")\n'
    ), meta="subject: Hi\nrenderer: ctor\n")
    assert_config_error(team, monkeypatch, "renderer 'ctor'", "KeyError: 'TEMPLATE_DIR'", f"{team.module}.py:7")


@pytest.mark.parametrize(("output", "expected"), [
    ("RenderOutput(html='<p>x</p>', subject=42)", "renderer 'odd' returned subject int; expected str or None"),
    ("RenderOutput(html='<p>x</p>', text=b'bytes')", "renderer 'odd' returned text bytes; expected str or None"),
    ("RenderOutput(html=None)", "renderer 'odd' returned html NoneType; expected str"),
])
def test_a_renderer_returning_wrong_types_is_an_error_of_that_case(team, monkeypatch, output, expected):
    setup(team, (
        '@renderers.register("odd")\nclass Odd:\n    extensions = (".odd",)\n'
        f'    def render(self, request):\n        return {output}\n'
    ), meta="subject: Hi\nrenderer: odd\n")
    assert_case_error(team, monkeypatch, "welcome[en-ada]", expected)


# -- the Jinja environment -------------------------------------------------------------------------


def test_a_jinja_extension_whose_constructor_raises_is_a_configuration_error(team, monkeypatch):
    setup(team, (
        "from jinja2.ext import Extension\n"
        '@jinja_extensions.register("broken-ext")\nclass Broken(Extension):\n'
        "    def __init__(self, environment):\n        raise RuntimeError('needs a licence key')\n"
    ))
    assert_config_error(team, monkeypatch, "Jinja extension 'broken-ext'", "RuntimeError: needs a licence key", f"{team.module}.py:7")


def test_a_filter_that_raises_system_exit_is_an_error_of_the_template_line(team, monkeypatch):
    """Filters run inside Jinja's render: the render-level guard names the template's line and
    the filter's own file:line."""
    setup(team, '@filters.register("shout")\ndef shout(value):\n    raise SystemExit(0)\n', body="{{ account.name | shout }}")
    assert_case_error(team, monkeypatch, "welcome[en-ada]", "welcome.mjml:2: it called sys.exit(0)", f"{team.module}.py:5")


def test_a_test_that_raises_generator_exit_is_an_error_of_the_template_line(team, monkeypatch):
    setup(team, '@jinja_tests.register("vip")\ndef vip(value):\n    raise GeneratorExit()\n',
          body="{% if account is vip %}VIP{% endif %}")
    assert_case_error(team, monkeypatch, "welcome[en-ada]", "welcome.mjml:2", "GeneratorExit")


# -- send guards -----------------------------------------------------------------------------------


def test_a_guard_that_calls_sys_exit_is_an_error_of_that_case_not_a_green_run(team, monkeypatch):
    setup(team, '@guards.register("quits")\ndef quits(account, now):\n    import sys\n    sys.exit(0)\n', meta="subject: Hi\nrequires: [quits]\n")
    assert_case_error(team, monkeypatch, "welcome[en-ada]", "send guard 'quits' failed: it called sys.exit(0)", f"{team.module}.py:6")


def test_ctrl_c_inside_a_plugin_still_stops_the_run(team, monkeypatch):
    setup(team, '@guards.register("ctrl_c")\ndef ctrl_c(account, now):\n    raise KeyboardInterrupt\n', meta="subject: Hi\nrequires: [ctrl_c]\n")
    result, document = run(team, monkeypatch)
    assert result.exit_code == 130 and "interrupted" in result.output


# -- the fixture model -----------------------------------------------------------------------------

MODEL = """
from pydantic import BaseModel, field_validator

class Customer(BaseModel):
    locale: str
    name: str

    @field_validator("name")
    @classmethod
    def known_name(cls, value):
        if value == "Grace":
            raise RuntimeError("CRM lookup failed")
        return value
"""


def test_a_fixture_model_validator_raising_runtime_error_is_an_error_of_that_fixture(team, monkeypatch):
    setup(team, MODEL)
    team.settings["fixture_model"] = f'"{team.module}:Customer"'
    broken = assert_case_error(team, monkeypatch, "plain[en-grace]", "en-grace.yaml", "fixture model 'Customer'", "RuntimeError: CRM lookup failed")
    assert f"{team.module}.py:14" in broken["error"]


# -- rules -----------------------------------------------------------------------------------------

RULE = '@rules.register("{name}")\ndef hostile(ctx):\n{body}\n'


def configure_rule(team: TeamProject, name: str) -> None:
    (team.root / "templates" / "_catalog.yaml").write_text(f"rules:\n  {name}: {{}}\n")


def findings(document: dict, case_id: str, rule: str) -> list[dict]:
    return [f for f in case(document, case_id)["findings"] if f["rule"] == rule]


@pytest.mark.parametrize(("body", "expected"), [
    ("    yield 'subject too long'", "the rule yielded str 'subject too long'; expected a Finding (ctx.error(...), ctx.warning(...), ctx.note(...))"),
    ("    yield {'message': 'x'}", "the rule yielded dict {'message': 'x'}; expected a Finding"),
    ("    return 5", "the rule returned int; expected an iterable of Findings"),
    # An unknown severity would neither fail the case nor show as a note: a silent pass.
    ("    yield Finding('hostile-shape', 'fatal', 'x')", "the rule yielded a Finding with severity 'fatal' and a str message"),
])
def test_a_rule_yielding_something_else_than_findings_is_a_finding_naming_it(team, monkeypatch, body, expected):
    setup(team, RULE.format(name="hostile-shape", body=body))
    configure_rule(team, "hostile-shape")
    result, document = run(team, monkeypatch)
    assert result.exit_code == 1 and document is not None, result.output
    found = findings(document, "welcome[en-ada]", "hostile-shape")
    assert [f["severity"] for f in found] == ["error"] and expected in found[0]["message"], found


def test_a_rule_options_model_whose_validator_crashes_is_a_configuration_error(team, monkeypatch):
    setup(team, (
        "from pydantic import field_validator\nfrom harness.rules import RuleOptions\n"
        "class Options(RuleOptions):\n    limit: int = 3\n"
        "    @field_validator('limit')\n    @classmethod\n    def check(cls, value):\n        raise LookupError('no settings')\n"
        '@rules.register("with-options", options=Options)\ndef with_options(ctx):\n    return []\n'
    ))
    (team.root / "templates" / "_catalog.yaml").write_text("rules:\n  with-options: {limit: 5}\n")
    assert_config_error(team, monkeypatch, "rule 'with-options': options model 'Options' failed: LookupError: no settings", f"{team.module}.py:10")


def test_a_rule_raising_a_base_exception_is_a_finding_and_the_other_cases_run(team, monkeypatch):
    setup(team, "class Abort(BaseException):\n    pass\n" + RULE.format(name="aborts", body="    raise Abort('stop everything')"))
    configure_rule(team, "aborts")
    result, document = run(team, monkeypatch)
    assert result.exit_code == 1 and document is not None, result.output
    assert len(document["cases"]) == 4
    found = findings(document, "plain[en-grace]", "aborts")
    assert found[0]["message"] == "the rule itself failed: Abort: stop everything"
    assert found[0]["element"].endswith(f"{team.module}.py:7")


def test_a_rule_that_loops_forever_is_stopped_at_its_time_limit(team, monkeypatch):
    from harness import boundary

    monkeypatch.setattr(boundary, "PLUGIN_TIME_LIMIT", 0.3)
    setup(team, RULE.format(name="spins", body="    while True:\n        try:\n            pass\n        except Exception:\n            pass"))
    configure_rule(team, "spins")
    result, document = run(team, monkeypatch)
    assert result.exit_code == 1 and document is not None, result.output
    found = findings(document, "welcome[en-ada]", "spins")
    assert "the rule itself failed: still running after 0.3 s (an endless loop?); it was stopped" in found[0]["message"]


# -- snapshot kinds ----------------------------------------------------------------------------------

KIND = """
from harness.snapshots.kinds import TextKind, snapshot_kinds

@snapshot_kinds.register("{name}")
class Hostile(TextKind):
    name, filename = "{name}", "{filename}"
{body}
"""


def test_a_snapshot_kind_whose_serialize_raises_is_an_error_of_that_case(team, monkeypatch):
    setup(team, KIND.format(name="preheader", filename="preheader.txt", body="    def serialize(self, email):\n        raise ValueError('no preheader')\n"))
    result, document = run(team, monkeypatch)
    assert result.exit_code == 1 and document is not None
    error = case(document, "plain[en-ada]")["error"]
    assert "snapshot kind 'preheader' failed: ValueError: no preheader" in error and f"{team.module}.py:10" in error


def test_a_snapshot_kind_returning_bytes_is_an_error_of_that_case(team, monkeypatch):
    setup(team, KIND.format(name="bytes-kind", filename="bytes.txt", body="    def serialize(self, email):\n        return b'x'\n"))
    result, document = run(team, monkeypatch)
    assert result.exit_code == 1 and document is not None
    assert "snapshot kind 'bytes-kind' returned bytes; expected str or None" in case(document, "plain[en-ada]")["error"]


def test_a_snapshot_kind_whose_constructor_raises_is_a_configuration_error(team, monkeypatch):
    setup(team, KIND.format(name="ctor-kind", filename="ctor.txt", body="    def __init__(self):\n        raise AttributeError('settings')\n"))
    assert_config_error(team, monkeypatch, "snapshot kind 'ctor-kind'", "AttributeError: settings", f"{team.module}.py:10")


def test_a_snapshot_kind_whose_file_name_leaves_the_folder_writes_nothing_outside(team, monkeypatch):
    evil = "../../../../../outside/pwned.txt"
    setup(team, KIND.format(name="evil", filename=evil, body="    def serialize(self, email):\n        return 'pwned'\n"))
    assert_config_error(team, monkeypatch, "snapshot kind 'evil'", "'../../../../../outside/pwned.txt' is not a valid name")
    # From report/received/welcome/en-ada/ the name lands in tmp_path/outside; from
    # snapshots/welcome/en-ada/ one level higher. Neither exists, and no report was written.
    assert not (team.root.parent / "outside").exists() and not (team.root.parent.parent / "outside").exists()
    assert not (team.root / "report" / "results.json").exists()


# -- the boundary itself ----------------------------------------------------------------------------


def test_call_plugin_passes_values_through_and_names_the_plugin_on_failure():
    from harness import boundary

    rules = registries()["rules"]
    assert boundary.call_plugin(rules, "ok", lambda x: x * 2, 21, error=TemplateError) == 42
    with pytest.raises(ConfigError, match=r"rule 'bad' returned int; expected str"):
        boundary.call_plugin(rules, "bad", lambda: 1, error=ConfigError, returns=str, expected="str")
    with pytest.raises(KeyboardInterrupt):
        boundary.call_plugin(rules, "ctrl-c", _interrupt, error=ConfigError)


def _interrupt() -> None:
    raise KeyboardInterrupt


def test_an_inner_time_limit_leaves_the_enclosing_one_running():
    """A rule's limit inside a render's limit: the render's timer still fires afterwards."""
    import time

    from harness import boundary

    with pytest.raises(TemplateError, match="outer"):
        with boundary.deadline(0.4, lambda limit: TemplateError("outer")):
            boundary.call_plugin(registries()["rules"], "quick", time.sleep, 0.05, error=ConfigError, timeout=5)
            time.sleep(2)
