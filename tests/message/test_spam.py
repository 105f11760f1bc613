"""The ``spam-score`` rule (issue 28 item 7): SpamAssassin offline, one spamd for the run, gone
after it; the rules that fired in the finding; scores cached by message hash; without
SpamAssassin a note that says how to install it."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from harness.cases import Case
from harness.message import spam

from .project import MessageProject

SPAMMY_SUBJECT = 'subject: "FREE!!! CLAIM YOUR $$$ CASH PRIZE NOW - 100% FREE - ACT NOW"\n'
SPAMMY_HTML = """<html lang="en"><head><title>WINNER</title></head><body>
<p style="font-size:40px;color:#ff0000"><b>CONGRATULATIONS WINNER!!! You have been SELECTED to receive $1,000,000 CASH!!!</b></p>
<p>100% FREE. No credit check. Risk free. Act now, this offer expires TODAY! Click here to claim your prize.
Buy viagra cheap. Lose weight fast. Earn extra cash from home. Double your income. Limited time offer!
Dear friend, this is not spam. To be removed from our mailing list click below.</p>
<a href="https://shop.example.com/claim">CLICK HERE NOW!!!</a>
</body></html>
"""

needs_spamd = pytest.mark.skipif(spam._binary() is None, reason="SpamAssassin is not installed here (make setup installs it)")


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def with_rule(shop: MessageProject, options: str = "{}") -> MessageProject:
    shop.write("templates/_catalog.yaml", (shop.root / "templates/_catalog.yaml").read_text() + f"rules:\n  spam-score: {options}\n")
    return shop


@needs_spamd
def test_a_spammy_template_fails_with_the_rules_that_fired_and_spamd_is_gone_after(shop: MessageProject) -> None:
    with_rule(shop)
    shop.write("templates/order.yaml", SPAMMY_SUBJECT)
    shop.write("templates/order.html", SPAMMY_HTML)
    with shop.engine() as engine:
        result = engine.check(Case.parse("order[en-ada]"))
        daemon = spam.running()
        assert daemon is not None
        pid, port = daemon.process.pid, daemon.port
    (finding,) = [f for f in result.findings if f.rule == "spam-score"]
    assert result.status == "failed" and finding.severity == "error" and finding.expected == "under 5.0"
    assert finding.message.startswith("SpamAssassin scores the message ")
    assert "SUBJ_ALL_CAPS" in finding.message or "FREE" in finding.message  # the rules that fired, by name
    assert spam.running() is None and daemon.process.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the process is gone, not merely idle
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


@needs_spamd
def test_a_plain_receipt_passes_and_an_unchanged_rerun_is_not_scored_again(shop: MessageProject, monkeypatch: pytest.MonkeyPatch) -> None:
    with_rule(shop)
    first = shop.check()
    assert [f for f in first.findings if f.rule == "spam-score"] == []

    def no_spamd(*args: object, **kwargs: object) -> None:
        raise AssertionError("spamd started although the message was scored before")

    monkeypatch.setattr(spam, "Spamd", no_spamd)
    assert [f for f in shop.check().findings if f.rule == "spam-score"] == []  # from the cache


def test_thresholds_come_from_the_options(shop: MessageProject, monkeypatch: pytest.MonkeyPatch) -> None:
    with_rule(shop, "{error_at: 2.0, warning_at: 1.0}")
    fake = spam.SpamResult(1.5, (("MPART_ALT_DIFF", 0.7, "HTML and text parts are different"), ("HTML_IMAGE_RATIO_02", 0.8, "..."),
                                 ("NO_RELAYS", -0.0, "Informational")))
    monkeypatch.setattr(spam, "score", lambda data, **kwargs: fake)
    (finding,) = [f for f in shop.check().findings if f.rule == "spam-score"]
    assert finding.severity == "warning"
    assert finding.message == "SpamAssassin scores the message 1.5: MPART_ALT_DIFF +0.7, HTML_IMAGE_RATIO_02 +0.8"


def test_without_spamassassin_a_note_says_how_to_install_it(shop: MessageProject, monkeypatch: pytest.MonkeyPatch) -> None:
    with_rule(shop)
    monkeypatch.setattr(spam, "_binary", lambda: None)
    result = shop.check()
    (finding,) = [f for f in result.findings if f.rule == "spam-score"]
    assert result.status == "new" and finding.severity == "note"
    assert "SpamAssassin is not installed" in finding.message and "apt-get install spamassassin spamc spamd" in finding.message


@needs_spamd
def test_the_spamd_of_a_killed_run_is_stopped_by_the_next(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    killed = subprocess.Popen([sys.executable, "-c", (
        "from harness.message.spam import Spamd; import sys, time; d = Spamd(); "
        "print(d.process.pid, d.folder, flush=True); time.sleep(600)")], stdout=subprocess.PIPE, text=True)
    pid, folder = killed.stdout.readline().split()  # type: ignore[union-attr]
    killed.kill()  # SIGKILL: no atexit, no stop()
    killed.wait()
    assert os.path.exists(f"/proc/{pid}")  # spamd outlived its run
    assert int(pid) in spam.reap_orphans()
    def state() -> str:  # "gone", or "Z": exited (a zombie where a container's init does not reap)
        try:
            return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            return "gone"

    for _ in range(200):
        if state() in ("gone", "Z"):
            break
        time.sleep(0.1)
    assert state() in ("gone", "Z") and not Path(folder).exists()
