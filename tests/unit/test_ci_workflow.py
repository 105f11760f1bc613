"""The workflow ``init`` writes (``harness/scaffold/workflow.py``): the install line follows where
email-harness came from (pip's ``direct_url.json``), and ``paths:`` follows the settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.project import Project
from harness.scaffold import workflow
from harness.scaffold.workflow import install_line, render_workflow, watched_paths


def project(root: Path, settings: str) -> Project:
    (root / "pyproject.toml").write_text(f"[tool.email-harness]\n{settings}")
    return Project.load(root)


def test_paths_name_every_plugin_module_package_and_the_translations(tmp_path):
    (tmp_path / "lumen_emails").mkdir()
    found = watched_paths(project(tmp_path, 'catalog = "emails/templates"\noutput = "email-report"\ntranslations = "locale"\n'
                                            'plugins = ["email_plugins", "lumen_emails.plugins", "lumen_emails"]\n'
                                            'fixture_model = "models:Account"\n'))
    assert found == ["emails/templates/**", "fixtures/**", "snapshots/**", "locale/**", "email_plugins.py", "lumen_emails/**",
                     "models.py", "pyproject.toml", ".github/workflows/emails.yml"]


def test_a_folder_outside_the_repository_is_left_out_not_written_as_an_absolute_path(tmp_path):
    (tmp_path / "repo").mkdir()
    found = watched_paths(project(tmp_path / "repo", 'fixtures = "../shared-fixtures"\n'))
    assert found == ["templates/**", "snapshots/**", "pyproject.toml", ".github/workflows/emails.yml"]


class Dist:
    version = "0.3.0"

    def __init__(self, origin: dict | None) -> None:
        self.origin = origin

    def read_text(self, name: str) -> str | None:
        return json.dumps(self.origin) if self.origin is not None else None


@pytest.fixture
def installed_from(monkeypatch):
    def set_origin(origin: dict | None) -> None:
        monkeypatch.setattr(workflow.importlib.metadata, "distribution", lambda name: Dist(origin))
    return set_origin


def test_a_release_from_the_index_is_pinned(installed_from):
    installed_from(None)
    assert install_line().spec == "email-harness==0.3.0"


def test_a_git_install_is_installed_from_the_same_commit(installed_from):
    installed_from({"url": "https://github.com/acme/email-harness", "vcs_info": {"vcs": "git", "commit_id": "a" * 40}})
    assert install_line().spec == f'"email-harness @ git+https://github.com/acme/email-harness@{"a" * 40}"'


def test_a_local_wheel_is_copied_beside_the_workflow(installed_from, tmp_path):
    wheel = tmp_path / "email_harness-0.3.0-py3-none-any.whl"
    wheel.write_bytes(b"PK")
    installed_from({"url": wheel.as_uri(), "archive_info": {}})
    install = install_line()
    assert install.spec == "./.github/wheels/email_harness-0.3.0-py3-none-any.whl" and install.wheel == wheel
    assert workflow.copy_wheel(install, tmp_path / "team") == ".github/wheels/email_harness-0.3.0-py3-none-any.whl"
    assert (tmp_path / "team/.github/wheels" / wheel.name).read_bytes() == b"PK"


def test_a_local_folder_without_a_remote_says_what_to_change(installed_from, tmp_path):
    installed_from({"url": tmp_path.as_uri(), "dir_info": {"editable": True}})
    install = install_line()
    assert install.spec == "email-harness==0.3.0" and "put a wheel or a git+ URL on the workflow's install line" in install.note


def test_the_rendered_workflow_has_the_projects_report_folder(tmp_path, installed_from):
    installed_from(None)
    text = render_workflow("paths: {paths}\nrun: pip install {install}\npath: {output}\n", project(tmp_path, 'output = "email-report"\n'), install_line())
    assert text.splitlines()[1:] == ["run: pip install email-harness==0.3.0", "path: email-report"]


# -- push: runs on the repository's own default branch ---------------------------------------


def git(folder: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def test_push_runs_on_the_branch_checked_out_when_the_repository_has_no_main(tmp_path):
    git(tmp_path, "init", "-q", "-b", "master")
    assert workflow.default_branch(tmp_path) == "master"
    text = render_workflow("branches: [{branch}]\n", project(tmp_path, ""), workflow.Install("x"), workflow.default_branch(tmp_path))
    assert text == 'branches: ["master"]\n'


def test_a_clone_runs_on_origins_default_branch_even_with_a_feature_branch_checked_out(tmp_path):
    upstream, clone = tmp_path / "upstream", tmp_path / "clone"
    upstream.mkdir()
    git(upstream, "init", "-q", "-b", "trunk")
    git(upstream, "-c", "user.name=a", "-c", "user.email=a@example.com", "commit", "-q", "--allow-empty", "-m", "first")
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    git(clone, "checkout", "-q", "-b", "new-footer")
    assert workflow.default_branch(clone) == "trunk"


def test_a_folder_that_is_no_repository_gets_main(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # not the repository around /tmp, if any
    assert workflow.default_branch(tmp_path) == "main"


# -- email-harness workflow --shards N ------------------------------------------------------


def sharded(root: Path, shards: int) -> str:
    from importlib.resources import files

    template = (files("harness.scaffold") / "files" / "github-workflow-sharded.yml").read_text(encoding="utf-8")
    return render_workflow(template, project(root, 'output = "email-report"\nplugins = ["email_plugins"]\n'), workflow.Install("email-harness"), "main", shards)


def test_the_sharded_workflow_in_docs_is_what_the_command_prints_for_inits_project(tmp_path):
    """docs/github-actions.yml cannot drift from 'email-harness workflow --shards 2'."""
    docs = Path(__file__).parents[2] / "docs" / "github-actions.yml"
    assert sharded(tmp_path, 2) == docs.read_text(encoding="utf-8")


def test_n_shards_run_n_machines_and_merge_their_reports(tmp_path):
    import yaml

    flow = yaml.safe_load(sharded(tmp_path, 4))
    assert flow["jobs"]["emails"]["strategy"]["matrix"]["shard"] == [1, 2, 3, 4]
    assert "--shard ${{ matrix.shard }}/4 --output email-report-${{ matrix.shard }}" in str(flow["jobs"]["emails"]["steps"])
    assert flow["jobs"]["report"]["steps"][-2]["run"] == "email-harness report merge email-report-*"


def test_the_command_prints_the_workflow_of_the_project_as_it_is_now(tmp_path, monkeypatch, installed_from):
    """After adding a plugin module, 'email-harness workflow' prints paths: with it."""
    from typer.testing import CliRunner

    from harness.cli import app

    installed_from(None)
    (tmp_path / "pyproject.toml").write_text('[tool.email-harness]\nplugins = ["email_plugins", "acme_rules"]\n')
    monkeypatch.chdir(tmp_path)
    printed = CliRunner().invoke(app, ["workflow"])
    assert printed.exit_code == 0, printed.output
    assert '"email_plugins.py", "acme_rules.py"' in printed.output
    assert "      - run: pip install email-harness==0.3.0\n" in printed.output
    assert CliRunner().invoke(app, ["workflow", "--shards", "0"]).exit_code == 2
