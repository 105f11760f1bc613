"""The camera's two threads: the screenshot page shoots on the caller's thread while the check
pages (axe-core, the probes) load and measure on the camera's lane, with the results of one
thread doing it all, and no case's pixels or facts depending on the case before."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from harness.screenshots import VIEWPORTS, Camera, probes

EMAIL = """<!doctype html><html lang="en"><head><title>Order</title>
<style>@media (prefers-color-scheme: dark) { body { background: #111; color: #eee } .dim { color: #333 } }
@media (max-width: 480px) { .wide { width: 100% !important } }</style></head>
<body><table class="wide" style="width:700px"><tr><td>Your order has shipped</td></tr></table>
<p style="color:#999;background:#fff">Questions? Write to help@shop.example</p>
<p class="dim">Unreadable in dark mode only</p></body></html>"""
OTHER = """<!doctype html><html lang="en"><head><title>Refund</title></head>
<body style="margin:0"><div style="width:520px;padding:24px;font:16px sans-serif">Your refund is on its way.</div></body></html>"""
LOOKS = [VIEWPORTS[name] for name in ("desktop", "mobile", "mobile-dark", "mobile-forced-dark", "mobile-images-off", "desktop-pseudo")]


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Camera]:
    with Camera(tmp_path_factory.mktemp("catalog")) as cam:
        yield cam


def test_the_checks_run_on_the_lane_while_the_screenshots_run_here(camera: Camera, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: dict[str, set[str]] = {"overflow": set(), "axe": set()}
    for name in threads:
        real = getattr(probes, name)

        def spy(*args: Any, _real: Any = real, _name: str = name) -> Any:
            threads[_name].add(threading.current_thread().name)
            return _real(*args)
        monkeypatch.setattr(probes, name, spy)
    camera._cache.clear()
    shots = camera.shoot(EMAIL, LOOKS[:2], accessibility=True)
    assert threads == {"overflow": {"email-harness checks"}, "axe": {"email-harness checks"}}
    assert threading.current_thread().name == "MainThread" and set(shots.pngs) == {"desktop", "mobile"}
    assert camera._check_browser is not None and camera._check_browser is not camera._browser


def test_a_case_s_pixels_and_facts_do_not_depend_on_the_case_before(camera: Camera, tmp_path: Any) -> None:
    """Each page keeps its last look; only what differs is sent, so a load must still start from
    the default look whatever the case before left (a dark, forced-dark, narrow, pseudo page)."""
    camera._cache.clear()
    camera.shoot(EMAIL, LOOKS, accessibility=True)
    camera.shoot(OTHER, [VIEWPORTS["mobile-dark"]], accessibility=True)  # leaves the check page narrow and dark
    looks = [VIEWPORTS["desktop"], VIEWPORTS["mobile-forced-dark"]]
    after = camera.shoot(EMAIL, looks, accessibility=True)
    with Camera(tmp_path) as fresh:
        alone = fresh.shoot(EMAIL, looks, accessibility=True)
    assert after.pngs == alone.pngs
    assert after.page == alone.page and after.axe == alone.axe
    # axe-core judged the light page: the paragraph unreadable in dark mode only is not among its findings.
    [contrast] = [v for v in alone.axe or [] if v["id"] == "color-contrast"]
    assert len(contrast["nodes"]) == 1 and "(2.84:1" in contrast["nodes"][0]


def test_every_look_is_measured_in_its_own_window(camera: Camera) -> None:
    """The control for the test above: the looks do differ, so a look left unsent would show."""
    camera._cache.clear()
    narrow = camera.shoot(OTHER, [VIEWPORTS["desktop"], VIEWPORTS["mobile"]])
    assert [o["kind"] for o in narrow.page["desktop"]["overflow"]] == []
    assert [o["kind"] for o in narrow.page["mobile"]["overflow"]] == ["wider-than-viewport"]
    shots = camera.shoot(EMAIL, LOOKS, accessibility=True)
    assert shots.pngs["mobile-dark"] != shots.pngs["mobile"] != shots.pngs["mobile-forced-dark"]
    assert "images" in shots.page["mobile-images-off"] and "contrast" in shots.page["mobile-forced-dark"]
    assert "axe" in shots.page["mobile-dark"] and "direction" not in shots.page["desktop-pseudo"]


def test_a_look_already_on_the_page_is_not_sent_again(camera: Camera, monkeypatch: pytest.MonkeyPatch) -> None:
    camera._cache.clear()
    camera.shoot(EMAIL, [VIEWPORTS["desktop"]])
    page, sizes = camera._page, []
    real = page.set_viewport_size
    monkeypatch.setattr(page, "set_viewport_size", lambda size: (sizes.append(size), real(size))[1])
    camera.shoot(OTHER, [VIEWPORTS["desktop"]])  # loaded in the default 800x600, shot in it
    camera.shoot(EMAIL, [VIEWPORTS["mobile"]])
    assert sizes == [{"width": 375, "height": 667}, {"width": 800, "height": 600}]
