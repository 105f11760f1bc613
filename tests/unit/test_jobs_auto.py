"""``-j auto``: each worker's camera keeps two cores busy (its check pages measure beside the
screenshot page), so a run with screenshots takes one worker per two cores; a text-only run one
per core."""

from __future__ import annotations

import pytest

from harness import parallel
from harness.errors import ConfigError


@pytest.mark.parametrize(("machine", "screenshots", "workers"), [(8, True, 4), (8, False, 8), (2, True, 1), (3, True, 1), (1, True, 1), (1, False, 1)])
def test_auto_is_one_worker_per_two_cores_with_screenshots(monkeypatch: pytest.MonkeyPatch, machine: int, screenshots: bool, workers: int) -> None:
    monkeypatch.setattr(parallel, "cores", lambda: machine)
    assert parallel.parse_jobs("auto", screenshots=screenshots) == workers
    assert parallel.parse_jobs(" AUTO ", screenshots=screenshots) == workers


def test_a_number_is_taken_as_given_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    assert parallel.parse_jobs("3") == parallel.parse_jobs("3", screenshots=False) == 3
    with pytest.raises(ConfigError, match="this machine's 2 cores"):
        parallel.parse_jobs("0")
