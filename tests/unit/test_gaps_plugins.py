"""Where a team's code comes from and what it may claim: the plugin registry (harness/registry.py),
loading plugins (harness/plugins.py) and the renderer an extension picks
(harness/render/renderers.py). Fast: modules are written to a temporary folder, no catalog runs."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from harness import plugins
from harness.catalog.templates import CatalogSettings
from harness.errors import ConfigError
from harness.guards import guards
from harness.plugins import check_names, import_object, load_plugins, registered_in_conftest, registries
from harness.registry import Registry
from harness.render.renderers import RenderOutput, renderer_for_extension, renderers
from harness.rules import rules

from .build import plugins_forgotten, template


@pytest.fixture(autouse=True)
def registries_restored() -> Iterator[None]:
    """Every registry, ``sys.path`` and ``sys.modules`` as before the test: plugins registered
    or imported here leave no trace."""
    with plugins_forgotten():
        yield


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project root for plugin modules (forgotten after the test)."""
    return tmp_path


def registered_from(module: str, registry: Registry[Any], name: str) -> None:
    """Register a plugin as code in ``module`` would (its ``__module__`` is the origin)."""

    def plugin(ctx: Any) -> list[Any]:
        return []

    plugin.__module__ = module
    registry.register(name)(plugin)


# -- the registry ---------------------------------------------------------------------------


def test_a_registered_plugin_is_found_by_name_with_the_module_it_came_from():
    registry: Registry[Any] = Registry("widget")
    registered_from("acme_emails.harness", registry, "b-widget")
    registered_from("acme_emails.harness", registry, "a-widget")
    assert "b-widget" in registry and "c-widget" not in registry
    assert registry.get("b-widget").__module__ == "acme_emails.harness"
    assert registry.origins == {"a-widget": "acme_emails.harness", "b-widget": "acme_emails.harness"}
    assert registry.names() == list(registry) == ["a-widget", "b-widget"]
    assert [name for name, _ in registry.items()] == ["a-widget", "b-widget"]


def test_a_second_plugin_with_the_same_name_replaces_the_first():
    registry: Registry[Any] = Registry("widget")
    registered_from("harness.builtin", registry, "w")
    registered_from("acme_emails.harness", registry, "w")
    assert registry.origins["w"] == "acme_emails.harness"
    assert registry.get("w").__module__ == "acme_emails.harness"


def test_an_unknown_name_is_a_config_error_listing_the_known_ones():
    registry: Registry[Any] = Registry("widget")
    with pytest.raises(ConfigError, match=r"^unknown widget 'x'; known: none$"):
        registry.get("x")
    registered_from("m", registry, "b")
    registered_from("m", registry, "a")
    with pytest.raises(ConfigError, match=r"^unknown widget 'x'; known: a, b$"):
        registry.get("x")


@pytest.mark.parametrize("name", ["", None, 3])
def test_a_plugin_needs_a_non_empty_string_name(name):
    with pytest.raises(ConfigError, match=rf"^a widget needs a non-empty name, got {name!r}$"):
        Registry("widget").register(name)


# -- conftest.py is no source of plugins -----------------------------------------------------


@pytest.mark.parametrize("origin", ["conftest", "mypkg.conftest", "tests.unit.conftest"])
def test_a_rule_registered_in_any_conftest_is_refused(origin):
    registered_from(origin, rules, "no-lorem")
    assert registered_in_conftest() == [f"rule 'no-lorem' ({origin})"]


@pytest.mark.parametrize("origin", ["acme_emails.harness", "mypkg.conftest_helpers", "mypkg.myconftest", "conftests"])
def test_a_module_whose_name_merely_contains_conftest_is_a_plugin_like_any_other(origin):
    registered_from(origin, rules, "no-lorem")
    assert registered_in_conftest() == []


def test_every_registry_is_searched_for_conftest_plugins():
    registered_from("mypkg.conftest", guards, "paid")
    registered_from("mypkg.conftest", renderers, "mustache")
    assert registered_in_conftest() == ["send guard 'paid' (mypkg.conftest)", "renderer 'mustache' (mypkg.conftest)"]


# -- loading a project's plugin modules ------------------------------------------------------


def test_a_module_named_under_plugins_is_imported_from_the_project_root(project):
    (project / "acme_emails_p1.py").write_text(
        "from harness import rules\n\n@rules.register('no-lorem-p1')\ndef no_lorem(ctx):\n    return []\n"
    )
    load_plugins(project, ["acme_emails_p1"])
    assert rules.origins["no-lorem-p1"] == "acme_emails_p1"


@pytest.mark.parametrize("name", ["acme-emails", "acme emails", "acme_emails/harness", "acme..harness"])
def test_a_plugins_entry_that_is_not_a_module_name_is_a_config_error(project, name):
    with pytest.raises(ConfigError, match=rf"^\[tool.email-harness\] plugins: '{name}' is not a module name"):
        load_plugins(project, [name])


def test_a_missing_plugin_module_is_named(project):
    with pytest.raises(ConfigError, match=r"plugins: 'acme_nowhere_p2': no module named 'acme_nowhere_p2' importable from the project root$"):
        load_plugins(project, ["acme_nowhere_p2"])


@pytest.mark.parametrize("module, missing", [("acme_emails_p3", "chevron_p3"), ("chevron_p3_emails", "chevron_p3")])
def test_a_plugin_module_lacking_a_dependency_says_which_import_failed_and_where(project, module, missing):
    """Not "no module named ... importable from the project root": the module is there, what it
    imports is not, even where the missing name starts the module's name as a string."""
    (project / f"{module}.py").write_text(f"import {missing}\n")
    with pytest.raises(ConfigError) as caught:
        load_plugins(project, [module])
    assert str(caught.value) == (
        f"[tool.email-harness] plugins: '{module}': ModuleNotFoundError: No module named '{missing}' ({project / module}.py:1)"
    )


def test_a_missing_package_of_a_dotted_plugin_module_is_named(project):
    with pytest.raises(ConfigError, match=r"plugins: 'acme_nowhere_p9.harness': no module named 'acme_nowhere_p9' importable from the project root$"):
        load_plugins(project, ["acme_nowhere_p9.harness"])


def test_a_plugin_module_that_calls_sys_exit_is_a_config_error_not_a_green_run(project):
    (project / "acme_emails_p4.py").write_text("import sys\nsys.exit(0)\n")
    with pytest.raises(ConfigError, match=r"it called sys.exit\(0\) \(.*acme_emails_p4.py:2\); a plugin module must only register plugins"):
        load_plugins(project, ["acme_emails_p4"])


def test_a_plugin_module_with_a_syntax_error_names_the_file_and_line(project):
    (project / "acme_emails_p5.py").write_text("x = 1\ndef broken(:\n")
    with pytest.raises(ConfigError, match=r"importing it failed: SyntaxError: .* \(.*acme_emails_p5.py:2\)$"):
        load_plugins(project, ["acme_emails_p5"])


class FakeEntryPoint:
    """What ``importlib.metadata.entry_points(group=...)`` yields, for an installed package."""

    def __init__(self, name: str, value: str, load: Any) -> None:
        self.name, self.value, self.load = name, value, load


def test_installed_entry_points_load_before_the_project_modules(project, monkeypatch):
    order: list[str] = []
    monkeypatch.setattr(plugins, "entry_points", lambda group: [FakeEntryPoint("acme", "acme.harness", lambda: order.append(group))])
    (project / "acme_emails_p6.py").write_text("import harness\nharness._order_p6 = True\n")
    load_plugins(project, ["acme_emails_p6"])
    assert order == ["email_harness"]


@pytest.mark.parametrize("exc", [RuntimeError("no token"), SystemExit(3)])
def test_an_entry_point_that_fails_to_load_is_a_config_error_naming_it(project, monkeypatch, exc):
    def load() -> None:
        raise exc

    monkeypatch.setattr(plugins, "entry_points", lambda group: [FakeEntryPoint("acme", "acme.harness", load)])
    with pytest.raises(ConfigError, match=r"^entry point acme = 'acme.harness' \(group email_harness\): "):
        load_plugins(project, [])


@pytest.mark.parametrize("spec", ["acme_emails", ":Engine", "acme_emails:"])
def test_an_object_setting_needs_module_and_name(spec):
    with pytest.raises(ConfigError, match=rf"^\[tool.email-harness\] engine = '{spec}': expected 'package.module:Name'$"):
        import_object(spec, "engine")


def test_an_object_setting_names_the_missing_attribute(project):
    (project / "acme_emails_p7.py").write_text("class Engine: ...\n")
    sys.path.insert(0, str(project))
    assert import_object("acme_emails_p7:Engine", "engine").__name__ == "Engine"
    with pytest.raises(ConfigError, match=r"engine = 'acme_emails_p7:Nope': module acme_emails_p7 has no 'Nope'$"):
        import_object("acme_emails_p7:Nope", "engine")


# -- every name a catalog uses is registered -------------------------------------------------


# Guard names no other test module registers: under xdist a worker imports modules (such as
# tests/test_plugins.py, which registers 'paid_invoice') before these tests run.
def fake_catalog(root: Path, *tpls: Any, rules_: tuple[str, ...] = (), requires: tuple[str, ...] = ()) -> Any:
    """What ``check_names`` reads of a catalog: its folder, ``_catalog.yaml``'s settings (rules
    only those named, guards), its templates."""
    settings = CatalogSettings(requires=list(requires))
    settings.rules = dict.fromkeys(rules_, {})
    return SimpleNamespace(root=root, settings=settings, templates={t.name: t for t in tpls})


def test_known_guards_rules_and_renderers_pass(tmp_path):
    registered_from("acme_emails.harness", guards, "paid")
    check_names(fake_catalog(tmp_path / "templates", template(requires=["paid"], rules={"links": {}}), rules_=("links",)))


def test_an_unknown_guard_and_rule_are_one_error_naming_the_files(tmp_path):
    root = tmp_path / "templates"
    tpl = template(requires=["no_such_guard"], rules={"no-lorem": {}})
    with pytest.raises(ConfigError) as caught:
        check_names(fake_catalog(root, tpl, rules_=("spelling",)))
    lines = str(caught.value).splitlines()
    assert lines[0].startswith(f"{root / '_catalog.yaml'}: rules: unknown rule 'spelling'; known: ")
    assert lines[1].startswith("templates/t.mjml: requires: unknown send guard 'no_such_guard'; known: ")
    assert lines[2].startswith("templates/t.mjml: rules: unknown rule 'no-lorem'; known: ")
    assert lines[3] == "  register it in a module listed under [tool.email-harness] plugins, or fix the name"


def test_an_unknown_guard_after_a_known_one_is_still_reported(tmp_path):
    registered_from("acme_emails.harness", guards, "paid")
    with pytest.raises(ConfigError, match=r"requires: unknown send guard 'shipped'"):
        check_names(fake_catalog(tmp_path, template(requires=["paid", "shipped"])))


@pytest.mark.parametrize("quoted", ["'no_such_guard'", '"no_such_guard"'])
def test_a_guard_defined_in_conftest_is_pointed_at(tmp_path, quoted):
    root = tmp_path / "templates"
    root.mkdir()
    (tmp_path / "conftest.py").write_text(f"@guards.register({quoted})\ndef paid(account, now): ...\n")
    with pytest.raises(ConfigError, match=r"unknown send guard 'no_such_guard' \(it is in .*conftest.py, which 'email-harness run' does not read\)"):
        check_names(fake_catalog(root, template(requires=["no_such_guard"])))


def test_a_conftest_that_does_not_name_the_guard_is_not_blamed(tmp_path):
    root = tmp_path / "templates"
    root.mkdir()
    (tmp_path / "conftest.py").write_text("@guards.register('no_such_guard_v2')\ndef paid(account, now): ...\n")
    with pytest.raises(ConfigError) as caught:
        check_names(fake_catalog(root, template(requires=["no_such_guard"])))
    assert "conftest" not in str(caught.value)


def test_a_registered_team_renderer_is_known(tmp_path):
    renderers.register("mustache")(TeamHtml)
    tpl = template()
    object.__setattr__(tpl, "renderer", "mustache")
    check_names(fake_catalog(tmp_path, tpl))


def test_an_unknown_renderer_is_named_with_the_known_ones(tmp_path):
    tpl = template()
    object.__setattr__(tpl, "renderer", "mustache")
    with pytest.raises(ConfigError, match=r"renderer: unknown renderer 'mustache'; known: html, mjml$|known: html, mjml\n"):
        check_names(fake_catalog(tmp_path, tpl))


# -- which renderer a file extension picks ---------------------------------------------------


class TeamHtml:
    extensions = (".html",)

    def render(self, request: Any) -> RenderOutput:
        return RenderOutput(html=request.source)


def test_built_in_renderers_claim_mjml_and_html():
    assert renderer_for_extension()[".mjml"] == "mjml"
    assert renderer_for_extension()[".html"] == "html"


def test_a_team_renderer_for_html_beats_the_built_in_one():
    renderers.register("acme-html")(TeamHtml)
    claimed = renderer_for_extension()
    assert claimed[".html"] == "acme-html"
    assert claimed[".mjml"] == "mjml"


def test_an_extension_without_its_dot_is_claimed_with_one():
    class Mustache(TeamHtml):
        extensions = ("mustache", ".hbs")

    renderers.register("mustache")(Mustache)
    claimed = renderer_for_extension()
    assert claimed[".mustache"] == "mustache" and claimed[".hbs"] == "mustache"
    assert "mustache" not in claimed


@pytest.mark.parametrize("extensions", [".mustache", "hbs", ("",), (".",), (None,), None])
def test_extensions_that_are_not_a_tuple_of_extensions_are_a_config_error(extensions):
    class Odd(TeamHtml):
        pass

    Odd.extensions = extensions  # type: ignore[assignment]
    renderers.register("odd")(Odd)
    with pytest.raises(ConfigError, match=r"^renderer 'odd' \(module .*\): extensions = .*; expected a tuple of file extensions such as \('.mustache',\)$"):
        renderer_for_extension()


def test_a_list_of_extensions_is_accepted():
    class Listed(TeamHtml):
        extensions = [".mustache"]  # type: ignore[assignment]

    renderers.register("listed")(Listed)
    assert renderer_for_extension()[".mustache"] == "listed"
