"""Hand-made inputs for unit tests: an email, a fixture, a template, and a rule run on them.

A rule's unit test needs no catalog, engine or browser: it builds the smallest
:class:`~harness.render.RenderedEmail` that breaks (or keeps) one promise and runs the rule on it::

    findings = check("links", email(page('<a href="http://shop.example.com">Shop</a>')))
    assert messages(findings) == ["link scheme 'http' is not allowed"]
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from harness.catalog import Template, TemplateMeta
from harness.fixtures import Fixture, to_record
from harness.plugins import registries
from harness.rules.builtin import client_support
from harness.render import RenderedEmail
from harness.rules import Finding, RuleContext, rules, run_rules

__all__ = ["check", "context", "email", "fixture", "messages", "page", "lacking", "plant", "plugins_forgotten", "run", "template"]


def page(body: str = "", *, lang: str | None = "en", dir: str | None = "ltr", head: str = "") -> str:
    """A whole HTML document around ``body``; ``lang=None`` / ``dir=None`` leave the attribute out."""
    attributes = "".join(f' {name}="{value}"' for name, value in (("lang", lang), ("dir", dir)) if value is not None)
    return f"<!doctype html><html{attributes}><head>{head}</head><body>{body}</body></html>"


def email(
    html: str = "",
    *,
    subject: str = "Your order NW-1",
    text: str | None = None,
    source: str | None = None,
    locale: str = "en",
    sent: bool = True,
) -> RenderedEmail:
    """A rendered email; ``text=None`` derives the text part from the HTML as the pipeline does."""
    return RenderedEmail(
        template="t", fixture="f", locale=locale, outcome="sent" if sent else "not sent",
        reason="" if sent else "not for this account", subject=subject, html=html,
        written_text=text, source=html if source is None else source,
    )


def fixture(id: str = "en-ada", **data: Any) -> Fixture:
    """Free-form fixture data, read by attribute as templates see it."""
    return Fixture(id=id, data=to_record({"id": id, **data}), locale=data.get("locale", "en"), path=Path(f"fixtures/{id}.yaml"))


def template(*, language: str = "jinja", **meta: Any) -> Template:
    """A template's metadata, as the catalog would load it (``language`` as resolved from it)."""
    meta.setdefault("subject", "s")
    return Template(name="t", source_path=Path("templates/t.mjml"), meta=TemplateMeta(language=language, **meta), language=language)


def context(
    rule_id: str,
    mail: RenderedEmail,
    *,
    recipient: Fixture | None = None,
    others: list[Fixture] | tuple[Fixture, ...] = (),
    tpl: Template | None = None,
    approved_copy: dict[str, str] | None = None,
    scan: list[dict[str, Any]] | None = None,
    measured: dict[str, dict[str, Any]] | None = None,
    **options: Any,
) -> RuleContext:
    return RuleContext(
        rule_id=rule_id, email=mail, fixture=recipient or fixture(), others=list(others),
        template=tpl or template(), options=options, approved_copy=approved_copy or {}, axe=scan,
        page=measured,
    )


def check(rule_id: str, mail: RenderedEmail, **kwargs: Any) -> list[Finding]:
    """Run one registered rule and return its findings. Keyword arguments are the rule's options,
    except ``recipient``, ``others``, ``tpl``, ``approved_copy``, ``scan`` (axe-core's violations)
    and ``measured`` (what the browser measured per viewport, as ``RuleContext.page``)."""
    return list(rules.get(rule_id)(context(rule_id, mail, **kwargs)) or ())


def run(rule_id: str, mail: RenderedEmail, **kwargs: Any) -> list[Finding]:
    """Like :func:`check`, but as the engine runs a rule: options checked and defaults filled
    in, ``ignore`` entries applied (``run("links", mail, ignore=[{"value": "#", "reason": "..."}])``)."""
    options = {k: kwargs.pop(k) for k in list(kwargs) if k not in _CONTEXT_ARGUMENTS}
    return run_rules({rule_id: options}, context("", mail, **kwargs))


_CONTEXT_ARGUMENTS = ("recipient", "others", "tpl", "approved_copy", "scan", "measured")


def messages(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings]


def plant(report: Path, template: str, fixture: str, before: dict[str, str], after: dict[str, str], **fields: Any) -> dict[str, Any]:
    """One changed case of a report's results.json, its approved and received parts written in
    ``report``; ``fields`` set more of the case's entry (findings, status...)."""
    from harness.snapshots import sha256

    for side, parts in (("approved", before), ("received", after)):
        folder = report / side / template / fixture
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in parts.items():
            (folder / name).write_text(text)
    changed = [name for name in after if before.get(name) != after[name]]
    return {"id": f"{template}[{fixture}]", "template": template, "fixture": fixture, "status": "changed", "outcome": "sent",
            "findings": [], "received": {n: sha256(t.encode()) for n, t in after.items()}, "approved": changed,
            "manifest": {}, "approved_manifest": "sha256:old",
            "changes": [{"kind": "text", "filename": n, "status": "changed", "diff": ""} for n in changed], **fields}


@contextmanager
def plugins_forgotten() -> Iterator[None]:
    """Every registry, ``sys.path`` and ``sys.modules`` as before: a test that loads a project's
    own plugin modules leaves no trace. Registries are global, so without this a project's
    'new_account' guard would replace the shop's for every later test in the same worker."""
    saved = {name: (dict(r._items), dict(r.origins)) for name, r in registries().items()}
    path, before = list(sys.path), set(sys.modules)
    try:
        yield
    finally:
        sys.path[:] = path
        for name in set(sys.modules) - before:
            del sys.modules[name]
        for name, registry in registries().items():
            registry._items, registry.origins = saved[name]


NEWMAIL = {"newmail": ["tv"]}


@pytest.fixture
def lacking(monkeypatch):
    """``lacking(*slugs)``: caniemail's data says a made-up client, Newmail on TV, lacks these
    features and supports every other one; returns the ``clients`` option naming it."""
    data = client_support.caniemail()

    def lack(*slugs: str) -> dict[str, list[str]]:
        """A slug caniemail does not know (``css-color``) is added as a feature of its own."""
        features = {slug: {"slug": slug, "title": slug, "url": ""} for slug in slugs} | data["by_slug"]
        by_slug = {slug: {**feature, "stats": {**(feature.get("stats") or {}), "newmail": {"tv": {"2026": "n" if slug in slugs else "y"}}}}
                   for slug, feature in features.items()}
        monkeypatch.setattr(client_support, "caniemail", lambda: {**data, "by_slug": by_slug})
        return NEWMAIL

    return lack
