"""Credit limits: the limit methods, how they combine, the limit review, and :func:`recommend`.

:meth:`CreditPolicy.recommend <riskkit.policy.CreditPolicy.recommend>` gives
every customer a credit limit (with the method that bound it and a
human-readable reason), payment terms and conditions, next to the limit on
file (docs/domain.md, *Grades, limits and terms*). It runs in named steps,
each over all customers at once: the grades (:func:`grade_index`), the
purchase history (:func:`history`), each method's figure
(:func:`_method_figures`), their combination (:func:`_combine`), the
concentration cap (:func:`_concentration`) and the review
(:func:`_review`: purchases floor, cap on the cut, default, rounding). The
reasons are written from the same arrays when first read
(riskkit.policy._reasons).

Conventions
-----------
Credit-limit methods (each gives a limit per customer, or NaN where it does
not apply):

``net_worth``
    ``k[grade] x tangible net worth`` of the latest statement known at
    ``as_of`` (:func:`riskkit.finance.tangible_net_worth`). ``k`` runs from
    15 % (AAA) to 5 % (BB), 0 below; it is meant for profitable firms, so it
    is multiplied by ``net_worth_loss_factor`` (default 0.5) when the latest
    net income is known and ``<= 0`` (an unknown net income is not penalised).
``working_capital``
    ``working_capital_share`` (10 %) x working capital of the latest statement.
``sales``
    Average monthly purchases x credit period in months (``terms_days / 30``)
    x ``sales_coefficient[grade]`` (AAA 2.0, AA 1.0, A 0.8, BBB 0.6, lower 0).
    Purchases are the invoices issued in the 365 days up to ``as_of``; the
    average divides them by 12, or by the months of history
    (``days since the first invoice / (365 / 12)``, at least 1) when the
    customer has traded for less than a year.
``trade_reference``
    ``trade_reference_factor`` x a figure the user supplies per customer
    (e.g. the credit other suppliers grant it).
``insured`` (not in the default ``methods``; name it to use it)
    The credit insurer's limit in force at ``as_of``
    (:func:`riskkit.insurance.insured_limit`): 0 after a cancellation or
    with only a request; does not apply to a customer without any insurance
    decision. Under ``combine="min"`` no method gives more than the insurer
    covers.

A method whose inputs are missing does not apply (no statement, no invoice,
no trade reference). **Net worth or working capital <= 0**: with
``nonpositive_base="zero"`` (the default) the method applies and gives 0 --
a firm without tangible net worth or liquidity backs no credit on that basis,
and under ``"min"`` that makes the limit 0; ``"skip"`` treats the method as
not applicable instead. The methods that apply are combined by ``combine``:
``"min"`` (default), ``"max"`` or ``"median"`` (the *lower* middle value for
an even count, so the limit is always one method's figure and that method is
named). A customer to which no method applies gets 0 (``binding_method``
``"none"``). Finally the **concentration cap**, ``concentration_share`` (10 %)
x ``seller_annual_revenue``, caps every limit (``binding_method``
``"concentration"`` where it binds); it is not applied when the seller's
revenue is ``None``. Limits are never negative.

Limit review
------------
The methods say what the customer's figures justify (``method_limit``). The
review then sets the limit against the one on file (the ``credit_limit``
feature), so that it fits the customer's business:

1. **Purchases floor** (grades ``floor_grade``, BBB, and better; not in
   default): a limit is never below the exposure the customer's regular
   purchases on its own terms create::

       floor = max(A x D / 30, E) + floor_headroom_months x A

   ``A`` is the average monthly invoiced amount over the 365 days up to
   ``as_of``, net of credit notes (divided by 12, or by the months of history
   when shorter, at least 1; never below 0), ``D`` the customer's own average
   payment terms in days (``due - issued``) of its invoices issued in those
   365 days, weighted by amount (credit notes have no terms), so ``A x D /
   30`` is what its regular purchases keep open on its terms. ``E`` is its
   exposure within terms today: counted exposure less the overdue amount
   (orders, deliveries and invoices not yet due; ``floor_exposure=False``
   leaves it out). ``floor_headroom_months`` (1) months of purchases on top
   leave room for its next regular order. Only documents issued by ``as_of``
   count.
2. **Cap on the cut**: one review cuts a limit by at most ``max_cut`` (50 %)
   of the limit on file, so it stays at or above ``(1 - max_cut) x
   credit_limit``; not for grades ``max_cut_exempt_grade`` (CCC) and worse,
   nor for a customer in default (their limit may go to 0 at once), nor
   without a limit on file.
3. **Default**: a customer in default (the ``in_default`` feature, where the
   features have it) gets 0, neither floor nor cap applying.
4. **Concentration**: neither the floor nor the cut cap lifts a limit above
   the concentration cap.
5. **Rounding** to a multiple of ``limit_rounding`` (1,000): *down* for a
   figure the methods or the concentration cap set (never more than they
   justify), *up* where rounding down would break the floor or the cut cap
   (never less than they guarantee), never above the concentration cap.

6. **Group headroom** (only for a customer whose corporate group has a
   ``group_limit``, docs/domain.md, *Corporate groups*): a member's limit
   is at most what its group still allows it, ``group cap = max(0,
   exposure + group headroom)``, where ``exposure`` is the member's counted
   exposure and ``group headroom = group limit - group exposure``
   (:func:`riskkit.groups.group_headroom`): it may take all the group's
   headroom, no more. The cap is applied last, over the floor and the cut
   cap, rounded *down* to a multiple of ``limit_rounding``; where it lowers
   the limit, ``bound_by`` is ``"group"`` and the reason begins ``capped by
   group '<top parent>' headroom``. A group already over its limit gives
   its members a cap below their exposure (no new credit). The order check
   does not use this cap: its ``group_limit`` step holds a member's order
   against the group limit itself.

That is, ``limit = round(min(concentration cap, max(method_limit, floor,
cut cap)))``, then at most the group cap. Each limit carries its ``direction`` against the one on file
(``"rise"``, ``"hold"`` or ``"fall"``; none on file counts as 0), the rule
that set it (``bound_by``: ``"method"``, ``"concentration"``, ``"floor"``,
``"cut_cap"``, ``"rounding"`` when rounding decided the direction,
``"default"``, ``"group"`` or ``"none"``) and a ``reason`` telling both in words and
numbers; :meth:`Recommendations.changes_by_grade` counts the moves per grade.
``CreditPolicy(limit_rounding=0, floor_grade="", max_cut=1)`` gives the
methods' figures alone (a customer in default still gets 0).

Grades come from a :class:`~riskkit.scoring.ScoreResult` aligned with the
portfolio. A **new customer** -- no invoice, or a first invoice less than
``new_customer_months`` (12) months before ``as_of`` -- is not graded above
``new_customer_max_grade`` (AA) for limits, terms and conditions. A customer
without a grade (NaN score, grade ``""``) is treated as the worst grade.

Default terms and conditions by grade:

=====  ==========  ===================  ======================
grade  terms_days  payment terms        conditions
=====  ==========  ===================  ======================
AAA    90          net 90               none
AA     60          net 60               none
A      60          net 60               none
BBB    45          net 45               none
BB     30          net 30               credit_insurance
B      0           cash on delivery     guarantee
CCC-D  0           prepayment           prepayment
=====  ==========  ===================  ======================

With the default coefficients a BB or B customer gets a sales-based limit of
0, so under ``"min"`` it buys on open account only where you raise its
coefficient (or choose another combination).

Examples
--------
>>> import riskkit
>>> from riskkit.policy import CreditPolicy
>>> from riskkit.scoring import ScoreResult
>>> book = riskkit.Portfolio.from_records(
...     customers=[{"id": "C1"}, {"id": "C2"}],
...     exposures=[{"customer_id": "C1", "credit_limit": 20000.0}],
...     invoices=[{"id": f"I{m}", "customer_id": "C1", "issued": f"2024-{m:02d}-01",
...                "due": f"2024-{m:02d}-28", "amount": 12400.0, "paid_amount": 12400.0,
...                "paid_on": f"2024-{m:02d}-28"} for m in range(1, 13)]
...              + [{"id": "I0", "customer_id": "C1", "issued": "2023-12-01", "due": "2023-12-28",
...                  "amount": 9000.0, "paid_amount": 9000.0, "paid_on": "2023-12-28"}],
...     statements=[{"customer_id": "C1", "period_end": "2023-12-31", "equity": 400000.0,
...                  "current_assets": 300000.0, "current_liabilities": 100000.0, "net_income": 9000.0}],
...     as_of="2024-12-30")
>>> scores = ScoreResult(score=[65.0, 95.0], pd=[0.005, 0.001], grade=["BBB", "AAA"], customer_ids=["C1", "C2"])
>>> rec = CreditPolicy.default().recommend(book, scores)
>>> rec.limit.tolist(), rec.direction.tolist(), rec.bound_by.tolist()
([24000.0, 0.0], ['rise', 'hold'], ['floor', 'none'])
>>> print(rec.reason[0])
rise 20,000 -> 24,000: purchases floor (grade BBB; BBB and better):
max(regular purchases 12,400/month x 27 days / 30 = 11,160, exposure within terms 0)
+ 1 month of purchases 12,400 = 23,560; the methods give 11,160: sales-based: 12,400 avg
monthly x 1.5 months x 0.6 (BBB) = 11,160 (lowest of 3 methods) -> rounded up to 24,000
(a multiple of 1,000)
>>> rec.policy_grade.tolist(), rec.payment_terms.tolist()
(['BBB', 'AA'], ['net 45', 'net 60'])
>>> methods_only = CreditPolicy(limit_rounding=0, floor_grade="", max_cut=1).recommend(book, scores)
>>> methods_only.limit.tolist(), methods_only.binding_method.tolist()
([11160.0, 0.0], ['sales', 'none'])
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit import finance
from riskkit._checks import Interval, check, check_scores
from riskkit._memory import large_step
from riskkit._numeric import factorize, group_sum
from riskkit._pit import latest_statements, statement_column
from riskkit.errors import ValidationError
from riskkit.groups import group_exposure, group_limit, group_of
from riskkit.insurance import insured_limit
from riskkit.policy._config import CENT, TERM_MONTH_DAYS
from riskkit.policy._reasons import reasons
from riskkit.policy._recommendations import Recommendations
from riskkit.scoring._result import ScoreResult

if TYPE_CHECKING:
    from riskkit.policy._policy import CreditPolicy
    from riskkit.portfolio import Portfolio

__all__ = ["grade_index", "group_cap", "history", "limit_arrays", "recommend"]

_MONTH_DAYS = 365.0 / 12.0
_HISTORY_DAYS = 365
_MOVES = np.array(["hold", "rise", "fall"], dtype=object)  # by sign of the change: 0, 1, -1


def recommend(
    policy: CreditPolicy, portfolio: Portfolio, scores: ScoreResult, as_of: Any = None, *, trade_references: Any = None
) -> Recommendations:
    """Credit limit, payment terms and conditions for every customer (see :meth:`CreditPolicy.recommend`)."""
    with large_step(portfolio):  # a large book: see riskkit._memory
        return _recommend(policy, portfolio, scores, as_of, trade_references)


def _recommend(
    policy: CreditPolicy, portfolio: Portfolio, scores: ScoreResult, as_of: Any, trade_references: Any
) -> Recommendations:
    when = portfolio.resolve_as_of(as_of)
    a = limit_arrays(policy, portfolio, when, scores, trade_references)
    a.update(group_cap(policy, portfolio, when, a))  # nothing for a book without group limits
    current = a["current_limit"]
    rec = Recommendations(
        customer_ids=portfolio.customer_ids,
        grade=a.pop("grade"),
        policy_grade=np.array(policy.grades, dtype=object)[a["policy_grade_index"]],
        new_customer=a["new_customer"],
        history_months=a["history_months"],
        limit=a["limit"],
        binding_method=a["binding_method"],
        reason=functools.partial(reasons, policy, a),  # written when first read: see Recommendations.reason
        terms_days=a["terms_days"],
        payment_terms=a["payment_terms"],
        conditions=a["conditions"],
        current_limit=current,
        change=a["limit"] - current,
        direction=a["direction"],
        bound_by=a["bound_by"],
        method_limit=a["method_limit"],
        floor=a["floor"],
        cut_cap=a["cut_cap"],
        in_default=a["in_default"],
        method_limits=a["method_limits"],
        as_of=when.astype(object),
        policy_version=policy.version,
        grades=policy.grades,
    )
    _share_with_reasons(a, rec)
    return rec


#: The arrays of :func:`limit_arrays` that the recommendations keep (each its own read-only copy) and the
#: reasons read.
_KEPT = ("history_months", "new_customer", "limit", "binding_method", "terms_days", "current_limit", "direction",
         "method_limit", "floor", "cut_cap", "in_default")
#: What :func:`riskkit.policy._reasons.reasons` never reads.
_NOT_IN_REASONS = ("net_income", "combined", "bound_by", "payment_terms", "conditions")


def _share_with_reasons(a: dict[str, Any], rec: Recommendations) -> None:
    """Let ``a``, which the lazy reasons of ``rec`` hold until they are first read, refer to the copies ``rec``
    keeps of the same arrays (equal values and type) and let go of what the reasons never read: one array per
    figure, not two (a book of a million customers: about 200 MB)."""
    for name in _KEPT:
        own = getattr(rec, name)
        if own.dtype == a[name].dtype:
            a[name] = own
    a["method_limits"] = {
        m: rec.method_limits[m] if rec.method_limits[m].dtype == v.dtype else v for m, v in a["method_limits"].items()
    }
    for name in _NOT_IN_REASONS:
        a.pop(name, None)


def limit_arrays(
    policy: CreditPolicy, portfolio: Portfolio, when: np.datetime64, scores: Any, trade_references: Any
) -> dict[str, Any]:
    """Every array :func:`recommend` reports (one value per customer), and what the reasons quote."""
    n = portfolio.n_customers
    gidx, grade = grade_index(policy, portfolio, scores)
    months, purchases, avg_terms = history(portfolio, when)
    pgidx, new = _policy_grades(policy, gidx, months)
    figures = _method_figures(policy, portfolio, when, pgidx, months, purchases, trade_references)
    by_method = figures.pop("by_method")
    combined = _combine(policy, by_method, n)
    cap_value, capped = _concentration(policy, combined["combined"], combined["combined_method"], n)
    method_limits = {**{m: by_method[m] for m in policy.methods}, "concentration": capped.pop("concentration")}
    features = portfolio.features(when)
    current = np.asarray(features["credit_limit"], dtype=np.float64)
    review = _review(policy, features, pgidx, figures["avg_monthly"], avg_terms, capped["method_limit"],
                     capped["binding_method"], combined["count"], current, cap_value)
    conditions = np.array([policy.conditions[g] for g in policy.grades], dtype=object)[pgidx]
    terms = figures["terms_days"]
    payment_terms = np.where(
        conditions == "prepayment", "prepayment", np.where(terms == 0, "cash on delivery", _net(terms))
    )
    return {
        "grade": grade,
        "grade_index": gidx,
        "policy_grade_index": pgidx,
        "new_customer": new,
        "history_months": months,
        **figures,
        "method_limits": method_limits,
        **combined,
        **capped,
        **review,
        "payment_terms": payment_terms,
        "conditions": conditions,
        "current_limit": current,
    }


def group_cap(
    policy: CreditPolicy, portfolio: Portfolio, when: np.datetime64, a: Mapping[str, Any]
) -> dict[str, Any]:
    """The recommended limits capped by their group's headroom ("Limit review", step 6); ``{}`` without groups.

    Returns the arrays of ``a`` the cap changes (``limit``, ``direction``,
    ``bound_by``) and what the reasons quote (``group_id``, ``group_limit``,
    ``group_exposure``, ``member_exposure``, ``group_cap``, ``group_bound``,
    ``uncapped_limit``, ``uncapped_direction``). A book whose customers have
    no ``group_limit`` gets ``{}``: its recommendations are the ones it
    always had.
    """
    limit_of_group = group_limit(portfolio)
    has_limit = np.isfinite(limit_of_group)
    if not has_limit.any():
        return {}
    exposure = np.nan_to_num(np.asarray(portfolio.features(when)["exposure"], dtype=np.float64), nan=0.0)
    in_group = group_exposure(portfolio, when)
    headroom = limit_of_group - in_group
    cap = np.where(has_limit, np.maximum(exposure + np.where(has_limit, headroom, 0.0), 0.0), np.inf)
    unit = policy.limit_rounding
    if unit > 0:
        with np.errstate(invalid="ignore"):
            cap = np.where(has_limit, np.floor(cap / unit + 1e-9) * unit, np.inf)
    limit = a["limit"]
    bound = limit > cap + CENT
    capped = np.where(bound, cap, limit)
    current = a["current_limit"]
    direction = _direction(capped, np.where(np.isfinite(current), current, 0.0))
    bound_by = np.where(bound, "group", a["bound_by"]).astype(object)
    return {
        "limit": capped,
        "direction": direction,
        "bound_by": bound_by,
        "group_id": np.asarray(portfolio.customer_ids, dtype=object)[group_of(portfolio)],
        "group_limit": limit_of_group,
        "group_exposure": in_group,
        "member_exposure": exposure,
        "group_cap": np.where(has_limit, cap, np.nan),
        "group_bound": bound,
        "uncapped_limit": limit,
        "uncapped_direction": a["direction"],
    }


# --- grades --------------------------------------------------------------------------


def grade_index(policy: CreditPolicy, portfolio: Portfolio, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    """Index into ``policy.grades`` of each customer's score grade (ungraded: the worst), and the score
    grades as text objects (one string per distinct grade)."""
    check_scores(portfolio, scores, ScoreResult)
    lookup = {g: i for i, g in enumerate(policy.grades)}
    lookup[""] = len(policy.grades) - 1
    distinct, codes = factorize(scores.grade)  # a label per customer: hashed, not copied and sorted as text
    labels = [str(g) for g in distinct]
    unknown = sorted({u for u in labels if u not in lookup})
    if unknown:
        raise ValidationError(
            f"scores hold grades {unknown} the policy does not know; policy grades: {', '.join(policy.grades)}",
            field="grades",
            value=unknown,
        )
    text = np.empty(len(labels), dtype=object)
    text[:] = labels
    return np.array([lookup[u] for u in labels], dtype=np.int64)[codes], text[codes]


def _policy_grades(policy: CreditPolicy, gidx: np.ndarray, months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grade index after the new-customer cap, and the new-customer flag."""
    new = np.isnan(months) | (months < policy.new_customer_months)
    if policy.new_customer_months == 0:
        new = np.zeros_like(new)
    cap = policy.grades.index(policy.new_customer_max_grade)
    return np.where(new & (gidx < cap), cap, gidx), new


def _per_grade(policy: CreditPolicy, mapping: Mapping[str, Any], dtype: Any) -> np.ndarray:
    return np.array([mapping[g] for g in policy.grades], dtype=dtype)


# --- the methods ---------------------------------------------------------------------


def history(portfolio: Portfolio, when: np.datetime64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer, from the documents issued on or before ``when``: months since the first one (NaN
    without any), the amount invoiced in the last 365 days net of credit notes, and the average
    payment terms in days (``due - issued``) of the invoices among them, weighted by amount (NaN
    without an invoice in those 365 days; credit notes have no terms)."""
    from riskkit.features import first_issued

    inv = portfolio.invoices
    n = portfolio.n_customers
    cust, amount = inv["customer"], inv["amount"]
    day = int(np.asarray(when).astype("datetime64[D]").astype(np.int64))
    # day numbers, compared in place (a large book has tens of millions of documents)
    issued = inv["issued"].astype("datetime64[D]", copy=False).view(np.int64)
    nat = np.iinfo(np.int64).min  # NaT: left out
    recent = issued > day - _HISTORY_DAYS  # issued in the last 365 days: day - issued < 365 ...
    recent &= issued <= day  # ... and >= 0
    if issued.size and int(issued.min()) == nat:
        recent &= issued != nat
    # the oldest document issued by ``when`` is the customer's first one, when that is issued by then
    first = first_issued(portfolio, debit_only=False)  # kept with the Portfolio (features read it)
    months = np.where(first <= day, (day - np.minimum(first, day)) / _MONTH_DAYS, np.nan)
    # the documents of the last 365 days alone: the others add 0 to every sum (in the same order); taken
    # by the mask, with no array of their positions
    cust, amount = cust[recent], amount[recent]
    purchases = group_sum(amount, cust, n)
    due = inv["due"].astype("datetime64[D]", copy=False).view(np.int64)
    terms = due[recent]
    # an invoice's own terms weigh by its amount: credit notes and documents without a due date do not
    invoice = amount > 0
    if due.size and int(due.min()) == nat:
        invoice &= terms != nat
    terms -= issued[recent]  # due - issued
    del recent
    invoice &= terms >= 0
    weight = amount  # the amounts are not needed beyond here: the weights take their place
    np.copyto(weight, 0.0, where=~invoice)
    del invoice
    np.maximum(terms, 0, out=terms)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg_terms = group_sum(weight * terms, cust, n) / group_sum(weight, cust, n)
    return months, purchases, avg_terms


def _method_figures(
    policy: CreditPolicy,
    portfolio: Portfolio,
    when: np.datetime64,
    pgidx: np.ndarray,
    months: np.ndarray,
    purchases: np.ndarray,
    trade_references: Any,
) -> dict[str, Any]:
    """Each limit method's figure per customer (``by_method``; NaN where it does not apply), and its inputs."""
    latest, _ = latest_statements(portfolio, when)

    def item(name: str) -> np.ndarray:
        return statement_column(portfolio, latest, name)

    tnw = finance.tangible_net_worth(item("equity"), item("intangible_assets"))
    wc = finance.working_capital(item("current_assets"), item("current_liabilities"))
    net_income = item("net_income")
    nonpositive = 0.0 if policy.nonpositive_base == "zero" else np.nan
    k = _per_grade(policy, policy.net_worth_k, np.float64)[pgidx]
    loss = net_income <= 0  # NaN compares False: an unknown net income is not penalised
    k_used = k * np.where(loss, policy.net_worth_loss_factor, 1.0)
    with np.errstate(invalid="ignore"):
        net_worth = np.where(np.isnan(tnw), np.nan, np.where(tnw > 0, k_used * tnw, nonpositive))
        working = np.where(np.isnan(wc), np.nan, np.where(wc > 0, policy.working_capital_share * wc, nonpositive))
    terms = _per_grade(policy, policy.terms_days, np.int64)[pgidx]
    coefficient = _per_grade(policy, policy.sales_coefficient, np.float64)[pgidx]
    months_observed = np.clip(months, 1.0, 12.0)
    avg_monthly = purchases / months_observed  # NaN without any invoice
    refs = _trade_references(portfolio, trade_references)
    # the insured limit only when the policy names the method: a book without insurance reads nothing more
    insured = insured_limit(portfolio, when) if "insured" in policy.methods else np.full(portfolio.n_customers, np.nan)
    return {
        "by_method": {
            "net_worth": net_worth,
            "working_capital": working,
            "sales": avg_monthly * (terms / TERM_MONTH_DAYS) * coefficient,
            "trade_reference": refs * policy.trade_reference_factor,
            "insured": insured,
        },
        "avg_monthly": avg_monthly,
        "months_observed": months_observed,
        "tangible_net_worth": tnw,
        "working_capital": wc,
        "net_income": net_income,
        "k": k,
        "k_used": k_used,
        "trade_reference": refs,
        "coefficient": coefficient,
        "terms_days": terms,
    }


def _trade_references(portfolio: Portfolio, refs: Any) -> np.ndarray:
    """The trade-reference figure per customer (NaN for none), from a mapping by id or an aligned array."""
    n = portfolio.n_customers
    if refs is None:
        return np.full(n, np.nan)
    if isinstance(refs, Mapping):
        out = np.full(n, np.nan)
        codes = portfolio.codes(list(refs))
        for code, (cid, value) in zip(codes.tolist(), refs.items(), strict=True):
            out[code] = check(f"trade_references[{cid!r}]", value, Interval(float, 0))
        return out
    try:
        arr = np.asarray(refs, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(
            "trade_references must be a mapping of customer id to amount or an array of amounts",
            field="trade_references",
        ) from None
    if arr.shape != (n,):
        raise ValidationError(
            f"trade_references has shape {arr.shape}; an array needs one value per customer ({n},) "
            "(NaN for none), or pass a mapping of customer id to amount",
            field="trade_references",
        )
    bad = np.flatnonzero(np.isinf(arr) | (arr < 0))
    if bad.size:
        i = int(bad[0])
        raise ValidationError(
            f"trade_references for customer {portfolio.customer_ids[i]!r} must be >= 0 and finite "
            f"(NaN for none), got {float(arr[i])!r}",
            field="trade_references",
            row=i,
            value=float(arr[i]),
        )
    return arr


def _combine(policy: CreditPolicy, by_method: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """The methods that apply, combined by ``policy.combine``: the figure, how many apply, whose figure it is."""
    stacked = np.column_stack([by_method[m] for m in policy.methods]) if n else np.zeros((0, len(policy.methods)))
    applies = ~np.isnan(stacked)
    count = applies.sum(axis=1)
    order = np.argsort(np.where(applies, stacked, np.inf), axis=1, kind="stable")
    if policy.combine == "min":
        pick = np.zeros(n, dtype=np.int64)
    elif policy.combine == "max":
        pick = np.maximum(count - 1, 0)
    else:
        pick = np.maximum(count - 1, 0) // 2  # the lower middle value: always one method's figure
    chosen = order[np.arange(n), pick] if n else np.zeros(0, dtype=np.int64)
    combined = np.where(count > 0, stacked[np.arange(n), chosen] if n else np.zeros(0), 0.0)
    method_names = np.array(policy.methods, dtype=object)
    combined_method = np.where(count > 0, method_names[chosen] if n else np.zeros(0, dtype=object), "none")
    return {"combined": combined, "count": count, "combined_method": combined_method}


def _concentration(
    policy: CreditPolicy, combined: np.ndarray, combined_method: np.ndarray, n: int
) -> tuple[float, dict[str, np.ndarray]]:
    """The concentration cap (inf when off) and the methods' limit under it, with the method that binds."""
    if policy.seller_annual_revenue is None:
        cap_value = math.inf
        cap = np.full(n, np.nan)
    else:
        cap_value = policy.concentration_share * policy.seller_annual_revenue
        cap = np.full(n, cap_value)
    capped = combined > cap_value
    return cap_value, {
        "concentration": cap,
        "method_limit": np.maximum(np.minimum(combined, cap_value), 0.0),
        "binding_method": np.where(capped, "concentration", combined_method).astype(object),
    }


# --- the review ----------------------------------------------------------------------


def _review(
    policy: CreditPolicy,
    features: Any,
    pgidx: np.ndarray,
    avg_monthly: np.ndarray,
    avg_terms: np.ndarray,
    method_limit: np.ndarray,
    binding: np.ndarray,
    count: np.ndarray,
    current: np.ndarray,
    cap_value: float,
) -> dict[str, np.ndarray]:
    """The limit review: purchases floor, cap on the cut, default, rounding; what bound each limit."""
    n = method_limit.size
    if "in_default" in features.names:
        in_default = np.asarray(features["in_default"], dtype=np.float64) == 1.0
    else:
        in_default = np.zeros(n, dtype=bool)
    floor_on, floor = _purchases_floor(policy, features, pgidx, avg_monthly, avg_terms, in_default)
    # the cap on the cut (not from max_cut_exempt_grade down, nor in default, nor without a limit on file)
    exempt = in_default | (pgidx >= policy.grades.index(policy.max_cut_exempt_grade))
    on_file = np.isfinite(current)
    cut_cap = np.where(~exempt & on_file, (1.0 - policy.max_cut) * np.where(on_file, current, 0.0), np.nan)

    with np.errstate(invalid="ignore"):
        from_floor = floor_on & (floor["floor"] > method_limit) & ~(cut_cap > floor["floor"])
        from_cap = (cut_cap > method_limit) & ~from_floor
    guarantee = np.where(
        in_default, 0.0, np.fmax(np.nan_to_num(floor["floor"], nan=0.0), np.nan_to_num(cut_cap, nan=0.0))
    )
    target = np.where(in_default, 0.0, np.minimum(np.maximum(method_limit, guarantee), cap_value))
    lifted_by = np.full(n, "", dtype=object)
    lifted_by[from_floor & ~in_default] = "floor"
    lifted_by[from_cap & ~in_default] = "cut_cap"
    limit = _rounded(policy.limit_rounding, target, guarantee, cap_value)
    now = np.where(on_file, current, 0.0)
    direction = _direction(limit, now)
    bound_by = np.full(n, "method", dtype=object)
    bound_by[count == 0] = "none"
    bound_by[binding == "concentration"] = "concentration"
    bound_by[from_floor] = "floor"
    bound_by[from_cap] = "cut_cap"
    bound_by[(from_floor | from_cap) & (guarantee > cap_value)] = "concentration"
    bound_by[in_default] = "default"
    if policy.limit_rounding > 0:
        bound_by[(direction != _direction(target, now)) & ~in_default] = "rounding"
    return {
        "in_default": in_default,
        **floor,
        "avg_terms": avg_terms,
        "cut_cap": cut_cap,
        "exempt": exempt,
        "lifted_by": lifted_by,
        "guarantee": guarantee,
        "unrounded": target,
        "limit": limit,
        "bound_by": bound_by,
        "direction": direction,
    }


def _purchases_floor(
    policy: CreditPolicy,
    features: Any,
    pgidx: np.ndarray,
    avg_monthly: np.ndarray,
    avg_terms: np.ndarray,
    in_default: np.ndarray,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Where the floor applies (grades ``floor_grade`` and better, not in default), and the floor with its parts."""
    n = pgidx.size
    monthly = np.maximum(np.nan_to_num(avg_monthly, nan=0.0), 0.0)
    regular = monthly * np.nan_to_num(avg_terms, nan=0.0) / TERM_MONTH_DAYS
    if policy.floor_exposure:
        exposure = np.nan_to_num(np.asarray(features["exposure"], dtype=np.float64), nan=0.0)
        overdue = np.nan_to_num(np.asarray(features["overdue_amount"], dtype=np.float64), nan=0.0)
        in_terms = np.maximum(exposure - overdue, 0.0)
    else:
        in_terms = np.zeros(n)
    if policy.floor_grade:
        floor_on = (pgidx <= policy.grades.index(policy.floor_grade)) & ~in_default
    else:
        floor_on = np.zeros(n, dtype=bool)
    floor = np.where(floor_on, np.maximum(regular, in_terms) + policy.floor_headroom_months * monthly, np.nan)
    return floor_on, {"regular_exposure": regular, "in_terms_exposure": in_terms, "floor": floor}


def _rounded(unit: float, target: np.ndarray, guarantee: np.ndarray, cap_value: float) -> np.ndarray:
    """Limits on multiples of ``unit`` (0: exact): down from a method's figure (never more than it
    justifies), up where that would break a guarantee (floor, cut cap), never above the
    concentration cap; 1e-9 absorbs float noise."""
    if unit <= 0:
        return target
    limit = np.floor(target / unit + 1e-9) * unit
    low = np.minimum(guarantee, cap_value)
    limit = np.where(limit < low, np.ceil(low / unit - 1e-9) * unit, limit)
    limit = np.where(limit > cap_value, np.floor(cap_value / unit + 1e-9) * unit, limit)
    return np.maximum(limit, 0.0)


def _direction(limit: np.ndarray, now: np.ndarray) -> np.ndarray:
    """``"rise"``, ``"hold"`` or ``"fall"`` of each limit against the one on file (to half a cent)."""
    diff = limit - now
    return _MOVES[(diff > CENT).astype(np.int64) - (diff < -CENT)]


def _net(terms: np.ndarray) -> np.ndarray:
    """``"net N"`` for each term of N days, as objects: one string per distinct term (a book has a few)."""
    days, which = np.unique(terms, return_inverse=True)
    return np.array([f"net {d}" for d in days.tolist()], dtype=object)[which.reshape(-1)]
