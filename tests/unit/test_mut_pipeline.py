"""The message a case goes out as, its screenshots' reuse and a merged report, pinned where
mutation testing found them loose: the headers of ``message:`` rendered for one case
(``harness.render.pipeline``), shots taken again when the page or the scan asked for differs
(``harness.screenshots.stage``) and shard reports without notes (``harness.report.merge``).
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from harness.catalog import ScreenshotSettings, load_catalog
from harness.errors import TemplateError
from harness.render.pipeline import RenderedEmail, Renderer
from harness.report.merge import merge_reports
from harness.screenshots.browser import Fingerprint
from harness.screenshots.cache import ShotCache
from harness.screenshots.camera import Shots
from harness.screenshots.stage import screenshot_case
from harness.timing import Stopwatch

from .build import fixture

NOW = datetime(2026, 11, 1, 9, 30, tzinfo=timezone.utc)
ADA = dict(name="Ada", email="ada@example.com")


def catalog(root: Path, settings: str, **files: str) -> Any:
    """A catalog folder with ``_catalog.yaml`` holding ``settings`` and the given files
    (``receipt__yaml="..."`` writes ``receipt.yaml``)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "_catalog.yaml").write_text(settings)
    for name, text in files.items():
        (root / name.replace("__", ".")).write_text(text)
    return load_catalog(root)


def render(found: Any, template: str, **data: Any) -> RenderedEmail:
    return Renderer(found, None, now=NOW).render(found.templates[template], fixture(**(data or ADA)))


SHOP = """\
message:
  from: {name: "{{ 'Shop' }} Team", address: orders@shop.example.com}
  to: email
  to_name: name
  headers:
    X-Account: "{{ account.name }}"
    X-Plain: no braces
"""


# -- the headers of message: for one case (harness.render.pipeline) ------------------------------

def test_a_case_gets_the_catalogs_headers_rendered_in_its_own_context(tmp_path):
    found = catalog(tmp_path / "templates", SHOP, receipt__html="<p>x</p>", receipt__yaml="subject: \"Receipt\\nfor {{ account.name }}\"\n")
    spec = render(found, "receipt").message_spec
    assert spec is not None
    assert spec.headers == (
        ("From", "Shop Team <orders@shop.example.com>"),
        ("To", "Ada <ada@example.com>"),
        ("Subject", "Receipt for Ada"),  # the subject as sent: one line
        ("Date", "Sun, 01 Nov 2026 09:30:00 +0000"),  # the project's clock
        ("Message-ID", "<f43fd95389cce5e8e97c4554356031e2@shop.example.com>"),  # seeded by the case
        ("X-Account", "Ada"),
        ("X-Plain", "no braces"),
    )
    assert (spec.seed, spec.now, spec.catalog_root, spec.dkim, spec.dkim_key) == ("receipt\0en-ada", NOW, str(found.root), None, None)
    assert render(found, "receipt", name="Kai", email="kai@example.com").message_spec.get("To") == "Kai <kai@example.com>"


def test_a_template_shipped_as_it_is_keeps_its_headers_as_written(tmp_path):
    found = catalog(tmp_path / "templates", SHOP, static__html="<p>{{FirstName}}</p>",
                    static__yaml="subject: Hi\nlanguage: none\nmessage:\n  headers:\n    X-Account: '{{ account.name }}'\n")
    spec = render(found, "static").message_spec
    assert [spec.get(name) for name in ("From", "X-Account", "X-Plain")] == [
        "{{ 'Shop' }} Team <orders@shop.example.com>", "{{ account.name }}", "no braces"]


def test_an_error_in_a_header_names_the_metadata_file_else_the_template_file(tmp_path):
    own = catalog(tmp_path / "a", "message:\n  from: a@shop.example\n", receipt__html="<p>x</p>",
                  receipt__yaml="subject: R\nmessage:\n  headers:\n    X-Bad: '{{ account.nam }}'\n")
    with pytest.raises(TemplateError) as error:
        render(own, "receipt")
    assert str(error.value) == ("receipt.yaml: message.headers.X-Bad: undefined value: the fixture has no key 'nam' in en-ada.yaml "
                                "(a typo in the template, or a key this fixture lacks)")
    shared = catalog(tmp_path / "b", "message:\n  from: '{{ account.nam }} <a@shop.example>'\n", plain__html="<p>y</p>")
    with pytest.raises(TemplateError) as error:
        render(shared, "plain")
    assert str(error.value) == ("plain.html: message.from.name: undefined value: the fixture has no key 'nam' in en-ada.yaml "
                                "(a typo in the template, or a key this fixture lacks)")


def test_a_dkim_key_is_read_from_the_catalog_folder_and_signs_the_message(tmp_path):
    keyed = catalog(tmp_path / "a", "message:\n  from: a@shop.example\n  dkim: {domain: shop.example, selector: s1, key: keys/test.pem}\n",
                    plain__html="<p>y</p>")
    assert render(keyed, "plain").message_spec.dkim_key == str(keyed.root / "keys/test.pem")
    bundled = catalog(tmp_path / "b", "message:\n  from: Shop <a@shop.example>\n  dkim: {domain: shop.example, selector: s1}\n",
                      plain__html="<p>y</p>")
    mail = render(bundled, "plain")
    assert mail.message_spec.dkim_key is None  # the harness's bundled test key
    assert mail.mime.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=shop.example;")
    assert b"\r\nFrom: Shop <a@shop.example>\r\nTo: ada@example.com\r\n" in mail.mime


def test_an_embedded_image_is_read_from_the_catalog_folder(tmp_path):
    found = catalog(tmp_path / "templates", "message:\n  from: a@shop.example\n  images: embedded\n",
                    plain__html='<p><img src="logo.png" alt="Shop"></p>')
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (0, 128, 255)).save(buffer, "PNG")
    (found.root / "logo.png").write_bytes(buffer.getvalue())
    mime = render(found, "plain").mime
    assert b'<img src="cid:605a76ca4c240fe1@email-harness" alt="Shop">' in mime
    assert b'Content-Disposition: attachment; filename="logo.png"\r\nContent-ID: <605a76ca4c240fe1@email-harness>' in mime


def test_an_email_not_sent_has_no_message_even_with_headers_declared(tmp_path):
    found = catalog(tmp_path / "templates", SHOP, plain__html="<p>y</p>")
    sent = render(found, "plain")
    assert sent.mime.startswith(b"From: Shop Team <orders@shop.example.com>\r\nTo: Ada <ada@example.com>\r\n")
    held = RenderedEmail(template="plain", fixture="en-ada", locale="en", outcome="not sent", reason="no", message_spec=sent.message_spec)
    assert held.mime is None


# -- shots taken again when what was asked for differs (harness.screenshots.stage) ---------------

HERE = Fingerprint("Chromium 156.0.8078.114", ("--headless",), "fonts-a")


def png(shade: int = 255, *, changed: int = 0, to: tuple[int, int, int] = (0, 0, 0)) -> bytes:
    image = Image.new("RGB", (10, 10), (shade, shade, shade))
    for n in range(changed):
        image.putpixel((n % 10, n // 10), to)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class Camera:
    """Stands for the browser: a shot of each page is a PNG of its own shade."""

    fingerprint = HERE

    def __init__(self, shades: dict[str, int]) -> None:
        self.shades, self.asked, self.stopwatch = shades, [], Stopwatch()

    def shoot(self, html, viewports, *, mask=(), accessibility=False, rtl=False):
        self.asked.append((html, accessibility, rtl))
        return Shots({v.name: png(self.shades[html]) for v in viewports}, axe=[] if accessibility else None)


@pytest.fixture
def cache(tmp_path: Path) -> ShotCache:
    (tmp_path / "templates").mkdir()
    return ShotCache(tmp_path / ".cache", assets=tmp_path / "templates")


def shoot(camera: Camera, cache: ShotCache, html: str, **asked: Any) -> Any:
    return screenshot_case(camera, ScreenshotSettings(viewports=["desktop"]), html, "h2", {}, None,
                           cache=cache, **{"accessibility": False, **asked})


def test_the_cache_gives_each_page_and_each_way_of_shooting_it_its_own_shots(cache):
    camera = Camera({"<p>one</p>": 250, "<p>two</p>": 10})
    assert shoot(camera, cache, "<p>one</p>").pngs == {"desktop.png": png(250)}
    assert shoot(camera, cache, "<p>two</p>").pngs == {"desktop.png": png(10)}  # another page: its own shot
    assert shoot(camera, cache, "<p>one</p>", accessibility=True).axe == []  # the scan asked for now
    assert shoot(camera, cache, "<p>one</p>", rtl=True).manifest["rtl"] is True
    assert camera.asked == [("<p>one</p>", False, False), ("<p>two</p>", False, False), ("<p>one</p>", True, False),
                            ("<p>one</p>", False, True)]
    again = shoot(camera, cache, "<p>one</p>", rtl=True)
    assert again.cached and len(camera.asked) == 4


def test_a_remembered_verdict_draws_its_diff_with_the_templates_threshold_timed_as_image_diff(cache):
    approved = png()
    # Two pixels black, ten barely off-white: the default threshold (0.1) counts only the black two.
    received = Image.open(io.BytesIO(png(changed=2)))
    for n in range(2, 12):
        received.putpixel((n % 10, n // 10), (250, 250, 250))
    buffer = io.BytesIO()
    received.save(buffer, "PNG")
    settings = ScreenshotSettings(viewports=["desktop"], threshold=0.0)

    class Fixed(Camera):
        def shoot(self, html, viewports, *, mask=(), accessibility=False, rtl=False):
            return Shots({"desktop": buffer.getvalue()})

    outcomes = []
    for _ in range(2):
        camera = Fixed({})
        outcomes.append(screenshot_case(camera, settings, "<p>x</p>", "h2", {"desktop.png": approved}, None,
                                        accessibility=False, cache=cache, reuse=False))
        assert camera.stopwatch.calls["image-diff"] == 1
    first, second = outcomes
    assert [c.description for c in second.changes] == [c.description for c in first.changes] == ["10 of 100 pixels differ (10.00%)"]
    assert second.diffs == first.diffs and list(second.diffs) == ["desktop.diff.png"]


# -- shard reports without notes (harness.report.merge) ------------------------------------------

def test_shard_reports_written_without_notes_merge(tmp_path):
    shards = []
    for n, case_id in ((1, "welcome[en-ada]"), (2, "refund[de-kai]")):
        folder = tmp_path / f"shard{n}"
        folder.mkdir()
        template, fixture_id = case_id[:-1].split("[")
        case = {"id": case_id, "template": template, "fixture": fixture_id, "status": "passed", "outcome": "sent"}
        (folder / "results.json").write_text(json.dumps({"format": 1, "summary": {"seconds": 1.0}, "cases": [case]}))
        shards.append(folder)
    document = merge_reports(shards, tmp_path / "merged")
    assert document["notes"] == [] and [c["id"] for c in document["cases"]] == ["refund[de-kai]", "welcome[en-ada]"]
