"""The static HTML report: ``report/index.html`` plus ``assets/``, readable from disk and as a CI
artifact. Images are referenced (``received/…``, ``approved/…``) and lazy-loaded, never inlined,
so a large catalog's report stays small and fast to open. The review app renders the same page
with its decisions going to the server; on disk they stay in the browser and are exported as a
file that ``approve --from REPORT --decisions FILE`` applies.

The page leads with change groups (one template edit in 16 cases is one change), each showing
what the customer sees first: inbox line, screenshots, text part, and the HTML diff folded last.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..errors import HarnessError
from ..review.changes import KINDS, ChangeGroup, approve_command, edit_cases, group_changes, group_positions, headline_counts
from ..review.decisions import DECISIONS, run_id
from ..review.sources import Sources
from ..review.view import CaseView, case_view
from ..safepaths import read_regular
from ..snapshots import atomic_write
from .results import RESULTS

__all__ = ["ASSETS", "case_views", "render_report", "results_digest", "write_report"]

ASSETS = Path(__file__).with_name("assets")
ASSET_FILES = ("report.css", "report.js", "review.js", "accept.js")
STATUS_ORDER = ("failed", "error", "changed", "new", "updated", "passed", "not sent")
#: The grid's legend: status, symbol, meaning.
LEGEND = [
    ("changed", "Δ", "changed: differs from the approved snapshot"),
    ("new", "+", "new: no approved snapshot yet"),
    ("failed", "✗", "failed: a rule error"),
    ("error", "!", "error: could not be rendered"),
    ("updated", "↻", "updated by this run"),
    ("passed", "✓", "passed: sent, as approved"),
    ("not sent", "–", "not sent, as approved"),
]

_env = Environment(loader=PackageLoader("harness.report", "assets"), autoescape=select_autoescape(default=True))


def _display_status(case: dict[str, Any]) -> str:
    if case.get("status") == "passed" and case.get("outcome") == "not sent":
        return "not sent"
    return str(case.get("status", ""))


def _grid(cases: list[dict[str, Any]]) -> dict[str, Any]:
    grid: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for case in cases:
        grid[str(case.get("template"))][str(case.get("fixture"))] = case
    return {
        "templates": sorted(grid),
        "fixtures": sorted({str(c.get("fixture")) for c in cases}),
        "cells": grid,
        "symbols": {status: symbol for status, symbol, _ in LEGEND},
    }


def results_digest(results: bytes | dict[str, Any]) -> str:
    """The run a page belongs to, as it and the review server name it: the digest of the report's
    ``results.json`` (its bytes; a document not read from a file, its JSON). Every run writes a new
    one, even with the same changes (timings differ)."""
    data = results if isinstance(results, bytes) else json.dumps(results, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(data).hexdigest()[:12]


def case_views(groups: list[ChangeGroup], sources: Sources) -> dict[str, list[CaseView]]:
    """What the page shows of every case, by group key."""
    return {g.key: [case_view(c, sources) for c in g.cases] for g in groups}


def _raw_messages(cases: list[dict[str, Any]], root: Path | None) -> dict[str, str]:
    """Case id -> the report-relative path of its raw message (``messages/T/F.eml``, written by
    the run's message stage), for the cases whose file is there."""
    found = {}
    for case in cases if root is not None else ():
        template, fixture = case.get("template"), case.get("fixture")
        if isinstance(template, str) and isinstance(fixture, str) and case.get("outcome") == "sent":
            relative = f"messages/{template}/{fixture}.eml"
            if (root / relative).is_file():
                found[str(case.get("id"))] = relative
    return found


def render_report(
    document: dict[str, Any], *, review: dict[str, Any] | None = None, folder: str = "report",
    root: Path | None = None, sources: Sources | None = None, groups: list[ChangeGroup] | None = None,
    views: dict[str, list[CaseView]] | None = None, results: str | None = None,
) -> str:
    """The page for a ``results.json`` document. ``root`` is the report folder (for the evidence
    the views show); ``review`` (``token``, ``base``, ``states``, ``notes``) makes it the review
    server's page; ``folder`` names the report folder in the commands the page shows. ``groups``
    and ``views`` may be given when already computed (the review server renders many times);
    ``results`` names the run (:func:`results_digest`; of ``document`` when not given)."""
    sources = sources or Sources()
    results = results or results_digest(document)
    # Copies: the review server renders its document many times and digests it.
    cases = [{**c, "display_status": _display_status(c)} for c in document.get("cases", []) if isinstance(c, dict)]
    if groups is None:
        groups = group_changes(document, root or Path("/nonexistent"), sources)
    if views is None:
        views = case_views(groups, sources)
    pending = Counter(c.template for g in groups for c in g.approvable)
    commands = {g.key: approve_command(g, folder, pending) for g in groups if g.approvable}
    kinds = Counter(k for g in groups for k in g.kinds)
    return _env.get_template("report.html.j2").render(
        summary=document.get("summary", {}),
        headline=headline_counts(groups),
        positions=group_positions(groups),
        groups=groups,
        edit_counts=edit_cases(groups),
        views=views,
        commands=commands,
        kinds=[(k, KINDS[k], kinds[k]) for k in KINDS if kinds[k]],
        grid=_grid(cases),
        legend=LEGEND,
        notes=document.get("notes", []),
        unused=document.get("unused_snapshots", []),
        accepted=[c for c in cases if isinstance(c.get("accepted_findings"), dict)
                  and (c["accepted_findings"].get("findings") or c["accepted_findings"].get("no_longer_occur"))],
        review=review,
        base=review.get("base", "") if review else "",
        states=(review or {}).get("states", {}),
        folder=folder,
        run=run_id(document),
        results=results,
        decisions_file=DECISIONS,
        emails=_raw_messages(cases, root),
        status_order=STATUS_ORDER,
    )


def write_report(output: Path, document: dict[str, Any], *, catalog: Path | None = None, fixtures: Path | None = None) -> Path:
    """Write ``index.html`` and its assets into the report folder; return the page's path.
    ``catalog`` and ``fixtures`` (optional) let the page group changes by the fixtures' values
    and name the send guards behind an outcome change."""
    for asset in ASSET_FILES:
        # atomic_write replaces a planted symlink instead of writing through it (copyfile would).
        atomic_write(output / "assets" / asset, (ASSETS / asset).read_bytes())
    path = output / "index.html"
    try:
        results = results_digest(read_regular(output / RESULTS, follow=False))  # as the review server names this run
    except HarnessError:
        results = None
    page = render_report(document, folder=output.name, root=output, sources=Sources(catalog=catalog, fixtures=fixtures), results=results)
    atomic_write(path, page.encode("utf-8"))
    return path
