"""A render never reaches the network: no request, navigation, frame, popup, form, socket or
WebRTC packet leaves the browser, from the screenshot page (JavaScript off) nor from the scripted
accessibility page (axe-core).

A listener on 127.0.0.1 (TCP for everything that speaks HTTP or WebSocket, UDP for STUN) counts
what arrives while an email carrying one vector is rendered through the camera, first for the
screenshots only, then with the axe scan. Each vector is first shown to connect from an unguarded
page (plain Chromium, scripts on, no router): the test waits for that connection to arrive, so a
vector that does nothing cannot pass for a guarded one, and the guarded pages are then given a
few times as long as the vector needed there.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from harness.errors import ScreenshotError
from harness.screenshots import LAUNCH_FLAGS, ORIGIN, VIEWPORTS, Camera
from harness.screenshots.browser import ISOLATION_FLAGS

T = TypeVar("T")

#: How long the unguarded page may take to connect (its first connection or datagram ends the wait).
CONTROL_TIMEOUT_S = 10.0
#: The guarded pages get this many times what the unguarded page needed, and at least MIN_GRACE_MS.
GRACE_FACTOR = 3
MIN_GRACE_MS = 300
#: Vectors that connect from no page this Chromium opens with set_content, guarded or not, and
#: why; they keep a fixed grace (and a test that could fail only if Chromium starts connecting).
NO_CONTROL = {"link-preconnect": "Chromium does not preconnect from a set_content page even unguarded (measured: 0 connections in 5 s)"}
FIXED_GRACE_MS = 1000


class Listener:
    """A TCP server counting accepted connections and a UDP socket counting datagrams, both on
    ephemeral ports of 127.0.0.1, served by threads that poll a stop flag (bounded in time)."""

    def __init__(self) -> None:
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        for sock in (self.tcp, self.udp):
            sock.settimeout(0.05)
        self.tcp_port: int = self.tcp.getsockname()[1]
        self.udp_port: int = self.udp.getsockname()[1]
        self.connections = 0
        self.datagrams = 0
        #: The first line each connection sent (``GET /frame HTTP/1.1``), to say which vector it was.
        self.seen: list[str] = []
        #: Set by the first connection or datagram: what the positive control waits on.
        self.arrived = threading.Event()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=f, daemon=True) for f in (self._accept, self._receive)]
        for thread in self._threads:
            thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except TimeoutError:
                continue
            self.connections += 1
            self.arrived.set()
            with conn:
                conn.settimeout(0.2)
                try:
                    self.seen.append(conn.recv(1024).split(b"\r\n", 1)[0].decode(errors="replace"))
                except OSError:
                    self.seen.append("(no request line)")

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                self.udp.recvfrom(2048)
            except TimeoutError:
                continue
            self.datagrams += 1
            self.arrived.set()

    def count(self) -> tuple[int, int]:
        return self.connections, self.datagrams

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        self.tcp.close()
        self.udp.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    spy = Listener()
    try:
        yield spy
    finally:
        spy.stop()


def _script(code: str) -> str:
    # In a function: the pages are reused, and a second top-level ``const pc`` would be a
    # SyntaxError in the same window (document.open keeps it), so the script would not try.
    return f"<p>hello</p><script>(() => {{ {code} }})()</script>"


#: vector -> the email body, given the listener's TCP and UDP ports.
VECTORS: dict[str, Callable[[int, int], str]] = {
    # Controls: answered by the router since the start; they must stay at zero.
    "control-img": lambda t, u: f'<img src="http://127.0.0.1:{t}/x.png" width="10" height="10" alt="">',
    "control-stylesheet": lambda t, u: f'<link rel="stylesheet" href="http://127.0.0.1:{t}/s.css"><p>hello</p>',
    # Found by the review.
    "iframe": lambda t, u: f'<iframe src="http://127.0.0.1:{t}/frame"></iframe>',
    "object": lambda t, u: f'<object data="http://127.0.0.1:{t}/object"></object>',
    "embed": lambda t, u: f'<embed src="http://127.0.0.1:{t}/embed">',
    "meta-refresh": lambda t, u: f'<meta http-equiv="refresh" content="0;url=http://127.0.0.1:{t}/refresh"><p>hello</p>',
    "window-open": lambda t, u: _script(f'window.open("http://127.0.0.1:{t}/popup")'),
    "websocket": lambda t, u: _script(f'new WebSocket("ws://127.0.0.1:{t}/ws")'),
    "form-script-submit": lambda t, u: (
        f'<form action="http://127.0.0.1:{t}/form" method="post"><input name="a" value="b">'
        '<input type="submit" value="Go"></form><script>document.forms[0].submit()</script>'
    ),
    # Nothing in the harness clicks; the test clicks, in both pages, without any script.
    "form-click": lambda t, u: (
        f'<form action="http://127.0.0.1:{t}/form" method="get"><input name="a" value="b">'
        '<input id="go" type="submit" value="Go"></form>'
    ),
    "webrtc-stun": lambda t, u: _script(
        f'const pc = new RTCPeerConnection({{iceServers: [{{urls: "stun:127.0.0.1:{u}"}}]}});'
        'pc.createDataChannel("x"); pc.createOffer().then(o => pc.setLocalDescription(o));'
    ),
    # More of the same kinds, for good measure.
    "webrtc-turn-tcp": lambda t, u: _script(
        f'const pc = new RTCPeerConnection({{iceServers: [{{urls: "turn:127.0.0.1:{t}?transport=tcp",'
        ' username: "u", credential: "c"}]});'
        'pc.createDataChannel("x"); pc.createOffer().then(o => pc.setLocalDescription(o));'
    ),
    "script-navigation": lambda t, u: _script(f'location.href = "http://127.0.0.1:{t}/navigate"'),
    "link-preconnect": lambda t, u: f'<link rel="preconnect" href="http://127.0.0.1:{t}"><p>hello</p>',
    "link-prefetch": lambda t, u: f'<link rel="prefetch" href="http://127.0.0.1:{t}/prefetch"><p>hello</p>',
    "video": lambda t, u: f'<video src="http://127.0.0.1:{t}/v.mp4" autoplay muted></video>',
}


@pytest.fixture(scope="module")
def shared_camera(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Camera]:
    with Camera(tmp_path_factory.mktemp("catalog")) as cam:
        yield cam


@pytest.fixture
def camera(shared_camera: Camera) -> Camera:
    """One browser for the module (each test's listener has new ports, so whatever an earlier
    email left behind knocks on a closed port); restarted if an earlier email navigated a page
    away, so one vector's failure does not fail the next."""
    if any(page.url != ORIGIN + "/" for page in _pages(shared_camera)):
        shared_camera.close()
    return shared_camera


@pytest.fixture(scope="module")
def unguarded(shared_camera: Camera) -> Iterator[Any]:
    """A plain Chromium (same binary and launch flags, none of the camera's guards): where each
    vector must connect, so the test knows it is live and how long it takes."""
    from harness.screenshots.camera import shared_playwright

    browser = shared_playwright().chromium.launch(executable_path=shared_camera.executable, args=list(LAUNCH_FLAGS))
    try:
        yield browser
    finally:
        browser.close()


def _email(body: str) -> str:
    return f"<!doctype html><html lang='en'><head><title>t</title></head><body><p id='email'>email</p>{body}</body></html>"


def _control(browser: Any, vector: str, timeout: float = CONTROL_TIMEOUT_S) -> tuple[bool, float]:
    """Whether the vector reached a listener of its own from an unguarded page, and in how many
    seconds (the wait ends on the listener's event, or after ``timeout``)."""
    spy = Listener()  # not the test's: a late connection of this page must not count there
    context = browser.new_context()
    try:
        page = context.new_page()
        started = time.monotonic()
        page.set_content(_email(VECTORS[vector](spy.tcp_port, spy.udp_port)), wait_until="commit")
        if page.locator("#go").count():
            page.locator("#go").click(timeout=2000, no_wait_after=True)
        while not spy.arrived.is_set() and time.monotonic() - started < timeout:
            page.wait_for_timeout(20)  # pumps Playwright's events while the page tries
        return spy.arrived.is_set(), time.monotonic() - started
    finally:
        context.close()
        spy.stop()


def _pages(camera: Camera) -> list[Any]:
    return list(camera._pages.values())


def _on(camera: Camera, page: Any, job: Callable[[Any], T]) -> T:
    """``job(page)`` on the thread that drives ``page``: a check page's objects answer only on
    the camera's lane, the screenshot pages' on this thread."""
    if id(page) in camera._worlds:
        return camera.on_checks(lambda: job(page)).result()
    return job(page)


def _click_go(page: Any) -> None:
    go = page.locator("#go")
    if go.count():
        go.click(timeout=2000)


def _try_everything(camera: Camera, grace_ms: float) -> None:
    """Click the submit button, if any (nothing in the harness clicks, but a form must not leave
    the page even then), and give the loaded pages ``grace_ms`` to try (a few times what the
    unguarded page needed to connect), pumping Playwright's events of both threads meanwhile so
    a routed request is answered, not merely held."""
    for page in _pages(camera):
        _on(camera, page, _click_go)
    checks = [page for page in _pages(camera) if id(page) in camera._worlds]
    lane = camera.on_checks(lambda: checks[0].wait_for_timeout(grace_ms)) if checks else None
    camera._page.wait_for_timeout(grace_ms)
    if lane is not None:
        lane.result()


@pytest.mark.parametrize("vector", list(VECTORS))
def test_a_render_opens_no_connection(vector: str, listener: Listener, camera: Camera, unguarded: Any) -> None:
    arrived, needed = _control(unguarded, vector, timeout=FIXED_GRACE_MS / 1000 if vector in NO_CONTROL else CONTROL_TIMEOUT_S)
    if vector in NO_CONTROL:
        assert not arrived, f"{vector} connects unguarded now: remove it from NO_CONTROL"
        grace_ms = FIXED_GRACE_MS
    else:
        assert arrived, f"{vector}: no connection even from an unguarded page in {CONTROL_TIMEOUT_S} s; the vector is dead"
        grace_ms = max(MIN_GRACE_MS, GRACE_FACTOR * needed * 1000)
    html = _email(VECTORS[vector](listener.tcp_port, listener.udp_port))
    errors: list[str] = []
    counts: dict[str, tuple[int, int]] = {}
    phases = (
        ("screenshot page", False, ["desktop"]),
        ("with the check page", True, ["desktop"]),
        # The looks' pages: images off (pages of their own), pseudo-locale, dark, forced dark.
        ("every look", True, ["mobile-images-off", "desktop-pseudo", "mobile-dark", "mobile-forced-dark"]),
    )
    for phase, accessibility, names in phases:
        try:
            camera.shoot(html, [VIEWPORTS[name] for name in names], accessibility=accessibility)
            _try_everything(camera, grace_ms)
        except ScreenshotError as exc:  # a render that fails is a finding too, reported below
            errors.append(f"{phase}: {exc}")
        counts[phase] = listener.count()
    assert listener.count() == (0, 0), (
        f"{vector}: (tcp connections, udp datagrams) after each phase {counts}; requests {listener.seen}"
    )
    assert not errors
    # Nothing navigated away: every page still shows the email, at the fake origin.
    assert [(page.url, _on(camera, page, lambda p: p.locator("#email").count())) for page in _pages(camera)] == [(ORIGIN + "/", 1)] * 4


def test_the_email_s_own_scripts_do_not_run_in_the_axe_page_but_axe_does(camera: Camera, unguarded: Any) -> None:
    """The scripted page runs the harness's code (axe-core, measurements), never the email's
    (which do run in an unguarded page: the test waits for that first)."""
    ran = "document.getElementById('p').textContent +="
    html = f"""<!doctype html><html lang="en"><head><title>t</title></head><body>
      <p id="p" style="color:#ddd;background:#fff">static</p>
      <script>{ran} " script"</script>
      <svg><script>{ran} " svg-script"</script></svg>
      <img src="data:," alt="" onerror="{ran} ' onerror'">
      <body onload="{ran} ' onload'">
      <a id="go" href="javascript:void({ran} ' javascript-url')">go</a>
      </body></html>"""
    context = unguarded.new_context()
    try:
        control = context.new_page()
        started = time.monotonic()
        control.set_content(html)
        control.wait_for_function("document.getElementById('p').textContent.includes(' script')", timeout=CONTROL_TIMEOUT_S * 1000)
        needed = time.monotonic() - started
    finally:
        context.close()
    shots = camera.shoot(html, [VIEWPORTS["desktop"]], accessibility=True)
    _try_everything(camera, max(MIN_GRACE_MS, GRACE_FACTOR * needed * 1000))
    page = camera._pages[True, True]
    assert _on(camera, page, lambda p: p.locator("#p").inner_text(timeout=2000)) == "static"
    assert _on(camera, page, lambda p: p.evaluate("1 + 1")) == 2
    assert shots.axe is not None and "color-contrast" in [v["id"] for v in shots.axe]


def test_the_network_flags_are_not_part_of_the_browser_fingerprint(camera: Camera) -> None:
    """They change no pixel; in the fingerprint they would flag every approved screenshot as taken
    with another browser."""
    assert camera.fingerprint.flags == LAUNCH_FLAGS
    assert not set(ISOLATION_FLAGS) & set(LAUNCH_FLAGS)
