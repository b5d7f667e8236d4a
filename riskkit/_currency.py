"""Currencies: one reporting currency per load, rates to it, and the conversion of amount columns.

Every table with amounts may carry a ``currency`` column. A document without
a currency is in the reporting currency, except a payment that names an
invoice, which takes its invoice's. Amounts are converted with the rates the
user gives: one fixed rate per currency, or a dated table in which each row
takes the latest rate on or before its date (undated rows, such as credit
limits, take the latest rate given). A currency without a rate is an error
naming it: nothing is summed across currencies unconverted.

Invoices and payments keep their document-currency amounts (``doc_amount``,
``doc_paid_amount``, ``doc_residual``) and their ``rate``, because payments are
matched to invoices, and the payment tolerance applied, in document currency.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from riskkit import _schema
from riskkit._convert import _Reject, show, to_currency, to_date, to_number
from riskkit.errors import ValidationError

__all__ = ["Rates", "convert"]

#: The date column by which each table's rows take their rate (None: the latest rate).
_DATE_COLUMN = {
    "exposures": None,
    "invoices": "issued",
    "payments": "date",
    "orders": "date",
    "statements": "period_end",
    "events": "date",
    "insurance": "date",
}


def _code(value: Any, where: str) -> str:
    try:
        return to_currency(value) if isinstance(value, str) else to_currency("")
    except _Reject as exc:
        raise ValidationError(f"{where} ({show(value)}) {exc}", field="currency", value=value) from None


def _rate(value: Any, where: str) -> float:
    try:
        rate = to_number(value, nonnegative=True)
    except _Reject as exc:
        raise ValidationError(f"{where} ({show(value)}) {exc}", field="rates", value=value) from None
    if not rate > 0 or not math.isfinite(rate):
        raise ValidationError(f"{where} ({show(value)}) must be a finite number > 0", field="rates", value=value)
    return rate


class Rates:
    """Rates from each currency to the reporting one, fixed or by date.

    Parameters
    ----------
    rates : mapping, optional
        ``{"USD": 0.92, ...}`` (units of reporting currency per unit of the
        currency) or the columns ``{"date": [...], "currency": [...], "rate":
        [...]}`` of a dated table.
    reporting : str
        The reporting currency; its own rate is 1.

    Examples
    --------
    >>> r = Rates({"date": ["2025-01-01", "2025-02-01"], "currency": ["USD", "USD"], "rate": [0.9, 0.95]}, "EUR")
    >>> r.lookup(np.array(["USD", "EUR"], dtype=object), np.array(["2025-01-15", "2025-01-15"], dtype="datetime64[D]"))
    array([0.9, 1. ])
    """

    def __init__(self, rates: Mapping[str, Any] | None, reporting: str) -> None:
        self.reporting = reporting
        self._fixed: dict[str, float] = {}
        self._dated: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if rates is None:
            return
        if not isinstance(rates, Mapping):
            raise ValidationError(
                f"rates must be a mapping of currency to rate, or columns date/currency/rate; "
                f"got {type(rates).__name__}",
                field="rates",
            )
        if set(rates) == {"date", "currency", "rate"}:
            self._read_table(rates)
        else:
            for key, value in rates.items():
                code = _code(key, "rates: currency")
                self._fixed[code] = _rate(value, f"rates[{show(key)}]")
        for code in (*self._fixed, *self._dated):
            if code == reporting:
                fixed = self._fixed.get(code)
                if fixed is not None and fixed != 1.0:
                    raise ValidationError(
                        f"rates[{code!r}] is {fixed}, but {code} is the reporting currency (rate 1)", field="rates"
                    )

    def _read_table(self, rates: Mapping[str, Any]) -> None:
        columns = []
        for key in ("date", "currency", "rate"):
            column = rates[key]
            if isinstance(column, str | bytes | Mapping) or not isinstance(column, Iterable):
                raise ValidationError(
                    f"rates: column {key!r} must be a list or array with one value per rate, "
                    f"got {type(column).__name__}",
                    field="rates",
                )
            columns.append(list(column))
        dates, codes, values = columns
        if not len(dates) == len(codes) == len(values):
            raise ValidationError("rates: the date, currency and rate columns differ in length", field="rates")
        per: dict[str, dict[np.datetime64, float]] = {}
        for i, (d, c, v) in enumerate(zip(dates, codes, values, strict=True)):
            try:
                day = to_date(d)
            except _Reject as exc:
                raise ValidationError(f"rates row {i}: date ({show(d)}) {exc}", field="rates", row=i) from None
            code = _code(c, f"rates row {i}: currency")
            rate = _rate(v, f"rates row {i}: rate")
            if day in per.setdefault(code, {}):
                raise ValidationError(f"rates row {i}: a second {code} rate for {day}", field="rates", row=i)
            per[code][day] = rate
        for code, by_day in per.items():
            days = np.array(sorted(by_day), dtype="datetime64[D]")
            self._dated[code] = (days, np.array([by_day[d] for d in days], dtype=np.float64))

    @property
    def currencies(self) -> set[str]:
        """Every currency with a rate."""
        return {self.reporting, *self._fixed, *self._dated}

    def lookup(
        self, currencies: np.ndarray, dates: np.ndarray | None, table: str = "", codes: set[str] | None = None
    ) -> np.ndarray:
        """The rate of each row: its currency's rate at its date (or the latest, without dates).

        ``codes`` (optional) are the distinct ``currencies``, when the caller knows them.
        """
        out = np.ones(currencies.size, dtype=np.float64)
        where = f"{table}: " if table else ""
        for code in sorted(distinct(currencies) if codes is None else codes):
            if code == self.reporting:
                continue
            rows = np.flatnonzero(currencies == code)
            if code in self._fixed:
                out[rows] = self._fixed[code]
            elif code in self._dated:
                days, values = self._dated[code]
                if dates is None:
                    out[rows] = values[-1]
                    continue
                pos = np.searchsorted(days, dates[rows], side="right") - 1
                early = pos < 0
                if early.any():
                    first = dates[rows][early].min()
                    raise ValidationError(
                        f"{where}no {code} rate on or before {first} (the first {code} rate is for {days[0]}); "
                        "give rates back to the earliest document date",
                        table=table or None,
                        field="currency",
                        value=code,
                    )
                out[rows] = values[pos]
            else:
                given = ", ".join(sorted(self.currencies - {self.reporting})) or "none"
                raise ValidationError(
                    f"{where}amounts in {code} but no {code} rate to the reporting currency {self.reporting}; "
                    f"rates given for: {given}. Pass rates={{{code!r}: ...}}",
                    table=table or None,
                    field="currency",
                    value=code,
                )
        return out


def _reporting(tables: Mapping[str, Mapping[str, np.ndarray]], currency: str | None) -> str:
    if currency:
        return _code(currency, "currency")
    seen: set[str] = set()
    for name in _DATE_COLUMN:
        seen.update(distinct(tables[name]["currency"]))
    seen.discard("")
    if len(seen) > 1:
        raise ValidationError(
            f"amounts in {len(seen)} currencies ({', '.join(sorted(seen))}) and no reporting currency: "
            "pass currency= (the reporting currency) and rates= (each other currency's rate to it)",
            field="currency",
        )
    return seen.pop() if seen else ""


def convert(tables: dict[str, dict[str, np.ndarray]], currency: str | None, rates: Any) -> str:
    """Convert every amount column of ``tables`` in place to the reporting currency, which it returns.

    ``currency`` is the reporting currency (None: the one currency the data
    names, or ``""`` when it names none).
    """
    if currency is not None and not isinstance(currency, str):
        raise ValidationError(f"currency must be a currency code such as 'EUR', got {show(currency)}", field="currency")
    reporting = _reporting(tables, currency)
    if rates is not None and not isinstance(rates, Mapping):
        Rates(rates, reporting or "")  # raises, saying what rates= accepts
    if not reporting:
        if rates is not None and len(rates):
            raise ValidationError("rates= needs currency= (the reporting currency)", field="rates")
        for name in ("invoices", "payments"):
            t = tables[name]
            t["rate"] = _ones(t["amount"].size)  # one currency: no memory per row
            for col in _schema.AMOUNT_COLUMNS[name]:
                t[f"doc_{col}"] = t[col]
        return ""
    table_rates = Rates(rates, reporting)
    inv = tables["invoices"]
    inv["currency"], _ = _filled(inv["currency"], reporting)
    pay = tables["payments"]
    if pay["currency"].size and "" in distinct(pay["currency"]):
        from_invoice = np.where(pay["invoice"] >= 0, inv["currency"][np.maximum(pay["invoice"], 0)]
                                if inv["currency"].size else reporting, reporting)
        pay["currency"] = np.where(pay["currency"] == "", from_invoice, pay["currency"]).astype(object)
    for name, date_column in _DATE_COLUMN.items():
        t = tables[name]
        t["currency"], seen = _filled(t["currency"], reporting)
        dates = t[date_column] if date_column else None
        # a table all in the reporting currency keeps its amounts (times 1, bit for bit) and its rate is one value
        same = seen <= {reporting}
        rate = _ones(t["currency"].size) if same else table_rates.lookup(t["currency"], dates, name, seen)
        for col in _schema.AMOUNT_COLUMNS[name]:
            if name in ("invoices", "payments"):
                t[f"doc_{col}"] = t[col]
            if same:
                continue
            given = t[col]
            t[col] = given * rate
            _refuse_overflow(name, col, t, given, rate, reporting)
        if name in ("invoices", "payments"):
            t["rate"] = rate
    return reporting


def distinct(codes: np.ndarray) -> set[Any]:
    """The distinct values of an object column: a hash set, no sort of Python objects (one look when the
    column is one value repeated)."""
    if codes.size and codes.strides == (0,):
        return {codes[0]}
    return set(codes.tolist())


def _filled(codes: np.ndarray, reporting: str) -> tuple[np.ndarray, set[str]]:
    """The codes with a missing one (``""``) read as the reporting currency (one value repeated stays so),
    and their distinct values."""
    seen = distinct(codes)
    if "" not in seen:
        return codes, seen
    seen = (seen - {""}) | {reporting}
    if codes.strides == (0,):
        return np.broadcast_to(np.array([reporting], dtype=object), codes.shape), seen
    return np.where(codes == "", reporting, codes).astype(object), seen


def _ones(n: int) -> np.ndarray:
    """A rate of 1 on ``n`` rows, as one value repeated (no memory per row)."""
    return np.broadcast_to(np.float64(1.0), (n,))


def _refuse_overflow(
    table: str, column: str, t: Mapping[str, np.ndarray], given: np.ndarray, rate: np.ndarray, reporting: str
) -> None:
    """A finite amount that its rate takes beyond float64 is an error naming its row."""
    over = np.flatnonzero(np.isinf(t[column]) & np.isfinite(given))
    if not over.size:
        return
    i = int(over[0])
    row = int(t["__row__"][i]) if "__row__" in t else i
    raise ValidationError(
        f"{table} row {row}: field {column!r} ({float(given[i])!r} {t['currency'][i]}) is too large for a number "
        f"once converted to {reporting} at rate {float(rate[i])!r}; expected amounts below about 1.8e308 "
        "in the reporting currency",
        table=table,
        row=row,
        field=column,
        value=float(given[i]),
    )
