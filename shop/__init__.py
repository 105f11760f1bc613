"""The bundled example project's own code: a shop's data model, send guards and filters.

Registered exactly as a team's plugin module would be: ``plugins = ["shop"]`` and
``fixture_model = "shop.models:Account"`` under ``[tool.email-harness]`` in pyproject.toml.
The harness itself knows nothing of orders or gift cards.
"""

from . import filters, guards

__all__ = ["filters", "guards"]
