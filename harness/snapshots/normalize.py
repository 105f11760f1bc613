"""HTML as it is stored in a snapshot: parsed, attributes sorted, pretty-printed.

Two HTML documents that differ only in insignificant white space or attribute order normalize to
the same text, and a real change shows up as a readable line diff.
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from bs4.dammit import EntitySubstitution
from bs4.formatter import HTMLFormatter

__all__ = ["normalize_html"]

# Sort attributes so their order never shows up as a change. Escape only <, > and &: escaped
# markup from a fixture must stay visibly escaped in the snapshot.
_FORMATTER = HTMLFormatter(entity_substitution=EntitySubstitution.substitute_xml, indent=1)
_FORMATTER.attributes = lambda tag: sorted(tag.attrs.items())  # type: ignore[method-assign]


def normalize_html(html: str | BeautifulSoup) -> str:
    soup = html if isinstance(html, BeautifulSoup) else BeautifulSoup(html, "lxml")
    return soup.prettify(formatter=_FORMATTER)
