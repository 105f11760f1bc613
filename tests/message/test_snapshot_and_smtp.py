"""The message snapshot (issue 28 item 3) and the SMTP round trip (item 4): ``message.txt`` in the
snapshot store like every part, the raw ``.eml`` in the report, each message sent through one
local server and compared with what arrived; the server gone after the run."""

from __future__ import annotations

import socket

import pytest

from harness.cases import Case
from harness.message.smtp import Delivery, Postbox
from harness.message.stage import MessageStage

from .project import MessageProject


def test_message_txt_shows_headers_then_the_mime_tree(shop: MessageProject) -> None:
    result = shop.check("order[de-jo]")
    assert result.status == "new"
    text = result.received["message.txt"].decode()
    head, tree = text.split("\n\n")
    assert "Subject: =?utf-8?b?" in head and "  decoded: Grüße Jürgen Müller: Ihre Bestellung NW-1234" in head
    assert 'Content-Type: multipart/alternative; boundary="…"' in head  # derived from the body: not a change of its own
    assert tree.splitlines()[0] == "multipart/alternative"
    assert tree.splitlines()[1].startswith("  text/plain; charset=utf-8; quoted-printable; ")
    assert tree.splitlines()[2].startswith("  text/html; charset=utf-8; quoted-printable; ")


def test_a_changed_header_fails_exactly_the_affected_cases_with_a_diff(shop: MessageProject) -> None:
    with shop.engine(update=True) as engine:
        for case in engine.cases():
            engine.check(case)
        engine.flush()
    shop.write("templates/order.yaml", 'subject: "Grüße {{ account.name }}: Ihre Bestellung NW-1234"\n'
               "message:\n  reply_to: \"{{ 'billing@shop.example.com' if account.locale == 'de' else 'help@shop.example.com' }}\"\n")
    assert shop.check("order[en-ada]").status == "passed"
    changed = shop.check("order[de-jo]")
    assert changed.status == "changed" and [c.filename for c in changed.changes] == ["message.txt"]
    assert "-Reply-To: help@shop.example.com\n+Reply-To: billing@shop.example.com" in changed.changes[0].diff


def test_the_raw_eml_is_in_the_report_for_each_case(shop: MessageProject) -> None:
    with shop.engine() as engine:
        email = engine.render(Case.parse("order[de-jo]"))
        engine.check(Case.parse("order[de-jo]"))
    assert (shop.root / "report/messages/order/de-jo.eml").read_bytes() == email.mime


def test_every_message_goes_through_one_local_smtp_server_which_is_gone_after(shop: MessageProject) -> None:
    with shop.engine(smtp=True) as engine:
        results = [engine.check(case) for case in engine.cases()]
        postbox = engine.messages.postbox
        assert postbox is not None and postbox.sent == 2
        port = postbox.port
        assert port is not None
    assert all(not [f for f in r.findings if f.rule == "smtp"] for r in results)
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass  # nothing listens any more
    assert postbox.port is None


def test_what_a_relay_changes_on_the_way_fails_the_case(shop: MessageProject) -> None:
    rewrap = Postbox(relay=lambda data: data.replace(b"=\r\n", b"\r\n", 1))
    with shop.engine() as engine:
        engine.messages = MessageStage(None, postbox=rewrap)
        result = engine.check(Case.parse("order[en-ada]"))
    (finding,) = [f for f in result.findings if f.rule == "smtp"]
    assert result.status == "failed" and finding.element == "message"
    assert "what arrived differs from what was sent (line " in finding.message


def test_a_line_over_the_smtp_limit_is_refused_by_the_server(shop: MessageProject) -> None:
    shop.edit("templates/_catalog.yaml", "to_name: name", "to_name: name\n  encoding: 8bit")
    shop.edit("templates/order.html", "View</a>", "View</a>" + "x" * 1200)
    result = shop.check(smtp=True)
    (finding,) = [f for f in result.findings if f.rule == "smtp"]
    assert finding.message.startswith("the local SMTP server refused the message: 500 Line too long")


def test_no_smtp_sends_nothing(shop: MessageProject) -> None:
    with shop.engine(smtp=False) as engine:
        assert engine.messages.postbox is None
        assert engine.check(Case.parse("order[en-ada]")).status == "new"


def test_run_no_smtp_skips_the_round_trip(shop: MessageProject, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from harness.cli import app

    sent: list[bytes] = []

    def deliver(self: Postbox, data: bytes) -> Delivery:  # counts, and delivers unchanged
        sent.append(data)
        return Delivery(data)

    monkeypatch.setattr(Postbox, "deliver", deliver)
    monkeypatch.chdir(shop.root)
    CliRunner().invoke(app, ["run", "--no-screenshots"], catch_exceptions=False)
    assert len(sent) == 2
    CliRunner().invoke(app, ["run", "--no-screenshots", "--no-smtp"], catch_exceptions=False)
    assert len(sent) == 2  # none more
    assert (shop.root / "report/messages/order/en-ada.eml").is_file()  # still built and kept


def test_pytest_takes_no_smtp_too(shop: MessageProject, pytester: pytest.Pytester) -> None:
    for path in shop.root.rglob("*"):
        if path.is_file():
            target = pytester.path / path.relative_to(shop.root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    pytester.makeconftest(
        "from harness.message.smtp import Postbox\n"
        "def pytest_configure(config):\n"
        "    def refuse(self, data):\n"
        "        raise AssertionError('sent although --no-smtp')\n"
        "    Postbox.deliver = refuse\n"
    )
    result = pytester.runpytest_subprocess("--no-screenshots", "--no-smtp", "--update-snapshots", "-p", "no:cacheprovider", "templates")
    result.assert_outcomes(passed=2)


def test_a_session_the_server_closed_is_opened_again() -> None:
    postbox = Postbox()
    try:
        message = b"From: a@shop.example.com\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nhello\r\n"
        assert postbox.deliver(message).received == message
        postbox._client.docmd("QUIT")  # as aiosmtpd does after five idle minutes  # type: ignore[union-attr]
        again = postbox.deliver(message)
        assert (again.received, again.refused) == (message, "")
    finally:
        postbox.close()
