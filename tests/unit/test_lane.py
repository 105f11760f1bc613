"""The lane the camera drives its check pages from: jobs run in order on one thread of its own,
their results and errors reach the caller, and a closed lane takes no more work."""

from __future__ import annotations

import threading

import pytest

from harness.screenshots.lane import Lane


def test_jobs_run_in_order_on_the_lane_s_own_thread() -> None:
    lane = Lane("test lane")
    seen: list[tuple[int, str]] = []
    futures = [lane.submit(lambda n=n: seen.append((n, threading.current_thread().name)) or n * n) for n in range(5)]
    assert [f.result(timeout=5) for f in futures] == [0, 1, 4, 9, 16]
    assert seen == [(n, "test lane") for n in range(5)]
    lane.close()


def test_a_job_s_error_reaches_whoever_waits_and_the_lane_goes_on() -> None:
    lane = Lane("test lane")
    failed = lane.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failed.result(timeout=5)
    assert lane.submit(lambda: "still here").result(timeout=5) == "still here"
    lane.close()


def test_a_closed_lane_has_ended_its_thread_and_takes_no_more_work() -> None:
    lane = Lane("test lane")
    slow = lane.submit(lambda: threading.Event().wait(0.05) or "finished first")
    lane.close()  # after the jobs already given
    assert slow.result(timeout=0) == "finished first"
    assert not lane._thread.is_alive()
    lane.close()  # again: nothing to do
    with pytest.raises(RuntimeError, match="closed"):
        lane.submit(lambda: None)


def test_the_driver_answers_only_on_the_lane() -> None:
    lane = Lane("test lane")
    with pytest.raises(RuntimeError, match="lane's own thread"):
        lane.playwright
    lane.close()
