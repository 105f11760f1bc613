"""``email-harness``: the command-line front on the engine.

Exit codes: 0 every case passed, 1 a case failed or changed, 2 usage or configuration error.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .engine import CaseResult, Engine
from .errors import HarnessError
from .project import Project, find_project
from .report import summarize, write_results

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Regression tests for transactional email templates.")
console = Console(highlight=False, soft_wrap=True)

PathOption = Annotated[Optional[Path], typer.Option(file_okay=False, help="Overrides [tool.email-harness].")]


def _project(catalog: Path | None, fixtures: Path | None, snapshots: Path | None, output: Path | None) -> Project:
    return Project.load(find_project()).with_paths(catalog=catalog, fixtures=fixtures, snapshots=snapshots, output=output)


def _interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def _run_cases(engine: Engine, only: list[str]) -> tuple[list[CaseResult], float]:
    cases = engine.cases(only)
    if not cases:
        raise HarnessError(f"no case matches {' '.join(only) or 'the catalog'}; see 'email-harness list'")
    started = time.perf_counter()
    results: list[CaseResult] = []
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), disable=not _interactive() or len(cases) < 50, transient=True,
    ) as progress:
        task = progress.add_task("rendering", total=len(cases))
        for case in cases:
            results.append(engine.check(case))
            progress.advance(task)
    return results, time.perf_counter() - started


def _print_summary(results: list[CaseResult], seconds: float) -> None:
    s = summarize(results)
    counts = {"cases": s["cases"], "sent": s["sent"], "not sent": s["not_sent"], "passed": s["passed"]}
    # Statuses that did not occur are left out, so the table fits an 80-column CI log.
    for key, label in (("updated", "updated"), ("changed", "changed"), ("new", "new"), ("failed", "failed"), ("error", "errors"), ("warnings", "warnings")):
        if s[key]:
            counts[label] = s[key]
    table = Table(title="email-harness", show_edge=False)
    for column in (*counts, "time"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_row(*(str(v) for v in counts.values()), f"{seconds:.1f}s")
    console.print(table)


@app.command()
def run(
    only: Annotated[list[str], typer.Option("--only", help="Case pattern, e.g. 'gift_card_*[*-no-orders]'; repeatable.")] = [],
    update: Annotated[bool, typer.Option("--update", help="Write new and changed snapshots.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Delete snapshots no case produces any more.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Rule warnings fail the case too.")] = False,
    no_screenshots: Annotated[bool, typer.Option("--no-screenshots", help="Text snapshots only: no browser.")] = False,
    catalog: PathOption = None,
    fixtures: PathOption = None,
    snapshots: PathOption = None,
    output: PathOption = None,
) -> None:
    """Render every template for every fixture account, check rules, compare with snapshots."""
    try:
        project = _project(catalog, fixtures, snapshots, output)
        with Engine(project, update=update, strict=strict, screenshots=False if no_screenshots else None) as engine:
            results, seconds = _run_cases(engine, only)
    except HarnessError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    written = engine.flush()
    unused = engine.unused_snapshots(only)
    if prune and unused:
        engine.prune(unused)
    results_path = write_results(project.output, results, unused=[] if prune else unused, seconds=seconds)

    for result in results:
        if not result.ok:
            console.print(result.explain(), markup=False)
        elif result.findings:  # warnings on a passing case
            console.print(f"{result.case.id}: " + "; ".join(f.describe() for f in result.findings), markup=False)
    if unused and prune:
        console.print(f"pruned {len(unused)} unused snapshot(s): " + ", ".join(c.id for c in unused))
    elif unused:
        console.print(
            f"{len(unused)} snapshot(s) no case produces any more: " + ", ".join(c.id for c in unused)
            + "\n  delete them with: email-harness run --prune", markup=False,
        )
    for note in engine.environment_notes():
        console.print(f"[yellow]note:[/yellow] {note}")
    if written:
        console.print(f"wrote {len(written)} snapshot(s) to {project.relative(project.snapshots)}/")
    _print_summary(results, seconds)
    console.print(f"results: {project.relative(results_path)}")
    failed = [r for r in results if not r.ok]
    if failed:
        console.print(f"[red]{len(failed)} case(s) need attention.[/red] Approve intended changes with "
                      "'email-harness approve CASE...' or 'email-harness run --update'.")
    raise typer.Exit(1 if failed or (unused and not prune) else 0)


@app.command()
def approve(
    cases: Annotated[list[str], typer.Argument(help="Case ids or patterns, e.g. 'gift_card_*[*-no-orders]'.")],
    catalog: PathOption = None,
    fixtures: PathOption = None,
    snapshots: PathOption = None,
) -> None:
    """Approve the current render of the chosen cases: write their snapshots."""
    try:
        engine = Engine(_project(catalog, fixtures, snapshots, None))
        selected = engine.cases(cases)
        if not selected:
            raise HarnessError(f"no case matches {' '.join(cases)}; see 'email-harness list'")
    except HarnessError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    with engine:
        results = [engine.approve(case) for case in selected]
    engine.flush()
    for result in results:
        mark = "approved" if result.ok else "error"
        console.print(f"{mark}: {result.case.id}" + (f"\n  {result.error}" if result.error else ""), markup=False)
    raise typer.Exit(0 if all(r.ok for r in results) else 1)


@app.command("list")
def list_cases(
    only: Annotated[list[str], typer.Option("--only", help="Case pattern; repeatable.")] = [],
    catalog: PathOption = None,
    fixtures: PathOption = None,
) -> None:
    """List the cases (template[fixture]) the catalog and fixtures produce."""
    try:
        engine = Engine(_project(catalog, fixtures, None, None))
    except HarnessError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    for case in engine.cases(only):
        console.print(case.id, markup=False)


def main() -> None:
    app()
