"""What :meth:`CreditPolicy.recommend <riskkit.policy.CreditPolicy.recommend>` gives: :class:`Recommendations`.

One row per customer as read-only columns: the limit, its move against the
one on file (:data:`DIRECTIONS`), the rule that set it (:data:`BOUND_BY`),
the reason in words, terms and conditions; :meth:`Recommendations.changes_by_grade`
counts the moves per grade.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np

from riskkit._checks import readonly
from riskkit.errors import ValidationError
from riskkit.policy._config import GRADES
from riskkit.policy._frozenmap import FrozenMap

__all__ = ["BOUND_BY", "DIRECTIONS", "Recommendations"]

#: How a limit moved against the one on file.
DIRECTIONS: tuple[str, ...] = ("rise", "hold", "fall")
#: What set a recommended limit (see "Limit review" in riskkit.policy._limits).
BOUND_BY: tuple[str, ...] = ("method", "concentration", "floor", "cut_cap", "rounding", "default", "group", "none")

def _objects(values: Any) -> np.ndarray:
    return readonly(values, object, copy=True)


def _floats(values: Any) -> np.ndarray:
    return readonly(values, np.float64, copy=True)


def _bools(values: Any) -> np.ndarray:
    return readonly(values, bool, copy=True)


def _ints(values: Any) -> np.ndarray:
    return readonly(values, np.int64, copy=True)


def _str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def _method_limits(d: Mapping[str, Any]) -> FrozenMap:
    return FrozenMap({k: readonly(v, np.float64, copy=True) for k, v in d.items()})


class _LazyColumn:
    """A read-only column given as is, or built by a function the first time it is read."""

    __slots__ = ("_build", "_value")

    def __init__(self, value: Any) -> None:
        self._build = value if callable(value) else None
        self._value = None if callable(value) else readonly(value, object, copy=True)

    def get(self) -> np.ndarray:
        value = self._value
        if value is None:
            build = self._build
            if build is None:  # another thread built it meanwhile (it stores the value first)
                return self._value  # type: ignore[return-value]
            value = readonly(build(), object)
            self._value = value
            self._build = None
        return value


_RECORD_COLUMNS = (
    "grade",
    "policy_grade",
    "new_customer",
    "history_months",
    "limit",
    "binding_method",
    "reason",
    "terms_days",
    "payment_terms",
    "conditions",
    "current_limit",
    "change",
    "direction",
    "bound_by",
    "method_limit",
    "floor",
    "cut_cap",
    "in_default",
)


@attrs.frozen(eq=False)
class Recommendations:
    """What :meth:`CreditPolicy.recommend` gives: one row per customer, as read-only columns.

    Attributes
    ----------
    customer_ids : ndarray of str
    grade : ndarray of str
        The grade in ``scores``.
    policy_grade : ndarray of str
        The grade the policy applied (after the new-customer cap).
    new_customer : ndarray of bool
    history_months : ndarray of float
        Months since the first invoice (NaN without one).
    limit : ndarray of float
        Recommended credit limit, ``>= 0``, a multiple of the policy's
        ``limit_rounding`` and never above the concentration cap, nor, for a
        member of a group with a group limit, above its exposure plus the
        group's headroom.
    binding_method : ndarray of str
        The method whose figure became the methods' limit (``method_limit``):
        one of :data:`LIMIT_METHODS`, ``"concentration"`` or ``"none"`` (no
        method applies).
    reason : ndarray of str
        The change and how the limit was reached, in words and numbers:
        ``"<rise|hold|fall> <limit on file> -> <limit>: <the rule that set
        it>"``, the methods' figure and rounding included.
    terms_days : ndarray of int
    payment_terms : ndarray of str
        ``"net N"``, ``"cash on delivery"`` or ``"prepayment"``.
    conditions : ndarray of str
    current_limit : ndarray of float
        The limit on file (NaN without an exposure row).
    change : ndarray of float
        ``limit - current_limit``.
    direction : ndarray of str
        From :data:`DIRECTIONS`: ``"rise"``, ``"hold"`` or ``"fall"`` against
        the limit on file (none on file counts as 0).
    bound_by : ndarray of str
        From :data:`BOUND_BY`, the rule that set the limit: ``"method"`` (the
        methods' figure, ``binding_method`` names which), ``"concentration"``,
        ``"floor"`` (the purchases floor), ``"cut_cap"`` (the cap on the cut
        per review), ``"rounding"`` (the rounding decided the direction: e.g. a
        figure 300 above the limit on file rounded down to it is a hold),
        ``"default"`` (customer in default: 0), ``"group"`` (capped by the
        headroom of the customer's corporate group: its exposure + group limit -
        group exposure, rounded down) or ``"none"`` (no method applies).
    method_limit : ndarray of float
        The methods' figure after the concentration cap, before the review
        rules and rounding.
    floor : ndarray of float
        The purchases floor (NaN where it does not apply).
    cut_cap : ndarray of float
        The lowest limit the cap on the cut allows (NaN where it does not apply:
        no limit on file, an exempt grade, in default).
    in_default : ndarray of bool
        The ``in_default`` feature (all False when the features have none).
    method_limits : mapping of str to ndarray of float
        Each method's figure (NaN where it does not apply) and the
        ``"concentration"`` cap (NaN when not applied).
    as_of : datetime.date
    policy_version : str
    grades : tuple of str
        The policy's grades, best first: the row order of :meth:`changes_by_grade`.
    """

    customer_ids: np.ndarray = attrs.field(converter=_objects)
    grade: np.ndarray = attrs.field(converter=_objects)
    policy_grade: np.ndarray = attrs.field(converter=_objects)
    new_customer: np.ndarray = attrs.field(converter=_bools)
    history_months: np.ndarray = attrs.field(converter=_floats)
    limit: np.ndarray = attrs.field(converter=_floats)
    binding_method: np.ndarray = attrs.field(converter=_objects)
    _reason: _LazyColumn = attrs.field(converter=_LazyColumn)
    terms_days: np.ndarray = attrs.field(converter=_ints)
    payment_terms: np.ndarray = attrs.field(converter=_objects)
    conditions: np.ndarray = attrs.field(converter=_objects)
    current_limit: np.ndarray = attrs.field(converter=_floats)
    change: np.ndarray = attrs.field(converter=_floats)
    direction: np.ndarray = attrs.field(converter=_objects)
    bound_by: np.ndarray = attrs.field(converter=_objects)
    method_limit: np.ndarray = attrs.field(converter=_floats)
    floor: np.ndarray = attrs.field(converter=_floats)
    cut_cap: np.ndarray = attrs.field(converter=_floats)
    in_default: np.ndarray = attrs.field(converter=_bools)
    method_limits: Mapping[str, np.ndarray] = attrs.field(converter=_method_limits)
    as_of: _dt.date
    policy_version: str
    grades: tuple[str, ...] = attrs.field(default=GRADES, converter=_str_tuple)

    def __attrs_post_init__(self) -> None:
        n = self.customer_ids.shape
        for name in _RECORD_COLUMNS:
            if name == "reason" and self._reason._value is None:
                continue  # built to the customers' length
            if getattr(self, name).shape != n:
                raise ValidationError(f"Recommendations.{name} has shape {getattr(self, name).shape}, expected {n}")
        for name, col in self.method_limits.items():
            if col.shape != n:
                raise ValidationError(f"Recommendations.method_limits[{name!r}] has shape {col.shape}, expected {n}")

    def __len__(self) -> int:
        return int(self.customer_ids.size)

    @property
    def reason(self) -> np.ndarray:
        """The change and how the limit was reached, in words and numbers (one string per customer).

        :meth:`CreditPolicy.recommend` writes them when they are first read,
        so a job that only stores limits does not pay for the text.
        """
        return self._reason.get()

    def _columns(self) -> dict[str, np.ndarray]:
        cols = {name: getattr(self, name) for name in _RECORD_COLUMNS}
        cols.update({f"limit_{k}": v for k, v in self.method_limits.items()})
        return cols

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per customer: ``customer_id``, every column and ``limit_<method>``.

        Examples
        --------
        >>> import riskkit
        >>> from riskkit.policy import CreditPolicy
        >>> book, _ = riskkit.datasets.make_portfolio(50, seed=0)
        >>> rec = CreditPolicy().recommend(book, riskkit.scoring.five_c().score(book.features()))
        >>> sorted(rec.to_records()[0])[:6]
        ['binding_method', 'bound_by', 'change', 'conditions', 'current_limit', 'customer_id']
        """
        cols = {k: v.tolist() for k, v in self._columns().items()}
        ids = self.customer_ids.tolist()
        return [{"customer_id": ids[i], **{k: v[i] for k, v in cols.items()}} for i in range(len(self))]

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by customer id (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self._columns(), index=pd.Index(self.customer_ids, name="customer_id"))

    def changes_by_grade(self) -> list[dict[str, Any]]:
        """How many limits rise, hold and fall, per grade, with the totals before and after.

        One row per grade present (the grade in ``scores``, policy grades best
        first, ungraded ``""`` last): ``grade``, ``n``, ``rise``, ``hold``,
        ``fall``, ``total_now`` (limits on file; none on file counts as 0) and
        ``total_recommended``.

        Examples
        --------
        >>> import riskkit
        >>> from riskkit.policy import CreditPolicy
        >>> book, _ = riskkit.datasets.make_portfolio(200, seed=0)
        >>> rec = CreditPolicy().recommend(book, riskkit.scoring.five_c().score(book.features()))
        >>> rows = rec.changes_by_grade()
        >>> sorted(rows[0])
        ['fall', 'grade', 'hold', 'n', 'rise', 'total_now', 'total_recommended']
        >>> sum(r["n"] for r in rows) == len(rec) == sum(r["rise"] + r["hold"] + r["fall"] for r in rows)
        True
        """
        labels = self.grade.astype(str)
        present = set(labels.tolist())
        order = [g for g in self.grades if g in present]
        order += sorted(present - set(order), key=lambda g: (g == "", g))
        now = np.where(np.isnan(self.current_limit), 0.0, self.current_limit)
        rows = []
        for g in order:
            sel = labels == g
            moves = self.direction[sel]
            rows.append({
                "grade": g,
                "n": int(sel.sum()),
                "rise": int((moves == "rise").sum()),
                "hold": int((moves == "hold").sum()),
                "fall": int((moves == "fall").sum()),
                "total_now": float(now[sel].sum()),
                "total_recommended": float(self.limit[sel].sum()),
            })
        return rows

    def _change_rows(self) -> tuple[list[str], list[list[Any]]]:
        headers = ["grade", "n", "rise", "hold", "fall", "total now", "recommended"]
        rows: list[list[Any]] = [
            [r["grade"] or "ungraded", r["n"], r["rise"], r["hold"], r["fall"], r["total_now"], r["total_recommended"]]
            for r in self.changes_by_grade()
        ]
        if rows:
            rows.append(["all", *(sum(r[j] for r in rows) for j in range(1, len(headers)))])
        return headers, rows

    def _summary(self) -> str:
        n = len(self)
        total = float(self.limit.sum()) if n else 0.0
        now = float(np.nansum(self.current_limit)) if n else 0.0
        moves = ", ".join(f"{int((self.direction == d).sum())} {d}" for d in DIRECTIONS)
        return (
            f"Recommendations({n} customers, total limit {total:,.0f} (on file {now:,.0f}): {moves}; "
            f"as_of={self.as_of}, policy {self.policy_version!r})"
        )

    def __repr__(self) -> str:
        from riskkit._display import text_table

        if not len(self):
            return self._summary()
        headers, rows = self._change_rows()
        return self._summary() + "\n" + text_table(headers, rows, digits=0)

    def _repr_html_(self, max_rows: int = 10) -> str:
        from riskkit._display import html_table

        caption = f"riskkit.policy.Recommendations (policy {self.policy_version}, as of {self.as_of})"
        changes = html_table(*self._change_rows(), caption=caption + ": limit changes by grade", digits=0)
        headers = ["customer_id", "grade", "limit now", "limit", "change", "move", "set by", "terms", "conditions"]
        rows = [
            [
                self.customer_ids[i],
                self.policy_grade[i],
                float(self.current_limit[i]),
                float(self.limit[i]),
                float(self.change[i]),
                self.direction[i],
                self.binding_method[i] if self.bound_by[i] == "method" else self.bound_by[i],
                self.payment_terms[i],
                self.conditions[i],
            ]
            for i in range(min(len(self), max_rows))
        ]
        customers = html_table(headers, rows, caption=caption, digits=0, footer=f"{len(self)} customers")
        return changes + customers
