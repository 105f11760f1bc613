"""``no-foreign-data``: no personal data of any other fixture in this email."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from fnmatch import translate
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field

from ...fixtures import leaf_values
from ..base import Finding, RuleContext, rules
from ..options import FieldPattern, RuleOptions
from ..paths import strip_lists
from ._memo import memo
from ._text import fold_name

#: Fields that identify a person or their records in most data models, as dotted paths with list
#: indices left out (``team.members.email``). A project names its own with ``fields``.
DEFAULT_FIELDS = ["*email*", "*phone*", "name", "*.name", "*_name", "id", "*.id", "*_id", "*number", "*code", "*address*", "*iban*", "*token*"]
#: Values personal by their shape, whatever the field is called.
# Starts only where a run of non-space begins: a later start in the same run finds nothing the
# first did not, and retrying each one is quadratic on a long word without '@'.
_EMAIL = re.compile(r"(?<![^@\s])[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?\d[\d ()/.-]{7,}\d")
#: Fields that hold a person's own data by their last key (separators and case aside): another
#: fixture's value of one, shown to this recipient, is another customer's data even where it is
#: one word of the template's own source ("<h1>Welcome, Ada</h1>" hard-coded). A city, a plan or a
#: role is not one of them: "London" or "Team" in the copy stays the template's word.
PERSONAL_KEYS = frozenset({
    "firstname", "lastname", "givenname", "familyname", "fullname", "surname", "middlename", "displayname",
    "email", "emailaddress", "phone", "phonenumber", "mobile", "address", "street", "streetaddress",
    "line1", "line2", "addressline1", "addressline2", "postcode", "postalcode", "zip", "zipcode", "iban",
})
#: ``name`` is a person's when it is the fixture's own (top level) or under one of these keys;
#: ``plan.name`` or ``workspace.name`` is not.
PERSON_PARENTS = frozenset({
    "account", "customer", "user", "recipient", "member", "person", "contact", "owner", "profile", "client",
    "buyer", "inviter", "invitee", "employee", "holder", "cardholder", "billing", "shipping", "sender",
})
#: Shorter values are words of the copy as often as data ("EU", "de"), except the parts of a
#: person's name, one word each and often three letters ("Ada", "Lee"); a whole ``name`` of three
#: letters is rare enough to keep the general limit.
MIN_VALUE_LENGTH = 4
MIN_NAME_PART_LENGTH = 3
NAME_PART_KEYS = frozenset({"firstname", "givenname", "middlename", "lastname", "familyname", "surname"})
#: Longer values are not identifiers (a bio, a note): searching for megabyte-long values made a
#: case take seconds, and they are covered by their shorter identifying neighbours.
MAX_VALUE_LENGTH = 256


def personal_values(data: Any, fields: Sequence[str], *, by_shape: bool = True) -> dict[str, str]:
    """Value -> the field it came from, for every string field whose path matches ``fields``
    (and, with ``by_shape``, every e-mail address and phone number in the data)."""
    values: dict[str, str] = {}
    for path, value in leaf_values(data):
        shortest = MIN_NAME_PART_LENGTH if _last_key(path) in NAME_PART_KEYS else MIN_VALUE_LENGTH
        if not isinstance(value, str) or not shortest <= len(value.strip()) <= MAX_VALUE_LENGTH:
            continue
        if _fields_pattern(tuple(fields))(path) or (by_shape and (_EMAIL.fullmatch(value) or _PHONE.fullmatch(value))):
            values.setdefault(value, path)
    return values


@lru_cache(maxsize=64)
def _fields_pattern(fields: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a path matches one of ``fields`` (``fnmatchcase`` each): one pattern, compiled
    once per run and fields rather than matched field by field for every value of every fixture."""
    if not fields:
        return lambda path: False
    match = re.compile("|".join(map(translate, fields))).match
    return lambda path: match(path) is not None


def is_personal(path: str) -> bool:
    """Whether a field (dotted, lists left out) holds a person's own data: ``first_name``,
    ``customer.email``, ``address.line1``, a top-level ``name``; not ``address.city`` or ``plan.name``."""
    keys = [fold_name(key) for key in path.split(".")]
    if keys[-1] == "name":
        return len(keys) == 1 or keys[-2] in PERSON_PARENTS
    return keys[-1] in PERSONAL_KEYS


def _last_key(path: str) -> str:
    return fold_name(path.rsplit(".", 1)[-1])


#: Each case is checked against every fixture's data. Built per case, that made a run quadratic in
#: fixtures (10,000 cases: 121 cases/s on one core); so each fixture's values are collected once,
#: and one pattern finds the values of all fixtures, compiled once per fixture set and fields.
#: Entries keep the fixtures they were built from, so an ``id`` is never another object's.
_VALUES: dict[tuple[Any, ...], tuple[Any, dict[str, str]]] = {}
_EVERYONE: dict[tuple[Any, ...], tuple[list[Any], dict[str, list[tuple[str, str]]], re.Pattern[str] | None]] = {}
_CACHE_SIZE = 4096


def _values(fixture: Any, fields: Sequence[str], *, by_shape: bool = True) -> dict[str, str]:
    key = (id(fixture), tuple(fields), by_shape)
    if key not in _VALUES:
        if len(_VALUES) >= _CACHE_SIZE:
            _VALUES.clear()
        _VALUES[key] = (fixture, personal_values(fixture.data, fields, by_shape=by_shape))
    return _VALUES[key][1]


def _everyone(fixtures: list[Any], fields: list[str]) -> tuple[dict[str, list[tuple[str, str]]], re.Pattern[str] | None]:
    """Value -> [(fixture id, field)] over all fixtures, and one alternation finding any of them
    (longest first, so a name is found whole rather than a shorter value inside it)."""
    key = (tuple(sorted(map(id, fixtures))), tuple(fields))
    if key not in _EVERYONE:
        owners: dict[str, list[tuple[str, str]]] = {}
        for fixture in fixtures:
            for value, field in _values(fixture, fields).items():
                owners.setdefault(value, []).append((fixture.id, field))
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(owners, key=len, reverse=True))) + r")(?!\w)") if owners else None
        if len(_EVERYONE) >= _CACHE_SIZE:
            _EVERYONE.clear()
        _EVERYONE[key] = (list(fixtures), owners, pattern)
    return _EVERYONE[key][1:]


class _OrdinaryWords:
    """Decides whether another fixture's one-word value in this email is just a word.

    The default fields are guesses about a data model they do not know: ``*.name`` finds a
    person's name and a plan's ("Team", "Free"), ``*.id`` an order's and a role's ("admin"),
    ``*address*`` a city ("London", also in the shop's own footer). A value of one word of
    letters is taken as another fixture's only where the email shows the recipient's own value
    of that field (there it can stand in the recipient's place) and the template's own words
    (its file, its strings, the approved copy) do not have it. Names, e-mail addresses, ids,
    numbers and street lines (a space, a digit or a sign in them) always count, and so does a
    value of a person's own field (:func:`is_personal`): a first name hard-coded in the template
    ("Welcome, Ada") is another customer's name in every other recipient's email."""

    def __init__(self, ctx: RuleContext, text: str) -> None:
        self._text = text
        self._by_field = memo("foreign-data-by-field", (ctx.fixture.data,), lambda: _by_field(ctx.fixture.data))
        strings = [v for by_locale in ctx.template.meta.strings.values() for v in by_locale.values()]
        self._copy = " ".join([*ctx.approved_copy.values(), *map(str, strings), _template_text(str(ctx.template.source_path))])
        self._shown: dict[str, bool] = {}

    def __call__(self, value: str, field: str) -> bool:
        if not value.isalpha() or is_personal(field):
            return False
        if field not in self._shown:
            self._shown[field] = any(_has_word(self._text, own) for own in self._by_field.get(field, ()))
        return not self._shown[field] or _has_word(self._copy, value)


def _by_field(data: Any) -> dict[str, set[str]]:
    """Field -> the fixture's non-blank string values of it (once per run and fixture; read-only)."""
    by_field: dict[str, set[str]] = {}
    for path, value in leaf_values(data):
        if isinstance(value, str) and value.strip():
            by_field.setdefault(path, set()).add(value)
    return by_field


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def _template_text(path: str) -> str:
    """A template file's own words (its markup and Jinja included), or nothing if unreadable."""
    try:
        return _read(path, Path(path).stat().st_mtime_ns)
    except OSError:
        return ""


@lru_cache(maxsize=256)
def _read(path: str, mtime_ns: int) -> str:  # the modification time keys the cache: an edit is read again
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


#: Characters that end a run of text a value may lie in, unless a value holds one: none is a
#: letter, a digit or ``_`` (what the pattern's lookarounds look for).
_BREAKS = ";:\"'<>{}()=|[]\n\r\t"
#: Pieces of text remembered per run and template, at most.
_PIECES = 8192


def _finder(owners: dict[str, Any], pattern: re.Pattern[str]) -> Callable[[str], list[str]]:
    """The distinct values ``pattern`` finds in a text, in the order first found.

    The text is cut at characters that no value holds and that are no letter or digit (``;`` and
    ``:`` of a style, quotes, brackets, line ends): no value found crosses one, and one stands
    where the lookarounds of ``pattern`` see a piece's start or end, so each piece finds alone
    what it finds in the text. A piece repeated from email to email (a style, an attribute) is
    searched once per run (per pattern, made of the run's fixtures): the pattern tries every
    position of what it searches."""
    breaks = memo("foreign-data-breaks", (pattern,), lambda: _breaks(owners))
    if breaks is None:
        return lambda text: list(dict.fromkeys(m.group(0) for m in pattern.finditer(text)))
    pieces: dict[str, tuple[str, ...]] = memo("foreign-data-pieces", (pattern,), dict)

    def found(text: str) -> list[str]:
        values: dict[str, None] = {}
        for piece in dict.fromkeys(breaks.split(text)):
            if piece not in pieces:
                if len(pieces) >= _PIECES:
                    pieces.clear()
                pieces[piece] = tuple(m.group(0) for m in pattern.finditer(piece))
            values.update(dict.fromkeys(pieces[piece]))
        return list(values)

    return found


def _breaks(values: dict[str, Any]) -> re.Pattern[str] | None:
    """A pattern matching the characters of :data:`_BREAKS` none of ``values`` holds, or None."""
    kept = "".join(char for char in _BREAKS if not any(char in value for value in values))
    return re.compile(f"[{re.escape(kept)}]") if kept else None


class ForeignDataOptions(RuleOptions):
    fields: list[FieldPattern] = Field(default_factory=lambda: list(DEFAULT_FIELDS), examples=[["email", "name", "orders[].id", "orders[].gift_cards[].code"]])
    """Fixture fields that identify a person or their records (``orders[].id``; ``*`` for any
    part of a path). Default: names, ids, numbers, codes, addresses, tokens. E-mail addresses and
    phone numbers count wherever they are."""
    allow: list[FieldPattern] = Field(default_factory=list, examples=[["inviter.email", "inviter.name"]])
    """Fields of the recipient's own data that may show someone else's values (who invited them)."""


@rules.register("no-foreign-data", options=ForeignDataOptions)
def no_foreign_data(ctx: RuleContext) -> Iterator[Finding]:
    """No personal data of another fixture in the subject, the visible HTML text, any attribute
    (URLs, alt text) or the text part."""
    # Paths are written with '[]' after lists (orders[].id); fixture leaves are dotted without them.
    fields = [strip_lists(str(f)) for f in ctx.options.get("fields", DEFAULT_FIELDS)]
    allow = [strip_lists(str(a)) for a in ctx.options.get("allow", [])]
    attributes = " ".join(str(v) for tag in ctx._facts.tags for v in tag.attrs.values() if isinstance(v, str))
    places = {"subject": ctx.email.subject, "HTML": ctx._facts.visible_text, "URL or attribute": attributes, "text part": ctx.email.text}
    owners, pattern = _everyone([ctx.fixture, *ctx.others], fields)
    if pattern is None:
        return
    # The recipient's own values, and values shared with them (a household's phone): not foreign.
    own = set(_values(ctx.fixture, fields)) | set(_values(ctx.fixture, allow, by_shape=False))
    ordinary: _OrdinaryWords | None = None  # made on the first foreign value: most emails show none
    found_in = _finder(owners, pattern)
    for place, text in places.items():
        for value in found_in(text):
            if value in own:
                continue
            for other_id, field in owners[value]:
                if other_id == ctx.fixture.id:
                    continue
                if fields == DEFAULT_FIELDS:
                    ordinary = ordinary or _OrdinaryWords(ctx, " ".join(places.values()))
                    if ordinary(value, field):
                        continue
                yield ctx.error(
                    f"{field} of another fixture ({other_id}) appears in the {place}: {value[:60]!r}",
                    element=place,
                    expected=f"only data of {ctx.fixture.id}",
                )
