"""Memory freed by a step over a large book goes back to the operating system (riskkit._memory)."""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np
import pytest

import riskkit
from riskkit import _memory


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The trims asked for, counted instead of made."""
    made: list[int] = []
    monkeypatch.setattr(_memory, "_trim_function", lambda: made.append)
    return made


def test_each_step_over_a_large_book_gives_memory_back_and_a_small_book_pays_nothing(
        monkeypatch: pytest.MonkeyPatch, calls: list[int]) -> None:
    from riskkit import dunning, signals
    from riskkit.policy import CreditPolicy
    from riskkit.scoring import five_c

    book, _ = riskkit.datasets.make_portfolio(200, seed=3)
    scores = five_c().score(book.features())
    signals.evaluate(book)
    CreditPolicy().recommend(book, scores)
    dunning.worklist(book, scores)
    assert calls == []  # a small book: no call
    monkeypatch.setattr(_memory, "LARGE_BOOK_ROWS", 1)
    p = riskkit.Portfolio.from_arrays(**{name: dict(book.table(name)) for name in ("customers", "invoices")},
                                      as_of=book.as_of, unknown_columns="ignore")
    assert calls == [0]  # the load
    scores = five_c().score(p.features())
    assert calls == [0, 0]
    signals.evaluate(p)
    CreditPolicy().recommend(p, scores)
    dunning.worklist(p, scores)
    assert calls == [0] * 5


def test_what_is_not_a_portfolio_is_left_alone(calls: list[int]) -> None:
    _memory.give_back_after(object())
    assert calls == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_giving_back_returns_freed_memory_to_the_system() -> None:
    """On glibc, memory freed between arrays still alive leaves the process's resident size."""
    import ctypes

    if getattr(ctypes.CDLL(None), "malloc_trim", None) is None:
        pytest.skip("not glibc")

    def resident() -> int:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1])

    # one array of 1 MiB freed first: the allocator's threshold for an array of its own mapping rises past
    # that size, so the next ones share its heap; every other one freed leaves holes only a trim returns
    np.ones(131_072)
    arrays: list[Any] = [np.ones(131_072) for _ in range(400)]
    del arrays[::2]
    before = resident()
    assert _memory.give_back() is True
    page = os.sysconf("SC_PAGE_SIZE")
    assert (before - resident()) * page > 100 * 2**20  # most of the 200 MiB freed
