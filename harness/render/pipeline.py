"""One case through the render pipeline: Jinja2 -> MJML -> HTML, subject, plain text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from bs4 import BeautifulSoup

from .._files import read_yaml
from ..catalog import LOCALE, Catalog, Template
from ..errors import RenderError, TemplateError
from ..fixtures import Fixture
from ..guards import check_guards
from ..timing import Stopwatch
from .formatting import seeded_token
from .jinja import new_environment, render_jinja, time_limit
from .mjml_engines import MjmlEngine
from .text import html_to_text
from .translations import TranslationSet

__all__ = ["RenderedEmail", "Renderer"]

Outcome = Literal["sent", "not sent"]
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


@dataclass(frozen=True)
class RenderedEmail:
    """What a customer would receive, or why they would receive nothing."""

    template: str
    fixture: str
    locale: str
    outcome: Outcome
    reason: str = ""
    subject: str = ""
    html: str = ""
    #: The template's own text part (``NAME.txt``), or None: then :attr:`text` derives it.
    written_text: str | None = None
    mjml: str = ""

    @property
    def sent(self) -> bool:
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

    #: Seconds one case may take to render (Jinja, MJML, text) before it is stopped.
    time_limit: float = 10.0

    def render(self, template: Template, fixture: Fixture) -> RenderedEmail:
        with time_limit(self.time_limit, f"{template.name}[{fixture.id}]"):
            try:
                return self._render(template, fixture)
            except TemplateError as exc:
                if "the fixture has no key" in str(exc):
                    raise TemplateError(f"{exc} in {fixture.path.name} (a typo in the template, or a key this fixture lacks)") from None
                raise

    def _render(self, template: Template, fixture: Fixture) -> RenderedEmail:
        locale = template.locale_for(fixture.locale)
        where = f"{template.meta_path or template.mjml_path}, fixture {fixture.id}"
        added, reason = check_guards(template.meta.requires, fixture.data, self.now, where=where)
        base = dict(template=template.name, fixture=fixture.id, locale=locale)
        if reason is not None:
            return RenderedEmail(**base, outcome="not sent", reason=reason)
        context = self._context(template, fixture, locale, added)
        # newstyle: %-formatting and autoescaping done by gettext itself, as Flask-Babel does.
        self.env.install_gettext_translations(self.translations.for_locale(locale), newstyle=True)  # type: ignore[attr-defined]
        mjml_file = template.mjml_path.name
        watch = self.stopwatch.stage
        with watch("jinja"):
            mjml = render_jinja(self.env, name=mjml_file, context=context, where=mjml_file)
            subject_where = f"{template.meta_path.name if template.meta_path else mjml_file}: subject"
            subject = render_jinja(self.env, source=template.meta.subject, context=context, where=subject_where)
        with watch("mjml"):
            try:
                html = self.engine.render(mjml)
            except RenderError as exc:
                raise type(exc)(f"{mjml_file}: {self.engine.name} rejected the MJML: {exc}") from None
        text = None
        if template.text_path is not None:
            with watch("text"):
                text = render_jinja(self.env, name=template.text_path.name, context={**context, "html": None}, where=template.text_path.name)
                text = text.strip() + "\n"
        return RenderedEmail(**base, outcome="sent", subject=_one_line(subject), html=html, written_text=text, mjml=mjml)

    def _context(self, template: Template, fixture: Fixture, locale: str, added: dict[str, Any]) -> dict[str, Any]:
        strings = template.meta.strings
        return {
            **self.catalog.settings.context,
            **added,
            "account": fixture.data,
            "locale": locale,
            "dir": "rtl" if locale.split("_")[0] in {"ar", "he", "fa", "ur"} else "ltr",
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


