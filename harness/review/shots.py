"""The screenshots of one case for the review page: one tab per viewport and colour scheme, the
before / after / diff images with their sizes, and the changed regions (boxes around the red
pixels of the diff image) that the page can zoom to."""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image, ImageChops

from ..errors import SnapshotError
from ..screenshots.compare import decode_png
from ..screenshots.viewports import viewport_words
from .evidence import CaseEvidence, png_size

__all__ = ["Region", "Screenshot", "changed_regions", "screenshots"]

#: Height of the strips the diff image is scanned in, and the gap that splits two regions.
STRIP = 16
GAP = 48
MAX_REGIONS = 6


@dataclass(frozen=True)
class Region:
    """A box of changed pixels, in the screenshot's own pixels."""

    x: int
    y: int
    width: int
    height: int


@dataclass
class Screenshot:
    """One viewport of one case."""

    name: str  # desktop, mobile-dark...
    filename: str
    status: str  # changed, new, removed
    description: str
    before: str = ""  # URLs relative to the report folder ("" when there is none)
    after: str = ""
    diff: str = ""
    width: int = 0  # of the canvas both fit on
    height: int = 0
    regions: list[Region] = field(default_factory=list)
    #: Heights of the approved and the received screenshot (0: not there).
    before_height: int = 0
    after_height: int = 0

    @property
    def label(self) -> str:
        """The viewport and its look: "desktop, light", "mobile, dark"."""
        return viewport_words(self.name)

    @property
    def where(self) -> str:
        """Where the pixels changed, in this screenshot's pixels, naming it: "everything below
        540 px moves down 24 px (mobile, light)" when the email grew or shrank there, else "the
        region at 540–610 px from the top changed (desktop, light)"."""
        if not self.regions:
            return f"{self.label}: {self.description or self.status}"
        first, more = self.regions[0], len(self.regions) - 1
        moved = self.after_height - self.before_height if self.before_height and self.after_height else 0
        if moved:
            words = f"everything below {first.y} px moves {'down' if moved > 0 else 'up'} {abs(moved)} px"
        else:
            words = f"the region at {first.y}–{first.y + first.height} px from the top changed"
        return words + (f", and {more} more region{'s' * (more != 1)}" if more else "") + f" ({self.label})"

    @property
    def boxes(self) -> list[list[int]]:
        """The regions as ``[x, y, width, height]`` lists, for the page's script."""
        return [[r.x, r.y, r.width, r.height] for r in self.regions]

    @property
    def comparable(self) -> bool:
        return bool(self.before and self.after)


def _red_mask(data: bytes) -> Image.Image | None:
    """White where pixelmatch painted a changed pixel (pure red), black elsewhere."""
    try:
        image = decode_png(data, "diff image")  # bounded: a report's diff.png may be a decompression bomb
    except SnapshotError:
        return None
    red, green, blue = image.convert("RGB").split()
    hot = red.point(lambda v: 255 if v >= 200 else 0)
    cold_g = green.point(lambda v: 255 if v <= 60 else 0)
    cold_b = blue.point(lambda v: 255 if v <= 60 else 0)
    return ImageChops.multiply(ImageChops.multiply(hot, cold_g), cold_b)


def changed_regions(diff_png: bytes) -> list[Region]:
    """Boxes around the changed pixels of a pixelmatch diff image: strips with changes that lie
    less than ``GAP`` pixels apart form one region; at most ``MAX_REGIONS`` (then merged)."""
    mask = _red_mask(diff_png)
    if mask is None or mask.getbbox() is None:
        return []
    width, height = mask.size
    bands: list[list[int]] = []  # [top, bottom]
    for top in range(0, height, STRIP):
        box = mask.crop((0, top, width, min(top + STRIP, height))).getbbox()
        if box is None:
            continue
        if bands and top - bands[-1][1] <= GAP:
            bands[-1][1] = top + box[3]
        else:
            bands.append([top + box[1], top + box[3]])
    while len(bands) > MAX_REGIONS:  # join the two closest bands
        i = min(range(len(bands) - 1), key=lambda k: bands[k + 1][0] - bands[k][1])
        bands[i : i + 2] = [[bands[i][0], bands[i + 1][1]]]
    regions = []
    for top, bottom in bands:
        box = mask.crop((0, top, width, bottom)).getbbox()
        if box:
            regions.append(Region(box[0], top + box[1], box[2] - box[0], box[3] - box[1]))
    return regions


def screenshots(evidence: CaseEvidence) -> list[Screenshot]:
    """Every screenshot that changed in this case, in the order desktop, mobile, then dark."""
    found = []
    for change in evidence.changes:
        filename = change.get("filename")
        if change.get("kind") != "screenshot" or not isinstance(filename, str) or not filename.endswith(".png"):
            continue
        shot = Screenshot(filename[:-4], filename, str(change.get("status", "")), str(change.get("diff", "")))
        sizes = []
        if evidence.has_before(filename):
            shot.before = evidence.before_url(filename)
            sizes.append(size := png_size(evidence.image("approved" if filename in evidence.approved else "received", filename) or b""))
            shot.before_height = size[1] if size else 0
        if filename in evidence.received:
            shot.after = evidence.after_url(filename)
            sizes.append(size := png_size(evidence.image("received", filename) or b""))
            shot.after_height = size[1] if size else 0
        diff_name = filename[:-4] + ".diff.png"
        if diff_name in evidence.diffs and (data := evidence.image("received", diff_name)):
            shot.diff = evidence.after_url(diff_name)
            shot.regions = changed_regions(data)
            sizes.append(png_size(data))
        known = [s for s in sizes if s]
        shot.width = max((w for w, _ in known), default=0)
        shot.height = max((h for _, h in known), default=0)
        found.append(shot)
    rank = {"desktop": 0, "mobile": 1}
    return sorted(found, key=lambda s: ("-" in s.name, rank.get(s.name.split("-")[0], 9), s.name))
