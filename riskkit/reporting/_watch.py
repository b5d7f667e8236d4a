"""The report's watchlist: the customers at warning or worse, within a budget, each in one sentence.

The watchlist of :func:`riskkit.signals.evaluate` ranks every customer with
an alert; a credit manager reads the few at ``warning`` or ``critical``
level (already held to the signals' alert budget), most severe first, at
most ``budget`` of them. For each, the lead alert (its worst, first in action
order) is measured again at the earlier month-ends: its value three months
back says by how much it moved, and the month-ends at which it fired say
since when. Only the shown customers' texts are built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from riskkit.reporting import _sentences

__all__ = ["watch_rows"]

#: Levels a credit manager acts on (the watchlist shows these).
ACTION_LEVELS = ("critical", "warning")


def _history(portfolio: Any, name: str, signal: Any, dates: Sequence[np.datetime64],
             codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The signal's value and whether it fired, at each date (rows) for the customers ``codes`` (columns).

    A :class:`~riskkit.signals.ThresholdSignal` gives its value whether it
    fired or not; another signal only where it fired (NaN elsewhere).
    """
    from riskkit.signals import severity_of

    n = portfolio.n_customers
    thresholds = {sev: np.full(n, float(v)) for sev, v in dict(signal.thresholds).items()}
    values = np.full((len(dates), codes.size), np.nan)
    fired = np.zeros((len(dates), codes.size), dtype=bool)
    for k, when in enumerate(dates):
        if hasattr(signal, "values") and hasattr(signal, "compare"):
            v, _ = signal.values(portfolio, when)
            v = np.asarray(v, dtype=np.float64)
            values[k] = v[codes]
            fired[k] = severity_of(v, thresholds, signal.compare)[codes] >= 0
        else:
            hits = signal.evaluate(portfolio, when, thresholds)
            position = {int(c): i for i, c in enumerate(hits.customer.tolist())}
            for j, c in enumerate(codes.tolist()):
                if c in position:
                    values[k, j] = hits.value[position[c]]
                    fired[k, j] = True
    return values, fired


def watch_rows(portfolio: Any, watch: Any, budget: int, history: Sequence[np.datetime64],
               compare_back: int = 3) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The shown watchlist rows and the counts behind them.

    ``history`` are earlier month-ends, newest first; the value
    ``compare_back`` month-ends back is the one compared with.
    """
    from riskkit.signals import get

    flagged = np.asarray(watch.flagged("warning"), dtype=object)
    watch_level = len(watch.flagged("watch")) - flagged.size
    counts = {"flagged": int(flagged.size), "shown": min(int(flagged.size), budget), "watch_level": int(watch_level),
              "with_alerts": watch.n_customers, "alert_budget": watch.alert_budget,
              "eligible": portfolio.n_customers - len(watch.in_default)}
    shown_ids = flagged[:budget]
    if shown_ids.size == 0:
        return [], counts
    ids = watch.column("customer_id")
    rows_of = np.isin(ids, shown_ids)
    cust = ids[rows_of]
    sig = watch.column("signal")[rows_of]
    sev = watch.column("severity")[rows_of]
    val = watch.column("value")[rows_of]
    # a customer's alerts are together, worst first: its lead alert is its first row
    first = np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]])
    ends = np.r_[first[1:], cust.size]
    codes_all = portfolio.codes(shown_ids.tolist())
    by_id = dict(zip(shown_ids.tolist(), codes_all.tolist(), strict=True))
    lead_code = np.array([by_id[c] for c in cust[first].tolist()], dtype=np.intp)
    lead_sig = sig[first]
    dates = list(history)
    then_index = min(compare_back, len(dates)) - 1
    then_value = np.full(first.size, np.nan)
    since: list[Any] = [None] * first.size
    new = np.zeros(first.size, dtype=bool)
    for name in np.unique(lead_sig).tolist():
        rows = np.flatnonzero(lead_sig == name)
        if not dates:
            continue
        values, fired = _history(portfolio, name, get(name), dates, lead_code[rows])
        if then_index >= 0:
            then_value[rows] = values[then_index]
        # the run of month-ends, from the latest back, at which it fired without a gap
        run = np.cumprod(fired, axis=0).sum(axis=0)
        new[rows] = run == 0
        for j, r in enumerate(rows.tolist()):
            since[r] = dates[run[j] - 1].astype(object) if run[j] > 0 else None
    names = np.asarray(portfolio.customers["name"], dtype=object)
    exposure = np.nan_to_num(np.asarray(portfolio.features(watch.as_of)["exposure"], dtype=np.float64))
    overdue = np.nan_to_num(np.asarray(portfolio.features(watch.as_of)["overdue_amount"], dtype=np.float64))
    first_checked = dates[-1].astype(object) if dates else None
    then_date = dates[then_index].astype(object) if then_index >= 0 else None
    out = []
    for k, (lo, hi) in enumerate(zip(first.tolist(), ends.tolist(), strict=True)):
        code = int(lead_code[k])
        cid = str(cust[lo])
        name = str(names[code] or cid)
        others = _sentences.others_clause(sev[lo + 1:hi].tolist(), sig[lo + 1:hi].tolist(), str(sev[lo]))
        text = _sentences.sentence(
            name, str(lead_sig[k]), float(val[lo]), float(then_value[k]), then_date,
            _sentences.since_clause(since[k], first_checked, bool(new[k])) if dates else "", others,
        )
        out.append({
            "customer_id": cid, "name": name, "level": watch.level(cid), "signal": str(lead_sig[k]),
            "severity": str(sev[lo]), "alerts": hi - lo, "exposure": float(exposure[code]),
            "overdue": float(overdue[code]), "sentence": text,
        })
    return out, counts
