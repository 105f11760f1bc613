"""Images embedded as a mailer embeds them: each catalog image the HTML references by a relative
path (``<img src="img/logo.png">``) becomes a ``multipart/related`` part with a Content-ID, and
the reference becomes ``cid:``. Remote and ``data:`` images stay as they are."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from pathlib import Path

__all__ = ["embedded_images"]

_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])([^"'<>]+)\2""", re.I)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.I)


def embedded_images(html: str, root: Path, seed: str) -> tuple[str, list[tuple[str, str, bytes]]]:
    """``html`` with catalog images as ``cid:`` references, and ``(content id, file name, data)``
    of each, in order of first use. A path leaving the catalog or naming no file stays as written
    (the ``images`` rule reports a broken image)."""
    found: dict[str, tuple[str, str, bytes]] = {}
    base = root.resolve()

    def replace(match: re.Match[str]) -> str:
        src = match.group(3).strip()
        if _REMOTE.match(src):
            return match.group(0)
        if src not in found:
            path = (base / src.split("?")[0].lstrip("/")).resolve()
            if not path.is_relative_to(base) or not path.is_file() or not (mimetypes.guess_type(path.name)[0] or "").startswith("image/"):
                return match.group(0)
            data = path.read_bytes()
            digest = hashlib.sha256(seed.encode() + b"\0" + data).hexdigest()[:16]
            content_id = f"{digest}@email-harness"
            found[src] = (content_id, path.name, data)
        return f"{match.group(1)}{match.group(2)}cid:{found[src][0]}{match.group(2)}"

    return _IMG_SRC.sub(replace, html), list(found.values())
