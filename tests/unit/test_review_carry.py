"""Decisions carry over: a change rejected on one run stays rejected, with its reason, on a later
run of the same content, until the content changes or a reviewer clears the rejection. Read back
from ``snapshots/review-log.jsonl``, whose lines are trusted for nothing but a rejection of one
of the run's own pending cases."""

from __future__ import annotations

import json

import pytest

from harness.review.apply import REVIEW_LOG
from harness.review.carry import carried_rejections
from harness.review.changes import expected_hash
from harness.review.session import ReviewSession
from harness.snapshots import SnapshotStore, manifest_hash, sha256

CASE = "refund[de-refunded]"
APPROVED = {"outcome.txt": b"sent\n", "body.txt": b"Es kann bis zu 5 Werktage dauern.\n"}
RECEIVED = {"outcome.txt": b"sent\n", "body.txt": b"Es kann bis zu 7 Werktage dauern.\n"}


@pytest.fixture
def store(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    store.write("refund", "de-refunded", APPROVED, {"template": "v1"})
    return store


def a_run(store, tmp_path, parts=RECEIVED, seconds=0.1) -> dict:
    """The report of one run holding one changed case, as a CI artifact of it arrives: without the
    decisions file of an earlier review, so what carries over comes from the review log alone."""
    (tmp_path / "report/review-decisions.json").unlink(missing_ok=True)
    folder = tmp_path / "report/received/refund/de-refunded"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in parts.items():
        (folder / name).write_bytes(data)
    case = {"id": CASE, "template": "refund", "fixture": "de-refunded", "status": "changed", "seconds": seconds,
            "received": {n: sha256(d) for n, d in parts.items()}, "manifest": {"template": "v2"},
            "approved_manifest": manifest_hash(store.read("refund", "de-refunded").manifest)}
    return {"cases": [case]}


def session(store, tmp_path, document) -> ReviewSession:
    return ReviewSession(tmp_path / "report", document, store, who="Dana")


def log_lines(store) -> list[dict]:
    return [json.loads(line) for line in (store.root / REVIEW_LOG).read_text().splitlines()]


def test_a_rejection_stays_on_the_next_run_of_the_same_content(store, tmp_path):
    session(store, tmp_path, a_run(store, tmp_path)).reject([CASE], reason="7 days is wrong for Germany")
    later = session(store, tmp_path, a_run(store, tmp_path, seconds=0.2))  # another run, the same content
    assert later.state(CASE) == "rejected" and later.decisions[CASE].reason == "7 days is wrong for Germany"
    assert later.carried == {CASE} and later.decisions[CASE].who == "Dana"


def test_a_rejection_ends_when_the_content_changes(store, tmp_path):
    session(store, tmp_path, a_run(store, tmp_path)).reject([CASE], reason="7 days is wrong for Germany")
    fixed = {**RECEIVED, "body.txt": b"Es kann bis zu 6 Werktage dauern.\n"}
    later = session(store, tmp_path, a_run(store, tmp_path, parts=fixed))
    assert later.state(CASE) == "" and later.carried == set()


def test_a_reviewer_clears_a_carried_rejection(store, tmp_path):
    session(store, tmp_path, a_run(store, tmp_path)).reject([CASE], reason="not yet")
    later = session(store, tmp_path, a_run(store, tmp_path))
    assert later.undo([CASE]).cases == [CASE] and later.state(CASE) == ""
    assert log_lines(store)[-1]["action"] == "undo reject"
    assert session(store, tmp_path, a_run(store, tmp_path)).state(CASE) == ""  # cleared for the runs after too


def test_approving_a_carried_rejection_replaces_it(store, tmp_path):
    session(store, tmp_path, a_run(store, tmp_path)).reject([CASE], reason="not yet")
    later = session(store, tmp_path, a_run(store, tmp_path))
    assert later.approve([CASE]).cases == [CASE] and later.state(CASE) == "approved"
    assert [e["action"] for e in log_lines(store)] == ["reject", "undo reject", "approve"]


def test_the_last_decision_on_the_content_counts(tmp_path):
    def line(action: str, new: str = "sha256:b", **more: str) -> str:
        return json.dumps({"case": CASE, "action": action, "old": "sha256:a", "new": new, **more})

    def carried(*lines: str) -> list[str]:
        log = tmp_path / REVIEW_LOG
        log.write_text("\n".join(lines) + "\n")
        return [c.reason for c in carried_rejections(log, {CASE: "sha256:b"}).values()]

    assert carried(line("reject", reason="no")) == ["no"]
    assert carried(line("reject", reason="no"), line("undo reject")) == []
    assert carried(line("undo reject"), line("reject", reason="again")) == ["again"]
    assert carried(line("reject", reason="no"), line("reject", new="sha256:other", reason="other content")) == ["no"]
    assert carried(line("reject", new="sha256:other")) == []  # another content: nothing carried
    assert carried(line("reject", reason="no"), line("accept findings", reason="ok")) == ["no"]  # not a decision on the change


def test_a_tampered_log_is_read_line_by_line_and_decides_no_path(store, tmp_path):
    document = a_run(store, tmp_path)
    new = expected_hash(document["cases"][0])
    hostile = [
        "not json", "[1, 2]", "{", json.dumps({"case": CASE, "action": "reject", "new": 5}),  # malformed, wrong types
        json.dumps({"case": CASE, "action": "reject", "new": new, "reason": ["a", "list"]}),
        json.dumps({"case": "../../etc[passwd]", "action": "reject", "new": new, "from": "/etc"}),  # not a case of this run
        json.dumps({"case": CASE, "action": "reject", "new": new, "reason": "x" * 30_000}),  # a line far too long
        json.dumps({"case": CASE, "action": "delete everything", "new": new}),
        "\x00\xff garbage",
    ]
    good = json.dumps({"case": CASE, "action": "reject", "new": new, "reason": "kept", "who": "Ann", "from": "../../elsewhere"})
    (store.root / REVIEW_LOG).write_text("\n".join([good, *hostile]) + "\n")
    later = session(store, tmp_path, document)
    assert later.state(CASE) == "rejected" and later.decisions[CASE].reason == "kept" and later.notes == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "snapshots"]


def test_a_log_that_cannot_be_read_carries_nothing_and_says_so(store, tmp_path):
    secret = tmp_path / "secret.jsonl"
    secret.write_text(json.dumps({"case": CASE, "action": "reject", "new": "x"}) + "\n")
    (store.root / REVIEW_LOG).symlink_to(secret)
    later = session(store, tmp_path, a_run(store, tmp_path))
    assert later.state(CASE) == "" and any("not carried over" in n and "symbolic link" in n for n in later.notes)
