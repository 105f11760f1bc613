"""``no-leftovers``: nothing of the template machinery reaches the reader."""

from __future__ import annotations

import pytest

from harness.rules import Finding
from harness.rules.builtin.leftovers import leftovers_in

from .build import check, context, run, email, fixture, page, template

CLEAN_TEXT = "Hello Ada, your order NW-1 is on its way.\n"


def mail(body: str = "<p>Hello Ada, your order NW-1 is on its way.</p>", *, subject: str = "Your order NW-1", text: str | None = CLEAN_TEXT, head: str = ""):
    return email(page(body, head=head), subject=subject, text=text)


def leftover(value: str, place: str) -> Finding:
    return Finding("no-leftovers", "error", f"{value!r} in the {place}", place, "rendered values only")


def in_html(value: str, element: str = "p") -> Finding:
    """A leftover of the HTML, reported on the element that holds it."""
    return Finding("no-leftovers", "error", f"{value!r} in the HTML", element, "rendered values only")


def test_a_fully_rendered_email_passes():
    assert check("no-leftovers", mail()) == []


@pytest.mark.parametrize("syntax", ["{{", "}}", "{%", "%}", "{#", "#}", "[object Object]"])
def test_template_syntax_in_the_html_is_an_error(syntax):
    assert check("no-leftovers", mail(f"<p>Hello {syntax} Ada</p>")) == [in_html(syntax)]


@pytest.mark.parametrize(
    "tag", ["{{FirstName}}", "{{ first_name }}", "{{#each items}}", "*|FNAME|*", "[[FirstName]]", "%%first_name%%"],
)
def test_merge_tags_of_every_syntax_are_errors_when_not_declared(tag):
    found = check("no-leftovers", mail(f"<p>Hello {tag}</p>"))
    assert in_html(tag) in found and all(f.severity == "error" for f in found)


def test_merge_tags_of_a_declared_syntax_are_one_note():
    declared = template(merge_tags=["mailchimp"])
    found = check("no-leftovers", mail("<p>Hello *|FNAME|*, *|LNAME|*</p>", subject="Hi *|FNAME|*"), tpl=declared)
    assert found == [Finding("no-leftovers", "note", "merge tags left for the email service to fill: *|FNAME|*, *|LNAME|*",
                             "whole email", "declared syntaxes: mailchimp")]
    other = check("no-leftovers", mail("<p>Hello [[FirstName]]</p>"), tpl=declared)
    assert other == [in_html("[[FirstName]]")]


def test_the_note_lists_at_most_eight_merge_tags():
    tags = " ".join(f"*|TAG{n}|*" for n in range(10))
    found = check("no-leftovers", mail(f"<p>{tags}</p>"), tpl=template(merge_tags=["mailchimp"]))
    assert found[0].message == "merge tags left for the email service to fill: " + ", ".join(sorted(f"*|TAG{n}|*" for n in range(10))[:8]) + " ..."


def test_language_none_declares_every_syntax():
    shipped = template(language="none")
    found = check("no-leftovers", mail("<p>{{FirstName}} *|FNAME|* [[name]] %%name%%</p>"), tpl=shipped)
    assert [f.severity for f in found] == ["note"]
    assert found[0].expected == "declared syntaxes: handlebars, mailchimp, brackets, percent"


def test_a_fill_me_in_placeholder_is_an_error_and_bracketed_copy_is_not():
    assert check("no-leftovers", mail("<p>Thanks for buying [Product Name].</p>")) == [in_html("[Product Name]")]
    assert check("no-leftovers", mail("<p>See [1] and [a note] and [Link](x) and [Acme] [Important]</p>")) == []


def test_a_placeholder_is_not_looked_for_in_a_derived_text_part_but_is_in_a_written_one():
    """A derived text part writes an image's alt text in brackets ("[Logo]")."""
    derived = email(page('<p>Hello Ada</p><img alt="Northwind Shop" src="https://cdn.example/x.png">'), text=None)
    assert "[Northwind Shop]" in derived.text
    assert check("no-leftovers", derived) == []
    assert check("no-leftovers", mail(text="Thanks for buying [Product Name].\n")) == [leftover("[Product Name]", "text part")]


@pytest.mark.parametrize("word", ["None", "null", "undefined", "NaN", "nan"])
def test_a_value_rendered_as_nothing_is_an_error(word):
    assert check("no-leftovers", mail(f"<p>Hello Ada</p><p>{word}</p>")) == [in_html(word)]
    assert check("no-leftovers", mail(f"<p>Total: {word}</p>")) == [in_html(word)]
    assert check("no-leftovers", mail(f'<a href="https://shop.example.com/?id={word}">Your order</a>')) == [leftover(word, "link")]


def test_the_word_null_in_a_sentence_is_not_a_leftover():
    assert check("no-leftovers", mail("<p>None of your data was exposed. A null result means nothing was found.</p>")) == []


def test_each_place_is_searched():
    assert check("no-leftovers", mail(subject="Your order {{ order.id }}")) == [leftover("{{ order.id }}", "subject")]
    assert check("no-leftovers", mail('<a href="https://shop.example.com/orders/{{id}}">Your order</a>')) == [leftover("{{id}}", "link")]
    assert check("no-leftovers", mail(text="Hello Ada,\nTotal: None\n")) == [leftover("None", "text part")]


def test_styles_scripts_and_the_title_are_not_reader_text():
    head = "<title>{{ subject }}</title><style>@media (max-width:480px) { a { color: red }}</style>"
    assert check("no-leftovers", mail("<p>Hello Ada</p><script>var x = {a: {b: 1}};</script>", head=head)) == []


def test_a_fixture_value_holding_template_syntax_is_shown_literally_and_passes():
    jinja_name = fixture("en-jinja", name="{{ 7*7 }} Mallory", nickname="{%raw%}")
    found = check("no-leftovers", mail("<p>Hello {{ 7*7 }} Mallory, alias {%raw%}</p><p>{{ 7*7 }}</p>", subject="Hi {{ 7*7 }}"), recipient=jinja_name)
    assert found == []
    assert check("no-leftovers", mail("<p>Hello {{ 7*7 }} Mallory *|FNAME|*</p>"), recipient=jinja_name) == [in_html("*|FNAME|*")]


def test_a_part_of_a_fixture_value_shown_alone_passes():
    """The first name of "Mallory{{x}} Smith" is "Mallory{{x}}"."""
    braces = fixture("en-braces", name="Mallory{{x}} Smith")
    assert check("no-leftovers", mail("<p>Hello Mallory{{x}},</p>"), recipient=braces) == []
    assert check("no-leftovers", mail("<p>Hello Mallory{{y}},</p>"), recipient=braces) != []


def test_an_empty_data_field_is_reported():
    found = check("no-leftovers", mail('<p>Hello Ada</p><strong data-field="order-id">  </strong><span data-field="total">£1</span>'))
    assert found == [Finding("no-leftovers", "error", "required value is empty", "strong[data-field=order-id]", "a value")]


def test_leftovers_in_reports_each_leftover_once_sorted():
    ctx = context("no-leftovers", mail())
    assert leftovers_in("{{ a }} and {{ b }} and *|X|*", ctx) == ["*|X|*", "{{ a }}", "{{ b }}"]
    assert leftovers_in("[Product Name]", ctx, placeholders=False) == []
    assert leftovers_in("all fine", ctx, fragments=["None", "x: null", "a null value"]) == ["None", "null"]


def test_the_note_shows_eight_merge_tags_without_an_ellipsis_and_nine_with_one():
    for count, ellipsis in ((8, False), (9, True)):
        tags = " ".join(f"*|TAG{n}|*" for n in range(count))
        found = check("no-leftovers", mail(f"<p>{tags}</p>"), tpl=template(merge_tags=["mailchimp"]))
        assert found[0].message.endswith(" ...") is ellipsis


def test_a_link_without_href_is_not_a_value_rendered_as_none():
    assert check("no-leftovers", mail('<p>Hello</p><a name="top"></a>')) == []


def test_only_links_the_reader_can_follow_are_searched():
    head = '<link rel="preload" href="https://cdn.example/font.woff2?v=None">'
    assert check("no-leftovers", mail(head=head)) == []


def test_a_fixture_value_removed_from_the_text_leaves_nothing_that_looks_like_a_tag():
    """``{{ account.name }}`` written as ``{{{{ account.name }}}}``: the braces are the leftovers."""
    ada = fixture("en-ada", name="Ada")
    assert check("no-leftovers", mail("<p>Hello {{Ada}}</p>"), recipient=ada) == [in_html("{{"), in_html("}}")]


def test_a_declared_merge_tag_removed_from_the_text_leaves_nothing_that_looks_like_a_tag():
    found = check("no-leftovers", mail("<p>Hello {{*|FNAME|*}}</p>"), tpl=template(merge_tags=["mailchimp"]))
    assert [f.message for f in found if f.severity == "error"] == ["'{{' in the HTML", "'}}' in the HTML"]


def test_a_fixture_value_inside_another_is_removed_whole():
    braces = fixture("en-braces", code="ab{{", initial="b")
    assert check("no-leftovers", mail("<p>Your code ab{{</p>"), recipient=braces) == []


def test_a_placeholder_in_the_subject_is_an_error():
    assert check("no-leftovers", email(page('<div style="display:none">x</div>'), subject="Thanks for [Product Name]", text="x")) == [
        Finding("no-leftovers", "error", "'[Product Name]' in the subject", "subject", "rendered values only")
    ]


def test_a_merge_tag_with_markup_inside_is_reported_as_the_reader_sees_it():
    assert check("no-leftovers", mail("<p>Hello [[<b>name</b>]]</p>")) == [in_html("[[ name ]]")]


def test_braces_split_over_two_links_are_reported_once_each():
    found = check("no-leftovers", mail('<a href="https://shop.example.com/{{">a</a><a href="}}">b</a>'))
    assert found == [leftover("{{", "link"), leftover("}}", "link")]


def test_the_doctype_is_not_reader_text():
    assert check("no-leftovers", email("<!DOCTYPE None><html><body><p>Hello</p></body></html>", text="Hello\n")) == []


# -- by element, so an ignore entry can place them -------------------------------------------------

TIP = "<p>Hello Ada.</p><p>Write <code>{{ customer.first_name }}</code> to greet your customer.</p>"


def test_a_leftover_is_reported_once_whole_on_its_element():
    """Not ``{{``, ``}}`` and ``{{ customer.first_name }}``: one leftover, on the ``<code>``."""
    assert check("no-leftovers", mail(TIP)) == [in_html("{{ customer.first_name }}", "code")]


def test_an_ignore_entry_by_selector_drops_a_deliberate_tip_and_nothing_else():
    ignore = {"ignore": [{"selector": "code", "reason": "the tip shows the syntax on purpose"}]}
    assert run("no-leftovers", mail(TIP), **ignore) == []
    found = run("no-leftovers", mail(TIP + "<p>Your order {{ order.id }}</p>"), **ignore)
    assert found == [in_html("{{ order.id }}")]


def test_one_finding_per_leftover_per_element():
    found = check("no-leftovers", mail("<p>{{<br>{{<br>{{</p><div>{{</div>"))
    assert found == [in_html("{{"), in_html("{{", "div")]


def test_a_leftover_over_elements_belongs_to_the_element_holding_all_its_parts():
    found = check("no-leftovers", mail('<p><span>Hello {{</span> <b>name</b> <span>}}</span></p>'))
    assert found == [in_html("{{ name }}")]
    assert check("no-leftovers", mail("<p>Hello <i>[[<b>name</b>]]</i></p>")) == [in_html("[[ name ]]", "i")]
