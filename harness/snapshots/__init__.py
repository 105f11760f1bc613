"""Snapshot storage and comparison: what a designer approved, and how a new render differs."""

from .kinds import (
    HtmlKind,
    OutcomeKind,
    SnapshotKind,
    SubjectKind,
    TextKind,
    TextPartKind,
    snapshot_kinds,
)
from .normalize import normalize_html
from .store import ApprovedSnapshot, SnapshotStore, atomic_write, manifest_hash, sha256

__all__ = [
    "ApprovedSnapshot",
    "HtmlKind",
    "OutcomeKind",
    "SnapshotKind",
    "SnapshotStore",
    "SubjectKind",
    "TextKind",
    "TextPartKind",
    "atomic_write",
    "manifest_hash",
    "normalize_html",
    "sha256",
    "snapshot_kinds",
]
