"""The credit-check steps, as a table of step objects (docs/domain.md, *Order checks*).

Each step is one object: its ``name``, its default ``on_fail``, its own
parameters (:class:`Param`: name, default and what it accepts), a vectorised
:meth:`Step.passes` over every order of a batch, and :meth:`Step.explain`,
the value, limit and reason each order's :class:`~riskkit.policy.StepResult`
records. :data:`STEP_TABLE` lists them in the order they run;
:data:`STEPS`, the defaults and the accepted parameters of
``CreditPolicy.checks`` all derive from it.

To add a step, write its class below and put an instance in
:data:`STEP_TABLE`; a fact no step uses yet (a figure of the order or of its
customer) becomes a field of :class:`OrderFacts`, filled by
riskkit.policy._orders (a fact of the customer is a column of its
``CustomerRows``, computed once per book when the policy is prepared).

Examples
--------
>>> STEPS
('blocked', 'static_limit', 'group_limit', 'max_document_value', 'oldest_open_item', 'dunning_level', 'payment_index')
>>> STEP_BY_NAME["payment_index"].defaults
{'enabled': True, 'on_fail': 'conditions', 'min_index': 50.0, 'missing': 'pass'}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np

from riskkit._checks import Boolean, Constraint, Interval, Options
from riskkit.policy._format import money

__all__ = [
    "LIMIT_SOURCES",
    "ON_FAIL",
    "SEVERITY",
    "STEPS",
    "STEP_BY_NAME",
    "STEP_TABLE",
    "OrderFacts",
    "Param",
    "Step",
]

#: What a failing step does: its ``on_fail`` setting and the outcome it leads to.
ON_FAIL: dict[str, str] = {"conditions": "approve_with_conditions", "hold": "hold", "reject": "reject"}
#: How severe each ``on_fail`` is: an order's outcome is ``OUTCOMES[the most severe of its failed steps]``.
SEVERITY: dict[str, int] = {"conditions": 1, "hold": 2, "reject": 3}
#: Which limit the static check uses.
LIMIT_SOURCES: tuple[str, ...] = ("current", "recommended", "lower")

#: Per-order arrays of one step's parameters (after the segment overrides), by parameter name.
Params = Mapping[str, np.ndarray]
#: Per order: the compared value (None if none), the limit, and the reason.
Explained = tuple[list[Any], list[Any], list[str]]


@attrs.frozen
class OrderFacts:
    """What the credit check knows about each order of a batch (arrays, one row per order).

    Attributes
    ----------
    amount : ndarray of float
        The order amount.
    exposure : ndarray of float
        Counted exposure before the order.
    limit : ndarray of float
        The limit the static check uses (NaN: none on file); ``limit_used`` counts none as 0.
    limit_source : ndarray of str
        ``"current"``, ``"recommended"`` or ``"lower"``.
    oldest : ndarray of float
        Days past due of the oldest open item (0 without one).
    level : ndarray of int
        Dunning level; ``level_supplied`` says the ERP gave it (else it comes from ``oldest``).
    payment_index : ndarray of float
        NaN without payments in the last 365 days.
    blocked : ndarray of bool
        The ERP block.
    group_id : ndarray of str
        The top parent of the customer's corporate group (riskkit.groups).
    group_exposure, group_limit : ndarray of float
        The group's counted exposure before the order, and its limit (NaN: none; the step does not run).
    """

    amount: np.ndarray
    exposure: np.ndarray
    limit: np.ndarray
    limit_used: np.ndarray
    limit_source: np.ndarray
    oldest: np.ndarray
    level: np.ndarray
    level_supplied: np.ndarray
    payment_index: np.ndarray
    blocked: np.ndarray
    group_id: np.ndarray = attrs.field(factory=lambda: np.zeros(0, dtype=object))
    group_exposure: np.ndarray = attrs.field(factory=lambda: np.zeros(0))
    group_limit: np.ndarray = attrs.field(factory=lambda: np.zeros(0))


@attrs.frozen
class Param:
    """One parameter of a step: its name, its default and what it accepts."""

    name: str
    default: Any
    accepts: tuple[Constraint, ...]


_ENABLED = (Boolean(),)
_ON_FAIL = (Options(*ON_FAIL),)


def _compared(ok: bool, at_most: bool = True) -> str:
    """The comparison a passed (``ok``) or failed check shows: ``<=``/``>``, or ``>=``/``<``."""
    if at_most:
        return "<=" if ok else ">"
    return ">=" if ok else "<"


class Step:
    """One credit-check step: its name, parameters and defaults, vectorised check and text.

    Every step also has ``enabled`` (bool) and ``on_fail`` (``"reject"``,
    ``"hold"`` or ``"conditions"``); ``on_fail`` is the step's default for it.
    """

    name: ClassVar[str]
    on_fail: ClassVar[str]
    params: ClassVar[tuple[Param, ...]] = ()

    def passes(self, facts: OrderFacts, p: Params) -> np.ndarray:
        """Per order: does it pass (bool array)? ``p`` holds this step's parameters per order."""
        raise NotImplementedError

    def explain(self, facts: OrderFacts, p: Params, passed: list[bool]) -> Explained:
        """Per order: the value compared, the limit, and the reason in words."""
        raise NotImplementedError

    @property
    def defaults(self) -> dict[str, Any]:
        """Every parameter's default, ``enabled`` and ``on_fail`` first."""
        return {"enabled": True, "on_fail": self.on_fail, **{q.name: q.default for q in self.params}}

    @property
    def constraints(self) -> dict[str, tuple[Constraint, ...]]:
        """What every parameter accepts, ``enabled`` and ``on_fail`` first."""
        return {"enabled": _ENABLED, "on_fail": _ON_FAIL, **{q.name: q.accepts for q in self.params}}


class Blocked(Step):
    """Passes when the customer's ERP block is not set."""

    name = "blocked"
    on_fail = "reject"

    def passes(self, facts: OrderFacts, p: Params) -> np.ndarray:
        return ~facts.blocked

    def explain(self, facts: OrderFacts, p: Params, passed: list[bool]) -> Explained:
        none = [None] * len(passed)
        return none, none, ["customer is not blocked" if ok else "customer is blocked in the ERP" for ok in passed]


class StaticLimit(Step):
    """Passes when exposure + order <= limit: the one on file (none counts as 0), the recommended or the lower."""

    name = "static_limit"
    on_fail = "hold"
    params = (Param("limit", "current", (Options(*LIMIT_SOURCES),)),)

    def passes(self, facts: OrderFacts, p: Params) -> np.ndarray:
        return facts.exposure + facts.amount <= facts.limit_used

    def explain(self, facts: OrderFacts, p: Params, passed: list[bool]) -> Explained:
        values: list[float] = []
        limits: list[float] = []
        reasons: list[str] = []
        for exposure, amount, limit, on_file, source, ok in zip(
            facts.exposure.tolist(), facts.amount.tolist(), facts.limit_used.tolist(), facts.limit.tolist(),
            p["limit"].tolist(), passed, strict=True,
        ):
            total = exposure + amount
            which = "" if source == "current" else f" ({source})"
            missing = " (no limit on file)" if math.isnan(on_file) else ""
            values.append(total)
            limits.append(limit)
            reasons.append(f"exposure {money(exposure)} + order {money(amount)} = {money(total)} "
                           f"{_compared(ok)} limit {money(limit)}{which}{missing}")
        return values, limits, reasons


class GroupLimit(Step):
    """Passes when group exposure + order <= the group limit (docs/domain.md, *Corporate groups*).

    Runs only for the members of a group whose top parent has a ``group_limit``
    (the order check leaves it out for everyone else, so a book without
    groups gets the decisions it always did).
    """

    name = "group_limit"
    on_fail = "hold"

    def passes(self, facts: OrderFacts, p: Params) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return ~(facts.group_exposure + facts.amount > facts.group_limit)

    def explain(self, facts: OrderFacts, p: Params, passed: list[bool]) -> Explained:
        values: list[float] = []
        reasons: list[str] = []
        for group, exposure, amount, limit, ok in zip(
            facts.group_id.tolist(), facts.group_exposure.tolist(), facts.amount.tolist(),
            facts.group_limit.tolist(), passed, strict=True,
        ):
            total = exposure + amount
            values.append(total)
            reasons.append(f"group {group}: exposure {money(exposure)} + order {money(amount)} = {money(total)} "
                           f"{_compared(ok)} group limit {money(limit)}")
        return values, facts.group_limit.tolist(), reasons


class MaxDocumentValue(Step):
    """Passes when the order amount <= max_amount."""

    name = "max_document_value"
    on_fail = "hold"
    params = (Param("max_amount", 100_000.0, (Interval(float, 0),)),)

    def passes(self, facts: OrderFacts, p: Params) -> np.ndarray:
        return facts.amount <= p["max_amount"]

    def explain(self, facts: OrderFacts, p: Params, passed: list[bool]) -> Explained:
        amounts, limits = facts.amount.tolist(), p["max_amount"].tolist()
        reasons = [f"order {money(a)} {_compared(ok)} maximum document value {money(m)}"
                   for a, m, ok in zip(amounts, limits, passed, strict=True)]
        return amounts, limits, reasons


class OldestOpenItem(Step):
    """Passes when the days past due of the oldest open item <= max_days."""

    name = "oldest_open_item"
    on_fail = "hold"
    params = (Param("max_days", 30.0, (Interval(float, 0),)),)

    def passes(self, facts: OrderFacts, p: Params) -> np.ndarray:
        return facts.oldest <= p["max_days"]

    def explain(self, facts: OrderFacts, p: Params, passed: list[bool]) -> Explained:
        days, limits = facts.oldest.tolist(), p["max_days"].tolist()
        reasons = [f"oldest open item {d:g} days past due {_compared(ok)} {m:g}"
                   for d, m, ok in zip(days, limits, passed, strict=True)]
        return days, limits, reasons


class DunningLevel(Step):
    """Passes when the dunning level (supplied, or derived from ``dunning_bands``) <= max_level."""

    name = "dunning_level"
    on_fail = "hold"
    params = (Param("max_level", 2, (Interval(int, 0),)),)

    def passes(self, facts: OrderFacts, p: Params) -> np.ndarray:
        return facts.level <= p["max_level"]

    def explain(self, facts: OrderFacts, p: Params, passed: list[bool]) -> Explained:
        levels, limits = facts.level.tolist(), p["max_level"].tolist()
        reasons = [
            f"dunning level {level} ({'supplied' if supplied else f'from {days:g} days past due'}) "
            f"{_compared(ok)} {m:g}"
            for level, m, supplied, days, ok in zip(
                levels, limits, facts.level_supplied.tolist(), facts.oldest.tolist(), passed, strict=True
            )
        ]
        return [float(level) for level in levels], limits, reasons


class PaymentIndex(Step):
    """Passes when the payment index >= min_index; without payments in 365 days, as ``missing`` says."""

    name = "payment_index"
    on_fail = "conditions"
    params = (
        Param("min_index", 50.0, (Interval(float, 0, 100),)),
        Param("missing", "pass", (Options("pass", "fail"),)),
    )

    def passes(self, facts: OrderFacts, p: Params) -> np.ndarray:
        index = facts.payment_index
        with np.errstate(invalid="ignore"):
            return np.where(np.isnan(index), p["missing"] == "pass", index >= p["min_index"])

    def explain(self, facts: OrderFacts, p: Params, passed: list[bool]) -> Explained:
        values: list[float | None] = []
        limits: list[float] = []
        reasons: list[str] = []
        for index, m, missing, ok in zip(
            facts.payment_index.tolist(), p["min_index"].tolist(), p["missing"].tolist(), passed, strict=True
        ):
            if math.isnan(index):
                values.append(None)
                reasons.append(f"no payments in the last 365 days: {'passes' if ok else 'fails'} (missing={missing!r})")
            else:
                values.append(index)
                reasons.append(f"payment index {index:.1f} {_compared(ok, at_most=False)} {m:g}")
            limits.append(m)
        return values, limits, reasons


#: The credit-check steps, in the order they run: add a step by adding its object here.
STEP_TABLE: tuple[Step, ...] = (
    Blocked(),
    StaticLimit(),
    GroupLimit(),
    MaxDocumentValue(),
    OldestOpenItem(),
    DunningLevel(),
    PaymentIndex(),
)
#: Credit-check steps, in the order they run (docs/domain.md, *Order checks*).
STEPS: tuple[str, ...] = tuple(step.name for step in STEP_TABLE)
STEP_BY_NAME: dict[str, Step] = {step.name: step for step in STEP_TABLE}
