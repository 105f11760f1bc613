"""A rule's options, declared and checked: a misconfigured rule is a configuration error, never
a rule that silently checks nothing.

A rule declares its options as a pydantic model and registers with it; the docstring under each
field is its documentation (``email-harness rules NAME`` prints it)::

    from harness.rules import FieldPath, RuleOptions, rules

    class ShowsPlanOptions(RuleOptions):
        path: FieldPath = "plan.name"
        \"\"\"The fixture field holding the plan's name.\"\"\"

    @rules.register("shows-plan", options=ShowsPlanOptions)
    def shows_plan(ctx):
        ...  # ctx.options is a dict: validated, defaults filled in

When the engine loads the catalog, every rule's options in ``_catalog.yaml`` and in each
template's metadata are checked against the model: an unknown option (with the closest known
name), a wrong type, a missing required option, a field path that names no fixture field. A rule
registered without a model takes no options: given some, it is a configuration error saying how
to declare them. Every rule, declared or not, takes ``ignore`` entries (:class:`IgnoreEntry`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import jinja2
from jinja2 import nodes as jinja_nodes
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, ValidationInfo, model_validator

from ..boundary import call_plugin
from ..catalog.templates import NOT_TEMPLATES, css_selector
from ..errors import ConfigError
from .paths import FieldPaths, field_paths, path_syntax_problem

if TYPE_CHECKING:
    from ..catalog import Catalog

__all__ = [
    "CssSelector",
    "FieldPath",
    "FieldPattern",
    "IgnoreEntry",
    "OptionProblem",
    "RuleOptions",
    "TemplateSources",
    "check_rule_options",
    "field_paths",
    "option_problems",
    "resolve_options",
    "template_sources",
]

#: Where a :class:`FieldPaths` travels to the validators (pydantic's validation context).
_PATHS = "field_paths"
#: Where a :class:`TemplateSources` travels to them.
_SOURCES = "template_sources"
#: Files of a catalog that hold no template text: metadata (which holds the options themselves),
#: translations, assets.
_NOT_SOURCES = NOT_TEMPLATES | {".yaml", ".yml", ".po", ".pot", ".mo", ".json"}
#: A name as templates write keys: ``first_name``, ``first-name``, ``@index``.
_WORD = re.compile(r"[\w@-]+")


class TemplateSources:
    """The text of a catalog's templates (every file in its folder but metadata, translations and
    assets; and every subject), for options that name what templates write: a loop's value
    (``empty-list``), a printed key (``missing-value``). Read on first use, once."""

    def __init__(self, root: Path | None, subjects: Iterable[str] = ()) -> None:
        self.root = root
        self.subjects = list(subjects)

    @classmethod
    def of_catalog(cls, catalog: Catalog) -> TemplateSources:
        return cls(catalog.root, (t.meta.subject for t in catalog.templates.values()))

    @cached_property
    def texts(self) -> list[str]:
        files = sorted(self.root.rglob("*")) if self.root is not None else []
        return self.subjects + [
            path.read_text(encoding="utf-8", errors="replace") for path in files
            if path.is_file() and not path.is_symlink() and path.suffix.lower() not in _NOT_SOURCES and path.stat().st_size < 5_000_000
            and not any(part.startswith(".") for part in path.relative_to(self.root).parts)  # .git and the like
        ]

    @cached_property
    def loop_values(self) -> frozenset[str]:
        """The value of every ``{% for %}`` as an ``empty-list`` finding names it
        (``order.gift_cards`` for ``{% for card in order.gift_cards|sort %}``)."""
        return frozenset(name for text in self.texts for name in _loop_values(text))

    @cached_property
    def words(self) -> frozenset[str]:
        """Every name the templates write (keys, filters, words of the text)."""
        return frozenset(word for text in self.texts for word in _WORD.findall(text))


def _loop_values(text: str) -> Iterable[str]:
    """The loops' values in ``text``, named as :mod:`harness.render.loops` names them when it
    reports an empty one: the same tag pattern and the same walk under filters and views."""
    from ..render.loops import _FOR_TAG, _ITERABLE, _source_of, _targets

    for match in _FOR_TAG.finditer(text):
        tag = " ".join(match.group(0).split())
        iterable = _ITERABLE.search(tag)
        if iterable is None:
            continue
        try:
            loop = next(jinja2.Environment().parse(f"{{% for _ in {iterable.group(1)} %}}{{% endfor %}}").find_all(jinja_nodes.For))
        except (jinja2.TemplateSyntaxError, StopIteration):
            yield " ".join(iterable.group(1).split())
            continue
        yield _source_of(_targets(loop.iter)[-1]) or " ".join(iterable.group(1).split())


def template_sources(info: ValidationInfo) -> TemplateSources | None:
    """The catalog's template text, for a validator: None when options are validated without it
    (at run time, after the catalog's check)."""
    found = (info.context or {}).get(_SOURCES)
    return found if isinstance(found, TemplateSources) else None


class RuleOptions(BaseModel):
    """Base class of a rule's options: an unknown option is an error, and the docstring under
    each field documents it."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class _PathKind:
    """Marks a field path option in a model's metadata (for checks and for the reference)."""

    def __init__(self, wildcards: bool) -> None:
        self.wildcards = wildcards

    def __call__(self, value: str, info: ValidationInfo) -> str:
        problem = path_syntax_problem(value, wildcards=self.wildcards)
        known = (info.context or {}).get(_PATHS)
        if problem is None and isinstance(known, FieldPaths):
            problem = known.problem(value)
        if problem:
            raise ValueError(problem)
        return value


#: One fixture field, e.g. ``orders[].id`` (see :mod:`harness.rules.paths`).
FieldPath = Annotated[str, AfterValidator(_PathKind(wildcards=False))]
#: Fixture fields, ``*`` allowed: ``*email*``, ``orders[].gift_cards[].code``.
FieldPattern = Annotated[str, AfterValidator(_PathKind(wildcards=True))]
#: A CSS selector, checked with soupsieve.
CssSelector = Annotated[str, AfterValidator(css_selector)]


class IgnoreEntry(BaseModel):
    """A finding a team accepts on purpose, for every rule: by where it is (``selector``) or what
    it says (``value``); with both, both must hold."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    selector: CssSelector | None = None
    """CSS selector: a finding about an element inside a match is dropped (``.preview a``)."""
    value: str | None = Field(None, min_length=1)
    """A finding whose element or message holds this as a whole term is dropped: ``#`` matches
    ``a[href=#]`` but not ``a[href=#top]``; ``css-at-media`` not ``css-at-media-prefers-color-scheme``."""
    reason: str = Field(min_length=1)
    """Why this is deliberate, for the next reader."""

    @model_validator(mode="after")
    def _says_what(self) -> IgnoreEntry:
        if self.selector is None and self.value is None:
            raise ValueError("an ignore entry needs a selector or a value")
        return self


_IGNORE = TypeAdapter(list[IgnoreEntry])
_IGNORE_EXAMPLE = '{value: "#", reason: "..."} or {selector: ".preview a", reason: "..."}'


@dataclass(frozen=True)
class OptionProblem:
    """One misconfiguration: the option it is about (``""`` for the rule as a whole) and what."""

    option: str
    text: str


def option_problems(
    rule_id: str, options: Mapping[str, Any], model: type[BaseModel] | None, paths: FieldPaths | None = None,
    sources: TemplateSources | None = None,
) -> list[OptionProblem]:
    """Everything wrong with ``options`` for a rule declaring ``model`` (None: the rule takes
    ``ignore`` entries only); field paths against ``paths`` and names of what templates write against
    ``sources`` when given."""
    if not isinstance(options, Mapping):
        return [OptionProblem("", f"options must be a mapping such as {{}}, got {options!r}")]
    problems = _ignore_problems(options.get("ignore", []))
    if model is None:
        # A rule without a model cannot read an option it does not know of: accepting them
        # silently would let a typo, or a setting the rule never reads, pass for configuration.
        given = [str(key) for key in options if key != "ignore"]
        if given:
            problems.append(OptionProblem(given[0], (
                f"takes no options (given {', '.join(map(repr, given))}): it was registered without an options model. "
                f"To give it options, declare them: class Options(RuleOptions): {given[0]}: int = 3, then "
                f"@rules.register({rule_id!r}, options=Options) (harness.rules.RuleOptions); ignore entries need no model")))
        return problems
    own = {k: v for k, v in options.items() if k != "ignore"}
    names = [*model.model_fields, "ignore"]
    for key in own:
        if key not in model.model_fields:
            close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            if close == ["ignore"]:
                hint += f" (entries such as {_IGNORE_EXAMPLE})"
            problems.append(OptionProblem(str(key), f"unknown option {key!r}{hint} (options: {', '.join(names)})"))
    # The model's validators are a team's code: one that crashes (or exits, or loops) is a
    # ConfigError naming the rule, the model and its line (harness.boundary), not a traceback.
    invalid = call_plugin(
        "options model", model.__name__, _validation_error, model, {k: v for k, v in own.items() if k in model.model_fields},
        paths, sources, error=ConfigError, where=f"rule {rule_id!r}",
    )
    if invalid is not None:
        for error in invalid.errors():
            loc = [str(part) for part in error["loc"]]
            option = loc[0] if loc else ""
            if error["type"] == "missing":
                doc = model.model_fields[option].description if option in model.model_fields else None
                problems.append(OptionProblem(option, f"needs the option {option!r}" + (f": {_first_line(doc)}" if doc else "")))
                continue
            where = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in loc).lstrip(".") or "options"
            got = f" (got {error['input']!r})" if error["type"] not in ("value_error",) and "input" in error else ""
            problems.append(OptionProblem(option, f"{where}: {_message(error)}{got}"))
    return problems


def _validation_error(
    model: type[BaseModel], values: dict[str, Any], paths: FieldPaths | None, sources: TemplateSources | None = None
) -> ValidationError | None:
    """What the model says is wrong with ``values`` (a verdict, not a crash), or None.

    Strict: YAML gives native types, so ``required: "yes"`` is a mistake to report, not a string
    to coerce to True (an int still passes where a float is expected)."""
    try:
        model.model_validate(values, context={_PATHS: paths, _SOURCES: sources}, strict=True)
    except ValidationError as exc:
        return exc
    return None


def _ignore_problems(entries: Any) -> list[OptionProblem]:
    if isinstance(entries, list):
        strings = [(i, e) for i, e in enumerate(entries) if isinstance(e, str)]
        if strings:
            i, e = strings[0]
            return [OptionProblem("ignore", f"ignore[{i}]: {e!r} is not an entry; write {{value: {e!r}, reason: \"why\"}} "
                                            f"(or {{selector: CSS, reason: ...}})")]
    try:
        _IGNORE.validate_python(entries)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = "ignore" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        return [OptionProblem("ignore", f"{where}: {_message(error)}; entries are {_IGNORE_EXAMPLE}")]
    return []


def _written(value: Any) -> str:
    """A YAML value as its writer wrote it, for a message: a list, a string, nothing."""
    if value is None:
        return "an empty value"
    kind = "a list" if isinstance(value, list) else "a string" if isinstance(value, str) else type(value).__name__
    return f"{kind} ({value!r})"


def _message(error: Any) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _first_line(doc: str) -> str:
    """The first sentence of a field's docstring, for a message (``x`` markup as `x`)."""
    return " ".join(doc.split(". ")[0].split()).replace("``", "`")


def check_rule_options(catalog: Catalog, paths: FieldPaths | None = None) -> None:
    """Check every rule's options as each template gets them (catalog defaults overlaid by its
    own): one :class:`ConfigError` listing each problem with its file, rule and option.

    Call it after the project's plugins are loaded and ``check_names`` passed."""
    from .base import rules

    catalog_file = catalog.root / "_catalog.yaml"
    seen: dict[str, None] = {}
    targets: list[tuple[dict[str, Any], dict[str, Any], Path | None]] = [
        (catalog.rules_for(t), t.meta.rules, t.meta_path) for t in catalog.templates.values()
    ]
    if not targets:  # no template to run them on, but the catalog's own settings still count
        targets = [({k: v if isinstance(v, dict) else {} for k, v in catalog.settings.rules.items() if v is not False}, {}, None)]
    # Ignore entries add up (see Catalog.rules_for): each file's own are checked where written.
    not_options: set[str] = set()  # rules given a list or a string: that one error says it all
    sources = [(catalog_file, catalog.settings.rules)] + [(t.meta_path, t.meta.rules) for t in catalog.templates.values() if t.meta_path]
    for path, configured in sources:
        for rule_id, options in configured.items():
            if not isinstance(options, (dict, bool)):
                not_options.add(rule_id)
                seen.setdefault(f"{path}: rules: {rule_id}: takes {{}} (on, default options), a mapping of options "
                                f"({rule_id}: {{option: value}}) or false (off), not {_written(options)}; "
                                f"'email-harness rules {rule_id}' shows its options with an example")
            if isinstance(options, dict) and "ignore" in options:
                for problem in _ignore_problems(options["ignore"]):
                    seen.setdefault(f"{path}: rules: {rule_id}: {problem.text}")
    template_text = TemplateSources.of_catalog(catalog)
    for merged, own_rules, own_file in targets:
        for rule_id, options in merged.items():
            if rule_id not in rules or rule_id in not_options:
                continue  # check_names reports it; an entry that is no options is reported above
            own = own_rules.get(rule_id)
            settings = {k: v for k, v in options.items() if k != "ignore"}
            for problem in option_problems(rule_id, settings, rules.options_model(rule_id), paths, template_text):
                # The file that set the option; a missing one belongs to the template that runs the rule.
                from_template = isinstance(own, dict) and (problem.option in own or problem.option not in options)
                where = own_file if from_template and own_file else catalog_file
                seen.setdefault(f"{where}: rules: {rule_id}: {problem.text}")
    if seen:
        raise ConfigError("\n".join(seen) + "\n  'email-harness rules RULE' lists a rule's options with an example")


#: (rule id, model, options as written) -> resolved options: each template's options are the same
#: for every fixture, so they are validated once per run. ``repr`` is the key, not a frozen copy:
#: it is computed in C (resolving 15 rules' options took ~0.6 ms a case with a frozen copy).
_RESOLVED: dict[tuple[str, int, str], tuple[dict[str, Any], list[IgnoreEntry]]] = {}


def resolve_options(rule_id: str, options: Mapping[str, Any], model: type[BaseModel] | None) -> tuple[dict[str, Any], list[IgnoreEntry]]:
    """The options a rule body sees (validated, defaults filled in; without a model, as given)
    and its ignore entries. Raises ConfigError when they are wrong."""
    key = (rule_id, id(model), repr(options))
    if key not in _RESOLVED:
        problems = option_problems(rule_id, options, model)
        if problems:
            raise ConfigError("; ".join(p.text for p in problems))
        ignore = _IGNORE.validate_python(options.get("ignore", []))
        own = {k: v for k, v in options.items() if k != "ignore"}
        if len(_RESOLVED) > 4096:
            _RESOLVED.clear()
        _RESOLVED[key] = (model.model_validate(own, strict=True).model_dump() if model is not None else own), ignore
    own, ignore = _RESOLVED[key]
    return dict(own), ignore
