"""A missing key under a team's own renderer fails the case (``missing-value``), as a typo in a
Jinja template does through StrictUndefined; well-made templates raise nothing.

Three renderers written as a team would write them from the README, one per template language
the issue names: Mustache (chevron), Handlebars (pybars3), Django templates. Each passes
``request.context`` to its library unchanged; Handlebars and Django say ``lookup = "path"``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.cases import Case
from harness.engine import Engine
from harness.project import Project
from harness.render.renderers import renderers

PLUGIN = '''
import chevron
import django
import pybars
from django.conf import settings
from harness import RenderOutput, renderers

if not settings.configured:
    settings.configure()
    django.setup()


@renderers.register("mustache")
class Mustache:
    extensions = (".mustache",)

    def render(self, request):
        return RenderOutput(html=chevron.render(request.source, request.context))


@renderers.register("handlebars")
class Handlebars:
    extensions = (".hbs",)
    lookup = "path"  # {{name}} inside {{#each}} reads the item only

    def render(self, request):
        return RenderOutput(html=str(pybars.Compiler().compile(request.source)(request.context)))


@renderers.register("django")
class DjangoTemplates:
    extensions = (".djhtml",)
    lookup = "path"

    def render(self, request):
        from django.template import Context, Engine
        return RenderOutput(html=Engine().from_string(request.source).render(Context(request.context)))
'''
PAGE = """<!DOCTYPE html>
<html lang="en" dir="ltr"><head><meta charset="utf-8"><title>Your orders</title></head>
<body>
<span style="display:none">A summary of your recent orders.</span>
<table role="presentation" width="100%"><tr><td>
<h1>Hello {name}</h1>
{orders}
<p>Questions? Write to <a href="mailto:support@example.com">support@example.com</a>.</p>
</td></tr></table>
</body></html>
"""
TEMPLATES = {
    "summary_mustache.mustache": PAGE.format(
        name="{{account.first_name}}",
        orders="{{#account.orders}}<p>Order <span data-field=\"order-id\">{{id}}</span>: "
               "<a href=\"{{shop_url}}/orders/{{id}}\">see it</a>{{#gift}} (a gift){{/gift}}</p>{{/account.orders}}"),
    "summary_handlebars.hbs": PAGE.format(
        name="{{account.first_name}}",
        orders="{{#each account.orders}}<p>Order <span data-field=\"order-id\">{{id}}</span>: "
               "<a href=\"{{../shop_url}}/orders/{{id}}\">see it</a>{{#if gift}} (a gift){{/if}}</p>{{/each}}"),
    "summary_django.djhtml": PAGE.format(
        name="{{ account.first_name }}",
        orders="{% for order in account.orders %}<p>Order <span data-field=\"order-id\">{{ order.id }}</span>: "
               "<a href=\"{{ shop_url }}/orders/{{ order.id }}\">see it</a>{% if order.gift %} (a gift){% endif %}</p>{% endfor %}"),
}
FIXTURE = "locale: en\nfirst_name: Ada\nemail: ada@example.org\norders: [{id: NW-1001}, {id: NW-1002, gift: true}]\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # The renderers registered here ("handlebars" claiming .hbs, "django") leave with the test:
    # other tests expect .hbs unclaimed.
    monkeypatch.setattr(renderers, "_items", dict(renderers._items))
    monkeypatch.setattr(renderers, "origins", dict(renderers.origins))
    module = f"team_renderers_{abs(hash(str(tmp_path))) % 10**8}"
    files = {
        **{f"templates/{name}": text for name, text in TEMPLATES.items()},
        **{f"templates/{name.split('.')[0]}.yaml": "subject: Your orders, {{ account.first_name }}\n" for name in TEMPLATES},
        "templates/_catalog.yaml": "context: {shop_url: 'https://shop.example.com'}\n",
        "fixtures/en-ada.yaml": FIXTURE,
        f"{module}.py": PLUGIN,
        "pyproject.toml": f'[tool.email-harness]\nplugins = ["{module}"]\n',
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    yield tmp_path
    sys.modules.pop(module, None)


def findings(root: Path) -> dict[str, list[str]]:
    engine = Engine(Project.load(root), screenshots=False)
    return {case.template: [f.describe() for f in engine.check(case).findings] for case in engine.cases()}


def test_well_made_team_templates_raise_nothing_under_the_default_rules(project):
    assert findings(project) == {"summary_mustache": [], "summary_handlebars": [], "summary_django": []}


def test_a_missing_key_fails_each_kind_with_missing_value_naming_it(project):
    for name in TEMPLATES:
        path = project / "templates" / name
        path.write_text(path.read_text().replace("first_name", "first_nmae", 1).replace("id}}</span>", "number}}</span>")
                        .replace("id }}</span>", "number }}</span>"))
    # The empty order number is also an empty [data-field] (no-leftovers); the greeting ("Hello ")
    # only missing-value sees.
    found = {template: [f for f in listed if f.startswith("[missing-value]")] for template, listed in findings(project).items()}
    assert found["summary_mustache"] == [
        "[missing-value] error: summary_mustache.mustache prints 'account.first_nmae', which no scope has: it rendered as nothing "
        "at account.first_nmae; expected account.first_nmae in the fixture or the context (a typo in the template?), "
        "or the template testing it before printing it (or rules: {missing-value: {allow: [\"account.first_nmae\"]}})",
        # Mustache looks a name the order lacks up in the enclosing scopes: none has it.
        "[missing-value] error: summary_mustache.mustache prints 'number', which no scope has: it rendered as nothing at number; "
        "expected number in the fixture or the context (a typo in the template?), or the template testing it before printing it "
        "(or rules: {missing-value: {allow: [\"number\"]}})",
    ]
    for template, name in (("summary_handlebars", "summary_handlebars.hbs"), ("summary_django", "summary_django.djhtml")):
        messages = [f.split(" at ")[0] for f in found[template]]
        assert messages == [
            f"[missing-value] error: {name} prints 'account.first_nmae', which no scope has: it rendered as nothing",
            f"[missing-value] error: {name} prints 'account.orders[0].number', which no scope has: it rendered as nothing",
            f"[missing-value] error: {name} prints 'account.orders[1].number', which no scope has: it rendered as nothing",
        ], found[template]


def test_a_renderer_with_an_unknown_lookup_is_an_error_of_its_cases(project):
    plugin = next(project.glob("team_renderers_*.py"))
    plugin.write_text(plugin.read_text().replace('lookup = "path"  #', 'lookup = "items"  #'))
    engine = Engine(Project.load(project), screenshots=False)
    result = engine.check(Case("summary_handlebars", "en-ada"))
    assert result.status == "error" and "renderer 'handlebars': lookup = 'items'; expected 'stack' (Mustache) or 'path'" in result.error
