"""The camera: one Chromium per run, one reused page, every request answered offline and every
other way out (navigation, frame, popup, form, socket, WebRTC) closed inside the browser.

``Camera.shoot(html, viewports)`` loads the HTML with JavaScript off, as in a mail client, and
takes a full-page PNG per viewport and look (see :mod:`.viewports`). A second, scripted page holds
the same document for the harness's own measurements: axe-core (the maintained build bundled
with axe-playwright-python) with ``accessibility=True``, and the probes of :mod:`.probes`
(overflow, direction, images off, where text is drawn) in every viewport, both in the page's
isolated world for the harness (:mod:`.world`), where the email's named elements cannot hide the
DOM from them. The check pages live in a browser of their own driven from a second thread
(:mod:`.lane`), so they load and measure while the screenshot page shoots. Identical
HTML is shot once per run. Chromium's own PNG bytes are kept as they are: re-encoding them with
Pillow made files larger and took longer than the screenshot (measured: 81 KB in 120 ms against
Chromium's 78 KB).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

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
from ..render.pseudo import pseudolocalize_html
from . import probes
from .contrast import low_contrast
from .lane import Lane
from .offline import ORIGIN, OfflineRouter
from .viewports import Viewport
from .world import World

__all__ = ["AXE_TAGS", "Camera", "Shots", "shared_playwright"]

#: axe-core rule tags run on every email: WCAG A and AA. Best-practice rules about page landmarks
#: (``region``, ``landmark-one-main``) do not apply to an email body.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MASK_COLOR = "#FF00FF"
CACHE_SIZE = 32
T = TypeVar("T")


_DRIVER: list[Any] = []
# A worker forked from a process whose driver runs (``run -j N``, harness.parallel) starts its own:
# the parent's driver and its pipes are the parent's.
os.register_at_fork(after_in_child=_DRIVER.clear)


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


def _ratio(node: dict[str, Any]) -> str:
    """The measured ratio and colours of a colour-contrast node, for the finding's message."""
    for check in node.get("any", []):
        data = check.get("data") or {}
        if isinstance(data, dict) and data.get("contrastRatio"):
            return f" ({data['contrastRatio']}:1, {data.get('fgColor')} on {data.get('bgColor')})"
    return ""


def _launch(playwright: Any, executable: str) -> Any:
    return playwright.chromium.launch(executable_path=executable, args=[*LAUNCH_FLAGS, *ISOLATION_FLAGS])


def _close_browser(browser: Any) -> None:
    if browser is not None:
        try:
            browser.close()
        except Exception:  # noqa: BLE001 - closing a crashed browser must not mask the cause
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
    #: viewport name -> what the check page measured in that look (``harness.screenshots.probes``):
    #: ``overflow``, ``direction`` (not pseudo), ``images`` (images off), ``axe`` (colour
    #: contrast, dark), ``contrast`` (pixel contrast, forced dark).
    page: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Catalog files the page asked for (paths relative to the catalog folder, found or not):
    #: a changed logo changes the pixels of unchanged HTML (see ``cache.ShotCache``).
    assets: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Load:
    """One load of a case's document (as sent or pseudo-localized, images on or off) and the
    looks shot and measured in it."""

    pseudo: bool
    images: bool
    html: str
    looks: list[Viewport]


@dataclass
class Camera:
    """Lazily started; call :meth:`close` (or use it as a context manager) when the run ends.

    Two browsers: the screenshot pages' (scripts off), driven from the caller's thread, and the
    check pages' (scripts on), driven from the camera's lane; :meth:`on_checks` runs code there."""

    assets: Path
    browser: str = "auto"
    timeout_ms: float = 15_000
    stopwatch: Stopwatch = field(default_factory=Stopwatch)
    _browser: Any = field(default=None, init=False, repr=False)
    #: The check pages' browser and the thread that drives it.
    _check_browser: Any = field(default=None, init=False, repr=False)
    _lane: Lane | None = field(default=None, init=False, repr=False)
    _page: Any = field(default=None, init=False, repr=False)
    _fingerprint: Fingerprint | None = field(default=None, init=False, repr=False)
    _executable: str | None = field(default=None, init=False, repr=False)
    #: The other pages, opened on first use: (scripts, images) -> page. Scripted pages hold the
    #: harness's checks; images-off pages live in contexts whose router blocks every image,
    #: since Blink serves an image it fetched once from memory, past any router.
    _pages: dict[tuple[bool, bool], Any] = field(default_factory=dict, init=False, repr=False)
    #: The DevTools session of each page (by id), and its look: size, colour scheme, forced dark.
    _sessions: dict[int, Any] = field(default_factory=dict, init=False, repr=False)
    _looks: dict[int, tuple[tuple[int, int], str, bool]] = field(default_factory=dict, init=False, repr=False)
    #: The harness's isolated world in each scripted page (by id), where its checks run.
    _worlds: dict[int, World] = field(default_factory=dict, init=False, repr=False)
    _cache: OrderedDict[str, Shots] = field(default_factory=OrderedDict, init=False, repr=False)
    #: The screenshot pages' routers (images on, off); the check pages have their own, as their
    #: requests are answered on the lane's thread while the screenshot page loads.
    router: OfflineRouter = field(init=False)
    #: How many pages were actually loaded (cache hits excluded); for tests and the benchmark.
    loads: int = field(default=0, init=False)
    restarts: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.router = OfflineRouter(self.assets)
        self.router_images_off = OfflineRouter(self.assets, images_off=True)
        self._check_routers = (OfflineRouter(self.assets), OfflineRouter(self.assets, images_off=True))

    @property
    def routers(self) -> tuple[OfflineRouter, ...]:
        """Every page's router: what the pages asked for, by kind, is the sum of their logs."""
        return (self.router, self.router_images_off, *self._check_routers)

    def _router(self, javascript: bool, images: bool) -> OfflineRouter:
        if javascript:
            return self._check_routers[0 if images else 1]
        return self.router if images else self.router_images_off

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
            executable = self.executable  # looked up here: a missing browser is reported once
            # The check pages' browser starts on the lane meanwhile (each launch takes ~0.8 s).
            lane = self._lane = self._lane or Lane("email-harness checks")
            checks = lane.submit(lambda: _launch(lane.playwright, executable))
            self._browser = _launch(shared_playwright(), executable)
            self._check_browser = checks.result()
            # Mail clients never run an email's scripts, so the screenshot page does not either;
            # axe-core needs JavaScript (its promise never settles without) and gets a page of its
            # own, opened on first use, where the content security policy keeps the email's own
            # scripts from running (see offline.CONTENT_SECURITY_POLICY). Stripping scripts and
            # ``on*`` attributes from the HTML instead was rejected: re-serializing the email
            # changes the DOM axe-core judges, and a sanitizer is one missed form away from
            # running the email's code, while the policy applies to whatever the parser built.
            # So ``bypass_csp`` stays off and harness code runs only through ``page.evaluate``
            # (DevTools runs it regardless of the policy; ``add_script_tag`` would be blocked).
            self._page = self._pages[False, True] = self._new_page(javascript=False)
        except Error as exc:
            self.close()
            raise ScreenshotError(f"could not start Chromium: {exc.message.splitlines()[0]}") from None

    def on_checks(self, job: Callable[[], T]) -> Future[T]:
        """Run ``job`` on the lane that drives the check pages (their objects work only there)."""
        self._start()
        assert self._lane is not None
        return self._lane.submit(job)

    def _page_for(self, javascript: bool, images: bool) -> Any:
        if (javascript, images) not in self._pages:
            self._pages[javascript, images] = self._new_page(javascript=javascript, images=images)
        return self._pages[javascript, images]

    def _new_page(self, *, javascript: bool, images: bool = True) -> Any:
        """A page on the fake origin's blank document, with every way out of it closed."""
        context = (self._check_browser if javascript else self._browser).new_context(
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
        router = self._router(javascript, images)
        context.route("**/*", router.handle)
        # A WebSocket is closed in the page without ever connecting.
        context.route_web_socket(re.compile(".*"), lambda ws: ws.close())
        page = context.new_page()
        page.on("popup", _close)
        # The one navigation a page makes; page routes run before the context's, and after this
        # one (``times=1``) a meta refresh or reload to the same address is aborted like any other.
        page.route(ORIGIN + "/", router.document, times=1)
        page.goto(ORIGIN + "/")
        # One DevTools session per page, kept open: an emulation (forced dark) ends with it.
        session = context.new_cdp_session(page)
        self._sessions[id(page)] = session
        if javascript:
            # The checks' own world, made on the blank document and kept through every
            # set_content; axe-core installed there now, before any email's named elements exist.
            from axe_playwright_python.base import AXE_SCRIPT

            world = self._worlds[id(page)] = World(page, session)
            world.install("axe-core", AXE_SCRIPT)
        return page

    def world(self, page: Any) -> World:
        """The harness's isolated world in one of the camera's scripted pages."""
        return self._worlds[id(page)]

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
        """Close both browsers and end the lane (its driver stops with it)."""
        if self._lane is not None:
            browser, self._check_browser = self._check_browser, None
            if browser is not None:
                self._lane.submit(lambda: _close_browser(browser))
            self._lane.close()
            self._lane = None
        _close_browser(self._browser)
        self._browser = self._page = None
        self._pages.clear()
        self._sessions.clear()
        self._worlds.clear()
        self._looks.clear()

    # -- shooting ----------------------------------------------------------------------------

    def shoot(
        self, html: str, viewports: Sequence[Viewport], *, mask: Sequence[str] = (), accessibility: bool = False,
        rtl: bool = False,
    ) -> Shots:
        """Full-page PNGs of ``html`` in each viewport and what the page measured there; a crashed
        or hung browser is restarted once. ``rtl``: the email's language is written right to left."""
        key = hashlib.sha256(repr((html, [v.name for v in viewports], list(mask), accessibility, rtl)).encode()).hexdigest()
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        from playwright.sync_api import Error

        try:
            with self.stopwatch.stage("screenshot"):
                shots = self._shoot(html, viewports, mask, accessibility, rtl)
        except Error as first:
            # A crash or hang costs this page, not the run: restart once and retry. A check that
            # throws on the email's DOM (probes.PageScriptError) is no browser failure: it would
            # throw again, so it reaches the case as is, naming the email's elements.
            self.restarts += 1
            self.close()
            try:
                shots = self._shoot(html, viewports, mask, accessibility, rtl)
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

    def _shoot(self, html: str, viewports: Sequence[Viewport], mask: Sequence[str], accessibility: bool, rtl: bool) -> Shots:
        self._start()
        assert self._lane is not None
        for router in self.routers:
            router.served.clear()
        # One load per kind of content (as sent, pseudo-localized; images on, off), then the
        # looks of that content: the screenshot page (scripts off, as in a mail client) and the
        # check page (scripts on, for axe-core and the probes) always hold the same document.
        loads: dict[tuple[bool, bool], list[Viewport]] = {}
        for vp in viewports:
            loads.setdefault((vp.pseudo, vp.images), []).append(vp)
        plan = [
            _Load(pseudo, images, pseudolocalize_html(html) if pseudo else html, group)
            for (pseudo, images), group in sorted(loads.items(), key=lambda item: (item[0][0], not item[0][1]))
        ]
        checks = self._lane.submit(lambda: self._check(plan, accessibility, rtl))
        try:
            pngs = self._shots(plan, mask)
        finally:
            # Even when the shots failed: the lane is done with its pages before a restart closes them.
            with self.stopwatch.stage("checks-wait"):
                wait([checks])
        axe, facts, boxes = checks.result()
        for vp in viewports:
            if vp.name in boxes:
                with self.stopwatch.stage("checks"):
                    # Auto dark mode recolours at paint time: only the pixels show its contrast.
                    facts[vp.name]["contrast"] = [asdict(c) for c in low_contrast(pngs[vp.name], boxes[vp.name])]
        return Shots(pngs, axe, facts, assets=tuple(sorted(set().union(*(router.served for router in self.routers)))))

    def _shots(self, plan: list[_Load], mask: Sequence[str]) -> dict[str, bytes]:
        """The screenshot page's part, on the caller's thread: a PNG per viewport."""
        pngs: dict[str, bytes] = {}
        for load in plan:
            page = self._page_for(False, load.images)
            self._load(page, load.html, self._router(False, True))
            self.loads += 1
            for vp in load.looks:
                self._look(page, vp)
                with self.stopwatch.stage(f"shot-{vp.color_scheme}"):  # dark mode's cost, for make bench
                    pngs[vp.name] = page.screenshot(
                        full_page=True,
                        animations="disabled",
                        caret="hide",
                        scale="css",
                        mask=[page.locator(selector) for selector in mask],
                        mask_color=MASK_COLOR,
                    )
            self._look(page, None)
        return pngs

    def _check(
        self, plan: list[_Load], accessibility: bool, rtl: bool
    ) -> tuple[list[dict[str, Any]] | None, dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
        """The check page's part, on the lane: axe-core's violations, what each look measured, and
        the text boxes of each forced-dark look (for the contrast of its pixels)."""
        axe = None
        facts: dict[str, dict[str, Any]] = {}
        boxes: dict[str, list[dict[str, Any]]] = {}
        for load in plan:
            checks = self._page_for(True, load.images)
            world = self._worlds[id(checks)]
            with self.stopwatch.stage("checks"):
                self._load(checks, load.html, self._router(True, True))
            if accessibility and not load.pseudo and load.images and axe is None:
                with self.stopwatch.stage("axe"):
                    axe = self._axe(world, AXE_TAGS)
            for vp in load.looks:
                with self.stopwatch.stage("checks"):
                    self._look(checks, vp)
                    seen: dict[str, Any] = {"overflow": probes.overflow(world)}
                    if not load.pseudo:  # a media query may change direction or alignment: every window
                        seen["direction"] = probes.direction(world, rtl)
                    if not vp.images:
                        seen["images"] = probes.images(world)
                if accessibility and vp.color_scheme == "dark":
                    with self.stopwatch.stage("axe"):
                        seen["axe"] = self._axe(world, ["color-contrast"], by="rule")
                if accessibility and vp.forced_dark:
                    with self.stopwatch.stage("checks"):
                        boxes[vp.name] = probes.text_boxes(world)
                facts[vp.name] = seen
        return axe, facts, boxes

    def _load(self, page: Any, html: str, router: OfflineRouter) -> None:
        # The page keeps the last case's viewport and colour scheme: reset before loading, so a
        # case's pixels and its checks never depend on which case came before.
        self._look(page, None)
        router.expect(html)  # the images-off router answers no image: it needs no sizes
        page.set_content(html, wait_until="load")

    def _look(self, page: Any, vp: Viewport | None) -> None:
        """Size, colour scheme and forced dark of ``vp`` (None: the 800x600 light default); only
        what differs from the page's current look is sent (each call is a round trip and a relayout)."""
        size = (vp.width, vp.height) if vp else (800, 600)
        scheme = vp.color_scheme if vp else "light"
        # Auto dark mode recolours at paint time and moves nothing: the check pages measure boxes
        # and text, and judge dark contrast by the email's own dark styles, so only the
        # screenshot page needs it.
        forced = bool(vp and vp.forced_dark) and id(page) not in self._worlds
        was = self._looks.get(id(page), ((800, 600), "light", False))  # a new page's look
        if was[0] != size:
            page.set_viewport_size({"width": size[0], "height": size[1]})
        if was[1] != scheme:
            page.emulate_media(color_scheme=scheme)
        if was[2] != forced:
            # Chromium's auto dark mode ("Auto Dark Mode for Web Contents"); no ``enabled`` = off.
            self._sessions[id(page)].send("Emulation.setAutoDarkModeOverride", {"enabled": True} if forced else {})
        self._looks[id(page)] = (size, scheme, forced)

    def _axe(self, world: World, values: list[str], *, by: str = "tag") -> list[dict[str, Any]]:
        options = {"resultTypes": ["violations", "incomplete"], "runOnly": {"type": by, "values": values}}
        response = probes.axe(world, options)
        found = [
            {
                "id": v["id"],
                "impact": v.get("impact") or "",
                "help": v.get("help", ""),
                "nodes": [", ".join(map(str, n.get("target", []))) + _ratio(n) for n in v.get("nodes", [])],
            }
            for v in response.get("violations", [])
        ]
        # axe-core leaves text the colour of its background "to review" (it might be hidden on
        # purpose); in an email it is text nobody can read, as when a dark style hides a heading.
        invisible = [
            ", ".join(map(str, n.get("target", []))) + _ratio(n)
            for v in response.get("incomplete", []) if v["id"] == "color-contrast"
            for n in v.get("nodes", []) if any((c.get("data") or {}).get("messageKey") == "equalRatio" for c in n.get("any", []))
        ]
        if invisible:
            found.append({"id": "color-contrast", "impact": "serious", "help": "Text is invisible: its colour is its background's", "nodes": invisible})
        return found
