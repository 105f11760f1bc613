"""GitHub Actions: the change groups as a job summary (Markdown), and rule findings and errors as
workflow annotations on the template file, at the line where it is known.

``email-harness run`` calls :func:`report_to_github`, which does nothing outside Actions
(``GITHUB_ACTIONS`` unset). Annotation commands are described at
https://docs.github.com/actions/reference/workflow-commands-for-github-actions.

Every value in them comes from fixtures, templates or plugins, so each goes through
:mod:`harness.inert`: annotations are percent-encoded as GitHub asks, the summary escapes Markdown
and HTML and names files relative to the project, and :func:`quoted_output` wraps the rest of the
run's output between ``::stop-commands::TOKEN`` and ``::TOKEN::`` (GitHub's way to print
untrusted text), with a token no input can know.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from ..inert import annotation_data, annotation_property, markdown, relative_paths, visible
from .changes import FLIPS, KINDS, approve_command, group_changes, headline
from .evidence import as_list, as_str
from .sources import Sources

__all__ = ["annotations", "job_summary", "quoted_output", "report_to_github"]

#: ``/path/templates/refund.mjml:7: ...`` (Jinja and YAML errors name the file and line). A match
#: starts only where a word does, so a long message is scanned in linear time.
_WHERE = re.compile(r"(?<![^\s:'\"])(?P<path>[^\s:'\"]+\.(?:mjml|html|htm|txt|yaml|yml|tmpl|j2|jinja|po))(?::(?P<line>\d+))?")
MAX_ANNOTATIONS = 50


def job_summary(document: dict[str, Any], report: Path, *, folder: str = "email-report", sources: Sources | None = None,
                root: Path | None = None) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: the headline, one row per change group (outcome
    changes first), and the command that approves each from the downloaded artifact. Every value
    shows as written (Markdown and HTML escaped), with paths relative to ``root``."""

    def _cell(text: object) -> str:
        return markdown(relative_paths(str(text), root))

    def _code(text: str) -> str:  # a line inside the fenced block: literal, but one line
        return visible(relative_paths(text, root))

    # Paths leave the messages before titles are cut to length, or half a path would stay.
    groups = group_changes(_without_paths(document, root), report, sources)
    changes = [g for g in groups if g.approvable]
    s = document.get("summary", {})
    lines = [f"## email-harness: {_cell(headline(groups))}", ""]
    lines.append(f"{_cell(s.get('cases', 0))} cases · {_cell(s.get('sent', 0))} sent · {_cell(s.get('not_sent', 0))} not sent · "
                 f"{_cell(s.get('failed', 0))} failed · {_cell(s.get('error', 0))} errors")
    if any(g.switch in FLIPS for g in changes):
        lines += ["", "> [!WARNING]", "> An email starts or stops going to accounts. Approving that needs `--allow-outcome-change`."]
    if groups:
        lines += ["", "| | change | kind | cases | templates |", "|---|---|---|---|---|"]
        for g in groups:
            mark = "⚠️" if g.switch in FLIPS else "❌" if not g.approvable and any(c.status in ("failed", "error") for c in g.cases) else ""
            lines.append(f"| {mark} | {_cell(g.title)} | {', '.join(KINDS[k] for k in g.kinds)} | {len(g.cases)} | {_cell(', '.join(g.templates))} |")
    if changes:
        lines += ["", f"Download the `{folder}` artifact, then review it with `email-harness review --report {folder}`, or approve a change:", ""]
        lines += ["<details><summary>Approve commands</summary>", "", "```sh"]
        pending = Counter(c.template for g in changes for c in g.approvable)
        lines += [f"# {_code(g.title)}\n{_code(approve_command(g, folder, pending))}" for g in changes]
        lines += ["```", "", "</details>"]
    return "\n".join(lines) + "\n"


def _without_paths(value: Any, root: Path | None) -> Any:
    """A copy of a results document with no absolute path of this machine in any string."""
    if isinstance(value, str):
        return relative_paths(value, root)
    if isinstance(value, dict):
        return {k: _without_paths(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_paths(v, root) for v in value]
    return value


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _locate(text: str, template: str, catalog: Path | None, root: Path) -> tuple[str, int | None]:
    """The file (relative to ``root``) and line a message is about: a path named in it, else
    the template's source file. A file outside the project is never named."""
    for match in _WHERE.finditer(text):
        path = Path(match["path"])
        candidate = path if path.is_absolute() else root / path
        if candidate.resolve().is_relative_to(root.resolve()) and candidate.is_file():
            return _relative(candidate, root), int(match["line"]) if match["line"] else None
    if catalog is not None:
        sources = sorted(p for p in catalog.glob(f"{template}.*") if p.suffix not in (".yaml", ".yml", ".txt"))
        if sources:
            return _relative(sources[0], root), None
    return "", None


def _command(level: str, file: str, line: int | None, title: str, message: str) -> str:
    props = ([f"file={annotation_property(file)}"] if file else []) + ([f"line={line}"] if line else [])
    props.append(f"title={annotation_property(title)}")
    return f"::{level} {','.join(props)}::{annotation_data(message)}"


def annotations(document: dict[str, Any], *, catalog: Path | None = None, root: Path | None = None) -> list[str]:
    """Workflow commands for errors and rule findings, one per distinct message and file (the
    cases it concerns listed), and a warning on ``requires:`` of a template that starts sending."""
    root = root or Path.cwd()
    seen: dict[tuple[str, str, int | None, str, str], list[str]] = {}
    for case in as_list(document.get("cases")):
        if not isinstance(case, dict):
            continue
        template, case_id = as_str(case.get("template")), as_str(case.get("id"))
        items = [("error", "email-harness: could not render", as_str(case.get("error")))] if case.get("error") else []
        for f in as_list(case.get("findings")):
            if isinstance(f, dict):
                level = {"error": "error", "warning": "warning"}.get(as_str(f.get("severity")), "notice")
                where = f" at {as_str(f.get('element'))}" if f.get("element") else ""
                items.append((level, f"email-harness [{as_str(f.get('rule'))}]", f"{as_str(f.get('message'))}{where}"))
        for level, title, message in items:
            file, line = _locate(message, template, catalog, root)
            message = relative_paths(message, root)
            seen.setdefault((level, file, line, title, message.replace(case_id, "").strip()), []).append(case_id)
        if as_str(case.get("outcome")) == "sent" and any(
            isinstance(c, dict) and c.get("filename") == "outcome.txt" and c.get("status") == "changed" for c in as_list(case.get("changes"))
        ) and catalog is not None and (meta := catalog / f"{template}.yaml").is_file():
            line = next((i for i, text in enumerate(meta.read_text("utf-8", "replace").splitlines(), 1) if text.startswith("requires:")), None)
            seen.setdefault(("warning", _relative(meta, root), line, "email-harness: starts sending",
                             f"{template} is now sent to accounts it was not sent to before"), []).append(case_id)
    commands = []
    for (level, file, line, title, message), cases in sorted(seen.items(), key=lambda kv: ("error", "warning", "notice").index(kv[0][0])):
        listed = ", ".join(cases[:5]) + (f" and {len(cases) - 5} more" if len(cases) > 5 else "")
        commands.append(_command(level, file, line, f"{title} ({len(cases)} case{'s' * (len(cases) != 1)})", f"{message}\ncases: {listed}"))
    return commands[:MAX_ANNOTATIONS]


def report_to_github(document: dict[str, Any], report: Path, *, catalog: Path | None = None, fixtures: Path | None = None,
                     root: Path | None = None, environ: Mapping[str, str] | None = None, stream: TextIO | None = None) -> None:
    """In GitHub Actions: append the job summary and print the annotations; elsewhere nothing.
    A summary that cannot be written never fails the run."""
    environ = os.environ if environ is None else environ
    if environ.get("GITHUB_ACTIONS") != "true":
        return
    root = root or Path(environ.get("GITHUB_WORKSPACE") or Path.cwd())
    summary_path = environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            with open(summary_path, "a", encoding="utf-8") as summary:
                summary.write(job_summary(document, report, folder=report.name, sources=Sources(catalog=catalog, fixtures=fixtures), root=root))
        except OSError as exc:
            print(f"email-harness: could not write the job summary ({exc.strerror})", file=sys.stderr)
    for command in annotations(document, catalog=catalog, root=root):
        print(command, file=stream or sys.stdout)  # looked up now: a test runner swaps sys.stdout


@contextmanager
def quoted_output(print_line: Callable[[str], None], *, environ: Mapping[str, str] | None = None) -> Iterator[None]:
    """In GitHub Actions, what is printed inside this block is never read as a workflow command:
    ``::stop-commands::TOKEN`` before and ``::TOKEN::`` after, the token random per block (an
    input cannot end the block early). Elsewhere nothing is added."""
    environ = os.environ if environ is None else environ
    if environ.get("GITHUB_ACTIONS") != "true":
        yield
        return
    token = secrets.token_hex(16)
    print_line(f"::stop-commands::{token}")
    try:
        yield
    finally:
        print_line(f"::{token}::")
