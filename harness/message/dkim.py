"""DKIM, offline: sign as the team's mailer would (dkimpy, relaxed/simple), verify after the SMTP
round trip with the public key served by a local lookup function, never DNS.

``t=`` comes from the project's fixed clock, so a signed message is byte-stable (RSA PKCS#1
v1.5 signatures are deterministic). The bundled key (``data/dkim-test-key.pem``) is a published
test key: it proves the message survives the trip, it must never sign real mail.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from ..errors import TemplateError
from .settings import DkimSettings

__all__ = ["TEST_KEY", "public_record", "sign", "verify"]

#: The harness's fixed test key, used when ``dkim.key`` names none.
TEST_KEY = Path(__file__).with_name("data") / "dkim-test-key.pem"
#: Headers signed when present: what a reader sees and what a relay must not change.
SIGNED = ("from", "reply-to", "to", "subject", "date", "message-id", "mime-version", "content-type",
          "list-unsubscribe", "list-unsubscribe-post")
_CLOCK = threading.Lock()


@contextmanager
def _clock(now: datetime | None) -> Iterator[None]:
    """dkimpy reads ``time.time()`` for ``t=`` and for the "signed in the future" check: give it
    the project's clock for the duration (one thread at a time)."""
    import dkim

    if now is None:
        yield
        return

    class _Fixed:
        @staticmethod
        def time() -> float:
            return now.timestamp()

    with _CLOCK:
        real = dkim.time
        dkim.time = _Fixed  # type: ignore[assignment]
        try:
            yield
        finally:
            dkim.time = real


@lru_cache(maxsize=8)
def _key(path: str | None) -> bytes:
    where = Path(path) if path else TEST_KEY
    try:
        return where.read_bytes()
    except OSError as exc:
        raise TemplateError(f"{where}: the DKIM key (message.dkim.key in _catalog.yaml) cannot be read ({exc.strerror or exc}); "
                            "give a PEM private key in the catalog folder, or leave key out for the bundled test key") from None


def sign(message: bytes, settings: DkimSettings, *, key_path: str | None, now: datetime | None) -> bytes:
    """``message`` with a ``DKIM-Signature`` header on top."""
    import dkim

    present = {line.split(b":", 1)[0].strip().lower() for line in message.split(b"\r\n\r\n", 1)[0].split(b"\r\n") if b":" in line}
    headers = [name.encode() for name in SIGNED if name.encode() in present]
    try:
        with _clock(now):
            signature = dkim.sign(message, settings.selector.encode(), settings.domain.encode(), _key(key_path),
                                  include_headers=headers, linesep=b"\r\n")
    except dkim.DKIMException as exc:
        raise TemplateError(f"message.dkim in _catalog.yaml: dkimpy cannot sign with this key and domain: {exc}") from None
    return signature + message


@lru_cache(maxsize=8)
def public_record(key_path: str | None) -> bytes:
    """The DNS TXT record a domain would publish for the key (``v=DKIM1; k=rsa; p=...``)."""
    from dkim.crypto import parse_pem_private_key

    private = parse_pem_private_key(_key(key_path))
    der = _der(0x30, _der_int(private["modulus"]) + _der_int(private["publicExponent"]))  # RSAPublicKey
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)


def _der(tag: int, content: bytes) -> bytes:
    """One DER element (dkimpy's own ASN.1 builder has no INTEGER)."""
    size = len(content)
    length = bytes([size]) if size < 0x80 else bytes([0x80 | (size.bit_length() + 7) // 8]) + size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag]) + length + content


def _der_int(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))  # + 1: a leading zero keeps it positive


class _Reasons(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def verify(message: bytes, settings: DkimSettings, *, key_path: str | None, now: datetime | None) -> str | None:
    """None when the signature verifies, else dkimpy's reason."""
    import dkim

    expected = f"{settings.selector}._domainkey.{settings.domain}."

    def dnsfunc(name: bytes | str, timeout: float = 5) -> bytes | None:
        asked = name.decode() if isinstance(name, bytes) else name
        return public_record(key_path) if asked.rstrip(".") + "." == expected else None

    logger = logging.getLogger(f"harness.message.dkim.{id(message)}")
    logger.propagate = False
    reasons = _Reasons()
    logger.addHandler(reasons)
    try:
        with _clock(now):
            checker = dkim.DKIM(message, logger=logger)
            ok = checker.verify(dnsfunc=dnsfunc)
    except dkim.DKIMException as exc:
        return str(exc)
    finally:
        logger.removeHandler(reasons)
    if ok:
        return None
    # dkimpy logs why (body hash mismatch, signature did not verify) before returning False.
    why = [m for m in reasons.messages if "mismatch" in m or "verif" in m or "did not" in m] or reasons.messages
    return why[-1] if why else "the signature did not verify"
