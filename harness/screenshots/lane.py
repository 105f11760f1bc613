"""A lane: one thread with a Playwright driver of its own, running the jobs given to it in order.

The camera's check pages (axe-core and the probes) live in a lane, so they load and measure while
the screenshot page shoots: on 2 cores, ``bench/run.py --only bundled`` measured the cold run of the
bundled catalog at 1.38x a bare Playwright screenshot loop, against 1.93x with the checks run after
the shots on one thread. Playwright's sync API is bound to the thread that started it (its objects
switch greenlets on that thread's event loop), so every call on a lane's pages must run in the
lane: :meth:`Lane.submit`. A second driver and browser rather than the async API: the probes,
axe-core and the worlds stay the plain sync code they are.
"""

from __future__ import annotations

import atexit
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

__all__ = ["Lane"]

T = TypeVar("T")

#: Seconds :meth:`Lane.close` waits for the lane's last job and its driver to stop.
CLOSE_WAIT = 30


class Lane:
    """Started on creation; :meth:`close` stops its driver (and with it any browser it launched)
    and ends the thread. A daemon thread, closed at exit if the owner forgot: a lane never keeps
    a finished run alive."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = queue.SimpleQueue()
        self._driver: Any = None
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()
        atexit.register(self.close)

    @property
    def playwright(self) -> Any:
        """The lane's own Playwright driver, started on first use; only from a job of the lane."""
        if threading.current_thread() is not self._thread:
            raise RuntimeError("a lane's Playwright driver is used from the lane's own thread only")
        if self._driver is None:
            from playwright.sync_api import sync_playwright

            self._driver = sync_playwright().start()
        return self._driver

    def submit(self, job: Callable[[], T]) -> Future[T]:
        """Run ``job`` in the lane after the jobs before it; its result (or exception) in the future."""
        if not self._thread.is_alive():
            raise RuntimeError("the lane is closed")
        future: Future[T] = Future()
        self._jobs.put((future, job))
        return future

    def close(self) -> None:
        """Stop the driver and end the thread, after the jobs already given; idempotent."""
        atexit.unregister(self.close)
        if self._thread.is_alive():
            self._jobs.put(None)
            if threading.current_thread() is not self._thread:
                self._thread.join(CLOSE_WAIT)

    def _serve(self) -> None:
        try:
            while (item := self._jobs.get()) is not None:
                future, job = item
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(job())
                    except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the future
                        future.set_exception(exc)
        finally:
            if self._driver is not None:
                try:
                    self._driver.stop()
                except Exception:  # noqa: BLE001 - a dead driver at close is not worth a traceback
                    pass
                self._driver = None
