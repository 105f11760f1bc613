"""A quick mutation run in ``make test``: a broken mutation set-up fails CI, not a later audit.

``make mutation`` takes about twenty minutes, so it runs by hand; this test runs the same
``mutation/run.py`` machinery (the work copy with the bundled project the unit tests read, the
decorated guards spelled as plain functions, mutmut's first pass over every unit test, the score
and survivor review) on two send guards of the example shop (``shop/guards.py``, about 30
mutants) into a temporary folder. It fails when mutmut cannot collect its stats (a unit test
reads a file the copy lacks), when a decorated guard is no longer mutated, or when the guards'
tests stop killing their mutants.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODULE = "shop/guards.py"
#: Two guards registered with ``@guards.register(...)``: mutmut skips decorated functions unless
#: run.py spells the decorator as an assignment.
MUTANTS = ["shop.guards.x_order__mutmut_*", "shop.guards.x_sign_in__mutmut_*"]


def test_mutation_run_on_one_module_finds_and_kills_mutants(tmp_path):
    work = tmp_path / "work"
    # pytest-xdist's and pytest's own variables would reach the pytest mutmut starts.
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PYTEST_", "COV_"))}
    ran = subprocess.run(
        [sys.executable, str(REPO / "mutation" / "run.py"), "--work", str(work), "--only-mutate", MODULE,
         *(arg for pattern in MUTANTS for arg in ("--mutants", pattern)), "--no-diffs", "--max-children", "2"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    said = ran.stdout + ran.stderr
    assert ran.returncode == 0, f"mutation/run.py --only-mutate {MODULE} failed (exit {ran.returncode}):\n{said[-4000:]}"
    summary = json.loads((work / "summary.json").read_text(encoding="utf-8"))
    killed = summary["by_status"].get("killed", 0)
    # Counted from the mutants mutmut made, not from the score line: a run that mutates nothing
    # must not pass as "100% of 0".
    mutated = json.loads((work / "mutants" / (MODULE + ".meta")).read_text(encoding="utf-8"))["exit_code_by_key"]
    for guard in ("order", "sign_in"):
        assert any(name.startswith(f"shop.guards.x_{guard}__mutmut_") for name in mutated), (
            f"the decorated guard {guard} was not mutated (mutation/run.py's undecorate step): {sorted(mutated)[:5]}")
    assert killed >= 10 and summary["score"] == 100.0, said[-2000:]
    assert "mutation score: 100.0%" in ran.stdout
