"""``client-support`` and deliberate fallbacks: a declaration a client lacks is a finding only
where that client reads it and nothing else in the same element already does its job.

The markup is what public template sets send: Postmark's and SendGrid's preheader, SendGrid's
logo and layout cells, MJML's own gallery styles, Outlook conditional comments."""

from __future__ import annotations

from harness.rules.builtin.client_support import DEFAULT_CLIENTS, unsupported_features

from .build import check, email, page

#: Postmark's preheader (templates-inlined/*/content.html): display:none does the hiding; every
#: other declaration is for a client that ignores display:none.
POSTMARK_PREHEADER = (
    '<span class="preheader" style="display: none !important; visibility: hidden; mso-hide: all; font-size: 1px; '
    'line-height: 1px; max-height: 0; max-width: 0; opacity: 0; overflow: hidden;">'
    "Use this link to reset your password. The link is only valid for 24 hours.</span>"
)
#: SendGrid's dynamic templates write their own recipe.
SENDGRID_PREHEADER = (
    '<div style="display: none !important; mso-hide: all; visibility: hidden; opacity: 0; color: transparent; '
    'height: 0; width: 0;">Your receipt from Sender_Name</div>'
)


def plain(body: str, head: str = "") -> str:
    """A plain-HTML email as Postmark and SendGrid write them."""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title></title>{head}</head>'
        f'<body style="margin: 0;">{body}<table class="email-wrapper" width="100%" cellpadding="0" cellspacing="0" '
        'role="presentation"><tr><td><p style="margin: 0;">Hi Ada, you asked to reset your password.</p></td></tr></table></body></html>'
    )


def mjml(body: str, head: str = "") -> str:
    return f"<mjml><mj-head>{head}</mj-head><mj-body><mj-section><mj-column><mj-text>{body}</mj-text></mj-column></mj-section></mj-body></mjml>"


def warned(source: str) -> dict[str, str]:
    """Each finding's element -> the clients its message names."""
    return {f.element: f.message.split(" is not supported by ")[1].split(" (caniemail")[0]
            for f in check("client-support", email(page("<p>generated</p>"), source=source))}


# -- hiding: every declaration beside display:none is a fallback ------------------------------


def test_postmarks_preheader_is_no_finding():
    assert warned(plain(POSTMARK_PREHEADER)) == {}


def test_sendgrids_preheader_is_no_finding():
    assert warned(plain(SENDGRID_PREHEADER)) == {}


def test_a_preheader_class_in_mj_style_is_no_finding():
    """The MJML gallery's Ugg Royale template hides its preheader with a class rule."""
    head = (
        "<mj-style>.preheader {display:none !important; visibility:hidden; mso-hide:all; max-height:0px; "
        "max-width:0px; opacity:0; overflow:hidden; width:100%;}</mj-style>"
    )
    assert warned(mjml('<span class="preheader">Free shipping this week</span>', head)) == {}


def test_visibility_hidden_alone_still_shows_the_element_in_gmail_and_outlook():
    assert warned(plain('<span style="visibility: hidden;">Use this link to reset your password.</span>')) == {
        "visibility: hidden": "Gmail (Desktop Webmail), Gmail (iOS), Gmail (Android), Outlook (Windows)",
    }


def test_a_fallback_counts_only_in_clients_that_support_the_other_means():
    """opacity:0 hides the span in Gmail, so visibility:hidden is a fallback there; Outlook for
    Windows supports neither, so there the text shows, and both declarations say so."""
    assert warned(plain('<span style="visibility: hidden; opacity: 0;">Use this link to reset your password.</span>')) == {
        "visibility: hidden": "Outlook (Windows)",
        "opacity: 0": "Outlook (Windows)",
    }


def test_collapsing_without_display_none_is_still_a_finding_in_outlook():
    """max-height:0 with overflow:hidden hides the text in every client but Outlook for Windows,
    which supports neither: nothing else hides it there."""
    assert warned(plain('<div style="max-height: 0; overflow: hidden;">Use this link</div>')) == {
        "max-height: 0": "Outlook (Windows)",
        "overflow: hidden": "Outlook (Windows)",
    }


def test_a_design_property_on_a_hidden_element_is_still_read():
    """A mobile-only block is hidden by default and shown by a media query: its border-radius
    carries the design where it shows, so it is not excused by display:none."""
    source = plain('<div class="mobile" style="display: none; border-radius: 6px;">Open in the app</div>')
    assert warned(source) == {"border-radius: 6px": "Outlook (Windows)"}


# -- where a client never reads a declaration ----------------------------------------------------


def test_declarations_inside_a_media_query_matter_only_to_clients_with_media_queries():
    """Outlook for Windows reads no @media: the @media is its finding, not what the query holds."""
    head = "<mj-style>@media only screen and (max-width: 480px) { .column { min-width: 100% !important; } }</mj-style>"
    assert warned(mjml("<p>Hi</p>", head)) == {"@media": "Outlook (Windows)"}
    outside = "<mj-style>.column { min-width: 100% !important; }</mj-style>"
    assert warned(mjml("<p>Hi</p>", outside)) == {"min-width: 100% !important": "Outlook (Windows)"}


def test_markup_hidden_from_outlook_is_not_checked_for_outlook():
    """``<!--[if !mso]><!-->`` hides a block from Outlook for Windows, the usual way to give it
    a simpler layout; inside ``<!--[if mso]>`` only Outlook for Windows reads the markup."""
    not_outlook = '<!--[if !mso]><!--><div style="display: flex;">Two columns</div><!--<![endif]-->'
    assert warned(plain(not_outlook)) == {}
    only_outlook = '<!--[if mso]><table role="presentation"><tr><td style="box-shadow: 0 1px 2px #ccc;">x</td></tr></table><![endif]-->'
    assert warned(plain(only_outlook)) == {"box-shadow: 0 1px 2px #ccc": "Outlook (Windows)"}
    assert warned(plain('<div style="display: flex;">Two columns</div>')) == {"display: flex": "Outlook (Windows)"}


def test_commented_out_markup_is_read_by_no_client():
    assert warned(plain('<!-- <div style="position: absolute;">Old badge</div> -->')) == {}


# -- what the element gets otherwise, or what does nothing anywhere ------------------------------


def test_min_width_equal_to_the_width_is_no_finding():
    """SendGrid's logo: width="48" and width:48px already make it 48 px wide in Outlook."""
    logo = '<img src="https://x.example/logo.png" alt="Logo" border="0" width="48" style="display: block; width: 48px; max-width: 48px; min-width: 48px;">'
    assert warned(plain(logo)) == {}
    column = '<div style="display: inline-block; width: 100%; max-width: 50%; min-width: 240px; vertical-align: top;">Column</div>'
    assert warned(plain(column)) == {"min-width: 240px": "Outlook (Windows)"}


def test_border_spacing_zero_is_no_finding_where_cellspacing_or_collapse_does_it_or_on_a_cell():
    assert warned(plain('<table cellspacing="0" style="border-spacing: 0;"><tr><td>x</td></tr></table>')) == {}
    assert warned(plain('<table style="border-spacing: 0; border-collapse: collapse;"><tr><td>x</td></tr></table>')) == {}
    assert warned(plain('<table><tr><td style="padding: 0px; margin: 0px; border-spacing: 0;">x</td></tr></table>')) == {}
    assert warned(plain('<table style="border-spacing: 0;"><tr><td>x</td></tr></table>')) == {
        "border-spacing: 0": "Outlook (Windows), Outlook (macOS)",
    }


def test_height_auto_matters_only_against_a_height_attribute():
    """Yahoo turns height into min-height: harmless for an image with no height to override."""
    fluid = '<img src="https://x.example/hero.png" alt="" width="600" style="display: block; width: 100%; height: auto !important;">'
    assert warned(plain(fluid)) == {}
    fixed = '<img src="https://x.example/hero.png" alt="" width="600" height="300" style="width: 100%; height: auto;">'
    assert warned(plain(fixed)) == {"height: auto": "Yahoo! Mail (Desktop Webmail)"}


def test_a_feature_is_reported_once_with_every_client_any_use_misses():
    source = plain('<span style="visibility: hidden; opacity: 0;">a</span><span style="visibility: hidden;">b</span>')
    what, clients = unsupported_features(source, DEFAULT_CLIENTS)["css-visibility"]
    assert what == "visibility: hidden"
    assert clients == ["Gmail (Desktop Webmail)", "Gmail (iOS)", "Gmail (Android)", "Outlook (Windows)"]
