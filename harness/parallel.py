"""``email-harness run -j N``: check the cases on N worker processes, each with its own browser.

The parent keeps the run: it hands out one case at a time to whichever worker is idle, collects
each :class:`~harness.engine.CaseResult` and puts them back in catalog order, and at the end takes
in what every worker queued to write (``--update``), what it saw of the environment and its stage
timings. Nothing is written by a worker: the parent's engine flushes every snapshot once, under the
store's lock, as ``-j 1`` does. So the results, the printed output, the report and the snapshots
are those of ``-j 1``; only timing fields differ.

A worker ignores Ctrl+C (the terminal sends it to every process of the group); the parent stops
them all: SIGTERM first, which closes the worker's engine and its browser, then SIGKILL for one
that does not stop in time. A worker that dies or raises is an error naming it and the case it was
checking, never a smaller green run.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from .cases import Case
from .engine import CaseResult, Engine
from .errors import ConfigError, HarnessError
from .project import Project

__all__ = ["cores", "parse_jobs", "run_parallel"]

#: Seconds a stopped worker gets to close its browser before it is killed.
STOP_GRACE = 10.0


def cores() -> int:
    """The cores this process may use (its CPU affinity where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def parse_jobs(value: str, *, screenshots: bool = True) -> int:
    """``-j`` as given: a whole number from 1, or ``auto``: one worker per core for a text-only
    run, one per two cores with screenshots, as each worker's camera already keeps two busy (its
    check pages measure beside the screenshot page; on 2 cores, ``-j 1`` ran the bundled catalog
    cold in 14.6-15.1 s and ``-j 2`` in 17.8-18.6 s)."""
    if value.strip().lower() == "auto":
        return max(1, cores() // 2) if screenshots else cores()
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise ConfigError(f"-j {value!r}: expected a number of worker processes (1 or more) or 'auto' (this machine's {cores()} cores), e.g. -j 2")
    return jobs


def engine_options(engine: Engine) -> dict[str, Any]:
    """The keyword arguments that build a worker's engine like ``engine``: every parameter of
    :class:`Engine` but the project (a test checks none is forgotten)."""
    return {
        "update": engine.update,
        "strict": engine.strict,
        "screenshots": engine.camera is not None,
        "reuse_screenshots": engine.reuse_screenshots,
        "allow_outcome_change": engine.allow_outcome_change,
        "cache": None if engine.cache is not None else False,  # None: the project's setting, which turned it on
        "smtp": engine.smtp,
    }


@dataclass
class _Worker:
    number: int
    process: multiprocessing.process.BaseProcess
    conn: Connection
    #: Index of the case it was given last and has not answered yet.
    busy: int | None = None
    done: bool = False
    state: dict[str, Any] = field(default_factory=dict)


def run_parallel(engine: Engine, cases: Sequence[Case], jobs: int, *, advance: Callable[[], None] = lambda: None) -> list[CaseResult]:
    """Check ``cases`` on ``jobs`` worker processes; the results in the order of ``cases``.
    ``engine`` receives what the workers queued to write and saw (flush it as after ``-j 1``);
    ``advance`` is called once per finished case (the progress bar). Raises HarnessError naming a
    worker that failed; KeyboardInterrupt stops every worker first."""
    # Linux: fork, so a worker starts with the modules the parent imported (seconds on a cold
    # start), then builds its own engine (own browser, SMTP server, MJML engine). macOS and
    # Windows: spawn, as fork is unsafe there.
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    # The report's messages/ folder is emptied once, here, not by each worker while others write.
    engine.messages.clear()
    options = engine_options(engine)
    workers: list[_Worker] = []
    results: dict[int, CaseResult] = {}
    queue = list(enumerate(cases))[::-1]  # popped from the end: catalog order
    # Children inherit an ignored SIGINT: Ctrl+C reaches the parent only, which stops them.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        try:
            for number in range(1, min(jobs, len(cases)) + 1):
                ours, theirs = context.Pipe()
                process = context.Process(target=_work, args=(engine.project, options, theirs), name=f"email-harness worker {number}", daemon=True)
                process.start()
                theirs.close()
                workers.append(_Worker(number, process, ours))
        finally:
            signal.signal(signal.SIGINT, previous)
        while not all(w.done for w in workers):
            live = {w.conn: w for w in workers if not w.done}
            for conn in wait(list(live)):
                worker = live[conn]  # type: ignore[index]
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    worker.process.join(STOP_GRACE)
                    raise HarnessError(_died(worker, cases)) from None
                kind = message[0]
                if kind == "idle":
                    worker.busy = queue[-1][0] if queue else None
                    conn.send(queue.pop() if queue else None)
                elif kind == "result":
                    results[message[1]] = message[2]
                    worker.busy = None
                    advance()
                elif kind == "done":
                    worker.state, worker.done = message[1], True
                else:  # "error": the worker's own exception
                    where = f" while checking {cases[worker.busy].id}" if worker.busy is not None else ""
                    raise HarnessError(f"worker {worker.number} (pid {worker.process.pid}) failed{where}: {message[1]}")
        for worker in workers:
            worker.process.join(STOP_GRACE)
    finally:
        _stop(workers)
    _absorb(engine, [w.state for w in workers], {case: index for index, case in enumerate(cases)})
    missing = [cases[i].id for i in range(len(cases)) if i not in results]
    if missing:  # cannot happen while every worker answers every case it takes; never a smaller green run
        raise HarnessError(f"{len(missing)} case(s) got no result from the workers: {', '.join(missing[:5])}")
    return [results[i] for i in range(len(cases))]


def _died(worker: _Worker, cases: Sequence[Case]) -> str:
    code = worker.process.exitcode
    how = f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
    where = f" while checking {cases[worker.busy].id}" if worker.busy is not None else ""
    return (f"worker {worker.number} (pid {worker.process.pid}) died ({how}){where}; no snapshot was written and the report "
            "was left as it was. Run that case with -j 1 to see the failure")


def _stop(workers: list[_Worker]) -> None:
    """Every worker stopped, its browser closed: SIGTERM, then SIGKILL after :data:`STOP_GRACE`."""
    for worker in workers:
        if worker.process.is_alive():
            worker.process.terminate()
    for worker in workers:
        worker.process.join(STOP_GRACE)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()


def _absorb(engine: Engine, states: list[dict[str, Any]], position: dict[Case, int]) -> None:
    """Take the workers' queued writes (in catalog order, as ``-j 1`` queues them), environment
    differences, close problems and stage timings into the parent's ``engine``."""
    pending = [write for state in states for write in state["pending"]]
    engine._pending.extend(sorted(pending, key=lambda w: position[w.case]))
    for state in states:
        engine.environment.update(state["environment"])
        engine.environment_diffs += state["environment_diffs"]
        engine.close_problems += [p for p in state["close_problems"] if p not in engine.close_problems]
        engine.stopwatch.seconds.update(state["seconds"])
        engine.stopwatch.calls.update(state["calls"])


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through ``with Engine``: the browser is closed


def _work(project: Project, options: dict[str, Any], conn: Connection) -> None:
    """A worker: build an engine like the parent's, check each case it is sent until ``None``,
    then send back what the parent needs to finish the run."""
    signal.signal(signal.SIGTERM, _terminated)
    try:
        with Engine(project, **options) as engine:
            engine.messages.cleared = True  # the parent emptied messages/ for the whole run
            conn.send(("idle",))
            while (task := conn.recv()) is not None:
                index, case = task
                conn.send(("result", index, engine.check(case)))
                conn.send(("idle",))
        # After close(): an MJML engine's close problem is part of the state.
        conn.send(("done", {
            "pending": engine._pending, "environment": engine.environment, "environment_diffs": engine.environment_diffs,
            "close_problems": engine.close_problems, "seconds": engine.stopwatch.seconds, "calls": engine.stopwatch.calls,
        }))
    except (EOFError, BrokenPipeError):  # the parent is gone: nothing to report to
        return
    except HarnessError as exc:
        conn.send(("error", str(exc)))
    except Exception:  # a bug: the parent names this worker and the case, with the traceback
        conn.send(("error", "\n" + traceback.format_exc().rstrip()))
