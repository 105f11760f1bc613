"""Machine-readable results of a run: ``results.json`` and a JUnit XML file, plus the evidence of
every case that differs: ``received/<template>/<fixture>/`` (what would be approved, with diff
images) and ``approved/<template>/<fixture>/`` (the parts it replaces), so the report and
``approve --from`` work from the report folder alone, as a CI artifact."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ..cases import Case
from ..engine import CaseResult
from ..errors import HarnessError, SnapshotError
from ..inert import xml_text
from ..safepaths import NAME, check_name, open_nofollow, read_regular
from ..snapshots import SnapshotStore, atomic_write, sha256
from .schema import validate_results

__all__ = ["FORMAT", "RESULTS", "clear_evidence", "load_results", "prepare_output", "summarize", "write_junit", "write_results"]

RESULTS = "results.json"
FORMAT = 1


def summarize(cases: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Totals of a ``results.json`` case list (also of a merged one)."""
    statuses = Counter(c["status"] for c in cases)
    outcomes = Counter(c["outcome"] for c in cases)
    # A case failing a rule may also have changed: it counts in both, so an edit always shows.
    also = Counter(
        "new" if all(ch["status"] == "new" for ch in c["changes"]) else "changed"
        for c in cases if c["status"] == "failed" and c.get("changes")
    )
    return {
        "cases": len(cases),
        "sent": outcomes["sent"],
        "not_sent": outcomes["not sent"],
        **{status: statuses[status] + also[status] for status in ("passed", "updated", "changed", "new", "failed", "error")},
        "warnings": sum(1 for c in cases for f in c["findings"] if f["severity"] == "warning"),
        # Findings that occurred and did not fail their case: accepted with a reason.
        "accepted_findings": sum(len((c.get("accepted_findings") or {}).get("findings", [])) for c in cases),
    }


def _case_json(result: CaseResult, approved_files: list[str]) -> dict[str, Any]:
    return {
        "id": result.case.id,
        "template": result.case.template,
        "fixture": result.case.fixture,
        "outcome": result.outcome,
        "reason": result.reason,
        "locale": result.locale,
        "status": result.status,
        "error": result.error,
        "findings": [asdict(f) for f in result.findings],
        # Accepted findings with their reason, those no longer occurring, and what accepting the
        # case's findings now would store (the review page's "accept findings" writes that).
        "accepted_findings": result.accepted.as_json(),
        "changes": [asdict(c) for c in result.changes],
        "screenshots": result.screenshots,
        "seconds": round(result.seconds, 4),
        # What 'approve --from' writes, checked against these hashes, and what it replaces.
        "received": {name: sha256(data) for name, data in sorted(result.received.items())},
        "diffs": sorted(result.diffs),
        "approved": approved_files,
        "manifest": result.manifest,
        "approved_manifest": result.approved_manifest,
    }


def write_results(
    output: Path,
    results: Sequence[CaseResult],
    *,
    store: SnapshotStore | None = None,
    unused: Sequence[Case] = (),
    seconds: float = 0,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write ``results.json``, ``junit.xml`` and the evidence folders; return the document.

    Two runs of one project may finish together: each writes the report folder as a whole under
    an exclusive lock, so one never deletes the other's evidence half-way."""
    prepare_output(output)
    with _report_lock(output):
        return _write_results(output, results, store, unused, seconds, extra)


def prepare_output(output: Path) -> None:
    """Create the report folder, or say which path cannot be one (under ``/proc``, a file, a
    read-only place) and how to choose another, before anything is rendered into it."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        if not os.access(output, os.W_OK | os.X_OK):  # mkdir accepts an existing read-only folder
            raise PermissionError(errno.EACCES, "not writable")
    except OSError as exc:
        raise HarnessError(f"{output}: cannot be the report folder ({exc.strerror or exc}); pass --output a folder "
                           "you can write to, or set output in [tool.email-harness]") from None


@contextmanager
def _report_lock(output: Path) -> Iterator[None]:
    fd = open_nofollow(output / ".lock", os.O_WRONLY | os.O_CREAT, SnapshotError)
    with os.fdopen(fd, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the handle closes
        yield


def clear_evidence(output: Path, folders: Sequence[str] = ("received", "approved")) -> None:
    """A report shows one run, never leftovers of another; a planted symlink is removed as a
    link, never followed. (A run's ``messages/`` is emptied by the message stage as it starts.)"""
    for stale in folders:
        path = output / stale
        if path.is_symlink() or path.is_file():
            path.unlink()
        else:
            shutil.rmtree(path, ignore_errors=True)


def _write_results(
    output: Path, results: Sequence[CaseResult], store: SnapshotStore | None, unused: Sequence[Case],
    seconds: float, extra: dict[str, Any] | None,
) -> dict[str, Any]:
    clear_evidence(output)
    cases = []
    for result in results:
        folder = _evidence_folder(result)
        for filename, data in {**result.received, **result.diffs}.items():
            if not isinstance(filename, str) or not NAME.fullmatch(filename):
                # A part's name comes from a snapshot kind, maybe a team's plugin: one path segment.
                raise SnapshotError(f"{result.case.id}: a snapshot kind names its part {str(filename)[:80]!r}, not a file name "
                                    "(letters, digits, '_', '-', '.'; no '/' and no leading dot); nothing of the report "
                                    "was written there. Rename the kind's file name")
            atomic_write(output / "received" / folder / filename, data)
        approved_files = _copy_approved(output / "approved" / folder, result, store) if result.received and store else []
        cases.append(_case_json(result, approved_files))
    document = {
        "format": FORMAT,
        "summary": {**summarize(cases), "unused_snapshots": len(unused), "seconds": round(seconds, 3)},
        "cases": cases,
        "unused_snapshots": [c.id for c in unused],
        **(extra or {}),
    }
    atomic_write(output / RESULTS, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode())
    write_junit(output, document)
    return document


def _evidence_folder(result: CaseResult) -> Path:
    """``TEMPLATE/FIXTURE`` of a case's evidence, once both pass the name grammar: the report
    writer never builds a path from a name the snapshot store would refuse."""
    template = check_name(result.case.template, "template", result.case.id, SnapshotError)
    fixture = check_name(result.case.fixture, "fixture", result.case.id, SnapshotError)
    return Path(template) / fixture


def _copy_approved(folder: Path, result: CaseResult, store: SnapshotStore) -> list[str]:
    """The approved parts a changed case would replace, for "before" in the report."""
    try:
        approved = store.read(result.case.template, result.case.fixture)
    except SnapshotError:
        return []
    if approved is None:
        return []
    changed = {c.filename for c in result.changes}
    copied = []
    for filename, data in approved.parts.items():
        if filename in changed and check_name(filename, "part", approved.folder, SnapshotError):
            atomic_write(folder / filename, data)
            copied.append(filename)
    return sorted(copied)


def load_results(report: Path) -> dict[str, Any]:
    """``results.json`` of a report folder, checked against its schema
    (:mod:`harness.report.schema`), with a message naming the file and the field when it is not
    one."""
    path = report / RESULTS if report.is_dir() else report
    if not path.exists():
        raise HarnessError(f"{path}: no results here; run 'email-harness run' first (or pass the CI artifact's folder)")
    try:
        data = json.loads(read_regular(path, follow=False))
    except (ValueError, RecursionError) as exc:  # ValueError covers bad UTF-8
        raise HarnessError(f"{path}: not an email-harness results file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise HarnessError(f"{path}: not an email-harness results file (expected an object with a list of cases)")
    return validate_results(data, path)


def write_junit(output: Path, document: dict[str, Any]) -> None:
    """``junit.xml``: one test case per case. Its text comes from templates, fixtures and plugins,
    so every value keeps only characters XML allows (an ANSI escape shows as ``\\x1b``)."""
    cases = document["cases"]
    suite = ET.Element("testsuite", name="email-harness", tests=str(len(cases)))
    failures = errors = 0
    for case in cases:
        tc = ET.SubElement(suite, "testcase", classname=xml_text(case["template"]), name=xml_text(case["id"]),
                           time=f"{case['seconds']:.4f}")
        if case["status"] == "error":
            errors += 1
            ET.SubElement(tc, "error", message=xml_text(case["error"][:200])).text = xml_text(case["error"])
        elif case["status"] not in ("passed", "updated"):
            failures += 1
            lines = [f"{f['rule']} {f['severity']}: {f['message']} at {f['element']}" for f in case["findings"]]
            lines += [f"{c['kind']} ({c['filename']}): {c['status']}\n{c['diff']}" for c in case["changes"]]
            ET.SubElement(tc, "failure", message=xml_text(case["status"])).text = xml_text("\n".join(lines))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    atomic_write(output / "junit.xml", ET.tostring(suite, encoding="utf-8", xml_declaration=True))
