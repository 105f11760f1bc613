"""Every built-in rule fires on a deliberately broken template or fixture, naming the place, and
passes on the bundled catalog."""

from __future__ import annotations

import pytest

BROKEN = [
    # (rule, file, old, new, case, expected words in the finding)
    pytest.param(
        "order-id", "templates/order_confirmation.mjml", "{{ order.id }}</strong>", "NW-100231</strong>",
        "order_confirmation[en-rtl]", "order id 'NW-100231' does not belong to the recipient", id="order-id: foreign id",
    ),
    pytest.param(
        "order-id", "templates/welcome.yaml", "approved-copy: {blocks: [legal_footer]}", "approved-copy: {blocks: [legal_footer]}\n  order-id: {}",
        "welcome[en-new-account]", "sent to an account that has no order at all", id="order-id: no orders at all",
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
        "no-foreign-data", "templates/order_confirmation.mjml", "{{ account.name }}<br />", "{{ account.name }}<br />cc: ben.carter@example.net<br />",
        "order_confirmation[en-one-order]", "email of another account (en-several-orders) appears in the HTML", id="no-foreign-data",
    ),
    pytest.param(
        "no-leftovers", "templates/welcome.mjml", "{{ t.intro }}", "{{ t.intro }} {{ '{{' }} name }}",
        "welcome[en-new-account]", "'{{' in the HTML", id="no-leftovers: raw syntax",
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
        "welcome[en-new-account]", "image has no alt attribute", id="images",
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
        "order-id", "approved-copy", "no-foreign-data", "no-leftovers", "links", "images",
        "size", "text-part", "incident-notice", "accessibility", "subject",
    }
    findings = [(c.id, f.describe()) for c in bundled.cases() for f in bundled.check(c).findings]
    assert findings == []


def test_a_rule_that_crashes_is_a_finding_not_a_crash(sandbox):
    from harness.rules import rules

    @rules.register("crashes")
    def crashes(ctx):
        raise ZeroDivisionError("oops")

    sandbox.write("templates/_catalog.yaml", (sandbox.root / "templates/_catalog.yaml").read_text() + "  crashes: {}\n")
    result = sandbox.check("welcome[en-new-account]")
    assert "[crashes] error: the rule itself failed: ZeroDivisionError: oops" in result.explain()
