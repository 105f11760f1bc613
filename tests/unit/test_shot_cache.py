"""The local shot cache (``harness.screenshots.cache``): what this machine's browser took, kept
outside ``snapshots/``, trusted only when every check passes, and never larger than its bound.

No browser here: shots are small PNGs made with Pillow, and the stage's camera is a fake that
counts its shots."""

from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from harness.catalog import ScreenshotSettings
from harness.errors import ConfigError
from harness.project import Project
from harness.screenshots.browser import Fingerprint
from harness.screenshots.cache import ShotCache
from harness.screenshots.camera import Shots
from harness.screenshots.stage import screenshot_case
from harness.screenshots.viewports import viewport
from harness.timing import Stopwatch

HERE = Fingerprint("Chromium 156.0.8078.114", ("--headless",), "fonts-a")
APPROVER = Fingerprint("Chromium 156.0.8078.108", ("--headless",), "fonts-a")
DESKTOP, MOBILE = viewport("desktop"), viewport("mobile")


def png(shade: int = 255, size: tuple[int, int] = (10, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (shade, shade, shade)).save(buffer, "PNG")
    return buffer.getvalue()


SHOTS = Shots({"desktop": png(250), "mobile": png(240)}, [{"id": "image-alt", "impact": "critical", "help": "alt", "nodes": ["img"]}],
              {"desktop": {"overflow": []}, "mobile": {"overflow": []}})


def key(html: str = "<p>hi</p>", **changes: object) -> str:
    settings = {"mask": (), "accessibility": True, "rtl": False, "fingerprint": HERE, **changes}
    return ShotCache.key(html, [DESKTOP, MOBILE], **settings)  # type: ignore[arg-type]


@pytest.fixture
def cache(tmp_path: Path) -> ShotCache:
    (tmp_path / "templates").mkdir()
    return ShotCache(tmp_path / ".cache" / "email-harness", assets=tmp_path / "templates")


def entry(cache: ShotCache, k: str) -> Path:
    return cache.folder / "shots" / k


# -- what is stored and found ------------------------------------------------------------------


def test_shots_come_back_as_they_were_stored(cache):
    cache.put(key(), SHOTS)
    assert cache.get(key()) == SHOTS
    assert (cache.hits, cache.misses, cache.rejected) == (1, 0, 0)


def test_the_key_names_the_document_the_looks_and_the_browser():
    keys = {key(), key("<p>bye</p>"), key(mask=["[data-field=date]"]), key(accessibility=False), key(rtl=True),
            key(fingerprint=APPROVER), ShotCache.key("<p>hi</p>", [DESKTOP], mask=(), accessibility=True, rtl=False, fingerprint=HERE)}
    assert len(keys) == 7


def test_the_folder_keeps_itself_out_of_git(cache):
    cache.put(key(), SHOTS)
    assert (cache.folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (cache.folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_a_changed_catalog_file_the_page_loaded_is_a_miss(cache):
    logo = cache.assets / "assets" / "logo.png"
    logo.parent.mkdir()
    logo.write_bytes(png(0))
    cache.put(key(), Shots(SHOTS.pngs, SHOTS.axe, SHOTS.page, assets=("assets/logo.png",)))
    assert cache.get(key()) is not None
    logo.write_bytes(png(0, (12, 12)))  # a new logo: the same HTML now looks different
    assert cache.get(key()) is None and cache.rejected == 0


def test_a_file_the_page_asked_for_in_vain_is_a_miss_once_it_exists(cache):
    cache.put(key(), Shots(SHOTS.pngs, SHOTS.axe, SHOTS.page, assets=("assets/missing.png",)))
    assert cache.get(key()) is not None
    (cache.assets / "assets").mkdir()
    (cache.assets / "assets" / "missing.png").write_bytes(png())
    assert cache.get(key()) is None


def test_texts_derived_from_a_document_come_back_as_stored(cache):
    texts = {"body.html": "<p>Hi</p>", "body.txt": "Hi"}
    cache.put_texts("sha256:source", texts)
    assert cache.get_texts("sha256:source") == texts and cache.get_texts("sha256:other") is None
    (path,) = (cache.folder / "texts").iterdir()
    path.write_bytes(path.read_bytes().replace(b"Hi</p>", b"Ho</p>"))
    assert cache.get_texts("sha256:source") is None and cache.rejected == 1


# -- never trusted -----------------------------------------------------------------------------


DAMAGE = ["truncated", "a pixel byte flipped", "the header edited", "empty", "another format"]


def tampered(data: bytes) -> dict[str, bytes]:
    """Ways an entry goes wrong on disk: each must be ignored."""
    first_png = data.index(b"\x89PNG")
    return {
        "truncated": data[: len(data) - 40],
        "a pixel byte flipped": data[: first_png + 60] + bytes([data[first_png + 60] ^ 0xFF]) + data[first_png + 61:],
        "the header edited": data.replace(b'"impact": "critical"', b'"impact": "minor!!!"'),
        "empty": b"",
        "another format": data.replace(b"email-harness-shots 1 ", b"email-harness-shots 9 ", 1),
    }


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_entry_is_ignored_and_deleted(cache, damage):
    cache.put(key(), SHOTS)
    path = entry(cache, key())
    path.write_bytes(tampered(path.read_bytes())[damage])
    assert cache.get(key()) is None
    assert cache.rejected == 1 and not path.exists()
    cache.put(key(), SHOTS)  # the next shot replaces it
    assert cache.get(key()) == SHOTS


def test_an_entry_under_another_document_s_name_is_ignored(cache):
    """A valid entry copied over another key (its own hash still checks out) is not that document's."""
    cache.put(key(), SHOTS)
    (cache.folder / "shots" / key("<p>other</p>")).write_bytes(entry(cache, key()).read_bytes())
    assert cache.get(key("<p>other</p>")) is None and cache.rejected == 1


def test_a_missing_or_unreadable_folder_is_a_miss_not_an_error(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    cache = ShotCache(blocked / "cache", assets=tmp_path)
    cache.put(key(), SHOTS)  # cannot write: the run goes on
    assert cache.get(key()) is None and cache.misses == 1


# -- bounded -----------------------------------------------------------------------------------


def test_the_cache_stays_within_its_bound_dropping_the_least_recently_used(tmp_path):
    one = sum(map(len, SHOTS.pngs.values())) + 300  # the PNGs and the JSON line
    cache = ShotCache(tmp_path / "cache", assets=tmp_path, max_bytes=one * 8)
    keys = [key(f"<p>{n}</p>") for n in range(30)]
    for n, k in enumerate(keys):
        cache.put(k, SHOTS)
        past = time.time() - 1000 + n
        os.utime(entry(cache, k), (past, past))  # written in order, a second apart
        if n == 3:
            assert cache.get(keys[0]) is not None  # read now: the most recently used
        assert cache.size() <= cache.max_bytes
    assert cache.evicted > 0
    assert cache.get(keys[0]) is not None and cache.get(keys[1]) is None  # the unread old one went
    assert cache.get(keys[-1]) is not None


# -- the screenshot stage ----------------------------------------------------------------------


@dataclass
class FakeCamera:
    """Stands for the browser on this machine: counts its shots."""

    fingerprint: Fingerprint = HERE
    stopwatch: Stopwatch = field(default_factory=Stopwatch)
    shots: int = 0

    def shoot(self, html, viewports, *, mask=(), accessibility=False, rtl=False):
        self.shots += 1
        return Shots({v.name: png(250) for v in viewports}, [], {v.name: {"overflow": []} for v in viewports})


def stage(camera: FakeCamera, cache: ShotCache | None, **kwargs: object):
    """One case approved on another browser build, with the same HTML and pixels."""
    approved = {"html": "h1", "fingerprint": APPROVER.to_json(), "viewports": ["desktop"], "mask": [], "probes": "p", "axe": []}
    return screenshot_case(camera, ScreenshotSettings(viewports=["desktop"]), "<p>hi</p>", "h1", {"desktop.png": png(250)},
                           approved, accessibility=True, cache=cache, **kwargs)  # type: ignore[arg-type]


def test_a_second_run_on_another_browser_reads_the_cache_instead_of_shooting(cache):
    camera = FakeCamera()
    first = stage(camera, cache)
    assert camera.shots == 1 and not first.cached and not first.changes
    second = stage(camera, cache)
    assert camera.shots == 1 and second.cached and not second.reused
    assert second.pngs == first.pngs and second.axe == first.axe and second.page == first.page
    assert second.environment == first.environment != ""


def test_without_a_cache_every_run_shoots_again():
    camera = FakeCamera()
    stage(camera, None)
    stage(camera, None)
    assert camera.shots == 2


def test_approvals_and_cold_runs_shoot_with_this_browser_but_still_fill_the_cache(cache):
    camera = FakeCamera()
    stage(camera, cache, approving=True)
    stage(camera, cache, reuse=False)
    assert camera.shots == 2 and cache.hits == 0
    assert stage(camera, cache).cached and camera.shots == 2


class Counting:
    """compare_png, counted."""

    def __init__(self) -> None:
        from harness.screenshots.compare import compare_png

        self.calls, self.compare = 0, compare_png

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.compare(*args, **kwargs)


@dataclass
class NoisyCamera(FakeCamera):
    """This machine draws every pixel a little differently from the approving one."""

    def shoot(self, html, viewports, *, mask=(), accessibility=False, rtl=False):
        self.shots += 1
        return Shots({v.name: png(0) for v in viewports}, [], {v.name: {"overflow": []} for v in viewports})


def test_pixels_that_differ_by_the_browser_alone_are_compared_once(cache, monkeypatch):
    compare = Counting()
    monkeypatch.setattr("harness.screenshots.stage.compare_png", compare)
    camera = NoisyCamera()
    first = stage(camera, cache)
    assert compare.calls == 1 and first.environment_diffs == 1 and not first.changes
    second = stage(camera, cache)
    assert compare.calls == 1 and camera.shots == 1 and second.environment_diffs == 1 and second.pngs == first.pngs


def test_a_remembered_real_change_still_gets_its_diff_image(cache, monkeypatch):
    compare = Counting()
    monkeypatch.setattr("harness.screenshots.stage.compare_png", compare)
    camera = NoisyCamera()
    approved = {"html": "older", "fingerprint": HERE.to_json(), "viewports": ["desktop"], "mask": [], "probes": "p"}
    outcomes = [screenshot_case(camera, ScreenshotSettings(viewports=["desktop"]), "<p>hi</p>", "h1", {"desktop.png": png(250)},
                                approved, accessibility=False, cache=cache) for _ in range(2)]
    assert [o.changes[0].description for o in outcomes] == ["100 of 100 pixels differ (100.00%)"] * 2
    assert all("desktop.diff.png" in o.diffs for o in outcomes) and compare.calls == 2  # judged once, drawn again


# -- the setting -------------------------------------------------------------------------------


def project(tmp_path: Path, settings: str) -> Project:
    (tmp_path / "pyproject.toml").write_text(f"[tool.email-harness]\n{settings}\n")
    return Project.load(tmp_path)


def test_the_cache_is_in_the_project_unless_turned_off(tmp_path):
    assert project(tmp_path, "").cache == tmp_path.resolve() / ".cache" / "email-harness"
    assert project(tmp_path, "cache = false").cache is None
    assert project(tmp_path, 'cache = "build/shots"\ncache_max_mb = 50').cache_max_mb == 50


@pytest.mark.parametrize(("settings", "message"), [
    ('cache = "snapshots/.cache"', "inside the snapshots folder"),
    ("cache = true", "cache = True: expected a folder, or false"),
    ("cache_max_mb = 0", "cache_max_mb = 0: expected a whole number of megabytes"),
])
def test_a_cache_setting_that_cannot_work_is_refused(tmp_path, settings, message):
    with pytest.raises(ConfigError, match=message):
        project(tmp_path, settings)
