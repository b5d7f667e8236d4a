"""Collections: the escalation ladder and a prioritised worklist of overdue customers.

A :class:`Ladder` says what to do about an overdue customer (docs/domain.md, *Collections ladder*):
stages by days past due, shifted by risk grade (weak grades escalate
sooner) and by debtor type (project customers later and by milestone,
manufacturers and distributors with supply leverage, government and large
institutions through formal channels, later, never an agency), plus the
rule for an overdue customer who asks to order again.

:func:`worklist` applies a ladder to a portfolio and its scores at a point
in time and returns a :class:`Worklist`: one row per customer with overdue
money, most urgent first.

Examples
--------
>>> import numpy as np
>>> import riskkit
>>> from riskkit.dunning._worklist import Ladder, worklist
>>> ladder = Ladder.default()
>>> [s.name for s in ladder.stages]
['reminder', 'friendly_reminder', 'call', 'dunning', 'visit', 'final_notice']
>>> ladder.stage_for(45).actions
('send a formal dunning letter', 'hold new credit sales')
>>> ladder.stage_for(45, grade="B").name            # B escalates 10 days sooner: 55 -> still dunning
'dunning'
>>> ladder.stage_for(52, grade="B").name            # 62 -> visit
'visit'
>>> ladder.stage_for(40, debtor_type="government").name   # 30 days later: 10 -> friendly reminder
'friendly_reminder'
>>> p = riskkit.Portfolio.from_records(
...     customers=[{"id": "C1"}, {"id": "C2", "debtor_type": "project"}, {"id": "C3"}],
...     invoices=[
...         {"id": "I1", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31", "amount": 5000.0},
...         {"id": "I2", "customer_id": "C2", "issued": "2025-02-01", "due": "2025-03-03", "amount": 8000.0},
...         {"id": "I3", "customer_id": "C3", "issued": "2025-03-20", "due": "2025-04-19", "amount": 900.0},
...     ],
...     as_of="2025-03-31",
... )
>>> scores = riskkit.ScoreResult(score=[55.0, 72.0, 90.0], pd=[0.03, 0.01, 0.002],
...                              grade=["BB", "A", "AA"], customer_ids=["C1", "C2", "C3"])
>>> wl = worklist(p, scores)
>>> wl
Worklist(2 customers, as_of=2025-03-31, overdue 13,000.00)
>>> wl["customer_id"].tolist(), wl["stage"].tolist(), wl["days_past_due"].tolist()
(['C1', 'C2'], ['visit', 'friendly_reminder'], [59, 28])
>>> wl.for_customer("C2")["next_action"]
'check the project milestone'
"""

from __future__ import annotations

import datetime as _dt
import math
import types
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from riskkit._numeric import group_count, group_max, group_sum
from riskkit.errors import DataTypeError, ValidationError

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio
    from riskkit.scoring._result import ScoreResult

__all__ = [
    "CAUSES",
    "REORDER_INSTALMENTS",
    "REORDER_REFUSE",
    "REORDER_SETTLE",
    "DebtorRule",
    "Ladder",
    "ReorderRule",
    "Stage",
    "Worklist",
    "worklist",
]

#: Reorder outcomes (docs/domain.md, *Collections ladder*), most lenient first.
REORDER_INSTALMENTS = "instalments plus prepaid order"
REORDER_SETTLE = "settle, guarantee or prepay"
REORDER_REFUSE = "refuse"

#: Causes of late payment to confirm with the customer (docs/domain.md, *Collections ladder*).
CAUSES: tuple[str, ...] = ("chain debt", "operating pressure", "cash-flow gap", "wilful delay")

# --- validation helpers ------------------------------------------------------------


def _bad(field: str, message: str, value: Any = None) -> ValidationError:
    where = f"ladder {field}" if field else "ladder"
    return ValidationError(f"{where}: {message}", field=field, value=value)


def _int(value: Any, field: str, minimum: int | None = None) -> int:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise _bad(field, f"must be an integer number of days, got {value!r}", value)
    if minimum is not None and value < minimum:
        raise _bad(field, f"must be >= {minimum}, got {value!r}", value)
    return int(value)


def _float(value: Any, field: str, lo: float, hi: float) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        raise _bad(field, f"must be a number in [{lo:g}, {hi:g}], got {value!r}", value)
    if not (math.isfinite(float(value)) and lo <= float(value) <= hi):
        raise _bad(field, f"must be a number in [{lo:g}, {hi:g}], got {value!r}", value)
    return float(value)


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(field, f"must be a non-empty string, got {value!r}", value)
    return value


def _texts(value: Any, field: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise _bad(field, f"must be a list of strings, got {value!r}", value)
    out = tuple(_text(v, f"{field}[{i}]") for i, v in enumerate(value))
    if len(set(out)) != len(out):
        raise _bad(field, f"has repeated entries {sorted({v for v in out if out.count(v) > 1})}", out)
    return out


def _mapping(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(field, f"must be a mapping, got {type(value).__name__}", value)
    return value


def _keys(d: Mapping[str, Any], field: str, accepted: tuple[str, ...], required: tuple[str, ...] = ()) -> None:
    unknown = sorted(str(k) for k in set(d) - set(accepted))
    if unknown:
        raise _bad(
            f"{field}.{unknown[0]}" if field else unknown[0],
            f"unknown key(s) {unknown}; accepted: {', '.join(accepted)}",
            unknown,
        )
    missing = [k for k in required if k not in d]
    if missing:
        raise _bad(f"{field}.{missing[0]}" if field else missing[0], f"missing key(s) {missing}", missing)


def _as_tuple(value: Any, field: str) -> tuple[Any, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise _bad(field, f"must be a list of strings, got {value!r}", value)
    return tuple(value)


def _actions_tuple(value: Any) -> tuple[str, ...]:
    return _as_tuple(value, "actions")


def _drop_tuple(value: Any) -> tuple[str, ...]:
    return _as_tuple(value, "drop_actions")


def _frozen_map(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad("mapping", f"expected a mapping, got {type(value).__name__}", value)
    return types.MappingProxyType(dict(value))


def _frozen_actions(value: Any) -> Mapping[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise _bad("actions_from", f"must be a mapping of stage name to actions, got {type(value).__name__}", value)
    return types.MappingProxyType({k: _as_tuple(v, f"actions_from.{k}") for k, v in value.items()})


# --- configuration -----------------------------------------------------------------


@attrs.frozen
class Stage:
    """One rung of the ladder.

    Parameters
    ----------
    name : str
        Identifier, unique within the ladder (``"dunning"``).
    start : int
        Days past due at which the stage starts (inclusive). The first stage
        also covers every earlier day (not yet due).
    actions : tuple of str
        What to do, in order; the first is the worklist's *next action*.
    hold_credit : bool, default False
        Whether new credit sales are held while a customer is at this stage.
    """

    name: str
    start: int
    actions: tuple[str, ...] = attrs.field(converter=_actions_tuple)
    hold_credit: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description."""
        return {"name": self.name, "start": self.start, "actions": list(self.actions), "hold_credit": self.hold_credit}

    @classmethod
    def _parse(cls, d: Any, field: str) -> Stage:
        d = _mapping(d, field)
        _keys(d, field, ("name", "start", "actions", "hold_credit"), ("name", "start", "actions"))
        hold = d.get("hold_credit", False)
        if not isinstance(hold, bool | np.bool_):
            raise _bad(f"{field}.hold_credit", f"must be true or false, got {hold!r}", hold)
        actions = _texts(d["actions"], f"{field}.actions")
        if not actions:
            raise _bad(f"{field}.actions", "needs at least one action", actions)
        return cls(_text(d["name"], f"{field}.name"), _int(d["start"], f"{field}.start"), actions, bool(hold))


@attrs.frozen
class DebtorRule:
    """How a debtor type changes the ladder.

    Parameters
    ----------
    delay_days : int, default 0
        Days added to every stage start (escalate later; negative: sooner).
    actions_from : mapping of stage name to tuple of str
        Extra actions for that stage *and every later stage*, placed before
        the stage's own actions (they are what this kind of debtor needs
        first, e.g. "check the project milestone").
    drop_actions : tuple of str
        Actions of the stages never taken for this debtor type (e.g. the
        collection agency for government bodies).
    """

    delay_days: int = 0
    actions_from: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_frozen_actions)
    drop_actions: tuple[str, ...] = attrs.field(default=(), converter=_drop_tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description."""
        return {
            "delay_days": self.delay_days,
            "actions_from": {k: list(v) for k, v in self.actions_from.items()},
            "drop_actions": list(self.drop_actions),
        }

    @classmethod
    def _parse(cls, d: Any, field: str) -> DebtorRule:
        d = _mapping(d, field)
        _keys(d, field, ("delay_days", "actions_from", "drop_actions"))
        extra = _mapping(d.get("actions_from", {}), f"{field}.actions_from")
        return cls(
            delay_days=_int(d.get("delay_days", 0), f"{field}.delay_days"),
            actions_from={
                _text(k, f"{field}.actions_from"): _texts(v, f"{field}.actions_from.{k}") for k, v in extra.items()
            },
            drop_actions=_texts(d.get("drop_actions", ()), f"{field}.drop_actions"),
        )


_REORDER_KEYS = (
    "good_grades",
    "good_payment_index",
    "serious_grades",
    "serious_dpd",
    "refuse_grades",
    "refuse_dpd",
    "poor_payment_index",
    "valuable_amount",
    "valuable_quantile",
    "valuable_relationship_days",
)


@attrs.frozen
class ReorderRule:
    """Thresholds of the rule for an overdue customer who asks to order again.

    The rule, evaluated in this order for each overdue customer (``dpd`` is
    the days past due of its oldest overdue invoice, ``pi`` its payment
    index over the last 365 days, NaN without payments)::

        high risk   = grade in refuse_grades, or blocked,
                      or (dpd >= refuse_dpd and (pi < poor_payment_index or pi is NaN))
        good        = grade in good_grades and pi >= good_payment_index
        serious     = dpd >= serious_dpd or grade in serious_grades
        valuable    = open amount >= valuable_amount (when given; otherwise the
                      valuable_quantile quantile of the open amounts of the portfolio's
                      customers with open invoices),
                      or days since its first invoice >= valuable_relationship_days

        1. high risk                               -> "refuse"
        2. good and not serious                    -> "instalments plus prepaid order"
        3. dpd >= serious_dpd and not valuable     -> "refuse" (old debt, not worth new credit)
        4. otherwise                               -> "settle, guarantee or prepay"

    Branch 4 holds the valuable-but-serious customers (docs/domain.md, *Collections ladder*) and
    everyone in between: a mixed payment history, or a BB/B grade (which
    docs/domain.md, *Grades, limits and terms* puts on cash or prepayment terms anyway).

    Grades outside all three lists (``""`` for no score, a custom scale's
    names) are neither good nor serious nor high risk by grade.

    Parameters
    ----------
    good_grades : tuple of str, default AAA, AA, A, BBB
    good_payment_index : float, default 70
    serious_grades : tuple of str, default BB, B
    serious_dpd : int, default 61
    refuse_grades : tuple of str, default CCC, CC, C, D
    refuse_dpd : int, default 91
    poor_payment_index : float, default 50
    valuable_amount : float or None, default None
        A fixed key-account threshold (in the invoices' currency); None uses
        ``valuable_quantile`` of the portfolio instead.
    valuable_quantile : float, default 0.8
    valuable_relationship_days : int, default 1095 (three years)
    """

    good_grades: tuple[str, ...] = ("AAA", "AA", "A", "BBB")
    good_payment_index: float = 70.0
    serious_grades: tuple[str, ...] = ("BB", "B")
    serious_dpd: int = 61
    refuse_grades: tuple[str, ...] = ("CCC", "CC", "C", "D")
    refuse_dpd: int = 91
    poor_payment_index: float = 50.0
    valuable_amount: float | None = None
    valuable_quantile: float = 0.8
    valuable_relationship_days: int = 1095

    def __attrs_post_init__(self) -> None:
        lists = {"good_grades": self.good_grades, "serious_grades": self.serious_grades,
                 "refuse_grades": self.refuse_grades}
        for name, grades in lists.items():
            _texts(grades, f"reorder.{name}")
        for a, b in (("good_grades", "serious_grades"), ("good_grades", "refuse_grades"),
                     ("serious_grades", "refuse_grades")):
            both = sorted(set(lists[a]) & set(lists[b]))
            if both:
                raise _bad(f"reorder.{b}", f"grades {both} are also in reorder.{a}; a grade belongs to one list", both)
        _float(self.good_payment_index, "reorder.good_payment_index", 1, 100)
        _float(self.poor_payment_index, "reorder.poor_payment_index", 1, 100)
        _int(self.serious_dpd, "reorder.serious_dpd", 1)
        _int(self.refuse_dpd, "reorder.refuse_dpd", 1)
        if self.valuable_amount is not None:
            _float(self.valuable_amount, "reorder.valuable_amount", 0, math.inf)
        _float(self.valuable_quantile, "reorder.valuable_quantile", 0, 1)
        _int(self.valuable_relationship_days, "reorder.valuable_relationship_days", 0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in attrs.asdict(self).items()}

    @classmethod
    def _parse(cls, d: Any, field: str) -> ReorderRule:
        d = _mapping(d, field)
        _keys(d, field, _REORDER_KEYS)
        kwargs: dict[str, Any] = {}
        for k, v in d.items():
            kwargs[k] = _texts(v, f"{field}.{k}") if k.endswith("_grades") else v
        return cls(**kwargs)


def _default_stages() -> tuple[Stage, ...]:
    return (
        Stage("reminder", 0, ("send a payment reminder",)),
        Stage("friendly_reminder", 1, ("send a friendly reminder",)),
        Stage("call", 16, ("call the customer's accounts payable",)),
        Stage("dunning", 31, ("send a formal dunning letter", "hold new credit sales"), hold_credit=True),
        Stage(
            "visit",
            61,
            ("visit the customer", "negotiate an instalment plan", "ask for a guarantee"),
            hold_credit=True,
        ),
        Stage(
            "final_notice",
            91,
            ("send a final notice", "hand over to a collection agency", "start legal action"),
            hold_credit=True,
        ),
    )


_LEVERAGE = "stop deliveries (brand and supply leverage)"
_FORMAL = "escalate through formal channels (contracting office, payment authority)"


def _default_debtor_types() -> dict[str, DebtorRule]:
    supply = DebtorRule(actions_from={"dunning": (_LEVERAGE,)})
    formal = DebtorRule(
        delay_days=30, actions_from={"dunning": (_FORMAL,)}, drop_actions=("hand over to a collection agency",)
    )
    return {
        "standard": DebtorRule(),
        "project": DebtorRule(delay_days=15, actions_from={"reminder": ("check the project milestone",)}),
        "manufacturer": supply,
        "distributor": supply,
        "government": formal,
        "large_institution": formal,
    }


def _default_grade_shift() -> dict[str, int]:
    return {"BB": 5, "B": 10, "CCC": 15, "CC": 15, "C": 15, "D": 15}


def _stages_tuple(value: Iterable[Stage]) -> tuple[Stage, ...]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise _bad("stages", f"must be a list of stages, got {type(value).__name__}", value)
    return tuple(value)


_LADDER_KEYS = ("stages", "grade_shift", "debtor_types", "reorder", "pd_floor", "missing_pd")


@attrs.frozen
class Ladder:
    """The collections escalation ladder (docs/domain.md, *Collections ladder*), its shifts and the reorder rule.

    A customer's stage is found from the days past due (dpd) of its oldest
    overdue invoice, moved by its grade and debtor type::

        effective dpd = dpd + grade_shift[grade] - debtor_types[type].delay_days
        stage         = the last stage whose start <= effective dpd (the first stage if none)

    so a grade shift of 10 makes every stage start 10 days sooner and a delay
    of 30 makes it start 30 days later.

    Parameters
    ----------
    stages : tuple of Stage
        Strictly increasing starts, unique names, at least one.
    grade_shift : mapping of str to int
        Days by which each grade escalates sooner; grades not listed: 0.
        Default BB 5, B 10, CCC/CC/C/D 15.
    debtor_types : mapping of str to DebtorRule
        One rule per debtor type; must include ``"standard"`` (also used for
        a customer whose type is ``""``).
    reorder : ReorderRule
        Thresholds of the reorder rule.
    pd_floor : float, default 0.01
        Added to the PD in the worklist priority, so a near-zero PD still
        ranks a large old debt.
    missing_pd : float, default 0.05
        PD used for the priority of a customer whose PD is NaN.

    Raises
    ------
    ValidationError
        Naming the offending key (``stages[2].start``, ``debtor_types.project.delay_days`` ...).

    Examples
    --------
    >>> ladder = Ladder.default()
    >>> [(s.name, s.start) for s in ladder.stages][:3]
    [('reminder', 0), ('friendly_reminder', 1), ('call', 16)]
    >>> ladder.shift("CCC", "government")      # 15 days sooner, 30 days later: net 15 later
    15
    >>> Ladder.from_dict({"grade_shift": {"B": "ten"}})
    Traceback (most recent call last):
    ...
    riskkit.errors.ValidationError: ladder grade_shift.B: must be an integer number of days, got 'ten'
    """

    stages: tuple[Stage, ...] = attrs.field(factory=_default_stages, converter=_stages_tuple)
    grade_shift: Mapping[str, int] = attrs.field(factory=_default_grade_shift, converter=_frozen_map)
    debtor_types: Mapping[str, DebtorRule] = attrs.field(factory=_default_debtor_types, converter=_frozen_map)
    reorder: ReorderRule = attrs.field(factory=ReorderRule)
    pd_floor: float = 0.01
    missing_pd: float = 0.05

    def __attrs_post_init__(self) -> None:
        if not self.stages:
            raise _bad("stages", "needs at least one stage", self.stages)
        names: list[str] = []
        for i, s in enumerate(self.stages):
            if not isinstance(s, Stage):
                raise _bad(f"stages[{i}]", f"must be a Stage, got {type(s).__name__}", s)
            _text(s.name, f"stages[{i}].name")
            _int(s.start, f"stages[{i}].start")
            _texts(s.actions, f"stages[{i}].actions")
            if not s.actions:
                raise _bad(f"stages[{i}].actions", "needs at least one action", s.actions)
            if s.name in names:
                raise _bad(f"stages[{i}].name", f"stage name {s.name!r} is repeated", s.name)
            if i and s.start <= self.stages[i - 1].start:
                raise _bad(
                    f"stages[{i}].start",
                    f"stage starts must be strictly increasing; {s.name!r} starts at {s.start}, "
                    f"after {self.stages[i - 1].name!r} at {self.stages[i - 1].start}",
                    s.start,
                )
            names.append(s.name)
        for grade, days in self.grade_shift.items():
            _text(grade, "grade_shift")
            _int(days, f"grade_shift.{grade}")
        if "standard" not in self.debtor_types:
            raise _bad("debtor_types.standard", "a rule for debtor type 'standard' is required", None)
        every_action = {a for s in self.stages for a in s.actions}
        for kind, rule in self.debtor_types.items():
            field = f"debtor_types.{kind}"
            _text(kind, "debtor_types")
            if not isinstance(rule, DebtorRule):
                raise _bad(field, f"must be a DebtorRule, got {type(rule).__name__}", rule)
            _int(rule.delay_days, f"{field}.delay_days")
            for stage, extra in rule.actions_from.items():
                if stage not in names:
                    raise _bad(f"{field}.actions_from.{stage}", f"unknown stage {stage!r}; stages: {', '.join(names)}")
                _texts(extra, f"{field}.actions_from.{stage}")
            _texts(rule.drop_actions, f"{field}.drop_actions")
            unknown = [a for a in rule.drop_actions if a not in every_action]
            if unknown:
                raise _bad(f"{field}.drop_actions", f"actions {unknown} are not in any stage", unknown)
        if not isinstance(self.reorder, ReorderRule):
            raise _bad("reorder", f"must be a ReorderRule, got {type(self.reorder).__name__}", self.reorder)
        _float(self.pd_floor, "pd_floor", 0, 1)
        _float(self.missing_pd, "missing_pd", 0, 1)
        for kind in self.debtor_types:
            for j, actions in enumerate(self._actions_for(kind)):
                if not actions:
                    raise _bad(
                        f"debtor_types.{kind}.drop_actions",
                        f"leaves stage {names[j]!r} without any action",
                        self.debtor_types[kind].drop_actions,
                    )

    # ------------------------------------------------------------------ construction

    @classmethod
    def default(cls) -> Ladder:
        """The docs/domain.md, *Collections ladder* ladder.

        ==================  =====  ==================================================  ===========
        stage               start  actions                                             hold credit
        ==================  =====  ==================================================  ===========
        reminder            <= 0   send a payment reminder                             no
        friendly_reminder   1      send a friendly reminder                            no
        call                16     call the customer's accounts payable                no
        dunning             31     formal dunning letter; hold new credit sales        yes
        visit               61     visit; negotiate an instalment plan; ask for a      yes
                                   guarantee
        final_notice        91     final notice; collection agency; legal action       yes
        ==================  =====  ==================================================  ===========

        Grade shifts (days sooner): BB 5, B 10, CCC, CC, C and D 15.
        Debtor types: ``project`` 15 days later, "check the project milestone"
        first at every stage; ``manufacturer`` and ``distributor``: "stop
        deliveries (brand and supply leverage)" from the dunning stage on;
        ``government`` and ``large_institution``: 30 days later, formal
        channels from the dunning stage on, no collection agency.
        """
        return cls()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description; :meth:`from_dict` restores an equal ladder.

        Examples
        --------
        >>> import json
        >>> ladder = Ladder.default()
        >>> Ladder.from_dict(json.loads(json.dumps(ladder.to_dict()))) == ladder
        True
        """
        return {
            "stages": [s.to_dict() for s in self.stages],
            "grade_shift": dict(self.grade_shift),
            "debtor_types": {k: r.to_dict() for k, r in self.debtor_types.items()},
            "reorder": self.reorder.to_dict(),
            "pd_floor": self.pd_floor,
            "missing_pd": self.missing_pd,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Ladder:
        """Build from a dict like :meth:`to_dict`'s.

        A top-level key left out takes :meth:`default`'s value, and so does a
        key of ``reorder``; a key given replaces the default whole (giving
        ``debtor_types`` replaces every rule, so include ``"standard"``).
        Unknown keys are an error.

        Raises
        ------
        ValidationError
            Naming the key: ``stages[1].start``, ``reorder.refuse_dpd`` ...

        Examples
        --------
        >>> ladder = Ladder.from_dict({"grade_shift": {"B": 20}})
        >>> ladder.stage_for(12, grade="B").name
        'dunning'
        """
        d = _mapping(d, "")
        _keys(d, "", _LADDER_KEYS)
        kwargs: dict[str, Any] = {}
        if "stages" in d:
            stages = d["stages"]
            if isinstance(stages, str | Mapping) or not isinstance(stages, Iterable):
                raise _bad("stages", f"must be a list of stages, got {type(stages).__name__}", stages)
            kwargs["stages"] = tuple(Stage._parse(s, f"stages[{i}]") for i, s in enumerate(stages))
        if "grade_shift" in d:
            shift = _mapping(d["grade_shift"], "grade_shift")
            kwargs["grade_shift"] = {_text(g, "grade_shift"): _int(v, f"grade_shift.{g}") for g, v in shift.items()}
        if "debtor_types" in d:
            kinds = _mapping(d["debtor_types"], "debtor_types")
            kwargs["debtor_types"] = {
                _text(k, "debtor_types"): DebtorRule._parse(v, f"debtor_types.{k}") for k, v in kinds.items()
            }
        if "reorder" in d:
            kwargs["reorder"] = ReorderRule._parse(d["reorder"], "reorder")
        for key in ("pd_floor", "missing_pd"):
            if key in d:
                kwargs[key] = _float(d[key], key, 0, 1)
        return cls(**kwargs)

    # ------------------------------------------------------------------ lookups

    def shift(self, grade: str = "", debtor_type: str = "standard") -> int:
        """Days by which the stages start *later* for this grade and debtor type (negative: sooner).

        Examples
        --------
        >>> Ladder.default().shift("B", "project")
        5
        """
        return self._rule(debtor_type).delay_days - int(self.grade_shift.get(grade, 0))

    def stage_for(self, days_past_due: int, grade: str = "", debtor_type: str = "standard") -> Stage:
        """The stage as it applies to one customer: start shifted, actions adjusted.

        Examples
        --------
        >>> s = Ladder.default().stage_for(100, debtor_type="government")
        >>> s.name, s.start
        ('visit', 91)
        >>> s.actions[0]
        'escalate through formal channels (contracting office, payment authority)'
        """
        j = int(self.stage_index([days_past_due], [grade], [debtor_type])[0])
        stage = self.stages[j]
        return Stage(
            stage.name,
            stage.start + self.shift(grade, debtor_type),
            self._actions_for(debtor_type)[j],
            stage.hold_credit,
        )

    def stage_index(
        self,
        days_past_due: npt.ArrayLike,
        grade: npt.ArrayLike | None = None,
        debtor_type: npt.ArrayLike | None = None,
    ) -> np.ndarray:
        """Index into :attr:`stages` for each days-past-due value (vectorized).

        ``grade`` and ``debtor_type`` are arrays of the same length (or None:
        no grade, ``"standard"``).

        Examples
        --------
        >>> Ladder.default().stage_index([0, 1, 15, 16, 30, 31, 60, 61, 90, 91]).tolist()
        [0, 1, 1, 2, 2, 3, 3, 4, 4, 5]
        """
        dpd = np.asarray(days_past_due, dtype=np.int64).ravel()
        grades = np.full(dpd.size, "", dtype=object) if grade is None else np.asarray(grade, dtype=object).ravel()
        kinds = (
            np.full(dpd.size, "standard", dtype=object)
            if debtor_type is None
            else np.asarray(debtor_type, dtype=object).ravel()
        )
        if grades.size != dpd.size or kinds.size != dpd.size:
            raise ValidationError(
                f"days_past_due ({dpd.size}), grade ({grades.size}) and debtor_type ({kinds.size}) "
                "must have the same length"
            )
        type_idx = self._type_index(kinds)
        delay = np.array([r.delay_days for r in self.debtor_types.values()], dtype=np.int64)
        effective = dpd + self._grade_days(grades) - delay[type_idx]
        return self._stage_of(effective)

    def priority(self, overdue_amount: npt.ArrayLike, pd: npt.ArrayLike, days_past_due: npt.ArrayLike) -> np.ndarray:
        """Worklist priority: ``overdue_amount x (pd + pd_floor) x log1p(days_past_due)``.

        ``pd`` is clipped to [0, 1] (NaN: :attr:`missing_pd`), days below 0
        count as 0. The priority is non-decreasing in each argument and
        strictly increasing in each when the others are positive: twice the
        amount is twice the priority; days weigh logarithmically (age counts,
        but less than money: 30 days weigh 5 times 1 day, not 30 times).

        Examples
        --------
        >>> Ladder.default().priority([1000.0], [0.04], [30]).round(2).tolist()
        [171.69]
        """
        amount = np.asarray(overdue_amount, dtype=np.float64)
        p = np.asarray(pd, dtype=np.float64)
        p = np.clip(np.where(np.isnan(p), self.missing_pd, p), 0.0, 1.0)
        days = np.maximum(np.asarray(days_past_due, dtype=np.float64), 0.0)
        return np.asarray(amount * (p + self.pd_floor) * np.log1p(days), dtype=np.float64)

    # ------------------------------------------------------------------ internals

    def _rule(self, debtor_type: str) -> DebtorRule:
        key = debtor_type or "standard"
        try:
            return self.debtor_types[key]
        except KeyError:
            raise ValidationError(
                f"unknown debtor type {debtor_type!r}; the ladder has rules for {', '.join(self.debtor_types)}",
                field="debtor_type",
                value=debtor_type,
            ) from None

    def _actions_for(self, debtor_type: str) -> list[tuple[str, ...]]:
        """Each stage's actions for one debtor type: extra actions first, dropped ones removed."""
        rule = self._rule(debtor_type)
        names = [s.name for s in self.stages]
        out = []
        extra: list[str] = []
        for j, stage in enumerate(self.stages):
            extra = extra + [a for a in rule.actions_from.get(names[j], ()) if a not in extra]
            actions = [a for a in extra if a not in stage.actions] + list(stage.actions)
            out.append(tuple(a for a in actions if a not in rule.drop_actions))
        return out

    def _type_index(self, kinds: np.ndarray, ids: np.ndarray | None = None) -> np.ndarray:
        """Position of each debtor type in :attr:`debtor_types` (``""`` -> ``"standard"``)."""
        names = list(self.debtor_types)
        uniq, inverse = np.unique(np.asarray(kinds, dtype=str), return_inverse=True)
        table = np.empty(uniq.size, dtype=np.int64)
        for u, kind in enumerate(uniq.tolist()):
            key = kind or "standard"
            if key not in self.debtor_types:
                where = ""
                if ids is not None:
                    first = int(np.flatnonzero(inverse == u)[0])
                    where = f" (customer {ids[first]!r})"
                raise ValidationError(
                    f"unknown debtor type {kind!r}{where}; the ladder has rules for {', '.join(names)} "
                    "(add one with Ladder.from_dict)",
                    field="debtor_type",
                    value=kind,
                )
            table[u] = names.index(key)
        return table[inverse.ravel()]

    def _grade_days(self, grades: np.ndarray) -> np.ndarray:
        uniq, inverse = np.unique(np.asarray(grades, dtype=str), return_inverse=True)
        table = np.array([int(self.grade_shift.get(g, 0)) for g in uniq.tolist()], dtype=np.int64)
        return table[inverse.ravel()]

    def _stage_of(self, effective: np.ndarray) -> np.ndarray:
        starts = np.array([s.start for s in self.stages[1:]], dtype=np.int64)
        return np.searchsorted(starts, effective, side="right").astype(np.int64)


# --- the worklist --------------------------------------------------------------------


def _readonly(a: Any, dtype: Any) -> np.ndarray:
    arr = np.array(a, dtype=dtype)
    arr.setflags(write=False)
    return arr


#: Worklist columns, in order, with their dtype.
_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("customer_id", object),
    ("stage", object),
    ("next_action", object),
    ("actions", object),
    ("hold_credit", bool),
    ("days_to_next_stage", np.int64),
    ("overdue_amount", np.float64),
    ("days_past_due", np.int64),
    ("overdue_invoices", np.int64),
    ("pd", np.float64),
    ("grade", object),
    ("debtor_type", object),
    ("priority", np.float64),
    ("reorder_rule", object),
    ("reorder_reason", object),
    ("cause_hints", object),
    ("reason", object),
)
_SHOWN = ("customer_id", "stage", "next_action", "overdue_amount", "days_past_due", "grade", "priority",
          "reorder_rule")


class Worklist:
    """Overdue customers with what to do next, most urgent first (one row per customer).

    Columns (``worklist[name]`` gives a read-only array):

    ==================  =======  ===========================================================
    column              dtype    meaning
    ==================  =======  ===========================================================
    customer_id         object   the customer
    stage               object   ladder stage name
    next_action         object   the stage's first action for this debtor type
    actions             object   all the stage's actions, joined by ``"; "``
    hold_credit         bool     new credit sales on hold at this stage
    days_to_next_stage  int64    days until the next stage starts; -1 at the last stage
    overdue_amount      float64  open amount of invoices past due at as_of
    days_past_due       int64    days past due of the oldest overdue invoice
    overdue_invoices    int64    number of overdue invoices
    pd                  float64  probability of default (from the scores)
    grade               object   grade (from the scores)
    debtor_type         object   the customer's debtor type
    priority            float64  :meth:`Ladder.priority`
    reorder_rule        object   answer to a request to order again (:class:`ReorderRule`)
    reorder_reason      object   why that answer
    cause_hints         object   causes to confirm with the customer (a heuristic hint)
    reason              object   a one-line explanation of the row
    ==================  =======  ===========================================================
    """

    __slots__ = ("_as_of", "_columns")

    def __init__(self, columns: Mapping[str, Any], as_of: _dt.date | None = None) -> None:
        missing = [name for name, _ in _COLUMNS if name not in columns]
        if missing:
            raise ValidationError(f"Worklist needs columns {missing}", field=missing[0])
        self._columns = {name: _readonly(columns[name], dtype) for name, dtype in _COLUMNS}
        sizes = {c.size for c in self._columns.values()}
        if len(sizes) > 1:
            raise ValidationError(f"Worklist columns have different lengths {sorted(sizes)}")
        self._as_of = as_of

    @property
    def as_of(self) -> _dt.date | None:
        """The point in time the worklist describes."""
        return self._as_of

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names, in order."""
        return tuple(self._columns)

    def __len__(self) -> int:
        return int(self._columns["customer_id"].size)

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._columns[name]
        except KeyError:
            from riskkit.errors import SchemaError

            raise SchemaError(f"worklist has no column {name!r}; columns: {', '.join(self._columns)}") from None

    def _take(self, rows: np.ndarray | slice) -> Worklist:
        return Worklist({k: v[rows] for k, v in self._columns.items()}, self._as_of)

    def head(self, n: int = 10) -> Worklist:
        """The ``n`` most urgent rows."""
        return self._take(slice(0, max(int(n), 0)))

    def _record(self, i: int) -> dict[str, Any]:
        return {k: v[i].item() if isinstance(v[i], np.generic) else v[i] for k, v in self._columns.items()}

    def to_records(self) -> list[dict[str, Any]]:
        """One dict of plain Python values per row, in priority order."""
        return [self._record(i) for i in range(len(self))]

    def for_customer(self, customer_id: str) -> dict[str, Any]:
        """The row of one customer as a dict.

        Raises
        ------
        ValidationError
            When the customer is not on the worklist (nothing overdue, or unknown).
        """
        hit = np.flatnonzero(self._columns["customer_id"] == customer_id)
        if hit.size == 0:
            raise ValidationError(
                f"customer {customer_id!r} is not on the worklist (no overdue money at {self._as_of})",
                field="customer_id",
                value=customer_id,
            )
        return self._record(int(hit[0]))

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by customer id, in priority order (needs pandas)."""
        import pandas as pd

        data = {k: v for k, v in self._columns.items() if k != "customer_id"}
        return pd.DataFrame(data, index=pd.Index(self._columns["customer_id"], name="customer_id"))

    def __repr__(self) -> str:
        total = float(self._columns["overdue_amount"].sum())
        return f"Worklist({len(self)} customers, as_of={self._as_of}, overdue {total:,.2f})"

    def _repr_html_(self, max_rows: int = 10) -> str:
        from riskkit._display import html_table

        rows = [[self._record(i)[k] for k in _SHOWN] for i in range(min(len(self), max_rows))]
        total = float(self._columns["overdue_amount"].sum())
        footer = f"{len(self)} customers, {total:,.2f} overdue, as of {self._as_of}"
        return html_table(list(_SHOWN), rows, caption="riskkit.Worklist", footer=footer)


# --- cause hints: documented heuristics, thresholds fixed on purpose (a hint, not a finding)
_HINT_INDUSTRY_RISK = 0.7
_HINT_ORDER_DROP = 0.5
_HINT_SOUND_CURRENT_RATIO = 1.5
_HINT_WILFUL_DPD = 31


def _cause_hints(f: Any, rows: np.ndarray, kinds: np.ndarray, dpd: np.ndarray) -> np.ndarray:
    def col(name: str) -> np.ndarray:
        return np.asarray(f[name], dtype=np.float64)[rows]

    with np.errstate(invalid="ignore"):
        partial = col("partial_payments_90d") >= 1
        pressure = (
            (col("net_margin") < 0)
            | (col("ocf_to_liabilities") < 0)
            | (col("current_ratio") < 1)
            | (col("order_trend_3m") < _HINT_ORDER_DROP)
        )
        chain = (kinds == "project") | (col("industry_risk") >= _HINT_INDUSTRY_RISK)
        sound = (col("current_ratio") >= _HINT_SOUND_CURRENT_RATIO) & (col("net_margin") > 0)
        silent = np.isnan(col("wadl_90d"))  # no payment at all in the last 90 days
        wilful = (col("broken_promises_90d") >= 1) | (
            sound & ~pressure & ~partial & silent & (dpd >= _HINT_WILFUL_DPD)
        )
    out = np.full(rows.size, "", dtype=object)
    for flag, name in zip((chain, pressure, partial, wilful), CAUSES, strict=True):
        sep = np.where(out == "", "", "; ")
        out = np.where(flag, out + sep + name, out)
    return out


def _check_scores(portfolio: Portfolio, scores: Any) -> None:
    from riskkit.scoring._result import ScoreResult

    if not isinstance(scores, ScoreResult):
        raise DataTypeError(
            f"scores must be a riskkit.ScoreResult (e.g. five_c().score(portfolio.features())), "
            f"got {type(scores).__name__}"
        )
    n = portfolio.n_customers
    if len(scores) != n:
        raise ValidationError(
            f"scores has {len(scores)} rows but the portfolio has {n} customers; score portfolio.features()",
            field="scores",
        )
    if scores.customer_ids is not None:
        ids = np.asarray(portfolio.customer_ids, dtype=object)
        differ = np.flatnonzero(np.asarray(scores.customer_ids, dtype=object) != ids)
        if differ.size:
            i = int(differ[0])
            raise ValidationError(
                f"scores are not aligned with portfolio.customer_ids: row {i} is {scores.customer_ids[i]!r} "
                f"in the scores and {ids[i]!r} in the portfolio ({differ.size} rows differ)",
                field="scores",
                row=i,
            )


def worklist(portfolio: Portfolio, scores: ScoreResult, as_of: Any = None, ladder: Ladder | None = None) -> Worklist:
    """The collections worklist: every customer with overdue money at ``as_of``, most urgent first.

    Point in time (docs/domain.md, *Point in time*): an invoice is overdue when it was issued
    on or before ``as_of``, is past due (``as_of > due``) and is still open
    at ``as_of``; a payment made after ``as_of`` has not happened yet.

    For each customer with overdue money: the :class:`Ladder` stage from
    the days past due of its oldest overdue invoice, its grade and debtor
    type; the stage's actions for that debtor type; the overdue amount and
    invoices; ``priority = overdue_amount x (pd + pd_floor) x log1p(dpd)``
    (:meth:`Ladder.priority`); the reorder rule (:class:`ReorderRule`); and
    cause hints.

    Cause hints are a heuristic list of causes to *confirm* with the
    customer, not a finding (empty when nothing points anywhere):

    * chain debt: a project customer (paid by its own client's milestones),
      or an industry risk index >= 0.7 (its own customers likely pay late);
    * operating pressure: the latest statement shows a net loss, negative
      operating cash flow or a current ratio below 1, or orders of the last
      90 days fell below half of the 90 days before;
    * cash-flow gap: at least one partial payment in the last 90 days (it
      pays what it can);
    * wilful delay: a broken promise to pay in the last 90 days, or sound
      figures (current ratio >= 1.5, net profit, none of the above) yet
      31+ days overdue with no payment at all in the last 90 days.

    Parameters
    ----------
    portfolio : Portfolio
    scores : ScoreResult
        One row per portfolio customer, in ``portfolio.customer_ids`` order
        (checked when the result carries customer ids); score the features
        at the same ``as_of``.
    as_of : date-like, optional
        Default ``portfolio.as_of``.
    ladder : Ladder, optional
        Default :meth:`Ladder.default`.

    Returns
    -------
    Worklist
        Sorted by priority, highest first; ties by customer id.

    Raises
    ------
    DataTypeError
        ``scores`` is not a ScoreResult.
    ValidationError
        ``scores`` does not match the portfolio's customers, or a customer
        has a debtor type the ladder has no rule for.

    Examples
    --------
    >>> from riskkit.datasets import make_portfolio
    >>> from riskkit.scoring._presets import five_c
    >>> portfolio, _ = make_portfolio(500, seed=0)
    >>> wl = worklist(portfolio, five_c().score(portfolio.features()))
    >>> len(wl), bool((wl["priority"][:-1] >= wl["priority"][1:]).all())
    (108, True)
    """
    from riskkit._pit import open_at

    ladder = Ladder.default() if ladder is None else ladder
    if not isinstance(ladder, Ladder):
        raise DataTypeError(f"ladder must be a riskkit.dunning.Ladder, got {type(ladder).__name__}")
    _check_scores(portfolio, scores)
    when = portfolio.resolve_as_of(as_of)
    n = portfolio.n_customers
    ids = np.asarray(portfolio.customer_ids, dtype=object)
    kinds_all = np.asarray(portfolio.customers["debtor_type"], dtype=object)
    type_all = ladder._type_index(kinds_all, ids)

    # per invoice, at as_of
    inv = portfolio.invoices
    cust = inv["customer"]
    issued, open_ = open_at(portfolio, when)
    dpd_inv = (when - inv["due"]).astype(np.int64)
    overdue = (open_ > 0) & (dpd_inv > 0)
    amount_all = group_sum(np.where(overdue, open_, 0.0), cust, n)
    count_all = group_count(cust[overdue], n)
    dpd_all = group_max(dpd_inv[overdue], cust[overdue], n, empty=0.0).astype(np.int64)
    open_all = group_sum(open_, cust, n)
    first_day = -group_max(-inv["issued"][issued].astype(np.int64), cust[issued], n, empty=np.nan)
    relationship = when.astype(np.int64) - first_day

    rows = np.flatnonzero(count_all > 0)
    amount, dpd, count = amount_all[rows], dpd_all[rows], count_all[rows]
    pd_ = np.asarray(scores.pd, dtype=np.float64)[rows]
    grade = np.asarray(scores.grade, dtype=str).astype(object)[rows]
    type_idx = type_all[rows]
    type_names = np.array(list(ladder.debtor_types), dtype=object)
    kinds = np.where(kinds_all[rows] == "", "standard", kinds_all[rows]).astype(object)

    # stage
    delay = np.array([r.delay_days for r in ladder.debtor_types.values()], dtype=np.int64)
    grade_days = ladder._grade_days(grade)
    effective = dpd + grade_days - delay[type_idx]
    stage = ladder._stage_of(effective)
    n_stages = len(ladder.stages)
    table = np.empty((len(type_names), n_stages), dtype=object)
    for t, kind in enumerate(type_names.tolist()):
        for j, acts in enumerate(ladder._actions_for(kind)):
            table[t, j] = acts
    chosen = table[type_idx, stage] if rows.size else np.empty(0, dtype=object)
    next_action = np.array([a[0] for a in chosen], dtype=object)
    actions = np.array(["; ".join(a) for a in chosen], dtype=object)
    stage_names = np.array([s.name for s in ladder.stages], dtype=object)
    hold = np.array([s.hold_credit for s in ladder.stages], dtype=bool)
    next_start = np.array([s.start for s in ladder.stages[1:]] + [0], dtype=np.int64)
    to_next = np.where(stage < n_stages - 1, next_start[stage] - effective, -1) if rows.size else np.zeros(0, int)

    priority = ladder.priority(amount, pd_, dpd)

    # reorder rule
    f = portfolio.features(when.astype(object))
    pi = np.asarray(f["payment_index"], dtype=np.float64)[rows]
    blocked = np.asarray(portfolio.customers["blocked"], dtype=bool)[rows]
    r = ladder.reorder
    positive = open_all[open_all > 0]
    if r.valuable_amount is not None:
        cut = r.valuable_amount
    else:
        cut = float(np.quantile(positive, r.valuable_quantile)) if positive.size else math.inf
    big = open_all[rows] >= cut
    long_ = relationship[rows] >= r.valuable_relationship_days
    valuable = big | long_
    with np.errstate(invalid="ignore"):
        poor = np.isnan(pi) | (pi < r.poor_payment_index)
        good = np.isin(grade, r.good_grades) & (pi >= r.good_payment_index)
    bad_grade = np.isin(grade, r.refuse_grades)
    late_poor = (dpd >= r.refuse_dpd) & poor
    serious_days = dpd >= r.serious_dpd
    serious = serious_days | np.isin(grade, r.serious_grades)
    conditions = [bad_grade, blocked, late_poor, good & ~serious, serious_days & ~valuable]
    reorder = np.select(
        conditions,
        [REORDER_REFUSE, REORDER_REFUSE, REORDER_REFUSE, REORDER_INSTALMENTS, REORDER_REFUSE],
        REORDER_SETTLE,
    ).astype(object)
    why_serious = np.where(serious_days, f"{r.serious_dpd}+ days past due", "grade " + grade)
    why_valuable = np.where(big, "large exposure", "long relationship")
    reorder_reason = np.select(
        conditions,
        [
            "high risk: grade " + grade,
            np.full(rows.size, "high risk: credit blocked", dtype=object),
            np.full(rows.size, f"high risk: {r.refuse_dpd}+ days past due with a poor payment history", dtype=object),
            np.full(rows.size, "good payment history and grade", dtype=object),
            np.full(rows.size, f"{r.serious_dpd}+ days past due and not valuable enough for new credit", dtype=object),
        ],
        np.where(
            serious,
            np.where(valuable, "valuable (" + why_valuable + ") but ", "") + "serious (" + why_serious + ")",
            "mixed payment history",
        ),
    ).astype(object)

    hints = _cause_hints(f, rows, kinds, dpd)

    # one line per row: the facts behind the stage and the priority
    notes = []
    for i in range(rows.size):
        moves = []
        if grade_days[i]:
            moves.append(f"grade {grade[i]} {grade_days[i]} days sooner")
        if delay[type_idx[i]]:
            moves.append(f"{kinds[i]} {delay[type_idx[i]]} days later")
        pd_text = "PD unknown" if math.isnan(pd_[i]) else f"PD {pd_[i]:.1%}"
        notes.append(
            f"{dpd[i]} days past due on the oldest of {count[i]} overdue invoice{'s' if count[i] != 1 else ''} "
            f"({amount[i]:,.2f}); {pd_text}, grade {grade[i] or '-'}; stage {stage_names[stage[i]]}"
            + (f" ({', '.join(moves)})" if moves else "")
        )

    ids_rows = ids[rows]
    id_rank = np.unique(ids_rows.astype(str), return_inverse=True)[1].ravel()
    order = np.lexsort((id_rank, -priority))
    columns = {
        "customer_id": ids_rows,
        "stage": stage_names[stage],
        "next_action": next_action,
        "actions": actions,
        "hold_credit": hold[stage],
        "days_to_next_stage": to_next,
        "overdue_amount": amount,
        "days_past_due": dpd,
        "overdue_invoices": count,
        "pd": pd_,
        "grade": grade,
        "debtor_type": kinds,
        "priority": priority,
        "reorder_rule": reorder,
        "reorder_reason": reorder_reason,
        "cause_hints": hints,
        "reason": np.array(notes, dtype=object),
    }
    return Worklist({k: np.asarray(v)[order] for k, v in columns.items()}, when.astype(object))
