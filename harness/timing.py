"""Where a run's time goes, per pipeline stage, for ``make bench`` and ``--durations``-style output.

A :class:`Stopwatch` costs about a microsecond a stage, so it is always on.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["SHOT_STAGES", "STAGES", "Stopwatch"]

#: The stages in pipeline order.
STAGES = ("jinja", "mjml", "text", "normalize", "message", "rules", "compare", "screenshot", "axe", "checks", "checks-wait", "image-diff")
#: "screenshot" is the camera's wall time. "axe" and "checks" (the check pages' loads and probes,
#: see ``harness.screenshots.probes``) run beside the screenshots on the camera's second thread;
#: "checks-wait" is the part of "screenshot" spent waiting for them after the last shot. Inside
#: "screenshot" too: the screenshot calls alone, by colour scheme (dark mode's cost).
SHOT_STAGES = ("shot-light", "shot-dark")


class Stopwatch:
    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started
            self.calls[name] += 1
