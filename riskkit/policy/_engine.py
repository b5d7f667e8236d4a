"""Credit policy: limits, payment terms and conditions by grade, and the credit check on an order.

A :class:`CreditPolicy` turns grades into decisions (docs/domain.md, *Grades, limits and terms* and §7):

* :meth:`CreditPolicy.recommend` gives every customer a credit limit (with
  the method that bound it and a human-readable reason), payment terms and
  conditions, next to the limit on file;
* :meth:`CreditPolicy.check_order` / :meth:`CreditPolicy.check_orders` run the
  SAP-style credit check on new orders and record each
  :class:`CreditDecision` with the facts it used.

A policy is plain data: build it with :meth:`CreditPolicy.default`,
:meth:`CreditPolicy.from_dict`, :meth:`CreditPolicy.from_json` or
:meth:`CreditPolicy.from_toml`, keep it under version control, and put its
``version`` on every decision.

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

That is, ``limit = round(min(concentration cap, max(method_limit, floor,
cut cap)))``. Each limit carries its ``direction`` against the one on file
(``"rise"``, ``"hold"`` or ``"fall"``; none on file counts as 0), the rule
that set it (``bound_by``: ``"method"``, ``"concentration"``, ``"floor"``,
``"cut_cap"``, ``"rounding"`` when rounding decided the direction,
``"default"`` or ``"none"``) and a ``reason`` telling both in words and
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
>>> from riskkit.policy._engine import CreditPolicy
>>> from riskkit.scoring._result import ScoreResult
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

import datetime as _dt
import functools
import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from riskkit import finance
from riskkit._documents import load_json, load_toml
from riskkit._numeric import group_sum
from riskkit.errors import FormatError, ValidationError
from riskkit.scoring._result import ScoreResult

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio

__all__ = [
    "COMBINE_RULES",
    "CONDITIONS",
    "LIMIT_METHODS",
    "OUTCOMES",
    "STEPS",
    "CreditDecision",
    "CreditPolicy",
    "Recommendations",
    "StepResult",
    "dunning_level",
]

#: Grades of the default master scale, best first.
GRADES: tuple[str, ...] = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")
#: Credit-limit methods, in the default order (ties bind the earlier one).
LIMIT_METHODS: tuple[str, ...] = ("net_worth", "working_capital", "sales", "trade_reference")
#: How the methods that apply are combined.
COMBINE_RULES: tuple[str, ...] = ("min", "max", "median")
#: Conditions a grade may require.
CONDITIONS: tuple[str, ...] = ("none", "guarantee", "credit_insurance", "prepayment")
#: Credit-check steps, in the order they run (docs/domain.md, *Order checks*).
STEPS: tuple[str, ...] = (
    "blocked",
    "static_limit",
    "max_document_value",
    "oldest_open_item",
    "dunning_level",
    "payment_index",
)
#: Outcomes of a credit check, mildest first.
OUTCOMES: tuple[str, ...] = ("approve", "approve_with_conditions", "hold", "reject")
#: What a failing step does: its ``on_fail`` setting and the outcome it leads to.
ON_FAIL: dict[str, str] = {"conditions": "approve_with_conditions", "hold": "hold", "reject": "reject"}
SEGMENT_BY: tuple[str, ...] = ("debtor_type", "industry")

_METHOD_LABEL = {
    "net_worth": "net worth",
    "working_capital": "working capital",
    "sales": "sales-based",
    "trade_reference": "trade reference",
}
_MONTH_DAYS = 365.0 / 12.0
_HISTORY_DAYS = 365
_TERM_MONTH_DAYS = 30.0
_CENT = 0.005
_MOVES = np.array(["hold", "rise", "fall"], dtype=object)  # by sign of the change: 0, 1, -1
#: How a limit moved against the one on file.
DIRECTIONS: tuple[str, ...] = ("rise", "hold", "fall")
#: What set a recommended limit (see "Limit review" in the module docstring).
BOUND_BY: tuple[str, ...] = ("method", "concentration", "floor", "cut_cap", "rounding", "default", "none")

_DEFAULT_NET_WORTH_K = dict(zip(GRADES, (0.15, 0.125, 0.10, 0.075, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0), strict=True))
_DEFAULT_SALES_COEFFICIENT = dict(zip(GRADES, (2.0, 1.0, 0.8, 0.6, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), strict=True))
_DEFAULT_TERMS = dict(zip(GRADES, (90, 60, 60, 45, 30, 0, 0, 0, 0, 0), strict=True))
_DEFAULT_CONDITIONS = dict(
    zip(
        GRADES,
        ("none", "none", "none", "none", "credit_insurance", "guarantee")
        + ("prepayment",) * 4,
        strict=True,
    )
)

# step -> parameter -> kind; every step has "enabled" and "on_fail"
_STEP_PARAMS: dict[str, dict[str, Any]] = {
    "blocked": {},
    "static_limit": {"limit": ("current", "recommended", "lower")},
    "max_document_value": {"max_amount": "amount"},
    "oldest_open_item": {"max_days": "amount"},
    "dunning_level": {"max_level": "level"},
    "payment_index": {"min_index": "index", "missing": ("pass", "fail")},
}
_DEFAULT_CHECKS: dict[str, dict[str, Any]] = {
    "blocked": {"enabled": True, "on_fail": "reject"},
    "static_limit": {"enabled": True, "on_fail": "hold", "limit": "current"},
    "max_document_value": {"enabled": True, "on_fail": "hold", "max_amount": 100_000.0},
    "oldest_open_item": {"enabled": True, "on_fail": "hold", "max_days": 30.0},
    "dunning_level": {"enabled": True, "on_fail": "hold", "max_level": 2},
    "payment_index": {"enabled": True, "on_fail": "conditions", "min_index": 50.0, "missing": "pass"},
}


# --- small immutable mapping ---------------------------------------------------------


class FrozenMap(Mapping[str, Any]):
    """A read-only, hashable mapping (so a frozen policy stays hashable)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._data.items())))

    def __repr__(self) -> str:
        return repr(self._data)

    def to_dict(self) -> dict[str, Any]:
        """A plain (nested) dict."""
        return {k: v.to_dict() if isinstance(v, FrozenMap) else v for k, v in self._data.items()}


# --- validation helpers --------------------------------------------------------------


def _fail(key: str, message: str, value: Any = None) -> ValidationError:
    return ValidationError(f"CreditPolicy.{key}: {message}", field=key, value=value)


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool | np.bool_) and isinstance(value, int | float | np.integer | np.floating)


def _number(key: str, value: Any, *, low: float = 0.0, high: float = math.inf, low_open: bool = False) -> float:
    """A finite float in ``[low, high]`` (``(low, high]`` when ``low_open``), or an error naming ``key``."""
    if not _is_number(value) or not math.isfinite(float(value)):
        raise _fail(key, f"must be a finite number, got {value!r}", value)
    x = float(value)
    if x < low or (low_open and x == low) or x > high:
        lo = f"> {low:g}" if low_open else f">= {low:g}"
        hi = "" if math.isinf(high) else f" and <= {high:g}"
        raise _fail(key, f"must be {lo}{hi}, got {value!r}", value)
    return x


def _integer(key: str, value: Any) -> int:
    if not _is_number(value) or not math.isfinite(float(value)) or float(value) != int(value):
        raise _fail(key, f"must be a whole number >= 0, got {value!r}", value)
    if int(value) < 0:
        raise _fail(key, f"must be a whole number >= 0, got {value!r}", value)
    return int(value)


def _boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise _fail(key, f"must be true or false, got {value!r}", value)
    return bool(value)


def _choice(key: str, value: Any, accepted: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in accepted:
        raise _fail(key, f"must be one of {', '.join(map(repr, accepted))}, got {value!r}", value)
    return value


def _as_tuple(value: Any) -> Any:
    """Sequences become tuples; anything else is left for validation to name."""
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(value.tolist() if isinstance(value, np.ndarray) else value)
    return value


def _as_map(value: Any) -> Any:
    """Mappings become FrozenMaps; anything else is left for validation to name."""
    return FrozenMap(value) if isinstance(value, Mapping) else value


def _names(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, tuple):
        raise _fail(key, f"must be a sequence of names, got {value!r}", value)
    for v in value:
        if not isinstance(v, str) or not v:
            raise _fail(key, f"must hold non-empty strings, got {v!r}", v)
    if len(set(value)) != len(value):
        raise _fail(key, f"must not repeat a name, got {list(value)!r}", list(value))
    return value


def _mapping(key: str, value: Any) -> FrozenMap:
    if not isinstance(value, FrozenMap):
        raise _fail(key, f"must be a mapping, got {type(value).__name__}", value)
    return value


def _to_bands(value: Any) -> tuple[int, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray):
        raise _fail("dunning_bands", f"must be a sequence of whole numbers of days, got {value!r}", value)
    out = tuple(_integer("dunning_bands", v) for v in value)
    if not out or any(b >= a for a, b in zip(out[1:], out[:-1], strict=True)):
        raise _fail("dunning_bands", f"must be a non-empty, strictly increasing sequence of days, got {list(out)!r}")
    return out


def _optional_revenue(value: Any) -> float | None:
    if value is None:
        return None
    return _number("seller_annual_revenue", value, low_open=True)


def _step_param(where: str, step: str, name: str, value: Any) -> Any:
    key = f"{where}.{step}.{name}"
    if name == "enabled":
        if not isinstance(value, bool | np.bool_):
            raise _fail(key, f"must be true or false, got {value!r}", value)
        return bool(value)
    if name == "on_fail":
        return _choice(key, value, tuple(ON_FAIL))
    kind = _STEP_PARAMS[step].get(name)
    if kind is None:
        accepted = ["enabled", "on_fail", *_STEP_PARAMS[step]]
        raise _fail(
            f"{where}.{step}", f"unknown parameter {name!r}; accepted: {', '.join(accepted)}", name
        )
    if isinstance(kind, tuple):
        return _choice(key, value, kind)
    if kind == "amount":
        return _number(key, value)
    if kind == "level":
        return _integer(key, value)
    return _number(key, value, high=100.0)  # "index"


def _step_block(where: str, value: Any) -> dict[str, dict[str, Any]]:
    """Validate ``{step: {param: value}}``; returns plain dicts."""
    if not isinstance(value, Mapping):
        raise _fail(where, f"must map a step to its parameters, got {type(value).__name__}", value)
    out: dict[str, dict[str, Any]] = {}
    for step, params in value.items():
        if step not in _STEP_PARAMS:
            raise _fail(where, f"unknown step {step!r}; steps: {', '.join(STEPS)}", step)
        if not isinstance(params, Mapping):
            raise _fail(f"{where}.{step}", f"must map a parameter to its value, got {params!r}", params)
        out[step] = {name: _step_param(where, step, name, v) for name, v in params.items()}
    return out


# --- the policy ----------------------------------------------------------------------


@attrs.frozen(repr=False)
class CreditPolicy:
    """Credit limits, payment terms, conditions and order checks by grade.

    Every parameter has a default (docs/domain.md, *Grades, limits and terms*, §7; see the module
    docstring for the conventions). Grade-keyed mappings may be partial: the
    grades left out keep their defaults. ``checks`` may be partial too (the
    steps and parameters left out keep theirs).

    Parameters
    ----------
    version : str, default "1"
        Your label for this policy; recorded on every :class:`CreditDecision`.
    grades : sequence of str
        Grade names best first (default AAA ... D, as :class:`~riskkit.MasterScale`).
    methods : sequence of str
        Limit methods to use, from :data:`LIMIT_METHODS` (default all of them).
    combine : {"min", "max", "median"}, default "min"
        How the methods that apply are combined.
    net_worth_k : mapping of grade to float in [0, 1]
        Share of tangible net worth (AAA 0.15, AA 0.125, A 0.10, BBB 0.075, BB 0.05, lower 0).
    net_worth_loss_factor : float in [0, 1], default 0.5
        Multiplies ``k`` when the latest net income is ``<= 0``.
    nonpositive_base : {"zero", "skip"}, default "zero"
        Net worth or working capital ``<= 0``: the method gives 0, or does not apply.
    working_capital_share : float in [0, 1], default 0.10
    sales_coefficient : mapping of grade to float >= 0
        AAA 2.0 (practitioners use 1.5-3.0), AA 1.0, A 0.8, BBB 0.6, lower 0.
    trade_reference_factor : float >= 0, default 1.0
        Multiplies the user-supplied trade reference.
    concentration_share : float in (0, 1], default 0.10
        Highest share of the seller's annual revenue one customer may owe.
    limit_rounding : float >= 0, default 1000
        Every limit is a multiple of this unit (in the reporting currency); 0
        keeps limits exact. A figure the methods or the concentration cap set
        is rounded *down* (never more than they justify); a figure the
        purchases floor or the cut cap set is rounded *up* (never less than
        they guarantee); nothing is rounded above the concentration cap.
    floor_grade : str, default "BBB"
        The purchases floor protects this grade and the better ones (policy
        grades); ``""`` switches the floor off. See "Limit review" in the
        module docstring for the formula.
    floor_headroom_months : float >= 0, default 1.0
        Months of average purchases the floor adds on top of the exposure the
        customer's purchases create: room for its next regular order.
    floor_exposure : bool, default True
        The floor is at least today's exposure within terms (counted exposure
        less the overdue amount); ``False`` uses the purchases estimate only.
    max_cut : float in [0, 1], default 0.5
        The largest share of the limit on file one review may cut; 1 lets a
        limit fall to the methods' figure at once, 0 never cuts.
    max_cut_exempt_grade : str, default "CCC"
        From this grade down (and for a customer in default) the cut is not
        capped: the limit may go to 0 in one review.
    seller_annual_revenue : float > 0 or None, default None
        The seller's revenue; ``None`` disables the concentration cap.
    terms_days : mapping of grade to int >= 0
        Payment terms in days; 0 is cash on delivery (or prepayment when the
        grade's condition is ``"prepayment"``).
    conditions : mapping of grade to str
        From :data:`CONDITIONS`: ``"none"``, ``"guarantee"``,
        ``"credit_insurance"`` or ``"prepayment"``.
    new_customer_months : float >= 0, default 12
        A customer whose first invoice is younger than this (or who has none)
        is new; 0 switches the grade cap off.
    new_customer_max_grade : str, default "AA"
        The best grade a new customer can get.
    segment_by : {"debtor_type", "industry"}, default "debtor_type"
        The customer column whose values name the segments of ``segments``.
    dunning_bands : sequence of int, default (0, 15, 30, 60, 90)
        Days past due edges of the derived dunning level: the level is the
        number of edges the oldest open item's days past due exceeds, so
        0 = not overdue (reminder), 1 = 1-15 (friendly reminder),
        2 = 16-30 (call), 3 = 31-60 (formal dunning letter), 4 = 61-90
        (visit), 5 = 91+ (final notice): the collections ladder of docs/domain.md, *Collections ladder*.
    checks : mapping of step to parameters
        Every step has ``enabled`` (bool) and ``on_fail`` (``"reject"``,
        ``"hold"`` or ``"conditions"``: approve with conditions), and:

        ==================  =================================================  =========================
        step                parameters (default)                               passes when
        ==================  =================================================  =========================
        blocked             on_fail "reject"                                   the ERP block is not set
        static_limit        limit "current" | "recommended" | "lower";         exposure + order <= limit
                            on_fail "hold"
        max_document_value  max_amount 100,000; on_fail "hold"                 order <= max_amount
        oldest_open_item    max_days 30; on_fail "hold"                        days past due of the
                                                                               oldest open item <= max_days
        dunning_level       max_level 2; on_fail "hold"                        dunning level <= max_level
        payment_index       min_index 50, missing "pass";                      payment index >= min_index
                            on_fail "conditions"
        ==================  =================================================  =========================

        ``limit="current"`` is the limit on file (none on file counts as 0),
        ``"recommended"`` the one :meth:`recommend` gives (needs ``scores``)
        and ``"lower"`` the lower of the two.
    segments : mapping of segment to {step: parameters}
        Overrides of ``checks`` for the customers whose ``segment_by`` column
        holds that segment, e.g. ``{"government": {"max_document_value":
        {"max_amount": 1_000_000}}}``.

    Raises
    ------
    ValidationError
        Naming the key (``CreditPolicy.<key>``) and what it accepts.

    Examples
    --------
    >>> p = CreditPolicy(version="2025-01", sales_coefficient={"AAA": 2.5}, seller_annual_revenue=5e6)
    >>> p.sales_coefficient["AAA"], p.sales_coefficient["AA"]
    (2.5, 1.0)
    >>> p
    CreditPolicy(version='2025-01', methods=('net_worth', 'working_capital', 'sales', 'trade_reference'), combine='min', seller_annual_revenue=5000000.0)
    >>> CreditPolicy(combine="mean")
    Traceback (most recent call last):
    ...
    riskkit.errors.ValidationError: CreditPolicy.combine: must be one of 'min', 'max', 'median', got 'mean'
    """

    version: str = "1"
    grades: tuple[str, ...] = attrs.field(default=GRADES, converter=_as_tuple)
    methods: tuple[str, ...] = attrs.field(default=LIMIT_METHODS, converter=_as_tuple)
    combine: str = "min"
    net_worth_k: Mapping[str, float] = attrs.field(factory=FrozenMap, converter=_as_map)
    net_worth_loss_factor: float = 0.5
    nonpositive_base: str = "zero"
    working_capital_share: float = 0.10
    sales_coefficient: Mapping[str, float] = attrs.field(factory=FrozenMap, converter=_as_map)
    trade_reference_factor: float = 1.0
    concentration_share: float = 0.10
    limit_rounding: float = 1000.0
    floor_grade: str = "BBB"
    floor_headroom_months: float = 1.0
    floor_exposure: bool = True
    max_cut: float = 0.5
    max_cut_exempt_grade: str = "CCC"
    seller_annual_revenue: float | None = attrs.field(default=None, converter=_optional_revenue)
    terms_days: Mapping[str, int] = attrs.field(factory=FrozenMap, converter=_as_map)
    conditions: Mapping[str, str] = attrs.field(factory=FrozenMap, converter=_as_map)
    new_customer_months: float = 12.0
    new_customer_max_grade: str = "AA"
    segment_by: str = "debtor_type"
    dunning_bands: tuple[int, ...] = attrs.field(default=(0, 15, 30, 60, 90), converter=_to_bands)
    checks: Mapping[str, Mapping[str, Any]] = attrs.field(factory=FrozenMap, converter=_as_map)
    segments: Mapping[str, Mapping[str, Mapping[str, Any]]] = attrs.field(
        factory=FrozenMap, converter=_as_map
    )

    def __attrs_post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)  # normalise a frozen field once, at construction

        _names("grades", self.grades)
        _names("methods", self.methods)
        for key in ("net_worth_k", "sales_coefficient", "terms_days", "conditions", "checks", "segments"):
            _mapping(key, getattr(self, key))
        if not isinstance(self.version, str) or not self.version:
            raise _fail("version", f"must be a non-empty string, got {self.version!r}", self.version)
        if not self.grades:
            raise _fail("grades", "must name at least one grade")
        if not self.methods:
            raise _fail("methods", f"must name at least one method of {', '.join(LIMIT_METHODS)}")
        for m in self.methods:
            _choice("methods", m, LIMIT_METHODS)
        _choice("combine", self.combine, COMBINE_RULES)
        _choice("nonpositive_base", self.nonpositive_base, ("zero", "skip"))
        _choice("segment_by", self.segment_by, SEGMENT_BY)
        _choice("new_customer_max_grade", self.new_customer_max_grade, self.grades)
        put("net_worth_loss_factor", _number("net_worth_loss_factor", self.net_worth_loss_factor, high=1.0))
        put("working_capital_share", _number("working_capital_share", self.working_capital_share, high=1.0))
        put("trade_reference_factor", _number("trade_reference_factor", self.trade_reference_factor))
        put(
            "concentration_share",
            _number("concentration_share", self.concentration_share, high=1.0, low_open=True),
        )
        put("new_customer_months", _number("new_customer_months", self.new_customer_months))
        put("limit_rounding", _number("limit_rounding", self.limit_rounding))
        put("net_worth_k", self._grade_map("net_worth_k", _DEFAULT_NET_WORTH_K,
                                           lambda k, v: _number(k, v, high=1.0)))
        put("sales_coefficient", self._grade_map("sales_coefficient", _DEFAULT_SALES_COEFFICIENT, _number))
        put("terms_days", self._grade_map("terms_days", _DEFAULT_TERMS, _integer))
        put("conditions", self._grade_map("conditions", _DEFAULT_CONDITIONS,
                                          lambda k, v: _choice(k, v, CONDITIONS)))
        if self.floor_grade not in ("", *self.grades):
            raise _fail("floor_grade", f"must be one of the grades {', '.join(map(repr, self.grades))} (the "
                        f"worst grade the purchases floor protects) or '' (no floor), got {self.floor_grade!r}",
                        self.floor_grade)
        put("floor_headroom_months", _number("floor_headroom_months", self.floor_headroom_months))
        put("floor_exposure", _boolean("floor_exposure", self.floor_exposure))
        put("max_cut", _number("max_cut", self.max_cut, high=1.0))
        if self.max_cut_exempt_grade not in self.grades:
            raise _fail("max_cut_exempt_grade", f"must be one of the grades {', '.join(map(repr, self.grades))} "
                        f"(the best grade whose cut is not capped), got {self.max_cut_exempt_grade!r}",
                        self.max_cut_exempt_grade)
        given = _step_block("checks", self.checks)
        put("checks", FrozenMap(
            (step, FrozenMap({**_DEFAULT_CHECKS[step], **given.get(step, {})})) for step in STEPS
        ))
        segments = {}
        for label, block in self.segments.items():
            if not isinstance(label, str):
                raise _fail("segments", f"segment names must be strings, got {label!r}", label)
            steps = _step_block(f"segments.{label}", block)
            segments[label] = FrozenMap((s, FrozenMap(p)) for s, p in steps.items())
        put("segments", FrozenMap(segments))

    def _grade_map(self, key: str, defaults: Mapping[str, Any], check: Any) -> FrozenMap:
        given = getattr(self, key)
        unknown = [g for g in given if g not in self.grades]
        if unknown:
            raise _fail(key, f"unknown grades {unknown}; grades: {', '.join(self.grades)}", unknown)
        missing = [g for g in self.grades if g not in given and g not in defaults]
        if missing:
            raise _fail(key, f"no value for grades {missing} (they have no default); give every grade a value",
                        missing)
        merged = {g: given[g] if g in given else defaults[g] for g in self.grades}
        return FrozenMap({g: check(f"{key}[{g!r}]", v) for g, v in merged.items()})

    # --- construction and persistence --------------------------------------------

    @classmethod
    def default(cls) -> CreditPolicy:
        """The default policy (every parameter at its documented default).

        Examples
        --------
        >>> CreditPolicy.default().terms_days["BBB"]
        45
        """
        return cls()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CreditPolicy:
        """Build from a dict of parameters; keys left out keep their defaults.

        Raises
        ------
        ValidationError
            ``d`` is not a mapping, has an unknown key (the message lists the
            accepted keys) or an unacceptable value.

        Examples
        --------
        >>> CreditPolicy.from_dict({"combine": "median", "checks": {"payment_index": {"min_index": 60}}}).combine
        'median'
        >>> CreditPolicy.from_dict({"limit_cap": 5})
        Traceback (most recent call last):
        ...
        riskkit.errors.ValidationError: CreditPolicy: unknown keys ['limit_cap']; accepted: ...
        """
        if not isinstance(d, Mapping):
            raise ValidationError(f"a credit policy must be a mapping, got {type(d).__name__}")
        accepted = [f.name for f in attrs.fields(cls)]
        unknown = sorted(str(k) for k in d if k not in accepted)
        if unknown:
            raise ValidationError(
                f"CreditPolicy: unknown keys {unknown}; accepted: {', '.join(accepted)}",
                field=unknown[0],
                value=unknown,
            )
        return cls(**d)

    def to_dict(self) -> dict[str, Any]:
        """Every parameter as plain JSON-safe data; :meth:`from_dict` gives back an equal policy.

        Examples
        --------
        >>> p = CreditPolicy(seller_annual_revenue=2e6, segments={"project": {"oldest_open_item": {"max_days": 60}}})
        >>> CreditPolicy.from_dict(p.to_dict()) == p
        True
        """
        out: dict[str, Any] = {}
        for f in attrs.fields(type(self)):
            value = getattr(self, f.name)
            if isinstance(value, FrozenMap):
                value = value.to_dict()
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    def to_json(self) -> str:
        """The policy as a JSON document (sorted keys); :meth:`from_json` reads it back."""
        return json.dumps(self.to_dict(), sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text_or_path: str | os.PathLike[str]) -> CreditPolicy:
        """Build from a JSON document (text) or a path to one.

        Examples
        --------
        >>> CreditPolicy.from_json('{"version": "v2", "seller_annual_revenue": 1000000}').seller_annual_revenue
        1000000.0
        """
        return cls.from_dict(load_json(text_or_path, "credit policy"))

    @classmethod
    def from_toml(cls, text_or_path: str | os.PathLike[str]) -> CreditPolicy:
        """Build from a TOML document (text spanning lines) or a path to one.

        Leave ``seller_annual_revenue`` out for ``None`` (TOML has no null).

        Examples
        --------
        >>> p = CreditPolicy.from_toml('''
        ... version = "2025-02"
        ... combine = "max"
        ... [sales_coefficient]
        ... AAA = 3.0
        ... [segments.government.max_document_value]
        ... max_amount = 1_000_000
        ... ''')
        >>> p.combine, p.sales_coefficient["AAA"], p.segments["government"]["max_document_value"]["max_amount"]
        ('max', 3.0, 1000000.0)
        """
        return cls.from_dict(load_toml(text_or_path, "credit policy"))

    def __repr__(self) -> str:
        return (
            f"CreditPolicy(version={self.version!r}, methods={self.methods!r}, combine={self.combine!r}, "
            f"seller_annual_revenue={self.seller_annual_revenue!r})"
        )

    # --- grades ------------------------------------------------------------------

    def _grade_index(self, portfolio: Portfolio, scores: Any) -> np.ndarray:
        """Index into ``grades`` of each customer's score grade (ungraded: the worst)."""
        if not isinstance(scores, ScoreResult):
            raise ValidationError(
                f"scores must be a riskkit ScoreResult (e.g. five_c().score(portfolio.features())), "
                f"got {type(scores).__name__}",
                field="scores",
            )
        n = portfolio.n_customers
        if len(scores) != n:
            raise ValidationError(
                f"scores has {len(scores)} rows but the portfolio has {n} customers; score "
                "portfolio.features() so the rows line up",
                field="scores",
            )
        if scores.customer_ids is not None:
            ids = portfolio.customer_ids
            differ = np.flatnonzero(np.asarray(scores.customer_ids, dtype=object) != np.asarray(ids, dtype=object))
            if differ.size:
                i = int(differ[0])
                raise ValidationError(
                    f"scores are not aligned with the portfolio: row {i} is customer "
                    f"{scores.customer_ids[i]!r} in scores but {ids[i]!r} in the portfolio",
                    field="scores",
                    row=i,
                )
        lookup = {g: i for i, g in enumerate(self.grades)}
        lookup[""] = len(self.grades) - 1
        labels = np.asarray(scores.grade).astype(str)
        uniq, inverse = np.unique(labels, return_inverse=True)
        unknown = [str(u) for u in uniq if u not in lookup]
        if unknown:
            raise ValidationError(
                f"scores hold grades {unknown} the policy does not know; policy grades: {', '.join(self.grades)}",
                field="grades",
                value=unknown,
            )
        return np.array([lookup[str(u)] for u in uniq], dtype=np.int64)[inverse.reshape(-1)]

    def _policy_grades(self, gidx: np.ndarray, months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Grade index after the new-customer cap, and the new-customer flag."""
        new = np.isnan(months) | (months < self.new_customer_months)
        if self.new_customer_months == 0:
            new = np.zeros_like(new)
        cap = self.grades.index(self.new_customer_max_grade)
        return np.where(new & (gidx < cap), cap, gidx), new

    def _per_grade(self, mapping: Mapping[str, Any], dtype: Any) -> np.ndarray:
        return np.array([mapping[g] for g in self.grades], dtype=dtype)

    # --- limits ------------------------------------------------------------------

    def _limits(
        self, portfolio: Portfolio, when: np.datetime64, scores: Any, trade_references: Any
    ) -> dict[str, Any]:
        """Every array :meth:`recommend` reports, without the reason strings."""
        from riskkit._pit import latest_statements, statement_column

        n = portfolio.n_customers
        gidx = self._grade_index(portfolio, scores)
        months, purchases, avg_terms = _history(portfolio, when)
        pgidx, new = self._policy_grades(gidx, months)

        latest, _ = latest_statements(portfolio, when)

        def item(name: str) -> np.ndarray:
            return statement_column(portfolio, latest, name)

        tnw = finance.tangible_net_worth(item("equity"), item("intangible_assets"))
        wc = finance.working_capital(item("current_assets"), item("current_liabilities"))
        net_income = item("net_income")
        nonpositive = 0.0 if self.nonpositive_base == "zero" else np.nan

        k = self._per_grade(self.net_worth_k, np.float64)[pgidx]
        loss = net_income <= 0  # NaN compares False: an unknown net income is not penalised
        k_used = k * np.where(loss, self.net_worth_loss_factor, 1.0)
        with np.errstate(invalid="ignore"):
            net_worth = np.where(np.isnan(tnw), np.nan, np.where(tnw > 0, k_used * tnw, nonpositive))
            working = np.where(np.isnan(wc), np.nan, np.where(wc > 0, self.working_capital_share * wc, nonpositive))
        terms = self._per_grade(self.terms_days, np.int64)[pgidx]
        coefficient = self._per_grade(self.sales_coefficient, np.float64)[pgidx]
        months_observed = np.clip(months, 1.0, 12.0)
        avg_monthly = purchases / months_observed  # NaN without any invoice
        sales = avg_monthly * (terms / _TERM_MONTH_DAYS) * coefficient
        refs = _trade_references(portfolio, trade_references)
        trade = refs * self.trade_reference_factor

        by_method = {"net_worth": net_worth, "working_capital": working, "sales": sales, "trade_reference": trade}
        stacked = np.column_stack([by_method[m] for m in self.methods]) if n else np.zeros((0, len(self.methods)))
        applies = ~np.isnan(stacked)
        count = applies.sum(axis=1)
        order = np.argsort(np.where(applies, stacked, np.inf), axis=1, kind="stable")
        if self.combine == "min":
            pick = np.zeros(n, dtype=np.int64)
        elif self.combine == "max":
            pick = np.maximum(count - 1, 0)
        else:
            pick = np.maximum(count - 1, 0) // 2
        chosen = order[np.arange(n), pick] if n else np.zeros(0, dtype=np.int64)
        combined = np.where(count > 0, stacked[np.arange(n), chosen] if n else np.zeros(0), 0.0)
        method_names = np.array(self.methods, dtype=object)
        combined_method = np.where(count > 0, method_names[chosen] if n else np.zeros(0, dtype=object), "none")

        if self.seller_annual_revenue is None:
            cap_value = math.inf
            cap = np.full(n, np.nan)
        else:
            cap_value = self.concentration_share * self.seller_annual_revenue
            cap = np.full(n, cap_value)
        capped = combined > cap_value
        method_limit = np.maximum(np.minimum(combined, cap_value), 0.0)
        binding = np.where(capped, "concentration", combined_method).astype(object)

        features = portfolio.features(when)
        current = np.asarray(features["credit_limit"], dtype=np.float64)
        review = self._review(features, pgidx, avg_monthly, avg_terms, method_limit, binding, count, current, cap_value)
        conditions = np.array([self.conditions[g] for g in self.grades], dtype=object)[pgidx]
        payment_terms = np.where(
            conditions == "prepayment", "prepayment", np.where(terms == 0, "cash on delivery", _net(terms))
        ).astype(object)
        return {
            "grade_index": gidx,
            "policy_grade_index": pgidx,
            "new_customer": new,
            "history_months": months,
            "avg_monthly": avg_monthly,
            "months_observed": months_observed,
            "tangible_net_worth": tnw,
            "working_capital": wc,
            "net_income": net_income,
            "k": k,
            "k_used": k_used,
            "trade_reference": refs,
            "coefficient": coefficient,
            "method_limits": {**{m: by_method[m] for m in self.methods}, "concentration": cap},
            "combined": combined,
            "count": count,
            "combined_method": combined_method,
            "method_limit": method_limit,
            "binding_method": binding,
            **review,
            "terms_days": terms,
            "payment_terms": payment_terms,
            "conditions": conditions,
            "current_limit": current,
        }

    def _review(
        self,
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

        # the purchases floor (grades floor_grade and better, not in default)
        monthly = np.maximum(np.nan_to_num(avg_monthly, nan=0.0), 0.0)
        regular = monthly * np.nan_to_num(avg_terms, nan=0.0) / _TERM_MONTH_DAYS
        if self.floor_exposure:
            exposure = np.nan_to_num(np.asarray(features["exposure"], dtype=np.float64), nan=0.0)
            overdue = np.nan_to_num(np.asarray(features["overdue_amount"], dtype=np.float64), nan=0.0)
            in_terms = np.maximum(exposure - overdue, 0.0)
        else:
            in_terms = np.zeros(n)
        if self.floor_grade:
            floor_on = (pgidx <= self.grades.index(self.floor_grade)) & ~in_default
        else:
            floor_on = np.zeros(n, dtype=bool)
        floor = np.where(floor_on, np.maximum(regular, in_terms) + self.floor_headroom_months * monthly, np.nan)

        # the cap on the cut (not from max_cut_exempt_grade down, nor in default)
        exempt = in_default | (pgidx >= self.grades.index(self.max_cut_exempt_grade))
        on_file = np.isfinite(current)
        cut_cap = np.where(~exempt & on_file, (1.0 - self.max_cut) * np.where(on_file, current, 0.0), np.nan)

        with np.errstate(invalid="ignore"):
            from_floor = floor_on & (floor > method_limit) & ~(cut_cap > floor)
            from_cap = (cut_cap > method_limit) & ~from_floor
        guarantee = np.where(in_default, 0.0, np.fmax(np.nan_to_num(floor, nan=0.0), np.nan_to_num(cut_cap, nan=0.0)))
        target = np.where(in_default, 0.0, np.minimum(np.maximum(method_limit, guarantee), cap_value))
        lifted_by = np.full(n, "", dtype=object)
        lifted_by[from_floor & ~in_default] = "floor"
        lifted_by[from_cap & ~in_default] = "cut_cap"
        bound_by = np.full(n, "method", dtype=object)
        bound_by[count == 0] = "none"
        bound_by[binding == "concentration"] = "concentration"
        bound_by[from_floor] = "floor"
        bound_by[from_cap] = "cut_cap"
        bound_by[(from_floor | from_cap) & (guarantee > cap_value)] = "concentration"
        bound_by[in_default] = "default"

        unit = self.limit_rounding
        if unit > 0:
            # down to a multiple (never more than a method justifies), up where that would break a
            # guarantee (floor, cut cap), never above the concentration cap; 1e-9 absorbs float noise
            limit = np.floor(target / unit + 1e-9) * unit
            low = np.minimum(guarantee, cap_value)
            limit = np.where(limit < low, np.ceil(low / unit - 1e-9) * unit, limit)
            limit = np.where(limit > cap_value, np.floor(cap_value / unit + 1e-9) * unit, limit)
            limit = np.maximum(limit, 0.0)
        else:
            limit = target
        now = np.where(on_file, current, 0.0)
        direction = _direction(limit, now)
        if unit > 0:
            bound_by[(direction != _direction(target, now)) & ~in_default] = "rounding"
        return {
            "in_default": in_default,
            "regular_exposure": regular,
            "in_terms_exposure": in_terms,
            "avg_terms": avg_terms,
            "floor": floor,
            "cut_cap": cut_cap,
            "exempt": exempt,
            "lifted_by": lifted_by,
            "guarantee": guarantee,
            "unrounded": target,
            "limit": limit,
            "bound_by": bound_by,
            "direction": direction,
        }

    def recommend(
        self, portfolio: Portfolio, scores: ScoreResult, as_of: Any = None, *, trade_references: Any = None
    ) -> Recommendations:
        """Credit limit, payment terms and conditions for every customer.

        The limit is the methods' figure reviewed against the limit on file:
        the purchases floor, the cap on the cut, the default rule and the
        rounding of the module docstring's "Limit review". Each customer's
        ``direction``, ``bound_by`` and ``reason`` say how its limit moved and
        why; :meth:`Recommendations.changes_by_grade` sums the moves by grade.

        Parameters
        ----------
        portfolio : Portfolio
        scores : ScoreResult
            One row per customer in ``portfolio.customer_ids`` order (e.g.
            ``five_c().score(portfolio.features(as_of))``); its grades must be
            among the policy's ``grades``.
        as_of : date-like, optional
            Default ``portfolio.as_of``. Statements and invoices known on that
            date are used (docs/domain.md, *Point in time*).
        trade_references : mapping of customer id to float, or array-like, optional
            The trade-reference figure per customer (a mapping by id, or an
            array aligned with the portfolio where NaN means none).

        Returns
        -------
        Recommendations

        Raises
        ------
        ValidationError
            ``scores`` not a ScoreResult, of another length, in another
            customer order or with grades the policy does not know; a trade
            reference for an unknown customer, negative, or not finite.

        Examples
        --------
        >>> import riskkit
        >>> book, _ = riskkit.datasets.make_portfolio(200, seed=0)
        >>> scores = riskkit.scoring.five_c().score(book.features())
        >>> rec = CreditPolicy(seller_annual_revenue=2e7).recommend(book, scores)
        >>> len(rec), bool((rec.limit >= 0).all() and (rec.limit <= 2e6).all())
        (200, True)
        """
        when = portfolio.resolve_as_of(as_of)
        a = self._limits(portfolio, when, scores, trade_references)
        grades = np.array(self.grades, dtype=object)
        score_grade = np.asarray(scores.grade).astype(str).astype(object)
        reasons = functools.partial(self._reasons, a)  # written when first read: see Recommendations.reason
        current = a["current_limit"]
        return Recommendations(
            customer_ids=portfolio.customer_ids,
            grade=score_grade,
            policy_grade=grades[a["policy_grade_index"]],
            new_customer=a["new_customer"],
            history_months=a["history_months"],
            limit=a["limit"],
            binding_method=a["binding_method"],
            reason=reasons,
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
            policy_version=self.version,
            grades=self.grades,
        )

    def _reasons(self, a: Mapping[str, Any]) -> np.ndarray:
        """One human-readable reason per customer (the only per-customer Python loop)."""
        grades = self.grades
        combine_word = {"min": "lowest", "max": "highest", "median": "median"}[self.combine]
        n = a["limit"].size
        a = _lists(a)  # python scalars: much faster to format one by one than numpy's
        out = np.empty(n, dtype=object)
        for i in range(n):
            count = a["count"][i]
            if count == 0:
                text = f"no limit method applies (no {', '.join(_needs(m) for m in self.methods)}) -> 0"
            else:
                text = self._method_reason(a["combined_method"][i], a, i)
                text += " (only method that applies)" if count == 1 else f" ({combine_word} of {count} methods)"
            if a["binding_method"][i] == "concentration":
                assert self.seller_annual_revenue is not None
                cap = a["method_limits"]["concentration"][i]
                text = (
                    f"concentration cap: {_pct(self.concentration_share)} of seller revenue "
                    f"{_money(self.seller_annual_revenue)} = {_money(cap)}; uncapped: {text}"
                )
            text = self._review_reason(a, i, text)
            g, pg = a["grade_index"][i], a["policy_grade_index"][i]
            if a["new_customer"][i]:
                months = a["history_months"][i]
                history = "no invoices yet" if math.isnan(months) else f"{months:.1f} months of history"
                text += f"; new customer ({history})"
                if pg != g:
                    text += f": grade {grades[g]} capped at {grades[pg]}"
            out[i] = text
        return out

    def _review_reason(self, a: Mapping[str, Any], i: int, methods: str) -> str:
        """``"<rise|hold|fall> <now> -> <new>: <the rule that set it>"``, the methods' reason inside."""
        limit, current = a["limit"][i], a["current_limit"][i]
        direction = a["direction"][i]
        now = "0 (none on file)" if math.isnan(current) else _money(current)
        head = f"hold {now}" if direction == "hold" else f"{direction} {now} -> {_money(limit)}"
        if a["in_default"][i]:
            return f"{head}: customer in default: no open credit (neither the floor nor the cap on the cut applies)"
        grade = self.grades[a["policy_grade_index"][i]]
        method_limit, unrounded = a["method_limit"][i], a["unrounded"][i]
        floor, lifted_by = a["floor"][i], a["lifted_by"][i]
        if lifted_by == "floor":
            rule = f"{self._floor_reason(a, i, grade)}; the methods give {_money(method_limit)}: {methods}"
        elif lifted_by == "cut_cap":
            rule = (
                f"the cut is capped at {_pct(self.max_cut)} per review: {_pct(1.0 - self.max_cut)} of "
                f"{_money(current)} = {_money(a['cut_cap'][i])}"
            )
            if not math.isnan(floor):
                rule += f" (purchases floor {_money(floor)})"
            rule += f"; the methods give {_money(method_limit)}: {methods}"
        else:
            rule = methods
            if a["exempt"][i] and direction == "fall" and (1.0 - self.max_cut) * current > limit:
                rule += f" (grade {grade}: the cut is not capped)"
        if lifted_by and a["guarantee"][i] > unrounded + _CENT:
            assert self.seller_annual_revenue is not None
            rule += (
                f"; held to the concentration cap: {_pct(self.concentration_share)} of seller revenue "
                f"{_money(self.seller_annual_revenue)} = {_money(unrounded)}"
            )
        if abs(limit - unrounded) > _CENT:
            way = "up" if limit > unrounded else "down"
            why = ""
            if way == "up" and not lifted_by:  # a method's figure, rounded up to keep a guarantee
                floor_binds = not math.isnan(floor) and not a["cut_cap"][i] > floor
                why = (f"; not below the purchases floor {_money(floor)}" if floor_binds
                       else f"; not below the cap on the cut {_money(a['cut_cap'][i])}")
            rule += f" -> rounded {way} to {_money(limit)} (a multiple of {self._unit_text}{why})"
        return f"{head}: {rule}"

    @functools.cached_property
    def _unit_text(self) -> str:
        return _money(self.limit_rounding)

    def _floor_reason(self, a: Mapping[str, Any], i: int, grade: str) -> str:
        monthly = a["avg_monthly"][i]
        monthly = max(monthly, 0.0) if math.isfinite(monthly) else 0.0
        terms = a["avg_terms"][i]
        if math.isnan(terms):
            regular = "regular purchases 0 (no invoice in the last 12 months)"
        else:
            regular = (
                f"regular purchases {_money(monthly)}/month x {terms:.3g} days / 30 "
                f"= {_money(a['regular_exposure'][i])}"
            )
        if self.floor_exposure:
            regular = f"max({regular}, exposure within terms {_money(a['in_terms_exposure'][i])})"
        if self.floor_headroom_months > 0:
            months = self.floor_headroom_months
            regular += (
                f" + {months:g} month{'' if months == 1 else 's'} of purchases "
                f"{_money(months * monthly)}"
            )
        return f"purchases floor (grade {grade}; {self.floor_grade} and better): {regular} = {_money(a['floor'][i])}"

    def _method_reason(self, method: str, a: Mapping[str, Any], i: int) -> str:
        grade = self.grades[a["policy_grade_index"][i]]
        value = a["method_limits"][method][i]
        if method == "net_worth":
            tnw = a["tangible_net_worth"][i]
            if tnw <= 0:
                return f"net worth: tangible net worth {_money(tnw)} <= 0 -> 0"
            loss = ""
            if a["k_used"][i] != a["k"][i]:
                loss = f" x {self.net_worth_loss_factor:g} (net loss)"
            return (
                f"net worth: {_pct(a['k'][i])} ({grade}){loss} x tangible net worth {_money(tnw)} "
                f"= {_money(value)}"
            )
        if method == "working_capital":
            wc = a["working_capital"][i]
            if wc <= 0:
                return f"working capital: working capital {_money(wc)} <= 0 -> 0"
            return f"working capital: {_pct(self.working_capital_share)} x working capital {_money(wc)} = {_money(value)}"
        if method == "sales":
            observed = a["months_observed"][i]
            over = "" if observed >= 12 else f" (over {observed:.1f} months)"
            months = a["terms_days"][i] / _TERM_MONTH_DAYS
            return (
                f"sales-based: {_money(a['avg_monthly'][i])} avg monthly{over} x {months:.4g} "
                f"month{'' if months == 1 else 's'} "
                f"x {a['coefficient'][i]:g} ({grade}) = {_money(value)}"
            )
        ref = a["trade_reference"][i]
        if self.trade_reference_factor == 1.0:
            return f"trade reference: {_money(ref)}"
        return f"trade reference: {self.trade_reference_factor:g} x {_money(ref)} = {_money(value)}"

    # --- order checks ------------------------------------------------------------

    def check_order(
        self,
        portfolio: Portfolio,
        customer_id: str,
        amount: float,
        as_of: Any = None,
        scores: ScoreResult | None = None,
        *,
        now: Any = None,
        dunning_levels: Mapping[str, int] | None = None,
        trade_references: Any = None,
    ) -> CreditDecision:
        """Run the credit check on one new order (see :meth:`check_orders`).

        Examples
        --------
        >>> import datetime, riskkit
        >>> book = riskkit.Portfolio.from_records(
        ...     customers=[{"id": "C1"}, {"id": "C2", "blocked": True}],
        ...     exposures=[{"customer_id": "C1", "credit_limit": 10000.0, "open_orders": 6000.0}],
        ...     as_of="2025-03-31")
        >>> policy = CreditPolicy(version="2025-01")
        >>> now = datetime.datetime(2025, 3, 31, 9, 30, tzinfo=datetime.timezone.utc)
        >>> d = policy.check_order(book, "C1", 3000.0, now=now)
        >>> d.outcome, d.reason
        ('approve', 'approve: all 6 checks passed')
        >>> policy.check_order(book, "C1", 5000.0, now=now).reason
        'hold: static_limit: exposure 6,000 + order 5,000 = 11,000 > limit 10,000'
        >>> policy.check_order(book, "C2", 100.0, now=now).outcome
        'reject'
        >>> CreditDecision.from_json(d.to_json()) == d
        True
        """
        return self.check_orders(
            portfolio,
            [customer_id],
            [amount],
            as_of,
            scores,
            now=now,
            dunning_levels=dunning_levels,
            trade_references=trade_references,
        )[0]

    def check_orders(
        self,
        portfolio: Portfolio,
        customer_ids: Iterable[str],
        amounts: Any,
        as_of: Any = None,
        scores: ScoreResult | None = None,
        *,
        now: Any = None,
        dunning_levels: Mapping[str, int] | None = None,
        trade_references: Any = None,
    ) -> list[CreditDecision]:
        """Run the credit check on a batch of new orders, one decision each.

        Steps (:data:`STEPS`, docs/domain.md, *Order checks*) run with the parameters of the
        customer's segment (``segment_by``), each passing or failing with a
        reason. The outcome is the most severe of the failed steps'
        ``on_fail`` (``reject`` > ``hold`` > ``conditions``); when every step
        passes, or only soft steps fail, it is ``approve_with_conditions``
        if the customer's grade requires a condition (needs ``scores``) or a
        soft step failed, else ``approve``.

        Each order is checked on its own against the exposure at ``as_of``:
        orders of one batch do not add to each other's exposure, so a batch
        gives exactly the decisions of the orders checked one by one.

        Facts used: counted exposure (:func:`riskkit.features.compute`'s
        ``exposure``), the limit on file, days past due of the oldest open
        item (``max_days_past_due``, 0 without open items), the payment
        index of the last 365 days, the ERP block (the customer's current
        ``blocked`` flag: it has no history), and with ``scores`` the policy
        grade (after the new-customer cap), its conditions and terms.

        Parameters
        ----------
        portfolio : Portfolio
        customer_ids : iterable of str
            The ordering customer of each order.
        amounts : array-like of float
            Order amounts, finite and >= 0, one per order.
        as_of : date-like, optional
            Default ``portfolio.as_of``.
        scores : ScoreResult, optional
            Aligned with the portfolio; gives grades, conditions and the
            recommended limit (needed when a ``static_limit`` uses it).
        now : datetime.datetime or ISO string, optional
            The decision timestamp (timezone-aware; stored in UTC). Default:
            the current time. Pass it for reproducible decisions.
        dunning_levels : mapping of customer id to int, optional
            Dunning levels from your ERP; customers left out get the level
            derived from ``dunning_bands``.
        trade_references : optional
            As in :meth:`recommend`, for the recommended limit.

        Returns
        -------
        list of CreditDecision

        Raises
        ------
        ValidationError
            An unknown customer id, a negative, NaN or infinite amount, as
            many amounts as orders not given, a bad dunning level, a naive
            ``now``, or misaligned ``scores``.

        Examples
        --------
        >>> import datetime, riskkit
        >>> book, _ = riskkit.datasets.make_portfolio(100, seed=0)
        >>> now = datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc)
        >>> decisions = CreditPolicy().check_orders(book, ["C00006", "C00007"], [5000.0, 5000.0], now=now)
        >>> [d.outcome for d in decisions]
        ['approve', 'hold']
        >>> print(decisions[1].reason)
        hold: static_limit: exposure 288,053.16 + order 5,000 = 293,053.16 > limit 265,000
        """
        when = portfolio.resolve_as_of(as_of)
        decided_at = _utc(now)
        codes = portfolio.codes(customer_ids)  # also refuses a single string and unknown ids
        ids = portfolio.customer_ids[codes]
        amount = _amounts(amounts, ids)
        m = codes.size
        features = portfolio.features(when)
        cust = portfolio.customers
        labels = np.asarray(cust[self.segment_by], dtype=object)[codes]
        params = self._step_arrays(labels)

        # grade-based facts
        grade = np.full(m, None, dtype=object)
        conditions = np.full(m, None, dtype=object)
        needs_condition = np.zeros(m, dtype=bool)
        terms = np.full(m, None, dtype=object)
        needs_recommended = bool(np.isin(params["static_limit"]["limit"], ["recommended", "lower"]).any())
        recommended = np.full(m, np.nan)
        if scores is not None:
            a = self._limits(portfolio, when, scores, trade_references)
            pg = a["policy_grade_index"][codes]
            grade = np.array(self.grades, dtype=object)[pg]
            conditions = a["conditions"][codes]
            needs_condition = conditions != "none"
            terms = a["terms_days"][codes].astype(object)
            recommended = a["limit"][codes]
        elif needs_recommended:
            raise ValidationError(
                "the static_limit step uses the recommended limit (limit 'recommended' or 'lower'); pass scores=",
                field="scores",
            )

        # facts
        exposure = np.asarray(features["exposure"], dtype=np.float64)[codes]
        current = np.asarray(features["credit_limit"], dtype=np.float64)[codes]
        source = params["static_limit"]["limit"]
        limit = np.where(source == "current", current, np.where(source == "recommended", recommended,
                                                                  np.fmin(current, recommended)))
        oldest = np.nan_to_num(np.asarray(features["max_days_past_due"], dtype=np.float64)[codes], nan=0.0)
        derived = dunning_level(oldest, self.dunning_bands)
        supplied = _dunning_levels(portfolio, dunning_levels)[codes]
        level = np.where(supplied >= 0, supplied, derived).astype(np.int64)
        payment_index = np.asarray(features["payment_index"], dtype=np.float64)[codes]
        blocked = np.asarray(cust["blocked"], dtype=bool)[codes]

        # step results, whole columns at a time
        limit_used = np.nan_to_num(limit, nan=0.0)
        total = exposure + amount
        pi_missing = np.isnan(payment_index)
        with np.errstate(invalid="ignore"):
            pi_ok = np.where(pi_missing, params["payment_index"]["missing"] == "pass",
                             payment_index >= params["payment_index"]["min_index"])
        passed = {
            "blocked": ~blocked,
            "static_limit": total <= limit_used,
            "max_document_value": amount <= params["max_document_value"]["max_amount"],
            "oldest_open_item": oldest <= params["oldest_open_item"]["max_days"],
            "dunning_level": level <= params["dunning_level"]["max_level"],
            "payment_index": pi_ok,
        }
        rank = {"conditions": 1, "hold": 2, "reject": 3}
        severity = np.zeros(m, dtype=np.int64)
        for step in STEPS:
            on_fail = params[step]["on_fail"]
            step_rank = np.select([on_fail == k for k in rank], list(rank.values()), 0)
            failing = params[step]["enabled"] & ~passed[step]
            severity = np.maximum(severity, np.where(failing, step_rank, 0))
        severity = np.where(needs_condition, np.maximum(severity, 1), severity)

        as_of_date = when.astype(object)
        decisions = []
        for i in range(m):
            steps = []
            for step in STEPS:
                if not params[step]["enabled"][i]:
                    continue
                ok = bool(passed[step][i])
                value, lim, why = _step_text(
                    step, ok, i, amount=amount, exposure=exposure, limit=limit, limit_used=limit_used,
                    source=source, oldest=oldest, level=level, supplied=supplied, payment_index=payment_index,
                    params=params,
                )
                steps.append(StepResult(step, ok, why, value, lim, str(params[step]["on_fail"][i])))
            outcome = OUTCOMES[int(severity[i])]
            decisions.append(
                CreditDecision(
                    customer_id=str(ids[i]),
                    amount=float(amount[i]),
                    outcome=outcome,
                    reason=_summary(outcome, steps, conditions[i], grade[i]),
                    steps=tuple(steps),
                    exposure=float(exposure[i]),
                    credit_limit=None if np.isnan(limit[i]) else float(limit[i]),
                    limit_source=str(source[i]),
                    oldest_item_days=float(oldest[i]),
                    dunning_level=int(level[i]),
                    payment_index=None if pi_missing[i] else float(payment_index[i]),
                    blocked=bool(blocked[i]),
                    grade=grade[i],
                    conditions=conditions[i],
                    terms_days=None if terms[i] is None else int(terms[i]),
                    segment=str(labels[i]),
                    policy_version=self.version,
                    as_of=as_of_date,
                    decided_at=decided_at,
                )
            )
        return decisions

    def _step_arrays(self, labels: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
        """Per order, every step parameter after the segment overrides (a loop over segments, not rows)."""
        m = labels.size
        out: dict[str, dict[str, np.ndarray]] = {}
        for step, params in self.checks.items():
            cols: dict[str, np.ndarray] = {}
            for name, value in params.items():
                dtype = bool if name == "enabled" else object if isinstance(value, str) else np.float64
                cols[name] = np.full(m, value, dtype=dtype)
            out[step] = cols
        for label, block in self.segments.items():
            rows = labels == label
            if not rows.any():
                continue
            for step, params in block.items():
                for name, value in params.items():
                    out[step][name][rows] = value
        return out


def dunning_level(days_past_due: Any, bands: Sequence[int] = (0, 15, 30, 60, 90)) -> np.ndarray:
    """The dunning level of each oldest open item: how many of ``bands`` its days past due exceed.

    With the default bands (docs/domain.md, *Collections ladder*'s collections ladder): 0 not yet
    overdue (reminder), 1 for 1-15 days (friendly reminder), 2 for 16-30
    (call), 3 for 31-60 (formal dunning letter, hold new credit sales), 4 for
    61-90 (visit), 5 for 91+ (final notice). NaN (no open item) is level 0.

    Examples
    --------
    >>> dunning_level([0, 1, 15, 16, 30, 31, 60, 61, 90, 91, float("nan")]).tolist()
    [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 0]
    """
    days = np.nan_to_num(np.asarray(days_past_due, dtype=np.float64), nan=0.0)
    return np.searchsorted(np.asarray(bands, dtype=np.float64), days, side="left").astype(np.int64)


# --- results -------------------------------------------------------------------------


def _frozen(a: Any, dtype: Any = None) -> np.ndarray:
    arr = np.array(a, dtype=dtype)
    arr.setflags(write=False)
    return arr


def _frozen_objects(a: Any) -> np.ndarray:
    return _frozen(a, object)


def _frozen_floats(a: Any) -> np.ndarray:
    return _frozen(a, np.float64)


def _frozen_bools(a: Any) -> np.ndarray:
    return _frozen(a, bool)


def _frozen_ints(a: Any) -> np.ndarray:
    return _frozen(a, np.int64)


def _str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


class _LazyColumn:
    """A read-only column given as is, or built by a function the first time it is read."""

    __slots__ = ("_build", "_value")

    def __init__(self, value: Any) -> None:
        self._build = value if callable(value) else None
        self._value = None if callable(value) else _frozen_objects(value)

    def get(self) -> np.ndarray:
        if self._value is None:
            assert self._build is not None
            self._value = _frozen_objects(self._build())
            self._build = None
        return self._value


def _frozen_method_limits(d: Mapping[str, Any]) -> FrozenMap:
    return FrozenMap({k: _frozen(v, np.float64) for k, v in d.items()})


_RECORD_COLUMNS = (
    "grade",
    "policy_grade",
    "new_customer",
    "history_months",
    "limit",
    "binding_method",
    "reason",
    "terms_days",
    "payment_terms",
    "conditions",
    "current_limit",
    "change",
    "direction",
    "bound_by",
    "method_limit",
    "floor",
    "cut_cap",
    "in_default",
)


@attrs.frozen(eq=False)
class Recommendations:
    """What :meth:`CreditPolicy.recommend` gives: one row per customer, as read-only columns.

    Attributes
    ----------
    customer_ids : ndarray of str
    grade : ndarray of str
        The grade in ``scores``.
    policy_grade : ndarray of str
        The grade the policy applied (after the new-customer cap).
    new_customer : ndarray of bool
    history_months : ndarray of float
        Months since the first invoice (NaN without one).
    limit : ndarray of float
        Recommended credit limit, ``>= 0``, a multiple of the policy's
        ``limit_rounding`` and never above the concentration cap.
    binding_method : ndarray of str
        The method whose figure became the methods' limit (``method_limit``):
        one of :data:`LIMIT_METHODS`, ``"concentration"`` or ``"none"`` (no
        method applies).
    reason : ndarray of str
        The change and how the limit was reached, in words and numbers:
        ``"<rise|hold|fall> <limit on file> -> <limit>: <the rule that set
        it>"``, the methods' figure and rounding included.
    terms_days : ndarray of int
    payment_terms : ndarray of str
        ``"net N"``, ``"cash on delivery"`` or ``"prepayment"``.
    conditions : ndarray of str
    current_limit : ndarray of float
        The limit on file (NaN without an exposure row).
    change : ndarray of float
        ``limit - current_limit``.
    direction : ndarray of str
        From :data:`DIRECTIONS`: ``"rise"``, ``"hold"`` or ``"fall"`` against
        the limit on file (none on file counts as 0).
    bound_by : ndarray of str
        From :data:`BOUND_BY`, the rule that set the limit: ``"method"`` (the
        methods' figure, ``binding_method`` names which), ``"concentration"``,
        ``"floor"`` (the purchases floor), ``"cut_cap"`` (the cap on the cut
        per review), ``"rounding"`` (the rounding decided the direction: e.g. a
        figure 300 above the limit on file rounded down to it is a hold),
        ``"default"`` (customer in default: 0) or ``"none"`` (no method applies).
    method_limit : ndarray of float
        The methods' figure after the concentration cap, before the review
        rules and rounding.
    floor : ndarray of float
        The purchases floor (NaN where it does not apply).
    cut_cap : ndarray of float
        The lowest limit the cap on the cut allows (NaN where it does not apply:
        no limit on file, an exempt grade, in default).
    in_default : ndarray of bool
        The ``in_default`` feature (all False when the features have none).
    method_limits : mapping of str to ndarray of float
        Each method's figure (NaN where it does not apply) and the
        ``"concentration"`` cap (NaN when not applied).
    as_of : datetime.date
    policy_version : str
    grades : tuple of str
        The policy's grades, best first: the row order of :meth:`changes_by_grade`.
    """

    customer_ids: np.ndarray = attrs.field(converter=_frozen_objects)
    grade: np.ndarray = attrs.field(converter=_frozen_objects)
    policy_grade: np.ndarray = attrs.field(converter=_frozen_objects)
    new_customer: np.ndarray = attrs.field(converter=_frozen_bools)
    history_months: np.ndarray = attrs.field(converter=_frozen_floats)
    limit: np.ndarray = attrs.field(converter=_frozen_floats)
    binding_method: np.ndarray = attrs.field(converter=_frozen_objects)
    _reason: _LazyColumn = attrs.field(converter=_LazyColumn)
    terms_days: np.ndarray = attrs.field(converter=_frozen_ints)
    payment_terms: np.ndarray = attrs.field(converter=_frozen_objects)
    conditions: np.ndarray = attrs.field(converter=_frozen_objects)
    current_limit: np.ndarray = attrs.field(converter=_frozen_floats)
    change: np.ndarray = attrs.field(converter=_frozen_floats)
    direction: np.ndarray = attrs.field(converter=_frozen_objects)
    bound_by: np.ndarray = attrs.field(converter=_frozen_objects)
    method_limit: np.ndarray = attrs.field(converter=_frozen_floats)
    floor: np.ndarray = attrs.field(converter=_frozen_floats)
    cut_cap: np.ndarray = attrs.field(converter=_frozen_floats)
    in_default: np.ndarray = attrs.field(converter=_frozen_bools)
    method_limits: Mapping[str, np.ndarray] = attrs.field(converter=_frozen_method_limits)
    as_of: _dt.date
    policy_version: str
    grades: tuple[str, ...] = attrs.field(default=GRADES, converter=_str_tuple)

    def __attrs_post_init__(self) -> None:
        n = self.customer_ids.shape
        for name in _RECORD_COLUMNS:
            if name == "reason" and self._reason._value is None:
                continue  # built to the customers' length
            if getattr(self, name).shape != n:
                raise ValidationError(f"Recommendations.{name} has shape {getattr(self, name).shape}, expected {n}")
        for name, col in self.method_limits.items():
            if col.shape != n:
                raise ValidationError(f"Recommendations.method_limits[{name!r}] has shape {col.shape}, expected {n}")

    def __len__(self) -> int:
        return int(self.customer_ids.size)

    @property
    def reason(self) -> np.ndarray:
        """The change and how the limit was reached, in words and numbers (one string per customer).

        :meth:`CreditPolicy.recommend` writes them when they are first read,
        so a job that only stores limits does not pay for the text.
        """
        return self._reason.get()

    def _columns(self) -> dict[str, np.ndarray]:
        cols = {name: getattr(self, name) for name in _RECORD_COLUMNS}
        cols.update({f"limit_{k}": v for k, v in self.method_limits.items()})
        return cols

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per customer: ``customer_id``, every column and ``limit_<method>``.

        Examples
        --------
        >>> import riskkit
        >>> book, _ = riskkit.datasets.make_portfolio(50, seed=0)
        >>> rec = CreditPolicy().recommend(book, riskkit.scoring.five_c().score(book.features()))
        >>> sorted(rec.to_records()[0])[:6]
        ['binding_method', 'bound_by', 'change', 'conditions', 'current_limit', 'customer_id']
        """
        cols = {k: v.tolist() for k, v in self._columns().items()}
        ids = self.customer_ids.tolist()
        return [{"customer_id": ids[i], **{k: v[i] for k, v in cols.items()}} for i in range(len(self))]

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by customer id (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self._columns(), index=pd.Index(self.customer_ids, name="customer_id"))

    def changes_by_grade(self) -> list[dict[str, Any]]:
        """How many limits rise, hold and fall, per grade, with the totals before and after.

        One row per grade present (the grade in ``scores``, policy grades best
        first, ungraded ``""`` last): ``grade``, ``n``, ``rise``, ``hold``,
        ``fall``, ``total_now`` (limits on file; none on file counts as 0) and
        ``total_recommended``.

        Examples
        --------
        >>> import riskkit
        >>> book, _ = riskkit.datasets.make_portfolio(200, seed=0)
        >>> rec = CreditPolicy().recommend(book, riskkit.scoring.five_c().score(book.features()))
        >>> rows = rec.changes_by_grade()
        >>> sorted(rows[0])
        ['fall', 'grade', 'hold', 'n', 'rise', 'total_now', 'total_recommended']
        >>> sum(r["n"] for r in rows) == len(rec) == sum(r["rise"] + r["hold"] + r["fall"] for r in rows)
        True
        """
        labels = self.grade.astype(str)
        present = set(labels.tolist())
        order = [g for g in self.grades if g in present]
        order += sorted(present - set(order), key=lambda g: (g == "", g))
        now = np.where(np.isnan(self.current_limit), 0.0, self.current_limit)
        rows = []
        for g in order:
            sel = labels == g
            moves = self.direction[sel]
            rows.append({
                "grade": g,
                "n": int(sel.sum()),
                "rise": int((moves == "rise").sum()),
                "hold": int((moves == "hold").sum()),
                "fall": int((moves == "fall").sum()),
                "total_now": float(now[sel].sum()),
                "total_recommended": float(self.limit[sel].sum()),
            })
        return rows

    def _change_rows(self) -> tuple[list[str], list[list[Any]]]:
        headers = ["grade", "n", "rise", "hold", "fall", "total now", "recommended"]
        rows: list[list[Any]] = [
            [r["grade"] or "ungraded", r["n"], r["rise"], r["hold"], r["fall"], r["total_now"], r["total_recommended"]]
            for r in self.changes_by_grade()
        ]
        if rows:
            rows.append(["all", *(sum(r[j] for r in rows) for j in range(1, len(headers)))])
        return headers, rows

    def _summary(self) -> str:
        n = len(self)
        total = float(self.limit.sum()) if n else 0.0
        now = float(np.nansum(self.current_limit)) if n else 0.0
        moves = ", ".join(f"{int((self.direction == d).sum())} {d}" for d in DIRECTIONS)
        return (
            f"Recommendations({n} customers, total limit {total:,.0f} (on file {now:,.0f}): {moves}; "
            f"as_of={self.as_of}, policy {self.policy_version!r})"
        )

    def __repr__(self) -> str:
        from riskkit._display import text_table

        if not len(self):
            return self._summary()
        headers, rows = self._change_rows()
        return self._summary() + "\n" + text_table(headers, rows, digits=0)

    def _repr_html_(self, max_rows: int = 10) -> str:
        from riskkit._display import html_table

        caption = f"riskkit.policy.Recommendations (policy {self.policy_version}, as of {self.as_of})"
        changes = html_table(*self._change_rows(), caption=caption + ": limit changes by grade", digits=0)
        headers = ["customer_id", "grade", "limit now", "limit", "change", "move", "set by", "terms", "conditions"]
        rows = [
            [
                self.customer_ids[i],
                self.policy_grade[i],
                float(self.current_limit[i]),
                float(self.limit[i]),
                float(self.change[i]),
                self.direction[i],
                self.binding_method[i] if self.bound_by[i] == "method" else self.bound_by[i],
                self.payment_terms[i],
                self.conditions[i],
            ]
            for i in range(min(len(self), max_rows))
        ]
        customers = html_table(headers, rows, caption=caption, digits=0, footer=f"{len(self)} customers")
        return changes + customers


@attrs.frozen
class StepResult:
    """One step of a credit check.

    Attributes
    ----------
    name : str
        From :data:`STEPS`.
    passed : bool
    reason : str
    value, limit : float or None
        What was compared (``None`` for the blocked step).
    on_fail : str
        What failing this step does for this customer's segment:
        ``"reject"``, ``"hold"`` or ``"conditions"``.
    """

    name: str
    passed: bool
    reason: str
    value: float | None = None
    limit: float | None = None
    on_fail: str = "hold"

    def to_dict(self) -> dict[str, Any]:
        """The step as a JSON-safe dict."""
        return attrs.asdict(self)


def _date(value: Any) -> _dt.date:
    if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
        raise ValidationError(f"as_of must be a datetime.date, got {value!r}", field="as_of", value=value)
    return value


def _timestamp(value: Any) -> _dt.datetime:
    if not isinstance(value, _dt.datetime) or value.tzinfo is None:
        raise ValidationError(
            f"decided_at must be a timezone-aware datetime, got {value!r}", field="decided_at", value=value
        )
    return value.astimezone(_dt.timezone.utc)


@attrs.frozen
class CreditDecision:
    """The documented decision on one order: outcome, every step and the facts used.

    Attributes
    ----------
    customer_id : str
    amount : float
        The order amount.
    outcome : str
        From :data:`OUTCOMES`: ``"approve"``, ``"approve_with_conditions"``,
        ``"hold"`` (for review) or ``"reject"``.
    reason : str
        The outcome in one line: the steps (and grade condition) that decided it.
    steps : tuple of StepResult
        Every enabled step, in :data:`STEPS` order.
    exposure : float
        Counted exposure before this order.
    credit_limit : float or None
        The limit the static check used (``None``: none on file, checked as 0).
    limit_source : str
        ``"current"``, ``"recommended"`` or ``"lower"``.
    oldest_item_days : float
        Days past due of the oldest open item (0 when nothing is overdue).
    dunning_level : int
    payment_index : float or None
        ``None`` without payments in the last 365 days.
    blocked : bool
    grade, conditions : str or None
        The policy grade and its conditions (``None`` without scores).
    terms_days : int or None
    segment : str
        The customer's ``segment_by`` value.
    policy_version : str
    as_of : datetime.date
        The date of the facts.
    decided_at : datetime.datetime
        When the decision was made (UTC).
    """

    customer_id: str
    amount: float
    outcome: str
    reason: str
    steps: tuple[StepResult, ...]
    exposure: float
    credit_limit: float | None
    limit_source: str
    oldest_item_days: float
    dunning_level: int
    payment_index: float | None
    blocked: bool
    grade: str | None
    conditions: str | None
    terms_days: int | None
    segment: str
    policy_version: str
    as_of: _dt.date = attrs.field(converter=_date)
    decided_at: _dt.datetime = attrs.field(converter=_timestamp)

    def __attrs_post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValidationError(
                f"outcome must be one of {', '.join(OUTCOMES)}, got {self.outcome!r}", field="outcome"
            )

    @property
    def approved(self) -> bool:
        """True for ``approve`` and ``approve_with_conditions``."""
        return self.outcome in ("approve", "approve_with_conditions")

    def to_dict(self) -> dict[str, Any]:
        """The decision as JSON-safe data (dates as ISO text)."""
        out = {f.name: getattr(self, f.name) for f in attrs.fields(type(self))}
        out["steps"] = [s.to_dict() for s in self.steps]
        out["as_of"] = self.as_of.isoformat()
        out["decided_at"] = self.decided_at.isoformat()
        out["type"] = "CreditDecision"
        return out

    def to_json(self) -> str:
        """The decision as a JSON document with sorted keys: the same decision always gives the same text.

        Examples
        --------
        >>> import datetime
        >>> d = CreditDecision(customer_id="C1", amount=500.0, outcome="approve", reason="approve: all 1 checks passed",
        ...     steps=(StepResult("blocked", True, "not blocked", on_fail="reject"),), exposure=0.0,
        ...     credit_limit=1000.0, limit_source="current", oldest_item_days=0.0, dunning_level=0,
        ...     payment_index=None, blocked=False, grade=None, conditions=None, terms_days=None,
        ...     segment="standard", policy_version="1", as_of=datetime.date(2025, 1, 31),
        ...     decided_at=datetime.datetime(2025, 1, 31, 8, 0, tzinfo=datetime.timezone.utc))
        >>> d.to_json()[:40]
        '{"amount": 500.0, "as_of": "2025-01-31",'
        >>> CreditDecision.from_json(d.to_json()) == d
        True
        """
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> CreditDecision:
        """Read what :meth:`to_json` wrote.

        Raises
        ------
        FormatError
            The text is not a CreditDecision document.
        """
        try:
            d = json.loads(text)
        except (json.JSONDecodeError, TypeError) as exc:
            raise FormatError(f"a CreditDecision must be JSON text: {exc}") from None
        if not isinstance(d, dict) or d.pop("type", None) != "CreditDecision":
            raise FormatError('not a CreditDecision document (no "type": "CreditDecision")')
        names = {f.name for f in attrs.fields(cls)}
        if set(d) != names:
            raise FormatError(
                f"CreditDecision keys: missing {sorted(names - set(d))}, unknown {sorted(set(d) - names)}"
            )
        try:
            d["steps"] = tuple(StepResult(**s) for s in d["steps"])
            d["as_of"] = _dt.date.fromisoformat(d["as_of"])
            d["decided_at"] = _dt.datetime.fromisoformat(d["decided_at"])
            return cls(**d)
        except (TypeError, ValueError) as exc:
            raise FormatError(f"malformed CreditDecision: {exc}") from None


# --- helpers -------------------------------------------------------------------------


def _history(portfolio: Portfolio, when: np.datetime64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer, from the documents issued on or before ``when``: months since the first one (NaN
    without any), the amount invoiced in the last 365 days net of credit notes, and the average
    payment terms in days (``due - issued``) of the invoices among them, weighted by amount (NaN
    without an invoice in those 365 days; credit notes have no terms)."""
    inv = portfolio.invoices
    n = portfolio.n_customers
    issued, cust, amount = inv["issued"], inv["customer"], inv["amount"]
    days = (when - issued).astype(np.int64)
    known = days >= 0
    oldest = np.full(n, -1, dtype=np.int64)
    np.maximum.at(oldest, cust[known], days[known])
    months = np.where(oldest >= 0, oldest / _MONTH_DAYS, np.nan)
    recent = known & (days < _HISTORY_DAYS)
    purchases = group_sum(np.where(recent, amount, 0.0), cust, n)
    terms = (inv["due"] - issued).astype(np.int64)  # NaT: the smallest int64, left out below
    weight = np.where(recent & (amount > 0) & (terms >= 0), amount, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg_terms = group_sum(weight * np.maximum(terms, 0), cust, n) / group_sum(weight, cust, n)
    return months, purchases, avg_terms


def _trade_references(portfolio: Portfolio, refs: Any) -> np.ndarray:
    n = portfolio.n_customers
    if refs is None:
        return np.full(n, np.nan)
    if isinstance(refs, Mapping):
        out = np.full(n, np.nan)
        codes = portfolio.codes(list(refs))
        for code, (cid, value) in zip(codes.tolist(), refs.items(), strict=True):
            if not _is_number(value) or not math.isfinite(float(value)) or float(value) < 0:
                raise ValidationError(
                    f"trade_references[{cid!r}] must be a finite number >= 0, got {value!r}",
                    field="trade_references",
                    value=value,
                )
            out[code] = float(value)
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


def _dunning_levels(portfolio: Portfolio, levels: Mapping[str, int] | None) -> np.ndarray:
    """Supplied dunning level per customer, -1 where none was supplied."""
    out = np.full(portfolio.n_customers, -1, dtype=np.int64)
    if levels is None:
        return out
    if not isinstance(levels, Mapping):
        raise ValidationError(
            f"dunning_levels must map customer id to level, got {type(levels).__name__}", field="dunning_levels"
        )
    codes = portfolio.codes(list(levels))
    for code, (cid, value) in zip(codes.tolist(), levels.items(), strict=True):
        if not _is_number(value) or not math.isfinite(float(value)) or float(value) != int(value) or value < 0:
            raise ValidationError(
                f"dunning_levels[{cid!r}] must be a whole number >= 0, got {value!r}",
                field="dunning_levels",
                value=value,
            )
        out[code] = int(value)
    return out


def _amounts(amounts: Any, ids: np.ndarray) -> np.ndarray:
    if isinstance(amounts, str):
        raise ValidationError(f"amounts must be numbers, got {amounts!r}", field="amount", value=amounts)
    raw = np.asarray(amounts)
    if raw.dtype.kind not in "fiu":
        raise ValidationError(f"amounts must be numbers, got {amounts!r}", field="amount")
    arr = raw.astype(np.float64)
    if arr.shape != ids.shape:
        raise ValidationError(
            f"got {arr.size} amounts for {ids.size} orders; give one amount per customer id", field="amount"
        )
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
    if bad.size:
        i = int(bad[0])
        raise ValidationError(
            f"order {i} for customer {ids[i]!r}: amount must be a finite number >= 0, got {float(arr[i])!r}",
            field="amount",
            row=i,
            value=float(arr[i]),
        )
    return arr


def _utc(now: Any) -> _dt.datetime:
    if now is None:
        return _dt.datetime.now(_dt.timezone.utc)
    if isinstance(now, str):
        try:
            now = _dt.datetime.fromisoformat(now)
        except ValueError:
            raise ValidationError(f"now must be an ISO timestamp, got {now!r}", field="now", value=now) from None
    if not isinstance(now, _dt.datetime) or now.tzinfo is None:
        raise ValidationError(
            f"now must be a timezone-aware datetime (e.g. datetime.now(timezone.utc)), got {now!r}",
            field="now",
            value=now,
        )
    return now.astimezone(_dt.timezone.utc)


def _lists(a: Mapping[str, Any]) -> dict[str, Any]:
    """The arrays of ``a`` (and of ``a["method_limits"]``) as lists of python scalars."""
    out: dict[str, Any] = {k: v.tolist() for k, v in a.items() if isinstance(v, np.ndarray)}
    out["method_limits"] = {k: v.tolist() for k, v in a["method_limits"].items()}
    return out


def _direction(limit: np.ndarray, now: np.ndarray) -> np.ndarray:
    """``"rise"``, ``"hold"`` or ``"fall"`` of each limit against the one on file (to half a cent)."""
    diff = limit - now
    return _MOVES[(diff > _CENT).astype(np.int64) - (diff < -_CENT)]


def _money(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def _pct(share: float) -> str:
    return f"{share * 100:.4g}%"


def _net(terms: np.ndarray) -> np.ndarray:
    return np.char.add("net ", terms.astype(str))


def _needs(method: str) -> str:
    return {
        "net_worth": "statement with equity",
        "working_capital": "statement with current assets and liabilities",
        "sales": "invoice",
        "trade_reference": "trade reference",
    }[method]


def _step_text(step: str, ok: bool, i: int, **c: Any) -> tuple[float | None, float | None, str]:
    """``(value, limit, reason)`` of one step for order ``i``."""
    p = c["params"][step]
    if step == "blocked":
        return None, None, "customer is not blocked" if ok else "customer is blocked in the ERP"
    if step == "static_limit":
        exp, amt, lim = float(c["exposure"][i]), float(c["amount"][i]), float(c["limit_used"][i])
        sign = "<=" if ok else ">"
        missing = " (no limit on file)" if np.isnan(c["limit"][i]) else ""
        src = "" if c["source"][i] == "current" else f" ({c['source'][i]})"
        text = f"exposure {_money(exp)} + order {_money(amt)} = {_money(exp + amt)} {sign} limit {_money(lim)}{src}"
        return exp + amt, lim, text + missing
    if step == "max_document_value":
        amt, lim = float(c["amount"][i]), float(p["max_amount"][i])
        return amt, lim, f"order {_money(amt)} {'<=' if ok else '>'} maximum document value {_money(lim)}"
    if step == "oldest_open_item":
        days, lim = float(c["oldest"][i]), float(p["max_days"][i])
        return days, lim, f"oldest open item {days:g} days past due {'<=' if ok else '>'} {lim:g}"
    if step == "dunning_level":
        lvl, lim = int(c["level"][i]), float(p["max_level"][i])
        how = "supplied" if c["supplied"][i] >= 0 else f"from {float(c['oldest'][i]):g} days past due"
        return float(lvl), lim, f"dunning level {lvl} ({how}) {'<=' if ok else '>'} {lim:g}"
    pi, lim = float(c["payment_index"][i]), float(p["min_index"][i])
    if np.isnan(pi):
        verdict = "passes" if ok else "fails"
        return None, lim, f"no payments in the last 365 days: {verdict} (missing={p['missing'][i]!r})"
    return pi, lim, f"payment index {pi:.1f} {'>=' if ok else '<'} {lim:g}"


def _summary(outcome: str, steps: list[StepResult], conditions: str | None, grade: str | None) -> str:
    if outcome == "approve":
        return f"approve: all {len(steps)} checks passed"
    wanted = {"approve_with_conditions": "conditions", "hold": "hold", "reject": "reject"}[outcome]
    parts = [f"{s.name}: {s.reason}" for s in steps if not s.passed and s.on_fail == wanted]
    if outcome == "approve_with_conditions" and conditions not in (None, "none"):
        parts.insert(0, f"{conditions} required for grade {grade}")
    return f"{outcome}: " + "; ".join(parts)
