"""Screenshots: byte-stable, offline, a moved element is caught, and a browser change is reported
once instead of failing every case."""

from __future__ import annotations

import http.server
import io
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from PIL import Image, ImageDraw

from harness.cases import Case
from harness.errors import SnapshotError
from harness.screenshots import VIEWPORTS, Camera, compare_png
from harness.snapshots import SnapshotStore

#: These tests are about taking shots and the local cache: their sandboxes start with an empty cache.
pytestmark = pytest.mark.cold_shots

CASE = "order_confirmation[en-one-order]"


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Camera]:
    assets = tmp_path_factory.mktemp("catalog")
    (assets / "assets").mkdir()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(assets / "assets" / "badge.png")
    (assets / "_secret.txt").write_text("not served")
    with Camera(assets) as cam:
        yield cam


def _png(draw_at: int, height: int = 200) -> bytes:
    image = Image.new("RGB", (300, height), "white")
    ImageDraw.Draw(image).rectangle((20, draw_at, 120, draw_at + 30), fill=(11, 92, 171))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_the_same_html_gives_the_same_png_bytes_in_two_browsers(bundled, tmp_path):
    html = bundled.render(Case.parse(CASE)).html
    shots = []
    for _ in range(2):  # two launches: nothing carried over but the disk
        with Camera(tmp_path) as cam:
            shots.append(cam.shoot(html, [VIEWPORTS["desktop"], VIEWPORTS["mobile-dark"]]).pngs)
    assert shots[0] == shots[1]
    assert Image.open(io.BytesIO(shots[0]["desktop"])).width == 800
    assert Image.open(io.BytesIO(shots[0]["mobile-dark"])).width == 375


def test_an_element_moved_by_three_pixels_is_caught_with_a_diff_image():
    diff = compare_png(_png(50), _png(53))
    assert diff.changed_pixels > 0
    assert "pixels differ" in diff.describe()
    highlighted = Image.open(io.BytesIO(diff.diff_png)).convert("RGB")
    assert highlighted.getpixel((70, 51)) == (255, 0, 0)  # a changed pixel, in pixelmatch's red
    assert compare_png(_png(50), _png(50)).changed_pixels == 0


def test_a_taller_page_is_a_change_with_both_sizes_not_a_crash():
    diff = compare_png(_png(50, height=200), _png(50, height=260))
    assert diff.changed_pixels >= 300 * 60
    assert "size 300x200 -> 300x260 px" in diff.describe()


def test_a_truncated_png_is_a_clear_error():
    with pytest.raises(SnapshotError, match="approved desktop.png: not a readable PNG"):
        compare_png(_png(50)[:200], _png(53), label="desktop.png")


def test_a_page_full_of_remote_resources_makes_no_network_request_and_finishes_fast(camera):
    """Web fonts, remote images, a tracking pixel, a script and a beacon: each is answered inside
    the browser. A real server on this machine proves that nothing reaches the network."""
    hits: list[str] = []

    class Spy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Spy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    spy = f"http://127.0.0.1:{server.server_port}"
    html = f"""<html><head>
      <link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Roboto">
      <link rel="stylesheet" href="{spy}/style.css">
      <style>@font-face {{ font-family: X; src: url({spy}/font.woff2); }} body {{ font-family: X }}</style>
      </head><body>
      <img src="https://images.unreachable.example/hero.jpg" width="600" height="200" alt="hero">
      <img src="{spy}/open.gif?u=1" width="1" height="1" alt="">
      <img src="assets/badge.png" width="40" height="20" alt="badge">
      <script src="{spy}/track.js"></script>
      <script>navigator.sendBeacon("{spy}/beacon"); fetch("{spy}/fetch").catch(() => 0);</script>
      </body></html>"""
    try:
        # Against the same page with nothing to fetch, shot just before: a fixed number of seconds
        # fails on a loaded machine, while a lookup of a dead host waits seconds per resource.
        started = time.perf_counter()
        camera.shoot('<html><body><div style="height:200px">x</div></body></html>', [VIEWPORTS["desktop"]])
        plain = time.perf_counter() - started
        started = time.perf_counter()
        shots = camera.shoot(html, [VIEWPORTS["desktop"]])
        elapsed = time.perf_counter() - started
    finally:
        server.shutdown()
    assert hits == []
    assert elapsed < 2 * plain + 2.5, f"{elapsed:.1f} s with remote resources, {plain:.1f} s without"
    log = sum((router.log for router in camera.routers), Counter())  # the screenshot and check pages'
    assert log["image"] >= 2 and log["stylesheet"] >= 2 and log["local"] >= 1  # scripts: off, never fetched
    # The remote 600x200 image keeps its box: the page is at least that tall.
    assert Image.open(io.BytesIO(shots.pngs["desktop"])).height >= 200


def test_local_assets_are_served_only_from_inside_the_catalog(camera):
    html = """<img id=a src="assets/badge.png"><img id=b src="../../etc/passwd"><img id=c src="_secret.txt">"""
    camera.shoot(html, [VIEWPORTS["mobile"]])
    page = camera._page
    widths = page.evaluate("[...document.images].map(i => i.naturalWidth)")
    assert widths == [40, 0, 0]


def test_identical_html_is_shot_once_per_run(bundled, tmp_path):
    html = bundled.render(Case("service_update", "en-one-order")).html
    with Camera(tmp_path) as cam:
        first = cam.shoot(html, [VIEWPORTS["desktop"]])
        second = cam.shoot(html, [VIEWPORTS["desktop"]])
        assert cam.loads == 1 and first is second


# -- through the engine --------------------------------------------------------------------


def test_approved_screenshots_are_reused_when_html_and_browser_are_unchanged(sandbox):
    sandbox.rebaseline(CASE)
    with sandbox.engine(screenshots=True) as engine:
        result = engine.check(Case.parse(CASE))
        assert result.ok and result.screenshots == "reused"
        assert engine.camera is not None and engine.camera.loads == 0


def test_a_layout_change_fails_the_case_with_before_after_and_diff(sandbox):
    sandbox.edit("templates/_partials/layout.mjml", '<mj-section padding="20px 0 10px">', '<mj-section padding="26px 0 10px">')
    with sandbox.engine(screenshots=True) as engine:
        result = engine.check(Case.parse(CASE))
    assert result.status == "changed" and result.screenshots == "taken"
    changed = {c.filename: c for c in result.changes if c.kind == "screenshot"}
    # Every look of the case: the logo row moved in all of them.
    assert set(changed) == {p.name for p in (sandbox.root / "snapshots/order_confirmation/en-one-order").glob("*.png")}
    assert {"desktop.png", "mobile-dark.png", "mobile-images-off.png", "mobile-pseudo.png"} <= set(changed)
    assert "pixels differ" in changed["desktop.png"].diff
    assert "desktop.png" in result.received and "desktop.diff.png" in result.diffs
    assert "screenshot (desktop.png): differs" in result.explain()


def test_a_masked_region_may_change(sandbox):
    """``mask`` paints selected elements over in both shots, so a date that changes every run
    (here: the placed-on line) does not fail the screenshot; the HTML snapshot still shows it."""
    meta = sandbox.root / "templates/order_confirmation.yaml"
    own = meta.read_text().split("\nscreenshots:")[0]  # the template's own screenshot settings, replaced
    meta.write_text(own + "\nscreenshots:\n  viewports: [desktop]\n  mask: ['[data-field=placed-on]']\n  variants: {viewports: []}\n")
    with sandbox.engine(screenshots=True, update=True) as engine:
        engine.check(Case.parse(CASE))
        engine.flush()
    sandbox.edit("fixtures/en-one-order.yaml", "placed_at: 2026-10-30T", "placed_at: 2026-10-29T")
    with sandbox.engine(screenshots=True) as engine:
        result = engine.check(Case.parse(CASE))
    assert {c.kind for c in result.changes} == {"html", "text"}


def test_another_chromium_is_reported_once_not_as_a_failure_of_every_case(sandbox):
    """Screenshots approved on a machine with another Chromium build: pixels that differ while
    the HTML did not are an environment note with the re-baseline command."""
    sandbox.rebaseline(CASE, "refund[de-refunded]")
    store = SnapshotStore(sandbox.root / "snapshots")
    for case_id in (CASE, "refund[de-refunded]"):
        case = Case.parse(case_id)
        approved = store.read(case.template, case.fixture)
        parts = dict(approved.parts)
        image = Image.open(io.BytesIO(parts["desktop.png"])).convert("RGB")
        ImageDraw.Draw(image).rectangle((0, 0, 40, 40), fill=(255, 0, 255))  # another renderer's pixels
        out = io.BytesIO()
        image.save(out, "PNG")
        parts["desktop.png"] = out.getvalue()
        manifest = json.loads(json.dumps(approved.manifest))
        manifest["screenshots"]["fingerprint"]["browser"] = "chromium 155.0.1.2"
        store.write(case.template, case.fixture, parts, manifest)
    with sandbox.engine(screenshots=True) as engine:
        results = [engine.check(Case.parse(c)) for c in (CASE, "refund[de-refunded]")]
        notes = engine.environment_notes()
    assert [r.status for r in results] == ["passed", "passed"]
    assert len(notes) == 1
    assert "approved with chromium 155.0.1.2; this machine has Chromium" in notes[0]
    assert "2 screenshot(s) differ in pixels although their HTML did not" in notes[0]
    assert "email-harness approve --rebaseline" in notes[0]


def test_another_chromium_with_changed_html_still_fails(sandbox):
    store = SnapshotStore(sandbox.root / "snapshots")
    approved = store.read("refund", "de-refunded")
    manifest = json.loads(json.dumps(approved.manifest))
    manifest["screenshots"]["fingerprint"]["browser"] = "chromium 155.0.1.2"
    store.write("refund", "de-refunded", dict(approved.parts), manifest)
    sandbox.edit("templates/_partials/layout.mjml", '<mj-section padding="20px 0 10px">', '<mj-section padding="40px 0 10px">')
    with sandbox.engine(screenshots=True) as engine:
        result = engine.check(Case.parse("refund[de-refunded]"))
    assert result.status == "changed"
    assert any(c.kind == "screenshot" and c.status == "changed" for c in result.changes)


def test_no_screenshots_keeps_the_approved_pngs_when_updating(sandbox):
    sandbox.edit("templates/refund.yaml", "bis zu 5 Werktage", "bis zu 7 Werktage")
    before = (sandbox.root / "snapshots/refund/de-refunded/desktop.png").read_bytes()
    engine = sandbox.engine(update=True)  # screenshots off
    assert engine.check(Case.parse("refund[de-refunded]")).status == "updated"
    engine.flush()
    assert (sandbox.root / "snapshots/refund/de-refunded/desktop.png").read_bytes() == before
    # The PNGs now belong to older HTML: the next run with screenshots re-takes and shows them.
    with sandbox.engine(screenshots=True) as engine:
        result = engine.check(Case.parse("refund[de-refunded]"))
    assert result.screenshots == "taken" and result.status == "changed"


def test_cli_no_screenshots_runs_without_a_browser(sandbox, monkeypatch):
    from typer.testing import CliRunner

    from harness.cli import app

    monkeypatch.setenv("EMAIL_HARNESS_BROWSER", "/nonexistent/chrome")
    monkeypatch.chdir(sandbox.root)
    assert CliRunner().invoke(app, ["run", "--no-screenshots", "--only", CASE]).exit_code == 0
    broken = CliRunner().invoke(app, ["run", "--only", "refund[*]"])
    assert "browser '/nonexistent/chrome' is not a file" in broken.output


def test_the_email_s_own_scripts_do_not_run_in_the_screenshot_as_in_a_mail_client(camera):
    html = '<html><body><p id="p">static</p><script>document.getElementById("p").textContent = "scripted"</script></body></html>'
    camera.shoot(html, [VIEWPORTS["desktop"]])
    assert camera._page.locator("#p").inner_text() == "static"


NEWER_CHROMIUM = """#!/bin/bash
# A stand-in for a newer Chromium build: another version, and text placed a little differently.
if [ "$1" = "--version" ]; then echo "Chromium 999.0.0.1"; exit 0; fi
args=()
for a in "$@"; do [ "$a" = --disable-font-subpixel-positioning ] || args+=("$a"); done
exec {real} "${{args[@]}}"
"""


def test_a_run_on_a_newer_chromium_passes_and_says_so_once(sandbox, monkeypatch):
    """What `make test` does on a CI machine whose Debian Chromium moved on: every screenshot is
    re-taken, pixels differ, the HTML does not; the run passes with one note and the command."""
    from typer.testing import CliRunner

    from harness.cli import app
    from harness.screenshots.browser import executable_for

    wrapper = sandbox.write("newer-chromium", NEWER_CHROMIUM.format(real=executable_for("system")))
    wrapper.chmod(0o755)
    monkeypatch.setenv("EMAIL_HARNESS_BROWSER", str(wrapper))
    monkeypatch.chdir(sandbox.root)
    result = CliRunner().invoke(app, ["run", "--only", "refund[*]", "--only", "welcome[*]"])
    assert result.exit_code == 0, result.output
    assert result.output.count("note: ") == 1
    assert re.search(r"were approved with Chromium [\d.]+", result.output)  # whatever this machine's Debian build is
    assert "this machine has Chromium 999.0.0.1" in result.output
    assert "differ in pixels although their HTML did not" in result.output
    assert "email-harness approve --rebaseline" in result.output


def test_rebaseline_approves_only_screenshots_from_another_browser_never_a_content_change(sandbox, monkeypatch):
    from typer.testing import CliRunner

    from harness.cli import app
    from harness.screenshots.browser import executable_for

    wrapper = sandbox.write("newer-chromium", NEWER_CHROMIUM.format(real=executable_for("system")))
    wrapper.chmod(0o755)
    monkeypatch.setenv("EMAIL_HARNESS_BROWSER", str(wrapper))
    monkeypatch.chdir(sandbox.root)
    sandbox.edit("templates/refund.yaml", "bis zu 5 Werktage", "bis zu 7 Werktage")  # a real change, pending review
    welcome_before = (sandbox.root / "snapshots/welcome/en-new-account/desktop.png").read_bytes()
    refund_before = {p.name: p.read_bytes() for p in (sandbox.root / "snapshots/refund/de-refunded").iterdir()}
    result = CliRunner().invoke(app, ["approve", "--rebaseline", "refund[*]", "welcome[*]"])
    assert result.exit_code == 0, result.output
    assert "with changes stay pending" in result.output and "re-baselined: welcome[en-new-account]" in result.output
    assert "refund[de-refunded]" not in result.output.split("stay pending")[1]
    assert {p.name: p.read_bytes() for p in (sandbox.root / "snapshots/refund/de-refunded").iterdir()} == refund_before
    assert (sandbox.root / "snapshots/welcome/en-new-account/desktop.png").read_bytes() != welcome_before
    after = CliRunner().invoke(app, ["run", "--only", "welcome[*]"])
    assert after.exit_code == 0 and "note: " not in after.output  # re-baselined: no more note


def test_an_emoji_is_drawn_in_colour_not_as_an_empty_box(camera):
    """The setup installs Noto Color Emoji: a name with 🌻 shows the flower, not a tofu box (a box
    or an outline glyph is grey on white; the emoji has saturated colours)."""
    png = camera.shoot('<html><body style="margin:0;background:#fff"><p style="font-size:64px;margin:0">🌻</p></body></html>', [VIEWPORTS["mobile"]]).pngs["mobile"]
    colours = Image.open(io.BytesIO(png)).convert("RGB").getcolors(1 << 24) or []
    coloured = sum(n for n, (r, g, b) in colours if max(r, g, b) - min(r, g, b) > 80)
    assert coloured > 300, f"only {coloured} coloured pixels: the emoji font is missing (apt-get install fonts-noto-color-emoji)"


def test_what_an_older_harness_measured_is_cached_not_written_until_a_rebaseline(sandbox):
    """Same email and pixels, but the page's measurements were recorded by older probes: the run
    re-measures (the case stays passed) and keeps this machine's measurements in the local shot
    cache; run --update writes nothing, since nothing a reviewer sees changed; the next run reads
    the cache instead of a browser; approve --rebaseline records them, and the PNGs are reused."""

    manifest_path = sandbox.root / "snapshots/order_confirmation/en-one-order/manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["screenshots"]["probes"] = "older"
    manifest_path.write_text(json.dumps(manifest))
    with sandbox.engine(screenshots=True, update=True) as engine:
        result = engine.check(Case.parse(CASE))
        assert result.status == "passed" and result.screenshots == "taken"  # re-measured, not reused
        assert engine.flush() == []
    assert json.loads(manifest_path.read_text())["screenshots"]["probes"] == "older"
    with sandbox.engine(screenshots=True) as engine:
        assert engine.check(Case.parse(CASE)).screenshots == "cached" and engine.camera.loads == 0
    sandbox.rebaseline(CASE)
    assert json.loads(manifest_path.read_text())["screenshots"]["probes"] != "older"
    with sandbox.engine(screenshots=True) as engine:
        assert engine.check(Case.parse(CASE)).screenshots == "reused"