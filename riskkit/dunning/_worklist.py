"""The collections worklist: every overdue customer with what to do next, most urgent first.

:func:`worklist` applies a :class:`~riskkit.dunning.Ladder` to a portfolio
and its scores at a point in time and returns a :class:`Worklist`: one row
per customer with overdue money. It runs in named steps, each over all
customers at once: the overdue book (:func:`_overdue`), the stage and its
actions (:func:`_stage_columns`), the reorder rule (:func:`_reorder`), the
cause hints (:func:`_cause_hints`), the one-line reasons (:func:`_reasons`)
and the ranking (:func:`_ranked`).

Examples
--------
>>> import riskkit
>>> from riskkit.dunning import worklist
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
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from riskkit._checks import check_scores, readonly
from riskkit._ledger import open_at, open_book
from riskkit._memory import large_step
from riskkit._numeric import factorize, group_count, group_max, group_sum
from riskkit.dunning._ladder import REORDER_INSTALMENTS, REORDER_REFUSE, REORDER_SETTLE, Ladder, ReorderRule
from riskkit.errors import DataTypeError, ValidationError
from riskkit.features import first_issued
from riskkit.promises import disputed_invoices

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio
    from riskkit.scoring._result import ScoreResult

__all__ = ["CAUSES", "Worklist", "worklist"]

#: Causes of late payment to confirm with the customer (docs/domain.md, *Collections ladder*).
CAUSES: tuple[str, ...] = ("chain debt", "operating pressure", "cash-flow gap", "wilful delay")

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
#: Decimals of the shown float columns (overdue_amount is money; priority is shown as an index, top = 100).
_SHOWN_DIGITS = {"overdue_amount": 2, "priority": 1}



class _LazyReasons:
    """A worklist's ``reason`` column before it is read: each row's grade and debtor-type shifts, the only
    inputs of :func:`_reasons` that are not columns. The text is written when the column is first read,
    for the rows of the worklist that reads it (a head of 10 writes 10)."""

    __slots__ = ("delay", "grade_days")

    def __init__(self, grade_days: np.ndarray, delay: np.ndarray) -> None:
        self.grade_days = grade_days
        self.delay = delay

    def __len__(self) -> int:
        return int(self.grade_days.size)

    def __getitem__(self, rows: np.ndarray | slice) -> _LazyReasons:
        return _LazyReasons(self.grade_days[rows], self.delay[rows])

    def write(self, columns: Mapping[str, Any]) -> np.ndarray:
        return readonly(_reasons(columns, self.grade_days, self.delay), object)


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
    priority            float64  :meth:`Ladder.priority`: a ranking score, not money
    reorder_rule        object   answer to a request to order again (:class:`ReorderRule`)
    reorder_reason      object   why that answer
    cause_hints         object   causes to confirm with the customer (a heuristic hint)
    reason              object   a one-line explanation of the row
    ==================  =======  ===========================================================

    Amounts are in :attr:`currency`. ``priority`` multiplies the overdue
    amount by the PD and the log of the days past due, so it only orders the
    rows: the notebook table shows it as an index, ``priority (top = 100)``,
    100 for the most urgent row of the worklist, 50 for half its priority.
    """

    __slots__ = ("_as_of", "_columns", "_currency")

    def __init__(self, columns: Mapping[str, Any], as_of: _dt.date | None = None, currency: str = "") -> None:
        self._set(columns, as_of, currency, copy=True)

    @classmethod
    def _adopt(cls, columns: Mapping[str, Any], as_of: _dt.date | None, currency: str) -> Worklist:
        """A worklist of arrays made for it, which no one else holds: kept as they are, not copied."""
        work = cls.__new__(cls)
        work._set(columns, as_of, currency, copy=False)
        return work

    def _set(self, columns: Mapping[str, Any], as_of: _dt.date | None, currency: str, copy: bool) -> None:
        missing = [name for name, _ in _COLUMNS if name not in columns]
        if missing:
            raise ValidationError(f"Worklist needs columns {missing}", field=missing[0])
        # a column not written yet (the reasons, see _LazyReasons) stays so until it is read
        self._columns: dict[str, Any] = {
            name: columns[name] if isinstance(columns[name], _LazyReasons) else readonly(columns[name], dtype, copy=copy)
            for name, dtype in _COLUMNS
        }
        sizes = {len(c) for c in self._columns.values()}
        if len(sizes) > 1:
            raise ValidationError(f"Worklist columns have different lengths {sorted(sizes)}")
        self._as_of = as_of
        self._currency = str(currency)

    @property
    def as_of(self) -> _dt.date | None:
        """The point in time the worklist describes."""
        return self._as_of

    @property
    def currency(self) -> str:
        """The currency of the amounts: the portfolio's reporting currency (``""`` when it names none)."""
        return self._currency

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names, in order."""
        return tuple(self._columns)

    def __len__(self) -> int:
        return int(self._columns["customer_id"].size)

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            column = self._columns[name]
        except KeyError:
            from riskkit.errors import SchemaError

            raise SchemaError(f"worklist has no column {name!r}; columns: {', '.join(self._columns)}") from None
        if isinstance(column, _LazyReasons):  # written now, once (two threads at once write the same text)
            column = self._columns[name] = column.write(self._columns)
        return column

    def _take(self, rows: np.ndarray | slice) -> Worklist:
        # the reasons not written yet stay so: a head of 10 rows writes 10 when read
        return Worklist._adopt({k: v[rows] for k, v in self._columns.items()}, self._as_of, self._currency)

    def head(self, n: int = 10) -> Worklist:
        """The ``n`` most urgent rows."""
        return self._take(slice(0, max(int(n), 0)))

    def _record(self, i: int, names: Iterable[str] | None = None) -> dict[str, Any]:
        out = {}
        for k in self._columns if names is None else names:
            v = self[k][i]
            out[k] = v.item() if isinstance(v, np.generic) else v
        return out

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
        return self._take(hit[:1])._record(0)  # its reason written alone

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by customer id, in priority order (needs pandas)."""
        import pandas as pd

        data = {k: self[k] for k in self._columns if k != "customer_id"}
        return pd.DataFrame(data, index=pd.Index(self._columns["customer_id"], name="customer_id"))

    def __repr__(self) -> str:
        total = float(self._columns["overdue_amount"].sum())
        unit = f" {self._currency}" if self._currency else ""
        return f"Worklist({len(self)} customers, as_of={self._as_of}, overdue {total:,.2f}{unit})"

    def _repr_html_(self, max_rows: int = 10) -> str:
        """The most urgent rows, with units: amounts in the currency, days, priority as an index (top = 100)."""
        from riskkit._display import html_table

        top = float(self._columns["priority"].max()) if len(self) else 0.0
        rows = []
        for i in range(min(len(self), max_rows)):
            record = self._record(i, _SHOWN)  # the reasons are not shown: not written for the table
            record["priority"] = 100.0 * record["priority"] / top if top > 0 else record["priority"]
            rows.append([record[k] for k in _SHOWN])
        total = float(self._columns["overdue_amount"].sum())
        money = self._currency or "money"
        amount = f"{total:,.2f} {self._currency}" if self._currency else f"{total:,.2f}"
        footer = (
            f"{len(self)} customers, {amount} overdue, as of {self._as_of}; "
            "priority ranks the rows (amount x PD x log of days past due), 100 = the most urgent"
        )
        units = {"overdue_amount": money, "days_past_due": "days", "priority": "top = 100"}
        return html_table(list(_SHOWN), rows, caption="riskkit.Worklist", digits=_SHOWN_DIGITS, footer=footer,
                          units=units, fixed=("overdue_amount",))


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


# --- the steps of worklist() ----------------------------------------------------------


@attrs.frozen
class _Overdue:
    """Per customer at ``as_of``: overdue amount, invoices and days past due (of the oldest overdue
    invoice), open amount, and days since its first invoice (NaN without one)."""

    amount: np.ndarray
    count: np.ndarray
    days: np.ndarray
    open: np.ndarray
    relationship: np.ndarray


def _overdue(portfolio: Portfolio, when: np.datetime64) -> _Overdue:
    """The overdue book at ``when``: an invoice issued by then, past due and still open then."""
    inv = portfolio.invoices
    n = portfolio.n_customers
    cust = inv["customer"]
    # the invoices open at ``when`` as rows, shared with the features and signals of that date: sums over
    # them equal those over every invoice (the others add 0)
    book = open_book(portfolio, when)
    overdue = book.overdue()
    if portfolio.disputes.n_rows:  # an invoice under an open dispute is not dunned (docs/domain.md, disputes)
        overdue = overdue & ~disputed_invoices(portfolio, when)[book.rows]
    owner = book.customer[overdue]
    # the first document issued by ``when``: the first of all (kept with the Portfolio) when that is issued
    # by then, none (NaN) otherwise
    first = first_issued(portfolio, debit_only=False)
    first_day = np.where(first <= when.astype(np.int64), first, np.nan)
    return _Overdue(
        amount=group_sum(book.amount[overdue], owner, n),
        count=group_count(owner, n),
        days=group_max(book.dpd[overdue], owner, n, empty=0.0).astype(np.int64),
        # a document unknown at ``when`` (a residual export before its date) makes its customer's sum unknown
        open=group_sum(open_at(portfolio, when)[1], cust, n) if book.unknown else group_sum(book.amount, book.customer, n),
        relationship=when.astype(np.int64) - first_day,
    )


def _stage_columns(
    ladder: Ladder, dpd: np.ndarray, grade_days: np.ndarray, type_idx: np.ndarray
) -> dict[str, np.ndarray]:
    """Each case's stage columns: stage, next_action, actions, hold_credit, days_to_next_stage."""
    effective = dpd + grade_days - ladder._delays(type_idx)
    stage = ladder._stage_of(effective)
    n_stages = len(ladder.stages)
    table = np.empty((len(ladder.debtor_types), n_stages), dtype=object)  # actions by debtor type and stage
    for t, kind in enumerate(ladder.debtor_types):
        for j, acts in enumerate(ladder._actions_for(kind)):
            table[t, j] = acts
    chosen = table[type_idx, stage] if stage.size else np.empty(0, dtype=object)
    next_start = np.array([s.start for s in ladder.stages[1:]] + [0], dtype=np.int64)
    to_next = np.where(stage < n_stages - 1, next_start[stage] - effective, -1) if stage.size else np.zeros(0, int)
    return {
        "stage": np.array([s.name for s in ladder.stages], dtype=object)[stage],
        "next_action": np.array([a[0] for a in chosen], dtype=object),
        "actions": np.array(["; ".join(a) for a in chosen], dtype=object),
        "hold_credit": np.array([s.hold_credit for s in ladder.stages], dtype=bool)[stage],
        "days_to_next_stage": to_next,
    }


def _valuable(rule: ReorderRule, book: _Overdue, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per case: valuable (a large open amount or a long relationship), and whether by its amount."""
    if rule.valuable_amount is not None:
        cut = rule.valuable_amount
    else:
        positive = book.open[book.open > 0]
        cut = float(np.quantile(positive, rule.valuable_quantile)) if positive.size else math.inf
    big = book.open[rows] >= cut
    return big | (book.relationship[rows] >= rule.valuable_relationship_days), big


def _reorder(
    rule: ReorderRule, grade: np.ndarray, dpd: np.ndarray, pi: np.ndarray, blocked: np.ndarray,
    valuable: np.ndarray, big: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The answer to a request to order again, and why, per case: :class:`ReorderRule`'s branches in order."""
    with np.errstate(invalid="ignore"):
        poor = np.isnan(pi) | (pi < rule.poor_payment_index)
        good = np.isin(grade, rule.good_grades) & (pi >= rule.good_payment_index)
    serious_days = dpd >= rule.serious_dpd
    serious = serious_days | np.isin(grade, rule.serious_grades)
    branches = [np.isin(grade, rule.refuse_grades), blocked, (dpd >= rule.refuse_dpd) & poor, good & ~serious,
                serious_days & ~valuable]
    branch = np.select(branches, np.arange(len(branches)), len(branches))  # the first that holds; or none
    answers = (REORDER_REFUSE, REORDER_REFUSE, REORDER_REFUSE, REORDER_INSTALMENTS, REORDER_REFUSE, REORDER_SETTLE)
    answer = np.array(answers, dtype=object)[branch]
    # the reason depends on the branch, the grade and four flags: each distinct combination is written once
    # and shared by its cases (a large book's worklist has hundreds of thousands)
    grades, grade_code = factorize(grade)
    key = branch.astype(np.int64)
    for flag in (serious, serious_days, valuable, big):
        key = key * 2 + flag
    combos, which = np.unique(key * len(grades) + grade_code, return_inverse=True)
    texts = []
    for combo in combos.tolist():
        combo, g = divmod(combo, len(grades))
        combo, is_big = divmod(combo, 2)
        combo, is_valuable = divmod(combo, 2)
        combo, is_serious_days = divmod(combo, 2)
        b, is_serious = divmod(combo, 2)
        texts.append(_reorder_reason(rule, b, str(grades[g]), is_serious, is_serious_days, is_valuable, is_big))
    return answer, np.array(texts, dtype=object)[which.ravel()]


def _reorder_reason(
    rule: ReorderRule, branch: int, grade: str, serious: int, serious_days: int, valuable: int, big: int
) -> str:
    """Why :func:`_reorder` answers as it does for one combination of branch, grade and flags."""
    if branch == 0:
        return "high risk: grade " + grade
    if branch == 1:
        return "high risk: credit blocked"
    if branch == 2:
        return f"high risk: {rule.refuse_dpd}+ days past due with a poor payment history"
    if branch == 3:
        return "good payment history and grade"
    if branch == 4:
        return f"{rule.serious_dpd}+ days past due and not valuable enough for new credit"
    if not serious:
        return "mixed payment history"
    why_serious = f"{rule.serious_dpd}+ days past due" if serious_days else "grade " + grade
    why_valuable = "large exposure" if big else "long relationship"
    return ("valuable (" + why_valuable + ") but " if valuable else "") + "serious (" + why_serious + ")"


def _reasons(columns: Mapping[str, np.ndarray], grade_days: np.ndarray, delay: np.ndarray) -> np.ndarray:
    """One line per case: the facts behind its stage and its priority."""
    notes = []
    for dpd, count, amount, pd_, grade, kind, stage, sooner, later in zip(
        *(columns[k].tolist() for k in ("days_past_due", "overdue_invoices", "overdue_amount", "pd", "grade",
                                         "debtor_type", "stage")),
        grade_days.tolist(), delay.tolist(), strict=True,
    ):
        moves = ([f"grade {grade} {sooner} days sooner"] if sooner else []) + ([f"{kind} {later} days later"] if later else [])
        pd_text = "PD unknown" if math.isnan(pd_) else f"PD {pd_:.1%}"
        notes.append(
            f"{dpd} days past due on the oldest of {count} overdue invoice{'s' if count != 1 else ''} "
            f"({amount:,.2f}); {pd_text}, grade {grade or '-'}; stage {stage}"
            + (f" ({', '.join(moves)})" if moves else "")
        )
    return np.array(notes, dtype=object)


def _ranked(columns: dict[str, Any], as_of: _dt.date, currency: str = "") -> Worklist:
    """The worklist sorted by priority, highest first; ties by customer id. ``columns`` are made for it and
    replaced one by one by their sorted copies (not all held twice)."""
    id_rank = np.unique(columns["customer_id"].astype(str), return_inverse=True)[1].ravel()
    order = np.lexsort((id_rank, -columns["priority"]))
    del id_rank
    for name in list(columns):
        column = columns[name]
        columns[name] = column[order] if isinstance(column, _LazyReasons) else np.asarray(column)[order]
    return Worklist._adopt(columns, as_of, currency)


def worklist(portfolio: Portfolio, scores: ScoreResult, as_of: Any = None, ladder: Ladder | None = None) -> Worklist:
    """The collections worklist: every customer with overdue money at ``as_of``, most urgent first.

    Point in time (docs/domain.md, *Point in time*): an invoice is overdue when it was issued
    on or before ``as_of``, is past due (``as_of > due``) and is still open
    at ``as_of``; a payment made after ``as_of`` has not happened yet. An
    invoice under a dispute open at ``as_of`` is not dunned: it counts in
    neither the overdue amount nor the days past due (docs/domain.md,
    *Promises and disputes*; :func:`riskkit.dunning.promise_columns` adds
    the promises and disputes of each case).

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
    >>> from riskkit.scoring import five_c
    >>> portfolio, _ = make_portfolio(500, seed=0)
    >>> wl = worklist(portfolio, five_c().score(portfolio.features()))
    >>> len(wl), bool((wl["priority"][:-1] >= wl["priority"][1:]).all())
    (108, True)
    """
    with large_step(portfolio):  # a large book: see riskkit._memory
        return _worklist(portfolio, scores, as_of, ladder)


def _worklist(portfolio: Portfolio, scores: ScoreResult, as_of: Any, ladder: Ladder | None) -> Worklist:
    from riskkit.scoring._result import ScoreResult  # here, so that importing riskkit.dunning loads no scorer

    ladder = Ladder.default() if ladder is None else ladder
    if not isinstance(ladder, Ladder):
        raise DataTypeError(f"ladder must be a riskkit.dunning.Ladder, got {type(ladder).__name__}")
    check_scores(portfolio, scores, ScoreResult)
    when = portfolio.resolve_as_of(as_of)
    ids = np.asarray(portfolio.customer_ids, dtype=object)
    kinds = np.asarray(portfolio.customers["debtor_type"], dtype=object)
    type_all = ladder._type_index(kinds, ids)  # every customer's type must have a rule, overdue or not
    book = _overdue(portfolio, when)
    rows = np.flatnonzero(book.count > 0)

    # the cases' grades as text, one string object per distinct grade
    labels, which = np.unique(np.asarray(scores.grade)[rows].astype(str), return_inverse=True)
    grade = labels.astype(object)[which.ravel()]
    grade_days, type_idx = ladder._grade_days(grade), type_all[rows]
    columns: dict[str, Any] = _stage_columns(ladder, book.days[rows], grade_days, type_idx)
    features = portfolio.features(when.astype(object))
    columns.update(
        customer_id=ids[rows],
        overdue_amount=book.amount[rows],
        days_past_due=book.days[rows],
        overdue_invoices=book.count[rows],
        pd=np.asarray(scores.pd, dtype=np.float64)[rows],
        grade=grade,
        debtor_type=np.where(kinds[rows] == "", "standard", kinds[rows]).astype(object),
    )
    columns["priority"] = ladder.priority(columns["overdue_amount"], columns["pd"], columns["days_past_due"])
    columns["reorder_rule"], columns["reorder_reason"] = _reorder(
        ladder.reorder,
        grade,
        columns["days_past_due"],
        np.asarray(features["payment_index"], dtype=np.float64)[rows],
        np.asarray(portfolio.customers["blocked"], dtype=bool)[rows],
        *_valuable(ladder.reorder, book, rows),
    )
    columns["cause_hints"] = _cause_hints(features, rows, columns["debtor_type"], columns["days_past_due"])
    columns["reason"] = _LazyReasons(grade_days, ladder._delays(type_idx))  # written when first read
    return _ranked(columns, when.astype(object), portfolio.currency)
