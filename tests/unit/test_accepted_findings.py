"""Accepted findings are matched by what they say, not by where or for whom: the same finding for
another customer stays accepted, a changed message is new, line numbers play no part; and the
accepted list is a snapshot part like any other (in the manifest, replaced as a whole)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import SnapshotError
from harness.fixtures.placeholders import field_names, mask
from harness.rules import Finding
from harness.rules.paths import path_syntax_problem
from harness.snapshots import ApprovedSnapshot, SnapshotStore
from harness.snapshots.accepted import (
    ACCEPTED,
    Accepted,
    accept,
    acceptable,
    check_accepted,
    dump,
    entry_for,
    fixture_names,
    load,
)

from .build import check, email, fixture, page

CASE = "receipt[en-ada]"


def link_finding(name: str) -> Finding:
    """What the links rule really says about a plain-http link carrying the customer's name."""
    (finding,) = check("links", email(page(f'<a href="http://shop.example/orders/{name}">Your orders</a>')))
    return finding


def snapshot(tmp_path: Path, accepted: list[Accepted] | None, reason: str = "known: TLS migration OPS-7") -> ApprovedSnapshot:
    parts = {"outcome.txt": b"sent\n"}
    if accepted is not None:
        parts[ACCEPTED] = dump(CASE, reason, accepted)
    return ApprovedSnapshot(tmp_path, parts, {})


def accepted_for(findings: list[Finding], names: dict[str, str]) -> list[Accepted]:
    return [entry_for(f, names) for f in acceptable(findings)]


# -- matching ------------------------------------------------------------------------------------


def test_the_same_finding_for_a_renamed_customer_is_still_accepted(tmp_path):
    ada = fixture_names(fixture("en-ada", name="Ada Lovelace"))
    before = link_finding("Ada Lovelace")
    approved = snapshot(tmp_path, accepted_for([before], ada))

    renamed = fixture_names(fixture("en-ada", name="Ada King"))
    counting, check_ = check_accepted([link_finding("Ada King")], approved, renamed, CASE)

    assert counting == [] and len(check_.accepted) == 1
    assert check_.reason == "known: TLS migration OPS-7" and check_.gone == []
    assert entry_for(before, ada).element == "a[href=http://shop.example/orders/‹name›]"


def test_a_changed_message_is_a_new_finding_and_the_old_acceptance_is_reported_gone(tmp_path):
    names = fixture_names(fixture(name="Ada Lovelace"))
    approved = snapshot(tmp_path, [Accepted("links", "a[href=http://shop.example/orders/‹name›]", "link scheme 'ftp' is not allowed", "error")])

    counting, check_ = check_accepted([link_finding("Ada Lovelace")], approved, names, CASE)

    new, note = counting
    assert new.message == "link scheme 'http' is not allowed" and new.severity == "error"
    assert note.severity == "note" and note.message.startswith("accepted finding no longer occurs: [links] error: link scheme 'ftp'")
    assert f"re-accept with: email-harness approve --accept-findings '{CASE}' --reason" in note.message
    assert check_.accepted == [] and [g.message for g in check_.gone] == ["link scheme 'ftp' is not allowed"]


@pytest.mark.parametrize(("before", "after"), [
    ("/home/ci/shop/templates/receipt.mjml:7", "/builds/42/templates/receipt.mjml:12"),
    ("templates/receipt.html:7:3", "templates/receipt.html:9:1"),
    ("table > tbody > tr:nth-of-type(3) > td", "table > tbody > tr:nth-of-type(4) > td"),  # a row added above
])
def test_line_numbers_folders_and_sibling_positions_of_an_element_play_no_part(tmp_path, before, after):
    names = fixture_names(fixture())
    found = Finding("empty-list", "error", "loop over 'order.items' ran zero times", element=before)
    approved = snapshot(tmp_path, accepted_for([found], names))

    moved = Finding("empty-list", "error", "loop over 'order.items' ran zero times", element=after)
    counting, check_ = check_accepted([moved], approved, names, CASE)

    assert counting == [] and check_.accepted == [moved]


def test_a_line_number_in_the_message_plays_no_part_but_the_words_do(tmp_path):
    names = fixture_names(fixture())
    approved = snapshot(tmp_path, accepted_for([Finding("empty-list", "error", "the loop at line 7 ran zero times")], names))

    assert check_accepted([Finding("empty-list", "error", "the loop at line 31 ran zero times")], approved, names, CASE)[0] == []
    counting, _ = check_accepted([Finding("empty-list", "error", "the loop at line 7 ran once")], approved, names, CASE)
    assert [f.message for f in counting if f.severity == "error"] == ["the loop at line 7 ran once"]


def test_severity_is_kept_for_the_reader_but_not_matched(tmp_path):
    names = fixture_names(fixture())
    approved = snapshot(tmp_path, [Accepted("links", "a", "link text 'here' says nothing out of context", "warning")])
    escalated = Finding("links", "error", "link text 'here' says nothing out of context", element="a")
    assert check_accepted([escalated], approved, names, CASE)[0] == []


def test_a_finding_accepted_once_that_now_occurs_twice_fails_once(tmp_path):
    names = fixture_names(fixture())
    found = Finding("links", "error", "link has no href", element="a")
    approved = snapshot(tmp_path, accepted_for([found], names))

    counting, check_ = check_accepted([found, found], approved, names, CASE)

    assert counting == [found] and check_.accepted == [found]


def test_without_an_accepted_list_every_finding_counts(tmp_path):
    found = [link_finding("Ada Lovelace")]
    assert check_accepted(found, None, {}, CASE)[0] == found
    assert check_accepted(found, snapshot(tmp_path, None), {}, CASE)[0] == found


def test_notes_and_crashed_rules_are_never_accepted():
    note = Finding("leftovers", "note", "merge tags left for the email service to fill: *|FNAME|*")
    crash = Finding("links", "error", "the rule itself failed: KeyError: 'href'")
    real = Finding("links", "error", "link has no href", element="a")
    assert acceptable([note, crash, real]) == [real]


# -- placeholders --------------------------------------------------------------------------------


def test_values_are_named_by_their_field_and_shared_values_by_the_shortest_path():
    data = {"name": "Ada Lovelace", "billing": {"name": "Ada Lovelace", "city": "London"}, "orders": [{"number": "NW-1"}]}
    assert field_names(data) == {"Ada Lovelace": "name", "London": "billing.city", "NW-1": "orders[].number"}
    assert mask("Ada Lovelace of London, ada@example.org, order 10042", field_names(data)) == "‹name› of ‹billing.city›, ‹email›, order ‹n›"


def test_a_field_inside_a_list_is_named_in_the_path_syntax_rule_options_use():
    # The same spelling as no-foreign-data's fields (harness.rules.paths): '[]' after a list.
    data = {"invoices": [{"number": "INV-77", "lines": [{"sku": "SKU-A1"}, {"sku": "SKU-B2"}]}], "tags": ["vip-gold"]}
    names = field_names(data)
    assert names == {"INV-77": "invoices[].number", "SKU-A1": "invoices[].lines[].sku", "SKU-B2": "invoices[].lines[].sku",
                     "vip-gold": "tags[]"}
    assert all(path_syntax_problem(path) is None for path in names.values())
    entry = entry_for(Finding("links", "error", "link to invoice INV-77 is plain http", element="a"), names)
    assert entry.message == "link to invoice ‹invoices[].number› is plain http"
    assert "‹invoices[].number›" in dump(CASE, "known", [entry]).decode()


def test_a_list_written_with_the_old_dotted_field_names_still_matches(tmp_path):
    # Files written before the path syntax named fields 'invoices.number': still the same finding.
    names = field_names({"invoices": [{"number": "INV-77"}]})
    old = Accepted("links", "a[href=http://shop.example/invoices/‹invoices.number›]", "link scheme 'http' is not allowed", "error")
    found = Finding("links", "error", "link scheme 'http' is not allowed", element="a[href=http://shop.example/invoices/INV-77]")

    counting, check_ = check_accepted([found], snapshot(tmp_path, [old]), names, CASE)

    assert counting == [] and check_.accepted == [found] and check_.gone == []
    assert check_.entries[0].element == "a[href=http://shop.example/invoices/‹invoices[].number›]"  # re-accepting writes the new form
    other = Finding("links", "error", "link scheme 'http' is not allowed", element="a[href=http://shop.example/receipts/INV-77]")
    assert check_accepted([other], snapshot(tmp_path, [old]), names, CASE)[0][0] == other  # another element still counts


def test_a_placeholder_is_never_searched_for_another_value():
    # "name" is itself a value of this fixture: the placeholder ‹full.name› must stay whole.
    assert mask("Hi Ada Lovelace", {"Ada Lovelace": "full.name", "name": "nickname"}) == "Hi ‹full.name›"


# -- the file and the store ----------------------------------------------------------------------


def test_the_file_reads_as_a_reviewer_expects_in_a_diff():
    entries = [Accepted("links", "a[href=‹url›]", "link scheme 'http' is not allowed", "error"),
               Accepted("accessibility", "h2", "first heading is <h2>", "warning")]
    text = dump(CASE, "known, ticket DES-12", entries).decode()
    assert text.startswith(f"# Rule findings accepted for {CASE}")
    assert text.index("rule: accessibility") < text.index("rule: links")  # stable order, whatever the input order
    assert "reason: known, ticket DES-12\n" in text
    assert dump(CASE, "known, ticket DES-12", entries[::-1]).decode() == text


def test_a_file_that_is_not_an_accepted_list_is_an_error_naming_it(tmp_path):
    broken = ApprovedSnapshot(tmp_path, {ACCEPTED: b"- just a list\n"}, {})
    with pytest.raises(SnapshotError, match=rf"{ACCEPTED}: not an accepted-findings file .*approve --accept-findings"):
        load(broken, CASE)


def test_accepting_adds_a_manifest_part_and_keeps_every_other_part(tmp_path):
    store = SnapshotStore(tmp_path)
    store.write("receipt", "en-ada", {"outcome.txt": b"sent\n", "subject.txt": b"Your receipt\n"}, {"case": CASE})
    entries = [Accepted("links", "a", "link has no href", "error")]

    done = accept(store, "receipt", "en-ada", entries, "known")

    approved = store.read("receipt", "en-ada")
    assert done.status == "accepted" and done.count == 1 and done.old != done.new
    assert set(approved.manifest["parts"]) == {"outcome.txt", "subject.txt", ACCEPTED}
    assert approved.parts["subject.txt"] == b"Your receipt\n" and approved.manifest["case"] == CASE
    assert load(approved, CASE) == ("known", entries)
    assert accept(store, "receipt", "en-ada", entries, "known").status == "unchanged"


def test_accepting_again_rewrites_the_list_and_no_findings_remove_it(tmp_path):
    store = SnapshotStore(tmp_path)
    store.write("receipt", "en-ada", {"outcome.txt": b"sent\n"}, {})
    accept(store, "receipt", "en-ada", [Accepted("links", "a", "one"), Accepted("links", "a", "two")], "first")
    accept(store, "receipt", "en-ada", [Accepted("links", "a", "two")], "second")
    assert load(store.read("receipt", "en-ada"), CASE) == ("second", [Accepted("links", "a", "two")])

    assert accept(store, "receipt", "en-ada", [], "all fixed").status == "cleared"
    assert not (tmp_path / "receipt/en-ada" / ACCEPTED).exists()


def test_findings_of_a_case_without_an_approved_snapshot_are_not_accepted(tmp_path):
    done = accept(SnapshotStore(tmp_path), "receipt", "en-ada", [Accepted("links", "a", "x")], "known")
    assert done.status == "refused" and "approve the case first (email-harness approve 'receipt[en-ada]'" in done.message


def test_an_accepted_list_edited_by_hand_is_caught_like_any_other_part(tmp_path):
    store = SnapshotStore(tmp_path)
    store.write("receipt", "en-ada", {"outcome.txt": b"sent\n"}, {})
    accept(store, "receipt", "en-ada", [Accepted("links", "a", "link has no href", "error")], "known")
    path = tmp_path / "receipt/en-ada" / ACCEPTED
    path.write_text(path.read_text() + "- {rule: links, element: a, message: anything at all}\n")
    with pytest.raises(SnapshotError, match="does not match its manifest"):
        store.read("receipt", "en-ada")


def test_a_run_without_screenshots_reports_nothing_gone_for_a_case_that_has_them(tmp_path):
    # Rules that measure the page are silent without screenshots: their accepted findings did not
    # go away, they were not looked for; and such a run must not be the one findings are accepted from.
    names = fixture_names(fixture())
    overflow = Finding("text-fits", "error", "text overflows its box", element="td.total")
    approved = ApprovedSnapshot(tmp_path, {"desktop.png": b"png", ACCEPTED: dump(CASE, "known", accepted_for([overflow], names))}, {})

    counting, check_ = check_accepted([], approved, names, CASE, screenshots=False)
    assert counting == [] and check_.gone == [] and check_.complete is False

    counting, check_ = check_accepted([], approved, names, CASE, screenshots=True)
    assert [f.rule for f in counting] == ["accepted-findings"] and check_.complete is True
