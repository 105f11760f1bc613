"""What the ``spam-score`` rule promises, with SpamAssassin's answer given here (issue 25).

The rule asks :func:`harness.message.spam.score` for the message's score; these tests put a
fixed :class:`SpamResult` (or SpamAssassin missing) in its place, so no ``spamd`` runs, and pin
the verdict at each threshold and the finding a template author reads.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.message import spam
from harness.message.headers import MessageSpec
from harness.message.spam import INSTALL_HINT, SpamResult, Unavailable
from harness.rules.builtin.spam import SpamScoreOptions
from harness.render import RenderedEmail
from harness.rules import Finding

from .build import check, email, page, run

MESSAGE = b"From: orders@shop.example.com\r\nTo: ada@example.net\r\n\r\nYour order has shipped.\r\n"
FIRED = (("HTML_IMAGE_ONLY_16", 1.6, "HTML: images with 1200-1600 bytes of words"),
         ("MIME_HTML_ONLY", 0.7, "Message only has text/html MIME parts"),
         ("NO_RELAYS", -0.0, "Informational: message was not relayed via SMTP"),
         ("DKIM_VALID", -0.1, "Message has at least one valid DKIM or DK signature"))


def mail() -> RenderedEmail:
    rendered = replace(email(page("<p>Your order has shipped.</p>")), message_spec=MessageSpec(headers=()))
    rendered.__dict__["mime"] = MESSAGE
    return rendered


@pytest.fixture
def scores(monkeypatch: pytest.MonkeyPatch):
    """``scores(total, rules)``: SpamAssassin answers ``total`` for :data:`MESSAGE`."""

    def answer(total: float, rules: tuple[tuple[str, float, str], ...] = FIRED) -> None:
        def score(message: bytes) -> SpamResult:
            assert message == MESSAGE  # the rule scores the message as sent
            return SpamResult(total, rules)

        monkeypatch.setattr(spam, "score", score)

    return answer


def finding(severity: str, total: str, expected: str, fired: str = "HTML_IMAGE_ONLY_16 +1.6, MIME_HTML_ONLY +0.7, DKIM_VALID -0.1") -> Finding:
    return Finding("spam-score", severity, f"SpamAssassin scores the message {total}: {fired}", "message", expected)


def test_from_error_at_the_message_fails_with_the_rules_that_fired(scores):
    scores(5.0)
    assert check("spam-score", mail()) == [finding("error", "5.0", "under 5.0")]
    scores(7.25)
    assert check("spam-score", mail()) == [finding("error", "7.2", "under 5.0")]


def test_from_warning_at_below_error_at_it_is_a_warning(scores):
    scores(4.9)
    assert check("spam-score", mail()) == [finding("warning", "4.9", "under 3.0")]
    scores(3.0)
    assert check("spam-score", mail()) == [finding("warning", "3.0", "under 3.0")]


def test_below_warning_at_nothing_is_found(scores):
    scores(2.9)
    assert check("spam-score", mail()) == []
    scores(-1.0)
    assert check("spam-score", mail()) == []


def test_the_thresholds_are_options(scores):
    scores(6.0)
    assert check("spam-score", mail(), error_at=6.5, warning_at=6.0) == [finding("warning", "6.0", "under 6.0")]
    assert check("spam-score", mail(), error_at=6.0, warning_at=4) == [finding("error", "6.0", "under 6.0")]
    assert check("spam-score", mail(), error_at=8, warning_at=6.5) == []
    scores(4.0)
    assert run("spam-score", mail(), warning_at=3.5) == [finding("warning", "4.0", "under 3.5")]  # error_at stays 5.0


def test_equal_thresholds_skip_the_warning(scores):
    scores(4.0)
    assert run("spam-score", mail(), error_at=4, warning_at=4) == [finding("error", "4.0", "under 4.0")]
    scores(3.9)
    assert run("spam-score", mail(), error_at=4, warning_at=4) == []


def test_rules_without_points_are_left_out(scores):
    scores(5.5, (("NO_RELAYS", 0.0, "Informational"), ("LOTS_OF_MONEY", 5.5, "Huge... sums of money")))
    assert check("spam-score", mail()) == [finding("error", "5.5", "under 5.0", "LOTS_OF_MONEY +5.5")]


def test_a_score_from_no_rule_with_points_says_so(scores):
    scores(3.2, (("NO_RELAYS", 0.0, "Informational"),))
    assert check("spam-score", mail()) == [finding("warning", "3.2", "under 3.0", "none with points")]
    scores(3.2, ())
    assert check("spam-score", mail()) == [finding("warning", "3.2", "under 3.0", "none with points")]


def test_without_spamassassin_a_note_says_how_to_install_it(monkeypatch):
    def missing(message: bytes) -> SpamResult:
        raise Unavailable(f"SpamAssassin is not installed (no spamd found): {INSTALL_HINT}")

    monkeypatch.setattr(spam, "score", missing)
    assert check("spam-score", mail()) == [
        Finding("spam-score", "note", f"not scored: SpamAssassin is not installed (no spamd found): {INSTALL_HINT}", "message")]
    assert "apt-get install spamassassin spamc spamd" in INSTALL_HINT and "brew install spamassassin" in INSTALL_HINT


@pytest.mark.parametrize("rendered", [replace(email(page("<p>x</p>")), message_spec=None),
                                      replace(email(page("<p>x</p>"), sent=False), message_spec=MessageSpec(headers=()))],
                         ids=["no message declared", "not sent"])
def test_without_a_message_a_note_says_how_to_declare_one(rendered, scores):
    scores(9.0)
    assert check("spam-score", rendered) == [
        Finding("spam-score", "note", "no message is built: declare message: (from, to...) in _catalog.yaml", "message")]


def test_warning_at_above_error_at_is_a_configuration_error():
    assert run("spam-score", mail(), warning_at=6) == [
        Finding("spam-score", "error", "the rule's options are wrong: options: warning_at 6.0 is above error_at 5.0", "",
                "see 'email-harness rules spam-score'")]
    assert run("spam-score", mail(), error_at=2.5) == [
        Finding("spam-score", "error", "the rule's options are wrong: options: warning_at 3.0 is above error_at 2.5", "",
                "see 'email-harness rules spam-score'")]


def test_equal_thresholds_are_valid_options():
    """Checked on the model itself: the engine keeps options it validated once."""
    assert SpamScoreOptions(error_at=4, warning_at=4).model_dump() == {"error_at": 4.0, "warning_at": 4.0}
    with pytest.raises(ValueError, match="warning_at 4.5 is above error_at 4.0"):
        SpamScoreOptions(error_at=4, warning_at=4.5)
