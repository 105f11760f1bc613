"""``message:`` of ``_catalog.yaml`` and of a template's metadata: the headers a customer's
message carries, declared once.

The catalog sets the defaults; a template's ``message:`` overrides them field by field, and its
``headers:`` add to the catalog's key by key (``"X-Campaign": ""`` drops one). Every value may use
the template language and the case's context (``account``, the send guards' values, ``token``):
it is rendered like the subject and folded to one line the same way, so a newline in a fixture
value cannot add a header::

    message:
      from: {name: "{{ shop.name }}", address: orders@shop.example.com}
      reply_to: help@shop.example.com
      to: email            # a fixture field path; to_name: name gives the display name
      kind: bulk           # bulk mail needs List-Unsubscribe and RFC 8058 one-click
      headers:
        List-Unsubscribe: "<https://shop.example.com/unsubscribe/{{ token('unsubscribe') }}>"
        List-Unsubscribe-Post: List-Unsubscribe=One-Click
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["CatalogMessageSettings", "DkimSettings", "Mailbox", "MessageSettings", "RESERVED_HEADERS"]

#: A fixture field path as rule options write it, without lists: ``email``, ``customer.email``.
_FIELD_PATH = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*")
#: ``Name <address>``, the name optional.
_ANGLED = re.compile(r"\s*(.*?)\s*<([^<>]*)>\s*", re.S)
#: A header field name (RFC 5322 3.6.8): printable ASCII but the colon.
_HEADER_NAME = re.compile(r"[!-9;-~]{1,76}")
#: Headers the harness writes itself, from ``from``, ``reply_to``, ``to``, the subject, the clock
#: and the MIME structure; an extra header of these names would be a second, conflicting copy.
RESERVED_HEADERS = frozenset(
    name.lower() for name in (
        "From", "Reply-To", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
        "Content-Transfer-Encoding", "DKIM-Signature",
    )
)


class Mailbox(BaseModel):
    """A name and an address; in YAML a mapping, or one string ``"Shop <orders@shop.example>"``."""

    model_config = ConfigDict(extra="forbid")
    #: The display name (templated); may be empty.
    name: str = ""
    #: The address (templated).
    address: str

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            # Split by hand: parseaddr would mangle a templated value ("{{ shop.support_email }}").
            angled = _ANGLED.fullmatch(value)
            if angled:
                return {"name": angled.group(1).strip().strip('"'), "address": angled.group(2).strip()}
            return {"address": value.strip()}
        return value


class MessageSettings(BaseModel):
    """A template's ``message:``; every field overrides the catalog's (``headers`` add to it)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    #: The sender.
    from_: Mailbox | None = Field(None, alias="from")
    #: Where replies go.
    reply_to: Mailbox | None = None
    #: The fixture field holding the recipient's address.
    to: str | None = None
    #: The fixture field holding the recipient's name (optional).
    to_name: str | None = None
    #: ``transactional`` (a receipt, a reset link) or ``bulk`` (newsletters, promotions: Gmail
    #: and Yahoo require one-click unsubscribe, RFC 8058).
    kind: Literal["transactional", "bulk"] | None = None
    #: More headers, name -> templated value; ``""`` drops one the catalog sets.
    headers: dict[str, str] = {}
    #: Transfer encoding of the text and HTML parts: ``auto`` (7-bit clean: quoted-printable or
    #: base64, whichever is shorter), or what the team's mailer does.
    encoding: Literal["auto", "quoted-printable", "base64", "8bit"] | None = None
    #: Images of the catalog the HTML references by a relative path: ``linked`` (left as they
    #: are: the mailer rewrites them to your CDN) or ``embedded`` (``multipart/related`` parts,
    #: ``cid:`` references), as your mailer sends them.
    images: Literal["linked", "embedded"] | None = None

    @field_validator("to", "to_name")
    @classmethod
    def _field_path(cls, value: str | None) -> str | None:
        if value is not None and not _FIELD_PATH.fullmatch(value):
            raise ValueError(f"{value!r} is not a fixture field path such as 'email' or 'customer.email'")
        return value

    @field_validator("headers")
    @classmethod
    def _header_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _HEADER_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a header name (printable ASCII, no ':' or spaces)")
            if name.lower() in RESERVED_HEADERS:
                raise ValueError(f"{name!r} is written by the harness (from, reply_to, to, the subject, the clock, "
                                 "the MIME structure); set it through those fields instead")
        return value


class DkimSettings(BaseModel):
    """Sign every message as the team's mailer does, and verify it after the SMTP round trip."""

    model_config = ConfigDict(extra="forbid")
    #: The signing domain (``d=``).
    domain: str
    #: The selector (``s=``): the key is looked up at ``SELECTOR._domainkey.DOMAIN``.
    selector: str
    #: A PEM private key (a test key, never the production one), from the project folder;
    #: default: the harness's bundled test key.
    key: str | None = None


class CatalogMessageSettings(MessageSettings):
    """``message:`` of ``_catalog.yaml``: the defaults, plus what holds for the whole catalog."""

    #: Domains the catalog may send from; the ``message`` rule checks the From address's domain
    #: (default: the domain of the catalog's own ``from``).
    sending_domains: list[str] = []
    #: DKIM signing (see :class:`DkimSettings`); off when not set.
    dkim: DkimSettings | None = None

    def for_template(self, own: MessageSettings | None) -> CatalogMessageSettings:
        """These defaults with a template's ``message:`` over them."""
        update: dict[str, Any] = {}
        if not self.sending_domains and self.from_ is not None and "{" not in self.from_.address:
            update["sending_domains"] = [self.from_.address.rpartition("@")[2].lower()]
        if own is None:
            return self.model_copy(update=update)
        update |= {name: getattr(own, name) for name in own.model_fields_set if name != "headers"}
        if own.headers:
            merged = {**self.headers, **own.headers}
            update["headers"] = {name: value for name, value in merged.items() if value != ""}
        return self.model_copy(update=update)
