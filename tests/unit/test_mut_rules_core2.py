"""Rule options as a run resolves them and as the catalog check reports them, field paths, and
what ``client-support`` reads in CSS and HTML, pinned where mutation testing showed a promise no
test held (issue 25; the first part is tests/unit/test_mut_rules_core.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field, model_validator

from harness.catalog import load_catalog
from harness.catalog.strings import _messages
from harness.errors import ConfigError
from harness.rules import RuleOptions, rules, run_rules
from harness.rules import options as options_module
from harness.rules.builtin import client_support
from harness.rules.builtin.client_support import ClientSupportOptions, unsupported_features
from harness.rules.options import TemplateSources, check_rule_options, option_problems, resolve_options
from harness.rules.paths import FieldPaths, field_paths, path_syntax_problem

from harness.timing import Stopwatch

from .build import context, email, lacking, page  # noqa: F401 - lacking is a fixture

MJML = "<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body></mjml>"
MAIL = email(page('<p class="preview">Preview <a href="#">here</a></p><p>Body</p>'))


@pytest.fixture(autouse=True)
def _own_registry_and_cache(monkeypatch):
    """Rules registered here are gone after the test, and options are resolved afresh (the cache
    would answer from an earlier test's run)."""
    monkeypatch.setattr(rules, "_items", dict(rules._items))
    monkeypatch.setattr(rules, "origins", dict(rules.origins))
    monkeypatch.setattr(rules, "option_models", dict(rules.option_models))
    monkeypatch.setattr(options_module, "_RESOLVED", {})


def catalog_problem(tmp_path: Path, catalog_rules: str, **templates: str) -> str:
    """The ConfigError text of checking a catalog: ``_catalog.yaml``'s ``rules:`` block and one
    template per keyword (its own ``rules:`` block)."""
    root = tmp_path / "templates"
    root.mkdir()
    (root / "_catalog.yaml").write_text(f"rules:\n{catalog_rules}")
    for name, own in templates.items():
        (root / f"{name}.mjml").write_text(MJML)
        (root / f"{name}.yaml").write_text(f"subject: S\nrules:\n{own}" if own else "subject: S\n")
    with pytest.raises(ConfigError) as raised:
        check_rule_options(load_catalog(root), None)
    return str(raised.value).replace(f"{root}/", "")


HINT = "\n  'email-harness rules RULE' lists a rule's options with an example"


class Limits(RuleOptions):
    limit: int = 3
    """At most this many."""
    label: str = "x"


def _quiet(ctx):
    return []


# -- options as a run resolves them ---------------------------------------------------------------


def test_a_run_applies_ignore_entries_and_fills_in_defaults():
    seen = []

    @rules.register("unit-links", options=Limits)
    def links(ctx):
        seen.append(ctx.options)
        for a in ctx.document.find_all("a"):
            yield ctx.error(f"link {a['href']}", element="a", node=a)
        yield ctx.error("second finding", element="p")

    ignore = [{"selector": ".preview", "reason": "placeholder"}]
    found = run_rules({"unit-links": {"ignore": ignore, "limit": 5}}, context("", MAIL))
    assert [f.message for f in found] == ["second finding"]
    assert seen == [{"limit": 5, "label": "x"}]


def test_a_rule_without_a_model_sees_its_options_without_the_ignore_entries():
    seen = []

    @rules.register("unit-plain")
    def plain(ctx):
        seen.append(ctx.options)
        yield ctx.error("plain says hi", element="p")

    found = run_rules({"unit-plain": {"ignore": [{"value": "hi", "reason": "on purpose"}]}}, context("", MAIL))
    assert (found, seen) == ([], [{}])


@pytest.mark.parametrize(("options", "says"), [
    ({"ignore": ["#"]}, "ignore[0]: '#' is not an entry; write {value: '#', reason: \"why\"} (or {selector: CSS, reason: ...})"),
    ("everything", "options must be a mapping such as {}, got 'everything'"),
    ({"limt": 1, "zzz": 2}, "unknown option 'limt'; did you mean 'limit'? (options: limit, label, ignore); "
                            "unknown option 'zzz' (options: limit, label, ignore)"),
])
def test_wrong_options_at_run_time_are_one_finding_listing_each_problem(options, says):
    rules.register("unit-limited", options=Limits)(_quiet)
    found = run_rules({"unit-limited": options}, context("", MAIL))
    assert [(f.rule, f.message) for f in found] == [("unit-limited", f"the rule's options are wrong: {says}")]


def test_a_rule_without_a_model_given_options_is_told_how_to_declare_them():
    rules.register("unit-bare")(_quiet)
    found = run_rules({"unit-bare": {"level": 1, "mode": "x", "ignore": []}}, context("", MAIL))
    assert [f.message for f in found] == [
        "the rule's options are wrong: takes no options (given 'level', 'mode'): it was registered without an options model. "
        "To give it options, declare them: class Options(RuleOptions): level: int = 3, then "
        "@rules.register('unit-bare', options=Options) (harness.rules.RuleOptions); ignore entries need no model"]


def test_a_rule_registered_again_with_another_model_gets_that_models_defaults():
    class More(RuleOptions):
        limit: int = 10

    rules.register("unit-swapped", options=Limits)(_quiet)
    assert resolve_options("unit-swapped", {}, Limits) == ({"limit": 3, "label": "x"}, [])
    assert resolve_options("unit-swapped", {}, More) == ({"limit": 10}, [])


# -- option messages -------------------------------------------------------------------------------


class Renamed(RuleOptions):
    sender: str = Field(alias="from")
    greeting: str
    also: str


class Either(RuleOptions):
    XL: int = 0
    """A capitalised option name."""
    small: int = 0

    @model_validator(mode="after")
    def _one(self) -> Either:
        if self.XL and self.small:
            raise ValueError("give XL or small, not both")
        return self


class Crashing(RuleOptions):
    size: int = 0

    @model_validator(mode="before")
    @classmethod
    def _boom(cls, data):
        raise RuntimeError("validator bug")


class WithIgnoreCase(RuleOptions):
    ignore_case: bool = False


@pytest.mark.parametrize(("model", "options", "says"), [
    # every missing option, one without documentation or known by its alias only
    (Renamed, {}, "needs the option 'from'; needs the option 'greeting'; needs the option 'also'"),
    # an error about the options as a whole, and an option whose name starts with X
    (Either, {"XL": 1, "small": 1}, "options: give XL or small, not both"),
    (Either, {"XL": "big"}, "XL: Input should be a valid integer (got 'big')"),
    # close to 'ignore' alone: the hint says what its entries look like
    (WithIgnoreCase, {"ignor": 1}, "unknown option 'ignor'; did you mean 'ignore'? (entries such as "
                                   "{value: \"#\", reason: \"...\"} or {selector: \".preview a\", reason: \"...\"}) "
                                   "(options: ignore_case, ignore)"),
])
def test_option_problems_name_each_option_as_the_team_wrote_it(model, options, says):
    rules.register("unit-opts", options=model)(_quiet)
    assert [f.message for f in run_rules({"unit-opts": options}, context("", MAIL))] == [
        f"the rule's options are wrong: {says}"]


def test_a_crashing_options_validator_names_the_rule_and_the_model():
    rules.register("unit-crash", options=Crashing)(_quiet)
    with pytest.raises(ConfigError) as raised:
        resolve_options("unit-crash", {"size": 1}, Crashing)
    assert str(raised.value).startswith("rule 'unit-crash': options model 'Crashing' failed: RuntimeError: validator bug (")


# -- the catalog check -----------------------------------------------------------------------------


def test_a_catalog_without_templates_still_checks_its_rules(tmp_path):
    rules.register("unit-needs", options=Renamed)(_quiet)
    rules.register("unit-limited", options=Limits)(_quiet)
    said = catalog_problem(tmp_path, "  links: 5\n  unit-needs: true\n  unit-limited: {limt: 1}\n  unit-off: false\n")
    assert said == (
        "_catalog.yaml: rules: links: takes {} (on, default options), a mapping of options (links: {option: value}) "
        "or false (off), not int (5); 'email-harness rules links' shows its options with an example\n"
        "_catalog.yaml: rules: unit-needs: needs the option 'from'\n"
        "_catalog.yaml: rules: unit-needs: needs the option 'greeting'\n"
        "_catalog.yaml: rules: unit-needs: needs the option 'also'\n"
        "_catalog.yaml: rules: unit-limited: unknown option 'limt'; did you mean 'limit'? (options: limit, label, ignore)" + HINT)


def test_a_switched_off_rule_in_a_catalog_without_templates_is_not_checked(tmp_path):
    rules.register("unit-needs", options=Renamed)(_quiet)
    rules.register("unit-limited", options=Limits)(_quiet)
    said = catalog_problem(tmp_path, "  unit-needs: false\n  unit-limited: {limt: 1}\n")
    assert said == "_catalog.yaml: rules: unit-limited: unknown option 'limt'; did you mean 'limit'? (options: limit, label, ignore)" + HINT


@pytest.mark.parametrize(("options", "says"), [
    ("{limt: 1}", "unknown option 'limt'; did you mean 'limit'? (options: limit, label, ignore)"),
    ("{limit: many}", "limit: Input should be a valid integer (got 'many')"),
])
def test_a_wrong_option_set_in_the_catalog_is_blamed_on_the_catalog(tmp_path, options, says):
    """The template's own entry for the rule sets nothing wrong: the message names _catalog.yaml."""
    rules.register("unit-limited", options=Limits)(_quiet)
    said = catalog_problem(tmp_path, f"  unit-limited: {options}\n", welcome="  unit-limited: {label: y}\n")
    assert said == f"_catalog.yaml: rules: unit-limited: {says}" + HINT


def test_options_given_in_the_catalog_to_a_rule_without_a_model_are_blamed_on_the_catalog(tmp_path):
    rules.register("unit-bare")(_quiet)
    said = catalog_problem(tmp_path, "  unit-bare: {level: 1}\n", welcome="  unit-bare: {}\n")
    assert said.startswith("_catalog.yaml: rules: unit-bare: takes no options (given 'level')")


def test_a_wrong_ignore_entry_is_reported_once_where_it_is_written(tmp_path):
    """The template's entries add to the catalog's: its wrong entry is its own first one, not the
    third of the merged list."""
    rules.register("unit-limited", options=Limits)(_quiet)
    good = "{value: x, reason: r}"
    said = catalog_problem(tmp_path, f"  unit-limited: {{ignore: [{good}, {good}]}}\n",
                           welcome="  unit-limited: {ignore: [{value: y}]}\n")
    assert said == "welcome.yaml: rules: unit-limited: ignore[0].reason: Field required; entries are " \
                   "{value: \"#\", reason: \"...\"} or {selector: \".preview a\", reason: \"...\"}" + HINT


def test_template_text_includes_every_templates_subject(tmp_path):
    root = tmp_path / "templates"
    root.mkdir()
    (root / "welcome.mjml").write_text(MJML)
    (root / "welcome.yaml").write_text("subject: Welcome {{ account.nickname }}\n")
    assert "nickname" in TemplateSources.of_catalog(load_catalog(root)).words


# -- field paths -----------------------------------------------------------------------------------


class Item(BaseModel):
    sku: str


class Loose(BaseModel):
    codes: list[Annotated[str, Field(min_length=1)]] = []
    items: list[Annotated[Item, Field(description="a line")]] = []
    notes: list[Annotated[dict[str, Any], Field(min_length=1)]] = []
    extra: dict[str, Any] | None = None
    raw: dict = {}
    tags: list = []
    anything: object = None
    payload: Any = None
    name: str = ""


def test_a_models_paths_see_through_annotations_optionals_and_bare_containers():
    paths = FieldPaths.of_model(Loose)
    assert paths.leaves == {"codes[]", "items[].sku", "name"}
    assert paths.open == {"notes[]", "extra", "raw", "tags[]", "anything", "payload"}
    assert field_paths(Loose, []) == paths


@pytest.mark.parametrize("pattern", ["payload[].id", "payload.id", "extra*", "raw", "tags[].x"])
def test_a_path_below_an_open_field_is_accepted_unchecked(pattern):
    assert FieldPaths.of_model(Loose).problem(pattern) is None


def test_an_open_root_accepts_every_path_and_no_fixtures_check_nothing():
    assert FieldPaths(frozenset(), frozenset({""})).problem("any.thing[].at_all") is None
    assert field_paths(None, []) is None
    assert field_paths(None, [{}]) is None


@pytest.mark.parametrize(("path", "hint"), [
    (".orders[0].id", "; did you mean 'orders[].id'?"),
    ("orders..id", "; did you mean 'orders.id'?"),
    ("box[0].X", "; did you mean 'box[].X'?"),
    ("first name", ""),  # nothing to fix
    ("first name[0]", ""),  # the fix is no path either
])
def test_a_path_in_the_wrong_syntax_gets_a_fix_only_when_the_fix_is_a_path(path, hint):
    assert path_syntax_problem(path) == f"{path!r} is not a field path{hint} (keys joined by '.', '[]' after a list, e.g. 'orders[].id')"


# -- a run's parse, a broken template's messages ---------------------------------------------------


def test_a_run_times_the_parse_only_when_the_email_is_not_parsed_yet():
    rules.register("unit-quiet")(_quiet)
    fresh = email(page("<p>x</p>"))
    first, second = Stopwatch(), Stopwatch()
    run_rules({"unit-quiet": {}}, context("", fresh), stopwatch=first)
    run_rules({"unit-quiet": {}}, context("", fresh), stopwatch=second)
    assert (first.calls["parse"], second.calls["parse"], second.calls["rule:unit-quiet"]) == (1, 0, 1)


def test_a_template_that_does_not_parse_hides_no_other_templates_messages():
    assert _messages({"broken.html": "{% if %}", "welcome.html": '{{ _("Hello") }}'}) == {("Hello", None)}


# -- client-support: what a style sheet and the markup say, to a client lacking named features -------

def found(source: str, clients: dict[str, list[str]]) -> list[str]:
    """What each finding of client-support is about, in a team-written ``source``."""
    return sorted(unsupported_features(source, clients))


def elements(source: str, clients: dict[str, list[str]]) -> list[str]:
    return sorted(what for what, _ in unsupported_features(source, clients).values())


def test_hiding_declarations_marked_important_or_in_any_order_are_fallbacks(lacking):
    clients = lacking("css-visibility", "css-variables")
    assert elements('<span style="display: none !important; visibility: hidden">x</span>', clients) == []
    assert elements('<span style="font-weight: bold; display: none; visibility: hidden">x</span>', clients) == []
    # a colour that is not transparent hides nothing: what it uses is read beside display: none
    assert elements('<span style="display: none; color: var(--ink)">x</span>', clients) == ["var()"]
    # should caniemail list the colour property, a transparent colour is one more way to hide
    clients = lacking("css-color")
    assert elements('<span style="display: none; color: transparent">x</span>', clients) == []
    assert elements('<span style="color: transparent">x</span>', clients) == ["color: transparent"]


def test_spacing_and_collapse_marked_important_still_excuse_border_spacing(lacking):
    clients = lacking("css-border-spacing", "css-min-width")
    assert elements('<table style="border-spacing: 0 !important" cellspacing="0"><tr><td>x</td></tr></table>', clients) == []
    assert elements('<table style="border-spacing: 0; border-collapse: collapse !important"><tr><td>x</td></tr></table>', clients) == []
    # cellspacing excuses border-spacing only, not another zero
    assert elements('<table style="min-width: 0" cellspacing="0"><tr><td>x</td></tr></table>', clients) == ["min-width: 0"]


def test_a_table_property_in_a_style_sheet_is_read(lacking):
    """In a style attribute, border-spacing on a cell does nothing; a style sheet's selector may be a table."""
    assert elements("<mj-style>.grid { border-spacing: 2px }</mj-style>", lacking("css-border-spacing")) == ["border-spacing: 2px"]


def test_statements_before_a_rule_are_read(lacking):
    clients = lacking("css-at-import", "css-position")
    sheet = "<mj-style>@import url(a.css); @import url(b.css); .b { position: absolute }</mj-style>"
    assert elements(sheet, clients) == ["@import", "position: absolute"]
    assert elements("<mj-style>float: left; .a { color: red }</mj-style>", lacking("css-float")) == ["float: left"]


@pytest.mark.parametrize("sheet", [
    ".a {float: left}",  # the first character of a block
    "/**/ .a { float: left } /* note */",  # an empty comment ends where it starts
    "/*/*/ .a { float: left } /* note */",  # a comment holding '/*'
    "{} .a { float: left }",  # a block without selector first
])
def test_every_declaration_of_a_style_sheet_is_read(lacking, sheet):
    assert elements(f"<mj-style>{sheet}</mj-style>", lacking("css-float")) == ["float: left"]


def test_a_block_after_another_is_walked_into_as_its_own(lacking):
    clients = lacking("css-at-media", "css-position")
    sheet = "<mj-style>.a { float: left } @media screen { .b { position: absolute } }</mj-style>"
    assert elements(sheet, clients) == ["@media"]
    assert elements("<mj-style>{} @media print { .a { position: absolute } }</mj-style>", clients) == ["@media"]


def test_an_at_rule_without_rules_inside_is_one_block_of_declarations(lacking):
    clients = lacking("css-at-font-face", "css-font-weight")
    assert elements("<mj-style>@font-face { font-family: X; font-weight: bold }</mj-style>", clients) == ["@font-face", "font-weight: bold"]


def test_a_style_attributes_comments_are_left_out_and_its_words_kept_apart(lacking):
    clients = lacking("css-float", "css-at-media")
    assert elements('<p style="/* note */float: left">x</p>', clients) == ["float: left"]
    assert elements('<p style="float: /* a */left/* b */">x</p>', clients) == ["float: left"]
    assert elements('<p style="/* @media */ color: red">x</p>', clients) == []


def test_what_follows_a_comment_is_read_from_its_end(lacking):
    clients = lacking("html-p", "css-float")
    assert elements("<!-- x <p>--><b>y</b>", clients) == []
    assert elements('<!-- x <!--><p style="float: left">y</p><!-- z -->', clients) == ["<p>", "float: left"]
    # an unclosed conditional comment is text, whatever follows at its ninth character
    assert elements('<b>x</b>--><!--[if mso]><p style="float: left">', clients) == ["<p>", "float: left"]


def test_markup_inside_an_outlook_only_comment_is_read_by_outlook_for_windows():
    source = '<!--[if mso]><video src="a.mp4"></video><![endif]-->'
    assert unsupported_features(source, {"outlook": ["windows"]}) == {"html-video": ("<video>", ["Outlook (Windows)"])}
    assert unsupported_features(source, {"gmail": ["ios"]}) == {}


def test_no_data_for_a_client_is_no_verdict_and_so_support():
    assert client_support._latest("css-display-none", ("newmail", "tv")) == ""
    assert client_support._latest("css-display-none", ("gmail", "tv")) == ""
    assert client_support._supports("css-display-none", ("newmail", "tv"))


@pytest.mark.parametrize(("clients", "says"), [
    ({"newmail": ["tv"]}, "clients: unknown client family 'newmail'; known: aol, apple-mail, fastmail, free-fr, gmail, "
                          "gmx, hey, ionos-1and1, laposte, mail-ru, microsoft, orange, outlook, protonmail, rainloop, samsung-email, "
                          "sfr, t-online-de, thunderbird, web-de, wp-pl, yahoo"),
    ({"gmail": ["ios", "tv"]}, "clients: gmail: unknown platform(s) ['tv']; known: android, desktop-app, desktop-webmail, "
                               "ios, macos, mobile-webmail, outlook-com, webmail, windows, windows-mail"),
])
def test_an_unknown_client_is_named_with_every_known_one(clients, says):
    assert [p.text for p in option_problems("client-support", {"clients": clients}, ClientSupportOptions)] == [says]


def test_a_nested_rule_is_read_with_its_parents_declarations(lacking):
    """CSS nesting: what a hidden parent holds is hidden with it."""
    sheet = "<mj-style>.a { display: none; .b { visibility: hidden } }</mj-style>"
    assert elements(sheet, lacking("css-visibility")) == []
