"""The message builder's direct path (``harness.message.build._direct``, issue 28: ~10x faster
than the ``email`` package) writes byte for byte what the stdlib path writes, and hands every
case it does not cover back to the stdlib."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.message import build
from harness.message.build import build_message
from harness.message.headers import MessageSpec
from harness.message.tree import parse
from harness.render import RenderedEmail

from .build import email

HEADERS = (
    ("From", "Shop <orders@shop.example.com>"),
    ("To", "Ada Lovelace <ada@example.net>"),
    ("Subject", "Your order NW-1"),
    ("Date", "Sat, 05 Dec 2026 10:00:00 +0000"),
    ("Message-ID", "<nw-1@shop.example.com>"),
)
LONG = "word " * 300
TEXTS = ["Hello Ada.\nYour order shipped.", "", "Grüße, Ada\n" * 3, "x" * 2000, "a\r\nb\rc\n\n", LONG, "From here\n.dot\n" * 20,
         "é" * 40 + "\n" + "plain\n" * 30]
HTMLS = ["<p>Hi</p>", "<p>" + "Grüße " * 400 + "</p>", "<table>" + "<td>x</td>" * 500 + "</table>", "<p>\u202eRTL ✓ 🎉</p>\n" * 12]
HEADER_SETS = [
    HEADERS,
    HEADERS[:2] + (("Subject", "Ihre Erstattung für Bestellung NW-100140 " + "lang " * 20),) + HEADERS[3:],
    HEADERS + (("List-Unsubscribe", "<https://shop.example.com/u/" + "a" * 120 + ">"), ("X-Ref", "Ünïcode näme")),
    ((HEADERS[0][0], "Zoë Shop <orders@shop.example.com>"),) + HEADERS[1:],
]


def mail(text: str, html: str, headers: tuple[tuple[str, str], ...] = HEADERS, **spec: object) -> RenderedEmail:
    return replace(email(html, text=text), message_spec=MessageSpec(headers=headers, seed="s", **spec))  # type: ignore[arg-type]


@pytest.mark.parametrize("encoding", ["auto", "quoted-printable", "base64", "7bit"])
@pytest.mark.parametrize("headers", HEADER_SETS)
def test_direct_path_writes_the_stdlib_bytes(encoding: str, headers: tuple[tuple[str, str], ...]) -> None:
    written = 0
    for text in TEXTS:
        for html in HTMLS:
            case = mail(text, html, headers, encoding=encoding)
            try:
                reference: bytes | str = build._stdlib(case)
            except (UnicodeError, ValueError) as exc:
                reference = type(exc).__name__
            direct = build._direct(case)
            if direct is not None:
                assert direct == reference, (encoding, text[:20], html[:20])
                written += 1
    assert written  # the direct path covered some of them, or this compared nothing


@pytest.mark.parametrize("spec", [
    {"encoding": "8bit"},
    {"images": "embedded", "catalog_root": "."},
    {"headers": HEADERS + (("Subject", "Zwei"),)},
    {"headers": HEADERS + (("MIME-Version", "1.0"),)},
    {"headers": HEADERS + (("Content-Language", "de"),)},
])
def test_what_the_direct_path_leaves_to_the_stdlib(spec: dict[str, object]) -> None:
    assert build._direct(mail("Hi", "<p>Hi</p>", **spec)) is None


def test_a_body_the_stdlib_refuses_is_refused_on_its_path() -> None:
    case = mail("Grüße", "<p>Grüße</p>", encoding="7bit")
    assert build._direct(case) is None
    with pytest.raises(UnicodeError):
        build_message(case)


def test_build_message_takes_the_direct_path_when_it_can(monkeypatch: pytest.MonkeyPatch) -> None:
    case = mail("Hi", "<p>Hi</p>")
    monkeypatch.setattr(build, "_stdlib", lambda _: pytest.fail("the stdlib path was taken"))
    assert build_message(case).startswith(b"From: Shop <orders@shop.example.com>\r\n")


def test_parse_is_shared_for_the_same_bytes_only() -> None:
    data = build_message(mail("Hi", "<p>Hi</p>"))
    first = parse(data)
    assert parse(data) is first
    assert parse(bytes(data)) is first  # equal bytes, another object: the same message
    other = build_message(mail("Bye", "<p>Bye</p>"))
    assert parse(other) is not first
    assert parse(other).get_payload()[0].get_payload() == "Bye\r\n"
