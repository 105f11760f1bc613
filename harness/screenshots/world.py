"""The harness's own JavaScript world in a page, where the probes and axe-core run.

An email's scripts never run, but its markup still reaches the harness's scripts: an element
with a ``name`` becomes a property of ``document`` that hides the browser's own
(``<img name="querySelectorAll">`` *is* ``document.querySelectorAll`` in the page's main world),
so axe-core threw on it. Chromium exposes those named properties of ``document`` only to the main
world; an isolated world (DevTools ``Page.createIsolatedWorld``, as extensions' content scripts
get) sees the same DOM with the browser's own ``document`` (measured). Playwright's Python API has
no isolated world, so :class:`World` drives one over the page's DevTools session.

What an isolated world does not change: a form's controls still hide the form's properties
(``<input name="nodeName">`` is ``form.nodeName``) and any id is still a global of ``window``
(below the window's own properties, so it hides no global the browser defines). The probes read
elements through their prototypes, and axe-core runs with such controls detached from their
form (``probes.axe``).

The world is created once per page and outlives ``set_content`` (which writes into the same
document); a navigation would replace it, and :meth:`World.evaluate` then makes a new one.
"""

from __future__ import annotations

import weakref
from typing import Any

__all__ = ["ScriptError", "World", "world_of"]

NAME = "email-harness"


class ScriptError(Exception):
    """The harness's script threw in the page: ``description`` is the JavaScript error's
    description (message and stack), as DevTools reports it."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description

    @property
    def first_line(self) -> str:
        return self.description.splitlines()[0] if self.description else "an exception"


class World:
    """An isolated world in ``page``'s main frame. ``session``: the page's DevTools session, if
    one is already open (the camera keeps one per page); otherwise one is opened."""

    def __init__(self, page: Any, session: Any = None) -> None:
        self.page = page
        self.session = session if session is not None else page.context.new_cdp_session(page)
        self._context: int | None = None
        #: Scripts installed in the current context (by name), such as axe-core.
        self.installed: set[str] = set()

    def context_id(self) -> int:
        """The world's execution context, created on first use."""
        if self._context is None:
            frame = self.session.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
            created = self.session.send("Page.createIsolatedWorld", {"frameId": frame, "worldName": NAME})
            self._context = int(created["executionContextId"])
            self.installed.clear()
        return self._context

    def evaluate(self, expression: str, *, await_promise: bool = False) -> Any:
        """The value of ``expression`` (JSON-like values only), evaluated in the world; raises
        :class:`ScriptError` if it throws, Playwright's ``Error`` if the browser fails."""
        from playwright.sync_api import Error

        params = {"expression": expression, "returnByValue": True, "awaitPromise": await_promise}
        try:
            reply = self.session.send("Runtime.evaluate", {**params, "contextId": self.context_id()})
        except Error as exc:
            if "Cannot find context" not in exc.message:
                raise
            self._context = None  # the document was replaced, and its world with it
            reply = self.session.send("Runtime.evaluate", {**params, "contextId": self.context_id()})
        thrown = reply.get("exceptionDetails")
        if thrown:
            exception = thrown.get("exception") or {}
            raise ScriptError(str(exception.get("description") or exception.get("value") or thrown.get("text") or "an exception"))
        return reply.get("result", {}).get("value")

    def install(self, name: str, source: str) -> None:
        """Run ``source`` (a library such as axe-core) once in the current context."""
        self.context_id()
        if name not in self.installed:
            self.evaluate(source)
            self.installed.add(name)


_WORLDS: weakref.WeakKeyDictionary[Any, World] = weakref.WeakKeyDictionary()


def world_of(target: Any) -> World:
    """``target`` itself if it is a :class:`World`, else the world of that Playwright page (one
    per page, made on first use)."""
    if isinstance(target, World):
        return target
    if target not in _WORLDS:
        _WORLDS[target] = World(target)
    return _WORLDS[target]
