"""Translations complete in every locale a template declares, whatever the fixtures.

Checked statically when the catalog loads, so a hole ships neither the day an Italian customer
arrives nor the day nobody has an Italian fixture: every ``t.KEY`` a template uses (in its file,
its partials, its subject and its text part) exists in ``strings:`` of every declared locale, and
every gettext message it uses is translated in every declared locale but the catalog's source
locale, in the catalog production would ship (see ``harness.render.translations``): a ``.mo``
alone is read as it is; a ``.po`` as ``pybabel compile`` compiles it, so a fuzzy message is a hole
(named with its file and line) and a fuzzy catalog, which ``pybabel compile`` skips, is reported
with the file and the fix, unless the project sets ``use_fuzzy = true``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from babel.messages.extract import extract
from jinja2 import meta, nodes
from jinja2.ext import babel_extract

from ..errors import CatalogError
from .templates import Catalog, Template

if TYPE_CHECKING:
    from ..render.translations import TranslationSet

__all__ = ["missing_translations"]

#: The functions Jinja's i18n extension installs, with Babel's argument specs (context, plural).
_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}
#: A header entry: an empty msgid directly followed by its msgstr (a long msgid also starts with
#: ``msgid ""``, followed by its continuation lines).
_HEADER = re.compile(rb'^msgid\s+""\s*\nmsgstr', re.MULTILINE)


def _sources(template: Template, env: jinja2.Environment) -> dict[str, str]:
    """Name -> text of the template's files and every partial they include or extend."""
    names = [template.catalog_path(p) for p in (template.source_path, template.text_path) if p is not None]
    found: dict[str, str] = {"subject": template.meta.subject}
    while names:
        name = names.pop()
        if name in found:
            continue
        try:
            source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
            referenced = meta.find_referenced_templates(env.parse(source))
        except (jinja2.TemplateError, OSError):
            continue  # reported when the case renders, with its line
        found[name] = source
        names += [r for r in referenced if r]
    return found


def _string_keys(source: str, env: jinja2.Environment) -> set[str]:
    """The ``strings:`` keys a template uses, ``t.KEY`` and ``t['KEY']``, read from its Jinja
    syntax tree: text that merely looks like one (``https://t.example.com/o.gif``) is not a use."""
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return set()  # reported when the case renders, with its line
    keys = {node.attr for node in tree.find_all(nodes.Getattr) if _is_t(node.node)}
    keys |= {node.arg.value for node in tree.find_all(nodes.Getitem)
             if _is_t(node.node) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str)}
    return keys


def _is_t(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Name) and node.name == "t" and node.ctx == "load"


def _messages(sources: dict[str, str]) -> set[tuple[str, str | None]]:
    """(msgid, context) of every gettext message the sources use, extracted as ``pybabel extract``
    does (a plural message is catalogued under its singular msgid)."""
    messages: set[tuple[str, str | None]] = set()
    options = {"extensions": "jinja2.ext.i18n", "trimmed": "false"}
    for source in sources.values():
        # babel_extract skips a template with a syntax error (its "silent" option, on by default).
        for _, message, _, context in extract(babel_extract, io.BytesIO(source.encode()), _KEYWORDS, options=options):
            singular = message if isinstance(message, str) else message[0]
            if singular:
                messages.add((singular, context))
    return messages


def _locale_problems(translations: TranslationSet, locale: str, messages: set[tuple[str, str | None]]) -> list[str]:
    """What this locale's emails would show untranslated in production, in words."""
    catalog = translations.catalog(locale)
    problems: list[str] = []
    for po in catalog.skipped:
        why, fix = _why_skipped(po)
        problems.append(
            f"locale {locale!r} is not translated: {po} {why}, so production's pybabel compile skips this catalog "
            f"and sends {locale!r} " + (f"with {catalog.path}" if catalog.path else "in the source text")
            + f"; {fix}, or set use_fuzzy = true under [tool.email-harness] if production runs pybabel compile --use-fuzzy"
        )
    if catalog.path is None:
        if not catalog.skipped:
            folder = translations.folder or "the translations folder"
            shown = _shown(sorted(m for m, _ in messages))
            problems.append(f"locale {locale!r} has no translation for {shown} in {folder}/{locale}/LC_MESSAGES/{translations.domain}.po (no catalog there)")
        return problems
    holes = sorted((msgid, why) for msgid, context in messages if (why := catalog.hole(msgid, context)))
    if holes:
        shown = ", ".join(repr(msgid) + (f" ({why})" if why != "missing" else "") for msgid, why in holes[:5])
        shown += " ..." if len(holes) > 5 else ""
        fuzzy = any(why.startswith("fuzzy") for _, why in holes)
        problems.append(
            f"locale {locale!r} has no translation for {shown} in {catalog.path}"
            + ("; pybabel compile leaves fuzzy messages out: review them and remove their fuzzy flag"
               " (or set use_fuzzy = true under [tool.email-harness] if production compiles with --use-fuzzy)" if fuzzy else "")
        )
    return problems


def _why_skipped(po: Path) -> tuple[str, str]:
    """Why Babel counts this catalog fuzzy, and the fix: its header entry is flagged, or there is
    no header entry at all. (Only the wording depends on this; whether it is skipped is Babel's
    own ``Catalog.fuzzy``.)"""
    if _HEADER.search(po.read_bytes()) is not None:
        return ("is marked fuzzy ('#, fuzzy' on its header entry, as pybabel init and update write it)",
                "remove the fuzzy flag from the header once the translation is reviewed")
    return ("has no header entry (msgid \"\" with the Content-Type), which Babel reads as a fuzzy catalog",
            "add one: msgid \"\" then msgstr \"Content-Type: text/plain; charset=UTF-8\\n\"")


def _shown(items: list[str]) -> str:
    return ", ".join(repr(m) for m in items[:5]) + (" ..." if len(items) > 5 else "")


def missing_translations(catalog: Catalog, env: jinja2.Environment, translations: TranslationSet) -> dict[str, CatalogError]:
    """Template name -> the error listing what its declared locales lack.

    Every declared locale's gettext catalog is loaded here, so one gettext cannot load is a
    configuration error before any case renders."""
    errors: dict[str, CatalogError] = {}
    for name, template in catalog.templates.items():
        if template.language != "jinja" or template.renderer not in ("mjml", "html"):
            continue
        sources = _sources(template, env)
        problems = []
        keys = sorted({key for text in sources.values() for key in _string_keys(text, env)})
        if keys and template.meta.strings:
            for locale in template.meta.locales:
                lacking = [k for k in keys if k not in template.meta.strings.get(locale, {})]
                if lacking:
                    problems.append(f"locale {locale!r} lacks string(s) {', '.join(lacking)} under strings:")
        messages = _messages(sources)
        for locale in template.meta.locales:
            translations.catalog(locale)
            if messages and locale != catalog.settings.default_locale:
                problems += _locale_problems(translations, locale, messages)
        if problems:
            errors[name] = CatalogError(f"{template.meta_path or template.source_path}: " + "; ".join(problems))
    return errors
