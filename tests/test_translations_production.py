"""Translations as production builds them: what ``pybabel compile`` ships is what renders.

A project with only compiled ``.mo`` catalogs works and is checked for holes from the ``.mo``; a
``.po`` that ``pybabel compile`` skips (fuzzy header, or no header at all) renders untranslated and
fails its templates with the file and the fix; fuzzy messages are holes named with file and line;
``use_fuzzy = true`` mirrors ``pybabel compile --use-fuzzy``. The agreement with the real
``pybabel compile`` is tested, not assumed.
"""

from __future__ import annotations

import gettext
import subprocess
import sysconfig
from pathlib import Path

import pytest

from harness.cases import Case
from harness.engine import Engine
from harness.errors import CatalogError, ConfigError
from harness.project import Project
from harness.render.translations import TranslationSet

PYBABEL = Path(sysconfig.get_path("scripts")) / "pybabel"

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
#: What ``pybabel init`` writes: the header entry flagged fuzzy until a translator reviews it.
FUZZY_HEADER = "# German translations.\n#, fuzzy\n" + HEADER
MESSAGES = """
msgid "Hello %(name)s"
msgstr "Hallo %(name)s"

msgid "Your order"
msgstr "Ihre Bestellung"
"""
#: ``Your order`` is fuzzy: ``pybabel update`` guessed it from a similar msgid.
FUZZY_MESSAGE = HEADER + """
msgid "Hello %(name)s"
msgstr "Hallo %(name)s"

#, fuzzy
msgid "Your order"
msgstr "Ihre Bestellungen"
"""
EMAIL = """<mjml lang="{{ locale }}" dir="{{ dir }}"><mj-head><mj-title>Hi</mj-title><mj-preview>Hi</mj-preview></mj-head>
<mj-body><mj-section><mj-column><mj-text>{% trans name=account.name %}Hello {{ name }}{% endtrans %}. {{ _('Your order') }}.</mj-text></mj-column></mj-section></mj-body></mjml>
"""


class Project_:
    """A throwaway project: one gettext template in English and German, one German fixture, and
    ``locale/de/LC_MESSAGES/`` to fill."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.messages = root / "locale/de/LC_MESSAGES"
        self.messages.mkdir(parents=True)
        (root / "templates").mkdir()
        (root / "fixtures").mkdir()
        (root / "templates/order.mjml").write_text(EMAIL)
        (root / "templates/order.yaml").write_text("subject: S\nlocales: [en, de]\n")
        (root / "fixtures/de-max.yaml").write_text("locale: de\nname: Max\n")
        self.settings = {"screenshots": "false", "translations": '"locale"'}

    def po(self, text: str) -> Path:
        path = self.messages / "messages.po"
        path.write_text(text, encoding="utf-8")
        return path

    def engine(self) -> Engine:
        body = "".join(f"{key} = {value}\n" for key, value in self.settings.items())
        (self.root / "pyproject.toml").write_text("[tool.email-harness]\n" + body)
        return Engine(Project.load(self.root), screenshots=False)

    def text(self, engine: Engine) -> str:
        return engine.render(Case.parse("order[de-max]")).text

    def error(self, engine: Engine) -> str:
        return str(engine.catalog.errors.get("order", ""))


def pybabel_compile(folder: Path, *flags: str) -> str:
    """Run the real ``pybabel compile`` over a translations folder; its log (stderr)."""
    done = subprocess.run([str(PYBABEL), "compile", "-d", str(folder), *flags], capture_output=True, text=True, check=True)
    return done.stderr


@pytest.fixture
def project(tmp_path: Path) -> Project_:
    return Project_(tmp_path)


# -- what renders --------------------------------------------------------------------------------


def test_a_reviewed_po_renders_translated_and_reports_nothing(project):
    project.po(HEADER + MESSAGES)
    engine = project.engine()
    assert project.error(engine) == ""
    assert "Hallo Max. Ihre Bestellung." in project.text(engine)


def test_a_project_with_only_compiled_mo_catalogs_renders_translated(project):
    project.po(HEADER + MESSAGES)
    pybabel_compile(project.root / "locale")
    (project.messages / "messages.po").unlink()  # production ships only the .mo
    engine = project.engine()
    assert project.error(engine) == ""
    assert "Hallo Max. Ihre Bestellung." in project.text(engine)


def test_a_hole_in_a_mo_only_catalog_is_reported_from_the_mo(project):
    project.po(HEADER + MESSAGES.replace('msgid "Your order"\nmsgstr "Ihre Bestellung"\n', ""))
    pybabel_compile(project.root / "locale")
    (project.messages / "messages.po").unlink()
    error = project.error(project.engine())
    assert f"order.yaml: locale 'de' has no translation for 'Your order' in {project.messages / 'messages.mo'}" in error


def test_the_po_wins_over_a_mo_beside_it_as_the_build_rewrites_the_mo_from_it(project):
    project.po(HEADER + MESSAGES.replace("Ihre Bestellung", "Ihre alte Bestellung"))
    pybabel_compile(project.root / "locale")  # a stale .mo left in the folder
    project.po(HEADER + MESSAGES)
    assert "Hallo Max. Ihre Bestellung." in project.text(project.engine())


def test_a_fuzzy_header_renders_untranslated_and_names_the_file_and_the_fix(project):
    po = project.po(FUZZY_HEADER + MESSAGES)
    engine = project.engine()
    # What production sends: pybabel compile wrote no .mo, gettext falls back to the msgids.
    assert engine.renderer.translations.for_locale("de").gettext("Your order") == "Your order"
    error = project.error(engine)
    assert f"locale 'de' is not translated: {po} is marked fuzzy ('#, fuzzy' on its header entry" in error
    assert "production's pybabel compile skips this catalog and sends 'de' in the source text" in error
    assert "remove the fuzzy flag from the header" in error and "use_fuzzy = true under [tool.email-harness]" in error
    with pytest.raises(CatalogError, match="is marked fuzzy"):
        project.text(engine)


def test_use_fuzzy_compiles_a_fuzzy_catalog_as_pybabel_compile_use_fuzzy_does(project):
    project.po(FUZZY_HEADER + MESSAGES)
    project.settings["use_fuzzy"] = "true"
    engine = project.engine()
    assert project.error(engine) == ""
    assert "Hallo Max. Ihre Bestellung." in project.text(engine)


def test_a_po_without_a_header_entry_is_skipped_like_a_fuzzy_one(project):
    po = project.po(MESSAGES)
    error = project.error(project.engine())
    assert f"{po} has no header entry" in error and "which Babel reads as a fuzzy catalog" in error
    assert 'add one: msgid "" then msgstr "Content-Type: text/plain; charset=UTF-8\\n"' in error


def test_a_fuzzy_message_is_a_hole_named_with_its_file_and_line(project):
    po = project.po(FUZZY_MESSAGE)
    engine = project.engine()
    assert engine.renderer.translations.for_locale("de").gettext("Your order") == "Your order"
    error = project.error(engine)
    assert f"locale 'de' has no translation for 'Your order' (fuzzy, {po}:9) in {po}" in error
    assert "pybabel compile leaves fuzzy messages out" in error


def test_use_fuzzy_uses_fuzzy_messages_too(project):
    project.po(FUZZY_MESSAGE)
    project.settings["use_fuzzy"] = "true"
    engine = project.engine()
    assert project.error(engine) == ""
    assert "Ihre Bestellungen." in project.text(engine)


def test_a_message_with_a_context_is_looked_up_in_its_context(project):
    (project.root / "templates/order.mjml").write_text(EMAIL.replace("_('Your order')", "pgettext('menu', 'Open')"))
    po = project.po(HEADER + MESSAGES + '\nmsgctxt "button"\nmsgid "Open"\nmsgstr "Öffnen"\n')
    assert f"no translation for 'Open' in {po}" in project.error(project.engine())
    project.po(HEADER + MESSAGES + '\nmsgctxt "menu"\nmsgid "Open"\nmsgstr "Öffnen"\n')
    engine = project.engine()
    assert project.error(engine) == "" and "Hallo Max. Öffnen." in project.text(engine)


def test_use_fuzzy_must_be_true_or_false(project):
    project.settings["use_fuzzy"] = '"yes"'
    with pytest.raises(ConfigError, match=r"\[tool.email-harness\] use_fuzzy = 'yes': expected true or false"):
        project.engine()


# -- the harness agrees with the real pybabel compile ----------------------------------------------


@pytest.mark.parametrize("use_fuzzy", [False, True], ids=["pybabel compile", "pybabel compile --use-fuzzy"])
@pytest.mark.parametrize(
    "po", [HEADER + MESSAGES, FUZZY_HEADER + MESSAGES, MESSAGES, FUZZY_MESSAGE],
    ids=["reviewed", "fuzzy header", "no header", "fuzzy message"],
)
def test_the_harness_renders_what_pybabel_compile_ships(tmp_path, po, use_fuzzy):
    folder = tmp_path / "locale"
    (folder / "de/LC_MESSAGES").mkdir(parents=True)
    (folder / "de/LC_MESSAGES/messages.po").write_text(po, encoding="utf-8")
    log = pybabel_compile(folder, *(["--use-fuzzy"] if use_fuzzy else []))
    mo = folder / "de/LC_MESSAGES/messages.mo"
    skipped = not mo.exists()
    assert skipped == ("is marked as fuzzy, skipping" in log)
    shipped = gettext.GNUTranslations(mo.open("rb")) if mo.exists() else gettext.NullTranslations()
    mo.unlink(missing_ok=True)  # the harness reads the .po, as the build does
    harness = TranslationSet(folder, use_fuzzy=use_fuzzy)
    for msgid in ("Hello %(name)s", "Your order"):
        assert harness.for_locale("de").gettext(msgid) == shipped.gettext(msgid)
    assert bool(harness.catalog("de").skipped) == skipped


def test_pybabel_compile_skips_a_fuzzy_header_and_the_harness_reports_it(project):
    """The issue's case end to end: what `pybabel init` writes, compiled for production."""
    project.po(FUZZY_HEADER + MESSAGES)
    log = pybabel_compile(project.root / "locale")
    assert "is marked as fuzzy, skipping" in log and not (project.messages / "messages.mo").exists()
    assert "production's pybabel compile skips this catalog" in project.error(project.engine())


# -- catalogs gettext cannot load --------------------------------------------------------------


@pytest.mark.parametrize("compiled", [False, True], ids=[".po", ".mo"])
def test_a_plural_forms_outside_gettexts_grammar_is_a_configuration_error_naming_the_file(project, compiled):
    po = project.po(HEADER + '"Plural-Forms: nplurals=2; plural=n ?? 1;\\n"\n' + MESSAGES)
    catalog = po
    if compiled:
        pybabel_compile(project.root / "locale")  # pybabel compiles it; gettext refuses it on load
        po.unlink()
        catalog = po.with_suffix(".mo")
    with pytest.raises(ConfigError) as raised:
        project.engine()
    assert f"{catalog}: gettext cannot load the catalog: its Plural-Forms header: unexpected token in plural form" in str(raised.value)
    assert "nplurals=2; plural=(n != 1);" in str(raised.value)


def test_an_unknown_charset_is_a_configuration_error_naming_the_file(project):
    po = project.po(HEADER.replace("UTF-8", "klingon") + MESSAGES)
    with pytest.raises(ConfigError, match=rf"{po}: cannot read the gettext catalog: unknown encoding: klingon .*use charset=UTF-8"):
        project.engine()


def test_a_file_that_is_not_a_mo_is_a_configuration_error_naming_it(project):
    mo = project.messages / "messages.mo"
    mo.write_bytes(b"\xde\x12\x04\x95")  # the magic number, then nothing
    with pytest.raises(ConfigError, match=rf"{mo}: not a gettext catalog"):
        project.engine()


def test_a_skipped_regional_catalog_falls_back_to_its_language_as_gettext_does(tmp_path):
    """pybabel compile writes no de_CH .mo; gettext then finds de's, and so does the harness."""
    for locale, po in (("de_CH", FUZZY_HEADER + MESSAGES.replace("Bestellung", "Bestellig")), ("de", HEADER + MESSAGES)):
        (tmp_path / locale / "LC_MESSAGES").mkdir(parents=True)
        (tmp_path / locale / "LC_MESSAGES/messages.po").write_text(po, encoding="utf-8")
    catalog = TranslationSet(tmp_path).catalog("de_CH")
    assert catalog.translations.gettext("Your order") == "Ihre Bestellung"
    assert catalog.path == tmp_path / "de/LC_MESSAGES/messages.po"
    assert catalog.skipped == (tmp_path / "de_CH/LC_MESSAGES/messages.po",)
