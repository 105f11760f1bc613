"""The review server's decisions (``harness/review/session.py``): approve writes the snapshot and
keeps what it replaced, reject records a reason, undo puts back exactly the replaced snapshot,
and every action is logged in ``snapshots/review-log.jsonl`` and kept across a restart.

Fast, on a hand-made report folder with one changed case; the browser-level flows are in
``tests/test_review_decisions.py``.
"""

from __future__ import annotations

import json

import pytest

from harness.review.apply import REVIEW_LOG
from harness.review.changes import expected_hash
from harness.review.decisions import DECISIONS
from harness.review.session import ReviewSession, UndoRecord
from harness.snapshots import SnapshotStore, manifest_hash, sha256

CASE = "refund[de-refunded]"
APPROVED = {"outcome.txt": b"sent\n", "body.txt": b"old\n"}
RECEIVED = {"outcome.txt": b"sent\n", "body.txt": b"new\n"}


@pytest.fixture
def store(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    store.write("refund", "de-refunded", APPROVED, {"template": "v1"})
    return store


def report_case(store, tmp_path, *, fixture="de-refunded", parts=RECEIVED, status="changed"):
    """One changed (or new) case of results.json, its received files written under report/received/."""
    folder = tmp_path / "report" / "received" / "refund" / fixture
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in parts.items():
        (folder / name).write_bytes(data)
    current = store.read("refund", fixture)
    return {"id": f"refund[{fixture}]", "template": "refund", "fixture": fixture, "status": status,
            "received": {n: sha256(d) for n, d in parts.items()}, "manifest": {"template": "v2"},
            "approved_manifest": manifest_hash(current.manifest) if current else None}


def session_for(store, tmp_path, *cases, who="Dana"):
    return ReviewSession(tmp_path / "report", {"format": 1, "cases": list(cases)}, store, who=who)


def log(store):
    path = store.root / REVIEW_LOG
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# -- approve ---------------------------------------------------------------------------------------

def test_approving_writes_the_snapshot_keeps_the_replaced_one_and_logs_it(store, tmp_path):
    case = report_case(store, tmp_path)
    session = session_for(store, tmp_path, case)
    result = session.approve([CASE], reason="new wording", group="g1")
    assert (result.cases, result.errors, result.needs_confirmation) == ([CASE], {}, [])
    assert store.read("refund", "de-refunded").parts == RECEIVED
    assert session.state(CASE) == "approved"
    decision = session.decisions[CASE]
    assert (decision.decision, decision.old, decision.new) == ("approve", case["approved_manifest"], expected_hash(case))
    assert (decision.reason, decision.group, decision.who) == ("new wording", "g1", "Dana")
    kept = json.loads((tmp_path / "report" / "review-undo" / "refund" / "de-refunded.json").read_text())
    assert kept["manifest"]["template"] == "v1" and set(kept["parts"]) == set(APPROVED)
    [entry] = log(store)
    assert (entry["action"], entry["case"], entry["who"]) == ("approve", CASE, "Dana")


def test_approving_twice_is_one_approval(store, tmp_path):
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    session.approve([CASE])
    again = session.approve([CASE])
    assert again.cases == [CASE] and again.errors == {}
    assert [e["action"] for e in log(store)] == ["approve"]


def test_a_case_that_is_not_pending_is_an_error_and_nothing_is_written(store, tmp_path):
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    result = session.approve(["refund[en-other]"])
    assert result.cases == [] and "not a pending change" in result.errors["refund[en-other]"]
    assert log(store) == [] and store.read("refund", "de-refunded").parts == APPROVED


def test_a_case_that_starts_being_sent_needs_confirmation(store, tmp_path):
    store.write("refund", "de-refunded", {"outcome.txt": b"not sent: no order\n"}, {"template": "v1"})
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    refused = session.approve([CASE])
    assert refused.cases == [] and refused.needs_confirmation == [CASE] and CASE in refused.errors
    assert CASE not in session.decisions
    confirmed = session.approve([CASE], confirm_outcome=True)
    assert confirmed.cases == [CASE] and session.decisions[CASE].confirm_outcome is True


def test_decisions_are_kept_across_a_restart(store, tmp_path):
    case = report_case(store, tmp_path)
    session_for(store, tmp_path, case).approve([CASE])
    assert (tmp_path / "report" / DECISIONS).is_file()
    restarted = session_for(store, tmp_path, case)
    assert restarted.decisions[CASE].decision == "approve" and restarted.state(CASE) == "approved"
    assert restarted.notes == []


def test_a_kept_approval_that_no_longer_matches_the_snapshots_is_dropped_with_a_note(store, tmp_path):
    case = report_case(store, tmp_path)
    session_for(store, tmp_path, case).approve([CASE])
    store.write("refund", "de-refunded", {"outcome.txt": b"sent\n", "body.txt": b"someone else's\n"}, {"template": "v3"})
    restarted = session_for(store, tmp_path, case)
    assert CASE not in restarted.decisions
    assert restarted.notes == [f"{CASE}: the earlier approve no longer matches the snapshots; review it again"]


def test_an_approval_whose_replaced_snapshot_cannot_be_kept_still_stands_with_a_note(store, tmp_path):
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "review-undo").write_text("a file where the folder goes")
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    assert session.approve([CASE]).cases == [CASE]
    assert store.read("refund", "de-refunded").parts == RECEIVED
    [note] = session.notes
    assert note.startswith(f"{CASE}: approved, but undo will not be possible")


# -- undo ------------------------------------------------------------------------------------------

def test_undo_of_an_approval_puts_the_replaced_snapshot_back_and_logs_it(store, tmp_path):
    case = report_case(store, tmp_path)
    session = session_for(store, tmp_path, case)
    before = store.read("refund", "de-refunded").manifest
    session.approve([CASE])
    result = session.undo([CASE])
    assert (result.cases, result.errors) == ([CASE], {})
    after = store.read("refund", "de-refunded")
    assert after.parts == APPROVED and manifest_hash(after.manifest) == manifest_hash(before)
    assert CASE not in session.decisions and session.state(CASE) == ""
    assert [e["action"] for e in log(store)] == ["approve", "undo approve"]
    assert session_for(store, tmp_path, case).decisions == {}  # the undo is kept too


def test_undo_of_a_new_cases_approval_removes_the_snapshot(store, tmp_path):
    case = report_case(store, tmp_path, fixture="en-new", status="new")
    session = session_for(store, tmp_path, case)
    assert session.approve(["refund[en-new]"]).cases == ["refund[en-new]"]
    assert store.read("refund", "en-new") is not None
    assert session.undo(["refund[en-new]"]).errors == {}
    assert store.read("refund", "en-new") is None


def test_undo_after_the_snapshot_changed_again_is_refused_and_writes_nothing(store, tmp_path):
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    session.approve([CASE])
    later = {"outcome.txt": b"sent\n", "body.txt": b"later\n"}
    store.write("refund", "de-refunded", later, {"template": "v3"})
    result = session.undo([CASE])
    assert result.cases == [] and result.errors[CASE] == "the snapshot changed since it was approved here; restore it with git instead"
    assert store.read("refund", "de-refunded").parts == later and CASE in session.decisions


def test_undo_without_the_kept_copy_is_refused_and_writes_nothing(store, tmp_path):
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    session.approve([CASE])
    (tmp_path / "report" / "review-undo" / "refund" / "de-refunded.json").unlink()
    error = session.undo([CASE]).errors[CASE]
    assert error.startswith("cannot undo: the replaced snapshot is not available") and "nothing was written" in error
    assert store.read("refund", "de-refunded").parts == RECEIVED


def test_undo_needs_the_approval_in_the_review_log(store, tmp_path):
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    session.approve([CASE])
    (store.root / REVIEW_LOG).write_text("not json\n" + json.dumps({"case": "other[x]", "action": "approve", "old": None, "new": "h"}) + "\n")
    error = session.undo([CASE]).errors[CASE]
    assert "records no approval of refund[de-refunded] that wrote the current snapshot" in error
    assert store.read("refund", "de-refunded").parts == RECEIVED


def test_undo_reads_the_last_approval_of_the_case_in_the_log_skipping_lines_not_ours(store, tmp_path):
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    session.approve([CASE])
    path = store.root / REVIEW_LOG
    path.write_text(path.read_text() + "garbage\n" + json.dumps({"case": "other[x]", "action": "approve", "new": "h"}) + "\n"
                    + json.dumps({"case": CASE, "action": "reject", "new": "h"}) + "\n")
    assert session.undo([CASE]).errors == {}
    assert store.read("refund", "de-refunded").parts == APPROVED


def test_a_later_approval_in_the_log_that_wrote_another_snapshot_refuses_undo(store, tmp_path):
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    session.approve([CASE])
    path = store.root / REVIEW_LOG
    path.write_text(path.read_text() + json.dumps({"case": CASE, "action": "approve", "old": None, "new": "another"}) + "\n")
    assert "records no approval" in session.undo([CASE]).errors[CASE]


def test_undo_of_a_case_without_a_decision_does_nothing(store, tmp_path):
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    result = session.undo([CASE])
    assert (result.cases, result.errors) == ([], {}) and log(store) == []


# -- reject ----------------------------------------------------------------------------------------

def test_rejecting_records_the_reason_and_leaves_the_snapshot(store, tmp_path):
    case = report_case(store, tmp_path)
    session = session_for(store, tmp_path, case)
    result = session.reject([CASE], reason="the logo is cut off", group="g2")
    assert (result.cases, result.errors) == ([CASE], {})
    assert store.read("refund", "de-refunded").parts == APPROVED and session.state(CASE) == "rejected"
    decision = session.decisions[CASE]
    assert (decision.decision, decision.old, decision.new) == ("reject", case["approved_manifest"], expected_hash(case))
    [entry] = log(store)
    assert (entry["action"], entry["reason"], entry["group"], entry["who"]) == ("reject", "the logo is cut off", "g2", "Dana")
    assert entry["old"] == case["approved_manifest"] and entry["new"] == expected_hash(case)
    assert entry["from"].endswith("report")  # the report folder the decision was made from


def test_a_log_line_leaves_out_an_empty_reason_and_group(store, tmp_path):
    session_for(store, tmp_path, report_case(store, tmp_path)).reject([CASE])
    [entry] = log(store)
    assert "reason" not in entry and "group" not in entry


def test_rejecting_an_approved_case_undoes_the_approval_first(store, tmp_path):
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    session.approve([CASE])
    assert session.reject([CASE], reason="no").cases == [CASE]
    assert store.read("refund", "de-refunded").parts == APPROVED and session.state(CASE) == "rejected"
    assert [e["action"] for e in log(store)] == ["approve", "undo approve", "reject"]


def test_rejecting_an_approved_case_whose_approval_cannot_be_undone_keeps_the_approval(store, tmp_path):
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    session.approve([CASE])
    (tmp_path / "report" / "review-undo" / "refund" / "de-refunded.json").unlink()
    result = session.reject([CASE], reason="no")
    assert result.cases == [] and result.errors[CASE].startswith("cannot undo")
    assert session.state(CASE) == "approved" and [e["action"] for e in log(store)] == ["approve"]


def test_approving_a_rejected_case_replaces_the_rejection(store, tmp_path):
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    session.reject([CASE], reason="no")
    assert session.approve([CASE]).cases == [CASE]
    assert session.state(CASE) == "approved"
    assert [e["action"] for e in log(store)] == ["reject", "undo reject", "approve"]


def test_undo_of_a_rejection_forgets_it(store, tmp_path):
    case = report_case(store, tmp_path)
    session = session_for(store, tmp_path, case)
    session.reject([CASE], reason="no")
    assert session.undo([CASE]).cases == [CASE]
    assert session.state(CASE) == "" and CASE not in session_for(store, tmp_path, case).decisions
    undo = log(store)[-1]
    assert (undo["action"], undo["who"], undo["reason"]) == ("undo reject", "Dana", "no")


# -- state -----------------------------------------------------------------------------------------

def test_state_of_a_case_approved_elsewhere_changed_since_or_unknown(store, tmp_path):
    case = report_case(store, tmp_path)
    session = session_for(store, tmp_path, case)
    assert session.state(CASE) == ""
    assert session.state("refund[no-such]") == ""
    store.write("refund", "de-refunded", RECEIVED, {"template": "v2"})  # approved with approve --from, say
    assert session.state(CASE) == "approved"
    store.write("refund", "de-refunded", {"outcome.txt": b"sent\n", "body.txt": b"other\n"}, {"template": "v3"})
    assert session.state(CASE) == "stale"


# -- the kept copy ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("parts", "says"), [
    ({"../x": "eA=="}, "is not a valid name"),
    ({"body.txt": 5}, "expected base64 text"),
    ({"body.txt": "%%%"}, "not valid base64"),
    ("parts", "dict"),
])
def test_an_undo_record_checks_part_names_and_base64(parts, says):
    with pytest.raises(ValueError, match=says):
        UndoRecord.model_validate({"manifest": None, "parts": parts})


def test_an_undo_record_decodes_its_parts():
    assert UndoRecord.model_validate({"manifest": None, "parts": {"body.txt": "eA=="}}).parts == {"body.txt": b"x"}


# -- accepting findings ----------------------------------------------------------------------------

def passed_case(**accepted):
    return {"id": CASE, "template": "refund", "fixture": "de-refunded", "status": "passed",
            "accepted_findings": {"to_accept": [{"rule": "links", "element": "a", "message": "m", "severity": "warning"}], **accepted}}


def test_findings_of_a_passed_case_are_accepted_and_logged(store, tmp_path):
    session = ReviewSession(tmp_path / "report", {"cases": [passed_case()]}, store, who="Dana")
    [done] = session.accept_findings("*", "known")
    assert done.status == "accepted" and session.accepted == {CASE: "known"}
    assert "accepted-findings.yaml" in store.read("refund", "de-refunded").parts
    [entry] = log(store)
    assert (entry["action"], entry["reason"], entry["findings"], entry["who"]) == ("accept findings", "known", 1, "Dana")


def test_findings_of_a_case_with_a_pending_change_are_refused(store, tmp_path):
    case = {**report_case(store, tmp_path), "accepted_findings": passed_case()["accepted_findings"]}
    session = ReviewSession(tmp_path / "report", {"cases": [case]}, store)
    [done] = session.accept_findings("*", "known")
    assert done.status == "refused" and "its change is pending" in done.message and log(store) == []


def test_findings_of_a_run_without_screenshots_are_refused(store, tmp_path):
    session = ReviewSession(tmp_path / "report", {"cases": [passed_case(complete=False)]}, store)
    [done] = session.accept_findings("*", "known")
    assert done.status == "refused" and "took no screenshots" in done.message and session.accepted == {}


def test_findings_recorded_unreadably_are_refused(store, tmp_path):
    case = passed_case()
    case["accepted_findings"]["to_accept"] = [{"element": "a"}]
    [done] = ReviewSession(tmp_path / "report", {"cases": [case]}, store).accept_findings("*", "known")
    assert done.status == "refused" and "does not record its findings readably" in done.message


def findings_case(fixture: str, /, *to_accept: dict, template: str = "refund", **fields) -> dict:
    """A passed case of results.json with the findings the run would accept."""
    return {"id": f"{template}[{fixture}]", "template": template, "fixture": fixture, "status": "passed",
            "accepted_findings": {"to_accept": list(to_accept)}, **fields}


def test_accepting_stores_each_finding_as_recorded_and_logs_both_hashes(store, tmp_path):
    before = manifest_hash(store.read("refund", "de-refunded").manifest)
    case = findings_case("de-refunded", {"rule": "links", "element": "a", "message": "m", "severity": "warning"},
                         {"rule": "content", "element": "p", "message": "TODO left"})  # recorded without a severity
    session = ReviewSession(tmp_path / "report", {"cases": [case]}, store, who="Dana")
    [done] = session.accept_findings(CASE, "known")
    after = store.read("refund", "de-refunded")
    assert (done.case, done.status, done.count, done.old, done.new) == (CASE, "accepted", 2, before, manifest_hash(after.manifest))
    assert after.parts["accepted-findings.yaml"].decode().endswith(
        "reason: known\nfindings:\n- rule: content\n  severity: ''\n  element: p\n  message: TODO left\n"
        "- rule: links\n  severity: warning\n  element: a\n  message: m\n")
    [entry] = log(store)
    assert entry == {"when": entry["when"], "who": "Dana", "action": "accept findings", "case": CASE, "old": before,
                     "new": manifest_hash(after.manifest), "from": "report", "reason": "known", "findings": 2}


def test_accepting_no_findings_clears_the_list_and_is_logged(store, tmp_path):
    session = ReviewSession(tmp_path / "report", {"cases": [findings_case("de-refunded", {"rule": "links", "element": "a", "message": "m"})]}, store)
    session.accept_findings(CASE, "known")
    cleared = ReviewSession(tmp_path / "report", {"cases": [findings_case("de-refunded")]}, store, who="Dana")
    [done] = cleared.accept_findings(CASE, "fixed")
    assert (done.status, cleared.accepted) == ("cleared", {CASE: "fixed"})
    assert "accepted-findings.yaml" not in store.read("refund", "de-refunded").parts
    assert [(e["action"], e["reason"], e["findings"]) for e in log(store)] == [("accept findings", "known", 1), ("accept findings", "fixed", 0)]


def test_each_selected_case_is_accepted_or_refused_on_its_own(store, tmp_path):
    report = (tmp_path / "report").resolve()
    finding = {"rule": "links", "element": "a", "message": "m"}
    store.write("refund", "e-ok", APPROVED, {"template": "v1"})
    store.write("billing/refund", "de-refunded", APPROVED, {"template": "v1"})
    cases = [
        "not a case", {"accepted_findings": {"to_accept": []}},  # malformed: skipped
        findings_case("a-pending", finding, status="failed", changes=[{"filename": "body.txt", "status": "changed"}]),
        findings_case("b-no-shots", finding, accepted_findings={"to_accept": [finding], "complete": False}),
        findings_case("c-bad", finding, fixture="c bad"),
        findings_case("d-no-snapshot", finding),
        findings_case("e-ok", finding),
        findings_case("de-refunded", finding, template="billing/refund"),
        findings_case("de-refunded", finding, template="welcome"),  # not selected
    ]
    session = ReviewSession(tmp_path / "report", {"cases": cases}, store, who="Dana")
    done = {a.case: (a.status, a.message) for a in session.accept_findings("*refund[*]", "known")}
    assert done == {
        "refund[a-pending]": ("refused", "its change is pending: approve it and run again, then accept its findings (or at once: "
                                         "email-harness approve 'refund[a-pending]' && email-harness approve --accept-findings "
                                         "'refund[a-pending]' --reason \"...\")"),
        "refund[b-no-shots]": ("refused", "this run took no screenshots of it, so the findings measured in the browser are missing: "
                                          "run with screenshots, then accept"),
        "refund[c-bad]": ("refused", f"results.json does not record its findings readably ({report}: fixture 'c bad' is not a valid "
                                     "name (letters, digits, '_', '-', '.'; no '/'; no leading dot, no empty segment); the file was "
                                     "not written by email-harness or was altered)"),
        "refund[d-no-snapshot]": ("refused", "no approved snapshot yet: approve the case first (email-harness approve "
                                             "'refund[d-no-snapshot]', or email-harness run --update), then accept its findings"),
        "refund[e-ok]": ("accepted", ""),
        "billing/refund[de-refunded]": ("accepted", ""),
    }
    assert session.accepted == {"refund[e-ok]": "known", "billing/refund[de-refunded]": "known"}
    assert [e["case"] for e in log(store)] == ["billing/refund[de-refunded]", "refund[e-ok]"]


def test_a_report_without_cases_has_no_findings_to_accept(store, tmp_path):
    assert ReviewSession(tmp_path / "report", {}, store).accept_findings("*", "known") == []


def test_a_rejection_the_approval_of_one_case_blocks_does_not_stop_the_next(store, tmp_path):
    store.write("refund", "en-ada", APPROVED, {"template": "v1"})
    session = session_for(store, tmp_path, report_case(store, tmp_path), report_case(store, tmp_path, fixture="en-ada"))
    session.approve([CASE])
    (tmp_path / "report" / "review-undo" / "refund" / "de-refunded.json").unlink()
    session.carried.add("refund[en-ada]")  # rejected on an earlier run: rejecting it here makes it this run's
    result = session.reject([CASE, "refund[en-ada]"], reason="no")
    assert (result.cases, list(result.errors), result.needs_confirmation) == (["refund[en-ada]"], [CASE], [])
    assert session.carried == set()
    kept = json.loads((tmp_path / "report" / DECISIONS).read_text())["decisions"]
    assert [(d["case"], d["decision"], d["confirm_outcome"]) for d in kept] == [("refund[de-refunded]", "approve", False),
                                                                             ("refund[en-ada]", "reject", False)]


# -- the kept copy undo reads (UndoRecord, _read_stash) ---------------------------------------------

def test_a_part_name_that_is_not_a_name_is_quoted_up_to_eighty_characters():
    with pytest.raises(ValueError, match=r"part '(a/){40}' is not a valid name"):
        UndoRecord.model_validate({"manifest": None, "parts": {"a/" * 50: "eA=="}})


@pytest.mark.parametrize(("kept", "why"), [
    (b"not json", "not an undo record ("),
    (b'{"manifest": null, "parts": [1]}', ""),  # the wrong shape: named by the record's path
])
def test_undo_from_an_unreadable_kept_copy_says_which_file_and_writes_nothing(store, tmp_path, kept, why):
    session = session_for(store, tmp_path, report_case(store, tmp_path))
    session.approve([CASE])
    stash = (tmp_path / "report" / "review-undo" / "refund" / "de-refunded.json").resolve()
    stash.write_bytes(kept)
    result = session.undo([CASE])
    assert result.cases == [] and result.errors[CASE].startswith(f"cannot undo: the replaced snapshot is not available ({stash}: {why}")
    assert store.read("refund", "de-refunded").parts == RECEIVED


def test_undo_refuses_a_kept_copy_that_is_a_link(store, tmp_path):
    import os

    session = session_for(store, tmp_path, report_case(store, tmp_path))
    session.approve([CASE])
    stash = tmp_path / "report" / "review-undo" / "refund" / "de-refunded.json"
    os.replace(stash, tmp_path / "elsewhere.json")
    os.symlink(tmp_path / "elsewhere.json", stash)
    result = session.undo([CASE])
    assert "symbolic link" in result.errors[CASE] and store.read("refund", "de-refunded").parts == RECEIVED
