"""Corporate groups: parents, group exposure, the group limit and its headroom (docs/domain.md, *Corporate groups*).

A customer names its parent in ``customers.parent_id``; its **group** is the
chain up to the **top parent** (the first customer without a parent). The
top parent's ``group_limit`` is the limit every member of the group shares.
Everything here is computed over whole columns: the top parent of every
customer by pointer jumping (a handful of array passes, whatever the depth),
the group sums with ``bincount``.

A book without ``parent_id`` and ``group_limit`` has one group per customer
and no group limit: nothing here changes any other result for it.

Examples
--------
>>> import riskkit
>>> from riskkit import groups
>>> book = riskkit.Portfolio.from_records(
...     customers=[{"id": "P", "group_limit": 100000.0}, {"id": "S1", "parent_id": "P"},
...                {"id": "S2", "parent_id": "S1"}, {"id": "X"}],
...     exposures=[{"customer_id": c, "credit_limit": 50000.0, "open_orders": o}
...                for c, o in [("P", 30000.0), ("S1", 20000.0), ("S2", 25000.0), ("X", 1000.0)]],
...     as_of="2025-06-30")
>>> book.customer_ids[groups.group_of(book)].tolist()
['P', 'P', 'P', 'X']
>>> groups.group_exposure(book).tolist()           # 30,000 + 20,000 + 25,000 for the group of P
[75000.0, 75000.0, 75000.0, 1000.0]
>>> groups.group_headroom(book).tolist()           # 100,000 - 75,000; X has no group limit
[25000.0, 25000.0, 25000.0, nan]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit._numeric import group_count, group_sum
from riskkit.finance import ALTMAN_ZONES

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio

__all__ = [
    "chains",
    "distressed",
    "group_exposure",
    "group_headroom",
    "group_limit",
    "group_of",
    "group_table",
    "in_group",
    "parent_of",
]

#: A customer is distressed when it is in default or its Altman Z' is below this (the distress zone).
DISTRESS_Z = ALTMAN_ZONES["altman_z_private"][0]


def chains(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The top parent of every row, and the rows whose chain never reaches one (a cycle, or leads into one).

    Parameters
    ----------
    parent : ndarray of int
        Each row's parent row, -1 for none (every value -1 or a valid row).

    Returns
    -------
    top : ndarray of int64
        The top parent's row (the row itself without a parent); meaningless where ``cyclic``.
    cyclic : ndarray of bool
        The chain up from this row loops (the row is in a cycle, or its chain runs into one).

    Examples
    --------
    >>> import numpy as np
    >>> top, cyclic = chains(np.array([-1, 0, 1, 4, 3, 3]))
    >>> top[~cyclic].tolist(), cyclic.tolist()
    ([0, 0, 0], [False, False, False, True, True, True])
    """
    n = parent.size
    rows = np.arange(n, dtype=np.int64)
    up = np.where(parent < 0, rows, parent).astype(np.int64)
    self_loop = parent == rows
    top = up
    # pointer jumping: after k passes each row points 2**k steps up its chain (or to its top parent)
    for _ in range(max(n, 1).bit_length() + 1):
        nxt = top[top]
        if np.array_equal(nxt, top):
            break
        top = nxt
    cyclic = self_loop | (up[top] != top) | self_loop[top]
    return top, cyclic


def parent_of(portfolio: Portfolio) -> np.ndarray:
    """Each customer's parent (its code, i.e. row), -1 for none; computed once per book.

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "P"}, {"id": "S", "parent_id": "P"}], as_of="2025-06-30")
    >>> parent_of(book).tolist()
    [-1, 0]
    """

    def build() -> np.ndarray:
        ids = np.asarray(portfolio.customers["parent_id"], dtype=object)
        out = np.full(ids.size, -1, dtype=np.int64)
        has = np.flatnonzero(ids != "")
        if has.size:  # the ingest refused unknown parents and cycles
            out[has] = portfolio.codes(ids[has].tolist())
        out.flags.writeable = False
        return out

    return portfolio._cached("groups.parent", build, inherit=True)


def group_of(portfolio: Portfolio) -> np.ndarray:
    """Each customer's group: the code of its top parent (its own code without a parent); computed once per book.

    Returns
    -------
    ndarray of int64
        One row per customer; ``portfolio.customer_ids[group_of(portfolio)]`` are the top parents' ids.
    """

    def build() -> np.ndarray:
        parent = parent_of(portfolio)
        if not (parent >= 0).any():
            top = np.arange(parent.size, dtype=np.int64)
        else:
            top, _ = chains(parent)
        top.flags.writeable = False
        return top

    return portfolio._cached("groups.top", build, inherit=True)


def in_group(portfolio: Portfolio) -> np.ndarray:
    """Per customer: it belongs to a group of two or more (it has a parent, or a customer names it as parent)."""
    top = group_of(portfolio)
    return group_count(top, top.size)[top] > 1


def group_limit(portfolio: Portfolio) -> np.ndarray:
    """Per customer, its group's limit: the ``group_limit`` of its top parent (NaN for none)."""
    return np.asarray(portfolio.customers["group_limit"], dtype=np.float64)[group_of(portfolio)]


def group_exposure(portfolio: Portfolio, as_of: Any = None) -> np.ndarray:
    """Per customer, the counted exposure of its whole group at ``as_of`` (its own without a group).

    The sum of the members' counted exposure (feature ``exposure``,
    docs/domain.md, *Exposure*): each member's credit balance lowers only its
    own exposure, never a sister company's.
    """
    top = group_of(portfolio)
    exposure = np.nan_to_num(np.asarray(portfolio.features(as_of)["exposure"], dtype=np.float64), nan=0.0)
    return group_sum(exposure, top, top.size)[top]


def group_headroom(portfolio: Portfolio, as_of: Any = None) -> np.ndarray:
    """Per customer, what its group may still take: group limit - group exposure (NaN without a group limit)."""
    return group_limit(portfolio) - group_exposure(portfolio, as_of)


def distressed(portfolio: Portfolio, as_of: Any = None) -> np.ndarray:
    """Per customer: in default (feature ``in_default``) or in Altman's distress zone (Z' below 1.23).

    Returns
    -------
    ndarray of int8
        2 in default, 1 in the distress zone (not in default), 0 otherwise
        (a missing Z' is not distress).
    """
    features = portfolio.features(as_of)
    default = np.asarray(features["in_default"], dtype=np.float64) == 1.0
    with np.errstate(invalid="ignore"):
        zone = np.asarray(features["altman_z_private"], dtype=np.float64) < DISTRESS_Z
    return np.where(default, 2, np.where(zone, 1, 0)).astype(np.int8)


def group_table(portfolio: Portfolio, as_of: Any = None) -> dict[str, np.ndarray]:
    """One row per group of two or more members, or with a group limit; largest group exposure first.

    Returns
    -------
    dict of str to ndarray
        ``parent_id``, ``parent_name``, ``members`` (the top parent included),
        ``group_exposure``, ``group_limit`` (NaN for none), ``headroom``
        (NaN without a group limit), ``distressed`` (members in default or in
        the distress zone, see :func:`distressed`) and ``distressed_ids``
        (their ids, ``;``-separated, written for the rows returned only).

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "P", "group_limit": 9000.0}, {"id": "S", "parent_id": "P"}, {"id": "X"}],
    ...     exposures=[{"customer_id": c, "credit_limit": 5000.0, "open_orders": 4000.0} for c in "PSX"],
    ...     as_of="2025-06-30")
    >>> t = group_table(book)
    >>> t["parent_id"].tolist(), t["members"].tolist(), t["group_exposure"].tolist(), t["headroom"].tolist()
    (['P'], [2], [8000.0], [1000.0])
    """
    top = group_of(portfolio)
    n = top.size
    members = group_count(top, n)
    limits = np.asarray(portfolio.customers["group_limit"], dtype=np.float64)
    exposure = np.nan_to_num(np.asarray(portfolio.features(as_of)["exposure"], dtype=np.float64), nan=0.0)
    total = group_sum(exposure, top, n)
    bad = distressed(portfolio, as_of) > 0
    n_bad = group_count(top[bad], n)
    rows = np.flatnonzero((members > 1) | ((members > 0) & np.isfinite(limits)))
    rows = rows[np.argsort(-total[rows], kind="stable")]
    ids = portfolio.customer_ids
    picked = np.isin(top, rows) & bad
    listed: dict[int, list[str]] = {}
    for g, cid in zip(top[picked].tolist(), ids[picked].tolist(), strict=True):
        listed.setdefault(g, []).append(str(cid))
    return {
        "parent_id": ids[rows],
        "parent_name": np.asarray(portfolio.customers["name"], dtype=object)[rows],
        "members": members[rows],
        "group_exposure": total[rows],
        "group_limit": limits[rows],
        "headroom": limits[rows] - total[rows],
        "distressed": n_bad[rows],
        "distressed_ids": np.array([";".join(listed.get(g, [])) for g in rows.tolist()], dtype=object),
    }
