"""Answer every request a page makes inside the browser, so a render never reaches the network.

The email is shown at a fake origin, so relative URLs (``assets/logo.png``) are served from the
catalog folder. Remote images get a grey placeholder of the size the ``<img>`` declares (so boxes
keep their layout), stylesheets (web fonts CSS) an empty body; fonts, scripts, tracking beacons and
anything else are aborted. Nothing is ever passed on with ``route.continue_()``.
"""

from __future__ import annotations

import io
from collections import Counter
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, SoupStrainer
from PIL import Image, ImageDraw
from playwright.sync_api import Route

__all__ = ["ORIGIN", "OfflineRouter", "placeholder_png"]

#: ``.invalid`` can never resolve (RFC 2606), should anything slip past the router.
ORIGIN = "https://email-harness.invalid"
BLANK = "<!doctype html><html><head></head><body></body></html>"
#: Declared ``width`` with ``height="auto"`` (MJML's default): assume a 2:1 banner.
AUTO_ASPECT = 0.5
MAX_SIDE = 4000


@lru_cache(maxsize=256)
def placeholder_png(width: int, height: int) -> bytes:
    """A light grey box with a darker border and a cross, so a designer sees "an image goes here"."""
    width, height = max(1, min(width, MAX_SIDE)), max(1, min(height, MAX_SIDE))
    image = Image.new("RGB", (width, height), (223, 226, 231))
    if width > 4 and height > 4:
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, width - 1, height - 1), outline=(176, 182, 191))
        draw.line((0, 0, width - 1, height - 1), fill=(200, 204, 210))
        draw.line((0, height - 1, width - 1, 0), fill=(200, 204, 210))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _px(value: object) -> int | None:
    text = str(value or "").strip().removesuffix("px")
    return int(text) if text.isdigit() else None


class OfflineRouter:
    """The ``page.route("**/*", ...)`` handler; counts what it answered, by kind, in :attr:`log`."""

    def __init__(self, assets: Path) -> None:
        self.assets = assets.resolve()
        self.log: Counter[str] = Counter()
        self._sizes: dict[str, tuple[int, int]] = {}

    def expect(self, html: str) -> None:
        """Note the declared size of every ``<img>`` in the next page, for its placeholder."""
        self._sizes.clear()
        for img in BeautifulSoup(html, "html.parser", parse_only=SoupStrainer("img")).find_all("img"):
            src = img.get("src")
            if not src:
                continue
            width, height = _px(img.get("width")), _px(img.get("height"))
            if width and not height:
                height = max(1, int(width * AUTO_ASPECT))
            self._sizes[urljoin(ORIGIN + "/", str(src))] = (width or 100, height or 100)

    def handle(self, route: Route) -> None:
        request = route.request
        url = request.url
        if url == ORIGIN + "/":
            self.log["page"] += 1
            route.fulfill(status=200, body=BLANK, content_type="text/html; charset=utf-8")
        elif url.startswith(ORIGIN + "/"):
            self._local(route, url)
        elif request.resource_type == "image":
            self.log["image"] += 1
            width, height = self._sizes.get(url, (1, 1))
            route.fulfill(status=200, body=placeholder_png(width, height), content_type="image/png")
        elif request.resource_type == "stylesheet":
            self.log["stylesheet"] += 1
            route.fulfill(status=200, body="", content_type="text/css")
        else:  # fonts, scripts, fetch/XHR, beacons, media, frames
            self.log[request.resource_type or "other"] += 1
            route.abort("blockedbyclient")

    def _local(self, route: Route, url: str) -> None:
        """A catalog file, only from inside the catalog folder (no ``..``, no symlink out)."""
        self.log["local"] += 1
        relative = unquote(urlsplit(url).path).lstrip("/")
        path = (self.assets / relative).resolve()
        if path.is_relative_to(self.assets) and path.is_file() and not relative.startswith("_"):
            route.fulfill(status=200, path=path)
        else:
            route.fulfill(status=404, body="")
