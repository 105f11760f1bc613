"""Who gets an email is never approved by accident: ``run --update``, ``pytest
--update-snapshots``, ``approve PATTERN`` and ``approve --from`` write every other case, hold back
each case that starts or stops being sent, exit 1 and name the command that approves it
(``--allow-outcome-change``). The approved outcome is read from one validated source, so a
corrupt manifest cannot hide a flip."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.snapshots import SnapshotStore
from harness.snapshots.outcome import NO_LONGER_SENT, NOW_SENT, UNKNOWN, outcome_change

#: Loosened: the gift-card confirmation now goes to anyone with an order (incident 1).
LOOSEN_GUARD = ("templates/gift_card_confirmation.yaml", "requires: [gift_card_order]", "requires: [order]")
#: The same, with the empty gift-card loop allowed, so the tests of writes see the outcome change
#: alone (empty-list fails these cases too: see the last test).
LOOSEN = ("templates/gift_card_confirmation.yaml", "requires: [gift_card_order]\nlocales: [en, it, de, ar]\nrules:\n",
          "requires: [order]\nlocales: [en, it, de, ar]\nrules:\n  empty-list: {allow: [order.gift_cards]}\n")
BUYS_NOTHING = "gift_card_confirmation[en-one-order]"  # has an order, bought no gift card
GIFT_CARD_BUYER = "gift_card_confirmation[en-gift-card-google-play]"
#: An unrelated copy edit, so an update has something else to write.
HELP_CENTRE = ("templates/_copy/en.yaml", "Help centre", "Help center")
WELCOME = "welcome[en-new-account]"
ONLY = ["--only", "gift_card_confirmation[*]", "--only", "welcome[*]"]


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def files(sandbox, case_id: str) -> dict[str, bytes]:
    template, fixture = case_id[:-1].split("[")
    folder = sandbox.root / "snapshots" / template / fixture
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


@pytest.fixture
def loosened(sandbox, monkeypatch):
    monkeypatch.chdir(sandbox.root)
    assert cli("run", "--no-screenshots", "--update", *ONLY).exit_code == 0  # start from this machine's text
    sandbox.edit(*HELP_CENTRE)
    sandbox.edit(*LOOSEN)
    return sandbox


@pytest.mark.parametrize(("before", "after", "change"), [
    ("not sent: no gift card order\n", "sent\n", NOW_SENT),
    ("sent\n", "not sent: no gift card order\n", NO_LONGER_SENT),
    ("not sent: no order\n", "not sent: no gift card order\n", ""),  # another reason: same people
    ("sent\n", "sent\n", ""),
    (None, "sent\n", ""),  # a new case is new, not a change of who gets it
    (UNKNOWN, "sent\n", NOW_SENT),  # an approved outcome nobody can vouch for is a change
    (UNKNOWN, "not sent: x\n", NO_LONGER_SENT),
])
def test_what_counts_as_an_outcome_change(before, after, change):
    assert outcome_change(before, after) == change


def test_run_update_writes_the_rest_and_holds_a_case_that_starts_being_sent(loosened):
    held_before, buyer_before = files(loosened, BUYS_NOTHING), files(loosened, GIFT_CARD_BUYER)
    welcome_before = files(loosened, WELCOME)
    result = cli("run", "--no-screenshots", "--update", *ONLY)
    assert result.exit_code == 1, result.output
    assert files(loosened, BUYS_NOTHING) == held_before  # not written
    assert files(loosened, GIFT_CARD_BUYER) == buyer_before  # stops being sent: not written either
    assert files(loosened, WELCOME) != welcome_before  # the copy edit is approved
    assert "held back" in result.output
    assert f"{BUYS_NOTHING}: now sent" in result.output and f"{GIFT_CARD_BUYER}: no longer sent" in result.output
    assert f"email-harness approve --allow-outcome-change '{BUYS_NOTHING}'" in result.output
    # The command it names approves them; then the run is green.
    approved = cli("approve", "--allow-outcome-change", "gift_card_confirmation[*]")
    assert approved.exit_code == 0, approved.output
    assert files(loosened, BUYS_NOTHING)["outcome.txt"] == b"sent\n"
    assert cli("run", "--no-screenshots", *ONLY).exit_code == 0


def test_run_update_with_the_option_writes_the_outcome_change(loosened):
    assert cli("run", "--no-screenshots", "--update", "--allow-outcome-change", *ONLY).exit_code == 0
    assert files(loosened, BUYS_NOTHING)["outcome.txt"] == b"sent\n"


def test_a_plain_run_says_an_update_will_not_approve_it(loosened):
    result = cli("run", "--no-screenshots", "--only", BUYS_NOTHING)
    assert result.exit_code == 1
    assert "starts being sent" in result.output and "--allow-outcome-change" in result.output
    assert "re-run with --update" not in result.output  # that would hold it back


def test_approve_pattern_writes_the_others_and_holds_the_flips(loosened):
    before = files(loosened, BUYS_NOTHING)
    result = cli("approve", "gift_card_confirmation[*]")
    assert result.exit_code == 1, result.output
    assert f"held: {BUYS_NOTHING}" in result.output and f"held: {GIFT_CARD_BUYER}" in result.output
    assert files(loosened, BUYS_NOTHING) == before
    # Still not sent, for the same people: approved.
    assert "approved: gift_card_confirmation[en-no-orders]" in result.output or "unchanged: gift_card_confirmation[en-no-orders]" in result.output


def test_pytest_update_snapshots_holds_it_too(loosened):
    before = files(loosened, BUYS_NOTHING)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "templates", "-p", "no:cacheprovider", "-q", "--no-screenshots",
         "--update-snapshots", "-k", "gift_card_confirmation and en-one-order"],
        cwd=loosened.root, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 1, run.stdout[-3000:]
    assert "--allow-outcome-change" in run.stdout and "Not written" in run.stdout
    assert files(loosened, BUYS_NOTHING) == before
    confirmed = subprocess.run(
        [sys.executable, "-m", "pytest", "templates", "-p", "no:cacheprovider", "-q", "--no-screenshots",
         "--update-snapshots", "--allow-outcome-change", "-k", "gift_card_confirmation and en-one-order"],
        cwd=loosened.root, capture_output=True, text=True, timeout=300,
    )
    assert confirmed.returncode == 0, confirmed.stdout[-3000:]
    assert files(loosened, BUYS_NOTHING)["outcome.txt"] == b"sent\n"


def test_approve_from_a_report_refuses_a_case_that_stops_being_sent(loosened):
    assert cli("run", "--no-screenshots", *ONLY).exit_code == 1
    before = files(loosened, GIFT_CARD_BUYER)
    result = cli("approve", "--from", "report", GIFT_CARD_BUYER, WELCOME)
    assert result.exit_code == 1
    assert "stops sending this email" in result.output and f"--allow-outcome-change '{GIFT_CARD_BUYER}'" in result.output
    assert files(loosened, GIFT_CARD_BUYER) == before
    assert f"approved: {WELCOME}" in result.output  # the others are written


def test_a_corrupt_manifest_beside_not_sent_cannot_let_approve_flip_it(loosened):
    manifest = loosened.root / "snapshots/gift_card_confirmation/en-one-order/manifest.json"
    manifest.write_text("{not json")
    store = SnapshotStore(loosened.root / "snapshots")
    assert store.approved_outcome("gift_card_confirmation", "en-one-order") == UNKNOWN
    result = cli("approve", BUYS_NOTHING)
    assert result.exit_code == 1 and f"held: {BUYS_NOTHING}" in result.output
    assert "cannot be read" in result.output
    assert manifest.read_text() == "{not json"  # nothing written over it
    assert cli("approve", "--allow-outcome-change", BUYS_NOTHING).exit_code == 0
    assert store.approved_outcome("gift_card_confirmation", "en-one-order") == "sent\n"


def test_an_outcome_validated_by_its_manifest_is_read_even_when_another_part_is_corrupt(loosened):
    folder = loosened.root / "snapshots/gift_card_confirmation/en-one-order"
    store = SnapshotStore(loosened.root / "snapshots")
    assert store.approved_outcome("gift_card_confirmation", "en-one-order").startswith("not sent")
    (folder / "outcome.txt").write_text("sent\n")  # edited by hand: no longer matches its manifest
    assert store.approved_outcome("gift_card_confirmation", "en-one-order") == UNKNOWN


def test_the_loosened_guard_sends_a_confirmation_without_a_gift_card_and_empty_list_fails_it(sandbox):
    """Incident 1's second shape: a gift-card confirmation for an order of the buyer's with no
    gift card in it. No other rule sees it; the loop over no gift cards does."""
    sandbox.edit(*LOOSEN_GUARD)
    result = sandbox.check(BUYS_NOTHING)
    assert result.status == "failed" and result.outcome == "sent"
    [finding] = result.findings
    assert (finding.rule, finding.severity, finding.element) == ("empty-list", "error", "templates/gift_card_confirmation.mjml:10")
    assert "order.gift_cards is empty" in finding.message
    assert sandbox.check(GIFT_CARD_BUYER).findings == []  # the gift-card buyer's own confirmation is clean
