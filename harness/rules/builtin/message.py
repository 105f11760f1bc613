"""``message``: the message as a customer's provider receives it, checked where the body rules
cannot look: the headers, the addresses, one-click unsubscribe for bulk mail, line lengths and
Gmail's clipping measured on the encoded parts. Every finding names the header or the part.

It reads :attr:`RenderedEmail.mime`, built once per case and shared with the ``message.txt``
snapshot and the SMTP round trip. A catalog that declares no ``message:`` gets one note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from email.message import Message

from pydantic import Field

from ...message.tree import header_lines, parse
from ..base import Finding, RuleContext, rules
from ..options import RuleOptions

__all__ = ["MessageOptions"]

#: RFC 5322 2.1.1: a line is at most 998 octets without its CRLF.
MAX_LINE = 998
_ONE_CLICK = "List-Unsubscribe=One-Click"
_ANGLED = re.compile(r"<([^<>]*)>")


class MessageOptions(RuleOptions):
    required: list[str] = ["From", "To", "Date", "Message-ID", "Subject", "MIME-Version"]
    """Headers every message carries (RFC 5322 requires From and Date; providers penalize
    mail without Message-ID, To or Subject)."""
    clip_kb: float = Field(102, gt=0)
    """Gmail clips an HTML part above ~102 KB as transferred (encoded): an error above it, a
    warning above 90% of it (the ``size`` rule measures the HTML before encoding)."""


def _addresses(data: bytes, name: str) -> list[str]:
    """The address of each mailbox of header ``name``, as written: the stdlib's parser turns an
    invalid one into "" (or splits it at the second '@'), and the finding must quote it."""
    found = []
    for header, value in header_lines(data):
        if header.lower() != name.lower():
            continue
        for mailbox in value.split(","):
            angled = _ANGLED.findall(mailbox)
            found.append((angled[-1] if angled else mailbox).strip())
    return [address for address in found if address]


@lru_cache(maxsize=4096)
def _invalid(address: str) -> str | None:
    """Why ``address`` is not valid, or None; remembered: From and Reply-To are the same on
    every case, To on every template of an account."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False)  # syntax only: no DNS
    except EmailNotValidError as exc:
        return str(exc)
    return None


def _address_findings(ctx: RuleContext, data: bytes, name: str) -> Iterator[Finding]:
    for address in _addresses(data, name):
        reason = _invalid(address)
        if reason is not None:
            yield ctx.error(f"{name} address {address!r} is not valid: {reason}", element=f"header {name}", expected="a valid address (RFC 5322)")


def _long_lines(ctx: RuleContext, data: bytes, message: Message) -> Iterator[Finding]:
    """Header lines and part lines over 998 octets; ``message`` is ``data`` parsed (once per rule run)."""
    head, _, body = data.partition(b"\r\n\r\n")
    header = ""
    for line in head.split(b"\r\n"):
        if line[:1] not in (b" ", b"\t"):
            header = line.partition(b":")[0].decode("ascii", "replace")
        if len(line) > MAX_LINE:
            yield ctx.error(f"a line of header {header} is {len(line):,} octets; SMTP allows {MAX_LINE}, a relay rewraps or refuses it",
                            element=f"header {header}", expected="headers folded within 998 octets a line")
    for part in message.walk():
        if part.is_multipart():
            continue
        # compat32 gives a leaf part's payload as text, octets its charset cannot read already
        # replaced: encoded again, it is the part's lines as sent (at least one, maybe empty).
        raw = part.get_payload().encode()
        lines = raw.split(b"\n")
        if max(map(len, lines)) <= MAX_LINE:  # with their CRs, at most as long: measured one by one only if not
            continue
        longest = max(len(line.rstrip(b"\r")) for line in lines)
        if longest > MAX_LINE:
            yield ctx.error(f"the {part.get_content_type()} part has a line of {longest:,} octets; SMTP allows {MAX_LINE}, a relay rewraps "
                            f"or refuses it (encoded as {part.get('Content-Transfer-Encoding', '7bit')})",
                            element=f"{part.get_content_type()} part", expected="encoding: auto (quoted-printable or base64) or shorter lines")


@rules.register("message", options=MessageOptions)
def message_rule(ctx: RuleContext) -> Iterator[Finding]:
    """Required headers, valid addresses, From among the sending domains, one-click unsubscribe
    for bulk mail, lines within 998 octets, the HTML part under Gmail's clipping size as
    encoded, a text part."""
    data, spec = ctx.email.mime, ctx.email.message_spec
    if data is None or spec is None:
        yield ctx.note("no message is built: declare message: (from, to...) in _catalog.yaml", element="message",
                       expected="the headers the customer's message carries")
        return
    message = parse(data)
    for name in ctx.options.get("required", MessageOptions().required):
        if name not in message:
            yield ctx.error(f"the message has no {name} header", element=f"header {name}", expected=f"{name}: set it under message: in the metadata")
    for name in ("From", "To", "Reply-To"):
        yield from _address_findings(ctx, data, name)
    senders = _addresses(data, "From")
    domains = [d.lower() for d in spec.sending_domains]
    for sender in senders:
        domain = sender.rpartition("@")[2].lower()
        if domains and domain not in domains:
            yield ctx.error(f"From domain {domain!r} is not one of the catalog's sending domains", element="header From",
                            expected=f"one of {domains} (message.sending_domains in _catalog.yaml)")
    if spec.kind == "bulk":
        unsubscribe = str(message.get("List-Unsubscribe") or "")
        if "<https://" not in unsubscribe:
            yield ctx.error("bulk mail without a one-click unsubscribe link", element="header List-Unsubscribe",
                            expected="List-Unsubscribe: <https://...> (RFC 8058; Gmail and Yahoo require it of bulk senders)")
        if str(message.get("List-Unsubscribe-Post") or "").strip() != _ONE_CLICK:
            yield ctx.error("bulk mail without List-Unsubscribe-Post", element="header List-Unsubscribe-Post",
                            expected=f"List-Unsubscribe-Post: {_ONE_CLICK} (RFC 8058)")
    yield from _long_lines(ctx, data, message)
    clip_kb = float(ctx.options.get("clip_kb", 102))
    limit = clip_kb * 1024
    html = next((p for p in message.walk() if p.get_content_type() == "text/html"), None)
    if html is not None:
        size = len(str(html.get_payload()).encode("utf-8", "surrogateescape"))
        # The limit as configured (1.5 KB, not "2 KB"): a part between the two is clipped.
        if size > limit:
            yield ctx.error(f"the HTML part is {size / 1024:.1f} KB as encoded; Gmail clips it", element="text/html part", expected=f"under {clip_kb:g} KB")
        elif size > 0.9 * limit:
            yield ctx.warning(f"the HTML part is {size / 1024:.1f} KB as encoded, close to Gmail's clipping size", element="text/html part",
                              expected=f"under {clip_kb:g} KB")
    text = next((p for p in message.walk() if p.get_content_type() == "text/plain"), None)
    if text is None or not (text.get_payload(decode=True) or b"").strip():
        yield ctx.error("the message has no text part", element="text/plain part", expected="multipart/alternative with a text/plain part first")
