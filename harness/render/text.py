"""The plain-text part, derived from the HTML where a template has no ``NAME.txt``."""

from __future__ import annotations

import re

from inscriptis import get_text
from inscriptis.model.config import ParserConfig

__all__ = ["html_to_text"]

# inscriptis keeps table columns aligned and skips the hidden preheader (shared notes: 3 ms for an
# order confirmation; html2text adds markdown table noise around MJML's layout tables).
_CONFIG = ParserConfig(display_links=True, display_images=True)
_BLANK_RUNS = re.compile(r"\n{3,}")


def html_to_text(html: str) -> str:
    text = get_text(html, _CONFIG)
    # MJML nests layout tables, which inscriptis indents; the indent carries no meaning in a text
    # part. Rows of one data table share their indent, so their columns stay aligned.
    lines = [line.strip() for line in text.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip() + "\n"
