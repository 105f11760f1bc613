"""What the content rules promise, stated where ``make mutation`` found it unchecked (issue 25).

``incident-notice``, ``approved-copy``, ``subject``/``text-part``/``size``, ``no-leftovers``,
``empty-list``/``missing-value`` and the text helpers they share: each test is one promise as a
designer reads it in a finding (its message, element and expectation), on the smallest email
that breaks it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from harness.catalog import load_catalog
from harness.errors import ConfigError
from harness.render.recording import EmptyLoop, MissingValue
from harness.rules import Finding, rules
from harness.rules.builtin.content import preheader
from harness.rules.builtin.notices import DEFAULT_VAGUE
from harness.rules.options import check_rule_options, resolve_options

from .build import check, email, messages, page, template

# -- incident-notice: the default vague phrases (DEFAULT_VAGUE) -------------------------------------

WORDS = "one two three four five six seven eight nine ten"
SECTIONS = {
    "what-happened": f"On 27 October 2026 a newsletter showed every address: {WORDS}.",
    "which-data": f"Your email address and your name, nothing else: {WORDS}.",
    "consequences": f"You may receive more spam or phishing emails now: {WORDS}.",
    "what-we-did": f"We asked every recipient to delete the message: {WORDS}.",
    "what-you-can-do": f"Be careful with emails that mention this incident: {WORDS}.",
    "contact": f"Our data protection officer answers at dpo@shop.example.com: {WORDS}.",
}
VAGUE = ["technical error", "technical issue", "inadvertently", "may have been affected",
         "errore tecnico", "problema tecnico", "inavvertitamente",
         "technischer fehler", "technischen fehler", "versehentlich"]


def notice(**changes: str | None):
    sections = {**SECTIONS, **changes}
    return email(page("".join(f'<div data-section="{name}"><p>{text}</p></div>' for name, text in sections.items() if text is not None)))


def test_the_default_vague_phrases_are_these_ten():
    assert DEFAULT_VAGUE == VAGUE


@pytest.mark.parametrize("phrase", VAGUE)
def test_each_default_vague_phrase_in_a_complete_notice_is_an_error(phrase):
    """English, Italian and German: the wording a notice uses to say nothing, in any case."""
    found = check("incident-notice", notice(consequences=f"{phrase.upper()}: you may receive more spam, {WORDS}."))
    assert found == [Finding("incident-notice", "error", f"vague phrase {phrase!r} in the notice", "HTML",
                             "say concretely what happened, to which data, and when (or vague: warning in the rule's options)")]


@pytest.mark.parametrize("near", ["a technical review", "errors were fixed", "the data was affected by nothing", "Fehlerbericht"])
def test_words_near_a_vague_phrase_are_not_vague(near):
    assert check("incident-notice", notice(consequences=f"{near}: you may receive more spam, {WORDS}.")) == []


# -- empty-list and missing-value: allow entries and their hints -------------------------------------

def catalog_error(tmp_path: Path, template: str, rule: str, allow: str, *, language: str = "jinja") -> str:
    """The first line of what checking a one-template catalog whose metadata allows ``allow``
    says ("" when it passes)."""
    root = tmp_path / "templates"
    root.mkdir(parents=True)
    (root / "t.html").write_text(template, encoding="utf-8")
    (root / "t.yaml").write_text(f"subject: Hi\nlanguage: {language}\nrules:\n  {rule}: {{allow: {allow}}}\n", encoding="utf-8")
    try:
        check_rule_options(load_catalog(root))
    except ConfigError as error:
        return str(error).splitlines()[0]
    return ""


def options(rule: str, **given: object) -> dict:
    return resolve_options(rule, given, rules.options_model(rule))[0]


def empty(*expressions: str):
    loops = tuple(EmptyLoop("t.html", 1, f"{{% for x in {e} %}}", e) for e in expressions)
    return replace(email(page("<p>Hi</p>")), empty_loops=loops)


def test_allow_entries_are_taken_as_written_without_templates_to_check_them_against():
    """At run time (after the catalog's check) options are validated without the templates."""
    assert options("empty-list", allow=["order.coupons"]) == {"allow": ["order.coupons"]}


def test_an_allowed_loop_is_skipped_and_the_next_empty_one_still_reported():
    assert messages(check("empty-list", empty("order.coupons", "order.gift_cards"), allow=["order.coupons"])) == [
        "{% for x in order.gift_cards %} ran 0 times (order.gift_cards is empty) and has no {% else %}"
    ]


def test_a_key_in_brackets_is_allowed_in_either_quotes():
    """Findings name a key the way Python writes it: in double quotes when it holds an apostrophe."""
    assert check("empty-list", empty("account['orders']"), **options("empty-list", allow=['account["orders"]'])) == []
    assert check("empty-list", empty('notes["it\'s"]'), **options("empty-list", allow=["notes['it's']"])) == []


def test_an_allow_entry_naming_a_loop_with_an_apostrophe_in_its_key_passes(tmp_path):
    assert catalog_error(tmp_path, """{% for n in notes["it's"] %}{{ n }}{% endfor %}""", "empty-list", """['notes["it''s"]']""") == ""


def test_an_allow_entry_far_from_every_loop_lists_the_first_eight(tmp_path):
    nine = "".join(f"{{% for x in list{n} %}}{{{{ x }}}}{{% endfor %}}" for n in range(1, 10))
    said = catalog_error(tmp_path / "9", nine, "empty-list", '["order.coupons"]')
    assert said.endswith("'order.coupons' is the value of no template's {% for %} (loops: list1, list2, list3, list4, list5, list6, list7, list8 ...)")
    eight = "".join(f"{{% for x in list{n} %}}{{{{ x }}}}{{% endfor %}}" for n in range(1, 9))
    said = catalog_error(tmp_path / "8", eight, "empty-list", '["order.coupons"]')
    assert said.endswith("(loops: list1, list2, list3, list4, list5, list6, list7, list8)")


def test_an_allow_entry_in_templates_without_loops_says_so(tmp_path):
    said = catalog_error(tmp_path, "<p>{{ order.id }}</p>", "empty-list", '["order.coupons"]')
    assert said.endswith("'order.coupons' is the value of no template's {% for %} (the templates have no {% for %})")


def test_a_missing_value_entry_that_is_no_key_gets_no_suggestion_unless_one_fits():
    def refused(entry: str) -> str:
        with pytest.raises(ConfigError) as raised:
            options("missing-value", allow=[entry])
        return str(raised.value)

    assert refused("{{account.nickname}}").endswith("allow: '{{account.nickname}}' is not a key as findings name it; write e.g. 'account.nickname'")
    assert refused("{{items[0]}}").endswith("allow: '{{items[0]}}' is not a key as findings name it; write e.g. 'account.nickname'")


MUSTACHE = "<p>{{#account.invoices}}{{currency}}{{/account.invoices}} {{account.name}}</p>"


def test_a_missing_value_entry_with_a_list_passes_when_the_templates_print_its_keys(tmp_path):
    assert catalog_error(tmp_path, MUSTACHE, "missing-value", '["account.invoices[].currency"]', language="none") == ""


def test_a_misspelt_list_key_is_suggested_with_its_list_mark(tmp_path):
    said = catalog_error(tmp_path, MUSTACHE, "missing-value", '["account.invoces[].currency"]', language="none")
    assert said.endswith("'account.invoces[].currency' is no key the templates print: no template writes 'invoces'; "
                         "did you mean 'account.invoices[].currency'?")


def test_a_key_like_nothing_the_templates_print_gets_no_suggestion(tmp_path):
    said = catalog_error(tmp_path, MUSTACHE, "missing-value", '["account.zzzz"]', language="none")
    assert said.endswith("'account.zzzz' is no key the templates print: no template writes 'zzzz'")


def test_an_allowed_missing_value_is_skipped_and_the_next_one_still_reported():
    mail = replace(email(page("<p>Hi ,</p>")), missing_values=(MissingValue("account.nickname"), MissingValue("account.first_nmae")))
    assert messages(check("missing-value", mail, allow=["account.nickname"])) == [
        "t.mjml prints 'account.first_nmae', which no scope has: it rendered as nothing"
    ]


# -- text-part and subject: what the reader reads ------------------------------------------------

def test_styles_scripts_and_comments_in_the_body_are_not_text_the_reader_reads():
    body = ("<style>.a { width: 600px }</style><script>var n = 42;</script><!-- build 2026-12-05 -->"
            '<div style="display:none">Order 7 shipped</div><p>Hello Ada</p>')
    mail = email(page(body), text="Hello Ada\nOrder 7 shipped\n")
    assert check("text-part", mail) == []
    assert check("subject", mail) == []  # the hidden line after the style is the preheader


def test_a_number_at_the_end_of_a_sentence_is_the_number_without_its_full_stop():
    assert check("text-part", email(page("<p>Your order is NW-1.</p>"), text="Your order: NW-1")) == []
    assert [f.message for f in check("text-part", email(page("<p>Your code is X5.</p>"), text="Hello"))] == [
        "'X5' is in the HTML but not in the text part"
    ]


def test_hidden_text_after_ninety_characters_in_short_lines_is_no_preheader():
    def lines(count: int) -> str:
        return "".join(f"<p>Line {n:02} ok</p>" for n in range(count))  # 10 characters each

    hidden = '<div style="display:none">Your order shipped</div>'
    assert preheader(email(page(lines(10) + hidden)).document) == ""
    assert preheader(email(page(lines(9) + hidden)).document) == "Your order shipped"


def test_an_email_without_a_body_has_no_text_to_show_as_preheader():
    assert [f.message for f in check("subject", email(""))] == ["no preheader, and no text at the start of the body"]


def test_vague_warning_is_read_from_the_options():
    """The only value that lowers a vague phrase to a warning is ``warning`` itself."""
    vague = notice(consequences=f"A technical error: you may receive more spam, {WORDS}.")
    assert [f.severity for f in check("incident-notice", vague, vague="warning")] == ["warning"]
    assert [f.severity for f in check("incident-notice", vague, vague="error")] == ["error"]


# -- no-leftovers: where a leftover is, and what stands alone ------------------------------------------

def leftovers(body: str, *, text: str = "Hello", **kwargs) -> list[tuple[str, str]]:
    return [(f.message, f.element) for f in check("no-leftovers", email(page(body), text=text), **kwargs)]


def test_a_leftover_over_two_elements_belongs_to_the_one_holding_both():
    assert leftovers("<p><b>{{</b> name }}</p>") == [("'{{ name }}' in the HTML", "p")]
    assert leftovers("<p><i>[Product Name</i><b>]</b></p>") == [("'[Product Name ]' in the HTML", "p")]


def test_a_value_rendered_as_none_after_its_label_in_another_element_is_found_there():
    assert leftovers("<p><b>Total:</b> None items</p>") == [("'None' in the HTML", "p")]
    assert leftovers("<p>Total: None</p><b>Thanks</b>") == [("'None' in the HTML", "p")]


def test_a_line_of_the_text_part_that_is_none_is_a_leftover():
    assert leftovers("<p>Hello</p>", text="Hello\nNone\nBye") == [("'None' in the text part", "text part")]


def test_declared_merge_tags_keep_the_place_of_what_follows():
    found = leftovers("<p>*|FNAME|*</p><b>0123456789</b><i>{{</i>", tpl=template(merge_tags=["mailchimp"]))
    assert found[0] == ("'{{' in the HTML", "i")


def test_a_declared_merge_tag_split_over_elements_is_named_as_the_reader_reads_it():
    found = check("no-leftovers", email(page("<p>{{<b>FirstName</b>}}</p>"), text="Hello"), tpl=template(merge_tags=["handlebars"]))
    assert [f.message for f in found] == ["merge tags left for the email service to fill: {{ FirstName }}"]


# -- no-leftovers: the slot nouns that end a fill-me-in phrase (_SLOT_NOUNS) -------------------------

SLOT_NOUNS = ["name", "email", "e-mail", "address", "number", "id", "url", "phone", "amount"]


@pytest.mark.parametrize("noun", SLOT_NOUNS)
def test_a_bracketed_phrase_ending_in_a_slot_noun_is_a_placeholder(noun):
    phrase = f"[Billing {noun.title()}]"
    assert leftovers(f"<p>Pay {phrase} now</p>") == [(f"{phrase!r} in the HTML", "p")]


@pytest.mark.parametrize("copy", ["[Save the date]", "[New link]", "[Important]", "[Billing Names]"])
def test_a_bracketed_phrase_ending_in_another_word_is_copy(copy):
    assert leftovers(f"<p>{copy} Pay now</p>") == []
