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


def test_width_and_height_must_be_numbers():
    found = check("images", image(f'src="{LOGO}" alt="x" width="140px"'))
    assert found == [
        Finding("images", "warning", "image has no numeric width", f"img[src={LOGO}]", "width in pixels, so the layout holds while images load"),
        Finding("images", "warning", "image has no numeric height", f"img[src={LOGO}]", "height in pixels, so the layout holds while images load"),
    ]


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
