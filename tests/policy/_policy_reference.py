"""The credit check as it was before the prepared context (issue 14): a frozen copy, kept in the tests.

This is riskkit.policy._orders as it stood before ``CreditPolicy.prepare`` and
the lazy :class:`~riskkit.policy.OrderChecks` (one pass that built every
:class:`CreditDecision` and every step text up front). tests/policy/test_prepared.py
checks that the prepared and lazy paths give decisions identical to it, field
for field and text for text. Do not "fix" it: it is the oracle.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from riskkit._checks import Interval, check
from riskkit.dunning._ladder import dunning_level
from riskkit.errors import ValidationError
from riskkit.policy._decision import OUTCOMES, CreditDecision, StepResult, utc
from riskkit.policy._limits import limit_arrays
from riskkit.policy._steps import SEVERITY, OrderFacts
from riskkit.policy._steps import STEP_TABLE as _ALL_STEPS

# the group_limit step came later (issue 17) and runs only for members of a group with a limit;
# the books compared with this oracle have no groups (tests/test_groups.py checks the step)
STEP_TABLE = tuple(step for step in _ALL_STEPS if step.name != "group_limit")

if TYPE_CHECKING:
    from riskkit.policy._policy import CreditPolicy
    from riskkit.portfolio import Portfolio
    from riskkit.scoring._result import ScoreResult

__all__ = ["check_orders"]


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
    decided_at = _dt.datetime.now(_dt.timezone.utc) if now is None else utc(now, "now")
    codes = portfolio.codes(customer_ids)  # also refuses a single string and unknown ids
    ids = portfolio.customer_ids[codes]
    amount = _amounts(amounts, ids)
    segment = np.asarray(portfolio.customers[policy.segment_by], dtype=object)[codes]
    params = _step_params(policy, segment)
    grading = _grading(policy, portfolio, when, scores, trade_references, codes, params)
    facts = _facts(policy, portfolio, when, codes, amount, params, grading.recommended, dunning_levels)
    passed = {step.name: step.passes(facts, params[step.name]) for step in STEP_TABLE}
    severity = _severity(params, passed, grading.needs_condition)
    return _decisions(policy, ids, segment, facts, params, passed, grading, severity, when.astype(object), decided_at)


def _amounts(amounts: Any, ids: np.ndarray) -> np.ndarray:
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


@attrs.frozen
class _Grading:
    """Per order, what the grade (with scores) gives: grade, conditions, terms, recommended limit."""

    grade: np.ndarray
    conditions: np.ndarray
    needs_condition: np.ndarray
    terms: np.ndarray
    recommended: np.ndarray


def _grading(
    policy: CreditPolicy,
    portfolio: Portfolio,
    when: np.datetime64,
    scores: ScoreResult | None,
    trade_references: Any,
    codes: np.ndarray,
    params: Mapping[str, Mapping[str, np.ndarray]],
) -> _Grading:
    """The policy grade (after the new-customer cap) and what it gives; none without scores."""
    m = codes.size
    if scores is None:
        if np.isin(params["static_limit"]["limit"], ["recommended", "lower"]).any():
            raise ValidationError(
                "the static_limit step uses the recommended limit (limit 'recommended' or 'lower'); pass scores=",
                field="scores",
            )
        nothing = np.full(m, None, dtype=object)
        return _Grading(nothing, nothing, np.zeros(m, dtype=bool), nothing, np.full(m, np.nan))
    a = limit_arrays(policy, portfolio, when, scores, trade_references)
    conditions = a["conditions"][codes]
    return _Grading(
        grade=np.array(policy.grades, dtype=object)[a["policy_grade_index"][codes]],
        conditions=conditions,
        needs_condition=conditions != "none",
        terms=a["terms_days"][codes].astype(object),
        recommended=a["limit"][codes],
    )


def _facts(
    policy: CreditPolicy,
    portfolio: Portfolio,
    when: np.datetime64,
    codes: np.ndarray,
    amount: np.ndarray,
    params: Mapping[str, Mapping[str, np.ndarray]],
    recommended: np.ndarray,
    dunning_levels: Mapping[str, int] | None,
) -> OrderFacts:
    """What the steps check, per order: exposure, the limit used, the oldest item, dunning level, ..."""
    features = portfolio.features(when)

    def feature(name: str) -> np.ndarray:
        return np.asarray(features[name], dtype=np.float64)[codes]

    current = feature("credit_limit")
    source = params["static_limit"]["limit"]
    limit = np.where(source == "current", current,
                     np.where(source == "recommended", recommended, np.fmin(current, recommended)))
    oldest = np.nan_to_num(feature("max_days_past_due"), nan=0.0)
    supplied = _dunning_levels(portfolio, dunning_levels)[codes]
    return OrderFacts(
        amount=amount,
        exposure=feature("exposure"),
        limit=limit,
        limit_used=np.nan_to_num(limit, nan=0.0),
        limit_source=source,
        oldest=oldest,
        level=np.where(supplied >= 0, supplied, dunning_level(oldest, policy.dunning_bands)).astype(np.int64),
        level_supplied=supplied >= 0,
        payment_index=feature("payment_index"),
        blocked=np.asarray(portfolio.customers["blocked"], dtype=bool)[codes],
    )


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


def _severity(
    params: Mapping[str, Mapping[str, np.ndarray]], passed: Mapping[str, np.ndarray], needs_condition: np.ndarray
) -> np.ndarray:
    """Per order, the index into OUTCOMES: the most severe ``on_fail`` of its failed enabled steps,
    at least "approve_with_conditions" where the grade requires a condition."""
    severity = np.zeros(needs_condition.size, dtype=np.int64)
    for step in STEP_TABLE:
        p = params[step.name]
        step_rank = np.select([p["on_fail"] == k for k in SEVERITY], list(SEVERITY.values()), 0)
        failing = p["enabled"] & ~passed[step.name]
        severity = np.maximum(severity, np.where(failing, step_rank, 0))
    return np.where(needs_condition, np.maximum(severity, 1), severity)


def _step_results(
    facts: OrderFacts, params: Mapping[str, Mapping[str, np.ndarray]], passed: Mapping[str, np.ndarray]
) -> list[list[StepResult]]:
    """Per order, the result of every enabled step in table order (texts written a step at a time)."""
    out: list[list[StepResult]] = [[] for _ in range(facts.amount.size)]
    for step in STEP_TABLE:
        p = params[step.name]
        ok = passed[step.name].tolist()
        values, limits, reasons = step.explain(facts, p, ok)
        on_fail = p["on_fail"].tolist()
        for i in np.flatnonzero(p["enabled"]).tolist():
            out[i].append(StepResult(step.name, ok[i], reasons[i], values[i], limits[i], on_fail[i]))
    return out


def _decisions(
    policy: CreditPolicy,
    ids: np.ndarray,
    segment: np.ndarray,
    facts: OrderFacts,
    params: Mapping[str, Mapping[str, np.ndarray]],
    passed: Mapping[str, np.ndarray],
    grading: _Grading,
    severity: np.ndarray,
    as_of: _dt.date,
    decided_at: _dt.datetime,
) -> list[CreditDecision]:
    """One CreditDecision per order: its outcome and reason, every step, the facts used."""
    steps = _step_results(facts, params, passed)
    payment_index = facts.payment_index.tolist()
    limit = facts.limit.tolist()
    decisions = []
    for i, (cid, amount, exposure, source, oldest, level, blocked, label) in enumerate(zip(
        ids.tolist(), facts.amount.tolist(), facts.exposure.tolist(), facts.limit_source.tolist(),
        facts.oldest.tolist(), facts.level.tolist(), facts.blocked.tolist(), segment.tolist(), strict=True,
    )):
        outcome = OUTCOMES[int(severity[i])]
        conditions, grade, terms = grading.conditions[i], grading.grade[i], grading.terms[i]
        decisions.append(
            CreditDecision(
                customer_id=str(cid),
                amount=amount,
                outcome=outcome,
                reason=_summary(outcome, steps[i], conditions, grade),
                steps=tuple(steps[i]),
                exposure=exposure,
                credit_limit=None if np.isnan(limit[i]) else limit[i],
                limit_source=str(source),
                oldest_item_days=oldest,
                dunning_level=level,
                payment_index=None if np.isnan(payment_index[i]) else payment_index[i],
                blocked=blocked,
                grade=grade,
                conditions=conditions,
                terms_days=None if terms is None else int(terms),
                segment=str(label),
                policy_version=policy.version,
                as_of=as_of,
                decided_at=decided_at,
            )
        )
    return decisions


def _summary(outcome: str, steps: list[StepResult], conditions: str | None, grade: str | None) -> str:
    """The outcome in one line: the steps (and the grade's condition) that decided it."""
    if outcome == "approve":
        return f"approve: all {len(steps)} checks passed"
    wanted = {"approve_with_conditions": "conditions", "hold": "hold", "reject": "reject"}[outcome]
    parts = [f"{s.name}: {s.reason}" for s in steps if not s.passed and s.on_fail == wanted]
    if outcome == "approve_with_conditions" and conditions not in (None, "none"):
        parts.insert(0, f"{conditions} required for grade {grade}")
    return f"{outcome}: " + "; ".join(parts)
