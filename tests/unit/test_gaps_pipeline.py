"""One case through the render pipeline (harness/render/pipeline.py), with the built-in HTML
renderer and a team renderer: no MJML engine, no browser. What a customer would receive, or why
they receive nothing, decided for a tiny catalog written to a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from harness.catalog import load_catalog
from harness.errors import ConfigError, RenderError, TemplateError
from harness.guards import NotSent, guards
from harness.render.pipeline import Renderer
from harness.render.renderers import RenderOutput, renderers

from .build import fixture

NOW = datetime(2026, 11, 1, 9, 30, tzinfo=timezone.utc)
PAGE = "<html><body><p>Hello {{ account.name }}</p><p>{{ t.thanks }}</p></body></html>"
META = "subject: \"Receipt for {{ account.name }}\"\nlocales: [en, de]\nstrings: {en: {thanks: Thanks}, de: {thanks: Danke}}\n"


@pytest.fixture(autouse=True)
def registries_restored() -> Iterator[None]:
    saved = [(r, dict(r._items), dict(r.origins)) for r in (guards, renderers)]
    yield
    for registry, items, origins in saved:
        registry._items, registry.origins = items, origins


def catalog(tmp_path: Path, files: dict[str, str] | None = None) -> Any:
    """A catalog folder holding ``receipt.html`` and ``receipt.yaml`` (overridable) and ``files``."""
    root = tmp_path / "templates"
    root.mkdir(exist_ok=True)
    for name, text in {"receipt.html": PAGE, "receipt.yaml": META, **(files or {})}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return load_catalog(root)


def render(tmp_path: Path, files: dict[str, str] | None = None, **data: Any):
    """Template ``receipt`` rendered for a fixture with ``data`` (``name`` Ada unless given)."""
    cat = catalog(tmp_path, files)
    assert not cat.errors, cat.errors
    data.setdefault("name", "Ada")
    return Renderer(cat, None, now=NOW).render(cat.templates["receipt"], fixture(**data))  # type: ignore[arg-type]


# -- what is sent -----------------------------------------------------------------------------


def test_a_sent_email_has_its_subject_html_and_derived_text_in_the_fixtures_locale(tmp_path):
    mail = render(tmp_path, locale="de")
    assert (mail.outcome, mail.locale, mail.subject) == ("sent", "de", "Receipt for Ada")
    assert mail.html == "<html><body><p>Hello Ada</p><p>Danke</p></body></html>"
    assert mail.source == mail.html
    assert mail.written_text is None and mail.text == "Hello Ada\n\nDanke\n"


def test_a_locale_the_template_lacks_renders_in_its_first_locale(tmp_path):
    mail = render(tmp_path, locale="fr")
    assert mail.locale == "en" and "<p>Thanks</p>" in mail.html


def test_a_subject_is_one_header_line_whatever_the_data_holds(tmp_path):
    """A newline in a name must not start a second header (Bcc: ...)."""
    mail = render(tmp_path, name="Ada\r\nBcc: all@example.com\u2028  \x00x")
    assert mail.subject == "Receipt for Ada Bcc: all@example.com x"


def test_a_hand_written_text_part_is_rendered_and_ends_with_one_newline(tmp_path):
    mail = render(tmp_path, {"receipt.txt": "\n  Hello {{ account.name }}, {{ t.thanks }}.\n\n\n"})
    assert mail.written_text == "Hello Ada, Thanks.\n"
    assert mail.text == "Hello Ada, Thanks.\n"


def test_style_blocks_marked_data_inline_are_inlined_and_the_source_kept(tmp_path):
    page = '<html><head><style data-inline>p { color: #123456 }</style></head><body><p>Hi</p></body></html>'
    mail = render(tmp_path, {"receipt.html": page})
    assert "data-inline" not in mail.html
    assert mail.document.p["style"].replace(" ", "").rstrip(";") == "color:#123456"
    assert mail.source == page


def test_the_context_a_template_sees(tmp_path):
    files = {
        "_catalog.yaml": "context: {support: help@shop.example.com, invoice: from-catalog}\n",
        "receipt.yaml": "subject: Hi\nlocales: [en, ar]\nstrings: {en: {thanks: Thanks}}\nrequires: [paid]\n",
        "receipt.html": "{{ locale }} {{ dir }} {{ t.thanks }} {{ support }} {{ invoice }} {{ account.name }} {{ now.year }}",
    }
    guards.register("paid")(lambda account, now: {"invoice": "INV-7", "account": "guard value"})
    # ar: right to left; no Arabic strings, so the template's first locale's; a guard's value
    # beats the catalog's; the fixture stays 'account' whatever a guard returns.
    assert render(tmp_path, files, locale="ar").html == "ar rtl Thanks help@shop.example.com INV-7 Ada 2026"


def test_a_token_is_the_same_in_every_run_and_differs_by_purpose(tmp_path):
    files = {"receipt.html": "{{ token('unsubscribe') }} {{ token('unsubscribe') }} {{ token('track') }}"}
    first, again, other = render(tmp_path, files).html.split()
    assert first == again != other and len(first) == 24
    assert render(tmp_path, files).html.split()[0] == first


def test_a_loop_that_ran_empty_is_recorded_with_the_file_named_from_the_project_folder(tmp_path):
    files = {"receipt.html": "<ul>\n{% for card in account.cards %}<li>{{ card }}</li>{% endfor %}</ul>"}
    mail = render(tmp_path, files, cards=[])
    assert [(loop.file, loop.line, loop.expression) for loop in mail.empty_loops] == [("templates/receipt.html", 2, "account.cards")]
    assert render(tmp_path, files, cards=["GC-1"]).empty_loops == ()


def test_the_approved_copy_of_the_locale_is_in_the_context_white_space_folded(tmp_path):
    files = {"receipt.html": "<p data-copy='scam'>{{ copy.scam }}</p>", "_copy/de.yaml": "scam: |\n  Gift cards\n    are for gifts.\n"}
    assert render(tmp_path, files, locale="de").html == "<p data-copy='scam'>Gift cards are for gifts.</p>"


def test_approved_copy_that_is_not_a_mapping_is_an_error_naming_the_file(tmp_path):
    files = {"receipt.html": "{{ copy.scam }}", "_copy/en.yaml": "- Gift cards are for gifts.\n"}
    with pytest.raises(TemplateError, match=r"_copy/en.yaml: expected a mapping of copy block names to text, got list"):
        render(tmp_path, files)


def test_a_locale_that_is_no_locale_code_never_becomes_part_of_a_path(tmp_path):
    renderer = Renderer(catalog(tmp_path), None, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(TemplateError, match=r"locale '../../etc' is not a locale code such as 'en' or 'pt_BR'"):
        renderer.approved_copy("../../etc")
    assert renderer.approved_copy("en") == {}


def test_a_value_the_fixture_lacks_names_the_fixture_file(tmp_path):
    with pytest.raises(TemplateError, match=r"in en-ada.yaml \(a typo in the template, or a key this fixture lacks\)$"):
        render(tmp_path, {"receipt.html": "{{ account.nickname }}"})


def test_html_beyond_the_size_limit_is_an_error_saying_how_big_it_is(tmp_path, monkeypatch):
    monkeypatch.setattr(Renderer, "MAX_EMAIL_HTML", 60)
    assert render(tmp_path, {"receipt.html": "x" * 60}).html == "x" * 60
    with pytest.raises(TemplateError, match=r"fixture en-ada: the rendered HTML has 61 characters; the harness checks emails up to 60"):
        render(tmp_path, {"receipt.html": "x" * 61})


# -- what is not sent --------------------------------------------------------------------------


def test_a_guard_that_says_not_sent_gives_an_email_with_only_the_reason(tmp_path):
    guards.register("paid")(lambda account, now: NotSent("no paid invoice"))
    mail = render(tmp_path, {"receipt.yaml": META + "requires: [paid]\n", "receipt.html": "{{ account.missing_key }}"})
    assert (mail.outcome, mail.reason, mail.subject, mail.html, mail.text) == ("not sent", "no paid invoice", "", "", "")
    assert not mail.sent


def test_values_a_guard_adds_are_in_the_context(tmp_path):
    guards.register("paid")(lambda account, now: {"invoice": "INV-7", "now_seen": now})
    mail = render(tmp_path, {"receipt.yaml": META + "requires: [paid]\n", "receipt.html": "{{ invoice }} {{ now_seen.year }}"})
    assert mail.html == "INV-7 2026"


# -- a team's renderer -------------------------------------------------------------------------


def team(tmp_path: Path, cls: type, source: str = "Hi {{name}}") -> Any:
    """Render ``receipt.mustache`` with ``cls`` registered as renderer ``mustache``."""
    renderers.register("mustache")(cls)
    root = catalog(tmp_path, {"receipt.mustache": source}).root
    (root / "receipt.html").unlink()
    cat = load_catalog(root)
    return Renderer(cat, None, now=NOW).render(cat.templates["receipt"], fixture(name="Ada"))  # type: ignore[arg-type]


class Mustache:
    extensions = (".mustache",)

    def render(self, request: Any) -> RenderOutput:
        return RenderOutput(html=request.source.replace("{{name}}", request.context["account"].name))


def test_a_team_renderer_gets_the_source_and_context_and_the_harness_fills_the_subject(tmp_path):
    mail = team(tmp_path, Mustache)
    assert (mail.html, mail.source, mail.subject) == ("Hi Ada", "Hi Ada", "Receipt for Ada")


def test_a_team_renderers_own_subject_text_and_source_win(tmp_path):
    class Full(Mustache):
        def render(self, request: Any) -> RenderOutput:
            return RenderOutput(html="<p>Hi</p>", subject="Own\nsubject", text="Own text  \n\n", source="{{> hi}}")

    mail = team(tmp_path, Full)
    assert (mail.subject, mail.written_text, mail.source) == ("Own subject", "Own text\n", "{{> hi}}")


def test_a_team_renderers_text_wins_over_a_text_file_and_without_one_the_file_is_used(tmp_path):
    class WithText(Mustache):
        def render(self, request: Any) -> RenderOutput:
            return RenderOutput(html="<p>Hi</p>", text="From the renderer")

    renderers.register("mustache")(WithText)
    root = catalog(tmp_path, {"receipt.mustache": "Hi", "receipt.txt": "From the file"}).root
    (root / "receipt.html").unlink()
    cat = load_catalog(root)
    mail = Renderer(cat, None, now=NOW).render(cat.templates["receipt"], fixture(name="Ada"))  # type: ignore[arg-type]
    assert mail.written_text == "From the renderer\n"
    renderers.register("mustache")(Mustache)
    mail = Renderer(cat, None, now=NOW).render(cat.templates["receipt"], fixture(name="Ada"))  # type: ignore[arg-type]
    assert mail.written_text == "From the file\n"


@pytest.mark.parametrize("output, message", [
    (RenderOutput(html=b"<p>"), "returned html bytes; expected str"),  # type: ignore[arg-type]
    (RenderOutput(html="<p>", subject=3), "returned subject int; expected str or None"),  # type: ignore[arg-type]
    (RenderOutput(html="<p>", text=["a"]), "returned text list; expected str or None"),  # type: ignore[arg-type]
    (RenderOutput(html="<p>", source=b"x"), "returned source bytes; expected str or None"),  # type: ignore[arg-type]
])
def test_a_team_renderer_returning_wrong_types_is_an_error_of_the_case(tmp_path, output, message):
    class Wrong(Mustache):
        def render(self, request: Any) -> RenderOutput:
            return output

    with pytest.raises(RenderError, match=rf"^receipt.mustache: renderer 'mustache' {message}$"):
        team(tmp_path, Wrong)


def test_a_team_renderer_returning_no_render_output_is_an_error(tmp_path):
    class Plain(Mustache):
        def render(self, request: Any) -> Any:
            return "<p>Hi</p>"

    with pytest.raises(RenderError, match=r"renderer 'mustache' returned str; expected RenderOutput\(html=...\)"):
        team(tmp_path, Plain)


def test_a_lookup_other_than_stack_or_path_is_an_error(tmp_path):
    class Odd(Mustache):
        lookup = "scope"

    with pytest.raises(RenderError, match=r"renderer 'mustache': lookup = 'scope'; expected 'stack' \(Mustache\) or 'path'"):
        team(tmp_path, Odd)


def test_a_renderer_that_is_not_a_class_stops_the_run_naming_its_module(tmp_path):
    not_a_class = Mustache()
    not_a_class.__module__ = "acme_emails.harness"  # type: ignore[misc]
    with pytest.raises(ConfigError, match=r"^renderer 'mustache' is a Mustache, registered by module .*; expected a class"):
        team(tmp_path, not_a_class)  # type: ignore[arg-type]


def test_a_renderer_without_a_render_method_stops_the_run(tmp_path):
    class NoRender:
        extensions = (".mustache",)

    with pytest.raises(ConfigError, match=r"^renderer 'mustache' \(module .*\) has no render\(self, request\) method$"):
        team(tmp_path, NoRender)


def test_a_team_renderer_is_built_once_per_run(tmp_path):
    built: list[int] = []

    class Counted(Mustache):
        def __init__(self) -> None:
            built.append(1)

    renderers.register("mustache")(Counted)
    root = catalog(tmp_path, {"receipt.mustache": "Hi {{name}}"}).root
    (root / "receipt.html").unlink()
    cat = load_catalog(root)
    renderer = Renderer(cat, None, now=NOW)  # type: ignore[arg-type]
    for _ in range(3):
        renderer.render(cat.templates["receipt"], fixture(name="Ada"))
    assert built == [1]


# -- the built-in MJML renderer, with a stand-in engine ----------------------------------------


class FakeEngine:
    """An MJML engine that records the MJML it gets and answers with ``answer(mjml)``."""

    name = "fake-mjml"

    def __init__(self, answer: Any = lambda mjml: f"<html>{mjml}</html>") -> None:
        self.answer = answer
        self.seen: list[str] = []

    def render(self, mjml: str) -> Any:
        self.seen.append(mjml)
        return self.answer(mjml)


def render_mjml(tmp_path: Path, engine: FakeEngine, files: dict[str, str] | None = None, **kwargs: Any):
    files = {"receipt.mjml": '<mj-body><mj-include path="_hello.mjml" /></mj-body>', "_hello.mjml": "<mj-text>Hi {{ account.name }} {{ t.thanks }}</mj-text>", **(files or {})}
    root = catalog(tmp_path, files).root
    (root / "receipt.html").unlink()
    cat = load_catalog(root)
    assert not cat.errors, cat.errors
    renderer = Renderer(cat, engine, now=NOW, **kwargs)  # type: ignore[arg-type]
    return renderer.render(cat.templates["receipt"], fixture(name="Ada", locale="de"))


def test_the_engine_gets_flat_mjml_with_partials_rendered_in_the_cases_context(tmp_path):
    engine = FakeEngine()
    mail = render_mjml(tmp_path, engine)
    assert engine.seen == ["<mj-body><mj-text>Hi Ada Danke</mj-text></mj-body>"]
    assert mail.html == "<html><mj-body><mj-text>Hi Ada Danke</mj-text></mj-body></html>"
    assert mail.source == "<mj-body><mj-text>Hi Ada Danke</mj-text></mj-body>"


def test_each_stage_is_timed_under_its_own_name(tmp_path):
    from harness.timing import Stopwatch

    watch = Stopwatch()
    render_mjml(tmp_path, FakeEngine(), {"receipt.txt": "Hi"}, stopwatch=watch)
    assert {stage: watch.calls[stage] for stage in ("jinja", "mjml", "text")} == {"jinja": 3, "mjml": 1, "text": 1}  # body, subject, message headers
    html_watch = Stopwatch()
    (tmp_path / "html").mkdir()
    cat = catalog(tmp_path / "html")
    Renderer(cat, None, now=NOW, stopwatch=html_watch).render(cat.templates["receipt"], fixture(name="Ada"))  # type: ignore[arg-type]
    assert (html_watch.calls["jinja"], html_watch.calls["mjml"]) == (3, 1)


def test_mjml_the_engine_rejects_is_an_error_naming_the_file_and_the_engine(tmp_path):
    from harness.errors import MjmlError

    def reject(mjml: str) -> str:
        raise MjmlError("unexpected token")

    with pytest.raises(MjmlError, match=r"^receipt.mjml: fake-mjml rejected the MJML: unexpected token$"):
        render_mjml(tmp_path, FakeEngine(reject))


def test_an_engine_that_returns_no_str_is_a_plugin_failure_naming_it(tmp_path):
    from harness.boundary import PluginFailure

    with pytest.raises(PluginFailure, match=r"^receipt.mjml: MJML engine 'fake-mjml' returned bytes; expected the HTML as str$"):
        render_mjml(tmp_path, FakeEngine(lambda mjml: b"<html>"))


def test_an_include_that_leaves_the_catalog_is_an_error_of_the_case(tmp_path):
    from harness.errors import MjmlError

    with pytest.raises(MjmlError, match=r"receipt.mjml: fake-mjml rejected the MJML: <mj-include path='../x.mjml'>: outside the catalog"):
        render_mjml(tmp_path, FakeEngine(), {"receipt.mjml": '<mj-include path="../x.mjml" />'})


# -- more of what a case sees ------------------------------------------------------------------


def test_a_template_shipped_as_is_keeps_its_merge_tags_in_body_and_subject(tmp_path):
    files = {"receipt.html": "<p>Hello {{FirstName}} *|FNAME|*</p>", "receipt.yaml": "subject: Hi {{FirstName}}\nlanguage: none\n"}
    mail = render(tmp_path, files)
    assert (mail.html, mail.subject) == ("<p>Hello {{FirstName}} *|FNAME|*</p>", "Hi {{FirstName}}")


def test_gettext_is_new_style_so_placeholders_are_filled_by_gettext(tmp_path):
    mail = render(tmp_path, {"receipt.html": "{{ _('Hello %(name)s', name=account.name) }}"})
    assert mail.html == "Hello Ada"


def test_tokens_differ_between_templates_for_the_same_fixture(tmp_path):
    files = {"receipt.html": "{{ token('unsubscribe') }}", "welcome.html": "{{ token('unsubscribe') }}", "welcome.yaml": "subject: Hi\n"}
    cat = catalog(tmp_path, files)
    renderer = Renderer(cat, None, now=NOW)  # type: ignore[arg-type]
    ada = fixture(name="Ada")
    assert renderer.render(cat.templates["receipt"], ada).html != renderer.render(cat.templates["welcome"], ada).html


def test_an_empty_loop_in_the_subject_is_named_subject(tmp_path):
    meta = "subject: \"{% for c in account.cards %}{{ c }}{% endfor %}Your cards\"\nlocales: [en]\nstrings: {en: {thanks: Thanks}}\n"
    mail = render(tmp_path, {"receipt.yaml": meta}, cards=[])
    assert [loop.file for loop in mail.empty_loops] == ["subject"]


def test_a_team_renderer_gets_the_template_fixture_and_locale(tmp_path):
    class Echo(Mustache):
        def render(self, request: Any) -> RenderOutput:
            return RenderOutput(html=f"{request.template.name} {request.fixture.id} {request.locale} {request.catalog_root.name}")

    assert team(tmp_path, Echo).html == "receipt en-ada en templates"


def test_a_team_renderer_that_crashes_is_an_error_of_the_case_naming_its_file(tmp_path):
    class Crashy(Mustache):
        def render(self, request: Any) -> RenderOutput:
            raise KeyError("name")

    with pytest.raises(RenderError, match=r"^receipt.mustache: renderer 'mustache' failed: KeyError"):
        team(tmp_path, Crashy)


def test_a_team_renderer_that_cannot_be_built_stops_the_run_before_any_case(tmp_path):
    class Unbuildable(Mustache):
        def __init__(self) -> None:
            raise RuntimeError("no template folder configured")

    renderers.register("mustache")(Unbuildable)
    root = catalog(tmp_path, {"receipt.mustache": "Hi"}).root
    (root / "receipt.html").unlink()
    cat = load_catalog(root)
    with pytest.raises(ConfigError, match=r"renderer 'mustache' failed: RuntimeError: no template folder configured"):
        Renderer(cat, None, now=NOW)  # type: ignore[arg-type]
