"""Lumen's send guards: which account gets which email, in billing terms.

Each guard returns what it adds to the template context (sent) or ``NotSent(reason)``; the
reason is recorded in the snapshot, so a reviewer sees *why* an account got no email. Like the
production mailer, guards also compute send-time values: links, days left, the suspension date.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

from harness import NotSent, guards

from .models import Account, Invoice

Sent = dict[str, Any]

#: The app's public address; the mailer builds links from it.
APP_URL = "https://lumen.example.com"
#: Days an unpaid invoice may stay open before the workspace turns read-only.
GRACE_DAYS = 14
#: The trial reminder goes out in the last this-many days of a trial.
TRIAL_REMINDER_DAYS = 7


def _latest(invoices: list[Invoice]) -> Invoice | None:
    return max(invoices, key=lambda invoice: invoice.issued_at, default=None)


def _days(later: date, earlier: date) -> int:
    return (later - earlier).days


@guards.register("paid_invoice")
def paid_invoice(account: Account, now: datetime) -> Sent | NotSent:
    """The receipt for the account's latest invoice, once it is paid. An older paid invoice does
    not count: after a failed payment the customer must not get a "thanks for your payment"."""
    latest = _latest(account.invoices)
    if latest is None:
        return NotSent("account has no invoice")
    if latest.status != "paid" or latest.paid_at is None:
        return NotSent(f"latest invoice {latest.number} is {latest.status}, not paid")
    return {"invoice": latest, "invoice_url": f"{APP_URL}/billing/invoices/{latest.number}"}


@guards.register("failed_payment")
def failed_payment(account: Account, now: datetime) -> Sent | NotSent:
    """The latest invoice could not be charged: ask for another card before the grace period ends."""
    latest = _latest(account.invoices)
    if latest is None:
        return NotSent("account has no invoice")
    if latest.status != "failed":
        return NotSent(f"latest invoice {latest.number} is {latest.status}, no failed payment")
    suspends_on = latest.issued_at.date() + timedelta(days=GRACE_DAYS)
    if suspends_on <= now.date():
        return NotSent(f"grace period of invoice {latest.number} ended on {suspends_on.isoformat()}")
    return {
        "invoice": latest,
        "retry_url": f"{APP_URL}/billing/invoices/{latest.number}/pay",
        "suspends_on": suspends_on,
    }


@guards.register("trial_ending")
def trial_ending(account: Account, now: datetime) -> Sent | NotSent:
    """A reminder in the last week of a trial that has not become a paid plan."""
    trial = account.trial
    if trial is None:
        return NotSent("account never had a trial")
    if trial.converted_at is not None or account.plan is not None:
        return NotSent("trial already converted to a paid plan")
    days_left = _days(trial.ends_at.date(), now.date())
    if days_left < 0:
        return NotSent(f"trial ended on {trial.ends_at.date().isoformat()}, {-days_left} days ago")
    if days_left > TRIAL_REMINDER_DAYS:
        return NotSent(f"trial ends in {days_left} days; the reminder starts {TRIAL_REMINDER_DAYS} days before")
    return {
        "trial": trial,
        "days_left": days_left,
        "upgrade_url": f"{APP_URL}/billing/upgrade?plan={trial.plan.lower()}",
    }


@guards.register("pending_invite")
def pending_invite(account: Account, now: datetime) -> Sent | NotSent:
    """The newest invitation the account has neither accepted nor let expire."""
    if not account.invites:
        return NotSent("account has no team invitation")
    pending = [i for i in account.invites if i.accepted_at is None and i.expires_at > now]
    if not pending:
        return NotSent("every team invitation is accepted or expired")
    invite = max(pending, key=lambda i: i.sent_at)
    # Whole days left, counting a started day: 30 hours left reads "expires in 2 days".
    expires_in_days = math.ceil((invite.expires_at - now).total_seconds() / 86400)
    return {"invite": invite, "expires_in_days": expires_in_days}
