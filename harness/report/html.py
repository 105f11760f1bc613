"""The static HTML report: ``report/index.html`` plus ``assets/``, readable from disk and as a CI
artifact. Images are referenced (``received/…``, ``approved/…``) and lazy-loaded, never inlined,
so a large catalog's report stays small and fast to open. The review app renders the same page
with approve and reject buttons."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..snapshots import atomic_write

__all__ = ["render_report", "write_report"]

ASSETS = Path(__file__).with_name("assets")
STATUS_ORDER = ("failed", "error", "changed", "new", "updated", "passed", "not sent")

_env = Environment(loader=PackageLoader("harness.report", "assets"), autoescape=select_autoescape(default=True))


def _display_status(case: dict[str, Any]) -> str:
    if case["status"] == "passed" and case["outcome"] == "not sent":
        return "not sent"
    return str(case["status"])


def render_report(document: dict[str, Any], *, review: dict[str, Any] | None = None, folder: str = "report") -> str:
    """The report page for a ``results.json`` document; ``review`` adds the review controls;
    ``folder`` is the report folder's name, for the approve command the page shows."""
    cases = document["cases"]
    for case in cases:
        case["display_status"] = _display_status(case)
    templates = sorted({c["template"] for c in cases})
    fixtures = sorted({c["fixture"] for c in cases})
    grid: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for case in cases:
        grid[case["template"]][case["fixture"]] = case
    attention = sorted(
        (c for c in cases if c["display_status"] not in ("passed", "not sent") or c["findings"]),
        key=lambda c: (STATUS_ORDER.index(c["display_status"]), c["id"]),
    )
    return _env.get_template("report.html.j2").render(
        summary=document["summary"],
        templates=templates,
        fixtures=fixtures,
        grid=grid,
        attention=attention,
        statuses=[s for s in STATUS_ORDER if any(c["display_status"] == s for c in cases)],
        notes=document.get("notes", []),
        unused=document.get("unused_snapshots", []),
        review=review,
        folder=folder,
    )


def write_report(output: Path, document: dict[str, Any]) -> Path:
    """Write ``index.html`` and its assets into the report folder; return the page's path."""
    for asset in ("report.css", "report.js"):
        # atomic_write replaces a planted symlink instead of writing through it (copyfile would).
        atomic_write(output / "assets" / asset, (ASSETS / asset).read_bytes())
    path = output / "index.html"
    atomic_write(path, render_report(document, folder=output.name).encode("utf-8"))
    return path
