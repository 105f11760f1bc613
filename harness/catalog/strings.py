"""Translations complete in every locale a template declares, whatever the fixtures.

Checked statically when the catalog loads, so a hole ships neither the day an Italian customer
arrives nor the day nobody has an Italian fixture: every ``t.KEY`` a template uses (in its file,
its partials, its subject and its text part) exists in ``strings:`` of every declared locale, and
every gettext message it uses is translated, not fuzzy, in every declared locale but the
catalog's source locale.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import jinja2
from jinja2 import meta
from jinja2.ext import babel_extract

from ..errors import CatalogError, ConfigError
from .templates import Catalog, Template

__all__ = ["missing_translations"]

_KEY = re.compile(r"\bt\.([A-Za-z_]\w*)|\bt\[['\"]([^'\"]+)['\"]\]")
_KEYWORDS = ("_", "gettext", "ngettext", "pgettext", "npgettext")


def _sources(template: Template, env: jinja2.Environment) -> dict[str, str]:
    """Name -> text of the template's files and every partial they include or extend."""
    names = [template.source_path.name] + ([template.text_path.name] if template.text_path else [])
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


def _messages(sources: dict[str, str]) -> set[str]:
    messages: set[str] = set()
    options = {"extensions": "jinja2.ext.i18n", "trimmed": "false"}
    for source in sources.values():
        try:
            for _, _, message, _ in babel_extract(io.BytesIO(source.encode()), _KEYWORDS, [], options):
                # A plural message is catalogued under its singular msgid.
                singular = message if isinstance(message, str) else message[0]
                if singular:
                    messages.add(singular)
        except jinja2.TemplateSyntaxError:
            continue
    return messages


def _untranslated(folder: Path | None, locale: str, messages: set[str]) -> list[str]:
    from babel.messages.pofile import PoFileError, read_po

    po = folder / locale / "LC_MESSAGES" / "messages.po" if folder else None
    if po is None or not po.is_file():
        return sorted(messages)
    try:
        with po.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except (OSError, PoFileError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{po}: cannot read the gettext catalog: {exc}") from None
    missing = []
    for message in sorted(messages):
        entry = catalog.get(message)
        strings = entry.string if entry is not None else None
        translated = all(strings) if isinstance(strings, tuple) else bool(strings)
        if entry is None or not translated or entry.fuzzy:
            missing.append(message + (" (fuzzy)" if entry is not None and entry.fuzzy else ""))
    return missing


def missing_translations(catalog: Catalog, env: jinja2.Environment, translations: Path | None) -> dict[str, CatalogError]:
    """Template name -> the error listing what its declared locales lack."""
    errors: dict[str, CatalogError] = {}
    for name, template in catalog.templates.items():
        if template.language != "jinja" or template.renderer not in ("mjml", "html"):
            continue
        sources = _sources(template, env)
        problems = []
        keys = sorted({a or b for text in sources.values() for a, b in _KEY.findall(text)})
        if keys and template.meta.strings:
            for locale in template.meta.locales:
                lacking = [k for k in keys if k not in template.meta.strings.get(locale, {})]
                if lacking:
                    problems.append(f"locale {locale!r} lacks string(s) {', '.join(lacking)} under strings:")
        messages = _messages(sources)
        for locale in template.meta.locales:
            if messages and locale != catalog.settings.default_locale:
                lacking = _untranslated(translations, locale, messages)
                if lacking:
                    shown = ", ".join(repr(m) for m in lacking[:5]) + (" ..." if len(lacking) > 5 else "")
                    problems.append(f"locale {locale!r} has no translation for {shown} in {translations or 'the translations folder'}/{locale}/LC_MESSAGES/messages.po")
        if problems:
            errors[name] = CatalogError(f"{template.meta_path or template.source_path}: " + "; ".join(problems))
    return errors
