"""Which files of a catalog tree are emails, what belongs to each, and how nested names are
written, selected and stored. Trees are built in tmp folders; no rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cases import Case, matches, shard
from harness.catalog import load_catalog
from harness.errors import HarnessError, SnapshotError
from harness.safepaths import TEMPLATE, check_name, safe_folder
from harness.snapshots.store import SnapshotStore

PAGE = "<html><head><title>{{ title }}</title></head><body><p>Hi</p></body></html>\n"


def tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


# -- names ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["welcome", "billing/invoice_paid", "a/b/c/d/e/f/g/h", "v1.2/x-y_z"])
def test_a_template_name_is_a_path_of_names(name):
    assert check_name(name, "template", "results.json") == name


@pytest.mark.parametrize("name", ["../x", "a/../b", "/etc/passwd", "a//b", "a/", "a/.hidden", "a/b/c/d/e/f/g/h/i", "a\\b", "", "a/ b"])
def test_a_template_name_that_could_leave_its_folder_is_refused(name):
    with pytest.raises(HarnessError, match="is not a valid name"):
        check_name(name, "template", "results.json")


@pytest.mark.parametrize("what", ["fixture", "part"])
def test_fixture_and_part_names_stay_one_segment(what):
    with pytest.raises(HarnessError, match="no '/'"):
        check_name("billing/x", what, "results.json")


def test_safe_folder_checks_every_segment_of_a_template_path(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "billing").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(HarnessError, match="billing: is a symbolic link"):
        safe_folder(tmp_path, "billing/invoice_paid", "en-paid")
    assert safe_folder(tmp_path, "account/welcome", "en") == tmp_path / "account/welcome/en"


# -- selection -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "selected"), [
    ("billing/*", True), ("billing/invoice_paid", True), ("invoice_*", True), ("invoice_paid[en-*]", True),
    ("billing/invoice_paid[de-*]", False), ("account/*", False), ("*/invoice_paid[en-paid]", True), ("paid", False),
])
def test_a_pattern_matches_a_nested_template_by_path_or_own_name(pattern, selected):
    assert matches(pattern, Case("billing/invoice_paid", "en-paid")) is selected


def test_a_case_id_with_a_path_parses_back():
    assert Case.parse("billing/invoice_paid[en-paid]") == Case("billing/invoice_paid", "en-paid")


def test_shards_of_nested_cases_cover_each_once():
    cases = [Case(t, f) for t in ("a", "billing/x", "billing/y", "z/w") for f in ("en", "de")]
    parts = [shard(cases, f"{i}/3") for i in (1, 2, 3)]
    assert sorted(c for p in parts for c in p) == sorted(cases)


# -- discovery -----------------------------------------------------------------------------------

def test_templates_in_subfolders_are_named_by_their_path(tmp_path):
    catalog = load_catalog(tree(tmp_path, {"welcome.html": PAGE, "billing/invoice_paid.html": PAGE, "billing/eu/vat.html": PAGE}))
    assert sorted(catalog.templates) == ["billing/eu/vat", "billing/invoice_paid", "welcome"]
    assert catalog.errors == {}


def test_subfolders_off_keeps_the_catalog_flat(tmp_path):
    root = tree(tmp_path, {"welcome.html": PAGE, "billing/invoice_paid.html": PAGE, "_catalog.yaml": "layout: {subfolders: false}\n"})
    assert sorted(load_catalog(root).templates) == ["welcome"]


def test_subject_text_and_metadata_files_beside_a_body_belong_to_it(tmp_path):
    root = tree(tmp_path, {
        "zulip/invitation.html": PAGE, "zulip/invitation.subject.txt": "{{ inviter }} invited you\n", "zulip/invitation.txt": "Join\n",
        "wagtail/submitted.html": PAGE, "wagtail/submitted_subject.txt": "Page submitted\n",
        "plain/notice.html": PAGE, "plain/notice.subject.html": "Notice\n", "plain/notice.yml": "locales: [en, de]\n",
    })
    catalog = load_catalog(root)
    assert catalog.errors == {} and sorted(catalog.templates) == ["plain/notice", "wagtail/submitted", "zulip/invitation"]
    invitation = catalog.templates["zulip/invitation"]
    assert invitation.meta.subject == "{{ inviter }} invited you" and invitation.text_path == root / "zulip/invitation.txt"
    assert invitation.catalog_path(invitation.text_path) == "zulip/invitation.txt"
    assert catalog.templates["wagtail/submitted"].meta.subject == "Page submitted"
    notice = catalog.templates["plain/notice"]
    assert notice.meta.subject == "Notice" and notice.meta.locales == ["en", "de"]  # NAME.subject.html is no email


def test_a_subject_given_twice_is_an_error_naming_both(tmp_path):
    root = tree(tmp_path, {"welcome.html": PAGE, "welcome.yaml": "subject: Hi\n", "welcome.subject.txt": "Hello\n"})
    assert "welcome.yaml: subject: and welcome.subject.txt both give the subject; keep one" in str(load_catalog(root).errors["welcome"])


def test_metadata_without_any_subject_names_the_ways_to_give_one(tmp_path):
    root = tree(tmp_path, {"welcome.html": PAGE, "welcome.yaml": "locales: [en]\n"})
    error = str(load_catalog(root).errors["welcome"])
    assert "field subject: Field required" in error and "welcome.subject.txt" in error


def test_a_custom_layout_pairs_allauth_style_files(tmp_path):
    root = tree(tmp_path, {
        "account/email/confirm.html": PAGE, "account/email/confirm_subject.txt": "Confirm\n", "account/email/confirm_message.txt": "Click\n",
        "_catalog.yaml": "layout:\n  text: ['{name}_message.txt']\n",
    })
    template = load_catalog(root).templates["account/email/confirm"]
    assert template.text_path is not None and template.text_path.name == "confirm_message.txt"


def test_a_layout_pattern_without_one_name_placeholder_is_refused(tmp_path):
    root = tree(tmp_path, {"_catalog.yaml": "layout:\n  subject: ['subject.txt']\n"})
    with pytest.raises(HarnessError, match=r"layout.subject.*'subject.txt': expected a file name with \{name\} once"):
        load_catalog(root)


def test_files_others_extend_include_or_import_are_partials(tmp_path):
    root = tree(tmp_path, {
        "layout.html": "<html>{% block body %}{% endblock %}</html>",
        "parts/footer.html": "<p>footer</p>",
        "lib/buttons.html": "{% macro b() %}{% endmacro %}",
        "lib/links.html": "{% macro l() %}{% endmacro %}",
        "brand/header.mjml": "<mj-section></mj-section>",
        "welcome.html": '{% extends "layout.html" %}{% block body %}{% include \'parts/footer.html\' %}{% endblock %}',
        "billing/paid.html": '{%- import "lib/buttons.html" as b %}{% from "lib/links.html" import l %}<html></html>',
        "news.mjml": '<mjml><mj-body><mj-include path="brand/header.mjml" /></mj-body></mjml>',
    })
    catalog = load_catalog(root)
    assert sorted(catalog.templates) == ["billing/paid", "news", "welcome"] and catalog.errors == {}


def test_a_reference_written_from_a_templates_folder_above_the_catalog_counts(tmp_path):
    root = tree(tmp_path / "templates/sentry/emails", {
        "base.html": "<html>{% block body %}{% endblock %}</html>",
        "digests/body.html": '{% extends "sentry/emails/base.html" %}',
    })
    assert sorted(load_catalog(root).templates) == ["digests/body"]


def test_a_referenced_file_with_its_own_subject_is_still_an_email(tmp_path):
    root = tree(tmp_path, {"reminder.html": PAGE, "reminder.subject.txt": "Reminder\n", "last_reminder.html": '{% extends "reminder.html" %}'})
    assert sorted(load_catalog(root).templates) == ["last_reminder", "reminder"]


def test_partial_globs_match_names_anywhere_or_paths_from_the_catalog(tmp_path):
    root = tree(tmp_path, {
        "base_marketing.html": PAGE, "billing/base_invoice.html": PAGE, "macros/a.html": PAGE, "macros/deep/b.html": PAGE,
        "compiled/welcome.html": PAGE, "welcome.source.html": PAGE, "welcome.html": PAGE,
        "_catalog.yaml": "layout:\n  partials: ['base*.html', 'macros/**', 'compiled/*', '*.source.html']\n",
    })
    catalog = load_catalog(root)
    assert sorted(catalog.templates) == ["welcome"] and catalog.errors == {}


def test_an_orphan_subject_or_text_file_is_an_error_naming_the_layout(tmp_path):
    catalog = load_catalog(tree(tmp_path, {"billing/old.subject.txt": "Old\n", "welcome.html": PAGE}))
    error = str(catalog.errors["billing/old.subject"])
    assert "old.subject.txt: no template old.subject.mjml or old.subject.html beside it, nor a body the layout pairs" in error and "{name}.subject.txt" in error and "layout: partials:" in error


def test_an_unclaimed_file_in_a_subfolder_is_an_error_of_its_path(tmp_path):
    catalog = load_catalog(tree(tmp_path, {"billing/notes.docx": "x", "billing/logo.png": "x", "billing/README.md": "x"}))
    assert list(catalog.errors) == ["billing/notes"] and "no renderer claims .docx" in str(catalog.errors["billing/notes"])


def test_a_folder_name_outside_the_grammar_is_an_error_of_each_template_in_it(tmp_path):
    catalog = load_catalog(tree(tmp_path, {"My Emails/welcome.html": PAGE}))
    assert "template names may use letters" in str(catalog.errors["My Emails/welcome"])


def test_hidden_folders_are_skipped_and_a_symlinked_folder_is_named(tmp_path):
    tree(tmp_path / "outside", {"secret.html": PAGE})
    root = tree(tmp_path / "catalog", {".git/x.html": PAGE, "welcome.html": PAGE})
    (root / "linked").symlink_to(tmp_path / "outside")
    catalog = load_catalog(root)
    assert sorted(catalog.templates) == ["welcome"]
    assert "linked: a symbolic link to a folder; the catalog does not follow it" in str(catalog.errors["linked"])


# -- snapshots -----------------------------------------------------------------------------------

def test_the_store_keeps_a_folder_per_template_path_and_lists_nested_cases(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    for template, fixture in [("welcome", "en"), ("billing/invoice_paid", "en"), ("billing/invoice_paid", "de"), ("billing", "en")]:
        store.write(template, fixture, {"subject.txt": b"x\n"}, {"outcome": "sent"})
    assert (tmp_path / "snapshots/billing/invoice_paid/de/subject.txt").is_file()
    assert store.cases() == {("welcome", "en"), ("billing/invoice_paid", "en"), ("billing/invoice_paid", "de"), ("billing", "en")}
    assert store.read("billing/invoice_paid", "de") is not None
    store.remove("billing/invoice_paid", "en")
    store.remove("billing/invoice_paid", "de")
    assert not (tmp_path / "snapshots/billing/invoice_paid").exists() and (tmp_path / "snapshots/billing/en").is_dir()


def test_the_store_refuses_a_template_path_that_leaves_it(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    with pytest.raises(SnapshotError, match="template 'billing/../../x' is not a valid name"):
        store.folder("billing/../../x", "en")


def test_a_referenced_file_with_its_own_text_part_is_still_an_email(tmp_path):
    """Sentry's activity/generic.html is an email (generic.txt beside it) that note.html extends."""
    root = tree(tmp_path, {
        "base.html": "<html>{% block body %}{% endblock %}</html>",
        "activity/generic.html": '{% extends "base.html" %}', "activity/generic.txt": "Activity\n",
        "activity/note.html": '{% extends "activity/generic.html" %}', "activity/note.txt": "Note\n",
    })
    catalog = load_catalog(root)
    assert sorted(catalog.templates) == ["activity/generic", "activity/note"] and catalog.errors == {}


def test_a_symlinked_folder_of_partials_is_no_error(tmp_path):
    tree(tmp_path / "shared", {"header.html": "<p>header</p>"})
    root = tree(tmp_path / "catalog", {"welcome.html": PAGE, "_catalog.yaml": "layout: {partials: ['vendor/**']}\n"})
    (root / "_partials").symlink_to(tmp_path / "shared")
    (root / "vendor").symlink_to(tmp_path / "shared")
    catalog = load_catalog(root)
    assert sorted(catalog.templates) == ["welcome"] and catalog.errors == {}


def test_a_zulip_shaped_tree_needs_no_configuration(tmp_path):
    """templates/zerver/emails as Zulip writes it: NAME.html, NAME.subject.txt, NAME.txt; the base
    imports macros.html and email.css by names from templates/, and every email extends it."""
    email = '{% extends "zerver/emails/email_base_default.html" %}\n{% block content %}<p>{{ _("Welcome to Zulip!") }}</p>{% endblock %}\n'
    root = tree(tmp_path / "templates/zerver/emails", {
        "email_base_default.html": "{% import 'zerver/emails/macros.html' as  macros %}\n{% import 'zerver/emails/email.css' as css_styles %}\n<html></html>",
        "macros.html": "{% macro link_tag(url) %}<a href='{{ url }}'>{{ url }}</a>{% endmacro %}",
        "email.css": "body { color: #000; }",
        "account_registered.html": email, "account_registered.subject.txt": "Welcome\n", "account_registered.txt": "Welcome\n",
        "find_team.html": email, "find_team.subject.txt": "Your Zulip accounts\n", "find_team.txt": "Accounts\n",
    })
    catalog = load_catalog(root)
    assert sorted(catalog.templates) == ["account_registered", "find_team"] and catalog.errors == {}
