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
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from .cases import Case
from .cases import shard as shard_cases
from .engine import CaseResult, Engine
from .errors import HarnessError
from .inert import log_line, log_text
from .project import Project, find_project
from .report import load_results, merge_reports, write_report, write_results
from .report.results import prepare_output

__all__ = ["app", "main"]

# rich_markup_mode=None: help texts print as written; "[tool.email-harness]" and "NAME[fixture]" are not markup.
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, help="Regression tests for transactional email templates.")
report_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Work with report folders.")
app.add_typer(report_app, name="report")
# emoji=False: ':office:' in an HTML diff (xmlns:o="urn:...:office") must not turn into a picture.
# markup=False: case ids (refund[de-refunded]), patterns and paths print as written; colour goes
# through Text objects only.
console = Console(highlight=False, soft_wrap=True, emoji=False, markup=False)

PathOption = Annotated[Optional[Path], typer.Option(file_okay=False, help="Overrides [tool.email-harness].")]


def _project(catalog: Path | None, fixtures: Path | None, snapshots: Path | None, output: Path | None) -> Project:
    return Project.load(find_project()).with_paths(catalog=catalog, fixtures=fixtures, snapshots=snapshots, output=output)


def _error(exc: BaseException) -> None:
    """An error message, never read as rich markup: ``[tool.email-harness]`` and case ids such as
    ``refund[de-refunded]`` must print as written."""
    console.print(Text.assemble(("error: ", "red"), log_text(str(exc))))  # it may quote fixture keys


def _interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def _run_cases(engine: Engine, only: list[str], shard: str | None = None, jobs: int = 1) -> tuple[list[CaseResult], float]:
    cases = engine.cases(only)
    if shard is not None:  # '--shard ""' is a mistake to report, not "no sharding"
        cases = shard_cases(cases, shard)
    if not cases:
        raise HarnessError(f"no case matches {' '.join(only) or 'the catalog'}; see 'email-harness list'")
    started = time.perf_counter()
    results: list[CaseResult] = []
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), disable=not _interactive() or len(cases) < 50, transient=True,
    ) as progress:
        task = progress.add_task("rendering", total=len(cases))
        if jobs > 1 and len(cases) > 1:
            from .parallel import run_parallel

            results = run_parallel(engine, cases, jobs, advance=lambda: progress.advance(task))
        else:
            for case in cases:
                results.append(engine.check(case))
                progress.advance(task)
    return results, time.perf_counter() - started


def _print_summary(s: dict[str, int], seconds: float) -> None:
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
    only: Annotated[list[str], typer.Option("--only", metavar="PATTERN", help="Case pattern, e.g. 'invoice_*[de-*]'; repeatable.")] = [],
    update: Annotated[bool, typer.Option("--update", help="Write new and changed snapshots (not a case that starts or stops being sent).")] = False,
    allow_outcome_change: Annotated[bool, typer.Option("--allow-outcome-change", help="With --update: also write cases that start or stop being sent.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Delete snapshots no case produces any more.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Rule warnings fail the case too.")] = False,
    no_screenshots: Annotated[bool, typer.Option("--no-screenshots", help="Text snapshots only: no browser.")] = False,
    no_smtp: Annotated[bool, typer.Option("--no-smtp", help="Do not send each message through the local SMTP server (the message is still built, snapshotted and checked).")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the local shot cache ([tool.email-harness] cache): take every screenshot whose approved PNG cannot be reused.")] = False,
    shard: Annotated[Optional[str], typer.Option("--shard", metavar="I/N", help="Run the I-th of N deterministic slices (CI matrix); merge with 'report merge'.")] = None,
    jobs: Annotated[str, typer.Option("--jobs", "-j", metavar="N", help="Check cases on N worker processes, each with its own browsers ('auto': one per two cores with screenshots, one per core without); same results as -j 1.")] = "1",
    catalog: PathOption = None,
    fixtures: PathOption = None,
    snapshots: PathOption = None,
    output: PathOption = None,
) -> None:
    """Render every template for every fixture account, check rules, compare with snapshots."""
    try:
        from .parallel import parse_jobs

        project = _project(catalog, fixtures, snapshots, output)
        workers = parse_jobs(jobs, screenshots=not no_screenshots and project.screenshots)
        prepare_output(project.output)  # an unusable --output fails now, not after every case ran
        with Engine(project, update=update, strict=strict, screenshots=False if no_screenshots else None,
                    smtp=not no_smtp, allow_outcome_change=allow_outcome_change, cache=False if no_cache else None) as engine:
            results, seconds = _run_cases(engine, only, shard, workers)
    except HarnessError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        console.print("interrupted: no snapshot was written and the report was left as it was")
        raise typer.Exit(130) from None
    try:
        written = engine.flush()
        unused = engine.unused_snapshots(only)
        if prune and unused:
            engine.prune(unused)
        notes = engine.environment_notes()
        # A shard records the whole catalog's unused snapshots (one list, the same in every shard)
        # and the run it belongs to; 'report merge' reports them once, when every shard is there.
        shard_info = {"run": engine.run_digest(), "unused_all": [c.id for c in engine.unused_snapshots()]} if shard else {}
        document = write_results(
            project.output, results, store=engine.store, unused=[] if prune or shard else unused, seconds=seconds,
            extra={"notes": notes, "shard": shard, **shard_info},
        )
        report_path = write_report(project.output, document, catalog=project.catalog, fixtures=project.fixtures)
        from .review.ci import quoted_output, report_to_github

        report_to_github(document, project.output, catalog=project.catalog, fixtures=project.fixtures, root=project.root)
    except HarnessError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        # Each case is replaced as a whole (see harness.snapshots.store): old or new, never a mix.
        console.print("interrupted while writing: every snapshot is either its old or its new version; run again to finish")
        raise typer.Exit(130) from None

    # Values from fixtures, templates and plugins: each escaped (see harness.inert), and in GitHub
    # Actions the whole block is quoted, after the annotations report_to_github printed.
    with quoted_output(console.print):
        for result in results:
            if not result.ok:
                console.print(result.explain(), markup=False)
            elif result.findings:  # warnings on a passing case
                console.print(f"{result.case.id}: " + "; ".join(log_line(f.describe()) for f in result.findings), markup=False)
        if unused and prune:
            console.print(f"pruned {len(unused)} unused snapshot(s): " + ", ".join(log_line(c.id) for c in unused))
        elif unused and not shard:  # a shard sees only its own cases
            console.print(
                f"{len(unused)} snapshot(s) no case produces any more: " + ", ".join(log_line(c.id) for c in unused)
                + "\n  delete them with: email-harness run --prune", markup=False,
            )
        for note in notes:
            console.print(Text.assemble(("note: ", "yellow"), log_line(note)))
        if written:
            console.print(f"wrote {len(written)} snapshot(s) to {project.relative(project.snapshots)}/")
        _print_held(results)
    _print_summary(document["summary"], seconds)
    console.print(f"report: {project.relative(report_path)}  (results: {project.relative(project.output / 'results.json')})")
    failed = [r for r in results if not r.ok]
    if failed:
        console.print(Text.assemble(
            (f"{len(failed)} case(s) need attention.", "red"),
            f" Review them with 'email-harness review', or approve with "
            f"'email-harness approve --from {project.relative(project.output)} CASE...'.",
        ))
    raise typer.Exit(1 if failed or (unused and not prune and not shard) else 0)


def _print_held(results: list[CaseResult]) -> None:
    """The cases an update or approval did not write because their outcome changes, and the one
    command that approves them all."""
    held = [r for r in results if r.held]
    if not held:
        return
    from .snapshots.outcome import OPTION, describe_approved

    console.print(Text.assemble(
        (f"held back {len(held)} case(s) whose outcome changes (who gets the email); nothing was written for them:", "red"),
    ))
    for result in held:
        approved = log_line(describe_approved(result.approved_outcome))  # a guard's reason, from a plugin
        console.print(f"  {log_line(result.case.id)}: {result.outcome_change} (approved: {approved})", markup=False)
    ids = " ".join(f"'{r.case.id}'" for r in held)
    console.print(f"  If these accounts must (no longer) get this email, approve them with: email-harness approve {OPTION} {ids}", markup=False)


@app.command()
def approve(
    cases: Annotated[Optional[list[str]], typer.Argument(help="Case ids or patterns, e.g. 'invoice_*[de-*]'.")] = None,
    from_report: Annotated[Optional[Path], typer.Option("--from", help="Apply what this report folder's run produced (a CI artifact), without re-rendering.")] = None,
    rebaseline: Annotated[bool, typer.Option("--rebaseline", help="Write this machine's screenshots and measurements of every chosen case (all by default) whose content is unchanged but which were approved on another browser or measured by an older harness; content changes stay pending. Says how many files it wrote.")] = False,
    allow_outcome_change: Annotated[bool, typer.Option("--allow-outcome-change", help="Also approve cases that start or stop being sent (approved 'not sent', now 'sent', or the reverse).")] = False,
    decisions: Annotated[Optional[Path], typer.Option("--decisions", dir_okay=False, help="With --from: apply the decisions exported from the report page (review-decisions.json).")] = None,
    accept_findings: Annotated[Optional[list[str]], typer.Option("--accept-findings", metavar="PATTERN", help="Accept the current rule findings of these cases (with --reason; repeatable, and case patterns given with it are accepted too): stored in each case's accepted-findings.yaml, they no longer fail it; a new finding still does. Only on cases without a pending change: approve it first.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why the findings are acceptable (required with --accept-findings; kept in the file).")] = None,
    catalog: PathOption = None,
    fixtures: PathOption = None,
    snapshots: PathOption = None,
) -> None:
    """Approve the chosen cases: write their snapshots, re-rendered now or taken from a report."""
    if accept_findings is not None or reason is not None:
        others = {"--from": from_report, "--rebaseline": rebaseline, "--decisions": decisions, "--allow-outcome-change": allow_outcome_change}
        # 'approve --accept-findings A B C' gives B and C as case patterns: every pattern counts.
        patterns = None if accept_findings is None else [*accept_findings, *(cases or [])]
        _accept_findings(patterns, reason, [name for name, given in others.items() if given], catalog, fixtures, snapshots)
    cases = cases or (["*"] if rebaseline else [])
    try:
        project = _project(catalog, fixtures, snapshots, None)
        if decisions is not None and (from_report is None or cases):
            raise HarnessError("--decisions needs --from REPORT (the report the decisions were made on) and no case patterns")
        if from_report is not None:
            from .review import approve_from_report
            from .review.decisions import apply_decisions
            from .snapshots import SnapshotStore

            store, document = SnapshotStore(project.snapshots), load_results(from_report)
            if decisions is not None:
                applied = apply_decisions(from_report, document, store, decisions, allow_outcome_change=allow_outcome_change)
            else:
                applied = approve_from_report(from_report, document, store, cases, allow_outcome_change=allow_outcome_change)
            for item in applied:
                label = "refused" if not item.ok else "rejected" if item.message.startswith("rejected") else "approved"
                console.print(f"{label}: {log_line(item.case)}" + (f"\n  {log_line(item.message)}" if item.message else ""), markup=False)
            raise typer.Exit(0 if all(a.ok for a in applied) else 1)
        if not cases:
            raise HarnessError("name the cases to approve (patterns allowed, '*' for all), or pass --from REPORT")
        engine = Engine(project, allow_outcome_change=allow_outcome_change)
        selected = engine.cases(cases)
        if not selected:
            raise HarnessError(f"no case matches {' '.join(cases)}; see 'email-harness list'")
    except HarnessError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    with engine:
        if rebaseline:
            # Safe after a browser update: only cases whose HTML and text are as approved and whose
            # screenshots were taken on another browser; a real content change is never swept in.
            # The check reads the shot cache; the approval below shoots again with this browser.
            checked = [engine.check(case, write=False) for case in selected]
            pending = [r.case.id for r in checked if r.changes or r.status == "error"]
            selected = [r.case for r in checked if r.case.id not in pending]
            console.print(f"re-baselining {len(selected)} case(s) whose content is unchanged; {len(pending)} case(s) with changes stay pending")
        results = [engine.approve(case, rebaseline=rebaseline) for case in selected]
        before = {case: _case_files(engine, case) for case in engine.pending}
    try:
        written = engine.flush()
    except HarnessError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    for result in results:
        mark = "held" if result.held else "error" if not result.ok else "unchanged" if result.status == "passed" else "re-baselined" if rebaseline else "approved"
        console.print(f"{mark}: {log_line(result.case.id)}" + (f"\n  {log_line(result.error)}" if result.error else ""), markup=False)
        if mark == "unchanged" and result.environment and not rebaseline:
            console.print(f"  approved on another browser ({log_line(result.environment)}); only its screenshots would change: "
                          "'email-harness approve --rebaseline' writes them", markup=False)
    touched = sum(_changed_files(before[case], _case_files(engine, case)) for case in written)
    console.print(f"wrote {touched} file(s) in {len(written)} case folder(s) under {project.relative(project.snapshots)}/", markup=False)
    _print_held(results)
    raise typer.Exit(0 if all(r.ok for r in results) else 1)


def _case_files(engine: Engine, case: Case) -> dict[str, bytes]:
    """The files of a case's snapshot folder as they are now (none when it has no folder)."""
    try:
        folder = engine.store.folder(case.template, case.fixture)
    except HarnessError:  # a symlinked folder: refused by the approval too
        return {}
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.is_symlink() and not p.name.startswith(".")}


def _changed_files(before: dict[str, bytes], after: dict[str, bytes]) -> int:
    """Files added, removed or rewritten with other bytes, as ``git status`` would count them."""
    return sum(before.get(name) != after.get(name) for name in before.keys() | after.keys())


def _accept_findings(patterns: list[str] | None, reason: str | None, others: list[str], catalog: Path | None, fixtures: Path | None, snapshots: Path | None) -> None:
    """``approve --accept-findings PATTERN... --reason TEXT``: render the cases the patterns
    select, and replace each one's accepted list with its current findings (see
    ``harness.snapshots.accepted``). A case with a pending change is refused, as on the review
    page: findings are accepted on top of what a reviewer approved, so a finding the change
    brings fails in front of whoever approves it instead of being accepted unseen."""
    from .review.apply import append_log, now, reviewer
    from .snapshots.accepted import accept, accept_command, entry_for, fixture_names, is_acceptable

    try:
        if patterns is None:
            raise HarnessError("--reason goes with --accept-findings PATTERN (approving a change takes no reason on the command line)")
        if not (reason or "").strip():
            quoted = " ".join(f"'{p}'" for p in patterns)
            raise HarnessError(f"--accept-findings needs --reason \"...\": why these findings are acceptable (kept in each case's "
                               f"accepted-findings.yaml), e.g. email-harness approve --accept-findings {quoted} --reason \"known, ticket DES-12\"")
        if others:
            raise HarnessError(f"--accept-findings only accepts findings; run it without {', '.join(others)}")
        engine = Engine(_project(catalog, fixtures, snapshots, None))
        # Each pattern must select a case: a typo among several is named, never dropped.
        for pattern in patterns:
            if not engine.cases([pattern]):
                raise HarnessError(f"no case matches {pattern}; see 'email-harness list'")
        selected = engine.cases(patterns)
    except HarnessError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    assert reason is not None
    refused = 0
    with engine:
        for case in selected:
            result = engine.check(case, write=False)
            if result.status == "error":
                refused += 1
                console.print(f"refused: {log_line(case.id)}\n  {log_line(result.error)}", markup=False)
                continue
            if result.changes and result.approved_manifest is not None:
                refused += 1
                console.print(f"refused: {case.id}\n  its change is pending: approve it first, then accept its findings: "
                              f"email-harness approve '{case.id}' && {accept_command(case.id)}", markup=False)
                continue
            if not result.accepted.complete:
                refused += 1
                console.print(f"refused: {case.id}\n  screenshots are off, so the findings measured in the browser are "
                              "missing; turn screenshots on ([tool.email-harness] screenshots), then accept", markup=False)
                continue
            names = fixture_names(engine.fixtures.fixtures[case.fixture])
            entries = [entry_for(f, names) for f in result.accepted.accepted + result.findings if is_acceptable(f)]
            # A crashed rule checked nothing: a bug to fix, never accepted (notes never fail).
            crashed = [f for f in result.findings if not is_acceptable(f) and f.severity != "note"]
            try:
                done = accept(engine.store, case.template, case.fixture, entries, reason)
                if done.status in ("accepted", "cleared"):
                    append_log(engine.store, {"when": now(), "who": reviewer(), "action": "accept findings", "case": case.id,
                                              "old": done.old, "new": done.new, "reason": reason.strip(), "findings": done.count})
            except HarnessError as exc:
                _error(exc)
                raise typer.Exit(2) from None
            refused += done.status == "refused"
            label = {"accepted": f"accepted {done.count} finding(s)", "cleared": "no findings: accepted list removed",
                     "unchanged": f"unchanged ({done.count} finding(s) already accepted)" if done.count else "no findings to accept",
                     "refused": "refused"}[done.status]
            console.print(f"{label}: {log_line(case.id)}" + (f"\n  {log_line(done.message)}" if done.message else ""), markup=False)
            for finding in crashed:
                console.print(f"  not accepted (the rule crashed and checked nothing; fix it): {log_line(finding.describe())}", markup=False)
    raise typer.Exit(1 if refused else 0)


@app.command()
def review(
    report: Annotated[Optional[Path], typer.Option("--report", help="Report folder (default: [tool.email-harness] output).")] = None,
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")] = 8765,
    snapshots: PathOption = None,
) -> None:
    """Open the review page for the last run (or a CI artifact with --report): approve or reject
    each change group or case in the browser."""
    from .review.app import create_app, make_review_server
    from .snapshots import SnapshotStore

    try:
        project = _project(None, None, snapshots, report)
        review_app = create_app(project.output, SnapshotStore(project.snapshots), catalog=project.catalog, fixtures=project.fixtures)
        server = make_review_server("127.0.0.1", port, review_app)
    except (HarnessError, OSError) as exc:
        _error(exc)
        raise typer.Exit(2) from None
    console.print(f"review: http://127.0.0.1:{server.port}/  (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


@report_app.command("merge")
def report_merge(
    shards: Annotated[list[Path], typer.Argument(help="Report folders of the shards (e.g. CI artifacts).")],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Merged report folder (default: [tool.email-harness] output).")] = None,
) -> None:
    """Merge the reports of '--shard I/N' runs into one report."""
    try:
        # The project's report folder, as 'run' writes it: what the workflow uploads and 'approve --from' reads.
        output = output or Project.load(find_project()).output
        document = merge_reports(shards, output)
    except HarnessError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    s = document["summary"]
    console.print(f"merged {len(shards)} report(s): {s['cases']} cases -> {output / 'index.html'}")
    if document["unused_snapshots"]:
        console.print(f"{len(document['unused_snapshots'])} snapshot(s) no case produces any more: "
                      + ", ".join(map(log_line, document["unused_snapshots"])) + "\n  delete them with: email-harness run --prune", markup=False)
    failing = s["changed"] + s["new"] + s["failed"] + s["error"] + len(document["unused_snapshots"])
    raise typer.Exit(1 if failing else 0)


@app.command()
def init() -> None:
    """Set up email-harness in the current folder: settings, a template, two fixtures, a plugin
    module and a CI workflow. Existing files are kept."""
    from .scaffold import init_project

    root = Path.cwd()
    try:
        done = init_project(root)
    except HarnessError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    for item in done:
        console.print(f"  {item.action:8} {item.path}" + (f"  ({item.note})" if item.note else ""), markup=False)
    console.print(
        "Next: 'email-harness run --update' writes the first snapshots; review them, commit them, "
        "then 'email-harness run' checks every change against them."
    )


@app.command()
def workflow(
    shards: Annotated[int, typer.Option(min=1, max=256, help="Machines to split the run over (joined by 'report merge').")] = 1,
) -> None:
    """Print the GitHub Actions workflow fitted to this project as it is now (install line, paths of
    the catalog, fixtures, snapshots, translations and plugin modules, the default branch):
    'email-harness workflow > .github/workflows/emails.yml' after adding a plugin module, or
    '--shards 4' for a large catalog."""
    from .scaffold.workflow import workflow_for

    try:
        text, install = workflow_for(_project(None, None, None, None), shards)
    except HarnessError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    print(text, end="")  # not rich: '[...]' in the YAML is not markup
    if install.wheel is not None:
        print(f"note: the install line names .github/wheels/{install.wheel.name}: copy that wheel there and commit it", file=sys.stderr)


@app.command("compare-engines")
def compare_engines_command(
    other: Annotated[str, typer.Option("--with", help="The MJML engine to compare the configured one with.")] = "mjml-js",
    only: Annotated[list[str], typer.Option("--only", metavar="PATTERN", help="Case pattern; repeatable.")] = [],
) -> None:
    """Say where another MJML engine (JavaScript mjml by default) would show a reader something
    else: text, link targets or image alt texts. Exit 1 when any case differs."""
    from .render import mjml_engines
    from .render.engine_gap import compare_engines

    try:
        project = _project(None, None, None, None)
        engine = Engine(project, screenshots=False)
        second = mjml_engines.get(other)(project_root=project.root)
        sources = []
        for case in engine.cases(only):
            try:
                email = engine.render(case)
            except HarnessError:
                continue  # broken cases are reported by 'email-harness run'
            if email.sent and engine.catalog.templates[case.template].renderer == "mjml":
                sources.append((case, email.source))
        differences = compare_engines(sources, engine.renderer.engine, second)
    except HarnessError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    finally:
        if "second" in locals() and callable(getattr(second, "close", None)):
            second.close()
    for case_id, found in sorted(differences.items()):
        console.print(f"{log_line(case_id)}:\n  " + "\n  ".join(map(log_line, found)))
    console.print(f"{len(sources)} MJML case(s) compared with {other}: {len(differences)} would read differently")
    raise typer.Exit(1 if differences else 0)


@app.command("list")
def list_cases(
    only: Annotated[list[str], typer.Option("--only", metavar="PATTERN", help="Case pattern; repeatable.")] = [],
    catalog: PathOption = None,
    fixtures: PathOption = None,
) -> None:
    """List the cases (template[fixture]) the catalog and fixtures produce; broken templates and
    fixtures are listed with their errors, and make the exit code 1."""
    try:
        engine = Engine(_project(catalog, fixtures, None, None), screenshots=False)
    except HarnessError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    for case in engine.cases(only):
        console.print(log_line(case.id))
    broken = {**engine.catalog.errors, **engine.fixtures.errors}
    for name, exc in sorted(broken.items()):
        _error(exc)
    raise typer.Exit(1 if broken else 0)


@app.command("rules")
def rules_command(
    name: Annotated[Optional[str], typer.Argument(metavar="[RULE]", help="A rule's name, e.g. approved-copy.")] = None,
) -> None:
    """List every rule (built in and the project's plugins), or show one rule's options with
    their types, defaults and an example."""
    from .plugins import load_plugins
    from .rules.reference import format_rule, format_rules

    try:
        project = Project.load(find_project())
        load_plugins(project.root, project.plugins)  # the project's rules, as the engine loads them
        console.print(format_rules() if name is None else format_rule(name))
    except HarnessError as exc:
        _error(exc)
        raise typer.Exit(2) from None


@app.command("api")
def api_command(
    registered: Annotated[bool, typer.Option("--registered", help="Also list what is registered now, the project's plugins included.")] = False,
) -> None:
    """Print the plugin API reference (Markdown, as docs/plugin-api.md): every registry, what a
    plugin of each kind is, and the objects plugins receive, with their fields."""
    from .api_reference import format_api
    from .plugins import load_plugins

    try:
        if registered:
            project = Project.load(find_project())
            load_plugins(project.root, project.plugins)
        print(format_api(registered=registered), end="")  # not rich: Markdown's [ ] and ** stay as written
    except HarnessError as exc:
        _error(exc)
        raise typer.Exit(2) from None


def main() -> None:
    try:
        app()
    except SystemExit as exc:
        # Typer turns Ctrl+C outside a command's own handler (loading plugins, the catalog) into a
        # silent exit 130 (SystemExit <- typer.Exit <- KeyboardInterrupt): say what happened.
        if exc.code == 130 and isinstance(getattr(exc.__context__, "__cause__", None), KeyboardInterrupt):
            console.print("interrupted (Ctrl+C)")
        raise
