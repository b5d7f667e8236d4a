"""Monitoring a scorecard in production, period by period: stability, default rates, discrimination, alerts.

:func:`monitor` scores a reference sample (the development sample, or the
first months in production) and each later period with the same scorer and
compares them. Per period it reports:

* the **population stability index** (:func:`riskkit.metrics.psi`) of the
  score against the reference, on the reference's score **deciles** by
  default (the ten quantile bins :func:`~riskkit.metrics.psi` uses), or on
  the master scale's **grades** (``score_bins="grades"``); rows without a
  score count in a bin of their own;
* the **characteristic stability index** of every feature of a card, on the
  card's own bins (its regular bins, the special and the missing bin): the
  bins whose points make the score, so a shift shows where the points moved;
* when the period's outcomes have arrived (``y``): bads, default rate, AUC,
  Gini and KS of the PD, and per grade the observed default rate against
  the grade's PD band on the master scale (docs/domain.md, *Grades, limits
  and terms*), with the one-sided binomial probability of a rate that far
  outside the band;
* **alerts**, as traffic lights: ``"amber"`` for a PSI above 0.1 and
  ``"red"`` above 0.25 (the common reading: below 0.1 stable, 0.1-0.25 worth
  a look, above 0.25 shifted; ``thresholds=`` changes them), and for a
  grade whose default rate is outside its PD band by more than chance
  explains, as a backtest traffic light does: ``"amber"`` when the one-sided
  binomial probability of a rate that far beyond the band's edge is below
  5%, ``"red"`` below 1% (``significance=``). A few rows outside their band
  (no default among 2 rows of a 0.25-0.75% grade) are shown
  (``in_band`` False) but raise no alert. The default grade (D) and
  unscored rows have no band.

The result, :class:`MonitoringReport`, gives a table with one row per period
(:meth:`~MonitoringReport.table`), the characteristics and grades in detail,
the alerts and HTML (``to_html``, and in a notebook); :func:`riskkit.plot.monitoring`
draws it (a chart is an interface, layer L4, so the report has no ``plot``
method of its own: ``riskkit.metrics`` never imports matplotlib or ``riskkit.plot``).

Everything is computed over whole columns: each sample is scored once and
binned by ``bincount``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np

from riskkit.errors import SchemaError, ValidationError

__all__ = ["MonitoringAlert", "MonitoringReport", "monitor"]

#: PSI above the first is amber, above the second red.
DEFAULT_THRESHOLDS = (0.1, 0.25)
#: Traffic lights, mildest first.
STATUSES = ("green", "amber", "red")
_COLOURS = {"amber": "#ffe8a3", "red": "#f6b2b2"}


# ---------------------------------------------------------------------------------------------- result


@attrs.frozen
class MonitoringAlert:
    """One alert of a monitoring run.

    Attributes
    ----------
    period : str
        The period's label.
    kind : {"score_psi", "characteristic_psi", "grade_default_rate"}
    subject : str
        ``"score"``, the feature's name or the grade.
    value : float
        The PSI, or the grade's observed default rate.
    threshold : float
        The PSI threshold crossed, or the edge of the grade's PD band.
    status : {"amber", "red"}
    message : str
        The alert in words.
    """

    period: str
    kind: str
    subject: str
    value: float
    threshold: float
    status: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Plain values (JSON-safe)."""
        return attrs.asdict(self)


def _table(title: str, columns: dict[str, Any]) -> Any:
    from riskkit.metrics import ValidationTable

    return ValidationTable(title, columns)


def _worst(statuses: Sequence[str]) -> str:
    return STATUSES[max((STATUSES.index(s) for s in statuses), default=0)]


@attrs.frozen(eq=False)
class MonitoringReport:
    """What :func:`monitor` found, period by period.

    Attributes
    ----------
    periods : tuple of str
        Period labels, in the order given.
    features : tuple of str
        The card's features whose stability is measured (empty for a
        scorer without a card).
    score_bins : {"deciles", "grades"}
        The bins of the score PSI.
    thresholds : tuple of float
        The PSI above which an index is amber, and red.
    alerts : tuple of MonitoringAlert
        Every alert, period by period.
    """

    periods: tuple[str, ...]
    features: tuple[str, ...]
    score_bins: str
    thresholds: tuple[float, float]
    alerts: tuple[MonitoringAlert, ...]
    _rows: dict[str, np.ndarray] = attrs.field(alias="rows", repr=False)
    _csi: np.ndarray = attrs.field(alias="csi", repr=False)  # periods x features
    _grades: dict[str, np.ndarray] = attrs.field(alias="grades", repr=False)

    def _status_of(self, value: float) -> str:
        if value > self.thresholds[1]:
            return "red"
        return "amber" if value > self.thresholds[0] else "green"

    def table(self) -> Any:
        """One row per period.

        Returns
        -------
        riskkit.metrics.ValidationTable
            Columns ``period``, ``n``, ``mean_score``, ``mean_pd``,
            ``score_psi``, ``worst_feature`` and ``worst_csi`` (the least
            stable characteristic), ``n_bad``, ``default_rate``, ``auc``,
            ``gini``, ``ks`` (NaN until the period's outcomes arrive, or with
            one class only), ``alerts`` (how many) and ``status``, the worst
            traffic light of the period's alerts (``"green"`` without any).
        """
        return _table("monitoring", dict(self._rows))

    def characteristics(self) -> Any:
        """The stability index of every characteristic in every period, on the card's bins.

        Returns
        -------
        riskkit.metrics.ValidationTable
            Columns ``period``, ``feature``, ``psi``, ``status``; periods in
            order, features in card order.
        """
        k = len(self.features)
        values = self._csi.reshape(-1)
        return _table(
            "characteristic stability",
            {
                "period": np.repeat(np.array(self.periods, dtype=object), k),
                "feature": np.tile(np.array(self.features, dtype=object), len(self.periods)),
                "psi": values,
                "status": np.array([self._status_of(float(v)) for v in values], dtype=object),
            },
        )

    def grades(self) -> Any:
        """Per period and grade: rows, default rate and the grade's PD band.

        Returns
        -------
        riskkit.metrics.ValidationTable
            Columns ``period``, ``grade``, ``count``, ``share``, ``mean_pd``,
            ``n_bad`` and ``default_rate`` (NaN without outcomes),
            ``pd_lower`` and ``pd_upper`` (the band; NaN for the default
            grade and the ungraded ``""``), ``in_band`` (the default rate
            is within the band, or unknown), ``p_value`` (one-sided binomial
            probability of a default rate at least that far beyond the band
            edge it crosses; 1 inside the band) and ``status``. Grades best
            first, as on the master scale; only grades with rows.
        """
        return _table("grades", dict(self._grades))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the settings, the three tables as ``{"title", "columns"}`` and the alerts."""
        return {
            "periods": list(self.periods),
            "features": list(self.features),
            "score_bins": self.score_bins,
            "thresholds": list(self.thresholds),
            "table": self.table().to_dict(),
            "characteristics": self.characteristics().to_dict(),
            "grades": self.grades().to_dict(),
            "alerts": [a.to_dict() for a in self.alerts],
        }

    def __repr__(self) -> str:
        counts = {s: sum(a.status == s for a in self.alerts) for s in ("red", "amber")}
        return (
            f"MonitoringReport({len(self.periods)} periods, {len(self.features)} characteristics, "
            f"alerts: {counts['red']} red, {counts['amber']} amber)"
        )

    def to_html(self) -> str:
        """One HTML fragment: the period table, the alerts, characteristic stability and grades.

        Traffic-light cells are shaded; every value is escaped.
        """
        from riskkit._display import html_table

        def shaded(fragment: str) -> str:
            for status, colour in _COLOURS.items():
                fragment = fragment.replace(
                    f"<td>{status}</td>", f'<td style="background:{colour}">{status}</td>'
                )
            return fragment

        t = self.table()
        parts = [
            shaded(html_table(t.names, [list(r.values()) for r in t.rows()], caption=repr(self), digits=4))
        ]
        if self.alerts:
            rows = [
                [a.period, a.status, a.kind, a.subject, a.value, a.threshold, a.message] for a in self.alerts
            ]
            parts.append(
                shaded(
                    html_table(
                        ["period", "status", "kind", "subject", "value", "threshold", "message"],
                        rows,
                        caption="alerts",
                        digits=4,
                    )
                )
            )
        else:
            parts.append("<p>No alerts.</p>")
        if self.features:
            # features down, periods across: a shift reads along a row
            k = len(self.features)
            rows = [[f, *self._csi[:, j].tolist()] for j, f in enumerate(self.features[:k])]
            parts.append(
                html_table(
                    ["feature", *self.periods], rows, caption="characteristic stability (PSI)", digits=4
                )
            )
        g = self.grades()
        parts.append(
            shaded(html_table(g.names, [list(r.values()) for r in g.rows()], caption="grades", digits=4))
        )
        return '<div class="riskkit-monitoring">' + "".join(parts) + "</div>"

    def _repr_html_(self) -> str:
        return self.to_html()


# ---------------------------------------------------------------------------------------------- inputs


def _periods(periods: Any) -> list[tuple[str, Any, Any]]:
    """``[(label, X, y or None), ...]`` from a mapping or a sequence of tuples."""
    if isinstance(periods, Mapping):
        items = []
        for label, value in periods.items():
            if isinstance(value, tuple):
                if len(value) != 2:
                    raise ValidationError(
                        f"periods[{label!r}] must be X or a pair (X, y), got a tuple of {len(value)}",
                        field="periods",
                    )
                items.append((label, value[0], value[1]))
            else:
                items.append((label, value, None))
    elif isinstance(periods, Sequence) and not isinstance(periods, str | bytes):
        items = []
        for i, entry in enumerate(periods):
            if not isinstance(entry, tuple | list) or len(entry) not in (2, 3):
                raise ValidationError(
                    f"periods[{i}] must be (label, X) or (label, X, y), got {type(entry).__name__}",
                    field="periods",
                )
            items.append((entry[0], entry[1], entry[2] if len(entry) == 3 else None))
    else:
        raise ValidationError(
            "periods must be a mapping of label -> X (or (X, y)), or a sequence of (label, X, y), "
            f"got {type(periods).__name__}",
            field="periods",
        )
    if not items:
        raise ValidationError("periods is empty: give at least one period to monitor", field="periods")
    labels = [str(label) for label, _, _ in items]
    repeated = sorted({n for n in labels if labels.count(n) > 1})
    if repeated:
        raise ValidationError(
            f"periods repeats the label(s) {repeated}; each period needs its own", field="periods"
        )
    return [(str(label), X, y) for label, X, y in items]


def _levels(significance: Any) -> tuple[float, float]:
    try:
        amber, red = (float(t) for t in significance)
        ok = 0 < red < amber < 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValidationError(
            f"significance must be two probabilities (amber, red) with 0 < red < amber < 1, got {significance!r}",
            field="significance",
            value=significance,
        )
    return amber, red


def _thresholds(thresholds: Any) -> tuple[float, float]:
    try:
        amber, red = (float(t) for t in thresholds)
        ok = 0 < amber < red and math.isfinite(red)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValidationError(
            f"thresholds must be two increasing PSI levels above 0 (amber, red), got {thresholds!r}",
            field="thresholds",
            value=thresholds,
        )
    return amber, red


@attrs.frozen
class _Scored:
    """One sample, scored: score, PD, grade and (for a card) the bin of every feature."""

    score: np.ndarray
    pd: np.ndarray
    grade: np.ndarray  # object array of grade names
    bins: np.ndarray | None


def _score(scorer: Any, X: Any, where: str) -> _Scored:
    try:
        total = getattr(scorer, "_total", None)
        bins = None
        if total is not None:
            # a card scorer: the bin matrix (rows x features) of the card that makes the score
            _, _, _, bins = total(X, None, True)
        result = scorer.score(X)
    except ValidationError as exc:
        raise ValidationError(f"{where}: {exc}", field=exc.field or where) from exc
    except SchemaError as exc:  # a feature of the card is missing
        raise SchemaError(f"{where}: {exc.args[0] if exc.args else exc}") from exc
    missing = [a for a in ("score", "pd", "grade") if not hasattr(result, a)]
    if missing:
        raise ValidationError(
            f"card.score({where}) returned {type(result).__name__} without {missing}; expected an object with "
            "score, pd and grade arrays",
            field="card",
        )
    return _Scored(
        np.asarray(result.score, dtype=np.float64),
        np.asarray(result.pd, dtype=np.float64),
        np.asarray(result.grade).astype(str).astype(object),
        bins,
    )


def _card_of(scorer: Any) -> Any:
    card = getattr(scorer, "card_", None)
    if card is None:
        card = getattr(scorer, "card", None)
    return card if hasattr(card, "features") and hasattr(card, "master_scale") else None


def _bands(scorer: Any) -> dict[str, tuple[float, float]]:
    """PD band ``(lower, upper)`` of each performing grade, from the scorer's master scale."""
    card = _card_of(scorer)
    scale = card.master_scale if card is not None else getattr(scorer, "master_scale_", None)
    scaling = card.scaling if card is not None else getattr(scorer, "scaling_", None)
    if scale is None or not hasattr(scale, "table"):
        return {}
    out: dict[str, tuple[float, float]] = {}
    for row in scale.table()[:-1]:  # the default grade has no band
        lo, hi = row["lower"], row["upper"]
        if scale.basis == "pd":
            out[row["grade"]] = (float(lo), float(hi))
        elif scaling is not None:  # a score band: the PD at its ends (a higher score is a lower PD)
            pd_lo = 0.0 if hi is None else float(scaling.pd(hi))
            pd_hi = 1.0 if lo is None else float(scaling.pd(lo))
            out[row["grade"]] = (pd_lo, pd_hi)
    return out


def _grade_order(scorer: Any, found: set[str]) -> list[str]:
    card = _card_of(scorer)
    scale = card.master_scale if card is not None else getattr(scorer, "master_scale_", None)
    known = list(scale.grades) if scale is not None else []
    return [g for g in known if g in found] + sorted(found - set(known))


# ---------------------------------------------------------------------------------------------- the monitor


def monitor(
    card: Any,
    reference: Any,
    periods: Any,
    *,
    score_bins: Literal["deciles", "grades"] = "deciles",
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    significance: Sequence[float] = (0.05, 0.01),
) -> MonitoringReport:
    """Follow a scorecard over time: stability, default rates and discrimination per period, with alerts.

    See :mod:`riskkit._monitor` for what is measured and how alerts are set;
    docs/guide/monitoring.md walks through a run.

    Parameters
    ----------
    card : fitted scorer
        A :class:`~riskkit.scoring.Scorecard` or
        :class:`~riskkit.scoring.ExpertScorecard` (stability of the score and
        of each characteristic), or any scorer whose ``score(X)`` gives
        ``score``, ``pd`` and ``grade`` (the score only).
    reference : X
        The reference sample the periods are compared with (the
        development sample), in any layout ``card.score`` reads.
    periods : mapping or sequence
        ``{label: X}`` or ``{label: (X, y)}``, or a sequence of
        ``(label, X)`` / ``(label, X, y)``, in time order; ``y`` (1 = bad) is
        the period's observed outcomes, or None until they arrive.
    score_bins : {"deciles", "grades"}, default "deciles"
        Bins of the score PSI: the reference's score deciles, or the grades.
    thresholds : pair of float, default (0.1, 0.25)
        A PSI above the first is amber, above the second red.
    significance : pair of float, default (0.05, 0.01)
        A grade's default rate outside its PD band is amber when the
        binomial probability of a rate that far beyond the band is below the
        first, red below the second.

    Returns
    -------
    MonitoringReport

    Raises
    ------
    ValidationError
        ``periods`` empty, of an unknown shape or with a repeated label;
        ``y`` not 0/1 or of another length than its X (naming the period);
        a bad ``score_bins``, ``thresholds`` or ``significance``; an empty
        reference; an X the card cannot score (naming the period).

    Examples
    --------
    >>> import numpy as np
    >>> from riskkit import Scorecard
    >>> from riskkit.datasets import load_german_credit
    >>> from riskkit.metrics import monitor
    >>> X, y = load_german_credit()
    >>> card = Scorecard().fit(X, y)
    >>> rng = np.random.default_rng(0)
    >>> same = rng.choice(1000, 1000)                       # the same population, resampled
    >>> short = np.flatnonzero(X["duration_in_month"] <= 12)  # only short loans
    >>> report = monitor(card, X, {
    ...     "2026-01": ({k: v[same] for k, v in X.items()}, y[same]),
    ...     "2026-02": {k: v[rng.choice(short, 1000)] for k, v in X.items()},   # no outcomes yet
    ... })
    >>> report
    MonitoringReport(2 periods, 16 characteristics, alerts: 3 red, 1 amber)
    >>> for a in report.alerts:
    ...     print(a.status, a.message)
    red 2026-02: score PSI 0.503 above 0.25
    red 2026-02: duration_in_month PSI 4.784 above 0.25
    red 2026-02: credit_amount PSI 0.592 above 0.25
    amber 2026-02: property PSI 0.120 above 0.1
    >>> t = report.table()
    >>> t["score_psi"].round(3).tolist(), t["gini"].round(3).tolist(), t["status"].tolist()
    ([0.003, 0.503], [0.67, nan], ['green', 'red'])
    """
    if score_bins not in ("deciles", "grades"):
        raise ValidationError(
            f"score_bins must be 'deciles' or 'grades', got {score_bins!r}",
            field="score_bins",
            value=score_bins,
        )
    amber, red = _thresholds(thresholds)
    p_amber, p_red = _levels(significance)
    if not hasattr(card, "score"):
        raise ValidationError(
            f"card must be a fitted scorer with score(X), got {type(card).__name__}", field="card"
        )
    items = _periods(periods)
    from riskkit.metrics import _binary_y, auc, ks, psi

    ref = _score(card, reference, "reference")
    if ref.score.size == 0:
        raise ValidationError("reference is empty", field="reference")
    runs = []
    for label, X, y in items:
        s = _score(card, X, f"period {label!r}")
        yi = None
        if y is not None:
            yi = _binary_y(y, name=f"y of period {label!r}")
            if yi.size != s.score.size:
                raise ValidationError(
                    f"y of period {label!r} has {yi.size} values but its X has {s.score.size} rows",
                    field="periods",
                )
        if s.score.size == 0:
            raise ValidationError(f"period {label!r} has no rows", field="periods")
        runs.append((label, s, yi))

    # --- score stability
    def score_counts(s: _Scored) -> np.ndarray:
        if score_bins == "grades":
            return np.array([np.count_nonzero(s.grade == g) for g in grade_keys], dtype=np.float64)
        nan = np.isnan(s.score)
        idx = np.searchsorted(cuts, s.score[~nan], side="left")
        return np.r_[np.bincount(idx, minlength=cuts.size + 1), nan.sum()].astype(np.float64)

    finite = ref.score[~np.isnan(ref.score)]
    cuts = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, 11)))[1:-1] if finite.size else np.empty(0)
    grade_keys = _grade_order(
        card, set(ref.grade.tolist()).union(*(set(s.grade.tolist()) for _, s, _ in runs))
    )
    ref_counts = score_counts(ref)

    # --- characteristic stability, on the card's bins
    card_obj = _card_of(card)
    features: tuple[str, ...] = ()
    if card_obj is not None and ref.bins is not None:
        features = tuple(f.name for f in card_obj.features)
        sizes = np.array([f.points.size for f in card_obj.features])
        offsets = np.r_[0, np.cumsum(sizes)[:-1]]

        def bin_counts(b: np.ndarray) -> np.ndarray:
            return np.bincount((b + offsets).reshape(-1), minlength=int(sizes.sum())).astype(np.float64)

        ref_bins = bin_counts(ref.bins)
    csi = np.full((len(runs), len(features)), np.nan)

    bands = _bands(card)
    alerts: list[MonitoringAlert] = []
    rows: dict[str, list[Any]] = {
        k: []
        for k in (
            "period",
            "n",
            "mean_score",
            "mean_pd",
            "score_psi",
            "worst_feature",
            "worst_csi",
            "n_bad",
            "default_rate",
            "auc",
            "gini",
            "ks",
            "alerts",
            "status",
        )
    }
    grade_rows: dict[str, list[Any]] = {
        k: []
        for k in (
            "period",
            "grade",
            "count",
            "share",
            "mean_pd",
            "n_bad",
            "default_rate",
            "pd_lower",
            "pd_upper",
            "in_band",
            "p_value",
            "status",
        )
    }

    def light(value: float) -> str:
        return "red" if value > red else ("amber" if value > amber else "green")

    for i, (label, s, yi) in enumerate(runs):
        period_alerts: list[MonitoringAlert] = []
        n = s.score.size
        score_psi = psi(ref_counts, score_counts(s), counts=True)
        if light(score_psi) != "green":
            limit = red if score_psi > red else amber
            period_alerts.append(
                MonitoringAlert(
                    label,
                    "score_psi",
                    "score",
                    score_psi,
                    limit,
                    light(score_psi),
                    f"{label}: score PSI {score_psi:.3f} above {limit:g}",
                )
            )
        if features and s.bins is not None:
            counts = bin_counts(s.bins)
            for j, name in enumerate(features):
                part = slice(int(offsets[j]), int(offsets[j] + sizes[j]))
                csi[i, j] = v = psi(ref_bins[part], counts[part], counts=True)
                if light(v) != "green":
                    limit = red if v > red else amber
                    period_alerts.append(
                        MonitoringAlert(
                            label,
                            "characteristic_psi",
                            name,
                            v,
                            limit,
                            light(v),
                            f"{label}: {name} PSI {v:.3f} above {limit:g}",
                        )
                    )
        worst = int(np.nanargmax(csi[i])) if features else -1
        n_bad = float(yi.sum()) if yi is not None else math.nan
        both = yi is not None and 0 < n_bad < yi.size
        auc_v = auc(yi, s.pd) if both and yi is not None else math.nan
        ks_v = ks(yi, s.pd) if both and yi is not None else math.nan

        # --- grades
        for g in grade_keys:
            mask = s.grade == g
            count = int(mask.sum())
            if count == 0:
                continue
            lo, hi = bands.get(g, (math.nan, math.nan))
            bads = float(yi[mask].sum()) if yi is not None else math.nan
            rate = bads / count
            p_value, status = 1.0, "green"
            if yi is not None and not math.isnan(lo) and not lo <= rate <= hi:
                from scipy.special import bdtr, bdtrc  # the binomial tails, only when a rate leaves its band

                above = rate > hi
                edge = hi if above else lo
                # P(X >= bads) at the upper edge, or P(X <= bads) at the lower edge
                p_value = float(bdtrc(bads - 1, count, edge)) if above else float(bdtr(bads, count, edge))
                status = "red" if p_value < p_red else ("amber" if p_value < p_amber else "green")
            if status != "green":
                period_alerts.append(
                    MonitoringAlert(
                        label,
                        "grade_default_rate",
                        g,
                        rate,
                        edge,
                        status,
                        f"{label}: grade {g} default rate {rate:.2%} ({bads:.0f} of {count}) "
                        f"{'above' if above else 'below'} its PD band {lo:.2%}-{hi:.2%} (p = {p_value:.3g})",
                    )
                )
            grade_rows["period"].append(label)
            grade_rows["grade"].append(g)
            grade_rows["count"].append(count)
            grade_rows["share"].append(count / n)
            grade_rows["mean_pd"].append(float(s.pd[mask].mean()))
            grade_rows["n_bad"].append(bads)
            grade_rows["default_rate"].append(rate)
            grade_rows["pd_lower"].append(lo)
            grade_rows["pd_upper"].append(hi)
            grade_rows["in_band"].append(bool(yi is None or math.isnan(lo) or lo <= rate <= hi))
            grade_rows["p_value"].append(p_value)
            grade_rows["status"].append(status)

        alerts.extend(period_alerts)
        rows["period"].append(label)
        rows["n"].append(n)
        rows["mean_score"].append(float(np.nanmean(s.score)))
        rows["mean_pd"].append(float(np.nanmean(s.pd)))
        rows["score_psi"].append(score_psi)
        rows["worst_feature"].append(features[worst] if worst >= 0 else "")
        rows["worst_csi"].append(float(csi[i, worst]) if worst >= 0 else math.nan)
        rows["n_bad"].append(n_bad)
        rows["default_rate"].append(n_bad / n)
        rows["auc"].append(auc_v)
        rows["gini"].append(2 * auc_v - 1)
        rows["ks"].append(ks_v)
        rows["alerts"].append(len(period_alerts))
        rows["status"].append(_worst([a.status for a in period_alerts]))

    object_columns = {"period", "worst_feature", "status", "grade"}
    return MonitoringReport(
        periods=tuple(label for label, _, _ in runs),
        features=features,
        score_bins=score_bins,
        thresholds=(amber, red),
        alerts=tuple(alerts),
        rows={k: np.array(v, dtype=object if k in object_columns else None) for k, v in rows.items()},
        csi=csi,
        grades={k: np.array(v, dtype=object if k in object_columns else None) for k, v in grade_rows.items()},
    )
