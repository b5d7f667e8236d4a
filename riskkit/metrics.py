"""Model validation: discrimination, calibration and stability, in numpy only.

Conventions, stated once:

* ``y`` is the observed outcome, **1 = bad** (defaulted) and **0 = good**;
  booleans are accepted (``True`` = bad). Any other value, NaN included, is
  a :class:`~riskkit.ValidationError` naming the row.
* Ranking metrics (:func:`auc`, :func:`gini`, :func:`ks`, :func:`ks_threshold`, :func:`roc_curve`)
  take a ``risk`` where **higher is riskier**, such as a PD. For points, where
  higher is safer, pass ``higher_is_riskier=False`` (or the PD instead).
  :func:`validate` ranks by the scorer's PD.
* A NaN in a score or PD is an error that names the argument and the first
  bad row: drop or impute unscored rows first, so a metric never silently
  describes a different population than the one you think.
* Ties count half, as in the Mann-Whitney statistic: equal scores are never
  split by the order of the rows.

Nothing here imports scikit-learn, pandas or scipy.stats; the binomial test
of :func:`calibration_table` imports ``scipy.special`` when called.

Examples
--------
>>> y = [0, 0, 1, 1]
>>> pd = [0.1, 0.4, 0.35, 0.8]
>>> auc(y, pd), gini(y, pd), ks(y, pd)
(0.75, 0.5, 0.5)
>>> round(brier(y, pd), 4)
0.1581
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal, Protocol

import attrs
import numpy as np
import numpy.typing as npt

from riskkit._monitor import MonitoringAlert, MonitoringReport, monitor
from riskkit._numeric import FloatArray, IntArray
from riskkit.errors import SchemaError, ValidationError

__all__ = [
    "MonitoringAlert",
    "MonitoringReport",
    "ValidationReport",
    "ValidationTable",
    "auc",
    "brier",
    "calibration_table",
    "csi",
    "gini",
    "ks",
    "ks_threshold",
    "monitor",
    "psi",
    "roc_curve",
    "validate",
]

#: Floor for bin shares in :func:`psi` / :func:`csi`, so an empty bin costs a finite amount.
PSI_EPSILON = 1e-4


# ---------------------------------------------------------------------------------------------- input checks


def _binary_y(y: npt.ArrayLike, name: str = "y") -> IntArray:
    """``y`` as int64 0/1, or a ValidationError naming the first bad row."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValidationError(f"{name} must be 1-D, got shape {arr.shape}", field=name)
    if arr.dtype == np.bool_:
        return arr.astype(np.int64)
    try:
        f = arr.astype(np.float64)
    except (TypeError, ValueError):
        raise ValidationError(
            f"{name} must hold 0 (good) or 1 (bad/default), got values of type {arr.dtype}", field=name
        ) from None
    bad = ~((f == 0) | (f == 1))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        k = int(bad.sum())
        value = arr[row].item() if isinstance(arr[row], np.generic) else arr[row]
        raise ValidationError(
            f"{name} must hold only 0 (good) or 1 (bad/default); row {row} is {value!r} "
            f"({k} bad row{'s' if k > 1 else ''})",
            field=name,
            row=row,
            value=value,
        )
    return f.astype(np.int64)


def _both_classes(yi: IntArray, name: str = "y") -> tuple[int, int]:
    n_bad = int(yi.sum())
    n_good = int(yi.size - n_bad)
    if n_bad == 0 or n_good == 0:
        only = "empty" if yi.size == 0 else ("only goods (0)" if n_bad == 0 else "only bads (1)")
        raise ValidationError(f"{name} has {only}: this metric needs both goods (0) and bads (1)", field=name)
    return n_bad, n_good


def _scores(x: npt.ArrayLike, name: str, n: int | None, *, unit: bool = False) -> FloatArray:
    """``x`` as 1-D float64 of length ``n`` without NaN (and in [0, 1] when ``unit``)."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be numbers", field=name) from None
    if arr.ndim != 1:
        raise ValidationError(f"{name} must be 1-D, got shape {arr.shape}", field=name)
    if n is not None and arr.size != n:
        raise ValidationError(
            f"{name} has {arr.size} values but y has {n}; they must match row for row", field=name
        )
    nan = np.isnan(arr)
    if nan.any():
        row = int(np.flatnonzero(nan)[0])
        k = int(nan.sum())
        raise ValidationError(
            f"{name} has NaN in {k} row{'s' if k > 1 else ''} (first: row {row}); drop or impute unscored rows "
            "before validating",
            field=name,
            row=row,
        )
    if unit:
        out = (arr < 0) | (arr > 1)
        if out.any():
            row = int(np.flatnonzero(out)[0])
            raise ValidationError(
                f"{name} must be probabilities in [0, 1]; row {row} is {float(arr[row])!r}",
                field=name,
                row=row,
                value=float(arr[row]),
            )
    return arr


def _grouped(yi: IntArray, risk: FloatArray) -> tuple[FloatArray, IntArray, IntArray]:
    """Distinct risk values (increasing) with the number of bads and goods at each."""
    values, inverse = np.unique(risk, return_inverse=True)
    bads = np.bincount(inverse, weights=yi, minlength=values.size).astype(np.int64)
    total = np.bincount(inverse, minlength=values.size).astype(np.int64)
    return values, bads, total - bads


def _weights(sample_weight: npt.ArrayLike, n: int) -> FloatArray:
    """``sample_weight`` as float64 of ``n`` finite values >= 0, not all 0."""
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError("sample_weight must be numbers", field="sample_weight") from None
    if w.ndim != 1 or w.size != n:
        raise ValidationError(
            f"sample_weight must be 1-D with one weight per row of y ({n}), got shape {w.shape}",
            field="sample_weight",
        )
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValidationError(
            f"sample_weight must be finite and >= 0; row {row} is {float(w[row])!r}",
            field="sample_weight",
            row=row,
            value=float(w[row]),
        )
    if n and not (w > 0).any():
        raise ValidationError("sample_weight is 0 in every row", field="sample_weight")
    return w


def _weighted_rows(
    yi: IntArray, values: tuple[np.ndarray, ...], sample_weight: npt.ArrayLike | None
) -> tuple[IntArray, tuple[np.ndarray, ...], FloatArray | None]:
    """The rows of positive weight and their weights scaled to a mean of 1.

    A row of weight 0 is left out, exactly as if it were not there; weights
    that are all equal give None: the unweighted metric, bit for bit.
    """
    if sample_weight is None:
        return yi, values, None
    w = _weights(sample_weight, yi.size)
    keep = w > 0
    if not keep.all():
        yi, values, w = yi[keep], tuple(v[keep] for v in values), w[keep]
    if w.size == 0 or np.all(w == w[0]):
        return yi, values, None
    return yi, values, w / w.mean()


def _weighted_grouped(yi: IntArray, risk: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Distinct risk values (increasing) with the weight of bads and of goods at each."""
    values, inverse = np.unique(risk, return_inverse=True)
    bads = np.bincount(inverse, weights=w * yi, minlength=values.size).astype(np.float64, copy=False)
    goods = np.bincount(inverse, weights=w * (1 - yi), minlength=values.size).astype(np.float64, copy=False)
    return values, bads, goods


def _weighted_auc(yi: IntArray, r: FloatArray, w: FloatArray) -> float:
    """The weighted Mann-Whitney AUC of ``r`` (higher = riskier): pairs weigh the product of their weights."""
    _both_classes(yi)
    _, bads, goods = _weighted_grouped(yi, r, w)
    goods_below = np.cumsum(goods) - goods
    return float(np.dot(bads, 2.0 * goods_below + goods) / (2.0 * bads.sum() * goods.sum()))


def _weighted_ks(yi: IntArray, r: FloatArray, w: FloatArray) -> tuple[float, float]:
    """The weighted KS statistic of ``r`` (higher = riskier) and the risk at which it is reached."""
    _both_classes(yi)
    values, bads, goods = _weighted_grouped(yi, r, w)
    tpr = np.cumsum(bads[::-1]) / bads.sum()
    fpr = np.cumsum(goods[::-1]) / goods.sum()
    gap = np.abs(tpr - fpr)
    k = int(np.argmax(gap))
    return float(gap[k]), float(values[::-1][k])


# ---------------------------------------------------------------------------------------------- discrimination


def auc(
    y: npt.ArrayLike,
    risk: npt.ArrayLike,
    *,
    higher_is_riskier: bool = True,
    sample_weight: npt.ArrayLike | None = None,
) -> float:
    """Area under the ROC curve: the probability that a random bad is riskier than a random good.

    Computed exactly (integer counts) as the Mann-Whitney statistic; a bad and
    a good with equal risk count one half.

    Parameters
    ----------
    y : array-like of {0, 1} or bool
        Outcomes, 1 = bad.
    risk : array-like of float
        Scores, higher = riskier (a PD) unless ``higher_is_riskier=False``.
    higher_is_riskier : bool, default True
        Pass False for points (higher = safer).
    sample_weight : array-like of float, optional
        A weight >= 0 per row: a pair of a bad and a good counts the product
        of their weights. A row of weight 0 is left out; equal weights give
        the unweighted AUC.

    Returns
    -------
    float
        In ``[0, 1]``; 0.5 is no better than chance.

    Raises
    ------
    ValidationError
        ``y`` not 0/1, only one class, lengths differ, or NaN in ``risk``.

    Examples
    --------
    >>> auc([0, 1, 0, 1], [0.2, 0.2, 0.1, 0.9])
    0.875
    >>> auc([0, 1, 0, 1], [620, 620, 650, 540], higher_is_riskier=False)
    0.875
    >>> auc([0, 1, 0, 1, 1], [0.2, 0.2, 0.1, 0.9, 0.05], sample_weight=[2, 2, 2, 2, 0])
    0.875
    """
    yi = _binary_y(y)
    r = _scores(risk, "risk", yi.size)
    yi, (r,), w = _weighted_rows(yi, (r,), sample_weight)
    if w is not None:
        return _weighted_auc(yi, r if higher_is_riskier else -r, w)
    n_bad, n_good = _both_classes(yi)
    _, bads, goods = _grouped(yi, r if higher_is_riskier else -r)
    goods_below = np.cumsum(goods) - goods
    # 2U in integers: each bad beats the goods strictly below it and ties with the goods at its value
    twice_u = int(np.dot(bads, 2 * goods_below + goods))
    return twice_u / (2 * n_bad * n_good)


def gini(
    y: npt.ArrayLike,
    risk: npt.ArrayLike,
    *,
    higher_is_riskier: bool = True,
    sample_weight: npt.ArrayLike | None = None,
) -> float:
    """Gini coefficient (accuracy ratio, Somers' D): ``2 * auc - 1``.

    Parameters are as for :func:`auc`.

    Examples
    --------
    >>> gini([0, 1, 0, 1], [0.2, 0.2, 0.1, 0.9])
    0.75
    """
    return 2.0 * auc(y, risk, higher_is_riskier=higher_is_riskier, sample_weight=sample_weight) - 1.0


def ks(y: npt.ArrayLike, risk: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = None) -> float:
    """Kolmogorov-Smirnov statistic: the largest gap between the score distributions of bads and goods.

    ``max |F_bad(t) - F_good(t)|`` over all thresholds ``t``, where ``F`` is
    the empirical cumulative distribution; rows with equal risk move together
    (a threshold never splits a tie). The statistic does not change when the
    score is reversed, so it has no ``higher_is_riskier``.

    Parameters
    ----------
    y : array-like of {0, 1} or bool
        Outcomes, 1 = bad.
    risk : array-like of float
        Scores (either direction).

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    ValidationError
        ``y`` not 0/1, only one class, lengths differ, or NaN in ``risk``.

    Examples
    --------
    >>> ks([0, 0, 1, 1], [1, 2, 3, 4])
    1.0
    >>> ks([0, 0, 1, 1], [1, 3, 3, 4])
    0.5

    With ``sample_weight`` (a weight >= 0 per row) the distributions are
    weighted; a row of weight 0 is left out, equal weights change nothing:

    >>> ks([0, 0, 1, 1], [1, 3, 3, 4], sample_weight=[3, 1, 1, 1])
    0.75
    """
    yi = _binary_y(y)
    r = _scores(risk, "risk", yi.size)
    yi, (r,), w = _weighted_rows(yi, (r,), sample_weight)
    if w is not None:
        return _weighted_ks(yi, r, w)[0]
    return _ks_cut(yi, r, higher_is_riskier=True).statistic


@attrs.frozen
class _KSCut:
    """Where the KS gap is reached: the cut that flags ``risk >= threshold`` (``<=`` for points)."""

    statistic: float
    threshold: float
    fpr: float  # share of goods flagged at the threshold
    tpr: float  # share of bads flagged at the threshold


def _ks_cut(yi: IntArray, r: FloatArray, *, higher_is_riskier: bool) -> _KSCut:
    """The one KS cut behind :func:`ks`, :func:`ks_threshold` and the charts of :mod:`riskkit.plot`.

    Walks the distinct values from the riskiest down, as :func:`roc_curve`
    does; of equal gaps the strictest threshold (fewest rows flagged) wins.
    """
    n_bad, n_good = _both_classes(yi)
    sign = 1.0 if higher_is_riskier else -1.0
    values, bads, goods = _grouped(yi, sign * r)
    tps = np.cumsum(bads[::-1])
    fps = np.cumsum(goods[::-1])
    # the gap times n_bad * n_good, in integers: equal gaps compare equal, so ties break the same way every time
    gap = np.abs(tps * n_good - fps * n_bad)
    k = int(np.argmax(gap))
    return _KSCut(
        int(gap[k]) / (n_bad * n_good), float(sign * values[::-1][k]), int(fps[k]) / n_good, int(tps[k]) / n_bad
    )


def ks_threshold(y: npt.ArrayLike, risk: npt.ArrayLike, *, higher_is_riskier: bool = True) -> float:
    """The risk value at which the Kolmogorov-Smirnov gap of :func:`ks` is reached.

    Flagging every row whose risk is ``>= threshold`` (``<= threshold`` for
    points, ``higher_is_riskier=False``) flags ``tpr`` of the bads and ``fpr``
    of the goods with ``|tpr - fpr| == ks(y, risk)``: the threshold is a
    decision rule ("flag a PD of at least 0.29"), stated as
    :func:`roc_curve` states its thresholds, and always a value of ``risk``.
    :func:`riskkit.plot.ks` and :func:`riskkit.plot.roc` mark this threshold.
    Of several cuts with the same gap, the strictest (fewest rows flagged).

    Parameters
    ----------
    y : array-like of {0, 1} or bool
        Outcomes, 1 = bad.
    risk : array-like of float
        Scores, higher = riskier (a PD) unless ``higher_is_riskier=False``.
    higher_is_riskier : bool, default True
        Pass False for points (higher = safer).

    Returns
    -------
    float
        A value of ``risk``.

    Raises
    ------
    ValidationError
        ``y`` not 0/1, only one class, lengths differ, or NaN in ``risk``.

    Examples
    --------
    >>> y = [0, 0, 0, 1, 0, 1, 1]
    >>> pd = [0.1, 0.2, 0.3, 0.35, 0.4, 0.6, 0.8]
    >>> ks(y, pd), ks_threshold(y, pd)      # flag pd >= 0.35: all 3 bads, 1 good in 4
    (0.75, 0.35)
    >>> ks_threshold(y, [90, 80, 70, 65, 60, 40, 20], higher_is_riskier=False)  # flag points <= 65
    65.0
    """
    yi = _binary_y(y)
    r = _scores(risk, "risk", yi.size)
    return _ks_cut(yi, r, higher_is_riskier=higher_is_riskier).threshold


def roc_curve(
    y: npt.ArrayLike, risk: npt.ArrayLike, *, higher_is_riskier: bool = True, drop_intermediate: bool = True
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ROC curve points for plotting: false and true positive rates per threshold.

    A row is flagged bad when its risk is ``>= threshold`` (``<= threshold``
    when ``higher_is_riskier=False``). The first point is ``(0, 0)`` with an
    infinite threshold (``-inf`` for points). Matches
    ``sklearn.metrics.roc_curve`` with ``pos_label=1``.

    Parameters
    ----------
    y : array-like of {0, 1} or bool
        Outcomes, 1 = bad.
    risk : array-like of float
        Scores, higher = riskier unless ``higher_is_riskier=False``.
    higher_is_riskier : bool, default True
        Pass False for points (higher = safer).
    drop_intermediate : bool, default True
        Drop thresholds on straight segments of the curve (the curve and its
        area do not change).

    Returns
    -------
    fpr, tpr, thresholds : ndarray of float64
        Share of goods and of bads flagged at each threshold; thresholds run
        from the strictest to the loosest.

    Examples
    --------
    >>> fpr, tpr, thr = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr.tolist(), tpr.tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    >>> thr.tolist()
    [inf, 0.8, 0.4, 0.35, 0.1]
    """
    yi = _binary_y(y)
    r = _scores(risk, "risk", yi.size)
    n_bad, n_good = _both_classes(yi)
    sign = 1.0 if higher_is_riskier else -1.0
    values, bads, goods = _grouped(yi, sign * r)
    # strictest threshold first: walk the distinct values from the riskiest down
    tps = np.cumsum(bads[::-1])
    fps = np.cumsum(goods[::-1])
    thresholds = sign * values[::-1]
    if drop_intermediate and fps.size > 2:
        keep = np.flatnonzero(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])
        tps, fps, thresholds = tps[keep], fps[keep], thresholds[keep]
    fpr = np.r_[0.0, fps / n_good]
    tpr = np.r_[0.0, tps / n_bad]
    return fpr, tpr, np.r_[sign * np.inf, thresholds]


# ---------------------------------------------------------------------------------------------- calibration


def brier(y: npt.ArrayLike, pd: npt.ArrayLike) -> float:
    """Brier score: mean squared difference between the PD and the outcome (lower is better).

    Defined for a single class too (e.g. a sample with no defaults).

    Parameters
    ----------
    y : array-like of {0, 1} or bool
        Outcomes, 1 = bad.
    pd : array-like of float
        Probabilities of default in ``[0, 1]``.

    Raises
    ------
    ValidationError
        ``y`` not 0/1 or empty, lengths differ, or ``pd`` NaN or outside ``[0, 1]``.

    Examples
    --------
    >>> brier([0, 1], [0.1, 0.7])
    0.05
    """
    yi = _binary_y(y)
    p = _scores(pd, "pd", yi.size, unit=True)
    if yi.size == 0:
        raise ValidationError("y is empty: the Brier score needs at least one row", field="y")
    return float(np.mean((p - yi) ** 2))


def _as_columns(columns: Mapping[str, Any]) -> Mapping[str, np.ndarray]:
    out = {}
    for name, values in columns.items():
        arr = np.array(values, copy=True)
        arr.setflags(write=False)
        out[str(name)] = arr
    return MappingProxyType(out)


def _json_value(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


@attrs.frozen(eq=False)
class ValidationTable:
    """A small read-only table of named columns (calibration bins, grades).

    Index by column name for an array; iterate for one dict per row.

    Attributes
    ----------
    title : str
        What the table shows.
    columns : Mapping[str, ndarray]
        Read-only columns of equal length, in display order.

    Examples
    --------
    >>> t = ValidationTable("demo", {"grade": ["A", "B"], "count": [3, 4]})
    >>> len(t), t.names
    (2, ('grade', 'count'))
    >>> t["count"].tolist()
    [3, 4]
    >>> t.rows()[1]
    {'grade': 'B', 'count': 4}
    """

    title: str
    columns: Mapping[str, np.ndarray] = attrs.field(converter=_as_columns)

    def __attrs_post_init__(self) -> None:
        lengths = {name: len(col) for name, col in self.columns.items()}
        if len(set(lengths.values())) > 1:
            raise ValidationError(f"table columns differ in length: {lengths}", field="columns")

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in display order."""
        return tuple(self.columns)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self.columns[name]
        except KeyError:
            raise SchemaError(
                f"no column {name!r} in {self.title!r}; columns: {', '.join(self.names)}"
            ) from None

    def rows(self) -> list[dict[str, Any]]:
        """One dict per row, with plain Python values."""
        lists = [col.tolist() for col in self.columns.values()]
        return [dict(zip(self.names, values, strict=True)) for values in zip(*lists, strict=True)]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows())

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``{"title": ..., "columns": {name: list}}`` with NaN and infinities as ``None``."""
        return {
            "title": self.title,
            "columns": {name: [_json_value(v) for v in col.tolist()] for name, col in self.columns.items()},
        }

    def __repr__(self) -> str:
        from riskkit._display import text_table

        return f"{self.title}\n" + text_table(self.names, [list(r.values()) for r in self.rows()], digits=4)

    def _repr_html_(self) -> str:
        from riskkit._display import html_table

        return html_table(self.names, [list(r.values()) for r in self.rows()], caption=self.title, digits=4)


def calibration_table(
    y: npt.ArrayLike,
    pd: npt.ArrayLike,
    n_bins: int = 10,
    strategy: Literal["quantile", "uniform"] = "quantile",
    *,
    sample_weight: npt.ArrayLike | None = None,
) -> ValidationTable:
    """Predicted against observed default rates, bin by bin, with a binomial test.

    Bins are closed on the right (``lower < pd <= upper``; the first also
    includes its lower edge). ``"quantile"`` bins hold about equal numbers of
    rows (edges from the PD quantiles; repeated edges merge, so heavily tied
    PDs give fewer bins); ``"uniform"`` splits ``[0, 1]`` into equal widths.
    Empty bins are left out.

    Parameters
    ----------
    y : array-like of {0, 1} or bool
        Outcomes, 1 = bad.
    pd : array-like of float
        Probabilities of default in ``[0, 1]``.
    n_bins : int, default 10
        Number of bins (at most).
    strategy : {"quantile", "uniform"}, default "quantile"
    sample_weight : array-like of float, optional
        A weight >= 0 per row. The quantiles, counts, bads, expected bads and
        variances are weighted, with the weights scaled to a mean of 1 (so
        ``count`` is in rows, as floats); the binomial test takes the count
        and bads rounded to whole rows. A row of weight 0 is left out; equal
        weights give the unweighted table.

    Returns
    -------
    ValidationTable
        Columns ``bin`` (from 1), ``lower``, ``upper``, ``count``, ``bads``,
        ``mean_pd``, ``default_rate``, ``expected_bads`` (sum of PDs),
        ``z`` = (bads - expected_bads) / sqrt(sum pd (1 - pd)) (signed, normal
        approximation; ``±inf`` when the PDs are all 0 or 1 and disagree with
        the outcomes) and ``p_value``, the exact one-sided binomial probability
        of at least ``bads`` defaults among ``count`` rows at ``mean_pd``: a
        small value says the PDs underestimate the risk.

    Raises
    ------
    ValidationError
        Bad ``y`` or ``pd`` (see :func:`brier`), ``n_bins`` not a positive
        integer, or an unknown ``strategy``.

    Examples
    --------
    >>> t = calibration_table([0, 0, 1, 0, 1, 1], [0.1, 0.1, 0.2, 0.6, 0.7, 0.9], n_bins=2)
    >>> t["count"].tolist(), t["bads"].tolist()
    ([3, 3], [1, 2])
    >>> t["mean_pd"].round(4).tolist(), t["default_rate"].round(4).tolist()
    ([0.1333, 0.7333], [0.3333, 0.6667])
    >>> t["upper"].tolist()
    [0.4, 0.9]
    """
    yi = _binary_y(y)
    p = _scores(pd, "pd", yi.size, unit=True)
    if yi.size == 0:
        raise ValidationError("y is empty: a calibration table needs at least one row", field="y")
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValidationError(f"n_bins must be an integer >= 1, got {n_bins!r}", field="n_bins", value=n_bins)
    yi, (p,), w = _weighted_rows(yi, (p,), sample_weight)
    if strategy == "quantile" and w is not None:
        order = np.argsort(p, kind="stable")
        before = np.cumsum(w[order]) - w[order]  # weight strictly below each sorted PD
        at = np.searchsorted(before, np.linspace(0.0, 1.0, int(n_bins) + 1) * float(w.sum()), side="right") - 1
        edges = np.unique(np.r_[p[order][np.clip(at, 0, p.size - 1)], p.min(), p.max()])
    elif strategy == "quantile":
        edges = np.unique(np.quantile(p, np.linspace(0.0, 1.0, int(n_bins) + 1)))
    elif strategy == "uniform":
        edges = np.linspace(0.0, 1.0, int(n_bins) + 1)
    else:
        raise ValidationError(
            f"strategy must be 'quantile' or 'uniform', got {strategy!r}", field="strategy", value=strategy
        )
    k = max(edges.size - 1, 1)
    idx = np.searchsorted(edges[1:-1], p, side="left")
    if w is None:
        count = np.bincount(idx, minlength=k)
        bads = np.bincount(idx, weights=yi, minlength=k).astype(np.int64)
        expected = np.bincount(idx, weights=p, minlength=k)
        variance = np.bincount(idx, weights=p * (1.0 - p), minlength=k)
    else:
        count = np.bincount(idx, weights=w, minlength=k)
        bads = np.bincount(idx, weights=w * yi, minlength=k)
        expected = np.bincount(idx, weights=w * p, minlength=k)
        variance = np.bincount(idx, weights=w * p * (1.0 - p), minlength=k)
    lower = edges[:-1] if edges.size > 1 else edges
    upper = edges[1:] if edges.size > 1 else edges
    keep = count > 0
    count, bads, expected, variance = count[keep], bads[keep], expected[keep], variance[keep]
    lower, upper = lower[keep], upper[keep]
    mean_pd = expected / count
    diff = bads - expected
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(variance > 0, diff / np.sqrt(variance), np.sign(diff) * np.inf)
    z = np.where((variance == 0) & (np.abs(diff) < 1e-12), 0.0, z)

    from scipy.special import bdtrc  # the binomial tail; scipy only when a table is asked for

    # bdtrc(k, n, p) = P(X > k), so P(X >= bads) = bdtrc(bads - 1, n, p); P(X >= 0) = 1
    n_rows, n_bads = (count, bads) if w is None else (np.rint(count), np.rint(bads))
    n_rows, n_bads = n_rows.astype(np.int64), n_bads.astype(np.int64)  # scipy deprecates a float n
    p_value = np.where(n_bads > 0, bdtrc(np.maximum(n_bads - 1, 0), n_rows, np.clip(mean_pd, 0.0, 1.0)), 1.0)
    return ValidationTable(
        "calibration",
        {
            "bin": np.arange(1, count.size + 1),
            "lower": lower,
            "upper": upper,
            "count": count.astype(np.int64) if w is None else count,
            "bads": bads,
            "mean_pd": mean_pd,
            "default_rate": bads / count,
            "expected_bads": expected,
            "z": z,
            "p_value": p_value,
        },
    )


# ---------------------------------------------------------------------------------------------- stability


def _sample(x: npt.ArrayLike, name: str, missing: str) -> FloatArray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be numbers (NaN for missing)", field=name) from None
    if arr.ndim != 1:
        raise ValidationError(f"{name} must be 1-D, got shape {arr.shape}", field=name)
    if arr.size == 0:
        raise ValidationError(f"{name} is empty", field=name)
    if missing == "raise" and np.isnan(arr).any():
        row = int(np.flatnonzero(np.isnan(arr))[0])
        raise ValidationError(
            f"{name} has NaN (first: row {row}); drop them or pass missing='bin' to count them as a bin",
            field=name,
            row=row,
        )
    return arr


def _psi_from_counts(e: FloatArray, a: FloatArray, epsilon: float) -> float:
    es = np.maximum(e / e.sum(), epsilon)
    as_ = np.maximum(a / a.sum(), epsilon)
    return float(np.sum((as_ - es) * np.log(as_ / es)))


def psi(
    expected: npt.ArrayLike,
    actual: npt.ArrayLike,
    bins: int | Sequence[float] = 10,
    *,
    counts: bool = False,
    epsilon: float = PSI_EPSILON,
    missing: Literal["raise", "bin"] = "raise",
) -> float:
    """Population stability index of a score between a reference and a recent sample.

    ``PSI = sum over bins of (a_i - e_i) * ln(a_i / e_i)``, with ``e_i`` and
    ``a_i`` the shares of the expected (reference, e.g. development) and
    actual (recent) samples in bin ``i``. A common reading: below 0.1
    stable, 0.1-0.25 worth a look, above 0.25 shifted.

    Bins come from the *expected* sample's quantiles (repeated quantiles merge,
    so a heavily tied score gets fewer bins); they are closed on the right and
    the outer bins are open-ended, so every actual value falls in a bin. A bin
    empty in either sample would make the logarithm infinite: each share is
    floored at ``epsilon`` (``max(share, epsilon)``, not renormalised).

    Parameters
    ----------
    expected, actual : array-like of float
        The two samples of the score; or, with ``counts=True``, the number (or
        share) of rows in each bin, same length, in the same bin order.
    bins : int or sequence of float, default 10
        Number of quantile bins of ``expected``, or the increasing cut points
        ``c``: bins ``(-inf, c[0]], (c[0], c[1]], ..., (c[-1], inf)``. Ignored
        with ``counts=True``.
    counts : bool, default False
        ``expected`` and ``actual`` are already bin counts.
    epsilon : float, default 1e-4
        Floor for a bin's share.
    missing : {"raise", "bin"}, default "raise"
        NaN in either sample is an error, or counted in a bin of its own.

    Returns
    -------
    float
        ``>= 0``; 0 when the binned distributions are equal.

    Raises
    ------
    ValidationError
        Empty samples, NaN with ``missing="raise"``, bad ``bins``, or counts
        that are negative, of different lengths or summing to 0.

    Examples
    --------
    Four equal bins, 5 % of the rows moving from the first to the second:

    >>> round(psi([25, 25, 25, 25], [20, 30, 25, 25], counts=True), 6)
    0.020273
    >>> import numpy as np
    >>> ref = np.arange(1000.0)
    >>> psi(ref, ref)
    0.0
    >>> round(psi(ref, ref + 100), 4)
    0.7594
    """
    if isinstance(epsilon, bool) or not isinstance(epsilon, int | float) or not 0 < epsilon < 1:
        raise ValidationError(f"epsilon must be in (0, 1), got {epsilon!r}", field="epsilon", value=epsilon)
    if counts:
        e = _counts(expected, "expected")
        a = _counts(actual, "actual")
        if e.size != a.size:
            raise ValidationError(
                f"expected has {e.size} bins but actual has {a.size}; bin counts must align", field="actual"
            )
        return _psi_from_counts(e, a, float(epsilon))
    if missing not in ("raise", "bin"):
        raise ValidationError(f"missing must be 'raise' or 'bin', got {missing!r}", field="missing")
    ex = _sample(expected, "expected", missing)
    ac = _sample(actual, "actual", missing)
    cuts = _cuts(ex[~np.isnan(ex)], bins)
    n_bins = cuts.size + 1
    ec = _bin_counts(ex, cuts, n_bins)
    acc = _bin_counts(ac, cuts, n_bins)
    if ec[-1] == 0 and acc[-1] == 0:  # no NaN on either side: drop the missing bin
        ec, acc = ec[:-1], acc[:-1]
    return _psi_from_counts(ec, acc, float(epsilon))


def _counts(x: npt.ArrayLike, name: str) -> FloatArray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} bin counts must be numbers", field=name) from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValidationError(f"{name} bin counts must be a non-empty 1-D array", field=name)
    if not np.isfinite(arr).all() or (arr < 0).any() or arr.sum() <= 0:
        raise ValidationError(
            f"{name} bin counts must be finite, >= 0 and not all 0, got {arr.tolist()}", field=name
        )
    return arr


def _cuts(reference: FloatArray, bins: int | Sequence[float]) -> FloatArray:
    if isinstance(bins, bool):
        raise ValidationError(f"bins must be an integer >= 1 or cut points, got {bins!r}", field="bins")
    if isinstance(bins, int | np.integer):
        if bins < 1:
            raise ValidationError(f"bins must be >= 1, got {bins}", field="bins", value=bins)
        if reference.size == 0:
            return np.empty(0)
        return np.unique(np.quantile(reference, np.linspace(0.0, 1.0, int(bins) + 1)))[1:-1]
    try:
        cuts = np.asarray(bins, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(
            f"bins must be an integer or a sequence of cut points, got {bins!r}", field="bins"
        ) from None
    if cuts.ndim != 1 or not np.isfinite(cuts).all() or (np.diff(cuts) <= 0).any():
        raise ValidationError(
            f"cut points in bins must be finite and strictly increasing, got {cuts.tolist()}", field="bins"
        )
    return cuts


def _bin_counts(x: FloatArray, cuts: FloatArray, n_bins: int) -> FloatArray:
    """Counts per bin, plus a last slot for NaN."""
    nan = np.isnan(x)
    idx = np.searchsorted(cuts, x[~nan], side="left")
    out = np.bincount(idx, minlength=n_bins).astype(np.float64)
    return np.r_[out, float(nan.sum())]


def _frame_names(frame: Any, name: str) -> tuple[str, ...]:
    if hasattr(frame, "names"):
        return tuple(frame.names)
    if isinstance(frame, Mapping):
        return tuple(frame)
    raise ValidationError(
        f"{name} must be a FeatureFrame or a mapping of feature name -> values, got {type(frame).__name__}",
        field=name,
    )


def csi(
    expected_frame: Any,
    actual_frame: Any,
    bins: int | Sequence[float] = 10,
    *,
    epsilon: float = PSI_EPSILON,
    missing: Literal["raise", "bin"] = "bin",
) -> dict[str, float]:
    """Characteristic stability index: :func:`psi` of every feature between two samples.

    Features often have missing values, so by default NaN counts as a bin of
    its own (``missing="bin"``); a shift in how often a feature is missing is
    itself a shift worth seeing.

    Parameters
    ----------
    expected_frame, actual_frame : FeatureFrame or Mapping[str, array-like]
        The reference and the recent features. Every feature of
        ``expected_frame`` must be in ``actual_frame``; extra features in
        ``actual_frame`` are ignored.
    bins, epsilon, missing
        As for :func:`psi`, applied to each feature.

    Returns
    -------
    dict of str to float
        Feature name -> index, in ``expected_frame``'s order.

    Raises
    ------
    SchemaError
        A feature of ``expected_frame`` is missing from ``actual_frame``.
    ValidationError
        As for :func:`psi`, naming the feature.

    Examples
    --------
    >>> import numpy as np
    >>> ref = {"dso": np.arange(100.0), "wadl": np.r_[np.zeros(50), np.full(50, np.nan)]}
    >>> new = {"dso": np.arange(100.0), "wadl": np.zeros(100)}
    >>> {k: round(v, 4) for k, v in csi(ref, new).items()}
    {'dso': 0.0, 'wadl': 4.6043}
    """
    names = _frame_names(expected_frame, "expected_frame")
    available = set(_frame_names(actual_frame, "actual_frame"))
    absent = [n for n in names if n not in available]
    if absent:
        raise SchemaError(
            f"actual_frame lacks feature(s) {absent} present in expected_frame; "
            f"it has: {', '.join(sorted(available))}"
        )
    out: dict[str, float] = {}
    for n in names:
        try:
            out[n] = psi(expected_frame[n], actual_frame[n], bins, epsilon=epsilon, missing=missing)
        except ValidationError as e:
            raise ValidationError(f"feature {n!r}: {e}", field=n) from e
    return out


# ---------------------------------------------------------------------------------------------- report


class _ScoreResultLike(Protocol):
    score: Any
    pd: Any
    grade: Any


def _summary_rows(r: ValidationReport) -> list[list[Any]]:
    return [
        ["rows", r.n],
        ["bads", r.n_bad],
        ["default rate", r.default_rate],
        ["mean pd", r.mean_pd],
        ["AUC", r.auc],
        ["Gini", r.gini],
        ["KS", r.ks],
        ["KS threshold (flag pd >=)", r.ks_threshold],
        ["Brier", r.brier],
    ]


@attrs.frozen(eq=False)
class ValidationReport:
    """How well a scorer separates and calibrates, on one labelled sample.

    Built by :func:`validate`. Discrimination metrics rank by the scorer's PD.

    Attributes
    ----------
    n, n_bad : int
        Rows and bads (``y == 1``).
    default_rate, mean_pd : float
        Observed default rate and mean predicted PD.
    auc, gini, ks, brier : float
        See :func:`auc`, :func:`gini`, :func:`ks`, :func:`brier`.
    calibration : ValidationTable
        :func:`calibration_table` of the PDs.
    grades : ValidationTable
        Per grade, best first (by mean PD; ungraded ``""`` last): ``grade``,
        ``count``, ``share``, ``bads``, ``default_rate``, ``mean_pd``.
    ks_threshold : float
        The PD at which the KS gap is reached (:func:`ks_threshold`): flagging
        every PD at least this high separates bads from goods by ``ks``.
    """

    n: int
    n_bad: int
    default_rate: float
    mean_pd: float
    auc: float
    gini: float
    ks: float
    brier: float
    calibration: ValidationTable
    grades: ValidationTable
    ks_threshold: float = math.nan

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the metrics, and each table as ``{"title", "columns"}``."""
        return {
            "n": self.n,
            "n_bad": self.n_bad,
            "default_rate": self.default_rate,
            "mean_pd": self.mean_pd,
            "auc": self.auc,
            "gini": self.gini,
            "ks": self.ks,
            "ks_threshold": _json_value(self.ks_threshold),
            "brier": self.brier,
            "calibration": self.calibration.to_dict(),
            "grades": self.grades.to_dict(),
        }

    def __repr__(self) -> str:
        return (
            f"ValidationReport(n={self.n}, n_bad={self.n_bad}, auc={self.auc:.4f}, gini={self.gini:.4f}, "
            f"ks={self.ks:.4f}, brier={self.brier:.4f})"
        )

    def _repr_html_(self) -> str:
        from riskkit._display import html_table

        return (
            html_table(["metric", "value"], _summary_rows(self), caption="riskkit.ValidationReport", digits=4)
            + self.grades._repr_html_()
            + self.calibration._repr_html_()
        )


def _grade_table(yi: IntArray, pd: FloatArray, grade: np.ndarray, w: FloatArray | None = None) -> ValidationTable:
    labels, inverse = np.unique(grade.astype(str), return_inverse=True)
    k = labels.size
    if w is None:
        count = np.bincount(inverse, minlength=k)
        bads = np.bincount(inverse, weights=yi, minlength=k).astype(np.int64)
        mean_pd = np.bincount(inverse, weights=pd, minlength=k) / count
    else:  # weights scaled to a mean of 1: counts in rows, as floats
        count = np.bincount(inverse, weights=w, minlength=k)
        bads = np.bincount(inverse, weights=w * yi, minlength=k)
        mean_pd = np.bincount(inverse, weights=w * pd, minlength=k) / count
    # best grade first without knowing the scale: by mean PD; the ungraded "" last
    order = np.lexsort((labels, mean_pd, labels == ""))
    return ValidationTable(
        "grades",
        {
            "grade": labels[order].astype(object),
            "count": count[order].astype(np.int64) if w is None else count[order],
            "share": count[order] / yi.size,
            "bads": bads[order],
            "default_rate": bads[order] / count[order],
            "mean_pd": mean_pd[order],
        },
    )


def validate(
    scorer: Any,
    X: Any,
    y: npt.ArrayLike,
    *,
    n_bins: int = 10,
    strategy: Literal["quantile", "uniform"] = "quantile",
    sample_weight: npt.ArrayLike | None = None,
) -> ValidationReport:
    """Score ``X`` with ``scorer`` and measure the result against the outcomes ``y``.

    Parameters
    ----------
    scorer : object with ``score(X)``
        Anything whose ``score(X)`` returns an object with ``score`` (points,
        higher = safer), ``pd`` and ``grade`` arrays, one row per row of ``X``
        (a :class:`riskkit.scoring.ScoreResult`, for instance).
    X : any
        Passed to ``scorer.score`` unchanged.
    y : array-like of {0, 1} or bool
        Observed outcomes, 1 = bad, one per row of ``X``.
    n_bins, strategy
        For the :func:`calibration_table`.
    sample_weight : array-like of float, optional
        A weight >= 0 per row of ``X``: every metric and table is weighted
        (:func:`auc`, :func:`ks`, :func:`calibration_table`; the default
        rate, mean PD, Brier score and grade table too). ``n`` and ``n_bad``
        count the rows of positive weight. A row of weight 0 is left out;
        equal weights give the unweighted report.

    Returns
    -------
    ValidationReport

    Raises
    ------
    ValidationError
        The result lacks ``score`` / ``pd`` / ``grade`` or has the wrong
        length, NaN PDs (unscored rows), ``y`` not 0/1 or a single class.

    Examples
    --------
    >>> import numpy as np
    >>> class Fixed:  # a stand-in scorer: the PD is the only feature
    ...     def score(self, X):
    ...         pd = np.asarray(X, dtype=float)
    ...         grade = np.where(pd < 0.3, "A", "B")
    ...         return type("R", (), {"score": 600 - 100 * pd, "pd": pd, "grade": grade})()
    >>> report = validate(Fixed(), [0.1, 0.2, 0.4, 0.25, 0.7, 0.9], [0, 0, 1, 0, 1, 0], n_bins=2)
    >>> report
    ValidationReport(n=6, n_bad=2, auc=0.7500, gini=0.5000, ks=0.7500, brier=0.2288)
    >>> report.grades["grade"].tolist(), report.grades["bads"].tolist()
    (['A', 'B'], [0, 2])
    """
    yi = _binary_y(y)
    result: _ScoreResultLike = scorer.score(X)
    missing = [a for a in ("score", "pd", "grade") if not hasattr(result, a)]
    if missing:
        raise ValidationError(
            f"scorer.score(X) returned {type(result).__name__} without {missing}; expected an object with "
            "score, pd and grade arrays",
            field="scorer",
        )
    p = _scores(result.pd, "pd", yi.size, unit=True)
    for name in ("score", "grade"):  # not measured (the PD is), but must describe the same rows
        shape = np.shape(getattr(result, name))
        if shape != (yi.size,):
            raise ValidationError(f"{name} has shape {shape} but y has {yi.size} rows", field=name)
    if sample_weight is not None:
        return _weighted_report(yi, p, np.asarray(result.grade), sample_weight, n_bins, strategy)
    grade = np.asarray(result.grade)
    n_bad, _ = _both_classes(yi)
    cut = _ks_cut(yi, p, higher_is_riskier=True)
    return ValidationReport(
        n=int(yi.size),
        n_bad=n_bad,
        default_rate=n_bad / yi.size,
        mean_pd=float(p.mean()),
        auc=auc(yi, p),
        gini=gini(yi, p),
        ks=cut.statistic,
        brier=brier(yi, p),
        calibration=calibration_table(yi, p, n_bins=n_bins, strategy=strategy),
        grades=_grade_table(yi, p, grade),
        ks_threshold=cut.threshold,
    )


def _weighted_report(
    yi: IntArray,
    p: FloatArray,
    grade: np.ndarray,
    sample_weight: npt.ArrayLike,
    n_bins: int,
    strategy: Literal["quantile", "uniform"],
) -> ValidationReport:
    """:func:`validate` with weights: the rows of positive weight, each metric weighted."""
    yi, (p, grade), w = _weighted_rows(yi, (p, grade), sample_weight)
    n_bad, _ = _both_classes(yi)
    if w is None:
        cut = _ks_cut(yi, p, higher_is_riskier=True)
        ks_stat, threshold = cut.statistic, cut.threshold
        default_rate, mean_pd, brier_score = n_bad / yi.size, float(p.mean()), brier(yi, p)
    else:
        ks_stat, threshold = _weighted_ks(yi, p, w)
        default_rate = float(np.dot(w, yi) / w.sum())
        mean_pd = float(np.dot(w, p) / w.sum())
        brier_score = float(np.dot(w, (p - yi) ** 2) / w.sum())
    area = auc(yi, p) if w is None else _weighted_auc(yi, p, w)
    return ValidationReport(
        n=int(yi.size),
        n_bad=n_bad,
        default_rate=default_rate,
        mean_pd=mean_pd,
        auc=area,
        gini=2.0 * area - 1.0,
        ks=ks_stat,
        brier=brier_score,
        calibration=calibration_table(yi, p, n_bins=n_bins, strategy=strategy, sample_weight=w),
        grades=_grade_table(yi, p, grade, w),
        ks_threshold=threshold,
    )
