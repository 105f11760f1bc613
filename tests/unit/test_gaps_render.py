"""``<mj-include>`` as the harness resolves it before any MJML engine (harness/render/includes.py):
what each include becomes, and which paths are refused. No engine runs here: the flat MJML an
engine would get is the promise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.errors import MjmlError
from harness.render.includes import MAX_INCLUDE_DEPTH, expand_includes


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """A project with ``templates/`` (the catalog) and a sibling ``templates-private/``."""
    root = tmp_path / "templates"
    (root / "partials").mkdir(parents=True)
    (root / "partials" / "footer.mjml").write_text("<mj-section><mj-text>Footer</mj-text></mj-section>")
    (root / "partials" / "brand.css").write_text(".brand { color: #0a7 }")
    (root / "partials" / "pixel.html").write_text('<img src="https://t.example.com/o.gif" alt="">')
    private = tmp_path / "templates-private"
    private.mkdir()
    (private / "secret.mjml").write_text("<mj-text>internal pricing</mj-text>")
    return root


def expand(mjml: str, root: Path, loaded: list[str] | None = None) -> str:
    """``expand_includes`` with a loader that reads the catalog's files as they are."""

    def load(path: str) -> str:
        if loaded is not None:
            loaded.append(path)
        return (root / path).read_text()

    return expand_includes(mjml, root, load)


# -- what an include becomes -----------------------------------------------------------------


def test_an_mjml_include_is_replaced_by_the_file(catalog):
    out = expand('<mj-body><mj-include path="partials/footer.mjml" /></mj-body>', catalog)
    assert out == "<mj-body><mj-section><mj-text>Footer</mj-text></mj-section></mj-body>"


def test_an_include_with_a_closing_tag_is_replaced_whole(catalog):
    out = expand('<mj-body><mj-include path="partials/footer.mjml">  </mj-include></mj-body>', catalog)
    assert out == "<mj-body><mj-section><mj-text>Footer</mj-text></mj-section></mj-body>"


def test_single_quotes_an_upper_case_attribute_name_and_a_leading_dot_slash_work(catalog):
    loaded: list[str] = []
    out = expand("<mj-include PATH='./partials/footer.mjml'/>", catalog, loaded)
    assert out == "<mj-section><mj-text>Footer</mj-text></mj-section>"
    assert loaded == ["partials/footer.mjml"]  # the loader gets a catalog-relative POSIX path


def test_a_css_include_becomes_a_style_block(catalog):
    out = expand('<mj-head><mj-include path="partials/brand.css" type="css" /></mj-head>', catalog)
    assert out == "<mj-head><mj-style>.brand { color: #0a7 }</mj-style></mj-head>"


@pytest.mark.parametrize("value", ["inline", "INLINE"])
def test_a_css_include_marked_css_inline_becomes_an_inlined_style_block(catalog, value):
    out = expand(f'<mj-include path="partials/brand.css" type="css" css-inline="{value}" />', catalog)
    assert out == '<mj-style inline="inline">.brand { color: #0a7 }</mj-style>'


def test_css_inline_with_another_value_is_a_plain_style_block(catalog):
    out = expand('<mj-include path="partials/brand.css" type="CSS" css-inline="no" />', catalog)
    assert out == "<mj-style>.brand { color: #0a7 }</mj-style>"


def test_an_html_include_becomes_raw_html(catalog):
    out = expand('<mj-include path="partials/pixel.html" type="html" />', catalog)
    assert out == '<mj-raw><img src="https://t.example.com/o.gif" alt=""></mj-raw>'


def test_css_and_html_includes_are_not_expanded_again(catalog):
    """Their text goes in as it is: an ``<mj-include`` in a stylesheet's comment stays text."""
    (catalog / "partials" / "odd.html").write_text('<!-- <mj-include path="partials/footer.mjml" /> -->')
    out = expand('<mj-include path="partials/odd.html" type="html" />', catalog)
    assert out == '<mj-raw><!-- <mj-include path="partials/footer.mjml" /> --></mj-raw>'


def test_includes_inside_an_included_file_are_expanded(catalog):
    (catalog / "partials" / "layout.mjml").write_text('<mj-wrapper><mj-include path="partials/footer.mjml" /></mj-wrapper>')
    out = expand('<mj-include path="partials/layout.mjml" />', catalog)
    assert out == "<mj-wrapper><mj-section><mj-text>Footer</mj-text></mj-section></mj-wrapper>"


def test_a_whole_mjml_document_contributes_its_body(catalog):
    (catalog / "partials" / "doc.mjml").write_text("<mjml><mj-head></mj-head><mj-body width='500px'><mj-text>Body</mj-text></mj-body></mjml>")
    assert expand('<mj-include path="partials/doc.mjml" />', catalog) == "<mj-text>Body</mj-text>"


def test_a_whole_document_with_a_head_says_the_head_is_not_merged(catalog):
    (catalog / "partials" / "doc.mjml").write_text(
        "<mjml><mj-head><mj-title>T</mj-title></mj-head><mj-body><mj-text>Body</mj-text></mj-body></mjml>"
    )
    out = expand('<mj-include path="partials/doc.mjml" />', catalog)
    assert out == "<mj-text>Body</mj-text><!-- the head of partials/doc.mjml is not merged -->"


def test_a_tag_that_only_starts_like_mj_body_is_not_the_body(catalog):
    (catalog / "partials" / "doc.mjml").write_text("<mj-body-x>no</mj-body-x><mj-body><mj-text>yes</mj-text></mj-body>")
    assert expand('<mj-include path="partials/doc.mjml" />', catalog) == "<mj-text>yes</mj-text>"


def test_an_unclosed_body_leaves_the_fragment_as_it_is(catalog):
    (catalog / "partials" / "doc.mjml").write_text("<mj-body><mj-text>open")
    assert expand('<mj-include path="partials/doc.mjml" />', catalog) == "<mj-body><mj-text>open"


def test_mjml_without_includes_is_returned_untouched(catalog):
    def load(path: str) -> str:
        raise AssertionError("nothing to load")

    assert expand_includes("<mj-body><mj-text>Hi</mj-text></mj-body>", catalog, load) == "<mj-body><mj-text>Hi</mj-text></mj-body>"


def chain(catalog: Path, length: int) -> str:
    """Files ``c0.mjml`` .. that each include the next, the last one ending the chain."""
    for level in range(length):
        inner = f'<mj-include path="partials/c{level + 1}.mjml" />' if level + 1 < length else "end"
        (catalog / "partials" / f"c{level}.mjml").write_text(f"[{level}]{inner}")
    return '<mj-include path="partials/c0.mjml" />'


def test_includes_nested_as_deep_as_allowed_expand(catalog):
    out = expand(chain(catalog, MAX_INCLUDE_DEPTH), catalog)
    assert out == "".join(f"[{level}]" for level in range(MAX_INCLUDE_DEPTH)) + "end"


def test_one_include_deeper_than_allowed_is_an_error(catalog):
    with pytest.raises(MjmlError, match=rf"<mj-include path='partials/c{MAX_INCLUDE_DEPTH}.mjml'>: includes nested more than 10 deep"):
        expand(chain(catalog, MAX_INCLUDE_DEPTH + 1), catalog)


def test_a_file_that_includes_itself_is_an_error_not_a_hang(catalog):
    (catalog / "partials" / "loop.mjml").write_text('<mj-include path="partials/loop.mjml" />')
    with pytest.raises(MjmlError, match=r"<mj-include path='partials/loop.mjml'>: includes nested more than 10 deep \(one includes itself\?\)"):
        expand('<mj-include path="partials/loop.mjml" />', catalog)


# -- which paths are refused -----------------------------------------------------------------


def test_a_sibling_folder_whose_name_starts_like_the_catalog_is_outside_it(catalog):
    """``templates-private/`` starts with ``templates`` as a string; it is not in the catalog."""
    with pytest.raises(MjmlError, match=r"<mj-include path='../templates-private/secret.mjml'>: outside the catalog; includes are confined to it"):
        expand('<mj-include path="../templates-private/secret.mjml" />', catalog)


def test_an_absolute_path_is_refused_even_inside_the_catalog(catalog):
    absolute = (catalog / "partials" / "footer.mjml").resolve()
    with pytest.raises(MjmlError, match="outside the catalog"):
        expand(f'<mj-include path="{absolute}" />', catalog)


def test_a_path_that_climbs_out_and_back_in_is_accepted(catalog):
    loaded: list[str] = []
    expand('<mj-include path="partials/../partials/footer.mjml" />', catalog, loaded)
    assert loaded == ["partials/footer.mjml"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="the platform has no symbolic links")
def test_a_symbolic_link_leaving_the_catalog_is_refused(catalog):
    (catalog / "partials" / "leak.mjml").symlink_to(catalog.parent / "templates-private" / "secret.mjml")
    with pytest.raises(MjmlError, match="outside the catalog"):
        expand('<mj-include path="partials/leak.mjml" />', catalog)


def test_an_include_without_a_path_is_an_error(catalog):
    with pytest.raises(MjmlError, match="^<mj-include> without a path$"):
        expand('<mj-include type="css" />', catalog)


@pytest.mark.parametrize("path", ["partials/nope.mjml", "partials"])
def test_a_path_that_is_not_a_file_of_the_catalog_is_an_error(catalog, path):
    with pytest.raises(MjmlError, match=rf"<mj-include path='{path}'>: no such file in the catalog \({catalog}\)"):
        expand(f'<mj-include path="{path}" />', catalog)
