"""Any team's templates: MJML with includes, plain HTML, templates the email service fills (merge
tags), and a team's own renderer, mixed in one catalog and checked by both fronts.

The templates here are written in the styles of public transactional template sets: a table
layout with a hidden <span> preheader and inlined CSS, MJML partials pulled in with mj-include,
Mailchimp and Handlebars merge tags, Mustache rendered by a library.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cases import Case
from harness.engine import Engine
from harness.errors import ConfigError
from harness.project import Project

RECEIPT_MJML = """<mjml lang="{{ locale }}" dir="{{ dir }}">
  <mj-head>
    <mj-title>Receipt</mj-title>
    <mj-preview>Your receipt for {{ invoice.number }}</mj-preview>
    <mj-include path="_partials/brand.css" type="css" css-inline="inline" />
  </mj-head>
  <mj-body>
    <mj-include path="_partials/header.mjml" />
    <mj-section><mj-column>
      <mj-image src="https://cdn.example.com/divider.png" alt="" width="600px" height="10px" />
      <mj-text><h1 class="title">Thanks for your payment</h1><p>Invoice <strong data-field="invoice-number">{{ invoice.number }}</strong></p></mj-text>
      <mj-button href="https://app.example.com/invoices/{{ invoice.number }}">View invoice</mj-button>
    </mj-column></mj-section>
  </mj-body>
</mjml>
"""
HEADER = """<mj-section><mj-column><mj-image src="https://cdn.example.com/logo.png" alt="{{ product }}" width="120px" height="40px" /></mj-column></mj-section>"""
BRAND_CSS = ".title { color: #0b3d91; }"

RESET_HTML = """<!DOCTYPE html>
<html lang="{{ locale }}" dir="{{ dir }}">
<head>
  <meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Reset your password</title>
  <style data-inline>.button { background-color: #15803d; color: #ffffff; padding: 10px 18px; text-decoration: none; }</style>
  <style>@media only screen and (max-width: 600px) { .wrapper { width: 100% !important; } }</style>
</head>
<body style="margin:0;padding:0;background-color:#f2f4f6;">
  <span style="display:none;visibility:hidden;mso-hide:all;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;">Use this link to reset your password. The link is only valid for 24 hours.</span>
  <table class="wrapper" role="presentation" width="600" cellpadding="0" cellspacing="0" align="center">
    <tr><td style="padding:24px;font-family:Arial,sans-serif;">
      <h1>Hi {{ account.name }},</h1>
      <p>You asked to reset your password. Use the button below; it is valid for 24 hours.</p>
      <p><a class="button" href="https://app.example.com/reset?token={{ token('reset') }}">Reset your password</a></p>
      <p>If you did not ask for this, ignore this email or contact <a href="mailto:support@example.com">support@example.com</a>.</p>
    </td></tr>
  </table>
</body>
</html>
"""
NEWSLETTER_MJML = """<mjml lang="en" dir="ltr">
  <mj-head><mj-title>Welcome</mj-title><mj-preview>Welcome aboard, *|FNAME|*</mj-preview></mj-head>
  <mj-body><mj-section><mj-column>
    <mj-text><h1>Welcome, {{FirstName}}!</h1><p>Hello *|FNAME|*, your plan is {{plan.name}}.</p>
      {{#each tips}}<p>{{this}}</p>{{/each}}</mj-text>
  </mj-column></mj-section></mj-body>
</mjml>
"""
DIGEST_MUSTACHE = """<html lang="{{locale}}" dir="ltr"><head><title>Digest</title></head><body>
<div style="display:none;max-height:0;overflow:hidden">Your weekly digest</div>
<table role="presentation"><tr><td><h1>Your week, {{account.name}}</h1>
{{#account.projects}}<p data-field="project">{{name}}</p>{{/account.projects}}
</td></tr></table></body></html>
"""
PLUGIN = '''
import chevron
from harness import NotSent, RenderOutput, guards, renderers


@guards.register("has_invoice")
def has_invoice(account, now):
    return {"invoice": account.invoices[0]} if account.invoices else NotSent("no invoice")


@renderers.register("mustache")
class Mustache:
    """Mustache through chevron, as a team whose production sends it would register it."""
    extensions = (".mustache",)

    def render(self, request):
        html = chevron.render(request.source, {**request.context})
        return RenderOutput(html=html, subject="Your weekly digest")
'''
FIXTURES = {
    "en-ada": "locale: en\nname: Ada Lovelace\nemail: ada@example.org\ninvoices: [{number: INV-1}]\nprojects: [{name: Analytical Engine}]\n",
    "en-grace": "locale: en\nname: Grace Hopper\nemail: grace@example.org\ninvoices: []\nprojects: [{name: COBOL}]\n",
}


def make_catalog(root: Path, module: str) -> Path:
    files = {
        "templates/receipt.mjml": RECEIPT_MJML,
        "templates/receipt.yaml": 'subject: "Receipt {{ invoice.number }}"\nrequires: [has_invoice]\nrules:\n  belongs-to-recipient: {selector: "[data-field=invoice-number]", path: "invoices[].number"}\n',
        "templates/_partials/header.mjml": HEADER,
        "templates/_partials/brand.css": BRAND_CSS,
        "templates/password_reset.html": RESET_HTML,
        "templates/password_reset.yaml": "subject: Reset your password\n",
        "templates/newsletter_welcome.mjml": NEWSLETTER_MJML,
        "templates/newsletter_welcome.yaml": "subject: 'Welcome, *|FNAME|*'\nlanguage: none\n",
        "templates/digest.mustache": DIGEST_MUSTACHE,
        "templates/_catalog.yaml": "context: {product: Acme}\nscreenshots: {viewports: [desktop], fixtures: [en-ada]}\n",
        f"{module}.py": PLUGIN,
        "pyproject.toml": f'[tool.email-harness]\nplugins = ["{module}"]\n\n[tool.pytest.ini_options]\ntestpaths = ["templates"]\n',
        **{f"fixtures/{name}.yaml": text for name, text in FIXTURES.items()},
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def mixed(tmp_path: Path, request: pytest.FixtureRequest, plugins_forgotten: None) -> Path:
    """The mixed catalog; its 'mustache' renderer and guard are forgotten after the test."""
    return make_catalog(tmp_path, "kinds_" + str(abs(hash(request.node.nodeid)))[:10])


def engine(root: Path, **kwargs: object) -> Engine:
    kwargs.setdefault("screenshots", False)
    return Engine(Project.load(root), **kwargs)  # type: ignore[arg-type]


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=root, capture_output=True, text=True, timeout=300)


def test_every_kind_renders_with_no_false_alarm_from_the_built_in_rules(mixed):
    """No _catalog.yaml rules: the documented defaults run, and find nothing wrong with these
    well-made emails; the merge tags left for the email service are a note."""
    eng = engine(mixed)
    assert eng.catalog.errors == {}
    kinds = {name: t.renderer for name, t in eng.catalog.templates.items()}
    assert kinds == {"digest": "mustache", "newsletter_welcome": "mjml", "password_reset": "html", "receipt": "mjml"}
    findings = {c.id: [f.describe() for f in eng.check(c).findings] for c in eng.cases()}
    notes = findings.pop("newsletter_welcome[en-ada]")
    assert len(notes) == 1 and notes[0].startswith("[no-leftovers] note: merge tags left for the email service to fill: *|FNAME|*, {{#each tips}}")
    assert {case: found for case, found in findings.items() if "newsletter" not in case and found} == {}


def test_each_kind_produces_what_its_source_says(mixed):
    eng = engine(mixed)
    receipt = eng.render(Case("receipt", "en-ada"))
    assert "INV-1" in receipt.text and 'alt="Acme"' in receipt.html  # the include saw the Jinja context
    assert "color:#0b3d91" in receipt.html.replace(" ", "")  # the included CSS, inlined
    reset = eng.render(Case("password_reset", "en-ada"))
    assert "background-color: #15803d" in reset.html and "data-inline" not in reset.html  # marked CSS inlined
    assert "@media only screen" in reset.html  # the rest kept
    newsletter = eng.render(Case("newsletter_welcome", "en-ada"))
    assert newsletter.subject == "Welcome, *|FNAME|*" and "{{FirstName}}" in newsletter.html  # shipped as is
    digest = eng.render(Case("digest", "en-ada"))
    assert digest.subject == "Your weekly digest" and "Your week, Ada Lovelace" in digest.text and "Analytical Engine" in digest.text
    assert eng.render(Case("receipt", "en-grace")).reason == "no invoice"


def test_both_fronts_agree_and_a_one_word_change_is_caught_in_each_kind(mixed):
    assert cli(mixed, "run", "--update").returncode == 0
    first = cli(mixed, "run")
    assert first.returncode == 0, first.stdout
    edits = {
        "receipt": ("templates/_partials/header.mjml", 'alt="{{ product }}"', 'alt="{{ product }} logo"'),
        "password_reset": ("templates/password_reset.html", "valid for 24 hours.</p>", "valid for 12 hours.</p>"),
        "newsletter_welcome": ("templates/newsletter_welcome.mjml", "Welcome, {{FirstName}}!", "Hi, {{FirstName}}!"),
        "digest": ("templates/digest.mustache", "Your week,", "Your month,"),
    }
    for path, old, new in edits.values():
        text = (mixed / path).read_text()
        (mixed / path).write_text(text.replace(old, new))
    changed = cli(mixed, "run")
    assert changed.returncode == 1
    results = json.loads((mixed / "report/results.json").read_text())
    statuses = {c["id"]: c["status"] for c in results["cases"]}
    for template in edits:
        assert statuses[f"{template}[en-ada]"] == "changed", (template, changed.stdout[-3000:])
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=mixed, capture_output=True, text=True, timeout=300)
    by_pytest = {c["id"]: c["status"] for c in json.loads((mixed / "report/results.json").read_text())["cases"]}
    assert by_pytest == statuses, tests.stdout[-3000:]


def test_screenshots_of_every_kind_are_stable(mixed):
    eng = engine(mixed, screenshots=True)
    with eng:
        for case in eng.cases(["*[en-ada]"]):
            eng.approve(case)
        eng.flush()
    with engine(mixed, screenshots=True) as again:
        results = [again.check(c) for c in again.cases(["*[en-ada]"])]
    assert all(r.ok for r in results), [r.explain() for r in results if not r.ok]
    assert all((mixed / f"snapshots/{name}/en-ada/desktop.png").is_file() for name in ("receipt", "password_reset", "newsletter_welcome", "digest"))


# -- what goes wrong, said clearly -------------------------------------------------------------------


def test_a_file_the_catalog_cannot_use_is_reported_not_skipped(mixed):
    (mixed / "templates/legacy.hbs").write_text("<p>{{name}}</p>")
    (mixed / "templates/orphan.yaml").write_text("subject: Hi\n")
    (mixed / "templates/logo.png").write_bytes(b"\x89PNG")  # an asset: fine
    errors = engine(mixed).catalog.errors
    assert "no renderer claims .hbs" in str(errors["legacy"])
    assert "no template orphan.mjml or orphan.html beside it" in str(errors["orphan"])
    assert "logo" not in errors


def test_an_include_outside_the_catalog_or_missing_is_an_error_of_the_case(mixed, tmp_path):
    (tmp_path / "secret.mjml").write_text("<mj-text>secret</mj-text>")
    for path, expected in (("../secret.mjml", "outside the catalog"), ("/etc/hostname", "outside the catalog"), ("_partials/nope.mjml", "no such file")):
        source = RECEIPT_MJML.replace("_partials/header.mjml", path)
        (mixed / "templates/receipt.mjml").write_text(source)
        result = engine(mixed).check(Case("receipt", "en-ada"))
        assert result.status == "error" and expected in result.error, (path, result.error)


def test_an_include_that_includes_itself_stops(mixed):
    (mixed / "templates/_partials/header.mjml").write_text('<mj-include path="_partials/header.mjml" />')
    result = engine(mixed).check(Case("receipt", "en-ada"))
    assert result.status == "error" and "nested more than 10 deep" in result.error


def test_undeclared_merge_tags_are_errors(mixed):
    (mixed / "templates/newsletter_welcome.yaml").write_text("subject: Welcome\nlanguage: none\nmerge_tags: [mailchimp]\n")
    findings = [f.describe() for f in engine(mixed).check(Case("newsletter_welcome", "en-ada")).findings]
    assert any("error: '{{FirstName}}' in the HTML" in f for f in findings), findings
    assert any("note: merge tags left for the email service to fill: *|FNAME|*" in f for f in findings)


def test_a_broken_team_renderer_is_an_error_of_its_cases(mixed):
    plugin = next(mixed.glob("kinds_*.py"))
    plugin.write_text(plugin.read_text().replace("return RenderOutput(html=html, subject=\"Your weekly digest\")", "return html"))
    result = engine(mixed).check(Case("digest", "en-ada"))
    assert result.status == "error" and "renderer 'mustache' returned str; expected RenderOutput(html=...)" in result.error


def test_an_unknown_renderer_is_a_configuration_error(mixed):
    (mixed / "templates/password_reset.yaml").write_text("subject: Reset\nrenderer: handlebars\n")
    with pytest.raises(ConfigError, match="password_reset.yaml: renderer: unknown renderer 'handlebars'; known: html, mjml, mustache"):
        engine(mixed)


@pytest.mark.parametrize(
    ("path", "old", "new", "expected"),
    [
        ("templates/password_reset.html", "Use this link to reset your password. The link is only valid for 24 hours.</span>",
         "</span><p>View this email in your browser</p>", "[subject] warning: no preheader"),
        ("templates/password_reset.html", "<h1>Hi {{ account.name }},</h1>", "<h1>Hi [First Name],</h1>", "'[First Name]' in the HTML"),
        ("templates/password_reset.html", "valid for 24 hours.", "valid for {{ account.missing_hours | default('null') }} hours: null", "'null' in the HTML"),
        ("templates/receipt.mjml", '<mj-text><h1 class="title">', '<mj-text><img src="https://cdn.example.com/badge.png" width="40"><h1 class="title">',
         "[images] error: image has no alt attribute"),
        ("templates/receipt.mjml", "{{ invoice.number }}</strong>", "INV-999</strong>", "'INV-999' at [data-field=invoice-number] is not the recipient's invoices[].number"),
    ],
    ids=["no-preheader", "bracket-placeholder", "null-value", "missing-alt", "foreign-invoice"],
)
def test_the_rules_still_fire_on_broken_third_party_emails(mixed, path, old, new, expected):
    text = (mixed / path).read_text()
    assert old in text
    (mixed / path).write_text(text.replace(old, new))
    template = "password_reset" if "password" in path else "receipt"
    findings = [f.describe() for f in engine(mixed).check(Case(template, "en-ada")).findings]
    assert any(expected in f for f in findings), findings
