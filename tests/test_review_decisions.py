"""Decisions that last: approve a change group in one action, reject a case with a reason, undo;
kept across a reload and a restart of the review server, logged with who, when, why and the
snapshot hashes; exported as a file that ``approve --from`` applies. A case that starts being sent
needs a second, explicit confirmation on every path: the page, the command line, the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.errors import HarnessError
from harness.review.app import create_app
from harness.review.apply import approve_from_report
from harness.review.changes import expected_hash, group_changes
from harness.review.decisions import DECISIONS, Decision, apply_decisions, decisions_document, read_decisions
from harness.snapshots.outcome import NOW_SENT as STARTS, OPTION
from harness.snapshots import SnapshotStore

#: The loosened guard; empty-list (which fails these cases too) is told to allow the empty loop, so the
#: test sees the outcome change alone.
GIFT_CARD_GUARD = ("templates/gift_card_confirmation.yaml", "requires: [gift_card_order]\nlocales: [en, it, de, ar]\nrules:\n",
                   "requires: [order]\nlocales: [en, it, de, ar]\nrules:\n  empty-list: {allow: [order.gift_cards]}\n")
HELP_CENTRE = ("templates/_copy/en.yaml", "Help centre", "Help center")
NOW_SENT = "gift_card_confirmation[en-one-order]"  # bought no gift card
BASE = "http://127.0.0.1:8765"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def pending(sandbox, monkeypatch):
    """The sandbox after two planted edits: one word of shared copy, one send guard."""
    monkeypatch.chdir(sandbox.root)
    only = ["--only", "gift_card_confirmation[*]", "--only", "welcome[*]"]
    run("run", "--no-screenshots", "--update", *only)  # the planted edits are then the only changes
    sandbox.edit(*HELP_CENTRE)
    sandbox.edit(*GIFT_CARD_GUARD)
    assert run("run", "--no-screenshots", *only).exit_code == 1
    return sandbox


def results(sandbox) -> dict[str, Any]:
    return json.loads((sandbox.root / "report/results.json").read_text())


def log(sandbox) -> list[dict[str, Any]]:
    path = sandbox.root / "snapshots/review-log.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def snapshot(sandbox, case_id: str) -> dict[str, bytes]:
    template, fixture = case_id[:-1].split("[")
    folder = sandbox.root / "snapshots" / template / fixture
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# -- the command line --------------------------------------------------------------------------

def test_approve_from_a_report_refuses_a_case_that_starts_being_sent(pending):
    before = snapshot(pending, NOW_SENT)
    result = run("approve", "--from", "report", NOW_SENT)
    assert result.exit_code == 1 and f"refused: {NOW_SENT}" in result.output
    assert "starts sending this email" in result.output and OPTION in result.output
    assert snapshot(pending, NOW_SENT) == before and log(pending) == []
    # Still not sent, for another reason: not an outcome change.
    assert run("approve", "--from", "report", "gift_card_confirmation[en-no-orders]").exit_code == 0
    applied = approve_from_report(pending.root / "report", results(pending), SnapshotStore(pending.root / "snapshots"),
                                  [NOW_SENT], allow_outcome_change=True)
    assert [a.ok for a in applied] == [True]
    entry = log(pending)[-1]
    assert entry["case"] == NOW_SENT and entry["outcome"] == "not sent: account has no gift card order -> sent"


def test_approve_by_re_rendering_holds_the_cases_that_start_being_sent(pending):
    engine = pending.engine()
    results_ = {r.case.id: r for r in (engine.approve(case) for case in engine.cases(["gift_card_confirmation[*]"]))}
    held = {case_id for case_id, r in results_.items() if r.held}
    assert NOW_SENT in held and results_[NOW_SENT].outcome_change == STARTS
    assert results_[NOW_SENT].approved_outcome == "not sent: account has no gift card order\n"
    assert "gift_card_confirmation[en-no-orders]" not in held  # still not sent
    # The guard swap also stops the gift-card buyers' confirmation: held just the same.
    assert results_["gift_card_confirmation[en-gift-card-google-play]"].outcome_change == "no longer sent"
    assert NOW_SENT not in engine.pending and f"email-harness approve {OPTION} '{NOW_SENT}'" in results_[NOW_SENT].explain()


# -- the review server -------------------------------------------------------------------------

class Page:
    """The review app driven by Flask's test client, as the page's script drives it."""

    def __init__(self, sandbox, who: str = "Dana Designer", report: str = "report") -> None:
        self.sandbox = sandbox
        self.app = create_app(sandbox.root / report, SnapshotStore(sandbox.root / "snapshots"), who=who,
                              catalog=sandbox.root / "templates", fixtures=sandbox.root / "fixtures")
        self.client = self.app.test_client()
        self.html = self.client.get("/", base_url=BASE).get_data(as_text=True)
        self.token = self.html.split('data-review-token="')[1].split('"')[0]

    def post(self, action: str, **body: Any) -> Any:
        headers = {"Origin": BASE, "X-Review-Token": self.token}
        return self.client.post(f"/{action}", json=body, headers=headers, base_url=BASE)

    def state(self, case_id: str) -> str:
        marker = f'data-case="{case_id}"'
        tag = self.html[self.html.index(marker): self.html.index(">", self.html.index(marker))]
        return tag.split('data-state="')[1].split('"')[0]


def test_a_group_is_approved_in_one_action_and_kept_across_a_restart(pending):
    page = Page(pending)
    copy_group = next(g for g in group_changes(results(pending), pending.root / "report") if g.kinds == ["copy"])
    members = [c.id for c in copy_group.approvable]
    assert len(members) >= 2
    response = page.post("approve", group=copy_group.key)
    assert response.status_code == 200 and sorted(response.get_json()["cases"]) == members
    entries = log(pending)
    assert [e["case"] for e in entries] == members
    assert all(e["who"] == "Dana Designer" and e["action"] == "approve" and e["group"] == copy_group.key for e in entries)
    assert all(e["old"].startswith("sha256:") and e["new"].startswith("sha256:") and e["when"] for e in entries)
    assert "Help center" in (pending.root / f"snapshots/welcome/{members[-1].split('[')[1][:-1]}/body.txt").read_text()
    # a reload and a restart show the decisions again
    again = Page(pending)
    assert [again.state(case) for case in members] == ["approved"] * len(members)
    assert (pending.root / "report" / DECISIONS).is_file()


def test_reject_with_a_reason_then_undo(pending):
    page = Page(pending)
    case = "gift_card_confirmation[en-rtl]"
    response = page.post("reject", case=case, reason="gift cards only for gift-card orders")
    assert response.status_code == 200 and response.get_json()["rejected"] == [case]
    assert log(pending)[-1] | {"when": "", "from": ""} == {
        "when": "", "from": "", "who": "Dana Designer", "action": "reject", "case": case,
        "old": results_case(pending, case)["approved_manifest"], "new": expected_hash(results_case(pending, case)),
        "reason": "gift cards only for gift-card orders",
    }
    restarted = Page(pending)
    assert restarted.state(case) == "rejected" and 'data-reason="gift cards only for gift-card orders"' in restarted.html
    assert restarted.post("undo", case=case).get_json()["cases"] == [case]
    assert Page(pending).state(case) == "" and log(pending)[-1]["action"] == "undo reject"


def results_case(sandbox, case_id: str) -> dict[str, Any]:
    return next(c for c in results(sandbox)["cases"] if c["id"] == case_id)


def test_undo_of_an_approval_puts_the_replaced_snapshot_back_byte_for_byte(pending):
    case = "welcome[en-new-account]"
    before = snapshot(pending, case)
    page = Page(pending)
    assert page.post("approve", case=case).status_code == 200
    assert snapshot(pending, case) != before
    restarted = Page(pending)  # undo works after a restart too
    response = restarted.post("undo", case=case)
    assert response.status_code == 200 and response.get_json()["cases"] == [case]
    assert snapshot(pending, case) == before
    assert [e["action"] for e in log(pending)] == ["approve", "undo approve"]
    assert run("run", "--no-screenshots", "--only", case).exit_code == 1  # pending again
    # and it can be approved again from the same report
    assert Page(pending).post("approve", case=case).status_code == 200


def test_the_outcome_change_needs_the_second_confirmation_on_the_page(pending):
    page = Page(pending)
    now_sent = next(g for g in group_changes(results(pending), pending.root / "report") if g.switch == "now sent")
    refused = page.post("approve", group=now_sent.key)
    assert refused.status_code == 409 and NOW_SENT in refused.get_json()["needs_confirmation"]
    assert log(pending) == []
    confirmed = page.post("approve", group=now_sent.key, confirm_outcome=True)
    assert confirmed.status_code == 200 and NOW_SENT in confirmed.get_json()["cases"]
    assert {e["outcome"] for e in log(pending)} == {"not sent: account has no gift card order -> sent"}


def test_a_kept_decision_that_no_longer_matches_the_snapshots_is_dropped(pending):
    case = "welcome[en-new-account]"
    before = snapshot(pending, case)
    assert Page(pending).post("approve", case=case).status_code == 200
    folder = pending.root / "snapshots/welcome/en-new-account"
    for name, data in before.items():  # someone restores the snapshot with git
        (folder / name).write_bytes(data)
    page = Page(pending)
    assert page.state(case) == "" and f"{case}: the earlier approve no longer matches the snapshots" in page.html


def test_a_malformed_decision_body_is_refused(pending):
    page = Page(pending)
    for body in ({"group": 5}, {"case": "welcome[*]", "reason": 5}, {"case": "welcome[*]", "confirm_outcome": "yes"},
                 {"case": "welcome[*]", "reason": "x" * 3000}):
        response = page.post("reject", **body)
        assert response.status_code == 400, body
    assert page.post("approve", group="no-such-group").status_code == 404
    assert log(pending) == []


# -- decisions as a file -----------------------------------------------------------------------

def decision(sandbox, case_id: str, verdict: str, **extra: Any) -> Decision:
    case = results_case(sandbox, case_id)
    return Decision(case_id, verdict, case["approved_manifest"], expected_hash(case), **extra)  # type: ignore[arg-type]


def write_file(sandbox, decisions: list[Decision], document: dict[str, Any] | None = None) -> Path:
    path = sandbox.root / "decisions-from-the-page.json"
    path.write_text(json.dumps(decisions_document(decisions, document or results(sandbox))))
    return path


def test_exported_decisions_are_applied_as_approve_from_applies_them(pending):
    approve = decision(pending, "welcome[en-new-account]", "approve", who="Dana")
    reject = decision(pending, "welcome[en-jinja-name]", "reject", reason="the name looks odd")
    path = write_file(pending, [approve, reject])
    store = SnapshotStore(pending.root / "snapshots")
    applied = apply_decisions(pending.root / "report", results(pending), store, path)
    assert [(a.case, a.ok) for a in applied] == [("welcome[en-new-account]", True), ("welcome[en-jinja-name]", True)]
    entries = log(pending)
    assert [(e["action"], e["case"], e.get("reason", "")) for e in entries] == [
        ("approve", "welcome[en-new-account]", ""), ("reject", "welcome[en-jinja-name]", "the name looks odd")]
    assert entries[0]["who"] == "Dana" and entries[1]["who"]  # the file's reviewer, else whoever applies it
    assert run("run", "--no-screenshots", "--only", "welcome[en-new-account]").exit_code == 0


def test_an_outcome_change_from_a_file_needs_the_pages_confirmation_and_the_option(pending):
    store = SnapshotStore(pending.root / "snapshots")
    unconfirmed = write_file(pending, [decision(pending, NOW_SENT, "approve")])
    (refused,) = apply_decisions(pending.root / "report", results(pending), store, unconfirmed, allow_outcome_change=True)
    assert not refused.ok and refused.needs_confirmation and "does not record the outcome confirmation" in refused.message
    confirmed = write_file(pending, [decision(pending, NOW_SENT, "approve", confirm_outcome=True)])
    (without_option,) = apply_decisions(pending.root / "report", results(pending), store, confirmed)
    assert not without_option.ok and without_option.needs_confirmation
    assert log(pending) == []
    (done,) = apply_decisions(pending.root / "report", results(pending), store, confirmed, allow_outcome_change=True)
    assert done.ok and log(pending)[-1]["outcome"].endswith("-> sent")


def test_decisions_made_on_another_run_or_altered_are_refused(pending):
    store = SnapshotStore(pending.root / "snapshots")
    other_run = write_file(pending, [decision(pending, "welcome[en-new-account]", "approve")], {"cases": []})
    with pytest.raises(HarnessError, match="made on another run"):
        apply_decisions(pending.root / "report", results(pending), store, other_run)
    forged = decision(pending, "welcome[en-new-account]", "approve")
    path = write_file(pending, [Decision(forged.case, "approve", forged.old, "sha256:" + "0" * 64)])
    (refused,) = apply_decisions(pending.root / "report", results(pending), store, path)
    assert not refused.ok and "other snapshots" in refused.message and log(pending) == []
    for text in ("not json", "[]", json.dumps({"format": "x", "decisions": []}),
                 json.dumps({"format": "email-harness-decisions/1", "decisions": [{"case": 5, "decision": "approve"}]})):
        path.write_text(text)
        with pytest.raises(HarnessError, match="decision"):
            read_decisions(path)
    path.unlink()
    path.symlink_to(pending.root / "pyproject.toml")
    with pytest.raises(HarnessError, match="symbolic link"):
        read_decisions(path)


def test_the_server_exports_its_decisions_as_that_file(pending):
    page = Page(pending)
    page.post("approve", case="welcome[en-new-account]")
    page.post("reject", case="welcome[en-jinja-name]", reason="odd")
    response = page.client.get("/decisions.json", base_url=BASE)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    exported = pending.root / "exported.json"
    exported.write_bytes(response.get_data())
    kept = {d.case: d for d in read_decisions(exported, results(pending))}
    assert kept["welcome[en-new-account]"].decision == "approve" and kept["welcome[en-jinja-name]"].reason == "odd"
    assert kept["welcome[en-new-account]"].who == "Dana Designer"


def test_a_downloaded_ci_artifact_is_reviewed_like_a_local_run(pending):
    """``email-harness review --report DIR``: the artifact folder alone is enough."""
    import shutil

    shutil.copytree(pending.root / "report", pending.root / "email-report")
    shutil.rmtree(pending.root / "report")
    page = Page(pending, report="email-report")
    assert 'data-case="welcome[en-new-account]"' in page.html
    assert page.client.get("/received/welcome/en-new-account/body.txt", base_url=BASE).status_code == 200
    assert page.post("approve", case="welcome[en-new-account]").status_code == 200
    assert log(pending)[-1]["from"] == "email-report"  # relative to the project: the log is committed


def test_planted_state_files_in_the_report_are_never_followed(pending, tmp_path):
    """A report folder may come from anyone's CI run: its state file and undo folder are
    replaced or refused, never written through."""
    report = pending.root / "report"
    secret, elsewhere = tmp_path / "secret.json", tmp_path / "elsewhere"
    secret.write_text("do not touch")
    elsewhere.mkdir()
    (report / DECISIONS).symlink_to(secret)
    (report / "review-undo").symlink_to(elsewhere)
    page = Page(pending)
    assert "earlier decisions were not restored" in page.html
    case = "welcome[en-new-account]"
    assert page.post("approve", case=case).status_code == 200  # the approval stands
    assert not (report / DECISIONS).is_symlink() and secret.read_text() == "do not touch"
    assert list(elsewhere.iterdir()) == []
    undo = page.post("undo", case=case)
    assert undo.status_code == 409 and "cannot undo" in undo.get_json()["errors"][case]


def test_a_new_run_keeps_a_rejection_of_the_same_content(pending, monkeypatch):
    """Another run of the same content: the rejection stands, with its reason (issue 27: decisions
    carry over); the other cases start afresh."""
    page = Page(pending)
    page.post("reject", case="welcome[en-new-account]", reason="not yet")
    assert run("run", "--no-screenshots", "--only", "welcome[*]").exit_code == 1  # another run, another report
    again = Page(pending)
    assert again.state("welcome[en-new-account]") == "rejected" and 'data-reason="not yet"' in again.html
    assert again.html.count('data-state="rejected"') == 1 and "not restored" not in again.html
