"""The screenshot diff: ``compare_png`` (identical bytes, pixelmatch with a threshold, padding of
a taller page) and the stage's verdict with the template's ``threshold`` and ``max_diff_ratio``."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest
from PIL import Image

from harness.catalog import ScreenshotSettings
from harness.errors import SnapshotError
from harness.screenshots.browser import Fingerprint
from harness.screenshots.camera import Shots
from harness.screenshots.compare import ImageDiff, compare_png
from harness.screenshots.probes import VERSION as PROBES_VERSION
from harness.screenshots.stage import ScreenshotChange, screenshot_case
from harness.timing import Stopwatch

WHITE, BLACK, OFF_WHITE = (255, 255, 255), (0, 0, 0), (250, 250, 250)


def png(width: int = 10, height: int = 10, color=WHITE, *, changed: int = 0, to=BLACK) -> bytes:
    """A ``width`` x ``height`` PNG of ``color`` whose first ``changed`` pixels are ``to``."""
    image = Image.new("RGB", (width, height), color)
    for n in range(changed):
        image.putpixel((n % width, n // width), to)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


# -- compare_png -----------------------------------------------------------------------------


def test_identical_bytes_pass_without_a_pixel_diff():
    same = png(4, 3)
    assert compare_png(same, same) == ImageDiff(0, 12, (4, 3), (4, 3), None)


def test_the_same_pixels_in_other_bytes_are_no_change():
    a, b = png(4, 3), Image.new("RGB", (4, 3), WHITE)
    buffer = io.BytesIO()
    b.save(buffer, "PNG", compress_level=0)
    assert buffer.getvalue() != a
    assert compare_png(a, buffer.getvalue()) == ImageDiff(0, 12, (4, 3), (4, 3), None)


def test_changed_pixels_are_counted_with_a_diff_image():
    diff = compare_png(png(), png(changed=5))
    assert (diff.changed_pixels, diff.total_pixels, diff.ratio) == (5, 100, 0.05)
    assert diff.diff_png is not None and Image.open(io.BytesIO(diff.diff_png)).size == (10, 10)
    assert diff.describe() == "5 of 100 pixels differ (5.00%)"


def test_the_threshold_decides_which_colour_changes_count():
    subtle = png(changed=10, to=OFF_WHITE)
    assert compare_png(png(), subtle).changed_pixels == 0  # pixelmatch's default 0.1 ignores it
    assert compare_png(png(), subtle, threshold=0.0).changed_pixels == 10
    assert compare_png(png(), png(changed=10, to=(200, 200, 200)), threshold=0.05).changed_pixels == 10
    assert compare_png(png(), png(changed=10, to=(200, 200, 200)), threshold=0.5).changed_pixels == 0


def test_a_taller_page_counts_every_pixel_beyond_the_old_edge_as_changed():
    diff = compare_png(png(10, 10), png(10, 12))
    assert (diff.changed_pixels, diff.total_pixels) == (20, 120)
    assert (diff.approved_size, diff.received_size) == ((10, 10), (10, 12))
    assert diff.describe() == "20 of 120 pixels differ (16.67%); size 10x10 -> 10x12 px"
    wider = compare_png(png(12, 10), png(10, 10))
    assert (wider.changed_pixels, wider.total_pixels) == (20, 120)


def test_a_white_page_padded_still_shows_as_changed():
    """Padding is magenta, not transparent: a taller all-white page is not "no change"."""
    assert compare_png(png(10, 10, WHITE), png(10, 11, WHITE)).changed_pixels == 10


def test_ratio_of_an_empty_image_is_zero():
    assert ImageDiff(0, 0, (0, 0), (0, 0)).ratio == 0.0


def test_an_unreadable_png_is_a_snapshot_error_naming_it():
    with pytest.raises(SnapshotError, match=r"approved desktop.png: not a readable PNG"):
        compare_png(b"not a png", png(), label="desktop.png")
    with pytest.raises(SnapshotError, match=r"^desktop.png: not a readable PNG"):
        compare_png(png(), png()[:40], label="desktop.png")


# -- the screenshot stage: the template's threshold and max_diff_ratio -------------------------

HERE = Fingerprint("Chromium 140", ("--headless",), "fonts-a")
ELSEWHERE = Fingerprint("Chromium 139", ("--headless",), "fonts-a")


@dataclass
class FakeCamera:
    """Stands for the browser: returns the PNGs it is given for each viewport."""

    pngs: dict[str, bytes]
    fingerprint: Fingerprint = HERE
    stopwatch: Stopwatch = field(default_factory=Stopwatch)
    shots: int = 0
    asked: list = field(default_factory=list)
    axe: list = field(default_factory=lambda: [{"id": "region", "impact": "moderate", "help": "h", "nodes": ["p"]}])

    def shoot(self, html, viewports, *, mask=(), accessibility=False, rtl=False):
        self.shots += 1
        self.asked.append((html, [v.name for v in viewports], list(mask), accessibility))
        return Shots({v.name: self.pngs[v.name] for v in viewports}, axe=self.axe if accessibility else None)


def block(html_hash: str = "h1", fingerprint: Fingerprint = HERE, **extra):
    return {"html": html_hash, "fingerprint": fingerprint.to_json(), "viewports": ["desktop"], "mask": [], "probes": PROBES_VERSION, **extra}


def stage(received: bytes, approved: bytes | None, *, html_hash: str = "h2", approved_block=None, approving=False, **settings):
    camera = FakeCamera({"desktop": received})
    outcome = screenshot_case(
        camera, ScreenshotSettings(viewports=["desktop"], **settings), "<html></html>", html_hash,
        {} if approved is None else {"desktop.png": approved}, block() if approved_block is None else approved_block,
        accessibility=False, approving=approving,
    )
    return outcome, camera


def test_a_change_beyond_the_tolerance_is_a_change_with_its_diff():
    approved, received = png(), png(changed=5)
    outcome, _ = stage(received, approved)
    assert outcome.changes == [ScreenshotChange("desktop.png", "changed", "5 of 100 pixels differ (5.00%)")]
    assert outcome.pngs == {"desktop.png": received} and list(outcome.diffs) == ["desktop.diff.png"]


def test_the_templates_threshold_is_used():
    approved, subtle = png(), png(changed=10, to=OFF_WHITE)
    assert stage(subtle, approved)[0].changes == []  # the default 0.1
    outcome, _ = stage(subtle, approved, threshold=0.0)
    assert [c.description for c in outcome.changes] == ["10 of 100 pixels differ (10.00%)"]


def test_max_diff_ratio_is_a_share_of_the_pixels():
    approved, received = png(), png(changed=5)  # 5 % of the pixels
    for ratio, changed in ((0.05, False), (0.06, False), (0.049, True), (0.0005, True)):
        outcome, _ = stage(received, approved, max_diff_ratio=ratio)
        assert bool(outcome.changes) is changed, ratio
    within, _ = stage(received, approved, max_diff_ratio=0.05, html_hash="h1", approved_block=block(fingerprint=ELSEWHERE))
    assert within.pngs == {"desktop.png": approved}  # the same document within tolerance: the approved bytes are kept
    edited, _ = stage(received, approved, max_diff_ratio=0.05)
    assert edited.pngs == {"desktop.png": received}  # a changed document: its own picture goes with it


def test_approving_within_tolerance_keeps_this_machines_pixels():
    approved, received = png(), png(changed=5)
    outcome, _ = stage(received, approved, max_diff_ratio=0.05, approving=True)
    assert outcome.pngs == {"desktop.png": received} and outcome.changes == []


def test_a_new_viewport_is_new_and_a_dropped_one_removed():
    outcome, _ = stage(png(), None)
    assert outcome.changes == [ScreenshotChange("desktop.png", "new")]
    camera = FakeCamera({"desktop": png()})
    outcome = screenshot_case(camera, ScreenshotSettings(viewports=["desktop"]), "<html></html>", "h2",
                              {"desktop.png": png(), "mobile.png": png()}, block(), accessibility=False)
    assert outcome.changes == [ScreenshotChange("mobile.png", "removed", "viewport no longer screenshotted")]


def test_unchanged_html_on_the_same_browser_reuses_the_approved_pngs():
    approved = png()
    outcome, camera = stage(png(changed=50), approved, html_hash="h1", approved_block=block("h1"))
    assert outcome.reused and camera.shots == 0 and outcome.pngs == {"desktop.png": approved}
    outcome, camera = stage(png(changed=50), approved, html_hash="h1", approved_block=block("h1", ELSEWHERE))
    assert not outcome.reused and camera.shots == 1


def test_pixels_that_differ_on_another_browser_with_the_same_html_are_an_environment_note():
    approved, received = png(), png(changed=50)
    outcome, _ = stage(received, approved, html_hash="h1", approved_block=block("h1", ELSEWHERE))
    assert outcome.changes == [] and outcome.environment_diffs == 1
    assert outcome.environment == "Chromium 139; this machine has Chromium 140"
    assert outcome.pngs == {"desktop.png": approved} and outcome.manifest["fingerprint"] == ELSEWHERE.to_json()
    changed_html, _ = stage(received, approved, html_hash="h2", approved_block=block("h1", ELSEWHERE))
    assert [c.status for c in changed_html.changes] == ["changed"]


def test_the_diff_image_marks_changed_pixels_in_red():
    diff = compare_png(png(), png(changed=3))
    image = Image.open(io.BytesIO(diff.diff_png))
    assert image.mode == "RGB"
    red, green, blue = image.getpixel((0, 0))
    assert red > 200 and green < 100 and blue < 100
    assert image.getpixel((9, 9)) != image.getpixel((0, 0))


def test_an_unreadable_png_is_named_by_its_default_label():
    with pytest.raises(SnapshotError, match=r"^approved screenshot: not a readable PNG"):
        compare_png(b"not a png", png())


def test_within_tolerance_the_approved_bytes_of_the_same_document_are_kept_by_default():
    approved, received = png(), png(changed=5)
    outcome = screenshot_case(FakeCamera({"desktop": received}), ScreenshotSettings(viewports=["desktop"], max_diff_ratio=0.05),
                              "<html></html>", "h1", {"desktop.png": approved}, block(fingerprint=ELSEWHERE), accessibility=False)
    assert outcome.pngs == {"desktop.png": approved}


def test_the_manifest_block_records_what_the_pngs_depend_on():
    outcome, camera = stage(png(), png(), mask=["[data-field=date]"])
    assert outcome.manifest == {"html": "h2", "fingerprint": HERE.to_json(), "viewports": ["desktop"], "mask": ["[data-field=date]"],
                                "probes": PROBES_VERSION, "page": {}}
    assert camera.asked == [("<html></html>", ["desktop"], ["[data-field=date]"], False)]
    assert outcome.axe is None and outcome.environment == ""


def test_the_accessibility_scan_is_asked_for_and_recorded():
    camera = FakeCamera({"desktop": png()})
    outcome = screenshot_case(camera, ScreenshotSettings(viewports=["desktop"]), "<html></html>", "h2", {"desktop.png": png()}, block(),
                              accessibility=True)
    assert camera.asked[0][3] is True
    assert outcome.axe == camera.axe and outcome.manifest["axe"] == camera.axe


def test_reuse_with_accessibility_needs_the_approved_scan():
    approved = png()
    with_scan = block("h1", axe=[{"id": "region"}])
    camera = FakeCamera({"desktop": png(changed=1)})
    outcome = screenshot_case(camera, ScreenshotSettings(viewports=["desktop"]), "<html></html>", "h1", {"desktop.png": approved}, with_scan,
                              accessibility=True)
    assert outcome.reused and camera.shots == 0
    assert outcome.axe == [{"id": "region"}] and outcome.manifest["axe"] == [{"id": "region"}]
    reused_without, _ = stage(png(), approved, html_hash="h1", approved_block=block("h1"))
    assert reused_without.reused and "axe" not in reused_without.manifest and reused_without.axe is None
    camera = FakeCamera({"desktop": approved})
    outcome = screenshot_case(camera, ScreenshotSettings(viewports=["desktop"]), "<html></html>", "h1", {"desktop.png": approved}, block("h1"),
                              accessibility=True)
    assert not outcome.reused and camera.shots == 1


def test_every_viewport_is_compared_after_a_new_or_identical_one():
    same, changed = png(), png(changed=9)
    camera = FakeCamera({"desktop": same, "mobile": changed, "desktop-dark": changed})
    outcome = screenshot_case(camera, ScreenshotSettings(viewports=["desktop-dark", "desktop", "mobile"]), "<html></html>", "h2",
                              {"desktop.png": same, "mobile.png": same}, block(), accessibility=False)
    assert [(c.filename, c.status) for c in outcome.changes] == [("desktop-dark.png", "new"), ("mobile.png", "changed")]
    assert outcome.diffs["mobile.diff.png"].startswith(b"\x89PNG")
    assert camera.stopwatch.calls["image-diff"] == 1


def test_an_unreadable_approved_png_is_named():
    with pytest.raises(SnapshotError, match=r"^approved desktop.png: not a readable PNG"):
        stage(png(changed=1), b"garbage")


def test_environment_differences_are_counted_per_viewport():
    approved, received = png(), png(changed=50)
    camera = FakeCamera({"desktop": received, "mobile": received}, fingerprint=HERE)
    outcome = screenshot_case(camera, ScreenshotSettings(viewports=["desktop", "mobile"]), "<html></html>", "h1",
                              {"desktop.png": approved, "mobile.png": approved},
                              {**block("h1", ELSEWHERE), "viewports": ["desktop", "mobile"]}, accessibility=False)
    assert outcome.environment_diffs == 2 and outcome.changes == []


def test_a_changed_email_on_another_browser_records_this_machines_fingerprint():
    outcome, _ = stage(png(changed=50), png(), html_hash="h2", approved_block=block("h1", ELSEWHERE))
    assert outcome.environment == "Chromium 139; this machine has Chromium 140"
    assert outcome.manifest["fingerprint"] == HERE.to_json()


def test_a_case_without_approved_screenshots_has_no_environment_note():
    camera = FakeCamera({"desktop": png()})
    outcome = screenshot_case(camera, ScreenshotSettings(viewports=["desktop"]), "<html></html>", "h2", {}, None, accessibility=False)
    assert outcome.environment == "" and [c.status for c in outcome.changes] == ["new"]
