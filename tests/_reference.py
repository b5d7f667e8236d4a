"""The plain reference implementation of card scoring, kept in the tests.

riskkit's compiled plan (``riskkit.scoring._plan``) must give results identical, bit
for bit, to this: ``searchsorted`` for the bin, special codes and NaN to their
bins, a dict lookup per category, then ``points[bin]`` added feature by
feature in card order, starting from 0.0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from riskkit.scoring._card import Card, CardFeature
from riskkit.scoring._input import NUMERIC, category_of


def bin_index(f: CardFeature, col: Any, unknown: str = "error") -> np.ndarray:
    """Bin of every value of one feature."""
    if f.kind == NUMERIC:
        x = np.asarray(col, dtype=np.float64)
        idx = np.searchsorted(f.splits, x, side="right")
        if f.special_codes:
            idx[np.isin(x, f.special_codes)] = f.special_bin
        idx[np.isnan(x)] = f.missing_bin
        return idx
    lookup = {c: b for b, g in enumerate(f.categories) for c in g}
    worst = int(np.argmin(f.points[: f.n_regular]))
    out = []
    for row, v in enumerate(col):
        key = category_of(v, f.name, row)
        if key is None:
            out.append(f.missing_bin)
        elif key in lookup:
            out.append(lookup[key])
        elif unknown == "error":
            raise ValueError(f"unknown category {v!r} of {f.name!r} at row {row}")
        else:
            out.append(f.missing_bin if unknown == "missing" else worst)
    return np.asarray(out, dtype=np.intp)


def bins(card: Card, columns: Mapping[str, Any]) -> list[np.ndarray]:
    return [bin_index(f, columns[f.name], card.unknown) for f in card.features]


def points_matrix(card: Card, b: Sequence[np.ndarray]) -> np.ndarray:
    return np.column_stack([f.points[i] for f, i in zip(card.features, b, strict=True)])


def total(card: Card, b: Sequence[np.ndarray], n_rows: int) -> np.ndarray:
    score = np.zeros(n_rows)
    for f, i in zip(card.features, b, strict=True):
        score += f.points[i]
    return score


def score(card: Card, columns: Mapping[str, Any], n_rows: int) -> np.ndarray:
    return total(card, bins(card, columns), n_rows)


__all__ = ["bin_index", "bins", "points_matrix", "score", "total"]
