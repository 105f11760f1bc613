"""The mjml-js engine (JavaScript mjml through one Node process) and the reader-visible gap between
it and the default engine. Needs Node.js and the package `make setup` installs into
.cache/mjml-js; skipped, saying so, where either is missing."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cases import Case
from harness.cli import app
from harness.engine import Engine
from harness.project import Project
from harness.render.engine_gap import reader_differences
from harness.render.mjml_engines import MrmlEngine, mjml_engines

REPO = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO / ".cache/mjml-js/node_modules"
needs_node = pytest.mark.skipif(
    not (NODE_MODULES / "mjml").is_dir() or not shutil.which("node"), reason="no Node.js or no JavaScript mjml (make setup installs it)"
)


@pytest.fixture
def js_sandbox(sandbox):
    (sandbox.root / "node_modules").symlink_to(NODE_MODULES)
    return sandbox


@needs_node
def test_one_node_process_renders_every_case_of_a_run(js_sandbox):
    js_sandbox.edit("pyproject.toml", 'plugins = ["shop"]', 'plugins = ["shop"]\nmjml_engine = "mjml-js"')
    with Engine(js_sandbox.project, screenshots=False) as engine:
        first = engine.render(Case("refund", "de-refunded"))
        pid = engine.renderer.engine._process.pid
        second = engine.render(Case("welcome", "en-new-account"))
        assert engine.renderer.engine._process.pid == pid
    assert "Wir haben Ihnen den Betrag erstattet" in first.text and "Welcome to Northwind Shop" in second.text


@needs_node
def test_includes_render_the_same_whatever_folder_the_run_starts_in(js_sandbox, tmp_path, monkeypatch):
    js_sandbox.write("templates/_partials/note.mjml", "<mj-text><p>Included for {{ account.first_name }}</p></mj-text>")
    js_sandbox.edit("templates/welcome.mjml", "{% block content %}", '{% block content %}\n<mj-section><mj-column><mj-include path="_partials/note.mjml" /></mj-column></mj-section>')
    js_sandbox.edit("pyproject.toml", 'plugins = ["shop"]', 'plugins = ["shop"]\nmjml_engine = "mjml-js"')
    monkeypatch.chdir(tmp_path)  # not the project folder
    with Engine(Project.load(js_sandbox.root), screenshots=False) as engine:
        assert "Included for Fatima" in engine.render(Case("welcome", "en-new-account")).text


@needs_node
def test_the_bundled_catalog_reads_the_same_in_both_engines(js_sandbox, monkeypatch):
    monkeypatch.chdir(js_sandbox.root)
    result = CliRunner().invoke(app, ["compare-engines"])
    assert result.exit_code == 0, result.output
    assert "48 MJML case(s) compared with mjml-js: 0 would read differently" in result.output


@mjml_engines.register("test-alt-dropping")
class AltDropping(MrmlEngine):
    """An engine that loses alt texts, as engines have: what compare-engines exists to catch."""

    name = "test-alt-dropping"

    def render(self, mjml: str) -> str:
        return re.sub(r'\salt="[^"]*"', "", super().render(mjml))


def test_a_difference_a_reader_would_notice_is_reported(sandbox, monkeypatch):
    monkeypatch.chdir(sandbox.root)
    result = CliRunner().invoke(app, ["compare-engines", "--with", "test-alt-dropping", "--only", "welcome[en-new-account]"])
    assert result.exit_code == 1, result.output
    assert "image alt texts: -https://cdn.shop.example.com/img/logo.png: 'Northwind Shop'; +https://cdn.shop.example.com/img/logo.png: None" in result.output
    assert "text: -Northwind Shop <https://shop.example.com>; +<https://shop.example.com>" in result.output


def test_reader_differences_ignore_layout_and_see_text_links_and_alts():
    same = reader_differences("<table><tr><td>Hi  there</td></tr></table>", "<div><p>Hi there</p></div>")
    assert same == []
    found = reader_differences('<p>Hi <a href="https://a.example">x</a><img src="i.png" alt=""></p>', '<p>Hi! <a href="https://b.example">x</a><img src="i.png"></p>')
    assert [line.split(":")[0] for line in found] == ["text", "links", "image alt texts"]


@needs_node
def test_a_missing_node_package_is_a_clear_error(sandbox, monkeypatch):
    sandbox.edit("pyproject.toml", 'plugins = ["shop"]', 'plugins = ["shop"]\nmjml_engine = "mjml-js"')
    monkeypatch.setenv("NODE_PATH", "")
    os.environ.pop("NODE_PATH")
    result = sandbox.check("refund[de-refunded]")
    assert result.status == "error" and "npm install mjml" in result.error
