"""``<mj-include>`` resolved by the harness, before any MJML engine sees the document.

Both engines then get the same flat MJML: MRML (which needs a loader and accepts fragments only)
and JavaScript mjml (which resolves paths against the working folder) give the same result
whatever folder the run starts in. Paths are relative to the catalog and confined to it, like
Jinja includes: no absolute paths, no ``..`` out of it, no symlinks leaving it. Included files
are rendered with the case's Jinja context (``language: jinja``), so variables in partials work.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ..errors import MjmlError

__all__ = ["expand_includes"]

_INCLUDE = re.compile(r"<mj-include\b([^<>]*?)/?>(?:\s*</mj-include>)?", re.I)  # '<' ends a try: linear
_ATTR = re.compile(r"""(?<![\w-])([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")  # names start a word: linear
MAX_INCLUDE_DEPTH = 10


def expand_includes(mjml: str, root: Path, load: Callable[[str], str], *, depth: int = 0) -> str:
    """``mjml`` with every ``<mj-include path=...>`` replaced by the file's content.

    ``load(relative_posix_path)`` returns a file's text (rendered, for Jinja catalogs).
    ``type="css"`` becomes an ``<mj-style>`` (``css-inline="inline"`` an inlined one),
    ``type="html"`` an ``<mj-raw>``; a full ``<mjml>`` document contributes its body."""
    if "<mj-include" not in mjml:
        return mjml

    def replace(match: re.Match[str]) -> str:
        attrs = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(match.group(1))}
        path = attrs.get("path", "")
        if depth >= MAX_INCLUDE_DEPTH:
            raise MjmlError(f"<mj-include path={path!r}>: includes nested more than {MAX_INCLUDE_DEPTH} deep (one includes itself?)")
        text = load(_confined(path, root))
        kind = attrs.get("type", "mjml").lower()
        if kind == "css":
            inline = ' inline="inline"' if attrs.get("css-inline", "").lower() == "inline" else ""
            return f"<mj-style{inline}>{text}</mj-style>"
        if kind == "html":
            return f"<mj-raw>{text}</mj-raw>"
        if (body := _inside(text, "mj-body")) is not None:
            head = _inside(text, "mj-head")
            text = body + (f"<!-- the head of {path} is not merged -->" if head and head.strip() else "")
        return expand_includes(text, root, load, depth=depth + 1)

    return _INCLUDE.sub(replace, mjml)


def _inside(text: str, tag: str) -> str | None:
    """What stands between the first ``<TAG ...>`` and the last ``</TAG>`` of ``text``, or None.
    Found with str.find, not a regular expression: a file of unclosed ``<mj-body`` tags stays
    linear."""
    lower = text.lower()
    at = 0
    while (start := lower.find(f"<{tag}", at)) >= 0:
        after = start + len(tag) + 1
        if after < len(lower) and (lower[after].isalnum() or lower[after] in "_-"):
            at = after  # <mj-body-x> is another tag
            continue
        opened = lower.find(">", after)
        closed = lower.rfind(f"</{tag}>")
        return text[opened + 1 : closed] if 0 <= opened < closed else None
    return None


def _confined(path: str, root: Path) -> str:
    """``path`` as a catalog-relative POSIX path, or MjmlError when it would leave the catalog."""
    if not path:
        raise MjmlError("<mj-include> without a path")
    relative = Path(path)  # "./x" and ".//x" are "x": pathlib drops the "." steps
    target = (root / relative).resolve()
    if relative.is_absolute() or not target.is_relative_to(root.resolve()):
        raise MjmlError(f"<mj-include path={path!r}>: outside the catalog; includes are confined to it")
    if not target.is_file():
        raise MjmlError(f"<mj-include path={path!r}>: no such file in the catalog ({root})")
    return target.relative_to(root.resolve()).as_posix()
