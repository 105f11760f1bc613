"""Defects a stranger found adopting email-harness in a team's repository (issues 23 and 26):
verdicts a team can trust, on repositories as they are."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.catalog import load_catalog
from harness.catalog.fixture_names import check_fixture_names
from harness.errors import ConfigError, TemplateError
from harness.fixtures import load_fixtures
from harness.render.jinja import new_environment, render_jinja
from harness.rules import Finding, rules
from harness.rules.builtin.foreign_data import DEFAULT_FIELDS, is_personal, personal_values
from harness.rules.options import check_rule_options

from .build import check, email, fixture, page, run, template

# -- 1. bracketed words are copy; placeholders are still leftovers -----------------------------

ADA = fixture("en-ada", first_name="Ada", order={"id": "NW-1"}, email="ada@example.com")


def leftovers(body: str, *, subject: str = "Your order NW-1", recipient=ADA) -> list[str]:
    """The messages of ``no-leftovers`` for an email with ``body`` and ``subject``."""
    mail = email(page(body), subject=subject, text="Hello Ada.\n")
    return [f.message for f in check("no-leftovers", mail, recipient=recipient)]


@pytest.mark.parametrize("subject", ["[Acme] Reset your password", "[Important] Your order", "[Action required] Confirm", "[Discourse Meta] [howto] Update"])
def test_a_bracketed_subject_prefix_is_copy(subject):
    assert leftovers("<p>Hello Ada</p>", subject=subject) == []
    assert check("subject", email(page('<div style="display:none">x</div><p>Hello</p>'), subject=subject, text="x")) == []


def test_bracketed_words_in_the_body_are_copy():
    body = "<p>[Important] Reply STOP to opt out.</p><p>[Acme Shop] Order [NW-1]</p><p>See [1] and [a note]</p>"
    assert leftovers(body) == []


@pytest.mark.parametrize("placeholder", ["[FIRST_NAME]", "[first_name]", "[order.id]", "[[name]]", "[#site_name#]",
                                         "[First Name]", "[firstName]", "[Order ID]", "[EMAIL]"])
def test_a_placeholder_is_still_a_leftover(placeholder):
    """A field name (``_`` or ``.`` between words), a double bracket, or words naming a field of
    the fixture, case and separators aside."""
    assert leftovers(f"<p>Hello {placeholder}</p>") == [f"{placeholder!r} in the HTML"]
    assert leftovers("<p>Hello Ada</p>", subject=f"Hi {placeholder}") == [f"{placeholder!r} in the subject"]


def test_a_field_of_another_fixture_names_a_placeholder_too():
    grace = fixture("en-grace", first_name="Grace", loyalty={"tier": "gold"})
    mail = email(page("<p>Your [Loyalty Tier] status</p>"), text="Hello.\n")
    assert [f.message for f in check("no-leftovers", mail, recipient=ADA, others=[grace])] == ["'[Loyalty Tier]' in the HTML"]
    assert check("no-leftovers", mail, recipient=ADA) == []


@pytest.mark.parametrize("phrase", ["[Product Name]", "[Sender Name]", "[Company Name, LLC]", "[email address]", "[Credit Card Statement Name]"])
def test_a_fill_me_in_phrase_of_a_postmark_template_is_a_leftover(phrase):
    """Postmark's starter templates mark the copy a team must replace this way."""
    assert leftovers(f"<p>Thanks for trying {phrase}.</p>") == [f"{phrase!r} in the HTML"]


def test_a_leftover_in_the_subject_is_reported_once_by_no_leftovers():
    """``subject`` no longer repeats it: one ``ignore`` entry accepts it."""
    mail = email(page('<div style="display:none">x</div><p>Hello</p>'), subject="Your order [order.id]", text="x\n")
    assert check("subject", mail, recipient=ADA) == []
    assert check("no-leftovers", mail, recipient=ADA) == [
        Finding("no-leftovers", "error", "'[order.id]' in the subject", "subject", "rendered values only")]
    assert run("no-leftovers", mail, recipient=ADA, ignore=[{"value": "[order.id]", "reason": "shown on purpose"}]) == []


# -- 2. another customer's name hard-coded in the template -------------------------------------

ADA_LOVELACE = fixture("en-ada", name="Ada Lovelace", first_name="Ada", plan={"name": "Team"}, address={"city": "London"})
GRACE = fixture("en-grace", name="Grace Hopper", first_name="Grace", plan={"name": "Free"}, address={"city": "Leeds"})


def test_a_hard_coded_first_name_of_another_fixture_is_foreign_data(tmp_path):
    """The template's source says "Ada": the exemption for the template's own words (brand names,
    "Team", "London") does not cover the value of a person's field of another fixture."""
    source = tmp_path / "welcome.html"
    source.write_text("<h1>Welcome, Ada</h1><p>The Acme Team, London</p>", encoding="utf-8")
    tpl = replace(template(), source_path=source)
    mail = email(page("<h1>Welcome, Ada</h1><p>The Acme Team, London</p>"), subject="Welcome, Ada", text="Welcome, Ada\n")
    found = check("no-foreign-data", mail, recipient=GRACE, others=[ADA_LOVELACE], tpl=tpl)
    assert [f.message for f in found] == [
        "first_name of another fixture (en-ada) appears in the subject: 'Ada'",
        "first_name of another fixture (en-ada) appears in the HTML: 'Ada'",
        "first_name of another fixture (en-ada) appears in the text part: 'Ada'",
    ]
    # Sent to Ada herself, the same email is hers; "Team" and "London" stay the template's words.
    assert check("no-foreign-data", mail, recipient=ADA_LOVELACE, others=[GRACE], tpl=tpl) == []


@pytest.mark.parametrize(("path", "personal"), [
    ("first_name", True), ("customer.last_name", True), ("givenName", True), ("name", True), ("customer.name", True),
    ("email", True), ("address.line1", True), ("billing.postcode", True), ("iban", True),
    ("plan.name", False), ("workspace.name", False), ("address.city", False), ("roles.id", False),
])
def test_which_fields_hold_a_persons_own_data(path, personal):
    assert is_personal(path) is personal


def test_a_three_letter_part_of_a_name_is_personal_data_and_other_three_letter_values_are_not():
    """A first or last name is one word, often three letters; a code or a whole name of three
    letters ("EU", "VIP") is a word of the copy as often as data."""
    data = fixture("en-x", first_name="Ada", last_name="Lee", name="Ute", tier_code="VIP").data
    assert set(personal_values(data, DEFAULT_FIELDS)) == {"Ada", "Lee", "en-x"}  # "en-x": its id


# -- 3. belongs-to-recipient names the field as its options spell it ---------------------------

def test_belongs_to_recipient_names_the_field_as_the_option_accepts_it():
    """The option check refuses ``invoices.number`` for ``invoices[].number``: so do findings."""
    ada = fixture("en-ada", invoices=[{"number": "INV-1"}])
    mail = email(page('<strong data-field="invoice-number">INV-9</strong>'))
    for written in ("invoices[].number", "invoices.number"):
        found = check("belongs-to-recipient", mail, recipient=ada, selector="[data-field=invoice-number]", path=written)
        assert [f.message for f in found] == ["'INV-9' at [data-field=invoice-number] is not the recipient's invoices[].number"]
    nobody = fixture("en-nobody", invoices=[])
    found = check("belongs-to-recipient", mail, recipient=nobody, selector="[data-field=invoice-number]", path="invoices[].number")
    assert [f.message for f in found] == ["sent to a fixture without any invoices[].number"]


# -- 4. settings that were silently ignored --------------------------------------------------------


def test_fixtures_ending_yml_are_loaded_like_yaml(tmp_path):
    """``NAME.yml`` is accepted for template metadata: for fixtures too."""
    (tmp_path / "en-ada.yml").write_text("locale: en\nname: Ada\n")
    (tmp_path / "en-ben.yaml").write_text("locale: en\nname: Ben\n")
    loaded = load_fixtures(tmp_path)
    assert loaded.ids == ["en-ada", "en-ben"] and loaded.fixtures["en-ada"].data.name == "Ada"


def test_one_fixture_in_both_yaml_and_yml_is_a_configuration_error(tmp_path):
    (tmp_path / "en-ada.yaml").write_text("name: Ada\n")
    (tmp_path / "en-ada.yml").write_text("name: Ada L.\n")
    with pytest.raises(ConfigError, match=r"en-ada\.yaml and en-ada\.yml are both fixture 'en-ada'; keep one"):
        load_fixtures(tmp_path)


def test_fixtures_in_subfolders_are_a_configuration_error_naming_them(tmp_path):
    """Not loaded (an id is one file name: two folders may hold 'ada.yaml'), and not ignored."""
    (tmp_path / "en-ada.yaml").write_text("name: Ada\n")
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "max.yml").write_text("name: Max\n")
    (tmp_path / "_drafts").mkdir()  # the team's own: not looked into
    (tmp_path / "_drafts" / "wip.yaml").write_text("name: Wip\n")
    with pytest.raises(ConfigError) as raised:
        load_fixtures(tmp_path)
    assert str(raised.value).startswith(f"{tmp_path / 'de' / 'max.yml'}: fixtures in subfolders of {tmp_path} are not loaded")
    assert "move them into" in str(raised.value) and "'_'" in str(raised.value) and "wip" not in str(raised.value)
    (tmp_path / "de" / "max.yml").unlink()
    assert load_fixtures(tmp_path).ids == ["en-ada"]


def catalog_with(tmp_path, catalog_yaml: str, **metadata: str):
    """A catalog of one MJML template per keyword (its metadata as the value) and ``_catalog.yaml``."""
    root = tmp_path / "templates"
    root.mkdir(parents=True)
    (root / "_catalog.yaml").write_text(catalog_yaml)
    for name, meta in metadata.items():
        (root / f"{name}.mjml").write_text("<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body></mjml>")
        (root / f"{name}.yaml").write_text(meta)
    return load_catalog(root)


def test_an_unknown_fixture_under_screenshots_names_the_file_line_key_and_closest_id(tmp_path):
    catalog = catalog_with(tmp_path, "default_locale: en\nscreenshots:\n  fixtures: [en-adaa]\n",
                           welcome="subject: Hi\nscreenshots:\n  variants: {viewports: [mobile-dark], fixtures: [de-max]}\n")
    with pytest.raises(ConfigError) as raised:
        check_fixture_names(catalog, ["en-ada", "de-minimal"])
    lines = str(raised.value).splitlines()
    assert lines[0] == f"{tmp_path}/templates/_catalog.yaml:3: screenshots: fixtures: no fixture 'en-adaa'; did you mean 'en-ada'?"
    assert lines[1].startswith(f"{tmp_path}/templates/welcome.yaml:3: screenshots: variants: fixtures: no fixture 'de-max'")
    check_fixture_names(catalog, ["en-adaa", "de-max"])  # known ids pass


def test_a_team_rule_without_an_options_model_given_options_is_a_configuration_error(tmp_path):
    @rules.register("unit-no-shouting")
    def no_shouting(ctx):
        return []

    catalog = catalog_with(tmp_path, "rules:\n  unit-no-shouting: {max: 3}\n", welcome="subject: Hi\n")
    with pytest.raises(ConfigError) as raised:
        check_rule_options(catalog)
    said = str(raised.value)
    assert said.startswith(f"{tmp_path}/templates/_catalog.yaml: rules: unit-no-shouting: takes no options (given 'max'): "
                           "it was registered without an options model")
    assert "@rules.register('unit-no-shouting', options=Options)" in said
    check_rule_options(catalog_with(tmp_path / "ok", "rules:\n  unit-no-shouting: {ignore: [{value: x, reason: why}]}\n", welcome="subject: Hi\n"))


@pytest.mark.parametrize(("fixture_locale", "sent_in"), [("de-DE", "de"), ("de_DE", "de"), ("de", "de"), ("fr-FR", "en"), ("en", "en")])
def test_a_regional_locale_falls_back_to_its_language_as_gettext_does(fixture_locale, sent_in):
    assert template(locales=["en", "de"]).locale_for(fixture_locale) == sent_in


# -- 5. messages that confused ---------------------------------------------------------------------


def test_two_subject_files_are_the_templates_error_naming_both_not_a_phantom_template(tmp_path):
    """The Django layout: ``invoice_paid.subject.txt`` and ``invoice_paid_subject.txt`` both there."""
    billing = tmp_path / "templates" / "billing"
    billing.mkdir(parents=True)
    (billing / "invoice_paid.html").write_text("<p>Paid</p>")
    (billing / "invoice_paid.subject.txt").write_text("Paid")
    (billing / "invoice_paid_subject.txt").write_text("Invoice paid")
    catalog = load_catalog(tmp_path / "templates")
    assert list(catalog.errors) == ["billing/invoice_paid"]
    said = str(catalog.errors["billing/invoice_paid"])
    assert said.startswith(f"{billing / 'invoice_paid.html'}: template 'billing/invoice_paid' has 2 subject files, "
                           "invoice_paid.subject.txt and invoice_paid_subject.txt; keep one")
    (billing / "invoice_paid.subject.txt").unlink()
    catalog = load_catalog(tmp_path / "templates")
    assert catalog.errors == {} and catalog.templates["billing/invoice_paid"].meta.subject == "Invoice paid"


def test_a_fixture_file_name_that_is_no_id_says_what_a_name_may_hold_and_how_to_rename(tmp_path):
    """Not the wording for an altered snapshot file ("not written by email-harness")."""
    (tmp_path / "EN Ada copy.yaml").write_text("name: Ada\n")
    with pytest.raises(ConfigError) as raised:
        load_fixtures(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path / 'EN Ada copy.yaml'}: a fixture's id is its file name, which may hold letters, digits, '_', '-' and '.' "
        "only (no spaces), start with a letter or digit, and be at most 128 characters; rename the file "
        "('EN Ada copy.yaml' -> 'EN-Ada-copy.yaml')")


def test_a_missing_parent_template_is_named_as_extended_with_its_line_and_the_closest_file(tmp_path):
    (tmp_path / "base.html").write_text("<p>{% block body %}{% endblock %}</p>")
    (tmp_path / "welcome.html").write_text('{# the layout #}\n{% extends "bsae.html" %}\n{% block body %}Hi{% endblock %}\n')
    (tmp_path / "receipt.html").write_text('<p>Paid</p>\n\n{% include "footer.html" %}\n')
    env = new_environment(tmp_path)
    with pytest.raises(TemplateError) as raised:
        render_jinja(env, context={}, where="welcome.html", name="welcome.html")
    assert str(raised.value) == f"{tmp_path / 'welcome.html'}:2: extends 'bsae.html' not found in the catalog; did you mean 'base.html'?"
    with pytest.raises(TemplateError) as raised:
        render_jinja(env, context={}, where="receipt.html", name="receipt.html")
    assert str(raised.value) == f"{tmp_path / 'receipt.html'}:3: include 'footer.html' not found in the catalog"


def test_a_typo_in_template_metadata_is_one_configuration_error_with_line_and_closest_key(tmp_path):
    """As for ``_catalog.yaml``: before any case runs, not once per fixture."""
    with pytest.raises(ConfigError) as raised:
        catalog_with(tmp_path, "default_locale: en\n", welcome="locales: [en]\nsubjet: Hi\n",
                     receipt="subject: Paid\nscreenshots:\n  viewport: [mobile]\n")
    root = tmp_path / "templates"
    assert str(raised.value).splitlines() == [
        f"{root / 'receipt.yaml'}:3: unknown key 'screenshots.viewport'; did you mean 'viewports'? "
        "(keys here: fixtures, mask, max_diff_ratio, threshold, variants, viewports)",
        f"{root / 'welcome.yaml'}:2: unknown key 'subjet'; did you mean 'subject'? (keys here: description, language, "
        "locales, merge_tags, message, renderer, requires, rules, screenshots, strings, subject)",
    ]


def test_a_typo_in_the_catalogs_settings_names_its_line_and_closest_key(tmp_path):
    with pytest.raises(ConfigError, match=r"_catalog\.yaml:2: unknown key 'requirs'; did you mean 'requires'\?"):
        catalog_with(tmp_path, "default_locale: en\nrequirs: [x]\n")
