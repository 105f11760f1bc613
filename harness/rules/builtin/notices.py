"""``incident-notice``: a data or security notice tells people what GDPR Article 34 says they must
be told, in plain language: what happened and when, which data, the likely consequences, what we
did, what they should do, and whom to contact. Stops the "technical error" notice that says nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..base import Finding, RuleContext, rules
from ._text import fold, visible_text

DEFAULT_SECTIONS = ["what-happened", "which-data", "consequences", "what-we-did", "what-you-can-do", "contact"]
DEFAULT_VAGUE = [
    "technical error", "technical issue", "inadvertently", "may have been affected",
    "errore tecnico", "problema tecnico", "inavvertitamente",
    "technischer fehler", "technischen fehler", "versehentlich",
]
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_CONTACT = re.compile(r"[^@\s]+@[^@\s]+\.\w+|\+?\d[\d ]{6,}")


@rules.register("incident-notice")
def incident_notice(ctx: RuleContext) -> Iterator[Finding]:
    """Options: ``sections`` (the ``[data-section=...]`` blocks required, default all six),
    ``min_words`` (10 per section), ``vague_phrases`` (flagged; an error when sections are missing)."""
    sections = ctx.options.get("sections", DEFAULT_SECTIONS)
    min_words = int(ctx.options.get("min_words", 10))
    missing = []
    for name in sections:
        element = ctx.document.select_one(f"[data-section={name}]")
        words = fold(element.get_text(" ")).split() if element else []
        if element is None:
            missing.append(name)
            yield ctx.error(f"the notice does not say {name.replace('-', ' ')}", element=f"[data-section={name}]", expected="a section with that content")
        elif len(words) < min_words:
            yield ctx.error(f"section {name!r} has {len(words)} words", element=f"[data-section={name}]", expected=f"at least {min_words} words in plain language")
        elif name == "what-happened" and not _YEAR.search(" ".join(words)):
            yield ctx.error("section 'what-happened' gives no date", element=f"[data-section={name}]", expected="when it happened")
        elif name == "contact" and not (_CONTACT.search(" ".join(words)) or element.select("a[href^=mailto], a[href^=tel]")):
            yield ctx.error("section 'contact' names no email address or phone number", element=f"[data-section={name}]", expected="a contact point")
    text = visible_text(ctx.document).lower()
    for phrase in ctx.options.get("vague_phrases", DEFAULT_VAGUE):
        if phrase.lower() in text:
            if missing:
                yield ctx.error(f"vague phrase {phrase!r} with nothing else: the notice lacks {', '.join(missing)}", element="HTML", expected="what happened, concretely")
            else:
                yield ctx.warning(f"vague phrase {phrase!r}", element="HTML", expected="say concretely what happened")
