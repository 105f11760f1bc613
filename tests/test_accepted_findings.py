"""Every rule on from the first run: known findings are accepted with a reason, kept in each case's
snapshot folder, and from then on only a new finding fails; one that no longer occurs is reported.

Each test drives the ``email-harness`` command on a small project of its own (text snapshots only:
no browser), as a team would from the README."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.review.app import create_app
from harness.snapshots import SnapshotStore

#: A plain-http link carrying the customer's name: the links rule's error, in every case.
HELLO = """<mjml lang="en" dir="ltr"><mj-head><mj-title>Hello</mj-title><mj-preview>Hi there</mj-preview></mj-head>
<mj-body><mj-section><mj-column><mj-text><h1>Hello</h1><p>Hello {{ account.name }}.
<a href="http://shop.example/orders/{{ account.name }}">Your orders</a></p>{# more #}</mj-text></mj-column></mj-section></mj-body></mjml>
"""
ACCEPTED = "accepted-findings.yaml"
REASON = "http shop links until the TLS migration (OPS-7)"


def harness(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=root, capture_output=True, text=True, timeout=300)


def results(root: Path) -> dict[str, dict]:
    return {c["id"]: c for c in json.loads((root / "report/results.json").read_text())["cases"]}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Two customers, one template with a finding, snapshots written: the first run fails."""
    (tmp_path / "pyproject.toml").write_text("[tool.email-harness]\nscreenshots = false\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/hello.mjml").write_text(HELLO)
    (tmp_path / "fixtures").mkdir()
    for name in ("Ann Archer", "Bob Baker"):
        (tmp_path / f"fixtures/en-{name[:3].lower()}.yaml").write_text(f"locale: en\nname: {name}\n")
    first = harness(tmp_path, "run", "--update")
    assert first.returncode == 1 and "[links] error: link scheme 'http' is not allowed" in first.stdout
    return tmp_path


@pytest.fixture
def accepted(project: Path) -> Path:
    done = harness(project, "approve", "--accept-findings", "hello[*]", "--reason", REASON)
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines() == ["accepted 1 finding(s): hello[en-ann]", "accepted 1 finding(s): hello[en-bob]"]
    return project


def test_accepting_without_a_reason_is_refused(project):
    done = harness(project, "approve", "--accept-findings", "hello[*]")
    assert done.returncode == 2 and "--accept-findings needs --reason" in done.stdout
    blank = harness(project, "approve", "--accept-findings", "hello[*]", "--reason", "  ")
    assert blank.returncode == 2
    assert harness(project, "approve", "hello[*]", "--reason", REASON).returncode == 2  # a reason alone accepts nothing
    assert not list(project.glob(f"snapshots/*/*/{ACCEPTED}"))


def test_accepted_findings_no_longer_fail_and_are_reported_with_their_reason(accepted):
    text = (accepted / "snapshots/hello/en-ann" / ACCEPTED).read_text()
    assert f"reason: {REASON}\n" in text and "element: a[href=http://shop.example/orders/‹name›]" in text
    assert ACCEPTED in json.loads((accepted / "snapshots/hello/en-ann/manifest.json").read_text())["parts"]
    assert "accept findings" in (accepted / "snapshots/review-log.jsonl").read_text()

    run = harness(accepted, "run")
    assert run.returncode == 0, run.stdout
    case = results(accepted)["hello[en-ann]"]
    assert case["status"] == "passed" and case["findings"] == []
    assert case["accepted_findings"]["reason"] == REASON
    assert [f["message"] for f in case["accepted_findings"]["findings"]] == ["link scheme 'http' is not allowed"]
    page = (accepted / "report/index.html").read_text()
    assert "Accepted findings: 2 in 2 cases" in page and REASON in page


def test_a_new_finding_fails_while_the_accepted_one_stays_accepted(accepted):
    edit(accepted / "templates/hello.mjml", "{# more #}", '<p><a href="https://shop.example/help">here</a> <img src="http://cdn.example/x.png" alt=""></p>')
    run = harness(accepted, "run", "--update")
    assert run.returncode == 1
    assert "image source is not https" in run.stdout and "1 accepted finding(s) not shown" in run.stdout
    assert "link scheme 'http' is not allowed" not in run.stdout
    assert harness(accepted, "run").returncode == 1  # the update wrote the content, the new finding still fails


def test_renaming_a_customer_or_an_edit_elsewhere_does_not_reopen_it(accepted):
    edit(accepted / "fixtures/en-ann.yaml", "Ann Archer", "Ann Abbott")
    edit(accepted / "templates/hello.mjml", "<h1>Hello</h1>", "\n\n<h1>Hello!</h1>")
    assert harness(accepted, "run", "--update").returncode == 0  # the list survives the update of the case
    assert harness(accepted, "run").returncode == 0
    assert (accepted / "snapshots/hello/en-ann" / ACCEPTED).is_file()
    assert results(accepted)["hello[en-ann]"]["accepted_findings"]["reason"] == REASON


def test_the_list_survives_approving_the_case_by_re_rendering_and_from_a_report(accepted):
    edit(accepted / "templates/hello.mjml", "<h1>Hello</h1>", "<h1>Welcome</h1>")
    assert harness(accepted, "approve", "hello[en-ann]").returncode == 0
    assert harness(accepted, "run").returncode == 1  # en-bob still differs
    approved = harness(accepted, "approve", "--from", "report", "hello[en-bob]")
    assert approved.returncode == 0, approved.stdout
    assert harness(accepted, "run").returncode == 0
    assert sorted(p.parent.name for p in accepted.glob(f"snapshots/hello/*/{ACCEPTED}")) == ["en-ann", "en-bob"]


def test_a_finding_that_no_longer_occurs_is_reported_and_re_accepting_removes_it(accepted):
    edit(accepted / "templates/hello.mjml", "http://shop.example", "https://shop.example")
    assert harness(accepted, "run", "--update").returncode == 0
    run = harness(accepted, "run")
    assert run.returncode == 0
    assert ("hello[en-ann]: [accepted-findings] note: accepted finding no longer occurs: [links] error: link scheme "
            "'http' is not allowed at a[href=http://shop.example/orders/‹name›]; re-accept with: email-harness approve "
            "--accept-findings 'hello[en-ann]' --reason") in run.stdout
    assert results(accepted)["hello[en-ann]"]["accepted_findings"]["no_longer_occur"][0]["rule"] == "links"

    again = harness(accepted, "approve", "--accept-findings", "hello[en-ann]", "--reason", "fixed in OPS-7")
    assert again.returncode == 0 and "no findings: accepted list removed: hello[en-ann]" in again.stdout
    assert not (accepted / "snapshots/hello/en-ann" / ACCEPTED).exists()
    assert "no longer occurs" not in harness(accepted, "run", "--only", "hello[en-ann]").stdout


def test_findings_of_a_case_without_a_snapshot_are_not_accepted(project):
    (project / "fixtures/en-cid.yaml").write_text("locale: en\nname: Cid Cooper\n")
    done = harness(project, "approve", "--accept-findings", "hello[en-cid]", "--reason", REASON)
    assert done.returncode == 1 and "no approved snapshot yet: approve the case first" in done.stdout


def test_the_review_page_accepts_a_cases_findings_with_a_reason(project):
    assert harness(project, "run").returncode == 1
    app = create_app(project / "report", SnapshotStore(project / "snapshots"))
    client = app.test_client()
    base = "http://127.0.0.1:8765"
    page = client.get("/", base_url=base).get_data(as_text=True)
    assert 'form class="accept-findings" data-case="hello[en-ann]"' in page
    headers = {"Origin": base, "X-Review-Token": page.split('data-review-token="')[1].split('"')[0]}

    def post(body: dict) -> dict:
        response = client.post("/accept-findings", json=body, headers=headers, base_url=base)
        return {"status": response.status_code, **response.get_json()}

    assert post({"case": "hello[en-ann]"})["status"] == 400  # no reason
    answer = post({"case": "hello[en-ann]", "reason": REASON})
    assert answer["status"] == 200 and answer["accepted"] == {"hello[en-ann]": 1}
    assert f"reason: {REASON}" in (project / "snapshots/hello/en-ann" / ACCEPTED).read_text()
    assert "accepted: " + REASON in client.get("/", base_url=base).get_data(as_text=True)
    assert harness(project, "run").returncode == 1
    assert {i: c["status"] for i, c in results(project).items()} == {"hello[en-ann]": "passed", "hello[en-bob]": "failed"}


def test_the_review_page_accepts_only_on_a_case_whose_change_is_approved(accepted):
    # A changed case with a new warning: pending, so accepting on top of the old snapshot would
    # make this report's approval of it stale.
    edit(accepted / "templates/hello.mjml", "{# more #}", '<p><a href="https://shop.example/help">here</a></p>')
    assert harness(accepted, "run").returncode == 1
    assert results(accepted)["hello[en-ann]"]["status"] == "changed"
    client = create_app(accepted / "report", SnapshotStore(accepted / "snapshots")).test_client()
    base = "http://127.0.0.1:8765"
    page = client.get("/", base_url=base).get_data(as_text=True)
    assert 'form class="accept-findings"' not in page and "(after approving the change)" in page
    headers = {"Origin": base, "X-Review-Token": page.split('data-review-token="')[1].split('"')[0]}
    before = (accepted / "snapshots/hello/en-ann" / ACCEPTED).read_text()
    response = client.post("/accept-findings", json={"case": "hello[*]", "reason": "vague links for now"}, headers=headers, base_url=base)
    assert response.status_code == 409 and "its change is pending: approve it and run again" in response.get_json()["error"]
    assert (accepted / "snapshots/hello/en-ann" / ACCEPTED).read_text() == before


@pytest.mark.parametrize("spelling", [
    ["--accept-findings", "hello[en-ann]", "hello[en-bob]"],  # patterns after the option
    ["--accept-findings", "hello[en-ann]", "--accept-findings", "hello[en-bob]"],  # the option repeated
    ["hello[en-bob]", "--accept-findings", "hello[en-ann]"],  # a pattern before it
])
def test_several_patterns_each_accept_their_cases_in_either_spelling(project, spelling):
    done = harness(project, "approve", *spelling, "--reason", REASON)
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines() == ["accepted 1 finding(s): hello[en-ann]", "accepted 1 finding(s): hello[en-bob]"]
    assert sorted(p.parent.name for p in project.glob(f"snapshots/hello/*/{ACCEPTED}")) == ["en-ann", "en-bob"]


def test_a_pattern_that_selects_no_case_is_named_and_nothing_is_accepted(project):
    done = harness(project, "approve", "--accept-findings", "helo[*]", "--accept-findings", "hello[en-ann]", "--reason", REASON)
    assert done.returncode == 2 and "no case matches helo[*]; see 'email-harness list'" in done.stdout
    assert not list(project.glob(f"snapshots/*/*/{ACCEPTED}"))


def test_the_command_line_accepts_only_on_a_case_whose_change_is_approved(accepted):
    # As on the review page: findings are accepted on top of what a reviewer approved. A finding
    # the pending change brings (here a vague link text) must fail in front of whoever approves
    # the change, not be folded into a bulk acceptance before anyone saw it.
    edit(accepted / "templates/hello.mjml", "{# more #}", '<p><a href="https://shop.example/help">here</a></p>')
    before = (accepted / "snapshots/hello/en-ann" / ACCEPTED).read_text()
    done = harness(accepted, "approve", "--accept-findings", "hello[*]", "--reason", "vague links for now")
    assert done.returncode == 1
    assert ("refused: hello[en-ann]\n  its change is pending: approve it first, then accept its findings: "
            "email-harness approve 'hello[en-ann]' && email-harness approve --accept-findings 'hello[en-ann]' --reason \"...\"") in done.stdout
    assert (accepted / "snapshots/hello/en-ann" / ACCEPTED).read_text() == before

    assert harness(accepted, "approve", "hello[*]").returncode == 0
    again = harness(accepted, "approve", "--accept-findings", "hello[*]", "--reason", "vague links for now")
    assert again.returncode == 0 and "accepted 2 finding(s): hello[en-ann]" in again.stdout
    assert harness(accepted, "run").returncode == 0


def test_the_review_page_refuses_a_change_that_brings_an_error(accepted):
    # The change adds an http image (an error): the case is 'failed', not 'changed', in the
    # report; its change is pending all the same, and its new error must not be accepted unseen.
    edit(accepted / "templates/hello.mjml", "{# more #}", '<p><img src="http://cdn.example/x.png" alt=""></p>')
    assert harness(accepted, "run").returncode == 1
    assert results(accepted)["hello[en-ann]"]["status"] == "failed" and results(accepted)["hello[en-ann]"]["changes"]
    client = create_app(accepted / "report", SnapshotStore(accepted / "snapshots")).test_client()
    base = "http://127.0.0.1:8765"
    page = client.get("/", base_url=base).get_data(as_text=True)
    assert 'form class="accept-findings"' not in page and "(after approving the change)" in page
    headers = {"Origin": base, "X-Review-Token": page.split('data-review-token="')[1].split('"')[0]}
    before = (accepted / "snapshots/hello/en-ann" / ACCEPTED).read_text()
    response = client.post("/accept-findings", json={"case": "hello[*]", "reason": "cdn later"}, headers=headers, base_url=base)
    assert response.status_code == 409 and "its change is pending" in response.get_json()["error"]
    assert (accepted / "snapshots/hello/en-ann" / ACCEPTED).read_text() == before
    cli = harness(accepted, "approve", "--accept-findings", "hello[en-ann]", "--reason", "cdn later")
    assert cli.returncode == 1 and "its change is pending" in cli.stdout
