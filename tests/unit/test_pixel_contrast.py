"""Contrast read from a screenshot's pixels (the forced-dark variant, which axe-core cannot see):
WCAG's ratio, and text drawn with Pillow the way a browser paints it, anti-aliased."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image, ImageDraw, ImageFont

from harness.errors import SnapshotError
from harness.screenshots.contrast import LowContrast, contrast_ratio, low_contrast

FONTS = "/usr/share/fonts/truetype/dejavu"
WHITE, BLACK, GREY_77 = (255, 255, 255), (0, 0, 0), (0x77, 0x77, 0x77)
NAVY, SLATE, LIGHT, GREY_6B = "#0b1220", "#52606d", "#e5e7eb", "#6b6b6b"  # SLATE on NAVY: axe says 2.9:1
SENTENCE = "Your order ships within two days."


def draw(image: Image.Image, text: str, colour: str, at: tuple[int, int], *, size: int = 15, bold: bool = False,
         element: str = "p", large: bool = False) -> dict:
    """``text`` drawn on ``image`` at ``at``; its box as the page probe reports it (the line box,
    a few pixels of background around the glyphs)."""
    font = ImageFont.truetype(f"{FONTS}/DejaVuSans{'-Bold' if bold else ''}.ttf", size)
    ImageDraw.Draw(image).text(at, text, fill=colour, font=font)
    left, top, right, bottom = ImageDraw.Draw(image).textbbox(at, text, font=font)
    return {"element": element, "text": text, "x": left - 4, "y": top - 4, "width": right - left + 8,
            "height": bottom - top + 8, "large": large}


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def one_line(colour: str, text: str = SENTENCE, **kwargs) -> tuple[bytes, dict]:
    image = Image.new("RGB", (600, 60), NAVY)
    box = draw(image, text, colour, (20, 20), **kwargs)
    return png(image), box


# -- contrast_ratio --------------------------------------------------------------------------


def test_the_ratio_follows_wcag():
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21.0)
    assert round(contrast_ratio(GREY_77, WHITE), 2) == 4.48  # WebAIM's and axe's value for #777 on #fff
    assert contrast_ratio(GREY_77, GREY_77) == 1.0
    assert contrast_ratio(WHITE, GREY_77) == contrast_ratio(GREY_77, WHITE)


# -- low_contrast ----------------------------------------------------------------------------


def test_dim_text_on_a_dark_background_is_found_with_its_colours():
    shot, box = one_line(SLATE)
    [found] = low_contrast(shot, [box])
    assert found == LowContrast("p", SENTENCE, found.ratio, 4.5, SLATE, NAVY)
    assert abs(found.ratio - 2.9) <= 0.3


def test_light_text_on_a_dark_background_passes():
    shot, box = one_line(LIGHT)
    assert low_contrast(shot, [box]) == []


def test_large_text_needs_three_to_one():
    shot, box = one_line(GREY_6B, "Your order", size=24, bold=True, element="h1", large=True)
    assert round(contrast_ratio((0x6B, 0x6B, 0x6B), (0x0B, 0x12, 0x20)), 1) == 3.5
    assert low_contrast(shot, [box]) == []
    [found] = low_contrast(shot, [{**box, "large": False}])
    assert (found.required, found.foreground) == (4.5, GREY_6B)
    assert low_contrast(shot, [box], large=4.0)[0].required == 4.0


def test_the_ratio_is_cut_to_two_decimals_as_axe_reports_it():
    image = Image.new("RGB", (100, 20), "#ffffff")
    ImageDraw.Draw(image).rectangle((10, 5, 40, 12), fill="#777777")  # 4.478...
    [found] = low_contrast(png(image), [{"element": "p", "text": "x", "x": 0, "y": 0, "width": 100, "height": 20, "large": False}])
    assert (found.ratio, found.foreground, found.background) == (4.47, "#777777", "#ffffff")


def test_a_few_stray_pixels_do_not_count_as_the_text_colour():
    image = Image.new("RGB", (600, 60), NAVY)
    box = draw(image, SENTENCE, SLATE, (20, 20))
    for x in range(3):  # the corner of a white neighbour caught by the box
        image.putpixel((box["x"] + x, box["y"]), WHITE)
    [found] = low_contrast(png(image), [box])
    assert found.foreground == SLATE


def test_a_box_partly_outside_the_image_is_clipped():
    shot, box = one_line(SLATE)
    wider = {**box, "x": -50, "y": box["y"], "width": 2000, "height": 500}
    assert [f.foreground for f in low_contrast(shot, [wider])] == [SLATE]


def test_empty_boxes_are_skipped():
    shot, box = one_line(SLATE)
    empty = [
        {**box, "width": 0},
        {**box, "height": -3},
        {**box, "x": 700},  # beyond the right edge
        {**box, "y": -200},  # above the page
        {**box, "y": box["y"] + box["height"] + 2, "height": 5},  # below the text: background only
    ]
    assert low_contrast(shot, empty) == []
    assert len(low_contrast(shot, [*empty, box])) == 1


def test_boxes_are_reported_in_order_and_a_long_page_is_read_once():
    image = Image.new("RGB", (600, 2000), NAVY)
    boxes = [draw(image, f"Line {n}: {SENTENCE}", SLATE if n % 2 else LIGHT, (20, 20 * n), element=f"p{n}")
             for n in range(100)]
    shot = png(image)
    started = time.perf_counter()
    found = low_contrast(shot, boxes)
    elapsed = time.perf_counter() - started
    assert [f.element for f in found] == [f"p{n}" for n in range(1, 100, 2)]
    assert elapsed < 0.5  # about 30 ms here, 20 of them the decode; decoding it per box takes 2 s


def test_an_unreadable_png_is_a_snapshot_error():
    with pytest.raises(SnapshotError, match="not a readable PNG"):
        low_contrast(b"not a png", [])
