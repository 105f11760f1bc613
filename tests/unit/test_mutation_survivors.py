"""``mutation/SURVIVORS.md`` stays current: every mutant it reviews names a function or method
that still exists, and it records the score and commit of the last full ``make mutation``.

An entry is a mutmut name, ``harness.rules.builtin._text.x_word_diff__mutmut_4`` (function
``word_diff`` of ``harness/rules/builtin/_text.py``) or
``harness.review.apply.xǁReportApproverǁ_approve__mutmut_110`` (method ``_approve`` of class
``ReportApprover``). An entry whose code was renamed or deleted reviews nothing: the run would
report it as stale, but only after 20 minutes of mutation testing; this test says so at once.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SURVIVORS = REPO / "mutation" / "SURVIVORS.md"
_MANGLED = re.compile(r"^x_(?P<function>\w+?)__mutmut_\d+$|^xǁ(?P<cls>\w+)ǁ(?P<method>\w+?)__mutmut_\d+$")
_LAST_RUN = re.compile(r"^Last run: (?P<score>\d+\.\d+)% of (?P<mutants>\d+) mutants detected.*? at commit (?P<commit>[0-9a-f]{7,40})\b", re.M)


def _run_py():
    """``mutation/run.py`` as a module: the test reads the file with the parser the run uses."""
    spec = importlib.util.spec_from_file_location("mutation_run", REPO / "mutation" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def definitions(module: str) -> set[str] | None:
    """``function`` and ``Class.method`` names defined at the top of ``module`` (what mutmut
    mutates), or None when no such file exists."""
    relative = Path(*module.split("."))
    for path in (REPO / relative.with_suffix(".py"), REPO / relative / "__init__.py"):
        if path.is_file():
            tree = ast.parse(path.read_text(encoding="utf-8"))
            break
    else:
        return None
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names |= {f"{node.name}.{item.name}" for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return names


def missing_code(name: str) -> str | None:
    """Why ``name`` reviews no existing code, or None when its function or method exists."""
    module, _, mangled = name.rpartition(".")
    match = _MANGLED.match(mangled)
    if not match:
        return f"{name}: not a mutmut mutant name (x_FUNCTION__mutmut_N or xǁClassǁmethod__mutmut_N)"
    wanted = match["function"] or f"{match['cls']}.{match['method']}"
    defined = definitions(module)
    if defined is None:
        return f"{name}: no module {module}"
    if wanted not in defined:
        return f"{name}: {module} has no {wanted.replace('.', ' method ') if '.' in wanted else 'function ' + wanted}"
    return None


def test_every_reviewed_survivor_names_code_that_exists():
    listed = _run_py().reviewed()
    assert listed, f"{SURVIVORS} lists no mutant"
    gone = sorted(filter(None, map(missing_code, listed)))
    assert not gone, "remove these entries from mutation/SURVIVORS.md (or re-run make mutation):\n" + "\n".join(gone)


def test_the_file_records_the_last_full_runs_score_and_commit():
    text = SURVIVORS.read_text(encoding="utf-8")
    last = _LAST_RUN.search(text)
    assert last, "mutation/SURVIVORS.md needs a line 'Last run: 93.10% of 4000 mutants detected ... at commit abc1234'"
    assert 0 < float(last["score"]) <= 100 and int(last["mutants"]) > 0


@pytest.mark.parametrize(("name", "says"), [
    ("harness.rules.builtin._text.x_word_diff__mutmut_4", None),
    ("harness.review.apply.xǁReportApproverǁ_approve__mutmut_110", None),
    ("harness.rules.builtin._text.x_no_such_function__mutmut_4", "harness.rules.builtin._text has no function no_such_function"),
    ("harness.review.apply.xǁReportApproverǁno_such_method__mutmut_1", "harness.review.apply has no ReportApprover method no_such_method"),
    ("harness.no_such_module.x_f__mutmut_1", "no module harness.no_such_module"),
    ("harness.rules.builtin._text.word_diff", "not a mutmut mutant name"),
])
def test_a_stale_entry_is_named_with_what_is_missing(name, says):
    said = missing_code(name)
    assert said == says if says is None else says in said
