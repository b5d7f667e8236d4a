"""CreditPolicy's configuration: its defaults, what each parameter accepts, and the check of a policy.

Every parameter is declared once with the constraints it accepts
(riskkit._checks): :data:`PARAMETERS` for plain values,
:data:`GRADE_PARAMETERS` for the per-grade mappings (a value per grade,
defaults for the default grades), :func:`grade_parameters` for the ones that
name a grade, and the step table (riskkit.policy._steps) for ``checks`` and
``segments``. :func:`normalised` checks a policy against them and gives its
values normalised (numbers as floats, grade mappings completed from the
defaults, every step's parameters filled in). An error names the key and
what it accepts::

    CreditPolicy.<key> must be <what is accepted>, got <the value>

Examples
--------
>>> from riskkit.policy import CreditPolicy
>>> CreditPolicy(max_cut=1.5)
Traceback (most recent call last):
...
riskkit.errors.ValidationError: CreditPolicy.max_cut must be a number in [0, 1], got 1.5
>>> CreditPolicy(terms_days={"AA": -5})
Traceback (most recent call last):
...
riskkit.errors.ValidationError: CreditPolicy.terms_days['AA'] must be a whole number >= 0, got -5
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit._checks import (
    MISSING,
    NONE,
    Boolean,
    Constraint,
    Interval,
    MappingOf,
    Options,
    SequenceOf,
    Text,
    check,
    check_all,
    check_entries,
    check_names,
)
from riskkit.dunning._ladder import DUNNING_BANDS
from riskkit.policy._frozenmap import FrozenMap
from riskkit.policy._steps import STEP_BY_NAME, STEP_TABLE, STEPS

if TYPE_CHECKING:
    from riskkit.policy._policy import CreditPolicy

__all__ = [
    "CENT",
    "COMBINE_RULES",
    "CONDITIONS",
    "DUNNING_BANDS",
    "GRADES",
    "GRADE_PARAMETERS",
    "LIMIT_METHODS",
    "OPTIONAL_LIMIT_METHODS",
    "PARAMETERS",
    "SEGMENT_BY",
    "TERM_MONTH_DAYS",
    "WHERE",
    "as_map",
    "as_tuple",
    "grade_parameters",
    "normalised",
]

#: Grades of the default master scale, best first.
GRADES: tuple[str, ...] = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")
#: Credit-limit methods, in the default order (ties bind the earlier one).
LIMIT_METHODS: tuple[str, ...] = ("net_worth", "working_capital", "sales", "trade_reference")
#: Limit methods a policy may name in ``methods`` that are not in the default: ``insured``, the credit
#: insurer's limit in force (docs/domain.md, *Credit insurance*).
OPTIONAL_LIMIT_METHODS: tuple[str, ...] = ("insured",)
#: How the methods that apply are combined.
COMBINE_RULES: tuple[str, ...] = ("min", "max", "median")
#: Conditions a grade may require.
CONDITIONS: tuple[str, ...] = ("none", "guarantee", "credit_insurance", "prepayment")
#: Customer columns whose values name the segments of ``segments``.
SEGMENT_BY: tuple[str, ...] = ("debtor_type", "industry")
#: Days in a month of payment terms (``terms_days / 30`` months of credit).
TERM_MONTH_DAYS = 30.0
#: Amounts closer than half a cent are equal (a limit that moved less "holds").
CENT = 0.005

#: Errors name the parameter below this.
WHERE = "CreditPolicy."
_SHARE = Interval(float, 0, 1)
_AMOUNT = Interval(float, 0)

#: What each plain parameter accepts.
PARAMETERS: dict[str, tuple[Constraint, ...]] = {
    "version": (Text(),),
    "grades": (SequenceOf(Text(), of="non-empty strings", noun="sequence", min_size=1, distinct=True),),
    "methods": (SequenceOf(Options(*LIMIT_METHODS, *OPTIONAL_LIMIT_METHODS), noun="sequence", min_size=1,
                           distinct=True),),
    "combine": (Options(*COMBINE_RULES),),
    "net_worth_loss_factor": (_SHARE,),
    "nonpositive_base": (Options("zero", "skip"),),
    "working_capital_share": (_SHARE,),
    "trade_reference_factor": (_AMOUNT,),
    "concentration_share": (Interval(float, 0, 1, closed="right"),),
    "limit_rounding": (_AMOUNT,),
    "floor_headroom_months": (_AMOUNT,),
    "floor_exposure": (Boolean(),),
    "max_cut": (_SHARE,),
    "seller_annual_revenue": (Interval(float, 0, None, closed="neither"), NONE),
    "new_customer_months": (_AMOUNT,),
    "segment_by": (Options(*SEGMENT_BY),),
    "dunning_bands": (SequenceOf(Interval(int, 0), noun="sequence", min_size=1, increasing=True),),
}


def _by_grade(*values: Any) -> dict[str, Any]:
    return dict(zip(GRADES, values, strict=True))


#: The per-grade parameters: what each grade's value accepts, and the defaults of the default grades.
GRADE_PARAMETERS: dict[str, tuple[tuple[Constraint, ...], dict[str, Any]]] = {
    "net_worth_k": ((_SHARE,), _by_grade(0.15, 0.125, 0.10, 0.075, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0)),
    "sales_coefficient": ((_AMOUNT,), _by_grade(2.0, 1.0, 0.8, 0.6, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    "terms_days": ((Interval(int, 0),), _by_grade(90, 60, 60, 45, 30, 0, 0, 0, 0, 0)),
    "conditions": (
        (Options(*CONDITIONS),),
        _by_grade("none", "none", "none", "none", "credit_insurance", "guarantee", *("prepayment",) * 4),
    ),
}


def grade_parameters(grades: tuple[str, ...]) -> dict[str, tuple[Constraint, ...]]:
    """What the parameters naming a grade accept, for a policy with these ``grades``."""
    return {
        "new_customer_max_grade": (Options(*grades),),
        "floor_grade": (Options("", *grades),),  # "": no purchases floor
        "max_cut_exempt_grade": (Options(*grades),),
    }


def as_tuple(value: Any) -> Any:
    """Sequences become tuples; anything else is left for the check to name."""
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(value.tolist() if isinstance(value, np.ndarray) else value)
    return value


def as_map(value: Any) -> Any:
    """Mappings become FrozenMaps; anything else is left for the check to name."""
    return FrozenMap(value) if isinstance(value, Mapping) else value


def normalised(policy: CreditPolicy) -> dict[str, Any]:
    """Every parameter of ``policy`` checked against what it accepts, and normalised.

    Raises
    ------
    ValidationError
        Naming the key (``CreditPolicy.<key>``) and what it accepts.
    """
    out = check_all({name: getattr(policy, name) for name in PARAMETERS}, PARAMETERS, where=WHERE)
    grades = out["grades"]
    for name in GRADE_PARAMETERS:
        out[name] = _grade_map(name, getattr(policy, name), grades)
    by_grade = grade_parameters(grades)
    out.update(check_all({name: getattr(policy, name) for name in by_grade}, by_grade, where=WHERE))
    given = _step_block("checks", policy.checks)
    out["checks"] = FrozenMap(
        (step.name, FrozenMap({**step.defaults, **given.get(step.name, {})})) for step in STEP_TABLE
    )
    segments = check("segments", policy.segments, MappingOf(), where=WHERE)
    out["segments"] = FrozenMap(
        (label, FrozenMap((step, FrozenMap(params)) for step, params in _step_block(f"segments.{label}", block).items()))
        for label, block in segments.items()
    )
    return out


def _grade_map(name: str, given: Any, grades: tuple[str, ...]) -> FrozenMap:
    """A per-grade parameter: a value for every grade, the given ones over the defaults."""
    constraints, defaults = GRADE_PARAMETERS[name]
    given = check(name, given, MappingOf(), where=WHERE)
    check_names(given, grades, where=WHERE, parent=name, kind="grade", index=True)
    merged = {g: given.get(g, defaults.get(g, MISSING)) for g in grades}  # a custom grade has no default
    return FrozenMap(check_entries(name, merged, *constraints, where=WHERE, index=True))


def _step_block(name: str, value: Any) -> dict[str, dict[str, Any]]:
    """``{step: {parameter: value}}`` checked against the step table (``name``: ``checks``, ``segments.<label>``)."""
    blocks = check_entries(name, value, MappingOf(), where=WHERE)
    check_names(blocks, STEPS, where=WHERE, parent=name, kind="step")
    return {
        step: check_all(params, STEP_BY_NAME[step].constraints, where=WHERE, parent=f"{name}.{step}")
        for step, params in blocks.items()
    }
