"""What a batch credit check gives: :class:`OrderChecks`, columns whose decisions are written when read.

The steps' checks and the outcome of every order are computed at once, over
the whole batch (riskkit.policy._orders); a :class:`CreditDecision`, with a
:class:`StepResult` and a text per step, is built only for the orders that
are read (``checks[i]``, iterating, :meth:`OrderChecks.decisions`), and the
one-line :attr:`OrderChecks.reason` only writes the texts of the steps that
decided each outcome. Either way the decisions are those of
:meth:`CreditPolicy.check_orders <riskkit.policy.CreditPolicy.check_orders>`,
field for field and text for text.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from riskkit._checks import readonly
from riskkit.errors import ValidationError
from riskkit.policy._decision import OUTCOMES, CreditDecision, StepResult
from riskkit.policy._steps import STEP_BY_NAME, STEP_TABLE, STEPS, OrderFacts

if TYPE_CHECKING:
    from riskkit.policy._orders import CustomerRows

__all__ = ["OrderChecks", "build_decisions"]

_OUTCOMES = np.array(OUTCOMES, dtype=object)
#: Orders built at a time when iterating: the texts are written a step at a time over a chunk.
_CHUNK = 1024


class OrderChecks(Sequence[CreditDecision]):
    """The credit check of a batch of orders: one row per order, in the order given.

    A read-only sequence of :class:`CreditDecision` (``checks[i]``, ``for d in
    checks``, ``len(checks)``) whose decisions, step results and texts are
    written only when read; the outcome of every order is there at once, as
    columns. The decisions are exactly those
    :meth:`CreditPolicy.check_orders <riskkit.policy.CreditPolicy.check_orders>`
    gives. Immutable, so it can be read from several threads.

    Attributes
    ----------
    customer_ids : ndarray of str
    amount : ndarray of float
    outcome : ndarray of str
        From :data:`OUTCOMES`.
    approved : ndarray of bool
        ``approve`` or ``approve_with_conditions``.
    segment : ndarray of str
        The customer's ``segment_by`` value.
    reason : ndarray of str
        Each decision's one-line reason, written when first read (the texts of the deciding steps only).
    policy_version : str
    as_of : datetime.date
    decided_at : datetime.datetime

    Examples
    --------
    >>> import riskkit
    >>> from riskkit.policy import CreditPolicy
    >>> book, _ = riskkit.datasets.make_portfolio(100, seed=0)
    >>> checks = CreditPolicy().prepare(book).check_orders(
    ...     ["C00006", "C00007", "C00007"], [5000.0, 5000.0, 250000.0], now="2026-01-02T00:00:00+00:00")
    >>> checks
    OrderChecks(3 orders: 1 approve, 2 hold)
    >>> checks.outcome.tolist(), checks.failed("static_limit").tolist()
    (['approve', 'hold', 'hold'], [False, True, True])
    >>> print(checks.reason[1])
    hold: static_limit: exposure 288,053.16 + order 5,000 = 293,053.16 > limit 265,000
    >>> d = checks[1]                      # the CreditDecision, built now
    >>> d.outcome, len(d.steps), d.reason == checks.reason[1]
    ('hold', 6, True)
    """

    __slots__ = ("_amount", "_as_of", "_decided_at", "_passed", "_reason", "_rows", "_severity", "_version")

    def __init__(
        self,
        *,
        policy_version: str,
        rows: CustomerRows,
        amount: np.ndarray,
        passed: Mapping[str, np.ndarray],
        severity: np.ndarray,
        as_of: _dt.date,
        decided_at: _dt.datetime,
    ) -> None:
        self._version = policy_version
        self._rows = rows
        self._amount = readonly(amount)
        self._passed = dict(passed)
        self._severity = readonly(severity)
        self._as_of = as_of
        self._decided_at = decided_at
        self._reason: np.ndarray | None = None

    # --- columns --------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._amount.size)

    @property
    def customer_ids(self) -> np.ndarray:
        """The ordering customer of each order."""
        return readonly(self._rows.ids)

    @property
    def amount(self) -> np.ndarray:
        """The order amounts."""
        return self._amount

    @property
    def outcome(self) -> np.ndarray:
        """Each order's outcome, from :data:`OUTCOMES`."""
        return readonly(_OUTCOMES[self._severity])

    @property
    def approved(self) -> np.ndarray:
        """``approve`` or ``approve_with_conditions``."""
        return readonly(self._severity <= 1)

    @property
    def segment(self) -> np.ndarray:
        """The customer's ``segment_by`` value."""
        return readonly(self._rows.segment)

    @property
    def policy_version(self) -> str:
        return self._version

    @property
    def as_of(self) -> _dt.date:
        """The date of the facts."""
        return self._as_of

    @property
    def decided_at(self) -> _dt.datetime:
        """When the orders were checked (UTC)."""
        return self._decided_at

    def failed(self, step: str) -> np.ndarray:
        """Per order: did ``step`` (from :data:`STEPS`) run and fail? (A disabled step never fails.)"""
        if step not in STEP_BY_NAME:
            raise ValidationError(f"unknown step {step!r}; steps: {', '.join(STEPS)}", field="step", value=step)
        return readonly(self._rows.params[step]["enabled"] & ~self._passed[step])

    def counts(self) -> dict[str, int]:
        """Orders per outcome, every outcome of :data:`OUTCOMES` listed."""
        n = np.bincount(self._severity, minlength=len(OUTCOMES))
        return {o: int(k) for o, k in zip(OUTCOMES, n.tolist(), strict=True)}

    @property
    def reason(self) -> np.ndarray:
        """Each order's one-line reason, as :attr:`CreditDecision.reason` (written when first read)."""
        if self._reason is None:
            self._reason = readonly(_reasons(self._rows, self._amount, self._passed, self._severity))
        return self._reason

    # --- the decisions --------------------------------------------------------------

    @overload
    def __getitem__(self, index: int) -> CreditDecision: ...

    @overload
    def __getitem__(self, index: slice) -> list[CreditDecision]: ...

    def __getitem__(self, index: int | slice) -> CreditDecision | list[CreditDecision]:
        if isinstance(index, slice):
            return self._build(slice(*index.indices(len(self))))
        n = len(self)
        i = int(index)
        if not -n <= i < n:
            raise IndexError(f"order {index} of {n}")
        i %= n
        return self._build(slice(i, i + 1))[0]

    def __iter__(self) -> Iterator[CreditDecision]:
        for start in range(0, len(self), _CHUNK):
            yield from self._build(slice(start, start + _CHUNK))

    def decisions(self, index: Any = None) -> list[CreditDecision]:
        """The decisions of the orders at ``index`` (positions or a boolean mask; default every order).

        Written a step at a time over the orders asked for: the fast way to
        read many (e.g. ``checks.decisions(checks.outcome != "approve")``).
        """
        if index is None:
            return self._build(slice(None))
        picked = np.asarray(index)
        if picked.dtype != bool:
            picked = picked.astype(np.int64)  # an empty list picks no order
        return self._build(np.arange(len(self))[picked])

    def _build(self, rows: np.ndarray | slice) -> list[CreditDecision]:
        if isinstance(rows, slice) and rows.indices(len(self)) == (0, len(self), 1):
            return build_decisions(self._version, self._rows, self._amount, self._passed, self._severity,
                                   self._as_of, self._decided_at)
        return build_decisions(
            self._version,
            self._rows.take(rows),
            self._amount[rows],
            {name: ok[rows] for name, ok in self._passed.items()},
            self._severity[rows],
            self._as_of,
            self._decided_at,
        )

    def __repr__(self) -> str:
        parts = [f"{k} {o}" for o, k in self.counts().items() if k]
        return f"OrderChecks({len(self)} orders{': ' if parts else ''}{', '.join(parts)})"


# --- texts ------------------------------------------------------------------------------


def _step_results(
    facts: OrderFacts, params: Mapping[str, Mapping[str, np.ndarray]], passed: Mapping[str, np.ndarray]
) -> list[list[StepResult]]:
    """Per order, the result of every enabled step in table order (texts written a step at a time)."""
    out: list[list[StepResult]] = [[] for _ in range(facts.amount.size)]
    for step in STEP_TABLE:
        p = params[step.name]
        ok = passed[step.name].tolist()
        values, limits, reasons = step.explain(facts, p, ok)
        for results, enabled, *result in zip(
            out, p["enabled"].tolist(), ok, reasons, values, limits, p["on_fail"].tolist(), strict=True
        ):
            if enabled:
                results.append(StepResult(step.name, *result))
    return out


def build_decisions(
    version: str,
    rows: CustomerRows,
    amount: np.ndarray,
    passed: Mapping[str, np.ndarray],
    severity: np.ndarray,
    as_of: _dt.date,
    decided_at: _dt.datetime,
) -> list[CreditDecision]:
    """One CreditDecision per order: its outcome and reason, every step, the facts used."""
    facts = rows.facts(amount)
    steps = _step_results(facts, rows.params, passed)
    payment_index = facts.payment_index.tolist()
    limit = facts.limit.tolist()
    decisions = []
    for i, (cid, amt, exposure, source, oldest, level, blocked, label, grade, conditions, terms) in enumerate(zip(
        rows.ids.tolist(), amount.tolist(), facts.exposure.tolist(), facts.limit_source.tolist(),
        facts.oldest.tolist(), facts.level.tolist(), facts.blocked.tolist(), rows.segment.tolist(),
        rows.grade.tolist(), rows.conditions.tolist(), rows.terms.tolist(), strict=True,
    )):
        outcome = OUTCOMES[int(severity[i])]
        decisions.append(
            CreditDecision(
                customer_id=str(cid),
                amount=amt,
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
                policy_version=version,
                as_of=as_of,
                decided_at=decided_at,
            )
        )
    return decisions


#: The ``on_fail`` whose failed steps an outcome's reason lists.
_WANTED = {"approve_with_conditions": "conditions", "hold": "hold", "reject": "reject"}


def _summary(outcome: str, steps: list[StepResult], conditions: str | None, grade: str | None) -> str:
    """The outcome in one line: the steps (and the grade's condition) that decided it."""
    if outcome == "approve":
        return f"approve: all {len(steps)} checks passed"
    wanted = _WANTED[outcome]
    parts = [f"{s.name}: {s.reason}" for s in steps if not s.passed and s.on_fail == wanted]
    if outcome == "approve_with_conditions" and conditions not in (None, "none"):
        parts.insert(0, f"{conditions} required for grade {grade}")
    return f"{outcome}: " + "; ".join(parts)


def _reasons(
    rows: CustomerRows, amount: np.ndarray, passed: Mapping[str, np.ndarray], severity: np.ndarray
) -> np.ndarray:
    """Every order's :func:`_summary`, writing only the texts of the steps that decided its outcome.

    A step is quoted where it ran, failed and weighs as much as the outcome
    (its ``on_fail`` is the outcome's); an approval counts the steps that ran.
    """
    m = amount.size
    parts: list[list[str]] = [[] for _ in range(m)]
    ran = np.zeros(m, dtype=np.int64)
    params = rows.params
    for step in STEP_TABLE:
        ran += params[step.name]["enabled"]
        deciding = np.flatnonzero(~passed[step.name] & (rows.rank(step.name) == severity) & (severity > 0))
        if not deciding.size:
            continue
        sub = rows.take(deciding)
        _, _, texts = step.explain(sub.facts(amount[deciding]), sub.params[step.name], [False] * deciding.size)
        for i, text in zip(deciding.tolist(), texts, strict=True):
            parts[i].append(f"{step.name}: {text}")
    out = np.empty(m, dtype=object)
    conditions, grade = rows.conditions.tolist(), rows.grade.tolist()
    for i, (sev, n_ran) in enumerate(zip(severity.tolist(), ran.tolist(), strict=True)):
        if sev == 0:
            out[i] = f"approve: all {n_ran} checks passed"
            continue
        outcome = OUTCOMES[sev]
        if sev == 1 and conditions[i] not in (None, "none"):
            parts[i].insert(0, f"{conditions[i]} required for grade {grade[i]}")
        out[i] = f"{outcome}: " + "; ".join(parts[i])
    return out
