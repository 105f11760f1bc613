"""Changes named completely: a change is the set of cases that share one set of edits, its title
names every edit it holds, and each edit is counted once per case that holds it.

The report is hand-made: a shared footer word ("Help centre" -> "Support centre") in two
templates, and a button colour in one of them, so the order confirmations hold both edits and
the refunds only the footer word."""

from __future__ import annotations

from pathlib import Path

from harness.report.html import render_report
from harness.review.changes import ChangeGroup, edit_cases, group_changes, headline_counts

from .build import plant

FOOTER = '<p class="footer">Questions? See our <a href="https://shop.example.com/help">{word}</a>.</p>\n'
BUTTON = ('<td align="center" bgcolor="{colour}" role="presentation" style="border:none;border-radius:4px;background:{colour};">\n'
          '<a href="https://shop.example.com/orders" style="background:{colour};color:#ffffff;">View your order</a>\n</td>\n')
TEXT = "Thank you for your order.\n\nQuestions? See our {word} (https://shop.example.com/help).\n"


def html(word: str, colour: str | None) -> str:
    return "<html><body>\n<h1>Thank you for your order</h1>\n" + (BUTTON.format(colour=colour) if colour else "") + FOOTER.format(word=word) + "</body></html>\n"


def footer_and_button(report: Path) -> list[ChangeGroup]:
    """Three order confirmations hold both edits, two refunds the footer word only."""
    cases = []
    for fixture in ("en-ada", "en-bob", "en-cy"):
        cases.append(plant(report, "order_confirmation", fixture,
                           {"body.html": html("Help centre", "#0b5cab"), "body.txt": TEXT.format(word="Help centre"), "outcome.txt": "sent\n"},
                           {"body.html": html("Support centre", "#047857"), "body.txt": TEXT.format(word="Support centre"), "outcome.txt": "sent\n"}))
    for fixture in ("en-ada", "de-dora"):
        cases.append(plant(report, "refund", fixture,
                           {"body.html": html("Help centre", None), "body.txt": TEXT.format(word="Help centre"), "outcome.txt": "sent\n"},
                           {"body.html": html("Support centre", None), "body.txt": TEXT.format(word="Support centre"), "outcome.txt": "sent\n"}))
    return group_changes({"cases": cases}, report)


def test_a_case_holding_two_edits_is_a_change_titled_with_both(tmp_path):
    groups = footer_and_button(tmp_path)
    titles = {g.title: sorted(c.id for c in g.cases) for g in groups}
    assert titles == {
        "Copy: “Questions? See our Help centre” → “Questions? See our Support centre”"
        " + Button background #0b5cab → #047857":  # the colour in a designer's words, not the td it sits on
            ["order_confirmation[en-ada]", "order_confirmation[en-bob]", "order_confirmation[en-cy]"],
        "Copy: “Questions? See our Help centre” → “Questions? See our Support centre”": ["refund[de-dora]", "refund[en-ada]"],
    }, list(titles)


def test_each_edit_is_counted_once_per_case_that_holds_it(tmp_path):
    groups = footer_and_button(tmp_path)
    both = next(g for g in groups if len(g.edits) == 2)
    counts = edit_cases(groups)
    footer, button = both.edits
    assert (counts[footer.words], counts[button.words]) == (5, 3)  # the footer word is in every case, the colour in three
    assert (headline_counts(groups)["changes"], headline_counts(groups)["change_cases"], headline_counts(groups)["edits"]) == (2, 5, 2)


def test_the_page_lists_every_edit_of_a_change_with_its_count(tmp_path):
    groups = footer_and_button(tmp_path)
    page = render_report({"cases": [c.case for g in groups for c in g.cases], "summary": {}}, root=tmp_path, groups=groups)
    both = next(g for g in groups if len(g.edits) == 2)
    section = page[page.index(f'id="g-{both.key}"'):]
    section = section[: section.index("</section>")]
    assert 'class="edits"' in section
    assert "in 5 cases (3 here)" in section and "in 3 cases" in section
    assert "2 distinct edits" not in page  # two changes, two edits: nothing to explain


def test_a_one_edit_change_keeps_its_short_title(tmp_path):
    report = tmp_path
    case = plant(report, "refund", "en-ada", {"body.txt": "It can take up to 5 working days.\n"}, {"body.txt": "It can take up to 7 working days.\n"})
    (group,) = group_changes({"cases": [case]}, report)
    assert group.title == "Copy: “take up to 5 working days.” → “take up to 7 working days.”"
    assert [e.text for e in group.edits] == [group.title]


def test_a_change_of_many_edits_names_the_first_ones_and_how_many_more(tmp_path):
    before = "".join(f"Line {i} says alpha.\n\n" for i in range(6))
    after = "".join(f"Line {i} says beta{i}.\n\n" for i in range(6))
    (group,) = group_changes({"cases": [plant(tmp_path, "refund", "en-ada", {"body.txt": before}, {"body.txt": after})]}, tmp_path)
    assert len(group.edits) == 6
    assert group.title.startswith("Copy: “Line 0 says alpha.” → “Line 0 says beta0.” + “Line 1 says alpha.”")
    assert group.title.endswith(" + 3 more edits")


def test_a_loop_row_repeated_in_every_order_line_is_one_edit(tmp_path):
    before = "".join(f"Item {i}: ships in 2 days\n" for i in range(4))
    after = "".join(f"Item {i}: ships in 3 days\n" for i in range(4))
    (group,) = group_changes({"cases": [plant(tmp_path, "refund", "en-ada", {"body.txt": before}, {"body.txt": after})]}, tmp_path)
    assert len(group.edits) == 1 and group.title == "Copy: “0: ships in 2 days” → “0: ships in 3 days”"
