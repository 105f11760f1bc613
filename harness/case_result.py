"""The result of checking one case: its status, what changed, what rules found, and the evidence
a report and a later approval need."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from .cases import Case
from .inert import log_line
from .rules import Finding
from .screenshots.viewports import viewport_words
from .snapshots.accepted import AcceptedCheck
from .snapshots.outcome import OutcomeChange, approve_hint

__all__ = ["CaseResult", "PartChange", "Status", "environment_notes"]

MAX_DIFF_LINES = 60

Status = Literal["passed", "changed", "new", "failed", "error", "updated"]


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
    #: The received parts (file name -> bytes), kept for cases that differ, as evidence.
    received: dict[str, bytes] = field(default_factory=dict)
    #: Diff images of changed screenshots (``desktop.diff.png``), as evidence.
    diffs: dict[str, bytes] = field(default_factory=dict)
    #: ``taken``, ``reused`` (unchanged HTML and browser) or empty (no screenshots for this case).
    screenshots: str = ""
    #: What differs from the environment the approved screenshots were taken in, if anything.
    environment: str = ""
    environment_diffs: int = 0
    #: For a case that differs: the manifest its snapshot would be written with, and the hash of
    #: the approved manifest it replaces (None: no snapshot yet), so a later approval from the
    #: report can refuse when the snapshot changed in between.
    manifest: dict[str, object] = field(default_factory=dict)
    approved_manifest: str | None = None
    seconds: float = 0.0
    #: ``now sent`` or ``no longer sent`` when the case's outcome differs from the approved one
    #: (see :mod:`harness.snapshots.outcome`), with the approved outcome it replaces.
    outcome_change: OutcomeChange = ""
    approved_outcome: str | None = None
    #: An update or approval asked to write this case and did not: its outcome changes and
    #: nobody confirmed that (``--allow-outcome-change``).
    held: bool = False
    #: Findings accepted with a reason (``accepted-findings.yaml``): they are not in ``findings``
    #: and do not fail the case; accepted ones that no longer occur are notes in ``findings``.
    accepted: AcceptedCheck = field(default_factory=AcceptedCheck)

    @property
    def ok(self) -> bool:
        return self.status in ("passed", "updated")

    def explain(self) -> str:
        """The failure message: what, where, the diff, and the next command. Printed to CI logs
        (by the CLI and by pytest), so every value from a fixture, template or plugin goes through
        :func:`~harness.inert.log_line`: it never starts a log line of its own."""
        lines = [f"{log_line(self.case.id)}: {self.status}"]
        if self.error:
            lines.append(f"  {log_line(self.error)}")
        for finding in self.findings:
            lines.append(f"  {log_line(finding.describe())}")
        if self.accepted.accepted:
            lines.append(f"  ({len(self.accepted.accepted)} accepted finding(s) not shown: {log_line(self.accepted.reason)})")
        for change in self.changes:
            what = {"new": "no approved snapshot yet", "removed": "no longer produced", "changed": "differs"}
            lines.append(f"  {log_line(change.kind)} ({log_line(change.filename)}): {what[change.status]}")
            if change.kind == "screenshot" and change.status == "changed":
                # The pixel figures name their screenshot: "desktop, dark: 120 of 480000 pixels differ".
                where = viewport_words(change.filename.removesuffix(".png"))
                lines.append(f"    {log_line(where)}: {log_line(change.diff)}; see the report for before, after and diff")
                continue
            # Split on LF only: the diff joins its lines with it; any other break is shown escaped.
            diff = change.diff.split("\n") if change.diff else []
            lines.extend("    " + log_line(line) for line in diff[:MAX_DIFF_LINES])
            if len(diff) > MAX_DIFF_LINES:
                lines.append(f"    ... {len(diff) - MAX_DIFF_LINES} more lines in the report")
        if self.outcome_change:
            held = " Not written: an update never approves who gets an email." if self.held else ""
            lines.append(f"  {log_line(approve_hint(self.case.id, self.outcome_change, self.approved_outcome))}.{held}")
        elif self.status in ("changed", "new"):
            lines.append(
                f"  If this change is intended, approve it: email-harness approve '{self.case.id}'"
                " (or re-run with --update / pytest --update-snapshots)"
            )
        return "\n".join(lines)


def environment_notes(environment: Counter[str], pixel_diffs: int, *, cached: bool = False) -> list[str]:
    """The once-per-run messages about screenshots approved in another environment; ``cached``:
    this machine's shots are kept in the local shot cache (``harness.screenshots.cache``)."""
    notes = []
    for difference, cases in environment.items():
        note = f"screenshots of {cases} case(s) were approved with {difference}."
        if pixel_diffs:
            note += (f" {pixel_diffs} screenshot(s) differ in pixels although their HTML did not;"
                     " they are reported here, not failed, since the HTML snapshots guard the content.")
        else:
            note += (" They still match; this machine's shots are kept in the local cache, outside snapshots/."
                     if cached else " They still match, but are re-taken on every run.")
        note += (" Re-baseline them on this machine with: email-harness approve --rebaseline"
                 " (content changes stay pending)")
        notes.append(note)
    return notes
