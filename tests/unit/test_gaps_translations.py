"""Translation completeness, decided without rendering: which gettext catalog a locale gets
(harness/render/translations.py) and which messages of a template's files count as holes
(harness/catalog/strings.py). Hand-written ``.po`` files in a temporary folder; no engine runs."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from harness.catalog import load_catalog
from harness.catalog.strings import missing_translations
from harness.errors import ConfigError
from harness.render.jinja import new_environment
from harness.render.translations import TranslationSet

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
FUZZY_HEADER = "#, fuzzy\n" + HEADER
ORDER = '\nmsgid "Your order"\nmsgstr "Ihre Bestellung"\n'
ITEMS = '\nmsgid "%(num)d item"\nmsgid_plural "%(num)d items"\nmsgstr[0] "%(num)d Artikel"\nmsgstr[1] "%(num)d Artikel"\n'


def po(folder: Path, locale: str, text: str) -> Path:
    """``folder/LOCALE/LC_MESSAGES/messages.po`` with ``text``."""
    path = folder / locale / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- which messages are holes: LocaleCatalog.hole ---------------------------------------------


def test_a_translated_message_and_a_fully_translated_plural_are_no_holes(tmp_path):
    po(tmp_path, "de", HEADER + ORDER + ITEMS)
    catalog = TranslationSet(tmp_path).catalog("de")
    assert catalog.hole("Your order") is None
    assert catalog.hole("%(num)d item") is None


def test_a_plural_with_one_empty_form_is_a_hole_naming_file_and_line(tmp_path):
    """German readers of "2 items" would get the English plural: one form is not enough."""
    path = po(tmp_path, "de", HEADER + '\nmsgid "%(num)d item"\nmsgid_plural "%(num)d items"\nmsgstr[0] "%(num)d Artikel"\nmsgstr[1] ""\n')
    assert TranslationSet(tmp_path).catalog("de").hole("%(num)d item") == f"empty, {path}:6"


def test_a_fuzzy_plural_is_a_hole_as_pybabel_compile_leaves_it_out(tmp_path):
    path = po(tmp_path, "de", HEADER + "\n#, fuzzy" + ITEMS)
    translations = TranslationSet(tmp_path)
    assert translations.catalog("de").hole("%(num)d item") == f"fuzzy, {path}:7"
    assert translations.for_locale("de").ngettext("%(num)d item", "%(num)d items", 2) == "%(num)d items"


def test_a_fuzzy_message_is_a_hole_unless_the_project_uses_fuzzy(tmp_path):
    path = po(tmp_path, "de", HEADER + "\n#, fuzzy" + ORDER)
    assert TranslationSet(tmp_path).catalog("de").hole("Your order") == f"fuzzy, {path}:7"
    with_fuzzy = TranslationSet(tmp_path, use_fuzzy=True)
    assert with_fuzzy.catalog("de").hole("Your order") is None
    assert with_fuzzy.for_locale("de").gettext("Your order") == "Ihre Bestellung"


def test_an_empty_translation_is_a_hole_and_a_missing_one_says_missing(tmp_path):
    path = po(tmp_path, "de", HEADER + '\nmsgid "Your order"\nmsgstr ""\n')
    catalog = TranslationSet(tmp_path).catalog("de")
    assert catalog.hole("Your order") == f"empty, {path}:6"
    assert catalog.hole("Track your parcel") == "missing"


def test_a_message_is_looked_up_in_its_context(tmp_path):
    po(tmp_path, "de", HEADER + '\nmsgctxt "button"\nmsgid "Order"\nmsgstr "Bestellen"\n')
    catalog = TranslationSet(tmp_path).catalog("de")
    assert catalog.hole("Order", "button") is None
    assert catalog.hole("Order") == "missing"


def test_a_locale_without_any_catalog_has_every_message_as_a_hole():
    assert TranslationSet(None).catalog("de").hole("Your order") == "no catalog"


# -- which catalog a locale gets: TranslationSet ----------------------------------------------


def test_a_regional_locale_falls_back_to_its_language(tmp_path):
    path = po(tmp_path, "de", HEADER + ORDER)
    catalog = TranslationSet(tmp_path).catalog("de_CH")
    assert catalog.path == path
    assert catalog.translations.gettext("Your order") == "Ihre Bestellung"


def test_a_regional_catalog_wins_over_its_language(tmp_path):
    po(tmp_path, "de", HEADER + ORDER)
    swiss = po(tmp_path, "de_CH", HEADER + '\nmsgid "Your order"\nmsgstr "Ihre Bestellung (CH)"\n')
    assert TranslationSet(tmp_path).catalog("de_CH").path == swiss


def test_a_fuzzy_catalog_is_skipped_and_the_locale_falls_back(tmp_path):
    swiss = po(tmp_path, "de_CH", FUZZY_HEADER + ORDER)
    german = po(tmp_path, "de", HEADER + ORDER)
    catalog = TranslationSet(tmp_path).catalog("de_CH")
    assert (catalog.path, catalog.skipped) == (german, (swiss,))


def test_a_fuzzy_catalog_with_nothing_to_fall_back_to_renders_the_source_text(tmp_path):
    path = po(tmp_path, "de", FUZZY_HEADER + ORDER)
    catalog = TranslationSet(tmp_path).catalog("de")
    assert (catalog.path, catalog.skipped) == (None, (path,))
    assert catalog.translations.gettext("Your order") == "Your order"


def test_use_fuzzy_compiles_a_fuzzy_catalog(tmp_path):
    path = po(tmp_path, "de", FUZZY_HEADER + ORDER)
    catalog = TranslationSet(tmp_path, use_fuzzy=True).catalog("de")
    assert (catalog.path, catalog.skipped) == (path, ())
    assert catalog.translations.gettext("Your order") == "Ihre Bestellung"


def test_a_compiled_mo_beside_a_po_is_ignored(tmp_path):
    path = po(tmp_path, "de", HEADER + ORDER)
    path.with_suffix(".mo").write_bytes(b"not even a catalog")
    assert TranslationSet(tmp_path).catalog("de").path == path


def mo(folder: Path, locale: str, entries: dict[str, str]) -> Path:
    """A GNU ``.mo`` file holding exactly ``entries`` (msgid -> msgstr; plural forms joined by
    NUL), as a tool other than Babel may write it."""
    keys = sorted(entries)
    ids = [k.encode() for k in keys]
    strs = [entries[k].encode() for k in keys]
    start = 7 * 4 + 16 * len(keys)
    table, data = [], b""
    for blob in ids + strs:
        table.append((len(blob), start + len(data)))
        data += blob + b"\0"
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    path = folder / locale / "LC_MESSAGES" / "messages.mo"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + b"".join(struct.pack("ii", *entry) for entry in table) + data)
    return path


MO_HEADER = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n"


def test_a_mo_alone_is_used_as_it_is(tmp_path):
    path = mo(tmp_path, "de", {"": MO_HEADER, "Your order": "Ihre Bestellung"})
    catalog = TranslationSet(tmp_path).catalog("de")
    assert catalog.path == path
    assert catalog.translations.gettext("Your order") == "Ihre Bestellung"
    assert catalog.hole("Your order") is None
    assert catalog.hole("Track your parcel") == "missing"


def test_a_plural_of_a_mo_with_an_empty_form_is_a_hole(tmp_path):
    """gettext would put an empty string where "3 Artikel" belongs."""
    path = mo(tmp_path, "de", {"": MO_HEADER, "%(num)d item\0%(num)d items": "%(num)d Artikel\0"})
    catalog = TranslationSet(tmp_path).catalog("de")
    assert catalog.translations.ngettext("%(num)d item", "%(num)d items", 3) == ""
    assert catalog.hole("%(num)d item") == f"empty, {path}"


def test_a_fully_translated_plural_of_a_mo_is_no_hole(tmp_path):
    mo(tmp_path, "de", {"": MO_HEADER, "%(num)d item\0%(num)d items": "%(num)d Artikel\0%(num)d Artikel"})
    assert TranslationSet(tmp_path).catalog("de").hole("%(num)d item") is None


def test_a_catalog_is_loaded_once_per_locale(tmp_path):
    path = po(tmp_path, "de", HEADER + ORDER)
    translations = TranslationSet(tmp_path)
    first = translations.catalog("de")
    path.write_text(HEADER, encoding="utf-8")
    assert translations.catalog("de") is first


@pytest.mark.parametrize("nplurals, refused", [(6, False), (20, False), (21, True), (1234567, True)])
def test_more_plural_forms_than_any_language_needs_is_a_config_error(tmp_path, nplurals, refused):
    path = po(tmp_path, "de", HEADER.replace("nplurals=2", f"nplurals={nplurals}") + ORDER)
    if not refused:
        assert TranslationSet(tmp_path).catalog("de").path == path
        return
    with pytest.raises(ConfigError, match=rf"^{path}: Plural-Forms declares nplurals={nplurals}; no language needs more than 6 \(at most 20 are read\)"):
        TranslationSet(tmp_path).catalog("de")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="the platform has no symbolic links")
def test_a_catalog_that_is_a_link_out_of_the_translations_folder_is_refused(tmp_path):
    outside = tmp_path / "elsewhere.po"
    outside.write_text(HEADER + ORDER)
    folder = tmp_path / "locale"
    (folder / "de" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "de" / "LC_MESSAGES" / "messages.po").symlink_to(outside)
    with pytest.raises(ConfigError, match="resolves outside the translations folder .* copy the catalog in instead"):
        TranslationSet(folder).catalog("de")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="the platform has no symbolic links")
def test_a_catalog_that_is_a_link_inside_the_translations_folder_is_refused_too(tmp_path):
    """Its text would go into snapshots from wherever the link points later."""
    real = po(tmp_path, "de", HEADER + ORDER)
    (tmp_path / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "fr" / "LC_MESSAGES" / "messages.po").symlink_to(real)
    with pytest.raises(ConfigError, match=r"messages.po: is a symbolic link; .*Copy the file in instead"):
        TranslationSet(tmp_path).catalog("fr")


def test_a_catalog_named_messages_po_that_is_a_folder_is_an_error_not_no_catalog(tmp_path):
    (tmp_path / "de" / "LC_MESSAGES" / "messages.po").mkdir(parents=True)
    with pytest.raises(ConfigError, match=r"messages.po: is a folder, expected a file"):
        TranslationSet(tmp_path).catalog("de")


def test_a_po_file_that_is_not_gettext_syntax_is_a_config_error_naming_it(tmp_path):
    path = po(tmp_path, "de", HEADER + ORDER + "this line is no gettext\n")
    with pytest.raises(ConfigError, match=rf"^{path}: cannot read the gettext catalog: "):
        TranslationSet(tmp_path).catalog("de")


def test_a_mo_file_that_is_not_a_catalog_is_a_config_error_naming_it(tmp_path):
    path = tmp_path / "de" / "LC_MESSAGES" / "messages.mo"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00" * 40)
    with pytest.raises(ConfigError, match=rf"^{path}: "):
        TranslationSet(tmp_path).catalog("de")


def test_an_absurdly_long_nplurals_is_shown_cut_short(tmp_path):
    path = po(tmp_path, "de", HEADER.replace("nplurals=2", "nplurals=" + "1" * 30) + ORDER)
    with pytest.raises(ConfigError, match=rf"^{path}: Plural-Forms declares nplurals={'1' * 20}\.\.\.; "):
        TranslationSet(tmp_path).catalog("de")
    path = po(tmp_path, "de", HEADER.replace("nplurals=2", "nplurals=000002") + ORDER)
    assert TranslationSet(tmp_path).catalog("de").path == path  # six digits, a small number


def test_an_unknown_charset_is_a_config_error_naming_the_file(tmp_path):
    path = po(tmp_path, "de", HEADER.replace("UTF-8", "klingon-8") + ORDER)
    with pytest.raises(ConfigError, match=rf"^{path}: cannot read the gettext catalog: .*use charset=UTF-8$"):
        TranslationSet(tmp_path).catalog("de")


def test_a_plural_forms_expression_gettext_cannot_compile_is_a_config_error(tmp_path):
    path = po(tmp_path, "de", HEADER.replace("plural=(n != 1)", "plural=(n ** 1)") + ORDER)
    with pytest.raises(ConfigError, match=rf"^{path}: gettext cannot load the catalog: its Plural-Forms header: .*C syntax"):
        TranslationSet(tmp_path).catalog("de")


# -- which files and messages a template is checked for: missing_translations -----------------


def check(tmp_path: Path, files: dict[str, str], catalogs: dict[str, str], *, meta: str = "subject: Welcome\nlocales: [en, de]\n") -> str:
    """The translation problems of template ``welcome`` (an HTML template with ``files``), or ""."""
    root = tmp_path / "templates"
    root.mkdir(exist_ok=True)
    (root / "welcome.yaml").write_text(meta)
    for name, text in files.items():
        (root / name).write_text(text)
    folder = tmp_path / "locale"
    for locale, text in catalogs.items():
        po(folder, locale, text)
    errors = missing_translations(load_catalog(root), new_environment(root), TranslationSet(folder))
    return str(errors.get("welcome", ""))


PAGE = "<html><body><p>{{ _('Your order') }}</p>%s</body></html>"


def test_a_complete_catalog_reports_nothing(tmp_path):
    assert check(tmp_path, {"welcome.html": PAGE % ""}, {"de": HEADER + ORDER}) == ""


def test_a_message_used_only_in_an_included_partial_is_checked(tmp_path):
    files = {"welcome.html": PAGE % "{% include '_footer.html' %}", "_footer.html": "<p>{{ _('Unsubscribe') }}</p>"}
    assert check(tmp_path, files, {"de": HEADER + ORDER}).endswith(
        f"locale 'de' has no translation for 'Unsubscribe' in {tmp_path / 'locale/de/LC_MESSAGES/messages.po'}"
    )


def test_a_message_in_a_partial_of_a_partial_and_in_an_extended_layout_is_checked(tmp_path):
    files = {
        "_layout.html": "<html><body>{% block body %}{% endblock %}<p>{{ _('Legal') }}</p></body></html>",
        "welcome.html": "{% extends '_layout.html' %}{% block body %}{% include '_a.html' %}{% endblock %}",
        "_a.html": "{% include '_b.html' %}",
        "_b.html": "<p>{{ _('Deep') }}</p>",
    }
    assert "has no translation for 'Deep', 'Legal' in" in check(tmp_path, files, {"de": HEADER})


def test_a_message_in_the_subject_and_in_the_text_part_is_checked(tmp_path):
    files = {"welcome.html": PAGE % "", "welcome.txt": "{{ _('Plain goodbye') }}"}
    meta = "subject: \"{{ _('Welcome aboard') }}\"\nlocales: [en, de]\n"
    assert "has no translation for 'Plain goodbye', 'Welcome aboard' in" in check(tmp_path, files, {"de": HEADER + ORDER}, meta=meta)


def test_a_plural_with_an_empty_form_fails_the_template(tmp_path):
    page = PAGE % "{% trans num=3 %}{{ num }} item{% pluralize %}{{ num }} items{% endtrans %}"
    catalog = HEADER + ORDER + '\nmsgid "%(num)s item"\nmsgid_plural "%(num)s items"\nmsgstr[0] "%(num)s Artikel"\nmsgstr[1] ""\n'
    assert "has no translation for '%(num)s item' (empty, " in check(tmp_path, {"welcome.html": page}, {"de": catalog})


def test_a_message_with_a_context_is_checked_in_its_context(tmp_path):
    """``pgettext('button', 'Order')`` needs the entry with ``msgctxt "button"``; the same msgid
    without a context does not translate it."""
    page = "<p>{{ pgettext('button', 'Order') }} {{ npgettext('cart', '%(num)s item', '%(num)s items', 2) }}</p>"
    without_context = HEADER + '\nmsgid "Order"\nmsgstr "Bestellung"\n'
    found = check(tmp_path, {"welcome.html": page}, {"de": without_context})
    assert "has no translation for '%(num)s item', 'Order' in" in found
    (tmp_path / "locale/de/LC_MESSAGES/messages.po").write_text(
        HEADER + '\nmsgctxt "button"\nmsgid "Order"\nmsgstr "Bestellen"\n'
        '\nmsgctxt "cart"\nmsgid "%(num)s item"\nmsgid_plural "%(num)s items"\nmsgstr[0] "%(num)s Artikel"\nmsgstr[1] "%(num)s Artikel"\n'
    )
    errors = missing_translations(load_catalog(tmp_path / "templates"), new_environment(tmp_path / "templates"), TranslationSet(tmp_path / "locale"))
    assert errors == {}


def test_a_fuzzy_message_names_the_fix(tmp_path):
    found = check(tmp_path, {"welcome.html": PAGE % ""}, {"de": HEADER + "\n#, fuzzy" + ORDER})
    assert "has no translation for 'Your order' (fuzzy, " in found
    assert found.endswith("pybabel compile leaves fuzzy messages out: review them and remove their fuzzy flag"
                          " (or set use_fuzzy = true under [tool.email-harness] if production compiles with --use-fuzzy)")


def test_a_missing_message_gives_no_fuzzy_advice(tmp_path):
    found = check(tmp_path, {"welcome.html": PAGE % ""}, {"de": HEADER})
    assert found.endswith("has no translation for 'Your order' in " + str(tmp_path / "locale/de/LC_MESSAGES/messages.po"))


def test_the_source_locale_needs_no_catalog(tmp_path):
    assert check(tmp_path, {"welcome.html": PAGE % ""}, {"de": HEADER + ORDER}, meta="subject: Welcome\nlocales: [en]\n") == ""


def test_another_source_locale_is_taken_from_the_catalog_settings(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "_catalog.yaml").write_text("default_locale: de\n")
    found = _check_in(tmp_path, {"welcome.html": PAGE % ""}, "subject: Welcome\nlocales: [de, en]\n")
    assert "locale 'en' has no translation for 'Your order'" in found and "locale 'de'" not in found


def _check_in(tmp_path: Path, files: dict[str, str], meta: str) -> str:
    """:func:`check` for a ``templates/`` folder made beforehand, with no catalogs at all."""
    root = tmp_path / "templates"
    (root / "welcome.yaml").write_text(meta)
    for name, text in files.items():
        (root / name).write_text(text)
    (tmp_path / "locale").mkdir()
    errors = missing_translations(load_catalog(root), new_environment(root), TranslationSet(tmp_path / "locale"))
    return str(errors.get("welcome", ""))


def test_a_locale_with_no_catalog_names_where_it_belongs(tmp_path):
    assert check(tmp_path, {"welcome.html": PAGE % ""}, {}) == (
        f"{tmp_path / 'templates/welcome.yaml'}: locale 'de' has no translation for 'Your order' in "
        f"{tmp_path / 'locale'}/de/LC_MESSAGES/messages.po (no catalog there)"
    )


def test_a_template_without_gettext_messages_needs_no_catalog(tmp_path):
    assert check(tmp_path, {"welcome.html": "<html><body><p>Hi</p></body></html>"}, {}) == ""


def test_more_than_five_holes_are_cut_short(tmp_path):
    page = "".join(f"{{{{ _('m{i}') }}}}" for i in range(6))
    found = check(tmp_path, {"welcome.html": page}, {"de": HEADER})
    assert "has no translation for 'm0', 'm1', 'm2', 'm3', 'm4' ... in" in found


@pytest.mark.parametrize("header, why", [
    (FUZZY_HEADER, "is marked fuzzy ('#, fuzzy' on its header entry, as pybabel init and update write it)"),
    ("", "has no header entry (msgid \"\" with the Content-Type), which Babel reads as a fuzzy catalog"),
])
def test_a_catalog_pybabel_compile_skips_is_reported_with_why_and_what_production_sends(tmp_path, header, why):
    found = check(tmp_path, {"welcome.html": PAGE % ""}, {"de": header + ORDER})
    path = tmp_path / "locale/de/LC_MESSAGES/messages.po"
    assert f"locale 'de' is not translated: {path} {why}, so production's pybabel compile skips this catalog and sends 'de' in the source text" in found
    assert "(no catalog there)" not in found


def test_a_skipped_regional_catalog_says_which_catalog_production_uses_instead(tmp_path):
    found = check(tmp_path, {"welcome.html": PAGE % ""}, {"de_CH": FUZZY_HEADER + ORDER, "de": HEADER + ORDER},
                  meta="subject: Welcome\nlocales: [en, de_CH]\n")
    assert f"sends 'de_CH' with {tmp_path / 'locale/de/LC_MESSAGES/messages.po'};" in found


def test_a_lacking_string_key_and_a_gettext_hole_are_both_reported(tmp_path):
    meta = "subject: Welcome\nlocales: [en, de]\nstrings: {en: {heading: Hi}, de: {}}\n"
    found = check(tmp_path, {"welcome.html": PAGE % "{{ t.heading }}"}, {"de": HEADER}, meta=meta)
    assert "locale 'de' lacks string(s) heading under strings:; locale 'de' has no translation for 'Your order' in" in found


def test_a_template_shipped_as_is_does_not_stop_the_check_of_the_next_one(tmp_path):
    root = tmp_path / "templates"
    root.mkdir()
    (root / "a_static.html").write_text("<p>{{ _('Static') }}</p>")
    (root / "a_static.yaml").write_text("subject: Static\nlocales: [en, de]\nlanguage: none\n")
    found = check(tmp_path, {"welcome.html": PAGE % ""}, {"de": HEADER})
    assert "has no translation for 'Your order'" in found


def test_a_template_shipped_as_is_is_not_checked_for_gettext(tmp_path):
    meta = "subject: Welcome\nlocales: [en, de]\nlanguage: none\n"
    assert check(tmp_path, {"welcome.html": PAGE % ""}, {}, meta=meta) == ""
