"""The plugin API reference (``harness/api_reference.py``, ``email-harness api``) is generated from
the code, so it cannot drift: ``docs/plugin-api.md`` is its output, and a public field, property or
method a plugin receives without documentation fails here, naming it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from harness import api_reference
from harness.api_reference import api_doc, format_api, object_doc, undocumented
from harness.cli import app
from harness.fixtures import Fixture

DOC = Path(__file__).resolve().parents[2] / "docs/plugin-api.md"


def test_docs_plugin_api_is_the_generators_output():
    assert DOC.read_text(encoding="utf-8") == format_api(), "regenerate it: email-harness api > docs/plugin-api.md"


def test_every_public_member_a_plugin_receives_is_documented():
    assert undocumented() == []


@dataclass
class Receipt:
    """An object a plugin would receive."""

    #: The receipt's number.
    number: str
    total: int  # a plain comment is not documentation


def test_a_field_without_documentation_is_named(monkeypatch):
    assert [(m.name, m.doc) for m in object_doc(Receipt).members] == [("number", "The receipt's number."), ("total", "")]
    monkeypatch.setattr(api_reference, "OBJECTS", (*api_reference.OBJECTS, Receipt))
    assert undocumented() == ["Receipt.total"]


def test_every_registry_and_the_objects_the_issue_names_are_there():
    registries, objects = api_doc()
    assert [r.name for r in registries] == ["rules", "guards", "filters", "jinja_tests", "jinja_globals", "jinja_extensions",
                                            "renderers", "mjml_engines", "snapshot_kinds"]
    assert {"RenderRequest", "RuleContext", "Fixture", "Template", "RenderOutput"} <= {o.name for o in objects}
    request = next(o for o in objects if o.name == "RenderRequest")
    assert [m.name for m in request.members][:2] == ["template", "fixture"]
    template = next(o for o in objects if o.name == "Template")
    assert any(m.name == "source_path" and m.type == "Path" for m in template.members)  # what an {% extends %} renderer needs
    engines = next(r for r in registries if r.name == "mjml_engines")
    assert [(m.name, m.type) for m in engines.members] == [("name", "str"), ("render", "(mjml: str) -> str")]
    rules = next(r for r in registries if r.name == "rules")
    assert rules.plugin == "a function `(RuleContext) -> Iterable[Finding]`"


def test_the_fixture_prints_its_id_and_file_not_the_machines_folders(tmp_path):
    fixture = Fixture("en-one-order", {"email": "ada@example.org"}, "en", tmp_path / "fixtures/en-one-order.yaml")
    assert repr(fixture) == "Fixture(id='en-one-order', locale='en', file='fixtures/en-one-order.yaml')"
    assert str(tmp_path) not in repr(fixture) and dataclasses.is_dataclass(fixture)


def test_the_cli_prints_the_reference_and_what_is_registered(monkeypatch):
    monkeypatch.chdir(DOC.parents[1])
    plain = CliRunner().invoke(app, ["api"])
    assert plain.exit_code == 0 and plain.output == format_api()
    listed = CliRunner().invoke(app, ["api", "--registered"])
    assert listed.exit_code == 0 and "- registered: " in listed.output and "mjml-js, mrml" in listed.output
