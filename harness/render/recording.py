"""What a render records beside its output: loops that ran empty, values printed that nothing had.

One :class:`Recording` per case render, held in a context variable, so renders never leak into
each other (``with recording() as found: ...``). Two things write to it:

- Jinja loops instrumented by :mod:`harness.render.loops` report a ``{% for %}`` that ran zero
  times (rule ``empty-list``).
- A team renderer's :class:`RecordingContext` reports a key the template printed and no scope had
  (rule ``missing-value``). Jinja templates need none: StrictUndefined makes that an error.

How a team renderer gets it: ``request.context`` *is* a :class:`RecordingContext`. Pass it to the
template engine as it is (``chevron.render(request.source, request.context)``,
``Context(request.context)``, ``template(request.context)``), not a copy (``{**request.context}``
or ``dict(request.context)`` hold the plain values and record nothing). A name no scope has
comes back as an empty value: falsy, empty when looped over, printed as nothing, so conditionals
(``{{#if}}``, ``{% if %}``, ``{{#key}}``/``{{^key}}``) and filters such as Django's ``default``
see no value, exactly as before; only printing it is recorded. Fixture values come back as
scopes whose missing keys do the same (``account.first_nmae``), while a miss that another scope
may still answer (Mustache's enclosing sections) is left to the engine: see :data:`Lookup`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["EmptyLoop", "Lookup", "MissingValue", "Recording", "RecordingContext", "current_recording", "recording"]


@dataclass(frozen=True)
class EmptyLoop:
    """A Jinja ``{% for %}`` over a value that ran zero times and has no ``{% else %}``."""

    #: The template file, as the catalog names it (``gift_card_confirmation.mjml``,
    #: ``_partials/items.mjml``); ``subject`` for the subject line.
    file: str
    line: int
    #: The loop's tag as written: ``{% for card in order.gift_cards %}``.
    tag: str
    #: The empty value: ``order.gift_cards`` (also for ``order.gift_cards|sort``).
    expression: str


@dataclass(frozen=True)
class MissingValue:
    """A key a team renderer's template printed and that no scope resolved."""

    #: The path from the context's top: ``account.first_nmae``, ``ordr``, ``account.orders[1].sku``.
    key: str


@dataclass
class Recording:
    """Everything one render recorded, in the order it happened (each loop or key once)."""

    empty_loops: list[EmptyLoop] = field(default_factory=list)
    missing_values: list[MissingValue] = field(default_factory=list)

    def loop_ran_empty(self, loop: EmptyLoop) -> None:
        if loop not in self.empty_loops:  # a loop inside another runs empty once per outer item
            self.empty_loops.append(loop)

    def value_missing(self, key: str) -> None:
        missing = MissingValue(key)
        if missing not in self.missing_values:
            self.missing_values.append(missing)


_current: ContextVar[Recording | None] = ContextVar("email_harness_recording", default=None)


def current_recording() -> Recording | None:
    """The recording of the render under way, or None outside :func:`recording`."""
    return _current.get()


@contextmanager
def recording() -> Iterator[Recording]:
    """Record what the renders inside the block report; the previous recording (if any) is
    restored after, so a nested render cannot write into its caller's."""
    found = Recording()
    token = _current.set(found)
    try:
        yield found
    finally:
        _current.reset(token)


# --- team renderers: a context that records printed misses --------------------------------------

#: How the template language looks up a name inside a section or loop:
#: ``stack``: Mustache. A name the loop's item lacks is looked up in the enclosing scopes, so an
#: item answers honestly ("not here") and only a miss in every scope is recorded.
#: ``path``: Handlebars, Django. A name is looked up where the template says (``{{name}}`` in
#: ``{{#each}}`` reads the item only), so a loop item's miss is recorded too. One output then
#: differs from the engine's own: Django's ``regroup`` by a key some items lack heads their
#: group with nothing instead of "None" (it resolves the key ignoring failures, as None).
Lookup = Literal["stack", "path"]

#: Names Django's Context resolves after the context it is given (``{% if x == None %}``).
_ENGINE_NAMES = frozenset({"True", "False", "None"})
_LEAVES = (str, bytes, int, float, complex, bool, type(None))


class _Missing:
    """What a name no scope has resolves to: an empty value that records itself when printed.

    Falsy, of length 0, empty when looped over, equal to ``None`` (so Django's ``date`` filter
    and ``{% if x == None %}`` treat it as before; not to ``""``, which pybars renders), and a
    lookup on it is missing too (``ordr.id``). ``_CHEVRON_return_scope_when_falsy`` is chevron's
    documented way to hand a falsy value back to the template unchanged."""

    __slots__ = ("_key",)
    _CHEVRON_return_scope_when_falsy = True

    def __init__(self, key: str) -> None:
        self._key = key

    def _printed(self) -> str:
        found = _current.get()
        if found is not None:
            found.value_missing(self._key)
        return ""

    __str__ = _printed
    __html__ = _printed  # MarkupSafe and Django's conditional_escape call this first

    def __format__(self, spec: str) -> str:
        return self._printed()

    def __repr__(self) -> str:
        return f"<missing {self._key}>"

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __eq__(self, other: object) -> bool:
        return other is None or isinstance(other, _Missing)

    def __hash__(self) -> int:
        return hash("")

    def __getitem__(self, key: Any) -> _Missing:
        return _Missing(_join(self._key, key))


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _is_container(value: Any) -> bool:
    """Values whose keys a template looks up: mappings, fixture Records, models, dataclasses."""
    if isinstance(value, _LEAVES) or callable(value):
        return False
    if isinstance(value, Mapping) or dataclasses.is_dataclass(value):
        return True
    module = type(value).__module__
    # Fixture Records and team models (pydantic, plain classes), but not dates, Decimals, ...
    return hasattr(value, "__getitem__") or (hasattr(value, "__dict__") and not module.startswith(("datetime", "decimal", "builtins")))


class _Scope:
    """A fixture value seen through the recording context: lookups answer as the value does;
    ``[key]`` (what template engines use first) also tries the attribute and the index, as the
    engines themselves do, and a miss is either recorded-empty (``final``: no other scope would
    answer) or raised, so the engine looks in the next scope."""

    __slots__ = ("_final", "_lookup", "_path", "_target")

    def __init__(self, target: Any, path: str, *, final: bool, lookup: Lookup) -> None:
        self._target, self._path, self._final, self._lookup = target, path, final, lookup

    def __getitem__(self, key: Any) -> Any:
        target = self._target
        try:
            return _wrap(target[key], _join(self._path, key), final=self._final, lookup=self._lookup)
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
        if isinstance(key, str) and not key.startswith("_"):
            try:
                return _wrap(getattr(target, key), _join(self._path, key), final=self._final, lookup=self._lookup)
            except AttributeError:
                pass
        if not self._final:
            raise KeyError(key)
        return _Missing(_join(self._path, key))

    def __getattr__(self, name: str) -> Any:
        if name in _Scope.__slots__:  # not set yet (a copy being made): never recurse
            raise AttributeError(name)
        # Python code (and engines' introspection: hasattr(x, "keys")) gets the honest answer.
        value = getattr(self._target, name)
        if name.startswith("_"):
            return value
        return _wrap(value, _join(self._path, name), final=self._final, lookup=self._lookup)

    def _used(self) -> None:
        """Tested or compared as a value: under ``stack`` lookup it may now be a section's scope
        (chevron pushes ``{{#account}}``'s value), whose misses the enclosing scopes answer."""
        if self._lookup == "stack":
            self._final = False

    def __bool__(self) -> bool:
        self._used()
        return bool(self._target)

    def __eq__(self, other: object) -> bool:
        self._used()
        return self._target == (other._target if isinstance(other, _Scope) else other)

    def __hash__(self) -> int:
        return hash(self._target)

    def __len__(self) -> int:
        self._used()
        return len(self._target)

    def __iter__(self) -> Iterator[Any]:
        self._used()
        return iter(self._target)

    def __contains__(self, item: object) -> bool:
        return item in self._target

    def __str__(self) -> str:
        return str(self._target)

    def __repr__(self) -> str:
        return repr(self._target)


def _wrap(value: Any, path: str, *, final: bool, lookup: Lookup) -> Any:
    """``value`` as a template engine should see it: leaves as they are, containers as scopes,
    lists and tuples as a real tuple (engines test ``type(x) in (list, tuple)``) of wrapped items.
    Other sequences (a named tuple such as Django's ``regroup`` results) stay as they are: their
    own attributes and type matter to the engines."""
    if type(value) in (list, tuple):
        # An item of a loop is a scope of its own: under stack lookup its misses go outward.
        item_final = final and lookup == "path"
        return tuple(_wrap(item, f"{path}[{index}]", final=item_final, lookup=lookup) for index, item in enumerate(value))
    if isinstance(value, Sequence) or not _is_container(value):
        return value
    return _Scope(value, path, final=final, lookup=lookup)


class RecordingContext(dict[str, Any]):
    """The context a team renderer gets as ``request.context``: a dict of the case's values
    (``account``, the send guards' values, ``locale``, ``t``, the catalog's ``context``).

    ``context[name]`` is what template engines use, and answers every name: a missing one comes
    back as an empty value that records itself when printed; a fixture value comes back as a
    scope whose missing keys do the same. ``name in context`` is true for every name, so an
    engine that checks first (Django) asks; ``context.get(name)`` and attribute access on values
    (``context["account"].name``) keep Python's answers, for the renderer's own code. The dict's
    own contents are the plain values: ``json.dumps`` or ``dict(context)`` see those."""

    def __init__(self, values: Mapping[str, Any], *, lookup: Lookup = "stack") -> None:
        super().__init__(values)
        self.lookup: Lookup = lookup

    def __getitem__(self, key: str) -> Any:
        if dict.__contains__(self, key):
            return _wrap(dict.__getitem__(self, key), key, final=True, lookup=self.lookup)
        if not isinstance(key, str) or key.startswith("_") or key in _ENGINE_NAMES:
            raise KeyError(key)
        return _Missing(key)

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        return isinstance(key, str) and not key.startswith("_") and key not in _ENGINE_NAMES

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if dict.__contains__(self, key) else default
