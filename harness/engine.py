"""The engine both fronts share: a case renders, is checked by rules and compared with its
approved snapshot in exactly one way, whether ``email-harness run`` or pytest asked.

Writes (``update=True`` or :meth:`Engine.approve`) are queued while cases run and flushed once by
:meth:`Engine.flush`, so a run that crashes half-way writes nothing half-way.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Literal

from .cases import Case, select
from .catalog import Catalog, load_catalog
from .errors import HarnessError, SnapshotError
from .fixtures import FixtureSet, load_fixtures
from .project import Project
from .render import RenderedEmail, Renderer, mjml_engines
from .rules import Finding, RuleContext, run_rules
from .snapshots import ApprovedSnapshot, SnapshotKind, SnapshotStore, snapshot_kinds

__all__ = ["CaseResult", "Engine", "PartChange", "Status"]

MAX_DIFF_LINES = 60

Status = Literal["passed", "changed", "new", "failed", "error", "updated"]

try:
    HARNESS_VERSION = version("email-harness")
except PackageNotFoundError:  # running from a source tree that is not installed
    HARNESS_VERSION = "0+unknown"


@dataclass(frozen=True)
class PartChange:
    """One snapshot part that differs from the approved one."""

    kind: str
    filename: str
    status: Literal["changed", "new", "removed"]
    diff: str = ""


@dataclass
class CaseResult:
    case: Case
    status: Status
    outcome: str = ""
    locale: str = ""
    reason: str = ""
    changes: list[PartChange] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    error: str = ""
    #: The received parts (file name -> text), kept for cases that differ, as evidence.
    received: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("passed", "updated")

    def explain(self) -> str:
        """The failure message: what, where, the diff, and the next command."""
        lines = [f"{self.case.id}: {self.status}"]
        if self.error:
            lines.append(f"  {self.error}")
        for finding in self.findings:
            lines.append(f"  {finding.describe()}")
        for change in self.changes:
            what = {"new": "no approved snapshot yet", "removed": "no longer produced", "changed": "differs"}
            lines.append(f"  {change.kind} ({change.filename}): {what[change.status]}")
            diff = change.diff.splitlines()
            lines.extend("    " + line for line in diff[:MAX_DIFF_LINES])
            if len(diff) > MAX_DIFF_LINES:
                lines.append(f"    ... {len(diff) - MAX_DIFF_LINES} more lines in the report")
        if self.status in ("changed", "new"):
            lines.append(
                f"  If this change is intended, approve it: email-harness approve '{self.case.id}'"
                " (or re-run with --update / pytest --update-snapshots)"
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class _PendingWrite:
    case: Case
    parts: dict[str, bytes]
    manifest: dict[str, object]


class Engine:
    def __init__(self, project: Project, *, update: bool = False, strict: bool = False) -> None:
        self.project = project
        self.update = update
        #: Warnings fail the case too.
        self.strict = strict
        self.catalog: Catalog = load_catalog(project.catalog)
        self.fixtures: FixtureSet = load_fixtures(project.fixtures) if project.fixtures.is_dir() else FixtureSet({}, {})
        engine_cls = mjml_engines.get(project.mjml_engine)
        self.renderer = Renderer(self.catalog, engine_cls(), now=project.now)
        self.store = SnapshotStore(project.snapshots)
        self.kinds: list[SnapshotKind] = [snapshot_kinds.get(name)() for name in snapshot_kinds.names()]
        self._pending: list[_PendingWrite] = []

    # -- what to run -------------------------------------------------------------------------

    def cases(self, only: Sequence[str] = ()) -> list[Case]:
        """Every template x every fixture, broken ones included (they become error results)."""
        every = [Case(t, f) for t in self.catalog.names for f in self.fixtures.ids]
        return select(every, only)

    def unused_snapshots(self, only: Sequence[str] = ()) -> list[Case]:
        """Snapshots on disk that no case produces any more (template or fixture gone), among
        those ``only`` selects."""
        produced = set(self.cases())
        on_disk = {Case(t, f) for t, f in self.store.cases()}
        return select(sorted(on_disk - produced), only)

    # -- one case ----------------------------------------------------------------------------

    def render(self, case: Case) -> RenderedEmail:
        """Render one case; raises a ``HarnessError`` naming the broken template or fixture."""
        if case.template in self.catalog.errors:
            raise self.catalog.errors[case.template]
        if case.fixture in self.fixtures.errors:
            raise self.fixtures.errors[case.fixture]
        return self.renderer.render(self.catalog.templates[case.template], self.fixtures.accounts[case.fixture])

    def check(self, case: Case, *, write: bool | None = None) -> CaseResult:
        """Render, run the rules, compare with the approved snapshot; queue a write when updating."""
        started = time.perf_counter()
        try:
            email = self.render(case)
        except HarnessError as exc:
            return CaseResult(case, "error", error=str(exc), seconds=time.perf_counter() - started)
        result = CaseResult(case, "passed", outcome=email.outcome, locale=email.locale, reason=email.reason)
        if email.sent:
            result.findings = self._rules(case, email)
        received = {k.filename: text for k in self.kinds if (text := k.serialize(email)) is not None}
        try:
            approved = self.store.read(case.template, case.fixture)
        except SnapshotError as exc:
            result.status, result.error = "error", str(exc)
            result.seconds = time.perf_counter() - started
            return result
        result.changes = self._compare(approved, received)
        failing = any(f.severity == "error" or self.strict for f in result.findings)
        if result.changes:
            result.received = received
            if self.update if write is None else write:
                self._queue(case, email, received)
                result.status = "updated"
            else:
                result.status = "new" if approved is None else "changed"
        if failing:
            result.status = "failed"
        result.seconds = time.perf_counter() - started
        return result

    def _rules(self, case: Case, email: RenderedEmail) -> list[Finding]:
        template = self.catalog.templates[case.template]
        account = self.fixtures.accounts[case.fixture]
        others = [a for fid, a in self.fixtures.accounts.items() if fid != case.fixture]
        base = RuleContext(
            "", email, account, others, template, {}, self.renderer.approved_copy(email.locale)
        )
        return run_rules(self.catalog.rules_for(template), base)

    def _compare(self, approved: ApprovedSnapshot | None, received: dict[str, str]) -> list[PartChange]:
        changes: list[PartChange] = []
        for kind in self.kinds:
            new = received.get(kind.filename)
            old = approved.text(kind.filename) if approved else None
            if old == new:
                continue
            if old is None:
                # A part that appears in an existing snapshot (say, a case that is now sent) is
                # shown in full; a case with no snapshot at all just says "new".
                diff = kind.diff("", new or "", label=kind.filename) if approved else ""
                changes.append(PartChange(kind.name, kind.filename, "new", diff))
            elif new is None:
                changes.append(PartChange(kind.name, kind.filename, "removed", kind.diff(old, "", label=kind.filename)))
            else:
                changes.append(PartChange(kind.name, kind.filename, "changed", kind.diff(old, new, label=kind.filename)))
        return changes

    # -- writing -----------------------------------------------------------------------------

    def _queue(self, case: Case, email: RenderedEmail, received: dict[str, str]) -> None:
        template = self.catalog.templates[case.template]
        manifest = {
            "case": case.id,
            "harness": HARNESS_VERSION,
            "mjml_engine": self.renderer.engine.name,
            "locale": email.locale,
            "template_files": template.files_hash,
        }
        parts = {name: text.encode("utf-8") for name, text in received.items()}
        self._pending.append(_PendingWrite(case, parts, manifest))

    def approve(self, case: Case) -> CaseResult:
        """Render ``case`` and queue its snapshot for writing, even over a corrupt one."""
        try:
            email = self.render(case)
        except HarnessError as exc:
            return CaseResult(case, "error", error=str(exc))
        received = {k.filename: text for k in self.kinds if (text := k.serialize(email)) is not None}
        self._queue(case, email, received)
        return CaseResult(case, "updated", outcome=email.outcome, locale=email.locale, reason=email.reason)

    @property
    def pending(self) -> list[Case]:
        return [w.case for w in self._pending]

    def flush(self) -> list[Case]:
        """Write every queued snapshot (each file atomically, the manifest last)."""
        written = []
        for write in self._pending:
            self.store.write(write.case.template, write.case.fixture, write.parts, write.manifest)
            written.append(write.case)
        self._pending.clear()
        return written

    def prune(self, unused: Sequence[Case]) -> None:
        for case in unused:
            self.store.remove(case.template, case.fixture)
