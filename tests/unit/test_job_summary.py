"""The job summary's headline counts what its table lists: a run with only warnings and errors
does not say "0 changes in 0 cases" above them."""

from __future__ import annotations

from pathlib import Path

from harness.review.ci import job_summary

BASE = {"template": "hello", "error": "", "findings": [], "changes": [], "received": {}, "seconds": 0.1, "outcome": "sent"}


def _finding(rule: str, severity: str, message: str) -> dict[str, str]:
    return {"rule": rule, "severity": severity, "message": message, "element": "a", "expected": ""}


def _headline(cases: list[dict]) -> str:
    return job_summary({"summary": {"cases": len(cases)}, "cases": cases}, Path("/nonexistent")).splitlines()[0]


def test_a_run_of_warnings_and_errors_is_counted_as_such():
    warning = _finding("links", "warning", "link without https")
    cases = [
        {**BASE, "id": "hello[en-ann]", "fixture": "en-ann", "status": "passed", "findings": [warning]},
        {**BASE, "id": "hello[en-bob]", "fixture": "en-bob", "status": "passed", "findings": [warning]},
        {**BASE, "id": "bye[en-bob]", "template": "bye", "fixture": "en-bob", "status": "failed",
         "findings": [_finding("content", "error", "TODO left")]},
        {**BASE, "id": "oops[en-bob]", "template": "oops", "fixture": "en-bob", "status": "error", "error": "boom"},
    ]
    assert _headline(cases) == "## email-harness: 1 error in 1 case · 1 failing check in 1 case · 1 finding to read in 2 cases"


def test_a_clean_run_says_there_is_nothing():
    cases = [{**BASE, "id": "hello[en-ann]", "fixture": "en-ann", "status": "passed"}]
    assert _headline(cases) == "## email-harness: 0 changes in 0 cases"
