"""The designer's whole loop in a real browser (Playwright + Chromium): open the review page on a
planted one-word change and a planted send-guard change, filter, inspect every view, approve a
group in one action, meet the second confirmation of the outcome change, reject one case with a
reason (by keyboard), undo, reload, restart, finish; then the next run passes. The static report
does the same from disk and exports its decisions as a file ``approve --from`` applies. The page
passes an axe scan at every step.

A screenshot of the page at each step is kept as evidence in the test's ``evidence/`` folder."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from typer.testing import CliRunner
from werkzeug.serving import BaseWSGIServer

from harness.cli import app
from harness.review.app import create_app, make_review_server
from harness.review.decisions import apply_decisions
from harness.screenshots.browser import LAUNCH_FLAGS, executable_for
from harness.screenshots.camera import shared_playwright
from harness.snapshots import SnapshotStore

#: A one-word edit to one template: every English order confirmation shows it.
THANKS = ("templates/order_confirmation.yaml", 'heading: "Thank you for your order"', 'heading: "Thanks for your order"')
#: The loosened guard; empty-list (which fails these cases too) is told to allow the empty loop, so the
#: test sees the outcome change alone.
GIFT_CARD_GUARD = ("templates/gift_card_confirmation.yaml", "requires: [gift_card_order]\nlocales: [en, it, de, ar]\nrules:\n",
                   "requires: [order]\nlocales: [en, it, de, ar]\nrules:\n  empty-list: {allow: [order.gift_cards]}\n")
ONLY = ["--only", "gift_card_confirmation[*]", "--only", "order_confirmation[*]"]
REJECTED = "gift_card_confirmation[en-one-order]"
REASON = "gift-card confirmations only for gift-card orders"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def planted(sandbox, monkeypatch):
    """A one-word change of one template's copy and a send guard that lets gift-card confirmations go to
    accounts that bought no gift card, with the run's report (screenshots included)."""
    monkeypatch.chdir(sandbox.root)
    run("run", "--update", *ONLY)  # screenshots of this machine; the planted edits are then the only changes
    sandbox.edit(*THANKS)
    sandbox.edit(*GIFT_CARD_GUARD)
    assert run("run", *ONLY).exit_code == 1
    return sandbox


class Evidence:
    """Numbered page screenshots in ``tmp_path/evidence`` and an axe scan per step."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str, element: Any = None) -> Path:
        """The page as the designer sees it; with ``element``, that element whole."""
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        if element is None:
            self.page.screenshot(path=str(path))
        else:  # the sticky bar would cover a tall element scrolled under it
            element.screenshot(path=str(path), style=".bar { position: static !important; }")
        return path

    def axe(self) -> None:
        violations = Axe().run(self.page).response["violations"]
        assert [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations] == []


@pytest.fixture
def browser() -> Iterator[Any]:
    browser = shared_playwright().chromium.launch(executable_path=executable_for("auto"), args=list(LAUNCH_FLAGS))
    yield browser
    browser.close()


def serve(sandbox) -> BaseWSGIServer:
    review = create_app(sandbox.root / "report", SnapshotStore(sandbox.root / "snapshots"), who="Dana Designer",
                        catalog=sandbox.root / "templates", fixtures=sandbox.root / "fixtures")
    server = make_review_server("127.0.0.1", 0, review)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def progress(page: Any) -> str:
    return page.get_by_test_id("progress").inner_text()


def group(page: Any, title: str) -> Any:
    return page.locator("section.group", has=page.locator(".title", has_text=title))


def inspect_every_view(page: Any, card: Any, evidence: Evidence) -> None:
    """Inbox line, viewport tabs, the four compare modes, zoom, word diff, the folded HTML diff."""
    assert card.locator(".inbox").is_visible()
    shots = card.locator(".shots")
    tabs = shots.get_by_role("tab")
    assert tabs.count() >= 2 and tabs.first.get_attribute("aria-selected") == "true"
    images = shots.locator(".shot:not([hidden]) .pair img")
    page.wait_for_function("els => els.every(i => i.complete && i.naturalWidth > 0)", arg=images.element_handles())
    evidence.shot("side-by-side")
    for key, mode in (("2", "slider"), ("3", "overlay"), ("4", "diff")):
        page.keyboard.press(key)
        assert shots.locator(".shot:not([hidden])").get_attribute("data-mode") == mode
        assert shots.get_by_role("button", name=mode, exact=True).get_attribute("aria-pressed") == "true"
        if mode == "slider":
            shots.locator(".shot:not([hidden]) input.slide").fill("80")
        evidence.shot(mode)
        evidence.shot(f"{mode}-panel", shots.locator(".shot:not([hidden])"))
    zoom = shots.locator(".zoom")  # each view opens at the first changed region
    assert zoom.get_attribute("aria-pressed") == "true" and "Zoomed to change 1" in zoom.inner_text()
    evidence.shot("diff-zoomed", shots)
    page.keyboard.press("1")
    evidence.shot("side-by-side-zoomed", shots)
    tabs.nth(1).focus()
    page.keyboard.press("ArrowLeft")  # tabs move with the arrow keys
    page.keyboard.press("ArrowRight")
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    evidence.shot("second-viewport")
    words = card.locator("pre.words")
    assert words.locator("del").first.inner_text() == "Thank you" and words.locator("ins").first.inner_text() == "Thanks"
    html_diff = card.locator("details.html-diff")
    assert html_diff.get_attribute("open") is None  # folded, last
    html_diff.locator("summary").click()
    assert "Thanks for your order" in html_diff.locator("pre").inner_text()
    evidence.shot("html-diff-open")


def test_the_designers_whole_loop_in_the_review_page(planted, browser, tmp_path):
    server = serve(planted)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    evidence = Evidence(page, tmp_path / "evidence")
    try:
        # open: the headline counts changes, not cases; the outcome change leads
        page.goto(f"http://127.0.0.1:{server.port}/")
        headline = page.get_by_test_id("summary").inner_text()
        changes, cases = headline.split(" changes in ")[0], headline.split(" changes in ")[1].split(" cases")[0]
        assert int(changes) < int(cases)
        assert progress(page) == f"0 of {cases} reviewed"
        first = page.locator("section.group").first
        assert first.get_attribute("data-switch") == "now sent" and first.locator(".alert").is_visible()
        evidence.shot("open")
        evidence.axe()

        # filter by kind
        page.locator(".filters button[data-kind=copy]").click()
        assert first.is_hidden()
        copy = group(page, "Thanks for your order")
        visible = page.locator("section.group:visible")
        assert copy.is_visible() and visible.count() < page.locator("section.group").count()
        assert all("copy" in kinds.split() for kinds in visible.evaluate_all("els => els.map(e => e.dataset.kinds)"))
        evidence.shot("filtered-copy")

        # inspect each view of the change's first case
        copy.focus()
        card = copy.locator("article.case").first
        inspect_every_view(page, card, evidence)
        evidence.axe()

        # approve the group: one action for all its cases
        members = copy.locator("article.case[data-approvable]").count()
        assert members >= 3
        copy.locator(".approve-group").click()
        page.wait_for_function(f"document.querySelectorAll('article.case.approved').length === {members}")
        assert progress(page) == f"{members} of {cases} reviewed"
        assert copy.get_by_test_id("group-state").inner_text() == f"{members} of {members} reviewed"
        evidence.shot("group-approved")
        page.locator("[data-tool=hide-done]").check()  # a finished change can be hidden
        assert copy.is_hidden()
        page.locator("[data-tool=hide-done]").uncheck()

        # undo one case, then approve it again
        again = copy.locator("article.case").nth(1)
        again.locator("button.undo").click()
        page.wait_for_function("el => el.dataset.state === ''", arg=again.element_handle())
        assert progress(page) == f"{members - 1} of {cases} reviewed"
        again.locator("button.approve").click()
        page.wait_for_function("el => el.dataset.state === 'approved'", arg=again.element_handle())

        # the outcome change needs a second confirmation
        page.locator(".filters button[data-kind=all]").click()
        outcome = page.locator("section.group.switch")
        outcome.locator(".approve-group").click()
        confirm = outcome.locator(".confirm")
        assert confirm.is_visible() and outcome.locator(".confirm-approve").is_disabled()
        assert page.locator("article.case[data-switch].approved").count() == 0
        evidence.shot("outcome-confirmation")
        evidence.axe()
        confirm.get_by_role("button", name="Cancel").click()

        # reject one case with a reason, by keyboard
        target = page.locator(f'article[data-case="{REJECTED}"]')
        target.locator("button.show").click()
        page.keyboard.press("Shift+R")
        reason = outcome.locator(".reason")
        assert reason.evaluate("el => el === document.activeElement")
        reason.type(REASON)
        page.keyboard.press("Enter")
        page.wait_for_function("el => el.dataset.state === 'rejected'", arg=target.element_handle())
        assert target.get_by_test_id("outcome").inner_text() == f"rejected: {REASON}"
        evidence.shot("case-rejected")

        # reload, then restart the server: the decisions are still there
        page.reload()
        assert progress(page) == f"{members + 1} of {cases} reviewed"
        assert page.locator(f'article[data-case="{REJECTED}"]').get_by_test_id("outcome").inner_text() == f"rejected: {REASON}"
        server.shutdown()
        server = serve(planted)
        page.goto(f"http://127.0.0.1:{server.port}/")
        assert progress(page) == f"{members + 1} of {cases} reviewed"
        evidence.shot("after-restart")

        # finish
        page.get_by_role("button", name="Finish review").click()
        dialog = page.locator("dialog#finish")
        assert dialog.is_visible()
        assert dialog.get_by_test_id("finish-counts").inner_text().startswith(f"{members + 1} of {cases} reviewed: {members} approved, 1 rejected")
        evidence.shot("finish")
        evidence.axe()
        page.keyboard.press("Escape")
    finally:
        server.shutdown()
    assert errors == []

    log = [json.loads(line) for line in (planted.root / "snapshots/review-log.jsonl").read_text().splitlines()]
    assert {e["who"] for e in log} == {"Dana Designer"}
    reject = next(e for e in log if e["action"] == "reject")
    assert (reject["case"], reject["reason"]) == (REJECTED, REASON)
    assert reject["old"].startswith("sha256:") and reject["new"].startswith("sha256:") and reject["when"]
    # The template's author reads the rejection and puts the send guard back: the next run passes.
    planted.edit("templates/gift_card_confirmation.yaml", "requires: [order]", "requires: [gift_card_order]")
    result = run("run", *ONLY)
    assert result.exit_code == 0, result.output
    print(f"\nevidence: {evidence.folder}")


def test_the_static_report_works_from_disk_and_exports_its_decisions(planted, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True)  # a laptop screen
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    evidence = Evidence(page, tmp_path / "evidence")
    report = planted.root / "report"
    page.goto((report / "index.html").as_uri())
    assert "email-harness report" in page.title() or "email-harness report" in page.locator("h1").inner_text()
    evidence.shot("static-open")
    evidence.axe()
    keys = page.locator("#keys")
    page.keyboard.press("?")
    assert keys.is_visible()
    page.keyboard.press("Escape")  # Esc closes every panel and dialog
    assert keys.is_hidden()

    copy = group(page, "Thanks for your order")
    copy.locator(".shots .modes button[data-mode=overlay]").first.click()
    assert copy.locator(".shot:not([hidden])").first.get_attribute("data-mode") == "overlay"
    copy.locator(".approve-group").click()
    outcome = page.locator("section.group.switch")
    outcome.locator(".approve-group").click()
    page.keyboard.press("Escape")  # the focus is on the confirmation's checkbox
    assert outcome.locator(".confirm").is_hidden()
    outcome.locator(".approve-group").click()
    outcome.locator(".confirm-outcome").check()
    outcome.locator(".confirm-approve").click()  # confirmed on the page: recorded in the file
    page.locator(".filters button[data-kind=outcome]").click()
    evidence.shot("static-decided")
    page.reload()  # kept in this browser
    approved = page.locator("article.case.approved").count()
    assert approved >= 4 and progress(page).startswith(f"{approved} of ")

    with page.expect_download() as download:
        page.get_by_role("button", name="Export decisions").first.click()
    exported = tmp_path / "review-decisions.json"
    download.value.save_as(exported)
    decisions = json.loads(exported.read_text())["decisions"]
    assert len(decisions) == approved and any(d["confirm_outcome"] for d in decisions)
    assert errors == []

    document = json.loads((report / "results.json").read_text())
    store = SnapshotStore(planted.root / "snapshots")
    applied = apply_decisions(report, document, store, exported, allow_outcome_change=True)
    assert all(a.ok for a in applied), [a.message for a in applied if not a.ok]
    assert run("run", *ONLY).exit_code == 1  # the undecided cases are still pending
    after = {c["id"]: c["status"] for c in json.loads((report / "results.json").read_text())["cases"]}
    assert {after[d["case"]] for d in decisions} == {"passed"}
    print(f"\nevidence: {evidence.folder}")
