"""Machine-readable results of a run: ``results.json`` and a JUnit XML file, plus the evidence of
every case that differs: ``received/<template>/<fixture>/`` (what would be approved, with diff
images) and ``approved/<template>/<fixture>/`` (the parts it replaces), so the report and
``approve --from`` work from the report folder alone, as a CI artifact."""

from __future__ import annotations

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
from ..safepaths import NAME, check_name, open_nofollow, read_regular
from ..snapshots import SnapshotStore, atomic_write, sha256

__all__ = ["RESULTS", "load_results", "merge_reports", "summarize", "write_junit", "write_results"]

RESULTS = "results.json"
FORMAT = 1


def summarize(cases: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Totals of a ``results.json`` case list (also of a merged one)."""
    statuses = Counter(c["status"] for c in cases)
    outcomes = Counter(c["outcome"] for c in cases)
    return {
        "cases": len(cases),
        "sent": outcomes["sent"],
        "not_sent": outcomes["not sent"],
        **{status: statuses[status] for status in ("passed", "updated", "changed", "new", "failed", "error")},
        "warnings": sum(1 for c in cases for f in c["findings"] if f["severity"] == "warning"),
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
    output.mkdir(parents=True, exist_ok=True)
    with _report_lock(output):
        return _write_results(output, results, store, unused, seconds, extra)


@contextmanager
def _report_lock(output: Path) -> Iterator[None]:
    fd = open_nofollow(output / ".lock", os.O_WRONLY | os.O_CREAT, SnapshotError)
    with os.fdopen(fd, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the handle closes
        yield


def _clear_evidence(output: Path) -> None:
    """A report shows one run, never leftovers of another; a planted symlink is removed as a
    link, never followed."""
    for stale in ("received", "approved"):
        path = output / stale
        if path.is_symlink() or path.is_file():
            path.unlink()
        else:
            shutil.rmtree(path, ignore_errors=True)


def _write_results(
    output: Path, results: Sequence[CaseResult], store: SnapshotStore | None, unused: Sequence[Case],
    seconds: float, extra: dict[str, Any] | None,
) -> dict[str, Any]:
    _clear_evidence(output)
    cases = []
    for result in results:
        folder = Path(result.case.template) / result.case.fixture
        for filename, data in {**result.received, **result.diffs}.items():
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
        if filename in changed:
            atomic_write(folder / filename, data)
            copied.append(filename)
    return sorted(copied)


def _copy_evidence(source: Path, target: Path) -> None:
    """Copy ``TEMPLATE/FIXTURE/PART`` files of a shard: regular files with valid names only, no
    symlink followed (a shard is a CI artifact, possibly from a fork's pull request)."""
    if not source.is_dir() or source.is_symlink():
        return
    for template in sorted(source.iterdir()):
        for fixture in sorted(template.iterdir()) if template.is_dir() and not template.is_symlink() else []:
            for part in sorted(fixture.iterdir()) if fixture.is_dir() and not fixture.is_symlink() else []:
                names = (template.name, fixture.name, part.name)
                if all(NAME.fullmatch(n) for n in names) and part.is_file() and not part.is_symlink():
                    atomic_write(target.joinpath(*names), read_regular(part, follow=False))


def load_results(report: Path) -> dict[str, Any]:
    """``results.json`` of a report folder, with a message saying what to do when it is not one."""
    path = report / RESULTS if report.is_dir() else report
    if not path.exists():
        raise HarnessError(f"{path}: no results here; run 'email-harness run' first (or pass the CI artifact's folder)")
    try:
        document = json.loads(read_regular(path, follow=False))
        if not isinstance(document, dict) or not isinstance(document["cases"], list):
            raise TypeError("expected an object with a list of cases")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        raise HarnessError(f"{path}: not an email-harness results file ({exc})") from None
    return document


def write_junit(output: Path, document: dict[str, Any]) -> None:
    cases = document["cases"]
    suite = ET.Element("testsuite", name="email-harness", tests=str(len(cases)))
    failures = errors = 0
    for case in cases:
        tc = ET.SubElement(suite, "testcase", classname=case["template"], name=case["id"], time=f"{case['seconds']:.4f}")
        if case["status"] == "error":
            errors += 1
            ET.SubElement(tc, "error", message=case["error"][:200]).text = case["error"]
        elif case["status"] not in ("passed", "updated"):
            failures += 1
            lines = [f"{f['rule']} {f['severity']}: {f['message']} at {f['element']}" for f in case["findings"]]
            lines += [f"{c['kind']} ({c['filename']}): {c['status']}\n{c['diff']}" for c in case["changes"]]
            ET.SubElement(tc, "failure", message=case["status"]).text = "\n".join(lines)
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    atomic_write(output / "junit.xml", ET.tostring(suite, encoding="utf-8", xml_declaration=True))


def merge_reports(shards: Sequence[Path], output: Path) -> dict[str, Any]:
    """One report from the reports of ``--shard I/N`` runs: cases concatenated (a case present in
    two shards is an error: the shards did not split one catalog), evidence folders copied."""
    from .html import write_report

    cases: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    seconds = 0.0
    target = output.resolve()
    for shard in shards:
        where = shard.resolve()
        # Merging into a shard (or clearing the folders a shard lies in) would destroy its evidence.
        if target.is_relative_to(where) or any(where.is_relative_to(target / kind) for kind in ("received", "approved")):
            raise HarnessError(f"--output {output} overlaps the shard report {shard}; merge into a new folder")
    documents = [(shard, load_results(shard)) for shard in shards]
    output.mkdir(parents=True, exist_ok=True)
    _clear_evidence(output)
    for shard, document in documents:
        for case in document["cases"]:
            case_id = case.get("id") if isinstance(case, dict) else None
            template, fixture = (case.get("template"), case.get("fixture")) if isinstance(case, dict) else (None, None)
            check_name(template, "template", shard / RESULTS)
            check_name(fixture, "fixture", shard / RESULTS)
            if case_id != Case(template, fixture).id:
                raise HarnessError(f"{shard / RESULTS}: case id {case_id!r} does not match its template and fixture")
            if case_id in cases:
                raise HarnessError(f"{case_id} is in two shard reports ({shard}); were the shards run with the same N?")
            cases[case_id] = case
        notes += [n for n in document.get("notes", []) if isinstance(n, str) and n not in notes]
        seconds = max(seconds, document.get("summary", {}).get("seconds", 0))
        for kind in ("received", "approved"):
            _copy_evidence(shard / kind, output / kind)
    merged = sorted(cases.values(), key=lambda c: c["id"])
    summary = {**summarize(merged), "unused_snapshots": 0, "seconds": seconds}
    document = {"format": FORMAT, "summary": summary, "cases": merged, "unused_snapshots": [], "notes": notes, "merged_from": [str(s) for s in shards]}
    atomic_write(output / RESULTS, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode())
    write_junit(output, document)
    write_report(output, document)
    return document
