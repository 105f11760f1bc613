"""The Jinja sandbox, bounded: a template cannot build a value or an output too big to hold.

Jinja's ImmutableSandboxedEnvironment stops attribute tricks (``''.__class__``) but lets a
template ask for ``'x' * 10**9``, ``'%100000000000d' % 1``, ``'x'|center(10**11)`` or
``'{:>99999999999}'.format(1)``: each is one allocation of many gigabytes. These are refused
before they run; output is also counted while it is produced (see ``render_jinja``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import filters as jinja_filters
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

__all__ = ["MAX_OUTPUT", "LimitedSandbox"]

#: Characters a single render may produce. Gmail clips HTML at 102 KB; 2 MB of MJML is a bug.
MAX_OUTPUT = 2_000_000

#: Flags, width and precision after a %-format's key: ``-10.3`` of ``%(name)-10.3f``, ``*`` of ``%*d``.
_PERCENT_SPEC = re.compile(r"[-#0 +]*(\d+|\*)?(?:\.(\d+|\*))?")
#: str methods whose int argument is a length to pad to.
_PADDING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


def _refuse_big(number: Any, what: str) -> None:
    if isinstance(number, int) and number > MAX_OUTPUT:
        raise SecurityError(f"{what} {number:,} is too large; a render may produce at most {MAX_OUTPUT:,} characters")


def _percent_specs(fmt: str) -> Iterator[tuple[str, str]]:
    """``(width, precision)`` of each conversion of a %-format, read as Python reads it (a
    ``(key)`` may hold nested parentheses), in one pass over ``fmt``."""
    at = fmt.find("%")
    while 0 <= at < len(fmt) - 1:
        index = at + 1
        if fmt[index] == "(":
            depth = 0
            for index in range(index, len(fmt)):
                depth += {"(": 1, ")": -1}.get(fmt[index], 0)
                if depth == 0:
                    break
            else:
                return  # an unclosed key: Python refuses the format
            index += 1
        spec = _PERCENT_SPEC.match(fmt, index)
        assert spec is not None  # every part of it is optional
        yield spec.group(1) or "", spec.group(2) or ""
        at = fmt.find("%", spec.end() + 1)


def _check_percent(fmt: str) -> None:
    for width, precision in _percent_specs(fmt):
        for number in (width, precision):
            if number == "*":
                raise SecurityError("'*' widths in %-formats are not allowed in templates")
            if number:
                _refuse_big(int(number), "a %-format width")


def _check_format_spec(fmt: str) -> None:
    for _, _, spec, _ in string.Formatter().parse(fmt):
        for number in re.findall(r"\d+", spec or ""):
            _refuse_big(int(number), "a format width")


def _bounded(name: str, check: Callable[..., None]) -> Callable[..., Any]:
    """Jinja's own filter ``name``, with ``check`` run on its arguments first."""
    original = jinja_filters.FILTERS[name]

    def bounded(*args: Any, **kwargs: Any) -> Any:
        check(*args, **kwargs)
        return original(*args, **kwargs)

    for attr in ("jinja_pass_arg",):  # keep @pass_environment / @pass_eval_context markers
        if hasattr(original, attr):
            setattr(bounded, attr, getattr(original, attr))
    return bounded


def _check_replace(eval_ctx: Any, value: Any, old: Any, new: Any, count: int | None = None) -> None:
    """``replace`` may grow a string by (len(new) - len(old)) per occurrence: bound the result."""
    value, old, new = str(value), str(old), str(new)
    times = value.count(old) if old else len(value) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    _refuse_big(len(value) + times * max(len(new) - len(old), 0), "the result of replace, in characters,")


BOUNDED_FILTERS = {
    "center": _bounded("center", lambda value, width=80: _refuse_big(width, "a center width")),
    "indent": _bounded("indent", lambda s, width=4, *a, **k: _refuse_big(width if isinstance(width, int) else len(str(width)), "an indent")),
    "format": _bounded("format", lambda value, *a, **k: _check_percent(str(value))),
    "replace": _bounded("replace", _check_replace),
}


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, refusing oversized values before they are built."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters.update(BOUNDED_FILTERS)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError(f"exponent {right} is too large for a template")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_OUTPUT:
                    raise SecurityError(f"'*' would build {len(seq) * n:,} items; a render may produce at most {MAX_OUTPUT:,}")
        if operator == "%" and isinstance(left, str):
            _check_percent(left)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        if getattr(__obj, "__self__", None).__class__ is str and getattr(__obj, "__name__", "") in _PADDING:
            for number in (*args, *kwargs.values()):
                _refuse_big(number, f"a {__obj.__name__} width")
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``'{:>99999999999}'.format``: the format string is checked when the method is taken."""
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format_spec(str(value.__self__))
        return wrapped
