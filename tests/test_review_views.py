"""The review page as a designer reads it, in a real browser, on one edit: the order
confirmation's button goes from blue (#0b5cab) to green (#047857).

- the change is titled in a designer's words, with swatches, not as the ``<td bgcolor>`` it is;
- every view opens at the changed region, and zoom composes with every mode in any order: the
  zoomed diff shows the red pixels, the zoomed slider both the blue and the green;
- every pixel figure names its viewport and look;
- approving shows what is being done and then the result;
- on a phone (390x844) nothing scrolls sideways, the bar does not cover the focused change, and
  the page passes axe.

Page screenshots are kept as evidence in each test's ``evidence/`` folder."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image

from conftest import Sandbox
from test_review_browser import browser, run, serve  # noqa: F401  (browser is a fixture)

BUTTON = ("templates/_partials/layout.mjml", '<mj-button background-color="#0b5cab"', '<mj-button background-color="#047857"')
ONLY = ["--only", "order_confirmation[en-one-order]"]
BLUE, GREEN = (11, 92, 171), (4, 120, 87)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One case, screenshots approved on this machine, then the button colour edited and run."""
    sandbox = Sandbox(tmp_path_factory.mktemp("views"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(sandbox.root)
        run("run", "--update", *ONLY)
        sandbox.edit(*BUTTON)
        assert run("run", *ONLY).exit_code == 1
        yield sandbox


@pytest.fixture
def server(planted: Sandbox) -> Iterator[str]:
    review = serve(planted)
    yield f"http://127.0.0.1:{review.port}/"
    review.shutdown()


def colours(png: bytes) -> set[tuple[int, int, int]]:
    return {rgb for _, rgb in Image.open(io.BytesIO(png)).convert("RGB").getcolors(1 << 20)}


def near(found: set[tuple[int, int, int]], want: tuple[int, int, int], tolerance: int = 12) -> bool:
    return any(all(abs(a - b) <= tolerance for a, b in zip(rgb, want)) for rgb in found)


def pure_red(png: bytes) -> int:
    """Pixels the pixel diff paints (255, 0, 0); the region box's outline is #dc2626."""
    return sum(n for n, (r, g, b) in Image.open(io.BytesIO(png)).convert("RGB").getcolors(1 << 20) if r > 240 and g < 30 and b < 30)


def stage(shots: Any) -> Any:
    """The stage the shown mode draws on (the slider, overlay and diff share the stacked one)."""
    return shots.locator(".shot:not([hidden]) .stack .stage")


def loaded(page: Any, root: Any) -> None:
    page.wait_for_function("els => els.every(i => getComputedStyle(i).display === 'none' || (i.complete && i.naturalWidth > 0))",
                           arg=root.locator("img").element_handles(), timeout=10_000)


def uncovered(page: Any) -> bool:
    """The change the keys moved to starts below the bar, where the bar sticks."""
    bar, top = page.evaluate("""() => { const bar = document.querySelector('.bar');
        return [getComputedStyle(bar).position === 'sticky' ? bar.getBoundingClientRect().bottom : 0,
                document.querySelector('section.group.current').getBoundingClientRect().top]; }""")
    return bar <= top


def test_a_button_colour_change_is_titled_in_a_designers_words(planted, browser, server, tmp_path):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(server)
    group = page.locator("section.group").first
    title = group.locator("h2 .title")
    assert title.inner_text() == "Button background #0b5cab → #047857"
    swatches = title.locator(".swatch").evaluate_all("els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert swatches == ["rgb(11, 92, 171)", "rgb(4, 120, 87)"]
    assert "<td" not in group.locator(".group-head").inner_text() and "bgcolor" not in group.locator(".group-head").inner_text()
    # The headline and the change's number agree ("1 change in 1 case", then "Change 1 of 1").
    assert page.get_by_test_id("summary").inner_text().startswith("1 change in 1 case")
    assert group.locator("h2 .sr").inner_text().strip() == "Change 1 of 1:"
    # Every pixel figure names its viewport and look.
    shots = group.locator(".shots")
    assert shots.get_by_role("tab").first.inner_text() == "desktop, light"
    assert shots.locator(".shot:not([hidden]) .shot-desc").inner_text().startswith("desktop, light: ")
    (tmp_path / "evidence").mkdir()
    title.screenshot(path=str(tmp_path / "evidence" / "title.png"))


def test_every_view_opens_at_the_change_and_zoom_composes_with_every_mode(planted, browser, server, tmp_path):  # noqa: F811
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(server)
    shots = page.locator(".shots").first
    zoom = shots.locator(".zoom")
    # Side by side opens zoomed to the first changed region: the button, blue before, green after.
    assert zoom.get_attribute("aria-pressed") == "true" and zoom.inner_text().startswith("Zoomed to change 1 of")
    pair = shots.locator(".shot:not([hidden]) .pair")
    loaded(page, pair)
    before, after = (pair.locator(".stage").nth(i).screenshot() for i in (0, 1))
    assert near(colours(before), BLUE) and not near(colours(before), GREEN)
    assert near(colours(after), GREEN) and not near(colours(after), BLUE)
    # Then the diff, zoomed: the changed pixels in red, not an empty box.
    page.keyboard.press("j")  # the keys act on the change moved to, shown below the sticky bar
    assert uncovered(page)
    page.keyboard.press("4")
    loaded(page, shots.locator(".shot:not([hidden]) .stack"))
    diff = stage(shots).screenshot(path=str(evidence / "diff-zoomed.png"))
    assert pure_red(diff) > 500
    # Then the slider, zoomed: split in the middle of the region, so both colours show.
    page.keyboard.press("2")
    slider = stage(shots).screenshot(path=str(evidence / "slider-zoomed.png"))
    assert near(colours(slider), BLUE) and near(colours(slider), GREEN)
    # Another viewport in the slider mode opens at its own first region too.
    shots.get_by_role("tab", name="mobile, light").click()
    assert shots.locator(".shot:not([hidden])").get_attribute("data-mode") == "slider"
    loaded(page, shots.locator(".shot:not([hidden]) .stack"))
    mobile = stage(shots).screenshot(path=str(evidence / "mobile-slider-zoomed.png"))
    assert near(colours(mobile), BLUE) and near(colours(mobile), GREEN)
    assert shots.locator(".shot:not([hidden]) .shot-desc").inner_text().startswith("mobile, light: ")
    # Zoom out to the whole screenshot and back, then the diff: still the red pixels.
    while zoom.get_attribute("aria-pressed") == "true":
        zoom.click()
    zoom.click()
    page.keyboard.press("4")
    loaded(page, shots.locator(".shot:not([hidden]) .stack"))
    assert pure_red(stage(shots).screenshot(path=str(evidence / "mobile-diff-zoomed.png"))) > 300


def test_approving_shows_what_it_does_and_then_the_result(planted, browser, server):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(server)
    group = page.locator("section.group").first
    out = group.locator(".group-outcome")
    # Everything the outcome shows while the approval runs, as a person would see it.
    out.evaluate("""el => { window.seen = []; new MutationObserver(() => window.seen.push(
        [el.textContent, Boolean(el.querySelector('progress')), el.closest('section').getAttribute('aria-busy')])
    ).observe(el, {childList: true, subtree: true, characterData: true}); }""")
    group.locator(".approve-group").click()
    page.wait_for_function("document.querySelector('article.case').dataset.state === 'approved'")
    seen = page.evaluate("window.seen")
    assert ["Approving 1 case…", True, "true"] in seen, seen
    assert out.inner_text() == "1 case approved: snapshots written, logged in snapshots/review-log.jsonl"
    assert not group.locator(".undo-group").is_disabled()


def test_on_a_phone_nothing_scrolls_sideways_the_bar_covers_nothing_and_axe_passes(planted, browser, server, tmp_path):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server)
    loaded(page, page.locator(".shots").first.locator(".shot:not([hidden]) .pair"))
    width = "[document.scrollingElement.scrollWidth, window.innerWidth]"
    scroll, inner = page.evaluate(width)
    assert scroll <= inner, f"{scroll - inner} px of sideways scroll"
    assert page.locator(".bar").bounding_box()["height"] < 844 / 3  # the bar is compact, and scrolls away
    page.keyboard.press("?")  # the keys help open, and a mode with the wide stacked stage
    page.keyboard.press("j")
    page.keyboard.press("2")
    scroll, inner = page.evaluate(width)
    assert scroll <= inner, f"{scroll - inner} px of sideways scroll with the keys help and the slider"
    assert uncovered(page)
    page.keyboard.press("Escape")
    (tmp_path / "evidence").mkdir()
    page.screenshot(path=str(tmp_path / "evidence" / "phone.png"))
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations] == []
