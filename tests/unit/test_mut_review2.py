"""More of what the review page and approval promise, pinned where mutation testing found them
loose: the message of a case that stops being sent (``harness.review.apply``), the decisions file
as a person reads it (``harness.review.decisions``), and the review server's actions
(``harness.review.session``): several cases in one action, reasons and groups in the log, who
undid what and when, rejections carried over and decisions kept from an earlier run, nested
templates, and undo's checks of the kept copy and the review log.

Fast, on hand-made report folders; ``tests/unit/test_mut_session.py`` has the single-case flows.
"""

from __future__ import annotations

import json
import os

import pytest

from harness.review import session as session_module
from harness.review.apply import REVIEW_LOG, ReportApprover
from harness.review.changes import expected_hash
from harness.review.decisions import DECISIONS, Decision, run_id, write_decisions
from harness.review.session import ReviewSession
from harness.snapshots import SnapshotStore, manifest_hash, sha256

A, B = "refund[de-refunded]", "refund[en-paid]"
APPROVED = {"outcome.txt": b"sent\n", "body.txt": b"Es kann bis zu 5 Werktage dauern.\n"}
RECEIVED = {"outcome.txt": b"sent\n", "body.txt": b"Es kann bis zu 7 Werktage dauern.\n"}
EARLIER, LATER = "2026-12-01T09:00:00+00:00", "2026-12-02T16:30:00+00:00"


@pytest.fixture
def store(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    for fixture in ("de-refunded", "en-paid"):
        store.write("refund", fixture, APPROVED, {"template": "v1"})
    return store


@pytest.fixture
def clock(monkeypatch):
    """The review server's clock, set by the test: ``clock("...")``."""
    def set_to(when: str) -> None:
        monkeypatch.setattr(session_module, "now", lambda: when)
    set_to(EARLIER)
    return set_to


def case_of(store, tmp_path, case_id: str, parts: dict[str, bytes] = RECEIVED, *, status: str = "changed") -> dict:
    """One changed (or new) case of results.json, its received parts written in the report folder."""
    template, fixture = case_id[:-1].split("[")
    folder = tmp_path / "report" / "received" / template / fixture
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in parts.items():
        (folder / name).write_bytes(data)
    current = store.read(template, fixture)
    return {"id": case_id, "template": template, "fixture": fixture, "status": status,
            "received": {n: sha256(d) for n, d in parts.items()}, "manifest": {"template": "v2"},
            "approved_manifest": manifest_hash(current.manifest) if current else None}


def review(store, tmp_path, *cases: dict, who: str = "Dana") -> ReviewSession:
    return ReviewSession(tmp_path / "report", {"cases": list(cases)}, store, who=who)


def log(store) -> list[dict]:
    return [json.loads(line) for line in (store.root / REVIEW_LOG).read_text().splitlines()]


def kept_copy(tmp_path, case_id: str = A):
    template, fixture = case_id[:-1].split("[")
    return tmp_path / "report" / "review-undo" / template / f"{fixture}.json"


# -- approval from a report: a case that stops being sent (ReportApprover) -------------------------

@pytest.mark.parametrize(("approved", "quoted"), [(b"sent\n", "sent"), (b"", "")])
def test_a_case_that_stops_being_sent_is_held_and_the_message_quotes_both_outcomes(store, tmp_path, approved, quoted):
    store.write("refund", "de-refunded", {"outcome.txt": approved}, {})  # an empty outcome is read as sent
    case = case_of(store, tmp_path, A, {"outcome.txt": b"not sent: no refund on this order\n"})
    held = ReportApprover(tmp_path / "report", {"cases": [case]}, store).approve(A, who="Dana")
    assert (held.ok, held.needs_confirmation) == (False, True)
    assert held.message == (
        f"stops sending this email: it was '{quoted}' and is now 'not sent: no refund on this order'. Approve it only if "
        f"this is intended: email-harness approve --from {(tmp_path / 'report').resolve()} --allow-outcome-change '{A}' "
        "(or confirm it on the review page)")
    assert store.read("refund", "de-refunded").parts == {"outcome.txt": approved}


# -- the report folder the review log names (append_log, logged_path) -----------------------------

def test_the_log_names_the_report_folder_relative_to_the_project_of_the_snapshots(tmp_path, monkeypatch):
    project = tmp_path / "shop-emails"
    (project / "reports").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[tool.email-harness]\n")
    store = SnapshotStore(project / "snapshots")
    store.write("refund", "de-refunded", APPROVED, {"template": "v1"})
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # the server started from another folder: the snapshots' project counts
    case = case_of(store, tmp_path, A)  # a rejection reads none of the report's files
    for report in (project / "reports" / "ci-1042", project):
        ReviewSession(report, {"cases": [case]}, store, who="Dana").reject([A])
    assert [entry["from"] for entry in log(store)] == ["reports/ci-1042", "."]


# -- the decisions file (write_decisions) ----------------------------------------------------------

def test_the_decisions_file_is_indented_json_with_names_and_reasons_as_written(tmp_path):
    path = tmp_path / DECISIONS
    decision = Decision(A, "reject", "sha256:old", "sha256:new", "Grüße fehlen im Betreff", False, "Jürgen", EARLIER, "g1")
    write_decisions(path, [decision], {"cases": []})
    assert path.read_text(encoding="utf-8") == f"""{{
  "format": "email-harness-decisions/1",
  "run": "{run_id({"cases": []})}",
  "decisions": [
    {{
      "case": "{A}",
      "decision": "reject",
      "old": "sha256:old",
      "new": "sha256:new",
      "reason": "Grüße fehlen im Betreff",
      "confirm_outcome": false,
      "who": "Jürgen",
      "when": "{EARLIER}",
      "group": "g1"
    }}
  ]
}}
"""


# -- several cases in one action -------------------------------------------------------------------

def test_one_approval_goes_on_past_a_case_approved_before_and_a_case_it_refuses(store, tmp_path):
    session = review(store, tmp_path, case_of(store, tmp_path, A), case_of(store, tmp_path, B))
    session.approve([A])
    result = session.approve([A, "refund[en-other]", B])
    assert (result.cases, list(result.errors)) == ([A, B], ["refund[en-other]"])
    assert store.read("refund", "en-paid").parts == RECEIVED


def test_undo_goes_on_past_a_case_without_a_decision(store, tmp_path):
    session = review(store, tmp_path, case_of(store, tmp_path, A), case_of(store, tmp_path, B))
    session.reject([A, B], reason="not yet")
    result = session.undo([A, "refund[en-other]", B])
    assert (result.cases, result.errors) == ([A, B], {})
    assert session.decisions == {}


# -- reasons, groups, who and when in the review log -----------------------------------------------

def test_an_approval_logs_its_reason_and_group_and_an_approval_without_them_logs_neither(store, tmp_path):
    session = review(store, tmp_path, case_of(store, tmp_path, A), case_of(store, tmp_path, B))
    session.approve([A], reason="7 days is right now", group="g1")
    session.approve([B])
    with_reason, without = log(store)
    assert (with_reason["case"], with_reason["reason"], with_reason["group"]) == (A, "7 days is right now", "g1")
    assert without["case"] == B and "reason" not in without and "group" not in without
    assert (session.decisions[B].reason, session.decisions[B].group) == ("", "")


def test_undoing_a_rejection_logs_who_undid_it_and_when(store, tmp_path, clock):
    case = case_of(store, tmp_path, A)
    review(store, tmp_path, case).reject([A], reason="7 days is wrong for Germany", group="g2")
    clock(LATER)
    later = review(store, tmp_path, case, who="Lee")
    assert later.undo([A]).cases == [A]
    rejected, undone = log(store)
    assert rejected == {"when": EARLIER, "who": "Dana", "action": "reject", "case": A, "old": case["approved_manifest"],
                        "new": expected_hash(case), "from": "report", "reason": "7 days is wrong for Germany", "group": "g2"}
    assert undone == rejected | {"when": LATER, "who": "Lee", "action": "undo reject"}


# -- rejections carried over from the review log ---------------------------------------------------

def test_a_carried_rejection_is_kept_in_the_decisions_file_as_logged(store, tmp_path, clock):
    first = case_of(store, tmp_path, A)
    review(store, tmp_path, first).reject([A], reason="7 days is wrong for Germany", group="g2")
    (tmp_path / "report" / DECISIONS).unlink()  # a later run's report: only the log remembers
    clock(LATER)
    later = review(store, tmp_path, first, case_of(store, tmp_path, B), who="Lee")
    assert later.carried == {A}
    later.approve([B])  # any action saves the decisions, the carried rejection among them
    kept = json.loads((tmp_path / "report" / DECISIONS).read_text())["decisions"]
    assert kept[0] == {"case": A, "decision": "reject", "old": first["approved_manifest"], "new": expected_hash(first),
                       "reason": "7 days is wrong for Germany", "confirm_outcome": False, "who": "Dana", "when": EARLIER,
                       "group": "g2"}
    restarted = review(store, tmp_path, first, case_of(store, tmp_path, B))
    assert restarted.notes == [] and restarted.state(A) == "rejected"


def test_undoing_a_carried_rejection_ends_the_carry(store, tmp_path):
    case = case_of(store, tmp_path, A)
    review(store, tmp_path, case).reject([A], reason="not yet")
    (tmp_path / "report" / DECISIONS).unlink()
    later = review(store, tmp_path, case)
    assert later.carried == {A}
    later.undo([A])
    assert later.carried == set()  # the page no longer marks it "rejected on an earlier run"


# -- decisions kept in the report folder -----------------------------------------------------------

def test_a_rejection_kept_across_a_restart_stands_without_a_note(store, tmp_path):
    case = case_of(store, tmp_path, A)
    review(store, tmp_path, case).reject([A], reason="not yet")
    restarted = review(store, tmp_path, case)
    assert (restarted.state(A), restarted.notes, restarted.carried) == ("rejected", [], set())


def test_decisions_of_an_earlier_run_stand_where_they_still_apply_and_the_others_drop_silently(store, tmp_path):
    review(store, tmp_path, case_of(store, tmp_path, A), case_of(store, tmp_path, B)).reject([A, B], reason="not yet")
    fixed = {**RECEIVED, "body.txt": b"Es kann bis zu 6 Werktage dauern.\n"}
    # Another run into the same report folder: A the same content, B changed again.
    later = review(store, tmp_path, case_of(store, tmp_path, A), case_of(store, tmp_path, B, fixed))
    assert later.notes == []
    assert set(later.decisions) == {A} and later.decisions[A].reason == "not yet"
    assert later.carried == set()  # kept from the decisions file, not carried over from the log


# -- approving and undoing a nested template --------------------------------------------------------

def test_the_approval_of_a_nested_template_is_undone(store, tmp_path):
    store.write("billing/invoice_paid", "de-paid", APPROVED, {"template": "v1"})
    nested = "billing/invoice_paid[de-paid]"
    session = review(store, tmp_path, case_of(store, tmp_path, nested))
    assert session.approve([nested]).cases == [nested] and session.notes == []
    assert kept_copy(tmp_path, nested).is_file()
    assert session.undo([nested]).errors == {}
    assert store.read("billing/invoice_paid", "de-paid").parts == APPROVED


# -- undo checks the kept copy against the review log ----------------------------------------------

def test_undo_names_both_hashes_when_the_kept_copy_says_there_was_no_snapshot(store, tmp_path):
    case = case_of(store, tmp_path, A)
    session = review(store, tmp_path, case)
    session.approve([A])
    kept_copy(tmp_path).write_text(json.dumps({"manifest": None, "parts": {}}))
    result = session.undo([A])
    assert result.errors[A] == (
        f"cannot undo: {kept_copy(tmp_path).resolve()} is not the snapshot this approval replaced (its hash none differs "
        f"from {case['approved_manifest']} recorded in {store.root / REVIEW_LOG}); it was altered or replaced; nothing "
        "was written; restore the snapshot with git")
    assert store.read("refund", "de-refunded").parts == RECEIVED


def test_undo_names_both_hashes_when_the_log_says_there_was_no_snapshot(store, tmp_path):
    new = "refund[en-new]"
    session = review(store, tmp_path, case_of(store, tmp_path, new, status="new"))
    session.approve([new])
    forged = {"manifest": {"template": "v0"}, "parts": {}}
    kept_copy(tmp_path, new).write_text(json.dumps(forged))
    result = session.undo([new])
    assert result.errors[new] == (
        f"cannot undo: {kept_copy(tmp_path, new).resolve()} is not the snapshot this approval replaced (its hash "
        f"{manifest_hash({'template': 'v0', 'parts': {}})} differs from none recorded in {store.root / REVIEW_LOG}); "
        "it was altered or replaced; nothing was written; restore the snapshot with git")
    assert store.read("refund", "en-new").parts == RECEIVED


def test_undo_refuses_a_review_log_that_is_a_link_and_writes_nothing(store, tmp_path):
    session = review(store, tmp_path, case_of(store, tmp_path, A))
    session.approve([A])
    path = store.root / REVIEW_LOG
    os.replace(path, tmp_path / "report" / "forged-log.jsonl")  # a log anyone who can write the report could forge
    os.symlink(tmp_path / "report" / "forged-log.jsonl", path)
    result = session.undo([A])
    assert result.errors[A] == (f"cannot undo: the replaced snapshot is not available ({path}: is a symbolic link; "
                                "email-harness reads only regular files here (snapshot, report and catalog files). Copy "
                                "the file in instead); nothing was written; restore it with git")
    assert store.read("refund", "de-refunded").parts == RECEIVED


def test_undo_reads_a_review_log_with_a_line_that_is_not_utf8(store, tmp_path):
    session = review(store, tmp_path, case_of(store, tmp_path, A))
    session.approve([A])
    with (store.root / REVIEW_LOG).open("ab") as stray:
        stray.write(b'{"note": "Gr\xfc\xdfe"}\n')  # a Latin-1 line someone added by hand
    assert session.undo([A]).errors == {}
    assert store.read("refund", "de-refunded").parts == APPROVED


@pytest.mark.parametrize("limit", ["MAX_UNDO_BYTES", "MAX_LOG_BYTES"])
def test_undo_reads_the_kept_copy_and_the_review_log_up_to_their_own_limits(store, tmp_path, monkeypatch, limit):
    """Kept copies hold screenshots in base64 and the log grows a line per decision: each has its
    own limit (100 MB, 200 MB), above the 50 MB of a report file; here lowered to 10 bytes."""
    session = review(store, tmp_path, case_of(store, tmp_path, A))
    session.approve([A])
    monkeypatch.setattr(session_module, limit, 10)
    path = kept_copy(tmp_path).resolve() if limit == "MAX_UNDO_BYTES" else store.root / REVIEW_LOG
    error = session.undo([A]).errors[A]
    assert error.startswith(f"cannot undo: the replaced snapshot is not available ({path}: {path.stat().st_size:,} bytes; "
                            "the limit is 10)")
    assert store.read("refund", "de-refunded").parts == RECEIVED


# -- accepting findings on the review page ---------------------------------------------------------

def passed(template: str = "refund", **accepted) -> dict:
    return {"id": f"{template}[de-refunded]", "template": template, "fixture": "de-refunded", "status": "passed",
            "accepted_findings": accepted}


def test_a_case_whose_results_list_nothing_to_accept_clears_its_accepted_findings(store, tmp_path):
    finding = {"rule": "links", "element": "a", "message": "link scheme 'http' is not allowed"}
    ReviewSession(tmp_path / "report", {"cases": [passed(to_accept=[finding])]}, store).accept_findings(A, "known")
    assert "accepted-findings.yaml" in store.read("refund", "de-refunded").parts
    # results.json may leave out an empty list (harness/report/schema.py: to_accept defaults to none).
    [done] = ReviewSession(tmp_path / "report", {"cases": [passed()]}, store).accept_findings(A, "fixed")
    assert (done.status, done.count) == ("cleared", 0)
    assert "accepted-findings.yaml" not in store.read("refund", "de-refunded").parts


def test_findings_of_a_template_whose_name_is_not_a_name_are_refused_naming_the_report(store, tmp_path):
    session = ReviewSession(tmp_path / "report", {"cases": [passed("../refund", to_accept=[])]}, store)
    [done] = session.accept_findings("*", "known")
    assert (done.status, done.message) == ("refused", (
        f"results.json does not record its findings readably ({(tmp_path / 'report').resolve()}: template '../refund' is "
        "not a valid name (segments of letters, digits, '_', '-', '.' joined by '/'; no leading dot, no empty segment); "
        "the file was not written by email-harness or was altered)"))
