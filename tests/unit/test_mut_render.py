"""The render and screenshot stages, pinned where mutation testing found them loose: what a PNG
may be before it is decoded (``harness.screenshots.compare``), ``<mj-include>``
(``harness.render.includes``), the pipeline's messages (``harness.render.pipeline``), plugin
loading (``harness.plugins``) and the translation check's wording (``harness.catalog.strings``).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from PIL import Image

from harness.errors import ConfigError, SnapshotError, TemplateError
from harness.render.pipeline import Renderer
from harness.render.renderers import RenderOutput
from harness.screenshots.compare import MAX_PIXELS, compare_png, decode_png, png_size

from .build import fixture


def png_header(width: int, height: int) -> bytes:
    """The first 33 bytes of a PNG: signature and IHDR chunk, no pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))


def png(width: int, height: int, colour: tuple[int, int, int] = (255, 255, 255)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


# -- what a PNG may be before it is decoded (harness.screenshots.compare) -------------------------

def test_the_size_is_read_from_the_header_alone_big_endian():
    assert png_size(png_header(600, 2000)[:24]) == (600, 2000)  # 24 bytes hold it
    assert png_size(png_header(600, 2000)[:23]) is None
    assert png_size(b"GIF89a" + bytes(30)) is None
    assert png_size(b"not a png:) " + b"IHDR" + bytes(16)) is None  # the chunk name alone is not a PNG


@pytest.mark.parametrize(("width", "height"), [(0, 10), (10, 0), (10_000, 5_001), (2**24 + 1, 3), (3, 2**24 + 1)])
def test_a_png_that_is_empty_or_over_fifty_million_pixels_is_refused_before_decoding(width, height):
    with pytest.raises(SnapshotError) as refused:
        decode_png(png_header(width, height), "desktop.png")
    assert str(refused.value) == (f"desktop.png: a PNG of {width:,} x {height:,} pixels; the limit is 50,000,000 pixels, "
                                  "far beyond any email's screenshot. Was the file replaced?")


def test_fifty_million_pixels_is_the_limit_itself_and_a_single_pixel_is_an_image():
    assert MAX_PIXELS == 10_000 * 5_000
    with pytest.raises(SnapshotError, match=r"^desktop\.png: not a readable PNG \("):  # not refused for its size
        decode_png(png_header(10_000, 5_000), "desktop.png")
    assert decode_png(png(1, 1), "desktop.png").size == (1, 1)


def test_other_bytes_are_not_a_png_whatever_they_hold():
    for data in (b"GIF89a" + bytes(30), b"not a png:) " + b"IHDR" + bytes(16)):
        with pytest.raises(SnapshotError, match=r"^desktop\.png: not a readable PNG \(no PNG header\)$"):
            decode_png(data, "desktop.png")


def test_identical_bytes_are_no_change_even_when_they_are_not_a_png():
    diff = compare_png(b"same", b"same")
    assert (diff.changed_pixels, diff.total_pixels, diff.approved_size, diff.received_size) == (0, 0, (0, 0), (0, 0))
    assert diff.describe() == "0 of 0 pixels differ (0.00%)"


# -- the translation check's wording (harness.catalog.strings) ----------------------------------

ORDER = '\nmsgid "Your order"\nmsgstr "Ihre Bestellung"\n'
HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'


def translation_problems(tmp_path, page: str, de_catalog: str | None) -> str:
    """What the check says about template ``welcome`` (locales en and de; en is the source)."""
    from harness.catalog import load_catalog
    from harness.catalog.strings import missing_translations
    from harness.render.jinja import new_environment
    from harness.render.translations import TranslationSet

    root = tmp_path / "templates"
    root.mkdir()
    (root / "welcome.yaml").write_text("subject: Welcome\nlocales: [en, de]\n")
    (root / "welcome.html").write_text(page)
    (tmp_path / "locale").mkdir()
    if de_catalog is not None:
        (tmp_path / "locale/de/LC_MESSAGES").mkdir(parents=True)
        (tmp_path / "locale/de/LC_MESSAGES/messages.po").write_text(de_catalog)
    found = missing_translations(load_catalog(root), new_environment(root), TranslationSet(tmp_path / "locale"))
    return str(found.get("welcome", "")).replace(str(tmp_path), "")


@pytest.mark.parametrize(("catalog", "fix"), [
    ("#, fuzzy\n" + HEADER + ORDER, "remove the fuzzy flag from the header once the translation is reviewed"),
    (ORDER, 'add one: msgid "" then msgstr "Content-Type: text/plain; charset=UTF-8\\n"'),
])
def test_a_skipped_catalog_names_the_fix_for_its_header(tmp_path, catalog, fix):
    assert translation_problems(tmp_path, "{{ _('Your order') }}", catalog).endswith(
        f"sends 'de' in the source text; {fix}, or set use_fuzzy = true under [tool.email-harness] "
        "if production runs pybabel compile --use-fuzzy")


@pytest.mark.parametrize(("count", "shown"), [(5, "'m0', 'm1', 'm2', 'm3', 'm4'"), (6, "'m0', 'm1', 'm2', 'm3', 'm4' ...")])
def test_a_locale_without_a_catalog_lists_five_messages_then_dots(tmp_path, count, shown):
    page = "".join(f"{{{{ _('m{i}') }}}}" for i in range(count))
    assert translation_problems(tmp_path, page, None) == (
        f"/templates/welcome.yaml: locale 'de' has no translation for {shown} in /locale/de/LC_MESSAGES/messages.po (no catalog there)")


# -- a team renderer in the pipeline (harness.render.pipeline) -----------------------------------

NOW = datetime(2026, 11, 1, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def team_catalog(tmp_path) -> Iterator[Callable[[Any], Any]]:
    """Registers a class as renderer ``handlebars`` and returns the catalog holding ``receipt.hbs``
    (the registry restored afterwards)."""
    from harness.catalog import load_catalog
    from harness.render.renderers import renderers

    saved = dict(renderers._items), dict(renderers.origins)
    root = tmp_path / "templates"
    root.mkdir()
    (root / "receipt.hbs").write_text("{{#each account.orders}}<p>{{number}} {{sku}}</p>{{/each}}")
    (root / "receipt.yaml").write_text("subject: Receipt\n")

    def register(cls: Any) -> Any:
        renderers.register("handlebars")(cls)
        return load_catalog(root)

    yield register
    renderers._items, renderers.origins = saved


class Handlebars:
    """What a Handlebars renderer does with the context: a loop item's key is read from the item only."""

    extensions = (".hbs",)
    lookup = "path"

    def render(self, request: Any) -> RenderOutput:
        return RenderOutput(html="".join(f"<p>{o['number']} {o['sku']}</p>" for o in request.context["account"]["orders"]))


def test_a_path_lookup_renderer_records_a_key_a_loop_item_lacks_and_is_timed_as_templating(team_catalog):
    from harness.render.recording import MissingValue
    from harness.timing import Stopwatch

    catalog = team_catalog(Handlebars)
    watch = Stopwatch()
    mail = Renderer(catalog, None, now=NOW, stopwatch=watch).render(catalog.templates["receipt"], fixture(orders=[{"number": "NW-1"}]))
    assert (mail.html, mail.missing_values) == ("<p>NW-1 </p>", (MissingValue("account.orders[0].sku"),))
    assert set(watch.calls) == {"jinja"}  # the templating stage, whoever templates


def test_a_template_file_changed_to_non_utf8_after_loading_is_an_error_of_the_case(team_catalog):
    catalog = team_catalog(Handlebars)
    source = catalog.root / "receipt.hbs"
    source.write_bytes(b"Hi \xff")
    with pytest.raises(TemplateError) as error:
        Renderer(catalog, None, now=NOW).render(catalog.templates["receipt"], fixture(orders=[]))
    assert str(error.value) == f"{source}:1: not UTF-8 (byte 3); save the file as UTF-8"


def handlebars_function(request: Any) -> RenderOutput:
    return RenderOutput(html="")


handlebars_function.extensions = (".hbs",)  # type: ignore[attr-defined]


class NoRender:
    extensions = (".hbs",)


@pytest.mark.parametrize(("registered", "message"), [
    (handlebars_function, f"renderer 'handlebars' is a function, registered by module {__name__}; "
                          "expected a class with extensions = ('.ext',) and render(self, request) -> RenderOutput"),
    (NoRender, f"renderer 'handlebars' (module {__name__}) has no render(self, request) method"),
])
def test_a_renderer_that_is_no_renderer_class_stops_the_run_naming_its_module(team_catalog, registered, message):
    catalog = team_catalog(registered)
    with pytest.raises(ConfigError) as error:
        Renderer(catalog, None, now=NOW)
    assert str(error.value) == message


# -- <mj-include> of a whole document (harness.render.includes) ---------------------------------

def include(tmp_path, partial: str) -> str:
    """The MJML an engine gets for ``<mj-include path="doc.mjml" />`` with ``doc.mjml`` holding ``partial``."""
    from harness.render.includes import expand_includes

    (tmp_path / "doc.mjml").write_text(partial)
    return expand_includes('<mj-include path="doc.mjml" />', tmp_path, lambda path: (tmp_path / path).read_text())


def test_a_file_that_starts_with_its_body_contributes_what_the_body_holds(tmp_path):
    assert include(tmp_path, "<mj-body><mj-text>Body</mj-text></mj-body>") == "<mj-text>Body</mj-text>"


def test_two_bodies_give_everything_from_the_first_opening_to_the_last_closing_tag(tmp_path):
    partial = "<mj-body a='1'><mj-text>one</mj-text></mj-body><mj-body a='2'><mj-text>two</mj-text></mj-body>"
    assert include(tmp_path, partial) == "<mj-text>one</mj-text></mj-body><mj-body a='2'><mj-text>two</mj-text>"


def test_a_file_cut_off_inside_a_body_tag_is_included_as_it_is(tmp_path):
    assert include(tmp_path, "<mj-text>x</mj-text><mj-body") == "<mj-text>x</mj-text><mj-body"


@pytest.mark.parametrize("path", ["./doc.mjml", ".//doc.mjml", "././doc.mjml"])
def test_a_path_starting_with_dot_slashes_is_the_catalog_relative_path(tmp_path, path):
    from harness.render.includes import expand_includes

    (tmp_path / "doc.mjml").write_text("<mj-text>x</mj-text>")
    loaded: list[str] = []
    assert expand_includes(f'<mj-include path="{path}" />', tmp_path, lambda p: loaded.append(p) or "<mj-text>x</mj-text>") == "<mj-text>x</mj-text>"
    assert loaded == ["doc.mjml"]


# -- settings naming an object (harness.plugins.import_object) -----------------------------------

@pytest.mark.parametrize(("spec", "why"), [
    ("harness:renderers:extra", "module harness has no 'renderers:extra'"),  # the module is what precedes the first colon
    ("no_such_module_q:Model", "no module named 'no_such_module_q' importable from the project root"),
])
def test_a_setting_naming_an_object_that_cannot_be_imported_says_which_setting_and_why(spec, why):
    from harness.plugins import import_object

    with pytest.raises(ConfigError) as error:
        import_object(spec, "fixture_model")
    assert str(error.value) == f"[tool.email-harness] fixture_model = {spec!r}: {why}"


# -- plugin loading and name checks (harness.plugins) --------------------------------------------

def test_the_project_root_goes_first_on_the_import_path_once_and_only_when_modules_are_named(tmp_path, monkeypatch):
    import sys

    from harness.plugins import load_plugins

    monkeypatch.setattr(sys, "path", ["/elsewhere", *sys.path])
    load_plugins(tmp_path, [])
    assert str(tmp_path) not in sys.path
    (tmp_path / "acme_emails_mut_d.py").write_text("")
    load_plugins(tmp_path, ["acme_emails_mut_d"])
    assert sys.path[0] == str(tmp_path)  # the project's modules win over installed ones of that name
    load_plugins(tmp_path, ["acme_emails_mut_d"])
    assert sys.path.count(str(tmp_path)) == 1


def test_unknown_renderers_are_named_where_they_are_set_and_a_conftest_in_any_encoding_is_read(tmp_path):
    from harness.catalog import load_catalog
    from harness.plugins import check_names

    root = tmp_path / "templates"
    root.mkdir()
    (root / "_catalog.yaml").write_text("renderer: nope\nrequires: [no_such_guard_mut_d]\n")
    (root / "receipt.yaml").write_text("subject: R\nrenderer: nope\n")
    (root / "receipt.html").write_text("<p>x</p>")
    (root / "plain.html").write_text("<p>y</p>")  # no metadata: its renderer comes from _catalog.yaml
    (tmp_path / "conftest.py").write_bytes(b'# caf\xe9 (Latin-1)\n@guards.register("no_such_guard_mut_d")\n')
    with pytest.raises(ConfigError) as error:
        check_names(load_catalog(root))
    lines = str(error.value).splitlines()
    assert lines[0].startswith(f"{root / '_catalog.yaml'}: requires: unknown send guard 'no_such_guard_mut_d' "
                               f"(it is in {tmp_path / 'conftest.py'}, which 'email-harness run' does not read); known: ")
    assert lines[1:] == [f"{root / '_catalog.yaml'}: renderer: unknown renderer 'nope'; known: html, mjml",
                         f"{root / 'receipt.yaml'}: renderer: unknown renderer 'nope'; known: html, mjml",
                         "  register it in a module listed under [tool.email-harness] plugins, or fix the name"]


# -- what a team renderer is told, and which t.KEY uses count ------------------------------------

def test_a_render_request_prints_which_case_not_the_whole_source():
    from pathlib import Path

    from harness.render.renderers import RenderRequest

    from .build import template

    request = RenderRequest(template(), fixture(), {"b": 1, "a": 2}, "en", "x" * 12, Path("/srv/shop/templates"))
    assert repr(request) == ("RenderRequest(template=Template(name='t', file='t.mjml', renderer='mjml', language='jinja'), "
                             "fixture=Fixture(id='en-ada', locale='en', file='fixtures/en-ada.yaml'), locale='en', "
                             "source=<12 characters>, context keys=['a', 'b'])")


def test_only_attributes_of_t_are_string_keys(tmp_path):
    from harness.catalog import load_catalog
    from harness.catalog.strings import missing_translations
    from harness.render.jinja import new_environment
    from harness.render.translations import TranslationSet

    root = tmp_path / "templates"
    root.mkdir()
    (root / "welcome.html").write_text("<p>{{ t.heading }} {{ account.name }} {{ account.profile.city }} {{ account['email'] }}</p>")
    (root / "welcome.yaml").write_text("subject: Welcome\nlocales: [en]\nstrings: {en: {heading: Hi}}\n")
    assert missing_translations(load_catalog(root), new_environment(root), TranslationSet(None)) == {}


def test_an_include_without_a_path_past_the_depth_limit_says_so(tmp_path):
    from harness.errors import MjmlError
    from harness.render.includes import MAX_INCLUDE_DEPTH, expand_includes

    for depth in range(MAX_INCLUDE_DEPTH - 1):
        (tmp_path / f"p{depth}.mjml").write_text(f'<mj-include path="p{depth + 1}.mjml" />')
    (tmp_path / f"p{MAX_INCLUDE_DEPTH - 1}.mjml").write_text("<mj-include />")  # the eleventh level, without a path
    with pytest.raises(MjmlError) as error:
        expand_includes('<mj-include path="p0.mjml" />', tmp_path, lambda path: (tmp_path / path).read_text())
    assert str(error.value) == "<mj-include path=''>: includes nested more than 10 deep (one includes itself?)"


# -- reusing approved screenshots (harness.screenshots.stage) ------------------------------------

class StillCamera:
    """Stands for the browser: every shot is one white PNG; counts the pages it was asked to shoot."""

    def __init__(self) -> None:
        from harness.screenshots.browser import Fingerprint
        from harness.timing import Stopwatch

        self.fingerprint = Fingerprint("Chromium 156.0.8078.114", ("--headless",), "fonts-a")
        self.stopwatch = Stopwatch()
        self.shot = 0

    def shoot(self, html, viewports, *, mask=(), accessibility=False, rtl=False):
        from harness.screenshots.camera import Shots

        self.shot += 1
        return Shots({v.name: png(10, 10) for v in viewports}, page={v.name: {"measured": "now"} for v in viewports})


def test_a_right_to_left_case_reuses_its_pngs_with_what_the_page_measured_then():
    from harness.catalog import ScreenshotSettings
    from harness.screenshots.probes import VERSION
    from harness.screenshots.stage import screenshot_case

    camera = StillCamera()
    approved = {"html": "h1", "fingerprint": camera.fingerprint.to_json(), "viewports": ["desktop"], "mask": [], "probes": VERSION,
                "rtl": True, "page": {"desktop": {"measured": "then"}}}
    outcome = screenshot_case(camera, ScreenshotSettings(viewports=["desktop"]), "<html></html>", "h1", {"desktop.png": png(10, 10)},
                              approved, accessibility=False, rtl=True)
    assert (outcome.reused, camera.shot, outcome.page) == (True, 0, {"desktop": {"measured": "then"}})
    assert (outcome.manifest["rtl"], outcome.manifest["page"]) == (True, {"desktop": {"measured": "then"}})


def test_the_viewports_asked_for_win_over_the_templates_settings():
    from harness.catalog import ScreenshotSettings
    from harness.screenshots.stage import screenshot_case
    from harness.screenshots.viewports import viewport

    outcome = screenshot_case(StillCamera(), ScreenshotSettings(viewports=["desktop"]), "<html></html>", "h1", {}, None,
                              accessibility=False, viewports=(viewport("mobile"),))
    assert list(outcome.pngs) == ["mobile.png"] and outcome.manifest["viewports"] == ["mobile"]


# -- a compiled catalog gettext cannot load (harness.render.translations) -------------------------

def broken_mo(folder, old: bytes, new: bytes):
    """``de/LC_MESSAGES/messages.mo`` in ``folder``, compiled by Babel, with ``old`` bytes
    replaced by ``new`` of the same length (so the offsets still hold)."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    assert len(old) == len(new)
    messages = Catalog(locale="de", charset="utf-8")
    messages.add("Your order", "Ihre Bestellung")
    compiled = io.BytesIO()
    write_mo(compiled, messages)
    mo = folder / "de" / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True)
    mo.write_bytes(compiled.getvalue().replace(old, new))
    return mo


@pytest.mark.parametrize(("old", "new", "why"), [
    (b"charset=utf-8", b"charset=zzz-9", "unknown encoding: zzz-9 (the Content-Type header's charset); use charset=UTF-8"),
    (b"Ihre Bestellung", b"Ihre Bestell\xffng", "'utf-8' codec can't decode byte 0xff in position 12: invalid start byte"),
])
def test_a_mo_file_gettext_cannot_decode_is_a_config_error_naming_it(tmp_path, old, new, why):
    from harness.render.translations import TranslationSet

    mo = broken_mo(tmp_path, old, new)
    with pytest.raises(ConfigError) as error:
        TranslationSet(tmp_path).catalog("de")
    assert str(error.value) == f"{mo}: gettext cannot load the catalog: {why}"


def test_a_plugin_without_a_module_is_registered_with_no_origin():
    from harness.registry import Registry

    def made_in_exec() -> None: ...

    made_in_exec.__module__ = None  # type: ignore[assignment]
    registry: Registry[object] = Registry("thing")
    registry.register("number")(5)  # an int has no __module__ at all
    registry.register("function")(made_in_exec)
    assert registry.origins == {"number": "", "function": ""}


# -- where a subject's error points (harness.render.pipeline) ------------------------------------

def test_a_subject_error_names_the_metadata_file_else_the_template_file(tmp_path):
    from harness.catalog import load_catalog

    root = tmp_path / "templates"
    root.mkdir()
    (root / "receipt.html").write_text("<p>x</p>")
    (root / "receipt.yaml").write_text("subject: 'Receipt {{ account.name '\n")
    (root / "_catalog.yaml").write_text("subject: 'Hello {{ account.nam }}'\n")
    (root / "plain.html").write_text("<p>y</p>")  # no metadata: the catalog's subject
    (root / "static.html").write_text("<p>{{FirstName}}</p>")
    (root / "static.yaml").write_text("subject: Hi\nlanguage: none\n")
    catalog = load_catalog(root)
    errors = {}
    (root / "static.html").write_bytes(b"<p>\xff</p>")  # changed after loading: read as it is, and refused
    for name in ("receipt", "plain", "static"):
        with pytest.raises(TemplateError) as error:
            Renderer(catalog, None, now=NOW).render(catalog.templates[name], fixture(name="Ada"))
        errors[name] = str(error.value)
    assert errors == {
        "receipt": "receipt.yaml: subject:1: Jinja syntax error: unexpected end of template, expected 'end of print statement'.",
        "plain": "plain.html: subject: undefined value: the fixture has no key 'nam' in en-ada.yaml (a typo in the template, or a key this fixture lacks)",
        "static": f"{root / 'static.html'}:1: not UTF-8 (byte 3); save the file as UTF-8",
    }


# -- one case's messages and values (harness.render.pipeline) ------------------------------------

@pytest.fixture
def guarded(tmp_path) -> Iterator[Any]:
    """A catalog with a guard that crashes, one that says no, and templates without strings,
    with a copy block and with a loop too long for the time limit; guards restored afterwards."""
    from harness.catalog import load_catalog
    from harness.guards import NotSent, guards

    saved = dict(guards._items), dict(guards.origins)

    def crashing(account: Any, now: Any) -> Any:
        raise RuntimeError("no orders table")

    guards.register("crashing_mut_d")(crashing)
    guards.register("nobody_mut_d")(lambda account, now: NotSent("nobody"))
    root = tmp_path / "templates"
    root.mkdir()
    for name, requires, body in (("crash", "[crashing_mut_d]", "<p>x</p>"), ("never", "[nobody_mut_d]", "<p>x</p>"),
                                 ("no_strings", "[]", "<p>{{ t.heading }}</p>"),
                                 ("text", "[]", "<p>x</p>"),
                                 ("slow", "[]", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")):
        (root / f"{name}.html").write_text(body)
        (root / f"{name}.yaml").write_text(f"subject: S\nlocales: [en]\nrequires: {requires}\n")
    (root / "text.txt").write_text("{{ html is none }} {{ token('unsubscribe') }}")
    yield load_catalog(root)
    guards._items, guards.origins = saved


def test_a_crashing_guard_is_an_error_naming_the_metadata_file_and_fixture(guarded):
    from harness.errors import GuardError

    with pytest.raises(GuardError) as error:
        Renderer(guarded, None, now=NOW).render(guarded.templates["crash"], fixture(name="Ada"))
    assert str(error.value).startswith(f"{guarded.root / 'crash.yaml'}, fixture en-ada: send guard 'crashing_mut_d' failed: "
                                       "RuntimeError: no orders table (")


def test_an_email_not_sent_still_names_its_template_and_fixture(guarded):
    mail = Renderer(guarded, None, now=NOW).render(guarded.templates["never"], fixture(name="Ada"))
    assert (mail.template, mail.fixture, mail.locale, mail.outcome, mail.reason) == ("never", "en-ada", "en", "not sent", "nobody")


def test_a_template_without_strings_sees_an_empty_t(guarded):
    with pytest.raises(TemplateError) as error:
        Renderer(guarded, None, now=NOW).render(guarded.templates["no_strings"], fixture(name="Ada"))
    assert str(error.value) == f"{guarded.root / 'no_strings.html'}:1: undefined value: 'dict object' has no attribute 'heading'"


def test_the_text_part_sees_no_html_and_tokens_differ_by_fixture(guarded):
    renderer = Renderer(guarded, None, now=NOW)
    ada, bob = (renderer.render(guarded.templates["text"], fixture(id, name="x")).written_text for id in ("en-ada", "en-bob"))
    assert ada.startswith("True ") and bob.startswith("True ") and ada != bob


def test_a_render_past_the_time_limit_is_stopped_naming_the_case(guarded):
    renderer = Renderer(guarded, None, now=NOW)
    renderer.time_limit = 0.2
    with pytest.raises(TemplateError) as error:
        renderer.render(guarded.templates["slow"], fixture(name="Ada"))
    assert str(error.value) == "slow[en-ada]: the render took longer than 0.2 s (an endless loop?); it was stopped"


def test_approved_copy_that_is_not_yaml_is_an_error_naming_the_file(guarded):
    (guarded.root / "_copy").mkdir()
    (guarded.root / "_copy" / "en.yaml").write_text("a: [unclosed\n")
    with pytest.raises(TemplateError, match=r"/_copy/en\.yaml:2: invalid YAML: "):
        Renderer(guarded, None, now=NOW).render(guarded.templates["text"], fixture(name="Ada"))


def test_a_renderer_registered_under_a_built_in_name_is_never_built(team_catalog):
    from harness.render.renderers import renderers

    class Unbuildable(Handlebars):
        extensions = ()  # claims no file: .mjml and .html stay the built-ins

        def __init__(self) -> None:
            raise RuntimeError("never built")

    catalog = team_catalog(Handlebars)  # a .hbs template, so a team renderer is built at start
    for name in ("page.html", "mail.mjml"):
        (catalog.root / name).write_text("<p>x</p>")
    catalog = team_catalog(Handlebars)  # reloaded with templates of both built-in renderers
    for name in ("mjml", "html"):
        renderers.register(name)(Unbuildable)
    Renderer(catalog, None, now=NOW)  # the built-in renderers render .mjml and .html themselves


def test_gettext_renders_in_the_cases_locale(tmp_path):
    from harness.catalog import load_catalog
    from harness.render.translations import TranslationSet

    root = tmp_path / "templates"
    root.mkdir()
    (root / "order.html").write_text("<p>{{ _('Your order') }}</p>")
    (root / "order.yaml").write_text("subject: S\nlocales: [en, de]\n")
    po = tmp_path / "locale" / "de" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(HEADER + ORDER)
    catalog = load_catalog(root)
    mail = Renderer(catalog, None, now=NOW, translations=TranslationSet(tmp_path / "locale")).render(catalog.templates["order"], fixture(locale="de"))
    assert mail.html == "<p>Ihre Bestellung</p>"


@pytest.mark.parametrize(("digits", "shown"), [("0000002", "0000002"), ("0" * 19 + "9", "0" * 19 + "9"), ("0" * 20 + "9", "0" * 20 + "...")])
def test_an_nplurals_of_seven_digits_or_more_is_refused_and_shown_to_twenty(tmp_path, digits, shown):
    from harness.render.translations import TranslationSet

    po = tmp_path / "de" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(HEADER.replace('charset=UTF-8\\n"\n', f'charset=UTF-8\\n"\n"Plural-Forms: nplurals={digits}; plural=(n != 1);\\n"\n') + ORDER)
    with pytest.raises(ConfigError) as error:
        TranslationSet(tmp_path).catalog("de")
    assert str(error.value).startswith(f"{po}: Plural-Forms declares nplurals={shown}; no language needs more than 6 (at most 20 are read); ")


def test_every_partial_is_checked_past_a_repeated_one_a_missing_one_and_broken_files(tmp_path):
    from harness.catalog import load_catalog
    from harness.catalog.strings import missing_translations
    from harness.render.jinja import new_environment
    from harness.render.translations import TranslationSet

    files = {"welcome.html": "{% include '_c.html' %}{% include '_missing.html' %}{% include '_a.html' %}{% include '_a.html' %}",
             "welcome.txt": "{{ _('Text part') ",  # syntax errors are reported when the case renders
             "welcome.yaml": "subject: \"{{ _('Subject') \"\nlocales: [en, de]\n",
             "_a.html": "{{ _('Shared') }}", "_c.html": "{{ _('Only in C') }}"}
    root = tmp_path / "templates"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text)
    (tmp_path / "locale").mkdir()
    found = str(missing_translations(load_catalog(root), new_environment(root), TranslationSet(tmp_path / "locale"))["welcome"])
    assert "has no translation for 'Only in C', 'Shared' in " in found


@pytest.mark.parametrize(("count", "dots"), [(5, ""), (6, " ...")])
def test_five_holes_in_a_catalog_are_listed_whole(tmp_path, count, dots):
    page = "".join(f"{{{{ _('m{i}') }}}}" for i in range(count))
    assert translation_problems(tmp_path, page, HEADER).endswith(
        f"has no translation for 'm0', 'm1', 'm2', 'm3', 'm4'{dots} in /locale/de/LC_MESSAGES/messages.po")


def test_a_right_to_left_case_is_shot_right_to_left_and_keeps_what_the_page_measured():
    from harness.catalog import ScreenshotSettings
    from harness.screenshots.stage import screenshot_case

    class Recording(StillCamera):
        def shoot(self, html, viewports, *, mask=(), accessibility=False, rtl=False):
            self.rtl = rtl
            return super().shoot(html, viewports, mask=mask, accessibility=accessibility, rtl=rtl)

    camera = Recording()
    outcome = screenshot_case(camera, ScreenshotSettings(viewports=["desktop"]), "<html></html>", "h1", {}, None, accessibility=False, rtl=True)
    assert (camera.rtl, outcome.page, outcome.manifest["rtl"]) == (True, {"desktop": {"measured": "now"}}, True)


def test_endless_recursion_in_a_template_file_names_it(guarded):
    (guarded.root / "loop.html").write_text("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}")
    from harness.catalog import load_catalog

    catalog = load_catalog(guarded.root)
    with pytest.raises(TemplateError) as error:
        Renderer(catalog, None, now=NOW).render(catalog.templates["loop"], fixture(name="Ada"))
    assert str(error.value) == "loop.html: endless recursion (a macro or include that calls itself)"


@pytest.mark.parametrize(("files", "meta", "problem"), [
    ({"welcome.mjml": "<mj-text>{{ _('Your order') }}</mj-text>"}, "locales: [en, de]", "locale 'de' has no translation for 'Your order' in the translations folder/de/LC_MESSAGES/messages.po (no catalog there)"),
    ({"welcome.html": "{{ t.heading }}"}, "locales: [en, de]", ""),  # no strings at all: the render reports the key
    ({"welcome.html": "{{ t.heading }}"}, "locales: [en, de]\nstrings: {en: {heading: Hi}}", "locale 'de' lacks string(s) heading under strings:"),
])
def test_what_the_check_reads_with_no_translations_folder(tmp_path, files, meta, problem):
    from harness.catalog import load_catalog
    from harness.catalog.strings import missing_translations
    from harness.render.jinja import new_environment
    from harness.render.translations import TranslationSet

    root = tmp_path / "templates"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text)
    (root / "welcome.yaml").write_text(f"subject: Welcome\n{meta}\n")
    found = missing_translations(load_catalog(root), new_environment(root), TranslationSet(None))
    assert str(found.get("welcome", "")) == (f"{root / 'welcome.yaml'}: {problem}" if problem else "")


# -- which files a team renderer claims (harness.render.renderers.renderer_for_extension) ----------

def test_a_renderer_without_extensions_claims_nothing_and_odd_ones_are_named(team_catalog):
    from harness.render.renderers import renderer_for_extension, renderers

    class NoExtensions:
        def render(self, request: Any) -> RenderOutput:
            return RenderOutput(html="")

    class CapitalX(NoExtensions):
        extensions = (".X",)

    class Dots(NoExtensions):
        extensions = (".",)

    team_catalog(Handlebars)  # restores the registry afterwards
    renderers.register("plain")(NoExtensions)
    renderers.register("capital")(CapitalX)
    claimed = renderer_for_extension()
    assert "plain" not in claimed.values() and claimed[".X"] == "capital"
    renderers.register("dots")(Dots)
    with pytest.raises(ConfigError) as error:
        renderer_for_extension()
    assert str(error.value) == (f"renderer 'dots' (module {__name__}): extensions = ('.',); "
                                "expected a tuple of file extensions such as ('.mustache',)")


def test_a_compiled_catalog_alone_is_checked_for_holes(tmp_path):
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    messages = Catalog(locale="de", charset="utf-8")
    messages.add("Your order", "Ihre Bestellung")
    mo = tmp_path / "locale" / "de" / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True)
    with mo.open("wb") as handle:
        write_mo(handle, messages)
    from harness.catalog import load_catalog
    from harness.catalog.strings import missing_translations
    from harness.render.jinja import new_environment
    from harness.render.translations import TranslationSet

    root = tmp_path / "templates"
    root.mkdir()
    (root / "welcome.html").write_text("{{ _('Your order') }} {{ _('Thanks') }}")
    (root / "welcome.yaml").write_text("subject: Welcome\nlocales: [en, de]\n")
    found = missing_translations(load_catalog(root), new_environment(root), TranslationSet(tmp_path / "locale"))
    assert str(found["welcome"]) == f"{root / 'welcome.yaml'}: locale 'de' has no translation for 'Thanks' in {mo}"


def test_a_mo_file_gettext_loads_but_babel_cannot_read_is_a_config_error_naming_it(tmp_path):
    """gettext never reads ``nplurals`` (it compiles ``plural=`` alone); Babel's reader, which the
    completeness check uses, parses it as a number. A broken count is the file's fault, named."""
    from harness.render.translations import TranslationSet

    mo = broken_mo(tmp_path, b"nplurals=2;", b"nplurals=x;")
    with pytest.raises(ConfigError) as error:
        TranslationSet(tmp_path).catalog("de")
    assert str(error.value) == f"{mo}: not a gettext catalog: invalid literal for int() with base 10: 'x'"
