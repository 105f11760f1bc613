"""``client-support``: warn on HTML and CSS that major email clients do not support, from the
vendored caniemail data set (``data/caniemail.json``; refresh with ``scripts/refresh_caniemail.py``).

It checks what the team wrote: the MJML source after Jinja (``<mj-style>`` blocks, ``style``
attributes and HTML tags inside ``<mj-text>``/``<mj-raw>``), not the markup MJML generates, which
MJML itself makes work across clients with its own fallbacks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import field_validator

from ..base import Finding, RuleContext, rules
from ..options import RuleOptions

DATA = Path(__file__).with_name("data") / "caniemail.json"

#: family -> platforms checked unless the template sets ``clients``.
DEFAULT_CLIENTS = {
    "gmail": ["desktop-webmail", "ios", "android"],
    "apple-mail": ["macos", "ios"],
    "outlook": ["windows", "macos", "outlook-com"],
    "yahoo": ["desktop-webmail"],
}

_DECLARATION = re.compile(r"(?<![\w-])([a-z-]+)\s*:\s*([^;{}]+)")
_AT_RULE = re.compile(r"@([a-z-]+)")
_FUNCTION = re.compile(r"\b(linear-gradient|radial-gradient|conic-gradient|calc|clamp|min|max|var)\(")
_IMAGE_EXT = re.compile(r"\.(webp|avif|svg|bmp|tiff?|heic|heif|apng|ico)(?:[?#]|$)", re.I)
_IMAGE_SLUG = {"tif": "tiff", "tiff": "tiff", "heic": "heif", "svg": "svg"}
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_STYLE_ATTR = re.compile(r"\bstyle\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.I)
_SRC = re.compile(r"\bsrc\s*=\s*[\"']([^\"']+)", re.I)
_TYPE = re.compile(r"\btype\s*=\s*[\"']?([\w-]+)", re.I)
#: Elements every HTML email is made of: no choice of the author, so no finding (caniemail marks
#: <body> unsupported in Outlook for macOS, which drops the element, not the email). What the
#: author puts on them (a style attribute) is still read.
_EVERY_EMAIL_HAS = frozenset({"html", "head", "body", "title", "meta"})
_MJ_STYLE = re.compile(r"<mj-style[^>]*>(.*?)</mj-style>", re.S | re.I)


@cache
def caniemail() -> dict[str, Any]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    data["by_slug"] = {feature["slug"]: feature for feature in data["data"]}
    return data


def used_features(mjml: str) -> dict[str, str]:
    """caniemail slug -> what in the source uses it (a declaration, tag or URL).

    Regular expressions rather than a parser (5 ms a case with BeautifulSoup, 0.3 ms like this):
    after Jinja, fixture values are escaped, so every ``<`` in the source starts real markup."""
    known = caniemail()["by_slug"]
    found: dict[str, str] = {}

    def note(slug: str, what: str) -> None:
        if slug in known:
            found.setdefault(slug, what)

    css = [m.group(1) for m in _MJ_STYLE.finditer(mjml)]
    for tag in _TAG.finditer(mjml):
        name, attributes = tag.group(1).lower(), tag.group(2)
        if name.startswith("mj"):
            continue
        if name not in _EVERY_EMAIL_HAS:
            note(f"html-{name}", f"<{name}>")
        if name in ("map", "area"):
            note("html-image-maps", f"<{name}>")
        if name == "input":
            kind = (_TYPE.search(attributes) or ["", "text"])[1].lower()
            note(f"html-input-{kind}", f"<input type={kind}>")
        if style := _STYLE_ATTR.search(attributes):
            css.append(style.group(1) or style.group(2) or "")
        if name == "img" and (src := _SRC.search(attributes)) and (ext := _IMAGE_EXT.search(src.group(1))):
            note(f"image-{_IMAGE_SLUG.get(ext.group(1).lower(), ext.group(1).lower())}", src.group(1)[:80])
    for block in css:
        for at_rule in _AT_RULE.findall(block):
            note(f"css-at-{at_rule}", f"@{at_rule}")
        if "prefers-color-scheme" in block:
            note("css-at-media-prefers-color-scheme", "@media (prefers-color-scheme)")
        for function in _FUNCTION.findall(block):
            slug = {"calc": "css-unit-calc", "var": "css-variables"}.get(function, f"css-function-{function}")
            note(slug if slug in known else f"css-{function}", f"{function}()")
        for prop, value in _DECLARATION.findall(block):
            value = value.strip().lower()
            if prop == "display" and value.split()[0] in ("flex", "grid", "none"):
                note(f"css-display-{value.split()[0]}", f"display: {value}")
            note(f"css-{prop}", f"{prop}: {value[:40]}")
    return found


def unsupported_in(feature: dict[str, Any], clients: dict[str, list[str]]) -> list[str]:
    """Clients whose latest tested version does not support ``feature`` at all (``n``)."""
    names = caniemail()["nicenames"]
    missing = []
    for family, platforms in clients.items():
        for platform in platforms:
            versions = (feature.get("stats") or {}).get(family, {}).get(platform)
            if not versions:
                continue
            latest = list(versions.values())[-1]
            if str(latest).split()[0] == "n":
                missing.append(f"{names['family'].get(family, family)} ({names['platform'].get(platform, platform)})")
    return missing


class ClientSupportOptions(RuleOptions):
    clients: dict[str, list[str]] = DEFAULT_CLIENTS
    """caniemail client family -> platforms checked (``{gmail: [ios, android]}``)."""
    severity: Literal["warning", "error"] = "warning"
    """How an unsupported feature is reported. A feature used on purpose (a progressive
    enhancement) is an ignore entry naming its caniemail slug: ``{value: css-at-media, reason: ...}``."""

    @field_validator("clients")
    @classmethod
    def _known_clients(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        names = caniemail()["nicenames"]
        for family, platforms in value.items():
            if family not in names["family"]:
                raise ValueError(f"unknown client family {family!r}; known: {', '.join(sorted(names['family']))}")
            unknown = [p for p in platforms if p not in names["platform"]]
            if unknown:
                raise ValueError(f"{family}: unknown platform(s) {unknown}; known: {', '.join(sorted(names['platform']))}")
        return value


@rules.register("client-support", options=ClientSupportOptions)
def client_support(ctx: RuleContext) -> Iterator[Finding]:
    """HTML and CSS in what the team wrote that Gmail, Apple Mail, Outlook or Yahoo do not
    support (caniemail data), each named with its caniemail slug."""
    clients = ctx.options.get("clients", DEFAULT_CLIENTS)
    report = ctx.error if ctx.options.get("severity") == "error" else ctx.warning
    data = caniemail()
    for slug, what in sorted(used_features(ctx.email.source).items()):
        missing = unsupported_in(data["by_slug"][slug], clients)
        if missing:
            feature = data["by_slug"][slug]
            yield report(
                f"{feature['title']} is not supported by {', '.join(missing)} (caniemail {data['last_update_date'][:10]}: {feature['url']})",
                element=what,
                expected=f"a fallback, or an ignore entry {{value: {slug}, reason: ...}} if it is a deliberate enhancement",
            )
