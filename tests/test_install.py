"""email-harness as a team gets it: the built package in a fresh virtual environment, outside this
repository, checking projects of its own.

One module-scoped venv: the sdist is built, the wheel is built from the sdist (so both are
complete), and the wheel alone is installed (its dependencies from the package index, no editable
install, not this repository's venv). Every project is then checked through both fronts.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml  # PyYAML is a dependency of the harness: no skip if it were missing

REPO = Path(__file__).resolve().parents[1]
#: One worker under ``make test`` (``--dist loadgroup``) runs this module: the venv and its pip
#: install are made once, not once per worker.
pytestmark = pytest.mark.xdist_group("installed-wheel")


def _run(*command: str | Path, cwd: Path, timeout: float = 600, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


class Installed:
    def __init__(self, venv: Path, wheel: Path, sdist: Path) -> None:
        self.venv, self.wheel, self.sdist = venv, wheel, sdist
        self.bin = venv / "bin"

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        """A command of the venv, with nothing of this repository on the path."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        program = self.bin / args[0] if (self.bin / args[0]).exists() else args[0]
        return _run(program, *args[1:], cwd=cwd, env=env)


def _built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and wheel, built once per test run. Under pytest-xdist every worker using this
    module would build in this repository at once, and the builds race on the sdist's staging
    folder ("No such file or directory"): the first worker builds under a lock, the others reuse."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        dist = tmp_path_factory.mktemp("dist")
        _build(dist)
        return dist
    dist = tmp_path_factory.getbasetemp().parent / f"dist-{run}"
    with open(dist.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (dist / "done").exists():
            dist.mkdir(exist_ok=True)
            _build(dist)
            (dist / "done").touch()
    return dist


def _build(dist: Path) -> None:
    built = _run(sys.executable, "-m", "build", "--outdir", dist, REPO, cwd=REPO)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    dist = _built(tmp_path_factory)
    wheel, sdist = next(dist.glob("*.whl")), next(dist.glob("*.tar.gz"))
    venv = tmp_path_factory.mktemp("venv")
    assert _run(sys.executable, "-m", "venv", venv, cwd=venv).returncode == 0
    pip = _run(venv / "bin/python", "-m", "pip", "install", "-q", wheel, cwd=venv)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    return Installed(venv, wheel, sdist)


def test_the_wheel_carries_every_file_the_package_reads(installed):
    tracked = _run("git", "ls-files", "harness", cwd=REPO).stdout.split()
    data_files = {f for f in tracked if not f.endswith(".py")}
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    assert data_files and data_files <= names, sorted(data_files - names)
    assert not any(n.startswith(("shop/", "tests/", "examples/")) for n in names)  # examples stay examples


def test_the_installed_package_is_the_wheel_not_this_repository(installed, tmp_path):
    where = installed.run("python", "-c", "import harness; print(harness.__file__)", cwd=tmp_path)
    assert where.returncode == 0 and where.stdout.startswith(str(installed.venv)), where.stdout + where.stderr


def test_init_then_update_then_run_passes_in_both_fronts(installed, tmp_path):
    """The README's first steps: init, run --update, run, pytest."""
    project = tmp_path / "acme"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "acme"\nversion = "1.0"\n')
    init = installed.run("email-harness", "init", cwd=project)
    assert init.returncode == 0, init.stdout + init.stderr
    assert "added    pyproject.toml" in init.stdout and "created  email_plugins.py" in init.stdout
    assert (project / ".github/workflows/emails.yml").is_file()
    assert (project / ".gitignore").read_text().splitlines()[-2:] == ["email-report/", "snapshots/.lock"]
    first = installed.run("email-harness", "run", cwd=project)
    assert first.returncode == 1 and "welcome[en-new-user]: new" in first.stdout, first.stdout  # nothing approved yet
    update = installed.run("email-harness", "run", "--update", cwd=project)
    assert update.returncode == 0, update.stdout + update.stderr
    assert (project / "snapshots/welcome/en-long-time-user/outcome.txt").read_text() == "not sent: signed up more than 7 days ago\n"
    _same_verdict(installed, project, expected_cases=2)
    again = installed.run("email-harness", "init", cwd=project)
    assert again.returncode == 2 and "already has a [tool.email-harness] section" in again.stdout


def _copy_example(source: Path, to: Path, *, extra: tuple[str, ...] = ()) -> Path:
    for name in ("templates", "fixtures", "snapshots", "pyproject.toml", *extra):
        path = source / name
        if path.is_dir():
            shutil.copytree(path, to / name, ignore=shutil.ignore_patterns("__pycache__", ".lock"))
        elif path.is_file():
            shutil.copy(path, to / name)
    return to


def _same_verdict(installed: Installed, project: Path, *, expected_cases: int) -> None:
    """``email-harness run`` and ``pytest`` pass, and agree case by case."""
    cli = installed.run("email-harness", "run", cwd=project)
    assert cli.returncode == 0, cli.stdout[-4000:] + cli.stderr[-2000:]
    by_cli = {c["id"]: c["status"] for c in json.loads(_results(project).read_text())["cases"]}
    tests = installed.run("pytest", "-q", "-p", "no:cacheprovider", "templates", cwd=project)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert f"{expected_cases} passed" in tests.stdout
    by_pytest = {c["id"]: c["status"] for c in json.loads(_results(project).read_text())["cases"]}
    assert by_cli == by_pytest and len(by_cli) == expected_cases


def _results(project: Path) -> Path:
    return next(p for p in (project / "report/results.json", project / "email-report/results.json") if p.is_file())


def test_the_bundled_shop_example_passes_from_the_wheel(installed, tmp_path):
    project = _copy_example(REPO, tmp_path / "shop-project", extra=("shop",))
    _same_verdict(installed, project, expected_cases=len(list((REPO / "templates").glob("[!_]*.mjml"))) * len(list((REPO / "fixtures").glob("*.yaml"))))


def test_the_saas_example_passes_from_the_wheel(installed, tmp_path):
    example = REPO / "examples/saas"
    project = _copy_example(example, tmp_path / "saas", extra=("lumen_emails", "locale"))
    cases = len(list((example / "templates").glob("[!_]*.mjml"))) * len(list((example / "fixtures").glob("*.yaml")))
    _same_verdict(installed, project, expected_cases=cases)


# -- the README, run as written ---------------------------------------------------------------------

README = REPO / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
#: The install lines: the ``installed`` fixture does exactly this, with the wheel built here.
INSTALL_LINES = ("python3 -m venv .venv && . .venv/bin/activate", "pip install email-harness")


def readme_blocks(section: str) -> list[tuple[str, str]]:
    """(language, text) of every fenced block in the README section titled ``section``."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {section}\n")
    end = text.find("\n## ", start + 1)
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(text[start : end if end != -1 else None])]


def test_every_block_of_use_it_in_your_project_runs_as_written(installed, tmp_path):
    """Files named on a block's first line are written (appended when they exist, as the README
    says of email_plugins.py and pyproject.toml); shell lines run in order and must exit 0, or 1
    where their comment says 'exits 1'."""
    project = tmp_path / "team"
    project.mkdir()
    ran = []
    for language, body in readme_blocks("Use it in your project"):
        first, _, rest = body.partition("\n")
        if language == "sh":
            for line in body.splitlines():
                command = line.split("  #")[0].strip()
                if not command or command in INSTALL_LINES:
                    continue
                expected = 1 if "exits 1" in line else 0
                result = installed.run("bash", "-c", command, cwd=project)
                assert result.returncode == expected, f"{command}\n{result.stdout[-3000:]}{result.stderr[-2000:]}"
                ran.append(command)
        elif first.startswith("# ") and "/" in first or first.startswith("# ") and "." in first:
            path = project / first[2:].strip()
            path.parent.mkdir(parents=True, exist_ok=True)
            content = body if language == "po" else rest  # a .po keeps its comment line: it is valid there
            with path.open("a", encoding="utf-8") as handle:
                handle.write(("\n" if path.stat().st_size else "") + content)
        elif language:
            pytest.fail(f"README block in {language} names no file on its first line:\n{body}")
    assert "email-harness init" in ran and "pytest" in ran and any(c.startswith("email-harness approve --from") for c in ran)
    german = (project / "snapshots/invoice_paid/de-paid/subject.txt").read_text(encoding="utf-8")
    assert german.strip() == "Beleg zu Rechnung INV-2001"
    assert "no paid invoice" in (project / "snapshots/invoice_paid/en-open-invoice/outcome.txt").read_text()


def test_the_repository_commands_of_the_readme_are_the_makefile_targets_ci_runs():
    """``make test`` is what .ci/run runs (so CI runs that block); ``make run`` is run here."""
    (language, body), = readme_blocks("This repository")
    commands = [line.split("#")[0].strip() for line in body.splitlines()]
    assert commands == ["make run", "make test"]
    assert "make test" in (REPO / ".ci/run").read_text()
    result = _run("make", "run", cwd=REPO, env={**os.environ, "EMAIL_HARNESS_SKIP_SYSTEM": "1"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "180 │" in result.stdout  # 10 templates x 18 fixtures


# -- the CI workflow, run as written ----------------------------------------------------------------

#: Debian's Chromium stands in for the workflow's browser download, which cannot reach the network here.
DEBIAN_CHROMIUM = Path("/usr/lib/chromium/chromium")
BROWSER_STEP = "python -m playwright install --with-deps chromium"


class Runner:
    """GitHub Actions' part, played locally: a fresh Python (setup-python) whose ``bin`` leads
    PATH, and each ``run:`` step through bash in the checkout; a step's exit code is the job's."""

    def __init__(self, python: Path, checkout: Path) -> None:
        self.python, self.checkout = python, checkout
        self.env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("GITHUB_")}
        self.env["PATH"] = f"{python / 'bin'}{os.pathsep}{self.env.get('PATH', '')}"

    def steps(self, job: dict, *, matrix: dict[str, str] | None = None, install: str | None = None) -> list[str]:
        """Run the job's steps in order; the commands run. ``install`` replaces a bare
        ``pip install email-harness`` (the docs say to keep the line init wrote)."""
        ran = []
        for step in job["steps"]:
            uses = step.get("uses", "")
            if uses.startswith("actions/checkout"):
                assert (self.checkout / ".git").is_dir()
            elif uses.startswith("actions/setup-python"):
                if not (self.python / "bin/python").exists():
                    assert _run(sys.executable, "-m", "venv", self.python, cwd=self.checkout).returncode == 0
            elif uses.startswith("actions/upload-artifact"):
                path = self._expand(step["with"]["path"], matrix)
                assert (self.checkout / path / "results.json").is_file(), f"the artifact's folder {path} has no report"
            elif uses.startswith("actions/download-artifact"):
                assert step["with"]["pattern"] == "email-report-*"  # the shard folders are here already
            elif "run" in step:
                command = self._expand(step["run"], matrix)
                if command == BROWSER_STEP:
                    assert DEBIAN_CHROMIUM.is_file()  # browser = auto finds it
                    continue
                if install and command.startswith("pip install email-harness"):
                    command = install
                result = _run("bash", "-c", command, cwd=self.checkout, env=self.env)
                assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
                ran.append(command)
            else:
                pytest.fail(f"a step this test cannot play: {step}")
        return ran

    @staticmethod
    def _expand(text: str, matrix: dict[str, str] | None) -> str:
        for key, value in (matrix or {}).items():
            text = text.replace("${{ matrix.%s }}" % key, value)
        assert "${{" not in text, text
        return text


def _commit_and_clone(project: Path, to: Path) -> Path:
    """What a push then actions/checkout give the CI machine: the committed files only."""
    git = ["git", "-c", "user.name=CI", "-c", "user.email=ci@example.com", "-c", "init.defaultBranch=main"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "emails"]):
        done = _run(*git, *command, cwd=project)
        assert done.returncode == 0, done.stderr
    assert _run("git", "clone", "-q", project, to, cwd=project.parent).returncode == 0
    return to


def test_the_workflow_init_writes_runs_as_written_in_a_fresh_checkout(installed, tmp_path):
    """init, the first approval, a commit; then, in a clone with a Python of its own, every step of
    .github/workflows/emails.yml in order, and the sharded variant of docs/github-actions.yml."""
    project = tmp_path / "acme"
    project.mkdir()
    init = installed.run("email-harness", "init", cwd=project)
    assert init.returncode == 0, init.stdout + init.stderr
    wheel = f".github/wheels/{installed.wheel.name}"  # installed from a wheel file: the workflow installs that file
    assert f"created  {wheel}  (commit it" in init.stdout and (project / wheel).read_bytes() == installed.wheel.read_bytes()
    assert installed.run("email-harness", "run", "--update", cwd=project).returncode == 0
    workflow = yaml.safe_load((project / ".github/workflows/emails.yml").read_text())
    assert workflow[True]["pull_request"]["paths"] == [  # PyYAML reads the key 'on' as True
        "templates/**", "fixtures/**", "snapshots/**", "email_plugins.py", "pyproject.toml", ".github/workflows/emails.yml"]
    checkout = _commit_and_clone(project, tmp_path / "checkout")
    runner = Runner(tmp_path / "setup-python", checkout)

    ran = runner.steps(workflow["jobs"]["emails"])
    assert ran == [f"pip install ./{wheel}", "email-harness run"]

    docs = yaml.safe_load((REPO / "docs/github-actions.yml").read_text())
    assert docs[True]["pull_request"]["paths"] == workflow[True]["pull_request"]["paths"]  # the docs show init's workflow
    install = ran[0]
    for shard in docs["jobs"]["emails"]["strategy"]["matrix"]["shard"]:
        runner.steps(docs["jobs"]["emails"], matrix={"shard": str(shard)}, install=install)
    merged = runner.steps(docs["jobs"]["report"], install=install)
    assert merged[-1] == "email-harness report merge email-report-*"  # into the project's output folder:
    assert json.loads((checkout / "email-report/results.json").read_text())["summary"]["cases"] == 2
