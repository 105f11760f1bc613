"""``missing-value``: a team renderer's template printed a key that no scope has ("Hi ,").

The template languages teams register (Mustache via chevron, Handlebars via pybars3, Django) print
a missing key as nothing. The harness hands a renderer a :class:`RecordingContext`: a name no scope
has comes back as an empty value that records itself only when printed. These tests render with
each library as a team renderer would, and check two things every time: what was recorded, and
that the output is exactly what the library renders from a plain dict (recording changes nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import chevron
import pybars
import pytest

from harness.catalog import Catalog, load_catalog
from harness.errors import ConfigError
from harness.fixtures import to_record
from harness.render.recording import Lookup, MissingValue, RecordingContext, recording
from harness.rules import rules
from harness.rules.options import check_rule_options, resolve_options

from .build import check, email, messages, page, template

Render = Callable[[str, Any], str]
VALUES = {
    "account": to_record({"first_name": "Ada", "orders": [{"id": "NW-1", "total": 30}, {"id": "NW-2"}], "plan": {"name": "Pro"}}),
    "locale": "en",
    "shop_url": "https://shop.example.com",
}


def mustache(source: str, context: Any) -> str:
    return chevron.render(source, context)


def handlebars(source: str, context: Any) -> str:
    return str(pybars.Compiler().compile(source)(context))


def django(source: str, context: Any) -> str:
    import django as django_package
    from django.conf import settings

    if not settings.configured:  # once per process, as a Django project's settings module would
        settings.configure()
        django_package.setup()
    from django.template import Context, Engine

    return Engine(libraries={"i18n": "django.templatetags.i18n"}).from_string(source).render(Context(context))


def recorded(render: Render, source: str, *, lookup: Lookup = "stack") -> tuple[str, list[str]]:
    """The output and the keys recorded; the output must equal the library's own from a dict."""
    with recording() as found:
        out = render(source, RecordingContext(VALUES, lookup=lookup))
    assert out == render(source, dict(VALUES)), "recording changed the output"
    return out, [missing.key for missing in found.missing_values]


# -- printed and missing everywhere: recorded --------------------------------------------------------


@pytest.mark.parametrize(
    ("render", "source"),
    [
        (mustache, "<p>Hi {{account.first_nmae}}, {{greeting}} {{ordr.id}}</p>"),
        (handlebars, "<p>Hi {{account.first_nmae}}, {{greeting}} {{ordr.id}}</p>"),
        (django, "<p>Hi {{ account.first_nmae }}, {{ greeting }} {{ ordr.id }}</p>"),
    ],
    ids=["mustache", "handlebars", "django"],
)
def test_a_printed_key_no_scope_has_is_recorded_by_its_path(render, source):
    assert recorded(render, source) == ("<p>Hi ,  </p>", ["account.first_nmae", "greeting", "ordr.id"])


def test_a_key_printed_unescaped_or_through_a_filter_is_recorded():
    assert recorded(mustache, "{{{account.nickname}}}{{&account.title}}")[1] == ["account.nickname", "account.title"]
    assert recorded(django, "{{ account.nickname|upper }}")[1] == ["account.nickname"]


# -- tested, defaulted or answered by an outer scope: not recorded -------------------------------------


@pytest.mark.parametrize(
    ("render", "source", "expected"),
    [
        (mustache, "{{#account.vip}}VIP{{/account.vip}}{{^account.vip}}member{{/account.vip}}{{#coupon}}{{code}}{{/coupon}}", "member"),
        (handlebars, "{{#if account.vip}}VIP{{else}}member{{/if}}{{#unless coupon}}!{{/unless}}{{#each account.coupons}}{{code}}{{/each}}", "member!"),
        (django, "{% if account.vip %}VIP{% else %}member{% endif %}{% for c in account.coupons %}{{ c }}{% empty %}!{% endfor %}"
                 "{{ account.nickname|default:'' }}", "member!"),
    ],
    ids=["mustache", "handlebars", "django"],
)
def test_keys_only_tested_in_conditionals_are_not_recorded(render, source, expected):
    assert recorded(render, source) == (expected, [])


def test_an_inner_scope_that_misses_before_an_outer_one_answers_is_not_recorded():
    """Mustache looks a name up in the item, then in each enclosing scope: only a miss in all counts."""
    source = "{{#account.orders}}<a href='{{shop_url}}/{{id}}'>{{account.first_name}} {{locale}}</a>{{/account.orders}}"
    out, keys = recorded(mustache, source)
    assert out.count("https://shop.example.com/NW-") == 2 and keys == []
    assert recorded(mustache, "{{#account.plan}}{{name}} {{locale}}{{/account.plan}}") == ("Pro en", [])
    assert recorded(handlebars, "{{#each account.orders}}{{id}}-{{../locale}}-{{@index}} {{/each}}") == ("NW-1-en-0 NW-2-en-1 ", [])
    assert recorded(django, "{% for order in account.orders %}{{ order.id }} {{ locale }} {% endfor %}") == ("NW-1 en NW-2 en ", [])


def test_a_loop_item_that_lacks_a_printed_key_is_recorded():
    """Mustache falls back to the outer scopes, so the key counts when none has it; Handlebars and
    Django read the item only, which a renderer says with ``lookup = "path"``."""
    assert recorded(mustache, "{{#account.orders}}[{{total}}]{{/account.orders}}") == ("[30][]", ["total"])
    for render, source in ((handlebars, "{{#each account.orders}}[{{total}}]{{/each}}"),
                           (django, "{% for o in account.orders %}[{{ o.total }}]{% endfor %}")):
        assert recorded(render, source, lookup="path") == ("[30][]", ["account.orders[1].total"])


def test_django_tags_that_build_their_own_values_render_as_before():
    """regroup's named tuples, blocktranslate's variables, forloop.parentloop, ifchanged, cycle."""
    source = (
        "{% load i18n %}{% blocktranslate with name=account.first_name %}Hi {{ name }}{% endblocktranslate %} "
        "{% regroup account.orders by id as by_id %}{% for group in by_id %}{{ group.grouper }}:{{ group.list|length }} {% endfor %}"
        "{% for order in account.orders %}{% ifchanged order.total %}[{{ order.total }}]{% endifchanged %}{% cycle 'a' 'b' %}"
        "{% for c in order.id %}{{ forloop.parentloop.counter }}{% endfor %}{% endfor %}"
    )
    # The second order has no total, and "[{{ order.total }}]" prints it: that one is real.
    assert recorded(django, source, lookup="path") == ("Hi Ada NW-1:1 NW-2:1 [30]a1111[]b2222", ["account.orders[1].total"])
    out, keys = recorded(django, source.replace("account.first_name", "account.first_nmae"), lookup="path")
    assert out.startswith("Hi  ") and keys == ["account.first_nmae", "account.orders[1].total"]


def test_the_one_known_difference_regroup_by_a_key_an_item_lacks():
    """Django groups such items under None and prints "None" (a leftover no-leftovers reports);
    under ``lookup = "path"`` the heading is empty instead, and the key is recorded."""
    source = "{% regroup account.orders by total as by_total %}{% for group in by_total %}[{{ group.grouper }}]{% endfor %}"
    with recording() as found:
        out = django(source, RecordingContext(VALUES, lookup="path"))
    assert (out, django(source, dict(VALUES))) == ("[30][]", "[30][None]")
    assert [missing.key for missing in found.missing_values] == ["account.orders[1].total"]


def test_python_code_in_a_renderer_keeps_python_answers():
    context = RecordingContext(VALUES)
    assert context["account"].first_name == "Ada" and context.get("greeting") is None
    with pytest.raises(AttributeError):
        context["account"].first_nmae  # noqa: B018 - a typo in the renderer's own code still fails loudly
    assert dict(context) == VALUES  # the plain values, for json.dumps and the like


# -- the rule ----------------------------------------------------------------------------------------


def sent_with(*keys: str, **kwargs: Any) -> Any:
    return replace(email(page("<p>Hi ,</p>"), **kwargs), missing_values=tuple(MissingValue(key) for key in keys))


def test_each_missing_key_is_an_error_naming_the_template():
    found = check("missing-value", sent_with("account.first_nmae", "ordr.id"), tpl=template())
    assert messages(found) == [
        "t.mjml prints 'account.first_nmae', which no scope has: it rendered as nothing",
        "t.mjml prints 'ordr.id', which no scope has: it rendered as nothing",
    ]
    assert {f.severity for f in found} == {"error"} and found[0].element == "account.first_nmae"


def test_nothing_missing_or_allowed_or_not_sent_is_silent():
    assert check("missing-value", sent_with()) == []
    assert check("missing-value", sent_with("account.nickname"), allow=["account.nickname"]) == []
    assert check("missing-value", replace(sent_with("x"), outcome="not sent")) == []


def test_an_allow_entry_that_is_not_a_key_is_a_configuration_error():
    with pytest.raises(ConfigError, match=r"allow: '\{\{account.nickname\}\}' is not a key as findings name it"):
        resolve_options("missing-value", {"allow": ["{{account.nickname}}"]}, rules.options_model("missing-value"))


def test_a_key_in_a_list_is_suggested_and_allowed_with_the_list_marked():
    """The finding names the item (``[1]``); the suggestion and ``allow`` name every item (``[]``),
    as field paths do everywhere else."""
    mail = sent_with("account.invoices[1].curency")
    found = check("missing-value", mail)
    assert found[0].element == "account.invoices[1].curency"
    assert found[0].expected.endswith('(or rules: {missing-value: {allow: ["account.invoices[].curency"]}})')
    options = resolve_options("missing-value", {"allow": ["account.invoices[].curency"]}, rules.options_model("missing-value"))[0]
    assert check("missing-value", mail, **options) == []


def test_an_allow_entry_with_an_index_is_refused_with_the_list_form():
    with pytest.raises(ConfigError, match=r"'account.invoices\[0\].curency' is not a key as findings name it; "
                                          r"did you mean 'account.invoices\[\].curency'\?"):
        resolve_options("missing-value", {"allow": ["account.invoices[0].curency"]}, rules.options_model("missing-value"))


def mustache_catalog(tmp_path: Path, allow: str) -> Catalog:
    """A catalog with one Mustache-like template printing ``account.name`` and a nickname in a section."""
    root = tmp_path / "templates"
    root.mkdir()
    (root / "welcome.html").write_text("<p>Hi {{account.name}}, {{#account}}aka {{nickname}}{{/account}}</p>")
    (root / "welcome.yaml").write_text(f"subject: Hi {{{{account.name}}}}\nlanguage: none\nrules:\n  missing-value: {{allow: {allow}}}\n")
    return load_catalog(root)


def test_an_allow_entry_naming_a_key_no_template_prints_is_a_typo_with_the_right_spelling(tmp_path):
    with pytest.raises(ConfigError) as raised:
        check_rule_options(mustache_catalog(tmp_path, '["account.nmae"]'))
    assert ("welcome.yaml: rules: missing-value: allow: 'account.nmae' is no key the templates print: "
            "no template writes 'nmae'; did you mean 'account.name'?") in str(raised.value)


@pytest.mark.parametrize("allow", ['["account.name"]', '["account.nickname"]', "[]"])
def test_allow_entries_the_templates_print_pass(tmp_path, allow):
    check_rule_options(mustache_catalog(tmp_path, allow))
