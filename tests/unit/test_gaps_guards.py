"""Send guards (harness/guards.py) and ``Renderer.sends`` (harness/render/pipeline.py): whether a
template goes to a fixture at all, decided by the team's guards in the template's order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

import pytest

from harness.errors import GuardError
from harness.guards import NotSent, check_guards, guards
from harness.render.pipeline import Renderer

from .build import fixture, template

NOW = datetime(2026, 11, 1, 9, 30, tzinfo=timezone.utc)
WHERE = "templates/receipt.yaml, fixture en-ada"


@pytest.fixture(autouse=True)
def guards_restored() -> Iterator[list[str]]:
    """The guards registry as before the test; yields the log of guards called, in order."""
    saved = dict(guards._items), dict(guards.origins)
    called: list[str] = []
    guard("paid", lambda account, now: called.append("paid") or {"invoice": account.invoice})
    guard("unpaid", lambda account, now: called.append("unpaid") or NotSent("no paid invoice"))
    guard("forgot_return", lambda account, now: called.append("forgot_return"))
    guard("pays_later", lambda account, now: called.append("pays_later") or NotSent("pays by invoice later"))
    yield called
    guards._items, guards.origins = saved


def guard(name: str, fn: Any) -> None:
    guards.register(name)(fn)


ADA = fixture(invoice="INV-1")


# -- check_guards ----------------------------------------------------------------------------


def test_no_guards_sends_with_no_added_values():
    assert check_guards([], ADA.data, NOW, where=WHERE) == ({}, None)


def test_a_guard_that_returns_values_sends_and_adds_them_to_the_context():
    assert check_guards(["paid"], ADA.data, NOW, where=WHERE) == ({"invoice": "INV-1"}, None)


def test_values_of_every_guard_are_merged_a_later_guard_winning():
    guard("receipt", lambda account, now: {"receipt_url": "https://shop.example.com/r/1", "invoice": "INV-1 (copy)"})
    added, reason = check_guards(["paid", "receipt"], ADA.data, NOW, where=WHERE)
    assert (added, reason) == ({"invoice": "INV-1 (copy)", "receipt_url": "https://shop.example.com/r/1"}, None)


def test_an_empty_mapping_sends():
    guard("always", lambda account, now: {})
    assert check_guards(["always"], ADA.data, NOW, where=WHERE) == ({}, None)


def test_not_sent_gives_the_guards_own_reason_and_no_values(guards_restored):
    assert check_guards(["paid", "unpaid"], ADA.data, NOW, where=WHERE) == ({}, "no paid invoice")


def test_the_first_guard_that_says_not_sent_decides_and_the_rest_do_not_run(guards_restored):
    assert check_guards(["unpaid", "pays_later", "paid"], ADA.data, NOW, where=WHERE) == ({}, "no paid invoice")
    assert guards_restored == ["unpaid"]


def test_a_guard_that_returns_nothing_does_not_send(guards_restored):
    """A forgotten ``return`` must never send the email."""
    assert check_guards(["forgot_return", "paid"], ADA.data, NOW, where=WHERE) == ({}, "guard 'forgot_return' not met")
    assert guards_restored == ["forgot_return"]


def test_guards_get_the_fixture_data_and_the_runs_clock():
    seen: list[Any] = []
    guard("spy", lambda account, now: seen.append((account, now)) or {})
    check_guards(["spy"], ADA.data, NOW, where=WHERE)
    assert seen == [(ADA.data, NOW)]


@pytest.mark.parametrize("value, kind", [(True, "bool"), ("sent", "str"), ([("invoice", 1)], "list")])
def test_a_guard_returning_anything_else_is_an_error_naming_it_and_the_case(value, kind):
    guard("odd", lambda account, now: value)
    with pytest.raises(GuardError, match=rf"^{WHERE}: send guard 'odd' returned {kind}; expected a mapping of template values \(sent\) or NotSent\(reason\)$"):
        check_guards(["odd"], ADA.data, NOW, where=WHERE)


def test_a_guard_that_crashes_is_an_error_of_the_case_naming_the_guard():
    guard("crashy", lambda account, now: account.invoices[0])
    with pytest.raises(GuardError, match=rf"^{WHERE}: send guard 'crashy' failed: "):
        check_guards(["crashy"], ADA.data, NOW, where=WHERE)


# -- Renderer.sends: the same decision, nothing rendered --------------------------------------


def sends(requires: list[str], recipient: Any = ADA) -> bool:
    """``Renderer.sends`` for a template requiring ``requires``; it reads only the run's clock."""
    return Renderer.sends(SimpleNamespace(now=NOW), template(requires=requires), recipient)  # type: ignore[arg-type]


def test_sends_when_every_guard_sends():
    assert sends([]) is True
    assert sends(["paid"]) is True


def test_does_not_send_when_a_guard_says_not_sent_or_returns_nothing():
    assert sends(["paid", "unpaid"]) is False
    assert sends(["forgot_return"]) is False


def test_a_guard_that_cannot_read_the_fixture_counts_as_not_sent():
    """Rendering the case reports the crash; ``sends`` (used to pick cases) must not raise."""
    guard("crashy", lambda account, now: account.invoices[0])
    assert sends(["crashy"]) is False
    guard("odd", lambda account, now: "yes")
    assert sends(["odd"]) is False


def test_a_guard_sees_the_runs_clock_in_sends():
    guard("before_noon", lambda account, now: {} if now.hour < 12 else NotSent("afternoon"))
    assert sends(["before_noon"]) is True
    guard("after_noon", lambda account, now: {} if now.hour >= 12 else NotSent("morning"))
    assert sends(["after_noon"]) is False
