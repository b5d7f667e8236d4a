"""The one validated path from raw columns to a Portfolio's numpy tables.

Every constructor (objects, records, frames, CSV, arrays) hands this module a
mapping of column name to array-like per table. Columns are converted with a
vectorized fast path when their element types allow it, and element by element
(to find and name each bad row) otherwise. Rules that span fields or tables
(``due`` before ``issued``, unknown customers, duplicate ids, over-payment)
are checked on whole columns.

A bad row is described by a :class:`Rejection`. With ``errors="raise"`` the
first one becomes a :class:`~riskkit.ValidationError`; with
``errors="collect"`` bad rows are removed, together with the rows that depend
on them (an invoice of a rejected customer, a payment of a rejected invoice),
and every one is reported: nothing is dropped silently.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np

from riskkit import _schema
from riskkit._convert import _Reject, show
from riskkit.errors import SchemaError, ValidationError

Columns = dict[str, np.ndarray]

_NUMERIC_TYPES = (float, int, np.floating, np.integer, type(None))
_MONEY_TOL_REL = 1e-9
_MONEY_TOL_ABS = 1e-6


@attrs.frozen
class Rejection:
    """One input row that was not accepted, and why.

    Attributes
    ----------
    table : str
        Table name (``"invoices"``, ...).
    row : int
        0-based position of the row in the input of that table.
    id : str or None
        The row's own id (customer or invoice id), else its customer id, when known.
    field : str or None
        The offending field, or None for a whole-row reason.
    value : object
        The offending value as given.
    reason : str
        What was wrong and what is accepted.
    """

    table: str
    row: int
    id: str | None
    field: str | None
    value: Any
    reason: str

    def __str__(self) -> str:
        where = f"{self.table} row {self.row}"
        if self.id:
            where += f" (id {self.id!r})"
        if self.field is None:
            return f"{where}: {self.reason}"
        return f"{where}: field {self.field!r} ({show(self.value)}) {self.reason}"


class _Collector:
    """Gathers rejections per table and tracks which rows survive."""

    def __init__(self) -> None:
        self.rejections: list[Rejection] = []

    def reject(
        self,
        table: _schema.Table,
        data: Columns,
        mask: np.ndarray,
        field: str | None,
        reason: str | list[str],
        raw: np.ndarray | None = None,
    ) -> None:
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return
        ident = data.get("id", data.get("customer_id", data.get("invoice_id")))
        values = raw if raw is not None else (data[field] if field is not None else None)
        for k, r in enumerate(rows):
            self.rejections.append(
                Rejection(
                    table=table.name,
                    row=int(data["__row__"][r]),
                    id=str(ident[r]) if ident is not None and ident[r] else None,
                    field=field,
                    value=None if values is None else _scalar(values[r]),
                    reason=reason if isinstance(reason, str) else reason[k],
                )
            )


def _scalar(v: Any) -> Any:
    if isinstance(v, np.datetime64):
        if np.isnat(v):
            return None
        # datetime64[ns].astype(object) is an int; go through microseconds to get a datetime
        unit = np.datetime_data(v.dtype)[0]
        if unit in ("Y", "M", "W"):
            return v  # shown as '2025-01', not as the day it would be truncated to
        return v.astype(object) if unit == "D" else v.astype("datetime64[us]").astype(object)
    if isinstance(v, np.timedelta64):
        return v
    if isinstance(v, np.generic):
        return v.item()
    return v


def _object_array(values: Any, n: int | None = None) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values
    seq = list(values)
    out = np.empty(len(seq), dtype=object)
    out[:] = seq
    return out


# --- column conversion -----------------------------------------------------------


def _convert_slow(column: _schema.Column, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Element-by-element conversion; returns values, a bad-row mask and the reasons."""
    from riskkit.records import _convert_field

    n = raw.size
    out: list[Any] = [None] * n
    bad = np.zeros(n, dtype=bool)
    reasons: list[str] = []
    # tolist() gives Python scalars, but turns datetime64[ns] / timedelta64[ns] into plain ints
    for i, v in enumerate(raw if raw.dtype.kind in "OMm" else raw.tolist()):
        try:
            out[i] = _convert_field(column, v)
        except _Reject as exc:
            bad[i] = True
            reasons.append(str(exc))
            out[i] = None
    return _finish(column, out), bad, reasons


def _finish(column: _schema.Column, values: list[Any]) -> np.ndarray:
    """Turn converted Python values into the column's storage dtype."""
    kind = column.kind
    if kind == "date":
        return np.array([np.datetime64("NaT") if v is None else v for v in values], dtype="datetime64[D]")
    if kind in ("money", "signed", "ratio"):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if kind == "bool":
        return np.array([bool(v) for v in values], dtype=bool)
    return _object_array(["" if v is None else v for v in values])


def _types(raw: np.ndarray) -> set[type]:
    return set(map(type, raw))


def _convert_numeric(column: _schema.Column, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    if raw.dtype.kind in "fiu" or (
        raw.dtype == object
        and all(issubclass(t, _NUMERIC_TYPES) and not issubclass(t, bool | np.timedelta64) for t in _types(raw))
    ):
        values = raw.astype(np.float64)
    else:
        return None
    missing = np.isnan(values)
    bad = np.zeros(values.size, dtype=bool)
    reasons = np.empty(values.size, dtype=object)
    if not column.optional:
        reasons[missing] = "is missing; it is required"  # as the records say it
        bad |= missing
    else:
        values[missing] = column.default
    inf = np.isinf(values)
    reasons[inf] = "is not finite; expected a finite number"
    bad |= inf
    if column.kind == "money":
        neg = values < 0
        reasons[neg] = "is negative; expected a number >= 0"
        bad |= neg
    return values, bad, list(reasons[bad])


def _convert_dates(column: _schema.Column, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    if raw.dtype.kind == "M":
        if np.datetime_data(raw.dtype)[0] in ("Y", "M", "W"):
            return None
        values = raw.astype("datetime64[D]")
        timed = (values != raw) & ~np.isnat(raw)
        if timed.any():
            return None
    elif raw.dtype.kind == "U" or raw.dtype == object:
        types = _types(raw) if raw.dtype == object else {str}
        if types <= {_dt.date, type(None)}:
            values = raw.astype("datetime64[D]")
        elif types <= {str, type(None)}:
            none = raw == None  # noqa: E711 - elementwise
            text = np.where(none, "", raw).astype("U")
            lengths = np.char.str_len(text)
            # "" is not a date (as in the records); only None stands for a missing one
            shaped = none | (
                (lengths == 10) & (np.char.find(text, "-", 4, 5) == 4) & (np.char.find(text, "-", 7, 8) == 7)
            )
            if not shaped.all():
                return None
            try:
                values = text.astype("datetime64[D]")
            except ValueError:
                return None
        else:
            return None
    else:
        return None
    missing = np.isnat(values)
    bad = np.zeros(values.size, dtype=bool)
    if not column.optional:
        bad = missing
    return values, bad, ["is missing; it is required"] * int(bad.sum())


def _convert_text(column: _schema.Column, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    if raw.dtype.kind == "U":
        values = raw.astype(object)
    elif raw.dtype == object and _types(raw) <= {str}:
        values = raw
    else:
        return None
    bad = np.zeros(values.size, dtype=bool)
    reasons: list[str] = []
    if column.kind in ("id", "ref", "invref"):
        text = _unicode(raw)
        if text is None:
            bad = np.array([not v.strip() for v in values.tolist()], dtype=bool)
        elif text.size:
            bad = (np.char.str_len(text) == 0) | np.char.isspace(text)
        reasons = ["is empty; it is required"] * int(bad.sum())
    elif column.kind == "kind":
        from riskkit.records import EventKind

        known = sorted(EventKind.known())
        unknown = ~np.isin(values, np.array(known, dtype=object))
        bad = unknown
        reasons = [f"is not a known event kind; known: {', '.join(known)}"] * int(bad.sum())
    return values, bad, reasons


def _convert_bool(column: _schema.Column, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    if raw.dtype == bool:
        return raw.copy(), np.zeros(raw.size, dtype=bool), []
    return None


_FAST = {
    "money": _convert_numeric,
    "signed": _convert_numeric,
    "ratio": _convert_numeric,
    "date": _convert_dates,
    "id": _convert_text,
    "ref": _convert_text,
    "invref": _convert_text,
    "text": _convert_text,
    "kind": _convert_text,
    "bool": _convert_bool,
}


def convert_column(column: _schema.Column, raw: Any, n: int) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """Convert one input column. Returns (values, bad mask, reasons for bad rows, raw array)."""
    if raw is None:
        arr = np.empty(n, dtype=object)
    else:
        arr = np.asarray(raw) if not isinstance(raw, list | tuple) else _object_array(raw)
    if arr.ndim != 1:
        raise ValidationError(f"column {column.name!r} must be one-dimensional, got shape {arr.shape}", field=column.name)
    if raw is None:
        return (*_absent(column, n), arr)
    result = _FAST[column.kind](column, arr)
    if result is None:
        result = _convert_slow(column, arr)
    return (*result, arr)


def _absent(column: _schema.Column, n: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """An optional column not given: every row takes the default (NaT for dates)."""
    kind = column.kind
    if kind == "date":
        values = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    elif kind in ("money", "signed", "ratio"):
        values = np.full(n, column.default, dtype=np.float64)
    elif kind == "bool":
        values = np.full(n, bool(column.default), dtype=bool)
    else:
        values = np.full(n, "" if column.default is None else column.default, dtype=object)
    bad = np.zeros(n, dtype=bool)
    if not column.optional and n:
        bad[:] = True
        return values, bad, ["is missing; it is required"] * n
    return values, bad, []


# --- tables ----------------------------------------------------------------------


Masks = dict[str, tuple[np.ndarray, list[str]]]


def _read_table(
    table: _schema.Table, data: Mapping[str, Any] | None, unknown_columns: str
) -> tuple[Columns, Columns, Masks]:
    """Check the column set and convert every column. Returns (values, raw inputs, bad masks)."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ValidationError(
            f"{table.name}: expected a mapping of column name to values, got {type(data).__name__}",
            table=table.name,
        )
    names = list(data)
    unknown = [c for c in names if c not in table.names]
    if unknown and unknown_columns == "error":
        raise SchemaError(
            f"{table.name}: unknown column(s) {', '.join(map(repr, unknown))}; accepted columns: "
            f"{', '.join(table.names)} (pass unknown_columns='ignore' to skip extra columns)"
        )
    lengths = {c: len(data[c]) for c in names if c in table.names}
    if data and not lengths:
        raise SchemaError(f"{table.name}: none of the accepted columns given: {', '.join(table.names)}")
    if len(set(lengths.values())) > 1:
        raise ValidationError(
            f"{table.name}: columns have different lengths: "
            + ", ".join(f"{c}={m}" for c, m in lengths.items()),
            table=table.name,
        )
    n = next(iter(lengths.values()), 0)
    if n:
        missing = [c for c in table.required if c not in data]
        if missing:
            raise SchemaError(
                f"{table.name}: missing required column(s) {', '.join(map(repr, missing))}; "
                f"required: {', '.join(table.required)}"
            )
    values: Columns = {}
    raws: Columns = {}
    bad_masks: Masks = {}
    for column in table.columns:
        v, bad, reasons, raw = convert_column(column, data.get(column.name), n)
        values[column.name] = v
        raws[column.name] = raw
        bad_masks[column.name] = (bad, reasons)
    values["__row__"] = np.arange(n, dtype=np.int64)
    values["__bad__"] = np.zeros(n, dtype=bool)
    return values, raws, bad_masks


def _keep(data: Columns, keep: np.ndarray) -> Columns:
    return {k: v[keep] for k, v in data.items() if not k.startswith("__") or k == "__row__"}


def _unicode(values: np.ndarray) -> np.ndarray | None:
    """Text ids as a fixed-width unicode array, so sorting and comparing run in C.

    None when that would not be faithful: numpy's unicode dtype drops trailing NULs.
    """
    if values.dtype.kind == "U":
        return values
    if values.size and "\x00" in "".join(values.tolist()):
        return None
    return values.astype("U") if values.size else np.zeros(0, dtype="U1")


def _intern(keys: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The row of each key in ``ids`` (which are unique), -1 where a key is not among them."""
    keys_u, ids_u = _unicode(keys), _unicode(ids)
    if keys_u is None or ids_u is None:
        index = {k: i for i, k in enumerate(ids.tolist())}
        return np.fromiter((index.get(k, -1) for k in keys.tolist()), dtype=np.int64, count=keys.size)
    if ids_u.size == 0:
        return np.full(keys_u.size, -1, dtype=np.int64)
    order = np.argsort(ids_u, kind="stable")
    pos = np.minimum(np.searchsorted(ids_u[order], keys_u), ids_u.size - 1)
    return np.where(ids_u[order][pos] == keys_u, order[pos], -1).astype(np.int64)


def _duplicates(
    keys: np.ndarray, ok: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, Callable[[np.ndarray], list[str]]]:
    """Mask of good rows whose key appeared on an earlier good row, and a reason maker naming that row.

    ``keys`` is text (ids) or integers (codes); text falls back to a dict when it cannot be sorted as unicode.
    """
    firsts = np.arange(keys.size)
    idx = np.flatnonzero(ok)
    sortable = _unicode(keys) if keys.dtype == object else keys
    if sortable is None:
        first: dict[Any, int] = {}
        for i, k in zip(idx.tolist(), keys[idx].tolist(), strict=True):
            firsts[i] = first.setdefault(k, i)
    elif idx.size:
        # return_index gives the first occurrence of each key (numpy sorts stably for it)
        _, first_pos, inverse = np.unique(sortable[idx], return_index=True, return_inverse=True)
        firsts[idx] = idx[first_pos[inverse.ravel()]]
    bad = firsts != np.arange(keys.size)
    return bad, lambda idx: [f"is a duplicate (first at row {rows[firsts[i]]})" for i in idx]


class Ingest:
    """Builds validated tables; see the module docstring."""

    def __init__(self, errors: str = "raise", unknown_columns: str = "error") -> None:
        if errors not in ("raise", "collect"):
            raise ValidationError(f"errors must be 'raise' or 'collect', got {errors!r}", field="errors")
        if unknown_columns not in ("error", "ignore"):
            raise ValidationError(
                f"unknown_columns must be 'error' or 'ignore', got {unknown_columns!r}", field="unknown_columns"
            )
        self.errors = errors
        self.unknown_columns = unknown_columns
        self.collector = _Collector()

    def _raise_first(self) -> None:
        if self.errors == "raise" and self.collector.rejections:
            rejections = self.collector.rejections
            first = min(rejections, key=lambda r: r.row)
            more = len({r.row for r in rejections if r.table == first.table}) - 1
            suffix = f" (and {more} more bad row(s) in {first.table}; pass errors='collect' to get them all)" if more else ""
            raise ValidationError(
                str(first) + suffix, table=first.table, row=first.row, field=first.field, value=first.value
            )

    def _table(self, table: _schema.Table, data: Mapping[str, Any] | None) -> Columns:
        values, raws, masks = _read_table(table, data, self.unknown_columns)
        for name, (bad, reasons) in masks.items():
            self.collector.reject(table, values, bad, name, reasons, raw=raws[name])
            values["__bad__"] |= bad
        self._raise_first()
        return values

    def _apply(
        self,
        table: _schema.Table,
        data: Columns,
        mask: np.ndarray,
        field: str | None,
        reason: str | Callable[[np.ndarray], list[str]],
    ) -> None:
        """Reject the rows in ``mask`` not rejected yet; ``reason`` may be a function of their indices."""
        mask = mask & ~data["__bad__"]
        if not mask.any():
            return
        reasons = reason if isinstance(reason, str) else reason(np.flatnonzero(mask))
        self.collector.reject(table, data, mask, field, reasons)
        data["__bad__"] |= mask
        self._raise_first()

    def build(self, inputs: Mapping[str, Mapping[str, Any] | None]) -> tuple[dict[str, Columns], list[Rejection]]:
        """Validate every table; returns the clean tables (with integer codes) and the rejections."""
        unknown_tables = set(inputs) - set(_schema.TABLES)
        if unknown_tables:
            raise SchemaError(
                f"unknown table(s) {', '.join(sorted(unknown_tables))}; accepted: {', '.join(_schema.TABLES)}"
            )
        out: dict[str, Columns] = {}

        cust = self._table(_schema.CUSTOMERS, inputs.get("customers"))
        dup, reasons = _duplicates(cust["id"], ~cust["__bad__"], cust["__row__"])
        self._apply(_schema.CUSTOMERS, cust, dup, "id", reasons)
        out["customers"] = customers = _keep(cust, ~cust["__bad__"])
        rejected_customers = {str(k) for k in cust["id"][cust["__bad__"]].tolist()}

        for table in (_schema.EXPOSURES, _schema.INVOICES, _schema.ORDERS, _schema.STATEMENTS, _schema.EVENTS):
            data = self._table(table, inputs.get(table.name))
            data["customer"] = _intern(data["customer_id"], customers["id"])
            self._unknown_refs(table, data, data["customer"], "customer_id", "customer", rejected_customers)
            getattr(self, f"_rules_{table.name}")(table, data)
            out[table.name] = _keep(data, ~data["__bad__"])

        inv_all = out["invoices"]
        pay = self._table(_schema.PAYMENTS, inputs.get("payments"))
        pay["invoice"] = _intern(pay["invoice_id"], inv_all["id"])
        rejected_invoices = set(self._rejected_ids("invoices"))
        self._unknown_refs(_schema.PAYMENTS, pay, pay["invoice"], "invoice_id", "invoice", rejected_invoices)
        self._rules_payments(_schema.PAYMENTS, pay, inv_all)
        out["payments"] = _keep(pay, ~pay["__bad__"])
        for cols in out.values():
            for arr in cols.values():
                arr.setflags(write=False)
        return out, list(self.collector.rejections)

    def _rejected_ids(self, table: str) -> list[str]:
        return [r.id for r in self.collector.rejections if r.table == table and r.id is not None]

    def _unknown_refs(
        self, table: _schema.Table, data: Columns, codes: np.ndarray, field: str, what: str, rejected: set[str]
    ) -> None:
        unknown = (codes < 0) & ~data["__bad__"]
        if not unknown.any():
            return
        article = "an" if what[0] in "aeiou" else "a"

        def reasons(idx: np.ndarray) -> list[str]:
            return [
                f"refers to {article} {what} that was rejected" if str(k) in rejected else f"is not a known {what} id"
                for k in data[field][idx].tolist()
            ]

        self._apply(table, data, unknown, field, reasons)

    # --- per-table rules (whole-column checks) -----------------------------------

    def _rules_exposures(self, table: _schema.Table, data: Columns) -> None:
        dup, reasons = _duplicates(data["customer"], ~data["__bad__"], data["__row__"])
        self._apply(table, data, dup, "customer_id", lambda idx: [r + "; give one exposure row per customer" for r in reasons(idx)])

    def _rules_invoices(self, table: _schema.Table, data: Columns) -> None:
        dup, reasons = _duplicates(data["id"], ~data["__bad__"], data["__row__"])
        self._apply(table, data, dup, "id", reasons)
        issued, due, paid_on = data["issued"], data["due"], data["paid_on"]
        amount, paid = data["amount"], data["paid_amount"]
        before_issued = _before("issued", issued)
        self._apply(table, data, due < issued, "due", before_issued)
        self._apply(table, data, ~np.isnat(paid_on) & (paid_on < issued), "paid_on", before_issued)
        self._apply(table, data, paid > amount, "paid_amount", lambda idx: [f"is above 'amount' ({a})" for a in amount[idx]])
        self._apply(table, data, (paid > 0) & np.isnat(paid_on), "paid_amount", "is set without 'paid_on'")
        self._apply(
            table,
            data,
            ~np.isnat(paid_on) & (paid == 0) & (amount > 0),
            "paid_on",
            "is set but 'paid_amount' is 0; give the amount paid",
        )

    def _rules_orders(self, table: _schema.Table, data: Columns) -> None:
        """Orders have no rules beyond their columns'."""

    def _rules_events(self, table: _schema.Table, data: Columns) -> None:
        """Events have no rules beyond their columns'."""

    def _rules_statements(self, table: _schema.Table, data: Columns) -> None:
        pub, end = data["published"], data["period_end"]
        self._apply(table, data, ~np.isnat(pub) & (pub < end), "published", _before("period_end", end))
        # one integer key per (customer, period_end); codes and days are exact on good rows
        _, day_code = np.unique(end.astype(np.int64), return_inverse=True)
        keys = data["customer"] * (int(day_code.max(initial=0)) + 1) + day_code.ravel()
        dup, reasons = _duplicates(keys, ~data["__bad__"], data["__row__"])
        self._apply(table, data, dup, "period_end", lambda idx: [r + " for this customer and period_end" for r in reasons(idx)])

    def _rules_payments(self, table: _schema.Table, data: Columns, invoices: Columns) -> None:
        if invoices["id"].size == 0:
            return
        codes = np.where(data["__bad__"], 0, data["invoice"])
        issued = invoices["issued"][codes]
        self._apply(table, data, data["date"] < issued, "date", _before("the invoice's issued", issued))
        # cumulative paid per invoice in date order, on top of the invoice's own paid_amount
        idx = np.flatnonzero(~data["__bad__"])
        order = idx[np.lexsort((data["__row__"][idx], data["date"][idx], data["invoice"][idx]))]
        inv = data["invoice"][order]
        amt = data["amount"][order]
        cum = np.cumsum(amt)
        starts = np.r_[True, inv[1:] != inv[:-1]] if inv.size else np.zeros(0, dtype=bool)
        base = np.maximum.accumulate(np.where(starts, cum - amt, 0.0)) if inv.size else cum
        total = cum - base + invoices["paid_amount"][inv]
        limit = invoices["amount"][inv] * (1 + _MONEY_TOL_REL) + _MONEY_TOL_ABS
        over_sorted = total > limit
        if over_sorted.any():
            # Walk only the over-paid invoices row by row: a payment that does not fit is left out
            # of the running total, so a later one that still fits is kept (and not blamed).
            paid_so_far: dict[int, float] = {}
            for k in np.flatnonzero(np.isin(inv, inv[over_sorted])).tolist():
                i = int(inv[k])
                running = paid_so_far.get(i, float(invoices["paid_amount"][i])) + float(amt[k])
                over_sorted[k] = running > limit[k]
                if not over_sorted[k]:
                    paid_so_far[i] = running
        over = np.zeros(codes.size, dtype=bool)
        over[order[over_sorted]] = True
        inv_amount = invoices["amount"][codes]
        self._apply(
            table,
            data,
            over,
            "amount",
            lambda rows: [f"brings the invoice's payments above its amount ({a})" for a in inv_amount[rows]],
        )


def _before(what: str, dates: np.ndarray) -> Callable[[np.ndarray], list[str]]:
    return lambda idx: [f"is before {what!r} ({d})" if " " not in what else f"is before {what} ({d})" for d in dates[idx]]
