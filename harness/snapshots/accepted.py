"""Accepted findings: rule findings a team has looked at and accepted, with a reason, so that every
rule can be on from the first run without failing on what is already known.

``email-harness approve --accept-findings 'CASE-PATTERN' --reason "..."`` (or the review page)
writes the current findings of each selected case into ``accepted-findings.yaml`` in its snapshot
folder: a part of the snapshot like any other (in the manifest, checked against its hash, carried
over when the case is updated or approved), so a reviewer sees it in the pull request's diff.
From then on:

- a finding that matches an accepted one does not fail the case (it is reported as accepted);
- a new finding fails as before;
- an accepted finding that no longer occurs is a note on the case, with the command that
  rewrites the list.

A finding is matched by rule, element and message, with the fixture's own values replaced by
their field names in the path syntax of rule options (``‹customer.name›``,
``‹invoices[].number›``), numbers and e-mail addresses by placeholders, folders,
line numbers and sibling positions (``tr:nth-of-type(3)``) left out (:func:`entry_for`): renaming
the fixture's customer, or an edit elsewhere in the template that moves the element down a line
or a row, does not re-open it. Severity is
kept for the reader but not matched. A finding that occurs twice must be accepted twice.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from ..errors import SnapshotError
from ..readback import validate
from ..fixtures import Fixture
from ..fixtures.placeholders import field_names, mask
from ..rules import Finding
from .store import ApprovedSnapshot, SnapshotStore, manifest_hash

__all__ = [
    "ACCEPTED", "RULE", "Accepted", "AcceptedCheck", "Acceptance", "accept", "accept_command", "acceptable",
    "carried", "check_accepted", "dump", "entry_for", "fixture_names", "is_acceptable", "load",
]

#: The part's file name in a case's snapshot folder.
ACCEPTED = "accepted-findings.yaml"
#: More accepted findings than this in one case is not a review but a switched-off check.
MAX_ENTRIES = 10_000
#: The rule name of the note saying that an accepted finding no longer occurs.
RULE = "accepted-findings"
#: Folders of a path (``/ci/work/templates/refund.yaml`` -> ``refund.yaml``): machine-dependent.
_FOLDERS = re.compile(r"(?<![\w.:/-])/?(?:[\w.-]+/)+(?=[\w.-]+\.\w+)")  # not after '-' either: linear on a run of dashes
#: ``refund.mjml:7``, ``refund.mjml:7:12``, ``line 7``, ``lines 7-9``: where, not what.
_FILE_LINE = re.compile(r"(\.[A-Za-z][A-Za-z0-9]{0,9}):\d+(?::\d+)?\b")
_LINE_WORD = re.compile(r"\b(lines?) \d+(?:\s*[-–]\s*\d+)?\b", re.IGNORECASE)
#: ``tr:nth-of-type(3)`` in the CSS paths the browser probes name elements by: a position among
#: siblings is the DOM's line number (a row added above moves it).
_NTH = re.compile(r":nth-(of-type|child)\(\d+\)")
#: A field-name placeholder (``‹invoices[].number›``) as :func:`harness.fixtures.placeholders.mask` writes it.
_PLACEHOLDER = re.compile(r"‹[^‹›]*›")
#: A rule that crashed checked nothing: that is a bug to fix, never a finding to accept.
_CRASH = "the rule itself failed:"


@dataclass(frozen=True, order=True)
class Accepted:
    """One accepted finding as stored (already masked); ``severity`` is for the reader only."""

    rule: str
    element: str
    message: str
    severity: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """What is matched: rule, element and message, field names compared without their list
        marks, so a file written before field names had them (``‹invoices.number›``, not
        ``‹invoices[].number›``) still matches."""
        return (self.rule, _unlisted(self.element), _unlisted(self.message))

    def describe(self) -> str:
        where = f" at {self.element}" if self.element else ""
        return f"[{self.rule}] {self.severity or 'finding'}: {self.message}{where}"


@dataclass
class AcceptedCheck:
    """A case's findings weighed against its accepted list."""

    #: Why the findings were accepted ("" when the case has no accepted list).
    reason: str = ""
    #: The current findings that an accepted entry covers (they do not fail the case).
    accepted: list[Finding] = field(default_factory=list)
    #: Accepted entries that no current finding matches.
    gone: list[Accepted] = field(default_factory=list)
    #: What accepting the case's findings now would store, every current acceptable finding.
    entries: list[Accepted] = field(default_factory=list)
    #: False when this run could not judge every rule the approved snapshot was judged by: no
    #: screenshots for a case that has them (``--no-screenshots``), so the rules measuring the
    #: page were silent. Nothing is then reported gone, and nothing may be accepted from it.
    complete: bool = True

    def as_json(self) -> dict[str, Any] | None:
        """The ``accepted_findings`` block of ``results.json`` (None when there is nothing)."""
        if not (self.reason or self.entries):
            return None
        return {
            "reason": self.reason,
            "findings": [asdict(f) for f in self.accepted],
            "no_longer_occur": [asdict(e) for e in self.gone],
            "to_accept": [asdict(e) for e in self.entries],
            "complete": self.complete,
        }


def _unlisted(text: str) -> str:
    """``text`` with the ``[]`` of its field-name placeholders left out (``‹a[].b›`` -> ``‹a.b›``)."""
    return _PLACEHOLDER.sub(lambda m: m.group(0).replace("[]", ""), text) if "[]" in text else text


def _where_free(text: str) -> str:
    """``text`` without folders and line numbers."""
    text = _FOLDERS.sub("", text)
    text = _FILE_LINE.sub(r"\1:‹line›", text)
    text = _NTH.sub(r":nth-\1(‹n›)", text)
    return _LINE_WORD.sub(lambda m: f"{m.group(1)} ‹line›", text)


def fixture_names(fixture: Fixture) -> dict[str, str]:
    """The placeholders of one fixture: its values by field name, its id as ``‹fixture›``."""
    names = field_names(fixture.data)
    names.setdefault(fixture.id, "fixture")
    return names


def entry_for(finding: Finding, names: Mapping[str, str]) -> Accepted:
    """The fixture-independent, position-independent form of ``finding``."""
    return Accepted(finding.rule, mask(_where_free(finding.element), names), mask(_where_free(finding.message), names), finding.severity)


def is_acceptable(finding: Finding) -> bool:
    """Whether ``finding`` may be accepted: not a note (it never fails a case), not a crashed
    rule (it checked nothing), not the note about accepted findings themselves."""
    return finding.severity != "note" and finding.rule != RULE and not finding.message.startswith(_CRASH)


def acceptable(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if is_acceptable(f)]


def accept_command(case_id: str) -> str:
    return f"email-harness approve --accept-findings '{case_id}' --reason \"...\""


# -- the file ------------------------------------------------------------------------------------


def dump(case_id: str, reason: str, entries: Iterable[Accepted]) -> bytes:
    """The file, readable in a diff: a header saying what it is, then the reason and the
    entries in a stable order (rule, element, message)."""
    header = (
        f"# Rule findings accepted for {case_id}: they do not fail the case; a new finding does.\n"
        "# Fixture values are shown by field path (‹customer.name›, ‹orders[].number›), numbers as ‹n›; line numbers are left out.\n"
        f"# Written by: {accept_command(case_id)}\n"
    )
    body = {
        "reason": reason,
        "findings": [{"rule": e.rule, "severity": e.severity, "element": e.element, "message": e.message} for e in sorted(entries)],
    }
    # Block style (PyYAML's default since 5.1), one line per value however long.
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=1_000_000)
    return (header + text).encode("utf-8")


class AcceptedItem(BaseModel):
    """One entry of ``accepted-findings.yaml``, as :func:`dump` writes it."""

    model_config = ConfigDict(strict=True, extra="ignore")

    rule: Annotated[str, Field(max_length=200)] = ""
    severity: Annotated[str, Field(max_length=40)] = ""
    element: str = ""
    message: str = ""


class AcceptedFile(BaseModel):
    """``accepted-findings.yaml``: why, and which findings (see :func:`dump`)."""

    model_config = ConfigDict(strict=True, extra="ignore")

    reason: str
    findings: Annotated[list[AcceptedItem], Field(max_length=MAX_ENTRIES)]


def load(snapshot: ApprovedSnapshot, case_id: str) -> tuple[str, list[Accepted]]:
    """The reason and entries of the case's accepted list (``("", [])`` without one)."""
    data = snapshot.parts.get(ACCEPTED)
    if data is None:
        return "", []
    path = snapshot.folder / ACCEPTED
    hint = f"restore it with 'git checkout -- {path}' or accept the case's findings again: {accept_command(case_id)}"
    try:
        body = yaml.safe_load(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError, yaml.YAMLError) as exc:
        raise SnapshotError(f"{path}: not an accepted-findings file ({exc}); {hint}") from None
    if not isinstance(body, dict):
        raise SnapshotError(f"{path}: not an accepted-findings file (expected 'reason' (text) and 'findings' (a list)); {hint}")
    parsed = validate(AcceptedFile, body, path, SnapshotError, hint=hint)
    return parsed.reason, [Accepted(e.rule, e.element, e.message, e.severity) for e in parsed.findings]


def carried(approved: ApprovedSnapshot | None) -> dict[str, bytes]:
    """The accepted list to keep when the case's other parts are written anew (``run --update``,
    ``approve``): accepting and approving are separate decisions."""
    if approved is None or ACCEPTED not in approved.parts:
        return {}
    return {ACCEPTED: approved.parts[ACCEPTED]}


# -- checking ------------------------------------------------------------------------------------


def check_accepted(
    findings: list[Finding], approved: ApprovedSnapshot | None, names: Mapping[str, str], case_id: str,
    *, screenshots: bool = True,
) -> tuple[list[Finding], AcceptedCheck]:
    """Split ``findings`` into those that still count and those an accepted entry covers; an
    accepted entry no current finding matches becomes a note, unless the run took no
    screenshots (``screenshots=False``) of a case that has them. Returns the findings that count
    (notes included) and the check for the report."""
    reason, entries = load(approved, case_id) if approved is not None else ("", [])
    shot = approved is not None and any(name.endswith(".png") for name in approved.parts)
    check = AcceptedCheck(reason=reason, complete=screenshots or not shot)
    open_entries = Counter(e.key for e in entries)
    counting: list[Finding] = []
    for finding in findings:
        if is_acceptable(finding):
            entry = entry_for(finding, names)
            check.entries.append(entry)
            if open_entries[entry.key] > 0:
                open_entries[entry.key] -= 1
                check.accepted.append(finding)
                continue
        counting.append(finding)
    for entry in entries if check.complete else ():
        if open_entries[entry.key] > 0:
            open_entries[entry.key] -= 1
            check.gone.append(entry)
            counting.append(Finding(RULE, "note", f"accepted finding no longer occurs: {entry.describe()}; "
                                                  f"re-accept with: {accept_command(case_id)}"))
    check.entries.sort()
    return counting, check


# -- accepting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acceptance:
    """What accepting did to one case: ``accepted``, ``unchanged``, ``cleared`` (no findings:
    the list was removed) or ``refused`` (with why), and the manifest hashes before and after."""

    case: str
    status: str
    count: int = 0
    message: str = ""
    old: str | None = None
    new: str | None = None


def accept(store: SnapshotStore, template: str, fixture: str, entries: list[Accepted], reason: str) -> Acceptance:
    """Replace the case's accepted list with ``entries`` (removed when empty), leaving every
    other part of its snapshot as it is. The case needs an approved snapshot: findings are
    accepted on top of what a reviewer approved, never instead of approving it."""
    case_id = f"{template}[{fixture}]"
    if not reason.strip():
        raise ValueError("a reason is required")
    with store.lock():
        try:
            approved = store.read(template, fixture)
        except SnapshotError as exc:
            return Acceptance(case_id, "refused", message=f"{exc}; findings are accepted on a readable snapshot only")
        if approved is None:
            return Acceptance(case_id, "refused", message=(
                f"no approved snapshot yet: approve the case first (email-harness approve '{case_id}', or "
                "email-harness run --update), then accept its findings"))
        parts = {name: data for name, data in approved.parts.items() if name != ACCEPTED}
        if entries:
            parts[ACCEPTED] = dump(case_id, reason.strip(), entries)
        old = manifest_hash(approved.manifest)
        if parts == approved.parts:
            return Acceptance(case_id, "unchanged", len(entries), old=old, new=old)
        # store.write lists the parts' hashes anew: the approved manifest's own list is replaced.
        new = manifest_hash(store.write(template, fixture, parts, approved.manifest))
    return Acceptance(case_id, "accepted" if entries else "cleared", len(entries), old=old, new=new)
