"""Categorical levels at scoring time: codes by lookup, the missing mask and the unknown-level error.

A categorical column, as :mod:`riskkit.scoring._input` reads it, is an object
array of str with ``None`` for missing. Its levels are coded through a dict
(``{level: code}``) rather than ``np.unique`` on a numpy str array, which
would strip trailing NUL characters and merge ``"a\\0"`` with ``"a"``. A level
the model does not know is an error naming the feature, the row, the value
and the known levels, the same for every scorer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from riskkit.errors import ValidationError

__all__ = ["is_missing", "level_codes", "unknown_level", "unknown_level_in"]

_NONE: Any = None  # np.equal(col, None), typed for mypy
#: Known levels listed in the unknown-level error before "...".
_SHOWN_LEVELS = 20


def is_missing(col: np.ndarray) -> np.ndarray:
    """Where a categorical column (object array of str / None) is missing, as a bool array."""
    return np.asarray(np.equal(col, _NONE), dtype=bool) if col.size else np.zeros(0, dtype=bool)


def level_codes(col: np.ndarray, lookup: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a categorical column's values in ``lookup`` (-1 if unseen or missing), and the missing mask."""
    missing = is_missing(col)
    get = lookup.get
    idx = np.fromiter(
        (get(v, -1) if isinstance(v, str) else -1 for v in col.tolist()), dtype=np.int64, count=col.size
    )
    idx[missing] = -1
    return idx, missing


def unknown_level(
    name: str, value: Any, row: int, known: Iterable[Any], seen: str = "in training"
) -> ValidationError:
    """The error for a level of feature ``name`` the model does not know.

    ``known`` are the model's levels (``None`` is skipped); ``seen`` says
    where they come from (``"in training"``, ``"when the card was built"``).
    """
    levels = sorted(str(k) for k in known if k is not None)
    shown = ", ".join(map(repr, levels[:_SHOWN_LEVELS])) + (", ..." if len(levels) > _SHOWN_LEVELS else "")
    return ValidationError(
        f"feature {name!r} row {row}: category {value!r} was not seen {seen}; known: {shown}. "
        "Pass unknown='missing' or 'worst' to score it anyway.",
        field=name,
        row=row,
        value=value,
    )


def unknown_level_in(name: str, col: np.ndarray, unseen: np.ndarray, known: Iterable[Any]) -> ValidationError:
    """:func:`unknown_level` for the first row of ``col`` where ``unseen`` holds."""
    row = int(np.flatnonzero(unseen)[0])
    return unknown_level(name, col[row], row, known)
