"""Every built-in rule fires on a deliberately broken template or fixture, naming the place, and
passes on the bundled catalog."""

from __future__ import annotations

import pytest

from harness.cases import Case

BROKEN = [
    # (rule, file, old, new, case, expected words in the finding)
    pytest.param(
        "belongs-to-recipient", "templates/order_confirmation.mjml", "{{ order.id }}</strong>", "NW-100231</strong>",
        "order_confirmation[en-rtl]", "'NW-100231' at [data-field=order-id] is not the recipient's orders[].id", id="belongs-to-recipient: foreign id",
    ),
    pytest.param(
        "belongs-to-recipient", "templates/welcome.yaml", "approved-copy: {blocks: [legal_footer]}",
        'approved-copy: {blocks: [legal_footer]}\n  belongs-to-recipient: {selector: "[data-field=order-id]", path: "orders[].id"}',
        "welcome[en-new-account]", "sent to a fixture without any orders[].id", id="belongs-to-recipient: no orders at all",
    ),
    pytest.param(
        "approved-copy", "templates/_partials/scam_warning.mjml", "{{ copy.scam_warning }}", "{{ copy.scam_warning | replace('are for gifts', 'are great gifts') }}",
        "gift_card_confirmation[en-gift-card-google-play]", "differs from the approved copy: ...Gift cards are [-for-]{+great+}...",
        id="approved-copy: altered scam warning",
    ),
    pytest.param(
        "approved-copy", "templates/_partials/footer.mjml", '<p data-copy="legal_footer">{{ copy.legal_footer }}</p>', "<p>Northwind Shop Ltd.</p>",
        "refund[de-refunded]", "approved paragraph 'legal_footer' missing from the HTML", id="approved-copy: footer pasted",
    ),
    pytest.param(
        "no-foreign-data", "templates/order_confirmation.mjml", "{{ account.name | bdi }}<br />", "{{ account.name | bdi }}<br />cc: ben.carter@example.net<br />",
        "order_confirmation[en-one-order]", "email of another fixture (en-several-orders) appears in the HTML", id="no-foreign-data",
    ),
    pytest.param(
        "no-leftovers", "templates/welcome.mjml", "{{ t.intro }}", "{{ t.intro }} {{ '{{' }} name }}",
        "welcome[en-new-account]", "'{{ name }}' in the HTML at p", id="no-leftovers: raw syntax",
    ),
    pytest.param(
        "no-leftovers", "templates/welcome.mjml", "{{ t.intro }}", "{{ t.intro }} {{ none }}",
        "welcome[en-new-account]", "'None' in the HTML", id="no-leftovers: None",
    ),
    pytest.param(
        "links", "templates/welcome.mjml", 'href="{{ shop.url }}"', 'href="http://staging.shop.example.com"',
        "welcome[en-new-account]", "link scheme 'http' is not allowed", id="links: http",
    ),
    pytest.param(
        "links", "templates/welcome.mjml", 'href="{{ shop.url }}"', 'href="https://10.0.0.5/"',
        "welcome[en-new-account]", "link points at an IP address", id="links: IP host",
    ),
    pytest.param(
        "links", "templates/welcome.mjml", 'href="{{ shop.url }}">{{ t.button }}', 'href="javascript:alert(1)">click here',
        "welcome[en-new-account]", "link scheme 'javascript' is not allowed", id="links: javascript",
    ),
    pytest.param(
        "images", "templates/_partials/layout.mjml", 'alt="{{ shop.name }}" width="140px" height="40px"', 'src="http://tracker.example/p.gif" width="140px"',
        "welcome[en-new-account]", 'image has alt="" and is all there is in its link', id="images",
    ),
    pytest.param(
        "size", "templates/_catalog.yaml", "size: {limit_kb: 102}", "size: {limit_kb: 5}",
        "welcome[en-new-account]", "Gmail clips it", id="size",
    ),
    pytest.param(
        "text-part", "templates/password_reset.txt", "{{ t.button }}: {{ shop.url }}/reset?token={{ token('password-reset') }}", "",
        "password_reset[en-new-account]", "is missing from the text part", id="text-part",
    ),
    pytest.param(
        "incident-notice", "templates/data_incident_notice.mjml", '<div data-section="consequences"><h2>{{ t.consequences_title }}</h2><p>{{ t.consequences }}</p></div>',
        "<p>Due to a technical error your email address was inadvertently published.</p>",
        "data_incident_notice[en-incident-exposed]", "vague phrase 'technical error' with nothing else: the notice lacks consequences",
        id="incident-notice: the cryptic notice",
    ),
    pytest.param(
        "accessibility", "templates/_partials/layout.mjml", '<mjml lang="{{ locale }}" dir="{{ dir }}">', "<mjml>",
        "welcome[en-new-account]", "<html lang='und'>", id="accessibility",
    ),
    pytest.param(
        "subject", "templates/welcome.yaml", 'subject: "{{ t.subject }}"', 'subject: " "',
        "welcome[en-new-account]", "subject is empty", id="subject",
    ),
]


@pytest.mark.parametrize(("rule", "path", "old", "new", "case", "expected"), BROKEN)
def test_rule_fires_on_a_broken_template(sandbox, rule, path, old, new, case, expected):
    assert not [f for f in sandbox.check(case).findings if f.rule == rule], "the rule must pass before the break"
    sandbox.edit(path, old, new)
    result = sandbox.check(case)
    messages = [f.describe() for f in result.findings if f.rule == rule]
    assert any(expected in m for m in messages), messages
    assert result.status == "failed"
    assert f"[{rule}] error" in result.explain()


def test_every_builtin_rule_runs_and_passes_on_the_bundled_catalog(bundled):
    configured = set()
    for template in bundled.catalog.templates.values():
        configured |= set(bundled.catalog.rules_for(template))
    assert configured >= {
        "belongs-to-recipient", "approved-copy", "no-foreign-data", "no-leftovers", "links", "images",
        "size", "text-part", "incident-notice", "accessibility", "subject", "client-support",
    }
    findings = [(c.id, f.describe()) for c in bundled.cases() for f in bundled.check(c).findings if f.severity != "note"]
    assert findings == []


def test_a_rule_that_crashes_is_a_finding_not_a_crash(sandbox, plugins_forgotten):
    from harness.rules import rules

    @rules.register("crashes")
    def crashes(ctx):
        raise ZeroDivisionError("oops")

    sandbox.write("templates/_catalog.yaml", (sandbox.root / "templates/_catalog.yaml").read_text() + "  crashes: {}\n")
    result = sandbox.check("welcome[en-new-account]")
    assert "[crashes] error: the rule itself failed: ZeroDivisionError: oops" in result.explain()


def test_client_support_warns_on_css_that_outlook_and_gmail_ignore(sandbox):
    """A badge positioned with ``position: absolute`` and laid out with flexbox: Outlook for
    Windows supports neither. A warning names the declaration and the caniemail page."""
    assert not [f for f in sandbox.check("welcome[en-new-account]").findings if f.rule == "client-support"]
    sandbox.edit(
        "templates/welcome.mjml", "<h1>{{ t.heading }}</h1>",
        '<h1 style="display:flex;position:absolute">{{ t.heading }}</h1>',
    )
    result = sandbox.check("welcome[en-new-account]")
    found = {f.element: f for f in result.findings if f.rule == "client-support"}
    assert set(found) == {"display: flex", "position: absolute"}
    assert found["position: absolute"].severity == "warning"
    assert "Outlook (Windows)" in found["position: absolute"].message and "Gmail (iOS)" in found["position: absolute"].message
    assert "https://www.caniemail.com/features/css-position/" in found["position: absolute"].message
    assert result.status == "changed"  # the HTML changed; the warnings alone do not fail it...
    assert sandbox.check("welcome[en-new-account]", strict=True).status == "failed"  # ...unless strict


def test_client_support_checks_what_the_team_wrote_not_what_mjml_generates(sandbox):
    """MJML's output uses max-width and @media with its own Outlook fallbacks; the rule reads the
    MJML source, so the bundled catalog has no client-support warning but its listed ignores.
    Those deliberate enhancements are detected in the source, and warned about once no ignore
    entry names them."""
    from harness.rules.builtin.client_support import caniemail, used_features

    email = sandbox.engine().render(Case("order_confirmation", "en-one-order"))
    assert "max-width" in email.html and "css-max-width" in used_features(email.html)
    written = used_features(email.source)
    assert "css-max-width" not in written
    ignored = {"css-at-media", "css-at-media-prefers-color-scheme", "css-white-space"}
    assert ignored <= set(written) and {"html-strong", "css-padding"} <= set(written)
    assert caniemail()["source"].startswith("npm caniemail ")
    assert not [f for f in sandbox.check("order_confirmation[en-one-order]").findings if f.rule == "client-support"]
    catalog = (sandbox.root / "templates/_catalog.yaml").read_text()
    sandbox.write("templates/_catalog.yaml", catalog[:catalog.index("  client-support:")] + "  client-support: {}\n")
    warned = {f.element for f in sandbox.check("order_confirmation[en-one-order]").findings if f.rule == "client-support"}
    assert warned == {"@media", "@media (prefers-color-scheme)", "white-space: nowrap"}, warned


def test_axe_scan_reports_a_contrast_failure_in_the_page(sandbox):
    """With screenshots on, axe-core runs in the screenshot page: light grey text on white fails
    WCAG AA contrast and names the element."""
    sandbox.edit("templates/welcome.mjml", "<h1>{{ t.heading }}</h1>", '<h1 style="color:#dddddd">{{ t.heading }}</h1>')
    with sandbox.engine(screenshots=True) as engine:
        result = engine.check(Case("welcome", "en-new-account"))
    axe = [f for f in result.findings if f.rule == "accessibility" and "axe" in f.message]
    assert axe and "color-contrast" in axe[0].message and axe[0].severity == "error"
    assert "h1" in axe[0].element
