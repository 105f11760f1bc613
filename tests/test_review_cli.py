"""The command line's side of the review: ``approve`` needs ``--allow-outcome-change`` for a case
that starts being sent (re-rendered or from a report), ``approve --from REPORT --decisions FILE``
applies the decisions exported from the report page, and ``run`` in GitHub Actions writes the job
summary and the annotations."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.review.changes import expected_hash
from harness.review.decisions import Decision, decisions_document

#: The loosened guard; empty-list (which fails these cases too) is told to allow the empty loop, so the
#: test sees the outcome change alone.
GIFT_CARD_GUARD = ("templates/gift_card_confirmation.yaml", "requires: [gift_card_order]\nlocales: [en, it, de, ar]\nrules:\n",
                   "requires: [order]\nlocales: [en, it, de, ar]\nrules:\n  empty-list: {allow: [order.gift_cards]}\n")
NOW_SENT = "gift_card_confirmation[en-one-order]"
ONLY = ["--only", "gift_card_confirmation[*]"]


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False, env=env)


@pytest.fixture
def planted(sandbox, monkeypatch):
    monkeypatch.chdir(sandbox.root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    run("run", "--no-screenshots", "--update", *ONLY)
    sandbox.edit(*GIFT_CARD_GUARD)
    assert run("run", "--no-screenshots", *ONLY).exit_code == 1
    return sandbox


def test_approve_by_re_rendering_needs_the_option_for_a_case_that_starts_being_sent(planted):
    before = (planted.root / "snapshots/gift_card_confirmation/en-one-order/outcome.txt").read_text()
    refused = run("approve", NOW_SENT)
    assert refused.exit_code == 1 and f"{NOW_SENT}: now sent" in refused.output and "nothing was written for them" in refused.output
    assert "--allow-outcome-change" in refused.output
    assert (planted.root / "snapshots/gift_card_confirmation/en-one-order/outcome.txt").read_text() == before
    assert run("approve", "gift_card_confirmation[en-no-orders]").exit_code == 0  # still not sent: no option needed
    approved = run("approve", "--allow-outcome-change", NOW_SENT)
    assert approved.exit_code == 0 and f"approved: {NOW_SENT}" in approved.output


def test_approve_from_a_report_needs_the_option_too(planted):
    assert run("approve", "--from", "report", NOW_SENT).exit_code == 1
    result = run("approve", "--from", "report", "--allow-outcome-change", NOW_SENT)
    assert result.exit_code == 0, result.output


def test_decisions_exported_from_the_page_are_applied(planted):
    document = json.loads((planted.root / "report/results.json").read_text())
    cases = {c["id"]: c for c in document["cases"]}

    def decided(case_id: str, verdict: str, **extra: Any) -> Decision:
        case = cases[case_id]
        return Decision(case_id, verdict, case["approved_manifest"], expected_hash(case), **extra)  # type: ignore[arg-type]

    file = planted.root / "review-decisions.json"
    file.write_text(json.dumps(decisions_document([
        decided(NOW_SENT, "approve", confirm_outcome=True),
        decided("gift_card_confirmation[en-rtl]", "reject", reason="no gift card bought"),
    ], document)))
    assert run("approve", "--decisions", str(file)).exit_code == 2  # which report?
    refused = run("approve", "--from", "report", "--decisions", str(file))
    assert refused.exit_code == 1 and f"refused: {NOW_SENT}" in refused.output
    done = run("approve", "--from", "report", "--decisions", str(file), "--allow-outcome-change")
    assert done.exit_code == 0, done.output
    assert f"approved: {NOW_SENT}" in done.output and "rejected: gift_card_confirmation[en-rtl]" in done.output


def test_run_in_github_actions_writes_the_job_summary_and_annotations(planted):
    summary = planted.root / "summary.md"
    result = run("run", "--no-screenshots", *ONLY, env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
                                                       "GITHUB_WORKSPACE": str(planted.root)})
    assert result.exit_code == 1
    assert summary.read_text().startswith("## email-harness: ")
    assert "Starts sending where it was not sent" in summary.read_text()
    assert "::warning file=templates/gift_card_confirmation.yaml,line=3," in result.output
