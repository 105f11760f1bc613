"""One way to register a plugin: rules, send guards, filters, snapshot kinds and MJML engines all
use :class:`Registry`.

Built-ins register exactly like a team's own code::

    from harness import rules

    @rules.register("no-lorem-ipsum")
    def no_lorem_ipsum(ctx): ...

A team's code runs from a module named under ``plugins`` in ``[tool.email-harness]``, or from an
installed package's ``email_harness`` entry point; :func:`harness.plugins.load_plugins` imports
both before anything is validated, for the CLI and for pytest alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from .errors import ConfigError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """A name -> plugin mapping, filled by the ``register`` decorator."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        #: name -> module that registered it, to tell a user where a plugin came from.
        self.origins: dict[str, str] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: register ``obj`` under ``name``. A second plugin with the same name replaces
        the first, so a team can override a built-in deliberately."""
        if not isinstance(name, str) or not name:
            raise ConfigError(f"a {self.kind} needs a non-empty name, got {name!r}")

        def decorator(obj: T) -> T:
            self._items[name] = obj
            self.origins[name] = str(getattr(obj, "__module__", "") or "")
            return obj

        return decorator

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise ConfigError(f"unknown {self.kind} {name!r}; known: {self.known()}") from None

    def known(self) -> str:
        """The registered names, for messages."""
        return ", ".join(sorted(self._items)) or "none"

    def names(self) -> list[str]:
        return sorted(self._items)

    def items(self) -> list[tuple[str, T]]:
        return sorted(self._items.items())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
