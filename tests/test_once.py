"""Answers a server computes once while many requests ask for them at the same moment (a store
just swapped in): the others wait for the one computing, and get its answer."""

from __future__ import annotations

import threading

from observatory.once import Once


def test_many_asking_at_once_get_one_computation() -> None:
    once = Once()
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        started.set()
        release.wait(10)
        return 42

    answers: list[int] = []
    askers = [threading.Thread(target=lambda: answers.append(once.get("figures", compute))) for _ in range(8)]
    for t in askers:
        t.start()
    assert started.wait(10)
    assert "figures" not in once  # being computed, not yet kept
    release.set()
    for t in askers:
        t.join(10)
    assert answers == [42] * 8 and calls == [1]
    assert "figures" in once and once.get("figures", lambda: 0) == 42


def test_past_its_limit_it_forgets_and_computes_again() -> None:
    once = Once(limit=2)
    once.get("a", lambda: 1)
    once.get("b", lambda: 2)
    assert once.get("c", lambda: 3) == 3  # the third forgets the first two
    assert "a" not in once and "b" not in once and "c" in once
    assert once.get("a", lambda: 10) == 10
