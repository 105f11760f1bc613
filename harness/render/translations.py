"""Gettext catalogs per locale, for ``{% trans %}``, ``_()`` and ``ngettext`` in templates.

The project's ``translations`` folder uses Babel's layout: ``LOCALE/LC_MESSAGES/messages.po``
(or a compiled ``.mo``). ``.po`` files are compiled in memory, so a team need not commit ``.mo``
files; a ``.mo`` beside a ``.po`` is ignored, the ``.po`` being what translators edit.
"""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from ..errors import ConfigError

__all__ = ["TranslationSet"]


class TranslationSet:
    """One project's catalogs, loaded on first use per locale (``de_CH`` falls back to ``de``)."""

    def __init__(self, folder: Path | None, domain: str = "messages") -> None:
        self.folder = folder
        self.domain = domain
        self._loaded: dict[str, gettext.NullTranslations] = {}

    def for_locale(self, locale: str) -> gettext.NullTranslations:
        if locale not in self._loaded:
            self._loaded[locale] = self._load(locale)
        return self._loaded[locale]

    def _load(self, locale: str) -> gettext.NullTranslations:
        if self.folder is None:
            return gettext.NullTranslations()
        for candidate in dict.fromkeys((locale, locale.split("_")[0])):
            base = self.folder / candidate / "LC_MESSAGES" / self.domain
            po, mo = base.with_suffix(".po"), base.with_suffix(".mo")
            if po.is_file():
                return gettext.GNUTranslations(BytesIO(_compile(po)))
            if mo.is_file():
                try:
                    with mo.open("rb") as handle:
                        return gettext.GNUTranslations(handle)
                except (OSError, ValueError) as exc:
                    raise ConfigError(f"{mo}: not a gettext catalog: {exc}") from None
        return gettext.NullTranslations()


def _compile(po: Path) -> bytes:
    try:
        with po.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except (OSError, PoFileError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{po}: cannot read the gettext catalog: {exc}") from None
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()
