"""The rules' reference, generated from their declarations: what each rule checks (its docstring),
its options (the options model: types, defaults, the docstring under each field) and an example.

``email-harness rules`` prints it; :func:`rule_doc` gives the same facts as data, for any other
format (a Markdown plugin reference)::

    doc = rule_doc("approved-copy")
    doc.summary, [o.name for o in doc.options], doc.example
"""

from __future__ import annotations

import difflib
import inspect
import re
import sys
import textwrap
import types
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ..catalog.templates import DEFAULT_RULES
from ..errors import ConfigError
from .base import rules
from .options import CssSelector, FieldPath, FieldPattern

__all__ = ["OptionDoc", "RuleDoc", "format_rule", "format_rules", "rule_doc"]

_IGNORE_DOC = ("Findings accepted on purpose, for every rule: {selector: CSS, reason: ...} drops those about an "
               "element inside a match, {value: TEXT, reason: ...} those whose element or message holds TEXT.")
#: The validators that mark a path or selector option, by the name the reference gives the type.
_NAMED_TYPES = {id(get_args(t)[1]): name for t, name in ((FieldPath, "field path"), (FieldPattern, "field pattern"), (CssSelector, "CSS selector"))}


@dataclass(frozen=True)
class OptionDoc:
    name: str
    type: str
    #: The default as YAML, or None when the option is required.
    default: str | None
    doc: str
    #: A value for the example: the field's first example, else its default.
    example: Any


@dataclass(frozen=True)
class RuleDoc:
    name: str
    #: "built in" or the module that registered it.
    origin: str
    summary: str
    description: str
    #: None when the rule declares no options model (it takes ignore entries only).
    options: list[OptionDoc] | None
    example: str


def rule_doc(name: str) -> RuleDoc:
    """Everything the reference says about rule ``name``; ConfigError naming the closest rule
    when there is no such rule."""
    if name not in rules:
        close = difflib.get_close_matches(name, rules.names(), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"unknown rule {name!r}{hint} ('email-harness rules' lists them all: {rules.known()})")
    rule = rules.get(name)
    origin = rules.origins.get(name, "")
    description = _description(rule, name)
    model = rules.options_model(name)
    options = None if model is None else [_option(field_name, field) for field_name, field in model.model_fields.items()]
    return RuleDoc(
        name=name,
        origin="built in" if origin.startswith("harness.") else origin or "unknown",
        summary=_first_sentence(description),
        description=description,
        options=options,
        example=_example(name, options),
    )


def _description(rule: Any, name: str) -> str:
    doc = inspect.getdoc(rule) or inspect.getdoc(sys.modules.get(getattr(rule, "__module__", ""), None)) or ""
    if doc == inspect.getdoc(types.ModuleType("x")):  # a module without a docstring
        doc = ""
    doc = re.sub(rf"^``{re.escape(name)}``:\s*", "", doc)
    # Sphinx markup reads as noise in a terminal: ``x`` and :func:`x` become `x`.
    doc = _plain(doc)
    return doc[:1].upper() + doc[1:] if doc else "(no description: give the rule function a docstring)"


def _plain(text: str) -> str:
    return re.sub(r":\w+:`([^`]+)`", r"`\1`", text).replace("``", "`")


def _first_sentence(text: str, limit: int = 110) -> str:
    """The first sentence, cut at a word to fit one line of a listing."""
    paragraph = " ".join(text.split("\n\n")[0].split())
    match = re.search(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bArt)\.(\s|$)", paragraph)
    sentence = paragraph[: match.start() + 1] if match else paragraph
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " ..."


def _option(name: str, field: FieldInfo) -> OptionDoc:
    required = field.is_required()
    default = None if required else field.get_default(call_default_factory=True)
    examples = field.examples or []
    return OptionDoc(
        name=name,
        type=_type_name(field.annotation, field.metadata),
        default=None if required else _yaml(default),
        doc=" ".join((field.description or "").split()),
        example=examples[0] if examples else default,
    )


def _type_name(tp: Any, metadata: list[Any] = ()) -> str:  # type: ignore[assignment]
    for marker in metadata:
        if id(marker) in _NAMED_TYPES:
            return _NAMED_TYPES[id(marker)]
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return _type_name(args[0], list(args[1:]))
    if origin is Literal:
        return " | ".join(_yaml(a) for a in args)
    if origin in (Union, types.UnionType):
        return " | ".join(_type_name(a) for a in args if a is not type(None)) + (" | null" if type(None) in args else "")
    if origin is not None:
        return f"{getattr(origin, '__name__', str(origin))}[{', '.join(_type_name(a) for a in args)}]"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp.__name__
    return getattr(tp, "__name__", str(tp).replace("typing.", ""))


def _yaml(value: Any) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True, sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _example(name: str, options: list[OptionDoc] | None) -> str:
    lines = ["rules:"]
    if not options:
        lines.append(f"  {name}: {{}}")
    else:
        lines.append(f"  {name}:")
        lines += [f"    {o.name}: {_yaml(o.example)}" if o.example is not None or o.default is not None
                  else f"    {o.name}: ...  # required: {o.type}" for o in options]
    lines += ["    ignore:", '      - {value: "...", reason: "..."}'] if options else []
    return "\n".join(lines)


#: How the listing marks a rule that runs without being named, and one that must be named.
_DEFAULT, _OPTIONAL = "default", "optional"


def _standing(name: str) -> str:
    return _DEFAULT if name in DEFAULT_RULES else _OPTIONAL


def format_rules() -> str:
    """One line per registered rule: name, whether it runs by default, what it checks, where
    it comes from."""
    docs = [rule_doc(name) for name in rules.names()]
    width = max((len(d.name) for d in docs), default=0)
    lines = [f"{d.name:<{width}}  {_standing(d.name):<{len(_OPTIONAL)}}  {d.summary}"
             + ("" if d.origin == "built in" else f" (from {d.origin})") for d in docs]
    legend = [
        "",
        f"{_DEFAULT}: runs while templates/_catalog.yaml has no rules: (once it has, only the rules named there run);",
        f"{_OPTIONAL}: runs once named under rules: in templates/_catalog.yaml or a template's NAME.yaml.",
        "'email-harness rules NAME' shows a rule's options with an example.",
    ]
    return "\n".join(lines + legend)


def format_rule(name: str) -> str:
    """The reference of one rule, as plain text."""
    doc = rule_doc(name)
    standing = ("on by default: runs while templates/_catalog.yaml has no rules: (else once named there)"
                if _standing(name) == _DEFAULT else "optional: runs once named under rules: (templates/_catalog.yaml or NAME.yaml)")
    out = [f"{doc.name} ({doc.origin})", "", textwrap.fill(" ".join(doc.description.split()), 96), "", standing, ""]
    if doc.options is None:
        out += ["options: not declared; the rule takes none (only ignore entries)",
                "  (declare them: @rules.register(NAME, options=Model), see harness.rules.options)", ""]
    else:
        out.append("options:" if doc.options else "options: only ignore (any other option is an error)")
        for option in doc.options:
            default = "required" if option.default is None else f"default {option.default}"
            out.append(f"  {option.name}: {option.type}, {default}")
            if option.doc:
                out.append(textwrap.fill(option.doc, 96, initial_indent="      ", subsequent_indent="      "))
        out.append("  ignore: list of entries, default []")
        out.append(textwrap.fill(_IGNORE_DOC, 96, initial_indent="      ", subsequent_indent="      "))
        out.append("")
    out += ["example (templates/_catalog.yaml, or a template's NAME.yaml):", textwrap.indent(doc.example, "  ")]
    return "\n".join(out)
