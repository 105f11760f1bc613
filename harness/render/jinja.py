"""The Jinja2 stage: a sandboxed, strict, autoescaping environment over the catalog folder."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..errors import TemplateError
from .formatting import FILTERS

__all__ = ["new_environment", "render_jinja"]


def new_environment(catalog_root: Path) -> ImmutableSandboxedEnvironment:
    """Templates may include files of the catalog only (the loader refuses ``..``); the sandbox
    refuses attribute tricks such as ``''.__class__.__mro__``; StrictUndefined turns a missing
    value into an error instead of an empty string in a customer's inbox."""
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(catalog_root), followlinks=False),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("mjml", "html"), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def render_jinja(
    env: jinja2.Environment, *, context: dict[str, Any], where: str, name: str | None = None, source: str | None = None
) -> str:
    """Render the catalog file ``name`` or the string ``source``; ``where`` names it in errors."""
    try:
        template = env.get_template(name) if name is not None else env.from_string(source or "")
        return template.render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or where}:{exc.lineno}: Jinja syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"{where}: include {exc.name!r} not found in the catalog") from None
    except SecurityError as exc:
        raise TemplateError(f"{_location(exc, where)}: refused by the sandbox: {exc}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{_location(exc, where)}: undefined value: {exc.message}") from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateError(f"{_location(exc, where)}: {type(exc).__name__}: {exc}") from None


def _location(exc: BaseException, where: str) -> str:
    """The innermost template file:line in the traceback (Jinja maps its frames to template lines)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and not frame.filename.endswith(".py") and frame.lineno:
            return f"{frame.filename}:{frame.lineno}"
    return where
