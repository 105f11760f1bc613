"""Gettext catalogs per locale, for ``{% trans %}``, ``_()`` and ``ngettext`` in templates, loaded
as production builds them.

The project's ``translations`` folder uses Babel's layout: ``LOCALE/LC_MESSAGES/messages.po``
and/or a compiled ``messages.mo``. A template renders with what ``pybabel compile`` would ship:

- A ``.po`` is compiled in memory the way ``pybabel compile`` compiles it, so a team need not
  commit ``.mo`` files. A ``.mo`` beside a ``.po`` is ignored: production's build writes it from
  the ``.po``, and a committed one may be stale.
- A ``.po`` whose header entry is fuzzy (``#, fuzzy``, what ``pybabel init`` writes), or that
  has no header entry at all (Babel reads that as fuzzy), is skipped by ``pybabel compile``: the
  locale gets no catalog here either (``de_CH`` then falls back to ``de``, else the source text),
  and the translation check (``harness.catalog.strings``) reports the skipped file.
- Fuzzy messages are left out, as ``pybabel compile`` leaves them out: they render in the source
  text and the translation check reports each with its file and line.
- ``use_fuzzy = true`` under ``[tool.email-harness]`` does what ``pybabel compile --use-fuzzy``
  does: fuzzy catalogs and fuzzy messages are used.
- A ``.mo`` without a ``.po`` is used as it is; the translation check reads its messages.

A catalog gettext cannot load (a ``Plural-Forms`` expression outside gettext's C-like grammar,
an unknown charset, a broken file) is a ``ConfigError`` naming the file: production would fail
on it when it loads the catalog. So is a catalog that is a symbolic link (or in a folder that
leads out of the translations folder), like templates, and a ``nplurals`` no language needs
(Babel would allocate that many strings for each plural message).
"""

from __future__ import annotations

import gettext
import os
import re
import struct
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import PoFileError, read_po

from ..errors import ConfigError
from ..safepaths import read_regular

__all__ = ["LocaleCatalog", "TranslationSet"]

_FIX_PLURAL = "write it in gettext's C syntax, e.g. \"Plural-Forms: nplurals=2; plural=(n != 1);\\n\""

#: Plural forms a catalog may declare. CLDR's languages need at most 6 (Arabic); Babel pads every
#: plural message to ``nplurals`` strings, so ``nplurals=200000000`` would exhaust memory.
MAX_PLURAL_FORMS = 20
_NPLURALS = re.compile(rb"nplurals\s*=\s*(\d+)")


@dataclass(frozen=True)
class LocaleCatalog:
    """The catalog one locale renders with, and what the translation check needs to know."""

    #: The ``.po`` or ``.mo`` read; None: the locale has no catalog and renders the source text.
    path: Path | None = None
    #: Its messages as read: a ``.po``'s with their flags and line numbers, a ``.mo``'s as compiled.
    messages: Catalog | None = None
    translations: gettext.NullTranslations = field(default_factory=gettext.NullTranslations)
    #: ``.po`` files ``pybabel compile`` would skip on the way here (fuzzy header), most specific first.
    skipped: tuple[Path, ...] = ()
    use_fuzzy: bool = False

    def hole(self, msgid: str, context: str | None = None) -> str | None:
        """Why ``msgid`` renders untranslated with this catalog (for the error), or None."""
        if self.messages is None:
            return "no catalog"
        entry: Message | None = self.messages.get(msgid, context=context)
        where = f"{self.path}:{entry.lineno}" if entry is not None and entry.lineno else str(self.path)
        if entry is None:
            return "missing"
        if entry.fuzzy and not self.use_fuzzy and self.path is not None and self.path.suffix == ".po":
            return f"fuzzy, {where}"
        strings = entry.string
        # Plural forms: a tuple read from a .po, a list from a .mo (babel's read_mo); any empty
        # form is a hole (gettext would print an empty string for that count).
        translated = all(strings) if isinstance(strings, (tuple, list)) else bool(strings)
        return None if translated else f"empty, {where}"


class TranslationSet:
    """One project's catalogs, loaded on first use per locale (``de_CH`` falls back to ``de``)."""

    def __init__(self, folder: Path | None, domain: str = "messages", *, use_fuzzy: bool = False) -> None:
        self.folder = folder
        self.domain = domain
        #: ``pybabel compile --use-fuzzy``: fuzzy catalogs and fuzzy messages are compiled too.
        self.use_fuzzy = use_fuzzy
        self._loaded: dict[str, LocaleCatalog] = {}

    def for_locale(self, locale: str) -> gettext.NullTranslations:
        """What ``gettext`` returns in production for this locale."""
        return self.catalog(locale).translations

    def catalog(self, locale: str) -> LocaleCatalog:
        """The locale's catalog with where it came from (see the module's docstring)."""
        if locale not in self._loaded:
            self._loaded[locale] = self._load(locale)
        return self._loaded[locale]

    def _load(self, locale: str) -> LocaleCatalog:
        skipped: list[Path] = []
        if self.folder is None:
            return LocaleCatalog(use_fuzzy=self.use_fuzzy)
        for candidate in dict.fromkeys((locale, locale.split("_")[0])):
            base = self.folder / candidate / "LC_MESSAGES" / self.domain
            po, mo = base.with_suffix(".po"), base.with_suffix(".mo")
            if os.path.lexists(po):  # a folder or a link named messages.po is an error, not "no catalog"
                messages = _read_po(po, self._read(po))
                if messages.fuzzy and not self.use_fuzzy:
                    skipped.append(po)  # pybabel compile writes no .mo: as if there were no catalog
                    continue
                buffer = BytesIO()
                write_mo(buffer, messages, use_fuzzy=self.use_fuzzy)
                translations = _gnu(po, buffer.getvalue())
                return LocaleCatalog(po, messages, translations, tuple(skipped), self.use_fuzzy)
            if os.path.lexists(mo):
                data = self._read(mo)
                translations = _gnu(mo, data)
                try:
                    messages = read_mo(BytesIO(data))
                except (LookupError, ValueError, struct.error) as exc:
                    raise ConfigError(f"{mo}: not a gettext catalog: {exc}") from None
                return LocaleCatalog(mo, messages, translations, tuple(skipped), self.use_fuzzy)
        return LocaleCatalog(skipped=tuple(skipped), use_fuzzy=self.use_fuzzy)

    def _read(self, path: Path) -> bytes:
        """A catalog's bytes: a regular file inside the translations folder, its ``nplurals``
        sane. A link is refused as templates refuse one: its text would go into snapshots."""
        assert self.folder is not None
        if not path.resolve().is_relative_to(self.folder.resolve()):
            raise ConfigError(f"{path}: resolves outside the translations folder {self.folder} (a symlink?); copy the catalog in instead")
        data = read_regular(path, ConfigError, follow=False)
        for match in _NPLURALS.finditer(data):
            digits = match.group(1)
            if len(digits) > 6 or int(digits) > MAX_PLURAL_FORMS:
                raise ConfigError(f"{path}: Plural-Forms declares nplurals={digits[:20].decode()}{'...' if len(digits) > 20 else ''}; "
                                  f"no language needs more than 6 (at most {MAX_PLURAL_FORMS} are read); {_FIX_PLURAL}")
        return data


def _read_po(po: Path, data: bytes) -> Catalog:
    try:
        return read_po(BytesIO(data), abort_invalid=True)
    except LookupError as exc:  # an unknown charset in Content-Type
        raise ConfigError(f"{po}: cannot read the gettext catalog: {exc} (the Content-Type header's charset); use charset=UTF-8") from None
    except (OSError, PoFileError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{po}: cannot read the gettext catalog: {exc}") from None


def _gnu(path: Path, data: bytes) -> gettext.GNUTranslations:
    """Python's gettext over compiled bytes, as production loads them; its errors name the file."""
    try:
        return gettext.GNUTranslations(BytesIO(data))
    except LookupError as exc:
        raise ConfigError(f"{path}: gettext cannot load the catalog: {exc} (the Content-Type header's charset); use charset=UTF-8") from None
    except ValueError as exc:
        # gettext compiles Plural-Forms into Python (gettext.c2py) and refuses what is outside its
        # grammar; "bad magic number" and truncated files also land here.
        reason = f"its Plural-Forms header: {exc}; {_FIX_PLURAL}" if "plural" in str(exc).lower() else str(exc)
        raise ConfigError(f"{path}: gettext cannot load the catalog: {reason}") from None
    except (OSError, struct.error) as exc:  # bad magic number, a truncated file
        raise ConfigError(f"{path}: not a gettext catalog: {exc}") from None
