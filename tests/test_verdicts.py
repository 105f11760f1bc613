"""CI tells the whole truth: the same planted state gives the same verdict from every front and
layout: ``email-harness run``, pytest serial, pytest-xdist, and shards joined by ``report merge``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HELLO = """<mjml lang="en" dir="ltr"><mj-head><mj-title>Hello</mj-title><mj-preview>Hi</mj-preview></mj-head>
<mj-body><mj-section><mj-column><mj-text><h1>Hello</h1><p>Hello {{ account.name }}.</p></mj-text></mj-column></mj-section></mj-body></mjml>
"""
NAMES = ("en-ann", "en-bob", "en-cid", "en-dee")


def sh(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=root, capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.email-harness]\nscreenshots = false\n\n[tool.pytest.ini_options]\ntestpaths = ["templates"]\n')
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/hello.mjml").write_text(HELLO)
    (tmp_path / "templates/bye.mjml").write_text(HELLO.replace("Hello", "Bye"))
    (tmp_path / "fixtures").mkdir()
    for name in NAMES:
        (tmp_path / f"fixtures/{name}.yaml").write_text(f"locale: en\nname: {name[3:].title()}\nemail: {name}@example.com\n")
    assert sh(tmp_path, "harness", "run", "--update").returncode == 0
    return tmp_path


def verdicts(root: Path) -> dict[str, tuple[int, list[str]]]:
    """Front -> (exit code, unused snapshots reported in results.json)."""
    out: dict[str, tuple[int, list[str]]] = {}

    def results(folder: str = "report") -> list[str]:
        return json.loads((root / folder / "results.json").read_text())["unused_snapshots"]

    out["run"] = (sh(root, "harness", "run").returncode, results())
    out["pytest"] = (sh(root, "pytest", "-q", "-p", "no:cacheprovider").returncode, results())
    out["pytest -n 2"] = (sh(root, "pytest", "-q", "-p", "no:cacheprovider", "-n", "2").returncode, results())
    codes = [sh(root, "harness", "run", "--shard", f"{i}/2", "--output", f"shard{i}").returncode for i in (1, 2)]
    merged = sh(root, "harness", "report", "merge", "shard1", "shard2", "--output", "merged")
    out["shards + merge"] = (max(*codes, merged.returncode), results("merged"))
    return out


def test_a_clean_project_passes_everywhere(project):
    assert verdicts(project) == {front: (0, []) for front in ("run", "pytest", "pytest -n 2", "shards + merge")}


def test_an_unused_snapshot_fails_every_front_and_is_listed_by_every_report(project):
    shutil.copytree(project / "snapshots/hello/en-ann", project / "snapshots/hello/xx-gone")
    expected = (1, ["hello[xx-gone]"])
    assert verdicts(project) == {"run": expected, "pytest": expected, "pytest -n 2": expected, "shards + merge": (1, ["hello[xx-gone]"])}


def test_a_changed_template_fails_every_front(project):
    (project / "templates/bye.mjml").write_text(HELLO.replace("Hello", "Goodbye"))
    assert {front: code for front, (code, _) in verdicts(project).items()} == {front: 1 for front in ("run", "pytest", "pytest -n 2", "shards + merge")}


def test_a_selection_that_cannot_see_an_unused_snapshot_does_not_report_it(project):
    shutil.copytree(project / "snapshots/hello/en-ann", project / "snapshots/hello/xx-gone")
    selected = sh(project, "pytest", "-q", "-p", "no:cacheprovider", "-k", "en-bob")
    assert selected.returncode == 0 and "xx-gone" not in selected.stdout


def test_merging_an_incomplete_doubled_or_foreign_set_of_shards_fails_naming_it(project):
    for i in (1, 2):
        assert sh(project, "harness", "run", "--shard", f"{i}/2", "--output", f"shard{i}").returncode == 0
    missing = sh(project, "harness", "report", "merge", "shard1", "--output", "merged")
    assert missing.returncode == 2 and "shard(s) 2/2 missing" in missing.stdout
    doubled = sh(project, "harness", "report", "merge", "shard1", "shard1", "--output", "merged")
    assert doubled.returncode == 2 and "given twice" in doubled.stdout
    (project / "fixtures/en-eve.yaml").write_text("locale: en\nname: Eve\nemail: eve@example.com\n")
    assert sh(project, "harness", "run", "--shard", "2/2", "--output", "shard2").returncode == 1  # a new case: new
    foreign = sh(project, "harness", "report", "merge", "shard1", "shard2", "--output", "merged")
    assert foreign.returncode == 2 and "different runs" in foreign.stdout


def test_lf_reruns_only_the_failed_cases(tmp_path, project):
    (project / "templates/bye.mjml").write_text(HELLO.replace("Hello", "Goodbye"))
    first = sh(project, "pytest", "-q")
    assert first.returncode == 1 and "4 failed, 4 passed" in first.stdout
    again = sh(project, "pytest", "-q", "--lf")
    assert again.returncode == 1 and "4 failed in" in again.stdout and "passed" not in again.stdout, again.stdout[-2000:]


@pytest.mark.parametrize("text", ["[", "]", "[/x]", "[bold]", "refund[xx-gone]"])
def test_ids_patterns_and_paths_print_as_written(project, text):
    for args in (("run", "--only", text), ("approve", text), ("list", "--only", text)):
        result = sh(project, "harness", *args)
        assert "Traceback" not in result.stdout + result.stderr, (args, result.stderr[-2000:])
        if result.returncode == 2:
            assert text in result.stdout, (args, result.stdout)


def test_pruning_names_the_case_it_pruned(project):
    shutil.copytree(project / "snapshots/hello/en-ann", project / "snapshots/hello/xx-gone")
    pruned = sh(project, "harness", "run", "--prune")
    assert pruned.returncode == 0 and "pruned 1 unused snapshot(s): hello[xx-gone]" in pruned.stdout
