"""Text from fixtures, templates and plugins made inert for a CI system (``harness/inert.py``):
the exact text each function prints, so a value can neither start a workflow command, break a
line, become Markdown or HTML, break ``junit.xml`` nor show the machine's folders; and ordinary
text is left as it is. ``tests/test_ci_logs.py`` runs the same promises through the CLI.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

from harness import inert
from harness.inert import annotation_data, annotation_property, log_line, log_text, markdown, relative_paths, visible, xml_text


@pytest.mark.parametrize(("text", "shown"), [
    ("plain text, 100% ok: é ü 漢字 🎉", "plain text, 100% ok: é ü 漢字 🎉"),
    ("tab\tstays", "tab\tstays"),
    ("a\nb", "a\\nb"),
    ("a\rb", "a\\rb"),
    ("\x1b[2Kgone", "\\x1b[2Kgone"),
    ("\x00\x08\x0b\x1f\x7f", "\\x00\\x08\\x0b\\x1f\\x7f"),
    ("nel\x85csi\x9b", "nel\\x85csi\\x9b"),
    ("\x9f\xa0", "\\x9f\xa0"),  # the last C1 control, then the first printable Latin-1
    ("line\u2028para\u2029", "line\\u2028para\\u2029"),
    ("lone \ud800 \udfff", "lone \\ud800 \\udfff"),
])
def test_visible_writes_breaking_characters_as_escapes(text, shown):
    assert visible(text) == shown


@pytest.mark.parametrize(("value", "line"), [
    ("Northwind order NW-1", "Northwind order NW-1"),
    ("::error::forged", "\\x3a:error::forged"),
    ("   ::add-mask::x", "   \\x3a:add-mask::x"),
    ("\t::stop-commands::t", "\t\\x3a:stop-commands::t"),
    ("x ::error:: in the middle", "x ::error:: in the middle"),
    (": not a command", ": not a command"),
    ("##[error]forged", "#\\x23[error]forged"),
    ("before ##[group]x ##[endgroup]", "before #\\x23[group]x #\\x23[endgroup]"),
    ("## heading [not a command]", "## heading [not a command]"),
    ("name\n::error::x", "name\\n::error::x"),  # one line: the newline shown, so nothing starts one
    (":\u200b:error::x", ":\\u200b:error::x"),  # an ignorable character hiding '::' is shown: no '::' left
    ("\ufeff::warning::x", "\\ufeff::warning::x"),
    ("#\u00ad#[error]", "#\\xad#[error]"),
    ("zero\u200bwidth in a name", "zero\u200bwidth in a name"),  # shown only where it hides a command
    (42, "42"),
])
def test_log_line_defuses_workflow_commands_and_keeps_text(value, line):
    assert log_line(value) == line


def test_log_text_keeps_newlines_and_defuses_each_line():
    assert log_text("first\n::error::x\n  ##[warning]y\r\n\x1b[31mred") == "first\n\\x3a:error::x\n  #\\x23[warning]y\\r\n\\x1b[31mred"
    assert log_text("a\u2028::b") == "a\\u2028::b"


@pytest.mark.parametrize(("text", "data"), [
    ("plain: a, b", "plain: a, b"),
    ("100%", "100%25"),
    ("a\r\nb", "a%0D%0Ab"),
    ("%0A", "%250A"),
    ("\x1b[1m\t", "\\x1b[1m\t"),  # a tab breaks nothing
    ("sep\u2028", "sep\\u2028"),
])
def test_annotation_data_percent_encodes_line_breaks(text, data):
    assert annotation_data(text) == data


def test_annotation_property_also_encodes_colon_and_comma():
    assert annotation_property("templates/a.mjml:7, line\n%") == "templates/a.mjml%3A7%2C line%0A%25"


@pytest.mark.parametrize(("text", "written"), [
    ("Order NW-1 (paid) - thanks! #1 + 2.", "Order NW-1 (paid) - thanks! #1 + 2."),
    ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
    ("[click](https://evil.example)", "\\[click\\](https://evil.example)"),
    ("`code` *em* _u_ ~s~ $x$ @team a|b &amp; \\", "\\`code\\` \\*em\\* \\_u\\_ \\~s\\~ \\$x\\$ \\@team a\\|b \\&amp; \\\\"),
    ("two\nlines", "two\\\\nlines"),  # the escape's backslash escaped: Markdown shows two\nlines
])
def test_markdown_escapes_every_markup_character_and_keeps_sentences(text, written):
    assert markdown(text) == written


@pytest.mark.parametrize(("value", "text"), [
    ("ok\ttab\nnl\rcr é", "ok\ttab\nnl\rcr é"),
    ("esc\x1b nul\x00 del\x7f c1\x85", "esc\\x1b nul\\x00 del\\x7f c1\\x85"),
    ("\ufffe\uffff", "\\ufffe\\uffff"),
    ("\ud7ff\ue000\ufffd", "\ud7ff\ue000\ufffd"),
    ("lone \udc80", "lone \\udc80"),
    ("astral \U0001f600", "astral \U0001f600"),
    (7, "7"),
])
def test_xml_text_escapes_what_xml_1_0_forbids(value, text):
    assert xml_text(value) == text


# -- relative_paths ------------------------------------------------------------------------------

def test_the_project_folder_is_left_out_as_given_and_resolved(tmp_path):
    project = tmp_path / "shop"
    (project / "templates").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(project)
    text = f"{link}/templates/refund.mjml:7 and {project}/fixtures/a.yaml; {project} itself"
    assert relative_paths(text, link) == "templates/refund.mjml:7 and fixtures/a.yaml; . itself"


def test_a_folder_that_only_starts_like_the_project_is_not_cut(tmp_path):
    project = tmp_path / "shop"
    project.mkdir()
    said = relative_paths(f"{project}-old/x.mjml", project)
    assert not said.startswith("-old") and said.endswith("x.mjml")


def test_the_file_system_root_as_project_shrinks_nothing():
    assert relative_paths("see /help/centre and /orders/NW-1", Path("/")) == "see /help/centre and /orders/NW-1"


def test_other_paths_of_this_machine_are_shortened_and_look_alikes_kept(tmp_path):
    home = os.path.expanduser("~")
    text = (f"{home}/secret/notes.txt, {tempfile.gettempdir()}/x/y.png, {sys.prefix}/lib/site.py, "
            "https://shop.example.com/help/centre, //cdn.example.com/a.png, /help/centre, file:7")
    assert relative_paths(text, None) == (
        "…/notes.txt, …/y.png, …/site.py, https://shop.example.com/help/centre, //cdn.example.com/a.png, /help/centre, file:7")


def test_a_path_under_an_existing_folder_two_levels_deep_is_shortened(tmp_path):
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    inert._is_folder.cache_clear()
    # /tmp/... is a machine folder anyway; a path under an existing folder outside it is too.
    assert relative_paths("/usr/share/doc/x.txt", None) == "…/x.txt"
    assert relative_paths("/nonexistent-top/x/y.txt", None) == "/nonexistent-top/x/y.txt"
    assert relative_paths("/usr", None) == "/usr"


def test_machine_folders_end_with_a_slash_and_leave_out_the_root():
    folders = inert._machine_folders()
    assert folders and all(f.endswith("/") and f != "/" for f in folders)
    assert os.path.expanduser("~").rstrip("/") + "/" in folders


# -- which folders are this machine's (cached: each test starts from a clean cache) ---------------

@pytest.fixture
def fresh_caches():
    inert._machine_folders.cache_clear()
    inert._is_folder.cache_clear()
    yield
    inert._machine_folders.cache_clear()
    inert._is_folder.cache_clear()


def test_paths_under_the_home_and_temporary_folders_are_shortened_even_when_gone(fresh_caches, monkeypatch):
    monkeypatch.setenv("HOME", "/home/runner-email-harness")
    assert relative_paths("/home/runner-email-harness/shop/templates/a.mjml:7", None) == "…/a.mjml:7"
    gone = f"{tempfile.gettempdir()}/no-such-folder-email-harness/shot.png"
    assert relative_paths(gone, None) == "…/shot.png"


def test_a_home_at_the_file_system_root_shortens_nothing(fresh_caches, monkeypatch):
    monkeypatch.setenv("HOME", "/")
    assert relative_paths("see /help/centre and /orders/NW-1", None) == "see /help/centre and /orders/NW-1"
    assert "/" not in inert._machine_folders()


def test_a_path_is_shortened_by_its_first_two_folders_existing(fresh_caches):
    assert relative_paths("/usr/lib", None) == "…/lib"  # a folder two levels deep is this machine's
    assert relative_paths("/usr/lib/no-such-file-email-harness", None) == "…/no-such-file-email-harness"


def test_a_project_folder_one_level_deep_is_left_out(fresh_caches):
    assert relative_paths("/srv/templates/refund.mjml:7", Path("/srv")) == "templates/refund.mjml:7"


def test_a_relative_project_folder_is_left_out_once_resolved(fresh_caches, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert relative_paths(f"{tmp_path}/templates/refund.mjml", Path(".")) == "templates/refund.mjml"

