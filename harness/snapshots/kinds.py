"""Snapshot kinds: the parts of a case that are stored and compared, a plugin point.

A kind turns a rendered email into the text stored in one file of the case's snapshot folder, and
says how two versions differ. A team adds one like the built-ins::

    from harness.snapshots.kinds import TextKind, snapshot_kinds

    @snapshot_kinds.register("preheader")
    class PreheaderKind(TextKind):
        name, filename = "preheader", "preheader.txt"
        def serialize(self, email):
            return extract_preheader(email.html) if email.sent else None
"""

from __future__ import annotations

import difflib
from typing import Protocol, runtime_checkable

from ..registry import Registry
from ..render import RenderedEmail
from .normalize import normalize_html

__all__ = ["HtmlKind", "MessageKind", "OutcomeKind", "SnapshotKind", "SubjectKind", "TextKind", "TextPartKind", "snapshot_kinds"]


@runtime_checkable
class SnapshotKind(Protocol):
    #: The part's name in reports and messages (``subject``).
    name: str
    #: The file of the case's snapshot folder it is stored in (``subject.txt``); a plain name.
    filename: str

    def serialize(self, email: RenderedEmail) -> str | None:
        """The text to store for ``email``; ``None`` when the part does not exist (not sent)."""
        ...

    def diff(self, approved: str, received: str, *, label: str) -> str:
        """A human-readable difference, shown in CI logs and the report."""
        ...


snapshot_kinds: Registry[type[SnapshotKind]] = Registry("snapshot kind")


class TextKind:
    """Base for kinds stored as text and compared line by line with a unified diff."""

    name = "text"
    filename = "part.txt"

    def serialize(self, email: RenderedEmail) -> str | None:
        raise NotImplementedError

    def diff(self, approved: str, received: str, *, label: str) -> str:
        lines = difflib.unified_diff(
            approved.splitlines(),
            received.splitlines(),
            fromfile=f"approved {label}",
            tofile=f"received {label}",
            lineterm="",
            n=2,
        )
        return "\n".join(lines)


@snapshot_kinds.register("outcome")
class OutcomeKind(TextKind):
    """``sent`` or ``not sent: <reason>``: a template that starts or stops going out is a change."""

    name, filename = "outcome", "outcome.txt"

    def serialize(self, email: RenderedEmail) -> str | None:
        return "sent\n" if email.sent else f"not sent: {email.reason}\n"


@snapshot_kinds.register("subject")
class SubjectKind(TextKind):
    name, filename = "subject", "subject.txt"

    def serialize(self, email: RenderedEmail) -> str | None:
        return email.subject + "\n" if email.sent else None


@snapshot_kinds.register("html")
class HtmlKind(TextKind):
    """Stored normalized (attributes sorted, pretty-printed), so the diff is about content."""

    name, filename = "html", "body.html"

    def serialize(self, email: RenderedEmail) -> str | None:
        return normalize_html(email.document) if email.sent else None


@snapshot_kinds.register("text")
class TextPartKind(TextKind):
    name, filename = "text", "body.txt"

    def serialize(self, email: RenderedEmail) -> str | None:
        return email.text if email.sent else None


@snapshot_kinds.register("message")
class MessageKind(TextKind):
    """The message as received: headers, then the MIME tree (see ``harness.message.tree``); only
    for catalogs that declare ``message:``."""

    name, filename = "message", "message.txt"

    def serialize(self, email: RenderedEmail) -> str | None:
        from ..message.tree import describe

        data = email.mime
        return describe(data) if data is not None else None
