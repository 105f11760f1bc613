"""Answer every request a page makes inside the browser, so a render never reaches the network.

The email is shown at a fake origin, so relative URLs (``assets/logo.png``) are served from the
catalog folder. Remote images get a grey placeholder of the size the ``<img>`` declares (so boxes
keep their layout), stylesheets (web fonts CSS) an empty body; fonts, scripts, tracking beacons and
anything else are aborted; with images off every image is aborted too. Nothing is ever passed on with ``route.continue_()``.

Requests are only one way out, so the fake origin's page also carries a content security policy
(:data:`CONTENT_SECURITY_POLICY`) and every navigation after it is aborted: see :class:`OfflineRouter`.
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

__all__ = ["CONTENT_SECURITY_POLICY", "ORIGIN", "OfflineRouter", "placeholder_png"]

#: ``.invalid`` can never resolve (RFC 2606), should anything slip past the router.
ORIGIN = "https://email-harness.invalid"
BLANK = "<!doctype html><html><head></head><body></body></html>"

#: The policy of the fake origin's page, sent as a header: ``set_content`` writes the email into
#: that same document (``document.open``), which keeps its policy, so the email's HTML is never
#: rewritten and its own ``<meta>`` policy can only narrow this one. It allows what the router
#: answers and an email can show (images, inline and remote styles, the catalog's fonts) and
#: nothing else: no page script (``<script>``, ``on*`` attributes, ``javascript:`` URLs), frame,
#: object, fetch/WebSocket, form submission or ``<base>``. ``sandbox`` without ``allow-popups``,
#: ``allow-forms``, ``allow-modals`` and ``allow-downloads`` stops popups and forms a second way;
#: ``allow-scripts`` keeps timers running for axe-core (injected with ``page.evaluate``, which
#: DevTools runs regardless of the policy), ``allow-same-origin`` the origin the catalog's
#: fonts are served from.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    f"img-src {ORIGIN} data: blob: http: https:",
    f"style-src {ORIGIN} 'unsafe-inline' http: https:",
    f"font-src {ORIGIN} data:",
    "script-src 'none'",
    "frame-src 'none'",
    "child-src 'none'",
    "object-src 'none'",
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
    "sandbox allow-scripts allow-same-origin",
))

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
    """The ``context.route("**/*", ...)`` handler (popups included); counts what it answered, by
    kind, in :attr:`log`.

    Each page loads the fake origin once, through :meth:`document`; every navigation after that
    (a meta refresh, a frame, a form, a popup, a link) is aborted, so nothing replaces the
    loaded email. Only ``route.fulfill`` and ``route.abort`` are used."""

    def __init__(self, assets: Path, *, images_off: bool = False) -> None:
        self.assets = assets.resolve()
        self.log: Counter[str] = Counter()
        self._sizes: dict[str, tuple[int, int]] = {}
        #: Block every image (the ``-images-off`` look): Chromium then draws the alt text.
        self.images_off = images_off
        #: Catalog paths pages asked for (found or not) since the camera last cleared it: what a
        #: shot depends on besides its HTML, for the shot cache (``cache.ShotCache``).
        self.served: set[str] = set()

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

    def document(self, route: Route) -> None:
        """The fake origin's blank page, under the policy every email is then written into."""
        self.log["page"] += 1
        route.fulfill(
            status=200, body=BLANK, content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
        )

    def handle(self, route: Route) -> None:
        request = route.request
        url = request.url
        if request.is_navigation_request():
            # ERR_ABORTED: Chromium drops the navigation and the page keeps the email; another
            # error would commit an error page over it (measured with a meta refresh).
            self.log["navigation"] += 1
            route.abort("aborted")
        elif self.images_off and request.resource_type == "image":
            self.log["image-blocked"] += 1
            route.abort("blockedbyclient")
        elif url.startswith(ORIGIN + "/"):
            self._local(route, url)
        elif request.resource_type == "image":
            self.log["image"] += 1
            width, height = self._sizes.get(url, (1, 1))
            route.fulfill(status=200, body=placeholder_png(width, height), content_type="image/png")
        elif request.resource_type == "stylesheet":
            self.log["stylesheet"] += 1
            route.fulfill(status=200, body="", content_type="text/css")
        else:  # fonts, scripts, fetch/XHR, beacons, media
            self.log[request.resource_type or "other"] += 1
            route.abort("blockedbyclient")

    def _local(self, route: Route, url: str) -> None:
        """A catalog file, only from inside the catalog folder (no ``..``, no symlink out)."""
        self.log["local"] += 1
        relative = unquote(urlsplit(url).path).lstrip("/")
        self.served.add(relative)
        path = (self.assets / relative).resolve()
        if path.is_relative_to(self.assets) and path.is_file() and not relative.startswith("_"):
            route.fulfill(status=200, path=path)
        else:
            route.fulfill(status=404, body="")
