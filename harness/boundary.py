"""The one boundary around a team's code: every call into a plugin goes through :func:`call_plugin`.

A plugin (rule, send guard, renderer, MJML engine, Jinja extension, snapshot kind, fixture model)
is code the harness does not control. Whatever it does, the run must end in a message a user can
act on, never a traceback, a hang or a green CI that checked nothing:

- any exception, ``SystemExit``, ``GeneratorExit`` and other ``BaseException`` subclasses
  included, becomes ``error`` (the caller's class: :class:`~harness.errors.ConfigError` at load
  time, exit 2; a case error at case time) naming the plugin kind and name, what it raised, and
  the file:line of the team's code that raised it. ``KeyboardInterrupt`` passes: Ctrl+C must
  still stop the run. A :class:`~harness.errors.HarnessError` passes as it is: plugins may raise
  the harness's own named errors (an engine's ``MjmlError``);
- a wrong return type becomes the same named error, saying what was expected;
- a call still running after ``timeout`` seconds is stopped (SIGALRM, see :func:`deadline`).

Filters, tests and globals are the exception: Jinja calls them from compiled template code, so the
render-level guard in :func:`harness.render.jinja.render_jinja` covers them, and its message names
the template line, which the user needs first, beside the filter's own file:line.
"""

from __future__ import annotations

# The C functions behind signal.signal and signal.getsignal, which wrap them to convert handlers
# to enums at ~5 us a call (a tenth of a millisecond per case over the rules); same semantics.
import _signal
import signal
import sysconfig
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import ConfigError, HarnessError

if TYPE_CHECKING:
    from .registry import Registry

__all__ = ["PLUGIN_TIME_LIMIT", "PluginFailure", "TimeLimitExceeded", "call_plugin", "deadline", "location", "reason"]

#: Seconds one call into a team's code may take (a rule on one case, an engine's render, ...).
PLUGIN_TIME_LIMIT = 10.0

T = TypeVar("T")


class TimeLimitExceeded(BaseException):
    """Raised in a plugin still running at its deadline. A ``BaseException``, as
    ``KeyboardInterrupt`` is, so a plugin's own ``except Exception`` cannot swallow it."""

    def __init__(self, limit: float) -> None:
        super().__init__(f"still running after {limit:g} s (an endless loop?); it was stopped")
        self.limit = limit


class PluginFailure(HarnessError):
    """A plugin failed; for callers that report it in their own shape (a rule's finding)."""


#: The expiry of each armed limit, innermost last: one SIGALRM handler serves nested limits.
_armed: list[tuple[float, Callable[[float], BaseException]]] = []
_MAIN_THREAD = threading.main_thread().ident
_Token = tuple[float, float, bool, Any]


def _on_alarm(signum: int, frame: Any) -> None:
    limit, expired = _armed[-1]
    raise expired(limit)


def _arm(seconds: float, expired: Callable[[float], BaseException]) -> _Token | None:
    """Start a limit (see :func:`deadline`); ``None`` where there is no timer to use."""
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.get_ident() != _MAIN_THREAD:
        return None
    outer_left = signal.getitimer(signal.ITIMER_REAL)[0]
    installed = _signal.getsignal(signal.SIGALRM) is not _on_alarm
    if outer_left and outer_left <= seconds and installed:
        return None  # someone else's timer (a test's, pytest-timeout's) ends first: it stays in charge
    limit = min(seconds, outer_left) if outer_left else seconds
    previous = _signal.signal(signal.SIGALRM, _on_alarm) if installed else None
    _armed.append((limit, expired))
    signal.setitimer(signal.ITIMER_REAL, limit)
    return outer_left, time.monotonic(), installed, previous


def _disarm(token: _Token | None) -> None:
    if token is None:
        return
    signal.setitimer(signal.ITIMER_REAL, 0)
    _armed.pop()
    outer_left, started, installed, previous = token
    if installed:
        _signal.signal(signal.SIGALRM, previous)
    if outer_left:  # overdue: fire at once, the enclosing limit's expiry decides
        signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 1e-6))


@contextmanager
def deadline(seconds: float, expired: Callable[[float], BaseException]) -> Iterator[None]:
    """Raise ``expired(limit)`` in the code still running ``seconds`` after entry.

    SIGALRM, so it applies on POSIX in the main thread (where runs happen); a few microseconds.
    Limits nest: an inner one (a rule, a guard inside a case's render limit) is cut to what the
    enclosing one has left, and the enclosing timer runs on with its remaining time on exit."""
    token = _arm(seconds, expired)
    try:
        yield
    finally:
        _disarm(token)


def call_plugin(
    registry: Registry[Any] | str,
    name: str,
    fn: Callable[..., T],
    *args: Any,
    error: type[HarnessError],
    where: str = "",
    timeout: float | None = None,
    returns: type | tuple[type, ...] | None = None,
    expected: str = "",
    **kwargs: Any,
) -> T:
    """``fn(*args, **kwargs)``, a call into the team's ``registry.kind`` ``name`` (or a plugin
    kind named by a string: ``"fixture model"``), or ``error``
    with a message naming it (prefixed by ``where``: template and fixture, or the setting).

    ``returns``: the type(s) the value must have, ``expected`` saying so in words. ``timeout``:
    seconds (default :data:`PLUGIN_TIME_LIMIT`). A ``ConfigError`` also names the module that
    registered the plugin. The raised error carries ``reason`` (what went wrong, without place)
    and ``location`` (the team's file:line, or "")."""
    # Inlined rather than ``with deadline(...)``: rules go through here per case, and the timer
    # is disarmed before a failure is described (a slow description must not be cut short).
    token = _arm(PLUGIN_TIME_LIMIT if timeout is None else timeout, TimeLimitExceeded)
    try:
        try:
            value = fn(*args, **kwargs)
        finally:
            _disarm(token)
    except (KeyboardInterrupt, HarnessError):
        raise
    except BaseException as exc:  # SystemExit, GeneratorExit, a team's own BaseException: all named
        raise _failure(registry, name, error, where, "failed: ", reason(exc), location(exc)) from None
    if returns is not None and not isinstance(value, returns):
        raise _failure(registry, name, error, where, "", f"returned {type(value).__name__}; expected {expected or returns}", "")
    return value


def _failure(registry: Registry[Any] | str, name: str, error: type[HarnessError], where: str, verb: str, why: str, place: str) -> HarnessError:
    kind = registry if isinstance(registry, str) else registry.kind
    message = f"{where}: " if where else ""
    message += f"{kind} {name!r} {verb}{why}" + (f" ({place})" if place else "")
    origin = "" if isinstance(registry, str) else registry.origins.get(name, "")
    if error is ConfigError and origin:
        message += f"; registered by module {origin}"
    failure = error(message)
    failure.reason, failure.location = why, place  # type: ignore[attr-defined]
    return failure


def reason(exc: BaseException) -> str:
    """What a plugin raised, in words: ``RuntimeError: engine down``, ``it called sys.exit(0)``."""
    if isinstance(exc, TimeLimitExceeded):
        return str(exc)
    if isinstance(exc, SystemExit):
        return f"it called sys.exit({exc.code!r})"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_LIBRARY = tuple(
    str(Path(p).resolve()) for p in {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
) + (str(Path(__file__).resolve().parent),)


def location(exc: BaseException, *, fallback: bool = True) -> str:
    """``file:line`` of the innermost frame of the team's own code in ``exc``'s traceback: not
    the standard library, an installed package or the harness; else, with ``fallback``, the
    innermost frame (an installed plugin package's), else ""."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "importlib" not in f.filename]
    own = [f for f in frames if not f.filename.startswith("<") and not str(Path(f.filename).resolve()).startswith(_LIBRARY)]
    frame = (own or (frames if fallback else []) or [None])[-1]
    return f"{frame.filename}:{frame.lineno}" if frame is not None else ""

