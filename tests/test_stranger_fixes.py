"""Defects a stranger found adopting email-harness in a team's repository (issues 23 and 26),
end to end through ``email-harness``: a setting that names nothing, or a file the harness does not
read, stops the run with exit 2 naming it, before any case runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HELLO = """<mjml lang="en" dir="ltr"><mj-head><mj-title>{{ t.hello }}</mj-title><mj-preview>{{ t.hello }}</mj-preview></mj-head>
<mj-body><mj-section><mj-column><mj-text><h1>{{ t.hello }}</h1><p>{{ t.hello }} {{ account.name }}.</p></mj-text></mj-column></mj-section></mj-body></mjml>
"""
META = "subject: '{{ t.hello }}'\nlocales: [en, de]\nstrings:\n  en: {hello: Hello}\n  de: {hello: Hallo}\n"


def harness(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=root, capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Two fixtures, one template in English and German, no screenshots."""
    (tmp_path / "pyproject.toml").write_text('[tool.email-harness]\nscreenshots = false\nplugins = ["team_rules"]\n')
    (tmp_path / "team_rules.py").write_text(
        "from harness import rules\n\n\n@rules.register('no-shouting')\ndef no_shouting(ctx):\n    return []\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/_catalog.yaml").write_text("default_locale: en\nrules:\n  no-leftovers: {}\n  no-shouting: {}\n")
    (tmp_path / "templates/hello.mjml").write_text(HELLO)
    (tmp_path / "templates/hello.yaml").write_text(META)
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures/en-ann.yaml").write_text("locale: en\nname: Ann\n")
    (tmp_path / "fixtures/en-bob.yml").write_text("locale: en\nname: Bob\n")
    return tmp_path


def test_fixtures_ending_yml_run_with_the_others(project):
    listed = harness(project, "list")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "hello[en-ann]" in listed.stdout and "hello[en-bob]" in listed.stdout


def test_fixtures_in_a_subfolder_stop_the_run_naming_them(project):
    (project / "fixtures/de").mkdir()
    (project / "fixtures/de/de-max.yaml").write_text("locale: de\nname: Max\n")
    result = harness(project, "run", "--update")
    assert result.returncode == 2
    assert f"{project / 'fixtures/de/de-max.yaml'}: fixtures in subfolders of {project / 'fixtures'} are not loaded" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_an_unknown_fixture_under_screenshots_stops_the_run_with_a_did_you_mean(project):
    (project / "templates/_catalog.yaml").write_text("default_locale: en\nscreenshots:\n  fixtures: [en-annn]\n")
    result = harness(project, "run", "--update")
    assert result.returncode == 2
    assert "templates/_catalog.yaml:3: screenshots: fixtures: no fixture 'en-annn'; did you mean 'en-ann'?" in result.stdout + result.stderr


def test_options_for_a_team_rule_that_declares_none_stop_the_run(project):
    (project / "templates/_catalog.yaml").write_text("default_locale: en\nrules:\n  no-shouting: {max: 3}\n")
    result = harness(project, "run", "--update")
    assert result.returncode == 2
    out = result.stdout + result.stderr
    assert "_catalog.yaml: rules: no-shouting: takes no options (given 'max'): it was registered without an options model" in out


def test_a_regional_locale_gets_its_language_and_the_result_says_so(project):
    (project / "fixtures/de-max.yaml").write_text("locale: de-DE\nname: Max\n")
    result = harness(project, "run", "--update")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "snapshots/hello/de-max/subject.txt").read_text().strip() == "Hallo"
    cases = {case["id"]: case for case in json.loads((project / "report/results.json").read_text())["cases"]}
    notes = [f for f in cases["hello[de-max]"]["findings"] if f["rule"] == "locale"]
    assert [(f["severity"], f["message"]) for f in notes] == [("note", "sent in de for de-DE: the language, as gettext and Babel fall back")]


def test_a_fixture_file_name_with_spaces_stops_the_run_saying_how_to_rename_it(project):
    (project / "fixtures/EN Ann copy.yaml").write_text("locale: en\nname: Ann\n")
    result = harness(project, "run", "--update")
    assert result.returncode == 2
    assert "'EN Ann copy.yaml' -> 'EN-Ann-copy.yaml'" in result.stdout
    assert "not written by email-harness" not in result.stdout


def test_a_typo_in_a_templates_metadata_stops_the_run_once_before_any_case(project):
    (project / "templates/hello.yaml").write_text(META.replace("subject:", "subjet:"))
    result = harness(project, "run", "--update")
    assert result.returncode == 2
    assert result.stdout.count("unknown key 'subjet'") == 1
    assert f"{project / 'templates/hello.yaml'}:1: unknown key 'subjet'; did you mean 'subject'?" in result.stdout
    assert not (project / "snapshots").exists()
