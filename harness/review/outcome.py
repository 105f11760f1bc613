"""The one change that must never be approved by accident: an email that starts going to an
account it was not sent to (the gift-card confirmation sent to people who bought nothing).

``approve --from`` checks it in :class:`~harness.review.apply.ReportApprover`; this module checks
the re-rendering ``approve PATTERN`` before its snapshots are written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import SnapshotError
from ..snapshots import SnapshotStore

if TYPE_CHECKING:
    from ..case_result import CaseResult

__all__ = ["OPTION", "outcome_switches", "refusal"]

#: The command-line option that confirms it.
OPTION = "--allow-outcome-change"


def outcome_switches(store: SnapshotStore, results: Sequence[CaseResult]) -> dict[str, str]:
    """Among results of ``Engine.approve``, the cases that would start being sent, with the
    approved outcome they replace (``"not sent: account has no gift card order"``)."""
    found = {}
    for result in results:
        if result.status != "updated" or result.outcome != "sent":
            continue
        try:
            approved = store.read(result.case.template, result.case.fixture)
            before = approved.text("outcome.txt") if approved else None
        except SnapshotError:
            continue
        if before and before.startswith("not sent"):
            found[result.case.id] = before.strip()
    return found


def refusal(switches: dict[str, str]) -> str:
    """The message for refused switches: what, where, and the next command."""
    lines = [f"refused: {len(switches)} case(s) would start being sent; nothing was written:"]
    lines += [f"  {case}: was '{before}', would be 'sent'" for case, before in sorted(switches.items())]
    lines.append(f"  If these accounts must get this email, approve again with {OPTION}")
    return "\n".join(lines)
