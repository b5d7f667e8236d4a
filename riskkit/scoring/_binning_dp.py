"""Exact optimal merging of contiguous pre-bins by dynamic programming (private).

Used by :mod:`riskkit.scoring._binning`. Given ``K`` ordered pre-bins with (possibly
weighted) event and non-event counts, :func:`optimal_partition` finds the
partition of the pre-bins into contiguous bins that maximises the total
information value (IV) subject to

* a trend on the bins' event rates between consecutive bins: ``"ascending"``
  (strictly increasing), ``"descending"`` (strictly decreasing), ``"peak"``
  (strictly increasing, then strictly decreasing; either part may be empty),
  ``"valley"`` (the reverse) or ``None`` (no constraint);
* a minimum bin weight, minimum event and non-event counts per bin (a bin
  always needs strictly positive event and non-event counts, so its WoE is
  finite without smoothing);
* an optional maximum number of bins;
* optional forced cuts: pre-bin boundaries that every partition keeps (an
  analyst's fixed cut points), so no bin may straddle one.

Why the recursion is exact: every constraint either concerns one bin alone or
compares the event rates of two consecutive bins. So the best way to finish a
partition depends only on (end of the last bin, start of the last bin, the
trend phase reached, the number of bins used), and the state

    V[phase, n_bins - 1, end, start] = best IV of a partition of pre-bins
                                       [0, end) whose last bin is [start, end)

loses nothing. Transitions: ``V[q, b + 1, j, i] = iv(i, j) + max over h of
V[p, b, i, h]`` over the previous bins ``[h, i)`` whose event rate relates to
that of ``[i, j)`` as the phase change ``p -> q`` allows. The states ending at
``i`` are final once every start before ``i`` has been processed, so one pass
over ``i`` suffices; the maximisation over ``h`` and every ``j`` and ``b`` is
a single numpy reduction per ``(i, phase change)``, O(K^2 * B) work in total
per ``i``. Without ``max_n_bins`` the bin-count axis is collapsed to one
layer. ``tests/scoring/test_binning.py`` checks the result against brute-force
enumeration of all ``2 ** (K - 1)`` partitions.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = ["TRENDS", "Partition", "bin_stats_matrix", "optimal_partition", "woe_iv"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Trends :func:`optimal_partition` accepts.
TRENDS: tuple[str | None, ...] = ("ascending", "descending", "peak", "valley", None)

#: Relative slack on the minimum bin weight, so that ``0.07 * 100`` rows still
#: admits a bin of 7 rows despite floating-point rounding.
_SIZE_RTOL = 1e-9

# trend -> (number of phases, allowed (from phase, to phase, relation of rates));
# relation "up": previous rate < next rate, "down": previous > next, "any": no constraint.
_TRANSITIONS: dict[str | None, tuple[int, tuple[tuple[int, int, str], ...]]] = {
    "ascending": (1, ((0, 0, "up"),)),
    "descending": (1, ((0, 0, "down"),)),
    None: (1, ((0, 0, "any"),)),
    "peak": (2, ((0, 0, "up"), (0, 1, "down"), (1, 1, "down"))),
    "valley": (2, ((0, 0, "down"), (0, 1, "up"), (1, 1, "up"))),
}


class Partition(NamedTuple):
    """An optimal partition of the pre-bins.

    Attributes
    ----------
    starts : tuple of int
        Pre-bin index at which each bin after the first starts (increasing;
        empty for a single bin).
    iv : float
        Total IV of the regular bins; ``-inf`` when no partition is feasible.
    feasible : bool
        Whether some partition satisfies every constraint; when False,
        ``starts`` is empty and the caller falls back to a single bin.
    """

    starts: tuple[int, ...]
    iv: float
    feasible: bool


def woe_iv(
    n_event: npt.ArrayLike, n_nonevent: npt.ArrayLike, total_event: float, total_nonevent: float
) -> tuple[FloatArray, FloatArray]:
    """WoE = ln(%good / %bad) and IV term (%good - %bad) * WoE per bin.

    A bin with zero weight gets WoE 0 and IV 0; a bin with zero events or zero
    non-events (but not both) adds 0.5 to both its counts first.

    >>> woe, iv = woe_iv([1.0, 3.0], [3.0, 1.0], 4.0, 4.0)
    >>> woe.round(4).tolist(), iv.round(4).tolist()
    ([1.0986, -1.0986], [0.5493, 0.5493])
    """
    e = np.asarray(n_event, dtype=np.float64)
    g = np.asarray(n_nonevent, dtype=np.float64)
    empty = (e + g) <= 0
    smooth = ((e <= 0) | (g <= 0)) & ~empty
    e = np.where(smooth, e + 0.5, e)
    g = np.where(smooth, g + 0.5, g)
    with np.errstate(divide="ignore", invalid="ignore"):
        pg = g / total_nonevent
        pe = e / total_event
        woe = np.log(pg / pe)
        iv = (pg - pe) * woe
    woe = np.where(empty, 0.0, woe)
    iv = np.where(empty, 0.0, iv)
    return woe, iv


def bin_stats_matrix(
    n_event: FloatArray,
    n_nonevent: FloatArray,
    *,
    total_event: float,
    total_nonevent: float,
    min_bin_weight: float,
    min_bin_n_event: float,
    min_bin_n_nonevent: float,
    forced: npt.ArrayLike = (),
) -> tuple[FloatArray, FloatArray]:
    """IV and event rate of every candidate bin ``[i, j)`` of pre-bins, as ``(K+1, K+1)`` matrices.

    ``iv[i, j]`` is ``-inf`` when ``i >= j``, the bin breaks a size or count
    constraint or it straddles a ``forced`` boundary (``i < f < j``);
    ``rate[i, j]`` is its event rate (NaN for an empty bin).
    """
    ce = np.concatenate(([0.0], np.cumsum(n_event)))
    cg = np.concatenate(([0.0], np.cumsum(n_nonevent)))
    e = ce[None, :] - ce[:, None]
    g = cg[None, :] - cg[:, None]
    n = e + g
    k1 = ce.size
    feasible = (
        np.triu(np.ones((k1, k1), dtype=bool), 1)
        & (n >= min_bin_weight * (1.0 - _SIZE_RTOL))
        & (e >= min_bin_n_event)
        & (g >= min_bin_n_nonevent)
        & (n > 0)
    )
    cut = np.asarray(forced, dtype=np.int64)
    if cut.size:
        # forced boundaries strictly inside [i, j): count of forced f with i < f < j
        marks = np.zeros(k1, dtype=np.int64)
        marks[cut] = 1
        below = np.cumsum(marks)  # below[t] = forced boundaries <= t
        inside = below[np.maximum(np.arange(k1) - 1, 0)][None, :] - below[:, None]
        feasible &= inside <= 0
    # a pure bin (allowed only when a minimum count is 0) is smoothed exactly as in woe_iv
    smooth = (e <= 0) | (g <= 0)
    es = np.where(smooth, e + 0.5, e)
    gs = np.where(smooth, g + 0.5, g)
    with np.errstate(divide="ignore", invalid="ignore"):
        pg = gs / total_nonevent
        pe = es / total_event
        iv = np.where(feasible, (pg - pe) * np.log(pg / pe), -np.inf)
        rate = np.where(n > 0, e / n, np.nan)
    return iv, rate


def optimal_partition(
    n_event: npt.ArrayLike,
    n_nonevent: npt.ArrayLike,
    *,
    total_event: float,
    total_nonevent: float,
    trend: str | None,
    min_bin_weight: float = 0.0,
    min_bin_n_event: float = 1.0,
    min_bin_n_nonevent: float = 1.0,
    max_n_bins: int | None = None,
    forced: npt.ArrayLike = (),
) -> Partition:
    """The IV-maximising partition of ordered pre-bins into contiguous bins.

    Parameters
    ----------
    n_event, n_nonevent : array-like of shape (K,)
        (Weighted) event and non-event counts per pre-bin, K >= 1.
    total_event, total_nonevent : float
        Totals over all rows (including any missing and special bins), the
        denominators of %bad and %good.
    trend : {"ascending", "descending", "peak", "valley", None}
        Constraint on the event rates of consecutive bins (strict).
    min_bin_weight : float
        Minimum total weight of a bin.
    min_bin_n_event, min_bin_n_nonevent : float
        Minimum (weighted) event and non-event counts of a bin; in addition
        both must be strictly positive.
    max_n_bins : int, optional
        Maximum number of bins.
    forced : array-like of int, optional
        Boundaries (``0 < f < K``: a bin starts at pre-bin ``f``) that every
        partition keeps; a partition that cannot keep them all within the
        other constraints is infeasible.

    Returns
    -------
    Partition

    Examples
    --------
    >>> p = optimal_partition([1, 2, 6, 1], [9, 8, 4, 9], total_event=10, total_nonevent=30, trend="peak")
    >>> p.starts, round(p.iv, 4)
    ((1, 2, 3), 1.1605)
    >>> optimal_partition([1, 2, 6, 1], [9, 8, 4, 9], total_event=10, total_nonevent=30,
    ...                   trend="ascending").starts
    (1, 2)
    >>> optimal_partition([1, 2, 6, 1], [9, 8, 4, 9], total_event=10, total_nonevent=30,
    ...                   trend=None, forced=[1], max_n_bins=2).starts
    (1,)
    """
    if trend not in _TRANSITIONS:
        raise ValueError(f"trend must be one of {TRENDS}, got {trend!r}")
    e = np.asarray(n_event, dtype=np.float64)
    g = np.asarray(n_nonevent, dtype=np.float64)
    k = e.size
    iv, rate = bin_stats_matrix(
        e,
        g,
        total_event=total_event,
        total_nonevent=total_nonevent,
        min_bin_weight=min_bin_weight,
        min_bin_n_event=min_bin_n_event,
        min_bin_n_nonevent=min_bin_n_nonevent,
        forced=forced,
    )
    n_phases, transitions = _TRANSITIONS[trend]
    bounded = max_n_bins is not None and max_n_bins < k
    n_layers = int(max_n_bins) if bounded and max_n_bins is not None else 1

    value = np.full((n_phases, n_layers, k + 1, k), -np.inf)
    # where V[q, b, j, i] came from: previous bin start h and phase p, stored as h * n_phases + p
    back = np.zeros((n_phases, n_layers, k + 1, k), dtype=np.int64)
    value[0, 0, 1:, 0] = iv[0, 1:]
    src_layers = slice(0, n_layers - 1) if bounded else slice(None)
    dst_layers = slice(1, None) if bounded else slice(None)
    if n_layers == 1 and bounded:  # max_n_bins == 1: only the single bin
        transitions = ()

    for i in range(1, k):
        iv_new = iv[i, i + 1 :]  # bins [i, j) for j = i+1..k
        if iv_new.max() == -np.inf:
            continue
        masks: dict[str, npt.NDArray[np.bool_]] = {}
        for src, dst, relation in transitions:
            prev = value[src, src_layers, i, :i]  # (layers, h): partitions whose last bin is [h, i)
            if prev.max() == -np.inf:
                continue
            if relation == "any":
                v_best = prev.max(axis=1)[:, None] + iv_new[None, :]
                h_best = np.broadcast_to(prev.argmax(axis=1)[:, None], v_best.shape)
            else:
                mask = masks.get(relation)
                if mask is None:
                    rate_prev, rate_new = rate[:i, i, None], rate[None, i, i + 1 :]
                    mask = rate_prev < rate_new if relation == "up" else rate_prev > rate_new
                    masks[relation] = mask
                cand = np.where(mask[None, :, :], prev[:, :, None], -np.inf)  # (layers, h, j)
                v_best = cand.max(axis=1) + iv_new[None, :]
                h_best = cand.argmax(axis=1)
            current = value[dst, dst_layers, i + 1 :, i]  # a view: updated in place
            better = v_best > current
            if better.any():
                np.copyto(current, v_best, where=better)
                np.copyto(back[dst, dst_layers, i + 1 :, i], h_best * n_phases + src, where=better)

    final = value[:, :, k, :]
    flat = int(np.argmax(final))
    best = float(final.flat[flat])
    if best == -np.inf:
        return Partition((), -np.inf, False)
    phase, layer, start = (int(v) for v in np.unravel_index(flat, final.shape))
    starts: list[int] = []
    end = k
    while start > 0:
        starts.append(start)
        prev_start, phase = divmod(int(back[phase, layer, end, start]), n_phases)
        if bounded:
            layer -= 1
        end, start = start, prev_start
    return Partition(tuple(reversed(starts)), best, True)
