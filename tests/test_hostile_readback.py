"""Files read back are data, never orders: a forged undo record, a decisions file that says two
things, a malformed or absurd shard report, a decompression-bomb PNG, a manifest or an
accepted-findings list of the wrong shape.

Each test plants one hostile file and checks that the user gets a message naming the file and the
field (never a traceback or a hang), and that ``snapshots/`` keeps what was approved. A
well-formed file of each kind still works.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from harness.cases import Case
from harness.case_result import CaseResult
from harness.cli import app
from harness.errors import HarnessError, SnapshotError
from harness.report.results import load_results, write_results
from harness.review.apply import REVIEW_LOG
from harness.review.decisions import DECISIONS, FORMAT, apply_decisions, read_decisions, run_id
from harness.review.session import ReviewSession
from harness.screenshots.compare import compare_png
from harness.snapshots import ApprovedSnapshot, SnapshotStore, manifest_hash, sha256
from harness.snapshots.accepted import ACCEPTED, load as load_accepted

runner = CliRunner()

CASE = "refund[de-refunded]"
APPROVED = {"outcome.txt": b"sent\n", "body.txt": b"approved by the designer\n"}
RECEIVED = {"outcome.txt": b"sent\n", "body.txt": b"the new wording\n"}


def png(width: int, height: int, *, idat: bytes | None = None) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` grey pixels; the pixel data is real for a
    small image and a short stub for a large one (the header alone must get it refused)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    if idat is None:
        idat = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


BOMB = png(20_000, 20_000, idat=zlib.compress(b"\x00" * 1000))


# -- undo: the kept copy in the report folder is checked before anything is written --------------

@pytest.fixture
def approved(tmp_path) -> tuple[ReviewSession, SnapshotStore, Path]:
    """A report with one changed case, approved on the review server: ``snapshots/`` holds the
    received parts, ``REPORT/review-undo/`` the copy of what they replaced."""
    store = SnapshotStore(tmp_path / "snapshots")
    store.write("refund", "de-refunded", APPROVED, {"template": "v1"})
    report = tmp_path / "report"
    folder = report / "received/refund/de-refunded"
    folder.mkdir(parents=True)
    for name, data in RECEIVED.items():
        (folder / name).write_bytes(data)
    case = {"id": CASE, "template": "refund", "fixture": "de-refunded", "status": "changed", "outcome": "sent",
            "received": {n: sha256(d) for n, d in RECEIVED.items()}, "manifest": {"template": "v2"},
            "approved_manifest": manifest_hash(store.read("refund", "de-refunded").manifest)}
    (report / "results.json").write_text(json.dumps({"format": 1, "cases": [case]}))
    session = ReviewSession(report, load_results(report), store, who="Dana")
    assert session.approve([CASE]).cases == [CASE]
    assert store.read("refund", "de-refunded").parts == RECEIVED
    return session, store, report / "review-undo/refund/de-refunded.json"


def forged_record(parts: dict[str, bytes], manifest: dict[str, Any] | None) -> str:
    """An undo record consistent in itself: its parts match its manifest."""
    if manifest is not None:
        manifest = {**manifest, "parts": {n: sha256(d) for n, d in sorted(parts.items())}}
    return json.dumps({"manifest": manifest, "parts": {n: base64.b64encode(d).decode() for n, d in parts.items()}})


def test_undo_of_an_approval_restores_the_replaced_snapshot(approved, tally):
    session, store, _ = approved
    tally.input()
    assert session.undo([CASE]).errors == {}
    assert store.read("refund", "de-refunded").parts == APPROVED


@pytest.mark.parametrize(
    ("record", "message"),
    [
        # The reported attack: a self-consistent copy of other content.
        (forged_record({"outcome.txt": b"sent\n", "body.txt": b"forged\n"}, {"template": "v1"}), "is not the snapshot this approval replaced"),
        # Claims there was no snapshot before: undo would delete the approved one.
        (forged_record({}, None), "is not the snapshot this approval replaced"),
        # Same parts, another manifest (what produced them): another snapshot.
        (forged_record(APPROVED, {"template": "v0"}), "is not the snapshot this approval replaced"),
        ('{"manifest": 5, "parts": {}}', "field manifest"),
        ('{"manifest": null, "parts": {"body.txt": "%%% not base64"}}', "not valid base64"),
        ('{"manifest": null, "parts": {"../../../templates/refund.mjml": "eA=="}}', "is not a valid name"),
        ('{"manifest": null, "parts": {"body.txt": 5}}', "expected base64 text"),
        ('{"parts": {}}', "field manifest: Field required"),
        ("[" * 50_000 + "]" * 50_000, "not an undo record"),
    ],
    ids=["forged-content", "forged-no-snapshot", "forged-manifest", "manifest-not-an-object", "not-base64",
         "part-path", "part-not-text", "manifest-missing", "deeply-nested"],
)
def test_a_replaced_undo_record_is_refused_and_nothing_is_written(approved, tally, record, message):
    session, store, stash = approved
    tally.input()
    stash.write_text(record)
    result = session.undo([CASE])
    assert result.cases == [] and message in result.errors[CASE] and "nothing was written" in result.errors[CASE]
    assert store.read("refund", "de-refunded").parts == RECEIVED  # the approval stands, nothing lost
    assert session.state(CASE) == "approved"


def test_a_forged_undo_record_with_forged_decisions_is_refused_by_the_review_log(approved, tally):
    """Whoever can replace the undo record can rewrite the decisions file to match it; the review
    log beside the snapshots records the hash the approval replaced."""
    session, store, stash = approved
    tally.input()
    forged = {"outcome.txt": b"sent\n", "body.txt": b"forged\n"}
    stash.write_text(forged_record(forged, {"template": "v1"}))
    forged_hash = manifest_hash({"template": "v1", "parts": {n: sha256(d) for n, d in sorted(forged.items())}})
    state = json.loads((session.report / DECISIONS).read_text())
    state["decisions"][0]["old"] = forged_hash
    (session.report / DECISIONS).write_text(json.dumps(state))
    restarted = ReviewSession(session.report, session.document, store, who="Dana")
    restarted.decisions[CASE] = read_decisions(session.report / DECISIONS)[0]  # as if it had been restored
    result = restarted.undo([CASE])
    assert REVIEW_LOG in result.errors[CASE] and store.read("refund", "de-refunded").parts == RECEIVED


# -- decisions: one per case ---------------------------------------------------------------------

def decisions_file(path: Path, document: dict[str, Any], entries: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"format": FORMAT, "run": run_id(document), "decisions": entries}))
    return path


@pytest.mark.parametrize("second", ["reject", "approve"], ids=["approve-and-reject", "approved-twice"])
def test_a_case_decided_twice_in_one_file_is_refused_and_nothing_applied(tmp_path, tally, second):
    tally.input()
    store = SnapshotStore(tmp_path / "snapshots")
    store.write("refund", "de-refunded", APPROVED, {"template": "v1"})
    report = tmp_path / "report"
    (report / "received/refund/de-refunded").mkdir(parents=True)
    for name, data in RECEIVED.items():
        (report / "received/refund/de-refunded" / name).write_bytes(data)
    case = {"id": CASE, "template": "refund", "fixture": "de-refunded", "status": "changed", "outcome": "sent",
            "received": {n: sha256(d) for n, d in RECEIVED.items()}, "manifest": {"template": "v2"},
            "approved_manifest": manifest_hash(store.read("refund", "de-refunded").manifest)}
    document = {"cases": [case]}
    from harness.review.changes import expected_hash

    entry = {"case": CASE, "old": case["approved_manifest"], "new": expected_hash(case)}
    path = decisions_file(tmp_path / "decisions.json", document,
                          [{**entry, "decision": "approve"}, {**entry, "decision": second, "reason": "not yet"}])
    with pytest.raises(HarnessError, match=re.escape(f"case '{CASE}' is decided twice (approve and {second})")):
        apply_decisions(report, document, store, path)
    assert store.read("refund", "de-refunded").parts == APPROVED and not (store.root / REVIEW_LOG).exists()
    # one decision per case applies
    single = decisions_file(tmp_path / "one.json", document, [{**entry, "decision": "approve"}])
    assert [a.ok for a in apply_decisions(report, document, store, single)] == [True]


@pytest.mark.parametrize(
    ("entry", "field"),
    [({"old": 5}, "decisions[0].old"), ({"confirm_outcome": "yes"}, "decisions[0].confirm_outcome"),
     ({"decision": "maybe"}, "decisions[0].decision"), ({"case": ["a"]}, "decisions[0].case")],
    ids=["old-a-number", "confirm-a-string", "decision-unknown", "case-a-list"],
)
def test_a_decision_of_the_wrong_type_names_its_field(tmp_path, tally, entry, field):
    tally.input()
    path = decisions_file(tmp_path / "d.json", {"cases": []}, [{"case": CASE, "decision": "approve", **entry}])
    with pytest.raises(HarnessError, match=re.escape(f"{path}: field {field}")):
        read_decisions(path)


# -- shard reports and results.json --------------------------------------------------------------

def shard_case(**overrides: Any) -> dict[str, Any]:
    case = {"id": CASE, "template": "refund", "fixture": "de-refunded", "status": "passed", "outcome": "sent",
            "reason": "", "locale": "de", "error": "", "findings": [], "accepted_findings": None, "changes": [],
            "screenshots": "", "seconds": 0.1, "received": {}, "diffs": [], "approved": [], "manifest": {},
            "approved_manifest": None}
    return {**case, **overrides}


def write_shard(folder: Path, case: dict[str, Any] | None = None, **document: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = {"format": 1, "summary": {"seconds": 0.2}, "cases": [case or shard_case()], "unused_snapshots": [],
            "notes": [], "shard": "1/1", "run": "r1", "unused_all": [], **document}
    (folder / "results.json").write_text(json.dumps(body))
    return folder


def merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *shards: str) -> Any:
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    result = runner.invoke(app, ["report", "merge", *shards, "--output", "merged"])
    assert time.monotonic() - started < 20, "the merge took too long (a hang?)"
    return result


def test_a_well_formed_shard_merges(tmp_path, tally, monkeypatch):
    tally.input()
    write_shard(tmp_path / "shard1")
    result = merge(tmp_path, monkeypatch, "shard1")
    assert result.exit_code == 0 and result.exception is None and "1 cases" in result.output, result.output


def without(case: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in case.items() if k != key}


@pytest.mark.parametrize(
    ("case", "document", "message"),
    [
        (without(shard_case(), "outcome"), {}, "field cases[0] (refund[de-refunded]).outcome: Field required"),
        (shard_case(seconds="fast"), {}, "cases[0] (refund[de-refunded]).seconds: Input should be a valid number"),
        (shard_case(seconds=1e400), {}, "cases[0] (refund[de-refunded]).seconds"),
        (shard_case(findings=["a string"]), {}, "cases[0] (refund[de-refunded]).findings[0]"),
        (shard_case(findings=[{"rule": "r", "severity": "fatal", "message": "m"}]), {}, "findings[0].severity"),
        (shard_case(changes={"kind": "text"}), {}, "cases[0] (refund[de-refunded]).changes: Input should be a valid list"),
        (shard_case(changes=[{"kind": "text", "filename": 5, "status": "changed"}]), {}, "changes[0].filename"),
        (shard_case(status="pwned"), {}, "cases[0] (refund[de-refunded]).status"),
        (shard_case(received=["body.txt"]), {}, "cases[0] (refund[de-refunded]).received"),
        (shard_case(accepted_findings={"findings": "all"}), {}, "accepted_findings.findings"),
        (shard_case(), {"notes": 5}, "field notes: Input should be a valid list"),
        (shard_case(), {"summary": {"seconds": "fast"}}, "field summary.seconds"),
        (shard_case(), {"shard": "1/1000000000"}, "field shard: expected 'I/N' with 1 <= I <= N <= 1000"),
        (shard_case(), {"shard": "0/1"}, "field shard"),
        (shard_case(), {"shard": "one/two"}, "field shard"),
        (shard_case(), {"unused_all": [{"id": 1}]}, "field unused_all[0]"),
        (shard_case(), {"format": 2}, "field format"),
        (shard_case(template="../outside", id="../outside[de-refunded]"), {}, "template '../outside' is not a valid name"),
        (shard_case(fixture="/tmp/x", id="refund[/tmp/x]"), {}, "fixture '/tmp/x' is not a valid name"),
    ],
    ids=["outcome-missing", "seconds-a-string", "seconds-infinite", "finding-a-string", "severity-unknown",
         "changes-an-object", "change-filename-a-number", "status-unknown", "received-a-list", "accepted-not-a-list",
         "notes-a-number", "summary-seconds-a-string", "shard-a-billion", "shard-zero", "shard-words",
         "unused-not-names", "format-unknown", "template-path", "fixture-absolute"],
)
def test_a_malformed_shard_is_refused_naming_the_file_and_the_field(tmp_path, tally, monkeypatch, case, document, message):
    tally.input()
    write_shard(tmp_path / "shard1", case, **document)
    result = merge(tmp_path, monkeypatch, "shard1")
    assert result.exit_code == 2 and isinstance(result.exception, (SystemExit, type(None))), result.output
    assert message in " ".join(result.output.split()) and "shard1/results.json" in result.output, result.output
    assert not (tmp_path / "outside").exists() and not (tmp_path / "merged/results.json").exists()


def test_the_same_fields_are_checked_when_approving_from_a_report(tmp_path, tally, monkeypatch):
    tally.input()
    write_shard(tmp_path / "artifact", shard_case(status="changed", seconds="fast"))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["approve", "--from", "artifact", "*"])
    assert result.exit_code == 2 and "seconds: Input should be a valid number" in result.output, result.output


# -- images: bounded before they are decoded -----------------------------------------------------

def test_a_decompression_bomb_diff_image_in_a_shard_does_not_stop_the_merge(tmp_path, tally, monkeypatch):
    tally.input()
    small = png(4, 4)
    case = shard_case(status="changed", received={"desktop.png": sha256(small)}, diffs=["desktop.diff.png"],
                      changes=[{"kind": "screenshot", "filename": "desktop.png", "status": "changed", "diff": "3 pixels"}])
    folder = write_shard(tmp_path / "shard1", case) / "received/refund/de-refunded"
    folder.mkdir(parents=True)
    (folder / "desktop.png").write_bytes(small)
    (folder / "desktop.diff.png").write_bytes(BOMB)
    result = merge(tmp_path, monkeypatch, "shard1")
    assert result.exit_code == 1 and isinstance(result.exception, (SystemExit, type(None))), result.output
    assert (tmp_path / "merged/index.html").is_file()


@pytest.mark.parametrize(
    "image", [BOMB, png(10_000, 10_000, idat=zlib.compress(b"\x00" * 1000)), png(1, 60_000_000, idat=b"")],
    ids=["20000x20000", "10000x10000-below-pillows-error", "one-pixel-wide-and-very-tall"],
)
def test_a_huge_approved_screenshot_is_refused_before_decoding(tally, image):
    tally.input()
    with pytest.raises(SnapshotError, match=r"approved desktop.png: a PNG of [\d,]+ x [\d,]+ pixels; the limit is 50,000,000"):
        compare_png(image, png(4, 4), label="desktop.png")
    assert compare_png(png(4, 4), png(4, 4)).changed_pixels == 0


# -- manifests and accepted-findings.yaml ----------------------------------------------------------

@pytest.mark.parametrize(
    ("parts", "message"),
    [({"body.txt": "sha256:zz"}, "does not parse: field parts.body.txt"),
     ({f"p{i}.txt": sha256(b"x") for i in range(1001)}, "does not parse: field parts: Dictionary should have at most 1000 items")],
    ids=["hash-malformed", "too-many-parts"],
)
def test_a_manifest_of_the_wrong_shape_is_an_error_naming_the_field(tmp_path, tally, parts, message):
    tally.input()
    store = SnapshotStore(tmp_path / "snapshots")
    store.write("refund", "de-refunded", APPROVED, {"template": "v1"})
    (tmp_path / "snapshots/refund/de-refunded/manifest.json").write_text(json.dumps({"parts": parts}))
    with pytest.raises(SnapshotError, match=r"manifest.json: .*git checkout") as raised:
        store.read("refund", "de-refunded")
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [("reason: ok\nfindings: [1]\n", "field findings[0]"), ("reason: 5\nfindings: []\n", "field reason"),
     ("reason: ok\nfindings:\n" + "- {rule: r, element: e, message: m}\n" * 10_001, "at most 10000 items"),
     ("findings: []\n", "field reason: Field required")],
    ids=["finding-a-number", "reason-a-number", "ten-thousand-and-one", "reason-missing"],
)
def test_an_accepted_findings_file_of_the_wrong_shape_names_the_field(tmp_path, tally, text, message):
    tally.input()
    snapshot = ApprovedSnapshot(tmp_path, {ACCEPTED: text.encode()})
    with pytest.raises(SnapshotError, match=rf"{ACCEPTED}: .*accept-findings") as raised:
        load_accepted(snapshot, CASE)
    assert message in str(raised.value)
    good = ApprovedSnapshot(tmp_path, {ACCEPTED: b"reason: known\nfindings:\n- {rule: r, element: e, message: m}\n"})
    assert load_accepted(good, CASE)[0] == "known"


# -- the report writer ---------------------------------------------------------------------------

def test_the_report_writer_builds_no_path_from_a_bad_part_name(tmp_path, tally):
    tally.input()
    result = CaseResult(Case("refund", "de-refunded"), "new", outcome="sent", received={"../../../outside/pwned.txt": b"x"})
    with pytest.raises(SnapshotError, match=r"refund\[de-refunded\]: a snapshot kind names its part '../../../outside/pwned.txt'"):
        write_results(tmp_path / "report", [result])
    assert not (tmp_path / "outside").exists()
    good = CaseResult(Case("refund", "de-refunded"), "new", outcome="sent", received={"body.txt": b"x"})
    write_results(tmp_path / "report", [good])
    assert (tmp_path / "report/received/refund/de-refunded/body.txt").read_bytes() == b"x"
    assert load_results(tmp_path / "report")["cases"][0]["id"] == CASE
