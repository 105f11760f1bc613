"""Approval, decisions files and undo, as a reviewer meets them, without a run or a browser: a
report is a hand-written ``results.json`` case with its received files, the snapshots a store in a
temporary folder.

- approval from a report writes only onto the snapshot the run compared against (a snapshot
  deleted since is stale too);
- a decisions file is read strictly: ``"confirm_outcome": "false"`` is not a confirmation, a case
  decided twice or on another run is refused, and each decision applies only to the snapshots it
  names, whose hashes are pinned here with values worked out by hand;
- undo puts back exactly the snapshot an approval replaced, and nothing else.
"""

from __future__ import annotations

import base64
import json
from dataclasses import replace

import pytest
from flask import Flask

from harness.errors import HarnessError
from harness.review.apply import REVIEW_LOG, ReportApprover, approve_from_report
from harness.review.changes import expected_hash
from harness.review.decisions import (DECISIONS, FORMAT, Decision, OtherRunError, apply_decisions, check_decision, read_decisions,
                                      run_id, write_decisions)
from harness.review.session import ReviewSession
from harness.snapshots import SnapshotStore, manifest_hash, sha256

CASE = "refund[de-refunded]"
APPROVED = {"outcome.txt": b"sent\n", "body.txt": b"old\n"}
RECEIVED = {"outcome.txt": b"sent\n", "body.txt": b"new\n"}
NOT_SENT = {"outcome.txt": b"not sent: no order\n"}

#: Worked out outside the harness: ``printf 'new\n' | sha256sum`` and so on; the manifest hash is
#: the sha256 of the manifest as JSON with sorted keys, ``{"parts": {"body.txt": "sha256:7aa7…",
#: "outcome.txt": "sha256:233f…"}, "template": "v2"}``.
NEW_BODY = "sha256:7aa7a5359173d05b63cfd682e3c38487f3cb4f7f1d60659fe59fab1505977d4c"
SENT = "sha256:233f85fc585b9b04807ce8350ee0626d53c519102de3305cb88b5531458fff90"
RECEIVED_MANIFEST = "sha256:258c6afda628e61f0be0c47a683d39a94049c7c0cd2a69b40e099c93150cac72"
ZEROS = "sha256:" + "0" * 64


@pytest.fixture
def store(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    store.write("refund", "de-refunded", APPROVED, {"template": "v1"})
    return store


@pytest.fixture
def report(tmp_path):
    return tmp_path / "report"


def pending_case(store, report, *, fixture="de-refunded", parts=RECEIVED, status="changed"):
    """The case as results.json records it, with its evidence written into the report as a run
    writes it: every received part under ``received/``, the approved copy of each changed part
    under ``approved/``."""
    current = store.read("refund", fixture)
    before = current.parts if current else {}
    changed = sorted(name for name in parts.keys() | before.keys() if parts.get(name) != before.get(name))
    for side, files in (("received", parts), ("approved", {n: before[n] for n in changed if n in before})):
        folder = report / side / "refund" / fixture
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
    return {"id": f"refund[{fixture}]", "template": "refund", "fixture": fixture, "status": status, "outcome": "sent",
            "received": {name: sha256(data) for name, data in parts.items()}, "manifest": {"template": "v2"},
            "approved": [n for n in changed if n in before],
            "changes": [{"kind": "text", "filename": n, "status": "changed" if n in before else "new"} for n in changed],
            "approved_manifest": manifest_hash(current.manifest) if current else None}


def log(store) -> list[dict]:
    path = store.root / REVIEW_LOG
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def decision(case, verdict="approve", **extra) -> Decision:
    return Decision(case["id"], verdict, case["approved_manifest"], expected_hash(case), **extra)


def decisions_file(tmp_path, document, *entries, run=None) -> object:
    path = tmp_path / "exported.json"
    path.write_text(json.dumps({"format": FORMAT, "run": run_id(document) if run is None else run, "decisions": list(entries)}))
    return path


# -- the hashes decisions are made on ------------------------------------------------------------


def test_hashes_are_sha256_of_the_bytes_and_of_the_sorted_manifest():
    assert sha256(b"new\n") == NEW_BODY and sha256(b"sent\n") == SENT
    assert manifest_hash({"template": "v2", "parts": {"outcome.txt": SENT, "body.txt": NEW_BODY}}) == RECEIVED_MANIFEST
    assert manifest_hash({}) == "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"  # sha256 of '{}'


def test_expected_hash_is_the_manifest_approval_will_write():
    case = {"manifest": {"template": "v2"}, "received": {"outcome.txt": SENT, "body.txt": NEW_BODY}}
    assert expected_hash(case) == RECEIVED_MANIFEST
    assert expected_hash({**case, "manifest": {"template": "v3"}}) != RECEIVED_MANIFEST
    assert expected_hash({"manifest": None, "received": {}}) is None and expected_hash({"manifest": {}, "received": "x"}) is None


def test_expected_hash_is_what_approving_really_writes(store, report):
    case = pending_case(store, report)
    assert expected_hash(case) == RECEIVED_MANIFEST
    assert ReportApprover(report, {"cases": [case]}, store).approve(CASE, who="Dana").new == RECEIVED_MANIFEST
    assert manifest_hash(store.read("refund", "de-refunded").manifest) == RECEIVED_MANIFEST


def test_the_run_id_is_pinned_and_depends_only_on_the_pending_changes():
    case = {"id": CASE, "status": "changed", "approved_manifest": ZEROS, "manifest": {"template": "v2"},
            "received": {"outcome.txt": SENT, "body.txt": NEW_BODY}}
    # The first 16 hex digits of sha256('[["refund[de-refunded]", "sha256:000…0", "sha256:258c…"]]').
    assert run_id({"cases": [case]}) == "9692eba4a0c1ea01"
    assert run_id({"cases": []}) == run_id({}) == run_id([]) == "4f53cda18c2baa0c"  # sha256('[]')
    passed = {**case, "id": "welcome[en-ada]", "status": "passed"}
    assert run_id({"cases": [passed, case, 5]}) == "9692eba4a0c1ea01"
    other = {**case, "id": "welcome[en-ada]", "status": "new"}
    assert run_id({"cases": [other, case]}) == run_id({"cases": [case, other]}) != "9692eba4a0c1ea01"
    assert run_id({"cases": [{**case, "approved_manifest": None}]}) != "9692eba4a0c1ea01"
    assert run_id({"cases": [{**case, "manifest": {"template": "v3"}}]}) != "9692eba4a0c1ea01"


# -- approval from a report: a stale report --------------------------------------------------------


def test_a_report_whose_snapshot_was_deleted_since_the_run_is_stale(store, report):
    """Someone removed the case's snapshot after the run (the template was retired, a clean-up):
    the report's change was made against a snapshot that is gone, so it is not approved as if new."""
    case = pending_case(store, report)
    store.remove("refund", "de-refunded")
    result = ReportApprover(report, {"cases": [case]}, store).approve(CASE, who="Dana")
    assert (result.ok, result.message) == (False, "the approved snapshot changed since this run (stale report); "
                                                  f"re-run 'email-harness run --only \"{CASE}\"' and review again")
    assert store.read("refund", "de-refunded") is None and log(store) == []
    [again] = approve_from_report(report, {"cases": [case]}, store, [CASE], allow_outcome_change=True)
    assert not again.ok and "stale report" in again.message and store.cases() == set()


# -- a decisions file, read back -----------------------------------------------------------------


def test_decisions_written_and_read_back_are_the_same(tmp_path, store, report):
    document = {"cases": [pending_case(store, report)]}
    kept = [decision(document["cases"][0], reason="new wording", confirm_outcome=True, who="Dana", when="2026-12-04T10:00:00+00:00",
                     group="copy")]
    write_decisions(tmp_path / DECISIONS, kept, document)
    assert read_decisions(tmp_path / DECISIONS, document) == kept
    assert json.loads((tmp_path / DECISIONS).read_text())["run"] == run_id(document)


@pytest.mark.parametrize("written", ["false", "true", "yes", 0, 1, None])
def test_confirm_outcome_in_a_file_is_true_or_false_never_a_string_or_number(tmp_path, written):
    """A hand-edited ``"confirm_outcome": "false"`` is truthy in Python: read loosely it would
    confirm that an email starts going to people. The whole file is refused, naming the field."""
    document = {"cases": []}
    path = decisions_file(tmp_path, document, {"case": CASE, "decision": "approve", "confirm_outcome": written})
    with pytest.raises(HarnessError) as raised:
        read_decisions(path, document)
    assert str(raised.value) == (f"{path}: field decisions[0].confirm_outcome: Input should be a valid boolean; "
                                 "export the decisions from the review page again")


def test_a_kept_state_file_with_a_string_confirmation_restores_nothing(store, report):
    """The review server's own state file is read back the same way: a note, no decision."""
    document = {"cases": [pending_case(store, report)]}
    (report / DECISIONS).write_text(json.dumps({"format": FORMAT, "run": run_id(document), "decisions": [
        {"case": CASE, "decision": "approve", "old": document["cases"][0]["approved_manifest"], "new": RECEIVED_MANIFEST,
         "confirm_outcome": "false"}]}))
    session = ReviewSession(report, document, store, who="Dana")
    assert session.decisions == {}
    assert [n.split(": field ")[-1] for n in session.notes] == [
        "decisions[0].confirm_outcome: Input should be a valid boolean; export the decisions from the review page again"]


@pytest.mark.parametrize("written", ["false", "true", 1, None])
def test_the_review_page_refuses_a_confirmation_that_is_not_true_or_false(written):
    from harness.review.app import _payload

    with Flask(__name__).test_request_context(method="POST", data=json.dumps({"case": CASE, "confirm_outcome": written})):
        response, status = _payload()
    assert (status, response.get_json()["error"]) == (400, 'field "confirm_outcome" must be true or false')
    with Flask(__name__).test_request_context(method="POST", data=json.dumps({"case": CASE, "confirm_outcome": False})):
        assert _payload() == {"case": CASE, "confirm_outcome": False}


def test_a_case_decided_twice_in_one_file_is_refused(tmp_path):
    document = {"cases": []}
    path = decisions_file(tmp_path, document, {"case": CASE, "decision": "approve"}, {"case": CASE, "decision": "reject"})
    with pytest.raises(HarnessError) as raised:
        read_decisions(path, document)
    assert str(raised.value) == (f"{path}: case '{CASE}' is decided twice (approve and reject); keep one decision per case; "
                                 "export the decisions from the review page again")
    other = decisions_file(tmp_path, document, {"case": CASE, "decision": "approve"}, {"case": "refund[en-new]", "decision": "approve"})
    assert [d.case for d in read_decisions(other, document)] == [CASE, "refund[en-new]"]


def test_decisions_made_on_another_run_are_refused_unless_no_report_is_given(tmp_path):
    path = decisions_file(tmp_path, {"cases": []}, {"case": CASE, "decision": "reject"}, run="0123456789abcdef")
    with pytest.raises(OtherRunError) as raised:
        read_decisions(path, {"cases": []})
    assert str(raised.value) == (f"{path}: these decisions were made on another run than this report's; "
                                 "review the report of the run you want to approve")
    assert [d.decision for d in read_decisions(path)] == ["reject"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a decisions file (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
        ('{"format": "email-harness-decisions/2", "decisions": []}',
         'not a decisions file (expected "format": "email-harness-decisions/1" and a list of decisions)'),
        ("[]", 'not a decisions file (expected "format": "email-harness-decisions/1" and a list of decisions)'),
        ('{"format": "email-harness-decisions/1", "decisions": [{"case": "", "decision": "approve"}]}',
         "field decisions[0].case: String should have at least 1 character"),
        ('{"format": "email-harness-decisions/1", "decisions": [{"case": "a[b]", "decision": "maybe"}]}',
         "field decisions[0].decision: Input should be 'approve' or 'reject'"),
    ],
)
def test_a_file_that_is_not_a_decisions_file_is_named(tmp_path, content, message):
    path = tmp_path / "exported.json"
    path.write_text(content)
    with pytest.raises(HarnessError) as raised:
        read_decisions(path)
    assert str(raised.value).startswith(f"{path}: {message}")


def test_long_texts_are_cut_to_what_the_page_allows(tmp_path):
    path = decisions_file(tmp_path, {"cases": []}, {"case": CASE, "decision": "reject", "reason": "r" * 3000, "who": "w" * 300,
                                                     "when": "2026-12-04T10:00:00+00:00" + "x" * 50, "group": "g" * 50})
    [read] = read_decisions(path)
    assert (len(read.reason), len(read.who), len(read.when), len(read.group)) == (2000, 200, 40, 40)


# -- which decision applies to which case ----------------------------------------------------------


def test_a_decision_applies_only_to_the_snapshots_it_names(store, report):
    case = pending_case(store, report)
    made = decision(case)
    assert (made.old, made.new) == (case["approved_manifest"], RECEIVED_MANIFEST)
    assert check_decision(made, case) == ""
    assert check_decision(made, None) == "not a pending change in this report"
    other = "decided on other snapshots than this report's (another run, or an altered file)"
    assert check_decision(Decision(CASE, "approve", ZEROS, RECEIVED_MANIFEST), case) == other
    assert check_decision(Decision(CASE, "approve", case["approved_manifest"], ZEROS), case) == other
    assert check_decision(Decision(CASE, "reject", None, RECEIVED_MANIFEST), case) == other


# -- applying a decisions file ---------------------------------------------------------------------


def test_an_exported_approval_writes_the_snapshot_and_a_rejection_only_logs(tmp_path, store, report):
    approved, rejected = pending_case(store, report), pending_case(store, report, fixture="en-new", status="new")
    document = {"cases": [approved, rejected]}
    path = tmp_path / DECISIONS
    write_decisions(path, [decision(approved, who="Dana", reason="new wording"),
                           decision(rejected, "reject", who="Kai", reason="no such order", when="2026-12-04T10:00:00+00:00")], document)
    results = apply_decisions(report, document, store, path, who="CI")
    assert [(r.case, r.ok, r.message) for r in results] == [(CASE, True, ""), ("refund[en-new]", True, "rejected: no such order")]
    assert store.read("refund", "de-refunded").parts == RECEIVED and store.read("refund", "en-new") is None
    assert [(e["action"], e["case"], e["who"], e.get("reason")) for e in log(store)] == [
        ("approve", CASE, "Dana", "new wording"), ("reject", "refund[en-new]", "Kai", "no such order")]
    assert log(store)[1]["when"] == "2026-12-04T10:00:00+00:00"
    assert (log(store)[1]["old"], log(store)[1]["new"]) == (None, expected_hash(rejected))


def test_a_decision_on_other_snapshots_writes_nothing(tmp_path, store, report):
    case = pending_case(store, report)
    document = {"cases": [case]}
    path = tmp_path / DECISIONS
    write_decisions(path, [Decision(CASE, "approve", case["approved_manifest"], ZEROS, who="Dana"),
                           Decision("refund[en-gone]", "reject", None, None, who="Dana")], document)
    results = apply_decisions(report, document, store, path)
    assert [(r.case, r.ok, r.message) for r in results] == [
        (CASE, False, "decided on other snapshots than this report's (another run, or an altered file)"),
        ("refund[en-gone]", False, "not a pending change in this report")]
    assert store.read("refund", "de-refunded").parts == APPROVED and log(store) == []


@pytest.mark.parametrize(("in_file", "option", "written"), [(False, False, False), (False, True, False), (True, False, False), (True, True, True)])
def test_an_email_that_starts_being_sent_needs_the_pages_confirmation_and_the_option(tmp_path, store, report, in_file, option, written):
    store.write("refund", "en-nobody", NOT_SENT, {})
    case = pending_case(store, report, fixture="en-nobody")
    document = {"cases": [case]}
    path = tmp_path / DECISIONS
    write_decisions(path, [decision(case, confirm_outcome=in_file, who="Dana")], document)
    [result] = apply_decisions(report, document, store, path, allow_outcome_change=option)
    assert (result.ok, result.needs_confirmation) == (written, not written)
    assert store.read("refund", "en-nobody").parts == (RECEIVED if written else NOT_SENT)
    if not in_file:
        assert result.message == ("starts or stops sending this email, but the decision does not record the outcome confirmation; "
                                  "confirm it on the review page")
    if written:
        assert log(store)[-1]["outcome"] == "not sent: no order -> sent"


def test_the_option_alone_confirms_nothing_even_when_the_reports_approved_copy_is_missing(tmp_path, store, report):
    """Without ``approved/`` (an artifact downloaded in part) the report cannot show the outcome
    change; the snapshot store still can, and the option alone does not stand for the page's
    confirmation."""
    store.write("refund", "en-nobody", NOT_SENT, {})
    case = pending_case(store, report, fixture="en-nobody")
    (report / "approved/refund/en-nobody/outcome.txt").unlink()
    path = tmp_path / DECISIONS
    write_decisions(path, [decision(case, who="Dana")], {"cases": [case]})
    [result] = apply_decisions(report, {"cases": [case]}, store, path, allow_outcome_change=True)
    assert (result.ok, result.needs_confirmation) == (False, True) and result.message.startswith("starts sending this email")
    assert store.read("refund", "en-nobody").parts == NOT_SENT


def test_a_file_confirming_an_ordinary_change_needs_no_option(tmp_path, store, report):
    case = pending_case(store, report)
    path = tmp_path / DECISIONS
    write_decisions(path, [decision(case, who="Dana")], {"cases": [case]})
    assert [r.ok for r in apply_decisions(report, {"cases": [case]}, store, path)] == [True]


# -- undo on the review page -----------------------------------------------------------------------


def test_undo_puts_back_the_replaced_snapshot_byte_for_byte(store, report):
    before = store.read("refund", "de-refunded")
    session = ReviewSession(report, {"cases": [pending_case(store, report)]}, store, who="Dana")
    assert session.approve([CASE]).cases == [CASE] and store.read("refund", "de-refunded").parts == RECEIVED
    assert session.state(CASE) == "approved"
    assert session.undo([CASE]).cases == [CASE]
    after = store.read("refund", "de-refunded")
    assert (after.parts, after.manifest) == (before.parts, before.manifest)
    assert [e["action"] for e in log(store)] == ["approve", "undo approve"] and session.decisions == {}
    assert session.state(CASE) == ""


def test_undo_of_a_new_case_removes_it(store, report):
    session = ReviewSession(report, {"cases": [pending_case(store, report, fixture="en-new", status="new")]}, store, who="Dana")
    session.approve(["refund[en-new]"])
    assert session.undo(["refund[en-new]"]).errors == {}
    assert store.read("refund", "en-new") is None and ("refund", "en-new") not in store.cases()


def test_undo_after_someone_changed_the_snapshot_writes_nothing(store, report):
    session = ReviewSession(report, {"cases": [pending_case(store, report)]}, store, who="Dana")
    session.approve([CASE])
    store.write("refund", "de-refunded", {"outcome.txt": b"sent\n", "body.txt": b"someone else's\n"}, {})
    done = session.undo([CASE])
    assert done.errors == {CASE: "the snapshot changed since it was approved here; restore it with git instead"}
    assert store.read("refund", "de-refunded").parts["body.txt"] == b"someone else's\n" and CASE in session.decisions


def test_undo_from_a_forged_copy_writes_nothing(store, report):
    """The kept copy lies in the report folder; the review log beside the snapshots says which
    snapshot the approval replaced."""
    session = ReviewSession(report, {"cases": [pending_case(store, report)]}, store, who="Dana")
    session.approve([CASE])
    stash = report / "review-undo" / "refund" / "de-refunded.json"
    forged = {"manifest": {"template": "v1"}, "parts": {n: base64.b64encode(b"forged\n" if n == "body.txt" else d).decode()
                                                         for n, d in APPROVED.items()}}
    stash.write_text(json.dumps(forged))
    [(case, message)] = session.undo([CASE]).errors.items()
    assert case == CASE and message.startswith(f"cannot undo: {stash} is not the snapshot this approval replaced")
    assert message.endswith("it was altered or replaced; nothing was written; restore the snapshot with git")
    assert store.read("refund", "de-refunded").parts == RECEIVED


def test_undo_without_the_logged_approval_writes_nothing(store, report):
    session = ReviewSession(report, {"cases": [pending_case(store, report)]}, store, who="Dana")
    session.approve([CASE])
    (store.root / REVIEW_LOG).write_text("")
    [message] = session.undo([CASE]).errors.values()
    assert message.startswith("cannot undo: the replaced snapshot is not available (") and "records no approval of" in message
    assert store.read("refund", "de-refunded").parts == RECEIVED


def test_undo_needs_the_log_and_the_decision_to_name_the_same_replaced_snapshot(store, report):
    """The decision (kept in the report folder) and the review log (beside the snapshots) must
    both name the snapshot the kept copy holds; either one altered, nothing is written."""
    session = ReviewSession(report, {"cases": [pending_case(store, report)]}, store, who="Dana")
    session.approve([CASE])
    genuine = session.decisions[CASE]
    session.decisions[CASE] = replace(genuine, old=ZEROS)  # the copy and the log agree; the decision does not
    assert "is not the snapshot this approval replaced" in session.undo([CASE]).errors[CASE]
    assert store.read("refund", "de-refunded").parts == RECEIVED

    stash = report / "review-undo" / "refund" / "de-refunded.json"
    forged = {"template": "v1", "parts": {"outcome.txt": b"sent\n", "body.txt": b"forged\n"}}
    stash.write_text(json.dumps({"manifest": {"template": "v1"},
                                 "parts": {n: base64.b64encode(d).decode() for n, d in forged["parts"].items()}}))
    forged_hash = manifest_hash({"template": "v1", "parts": {n: sha256(d) for n, d in sorted(forged["parts"].items())}})
    session.decisions[CASE] = replace(genuine, old=forged_hash)  # the copy and the decision agree; the log does not
    assert "is not the snapshot this approval replaced" in session.undo([CASE]).errors[CASE]
    assert store.read("refund", "de-refunded").parts == RECEIVED


def test_undo_refuses_when_the_log_records_a_later_approval_of_another_snapshot(store, report):
    session = ReviewSession(report, {"cases": [pending_case(store, report)]}, store, who="Dana")
    session.approve([CASE])
    old = session.decisions[CASE].old
    with (store.root / REVIEW_LOG).open("a") as lines:  # approved again elsewhere, then put back by hand
        lines.write(json.dumps({"case": CASE, "action": "approve", "old": old, "new": ZEROS}) + "\n")
    [message] = session.undo([CASE]).errors.values()
    assert message.endswith(f"records no approval of {CASE} that wrote the current snapshot); nothing was written; restore it with git")
    assert store.read("refund", "de-refunded").parts == RECEIVED


def test_a_rejection_is_undone_by_forgetting_it(store, report):
    session = ReviewSession(report, {"cases": [pending_case(store, report)]}, store, who="Dana")
    session.reject([CASE], reason="not yet")
    assert session.state(CASE) == "rejected"
    session.undo([CASE])
    assert session.decisions == {} and [e["action"] for e in log(store)] == ["reject", "undo reject"]
    assert store.read("refund", "de-refunded").parts == APPROVED


def test_rejecting_an_approved_case_undoes_the_approval_first(store, report):
    session = ReviewSession(report, {"cases": [pending_case(store, report)]}, store, who="Dana")
    session.approve([CASE])
    assert session.reject([CASE], reason="changed my mind").cases == [CASE]
    assert store.read("refund", "de-refunded").parts == APPROVED
    assert [e["action"] for e in log(store)] == ["approve", "undo approve", "reject"]


def test_decisions_survive_a_restart_only_while_the_snapshots_agree(store, report):
    document = {"cases": [pending_case(store, report)]}
    ReviewSession(report, document, store, who="Dana").approve([CASE])
    assert ReviewSession(report, document, store, who="Dana").decisions[CASE].decision == "approve"
    store.write("refund", "de-refunded", APPROVED, {"template": "v1"})  # someone put the old one back
    restarted = ReviewSession(report, document, store, who="Dana")
    assert restarted.decisions == {}
    assert restarted.notes == [f"{CASE}: the earlier approve no longer matches the snapshots; review it again"]
