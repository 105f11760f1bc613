"""Fixture ids the catalog's settings name (``screenshots: fixtures:``, ``screenshots: variants:
fixtures:``) are fixtures that exist: a typo would otherwise silently screenshot nothing.

Checked once the fixtures are loaded, before any case runs: one :class:`ConfigError` naming each
file, line and key, with the closest id.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from pathlib import Path

from .._files import key_line
from ..errors import ConfigError
from .templates import Catalog, ScreenshotSettings

__all__ = ["check_fixture_names"]


def check_fixture_names(catalog: Catalog, ids: Collection[str]) -> None:
    """Raise :class:`ConfigError` listing every fixture id a ``screenshots:`` setting names that
    is not one of ``ids`` (the fixtures folder's, broken files included)."""
    sources: list[tuple[Path, ScreenshotSettings | None]] = [(catalog.root / "_catalog.yaml", catalog.settings.screenshots)]
    sources += [(t.meta_path, t.meta.screenshots) for t in catalog.templates.values() if t.meta_path is not None]
    problems: dict[str, None] = {}
    for path, settings in sources:
        if settings is None:
            continue
        for keys, named in ((("screenshots", "fixtures"), settings.fixtures), (("screenshots", "variants", "fixtures"), settings.variants.fixtures)):
            for fixture_id in named or ():
                if fixture_id in ids:
                    continue
                line = key_line(path, *keys)
                where = f"{path}:{line}" if line else str(path)
                close = difflib.get_close_matches(fixture_id, sorted(ids), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else f"; fixtures: {', '.join(sorted(ids)[:10]) or 'none'}"
                problems[f"{where}: {': '.join(keys)}: no fixture {fixture_id!r}{hint}"] = None
    if problems:
        raise ConfigError("\n".join(problems) + "\n  a fixture's id is its file name in the fixtures folder without .yaml or .yml; "
                          "'email-harness list' shows the cases")
