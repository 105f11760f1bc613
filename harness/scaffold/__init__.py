"""``email-harness init``: a working project in the current folder, to grow from.

Creates the ``[tool.email-harness]`` section, one template with its metadata, two fixtures (one
that gets the email, one that must not), a plugin module with a send guard, a filter and a rule,
and a CI workflow fitted to the project (:mod:`harness.scaffold.workflow`: an install line that
works before a release, a ``paths:`` filter from the settings). Existing files are never
overwritten: they are listed as kept.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from ..errors import ConfigError
from ..project import Project
from .workflow import WORKFLOW, copy_wheel, workflow_for

__all__ = ["Created", "init_project"]

#: Where each bundled file goes in the new project.
LAYOUT = {
    "templates/_catalog.yaml": "catalog.yaml",
    "templates/welcome.mjml": "welcome.mjml",
    "templates/welcome.yaml": "welcome.yaml",
    "fixtures/en-new-user.yaml": "fixture-new-user.yaml",
    "fixtures/en-long-time-user.yaml": "fixture-long-time-user.yaml",
    "email_plugins.py": "email_plugins.py.txt",
}


@dataclass(frozen=True)
class Created:
    path: str
    #: "created", "kept" (it existed) or "added" (a section appended to an existing file).
    action: str
    #: What the user should know about it (the workflow's install line), or "".
    note: str = ""


def _bundled(name: str) -> str:
    return (files(__package__) / "files" / name).read_text(encoding="utf-8")


def init_project(root: Path) -> list[Created]:
    """Scaffold the project in ``root``; raises ConfigError when it already has the section."""
    done: list[Created] = [_pyproject(root / "pyproject.toml"), _gitignore(root / ".gitignore")]
    for target, source in LAYOUT.items():
        path = root / target
        if path.exists() or path.is_symlink():
            done.append(Created(target, "kept"))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_bundled(source), encoding="utf-8")
        done.append(Created(target, "created"))
    done += _workflow(root)
    return done


def _workflow(root: Path) -> list[Created]:
    """The CI workflow, fitted to the settings just written, and the wheel it installs if any."""
    path = root / WORKFLOW
    if path.exists() or path.is_symlink():
        return [Created(WORKFLOW, "kept")]
    text, install = workflow_for(Project.load(root))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    wheel = copy_wheel(install, root)
    return [Created(WORKFLOW, "created", install.note)] + ([Created(wheel, "created", "commit it: the workflow installs it")] if wheel else [])


#: What a run writes that is not for git: the report and the snapshot lock.
IGNORED = ["email-report/", "snapshots/.lock"]


def _gitignore(path: Path) -> Created:
    existing = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    missing = [line for line in IGNORED if line not in existing]
    if not missing:
        return Created(path.name, "kept")
    prefix = "\n" if existing and existing[-1].strip() else ""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(prefix + "# email-harness\n" + "\n".join(missing) + "\n")
    return Created(path.name, "added" if existing else "created")


def _pyproject(path: Path) -> Created:
    section = _bundled("pyproject-section.toml")
    if not path.is_file():
        path.write_text(section.lstrip(), encoding="utf-8")
        return Created(path.name, "created")
    text = path.read_text(encoding="utf-8")
    try:
        existing = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: cannot parse: {exc}; fix it, then run 'email-harness init' again") from None
    if "email-harness" in existing.get("tool", {}):
        raise ConfigError(f"{path} already has a [tool.email-harness] section: this project is set up; run 'email-harness run'")
    path.write_text(text.rstrip("\n") + "\n" + section, encoding="utf-8")
    return Created(path.name, "added")
