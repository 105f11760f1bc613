"""The snapshot side of a verdict, as a reviewer meets it: whether a case starts or stops being
sent and the command that approves it (``harness/snapshots/outcome.py``), what the store reads and
writes (``store.py``), accepted findings (``accepted.py``) and the stored parts (``kinds.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import SnapshotError
from harness.fixtures import Fixture, to_record
from harness.rules import Finding
from harness.snapshots import ApprovedSnapshot, SnapshotStore, manifest_hash, sha256
from harness.snapshots.accepted import (
    ACCEPTED,
    Accepted,
    AcceptedCheck,
    Acceptance,
    accept,
    carried,
    check_accepted,
    dump,
    entry_for,
    fixture_names,
    load,
)
from harness.snapshots.outcome import (
    NO_LONGER_SENT,
    NOW_SENT,
    OPTION,
    UNKNOWN,
    approve_hint,
    describe_approved,
    is_sent,
    outcome_change,
)

# -- outcome: who gets the email -----------------------------------------------------------------


@pytest.mark.parametrize(("outcome", "sent"), [
    ("sent\n", True),
    ("not sent: account has no order\n", False),
    ("not sent", False),
    ("  \nnot sent: leading white space\n", False),
    ("Not sent: another spelling", True),  # anything but 'not sent...' is the side to look at
    ("sent, but not sent later", True),
    ("", True),
    (None, True),
])
def test_only_an_outcome_starting_with_not_sent_is_not_sent(outcome, sent):
    assert is_sent(outcome) is sent


@pytest.mark.parametrize(("before", "after", "change"), [
    ("sent\n", "not sent: account has no order\n", "no longer sent"),
    ("not sent: account has no order\n", "sent\n", "now sent"),
    ("sent\n", "sent\n", ""),
    ("not sent: no order\n", "not sent: account closed\n", ""),  # another reason, the same people
    (None, "sent\n", ""),  # a new case is new, not a change
    (None, "not sent: x\n", ""),
    ("sent\n", None, ""),  # nothing received: no confirmation either way
    (UNKNOWN, "sent\n", "now sent"),  # an unreadable approved snapshot: held like a change
    (UNKNOWN, "not sent: x\n", "no longer sent"),
])
def test_a_change_is_a_case_that_starts_or_stops_being_sent(before, after, change):
    assert outcome_change(before, after) == change


def test_the_change_names_and_the_option_are_what_the_cli_and_report_use():
    assert (NOW_SENT, NO_LONGER_SENT, UNKNOWN, OPTION) == ("now sent", "no longer sent", "unknown", "--allow-outcome-change")


@pytest.mark.parametrize(("before", "quoted"), [
    ("sent\n", "'sent'"),
    ("  not sent: account has no order\n", "'not sent: account has no order'"),
    (None, "''"),
    (UNKNOWN, "an approved snapshot that cannot be read"),
])
def test_the_approved_outcome_is_quoted_as_written(before, quoted):
    assert describe_approved(before) == quoted


def test_a_case_that_starts_being_sent_is_held_with_the_command_that_approves_it():
    assert approve_hint("gift_card[en-no-purchase]", NOW_SENT, "not sent: no gift card bought\n") == (
        "gift_card[en-no-purchase] starts being sent (approved: 'not sent: no gift card bought'); approve it only if "
        "this is intended: email-harness approve --allow-outcome-change 'gift_card[en-no-purchase]'")


def test_a_case_that_stops_being_sent_is_held_with_the_command_that_approves_it():
    assert approve_hint("receipt[en-ada]", NO_LONGER_SENT, UNKNOWN) == (
        "receipt[en-ada] stops being sent (approved: an approved snapshot that cannot be read); approve it only if "
        "this is intended: email-harness approve --allow-outcome-change 'receipt[en-ada]'")


# -- accepted findings ----------------------------------------------------------------------------

CASE = "receipt[en-ada]"
ADA = Fixture(id="en-ada", data=to_record({"customer": {"name": "Ada Lovelace", "email": "ada@example.com"}}),
              locale="en", path=Path("fixtures/en-ada.yaml"))
HREF = Accepted("links", "a", "link has no href", "error")


def with_list(tmp_path: Path, entries: list[Accepted], *, extra: dict[str, bytes] | None = None) -> ApprovedSnapshot:
    return ApprovedSnapshot(tmp_path, {"outcome.txt": b"sent\n", ACCEPTED: dump(CASE, "known, DES-12", entries), **(extra or {})}, {})


def test_an_accepted_finding_describes_itself_with_rule_severity_and_element():
    assert HREF.describe() == "[links] error: link has no href at a"
    assert Accepted("subject", "", "subject is empty").describe() == "[subject] finding: subject is empty"


def test_the_fixture_values_and_its_id_are_the_placeholders():
    assert fixture_names(ADA) == {"Ada Lovelace": "customer.name", "ada@example.com": "customer.email", "en-ada": "fixture"}


def test_an_entry_keeps_what_a_finding_says_without_where_or_whose():
    finding = Finding("links", "warning", "in /home/ci/shop/templates/receipt.mjml:7:3 line 7, lines 3-4 for Ada Lovelace",
                      element="table > tr:nth-of-type(3) > td:nth-child(2)")
    assert entry_for(finding, fixture_names(ADA)) == Accepted(
        "links", "table > tr:nth-of-type(‹n›) > td:nth-child(‹n›)",
        "in receipt.mjml:‹line› line ‹line›, lines ‹line› for ‹customer.name›", "warning")


def test_the_file_written_for_a_case_is_exactly_this():
    long = "the total " * 12 + "is wrong"  # one line however long: a wrapped message would be another message
    text = dump(CASE, "known, DES-12", [Accepted("links", "a[href=‹url›]", long, "error"), Accepted("accessibility", "", "first heading is <h2>")])
    assert text.decode("utf-8") == (
        "# Rule findings accepted for receipt[en-ada]: they do not fail the case; a new finding does.\n"
        "# Fixture values are shown by field path (‹customer.name›, ‹orders[].number›), numbers as ‹n›; line numbers are left out.\n"
        "# Written by: email-harness approve --accept-findings 'receipt[en-ada]' --reason \"...\"\n"
        "reason: known, DES-12\n"
        "findings:\n"
        "- rule: accessibility\n"
        "  severity: ''\n"
        "  element: ''\n"
        "  message: first heading is <h2>\n"
        "- rule: links\n"
        "  severity: error\n"
        "  element: a[href=‹url›]\n"
        f"  message: {long}\n"
    )


def test_a_snapshot_without_a_list_has_no_reason_and_no_entries(tmp_path):
    assert load(ApprovedSnapshot(tmp_path, {"outcome.txt": b"sent\n"}, {}), CASE) == ("", [])


@pytest.mark.parametrize(("data", "problem"), [
    (b"- a list\n", "not an accepted-findings file (expected 'reason' (text) and 'findings' (a list))"),
    (b"reason: x\nfindings: {rule: links}\n", "field findings: Input should be a valid list"),
    (b"\xff", "not an accepted-findings file ('utf-8' codec can't decode byte 0xff in position 0: invalid start byte)"),
])
def test_a_broken_list_is_named_with_how_to_restore_it(tmp_path, data, problem):
    with pytest.raises(SnapshotError) as caught:
        load(ApprovedSnapshot(tmp_path, {ACCEPTED: data}, {}), CASE)
    path = tmp_path / ACCEPTED
    assert str(caught.value) == (f"{path}: {problem}; restore it with 'git checkout -- {path}' or accept the case's findings "
                                 "again: email-harness approve --accept-findings 'receipt[en-ada]' --reason \"...\"")


def test_checking_a_case_with_a_broken_list_names_the_case_in_the_command(tmp_path):
    with pytest.raises(SnapshotError, match=r"approve --accept-findings 'receipt\[en-ada\]'"):
        check_accepted([], ApprovedSnapshot(tmp_path, {ACCEPTED: b"- a list\n"}, {}), {}, CASE)


def test_the_list_is_carried_over_when_the_other_parts_are_rewritten(tmp_path):
    listed = with_list(tmp_path, [HREF])
    assert carried(listed) == {ACCEPTED: listed.parts[ACCEPTED]}
    assert carried(ApprovedSnapshot(tmp_path, {"outcome.txt": b"sent\n"}, {})) == {}
    assert carried(None) == {}


def test_the_report_block_lists_what_is_accepted_gone_and_to_accept(tmp_path):
    found = Finding("links", "error", "link has no href", element="a")
    counting, check = check_accepted([found], with_list(tmp_path, [HREF, Accepted("links", "a", "gone now", "warning")]), {}, CASE)
    assert [f.rule for f in counting] == ["accepted-findings"]
    assert check.as_json() == {
        "reason": "known, DES-12",
        "findings": [{"rule": "links", "severity": "error", "message": "link has no href", "element": "a", "expected": ""}],
        "no_longer_occur": [{"rule": "links", "element": "a", "message": "gone now", "severity": "warning"}],
        "to_accept": [{"rule": "links", "element": "a", "message": "link has no href", "severity": "error"}],
        "complete": True,
    }


def test_the_report_block_is_left_out_when_there_is_nothing_to_say():
    assert AcceptedCheck().as_json() is None
    assert AcceptedCheck(reason="known").as_json() == {"reason": "known", "findings": [], "no_longer_occur": [], "to_accept": [], "complete": True}
    assert AcceptedCheck(entries=[HREF]).as_json()["to_accept"] == [{"rule": "links", "element": "a", "message": "link has no href", "severity": "error"}]


def test_a_case_without_a_snapshot_has_no_reason():
    assert check_accepted([], None, {}, CASE)[1].reason == ""


def test_a_finding_accepted_twice_that_occurs_twice_is_accepted_twice(tmp_path):
    found = Finding("links", "error", "link has no href", element="a")
    counting, check = check_accepted([found, found], with_list(tmp_path, [HREF, HREF]), {}, CASE)
    assert counting == [] and check.accepted == [found, found]


def test_a_finding_accepted_twice_that_occurs_once_leaves_one_note(tmp_path):
    counting, check = check_accepted([Finding("links", "error", "link has no href", element="a")], with_list(tmp_path, [HREF, HREF]), {}, CASE)
    assert [f.message for f in counting] == [
        "accepted finding no longer occurs: [links] error: link has no href at a; "
        "re-accept with: email-harness approve --accept-findings 'receipt[en-ada]' --reason \"...\""]
    assert check.gone == [HREF]


def test_a_finding_accepted_twice_that_no_longer_occurs_leaves_two_notes(tmp_path):
    counting, check = check_accepted([], with_list(tmp_path, [HREF, HREF]), {}, CASE)
    assert [(f.rule, f.severity) for f in counting] == [("accepted-findings", "note")] * 2 and check.gone == [HREF, HREF]


def test_screenshots_are_assumed_taken_unless_told_otherwise(tmp_path):
    counting, check = check_accepted([], with_list(tmp_path, [HREF], extra={"desktop.png": b"png"}), {}, CASE)
    assert check.complete is True and check.gone == [HREF] and len(counting) == 1


# -- accepting ------------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    store.write("receipt", "en-ada", {"outcome.txt": b"sent\n"}, {"engine": "mrml"})
    return store


def test_accepting_needs_a_reason(store):
    with pytest.raises(ValueError, match="^a reason is required$"):
        accept(store, "receipt", "en-ada", [HREF], "  ")


def test_accepting_says_what_it_did_with_the_hashes_a_log_records(store):
    old = manifest_hash(store.read("receipt", "en-ada").manifest)
    done = accept(store, "receipt", "en-ada", [HREF], " known, DES-12 ")
    new = manifest_hash(store.read("receipt", "en-ada").manifest)
    assert done == Acceptance(CASE, "accepted", 1, old=old, new=new) and old != new
    assert store.read("receipt", "en-ada").manifest["engine"] == "mrml"  # what produced the snapshot is kept
    assert load(store.read("receipt", "en-ada"), CASE)[0] == "known, DES-12"
    assert store.read("receipt", "en-ada").parts[ACCEPTED].startswith(b"# Rule findings accepted for receipt[en-ada]:")

    assert accept(store, "receipt", "en-ada", [HREF], "known, DES-12") == Acceptance(CASE, "unchanged", 1, old=new, new=new)
    assert accept(store, "receipt", "en-ada", [], "fixed") == Acceptance(CASE, "cleared", 0, old=new, new=old)


def test_accepting_on_a_case_never_approved_is_refused_with_the_commands(store):
    assert accept(store, "receipt", "de-bob", [HREF], "known") == Acceptance("receipt[de-bob]", "refused", message=(
        "no approved snapshot yet: approve the case first (email-harness approve 'receipt[de-bob]', or "
        "email-harness run --update), then accept its findings"))


def test_accepting_on_a_corrupt_snapshot_is_refused_with_why(store):
    part = store.root / "receipt" / "en-ada" / "outcome.txt"
    part.write_bytes(b"edited by hand\n")
    done = accept(store, "receipt", "en-ada", [HREF], "known")
    assert done == Acceptance(CASE, "refused", message=(
        f"{part}: content does not match its manifest (truncated, edited by hand, or an interrupted update); restore it "
        f"with 'git checkout -- {part.parent}' or re-approve the case; findings are accepted on a readable snapshot only"))


# -- the approved outcome: checked against its manifest, even when other parts are corrupt --------


def test_the_outcome_of_a_case_with_another_corrupt_part_is_still_read(store):
    store.write("receipt", "en-ada", {"outcome.txt": b"sent\n", "body.txt": b"Thanks\n"}, {})
    (store.root / "receipt" / "en-ada" / "body.txt").write_bytes(b"edited by hand\n")
    assert store.approved_outcome("receipt", "en-ada") == "sent\n"


def test_an_outcome_edited_by_hand_is_unknown(store):
    (store.root / "receipt" / "en-ada" / "outcome.txt").write_bytes(b"not sent: edited\n")
    assert store.approved_outcome("receipt", "en-ada") == UNKNOWN


def test_an_outcome_replaced_by_a_link_to_the_same_text_is_unknown(store, tmp_path):
    (tmp_path / "elsewhere.txt").write_bytes(b"sent\n")
    outcome = store.root / "receipt" / "en-ada" / "outcome.txt"
    outcome.unlink()
    outcome.symlink_to(tmp_path / "elsewhere.txt")
    assert store.approved_outcome("receipt", "en-ada") == UNKNOWN


def test_an_outcome_missing_from_a_corrupt_case_is_unknown(store):
    store.write("receipt", "en-ada", {"body.txt": b"Thanks\n"}, {})
    (store.root / "receipt" / "en-ada" / "body.txt").write_bytes(b"edited by hand\n")
    (store.root / "receipt" / "en-ada" / "outcome.txt").write_bytes(b"sent\n")  # not in the manifest: not trusted
    assert store.approved_outcome("receipt", "en-ada") == UNKNOWN


def test_an_outcome_that_is_not_utf8_is_unknown(store):
    store.write("receipt", "en-ada", {"outcome.txt": b"sent \xff\n"}, {})
    assert store.approved_outcome("receipt", "en-ada") == UNKNOWN


def test_a_readable_case_without_an_outcome_part_or_without_parts_has_none(store):
    store.write("receipt", "en-ada", {"body.txt": b"Thanks\n"}, {})
    assert store.approved_outcome("receipt", "en-ada") is None
    (store.root / "welcome" / "en-ada").mkdir(parents=True)
    assert store.approved_outcome("welcome", "en-ada") is None
    assert store.approved_outcome("welcome", "de-bob") is None


def test_the_outcome_of_a_corrupt_case_is_read_while_another_run_reads_the_store(store):
    (store.root / "receipt" / "en-ada" / "outcome.txt").write_bytes(b"edited\n")
    other = SnapshotStore(store.root)
    with other._flock(exclusive=False, timeout=1):  # another reader: shared, so no wait
        assert store.approved_outcome("receipt", "en-ada") == UNKNOWN


# -- which cases the store holds ------------------------------------------------------------------


def test_a_template_nested_max_depth_folders_deep_is_one_template(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    store.write("a/b/c/d/e/f/g/h", "en-ada", {"outcome.txt": b"sent\n"}, {})
    assert store.cases() == {("a/b/c/d/e/f/g/h", "en-ada")}


def test_below_max_depth_a_folder_of_folders_is_a_case_not_a_template(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    (store.root / "a/b/c/d/e/f/g/h/en-ada/stray").mkdir(parents=True)
    assert store.cases() == {("a/b/c/d/e/f/g/h", "en-ada")}
    (store.root / "x/y/en-ada/stray").mkdir(parents=True)  # shallower: walked further down
    assert ("x/y/en-ada", "stray") in store.cases()


# -- manifests: what the store trusts -------------------------------------------------------------


def test_a_manifest_naming_a_part_outside_the_case_is_refused_by_name(store):
    path = store.root / "receipt" / "en-ada" / "manifest.json"
    path.write_text(json.dumps({"parts": {"../../secret.txt": sha256(b"x")}}))
    with pytest.raises(SnapshotError) as caught:
        store.read("receipt", "en-ada")
    assert str(caught.value) == (f"{path}: part '../../secret.txt' is not a valid name (letters, digits, '_', '-', '.'; no '/'; "
                                 "no leading dot, no empty segment); the file was not written by email-harness or was altered")


def test_a_manifest_with_a_bad_hash_says_which_part_and_how_to_restore_it(store):
    path = store.root / "receipt" / "en-ada" / "manifest.json"
    path.write_text(json.dumps({"parts": {"outcome.txt": "md5:abc"}}))
    with pytest.raises(SnapshotError) as caught:
        store.read("receipt", "en-ada")
    assert str(caught.value) == (f"{path}: does not parse: field parts.outcome.txt: String should match pattern "
                                 f"'^sha256:[0-9a-f]{{64}}$'; restore it with 'git checkout -- {path}'")


def test_a_manifest_over_5_mb_is_not_parsed(store):
    path = store.root / "receipt" / "en-ada" / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "padding": "x" * 5_000_000}))
    with pytest.raises(SnapshotError) as caught:
        store.read("receipt", "en-ada")
    assert str(caught.value) == f"{path}: {path.stat().st_size:,} bytes; the limit is 5,000,000"


def test_a_pending_manifest_over_5_mb_is_not_parsed_either(store):
    folder = store.root / "receipt" / "en-ada"
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / ".pending.json").write_text(json.dumps({**manifest, "padding": "x" * 5_000_000}))
    with pytest.raises(SnapshotError) as caught:
        store.read("receipt", "en-ada")
    assert str(caught.value) == (f"{folder}: an interrupted update cannot be recovered ({folder / '.pending.json'}: "
                                 f"{(folder / '.pending.json').stat().st_size:,} bytes; the limit is 5,000,000); "
                                 f"restore it with 'git checkout -- {folder}' or re-approve the case")


# -- the message kind -----------------------------------------------------------------------------


def test_the_message_part_is_the_received_message_described():
    from harness.snapshots.kinds import MessageKind

    from .build import email

    mail = email("<p>Hello</p>")
    mail.__dict__["mime"] = b"Subject: Hi\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n"  # as built and sent
    assert MessageKind().serialize(mail) == (
        "Subject: Hi\nContent-Type: text/plain; charset=utf-8\n\ntext/plain; charset=utf-8; 7bit; 7 octets; longest line 5\n")
    assert MessageKind().serialize(email(sent=False)) is None  # no message: nothing is sent
