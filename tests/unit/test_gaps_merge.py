"""``email-harness report merge`` (``harness/report/merge.py``) without running the shards: one
report from the reports of ``run --shard I/N`` (or of pytest-xdist workers), every case exactly
once, the set of shards whole, evidence copied as regular files only.

Each shard here is a hand-written ``results.json`` with its received files, as a CI artifact
would arrive."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from harness.errors import HarnessError
from harness.report.merge import check_shards, merge_reports

RUN = "run-3f2a"


def case(case_id: str, status: str = "passed", outcome: str = "sent", **extra: Any) -> dict[str, Any]:
    template, fixture = case_id[:-1].split("[")
    return {"id": case_id, "template": template, "fixture": fixture, "status": status, "outcome": outcome, **extra}


def shard_report(root: Path, name: str, cases: list[dict[str, Any]], *, shard: str | None = None, run: str | None = RUN,
                 seconds: float = 1.0, notes: list[str] = (), unused_all: list[str] = (), received: dict[str, bytes] = ()) -> Path:
    """A shard's report folder: results.json, and ``received`` files (``T/F/PART`` -> bytes)."""
    folder = root / name
    folder.mkdir(parents=True)
    document: dict[str, Any] = {"format": 1, "summary": {"seconds": seconds}, "cases": cases, "notes": list(notes)}
    if shard is not None:
        document |= {"shard": shard, "run": run, "unused_all": list(unused_all)}
    (folder / "results.json").write_text(json.dumps(document))
    for relative, data in dict(received).items():
        (folder / "received" / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / "received" / relative).write_bytes(data)
    return folder


def ids(document: dict[str, Any]) -> list[str]:
    return [c["id"] for c in document["cases"]]


def test_the_shards_cases_are_merged_once_each_sorted_with_their_evidence(tmp_path):
    one = shard_report(tmp_path, "shard1", [case("welcome[en-ada]"), case("refund[de-kai]", "changed")], shard="1/2",
                       seconds=3.5, notes=["Chromium 156 here"], unused_all=["refund[xx-gone]"],
                       received={"refund/de-kai/body.txt": b"new\n"})
    two = shard_report(tmp_path, "shard2", [case("invoice[en-ada]", "failed"), case("welcome[de-kai]", outcome="not sent")],
                       shard="2/2", seconds=2.0, notes=["Chromium 156 here", "fonts differ"], unused_all=["refund[xx-gone]"])
    document = merge_reports([one, two], tmp_path / "merged")
    assert ids(document) == ["invoice[en-ada]", "refund[de-kai]", "welcome[de-kai]", "welcome[en-ada]"]
    assert document["summary"] == {"cases": 4, "sent": 3, "not_sent": 1, "passed": 2, "updated": 0, "changed": 1, "new": 0,
                                        "failed": 1, "error": 0, "warnings": 0, "accepted_findings": 0,
                                        "unused_snapshots": 1, "seconds": 3.5}
    assert document["unused_snapshots"] == ["refund[xx-gone]"]  # every shard brings the same list: counted once
    assert document["notes"] == ["Chromium 156 here", "fonts differ"]
    assert document["merged_from"] == [str(one), str(two)]
    assert (tmp_path / "merged/received/refund/de-kai/body.txt").read_bytes() == b"new\n"
    written = json.loads((tmp_path / "merged/results.json").read_text())
    assert ids(written) == ids(document) and written["summary"] == document["summary"]
    assert (tmp_path / "merged/index.html").is_file() and 'tests="4"' in (tmp_path / "merged/junit.xml").read_text()


def test_a_case_in_two_shard_reports_is_refused(tmp_path):
    """Shards run with a different split (or a report given under two names) would count a case
    twice and hide which verdict holds."""
    one = shard_report(tmp_path, "shard1", [case("welcome[en-ada]")], shard="1/2")
    two = shard_report(tmp_path, "shard2", [case("welcome[en-ada]", "failed")], shard="2/2")
    with pytest.raises(HarnessError) as raised:
        merge_reports([one, two], tmp_path / "merged")
    assert str(raised.value) == f"welcome[en-ada] is in two shard reports ({two}); were the shards run with the same N?"
    assert not (tmp_path / "merged/results.json").exists()


def test_a_case_in_two_worker_reports_is_refused_too(tmp_path):
    """pytest-xdist workers' parts carry no shard number: the case check is their only guard."""
    one = shard_report(tmp_path, "gw0", [case("welcome[en-ada]"), case("refund[de-kai]")])
    two = shard_report(tmp_path, "gw1", [case("refund[de-kai]")])
    with pytest.raises(HarnessError, match=r"^refund\[de-kai\] is in two shard reports"):
        merge_reports([one, two], tmp_path / "merged")
    three = shard_report(tmp_path, "gw2", [case("invoice[en-ada]")])
    assert ids(merge_reports([one, three], tmp_path / "merged")) == ["invoice[en-ada]", "refund[de-kai]", "welcome[en-ada]"]


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["1/3", "3/3"], "shard(s) 2/3 missing: the merged report would leave their cases out; download every shard's report"),
        (["1/2", "1/2"], "shard 1/2 given twice: {0} and {1}"),
        (["1/2", "2/3"], "the shard reports split the catalog differently (N = 2, 3); run every shard with the same N"),
        (["1/2", None], "{1}: not a shard report (no 'shard: I/N'); merge only the reports of 'run --shard I/N'"),
    ],
)
def test_an_incomplete_doubled_or_mixed_set_of_shards_is_refused(tmp_path, specs, message):
    folders = [shard_report(tmp_path, f"s{n}", [case(f"welcome[en-{n}]")], shard=spec) for n, spec in enumerate(specs)]
    with pytest.raises(HarnessError) as raised:
        merge_reports(folders, tmp_path / "merged")
    assert str(raised.value) == message.format(*folders)


def test_many_missing_shards_are_listed_ten_at_most():
    documents = [(Path("s1"), {"shard": "1/13", "run": RUN})]
    with pytest.raises(HarnessError) as raised:
        check_shards(documents)
    assert str(raised.value).startswith("shard(s) 2/13, 3/13, 4/13, 5/13, 6/13, 7/13, 8/13, 9/13, 10/13, 11/13 and 2 more missing")


def test_shards_of_different_runs_are_refused(tmp_path):
    one = shard_report(tmp_path, "shard1", [case("welcome[en-ada]")], shard="1/2", run="run-aaaa")
    two = shard_report(tmp_path, "shard2", [case("refund[en-ada]")], shard="2/2", run="run-bbbb")
    with pytest.raises(HarnessError, match=r"^the shard reports come from different runs \(another commit's catalog or fixtures\)"):
        merge_reports([one, two], tmp_path / "merged")


def test_check_shards_returns_the_runs_unused_snapshots_and_ignores_worker_parts():
    whole = [(Path("s1"), {"shard": "1/2", "run": RUN, "unused_all": ["refund[xx-gone]", 5]}),
             (Path("s2"), {"shard": "2/2", "run": RUN, "unused_all": ["refund[xx-gone]"]})]
    assert check_shards(whole) == ["refund[xx-gone]"]
    assert check_shards([(Path("gw0"), {"unused_all": ["x[y]"]}), (Path("gw1"), {})]) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "refund[en-ada]"}, "case id 'refund[en-ada]' does not match its template and fixture"),
        ({"template": "../outside", "id": "../outside[en-ada]"}, "template '../outside' is not a valid name"),
        ({"fixture": "a/b", "id": "welcome[a/b]"}, "fixture 'a/b' is not a valid name"),
    ],
)
def test_a_case_whose_names_do_not_hold_is_refused_naming_the_shard(tmp_path, changes, message):
    one = shard_report(tmp_path, "shard1", [case("welcome[en-ada]") | changes])
    with pytest.raises(HarnessError) as raised:
        merge_reports([one], tmp_path / "merged")
    assert str(raised.value).startswith(f"{one / 'results.json'}") and message in str(raised.value)


@pytest.mark.parametrize("output", ["shard1", "shard1/merged", "merged"])
def test_merging_into_a_shard_or_around_one_is_refused(tmp_path, output):
    one = shard_report(tmp_path, "shard1", [case("welcome[en-ada]")])
    inside = shard_report(tmp_path / "merged" / "received", "shard2", [case("refund[en-ada]")])
    shards = [one] if output != "merged" else [one, inside]
    with pytest.raises(HarnessError, match=r"overlaps the shard report .*; merge into a new folder"):
        merge_reports(shards, tmp_path / output)
    assert json.loads((one / "results.json").read_text())["cases"][0]["id"] == "welcome[en-ada]"


def test_only_regular_files_with_valid_names_are_copied(tmp_path):
    secret = tmp_path / "home" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("token")
    one = shard_report(tmp_path, "shard1", [case("refund[de-kai]", "changed"), case("refund[en-ada]", "changed")],
                       received={"refund/de-kai/body.txt": b"new\n", "refund/de-kai/.hidden": b"x"})
    os.symlink(secret, one / "received/refund/de-kai/leak.txt")  # a part that is a symlink
    os.symlink(secret.parent, one / "received/refund/en-ada")  # a case folder that is a symlink
    merge_reports([one], tmp_path / "merged")
    copied = sorted(str(p.relative_to(tmp_path / "merged/received")) for p in (tmp_path / "merged/received").rglob("*") if p.is_file())
    assert copied == ["refund/de-kai/body.txt"]


def test_a_merge_replaces_the_evidence_of_an_earlier_merge(tmp_path):
    stale = tmp_path / "merged/received/old/en-ada/body.txt"
    stale.parent.mkdir(parents=True)
    stale.write_text("from another run")
    one = shard_report(tmp_path, "shard1", [case("welcome[en-ada]")])
    merge_reports([one], tmp_path / "merged", unused=["old[en-ada]"])
    assert not stale.exists()
    assert json.loads((tmp_path / "merged/results.json").read_text())["unused_snapshots"] == ["old[en-ada]"]


def test_each_cases_raw_message_is_merged_as_a_regular_file_and_stale_ones_go(tmp_path):
    """``messages/TEMPLATE/FIXTURE.eml``: the message a customer receives, kept in the report so
    anyone can open it in a mail client, from every shard (a nested template's path kept); a
    merged report never shows a message of an earlier merge, nor a shard's planted link."""
    # A case without a message (not sent) and one whose message is refused come first: the cases
    # after them are still copied.
    one = shard_report(tmp_path, "shard1", [case("cancel[en-ada]", outcome="not sent"), case("refund[de-kai]"),
                                            case("billing/invoice[en-ada]")], shard="1/2")
    two = shard_report(tmp_path, "shard2", [case("welcome[en-ada]")], shard="2/2")
    (one / "messages/billing/invoice").mkdir(parents=True)
    (one / "messages/billing/invoice/en-ada.eml").write_bytes(b"Subject: Invoice\r\n\r\nHi\r\n")
    (two / "messages/welcome").mkdir(parents=True)
    (two / "messages/welcome/en-ada.eml").write_bytes(b"Subject: Welcome\r\n\r\nHi\r\n")
    secret = tmp_path / "secret.eml"
    secret.write_bytes(b"not from this run")
    (one / "messages/refund").mkdir()
    os.symlink(secret, one / "messages/refund/de-kai.eml")  # a message that is a link: not followed
    merged = tmp_path / "merged"
    (merged / "messages/gone").mkdir(parents=True)
    (merged / "messages/gone/en-ada.eml").write_bytes(b"an earlier merge's")
    for kind in ("received", "approved"):
        (merged / kind / "gone/en-ada").mkdir(parents=True)
        (merged / kind / "gone/en-ada/body.txt").write_bytes(b"an earlier merge's")
    merge_reports([one, two], merged)
    assert not (merged / "received/gone").exists() and not (merged / "approved/gone").exists()
    found = sorted(str(p.relative_to(merged / "messages")) for p in (merged / "messages").rglob("*") if p.is_file())
    assert found == ["billing/invoice/en-ada.eml", "welcome/en-ada.eml"]
    assert (merged / "messages/welcome/en-ada.eml").read_bytes() == b"Subject: Welcome\r\n\r\nHi\r\n"


def test_a_raw_message_under_a_linked_template_folder_is_not_followed(tmp_path):
    one = shard_report(tmp_path, "shard1", [case("welcome[en-ada]")], shard="1/1")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "en-ada.eml").write_bytes(b"Subject: planted\r\n\r\n")
    (one / "messages").mkdir()
    os.symlink(elsewhere, one / "messages/welcome")
    merge_reports([one], tmp_path / "merged")
    assert not (tmp_path / "merged/messages/welcome/en-ada.eml").exists()
    linked = shard_report(tmp_path, "shard-linked", [case("welcome[en-ada]")], shard="1/1")
    os.symlink(one / "messages", linked / "messages")  # the messages folder itself a link
    (one / "messages").rename(one / "moved")
    (one / "messages").mkdir()
    (one / "messages/welcome").mkdir()
    (one / "messages/welcome/en-ada.eml").write_bytes(b"Subject: via a link\r\n\r\n")
    merge_reports([linked], tmp_path / "merged2")
    assert not (tmp_path / "merged2/messages/welcome/en-ada.eml").exists()



def test_a_linked_folder_inside_a_nested_templates_path_is_not_followed(tmp_path):
    """Each segment of ``billing/invoice`` is checked: a ``billing`` that links elsewhere is refused."""
    one = shard_report(tmp_path, "shard1", [case("billing/invoice[en-ada]")], shard="1/1")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "invoice").mkdir(parents=True)
    (elsewhere / "invoice/en-ada.eml").write_bytes(b"Subject: planted\r\n\r\n")
    (one / "messages").mkdir()
    os.symlink(elsewhere, one / "messages/billing")
    merge_reports([one], tmp_path / "merged")
    assert not (tmp_path / "merged/messages/billing/invoice/en-ada.eml").exists()
