"""Approve what a run produced, from its report folder, without re-rendering.

The report keeps, per case that differs, the received parts with their sha256 and the hash of the
approved manifest they replace. Approval checks both: a received file that is missing or altered,
or a snapshot that changed since the run (someone approved meanwhile, a newer commit) is refused
with a message, never half-applied; so is a case that would start or stop being sent ("not sent"
approved, "sent" received, or the reverse) unless that is confirmed explicitly. Every approval appends a line to
``snapshots/review-log.jsonl``.
"""

from __future__ import annotations

import getpass
import json
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..cases import Case, select
from ..errors import ConfigError, HarnessError, SnapshotError
from ..project import Project, find_project
from ..safepaths import check_name, open_nofollow, read_regular
from ..snapshots import ApprovedSnapshot, SnapshotStore, manifest_hash, sha256
from ..snapshots.outcome import NOW_SENT, OPTION, outcome_change

__all__ = ["REVIEWER_VARIABLE", "REVIEW_LOG", "UNNAMED", "Applied", "ReportApprover", "append_log", "approve_from_report", "logged_path", "now", "reviewer"]

REVIEW_LOG = "review-log.jsonl"


#: The variable naming the person (or the CI job) who approves; it beats the project's setting.
REVIEWER_VARIABLE = "EMAIL_HARNESS_REVIEWER"
#: What the log records when nobody said who reviews.
UNNAMED = "unnamed"


def reviewer(project: Project | None = None) -> str:
    """Who approves, as ``snapshots/review-log.jsonl`` records it (a committed file: nothing of
    the reviewer's machine goes in unasked). ``EMAIL_HARNESS_REVIEWER`` where set; else the
    project's ``reviewer`` setting (the project found from the current folder when none is
    given): a name as it is, or ``"git"`` for git's user.name (the login name where git has
    none); else ``"unnamed"``."""
    name = os.environ.get(REVIEWER_VARIABLE, "").strip()
    if name:
        return name
    if project is None:
        try:
            project = Project.load(find_project())
        except ConfigError:
            project = None  # the command itself reports a broken pyproject.toml
    setting = (project.reviewer or "").strip() if project else ""
    if setting != "git":
        return setting or UNNAMED
    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name or os.environ.get("USER") or getpass.getuser()


@dataclass(frozen=True)
class Applied:
    case: str
    ok: bool
    message: str = ""
    #: Refused only because the case starts being sent and nobody confirmed that.
    needs_confirmation: bool = False
    #: The snapshot the approval replaced (``None``: there was none), for undo.
    previous: ApprovedSnapshot | None = field(default=None, compare=False, repr=False)
    #: Manifest hashes before and after, as logged.
    old: str | None = None
    new: str | None = None


class ReportApprover:
    """Applies a report's received artifacts to the snapshot store."""

    def __init__(self, report: Path, document: dict[str, Any], store: SnapshotStore) -> None:
        self.report = report.resolve()
        self.store = store
        #: Only cases that differ can be approved; by id. A case is checked when approved.
        cases = document.get("cases") if isinstance(document, dict) else None
        self.pending: dict[str, dict[str, Any]] = {
            c["id"]: c for c in (cases if isinstance(cases, list) else [])
            if isinstance(c, dict) and isinstance(c.get("id"), str)
            and c.get("status") in ("changed", "new") and c.get("received")
        }

    def select(self, patterns: Sequence[str]) -> list[str]:
        cases = [Case.parse(case_id) for case_id in sorted(self.pending)]
        return [c.id for c in select(cases, patterns or ["*"])]

    def approve(self, case_id: str, *, who: str | None = None, confirm_outcome: bool = False,
                reason: str = "", group: str = "") -> Applied:
        """Write the case's received parts as its snapshot and log it. A case that would start or
        stop being sent needs ``confirm_outcome``."""
        case = self.pending.get(case_id)
        if case is None:
            return Applied(case_id, False, "not a pending change in this report")
        with self.store.lock():
            return self._approve(case_id, case, who, confirm_outcome, {"reason": reason, "group": group})

    def current_hash(self, case: dict[str, Any]) -> str | None:
        """The manifest hash of the case's snapshot now: ``None`` none, ``"corrupt"`` unreadable."""
        try:
            current = self.store.read(case["template"], case["fixture"])
        except (SnapshotError, KeyError, TypeError):
            return "corrupt"
        return manifest_hash(current.manifest) if current else None

    def _approve(self, case_id: str, case: dict[str, Any], who: str | None, confirm: bool, extra: dict[str, str]) -> Applied:
        try:
            self._check(case_id, case)
        except HarnessError as exc:
            return Applied(case_id, False, str(exc))
        try:
            current = self.store.read(case["template"], case["fixture"])
        except SnapshotError:
            current = None
            current_hash: str | None = "corrupt"
        else:
            current_hash = manifest_hash(current.manifest) if current else None
        if current_hash != case["approved_manifest"]:
            return Applied(case_id, False, "the approved snapshot changed since this run (stale report); "
                                           f"re-run 'email-harness run --only \"{case_id}\"' and review again")
        parts: dict[str, bytes] = {}
        folder = self.report / "received" / case["template"] / case["fixture"]
        for filename, expected in case["received"].items():
            path = folder / filename
            if not path.resolve().is_relative_to(self.report) or not path.is_file() or path.is_symlink():
                return Applied(case_id, False, f"{path}: missing from the report; was the artifact downloaded whole?")
            try:
                data = read_regular(path, follow=False)
            except HarnessError as exc:
                return Applied(case_id, False, str(exc))
            if sha256(data) != expected:
                return Applied(case_id, False, f"{path}: does not match results.json (altered or truncated)")
            parts[filename] = data
        before = current.text("outcome.txt") if current else None
        after = parts.get("outcome.txt", b"").decode("utf-8", "replace")
        change = outcome_change(before, after)
        if change and not confirm:
            what = "starts sending this email" if change == NOW_SENT else "stops sending this email"
            return Applied(case_id, False, f"{what}: it was '{(before or '').strip()}' and is now '{after.strip()}'. "
                                           f"Approve it only if this is intended: email-harness approve --from "
                                           f"{self.report} {OPTION} '{case_id}' (or confirm it on the review page)",
                           needs_confirmation=True)
        new_hash = manifest_hash(self.store.write(case["template"], case["fixture"], parts, case["manifest"]))
        entry: dict[str, Any] = {"when": now(), "who": who or reviewer(), "action": "approve", "case": case_id,
                                 "old": case["approved_manifest"], "new": new_hash, "from": str(self.report)}
        if change:
            entry["outcome"] = f"{before.strip()} -> {after.strip()}"
        append_log(self.store, entry | {k: v for k, v in extra.items() if v})
        return Applied(case_id, True, previous=current, old=case["approved_manifest"], new=new_hash)

    def _check(self, case_id: str, case: dict[str, Any]) -> None:
        """Nothing in results.json decides where approval writes: names follow the grammar and
        agree with the id, received parts are a mapping of part names to hashes."""
        source = self.report / "results.json"
        template = check_name(case.get("template"), "template", source)
        fixture = check_name(case.get("fixture"), "fixture", source)
        if case_id != Case(template, fixture).id:
            raise HarnessError(f"{source}: case id {case_id!r} does not match its template and fixture")
        received, manifest = case.get("received"), case.get("manifest")
        if not isinstance(received, dict) or not all(isinstance(v, str) for v in received.values()):
            raise HarnessError(f"{source}: {case_id}: 'received' must map part names to hashes")
        for name in received:
            check_name(name, "part", source)
        if not isinstance(manifest, dict) or not isinstance(case.get("approved_manifest"), (str, type(None))):
            raise HarnessError(f"{source}: {case_id}: 'manifest' and 'approved_manifest' are missing or of the wrong type")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def append_log(store: SnapshotStore, entry: dict[str, Any]) -> None:
    """One line of ``snapshots/review-log.jsonl``: who decided what, when, on which case, why,
    and the snapshot hashes before and after. The log is committed with the snapshots, so the
    report folder (``from``) is written relative to the project (:func:`logged_path`)."""
    if entry.get("from"):
        entry = entry | {"from": logged_path(Path(entry["from"]), find_project(store.root))}
    store.root.mkdir(parents=True, exist_ok=True)
    fd = open_nofollow(store.root / REVIEW_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, SnapshotError)
    try:
        with os.fdopen(fd, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise SnapshotError(f"{store.root / REVIEW_LOG}: cannot append ({exc.strerror}); the snapshot was written") from None


def logged_path(path: Path, project_root: Path) -> str:
    """``path`` as the log records it: relative to the project (``email-report``), or by its
    folder name alone when it lies outside (a CI artifact unpacked in ``/tmp``), so no line
    carries a path of the reviewer's machine."""
    path = path.resolve()
    try:
        return path.relative_to(project_root.resolve()).as_posix()  # "." for the project folder itself
    except ValueError:
        return path.name


def approve_from_report(report: Path, document: dict[str, Any], store: SnapshotStore, patterns: Sequence[str],
                        *, allow_outcome_change: bool = False) -> list[Applied]:
    """``email-harness approve --from REPORT PATTERN...``: a case that starts or stops being sent
    is refused (the others are written) unless ``allow_outcome_change`` (``--allow-outcome-change``)."""
    approver = ReportApprover(report, document, store)
    chosen = approver.select(patterns)
    if not chosen:
        raise HarnessError(f"no pending change in {report} matches {' '.join(patterns) or '*'}")
    return [approver.approve(case_id, confirm_outcome=allow_outcome_change) for case_id in chosen]
