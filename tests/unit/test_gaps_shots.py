"""Approved screenshots are reused only when nothing they depend on changed; ``screenshots.mask``
is one of those things: a region newly painted over (or no longer painted over) changes the
pixels, so the PNGs are taken again and the difference is a change a reviewer sees.

No browser here: a fake camera returns the PNG it is told to, and the camera's own cache is
driven with its page work replaced."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image

from harness.catalog import ScreenshotSettings
from harness.screenshots.browser import Fingerprint
from harness.screenshots.camera import Camera, Shots
from harness.screenshots.probes import VERSION as PROBES_VERSION
from harness.screenshots.stage import ScreenshotChange, screenshot_case
from harness.screenshots.viewports import viewport
from harness.timing import Stopwatch

HERE = Fingerprint("Chromium 156.0.8078.114", ("--headless",), "fonts-a")
ELSEWHERE = Fingerprint("Chromium 156.0.8078.108", ("--headless",), "fonts-a")
DATE = "[data-field=date]"


def png(black_pixels: int = 0) -> bytes:
    """A 10x10 white PNG whose first ``black_pixels`` pixels are black."""
    image = Image.new("RGB", (10, 10), (255, 255, 255))
    for n in range(black_pixels):
        image.putpixel((n % 10, n // 10), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class FakeCamera:
    """Stands for the browser: every shot is ``received``; it records the masks it was asked for."""

    received: bytes
    fingerprint: Fingerprint = HERE
    stopwatch: Stopwatch = field(default_factory=Stopwatch)
    masks: list[list[str]] = field(default_factory=list)

    def shoot(self, html, viewports, *, mask=(), accessibility=False, rtl=False):
        self.masks.append(list(mask))
        return Shots({v.name: self.received for v in viewports})


def approved_block(*, mask: list[str], fingerprint: Fingerprint = HERE) -> dict:
    """The screenshot block of an approved manifest: same HTML ('h1'), one desktop viewport."""
    return {"html": "h1", "fingerprint": fingerprint.to_json(), "viewports": ["desktop"], "mask": mask, "probes": PROBES_VERSION}


def shoot(camera: FakeCamera, *, mask: list[str], approved_mask: list[str], approved: bytes, fingerprint: Fingerprint = HERE):
    return screenshot_case(camera, ScreenshotSettings(viewports=["desktop"], mask=mask), "<html></html>", "h1",
                           {"desktop.png": approved}, approved_block(mask=approved_mask, fingerprint=fingerprint),
                           accessibility=False)


def test_unchanged_html_browser_and_mask_reuse_the_approved_pngs():
    camera = FakeCamera(received=png(30))
    outcome = shoot(camera, mask=[DATE], approved_mask=[DATE], approved=png())
    assert outcome.reused is True and camera.masks == []
    assert outcome.pngs == {"desktop.png": png()}


def test_a_mask_added_to_the_template_takes_the_screenshots_again_with_it():
    """The date is now painted over: the approved PNG (date visible) cannot stand for the new one."""
    camera = FakeCamera(received=png(30))
    outcome = shoot(camera, mask=[DATE], approved_mask=[], approved=png())
    assert outcome.reused is False and camera.masks == [[DATE]]
    assert outcome.changes == [ScreenshotChange("desktop.png", "changed", "30 of 100 pixels differ (30.00%)")]
    assert outcome.pngs == {"desktop.png": png(30)} and outcome.manifest["mask"] == [DATE]


def test_a_mask_removed_from_the_template_takes_the_screenshots_again_without_it():
    camera = FakeCamera(received=png())
    outcome = shoot(camera, mask=[], approved_mask=[DATE], approved=png())
    assert outcome.reused is False and camera.masks == [[]]
    assert outcome.changes == [] and outcome.manifest["mask"] == []


def test_a_changed_mask_on_another_browser_is_a_change_not_browser_noise():
    """Same HTML on another Chromium is usually noise, reported once as an environment note; but
    with another mask the pixels differ because of the mask, and that must reach the reviewer."""
    camera = FakeCamera(received=png(30))
    outcome = shoot(camera, mask=[DATE], approved_mask=[], approved=png(), fingerprint=ELSEWHERE)
    assert outcome.environment_diffs == 0
    assert outcome.changes == [ScreenshotChange("desktop.png", "changed", "30 of 100 pixels differ (30.00%)")]
    same_mask = shoot(FakeCamera(received=png(30)), mask=[DATE], approved_mask=[DATE], approved=png(), fingerprint=ELSEWHERE)
    assert (same_mask.environment_diffs, same_mask.changes) == (1, [])  # the other side: same inputs, browser noise


def test_the_camera_does_not_answer_a_new_mask_from_its_cache(tmp_path, monkeypatch):
    """The camera caches shots of identical pages within a run (a variant shares its HTML with the
    base case); a shot with another mask is another picture."""
    camera = Camera(assets=tmp_path)
    taken: list[list[str]] = []

    def fake_shoot(html, viewports, mask, accessibility, rtl):
        taken.append(list(mask))
        return Shots({v.name: png(len(taken)) for v in viewports})

    monkeypatch.setattr(camera, "_shoot", fake_shoot)
    desktop = [viewport("desktop")]
    first = camera.shoot("<p>x</p>", desktop, mask=[])
    assert camera.shoot("<p>x</p>", desktop, mask=[]) is first  # the cache works for an identical page
    masked = camera.shoot("<p>x</p>", desktop, mask=[DATE])
    assert taken == [[], [DATE]] and masked.pngs == {"desktop": png(2)}
