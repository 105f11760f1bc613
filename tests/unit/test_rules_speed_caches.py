"""What the built-in rules remember from one email for the next (issue 29: a piece of markup's
verdict, whether a style hides, a fixture's values, a bracketed text's verdict) saves work and is
never another question's answer: asked otherwise (other clients, another path), they answer anew;
asked again, they do not redo the work; and what they keep stays bounded."""

from __future__ import annotations

import random
import re

import pytest

from harness.rules.builtin import _memo, client_support, content, leftovers
from harness.rules.builtin.client_support import unsupported_features
from harness.rules.builtin.leftovers import leftovers_in

from .build import check, context, email, fixture, messages, page, run, template
from .test_mut_message_rule import TEXT, mail, raw


@pytest.fixture(autouse=True)
def _nothing_remembered():
    """Each test starts with nothing remembered from another (mutmut runs tests after others)."""
    _memo.clear()
    yield
    _memo.clear()


class _Counting:
    """Stands in for a function of a rule module and counts its calls."""

    def __init__(self, function):
        self.function, self.calls = function, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.function(*args, **kwargs)


# -- client-support: each piece judged once per run and template ---------------------------------

VIDEO = '<!--[if mso]><video src="a.mp4"></video><![endif]-->'


def test_a_remembered_piece_is_judged_again_for_other_clients():
    judged: dict = {}
    assert unsupported_features(VIDEO, {"outlook": ["windows"]}, judged) == {"html-video": ("<video>", ["Outlook (Windows)"])}
    assert unsupported_features(VIDEO, {"gmail": ["ios"]}, judged) == {}
    judged.clear()
    assert unsupported_features(VIDEO, {"gmail": ["ios"]}, judged) == {}
    assert unsupported_features(VIDEO, {"outlook": ["windows"]}, judged) == {"html-video": ("<video>", ["Outlook (Windows)"])}


def test_the_next_email_of_a_template_reuses_its_pieces_verdicts(monkeypatch):
    verdict = _Counting(client_support._verdict)
    monkeypatch.setattr(client_support, "_verdict", verdict)
    tpl = template()
    outlook = {"clients": {"outlook": ["windows"]}}
    first = run("client-support", email(page("<p>x</p>"), source=VIDEO), tpl=tpl, **outlook)
    asked = verdict.calls
    assert asked and messages(first) == [messages(first)[0]] and "Outlook (Windows)" in messages(first)[0]
    second = run("client-support", email(page("<p>y</p>"), source=VIDEO), tpl=tpl, **outlook)
    assert messages(second) == messages(first) and verdict.calls == asked  # nothing judged again


def test_the_pieces_kept_stay_bounded(monkeypatch):
    monkeypatch.setattr(client_support, "_JUDGED", 2)
    source = "".join(f'<p style="float: left; width: {n}px">x</p>' for n in range(3))
    judged: dict = {}
    assert unsupported_features(source, {"outlook": ["windows"]}, judged) == unsupported_features(source, {"outlook": ["windows"]})
    assert 0 < len(judged) <= 2


# -- subject and text-part: whether a style hides, once per run and template ---------------------


class _CountingPattern:
    def __init__(self, pattern):
        self.pattern, self.calls = pattern, 0

    def search(self, text):
        self.calls += 1
        return self.pattern.search(text)


HIDDEN = page('<div style="display:none">pre 42</div><p style="color: red">Order 7 shipped</p>')


@pytest.mark.parametrize("rule", ["text-part", "subject"])
def test_the_next_email_of_a_template_does_not_read_the_same_styles_again(monkeypatch, rule):
    hiding = _CountingPattern(content._HIDING)
    monkeypatch.setattr(content, "_HIDING", hiding)
    tpl = template()
    mail = email(page('<p style="color: red">View in browser</p><p>Order 7 shipped</p>') if rule == "subject" else HIDDEN)
    first = check(rule, mail, tpl=tpl)
    read = hiding.calls
    assert read and check(rule, email(mail.html), tpl=tpl) == first
    again = hiding.calls - read
    # the subject's own preheader search reads the styles of the first lines' parents itself
    hiding.calls = 0
    content.preheader(email(mail.html).document)
    assert again == (hiding.calls if rule == "subject" else 0) and again < read


def test_the_styles_kept_stay_bounded(monkeypatch):
    monkeypatch.setattr(content, "_STYLES", 1)
    styles: dict = {}
    mail = email(page('<p style="color: red">a 1</p><p style="color: blue">b 2</p><div style="display:none">c 3</div>'))
    assert content.reader_text(context("text-part", mail)._facts, styles) == "a 1 b 2"
    assert len(styles) == 1


# -- belongs-to-recipient: a fixture's values per path ------------------------------------------

ADA = fixture("en-ada", orders=[{"id": "NW-1"}], invoices=[{"number": "INV-7"}])


def test_one_fixture_checked_at_two_paths_gets_each_paths_values():
    order = email(page('<p data-field="order-id">NW-1</p>'))
    invoice = email(page('<p data-field="invoice-number">INV-7</p>'))
    assert check("belongs-to-recipient", order, recipient=ADA, selector="[data-field=order-id]", path="orders[].id") == []
    assert check("belongs-to-recipient", invoice, recipient=ADA, selector="[data-field=invoice-number]", path="invoices[].number") == []


def test_two_paths_written_without_list_marks_are_each_spelt_as_the_data_spells_them():
    nothing = email(page("<p>Hello</p>"))
    first = check("belongs-to-recipient", nothing, recipient=ADA, selector="[data-field=order-id]", path="orders.id")
    second = check("belongs-to-recipient", nothing, recipient=ADA, selector="[data-field=invoice-number]", path="invoices.number")
    assert messages(first) == ["no orders[].id shown"]
    assert messages(second) == ["no invoices[].number shown"]


# -- incident-notice: sections found among the elements with a data-section ----------------------


def test_a_section_name_starting_with_a_digit_is_found_like_any_other():
    """``2fa`` passes the option check; CSS cannot read it unquoted in ``[data-section=2fa]``."""
    mail = email(page('<p>x</p><div data-section="2fa">one two</div><div data-section="2fab">one two three</div>'))
    assert messages(check("incident-notice", mail, sections=["2fa"], min_words=3)) == ["section '2fa' has 2 words"]
    missing = email(page('<p>x</p><div data-section="2fab">one two three</div>'))
    assert messages(check("incident-notice", missing, sections=["2fa"], min_words=3)) == ["the notice does not say 2fa"]


def test_a_section_name_starting_with_a_dash_is_found():
    mail = email(page('<p>x</p><div data-section="-x">one two</div><div data-section="x">one two three</div>'))
    assert messages(check("incident-notice", mail, sections=["-x"], min_words=3)) == ["section '-x' has 2 words"]


# -- no-leftovers: patterns searched only where they may match ----------------------------------


def test_an_empty_word_beside_other_leftovers_keeps_them():
    ctx = context("no-leftovers", email())
    assert leftovers_in("{{ a }} and x: null", ctx) == ["null", "{{ a }}"]
    assert leftovers_in("Dear [first_name], total: None", ctx) == ["None", "[first_name]"]


@pytest.mark.parametrize(("text", "found"), [("Dear {%", ["{%"]), ("x %} y", ["%}"]), ("{# c", ["{#"]), ("a #}", ["#}"]),
                                             ("[object Object]", ["[object Object]"]), ("*|FNAME|*", ["*|FNAME|*"])])
def test_each_opening_alone_is_found(text, found):
    assert leftovers_in(text, context("no-leftovers", email())) == found


def test_a_bracketed_text_seen_before_is_not_judged_again(monkeypatch):
    judge = _Counting(leftovers._is_placeholder)
    monkeypatch.setattr(leftovers, "_is_placeholder", judge)
    recipient = fixture()
    first = check("no-leftovers", email(page("<p>Dear [first_name] and [Acme]</p>")), recipient=recipient)
    judged = judge.calls
    second = check("no-leftovers", email(page("<p>Dear [first_name] and [Acme]</p>")), recipient=recipient)
    assert messages(second) == messages(first) == ["'[first_name]' in the HTML"]
    assert judged == 2 and judge.calls == judged


def test_a_line_of_the_text_part_that_is_none_is_found():
    mail = email(page("<p>Hello</p>"), text="Hello\nNone\nBye")
    assert "'None' in the text part" in messages(check("no-leftovers", mail))


# -- message: every part's lines measured --------------------------------------------------------


def test_a_long_line_in_a_part_after_a_short_one_is_found():
    long_html = ("text/html", "7bit", "<p>" + "x" * 1200 + "</p>")
    (finding,) = check("message", mail(raw(parts=(TEXT, long_html))))
    assert finding.element == "text/html part" and "1,207 octets" in finding.message


# -- no-foreign-data: a text searched piece by piece ---------------------------------------------


def _finder_for(values: list[str]):
    from harness.rules.builtin import foreign_data

    owners = dict.fromkeys(values, [("other", "name")])
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(owners, key=len, reverse=True))) + r")(?!\w)")
    return foreign_data._finder(owners, pattern), pattern


def test_a_text_cut_into_pieces_finds_what_the_whole_text_finds():
    rng = random.Random(29)
    alphabet = "ab c;:\"'<>{}()=|[]\n\t_.@-1"
    for _ in range(300):
        values = list({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 5))})
        found, pattern = _finder_for(values)
        for _ in range(5):
            text = "".join(rng.choice(alphabet + "xyz") for _ in range(rng.randint(0, 40)))
            assert found(text) == list(dict.fromkeys(m.group(0) for m in pattern.finditer(text))), (values, text)


def test_a_text_is_cut_at_breaks_only_never_inside_a_word():
    found, _ = _finder_for(["Ada", "X-1"])
    assert found("AdaXavier; Ada") == ["Ada"]
    assert found("code X-1; AdaX") == ["X-1"]


def test_values_holding_every_break_are_searched_in_the_whole_text():
    every = "x;:\"'<>{}()=|[]\n\r\ty"
    found, pattern = _finder_for([every, "Ada: Lee"])
    assert found(f"a {every} b Ada: Lee") == [every, "Ada: Lee"]


def test_a_piece_repeated_from_email_to_email_is_searched_once():
    from harness.rules.builtin import foreign_data

    class Searching:
        def __init__(self, pattern):
            self.pattern, self.searched = pattern, []

        def finditer(self, text):
            self.searched.append(text)
            return self.pattern.finditer(text)

    _, pattern = _finder_for(["Ada Lee"])
    searching = Searching(pattern)
    found = foreign_data._finder({"Ada Lee": []}, searching)
    assert found("color: red; name: Ada Lee") == ["Ada Lee"]
    assert searching.searched == ["color", " red", " name", " Ada Lee"]
    assert found("color: red; name: Ada Lee; color: red") == ["Ada Lee"]
    assert searching.searched == ["color", " red", " name", " Ada Lee", " color"]  # only the piece not seen before


def test_the_pieces_kept_stay_bounded_too(monkeypatch):
    from harness.rules.builtin import foreign_data

    monkeypatch.setattr(foreign_data, "_PIECES", 2)
    found, pattern = _finder_for(["Ada"])
    assert found("a;b;Ada") == ["Ada"]
    assert len(_memo.memo("foreign-data-pieces", (pattern,), dict)) <= 2
