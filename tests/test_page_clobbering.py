"""An email's named elements cannot break or fool the in-browser checks (DOM clobbering).

An element with a ``name`` (``<img>``, ``<form>``, ``<embed>``, ``<object>``, ``<iframe>``) or an
``<object id>`` becomes a property of ``document`` that hides the browser's own
(``<img name="querySelectorAll">`` is ``document.querySelectorAll``), and a form control's
``name`` or ``id`` hides its form's (``<input name="nodeName">`` is ``form.nodeName``). The
email's scripts never run, but the harness's do: axe-core read ``document.createElement`` and
``node.nodeName`` as they were, threw, and the case ended as "Chromium failed twice on this email"
with overflow never measured; others (``body``, ``createTreeWalker``) made it judge another page.

Each hostile email below is a good email (a 700 px table: one overflow; an image without alt:
one axe violation) plus elements named after what the checks read, hidden so they add nothing a
reader or a check should see: the camera must measure exactly what it measures on the same email
with innocent names (``name="innocent-body"``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from harness.errors import ScreenshotError
from harness.screenshots import VIEWPORTS, Camera, probes
from harness.screenshots.camera import AXE_TAGS

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
LOOKS = [VIEWPORTS[name] for name in ("mobile", "mobile-dark", "mobile-images-off", "mobile-forced-dark")]
GOOD = """<!doctype html><html lang="en"><head><title>Your order</title>
<style>@media (prefers-color-scheme: dark) { p { color: #fff; background: #000 } }</style></head>
<body><table style="width:700px"><tr><td>Your order has shipped</td></tr></table>
<p>Thanks for shopping with us.</p><img src="https://shop.example/logo.png" width="100" height="40">
<div style="display:none">HOSTILE</div></body></html>"""


def good(hostile: str) -> str:
    """The good email with ``hostile`` hidden in it."""
    return GOOD.replace("HOSTILE", hostile)


def form(*controls: str) -> str:
    return "<form>" + "".join(controls) + "</form>"


#: Each of these broke or fooled a check before the checks ran in a world of their own with the
#: email's forms disarmed (25 of 25 failed: 24 'Chromium failed twice', 1 axe-core judging the
#: hidden image instead of the visible one).
HOSTILE = {
    # document's own methods and properties, hidden by an <img name>
    "img-querySelectorAll": '<img name="querySelectorAll">',
    "img-createElement": '<img name="createElement">',
    "img-createTextNode": '<img name="createTextNode">',
    "img-documentElement": '<img name="documentElement">',  # axe-core judged the hidden image instead
    "img-ELEMENT_NODE": '<img name="ELEMENT_NODE">',
    # ... by each other kind of element document names
    "form-name": '<form name="querySelectorAll"></form>',
    "embed-name": '<embed name="createElement">',
    "object-name": '<object name="createTextNode"></object>',
    "object-id": '<object id="querySelectorAll"></object>',
    "iframe-name": '<iframe name="createElement"></iframe>',
    "iframe-createTextNode": '<iframe name="createTextNode"></iframe>',
    "embed-querySelectorAll": '<embed name="querySelectorAll">',
    "form-ELEMENT_NODE": '<form name="ELEMENT_NODE"></form>',
    "img-id-with-a-name": '<img id="querySelectorAll" name="logo">',
    # a form's own properties, hidden by its controls (by name or id)
    "input-nodeName": form('<input name="nodeName">'),
    "input-id-nodeName": form('<input id="nodeName">'),
    "select-nodeName": form('<select name="nodeName"><option>1</option></select>'),
    "textarea-nodeName": form('<textarea name="nodeName"></textarea>'),
    "button-nodeName": form('<button name="nodeName">Go</button>'),
    "img-in-form-nodeName": form('<img name="nodeName">'),
    "fieldset-nodeName": form('<fieldset name="nodeName"></fieldset>'),
    "output-nodeName": form('<output name="nodeName"></output>'),
    "radios-nodeName": form('<input type="radio" name="nodeName" value="a"><input type="radio" name="nodeName" value="b">'),
    "control-outside-its-form": '<form id="f"></form><input form="f" name="nodeName">',
    "everything-at-once": '<img name="body"><img name="querySelectorAll"><embed name="createElement">'
    + form(*(f'<input name="{k}">' for k in ("nodeName", "tagName", "parentNode", "childNodes", "attributes", "getAttribute"))),
}

#: Harmless before too (globals are the window's own properties, which named elements sit below;
#: the rest hid what axe-core could do without): kept here so they stay so.
HARMLESS = {
    # named like what the checks read, yet already measured as on the innocent email
    "img-createTreeWalker": '<img name="createTreeWalker">',
    "img-createRange": '<img name="createRange">',
    "img-body": '<img name="body">',
    "img-TEXT_NODE": '<img name="TEXT_NODE">',
    "img-getElementsByTagName": '<img name="getElementsByTagName"><img name="getElementById">',
    "id-getComputedStyle": '<div id="getComputedStyle"></div><img name="getComputedStyle">',
    "id-window-globals": '<div id="Node"></div><div id="Element"></div><div id="JSON"></div><div id="axe"></div>',
    "img-images": '<img name="images"><form name="forms"></form>',
}


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Camera]:
    """One browser for the module: each test loads its email into the same pages."""
    with Camera(tmp_path_factory.mktemp("catalog")) as cam:
        yield cam


def innocent(markup: str) -> str:
    """The same elements with names that hide nothing (a form attribute follows its form's id)."""
    return re.sub(r'\b(name|id|form)="', r'\1="innocent-', markup)


@pytest.mark.parametrize("name", [*HOSTILE, *HARMLESS])
def test_named_elements_neither_break_nor_fool_the_checks(camera: Camera, name: str) -> None:
    hostile = {**HOSTILE, **HARMLESS}[name]
    clean = camera.shoot(good(innocent(hostile)), LOOKS, accessibility=True)
    assert [p["kind"] for p in clean.page["mobile"]["overflow"]] == ["wider-than-viewport"]
    assert "image-alt" in [v["id"] for v in clean.axe or []]
    try:
        shots = camera.shoot(good(hostile), LOOKS, accessibility=True)
    except ScreenshotError as exc:
        pytest.fail(f"{name}: the case became an error: {exc}")
    # Measured as on the innocent email, elements named as they are in each (an id in a path).
    same = lambda facts: json.loads(json.dumps(facts).replace("innocent-", ""))  # noqa: E731
    assert shots.page["mobile"]["overflow"] == same(clean.page["mobile"]["overflow"])  # overflow still measured
    assert shots.axe == same(clean.axe)
    assert shots.page == same(clean.page)


def test_a_visible_named_element_is_judged_like_any_other(camera: Camera) -> None:
    """Not hidden, the named image is an image without alt text like the first: axe names both."""
    html = good("").replace("</body>", '<img name="querySelectorAll" src="b.png" width="10" height="10"></body>')
    shots = camera.shoot(html, LOOKS[:1], accessibility=True)
    [image_alt] = [v for v in shots.axe or [] if v["id"] == "image-alt"]
    assert len(image_alt["nodes"]) == 2
    assert [p["kind"] for p in shots.page["mobile"]["overflow"]] == ["wider-than-viewport"]


def test_the_email_s_forms_are_left_as_they_were(camera: Camera) -> None:
    """The checks detach clobbering controls from their form only while axe-core runs."""
    html = good(form('<input name="nodeName" id="q">', '<input name="action" form="elsewhere">'))
    camera.shoot(html, LOOKS[:1], accessibility=True)
    page = camera._pages[True, True]
    # The check page lives on the camera's lane: its Playwright objects answer only there.
    assert camera.on_checks(lambda: (
        page.evaluate("[...document.querySelectorAll('input')].map((i) => i.getAttribute('form'))"),
        page.evaluate("document.forms[0].nodeName.tagName"),  # the email's own DOM, unchanged
    )).result() == ([None, "elsewhere"], "INPUT")


def test_a_check_the_email_still_breaks_names_the_element_not_chromium(camera: Camera) -> None:
    """A check that read a form's property directly would throw: the error names the control."""
    camera.shoot(good(form('<input name="nodeName">')), LOOKS[:1])
    world = camera.world(camera._pages[True, True])
    with pytest.raises(probes.PageScriptError) as caught:
        camera.on_checks(lambda: probes.run(world, "return document.forms[0].nodeName.toLowerCase();", check="a careless probe")).result()
    message = str(caught.value)
    assert "a careless probe" in message and "Chromium" not in message
    assert '<input name="nodeName">' in message and "form" in message


def test_a_normal_email_measures_exactly_as_before(camera: Camera) -> None:
    """The control: the bundled order confirmation, measured by the probes in their own world and
    by the same code in the page's main world (how they ran before), gives the same facts."""
    html = (SNAPSHOTS / "order_confirmation" / "en-one-order" / "body.html").read_text()
    camera.shoot(html, LOOKS[:1])

    def measure() -> None:  # on the camera's lane, where the check page's objects answer
        page = camera._pages[True, True]
        world = camera.world(page)
        look = page.viewport_size  # put back after: the camera knows each page's look
        for width in (375, 800):
            page.set_viewport_size({"width": width, "height": 667})
            for body, arg, probe in (
                (probes._OVERFLOW, None, probes.overflow),
                (probes._DIRECTION, False, lambda w: probes.direction(w, False)),
                (probes._IMAGES, None, probes.images),
                (probes._TEXT_BOXES, None, probes.text_boxes),
            ):
                main = json.loads(page.evaluate(f"(arg) => JSON.stringify((() => {{\n{probes._HELPERS}\n{body}\n}})())", arg))
                assert probe(world) == main
        # axe-core too, as axe-playwright-python ran it in the main world.
        options = {"resultTypes": ["violations", "incomplete"], "runOnly": {"type": "tag", "values": AXE_TAGS}}
        before = Axe().run(page, options=options).response
        after = probes.axe(world, options)
        assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in after["violations"] + after["incomplete"]] == [
            (v["id"], [n["target"] for n in v["nodes"]]) for v in before["violations"] + before["incomplete"]]
        page.set_viewport_size(look)

    camera.on_checks(measure).result()