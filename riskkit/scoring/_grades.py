"""Master scales: map a probability of default (or a score) to a rating grade.

A :class:`MasterScale` is an ordered list of grades, best first, whose last
grade is the *default grade* (``"D"``), reserved for obligors in default.
The grades before it are the *performing* grades; ``bounds`` holds the cut
points between neighbouring performing grades, so a scale of ``n`` grades has
``n - 2`` bounds:

* ``basis="pd"``: bounds strictly increasing in ``(0, 1)``; by default each
  grade's interval is closed on the right, so a PD exactly on a bound belongs
  to the *better* grade. The worst performing grade runs up to (not including)
  1, and a PD of exactly 1 means in default: the default grade.
* ``basis="score"``: bounds strictly decreasing (higher scores are safer); by
  default grade ``i`` covers ``score >= bounds[i]`` and the worst performing
  grade catches every score below the last bound. A score never reaches the
  default grade; pass ``in_default`` to :meth:`MasterScale.grade` for that.

``closed`` ("right" or "left", as in ``pandas.cut``) says which end of each
interval is closed. :meth:`MasterScale.table` spells out every interval.

NaN (no PD or score) gets the grade ``""`` and the index ``-1``.

Examples
--------
>>> scale = MasterScale.default()
>>> scale.grade(pd=[0.0001, 0.0003, 0.01, 0.5, 1.0, float("nan")]).tolist()
['AAA', 'AAA', 'BB', 'C', 'D', '']
>>> MasterScale.expert_100().grade(score=[95, 90, 40, 39.5, 0]).tolist()
['AAA', 'AA', 'B', 'CCC', 'C']
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from riskkit._checks import shown
from riskkit.errors import ValidationError

__all__ = ["MasterScale", "grade_objects"]

Basis = Literal["pd", "score"]
Closed = Literal["right", "left"]

_KEYS = ("grades", "bounds", "basis", "default_grade", "closed")


def _to_grades(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray):
        raise ValidationError(
            f"grades must be a sequence of grade names (e.g. ('A', 'B', 'D')), got {value!r}",
            field="grades",
            value=value,
        )
    return tuple(value)


def _to_bounds(value: Any) -> tuple[float, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray):
        raise ValidationError(
            f"bounds must be a sequence of finite numbers, got {value!r}", field="bounds", value=value
        )
    out = []
    for i, b in enumerate(value):
        if isinstance(b, bool | np.bool_) or not isinstance(b, int | float | np.integer | np.floating):
            raise ValidationError(f"bounds[{i}] must be a number, got {b!r}", field="bounds", value=b)
        try:
            f = float(b)
        except OverflowError:  # an int beyond float range
            f = math.inf
        if not math.isfinite(f):
            raise ValidationError(f"bounds[{i}] must be finite, got {shown(b)}", field="bounds", value=b)
        out.append(f)
    return tuple(out)


def _default_closed(self: Any) -> str:
    return "right" if self.basis == "pd" else "left"


def _num(x: float) -> str:
    """Shortest exact text for a bound (``90`` rather than ``90.0``)."""
    s = repr(float(x))
    return s[:-2] if s.endswith(".0") else s


def _edge(x: float, inclusive: bool, is_lower: bool) -> tuple[str, bool]:
    """Text for one interval end, exactly: ``x >= nextafter(90, inf)`` reads ``x > 90``."""
    # an end one float step from a shorter number is the same set with the other inequality
    other = math.nextafter(x, -math.inf if inclusive == is_lower else math.inf)
    if len(_num(other)) < len(_num(x)):
        return _num(other), not inclusive
    return _num(x), inclusive


def _rule(var: str, lower: float | None, lower_in: bool, upper: float | None, upper_in: bool) -> str:
    """``"80 <= score <= 90"``, ``"score > 90"``, ``"0.35 < pd < 1"`` ..."""
    lo = None if lower is None else _edge(lower, lower_in, True)
    hi = None if upper is None else _edge(upper, upper_in, False)
    if lo and hi:
        return f"{lo[0]} {'<=' if lo[1] else '<'} {var} {'<=' if hi[1] else '<'} {hi[0]}"
    if lo:
        return f"{var} {'>=' if lo[1] else '>'} {lo[0]}"
    if hi:
        return f"{var} {'<=' if hi[1] else '<'} {hi[0]}"
    return f"any {var}"


@attrs.frozen
class MasterScale:
    """Grades by probability of default or by score, best grade first.

    Parameters
    ----------
    grades : sequence of str
        Unique, non-empty grade names, best first. The last one must be
        ``default_grade``.
    bounds : sequence of float
        The ``len(grades) - 2`` cut points between neighbouring performing
        grades: strictly increasing in ``(0, 1)`` for ``basis="pd"``,
        strictly decreasing for ``basis="score"``.
    basis : {"pd", "score"}
        Whether the scale grades a probability of default (higher is riskier)
        or a score (higher is safer).
    default_grade : str, default "D"
        The grade for obligors in default (the last of ``grades``): a PD of
        exactly 1, or a row flagged ``in_default`` in :meth:`grade`.
    closed : {"right", "left"}, optional
        Which end of each interval is closed. Default ``"right"`` for the PD
        basis (``lower < pd <= upper``) and ``"left"`` for the score basis
        (``lower <= score < upper``, i.e. grade ``i`` is ``score >= bounds[i]``).

    Raises
    ------
    ValidationError
        Naming the field and what is accepted.

    See Also
    --------
    MasterScale.default, MasterScale.expert_100

    Examples
    --------
    >>> s = MasterScale(("A", "B", "C", "D"), (0.01, 0.05), basis="pd")
    >>> s.grade(pd=[0.005, 0.01, 0.0101, 0.2, 1.0]).tolist()
    ['A', 'A', 'B', 'C', 'D']
    >>> s.grade_index(pd=[0.005, float("nan"), 1.0]).tolist()
    [0, -1, 3]
    >>> MasterScale(("A", "B", "C", "D"), (0.05, 0.01), basis="pd")
    Traceback (most recent call last):
    ...
    riskkit.errors.ValidationError: bounds of a 'pd' scale must be strictly increasing, got (0.05, 0.01)
    """

    grades: tuple[str, ...] = attrs.field(converter=_to_grades)
    bounds: tuple[float, ...] = attrs.field(converter=_to_bounds)
    basis: Basis = "pd"
    default_grade: str = "D"
    closed: Closed = attrs.field(default=attrs.Factory(_default_closed, takes_self=True))

    def __attrs_post_init__(self) -> None:
        if self.basis not in ("pd", "score"):
            raise ValidationError(
                f"basis must be 'pd' or 'score', got {self.basis!r}", field="basis", value=self.basis
            )
        if self.closed not in ("right", "left"):
            raise ValidationError(
                f"closed must be 'right' or 'left', got {self.closed!r}", field="closed", value=self.closed
            )
        for i, g in enumerate(self.grades):
            if not isinstance(g, str) or not g:
                raise ValidationError(
                    f"grades[{i}] must be a non-empty string, got {g!r}", field="grades", value=g
                )
        if len(set(self.grades)) != len(self.grades):
            dupes = sorted({g for g in self.grades if self.grades.count(g) > 1})
            raise ValidationError(f"grades must be unique; repeated: {dupes}", field="grades", value=dupes)
        if len(self.grades) < 2:
            raise ValidationError(
                f"grades needs at least one performing grade and the default grade, got {self.grades!r}",
                field="grades",
            )
        if not isinstance(self.default_grade, str) or self.default_grade != self.grades[-1]:
            raise ValidationError(
                f"default_grade {self.default_grade!r} must be the last (worst) of grades {self.grades!r}",
                field="default_grade",
                value=self.default_grade,
            )
        expected = len(self.grades) - 2
        if len(self.bounds) != expected:
            raise ValidationError(
                f"{len(self.grades)} grades need {expected} bound{'' if expected == 1 else 's'} (the cut points between neighbouring "
                f"performing grades; the worst performing grade is open-ended and {self.default_grade!r} "
                f"is the default grade), got {len(self.bounds)}",
                field="bounds",
                value=self.bounds,
            )
        b = np.asarray(self.bounds, dtype=np.float64)
        if self.basis == "pd":
            if b.size and not bool(np.all(np.diff(b) > 0)):
                raise ValidationError(
                    f"bounds of a 'pd' scale must be strictly increasing, got {self.bounds!r}",
                    field="bounds",
                    value=self.bounds,
                )
            if b.size and (b[0] <= 0 or b[-1] >= 1):
                raise ValidationError(
                    f"bounds of a 'pd' scale must lie strictly between 0 and 1 (a pd of 1 is the default "
                    f"grade), got {self.bounds!r}",
                    field="bounds",
                    value=self.bounds,
                )
        elif b.size and not bool(np.all(np.diff(b) < 0)):
            raise ValidationError(
                f"bounds of a 'score' scale must be strictly decreasing (best grade first), got {self.bounds!r}",
                field="bounds",
                value=self.bounds,
            )

    # ------------------------------------------------------------------ built-in scales

    @classmethod
    def default(cls) -> MasterScale:
        """The default PD master scale (docs/domain.md, *Grades, limits and terms*).

        Each grade covers ``lower < pd <= upper`` (the first from 0
        inclusive); a PD exactly on a bound gets the better grade:

        =====  ===============  ==============
        grade  pd above         pd up to
        =====  ===============  ==============
        AAA    0 (inclusive)    0.03 %
        AA     0.03 %           0.10 %
        A      0.10 %           0.25 %
        BBB    0.25 %           0.75 %
        BB     0.75 %           2.5 %
        B      2.5 %            7.5 %
        CCC    7.5 %            20 %
        CC     20 %             35 %
        C      35 %             below 100 %
        D      pd = 100 %       (in default)
        =====  ===============  ==============

        A model PD that rounds to exactly 1.0 in float64 also grades D.

        Examples
        --------
        >>> s = MasterScale.default()
        >>> s.bounds
        (0.0003, 0.001, 0.0025, 0.0075, 0.025, 0.075, 0.2, 0.35)
        >>> s.grade(pd=[0.0, 0.0003, 0.00031, 0.075, 0.35, 0.999, 1.0]).tolist()
        ['AAA', 'AAA', 'AA', 'B', 'CC', 'C', 'D']
        """
        return cls(
            grades=("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D"),
            bounds=(0.0003, 0.001, 0.0025, 0.0075, 0.025, 0.075, 0.20, 0.35),
            basis="pd",
            default_grade="D",
            closed="right",
        )

    @classmethod
    def expert_100(cls) -> MasterScale:
        """The 100-point expert scale (docs/domain.md, *Grades, limits and terms*) on the score basis.

        docs/domain.md reads "> 90 AAA, 80-90 AA, 70-80 A, 60-70 BBB, 50-60 BB,
        40-50 B, below 40 no open credit". Taken literally: AAA needs *more*
        than 90, so exactly 90 is AA; every other band includes its lower
        edge, so exactly 80 is AA, exactly 50 is BB and exactly 40 is B (40
        is not "below 40"). Below 40 the scale goes on in 10-point steps:

        =====  ========================  ==============
        grade  score                     credit
        =====  ========================  ==============
        AAA    score > 90
        AA     80 <= score <= 90
        A      70 <= score < 80
        BBB    60 <= score < 70
        BB     50 <= score < 60
        B      40 <= score < 50
        CCC    30 <= score < 40          no open credit
        CC     20 <= score < 30          no open credit
        C      score < 20 (down to 0)    no open credit
        D      in default (flagged)      no open credit
        =====  ========================  ==============

        The scale is ``closed="left"`` (``score >= bound``) with the AAA bound
        one float step above 90 (``math.nextafter(90, inf)``), which is
        exactly "> 90". Scores are not checked against 0-100: above 100 is
        AAA, below 0 is C.

        Examples
        --------
        >>> s = MasterScale.expert_100()
        >>> s.grade(score=[100, 90.01, 90, 80, 79.99, 50, 40, 39.99, 20, 0]).tolist()
        ['AAA', 'AAA', 'AA', 'AA', 'A', 'BB', 'B', 'CCC', 'CC', 'C']
        >>> s.grade(score=[95, 95], in_default=[False, True]).tolist()
        ['AAA', 'D']
        >>> s.table()[1]["rule"]
        '80 <= score <= 90'
        """
        return cls(
            grades=("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D"),
            bounds=(math.nextafter(90.0, math.inf), 80.0, 70.0, 60.0, 50.0, 40.0, 30.0, 20.0),
            basis="score",
            default_grade="D",
            closed="left",
        )

    # ------------------------------------------------------------------ grading

    def grade_index(
        self,
        pd: npt.ArrayLike | None = None,
        score: npt.ArrayLike | None = None,
        *,
        in_default: npt.ArrayLike | None = None,
    ) -> np.ndarray:
        """Grade positions (0 = best, ``len(grades) - 1`` = default grade, -1 = NaN).

        Parameters are as for :meth:`grade`.

        Returns
        -------
        ndarray of int64
            Same shape as the input.

        Examples
        --------
        >>> MasterScale.default().grade_index(pd=[0.0001, 0.02, 1.0, float("nan")]).tolist()
        [0, 4, 9, -1]
        """
        given = self._values(pd, score)
        values = given.reshape(-1)
        idx = self._positions(values).astype(np.int64)
        idx[idx == len(self.grades)] = -1
        if in_default is not None:
            idx[self._flags(in_default, given.shape).reshape(-1)] = len(self.grades) - 1
        return idx.reshape(given.shape)

    def _positions(self, values: np.ndarray) -> np.ndarray:
        """Grade positions of checked PDs or scores (1-D float64, by the basis), ``len(grades)`` for NaN.

        Small integers (uint8 for fewer than 255 grades): ``[*grades, ""]``
        read at them gives the grade names. The scale has few cuts, so they are
        counted, one vectorized comparison each, rather than binary-searched.
        """
        n_perf = len(self.grades) - 1
        bounds = np.asarray(self.bounds, dtype=np.float64)
        # the cuts must increase for the counting, so the score basis counts on -score
        keys, cuts, upper_closed = (
            (values, bounds, self.closed == "right")
            if self.basis == "pd"
            else (-values, -bounds, self.closed == "left")
        )
        # a value equal to a cut falls in the lower-index (better) interval unless that interval is closed
        small = len(self.grades) < 255
        count = np.zeros(keys.shape, dtype=np.uint8 if small else np.int64)
        flag = np.empty(keys.shape, dtype=bool)
        ones = flag.view(np.uint8) if small else flag  # a bool is one byte, 0 or 1: added as uint8, no cast
        compare = np.greater if upper_closed else np.greater_equal
        for cut in cuts:
            compare(keys, cut, out=flag)
            np.add(count, ones, out=count, casting="unsafe")
        if self.basis == "pd":
            np.equal(values, 1.0, out=flag)
            np.putmask(count, flag, n_perf)
        np.isnan(values, out=flag)
        np.putmask(count, flag, len(self.grades))
        return count

    def grade_of_one(self, value: float) -> str:
        """The grade of a single PD or score (by the scale's basis), without arrays.

        The same rule as :meth:`grade`, for the one-customer service path.

        Examples
        --------
        >>> MasterScale.default().grade_of_one(0.02), MasterScale.expert_100().grade_of_one(90.0)
        ('BB', 'AA')
        """
        if value != value:
            return ""
        if self.basis == "pd":
            if not 0.0 <= value <= 1.0:
                self._values([value], None)  # raises the documented error
            if value == 1.0:
                return self.grades[-1]
            side = bisect.bisect_left if self.closed == "right" else bisect.bisect_right
            return self.grades[side(self.bounds, value)]
        negated = [-b for b in self.bounds]
        side = bisect.bisect_left if self.closed == "left" else bisect.bisect_right
        return self.grades[side(negated, -value)]

    def grade(
        self,
        pd: npt.ArrayLike | None = None,
        score: npt.ArrayLike | None = None,
        *,
        in_default: npt.ArrayLike | None = None,
    ) -> np.ndarray:
        """Grade names for PDs (``basis="pd"``) or scores (``basis="score"``).

        Parameters
        ----------
        pd : array-like of float, optional
            Probabilities of default in ``[0, 1]``; NaN means no PD. Only for
            a ``"pd"`` scale.
        score : array-like of float, optional
            Scores (higher is safer); NaN means no score; ``inf`` grades best
            and ``-inf`` worst (performing). Only for a ``"score"`` scale.
        in_default : array-like of bool, optional
            Rows known to be in default get ``default_grade`` whatever their
            PD or score.

        Returns
        -------
        ndarray of str
            Same shape as the input (0-d for a scalar); ``""`` where the PD or
            score is NaN (and the row is not flagged in default).

        Raises
        ------
        ValidationError
            Neither or both of ``pd`` / ``score`` given, the one not matching
            the scale's basis, a PD outside ``[0, 1]`` (naming the first bad
            row), or ``in_default`` of the wrong shape.

        Examples
        --------
        >>> s = MasterScale.default()
        >>> s.grade(pd=[0.001, 0.0011]).tolist()
        ['AA', 'A']
        >>> str(s.grade(pd=0.05))
        'B'
        >>> s.grade(pd=[0.1, 1.5])
        Traceback (most recent call last):
        ...
        riskkit.errors.ValidationError: pd must be in [0, 1] (NaN for no grade); row 1 is 1.5 (1 row out of range)
        """
        names = np.array([*self.grades, ""])  # index -1 (NaN) picks the trailing ""
        return np.asarray(names[self.grade_index(pd, score, in_default=in_default)])

    def _values(self, pd: npt.ArrayLike | None, score: npt.ArrayLike | None) -> np.ndarray:
        if (pd is None) == (score is None):
            raise ValidationError(
                f"pass exactly one of pd= or score= (this scale grades by {self.basis})", field=self.basis
            )
        name = "pd" if pd is not None else "score"
        if name != self.basis:
            raise ValidationError(
                f"this master scale grades by {self.basis}; pass {self.basis}=..., not {name}=...", field=name
            )
        raw = pd if pd is not None else score
        try:
            values = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise ValidationError(f"{name} must be numbers (NaN for missing): {e}", field=name) from None
        if values.ndim > 1:
            raise ValidationError(f"{name} must be a scalar or 1-D, got shape {values.shape}", field=name)
        flat = values.reshape(-1)
        if name == "pd":  # scores may be anything, +-inf included (a pd of 0 or 1 scales to +-inf points)
            bad = (flat < 0) | (flat > 1)
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                k = int(bad.sum())
                raise ValidationError(
                    f"pd must be in [0, 1] (NaN for no grade); row {row} is {float(flat[row])!r} "
                    f"({k} row{'s' if k > 1 else ''} out of range)",
                    field=name,
                    row=row,
                    value=float(flat[row]),
                )
        return values

    @staticmethod
    def _flags(in_default: npt.ArrayLike, shape: tuple[int, ...]) -> np.ndarray:
        flags = np.asarray(in_default)
        if flags.dtype != np.bool_:
            if flags.dtype.kind not in "iuf" or not bool(np.isin(flags, (0, 1)).all()):
                raise ValidationError(
                    "in_default must be booleans (or 0/1)", field="in_default", value=in_default
                )
            flags = flags.astype(bool)
        if flags.shape != shape:
            raise ValidationError(
                f"in_default has shape {flags.shape}, expected {shape} (one flag per row)", field="in_default"
            )
        return flags

    # ------------------------------------------------------------------ description

    def table(self) -> list[dict[str, Any]]:
        """One row per grade: ``grade``, ``lower``, ``upper`` and the ``rule`` in words.

        ``lower`` / ``upper`` are ``None`` where the interval is unbounded (or,
        for the default grade of a score scale, not reached by any score).

        Examples
        --------
        >>> for row in MasterScale(("A", "B", "C", "D"), (0.01, 0.05)).table():
        ...     print(row)
        {'grade': 'A', 'lower': 0.0, 'upper': 0.01, 'rule': '0 <= pd <= 0.01'}
        {'grade': 'B', 'lower': 0.01, 'upper': 0.05, 'rule': '0.01 < pd <= 0.05'}
        {'grade': 'C', 'lower': 0.05, 'upper': 1.0, 'rule': '0.05 < pd < 1'}
        {'grade': 'D', 'lower': 1.0, 'upper': 1.0, 'rule': 'pd = 1 (in default)'}
        >>> for row in MasterScale.expert_100().table()[:2]:
        ...     print(row)
        {'grade': 'AAA', 'lower': 90.00000000000001, 'upper': None, 'rule': 'score > 90'}
        {'grade': 'AA', 'lower': 80.0, 'upper': 90.00000000000001, 'rule': '80 <= score <= 90'}
        """
        rows: list[dict[str, Any]] = []
        b = self.bounds
        n_perf = len(self.grades) - 1
        # a cut belongs to the better grade: its upper end when closed="right" (pd), its lower end for a score
        cut_in_better = (self.closed == "right") == (self.basis == "pd")
        var = self.basis
        for i, g in enumerate(self.grades[:n_perf]):
            lower: float | None
            upper: float | None
            if self.basis == "pd":
                lower, lower_in = (b[i - 1], not cut_in_better) if i > 0 else (0.0, True)
                upper, upper_in = (b[i], cut_in_better) if i < n_perf - 1 else (1.0, False)
            else:
                lower, lower_in = (b[i], cut_in_better) if i < n_perf - 1 else (None, False)
                upper, upper_in = (b[i - 1], not cut_in_better) if i > 0 else (None, False)
            rows.append(
                {
                    "grade": g,
                    "lower": lower,
                    "upper": upper,
                    "rule": _rule(var, lower, lower_in, upper, upper_in),
                }
            )
        if self.basis == "pd":
            rows.append(
                {"grade": self.default_grade, "lower": 1.0, "upper": 1.0, "rule": "pd = 1 (in default)"}
            )
        else:
            rows.append(
                {"grade": self.default_grade, "lower": None, "upper": None, "rule": "in default (flagged)"}
            )
        return rows

    def _repr_html_(self) -> str:
        from riskkit._display import html_table

        rows = [
            [
                r["grade"],
                "" if r["lower"] is None else _num(r["lower"]),
                "" if r["upper"] is None else _num(r["upper"]),
                r["rule"],
            ]
            for r in self.table()
        ]
        return html_table(
            ["grade", "lower", "upper", "rule"],
            rows,
            caption=f"riskkit.MasterScale ({self.basis} basis, closed {self.closed})",
            footer=f'NaN {self.basis} -> no grade ("")',
        )

    # ------------------------------------------------------------------ persistence

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description; :meth:`from_dict` restores it exactly (float bounds bit for bit).

        Examples
        --------
        >>> import json
        >>> s = MasterScale.default()
        >>> MasterScale.from_dict(json.loads(json.dumps(s.to_dict()))) == s
        True
        """
        return {
            "grades": list(self.grades),
            "bounds": list(self.bounds),
            "basis": self.basis,
            "default_grade": self.default_grade,
            "closed": self.closed,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MasterScale:
        """Inverse of :meth:`to_dict`; missing or unknown keys are an error.

        Raises
        ------
        ValidationError
            ``d`` is not a mapping, has unknown or missing keys, or describes
            an invalid scale.
        """
        if not isinstance(d, Mapping):
            raise ValidationError(
                f"master scale must be a mapping, got {type(d).__name__}", field="master_scale"
            )
        unknown = sorted(set(d) - set(_KEYS))
        missing = [k for k in _KEYS if k not in d]
        if unknown or missing:
            raise ValidationError(
                f"master scale keys: unknown {unknown}, missing {missing}; accepted: {', '.join(_KEYS)}",
                field="master_scale",
            )
        return cls(
            grades=d["grades"],
            bounds=d["bounds"],
            basis=d["basis"],
            default_grade=d["default_grade"],
            closed=d["closed"],
        )

    # the JSON body of a saved scale (riskkit.save / load) is its dict
    _to_json = to_dict
    _from_json = from_dict


def grade_objects(scale: MasterScale, score: np.ndarray, pd: np.ndarray) -> np.ndarray:
    """``scale``'s grade of each row by its score or its PD (whichever the scale grades by), as objects.

    Picking from an object array of the grade names shares one str per grade
    rather than storing the text in every row; ``""`` where the value is NaN.
    """
    index = scale.grade_index(score=score) if scale.basis == "score" else scale.grade_index(pd=pd)
    names = np.array([*scale.grades, ""], dtype=object)  # index -1 (NaN) picks ""
    return np.asarray(names[index])
