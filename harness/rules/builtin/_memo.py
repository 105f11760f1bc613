"""Facts the rules derive from fixture data alone (field names, string values), computed once per
run rather than once per case and rule: every case of a run shares the same fixtures."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["clear", "memo"]

T = TypeVar("T")

#: Key -> (the objects the key names, the value). The objects are held so that their ids, which
#: the key is made of, cannot be reused by other objects while the entry lives.
_CACHE: OrderedDict[tuple[Hashable, ...], tuple[tuple[Any, ...], Any]] = OrderedDict()
#: Entries kept, least recently used dropped first: a run needs a few per fixture.
_LIMIT = 1024


def memo(kind: str, objects: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, remembered for ``kind`` and these very objects (by identity: fixture data is
    loaded once per run and never changed, and may hold unhashable values)."""
    key = (kind, *map(id, objects))
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit[1]
    value = compute()
    _CACHE[key] = (objects, value)
    if len(_CACHE) > _LIMIT:
        _CACHE.popitem(last=False)
    return value


def clear() -> None:
    """Forget every remembered value (a test that changes fixture data in place, or a long-lived
    process between runs)."""
    _CACHE.clear()
