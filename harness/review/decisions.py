"""Decisions as a file: what a designer approved and rejected in a report, and why.

One format serves three places: the review server keeps its state in ``REPORT/review-decisions.json``
(so decisions survive a reload and a restart), the static report exports it from the browser, and
:func:`apply_decisions` applies an exported file (``approve --from REPORT --decisions FILE``)::

    {"format": "email-harness-decisions/1", "run": "3f2a...", "decisions": [
      {"case": "refund[de-refunded]", "decision": "approve", "old": "sha256:...", "new": "sha256:...",
       "reason": "", "confirm_outcome": false, "who": "Dana", "when": "2026-11-26T10:00:00+00:00"}]}

Each decision names the snapshot it replaces (``old``) and the one it writes (``new``), so a
decision made on another run, or on a report altered since, is refused rather than applied.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ..errors import HarnessError
from ..readback import validate
from ..safepaths import read_regular
from ..snapshots import SnapshotStore, atomic_write
from .apply import Applied, ReportApprover, append_log, now, reviewer
from .changes import changes_outcome, expected_hash
from .evidence import CaseEvidence

__all__ = ["DECISIONS", "FORMAT", "Decision", "DecisionsFile", "OtherRunError", "apply_decisions", "decisions_document", "read_decisions", "run_id",
           "write_decisions"]

FORMAT = "email-harness-decisions/1"
#: The server's state in the report folder, and the name the page exports under.
DECISIONS = "review-decisions.json"
MAX_BYTES = 5_000_000
#: Bounds of the file's fields: a case id is two names and brackets, a hash "sha256:" and 64
#: hex digits; more decisions than a catalog has cases is not a review.
MAX_ID = 400
MAX_HASH = 100
MAX_DECISIONS = 100_000


class OtherRunError(HarnessError):
    """The decisions were made on the report of another run."""


@dataclass(frozen=True)
class Decision:
    case: str
    decision: Literal["approve", "reject"]
    old: str | None
    new: str | None
    reason: str = ""
    confirm_outcome: bool = False
    who: str = ""
    when: str = ""
    group: str = ""


def run_id(document: dict[str, Any]) -> str:
    """The identity of a run's pending changes: decisions are kept per run."""
    cases = document.get("cases") if isinstance(document, dict) else None
    rows = sorted(
        (c["id"], str(c.get("approved_manifest")), str(expected_hash(c)))
        for c in (cases if isinstance(cases, list) else [])
        if isinstance(c, dict) and isinstance(c.get("id"), str) and c.get("status") in ("changed", "new")
    )
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]


def decisions_document(decisions: list[Decision], document: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "run": run_id(document), "decisions": [asdict(d) for d in decisions]}


def write_decisions(path: Path, decisions: list[Decision], document: dict[str, Any]) -> None:
    data = json.dumps(decisions_document(decisions, document), indent=2, ensure_ascii=False) + "\n"
    atomic_write(path, data.encode("utf-8"))  # replaces a planted symlink, never writes through it


class DecisionRecord(BaseModel):
    """One decision as the file holds it; texts are cut to the lengths the page allows."""

    model_config = ConfigDict(strict=True, extra="ignore")

    case: Annotated[str, Field(min_length=1, max_length=MAX_ID)]
    decision: Literal["approve", "reject"]
    old: Annotated[str, Field(max_length=MAX_HASH)] | None = None
    new: Annotated[str, Field(max_length=MAX_HASH)] | None = None
    reason: Annotated[str, AfterValidator(lambda v: v[:2000])] = ""
    confirm_outcome: bool = False
    who: Annotated[str, AfterValidator(lambda v: v[:200])] = ""
    when: Annotated[str, AfterValidator(lambda v: v[:40])] = ""
    group: Annotated[str, AfterValidator(lambda v: v[:40])] = ""


class DecisionsFile(BaseModel):
    """``review-decisions.json`` (see the module docstring)."""

    model_config = ConfigDict(strict=True, extra="ignore")

    format: Literal["email-harness-decisions/1"]
    run: Annotated[str, Field(max_length=MAX_HASH)] | None = None
    decisions: Annotated[list[DecisionRecord], Field(max_length=MAX_DECISIONS)]

    @model_validator(mode="after")
    def _one_decision_a_case(self) -> DecisionsFile:
        """A case approved and rejected in one file (or decided twice) is refused as a whole:
        applying both would write the snapshot and log its rejection."""
        seen: dict[str, str] = {}
        for entry in self.decisions:
            if entry.case in seen:
                raise ValueError(f"case {entry.case!r} is decided twice ({seen[entry.case]} and {entry.decision}); "
                                 "keep one decision per case")
            seen[entry.case] = entry.decision
        return self


def read_decisions(path: Path, document: dict[str, Any] | None = None) -> list[Decision]:
    """The decisions of a file, checked against :class:`DecisionsFile`; with ``document``,
    refused when made on another run."""
    try:
        data = json.loads(read_regular(path, follow=False, limit=MAX_BYTES))
    except HarnessError:
        raise
    except (ValueError, RecursionError) as exc:
        raise HarnessError(f"{path}: not a decisions file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise HarnessError(f"{path}: not a decisions file (expected \"format\": \"{FORMAT}\" and a list of decisions)")
    parsed = validate(DecisionsFile, data, path, hint="export the decisions from the review page again")
    if document is not None and parsed.run != run_id(document):
        raise OtherRunError(f"{path}: these decisions were made on another run than this report's; "
                           "review the report of the run you want to approve")
    return [Decision(**entry.model_dump()) for entry in parsed.decisions]


def check_decision(decision: Decision, case: dict[str, Any] | None) -> str:
    """Why ``decision`` does not apply to ``case`` (empty: it does)."""
    if case is None:
        return "not a pending change in this report"
    if decision.old != case.get("approved_manifest") or decision.new != expected_hash(case):
        return "decided on other snapshots than this report's (another run, or an altered file)"
    return ""


def apply_decisions(report: Path, document: dict[str, Any], store: SnapshotStore, path: Path, *,
                    allow_outcome_change: bool = False, who: str | None = None) -> list[Applied]:
    """Apply an exported decisions file: approvals write snapshots (checked as ``approve --from``
    checks them), rejections are logged with their reason. A case that starts or stops being sent needs
    both the page's confirmation (in the file) and ``allow_outcome_change``."""
    approver = ReportApprover(report, document, store)
    results = []
    for decision in read_decisions(path, document):
        case = approver.pending.get(decision.case)
        if problem := check_decision(decision, case):
            results.append(Applied(decision.case, False, problem))
            continue
        assert case is not None
        person = decision.who or who or reviewer()
        if decision.decision == "reject":
            append_log(store, {"when": decision.when or now(), "who": person, "action": "reject", "case": decision.case,
                               "old": decision.old, "new": decision.new, "reason": decision.reason, "from": str(approver.report)})
            results.append(Applied(decision.case, True, "rejected" + (f": {decision.reason}" if decision.reason else "")))
            continue
        evidence = CaseEvidence(approver.report, case)
        if changes_outcome(evidence.before("outcome.txt"), evidence.after("outcome.txt")) and not decision.confirm_outcome:
            results.append(Applied(decision.case, False, "starts or stops sending this email, but the decision does not record the "
                                                        "outcome confirmation; confirm it on the review page", needs_confirmation=True))
            continue
        results.append(approver.approve(decision.case, who=person, reason=decision.reason, group=decision.group,
                                        confirm_outcome=allow_outcome_change and decision.confirm_outcome))
    return results
