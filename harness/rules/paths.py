"""Field paths: the one way rule options name fixture fields.

A path names keys from the top of a fixture, separated by dots; a list is marked with ``[]``
after its key (``orders[].gift_cards[].code``: the code of every gift card of every order); a
``*`` stands for any part of a path (``*email*`` is every field whose path holds "email").
List indices (``orders[0].id``) and a ``*`` standing for a list (``orders.*.id``) are not
paths: they are refused with the right spelling. :class:`FieldPaths` knows the paths a project's
fixtures have (from its pydantic ``fixture_model``, else from the loaded fixture data), so a
path that names nothing is refused when the catalog loads, instead of matching nothing.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from ..fixtures import leaf_values

__all__ = ["FieldPaths", "field_paths", "path_syntax_problem", "pattern_matches", "strip_lists"]

#: A key (no dots, brackets, blanks or ``?``), with ``*`` allowed, then ``[]`` per list level.
_SEGMENT = r"[^.\[\]\s?]+(?:\[\])*"
_PATH = re.compile(rf"{_SEGMENT}(?:\.{_SEGMENT})*")
_INDEX = re.compile(r"\[\s*(?:\d+|\*)?\s*\]")


def strip_lists(path: str) -> str:
    """``orders[].id`` -> ``orders.id``: the dotted form ``harness.fixtures.leaf_values`` yields."""
    return path.replace("[]", "")


def path_syntax_problem(path: str, *, wildcards: bool = True) -> str | None:
    """Why ``path`` is not written in the path syntax, with the right spelling; None when it is."""
    if not isinstance(path, str) or not path.strip():
        return "a field path cannot be empty; e.g. 'orders[].id'"
    if not wildcards and "*" in path:
        return f"{path!r} has a '*': this option names one field, e.g. 'orders[].id'"
    if _PATH.fullmatch(path):
        return None
    fixed = _INDEX.sub("[]", path).replace("..", ".").strip(".")
    hint = f"; did you mean {fixed!r}?" if fixed != path and _PATH.fullmatch(fixed) else ""
    return f"{path!r} is not a field path{hint} (keys joined by '.', '[]' after a list, e.g. 'orders[].id')"


def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(map(re.escape, pattern.split("*"))))


def pattern_matches(pattern: str, path: str) -> bool:
    """Whether ``pattern`` (with ``*``) names ``path``; both in the path syntax."""
    return _regex(pattern).fullmatch(path) is not None


@dataclass(frozen=True)
class FieldPaths:
    """The leaf paths a project's fixtures have, in the path syntax (``orders[].id``).

    ``open`` holds paths below which anything may be (a ``dict`` or ``Any`` in the model): a
    path under one of them is accepted unchecked."""

    leaves: frozenset[str]
    open: frozenset[str] = frozenset()
    #: Where the paths come from, for messages: "fixture_model Account" or "the fixtures".
    source: str = "the fixtures"

    @classmethod
    def of_data(cls, datas: Iterable[Any]) -> FieldPaths:
        """Every leaf path of the given fixture data (Records, models, dicts)."""
        leaves: set[str] = set()
        for data in datas:
            leaves.update(_data_paths(data, ""))
        return cls(frozenset(leaves), source="the fixtures")

    @classmethod
    def of_model(cls, model: type[BaseModel]) -> FieldPaths:
        """Every leaf path the pydantic model declares."""
        leaves: set[str] = set()
        open_: set[str] = set()
        _model_paths(model, "", leaves, open_, ())
        return cls(frozenset(leaves), frozenset(open_), source=f"fixture_model {model.__name__}")

    def problem(self, pattern: str) -> str | None:
        """Why ``pattern`` can match no field; None when it matches one."""
        if any(pattern_matches(pattern, leaf) for leaf in self.leaves):
            return None
        literal = pattern.split("*")[0]
        if any(literal == p or literal.startswith((p + ".", p + "[")) for p in self.open) or ("" in self.open):
            return None
        return f"{pattern!r} matches no field of {self.source}{self._hint(pattern)}"

    def _hint(self, pattern: str) -> str:
        known = sorted(self.leaves)
        # The same fields with the lists unmarked, or a '*' standing for a list.
        loose = strip_lists(pattern).replace(".*.", ".")
        same = [leaf for leaf in known
                if (pattern_matches(loose, strip_lists(leaf)) if "*" in loose else strip_lists(leaf) == loose)]
        if same:
            return f"; did you mean {_listed(same)}? (a list is marked with '[]' after its key)"
        below = [leaf for leaf in known if leaf.startswith((pattern + ".", pattern + "[]"))]
        if below:
            return f": it holds fields; did you mean {_listed(below)} or {pattern + '.*'!r}?"
        close = difflib.get_close_matches(pattern, known, n=3, cutoff=0.6)
        if close:
            return f"; did you mean {_listed(close)}?"
        return f"; known fields include {_listed(known[:8])}" if known else ""


def _listed(paths: list[str]) -> str:
    shown = " or ".join(repr(p) for p in paths[:3])
    return shown + (f" (+{len(paths) - 3} more)" if len(paths) > 3 else "")


def _data_paths(data: Any, path: str) -> Iterable[str]:
    return (leaf for leaf, _ in leaf_values(data, path, lists="[]") if leaf)


def _model_paths(tp: Any, path: str, leaves: set[str], open_: set[str], seen: tuple[type, ...]) -> None:
    """Walk a type annotation: models by field, lists with ``[]``; mappings and ``Any`` are open
    (any key may be below them)."""
    origin, args = get_origin(tp), get_args(tp)
    container = origin if isinstance(origin, type) else tp if isinstance(tp, type) else None
    if origin is Annotated:
        _model_paths(args[0], path, leaves, open_, seen)
    elif origin in (Union, types.UnionType):
        for arg in args:
            if arg is not type(None):
                _model_paths(arg, path, leaves, open_, seen)
    elif isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp in seen:  # a recursive model: what lies below is the same fields again
            open_.add(path)
            return
        for name, field in tp.model_fields.items():
            _model_paths(field.annotation, f"{path}.{name}" if path else name, leaves, open_, (*seen, tp))
    elif tp is Any or tp is object or (container is not None and issubclass(container, Mapping)):
        open_.add(path)
    elif container is not None and issubclass(container, (Sequence, AbstractSet)) and not issubclass(container, (str, bytes)):
        items = [a for a in args if a is not Ellipsis]
        for item in items or [Any]:
            _model_paths(item, path + "[]", leaves, open_, seen)
    elif path:
        leaves.add(path)


def field_paths(model: type[BaseModel] | None, datas: Iterable[Any]) -> FieldPaths | None:
    """The paths to check options against: the fixture model's when there is one, else the
    loaded fixtures' (None without any: nothing to check against)."""
    if model is not None:
        return FieldPaths.of_model(model)
    paths = FieldPaths.of_data(datas)
    return paths if paths.leaves else None
