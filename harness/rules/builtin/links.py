"""``links`` and ``images``: where an email points and what it loads."""

from __future__ import annotations

import html
import ipaddress
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from pydantic import Field

from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ._text import describe, fold

#: The tags of an author's source that make an <img>: HTML's own, and MJML's image components
#: (``thumbnails-src`` is the carousel's thumbnail, ``src`` a social icon's own picture).
_SOURCE_TAG = re.compile(r"<(img|mj-image|mj-carousel-image|mj-social-element)\b((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>", re.I)  # '<' ends a try: linear
#: ``name="value"``, ``name='value'``, ``name=value`` or a bare ``name`` (``<img alt src=...>``,
#: which HTML reads as an empty value).
_ATTR = re.compile(r"""([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>=`]+)))?""")
_MJML = re.compile(r"<mjml[\s>]", re.I)


def _attributes(markup: str) -> dict[str, str]:
    return {m.group(1).lower(): next((g for g in m.group(2, 3, 4) if g is not None), "") for m in _ATTR.finditer(markup)}


def image_src(src: str) -> str:
    """An image address as written and as rendered compare equal: entities decoded (Jinja and
    MJML escape ``&``), surrounding white space dropped (a Jinja expression on its own line)."""
    return " ".join(html.unescape(src).split())


def _source_images(source: str) -> Iterator[tuple[str, str, str | None]]:
    """``(tag, src, alt or None)`` for every image the author wrote."""
    for tag in _SOURCE_TAG.finditer(source):
        attrs = _attributes(tag.group(2))
        for name in ("src", "thumbnails-src"):
            if attrs.get(name):
                yield tag.group(1).lower(), image_src(attrs[name]), attrs.get("alt")


def source_alts(source: str) -> dict[str, str]:
    """src -> alt as the author wrote them in the source, whatever the engine made of them (an
    MJML engine may drop ``alt=""``; the author's empty alt marks a decorative image)."""
    return {src: alt for _, src, alt in _source_images(source) if alt is not None}


def missing_alts(source: str, document: BeautifulSoup, images: list[Tag] | None = None) -> Iterator[Tag]:
    """The rendered <img> elements that go out with no alt. In an MJML email, an image an MJML
    component makes (``mj-image``, a social icon, a carousel's thumbnail) without an alt gets
    MJML's default ``alt=""`` from JavaScript mjml, the reference engine, even where MRML leaves
    the attribute out: only an ``<img>`` the author wrote by hand without alt goes out without
    one. In an HTML email the HTML is what the author wrote. ``images``: the document's <img>
    elements when already found (``ctx._facts.named("img")``)."""
    written = source_alts(source)
    mjml = bool(_MJML.search(source))
    bare = {src for tag, src, alt in _source_images(source) if tag == "img" and alt is None}  # read in MJML only
    for img in document.find_all("img") if images is None else images:
        src = image_src(str(img.get("src", "")))
        if img.get("alt") is None and src not in written and (not mjml or src in bare):
            yield img


_VAGUE_LINK_TEXT = {"click here", "here", "hier", "hier klicken", "qui", "clicca qui", "link", "more", "mehr"}
#: Host labels (or hyphenated parts of them) of environments no customer should be sent to:
#: whole words, so "backstage" or "latest" is fine.
_NON_PRODUCTION = frozenset({"localhost", "staging", "stage", "dev", "test", "internal"})


def _host_problem(host: str, allowed: list[str]) -> str | None:
    if not host:
        return "has no host"
    try:
        ipaddress.ip_address(host)  # urlsplit's hostname: an IPv6 address without its brackets
        return "points at an IP address"
    except ValueError:
        pass
    if _NON_PRODUCTION & set(re.split(r"[.-]", host.lower())) or host.lower().endswith(".local"):
        return "points at a non-production host"
    if allowed and not any(host == d or host.endswith("." + d) for d in allowed):
        return "points outside the allowed domains"
    return None


class LinksOptions(RuleOptions):
    allowed_domains: list[str] = Field(default_factory=list, examples=[["shop.example.com"]])
    """Domains https links may point at (subdomains included); empty allows any public host."""
    require_params: list[str] = Field(default_factory=list, examples=[["utm_source"]])
    """Query parameters every https link must carry."""


@rules.register("links", options=LinksOptions)
def links(ctx: RuleContext) -> Iterator[Finding]:
    """Where an email points: https, mailto or tel links only, no IP address, localhost or
    staging host, allowed domains, tracking parameters, link text that says where it goes."""
    allowed = list(ctx.options.get("allowed_domains", []))
    required = list(ctx.options.get("require_params", []))
    for a in ctx._facts.named("a"):
        href = str(a.get("href", "")).strip()
        where = describe(a)
        url = urlsplit(href)
        if href.startswith("#") and href not in ctx.email.source:
            continue  # an anchor the MJML engine made (the carousel's), not one the author wrote
        if not href:
            yield ctx.error("link has no href", element=where, node=a, expected="an https, mailto or tel link")
            continue
        if url.scheme not in ("https", "mailto", "tel"):
            yield ctx.error(f"link scheme {url.scheme or 'relative'!r} is not allowed", element=where, node=a, expected="https:, mailto: or tel:")
            continue
        if url.scheme == "https":
            problem = _host_problem(url.hostname or "", allowed)
            if problem:
                yield ctx.error(f"link {problem}: {url.hostname}", element=where, node=a, expected=f"a host in {allowed}" if allowed else "a public production host")
            missing = [p for p in required if p not in parse_qs(url.query)]
            if missing:
                yield ctx.error(f"link lacks tracking parameter(s) {missing}", element=where, node=a, expected=f"?{'&'.join(p + '=...' for p in required)}")
        if fold(a.get_text()).lower() in _VAGUE_LINK_TEXT:
            yield ctx.warning(f"link text {fold(a.get_text())!r} says nothing out of context", element=where, node=a, expected="text that says where the link goes")


class ImagesOptions(RuleOptions):
    allowed_hosts: list[str] = Field(default_factory=list, examples=[["cdn.shop.example.com"]])
    """Hosts images may load from; empty allows any."""


@rules.register("images", options=ImagesOptions)
def images(ctx: RuleContext) -> Iterator[Finding]:
    """Every image has alt text (``alt=""`` for decoration; see :func:`missing_alts`), and real
    alt text where it is all its link holds; a width or a height that holds its place (a fluid
    image's ``height="auto"`` is fine); an https source on an allowed host (option
    ``allowed_hosts``; empty allows any)."""
    allowed = list(ctx.options.get("allowed_hosts", []))
    found = ctx._facts.named("img")
    without_alt = set(map(id, missing_alts(ctx.email.source, ctx.document, found)))
    for img in found:
        where = describe(img)
        if id(img) in without_alt:
            yield ctx.error("image has no alt attribute", element=where, node=img, expected='alt text, or alt="" for decoration')
        elif _alone_in_link(img):
            # Decorative by default is wrong for the only content of a link: a screen reader then
            # reads the link's address, or nothing. (Alone in its link, its alt is empty: the
            # link's name would hold it.)
            said = 'no alt attribute (MJML sends alt="")' if img.get("alt") is None else 'alt=""'
            yield ctx.error(f"image has {said} and is all there is in its link: the link has no name", element=where, node=img,
                            expected="alt text that says where the link goes")
        # A fluid image (MJML's: width="550" height="auto") has its width and scales its height
        # by design; only an image with neither leaves the layout nothing to hold its place.
        if not (_sized(img, "width") or _sized(img, "height")):
            yield ctx.warning("image has no width or height", element=where, node=img,
                              expected="a width in pixels (height may stay auto), so the layout holds while images load")
        url = urlsplit(str(img.get("src", "")))
        if url.scheme != "https":
            yield ctx.error(f"image source is not https: {img.get('src')!r}", element=where, node=img, expected="https://...")
        elif allowed and url.hostname not in allowed:
            yield ctx.error(f"image host {url.hostname} is not allowed", element=where, node=img, expected=f"one of {allowed}")


def _link_name(link: Tag) -> str:
    """What a screen reader says for a link: ``aria-label``, its text, its images' alt, ``title``."""
    alts = " ".join(str(img.get("alt") or "") for img in link.find_all("img"))
    return fold(" ".join(str(part or "") for part in (link.get("aria-label"), link.get_text(" "), alts, link.get("title"))))


def _alone_in_link(img: Tag) -> bool:
    """Whether ``img`` is all a link holds, so that only its alt text could name the link. Not
    a link beside a named link to the same address with no text between (MJML's social icon and
    its label), nor an in-page control (``#...``: a carousel's thumbnails)."""
    link = img.find_parent("a")
    if link is None or _link_name(link) or str(link.get("href", "")).startswith("#"):
        return False
    return not any(_twin(link, step) for step in ("next_elements", "previous_elements"))


def _twin(link: Tag, step: str) -> bool:
    """Whether the nearest link in direction ``step`` goes to the same address, has a name, and
    no text stands between the two. The link's own content (in ``next_elements``) is neither: a
    link without a name holds no text and, in valid HTML, no other link."""
    for element in getattr(link, step):
        if isinstance(element, Tag) and element.name == "a":
            return element.get("href") == link.get("href") and bool(_link_name(element))
        if type(element) is NavigableString and element.strip():
            return False
    return False


#: A size a mail client honours: an attribute in pixels (a bare number; Outlook ignores "140px")
#: or percent, an inline style in px or percent.
_ATTRIBUTE_SIZE = re.compile(r"\d+%?")
_STYLE_SIZE = re.compile(r"\d+(?:\.\d+)?(?:px|%)")


def _sized(img: Tag, dimension: str) -> bool:
    """Whether ``width``/``height`` holds the image's place, by attribute or inline style."""
    if _ATTRIBUTE_SIZE.fullmatch(str(img.get(dimension, "")).strip()):
        return True
    style = re.search(rf"(?<![\w-]){dimension}\s*:\s*([^;]+)", str(img.get("style", "")), re.I)
    return bool(style and _STYLE_SIZE.fullmatch(style.group(1).strip().removesuffix("!important").strip()))
