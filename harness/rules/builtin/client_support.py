"""``client-support``: warn on HTML and CSS that major email clients do not support, from the
vendored caniemail data set (``data/caniemail.json``; refresh with ``scripts/refresh_caniemail.py``).

It checks what the team wrote: the MJML source after Jinja (``<mj-style>`` blocks, ``style``
attributes and HTML tags inside ``<mj-text>``/``<mj-raw>``), not the markup MJML generates, which
MJML itself makes work across clients with its own fallbacks.

A feature a client lacks is a finding only where it would change what that client shows: not in
a client that never reads it (inside ``@media`` for a client without media queries, inside
``<!--[if !mso]>`` for Outlook for Windows, in a comment), and not where the same element gets
the effect by other means that client supports. So the preheader recipe (``display: none`` plus
``visibility: hidden; opacity: 0; max-height: 0; overflow: hidden; mso-hide: all``...), each
declaration a fallback for the others, is no finding, while ``visibility: hidden`` alone, which
leaves the text showing in Gmail, still is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import field_validator

from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ._memo import memo

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
_BRACE = re.compile(r"[{}]")
_DEPTH = {"{": 1, "}": -1}
_FUNCTION = re.compile(r"\b(linear-gradient|radial-gradient|conic-gradient|calc|clamp|min|max|var)\(")
_IMAGE_EXT = re.compile(r"\.(webp|avif|svg|bmp|tiff?|heic|heif|apng|ico)(?:[?#]|$)", re.I)
_IMAGE_SLUG = {"tif": "tiff", "tiff": "tiff", "heic": "heif", "svg": "svg"}
# Linear: the name is taken whole (the attributes cannot start with a name character), and an
# unquoted '<' ends the attempt, so a run of unclosed '<a' is not rescanned to its end each time.
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(?![a-zA-Z0-9-])((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
_STYLE_ATTR = re.compile(r"\bstyle\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.I)
_SRC = re.compile(r"\bsrc\s*=\s*[\"']([^\"']+)", re.I)
_TYPE = re.compile(r"\btype\s*=\s*[\"']?([\w-]+)", re.I)
#: Elements every HTML email is made of: no choice of the author, so no finding (caniemail marks
#: <body> unsupported in Outlook for macOS, which drops the element, not the email). What the
#: author puts on them (a style attribute) is still read.
_EVERY_EMAIL_HAS = frozenset({"html", "head", "body", "title", "meta"})
_MJ_STYLE = re.compile(r"<mj-style[^<>]*>((?:(?!<mj-style\b).)*?)</mj-style>", re.S | re.I)  # stops at the next opening: linear
#: The opening of a conditional comment (``<!--[if mso]>``); its end is found with str.find, so
#: a page of unclosed comments is read in one pass (a lazy ``.*?`` would rescan to the end from
#: every ``<!--``).
_CONDITION = re.compile(r"<!--\[if\s+([^\]]{0,200})\]>", re.I)
_ENDIF_CLOSE = re.compile(r"\s*-->")
#: A mail client as caniemail names it: (family, platform).
Client = tuple[str, str]
#: Outlook's Word engine, the one that reads ``<!--[if mso]>`` and ``mso-hide: all``.
_WORD_OUTLOOK = frozenset({("outlook", "windows"), ("outlook", "windows-mail")})
#: Properties that apply to a <table> only (SendGrid's editor writes border-spacing on cells).
_TABLE_ONLY = frozenset({"border-spacing", "table-layout"})


@cache
def caniemail() -> dict[str, Any]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    data["by_slug"] = {feature["slug"]: feature for feature in data["data"]}
    return data


def _latest(slug: str, client: Client) -> str:
    """The first word of caniemail's verdict on ``slug`` for the client's latest tested version
    (``y``, ``a``, ``n``, ``u``), or ``""`` when caniemail has no data for that client."""
    feature = caniemail()["by_slug"].get(slug) or {}
    versions = (feature.get("stats") or {}).get(client[0], {}).get(client[1])
    return str(list(versions.values())[-1]).split()[0] if versions else ""


def _supports(slug: str, client: Client) -> bool:
    """Whether ``client`` acts on ``slug``: anything but a plain ``n`` (partial support counts,
    as it does for findings)."""
    return _latest(slug, client) != "n"


@dataclass(frozen=True)
class Use:
    """One use of a caniemail feature in what the team wrote.

    ``moot(client)`` is true where that client never reads the use (an ``@media`` block in a
    client without media queries, markup inside ``<!--[if mso]>`` outside Outlook for Windows) or
    where the element already gets the effect by other means the client supports (a
    ``visibility: hidden`` beside ``display: none``). A feature such a client lacks changes
    nothing there, so it is no finding for that client."""

    slug: str
    what: str
    moot: Callable[[Client], bool] = lambda client: False


def _everyone(client: Client) -> bool:
    return True


def _word_outlook(client: Client) -> bool:
    return client in _WORD_OUTLOOK


def _not_word_outlook(client: Client) -> bool:
    return client not in _WORD_OUTLOOK


def _segments(source: str) -> Iterator[tuple[str, Callable[[Client], bool]]]:
    """The source cut where HTML comments start and end, each piece with the clients that read
    it: a plain comment is read by none; ``<!--[if mso]>`` only by Outlook's Word engine and
    ``<!--[if !mso]><!-->`` by every other client."""
    at = 0
    for start, end, condition, inner in _comments(source):
        yield source[at:start], _everyone
        if condition is not None:
            yield inner, _not_word_outlook if "!" in condition else _word_outlook
        at = end
    yield source[at:], _everyone


def _comments(source: str) -> Iterator[tuple[int, int, str | None, str]]:
    """``(start, end, condition, inner)`` of each HTML comment, left to right, in linear time;
    ``condition`` is None for a plain comment. An unclosed comment is not one (read as text)."""
    lower = source.lower()
    at = 0
    while (start := source.find("<!--", at)) >= 0:
        opening = _CONDITION.match(source, start)
        if opening is not None:
            endif = lower.find("<![endif]", opening.end())
            close = _ENDIF_CLOSE.match(source, endif + 9) if endif >= 0 else None
            if close is not None:
                yield start, close.end(), opening.group(1), source[opening.end():endif]
                at = close.end()
                continue
        end = source.find("-->", start + 4)
        if end < 0:
            return
        yield start, end + 3, None, ""
        at = end + 3


def _without_css_comments(css: str) -> str:
    """``css`` without its ``/* ... */`` comments (an unclosed one is left), in one pass."""
    kept, at = [], 0
    while (start := css.find("/*", at)) >= 0 and (end := css.find("*/", start + 2)) >= 0:
        kept.append(css[at:start])
        at = end + 2
    return "".join(kept) + css[at:]


def _rule_blocks(css: str, within: tuple[str, ...] = ()) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """``(prelude, declarations, within)`` for each rule of a style sheet, ``within`` being the
    caniemail slugs of the at-rules around it (a client without ``@media`` reads nothing in one).
    Grouping at-rules (``@media``, ``@supports``) are walked into; an ``@font-face`` or a
    ``@page`` comes back as a rule of its own."""
    css = _without_css_comments(css)
    at = 0
    while (opening := css.find("{", at)) >= 0:
        statements, _, prelude = css[at:opening].rpartition(";")
        if statements := statements.strip():  # @import lines, or declarations outside any rule, before this rule
            yield statements, statements, within
        prelude = prelude.strip()
        depth, end = 0, len(css)
        for brace in _BRACE.finditer(css, opening):  # brace to brace, not character by character
            depth += _DEPTH[brace.group()]
            if depth == 0:
                end = brace.start()
                break
        body = css[opening + 1 : end]
        if prelude.startswith("@") and "{" in body:
            yield prelude, "", within
            yield from _rule_blocks(body, within + _at_rule_slugs(prelude))
        else:
            yield prelude, body, within
        at = end + 1
    if tail := css[at:].strip():  # @import lines, or declarations outside any rule
        yield tail, tail, within


def _at_rule_slugs(prelude: str) -> tuple[str, ...]:
    """The caniemail features a client needs to read what an at-rule holds."""
    slugs = [f"css-at-{m}" for m in _AT_RULE.findall(prelude)]
    if "prefers-color-scheme" in prelude:
        slugs.append("css-at-media-prefers-color-scheme")
    return tuple(slug for slug in slugs if slug in caniemail()["by_slug"])


def _px(value: str) -> str:
    """``48px``, ``48`` and ``48.0px`` alike, for comparing a length with an HTML attribute."""
    value = value.replace("!important", "").strip()
    if match := re.fullmatch(r"(\d+(?:\.\d*)?)(?:px)?", value):
        return f"{float(match.group(1)):g}px"
    return value


def _zero(value: str) -> bool:
    return bool(re.fullmatch(r"[0.]+(px|em|rem|pt|%)?", value.replace("!important", "").strip()))


def _hiding(prop: str, value: str) -> bool:
    """A declaration whose only job is to hide or collapse the element (the preheader recipe:
    ``display:none; visibility:hidden; mso-hide:all; font-size:1px; line-height:1px;
    max-height:0; max-width:0; opacity:0; overflow:hidden``)."""
    value = value.replace("!important", "").strip()
    if prop in ("font-size", "line-height"):
        return _zero(value) or _px(value) == "1px"
    return (
        (prop == "display" and value == "none")
        or (prop == "visibility" and value in ("hidden", "collapse"))
        or (prop == "mso-hide" and value == "all")
        or (prop == "overflow" and value == "hidden")
        or (prop == "color" and value == "transparent")
        or (prop in ("opacity", "height", "max-height", "width", "max-width") and _zero(value))
    )


def _hiding_means(declarations: list[tuple[str, str]]) -> list[tuple[frozenset[int], Callable[[Client], bool]]]:
    """Each way the declarations hide the element on their own: the declarations it takes, and
    the clients it works in. ``max-height: 0`` hides only with ``overflow: hidden``."""
    means: list[tuple[frozenset[int], Callable[[Client], bool]]] = []

    def works(*slugs: str) -> Callable[[Client], bool]:
        return lambda client: all(_supports(slug, client) for slug in slugs)

    overflow = [i for i, (prop, value) in enumerate(declarations) if prop == "overflow" and _hiding(prop, value)]
    for index, (prop, value) in enumerate(declarations):
        if not _hiding(prop, value):
            continue
        if prop == "display":
            means.append((frozenset({index}), works("css-display-none")))
        elif prop in ("visibility", "opacity"):
            means.append((frozenset({index}), works(f"css-{prop}")))
        elif prop == "mso-hide":
            means.append((frozenset({index}), _word_outlook))
        elif prop in ("height", "max-height"):
            for other in overflow:
                means.append((frozenset({index, other}), works(f"css-{prop}", "css-overflow")))
    return means


def _moot(declarations: list[tuple[str, str]], index: int, tag: str = "", attributes: str = "") -> Callable[[Client], bool] | None:
    """Clients in which declaration ``index`` changes nothing because the same element gets its
    effect otherwise: a hiding declaration where another means hides the element, ``min-width:
    48px`` beside ``width: 48px`` (or ``width="48"``), ``border-spacing: 0`` on a table with
    ``cellspacing="0"`` or ``border-collapse: collapse``. In a style attribute (``tag`` and its
    ``attributes`` known) also what does nothing anywhere: a table property on a ``<td>``, or
    ``height: auto`` (the initial value) on an element without a height attribute to override.
    None when it always matters."""
    prop, value = declarations[index]
    if tag and prop in _TABLE_ONLY and tag != "table":
        return _everyone
    if tag and prop in ("height", "width") and value.replace("!important", "").strip() == "auto":
        if not re.search(rf"\b{prop}\s*=", attributes, re.I):
            return _everyone
    if _hiding(prop, value):
        others = [works for members, works in _hiding_means(declarations) if index not in members]
        return (lambda client: any(works(client) for works in others)) if others else None
    if prop not in ("min-width", "max-width", "min-height", "max-height", "border-spacing"):
        return None
    stated = {p: v.replace("!important", "").strip() for p, v in declarations}
    if prop in ("min-width", "max-width", "min-height", "max-height"):
        size = prop.split("-")[1]
        attribute = re.search(rf"\b{size}\s*=\s*[\"']?(\d+)(?:px)?[\"'\s]", attributes + " ", re.I)
        if attribute and _px(attribute.group(1)) == _px(value):
            return _everyone
        if size in stated and _px(stated[size]) == _px(value):
            return lambda client: _supports(f"css-{size}", client)
    if prop == "border-spacing" and _zero(value):
        if re.search(r"\bcellspacing\s*=\s*[\"']?0[\"'\s>]", attributes + " ", re.I):
            return _everyone
        if stated.get("border-collapse") == "collapse":
            return lambda client: _supports("css-border-collapse", client)
    return None


def _css_uses(css: str, reads: Callable[[Client], bool], tag: str = "", attributes: str = "") -> Iterator[Use]:
    """The uses in a style sheet, or in the style attribute of a ``tag`` with ``attributes``."""
    # A style attribute (no braces) comes back as one block of declarations, its comments left out.
    for prelude, body, within in _rule_blocks(css):

        def unread(client: Client, within: tuple[str, ...] = within) -> bool:
            return not reads(client) or not all(_supports(slug, client) for slug in within)

        for at_rule in _AT_RULE.findall(prelude):
            yield Use(f"css-at-{at_rule}", f"@{at_rule}", unread)
        if "prefers-color-scheme" in prelude:
            yield Use("css-at-media-prefers-color-scheme", "@media (prefers-color-scheme)", unread)
        declarations = [(prop, value.strip().lower()) for prop, value in _DECLARATION.findall(body)]
        for index, (prop, value) in enumerate(declarations):
            otherwise = _moot(declarations, index, tag, attributes)

            def moot(
                client: Client, otherwise: Callable[[Client], bool] | None = otherwise, unread: Callable[[Client], bool] = unread,
            ) -> bool:
                return unread(client) or (otherwise is not None and otherwise(client))

            for function in _FUNCTION.findall(value):
                slug = {"calc": "css-unit-calc", "var": "css-variables"}.get(function, f"css-function-{function}")
                yield Use(slug if slug in caniemail()["by_slug"] else f"css-{function}", f"{function}()", moot)
            if prop == "display" and value.split()[0] in ("flex", "grid", "none"):
                yield Use(f"css-display-{value.split()[0]}", f"display: {value}", moot)
            yield Use(f"css-{prop}", f"{prop}: {value[:40]}", moot)


#: A piece of what the team wrote whose uses do not depend on the rest: a ``<mj-style>`` block
#: ``("css", text, "", reads)`` or a tag ``("tag", name, attributes, reads)``, ``reads`` the clients
#: that read where it is. The same pieces recur in every email of a template (its styles, its
#: markup): :func:`unsupported_features` judges each once per run and template.
Unit = tuple[str, str, str, Callable[[Client], bool]]


#: Pieces' verdicts kept per template and run.
_JUDGED = 4096


def _units(source: str) -> Iterator[Unit]:
    """The pieces of ``source`` that may use a feature, in the order :func:`uses` reads them:
    per comment segment its ``<mj-style>`` blocks, then its tags (MJML's own left out)."""
    for text, reads in _segments(source):
        for m in _MJ_STYLE.finditer(text):
            yield "css", m.group(1), "", reads
        for tag in _TAG.finditer(text):
            name = tag.group(1).lower()
            if not name.startswith("mj"):
                yield "tag", name, tag.group(2), reads


def _unit_uses(unit: Unit, known: dict[str, Any]) -> Iterator[Use]:
    """The uses of caniemail features in one piece (see :data:`Unit`)."""
    kind, name, attributes, reads = unit
    if kind == "css":
        yield from (use for use in _css_uses(name, reads) if use.slug in known)
        return
    unread = lambda client, reads=reads: not reads(client)  # noqa: E731
    found = []
    if name not in _EVERY_EMAIL_HAS:
        found.append(Use(f"html-{name}", f"<{name}>", unread))
    if name in ("map", "area"):
        found.append(Use("html-image-maps", f"<{name}>", unread))
    if name == "input":
        kind = (_TYPE.search(attributes) or ["", "text"])[1].lower()
        found.append(Use(f"html-input-{kind}", f"<input type={kind}>", unread))
    if style := _STYLE_ATTR.search(attributes):
        found.extend(_css_uses(style.group(1) or style.group(2) or "", reads, name, attributes))
    if name == "img" and (src := _SRC.search(attributes)) and (ext := _IMAGE_EXT.search(src.group(1))):
        found.append(Use(f"image-{_IMAGE_SLUG.get(ext.group(1).lower(), ext.group(1).lower())}", src.group(1)[:80], unread))
    yield from (use for use in found if use.slug in known)


def uses(source: str) -> Iterator[Use]:
    """Every use of a caniemail feature in ``source``, in order, each knowing where it is moot.

    Regular expressions rather than a parser (5 ms a case with BeautifulSoup, 0.3 ms like this):
    after Jinja, fixture values are escaped, so every ``<`` in the source starts real markup."""
    known = caniemail()["by_slug"]
    for unit in _units(source):
        yield from _unit_uses(unit, known)


def used_features(mjml: str) -> dict[str, str]:
    """caniemail slug -> what in the source uses it first (a declaration, tag or URL)."""
    found: dict[str, str] = {}
    for use in uses(mjml):
        found.setdefault(use.slug, use.what)
    return found


def unsupported_in(feature: dict[str, Any], clients: dict[str, list[str]]) -> list[str]:
    """Clients whose latest tested version does not support ``feature`` at all (``n``)."""
    names = caniemail()["nicenames"]
    return [
        f"{names['family'].get(family, family)} ({names['platform'].get(platform, platform)})"
        for family, platform in _lacking(feature, clients)
    ]


def _lacking(feature: dict[str, Any], clients: dict[str, list[str]]) -> list[Client]:
    missing = []
    for family, platforms in clients.items():
        for platform in platforms:
            versions = (feature.get("stats") or {}).get(family, {}).get(platform)
            if versions and str(list(versions.values())[-1]).split()[0] == "n":
                missing.append((family, platform))
    return missing


def unsupported_features(
    source: str, clients: dict[str, list[str]], judged: dict[Hashable, list[tuple[str, str, list[Client]]]] | None = None,
) -> dict[str, tuple[str, list[str]]]:
    """caniemail slug -> (its first use that matters, the clients lacking it where it matters).

    A use is left out for a client that never reads it or gets its effect by other means (see
    :class:`Use`), so the standard preheader recipe and an ``@media`` block's contents are no
    findings, while a ``visibility: hidden`` that alone hides an element still is. ``judged``
    keeps each piece's verdict (see :data:`Unit`) for the next email with the same piece; its
    owner keeps it to one caniemail data set."""
    data = caniemail()
    names = data["nicenames"]
    found: dict[str, tuple[str, list[Client]]] = {}
    lacking_by_slug: dict[str, list[Client]] = {}  # a big email uses the same slug hundreds of times
    asked = tuple((family, tuple(platforms)) for family, platforms in clients.items())
    for unit in _units(source):
        key = (unit, asked)
        verdict = judged.get(key) if judged is not None else None
        if verdict is None:
            verdict = _verdict(unit, clients, data, lacking_by_slug)
            if judged is not None:
                if len(judged) >= _JUDGED:  # distinct links and values of a large run: kept bounded
                    judged.clear()
                judged[key] = verdict
        for slug, what, lacking in verdict:
            before = found.setdefault(slug, (what, []))[1]
            before.extend(client for client in lacking if client not in before)
    ranked = [(family, platform) for family, platforms in clients.items() for platform in platforms]
    return {
        slug: (what, [f"{names['family'].get(f, f)} ({names['platform'].get(p, p)})" for f, p in sorted(lacking, key=ranked.index)])
        for slug, (what, lacking) in found.items()
    }


def _verdict(
    unit: Unit, clients: dict[str, list[str]], data: dict[str, Any], lacking_by_slug: dict[str, list[Client]],
) -> list[tuple[str, str, list[Client]]]:
    """``(slug, its first use that matters, the clients lacking it where it matters)`` of one
    piece, in the order first found: the piece's share of :func:`unsupported_features`."""
    found: dict[str, tuple[str, list[Client]]] = {}
    for use in _unit_uses(unit, data["by_slug"]):
        if use.slug not in lacking_by_slug:
            lacking_by_slug[use.slug] = _lacking(data["by_slug"][use.slug], clients)
        lacking = [client for client in lacking_by_slug[use.slug] if not use.moot(client)]
        if lacking:
            before = found.setdefault(use.slug, (use.what, []))[1]
            before.extend(client for client in lacking if client not in before)
    return [(slug, what, lacking) for slug, (what, lacking) in found.items()]


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
    # Each piece judged once per run and template: a template's emails share their styles and markup.
    judged = memo("client-support-pieces", (ctx.template, data), dict)
    for slug, (what, missing) in sorted(unsupported_features(ctx.email.source, clients, judged).items()):
        feature = data["by_slug"][slug]
        yield report(
            f"{feature['title'].strip()} is not supported by {', '.join(missing)} (caniemail {data['last_update_date'][:10]}: {feature['url']})",
            element=what,
            expected=f"a fallback, or an ignore entry {{value: {slug}, reason: ...}} if it is a deliberate enhancement",
        )
