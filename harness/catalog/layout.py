"""Where a catalog's emails are, and which files around a body belong to it.

A catalog is a folder tree. A template is a body file a renderer claims (``.mjml``, ``.html``,
or a registered extension) anywhere under it; its name is its path from the catalog without the
extension (``billing/invoice_paid``). Beside the body, in the same folder, the layout finds:

- its **subject**: ``NAME.subject.txt``, ``NAME.subject.html``, ``NAME.subject`` or
  ``NAME_subject.txt`` (Zulip, Wagtail, Django's password reset), a Jinja template of one line;
- its **text part**: ``NAME.txt`` or ``NAME.text``;
- its **metadata**: ``NAME.yaml`` or ``NAME.yml``.

Some files are never emails, only **partials**: anything under a folder or with a name starting
with ``_``, any file matching a ``partials`` glob of the layout (``base*.html``, ``macros/**``),
and any file another catalog file extends, includes or imports (``{% extends "base.html" %}``,
``{% import "macros/buttons.html" as b %}``, ``<mj-include path="...">``) unless it has a subject,
text part or metadata file of its own (Sentry's ``activity/generic.html`` is an email that
``activity/note.html`` extends). A reference written from a templates folder above the catalog
(``{% extends "sentry/emails/base.html" %}`` in a catalog ``.../sentry/emails``) counts too.

Every part of it is set in ``_catalog.yaml`` under ``layout:`` (see :class:`LayoutSettings`).
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, field_validator

__all__ = ["Discovered", "LayoutSettings", "discover", "is_partial"]

_PLACEHOLDER = "{name}"


def _patterns(value: list[str]) -> list[str]:
    """File name patterns with exactly one ``{name}`` and no folder part."""
    for pattern in value:
        if pattern.count(_PLACEHOLDER) != 1 or "/" in pattern or "\\" in pattern or "{" in pattern.replace(_PLACEHOLDER, ""):
            raise ValueError(f"{pattern!r}: expected a file name with {_PLACEHOLDER} once, such as '{_PLACEHOLDER}.subject.txt'")
    return value


class LayoutSettings(BaseModel):
    """``layout:`` of ``_catalog.yaml``: the files around a body. Each list is tried in order;
    ``{name}`` stands for the body's file name without its extension. The defaults cover the
    common conventions, so most trees need none of it."""

    model_config = ConfigDict(extra="forbid")
    #: A file whose text is the subject (rendered like the body), beside the body.
    subject: list[str] = ["{name}.subject.txt", "{name}.subject.html", "{name}.subject", "{name}_subject.txt"]
    #: The template's own plain-text part; without one it is derived from the HTML.
    text: list[str] = ["{name}.txt", "{name}.text"]
    #: The metadata file (``subject:``, ``requires:``, ``locales:``, ``rules:`` ...).
    metadata: list[str] = ["{name}.yaml", "{name}.yml"]
    #: Globs of files that are never emails, beside the ``_`` prefix and the files others
    #: extend, include or import. A glob without ``/`` matches a file name in any folder
    #: (``base*.html``); one with ``/`` matches the path from the catalog (``macros/**``,
    #: ``compiled/*``).
    partials: list[str] = []
    #: Look for templates in subfolders too.
    subfolders: bool = True

    @field_validator("subject", "text", "metadata")
    @classmethod
    def _file_patterns(cls, value: list[str]) -> list[str]:
        return _patterns(value)

    def companion(self, kind: str, body: Path) -> Path | None:
        """The first existing file of ``kind`` (``subject``, ``text``, ``metadata``) for ``body``."""
        found = self.companions(kind, body)
        return found[0] if found else None

    def companions(self, kind: str, body: Path) -> list[Path]:
        """Every existing file of ``kind`` for ``body``, in the layout's order: more than one is
        a template with two subjects (``invoice_paid.subject.txt`` and ``invoice_paid_subject.txt``)."""
        found: list[Path] = []
        for pattern in getattr(self, kind):
            candidate = body.with_name(pattern.replace(_PLACEHOLDER, body.stem))
            if candidate != body and candidate not in found and candidate.is_file():
                found.append(candidate)
        return found


def is_partial(relative: str, globs: list[str]) -> bool:
    """Whether the catalog path ``relative`` (posix) is a partial by name: a segment starting
    with ``_``, or a match of one of ``globs``."""
    parts = relative.split("/")
    if any(p.startswith("_") for p in parts):
        return True
    for glob in globs:
        glob = glob.strip("/")
        if "/" not in glob:
            if fnmatchcase(parts[-1], glob):
                return True
            continue
        # fnmatch's * crosses '/', so 'macros/**' is every file under macros/, at any depth;
        # a leading '**/' may also match nothing, as in .gitignore.
        if fnmatchcase(relative, glob) or (glob.startswith("**/") and fnmatchcase(relative, glob[3:])):
            return True
        if any(fnmatchcase("/".join(parts[:i]), glob.removesuffix("/**")) for i in range(1, len(parts))):
            return True  # 'macros' or 'macros/**' names the folder: everything in it
    return False


#: ``{% extends "x" %}``, ``{% include 'x' %}``, ``{% import "x" as y %}``, ``{% from "x" import y %}``
#: (Jinja and Django), and ``<mj-include path="x">``: the file names written as literals.
_REFERENCE = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+(["'])([^"'{}%\n]{1,300})\1""")
_MJ_INCLUDE = re.compile(r"""<mj-include\b[^<>]*?\bpath\s*=\s*(["'])([^"'<>\n]{1,300})\1""", re.I)
#: Files read for references: what a template language may extend or include.
_SCANNED = frozenset(".mjml .html .htm .txt .text .jinja .jinja2 .j2 .tmpl .subject".split())
#: Bytes of a file searched for references (a template's tags sit well within).
_SCAN_LIMIT = 1_000_000


@dataclass
class Discovered:
    """The files of a catalog tree by role; paths are posix and relative to the catalog."""

    #: Every regular file not hidden, by relative path.
    files: dict[str, Path] = field(default_factory=dict)
    #: Files that are never emails (``_`` prefix, a ``partials`` glob).
    partials: set[str] = field(default_factory=set)
    #: Files another file extends, includes or imports: partials, unless the layout finds a
    #: subject, text part or metadata file of their own.
    referenced: set[str] = field(default_factory=set)
    #: Folders reached by a symbolic link: not followed, reported.
    linked_folders: list[str] = field(default_factory=list)


def discover(root: Path, layout: LayoutSettings) -> Discovered:
    """Walk ``root`` (no hidden files or folders, no symlinked folder followed) and sort out the
    partials; what remains is for the catalog to claim."""
    found = Discovered()
    for folder, folders, names in os.walk(root):
        here = Path(folder)
        kept = []
        for name in sorted(folders):
            if name.startswith("."):
                continue
            if (here / name).is_symlink():
                found.linked_folders.append((here / name).relative_to(root).as_posix())
                continue
            kept.append(name)
        folders[:] = kept if layout.subfolders else [n for n in kept if n.startswith("_")]
        for name in sorted(names):
            if name.startswith("."):
                continue
            relative = (here / name).relative_to(root).as_posix()
            found.files[relative] = here / name
    found.partials = {r for r in found.files if is_partial(r, layout.partials)}
    found.referenced = _referenced(root, found.files) - found.partials
    return found


def _referenced(root: Path, files: dict[str, Path]) -> set[str]:
    """Catalog files another file names in an extends, include or import (or ``mj-include``)."""
    names: set[str] = set()
    for relative, path in files.items():
        base = PurePosixPath(relative).parent
        if PurePosixPath(relative).suffix.lower() not in _SCANNED:
            continue
        try:
            with open(path, "rb") as handle:
                text = handle.read(_SCAN_LIMIT).decode("utf-8", "replace")
        except OSError:
            continue  # the catalog reports an unreadable template when it loads it
        written = [m.group(2).strip() for m in _REFERENCE.finditer(text)] if "{%" in text else []
        if "<mj-include" in text.lower():
            mj = [m.group(2).strip() for m in _MJ_INCLUDE.finditer(text)]
            written += mj + [f"./{name}" for name in mj]  # MJML resolves from the including file too
        for name in written:
            if name.startswith(("./", "../")):  # Django's relative names: from the file's folder
                name = posixpath.normpath((base / name).as_posix())
            names.add(name.lstrip("/"))
    found = set()
    for name in names:
        if name in files:
            found.add(name)
            continue
        # Written from a templates folder above the catalog: "zerver/emails/base.html" in the
        # catalog ".../templates/zerver/emails" is its "base.html".
        parts = name.split("/")
        for start in range(1, len(parts)):
            tail = "/".join(parts[start:])
            if tail in files and list(root.resolve().parts[-start:]) == parts[:start]:
                found.add(tail)
                break
    return found
