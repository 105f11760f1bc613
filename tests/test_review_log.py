"""``snapshots/review-log.jsonl`` is committed with the snapshots, so it holds what the team chose to
record: paths relative to the project, and the reviewer's name from ``EMAIL_HARNESS_REVIEWER`` or
the project's ``reviewer`` setting; git's user.name only when the project says ``reviewer =
"git"``, and never a path of the reviewer's machine."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.project import Project
from harness.review import apply as apply_module
from harness.review.apply import UNNAMED, logged_path, reviewer

CASE = "refund[de-refunded]"


@pytest.fixture
def no_reviewer(monkeypatch):
    """Nobody named; git would answer 'Dana Designer' if it were asked."""
    monkeypatch.delenv("EMAIL_HARNESS_REVIEWER", raising=False)
    asked = []

    class Git:
        stdout = "Dana Designer\n"

    def git(*args, **kwargs):
        asked.append(args[0])
        return Git()

    monkeypatch.setattr(apply_module.subprocess, "run", git)
    return asked


def settings(tmp_path, text: str = "") -> Project:
    (tmp_path / "pyproject.toml").write_text(f"[tool.email-harness]\n{text}")
    return Project.load(tmp_path)


def test_without_a_setting_the_log_names_nobody_and_git_is_not_asked(tmp_path, no_reviewer):
    assert reviewer(settings(tmp_path)) == UNNAMED == "unnamed"
    assert no_reviewer == []


def test_the_project_names_the_reviewer_or_says_git(tmp_path, no_reviewer):
    assert reviewer(settings(tmp_path, 'reviewer = "Release team"\n')) == "Release team"
    assert no_reviewer == []
    assert reviewer(settings(tmp_path, 'reviewer = "git"\n')) == "Dana Designer"
    assert no_reviewer == [["git", "config", "user.name"]]


def test_the_variable_beats_the_setting(tmp_path, no_reviewer, monkeypatch):
    monkeypatch.setenv("EMAIL_HARNESS_REVIEWER", " Sam (CI) ")
    assert reviewer(settings(tmp_path, 'reviewer = "git"\n')) == "Sam (CI)"
    assert no_reviewer == []


def test_a_reviewer_that_is_not_text_is_a_config_error(tmp_path):
    with pytest.raises(Exception, match=r"reviewer = 3: expected a name, or 'git'"):
        settings(tmp_path, "reviewer = 3\n")


def test_paths_are_logged_relative_to_the_project_or_by_name(tmp_path):
    assert logged_path(tmp_path / "email-report", tmp_path) == "email-report"
    assert logged_path(tmp_path / "ci" / "shard-1", tmp_path) == "ci/shard-1"
    assert logged_path(tmp_path / "ci" / ".." / "email-report", tmp_path) == "email-report"
    assert logged_path(tmp_path.parent / "artifact" / "email-report", tmp_path) == "email-report"  # outside: the name only


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def changed(sandbox, monkeypatch):
    """The bundled shop after one copy change in the refund template, its report written."""
    monkeypatch.chdir(sandbox.root)
    sandbox.edit("templates/refund.yaml", "bis zu 5 Werktage", "bis zu 7 Werktage")
    assert run("run", "--no-screenshots", "--only", "refund[*]").exit_code == 1
    return sandbox


def log_of(sandbox) -> list[dict[str, str]]:
    return [json.loads(line) for line in (sandbox.root / "snapshots/review-log.jsonl").read_text().splitlines()]


def test_an_approval_from_the_command_line_logs_what_the_team_chose(changed, no_reviewer):
    changed.edit("pyproject.toml", 'plugins = ["shop"]', 'plugins = ["shop"]\nreviewer = "Copy desk"')
    result = run("approve", "--from", "report", CASE)
    assert result.exit_code == 0, result.output
    [entry] = log_of(changed)
    assert (entry["who"], entry["from"], entry["case"]) == ("Copy desk", "report", CASE)
    assert str(changed.root) not in json.dumps(entry) and no_reviewer == []


def test_a_report_downloaded_outside_the_project_is_logged_by_its_name(changed, no_reviewer, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("downloads") / "email-report"
    shutil.copytree(changed.root / "report", elsewhere)
    result = run("approve", "--from", str(elsewhere), CASE)
    assert result.exit_code == 0, result.output
    [entry] = log_of(changed)
    assert (entry["who"], entry["from"]) == ("unnamed", "email-report")
    assert str(elsewhere.parent) not in (changed.root / "snapshots/review-log.jsonl").read_text()
