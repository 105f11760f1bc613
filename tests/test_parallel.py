"""``email-harness run -j N``: the same run as ``-j 1`` on N worker processes (harness.parallel).

Each comparison runs the same command with ``-j 1`` and ``-j 2`` on two copies of the bundled
project and compares exit code, printed output, results.json and snapshots/, timing aside.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.engine import Engine
from harness.parallel import engine_options

from conftest import Sandbox


def run(root: Path, *args: str) -> Any:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(cwd)


def untimed(value: Any) -> Any:
    """results.json without its timing fields (``seconds``, wherever they are)."""
    if isinstance(value, dict):
        return {k: untimed(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [untimed(v) for v in value]
    return value


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def same_run(tmp_path: Path, *args: str, prepare: Any = None) -> tuple[Any, Sandbox]:
    """Run ``args`` with -j 1 and -j 2 on two fresh copies; assert everything but timing is equal."""
    one, two = Sandbox(tmp_path / "one"), Sandbox(tmp_path / "two")
    outcomes = []
    for sandbox, jobs in ((one, "1"), (two, "2")):
        if prepare:
            prepare(sandbox)
        outcomes.append(run(sandbox.root, "run", "-j", jobs, *args))
    first, second = outcomes
    assert first.exit_code == second.exit_code
    timing = re.compile(r"\d+\.\ds")  # the summary table's time column
    assert timing.sub("T", first.output) == timing.sub("T", second.output)
    report = Path(one.project.output.name)
    assert untimed(json.loads((one.root / report / "results.json").read_text())) == untimed(json.loads((two.root / report / "results.json").read_text()))
    assert files(one.root / "snapshots") == files(two.root / "snapshots")
    assert files(one.root / report / "messages") == files(two.root / report / "messages")
    return first, two


def break_two_cases(sandbox: Sandbox) -> None:
    """One changed case (a copy edit) and one new case (its snapshot folder removed)."""
    sandbox.edit("templates/refund.yaml", "bis zu 5 Werktage", "bis zu 7 Werktage")
    for path in sorted((sandbox.root / "snapshots" / "welcome" / "en-one-order").iterdir()):
        path.unlink()


def test_two_workers_report_what_one_does(tmp_path):
    result, _ = same_run(tmp_path, "--no-screenshots", "--only", "refund[*]", "--only", "welcome[*]", prepare=break_two_cases)
    assert result.exit_code == 1
    assert "refund[de-refunded]" in result.output and "welcome[en-one-order]" in result.output


def test_two_workers_update_what_one_does(tmp_path):
    result, two = same_run(tmp_path, "--no-screenshots", "--update", "--only", "refund[*]", "--only", "welcome[*]", prepare=break_two_cases)
    assert result.exit_code == 0 and "wrote 2 snapshot(s)" in result.output
    assert run(two.root, "run", "-j", "2", "--no-screenshots").exit_code == 0


def test_two_workers_take_the_screenshots_one_does(tmp_path):
    # Four cases with screenshots, taken again (not from the cache) and written by --update.
    result, _ = same_run(tmp_path, "--update", "--no-cache", "--no-smtp", "--only", "welcome[en-*-order*]", "--only", "refund[en-*-order*]")
    assert result.exit_code == 0


def test_a_worker_that_dies_fails_the_run_and_names_itself(sandbox, monkeypatch):
    check = Engine.check

    def dies_on_refund(self, case, **kwargs):
        if case.id == "refund[de-refunded]":
            os._exit(3)  # a crash Python cannot catch (as a segfault in a native library)
        return check(self, case, **kwargs)

    monkeypatch.setattr(Engine, "check", dies_on_refund)  # forked workers inherit it
    result = run(sandbox.root, "run", "-j", "2", "--no-screenshots", "--update", "--only", "refund[*]")
    assert result.exit_code == 2
    assert re.search(r"worker \d \(pid \d+\) died \(exit code 3\) while checking refund\[de-refunded\]", result.output)
    assert not (sandbox.root / sandbox.project.output.name / "results.json").exists()  # no green report


def test_a_worker_that_raises_fails_the_run_with_its_traceback(sandbox, monkeypatch):
    def raises(self, case, **kwargs):
        raise RuntimeError("a bug in a plugin")

    monkeypatch.setattr(Engine, "check", raises)
    result = run(sandbox.root, "run", "-j", "2", "--no-screenshots", "--only", "refund[*]")
    assert result.exit_code == 2
    assert re.search(r"worker \d \(pid \d+\) failed while checking refund\[", result.output)
    assert "RuntimeError: a bug in a plugin" in result.output


@pytest.mark.parametrize("jobs", ["0", "two", "-1"])
def test_jobs_must_be_a_number_or_auto(sandbox, jobs):
    result = run(sandbox.root, "run", f"--jobs={jobs}", "--no-screenshots")
    assert result.exit_code == 2 and "expected a number of worker processes" in result.output


def test_auto_is_one_worker_per_core(sandbox, monkeypatch):
    import harness.parallel

    monkeypatch.setattr(harness.parallel, "cores", lambda: 1)  # one core: the -j 1 path, no worker
    monkeypatch.setattr(harness.parallel, "run_parallel", None)
    assert run(sandbox.root, "run", "-j", "auto", "--no-screenshots", "--only", "refund[*]").exit_code == 0


def test_workers_are_built_with_every_engine_option():
    engine = Engine.__new__(Engine)
    for name in ("update", "strict", "reuse_screenshots", "allow_outcome_change", "smtp"):
        setattr(engine, name, True)
    engine.camera = engine.cache = None
    expected = [p for p in inspect.signature(Engine).parameters if p != "project"]
    assert sorted(engine_options(engine)) == sorted(expected)  # a new Engine option must reach the workers


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_every_worker_and_browser(sandbox):
    command = [str(Path(sys.executable).with_name("email-harness")), "run", "-j", "2", "--no-cache", "--no-smtp"]
    process = subprocess.Popen(command, cwd=sandbox.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        # Until both workers run a browser (each worker: a Playwright driver and Chromium below it).
        while time.monotonic() < deadline and process.poll() is None:
            seen |= _descendants(process.pid)
            if sum("chrom" in _name(pid) for pid in seen) >= 2:
                break
            time.sleep(0.2)
        assert process.poll() is None, process.communicate()[0].decode()
        os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl+C: to every process of the group
        output = process.communicate(timeout=60)[0].decode()
    finally:  # a failing test leaves nothing running either
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130, output
    assert "interrupted" in output
    time.sleep(1)
    assert [pid for pid in seen if _alive(pid)] == []


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text()
    except OSError:
        return ""
