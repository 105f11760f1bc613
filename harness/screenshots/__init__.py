"""Screenshots: Chromium through Playwright, offline and byte-stable, and the pixel diff."""

from .browser import LAUNCH_FLAGS, Fingerprint
from .camera import Camera, Shots
from .compare import ImageDiff, compare_png
from .offline import ORIGIN, OfflineRouter
from .viewports import VIEWPORTS, Viewport, viewport

__all__ = [
    "LAUNCH_FLAGS",
    "ORIGIN",
    "VIEWPORTS",
    "Camera",
    "Fingerprint",
    "ImageDiff",
    "OfflineRouter",
    "Shots",
    "Viewport",
    "compare_png",
    "viewport",
]
