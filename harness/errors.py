"""Exceptions raised by email-harness.

Every error names the place (template, fixture, file:line, field) and, where there is one, the
next command. The tree::

    HarnessError
    ├── ConfigError          project configuration or command-line usage (exit code 2)
    ├── CatalogError         a template's metadata file is missing a field or does not parse
    ├── FixtureError         a fixture account fails its schema or cannot be read
    ├── RenderError          a case could not be rendered
    │   ├── GuardError       a send guard crashed or returned something else than values or NotSent
    │   ├── TemplateError    Jinja2 syntax error, undefined variable, sandbox refusal
    │   ├── MjmlError        the MJML engine rejected the rendered MJML
    │   └── ScreenshotError  Chromium could not start, or failed twice on one email
    └── SnapshotError        an approved snapshot is unreadable or corrupt
"""

from __future__ import annotations

__all__ = [
    "CatalogError",
    "ConfigError",
    "FixtureError",
    "GuardError",
    "HarnessError",
    "MjmlError",
    "RenderError",
    "ScreenshotError",
    "SnapshotError",
    "TemplateError",
]


class HarnessError(Exception):
    """Base class: a problem the user can act on, with a message that says how."""


class ConfigError(HarnessError):
    """Bad configuration or command-line usage."""


class CatalogError(HarnessError):
    """A template in the catalog cannot be loaded."""


class FixtureError(HarnessError):
    """A fixture account cannot be loaded or fails its schema."""


class RenderError(HarnessError):
    """A case could not be rendered; ``stage`` says where it broke."""

    stage = "render"


class GuardError(RenderError):
    stage = "guard"


class TemplateError(RenderError):
    stage = "jinja"


class MjmlError(RenderError):
    stage = "mjml"


class ScreenshotError(RenderError):
    stage = "screenshot"


class SnapshotError(HarnessError):
    """An approved snapshot is unreadable; it is reported and never silently overwritten."""
