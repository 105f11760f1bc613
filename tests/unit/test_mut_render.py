"""The render and screenshot stages, pinned where mutation testing found them loose: what a PNG
may be before it is decoded (``harness.screenshots.compare``), ``<mj-include>``
(``harness.render.includes``), the pipeline's messages (``harness.render.pipeline``), plugin
loading (``harness.plugins``) and the translation check's wording (``harness.catalog.strings``).
"""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from harness.errors import SnapshotError
from harness.screenshots.compare import MAX_PIXELS, compare_png, decode_png, png_size


def png_header(width: int, height: int) -> bytes:
    """The first 33 bytes of a PNG: signature and IHDR chunk, no pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))


def png(width: int, height: int, colour: tuple[int, int, int] = (255, 255, 255)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


# -- what a PNG may be before it is decoded (harness.screenshots.compare) -------------------------

def test_the_size_is_read_from_the_header_alone_big_endian():
    assert png_size(png_header(600, 2000)[:24]) == (600, 2000)  # 24 bytes hold it
    assert png_size(png_header(600, 2000)[:23]) is None
    assert png_size(b"GIF89a" + bytes(30)) is None
    assert png_size(b"not a png:) " + b"IHDR" + bytes(16)) is None  # the chunk name alone is not a PNG


@pytest.mark.parametrize(("width", "height"), [(0, 10), (10, 0), (10_000, 5_001), (2**24 + 1, 3)])
def test_a_png_that_is_empty_or_over_fifty_million_pixels_is_refused_before_decoding(width, height):
    with pytest.raises(SnapshotError) as refused:
        decode_png(png_header(width, height), "desktop.png")
    assert str(refused.value) == (f"desktop.png: a PNG of {width:,} x {height:,} pixels; the limit is 50,000,000 pixels, "
                                  "far beyond any email's screenshot. Was the file replaced?")


def test_fifty_million_pixels_is_the_limit_itself_and_a_single_pixel_is_an_image():
    assert MAX_PIXELS == 10_000 * 5_000
    with pytest.raises(SnapshotError, match=r"^desktop\.png: not a readable PNG \("):  # not refused for its size
        decode_png(png_header(10_000, 5_000), "desktop.png")
    assert decode_png(png(1, 1), "desktop.png").size == (1, 1)


def test_other_bytes_are_not_a_png_whatever_they_hold():
    for data in (b"GIF89a" + bytes(30), b"not a png:) " + b"IHDR" + bytes(16)):
        with pytest.raises(SnapshotError, match=r"^desktop\.png: not a readable PNG \(no PNG header\)$"):
            decode_png(data, "desktop.png")


def test_identical_bytes_are_no_change_even_when_they_are_not_a_png():
    diff = compare_png(b"same", b"same")
    assert (diff.changed_pixels, diff.total_pixels, diff.approved_size, diff.received_size) == (0, 0, (0, 0), (0, 0))
    assert diff.describe() == "0 of 0 pixels differ (0.00%)"


# -- the translation check's wording (harness.catalog.strings) ----------------------------------

ORDER = '\nmsgid "Your order"\nmsgstr "Ihre Bestellung"\n'
HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'


def translation_problems(tmp_path, page: str, de_catalog: str | None) -> str:
    """What the check says about template ``welcome`` (locales en and de; en is the source)."""
    from harness.catalog import load_catalog
    from harness.catalog.strings import missing_translations
    from harness.render.jinja import new_environment
    from harness.render.translations import TranslationSet

    root = tmp_path / "templates"
    root.mkdir()
    (root / "welcome.yaml").write_text("subject: Welcome\nlocales: [en, de]\n")
    (root / "welcome.html").write_text(page)
    (tmp_path / "locale").mkdir()
    if de_catalog is not None:
        (tmp_path / "locale/de/LC_MESSAGES").mkdir(parents=True)
        (tmp_path / "locale/de/LC_MESSAGES/messages.po").write_text(de_catalog)
    found = missing_translations(load_catalog(root), new_environment(root), TranslationSet(tmp_path / "locale"))
    return str(found.get("welcome", "")).replace(str(tmp_path), "")


@pytest.mark.parametrize(("catalog", "fix"), [
    ("#, fuzzy\n" + HEADER + ORDER, "remove the fuzzy flag from the header once the translation is reviewed"),
    (ORDER, 'add one: msgid "" then msgstr "Content-Type: text/plain; charset=UTF-8\\n"'),
])
def test_a_skipped_catalog_names_the_fix_for_its_header(tmp_path, catalog, fix):
    assert translation_problems(tmp_path, "{{ _('Your order') }}", catalog).endswith(
        f"sends 'de' in the source text; {fix}, or set use_fuzzy = true under [tool.email-harness] "
        "if production runs pybabel compile --use-fuzzy")


@pytest.mark.parametrize(("count", "shown"), [(5, "'m0', 'm1', 'm2', 'm3', 'm4'"), (6, "'m0', 'm1', 'm2', 'm3', 'm4' ...")])
def test_a_locale_without_a_catalog_lists_five_messages_then_dots(tmp_path, count, shown):
    page = "".join(f"{{{{ _('m{i}') }}}}" for i in range(count))
    assert translation_problems(tmp_path, page, None) == (
        f"/templates/welcome.yaml: locale 'de' has no translation for {shown} in /locale/de/LC_MESSAGES/messages.po (no catalog there)")
