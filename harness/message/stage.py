"""What the engine does with each sent case's message, after the rules: keep the raw ``.eml`` in
the report (``messages/TEMPLATE/FIXTURE.eml``, for any mail client), send it through the run's
SMTP server and compare what arrived, verify its DKIM signature on what arrived.

Findings are filed under ``smtp`` and ``dkim``, like a rule's, so they fail the case, show in
the report and may be accepted with a reason.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import HarnessError
from ..render import RenderedEmail
from ..rules import Finding
from ..safepaths import check_name
from .dkim import verify
from .smtp import Postbox

__all__ = ["MessageStage", "first_difference"]

#: Tries at keeping a case's raw message while another run empties the same messages/ folder.
KEEP_ATTEMPTS = 3


def first_difference(sent: bytes, received: bytes) -> str:
    """Where two messages first differ, as a line number and both lines (cut short)."""
    ours, theirs = sent.split(b"\r\n"), received.split(b"\r\n")
    for number, (a, b) in enumerate(zip(ours, theirs), 1):
        if a != b:
            return f"line {number}: sent {a[:120]!r}, received {b[:120]!r}"
    return f"sent {len(ours)} lines, received {len(theirs)}"


class MessageStage:
    """One per run. ``output``: the report folder (None: no ``.eml`` files); ``smtp``: send each
    message through a local server (off: DKIM is verified on the message as built)."""

    def __init__(self, output: Path | None, *, smtp: bool = True, postbox: Postbox | None = None) -> None:
        self.output = output
        self.postbox = postbox if postbox is not None else Postbox() if smtp else None
        #: The report's ``messages/`` folder was emptied for this run (workers of ``-j N``: by the parent).
        self.cleared = False
        #: Why the last spam scoring failed, if it did.
        self.spam_problem = ""

    def check(self, email: RenderedEmail, *, spam: bool = False) -> list[Finding]:
        """The ``smtp`` and ``dkim`` findings of ``email``'s message. ``spam``: score it now (rule
        ``spam-score`` reads the score; spamd starts here, outside the rule's time limit)."""
        data = email.mime
        spec = email.message_spec
        if data is None or spec is None:
            return []
        self._keep(email, data)
        if spam:
            from .spam import Unavailable, score

            try:
                score(data)
            except Unavailable:
                pass  # the rule reports it, as a note
            except OSError as exc:  # spamd died mid-run: the rule asks again and says so
                self.spam_problem = str(exc)
        findings: list[Finding] = []
        arrived = data
        if self.postbox is not None:
            delivery = self.postbox.deliver(data)
            if delivery.received is None:
                return [Finding("smtp", "error", f"the local SMTP server refused the message: {delivery.refused}", element="message",
                                expected="a message every relay accepts: lines within 998 octets, 7-bit or 8BITMIME")]
            arrived = delivery.received
            if arrived != data:
                findings.append(Finding("smtp", "error", f"what arrived differs from what was sent ({first_difference(data, arrived)})",
                                        element="message", expected="the message unchanged by the SMTP round trip"))
        if spec.dkim is not None:
            reason = verify(arrived, spec.dkim, key_path=spec.dkim_key, now=spec.now)
            if reason is not None:
                where = "after the SMTP round trip" if self.postbox is not None else "as built"
                findings.append(Finding("dkim", "error", f"the DKIM signature does not verify {where}: {reason}", element="DKIM-Signature",
                                        expected=f"a valid signature of d={spec.dkim.domain}, s={spec.dkim.selector}"))
        return findings

    def _keep(self, email: RenderedEmail, data: bytes) -> None:
        if self.output is None:
            return
        folder = self.output / "messages"
        if not self.cleared:
            self.clear()
        template = check_name(email.template, "template", email.template)
        fixture = check_name(email.fixture, "fixture", email.template)
        path = folder / template / f"{fixture}.eml"
        # Evidence, rewritten every run: replaced whole, but not synced to disk (atomic_write's
        # fsync cost more than building the message). The partial file is this process's own, and
        # a folder emptied meanwhile is made again: two runs at once on one report folder (each
        # empties messages/ as it starts) took each other's partial file and crashed.
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        for attempt in range(1, KEEP_ATTEMPTS + 1):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                partial.write_bytes(data)
                os.replace(partial, path)
                return
            except FileNotFoundError:
                if attempt == KEEP_ATTEMPTS:
                    raise HarnessError(f"{path}: the report's messages folder was removed {KEEP_ATTEMPTS} times while this "
                                       "run wrote to it; is another run using the same --output? Give each run its own") from None
            except OSError as exc:
                partial.unlink(missing_ok=True)
                raise HarnessError(f"{path}: cannot write the raw message ({exc.strerror or exc}); free disk space or "
                                   "fix the report folder's permissions, or pass --output another folder") from None

    def clear(self) -> None:
        """Empty the report's ``messages/`` folder: a report shows one run, no ``.eml`` of a case that is gone."""
        if self.output is not None:
            folder = self.output / "messages"
            if folder.is_symlink() or folder.is_file():
                folder.unlink()  # a planted link is removed as a link, never followed
            else:
                shutil.rmtree(folder, ignore_errors=True)
        self.cleared = True

    def close(self) -> None:
        """Stop the SMTP server and the run's spamd (rule ``spam-score``): nothing left running."""
        from .spam import stop

        if self.postbox is not None:
            self.postbox.close()
        stop()
