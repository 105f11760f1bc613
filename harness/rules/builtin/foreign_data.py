"""``no-foreign-data``: no personal data of any other fixture in this email."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from fnmatch import fnmatchcase
from typing import Any

from ...fixtures import leaf_values
from ..base import Finding, RuleContext, rules
from ._text import visible_text

#: Fields that identify a person or their records in most data models, as dotted paths with list
#: indices left out (``team.members.email``). A project names its own with ``fields``.
DEFAULT_FIELDS = ["*email*", "*phone*", "name", "*.name", "*_name", "id", "*.id", "*_id", "*number", "*code", "*address*", "*iban*", "*token*"]
#: Values personal by their shape, whatever the field is called.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?\d[\d ()/.-]{7,}\d")
#: Longer values are not identifiers (a bio, a note): searching for megabyte-long values made a
#: case take seconds, and they are covered by their shorter identifying neighbours.
MAX_VALUE_LENGTH = 256


def personal_values(data: Any, fields: Sequence[str], *, by_shape: bool = True) -> dict[str, str]:
    """Value -> the field it came from, for every string field whose path matches ``fields``
    (and, with ``by_shape``, every e-mail address and phone number in the data)."""
    values: dict[str, str] = {}
    for path, value in leaf_values(data):
        if not isinstance(value, str) or not 4 <= len(value.strip()) <= MAX_VALUE_LENGTH:
            continue
        if any(fnmatchcase(path, f) for f in fields) or (by_shape and (_EMAIL.fullmatch(value) or _PHONE.fullmatch(value))):
            values.setdefault(value, path)
    return values


@rules.register("no-foreign-data")
def no_foreign_data(ctx: RuleContext) -> Iterator[Finding]:
    """Options: ``fields`` (dotted paths with ``*`` wildcards, default :data:`DEFAULT_FIELDS`;
    e-mail addresses and phone numbers count wherever they are), ``allow`` (paths of the
    recipient's data that may show someone else's values, e.g. ``[inviter.email, inviter.name]``).
    Looks in the subject, the visible HTML text, every attribute (URLs, alt text) and the text part."""
    fields = list(ctx.options.get("fields", DEFAULT_FIELDS))
    allow = [str(a).replace("[]", "") for a in ctx.options.get("allow", [])]
    doc = ctx.document
    attributes = " ".join(str(v) for tag in doc.find_all(True) for v in tag.attrs.values() if isinstance(v, str))
    places = {"subject": ctx.email.subject, "HTML": visible_text(doc), "URL or attribute": attributes, "text part": ctx.email.text}
    own = set(personal_values(ctx.fixture.data, fields)) | set(personal_values(ctx.fixture.data, allow, by_shape=False))
    foreign: dict[str, list[tuple[str, str]]] = {}  # value -> [(fixture id, field)]
    for other in ctx.others:
        for value, field in personal_values(other.data, fields).items():
            if value not in own:  # shared with the recipient (same household phone, say): not foreign
                foreign.setdefault(value, []).append((other.id, field))
    if not foreign:
        return
    # One alternation per case instead of one search per value and place: longest first, so a
    # name is reported rather than a shorter value inside it.
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(foreign, key=len, reverse=True))) + r")(?!\w)")
    for place, text in places.items():
        for value in dict.fromkeys(m.group(0) for m in pattern.finditer(text)):
            for other_id, field in foreign[value]:
                yield ctx.error(
                    f"{field} of another fixture ({other_id}) appears in the {place}: {value[:60]!r}",
                    element=place,
                    expected=f"only data of {ctx.fixture.id}",
                )
