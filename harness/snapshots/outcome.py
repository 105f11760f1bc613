"""The one change that must never be approved by accident: an email that starts going to accounts
it was not sent to (the gift-card confirmation sent to people who bought nothing), or stops going
to accounts that were sent it (a receipt nobody gets any more).

Every way of writing snapshots asks this module: ``run --update``, ``pytest --update-snapshots``,
``approve PATTERN``, ``approve --from`` and the review page. A case whose outcome changes is held
back, the others are written, and the held ones are named with the command that approves them.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["NOW_SENT", "NO_LONGER_SENT", "OPTION", "OutcomeChange", "UNKNOWN", "approve_hint", "describe_approved", "is_sent", "outcome_change"]

#: The command-line option that confirms an outcome change.
OPTION = "--allow-outcome-change"
NOW_SENT: Literal["now sent"] = "now sent"
NO_LONGER_SENT: Literal["no longer sent"] = "no longer sent"
#: What an approved outcome is when its snapshot cannot be validated (a corrupt manifest): any
#: outcome may be a change, so it is held like one.
UNKNOWN = "unknown"

OutcomeChange = Literal["now sent", "no longer sent", ""]


def is_sent(outcome: str | None) -> bool:
    """Whether the outcome part (``sent`` or ``not sent: <reason>``) says the email goes out;
    anything but ``not sent...`` is read as sent, the side a reviewer must look at."""
    return outcome is None or not outcome.lstrip().startswith("not sent")


def outcome_change(before: str | None, after: str | None) -> OutcomeChange:
    """``now sent``, ``no longer sent``, or ``""`` when the case is as often sent as before (a new
    case without an approved outcome is new, not a change; a changed reason is not a change of
    who gets the email). An approved outcome of :data:`UNKNOWN` counts as a change."""
    if before is None or after is None:
        return ""
    if before == UNKNOWN:
        return NOW_SENT if is_sent(after) else NO_LONGER_SENT
    if is_sent(before) == is_sent(after):
        return ""
    return NOW_SENT if is_sent(after) else NO_LONGER_SENT


def describe_approved(before: str | None) -> str:
    """The approved outcome as a message quotes it."""
    return "an approved snapshot that cannot be read" if before == UNKNOWN else f"'{(before or '').strip()}'"


def approve_hint(case_id: str, change: OutcomeChange, before: str | None) -> str:
    """Why the case was held back and the command that approves it."""
    was = describe_approved(before)
    what = "starts being sent" if change == NOW_SENT else "stops being sent"
    return (f"{case_id} {what} (approved: {was}); approve it only if this is intended: "
            f"email-harness approve {OPTION} '{case_id}'")
