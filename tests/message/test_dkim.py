"""DKIM, offline (issue 28 item 6): each message signed with the bundled test key and ``t=`` from
the fixed clock (byte-stable), verified after the SMTP round trip by a local lookup function;
a header or the body changed after signing fails the case with dkimpy's reason."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from harness.cases import Case
from harness.message.smtp import Postbox
from harness.message.stage import MessageStage

from .project import MessageProject

DKIM = "  dkim: {domain: shop.example.com, selector: test2026}\n"


@pytest.fixture
def signed(shop: MessageProject) -> MessageProject:
    shop.edit("templates/_catalog.yaml", "  to_name: name\n", "  to_name: name\n" + DKIM)
    return shop


def dkim_findings(project: MessageProject, relay: object = None) -> list[str]:
    with project.engine() as engine:
        engine.messages = MessageStage(None, postbox=Postbox(relay=relay))  # type: ignore[arg-type]
        try:
            result = engine.check(Case.parse("order[de-jo]"))
        finally:
            engine.messages.close()
    return [f.message for f in result.findings if f.rule == "dkim"]


def test_signed_with_the_fixed_clock_and_byte_stable(signed: MessageProject) -> None:
    data = signed.mime()
    signature = str(message_from_bytes(data, policy=policy.default)["DKIM-Signature"])
    assert "d=shop.example.com" in signature and "s=test2026" in signature
    assert "t=1793523600;" in signature  # 2026-11-01 09:00 UTC, the project's now
    assert "h=from : reply-to : to : subject : date : message-id" in " ".join(signature.split())
    assert signed.mime() == data


def test_it_verifies_after_the_round_trip(signed: MessageProject) -> None:
    assert dkim_findings(signed) == []


def test_a_signed_header_changed_after_signing_fails(signed: MessageProject) -> None:
    found = dkim_findings(signed, relay=lambda data: data.replace(b"Reply-To: help@", b"Reply-To: phish@", 1))
    assert found == ["the DKIM signature does not verify after the SMTP round trip: the signature did not verify"]


def test_a_relay_rewrapping_lines_fails_with_the_body_hash(signed: MessageProject) -> None:
    # Quoted-printable soft breaks joined, as a relay "repairing" line lengths would.
    def rewrap(data: bytes) -> bytes:
        head, _, body = data.partition(b"\r\n\r\n")
        return head + b"\r\n\r\n" + body.replace(b"=\r\n", b"", 1)

    found = dkim_findings(signed, relay=rewrap)
    assert len(found) == 1 and "body hash mismatch" in found[0]


def test_a_footer_added_after_signing_fails(signed: MessageProject) -> None:
    found = dkim_findings(signed, relay=lambda data: data + b"-- \r\nSent through the corporate relay\r\n")
    assert len(found) == 1 and "body hash mismatch" in found[0]


def test_message_txt_shows_the_signature_without_its_hashes(signed: MessageProject) -> None:
    text = signed.check().received["message.txt"].decode()
    line = next(line for line in text.splitlines() if line.startswith("DKIM-Signature:"))
    assert "bh=…;" in line and line.endswith("b=…")


def test_verified_as_built_with_no_smtp(signed: MessageProject) -> None:
    assert [f for f in signed.check(smtp=False).findings if f.rule == "dkim"] == []
