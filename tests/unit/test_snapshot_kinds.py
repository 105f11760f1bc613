"""Snapshot kinds: what each part of a case stores, and how a change reads."""

from __future__ import annotations

import pytest

from harness.snapshots import HtmlKind, OutcomeKind, SubjectKind, TextKind, TextPartKind, normalize_html, snapshot_kinds

from .build import email, page

SENT = email(page('<p class="b" id="a">Hello &amp; welcome</p>'), subject="Welcome, Ada", text="Hello & welcome\n")
NOT_SENT = email(sent=False)


def test_the_built_in_kinds_are_registered_with_their_files():
    assert {name: snapshot_kinds.get(name).filename for name in ("outcome", "subject", "html", "text")} == {
        "outcome": "outcome.txt", "subject": "subject.txt", "html": "body.html", "text": "body.txt",
    }


def test_the_outcome_is_stored_for_every_case():
    assert OutcomeKind().serialize(SENT) == "sent\n"
    assert OutcomeKind().serialize(NOT_SENT) == "not sent: not for this account\n"


@pytest.mark.parametrize("kind", [SubjectKind, HtmlKind, TextPartKind])
def test_a_case_not_sent_has_no_subject_html_or_text(kind):
    assert kind().serialize(NOT_SENT) is None


def test_subject_html_and_text_of_a_sent_case():
    assert SubjectKind().serialize(SENT) == "Welcome, Ada\n"
    assert TextPartKind().serialize(SENT) == "Hello & welcome\n"
    # body.html is the email as a reviewer reads it in a diff: one tag a line, attributes
    # sorted, text escaped, whatever the template's own layout.
    assert HtmlKind().serialize(SENT) == (
        "<!DOCTYPE html>\n"
        '<html dir="ltr" lang="en">\n'
        " <head>\n"
        " </head>\n"
        " <body>\n"
        '  <p class="b" id="a">\n'
        "   Hello &amp; welcome\n"
        "  </p>\n"
        " </body>\n"
        "</html>\n"
    )


def test_html_is_stored_normalized_attributes_sorted_and_escaped():
    one = normalize_html('<p id="a" class="b">Hello &amp; &lt;b&gt;</p>')
    assert one == normalize_html('<p class="b"   id="a">Hello &amp; &lt;b&gt;</p>')
    assert '<p class="b" id="a">' in one and "Hello &amp; &lt;b&gt;" in one


def test_a_text_diff_is_a_unified_diff_with_labels():
    assert TextKind().diff("a\nb\nc\n", "a\nB\nc\n", label="body.txt") == (
        "--- approved body.txt\n+++ received body.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c"
    )
    assert TextKind().diff("same\n", "same\n", label="x") == ""


def test_the_base_kind_must_be_subclassed():
    with pytest.raises(NotImplementedError):
        TextKind().serialize(SENT)


def test_a_text_diff_shows_two_lines_of_context():
    approved = "".join(f"line {n}\n" for n in range(10))
    received = approved.replace("line 5", "LINE 5")
    assert TextKind().diff(approved, received, label="body.txt").splitlines()[2:] == [
        "@@ -4,5 +4,5 @@", " line 3", " line 4", "-line 5", "+LINE 5", " line 6", " line 7",
    ]
