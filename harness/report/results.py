"""Machine-readable results of a run: ``results.json`` and a JUnit XML file, plus the received
artifacts of every case that differs, as evidence for review."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ..cases import Case
from ..engine import CaseResult
from ..snapshots import atomic_write

__all__ = ["summarize", "write_results"]


def summarize(results: Sequence[CaseResult]) -> dict[str, int]:
    statuses = Counter(r.status for r in results)
    outcomes = Counter(r.outcome for r in results)
    return {
        "cases": len(results),
        "sent": outcomes["sent"],
        "not_sent": outcomes["not sent"],
        **{status: statuses[status] for status in ("passed", "updated", "changed", "new", "failed", "error")},
        "warnings": sum(1 for r in results for f in r.findings if f.severity == "warning"),
    }


def _case_json(result: CaseResult) -> dict[str, Any]:
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
    }


def write_results(output: Path, results: Sequence[CaseResult], *, unused: Sequence[Case] = (), seconds: float = 0) -> Path:
    """Write ``results.json``, ``junit.xml`` and ``received/<template>/<fixture>/*``; return the json path."""
    output.mkdir(parents=True, exist_ok=True)
    for result in results:
        folder = output / "received" / result.case.template / result.case.fixture
        for filename, data in {**result.received, **result.diffs}.items():
            atomic_write(folder / filename, data)
    document = {
        "summary": {**summarize(results), "unused_snapshots": len(unused), "seconds": round(seconds, 3)},
        "cases": [_case_json(r) for r in results],
        "unused_snapshots": [c.id for c in unused],
    }
    path = output / "results.json"
    atomic_write(path, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode())
    atomic_write(output / "junit.xml", _junit(results))
    return path


def _junit(results: Sequence[CaseResult]) -> bytes:
    suite = ET.Element("testsuite", name="email-harness", tests=str(len(results)))
    failures = errors = 0
    for result in results:
        tc = ET.SubElement(suite, "testcase", classname=result.case.template, name=result.case.id, time=f"{result.seconds:.4f}")
        if result.status == "error":
            errors += 1
            ET.SubElement(tc, "error", message=result.error[:200]).text = result.explain()
        elif not result.ok:
            failures += 1
            ET.SubElement(tc, "failure", message=result.status).text = result.explain()
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    return ET.tostring(suite, encoding="utf-8", xml_declaration=True)
