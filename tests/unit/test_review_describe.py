"""A designer's words for every kind of change: a style edit names the element a person
recognises, the property and the values ("Button background #0b5cab → #047857"), a change of
copy its words, a change of pixels alone the region that moved, with its viewport and look; raw
HTML only in the folded source diff.

The HTML is what MJML (mjml-python) emits for a small order email, normalised as the harness
stores it, before and after one designer's edit."""

from __future__ import annotations

import io
from pathlib import Path

import mjml
import pytest
from PIL import Image

from harness.report.html import render_report
from harness.review.changes import group_changes, group_positions, headline
from harness.review.describe import colour, describe_html, selector_name
from harness.snapshots import sha256
from harness.snapshots.normalize import normalize_html

#: A card with a heading and a line of copy, a button, and a footer with a link; every value a
#: designer edits below is a placeholder.
EMAIL = """<mjml><mj-head><mj-style>
  @media (prefers-color-scheme: dark) { .footer a { color: {dark_link} !important; } }
</mj-style></mj-head><mj-body background-color="#f4f5f7">
  <mj-section background-color="#ffffff" padding="{section_padding}">
    <mj-column>
      <mj-text color="{text_colour}" font-size="15px"><h1 style="font-size: {heading_size}">Thank you for your order</h1><p>It ships today.</p></mj-text>
      <mj-button background-color="{button}" color="#ffffff" href="https://shop.example.com/orders/1">View your order</mj-button>
    </mj-column>
  </mj-section>
  <mj-section css-class="footer">
    <mj-column>
      <mj-text font-size="12px"><a href="https://shop.example.com/help" style="color:{footer_link}">Help centre</a></mj-text>
    </mj-column>
  </mj-section>
</mj-body></mjml>"""
VALUES = {"dark_link": "#9aa5b1", "section_padding": "20px 0", "text_colour": "#1f2933", "heading_size": "22px",
          "button": "#0b5cab", "footer_link": "#52606d"}


def email(**edits: str) -> str:
    """The email's HTML as a snapshot holds it, with ``edits`` made to its values."""
    source = EMAIL
    for name, value in {**VALUES, **edits}.items():
        source = source.replace("{" + name + "}", value)
    return normalize_html(mjml.mjml2html(source))


def described(**edits: str) -> list[str]:
    return [change.text for change in describe_html(email(), email(**edits))]


def test_a_button_colour_mjml_writes_three_times_is_one_edit_named_as_the_button():
    html = email(button="#047857")
    assert html.count("#047857") == 3  # td bgcolor, td style background, a style background
    assert described(button="#047857") == ["Button background #0b5cab → #047857"]


def test_a_colour_in_a_style_attribute_names_the_footer_link():
    assert described(footer_link="#1d4ed8") == ["Footer link colour #52606d → #1d4ed8"]


def test_a_text_colour_set_on_mj_text_names_the_text():
    assert described(text_colour="#111827") == ["Text colour #1f2933 → #111827"]


def test_a_font_size_names_the_heading():
    assert described(heading_size="26px") == ["Heading font size 22px → 26px"]


def test_a_padding_names_the_section_it_spaces():
    assert described(section_padding="32px 0") == ["Section padding 20px 0 → 32px 0"]


def test_a_dark_mode_rule_says_so():
    assert described(dark_link="#cbd2d9") == ["Footer link colour in dark mode #9aa5b1 → #cbd2d9"]


def test_an_element_added_or_removed_is_named_with_its_words():
    before = email()
    start = before.rindex("<tr>", 0, before.index("View your order"))
    start = before.rindex("<tr>", 0, start)  # the row MJML wraps the button in
    end = before.index("</tr>", before.index("</tr>", before.index("View your order")) + 5) + 5
    assert [c.text for c in describe_html(before, before[:start] + before[end:])] == ["Button removed (“View your order”)"]


def test_words_alone_are_not_described_here_and_an_outlook_only_edit_is_named_by_where_it_is():
    assert describe_html(email(), email().replace("It ships today.", "It ships tomorrow.")) == []
    before = email()
    outlook = before.replace('bgcolor="#ffffff" align="center"', 'bgcolor="#fefefe" align="center"', 1)
    assert outlook != before
    assert [c.text for c in describe_html(before, outlook)] == ["Outlook-only markup changed"]


def test_selectors_in_words():
    assert selector_name(".footer div, .footer a") == "Footer text"
    assert selector_name("h1") == "Heading"
    assert selector_name(".card td[bgcolor] > a") == "Button"
    assert selector_name(".amount") == "Elements styled “amount”"


def test_only_a_real_colour_becomes_a_swatch():
    assert colour("#0B5CAB") == "#0B5CAB" and colour("rgb(11, 92, 171)") == "rgb(11, 92, 171)" and colour("white") == "white"
    for hostile in ("red;background:url(https://evil.example/x)", "url(x)", "expression(alert(1))", "10px", "inherit"):
        assert colour(hostile) is None, hostile


# -- in the change's title and on the page -------------------------------------------------------


def plant(report: Path, template: str, fixture: str, before: dict[str, str | bytes], after: dict[str, str | bytes]) -> dict:
    for side, parts in (("approved", before), ("received", after)):
        folder = report / side / template / fixture
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in parts.items():
            (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    changed = [n for n in after if before.get(n) != after[n] and not n.endswith(".diff.png")]
    raw = lambda d: d if isinstance(d, bytes) else d.encode()  # noqa: E731
    return {"id": f"{template}[{fixture}]", "template": template, "fixture": fixture, "status": "changed", "outcome": "sent",
            "findings": [], "received": {n: sha256(raw(d)) for n, d in after.items() if not n.endswith(".diff.png")},
            "approved": changed, "manifest": {}, "approved_manifest": "sha256:old",
            "diffs": [n for n in after if n.endswith(".diff.png")],
            "changes": [{"kind": "screenshot" if n.endswith(".png") else "text", "filename": n, "status": "changed",
                         "diff": "120 of 2400 pixels differ (5.00%)" if n.endswith(".png") else ""} for n in changed]}


def test_the_change_is_titled_in_a_designers_words_and_the_page_shows_swatches(tmp_path):
    case = plant(tmp_path, "order_confirmation", "en-ada", {"body.html": email()}, {"body.html": email(button="#047857")})
    (group,) = group_changes({"cases": [case]}, tmp_path)
    assert group.title == "Button background #0b5cab → #047857"
    assert group.edits[0].swatches == ("#0b5cab", "#047857")
    page = render_report({"cases": [case], "summary": {}}, root=tmp_path, groups=[group])
    title = page[page.index('<span class="title">'):]
    title = title[: title.index("</h2>")]
    assert 'style="background-color: #0b5cab"' in title and 'style="background-color: #047857"' in title
    assert "bgcolor" not in title and "&lt;td" not in title  # raw HTML only in the folded source diff


def png(height: int, red: tuple[int, int] | None = None, background: str = "white") -> bytes:
    image = Image.new("RGB", (40, height), background)
    if red:
        for y in range(*red):
            for x in range(5, 30):
                image.putpixel((x, y), (255, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(("after_height", "title"), [
    (224, "Layout: everything below 120 px moves down 24 px (mobile, dark)"),
    (200, "Layout: the region at 120–140 px from the top changed (mobile, dark)"),
])
def test_a_change_of_pixels_alone_names_the_region_that_moved_with_its_viewport_and_look(tmp_path, after_height, title):
    case = plant(tmp_path, "refund", "en-ada", {"mobile-dark.png": png(200)},
                 {"mobile-dark.png": png(after_height, background="#fafafa"), "mobile-dark.diff.png": png(after_height, (120, 140))})
    (group,) = group_changes({"cases": [case]}, tmp_path)
    assert group.title == title


def test_the_page_numbers_each_group_among_those_its_headline_counts_with_it(tmp_path):
    change = plant(tmp_path, "refund", "en-ada", {"body.txt": "It takes 5 days.\n"}, {"body.txt": "It takes 7 days.\n"})
    warning = {"id": "welcome[en-bob]", "template": "welcome", "fixture": "en-bob", "status": "passed", "outcome": "sent",
               "findings": [{"rule": "links", "severity": "warning", "message": "a link without https"}]}
    groups = group_changes({"cases": [change, warning]}, tmp_path)
    assert headline(groups) == "1 change in 1 case · 1 finding to read in 1 case"
    assert sorted(group_positions(groups).values()) == ["Change 1 of 1", "Finding to read 1 of 1"]
    page = render_report({"cases": [change, warning], "summary": {}}, root=tmp_path, groups=groups)
    assert "Change 1 of 1: " in page and "Change 1 of 2" not in page


def test_a_megabyte_restyled_throughout_is_named_in_bounded_time():
    """difflib's pairing grows with the product of the lengths (110 s here for 20,000 tables);
    the common start and end are paired in linear time, a big changed middle is named whole."""
    import time

    from harness.review.describe import MAX_CHANGES

    before = "<html><body>" + "".join(f"<table class='c{i}'><tr><td>x{i}</td></tr></table>" for i in range(20000)) + "</body></html>"
    after = before.replace("<td>", "<td><p>")  # a paragraph in every cell: 20,000 alike changes
    restyled = before.replace("<td>", "<td style='padding:1px'>", 1)
    started = time.monotonic()
    assert len(describe_html(before, after)) == MAX_CHANGES
    assert [c.text for c in describe_html(before, restyled)] == ["Table cell padding none → 1px"]
    assert time.monotonic() - started < 30
