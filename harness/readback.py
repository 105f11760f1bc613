"""One way to validate a file the harness reads back (results.json, shard reports, manifests,
decisions, undo records, accepted-findings.yaml): a pydantic model per format, kept beside the
code that reads it, and one error message that names the file and the field.

Those files may come from a CI artifact of a fork's pull request or from a contributor's branch,
so nothing in them is trusted before its model accepted it: types are strict (``"seconds":
"fast"`` is not coerced), counts and sizes are bounded, and what fails says where::

    report/results.json: field cases[3] (refund[de-refunded]).seconds: Input should be a valid number
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import HarnessError

__all__ = ["describe", "validate"]

M = TypeVar("M", bound=BaseModel)

#: At most this many problems are listed: a file with 10,000 bad cases needs no 10,000 lines.
MAX_PROBLEMS = 5


def _where(loc: tuple[int | str, ...], data: Any) -> str:
    """``cases[3] (refund[de-refunded]).seconds``: the field's path, with the id of a list item
    that has one, so the reader can find it in the file."""
    text, node = "", data
    for step in loc:
        if isinstance(step, int):
            text += f"[{step}]"
            node = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                text += f" ({node['id'][:80]})"
        else:
            text += f".{step}" if text else str(step)
            node = node.get(step) if isinstance(node, dict) else None
    return text


def describe(exc: ValidationError, data: Any) -> str:
    """The problems of a failed validation, each as ``field PATH: MESSAGE``."""
    errors = exc.errors(include_url=False, include_input=False)
    problems = []
    for e in errors[:MAX_PROBLEMS]:
        message = e["msg"].removeprefix("Value error, ")  # a check of ours: its own words
        problems.append(f"field {_where(tuple(e['loc']), data)}: {message}" if e["loc"] else message)
    if len(errors) > MAX_PROBLEMS:
        problems.append(f"and {len(errors) - MAX_PROBLEMS} more")
    return "; ".join(problems)


def validate(model: type[M], data: Any, source: object, error: type[HarnessError] = HarnessError, *, hint: str = "") -> M:
    """``data`` as ``model``, or ``error`` naming ``source`` (the file) and every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(f"{source}: {describe(exc, data)}{'; ' + hint if hint else ''}") from None
    except RecursionError:
        raise error(f"{source}: nested too deeply to be one of email-harness's files{'; ' + hint if hint else ''}") from None
