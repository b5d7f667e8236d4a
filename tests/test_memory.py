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
    # the features give back at the end, and while the frame is built from the columns
    from riskkit.features import _CATALOGUE, _COLUMNS_PER_GIVE_BACK

    assert calls == [0] * (2 + len(_CATALOGUE) // _COLUMNS_PER_GIVE_BACK)
    for step in (lambda: signals.evaluate(p), lambda: CreditPolicy().recommend(p, scores),
                 lambda: dunning.worklist(p, scores)):
        before = len(calls)
        step()
        assert calls[before:] == [0]  # once, at its end


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


def test_a_build_turns_numpys_huge_page_advice_off_and_back_even_from_threads_and_on_errors(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading a book allocates gigabytes at once: numpy's huge-page advice is off while a Portfolio is
    built (several at once in threads included), and back as it was after, an error included."""
    import threading

    if _memory.huge_page_advice() is None:
        pytest.skip("this numpy has no huge-page switch")
    seen: list[bool | None] = []
    build = riskkit.Portfolio._build.__func__  # type: ignore[attr-defined]

    def spying(cls: Any, *args: Any, **kwargs: Any) -> Any:
        from riskkit._ingest import Ingest

        original = Ingest.build

        def build_and_look(self: Any, *a: Any, **k: Any) -> Any:
            seen.append(_memory.huge_page_advice())
            return original(self, *a, **k)

        monkeypatch.setattr(Ingest, "build", build_and_look)
        return build(cls, *args, **kwargs)

    monkeypatch.setattr(riskkit.Portfolio, "_build", classmethod(spying))
    before = _memory.huge_page_advice()
    threads = [threading.Thread(target=lambda: riskkit.Portfolio.from_records(customers=[{"id": "A"}]))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with pytest.raises(riskkit.RiskkitError):
        riskkit.Portfolio.from_records(customers=[{"id": ""}])
    assert seen and set(seen) == {False}
    assert _memory.huge_page_advice() == before


def test_a_step_over_a_large_book_runs_without_huge_page_advice(monkeypatch: pytest.MonkeyPatch,
                                                                 calls: list[int]) -> None:
    from riskkit import features

    if _memory.huge_page_advice() is None:
        pytest.skip("this numpy has no huge-page switch")
    seen: list[bool | None] = []
    compute = features._compute

    def looking(*args: Any) -> Any:
        seen.append(_memory.huge_page_advice())
        return compute(*args)

    monkeypatch.setattr(features, "_compute", looking)
    book, _ = riskkit.datasets.make_portfolio(100, seed=3)
    before = _memory.huge_page_advice()
    book.features()
    monkeypatch.setattr(_memory, "LARGE_BOOK_ROWS", 1)
    book.features(book.as_of - np.timedelta64(1, "D"))  # another date: computed again
    assert seen == [before, False] and _memory.huge_page_advice() == before
    assert calls and calls[-1] == 0  # and the memory given back at its end, for the large book alone
