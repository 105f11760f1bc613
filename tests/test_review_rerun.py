"""The review page always shows one run, names every edit of a change, and remembers rejections:
in a real browser, on two planted edits (the shared footer word "Help centre" and the colour of the
order confirmation's button), a re-run with the page open, and a run into another report folder.

A screenshot of the page at each step is kept as evidence in the test's ``evidence/`` folder."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from playwright.sync_api import expect

from harness.report.html import results_digest
from harness.review.app import create_app, make_review_server
from harness.snapshots import SnapshotStore
from test_review_browser import Evidence, browser, run, serve  # noqa: F401  (browser is a fixture)

HELP_CENTRE = ("templates/_copy/en.yaml", 'help_link: "Help centre"', 'help_link: "Support centre"')
BUTTON = ("templates/order_confirmation.mjml", '<mj-button href="{{ shop.url }}', '<mj-button background-color="#047857" href="{{ shop.url }}')
ONLY = ["--no-screenshots", "--only", "order_confirmation[*]", "--only", "welcome[*]"]
REASON = "the new green fails our contrast check"


@pytest.fixture
def planted(sandbox, monkeypatch):
    """Two edits: the English footer word (every English case of both templates) and the order
    confirmation's button colour (every order confirmation): English order confirmations hold both."""
    monkeypatch.chdir(sandbox.root)
    run("run", "--update", *ONLY)
    sandbox.edit(*HELP_CENTRE)
    sandbox.edit(*BUTTON)
    assert run("run", *ONLY).exit_code == 1
    return sandbox


def results(sandbox, folder: str = "report") -> dict[str, Any]:
    return json.loads((sandbox.root / folder / "results.json").read_text())


def titled(page: Any, *words: str) -> Any:
    """The change whose title holds every one of ``words``."""
    groups = page.locator("section.group")
    for word in words:
        groups = groups.filter(has=page.locator(".title", has_text=word))
    return groups


def test_a_rerun_with_the_page_open_and_a_rejection_that_carries_over(planted, browser, tmp_path):  # noqa: F811
    server = serve(planted)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    evidence = Evidence(page, tmp_path / "evidence")
    try:
        page.goto(f"http://127.0.0.1:{server.port}/")
        first_run = results_digest((planted.root / "report/results.json").read_bytes())
        assert first_run in page.get_by_test_id("run").inner_text()  # the page states its run

        # A case holding two edits is a change titled with both, and each edit counts its cases once.
        both = titled(page, "Support centre", "#047857")
        assert both.count() == 1, page.locator("section.group .title").all_inner_texts()
        edits = both.locator("ul.edits li")
        assert edits.count() == 2
        english_orders = both.locator("article.case").count()
        footer_only = titled(page, "Support centre").filter(has_not=page.locator(".title", has_text="#047857"))
        button_only = titled(page, "#047857").filter(has_not=page.locator(".title", has_text="Support centre"))
        footer_cases = english_orders + sum(g.locator("article.case").count() for g in footer_only.all())
        button_cases = english_orders + sum(g.locator("article.case").count() for g in button_only.all())
        assert f"in {footer_cases} cases" in edits.nth(0).inner_text() and "Support centre" in edits.nth(0).inner_text()
        assert f"in {button_cases} cases" in edits.nth(1).inner_text() and "#047857" in edits.nth(1).inner_text()
        evidence.shot("two-edits", both.locator(".group-head"))
        evidence.axe()

        # Reject one case of it with a reason; the header counts it.
        rejected = both.locator("article.case").first
        case_id = rejected.get_attribute("data-case")
        both.locator(".reason").fill(REASON)
        rejected.locator("button.reject").click()
        page.wait_for_function("el => el.dataset.state === 'rejected'", arg=rejected.element_handle())
        assert page.get_by_test_id("decided").inner_text() == "0 approved · 1 rejected"

        # Run again with the page open: the page says a new run replaced it, and refuses decisions.
        banner = page.get_by_test_id("stale-run")
        assert banner.is_hidden()
        assert run("run", *ONLY).exit_code == 1
        second_run = results_digest((planted.root / "report/results.json").read_bytes())
        assert second_run != first_run
        banner.wait_for(state="visible", timeout=10_000)
        assert second_run in banner.inner_text() and first_run in banner.inner_text()
        evidence.shot("stale-run")
        evidence.axe()
        other = both.locator("article.case").nth(1)
        other.locator("button.approve").click()
        outcome = both.locator(".group-outcome")
        page.wait_for_function("el => el.textContent.includes('this page shows run')", arg=outcome.element_handle())
        assert f"this page shows run {first_run}" in outcome.inner_text() and second_run in outcome.inner_text()
        assert other.get_attribute("data-state") == ""

        # Reload: the new run, with the rejection that still applies.
        banner.get_by_role("button", name="Reload the new run").click()
        page.wait_for_function(f"document.body.dataset.results === '{second_run}'")
        assert page.get_by_test_id("stale-run").is_hidden() and second_run in page.get_by_test_id("run").inner_text()
        again = page.locator(f'article[data-case="{case_id}"]')
        # Waited for, not read at once: the body's run attribute is there as soon as the new page
        # is parsed, the reason and the count once its script has run.
        expect(again.get_by_test_id("outcome")).to_have_text(f"rejected: {REASON}")
        expect(page.get_by_test_id("decided")).to_have_text("0 approved · 1 rejected")
        evidence.shot("reloaded")
    finally:
        server.shutdown()

    # The next run's report comes from elsewhere (a CI artifact): the rejection carries over from
    # snapshots/review-log.jsonl, and a reviewer can clear it.
    assert run("run", *ONLY, "--output", "ci-report").exit_code == 1
    review = create_app(planted.root / "ci-report", SnapshotStore(planted.root / "snapshots"), who="Dana Designer",
                        catalog=planted.root / "templates", fixtures=planted.root / "fixtures")
    server = make_review_server("127.0.0.1", 0, review)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.port}/")
        carried = page.locator(f'article[data-case="{case_id}"]')
        assert carried.get_by_test_id("outcome").inner_text() == f"rejected on an earlier run: {REASON}"
        assert page.get_by_test_id("decided").inner_text() == "0 approved · 1 rejected"
        evidence.shot("carried", carried.locator(".case-row"))
        carried.locator("button.undo").click()  # clear the rejection
        page.wait_for_function("el => el.dataset.state === ''", arg=carried.element_handle())
        assert page.get_by_test_id("decided").inner_text() == "0 approved · 0 rejected"
    finally:
        server.shutdown()
    log = [json.loads(line) for line in (planted.root / "snapshots/review-log.jsonl").read_text().splitlines()]
    assert [(e["action"], e["case"]) for e in log] == [("reject", case_id), ("undo reject", case_id)]
    assert errors == []
    print(f"\nevidence: {evidence.folder}")


def test_a_decision_from_another_runs_page_is_refused_and_an_unreadable_run_is_not_served(planted):
    """The server side, without a browser: a decision names the run its page shows; a results.json
    that cannot be read leaves the run before served, and the page says why."""
    client = create_app(planted.root / "report", SnapshotStore(planted.root / "snapshots")).test_client()
    html = client.get("/").get_data(as_text=True)
    token, shown = (html.split(f'{name}="')[1].split('"')[0] for name in ("data-review-token", "data-results"))
    headers = {"Origin": "http://localhost", "X-Review-Token": token, "X-Review-Run": "0123456789ab"}
    case = results(planted)["cases"][0]["id"]
    refused = client.post("/approve", json={"case": "*"}, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["stale_run"] == shown
    assert f"this page shows run 0123456789ab, but report/results.json now holds run {shown}" in refused.get_json()["error"]
    assert not (planted.root / "snapshots/review-log.jsonl").exists()  # nothing decided

    (planted.root / "report/results.json").write_text('{"cases": [')  # a run cut off half-way
    assert client.get("/run").get_json()["results"] == shown and "cannot be read" in client.get("/run").get_json()["problem"]
    assert "this page still shows the run before" in client.get("/").get_data(as_text=True)
    assert case in client.get("/").get_data(as_text=True)
