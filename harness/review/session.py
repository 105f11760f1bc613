"""The review server's decisions: approve, reject with a reason, undo; kept in the report folder
so a reload or a restart of the server shows them again, and logged in ``review-log.jsonl``.

Approving writes the snapshot at once (as ``approve --from`` does) and keeps the snapshot it
replaced in ``REPORT/review-undo/`` so that undo can put it back. That copy lies in the report
folder, so undo writes it only when its manifest hash is the one ``snapshots/review-log.jsonl``
recorded as replaced by the approval.
On start, a kept decision stands only while the snapshot store agrees with it; decisions kept from
an earlier run of the same report folder stand where they still apply (the same case, replacing
the same snapshot with the same content). A rejection logged in ``snapshots/review-log.jsonl``
carries over to every later run of the same content (:mod:`harness.review.carry`) until undone.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..cases import Case, select
from ..errors import HarnessError, SnapshotError
from ..readback import validate
from ..safepaths import NAME, check_name, read_regular, safe_folder
from ..snapshots import ApprovedSnapshot, SnapshotStore, atomic_write, manifest_hash, sha256
from ..snapshots.accepted import Accepted, Acceptance, accept, accept_command
from .apply import REVIEW_LOG, Applied, ReportApprover, append_log, now, reviewer
from .carry import read_carried
from .changes import expected_hash
from .decisions import DECISIONS, Decision, OtherRunError, check_decision, read_decisions, write_decisions

__all__ = ["ActionResult", "ReviewSession"]

UNDO = "review-undo"
#: An undo record holds one case's parts (screenshots included) in base64; the review log grows
#: a line per decision.
MAX_UNDO_BYTES = 100_000_000
MAX_LOG_BYTES = 200_000_000
MAX_PARTS = 1000
Hash = Annotated[str, Field(max_length=100)]


class UndoRecord(BaseModel):
    """``REPORT/review-undo/TEMPLATE/FIXTURE.json``: the snapshot an approval replaced
    (``manifest`` null: there was none), parts in base64. Checked against the review log before
    undo writes it (see :meth:`ReviewSession._undo_approval`)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    manifest: dict[str, Any] | None
    parts: Annotated[dict[str, bytes], Field(max_length=MAX_PARTS)]

    @field_validator("parts", mode="before")
    @classmethod
    def _decode(cls, value: Any) -> Any:
        """Part names pass the name grammar; contents are strict base64."""
        if not isinstance(value, dict):
            return value  # the type check names it
        parts = {}
        for name, data in value.items():
            if not isinstance(name, str) or not NAME.fullmatch(name):
                raise ValueError(f"part {str(name)[:80]!r} is not a valid name")
            if not isinstance(data, str):
                raise ValueError(f"part {name}: expected base64 text")
            try:
                parts[name] = base64.b64decode(data, validate=True)
            except ValueError:
                raise ValueError(f"part {name}: not valid base64") from None
        return parts


class LogEntry(BaseModel):
    """The fields of a ``review-log.jsonl`` line that undo relies on."""

    model_config = ConfigDict(strict=True, extra="ignore")

    case: str
    action: str
    old: Hash | None = None
    new: Hash | None = None


@dataclass(frozen=True)
class ActionResult:
    """What one action did: cases done, and per case why not."""

    cases: list[str]
    errors: dict[str, str]
    needs_confirmation: list[str]


class ReviewSession:
    def __init__(self, report: Path, document: dict[str, Any], store: SnapshotStore, *, who: str | None = None) -> None:
        self.report = report.resolve()
        self.document = document
        self.store = store
        self.who = who
        self.approver = ReportApprover(self.report, document, store)
        self.decisions: dict[str, Decision] = {}
        #: Why kept decisions were dropped on start, for the page.
        self.notes: list[str] = []
        #: Cases whose findings were accepted here (id -> reason), for the page.
        self.accepted: dict[str, str] = {}
        #: Cases rejected on an earlier run, the same content now (from the review log).
        self.carried: set[str] = set()
        self._load()
        self._carry()

    # -- state ---------------------------------------------------------------------------------

    def _load(self) -> None:
        path = self.report / DECISIONS
        if not path.exists():
            return
        earlier_run = False
        try:
            try:
                kept = read_decisions(path, self.document)
            except OtherRunError:
                # The review of an earlier run of this folder: its decisions on the same changes stand.
                earlier_run = True
                kept = read_decisions(path)
        except HarnessError as exc:
            self.notes.append(f"earlier decisions were not restored: {exc}")
            return
        for decision in kept:
            case = self.approver.pending.get(decision.case)
            stands = not check_decision(decision, case) and case is not None and (
                self.approver.current_hash(case) == (decision.new if decision.decision == "approve" else decision.old))
            if stands:
                self.decisions[decision.case] = decision
            elif not earlier_run:  # on another run a decision made on other content simply does not apply
                self.notes.append(f"{decision.case}: the earlier {decision.decision} no longer matches the snapshots; review it again")

    def _carry(self) -> None:
        """Rejections of this very content logged on earlier runs (see :mod:`harness.review.carry`)."""
        pending = {case_id: expected_hash(case) for case_id, case in self.approver.pending.items() if case_id not in self.decisions}
        carried, problem = read_carried(self.store.root / REVIEW_LOG, pending)
        if problem:
            self.notes.append(problem)
        for case_id, rejection in carried.items():
            case = self.approver.pending[case_id]
            self.decisions[case_id] = Decision(case_id, "reject", case.get("approved_manifest"), rejection.new, rejection.reason,
                                               False, rejection.who, rejection.when, rejection.group)
            self.carried.add(case_id)

    def _save(self) -> None:
        write_decisions(self.report / DECISIONS, sorted(self.decisions.values(), key=lambda d: d.case), self.document)

    def state(self, case_id: str) -> str:
        """``approved``, ``rejected``, ``stale`` (the snapshot changed since the run) or ``""``."""
        if case_id in self.decisions:
            return "approved" if self.decisions[case_id].decision == "approve" else "rejected"
        case = self.approver.pending.get(case_id)
        if case is None:
            return ""
        current = self.approver.current_hash(case)
        if current == case.get("approved_manifest"):
            return ""
        return "approved" if current == expected_hash(case) else "stale"

    # -- actions -------------------------------------------------------------------------------

    def approve(self, ids: list[str], *, confirm_outcome: bool = False, reason: str = "", group: str = "") -> ActionResult:
        done, errors, confirm = [], {}, []
        for case_id in ids:
            if case_id in self.decisions and self.decisions[case_id].decision == "approve":
                done.append(case_id)
                continue
            if case_id in self.decisions:  # rejected before: approving replaces the rejection
                self._forget(case_id, "reject")
            applied = self.approver.approve(case_id, who=self.who, confirm_outcome=confirm_outcome, reason=reason, group=group)
            if not applied.ok:
                errors[case_id] = applied.message
                if applied.needs_confirmation:
                    confirm.append(case_id)
                continue
            self._stash(case_id, applied)
            self.decisions[case_id] = Decision(case_id, "approve", applied.old, applied.new, reason, confirm_outcome,
                                               self.who or reviewer(), now(), group)
            done.append(case_id)
        self._save()
        return ActionResult(done, errors, confirm)

    def reject(self, ids: list[str], *, reason: str = "", group: str = "") -> ActionResult:
        done, errors = [], {}
        for case_id in ids:
            if case_id in self.decisions and self.decisions[case_id].decision == "approve":
                problem = self._undo_approval(case_id)
                if problem:
                    errors[case_id] = problem
                    continue
            case = self.approver.pending[case_id]
            decision = Decision(case_id, "reject", case.get("approved_manifest"), expected_hash(case), reason, False,
                                self.who or reviewer(), now(), group)
            self.decisions[case_id] = decision
            self.carried.discard(case_id)
            self._log(decision, "reject")
            done.append(case_id)
        self._save()
        return ActionResult(done, errors, [])

    def undo(self, ids: list[str]) -> ActionResult:
        done, errors = [], {}
        for case_id in ids:
            decision = self.decisions.get(case_id)
            if decision is None:
                continue
            problem = self._undo_approval(case_id) if decision.decision == "approve" else self._forget(case_id, "reject")
            if problem:
                errors[case_id] = problem
            else:
                done.append(case_id)
        self._save()
        return ActionResult(done, errors, [])

    def _forget(self, case_id: str, what: str) -> str:
        decision = self.decisions.pop(case_id)
        self.carried.discard(case_id)
        self._log(replace(decision, who=self.who or reviewer(), when=now()), f"undo {what}")
        return ""

    def _log(self, decision: Decision, action: str) -> None:
        entry = {"when": decision.when, "who": decision.who, "action": action, "case": decision.case,
                 "old": decision.old, "new": decision.new, "from": str(self.report)}
        append_log(self.store, entry | {k: v for k, v in (("reason", decision.reason), ("group", decision.group)) if v})

    def accept_findings(self, pattern: str, reason: str) -> list[Acceptance]:
        """Accept the findings the run recorded for the cases ``pattern`` selects (their list
        rewritten, as ``approve --accept-findings`` does after re-rendering). Only cases without
        a pending change: findings are accepted on top of an approved snapshot, and accepting
        must not make this report's approvals stale."""
        cases = {c["id"]: c for c in self.document.get("cases", []) if isinstance(c, dict) and isinstance(c.get("id"), str)
                 and isinstance(c.get("accepted_findings"), dict)}
        chosen = [c.id for c in select([Case.parse(i) for i in sorted(cases)], [pattern])]
        done = []
        for case_id in chosen:
            case = cases[case_id]
            # A case whose change brought an error is 'failed', not 'changed': its change is pending too.
            if case_id in self.approver.pending or case.get("changes"):
                done.append(Acceptance(case_id, "refused", message=(
                    "its change is pending: approve it and run again, then accept its findings "
                    f"(or at once: email-harness approve '{case_id}' && {accept_command(case_id)})")))
                continue
            if case["accepted_findings"].get("complete") is False:
                done.append(Acceptance(case_id, "refused", message=(
                    "this run took no screenshots of it, so the findings measured in the browser are missing: "
                    "run with screenshots, then accept")))
                continue
            try:
                entries = [Accepted(str(e["rule"]), str(e["element"]), str(e["message"]), str(e.get("severity", "")))
                           for e in case["accepted_findings"].get("to_accept", [])]
                template = check_name(case.get("template"), "template", self.report)
                fixture = check_name(case.get("fixture"), "fixture", self.report)
            except (KeyError, TypeError, AttributeError, HarnessError) as exc:
                done.append(Acceptance(case_id, "refused", message=f"results.json does not record its findings readably ({exc})"))
                continue
            result = accept(self.store, template, fixture, entries, reason)
            if result.status in ("accepted", "cleared"):
                append_log(self.store, {"when": now(), "who": self.who or reviewer(), "action": "accept findings", "case": case_id,
                                        "old": result.old, "new": result.new, "from": str(self.report), "reason": reason,
                                        "findings": result.count})
            if result.status != "refused":
                self.accepted[case_id] = reason
            done.append(result)
        return done

    # -- undo of an approval -------------------------------------------------------------------

    def _stash_path(self, case_id: str) -> Path:
        case = self.approver.pending[case_id]
        template = check_name(case.get("template"), "template", self.report)
        fixture = check_name(case.get("fixture"), "fixture", self.report)
        return safe_folder(self.report, UNDO, template) / f"{fixture}.json"

    def _stash(self, case_id: str, applied: Applied) -> None:
        """Keep the replaced snapshot; without it undo says so (the approval itself stands)."""
        previous: ApprovedSnapshot | None = applied.previous
        data = {"manifest": previous.manifest if previous else None,
                "parts": {n: base64.b64encode(d).decode() for n, d in (previous.parts.items() if previous else ())}}
        try:
            atomic_write(self._stash_path(case_id), json.dumps(data).encode())
        except HarnessError as exc:
            self.notes.append(f"{case_id}: approved, but undo will not be possible ({exc})")

    def _undo_approval(self, case_id: str) -> str:
        """Put back the snapshot an approval replaced, if nobody changed it since, and only when
        the kept copy is that snapshot: its manifest hash must be the ``old`` hash the review log
        (``snapshots/review-log.jsonl``) and the decision recorded when approving. The copy lies
        in the report folder, which anyone who can replace a file there could forge; the log
        lies beside the snapshots. Nothing is written before that check passed."""
        decision = self.decisions[case_id]
        case = self.approver.pending[case_id]
        if self.approver.current_hash(case) != decision.new:
            return "the snapshot changed since it was approved here; restore it with git instead"
        try:
            logged = self._logged_old(case_id, decision.new)
            manifest, parts = self._read_stash(case_id)
        except HarnessError as exc:
            return f"cannot undo: the replaced snapshot is not available ({exc}); nothing was written; restore it with git"
        restored = None if manifest is None else manifest_hash(
            {**{k: v for k, v in manifest.items() if k != "parts"}, "parts": {n: sha256(d) for n, d in sorted(parts.items())}})
        if restored != logged or restored != decision.old:
            return (f"cannot undo: {self._stash_path(case_id)} is not the snapshot this approval replaced (its hash "
                    f"{restored or 'none'} differs from {logged or 'none'} recorded in {self.store.root / REVIEW_LOG}); "
                    "it was altered or replaced; nothing was written; restore the snapshot with git")
        with self.store.lock():
            if manifest is None:
                self.store.remove(case["template"], case["fixture"])
            else:
                written = self.store.write(case["template"], case["fixture"], parts, {k: v for k, v in manifest.items() if k != "parts"})
                if manifest_hash(written) != decision.old:  # cannot happen after the check above; never silent
                    raise SnapshotError(f"{case_id}: undo wrote another snapshot than the one replaced")
        self._forget(case_id, "approve")
        return ""

    def _read_stash(self, case_id: str) -> tuple[dict[str, Any] | None, dict[str, bytes]]:
        """The kept copy of the snapshot an approval replaced, checked against :class:`UndoRecord`."""
        path = self._stash_path(case_id)
        try:
            data = json.loads(read_regular(path, follow=False, limit=MAX_UNDO_BYTES))
        except (ValueError, RecursionError) as exc:
            raise HarnessError(f"{path}: not an undo record ({exc})") from None
        record = validate(UndoRecord, data, path)
        return record.manifest, record.parts

    def _logged_old(self, case_id: str, new: str | None) -> str | None:
        """The ``old`` hash of the last approval of ``case_id`` in the review log, which must
        have written ``new``; HarnessError when the log records no such approval."""
        path = self.store.root / REVIEW_LOG
        text = read_regular(path, follow=False, limit=MAX_LOG_BYTES).decode("utf-8", "replace")
        for line in reversed(text.splitlines()):
            try:
                entry = LogEntry.model_validate_json(line)
            except ValueError:  # pydantic's ValidationError too: a line not ours is not evidence
                continue
            if entry.case == case_id and entry.action == "approve":
                if entry.new != new:
                    break
                return entry.old
        raise HarnessError(f"{path}: records no approval of {case_id} that wrote the current snapshot")
