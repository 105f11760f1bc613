"""What the browser measured, as rules read it: per viewport, grouped so that one problem seen in
several windows (``desktop`` and ``mobile``) is one finding naming them all."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any

from ..base import RuleContext


def measured(ctx: RuleContext, key: str, *, skip: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """``(viewport, value)`` for each screenshot viewport that measured ``key``, but those whose
    name ends with one of ``skip``; none without screenshots (the rules that need a page are
    silent then: text snapshots still guard)."""
    for name, facts in sorted((ctx.page or {}).items()):
        if isinstance(facts, dict) and key in facts and not (skip and name.endswith(skip)):
            yield name, facts[key]


def grouped(
    ctx: RuleContext, key: str, identity: Callable[[dict[str, Any]], Hashable], *, skip: tuple[str, ...] = ()
) -> list[tuple[dict[str, Any], list[str]]]:
    """Each problem (a dict) of list ``key`` once, with the viewports it was seen in, in the
    order first seen."""
    seen: dict[Hashable, tuple[dict[str, Any], list[str]]] = {}
    for name, problems in measured(ctx, key, skip=skip):
        for problem in problems if isinstance(problems, list) else ():
            if isinstance(problem, dict):
                seen.setdefault(identity(problem), (problem, []))[1].append(name)
    return list(seen.values())


def where(viewports: list[str]) -> str:
    return ", ".join(viewports)
