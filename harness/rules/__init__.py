"""Rules: assertions every rendered email must satisfy, whether or not anyone approved it yet."""

from . import builtin as _builtin  # noqa: F401  (registers the built-in rules)
from .base import Finding, Rule, RuleContext, Severity, rules, run_rules

__all__ = ["Finding", "Rule", "RuleContext", "Severity", "rules", "run_rules"]
