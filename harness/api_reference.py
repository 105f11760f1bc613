"""The plugin API reference, generated from the code: every registry a team's code registers on,
what a plugin of each kind must look like, and the objects plugins receive, with their fields.

Nothing here is written by hand twice: a registry's description is the ``#:`` comment above it
(or its module's docstring), a protocol's methods are read with :mod:`inspect`, and an object's
fields are its dataclass fields with the ``#:`` comment above each, its properties and methods
with their docstrings. ``email-harness api`` prints it; ``docs/plugin-api.md`` is its output,
checked by ``tests/unit/test_api_reference.py``, which also fails when a public field, property
or method lacks documentation (:func:`undocumented`). The rules' own reference
(``email-harness rules``) is :mod:`harness.rules.reference`, whose type names this shares.
"""

from __future__ import annotations

import ast
import collections.abc
import dataclasses
import importlib
import inspect
import re
import sys
import textwrap
from dataclasses import dataclass
from functools import cached_property
import typing
from collections.abc import Callable
from typing import Any

from .catalog import Template
from .fixtures import Fixture
from .guards import NotSent, guards
from .registry import Registry
from .render import RenderedEmail
from .render.jinja import filters, jinja_extensions, jinja_globals, jinja_tests
from .render.mjml_engines import MjmlEngine, mjml_engines
from .render.renderers import RenderOutput, RenderRequest, TemplateRenderer, renderers
from .rules import Finding, RuleContext, rules
from .snapshots.kinds import SnapshotKind, snapshot_kinds

# ``harness.guards`` the attribute is the registry (the package re-exports it): the module by name.
guards_module = importlib.import_module(".guards", __package__)
rules_module = importlib.import_module(".rules.base", __package__)
jinja_module = importlib.import_module(".render.jinja", __package__)

__all__ = ["OBJECTS", "REGISTRIES", "MemberDoc", "ObjectDoc", "RegistryDoc", "api_doc", "format_api", "undocumented"]


@dataclass(frozen=True)
class MemberDoc:
    """One field, property or method of an object a plugin receives."""

    name: str
    #: ``field``, ``property`` or ``method``.
    kind: str
    #: The type (fields, properties) or the signature (methods), as written in the code.
    type: str
    doc: str


@dataclass(frozen=True)
class ObjectDoc:
    """An object a plugin receives or returns."""

    name: str
    #: Where to import it from.
    module: str
    doc: str
    members: list[MemberDoc]


@dataclass(frozen=True)
class RegistryDoc:
    """One plugin point: the registry, how a plugin registers, what it is called with."""

    #: The name ``harness`` exports it under (``from harness import rules``).
    name: str
    kind: str
    doc: str
    #: The decorator, with its options.
    register: str
    #: What a registered plugin must be: a callable's signature, or a protocol's members.
    plugin: str
    members: list[MemberDoc]
    #: The names registered now: built-ins, and the project's once its plugins are loaded.
    registered: list[str]


#: The objects plugins receive or return, in the order the reference shows them.
OBJECTS: tuple[type, ...] = (RuleContext, Finding, RenderRequest, RenderOutput, RenderedEmail, Template, Fixture, NotSent)

#: (name in ``harness``, registry, module that declares it, plugin type or protocol, the decorator's
#: arguments). The plugin type is the registry's own: the type alias or the protocol it holds.
REGISTRIES: tuple[tuple[str, Registry[Any], Any, Any, str], ...] = (
    ("rules", rules, rules_module, rules_module.Rule, '"name", options=OptionsModel'),
    ("guards", guards, guards_module, guards_module.Guard, '"name"'),
    ("filters", filters, jinja_module, None, '"name"'),
    ("jinja_tests", jinja_tests, jinja_module, None, '"name"'),
    ("jinja_globals", jinja_globals, jinja_module, None, '"name"'),
    ("jinja_extensions", jinja_extensions, jinja_module, None, '"name"'),
    ("renderers", renderers, sys.modules[TemplateRenderer.__module__], TemplateRenderer, '"name"'),
    ("mjml_engines", mjml_engines, sys.modules[MjmlEngine.__module__], MjmlEngine, '"name"'),
    ("snapshot_kinds", snapshot_kinds, sys.modules[SnapshotKind.__module__], SnapshotKind, '"name"'),
)


def api_doc() -> tuple[list[RegistryDoc], list[ObjectDoc]]:
    """The reference as data: every registry, every object."""
    return [_registry_doc(*entry) for entry in REGISTRIES], [object_doc(cls) for cls in OBJECTS]


def undocumented() -> list[str]:
    """``Object.member`` (or ``registry``) for every public part the reference has no words for."""
    registries, objects = api_doc()
    missing = [r.name for r in registries if not r.doc]
    missing += [f"{r.name}: {m.name}" for r in registries for m in r.members if not m.doc]
    missing += [o.name for o in objects if not o.doc]
    missing += [f"{o.name}.{m.name}" for o in objects for m in o.members if not m.doc]
    return missing


# -- reading the code ---------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Sphinx roles read as noise outside Sphinx: :class:`x` becomes ``x``."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"``\1``", text or "")
    return re.sub(r"::$", ":", text, flags=re.M)  # a literal block follows, indented: Markdown's code block


def _comments(cls_or_module: Any) -> dict[str, str]:
    """Name -> the ``#:`` comment lines right above its annotated assignment, in a class body or
    a module (Sphinx's convention for documenting a field)."""
    try:
        source = textwrap.dedent(inspect.getsource(cls_or_module))
    except (OSError, TypeError):
        return {}
    lines = source.splitlines()
    tree = ast.parse(source)
    body = tree.body[0].body if isinstance(cls_or_module, type) else tree.body  # type: ignore[attr-defined]
    found: dict[str, str] = {}
    for node in body:
        target = node.target if isinstance(node, ast.AnnAssign) else (node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        if not isinstance(target, ast.Name):
            continue
        above, at = [], node.lineno - 2
        while at >= 0 and lines[at].strip().startswith("#:"):
            above.insert(0, lines[at].strip()[2:].strip())
            at -= 1
        if above:
            found[target.id] = " ".join(above)
    return found


def _type(annotation: Any) -> str:
    """A type as a reader writes it: no module prefixes, no quotes of postponed annotations."""
    if typing.get_origin(annotation) in (Callable, collections.abc.Callable):
        arguments, returns = typing.get_args(annotation)
        listed = "..." if arguments is Ellipsis else ", ".join(map(_type, arguments))
        return f"({listed}) -> {_type(returns)}"
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    text = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
    return re.sub(r"\b(?:[a-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", text).strip("'\"")


def _signature(function: Any) -> str:
    """``(message: str, *, element: str = '') -> Finding``, without ``self``."""
    parts, star = [], False
    for parameter in list(inspect.signature(function).parameters.values()):
        if parameter.name == "self":
            continue
        if parameter.kind is parameter.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        text = parameter.name + (f": {_type(parameter.annotation)}" if parameter.annotation is not parameter.empty else "")
        parts.append(text + (f" = {parameter.default!r}" if parameter.default is not parameter.empty else ""))
    returns = inspect.signature(function).return_annotation
    return f"({', '.join(parts)})" + (f" -> {_type(returns)}" if returns is not inspect.Signature.empty else "")


def _first_paragraph(doc: str | None) -> str:
    return " ".join(_plain(inspect.cleandoc(doc or "")).split("\n\n")[0].split())


def object_doc(cls: type) -> ObjectDoc:
    """Fields (dataclass fields with their ``#:`` comments), public properties and methods."""
    comments = _comments(cls)
    members: list[MemberDoc] = []
    fields = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
    for field in fields:
        if field.name.startswith("_"):
            continue
        members.append(MemberDoc(field.name, "field", _type(field.type), _plain(comments.get(field.name, ""))))
    for name, value in vars(cls).items():
        if name.startswith("_") or any(m.name == name for m in members):
            continue
        if isinstance(value, (property, cached_property)):
            getter = value.fget if isinstance(value, property) else value.func
            returns = inspect.signature(getter).return_annotation
            members.append(MemberDoc(name, "property", _type(returns) if returns is not inspect.Signature.empty else "", _first_paragraph(getter.__doc__)))
        elif inspect.isfunction(value):
            members.append(MemberDoc(name, "method", _signature(value), _first_paragraph(value.__doc__)))
    return ObjectDoc(cls.__name__, _public_module(cls), _first_paragraph(cls.__doc__), members)


def _public_module(obj: Any) -> str:
    """``harness`` where the package exports it, else its module."""
    import harness

    return "harness" if getattr(harness, obj.__name__, None) is obj else obj.__module__


def _registry_doc(name: str, registry: Registry[Any], module: Any, plugin: Any, arguments: str) -> RegistryDoc:
    comments = _comments(module)
    # The comment above the registry, else its module's docstring whole (it has the example).
    doc = _plain(comments.get(name, "")) or _plain(inspect.cleandoc(module.__doc__ or ""))
    members: list[MemberDoc] = []
    if isinstance(plugin, type) and getattr(plugin, "_is_protocol", False):
        described = "a class with these members, registered on the class (an instance is made per run)"
        if plugin.__doc__ and "Protocol" not in plugin.__doc__.split("\n")[0]:
            described += f". {_first_paragraph(plugin.__doc__)}"
        own = _comments(plugin)
        for attribute, annotation in plugin.__annotations__.items():
            members.append(MemberDoc(attribute, "attribute", _type(annotation), _plain(own.get(attribute, ""))))
        for method, value in vars(plugin).items():
            if inspect.isfunction(value) and not method.startswith("_"):
                members.append(MemberDoc(method, "method", _signature(value), _first_paragraph(value.__doc__)))
    elif plugin is not None:
        described = f"a function `{_type(plugin)}`"
    else:
        annotation = module.__annotations__.get(name, "")  # e.g. Registry[Callable[..., Any]]
        described = f"a value of type `{_type(annotation).removeprefix('Registry[').removesuffix(']')}`"
    return RegistryDoc(
        name=name, kind=registry.kind, doc=doc, register=f"@{name}.register({arguments})", plugin=described,
        members=members, registered=[f"{n}" + ("" if registry.origins.get(n, "").startswith("harness.") else f" ({registry.origins.get(n) or 'unknown'})")
                                     for n in registry.names()],
    )


# -- the text -----------------------------------------------------------------------------------


def format_api(*, registered: bool = False) -> str:
    """The reference as Markdown (``docs/plugin-api.md``). ``registered`` adds each registry's
    registered names (the project's too once its plugins are loaded): left out of the file,
    which must not change when a team registers something."""
    registries, objects = api_doc()
    out = [
        "# Plugin API reference",
        "",
        "Generated by `email-harness api` from the code's types and docstrings; do not edit by hand.",
        "A team's code registers plugins from a module named under `plugins` in `[tool.email-harness]`",
        "(or an installed package's `email_harness` entry point); each registry is imported from",
        "`harness` (`from harness import rules, guards, RenderOutput`). The rules' own options:",
        "`email-harness rules NAME`.",
        "",
        "## Registries",
    ]
    for r in registries:
        out += ["", f"### `{r.name}` ({r.kind})", "", r.doc, "", f"- register: `{r.register}`", f"- a plugin is {r.plugin}"]
        out += [f"  - `{m.name}` ({m.kind}): `{m.type}`" + (f": {m.doc}" if m.doc else "") for m in r.members]
        if registered:
            out.append(f"- registered: {', '.join(r.registered) or 'none'}")
    out += ["", "## Objects plugins receive and return"]
    for o in objects:
        out += ["", f"### `{o.name}` (`from {o.module} import {o.name}`)", "", o.doc, "", "| member | kind | type | meaning |", "|---|---|---|---|"]
        out += [f"| `{m.name}` | {m.kind} | `{_cell(m.type)}` | {_cell(m.doc)} |" for m in o.members]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    """A Markdown table cell: a pipe (``str | None``) would end the cell."""
    return text.replace("|", "\\|")
