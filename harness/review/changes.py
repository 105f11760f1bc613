"""Changes named by kind and grouped: one template edit seen in 16 cases is one change.

Each case that differs (or fails, or errs) is classified by what a customer would notice, most
serious first (:data:`KINDS`), and given a signature: its edits with the fixture's own values
replaced by placeholders (:func:`~harness.review.textdiff.mask`). Cases with one signature form a
:class:`ChangeGroup`, approved or rejected in one action. An outcome change (the case is now sent,
or no longer) is grouped by template and transition, since its whole body is new.
"""

from __future__ import annotations

import hashlib
import html as html_text
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..screenshots.viewports import viewport_words
from ..snapshots.outcome import NO_LONGER_SENT, NOW_SENT, OPTION, outcome_change
from .describe import StyleChange, colour, describe_html
from .evidence import CaseEvidence, as_list, as_str
from .sources import Sources
from .textdiff import edits, first_edit, mask, word_diff

__all__ = ["KINDS", "CaseChange", "ChangeGroup", "Edit", "FLIPS", "approve_command", "changes_outcome", "classify", "edit_cases", "expected_hash",
           "group_changes", "group_positions", "headline", "headline_counts", "title_pieces"]

#: Kinds of change, most serious first, with the words the page uses.
KINDS: dict[str, str] = {
    "outcome": "outcome (sent / not sent)",
    "error": "error",
    "finding": "rule finding",
    "header": "inbox line",
    "copy": "copy",
    "link": "link target",
    "image": "image",
    "layout": "layout or style only",
    "new": "new case",
}
_HREF = re.compile(r'\shref="([^"]*)"')
#: The folders of a path in a message (``/tmp/x/templates/refund.mjml:7`` -> ``refund.mjml:7``).
_FOLDERS = re.compile(r"(?<![\w.:/-])/?(?:[\w.-]+/)+(?=[\w.-]+\.\w+)")  # not after '-' either: linear on a run of dashes
_URL = re.compile(r"<?\b(?:https?|mailto|tel):\S+")
_IMG = re.compile(r"<img\b[^<>]*>")  # '<' ends a try: linear
#: The parts of an email in the order a title names their edits: (part, label, file read for context).
_PARTS = (("preheader", "Preheader", ""), ("subject", "Subject", "subject.txt"), ("text", "Copy", "body.txt"), ("html", "HTML", "body.html"))
#: A title names this many edits; the page lists every edit of a change below its title.
MAX_TITLE_EDITS = 3


def expected_hash(case: dict[str, Any]) -> str | None:
    """The manifest hash approving ``case`` writes (what the review log calls ``new``)."""
    from ..snapshots import manifest_hash

    manifest, received = case.get("manifest"), case.get("received")
    if not isinstance(manifest, dict) or not isinstance(received, dict):
        return None
    return manifest_hash({**manifest, "parts": dict(sorted(received.items()))})


#: Switches that change who gets the email: approved only with a second confirmation.
FLIPS = (NOW_SENT, NO_LONGER_SENT)


def changes_outcome(before: str | None, after: str | None) -> bool:
    """The email starts or stops going to this account (see :mod:`harness.snapshots.outcome`)."""
    return bool(outcome_change(before, after))


def _first_line(text: str, limit: int = 160) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass
class CaseChange:
    """One case as the review page shows it."""

    case: dict[str, Any]
    evidence: CaseEvidence
    kinds: list[str] = field(default_factory=list)
    #: ``(part, removed, added)`` as found, for the group's title.
    edits: list[tuple[str, str, str]] = field(default_factory=list)
    signature: tuple[Any, ...] = ()
    outcome_before: str = ""
    outcome_after: str = ""
    #: "now sent", "no longer sent", "reason" (still not sent, another reason) or "".
    switch: str = ""
    #: Its edits as ``(removed, added)`` words, the fixture's values masked and HTML entities
    #: read as text: what an :class:`Edit` is counted by, whichever part shows it.
    words: frozenset[tuple[str, str]] = frozenset()
    #: The fixture's own values, masked in edits.
    values: tuple[str, ...] = field(default=(), repr=False)

    @property
    def id(self) -> str:
        return as_str(self.case.get("id"))

    @property
    def template(self) -> str:
        return as_str(self.case.get("template"))

    @property
    def status(self) -> str:
        return as_str(self.case.get("status"))

    @property
    def approvable(self) -> bool:
        return self.status in ("changed", "new") and bool(self.evidence.received) and self.evidence.valid

    @property
    def new_hash(self) -> str | None:
        return expected_hash(self.case)

    @property
    def old_hash(self) -> str | None:
        old = self.case.get("approved_manifest")
        return old if isinstance(old, str) else None


@dataclass(frozen=True)
class Edit:
    """One edit a change holds, as its title names it: the part (``Copy``, ``Subject``...) with
    the words before and after and a few around them, or a style edit in a designer's words
    (``style``: "Button background #0b5cab → #047857"); and the masked word edits it stands for
    (``words``), by which a case holding it is counted."""

    label: str
    old: str
    new: str
    words: frozenset[tuple[str, str]]
    #: The style edit this names (the HTML's attributes and CSS), or ``None`` for words.
    style: StyleChange | None = None

    @property
    def text(self) -> str:
        if self.style is not None:
            return self.style.text
        return f"{self.label}: {_quote(self.old)} → {_quote(self.new)}"

    @property
    def swatches(self) -> tuple[str | None, str | None]:
        """The colours before and after, when this style edit is one of colour (for the page's
        swatches; only values :func:`~harness.review.describe.colour` accepts)."""
        if self.style is None or self.style.what in ("added", "removed", "markup"):
            return None, None
        return colour(self.old), colour(self.new)


@dataclass
class ChangeGroup:
    """Cases that share one set of edits (and findings, or one outcome change, or one error):
    approving it approves exactly what :attr:`title` names, in each of its cases."""

    key: str
    cases: list[CaseChange]

    @property
    def first(self) -> CaseChange:
        return self.cases[0]

    @property
    def kinds(self) -> list[str]:
        found = {k for c in self.cases for k in c.kinds}
        return [k for k in KINDS if k in found]

    @property
    def approvable(self) -> list[CaseChange]:
        return [c for c in self.cases if c.approvable]

    @property
    def switch(self) -> str:
        switches = {c.switch for c in self.cases}
        return next((s for s in ("now sent", "no longer sent", "reason") if s in switches), "")

    @property
    def templates(self) -> list[str]:
        return sorted({c.template for c in self.cases})

    @cached_property
    def edits(self) -> list[Edit]:
        """Every edit its cases hold (the same set in each), named from the first case."""
        return _named_edits(self.first)

    @property
    def title(self) -> str:
        return _title(self)

    @property
    def pieces(self) -> list[tuple[str, Edit | None]]:
        """:attr:`title` in pieces (see :func:`title_pieces`) when it names edits, else one."""
        if self.edits and _title(self) == _edits_title(self.edits):
            return title_pieces(self.edits)
        return [(self.title, None)]


def _part_edits(evidence: CaseEvidence, name: str) -> list[tuple[str, str]]:
    if name not in evidence.changed:
        return []
    return edits(evidence.before(name) or "", evidence.after(name) or "")


def _words(text: str) -> list[str]:
    """The words of a text part without its links: what a change of copy changes."""
    return _URL.sub("", text).split()


def _links(html: str) -> Counter[str]:
    return Counter(_HREF.findall(html))


def _images(html: str) -> Counter[str]:
    return Counter(" ".join(tag.split()) for tag in _IMG.findall(html))


def _content(change: CaseChange, sources: Sources) -> None:
    """Kinds, edits and signature of a case whose outcome did not change."""
    ev, values = change.evidence, sources.values(as_str(change.case.get("fixture")))
    found: list[tuple[str, str, str]] = []
    for part, name in (("subject", "subject.txt"), ("text", "body.txt"), ("html", "body.html")):
        found += [(part, old, new) for old, new in _part_edits(ev, name)]
    preheader = ("", "")
    if "body.html" in ev.changed:
        before, after = ev.before("body.html") or "", ev.after("body.html") or ""
        preheader = (sources.preheader(before), sources.preheader(after))
        if preheader[0] != preheader[1]:
            found.insert(0, ("preheader", *preheader))
        if _links(before) != _links(after):
            change.kinds.append("link")
        if _images(before) != _images(after):
            change.kinds.append("image")
    parts = {p for p, _, _ in found}
    if parts & {"subject", "preheader"}:
        change.kinds.append("header")
    if "text" in parts and _words(ev.before("body.txt") or "") != _words(ev.after("body.txt") or ""):
        change.kinds.append("copy")
    if not change.kinds and found:
        change.kinds.append("layout")
    change.edits = found
    change.words = frozenset(_edit_key(o, n, values) for _, o, n in found)
    if found:
        # Distinct edits: a row repeated by a loop (one per order line) is one edit, however many lines.
        change.signature = ("content", tuple(sorted({(p, mask(o, values), mask(n, values)) for p, o, n in found})))
    else:  # pixels only: the same viewports of one template, best effort
        shots = sorted(n for n, s in ev.changed.items() if n.endswith(".png"))
        if shots:
            change.kinds.append("layout")
        change.signature = ("pixels", change.template, tuple(shots))


def classify(case: dict[str, Any], report: Path, sources: Sources) -> CaseChange:
    """What changed in ``case``, named by kind, with the signature it is grouped by."""
    evidence = CaseEvidence(report, case)
    values = [*sources.values(as_str(case.get("fixture"))), as_str(case.get("fixture"))]
    change = CaseChange(case, evidence, values=sources.values(as_str(case.get("fixture"))))
    findings = tuple(
        ("finding", as_str(f.get("rule")), as_str(f.get("severity")), mask(as_str(f.get("message")), values))
        for f in as_list(case.get("findings")) if isinstance(f, dict)
    )
    if change.status == "error":
        change.kinds = ["error"]
        change.signature = ("error", mask(_first_line(as_str(case.get("error")), 400), values))
        return change
    if "outcome.txt" in evidence.changed:
        change.outcome_before = (evidence.before("outcome.txt") or "").strip()
        change.outcome_after = (evidence.after("outcome.txt") or as_str(case.get("outcome"))).strip()
    if evidence.first and evidence.received:
        change.kinds = ["new"]
        change.signature = ("new", change.template, change.outcome_after.startswith("sent"))
    elif change.outcome_before:
        sent_before, sent_after = change.outcome_before.startswith("sent"), change.outcome_after.startswith("sent")
        change.switch = "reason" if sent_before == sent_after else "now sent" if sent_after else "no longer sent"
        change.kinds = ["outcome"]
        change.signature = ("outcome", change.template, mask(change.outcome_before, values), mask(change.outcome_after, values))
    elif evidence.changes:
        _content(change, sources)
    if findings:
        change.kinds.insert(0, "finding")
        change.signature = (*change.signature, *findings)
    return change


def group_changes(document: dict[str, Any], report: Path, sources: Sources | None = None) -> list[ChangeGroup]:
    """Every case that needs a look (differs, fails, errs, or has findings), grouped by
    signature; the most serious groups first, then the biggest."""
    sources = sources or Sources()
    groups: dict[tuple[Any, ...], list[CaseChange]] = {}
    for case in as_list(document.get("cases")):
        if not isinstance(case, dict) or not as_str(case.get("id")):
            continue
        interesting = case.get("status") not in ("passed", "updated") or case.get("findings")
        if not interesting:
            continue
        change = classify(case, report, sources)
        if change.signature:
            groups.setdefault(change.signature, []).append(change)
    result = [
        ChangeGroup(hashlib.sha256(repr(signature).encode()).hexdigest()[:12], sorted(cases, key=lambda c: c.id))
        for signature, cases in groups.items()
    ]
    rank = list(KINDS)

    def seriousness(group: ChangeGroup) -> tuple[bool, bool, int, int, str]:
        kinds = group.kinds or ["layout"]
        actionable = bool(group.approvable) or any(c.status in ("failed", "error") for c in group.cases)
        return (group.switch not in FLIPS, not actionable, rank.index(kinds[0]), -len(group.cases), group.first.id)

    return sorted(result, key=seriousness)


def _quote(text: str, limit: int = 70) -> str:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"“{text}”" if text else "nothing"


def _title(group: ChangeGroup) -> str:
    """One line saying what changed, from the group's first case."""
    case = group.first
    if "error" in case.kinds:
        return "Error: " + _first_line(_FOLDERS.sub("", as_str(case.case.get("error"))))
    if case.kinds == ["new"]:
        return f"New: {case.template} has no approved snapshot yet (" + ("sent" if case.outcome_after.startswith("sent") else "not sent") + ")"
    if case.switch:
        before, after = (o.removeprefix("not sent").lstrip(": ") for o in (case.outcome_before, case.outcome_after))
        return {"now sent": f"Starts sending where it was not sent ({before})",
                "no longer sent": f"Stops sending ({after})",
                "reason": f"Still not sent, for another reason: {before} → {after}"}[case.switch]
    if group.edits:
        return _edits_title(group.edits)
    findings = [f for f in as_list(case.case.get("findings")) if isinstance(f, dict)]
    if findings:
        f = findings[0]
        return f"[{as_str(f.get('rule'))}] {as_str(f.get('severity'))}: {_first_line(as_str(f.get('message')))}"
    return "Layout: " + _layout_words(case)


def _layout_words(case: CaseChange) -> str:
    """Where the pixels of a case changed that changed nowhere else: the first screenshot with
    changed regions, by its viewport and look (:attr:`~harness.review.shots.Screenshot.where`)."""
    from .shots import screenshots  # decodes diff images: only for the title of a pixels-only change

    shots = screenshots(case.evidence)
    shot = next((s for s in shots if s.regions), shots[0] if shots else None)
    if shot is None:
        return ", ".join(viewport_words(n.removesuffix(".png")) for n in case.evidence.changed if n.endswith(".png")) or "pixels only"
    return shot.where


def _edits_title(named: list[Edit]) -> str:
    """"Copy: “Help centre” → “Support centre” + Button background #0b5cab → #047857": every
    edit, the part named once for a run of edits in it; past :data:`MAX_TITLE_EDITS`, how many
    more."""
    return " + ".join(text for text, _ in title_pieces(named))


def title_pieces(named: list[Edit]) -> list[tuple[str, Edit | None]]:
    """The title of a change of ``named`` edits in pieces, each with the edit it names (the page
    draws colour swatches beside a style edit's values); the last says how many more."""
    pieces: list[tuple[str, Edit | None]] = []
    label = ""
    for edit in named[:MAX_TITLE_EDITS]:
        if edit.style is not None:  # a style edit names its element and property itself
            pieces.append((edit.text, edit))
            label = ""
            continue
        pieces.append(((f"{edit.label}: " if edit.label != label else "") + f"{_quote(edit.old)} → {_quote(edit.new)}", edit))
        label = edit.label
    more = len(named) - MAX_TITLE_EDITS
    if more > 0:
        pieces.append((f"{more} more edit{'s' * (more != 1)}", None))
    return pieces


def _edit_key(old: str, new: str, values: tuple[str, ...]) -> tuple[str, str]:
    """An edit as counted: the fixture's values masked, HTML entities read as the words they
    show (the copy edit "it's" is the HTML edit "it&#39;s")."""
    return mask(html_text.unescape(old), values), mask(html_text.unescape(new), values)


def _blocks(before: str, after: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Each changed block of a part: the changed words with a few around them (as a title shows
    them) and the word edits the block holds."""
    found = []
    for hunk in word_diff(before, after, context=0):
        old = "\n".join(row.text for row in hunk if row.kind == "del")
        new = "\n".join(row.text for row in hunk if row.kind == "add")
        shown = first_edit(old, new) or (old, new)
        found.append((shown[0], shown[1], edits(old, new)))
    return found


def _named_edits(change: CaseChange) -> list[Edit]:
    """The distinct edits of a case, in the order a customer meets them (inbox line, copy,
    then the HTML): an edit already named in an earlier part (a copy edit seen again in the HTML)
    or again in the same part (a row a loop repeats) is named once. What is left of the HTML is
    named in a designer's words (:func:`_style_edits`), never as markup."""
    named: list[Edit] = []
    seen: set[tuple[str, str]] = set()
    for part, label, name in _PARTS:
        mine = [(o, n) for p, o, n in change.edits if p == part]
        if not mine:
            continue
        blocks = _blocks(change.evidence.before(name) or "", change.evidence.after(name) or "") if name else []
        covered = {_edit_key(o, n, change.values) for _, _, inner in blocks for o, n in inner}
        blocks += [(o, n, [(o, n)]) for o, n in mine if _edit_key(o, n, change.values) not in covered]
        left: list[tuple[str, str, frozenset[tuple[str, str]]]] = []
        for old, new, inner in blocks:
            words = frozenset(_edit_key(o, n, change.values) for o, n in inner)
            if not words or words <= seen:
                continue
            seen |= words
            left.append((old, new, words))
        if part == "html" and left:
            named += _style_edits(change, left)
        else:
            named += [Edit(label, old, new, words) for old, new, words in left]
    return named


def _style_edits(change: CaseChange, blocks: list[tuple[str, str, frozenset[tuple[str, str]]]]) -> list[Edit]:
    """The HTML's edits that are not words of the copy, as :mod:`~harness.review.describe`
    names them. Each is counted by the word edits of its values where the case's HTML shows
    them as such, else by all the HTML edits left (``blocks``). HTML edits that are only words
    (text no part of the copy shows) keep their words when nothing else describes them."""
    every = frozenset().union(*(words for _, _, words in blocks))
    described = describe_html(change.evidence.before("body.html") or "", change.evidence.after("body.html") or "")
    if not described:
        return [Edit("Text in the HTML", old, new, words) for old, new, words in blocks]
    named = []
    for style in described:
        words = frozenset(_edit_key(o, n, change.values) for o, n in edits(style.old, style.new))
        named.append(Edit(style.label, style.old, style.new, words if words and words <= change.words else every, style))
    return named


def edit_cases(groups: list[ChangeGroup]) -> dict[frozenset[tuple[str, str]], int]:
    """How many cases of the run hold each edit the groups name, whichever group they are in:
    a case holding two edits counts once for each, never twice for one."""
    every = [c for g in groups for c in g.cases]
    return {e.words: sum(1 for c in every if e.words <= c.words) for g in groups for e in g.edits}


def approve_command(group: ChangeGroup, folder: str, pending: Counter[str]) -> str:
    """The command approving exactly this group from the report ``folder``: ``template[*]``
    where the group holds all of a template's ``pending`` cases, else the case ids."""
    mine = Counter(c.template for c in group.approvable)
    patterns = []
    for template in sorted(mine):
        patterns += [f"{template}[*]"] if mine[template] == pending[template] else [c.id for c in group.approvable if c.template == template]
    option = f" {OPTION}" if group.switch in FLIPS else ""
    return f"email-harness approve --from {folder}{option} " + " ".join(f"'{p}'" for p in patterns)


def headline_counts(groups: list[ChangeGroup]) -> dict[str, int]:
    """The groups a page or job summary lists, counted by what a reviewer does with them:
    changes to approve, errors and failing cases to fix, notes to read."""
    changes = [g for g in groups if g.approvable]
    errors = [g for g in groups if "error" in g.kinds]
    failing = [g for g in groups if not g.approvable and "error" not in g.kinds and any(c.status == "failed" for c in g.cases)]
    notes = [g for g in groups if g not in changes and g not in errors and g not in failing]
    count = lambda gs, approvable=False: sum(len(g.approvable if approvable else g.cases) for g in gs)  # noqa: E731
    return {
        "changes": len(changes), "change_cases": count(changes, True),
        "errors": len(errors), "error_cases": count(errors),
        "failing": len(failing), "failing_cases": count(failing),
        "notes": len(notes), "note_cases": count(notes),
        # Distinct edits among the changes: two changes may share one (a case holding two edits
        # is grouped apart from a case holding one of them).
        "edits": len({e.words for g in changes for e in g.edits}),
    }


def headline(groups: list[ChangeGroup]) -> str:
    """"2 changes in 5 cases · 1 error in 1 case · 3 notes in 4 cases": every kind of group the
    table below it lists is counted, and only those, so a table of warnings never sits under
    "0 changes in 0 cases" (said only when the table is empty)."""

    def _n(number: int, word: str) -> str:
        return f"{number} {word}{'s' * (number != 1)}"

    counts = headline_counts(groups)
    parts = [f"{_n(counts['changes'], 'change')} in {_n(counts['change_cases'], 'case')}"] if counts["changes"] else []
    for key, cases, word in (("errors", "error_cases", "error"), ("failing", "failing_cases", "failing check"),
                             ("notes", "note_cases", "finding")):
        if counts[key]:
            parts.append(f"{_n(counts[key], word)}{' to read' * (key == 'notes')} in {_n(counts[cases], 'case')}")
    return " · ".join(parts) or "0 changes in 0 cases"


#: What the page calls a group of each count of :func:`headline_counts`.
GROUP_WORDS = {"changes": "Change", "errors": "Error", "failing": "Failing check", "notes": "Finding to read"}


def group_positions(groups: list[ChangeGroup]) -> dict[str, str]:
    """"Change 1 of 2", "Finding to read 1 of 3": each group's place among those the headline
    counts with it, so a page saying "1 change in 1 case" never goes on to "Change 1 of 2"."""
    kinds = {g.key: ("changes" if g.approvable else "errors" if "error" in g.kinds
                     else "failing" if any(c.status == "failed" for c in g.cases) else "notes") for g in groups}
    totals = Counter(kinds.values())
    seen: Counter[str] = Counter()
    positions = {}
    for group in groups:
        kind = kinds[group.key]
        seen[kind] += 1
        positions[group.key] = f"{GROUP_WORDS[kind]} {seen[kind]} of {totals[kind]}"
    return positions
