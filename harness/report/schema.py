"""The format of ``results.json`` (a run's report, a shard's report, a merged one), as read back.

A report folder is often a CI artifact, maybe from a fork's pull request: ``report merge``, the
review page and ``approve --from`` read it, so every field is checked here before any of them uses
it. Types are strict, counts and sizes bounded, a shard number is ``I/N`` with ``1 <= I <= N <=
MAX_SHARDS``. Names (template, fixture, part) are only typed here: the code that builds a path
from one checks it against the name grammar (:func:`harness.safepaths.check_name`) and refuses
that case with a message, so one bad case does not hide the others.

Fields the harness does not know are kept (``extra="allow"``), so a newer harness's report
still opens; a field it knows must have the documented type.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import HarnessError
from ..readback import validate

__all__ = ["MAX_CASES", "MAX_SHARDS", "CaseRecord", "ResultsDocument", "parse_shard", "validate_results"]

#: Bounds: a catalog of 100,000 cases is far beyond any team's; GitHub Actions runs at most
#: 256 jobs of one matrix, so 1000 shards leaves room without letting ``1/1000000000`` hang a merge.
MAX_CASES = 100_000
MAX_SHARDS = 1000
MAX_ITEMS = 10_000
MAX_NAME = 200
MAX_SECONDS = 10_000_000.0

SHARD = re.compile(r"(\d{1,9})/(\d{1,9})")

Short = Annotated[str, Field(max_length=MAX_NAME)]
Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)]


class _Record(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class FindingRecord(_Record):
    rule: Short
    severity: Literal["error", "warning", "note"]
    message: str
    element: str = ""
    expected: str = ""


class AcceptedEntryRecord(_Record):
    rule: Short
    element: str
    message: str
    severity: Short = ""


class AcceptedFindingsRecord(_Record):
    reason: str = ""
    findings: list[FindingRecord] = Field(default_factory=list, max_length=MAX_ITEMS)
    no_longer_occur: list[AcceptedEntryRecord] = Field(default_factory=list, max_length=MAX_ITEMS)
    to_accept: list[AcceptedEntryRecord] = Field(default_factory=list, max_length=MAX_ITEMS)
    complete: bool = True


class ChangeRecord(_Record):
    kind: Short
    filename: Short
    status: Literal["changed", "new", "removed"]
    diff: str = ""


class CaseRecord(_Record):
    """One case of ``results.json`` (see ``harness.report.results._case_json``)."""

    id: Annotated[str, Field(max_length=2 * MAX_NAME + 2)]
    template: Short
    fixture: Short
    status: Literal["passed", "updated", "changed", "new", "failed", "error"]
    outcome: str
    reason: str = ""
    locale: Short = ""
    error: str = ""
    findings: list[FindingRecord] = Field(default_factory=list, max_length=MAX_ITEMS)
    accepted_findings: AcceptedFindingsRecord | None = None
    changes: list[ChangeRecord] = Field(default_factory=list, max_length=MAX_ITEMS)
    screenshots: Short = ""
    seconds: Seconds = 0.0
    received: dict[Short, Short] = Field(default_factory=dict, max_length=MAX_ITEMS)
    diffs: list[Short] = Field(default_factory=list, max_length=MAX_ITEMS)
    approved: list[Short] = Field(default_factory=list, max_length=MAX_ITEMS)
    manifest: dict[str, Any] | None = None
    approved_manifest: Short | None = None


class SummaryRecord(_Record):
    seconds: Seconds = 0.0


def parse_shard(spec: str) -> tuple[int, int]:
    """``(I, N)`` of a shard spec ``I/N``; ValueError saying what is expected."""
    match = SHARD.fullmatch(spec)
    index, total = (int(match[1]), int(match[2])) if match else (0, 0)
    if not 1 <= index <= total <= MAX_SHARDS:
        raise ValueError(f"expected 'I/N' with 1 <= I <= N <= {MAX_SHARDS}, got {spec[:40]!r}")
    return index, total


class ResultsDocument(_Record):
    format: Literal[1] = 1
    summary: SummaryRecord = Field(default_factory=SummaryRecord)
    cases: list[CaseRecord] = Field(max_length=MAX_CASES)
    unused_snapshots: list[Short] = Field(default_factory=list, max_length=MAX_CASES)
    notes: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    #: ``I/N`` for the report of ``run --shard I/N``; the run it belongs to; the whole catalog's
    #: unused snapshots (the same list in every shard).
    shard: str | None = None
    run: Short | None = None
    unused_all: list[Short] = Field(default_factory=list, max_length=MAX_CASES)
    merged_from: list[str] = Field(default_factory=list, max_length=MAX_SHARDS)

    @field_validator("shard")
    @classmethod
    def _shard(cls, value: str | None) -> str | None:
        if value is not None:
            parse_shard(value)
        return value


def validate_results(data: Any, path: Path) -> dict[str, Any]:
    """``data`` (a parsed ``results.json``) checked against :class:`ResultsDocument`, as a plain
    dict with every known field present (defaults filled in); HarnessError naming ``path`` and
    the field otherwise."""
    hint = "this is not a results file email-harness wrote (altered, truncated, or another tool's)"
    document = validate(ResultsDocument, data, path, HarnessError, hint=hint)
    return document.model_dump(mode="python")
