"""``email-harness report merge``: one report from the reports of ``--shard I/N`` runs.

A shard report is a CI artifact, maybe from a fork's pull request: names in it pass the one gate
(``harness.safepaths``), only regular files are copied, and the set of shards must be whole: every
``I`` of one ``N`` exactly once, all from the same run (same catalog and fixtures). A missing
shard would otherwise pass as a smaller, green catalog.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..cases import Case
from ..errors import HarnessError
from ..safepaths import NAME, check_name, read_regular
from ..snapshots import atomic_write
from .results import FORMAT, RESULTS, clear_evidence, load_results, summarize, write_junit
from .schema import parse_shard

__all__ = ["check_shards", "merge_reports"]


def check_shards(documents: Sequence[tuple[Path, dict[str, Any]]]) -> list[str]:
    """The unused snapshots the shards report, after checking they are one whole run: raises
    HarnessError naming the missing, doubled or foreign shard. Reports without shard information
    (pytest-xdist workers' parts) are not checked."""
    if not any(doc.get("shard") for _, doc in documents):
        return []
    seen: dict[int, Path] = {}
    totals, runs = set(), set()
    for path, doc in documents:
        spec = doc.get("shard")
        if not isinstance(spec, str):
            raise HarnessError(f"{path}: not a shard report (no 'shard: I/N'); merge only the reports of 'run --shard I/N'")
        try:
            index, total = parse_shard(spec)  # bounded: 'N' cannot make the check below run for ever
        except ValueError as exc:
            raise HarnessError(f"{path / RESULTS if path.is_dir() else path}: field shard: {exc}") from None
        if index in seen:
            raise HarnessError(f"shard {index}/{total} given twice: {seen[index]} and {path}")
        seen[index] = path
        totals.add(total)
        runs.add(doc.get("run"))
    if len(totals) != 1:
        raise HarnessError(f"the shard reports split the catalog differently (N = {', '.join(map(str, sorted(totals)))}); run every shard with the same N")
    total = totals.pop()
    missing = [f"{i}/{total}" for i in range(1, total + 1) if i not in seen]
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        raise HarnessError(f"shard(s) {shown} missing: the merged report would leave their cases out; download every shard's report")
    if len(runs) != 1:
        raise HarnessError("the shard reports come from different runs (another commit's catalog or fixtures); merge the shards of one run")
    unused = documents[0][1].get("unused_all", [])
    return [u for u in unused if isinstance(u, str)]


def merge_reports(shards: Sequence[Path], output: Path, *, unused: Sequence[str] = ()) -> dict[str, Any]:
    """One report from the reports of ``--shard I/N`` runs (or of pytest-xdist workers): cases
    concatenated, evidence folders copied; ``unused`` adds snapshots no case produces (the shards
    bring their own list)."""
    from .html import write_report

    cases: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    seconds = 0.0
    target = output.resolve()
    for shard in shards:
        where = shard.resolve()
        # Merging into a shard (or clearing the folders a shard lies in) would destroy its evidence.
        if target.is_relative_to(where) or any(where.is_relative_to(target / kind) for kind in ("received", "approved")):
            raise HarnessError(f"--output {output} overlaps the shard report {shard}; merge into a new folder")
    documents = [(shard, load_results(shard)) for shard in shards]
    unused = [*unused, *check_shards(documents)]
    output.mkdir(parents=True, exist_ok=True)
    clear_evidence(output, ("received", "approved", "messages"))
    for shard, document in documents:
        ids: list[tuple[str, str]] = []
        for case in document["cases"]:  # load_results checked every field's type
            case_id, template, fixture = case["id"], case["template"], case["fixture"]
            check_name(template, "template", shard / RESULTS)
            check_name(fixture, "fixture", shard / RESULTS)
            if case_id != Case(template, fixture).id:
                raise HarnessError(f"{shard / RESULTS}: case id {case_id!r} does not match its template and fixture")
            if case_id in cases:
                raise HarnessError(f"{case_id} is in two shard reports ({shard}); were the shards run with the same N?")
            cases[case_id] = case
            ids.append((template, fixture))
        notes += [n for n in document["notes"] if n not in notes]  # validated: a list of str, [] when left out
        seconds = max(seconds, document["summary"]["seconds"])  # validated: a finite number
        for kind in ("received", "approved"):
            _copy_evidence(shard / kind, output / kind, ids)
        _copy_messages(shard / "messages", output / "messages", ids)
    merged = sorted(cases.values(), key=lambda c: c["id"])
    summary = {**summarize(merged), "unused_snapshots": len(unused), "seconds": seconds}
    document = {
        "format": FORMAT, "summary": summary, "cases": merged, "unused_snapshots": unused, "notes": notes,
        "merged_from": [str(s) for s in shards],
    }
    atomic_write(output / RESULTS, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode())
    write_junit(output, document)
    write_report(output, document)
    return document


def _copy_evidence(source: Path, target: Path, cases: list[tuple[str, str]]) -> None:
    """Copy the ``TEMPLATE/FIXTURE/PART`` files of the shard's ``cases`` (names already checked
    against the grammar; a template's path is one folder per segment): regular files with valid
    names only, no symlink followed (a shard is a CI artifact, possibly from a fork's pull request)."""
    if not source.is_dir() or source.is_symlink():
        return
    for template, fixture in cases:
        folder = source
        for step in (*template.split("/"), fixture):
            folder = folder / step
            if not folder.is_dir() or folder.is_symlink():
                break
        else:
            for part in sorted(folder.iterdir()):
                if NAME.fullmatch(part.name) and part.is_file() and not part.is_symlink():
                    atomic_write(target / template / fixture / part.name, read_regular(part, follow=False))


def _copy_messages(source: Path, target: Path, cases: list[tuple[str, str]]) -> None:
    """Copy each case's raw message, ``messages/TEMPLATE/FIXTURE.eml``, under the same rules as
    the evidence: a regular file, no symlink followed on the way."""
    for template, fixture in cases:
        path = source
        for step in (*template.split("/"), f"{fixture}.eml"):
            if not path.is_dir() or path.is_symlink():
                break
            path = path / step
        else:
            if path.is_file() and not path.is_symlink():
                atomic_write(target / template / f"{fixture}.eml", read_regular(path, follow=False))
