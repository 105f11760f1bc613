"""The pytest plugin end to end: missing -> fails, updated -> passes, changed -> fails with a diff."""

from __future__ import annotations

import json
import sys

import pytest

HELLO = """<mjml lang="en" dir="ltr"><mj-head><mj-title>Hello</mj-title><mj-preview>Hi</mj-preview></mj-head>
<mj-body><mj-section><mj-column><mj-text><p>Hello {{ account.name }}, lorem ipsum.</p></mj-text></mj-column></mj-section></mj-body></mjml>
"""
RULE = '''
from harness import rules

@rules.register("no-lorem-ipsum")
def no_lorem_ipsum(ctx):
    if "lorem ipsum" in ctx.email.text.lower():
        yield ctx.error("placeholder text left in the email", element="text part", expected="no 'lorem ipsum'")
'''


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".toml", pyproject='[tool.email-harness]\ncatalog = "templates"\n')
    (pytester.path / "templates").mkdir()
    (pytester.path / "templates" / "hello.mjml").write_text(HELLO)
    (pytester.path / "fixtures").mkdir()
    for name in ("en-ann", "en-bob"):
        (pytester.path / "fixtures" / f"{name}.yaml").write_text(
            f"locale: en\nname: {name[3:].title()}\nemail: {name}@example.com\ncreated_at: 2020-01-01T00:00:00+00:00\n"
        )
    return pytester


def test_lifecycle(project: pytest.Pytester) -> None:
    first = project.runpytest("templates")
    first.assert_outcomes(failed=2)
    first.stdout.fnmatch_lines(["*hello[[]en-ann[]]: new*", "*approve 'hello[[]en-ann[]]'*"])

    project.runpytest("templates", "--update-snapshots").assert_outcomes(passed=2)
    assert (project.path / "snapshots/hello/en-ann/body.txt").read_text().startswith("Hello Ann")
    project.runpytest("templates").assert_outcomes(passed=2)

    (project.path / "templates/hello.mjml").write_text(HELLO.replace("Hello {{", "Hi {{"))
    changed = project.runpytest("templates", "-k", "en-bob", "--junitxml=junit.xml")
    changed.assert_outcomes(failed=1, deselected=1)
    changed.stdout.fnmatch_lines(["*-Hello Bob, lorem ipsum.", "*+Hi Bob, lorem ipsum."])
    assert "Traceback" not in changed.stdout.str()  # the diff, not a trace into the harness
    assert "hello[en-bob]" in (project.path / "junit.xml").read_text()


def test_a_rule_from_the_plugin_module_gives_the_same_verdict_in_pytest_and_the_cli(project: pytest.Pytester) -> None:
    # Subprocesses: a registration lives for the process, and these must not leak into others.
    project.makepyfile(hello_checks=RULE)
    project.makefile(".toml", pyproject='[tool.email-harness]\ncatalog = "templates"\nplugins = ["hello_checks"]\n')
    project.runpytest_subprocess("templates", "--update-snapshots").assert_outcomes(passed=2)
    (project.path / "templates/_catalog.yaml").write_text("rules:\n  no-lorem-ipsum: {}\n")
    result = project.runpytest_subprocess("templates")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*[[]no-lorem-ipsum[]] error: placeholder text left in the email at text part*"])
    cli = project.run(sys.executable, "-m", "harness", "run", "--no-screenshots")
    assert cli.ret == 1
    cli.stdout.fnmatch_lines(["*[[]no-lorem-ipsum[]] error: placeholder text left in the email at text part*"])


def test_a_rule_registered_in_conftest_is_refused_with_where_to_move_it(project: pytest.Pytester) -> None:
    """'email-harness run' never reads conftest.py: a rule there would pass in the CLI and fail in
    pytest. Both fronts refuse the project instead, each with one message."""
    project.makeconftest(RULE)
    (project.path / "templates/_catalog.yaml").write_text("rules:\n  no-lorem-ipsum: {}\n")
    result = project.runpytest_subprocess("templates")
    assert result.ret == pytest.ExitCode.INTERRUPTED  # a collection error: nothing ran
    result.stdout.fnmatch_lines(["email-harness: rule 'no-lorem-ipsum' (conftest) registered in conftest.py*[[]tool.email-harness[]] plugins*"])
    assert result.stdout.str().count("registered in conftest.py") == 1  # once, not once per case
    assert "Traceback" not in result.stdout.str() and "pytest_plugin.py" not in result.stdout.str()
    cli = project.run(sys.executable, "-m", "harness", "run", "--no-screenshots")
    assert cli.ret == 2
    cli.stdout.fnmatch_lines(["*unknown rule 'no-lorem-ipsum'*", "*[[]tool.email-harness[]] plugins*"])


def test_render_email_fixture(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_mine="""
        def test_greets_by_name(render_email):
            email = render_email("hello", "en-ann")
            assert email.subject == "Hello"
            assert "Hello Ann" in email.text
        """
    )
    project.runpytest("test_mine.py").assert_outcomes(passed=1)


def test_works_under_xdist(project: pytest.Pytester) -> None:
    pytest.importorskip("xdist", reason="pytest-xdist is not installed (it is in the dev extra: pip install -e '.[dev]')")
    project.runpytest("templates", "-n", "2", "--update-snapshots").assert_outcomes(passed=2)
    assert sorted(p.parent.name for p in (project.path / "snapshots/hello").glob("*/manifest.json")) == ["en-ann", "en-bob"]
    project.runpytest("templates", "-n", "2").assert_outcomes(passed=2)


def test_pytest_writes_the_report_also_under_xdist(project: pytest.Pytester) -> None:
    """Workers write their part; the controller merges one report, like 'email-harness run'."""
    pytest.importorskip("xdist", reason="pytest-xdist is not installed (it is in the dev extra: pip install -e '.[dev]')")
    project.runpytest("templates", "-n", "2").assert_outcomes(failed=2)
    results = json.loads((project.path / "report/results.json").read_text())
    assert sorted(c["id"] for c in results["cases"]) == ["hello[en-ann]", "hello[en-bob]"]
    assert {c["status"] for c in results["cases"]} == {"new"}
    assert (project.path / "report/index.html").is_file()
    assert not (project.path / "report/.pytest-workers").exists()


def test_the_applications_own_test_run_leaves_the_emails_out(project: pytest.Pytester) -> None:
    """README, 'Run, change, approve': `pytest tests/` or `-p no:email_harness` keep the email
    cases out of a team's own test run; plain `pytest` at the root collects them."""
    project.mkdir("tests")
    (project.path / "tests" / "test_app.py").write_text("def test_app():\n    assert True\n")
    project.runpytest("--no-screenshots").assert_outcomes(passed=1, failed=2)  # the two new email cases
    project.runpytest("tests").assert_outcomes(passed=1)
    project.runpytest_subprocess("-p", "no:email_harness").assert_outcomes(passed=1)


def test_under_xdist_every_sent_cases_raw_message_reaches_the_report(project: pytest.Pytester) -> None:
    """Each worker keeps its .eml files with its part; the controller merges them as it merges the
    results (in one shared messages/ each worker emptied the folder under the others' files)."""
    pytest.importorskip("xdist", reason="pytest-xdist is not installed (it is in the dev extra: pip install -e '.[dev]')")
    (project.path / "templates/_catalog.yaml").write_text(
        "message:\n  from: {name: Hello, address: hello@example.com}\n  to: email\n  sending_domains: [example.com]\n")
    project.runpytest("templates", "-n", "2", "--no-smtp").assert_outcomes(failed=2)
    messages = project.path / "report/messages/hello"
    assert sorted(p.name for p in messages.iterdir()) == ["en-ann.eml", "en-bob.eml"]
    assert b"en-ann@example.com" in (messages / "en-ann.eml").read_bytes()
    assert not (project.path / "report/.pytest-workers").exists()
