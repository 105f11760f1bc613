"""The windows a screenshot is taken in: a 600 px email column in a desktop window and a phone,
each in five looks a mail client gives an email.

================  ==========================================================================
look              what the client does
================  ==========================================================================
(plain)           light mode, images shown
``-dark``         ``prefers-color-scheme: dark``: the email's own dark styles (Apple Mail,
                  iOS, Outlook for Mac). Shot only when the email declares dark styles.
``-forced-dark``  the app darkens an email itself (Gmail and Outlook apps): approximated by
                  Chromium's auto dark mode, which recolours at paint time, so its contrast is
                  measured from the pixels, not the styles.
``-images-off``   remote images blocked, as most clients start: alt text in their place.
``-pseudo``       the text pseudo-localized (accented, ~40% longer, ``en-XA``): does the layout
                  survive translation?
================  ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["LOOKS", "VIEWPORTS", "Viewport", "viewport", "viewport_words"]


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    color_scheme: Literal["light", "dark"] = "light"
    #: Chromium's auto dark mode (an app inverting an email without dark styles).
    forced_dark: bool = False
    #: Remote images answered, or blocked so the reader sees alt text.
    images: bool = True
    #: The email's text pseudo-localized before loading.
    pseudo: bool = False

    @property
    def filename(self) -> str:
        return f"{self.name}.png"


_BASE = {"desktop": (800, 600), "mobile": (375, 667)}

#: The looks by suffix, as keyword arguments of :class:`Viewport`.
LOOKS: dict[str, dict[str, object]] = {
    "": {},
    "-dark": {"color_scheme": "dark"},
    "-forced-dark": {"forced_dark": True},
    "-images-off": {"images": False},
    "-pseudo": {"pseudo": True},
}

#: Every known viewport by name; a template picks some in its ``screenshots.viewports``.
VIEWPORTS: dict[str, Viewport] = {
    f"{name}{suffix}": Viewport(f"{name}{suffix}", w, h, **look)  # type: ignore[arg-type]
    for suffix, look in LOOKS.items()
    for name, (w, h) in _BASE.items()
}


def viewport(name: str) -> Viewport:
    try:
        return VIEWPORTS[name]
    except KeyError:
        raise ValueError(f"unknown viewport {name!r}; known: {', '.join(VIEWPORTS)}") from None


#: Each look in words, for every pixel figure a person reads ("desktop, dark").
LOOK_WORDS = {"": "light", "-dark": "dark", "-forced-dark": "forced dark", "-images-off": "images off", "-pseudo": "pseudo-localized"}


def viewport_words(name: str) -> str:
    """``desktop-dark`` -> "desktop, dark", ``mobile`` -> "mobile, light": the viewport and its
    look, so a pixel count or a position never leaves the reader guessing which screenshot."""
    for suffix in sorted(LOOK_WORDS, key=len, reverse=True):
        base = name.removesuffix(suffix) if suffix else name
        if suffix and name.endswith(suffix) and base in _BASE:
            return f"{base}, {LOOK_WORDS[suffix]}"
    return f"{name}, light" if name in _BASE else name
