"""Calibrating the watchlist on a book's own history: thresholds, signal weights and level cutoffs.

Fixed thresholds are starting points: a book where half the customers
habitually pay 30 days late needs other ones than a book of prompt payers
(docs/domain.md, warning signals). :func:`calibrate` replays the signals at
past dates (point in time) and chooses, for this book:

1. **Thresholds** per signal and severity, from the book's own distribution:
   among customers that did not default within a year (all customers not in
   default, without outcomes), a severity may fire on at most a share of
   them (info 20%, watch 10%, warning 5%, critical 2%). A threshold is only
   ever made stricter than the signal's default, never milder.
2. **Weights** per signal: with outcomes, a logistic regression of "defaults
   ``min_lead_days`` to ``horizon_days`` later" on the alerts' severity
   points over all dates (weights below 0 are set to 0: an alert never makes
   a customer safer); without outcomes every signal weighs 1.
3. **Cutoffs** of the weighted score for the levels ``warning`` and
   ``critical``: the lowest cutoffs at which at most ``alert_budget`` (at
   most a quarter of it for critical) of the customers that did not default
   within a year are flagged, pooled over the dates. That catches as many
   later defaulters as the budget allows, since a lower cutoff flags more of
   both. Without outcomes, the budget is a share of all customers not in
   default.

The result, a :class:`Calibration`, is saved with ``riskkit.save`` and used
by ``evaluate(portfolio, calibration=...)``; it records what it measured on
the dates it was fitted on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np

from riskkit._checks import Integer, check
from riskkit.errors import FormatError, ValidationError
from riskkit.signals._base import SEVERITIES, SEVERITY_RANK
from riskkit.signals._levels import SEVERITY_POINTS, check_budget, levels

__all__ = ["Calibration", "calibrate"]

#: Per severity, the largest share of healthy customers a calibrated threshold lets fire.
TAIL_SHARES = {"info": 0.20, "watch": 0.10, "warning": 0.05, "critical": 0.02}
#: Customers that do not default within this many days count as healthy (the false alarms).
HEALTHY_DAYS = 365


def _plain(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): (dict(v) if isinstance(v, Mapping) else v) for k, v in mapping.items()}


@attrs.frozen
class Calibration:
    """Thresholds, signal weights and level cutoffs chosen for one book; see the module docstring.

    Attributes
    ----------
    thresholds : mapping of str to mapping of str to float
        Per signal, severity -> threshold (only the signals it changed).
    weights : mapping of str to float
        Per signal, the weight of its alerts in a customer's score.
    cutoffs : mapping of str to float
        Score from which a customer is at ``warning`` and at ``critical``.
    alert_budget : float
        The share the cutoffs were chosen for.
    method : str
        ``"outcomes"`` (fitted on defaults that followed) or
        ``"distribution"`` (the book's own distribution, no outcomes).
    dates : tuple of str
        The evaluation dates used.
    measured : mapping of str to float
        On those dates: ``flagged`` (share of healthy customers at warning or
        worse) and, with outcomes, ``caught`` (share of customers defaulting
        ``min_lead_days`` to ``horizon_days`` later at warning or worse).
    notes : mapping of str to str
        How each signal's thresholds were chosen.
    """

    thresholds: Mapping[str, Mapping[str, float]]
    weights: Mapping[str, float]
    cutoffs: Mapping[str, float]
    alert_budget: float
    method: str
    dates: tuple[str, ...]
    horizon_days: int = 180
    min_lead_days: int = 60
    measured: Mapping[str, float] = attrs.field(factory=dict)
    notes: Mapping[str, str] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        check_budget(self.alert_budget)
        for name, weight in self.weights.items():
            if not isinstance(weight, int | float) or not math.isfinite(weight) or weight < 0:
                raise ValidationError(f"Calibration.weights[{name!r}] must be a finite number >= 0, got {weight!r}")
        for key, value in self.cutoffs.items():
            if key not in ("warning", "critical") or not isinstance(value, int | float) or math.isnan(value):
                raise ValidationError(f"Calibration.cutoffs must map warning/critical to numbers, got {key!r}: {value!r}")
        for name, by_severity in self.thresholds.items():
            for sev, value in by_severity.items():
                if sev not in SEVERITY_RANK or not isinstance(value, int | float) or not math.isfinite(value):
                    raise ValidationError(f"Calibration.thresholds[{name!r}][{sev!r}] must be a finite number")

    def merged_thresholds(self, names: Iterable[str], given: Mapping[str, Any] | None) -> dict[str, Any]:
        """The calibrated thresholds of ``names``, overridden by those ``given`` for the call."""
        out: dict[str, Any] = {n: dict(self.thresholds[n]) for n in names if n in self.thresholds}
        out.update(given or {})
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "thresholds": {k: dict(v) for k, v in self.thresholds.items()},
            "weights": dict(self.weights),
            "cutoffs": dict(self.cutoffs),
            "alert_budget": self.alert_budget,
            "method": self.method,
            "dates": list(self.dates),
            "horizon_days": self.horizon_days,
            "min_lead_days": self.min_lead_days,
            "measured": dict(self.measured),
            "notes": dict(self.notes),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Calibration:
        expected = {"thresholds", "weights", "cutoffs", "alert_budget", "method", "dates", "horizon_days",
                    "min_lead_days", "measured", "notes"}
        if not isinstance(d, Mapping) or set(d) != expected:
            got = sorted(d) if isinstance(d, Mapping) else type(d).__name__
            raise FormatError(f"a calibration has the keys {sorted(expected)}; got {got}")
        try:
            return cls(
                thresholds={str(k): {str(s): float(x) for s, x in v.items()} for k, v in d["thresholds"].items()},
                weights={str(k): float(v) for k, v in d["weights"].items()},
                cutoffs={str(k): float(v) for k, v in d["cutoffs"].items()},
                alert_budget=float(d["alert_budget"]),
                method=str(d["method"]),
                dates=tuple(str(x) for x in d["dates"]),
                horizon_days=int(d["horizon_days"]),
                min_lead_days=int(d["min_lead_days"]),
                measured={str(k): float(v) for k, v in d["measured"].items()},
                notes={str(k): str(v) for k, v in d["notes"].items()},
            )
        except (AttributeError, TypeError, ValueError) as exc:
            raise FormatError(f"malformed calibration: {exc}") from None

    # the JSON body of a saved calibration (riskkit.save / load) is its dict
    _to_json = to_dict
    _from_json = from_dict

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise FormatError(f"a calibration is a JSON document: {exc}") from None

    def __repr__(self) -> str:
        shown = ", ".join(f"{k} {v:.1%}" for k, v in self.measured.items())
        return (f"Calibration({self.method}, budget {self.alert_budget:.0%}, {len(self.thresholds)} thresholds "
                f"changed, {len(self.dates)} dates{': ' + shown if shown else ''})")


# --- calibrating --------------------------------------------------------------------


def _default_dates(portfolio: Any, with_outcomes: bool, horizon_days: int) -> list[np.datetime64]:
    """Six month-ends: the last six before the horizon can be seen (with outcomes), else the last six."""
    end = portfolio.resolve_as_of(None)
    last = end - np.timedelta64(horizon_days, "D") if with_outcomes else end
    month = last.astype("datetime64[M]")
    ends = [(month - k).astype("datetime64[D]") - np.timedelta64(1, "D") for k in range(6)]
    return sorted(d for d in ends if d <= end)


def _severity_points(watchlist: Any, n: int, n_signals: int) -> np.ndarray:
    """Customers x signals: the points of each alert (0 where the signal did not fire)."""
    cols = watchlist._cols
    x = np.zeros((n, n_signals))
    x[cols.customer, cols.sig] = SEVERITY_POINTS[cols.severity]
    return x


def _lowest_cutoff(scores: np.ndarray, healthy: np.ndarray, share: float) -> float:
    """The lowest attained score s > 0 with at most ``share`` of the healthy scoring >= s."""
    h = np.sort(scores[healthy])[::-1]
    allowed = math.floor(share * h.size + 1e-9)
    candidates = np.unique(scores[scores > 0])
    if candidates.size == 0:
        return math.inf
    above = h.size - np.searchsorted(h[::-1], candidates, side="left")  # healthy with score >= candidate
    ok = candidates[above <= allowed]
    return float(ok[0]) if ok.size else math.inf


def calibrate(
    portfolio: Any,
    outcomes: Any = None,
    dates: Iterable[Any] | None = None,
    alert_budget: float = 0.10,
    horizon_days: int = 180,
    min_lead_days: int = 60,
    signals: str | Iterable[str] | None = None,
) -> Calibration:
    """Choose thresholds, signal weights and level cutoffs for this book (see the module docstring).

    Parameters
    ----------
    portfolio : riskkit.Portfolio
        The book, replayed point in time at each date.
    outcomes : riskkit.Outcomes or (defaulted, default_date), optional
        Whether and when each customer defaulted; without it the book's own
        distribution decides.
    dates : iterable of date-like, optional
        Evaluation dates; default six month-ends (the last six from which
        ``horizon_days`` of outcomes can be seen, with outcomes).
    alert_budget : float, default 0.10
        The share of healthy customers that may be flagged at warning or worse.
    horizon_days, min_lead_days : int, default 180 and 60
        A default counts as foreseen when it follows the date by this many
        days (at least ``min_lead_days``, at most ``horizon_days``).
    signals : str or iterable of str, optional
        The signals to calibrate and use; default all available.

    Returns
    -------
    Calibration

    Examples
    --------
    >>> import riskkit
    >>> from riskkit import signals
    >>> book, outcomes = riskkit.datasets.make_portfolio(400, seed=2)
    >>> cal = signals.calibrate(book, outcomes, alert_budget=0.10)
    >>> cal.method, cal.measured["flagged"] <= 0.10
    ('outcomes', True)
    >>> wl = signals.evaluate(book, calibration=cal)
    >>> riskkit.signals.Calibration.from_json(cal.to_json()) == cal
    True
    """
    from riskkit.signals._backtest import _default_dates as outcome_dates
    from riskkit.signals._backtest import evaluation_dates
    from riskkit.signals._watchlist import evaluate, resolve_all, select_signals

    budget = check_budget(alert_budget)
    horizon = check("horizon_days", horizon_days, Integer(1, unit="days"))
    min_lead = check("min_lead_days", min_lead_days, Integer(0, unit="days"))
    if min_lead > horizon:
        raise ValidationError(f"min_lead_days ({min_lead}) is after horizon_days ({horizon})", field="min_lead_days")
    names, objects = select_signals(signals)
    default_date = None if outcomes is None else outcome_dates(portfolio, outcomes)
    if dates is None:
        days = _default_dates(portfolio, default_date is not None, horizon)
    else:
        days = list(evaluation_dates(portfolio, dates, "dates"))
    if not days:
        raise ValidationError("calibrate needs at least one date", field="dates")
    n = portfolio.n_customers

    # who counts at each date: healthy (the false alarms) and, with outcomes, the defaulters to catch
    healthy_at, target_at = [], []
    for t in days:
        in_default = portfolio.features_history(t)["in_default"] > 0
        if default_date is None:
            healthy_at.append(~in_default)
            target_at.append(np.zeros(n, dtype=bool))
            continue
        lead = (default_date - t).astype("timedelta64[D]").astype(np.float64)
        lead[np.isnat(default_date)] = np.inf
        alive = ~in_default & (lead > 0)
        healthy_at.append(alive & (lead > HEALTHY_DAYS))
        target_at.append(alive & (lead >= max(min_lead, 1)) & (lead <= horizon))

    # 1. thresholds from the healthy customers' own distribution, never milder than the defaults
    defaults = resolve_all(portfolio, names, objects, None)
    thresholds: dict[str, dict[str, float]] = {}
    notes: dict[str, str] = {}
    for name, signal, base in zip(names, objects, defaults, strict=True):
        compare = getattr(signal, "compare", None)
        if not callable(getattr(signal, "values", None)) or compare not in (">", ">=", "<", "<="):
            notes[name] = "kept: not a threshold signal"
            continue
        pooled = np.concatenate([
            np.asarray(signal.values(portfolio, t)[0], dtype=np.float64)[h] for t, h in zip(days, healthy_at, strict=True)
        ])
        pooled = pooled[~np.isnan(pooled)]
        if pooled.size < 20:
            notes[name] = "kept: too few values to calibrate"
            continue
        changed: dict[str, float] = {}
        for sev in SEVERITIES:
            if sev not in base:
                continue
            default = float(np.nanmax(base[sev])) if compare.startswith(">") else float(np.nanmin(base[sev]))
            if math.isnan(default):
                continue
            share = TAIL_SHARES[sev]
            if compare.startswith(">"):
                q = float(np.quantile(pooled, 1 - share))
                if q > default:
                    changed[sev] = q
            else:
                q = float(np.quantile(pooled, share))
                if q < default:
                    changed[sev] = q
        if changed:
            full = {sev: changed.get(sev, float(np.nanmax(base[sev]) if compare.startswith(">") else np.nanmin(base[sev])))
                    for sev in SEVERITIES if sev in base}
            # keep severities ordered: a graver one never fires before a milder one
            ordered = [full[s] for s in SEVERITIES if s in full]
            mono = np.maximum.accumulate(ordered) if compare.startswith(">") else np.minimum.accumulate(ordered)
            thresholds[name] = {s: float(v) for s, v in zip([s for s in SEVERITIES if s in full], mono, strict=True)}
            notes[name] = "raised to the book's own tail: " + ", ".join(
                f"{s} {v:.4g}" for s, v in thresholds[name].items())
        else:
            notes[name] = "kept: the defaults are already in the book's tail"

    # 2. each date's alerts with those thresholds, as severity points per customer and signal
    x_at = []
    for t in days:
        wl = evaluate(portfolio, t, signals=names, thresholds=thresholds, alert_budget=1.0)
        x_at.append(_severity_points(wl, n, len(names)))
    X = np.vstack(x_at)
    healthy = np.concatenate(healthy_at)
    target = np.concatenate(target_at)

    weights = np.ones(len(names))
    method = "distribution"
    if default_date is not None and target.sum() >= 10 and healthy.sum() >= 10:
        from sklearn.linear_model import LogisticRegression

        rows = healthy | target
        model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
        model.fit(X[rows], target[rows])
        weights = np.clip(model.coef_[0], 0.0, None)
        method = "outcomes"
    score = X @ weights
    cutoffs = {
        "warning": _lowest_cutoff(score, healthy, budget),
        "critical": _lowest_cutoff(score, healthy, budget / 4),
    }
    worst = (X.max(axis=1, initial=0.0) - 1).astype(np.int8)  # points are severity rank + 1
    level = levels(score, worst, np.ones(score.size, dtype=bool), 1.0, cutoffs)
    flagged = level >= SEVERITY_RANK["warning"]
    measured = {"flagged": float(flagged[healthy].mean()) if healthy.any() else 0.0}
    if method == "outcomes":
        measured["caught"] = float(flagged[target].mean())
    return Calibration(
        thresholds=thresholds,
        weights={n_: float(w) for n_, w in zip(names, weights.tolist(), strict=True)},
        cutoffs={k: float(v) for k, v in cutoffs.items() if math.isfinite(v)},
        alert_budget=budget,
        method=method,
        dates=tuple(str(t) for t in days),
        horizon_days=horizon,
        min_lead_days=min_lead,
        measured=measured,
        notes=notes,
    )
