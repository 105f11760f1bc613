"""Built-in locale-aware filters (Babel), and a deterministic token helper.

The filters read the case's ``locale`` from the template context, so one Jinja environment serves
every locale: ``{{ invoice.issued_at | date }}``, ``{{ sign_in.at | datetime("short") }}``.
A project adds its own (a currency format, a masked code) with ``@filters.register``.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from functools import lru_cache
from typing import Literal

from babel import Locale, UnknownLocaleError

from babel.dates import format_date, format_datetime
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from .jinja import filters

__all__ = ["seeded_token", "text_direction"]


@lru_cache(maxsize=64)
def text_direction(locale: str) -> Literal["ltr", "rtl"]:
    """``rtl`` for a language written right to left (Arabic, Hebrew, Persian, Urdu, Yiddish,
    Pashto, Dhivehi, Sorani...), from the Unicode CLDR data Babel ships rather than a hand-kept
    list; ``ltr`` for any other or an unknown code (the pseudo-locale ``en_XA`` included)."""
    try:
        return "rtl" if Locale.parse(locale.replace("-", "_")).text_direction == "rtl" else "ltr"
    except (ValueError, TypeError, UnknownLocaleError):
        return "ltr"


def seeded_token(*parts: str, length: int = 24) -> str:
    """A token that looks random but is the same in every run for the same case and purpose."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:length]


@filters.register("date")
@pass_context
def date_(ctx: Context, value: date | datetime, fmt: str = "long") -> str:
    return format_date(value, format=fmt, locale=ctx["locale"])


@filters.register("datetime")
@pass_context
def datetime_(ctx: Context, value: datetime, fmt: str = "medium") -> str:
    return format_datetime(value, format=fmt, locale=ctx["locale"], tzinfo=value.tzinfo)


@filters.register("isolate")
def isolate(value: object) -> str:
    """``value`` between U+2068 and U+2069 (first-strong isolate): bidirectional text inside it,
    or a right-to-left override planted in a name, cannot reorder what is around it."""
    return f"\u2068{value}\u2069"


@filters.register("bdi")
def bdi(value: object) -> Markup:
    """The (escaped) value isolated in HTML and in the derived text part: a ``<span dir="auto">``
    (Gmail, Outlook and Yahoo drop ``<bdi>``, per caniemail) holding U+2068 ... U+2069."""
    return Markup('<span dir="auto">\u2068{}\u2069</span>').format(escape(str(value)))
