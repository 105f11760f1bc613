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
STAGES = ("jinja", "mjml", "text", "normalize", "message", "rules", "compare", "screenshot", "axe", "checks", "image-diff")
#: Inside "screenshot": "axe", "checks" (the check page's loads and probes, see
#: ``harness.screenshots.probes``) and the screenshot calls alone, by colour scheme (dark mode's cost).
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
