"""The approved screenshot stays the picture of the approved HTML: a small style edit under the
pixel tolerance does not leave the old PNG as the baseline of every later edit."""

from __future__ import annotations

import io

from PIL import Image

from harness.catalog import ScreenshotSettings
from harness.screenshots.browser import Fingerprint
from harness.screenshots.camera import Shots
from harness.screenshots.stage import screenshot_case
from harness.timing import Stopwatch

HERE = Fingerprint("Chromium 156.0.8078.114", ("--headless",), "fonts-a")


def button(shade: int) -> bytes:
    """A 100x100 white picture with one 2x2 'button' whose blue is ``shade``."""
    image = Image.new("RGB", (100, 100), (255, 255, 255))
    for x in range(2):
        for y in range(2):
            image.putpixel((x, y), (29, 78, shade))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class Camera:
    fingerprint = HERE

    def __init__(self, png: bytes) -> None:
        self.png, self.stopwatch = png, Stopwatch()

    def shoot(self, html, viewports, *, mask=(), accessibility=False, rtl=False):
        return Shots({v.name: self.png for v in viewports}, [], {v.name: {"overflow": []} for v in viewports})


APPROVED_BLOCK = {"html": "old-html", "fingerprint": HERE.to_json(), "viewports": ["desktop"], "mask": [], "probes": "p"}
# 4 of 10,000 pixels differ: under a 1% tolerance.
SETTINGS = ScreenshotSettings(viewports=["desktop"], max_diff_ratio=0.01)


def test_a_changed_document_within_tolerance_carries_its_new_picture_to_the_report():
    old, new = button(216), button(175)
    outcome = screenshot_case(Camera(new), SETTINGS, "<p>new</p>", "new-html", {"desktop.png": old}, APPROVED_BLOCK, accessibility=False)
    assert not outcome.changes  # no screenshot change to review: the HTML change is the one
    assert outcome.pngs["desktop.png"] == new  # what 'approve --from' writes with the new HTML


def test_the_same_document_within_tolerance_keeps_the_approved_bytes():
    old, noisy = button(216), button(175)
    block = APPROVED_BLOCK | {"html": "same-html"}
    outcome = screenshot_case(Camera(noisy), SETTINGS, "<p>same</p>", "same-html", {"desktop.png": old}, block, accessibility=False)
    assert not outcome.changes and outcome.pngs["desktop.png"] == old  # no churn from noise
