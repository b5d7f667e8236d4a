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

__all__ = ["binning", "calibration", "grade_migration", "ks", "monitoring", "roc", "score_distribution"]

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


def _pick_binning(obj: Any, feature: str | None) -> Any:
    """The Binning to draw, or the CardFeature of an expert card (points per bin, no training counts)."""
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
    fitted = getattr(obj, "binnings_", None)
    card = getattr(getattr(obj, "card", None), "features", None) if fitted is None else None
    if fitted is None and card is None:
        what = type(obj).__name__
        hint = "fit it first" if hasattr(obj, "fit") else "pass a riskkit.scoring.Binning or a fitted riskkit.Scorecard"
        raise ValidationError(
            f"binning_or_scorecard must be a Binning, a fitted Scorecard or an ExpertScorecard, got {what}: {hint}",
            field="binning_or_scorecard",
        )
    binnings: dict[str, Any] = dict(fitted) if fitted is not None else {f.name: f for f in card or ()}
    selected = tuple(getattr(obj, "selected_features_", ())) if fitted is not None else tuple(binnings)
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


#: Lines a bin label may take under its bar; the rest is cut to "...".
_LABEL_LINES = 4


def _wrap(label: str, width: int, lines: int = _LABEL_LINES) -> str:
    """A bin label wrapped to ``width`` characters a line, breaking at spaces and after "/" first."""
    import textwrap

    # "\0" marks a break allowed after "/" (textwrap breaks only at spaces); it never reaches the chart
    parts = textwrap.wrap(label.replace("/", "/\0 "), width, max_lines=lines, placeholder=" ...",
                          break_on_hyphens=False)
    return "\n".join(p.replace("\0 ", "").replace("\0", "") for p in parts) or label


def _bin_ticks(ax: Axes, labels: list[str]) -> None:
    """Horizontal, wrapped tick labels: a long category name grows the label downwards, not the legend."""
    width = max(12, min(18, 90 // max(len(labels), 1)))
    wrapped = [_wrap(lab, width) for lab in labels]
    ax.set_xticks(np.arange(len(labels)))
    small = len(labels) > 8 or any("\n" in w for w in wrapped)
    ax.set_xticklabels(wrapped, fontsize=8 if small else None)


def _legend_above(ax: Axes, handles: list[Any]) -> None:
    """The legend in one row above the plot, so it never covers a bar or the line."""
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(handles), frameon=False,
              fontsize="small")


def binning(binning_or_scorecard: Any, feature: str | None = None, ax: Any = None, *, line: str = "event_rate") -> Axes:
    """Rows per bin as bars, with the event rate (or WoE) per bin as a line on a second y axis.

    The regular bins are always drawn; the special and missing bins only when
    they hold training rows. An expert card (:class:`riskkit.ExpertScorecard`,
    such as :func:`riskkit.scoring.five_c`) has no training rows: its chart is
    the points of each bin, with the missing bin (the points a missing value
    earns) and the special bin only when the feature has special codes. Long
    bin labels wrap onto several lines under their bar.

    Parameters
    ----------
    binning_or_scorecard : riskkit.scoring.Binning, fitted riskkit.Scorecard or riskkit.ExpertScorecard
    feature : str, optional
        The feature to draw; required with a scorecard (any input feature of
        a fitted one, selected or not), and must match the binning's name otherwise.
    ax : matplotlib Axes, optional
        Where to draw the bars; a new figure when omitted.
    line : {"event_rate", "woe"}, default "event_rate"
        What the line shows (not used for an expert card, which has no outcomes).

    Returns
    -------
    matplotlib Axes
        The Axes holding the bars (the line is on its twin, ``ax.figure.axes``).

    Raises
    ------
    ValidationError
        Not a Binning or a scorecard, an unfitted Scorecard, a missing or
        unknown ``feature``, an unknown ``line``, or ``ax`` not an Axes.
    ImportError
        matplotlib is not installed.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import riskkit
    >>> from riskkit import plot
    >>> ax = plot.binning(riskkit.scoring.five_c(), "payment_index")
    >>> [t.get_text() for t in ax.get_xticklabels()], ax.get_ylabel()
    (['[-inf, 50)', '[50, 65)', '[65, 80)', '[80, inf)', 'Missing'], 'points')
    """
    b = _pick_binning(binning_or_scorecard, feature)
    if line not in ("event_rate", "woe"):
        raise ValidationError(f"line must be 'event_rate' or 'woe', got {line!r}", field="line", value=line)
    from riskkit.scoring import Binning

    if not isinstance(b, Binning):
        return _card_feature(b, _axes(ax))
    ax = _axes(ax)
    keep = np.r_[np.ones(b.n_bins, dtype=bool), b.count[b.n_bins :] > 0]
    labels = [lab for lab, k in zip(b.labels(), keep, strict=True) if k]
    x = np.arange(len(labels))
    ax.bar(x, b.count[keep], color="lightsteelblue", edgecolor="steelblue", label="rows")
    _bin_ticks(ax, labels)
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
    ax.set_title(f"{b.name} (IV = {b.iv:.3f})", pad=22)
    _legend_above(ax, [*ax.get_legend_handles_labels()[0], *twin.get_legend_handles_labels()[0]])
    return ax


def _card_feature(f: Any, ax: Axes) -> Axes:
    """The points per bin of an expert card's feature (:func:`riskkit.scoring._card.shown_bins`)."""
    from riskkit.scoring._card import shown_bins

    keep = shown_bins(f)
    labels = [lab for lab, k in zip(f.labels(), keep.tolist(), strict=True) if k]
    points = np.asarray(f.points)[keep]
    x = np.arange(len(labels))
    bars = ax.bar(x, points, color="lightsteelblue", edgecolor="steelblue", label="points")
    ax.bar_label(bars, labels=[f"{p:g}" for p in points.tolist()], fontsize=8, padding=2)
    _bin_ticks(ax, labels)
    ax.set_ylabel("points")
    ax.set_xlabel("bin")
    ax.set_ylim(top=max(float(points.max()), 1.0) * 1.15)
    ax.set_title(f"{f.name} (expert card: points per bin, best {float(f.points.max()):g})", pad=22)
    _legend_above(ax, ax.get_legend_handles_labels()[0])
    return ax


# ---------------------------------------------------------------------------------------------- distributions


def _edges(s: np.ndarray, bins: Any) -> np.ndarray:
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer | Sequence | np.ndarray):
        raise ValidationError(f"bins must be an int >= 1 or bin edges, got {bins!r}", field="bins", value=bins)
    if isinstance(bins, int | np.integer):
        if bins < 1:
            raise ValidationError(f"bins must be an int >= 1, got {bins!r}", field="bins", value=bins)
        return np.histogram_bin_edges(s, bins=int(bins))
    try:
        edges = np.asarray(bins, dtype=np.float64)
    except (TypeError, ValueError):
        edges = np.empty(0)
    if edges.ndim != 1 or edges.size < 2 or not np.all(np.diff(edges) > 0):
        raise ValidationError(
            f"bins must be an int >= 1 or at least 2 increasing edges, got {bins!r}", field="bins", value=bins
        )
    return edges


def score_distribution(
    scores: Any, y: npt.ArrayLike | None = None, bins: int | Sequence[float] = 30, ax: Any = None
) -> Axes:
    """The distribution of scores: of goods and of bads when outcomes are given, else of the whole book.

    With ``y``, two histograms, each normalised to its own total (a density),
    so a small group of bads compares with a large group of goods. Without
    ``y`` (a book scored today, whose outcomes are not known yet), one
    histogram of the number of customers per score bin.

    Parameters
    ----------
    scores : ScoreResult or array-like of float
        A ScoreResult draws its points (``.score``); its unscored rows (NaN)
        are left out and counted in the legend.
    y : array-like of {0, 1} or bool, optional
        Outcomes, 1 = bad.
    bins : int or sequence of float, default 30
        Number of equal-width bins over the score range, or the bin edges.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Two histograms labelled with the number of goods and bads, or one
        labelled with the number of customers.

    Raises
    ------
    ValidationError
        Bad ``y`` or ``scores`` (NaN with ``y``, lengths differ), only one
        class, no score at all, or ``bins`` not an int >= 1 or increasing edges.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import riskkit
    >>> from riskkit import plot
    >>> from riskkit.datasets import make_portfolio
    >>> book, _ = make_portfolio(200, seed=0)
    >>> result = riskkit.scoring.five_c().score(book.features())
    >>> ax = plot.score_distribution(result)      # no outcomes needed
    >>> [t.get_text() for t in ax.get_legend().get_texts()], ax.get_ylabel()
    (['customers (n=200)'], 'customers')
    """
    from riskkit.metrics import _binary_y, _both_classes, _scores

    values = scores.score if _is_score_result(scores) else scores
    if y is None:
        try:
            raw = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValidationError("scores must be numbers (points)", field="scores") from None
        if raw.ndim != 1:
            raise ValidationError(f"scores must be 1-D, got shape {raw.shape}", field="scores")
        s = raw[np.isfinite(raw)]
        if s.size == 0:
            raise ValidationError("scores holds no score to draw (empty, or every row unscored)", field="scores")
        edges = _edges(s, bins)
        unscored = raw.size - s.size
        ax = _axes(ax)
        note = f", {unscored:,} unscored not shown" if unscored else ""
        ax.hist(s, bins=edges, color=_GOOD, alpha=0.7, edgecolor="white", label=f"customers (n={s.size:,}{note})")
        ax.set_xlabel("score (points)")
        ax.set_ylabel("customers")
        ax.set_title("score distribution")
        ax.legend()
        return ax
    yi = _binary_y(y)
    s = _scores(values, "scores", yi.size)
    n_bad, n_good = _both_classes(yi)
    edges = _edges(s, bins)
    ax = _axes(ax)
    ax.hist(s[yi == 0], bins=edges, density=True, alpha=0.5, color=_GOOD, label=f"goods (n={n_good:,})")
    ax.hist(s[yi == 1], bins=edges, density=True, alpha=0.5, color=_BAD, label=f"bads (n={n_bad:,})")
    ax.set_xlabel("score (points)")
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
    from riskkit.metrics import _ks_cut, auc, roc_curve

    yi, r = _y_and_risk(y, risk, "risk")
    fpr, tpr, _ = roc_curve(yi, r, higher_is_riskier=higher_is_riskier)
    area = auc(yi, r, higher_is_riskier=higher_is_riskier)
    cut = _ks_cut(yi, r, higher_is_riskier=higher_is_riskier)
    ax = _axes(ax)
    ax.plot(fpr, tpr, color=_BAD, label=f"ROC (AUC = {area:.3f}, Gini = {2 * area - 1:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=0.8, label="chance")
    ax.plot([cut.fpr, cut.fpr], [cut.fpr, cut.tpr], color="black", linewidth=1.2, label=f"KS = {cut.statistic:.3f}")
    ax.plot([cut.fpr], [cut.tpr], marker="o", color="black")
    ax.annotate(
        f"KS = {cut.statistic:.3f}\n{_threshold_text(cut.threshold, higher_is_riskier)}",
        xy=(cut.fpr, cut.tpr),
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


def _threshold_text(threshold: float, higher_is_riskier: bool) -> str:
    """How both charts state the KS threshold of :func:`riskkit.metrics.ks_threshold`."""
    return f"threshold {threshold:.4g} (flag {'>=' if higher_is_riskier else '<='})"


def ks(y: npt.ArrayLike, risk: Any, ax: Any = None, *, higher_is_riskier: bool = True) -> Axes:
    """Cumulative distributions of goods and bads over the risk, with the KS distance marked.

    Parameters
    ----------
    y : array-like of {0, 1} or bool
        Outcomes, 1 = bad.
    risk : ScoreResult or array-like of float
        Higher = riskier (a PD) unless ``higher_is_riskier=False``; a
        ScoreResult uses its ``pd``.
    ax : matplotlib Axes, optional
    higher_is_riskier : bool, default True
        Pass False for points (higher = safer); it decides which side of the
        gap is flagged, so the threshold named, not the distance.

    Returns
    -------
    matplotlib Axes
        Two step curves and a vertical segment labelled ``KS = ... at
        threshold ...``: the value of :func:`riskkit.metrics.ks` at the
        threshold of :func:`riskkit.metrics.ks_threshold`, the same as
        :func:`roc` marks. The segment stands at the threshold and measures
        the shares of goods and bads not flagged there.

    Raises
    ------
    ValidationError
        As :func:`riskkit.metrics.ks`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from riskkit import metrics, plot
    >>> y, pd = [0, 0, 0, 1, 0, 1, 1], [0.1, 0.2, 0.3, 0.35, 0.4, 0.6, 0.8]
    >>> plot.ks(y, pd).get_legend().get_texts()[-1].get_text()
    'KS = 0.750 at threshold 0.35 (flag >=)'
    >>> metrics.ks(y, pd), metrics.ks_threshold(y, pd)
    (0.75, 0.35)
    """
    from riskkit.metrics import _ks_cut

    yi, r = _y_and_risk(y, risk, "risk")
    cut = _ks_cut(yi, r, higher_is_riskier=higher_is_riskier)
    values, inverse = np.unique(r, return_inverse=True)
    bads = np.bincount(inverse, weights=yi, minlength=values.size)
    goods = np.bincount(inverse, minlength=values.size) - bads
    f_bad = np.cumsum(bads) / bads.sum()
    f_good = np.cumsum(goods) / goods.sum()
    ax = _axes(ax)
    x = np.r_[values[0], values]
    ax.step(x, np.r_[0.0, f_good], where="post", color=_GOOD, label="goods")
    ax.step(x, np.r_[0.0, f_bad], where="post", color=_BAD, label="bads")
    # the curves' shares at the threshold: below it (not flagged, when higher is riskier) or up to it (flagged points)
    low, high = sorted((1.0 - cut.fpr, 1.0 - cut.tpr) if higher_is_riskier else (cut.fpr, cut.tpr))
    ax.vlines(cut.threshold, low, high, color="black",
              label=f"KS = {cut.statistic:.3f} at {_threshold_text(cut.threshold, higher_is_riskier)}")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("pd" if _is_score_result(risk) else "risk" if higher_is_riskier else "points")
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


# ---------------------------------------------------------------------------------------------- monitoring


def monitoring(report: Any, kind: str = "stability", ax: Any = None) -> Axes:
    """A :class:`~riskkit.metrics.MonitoringReport` over its periods.

    Parameters
    ----------
    report : MonitoringReport
        From :func:`riskkit.metrics.monitor`.
    kind : {"stability", "default_rate"}, default "stability"
        ``"stability"``: the score PSI (thick) and every characteristic's
        PSI (thin) per period, with the amber and red thresholds as dashed
        lines. ``"default_rate"``: the observed default rate and the mean
        PD per period (periods without outcomes have no observed point).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValidationError
        ``report`` is not a MonitoringReport, or an unknown ``kind``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from riskkit import plot
    >>> from riskkit.metrics import monitor
    >>> from riskkit.scoring import ExpertScorecard
    >>> card = ExpertScorecard.from_dict({"features": [
    ...     {"name": "dpd", "bins": [{"below": 31, "points": 600}, {"points": 500}], "missing": 550}]})
    >>> report = monitor(card, {"dpd": [0.0] * 9 + [40.0]}, {"Jan": {"dpd": [0.0] * 8 + [40.0] * 2},
    ...                                                       "Feb": {"dpd": [0.0] * 5 + [40.0] * 5}})
    >>> ax = plot.monitoring(report)
    >>> [line.get_label() for line in ax.get_lines()][:2]
    ['score PSI', 'dpd']
    """
    from riskkit.metrics import MonitoringReport

    if not isinstance(report, MonitoringReport):
        raise ValidationError(
            f"report must be a MonitoringReport (riskkit.metrics.monitor), got {type(report).__name__}",
            field="report",
        )
    if kind not in ("stability", "default_rate"):
        raise ValidationError(
            f"kind must be 'stability' or 'default_rate', got {kind!r}", field="kind", value=kind
        )
    table = report.table()
    x = np.arange(len(report.periods))
    ax = _axes(ax)
    if kind == "stability":
        ax.plot(x, table["score_psi"], color="black", linewidth=2.0, marker="o", label="score PSI")
        characteristics = report.characteristics()
        psi = np.asarray(characteristics["psi"], dtype=np.float64).reshape(len(report.periods), -1)
        for j, name in enumerate(report.features):
            ax.plot(x, psi[:, j], linewidth=0.8, alpha=0.6, label=name)
        amber, red = report.thresholds
        ax.axhline(amber, color="orange", linestyle="--", linewidth=0.8)
        ax.axhline(red, color="red", linestyle="--", linewidth=0.8)
        ax.set_ylabel("population stability index")
        ax.set_title(f"stability against the reference (amber > {amber:g}, red > {red:g})")
    else:
        ax.plot(x, table["mean_pd"], color=_GOOD, marker="o", label="mean PD")
        ax.plot(x, np.asarray(table["default_rate"], dtype=np.float64), color=_BAD, marker="s",
                label="observed default rate")
        ax.set_ylabel("rate")
        ax.set_title("default rate against the PD, per period")
    ax.set_xticks(x)
    ax.set_xticklabels(report.periods)
    ax.set_xlabel("period")
    ax.legend(loc="upper left", fontsize="small")
    return ax
