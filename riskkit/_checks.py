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

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np

from riskkit.errors import ValidationError

__all__ = [
    "NONE",
    "Boolean",
    "Constraint",
    "Interval",
    "MappingOf",
    "Options",
    "Text",
    "Texts",
    "check",
    "check_all",
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


def check(name: str, value: Any, *constraints: Constraint, where: str = "") -> Any:
    """``value`` converted by the first constraint that accepts it, or a ValidationError naming ``name``.

    ``where`` prefixes the name in the message (``"CreditPolicy."``).
    """
    for constraint in constraints:
        if constraint.accepts(value):
            return constraint.convert(value)
    accepted = " or ".join(str(c) for c in constraints)
    raise ValidationError(f"{where}{name} must be {accepted}, got {shown(value)}", field=name, value=value)


def check_all(
    values: Mapping[str, Any], constraints: Mapping[str, Sequence[Constraint]], *, where: str = ""
) -> dict[str, Any]:
    """Check every declared parameter present in ``values``; an undeclared name is an error listing the declared."""
    unknown = sorted(set(values) - set(constraints))
    if unknown:
        raise ValidationError(
            f"{where}{unknown[0]} is not a parameter; accepted: {', '.join(constraints)}", field=unknown[0]
        )
    return {name: check(name, value, *constraints[name], where=where) for name, value in values.items()}


def readonly(values: Any, dtype: Any = None) -> np.ndarray:
    """``values`` as an array that cannot be written (a view of it when it already has the dtype)."""
    array = np.asarray(values, dtype=dtype)
    if array.flags.writeable:
        array = array.view()
        array.setflags(write=False)
    return array
