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
    image stands for its alt text; a link whose text is its address is written once. Inline
    ``dir`` becomes the matching Unicode isolate."""
    try:
        root = lxml_html.document_fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return html
    _isolate_directions(root)
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


#: Inline elements whose ``dir`` the text part keeps, as the isolate that does the same in plain
#: text: a phone number in ``<span dir="ltr">`` inside Arabic keeps its order in a right-to-left
#: text reader too. Not cells or blocks: invisible characters would shift aligned columns.
_INLINE = {"span", "strong", "b", "em", "i", "a", "bdi", "small", "code"}
_ISOLATE = {"ltr": "\u2066", "rtl": "\u2067", "auto": "\u2068"}
_PDI = "\u2069"


def _isolate_directions(root: lxml_html.HtmlElement) -> None:
    for element in root.iter(*_INLINE):
        opener = _ISOLATE.get((element.get("dir") or "").strip().lower())
        content = element.text_content().strip()
        if opener is None or not content or content.startswith(tuple(_ISOLATE.values())):
            continue  # no direction, nothing to isolate, or isolated already (the bdi filter's)
        element.text = opener + (element.text or "")
        if len(element):
            element[-1].tail = (element[-1].tail or "") + _PDI
        else:
            element.text += _PDI


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
