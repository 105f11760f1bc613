"""Lumen's own code for email-harness: the fixture model, send guards, filters and rules.

Listed under ``plugins`` in ``[tool.email-harness]``; importing the package imports the
submodules, whose ``@guards.register`` / ``@filters.register`` / ``@rules.register``
decorators put them on the harness's registries before templates and fixtures are read.
"""

from . import filters, guards, models, rules

__all__ = ["filters", "guards", "models", "rules"]
