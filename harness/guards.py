"""Send guards: whether a template is sent to a fixture at all, in the team's own terms.

A template lists guard names under ``requires:``. A guard is a registered function of the
project's plugin module; it gets the fixture's data and the run's fixed clock, and returns either
the values it adds to the template context (a mapping, possibly empty: sent) or
:class:`NotSent` with a reason in its own words; ``None`` (a forgotten ``return``) counts as
not sent, never as sent. A guard that raises fails that one case. This is what stops a gift-card confirmation from
going to an account that bought nothing::

    from harness import NotSent, guards

    @guards.register("paid_invoice")
    def paid_invoice(account, now):
        paid = [i for i in account.invoices if i.status == "paid"]
        if not paid:
            return NotSent("no paid invoice")
        invoice = max(paid, key=lambda i: i.paid_at)
        # A guard may also compute what the production mailer adds at send time.
        return {"invoice": invoice, "receipt_url": f"https://app.example.com/receipts/{invoice.number}"}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .boundary import call_plugin
from .errors import GuardError
from .registry import Registry

__all__ = ["Guard", "NotSent", "check_guards", "guards"]


@dataclass(frozen=True)
class NotSent:
    """A guard's "do not send this email to this fixture", with the reason shown in the snapshot."""

    #: Why the email is not sent, shown in ``outcome.txt``: ``no paid invoice``.
    reason: str


Guard = Callable[[Any, datetime], "Mapping[str, Any] | NotSent | None"]

guards: Registry[Guard] = Registry("send guard")


def check_guards(names: list[str], data: Any, now: datetime, *, where: str) -> tuple[dict[str, Any], str | None]:
    """The context the guards add, and the reason the email is not sent (``None``: sent).

    Guards run in the template's order; the first that says "not sent" decides. ``None`` from a
    guard is read as "not sent" with a generic reason, so a forgotten ``return`` never sends."""
    context: dict[str, Any] = {}
    for name in names:
        # A team's guard that crashes (or exits, or loops) on one fixture: an error for that case.
        added = call_plugin(guards, name, guards.get(name), data, now, error=GuardError, where=where)
        if isinstance(added, NotSent):
            return {}, added.reason
        if added is None:
            return {}, f"guard {name!r} not met"
        if not isinstance(added, Mapping):
            raise GuardError(
                f"{where}: send guard {name!r} returned {type(added).__name__}; "
                "expected a mapping of template values (sent) or NotSent(reason)"
            )
        context.update(added)
    return context, None
