"""Giving memory back to the operating system after a large computation.

A step over a large book (loading it, its features, signals, limits, the
worklist) allocates and frees many arrays of a few megabytes. The C library's
allocator keeps much of what is freed in its heap for reuse, scattered
between arrays still alive: the process stays that much larger than what it
holds, and the next step's peak sits on top of it (about 0.3 GB after each
step of a book of a million customers). :func:`give_back` asks the allocator
to return its free pages (glibc's ``malloc_trim``; a few milliseconds); other
C libraries and systems have no such call, and it does nothing there.

Building a Portfolio calls it at its end (:func:`give_back_after`), and
features, signals, limits and the worklist run inside :func:`large_step`:
large books only, never the one-customer service paths.

Loading a book allocates its arrays at once, gigabytes of fresh memory.
numpy asks the kernel for huge pages on large arrays; where the kernel's
transparent huge pages use ``defrag=madvise`` (the default of many Linux
distributions), each such fault may first compact memory, synchronously.
:func:`small_pages` turns numpy's advice off while a Portfolio is built,
and :func:`large_step` while a step runs over a large book. On the 2-core
machine of issue 14 the pipeline over a book of a million customers took
31.1-36.1 s without the advice against 38.3-40.4 s with it (the load alone
12.9-18.1 s against 19.2-21.7 s).
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

#: Rows (invoices and orders together) from which a step's end gives memory back: below it the pages given
#: back would be faulted in again by the next step for little gain (a trim costs a 50k book's features 2-10%).
LARGE_BOOK_ROWS = 10_000_000


@functools.cache
def _trim_function() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the process has none (found on first use, not at import)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        process = ctypes.CDLL(None)  # the process's own symbols: the C library it runs on
    except OSError:
        return None
    trim = getattr(process, "malloc_trim", None)  # glibc only (not musl)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def give_back() -> bool:
    """Return the allocator's free memory to the operating system; whether the platform could.

    Examples
    --------
    >>> give_back() in (True, False)
    True
    """
    trim = _trim_function()
    if trim is None:
        return False
    trim(0)
    return True


def large_book(portfolio: Any) -> bool:
    """Whether ``portfolio`` is a large book: :data:`LARGE_BOOK_ROWS` invoices and orders or more."""
    try:
        rows = portfolio.invoices.n_rows + portfolio.orders.n_rows
    except AttributeError:  # not a Portfolio (a signal's test double, say): nothing to judge by
        return False
    return bool(rows >= LARGE_BOOK_ROWS)


def give_back_after(portfolio: Any) -> None:
    """:func:`give_back` when a step has just gone over a large book. Small books pay nothing."""
    if large_book(portfolio):
        give_back()


@contextlib.contextmanager
def large_step(portfolio: Any) -> Iterator[None]:
    """A step over ``portfolio`` (features, signals, limits, the worklist): on a large book, numpy's
    huge-page advice off while it runs (:func:`small_pages`) and the memory it freed given back at its
    end (:func:`give_back`). Nothing on a small book.

    Examples
    --------
    >>> import riskkit
    >>> book, _ = riskkit.datasets.make_portfolio(20, seed=0)
    >>> with large_step(book):  # a small book: nothing changes
    ...     huge_page_advice() in (True, None)
    True
    """
    if not large_book(portfolio):
        yield
        return
    with small_pages():
        yield
    give_back()


def _numpy_switch(name: str) -> Callable[..., bool] | None:
    try:
        from numpy._core import multiarray  # numpy 2
    except ImportError:  # pragma: no cover - numpy 1
        from numpy.core import multiarray  # type: ignore[no-redef]
    return getattr(multiarray, name, None)


def huge_page_advice() -> bool | None:
    """Whether numpy advises the kernel to back large arrays with huge pages now (None: it cannot say)."""
    get = _numpy_switch("_get_madvise_hugepage")
    return None if get is None else bool(get())


_PAGES = threading.Lock()
_builds = {"under_way": 0, "advice": True}  # builds in small_pages now; numpy's advice before the first


@contextlib.contextmanager
def small_pages() -> Iterator[None]:
    """numpy's huge-page advice off within the block (see the module documentation), as it was after.

    Builds in several threads at once share one switch: the advice comes back when the last one ends.
    A numpy without the switch is left as it is.

    Examples
    --------
    >>> with small_pages():
    ...     huge_page_advice()
    False
    """
    switch = _numpy_switch("_set_madvise_hugepage")
    if switch is None:  # pragma: no cover - a numpy without it
        yield
        return
    with _PAGES:
        if _builds["under_way"] == 0:
            _builds["advice"] = switch(False)
        _builds["under_way"] += 1
    try:
        yield
    finally:
        with _PAGES:
            _builds["under_way"] -= 1
            if _builds["under_way"] == 0:
                switch(_builds["advice"])
