"""Compare two PNGs: identical bytes first (free), then pixels with pixelmatch, which tolerates
anti-aliasing and takes about 1 ms for a 600x2000 image (pure-Python pixelmatch: 0.8 s)."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pybind11_pixelmatch
from PIL import Image, UnidentifiedImageError

from ..errors import SnapshotError

__all__ = ["MAX_PIXELS", "ImageDiff", "compare_png", "decode_png", "png_size"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The most pixels decoded from one PNG: 50 million is 1,280 x 39,000, taller than Chromium's
#: full-page screenshots get; Pillow's own bomb limit (89 million) would let a hostile file
#: take 360 MB decoded, and it only warns below twice that.
MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class ImageDiff:
    changed_pixels: int
    total_pixels: int
    approved_size: tuple[int, int]
    received_size: tuple[int, int]
    #: Both images on one canvas with changed pixels in red, or None when nothing changed.
    diff_png: bytes | None = None

    @property
    def ratio(self) -> float:
        return self.changed_pixels / self.total_pixels if self.total_pixels else 0.0

    def describe(self) -> str:
        parts = [f"{self.changed_pixels} of {self.total_pixels} pixels differ ({self.ratio:.2%})"]
        if self.approved_size != self.received_size:
            (w0, h0), (w1, h1) = self.approved_size, self.received_size
            parts.append(f"size {w0}x{h0} -> {w1}x{h1} px")
        return "; ".join(parts)


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's header (its IHDR chunk), without decoding it."""
    if len(data) >= 24 and data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


def decode_png(data: bytes, label: str) -> Image.Image:
    """A PNG decoded, once its header says it is at most :data:`MAX_PIXELS` (a screenshot or
    diff image in a report or a snapshot folder may be hostile: 20,000 x 20,000 pixels would take
    1.6 GB). Only PNG is accepted, so the header checked is the image decoded. SnapshotError
    naming ``label`` otherwise."""
    size = png_size(data)
    if size is None:
        raise SnapshotError(f"{label}: not a readable PNG (no PNG header)")
    width, height = size
    if not (0 < width and 0 < height and width * height <= MAX_PIXELS):
        raise SnapshotError(f"{label}: a PNG of {width:,} x {height:,} pixels; the limit is {MAX_PIXELS:,} pixels, "
                            "far beyond any email's screenshot. Was the file replaced?")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=["PNG"])
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise SnapshotError(f"{label}: not a readable PNG ({exc})") from None
    return image


def _decode(data: bytes, label: str) -> Image.Image:
    return decode_png(data, label).convert("RGBA")


def compare_png(approved: bytes, received: bytes, *, threshold: float = 0.1, label: str = "screenshot") -> ImageDiff:
    """Pixels that differ by more than ``threshold`` (pixelmatch's YIQ distance, 0..1).

    Images of different sizes (a taller page) are compared on a common canvas: every pixel outside
    the smaller one counts as changed.
    """
    if approved == received:
        size = png_size(received) or (0, 0)
        return ImageDiff(0, size[0] * size[1], size, size)
    before, after = _decode(approved, f"approved {label}"), _decode(received, label)
    before_size, after_size = before.size, after.size
    size = (max(before.width, after.width), max(before.height, after.height))
    if before.size != size or after.size != size:
        before, after = _pad(before, size), _pad(after, size)
    width, height = size
    shape = (height, width, 4)
    output = bytearray(width * height * 4)
    options = pybind11_pixelmatch.Options()
    options.threshold = threshold
    changed = pybind11_pixelmatch.pixelmatch(
        memoryview(before.tobytes()).cast("B", shape),
        memoryview(after.tobytes()).cast("B", shape),
        output=memoryview(output).cast("B", shape),
        options=options,
    )
    diff_png = None
    if changed:
        buffer = io.BytesIO()
        Image.frombytes("RGBA", size, bytes(output)).convert("RGB").save(buffer, "PNG")  # Pillow's default: zlib level 6
        diff_png = buffer.getvalue()
    return ImageDiff(changed, width * height, before_size, after_size, diff_png)


def _pad(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image`` on a magenta canvas of ``size``, so every pixel beyond its edge counts as changed
    (transparent padding would blend to white and hide a taller white page)."""
    canvas = Image.new("RGBA", size, (255, 0, 255, 255))
    canvas.paste(image)  # at (0, 0)
    return canvas
