"""Rejections that carry over: a change rejected on one run stays rejected, with its reason, on
every later run that produces the same content, until the content changes or a reviewer clears
the rejection (undo, logged as ``undo reject``).

They are read back from ``snapshots/review-log.jsonl``, which records each decision with the
manifest hash of the content it was about (``new``). The log is committed, so anyone can edit it:
every line is checked against :class:`LoggedDecision` (a line that does not fit, or that is not a
decision, is skipped), nothing in it names a file to read or write, and a case id only selects
among the run's own pending cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..errors import HarnessError
from ..safepaths import read_regular

__all__ = ["Carried", "LoggedDecision", "carried_rejections", "read_carried"]

#: The log grows a line per decision; one far bigger is not ours.
MAX_LOG_BYTES = 200_000_000
MAX_LINE = 20_000
Hash = Annotated[str, Field(max_length=100)]


def _cut(limit: int) -> AfterValidator:
    return AfterValidator(lambda v: v[:limit])


class LoggedDecision(BaseModel):
    """The fields of a decision line of ``review-log.jsonl`` that a carried rejection uses.
    Other actions (``accept findings``) are not decisions on a change and do not fit."""

    model_config = ConfigDict(strict=True, extra="ignore")

    case: Annotated[str, Field(min_length=1, max_length=400)]
    action: Literal["approve", "reject", "undo approve", "undo reject"]
    new: Hash | None = None
    reason: Annotated[str, _cut(2000)] = ""
    who: Annotated[str, _cut(200)] = ""
    when: Annotated[str, _cut(40)] = ""
    group: Annotated[str, _cut(40)] = ""


@dataclass(frozen=True)
class Carried:
    """A rejection of this very content on an earlier run."""

    case: str
    new: str
    reason: str
    who: str
    when: str
    group: str


def carried_rejections(log: Path, pending: dict[str, str | None]) -> dict[str, Carried]:
    """The rejections in ``log`` that still stand for ``pending`` (case id -> the manifest hash
    approving it would write): the last decision the log records on that case and that content
    is a rejection. A missing log carries nothing; an unreadable one raises HarnessError."""
    if not log.exists() and not log.is_symlink():
        return {}
    text = read_regular(log, follow=False, limit=MAX_LOG_BYTES).decode("utf-8", "replace")
    last: dict[str, LoggedDecision] = {}
    for line in text.splitlines():
        if len(line) > MAX_LINE or not line.startswith("{"):
            continue
        try:
            entry = LoggedDecision.model_validate_json(line)
        except ValueError:  # pydantic's ValidationError too: a line that is not a decision is no evidence
            continue
        if entry.case in pending and entry.new is not None and entry.new == pending[entry.case]:
            last[entry.case] = entry
    return {case: Carried(case, entry.new or "", entry.reason, entry.who, entry.when, entry.group)
            for case, entry in last.items() if entry.action == "reject"}


def read_carried(log: Path, pending: dict[str, str | None]) -> tuple[dict[str, Carried], str]:
    """:func:`carried_rejections`, or none and why (for the page) when the log cannot be read."""
    try:
        return carried_rejections(log, pending), ""
    except HarnessError as exc:
        return {}, f"earlier rejections were not carried over: {exc}"
