"""What the review reads besides the report, when it has the project at hand: the fixtures'
values (so one edit shown with different names and order numbers is still one change) and the
templates' ``requires:`` (the send guards behind an outcome change). Both are optional: a CI
artifact opened without a checkout groups by the report alone."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bs4 import BeautifulSoup

from .._files import read_yaml
from ..catalog.templates import merged_requires
from ..errors import HarnessError
from ..safepaths import NAME, TEMPLATE

__all__ = ["Sources", "preheader_of"]

#: Enough of the body to hold a preheader (it is among the first elements).
_BODY_HEAD = 8000


def preheader_of(html: str) -> str:
    """The preview line an inbox shows after the subject (see the ``subject`` rule)."""
    from ..rules.builtin.content import preheader

    if not html:
        return ""
    start = html.find("<body")
    snippet = "<html>" + html[start : start + _BODY_HEAD] if start >= 0 else html[:_BODY_HEAD]
    return preheader(BeautifulSoup(snippet, "lxml"))


class Sources:
    """Optional project folders; every lookup is cached and never fails (empty when unknown)."""

    def __init__(self, *, catalog: Path | None = None, fixtures: Path | None = None) -> None:
        self.catalog = catalog
        self.fixtures = fixtures
        self.values = cache(self._values)  # type: ignore[method-assign]
        self.requires = cache(self._requires)  # type: ignore[method-assign]
        self.preheader = cache(preheader_of)

    def _values(self, fixture: str) -> tuple[str, ...]:
        """The fixture's string values (names, e-mail addresses, order numbers...)."""
        from ..fixtures.data import leaf_strings

        if self.fixtures is None or not NAME.fullmatch(fixture):
            return ()
        path = self.fixtures / f"{fixture}.yaml"
        try:
            data = read_yaml(path, HarnessError) if path.is_file() else None
        except HarnessError:
            return ()
        return tuple(sorted(v for v in leaf_strings(data) if len(v.strip()) >= 3)) if data else ()

    def _requires(self, template: str) -> tuple[str, ...] | None:
        """The template's ``requires:`` list, or ``None`` when the catalog is not at hand."""
        if self.catalog is None or not TEMPLATE.fullmatch(template):
            return None
        path = self.catalog / f"{template}.yaml"
        try:
            meta = read_yaml(path, HarnessError) if path.is_file() else {}
        except HarnessError:
            return None
        requires = meta.get("requires", []) if isinstance(meta, dict) else []
        if not isinstance(requires, list):
            return None
        try:  # the catalog's guards run first (see harness.catalog.templates)
            settings = read_yaml(self.catalog / "_catalog.yaml", HarnessError) if (self.catalog / "_catalog.yaml").is_file() else {}
        except HarnessError:
            return None
        shared = settings.get("requires", []) if isinstance(settings, dict) else []
        return tuple(merged_requires([str(r) for r in shared], [str(r) for r in requires])) if isinstance(shared, list) else None
