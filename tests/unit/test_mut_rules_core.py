"""What every rule shares (findings, the registry, options and their messages, ``ignore``
entries, field paths), pinned where mutation testing showed a promise no test held (issue 25)."""

from __future__ import annotations

import pickle

import pytest

from harness.errors import ConfigError
from harness.rules import Finding, RuleOptions, RuleRegistry, rules, run_rules

from .build import context, email, page


@pytest.fixture(autouse=True)
def _own_registry(monkeypatch):
    """Rules registered here are gone after the test."""
    monkeypatch.setattr(rules, "_items", dict(rules._items))
    monkeypatch.setattr(rules, "origins", dict(rules.origins))
    monkeypatch.setattr(rules, "option_models", dict(rules.option_models))


# -- findings and the registry ---------------------------------------------------------------------

MAIL = email(page('<div class="preview"><p>Preview text</p></div><p>Body text</p>'))


def test_a_finding_crosses_a_process_without_its_element():
    """A finding pickles as if it had no element (the parsed email stays behind) and comes back whole."""
    with_node = Finding("links", "error", "bad link", "a", "https", node=MAIL.document.p)
    without = Finding("links", "error", "bad link", "a", "https")
    assert pickle.dumps(with_node) == pickle.dumps(without)
    back = pickle.loads(pickle.dumps(with_node))
    assert (back, back.node) == (without, None)


@pytest.mark.parametrize("severity", ["error", "warning", "note"])
def test_an_ignore_selector_places_findings_of_every_severity(severity):
    @rules.register("unit-every-p")
    def every_p(ctx):
        for p in ctx.document.find_all("p"):
            yield getattr(ctx, severity)(f"p says {p.get_text()!r}", element="p", node=p)

    ignore = [{"selector": ".preview", "reason": "placeholder copy"}]
    found = run_rules({"unit-every-p": {"ignore": ignore}}, context("", MAIL))
    assert [(f.severity, f.message) for f in found] == [(severity, "p says 'Body text'")]


def test_a_teams_own_registry_speaks_of_rules_and_keeps_their_options_models():
    class Options(RuleOptions):
        limit: int = 1

    registry = RuleRegistry()
    with pytest.raises(ConfigError, match=r"^unknown rule 'links'; known: none$"):
        registry.get("links")
    registry.register("limited", options=Options)(lambda ctx: [])
    assert registry.options_model("limited") is Options and registry.options_model("links") is None
