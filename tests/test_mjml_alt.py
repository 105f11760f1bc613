"""MJML image components without ``alt``: JavaScript mjml (what most teams send with) writes
``alt=""`` on their ``<img>``; MRML, the default engine, left the attribute out, so axe-core
reported ``image-alt`` (critical, an error) on HTML production would never send. The MRML
adapter now writes what JavaScript mjml writes; a hand-written ``<img>`` without alt is still
an error, in both engines."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from harness.cases import Case
from harness.render.engine_gap import reader_differences
from harness.render.mjml_engines import MrmlEngine, NodeMjmlEngine, with_default_alt

REPO = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO / ".cache/mjml-js/node_modules"

#: The shape of the MJML gallery's newsletters: a linked logo and a decorative divider written
#: without alt, a described photo, social icons, a carousel, and an icon typed by hand.
NEWSLETTER = """<mjml>
  <mj-head>
    <mj-attributes>
      <mj-image padding="0px" />
      <mj-class name="badge" alt="Award 2026" />
    </mj-attributes>
  </mj-head>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-image src="https://cdn.example/logo.png" href="https://shop.example" width="120px" />
        <mj-image src="https://cdn.example/divider.png"></mj-image>
        <mj-image src="https://cdn.example/team.jpg" alt="Our team at the spring fair" />
        <mj-image src="https://cdn.example/badge.png" mj-class="badge" />
        <mj-social>
          <mj-social-element name="facebook" href="https://facebook.com/shop">Facebook</mj-social-element>
          <mj-social-element name="instagram" href="https://instagram.com/shop" />
        </mj-social>
        <mj-carousel>
          <mj-carousel-image src="https://cdn.example/mug.jpg" />
          <mj-carousel-image src="https://cdn.example/cup.jpg" alt="Blue cup" />
        </mj-carousel>
        <mj-text><p><img src="https://cdn.example/pin.png" width="12"> Main Street 1</p></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>"""


def alts(html: str) -> dict[str, str | None]:
    """Image src -> its alt (None: no attribute), for every <img> of the HTML."""
    found = {}
    for tag in re.findall(r"<img\b[^>]*>", html):
        alt = re.search(r'\salt="([^"]*)"', tag)
        found[re.search(r'src="([^"]*)"', tag).group(1)] = alt.group(1) if alt else None
    return found


def test_mrml_writes_the_empty_alt_javascript_mjml_writes_on_image_components():
    found = alts(MrmlEngine().render(NEWSLETTER))
    assert found["https://cdn.example/logo.png"] == ""
    assert found["https://cdn.example/divider.png"] == ""
    assert found["https://cdn.example/mug.jpg"] == ""
    assert [alt for src, alt in found.items() if "ico-social" in src] == ["", ""]


def test_an_alt_from_the_source_an_mj_class_or_mj_attributes_is_kept():
    found = alts(MrmlEngine().render(NEWSLETTER))
    assert found["https://cdn.example/team.jpg"] == "Our team at the spring fair"
    assert found["https://cdn.example/badge.png"] == "Award 2026"
    assert found["https://cdn.example/cup.jpg"] == "Blue cup"
    for default in ('<mj-all alt="Northwind" />', '<mj-image alt="Northwind" />'):
        source = NEWSLETTER.replace('<mj-image padding="0px" />', default)
        assert alts(MrmlEngine().render(source))["https://cdn.example/logo.png"] == "Northwind"


def test_a_hand_written_img_without_alt_stays_without_one():
    """JavaScript mjml leaves <img> in <mj-text> as written: it is the author's to fix."""
    assert alts(MrmlEngine().render(NEWSLETTER))["https://cdn.example/pin.png"] is None


def test_with_default_alt_adds_only_the_attribute():
    """Lines stay where they were (MRML's error positions are turned into line numbers), the
    defaults in <mj-attributes> are not images, and every tag form is read."""
    added = with_default_alt(NEWSLETTER)
    assert added.count("\n") == NEWSLETTER.count("\n")
    assert '<mj-image padding="0px" />' in added
    assert '<mj-image src="https://cdn.example/logo.png" href="https://shop.example" width="120px" alt="" />' in added
    assert '<mj-image src="https://cdn.example/divider.png" alt="">' in added
    assert '<mj-social-element name="instagram" href="https://instagram.com/shop" alt="" />' in added
    assert with_default_alt("<mj-image-gallery src='x'><mj-image alt src='y'/>") == "<mj-image-gallery src='x'><mj-image alt src='y'/>"


@pytest.mark.skipif(not (NODE_MODULES / "mjml").is_dir() or not shutil.which("node"), reason="no Node.js or no JavaScript mjml (make setup installs it)")
def test_both_engines_give_a_reader_the_same_alt_texts():
    js = NodeMjmlEngine(project_root=REPO / ".cache/mjml-js")
    try:
        javascript = js.render(NEWSLETTER)
    finally:
        js.close()
    assert alts(MrmlEngine().render(NEWSLETTER)) == alts(javascript)
    assert [d for d in reader_differences(MrmlEngine().render(NEWSLETTER), javascript) if d.startswith("image alt")] == []


def test_axe_accepts_an_mj_image_without_alt_and_still_fails_a_hand_written_img(sandbox):
    """The shop's logo written without alt goes out with alt="" and axe-core says nothing; an
    icon typed into <mj-text> without alt is still axe's image-alt error."""
    sandbox.edit("templates/_partials/layout.mjml", 'alt="{{ shop.name }}" ', "")
    with sandbox.engine(screenshots=True) as engine:
        result = engine.check(Case("welcome", "en-new-account"))
    assert not [f for f in result.findings if "image-alt" in f.message]
    sandbox.edit("templates/welcome.mjml", "<h1>{{ t.heading }}</h1>", '<h1><img src="https://cdn.example/wave.png" width="20"> {{ t.heading }}</h1>')
    with sandbox.engine(screenshots=True) as engine:
        result = engine.check(Case("welcome", "en-new-account"))
    image_alt = [f for f in result.findings if f.rule == "accessibility" and "image-alt" in f.message]
    assert image_alt and image_alt[0].severity == "error" and "wave.png" in image_alt[0].element
