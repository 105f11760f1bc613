"""The Jinja2 stage: a sandboxed, strict, autoescaping environment over the catalog folder.

A project widens it with its own filters, tests, globals and extensions, registered like rules::

    from harness import filters

    @filters.register("currency")
    def currency(amount, code="EUR"): ...

Gettext is always available (``{% trans %}``, ``_()``, ``ngettext``): with the project's
``translations`` folder each fixture's locale renders translated, without it the source text
renders as written.
"""

from __future__ import annotations

import difflib
import functools

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from jinja2.ext import Extension
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from .._files import read_text
from ..boundary import call_plugin, deadline, location, reason
from ..errors import ConfigError, TemplateError
from ..registry import Registry
from .loops import KeepEmptyElse, instrument_loops
from .sandbox import MAX_OUTPUT, LimitedSandbox

__all__ = [
    "MAX_OUTPUT", "filters", "jinja_extensions", "jinja_globals", "jinja_tests", "new_environment", "render_jinja",
    "time_limit",
]

#: ``{{ value | name }}``. Built in (``harness.render.formatting``): ``date``, ``datetime`` (the
#: fixture's locale), ``isolate`` and ``bdi`` (a value kept in its own direction in right-to-left text).
filters: Registry[Callable[..., Any]] = Registry("Jinja filter")
#: ``{% if value is name %}``.
jinja_tests: Registry[Callable[..., bool]] = Registry("Jinja test")
#: Names every template sees, e.g. a URL builder shared by all templates.
jinja_globals: Registry[Any] = Registry("Jinja global")
#: Extension classes (or their import paths) added to the environment: every registered one.
jinja_extensions: Registry[type[Extension] | str] = Registry("Jinja extension")



class CatalogLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that also refuses files that resolve outside the catalog (a symlink to
    ``/etc/passwd`` in ``_partials/``): Jinja's own loader only refuses ``..`` in names. Files are
    decoded by :func:`harness._files.read_text`, like every other template file: LF line endings,
    no byte order mark, a named error for a file that is not UTF-8."""

    def __init__(self, root: Path) -> None:
        super().__init__(str(root), followlinks=False)
        self.root = root.resolve()

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        path = Path(self.searchpath[0], *split_template_path(template))  # refuses '..'
        if not path.is_file():
            path = self._from_above(template) or path
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        if not path.resolve().is_relative_to(self.root):
            raise jinja2.TemplateNotFound(f"{template} (it resolves outside the catalog: a symlink?)")
        mtime = path.stat().st_mtime
        source = read_text(path, TemplateError)
        return source, os.path.normpath(path), lambda: path.is_file() and path.stat().st_mtime == mtime

    def _from_above(self, template: str) -> Path | None:
        """The catalog's file for a name written from a templates folder above it, as Django and
        Zulip write them: ``emails/base.html`` in the catalog ``templates/emails`` is its
        ``base.html`` (the name's first folders must be the catalog's last ones)."""
        parts = split_template_path(template)
        for start in range(1, len(parts)):
            if list(self.root.parts[-start:]) == parts[:start] and (found := Path(self.searchpath[0], *parts[start:])).is_file():
                return found
        return None


class HarnessEnvironment(LimitedSandbox):
    """The bounded sandbox, whose templates report a ``{% for %}`` that ran empty to the render's
    recording (see :mod:`harness.render.loops`; rule ``empty-list``). Jinja has no hook for
    it, so each template's syntax tree is rewritten once, when it is compiled."""

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        tree = super()._parse(source, name, filename)
        instrument_loops(tree, source, name, self.globals)
        return tree


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Abort a render that runs longer than ``seconds`` (an endless loop in a template) with a
    TemplateError: :func:`harness.boundary.deadline`, the timer every call into a plugin has, so
    a plugin's own limit inside a render leaves the render's running."""

    def expired(limit: float) -> TemplateError:
        return TemplateError(f"{what}: the render took longer than {limit:g} s (an endless loop?); it was stopped")

    with deadline(seconds, expired):
        yield


def new_environment(catalog_root: Path) -> ImmutableSandboxedEnvironment:
    """Templates may include files of the catalog only (the loader refuses ``..``); the sandbox
    refuses attribute tricks such as ``''.__class__.__mro__``; StrictUndefined turns a missing
    value into an error instead of an empty string in a customer's inbox; a loop that ran empty
    is recorded (:class:`HarnessEnvironment`). The project's
    registered filters, tests, globals and extensions are added; the sandbox stays."""
    from . import formatting  # noqa: F401 - registers the built-in filters

    env = HarnessEnvironment(
        loader=CatalogLoader(catalog_root),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("mjml", "html"), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n", KeepEmptyElse],
    )
    # One at a time, so a constructor that raises (or an import path that does not import) is
    # named with its module; Jinja orders extensions by priority, not by when they were added.
    for name, extension in jinja_extensions.items():
        call_plugin(jinja_extensions, name, env.add_extension, extension, error=ConfigError)
    env.filters.update(filters.items())
    env.tests.update(jinja_tests.items())
    env.globals.update(jinja_globals.items())
    return env


@functools.lru_cache(maxsize=4096)
def _compiled(env: jinja2.Environment, source: str) -> jinja2.Template:
    """A one-line template (a subject, a header value) compiled once per run, not once per case:
    compiling costs more than rendering."""
    return env.from_string(source)


def render_jinja(
    env: jinja2.Environment, *, context: dict[str, Any], where: str, name: str | None = None, source: str | None = None
) -> str:
    """Render the catalog file ``name`` or the string ``source``; ``where`` names it in errors."""
    try:
        template = env.get_template(name) if name is not None else _compiled(env, source or "")
        # Counted while produced: a loop printing 10^5 one-megabyte strings stops at the limit,
        # long before it could fill the machine's memory.
        chunks, size = [], 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateError(f"{where}: the render produced more than {MAX_OUTPUT:,} characters; the limit is {MAX_OUTPUT:,}, so it was stopped")
            chunks.append(chunk)
        return "".join(chunks)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or where}:{exc.lineno}: Jinja syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(_not_found(exc, env, where)) from None
    except RecursionError:
        raise TemplateError(f"{where}: endless recursion (a macro or include that calls itself)") from None
    except MemoryError:
        raise TemplateError(f"{where}: the render asked for more memory than the machine has; it was stopped") from None
    except SecurityError as exc:
        raise TemplateError(f"{_location(exc, where)}: refused by the sandbox: {exc}") from None
    except jinja2.UndefinedError as exc:
        # Free-form fixture data is a Record: say "key", not Python's "attribute of an object".
        message = (exc.message or "").replace("'harness.fixtures.data.Record object' has no attribute", "the fixture has no key")
        raise TemplateError(f"{_location(exc, where)}: undefined value: {message}") from None
    except TemplateError:
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        # A filter used the wrong way round, an unknown locale, a team's filter, test or global
        # that raised (SystemExit and GeneratorExit too): the template's line and, when the
        # team's code raised it, that code's file:line, never a traceback. One guard around the
        # render rather than a wrapper per filter: Jinja calls filters from compiled template
        # code (a wrapper would cost a call per use and hide Jinja's pass_context markers), and
        # the template line is only known here.
        place = location(exc, fallback=False)
        own = f" ({place})" if ".py:" in place else ""  # not a template frame: _location has those
        raise TemplateError(f"{_location(exc, where)}: {reason(exc)}{own}") from None


#: The tag that names a file, as written: ``{% extends "base.html" %}``, ``{% from "m.html" import x %}``.
_NAMING_TAG = re.compile(r"""\{%-?\s*(extends|include|import|from)\s+(["'])(.*?)\2""")


def _not_found(exc: jinja2.TemplateNotFound, env: jinja2.Environment, where: str) -> str:
    """What names the missing file (``extends``, ``include``, ``import``), where (file:line) and
    the catalog file closest to it: ``welcome.html:2: extends 'bsae.html' not found in the
    catalog; did you mean 'base.html'?``."""
    missing = str(exc.name)
    place = _location(exc, where)
    tag = "include"
    file, _, line = place.rpartition(":")
    if line.isdigit():
        try:
            written = Path(file).read_text(encoding="utf-8", errors="replace").splitlines()[int(line) - 1]
        except (OSError, IndexError):
            written = ""
        tag = next((m.group(1) for m in _NAMING_TAG.finditer(written) if m.group(3).strip() == missing), tag)
    try:
        known = env.loader.list_templates() if env.loader is not None else []
    except (OSError, TypeError):  # a loader that cannot list its files: no suggestion
        known = []
    # 0.8: a swapped or missing letter ('bsae.html'), not any file sharing '.html' ('footer.html' -> 'base.html').
    close = difflib.get_close_matches(missing, known, n=1, cutoff=0.8)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{place}: {tag} {missing!r} not found in the catalog{hint}"


def _location(exc: BaseException, where: str) -> str:
    """The innermost template file:line in the traceback. Jinja rewrites the frames of an
    ``Exception`` to template lines; a ``BaseException`` (a team filter's ``sys.exit``) keeps the
    compiled code's frames, mapped here the way Jinja does (``get_corresponding_lineno``)."""
    found, tb = where, exc.__traceback__
    while tb is not None:
        filename, template = tb.tb_frame.f_code.co_filename, tb.tb_frame.f_globals.get("__jinja_template__")
        # "<template>" is a string template (a subject from NAME.yaml): ``where`` names it better.
        if filename and not filename.endswith(".py") and filename != "<template>" and tb.tb_lineno:
            line = template.get_corresponding_lineno(tb.tb_lineno) if template is not None else tb.tb_lineno
            found = f"{filename}:{line}"
        tb = tb.tb_next
    return found
