"""Charts of binnings, score distributions, discrimination, calibration and grade migration.

Every function draws on the matplotlib ``ax`` you pass (or on a new figure)
and returns that Axes, so charts compose into your own figures and can be
styled further. matplotlib is an optional dependency (``pip install
"riskkit[plot]"``) imported only when a function is called: ``import
riskkit.plot`` stays cheap and works without it.

Conventions are those of :mod:`riskkit.metrics`: ``y`` is 1 for bad and 0
for good; ``risk`` and ``pd`` are higher for riskier customers. Where a
``risk`` or ``pd`` is expected a :class:`~riskkit.ScoreResult` may be passed,
and its ``pd`` is used; :func:`score_distribution` uses its points, and
:func:`grade_migration` its grades.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from riskkit import plot
>>> ax = plot.roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
>>> ax.get_legend().get_texts()[0].get_text()
'ROC (AUC = 0.750, Gini = 0.500)'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from riskkit.errors import ValidationError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from riskkit.scoring import Binning

__all__ = ["binning", "calibration", "grade_migration", "ks", "roc", "score_distribution"]

_GOOD = "tab:blue"
_BAD = "tab:red"
_INSTALL = 'riskkit.plot needs matplotlib; install it with: pip install "riskkit[plot]"'


def _axes(ax: Any) -> Axes:
    """``ax``, or the Axes of a new figure; the single place matplotlib is imported."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(_INSTALL) from exc
    from matplotlib.axes import Axes

    if ax is None:
        _, ax = plt.subplots(layout="constrained")
        return ax
    if not isinstance(ax, Axes):
        raise ValidationError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}", field="ax")
    return ax


def _is_score_result(x: object) -> bool:
    from riskkit.scoring import ScoreResult

    return isinstance(x, ScoreResult)


def _risk(x: Any) -> Any:
    """A ScoreResult ranks by its PD (higher = riskier); anything else is used as is."""
    return x.pd if _is_score_result(x) else x


def _y_and_risk(y: Any, risk: Any, name: str, *, unit: bool = False) -> tuple[np.ndarray, np.ndarray]:
    from riskkit.metrics import _binary_y, _both_classes, _scores

    yi = _binary_y(y)
    r = _scores(_risk(risk), name, yi.size, unit=unit)
    _both_classes(yi)
    return yi, r


# ---------------------------------------------------------------------------------------------- binning


def _pick_binning(obj: Any, feature: str | None) -> Binning:
    from riskkit.scoring import Binning

    if isinstance(obj, Binning):
        if feature is not None and feature != obj.name:
            raise ValidationError(
                f"feature {feature!r} does not match the binning of {obj.name!r}; leave feature=None "
                "when passing a Binning",
                field="feature",
                value=feature,
            )
        return obj
    binnings = getattr(obj, "binnings_", None)
    if binnings is None:
        what = type(obj).__name__
        hint = (
            "fit it first"
            if hasattr(obj, "fit")
            else "an expert scorecard has no training counts to plot"
            if hasattr(obj, "card")
            else "pass a riskkit.scoring.Binning or a fitted riskkit.Scorecard"
        )
        raise ValidationError(
            f"binning_or_scorecard must be a Binning or a fitted Scorecard, got {what}: {hint}",
            field="binning_or_scorecard",
        )
    selected = tuple(getattr(obj, "selected_features_", ()))
    if feature is None:
        raise ValidationError(
            "feature is required with a scorecard; selected features: " + ", ".join(selected or binnings),
            field="feature",
        )
    if feature not in binnings:
        raise ValidationError(
            f"feature {feature!r} is not a feature of the scorecard; features: {', '.join(binnings)}",
            field="feature",
            value=feature,
        )
    return binnings[feature]


def binning(binning_or_scorecard: Any, feature: str | None = None, ax: Any = None, *, line: str = "event_rate") -> Axes:
    """Rows per bin as bars, with the event rate (or WoE) per bin as a line on a second y axis.

    The regular bins are always drawn; the special and missing bins only when
    they hold training rows.

    Parameters
    ----------
    binning_or_scorecard : riskkit.scoring.Binning or fitted riskkit.Scorecard
    feature : str, optional
        The feature to draw; required with a scorecard (any input feature,
        selected or not), and must match the binning's name otherwise.
    ax : matplotlib Axes, optional
        Where to draw the bars; a new figure when omitted.
    line : {"event_rate", "woe"}, default "event_rate"
        What the line shows.

    Returns
    -------
    matplotlib Axes
        The Axes holding the bars (the line is on its twin, ``ax.figure.axes``).

    Raises
    ------
    ValidationError
        Not a Binning or fitted Scorecard, a missing or unknown ``feature``,
        an unknown ``line``, or ``ax`` not an Axes.
    ImportError
        matplotlib is not installed.
    """
    b = _pick_binning(binning_or_scorecard, feature)
    if line not in ("event_rate", "woe"):
        raise ValidationError(f"line must be 'event_rate' or 'woe', got {line!r}", field="line", value=line)
    ax = _axes(ax)
    keep = np.r_[np.ones(b.n_bins, dtype=bool), b.count[b.n_bins :] > 0]
    labels = [lab for lab, k in zip(b.labels(), keep, strict=True) if k]
    x = np.arange(len(labels))
    ax.bar(x, b.count[keep], color="lightsteelblue", edgecolor="steelblue", label="rows")
    ax.set_xticks(x)
    ax.set_xticklabels(labels, rotation=30 if max(map(len, labels)) > 8 else 0, ha="right")
    ax.set_ylabel("rows")
    ax.set_xlabel("bin")
    twin = ax.twinx()
    values = b.event_rate[keep] if line == "event_rate" else b.woe[keep]
    twin.plot(x, values, color=_BAD, marker="o", label="event rate" if line == "event_rate" else "WoE")
    twin.set_ylabel("event rate (bads / rows)" if line == "event_rate" else "WoE = ln(%good / %bad)")
    if line == "event_rate":
        twin.set_ylim(bottom=0)
    else:
        twin.axhline(0.0, color="grey", linewidth=0.8, linestyle=":")
    ax.set_title(f"{b.name} (IV = {b.iv:.3f})")
    handles = [*ax.get_legend_handles_labels()[0], *twin.get_legend_handles_labels()[0]]
    ax.legend(handles=handles, loc="upper left")
    return ax


# ---------------------------------------------------------------------------------------------- distributions


def score_distribution(scores: Any, y: npt.ArrayLike, bins: int | Sequence[float] = 30, ax: Any = None) -> Axes:
    """Histograms of the scores of goods and of bads, each normalised to its own total.

    Parameters
    ----------
    scores : ScoreResult or array-like of float
        A ScoreResult draws its points (``.score``).
    y : array-like of {0, 1} or bool
        Outcomes, 1 = bad.
    bins : int or sequence of float, default 30
        Number of equal-width bins over the score range, or the bin edges.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Two histograms, labelled with the number of goods and bads.

    Raises
    ------
    ValidationError
        Bad ``y`` or ``scores`` (NaN, lengths differ), only one class, or
        ``bins`` not an int >= 1 or increasing edges.
    """
    from riskkit.metrics import _binary_y, _both_classes, _scores

    yi = _binary_y(y)
    s = _scores(scores.score if _is_score_result(scores) else scores, "scores", yi.size)
    n_bad, n_good = _both_classes(yi)
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer | Sequence | np.ndarray):
        raise ValidationError(f"bins must be an int >= 1 or bin edges, got {bins!r}", field="bins", value=bins)
    if isinstance(bins, int | np.integer):
        if bins < 1:
            raise ValidationError(f"bins must be an int >= 1, got {bins!r}", field="bins", value=bins)
        edges = np.histogram_bin_edges(s, bins=int(bins))
    else:
        try:
            edges = np.asarray(bins, dtype=np.float64)
        except (TypeError, ValueError):
            edges = np.empty(0)
        if edges.ndim != 1 or edges.size < 2 or not np.all(np.diff(edges) > 0):
            raise ValidationError(
                f"bins must be an int >= 1 or at least 2 increasing edges, got {bins!r}", field="bins", value=bins
            )
    ax = _axes(ax)
    ax.hist(s[yi == 0], bins=edges, density=True, alpha=0.5, color=_GOOD, label=f"goods (n={n_good:,})")
    ax.hist(s[yi == 1], bins=edges, density=True, alpha=0.5, color=_BAD, label=f"bads (n={n_bad:,})")
    ax.set_xlabel("score")
    ax.set_ylabel("density")
    ax.set_title("score distribution by outcome")
    ax.legend()
    return ax


# ---------------------------------------------------------------------------------------------- discrimination


def roc(y: npt.ArrayLike, risk: Any, ax: Any = None, *, higher_is_riskier: bool = True) -> Axes:
    """The ROC curve, with its AUC and Gini in the legend and the KS point marked.

    Parameters
    ----------
    y : array-like of {0, 1} or bool
        Outcomes, 1 = bad.
    risk : ScoreResult or array-like of float
        Higher = riskier (a PD) unless ``higher_is_riskier=False``; a
        ScoreResult ranks by its ``pd``.
    ax : matplotlib Axes, optional
    higher_is_riskier : bool, default True
        Pass False for points (higher = safer).

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValidationError
        As :func:`riskkit.metrics.roc_curve`.
    """
    from riskkit.metrics import auc, roc_curve

    yi, r = _y_and_risk(y, risk, "risk")
    fpr, tpr, thresholds = roc_curve(yi, r, higher_is_riskier=higher_is_riskier)
    area = auc(yi, r, higher_is_riskier=higher_is_riskier)
    ax = _axes(ax)
    ax.plot(fpr, tpr, color=_BAD, label=f"ROC (AUC = {area:.3f}, Gini = {2 * area - 1:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=0.8, label="chance")
    k = int(np.argmax(np.abs(tpr - fpr)))
    distance = float(abs(tpr[k] - fpr[k]))
    ax.plot([fpr[k], fpr[k]], [fpr[k], tpr[k]], color="black", linewidth=1.2, label=f"KS = {distance:.3f}")
    ax.plot([fpr[k]], [tpr[k]], marker="o", color="black")
    ax.annotate(
        f"KS = {distance:.3f}\nthreshold {thresholds[k]:.4g}",
        xy=(fpr[k], tpr[k]),
        xytext=(10, -30),
        textcoords="offset points",
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("false positive rate (goods flagged)")
    ax.set_ylabel("true positive rate (bads flagged)")
    ax.set_title("ROC curve")
    ax.legend(loc="lower right")
    return ax


def ks(y: npt.ArrayLike, risk: Any, ax: Any = None) -> Axes:
    """Cumulative distributions of goods and bads over the risk, with the KS distance marked.

    Parameters
    ----------
    y : array-like of {0, 1} or bool
        Outcomes, 1 = bad.
    risk : ScoreResult or array-like of float
        Scores in either direction; a ScoreResult uses its ``pd``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Two step curves and a vertical segment labelled ``KS = ...``, the same
        value as :func:`riskkit.metrics.ks`.

    Raises
    ------
    ValidationError
        As :func:`riskkit.metrics.ks`.
    """
    yi, r = _y_and_risk(y, risk, "risk")
    values, inverse = np.unique(r, return_inverse=True)
    bads = np.bincount(inverse, weights=yi, minlength=values.size)
    goods = np.bincount(inverse, minlength=values.size) - bads
    f_bad = np.cumsum(bads) / bads.sum()
    f_good = np.cumsum(goods) / goods.sum()
    k = int(np.argmax(np.abs(f_bad - f_good)))
    distance = float(abs(f_bad[k] - f_good[k]))
    ax = _axes(ax)
    x = np.r_[values[0], values]
    ax.step(x, np.r_[0.0, f_good], where="post", color=_GOOD, label="goods")
    ax.step(x, np.r_[0.0, f_bad], where="post", color=_BAD, label="bads")
    ax.vlines(values[k], min(f_bad[k], f_good[k]), max(f_bad[k], f_good[k]), color="black",
              label=f"KS = {distance:.3f} at {values[k]:.4g}")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("risk" if not _is_score_result(risk) else "pd")
    ax.set_ylabel("cumulative share")
    ax.set_title("Kolmogorov-Smirnov")
    ax.legend(loc="lower right")
    return ax


# ---------------------------------------------------------------------------------------------- calibration


def calibration(
    y: npt.ArrayLike, pd: Any, n_bins: int = 10, ax: Any = None, *, strategy: str = "quantile"
) -> Axes:
    """Mean predicted PD against the observed default rate, bin by bin, with the diagonal.

    Parameters
    ----------
    y : array-like of {0, 1} or bool
        Outcomes, 1 = bad.
    pd : ScoreResult or array-like of float
        Probabilities of default in ``[0, 1]``; a ScoreResult uses its ``pd``.
    n_bins : int, default 10
    ax : matplotlib Axes, optional
    strategy : {"quantile", "uniform"}, default "quantile"
        As :func:`riskkit.metrics.calibration_table`, which computes the bins.

    Returns
    -------
    matplotlib Axes
        One marker per non-empty bin (sized by its rows) on a line.

    Raises
    ------
    ValidationError
        As :func:`riskkit.metrics.calibration_table`.
    """
    from riskkit.metrics import calibration_table

    table = calibration_table(y, _risk(pd), n_bins=n_bins, strategy=strategy)  # type: ignore[arg-type]
    predicted, observed, count = table["mean_pd"], table["default_rate"], table["count"]
    ax = _axes(ax)
    top = float(max(predicted.max(), observed.max(), 1e-6)) * 1.05
    ax.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=0.8, label="perfect calibration")
    ax.plot(predicted, observed, color=_BAD, marker="o", label=f"observed ({len(table)} bins)")
    ax.scatter(predicted, observed, s=20 + 200 * count / count.max(), color=_BAD, alpha=0.3)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("mean predicted PD")
    ax.set_ylabel("observed default rate")
    ax.set_title("calibration")
    ax.legend(loc="upper left")
    return ax


# ---------------------------------------------------------------------------------------------- migration


def _grades(x: Any, name: str) -> np.ndarray:
    arr = np.asarray(x.grade if _is_score_result(x) else x, dtype=object)
    if arr.ndim != 1:
        raise ValidationError(f"{name} must be 1-D, got shape {arr.shape}", field=name)
    for i, v in enumerate(arr.tolist()):
        if not isinstance(v, str):
            raise ValidationError(
                f"{name} must hold grade labels (str); row {i} is {v!r}", field=name, row=i, value=v
            )
    return arr


def _grade_order(found: set[str], order: Sequence[str] | None) -> list[str]:
    if order is not None:
        if isinstance(order, str) or not all(isinstance(g, str) for g in order) or len(set(order)) != len(order):
            raise ValidationError("order must be a sequence of distinct grade labels (str)", field="order")
        unknown = sorted(found - set(order))
        if unknown:
            raise ValidationError(
                f"grades {unknown} are not in order; order lists: {', '.join(order)}", field="order"
            )
        return list(order)
    from riskkit.scoring import MasterScale

    scale = MasterScale.default().grades
    if found <= set(scale):
        return [g for g in scale if g in found]
    return sorted(found)


def grade_migration(
    grades_before: Any, grades_after: Any, order: Sequence[str] | None = None, ax: Any = None
) -> Axes:
    """A heatmap of how many customers moved from each grade to each other grade between two dates.

    Parameters
    ----------
    grades_before, grades_after : ScoreResult or array-like of str
        Grades of the same customers, row for row, at the earlier and the
        later date; a ScoreResult uses its ``grade``.
    order : sequence of str, optional
        Grades from best to worst; by default the order of the default
        master scale (AAA .. C, D) when every grade is on it, else
        alphabetical, keeping only grades that occur.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        The count matrix (rows: before, columns: after) as an image, every
        cell annotated with its count; the diagonal holds the stable customers.

    Raises
    ------
    ValidationError
        Not 1-D arrays of str of equal length, empty, or a grade missing from ``order``.
    """
    before = _grades(grades_before, "grades_before")
    after = _grades(grades_after, "grades_after")
    if before.size != after.size:
        raise ValidationError(
            f"grades_after has {after.size} values but grades_before has {before.size}; they must match "
            "customer for customer",
            field="grades_after",
        )
    if before.size == 0:
        raise ValidationError("grades_before is empty: nothing to draw", field="grades_before")
    labels = _grade_order(set(before.tolist()) | set(after.tolist()), order)
    index = {g: i for i, g in enumerate(labels)}
    k = len(labels)
    rows = np.fromiter((index[g] for g in before.tolist()), dtype=np.int64, count=before.size)
    cols = np.fromiter((index[g] for g in after.tolist()), dtype=np.int64, count=after.size)
    counts = np.bincount(rows * k + cols, minlength=k * k).reshape(k, k)
    ax = _axes(ax)
    image = ax.imshow(counts, cmap="Blues")
    dark = counts.max() / 2
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(int(counts[i, j])), ha="center", va="center", fontsize=8,
                    color="white" if counts[i, j] > dark else "black")
    ax.set_xticks(np.arange(k))
    ax.set_xticklabels(labels)
    ax.set_yticks(np.arange(k))
    ax.set_yticklabels(labels)
    ax.set_xlabel("grade after")
    ax.set_ylabel("grade before")
    stable = int(np.trace(counts))
    ax.set_title(f"grade migration ({stable:,} of {before.size:,} unchanged)")
    ax.figure.colorbar(image, ax=ax, label="customers")
    return ax
