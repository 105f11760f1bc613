"""Which Chromium to launch, with which flags, and the fingerprint that says what produced a PNG.

Playwright's own Chromium is used where ``playwright install chromium`` put it; otherwise the
system Chromium (Debian's ``chromium`` package, installed by ``make setup``). We launch the real
binary ``/usr/lib/chromium/chromium``: ``/usr/bin/chromium`` is a wrapper script that adds flags
from ``/etc/chromium.d`` which change pixels.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

__all__ = ["ISOLATION_FLAGS", "LAUNCH_FLAGS", "SYSTEM_CHROMIUM", "Fingerprint", "browser_version", "executable_for", "fonts_digest", "playwright_chromium"]

SYSTEM_CHROMIUM = (Path("/usr/lib/chromium/chromium"), Path("/usr/lib/chromium-browser/chromium-browser"))

#: Flags for byte-stable output (measured: twelve shots over two launches gave one hash) and for a
#: browser that never phones home.
LAUNCH_FLAGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--font-render-hinting=none",
    "--force-color-profile=srgb",
    "--disable-lcd-text",
    "--disable-font-subpixel-positioning",
    "--hide-scrollbars",
)

#: Flags that keep a render off the network even if a request, socket or packet got past the
#: router, the page's content security policy and the blocked navigations (see camera.py); the
#: only layer that stops the socket Chromium opens ahead of a navigation (an iframe, a meta
#: refresh) before the router sees its request. Only the camera adds them: a browser that must
#: reach a local server (the review page in tests/test_report_review.py) keeps LAUNCH_FLAGS. They
#: are left out of the fingerprint on purpose: every answer a page gets comes from the router
#: inside the browser, so they change no pixel (measured: all bundled screenshots byte-identical
#: with and without them), and adding them must not make every approved screenshot "approved
#: with another browser".
ISOLATION_FLAGS: tuple[str, ...] = (
    # Every connection goes to a proxy that cannot exist; `<-loopback>` drops the built-in bypass
    # for localhost, so 127.0.0.1 goes there too. The resolver maps every name to "not found"
    # without asking DNS, so even the proxy's name never leaves the machine.
    "--proxy-server=http://proxy.email-harness.invalid:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    # WebRTC's UDP (STUN) does not use the proxy: allow only proxied UDP, i.e. none. Chromium
    # 156 headless honours the second switch (measured: the first alone still sent STUN);
    # the first is the full browser's name for it.
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
)


def playwright_chromium() -> Path | None:
    """The newest Chromium that ``playwright install chromium`` downloaded, if any."""
    base = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    patterns = ("chromium-*/chrome-linux*/chrome", "chromium-*/chrome-win*/chrome.exe",
                "chromium-*/chrome-mac*/*.app/Contents/MacOS/*")
    found = [p for pattern in patterns for p in base.glob(pattern) if p.is_file()]
    revision = lambda p: int(re.sub(r"\D", "", p.relative_to(base).parts[0]) or 0)  # noqa: E731
    return max(found, key=revision, default=None)


def executable_for(setting: str) -> str:
    """The browser binary for the ``browser`` setting: ``auto`` (Playwright's own if installed, else
    the system Chromium), ``playwright``, ``system``, or a path. Found without starting Playwright,
    so an unchanged run that reuses every screenshot never starts a browser."""
    setting = os.environ.get("EMAIL_HARNESS_BROWSER", setting)
    if setting in ("auto", "playwright"):
        own = playwright_chromium()
        if own is not None:
            return str(own)
        if setting == "playwright":
            raise ConfigError("browser = 'playwright' but no Playwright Chromium is installed; run 'playwright install chromium'")
    if setting in ("auto", "system"):
        for candidate in SYSTEM_CHROMIUM:
            if candidate.is_file():
                return str(candidate)
        raise ConfigError(
            "no Chromium found for screenshots: run 'make setup' (installs Debian's chromium) or "
            "'playwright install chromium', or turn screenshots off with --no-screenshots"
        )
    if not Path(setting).is_file():
        raise ConfigError(f"browser {setting!r} is not a file; set [tool.email-harness] browser to auto, system, playwright or a path")
    return setting


def browser_version(executable: str) -> str:
    """``Chromium 156.0.8078.108`` as the binary reports it (~40 ms; no browser window)."""
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConfigError(f"cannot run {executable} --version: {exc}") from None
    return " ".join(out.stdout.split()) or f"unknown ({Path(executable).name})"


def fonts_digest() -> str:
    """A short digest of the installed font files (name and size), as fontconfig lists them."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return "unknown"
    try:
        out = subprocess.run([fc_list, "--format", "%{file}\n"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    digest = hashlib.sha256()
    for line in sorted(set(out.splitlines())):
        path = Path(line)
        size = path.stat().st_size if path.is_file() else 0
        digest.update(f"{path.name}:{size}\n".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Fingerprint:
    """What a screenshot depends on besides the HTML; recorded in the snapshot manifest."""

    browser: str
    flags: tuple[str, ...]
    fonts: str

    def to_json(self) -> dict[str, object]:
        return {"browser": self.browser, "flags": list(self.flags), "fonts": self.fonts}

    @classmethod
    def from_json(cls, data: object) -> Fingerprint | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(str(data["browser"]), tuple(str(f) for f in data["flags"]), str(data["fonts"]))
        except (KeyError, TypeError):
            return None

    def describe_difference(self, other: Fingerprint) -> str:
        """What differs, from ``self`` (approved) to ``other`` (this machine)."""
        parts = []
        if self.browser != other.browser:
            parts.append(f"{self.browser}; this machine has {other.browser}")
        if self.flags != other.flags:
            parts.append("different launch flags")
        if self.fonts != other.fonts:
            parts.append(f"fonts {self.fonts}; this machine has fonts {other.fonts}")
        return ", ".join(parts)
