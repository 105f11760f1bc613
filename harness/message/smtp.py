"""The SMTP round trip: one local server for the run (aiosmtpd on 127.0.0.1), each message sent
with ``smtplib`` as a mailer sends it, received, and compared byte for byte with what was built.

What a real relay does on the way shows up here: dot-stuffing undone wrongly, a line over the
SMTP limit refused (``500 Line too long``), 8-bit data without ``8BITMIME``. The server starts on
the first message and :meth:`Postbox.close` stops it; no port stays open after the run.
"""

from __future__ import annotations

import smtplib
import socket
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Delivery", "Postbox"]

#: The envelope: fixed, so the round trip is about the message's bytes (the ``message`` rule
#: checks the addresses in its headers).
ENVELOPE_FROM = "bounces@harness.invalid"
ENVELOPE_TO = "customer@harness.invalid"


class Delivery:
    """What happened to one message: the bytes that arrived, or why none did."""

    def __init__(self, received: bytes | None, refused: str = "") -> None:
        #: The message as the server stored it, or None.
        self.received = received
        #: The server's or the client's words when it was not delivered.
        self.refused = refused


class _Handler:
    """Keeps the last message that arrived (the postbox sends one at a time)."""

    def __init__(self, relay: Callable[[bytes], bytes] | None) -> None:
        self.relay = relay
        self.arrived: bytes | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or b""
        self.arrived = self.relay(content) if self.relay else content
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Postbox:
    """A local SMTP server and a client for it, started on first use. ``relay`` changes what
    arrives, as a misbehaving relay would (tests show the harness noticing)."""

    def __init__(self, *, relay: Callable[[bytes], bytes] | None = None, timeout: float = 10.0) -> None:
        self._handler = _Handler(relay)
        self._controller: Any = None
        self._client: smtplib.SMTP | None = None
        self._lock = threading.Lock()
        self.timeout = timeout
        #: Messages sent through it.
        self.sent = 0

    @property
    def port(self) -> int | None:
        """The server's port while it runs."""
        return self._controller.port if self._controller is not None else None

    def _start(self) -> smtplib.SMTP:
        if self._controller is None:
            from aiosmtpd.controller import Controller

            controller = Controller(self._handler, hostname="127.0.0.1", port=_free_port(), ready_timeout=self.timeout)
            controller.start()
            self._controller = controller
        if self._client is None:
            self._client = smtplib.SMTP("127.0.0.1", self._controller.port, timeout=self.timeout, local_hostname="harness.localhost")
        return self._client

    def deliver(self, message: bytes) -> Delivery:
        """Send ``message`` and return what arrived."""
        with self._lock:
            self._handler.arrived = None
            options = ["BODY=8BITMIME"] if not message.isascii() else []
            try:
                try:
                    self._start().sendmail(ENVELOPE_FROM, [ENVELOPE_TO], message, mail_options=options)
                except smtplib.SMTPServerDisconnected:
                    # The server ends a session idle for five minutes (aiosmtpd's timeout): a
                    # slow run between two messages. Connect again, once.
                    self._drop_client()
                    self._start().sendmail(ENVELOPE_FROM, [ENVELOPE_TO], message, mail_options=options)
            except smtplib.SMTPResponseException as exc:
                if self._client is not None:
                    self._client.rset()
                reason = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
                return Delivery(None, f"{exc.smtp_code} {reason}")
            except (smtplib.SMTPException, OSError) as exc:
                self._drop_client()
                return Delivery(None, str(exc) or type(exc).__name__)
            self.sent += 1
            return Delivery(self._handler.arrived)

    def _drop_client(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            finally:
                self._client = None

    def close(self) -> None:
        """Say goodbye and stop the server; safe to call twice."""
        with self._lock:
            if self._client is not None:
                try:
                    self._client.quit()
                except (smtplib.SMTPException, OSError):
                    pass
                self._drop_client()
            if self._controller is not None:
                self._controller.stop()
                self._controller = None
