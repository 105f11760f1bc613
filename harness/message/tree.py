"""``message.txt``: the message as a reviewer reads it: the headers as received, one line each,
then the MIME tree with each part's type, charset, transfer encoding and size. Bodies stay in
their own snapshot parts (``body.html``, ``body.txt``).

Values derived from the content (the MIME boundary, DKIM's body hash and signature) are shown as
``…``: they change with every word of the body, which ``body.html`` and ``body.txt`` show already.
"""

from __future__ import annotations

import re
from email import message_from_bytes
from email import policy as policies
from email.header import decode_header, make_header
from email.message import Message

__all__ = ["describe", "header_lines", "parse"]

_BOUNDARY = re.compile(r'(boundary=)"?[^";]+"?')
_DKIM_HASHES = re.compile(r"\b(bh|b)=[A-Za-z0-9+/= ]+(;|$)")


#: The last message parsed and its header lines: the ``message.txt`` snapshot, the ``message``
#: rule (and its address checks) read the same case's bytes one after another (issue 28: each
#: parse cost as much as building the message). One entry: a run holds one case at a time.
_LAST: list[tuple[bytes, Message | None, list[tuple[str, str]] | None]] = []


def _memo(data: bytes) -> tuple[bytes, Message | None, list[tuple[str, str]] | None]:
    if _LAST and (_LAST[0][0] is data or _LAST[0][0] == data):
        return _LAST[0]
    return (data, None, None)


def header_lines(data: bytes) -> list[tuple[str, str]]:
    """``(name, raw value)`` of the top-level headers, unfolded, as they are on the wire (a
    shared list: do not change it)."""
    key, message, lines = _memo(data)
    if lines is None:
        lines = _header_lines(data)
        _LAST[:] = [(key, message, lines)]
    return lines


def _header_lines(data: bytes) -> list[tuple[str, str]]:
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
    fields: list[tuple[str, str]] = []
    for line in head.split("\r\n"):
        if line[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip()}")
        elif ":" in line:
            name, _, value = line.partition(":")
            fields.append((name, value.strip()))
    return fields


def _shown(name: str, value: str) -> str:
    lowered = name.lower()
    if lowered == "content-type":
        value = _BOUNDARY.sub(r'\1"…"', value)
    elif lowered == "dkim-signature":
        value = _DKIM_HASHES.sub(r"\1=…\2", value)
    return " ".join(value.split())


def parse(data: bytes) -> Message:
    """The MIME structure of ``data``: the stdlib's legacy policy, which reads headers as raw
    strings (the modern one parses every header it is asked for, ~10x slower here). Parsed once
    for the same bytes: treat it as read-only."""
    key, message, lines = _memo(data)
    if message is None:
        message = message_from_bytes(data, policy=policies.compat32)
        _LAST[:] = [(key, message, lines)]
    return message


def _part_line(part: Message, depth: int) -> str:
    kind = part.get_content_type()
    if part.is_multipart():
        return f"{'  ' * depth}{kind}"
    payload = part.get_payload()
    raw = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    lines = raw.split(b"\n")
    longest = max((len(line.rstrip(b"\r")) for line in lines), default=0)
    facts = [
        kind, f"charset={part.get_content_charset() or '-'}", str(part.get("Content-Transfer-Encoding", "7bit")).strip(),
        f"{len(raw):,} octets", f"longest line {longest:,}",
    ]
    return "  " * depth + "; ".join(facts)


def describe(data: bytes) -> str:
    """The text of ``message.txt`` for the message ``data``."""
    out: list[str] = []
    for name, value in header_lines(data):
        out.append(f"{name}: {_shown(name, value)}")
        if "=?" in value:
            try:
                decoded = str(make_header(decode_header(value)))
            except (ValueError, LookupError):  # a broken encoded word: the raw line says it
                decoded = "(cannot be decoded)"
            out.append(f"  decoded: {' '.join(decoded.split())}")
    out.append("")
    message = parse(data)
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        out.append(_part_line(part, depth))
        if part.is_multipart():
            stack.extend((child, depth + 1) for child in reversed(part.get_payload()))
    return "\n".join(out) + "\n"
