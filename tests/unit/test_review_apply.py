"""Approval from a report (``harness/review/apply.py``): only a changed or new case, only with the
files the run produced, only onto the snapshot the run compared against."""

from __future__ import annotations

import json
import os

import pytest

from harness.errors import HarnessError, SnapshotError
from harness.project import Project
from harness.review import apply as apply_module
from harness.review.apply import REVIEW_LOG, Applied, ReportApprover, approve_from_report, reviewer
from harness.snapshots import SnapshotStore, manifest_hash, sha256

APPROVED = {"outcome.txt": b"sent\n", "body.txt": b"old\n"}
RECEIVED = {"outcome.txt": b"sent\n", "body.txt": b"new\n"}


@pytest.fixture
def store(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    store.write("refund", "de-refunded", APPROVED, {"template": "v1"})
    return store


def report_case(store, tmp_path, *, template="refund", fixture="de-refunded", status="changed", parts=RECEIVED, write=True, **overrides):
    """One case of results.json, with its received files written under report/received/."""
    current = store.read(template, fixture)
    folder = tmp_path / "report" / "received" / template / fixture
    if write:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in parts.items():
            (folder / name).write_bytes(data)
    case = {
        "id": f"{template}[{fixture}]", "template": template, "fixture": fixture, "status": status,
        "received": {name: sha256(data) for name, data in parts.items()}, "manifest": {"template": "v2"},
        "approved_manifest": manifest_hash(current.manifest) if current else None,
    }
    return {**case, **overrides}


def approver(store, tmp_path, *cases):
    return ReportApprover(tmp_path / "report", {"cases": list(cases)}, store)


def outcome(applied: Applied) -> tuple[str, bool, str]:
    return applied.case, applied.ok, applied.message


def log_lines(store):
    path = store.root / REVIEW_LOG
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_changed_case_is_approved_and_logged(store, tmp_path):
    case = report_case(store, tmp_path)
    old_hash = case["approved_manifest"]
    result = approver(store, tmp_path, case).approve("refund[de-refunded]", who="Dana")
    assert outcome(result) == ("refund[de-refunded]", True, "")
    snapshot = store.read("refund", "de-refunded")
    assert snapshot.parts == RECEIVED and snapshot.manifest["template"] == "v2"
    [entry] = log_lines(store)
    assert entry["who"] == "Dana" and entry["case"] == "refund[de-refunded]"
    assert entry["old"] == old_hash and entry["new"] == manifest_hash(snapshot.manifest)
    assert entry["from"] == "report" and entry["when"].endswith("+00:00")  # relative to the project: tmp_path


def test_a_new_case_is_approved(store, tmp_path):
    case = report_case(store, tmp_path, fixture="en-new", status="new")
    assert case["approved_manifest"] is None
    assert approver(store, tmp_path, case).approve("refund[en-new]", who="Dana").ok
    assert store.read("refund", "en-new").parts == RECEIVED


def test_a_case_is_approved_once(store, tmp_path):
    approving = approver(store, tmp_path, report_case(store, tmp_path))
    assert approving.approve("refund[de-refunded]", who="Dana").ok
    assert not approving.approve("refund[de-refunded]", who="Dana").ok  # its snapshot is no longer the one the run saw
    assert len(log_lines(store)) == 1


@pytest.mark.parametrize("status", ["failed", "error", "passed", "updated"])
def test_failed_error_and_passed_cases_are_not_approvable(store, tmp_path, status):
    approving = approver(store, tmp_path, report_case(store, tmp_path, status=status))
    assert approving.pending == {} and approving.select([]) == []
    assert outcome(approving.approve("refund[de-refunded]", who="Dana")) == ("refund[de-refunded]", False, "not a pending change in this report")
    assert store.read("refund", "de-refunded").parts == APPROVED


def test_a_case_without_received_files_is_not_approvable(store, tmp_path):
    assert approver(store, tmp_path, report_case(store, tmp_path, received={})).pending == {}


def test_malformed_documents_have_no_pending_case(store, tmp_path):
    for document in ([], {"cases": "x"}, {"cases": [1, {"id": 5, "status": "changed", "received": {"a": "b"}}]}, {}):
        assert ReportApprover(tmp_path / "report", document, store).pending == {}


def test_a_snapshot_approved_since_the_run_is_not_overwritten(store, tmp_path):
    case = report_case(store, tmp_path)
    store.write("refund", "de-refunded", {"outcome.txt": b"sent\n", "body.txt": b"someone else's\n"}, {})
    result = approver(store, tmp_path, case).approve("refund[de-refunded]", who="Dana")
    assert outcome(result) == ("refund[de-refunded]", False, "the approved snapshot changed since this run (stale report); "
                               "re-run 'email-harness run --only \"refund[de-refunded]\"' and review again")
    assert store.read("refund", "de-refunded").parts["body.txt"] == b"someone else's\n"
    assert log_lines(store) == []


def test_a_new_case_whose_snapshot_appeared_since_the_run_is_stale(store, tmp_path):
    case = report_case(store, tmp_path, fixture="en-new", status="new")
    store.write("refund", "en-new", APPROVED, {})
    assert "stale report" in approver(store, tmp_path, case).approve("refund[en-new]", who="Dana").message


def test_a_corrupt_snapshot_is_not_taken_as_absent_and_overwritten_as_new(store, tmp_path):
    case = report_case(store, tmp_path, status="new", approved_manifest=None)
    body = store.root / "refund/de-refunded/body.txt"
    body.write_bytes(b"truncat")
    result = approver(store, tmp_path, case).approve("refund[de-refunded]", who="Dana")
    assert not result.ok and "stale report" in result.message
    assert body.read_bytes() == b"truncat"


def test_a_received_file_missing_from_the_report_is_refused(store, tmp_path):
    case = report_case(store, tmp_path)
    (tmp_path / "report/received/refund/de-refunded/body.txt").unlink()
    result = approver(store, tmp_path, case).approve("refund[de-refunded]", who="Dana")
    missing = tmp_path.resolve() / "report/received/refund/de-refunded/body.txt"
    assert outcome(result) == ("refund[de-refunded]", False, f"{missing}: missing from the report; was the artifact downloaded whole?")
    assert store.read("refund", "de-refunded").parts == APPROVED


def test_an_altered_received_file_is_refused(store, tmp_path):
    case = report_case(store, tmp_path)
    (tmp_path / "report/received/refund/de-refunded/body.txt").write_bytes(b"tampered\n")
    result = approver(store, tmp_path, case).approve("refund[de-refunded]", who="Dana")
    altered = tmp_path.resolve() / "report/received/refund/de-refunded/body.txt"
    assert outcome(result) == ("refund[de-refunded]", False, f"{altered}: does not match results.json (altered or truncated)")
    assert store.read("refund", "de-refunded").parts == APPROVED


def test_a_received_file_that_is_a_symlink_is_refused(store, tmp_path):
    case = report_case(store, tmp_path)
    target = tmp_path / "report/received/refund/de-refunded/body.txt"
    (tmp_path / "report" / "elsewhere.txt").write_bytes(RECEIVED["body.txt"])
    target.unlink()
    os.symlink(tmp_path / "report" / "elsewhere.txt", target)
    result = approver(store, tmp_path, case).approve("refund[de-refunded]", who="Dana")
    assert not result.ok and "missing from the report" in result.message


def test_a_received_file_that_is_a_pipe_is_refused(store, tmp_path):
    case = report_case(store, tmp_path)
    target = tmp_path / "report/received/refund/de-refunded/body.txt"
    target.unlink()
    os.mkfifo(target)
    result = approver(store, tmp_path, case).approve("refund[de-refunded]", who="Dana")
    assert not result.ok and "missing from the report" in result.message


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"template": "../escape"}, "template '../escape' is not a valid name"),
        ({"fixture": "a/b"}, "fixture 'a/b' is not a valid name"),
        ({"id": "welcome[de-refunded]"}, "case id 'welcome[de-refunded]' does not match its template and fixture"),
        ({"received": {"body.txt": 5}}, "'received' must map part names to hashes"),
        ({"received": {"../body.txt": "sha256:x"}}, "part '../body.txt' is not a valid name"),
        ({"manifest": None}, "'manifest' and 'approved_manifest' are missing or of the wrong type"),
        ({"approved_manifest": 5}, "'manifest' and 'approved_manifest' are missing or of the wrong type"),
    ],
)
def test_nothing_in_results_json_decides_where_approval_writes(store, tmp_path, overrides, message):
    case = {**report_case(store, tmp_path), **overrides}
    result = approver(store, tmp_path, case).approve(case["id"], who="Dana")
    assert result.ok is False and result.case == case["id"]
    assert result.message.startswith(f"{(tmp_path / 'report').resolve() / 'results.json'}: ") and message in result.message
    assert store.read("refund", "de-refunded").parts == APPROVED and store.cases() == {("refund", "de-refunded")}


def test_select_picks_pending_cases_by_pattern(store, tmp_path):
    cases = [report_case(store, tmp_path), report_case(store, tmp_path, fixture="en-new", status="new"),
             report_case(store, tmp_path, template="welcome", fixture="en-new", status="new")]
    approving = approver(store, tmp_path, *cases)
    assert approving.select([]) == ["refund[de-refunded]", "refund[en-new]", "welcome[en-new]"]
    assert approving.select(["refund[*]"]) == ["refund[de-refunded]", "refund[en-new]"]
    assert approving.select(["*[en-new]", "nothing"]) == ["refund[en-new]", "welcome[en-new]"]


def test_approve_from_report_applies_every_match_and_refuses_no_match(store, tmp_path, monkeypatch):
    monkeypatch.setattr(apply_module, "reviewer", lambda: "CI")
    cases = [report_case(store, tmp_path), report_case(store, tmp_path, fixture="en-new", status="new")]
    document = {"cases": cases}
    with pytest.raises(HarnessError, match=r"no pending change in .*report matches welcome\[\*\]"):
        approve_from_report(tmp_path / "report", document, store, ["welcome[*]"])
    applied = approve_from_report(tmp_path / "report", document, store, [])
    assert [outcome(a) for a in applied] == [("refund[de-refunded]", True, ""), ("refund[en-new]", True, "")]
    assert [entry["who"] for entry in log_lines(store)] == ["CI", "CI"]


def test_reviewer_is_gits_user_name_else_the_login_when_the_project_says_git(tmp_path, monkeypatch):
    monkeypatch.delenv("EMAIL_HARNESS_REVIEWER", raising=False)
    git = Project.load(tmp_path, reviewer="git")

    class Done:
        def __init__(self, out):
            self.stdout = out

    monkeypatch.setattr(apply_module.subprocess, "run", lambda *a, **k: Done("  Dana Designer\n"))
    assert reviewer(git) == "Dana Designer"
    monkeypatch.setattr(apply_module.subprocess, "run", lambda *a, **k: Done(""))
    monkeypatch.setenv("USER", "dana")
    assert reviewer(git) == "dana"

    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(apply_module.subprocess, "run", no_git)
    assert reviewer(git) == "dana"
    monkeypatch.delenv("USER")
    monkeypatch.setattr(apply_module.getpass, "getuser", lambda: "login")
    assert reviewer(git) == "login"


def test_a_received_file_too_big_to_read_is_refused(store, tmp_path):
    case = report_case(store, tmp_path)
    with open(tmp_path / "report/received/refund/de-refunded/body.txt", "r+b") as handle:
        handle.truncate(50_000_001)  # sparse: nothing is written
    result = approver(store, tmp_path, case).approve("refund[de-refunded]", who="Dana")
    assert outcome(result) == ("refund[de-refunded]", False,
                               f"{tmp_path.resolve() / 'report/received/refund/de-refunded/body.txt'}: 50,000,001 bytes; the limit is 50,000,000")


def test_a_case_that_starts_being_sent_needs_confirmation(store, tmp_path):
    store.write("gift", "en-nobody", {"outcome.txt": b"not sent: account has no gift card order\n"}, {})
    case = report_case(store, tmp_path, template="gift", fixture="en-nobody", parts={"outcome.txt": b"sent\n", "body.txt": b"Thanks!\n"})
    refused = approver(store, tmp_path, case).approve("gift[en-nobody]", who="Dana")
    assert (refused.case, refused.ok, refused.needs_confirmation) == ("gift[en-nobody]", False, True)
    assert refused.message.startswith("starts sending this email: it was 'not sent: account has no gift card order' and is now 'sent'.")
    assert store.read("gift", "en-nobody").parts == {"outcome.txt": b"not sent: account has no gift card order\n"}
    confirmed = approver(store, tmp_path, case).approve("gift[en-nobody]", who="Dana", confirm_outcome=True)
    assert confirmed.ok and log_lines(store)[-1]["outcome"] == "not sent: account has no gift card order -> sent"


def test_the_review_log_keeps_names_as_written(store, tmp_path):
    approver(store, tmp_path, report_case(store, tmp_path)).approve("refund[de-refunded]", who="Zoë Ångström")
    assert '"who": "Zoë Ångström"' in (store.root / REVIEW_LOG).read_text(encoding="utf-8")


def test_a_review_log_planted_as_a_symlink_is_refused(store, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    os.symlink(victim, store.root / REVIEW_LOG)
    with pytest.raises(SnapshotError, match="review-log.jsonl: is a symbolic link"):
        approver(store, tmp_path, report_case(store, tmp_path)).approve("refund[de-refunded]", who="Dana")
    assert victim.read_text() == "keep"


def test_a_review_log_that_cannot_be_appended_says_the_snapshot_was_written(store, tmp_path, monkeypatch):
    monkeypatch.setattr(apply_module, "open_nofollow", lambda *args: os.open("/dev/full", os.O_WRONLY))  # every write: ENOSPC
    with pytest.raises(SnapshotError) as raised:
        approver(store, tmp_path, report_case(store, tmp_path)).approve("refund[de-refunded]", who="Dana")
    assert str(raised.value) == f"{store.root / REVIEW_LOG}: cannot append (No space left on device); the snapshot was written"
    assert store.read("refund", "de-refunded").parts == RECEIVED


def test_no_match_names_the_patterns(store, tmp_path):
    document = {"cases": [report_case(store, tmp_path)]}
    with pytest.raises(HarnessError) as raised:
        approve_from_report(tmp_path / "report", document, store, ["welcome[*]", "x"])
    assert str(raised.value) == f"no pending change in {tmp_path / 'report'} matches welcome[*] x"
    with pytest.raises(HarnessError) as raised:
        approve_from_report(tmp_path / "report", {"cases": []}, store, [])
    assert str(raised.value) == f"no pending change in {tmp_path / 'report'} matches *"


def test_reviewer_asks_git_for_user_name(tmp_path, monkeypatch):
    """Real git, configured through the environment only; the project (found from the current
    folder) says to ask git."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EMAIL_HARNESS_REVIEWER", raising=False)
    (tmp_path / "pyproject.toml").write_text('[tool.email-harness]\nreviewer = "git"\n')
    for name, value in {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_COUNT": "1",
                        "GIT_CONFIG_KEY_0": "user.name", "GIT_CONFIG_VALUE_0": " Dana Designer ", "USER": "dana", "LOGNAME": "login"}.items():
        monkeypatch.setenv(name, value)
    assert reviewer() == "Dana Designer"
    monkeypatch.setenv("GIT_CONFIG_COUNT", "0")
    assert reviewer() == "dana"  # $USER before the login name


def test_current_hash_is_the_snapshots_identity_none_or_corrupt(store, tmp_path):
    approving = approver(store, tmp_path)
    assert approving.current_hash({"template": "refund", "fixture": "de-refunded"}) == manifest_hash(store.read("refund", "de-refunded").manifest)
    assert approving.current_hash({"template": "refund", "fixture": "en-none"}) is None
    assert approving.current_hash({"template": "refund"}) == "corrupt"
    (store.root / "refund/de-refunded/body.txt").write_bytes(b"truncat")
    assert approving.current_hash({"template": "refund", "fixture": "de-refunded"}) == "corrupt"


def test_an_approval_reports_and_logs_what_it_replaced(store, tmp_path):
    case = report_case(store, tmp_path)
    previous = store.read("refund", "de-refunded")
    result = approver(store, tmp_path, case).approve("refund[de-refunded]", who="Dana", reason="new wording", group="copy-2026")
    assert (result.old, result.new) == (manifest_hash(previous.manifest), manifest_hash(store.read("refund", "de-refunded").manifest))
    assert result.previous == previous
    entry = log_lines(store)[-1]
    assert (entry["action"], entry["reason"], entry["group"]) == ("approve", "new wording", "copy-2026") and "outcome" not in entry
    approver(store, tmp_path, report_case(store, tmp_path, fixture="en-new", status="new")).approve("refund[en-new]", who="Dana")
    assert "reason" not in log_lines(store)[-1] and "group" not in log_lines(store)[-1]


def test_the_outcome_confirmation_message_and_pass_through(store, tmp_path):
    store.write("gift", "en-nobody", {"outcome.txt": b"not sent: no order\n"}, {})
    case = report_case(store, tmp_path, template="gift", fixture="en-nobody", parts={"outcome.txt": b"sent\n"})
    refused = approver(store, tmp_path, case).approve("gift[en-nobody]", who="Dana")
    assert outcome(refused) == ("gift[en-nobody]", False,
                                "starts sending this email: it was 'not sent: no order' and is now 'sent'. Approve it only if this is intended: "
                                f"email-harness approve --from {tmp_path / 'report'} --allow-outcome-change 'gift[en-nobody]' "
                                "(or confirm it on the review page)")
    [applied] = approve_from_report(tmp_path / "report", {"cases": [case]}, store, ["gift[*]"], allow_outcome_change=True)
    assert applied.ok


def test_confirming_outcome_changes_approves_ordinary_changes_too(store, tmp_path):
    [applied] = approve_from_report(tmp_path / "report", {"cases": [report_case(store, tmp_path)]}, store, [], allow_outcome_change=True)
    assert applied.ok and "outcome" not in log_lines(store)[-1]


def test_received_parts_without_an_outcome_or_with_odd_bytes_are_approved(store, tmp_path):
    odd = {"outcome.txt": b"sent \xff\n", "body.txt": b"x\n"}
    assert approver(store, tmp_path, report_case(store, tmp_path, parts=odd)).approve("refund[de-refunded]", who="Dana").ok
    case = report_case(store, tmp_path, fixture="en-new", status="new", parts={"body.txt": b"x\n"})
    assert approver(store, tmp_path, case).approve("refund[en-new]", who="Dana").ok


def test_approving_from_a_report_does_not_confirm_outcome_changes_by_default(store, tmp_path):
    store.write("gift", "en-nobody", {"outcome.txt": b"not sent: no order\n"}, {})
    case = report_case(store, tmp_path, template="gift", fixture="en-nobody", parts={"outcome.txt": b"sent\n"})
    [refused] = approve_from_report(tmp_path / "report", {"cases": [case]}, store, [])
    assert (refused.ok, refused.needs_confirmation) == (False, True)


def test_the_review_log_is_appended_even_before_any_snapshot_folder_exists(tmp_path):
    fresh = SnapshotStore(tmp_path / "emails" / "approved" / "snapshots")
    apply_module.append_log(fresh, {"action": "reject", "case": "refund[de-refunded]"})
    assert json.loads((fresh.root / REVIEW_LOG).read_text()) == {"action": "reject", "case": "refund[de-refunded]"}
