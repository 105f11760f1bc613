"""One case through the render pipeline: send guards, then the template's renderer (Jinja2 ->
MJML -> HTML, Jinja2 -> HTML, or the team's own), then subject and plain text."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Literal

from bs4 import BeautifulSoup

from .._files import read_text, read_yaml
from ..catalog import LOCALE, Catalog, Template
from ..boundary import PluginFailure, call_plugin
from ..errors import ConfigError, HarnessError, RenderError, TemplateError
from ..fixtures import Fixture
from ..guards import check_guards
from ..message.headers import MessageSpec, render_headers
from ..timing import Stopwatch
from .css import inline_marked_styles
from .formatting import seeded_token, text_direction
from .includes import expand_includes
from .jinja import new_environment, render_jinja, time_limit
from .mjml_engines import MjmlEngine, mjml_engines
from .recording import EmptyLoop, MissingValue, RecordingContext, recording
from .renderers import RenderOutput, RenderRequest, TemplateRenderer, renderers
from .text import html_to_text
from .translations import TranslationSet

__all__ = ["RenderedEmail", "Renderer"]

Outcome = Literal["sent", "not sent"]
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


@dataclass(frozen=True)
class RenderedEmail:
    """What a customer would receive, or why they would receive nothing."""

    #: The template's name (``refund``, or ``billing/invoice_paid`` in a nested catalog).
    template: str
    #: The fixture's id.
    fixture: str
    #: The locale it rendered in.
    locale: str
    #: ``sent`` or ``not sent`` (a send guard said no).
    outcome: Outcome
    #: Why it is not sent, in the guard's words; "" when sent.
    reason: str = ""
    #: The subject line.
    subject: str = ""
    #: The HTML as sent (after the MJML engine and CSS inlining).
    html: str = ""
    #: The template's own text part (``NAME.txt``), or None: then :attr:`text` derives it.
    written_text: str | None = None
    #: What the team wrote, after templating: the MJML before the engine, the HTML template's
    #: output, or what a team renderer says. Rules that judge the author's markup read this.
    source: str = ""
    #: Jinja loops over a value that ran zero times and have no ``{% else %}`` (rule
    #: ``empty-list``); files named from the project folder (``templates/gift_card.mjml``).
    empty_loops: tuple[EmptyLoop, ...] = ()
    #: Keys a team renderer's template printed and no scope had (rule ``missing-value``).
    missing_values: tuple[MissingValue, ...] = ()
    #: The message's rendered headers and how it is encoded and signed (``message:`` of the
    #: catalog and the template), or None: the catalog declares no message.
    message_spec: MessageSpec | None = None

    @property
    def sent(self) -> bool:
        """Whether the email goes out to this fixture at all."""
        return self.outcome == "sent"

    @cached_property
    def text(self) -> str:
        """The plain-text part: the template's own, else derived from the HTML (inscriptis,
        ~3 ms), computed on first use so an unchanged case can take it from its snapshot."""
        if self.written_text is not None:
            return self.written_text
        return html_to_text(self.html) if self.sent else ""

    @cached_property
    def document(self) -> BeautifulSoup:
        """The HTML parsed once (lxml: same tree as html.parser here, ~30% faster), shared by the
        snapshot normalizer and every rule. Treat it as read-only."""
        return BeautifulSoup(self.html, "lxml")

    @cached_property
    def mime(self) -> bytes | None:
        """The MIME message as the customer receives it (CRLF line ends, DKIM-signed when the
        catalog says so), built on first use; None when not sent or no message is declared."""
        if not self.sent or self.message_spec is None:
            return None
        from ..message.build import build_message

        return build_message(self)


class Renderer:
    """Renders any template of ``catalog`` for any fixture. Build one per run: it holds the Jinja
    environment (compiled templates are cached), the gettext catalogs and the approved copy per
    locale."""

    def __init__(
        self, catalog: Catalog, engine: MjmlEngine, *, now: Any, stopwatch: Stopwatch | None = None,
        translations: TranslationSet | None = None,
    ) -> None:
        self.stopwatch = stopwatch or Stopwatch()
        self.catalog = catalog
        self.engine = engine
        self.now = now
        self.env = new_environment(catalog.root)
        self.translations = translations or TranslationSet(None)
        self._copy: dict[str, dict[str, str]] = {}
        self._team_renderers: dict[str, TemplateRenderer] = {}
        # Built before any case: a renderer that cannot be built stops the run (exit 2), naming it.
        for name in sorted({t.renderer for t in catalog.templates.values()} - {"mjml", "html"}):
            if name in renderers:
                self.team_renderer(name)

    #: Characters of rendered HTML a case may have (ten times Gmail's clipping size).
    MAX_EMAIL_HTML = 1_000_000
    #: Seconds one case may take to render (Jinja, MJML, text) before it is stopped.
    time_limit: float = 10.0

    def render(self, template: Template, fixture: Fixture) -> RenderedEmail:
        with time_limit(self.time_limit, f"{template.name}[{fixture.id}]"), recording() as found:
            try:
                email = self._render(template, fixture)
            except TemplateError as exc:
                if "the fixture has no key" in str(exc):
                    raise TemplateError(f"{exc} in {fixture.path.name} (a typo in the template, or a key this fixture lacks)") from None
                raise
        if email.sent and len(email.html) > self.MAX_EMAIL_HTML:
            # Parsing, normalizing and checking take about a millisecond an element: a 2 MB
            # page would hold the run for minutes, for an email no client shows whole anyway.
            raise TemplateError(
                f"{template.source_path}, fixture {fixture.id}: the rendered HTML has {len(email.html):,} characters; "
                f"the harness checks emails up to {self.MAX_EMAIL_HTML:,} (Gmail clips an email at 102 KB): make it smaller"
            )
        if not email.sent or not (found.empty_loops or found.missing_values):
            return email
        folder = self.catalog.root.name
        loops = tuple(loop if loop.file == "subject" else replace(loop, file=f"{folder}/{loop.file}") for loop in found.empty_loops)
        return replace(email, empty_loops=loops, missing_values=tuple(found.missing_values))

    def sends(self, template: Template, fixture: Fixture) -> bool:
        """Whether the template's send guards let it go to this fixture (nothing is rendered);
        a fixture a guard cannot read counts as not sent here: rendering the case reports it."""
        where = f"{template.meta_path or template.source_path}, fixture {fixture.id}"
        try:
            return check_guards(template.meta.requires, fixture.data, self.now, where=where)[1] is None
        except HarnessError:
            return False

    def _render(self, template: Template, fixture: Fixture) -> RenderedEmail:
        locale = template.locale_for(fixture.locale)
        where = f"{template.meta_path or template.source_path}, fixture {fixture.id}"
        added, reason = check_guards(template.meta.requires, fixture.data, self.now, where=where)
        base = dict(template=template.name, fixture=fixture.id, locale=locale)
        if reason is not None:
            return RenderedEmail(**base, outcome="not sent", reason=reason)
        context = self._context(template, fixture, locale, added)
        # newstyle: %-formatting and autoescaping done by gettext itself, as Flask-Babel does.
        self.env.install_gettext_translations(self.translations.for_locale(locale), newstyle=True)  # type: ignore[attr-defined]
        output = self._body(template, fixture, locale, context)
        watch = self.stopwatch.stage
        with watch("jinja"):
            subject = output.subject if output.subject is not None else self._subject(template, context)
        text = output.text
        if text is None and template.text_path is not None:
            with watch("text"):
                text = self._file(template, template.catalog_path(template.text_path), {**context, "html": None})
        if text is not None:
            text = text.strip() + "\n"
        with watch("jinja"):
            spec = self._message_spec(template, fixture, _one_line(subject), context)
        return RenderedEmail(
            **base, outcome="sent", subject=_one_line(subject), html=output.html, written_text=text,
            source=output.source if output.source is not None else output.html, message_spec=spec,
        )

    def _message_spec(self, template: Template, fixture: Fixture, subject: str, context: dict[str, Any]) -> MessageSpec | None:
        """The case's headers (``message:``), rendered like the subject, or None without one."""
        settings = self.catalog.message_settings(template)
        if settings is None:
            return None

        def render(source: str, where: str) -> str:
            if template.language == "none" or "{" not in source:
                return source
            return render_jinja(self.env, source=source, context=context, where=where)

        where = (template.meta_path or template.source_path).name
        key = str(self.catalog.root / settings.dkim.key) if settings.dkim and settings.dkim.key else None
        return render_headers(
            settings, subject=subject, fixture_data=fixture.data, now=self.now, seed=f"{template.name}\0{fixture.id}",
            render=render, where=where, key_path=key, catalog_root=str(self.catalog.root),
        )

    def _body(self, template: Template, fixture: Fixture, locale: str, context: dict[str, Any]) -> RenderOutput:
        """The template's renderer at work: built-in MJML or HTML, or the team's own."""
        name = template.catalog_path(template.source_path)  # billing/invoice_paid.html: the loader's name
        watch = self.stopwatch.stage
        if template.renderer not in ("mjml", "html"):
            return self._team_render(template, fixture, locale, context)
        with watch("jinja"):
            source = self._file(template, name, context)
        if template.renderer == "html":
            with watch("mjml"):  # the "to HTML" stage
                return RenderOutput(html=inline_marked_styles(source), source=source)
        with watch("mjml"):
            try:
                mjml = expand_includes(source, self.catalog.root, lambda path: self._file(template, path, context))
                # A crash is the engine's (PluginFailure passes the except below); an MjmlError it
                # raises is its verdict on the MJML.
                html = call_plugin(
                    mjml_engines, self.engine.name, self.engine.render, mjml, error=PluginFailure, where=name,
                    returns=str, expected="the HTML as str",
                )
            except RenderError as exc:
                raise type(exc)(f"{name}: {self.engine.name} rejected the MJML: {exc}") from None
        return RenderOutput(html=html, source=mjml)

    def _file(self, template: Template, name: str, context: dict[str, Any]) -> str:
        """A catalog file rendered with Jinja, or as it is for ``language: none``."""
        if template.language == "none":
            return read_text(self.catalog.root / name, TemplateError)
        return render_jinja(self.env, name=name, context=context, where=name)

    def _subject(self, template: Template, context: dict[str, Any]) -> str:
        if template.language == "none":
            return template.meta.subject
        where = f"{template.meta_path.name if template.meta_path else template.source_path.name}: subject"
        return render_jinja(self.env, source=template.meta.subject, context=context, where=where)

    def team_renderer(self, name: str) -> TemplateRenderer:
        """The registered renderer ``name``, built once per run; a ConfigError naming it and its
        module when it is not a class with ``render(request)`` or its constructor fails."""
        if name not in self._team_renderers:
            cls = renderers.get(name)
            if not isinstance(cls, type):
                raise ConfigError(
                    f"renderer {name!r} is a {type(cls).__name__}, registered by module {renderers.origins.get(name)}; "
                    "expected a class with extensions = ('.ext',) and render(self, request) -> RenderOutput"
                )
            instance = call_plugin(renderers, name, cls, error=ConfigError)
            if not callable(getattr(instance, "render", None)):
                raise ConfigError(f"renderer {name!r} (module {renderers.origins.get(name)}) has no render(self, request) method")
            self._team_renderers[name] = instance
        return self._team_renderers[name]

    def _team_render(self, template: Template, fixture: Fixture, locale: str, context: dict[str, Any]) -> RenderOutput:
        name = template.renderer
        renderer = self.team_renderer(name)
        source = read_text(template.source_path, TemplateError)
        lookup = getattr(renderer, "lookup", "stack")
        if lookup not in ("stack", "path"):
            raise RenderError(f"renderer {name!r}: lookup = {lookup!r}; expected 'stack' (Mustache) or 'path' (Handlebars, Django)")
        # The context records a key the template prints and no scope has (rule missing-value).
        request = RenderRequest(template, fixture, RecordingContext(context, lookup=lookup), locale, source, self.catalog.root)
        with self.stopwatch.stage("jinja"):  # the templating stage, whoever does it
            # The team's code failing on one case: an error of that case.
            output = call_plugin(
                renderers, name, renderer.render, request, error=RenderError, where=template.source_path.name,
                returns=RenderOutput, expected="RenderOutput(html=...)",
            )
        for part, value, expected in (("html", output.html, str), ("subject", output.subject, (str, type(None))),
                                      ("text", output.text, (str, type(None))), ("source", output.source, (str, type(None)))):
            if not isinstance(value, expected):
                wanted = "str" if expected is str else "str or None"
                raise RenderError(f"{template.source_path.name}: renderer {name!r} returned {part} {type(value).__name__}; expected {wanted}")
        return output

    def _context(self, template: Template, fixture: Fixture, locale: str, added: dict[str, Any]) -> dict[str, Any]:
        strings = template.meta.strings
        return {
            **self.catalog.settings.context,
            **added,
            "account": fixture.data,
            "locale": locale,
            "dir": text_direction(locale),
            "t": strings.get(locale) or strings.get(template.meta.locales[0], {}),
            "copy": self.approved_copy(locale),
            "now": self.now,
            "token": lambda purpose: seeded_token(template.name, fixture.id, purpose),
        }

    def approved_copy(self, locale: str) -> dict[str, str]:
        """``templates/_copy/LOCALE.yaml``: the reviewed paragraphs templates include, never paste."""
        if locale not in self._copy:
            if not LOCALE.fullmatch(locale):  # it becomes part of a path
                raise TemplateError(f"locale {locale!r} is not a locale code such as 'en' or 'pt_BR'")
            path = self.catalog.root / "_copy" / f"{locale}.yaml"
            data: Any = read_yaml(path, TemplateError) if path.is_file() else {}
            if not isinstance(data, dict):
                raise TemplateError(f"{path}: expected a mapping of copy block names to text, got {type(data).__name__}")
            self._copy[locale] = {str(k): " ".join(str(v).split()) for k, v in data.items()}
        return self._copy[locale]


def _one_line(subject: str) -> str:
    """A subject is one header line: control characters and newlines (header injection) become
    spaces, runs of white space fold."""
    return " ".join(_CONTROL.sub(" ", subject).split())


