"""Contrast measured from the pixels of a screenshot, for the forced-dark variant.

Chromium's auto dark mode (which imitates the mail apps that invert an email without dark styles)
recolours at paint time: computed styles still hold the light colours, so axe-core's
color-contrast cannot see what the reader sees. Only the screenshot can. Each text box is read
from the PNG: its most frequent colour is the background; its text colour is the one, among the
colours covering a real share of the other pixels, that contrasts most with it (text is
anti-aliased, and the strongest real text colour is what WCAG means).

Pillow only: numpy is not installed with the harness (no declared dependency pulls it in), and
``Image.getcolors`` on a crop does the counting in C, so ~100 boxes on a 600x2000 page take a few
milliseconds after the one decode.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from ..errors import SnapshotError

__all__ = ["LowContrast", "contrast_ratio", "low_contrast"]

Colour = tuple[int, int, int]

#: A colour counts as text when it covers at least this share of a box's non-background pixels,
#: so a few stray pixels (a neighbour's edge caught by the box) cannot stand in for the text.
#: Measured with Pillow on #0b1220: the text colour itself covers 11% of them at 11 and 15 px
#: (DejaVu Sans), 18% in DejaVu Serif, 57% in 24 px bold; the anti-aliasing fringe spreads over
#: 140-200 in-between shades, the largest at 4-9%, but a fringe sits between text and background
#: and so does not outdo it on contrast. 2% keeps a wide margin under the text colour. Hairline text
#: (DejaVu Sans ExtraLight, 13 px) never paints its full colour: the strongest shade it does paint
#: is measured, lower than its CSS colour, which is what the reader sees.
MIN_SHARE = 0.02


@dataclass(frozen=True)
class LowContrast:
    element: str
    text: str
    #: Truncated to two decimals, as axe-core reports it, so a shown 4.49 never reads as 4.5.
    ratio: float
    required: float
    foreground: str  # "#rrggbb"
    background: str


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


_LINEAR = [_linear(c) for c in range(256)]


def _luminance(colour: Colour) -> float:
    """WCAG 2.x relative luminance (the 0.04045 sRGB knee, as axe-core uses; WCAG's older 0.03928
    gives the same value for every 8-bit channel)."""
    r, g, b = colour
    return 0.2126 * _LINEAR[r] + 0.7152 * _LINEAR[g] + 0.0722 * _LINEAR[b]


def contrast_ratio(a: Colour, b: Colour) -> float:
    """WCAG 2.x contrast ratio, 1.0 (same colour) to 21.0 (black on white)."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _hex(colour: Colour) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def _decode(png: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise SnapshotError(f"screenshot: not a readable PNG ({exc})") from None
    return image if image.mode == "RGB" else image.convert("RGB")  # screenshots are opaque


def _colours(image: Image.Image, box: dict) -> tuple[Colour, Colour] | None:
    """(foreground, background) of ``box`` clipped to ``image``; None when it is empty or holds
    one colour only."""
    left, top = max(0, int(box["x"])), max(0, int(box["y"]))
    right = min(image.width, int(box["x"]) + int(box["width"]))
    bottom = min(image.height, int(box["y"]) + int(box["height"]))
    if right <= left or bottom <= top:
        return None
    crop = image.crop((left, top, right, bottom))
    counts = crop.getcolors(crop.width * crop.height)  # [(count, (r, g, b))]; never None at this cap
    background_count, background = max(counts)
    others = crop.width * crop.height - background_count
    if not others:
        return None
    least = max(1, math.ceil(MIN_SHARE * others))
    candidates = [colour for count, colour in counts if count >= least and colour != background]
    if not candidates:
        return None
    return max(candidates, key=lambda colour: contrast_ratio(colour, background)), background


def low_contrast(png: bytes, boxes: list[dict], *, normal: float = 4.5, large: float = 3.0) -> list[LowContrast]:
    """The boxes whose text contrasts less with its background than WCAG asks (``large`` for large
    text, else ``normal``), in the order given.

    A box is ``{"element", "text", "x", "y", "width", "height", "large"}`` in the PNG's pixels
    (a full-page screenshot at device scale 1). It is clipped to the image; a box that is empty
    after clipping, or holds no colour but its background, is skipped.
    """
    image = _decode(png)
    found = []
    for box in boxes:
        colours = _colours(image, box)
        if colours is None:
            continue
        foreground, background = colours
        ratio = contrast_ratio(foreground, background)
        required = large if box.get("large") else normal
        if ratio < required:
            found.append(LowContrast(box["element"], box["text"], math.floor(ratio * 100) / 100, required,
                                     _hex(foreground), _hex(background)))
    return found
