"""The windows a screenshot is taken in: a 600 px email column in a desktop window, a phone, and a
dark variant of each (``prefers-color-scheme: dark``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["VIEWPORTS", "Viewport", "viewport"]


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    color_scheme: Literal["light", "dark"] = "light"

    @property
    def filename(self) -> str:
        return f"{self.name}.png"


_BASE = {"desktop": (800, 600), "mobile": (375, 667)}

#: Every known viewport by name; a template picks some in its ``screenshots.viewports``.
VIEWPORTS: dict[str, Viewport] = {
    **{name: Viewport(name, w, h) for name, (w, h) in _BASE.items()},
    **{f"{name}-dark": Viewport(f"{name}-dark", w, h, "dark") for name, (w, h) in _BASE.items()},
}


def viewport(name: str) -> Viewport:
    try:
        return VIEWPORTS[name]
    except KeyError:
        raise ValueError(f"unknown viewport {name!r}; known: {', '.join(VIEWPORTS)}") from None
