"""``empty-list``: a sent email in which a Jinja ``{% for %}`` over a value ran zero times and the
author did not plan for that (no ``{% else %}``, no test of the value).

The loops are real Jinja, rendered by the harness's environment; the rule reads what the render
recorded. The last test is the incident: a loosened send guard sends a gift-card buyer the
confirmation of another order of theirs, with no gift card in it.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jinja2 import StrictUndefined

from harness.cases import Case
from harness.engine import Engine
from harness.errors import ConfigError
from harness.guards import guards
from harness.project import Project
from harness.render.jinja import new_environment, render_jinja
from harness.render.recording import EmptyLoop, current_recording, recording
from harness.render.sandbox import LimitedSandbox
from harness.rules import rules
from harness.catalog import load_catalog
from harness.rules.options import check_rule_options, resolve_options

from .build import check, email, messages, page

GIFT_CARDS = """<h1>Thanks for your gift card purchase</h1>
<table>
{% for card in order.gift_cards %}
  <tr><td>{{ card.brand }}</td><td>{{ card.amount }}</td></tr>
{% endfor %}
</table>
"""


def loops(tmp_path: Path, source: str, **context: Any) -> list[EmptyLoop]:
    """Render ``source`` as a catalog file and return the loops it recorded as empty."""
    (tmp_path / "t.html").write_text(source, encoding="utf-8")
    with recording() as found:
        render_jinja(new_environment(tmp_path), name="t.html", context=context, where="t.html")
    return found.empty_loops


def run_rule(found: list[EmptyLoop], **options: Any) -> list[str]:
    mail = replace(email(page("<p>Hi</p>")), empty_loops=tuple(found))
    return messages(check("empty-list", mail, **options))


# -- what counts -------------------------------------------------------------------------------------


def test_a_loop_over_an_empty_list_is_named_with_its_file_line_and_value(tmp_path):
    found = loops(tmp_path, GIFT_CARDS, order={"gift_cards": []})
    assert found == [EmptyLoop("t.html", 3, "{% for card in order.gift_cards %}", "order.gift_cards")]
    mail = replace(email(page("<p>Hi</p>")), empty_loops=tuple(found))
    [finding] = check("empty-list", mail)
    assert finding.element == "t.html:3"
    assert finding.message == "{% for card in order.gift_cards %} ran 0 times (order.gift_cards is empty) and has no {% else %}"


def test_a_loop_that_ran_is_silent(tmp_path):
    assert loops(tmp_path, GIFT_CARDS, order={"gift_cards": [{"brand": "Hotels", "amount": 50}]}) == []


def test_a_filter_names_the_value_under_it_and_only_an_empty_value_counts(tmp_path):
    source = "{% for card in order.gift_cards|selectattr('active') %}{{ card.brand }}{% endfor %}"
    [loop] = loops(tmp_path, source, order={"gift_cards": []})
    assert (loop.tag, loop.expression) == ("{% for card in order.gift_cards|selectattr('active') %}", "order.gift_cards")
    # Cards that the filter or an inline if all left out were left out on purpose.
    assert loops(tmp_path, source, order={"gift_cards": [{"brand": "Hotels", "active": False}]}) == []
    inline = "{% for card in order.gift_cards if card.amount > 0 %}{{ card.brand }}{% endfor %}"
    assert loops(tmp_path, inline, order={"gift_cards": [{"brand": "Hotels", "amount": 0}]}) == []


def test_a_method_call_is_its_own_value_and_a_mapping_view_is_its_mapping(tmp_path):
    source = "{% for k, v in prices.items() %}{{ k }}{% endfor %}{% for s in reg.summary(hide_empty=true) %}{{ s }}{% endfor %}"
    reg = {"summary": lambda hide_empty: []}
    found = loops(tmp_path, source, prices={}, reg=reg)
    assert [(loop.expression, loop.tag) for loop in found] == [
        ("prices", "{% for k, v in prices.items() %}"),
        ("reg.summary(hide_empty=true)", "{% for s in reg.summary(hide_empty=true) %}"),
    ]


def test_a_loop_inside_another_is_reported_once(tmp_path):
    source = "{% for order in orders %}\n{% for item in order.line_items %}{{ item }}{% endfor %}\n{% endfor %}"
    found = loops(tmp_path, source, orders=[{"line_items": []}, {"line_items": []}])
    assert [(loop.line, loop.expression) for loop in found] == [(2, "order.line_items")]


def test_a_tag_over_several_lines_and_filters_are_named_as_written(tmp_path):
    source = "<ul>{% for item in\n     order.line_items | sort(attribute='name') -%}<li>{{ item }}</li>{% endfor %}</ul>"
    [loop] = loops(tmp_path, source, order={"line_items": []})
    assert (loop.line, loop.tag, loop.expression) == (1, "{% for item in order.line_items | sort(attribute='name') -%}", "order.line_items")


# -- what the author planned for ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "{% for card in order.gift_cards %}{{ card }}{% else %}<p>No gift cards</p>{% endfor %}",
        "{% for card in order.gift_cards %}{{ card }}{% else %}{# nothing to show #}{% endfor %}",
        "{% if order.gift_cards %}<table>{% for card in order.gift_cards %}{{ card }}{% endfor %}</table>{% endif %}",
        "{% if order.gift_cards|length > 1 %}{% for card in order.gift_cards %}{{ card }}{% endfor %}{% endif %}",
        "{% if not order.gift_cards %}None{% else %}{% for card in order.gift_cards %}{{ card }}{% endfor %}{% endif %}",
        "{% if order.paid and order.gift_cards %}{% for c in order.gift_cards|sort %}{{ c }}{% endfor %}{% endif %}",
        "{% if not order.gift_cards %}<p>None</p>{% endif %}{% for card in order.gift_cards %}{{ card }}{% endfor %}",
        "{% for card in order.gift_cards %}{{ card }}{% endfor %}{{ 'None' if order.gift_cards|length == 0 }}",
        "{% for i in range(order.count) %}{{ i }}{% endfor %}{% for x in [] %}{{ x }}{% endfor %}",
        "{% for node in tree recursive %}{{ node.name }}{{ loop(node.children) }}{% endfor %}",
    ],
    ids=["else", "empty-else", "if-guard", "length-guard", "else-of-not", "and-guard", "sibling-not", "inline-if-length", "range-literal", "recursive"],
)
def test_a_loop_planned_for_empty_is_not_counted(tmp_path, source):
    context = {"order": {"gift_cards": [], "paid": True, "count": 0}, "tree": [{"name": "a", "children": []}]}
    assert loops(tmp_path, source, **context) == []


def test_a_plural_test_is_not_a_plan_for_empty(tmp_path):
    source = "card{% if order.gift_cards|length > 1 %}s{% endif %}: {% for card in order.gift_cards %}{{ card }}{% endfor %}"
    assert [loop.expression for loop in loops(tmp_path, source, order={"gift_cards": []})] == ["order.gift_cards"]


def test_a_template_may_allow_named_loops(tmp_path):
    found = loops(tmp_path, GIFT_CARDS + "{% for c in order.coupons %}{{ c }}{% endfor %}", order={"gift_cards": [], "coupons": []})
    assert len(run_rule(found, allow=["order.coupons"])) == 1
    assert run_rule(found, allow=["order.coupons", "order.gift_cards"]) == []


def test_an_allow_entry_that_names_no_value_is_a_configuration_error():
    with pytest.raises(ConfigError, match=r"allow: 'order.coupons\|sort' is not a value as findings name it; write e.g. 'order.coupons'"):
        resolve_options("empty-list", {"allow": ["order.coupons|sort"]}, rules.options_model("empty-list"))


def invoice_catalog(tmp_path: Path, allow: str) -> Any:
    """A catalog whose invoice template loops over ``invoice.items`` (sorted) and ``invoice["notes"]``,
    in a partial, allowing ``allow``."""
    root = tmp_path / "templates"
    (root / "_partials").mkdir(parents=True)
    (root / "_partials" / "notes.html").write_text('{% for note in invoice["notes"] %}<p>{{ note }}</p>{% endfor %}')
    (root / "invoice.html").write_text(
        '<table>{% for item in invoice.items|sort(attribute="sku") %}<tr><td>{{ item.sku }}</td></tr>{% endfor %}</table>'
        '{% include "_partials/notes.html" %}')
    (root / "invoice.yaml").write_text(f"subject: Your invoice\nrules:\n  empty-list: {{allow: {allow}}}\n")
    return load_catalog(root)


def test_an_allow_entry_naming_no_loop_of_the_templates_is_a_typo_with_the_right_spelling(tmp_path):
    with pytest.raises(ConfigError) as raised:
        check_rule_options(invoice_catalog(tmp_path, '["invoice.itmes"]'))
    assert ("invoice.yaml: rules: empty-list: allow: 'invoice.itmes' is the value of no template's {% for %}; "
            "did you mean 'invoice.items'?") in str(raised.value)


@pytest.mark.parametrize("allow", ['["invoice.items"]', """['invoice["notes"]', "invoice['notes']"]""", "[]"])
def test_allow_entries_naming_the_templates_loops_pass(tmp_path, allow):
    """As findings name them: the value under its filters; a key in brackets either quoted."""
    check_rule_options(invoice_catalog(tmp_path, allow))


def test_an_email_not_sent_has_nothing_to_report():
    mail = replace(email(sent=False), empty_loops=(EmptyLoop("t.html", 3, "{% for x in xs %}", "xs"),))
    assert check("empty-list", mail) == []


def test_renders_do_not_leak_into_each_other(tmp_path):
    (tmp_path / "t.html").write_text(GIFT_CARDS, encoding="utf-8")
    env = new_environment(tmp_path)
    render_jinja(env, name="t.html", context={"order": {"gift_cards": []}}, where="t.html")  # outside a recording: nothing kept
    with recording() as first:
        render_jinja(env, name="t.html", context={"order": {"gift_cards": []}}, where="t.html")
    with recording() as second:
        render_jinja(env, name="t.html", context={"order": {"gift_cards": [{"brand": "b", "amount": 1}]}}, where="t.html")
    assert len(first.empty_loops) == 1 and second.empty_loops == [] and current_recording() is None


def test_the_rewrite_adds_nothing_to_a_loop_but_one_flag_per_item(tmp_path):
    """Speed, shown on the generated Python rather than by a clock (shared CI machines are noisy):
    against Jinja's own code for the same template, a running loop gains one local assignment
    per item (the flag Jinja keeps for any ``{% else %}``); the rest runs only when it ran empty."""
    source = "<table>{% for row in order.rows %}<tr><td>{{ row.name }}</td></tr>{% endfor %}</table>"
    rewritten = new_environment(tmp_path).compile(source, raw=True)
    plain = LimitedSandbox(undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True).compile(source, raw=True)
    added = ["+ " + line[2:].strip() for line in difflib.ndiff(_numbered(plain), _numbered(rewritten)) if line.startswith("+ ")]
    removed = [line for line in difflib.ndiff(_numbered(plain), _numbered(rewritten)) if line.startswith("- ")]
    assert removed == []
    assert [re.sub(r"\(.*", "(...)", line) for line in added] == [
        "+ from harness.render.loops import loop_ran_empty as t_N",
        "+ t_N = 1",     # before the loop
        "+ t_N = 0",     # in the loop: the one statement per item
        "+ if t_N:",     # after it: the report, when it ran empty
        "+ pass",
        "+ environment.call(...)",
    ]


def _numbered(code: str) -> list[str]:
    """Generated code with Jinja's temporary names made equal (``t_1`` -> ``t_N``), without the
    table of template line numbers."""
    return [re.sub(r"\bt_\d+\b", "t_N", line) for line in code.splitlines() if not line.startswith("debug_info")]


# -- the incident ------------------------------------------------------------------------------------

GIFT_CARD_MJML = """<mjml lang="{{ locale }}" dir="{{ dir }}">
  <mj-head><mj-title>Your gift card purchase</mj-title><mj-preview>Thanks for your gift card purchase, {{ account.name }}.</mj-preview></mj-head>
  <mj-body>
    <mj-section><mj-column>
      <mj-text><h1>Thanks for your gift card purchase</h1><p>Hello {{ account.name }}, here is what you bought with order
        <strong data-field="order-id">{{ order.id }}</strong>.</p></mj-text>
      <mj-table>
        <tr><th>Gift card</th><th>Amount</th></tr>
{% for card in order.gift_cards %}
        <tr><td>{{ card.brand }}</td><td data-field="amount">{{ card.amount }} EUR</td></tr>
{% endfor %}
        <tr><td><strong>Total</strong></td><td data-field="total">{{ order.total }} EUR</td></tr>
      </mj-table>
      <mj-button href="https://shop.example.com/orders/{{ order.id }}">See your codes</mj-button>
    </mj-column></mj-section>
  </mj-body>
</mjml>
"""
#: The guard after the "simplification": the buyer's latest order, once they ever bought a gift card.
LOOSENED_GUARD = '''
from harness import NotSent, guards


@guards.register("gift_card_order")
def gift_card_order(account, now):
    if not any(order.gift_cards for order in account.orders):
        return NotSent("account has no gift card order")
    return {"order": max(account.orders, key=lambda order: order.placed_at)}
'''
BUYER = """locale: en
name: Ada Lovelace
email: ada@example.org
orders:
  - {id: NW-1001, placed_at: "2026-11-20", total: 50, gift_cards: [{brand: Hotels, amount: 50}]}
  - {id: NW-1002, placed_at: "2026-11-28", total: 129, gift_cards: []}
"""


def test_a_loosened_guard_sending_an_order_without_gift_cards_fails_only_on_empty_list(tmp_path, monkeypatch):
    # The loosened guard replaces the shop's "gift_card_order" for this test only.
    monkeypatch.setattr(guards, "_items", dict(guards._items))
    monkeypatch.setattr(guards, "origins", dict(guards.origins))
    module = f"loosened_{abs(hash(str(tmp_path))) % 10**8}"
    files = {
        "templates/gift_card.mjml": GIFT_CARD_MJML,
        "templates/gift_card.yaml": ("subject: Your gift card purchase, order {{ order.id }}\nrequires: [gift_card_order]\n"
                                     'rules:\n  belongs-to-recipient: {selector: "[data-field=order-id]", path: "orders[].id"}\n'),
        "fixtures/en-buyer.yaml": BUYER,
        f"{module}.py": LOOSENED_GUARD,
        "pyproject.toml": f'[tool.email-harness]\nplugins = ["{module}"]\n',
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    try:
        engine = Engine(Project.load(tmp_path), screenshots=False)
        sent = engine.render(Case("gift_card", "en-buyer"))
        result = engine.check(Case("gift_card", "en-buyer"))
    finally:
        sys.modules.pop(module, None)
    assert "NW-1002" in sent.subject and "129 EUR" in sent.text  # the wrong order, sent
    assert [f.describe() for f in result.findings] == [
        "[empty-list] error: {% for card in order.gift_cards %} ran 0 times "
        "(order.gift_cards is empty) and has no {% else %} at templates/gift_card.mjml:9; expected items in order.gift_cards, "
        "a send guard that stops the email without them, or {% else %} / {% if order.gift_cards %} for a list that may be empty "
        '(or rules: {empty-list: {allow: ["order.gift_cards"]}})'
    ]
