"""The designer's loop: a changed template shows in the report; approving from the report (on the
command line or in the review page, clicked in a real browser) writes the snapshot, and the next
run passes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner
from werkzeug.serving import make_server

from harness.cli import app
from harness.review.app import create_app
from harness.screenshots.browser import LAUNCH_FLAGS, executable_for
from harness.screenshots.camera import shared_playwright
from harness.snapshots import SnapshotStore

CASE = "refund[de-refunded]"


def run(*args: str) -> object:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def changed(sandbox, monkeypatch):
    """The sandbox after one copy change in the refund template, with the run's report written."""
    monkeypatch.chdir(sandbox.root)
    sandbox.edit("templates/refund.yaml", "bis zu 5 Werktage", "bis zu 7 Werktage")
    assert run("run", "--only", "refund[*]").exit_code == 1
    return sandbox


@pytest.fixture
def page() -> Iterator[object]:
    browser = shared_playwright().chromium.launch(executable_path=executable_for("auto"), args=list(LAUNCH_FLAGS))
    yield browser.new_page(viewport={"width": 1280, "height": 900})
    browser.close()


def test_the_report_lists_the_change_with_evidence(changed):
    report = changed.root / "report"
    results = json.loads((report / "results.json").read_text())
    case = next(c for c in results["cases"] if c["id"] == CASE)
    assert case["status"] == "changed"
    assert set(case["received"]) >= {"body.html", "body.txt", "desktop.png"}
    assert (report / "received/refund/de-refunded/desktop.png").is_file()
    html = (report / "index.html").read_text()
    assert f'data-case="{CASE}"' in html and "approved/refund/de-refunded/desktop.png" in html
    assert 'loading="lazy"' in html and "data:image" not in html  # referenced, never inlined
    assert (report / "junit.xml").read_text().count("<failure") == 1


def test_approve_from_the_report_writes_the_snapshot_and_logs_it(changed):
    result = run("approve", "--from", "report", CASE)
    assert result.exit_code == 0, result.output
    assert f"approved: {CASE}" in result.output
    assert run("run", "--only", "refund[*]").exit_code == 0
    log = [json.loads(line) for line in (changed.root / "snapshots/review-log.jsonl").read_text().splitlines()]
    assert [entry["case"] for entry in log] == [CASE]
    assert log[0]["old"].startswith("sha256:") and log[0]["new"] != log[0]["old"]


def test_approve_from_a_stale_report_is_refused(changed):
    engine = changed.engine(update=True)  # someone approves the change another way meanwhile
    engine.check(engine.cases([CASE])[0])
    engine.flush()
    result = run("approve", "--from", "report", CASE)
    assert result.exit_code == 1
    assert "changed since this run (stale report)" in result.output


def test_approve_from_a_tampered_report_is_refused(changed):
    (changed.root / "report/received/refund/de-refunded/body.txt").write_text("hacked")
    result = run("approve", "--from", "report", CASE)
    assert result.exit_code == 1 and "does not match results.json" in result.output
    assert "hacked" not in (changed.root / "snapshots/refund/de-refunded/body.txt").read_text()


def test_review_page_refuses_requests_without_its_token_and_unknown_cases(changed):
    client = create_app(changed.root / "report", SnapshotStore(changed.root / "snapshots")).test_client()
    assert client.post("/approve", json={"case": CASE}).status_code == 403
    page = client.get("/").get_data(as_text=True)
    token = page.split('data-review-token="')[1].split('"')[0]
    headers = {"X-Review-Token": token, "Origin": "http://localhost"}  # the test client serves http://localhost/
    assert client.post("/approve", json={"case": "../../etc[passwd]"}, headers=headers).status_code == 404
    assert client.get("/received/../../pyproject.toml").status_code == 404
    assert client.get("/received/refund/de-refunded/desktop.png").status_code == 200


def test_a_designer_approves_in_the_browser_and_the_next_run_passes(changed, page):
    server = make_server("127.0.0.1", 0, create_app(changed.root / "report", SnapshotStore(changed.root / "snapshots"), who="Dana Designer"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.port}/")
        card = page.locator(f'article[data-case="{CASE}"]')
        assert "changed" in page.get_by_test_id("totals").inner_text()
        assert card.locator("img[alt^='approved desktop.png']").count() == 1
        assert card.locator("img[alt^='diff of desktop.png']").count() == 1
        assert "Je nach Bank kann es bis zu 7 Werktage dauern" in card.locator("pre.diff").first.inner_text()
        page.keyboard.press("j")  # focus the first pending change
        page.keyboard.press("a")  # approve it
        page.wait_for_function("document.querySelector('article.case.approved') !== null")
        assert card.get_by_test_id("outcome").inner_text() == "approved"
    finally:
        server.shutdown()
    log = (changed.root / "snapshots/review-log.jsonl").read_text()
    assert "Dana Designer" in log and CASE in log
    assert run("run", "--only", "refund[*]").exit_code == 0


def test_reject_in_the_browser_leaves_the_case_failing(changed, page):
    server = make_server("127.0.0.1", 0, create_app(changed.root / "report", SnapshotStore(changed.root / "snapshots")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.port}/")
        page.locator(f'article[data-case="{CASE}"] button.reject').click()
        page.wait_for_function("document.querySelector('article.case.rejected') !== null")
    finally:
        server.shutdown()
    log = [json.loads(line) for line in (changed.root / "snapshots/review-log.jsonl").read_text().splitlines()]
    assert [(entry["action"], entry["case"]) for entry in log] == [("reject", CASE)]  # logged, nothing approved
    assert run("run", "--only", "refund[*]").exit_code == 1


def test_shards_cover_the_catalog_once_and_merge_into_one_report(sandbox, monkeypatch):
    monkeypatch.chdir(sandbox.root)
    sandbox.edit("templates/refund.yaml", "bis zu 5 Werktage", "bis zu 7 Werktage")
    ids = []
    for i in (1, 2, 3):
        run("run", "--no-screenshots", "--shard", f"{i}/3", "--output", f"shard{i}")
        ids += [c["id"] for c in json.loads((sandbox.root / f"shard{i}/results.json").read_text())["cases"]]
    assert len(ids) == len(set(ids)) == 180  # 10 templates x 18 fixtures
    merged = run("report", "merge", "shard1", "shard2", "shard3", "--output", "merged")
    assert merged.exit_code == 1 and "180 cases" in merged.output
    document = json.loads((sandbox.root / "merged/results.json").read_text())
    assert document["summary"]["changed"] == 1
    assert (sandbox.root / "merged/received/refund/de-refunded/body.txt").is_file()
    assert run("approve", "--from", "merged", CASE).exit_code == 0
    assert "expected I/N" in run("run", "--shard", "4/3").output
