"""Scorecards as SQL: one SELECT that scores a table in place, as Python scores it.

:func:`card_sql` writes the text of one ``SELECT`` statement (no SQLAlchemy,
no connection) whose result has the columns ``score``, ``pd`` and ``grade``,
after any key columns passed through. The statement reads the table in a few
nested derived tables:

1. ``riskkit_input``: every column the card reads, once, under an internal
   name (PostgreSQL's ``NaN`` becomes ``NULL`` here: Python reads NaN as
   missing, while PostgreSQL ranks ``NaN`` above every number);
2. ``riskkit_points``: one ``CASE`` per feature, added in card order
   (``+`` is left-associative in SQL, so the additions are the ones
   :class:`~riskkit.scoring._plan.ScoringPlan` makes), then the points of an
   expert card's ``missing_points`` overrides; the conditions of its caps and
   floors as 0/1 flags;
3. with caps or floors, ``riskkit_grade`` and one stage per cap or floor:
   the grade's position, capped and floored in the card's order;
4. the outer ``SELECT``: the probability of default from the score by the
   card's scaling, and the grade.

How each value maps to a bin is the plan's rule: a numeric value ``x`` falls
in bin ``i`` when ``splits[i-1] <= x < splits[i]`` (left-closed); a special
code (``x = code``) in the special bin; ``NULL`` (and PostgreSQL's ``NaN``) in
the missing bin. A category is compared as text, exactly; ``NULL`` is
missing; a category the card does not list follows the card's ``unknown``
policy: ``"missing"`` gives the missing points, ``"worst"`` the lowest
points of a regular bin (the first on a tie), and ``"error"``, where Python
raises, gives the row a ``NULL`` score, pd and grade (a ``SELECT`` cannot
raise portably): find such rows with ``WHERE score IS NULL``.

Exactness:

* **score**: every number is written so that the database reads exactly the
  float64 Python uses, and the points are added as ``DOUBLE PRECISION`` (IEEE
  754 binary64) in Python's order, so the score equals Python's bit for bit.
  PostgreSQL and ANSI SQL get the shortest decimal that round-trips
  (``CAST(0.1 AS DOUBLE PRECISION)``); SQLite before 3.43 does not always
  round decimal text correctly, so its numbers are quotients of exact
  numbers (``(1.0 / 10)`` for 0.1, ``(23456.0 / 1000)`` for 23.456), which
  one correctly rounded division makes the float64.
* **grade**: Python grades by the PD (or the score) it computes from the
  score; the SQL grades by the score alone, against the scores at which
  Python's grade changes (found by bisection over float64), so the grade
  equals Python's exactly whatever the database's ``EXP``.
* **pd**: ``1 / (1 + EXP((score - offset) / factor))`` as in
  :meth:`riskkit.Scaling.pd`; ``EXP`` is the database's, which may differ from
  numpy's by an ulp or two, so the pd agrees to a relative 1e-13 (and 1.0
  exactly below about 37 points of log-odds; beyond 709.78 it is 0.0 where
  Python's is 0.0 or below 1e-307).

SQLite needs its math functions (``EXP``, built in by default from 3.35).
"""

from __future__ import annotations

import decimal
import math
import struct
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from riskkit._checks import Options, check, fail, shown
from riskkit.errors import ValidationError
from riskkit.scoring._card import Card, CardFeature
from riskkit.scoring._input import NUMERIC

__all__ = ["DIALECTS", "card_sql"]

#: The SQL dialects :func:`card_sql` writes.
DIALECTS = ("sqlite", "postgresql", "ansi")
#: The result columns, after the key columns.
RESULT_COLUMNS = ("score", "pd", "grade")
#: PostgreSQL truncates longer identifiers (bytes of UTF-8), which could make two names one.
_PG_MAX_IDENTIFIER = 63
#: Above this log-odds Python's pd is 0.0 or below 1e-307; PostgreSQL's EXP would fail on overflow.
_MAX_LOG_ODDS = 709.78
#: Below this log-odds ``1 + exp(z)`` is 1.0 in float64, so Python's pd is exactly 1.0.
_MIN_LOG_ODDS = -40.0
#: The largest power of two written at once for SQLite (an integer literal: read exactly).
_SQLITE_MAX_SHIFT = 62
#: The largest power of ten written for SQLite (an integer literal, exact as a float64).
_SQLITE_MAX_EXP10 = 18
#: Every whole number up to this one is a float64 (and SQLite reads its text exactly).
_EXACT_WHOLE = 2**53


# --- literals and names -----------------------------------------------------------------------


def _binary_sqlite(x: float) -> str:
    """``abs(x)`` as a whole number below 2**53 times or over powers of two (each step exact in binary64)."""
    mantissa, exponent = math.frexp(abs(x))  # abs(x) = mantissa * 2**exponent, 0.5 <= mantissa < 1
    m, e = int(mantissa * 2**53), exponent - 53
    while m % 2 == 0:
        m //= 2
        e += 1
    text = f"{m}.0"
    shift = abs(e)
    while shift:
        step = min(shift, _SQLITE_MAX_SHIFT)
        text += f" {'*' if e > 0 else '/'} {2**step}"
        shift -= step
    return f"({text})" if e else text


def _exact_sqlite(x: float) -> str:
    """``x`` as SQLite reads it exactly, whatever its version.

    SQLite before 3.43 reads decimal text with a rounding error now and then,
    but a whole number below 2**53 (``23456.0``) and integer literals exactly.
    So ``x`` is its shortest decimal ``N * 10**k`` written as ``(23456.0 /
    1000)``: the quotient of two exact numbers, rounded once, which is ``x``
    (the shortest decimal reads back as ``x`` when rounded correctly). When
    ``N`` or ``10**abs(k)`` is too large for that, it is written in binary:
    ``(m.0 / 2**j)``.

    >>> [_exact_sqlite(x) for x in (0.1, 600.0, -23.456, 2.0**-70)]
    ['(1.0 / 10)', '600.0', '(-(23456.0 / 1000))', '(1.0 / 4611686018427387904 / 256)']
    """
    if x == 0.0:
        return "0.0"
    _, digits, exp10 = decimal.Decimal(repr(abs(x))).normalize().as_tuple()
    n = int("".join(map(str, digits)))
    assert isinstance(exp10, int)
    if exp10 >= 0 and n * 10**exp10 <= _EXACT_WHOLE:
        text = f"{n * 10**exp10}.0"
    elif n <= _EXACT_WHOLE and abs(exp10) <= _SQLITE_MAX_EXP10:
        text = f"({n}.0 {'*' if exp10 > 0 else '/'} {10 ** abs(exp10)})"
    else:
        text = _binary_sqlite(x)
    return f"(-{text})" if x < 0 else text


def _number(x: float, dialect: str) -> str:
    """A float64 as a literal the database reads as exactly that DOUBLE PRECISION value."""
    x = float(x)
    if not math.isfinite(x):  # a card's points, splits, codes and bounds are finite; thresholds may not be
        raise ValidationError(f"cannot write the non-finite number {x!r} as SQL")
    if dialect == "sqlite":
        return _exact_sqlite(x)
    return f"CAST({x!r} AS DOUBLE PRECISION)"


def _text(value: str, dialect: str) -> str:
    """A string literal; PostgreSQL's escape string when it holds a backslash (whatever standard_conforming_strings)."""
    quoted = value.replace("'", "''")
    if dialect == "postgresql" and "\\" in value:
        return "E'" + quoted.replace("\\", "\\\\") + "'"
    return f"'{quoted}'"


def _encodable(value: str) -> bool:
    """Text without unpaired surrogates (which no database stores)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(value: str) -> bool:
    """No control characters, no unpaired surrogates."""
    return _encodable(value) and not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value)


def _name(name: str, value: Any, dialect: str) -> str:
    """An identifier checked and quoted: printable text without double quotes."""
    accepted = "a non-empty name of printable characters without double quotes"
    if dialect == "postgresql":
        accepted += f" (at most {_PG_MAX_IDENTIFIER} bytes in UTF-8: PostgreSQL cuts longer names)"
    if not isinstance(value, str) or not value or '"' in value or not _printable(value):
        raise fail(name, accepted, value)
    if dialect == "postgresql" and len(value.encode("utf-8")) > _PG_MAX_IDENTIFIER:
        raise fail(name, accepted, value)
    return f'"{value}"'


def _table(table: Any, dialect: str) -> str:
    """A table name, or a qualified one given as a sequence such as ``("erp", "features")``."""
    if isinstance(table, str):
        if "." in table:
            raise ValidationError(
                f"table must be a name or a sequence of names such as ('schema', 'table'), got {shown(table)}; "
                "a name with a dot is ambiguous: give a qualified name as a tuple",
                field="table",
                value=table,
            )
        return _name("table", table, dialect)
    if isinstance(table, Sequence) and 1 <= len(table) <= 3:
        return ".".join(_name(f"table[{i}]", part, dialect) for i, part in enumerate(table))
    raise fail("table", "a name or a sequence of 1 to 3 names (catalog, schema, table)", table)


# --- the grade scale as scores ---------------------------------------------------------------


def _order_key(x: float) -> int:
    """An integer that orders float64 values as they compare (-0.0 and 0.0 alike)."""
    bits: int = struct.unpack("<q", struct.pack("<d", x))[0]
    return bits if bits >= 0 else -(bits & 0x7FFF_FFFF_FFFF_FFFF)


def _from_key(key: int) -> float:
    bits = key if key >= 0 else (-key) | -0x8000_0000_0000_0000
    value: float = struct.unpack("<d", struct.pack("<q", bits))[0]
    return value


def grade_cuts(card: Card) -> tuple[int, list[tuple[float, int]]]:
    """Where Python's grade of a score changes: the best grade any score gets, and ``(t, k)`` cuts.

    Python grades a score ``s`` by ``master_scale`` on ``scaling.pd(s)`` (or on
    ``s``); that grade's position ``G(s)`` never rises with ``s``. For each
    position ``k`` some but not all scores reach, ``t`` is the highest score
    with ``G(s) >= k``, found by bisection over the ordered float64 values, so
    ``G(s) >= k`` exactly when ``s <= t``. The cuts come worst grade first.

    >>> from riskkit.scoring import five_c
    >>> best, cuts = grade_cuts(five_c().card)  # the 100-point scale: AAA above 90, AA from 80, ...
    >>> best, cuts[-2:]
    (0, [(79.99999999999999, 2), (90.0, 1)])
    """

    def position(s: float) -> int:
        score = np.array([s], dtype=np.float64)
        pd = card.scaling.pd(score)
        scale = card.master_scale
        index = scale.grade_index(score=score) if scale.basis == "score" else scale.grade_index(pd=pd)
        return int(index[0])

    lowest, highest = _order_key(-math.inf), _order_key(math.inf)
    best, worst = position(math.inf), position(-math.inf)
    cuts = []
    for k in range(worst, best, -1):
        lo, hi = lowest, highest  # position(lo) >= k > position(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if position(_from_key(mid)) >= k:
                lo = mid
            else:
                hi = mid
        cuts.append((_from_key(lo), k))
    return best, cuts


# --- the statement ----------------------------------------------------------------------------


class _Writer:
    """The pieces of one card's statement in one dialect."""

    def __init__(self, card: Card, dialect: str) -> None:
        self.card = card
        self.dialect = dialect

    def num(self, x: float) -> str:
        return _number(x, self.dialect)

    def input_value(self, column: str) -> str:
        """A numeric input column as the card reads it (PostgreSQL's NaN as NULL)."""
        if self.dialect == "postgresql":
            return f"NULLIF({column}, CAST('NaN' AS DOUBLE PRECISION))"
        return column

    def sum_value(self, terms: Sequence[str]) -> str:
        """Several numeric values added in order (NaN from inf - inf as NULL, as Python reads it)."""
        total = " + ".join(terms)
        if len(terms) > 1:
            return self.input_value(f"({total})")
        return total

    def feature_points(self, f: CardFeature, value: str) -> str:
        """One feature's points as a CASE over the internal column ``value``."""
        pts = [float(p) for p in f.points]
        whens = [f"WHEN {value} IS NULL THEN {self.num(pts[f.missing_bin])}"]
        if f.kind == NUMERIC:
            if f.special_codes:
                codes = ", ".join(self.num(c) for c in f.special_codes)
                whens.append(f"WHEN {value} IN ({codes}) THEN {self.num(pts[f.special_bin])}")
            for s, p in zip(f.splits.tolist(), pts, strict=False):
                whens.append(f"WHEN {value} < {self.num(s)} THEN {self.num(p)}")
            otherwise = self.num(pts[f.n_regular - 1])
        else:
            for b, group in enumerate(f.categories):
                for c in group:
                    if "\x00" in c or not _encodable(c):
                        raise ValidationError(
                            f"feature {f.name!r}: category {c!r} cannot be written as SQL text "
                            "(it holds a NUL or an unpaired surrogate)",
                            field=f.name,
                            value=c,
                        )
                listed = ", ".join(_text(c, self.dialect) for c in group)
                whens.append(f"WHEN {value} IN ({listed}) THEN {self.num(pts[b])}")
            if self.card.unknown == "missing":
                otherwise = self.num(pts[f.missing_bin])
            elif self.card.unknown == "worst":
                otherwise = self.num(pts[int(np.argmin(f.points[: f.n_regular]))])
            else:  # "error": Python raises; the row gets no score
                otherwise = "NULL"
        return "CASE " + " ".join(whens) + f" ELSE {otherwise} END"

    def condition(self, c: Any, values: Mapping[str, str]) -> str:
        """An override's condition (Python: a NaN fails every test but ``missing``; SQL: NULL does)."""
        total = self.sum_value([values[n] for n in c.features])
        if c.test == "missing":
            return f"{total} IS NULL" if c.value else f"{total} IS NOT NULL"
        op = {"above": ">", "at_least": ">=", "below": "<", "at_most": "<=", "equals": "="}[c.test]
        return f"{total} {op} {self.num(c.value)}"

    def conditions(self, o: Any, values: Mapping[str, str]) -> str:
        return " AND ".join(f"({self.condition(c, values)})" for c in o.when)

    def pd(self, score: str) -> str:
        """``scaling.pd(score)``: ``1 / (1 + exp((score - offset) / factor))``, guarded where EXP would fail."""
        z = f"(({score} - {self.num(self.card.scaling.offset)}) / {self.num(self.card.scaling.factor)})"
        one = self.num(1.0)
        return (
            f"CASE WHEN {z} > {self.num(_MAX_LOG_ODDS)} THEN {self.num(0.0)} "
            f"WHEN {z} < {self.num(_MIN_LOG_ODDS)} THEN {one} "
            f"ELSE {one} / (EXP({z}) + {one}) END"
        )


def _at_most(t: float, num: Callable[[float], str]) -> str:
    """``"s" <= t``, or ``"s" < u`` when ``u``, the next float64 after ``t``, is shorter (19.999999999999996: 20)."""
    u = math.nextafter(t, math.inf)
    if math.isfinite(u) and len(repr(u)) < len(repr(t)):
        return f'"s" < {num(u)}'
    return f'"s" <= {num(t)}'


#: A select item: one line, or several (a long sum). Lines are kept apart in lists, never split
#: again, so that a line break inside a string literal is never taken for one of the layout.
Item = str | list[str]


def _select(items: Sequence[Item], source: str | list[str], alias: str | None) -> list[str]:
    """The lines of ``SELECT items FROM source`` (a derived table, its lines indented, when ``alias`` is given)."""
    lines = ["SELECT"]
    for i, item in enumerate(items):
        item_lines = [item] if isinstance(item, str) else list(item)
        if i < len(items) - 1:
            item_lines[-1] += ","
        lines += ["  " + line for line in item_lines]
    if alias is None:
        assert isinstance(source, str)
        return [*lines, f"FROM {source}"]
    return [*lines, "FROM (", *("  " + line for line in source), f') AS "{alias}"']


def card_sql(
    card: Card,
    overrides: Sequence[Any],
    dialect: Any,
    table: Any,
    *,
    columns: Mapping[str, str] | None = None,
    keys: Sequence[str] = (),
    in_default: str | None = None,
) -> str:
    """The text of one SELECT scoring every row of ``table`` as ``card`` (with ``overrides``) scores it.

    See :meth:`riskkit.Scorecard.to_sql` for the parameters and the module
    docstring for the statement and its exactness.
    """
    dialect = check("dialect", dialect, Options(*DIALECTS))
    source = _table(table, dialect)
    w = _Writer(card, dialect)

    kinds = card.kinds
    override_names = [n for o in overrides for c in o.when for n in c.features]
    override_names += [o.target[0] for o in overrides if o.action == "missing_points"]
    read = list(dict.fromkeys([*card.names, *override_names]))
    for n in override_names:
        if kinds.get(n, NUMERIC) != NUMERIC:
            raise ValidationError(
                f"an override reads the categorical feature {n!r}; overrides read numbers", field=n
            )
    if columns is None:
        columns = {}
    if not isinstance(columns, Mapping):
        raise fail("columns", "a mapping of feature name to column name, or None", columns)
    unknown = [k for k in columns if k not in read]
    if unknown:
        raise ValidationError(
            f"columns names feature(s) {', '.join(map(repr, unknown))} the card does not read; "
            f"it reads: {', '.join(read)}",
            field="columns",
            value=unknown,
        )
    if isinstance(keys, str) or not isinstance(keys, Sequence):
        raise fail("keys", "a sequence of column names", keys)
    seen: set[str] = set()
    for i, k in enumerate(keys):
        _name(f"keys[{i}]", k, dialect)
        if k.lower() in RESULT_COLUMNS or k.lower() in seen:
            what = (
                "is a result column (score, pd, grade)" if k.lower() in RESULT_COLUMNS else "is given twice"
            )
            raise ValidationError(f"keys[{i}] {k!r} {what}; rename it in a view", field="keys", value=k)
        seen.add(k.lower())

    # 1. the input, each column once under an internal name
    items = [f'{_name(f"keys[{i}]", k, dialect)} AS "k{i}"' for i, k in enumerate(keys)]
    value: dict[str, str] = {}
    for j, n in enumerate(read):
        column = _name(f"columns[{n!r}]" if n in columns else f"feature {n!r}", columns.get(n, n), dialect)
        items.append(f'{w.input_value(column) if kinds.get(n, NUMERIC) == NUMERIC else column} AS "v{j}"')
        value[n] = f'"v{j}"'
    if in_default is not None:
        flag = w.input_value(_name("in_default", in_default, dialect))
        items.append(f'CASE WHEN {flag} > {w.num(0.0)} THEN 1 ELSE 0 END AS "d"')
    passed = [f'"k{i}"' for i in range(len(keys))] + (['"d"'] if in_default is not None else [])
    sql = _select(items, source, None)

    # 2. the points, in card order, then the points overrides; the caps' and floors' conditions
    terms = [w.feature_points(f, value[f.name]) for f in card.features]
    earlier: dict[str, list[str]] = {}  # per feature, the conditions of its earlier points overrides
    missing_of = {f.name: float(f.points[f.missing_bin]) for f in card.features}
    flags: list[str] = []
    for o in overrides:
        if o.action == "missing_points":
            feature, points = o.target
            when = w.conditions(o, value)
            taken = " ".join(f"WHEN {c} THEN {w.num(0.0)}" for c in earlier.setdefault(feature, []))
            delta = w.num(float(points) - missing_of[feature])
            terms.append(
                f"CASE WHEN {value[feature]} IS NOT NULL THEN {w.num(0.0)} {taken}{' ' if taken else ''}"
                f"WHEN {when} THEN {delta} ELSE {w.num(0.0)} END"
            )
            earlier[feature].append(when)
        else:
            flags.append(f'CASE WHEN {w.conditions(o, value)} THEN 1 ELSE 0 END AS "c{len(flags)}"')
    score = [terms[0], *(f"+ {t}" for t in terms[1:]), 'AS "s"']
    sql = _select([*passed, score, *flags], sql, "riskkit_input")
    alias = "riskkit_points"

    best, cuts = grade_cuts(card)
    grades = card.master_scale.grades

    def by_score(label: Callable[[int], str]) -> str:
        """The grade (its ``label``) of the score ``"s"``: NULL for no score, then the cuts, worst first."""
        whens = " ".join(f"WHEN {_at_most(t, w.num)} THEN {label(k)}" for t, k in cuts if t != -math.inf)
        return f'CASE WHEN "s" IS NULL THEN NULL {whens} ELSE {label(best)} END'

    limits = [o for o in overrides if o.action != "missing_points"]
    if limits:
        # 3. the grade's position, then each cap and floor in the card's order
        position = by_score(str)
        keep = [*passed, '"s"', *(f'"c{i}"' for i in range(len(limits)))]
        sql = _select([*keep, f'{position} AS "g"'], sql, alias)
        alias = "riskkit_grade"
        order = {g: i for i, g in enumerate(grades)}
        for i, o in enumerate(limits):
            limit = order[o.target]
            compare = "<" if o.action == "cap" else ">"
            new = f'CASE WHEN "c{i}" = 1 AND "g" {compare} {limit} THEN {limit} ELSE "g" END AS "g"'
            sql = _select([*keep, new], sql, alias)
            alias = f"riskkit_{o.action}_{i}"
        named = " ".join(f"WHEN {k} THEN {_text(g, dialect)}" for k, g in enumerate(grades))
        grade = f'CASE "g" {named} END'
    else:
        grade = by_score(lambda k: _text(grades[k], dialect))

    # 4. the result: keys, score, pd, grade (in default: pd 1 and the default grade)
    pd = w.pd('"s"')
    if in_default is not None:
        pd = f'CASE WHEN "d" = 1 THEN {w.num(1.0)} ELSE {pd} END'
        grade = f'CASE WHEN "d" = 1 THEN {_text(card.master_scale.default_grade, dialect)} ELSE {grade} END'
    items = [f'"k{i}" AS {_name(f"keys[{i}]", k, dialect)}' for i, k in enumerate(keys)]
    items += ['"s" AS "score"', f'{pd} AS "pd"', f'{grade} AS "grade"']
    return "\n".join(_select(items, sql, alias))
