"""One way to register a plugin: rules, snapshot kinds and MJML engines all use :class:`Registry`.

Built-ins register exactly like a team's own code::

    from harness.rules import rules

    @rules.register("no-lorem-ipsum")
    def no_lorem_ipsum(email, ctx): ...

A package makes its plugins known through an entry point in the registry's group (for rules,
``email_harness.rules``); loading the entry point imports the module, whose decorators register.
A ``conftest.py`` that imports and decorates needs nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from .errors import ConfigError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """A name -> plugin mapping, filled by the ``register`` decorator and by entry points."""

    def __init__(self, kind: str, entry_point_group: str) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._items: dict[str, T] = {}
        self._entry_points_loaded = False

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: register ``obj`` under ``name``. A second plugin with the same name replaces
        the first, so a team can override a built-in deliberately."""

        def decorator(obj: T) -> T:
            self._items[name] = obj
            return obj

        return decorator

    def get(self, name: str) -> T:
        self._load_entry_points()
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise ConfigError(f"unknown {self.kind} {name!r}; known: {known}") from None

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        self._load_entry_points()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for ep in entry_points(group=self.entry_point_group):
            ep.load()  # the module's decorators register its plugins
