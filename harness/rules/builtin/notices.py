"""``incident-notice``: a data or security notice tells people what GDPR Article 34 says they must
be told, in plain language: what happened and when, which data, the likely consequences, what we
did, what they should do, and whom to contact. Stops the "technical error" notice that says nothing.
The sections and an example: :func:`incident_notice`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from bs4 import Tag
from pydantic import Field, field_validator

from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ._text import fold

DEFAULT_SECTIONS = ["what-happened", "which-data", "consequences", "what-we-did", "what-you-can-do", "contact"]
DEFAULT_VAGUE = [
    "technical error", "technical issue", "inadvertently", "may have been affected",
    "errore tecnico", "problema tecnico", "inavvertitamente",
    "technischer fehler", "technischen fehler", "versehentlich",
]
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_CONTACT = re.compile(r"(?<![^@\s])[^@\s]+@[^@\s]+\.\w+|\+?\d[\d ]{6,}")  # starts at a word: linear (see foreign_data._EMAIL)


class IncidentNoticeOptions(RuleOptions):
    sections: list[str] = Field(default_factory=lambda: list(DEFAULT_SECTIONS), min_length=1)
    """The blocks the notice must have, each an element marked ``data-section="NAME"`` in the
    template (``<div data-section="what-happened">`` inside an ``<mj-text>``). Default: all six;
    an empty list would check nothing."""
    min_words: int = Field(10, ge=1)
    """Words each section has at least."""
    vague_phrases: list[str] = Field(default_factory=lambda: list(DEFAULT_VAGUE))
    """Phrases that say nothing ("technical error", "inadvertently"), matched without case."""
    vague: Literal["error", "warning"] = "error"
    """How a vague phrase is reported: an error, or a warning where every section is there (with
    sections missing it stays an error)."""

    @field_validator("sections")
    @classmethod
    def _section_names(cls, value: list[str]) -> list[str]:
        bad = [name for name in value if not _SECTION_NAME.fullmatch(name)]
        if bad:
            raise ValueError(f"section names are data-section values such as 'what-happened' (letters, digits, '-', '_'), got {bad}")
        return value


_SECTION_NAME = re.compile(r"[A-Za-z0-9_-]+")


def _section(ctx: RuleContext, name: str) -> Tag | None:
    """The first element whose ``data-section`` is ``name``, among the case's elements with a
    ``data-section`` (walked once per case for every section). Compared as text, not through a CSS
    selector: ``2fa`` is a valid section name that ``[data-section=2fa]`` cannot read."""
    return next((element for element in ctx._facts.having("data-section") if element["data-section"] == name), None)


@rules.register("incident-notice", options=IncidentNoticeOptions)
def incident_notice(ctx: RuleContext) -> Iterator[Finding]:
    """A data or security notice says what happened (with a date), which data, the likely
    consequences, what was done, what to do and whom to contact (GDPR Art. 34), each in a
    ``[data-section=NAME]`` block, in plain language.

    The template marks each part with ``data-section`` (in an ``<mj-text>``, or any HTML element);
    the rule reads the text inside each marked element. The six default sections, in full::

        <mj-text>
          <h1>Your email address was exposed</h1>
          <div data-section="what-happened"><h2>What happened</h2>
            <p>On 27 October 2026, between 14:05 and 14:45 UK time, a newsletter showed every
            recipient's address in the visible "To" field. About 2,300 customers could see them.</p></div>
          <div data-section="which-data"><h2>Which of your data</h2>
            <p>Your email address and your name. No passwords, payment details or orders.</p></div>
          <div data-section="consequences"><h2>What this could mean for you</h2>
            <p>Other recipients may have your address: you might get more spam or phishing.</p></div>
          <div data-section="what-we-did"><h2>What we have done</h2>
            <p>We asked every recipient to delete the message, changed how newsletters are sent,
            and reported the incident to the Information Commissioner's Office on 28 October 2026.</p></div>
          <div data-section="what-you-can-do"><h2>What you can do</h2>
            <p>Be careful with emails that mention this incident or ask for your password.</p></div>
          <div data-section="contact"><h2>Questions</h2>
            <p>Our data protection officer answers at
            <a href="mailto:privacy@shop.example.com">privacy@shop.example.com</a>
            and on +44 20 7946 0000.</p></div>
        </mj-text>

    Each section has ``min_words`` words at least; ``what-happened`` gives a year, ``contact`` an
    e-mail address or phone number (or a ``mailto:``/``tel:`` link). Vague wording ("technical
    error", "inadvertently", ``vague_phrases``) anywhere in the notice is an error: it is the wording
    a notice uses to say nothing. ``vague: warning`` makes it a warning where every section is there.
    """
    sections = ctx.options.get("sections", DEFAULT_SECTIONS)
    min_words = int(ctx.options.get("min_words", 10))
    missing = []
    for name in sections:
        element = _section(ctx, name)
        words = fold(element.get_text(" ")).split() if element else []
        if element is None:
            missing.append(name)
            yield ctx.error(f"the notice does not say {name.replace('-', ' ')}", element=f"[data-section={name}]", expected="a section with that content")
        elif len(words) < min_words:
            yield ctx.error(f"section {name!r} has {len(words)} words", element=f"[data-section={name}]", expected=f"at least {min_words} words in plain language", node=element)
        elif name == "what-happened" and not _YEAR.search(" ".join(words)):
            yield ctx.error("section 'what-happened' gives no date", element=f"[data-section={name}]", expected="when it happened", node=element)
        elif name == "contact" and not (_CONTACT.search(" ".join(words)) or element.select("a[href^=mailto], a[href^=tel]")):
            yield ctx.error("section 'contact' names no email address or phone number", element=f"[data-section={name}]", expected="a contact point", node=element)
    text = ctx._facts.visible_text.lower()
    # An error by default: "a technical error" is how a notice says nothing, however complete
    # its sections look. A team may lower it to a warning, but not while sections are missing.
    report = ctx.warning if ctx.options.get("vague") == "warning" and not missing else ctx.error
    for phrase in ctx.options.get("vague_phrases", DEFAULT_VAGUE):
        if phrase.lower() in text:
            if missing:
                yield ctx.error(f"vague phrase {phrase!r} with nothing else: the notice lacks {', '.join(missing)}", element="HTML", expected="what happened, concretely")
            else:
                yield report(f"vague phrase {phrase!r} in the notice", element="HTML",
                             expected="say concretely what happened, to which data, and when (or vague: warning in the rule's options)")
