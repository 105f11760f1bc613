"""Mutation testing of the code that decides verdicts, with mutmut 3 and the fast unit tests.

    python mutation/run.py              # fresh run: prints the score and every surviving mutant
    python mutation/run.py --keep       # re-use mutation/work/ (mutmut re-tests what changed)
    python mutation/run.py --show NAME  # the diff of one mutant
    python mutation/run.py --report     # the last run's score and survivors again, without running
    python mutation/run.py --work /tmp/m --only-mutate shop/guards.py --mutants 'shop.guards.x_order__*'
                                        # one module, some of its mutants (tests/test_mutation_smoke.py)

What it does:

1. Copies ``harness/``, ``shop/``, ``tests/unit/``, the bundled project some unit tests read
   (``templates/``, ``fixtures/``, ``snapshots/``, ``examples/``, ``docs/``, ``mutation/``) and
   ``pyproject.toml`` (with the ``[tool.mutmut]`` table of ``mutation/mutmut.toml`` appended) to
   ``mutation/work/``. mutmut 3
   copies that again into ``mutation/work/mutants/`` and rewrites each function into a
   trampoline; the repository itself is never touched.
2. Spells the decorators of the mutated modules as assignments (``@rules.register("links") def
   links`` becomes ``def links`` + ``links = rules.register("links")(links)``), the same thing
   written another way. mutmut 3 skips decorated functions, and every rule and send guard is
   registered with a decorator: without this step none of them would be mutated.
3. Runs ``mutmut run`` there, then reads mutmut's results and prints the score (killed and timed
   out over all mutants) and each survivor with its diff.
4. Compares the survivors with ``mutation/SURVIVORS.md``, where each one is listed with why it is
   equivalent. Exit code 0 only when the score reaches ``--min-score`` (90) and every survivor
   is listed there; a survivor that is not is printed as "not reviewed".

mutmut 3 mutates code inside functions and methods only; module-level constants (the set of
non-production host markers, the look-alike scripts, the thresholds, the regular expressions) are
not mutated: ``tests/unit/test_mut_constants.py`` pins the effect of each value that decides a
verdict instead.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "mutation"
CONFIG = HERE / "mutmut.toml"
SURVIVORS = HERE / "SURVIVORS.md"
COPIED = ("harness", "shop", "tests/unit")
#: The bundled project the unit tests may read (``tests/unit/test_pseudo.py`` reads an approved
#: ``body.html`` from ``snapshots/``, ``test_rule_options.py`` loads ``templates/``, ``test_api_reference.py``
#: reads ``docs/plugin-api.md``). Copied to the
#: work folder and, through ``also_copy`` in ``mutmut.toml``, on into ``mutants/``, where the tests
#: run. ``tests/unit/test_mutation_survivors.py`` reads ``mutation/`` itself. A unit test that reads anything else fails mutmut's first pass ("failed to collect stats"),
#: and ``tests/test_mutation_smoke.py`` runs that pass in ``make test``.
DATA = ("templates", "fixtures", "snapshots", "examples", "docs", "mutation")

#: mutmut's exit codes (mutmut/stats.py) grouped the way the score counts them.
DETECTED = {"killed", "timeout", "caught by type check", "segfault"}
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 35: "suspicious",
          36: "timeout", 37: "caught by type check", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout",
          -11: "segfault", -9: "segfault", 2: "interrupted", None: "not checked"}


def mutmut_settings(work: Path | None = None) -> dict:
    """The ``[tool.mutmut]`` table: the work folder's (what mutmut ran with) when it has one,
    else ``mutation/mutmut.toml``'s."""
    pyproject = work / "pyproject.toml" if work else CONFIG
    if not pyproject.is_file():
        pyproject = CONFIG
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["mutmut"]


def in_scope(relative: str, settings: dict) -> bool:
    """Whether mutmut mutates the file at ``relative`` (``only_mutate`` less ``do_not_mutate``)."""
    return (any(fnmatch.fnmatch(relative, p) for p in settings["only_mutate"])
            and not any(fnmatch.fnmatch(relative, p) for p in settings.get("do_not_mutate", [])))


def mutated_files(work: Path) -> list[Path]:
    settings = mutmut_settings(work)
    return sorted(p for p in work.rglob("*.py") if "mutants" not in p.relative_to(work).parts
                  and in_scope(str(p.relative_to(work)), settings))


# -- 1 and 2: the work copy ---------------------------------------------------------------------


def prepare(work: Path, only_mutate: list[str] | None = None) -> None:
    """The work copy; ``only_mutate`` replaces the patterns of ``mutmut.toml`` (the smoke test
    mutates one small module)."""
    work.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "work")  # mutation/work: the default work folder
    for relative in COPIED + DATA:
        target = work / relative
        if target.exists():
            shutil.rmtree(target)
        if (ROOT / relative).is_dir():
            shutil.copytree(ROOT / relative, target, ignore=ignore)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if "[tool.mutmut]" in pyproject:
        sys.exit("mutation: pyproject.toml has a [tool.mutmut] table; the settings belong in mutation/mutmut.toml")
    settings = CONFIG.read_text(encoding="utf-8")
    if only_mutate:
        # The last assignment of a key would be a TOML error: replace the one in the file.
        settings, replaced = re.subn(r"^only_mutate = \[.*?\]\n", "only_mutate = " + json.dumps(only_mutate) + "\n",
                                     settings, count=1, flags=re.M | re.S)
        if not replaced:
            sys.exit(f"mutation: no only_mutate list in {CONFIG}")
    (work / "pyproject.toml").write_text(pyproject + "\n" + settings, encoding="utf-8")
    if not mutated_files(work):
        sys.exit(f"mutation: nothing to mutate: no file matches {mutmut_settings(work)['only_mutate']}")
    for path in mutated_files(work):
        path.write_text(undecorate(path.read_text(encoding="utf-8")), encoding="utf-8")


def undecorate(source: str) -> str:
    """Decorated functions and methods as a plain ``def`` followed by ``name = deco(name)``
    (decorators applied bottom-up, as Python does). A lone ``@staticmethod`` or
    ``@classmethod`` stays: mutmut handles those itself."""
    import libcst as cst

    class Undecorate(cst.CSTTransformer):
        def __init__(self) -> None:
            self.depth = 0  # only functions at module level or directly in a class body

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            self.depth += 1
            return True

        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef):
            self.depth -= 1
            kept = {"staticmethod", "classmethod"}
            if self.depth or not updated.decorators or (
                len(updated.decorators) == 1 and isinstance(updated.decorators[0].decorator, cst.Name)
                and updated.decorators[0].decorator.value in kept
            ):
                return updated
            value: cst.BaseExpression = updated.name
            for decorator in reversed(updated.decorators):
                value = cst.Call(func=decorator.decorator, args=[cst.Arg(value)])
            assign = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(updated.name.value))], value)])
            leading = list(updated.leading_lines) + [line for d in updated.decorators for line in d.leading_lines]
            return cst.FlattenSentinel([updated.with_changes(decorators=[], leading_lines=leading), assign])

    return cst.parse_module(source).visit(Undecorate()).code


# -- 3: run and read the results ----------------------------------------------------------------


def shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it (the default work folder)."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def run_mutmut(work: Path, max_children: int, mutants: list[str] | None = None) -> float:
    mutmut = Path(sys.executable).with_name("mutmut")
    command = [str(mutmut) if mutmut.exists() else "mutmut", "run", "--max-children", str(max_children), *(mutants or [])]
    log = work / "mutmut.log"
    print(f"mutation: {' '.join(command[1:])} in {shown(work)} (output: {shown(log)})", flush=True)
    started = time.monotonic()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with log.open("wb") as out:
        finished = subprocess.run(command, cwd=work, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, check=False)
    seconds = time.monotonic() - started
    if finished.returncode != 0:
        tail = log.read_bytes()[-3000:].decode("utf-8", "replace")
        sys.exit(f"mutation: mutmut failed (exit {finished.returncode}) after {seconds:.0f} s; the end of {log}:\n{tail}")
    return seconds


def results(work: Path, mutants: list[str] | None = None) -> dict[str, str]:
    """mutant name -> status, from mutmut's ``mutants/**/*.py.meta`` files; only the names
    matching one of ``mutants`` (globs) when given."""
    statuses: dict[str, str] = {}
    settings = mutmut_settings(work)
    for meta in sorted((work / "mutants").rglob("*.py.meta")):
        source = meta.relative_to(work / "mutants").with_suffix("")
        if not in_scope(str(source), settings):
            continue
        for name, code in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].items():
            if not mutants or any(fnmatch.fnmatch(name, pattern) for pattern in mutants):
                statuses[name] = STATUS.get(code, "suspicious")
    return statuses


def show(work: Path, name: str) -> str:
    mutmut = Path(sys.executable).with_name("mutmut")
    shown = subprocess.run([str(mutmut) if mutmut.exists() else "mutmut", "show", name], cwd=work,
                           capture_output=True, text=True, check=False, timeout=120)
    return (shown.stdout or shown.stderr).strip()


# -- 4: the reviewed survivors ------------------------------------------------------------------

_LISTED = re.compile(r"^#+\s*`([^`]+__mutmut_\d+)`|^[-*]\s*`([^`]+__mutmut_\d+)`", re.M)


def reviewed() -> set[str]:
    if not SURVIVORS.is_file():
        return set()
    return {a or b for a, b in _LISTED.findall(SURVIVORS.read_text(encoding="utf-8"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=HERE / "work", help="work folder (default mutation/work)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder's earlier results (incremental)")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--min-score", type=float, default=90.0, help="lowest acceptable percentage of detected mutants")
    parser.add_argument("--only-mutate", metavar="PATTERN", action="append",
                        help="mutate only files matching this glob (e.g. harness/rules/builtin/subject.py) instead of "
                             "mutmut.toml's list; repeatable")
    parser.add_argument("--mutants", metavar="GLOB", action="append",
                        help="test only the mutants whose names match (e.g. 'shop.guards.x_order__mutmut_*'); repeatable")
    parser.add_argument("--no-diffs", action="store_true", help="list surviving mutants without their diffs")
    parser.add_argument("--show", metavar="MUTANT", help="print one mutant's diff from the last run and stop")
    parser.add_argument("--report", action="store_true", help="report the last run's results again without running mutmut")
    args = parser.parse_args()
    work = args.work.resolve()
    if args.show:
        print(show(work, args.show))
        return 0

    started = time.monotonic()
    if args.report:
        mutmut_seconds = json.loads((work / "summary.json").read_text())["seconds"] if (work / "summary.json").is_file() else 0
    else:
        if not args.keep and work.exists():
            shutil.rmtree(work)
        prepare(work, args.only_mutate)
        mutmut_seconds = run_mutmut(work, args.max_children, args.mutants)
    statuses = results(work, args.mutants)
    if not statuses:
        sys.exit("mutation: mutmut produced no results")

    by_status: dict[str, int] = {}
    for status in statuses.values():
        by_status[status] = by_status.get(status, 0) + 1
    detected = sum(n for status, n in by_status.items() if status in DETECTED)
    score = 100.0 * detected / len(statuses)
    survivors = sorted(name for name, status in statuses.items() if status not in DETECTED)
    listed = reviewed()
    unreviewed = [name for name in survivors if name not in listed]
    # Only the modules this run mutated can tell whether a listed survivor still survives.
    modules = {name.rsplit(".", 1)[0] for name in statuses}
    stale = sorted(name for name in listed - set(survivors) if name.rsplit(".", 1)[0] in modules
                   and (not args.mutants or any(fnmatch.fnmatch(name, pattern) for pattern in args.mutants)))

    per_module: dict[str, list[int]] = {}
    for name, status in statuses.items():
        module = name.rsplit(".", 1)[0]
        counts = per_module.setdefault(module, [0, 0])
        counts[0] += status in DETECTED
        counts[1] += 1
    print()
    print("module                                      detected / mutants")
    for module, (found, total) in sorted(per_module.items()):
        print(f"  {module:<42} {found:>4} / {total:<4} {100.0 * found / total:5.1f}%")
    print()
    for name in survivors:
        mark = "" if name in listed else "   <- not reviewed in mutation/SURVIVORS.md"
        print(f"{statuses[name]}: {name}{mark}")
        if not args.no_diffs:
            print("    " + show(work, name).replace("\n", "\n    "))
    if stale:
        print(f"\nlisted in SURVIVORS.md but no longer surviving (remove them): {', '.join(stale)}")
    summary = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
    print(f"\nmutation score: {score:.1f}% ({detected} of {len(statuses)} mutants detected: {summary}); "
          f"{len(survivors)} survived, {len(unreviewed)} not reviewed; mutmut {mutmut_seconds:.0f} s, "
          f"total {time.monotonic() - started:.0f} s")
    (work / "summary.json").write_text(json.dumps({"score": round(score, 2), "by_status": by_status, "survivors": survivors,
                                                   "unreviewed": unreviewed, "seconds": round(mutmut_seconds)}, indent=2) + "\n")
    if score < args.min_score:
        print(f"mutation: the score is under {args.min_score:.0f}%")
        return 1
    if unreviewed:
        print("mutation: surviving mutants not reviewed in mutation/SURVIVORS.md (kill them with a test, or list why each is equivalent)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
