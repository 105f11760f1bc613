"""email-harness: regression tests for transactional email templates.

A project's own code registers its plugins on the registries below, from a module listed under
``plugins`` in ``[tool.email-harness]`` (or an installed package's ``email_harness`` entry point)::

    from harness import NotSent, filters, guards, rules

    @guards.register("paid_invoice")
    def paid_invoice(account, now):
        invoice = next((i for i in account.invoices if i.status == "paid"), None)
        return {"invoice": invoice} if invoice else NotSent("no paid invoice")

Every registry is filled before the catalog and fixtures are validated, the same way for
``email-harness run`` and for pytest.
"""

from __future__ import annotations

from .guards import NotSent, guards
from .render.jinja import filters, jinja_extensions, jinja_globals, jinja_tests
from .render.mjml_engines import mjml_engines
from .render.renderers import RenderOutput, RenderRequest, renderers
from .rules import Finding, RuleContext, rules
from .snapshots import snapshot_kinds

__all__ = [
    "Finding",
    "NotSent",
    "RenderOutput",
    "RenderRequest",
    "RuleContext",
    "filters",
    "guards",
    "jinja_extensions",
    "jinja_globals",
    "jinja_tests",
    "mjml_engines",
    "renderers",
    "rules",
    "snapshot_kinds",
]
