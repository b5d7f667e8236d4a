"""Reason codes, the one rule of every scorer: per row, the features that lost the most points.

Each scorer measures, per row and feature, the points the feature lost
against the best it could give (a card: its best bin; a logistic scorer: the
best contribution seen in training; a tree: the best leaf reachable by
changing only that feature), and :func:`top_reasons` turns those into
:class:`~riskkit.scoring.Reasons`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from riskkit._checks import Integer, check
from riskkit.scoring._result import Reasons

__all__ = ["MAX_REASONS", "check_reasons", "top_reasons", "top_reasons_one"]

#: The most reason codes a row may ask for (the result always has that many slots per row).
MAX_REASONS = 100
_REASONS = Integer(0, MAX_REASONS)


def check_reasons(reasons: Any) -> int:
    """``reasons`` (how many reason codes per row) as an int, or a ValidationError naming it."""
    if type(reasons) is int and 0 <= reasons <= MAX_REASONS:  # the service path's case, at no cost
        return reasons
    return int(check("reasons", reasons, _REASONS))


def top_reasons(names: Sequence[str], columns: Mapping[str, Any], lost: np.ndarray, k: int) -> Reasons:
    """The ``k`` features with the most points lost per row.

    ``lost`` has one column per name (points lost by that feature on each
    row); ``columns[name]`` gives the row's value of each feature (any
    indexable column). The result always has shape ``(n, k)``, whatever the
    number of features: slots without a reason (fewer than ``k`` features,
    or a feature that lost no points) hold ``""``, ``None`` and ``0.0``. Ties
    keep the features' order (a stable sort).
    """
    n, d = lost.shape
    order = np.argsort(-lost, axis=1, kind="stable")[:, :k]
    order = np.pad(order, ((0, 0), (0, k - order.shape[1])), constant_values=-1)
    lost_k = np.where(order >= 0, np.take_along_axis(lost, np.maximum(order, 0), axis=1), 0.0) if d else np.zeros((n, k))
    feats = np.array([*names, ""], dtype=object)[order]
    values = np.empty((n, k), dtype=object)
    for j, name in enumerate(names):
        rows, slots = np.nonzero(order == j)
        if not rows.size:
            continue
        col = columns[name]
        if isinstance(col, np.ndarray):
            values[rows, slots] = col[rows]
        else:
            for r, s in zip(rows.tolist(), slots.tolist(), strict=True):
                v = col[r]
                values[r, s] = v.item() if isinstance(v, np.generic) else v
    none = ~(lost_k > 0)
    feats[none] = ""
    values[none] = None
    return Reasons(features=feats, values=values, points_lost=np.where(none, 0.0, lost_k))


def top_reasons_one(names: Sequence[str], values: Sequence[Any], lost: Sequence[float], k: int) -> Reasons:
    """:func:`top_reasons` of a single row given as plain Python values: the same result, without array set-up.

    ``values[j]`` is the row's value of ``names[j]`` and ``lost[j]`` the points
    it lost (the one-customer service path, where the arrays of
    :func:`top_reasons` cost far more than a sort of a few numbers).
    """
    # stable, as argsort(-lost, kind="stable"): ties keep the features' order
    order = sorted(range(len(lost)), key=[-x for x in lost].__getitem__)[:k]
    features: list[Any] = [""] * k
    chosen: list[Any] = [None] * k
    points = [0.0] * k
    for slot, j in enumerate(order):
        if lost[j] > 0:
            features[slot], chosen[slot], points[slot] = names[j], values[j], lost[j]
    return Reasons._of_one(features, chosen, points)
