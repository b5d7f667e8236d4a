"""Parameter validation: declared constraints, one validator, and read-only arrays.

A configuration class declares what each of its parameters accepts, and
:func:`check` (one value) or :func:`check_all` (a mapping of values) enforces
it with one message shape everywhere in riskkit::

    <where><name> must be <what is accepted>, got <the value>

for example ``CreditPolicy.max_cut must be a number in [0, 1], got 1.5``. The
error is a :class:`~riskkit.ValidationError` whose ``field`` is the parameter.

>>> from riskkit._checks import Interval, Options, check
>>> check("horizon_days", 180, Interval(int, 1, None))
180
>>> check("method", "fuzzy", Options("parcelling", "fuzzy"))
'fuzzy'
>>> check("share", 1.5, Interval(float, 0, 1), where="Ladder.")
Traceback (most recent call last):
riskkit.errors.ValidationError: Ladder.share must be a number in [0, 1], got 1.5

Several constraints mean "any of these": ``check("cap", None,
Interval(float, 0, None), NONE)`` accepts a number >= 0 or ``None``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np

from riskkit.errors import DataTypeError, ValidationError

__all__ = [
    "MISSING",
    "NONE",
    "Boolean",
    "Constraint",
    "Instance",
    "Integer",
    "Interval",
    "MappingOf",
    "Options",
    "SequenceOf",
    "Text",
    "Texts",
    "check",
    "check_all",
    "check_entries",
    "check_names",
    "check_scores",
    "fail",
    "is_number",
    "readonly",
    "shown",
]


def is_number(value: Any) -> bool:
    """A real number (Python or numpy), not a bool."""
    return not isinstance(value, bool | np.bool_) and isinstance(value, int | float | np.integer | np.floating)


def shown(value: Any) -> str:
    """The value as an error message shows it (an integer beyond float range is named, not printed)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 1e308:
        return "an integer too large for a float"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Constraint:
    """What one parameter accepts: :meth:`accepts` tests, :meth:`convert` normalises, ``str`` describes."""

    def accepts(self, value: Any) -> bool:
        raise NotImplementedError

    def convert(self, value: Any) -> Any:
        return value


class Interval(Constraint):
    """A finite number of ``kind`` (``int``: a whole number) between ``low`` and ``high`` (None: unbounded).

    ``closed`` says which ends belong to the interval: ``"both"``, ``"left"``,
    ``"right"`` or ``"neither"``. An ``int`` interval accepts whole floats
    (``30.0``) and returns ``int``.
    """

    def __init__(
        self,
        kind: type[int] | type[float],
        low: float | None = None,
        high: float | None = None,
        *,
        closed: Literal["both", "left", "right", "neither"] = "both",
    ) -> None:
        self.kind, self.low, self.high, self.closed = kind, low, high, closed

    def accepts(self, value: Any) -> bool:
        if not is_number(value):
            return False
        try:
            x = float(value)
        except OverflowError:
            return False
        if not math.isfinite(x) or (self.kind is int and not x.is_integer()):
            return False
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.low is not None and (x < self.low or (not left and x == self.low)):
            return False
        return self.high is None or not (x > self.high or (not right and x == self.high))

    def convert(self, value: Any) -> Any:
        return int(value) if self.kind is int else float(value)

    def __str__(self) -> str:
        what = "a whole number" if self.kind is int else "a number"
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.low is not None and self.high is not None:
            return f"{what} in {'[' if left else '('}{self.low:g}, {self.high:g}{']' if right else ')'}"
        if self.low is not None:
            return f"{what} {'>=' if left else '>'} {self.low:g}"
        if self.high is not None:
            return f"{what} {'<=' if right else '<'} {self.high:g}"
        return f"a finite {what[2:]}"


class Options(Constraint):
    """One of a fixed set of values (compared by equality, of the same type: ``True`` is not ``1``)."""

    def __init__(self, *values: Any) -> None:
        self.values = values

    def accepts(self, value: Any) -> bool:
        return any(type(value) is type(v) and value == v for v in self.values)

    def __str__(self) -> str:
        if self.values == (None,):
            return "None"
        return f"one of {', '.join(map(repr, self.values))}"


#: ``None`` as an accepted value.
NONE = Options(None)


class Boolean(Constraint):
    """``True`` or ``False`` (Python or numpy bool; not 0 or 1)."""

    def accepts(self, value: Any) -> bool:
        return isinstance(value, bool | np.bool_)

    def convert(self, value: Any) -> bool:
        return bool(value)

    def __str__(self) -> str:
        return "true or false"


class Text(Constraint):
    """A string that is not empty or blank."""

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and bool(value.strip())

    def __str__(self) -> str:
        return "a non-empty string"


class Texts(Constraint):
    """A list or tuple of distinct non-empty strings, returned as a tuple."""

    def accepts(self, value: Any) -> bool:
        if isinstance(value, str) or not isinstance(value, Iterable | np.ndarray):
            return False
        items = list(value)
        return all(isinstance(v, str) and v.strip() for v in items) and len(set(items)) == len(items)

    def convert(self, value: Any) -> tuple[str, ...]:
        return tuple(value)

    def __str__(self) -> str:
        return "a list of distinct non-empty strings"


class MappingOf(Constraint):
    """A mapping with string keys whose values each satisfy ``values`` (any value when None)."""

    def __init__(self, values: Constraint | None = None) -> None:
        self.values = values

    def accepts(self, value: Any) -> bool:
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            return False
        return self.values is None or all(self.values.accepts(v) for v in value.values())

    def convert(self, value: Any) -> dict[str, Any]:
        if self.values is None:
            return dict(value)
        return {k: self.values.convert(v) for k, v in value.items()}

    def __str__(self) -> str:
        return "a mapping of names" + ("" if self.values is None else f" to {self.values}")


class Integer(Interval):
    """An ``int`` or numpy integer (not ``30.0``, not a bool) between ``low`` and ``high`` (None: unbounded).

    ``unit`` names what it counts in the description: ``Integer(1, unit="days")``
    is "an integer number of days >= 1".
    """

    def __init__(self, low: float | None = None, high: float | None = None, *, unit: str = "") -> None:
        super().__init__(int, low, high)
        self.unit = unit

    def accepts(self, value: Any) -> bool:
        return isinstance(value, int | np.integer) and super().accepts(value)

    def __str__(self) -> str:
        what = f"an integer number of {self.unit}" if self.unit else "an integer"
        bounds = str(Interval(float, self.low, self.high, closed=self.closed))  # "a number >= 1", "a finite number"
        return what + bounds.removeprefix("a number") if bounds.startswith("a number") else what


class SequenceOf(Constraint):
    """A list, tuple or 1-d array (not a string) whose items each satisfy ``items`` (any when None), as a tuple.

    ``min_size`` is the fewest items, ``distinct`` refuses a repeated item and
    ``increasing`` asks for strictly increasing items. The description reads
    "a <non-empty> <strictly increasing> <noun> of <distinct> <of>", where
    ``of`` defaults to "values, each <items>".
    """

    def __init__(
        self,
        items: Constraint | None = None,
        *,
        of: str = "",
        noun: str = "list",
        min_size: int = 0,
        distinct: bool = False,
        increasing: bool = False,
    ) -> None:
        self.items, self.of, self.noun = items, of, noun
        self.min_size, self.distinct, self.increasing = min_size, distinct, increasing

    def accepts(self, value: Any) -> bool:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray) or np.ndim(value) != 1:
            return False
        items = value.tolist() if isinstance(value, np.ndarray) else list(value)
        if len(items) < self.min_size or (self.items is not None and not all(map(self.items.accepts, items))):
            return False
        if self.distinct:
            try:
                if len(set(items)) != len(items):
                    return False
            except TypeError:  # unhashable items cannot be told apart
                return False
        if self.increasing:
            converted = self.convert(items)
            return all(a < b for a, b in itertools.pairwise(converted))
        return True

    def convert(self, value: Any) -> tuple[Any, ...]:
        items = value.tolist() if isinstance(value, np.ndarray) else value
        return tuple(items) if self.items is None else tuple(self.items.convert(v) for v in items)

    def __str__(self) -> str:
        size = "non-empty " if self.min_size == 1 else ""
        order = "strictly increasing " if self.increasing else ""
        least = f"at least {self.min_size} " if self.min_size > 1 else ""
        of = self.of or ("values" if self.items is None else f"values, each {self.items}")
        return f"a {size}{order}{self.noun} of {least}{'distinct ' if self.distinct else ''}{of}"


class Instance(Constraint):
    """An instance of the class ``kind`` (a configuration object such as a ladder ``Stage``)."""

    def __init__(self, kind: type) -> None:
        self.kind = kind

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.kind)

    def __str__(self) -> str:
        return f"a {self.kind.__name__}"


class _Missing:
    """The value of a key that was not given (no constraint accepts it)."""

    def __repr__(self) -> str:
        return "no value"


#: Stands for a missing required value, so that :func:`check` names it: ``... got no value``.
MISSING: Any = _Missing()


def fail(name: str, accepted: str, value: Any, *, where: str = "") -> ValidationError:
    """The error :func:`check` raises, for a rule no single constraint states (``accepted`` in words).

    >>> fail("stages[2].start", "an integer > 1", 1, where="Ladder.")
    ValidationError('Ladder.stages[2].start must be an integer > 1, got 1')
    """
    return ValidationError(f"{where}{name} must be {accepted}, got {shown(value)}", field=name, value=value)


def _entry(parent: str, key: Any, index: bool) -> str:
    """The name of ``key`` inside ``parent``: ``parent.key``, or ``parent['key']`` with ``index``."""
    if index:
        return f"{parent}[{key!r}]"
    return f"{parent}.{key}" if parent else str(key)


def check(name: str, value: Any, *constraints: Constraint, where: str = "") -> Any:
    """``value`` converted by the first constraint that accepts it, or a ValidationError naming ``name``.

    ``where`` prefixes the name in the message (``"CreditPolicy."``).
    """
    for constraint in constraints:
        if constraint.accepts(value):
            return constraint.convert(value)
    raise fail(name, " or ".join(str(c) for c in constraints), value, where=where)


def check_all(
    values: Mapping[str, Any],
    constraints: Mapping[str, Sequence[Constraint]],
    *,
    where: str = "",
    parent: str = "",
) -> dict[str, Any]:
    """Check every declared parameter present in ``values``; an undeclared name is an error listing the declared.

    ``parent`` names the mapping the values sit in: the parameters are then
    named ``<parent>.<name>`` (``checks.payment_index.min_index``).
    """
    check_names(values, constraints, where=where, parent=parent)
    return {
        name: check(_entry(parent, name, False), value, *constraints[name], where=where)
        for name, value in values.items()
    }


def check_names(
    names: Iterable[Any],
    accepted: Iterable[str],
    *,
    where: str = "",
    parent: str = "",
    kind: str = "parameter",
    index: bool = False,
) -> None:
    """Refuse the first (in sorted order) of ``names`` not among ``accepted``, listing the accepted ones.

    The message reads ``<where><parent>.<name> is not a <kind>; accepted: ...``
    (``<parent>[<name>]`` with ``index``).

    >>> check_names(["AAA", "ZZ"], ["AAA", "AA"], where="CreditPolicy.", parent="terms_days", kind="grade", index=True)
    Traceback (most recent call last):
    riskkit.errors.ValidationError: CreditPolicy.terms_days['ZZ'] is not a grade; accepted: AAA, AA
    """
    accepted = list(accepted)
    unknown = sorted((n for n in names if n not in accepted), key=str)
    if unknown:
        name = _entry(parent, unknown[0], index)
        raise ValidationError(f"{where}{name} is not a {kind}; accepted: {', '.join(accepted)}", field=name)


def check_entries(name: str, value: Any, *constraints: Constraint, where: str = "", index: bool = False) -> dict[str, Any]:
    """``value``, a mapping with string keys, with every entry checked as ``<name>.<key>`` (``<name>[<key>]``).

    >>> check_entries("grade_shift", {"B": 10, "C": 2.5}, Integer(unit="days"), where="Ladder.")
    Traceback (most recent call last):
    riskkit.errors.ValidationError: Ladder.grade_shift.C must be an integer number of days, got 2.5
    """
    entries = check(name, value, MappingOf(), where=where)
    return {key: check(_entry(name, key, index), v, *constraints, where=where) for key, v in entries.items()}


def check_scores(portfolio: Any, scores: Any, kind: type[Any]) -> None:
    """Refuse ``scores`` that are not a ``kind`` with one row per customer of ``portfolio``, in its order.

    ``kind`` is :class:`~riskkit.ScoreResult`, passed in by the caller (this
    base module imports no scorer). The customer ids are compared when the
    scores carry them; without ids the length must do.

    Raises
    ------
    DataTypeError
        ``scores`` is not a ``kind``.
    ValidationError
        Another number of rows, or another customer in some row (``row`` names the first).
    """
    if not isinstance(scores, kind):
        raise DataTypeError(
            f"scores must be a riskkit.ScoreResult (e.g. five_c().score(portfolio.features())), "
            f"got {type(scores).__name__}"
        )
    n = portfolio.n_customers
    if len(scores) != n:
        raise ValidationError(
            f"scores has {len(scores)} rows but the portfolio has {n} customers; score "
            "portfolio.features() so the rows line up",
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


def readonly(values: Any, dtype: Any = None, *, copy: bool = False) -> np.ndarray:
    """``values`` as an array that cannot be written.

    Without ``copy`` it is a read-only view when ``values`` already is an array
    of ``dtype`` (no copy of a million-row batch built inside riskkit); with
    ``copy`` it owns its data, so no one holding ``values`` can change it.
    """
    array = np.array(values, dtype=dtype, copy=True) if copy else np.asarray(values, dtype=dtype)
    if array.flags.writeable:
        array = array.view()
        array.setflags(write=False)
    return array
