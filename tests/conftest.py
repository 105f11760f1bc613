"""Shared test helpers: a throwaway copy of the bundled project to break on purpose."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.cases import Case
from harness.engine import CaseResult, Engine
from harness.project import Project

from unit.build import plugins_forgotten as forget_plugins

REPO = Path(__file__).resolve().parents[1]


class Sandbox:
    """A copy of the bundled project (templates/, fixtures/, snapshots/, its plugin package shop/
    and pyproject.toml) in a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        #: Every engine made here: their browsers are closed after the test (see ``sandbox``).
        self.engines: list[Engine] = []
        for folder in ("templates", "fixtures", "snapshots", "shop"):
            shutil.copytree(REPO / folder, root / folder)
        shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")

    @property
    def project(self) -> Project:
        return Project.load(self.root)

    def engine(self, **kwargs: object) -> Engine:
        """An engine on the sandbox; text-only unless ``screenshots=True`` (tests of rules and
        snapshots need no browser)."""
        kwargs.setdefault("screenshots", False)
        engine = Engine(self.project, **kwargs)  # type: ignore[arg-type]
        self.engines.append(engine)
        return engine

    def edit(self, relative: str, old: str, new: str) -> None:
        """Replace ``old`` (which must be there) by ``new`` in a file of the sandbox."""
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return path

    def rebaseline(self, *case_ids: str) -> None:
        """Approve the cases' screenshots on this machine, so a test does not depend on the
        Chromium build the bundled PNGs were approved with."""
        with self.engine(screenshots=True) as engine:
            for case_id in case_ids:
                engine.approve(Case.parse(case_id), rebaseline=True)
            engine.flush()

    def check(self, case_id: str, **kwargs: object) -> CaseResult:
        return self.engine(**kwargs).check(Case.parse(case_id))


#: Where a project keeps this machine's shots (the default of ``[tool.email-harness] cache``).
SHOT_CACHE = ".cache/email-harness"


@pytest.fixture(scope="session")
def warm_shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This machine's shots of the bundled catalog, taken once per test run (under pytest-xdist
    the first worker takes them under a lock, the others reuse them).

    The bundled PNGs were approved with one Chromium build; on any other (a CI runner, a
    colleague's laptop) every run of a fresh sandbox would re-take all of them, ~15 s each time.
    A sandbox starts with these shots in its local cache instead, as a second run on that machine
    does; what a test changes is still shot, and the tests of shooting and of the cache itself
    (marked ``cold_shots``) start empty."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    base = tmp_path_factory.getbasetemp().parent / f"warm-shots-{run}" if run else tmp_path_factory.mktemp("warm-shots")
    base.mkdir(exist_ok=True)
    with open(base / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (base / "done").exists():
            project = Sandbox(base / "project")
            with project.engine(screenshots=True) as engine:
                failed = [r.explain() for r in (engine.check(case) for case in engine.cases()) if not r.ok]
            assert not failed, failed
            (base / "done").touch()
    return base / "project" / SHOT_CACHE


@pytest.fixture
def sandbox(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    box = Sandbox(tmp_path)
    if request.node.get_closest_marker("cold_shots") is None:
        # Hard links: a cache entry is replaced whole (a new file), never written in place.
        shutil.copytree(request.getfixturevalue("warm_shots"), tmp_path / SHOT_CACHE, copy_function=os.link)
    yield box
    # A test that checks a case and drops its engine (``sandbox.check``) leaves two browsers and
    # the camera's thread behind for the rest of the worker's life: closed here (idempotent).
    for engine in box.engines:
        if engine.camera is not None:
            engine.camera.close()


@pytest.fixture
def plugins_forgotten() -> Iterator[None]:
    """The projects' plugin modules a test loads are forgotten after it (see tests/unit/build.py)."""
    with forget_plugins():
        yield


@pytest.fixture(scope="session")
def bundled() -> Engine:
    """The engine on the bundled catalog, read-only."""
    return Engine(Project.load(REPO), screenshots=False)


@pytest.fixture
def render(bundled: Engine) -> Callable[[str, str], object]:
    return lambda template, fixture: bundled.render(Case(template, fixture))


# -- the hostile-input and fault tally -----------------------------------------------------------
#
# Tests in test_hostile_inputs.py and test_faults.py count what they tried with the ``tally``
# fixture; the session summary prints the totals and how many of those tests failed (a crash, a
# hang past its limit, or a lost snapshot), also when xdist runs them in workers.

class Tally:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {"inputs": 0, "faults": 0}

    def input(self, n: int = 1) -> None:
        self.counts["inputs"] += n

    def fault(self, n: int = 1) -> None:
        self.counts["faults"] += n


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    counter = Tally()
    yield counter
    request.node.user_properties.append(("hostile", counter.counts))


#: Test modules of the hostile-input and fault suite, by the vector they attack.
HOSTILE_MODULES = {
    "test_hostile_inputs": "fixtures and templates",
    "test_hostile_fixtures": "fixtures and templates",
    "test_hostile_leftovers": "fixtures and templates",
    "test_hostile_artifacts": "artifacts, snapshot folders and YAML",
    "test_page_network": "pages reaching the network",
    "test_review_server": "the review server",
    "test_faults": "faults",
    "test_ci_logs": "CI logs, job summary and junit.xml",
    "test_hostile_readback": "files read back (undo, decisions, shards, manifests, images)",
}


class TallyReporter:
    """Sums the tallies of every hostile test (in the controller too, under xdist), per vector."""

    def __init__(self) -> None:
        self.totals = {"inputs": 0, "faults": 0, "tests": 0, "failed": 0}
        self.by_vector: dict[str, int] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        module = report.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
        if module not in HOSTILE_MODULES:
            return
        if report.failed:
            self.totals["failed"] += 1
        for name, counts in report.user_properties:
            if name == "hostile" and report.when == "teardown":
                self.totals["inputs"] += counts["inputs"]
                self.totals["faults"] += counts["faults"]
                self.totals["tests"] += 1
                vector = HOSTILE_MODULES[module]
                self.by_vector[vector] = self.by_vector.get(vector, 0) + counts["inputs"] + counts["faults"]

    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
        t = self.totals
        if t["tests"] and not hasattr(config, "workerinput"):
            vectors = ", ".join(f"{vector} {n}" for vector, n in sorted(self.by_vector.items()))
            terminalreporter.write_line(
                f"hostile-input suite: {t['inputs']} hostile inputs and {t['faults']} faults tried in "
                f"{t['tests']} tests ({vectors}); {t['failed']} crashed, hung or lost a snapshot",
                green=not t["failed"], red=bool(t["failed"]),
            )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(TallyReporter(), "email-harness-tally")
    config.addinivalue_line("markers", "cold_shots: the sandbox starts with an empty local shot cache (see warm_shots)")

