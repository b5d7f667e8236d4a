"""The one validated path from raw columns to a Portfolio's numpy tables.

Every constructor (objects, records, frames, CSV, arrays) hands this module a
mapping of column name to array-like per table. Columns are converted with a
vectorized fast path when their element types allow it, and element by element
(to find and name each bad row) otherwise. Rules that span fields or tables
(``due`` before ``issued``, unknown customers, duplicate ids, over-payment)
are checked on whole columns.

Text is handled without a Python object per value where it can be: Arrow
text of a pandas frame is read as fixed-width unicode (:func:`text_from_arrow`),
ids are interned through 64-bit hashes (:func:`text_hash`, an open-addressing
:class:`_HashTable`; the texts decide wherever hashes meet) and a reference to
a customer is stored as the customers' own id objects. A column not given is
one value repeated (a read-only view). Within one :meth:`Ingest.build` each
text column is converted and hashed once.

A bad row is described by a :class:`Rejection`. With ``errors="raise"`` the
first one becomes a :class:`~riskkit.ValidationError`; with
``errors="collect"`` bad rows are removed, together with the rows that depend
on them (an invoice of a rejected customer, a payment of a rejected invoice),
and every one is reported: nothing is dropped silently.
"""

from __future__ import annotations

import datetime as _dt
import math
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from riskkit import _currency, _schema
from riskkit._convert import FIRST_DAY, LAST_DAY, _Reject, show
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
    kept : bool
        True when only the field was left out (blanked) and the row was kept:
        a bad value in a descriptive optional field (name, industry,
        established, ...). False when the whole row was left out.
    """

    table: str
    row: int
    id: str | None
    field: str | None
    value: Any
    reason: str
    kept: bool = False

    def __str__(self) -> str:
        where = f"{self.table} row {self.row}"
        if self.id:
            where += f" (id {self.id!r})"
        suffix = "; the field was left blank and the row kept" if self.kept else ""
        if self.field is None:
            return f"{where}: {self.reason}{suffix}"
        return f"{where}: field {self.field!r} ({show(self.value)}) {self.reason}{suffix}"


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
        kept: bool = False,
    ) -> None:
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return
        # the rejected rows' ids and values (a coded column read through its codes: _at)
        ident = data.get("id")
        if ident is None and "invoice_id" in data and "customer_id" not in data:  # disputes: the invoice
            ident = data["invoice_id"]
        ids = None if ident is None else _at(ident, rows)
        if ident is None and "invoice_id" in data:  # payments and promises: the invoice named, else the customer
            named = _at(data["invoice_id"], rows)
            ids = np.where(named != "", named, _at(data["customer_id"], rows))
        elif ident is None and "customer_id" in data:
            ids = _at(data["customer_id"], rows)
        values = raw if raw is not None else (data[field] if field is not None else None)
        if ids is not None and ids.dtype.kind == "S":  # document numbers kept as ASCII bytes
            ids = text_objects(ids)
        shown = None if values is None else _at(values, rows)
        if (shown is not None and shown.dtype.kind == "S" and field is not None and field in table.names
                and table.column(field).compact):
            shown = text_objects(shown)
        for k, r in enumerate(rows):
            self.rejections.append(
                Rejection(
                    table=table.name,
                    row=int(data["__row__"][r]),
                    id=str(ids[k]) if ids is not None and ids[k] else None,
                    field=field,
                    value=None if shown is None else _scalar(shown[k]),
                    reason=reason if isinstance(reason, str) else reason[k],
                    kept=kept,
                )
            )


def _scalar(v: Any) -> Any:
    if isinstance(v, np.datetime64):
        if np.isnat(v):
            return None
        # datetime64[ns].astype(object) is an int; go through microseconds to get a datetime
        unit = np.datetime_data(v.dtype)[0]
        if unit in ("Y", "M", "W") or not FIRST_DAY <= v.astype("datetime64[D]") <= LAST_DAY:
            return v  # shown as '2025-01' (not the day it would be truncated to), or a day Python cannot hold
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
    if kind in ("money", "signed", "ratio", "amount"):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if kind == "bool":
        return np.array([bool(v) for v in values], dtype=bool)
    return _object_array(["" if v is None else v for v in values])


def _types(raw: np.ndarray) -> set[type]:
    coded = _coded(raw)
    return set(map(type, raw if coded is None else coded[0]))


def _convert_numeric(column: _schema.Column, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    if raw.dtype.kind in "fiu" or (
        raw.dtype == object
        and all(issubclass(t, _NUMERIC_TYPES) and not issubclass(t, bool | np.timedelta64) for t in _types(raw))
    ):
        try:
            values = raw.astype(np.float64, copy=not _owned(raw))
        except (OverflowError, TypeError, ValueError):
            return None  # an int beyond float64 (or an odd subclass): element by element names the rows
    else:
        return None
    missing = np.isnan(values)
    if column.optional:
        values[missing] = column.default
        missing[:] = False
    inf = np.isinf(values)
    # the three faults exclude one another (NaN is neither infinite nor negative; -inf is "not finite")
    neg = (values < 0) & ~inf if column.kind == "money" else np.zeros(values.size, dtype=bool)
    bad = missing | inf | neg
    if not bad.any():
        return values, bad, []
    at = np.flatnonzero(bad)
    reasons = np.where(missing[at], "is missing; it is required",  # as the records say it
                       np.where(inf[at], "is not finite; expected a finite number", "is negative; expected a number >= 0"))
    return values, bad, reasons.tolist()


def _convert_dates(column: _schema.Column, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    if raw.dtype.kind == "M":
        unit, count = np.datetime_data(raw.dtype)
        if unit in ("Y", "M", "W"):
            return None
        values = raw.astype("datetime64[D]", copy=not _owned(raw))
        if unit == "D" and count == 1:
            timed = False
        elif unit in _PER_DAY and _PER_DAY[unit] % count == 0:
            # whole days, on the integers: a time of day leaves a remainder (NaT aside)
            ticks = raw.view(np.int64)
            rest = np.multiply(values.view(np.int64), _PER_DAY[unit] // count)
            np.subtract(ticks, rest, out=rest)
            timed = bool(((rest != 0) & (ticks != _NAT)).any())
            del rest
        else:
            timed = bool(((values != raw) & ~np.isnat(raw)).any())
        if timed or _out_of_range(values):
            return None
    elif raw.dtype.kind == "U" or raw.dtype == object:
        types = _types(raw) if raw.dtype == object else {str}
        if types <= {_dt.date, type(None)}:
            values = raw.astype("datetime64[D]")
        elif types <= {str, type(None)}:
            none = raw == None  # noqa: E711 - elementwise
            text = np.where(none, "", raw).astype("U")
            # Python's lengths: numpy's unicode dtype drops trailing NULs ("2025-01-01\x00" is no date)
            lengths = np.char.str_len(text) if raw.dtype.kind == "U" else np.fromiter(
                (0 if v is None else len(v) for v in raw.tolist()), dtype=np.int64, count=raw.size)
            # "" is not a date (as in the records); only None stands for a missing one
            shaped = none | _iso_shaped(text, lengths)
            if not shaped.all():
                return None
            try:
                values = text.astype("datetime64[D]")
            except ValueError:
                return None
            if _out_of_range(values):
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


def _iso_shaped(text: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` with ASCII digits and a year from 0001, as :func:`riskkit._convert.to_date` reads text.

    numpy alone would also read year 0 and signed years (``+002-01-01``),
    which the element-by-element path refuses.
    """
    shaped = lengths == 10
    if not shaped.any():
        return shaped
    cells = text if shaped.all() and text.dtype == np.dtype("U10") else text[shaped].astype("U10")
    codes = cells.view(np.uint32).reshape(-1, 10)
    ok = (codes[:, 4] == ord("-")) & (codes[:, 7] == ord("-"))
    for part in (codes[:, :4], codes[:, 5:7], codes[:, 8:]):
        ok &= ((part >= ord("0")) & (part <= ord("9"))).all(axis=1)
    ok &= (codes[:, :4] != ord("0")).any(axis=1)  # year 0000
    shaped[np.flatnonzero(shaped)] = ok
    return shaped


def _out_of_range(days: np.ndarray) -> bool:
    """True when a day is outside the years 1 to 9999 (the element-by-element path names it)."""
    d = days.view(np.int64)
    if not d.size:
        return False
    high = int(d.max())
    if high == _NAT:
        return False  # every day missing
    low = int(d.min()) if int(d.min()) != _NAT else int(d[d != _NAT].min())
    return low < _FIRST or high > _LAST


_NAT = np.iinfo(np.int64).min  # NaT as an integer
_FIRST, _LAST = int(FIRST_DAY.astype(np.int64)), int(LAST_DAY.astype(np.int64))
#: Ticks of a datetime64 unit in one day.
_PER_DAY = {"h": 24, "m": 24 * 60, "s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}


def _convert_text(column: _schema.Column, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    # a required customer reference stays as given until it is interned: it is then stored as the
    # customers' own ids (Ingest.build), never as a Python object per row
    # a compact column given as fixed-width text stays so too (Ingest.build packs it: compact_text)
    interned = column.kind == "ref" and not column.optional
    if column.compact and _ascii_text(raw):
        # document numbers read as ASCII bytes (text_from_arrow): checked and kept as they are
        bad = (np.char.str_len(raw) == 0) | np.char.isspace(raw) if raw.size else np.zeros(0, dtype=bool)
        return raw, bad, ["is empty; it is required"] * int(bad.sum())
    if raw.dtype.kind == "U":
        values = raw if interned or column.compact else _remember_unicode(raw.astype(object), raw)
    elif raw.dtype == object and _types(raw) <= {str}:
        values = raw if interned else raw.copy()  # a copy: the tables never share the caller's arrays
    elif column.optional and raw.dtype == object and _types(raw) <= {str, type(None)}:
        values = raw.copy()
        values[values == None] = column.default  # noqa: E711 - elementwise
    else:
        return None
    bad = np.zeros(values.size, dtype=bool)
    reasons: list[str] = []
    if column.kind == "currency":
        return _convert_currency(values)
    if column.optional and column.kind in ("id", "ref", "invref"):
        # an optional reference: blank text is a missing one; test only the non-empty cells
        filled = np.flatnonzero(values != "")
        if filled.size:
            text = _unicode(values[filled])
            blank = np.array([not v.strip() for v in values[filled].tolist()], dtype=bool) if text is None else (
                np.char.isspace(text) if text.size else np.zeros(0, dtype=bool))
            if blank.any():
                values = values.copy()
                values[filled[blank]] = column.default
    elif column.kind in ("id", "ref", "invref") and _coded(raw) is not None:
        categories, codes = _coded(raw)  # type: ignore[misc]
        bad = np.array([not v.strip() for v in categories.tolist()], dtype=bool)[codes]
        reasons = ["is empty; it is required"] * int(bad.sum())
    elif column.kind in ("id", "ref", "invref"):
        text = _unicode(raw)
        if text is None:
            bad = np.array([not v.strip() for v in values.tolist()], dtype=bool)
        elif text.size:
            bad = (np.char.str_len(text) == 0) | np.char.isspace(text)
        reasons = ["is empty; it is required"] * int(bad.sum())
    elif column.kind in ("kind", "invkind"):
        from riskkit.records import EventKind, InvoiceKind

        what = "event" if column.kind == "kind" else "invoice"
        known = sorted((EventKind if column.kind == "kind" else InvoiceKind).known())
        unknown = _currency.distinct(values) - set(known)
        if unknown:
            bad = np.isin(values, np.array(sorted(unknown), dtype=object))
        reasons = [f"is not a known {what} kind; known: {', '.join(known)}"] * int(bad.sum())
    return values, bad, reasons


def _convert_currency(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Currency codes: three ASCII letters, upper-cased; ``""`` (missing) stays."""
    bad = np.zeros(values.size, dtype=bool)
    out = values
    for given in _currency.distinct(values):
        code = given.strip().upper()
        if code == given and (code == "" or (len(code) == 3 and code.isascii() and code.isalpha())):
            continue
        rows = values == given
        if code == "" or (len(code) == 3 and code.isascii() and code.isalpha()):
            out = out.copy() if out is values else out
            out[rows] = code
        else:
            bad |= rows
    return out, bad, ["is not a currency code; expected three letters such as 'EUR'"] * int(bad.sum())


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
    "invkind": _convert_text,
    "currency": _convert_text,
    "amount": _convert_numeric,
    "bool": _convert_bool,
}


def convert_column(column: _schema.Column, raw: Any, n: int) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """Convert one input column. Returns (values, bad mask, reasons for bad rows, raw array)."""
    if raw is None:
        arr = _constant(None, n, object)  # no values given: None on every row
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


_COLUMN_FORMS = "a one-dimensional numpy array, list or tuple with one value per row"


def _as_column(table: str, name: str, values: Any) -> np.ndarray:
    """One input column as a one-dimensional array; anything else is refused naming the table and column.

    Arrays, lists, tuples and array-likes (pandas Series, ``range``, ...)
    are columns. A scalar, text, a mapping, a set (no order), an iterator
    (read once, no length) and ``None`` are not: a column left out is
    written by leaving its key out.
    """
    if isinstance(values, np.ndarray):
        arr = values
    elif isinstance(values, list | tuple):
        arr = _object_array(values)
    elif values is None or isinstance(values, str | bytes | bytearray | Mapping | set | frozenset) or not (
        hasattr(values, "__array__") or isinstance(values, Sequence)
    ):
        hint = (
            "; leave the column out to give no values" if values is None
            else "; materialise it first, e.g. list(...)" if isinstance(values, Iterator)
            else ""
        )
        raise ValidationError(
            f"{table}: column {name!r} must be {_COLUMN_FORMS}, got {type(values).__name__}{hint}",
            table=table,
            field=name,
        )
    else:
        try:
            arr = np.asarray(values)
        except Exception as exc:  # an array-like that numpy cannot read
            raise ValidationError(
                f"{table}: column {name!r} must be {_COLUMN_FORMS}; numpy cannot read the "
                f"{type(values).__name__} given ({type(exc).__name__}: {exc})",
                table=table,
                field=name,
            ) from None
    if arr.ndim != 1:
        raise ValidationError(
            f"{table}: column {name!r} must be {_COLUMN_FORMS}, got shape {arr.shape}", table=table, field=name
        )
    return arr


def _absent(column: _schema.Column, n: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """An optional column not given: every row takes the default (NaT for dates).

    The column is one value repeated (a read-only view of it, as every table
    column is read-only): a million rows of ``""`` cost neither memory nor a
    reference count per row.
    """
    kind = column.kind
    if kind == "date":
        values = _constant(np.datetime64("NaT"), n, "datetime64[D]")
    elif kind in ("money", "signed", "ratio", "amount"):
        values = _constant(column.default, n, np.float64)
    elif kind == "bool":
        values = _constant(bool(column.default), n, bool)
    else:
        values = _constant("" if column.default is None else column.default, n, object)
    bad = np.zeros(n, dtype=bool)
    if not column.optional and n:
        bad[:] = True
        return values, bad, ["is missing; it is required"] * n
    return values, bad, []


def _constant(value: Any, n: int, dtype: Any) -> np.ndarray:
    """``n`` rows of ``value`` as a read-only view of one element (no memory per row)."""
    one = np.empty(1, dtype=dtype)
    one[0] = value
    return np.broadcast_to(one, (n,))


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
    rows_given = data.get("__row__")
    names = [c for c in data if c != "__row__"]
    unknown = [c for c in names if c not in table.names]
    if unknown and unknown_columns == "error":
        raise SchemaError(
            f"{table.name}: unknown column(s) {', '.join(map(repr, unknown))}; accepted columns: "
            f"{', '.join(table.names)} (pass unknown_columns='ignore' to skip extra columns)"
        )
    given = {c: _as_column(table.name, c, data[c]) for c in names if c in table.names}
    lengths = {c: a.size for c, a in given.items()}
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
        v, bad, reasons, raw = convert_column(column, given.get(column.name), n)
        values[column.name] = v
        raws[column.name] = raw
        bad_masks[column.name] = (bad, reasons)
    if rows_given is None:
        values["__row__"] = np.arange(n, dtype=np.int64)
    else:
        try:
            values["__row__"] = np.asarray(rows_given, dtype=np.int64)
        except (TypeError, ValueError, OverflowError):
            raise ValidationError(
                f"{table.name}: __row__ must hold the input row number (an integer) of each row", table=table.name
            ) from None
        if values["__row__"].shape != (n,):
            raise ValidationError(f"{table.name}: __row__ has {values['__row__'].size} values for {n} rows")
    values["__bad__"] = np.zeros(n, dtype=bool)
    return values, raws, bad_masks


def _blank(column: _schema.Column, values: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """``values`` with the ``bad`` rows set to the column's missing value."""
    out = values.copy()
    if column.kind == "date":
        out[bad] = np.datetime64("NaT")
    elif column.kind in ("money", "signed", "ratio", "amount"):
        out[bad] = np.nan
    else:
        out[bad] = column.default
    return out


def _keep(data: Columns, keep: np.ndarray) -> Columns:
    """The rows ``keep`` of every column (the columns themselves when every row is kept: no copy)."""
    everything = bool(keep.all())
    return {k: v if everything else v[keep] for k, v in data.items() if not k.startswith("__") or k == "__row__"}


def _shared_ids(ids: np.ndarray, codes: np.ndarray, given: np.ndarray) -> np.ndarray:
    """A customer reference column as the customers' own id objects (``ids[codes]``), the values given
    where a code is -1 (an unknown id): one Python string per customer, not one per row."""
    out = np.take(ids, codes, mode="clip") if ids.size else np.empty(codes.size, dtype=object)  # -1 gives row 0
    unknown = codes < 0
    if unknown.any():
        out[unknown] = _at(given, np.flatnonzero(unknown)).astype(object)
    return out


_LOCAL = threading.local()


def _unicode(values: np.ndarray) -> np.ndarray | None:
    """Text ids as a fixed-width unicode array, so sorting and comparing run in C.

    None when that would not be faithful: numpy's unicode dtype drops trailing NULs.
    Within one :meth:`Ingest.build` each column is converted once.
    """
    if values.dtype.kind == "U":
        return values
    cache: dict[int, tuple[np.ndarray, np.ndarray | None]] | None = getattr(_LOCAL, "unicode", None)
    if cache is not None:
        hit = cache.get(id(values))
        if hit is not None and hit[0] is values:
            return hit[1]
    if values.size and "\x00" in "".join(values.tolist()):
        out = None
    else:
        out = values.astype("U") if values.size else np.zeros(0, dtype="U1")
    if cache is not None:
        cache[id(values)] = (values, out)
    return out


def coded_text(categories: np.ndarray, codes: np.ndarray, per_row: bool = True) -> np.ndarray | None:
    """A text column given as distinct categories (objects) and a code per row, as ``categories[codes]``,
    its factorisation noted for the build under way: checks and look-ups of the column then run once per
    category, not once per row. None when the column is not that (a missing value, a code of -1; a
    category that is not text; a category twice): the caller reads it value by value.

    A categorical column of a DataFrame and a dictionary-encoded Arrow column arrive so.

    ``per_row=False``, for a required customer reference within a build: the
    per-row objects are not made (a read-only column of ``None`` stands for
    them, costing no memory); the build interns the column through its codes
    and reads the rows it names in a message through them (:func:`_at`).

    Examples
    --------
    >>> coded_text(np.array(["C1", "C2"], dtype=object), np.array([1, 1, 0])).tolist()
    ['C2', 'C2', 'C1']
    >>> coded_text(np.array(["C1"], dtype=object), np.array([0, -1])) is None
    True
    """
    if codes.size and int(codes.min()) < 0:
        return None  # a missing value: the row-by-row path names it
    names = categories.tolist()
    if not all(type(c) is str for c in names) or len(set(names)) != len(names):
        return None  # codes would not decide equality of text
    cache = getattr(_LOCAL, "codes", None)
    if per_row or cache is None:
        values = categories.take(codes)
    else:  # stands for categories[codes], read through them (_at): a row's object is never needed
        values = np.broadcast_to(np.array(None, dtype=object), codes.shape)
    if cache is not None:
        cache[id(values)] = (values, categories, codes)
    return values


def _at(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``values[rows]`` of an input column, read through its categories and codes when it came coded
    (the only way for one coded without per-row objects: :func:`coded_text`)."""
    coded = _coded(values)
    if coded is not None:
        categories, codes = coded
        return categories[codes[rows]]
    return values[rows]


def remember_owned(values: np.ndarray) -> np.ndarray:
    """``values``, noted as an array the build under way may keep as it is: one made for it (by a reader
    of Arrow, say), writable and shared with no caller, so converting it needs no copy."""
    cache = getattr(_LOCAL, "owned", None)
    if cache is not None and values.flags.writeable:
        cache[id(values)] = values
    return values


def remember_ascii(values: np.ndarray) -> np.ndarray:
    """``values`` (fixed-width bytes), noted as ASCII text for the build under way: a compact column read so
    (:func:`text_from_arrow`) is checked and kept as it is, never decoded to unicode."""
    cache = getattr(_LOCAL, "ascii", None)
    if cache is not None:
        cache[id(values)] = values
    return values


def _ascii_text(values: np.ndarray) -> bool:
    cache = getattr(_LOCAL, "ascii", None)
    return values.dtype.kind == "S" and bool(cache) and cache.get(id(values)) is values  # type: ignore[union-attr]


def _owned(values: np.ndarray) -> bool:
    cache = getattr(_LOCAL, "owned", None)
    return bool(cache) and cache.get(id(values)) is values  # type: ignore[union-attr]


def _forget_codes() -> None:
    """Let go of the factorisations noted so far in this build (and of the arrays they hold on to)."""
    cache = getattr(_LOCAL, "codes", None)
    if cache:
        cache.clear()


def _coded(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The (categories, codes) noted by :func:`coded_text` for ``values`` in this build, or None."""
    cache = getattr(_LOCAL, "codes", None)
    hit = cache.get(id(values)) if cache else None
    return (hit[1], hit[2]) if hit is not None and hit[0] is values else None


def _remember_unicode(values: np.ndarray, text: np.ndarray) -> np.ndarray:
    """``values`` (objects), noting ``text`` as their unicode form for :func:`_unicode` within this build."""
    cache = getattr(_LOCAL, "unicode", None)
    if cache is not None:
        cache[id(values)] = (values, text)
    return values


def _increasing(u: np.ndarray) -> bool:
    """Whether the texts are strictly increasing (so distinct and sorted): ids as ERPs number them."""
    cache = getattr(_LOCAL, "increasing", None)
    if cache is not None:
        hit = cache.get(id(u))
        if hit is not None and hit[0] is u:
            return bool(hit[1])
    result = bool(u.size < 2 or (u[1:] > u[:-1]).all())
    if cache is not None:
        cache[id(u)] = (u, result)
    return result


def text_from_arrow(chunked: Any, ascii_bytes: bool = False) -> np.ndarray | None:
    """An Arrow string column as a fixed-width unicode array, without a Python object per value.

    ``ascii_bytes``: within a build, as fixed-width bytes instead (``S``, one
    byte a character, a quarter of the memory), known to the build as ASCII
    text (:func:`remember_ascii`): for a compact column (the invoices'
    document numbers), which the build checks, looks up and keeps so.

    None unless every value is present and ASCII without NULs (the unicode
    dtype is faithful to those); the caller then takes the slow way. Each
    character position is one gather over the column.

    Examples
    --------
    >>> import pyarrow as pa  # doctest: +SKIP
    >>> text_from_arrow(pa.chunked_array([["C1", "C22", ""]]))  # doctest: +SKIP
    array(['C1', 'C22', ''], dtype='<U3')
    """
    if chunked.null_count:
        return None
    # bytes only within a build, which then knows them for text (remember_ascii); U everywhere else
    as_bytes = ascii_bytes and getattr(_LOCAL, "ascii", None) is not None
    pieces = []  # (offsets, bytes) of each non-empty chunk
    for chunk in chunked.chunks:
        name = str(chunk.type)
        if name not in ("string", "large_string", "utf8", "large_utf8"):
            return None
        n = len(chunk)
        if n == 0:
            continue
        buffers = chunk.buffers()
        offsets = np.frombuffer(buffers[1], dtype=np.int64 if name.startswith("large") else np.int32)
        offsets = offsets[chunk.offset: chunk.offset + n + 1].astype(np.int64)
        data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
        text = data[offsets[0]: offsets[-1]]
        if text.size and (int(text.max()) >= 0x80 or not text.all()):
            return None  # beyond ASCII (UTF-8 to decode), or a NUL the unicode dtype would drop at the end
        pieces.append((offsets - offsets[0], text))
    if not pieces:
        return np.zeros(0, dtype="U1")
    width = max(max(int(np.diff(offsets).max()) for offsets, _ in pieces), 1)
    rows = sum(offsets.size - 1 for offsets, _ in pieces)
    out = np.zeros((rows, width), dtype=np.uint8 if as_bytes else np.uint32)  # filled in place
    row = 0
    for offsets, text in pieces:
        n = offsets.size - 1
        chars = out[row: row + n]
        row += n
        if text.size == n * width:
            chars[:] = text.reshape(n, width)  # every text as long as the longest: one copy
            continue
        starts, lengths = offsets[:-1], np.diff(offsets)
        padded = np.zeros(text.size + width, dtype=np.uint8)
        padded[: text.size] = text
        for j in range(width):
            chars[:, j] = np.where(lengths > j, padded[starts + j], 0)
    if as_bytes:
        return remember_ascii(out.view(f"S{width}").reshape(-1))
    return out.view(f"<U{width}").reshape(-1)


def compact_text(u: np.ndarray) -> np.ndarray:
    """A unicode array in a new array of its own: ASCII bytes (one byte a character, not four) when every
    character is ASCII, else a copy. :func:`text_objects` reads either back as Python strings.

    Examples
    --------
    >>> compact_text(np.array(["INV1", "INV22"]))
    array([b'INV1', b'INV22'], dtype='|S5')
    >>> compact_text(np.array(["Köln"])).dtype
    dtype('<U4')
    """
    width = u.dtype.itemsize // 4
    if u.size == 0 or width == 0:
        return u.copy()
    chars = _chars(u)
    if int(chars.max()) >= 0x80:
        return u.copy()
    return chars.astype(np.uint8).view(f"S{width}").reshape(-1)


def _chars(u: np.ndarray) -> np.ndarray:
    """The characters of a non-empty unicode array as a (texts, width) matrix of code points."""
    return np.ascontiguousarray(u).view(np.uint32).reshape(u.size, u.dtype.itemsize // 4)


def text_objects(text: np.ndarray) -> np.ndarray:
    """The Python strings of a :func:`compact_text` array (or of any part of one), as an object array.

    Examples
    --------
    >>> text_objects(compact_text(np.array(["INV1", "INV22"]))).tolist()
    ['INV1', 'INV22']
    """
    if text.dtype.kind == "S" and text.size:
        width = text.dtype.itemsize
        text = np.ascontiguousarray(text).view(np.uint8).reshape(text.size, width).astype(np.uint32).view(
            f"<U{width}").reshape(text.shape)
    return text.astype(object)


def text_hash(u: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each text of a unicode (or ASCII bytes) array, the same whatever the array's width.

    Equal texts hash equal; different texts almost never do (callers check the
    texts where hashes meet). Each pair of characters ``k`` is multiplied by
    its own odd constant and the products added: the padding NULs past a
    text's end add nothing, so widths do not matter. Two passes per pair.

    Examples
    --------
    >>> a, b = np.array(["C1", "C22"]), np.array(["C1", "C1", "C2"], dtype="U11")
    >>> bool(text_hash(a)[0] == text_hash(b)[1]), bool(text_hash(a)[1] == text_hash(b)[2])
    (True, False)
    >>> bool(text_hash(np.array([b"C1"]))[0] == text_hash(np.array([b"C1"], dtype="S9"))[0])
    True
    """
    n = u.size
    h = np.zeros(n, dtype=np.uint64)
    if n == 0 or u.dtype.itemsize == 0:
        return h
    if u.dtype.kind == "S":  # ASCII bytes (a compact column): eight characters a word
        size = -(-u.dtype.itemsize // 8) * 8
        u = np.ascontiguousarray(u if size == u.dtype.itemsize else u.astype(f"S{size}"))
        pairs = size // 8
    else:
        width = u.dtype.itemsize // 4
        # an odd width: one more (NUL) character, so that characters pair up
        u = np.ascontiguousarray(u if width % 2 == 0 else u.astype(f"U{width + 1}"))
        pairs = (width + 1) // 2
    words = u.view(np.uint64).reshape(n, pairs)
    product = np.empty(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(pairs):
            np.multiply(words[:, k], _HASH_FACTORS[k % _HASH_FACTORS.size], out=product)
            h += product
    return h


#: Odd 64-bit constants, one per pair of characters (reused cyclically beyond 64 pairs).
_HASH_FACTORS = np.random.default_rng(20240514).integers(0, 2**63, 64, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


class _Index:
    """A lookup of unique text ids, for interning many key columns against them.

    Keys are found through a hash table of the ids' 64-bit hashes, built
    once (the texts decide where hashes meet). Ids in increasing order (as
    ERPs number them) are binary-searched as they are when the keys are too
    few to pay for the table: a search costs a cache miss per step (about 0.7
    s for a million keys among a million ids, against 0.1 s through the
    table and 0.14 s to build it), so the table is built once the keys number
    more than ``4 * ids / log2(ids)``, and used from then on.
    """

    def __init__(self, ids: np.ndarray) -> None:
        self.size = ids.size
        # ids as ASCII bytes (a compact column) are looked up as bytes: the keys are encoded to meet them
        self._bytes = ids.dtype.kind == "S"
        self._u = ids if self._bytes else _unicode(ids)
        self._dict: dict[Any, int] | None = None
        self._hashed: _HashTable | None = None
        if self._u is None:
            self._dict = {k: i for i, k in enumerate(ids.tolist())}
        self._increasing = self._u is not None and _increasing(self._u)

    def _table(self) -> _HashTable | None:
        """The ids' hash table (built on first use); None when two ids share a hash."""
        if self._hashed is None:
            self._hashed = _HashTable(text_hash(self._u))  # type: ignore[arg-type]
        return self._hashed if self._hashed.ok else None

    def find(self, keys: np.ndarray) -> np.ndarray:
        """The row of each key, -1 where a key is not among the ids (a long key column a chunk at a time,
        so that its working arrays stay small)."""
        coded = _coded(keys)
        if coded is not None:
            return self.find(coded[0])[coded[1]]  # each category once
        if self._u is not None and self._hashed is None and self._increasing and (
            keys.size * math.log2(self.size + 1) > 4 * self.size
        ):
            self._table()  # enough keys to pay for the hash table (see the class's notes)
        if keys.size <= _CHUNK:
            return self._find(keys)
        out = np.empty(keys.size, dtype=np.int64)
        for start in range(0, keys.size, _CHUNK):
            out[start: start + _CHUNK] = self._find(keys[start: start + _CHUNK])
        return out

    def _find(self, keys: np.ndarray) -> np.ndarray:
        keys_u = _unicode(keys) if self._dict is None else None
        if self._dict is not None or keys_u is None:
            index = self._dict if self._dict is not None else dict(
                zip(text_objects(self._u).tolist(), range(self.size), strict=True)  # type: ignore[arg-type]
            )
            return np.fromiter((index.get(k, -1) for k in keys.tolist()), dtype=np.int64, count=keys.size)
        u = self._u
        assert u is not None
        if self.size == 0:
            return np.full(keys_u.size, -1, dtype=np.int64)
        if self._bytes:
            keys_u, beyond = _ascii_bytes(keys_u)
            if beyond.any():  # a key beyond ASCII is none of the ids
                found = self._find_text(u, keys_u)
                found[beyond] = -1
                return found
        return self._find_text(u, keys_u)

    def _find_text(self, u: np.ndarray, keys_u: np.ndarray) -> np.ndarray:
        if not self._increasing or self._hashed is not None:
            table = self._table()
            if table is not None:
                row = table.find(text_hash(keys_u))
                found = row >= 0
                # the text itself decides
                return np.where(found & (u[np.maximum(row, 0)] == keys_u), row, -1).astype(np.int64)
        if self._increasing:
            pos = np.minimum(np.searchsorted(u, keys_u), self.size - 1)
            return np.where(u[pos] == keys_u, pos, -1).astype(np.int64)
        order = np.argsort(u, kind="stable")
        pos = np.minimum(np.searchsorted(u[order], keys_u), self.size - 1)
        return np.where(u[order][pos] == keys_u, order[pos], -1).astype(np.int64)


def _ascii_bytes(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unicode texts as fixed-width bytes, and a mask of the texts beyond ASCII (their bytes are not theirs)."""
    width = u.dtype.itemsize // 4
    if u.size == 0 or width == 0:
        return np.zeros(u.size, dtype="S1"), np.zeros(u.size, dtype=bool)
    chars = _chars(u)
    beyond = np.asarray((chars >= 0x80).any(axis=1))
    return chars.astype(np.uint8).view(f"S{width}").reshape(-1), beyond  # as compact_text, row by row


class _HashTable:
    """An open-addressing hash table of distinct 64-bit hashes, built and probed in whole-array steps.

    ``find`` gives, for each hash, the position of the equal one among those
    the table was built with, or -1. Twice as many slots as hashes keep the
    probe sequences short: a million look-ups cost a few gathers, where a
    binary search of each in a sorted array costs a cache miss per step.

    Examples
    --------
    >>> t = _HashTable(np.array([7, 99, 12345], dtype=np.uint64))
    >>> t.ok, t.find(np.array([12345, 8, 7], dtype=np.uint64)).tolist()
    (True, [2, -1, 0])
    """

    def __init__(self, hashes: np.ndarray) -> None:
        n = hashes.size
        size = 1 << max(4, int(2 * n).bit_length())
        self._mask = np.uint64(size - 1)
        self._hashes = np.zeros(size, dtype=np.uint64)
        self._rows = np.full(size, -1, dtype=np.int64)
        self.ok = True
        pending = np.arange(n)
        slot = self._slot(hashes)
        while pending.size:
            want = slot[pending]
            free = self._rows[want] < 0
            if not free.all():
                taken = pending[~free]
                # a slot held by the same hash: two equal hashes (distinct texts sharing one)
                if bool((self._hashes[want[~free]] == hashes[taken]).any()):
                    self.ok = False
                    return
            claim, at = pending[free], want[free]
            self._rows[at] = claim  # several claiming one slot: one of them gets it
            won = self._rows[at] == claim
            self._hashes[at[won]] = hashes[claim[won]]
            if not won.all() and bool((self._hashes[at[~won]] == hashes[claim[~won]]).any()):
                self.ok = False  # two equal hashes claimed one slot together
                return
            placed = np.zeros(n, dtype=bool)
            placed[claim[won]] = True
            pending = pending[~placed[pending]]
            slot[pending] = (slot[pending] + np.uint64(1)) & self._mask

    def _slot(self, hashes: np.ndarray) -> np.ndarray:
        # mixed, so that every bit of the hash picks the slot
        h = hashes ^ (hashes >> np.uint64(31))
        with np.errstate(over="ignore"):
            h = h * np.uint64(0x9E3779B97F4A7C15)
        return (h >> np.uint64(20)) & self._mask

    def find(self, hashes: np.ndarray) -> np.ndarray:
        """Position of each hash among the table's, -1 where it is not one of them."""
        slot = self._slot(hashes)
        row = self._rows[slot]
        same = self._hashes[slot] == hashes
        out = np.where(same, row, -1)  # an empty slot holds hash 0 and row -1
        pending = np.flatnonzero(~same & (row >= 0))  # another hash in the slot: try the next ones
        slot = slot[pending]
        while pending.size:
            slot = (slot + np.uint64(1)) & self._mask
            row = self._rows[slot]
            same = self._hashes[slot] == hashes[pending]
            out[pending[same]] = row[same]
            go_on = ~same & (row >= 0)
            pending, slot = pending[go_on], slot[go_on]
        return out


#: Rows of a key column looked up at a time.
_CHUNK = 1 << 20


def _hash_order(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stable order of the texts by :func:`text_hash`, and the sorted hashes; kept within a build."""
    cache = getattr(_LOCAL, "hash_order", None)
    if cache is not None:
        hit = cache.get(id(u))
        if hit is not None and hit[0] is u:
            return hit[1]
    h = text_hash(u)
    order = np.argsort(h, kind="stable")
    result = (order, h[order])
    if cache is not None:
        cache[id(u)] = (u, result)
    return result


def _intern(keys: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The row of each key in ``ids`` (which are unique), -1 where a key is not among them."""
    return _Index(ids).find(keys)


def _duplicates(
    keys: np.ndarray, ok: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, Callable[[np.ndarray], list[str]]]:
    """Mask of good rows whose key appeared on an earlier good row, and a reason maker naming that row.

    ``keys`` is text (ids) or integers (codes); text falls back to a dict when it cannot be sorted as unicode.
    """
    idx = np.flatnonzero(ok)
    coded = _coded(keys) if keys.dtype == object else None
    sortable = coded[1] if coded is not None else _unicode(keys) if keys.dtype == object else keys
    if sortable is not None and sortable.dtype.kind in "US" and idx.size == keys.size and _increasing(sortable):
        return np.zeros(keys.size, dtype=bool), lambda idx: []  # ids in increasing order are distinct
    firsts = np.arange(keys.size)
    if sortable is None:
        first: dict[Any, int] = {}
        for i, k in zip(idx.tolist(), keys[idx].tolist(), strict=True):
            firsts[i] = first.setdefault(k, i)
    elif idx.size:
        firsts[idx] = idx[_first_of_equal(sortable[idx] if idx.size < keys.size else sortable)]
    bad = firsts != np.arange(keys.size)
    return bad, lambda idx: [f"is a duplicate (first at row {rows[firsts[i]]})" for i in idx]


def _first_of_equal(keys: np.ndarray) -> np.ndarray:
    """For each key, the position of the first equal key (``np.unique``'s ``return_index`` of its value).

    Text is compared through its hash, sorted as integers, and checked where
    hashes meet; integers are sorted as they are.
    """
    if keys.dtype.kind in "US":
        if _increasing(keys):
            return np.arange(keys.size)  # ids in increasing order are distinct
        order, sorted_h = _hash_order(keys)
        meet = sorted_h[1:] == sorted_h[:-1]
        if meet.any():
            at = np.flatnonzero(meet)
            if not bool((keys[order[at]] == keys[order[at + 1]]).all()):  # two texts share a hash
                _, first_pos, inverse = np.unique(keys, return_index=True, return_inverse=True)
                return first_pos[inverse.ravel()]
        same = np.r_[False, meet]
    else:
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        same = np.r_[False, sorted_keys[1:] == sorted_keys[:-1]]
    # sorted stably, the first of each run of equal keys is the first of them in the input
    k = np.arange(keys.size)
    first = order[np.maximum.accumulate(np.where(same, 0, k))]
    out = np.empty(keys.size, dtype=np.int64)
    out[order] = first
    return out


#: The order in which :meth:`Ingest.build` reads its tables (a reader may read the next one ahead).
READ_ORDER = ("customers", "exposures", "invoices", "orders", "statements", "events", "insurance", "payments",
              "promises", "disputes")


class Ingest:
    """Builds validated tables; see the module docstring."""

    def __init__(
        self,
        errors: str = "raise",
        unknown_columns: str = "error",
        currency: str | None = None,
        rates: Any = None,
        tolerance: float = 1.0,
    ) -> None:
        if errors not in ("raise", "collect"):
            raise ValidationError(f"errors must be 'raise' or 'collect', got {show(errors)}", field="errors")
        if unknown_columns not in ("error", "ignore"):
            raise ValidationError(
                f"unknown_columns must be 'error' or 'ignore', got {show(unknown_columns)}", field="unknown_columns"
            )
        self.errors = errors
        self.unknown_columns = unknown_columns
        self.collector = _Collector()
        self.currency = "" if currency is None else currency
        self.rates = rates
        try:
            finite = 0 <= float(tolerance) < float("inf")
        except (TypeError, ValueError, OverflowError):
            finite = False
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float | np.integer | np.floating) or not finite:
            raise ValidationError(
                f"tolerance must be a finite number >= 0 (document currency), got {show(tolerance)}", field="tolerance"
            )
        self.tolerance = float(tolerance)
        self.problems: dict[str, list[tuple[int, str]]] = {}
        self._absent: set[str] = set()  # the columns not given of the table being read
        self._customer_ids = np.zeros(0, dtype=object)  # the kept customers' ids, once read

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
        self._absent = {c.name for c in table.columns if data is None or c.name not in data}
        for row, reason in self.problems.get(table.name, ()):
            self.collector.rejections.append(Rejection(table.name, int(row), None, None, None, str(reason)))
        for name, (bad, reasons) in masks.items():
            column = table.column(name)
            if column.blankable and self.errors == "collect" and bad.any():
                # a descriptive field: leave it blank, list it, keep the row
                self.collector.reject(table, values, bad, name, reasons, raw=raws[name], kept=True)
                values[name] = _blank(column, values[name], bad)
                continue
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

    def build(
        self,
        inputs: Mapping[str, Mapping[str, Any] | None],
        problems: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Columns], list[Rejection]]:
        """Validate every table; returns the clean tables (with integer codes) and the rejections."""
        # each text column is converted to unicode, and hashed, once within the build
        names = ("unicode", "hash_order", "increasing", "codes", "owned", "ascii")
        saved = [getattr(_LOCAL, name, None) for name in names]
        for name in names:
            setattr(_LOCAL, name, {})
        try:
            return self._build(inputs, problems)
        finally:
            for name, value in zip(names, saved, strict=True):
                setattr(_LOCAL, name, value)

    def _build(
        self,
        inputs: Mapping[str, Mapping[str, Any] | None],
        problems: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Columns], list[Rejection]]:
        self.problems = {name: list(rows) for name, rows in (problems or {}).items()}
        unknown_tables = set(inputs) - set(_schema.TABLES)
        if unknown_tables:
            raise SchemaError(
                f"unknown table(s) {', '.join(sorted(unknown_tables))}; accepted: {', '.join(_schema.TABLES)}"
            )
        out: dict[str, Columns] = {}

        cust = self._table(_schema.CUSTOMERS, inputs.get("customers"))
        dup, reasons = _duplicates(cust["id"], ~cust["__bad__"], cust["__row__"])
        self._apply(_schema.CUSTOMERS, cust, dup, "id", reasons)
        if (cust["parent_id"] != "").any() or "group_limit" not in self._absent:
            self._rules_parents(_schema.CUSTOMERS, cust)
        out["customers"] = customers = _keep(cust, ~cust["__bad__"])
        rejected_customers = {str(k) for k in cust["id"][cust["__bad__"]].tolist()}

        customer_index = _Index(customers["id"])
        self._customer_ids = customers["id"]
        for table in (_schema.EXPOSURES, _schema.INVOICES, _schema.ORDERS, _schema.STATEMENTS, _schema.EVENTS,
                      _schema.INSURANCE):
            data = self._table(table, inputs.get(table.name))
            data["customer"] = customer_index.find(data["customer_id"])
            self._unknown_refs(table, data, data["customer"], "customer_id", "customer", rejected_customers)
            getattr(self, f"_rules_{table.name}")(table, data)
            # every row kept names a customer of the book: its customer_id is that customer's own id, which
            # the Portfolio reads through the code when asked (one string per customer, no column per row)
            del data["customer_id"]
            out[table.name] = _keep(data, ~data["__bad__"])
            _forget_codes()  # the given references are interned: their codes (and arrays) may go

        inv_all = out["invoices"]
        index = _Index(inv_all["id"])
        if (inv_all["applies_to"] != "").any():
            inv_all["__bad__"] = np.zeros(inv_all["id"].size, dtype=bool)
            self._rules_applies_to(_schema.INVOICES, inv_all, index)
            if inv_all["__bad__"].any():
                out["invoices"] = inv_all = _keep(inv_all, ~inv_all["__bad__"])
                index = _Index(inv_all["id"])
        applies = inv_all["applies_to"] != ""
        if applies.any():
            inv_all["applies"] = np.full(applies.size, -1, dtype=np.int64)
            inv_all["applies"][applies] = index.find(inv_all["applies_to"][applies])
        else:
            inv_all["applies"] = _constant(-1, applies.size, np.int64)  # no credit note names an invoice
        pay = self._table(_schema.PAYMENTS, inputs.get("payments"))
        self._rules_payments(_schema.PAYMENTS, pay, inv_all, index, customer_index, rejected_customers)
        out["payments"] = _keep(pay, ~pay["__bad__"])
        self._promises_and_disputes(inputs, out, customer_index, rejected_customers, index)
        self._all_rejected(inputs, out)
        self.currency = _currency.convert(out, self.currency or None, self.rates)
        for table in _schema.TABLES.values():
            for column in table.columns:
                if column.compact and out[table.name][column.name].dtype.kind == "U":
                    out[table.name][column.name] = compact_text(out[table.name][column.name])
        for cols in out.values():
            for arr in cols.values():
                arr.setflags(write=False)
        return out, list(self.collector.rejections)

    def _all_rejected(self, inputs: Mapping[str, Any], out: dict[str, Columns]) -> None:
        """A load that lost every customer or every invoice is an error, never a partial success."""
        for name in ("customers", "invoices"):
            lost = [r for r in self.collector.rejections if r.table == name and not r.kept]
            if not lost or out[name]["__row__"].size:
                continue
            reasons = Counter(
                (r.field, r.reason.split(";")[0]) for r in lost
            ).most_common(1)[0]
            (field, reason), count = reasons
            where = f"field {field!r} " if field else ""
            raise ValidationError(
                f"every row of {name} was rejected ({len(lost)} rows); most common reason ({count} rows): "
                f"{where}{reason}. First: {lost[0]}",
                table=name,
                field=field,
            )

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
                for k in _at(data[field], idx).tolist()
            ]

        self._apply(table, data, unknown, field, reasons)

    # --- per-table rules (whole-column checks) -----------------------------------

    def _rules_parents(self, table: _schema.Table, cust: Columns) -> None:
        """Corporate groups (docs/domain.md, *Corporate groups*): a parent is a customer of this book, no
        chain of parents loops, and a group limit is given on a top parent only.

        A customer whose parent is rejected goes with it (its group would be another one without it).
        """
        from riskkit.groups import chains

        has = cust["parent_id"] != ""
        self._apply(table, cust, has & ~np.isnan(cust["group_limit"]), "group_limit",
                    "is set on a customer with a parent; give the group limit on the group's top parent only")
        ids = cust["id"]
        while has.any():
            rows = np.flatnonzero(~cust["__bad__"])
            found = _Index(ids[rows]).find(cust["parent_id"][has])
            parent = np.full(ids.size, -1, dtype=np.int64)
            parent[has] = np.where(found >= 0, rows[np.maximum(found, 0)], -2)
            unknown = has & (parent == -2) & ~cust["__bad__"]
            if unknown.any():
                rejected = {str(k) for k in ids[cust["__bad__"]].tolist()}

                def missing(idx: np.ndarray, rejected: set[str] = rejected) -> list[str]:
                    return ["refers to a customer that was rejected" if str(k) in rejected
                            else "is not a known customer id; give the id of a customer of this book, or leave it "
                            "empty" for k in cust["parent_id"][idx].tolist()]

                self._apply(table, cust, unknown, "parent_id", missing)
                continue
            parent[cust["__bad__"]] = -1
            _, cyclic = chains(parent)

            def loop(idx: np.ndarray, parent: np.ndarray = parent) -> list[str]:
                out = []
                for i in idx.tolist():
                    path, seen = [i], {i}
                    while parent[path[-1]] not in seen and len(path) < 10:
                        seen.add(int(parent[path[-1]]))
                        path.append(int(parent[path[-1]]))
                    path.append(int(parent[path[-1]]))
                    chain = " -> ".join(repr(str(ids[k])) for k in path)
                    more = "" if path[-1] in path[:-1] else " -> ..."
                    out.append(f"makes a cycle of parents ({chain}{more}); a group's chain must end at a customer "
                               "without a parent")
                return out

            self._apply(table, cust, cyclic & ~cust["__bad__"], "parent_id", loop)
            break

    def _rules_exposures(self, table: _schema.Table, data: Columns) -> None:
        dup, reasons = _duplicates(data["customer"], ~data["__bad__"], data["__row__"])
        self._apply(table, data, dup, "customer_id", lambda idx: [r + "; give one exposure row per customer" for r in reasons(idx)])

    def _rules_invoices(self, table: _schema.Table, data: Columns) -> None:
        from riskkit.records import InvoiceKind

        dup, reasons = _duplicates(data["id"], ~data["__bad__"], data["__row__"])
        self._apply(table, data, dup, "id", reasons)
        # a credit by any marker (negative amount, credit kind, credit indicator) is one credit
        kind = data["kind"]
        credit_kind = np.zeros(kind.size, dtype=bool)
        # a kind column not given holds the default kind only (no credit kind): nothing to look for
        for k in () if "kind" in self._absent else _currency.distinct(kind) & set(InvoiceKind.credit_kinds()):
            credit_kind |= kind == k
        credit = (data["amount"] < 0) | credit_kind | data["credit"]
        any_credit = bool(credit.any())
        magnitude = np.abs(data["amount"])
        data["amount"] = np.where(credit, -magnitude, magnitude) if any_credit else magnitude
        data["credit"] = credit
        relabel = credit & ~credit_kind
        if relabel.any():
            data["kind"] = np.where(relabel, InvoiceKind.CREDIT_NOTE, kind).astype(object)
        residual = data["residual"]
        if any_credit:
            data["residual"] = np.where(credit, -np.abs(residual), np.abs(residual))
        elif "residual" not in self._absent:  # not given: NaN on every row as it is
            data["residual"] = np.abs(residual)
        issued, paid_on = data["issued"], data["paid_on"]
        due = np.where(credit & np.isnat(data["due"]), issued, data["due"]) if any_credit else data["due"]
        data["due"] = due
        amount, paid = magnitude, data["paid_amount"]
        self._apply(table, data, np.isnat(due), "due", "is missing; it is required for an invoice")
        self._apply(table, data, ~credit & (due < issued), "due", _before("issued", issued))
        self._apply(table, data, (paid > 0) & np.isnat(paid_on), "paid_amount", "is set without 'paid_on'")
        self._apply(
            table,
            data,
            ~np.isnat(paid_on) & (paid == 0) & (amount > 0),
            "paid_on",
            "is set but 'paid_amount' is 0; give the amount paid",
        )
        if "residual" in self._absent:
            return  # NaN on every row: none above the amount (and two document-long arrays not made)
        self._apply(
            table,
            data,
            np.abs(data["residual"]) > amount + self.tolerance,
            "residual",
            lambda idx: [f"is above the document's amount ({a}) by more than the tolerance" for a in amount[idx]],
        )

    def _rules_applies_to(self, table: _schema.Table, data: Columns, index: _Index) -> None:
        """A credit note may name the invoice it corrects: an invoice of the same customer in this table.

        Runs on the invoices that passed every other rule; a credit note
        whose invoice was rejected goes with it.
        """
        applies = data["applies_to"] != ""
        credit = data["credit"]
        self._apply(table, data, applies & ~credit, "applies_to",
                    "is set on an invoice; only a credit note applies to an invoice")
        target = np.full(applies.size, -1, dtype=np.int64)
        target[applies] = index.find(data["applies_to"][applies])
        rejected = set(self._rejected_ids("invoices"))
        self._apply(
            table,
            data,
            applies & (target < 0),
            "applies_to",
            lambda idx: [
                "refers to an invoice that was rejected" if str(k) in rejected else "is not a known invoice id"
                for k in data["applies_to"][idx].tolist()
            ],
        )
        t = np.maximum(target, 0)
        self._apply(table, data, applies & (target >= 0) & credit[t], "applies_to",
                    "refers to a credit note; a credit note applies to an invoice")
        self._apply(
            table,
            data,
            applies & (target >= 0) & (data["customer"][t] != data["customer"]),
            "applies_to",
            lambda idx: [f"refers to an invoice of another customer ({c!r})"
                         for c in self._customer_ids[data["customer"][t[idx]]]],
        )

    def _rules_orders(self, table: _schema.Table, data: Columns) -> None:
        """Orders have no rules beyond their columns'."""

    def _rules_events(self, table: _schema.Table, data: Columns) -> None:
        """Events have no rules beyond their columns'."""

    def _rules_insurance(self, table: _schema.Table, data: Columns) -> None:
        """Credit-insurance decisions (docs/domain.md, *Credit insurance*): a known status, an amount except
        on a cancellation (which has none, or 0), an indemnity in (0, 1], one decision per customer and date."""
        status, amount, indemnity = data["status"], data["amount"], data["indemnity"]
        accepted = ", ".join(_schema.INSURANCE_STATUSES)
        self._apply(table, data, ~np.isin(status, np.array(_schema.INSURANCE_STATUSES, dtype=object)), "status",
                    f"is not a known insurance status; accepted: {accepted}")
        cancelled = status == "cancelled"
        self._apply(table, data, ~cancelled & np.isnan(amount), "amount",
                    "is missing; it is required for a requested, granted or reduced limit")
        self._apply(table, data, cancelled & (amount > 0), "amount",
                    "is set on a cancellation; a cancelled limit is 0 (leave it empty or give 0)")
        self._apply(table, data, ~np.isnan(indemnity) & ~((indemnity > 0) & (indemnity <= 1)), "indemnity",
                    "is not a share in (0, 1] (e.g. 0.9 for 90%); leave it empty for the default")
        _, day_code = np.unique(data["date"].astype(np.int64), return_inverse=True)
        keys = data["customer"] * (int(day_code.max(initial=0)) + 1) + day_code.ravel()
        dup, reasons = _duplicates(keys, ~data["__bad__"], data["__row__"])
        self._apply(table, data, dup, "date", lambda idx: [r + "; give one decision per customer and date"
                                                           for r in reasons(idx)])

    def _rules_statements(self, table: _schema.Table, data: Columns) -> None:
        pub, end = data["published"], data["period_end"]
        self._apply(table, data, ~np.isnat(pub) & (pub < end), "published", _before("period_end", end))
        # one integer key per (customer, period_end); codes and days are exact on good rows
        _, day_code = np.unique(end.astype(np.int64), return_inverse=True)
        keys = data["customer"] * (int(day_code.max(initial=0)) + 1) + day_code.ravel()
        dup, reasons = _duplicates(keys, ~data["__bad__"], data["__row__"])
        self._apply(table, data, dup, "period_end", lambda idx: [r + " for this customer and period_end" for r in reasons(idx)])

    def _rules_payments(
        self,
        table: _schema.Table,
        data: Columns,
        invoices: Columns,
        index: _Index,
        customer_index: _Index,
        rejected_customers: set[str],
    ) -> None:
        """Resolve each payment's document and customer.

        A payment names its document (``invoice_id``), or only its customer
        (``customer_id``): cash on account. When it names both they must agree.
        Amounts are not checked against the document: a down payment may come
        before it and an overpayment may exceed it (docs/domain.md, open items).
        """
        has_invoice = data["invoice_id"] != ""
        has_customer = data["customer_id"] != ""
        data["invoice"] = np.full(has_invoice.size, -1, dtype=np.int64)
        data["invoice"][has_invoice] = index.find(data["invoice_id"][has_invoice])
        data["customer"] = np.full(has_customer.size, -1, dtype=np.int64)
        data["customer"][has_customer] = customer_index.find(data["customer_id"][has_customer])
        self._apply(table, data, ~has_invoice & ~has_customer, "invoice_id",
                    "is missing; give invoice_id, or customer_id for cash on account")
        rejected_invoices = set(self._rejected_ids("invoices"))
        self._unknown_refs(table, data, np.where(has_invoice, data["invoice"], 0), "invoice_id", "invoice",
                           rejected_invoices)
        self._unknown_refs(table, data, np.where(has_customer, data["customer"], 0), "customer_id", "customer",
                           rejected_customers)
        inv = np.maximum(data["invoice"], 0)
        if invoices["id"].size:
            owner = invoices["customer"][inv]
            self._apply(
                table,
                data,
                has_invoice & has_customer & (owner != data["customer"]),
                "customer_id",
                lambda idx: [f"differs from the invoice's customer ({self._customer_ids[invoices['customer'][inv[i]]]!r})" for i in idx],
            )
            self._apply(
                table,
                data,
                has_invoice & (invoices["applies"][inv] >= 0),
                "invoice_id",
                "refers to a credit note applied to an invoice; a refund must name a credit note on account",
            )
            data["customer"] = np.where(has_invoice, owner, data["customer"])
            data["customer_id"] = np.where(has_invoice, self._customer_ids[invoices["customer"][inv]],
                                           data["customer_id"]).astype(object)

    def _promises_and_disputes(
        self,
        inputs: Mapping[str, Any],
        out: dict[str, Columns],
        customer_index: _Index,
        rejected_customers: set[str],
        index: _Index,
    ) -> None:
        """Promises to pay and disputes (docs/domain.md, *Promises and disputes*), read after the invoices.

        A promise names its customer and, optionally, one of that customer's
        invoices (``invoice``: its row, -1 for none); a dispute names an
        invoice (not a credit note), whose customer it takes.
        """
        invoices = out["invoices"]
        rejected_invoices = set(self._rejected_ids("invoices"))
        table = _schema.PROMISES
        data = self._table(table, inputs.get(table.name))
        data["customer"] = customer_index.find(data["customer_id"])
        data["customer_id"] = _shared_ids(out["customers"]["id"], data["customer"], data["customer_id"])
        self._unknown_refs(table, data, data["customer"], "customer_id", "customer", rejected_customers)
        made, due = data["made"], data["due"]
        self._apply(table, data, due < made, "due", _before("made", made))
        self._apply(table, data, data["amount"] <= 0, "amount", "is not above 0; a promise names the amount to be paid")
        named = data["invoice_id"] != ""
        data["invoice"] = np.full(named.size, -1, dtype=np.int64)
        data["invoice"][named] = index.find(data["invoice_id"][named])
        self._unknown_refs(table, data, np.where(named, data["invoice"], 0), "invoice_id", "invoice", rejected_invoices)
        if named.any():
            row = np.maximum(data["invoice"], 0)
            self._apply(
                table, data, named & (invoices["customer"][row] != data["customer"]), "invoice_id",
                lambda idx: [f"is an invoice of another customer ({self._customer_ids[invoices['customer'][row[i]]]!r})" for i in idx],
            )
        out[table.name] = _keep(data, ~data["__bad__"])

        table = _schema.DISPUTES
        data = self._table(table, inputs.get(table.name))
        data["invoice"] = index.find(data["invoice_id"])
        self._unknown_refs(table, data, data["invoice"], "invoice_id", "invoice", rejected_invoices)
        row = np.maximum(data["invoice"], 0)
        if invoices["id"].size:
            self._apply(table, data, invoices["credit"][row], "invoice_id",
                        "refers to a credit note; only an invoice can be disputed")
            data["customer"] = invoices["customer"][row]
            data["customer_id"] = self._customer_ids[invoices["customer"][row]].astype(object)
        else:  # every row was rejected above: no invoice to name
            data["customer"] = np.zeros(row.size, dtype=np.int64)
            data["customer_id"] = np.full(row.size, "", dtype=object)
        opened, resolved = data["opened"], data["resolved"]
        self._apply(table, data, ~np.isnat(resolved) & (resolved < opened), "resolved", _before("opened", opened))
        out[table.name] = _keep(data, ~data["__bad__"])

def _before(what: str, dates: np.ndarray) -> Callable[[np.ndarray], list[str]]:
    return lambda idx: [f"is before {what!r} ({d})" if " " not in what else f"is before {what} ({d})" for d in dates[idx]]
