"""Messages beyond the bundled shop (issue 28 item 8): the examples/ project and a project made
by ``init`` build, send and check their messages too."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.engine import Engine
from harness.project import Project
from harness.scaffold import init_project

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plugins_forgotten: None) -> None:
    """A cache of its own, and the projects' plugins (guards named like the shop's) forgotten after."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_an_init_project_gets_messages(tmp_path: Path) -> None:
    init_project(tmp_path)
    with Engine(Project.load(tmp_path), screenshots=False) as engine:
        results = [engine.check(case) for case in engine.cases()]
    sent = [r for r in results if r.outcome == "sent"]
    assert sent and all("message.txt" in r.received for r in sent)
    assert all(not [f for f in r.findings if f.rule in ("message", "smtp", "dkim") or f.severity == "error"] for r in sent)
    message = sent[0].received["message.txt"].decode()
    assert "From: Example App <hello@app.example.com>\nReply-To: support@example.com\nTo: Ada Lovelace <ada@example.org>\n" in message
    assert (tmp_path / "email-report/messages/welcome/en-new-user.eml").is_file()


def test_the_examples_project_s_messages_are_approved_and_pass(tmp_path: Path) -> None:
    root = REPO / "examples/saas"
    with Engine(Project.load(root).with_paths(output=tmp_path / "report"), screenshots=False) as engine:
        results = [engine.check(case) for case in engine.cases()]
    sent = [r for r in results if r.outcome == "sent"]
    assert sent and all(r.status == "passed" and (root / "snapshots" / r.case.template / r.case.fixture / "message.txt").is_file() for r in sent), [
        (r.case.id, r.status, [f.describe() for f in r.findings]) for r in sent if r.status != "passed"]
