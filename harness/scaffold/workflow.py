"""The CI workflow ``init`` writes, fitted to the project so it runs as written.

Two things in it depend on the project and on how email-harness reached this machine:

- **The install line.** ``pip install email-harness`` works only once a release is on the
  package index. pip records where an installed package came from (``direct_url.json``,
  PEP 610), so the line installs what is installed here: the same git commit
  (``email-harness @ git+URL@COMMIT``), the same wheel, copied beside the workflow
  (``.github/wheels/NAME.whl``, to be committed), or the same version from the index.
- **The branch.** ``push:`` runs on the repository's default branch (``origin``'s HEAD, else the
  branch checked out), not on a ``main`` the repository may not have.
- **The ``paths:`` filter.** A pull request runs the check when it touches what the emails are
  made of: the catalog, fixtures, snapshots, translations, every plugin module named under
  ``plugins`` (a package as a whole folder), the fixture model's module, ``pyproject.toml`` and
  the workflow itself.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..project import Project

__all__ = ["WHEELS", "WORKFLOW", "Install", "default_branch", "install_line", "render_workflow", "watched_paths", "workflow_for"]

#: Where ``init`` writes the workflow, and where it copies a wheel the workflow installs.
WORKFLOW = ".github/workflows/emails.yml"
WHEELS = ".github/wheels"
DISTRIBUTION = "email-harness"


@dataclass(frozen=True)
class Install:
    """What the workflow's install step installs, and how ``init`` explains it."""

    #: The argument of ``pip install``, quoted for the shell where it needs to be.
    spec: str
    #: A wheel to copy into the project (``WHEELS``/its name), or None.
    wheel: Path | None = None
    #: One sentence for ``init``'s output: where the install comes from, what to do about it.
    note: str = ""


def install_line(distribution: str = DISTRIBUTION) -> Install:
    """How a CI machine installs the email-harness running now (see the module docstring)."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return Install(distribution, note=f"installs {distribution} from the package index")
    released = Install(f"{distribution}=={dist.version}", note=f"installs {distribution} {dist.version} from the package index")
    try:
        origin = json.loads(dist.read_text("direct_url.json") or "null")
    except ValueError:
        origin = None
    if not isinstance(origin, dict) or not isinstance(origin.get("url"), str):
        return released  # installed from an index: the same version is there
    url: str = origin["url"]
    vcs = origin.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return Install(f'"{distribution} @ git+{url}@{vcs["commit_id"]}"', note=f"installs {distribution} from git, commit {vcs['commit_id'][:12]}")
    if "archive_info" in origin and url.startswith(("https://", "http://")):
        return Install(f'"{distribution} @ {url}"', note=f"installs {distribution} from {url}")
    path = Path(unquote(urlparse(url).path)) if url.startswith("file://") else None
    if path is not None and path.suffix == ".whl" and path.is_file():
        copied = f"{WHEELS}/{path.name}"
        return Install(f"./{copied}", wheel=path, note=f"installs {distribution} from {copied}: commit that file with the workflow")
    if path is not None and path.is_dir():
        remote = _git_origin(path)
        if remote:
            return Install(f'"{distribution} @ git+{remote[0]}@{remote[1]}"', note=f"installs {distribution} from git, commit {remote[1][:12]}")
    return Install(released.spec, note=f"{released.note}; until it is released there, put a wheel or a git+ URL on the "
                                       f"workflow's install line (README, 'In CI')")


def _git(folder: Path, *args: str) -> str:
    """What git prints in ``folder`` (stripped), or "" when git is missing or fails."""
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def default_branch(folder: Path) -> str:
    """The branch ``push:`` should run on: ``origin``'s default branch where a clone knows it,
    else the branch checked out in ``folder``, else ``main`` (a folder that is no repository yet)."""
    remote_head = _git(folder, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if remote_head.startswith("origin/"):
        return remote_head.removeprefix("origin/")
    return _git(folder, "symbolic-ref", "--quiet", "--short", "HEAD") or "main"


def _git_origin(folder: Path) -> tuple[str, str] | None:
    """The ``origin`` URL (as pip's ``git+`` wants it) and the checked-out commit of the git
    working tree ``folder``, or None."""
    def git(*args: str) -> str:
        return _git(folder, *args)

    url, commit = git("remote", "get-url", "origin"), git("rev-parse", "HEAD")
    if not url or not commit:
        return None
    if url.startswith("git@") and ":" in url:  # scp-like syntax: pip needs a URL
        host, _, path = url[4:].partition(":")
        url = f"ssh://git@{host}/{path}"
    return (url, commit) if url.startswith(("https://", "ssh://", "http://")) else None


def watched_paths(project: Project) -> list[str]:
    """The ``paths:`` filter: every file the emails are made of, relative to the project."""
    def relative(path: Path) -> str | None:
        try:
            return path.resolve().relative_to(project.root).as_posix()
        except ValueError:
            return None  # outside the repository: a filter cannot name it

    folders = [project.catalog, project.fixtures, project.snapshots, *([project.translations] if project.translations else [])]
    paths = [f"{name}/**" for name in map(relative, folders) if name]
    modules = [*project.plugins, *([project.fixture_model.split(":")[0]] if project.fixture_model else [])]
    for module in modules:
        top = module.split(".")[0]
        # A package is watched whole (its plugins import its other modules); a module as its file.
        paths.append(f"{top}/**" if (project.root / top).is_dir() or "." in module else f"{top}.py")
    paths += ["pyproject.toml", WORKFLOW]
    return list(dict.fromkeys(paths))


def render_workflow(template: str, project: Project, install: Install, branch: str = "main", shards: int = 1) -> str:
    """The bundled workflow with the project's install line, paths, report folder and branch (and,
    for the sharded one, the number of machines)."""
    report = project.output.resolve()
    try:
        output = report.relative_to(project.root).as_posix()
    except ValueError:
        output = report.name
    paths = ", ".join(json.dumps(p) for p in watched_paths(project))
    text = template.replace("{install}", install.spec).replace("{paths}", f"[{paths}]").replace("{output}", output).replace("{branch}", json.dumps(branch))
    return text.replace("{shards}", str(shards)).replace("{shard_list}", json.dumps(list(range(1, shards + 1))))


def copy_wheel(install: Install, root: Path) -> str | None:
    """Copy the wheel the workflow installs into the project; its path, or None (none needed,
    or one is there already)."""
    if install.wheel is None:
        return None
    target = root / WHEELS / install.wheel.name
    if target.exists():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(install.wheel, target)
    return f"{WHEELS}/{install.wheel.name}"


def workflow_for(project: Project, shards: int = 1) -> tuple[str, Install]:
    """The workflow fitted to ``project`` as it is now (one machine, or ``shards`` joined by
    ``report merge``), and the install it uses; ``email-harness workflow`` prints it."""
    name = "github-workflow.yml" if shards == 1 else "github-workflow-sharded.yml"
    template = (files(__package__) / "files" / name).read_text(encoding="utf-8")
    install = install_line()
    return render_workflow(template, project, install, default_branch(project.root), shards), install
