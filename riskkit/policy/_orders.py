"""The credit check on new orders: the engine that runs the step table over a batch of orders.

The check is split in two, so that an order-entry service computes the part
that does not depend on the order once:

- :func:`customer_rows` gathers, per row (each customer of the book for
  :meth:`CreditPolicy.prepare <riskkit.policy.CreditPolicy.prepare>`, or the
  customer of each order for a one-off :func:`check_orders`), everything the
  steps use but the amount: each step's parameters after the segment
  overrides (:func:`_step_params`) and the severity of failing it, the
  grade-based facts (:func:`_grading`) and the facts of the customer
  (:func:`_facts`), in a :class:`CustomerRows`;
- :func:`evaluate` takes those rows (one per order) and the amounts, runs
  every step's vectorised check (riskkit.policy._steps) and the outcome,
  and returns an :class:`~riskkit.policy.OrderChecks`: columns, whose
  decisions and texts are written only when read (riskkit.policy._batch).

:func:`check_orders` (behind :meth:`CreditPolicy.check_orders
<riskkit.policy.CreditPolicy.check_orders>`) does both for one batch and
returns every decision. The steps themselves, their parameters and texts
live in the step table.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit._checks import Interval, check
from riskkit.dunning._ladder import dunning_level
from riskkit.errors import ValidationError
from riskkit.groups import group_exposure, group_limit, group_of
from riskkit.policy._batch import OrderChecks
from riskkit.policy._decision import CreditDecision, utc
from riskkit.policy._limits import limit_arrays
from riskkit.policy._steps import SEVERITY, STEP_TABLE, OrderFacts

if TYPE_CHECKING:
    from riskkit.policy._policy import CreditPolicy
    from riskkit.portfolio import Portfolio
    from riskkit.scoring._result import ScoreResult

__all__ = ["CustomerRows", "check_orders", "customer_rows", "evaluate", "outcomes"]


def check_orders(
    policy: CreditPolicy,
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
    """One :class:`CreditDecision` per order (see :meth:`CreditPolicy.check_orders`)."""
    when = portfolio.resolve_as_of(as_of)
    decided_at = decision_time(now)
    codes = portfolio.codes(customer_ids)  # also refuses a single string and unknown ids
    amount = order_amounts(amounts, portfolio.customer_ids[codes])
    rows = customer_rows(policy, portfolio, when, scores, codes, dunning_levels=dunning_levels,
                         trade_references=trade_references, strict=True)
    return evaluate(policy.version, rows, amount, when, decided_at).decisions()


def decision_time(now: Any) -> _dt.datetime:
    """The decision timestamp: ``now`` in UTC, or the current time."""
    return _dt.datetime.now(_dt.timezone.utc) if now is None else utc(now, "now")


def order_amounts(amounts: Any, ids: np.ndarray) -> np.ndarray:
    """The order amounts: numbers, finite and >= 0, one per order."""
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


# --- what does not depend on the order ----------------------------------------------


class _Column:
    """A field of :class:`CustomerRows`: one array, indexed by the rows taken when first read."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, rows: CustomerRows | None, owner: type | None = None) -> Any:
        return self if rows is None else rows.column(self.name)


class CustomerRows:
    """Per row (a customer, or the customer of an order): everything the credit check uses but the amount.

    The arrays of every customer of a book are computed once
    (:func:`customer_rows`); :meth:`take` picks the rows of a batch of orders
    without copying anything yet: each array is indexed when first read, so
    a batch pays only for what its checks and texts use.

    Attributes
    ----------
    ids, segment : ndarray of str
        The customer id and its ``segment_by`` value.
    params : mapping of step to {parameter: ndarray}
        Each step's parameters after the segment overrides.
    grade, conditions, terms : ndarray of object
        The policy grade, its conditions and terms (``None`` without scores).
    needs_condition : ndarray of bool
        The grade requires a condition: at least ``approve_with_conditions``.
    recommended : ndarray of float
        The recommended limit (NaN without scores).
    needs_scores : ndarray of bool
        The ``static_limit`` step uses the recommended limit, but no scores were given.
    exposure, limit, limit_used, limit_source, oldest, level, level_supplied, payment_index, blocked,
    group_id, group_exposure, group_limit
        As the fields of :class:`~riskkit.policy._steps.OrderFacts`.
    """

    __slots__ = ("_cache", "_columns", "_layout", "_rows")

    ids = _Column()
    segment = _Column()
    grade = _Column()
    conditions = _Column()
    needs_condition = _Column()
    terms = _Column()
    recommended = _Column()
    needs_scores = _Column()
    exposure = _Column()
    limit = _Column()
    limit_used = _Column()
    limit_source = _Column()
    oldest = _Column()
    level = _Column()
    level_supplied = _Column()
    payment_index = _Column()
    blocked = _Column()
    group_id = _Column()
    group_exposure = _Column()
    group_limit = _Column()

    def __init__(
        self,
        columns: Mapping[str, np.ndarray],
        layout: Mapping[str, tuple[str, ...]],
        rows: np.ndarray | slice | None = None,
    ) -> None:
        self._columns = columns  # by name; a step's parameter as "step:name", what failing it weighs as "rank:step"
        self._layout = layout  # the parameter names of each step
        self._rows = rows  # None: every row of the columns
        self._cache: dict[str, Any] = {}

    def column(self, name: str) -> np.ndarray:
        """One array (see the attributes), for the rows taken."""
        if self._rows is None:
            return self._columns[name]  # nothing written: a prepared context is shared between threads
        value: np.ndarray | None = self._cache.get(name)
        if value is None:
            value = self._columns[name][self._rows]
            self._cache[name] = value  # two threads may index it at once: the same array either way
        return value

    @property
    def params(self) -> Mapping[str, Mapping[str, np.ndarray]]:
        """Per step, its parameters after the segment overrides (arrays, one value per row)."""
        return {step: _Params(self, step, names) for step, names in self._layout.items()}

    def rank(self, step: str) -> np.ndarray:
        """What failing ``step`` weighs: SEVERITY of its ``on_fail``, 0 where it is disabled."""
        return self.column(f"rank:{step}")

    def __len__(self) -> int:
        return int(self.ids.size)

    def take(self, rows: np.ndarray | slice) -> CustomerRows:
        """These rows (integer positions or a slice), indexed when each array is first read."""
        if self._rows is None:
            return CustomerRows(self._columns, self._layout, rows)
        base = self._rows
        if isinstance(base, slice):
            base = np.arange(*base.indices(self._columns["ids"].size))
        return CustomerRows(self._columns, self._layout, base[rows])

    def facts(self, amount: np.ndarray) -> OrderFacts:
        """What the steps check, with each row's order ``amount``."""
        return OrderFacts(
            amount=amount,
            exposure=self.exposure,
            limit=self.limit,
            limit_used=self.limit_used,
            limit_source=self.limit_source,
            oldest=self.oldest,
            level=self.level,
            level_supplied=self.level_supplied,
            payment_index=self.payment_index,
            blocked=self.blocked,
            group_id=self.group_id,
            group_exposure=self.group_exposure,
            group_limit=self.group_limit,
        )

    def read_only(self) -> CustomerRows:
        """The same rows, every array made read-only (for a context shared between threads)."""
        for arr in self._columns.values():
            arr.flags.writeable = False
        return self


class _Params(Mapping[str, np.ndarray]):
    """One step's parameters for the rows taken, each indexed when first read."""

    __slots__ = ("_names", "_rows", "_step")

    def __init__(self, rows: CustomerRows, step: str, names: tuple[str, ...]) -> None:
        self._rows, self._step, self._names = rows, step, names

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._names:
            raise KeyError(name)
        return self._rows.column(f"{self._step}:{name}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def customer_rows(
    policy: CreditPolicy,
    portfolio: Portfolio,
    when: np.datetime64,
    scores: ScoreResult | None,
    codes: np.ndarray,
    *,
    dunning_levels: Mapping[str, int] | None = None,
    trade_references: Any = None,
    strict: bool = False,
) -> CustomerRows:
    """Per row of ``codes`` (customer codes), everything the credit check uses but the amount.

    ``strict``: refuse at once a ``static_limit`` that uses the recommended
    limit without ``scores`` (else :func:`evaluate` refuses the orders of those rows).
    """
    segment = np.asarray(portfolio.customers[policy.segment_by], dtype=object)[codes]
    params = _step_params(policy, segment)
    needs_scores = _needs_scores(params, scores)
    if strict and needs_scores.any():
        raise _scores_missing()
    grading = _grading(policy, portfolio, when, scores, trade_references, codes)
    facts = _facts(policy, portfolio, when, codes, params, grading["recommended"], dunning_levels)
    facts.update(_group_facts(portfolio, when, codes))
    # the group step runs only where the customer's group has a limit (docs/domain.md, *Corporate groups*)
    params["group_limit"]["enabled"] &= np.isfinite(facts["group_limit"])
    columns = {"ids": portfolio.customer_ids[codes], "segment": segment, **grading, "needs_scores": needs_scores,
               **facts}
    for step in STEP_TABLE:
        p = params[step.name]
        columns.update({f"{step.name}:{name}": value for name, value in p.items()})
        columns[f"rank:{step.name}"] = _rank(p)
    return CustomerRows(columns, {step: tuple(p) for step, p in params.items()})


def _step_params(policy: CreditPolicy, segment: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Per order, every step parameter after the segment overrides (a loop over segments, not orders)."""
    m = segment.size
    out: dict[str, dict[str, np.ndarray]] = {}
    for step, params in policy.checks.items():
        cols: dict[str, np.ndarray] = {}
        for name, value in params.items():
            dtype = bool if name == "enabled" else object if isinstance(value, str) else np.float64
            cols[name] = np.full(m, value, dtype=dtype)
        out[step] = cols
    for label, block in policy.segments.items():
        rows = segment == label
        if not rows.any():
            continue
        for step, params in block.items():
            for name, value in params.items():
                out[step][name][rows] = value
    return out


def _rank(p: Mapping[str, np.ndarray]) -> np.ndarray:
    """Per row, what failing this step weighs: SEVERITY of its ``on_fail``, 0 where it is disabled."""
    rank = np.select([p["on_fail"] == k for k in SEVERITY], list(SEVERITY.values()), 0)
    return np.where(p["enabled"], rank, 0).astype(np.int64)


def _needs_scores(params: Mapping[str, Mapping[str, np.ndarray]], scores: ScoreResult | None) -> np.ndarray:
    """Per row: the static_limit step uses the recommended limit, which needs scores, and none were given."""
    source = params["static_limit"]["limit"]
    if scores is not None:
        return np.zeros(source.size, dtype=bool)
    return np.isin(source, ["recommended", "lower"])


def _scores_missing() -> ValidationError:
    return ValidationError(
        "the static_limit step uses the recommended limit (limit 'recommended' or 'lower'); pass scores=",
        field="scores",
    )


def _grading(
    policy: CreditPolicy,
    portfolio: Portfolio,
    when: np.datetime64,
    scores: ScoreResult | None,
    trade_references: Any,
    codes: np.ndarray,
) -> dict[str, np.ndarray]:
    """The policy grade (after the new-customer cap) and what it gives: grade, conditions, terms,
    recommended limit; none without scores."""
    m = codes.size
    if scores is None:
        nothing = np.full(m, None, dtype=object)
        return {"grade": nothing, "conditions": nothing, "needs_condition": np.zeros(m, dtype=bool),
                "terms": nothing, "recommended": np.full(m, np.nan)}
    a = limit_arrays(policy, portfolio, when, scores, trade_references)
    conditions = a["conditions"][codes]
    return {
        "grade": np.array(policy.grades, dtype=object)[a["policy_grade_index"][codes]],
        "conditions": conditions,
        "needs_condition": conditions != "none",
        "terms": a["terms_days"][codes].astype(object),
        "recommended": a["limit"][codes],
    }


def _facts(
    policy: CreditPolicy,
    portfolio: Portfolio,
    when: np.datetime64,
    codes: np.ndarray,
    params: Mapping[str, Mapping[str, np.ndarray]],
    recommended: np.ndarray,
    dunning_levels: Mapping[str, int] | None,
) -> dict[str, np.ndarray]:
    """What the steps check, per row but the amount: exposure, the limit used, the oldest item, dunning level, ..."""
    features = portfolio.features(when)

    def feature(name: str) -> np.ndarray:
        return np.asarray(features[name], dtype=np.float64)[codes]

    current = feature("credit_limit")
    source = params["static_limit"]["limit"]
    limit = np.where(source == "current", current,
                     np.where(source == "recommended", recommended, np.fmin(current, recommended)))
    oldest = np.nan_to_num(feature("max_days_past_due"), nan=0.0)
    supplied = _dunning_levels(portfolio, dunning_levels)[codes]
    return {
        "exposure": feature("exposure"),
        "limit": limit,
        "limit_used": np.nan_to_num(limit, nan=0.0),
        "limit_source": source,
        "oldest": oldest,
        "level": np.where(supplied >= 0, supplied, dunning_level(oldest, policy.dunning_bands)).astype(np.int64),
        "level_supplied": supplied >= 0,
        "payment_index": feature("payment_index"),
        "blocked": np.asarray(portfolio.customers["blocked"], dtype=bool)[codes],
    }


def _group_facts(portfolio: Portfolio, when: np.datetime64, codes: np.ndarray) -> dict[str, np.ndarray]:
    """Per row, the customer's group (its top parent's id), the group's exposure and its limit (NaN: none)."""
    limit = group_limit(portfolio)[codes]
    top = group_of(portfolio)[codes]
    exposure = group_exposure(portfolio, when)[codes] if np.isfinite(limit).any() else np.zeros(codes.size)
    return {"group_id": portfolio.customer_ids[top], "group_exposure": exposure, "group_limit": limit}


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
        out[code] = check(f"dunning_levels[{cid!r}]", value, Interval(int, 0))
    return out


# --- the orders -----------------------------------------------------------------------


def evaluate(
    version: str, rows: CustomerRows, amount: np.ndarray, when: np.datetime64, decided_at: _dt.datetime
) -> OrderChecks:
    """The check of each order (``rows``: one per order, ``amount`` checked), decisions written when read."""
    passed, severity = outcomes(rows, amount)
    return OrderChecks(
        policy_version=version, rows=rows, amount=amount, passed=passed, severity=severity,
        as_of=when.astype(object), decided_at=decided_at,
    )


def outcomes(rows: CustomerRows, amount: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every step's check of each order, and its outcome as an index into OUTCOMES.

    The outcome is the most severe ``on_fail`` of the order's failed enabled
    steps, at least "approve_with_conditions" where the grade requires a condition.
    """
    if rows.needs_scores.any():
        raise _scores_missing()
    facts = rows.facts(amount)
    params = rows.params
    passed = {step.name: step.passes(facts, params[step.name]) for step in STEP_TABLE}
    severity = np.zeros(amount.size, dtype=np.int64)
    for name, ok in passed.items():
        severity = np.maximum(severity, np.where(ok, 0, rows.rank(name)))
    return passed, np.where(rows.needs_condition, np.maximum(severity, 1), severity)
