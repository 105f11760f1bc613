"""Where things live: the project root and its ``[tool.email-harness]`` settings."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["Project", "find_project"]

DEFAULT_NOW = "2026-11-01T09:00:00+00:00"

#: Every ``[tool.email-harness]`` key and the type it takes.
KEYS = {
    "catalog": "a folder", "fixtures": "a folder", "snapshots": "a folder", "output": "a folder",
    "now": "an ISO datetime", "mjml_engine": "an engine name", "screenshots": "true or false",
    "browser": "auto, playwright, system or a path", "plugins": "a list of module names",
    "fixture_model": "'package.module:Model'", "translations": "a folder", "use_fuzzy": "true or false",
    "reviewer": "a name, or 'git' for git's user.name",
    "cache": "a folder, or false", "cache_max_mb": "a whole number of megabytes",
}


def _is(value: Any, expected: str) -> bool:
    if expected == "true or false":
        return isinstance(value, bool)
    if expected == "an ISO datetime":
        return isinstance(value, (str, datetime))
    if expected == "a folder, or false":
        return value is False or (isinstance(value, str) and bool(value))
    if expected == "a whole number of megabytes":
        return isinstance(value, int) and not isinstance(value, bool) and value > 0
    if expected == "a list of module names":
        return isinstance(value, list) and all(isinstance(v, str) and v for v in value)
    return isinstance(value, str) and bool(value)


@dataclass(frozen=True)
class Project:
    """Paths and settings of one harness project (usually the folder holding pyproject.toml)."""

    root: Path
    catalog: Path
    fixtures: Path
    snapshots: Path
    output: Path
    #: The fixed clock every render sees, so output never depends on when it ran.
    now: datetime = field(default_factory=lambda: datetime.fromisoformat(DEFAULT_NOW))
    #: The MJML engine by name (see ``harness.render.mjml_engines``).
    mjml_engine: str = "mrml"
    #: Take and compare screenshots (``--no-screenshots`` turns them off for one run).
    screenshots: bool = True
    #: ``auto`` (Playwright's own Chromium if installed, else the system one), ``playwright``,
    #: ``system`` or a path to a Chromium binary.
    browser: str = "auto"
    #: Modules of the project's own code (rules, guards, filters...), importable from the root.
    plugins: tuple[str, ...] = ()
    #: ``"package.module:Model"``: the pydantic model every fixture is validated against; None:
    #: free-form fixtures.
    fixture_model: str | None = None
    #: Gettext catalogs, ``LOCALE/LC_MESSAGES/messages.po``; None: templates render source text.
    translations: Path | None = None
    #: Fuzzy catalogs and messages are compiled too, as ``pybabel compile --use-fuzzy`` does;
    #: off (the default), a fuzzy ``.po`` is skipped and fuzzy messages are left out, as production's
    #: plain ``pybabel compile`` does (see ``harness.render.translations``).
    use_fuzzy: bool = False
    #: Who ``snapshots/review-log.jsonl`` names for an approval: a name, ``"git"`` (git's
    #: user.name) or None (``EMAIL_HARNESS_REVIEWER``, else "unnamed"); see harness.review.apply.
    reviewer: str | None = None
    #: This machine's shots, kept outside ``snapshots/`` (see ``harness.screenshots.cache``); None: off.
    cache: Path | None = None
    #: The cache's size bound; least recently used entries go first.
    cache_max_mb: int = 256

    @classmethod
    def load(cls, root: Path, **overrides: Any) -> Project:
        """Read ``[tool.email-harness]`` from ``root/pyproject.toml`` (optional), apply overrides."""
        root = root.resolve()
        settings: dict[str, Any] = {}
        pyproject = root / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{pyproject}: cannot parse: {exc}") from None
            settings = data.get("tool", {}).get("email-harness", {})
        settings.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(settings) - set(KEYS)
        if unknown:
            raise ConfigError(
                f"{pyproject}: unknown [tool.email-harness] keys: {', '.join(sorted(unknown))}; known: {', '.join(KEYS)}"
            )
        for key, expected in KEYS.items():
            if key in settings and not _is(settings[key], expected):
                raise ConfigError(f"{pyproject}: [tool.email-harness] {key} = {settings[key]!r}: expected {expected}")

        def path(key: str, default: str) -> Path:
            return (root / settings.get(key, default)).resolve()

        try:
            now = datetime.fromisoformat(str(settings.get("now", DEFAULT_NOW)))
        except ValueError:
            raise ConfigError(f"{pyproject}: [tool.email-harness] now must be an ISO datetime") from None
        cache = None if settings.get("cache") is False else path("cache", ".cache/email-harness")
        if cache is not None and cache.is_relative_to(path("snapshots", "snapshots")):
            raise ConfigError(f"{pyproject}: [tool.email-harness] cache = {settings['cache']!r} is inside the snapshots folder; "
                              "the cache holds this machine's shots, never committed: use a folder outside it (default .cache/email-harness)")
        return cls(
            root=root,
            catalog=path("catalog", "templates"),
            fixtures=path("fixtures", "fixtures"),
            snapshots=path("snapshots", "snapshots"),
            output=path("output", "report"),
            now=now,
            mjml_engine=str(settings.get("mjml_engine", "mrml")),
            screenshots=bool(settings.get("screenshots", True)),
            browser=str(settings.get("browser", "auto")),
            plugins=tuple(settings.get("plugins", ())),
            fixture_model=settings.get("fixture_model"),
            translations=path("translations", "") if settings.get("translations") else None,
            use_fuzzy=bool(settings.get("use_fuzzy", False)),
            reviewer=settings.get("reviewer"),
            cache=cache,
            cache_max_mb=int(settings.get("cache_max_mb", 256)),
        )

    def with_settings(self, **settings: Any) -> Project:
        """A copy with the given non-None settings replaced (command-line overrides)."""
        return replace(self, **{k: v for k, v in settings.items() if v is not None})

    def with_paths(self, **paths: Path | None) -> Project:
        return replace(self, **{k: Path(v).resolve() for k, v in paths.items() if v is not None})

    def relative(self, path: Path) -> str:
        """``path`` relative to the project root where possible, for messages."""
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)


def find_project(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` with a pyproject.toml or a templates/ folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() or (folder / "templates").is_dir():
            return folder
    return here
