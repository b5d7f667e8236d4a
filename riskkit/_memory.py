"""Giving memory back to the operating system after a large computation.

A step over a large book (loading it, its features, signals, limits, the
worklist) allocates and frees many arrays of a few megabytes. The C library's
allocator keeps much of what is freed in its heap for reuse, scattered
between arrays still alive: the process stays that much larger than what it
holds, and the next step's peak sits on top of it (about 0.3 GB after each
step of a book of a million customers). :func:`give_back` asks the allocator
to return its free pages (glibc's ``malloc_trim``; a few milliseconds); other
C libraries and systems have no such call, and it does nothing there.

The entry points call it at their end for large books only
(:func:`give_back_after`), never on the one-customer service paths.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
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


def give_back_after(portfolio: Any) -> None:
    """:func:`give_back` when a step has just gone over a large book: :data:`LARGE_BOOK_ROWS` invoices
    and orders or more. Small books pay nothing."""
    try:
        rows = portfolio.invoices.n_rows + portfolio.orders.n_rows
    except AttributeError:  # not a Portfolio (a signal's test double, say): nothing to judge by
        return
    if rows >= LARGE_BOOK_ROWS:
        give_back()
