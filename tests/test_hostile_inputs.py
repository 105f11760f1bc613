"""Hostile inputs: every one gets a clear message naming the place, and the run goes on with the
other cases. Each test counts what it tried (see ``tally`` in conftest.py); the session summary
prints the totals."""

from __future__ import annotations

import os
import re
import tempfile

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harness.cases import Case
from harness.errors import ConfigError, FixtureError, HarnessError
from harness.fixtures import load_fixture
from shop.models import Account

ACCOUNT = """locale: en
name: {name}
email: pat@example.com
created_at: 2024-01-01T00:00:00+00:00
address: {{line1: "1 Way", postcode: "AB1 2CD", city: Leeds, country: GB}}
orders:
  - {{id: NW-7, placed_at: 2026-10-30T10:00:00+00:00, status: placed, currency: GBP, shipping_cost: "1.00",
      line_items: [{{sku: MUG-1, name: Mug, quantity: 1, unit_price: "1.00"}}]}}
"""


def run_goes_on(sandbox, broken_case: str, expected: str) -> None:
    """The broken case (of a broken template) is an error naming the place; every case of the
    other templates still passes."""
    engine = sandbox.engine()
    results = {r.case.id: r for r in map(engine.check, engine.cases())}
    assert results[broken_case].status == "error", results[broken_case]
    assert expected in results[broken_case].error, results[broken_case].error
    assert "Traceback" not in results[broken_case].error
    broken_template = Case.parse(broken_case).template
    others = {case_id: result for case_id, result in results.items() if result.case.template != broken_template}
    assert len(others) > 100
    assert {case_id: result.status for case_id, result in others.items() if result.status != "passed"} == {}


# -- fixture values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"Pat\\x00Null"', "contains U+0000"),
        ('"Pat\\x1b[31mRed"', "contains U+001B"),
        ('"Pat\\x07Bell"', "contains U+0007"),
        ('"Pat\\uD800"', "invalid YAML"),
        ("[not, a, string]", "field name: Input should be a valid string"),
        ("{nested: {deeper: 1}}", "field name: Input should be a valid string"),
        ("[" * 5000 + "]" * 5000, "invalid YAML"),
    ],
)
def test_bad_fixture_values_get_a_schema_message(sandbox, tally, value, expected):
    tally.input()
    path = sandbox.write("fixtures/en-hostile-value.yaml", ACCOUNT.format(name=value))
    with pytest.raises(FixtureError) as raised:
        load_fixture(path, Account)
    assert expected in str(raised.value) and "en-hostile-value.yaml" in str(raised.value)


def test_missing_required_fields_and_wrong_types_name_each_field(sandbox, tally):
    tally.input(2)
    sandbox.write("fixtures/en-missing.yaml", "locale: en\nname: Pat\n")
    sandbox.write("fixtures/en-wrong-type.yaml", ACCOUNT.format(name="Pat").replace('shipping_cost: "1.00"', "shipping_cost: lots"))
    fixtures = sandbox.engine().fixtures
    assert "field email: Field required" in str(fixtures.errors["en-missing"])
    assert "field created_at: Field required" in str(fixtures.errors["en-missing"])
    assert "field orders.0.shipping_cost" in str(fixtures.errors["en-wrong-type"])


def test_a_100_kb_name_renders_and_the_size_rule_reports_it(sandbox, tally):
    tally.input()
    sandbox.write("fixtures/en-huge-name.yaml", ACCOUNT.format(name="Pat " + "A" * 100_000))
    result = sandbox.check("order_confirmation[en-huge-name]")
    assert result.status == "failed"
    assert any(f.rule == "size" and "clip" in f.message.lower() for f in result.findings), result.explain()


def test_duplicate_account_ids_differing_in_case_are_refused(sandbox, tally):
    tally.input()
    sandbox.write("fixtures/EN-ONE-ORDER.yaml", (sandbox.root / "fixtures/en-one-order.yaml").read_text())
    errors = sandbox.engine().fixtures.errors
    assert "same fixture id as" in str(errors.get("en-one-order") or errors.get("EN-ONE-ORDER"))


@pytest.mark.parametrize("name", ["a b;rm -rf", "x[y]", "ünïcode"])
def test_unsafe_fixture_file_names_are_refused(sandbox, tally, name):
    """A configuration error before any case runs: the id would name a snapshot folder."""
    tally.input()
    sandbox.write(f"fixtures/{name}.yaml", ACCOUNT.format(name="Pat"))
    with pytest.raises(ConfigError, match="a fixture's id is its file name, which may hold letters, digits"):
        sandbox.engine()


_names = st.text(min_size=1, max_size=80)
#: What a fixture value may not hold: control characters other than tab and line breaks, and
#: lone surrogates (the README: "control characters and surrogates in values").
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_names, line1=_names)
@example(name="Pat\x00Null", line1="1 Way")
@example(name="Pat", line1="1 Way\x1b[31m")
@example(name="Pat\ud800", line1="1 Way")
@example(name="<b>Pat</b> {{ 7*7 }}", line1="\t1 Way\n2nd floor")
def test_generated_values_render_escaped_or_fail_with_a_schema_message(bundled, tally, tmp_path_factory, name, line1):
    """Any text at all, as a name and an address line: it renders with no element of its own
    (escaped), or, when it holds a control character or a lone surrogate, the fixture is refused
    with a message naming the field, the character and its position. Never a crash, never
    executed, never a printable value refused."""
    tally.input()
    base = bundled.fixtures.fixtures["en-one-order"]
    data = base.data.model_dump(mode="json")
    data = {**data, "name": name, "address": {**data["address"], "line1": line1}}
    data.pop("id")
    path = tmp_path_factory.mktemp("hostile") / "en-generated.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=False), encoding="utf-8")
    # Fields in the order the loader checks them (safe_dump sorts keys: address before name).
    refused = [(field, bad) for field, value in (("address.line1", line1), ("name", name)) if (bad := _REFUSED.search(value))]
    try:
        fixture = load_fixture(path, Account)
    except FixtureError as exc:
        message = str(exc)
        assert refused, f"a printable value was refused: {message}"
        assert message.startswith(str(path)), message
        field, bad = refused[0]
        named = f"field {field}: contains U+{ord(bad.group()):04X} at position {bad.start()};"
        surrogate = "\ud800" <= bad.group() <= "\udfff"
        assert named in message or (surrogate and "invalid YAML" in message), message
        return
    assert not refused, f"{refused[0][1].group()!r} in {refused[0][0]} got through"
    email = bundled.renderer.render(bundled.catalog.templates["order_confirmation"], fixture)
    doc = BeautifulSoup(email.html, "lxml")
    assert not doc.find("script") and not doc.select("[onerror], [onload]")
    address = doc.select_one("[data-field=address]")
    # The value made no element: only the template's line breaks and the bdi filter's isolating span.
    made = [(tag.name, dict(tag.attrs)) for tag in address.find_all(True)]
    assert all(m in (("br", {}), ("span", {"dir": "auto"})) for m in made), made
    assert [m for m in made if m[0] == "span"] == [("span", {"dir": "auto"})]


# -- templates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("injection", "expected"),
    [
        ("{{ ''.__class__.__mro__ }}", "refused by the sandbox"),
        ("{{ cycler.__init__.__globals__ }}", "refused by the sandbox"),
        ("{{ account.__class__.__init__ }}", "refused by the sandbox"),
        ("{{ self._TemplateReference__context }}", "refused by the sandbox"),
        ("{{ account.orders.append(1) }}", "refused by the sandbox"),
        ("{{ ().__class__.__base__.__subclasses__() }}", "refused by the sandbox"),
    ],
)
def test_template_injection_is_refused_by_the_sandbox(sandbox, tally, injection, expected):
    tally.input()
    sandbox.edit("templates/welcome.mjml", "<h1>{{ t.heading }}</h1>", f"<h1>{injection}</h1>")
    run_goes_on(sandbox, "welcome[en-new-account]", expected)


HEADING = "<mj-text><h1>{{ t.heading }}</h1>"


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("<mj-text><h1>{{ 'x' * 10**9 }}</h1>", "a render may produce at most"),
        ("<mj-text><h1>{{ 2 ** 10000000 }}</h1>", "too large for a template"),
        ("<mj-text>{% for i in range(100000) %}{{ 'padding text ' * 3 }}{% endfor %}", "the limit is"),
        ("<mj-text>{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "endless recursion"),
        ('<mj-text>{% include "../pyproject.toml" %}', "not found in the catalog"),
        ("<mj-fancy-button>Buy</mj-fancy-button>" + HEADING, "unknown MJML tag <mj-fancy-button>"),
        ("<mj-text <h1>{{ t.heading }}</h1>", "rejected the MJML"),
        ("<mj-text>{% if %}", "Jinja syntax error"),
    ],
)
def test_broken_templates_fail_their_cases_with_a_message(sandbox, tally, new, expected):
    tally.input()
    sandbox.edit("templates/welcome.mjml", HEADING, new)
    run_goes_on(sandbox, "welcome[en-new-account]", expected)


def test_an_endless_loop_is_stopped_by_the_time_limit(sandbox, tally):
    tally.input()
    sandbox.edit("templates/welcome.mjml", "<h1>{{ t.heading }}</h1>",
                 "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    engine = sandbox.engine()
    engine.renderer.time_limit = 1.0
    result = engine.check(Case("welcome", "en-new-account"))
    assert result.status == "error" and "took longer than 1 s" in result.error
    assert engine.check(Case("refund", "de-refunded")).ok  # the run goes on


def test_symlinks_out_of_the_catalog_are_refused(sandbox, tally):
    tally.input(2)
    secret = sandbox.write("secret.txt", "TOP SECRET")
    os.symlink(secret, sandbox.root / "templates/_partials/evil.mjml")
    sandbox.edit("templates/welcome.mjml", "<h1>{{ t.heading }}</h1>", '<h1>{% include "_partials/evil.mjml" %}</h1>')
    run_goes_on(sandbox, "welcome[en-new-account]", "resolves outside the catalog")
    os.symlink(secret, sandbox.root / "templates/leak.mjml")
    assert "resolves outside the catalog" in str(sandbox.engine().catalog.errors["leak"])


# -- files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "content", "expected"),
    [
        ("fixtures/en-empty.yaml", b"", "expected a mapping of fields"),
        ("fixtures/en-binary.yaml", bytes(range(256)) * 4, "not UTF-8"),
        ("fixtures/en-junk.yaml", b"name: [unclosed\n  : : :", "invalid YAML"),
        ("templates/empty.yaml", b"", "field subject: Field required"),
        ("templates/welcome.yaml", b"\xff\xfe\x00junk", "not UTF-8"),
    ],
)
def test_broken_files_are_named(sandbox, tally, relative, content, expected):
    tally.input()
    if relative == "templates/empty.yaml":
        sandbox.write("templates/empty.mjml", "<mjml><mj-body></mj-body></mjml>")
    sandbox.write(relative, content)
    engine = sandbox.engine()
    errors = {**engine.fixtures.errors, **engine.catalog.errors}
    name = relative.split("/")[1].removesuffix(".yaml")
    assert expected in str(errors[name]) and relative.split("/")[1] in str(errors[name])


# -- snapshots ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "damage", "expected"),
    [
        ("desktop.png", lambda b: b[: len(b) // 2], "does not match its manifest"),
        ("body.txt", lambda b: b + b"\xff\xfe", "does not match its manifest"),
        ("manifest.json", lambda b: b"{not json", "does not parse"),
        ("manifest.json", lambda b: b.replace(b'"parts"', b'"prats"'), "does not parse"),
    ],
)
def test_damaged_snapshots_are_errors_never_trusted_or_overwritten(sandbox, tally, part, damage, expected):
    tally.input()
    path = sandbox.root / "snapshots/refund/de-refunded" / part
    path.write_bytes(damage(path.read_bytes()))
    damaged = path.read_bytes()
    engine = sandbox.engine(update=True)
    result = engine.check(Case("refund", "de-refunded"))
    engine.flush()
    assert result.status == "error" and expected in result.error and "git checkout" in result.error
    assert path.read_bytes() == damaged  # --update does not paper over it


def test_a_read_only_snapshot_folder_gives_a_message_and_loses_nothing(sandbox, tally, monkeypatch):
    """As root, chmod does not stop writes, so the refusal the OS would give is simulated."""
    tally.input()
    sandbox.edit("templates/refund.yaml", "bis zu 5 Werktage", "bis zu 7 Werktage")
    before = (sandbox.root / "snapshots/refund/de-refunded/body.txt").read_bytes()
    engine = sandbox.engine(update=True)
    engine.check(Case("refund", "de-refunded"))

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(HarnessError, match="cannot write \\(Permission denied\\); the file is unchanged"):
        engine.flush()
    monkeypatch.undo()
    assert (sandbox.root / "snapshots/refund/de-refunded/body.txt").read_bytes() == before
    assert sandbox.check("refund[de-refunded]").status == "changed"
