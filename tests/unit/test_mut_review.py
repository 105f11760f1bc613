"""What a reviewer reads and what approval writes, pinned where mutation testing found them loose:
the GitHub job summary (``harness.review.ci``), approval from a report and its log
(``harness.review.apply``), decisions files (``harness.review.decisions``), the review server's
actions (``harness.review.session``) and report merge (``harness.report.merge``).

Reports are hand-made: a case's approved and received parts written where a run writes them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.review.ci import job_summary

from .build import plant


def finding(message: str, rule: str = "links", severity: str = "error") -> dict:
    return {"rule": rule, "severity": severity, "message": message, "element": "a", "expected": ""}


# -- the job summary (harness.review.ci.job_summary) ---------------------------------------------

@pytest.fixture
def run(tmp_path) -> tuple[Path, dict]:
    """A copy edit in two refunds, the welcome email now sent to an old account, a failing link, a
    warning in a passed case."""
    report = tmp_path / "email-report"
    cases = [plant(report, "refund", f, {"body.txt": "Help centre\n", "outcome.txt": "sent\n"},
                   {"body.txt": "Support centre\n", "outcome.txt": "sent\n"}) for f in ("en-ada", "de-dora")]
    cases.append(plant(report, "welcome", "en-old", {"outcome.txt": "not sent: account is old\n"}, {"outcome.txt": "sent\n", "body.txt": "Hi\n"}))
    cases.append({"id": "order[en-bob]", "template": "order", "fixture": "en-bob", "status": "failed", "outcome": "sent",
                  "findings": [finding(f"see {tmp_path}/templates/order.mjml:3")]})
    cases.append({"id": "order[en-cy]", "template": "order", "fixture": "en-cy", "status": "passed", "outcome": "sent",
                  "findings": [finding("a link without https", severity="warning")]})
    return report, {"summary": {"cases": 4, "sent": 4, "not_sent": 0, "failed": 1, "error": 0}, "cases": cases}


def test_the_summary_lists_each_change_marks_flips_and_failures_and_gives_approve_commands(run, tmp_path):
    report, document = run
    assert job_summary(document, report, root=tmp_path) == """\
## email-harness: 2 changes in 3 cases · 1 failing check in 1 case · 1 finding to read in 1 case

4 cases · 4 sent · 0 not sent · 1 failed · 0 errors

> [!WARNING]
> An email starts or stops going to accounts. Approving that needs `--allow-outcome-change`.

| | change | kind | cases | templates |
|---|---|---|---|---|
| ⚠️ | Starts sending where it was not sent (account is old) | outcome (sent / not sent) | 1 | welcome |
| ❌ | \\[links\\] error: see templates/order.mjml:3 | rule finding | 1 | order |
|  | Copy: “Help centre” → “Support centre” | copy | 2 | refund |
|  | \\[links\\] warning: a link without https | rule finding | 1 | order |

Download the `email-report` artifact, then review it with `email-harness review --report email-report`, or approve a change:

<details><summary>Approve commands</summary>

```sh
# Starts sending where it was not sent (account is old)
email-harness approve --from email-report --allow-outcome-change 'welcome[*]'
# Copy: “Help centre” → “Support centre”
email-harness approve --from email-report 'refund[*]'
```

</details>
"""


def test_paths_leave_messages_before_titles_are_cut_so_no_half_path_of_this_machine_shows(tmp_path):
    root = tmp_path / ("deep-folder-" * 12)  # a title is cut at 160 characters: inside this path
    root.mkdir()
    error = {"id": "order[en-bob]", "template": "order", "fixture": "en-bob", "status": "error", "findings": [],
             "error": f"{root}/templates/order.mjml:3: boom"}
    failing = {"id": "order[en-ann]", "template": "order", "fixture": "en-ann", "status": "failed",
               "findings": [finding(f"{root}/templates/order.mjml:3: the link is broken")]}
    summary = job_summary({"cases": [error, failing]}, root / "email-report", root=root)
    assert str(tmp_path) not in summary
    assert summary.splitlines()[6:8] == [
        "| ❌ | Error: order.mjml:3: boom | error | 1 | order |",
        "| ❌ | \\[links\\] error: templates/order.mjml:3: the link is broken | rule finding | 1 | order |"]
    assert "Approve commands" not in summary  # nothing to approve


def test_a_summary_without_counts_says_zero_of_each(tmp_path):
    assert job_summary({}, tmp_path / "r") == "## email-harness: 0 changes in 0 cases\n\n0 cases · 0 sent · 0 not sent · 0 failed · 0 errors\n"


def test_a_count_is_shown_as_written_with_paths_relative_to_the_project(tmp_path):
    summary = job_summary({"summary": {"error": f"{tmp_path}/templates/x.yaml"}}, tmp_path / "r", root=tmp_path)
    assert summary.splitlines()[2] == "0 cases · 0 sent · 0 not sent · 0 failed · templates/x.yaml errors"


# -- who approves (harness.review.apply.reviewer) ------------------------------------------------

@pytest.mark.parametrize(("variable", "setting", "who"), [(" Dana ", "Sam", "Dana"), ("", " Sam ", "Sam"), ("", None, "unnamed"), (" ", " ", "unnamed")])
def test_the_reviewer_is_the_variable_else_the_projects_name_else_unnamed(tmp_path, monkeypatch, variable, setting, who):
    from harness.project import Project
    from harness.review.apply import reviewer

    monkeypatch.setenv("EMAIL_HARNESS_REVIEWER", variable)
    assert reviewer(Project.load(tmp_path, reviewer=setting)) == who


def test_a_broken_pyproject_leaves_the_reviewer_unnamed(tmp_path, monkeypatch):
    from harness.review.apply import reviewer

    monkeypatch.delenv("EMAIL_HARNESS_REVIEWER", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.email-harness\n")  # the command itself reports this
    assert reviewer() == "unnamed"


# -- applying an exported decisions file (harness.review.decisions.apply_decisions) ---------------

@pytest.fixture
def nobody(tmp_path):
    """The refund was not sent to en-nobody; this run sends it. A store, a report, its document."""
    from harness.snapshots import SnapshotStore, manifest_hash

    store = SnapshotStore(tmp_path / "snapshots")
    store.write("refund", "en-nobody", {"outcome.txt": b"not sent: no order\n"}, {})
    case = plant(tmp_path / "report", "refund", "en-nobody", {"outcome.txt": "not sent: no order\n"},
                 {"outcome.txt": "sent\n", "body.txt": "Your refund\n"},
                 manifest={"template": "v2"}, approved_manifest=manifest_hash(store.read("refund", "en-nobody").manifest))
    return store, tmp_path / "report", {"cases": [case]}


def exported(tmp_path, document: dict, **fields) -> Path:
    from harness.review.changes import expected_hash
    from harness.review.decisions import Decision, write_decisions

    [case] = document["cases"]
    path = tmp_path / "exported.json"
    write_decisions(path, [Decision(case["id"], "approve", case["approved_manifest"], expected_hash(case), **fields)], document)
    return path


def test_a_confirmed_outcome_change_in_the_file_still_needs_the_option(tmp_path, nobody):
    from harness.review.decisions import apply_decisions

    store, report, document = nobody
    [result] = apply_decisions(report, document, store, exported(tmp_path, document, confirm_outcome=True, who="Dana"))
    assert (result.ok, result.needs_confirmation) == (False, True)
    assert result.message.startswith("starts sending this email: it was 'not sent: no order' and is now 'sent'. ")
    assert store.read("refund", "en-nobody").parts == {"outcome.txt": b"not sent: no order\n"}


def test_a_file_exported_from_another_run_is_refused_whole(tmp_path, nobody):
    from harness.review.decisions import OtherRunError, apply_decisions

    store, report, document = nobody
    path = exported(tmp_path, {"cases": [{**document["cases"][0], "approved_manifest": "sha256:other"}]})
    with pytest.raises(OtherRunError, match="these decisions were made on another run than this report's"):
        apply_decisions(report, document, store, path, allow_outcome_change=True)


def test_a_decision_naming_nobody_is_logged_with_the_person_applying_it(tmp_path, nobody, monkeypatch):
    import json

    from harness.review.decisions import apply_decisions

    monkeypatch.setenv("EMAIL_HARNESS_REVIEWER", "the variable")
    store, report, document = nobody
    [result] = apply_decisions(report, document, store, exported(tmp_path, document, confirm_outcome=True),
                               allow_outcome_change=True, who="Sam")
    assert result.ok
    [entry] = [json.loads(line) for line in (store.root / "review-log.jsonl").read_text().splitlines()]
    assert entry["who"] == "Sam"


def test_each_decision_of_a_file_is_applied_in_turn_and_logged_with_its_reason_and_group(tmp_path, nobody):
    import json

    from harness.review.changes import expected_hash
    from harness.review.decisions import Decision, apply_decisions, write_decisions
    from harness.snapshots import manifest_hash

    store, report, document = nobody
    for fixture in ("en-ada", "en-bob", "en-cy"):
        store.write("refund", fixture, {"outcome.txt": b"sent\n", "body.txt": b"old\n"}, {})
        document["cases"].append(plant(report, "refund", fixture, {"outcome.txt": "sent\n", "body.txt": "old\n"},
                                       {"outcome.txt": "sent\n", "body.txt": "new\n"}, manifest={"template": "v2"},
                                       approved_manifest=manifest_hash(store.read("refund", fixture).manifest)))
    nobody_case, ada, bob, cy = document["cases"]

    def decided(case: dict, verdict: str, **fields) -> Decision:
        return Decision(case["id"], verdict, case["approved_manifest"], expected_hash(case), who="Dana", when="2026-12-05T08:00:00+00:00", **fields)

    path = tmp_path / "exported.json"
    write_decisions(path, [decided(nobody_case, "approve"), decided(ada, "reject", reason="too loud", group="g1"),
                           decided(bob, "approve", group="g2"), decided(cy, "reject")], document)
    results = apply_decisions(report, document, store, path, allow_outcome_change=True)
    assert [(r.case, r.ok, r.message, r.needs_confirmation) for r in results] == [
        ("refund[en-nobody]", False, "starts or stops sending this email, but the decision does not record the outcome "
                                     "confirmation; confirm it on the review page", True),
        ("refund[en-ada]", True, "rejected: too loud", False),
        ("refund[en-bob]", True, "", False),
        ("refund[en-cy]", True, "rejected", False)]
    entries = [json.loads(line) for line in (store.root / "review-log.jsonl").read_text().splitlines()]
    assert entries[0] == {"when": "2026-12-05T08:00:00+00:00", "who": "Dana", "action": "reject", "case": "refund[en-ada]",
                          "old": ada["approved_manifest"], "new": expected_hash(ada), "reason": "too loud", "from": "report"}
    assert (entries[1]["case"], entries[1]["action"], entries[1]["group"]) == ("refund[en-bob]", "approve", "g2")
    assert (entries[2]["case"], entries[2]["reason"]) == ("refund[en-cy]", "")


# -- report merge copies no evidence through a link (harness.report.merge) ------------------------

def shard(root: Path, name: str, case_ids: list[str], received: dict[str, bytes]) -> Path:
    """A worker's report folder (no shard information): results.json and received files."""
    import json

    folder = root / name
    folder.mkdir(parents=True)
    cases = [{"id": i, "template": i[:-1].split("[")[0], "fixture": i[:-1].split("[")[1], "status": "changed", "outcome": "sent"}
             for i in case_ids]
    (folder / "results.json").write_text(json.dumps({"format": 1, "summary": {"seconds": 1.0}, "cases": cases, "notes": []}))
    for relative, data in received.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)
    return folder


def copied(merged: Path) -> list[str]:
    return sorted(str(p.relative_to(merged)) for p in merged.rglob("*") if p.is_file() and p.parent != merged)


def test_a_received_folder_that_is_a_link_is_not_copied(tmp_path):
    import os

    from harness.report.merge import merge_reports

    elsewhere = shard(tmp_path, "elsewhere", [], {"refund/de-kai/body.txt": b"secret\n"})
    one = shard(tmp_path, "one", ["refund[de-kai]"], {})
    os.symlink(elsewhere, one / "received")
    merge_reports([one], tmp_path / "merged")
    assert [p for p in copied(tmp_path / "merged") if p.startswith("received/")] == []


def test_each_folder_of_a_nested_template_is_checked_for_links(tmp_path):
    import os

    from harness.report.merge import merge_reports

    secret = tmp_path / "home" / "refund" / "de-kai"
    secret.mkdir(parents=True)
    (secret / "body.txt").write_text("secret\n")
    one = shard(tmp_path, "one", ["billing/refund[de-kai]", "shop/refund[de-kai]"], {"received/shop/refund/de-kai/body.txt": b"new\n"})
    os.symlink(tmp_path / "home", one / "received" / "billing")  # the template's first folder leads out
    merge_reports([one], tmp_path / "merged")
    assert [p for p in copied(tmp_path / "merged") if p.startswith("received/")] == ["received/shop/refund/de-kai/body.txt"]


# -- a whole set of shards (harness.report.merge.check_shards) -----------------------------------

def test_a_shard_field_that_does_not_parse_names_the_results_file(tmp_path):
    from harness.errors import HarnessError
    from harness.report.merge import check_shards

    why = "field shard: expected 'I/N' with 1 <= I <= N <= 1000, got 'x/2'"
    for given in (tmp_path, tmp_path / "results.json"):  # a report folder, or the file itself
        with pytest.raises(HarnessError) as error:
            check_shards([(given, {"shard": "x/2", "run": "r"})])
        assert str(error.value) == f"{tmp_path / 'results.json'}: {why}"


@pytest.mark.parametrize(("given", "missing"), [
    ("2/2", "1/2"),
    ("11/11", "1/11, 2/11, 3/11, 4/11, 5/11, 6/11, 7/11, 8/11, 9/11, 10/11"),
    ("12/12", "1/12, 2/12, 3/12, 4/12, 5/12, 6/12, 7/12, 8/12, 9/12, 10/12 and 1 more"),
])
def test_missing_shards_are_listed_from_the_first_ten_at_most(tmp_path, given, missing):
    from harness.errors import HarnessError
    from harness.report.merge import check_shards

    with pytest.raises(HarnessError) as error:
        check_shards([(tmp_path, {"shard": given, "run": "r"})])
    assert str(error.value) == f"shard(s) {missing} missing: the merged report would leave their cases out; download every shard's report"


def test_one_whole_shard_brings_its_unused_snapshots_or_none(tmp_path):
    from harness.report.merge import check_shards

    assert check_shards([(tmp_path, {"shard": "1/1", "run": "r", "unused_all": ["refund[xx-gone]", 3]})]) == ["refund[xx-gone]"]
    assert check_shards([(tmp_path, {"shard": "1/1", "run": "r"})]) == []


def test_a_merge_takes_the_longest_shards_seconds_and_never_writes_around_a_shard(tmp_path):
    import json

    from harness.errors import HarnessError
    from harness.report.merge import merge_reports

    one = shard(tmp_path, "one", ["refund[de-kai]"], {"approved/refund/de-kai/body.txt": b"old\n"})
    document = json.loads((one / "results.json").read_text())
    del document["notes"]
    (one / "results.json").write_text(json.dumps({**document, "summary": {"seconds": 0.25}}))
    merged = merge_reports([one], tmp_path / "new" / "merged")  # folders made as needed
    assert (merged["format"], merged["summary"]["seconds"], merged["notes"]) == (1, 0.25, [])
    assert (tmp_path / "new/merged/approved/refund/de-kai/body.txt").read_bytes() == b"old\n"
    inside = shard(tmp_path / "out" / "approved", "one", ["refund[de-kai]"], {})
    with pytest.raises(HarnessError, match="overlaps the shard report"):
        merge_reports([inside], tmp_path / "out")


def test_the_merged_results_file_is_indented_json_with_text_as_written(tmp_path):
    import json

    from harness.report.merge import merge_reports

    one = shard(tmp_path, "one", ["refund[de-kai]"], {})
    document = json.loads((one / "results.json").read_text())
    (one / "results.json").write_text(json.dumps({**document, "notes": ["Schriftart geändert"]}))
    merged = merge_reports([one], tmp_path / "merged")
    assert (tmp_path / "merged/results.json").read_text(encoding="utf-8") == json.dumps(merged, indent=2, ensure_ascii=False) + "\n"
    assert '\n  "notes": [\n    "Schriftart geändert"\n  ],' in (tmp_path / "merged/results.json").read_text(encoding="utf-8")


# -- reading a decisions file (harness.review.decisions.read_decisions) --------------------------

def test_a_decisions_file_that_is_a_link_or_over_five_megabytes_is_refused(tmp_path):
    import os

    from harness.errors import HarnessError
    from harness.review.decisions import FORMAT, read_decisions

    real = tmp_path / "real.json"
    real.write_text('{"format": "%s", "decisions": []}' % FORMAT)
    assert read_decisions(real) == []
    os.symlink(real, tmp_path / "link.json")
    with pytest.raises(HarnessError, match="symbolic link"):
        read_decisions(tmp_path / "link.json")
    big = tmp_path / "big.json"
    big.write_text('{"format": "%s", "decisions": []}' % FORMAT + " " * 5_000_000)
    with pytest.raises(HarnessError, match=r"big\.json"):
        read_decisions(big)


def test_one_change_in_two_templates_lists_both_and_each_kind_without_a_flip_warning(tmp_path):
    report = tmp_path / "email-report"
    cases = [plant(report, template, "en-ada", {"body.txt": "Help centre\n"}, {"body.txt": "Support centre\n"},
                   findings=[finding("a link without https", severity="warning")]) for template in ("refund", "order")]
    summary = job_summary({"cases": cases}, report, root=tmp_path)
    assert "[!WARNING]" not in summary
    [row] = [line for line in summary.splitlines() if line.startswith("|  |")]
    assert row.endswith(" | rule finding, copy | 2 | order, refund |")
