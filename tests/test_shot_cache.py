"""On a machine whose Chromium differs from the approving one by a patch version (the usual state
of a CI runner or a colleague's laptop): an approval writes only the cases someone changed, a
second unchanged run takes no screenshot, and only ``approve --rebaseline`` writes this
machine's screenshots into ``snapshots/``, saying how many files.

The newer browser is the real one under another version string: the same pixels, another
fingerprint, exactly as Chromium 156.0.8078.114 against the bundled .108 snapshots."""

from __future__ import annotations

import json
import subprocess

import pytest
from typer.testing import CliRunner

from harness.cases import Case
from harness.cli import app
from harness.screenshots import camera as camera_module

#: These tests are about taking shots and the local cache: their sandboxes start with an empty cache.
pytestmark = pytest.mark.cold_shots

#: The cases of three templates, one screenshotted case each: enough to show what is touched.
TEMPLATES = ["refund", "welcome", "delivery_delay"]
ONLY = [arg for name in TEMPLATES for arg in ("--only", f"{name}[*]")]
SHOT_CASES = ["refund[de-refunded]", "welcome[en-new-account]", "delivery_delay[de-delayed]"]


def git(root, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root,
                          capture_output=True, text=True, check=True).stdout


def changed(root) -> list[str]:
    """What ``git status`` lists, apart from the run's report folder."""
    lines = git(root, "status", "--porcelain", "--untracked-files=all").splitlines()
    return sorted(line[3:] for line in lines if not line[3:].startswith("report/"))


@pytest.fixture
def newer(sandbox, monkeypatch):
    """The sandbox under git, on a browser that reports another build than the approving one."""
    monkeypatch.setattr(camera_module, "browser_version", lambda executable: "Chromium 999.0.0.1")
    monkeypatch.chdir(sandbox.root)
    git(sandbox.root, "init", "-q")
    git(sandbox.root, "add", "-A")
    git(sandbox.root, "commit", "-q", "-m", "approved elsewhere")
    return sandbox


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_updating_one_template_on_another_browser_touches_only_its_snapshot_folders(newer):
    newer.edit("templates/refund.yaml", "bis zu 5 Werktage", "bis zu 7 Werktage")
    result = run("run", "--update", *ONLY)
    assert result.exit_code == 0, result.output
    files = changed(newer.root)
    assert "snapshots/refund/de-refunded/body.html" in files and "snapshots/refund/de-refunded/manifest.json" in files
    assert all(f.startswith("snapshots/refund/") or f == "templates/refund.yaml" for f in files), files
    # The unchanged cases' shots went to the local cache, which git never sees.
    assert (newer.root / ".cache/email-harness/shots").is_dir()


def test_approving_one_template_on_another_browser_touches_only_its_snapshot_folders(newer):
    newer.edit("templates/refund.yaml", "bis zu 5 Werktage", "bis zu 7 Werktage")
    result = run("approve", *(f"{name}[*]" for name in TEMPLATES))
    assert result.exit_code == 0, result.output
    files = changed(newer.root)
    assert all(f.startswith("snapshots/refund/") or f == "templates/refund.yaml" for f in files), files
    written = [f for f in files if f.startswith("snapshots/")]
    assert f"wrote {len(written)} file(s) in " in result.output
    assert "unchanged: welcome[en-new-account]\n  approved on another browser (" in result.output
    assert "'email-harness approve --rebaseline' writes them" in result.output


def test_a_second_unchanged_run_on_another_browser_takes_no_screenshot(newer):
    cases = [Case.parse(c) for c in SHOT_CASES]
    with newer.engine(screenshots=True) as first:
        assert [first.check(c).screenshots for c in cases] == ["taken"] * 3
        assert first.camera is not None and first.camera.loads > 0
    with newer.engine(screenshots=True) as second:
        results = [second.check(c) for c in cases]
        assert [r.screenshots for r in results] == ["cached"] * 3 and all(r.status == "passed" for r in results)
        assert second.camera is not None and second.camera.loads == 0 and second.camera._browser is None
        assert second.stopwatch.calls["screenshot"] == 0
        # The derived text parts too: from the snapshot, or from the cache where an older
        # harness derived the snapshot's.
        assert second.stopwatch.calls["text"] == 0
        assert second.cache is not None and second.cache.rejected == 0
        assert "this machine's shots are kept in the local cache" in second.environment_notes()[0]
    # Without the cache, the same run shoots again: the approved PNGs name another browser.
    with newer.engine(screenshots=True, cache=False) as uncached:
        assert uncached.check(cases[0]).screenshots == "taken" and uncached.camera.loads > 0
    assert changed(newer.root) == []


def test_a_tampered_cache_entry_is_ignored_and_shot_again(newer):
    case = Case.parse("refund[de-refunded]")
    with newer.engine(screenshots=True) as first:
        first.check(case)
    (entry,) = (newer.root / ".cache/email-harness/shots").iterdir()
    data = bytearray(entry.read_bytes())
    data[-100] ^= 0xFF  # a byte of the last PNG: the entry's hash no longer matches
    entry.write_bytes(bytes(data))
    with newer.engine(screenshots=True) as second:
        result = second.check(case)
        assert result.screenshots == "taken" and result.status == "passed"
        assert second.cache is not None and second.cache.rejected == 1 and second.camera.loads > 0
    with newer.engine(screenshots=True) as third:  # the entry was replaced by this browser's shots
        assert third.check(case).screenshots == "cached"


def test_rebaseline_writes_this_browser_s_shots_and_says_how_many_files(newer):
    newer.edit("templates/refund.yaml", "bis zu 5 Werktage", "bis zu 7 Werktage")  # a real change: stays pending
    result = run("approve", "--rebaseline", *(f"{name}[*]" for name in TEMPLATES))
    assert result.exit_code == 0, result.output
    assert "1 case(s) with changes stay pending" in result.output
    files = [f for f in changed(newer.root) if f.startswith("snapshots/")]
    # Same pixels on this browser, same texts: only manifests (browser fingerprint, and what an
    # older harness recorded), never the pending case.
    assert "snapshots/welcome/en-new-account/manifest.json" in files and "snapshots/delivery_delay/de-delayed/manifest.json" in files
    assert all(f.endswith("/manifest.json") and not f.startswith("snapshots/refund/de-refunded/") for f in files), files
    assert f"wrote {len(files)} file(s) in {len(files)} case folder(s) under snapshots/" in result.output
    assert "re-baselined: welcome[en-new-account]" in result.output
    manifest = json.loads((newer.root / "snapshots/welcome/en-new-account/manifest.json").read_text())
    assert manifest["screenshots"]["fingerprint"]["browser"] == "Chromium 999.0.0.1"
    with newer.engine(screenshots=True) as engine:  # now approved on this browser: reused, not even cached
        assert engine.check(Case.parse("welcome[en-new-account]")).screenshots == "reused"
