"""The message a customer receives, built with the standard library's ``email`` package.

``multipart/alternative`` with the text part first and the HTML part last (RFC 2046: the last
part is the preferred one), UTF-8, CRLF line ends, header values as RFC 2047 encoded words where
they are not ASCII, folded at 78 characters. Body encodings keep every line within 998 octets
(RFC 5322): ``auto`` picks 7bit for short ASCII lines, else the shorter of quoted-printable and
base64, as the stdlib does. Nothing random: the boundary is derived from the content and the
Message-ID from the case, ``Date`` and DKIM's ``t=`` come from the project's fixed clock, so the
same case gives the same bytes on every run and machine.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from pathlib import Path
from email import policy as policies
from email.message import EmailMessage
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..render import RenderedEmail

__all__ = ["POLICY", "build_message", "fold"]

#: SMTP's conventions: CRLF, 78-character folding, 7-bit clean unless a part says 8bit. Headers
#: set raw (ASCII ones, folded here) are written as given: the stdlib would turn a long URL in
#: ``List-Unsubscribe`` into RFC 2047 encoded words no client decodes there.
POLICY = policies.SMTP.clone(cte_type="7bit", refold_source="none")
_POLICY_8BIT = POLICY.clone(cte_type="8bit")
#: RFC 5322's recommended line length, within its 998-octet limit.
_FOLD_AT = 78


def fold(name: str, value: str) -> str:
    """An ASCII header value folded at white space so lines stay within 78 characters where a
    word allows (a longer word stays whole: the ``message`` rule reports a line over 998)."""
    lines: list[str] = []
    line = ""
    width = len(name) + 2
    for word in value.split(" "):
        if line and width + len(line) + 1 + len(word) > _FOLD_AT:
            lines.append(line)
            line, width = word, 1
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n ".join(lines)


try:  # the stdlib's own choice of body encoding; absent in some other Python: the slow path only
    from email.contentmanager import _encode_text  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - CPython 3.11-3.13 have it
    _encode_text = None

#: The generator's line ends: any of these becomes the policy's CRLF.
_NEWLINES = re.compile(r"\r\n|\r|\n")


def _boundary(spec_seed: str, text: str, html: str) -> str:
    # The stdlib draws a random boundary; one from the content cannot occur in it by chance.
    return hashlib.sha256(f"{spec_seed}\0{text}\0{html}".encode()).hexdigest()[:32]


def _leaf(subtype: str, body: str, cte: str | None) -> bytes | None:
    """One text part as ``set_content``/``add_alternative`` and the generator write it, or None
    where the output could hold 8-bit data (the stdlib's path handles that)."""
    chosen, payload = _encode_text(body, "utf-8", cte, POLICY)
    if chosen not in ("7bit", "quoted-printable", "base64") or not payload.isascii():
        return None
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {chosen}\r\n\r\n'
    return (head + "\r\n".join(_NEWLINES.split(payload))).encode("ascii")


def _direct(email: RenderedEmail) -> bytes | None:
    """The message written directly, byte for byte what the stdlib path below writes (~10x
    faster: no header objects, no generator), for the usual case: 7-bit transfer, linked images,
    each header once. None: take the stdlib path."""
    spec = email.message_spec
    assert spec is not None
    if _encode_text is None or spec.encoding == "8bit" or spec.images == "embedded":
        return None
    names = [name.lower() for name, _ in spec.headers]
    if len(set(names)) != len(names) or "mime-version" in names or any(n.startswith("content-") for n in names):
        return None  # the stdlib refuses a second Subject, moves Content-* headers: its path says what happens
    cte = None if spec.encoding == "auto" else spec.encoding
    try:
        text = _leaf("plain", email.text, cte)
        html = _leaf("html", email.html, cte)
    except (UnicodeError, ValueError):
        return None  # the stdlib path raises it where it does
    if text is None or html is None:
        return None
    head = bytearray()
    for name, value in spec.headers:
        if value.isascii():
            head += POLICY.fold_binary(name, fold(name, value))  # as set_raw's value is written
        else:
            head += POLICY.fold_binary(*POLICY.header_store_parse(name, value))
    boundary = f"=_eh_{_boundary(spec.seed, email.text, email.html)}".encode("ascii")
    head += b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary="' + boundary + b'"\r\n\r\n'
    return b"".join((bytes(head), b"--", boundary, b"\r\n", text, b"\r\n--", boundary, b"\r\n", html,
                     b"\r\n--", boundary, b"--\r\n"))


def build_message(email: RenderedEmail) -> bytes:
    """``email`` as the bytes a mailer hands to SMTP (signed when its spec names DKIM)."""
    spec = email.message_spec
    assert spec is not None, "build_message needs a RenderedEmail with a message_spec"
    data = _direct(email)
    if data is None:
        data = _stdlib(email)
    if spec.dkim is not None:
        from .dkim import sign

        data = sign(data, spec.dkim, key_path=spec.dkim_key, now=spec.now)
    return data


def _stdlib(email: RenderedEmail) -> bytes:
    """The message built with the ``email`` package: the reference :func:`_direct` matches."""
    spec = email.message_spec
    assert spec is not None
    policy = _POLICY_8BIT if spec.encoding == "8bit" else POLICY
    message = EmailMessage(policy=policy)
    for name, value in spec.headers:
        if value.isascii():
            message.set_raw(name, fold(name, value))
        else:
            message[name] = value  # non-ASCII: RFC 2047 encoded words, folded by the stdlib
    cte = None if spec.encoding == "auto" else spec.encoding
    html, images = email.html, []
    if spec.images == "embedded" and spec.catalog_root:
        from .images import embedded_images

        html, images = embedded_images(email.html, Path(spec.catalog_root), spec.seed)
    message.set_content(email.text, subtype="plain", charset="utf-8", cte=cte)
    message.add_alternative(html, subtype="html", charset="utf-8", cte=cte)
    for part in message.iter_parts():
        del part["MIME-Version"]  # the stdlib repeats it in a part it converts; it belongs on top only
    digest = _boundary(spec.seed, email.text, email.html)
    message.set_boundary(f"=_eh_{digest}")
    if images:
        html_part = message.get_payload()[1]
        for content_id, name, data in images:
            maintype, _, subtype = (mimetypes.guess_type(name)[0] or "image/png").partition("/")
            html_part.add_related(data, maintype=maintype, subtype=subtype, cid=f"<{content_id}>", filename=name)
        html_part.set_boundary(f"=_eh_r_{digest}")  # the related part's boundary, as stable as the outer one
        for part in html_part.iter_parts():
            del part["MIME-Version"]
    return message.as_bytes(policy=policy)
