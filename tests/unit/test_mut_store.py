"""The snapshot side of a verdict, as a reviewer meets it: whether a case starts or stops being
sent and the command that approves it (``harness/snapshots/outcome.py``), what the store reads and
writes (``store.py``), accepted findings (``accepted.py``) and the stored parts (``kinds.py``).
"""

from __future__ import annotations

import pytest

from harness.snapshots.outcome import (
    NO_LONGER_SENT,
    NOW_SENT,
    OPTION,
    UNKNOWN,
    approve_hint,
    describe_approved,
    is_sent,
    outcome_change,
)

# -- outcome: who gets the email -----------------------------------------------------------------


@pytest.mark.parametrize(("outcome", "sent"), [
    ("sent\n", True),
    ("not sent: account has no order\n", False),
    ("not sent", False),
    ("  \nnot sent: leading white space\n", False),
    ("Not sent: another spelling", True),  # anything but 'not sent...' is the side to look at
    ("sent, but not sent later", True),
    ("", True),
    (None, True),
])
def test_only_an_outcome_starting_with_not_sent_is_not_sent(outcome, sent):
    assert is_sent(outcome) is sent


@pytest.mark.parametrize(("before", "after", "change"), [
    ("sent\n", "not sent: account has no order\n", "no longer sent"),
    ("not sent: account has no order\n", "sent\n", "now sent"),
    ("sent\n", "sent\n", ""),
    ("not sent: no order\n", "not sent: account closed\n", ""),  # another reason, the same people
    (None, "sent\n", ""),  # a new case is new, not a change
    (None, "not sent: x\n", ""),
    ("sent\n", None, ""),  # nothing received: no confirmation either way
    (UNKNOWN, "sent\n", "now sent"),  # an unreadable approved snapshot: held like a change
    (UNKNOWN, "not sent: x\n", "no longer sent"),
])
def test_a_change_is_a_case_that_starts_or_stops_being_sent(before, after, change):
    assert outcome_change(before, after) == change


def test_the_change_names_and_the_option_are_what_the_cli_and_report_use():
    assert (NOW_SENT, NO_LONGER_SENT, UNKNOWN, OPTION) == ("now sent", "no longer sent", "unknown", "--allow-outcome-change")


@pytest.mark.parametrize(("before", "quoted"), [
    ("sent\n", "'sent'"),
    ("  not sent: account has no order\n", "'not sent: account has no order'"),
    (None, "''"),
    (UNKNOWN, "an approved snapshot that cannot be read"),
])
def test_the_approved_outcome_is_quoted_as_written(before, quoted):
    assert describe_approved(before) == quoted


def test_a_case_that_starts_being_sent_is_held_with_the_command_that_approves_it():
    assert approve_hint("gift_card[en-no-purchase]", NOW_SENT, "not sent: no gift card bought\n") == (
        "gift_card[en-no-purchase] starts being sent (approved: 'not sent: no gift card bought'); approve it only if "
        "this is intended: email-harness approve --allow-outcome-change 'gift_card[en-no-purchase]'")


def test_a_case_that_stops_being_sent_is_held_with_the_command_that_approves_it():
    assert approve_hint("receipt[en-ada]", NO_LONGER_SENT, UNKNOWN) == (
        "receipt[en-ada] stops being sent (approved: an approved snapshot that cannot be read); approve it only if "
        "this is intended: email-harness approve --allow-outcome-change 'receipt[en-ada]'")
