"""Shared test helpers: a throwaway copy of the bundled project to break on purpose."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cases import Case
from harness.engine import CaseResult, Engine
from harness.project import Project

REPO = Path(__file__).resolve().parents[1]


class Sandbox:
    """A copy of templates/, fixtures/, snapshots/ and pyproject.toml in a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for folder in ("templates", "fixtures", "snapshots"):
            shutil.copytree(REPO / folder, root / folder)
        shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")

    @property
    def project(self) -> Project:
        return Project.load(self.root)

    def engine(self, **kwargs: object) -> Engine:
        """An engine on the sandbox; text-only unless ``screenshots=True`` (tests of rules and
        snapshots need no browser)."""
        kwargs.setdefault("screenshots", False)
        return Engine(self.project, **kwargs)  # type: ignore[arg-type]

    def edit(self, relative: str, old: str, new: str) -> None:
        """Replace ``old`` (which must be there) by ``new`` in a file of the sandbox."""
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return path

    def check(self, case_id: str, **kwargs: object) -> CaseResult:
        return self.engine(**kwargs).check(Case.parse(case_id))


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)


@pytest.fixture(scope="session")
def bundled() -> Engine:
    """The engine on the bundled catalog, read-only."""
    return Engine(Project.load(REPO), screenshots=False)


@pytest.fixture
def render(bundled: Engine) -> Callable[[str, str], object]:
    return lambda template, fixture: bundled.render(Case(template, fixture))
