"""Rendering: Jinja2 -> MJML -> HTML, subject and plain text, for one template and one account."""

from .mjml_engines import MjmlEngine, MrmlEngine, NodeMjmlEngine, mjml_engines
from .pipeline import RenderedEmail, Renderer
from .text import html_to_text

__all__ = ["MjmlEngine", "MrmlEngine", "NodeMjmlEngine", "RenderedEmail", "Renderer", "html_to_text", "mjml_engines"]
