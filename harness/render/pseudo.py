"""A built-in pseudo-locale, like Android's en-XA and Chromium's: accented, 40% longer text shows
whether a layout survives translation before any translator has worked on it.

Accents show at a glance which text went through the translation path (text that stays plain was
hard-coded or never rendered); the padding stands for the length that German or Finnish adds, so
a button that wraps or a column that overflows shows in the screenshot. Tokens that must keep
working (amounts, order numbers, addresses, merge tags) keep their characters; only their text
node is padded.
"""

from __future__ import annotations

import re
import unicodedata

from bs4 import BeautifulSoup, NavigableString

__all__ = ["EXPANSION", "PSEUDO_LOCALE", "pseudolocalize_html", "pseudolocalize_text"]

PSEUDO_LOCALE = "en-XA"
#: How much longer pseudo-localized text is than its source, brackets and padding included.
EXPANSION = 0.4

# Android's pseudo-localizer table (aapt2's Pseudolocalizer), one precomposed code point each so
# that accenting keeps the length.
_PLAIN = "abcdefghijklmnopqrstuvwxyz" "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ACCENTED = "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýž" "ÅβÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ"
_ACCENTS = str.maketrans(_PLAIN, _ACCENTED)

_PADDING = "one two three four five six seven eight nine ten"
_BRACKETS_AND_SPACE = 3  # "[" + text + " " + padding + "]"

# Merge tags and placeholders, matched before words so that one holding spaces stays whole:
# Jinja/Handlebars {{ x }} and {% x %}, Python/ICU {x}, Mailchimp *|X|*, [[x]], printf %s/%(x)s.
# Not nested ones (ICU plurals): the camera pseudo-localizes rendered HTML, where only the tags
# an email service fills in at send time remain.
_PLACEHOLDER = re.compile(
    # Each lazy scan stops at the next opening of its kind: linear on unclosed ones (1 MB of "[[").
    r"(\{\{(?:(?!\{\{).)*?\}\}|\{%(?:(?!\{%).)*?%\}|\{[^{}]*\}|\*\|(?:(?!\*\|).)*?\|\*|\[\[(?:(?!\[\[).)*?\]\]|%(?:\([^()]*\))?[-#0+]*\d*(?:\.\d+)?[sdifr])",
    re.DOTALL,
)
_SPACES = re.compile(r"(\s+)")
# Elements whose text is not shown as text. <title> is shown (the tab, some clients' headers), so
# it is pseudo-localized; comments (MSO conditionals), the doctype and CDATA are not
# NavigableStrings proper and are skipped by type.
_NOT_SHOWN = frozenset({"style", "script", "template"})


def _keeps(word: str) -> bool:
    """A word that must keep working: an amount, order number or date (a digit), a URL or an
    email address."""
    lowered = word.lower()
    return any(c.isdigit() for c in word) or "@" in word or "://" in word or "www." in lowered


def _is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def _accent(text: str) -> str:
    pieces = _PLACEHOLDER.split(text)
    for n in range(0, len(pieces), 2):  # odd indexes are placeholders, kept as they are
        words = _SPACES.split(pieces[n])
        pieces[n] = "".join(w if _keeps(w) else w.translate(_ACCENTS) for w in words)
    return "".join(pieces)


def _padding(length: int) -> str:
    """``length`` characters of "one two three ...", cut at the end (a cut that ends on a space
    drops it)."""
    words = (_PADDING + " ") * (length // (len(_PADDING) + 1) + 1)
    return words[:length].rstrip()


def pseudolocalize_text(text: str) -> str:
    """``text`` accented and bracketed with padding, about ``EXPANSION`` longer:
    ``"Your order" -> "[Ýöûŕ öŕðéŕ o]"``.

    Leading and trailing whitespace stay outside the brackets; whitespace-only text is returned
    as it is. Words with a digit, URLs, email addresses and merge tags are not accented.
    Right-to-left text (Arabic, Hebrew) is not accented at all, only padded: accents are for
    text in the source language, the length is what the layout must survive. The length counts
    runs of whitespace as one space, as HTML shows them.
    """
    core = text.strip()
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    shown = len(" ".join(core.split()))
    padding = _padding(max(1, round(shown * EXPANSION) - _BRACKETS_AND_SPACE))
    body = core if _is_rtl(core) else _accent(core)
    return f"{lead}[{body} {padding}]{trail}"


def pseudolocalize_html(html: str) -> str:
    """Every shown text node of ``html`` through ``pseudolocalize_text``, and ``<html lang>`` set
    to ``PSEUDO_LOCALE``.

    Attributes are left as they are, alt text included: a link or image keeps its target, and
    the rules that read attributes (links, image alt, accessibility) see the same values as in
    the source locale. Alt text shows only where images are blocked, inside the image's own box,
    so its length says little about the layout. Each text node is bracketed on its own, so a cut
    off node shows as a missing ``]``.

    Not idempotent: pseudo-localizing the output again accents the padding and pads once more.
    """
    soup = BeautifulSoup(html, "lxml")
    for node in list(soup.find_all(string=True)):
        if type(node) is not NavigableString or node.parent is None or node.parent.name in _NOT_SHOWN:
            continue
        changed = pseudolocalize_text(str(node))
        if changed != node:
            node.replace_with(NavigableString(changed))
    if soup.html is not None:
        soup.html["lang"] = PSEUDO_LOCALE
    return str(soup)
