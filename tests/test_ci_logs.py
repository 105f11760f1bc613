"""Everything email-harness prints to a CI log is inert.

A fixture value, a fixture key, a template's text or a plugin's finding can hold a newline, a
carriage return, an ANSI escape or a GitHub workflow command (``::error::``, ``::add-mask::``,
``::stop-commands::``, the legacy ``##[...]`` form). None of them may start a log line, change
the job summary's HTML, or make ``junit.xml`` unreadable, and each still shows what it was.

The log is read here the way GitHub's runner reads it (``runner_commands``): a line is split on
CR and LF; a ``::`` command counts after leading whitespace is trimmed; a ``##[`` command counts
anywhere in the line; ``::stop-commands::TOKEN`` turns both off until ``::TOKEN::``. Its string
comparisons are .NET's culture-sensitive defaults, which under ICU skip zero-width characters and
soft hyphens: the model skips them too (an assumption on the safe side).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from markdown_it import MarkdownIt

from harness.case_result import CaseResult, PartChange
from harness.cases import Case
from harness.report.results import write_junit
from harness.review.ci import annotations, job_summary, report_to_github
from harness.rules import Finding

REPO = Path(__file__).resolve().parents[1]

# -- how GitHub's runner reads a log -------------------------------------------------------------

#: Commands the runner knows (actions/runner ActionCommandManager and its extensions).
KNOWN = {"error", "warning", "notice", "debug", "add-mask", "set-output", "save-state", "set-env", "add-path",
         "echo", "group", "endgroup", "add-matcher", "remove-matcher", "stop-commands"}


@dataclass
class Command:
    name: str
    properties: dict[str, str] = field(default_factory=dict)
    data: str = ""


def _unescape(value: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for escaped, token in pairs:
        value = value.replace(escaped, token)
    return value


_DATA = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
_PROPERTY = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))


#: Characters an ICU comparison ignores (a sample of Unicode's default-ignorable code points).
_IGNORED = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")


def _parse(line: str, known: set[str]) -> Command | None:
    """``ActionCommand.TryParseV2`` then ``TryParse`` (the legacy ``##[name props]data``)."""
    line = _IGNORED.sub("", line)
    trimmed = line.lstrip()  # .NET's TrimStart: every Unicode white space
    if trimmed.startswith("::") and (end := trimmed.find("::", 2)) >= 0:
        info = trimmed[2:end]
        name, _, props = info.partition(" ")
        if name.lower() in known:
            pairs = (p.split("=", 1) for p in props.strip().split(",") if "=" in p)
            return Command(name.lower(), {k: _unescape(v, _PROPERTY) for k, v in pairs}, _unescape(trimmed[end + 2:], _DATA))
    if (start := line.find("##[")) >= 0 and (end := line.find("]", start)) >= 0:
        name, _, props = line[start + 3:end].partition(" ")
        if name.lower() in known:
            pairs = (p.split("=", 1) for p in props.split(";") if "=" in p)
            return Command(name.lower(), dict(pairs), line[end + 1:])
    return None


def runner_commands(log: str) -> list[Command]:
    """The workflow commands GitHub's runner would carry out for this output."""
    commands, stopped_by = [], ""
    for line in re.split(r"\r\n|\r|\n", log):
        command = _parse(line, KNOWN | {stopped_by.lower()} if stopped_by else KNOWN)
        if command is None:
            continue
        if stopped_by:
            if command.name == stopped_by.lower():
                stopped_by = ""
            continue
        if command.name == "stop-commands":
            stopped_by = command.data
        commands.append(command)
    return commands


def made_by(commands: list[Command], marker: str) -> list[Command]:
    """Commands an input made: its marker is the command's name, a property, or starts its data.
    The harness's own annotations quote a hostile value inside their message, never at its start."""
    return [c for c in commands if marker in c.name or any(v.startswith(marker) for v in c.properties.values())
            or c.data.strip().startswith(marker)]


#: Characters that must never reach a log raw: they break or hide lines (C0 but tab and LF, DEL,
#: C1 such as NEL, the Unicode line and paragraph separators).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def raw_in_lines_with(log: str, marker: str) -> list[str]:
    return [line for line in log.split("\n") if marker in line and RAW.search(line)]


# -- one project, one run in GitHub Actions ------------------------------------------------------

HELLO_MJML = """<mjml lang="en" dir="ltr"><mj-head><mj-title>Hello</mj-title><mj-preview>Hi</mj-preview></mj-head>
<mj-body><mj-section><mj-column><mj-text><p>Hello {{ account.name }}.</p></mj-text></mj-column></mj-section></mj-body></mjml>
"""
#: The plain-text part puts the fixture's note on the lines after the greeting, so editing the
#: greeting shows the note as diff context.
HELLO_TXT = "Hello {{ account.name }}\n{{ account.note }}\nBye\n"
MODEL = """from pydantic import BaseModel, ConfigDict

class Account(BaseModel):
    model_config = ConfigDict(extra="forbid")
    locale: str = "en"
    name: str
    email: str
    note: str = ""
"""
#: A team's rule that quotes fixture data in its finding: a value from a plugin.
RULE = """from harness import rules

@rules.register("echo-note")
def echo_note(ctx):
    note = ctx.fixture.data.note
    if note:
        yield ctx.warning(f"note says {note}", element=f"the note {note}")
"""

#: Fixture values (the note), each with a marker no other input uses, and what the log shows.
VALUES = {
    "newline-error": ("x\n::error::pwn01 injected", r"x\n::error::pwn01"),
    "newline-stop-commands": ("x\n::stop-commands::pwn02", r"x\n::stop-commands::pwn02"),
    "newline-add-mask": ("x\n::add-mask::pwn03", r"x\n::add-mask::pwn03"),
    "newline-set-output": ("x\n::set-output name=pwn04::1", r"x\n::set-output name=pwn04::1"),
    "carriage-return": ("x\r::error::pwn05", r"x\r::error::pwn05"),
    "crlf-warning": ("x\r\n::warning::pwn06", r"x\r\n::warning::pwn06"),
    "line-separator": ("x\u2028::error::pwn07", r"x\u2028::error::pwn07"),
    "next-line-c1": ("x\x85::error::pwn08", r"x\x85::error::pwn08"),
    "indented-command": ("x\n   ::error::pwn09", r"x\n   ::error::pwn09"),
    "nbsp-indented-command": ("x\n\u00a0::error::pwn10", r"x\n" "\u00a0::error::pwn10"),
    "legacy-error-mid-line": ("see ##[error]pwn11 here", "pwn11"),
    "legacy-add-mask-mid-line": ("see ##[add-mask]pwn12", "pwn12"),
    "echo-then-debug": ("x\n::echo::on\n::debug::pwn13", r"x\n::echo::on\n::debug::pwn13"),
    "group": ("x\n::group::pwn14", r"x\n::group::pwn14"),
}
#: Fixture keys (refused by the model, so named in the case's error), and what the log shows.
KEYS = {
    "key-newline-error": ("note\n::error::pwn15", r"note\n::error::pwn15"),
    "key-ansi-erase-line": ("\x1b[2K\x1b[1Apwn16", r"\x1b[2K\x1b[1Apwn16"),
    "key-nul": ("pwn17\x00nul", r"pwn17\x00nul"),
    "key-osc8-hyperlink": ("\x1b]8;;https://evil.example\x07pwn18\x1b]8;;\x07", r"\x1b]8;;https://evil.example\x07pwn18"),
}


def _yaml_string(text: str) -> str:
    return json.dumps(text)  # JSON strings are YAML double-quoted strings (\u escapes included)


@dataclass
class Run:
    root: Path
    log: str
    summary: str
    junit: Path
    exit_code: int


def _harness(root: Path, *args: str, github: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_") and k != "CI"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    if github:
        env.update(GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(root / "summary.md"), GITHUB_WORKSPACE=str(root))
    # A subprocess: a plugin's rule is registered for the life of its process.
    return subprocess.run([sys.executable, "-m", "harness", "run", "--no-screenshots", *args], cwd=root, env=env,
                          capture_output=True, text=True, encoding="utf-8", errors="surrogateescape", timeout=120)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Every hostile value and key in one project: approved once, then the greeting edited and
    run again as GitHub Actions runs it."""
    root = tmp_path_factory.mktemp("ci-logs")
    (root / "pyproject.toml").write_text('[tool.email-harness]\ncatalog = "templates"\nplugins = ["hostile_checks"]\n'
                                         'fixture_model = "hostile_models:Account"\n')
    (root / "hostile_checks.py").write_text(RULE)
    (root / "hostile_models.py").write_text(MODEL)
    (root / "templates").mkdir()
    (root / "templates/hello.mjml").write_text(HELLO_MJML)
    (root / "templates/hello.txt").write_text(HELLO_TXT)
    (root / "templates/_catalog.yaml").write_text("rules:\n  echo-note: {}\n")
    (root / "fixtures").mkdir()
    base = "locale: en\nname: Ann\nemail: ann@example.com\n"
    for name, (value, _) in VALUES.items():
        (root / "fixtures" / f"{name}.yaml").write_text(base + f"note: {_yaml_string(value)}\n", encoding="utf-8")
    for name, (key, _) in KEYS.items():
        (root / "fixtures" / f"{name}.yaml").write_text(base + f"{_yaml_string(key)}: 1\n", encoding="utf-8")
    first = _harness(root, "--update")
    assert "Traceback" not in first.stdout + first.stderr, first.stderr
    (root / "templates/hello.txt").write_text(HELLO_TXT.replace("Hello", "Hi"))
    done = _harness(root, github=True)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return Run(root, done.stdout + done.stderr, (root / "summary.md").read_text(encoding="utf-8"), root / "report/junit.xml",
               done.returncode)


@pytest.mark.parametrize("name", VALUES)
def test_a_fixture_value_never_becomes_a_workflow_command(hostile_run, tally, name):
    tally.input()
    value, shown = VALUES[name]
    marker = re.search(r"pwn\d\d", value).group()
    assert hostile_run.exit_code == 1
    assert made_by(runner_commands(hostile_run.log), marker) == []
    assert raw_in_lines_with(hostile_run.log, marker) == []
    assert shown in hostile_run.log  # still readable: the value as it was, its breaks shown


@pytest.mark.parametrize("name", KEYS)
def test_a_fixture_key_in_an_error_never_becomes_a_workflow_command(hostile_run, tally, name):
    tally.input()
    key, shown = KEYS[name]
    marker = re.search(r"pwn\d\d", key).group()
    assert made_by(runner_commands(hostile_run.log), marker) == []
    assert raw_in_lines_with(hostile_run.log, marker) == []
    assert shown in hostile_run.log


@pytest.mark.parametrize("command", [["approve", "hello[key-*]"], ["approve", "--accept-findings", "hello[key-*]", "--reason", "r"]])
def test_what_approve_prints_of_a_fixture_key_is_inert_too(hostile_run, tally, command):
    """approve prints each case's error as run does: the fixture key in it starts no command."""
    tally.input()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_") and k != "CI"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-m", "harness", *command], cwd=hostile_run.root, env=env, capture_output=True,
                          text=True, encoding="utf-8", errors="surrogateescape", timeout=120)
    log = done.stdout + done.stderr
    assert done.returncode in (1, 2) and "Traceback" not in log, log
    for key, _ in KEYS.values():
        marker = re.search(r"pwn\d\d", key).group()
        assert made_by(runner_commands(log), marker) == [] and raw_in_lines_with(log, marker) == []


def test_the_harness_annotations_still_work_outside_the_quoted_output(hostile_run):
    commands = runner_commands(hostile_run.log)
    mine = [c for c in commands if c.name in ("error", "warning", "notice")]
    assert mine and all(c.properties["title"].startswith("email-harness") for c in mine)
    assert all(c.name in ("error", "warning", "notice", "stop-commands") for c in commands), commands
    # Each hostile input is annotated once, quoted inside the annotation's message.
    assert any("pwn01" in c.data for c in mine) and any("pwn15" in c.data for c in mine)


def test_the_run_summary_and_junit_of_the_hostile_run_are_inert(hostile_run, tally):
    tally.input()
    ET.parse(hostile_run.junit)  # valid XML although keys held ESC and NUL
    assert str(hostile_run.root) not in hostile_run.summary
    html = _render(hostile_run.summary)
    assert not re.search(r"<(?!/?(?:h2|p|table|thead|tbody|tr|th|td|details|summary|pre|code|blockquote|strong)\b)", html), html


# -- the template's own text -----------------------------------------------------------------------


@pytest.fixture
def template_run(tmp_path: Path) -> Run:
    """A plain-text part whose approved text holds a workflow command and an ANSI colour; then a
    nearby line is edited, so both show as diff context."""
    root = tmp_path
    (root / "pyproject.toml").write_text('[tool.email-harness]\ncatalog = "templates"\n')
    (root / "templates").mkdir()
    (root / "templates/hello.mjml").write_text(HELLO_MJML)
    text = "Hello {{ account.name }}\n::error::pwn20 from the template\n\x1b[31mpwn21 red\x1b[0m\nBye\n"
    (root / "templates/hello.txt").write_text(text)
    (root / "fixtures").mkdir()
    (root / "fixtures/en-ann.yaml").write_text("locale: en\nname: Ann\nemail: ann@example.com\n")
    _harness(root, "--update")
    (root / "templates/hello.txt").write_text(text.replace("Hello", "Hi"))
    done = _harness(root, github=True)
    return Run(root, done.stdout + done.stderr, (root / "summary.md").read_text(encoding="utf-8"), root / "report/junit.xml",
               done.returncode)


def test_a_command_in_a_templates_text_is_quoted_in_the_diff(template_run, tally):
    tally.input()
    assert template_run.exit_code == 1
    assert made_by(runner_commands(template_run.log), "pwn20") == []
    assert r" \x3a:error::pwn20 from the template" in template_run.log  # the first ':' shown escaped


def test_an_ansi_colour_in_a_text_part_is_shown_escaped_in_the_log_and_junit(template_run, tally):
    tally.input()
    assert raw_in_lines_with(template_run.log, "pwn21") == []
    assert r"\x1b[31mpwn21 red\x1b[0m" in template_run.log
    failure = ET.parse(template_run.junit).find("testcase/failure")
    assert failure is not None and r"\x1b[31mpwn21 red" in (failure.text or "")


# -- what pytest prints: the same explanation ------------------------------------------------------


def _explained(**fields: Any) -> str:
    return CaseResult(Case("hello", "en-ann"), "changed", **fields).explain()


EXPLAINED = {
    "diff-context-command": dict(changes=[PartChange("text", "body.txt", "changed",
                                                     "--- a\n+++ b\n@@ -1,2 +1,2 @@\n-Hello\n+Hi\n ::error::pwn30")]),
    "diff-legacy-command": dict(changes=[PartChange("text", "body.txt", "changed", "@@ -1 +1 @@\n-a\n+##[add-mask]pwn31")]),
    "error-with-newline": dict(error="fixtures/en-ann.yaml: field x\n::error::pwn32"),
    "finding-element-from-a-plugin": dict(findings=[Finding("team-rule", "error", "bad", element="td\n::add-mask::pwn33")]),
    "finding-message-ansi": dict(findings=[Finding("team-rule", "error", "\x1b[8mpwn34 hidden\x1b[0m")]),
    "screenshot-description-cr": dict(changes=[PartChange("screenshot", "desktop.png", "changed", "3% of pixels\r::error::pwn35")]),
    "diff-line-separator": dict(changes=[PartChange("text", "body.txt", "changed", "@@ -1 +1 @@\n-a\n+b\u2029::error::pwn36")]),
    "zero-width-space-in-command": dict(changes=[PartChange("text", "body.txt", "changed", "@@ -1,2 +1,2 @@\n-a\n+b\n :\u200b:error::pwn42")]),
    "soft-hyphen-in-legacy-command": dict(findings=[Finding("team-rule", "error", "see #\u00ad#[add-mask]pwn43")]),
    # A send guard's reason (a plugin's text), kept in the approved outcome part.
    "guard-reason-in-the-outcome": dict(outcome_change="now sent", approved_outcome="not sent: no card\n::add-mask::pwn44"),
}


@pytest.mark.parametrize("name", EXPLAINED)
def test_the_explanation_pytest_prints_is_inert_too(tally, name):
    tally.input()
    text = _explained(**EXPLAINED[name])
    marker = re.search(r"pwn\d\d", str(EXPLAINED[name])).group()
    assert made_by(runner_commands(text), marker) == []
    assert raw_in_lines_with(text, marker) == []
    assert marker in text


def test_pytest_prints_the_escaped_explanation(pytester: pytest.Pytester, tally):
    tally.input()
    pytester.makefile(".toml", pyproject='[tool.email-harness]\ncatalog = "templates"\n')
    (pytester.path / "templates").mkdir()
    (pytester.path / "templates/hello.mjml").write_text(HELLO_MJML)
    text = "Hello {{ account.name }}\n::add-mask::pwn37\n\x1b[2Kpwn38\nBye\n"
    (pytester.path / "templates/hello.txt").write_text(text)
    (pytester.path / "fixtures").mkdir()
    (pytester.path / "fixtures/en-ann.yaml").write_text("locale: en\nname: Ann\nemail: ann@example.com\ncreated_at: 2020-01-01T00:00:00+00:00\n")
    pytester.runpytest_subprocess("templates", "--update-snapshots").assert_outcomes(passed=1)
    (pytester.path / "templates/hello.txt").write_text(text.replace("Hello", "Hi"))
    result = pytester.runpytest_subprocess("templates")
    result.assert_outcomes(failed=1)
    log = result.stdout.str()
    assert made_by(runner_commands(log), "pwn37") == [] and raw_in_lines_with(log, "pwn38") == []
    assert r"\x3a:add-mask::pwn37" in log and r"\x1b[2Kpwn38" in log


@pytest.mark.parametrize("front", ["cli", "pytest"])
def test_a_plugins_error_message_is_inert_in_both_fronts(tmp_path, tally, front):
    tally.input()
    (tmp_path / "pyproject.toml").write_text('[tool.email-harness]\ncatalog = "templates"\nplugins = ["badplug"]\n')
    (tmp_path / "badplug.py").write_text('raise RuntimeError("boom\\n::error::pwn48\\x1b[2K")\n')
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/hello.mjml").write_text(HELLO_MJML)
    (tmp_path / "fixtures").mkdir()
    if front == "cli":
        done = _harness(tmp_path, github=True)
    else:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "templates"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
    log = done.stdout + done.stderr
    assert done.returncode == 2 and "badplug" in log
    assert made_by(runner_commands(log), "pwn48") == [] and raw_in_lines_with(log, "pwn48") == []
    assert r"\x3a:error::pwn48\x1b[2K" in log


# -- the job summary -------------------------------------------------------------------------------


def _render(markdown: str) -> str:
    """The summary as GitHub shows it: CommonMark with tables and raw HTML allowed."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def _text_of(html: str) -> str:
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", html))


SUMMARY_VALUES = {
    "html-image": "<img src=//evil.example/t.png>",
    "script": "<script>alert(1)</script>",
    "markdown-link": "[Approve here](https://evil.example/approve)",
    "markdown-image": "![t](//evil.example/t.png)",
    "emphasis": "**urgent** _now_",
    "entity": "&lt;b&gt; is not bold",
    "inline-details": "x <details open><summary>pwn</summary>",
    "backticks": "`rm -rf /` and ``x``",
}


def _document(case: dict[str, Any]) -> dict[str, Any]:
    base = {"id": "hello[en-ann]", "template": "hello", "fixture": "en-ann", "status": "failed", "outcome": "sent",
            "error": "", "findings": [], "changes": [], "received": {}, "seconds": 0.1}
    return {"summary": {"cases": 1, "sent": 1, "failed": 1}, "cases": [{**base, **case}]}


@pytest.mark.parametrize("name", SUMMARY_VALUES)
def test_a_finding_message_in_the_job_summary_is_text_not_markup(tmp_path, tally, name):
    tally.input()
    value = SUMMARY_VALUES[name]
    document = _document({"findings": [{"rule": "team-rule", "severity": "error", "message": value, "element": "", "expected": ""}]})
    html = _render(job_summary(document, tmp_path, folder="email-report"))
    assert not re.search(r"<(img|a|script|em|strong|details open|code)\b", html.split("<details>")[0]), html
    assert " ".join(value.split()) in " ".join(_text_of(html).split())  # shown as written


def test_a_template_name_in_the_job_summary_is_text_not_markup(tmp_path, tally):
    tally.input()
    document = _document({"template": "<b>hello</b>", "id": "<b>hello</b>[en-ann]", "error": "boom", "status": "error"})
    html = _render(job_summary(document, tmp_path, folder="email-report"))
    assert "<b>" not in html and "<b>hello</b>" in _text_of(html)


def test_the_job_summary_shows_paths_relative_to_the_project(tmp_path, tally):
    tally.input()
    root = tmp_path / "work" / "shop"
    (root / "templates").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere" / "cache.yaml"
    error = f"{root}/templates: cannot read the folder {root}/templates/images (cached in {elsewhere})"
    document = _document({"status": "error", "error": error})
    summary = job_summary(document, root / "report", folder="email-report", root=root)
    assert str(tmp_path) not in summary
    assert "templates/images (cached in …/cache.yaml)" in _text_of(_render(summary))


def test_the_job_summary_written_in_actions_holds_no_absolute_path(tmp_path, tally):
    tally.input()
    root = tmp_path / "shop"
    finding = {"rule": "images", "severity": "error", "message": f"missing image {root}/templates/img/logo", "element": "", "expected": ""}
    out, summary = io.StringIO(), tmp_path / "summary.md"
    report_to_github(_document({"findings": [finding]}), root / "report", root=root,
                     environ={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}, stream=out)
    assert str(root) not in summary.read_text() and "templates/img/logo" in summary.read_text()


# -- annotations -----------------------------------------------------------------------------------


def test_an_annotation_never_names_a_file_outside_the_project(tmp_path, tally):
    tally.input()
    outside = tmp_path / "elsewhere" / "secrets.yaml"
    outside.parent.mkdir()
    outside.write_text("x: 1\n")
    root = tmp_path / "shop"
    (root / "templates").mkdir(parents=True)
    document = _document({"status": "error", "error": f"{outside}:1: could not read"})
    (command,) = annotations(document, catalog=root / "templates", root=root)
    assert "file=" not in command


def test_an_annotation_escapes_control_characters_and_its_properties(tmp_path, tally):
    tally.input()
    finding = {"rule": "team,rule:x", "severity": "error", "message": "\x1b[8mpwn39\x1b[0m\n::error::pwn40", "element": "", "expected": ""}
    (command,) = annotations(_document({"findings": [finding]}), root=tmp_path)
    (parsed,) = runner_commands(command)
    assert parsed.name == "error" and parsed.properties["title"].startswith("email-harness [team,rule:x]")
    assert not RAW.search(command) and r"\x1b[8mpwn39" in parsed.data and "\n::error::pwn40" in parsed.data


def test_a_megabyte_error_is_annotated_in_linear_time(tally):
    tally.input()
    # In a child process with a time limit: the file-name search was quadratic (20 KB took 3 s).
    script = ("from pathlib import Path; from harness.review.ci import annotations; "
              "doc = {'cases': [{'id': 'hello[en-ann]', 'template': 'hello', 'status': 'error', 'error': 'x.' * 500_000}]}; "
              "print(len(annotations(doc, root=Path('.'))))")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "1", done.stderr


# -- junit.xml -------------------------------------------------------------------------------------

JUNIT_VALUES = {
    "ansi-escape": ("\x1b[31mred\x1b[0m", r"\x1b[31mred\x1b[0m"),
    "nul": ("a\x00b", r"a\x00b"),
    "vertical-tab": ("a\x0bb", r"a\x0bb"),
    "non-character-fffe": ("a\ufffeb", r"a\ufffeb"),
    "lone-surrogate": ("a\udc80b", r"a\udc80b"),
}


@pytest.mark.parametrize("name", JUNIT_VALUES)
def test_junit_holds_only_characters_xml_allows(tmp_path, tally, name):
    tally.input()
    value, shown = JUNIT_VALUES[name]
    document = _document({"status": "error", "error": f"boom {value}", "id": f"hello[{value}]"})
    document["cases"].append({**document["cases"][0], "id": "hello[b]", "status": "changed", "error": "",
                              "changes": [{"kind": "text", "filename": "body.txt", "status": "changed", "diff": f"+{value}"}],
                              "findings": [{"rule": "r", "severity": "error", "message": value, "element": value}]})
    write_junit(tmp_path, document)
    suite = ET.parse(tmp_path / "junit.xml").getroot()
    error, failure = suite.find("testcase/error"), suite.find("testcase/failure")
    assert error is not None and shown in (error.text or "") and shown in error.get("message", "")
    assert failure is not None and shown in (failure.text or "")


# -- ordinary text is left as it is ----------------------------------------------------------------


def test_ordinary_values_print_as_they_are():
    from harness.inert import log_line, log_text, markdown, relative_paths, xml_text

    copy = "Hi Ada, your order NW-100231 (2 items, £12.50) ships today: see /help/centre or https://shop.example/o/1 ✓"
    assert log_line(copy) == copy and xml_text(copy) == copy
    assert log_text("line one\n\tline two: a::b") == "line one\n\tline two: a::b"  # '::' mid-line is no command
    assert relative_paths(copy, Path("/work/shop")) == copy  # a path of the email, not of this machine
    assert markdown("Copy: “Help centre” → “Help center” (and 2 more)") == "Copy: “Help centre” → “Help center” (and 2 more)"
    assert markdown("order_confirmation") == r"order\_confirmation"  # escaped, and shown as written


def test_an_ordinary_explanation_is_unchanged():
    diff = "--- approved body.txt\n+++ received body.txt\n@@ -1,2 +1,2 @@\n-Hello Ann\n+Hi Ann\n Bye"
    text = _explained(changes=[PartChange("text", "body.txt", "changed", diff)],
                      findings=[Finding("links", "warning", "link has no https", element="a[href='http://x']")])
    assert text.splitlines()[1:] == [
        "  [links] warning: link has no https at a[href='http://x']",
        "  text (body.txt): differs",
        *("    " + line for line in diff.split("\n")),
        "  If this change is intended, approve it: email-harness approve 'hello[en-ann]' (or re-run with --update / pytest --update-snapshots)",
    ]
    assert runner_commands(text) == []


def test_outside_github_actions_nothing_is_added_around_the_output(tmp_path):
    from harness.review.ci import quoted_output

    printed: list[str] = []
    with quoted_output(printed.append, environ={}):
        printed.append("hello[en-ann]: changed")
    assert printed == ["hello[en-ann]: changed"]
    with quoted_output(printed.append, environ={"GITHUB_ACTIONS": "true"}):
        printed.append("::error::pwn41")
    start, _, end = printed[1:]
    token = start.removeprefix("::stop-commands::")
    assert len(token) == 32 and end == f"::{token}::" and runner_commands("\n".join(printed)) == [Command("stop-commands", {}, token)]
