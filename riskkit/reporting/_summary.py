"""The numbers of the month-end report: the book, its trend, grades, limits, collections and validation.

Each function takes the results riskkit already computes (features, scores,
recommendations, worklist) and returns plain Python values (dicts and lists
of numbers and short texts) that the HTML and text renderings format. The
book-level DSO, ADD and CEI are those of docs/domain.md (*Receivables
metrics*) over the whole book: total open receivables and total credit sales
of the 90 days before each date, not an average of the customers' ratios.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from riskkit import receivables
from riskkit.errors import ValidationError

__all__ = ["book_figures", "grade_rows", "limit_rows", "month_ends", "validation", "work_rows"]

#: Days of credit sales behind DSO, ADD and CEI (the features' ``*_90d``).
WINDOW_DAYS = 90
#: Grades in order, best first; other labels after them, ungraded last.
GRADE_ORDER = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")


def month_ends(as_of: np.datetime64, k: int) -> list[np.datetime64]:
    """The ``k`` month-ends before ``as_of``, newest first.

    Examples
    --------
    >>> [str(d) for d in month_ends(np.datetime64("2025-12-31"), 3)]
    ['2025-11-30', '2025-10-31', '2025-09-30']
    >>> [str(d) for d in month_ends(np.datetime64("2025-03-15"), 2)]
    ['2025-02-28', '2025-01-31']
    """
    month = np.asarray(as_of, dtype="datetime64[D]").astype("datetime64[M]")
    ends = (month - np.arange(k)).astype("datetime64[D]") - np.timedelta64(1, "D")
    return [np.datetime64(d, "D") for d in ends.tolist()]


def _sum(values: np.ndarray) -> float:
    return float(np.nansum(np.asarray(values, dtype=np.float64)))


def book_figures(portfolio: Any, when: np.datetime64) -> dict[str, float]:
    """The whole book at ``when``: exposure, receivables, overdue, DSO, ADD, CEI and defaults.

    ``dso``, ``add`` and ``cei`` are NaN when the book had no credit sales in
    the 90 days before ``when`` (or, for CEI, nothing to collect).

    Examples
    --------
    >>> import riskkit
    >>> book, _ = riskkit.datasets.make_portfolio(200, seed=0)
    >>> f = book_figures(book, np.datetime64("2025-12-31"))
    >>> f["overdue"] <= f["open_invoices"], round(f["add"], 6) == round(f["overdue"] * 90 / f["sales_90d"], 6)
    (True, True)
    """
    ff = portfolio.features(when)
    open_amount = _sum(ff["open_amount"])
    overdue = _sum(ff["overdue_amount"])
    buckets = ("aging_current", "aging_1_30", "aging_31_60", "aging_61_90", "aging_91_plus")
    open_invoices = sum(_sum(ff[b]) for b in buckets)
    inv = portfolio.invoices
    start = when - np.timedelta64(WINDOW_DAYS, "D")
    issued = inv["issued"]
    sales = _sum(inv["amount"][(issued > start) & (issued <= when)])
    try:
        ar_begin = _sum(portfolio.features(start)["open_amount"])
    except ValidationError:  # before the export date of a residual book: what was open then is unknown
        ar_begin = math.nan
    current = open_amount - overdue
    in_default = np.asarray(ff["in_default"]) > 0
    exposure = np.nan_to_num(np.asarray(ff["exposure"], dtype=np.float64))
    return {
        "date": when.astype(object),
        "exposure": float(exposure.sum()),
        "open_amount": open_amount,
        "open_invoices": open_invoices,
        "overdue": overdue,
        "overdue_share": overdue / open_invoices if open_invoices > 0 else math.nan,
        "over_90": _sum(ff["aging_91_plus"]),
        "sales_90d": sales,
        "dso": float(receivables.dso(open_amount, sales, WINDOW_DAYS)),
        "add": float(receivables.average_days_delinquent(open_amount, current, sales, WINDOW_DAYS)),
        "cei": float(receivables.collection_effectiveness_index(ar_begin, sales, open_amount, current)),
        "in_default": int(in_default.sum()),
        "in_default_exposure": float(exposure[in_default].sum()),
    }


def _grade_key(grade: str) -> tuple[int, str]:
    return (GRADE_ORDER.index(grade) if grade in GRADE_ORDER else len(GRADE_ORDER) + (grade == ""), grade)


def grade_rows(grades: np.ndarray, pd: np.ndarray, exposure: np.ndarray, overdue: np.ndarray) -> list[dict[str, Any]]:
    """One row per grade present, best first: customers, exposure and its share, overdue, mean PD.

    Examples
    --------
    >>> rows = grade_rows(np.array(["A", "D", "A"]), np.array([0.01, 1.0, 0.03]),
    ...                   np.array([100.0, 50.0, 50.0]), np.array([0.0, 50.0, 10.0]))
    >>> [(r["grade"], r["customers"], r["exposure"], r["exposure_share"], r["overdue"]) for r in rows]
    [('A', 2, 150.0, 0.75, 10.0), ('D', 1, 50.0, 0.25, 50.0)]
    >>> round(rows[0]["mean_pd"], 3)
    0.02
    """
    labels = np.asarray(grades).astype(str)
    present, codes = np.unique(labels, return_inverse=True)
    n = present.size
    exp = np.nan_to_num(np.asarray(exposure, dtype=np.float64))
    count = np.bincount(codes, minlength=n)
    exp_sum = np.bincount(codes, weights=exp, minlength=n)
    overdue_sum = np.bincount(codes, weights=np.nan_to_num(np.asarray(overdue, dtype=np.float64)), minlength=n)
    pd = np.asarray(pd, dtype=np.float64)
    known = np.isfinite(pd)
    pd_sum = np.bincount(codes[known], weights=pd[known], minlength=n)
    pd_n = np.bincount(codes[known], minlength=n)
    total = float(exp.sum())
    rows = [
        {
            "grade": str(present[g]),
            "customers": int(count[g]),
            "exposure": float(exp_sum[g]),
            "exposure_share": float(exp_sum[g]) / total if total > 0 else math.nan,
            "overdue": float(overdue_sum[g]),
            "mean_pd": float(pd_sum[g] / pd_n[g]) if pd_n[g] else math.nan,
        }
        for g in range(n)
    ]
    return sorted(rows, key=lambda r: _grade_key(r["grade"]))


_WHY = {
    "concentration": "capped by the concentration limit",
    "floor": "kept high enough for its regular purchases",
    "cut_cap": "cut limited to what one review allows",
    "rounding": "rounding",
    "default": "in default: no open credit",
    "none": "no limit method applies",
}


def why(bound_by: str, method: str) -> str:
    """The rule that set a recommended limit, in a few words.

    Examples
    --------
    >>> why("method", "net_worth"), why("default", "sales")
    ('limit method: net worth', 'in default: no open credit')
    """
    if bound_by == "method":
        return f"limit method: {method.replace('_', ' ')}"
    return _WHY.get(bound_by, bound_by.replace("_", " "))


def limit_rows(recs: Any, names: np.ndarray, top: int) -> list[dict[str, Any]]:
    """The ``top`` largest recommended changes (rises and falls, by size), with why.

    ``names`` are the customers' names in portfolio order.
    """
    change = np.nan_to_num(np.asarray(recs.change, dtype=np.float64))
    moving = np.flatnonzero(np.asarray(recs.direction) != "hold")
    shown = moving[np.argsort(-np.abs(change[moving]), kind="stable")][:top]
    return [
        {
            "customer_id": str(recs.customer_ids[i]),
            "name": str(names[i] or recs.customer_ids[i]),
            "grade": str(recs.grade[i]),
            "current_limit": float(recs.current_limit[i]),
            "limit": float(recs.limit[i]),
            "change": float(change[i]),
            "direction": str(recs.direction[i]),
            "why": why(str(recs.bound_by[i]), str(recs.binding_method[i])),
            "terms": str(recs.payment_terms[i]),
            "conditions": "" if recs.conditions[i] in ("none", recs.payment_terms[i])
            else str(recs.conditions[i]).replace("_", " "),
        }
        for i in shown.tolist()
    ]


def work_rows(work: Any, names: Mapping[str, str], stages: Sequence[str], as_of: _dt.date, days: int,
              top: int) -> tuple[list[dict[str, Any]], int]:
    """The ``top`` most urgent collection cases, and how many move to a harsher stage within ``days``.

    Each row says what to do now and, when its next stage starts within
    ``days``, which stage and on what date.
    """
    to_next = np.asarray(work["days_to_next_stage"])
    escalating = int(((to_next >= 0) & (to_next <= days)).sum())
    head = work.head(top)
    index = {s: i for i, s in enumerate(stages)}
    rows = []
    for r in head.to_records():
        nxt = int(r["days_to_next_stage"])
        position = index.get(r["stage"], -1)
        then = ""
        if 0 <= nxt <= days and 0 <= position < len(stages) - 1:
            then = f"{stages[position + 1].replace('_', ' ')} from {as_of + _dt.timedelta(days=nxt):%d %b}"
        rows.append({
            "customer_id": str(r["customer_id"]),
            "name": names.get(str(r["customer_id"])) or str(r["customer_id"]),
            "stage": str(r["stage"]).replace("_", " "),
            "action": str(r["next_action"]),
            "overdue": float(r["overdue_amount"]),
            "days_past_due": int(r["days_past_due"]),
            "grade": str(r["grade"]),
            "reorder": str(r["reorder_rule"]).replace("_", " "),
            "hold_credit": bool(r["hold_credit"]),
            "escalates": then,
        })
    return rows, escalating


def outcome_flags(outcomes: Any, portfolio: Any, as_of: np.datetime64, horizon_days: int) -> np.ndarray:
    """Outcomes as one float per customer in portfolio order: 1 defaulted, 0 performing, NaN unknown.

    ``outcomes`` is a :class:`riskkit.Outcomes` (1 = default within
    ``horizon_days`` after ``as_of``), a mapping of customer id to 0/1, or an
    array with one 0, 1 or NaN per customer.
    """
    from riskkit._outcomes import Outcomes

    n = portfolio.n_customers
    if isinstance(outcomes, Outcomes):
        ids = np.asarray(outcomes.customer_ids, dtype=object)
        codes = portfolio.codes(ids.tolist())
        out = np.full(n, np.nan)
        out[codes] = outcomes.defaults_within(as_of, horizon_days)
        return out
    if isinstance(outcomes, Mapping):
        keys = list(outcomes)
        out = np.full(n, np.nan)
        out[portfolio.codes(keys)] = [_flag(outcomes[k], k) for k in keys]
        return out
    try:
        arr = np.asarray(outcomes, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(
            "outcomes must be a riskkit.Outcomes, a mapping of customer id to 0/1, or an array of 0, 1 or NaN "
            f"per customer, got {type(outcomes).__name__}",
            field="outcomes",
        ) from None
    if arr.shape != (n,):
        raise ValidationError(f"outcomes has shape {arr.shape}; expected one value per customer ({n},)",
                              field="outcomes")
    bad = np.flatnonzero(~np.isnan(arr) & (arr != 0) & (arr != 1))
    if bad.size:
        i = int(bad[0])
        raise ValidationError(
            f"outcomes for customer {portfolio.customer_ids[i]!r} is {arr[i]!r}; expected 0, 1 or NaN (unknown)",
            field="outcomes", value=float(arr[i]),
        )
    return arr


def _flag(value: Any, key: str) -> float:
    if value in (0, 1) and not isinstance(value, str):
        return float(value)
    raise ValidationError(f"outcomes[{key!r}] is {value!r}; expected 0 or 1", field="outcomes", value=value)


def validation(flags: np.ndarray, result: Any, in_default: np.ndarray) -> dict[str, Any]:
    """AUC, Gini, KS and Brier of the PDs against the outcomes, and the default rate per grade.

    Customers in default at the report date are left out (they are graded D
    by rule, not predicted), and so are those without an outcome.
    """
    from riskkit import metrics

    pd = np.asarray(result.pd, dtype=np.float64)
    keep = ~np.isnan(flags) & ~in_default & np.isfinite(pd)
    y = flags[keep].astype(np.int8)
    out: dict[str, Any] = {"customers": int(keep.sum()), "defaults": int(y.sum()), "excluded_in_default": int(
        (in_default & ~np.isnan(flags)).sum())}
    if 0 < y.sum() < y.size:
        p = pd[keep]
        out.update(auc=metrics.auc(y, p), gini=metrics.gini(y, p), ks=metrics.ks(y, p), brier=metrics.brier(y, p))
    grades = np.asarray(result.grade).astype(str)[keep]
    present, codes = np.unique(grades, return_inverse=True)
    count = np.bincount(codes, minlength=present.size)
    bads = np.bincount(codes, weights=y, minlength=present.size)
    pd_sum = np.bincount(codes, weights=pd[keep], minlength=present.size)
    rows = [{"grade": str(present[g]), "customers": int(count[g]), "defaults": int(bads[g]),
             "default_rate": float(bads[g] / count[g]), "mean_pd": float(pd_sum[g] / count[g])}
            for g in range(present.size)]
    out["grades"] = sorted(rows, key=lambda r: _grade_key(r["grade"]))
    return out
