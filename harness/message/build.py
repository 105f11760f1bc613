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


def build_message(email: RenderedEmail) -> bytes:
    """``email`` as the bytes a mailer hands to SMTP (signed when its spec names DKIM)."""
    spec = email.message_spec
    assert spec is not None, "build_message needs a RenderedEmail with a message_spec"
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
    # The stdlib draws a random boundary; one from the content cannot occur in it by chance.
    digest = hashlib.sha256(f"{spec.seed}\0{email.text}\0{email.html}".encode()).hexdigest()[:32]
    message.set_boundary(f"=_eh_{digest}")
    if images:
        html_part = message.get_payload()[1]
        for content_id, name, data in images:
            maintype, _, subtype = (mimetypes.guess_type(name)[0] or "image/png").partition("/")
            html_part.add_related(data, maintype=maintype, subtype=subtype, cid=f"<{content_id}>", filename=name)
        html_part.set_boundary(f"=_eh_r_{digest}")  # the related part's boundary, as stable as the outer one
        for part in html_part.iter_parts():
            del part["MIME-Version"]
    data = message.as_bytes(policy=policy)
    if spec.dkim is not None:
        from .dkim import sign

        data = sign(data, spec.dkim, key_path=spec.dkim_key, now=spec.now)
    return data
