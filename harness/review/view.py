"""What the review page shows for one case, customer first: the inbox line before and after, the
screenshots, the text part as a word-level diff, and last the HTML source diff."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..snapshots.outcome import NOW_SENT
from .changes import CaseChange
from .evidence import as_list, as_str
from .shots import Screenshot, screenshots
from .sources import Sources
from .textdiff import Hunk, word_diff

__all__ = ["CaseView", "Inbox", "case_view"]

#: A whole text shown as new or removed, and the HTML diff, are cut here (the evidence folder
#: has all of it): a report of many new cases must stay quick to open.
MAX_WHOLE_TEXT = 20_000
MAX_HTML_DIFF_LINES = 400


@dataclass(frozen=True)
class Inbox:
    """One line of an inbox: sender, subject, preheader; or why the email is not sent."""

    sent: bool
    subject: str = ""
    preheader: str = ""
    reason: str = ""
    sender: str = ""


@dataclass
class CaseView:
    change: CaseChange
    before: Inbox | None = None  # None: no approved snapshot
    after: Inbox | None = None
    shots: list[Screenshot] = field(default_factory=list)
    hunks: list[Hunk] = field(default_factory=list)
    #: The whole text part when it is new ("added") or gone ("removed").
    whole_text: str = ""
    whole_kind: str = ""
    html_diff: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)
    requires: tuple[str, ...] | None = None

    @property
    def inbox_changed(self) -> bool:
        return self.before != self.after


def _inbox(outcome: str | None, subject: str | None, html: str | None, sources: Sources, sender: str) -> Inbox | None:
    if outcome is None:
        return None
    outcome = outcome.strip()
    if not outcome.startswith("sent"):
        return Inbox(False, reason=outcome.removeprefix("not sent").lstrip(": ") or outcome)
    return Inbox(True, (subject or "").strip(), sources.preheader(html or ""), sender=sender)


def case_view(change: CaseChange, sources: Sources) -> CaseView:
    ev, case = change.evidence, change.case
    view = CaseView(change, findings=[f for f in as_list(case.get("findings")) if isinstance(f, dict)])
    if not ev.received:  # failed or errored without evidence: findings and error only
        return view
    sender = as_str(case.get("sender"))

    def side(read: Any) -> tuple[str | None, str | None, str | None]:
        return read("outcome.txt"), read("subject.txt"), read("body.html")

    view.before = _inbox(*side(ev.before), sources, sender) if not ev.first else None
    view.after = _inbox(*side(ev.after), sources, sender)
    view.shots = screenshots(ev)
    before_text, after_text = ev.before("body.txt"), ev.after("body.txt")
    if "body.txt" in ev.changed:
        if before_text is None or change.switch == NOW_SENT:
            view.whole_text, view.whole_kind = (after_text or "")[:MAX_WHOLE_TEXT], "added"
        elif after_text is None:
            view.whole_text, view.whole_kind = before_text[:MAX_WHOLE_TEXT], "removed"
        else:
            view.hunks = word_diff(before_text, after_text)
    html = next((c for c in ev.changes if c.get("filename") == "body.html"), None)
    lines = as_str(html.get("diff")).splitlines() if html else []
    view.html_diff = "\n".join(lines[:MAX_HTML_DIFF_LINES])
    if len(lines) > MAX_HTML_DIFF_LINES:
        view.html_diff += f"\n… {len(lines) - MAX_HTML_DIFF_LINES} more lines: see {ev.after_url('body.html')} in the report folder"
    if change.switch:
        view.requires = sources.requires(change.template)
        if view.requires is None and isinstance(case.get("requires"), list):
            view.requires = tuple(str(r) for r in case["requires"])
    return view
