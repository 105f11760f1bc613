"""A render never reaches the network: no request, navigation, frame, popup, form, socket or
WebRTC packet leaves the browser, from the screenshot page (JavaScript off) nor from the scripted
accessibility page (axe-core).

A listener on 127.0.0.1 (TCP for everything that speaks HTTP or WebSocket, UDP for STUN) counts
what arrives while an email carrying one vector is rendered through the camera, first for the
screenshots only, then with the axe scan; each page gets a second to try.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.errors import ScreenshotError
from harness.screenshots import LAUNCH_FLAGS, ORIGIN, VIEWPORTS, Camera
from harness.screenshots.browser import ISOLATION_FLAGS

#: How long a page may keep trying after it loaded (timers, refreshes, ICE gathering).
GRACE_MS = 1000


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


def _pages(camera: Camera) -> list[Any]:
    return list(camera._pages.values())


def _try_everything(camera: Camera) -> None:
    """Click the submit button, if any (nothing in the harness clicks, but a form must not leave
    the page even then), and give the loaded pages time to try, pumping Playwright's events
    meanwhile so a routed request is answered, not merely held."""
    for page in _pages(camera):
        go = page.locator("#go")
        if go.count():
            go.click(timeout=2000)
    camera._page.wait_for_timeout(GRACE_MS)


@pytest.mark.parametrize("vector", list(VECTORS))
def test_a_render_opens_no_connection(vector: str, listener: Listener, camera: Camera) -> None:
    body = VECTORS[vector](listener.tcp_port, listener.udp_port)
    html = f"<!doctype html><html lang='en'><head><title>t</title></head><body><p id='email'>email</p>{body}</body></html>"
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
            _try_everything(camera)
        except ScreenshotError as exc:  # a render that fails is a finding too, reported below
            errors.append(f"{phase}: {exc}")
        counts[phase] = listener.count()
    assert listener.count() == (0, 0), (
        f"{vector}: (tcp connections, udp datagrams) after each phase {counts}; requests {listener.seen}"
    )
    assert not errors
    # Nothing navigated away: every page still shows the email, at the fake origin.
    assert [(page.url, page.locator("#email").count()) for page in _pages(camera)] == [(ORIGIN + "/", 1)] * 4


def test_the_email_s_own_scripts_do_not_run_in_the_axe_page_but_axe_does(camera: Camera) -> None:
    """The scripted page runs the harness's code (axe-core, measurements), never the email's."""
    ran = "document.getElementById('p').textContent +="
    html = f"""<!doctype html><html lang="en"><head><title>t</title></head><body>
      <p id="p" style="color:#ddd;background:#fff">static</p>
      <script>{ran} " script"</script>
      <svg><script>{ran} " svg-script"</script></svg>
      <img src="data:," alt="" onerror="{ran} ' onerror'">
      <body onload="{ran} ' onload'">
      <a id="go" href="javascript:void({ran} ' javascript-url')">go</a>
      </body></html>"""
    shots = camera.shoot(html, [VIEWPORTS["desktop"]], accessibility=True)
    _try_everything(camera)
    page = camera._pages[True, True]
    assert page.locator("#p").inner_text(timeout=2000) == "static"
    assert page.evaluate("1 + 1") == 2
    assert shots.axe is not None and "color-contrast" in [v["id"] for v in shots.axe]


def test_the_network_flags_are_not_part_of_the_browser_fingerprint(camera: Camera) -> None:
    """They change no pixel; in the fingerprint they would flag every approved screenshot as taken
    with another browser."""
    assert camera.fingerprint.flags == LAUNCH_FLAGS
    assert not set(ISOLATION_FLAGS) & set(LAUNCH_FLAGS)
