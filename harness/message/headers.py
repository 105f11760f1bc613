"""A case's headers: the catalog's and the template's ``message:`` rendered in the case's context.

Values are templated like the subject and folded to one line by the same helper, so a fixture
value with a newline cannot smuggle in a header. What comes out is decoded text; the builder
(:mod:`.build`) encodes it (RFC 2047) as the customer's mail client receives it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, formataddr
from typing import Any

from ..fixtures import leaf_values
from .settings import CatalogMessageSettings, DkimSettings, Mailbox

__all__ = ["MessageSpec", "one_line", "render_headers"]

#: Renders a templated value: (source, where) -> text.
Render = Callable[[str, str], str]


@dataclass(frozen=True)
class MessageSpec:
    """What the builder needs for one case's message, every value already rendered."""

    #: (name, value) in the order written: From, Reply-To, To, Subject, Date, Message-ID, then
    #: the extra headers; decoded, one line each.
    headers: tuple[tuple[str, str], ...]
    #: ``transactional`` or ``bulk``.
    kind: str = "transactional"
    #: ``auto``, ``quoted-printable``, ``base64`` or ``8bit``.
    encoding: str = "auto"
    #: Domains the From address may use (the ``message`` rule).
    sending_domains: tuple[str, ...] = ()
    #: Signing settings, or None.
    dkim: DkimSettings | None = None
    #: The PEM key file for DKIM (resolved), or None: the bundled test key.
    dkim_key: str | None = None
    #: Seeds the Message-ID and the MIME boundary: the same case gives the same bytes.
    seed: str = ""
    #: The fixed clock: the ``Date`` header and DKIM's ``t=``.
    now: datetime | None = None
    #: ``linked`` or ``embedded`` (see ``MessageSettings.images``).
    images: str = "linked"
    #: The catalog folder, where embedded images are read from.
    catalog_root: str | None = None

    def get(self, name: str) -> str | None:
        """The first header called ``name`` (any case), or None."""
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)


def one_line(value: str) -> str:
    """The subject's folding: control characters and newlines become spaces, runs of white space
    fold (the same helper, so headers and subject cannot drift apart)."""
    from ..render.pipeline import _one_line

    return _one_line(value)


def _field(data: Any, path: str) -> str | None:
    """The scalar at ``path`` (``email``, ``customer.email``) in fixture data, or None."""
    for found, value in leaf_values(data):
        if found == path and value is not None and not isinstance(value, (dict, list, tuple)):
            return str(value)
    return None


def _mailbox(box: Mailbox, render: Render, where: str) -> str:
    name = one_line(render(box.name, f"{where}.name")) if box.name else ""
    address = one_line(render(box.address, f"{where}.address"))
    return formataddr((name, address)) if name else address


def render_headers(
    settings: CatalogMessageSettings, *, subject: str, fixture_data: Any, now: datetime, seed: str, render: Render,
    where: str, key_path: str | None = None, catalog_root: str | None = None,
) -> MessageSpec:
    """The headers of one case's message. ``render(source, where)`` fills a templated value
    (identity for templates shipped as they are); ``where`` names the metadata file."""
    from ..render.formatting import seeded_token

    headers: list[tuple[str, str]] = []
    sender = _mailbox(settings.from_, render, f"{where}: message.from") if settings.from_ else ""
    if sender:
        headers.append(("From", sender))
    if settings.reply_to is not None:
        headers.append(("Reply-To", _mailbox(settings.reply_to, render, f"{where}: message.reply_to")))
    address = one_line(_field(fixture_data, settings.to or "email") or "")
    if address:
        name = one_line(_field(fixture_data, settings.to_name) or "") if settings.to_name else ""
        headers.append(("To", formataddr((name, address)) if name else address))
    headers.append(("Subject", subject))
    headers.append(("Date", format_datetime(now)))
    domain = sender.rpartition("@")[2].rstrip(">").strip() or "localhost"
    headers.append(("Message-ID", f"<{seeded_token(seed, 'message-id', length=32)}@{domain}>"))
    for name, source in settings.headers.items():
        value = one_line(render(source, f"{where}: message.headers.{name}"))
        if value:
            headers.append((name, value))
    return MessageSpec(
        headers=tuple(headers), kind=settings.kind or "transactional", encoding=settings.encoding or "auto",
        sending_domains=tuple(settings.sending_domains), dkim=settings.dkim, dkim_key=key_path, seed=seed, now=now,
        images=settings.images or "linked", catalog_root=catalog_root,
    )
