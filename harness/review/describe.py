"""A designer's words for a change of an email's HTML: which element a person recognises (button,
heading, footer link, logo...), which property (background, text colour, font size, padding...),
and the values before and after ("Button background #0b5cab → #047857").

The two documents are parsed (lxml), their elements paired in document order, and each pair's
attributes and inline style compared; ``<style>`` blocks are compared rule by rule (a dark-mode
rule says so). An element only one side has is named as added or removed. Text is not described
here: the copy edits of a change already name its words. What none of this explains (a change
inside Outlook's conditional comments, say) is named by where it is, never shown as raw HTML:
the page keeps the source diff, folded, for that.

The names follow what MJML emits (``mj-button`` is a ``td[bgcolor]`` around an ``a``, every
component sits in a ``td`` with ``word-break:break-word``, a section is a ``div`` with
``margin:0px auto``), and plain HTML's own elements otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain
from dataclasses import dataclass
from difflib import SequenceMatcher

from lxml import etree

__all__ = ["MAX_CHANGES", "StyleChange", "colour", "describe_html"]

#: A change names at most this many style edits (a restyled email names the first ones).
MAX_CHANGES = 20
#: Elements read from a document, and the most (changed ones, on either side) paired with difflib.
MAX_ELEMENTS = 50_000
MAX_PAIRED = 1_500
#: A bigger ``<style>`` block is compared as a whole ("markup changed"), not rule by rule.
MAX_STYLE = 200_000
#: A value or label shown longer than this is cut.
MAX_VALUE = 60

#: Attributes and CSS properties in a designer's words; ``None``: not worth naming (Outlook-only
#: or bookkeeping). Anything else is named by itself.
PROPERTIES: dict[str, str | None] = {
    "bgcolor": "background", "background": "background", "background-color": "background",
    "background-image": "background image", "color": "text colour", "font-size": "font size",
    "font-family": "font", "font-weight": "font weight", "font-style": "font style", "line-height": "line height",
    "letter-spacing": "letter spacing", "text-align": "alignment", "align": "alignment", "valign": "vertical alignment",
    "vertical-align": "vertical alignment", "text-decoration": "underline", "text-transform": "letter case",
    "padding": "padding", "mso-padding-alt": "padding", "padding-top": "top padding", "padding-bottom": "bottom padding",
    "padding-left": "left padding", "padding-right": "right padding", "margin": "margin", "margin-top": "top margin",
    "margin-bottom": "bottom margin", "border": "border", "border-top": "top border", "border-bottom": "bottom border",
    "border-radius": "corner radius", "width": "width", "height": "height", "max-width": "maximum width",
    "min-width": "minimum width", "href": "link target", "src": "image", "alt": "alt text", "title": "tooltip",
    "dir": "direction", "direction": "direction", "display": "display", "class": "style class",
    "aria-label": "accessible name", "lang": "language",
    "id": None, "role": None, "target": None, "cellpadding": None, "cellspacing": None, "border-collapse": None,
    "border-spacing": None, "word-break": None, "cursor": None, "outline": None, "mso-line-height-rule": None,
}
_HEX = re.compile(r"#[0-9a-fA-F]{3,8}\b")
#: A colour value safe to put in a ``style`` attribute of the review page (no ``url(``, no ``;``).
_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|rgba?\(\s*[\d.]+%?\s*,?\s*[\d.]+%?\s*,?\s*[\d.]+%?\s*(?:[,/]\s*[\d.]+%?\s*)?\)|[a-zA-Z]{3,20}")
_NAMED = frozenset("black white red green blue yellow orange purple pink gray grey silver maroon navy teal olive lime aqua "
                   "fuchsia transparent".split())
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_BRACES = re.compile(r"[{}]")


def colour(value: str) -> str | None:
    """``value`` when it is one colour the page may show as a swatch (``#0b5cab``, ``rgb(...)``,
    a common colour name), else ``None``."""
    value = value.strip().removesuffix("!important").strip()
    if not _COLOUR.fullmatch(value):
        return None
    return value if value[0] in "#r" or value.lower() in _NAMED else None


@dataclass(frozen=True)
class StyleChange:
    """One style edit: ``element`` ("Button", "Footer link"), ``what`` changed ("background",
    "added", "removed", "markup"), and the values before and after."""

    element: str
    what: str
    old: str = ""
    new: str = ""

    @property
    def label(self) -> str:
        return f"{self.element} {self.what}"

    @property
    def text(self) -> str:
        """"Button background #0b5cab → #047857", "Button added (“Track your parcel”)"."""
        if self.what in ("added", "removed"):
            words = self.new or self.old
            return self.label + (f" (“{words}”)" if words else "")
        if self.what == "markup":
            return f"{self.element} changed"
        return f"{self.label} {self.old or 'none'} → {self.new or 'none'}"


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _value(value: str) -> str:
    """A value as compared and shown: white space folded, hex colours in lower case."""
    value = value.strip().removesuffix("!important").strip()
    return _cut(_HEX.sub(lambda m: m.group(0).lower(), value))


def declarations(style: str) -> dict[str, str]:
    """``"color:#fff; padding: 0 4px"`` as ``{"color": "#fff", "padding": "0 4px"}``."""
    found = {}
    for item in _COMMENT.sub("", style).split(";"):
        name, colon, value = item.partition(":")
        if colon and name.strip():
            found[name.strip().lower()] = " ".join(value.split())
    return found


# -- naming the element a person recognises ---------------------------------------------------------


def _classes(el: etree._Element) -> list[str]:
    return (el.get("class") or "").split()


def _style(el: etree._Element) -> dict[str, str]:
    return declarations(el.get("style") or "")


def _in_footer(el: etree._Element) -> bool:
    return any(a.tag == "footer" or any("footer" in c.lower() for c in _classes(a)) for a in el.iterancestors()) or "footer" in " ".join(_classes(el)).lower()


def _is_button_cell(el: etree._Element) -> bool:
    """MJML's ``mj-button``: a ``td`` with ``bgcolor`` around one link (or paragraph)."""
    children = [c for c in el if isinstance(c.tag, str)]
    return el.tag == "td" and el.get("bgcolor") is not None and len(children) == 1 and children[0].tag in ("a", "p")


def _is_button(el: etree._Element) -> bool:
    if el.tag == "button" or _is_button_cell(el):
        return True
    parent = el.getparent()
    if parent is not None and _is_button_cell(parent):
        return True
    style = _style(el)
    if el.tag == "a" and style.get("display") == "inline-block" and ("background" in style or "background-color" in style):
        return True
    if el.tag == "table" and (cells := el.xpath(".//td[@bgcolor]")) and len(cells) == 1 and _is_button_cell(cells[0]):
        return len(el.xpath(".//td")) == 1
    return False


def _own_name(el: etree._Element) -> str | None:
    """The element's own name, when a person would recognise it."""
    tag, style = el.tag, _style(el)
    if _is_button(el):
        return "Button"
    if tag == "img":
        hint = f"{el.get('alt', '')} {el.get('src', '')} {' '.join(_classes(el))}".lower()
        return "Logo" if "logo" in hint else "Image"
    if tag == "h1":
        return "Heading"
    if tag in ("h2", "h3", "h4", "h5", "h6"):
        return "Subheading"
    if tag == "hr" or (tag == "p" and "border-top" in style and not (el.text or "").strip()):
        return "Divider"
    if tag == "a":
        inner = [c for c in el.iter() if isinstance(c.tag, str) and c.tag == "img"]
        return (_own_name(inner[0]) or "Image") + " link" if inner else "Link"
    if tag == "p":
        return "Paragraph"
    if tag in ("ul", "ol"):
        return "List"
    if tag == "li":
        return "List item"
    if tag in ("strong", "b"):
        return "Bold text"
    if tag in ("em", "i"):
        return "Italic text"
    if tag in ("span", "font"):
        return "Text"
    if tag == "th":
        return "Table header"
    if tag == "body":
        return "Email"
    if tag == "div" and el.get("role") == "article":
        return "Email"
    if tag == "div" and style.get("display") == "none":
        return "Preheader (hidden)"
    if tag == "div" and ("margin" in style and "auto" in style["margin"]) and "max-width" in style:
        return "Section"
    if tag == "div" and any(c.startswith("mj-column") for c in _classes(el)):
        return "Column"
    parent = el.getparent()
    if tag == "div" and parent is not None and parent.tag == "td" and "word-break" in _style(parent):
        return "Text"  # an mj-text's box
    return None


def _content_name(el: etree._Element) -> str | None:
    """A layout element named by the first thing in it a person would recognise."""
    for inner in el.iterdescendants():
        if isinstance(inner.tag, str) and (name := _own_name(inner)) and name not in ("Column", "Section"):
            return name
    return None


def _section_of(el: etree._Element) -> bool:
    """A table or cell that is part of a section's own box (its background, its padding)."""
    for depth, ancestor in enumerate(el.iterancestors()):
        if depth > 4 or _own_name(ancestor) in ("Column", "Text"):
            return False
        if _own_name(ancestor) == "Section":
            return True
    return False


def element_name(el: etree._Element) -> str:
    """"Button", "Heading", "Footer link", "Text block"...: what a designer calls ``el``."""
    name = _own_name(el)
    if name is None and el.tag == "td" and "word-break" in _style(el):
        name = f"{_content_name(el) or 'Content'} block"  # the cell around an MJML component: its padding
    if name is None and el.tag in ("table", "tbody", "tr", "td") and _section_of(el):
        name = "Section"
    if name is None and el.tag in ("td", "tr", "table", "tbody", "div"):
        inner = _content_name(el)
        name = f"{inner} block" if inner else {"td": "Table cell", "tr": "Table row"}.get(el.tag, "Layout box")
    if name is None:
        name = f"{el.tag} element"
    if _in_footer(el) and not name.startswith(("Footer", "Email")):
        name = "Footer " + (name if name in ("Section",) else name[0].lower() + name[1:])
    return name


def _label(el: etree._Element) -> str:
    """The words an added or removed element shows (a button's label), cut short."""
    words = " ".join("".join(el.itertext()).split()) if el.tag != "img" else el.get("alt", "")
    return _cut(words) if len(words) <= 200 else ""


_TEXTUAL = ("heading", "subheading", "link", "paragraph", "text", "bold text", "italic text", "list", "list item", "table header")


def _property(element: str, name: str) -> str:
    """``name`` in words for ``element``: a heading's ``color`` is its colour, a button's its
    text colour."""
    words = PROPERTIES.get(name) or name
    if words == "text colour" and element.lower().removeprefix("footer ") in _TEXTUAL:
        return "colour"
    return words


# -- comparing -------------------------------------------------------------------------------------


#: Plain lxml elements: lxml.html's element classes cost a class lookup per element touched.
_PARSER = etree.HTMLParser()


def _parse(text: str) -> etree._Element | None:
    try:
        return etree.fromstring(text, _PARSER) if text.strip() else None
    except (ValueError, etree.ParserError, etree.XMLSyntaxError):
        return None


def _elements(root: etree._Element) -> list[etree._Element]:
    return [el for el in root.iter() if isinstance(el.tag, str) and el.tag not in ("style", "head", "meta", "link")][:MAX_ELEMENTS]


def _attributes(el: etree._Element) -> dict[str, str]:
    """Attributes and inline style declarations, by their property (``style`` itself dropped)."""
    found = {name.lower(): value for name, value in el.attrib.items() if name != "style" and not name.startswith("data-")}
    found.update(_style(el))
    return found


def _pair_changes(old: etree._Element, new: etree._Element) -> Iterator[StyleChange]:
    if old.attrib == new.attrib:
        return
    before, after = _attributes(old), _attributes(new)
    element = ""
    for name in [*before, *(n for n in after if n not in before)]:
        if name.startswith("mso-") and name != "mso-padding-alt" or PROPERTIES.get(name, name) is None:
            continue
        a, b = _value(before.get(name, "")), _value(after.get(name, ""))
        if a != b:
            element = element or element_name(new)
            yield StyleChange(element, _property(element, name), a, b)


def _opcodes(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> list[tuple[str, int, int, int, int]]:
    """Elements paired in document order: the common start and end in linear time (a style edit
    keeps every element, so that is all of it), the rest by difflib only when it is small (its
    time grows with the product of the lengths); a bigger middle is removed and added whole."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    middle_a, middle_b = a[start : len(a) - end], b[start : len(b) - end]
    ops: list[tuple[str, int, int, int, int]] = [("equal", 0, start, 0, start)] if start else []
    if len(middle_a) * len(middle_b) <= MAX_PAIRED**2:
        ops += [(t, i1 + start, i2 + start, j1 + start, j2 + start)
                for t, i1, i2, j1, j2 in SequenceMatcher(None, middle_a, middle_b, autojunk=False).get_opcodes()]
    else:
        ops.append(("replace", start, len(a) - end, start, len(b) - end))
    if end:
        ops.append(("equal", len(a) - end, len(a), len(b) - end, len(b)))
    return ops


def _outermost(elements: list[etree._Element]) -> list[etree._Element]:
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def _element_changes(before: etree._Element, after: etree._Element) -> Iterator[StyleChange]:
    a, b = _elements(before), _elements(after)
    shape = lambda el: (el.tag, el.get("class") or "")  # noqa: E731
    for tag, i1, i2, j1, j2 in _opcodes([shape(e) for e in a], [shape(e) for e in b]):
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1 and all(x.tag == y.tag for x, y in zip(a[i1:i2], b[j1:j2]))):
            for old, new in zip(a[i1:i2], b[j1:j2]):
                yield from _pair_changes(old, new)
            continue
        for el in _outermost(a[i1:i2]):
            yield StyleChange(element_name(el).removesuffix(" block"), "removed", old=_label(el))
        for el in _outermost(b[j1:j2]):
            yield StyleChange(element_name(el).removesuffix(" block"), "added", new=_label(el))


def _title_changes(before: etree._Element, after: etree._Element) -> Iterator[StyleChange]:
    """The document's ``<title>`` (the browser tab of "view in browser"): words, but in no part a
    copy edit reads."""
    old, new = (" ".join((root.findtext(".//title") or "").split()) for root in (before, after))
    if old != new:
        yield StyleChange("Title in the browser tab", "words", _cut(old), _cut(new))


# -- style sheets -----------------------------------------------------------------------------------


def _rules(css: str, media: str = "") -> Iterator[tuple[str, str, dict[str, str]]]:
    """``(media, selector, declarations)`` of a style sheet, ``@media`` blocks opened (one level
    of nesting is all email CSS uses; deeper blocks are read the same way)."""
    css, i = _COMMENT.sub("", css), 0
    while (brace := css.find("{", i)) >= 0:
        head = " ".join(css[i:brace].split())
        depth, j = 1, brace + 1
        for match in _BRACES.finditer(css, j):
            depth += 1 if match.group(0) == "{" else -1
            j = match.end()
            if not depth:
                break
        else:
            j = len(css) + 1
        inner = css[brace + 1 : j - 1]
        if head.startswith("@media"):
            yield from _rules(inner, head.removeprefix("@media").strip())
        elif not head.startswith("@"):
            yield media, head, declarations(inner)
        i = j


def _media_words(media: str) -> str:
    if "prefers-color-scheme" in media and "dark" in media:
        return " in dark mode"
    if "max-width" in media:
        return " on small screens"
    if "min-width" in media:
        return " on wide screens"
    return f" ({_cut(media)})" if media else ""


_SELECTOR_TAGS = {"a": "link", "h1": "heading", "h2": "subheading", "h3": "subheading", "p": "paragraph", "img": "image",
                  "td": "table cell", "th": "table header", "body": "email", "ul": "list", "li": "list item", "span": "text",
                  "div": "text", "table": "table"}


def selector_name(selector: str) -> str:
    """A selector in words: ``.footer a`` -> "Footer link", ``h1`` -> "Heading", ``.amount`` ->
    "Elements styled “amount”"."""
    last = selector.split(",")[0].strip().split()[-1] if selector.strip() else ""
    tag = re.match(r"[a-zA-Z][\w-]*", last)
    if "td[bgcolor]" in selector.replace(" ", "") and (tag is None or tag.group(0) == "a"):
        name = "button"
    elif tag and tag.group(0).lower() in _SELECTOR_TAGS:
        name = _SELECTOR_TAGS[tag.group(0).lower()]
    else:
        classes = re.findall(r"\.([\w-]+)", last)
        name = f"elements styled “{classes[0]}”" if classes else f"elements matching “{_cut(selector)}”"
    if "footer" in selector.lower() and not name.startswith("elements"):
        name = "footer " + name
    return name[0].upper() + name[1:]


def _sheet(root: etree._Element) -> dict[tuple[str, str], dict[str, str]]:
    rules: dict[tuple[str, str], dict[str, str]] = {}
    for style in root.iter("style"):
        for media, selector, found in _rules(style.text or ""):
            rules.setdefault((media, selector), {}).update(found)
    return rules


def _sheet_changes(before: etree._Element, after: etree._Element) -> Iterator[StyleChange]:
    old_sheets, new_sheets = ([s.text or "" for s in root.iter("style")] for root in (before, after))
    if old_sheets == new_sheets:
        return
    if sum(map(len, old_sheets + new_sheets)) > MAX_STYLE:
        yield StyleChange("Style sheet", "markup")
        return
    a, b = _sheet(before), _sheet(after)
    for key in [*a, *(k for k in b if k not in a)]:
        media, selector = key
        element, where = selector_name(selector), _media_words(media)
        old, new = a.get(key), b.get(key)
        for name in [*(old or {}), *(n for n in (new or {}) if n not in (old or {}))]:
            x, y = _value((old or {}).get(name, "")), _value((new or {}).get(name, ""))
            if x != y and PROPERTIES.get(name, name) is not None:
                yield StyleChange(element, _property(element, name) + where, x, y)


def _comments(root: etree._Element) -> list[str]:
    return [" ".join((c.text or "").split()) for c in root.iter(etree.Comment)]


def describe_html(before: str, after: str) -> list[StyleChange]:
    """The style edits between two versions of an email's HTML, in document order, each named
    once (MJML writes a button's colour three times: one edit). Empty when they differ only in
    their words (the copy edits say those)."""
    old, new = _parse(before), _parse(after)
    if old is None or new is None:
        return [StyleChange("The email's markup", "markup")] if before != after else []
    found: list[StyleChange] = []
    for change in chain(_title_changes(old, new), _sheet_changes(old, new), _element_changes(old, new)):
        if change not in found:
            found.append(change)
            if len(found) == MAX_CHANGES:  # lazily: a page restyled throughout stops here
                break
    if not found and _comments(old) != _comments(new):
        found.append(StyleChange("Outlook-only markup", "markup"))
    return found
