"""Catalog-wide defaults for every metadata key in ``_catalog.yaml``: a template's own metadata
overrides them (subject, description, merge_tags, locales, language, renderer) or extends them
(requires runs the catalog's guards first, ``"!name"`` drops one; strings merge key by key)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.catalog import load_catalog
from harness.errors import HarnessError

PAGE = "<html><head><title>Page title</title></head><body><p>Hi</p></body></html>\n"


def catalog(root: Path, settings: str, **templates: str | None):
    """A catalog with ``_catalog.yaml`` = ``settings`` and, per keyword, a template NAME.html
    with that NAME.yaml (None: no metadata file)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "_catalog.yaml").write_text(settings, encoding="utf-8")
    for name, meta in templates.items():
        (root / f"{name}.html").write_text(PAGE, encoding="utf-8")
        if meta is not None:
            (root / f"{name}.yaml").write_text(meta, encoding="utf-8")
    return load_catalog(root)


def test_catalog_wide_guards_run_first_and_a_template_adds_its_own(tmp_path):
    loaded = catalog(tmp_path, "requires: [active_account]\n", receipt="subject: R\nrequires: [paid_invoice]\n", notice="subject: N\n", bare=None)
    assert loaded.templates["receipt"].meta.requires == ["active_account", "paid_invoice"]
    assert loaded.templates["notice"].meta.requires == ["active_account"]
    assert loaded.templates["bare"].meta.requires == ["active_account"]  # no metadata: every default applies


def test_a_template_drops_a_catalog_wide_guard_with_a_bang(tmp_path):
    loaded = catalog(tmp_path, "requires: [active_account, opted_in]\n", closed="subject: Closed\nrequires: ['!active_account', final]\n")
    assert loaded.templates["closed"].meta.requires == ["opted_in", "final"]


def test_dropping_a_guard_the_catalog_does_not_run_is_an_error_naming_both_files(tmp_path):
    loaded = catalog(tmp_path, "requires: [opted_in]\n", closed="subject: Closed\nrequires: ['!active_acount']\n")
    error = str(loaded.errors["closed"])
    assert "closed.yaml: requires: !active_acount drops a catalog-wide guard" in error and "['opted_in'] has no 'active_acount'" in error


def test_a_bang_in_the_catalogs_own_guards_is_refused(tmp_path):
    with pytest.raises(HarnessError, match="_catalog.yaml: field requires: Value error, '!name' drops a catalog-wide guard"):
        catalog(tmp_path, "requires: ['!x']\n")


def test_catalog_wide_locales_apply_unless_a_template_names_its_own(tmp_path):
    loaded = catalog(tmp_path, "default_locale: de\nlocales: [de, en]\n", shared="subject: S\n", own="subject: O\nlocales: [fr]\n", bare=None)
    assert loaded.templates["shared"].meta.locales == ["de", "en"]
    assert loaded.templates["own"].meta.locales == ["fr"]
    assert loaded.templates["bare"].meta.locales == ["de", "en"]


def test_without_catalog_locales_a_bare_template_takes_the_default_locale(tmp_path):
    loaded = catalog(tmp_path, "default_locale: it\n", bare=None, described="subject: D\n")
    assert loaded.templates["bare"].meta.locales == ["it"]
    assert loaded.templates["described"].meta.locales == ["en"]  # as before catalog-wide locales existed


def test_catalog_wide_locales_are_checked_as_locale_codes(tmp_path):
    with pytest.raises(HarnessError, match=r"field locales: Value error, not locale codes: \['../etc'\]"):
        catalog(tmp_path, "locales: ['../etc']\n")


def test_a_catalog_wide_subject_is_the_default_and_a_template_or_subject_file_overrides_it(tmp_path):
    loaded = catalog(tmp_path, 'subject: "{{ product }} notification"\n', plain="locales: [en]\n", own="subject: Own\n", bare=None)
    (tmp_path / "filed.html").write_text(PAGE)
    (tmp_path / "filed.subject.txt").write_text("From the file\n")
    loaded = load_catalog(tmp_path)
    assert loaded.templates["plain"].meta.subject == "{{ product }} notification"
    assert loaded.templates["bare"].meta.subject == "{{ product }} notification"  # the catalog's, before <title>
    assert loaded.templates["own"].meta.subject == "Own"
    assert loaded.templates["filed"].meta.subject == "From the file"


def test_description_and_merge_tags_default_catalog_wide(tmp_path):
    loaded = catalog(tmp_path, "description: Transactional\nmerge_tags: [mailchimp]\n", a="subject: A\n", b="subject: B\nmerge_tags: [handlebars]\n")
    assert loaded.templates["a"].meta.description == "Transactional" and loaded.templates["a"].merge_tags == ["mailchimp"]
    assert loaded.templates["b"].merge_tags == ["handlebars"]


def test_strings_merge_by_locale_and_key_with_the_templates_winning(tmp_path):
    settings = "strings:\n  en: {footer: Thanks, greeting: Hello}\n  de: {footer: Danke}\n"
    loaded = catalog(tmp_path, settings, welcome="subject: W\nstrings:\n  en: {greeting: Welcome}\n  fr: {greeting: Bienvenue}\n")
    assert loaded.templates["welcome"].meta.strings == {
        "en": {"footer": "Thanks", "greeting": "Welcome"}, "de": {"footer": "Danke"}, "fr": {"greeting": "Bienvenue"},
    }


def test_language_and_renderer_still_default_catalog_wide(tmp_path):
    loaded = catalog(tmp_path, "language: none\n", shipped="subject: S\n", templated="subject: T\nlanguage: jinja\n")
    assert loaded.templates["shipped"].language == "none" and loaded.templates["templated"].language == "jinja"


def test_rules_stay_the_templates_own_and_merge_rule_by_rule(tmp_path):
    loaded = catalog(tmp_path, "rules: {size: {limit_kb: 90}, links: {}}\n", t="subject: T\nrules: {links: false, size: {limit_kb: 50}}\n")
    template = loaded.templates["t"]
    assert template.meta.rules == {"links": False, "size": {"limit_kb": 50}}
    assert loaded.rules_for(template) == {"size": {"limit_kb": 50}}


def test_a_misspelt_catalog_key_is_still_refused(tmp_path):
    with pytest.raises(HarnessError, match=r"_catalog.yaml:1: unknown key 'requirs'; did you mean 'requires'\?"):
        catalog(tmp_path, "requirs: [x]\n")


def test_an_unknown_catalog_wide_guard_is_reported_once_in_the_catalogs_file(tmp_path):
    from harness.errors import ConfigError
    from harness.plugins import check_names

    loaded = catalog(tmp_path, "requires: [no_such_guard]\n", a="subject: A\n", b="subject: B\nrequires: [other_missing]\n")
    with pytest.raises(ConfigError) as raised:
        check_names(loaded)
    message = str(raised.value)
    assert message.count("no_such_guard") == 1 and "_catalog.yaml: requires: unknown send guard 'no_such_guard'" in message
    assert "b.yaml: requires: unknown send guard 'other_missing'" in message


def test_the_review_page_shows_the_guards_a_nested_template_runs_with_the_catalogs(tmp_path):
    from harness.review.sources import Sources

    catalog(tmp_path, "requires: [active_account]\n", welcome="subject: W\n")
    (tmp_path / "billing").mkdir()
    (tmp_path / "billing/receipt.yaml").write_text("subject: R\nrequires: ['!active_account', paid_invoice]\n")
    sources = Sources(catalog=tmp_path)
    assert sources.requires("welcome") == ("active_account",)
    assert sources.requires("billing/receipt") == ("paid_invoice",)
    assert sources.requires("../outside") is None
