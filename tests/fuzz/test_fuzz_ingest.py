"""Fuzzing the data-input half: records, record classes, arrays, frames and CSV files.

Every generated case ends in one of two ways, and the test checks which:

- a :class:`riskkit.errors.RiskkitError` whose message names where the
  problem is (table and row and field, or the keyword / column / file), and
  whose ``table``/``row``/``field`` are the ones a plain per-row reference
  says come first; or
- a Portfolio equal to a reference computed independently: the rows a simple
  per-row Python reference (written from the documented rules, not from the
  implementation) says are good, the same data through another constructor,
  or the same rows validated one by one through the record classes.

Reference rules (docs/domain.md, riskkit/_schema.py): a number is a real
number that is not a bool and fits a float64, finite, and >= 0 for money;
a date is a ``datetime.date``, a midnight ``datetime``, a day-or-finer
``numpy.datetime64`` of midnight, or ``YYYY-MM-DD`` text in ASCII digits,
always within the years 1 to 9999; text is ``str``; an id is non-blank text
or an int; ``None``/NaN/NaT is missing. With ``errors="collect"`` a bad value
in a descriptive field (name, established, industry_risk, quantity, ...) is
blanked and the row kept; any other bad value drops the row, as do a
duplicate id (after the first good row) and a reference to a customer that is
not kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import fractions
import io
import math
import numbers
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import riskkit
from riskkit import CustomerRecord, Order, Portfolio
from riskkit.errors import RiskkitError, SchemaError, ValidationError

SETTINGS = dict(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# --- the independent per-row reference ----------------------------------------------------------------

MISSING = object()


class Bad(Exception):
    """The reference refuses a value."""


def is_missing(v: Any) -> bool:
    if v is None or v is pd.NaT or v is pd.NA:
        return True
    if isinstance(v, float | np.floating):
        return bool(np.isnan(v))
    if isinstance(v, np.datetime64):
        return bool(np.isnat(v))
    return False


ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def ref_date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None or v.time() != dt.time(0):
            raise Bad("time of day")
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, np.datetime64):
        if np.datetime_data(v.dtype)[0] in ("Y", "M", "W"):
            raise Bad("not a day")
        day = v.astype("datetime64[D]")
        if day != v:
            raise Bad("time of day")
        year = int(day.astype("datetime64[Y]").astype(np.int64)) + 1970
        if not 1 <= year <= 9999:
            raise Bad("year out of range")
        return dt.date(1970, 1, 1) + dt.timedelta(days=int(day.astype(np.int64)))
    if isinstance(v, str):
        s = v.strip()
        if ISO.fullmatch(s):
            try:
                return dt.date(int(s[:4]), int(s[5:7]), int(s[8:]))
            except ValueError:
                pass
        raise Bad("not a date")
    raise Bad("type")


def ref_number(v: Any, nonnegative: bool) -> float:
    if isinstance(v, bool | np.bool_ | np.timedelta64) or not isinstance(v, numbers.Real):
        raise Bad("type")
    try:
        x = float(v)
    except OverflowError:
        raise Bad("too large") from None
    if math.isinf(x) or (nonnegative and x < 0):
        raise Bad("range")
    return x


def ref_id(v: Any) -> str:
    if isinstance(v, str):
        if not v.strip():
            raise Bad("blank")
        return v
    if isinstance(v, numbers.Integral) and not isinstance(v, bool | np.bool_):
        if abs(int(v)).bit_length() > 14000:  # beyond Python's int-to-text limit
            raise Bad("too long")
        return str(int(v))
    raise Bad("type")


def ref_text(v: Any) -> str:
    if isinstance(v, str):
        return v
    raise Bad("type")


def ref_bool(v: Any) -> bool:
    if isinstance(v, bool | np.bool_):
        return bool(v)
    raise Bad("type")


#: (field, converter, required, blankable, default) per table, in schema order
CUSTOMER_FIELDS: list[tuple[str, Callable[[Any], Any], bool, bool, Any]] = [
    ("id", ref_id, True, False, None),
    ("name", ref_text, False, True, ""),
    ("established", ref_date, False, True, None),
    ("industry_risk", lambda v: ref_number(v, False), False, True, math.nan),
    ("secured_amount", lambda v: ref_number(v, True), False, False, math.nan),
    ("blocked", ref_bool, False, False, False),
]
ORDER_FIELDS: list[tuple[str, Callable[[Any], Any], bool, bool, Any]] = [
    ("customer_id", ref_id, True, False, None),
    ("date", ref_date, True, False, None),
    ("amount", lambda v: ref_number(v, True), True, False, None),
    ("quantity", lambda v: ref_number(v, True), False, True, math.nan),
]
SCHEMA_ORDER = {
    "customers": [c.name for c in riskkit.portfolio._schema.CUSTOMERS.columns],
    "orders": [c.name for c in riskkit.portfolio._schema.ORDERS.columns],
}


def ref_row(row: dict[str, Any], fields: list[tuple[str, Callable[[Any], Any], bool, bool, Any]]
            ) -> tuple[dict[str, Any], list[tuple[str, bool]]]:
    """One row: its converted values and its bad fields as (field, blankable)."""
    out: dict[str, Any] = {}
    bad: list[tuple[str, bool]] = []
    for name, convert, required, blankable, default in fields:
        v = row.get(name)
        if is_missing(v):
            if required:
                bad.append((name, blankable))
            out[name] = default
            continue
        try:
            out[name] = convert(v)
        except Bad:
            bad.append((name, blankable))
            out[name] = default
    return out, bad


class Reference:
    """What collect mode keeps and rejects, and what raise mode raises, computed row by row."""

    def __init__(self, customers: list[dict[str, Any]], orders: list[dict[str, Any]]) -> None:
        self.rejected: set[tuple[str, int, str, bool]] = set()
        self.first_error: tuple[str, int, str] | None = None
        self.customers: list[dict[str, Any]] = []
        self.orders: list[dict[str, Any]] = []
        seen: set[str] = set()
        conv_bad, later_bad = [], []
        kept_ids: set[str] = set()
        for i, row in enumerate(customers):
            values, bad = ref_row(row, CUSTOMER_FIELDS)
            for field, blankable in bad:
                self.rejected.add(("customers", i, field, blankable))
            dropped = any(not blankable for _, blankable in bad)
            if bad:
                conv_bad.append((i, self._first_field("customers", [f for f, _ in bad])))
            if dropped:
                continue
            if values["id"] in seen:
                self.rejected.add(("customers", i, "id", False))
                later_bad.append((i, "id"))
                continue
            seen.add(values["id"])
            kept_ids.add(values["id"])
            self.customers.append(values)
        self._first("customers", conv_bad, later_bad)
        self.all_customers_lost = bool(customers) and not self.customers
        if self.all_customers_lost:
            return
        conv_bad, later_bad = [], []
        for i, row in enumerate(orders):
            values, bad = ref_row(row, ORDER_FIELDS)
            for field, blankable in bad:
                self.rejected.add(("orders", i, field, blankable))
            if bad:
                conv_bad.append((i, self._first_field("orders", [f for f, _ in bad])))
            if any(not blankable for _, blankable in bad):
                continue
            if values["customer_id"] not in kept_ids:
                self.rejected.add(("orders", i, "customer_id", False))
                later_bad.append((i, "customer_id"))
                continue
            self.orders.append(values)
        self._first("orders", conv_bad, later_bad)

    @staticmethod
    def _first_field(table: str, fields: list[str]) -> str:
        return min(fields, key=SCHEMA_ORDER[table].index)

    def _first(self, table: str, conv_bad: list[tuple[int, str]], later_bad: list[tuple[int, str]]) -> None:
        # raise mode stops at the first table with a bad row: its conversions first, then the row rules
        if self.first_error is None and (conv_bad or later_bad):
            row, field = min(conv_bad or later_bad)
            self.first_error = (table, row, field)


def check_against_reference(p: Portfolio, ref: Reference) -> None:
    got = {(r.table, r.row, r.field, r.kept) for r in p.rejected}
    assert got == ref.rejected
    for r in p.rejected:
        assert str(r).startswith(f"{r.table} row {r.row}") and f"field {r.field!r}" in str(r)
    assert p.customer_ids.tolist() == [c["id"] for c in ref.customers]
    cu = p.customers
    assert cu["name"].tolist() == [c["name"] for c in ref.customers]
    np.testing.assert_array_equal(
        cu["established"], np.array([c["established"] or "NaT" for c in ref.customers], dtype="datetime64[D]"))
    np.testing.assert_array_equal(cu["industry_risk"], [c["industry_risk"] for c in ref.customers])
    np.testing.assert_array_equal(cu["secured_amount"], [c["secured_amount"] for c in ref.customers])
    assert cu["blocked"].tolist() == [c["blocked"] for c in ref.customers]
    od = p.orders
    assert od["customer_id"].tolist() == [o["customer_id"] for o in ref.orders]
    np.testing.assert_array_equal(od["date"], np.array([o["date"] for o in ref.orders], dtype="datetime64[D]"))
    np.testing.assert_array_equal(od["amount"], [o["amount"] for o in ref.orders])
    np.testing.assert_array_equal(od["quantity"], [o["quantity"] for o in ref.orders])


def check_raise(exc: RiskkitError, ref: Reference) -> None:
    assert isinstance(exc, ValidationError)
    assert ref.first_error is not None
    table, row, field = ref.first_error
    assert (exc.table, exc.row, exc.field) == (table, row, field), str(exc)
    assert str(exc).startswith(f"{table} row {row}") and f"field {field!r}" in str(exc)


def run_both_modes(build: Callable[[str], Portfolio], ref: Reference) -> None:
    """collect mode against the reference's rows, raise mode against its first bad row."""
    if ref.all_customers_lost:
        for errors in ("collect", "raise"):
            with pytest.raises(ValidationError) as info:
                build(errors)
            assert "customers" in str(info.value)
        return
    check_against_reference(build("collect"), ref)
    if ref.rejected:
        with pytest.raises(ValidationError) as info:
            build("raise")
        check_raise(info.value, ref)
    else:
        check_against_reference(build("raise"), ref)


# --- values of every kind, good and bad ------------------------------------------------------------

HUGE = [10**400, -(10**400), 10**309, fractions.Fraction(10**400, 3)]
odd_numbers = st.sampled_from([
    0, -0.0, 7, np.int64(-3), np.uint64(2**64 - 1), np.float32(2.5), np.float16(-1.5), 1e300, 5e-324,
    fractions.Fraction(1, 3), *HUGE, math.inf, -math.inf, math.nan, np.float64("nan"), None,
    True, np.bool_(False), "12", "", Decimal("1.5"), complex(1, 0), np.timedelta64(3, "D"), b"1", [1.0],
])
numbers_ = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=10**307, max_value=10**320),
    odd_numbers,
)
date_texts = st.sampled_from([
    "0000-01-01", "+002-01-01", "-001-01-01", "0001-01-01", "9999-12-31", "2025-02-29", "2024-02-29",
    "2025-13-01", "2025-1-01", "20250101", " 2025-03-01 ", "2025-03-01\x00", "２０２５-03-01", "2025-03-01T00:00",
    "", "  ", "31.12.2025", "2025/03/01", "+2025-01-01",
])
odd_dates = st.sampled_from([
    np.datetime64("2025-03-01"), np.datetime64("2025-03-01T00:00"), np.datetime64("2025-03-01T12:00"),
    np.datetime64("2025-03"), np.datetime64("2025"), np.datetime64("0000-01-01"), np.datetime64("-0005-06-01"),
    np.datetime64("12000-01-01"), np.datetime64("9999-12-31"), np.datetime64("0001-01-01"),
    np.datetime64("NaT"), np.datetime64("2025-03-01T00:00:00.000000001"),
    dt.datetime(2025, 3, 1), dt.datetime(2025, 3, 1, 8, 30), dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc),
    pd.Timestamp("2025-03-01"), pd.NaT, dt.date.min, dt.date.max, 20250301, 1.5, None, math.nan,
])
dates_ = st.one_of(
    st.dates().map(str), st.dates(), date_texts, odd_dates,
    st.text(alphabet="0123456789-+ ", min_size=8, max_size=12),
)
ids_ = st.one_of(
    st.text(min_size=1, max_size=4),
    st.sampled_from(["C1", "C2", "C3", " C1", "", "   ", "\x00", 5, np.int64(5), "5", 1.0, True, None, b"C1",
                     10**5000]),
)
texts_ = st.one_of(st.text(max_size=6), st.sampled_from([None, 3, math.nan, b"x", ["a"]]))
bools_ = st.sampled_from([True, False, np.bool_(True), None, 1, 0, "true", math.nan])


def homogeneous(strategy: st.SearchStrategy[Any], pure: st.SearchStrategy[Any]) -> Callable[[st.DrawFn, int], list[Any]]:
    """A column's values: half the time of one Python type only (the vectorized paths), else anything."""
    def draw_column(draw: st.DrawFn, n: int) -> list[Any]:
        source = draw(st.sampled_from([strategy, pure]))
        return [draw(source) for _ in range(n)]
    return draw_column


COLUMN = {
    "id": homogeneous(ids_, st.sampled_from(["C1", "C2", "C3", "C4", "C5"])),
    "name": homogeneous(texts_, st.text(max_size=4)),
    "established": homogeneous(dates_, st.one_of(st.dates().map(str), date_texts)),
    "industry_risk": homogeneous(numbers_, st.floats(allow_nan=True, allow_infinity=True)),
    "secured_amount": homogeneous(numbers_, st.one_of(
        st.floats(min_value=-10, max_value=1e6), st.none(), st.integers(0, 10**400))),
    "blocked": homogeneous(bools_, st.booleans()),
    "customer_id": homogeneous(ids_, st.sampled_from(["C1", "C2", "C3", "C9"])),
    "date": homogeneous(dates_, st.one_of(st.dates(), st.dates().map(str), date_texts)),
    "amount": homogeneous(numbers_, st.floats(min_value=-1, max_value=1e12)),
    "quantity": homogeneous(numbers_, st.one_of(st.none(), st.floats(min_value=0, max_value=1e6))),
}


@st.composite
def tables(draw: st.DrawFn, max_customers: int = 6, max_orders: int = 6) -> tuple[list[dict], list[dict]]:
    n_c = draw(st.integers(0, max_customers))
    n_o = draw(st.integers(0, max_orders)) if n_c else 0
    cust_cols = {name: COLUMN[name](draw, n_c) for name, *_ in CUSTOMER_FIELDS}
    order_cols = {name: COLUMN[name](draw, n_o) for name, *_ in ORDER_FIELDS}
    customers = [{k: v[i] for k, v in cust_cols.items()} for i in range(n_c)]
    orders = [{k: v[i] for k, v in order_cols.items()} for i in range(n_o)]
    return customers, orders


# --- records: collect keeps what the reference keeps; raise names the reference's first bad row ----------


@settings(max_examples=120, **SETTINGS)
@given(tables())
def test_records_keep_exactly_the_rows_the_reference_keeps(data: tuple[list[dict], list[dict]]) -> None:
    customers, orders = data
    ref = Reference(customers, orders)
    run_both_modes(lambda errors: Portfolio.from_records(customers=customers, orders=orders, errors=errors), ref)


@settings(max_examples=60, **SETTINGS)
@given(tables())
def test_arrays_and_frames_of_the_same_values_agree_with_the_reference(data: tuple[list[dict], list[dict]]) -> None:
    customers, orders = data
    ref = Reference(customers, orders)

    def columns(rows: list[dict], fields: list[tuple]) -> dict[str, np.ndarray]:
        out = {}
        for name, *_ in fields:
            col = np.empty(len(rows), dtype=object)
            col[:] = [r[name] for r in rows] if rows else []
            out[name] = col
        return out

    cust, ords = columns(customers, CUSTOMER_FIELDS), columns(orders, ORDER_FIELDS)
    run_both_modes(lambda errors: Portfolio.from_arrays(customers=cust, orders=ords, errors=errors), ref)
    # object columns, as a frame read from a database driver holds them (pandas would otherwise infer types)
    frames = {name: pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()})
              for name, cols in (("customers", cust), ("orders", ords))}
    run_both_modes(lambda errors: Portfolio.from_frames(**frames, errors=errors), ref)
    # columns of text only as categoricals (checked and interned once per category)
    coded = {name: df.astype({c: "category" for c in df if all(type(v) is str for v in df[c])})
             for name, df in frames.items()}
    run_both_modes(lambda errors: Portfolio.from_frames(**coded, errors=errors), ref)


# --- the record classes: one row alone says what the batch says about it ----------------------------------


@settings(max_examples=80, **SETTINGS)
@given(tables(max_orders=4))
def test_a_record_class_refuses_a_row_exactly_when_the_batch_does(data: tuple[list[dict], list[dict]]) -> None:
    customers, orders = data
    for i, row in enumerate(customers):
        row["id"] = f"K{i}"  # unique and valid: the batch's cross-row rules stay out of it
    for row in orders:
        row["customer_id"] = "K-good"
    # a last good customer, so that a batch never loses every customer (an error of its own)
    p = Portfolio.from_records(customers=[*customers, {"id": "K-good"}], orders=orders, errors="collect")
    by_row: dict[tuple[str, int], dict[str, str]] = {}
    for r in p.rejected:
        assert r.field is not None
        by_row.setdefault((r.table, r.row), {})[r.field] = r.reason
    position = {cid: j for j, cid in enumerate(p.customer_ids.tolist())}
    for table, rows, record in (("customers", customers, CustomerRecord), ("orders", orders, Order)):
        order = SCHEMA_ORDER[table]
        for i, row in enumerate(rows):
            bad = by_row.get((table, i), {})
            try:
                rec = record(**row)
            except ValidationError as exc:
                assert bad, f"{table} row {i}: the record refuses it ({exc}), the batch keeps it as it is"
                first = min(bad, key=order.index)
                assert exc.field == first and exc.table == table
                assert str(exc).endswith(bad[first]), (str(exc), bad[first])  # the same reason, word for word
                continue
            except RiskkitError as exc:  # pragma: no cover - a failure, shown with its message
                raise AssertionError(f"{type(exc).__name__}: {exc}") from exc
            assert not bad, f"{table} row {i}: the record accepts it, the batch says {bad}"
            if table == "customers":
                j = position[rec.id]
                assert p.customers["name"][j] == rec.name
                stored = p.customers["established"][j]
                assert (np.isnat(stored) and rec.established is None) or stored == np.datetime64(rec.established)
                np.testing.assert_array_equal(p.customers["industry_risk"][j], rec.industry_risk)
                np.testing.assert_array_equal(p.customers["secured_amount"][j], rec.secured_amount)


# --- arrays: containers, dtypes and shapes ----------------------------------------------------------------

CONTAINERS = ["ndarray", "object ndarray", "list", "tuple", "series", "generator", "scalar", "none", "set",
              "dict", "2-d", "0-d", "range", "string"]


def container(kind: str, values: list[Any], dtype: Any) -> Any:
    if kind == "ndarray":
        return np.array(values, dtype=dtype)
    if kind == "object ndarray":
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    if kind == "list":
        return list(values)
    if kind == "tuple":
        return tuple(values)
    if kind == "series":
        return pd.Series(np.array(values, dtype=dtype))
    if kind == "generator":
        return (v for v in values)
    if kind == "scalar":
        return values[0] if values and not isinstance(values[0], list) else 1.0
    if kind == "none":
        return None
    if kind == "set":
        return set(values)
    if kind == "dict":
        return dict(enumerate(values))
    if kind == "2-d":
        return np.array(values, dtype=dtype).reshape(-1, 1)
    if kind == "0-d":
        return np.array(values[0] if values else 1.0, dtype=dtype)
    if kind == "range":
        return range(len(values))
    return "C1"


ARRAY_DTYPES = {
    "amount": ["float64", "float32", "float16", "int8", "int64", "uint64", "object", "bool", "U8",
               "timedelta64[D]", "complex128"],
    "date": ["datetime64[D]", "datetime64[s]", "datetime64[ns]", "datetime64[M]", "datetime64[Y]", "U12", "object",
             "int64", "float64"],
}


@st.composite
def array_columns(draw: st.DrawFn) -> tuple[str, str, list[Any], str]:
    column = draw(st.sampled_from(["amount", "date"]))
    kind = draw(st.sampled_from(CONTAINERS))
    dtype = draw(st.sampled_from(ARRAY_DTYPES[column]))
    n = draw(st.integers(0, 5))
    if column == "amount":
        pool = {
            "float64": st.floats(), "float32": st.floats(width=32), "float16": st.floats(width=16),
            "int8": st.integers(-128, 127), "int64": st.integers(-(2**63), 2**63 - 1),
            "uint64": st.integers(0, 2**64 - 1), "object": numbers_, "bool": st.booleans(),
            "U8": st.sampled_from(["1", "2.5", "x", ""]), "timedelta64[D]": st.integers(-5, 5),
            "complex128": st.floats(-5, 5),
        }[dtype]
    else:
        pool = {
            "datetime64[D]": st.sampled_from(["2025-03-01", "0000-01-01", "-0001-02-03", "NaT", "12000-01-01"]),
            "datetime64[s]": st.sampled_from(["2025-03-01T00:00:00", "2025-03-01T00:00:01", "NaT"]),
            "datetime64[ns]": st.sampled_from(["2025-03-01", "2025-03-01T06:00", "1700-01-01"]),
            "datetime64[M]": st.sampled_from(["2025-03", "NaT"]), "datetime64[Y]": st.just("2025"),
            "U12": date_texts | st.dates().map(str), "object": dates_, "int64": st.integers(0, 30000),
            "float64": st.floats(),
        }[dtype]
    values = [draw(pool) for _ in range(n)]
    assume(not any(isinstance(v, list) for v in values))
    try:
        assume(np.array(values, dtype=dtype).ndim == 1)
        container(kind, values, dtype)
    except (ValueError, TypeError, OverflowError):
        assume(False)
    return column, kind, values, dtype


@settings(max_examples=100, **SETTINGS)
@given(array_columns())
def test_array_columns_are_read_like_their_elements_or_refused_naming_the_column(
        case: tuple[str, str, list[Any], str]) -> None:
    column, kind, values, dtype = case
    n = len(values)
    orders: dict[str, Any] = {"customer_id": ["C1"] * n, "date": ["2025-01-01"] * n, "amount": [1.0] * n}
    orders[column] = container(kind, values, dtype)
    acceptable = kind in ("ndarray", "object ndarray", "list", "tuple", "series", "range")
    try:
        p = Portfolio.from_arrays(customers={"id": ["C1"]}, orders=orders, errors="collect")
    except RiskkitError as exc:
        if not acceptable:
            assert isinstance(exc, ValidationError)
            assert str(exc).startswith(f"orders: column {column!r} must be a one-dimensional") and exc.field == column
            return
        elements = list(range(n)) if kind == "range" else list(np.asarray(orders[column]))
        # the same elements as records must fail the same way (every order lost is not an error: the table
        # is not customers or invoices), so only a structural difference could raise here
        raise AssertionError(f"accepted container refused: {exc}; elements {elements!r}") from exc
    assert acceptable, f"{kind} accepted as a column"
    arr = orders[column]
    elements = list(arr) if not isinstance(arr, pd.Series) else list(arr.to_numpy())
    rows = [{"customer_id": "C1", "date": "2025-01-01", "amount": 1.0, column: v} for v in elements]
    ref = Reference([{"id": "C1"}], rows)
    check_against_reference(p, ref)


@settings(max_examples=15, **SETTINGS)
@given(st.sampled_from(["customers", "orders"]), st.sampled_from(CONTAINERS), st.lists(st.text(max_size=3), max_size=3))
def test_a_table_that_is_not_a_mapping_of_columns_is_refused_naming_it(table: str, kind: str, values: list) -> None:
    given_ = container(kind, values, object)
    tables_ = {"customers": {"id": ["C1"]}, table: given_}
    if given_ is None:
        if table == "customers":
            with pytest.raises(SchemaError, match=r"^Portfolio\.from_arrays: customers is required"):
                Portfolio.from_arrays(**tables_)
        else:
            assert Portfolio.from_arrays(**tables_).orders.n_rows == 0
        return
    if kind == "dict":  # a mapping: its keys are column names, here unknown ones
        if values:
            with pytest.raises(SchemaError, match=rf"^{table}: unknown column\(s\) 0"):
                Portfolio.from_arrays(**tables_)
        else:
            assert Portfolio.from_arrays(**tables_).table(table).n_rows == 0  # an empty mapping: no rows
        return
    with pytest.raises(ValidationError, match=rf"^{table}: expected a mapping of column name to values"):
        Portfolio.from_arrays(**tables_)


# --- CSV files: the same cells as records; and chaos ---------------------------------------------------------

DIALECTS = [(",", ".", ""), (";", ",", "."), ("\t", ".", ","), ("|", ",", " "), (";", ".", "'")]


def number_cell(x: float, decimals: int, decimal: str, thousands: str, trailing_minus: bool) -> tuple[str, float]:
    """x written with a dialect's separators, and the value that text stands for."""
    text = f"{abs(x):,.{decimals}f}" if thousands else f"{abs(x):.{decimals}f}"
    value = float(f"{abs(x):.{decimals}f}")
    text = text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
    if x < 0 and value:
        text = text + "-" if trailing_minus else "-" + text
        value = -value
    return text, value


@st.composite
def csv_cell(draw: st.DrawFn, kind: str, dialect: tuple[str, str, str]) -> tuple[str, Any]:
    """A cell's text and the value a record would hold for it (text the reader cannot parse stays text)."""
    _, decimal, thousands = dialect
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(st.sampled_from(["", "  "])), None
    if kind == "number":
        if choice <= 5:
            x = draw(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
            return number_cell(x, draw(st.integers(0, 4)), decimal, thousands, draw(st.booleans()))
        if choice <= 7 and decimal == ".":
            x = draw(st.floats(allow_nan=False, allow_infinity=False))
            return repr(x), x  # shortest repr: exponents, 5e-324, 1.7976931348623157e+308
        text = draw(st.sampled_from(["1_000", "nan", "12abc", "--1", "١٢", "1.2.3", "0x10", "9" * 80, "+-1",
                                     "1,23,4", "€5", "1e400", "-1e400", "inf", "-Infinity"]))
        if text in ("1e400", "-1e400", "inf", "-Infinity"):
            return text, float(text)  # read as a number, refused as not finite
        return text, text
    if kind == "date":
        if choice <= 6:
            d = draw(st.dates())
            return d.isoformat(), d
        text = draw(date_texts.filter(lambda s: s.strip() and "\x00" not in s))
        return text, text.strip()
    if kind == "bool":
        text = draw(st.sampled_from(["true", "FALSE", "1", "0", "yes", "No", "t", "F", "y", "maybe", "2"]))
        low = text.lower()
        return text, True if low in ("true", "1", "yes", "t", "y") else False if low in (
            "false", "0", "no", "f", "n") else text
    # text: any characters the csv writer can quote, but no line breaks (a record per line)
    text = draw(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c"
                                                  "\x1c\x1d\x1e\x85\u2028\u2029"), min_size=1, max_size=6))
    return text, text.strip() or None


CSV_KINDS = {
    "customers": {"id": "text", "name": "text", "established": "date", "industry_risk": "number",
                  "secured_amount": "number", "blocked": "bool"},
    "orders": {"customer_id": "text", "date": "date", "amount": "number", "quantity": "number"},
}


@st.composite
def csv_books(draw: st.DrawFn) -> dict[str, Any]:
    dialect = draw(st.sampled_from(DIALECTS))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    out: dict[str, Any] = {"dialect": dialect, "encoding": encoding, "tables": {}}
    ids = ["C1", "C2", "C3", "C4"]
    for table, kinds in CSV_KINDS.items():
        n = draw(st.integers(1 if table == "customers" else 0, 5))
        rows = []
        for i in range(n):
            row = {}
            for field, kind in kinds.items():
                if field == "id" and draw(st.integers(0, 4)):
                    row[field] = (ids[i % 4], ids[i % 4])
                elif field == "customer_id" and draw(st.integers(0, 4)):
                    cid = draw(st.sampled_from([*ids, "C9"]))
                    row[field] = (cid, cid)
                else:
                    row[field] = draw(csv_cell(kind, dialect))
            rows.append(row)
        out["tables"][table] = rows
    return out


def write_table(path: str, rows: list[dict[str, tuple[str, Any]]], fields: list[str], delimiter: str,
                encoding: str) -> bool:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([row[f][0] for f in fields])
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:
        return False
    with open(path, "wb") as fh:
        fh.write(data)
    return True


@settings(max_examples=60, **SETTINGS)
@given(csv_books())
def test_csv_files_agree_with_the_same_cells_as_records(book: dict[str, Any]) -> None:
    delimiter, decimal, thousands = book["dialect"]
    encoding = book["encoding"]
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for table, rows in book["tables"].items():
            paths[table] = os.path.join(folder, f"{table}.csv")
            assume(write_table(paths[table], rows, list(CSV_KINDS[table]), delimiter, encoding))
        records = {table: [{f: cell[1] for f, cell in row.items()} for row in rows]
                   for table, rows in book["tables"].items()}
        ref = Reference(records["customers"], records["orders"])
        read_encoding = "utf-8" if encoding == "utf-8-sig" else encoding  # the BOM is dropped either way
        run_both_modes(lambda errors: Portfolio.from_csv(
            **paths, delimiter=delimiter, decimal=decimal, thousands=thousands, encoding=read_encoding,
            errors=errors), ref)


LINE_PIECES = st.sampled_from(['C1', 'C2', 'x', '1,5', '"q"', '"unterminated', '""', 'a"b', ';', ',', '\t', ' ',
                               'é', '\x00', '€', '"a\nb"', '-', '2025-01-01', '1e400'])


@st.composite
def chaotic_files(draw: st.DrawFn) -> tuple[bytes, str, str]:
    delimiter = draw(st.sampled_from([",", ";", "auto"]))
    sep = "," if delimiter == "auto" else delimiter
    header = draw(st.sampled_from([f"id{sep}name", "id", f"\ufeffid{sep}name", f'"id"{sep}"name"',
                                   f"id{sep}id", f"id{sep}colour", "", f"name{sep}industry", "id;name"]))
    lines = [header]
    for _ in range(draw(st.integers(0, 6))):
        lines.append("".join(draw(st.lists(LINE_PIECES, max_size=5))))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    text = ending.join(lines) + draw(st.sampled_from(["", ending]))
    encoding = draw(st.sampled_from(["utf-8", "latin-1", "utf-16"]))
    data = text.encode("utf-8") if encoding == "utf-16" and draw(st.booleans()) else text.encode(
        encoding, errors="replace")
    if draw(st.integers(0, 4)) == 0:  # random bytes in the middle
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at:]
    return data, delimiter, encoding


@settings(max_examples=100, **SETTINGS)
@given(chaotic_files())
def test_chaotic_csv_files_give_named_errors_or_account_for_every_record(case: tuple[bytes, str, str]) -> None:
    data, delimiter, encoding = case
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "customers.csv")
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            p = Portfolio.from_csv(customers=path, delimiter=delimiter, encoding=encoding, errors="collect")
        except RiskkitError as exc:
            # a file-level problem: the table is named (and the file or the line, where there is one)
            assert re.search(r"\bcustomers\b", str(exc)), str(exc)
            return
    rejected = [r for r in p.rejected if not r.kept]
    rows = [r.row for r in rejected]
    assert len(rows) == len(set(rows))
    for r in p.rejected:
        assert str(r).startswith(f"customers row {r.row}")
    text = data.decode(encoding, errors="replace").removeprefix("\ufeff")
    lines = re.split(r"\r\n|\n|\r", text)
    if not lines[0].strip():
        return  # the header is the first line with something on it; counted below only when it is line 1
    body = [line for line in lines[1:] if line]
    # every record is kept or rejected, none lost, none counted twice: at most one record per physical line
    assert p.n_customers + len(rows) <= len(body)
    if delimiter != "auto" and '"' not in text and "\r" not in text.replace("\r\n", "\n") and "\x00" not in text:
        n_columns = len(lines[0].split(delimiter))
        records = [line for line in body if not (n_columns > 1 and not line.strip())]
        assert p.n_customers + len(rows) == len(records)


@pytest.mark.parametrize(
    ("text", "kept", "problem"),
    [
        ('id,name\nC1,"Acme\nC2,Bolt\n', ["C2"], "line 2 of '{path}': unterminated quote starting on line 2"),
        ("id,name\nC1,Acme,extra\nC2,Bolt\n", ["C2"], "line 2 of '{path}' has 3 fields, the header has 2"),
        ("id,name\nC1\nC2,Bolt\n", ["C2"], "line 2 of '{path}' has 1 field, the header has 2"),
        ('id,name\nC1,"Acme" GmbH\nC2,"never closes\n', ["C1"], "line 3 of '{path}': unterminated quote"),
    ],
)
def test_unterminated_quotes_and_ragged_lines_reject_their_own_line(text: str, kept: list[str], problem: str,
                                                                   tmp_path: Any) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8")
    p = Portfolio.from_csv(customers=path, errors="collect")
    assert p.customer_ids.tolist() == kept
    assert len(p.rejected) == 1 and p.rejected[0].table == "customers"
    assert problem.format(path=path) in str(p.rejected[0])
    with pytest.raises(ValidationError, match="customers row"):
        Portfolio.from_csv(customers=path)


# --- a book with credit notes, cash on account, refunds and currencies: balances against a reference ------------


@st.composite
def books(draw: st.DrawFn) -> dict[str, Any]:
    currencies = draw(st.sampled_from([["EUR"], ["EUR", "USD"], ["EUR", "USD", "CHF"]]))
    rates = {c: draw(st.sampled_from([0.5, 0.9, 1.1, 2.0])) for c in currencies[1:]}
    give_rates = draw(st.integers(0, 5)) > 0
    cids = ["A", "B", "C"]
    big = st.floats(min_value=1e306, max_value=1.7e308)
    small = st.floats(min_value=0.01, max_value=1e6)
    invoices, payments = [], []
    base = dt.date(2025, 1, 1)
    for i in range(draw(st.integers(1, 6))):
        amount = draw(big if draw(st.integers(0, 11)) == 0 else small)
        credit = draw(st.integers(0, 3)) == 0
        how = draw(st.sampled_from(["negative", "kind", "flag"]))
        row: dict[str, Any] = {"id": f"I{i}", "customer_id": draw(st.sampled_from(cids)),
                               "issued": base + dt.timedelta(days=draw(st.integers(0, 60))),
                               "amount": -amount if credit and how == "negative" else amount,
                               "currency": draw(st.sampled_from([*currencies, None]))}
        if credit and how == "kind":
            row["kind"] = "credit_note"
        if credit and how == "flag":
            row["credit"] = True
        if not credit:
            row["due"] = row["issued"] + dt.timedelta(days=30)
        invoices.append(row)
        for _ in range(draw(st.integers(0, 2))):
            on_account = draw(st.integers(0, 3)) == 0
            pay = {"date": row["issued"] + dt.timedelta(days=draw(st.integers(0, 40))),
                   "amount": draw(st.one_of(small, st.just(amount)))}
            if on_account:
                pay["customer_id"] = row["customer_id"]
                pay["currency"] = row["currency"]
            else:
                pay["invoice_id"] = row["id"]
            payments.append(pay)
    return {"invoices": invoices, "payments": payments, "rates": rates if give_rates else {}, "cids": cids,
            "currencies": currencies}


@settings(max_examples=80, **SETTINGS)
@given(books())
def test_balances_of_credit_notes_cash_and_currencies_equal_a_reference_or_fail_naming_why(book: dict) -> None:
    invoices, payments, rates = book["invoices"], book["payments"], book["rates"]
    as_of = dt.date(2025, 6, 30)
    named = {inv["currency"] for inv in invoices if inv["currency"]}
    reporting = "EUR"
    rate = {"EUR": 1.0, **rates}
    try:
        p = Portfolio.from_records(customers=[{"id": c} for c in book["cids"]], invoices=invoices,
                                   payments=payments, currency=reporting, rates=rates, tolerance=0.0, as_of=as_of)
        f = p.features()
    except ValidationError as exc:
        message = str(exc)
        missing = sorted(named - set(rate))
        if missing:
            assert "no" in message and any(f"{c} rate" in message for c in missing), message
            return
        if "rate" in message and "too large" in message:  # a huge amount beyond float64 once converted
            assert re.match(r"^(invoices|payments) row \d+: field 'amount'", message), message
            assert any(r > 1 for r in rate.values())
            return
        assert "overflows" in message and message.startswith("customer(s) "), message
        offenders = re.findall(r"'([ABC])'", message.split(":")[0])
        assert offenders
        for cid in offenders:  # the customer named has amounts that cannot be added up
            total = sum(abs(inv["amount"]) * rate[inv["currency"] or reporting] for inv in invoices
                        if inv["customer_id"] == cid)
            total += sum(pay["amount"] * rate.get(pay.get("currency") or reporting, 1.0) for pay in payments
                         if pay.get("customer_id") == cid)
            assert total > 1e308 or any(abs(inv["amount"]) > 1e305 for inv in invoices if inv["customer_id"] == cid)
        return
    # the net balance: debits less credits less cash, plus refunds of credit notes (tolerance 0, fixed rates)
    credit = {inv["id"]: inv["amount"] < 0 or inv.get("kind") == "credit_note" or inv.get("credit", False)
              for inv in invoices}
    # summed exactly: a running float sum can overflow on the way to a total that fits
    exact = {cid: fractions.Fraction(0) for cid in book["cids"]}
    magnitude = dict.fromkeys(book["cids"], 0.0)
    for inv in invoices:
        value = abs(inv["amount"]) * rate[inv["currency"] or reporting]
        exact[inv["customer_id"]] += fractions.Fraction(-value if credit[inv["id"]] else value)
        magnitude[inv["customer_id"]] += value
    owner = {inv["id"]: inv for inv in invoices}
    for pay in payments:
        if "invoice_id" in pay:
            inv = owner[pay["invoice_id"]]
            value = pay["amount"] * rate[inv["currency"] or reporting]
            exact[inv["customer_id"]] += fractions.Fraction(value if credit[inv["id"]] else -value)
            magnitude[inv["customer_id"]] += value
        else:
            value = pay["amount"] * rate[pay["currency"] or reporting]
            exact[pay["customer_id"]] -= fractions.Fraction(value)
            magnitude[pay["customer_id"]] += value
    expected = {cid: float(total) for cid, total in exact.items()}
    for k, cid in enumerate(book["cids"]):
        got = f["open_amount"][k]
        assert math.isfinite(got)
        assert got == pytest.approx(expected[cid], rel=1e-9, abs=1e-9 * magnitude[cid] + 1e-6), cid
        assert f["open_amount"][k] == pytest.approx(
            sum(f[c][k] for c in ("aging_current", "aging_1_30", "aging_31_60", "aging_61_90", "aging_91_plus"))
            - f["credit_balance"][k], rel=1e-9, abs=1e-9 * magnitude[cid] + 1e-6)
    for info in riskkit.features.catalogue():
        if info.unit == "money":
            assert not np.isinf(f[info.name]).any(), info.name


@settings(max_examples=30, **SETTINGS)
@given(st.lists(st.tuples(st.sampled_from(["A", "B"]), st.floats(min_value=1e307, max_value=1.7976931348623157e308)),
                min_size=1, max_size=4))
def test_amounts_that_overflow_when_summed_name_their_customer(docs: list[tuple[str, float]]) -> None:
    invoices = [{"id": f"I{i}", "customer_id": c, "issued": "2025-01-01", "due": "2025-01-31", "amount": a}
                for i, (c, a) in enumerate(docs)]
    p = Portfolio.from_records(customers=[{"id": "A"}, {"id": "B"}], invoices=invoices, as_of="2025-03-01")
    totals = {"A": 0.0, "B": 0.0}
    weighted = {"A": 0.0, "B": 0.0}  # open amount x days past due (29), the weights of dbt_weighted
    for c, a in docs:
        totals[c] += a  # Python floats overflow to inf, as the group sums do
        weighted[c] += a * 29
    over = [c for c in "AB" if math.isinf(totals[c])]
    over_dbt = [c for c in "AB" if math.isinf(weighted[c])]
    if not over and not over_dbt:
        f = p.features()
        assert f["open_amount"].tolist() == [totals["A"], totals["B"]]
        np.testing.assert_array_equal(f["overdue_ratio"], [1.0 if totals[c] else np.nan for c in "AB"])
        np.testing.assert_array_equal(f["dbt_weighted"], [29.0 if totals[c] else np.nan for c in "AB"])
        return
    with pytest.raises(ValidationError) as info:
        p.features()
    feature, named = ("open_amount", over) if over else ("dbt_weighted", over_dbt)
    assert str(info.value).startswith(f"customer(s) {', '.join(map(repr, named))}: {feature} cannot be computed")
    assert "overflows" in str(info.value) and info.value.field == feature


# --- constructor keywords ---------------------------------------------------------------------------------------

CONSTRUCTORS = ["from_records", "from_arrays", "from_objects", "from_frames", "from_arrow", "from_parquet", "from_csv"]


@settings(max_examples=25, **SETTINGS)
@given(st.sampled_from(CONSTRUCTORS),
       st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
           lambda k: k not in ("customers", "exposures", "invoices", "payments", "orders", "statements", "events",
                               "as_of", "statistical", "errors", "unknown_columns", "currency", "rates",
                               "tolerance", "export_date", "encoding", "delimiter", "decimal", "thousands",
                               "date_format", "book", "partitions")))
def test_an_unknown_keyword_is_a_schema_error_naming_it_and_the_accepted_ones(method: str, keyword: str) -> None:
    with pytest.raises(SchemaError) as info:
        getattr(Portfolio, method)(customers=[], **{keyword: []})
    message = str(info.value)
    assert message.startswith(f"Portfolio.{method}: unknown keyword argument(s) {keyword!r}")
    assert "accepted tables: customers, exposures, invoices, payments, orders, statements, events" in message


# --- regressions found by the corpus (each once, deterministic) ------------------------------------------------


@pytest.mark.parametrize("value", [10**400, -(10**400), fractions.Fraction(10**400, 7)])
def test_an_int_too_large_for_a_float_is_a_validation_error_on_every_path(value: Any) -> None:
    expected = "is too large for a number; expected a finite number"
    for build in (
        lambda: Portfolio.from_records(customers=[{"id": "C1", "industry_risk": value}]),
        lambda: Portfolio.from_arrays(customers={"id": ["C1"], "industry_risk": np.array([value], dtype=object)}),
        lambda: Portfolio.from_arrays(customers={"id": ["C1"], "industry_risk": [value]}),
        lambda: Portfolio.from_frames(customers=pd.DataFrame({"id": ["C1"], "industry_risk": [value]})),
    ):
        with pytest.raises(ValidationError) as info:
            build()
        assert (info.value.table, info.value.row, info.value.field) == ("customers", 0, "industry_risk")
        assert str(info.value).startswith("customers row 0 (id 'C1'): field 'industry_risk' (")
        assert expected in str(info.value)
    with pytest.raises(ValidationError, match=r"^Invoice 'I1': field 'amount' \(.*\) is too large for a number"):
        riskkit.Invoice("I1", "C1", "2025-01-01", "2025-01-31", value)
    with pytest.raises(ValidationError, match="rates"):
        Portfolio.from_records(customers=[{"id": "C1"}], currency="EUR", rates={"USD": value})


def test_tolerance_and_ids_beyond_the_limits_of_int_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"^tolerance must be a finite number"):
        Portfolio.from_records(customers=[{"id": "C1"}], tolerance=10**400)
    with pytest.raises(ValidationError, match=r"customers row 0: field 'id' \(.*digits\) is an integer too long"):
        Portfolio.from_records(customers=[{"id": 10**5000}])


@pytest.mark.parametrize("text", ["0000-01-01", "+002-01-01", "-001-01-01", "2025-03-01\x00"])
def test_year_zero_and_signed_years_are_refused_the_same_way_on_every_path(text: str, tmp_path: Any) -> None:
    reason = "is not a valid date; expected a date (datetime.date, numpy.datetime64 or 'YYYY-MM-DD')"
    builds: list[Callable[[], Any]] = [
        lambda: Portfolio.from_records(customers=[{"id": "C1", "established": text}]),
        lambda: Portfolio.from_records(customers=[{"id": "C1", "established": text},
                                                  {"id": "C2", "established": dt.date(2020, 1, 1)}]),
        lambda: Portfolio.from_arrays(customers={"id": ["C1"], "established": np.array([text], dtype=object)}),
        lambda: Portfolio.from_frames(customers=pd.DataFrame({"id": ["C1"], "established": [text]})),
    ]
    if "\x00" not in text:
        builds.append(lambda: Portfolio.from_arrays(customers={"id": ["C1"], "established": np.array([text])}))
        path = tmp_path / "customers.csv"
        path.write_text(f"id,established\nC1,{text}\n", encoding="utf-8")
        builds.append(lambda: Portfolio.from_csv(customers=path))
    for build in builds:
        with pytest.raises(ValidationError) as info:
            build()
        assert (info.value.table, info.value.row, info.value.field) == ("customers", 0, "established")
        assert str(info.value).endswith(reason)
    with pytest.raises(ValidationError) as info:
        CustomerRecord("C1", established=text)
    assert str(info.value).endswith(reason)


@pytest.mark.parametrize("day", ["0000-01-01", "-0005-06-01", "12000-01-01"])
def test_a_numpy_day_outside_the_years_1_to_9999_is_refused_everywhere(day: str) -> None:
    reason = "is outside the years 1 to 9999; expected a date"
    value = np.datetime64(day, "D")
    for build in (
        lambda: Portfolio.from_arrays(customers={"id": ["C1"], "established": np.array([value])}),
        lambda: Portfolio.from_records(customers=[{"id": "C1", "established": value}]),
        lambda: CustomerRecord("C1", established=value),
        lambda: Portfolio.from_records(customers=[{"id": "C1"}], as_of=value),
    ):
        with pytest.raises(ValidationError, match=reason):
            build()


@pytest.mark.parametrize("method", CONSTRUCTORS)
def test_constructors_refuse_a_misspelt_table_and_a_missing_customers_table(method: str) -> None:
    with pytest.raises(SchemaError, match=rf"^Portfolio\.{method}: unknown keyword argument\(s\) 'invoicez' "
                                          r"\(did you mean 'invoices'\?\); accepted tables: customers"):
        getattr(Portfolio, method)(customers=[], invoicez=[])
    for kwargs in ({}, {"customers": None}):
        with pytest.raises(SchemaError, match=rf"^Portfolio\.{method}: customers is required"):
            getattr(Portfolio, method)(**kwargs)
    with pytest.raises(SchemaError, match=r"^Portfolio\.from_profile: unknown keyword argument\(s\) 'currency'"):
        Portfolio.from_profile("profile.toml", currency="EUR")


@pytest.mark.parametrize(
    ("column", "match"),
    [
        ("C1", "got str"),
        (987, "got int"),
        (None, "got NoneType; leave the column out"),
        ((c for c in ["C1"]), r"got generator; materialise it first"),
        ({"C1"}, "got set"),
        (np.array("C1"), r"got shape \(\)"),
    ],
)
def test_a_column_that_is_not_a_sequence_is_refused_naming_table_and_column(column: Any, match: str) -> None:
    with pytest.raises(ValidationError, match=rf"^customers: column 'id' must be a one-dimensional .*{match}"):
        Portfolio.from_arrays(customers={"id": column})


def test_tables_given_as_something_else_than_rows_are_refused_naming_the_table(tmp_path: Any) -> None:
    with pytest.raises(ValidationError, match=r"^customers: a table must be an iterable of rows \(mappings of "
                                              r"field to value\), such as a list; got dict; for one row"):
        Portfolio.from_records(customers={"id": "C1"})
    with pytest.raises(ValidationError, match=r"^invoices: a table must be an iterable of rows .* got int"):
        Portfolio.from_records(customers=[{"id": "C1"}], invoices=5)
    with pytest.raises(ValidationError, match=r"^customers: a table must be an iterable of rows \(objects"):
        Portfolio.from_objects(customers=7)
    with pytest.raises(ValidationError, match=r"pass DataFrames to Portfolio\.from_frames"):
        Portfolio.from_records(customers=pd.DataFrame({"id": ["C1"]}))
    with pytest.raises(ValidationError, match=r"^customers: expected a file path, got int"):
        Portfolio.from_csv(customers=987)
    with pytest.raises(ValidationError, match=r"^customers: cannot read .*embedded null byte"):
        Portfolio.from_csv(customers="a\x00b.csv")
    with pytest.raises(ValidationError, match=r"^statistical must be an iterable"):
        Portfolio.from_records(customers=[{"id": "C1"}], statistical=5)
    with pytest.raises(ValidationError, match=r"^rates: column 'date' must be a list or array"):
        Portfolio.from_records(customers=[{"id": "C1"}], currency="EUR",
                               rates={"date": 5, "currency": ["USD"], "rate": [1.0]})


def test_a_rate_that_takes_an_amount_beyond_float64_names_the_row() -> None:
    with pytest.raises(ValidationError, match=r"^invoices row 1: field 'amount' \(1e\+308 USD\) is too large for a "
                                              r"number once converted to EUR at rate 2\.0"):
        Portfolio.from_records(
            customers=[{"id": "C1"}],
            invoices=[{"id": f"I{i}", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31",
                       "amount": a, "currency": "USD"} for i, a in enumerate([1.0, 1e308])],
            currency="EUR", rates={"USD": 2.0})


def test_collateral_coverage_is_nan_when_the_secured_amount_is_unknown() -> None:
    invoices = [{"id": "I1", "customer_id": c, "issued": "2025-01-01", "due": "2025-01-31", "amount": 100.0}
                for c in ("A", "B", "C")]
    p = Portfolio.from_records(
        customers=[{"id": "A"}, {"id": "B", "secured_amount": 0}, {"id": "C", "secured_amount": 50.0}],
        invoices=[{**inv, "id": f"I{k}"} for k, inv in enumerate(invoices)], as_of="2025-02-01")
    coverage = p.features()["collateral_coverage"]
    assert math.isnan(coverage[0]) and coverage[1] == 0.0 and coverage[2] == 0.5
    assert math.isnan(CustomerRecord("A").secured_amount)


def _iter_once(values: list[Any]) -> Iterator[Any]:
    yield from values


def test_rows_may_come_from_any_iterable_and_equal_a_list() -> None:
    rows = [{"id": "C1"}, {"id": "C2", "secured_amount": 5}]
    a = Portfolio.from_records(customers=_iter_once(rows), as_of="2025-01-01")
    b = Portfolio.from_records(customers=rows, as_of="2025-01-01")
    assert a.customer_ids.tolist() == b.customer_ids.tolist() == ["C1", "C2"]
    np.testing.assert_array_equal(a.customers["secured_amount"], b.customers["secured_amount"])



# --- text read without a Python object per value (issue 14) ----------------------------------------------
#
# Text columns of a pandas frame stored by Arrow are read as fixed-width unicode when that is faithful
# (present, ASCII, no NUL), ids are interned through 64-bit hashes and duplicates found through them.
# Whatever the text, the Portfolio (or the error) is the one the same values give as Python objects.

TEXT = st.text(alphabet=st.sampled_from(["A", "B", "1", "2", " ", "\t", "é", "\x00", "-"]), max_size=4)


def _outcome(build: Callable[[], Portfolio]) -> Any:
    """The tables and rejections of a Portfolio as plain lists, or the error's class and message."""
    try:
        p = build()
    except RiskkitError as exc:
        return type(exc).__name__, str(exc)
    def plain(values: np.ndarray) -> list:
        return ["NaN" if isinstance(v, float) and math.isnan(v) else v for v in values.tolist()]

    tables = {name: {k: plain(p.table(name)[k]) for k in p.table(name)} for name in ("customers", "orders")}
    return tables, [str(r) for r in p.rejected]


@settings(max_examples=150, **SETTINGS)
@given(st.lists(TEXT, min_size=1, max_size=12), st.lists(st.one_of(TEXT, st.none()), max_size=30),
       st.sampled_from(["raise", "collect"]))
def test_text_read_from_arrow_equals_the_same_text_as_objects(ids: list[str], refs: list[str | None],
                                                              errors: str) -> None:
    amounts = [float(k) for k in range(len(refs))]
    dates = ["2025-01-01"] * len(refs)

    def book(dtype: str) -> Callable[[], Portfolio]:
        customers = pd.DataFrame({"id": pd.Series(ids, dtype=dtype)})
        orders = pd.DataFrame({"customer_id": pd.Series(refs, dtype=dtype), "date": pd.Series(dates, dtype=dtype),
                               "amount": amounts})
        return lambda: Portfolio.from_frames(customers=customers, orders=orders, errors=errors)

    assert _outcome(book("str")) == _outcome(book(object))


@settings(max_examples=60, **SETTINGS)
@given(st.lists(TEXT, min_size=1, max_size=12), st.lists(TEXT, max_size=30))
def test_ids_whose_hashes_meet_are_told_apart_by_their_text(ids: list[str], refs: list[str]) -> None:
    from riskkit import _ingest

    def build() -> Portfolio:
        return Portfolio.from_arrays(customers={"id": np.array(ids, dtype=object)},
                                     orders={"customer_id": np.array(refs, dtype=object), "date": ["2025-01-01"] * len(refs),
                                             "amount": [1.0] * len(refs)},
                                     errors="collect")

    expected = _outcome(build)
    original = _ingest.text_hash
    _ingest.text_hash = lambda u: np.zeros(u.size, dtype=np.uint64)  # every text one hash
    try:
        assert _outcome(build) == expected
    finally:
        _ingest.text_hash = original


@settings(max_examples=100, **SETTINGS)
@given(st.lists(TEXT, min_size=1, max_size=40, unique=True), st.lists(TEXT, max_size=200))
def test_increasing_ids_find_the_same_rows_by_binary_search_and_by_hash_table(ids: list[str], keys: list[str]) -> None:
    # ids in increasing order are binary-searched for few keys and looked up through the hash table for many
    # (or once it is built): every key finds the same row either way, -1 for a key not among the ids
    from riskkit._ingest import _Index

    u = np.array(sorted(ids), dtype=object)
    given = np.array(keys + [str(k) for k in u.tolist()][::2], dtype=object)
    expected = [{k: i for i, k in enumerate(u.tolist())}.get(k, -1) for k in given.tolist()]
    searched, hashed = _Index(u), _Index(u)
    if hashed._u is not None:  # (text with a NUL is looked up in a dict instead)
        assert hashed._increasing and hashed._table() is not None
        assert searched.find(given[:1]).tolist() == expected[:1] and searched._hashed is None  # one key: searched
    assert hashed.find(given).tolist() == expected
    assert searched.find(given).tolist() == expected


def test_a_table_column_not_given_is_one_value_repeated_read_only_and_no_caller_array_changes() -> None:
    ids = np.array(["C2", "C1"], dtype=object)
    amount = np.array([5.0, 7.0])
    p = Portfolio.from_arrays(customers={"id": ids}, orders={"customer_id": np.array(["C1", "C1"]),
                                                              "date": ["2025-01-01", "2025-01-02"], "amount": amount})
    assert p.customers["name"].tolist() == ["", ""] and p.orders["currency"].tolist() == ["", ""]
    assert p.orders["quantity"].tolist() == [pytest.approx(float("nan"), nan_ok=True)] * 2
    for view in (p.customers, p.orders):
        for column in view.values():
            assert not column.flags.writeable
    assert ids.flags.writeable and amount.flags.writeable  # the caller's arrays are the caller's
    assert p.customers["id"] is not ids and not np.shares_memory(p.orders["amount"], amount)
    # references are stored as the customers' own ids
    assert all(a is b for a, b in zip(p.orders["customer_id"].tolist(), [p.customers["id"][1]] * 2, strict=True))
