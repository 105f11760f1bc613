"""Approved snapshots: a change fails exactly the affected cases with a diff; update and approve
make them pass; interrupted writes and corrupt files never lose an approved snapshot."""

from __future__ import annotations

import os
import shutil

import pytest
from typer.testing import CliRunner

from harness.cases import Case, matches
from harness.cli import app
from harness.snapshots import normalize_html


def test_the_bundled_catalog_matches_its_snapshots(bundled):
    results = [bundled.check(case) for case in bundled.cases()]
    assert [r.case.id for r in results if not r.ok] == []
    assert len(results) >= 12 * 9


def test_one_word_changed_fails_exactly_the_affected_cases_with_a_diff(sandbox):
    sandbox.edit("templates/refund.yaml", "bis zu 5 Werktage", "bis zu 7 Werktage")
    engine = sandbox.engine()
    failing = {r.case.id: r for r in map(engine.check, engine.cases()) if not r.ok}
    assert list(failing) == ["refund[de-refunded]"]
    message = failing["refund[de-refunded]"].explain()
    assert "text (body.txt): differs" in message and "html (body.html): differs" in message
    assert "-Je nach Bank kann es bis zu 5 Werktage dauern" in message
    assert "+Je nach Bank kann es bis zu 7 Werktage dauern" in message
    assert "email-harness approve 'refund[de-refunded]'" in message


def test_update_writes_the_change_and_the_next_run_passes(sandbox):
    sandbox.edit("templates/welcome.yaml", "Start shopping", "Browse the shop")
    assert sandbox.check("welcome[en-new-account]").status == "changed"
    engine = sandbox.engine(update=True)
    assert engine.check(Case("welcome", "en-new-account")).status == "updated"
    assert engine.flush() == [Case("welcome", "en-new-account")]
    assert sandbox.check("welcome[en-new-account]").status == "passed"


def test_a_confirmation_that_starts_going_out_shows_as_a_change(sandbox):
    """The gift-card incident: a wrong requirement sends "thanks for your gift card purchase" to
    accounts that bought no gift card. The outcome snapshot turns from 'not sent' to 'sent'."""
    sandbox.edit("templates/gift_card_confirmation.yaml", "requires: [gift_card_order]\nlocales: [en, it, de, ar]\nrules:\n",
                 "requires: [order]\nlocales: [en, it, de, ar]\nrules:\n  empty-list: {allow: [order.gift_cards]}\n")  # empty-list aside
    result = sandbox.check("gift_card_confirmation[en-one-order]")
    assert result.status == "changed"
    message = result.explain()
    assert "-not sent: account has no gift card order" in message and "+sent" in message
    assert "+Your gift card purchase, order NW-100231" in message


def test_new_case_fails_until_approved_by_pattern(sandbox, monkeypatch):
    sandbox.write("fixtures/it-second-no-orders.yaml", "locale: it\nname: Sara Neri\nemail: sara@example.it\ncreated_at: 2020-01-01T00:00:00+00:00\n")
    monkeypatch.chdir(sandbox.root)
    runner = CliRunner()
    assert runner.invoke(app, ["run"]).exit_code == 1
    approved = runner.invoke(app, ["approve", "*[it-second-*]"])
    assert approved.exit_code == 0, approved.output
    assert "approved: gift_card_confirmation[it-second-no-orders]" in approved.output
    assert runner.invoke(app, ["run"]).exit_code == 0


def test_case_patterns_match_template_and_fixture_separately():
    case = Case("gift_card_confirmation", "it-no-orders")
    assert matches("gift_card_*[*-no-orders]", case)
    assert not matches("gift_card_*[en-*]", case)
    assert matches("it-no-orders", case) and matches("gift_card_confirmation", case)


def test_unused_snapshots_are_reported_and_removed_only_on_prune(sandbox, monkeypatch):
    (sandbox.root / "fixtures" / "de-minimal.yaml").unlink()
    # A fixture the screenshot list still named would be a configuration error (exit 2) instead.
    sandbox.edit("templates/_catalog.yaml", "    - de-minimal\n", "")
    monkeypatch.chdir(sandbox.root)
    runner = CliRunner()
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 1, result.output
    assert "snapshot(s) no case produces any more" in result.output and "welcome[de-minimal]" in result.output
    assert (sandbox.root / "snapshots/welcome/de-minimal").is_dir()
    assert runner.invoke(app, ["run", "--prune"]).exit_code == 0
    assert not (sandbox.root / "snapshots/welcome/de-minimal").exists()


def test_corrupt_snapshot_is_reported_with_its_path_and_not_overwritten(sandbox):
    body = sandbox.root / "snapshots/order_confirmation/en-one-order/body.html"
    truncated = body.read_bytes()[:100]
    body.write_bytes(truncated)
    result = sandbox.check("order_confirmation[en-one-order]", update=True)
    assert result.status == "error"
    assert "order_confirmation/en-one-order/body.html: content does not match its manifest" in result.error
    assert "git checkout" in result.error
    assert body.read_bytes() == truncated  # --update does not silently overwrite it


@pytest.mark.parametrize("damage", [b"{not json", b"\xff\xfe"])
def test_unparsable_manifest_is_reported(sandbox, damage):
    (sandbox.root / "snapshots/welcome/en-new-account/manifest.json").write_bytes(damage)
    result = sandbox.check("welcome[en-new-account]")
    assert result.status == "error" and "manifest.json: does not parse" in result.error


def test_an_update_interrupted_at_any_write_leaves_every_case_old_or_new(sandbox, monkeypatch):
    snapshots = sandbox.root / "snapshots"
    pristine = sandbox.root / "pristine"
    shutil.copytree(snapshots, pristine)
    sandbox.edit("templates/_copy/en.yaml", "Help centre", "Help center")
    _update(sandbox.engine(update=True), monkeypatch=None)
    new = sandbox.root / "new"
    shutil.copytree(snapshots, new)
    total = sum(1 for p in new.rglob("*") if p.is_file() and p.read_bytes() != _maybe(pristine / p.relative_to(new)))
    assert total > 30
    for crash_at in range(0, total, 5):
        shutil.rmtree(snapshots)
        shutil.copytree(pristine, snapshots)
        with pytest.raises(KeyboardInterrupt):
            _update(sandbox.engine(update=True), monkeypatch=monkeypatch, crash_after=crash_at)
        # The next run recovers every case to wholly old or wholly new, and says what is pending.
        after = sandbox.engine()
        statuses = {after.check(c).status for c in after.cases()}
        assert statuses <= {"passed", "changed"}
        for case_folder in {p.parent for p in snapshots.rglob("manifest.json")}:
            rel = case_folder.relative_to(snapshots)
            files = {p.name for p in case_folder.iterdir()}
            assert not [f for f in files if f.startswith(".")], f"leftover in {rel}: {files}"
            old = all(_maybe(case_folder / f) == _maybe(pristine / rel / f) for f in files)
            fresh = all(_maybe(case_folder / f) == _maybe(new / rel / f) for f in files)
            assert old or fresh, f"{rel} mixes old and new files"


def _maybe(path):
    return path.read_bytes() if path.is_file() else None


def _update(engine, *, monkeypatch, crash_after=0):
    for case in engine.cases():
        engine.check(case)
    if monkeypatch is None:
        engine.flush()
        return
    real_replace, calls = os.replace, [0]

    def crashing_replace(src, dst):
        calls[0] += 1
        if calls[0] > crash_after:
            raise KeyboardInterrupt("killed mid-update")
        real_replace(src, dst)

    with monkeypatch.context() as m:
        m.setattr(os, "replace", crashing_replace)
        engine.flush()


def test_html_is_compared_ignoring_attribute_order_and_whitespace():
    assert normalize_html('<p class="a"  id="b">Hi</p>') == normalize_html('<p id="b" class="a">\n  Hi\n</p>')
    assert normalize_html("<p>Hi</p>") != normalize_html("<p>Hello</p>")


def test_an_unchanged_case_takes_derived_parts_from_its_snapshot_and_a_changed_one_recomputes(sandbox):
    """Same raw HTML and same deriving code: normalized HTML and text part cannot have changed."""
    engine = sandbox.engine()
    assert engine.check(Case("refund", "de-refunded")).ok
    assert engine.stopwatch.calls["text"] == 0
    sandbox.edit("templates/refund.yaml", "bis zu 5 Werktage", "bis zu 7 Werktage")
    engine = sandbox.engine()
    result = engine.check(Case("refund", "de-refunded"))
    assert engine.stopwatch.calls["text"] == 1
    assert "+Je nach Bank kann es bis zu 7 Werktage dauern" in result.explain()
