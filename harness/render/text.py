"""The plain-text part, derived from the HTML where a template has no ``NAME.txt``."""

from __future__ import annotations

import re

from inscriptis import get_text
from inscriptis.model.config import ParserConfig
from lxml import html as lxml_html

__all__ = ["html_to_text"]

# inscriptis keeps table columns aligned and skips the hidden preheader (shared notes: 3 ms for an
# order confirmation; html2text adds markdown table noise around MJML's layout tables). Links are
# written out by ``_readable_links`` instead of inscriptis's markdown, which broke across lines
# around linked images ("[[Shop]" / "](https://...)").
_CONFIG = ParserConfig(display_links=False, display_images=True)
_BLANK_RUNS = re.compile(r"\n{3,}")


def _readable_links(html: str) -> str:
    """Every link as ``its text <its address>``, the way plain-text emails write them; a linked
    image stands for its alt text; a link whose text is its address is written once."""
    try:
        root = lxml_html.document_fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return html
    for link in root.iter("a"):
        for image in list(link.iter("img")):
            alt = (image.get("alt") or "").strip()
            image.drop_tree() if not alt else image.getparent().replace(image, _text_element(alt, image.tail))
        href = (link.get("href") or "").strip()
        address = href.removeprefix("mailto:").removeprefix("tel:")
        if not href or href.startswith("#") or address == " ".join(link.text_content().split()):
            continue
        suffix = f" <{address}>"
        if len(link):
            link[-1].tail = (link[-1].tail or "") + suffix
        else:
            link.text = (link.text or "") + suffix
    return lxml_html.tostring(root, encoding="unicode")


def _text_element(text: str, tail: str | None) -> lxml_html.HtmlElement:
    span = lxml_html.Element("span")
    span.text, span.tail = text, tail
    return span


def html_to_text(html: str) -> str:
    text = get_text(_readable_links(html), _CONFIG)
    # MJML nests layout tables, which inscriptis indents; the indent carries no meaning in a text
    # part. Rows of one data table share their indent, so their columns stay aligned.
    lines = [line.strip() for line in text.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip() + "\n"
