"""Optimal binning of one feature against a good/bad target: the attributes of a scorecard.

:func:`fit_numeric` and :func:`fit_categorical` return a :class:`Binning`: the
bins, their (weighted) counts, event rates, weights of evidence (WoE) and
information value (IV), and :meth:`Binning.bin_index` to put new values in
those bins. ``Binning.to_dict`` / ``Binning.from_dict`` save and restore it
losslessly as JSON-safe data.

Conventions
-----------
Target
    ``y = 1`` is the event (bad: the customer defaults), ``y = 0`` is good.
WoE and IV
    ``%good = goods in the bin / all goods`` and ``%bad = bads in the bin / all
    bads``, where *all* counts every training row, including the missing and
    special bins. ``WoE = ln(%good / %bad)``, so a higher WoE is a safer bin
    and WoE has the sign of ln(good:bad odds), as in the scorecard scaling of
    docs/domain.md, *Scorecard scaling*. ``IV = sum over bins of (%good - %bad) * WoE``; every term is
    >= 0. With ``sample_weight`` every count is a sum of weights.
Smoothing
    A bin with rows but zero goods or zero bads gets 0.5 added to both its
    counts in the WoE and IV formulas (the reported counts are unchanged).
    The optimiser never builds such a regular bin, so this only happens to
    the special and missing bins, or to the single regular bin left when no
    split is feasible. A bin with no training rows (for instance an unused
    missing bin) gets WoE 0, i.e. the scorer treats it as neutral, and IV 0.
Bin layout
    ``Binning.bin_index`` returns regular bins ``0 .. n_bins - 1``, then the
    special bin ``n_bins`` and the missing bin ``n_bins + 1``. Both are always
    present, also for categorical features (whose special bin stays empty), so
    every per-bin array has length ``n_bins + 2``.
Numeric bins
    Left-closed: with the sorted finite ``splits``, a value's regular bin is
    ``np.searchsorted(splits, x, side="right")``; a value exactly on a split
    goes to the upper bin, ``-inf`` to the first and ``+inf`` to the last
    regular bin. NaN (and None) are missing; a value equal to one of the
    ``special_codes`` goes to the special bin (one bin for all the codes).
Categorical bins
    Values are str; None, NaN and ``pandas.NA`` are missing. Levels whose
    weight share of the non-missing rows is below ``min_category_share``
    (default 0.01) are first pooled into one rare group; the levels and the
    rare group are ordered by event rate and merged into contiguous groups by
    the same optimiser with an ascending trend, so bin 0 has the lowest event
    rate. A level never seen in training gets bin index ``-1``: the scorer
    decides what an unknown level means.

Optimisation
------------
Numeric values that are neither missing nor special are cut into up to
``max_n_prebins`` pre-bins whose split points are actual values (the smallest
value of the upper pre-bin, so the left-closed rule is exact on ties). With
``prebinning="quantile"`` (the default of :func:`fit_numeric`) they are
weighted quantiles, and pre-bins below ``min_prebin_size`` of the weight are
merged into their smaller neighbour. With ``prebinning="cart"`` (the default
of :class:`riskkit.Scorecard`) they are the leaves of a classification tree
on the target grown best-first: each step makes the split with the largest
decrease of weighted Gini impurity among the current leaves, every leaf
keeping at least ``min_prebin_size`` of the weight, until ``max_n_prebins``
leaves or no split lowers the impurity; so the candidate splits sit where the
event rate changes rather than at fixed quantiles (ties in the gain go to the
lower split point, so the result is deterministic).
:func:`riskkit.scoring._binning_dp.optimal_partition`
then merges contiguous pre-bins into the partition of **maximum total IV**
(exact dynamic programming) subject to the event-rate trend, a minimum bin
share ``min_bin_size`` of the non-missing, non-special weight, ``max_n_bins``
and minimum event / non-event counts per bin. With minimum counts of 0 a
bin may be pure (all goods or all bads, as in perfectly separable data); its
WoE is then smoothed by adding 0.5 to both counts, so it stays finite. If no partition satisfies the constraints, the feature gets a single
regular bin.

``monotonic_trend="auto"`` fits "ascending" and "descending" and keeps the one
with the higher IV (ascending on a tie). A "peak" or "valley" replaces it only
when its IV is at least ``AUTO_SHAPE_MIN_GAIN_REL`` (10%) higher *and* at
least ``AUTO_SHAPE_MIN_GAIN_ABS`` (0.02) higher: a U-shaped risk profile must
be clearly there before a scorecard gives up monotonicity, since a
two-sided shape always fits noise at least as well.

Examples
--------
>>> import numpy as np
>>> from riskkit.scoring._binning import fit_numeric
>>> x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, np.nan, np.nan])
>>> y = np.array([0, 0, 0, 1, 0, 1, 1, 1, 0, 1])
>>> b = fit_numeric(x, y, name="days_late", min_bin_size=0.25, min_prebin_size=0.1)
>>> b.splits, b.trend
(array([5.]), 'ascending')
>>> b.labels()
['[-inf, 5.0)', '[5.0, inf)', 'Special', 'Missing']
>>> b.bin_index([4.9, 5.0, np.inf, np.nan]).tolist()
[0, 1, 1, 3]
>>> b.woe.round(4).tolist()
[1.0986, -1.0986, 0.0, 0.0]
"""

from __future__ import annotations

import decimal
import functools
import heapq
import itertools
import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from riskkit._checks import NONE, Integer, Interval, Options, check, is_number, readonly
from riskkit.errors import FormatError, ValidationError
from riskkit.persistence import decode_floats, encode
from riskkit.scoring._binning_dp import Partition, optimal_partition, woe_iv
from riskkit.scoring._params import SHARE, TREND

__all__ = [
    "AUTO_SHAPE_MIN_GAIN_ABS",
    "AUTO_SHAPE_MIN_GAIN_REL",
    "DEFAULT_MIN_CATEGORY_SHARE",
    "PREBINNINGS",
    "TRENDS",
    "Binning",
    "apply_groups",
    "apply_splits",
    "fit_categorical",
    "fit_numeric",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Accepted values of ``monotonic_trend``.
TRENDS: tuple[str | None, ...] = TREND.values
#: Accepted values of ``prebinning`` (:func:`fit_numeric`).
PREBINNINGS: tuple[str, ...] = ("quantile", "cart")
_PREBINNING = Options(*PREBINNINGS)
_MAX_N_PREBINS = Integer(2)
_MAX_N_BINS = Integer(1)
_MIN_COUNT = Interval(float, 0, None)
#: Levels with a smaller share of the non-missing weight are pooled into one rare group.
DEFAULT_MIN_CATEGORY_SHARE = 0.01
#: Under ``"auto"``, a peak or valley must beat the monotonic IV by this relative margin ...
AUTO_SHAPE_MIN_GAIN_REL = 0.10
#: ... and by this absolute margin.
AUTO_SHAPE_MIN_GAIN_ABS = 0.02

#: The ``format`` of a binning document (:meth:`Binning.to_dict`); the name of the module it came from
#: before riskkit.scoring, kept so that documents stay the same.
_FORMAT = "riskkit.binning"
#: Also read: the name written between the move into riskkit.scoring and the restoring of ``_FORMAT``.
_FORMATS_READ = (_FORMAT, "riskkit.scoring._binning")
_FORMAT_VERSION = 1
_KINDS = ("numeric", "categorical")
_MISSING_TYPE_NAMES = frozenset({"NAType", "NaTType"})  # pandas.NA / NaT, without importing pandas
_NUMERIC_TYPES: tuple[type, ...] = (numbers.Real, decimal.Decimal, type(None))


# --------------------------------------------------------------------------- the result


def _readonly_floats(values: Any) -> FloatArray:
    """A read-only float64 copy of ``values`` (never a view of the caller's array)."""
    return readonly(np.array(values, dtype=np.float64))


_ARRAY_EQ = attrs.cmp_using(eq=functools.partial(np.array_equal, equal_nan=True))


@attrs.frozen(unsafe_hash=False, repr=False)
class Binning:
    """The bins of one feature and their training statistics.

    Build one with :func:`fit_numeric`, :func:`fit_categorical` or
    :meth:`from_dict`. Arrays are read-only; the per-bin arrays have length
    ``n_bins + 2`` (regular bins, special, missing).

    Attributes
    ----------
    name : str
        Feature name.
    kind : {"numeric", "categorical"}
    splits : ndarray of float64
        Sorted finite split points of a numeric feature (``n_bins - 1`` of
        them; empty for categorical).
    categories : tuple of tuple of str
        Training levels of each regular bin of a categorical feature, sorted;
        the rare group's members are included (empty for numeric).
    special_codes : tuple of float
        Values sent to the special bin (numeric only).
    trend : str or None
        The event-rate trend the bins were optimised under.
    n_event, n_nonevent, count : ndarray of float64
        (Weighted) bads, goods and rows per bin.
    event_rate : ndarray of float64
        ``n_event / count``; NaN for an empty bin.
    woe, iv_bins : ndarray of float64
        WoE and IV term per bin (see the module conventions).
    iv : float
        Total IV.
    rare_categories : tuple of str
        Levels pooled into the rare group before optimisation.
    """

    name: str
    kind: str
    splits: FloatArray = attrs.field(converter=_readonly_floats, eq=_ARRAY_EQ)
    categories: tuple[tuple[str, ...], ...]
    special_codes: tuple[float, ...]
    trend: str | None
    n_event: FloatArray = attrs.field(converter=_readonly_floats, eq=_ARRAY_EQ)
    n_nonevent: FloatArray = attrs.field(converter=_readonly_floats, eq=_ARRAY_EQ)
    rare_categories: tuple[str, ...] = ()
    count: FloatArray = attrs.field(init=False, eq=False, repr=False)
    event_rate: FloatArray = attrs.field(init=False, eq=False, repr=False)
    woe: FloatArray = attrs.field(init=False, eq=False, repr=False)
    iv_bins: FloatArray = attrs.field(init=False, eq=False, repr=False)
    iv: float = attrs.field(init=False, eq=False, repr=False)
    _lookup: dict[str, int] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        where = f"binning of feature {self.name!r}"
        if self.kind not in _KINDS:
            raise ValidationError(f"{where}: kind must be 'numeric' or 'categorical', got {self.kind!r}")
        if self.splits.ndim != 1 or not np.all(np.isfinite(self.splits)) or np.any(np.diff(self.splits) <= 0):
            raise ValidationError(f"{where}: splits must be finite and strictly increasing")
        if self.kind == "numeric":
            if self.categories:
                raise ValidationError(f"{where}: a numeric binning has no categories")
            n_bins = self.splits.size + 1
        else:
            if self.splits.size or self.special_codes:
                raise ValidationError(f"{where}: a categorical binning has no splits or special codes")
            n_bins = len(self.categories)
            if n_bins < 1:
                raise ValidationError(f"{where}: a categorical binning needs at least one bin")
        levels = [lvl for cats in self.categories for lvl in cats]
        if not all(isinstance(lvl, str) for lvl in levels) or len(set(levels)) != len(levels):
            raise ValidationError(f"{where}: categories must be distinct str levels")
        shape = (n_bins + 2,)
        if self.n_event.shape != shape or self.n_nonevent.shape != shape:
            raise ValidationError(
                f"{where}: n_event and n_nonevent need {n_bins + 2} entries (regular bins, special, missing), "
                f"got {self.n_event.shape} and {self.n_nonevent.shape}"
            )
        if not (np.all(self.n_event >= 0) and np.all(self.n_nonevent >= 0)):
            raise ValidationError(f"{where}: counts must be finite and >= 0")
        total_event = float(self.n_event.sum())
        total_nonevent = float(self.n_nonevent.sum())
        if not (0 < total_event < np.inf and 0 < total_nonevent < np.inf):
            raise ValidationError(f"{where}: needs events and non-events with positive total weight")
        count = self.n_event + self.n_nonevent
        with np.errstate(divide="ignore", invalid="ignore"):
            event_rate = np.where(count > 0, self.n_event / count, np.nan)
        woe, iv_bins = woe_iv(self.n_event, self.n_nonevent, total_event, total_nonevent)
        for attr, arr in (("count", count), ("event_rate", event_rate), ("woe", woe), ("iv_bins", iv_bins)):
            object.__setattr__(self, attr, _readonly_floats(arr))
        object.__setattr__(self, "iv", float(iv_bins.sum()))
        object.__setattr__(
            self, "_lookup", {lvl: b for b, cats in enumerate(self.categories) for lvl in cats}
        )

    @property
    def n_bins(self) -> int:
        """Number of regular bins (the special and missing bins come after them)."""
        return int(self.n_event.size - 2)

    @property
    def special_bin(self) -> int:
        """Index of the special bin (``n_bins``)."""
        return self.n_bins

    @property
    def missing_bin(self) -> int:
        """Index of the missing bin (``n_bins + 1``)."""
        return self.n_bins + 1

    def __repr__(self) -> str:
        return (
            f"Binning(name={self.name!r}, kind={self.kind!r}, n_bins={self.n_bins}, "
            f"trend={self.trend!r}, iv={self.iv:.4f})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # pickle through the lossless document: the copy is validated and its arrays stay read-only
        return (Binning.from_dict, (self.to_dict(),))

    def bin_index(self, x: npt.ArrayLike) -> IntArray:
        """Bin of each value, in the layout of the per-bin arrays.

        Parameters
        ----------
        x : array-like
            Values of the feature (numbers for a numeric binning, str for a
            categorical one; None/NaN are missing).

        Returns
        -------
        ndarray of int64, same shape as ``x``
            ``0 .. n_bins - 1`` for regular bins, ``n_bins`` for special,
            ``n_bins + 1`` for missing, and ``-1`` for a categorical level
            not seen in training. Do not index per-bin arrays with ``-1``
            unchecked: it silently means the missing bin.

        Raises
        ------
        ValidationError
            If the values are of the wrong kind (text for a numeric binning,
            numbers for a categorical one).
        """
        if self.kind == "numeric":
            return _numeric_index(_numeric_values(x, self.name), self.splits, self.special_codes)
        values, missing = _categorical_values(x, self.name)
        return _categorical_index(values, missing, self._lookup, self.n_bins)

    def labels(self) -> list[str]:
        """Human-readable label of every bin, special and missing included.

        Numeric bins read ``"[-inf, 25.0)"``, ``"[25.0, 40.0)"``, ``"[40.0, inf)"``;
        categorical bins list their levels, ``"a, b, c"``.
        """
        if self.kind == "numeric":
            edges = [-math.inf, *self.splits.tolist(), math.inf]
            regular = [f"[{float(lo)!r}, {float(hi)!r})" for lo, hi in itertools.pairwise(edges)]
        else:
            regular = [", ".join(cats) if cats else "(no levels)" for cats in self.categories]
        return [*regular, "Special", "Missing"]

    def _repr_html_(self) -> str:
        """Every bin with its count, event rate, WoE and IV, for notebooks."""
        from riskkit._display import html_table

        # the special and missing bins only when used: special codes declared, or training rows in the bin
        shown = np.r_[np.ones(self.n_bins, dtype=bool), bool(self.special_codes) or self.count[-2] > 0,
                      self.count[-1] > 0]
        rows = [
            [label, int(c) if float(c).is_integer() else float(c), float(r), float(w), float(v)]
            for label, c, r, w, v, keep in zip(
                self.labels(), self.count, self.event_rate, self.woe, self.iv_bins, shown.tolist(), strict=True
            )
            if keep
        ]
        hidden = [label for label, keep in zip(self.labels()[self.n_bins :], shown[self.n_bins :].tolist(),
                                               strict=True) if not keep]
        footer = f"{' and '.join(hidden)} bin{'s' if len(hidden) > 1 else ''} not shown: no training rows" if hidden else ""
        return html_table(
            ["bin", "count", "event rate", "WoE", "IV"],
            rows,
            caption=f"riskkit.scoring.Binning: {self.name} ({self.kind}, IV {self.iv:.4f})",
            digits=4,
            footer=footer,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict that :meth:`from_dict` turns back into an equal Binning.

        Finite floats stay floats (JSON writes them with ``repr``, which round
        trips exactly); infinities and NaN become the strings ``"inf"``,
        ``"-inf"`` and ``"nan"``.
        """
        return {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "name": self.name,
            "kind": self.kind,
            "trend": self.trend,
            "splits": encode(self.splits.tolist()),
            "special_codes": encode(list(self.special_codes)),
            "categories": [list(cats) for cats in self.categories],
            "rare_categories": list(self.rare_categories),
            "n_event": encode(self.n_event.tolist()),
            "n_nonevent": encode(self.n_nonevent.tolist()),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Binning:
        """Rebuild a Binning from :meth:`to_dict` output.

        Raises
        ------
        FormatError
            If ``d`` is not a binning document of a known version or is inconsistent.

        Examples
        --------
        >>> import numpy as np
        >>> b = fit_categorical(np.array(["a", "b", "a", "b", "c", "a"]), [0, 1, 0, 1, 0, 1],
        ...                     name="purpose", min_bin_size=0.3)
        >>> Binning.from_dict(b.to_dict()) == b
        True
        """
        if not isinstance(d, Mapping) or d.get("format") not in _FORMATS_READ:
            raise FormatError(f"not a riskkit binning document (expected format {_FORMAT!r})")
        if d.get("version") != _FORMAT_VERSION:
            raise FormatError(
                f"unsupported binning document version {d.get('version')!r}; this riskkit reads 1"
            )
        try:
            name = d["name"]
            if not isinstance(name, str):
                raise FormatError(f"binning 'name' must be a str, got {type(name).__name__}")
            trend = d["trend"]
            if trend is not None and not isinstance(trend, str):
                raise FormatError(f"binning {name!r}: 'trend' must be a str or null")
            categories = d["categories"]
            if not isinstance(categories, list) or not all(isinstance(c, list) for c in categories):
                raise FormatError(f"binning {name!r}: 'categories' must be a list of lists of str")
            rare = d.get("rare_categories", [])
            if not isinstance(rare, list) or not all(isinstance(r, str) for r in rare):
                raise FormatError(f"binning {name!r}: 'rare_categories' must be a list of str")
            return cls(
                name=name,
                kind=d["kind"],
                splits=decode_floats(d["splits"], f"binning {name!r}: splits"),
                categories=tuple(tuple(c) for c in categories),
                special_codes=tuple(decode_floats(d["special_codes"], f"binning {name!r}: special_codes")),
                trend=trend,
                n_event=decode_floats(d["n_event"], f"binning {name!r}: n_event"),
                n_nonevent=decode_floats(d["n_nonevent"], f"binning {name!r}: n_nonevent"),
                rare_categories=tuple(rare),
            )
        except KeyError as exc:
            raise FormatError(f"binning document lacks the key {exc.args[0]!r}") from None
        except ValidationError as exc:
            raise FormatError(f"inconsistent binning document: {exc}") from None


# --------------------------------------------------------------------------- fitting


def fit_numeric(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    name: str = "x",
    *,
    special_codes: Iterable[float] = (),
    monotonic_trend: str | None = "auto",
    max_n_prebins: int = 20,
    min_prebin_size: float = 0.05,
    min_bin_size: float = 0.05,
    max_n_bins: int | None = None,
    min_bin_n_event: float = 1,
    min_bin_n_nonevent: float = 1,
    sample_weight: npt.ArrayLike | None = None,
    prebinning: str = "quantile",
    candidate_splits: Iterable[float] = (),
    fixed_splits: Iterable[float] = (),
) -> Binning:
    """Optimal IV bins of a numeric feature (see the module docstring for the conventions).

    Parameters
    ----------
    x : array-like of shape (n,)
        Numbers (int, float, bool, Decimal); NaN and None are missing,
        +-inf are allowed. Text is rejected.
    y : array-like of shape (n,)
        1 = event (bad), 0 = good; both must be present.
    name : str
        Feature name, used in messages and kept on the result.
    special_codes : iterable of float
        Values that mean something special (``-999`` = "not reported") and get
        their own bin.
    monotonic_trend : {"auto", "ascending", "descending", "peak", "valley", None}
        Trend of the event rate with ``x``: "ascending" = strictly increasing,
        "peak" = increasing then decreasing, None = unconstrained.
    max_n_prebins : int, default 20
        Number of quantile pre-bins (>= 2).
    min_prebin_size : float in (0, 0.5], default 0.05
        Pre-bins with a smaller share of the non-missing, non-special weight
        are merged into their smaller neighbour.
    min_bin_size : float in (0, 0.5], default 0.05
        Minimum share of the non-missing, non-special weight in each bin.
    max_n_bins : int, optional
        Maximum number of regular bins.
    min_bin_n_event, min_bin_n_nonevent : float, default 1
        Minimum (weighted) bads and goods per regular bin; 0 allows pure bins
        (their WoE is smoothed, see the module docstring).
    sample_weight : array-like of shape (n,), optional
        Non-negative finite row weights; counts become sums of weights. A row
        of weight 0 is left out, exactly as if it were not there.
    prebinning : {"quantile", "cart"}, default "quantile"
        How the pre-bins are cut: weighted quantiles of ``x``, or the leaves
        of a best-first Gini tree on ``y`` (see the module docstring).
    candidate_splits : iterable of float, default ()
        Cut points (an analyst's) the optimiser considers besides its own
        pre-bins: it keeps those that raise the IV within the constraints.
    fixed_splits : iterable of float, default ()
        Cut points every partition keeps; the optimiser may add cuts between
        them. When no partition keeps them all within the trend and size
        constraints, the fixed cuts alone are the bins (``trend`` None).
        Finite numbers; the regular bins are left-closed as always.

    Returns
    -------
    Binning

    Raises
    ------
    ValidationError
        If an input or argument is not acceptable; the message names the feature.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> age = rng.integers(18, 75, 2000).astype(float)
    >>> bad = (rng.random(2000) < np.where(age < 30, 0.4, 0.2)).astype(int)
    >>> b = fit_numeric(age, bad, name="age", special_codes=[-1])
    >>> b.trend, bool(np.all(np.diff(b.event_rate[: b.n_bins]) < 0))
    ('descending', True)
    >>> b.bin_index([17.0, -1.0, np.nan]).tolist() == [0, b.n_bins, b.n_bins + 1]
    True

    Tree pre-bins put the candidate splits where the event rate changes:

    >>> x = np.arange(100.0)
    >>> y = (x >= 37).astype(int); y[[0, 99]] = [1, 0]
    >>> fit_numeric(x, y, max_n_prebins=4).splits.tolist()
    [25.0, 50.0]
    >>> fit_numeric(x, y, max_n_prebins=4, prebinning="cart").splits.tolist()
    [37.0]

    A fixed cut stays, and the optimiser still adds its own:

    >>> x = rng.uniform(0, 100, 2000).round(1)
    >>> y = (rng.random(2000) < x / 100).astype(int)
    >>> splits = fit_numeric(x, y, fixed_splits=[50.05]).splits.tolist()
    >>> 50.05 in splits, len(splits) > 1
    (True, True)
    """
    name = _check_name(name)
    xv = _numeric_values(x, name)
    if xv.ndim != 1:
        raise ValidationError(f"feature {name!r}: x must be 1-D, got shape {xv.shape}", field=name)
    event, weight = _target_and_weight(y, sample_weight, xv.size, name)
    xv, event, weight = _positive_weight(weight, xv, event)
    where = f"feature {name!r}: "
    check("monotonic_trend", monotonic_trend, TREND, where=where)
    check("max_n_prebins", max_n_prebins, _MAX_N_PREBINS, where=where)
    check("min_prebin_size", min_prebin_size, SHARE, where=where)
    check("min_bin_size", min_bin_size, SHARE, where=where)
    check("prebinning", prebinning, _PREBINNING, where=where)
    constraints = _constraints(max_n_bins, min_bin_n_event, min_bin_n_nonevent, name)
    codes = _special_codes(special_codes, name)
    extra = _cut_points(candidate_splits, name, "candidate_splits")
    fixed = _cut_points(fixed_splits, name, "fixed_splits")

    missing = np.isnan(xv)
    regular = ~missing
    if codes:
        regular &= ~np.isin(xv, codes)
    xr, wr, er = xv[regular], weight[regular], event[regular]
    if prebinning == "cart":
        prebin_splits = _tree_prebin_splits(xr, wr, er, max_n_prebins, min_prebin_size)
    else:
        prebin_splits = _prebin_splits(xr, wr, max_n_prebins, min_prebin_size)
    if extra.size or fixed.size:
        prebin_splits = np.union1d(prebin_splits, np.concatenate((extra, fixed)))
    forced = np.searchsorted(prebin_splits, fixed) + 1  # the pre-bin each fixed cut starts
    pre = np.searchsorted(prebin_splits, xr, side="right")
    n_pre = prebin_splits.size + 1
    e_pre, g_pre = _bin_counts(pre, er, wr, n_pre)
    totals = (float(weight @ event), float(weight @ (1.0 - event)))
    min_weight = min_bin_size * float(wr.sum())

    trend, part = _optimise(e_pre, g_pre, totals, monotonic_trend, min_weight, constraints, forced)
    splits = prebin_splits[np.asarray(part.starts, dtype=np.int64) - 1]
    index = _numeric_index(xv, splits, codes)
    n_event, n_nonevent = _bin_counts(index, event, weight, splits.size + 3)
    return Binning(
        name=name,
        kind="numeric",
        splits=splits,
        categories=(),
        special_codes=codes,
        trend=trend,
        n_event=n_event,
        n_nonevent=n_nonevent,
    )


def fit_categorical(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    name: str = "x",
    *,
    min_category_share: float = DEFAULT_MIN_CATEGORY_SHARE,
    max_n_bins: int | None = None,
    min_bin_size: float = 0.05,
    min_bin_n_event: float = 1,
    min_bin_n_nonevent: float = 1,
    max_n_prebins: int = 100,
    sample_weight: npt.ArrayLike | None = None,
) -> Binning:
    """Optimal IV grouping of the levels of a categorical feature.

    Levels rarer than ``min_category_share`` are pooled into one rare group;
    levels and rare group are sorted by event rate (ties by name) and merged
    into contiguous groups of maximum IV under the size constraints, so the
    bins' event rates increase strictly with the bin index.

    Parameters
    ----------
    x : array-like of shape (n,)
        str levels (any unicode, commas allowed); None, NaN and pandas.NA are
        missing. Numbers are rejected: convert codes to str explicitly.
    y : array-like of shape (n,)
        1 = event (bad), 0 = good; both must be present.
    name : str
        Feature name.
    min_category_share : float in [0, 0.5], default 0.01
        Levels with a smaller share of the non-missing weight form the rare group.
    max_n_bins : int, optional
        Maximum number of regular bins.
    min_bin_size : float in (0, 0.5], default 0.05
        Minimum share of the non-missing weight in each bin.
    min_bin_n_event, min_bin_n_nonevent : float, default 1
        Minimum (weighted) bads and goods per regular bin; 0 allows pure bins.
    max_n_prebins : int, default 100
        When more level groups remain (only possible with a small
        ``min_category_share``), neighbours in event-rate order are first
        pooled into this many weighted-quantile groups, bounding the cost.
    sample_weight : array-like of shape (n,), optional
        Non-negative finite row weights.

    Returns
    -------
    Binning

    Raises
    ------
    ValidationError
        If an input or argument is not acceptable; the message names the feature.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array(["car", "car", "tv", "tv", "tv", "boat", "car", None, "tv", "car"], dtype=object)
    >>> y = [1, 1, 0, 0, 1, 1, 0, 0, 0, 1]
    >>> b = fit_categorical(x, y, name="purpose", min_category_share=0.15, min_bin_size=0.2)
    >>> b.categories, b.rare_categories
    ((('tv',), ('boat', 'car')), ('boat',))
    >>> b.labels()
    ['tv', 'boat, car', 'Special', 'Missing']
    >>> b.bin_index(["boat", "yacht", None]).tolist()
    [1, -1, 3]
    """
    name = _check_name(name)
    values, missing = _categorical_values(x, name)
    if values.ndim != 1:
        raise ValidationError(f"feature {name!r}: x must be 1-D, got shape {values.shape}", field=name)
    event, weight = _target_and_weight(y, sample_weight, values.size, name)
    values, missing, event, weight = _positive_weight(weight, values, missing, event)
    where = f"feature {name!r}: "
    check("min_category_share", min_category_share, Interval(float, 0, 0.5), where=where)
    check("min_bin_size", min_bin_size, SHARE, where=where)
    check("max_n_prebins", max_n_prebins, _MAX_N_PREBINS, where=where)
    constraints = _constraints(max_n_bins, min_bin_n_event, min_bin_n_nonevent, name)

    regular = ~missing
    wr, er = weight[regular], event[regular]
    # factorize through a dict: hashing str is much faster than sorting an object array
    regular_values = values[regular].tolist()
    levels = np.array(sorted(map(str, dict.fromkeys(regular_values))), dtype=object)
    position = {lvl: i for i, lvl in enumerate(levels.tolist())}
    level_of_row = np.fromiter(
        map(position.__getitem__, regular_values), dtype=np.int64, count=len(regular_values)
    )
    level_w = np.bincount(level_of_row, weights=wr, minlength=levels.size).astype(np.float64, copy=False)
    w_regular = float(level_w.sum())

    # level groups: every common level alone, all rare levels together
    rare = level_w < min_category_share * w_regular * (1.0 - 1e-12) if levels.size else np.zeros(0, bool)
    groups: list[list[str]] = [[str(lvl)] for lvl in levels[~rare]]
    rare_levels = tuple(str(lvl) for lvl in levels[rare])
    if rare_levels:
        groups.append(list(rare_levels))
    group_of_level = np.empty(levels.size, dtype=np.int64)
    group_of_level[~rare] = np.arange(int((~rare).sum()))
    group_of_level[rare] = len(groups) - 1
    group_of_row = group_of_level[level_of_row]
    n_groups = len(groups)
    ge, gg = _bin_counts(group_of_row, er, wr, n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = ge / (ge + gg)
    order = sorted(range(n_groups), key=lambda k: (math.isnan(rate[k]), np.nan_to_num(rate[k]), groups[k][0]))

    # pre-bins: the groups in event-rate order, pooled into quantiles if there are too many
    sorted_w = (ge + gg)[order]
    cuts = _quantile_cuts(sorted_w, max_n_prebins) if n_groups > max_n_prebins else np.arange(1, n_groups)
    edges = np.concatenate(([0], cuts, [n_groups])).astype(np.int64)
    e_pre = np.add.reduceat(ge[order], edges[:-1]) if n_groups else np.zeros(1)
    g_pre = np.add.reduceat(gg[order], edges[:-1]) if n_groups else np.zeros(1)
    totals = (float(weight @ event), float(weight @ (1.0 - event)))
    _, part = _optimise(e_pre, g_pre, totals, "ascending", min_bin_size * w_regular, constraints)

    bounds = [0, *(int(edges[s]) for s in part.starts), n_groups]
    categories = tuple(
        tuple(sorted(lvl for k in order[lo:hi] for lvl in groups[k])) for lo, hi in itertools.pairwise(bounds)
    )
    lookup = {lvl: b for b, cats in enumerate(categories) for lvl in cats}
    index = _categorical_index(values, missing, lookup, len(categories))
    n_event, n_nonevent = _bin_counts(index, event, weight, len(categories) + 2)
    return Binning(
        name=name,
        kind="categorical",
        splits=np.empty(0),
        categories=categories,
        special_codes=(),
        trend="ascending",
        n_event=n_event,
        n_nonevent=n_nonevent,
        rare_categories=rare_levels,
    )


def apply_splits(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    name: str = "x",
    *,
    splits: Iterable[float],
    special_codes: Iterable[float] = (),
    sample_weight: npt.ArrayLike | None = None,
) -> Binning:
    """The binning of a numeric feature at cut points given by hand, used as they are (no optimisation).

    The bins follow the module conventions (left-closed, then the special and
    missing bins); their counts, WoE and IV come from ``x`` and ``y``. A bin
    without training rows has WoE 0.

    Parameters
    ----------
    x, y, name, special_codes, sample_weight
        As for :func:`fit_numeric`.
    splits : iterable of float
        The cut points: finite numbers (sorted here; a repeated cut counts once).

    Returns
    -------
    Binning
        With ``trend`` None.

    Examples
    --------
    >>> import numpy as np
    >>> age = np.array([21.0, 30, 40, 52, 61, np.nan])
    >>> b = apply_splits(age, [1, 1, 0, 0, 0, 1], name="age", splits=[25, 50])
    >>> b.labels(), b.count.tolist()
    (['[-inf, 25.0)', '[25.0, 50.0)', '[50.0, inf)', 'Special', 'Missing'], [1.0, 2.0, 2.0, 0.0, 1.0])
    """
    name = _check_name(name)
    xv = _numeric_values(x, name)
    if xv.ndim != 1:
        raise ValidationError(f"feature {name!r}: x must be 1-D, got shape {xv.shape}", field=name)
    event, weight = _target_and_weight(y, sample_weight, xv.size, name)
    xv, event, weight = _positive_weight(weight, xv, event)
    codes = _special_codes(special_codes, name)
    cuts = _cut_points(splits, name, "splits")
    index = _numeric_index(xv, cuts, codes)
    n_event, n_nonevent = _bin_counts(index, event, weight, cuts.size + 3)
    return Binning(
        name=name,
        kind="numeric",
        splits=cuts,
        categories=(),
        special_codes=codes,
        trend=None,
        n_event=n_event,
        n_nonevent=n_nonevent,
    )


def apply_groups(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    name: str = "x",
    *,
    groups: Iterable[Iterable[str]],
    sample_weight: npt.ArrayLike | None = None,
) -> Binning:
    """The binning of a categorical feature into groups of levels given by hand (no optimisation).

    Each group is one bin, in the order given, its levels in the order given.
    A level of the training data that no group lists gets a bin of its own,
    after the groups (in name order); a level neither listed nor seen in
    training is unknown at scoring time (bin index ``-1``), as for
    :func:`fit_categorical`.

    Parameters
    ----------
    x, y, name, sample_weight
        As for :func:`fit_categorical`.
    groups : iterable of iterables of str
        The groups of levels; every level in one group at most.

    Returns
    -------
    Binning
        With ``trend`` None and no rare categories.

    Raises
    ------
    ValidationError
        A level that is not a str or is listed twice, or an empty group,
        named with its feature.

    Examples
    --------
    >>> import numpy as np
    >>> purpose = np.array(["car (new)", "car (used)", "tv", "car (new)", "repairs"], dtype=object)
    >>> b = apply_groups(purpose, [1, 1, 0, 0, 1], name="purpose", groups=[["car (new)", "car (used)"]])
    >>> b.labels()
    ['car (new), car (used)', 'repairs', 'tv', 'Special', 'Missing']
    >>> b.bin_index(["car (used)", "boat"]).tolist()
    [0, -1]
    """
    name = _check_name(name)
    values, missing = _categorical_values(x, name)
    if values.ndim != 1:
        raise ValidationError(f"feature {name!r}: x must be 1-D, got shape {values.shape}", field=name)
    event, weight = _target_and_weight(y, sample_weight, values.size, name)
    values, missing, event, weight = _positive_weight(weight, values, missing, event)
    given = _level_groups(groups, name)
    listed = {lvl for group in given for lvl in group}
    seen = sorted(set(values[~missing].tolist()) - listed)
    categories = (*given, *((str(lvl),) for lvl in seen)) or ((),)
    lookup = {lvl: b for b, cats in enumerate(categories) for lvl in cats}
    index = _categorical_index(values, missing, lookup, len(categories))
    n_event, n_nonevent = _bin_counts(index, event, weight, len(categories) + 2)
    return Binning(
        name=name,
        kind="categorical",
        splits=np.empty(0),
        categories=categories,
        special_codes=(),
        trend=None,
        n_event=n_event,
        n_nonevent=n_nonevent,
    )


# --------------------------------------------------------------------------- optimisation


@attrs.frozen
class _Constraints:
    max_n_bins: int | None
    min_bin_n_event: float
    min_bin_n_nonevent: float


def _optimise(
    e_pre: FloatArray,
    g_pre: FloatArray,
    totals: tuple[float, float],
    trend: str | None,
    min_weight: float,
    c: _Constraints,
    forced: IntArray | None = None,
) -> tuple[str | None, Partition]:
    """Solve for ``trend`` ("auto" = the rule in the module docstring).

    Infeasible: one bin, or with ``forced`` boundaries the bins between them (trend None).
    """
    forced_starts = () if forced is None else tuple(sorted(set(forced.tolist())))

    def solve(t: str | None) -> Partition:
        return optimal_partition(
            e_pre,
            g_pre,
            total_event=totals[0],
            total_nonevent=totals[1],
            trend=t,
            min_bin_weight=min_weight,
            min_bin_n_event=c.min_bin_n_event,
            min_bin_n_nonevent=c.min_bin_n_nonevent,
            max_n_bins=c.max_n_bins,
            forced=forced_starts,
        )

    if trend != "auto":
        used, part = trend, solve(trend)
    else:
        asc, desc = solve("ascending"), solve("descending")
        used, part = ("ascending", asc) if asc.iv >= desc.iv else ("descending", desc)
        if part.feasible and e_pre.size >= 3:
            need = max(part.iv * (1.0 + AUTO_SHAPE_MIN_GAIN_REL), part.iv + AUTO_SHAPE_MIN_GAIN_ABS)
            for shape in ("peak", "valley"):
                cand = solve(shape)
                if cand.iv >= need and cand.iv > part.iv:
                    used, part = shape, cand
                    need = cand.iv
    if not part.feasible:
        if forced_starts:
            return None, Partition(forced_starts, -math.inf, False)
        part = Partition((), -math.inf, False)
    return used, part


def _quantile_cuts(weights: FloatArray, n_prebins: int) -> IntArray:
    """Positions ``t`` (0 < t < len) cutting ordered items of ``weights`` into weighted quantiles.

    A cut at ``t`` is the first item whose weight strictly before it reaches
    ``q * total`` for ``q = 1/n, ..., (n-1)/n``.
    """
    total = float(weights.sum())
    if weights.size < 2 or total <= 0:
        return np.zeros(0, dtype=np.int64)
    before = np.cumsum(weights) - weights
    targets = total * np.arange(1, n_prebins) / n_prebins
    t = np.searchsorted(before, targets * (1.0 - 1e-12), side="left")
    return np.unique(t[(t > 0) & (t < weights.size)]).astype(np.int64)


def _prebin_splits(x: FloatArray, w: FloatArray, max_n_prebins: int, min_prebin_size: float) -> FloatArray:
    """Quantile pre-bin split points: actual values of ``x`` (the smallest of each upper pre-bin), finite."""
    if x.size == 0:
        return np.zeros(0)
    uniq, inverse = np.unique(x, return_inverse=True)
    uw = np.bincount(inverse, weights=w, minlength=uniq.size).astype(np.float64, copy=False)
    cuts = _quantile_cuts(uw, max_n_prebins)
    cuts = cuts[np.isfinite(uniq[cuts])]  # +inf can only share the top pre-bin
    total = float(uw.sum())
    if cuts.size == 0 or total <= 0:
        return np.zeros(0)
    cum = np.concatenate(([0.0], np.cumsum(uw)))
    edges = [0, *cuts.tolist(), uniq.size]
    threshold = min_prebin_size * total * (1.0 - 1e-9)
    while len(edges) > 2:
        sizes = cum[edges[1:]] - cum[edges[:-1]]
        k = int(np.argmin(sizes))
        if sizes[k] >= threshold:
            break
        if k == 0:
            del edges[1]
        elif k == sizes.size - 1 or sizes[k - 1] <= sizes[k + 1]:
            del edges[k]  # merge into the left neighbour
        else:
            del edges[k + 1]
    return uniq[edges[1:-1]].astype(np.float64)


def _tree_prebin_splits(
    x: FloatArray, w: FloatArray, e: FloatArray, max_n_prebins: int, min_prebin_size: float
) -> FloatArray:
    """Pre-bin split points from a best-first Gini tree on the target: actual values of ``x``, finite.

    Each step splits the leaf whose best split lowers the weighted Gini
    impurity ``2 * W * p * (1 - p)`` the most; a split point is the smallest
    value of its upper part, and both parts keep at least ``min_prebin_size``
    of the total weight. Stops at ``max_n_prebins`` leaves or when no
    admissible split lowers the impurity.
    """
    if x.size == 0:
        return np.zeros(0)
    uniq, inverse = np.unique(x, return_inverse=True)
    uw = np.bincount(inverse, weights=w, minlength=uniq.size).astype(np.float64, copy=False)
    ue = np.bincount(inverse, weights=w * e, minlength=uniq.size).astype(np.float64, copy=False)
    cw = np.concatenate(([0.0], np.cumsum(uw)))
    ce = np.concatenate(([0.0], np.cumsum(ue)))
    min_leaf = min_prebin_size * float(cw[-1]) * (1.0 - 1e-9)
    splittable = np.isfinite(uniq)  # +inf can only share the top pre-bin

    def impurity(weight: FloatArray, events: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(weight > 0, events / weight, 0.0)
        return 2.0 * weight * rate * (1.0 - rate)

    def best_split(lo: int, hi: int) -> tuple[float, int] | None:
        """Largest impurity decrease over cut positions ``lo < t < hi`` of the unique values."""
        if hi - lo < 2:
            return None
        t = np.arange(lo + 1, hi)
        lw, le = cw[t] - cw[lo], ce[t] - ce[lo]
        rw, re = cw[hi] - cw[t], ce[hi] - ce[t]
        ok = (lw >= min_leaf) & (rw >= min_leaf) & splittable[t]
        if not ok.any():
            return None
        parent = impurity(np.array([cw[hi] - cw[lo]]), np.array([ce[hi] - ce[lo]]))[0]
        gain = np.where(ok, parent - impurity(lw, le) - impurity(rw, re), -np.inf)
        floor = 1e-12 * max(parent, 1e-300)  # gains within rounding error of each other are a tie
        best = float(gain.max())
        if not best > floor:  # a "gain" of rounding error is no split
            return None
        k = int(np.flatnonzero(gain >= best - floor)[0])  # the lowest cut on a tie
        return float(gain[k]), int(t[k])

    candidates: list[tuple[float, int, int, int]] = []  # (-gain, lo, hi, cut), best first
    cuts: list[int] = []

    def consider(lo: int, hi: int) -> None:
        found = best_split(lo, hi)
        if found is not None:
            heapq.heappush(candidates, (-found[0], lo, hi, found[1]))

    consider(0, uniq.size)
    while candidates and len(cuts) + 1 < max_n_prebins:
        _, lo, hi, cut = heapq.heappop(candidates)
        cuts.append(cut)
        consider(lo, cut)
        consider(cut, hi)
    return uniq[np.sort(np.asarray(cuts, dtype=np.int64))].astype(np.float64)


def _bin_counts(
    index: IntArray, event: FloatArray, weight: FloatArray, n: int
) -> tuple[FloatArray, FloatArray]:
    n_event = np.bincount(index, weights=weight * event, minlength=n).astype(np.float64, copy=False)
    n_nonevent = np.bincount(index, weights=weight * (1.0 - event), minlength=n).astype(
        np.float64, copy=False
    )
    return n_event, n_nonevent


# --------------------------------------------------------------------------- indexing


def _numeric_index(xv: FloatArray, splits: FloatArray, codes: tuple[float, ...]) -> IntArray:
    index = np.searchsorted(splits, xv, side="right").astype(np.int64)
    if codes:
        index[np.isin(xv, codes)] = splits.size + 1
    index[np.isnan(xv)] = splits.size + 2
    return index


def _categorical_index(
    values: npt.NDArray[Any], missing: npt.NDArray[np.bool_], lookup: Mapping[str, int], n_bins: int
) -> IntArray:
    flat = values.ravel().tolist()
    index = np.fromiter(map(lookup.get, flat, itertools.repeat(-1)), dtype=np.int64, count=len(flat))
    index = index.reshape(values.shape)
    index[missing] = n_bins + 1
    return index


# --------------------------------------------------------------------------- validation


def _check_name(name: object) -> str:
    if not isinstance(name, str):
        raise ValidationError(f"feature name must be a str, got {type(name).__name__}", field="name")
    return name


def _first_row(flat: list[Any], bad: Iterable[type]) -> tuple[int, Any]:
    bad = tuple(bad)
    for i, v in enumerate(flat):
        if isinstance(v, bad):
            return i, v
    return -1, None  # pragma: no cover - only called when a bad value exists


def _numeric_values(x: npt.ArrayLike, name: str) -> FloatArray:
    """``x`` as float64 (NaN = missing); text, dates and other objects are rejected."""
    arr = np.asarray(x)
    kind = arr.dtype.kind
    if kind in "fiub":
        return arr.astype(np.float64, copy=False)
    if kind == "O":
        flat = arr.ravel().tolist()
        types = set(map(type, flat))
        missing_types = {t for t in types if t.__name__ in _MISSING_TYPE_NAMES}
        bad = {t for t in types - missing_types if not issubclass(t, (*_NUMERIC_TYPES, np.bool_))}
        if not bad:
            if missing_types:
                flat = [math.nan if type(v) in missing_types else v for v in flat]
            try:
                return np.array(flat, dtype=np.float64).reshape(arr.shape)
            except (TypeError, ValueError) as exc:  # pragma: no cover - exotic Real subclasses
                raise ValidationError(
                    f"feature {name!r}: values are not numbers ({exc})", field=name
                ) from None
        row, value = _first_row(flat, bad)
        raise ValidationError(
            f"feature {name!r}: row {row} holds {value!r} ({type(value).__name__}); a numeric feature accepts "
            "int, float, bool or Decimal values, NaN/None for missing, +-inf; bin text with fit_categorical",
            row=row,
            field=name,
            value=value,
        )
    raise ValidationError(
        f"feature {name!r}: values of dtype {arr.dtype} are not numeric; a numeric feature accepts int, float, "
        "bool or Decimal values, NaN/None for missing, +-inf; bin text with fit_categorical",
        field=name,
    )


def _categorical_values(x: npt.ArrayLike, name: str) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]:
    """``x`` as an object array of str and its missing mask (None, NaN, pandas.NA)."""
    arr = np.asarray(x)
    kind = arr.dtype.kind
    if arr.size == 0:
        return np.empty(arr.shape, dtype=object), np.zeros(arr.shape, dtype=bool)
    if kind == "U":
        return arr.astype(object), np.zeros(arr.shape, dtype=bool)
    if kind == "O":
        flat = arr.ravel().tolist()
        types = set(map(type, flat))
        if all(issubclass(t, str) for t in types):
            return arr, np.zeros(arr.shape, dtype=bool)
        missing = np.fromiter((not isinstance(v, str) for v in flat), dtype=bool, count=len(flat))
        for i in np.flatnonzero(missing).tolist():
            v = flat[i]
            if not (
                v is None
                or (isinstance(v, (float, np.floating)) and math.isnan(v))
                or type(v).__name__ in _MISSING_TYPE_NAMES
            ):
                raise ValidationError(
                    f"feature {name!r}: row {i} holds {v!r} ({type(v).__name__}); a categorical feature accepts "
                    "str levels and None/NaN for missing (convert codes to str explicitly)",
                    row=i,
                    field=name,
                    value=v,
                )
        missing = missing.reshape(arr.shape)
        values = arr.copy()
        values[missing] = ""  # placeholder; never looked up
        return values, missing
    if kind == "f" and arr.size and np.isnan(arr).all():
        return np.full(arr.shape, "", dtype=object), np.ones(arr.shape, dtype=bool)
    raise ValidationError(
        f"feature {name!r}: values of dtype {arr.dtype} are not text; a categorical feature accepts str levels "
        "and None/NaN for missing (convert codes to str explicitly)",
        field=name,
    )


def _target_and_weight(
    y: npt.ArrayLike, sample_weight: npt.ArrayLike | None, n: int, name: str
) -> tuple[FloatArray, FloatArray]:
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.size != n:
        raise ValidationError(
            f"feature {name!r}: y must be 1-D with {n} values like x, got shape {arr.shape}", field="y"
        )
    if arr.dtype.kind not in "biuf" and not (
        arr.dtype.kind == "O" and all(isinstance(v, numbers.Real) for v in arr)
    ):
        raise ValidationError(
            f"feature {name!r}: y of dtype {arr.dtype} is not accepted; y must be 0 (good) or 1 (bad)",
            field="y",
        )
    event = arr.astype(np.float64)
    not_binary = (event != 0) & (event != 1)
    if not_binary.any():
        row = int(np.flatnonzero(not_binary)[0])
        raise ValidationError(
            f"feature {name!r}: y must be 0 (good) or 1 (bad); row {row} holds {arr[row]!r}",
            row=row,
            field="y",
            value=arr[row],
        )
    if sample_weight is None:
        weight = np.ones(n)
    else:
        w = np.asarray(sample_weight)
        if w.dtype.kind not in "iuf" or w.ndim != 1 or w.size != n:
            raise ValidationError(
                f"feature {name!r}: sample_weight must be a 1-D numeric array of {n} values, got "
                f"dtype {w.dtype} and shape {w.shape}",
                field="sample_weight",
            )
        weight = w.astype(np.float64)
        bad = ~np.isfinite(weight) | (weight < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValidationError(
                f"feature {name!r}: sample_weight must be finite and >= 0; row {row} holds {weight[row]!r}",
                row=row,
                field="sample_weight",
                value=float(weight[row]),
            )
    n_event, n_nonevent = float(weight @ event), float(weight @ (1.0 - event))
    if n_event <= 0 or n_nonevent <= 0:
        raise ValidationError(
            f"feature {name!r}: y needs both classes with positive weight; got {n_event:g} bad (y=1) "
            f"and {n_nonevent:g} good (y=0)",
            field="y",
        )
    return event, weight


def _positive_weight(weight: FloatArray, *arrays: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], ...]:
    """``arrays`` and ``weight`` without the rows of weight 0: such a row is left out, as if it were not there."""
    keep = weight > 0
    if keep.all():
        return (*arrays, weight)
    return (*(a[keep] for a in arrays), weight[keep])


def _cut_points(values: Iterable[float], name: str, what: str) -> FloatArray:
    """Cut points given by hand as a sorted float64 array without repeats; each a finite number."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValidationError(
            f"feature {name!r}: {what} must be a sequence of numbers, got {values!r}", field=name, value=values
        )
    out = []
    for v in values:
        if not is_number(v) or not math.isfinite(float(v)):
            raise ValidationError(
                f"feature {name!r}: cut {v!r} in {what} is not accepted; cut points are finite numbers",
                field=name,
                value=v,
            )
        out.append(float(v))
    return np.unique(np.asarray(out, dtype=np.float64))


def _level_groups(groups: Iterable[Iterable[str]], name: str) -> tuple[tuple[str, ...], ...]:
    """Groups of levels given by hand, checked: non-empty groups of str, each level in one group."""
    if isinstance(groups, (str, bytes)) or not isinstance(groups, Iterable):
        raise ValidationError(
            f"feature {name!r}: groups must be a list of lists of levels, got {groups!r}", field=name, value=groups
        )
    out: list[tuple[str, ...]] = []
    where: dict[str, int] = {}
    for i, group in enumerate(groups):
        if isinstance(group, (str, bytes)) or not isinstance(group, Iterable):
            raise ValidationError(
                f"feature {name!r}: group {i} is {group!r}; a group is a list of levels, such as [{group!r}]",
                field=name,
                value=group,
            )
        levels = tuple(group)
        if not levels:
            raise ValidationError(f"feature {name!r}: group {i} is empty; a group lists at least one level",
                                  field=name)
        for lvl in levels:
            if not isinstance(lvl, str):
                raise ValidationError(
                    f"feature {name!r}: level {lvl!r} in group {i} is a {type(lvl).__name__}; levels are str",
                    field=name,
                    value=lvl,
                )
            if lvl in where:
                raise ValidationError(
                    f"feature {name!r}: level {lvl!r} is in group {where[lvl]} and in group {i}; "
                    "a level belongs to one group",
                    field=name,
                    value=lvl,
                )
            where[lvl] = i
        out.append(levels)
    return tuple(out)


def _constraints(max_n_bins: object, min_n_event: object, min_n_nonevent: object, name: str) -> _Constraints:
    where = f"feature {name!r}: "
    return _Constraints(
        check("max_n_bins", max_n_bins, _MAX_N_BINS, NONE, where=where),
        check("min_bin_n_event", min_n_event, _MIN_COUNT, where=where),
        check("min_bin_n_nonevent", min_n_nonevent, _MIN_COUNT, where=where),
    )


def _special_codes(codes: Iterable[float], name: str) -> tuple[float, ...]:
    if isinstance(codes, (str, bytes)) or not isinstance(codes, Iterable):
        raise ValidationError(
            f"feature {name!r}: special_codes must be a sequence of numbers, got {codes!r}",
            field="special_codes",
        )
    out = []
    for c in codes:
        if not is_number(c) or math.isnan(float(c)):
            raise ValidationError(
                f"feature {name!r}: special code {c!r} is not accepted; special codes are numbers other than NaN "
                "(NaN is always the missing bin)",
                field="special_codes",
                value=c,
            )
        out.append(float(c))
    return tuple(sorted(set(out)))
