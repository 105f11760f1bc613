"""Rules: assertions every rendered email must satisfy, whether or not anyone approved it yet."""

from . import builtin as _builtin  # noqa: F401  (registers the built-in rules)
from .base import Finding, Rule, RuleContext, RuleRegistry, Severity, rules, run_rules
from .options import CssSelector, FieldPath, FieldPattern, IgnoreEntry, RuleOptions

__all__ = [
    "CssSelector",
    "FieldPath",
    "FieldPattern",
    "Finding",
    "IgnoreEntry",
    "Rule",
    "RuleContext",
    "RuleOptions",
    "RuleRegistry",
    "Severity",
    "rules",
    "run_rules",
]
