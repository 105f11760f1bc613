"""The camera: one Chromium per run, one reused page, every request answered offline and every
other way out (navigation, frame, popup, form, socket, WebRTC) closed inside the browser.

``Camera.shoot(html, viewports)`` loads the HTML once, with JavaScript off as in a mail client, and
takes a full-page PNG per viewport; with ``accessibility=True`` it also runs axe-core (through
axe-playwright-python, which bundles a maintained axe-core build) in a second, scripted page. Identical HTML is shot once per run. Chromium's own
PNG bytes are kept as they are: re-encoding them with Pillow made files larger and took longer
than the screenshot (measured: 81 KB in 120 ms against Chromium's 78 KB).
"""

from __future__ import annotations

import atexit
import hashlib
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ScreenshotError
from ..timing import Stopwatch
from .browser import (
    ISOLATION_FLAGS,
    LAUNCH_FLAGS,
    Fingerprint,
    browser_version,
    executable_for,
    fonts_digest,
)
from .offline import ORIGIN, OfflineRouter
from .viewports import Viewport

__all__ = ["AXE_TAGS", "Camera", "Shots", "shared_playwright"]

#: axe-core rule tags run on every email: WCAG A and AA. Best-practice rules about page landmarks
#: (``region``, ``landmark-one-main``) do not apply to an email body.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MASK_COLOR = "#FF00FF"
CACHE_SIZE = 32


_DRIVER: list[Any] = []


def shared_playwright() -> Any:
    """The process's one Playwright driver: its sync API allows one running instance per thread,
    and starting it costs ~250 ms, so every camera (and test) shares it; stopped at exit."""
    if not _DRIVER:
        from playwright.sync_api import (
            sync_playwright,  # ~100 ms import, only when needed
        )

        _DRIVER.append(sync_playwright().start())
        atexit.register(_stop_playwright)
    return _DRIVER[0]


def _close(popup: Any) -> None:
    """Close a popup an email managed to open (its navigation is aborted by the router anyway)."""
    try:
        popup.close()
    except Exception:  # noqa: BLE001 - already gone with its opener
        pass


def _stop_playwright() -> None:
    if _DRIVER:
        try:
            _DRIVER.pop().stop()
        except Exception:  # noqa: BLE001 - at exit, a dead driver is not worth a traceback
            pass


@dataclass(frozen=True)
class Shots:
    """What the camera took of one HTML document."""

    #: viewport name -> PNG bytes
    pngs: dict[str, bytes]
    #: axe-core violations (``id``, ``impact``, ``help``, ``nodes``), or None when not scanned.
    axe: list[dict[str, Any]] | None = None


@dataclass
class Camera:
    """Lazily started; call :meth:`close` (or use it as a context manager) when the run ends."""

    assets: Path
    browser: str = "auto"
    timeout_ms: float = 15_000
    stopwatch: Stopwatch = field(default_factory=Stopwatch)
    _browser: Any = field(default=None, init=False, repr=False)
    _page: Any = field(default=None, init=False, repr=False)
    _fingerprint: Fingerprint | None = field(default=None, init=False, repr=False)
    _executable: str | None = field(default=None, init=False, repr=False)
    _axe_page: Any = field(default=None, init=False, repr=False)
    _cache: OrderedDict[str, Shots] = field(default_factory=OrderedDict, init=False, repr=False)
    router: OfflineRouter = field(init=False)
    #: How many pages were actually loaded (cache hits excluded); for tests and the benchmark.
    loads: int = field(default=0, init=False)
    restarts: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.router = OfflineRouter(self.assets)

    def __enter__(self) -> Camera:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- lifecycle ---------------------------------------------------------------------------

    def _start(self) -> None:
        if self._page is not None:
            return
        from playwright.sync_api import Error

        try:
            self._browser = shared_playwright().chromium.launch(
                executable_path=self.executable, args=[*LAUNCH_FLAGS, *ISOLATION_FLAGS]
            )
            # Mail clients never run an email's scripts, so the screenshot page does not either;
            # axe-core needs JavaScript (its promise never settles without) and gets a page of its
            # own, opened on first use, where the content security policy keeps the email's own
            # scripts from running (see offline.CONTENT_SECURITY_POLICY). Stripping scripts and
            # ``on*`` attributes from the HTML instead was rejected: re-serializing the email
            # changes the DOM axe-core judges, and a sanitizer is one missed form away from
            # running the email's code, while the policy applies to whatever the parser built.
            # So ``bypass_csp`` stays off and harness code runs only through ``page.evaluate``
            # (DevTools runs it regardless of the policy; ``add_script_tag`` would be blocked).
            self._page = self._new_page(javascript=False)
        except Error as exc:
            self.close()
            raise ScreenshotError(f"could not start Chromium: {exc.message.splitlines()[0]}") from None

    def _new_page(self, *, javascript: bool) -> Any:
        """A page on the fake origin's blank document, with every way out of it closed."""
        context = self._browser.new_context(
            viewport={"width": 800, "height": 600},
            device_scale_factor=1,
            reduced_motion="reduce",
            locale="en-US",
            timezone_id="UTC",
            java_script_enabled=javascript,
            service_workers="block",  # none may sit between a page and the router
        )
        context.set_default_timeout(self.timeout_ms)
        # On the context, not the page, so a popup's requests are answered (aborted) too.
        context.route("**/*", self.router.handle)
        # A WebSocket is closed in the page without ever connecting.
        context.route_web_socket(re.compile(".*"), lambda ws: ws.close())
        page = context.new_page()
        page.on("popup", _close)
        # The one navigation a page makes; page routes run before the context's, and after this
        # one (``times=1``) a meta refresh or reload to the same address is aborted like any other.
        page.route(ORIGIN + "/", self.router.document, times=1)
        page.goto(ORIGIN + "/")
        return page

    @property
    def executable(self) -> str:
        if self._executable is None:
            self._executable = executable_for(self.browser)
        return self._executable

    @property
    def fingerprint(self) -> Fingerprint:
        """The browser, flags and fonts screenshots are taken with; found without starting the
        browser, so a run that reuses every screenshot never launches one."""
        if self._fingerprint is None:
            self._fingerprint = Fingerprint(browser_version(self.executable), LAUNCH_FLAGS, fonts_digest())
        return self._fingerprint

    def close(self) -> None:
        if self._browser is not None:
            try:
                self._browser.close()
            except Exception:  # noqa: BLE001 - closing a crashed browser must not mask the cause
                pass
        self._browser = self._page = self._axe_page = None

    # -- shooting ----------------------------------------------------------------------------

    def shoot(self, html: str, viewports: Sequence[Viewport], *, mask: Sequence[str] = (), accessibility: bool = False) -> Shots:
        """Full-page PNGs of ``html`` in each viewport; a crashed or hung browser is restarted once."""
        key = hashlib.sha256(repr((html, [v.name for v in viewports], list(mask), accessibility)).encode()).hexdigest()
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        from playwright.sync_api import Error

        try:
            with self.stopwatch.stage("screenshot"):
                shots = self._shoot(html, viewports, mask, accessibility)
        except Error as first:
            # A crash or hang costs this page, not the run: restart once and retry.
            self.restarts += 1
            self.close()
            try:
                shots = self._shoot(html, viewports, mask, accessibility)
            except Error as second:
                self.close()
                raise ScreenshotError(
                    f"Chromium failed twice on this email ({first.message.splitlines()[0]}; then "
                    f"{second.message.splitlines()[0]})"
                ) from None
        self._cache[key] = shots
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return shots

    def _shoot(self, html: str, viewports: Sequence[Viewport], mask: Sequence[str], accessibility: bool) -> Shots:
        self._start()
        page = self._page
        self.router.expect(html)
        # The page keeps the last case's viewport and colour scheme: reset before loading, so a
        # case's pixels and its axe scan never depend on which case came before.
        page.set_viewport_size({"width": 800, "height": 600})
        page.emulate_media(color_scheme="light")
        page.set_content(html, wait_until="load")
        self.loads += 1
        axe = None
        if accessibility:
            with self.stopwatch.stage("axe"):
                if self._axe_page is None:
                    self._axe_page = self._new_page(javascript=True)
                self._axe_page.set_content(html, wait_until="load")
                axe = self._axe(self._axe_page)
        pngs: dict[str, bytes] = {}
        for viewport in viewports:
            page.set_viewport_size({"width": viewport.width, "height": viewport.height})
            page.emulate_media(color_scheme=viewport.color_scheme)
            with self.stopwatch.stage(f"shot-{viewport.color_scheme}"):  # dark mode's cost, for make bench
                pngs[viewport.name] = page.screenshot(
                    full_page=True,
                    animations="disabled",
                    caret="hide",
                    scale="css",
                    mask=[page.locator(selector) for selector in mask],
                    mask_color=MASK_COLOR,
                )
        return Shots(pngs, axe)

    def _axe(self, page: Any) -> list[dict[str, Any]]:
        from axe_playwright_python.sync_playwright import Axe

        options = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": AXE_TAGS}}
        response = Axe().run(page, options=options).response
        return [
            {
                "id": v["id"],
                "impact": v.get("impact") or "",
                "help": v.get("help", ""),
                "nodes": [", ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])],
            }
            for v in response.get("violations", [])
        ]
