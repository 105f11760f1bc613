"""What a rule is: a function from a :class:`RuleContext` to findings, registered by name.

A rule from the project's plugin module (listed under ``plugins`` in ``[tool.email-harness]``)::

    from harness import RuleContext, rules

    @rules.register("no-lorem-ipsum")
    def no_lorem_ipsum(ctx: RuleContext):
        if "lorem ipsum" in ctx.email.text.lower():
            yield ctx.error("placeholder text left in the email", element="text part",
                            expected="no 'lorem ipsum'")

then list it in ``templates/_catalog.yaml`` (``rules: {no-lorem-ipsum: {}}``) or a template's
metadata. An installed package registers through the ``email_harness`` entry point group. A rule
that takes options declares them (``@rules.register("links", options=LinksOptions)``, see
:mod:`harness.rules.options`): they are checked when the catalog loads. Every rule takes
``ignore`` entries (:mod:`harness.rules.ignore`), applied here, after the rule ran.
"""

# Rules register on one name-keyed harness.registry.Registry, chosen over pluggy hooks: a rule is
# one function with its own options, and the catalog turns each on, off, or configures it per
# template by name; pluggy would call every implementation of a hook.

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import InitVar, dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

from bs4 import BeautifulSoup, Tag
from pydantic import BaseModel

from ..boundary import PluginFailure, call_plugin
from ..catalog import Template
from ..errors import ConfigError
from ..fixtures import Fixture
from ..registry import Registry
from ..render import RenderedEmail
from ..timing import Stopwatch
from .facts import EmailFacts
from .options import resolve_options

__all__ = ["Finding", "Rule", "RuleContext", "RuleRegistry", "Severity", "rules", "run_rules"]

#: ``error`` fails the case; ``warning`` fails it with ``--strict``; ``note`` never fails it
#: (merge tags left for the email service, for instance).
Severity = Literal["error", "warning", "note"]


_SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class Finding:
    """One thing a rule found wrong: where (``element``), what it expected, how bad."""

    #: The rule that found it.
    rule: str
    #: ``error`` fails the case, ``warning`` fails it with ``--strict``, ``note`` never does.
    severity: Severity
    #: What is wrong, in words a template author acts on.
    message: str
    #: Where: a CSS-like path to the element, or a part (``subject``, ``text part``).
    element: str = ""
    #: What the rule expected instead.
    expected: str = ""
    #: The element of ``RuleContext.document`` the finding is about, for ``ignore`` selectors.
    #: Not part of equality, repr or the report; dropped once the rules of a case ran, so a
    #: run's results do not keep every parsed email alive.
    node: InitVar[Tag | None] = None

    def __post_init__(self, node: Tag | None) -> None:
        object.__setattr__(self, "node", node)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "node"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, node=None)

    def describe(self) -> str:
        """One line for logs: ``[rule] severity: message at element; expected ...``."""
        where = f" at {self.element}" if self.element else ""
        expected = f"; expected {self.expected}" if self.expected else ""
        return f"[{self.rule}] {self.severity}: {self.message}{where}{expected}"


@dataclass
class RuleContext:
    """Everything a rule may look at for one case."""

    #: The rule's name as registered: what its findings are filed under.
    rule_id: str
    #: The rendered email: ``subject``, ``html``, ``text``, ``source``, ``document`` (parsed).
    email: RenderedEmail
    #: The fixture this email was rendered for (``fixture.id``, ``fixture.data``).
    fixture: Fixture
    #: Every other fixture: whose data must never appear in this email.
    others: list[Fixture]
    #: The template of the email (``template.name``, ``template.meta``).
    template: Template
    #: The rule's options from the catalog, validated by its options model, ``ignore`` taken out.
    options: dict[str, Any]
    #: The approved copy of the email's locale (``templates/_copy/LOCALE.yaml``).
    approved_copy: dict[str, str] = field(default_factory=dict)
    #: Screenshot PNGs by file name (``desktop.png``), when this case has screenshots.
    screenshots: dict[str, bytes] = field(default_factory=dict)
    #: axe-core violations from the screenshot page, or None when no page was scanned.
    axe: list[dict[str, Any]] | None = None
    #: What the browser measured per screenshot viewport (``mobile-dark`` -> ``{"overflow": [...],
    #: "direction": [...], "images": {...}, "axe": [...], "contrast": [...]}``; see
    #: ``harness.screenshots.probes``), or None when the case has no screenshots.
    page: dict[str, dict[str, Any]] | None = None

    def __repr__(self) -> str:
        # Printed in a rule while debugging: the case and the options, not the whole email.
        return f"RuleContext(rule_id={self.rule_id!r}, template={self.template!r}, fixture={self.fixture!r}, options={self.options!r})"

    @property
    def account(self) -> Any:
        """The fixture's data, as templates see it under ``account``."""
        return self.fixture.data

    @cached_property
    def document(self) -> BeautifulSoup:
        """The HTML, parsed once per case and shared by every rule (read-only)."""
        return self.email.document

    @cached_property
    def _facts(self) -> EmailFacts:
        # What the built-in rules read of ``document`` (its tags by name, its strings, its folded
        # text), computed on first use and shared by every rule of the case (read-only). Not
        # part of the plugin API (yet): its shape may change with what the rules need.
        return EmailFacts(self.document)

    # ``node``: the element of ``document`` the finding is about, so ``ignore`` selectors can place it.
    def error(self, message: str, *, element: str = "", expected: str = "", node: Tag | None = None) -> Finding:
        """A finding that fails the case: what is wrong, where (``element``), what was expected."""
        return Finding(self.rule_id, "error", message, element, expected, node)

    def warning(self, message: str, *, element: str = "", expected: str = "", node: Tag | None = None) -> Finding:
        """A finding that fails the case only under ``--strict``."""
        return Finding(self.rule_id, "warning", message, element, expected, node)

    def note(self, message: str, *, element: str = "", expected: str = "", node: Tag | None = None) -> Finding:
        """A finding shown in the report that never fails the case."""
        return Finding(self.rule_id, "note", message, element, expected, node)


Rule = Callable[[RuleContext], Iterable[Finding]]


class RuleRegistry(Registry[Rule]):
    """The rule registry: a rule may declare its options as a pydantic model."""

    def __init__(self) -> None:
        super().__init__("rule")
        #: Rule name -> its options model; a rule registered without one takes no options (ignore entries only).
        self.option_models: dict[str, type[BaseModel]] = {}

    def register(self, name: str, *, options: type[BaseModel] | None = None) -> Callable[[Rule], Rule]:
        """Decorator: register a rule under ``name``, with its options model (a subclass of
        :class:`~harness.rules.options.RuleOptions`, or any pydantic model)."""
        if options is not None and not (isinstance(options, type) and issubclass(options, BaseModel)):
            raise ConfigError(f"rule {name!r}: options={options!r} is not a pydantic model class (e.g. a subclass of harness.rules.RuleOptions)")
        register = super().register(name)

        def decorator(rule: Rule) -> Rule:
            register(rule)
            if options is None:
                self.option_models.pop(name, None)  # a replacement without a model takes no options
            else:
                self.option_models[name] = options
            return rule

        return decorator

    def options_model(self, name: str) -> type[BaseModel] | None:
        return self.option_models.get(name)


rules = RuleRegistry()


def _collect(rule: Rule, ctx: RuleContext) -> list[Finding] | str:
    """The rule's findings, or what is wrong with what it gave instead (a Finding is what
    ``ctx.error(...)`` returns; a string or a dict would vanish from the report or crash it)."""
    given = rule(ctx)
    if given is None:
        return []
    if isinstance(given, (str, bytes, Finding)) or not isinstance(given, Iterable):
        return f"the rule returned {type(given).__name__}; expected an iterable of Findings (yield ctx.error(...))"
    found = list(given)
    for item in found:
        if not isinstance(item, Finding):
            return (f"the rule yielded {type(item).__name__} {repr(item)[:80]}; expected a Finding "
                    "(ctx.error(...), ctx.warning(...), ctx.note(...))")
        if item.severity not in _SEVERITIES or not isinstance(item.message, str):
            # An unknown severity would neither fail the case nor be shown as a note: a silent pass.
            return (f"the rule yielded a Finding with severity {item.severity!r} and a {type(item.message).__name__} message; "
                    f"expected a severity of {', '.join(_SEVERITIES)} and a str message")
    return found


#: Where the time of a run without a stopwatch goes (tests, plugins calling run_rules): nowhere read.
_UNTIMED = Stopwatch()


def run_rules(configured: dict[str, dict[str, Any]], base: RuleContext, *, stopwatch: Stopwatch | None = None) -> list[Finding]:
    """Run each configured rule on ``base``'s email, its options resolved and its ``ignore``
    entries applied. A rule that crashes is a finding, not a crash. ``stopwatch``: each rule's
    time goes to stage ``rule:NAME``, the HTML's parse (when not parsed yet) to ``parse``."""
    from .ignore import drop_ignored

    findings: list[Finding] = []
    watch = stopwatch or _UNTIMED
    # RuleContext.document is the email's, cached on the email: parsed once it is there.
    parsed = "document" in vars(base.email)
    with nullcontext() if parsed else watch.stage("parse"):
        shared_document = base.document
    shared_facts = base._facts
    for rule_id, options in configured.items():
        rule = rules.get(rule_id)
        try:
            own, ignore = resolve_options(rule_id, options, rules.options_model(rule_id))
        except ConfigError as exc:  # checked when the catalog loads; a caller that skipped that still hears of it
            findings.append(Finding(rule_id, "error", f"the rule's options are wrong: {exc}", expected=f"see 'email-harness rules {rule_id}'"))
            continue
        ctx = replace(base, rule_id=rule_id, options=own)
        ctx.__dict__["document"] = shared_document  # parse once per case, not once per rule
        ctx.__dict__["_facts"] = shared_facts  # and walk the tree once
        try:
            # A broken rule (an exception, sys.exit, an endless loop: the plugin boundary's time
            # limit) must not hide the other rules' findings: it is a finding of its own.
            with watch.stage(f"rule:{rule_id}"):
                found = call_plugin(rules, rule_id, _collect, rule, ctx, error=PluginFailure)
        except PluginFailure as exc:
            findings.append(Finding(rule_id, "error", f"the rule itself failed: {exc.reason}", element=exc.location))  # type: ignore[attr-defined]
            continue
        if isinstance(found, str):
            findings.append(Finding(rule_id, "error", found))
            continue
        findings.extend(drop_ignored(found, ignore, shared_document))
    for finding in findings:
        object.__setattr__(finding, "node", None)
    return findings
