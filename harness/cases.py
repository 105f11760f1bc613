"""A case is one template rendered for one fixture account, named ``template[fixture]``; a
template in a subfolder of the catalog keeps its path: ``billing/invoice_paid[en-paid]``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

__all__ = ["Case", "matches", "select", "shard"]


@dataclass(frozen=True, order=True)
class Case:
    template: str
    fixture: str

    @property
    def id(self) -> str:
        return f"{self.template}[{self.fixture}]"

    @classmethod
    def parse(cls, case_id: str) -> Case:
        template, _, rest = case_id.partition("[")
        return cls(template, rest.rstrip("]"))


def matches(pattern: str, case: Case) -> bool:
    """``gift_card_*[*-no-orders]`` matches template and fixture separately (a plain fnmatch would
    read the brackets as a character class); a pattern without brackets matches either name.

    A template pattern with a ``/`` matches the template's path (``billing/*``: every template
    under ``billing/``, ``*`` crossing folders); one without matches its path or its own name,
    so ``invoice_*`` selects ``billing/invoice_paid`` too."""
    if pattern.endswith("]") and "[" in pattern:
        template_pattern, _, fixture_pattern = pattern[:-1].partition("[")
        return _template_matches(template_pattern or "*", case.template) and fnmatchcase(case.fixture, fixture_pattern or "*")
    return _template_matches(pattern, case.template) or fnmatchcase(case.fixture, pattern) or fnmatchcase(case.id, pattern)


def _template_matches(pattern: str, template: str) -> bool:
    if fnmatchcase(template, pattern):
        return True
    return "/" not in pattern and "/" in template and fnmatchcase(template.rsplit("/", 1)[1], pattern)


def select(cases: Iterable[Case], patterns: Sequence[str]) -> list[Case]:
    return [c for c in cases if not patterns or any(matches(p, c) for p in patterns)]


def shard(cases: Sequence[Case], spec: str) -> list[Case]:
    """Cases of shard ``I/N`` (1-based): every N-th case of the sorted list, starting at the I-th.
    Deterministic for a given catalog, so a CI matrix of N machines covers every case once."""
    try:
        index, count = (int(x) for x in spec.split("/"))
        if not 1 <= index <= count:
            raise ValueError
    except ValueError:
        from .errors import ConfigError

        raise ConfigError(f"--shard {spec!r}: expected I/N with 1 <= I <= N, e.g. --shard 2/4") from None
    return sorted(cases)[index - 1 :: count]
