"""``links`` and ``images``: where an email points and what it loads (README, "Your rules")."""

from __future__ import annotations

import pytest

from harness.rules import Finding
from harness.rules.builtin.links import source_alts

from .build import check, email, page

SHOP = {"allowed_domains": ["shop.example.com"]}


def link(href: str, text: str = "Your order", *, source: str | None = None):
    return email(page(f'<a href="{href}">{text}</a>'), source=source)


def error(message: str, href: str, expected: str) -> Finding:
    return Finding("links", "error", message, f"a[href={href}]", expected)


# -- links: schemes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    ["https://shop.example.com/orders/1", "https://help.shop.example.com/", "mailto:help@shop.example.com", "tel:+442079460000"],
)
def test_https_mailto_and_tel_links_on_allowed_hosts_pass(href):
    assert check("links", link(href), **SHOP) == []


@pytest.mark.parametrize(
    ("href", "scheme"),
    [("http://shop.example.com/", "http"), ("javascript:alert(1)", "javascript"), ("/orders/1", "relative"), ("ftp://shop.example.com/f", "ftp")],
)
def test_other_schemes_are_errors(href, scheme):
    assert check("links", link(href)) == [error(f"link scheme {scheme!r} is not allowed", href, "https:, mailto: or tel:")]


def test_a_link_without_href_is_an_error():
    for html in ("<a>Shop</a>", '<a href="">Shop</a>'):
        assert check("links", email(page(html))) == [Finding("links", "error", "link has no href", "a", "an https, mailto or tel link")]
    assert [f.message for f in check("links", email(page('<a href="  ">Shop</a>')))] == ["link has no href"]


def test_an_anchor_the_mjml_engine_made_is_skipped_but_one_the_author_wrote_is_checked():
    made = link("#carousel-1", source="<mj-carousel />")
    assert check("links", made) == []
    written = link("#top", source='<a href="#top">Top</a>')
    assert check("links", written) == [error("link scheme 'relative' is not allowed", "#top", "https:, mailto: or tel:")]


def test_white_space_around_an_href_is_ignored():
    assert check("links", link("  https://shop.example.com/  "), **SHOP) == []
    assert check("links", link("  #carousel-1  ", source="")) == []


# -- links: hosts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["localhost", "staging.shop.example.com", "stage.shop.example.com", "dev.shop.example.com",
     "test.shop.example.com", "shop-internal.example.com", "printer.local"],
)
def test_localhost_and_staging_hosts_are_errors(host):
    href = f"https://{host}/orders"
    assert check("links", link(href)) == [error(f"link points at a non-production host: {host}", href, "a public production host")]


def test_a_staging_subdomain_of_an_allowed_domain_is_still_an_error():
    href = "https://staging.shop.example.com/"
    assert check("links", link(href), **SHOP) == [
        error("link points at a non-production host: staging.shop.example.com", href, "a host in ['shop.example.com']")
    ]


@pytest.mark.parametrize(("href", "host"), [("https://10.0.0.5/", "10.0.0.5"), ("https://[::1]:8443/", "::1"), ("https://127.0.0.1/x", "127.0.0.1")])
def test_ip_addresses_are_errors(href, host):
    assert check("links", link(href), **SHOP) == [error(f"link points at an IP address: {host}", href, "a host in ['shop.example.com']")]


def test_a_link_without_host_is_an_error():
    assert check("links", link("https:///orders")) == [error("link has no host: None", "https:///orders", "a public production host")]


def test_an_allowed_domain_is_matched_as_a_domain_not_as_a_bare_suffix():
    href = "https://evilshop.example.com/login"
    assert check("links", link(href), **SHOP) == [
        error("link points outside the allowed domains: evilshop.example.com", href, "a host in ['shop.example.com']")
    ]
    assert check("links", link("https://shop.example.com.evil.net/"), **SHOP) != []


def test_any_public_host_passes_when_no_domain_is_listed():
    assert check("links", link("https://evilshop.example.com/")) == []


def test_each_of_several_allowed_domains_is_allowed():
    options = {"allowed_domains": ["shop.example.com", "carrier.example.net"]}
    assert check("links", link("https://track.carrier.example.net/1"), **options) == []
    assert check("links", link("https://shop.example.com/"), **options) == []


# -- links: tracking parameters --------------------------------------------------------------


def test_required_tracking_parameters_are_enforced():
    required = {"require_params": ["utm_source", "utm_campaign"]}
    assert check("links", link("https://shop.example.com/?utm_source=email&utm_campaign=order"), **required) == []
    href = "https://shop.example.com/?utm_source=email"
    assert check("links", link(href), **required) == [
        error("link lacks tracking parameter(s) ['utm_campaign']", href, "?utm_source=...&utm_campaign=...")
    ]
    bare = "https://shop.example.com/"
    assert check("links", link(bare), **required) == [
        error("link lacks tracking parameter(s) ['utm_source', 'utm_campaign']", bare, "?utm_source=...&utm_campaign=...")
    ]


def test_tracking_parameters_are_not_wanted_on_mailto_links():
    assert check("links", link("mailto:help@shop.example.com"), require_params=["utm_source"]) == []


def test_a_bad_host_and_missing_parameters_are_both_reported():
    href = "https://localhost/"
    assert [f.message for f in check("links", link(href), require_params=["utm_source"])] == [
        "link points at a non-production host: localhost", "link lacks tracking parameter(s) ['utm_source']",
    ]


# -- links: link text ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["click here", "Click HERE", "  here ", "Hier klicken", "clicca qui", "more"])
def test_link_text_that_says_nothing_is_a_warning(text):
    href = "https://shop.example.com/"
    found = check("links", link(href, text))
    assert found == [Finding("links", "warning", f"link text {' '.join(text.split())!r} says nothing out of context",
                             f"a[href={href}]", "text that says where the link goes")]


def test_link_text_that_says_where_it_goes_passes():
    assert check("links", link("https://shop.example.com/", "Track your parcel")) == []


def test_vague_text_on_a_mailto_link_is_a_warning_too():
    assert [f.severity for f in check("links", link("mailto:help@shop.example.com", "here"))] == ["warning"]


# -- images ----------------------------------------------------------------------------------

CDN = {"allowed_hosts": ["cdn.shop.example.com"]}
LOGO = "https://cdn.shop.example.com/logo.png"


def image(attributes: str, *, source: str | None = None):
    return email(page(f"<img {attributes}>"), source=source)


def test_an_image_with_alt_size_and_an_allowed_https_host_passes():
    assert check("images", image(f'src="{LOGO}" alt="Northwind" width="140" height="40"'), **CDN) == []


def test_an_image_without_alt_is_an_error():
    assert check("images", image(f'src="{LOGO}" width="140" height="40"')) == [
        Finding("images", "error", "image has no alt attribute", f"img[src={LOGO}]", 'alt text, or alt="" for decoration')
    ]


def test_an_empty_alt_written_in_the_source_is_decoration_not_a_missing_alt():
    """MRML drops ``alt=""``; the author's source still says the image is decorative."""
    source = f'<mj-image src="{LOGO}" alt="" width="140px" />'
    assert check("images", image(f'src="{LOGO}" width="140" height="40"', source=source)) == []


def test_an_image_with_neither_width_nor_height_is_a_warning():
    """"140px" in an attribute is no size to Outlook, which reads only a number there."""
    for attributes in (f'src="{LOGO}" alt="x" width="140px"', f'src="{LOGO}" alt="x" height="auto" style="height:auto"'):
        assert check("images", image(attributes)) == [
            Finding("images", "warning", "image has no width or height", f"img[src={LOGO}]",
                    "a width in pixels (height may stay auto), so the layout holds while images load")
        ]


def test_a_fluid_mjml_image_with_a_width_and_height_auto_passes():
    """What MJML renders for every ``<mj-image>``: a pixel width and a height that scales with it."""
    fluid = (f'<img alt="Espresso cup" height="auto" src="{LOGO}" width="550" '
             'style="border:0;display:block;outline:none;text-decoration:none;height:auto;width:100%;font-size:13px;">')
    assert check("images", email(page(fluid))) == []


@pytest.mark.parametrize("size", ['width="100%"', 'height="40"', 'style="width:120px"', 'style="max-width:100%; width: 50% !important"'])
def test_either_dimension_by_attribute_or_style_holds_the_place(size):
    assert check("images", image(f'src="{LOGO}" alt="x" {size}')) == []


def test_an_image_over_http_is_an_error():
    src = "http://cdn.shop.example.com/logo.png"
    assert check("images", image(f'src="{src}" alt="x" width="1" height="1"'), **CDN) == [
        Finding("images", "error", f"image source is not https: {src!r}", f"img[src={src}]", "https://...")
    ]


def test_images_allowed_hosts_is_enforced_exactly():
    for src in ("https://tracker.example/p.gif", "https://img.cdn.shop.example.com/a.png"):
        host = src.split("/")[2]
        assert check("images", image(f'src="{src}" alt="x" width="1" height="1"'), **CDN) == [
            Finding("images", "error", f"image host {host} is not allowed", f"img[src={src}]", "one of ['cdn.shop.example.com']")
        ]
    assert check("images", image('src="https://tracker.example/p.gif" alt="x" width="1" height="1"')) == []


def test_source_alts_reads_what_the_author_wrote():
    source = (
        '<mj-image src="https://a.example/1.png?x=1&amp;y=2" alt="" />'
        "<img SRC='https://a.example/2.png' ALT='Two'>"
        '<mj-carousel-image src="https://a.example/3.png" title="a > b" alt="Three" />'
        '<mj-image src="https://a.example/4.png" />'
        '<mj-text src="https://a.example/5.png" alt="not an image" />'
    )
    assert source_alts(source) == {
        "https://a.example/1.png?x=1&y=2": "",
        "https://a.example/2.png": "Two",
        "https://a.example/3.png": "Three",
    }


def test_every_link_is_checked_after_one_that_is_skipped_or_refused():
    mail = email(page('<a href="#carousel">1</a><a href="">2</a><a href="http://x.example">3</a><a href="https://localhost/">4</a>'), source="")
    assert [f.message for f in check("links", mail)] == [
        "link has no href", "link scheme 'http' is not allowed", "link points at a non-production host: localhost",
    ]


def test_an_alt_attribute_in_the_html_is_enough():
    """Without an alt in the source, the generated HTML's alt counts."""
    assert check("images", image(f'src="{LOGO}" alt="Northwind" width="1" height="1"', source="")) == []
    assert check("images", image(f'src="{LOGO}" alt="" width="1" height="1"', source="")) == []


@pytest.mark.parametrize("host", ["latest.shop.example.com", "backstage.example.com", "shop.localization.example.com"])
def test_a_production_host_that_merely_contains_a_marker_passes(host):
    assert check("links", link(f"https://{host}/x")) == []


@pytest.mark.parametrize("host", ["staging.shop.example.com", "dev.example.com", "localhost", "printer.local"])
def test_a_non_production_host_label_is_an_error(host):
    assert [f.message for f in check("links", link(f"https://{host}/x"))] == [f"link points at a non-production host: {host}"]


# -- alt text in MJML: what the author wrote, whatever the engine made of it ----------------------


def mjml_email(body: str) -> object:
    """An MJML email rendered by MRML, the default engine, with its source kept as the pipeline does."""
    from harness.render.mjml_engines import MrmlEngine

    source = f"<mjml><mj-body><mj-section><mj-column>{body}</mj-column></mj-section></mj-body></mjml>"
    return email(MrmlEngine().render(source), source=source)


def test_mjml_components_without_alt_go_out_with_mjmls_default_empty_alt():
    """JavaScript mjml gives ``mj-image``, social icons and carousel images ``alt=""`` when the
    author writes none (MRML leaves the attribute out): as sent, they are decorative, not missing."""
    mail = mjml_email(
        '<mj-image src="https://cdn.example.com/hero.jpg" width="600px" />'
        '<mj-social><mj-social-element name="facebook" href="https://facebook.com/acme">Facebook</mj-social-element></mj-social>'
        '<mj-carousel><mj-carousel-image src="https://cdn.example.com/1.jpg" thumbnails-src="https://cdn.example.com/t1.jpg" />'
        '<mj-carousel-image src="https://cdn.example.com/2.jpg" /></mj-carousel>'
    )
    assert [f for f in check("images", mail) if "alt" in f.message] == []


def test_an_empty_alt_is_found_where_the_rendered_src_is_written_differently():
    """Entities, white space around a Jinja expression, a bare ``alt``: the same image."""
    source = (
        '<mj-image src="https://cdn.example.com/p.png?w=80&amp;h=80" alt="" />'
        '<mj-image src="\n  https://cdn.example.com/logo.png\n" alt=""/>'
        "<mj-text><img src=https://cdn.example.com/dot.gif alt></mj-text>"
    )
    rendered = page('<img src="https://cdn.example.com/p.png?w=80&h=80" width="80"><img src="https://cdn.example.com/logo.png" width="80">'
                    '<img src="https://cdn.example.com/dot.gif" width="1">')
    assert check("images", email(rendered, source=f"<mjml><mj-body>{source}</mj-body></mjml>")) == []


def test_an_img_written_by_hand_in_mjml_without_alt_is_still_an_error():
    mail = mjml_email('<mj-image src="https://cdn.example.com/hero.jpg" /><mj-text><img src="https://cdn.example.com/badge.png" width="40"></mj-text>')
    assert check("images", mail) == [
        Finding("images", "error", "image has no alt attribute", "img[src=https://cdn.example.com/badge.png]", 'alt text, or alt="" for decoration')
    ]


def test_source_alts_knows_social_icons_carousel_thumbnails_and_bare_alts():
    source = (
        '<mj-social-element src="https://a.example/s.png" alt="" />'
        '<mj-carousel-image src="https://a.example/c.png" thumbnails-src="https://a.example/t.png" alt="Mug" />'
        "<img alt src=' https://a.example/b.png '>"
    )
    assert source_alts(source) == {
        "https://a.example/s.png": "", "https://a.example/c.png": "Mug", "https://a.example/t.png": "Mug", "https://a.example/b.png": "",
    }


def test_an_image_that_is_all_there_is_in_its_link_needs_alt_text():
    """MJML's default ``alt=""`` makes a linked logo decorative: the link then has no name."""
    (finding,) = check("images", mjml_email('<mj-image src="https://cdn.example.com/logo.png" href="https://shop.example.com" width="140px" />'))
    assert finding.message == 'image has alt="" and is all there is in its link: the link has no name'  # MRML writes MJML's alt=""
    written = page('<a href="https://shop.example.com"><img src="https://cdn.example.com/logo.png" alt="" width="140"></a>')
    assert [f.message for f in check("images", email(written))] == ['image has alt="" and is all there is in its link: the link has no name']


@pytest.mark.parametrize("link", [
    '<a href="https://facebook.com/acme"><img src="https://cdn.example.com/fb.png" alt="" width="20"> Facebook</a>',
    '<a href="https://facebook.com/acme" aria-label="Acme on Facebook"><img src="https://cdn.example.com/fb.png" alt="" width="20"></a>',
    '<a href="https://shop.example.com"><img src="https://cdn.example.com/l.png" alt="" width="20"><img src="https://cdn.example.com/w.png" alt="Northwind" width="90"></a>',
])
def test_a_decorative_image_beside_what_names_its_link_passes(link):
    assert check("images", email(page(link))) == []


def test_a_linked_logo_is_not_named_by_a_button_to_the_same_address_further_down():
    body = ('<a href="https://shop.example.com"><img src="https://cdn.example.com/logo.png" alt="" width="140"></a>'
            '<h1>Welcome</h1><a href="https://shop.example.com">Start shopping</a>')
    assert [f.message for f in check("images", email(page(body)))] == ['image has alt="" and is all there is in its link: the link has no name']
