"""Template renderers: how a template file becomes subject, HTML and text, a plugin point.

Built in: ``mjml`` (``NAME.mjml``: Jinja2, then an MJML engine) and ``html`` (``NAME.html``:
Jinja2, then the CSS of ``<style data-inline>`` blocks inlined). A team whose production renders
with something else registers that, so the harness checks what production sends::

    import chevron  # Mustache
    from harness import RenderOutput, renderers

    @renderers.register("mustache")
    class Mustache:
        extensions = (".mustache",)      # files of the catalog this renderer claims

        def render(self, request):
            html = chevron.render(request.source, request.context)
            return RenderOutput(html=html)  # subject: NAME.yaml's, text: NAME.txt or derived

A template picks a renderer by its extension, or by ``renderer:`` in its metadata or in
``_catalog.yaml``. The send guards have run before: ``request.context`` holds their values.

``request.context`` is a :class:`~harness.render.recording.RecordingContext`: passed to the
template library as it is (not copied), it records a key the template prints that no scope has
(rule ``missing-value``) and changes nothing in the output. Mustache looks a name a section's
item lacks up in the enclosing scopes; a renderer for a language that reads the item only
(Handlebars, Django) says so, and a key missing from a loop's item counts too::

    @renderers.register("handlebars")
    class Handlebars:
        extensions = (".hbs",)
        lookup = "path"   # default "stack": Mustache's
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..errors import ConfigError
from ..registry import Registry

if TYPE_CHECKING:
    from ..catalog import Template
    from ..fixtures import Fixture

__all__ = ["BUILTIN_EXTENSIONS", "RenderOutput", "RenderRequest", "TemplateRenderer", "renderer_for_extension", "renderers"]

#: The built-in renderers and the files they claim.
BUILTIN_EXTENSIONS = {".mjml": "mjml", ".html": "html"}


@dataclass(frozen=True)
class RenderRequest:
    """What a renderer gets for one case."""

    #: The template being rendered (``template.name``, ``template.source_path`` for a renderer
    #: that resolves ``{% extends %}`` itself, ``template.meta``).
    template: Template
    #: The fixture it is rendered for (``fixture.id``, ``fixture.data``).
    fixture: Fixture
    #: What a Jinja template would see: ``account``, the guards' values, ``t``, ``locale``, ...
    #: For team renderers a :class:`~harness.render.recording.RecordingContext` (a dict).
    context: Mapping[str, Any]
    #: The locale this case renders in: the fixture's where the template offers it.
    locale: str
    #: The template file's text.
    source: str
    #: The catalog folder, for renderers that resolve partials themselves.
    catalog_root: Path

    def __repr__(self) -> str:
        # Printed in a renderer while debugging: which case, not the whole source or the machine's folders.
        return (f"RenderRequest(template={self.template!r}, fixture={self.fixture!r}, locale={self.locale!r}, "
                f"source=<{len(self.source)} characters>, context keys={sorted(self.context)})")


@dataclass(frozen=True)
class RenderOutput:
    """A renderer's result. ``None`` leaves a part to the harness: the subject from the
    metadata's ``subject:``, the text part from ``NAME.txt`` or derived from the HTML."""

    #: The email's HTML, as sent.
    html: str
    #: The subject line; None: the metadata's ``subject:``.
    subject: str | None = None
    #: The plain-text part; None: ``NAME.txt`` where there is one, else derived from the HTML.
    text: str | None = None
    #: What the team wrote, after templating (MJML, HTML), for rules that judge the source
    #: rather than generated markup; defaults to the HTML.
    source: str | None = None


@runtime_checkable
class TemplateRenderer(Protocol):
    #: The file extensions of the catalog this renderer claims (``(".mustache",)``).
    extensions: tuple[str, ...]

    def render(self, request: RenderRequest) -> RenderOutput:
        """The email for one case; raise any exception for a template it cannot render (the
        case is an error naming the renderer, never a crash of the run)."""
        ...


renderers: Registry[type[TemplateRenderer]] = Registry("renderer")


def renderer_for_extension() -> dict[str, str]:
    """File extension -> renderer name, built-ins first; a registered renderer may claim more."""
    claimed = dict(BUILTIN_EXTENSIONS)
    for name, renderer in renderers.items():
        extensions = getattr(renderer, "extensions", ())
        # A team's class attribute: a bare string would claim one extension per character.
        if not isinstance(extensions, (tuple, list)) or not all(isinstance(e, str) and e.strip(".") for e in extensions):
            raise ConfigError(
                f"renderer {name!r} (module {renderers.origins.get(name)}): extensions = {extensions!r}; "
                "expected a tuple of file extensions such as ('.mustache',)"
            )
        for extension in extensions:
            claimed[extension if extension.startswith(".") else "." + extension] = name
    return claimed
