"""The collections ladder: stages by days past due, shifted by grade and debtor type, and the reorder rule.

A :class:`Ladder` says what to do about an overdue customer (docs/domain.md, *Collections ladder*):
stages (:class:`Stage`) by days past due, shifted by risk grade (weak grades
escalate sooner) and by debtor type (:class:`DebtorRule`: project customers
later and by milestone, manufacturers and distributors with supply leverage,
government and large institutions through formal channels, later, never an
agency), plus the rule for an overdue customer who asks to order again
(:class:`ReorderRule`). :func:`dunning_level` gives the plain level of the
default bands, as ERPs keep it.

Every class declares what its parameters accept (riskkit._checks) and
checks them when built; :meth:`Ladder.from_dict` names the offending key by
its path (``stages[2].start``, ``debtor_types.project.delay_days``).

Examples
--------
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
"""

from __future__ import annotations

import itertools
import math
import types
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from riskkit._checks import (
    MISSING,
    NONE,
    Boolean,
    Constraint,
    Instance,
    Integer,
    Interval,
    MappingOf,
    SequenceOf,
    Text,
    Texts,
    check,
    check_all,
    check_entries,
    check_names,
    fail,
)
from riskkit._numeric import factorize
from riskkit.errors import ValidationError

__all__ = [
    "DUNNING_BANDS",
    "REORDER_INSTALMENTS",
    "REORDER_REFUSE",
    "REORDER_SETTLE",
    "DebtorRule",
    "Ladder",
    "ReorderRule",
    "Stage",
    "dunning_level",
]

#: Reorder outcomes (docs/domain.md, *Collections ladder*), most lenient first.
REORDER_INSTALMENTS = "instalments plus prepaid order"
REORDER_SETTLE = "settle, guarantee or prepay"
REORDER_REFUSE = "refuse"

#: Days past due edges of the default dunning levels (see :func:`dunning_level`).
DUNNING_BANDS: tuple[int, ...] = (0, 15, 30, 60, 90)


def dunning_level(days_past_due: Any, bands: Sequence[int] = DUNNING_BANDS) -> np.ndarray:
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


# --- what each part of the ladder accepts ------------------------------------------

#: Errors of a ladder read by :meth:`Ladder.from_dict` name the key by its path below this.
_WHERE = "Ladder."
_DAYS = Integer(unit="days")
_NAMES = Texts()
_SHARE = Interval(float, 0, 1)

_STAGE: dict[str, tuple[Constraint, ...]] = {
    "name": (Text(),),
    "start": (_DAYS,),
    "actions": (SequenceOf(Text(), of="non-empty strings", min_size=1, distinct=True),),
    "hold_credit": (Boolean(),),
}
_STAGE_REQUIRED = ("name", "start", "actions")
_RULE: dict[str, tuple[Constraint, ...]] = {
    "delay_days": (_DAYS,),
    "actions_from": (MappingOf(),),  # each entry: _NAMES, checked by name
    "drop_actions": (_NAMES,),
}
_REORDER: dict[str, tuple[Constraint, ...]] = {
    "good_grades": (_NAMES,),
    "good_payment_index": (Interval(float, 1, 100),),
    "serious_grades": (_NAMES,),
    "serious_dpd": (Integer(1, unit="days"),),
    "refuse_grades": (_NAMES,),
    "refuse_dpd": (Integer(1, unit="days"),),
    "poor_payment_index": (Interval(float, 1, 100),),
    "valuable_amount": (Interval(float, 0, math.inf), NONE),
    "valuable_quantile": (_SHARE,),
    "valuable_relationship_days": (Integer(0, unit="days"),),
}
_LADDER: dict[str, tuple[Constraint, ...]] = {
    "stages": (SequenceOf(of="stages", min_size=1),),  # each: a Stage (a mapping in from_dict)
    "grade_shift": (MappingOf(),),  # each entry: _DAYS, checked by name
    "debtor_types": (MappingOf(),),  # each entry: a DebtorRule (a mapping in from_dict)
    "reorder": (MappingOf(),),
    "pd_floor": (_SHARE,),
    "missing_pd": (_SHARE,),
}


def _tuple(value: Any) -> Any:
    """An iterable (not text or a mapping) as a tuple; anything else as it is, for the check to name."""
    return tuple(value) if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping) else value


def _readonly_map(value: Any) -> Any:
    """A mapping as a read-only one; anything else as it is, for the check to name."""
    return types.MappingProxyType(dict(value)) if isinstance(value, Mapping) else value


def _readonly_actions(value: Any) -> Any:
    """A mapping of stage name to actions, read-only, the actions as tuples."""
    return types.MappingProxyType({k: _tuple(v) for k, v in value.items()}) if isinstance(value, Mapping) else value


def _fields(obj: Any) -> dict[str, Any]:
    return attrs.asdict(obj, recurse=False)


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
        What to do, in order (at least one); the first is the worklist's *next action*.
    hold_credit : bool, default False
        Whether new credit sales are held while a customer is at this stage.
    """

    name: str
    start: int
    actions: tuple[str, ...] = attrs.field(converter=_tuple)
    hold_credit: bool = False

    def __attrs_post_init__(self) -> None:
        check_all(_fields(self), _STAGE, where="Stage.")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description."""
        return {"name": self.name, "start": self.start, "actions": list(self.actions), "hold_credit": self.hold_credit}

    @classmethod
    def _parse(cls, d: Any, field: str) -> Stage:
        d = check(field, d, MappingOf(), where=_WHERE)
        given = {**dict.fromkeys(_STAGE_REQUIRED, MISSING), **d}
        return cls(**check_all(given, _STAGE, where=_WHERE, parent=field))


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
    actions_from: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_readonly_actions)
    drop_actions: tuple[str, ...] = attrs.field(default=(), converter=_tuple)

    def __attrs_post_init__(self) -> None:
        check_all(_fields(self), _RULE, where="DebtorRule.")
        check_entries("actions_from", self.actions_from, _NAMES, where="DebtorRule.")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description."""
        return {
            "delay_days": self.delay_days,
            "actions_from": {k: list(v) for k, v in self.actions_from.items()},
            "drop_actions": list(self.drop_actions),
        }

    @classmethod
    def _parse(cls, d: Any, field: str) -> DebtorRule:
        d = check(field, d, MappingOf(), where=_WHERE)
        values = check_all(d, _RULE, where=_WHERE, parent=field)
        if "actions_from" in values:
            values["actions_from"] = check_entries(f"{field}.actions_from", values["actions_from"], _NAMES,
                                                   where=_WHERE)
        return cls(**values)


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

    Raises
    ------
    ValidationError
        Naming the key as the ladder's (``reorder.refuse_dpd``): a ladder has one reorder rule.
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
        check_all(_fields(self), _REORDER, where=_WHERE, parent="reorder")
        lists = ("good_grades", "serious_grades", "refuse_grades")
        for i, a in enumerate(lists):
            for b in lists[i + 1:]:
                both = sorted(set(getattr(self, a)) & set(getattr(self, b)))
                if both:
                    raise fail(f"reorder.{b}", f"grades not also in reorder.{a} (a grade belongs to one list; "
                               f"{both} are also in reorder.{a})", getattr(self, b), where=_WHERE)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in attrs.asdict(self).items()}

    @classmethod
    def _parse(cls, d: Any, field: str) -> ReorderRule:
        d = check(field, d, MappingOf(), where=_WHERE)
        return cls(**check_all(d, _REORDER, where=_WHERE, parent=field))


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
    riskkit.errors.ValidationError: Ladder.grade_shift.B must be an integer number of days, got 'ten'
    """

    stages: tuple[Stage, ...] = attrs.field(factory=_default_stages, converter=_tuple)
    grade_shift: Mapping[str, int] = attrs.field(factory=_default_grade_shift, converter=_readonly_map)
    debtor_types: Mapping[str, DebtorRule] = attrs.field(factory=_default_debtor_types, converter=_readonly_map)
    reorder: ReorderRule = attrs.field(factory=ReorderRule)
    pd_floor: float = 0.01
    missing_pd: float = 0.05

    def __attrs_post_init__(self) -> None:
        check("stages", self.stages, *_LADDER["stages"], where=_WHERE)
        for i, stage in enumerate(self.stages):
            check(f"stages[{i}]", stage, Instance(Stage), where=_WHERE)
        self._check_stage_order()
        check_entries("grade_shift", self.grade_shift, _DAYS, where=_WHERE)
        check_entries("debtor_types", self.debtor_types, Instance(DebtorRule), where=_WHERE)
        if "standard" not in self.debtor_types:
            raise fail("debtor_types.standard", "a DebtorRule (a rule for debtor type 'standard' is required)",
                       MISSING, where=_WHERE)
        for kind, rule in self.debtor_types.items():
            self._check_rule(kind, rule)
        check("reorder", self.reorder, Instance(ReorderRule), where=_WHERE)
        check_all({"pd_floor": self.pd_floor, "missing_pd": self.missing_pd}, _LADDER, where=_WHERE)

    def _check_stage_order(self) -> None:
        """Stage names unique, starts strictly increasing."""
        for i, (before, stage) in enumerate(itertools.pairwise(self.stages), start=1):
            if stage.name in [s.name for s in self.stages[:i]]:
                raise fail(f"stages[{i}].name", "a name not repeated from an earlier stage", stage.name, where=_WHERE)
            if stage.start <= before.start:
                raise fail(f"stages[{i}].start", f"an integer > {before.start} (stage starts must be strictly "
                           f"increasing; {before.name!r} starts at {before.start})", stage.start, where=_WHERE)

    def _check_rule(self, kind: str, rule: DebtorRule) -> None:
        """A debtor rule against the stages: known stage names, actions they take, none left without one."""
        field = f"debtor_types.{kind}"
        names = [s.name for s in self.stages]
        check_names(rule.actions_from, names, where=_WHERE, parent=f"{field}.actions_from", kind="stage")
        every_action = {a for s in self.stages for a in s.actions}
        unknown = [a for a in rule.drop_actions if a not in every_action]
        if unknown:
            raise fail(f"{field}.drop_actions", f"actions some stage takes ({', '.join(map(repr, unknown))}: "
                       "not in any stage)", rule.drop_actions, where=_WHERE)
        for name, actions in zip(names, self._actions_for(kind), strict=True):
            if not actions:
                raise fail(f"{field}.drop_actions", f"actions that leave each stage one (this leaves stage "
                           f"{name!r} without any action)", rule.drop_actions, where=_WHERE)

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
        values = check_all(check("", d, MappingOf(), where="Ladder"), _LADDER, where=_WHERE)
        if "stages" in values:
            values["stages"] = tuple(Stage._parse(s, f"stages[{i}]") for i, s in enumerate(values["stages"]))
        if "grade_shift" in values:
            values["grade_shift"] = check_entries("grade_shift", values["grade_shift"], _DAYS, where=_WHERE)
        if "debtor_types" in values:
            values["debtor_types"] = {
                kind: DebtorRule._parse(rule, f"debtor_types.{kind}") for kind, rule in values["debtor_types"].items()
            }
        if "reorder" in values:
            values["reorder"] = ReorderRule._parse(values["reorder"], "reorder")
        return cls(**values)

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
        return self._stage_of(dpd + self._grade_days(grades) - self._delays(self._type_index(kinds)))

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
        out = []
        extra: list[str] = []
        for stage in self.stages:
            extra = extra + [a for a in rule.actions_from.get(stage.name, ()) if a not in extra]
            actions = [a for a in extra if a not in stage.actions] + list(stage.actions)
            out.append(tuple(a for a in actions if a not in rule.drop_actions))
        return out

    def _type_index(self, kinds: np.ndarray, ids: np.ndarray | None = None) -> np.ndarray:
        """Position of each debtor type in :attr:`debtor_types` (``""`` -> ``"standard"``)."""
        names = list(self.debtor_types)
        distinct, codes = factorize(kinds)  # a label per customer: hashed, not copied and sorted as text
        table = np.empty(len(distinct), dtype=np.int64)
        for u, value in enumerate(distinct):
            kind = str(value)
            key = kind or "standard"
            if key not in self.debtor_types:
                where = ""
                if ids is not None:
                    first = int(np.flatnonzero(codes == u)[0])
                    where = f" (customer {ids[first]!r})"
                raise ValidationError(
                    f"unknown debtor type {kind!r}{where}; the ladder has rules for {', '.join(names)} "
                    "(add one with Ladder.from_dict)",
                    field="debtor_type",
                    value=kind,
                )
            table[u] = names.index(key)
        return table[codes]

    def _delays(self, type_index: np.ndarray) -> np.ndarray:
        """The delay in days of each debtor type, by its :meth:`_type_index`."""
        return np.array([r.delay_days for r in self.debtor_types.values()], dtype=np.int64)[type_index]

    def _grade_days(self, grades: np.ndarray) -> np.ndarray:
        uniq, inverse = np.unique(np.asarray(grades, dtype=str), return_inverse=True)
        table = np.array([int(self.grade_shift.get(g, 0)) for g in uniq.tolist()], dtype=np.int64)
        return table[inverse.ravel()]

    def _stage_of(self, effective: np.ndarray) -> np.ndarray:
        starts = np.array([s.start for s in self.stages[1:]], dtype=np.int64)
        return np.searchsorted(starts, effective, side="right").astype(np.int64)
