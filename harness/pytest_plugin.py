"""The pytest front on the engine: every (template, fixture) case is one test item.

Wiring only: options, collection, the ``render_email`` fixture, and the end-of-session flush. A
case is checked by :meth:`harness.engine.Engine.check`, exactly as ``email-harness run`` does.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .cases import Case
from .engine import CaseResult, Engine, environment_notes
from .errors import ConfigError, HarnessError
from .inert import log_line, log_text
from .plugins import registered_in_conftest
from .project import Project
from .render import RenderedEmail
from .report import load_results, merge_reports, write_report, write_results

__all__ = ["CaseItem", "TemplateFile"]

ENGINE = pytest.StashKey[Engine | None]()
DESELECTED = pytest.StashKey[bool]()
CONFIG_ERROR = pytest.StashKey[ConfigError | None]()
CATALOG_NAME = pytest.StashKey[str]()
#: Snapshots no case produces, found when every case ran; they fail the session.
UNUSED = pytest.StashKey[list[Case]]()
RESULTS = pytest.StashKey[list[CaseResult]]()
#: xdist workers write their part of the report here; the controller merges them.
WORKER_REPORTS = ".pytest-workers"
#: Screenshot environment differences reported by items (also from xdist workers): what -> cases.
ENVIRONMENT = pytest.StashKey[tuple[Counter[str], list[int]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("email-harness", "email template regression tests")
    group.addoption("--update-snapshots", action="store_true", help="write new and changed email snapshots (not a case that starts or stops being sent)")
    group.addoption("--allow-outcome-change", action="store_true", help="with --update-snapshots: also write cases that start or stop being sent")
    group.addoption("--email-strict", action="store_true", help="rule warnings fail the case too")
    group.addoption("--no-screenshots", action="store_true", help="compare text snapshots only (no browser)")
    group.addoption("--no-smtp", action="store_true", help="do not send each message through the local SMTP server (as run --no-smtp)")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[ENGINE] = None
    config.stash[CONFIG_ERROR] = None
    config.stash[DESELECTED] = False
    config.stash[RESULTS] = []
    config.stash[ENVIRONMENT] = (Counter(), [0])
    config.pluginmanager.register(_EnvironmentNotes(config), "email-harness-environment")


def _engine(config: pytest.Config) -> Engine:
    """The session's engine. It loads the project's plugins exactly as ``email-harness run``
    does; a configuration error is raised as ConfigError (once: see ``pytest_collect_file``)."""
    engine = config.stash[ENGINE]
    if engine is None:
        if config.stash[CONFIG_ERROR] is not None:
            raise config.stash[CONFIG_ERROR]
        try:
            project = Project.load(config.rootpath)
            engine = Engine(
                project,
                update=config.getoption("update_snapshots"),
                allow_outcome_change=config.getoption("allow_outcome_change"),
                strict=config.getoption("email_strict"),
                screenshots=False if config.getoption("no_screenshots") else None,
                smtp=not config.getoption("no_smtp"),
            )
            if from_conftest := registered_in_conftest():
                raise ConfigError(
                    f"{', '.join(from_conftest)} registered in conftest.py, which 'email-harness run' does not "
                    "read; move it to a module listed under [tool.email-harness] plugins, so both fronts agree"
                )
        except ConfigError as exc:
            config.stash[CONFIG_ERROR] = exc
            raise
        if worker := getattr(config, "workerinput", {}).get("workerid"):
            # An xdist worker keeps its .eml files with its part of the report, as the results:
            # the controller merges the parts; in one shared messages/ each worker would empty
            # it on its first case, under the others' files.
            engine.messages.output = project.output / WORKER_REPORTS / worker
        config.stash[ENGINE] = engine
    return engine


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".txt", ".md", ".py") or file_path.name.startswith(("_", ".")):
        return None
    if _catalog_folder_name(parent.config) not in file_path.parent.parts:
        return None  # cheap pre-filter: no project is loaded for files outside a catalog folder (or its subfolders)
    config = parent.config
    if config.stash[CONFIG_ERROR] is not None:
        return None  # reported once already
    try:
        engine = _engine(config)
    except ConfigError:
        # Reported on the first template pytest meets; the message names the file at fault.
        return ProjectError.from_parent(parent, path=file_path)
    # The session's engine holds the project already: no pyproject re-read per collected file.
    if _template_name(engine, file_path) is None:
        return None
    return TemplateFile.from_parent(parent, path=file_path)


def _template_name(engine: Engine, file_path: Path) -> str | None:
    """The catalog's name for a body file (``billing/invoice_paid`` for a file in ``billing/``),
    or None when the file is no template of the catalog."""
    try:
        relative = file_path.resolve().relative_to(engine.project.catalog)
    except ValueError:
        return None
    name = relative.with_suffix("").as_posix()
    return name if name in engine.catalog.names else None


def _catalog_folder_name(config: pytest.Config) -> str:
    """The catalog folder's name, from the settings alone (no plugins, no catalog read)."""
    if CATALOG_NAME not in config.stash:
        try:
            config.stash[CATALOG_NAME] = Project.load(config.rootpath).catalog.name
        except ConfigError:
            config.stash[CATALOG_NAME] = "templates"  # the error is reported when the engine loads
    return config.stash[CATALOG_NAME]


class ProjectError(pytest.File):
    """Stands for the whole project when its configuration is wrong: one collection error with
    the message ``email-harness run`` prints, no traceback, instead of one per case."""

    def collect(self) -> Iterator[pytest.Item]:
        raise self.CollectError(f"email-harness: {log_text(str(self.config.stash[CONFIG_ERROR]))}")  # as the CLI prints it


class CaseFailed(Exception):
    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.case.id)
        self.result = result


class TemplateFile(pytest.File):
    """One catalog template; its children are the template's cases, one per fixture account."""

    def collect(self) -> Iterator[CaseItem]:
        engine = _engine(self.config)
        name = _template_name(engine, self.path)
        for case in (c for c in engine.cases() if c.template == name):  # exactly this template, not a namesake in another folder
            # nodeid given whole: pytest 9 parses "name[params]" ids from its cache (--lf, --ff,
            # --sw) and would not match an id built from the name alone.
            yield CaseItem.from_parent(self, name=case.id, case=case, nodeid=f"{self.nodeid}::{case.id}")


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        result = _engine(self.config).check(self.case)
        self.config.stash[RESULTS].append(result)
        self.user_properties.append(("status", result.status))
        if result.environment:
            self.user_properties.append(("screenshot_environment", (result.environment, result.environment_diffs)))
        if not result.ok:
            raise CaseFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailed):
            return excinfo.value.result.explain()
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.case.id


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        items[0].config.stash[DESELECTED] = True


class _EnvironmentNotes:
    """Collects screenshot environment notes from reports, so the controller of an xdist run
    (where no case runs) can print them once."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        environment, diffs = self.config.stash[ENVIRONMENT]
        for name, value in report.user_properties:
            if name == "screenshot_environment":
                environment[value[0]] += 1
                diffs[0] += value[1]


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        shutil.rmtree(Project.load(session.config.rootpath).output / WORKER_REPORTS, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the snapshots, then the report, as ``email-harness run`` does. Under xdist each
    worker writes its part and the controller merges them into one report. Snapshots no case
    produces any more fail the session, as they fail ``email-harness run``, when every case ran
    (a ``-k`` or ``--lf`` selection cannot see them, and does not report them)."""
    config = session.config
    engine = config.stash.get(ENGINE, None)
    try:
        if engine is not None:
            engine.close()
            engine.flush()
            _write_report(config, engine)
        elif not hasattr(config, "workerinput"):
            parts = Project.load(config.rootpath).output / WORKER_REPORTS
            if parts.is_dir():
                shards = sorted(p for p in parts.iterdir() if p.is_dir())
                ran = sum(len(load_results(shard)["cases"]) for shard in shards)
                unused = _unused_if_complete(config, None, ran)
                merge_reports(shards, parts.parent, unused=[c.id for c in unused])
                shutil.rmtree(parts, ignore_errors=True)
    except HarnessError as exc:  # a full disk or a held lock: say so, fail the session
        config.get_terminal_writer().line(f"email-harness: {exc}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if config.stash.get(UNUSED, []) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _unused_if_complete(config: pytest.Config, engine: Engine | None, ran: int) -> list[Case]:
    """The unused snapshots when ``ran`` covers every case of the catalog, else none."""
    if engine is None:
        try:
            engine = Engine(Project.load(config.rootpath), screenshots=False)
        except HarnessError:
            return []
    unused = engine.unused_snapshots() if ran and ran == len(engine.cases()) else []
    config.stash[UNUSED] = unused
    return unused


def _write_report(config: pytest.Config, engine: Engine) -> None:
    results = config.stash[RESULTS]
    if not results:
        return
    worker = getattr(config, "workerinput", {}).get("workerid")
    output = engine.project.output / WORKER_REPORTS / worker if worker else engine.project.output
    unused = [] if worker else _unused_if_complete(config, engine, len(results))
    document = write_results(output, results, store=engine.store, unused=unused, extra={"notes": engine.environment_notes()})
    if not worker:
        write_report(output, document)


def _cached(config: pytest.Config) -> bool:
    """Whether shots go to the local cache: from the session's engine, or under xdist (the
    controller runs no case) from the project's settings, as the workers read them."""
    engine = config.stash.get(ENGINE, None)
    if engine is not None:
        return engine.cache is not None and engine.camera is not None
    try:
        return Project.load(config.rootpath).cache is not None
    except ConfigError:
        return False


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    environment, diffs = config.stash[ENVIRONMENT]
    for note in environment_notes(environment, diffs[0], cached=_cached(config)):
        terminalreporter.write_line(f"email-harness: {note}", yellow=True)
    unused = config.stash.get(UNUSED, [])
    if unused:
        terminalreporter.write_line(
            f"email-harness: {len(unused)} snapshot(s) no case produces any more: "
            + ", ".join(log_line(c.id) for c in unused) + " (delete them with: email-harness run --prune)",
            red=True,
        )


@pytest.fixture
def render_email(request: pytest.FixtureRequest) -> Callable[[str, str], RenderedEmail]:
    """Render a catalog template for a fixture account, for a team's own assertions::

        def test_gift_card_shows_brand(render_email):
            email = render_email("gift_card_confirmation", "en-gift-card-google-play")
            assert "Google Play" in email.text
    """
    engine = _engine(request.config)

    def render(template: str, fixture: str) -> RenderedEmail:
        try:
            return engine.render(Case(template, fixture))
        except KeyError:
            raise HarnessError(f"no template {template!r} or fixture {fixture!r}; see 'email-harness list'") from None

    return render
