"""``links`` and ``images``: where an email points and what it loads."""

from __future__ import annotations

import html
import ipaddress
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

from pydantic import Field

from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ._text import describe, fold

_SOURCE_TAG = re.compile(r"<(?:mj-image|img|mj-carousel-image)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.I)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def source_alts(source: str) -> dict[str, str]:
    """src -> alt as the author wrote them in the source (MRML drops ``alt=""``; the author's
    empty alt marks a decorative image and is not a missing one)."""
    alts: dict[str, str] = {}
    for tag in _SOURCE_TAG.finditer(source):
        attrs = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(tag.group(1))}
        if "src" in attrs and "alt" in attrs:
            alts[html.unescape(attrs["src"])] = attrs["alt"]
    return alts


_VAGUE_LINK_TEXT = {"click here", "here", "hier", "hier klicken", "qui", "clicca qui", "link", "more", "mehr"}
#: Host labels (or hyphenated parts of them) of environments no customer should be sent to:
#: whole words, so "backstage" or "latest" is fine.
_NON_PRODUCTION = frozenset({"localhost", "staging", "stage", "dev", "test", "internal"})


def _host_problem(host: str, allowed: list[str]) -> str | None:
    if not host:
        return "has no host"
    try:
        ipaddress.ip_address(host.strip("[]"))
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
    for a in ctx.document.find_all("a"):
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
    """Every image has alt text, width and height, an https source on an allowed host
    (option ``allowed_hosts``; empty allows any)."""
    allowed = list(ctx.options.get("allowed_hosts", []))
    written = source_alts(ctx.email.source)
    for img in ctx.document.find_all("img"):
        where = describe(img)
        if img.get("alt") is None and str(img.get("src", "")) not in written:
            yield ctx.error("image has no alt attribute", element=where, node=img, expected='alt text, or alt="" for decoration')
        for attr in ("width", "height"):
            if not str(img.get(attr, "")).isdigit():
                yield ctx.warning(f"image has no numeric {attr}", element=where, node=img, expected=f"{attr} in pixels, so the layout holds while images load")
        url = urlsplit(str(img.get("src", "")))
        if url.scheme != "https":
            yield ctx.error(f"image source is not https: {img.get('src')!r}", element=where, node=img, expected="https://...")
        elif allowed and url.hostname not in allowed:
            yield ctx.error(f"image host {url.hostname} is not allowed", element=where, node=img, expected=f"one of {allowed}")
