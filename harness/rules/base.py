"""What a rule is: a function from a :class:`RuleContext` to findings, registered by name.

Registration is a decorator on one :class:`~harness.registry.Registry`, chosen over pluggy hooks
because a rule is one function with its own options, and a name-keyed registry lets the catalog
turn each on, off, or configure it per template; pluggy would call every implementation of a hook.
A rule from the project's plugin module (listed under ``plugins`` in ``[tool.email-harness]``)::

    from harness import RuleContext, rules

    @rules.register("no-lorem-ipsum")
    def no_lorem_ipsum(ctx: RuleContext):
        if "lorem ipsum" in ctx.email.text.lower():
            yield ctx.error("placeholder text left in the email", element="text part",
                            expected="no 'lorem ipsum'")

then list it in ``templates/_catalog.yaml`` (``rules: {no-lorem-ipsum: {}}``) or a template's
metadata. An installed package registers through the ``email_harness`` entry point group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

from bs4 import BeautifulSoup

from ..catalog import Template
from ..fixtures import Fixture
from ..registry import Registry
from ..render import RenderedEmail

__all__ = ["Finding", "Rule", "RuleContext", "Severity", "rules", "run_rules"]

#: ``error`` fails the case; ``warning`` fails it with ``--strict``; ``note`` never fails it
#: (merge tags left for the email service, for instance).
Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Finding:
    """One thing a rule found wrong: where (``element``), what it expected, how bad."""

    rule: str
    severity: Severity
    message: str
    element: str = ""
    expected: str = ""

    def describe(self) -> str:
        where = f" at {self.element}" if self.element else ""
        expected = f"; expected {self.expected}" if self.expected else ""
        return f"[{self.rule}] {self.severity}: {self.message}{where}{expected}"


@dataclass
class RuleContext:
    """Everything a rule may look at for one case."""

    rule_id: str
    email: RenderedEmail
    #: The fixture this email was rendered for (``fixture.id``, ``fixture.data``).
    fixture: Fixture
    #: Every other fixture: whose data must never appear in this email.
    others: list[Fixture]
    template: Template
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

    @property
    def account(self) -> Any:
        """The fixture's data, as templates see it under ``account``."""
        return self.fixture.data

    @cached_property
    def document(self) -> BeautifulSoup:
        """The HTML, parsed once per case and shared by every rule (read-only)."""
        return self.email.document

    def error(self, message: str, *, element: str = "", expected: str = "") -> Finding:
        return Finding(self.rule_id, "error", message, element, expected)

    def warning(self, message: str, *, element: str = "", expected: str = "") -> Finding:
        return Finding(self.rule_id, "warning", message, element, expected)

    def note(self, message: str, *, element: str = "", expected: str = "") -> Finding:
        return Finding(self.rule_id, "note", message, element, expected)


Rule = Callable[[RuleContext], Iterable[Finding]]

rules: Registry[Rule] = Registry("rule")


def run_rules(configured: dict[str, dict[str, Any]], base: RuleContext) -> list[Finding]:
    """Run each configured rule on ``base``'s email. A rule that crashes is a finding, not a crash."""
    findings: list[Finding] = []
    shared_document = base.document
    for rule_id, options in configured.items():
        rule = rules.get(rule_id)
        ctx = replace(base, rule_id=rule_id, options=options)
        ctx.__dict__["document"] = shared_document  # parse once per case, not once per rule
        try:
            findings.extend(rule(ctx) or ())
        except Exception as exc:  # a broken rule must not hide the other rules' findings
            findings.append(Finding(rule_id, "error", f"the rule itself failed: {type(exc).__name__}: {exc}"))
    return findings
