"""Portfolio constructors: one validated path, the same result whichever way the data arrives."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskkit import _schema
from riskkit.errors import RiskkitError, SchemaError, ValidationError
from riskkit.portfolio import EXPOSURE_CATEGORIES, Portfolio, Rejection, TableView, schema
from riskkit.records import (
    CustomerEvent,
    CustomerRecord,
    ExposureRecord,
    FinancialStatement,
    Invoice,
    Order,
    Payment,
)

TABLES = ("customers", "exposures", "invoices", "payments", "orders", "statements", "events")
NAN = float("nan")
Data = dict[str, list[dict[str, Any]]]

# --- one realistic small dataset, every column used, some values missing --------------------

DATA: Data = {
    "customers": [
        {"id": "C001", "name": "Acme GmbH", "industry": "retail", "region": "DE", "established": "1998-04-01",
         "debtor_type": "distributor", "industry_risk": 0.35, "secured_amount": 20000.0, "blocked": False},
        {"id": "C002", "name": "Bolt SA", "industry": "construction", "region": "FR", "established": None,
         "debtor_type": "project", "industry_risk": None, "secured_amount": 0.0, "blocked": True},
        {"id": "C003", "name": "Corvid Ltd", "industry": "", "region": "UK", "established": "2015-09-15",
         "debtor_type": "standard", "industry_risk": -0.1, "secured_amount": None, "blocked": False},
        {"id": "C004", "name": None, "industry": None, "region": None, "established": None,
         "debtor_type": None, "industry_risk": None, "secured_amount": None, "blocked": None},
    ],
    "exposures": [
        {"customer_id": "C001", "credit_limit": 50000.0, "open_orders": 1200.0, "open_deliveries": 300.0, "special": 0.0},
        {"customer_id": "C002", "credit_limit": 10000.0, "open_orders": None, "open_deliveries": 0.0, "special": 2500.0},
        {"customer_id": "C003", "credit_limit": 0.0, "open_orders": 0.0, "open_deliveries": None, "special": None},
    ],
    "invoices": [
        {"id": "I1", "customer_id": "C001", "issued": "2025-01-05", "due": "2025-02-04", "amount": 10000.0,
         "paid_amount": 10000.0, "paid_on": "2025-02-01"},
        {"id": "I2", "customer_id": "C001", "issued": "2025-02-10", "due": "2025-03-12", "amount": 5000.0,
         "paid_amount": 2000.0, "paid_on": "2025-03-20"},
        {"id": "I3", "customer_id": "C002", "issued": "2025-03-01", "due": "2025-04-30", "amount": 7500.5,
         "paid_amount": None, "paid_on": None},
        {"id": "I4", "customer_id": "C003", "issued": "2025-03-15", "due": "2025-06-30", "amount": 1234.56,
         "paid_amount": 0.0, "paid_on": None},
        {"id": "I5", "customer_id": "C002", "issued": "2025-01-20", "due": "2025-02-19", "amount": 3000.0,
         "paid_amount": None, "paid_on": None},
    ],
    "payments": [
        {"invoice_id": "I5", "date": "2025-02-15", "amount": 1000.0},
        {"invoice_id": "I5", "date": "2025-03-01", "amount": 1500.0},
        {"invoice_id": "I2", "date": "2025-03-25", "amount": 1000.0},
    ],
    "orders": [
        {"customer_id": "C001", "date": "2025-03-02", "amount": 8000.0, "quantity": 100.0},
        {"customer_id": "C002", "date": "2025-03-10", "amount": 2500.0, "quantity": None},
        {"customer_id": "C001", "date": "2025-01-15", "amount": 6000.0, "quantity": 80.0},
    ],
    "statements": [
        {"customer_id": "C001", "period_end": "2023-12-31", "revenue": 2.5e6, "ebit": 2.0e5, "net_income": 1.2e5,
         "total_assets": 1.8e6, "total_liabilities": 9.0e5, "current_assets": 7.0e5, "current_liabilities": 4.0e5,
         "retained_earnings": 3.0e5, "equity": 9.0e5, "market_value_equity": None, "operating_cash_flow": 1.5e5,
         "intangible_assets": 5.0e4, "published": "2024-04-30"},
        {"customer_id": "C001", "period_end": "2024-12-31", "revenue": 2.7e6, "ebit": 2.2e5, "net_income": None,
         "total_assets": 1.9e6, "total_liabilities": None, "current_assets": None, "current_liabilities": None,
         "retained_earnings": None, "equity": None, "market_value_equity": None, "operating_cash_flow": None,
         "intangible_assets": None, "published": None},
        {"customer_id": "C002", "period_end": "2024-12-31", "revenue": 8.0e5, "ebit": -6.0e4, "net_income": -9.0e4,
         "total_assets": 6.0e5, "total_liabilities": 7.0e5, "current_assets": 2.0e5, "current_liabilities": 3.5e5,
         "retained_earnings": -2.0e5, "equity": -1.0e5, "market_value_equity": None, "operating_cash_flow": -4.0e4,
         "intangible_assets": 0.0, "published": "2025-03-01"},
    ],
    "events": [
        {"customer_id": "C002", "date": "2025-03-05", "kind": "lawsuit", "amount": 25000.0},
        {"customer_id": "C003", "date": "2025-03-18", "kind": "bank_change", "amount": None},
    ],
}
LATEST_TRANSACTION = dt.date(2025, 3, 25)  # the last payment; invoice I4 falls due later, on 2025-06-30

RECORD_CLASSES: dict[str, type] = {
    "customers": CustomerRecord,
    "exposures": ExposureRecord,
    "invoices": Invoice,
    "payments": Payment,
    "orders": Order,
    "statements": FinancialStatement,
    "events": CustomerEvent,
}

# --- the same data in each input form -------------------------------------------------------------


def _present(table: str, rows: list[dict[str, Any]]) -> list[_schema.Column]:
    return [c for c in _schema.TABLES[table].columns if any(c.name in r for r in rows)]


def _is_iso_day(v: Any) -> bool:
    return isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None and _valid_day(v)


def _valid_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _array(kind: str, values: list[Any]) -> np.ndarray:
    """A column as a user would hold it in numpy: typed where the values allow, object otherwise."""
    def plain(v: Any) -> bool:
        return v is None or (isinstance(v, int | float) and not isinstance(v, bool))

    if kind == "date" and all(v is None or _is_iso_day(v) or type(v) is dt.date for v in values):
        return np.array(["NaT" if v is None else v for v in values], dtype="datetime64[D]")
    if kind in ("money", "signed", "ratio") and all(plain(v) for v in values):
        return np.array([NAN if v is None else v for v in values], dtype=np.float64)
    if kind == "bool" and all(isinstance(v, bool) for v in values):
        return np.array(values, dtype=bool)
    if kind in ("id", "ref", "invref", "text", "kind") and all(isinstance(v, str) and "\x00" not in v for v in values):
        return np.array(values, dtype=str)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def as_records(data: Data) -> dict[str, Any]:
    return copy.deepcopy(data)


def as_arrays(data: Data) -> dict[str, Any]:
    return {
        name: {c.name: _array(c.kind, [r.get(c.name) for r in rows]) for c in _present(name, rows)}
        for name, rows in data.items()
    }


def as_objects(data: Data) -> dict[str, Any]:
    return {name: [RECORD_CLASSES[name](**row) for row in rows] for name, rows in data.items()}


def as_frames(data: Data) -> dict[str, Any]:
    frames = {}
    for name, rows in data.items():
        df = pd.DataFrame({c.name: [r.get(c.name) for r in rows] for c in _present(name, rows)})
        for c in _schema.TABLES[name].columns:
            if c.kind == "date" and c.name in df:
                df[c.name] = pd.to_datetime(df[c.name])
        frames[name] = df
    return frames


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def write_csv(path: Path, header: list[str], rows: list[list[Any]], delimiter: str = ",") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows([[_cell(v) for v in row] for row in rows])
    return path


def as_csv(data: Data, directory: Path) -> dict[str, Any]:
    paths = {}
    for name, rows in data.items():
        header = list(_schema.TABLES[name].names)
        paths[name] = write_csv(directory / f"{name}.csv", header, [[r.get(c) for c in header] for r in rows])
    return paths


def build(how: str, data: Data, tmp_path: Path | None = None, **options: Any) -> Portfolio:
    if how == "records":
        return Portfolio.from_records(**as_records(data), **options)
    if how == "arrays":
        return Portfolio.from_arrays(**as_arrays(data), **options)
    if how == "objects":
        return Portfolio.from_objects(**as_objects(data), **options)
    if how == "frames":
        return Portfolio.from_frames(**as_frames(data), **options)
    if how == "categories":  # every text column a pandas categorical
        return Portfolio.from_frames(**{name: df.astype({c: "category" for c in df if df[c].dtype == object})
                                        for name, df in as_frames(data).items()}, **options)
    if how == "arrow":
        return Portfolio.from_arrow(**as_arrow(data), **options)
    if how == "parquet":
        import pyarrow.parquet as pq

        assert tmp_path is not None
        paths = {}
        for name, table in as_arrow(data).items():
            paths[name] = tmp_path / f"{name}.parquet"
            pq.write_table(table, paths[name], row_group_size=2)  # several row groups: several chunks
        return Portfolio.from_parquet(**paths, **options)
    assert tmp_path is not None
    return Portfolio.from_csv(**as_csv(data, tmp_path), **options)


def as_arrow(data: Data) -> dict[str, Any]:
    """Arrow tables of ``data``, customer references dictionary-encoded and in chunks of two rows."""
    import pyarrow as pa

    out = {}
    for name, df in as_frames(data).items():
        table = pa.Table.from_pandas(df, preserve_index=False)
        if "customer_id" in table.column_names:
            i = table.column_names.index("customer_id")
            table = table.set_column(i, "customer_id", table.column(i).dictionary_encode())
        out[name] = pa.Table.from_batches(table.to_batches(max_chunksize=2), schema=table.schema)
    return out


CONSTRUCTORS = ("records", "arrays", "objects", "frames", "categories", "arrow", "parquet", "csv")


def assert_same(p: Portfolio, q: Portfolio) -> None:
    """Every column of every table equal, with the same dtype; same as_of and statistical categories."""
    assert p.as_of == q.as_of
    assert p.statistical == q.statistical
    for name in TABLES:
        a, b = p.table(name), q.table(name)
        assert list(a) == list(b), name
        for column in a:
            x, y = a[column], b[column]
            assert x.dtype == y.dtype, f"{name}.{column}: {x.dtype} != {y.dtype}"
            np.testing.assert_array_equal(x, y, err_msg=f"{name}.{column}", strict=True)
            if x.dtype == object:
                assert all(type(v) is str for v in x.tolist()), f"{name}.{column} holds non-str values"
                assert all(type(v) is str for v in y.tolist()), f"{name}.{column} holds non-str values"


@pytest.fixture
def portfolio() -> Portfolio:
    return Portfolio.from_records(**as_records(DATA))


# --- constructors agree ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", CONSTRUCTORS)
def test_every_constructor_gives_the_same_portfolio(how: str, tmp_path: Path, portfolio: Portfolio) -> None:
    other = build(how, DATA, tmp_path)
    assert_same(portfolio, other)
    assert other.rejected == ()


def test_the_portfolio_holds_the_data_as_given(portfolio: Portfolio) -> None:
    p = portfolio
    assert repr(p) == "Portfolio(4 customers, 5 invoices, 3 payments, 3 orders, 3 statements, 2 events, as_of=2025-03-25)"
    assert p.customer_ids.tolist() == ["C001", "C002", "C003", "C004"]
    c = p.customers
    assert c["name"].tolist() == ["Acme GmbH", "Bolt SA", "Corvid Ltd", ""]
    assert c["debtor_type"].tolist() == ["distributor", "project", "standard", "standard"]
    np.testing.assert_array_equal(c["established"], np.array(["1998-04-01", "NaT", "2015-09-15", "NaT"], "datetime64[D]"))
    np.testing.assert_array_equal(c["industry_risk"], [0.35, NAN, -0.1, NAN])
    np.testing.assert_array_equal(c["secured_amount"], [20000.0, 0.0, NAN, NAN])  # None: unknown, not 0
    np.testing.assert_array_equal(c["blocked"], [False, True, False, False])
    np.testing.assert_array_equal(p.exposures["customer"], [0, 1, 2])
    np.testing.assert_array_equal(p.exposures["open_orders"], [1200.0, 0.0, 0.0])
    inv = p.invoices
    assert inv["customer"].dtype == np.int64 and inv["customer"].tolist() == [0, 0, 1, 2, 1]
    np.testing.assert_array_equal(inv["paid_amount"], [10000.0, 2000.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(inv["paid_on"], np.array(["2025-02-01", "2025-03-20", "NaT", "NaT", "NaT"], "datetime64[D]"))
    assert p.payments["invoice"].tolist() == [4, 4, 1]
    np.testing.assert_array_equal(p.orders["quantity"], [100.0, NAN, 80.0])
    s = p.statements
    assert math.isnan(s["net_income"][1]) and s["ebit"][2] == -6.0e4 and s["equity"][2] == -1.0e5
    assert p.events["kind"].tolist() == ["lawsuit", "bank_change"]
    np.testing.assert_array_equal(p.events["amount"], [25000.0, NAN])
    for name in TABLES:
        for column, values in p.table(name).items():
            if _schema.TABLES[name].names.count(column):
                kind = _schema.TABLES[name].column(column).kind
                expected = {"date": "datetime64[D]", "money": "float64", "signed": "float64", "ratio": "float64",
                            "amount": "float64", "bool": "bool"}.get(kind, "object")
                assert values.dtype == np.dtype(expected), (name, column)


def test_missing_optional_columns_take_their_defaults() -> None:
    p = Portfolio.from_arrays(
        customers={"id": np.array(["A", "B"])},
        invoices={"id": ["I1"], "customer_id": ["B"], "issued": ["2025-01-01"], "due": ["2025-01-31"], "amount": [10]},
        orders={"customer_id": ["A"], "date": np.array(["2025-01-02"], "datetime64[D]"), "amount": np.array([5.0])},
    )
    assert p.customers["debtor_type"].tolist() == ["standard", "standard"]
    assert p.customers["name"].tolist() == ["", ""]
    assert np.isnan(p.customers["industry_risk"]).all() and not p.customers["blocked"].any()
    assert np.isnat(p.customers["established"]).all()
    assert p.invoices["paid_amount"].tolist() == [0.0] and np.isnat(p.invoices["paid_on"]).all()
    assert np.isnan(p.orders["quantity"]).all()
    assert p.invoices["amount"].dtype == np.float64 and p.invoices["amount"].tolist() == [10.0]
    assert {name: p.table(name).n_rows for name in TABLES} == {
        "customers": 2, "exposures": 0, "invoices": 1, "payments": 0, "orders": 1, "statements": 0, "events": 0
    }


ids = st.text(min_size=1, max_size=6).filter(lambda s: s.strip() != "")
days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31))
money = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
signed = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@st.composite
def valid_data(draw: st.DrawFn) -> Data:
    cids = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    customers = [
        {"id": cid, "name": draw(st.none() | st.text(max_size=5)), "established": draw(st.none() | days),
         "industry_risk": draw(st.none() | signed), "secured_amount": draw(money), "blocked": draw(st.booleans())}
        for cid in cids
    ]
    exposures = [{"customer_id": cid, "credit_limit": draw(money), "special": draw(st.none() | money)}
                 for cid in draw(st.lists(st.sampled_from(cids), unique=True))]
    invoices, payments = [], []
    for iid in draw(st.lists(ids, max_size=8, unique=True)):
        issued = draw(days)
        amount = draw(money)
        row = {"id": iid, "customer_id": draw(st.sampled_from(cids)), "issued": issued,
               "due": issued + dt.timedelta(days=draw(st.integers(0, 120))), "amount": amount}
        share = draw(st.sampled_from([0.0, 0.25, 1.0]))
        if amount * share > 0:
            row.update(paid_amount=amount * share, paid_on=issued + dt.timedelta(days=draw(st.integers(0, 90))))
        invoices.append(row)
        for part in draw(st.lists(st.sampled_from([0.1, 0.2, 0.25]), max_size=3)):
            if share < 1.0:
                payments.append({"invoice_id": iid, "date": issued + dt.timedelta(days=draw(st.integers(0, 90))),
                                 "amount": amount * part})
    orders = [{"customer_id": draw(st.sampled_from(cids)), "date": draw(days), "amount": draw(money),
               "quantity": draw(st.none() | money)} for _ in range(draw(st.integers(0, 4)))]
    statements = [{"customer_id": cid, "period_end": end, "revenue": draw(st.none() | money),
                   "ebit": draw(st.none() | signed), "published": draw(st.none() | st.just(end + dt.timedelta(days=90)))}
                  for cid, end in draw(st.lists(st.tuples(st.sampled_from(cids), days), max_size=4,
                                                unique=True))]
    events = [{"customer_id": draw(st.sampled_from(cids)), "date": draw(days),
               "kind": draw(st.sampled_from(["lawsuit", "broken_promise", "bank_change"])),
               "amount": draw(st.none() | money)} for _ in range(draw(st.integers(0, 3)))]
    return {"customers": customers, "exposures": exposures, "invoices": invoices, "payments": payments,
            "orders": orders, "statements": statements, "events": events}


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_data())
def test_from_records_and_from_arrays_agree_on_random_valid_data(data: Data) -> None:
    p = Portfolio.from_records(**as_records(data))
    assert p.rejected == ()
    assert_same(p, Portfolio.from_arrays(**as_arrays(data)))
    assert p.customer_ids.tolist() == [c["id"] for c in data["customers"]]
    assert p.invoices.n_rows == len(data["invoices"]) and p.payments.n_rows == len(data["payments"])


@st.composite
def corrupted_data(draw: st.DrawFn) -> Data:
    data = draw(valid_data())
    bad_values = [None, -1.0, NAN, float("inf"), "12", True, "", "C-unknown", "2025-02-30",
                  dt.datetime(2025, 1, 1, 12, 0)]
    for _ in range(draw(st.integers(1, 4))):
        table = draw(st.sampled_from([t for t in TABLES if data[t]]))
        row = draw(st.sampled_from(data[table]))
        field = draw(st.sampled_from(sorted(row)))
        row[field] = draw(st.sampled_from(bad_values))
    return data


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corrupted_data())
def test_collect_mode_drops_nothing_silently(data: Data) -> None:
    try:
        p = Portfolio.from_records(**as_records(data), errors="collect")
    except ValidationError as exc:
        # a load that loses every customer or every invoice is an error, the same from every constructor
        assert str(exc).startswith("every row of ")
        with pytest.raises(ValidationError, match=r"^every row of "):
            Portfolio.from_arrays(**as_arrays(data), errors="collect")
        return
    q = Portfolio.from_arrays(**as_arrays(data), errors="collect")
    assert_same(p, q)
    assert {(r.table, r.row, r.field) for r in p.rejected} == {(r.table, r.row, r.field) for r in q.rejected}
    for name in TABLES:
        rejected_rows = {r.row for r in p.rejected if r.table == name and not r.kept}
        assert p.table(name).n_rows + len(rejected_rows) == len(data[name]), name
    for r in p.rejected:
        assert r.reason and str(r).startswith(f"{r.table} row {r.row}")


# --- bad input: one case per rule, in raise and collect mode ------------------------------------------


class Case:
    """Change ``changes`` in DATA; expect a rejection at ``where`` showing the value as ``shown`` (or one of them)."""

    def __init__(
        self,
        name: str,
        changes: dict[tuple[str, int, str], Any],
        where: tuple[str, int, str],
        shown: str | tuple[str, ...],
        reason: str,
    ) -> None:
        self.name, self.changes, self.where, self.shown, self.reason = name, changes, where, shown, reason

    def data(self) -> Data:
        data = copy.deepcopy(DATA)
        for (table, row, field), value in self.changes.items():
            data[table][row][field] = value
        return data


def one(table: str, row: int, field: str, value: Any, shown: str | tuple[str, ...], reason: str, name: str) -> Case:
    return Case(name, {(table, row, field): value}, (table, row, field), shown, reason)


CASES = [
    one("payments", 1, "amount", -5.0, "-5.0", "is negative; expected a number >= 0", "negative money"),
    one("invoices", 1, "amount", NAN, "nan", "is missing", "NaN money"),
    one("invoices", 1, "amount", float("inf"), "inf", "is not finite", "infinite money"),
    one("invoices", 1, "amount", "5000", "'5000'", "is of type str; expected a real number", "string in money"),
    one("invoices", 1, "amount", True, "True", "is of type bool; expected a real number", "bool in money"),
    one("invoices", 1, "amount", None, ("None", "nan"), "is missing; it is required", "missing required value"),
    one("invoices", 1, "issued", dt.datetime(2025, 2, 10, 14, 30), "2025-02-10 14:30:00", "has a time of day",
        "datetime with a time of day"),
    one("invoices", 1, "due", "2025-02-30", "'2025-02-30'", "is not a valid date", "impossible date"),
    one("invoices", 1, "due", "2025-02-09", "2025-02-09", "is before 'issued' (2025-02-10)", "due before issued"),
    Case("paid_amount without paid_on", {("invoices", 1, "paid_on"): None}, ("invoices", 1, "paid_amount"),
         "2000.0", "is set without 'paid_on'"),
    Case("paid_on without paid_amount", {("invoices", 1, "paid_amount"): 0.0}, ("invoices", 1, "paid_on"),
         "2025-03-20", "is set but 'paid_amount' is 0; give the amount paid"),
    one("invoices", 2, "customer_id", "C999", "'C999'", "is not a known customer id", "unknown customer"),
    one("invoices", 3, "id", "I1", "'I1'", "is a duplicate (first at row 0)", "duplicate invoice id"),
    one("invoices", 3, "id", "  ", "'  '", "is empty; it is required", "blank invoice id"),
    one("customers", 3, "id", "C001", "'C001'", "is a duplicate (first at row 0)", "duplicate customer id"),
    one("customers", 2, "id", "", "''", "is empty; it is required", "empty customer id"),
    one("customers", 1, "blocked", "yes", "'yes'", "is of type str; expected True or False", "string in bool"),
    one("customers", 0, "secured_amount", -1.0, "-1.0", "is negative", "negative optional money"),
    one("customers", 0, "name", 42, "42", "is of type int; expected text", "number in text"),
    one("customers", 2, "industry_risk", float("-inf"), "-inf", "is not finite", "infinite ratio"),
    one("customers", 0, "established", "01/04/1998", "'01/04/1998'", "is not a valid date", "non-ISO date"),
    one("exposures", 2, "customer_id", "C001", "'C001'",
        "is a duplicate (first at row 0); give one exposure row per customer", "duplicate exposure row"),
    one("exposures", 1, "credit_limit", "10k", "'10k'", "is of type str", "string credit limit"),
    one("exposures", 0, "open_orders", False, "False", "is of type bool", "bool in optional money"),
    one("events", 0, "kind", "sued", "'sued'", "is not a known event kind; known: ", "unknown event kind"),
    one("events", 1, "date", dt.datetime(2025, 3, 18, 9, 0), "2025-03-18 09:00:00", "has a time of day",
        "event datetime"),
    Case("duplicate statement", {("statements", 2, "customer_id"): "C001"}, ("statements", 2, "period_end"),
         "2024-12-31", "is a duplicate (first at row 1) for this customer and period_end"),
    one("statements", 0, "published", "2023-12-30", "2023-12-30", "is before 'period_end' (2023-12-31)",
        "published before period_end"),
    one("statements", 1, "total_assets", float("inf"), "inf", "is not finite", "infinite statement item"),
    one("statements", 2, "revenue", -1.0, "-1.0", "is negative", "negative revenue"),
    one("payments", 1, "invoice_id", "I999", "'I999'", "is not a known invoice id", "unknown invoice"),
    one("payments", 0, "amount", False, "False", "is of type bool", "bool payment"),
    one("orders", 1, "amount", -1.0, "-1.0", "is negative", "negative order"),
    one("orders", 0, "quantity", "100", "'100'", "is of type str", "string quantity"),
]


def _expected_message(case: Case) -> str:
    """A regex for the start of the message: table, row, the row's id when it has one, field, value, reason."""
    table, row, field = case.where
    shown = case.shown if isinstance(case.shown, tuple) else (case.shown,)
    return (
        re.escape(f"{table} row {row}") + r"(?: \(id '[^']*'\))?"
        + re.escape(f": field {field!r} (") + "(?:" + "|".join(map(re.escape, shown)) + ")"
        + re.escape(f") {case.reason}")
    )


def _surviving(data: Data, case: Case) -> dict[str, list[int]]:
    """Rows that should survive collect mode: all but the bad one and the rows that depend on it."""
    table, row, _ = case.where
    keep = {name: list(range(len(rows))) for name, rows in data.items()}
    keep[table].remove(row)
    ids = {data["customers"][i]["id"] for i in keep["customers"]}
    for name in ("exposures", "invoices", "orders", "statements", "events"):
        keep[name] = [i for i in keep[name] if data[name][i]["customer_id"] in ids]
    invoice_ids = {data["invoices"][i]["id"] for i in keep["invoices"]}
    keep["payments"] = [i for i in keep["payments"] if data["payments"][i]["invoice_id"] in invoice_ids]
    return keep


@pytest.mark.parametrize("how", ["records", "arrays"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_row_raises_naming_table_row_field_and_value(case: Case, how: str) -> None:
    with pytest.raises(ValidationError, match=_expected_message(case)) as info:
        build(how, case.data())
    err = info.value
    assert isinstance(err, RiskkitError) and isinstance(err, ValueError)
    assert (err.table, err.row, err.field) == case.where
    assert "more bad row" not in str(err)


@pytest.mark.parametrize("how", ["records", "arrays"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_row_is_collected_with_its_dependents(case: Case, how: str) -> None:
    data = case.data()
    p = build(how, data, errors="collect")
    table, row, field = case.where
    first = [r for r in p.rejected if (r.table, r.row) == (table, row)]
    assert len(first) == 1
    assert (first[0].field, first[0].reason) == (field, first[0].reason)
    assert re.match(_expected_message(case), str(first[0])), str(first[0])
    if _schema.TABLES[table].column(field).blankable:
        # a descriptive field: blanked and listed, the row kept
        assert first[0].kept and len(p.rejected) == 1
        assert str(first[0]).endswith("; the field was left blank and the row kept")
        data[table][row][field] = None
        assert_same(p, Portfolio.from_records(**as_records(data)))
        return
    assert not first[0].kept
    keep = _surviving(data, case)
    assert {(r.table, r.row) for r in p.rejected} == {
        (name, i) for name, rows in data.items() for i in range(len(rows)) if i not in keep[name]
    }
    for r in p.rejected:
        if (r.table, r.row) != (table, row):  # a dependent row says what it depended on
            assert r.reason in ("refers to a customer that was rejected", "refers to an invoice that was rejected",
                                "is not a known customer id"), str(r)
    clean = {name: [rows[i] for i in keep[name]] for name, rows in data.items()}
    assert_same(p, Portfolio.from_records(**as_records(clean)))


def test_dependents_of_a_rejected_customer_are_rejected_with_a_reason() -> None:
    data = copy.deepcopy(DATA)
    data["customers"][1]["blocked"] = "no"  # C002: has an exposure, invoices I3 and I5, payments, orders ...
    p = Portfolio.from_records(**data, errors="collect")
    got = [(r.table, r.row, r.field, r.id, r.reason) for r in p.rejected]
    customer = "refers to a customer that was rejected"
    invoice = "refers to an invoice that was rejected"
    assert got == [
        ("customers", 1, "blocked", "C002", "is of type str; expected True or False"),
        ("exposures", 1, "customer_id", "C002", customer),
        ("invoices", 2, "customer_id", "I3", customer),
        ("invoices", 4, "customer_id", "I5", customer),
        ("orders", 1, "customer_id", "C002", customer),
        ("statements", 2, "customer_id", "C002", customer),
        ("events", 0, "customer_id", "C002", customer),
        ("payments", 0, "invoice_id", "I5", invoice),
        ("payments", 1, "invoice_id", "I5", invoice),
    ]
    assert p.customer_ids.tolist() == ["C001", "C003", "C004"]
    assert p.invoices["id"].tolist() == ["I1", "I2", "I4"]
    assert p.invoices["customer"].tolist() == [0, 0, 1]  # codes follow the clean customers
    assert p.payments["invoice"].tolist() == [1]
    assert str(p.rejected[7]) == "payments row 0 (id 'I5'): field 'invoice_id' ('I5') refers to an invoice that was rejected"
    assert isinstance(p.rejected[0], Rejection) and p.rejected[0].value == "no"


def test_raise_reports_the_first_bad_row_and_counts_the_others() -> None:
    data = copy.deepcopy(DATA)
    data["invoices"][3]["amount"] = "-"
    data["invoices"][1]["due"] = "2025-01-01"
    data["invoices"][1]["amount"] = "x"
    with pytest.raises(ValidationError) as info:
        Portfolio.from_records(**data)
    message = str(info.value)
    assert message.startswith("invoices row 1 (id 'I2'): field 'amount' ('x') is of type str")
    # row 1 has two bad fields, row 3 one: one more bad *row*
    assert message.endswith("(and 1 more bad row(s) in invoices; pass errors='collect' to get them all)")
    p = Portfolio.from_records(**data, errors="collect")
    assert [(r.row, r.field) for r in p.rejected if r.table == "invoices"] == [(1, "amount"), (3, "amount")]


def test_two_bad_fields_on_one_row_are_one_bad_row() -> None:
    with pytest.raises(ValidationError) as info:
        Portfolio.from_records(customers=[{"id": "C1", "name": 5, "region": 6}])
    assert str(info.value) == "customers row 0 (id 'C1'): field 'name' (5) is of type int; expected text"


def test_payments_in_many_parts_may_sum_exactly_to_the_amount() -> None:
    n = 20_000
    issued = np.datetime64("2025-01-01") + (np.arange(n) % 300).astype("timedelta64[D]")
    amount = np.round(np.linspace(0.3, 9999.7, n), 2)
    inv_ids = np.array([f"I{i}" for i in range(n)])
    parts = np.stack([amount * 0.1] * 10, axis=1)  # ten tenths, summing to the amount up to rounding
    p = Portfolio.from_arrays(
        customers={"id": np.array(["C"])},
        invoices={"id": inv_ids, "customer_id": np.full(n, "C"), "issued": issued, "due": issued, "amount": amount},
        payments={"invoice_id": np.repeat(inv_ids, 10), "date": np.repeat(issued, 10), "amount": parts.ravel()},
    )
    assert p.payments.n_rows == 10 * n


# --- schema errors ------------------------------------------------------------------------------------


REQUIRED = [(name, column) for name in TABLES for column in _schema.TABLES[name].required]


@pytest.mark.parametrize("errors", ["raise", "collect"])
@pytest.mark.parametrize(("table", "column"), REQUIRED, ids=[f"{t}.{c}" for t, c in REQUIRED])
def test_missing_required_column_is_a_schema_error(table: str, column: str, errors: str, tmp_path: Path) -> None:
    data = copy.deepcopy(DATA)
    for row in data[table]:
        del row[column]
    for how in ("records", "arrays", "frames"):
        with pytest.raises(SchemaError, match=f"{table}: missing required column.*{column!r}") as info:
            build(how, data, errors=errors)
        assert isinstance(info.value, KeyError) and isinstance(info.value, RiskkitError)
    header = [c for c in _schema.TABLES[table].names if c != column]
    paths = as_csv(DATA, tmp_path)
    paths[table] = write_csv(tmp_path / "cut.csv", header, [[r.get(c) for c in header] for r in DATA[table]])
    with pytest.raises(SchemaError, match=f"missing required column.*{column!r}"):
        Portfolio.from_csv(**paths, errors=errors)


def test_unknown_columns() -> None:
    data = copy.deepcopy(DATA)
    data["orders"][0]["colour"] = "red"
    with pytest.raises(SchemaError, match=r"orders: unknown column\(s\) 'colour'; accepted columns: customer_id"):
        Portfolio.from_records(**data)
    assert_same(Portfolio.from_records(**data, unknown_columns="ignore"), Portfolio.from_records(**DATA))


def test_an_empty_table_needs_no_columns() -> None:
    p = Portfolio.from_records(customers=[{"id": "A"}], invoices=[], events=[])
    assert p.invoices.n_rows == 0 and p.invoices["issued"].dtype == np.dtype("datetime64[D]")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"errors": "ignore"}, "errors must be 'raise' or 'collect', got 'ignore'"),
        ({"unknown_columns": "drop"}, "unknown_columns must be 'error' or 'ignore', got 'drop'"),
        ({"orders": {"customer_id": ["A", "A"], "date": ["2025-01-01"], "amount": [1.0, 2.0]}},
         "orders: columns have different lengths: customer_id=2, date=1, amount=2"),
        ({"orders": {"customer_id": np.array([["A"]]), "date": ["2025-01-01"], "amount": [1.0]}},
         "orders: column 'customer_id' must be a one-dimensional numpy array, list or tuple with one value per "
         "row, got shape (1, 1)"),
        ({"orders": [1, 2]}, "orders: expected a mapping of column name to values, got list"),
    ],
)
def test_structural_errors(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(match)):
        Portfolio.from_arrays(customers={"id": ["A"]}, **kwargs)


def test_portfolio_init_needs_every_table() -> None:
    with pytest.raises(SchemaError, match="missing"):
        Portfolio({"customers": {"id": np.array(["A"], dtype=object)}})


# --- arrays ---------------------------------------------------------------------------------------------


def orders_with(**columns: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"customer_id": np.array(["A", "A"]),
                            "date": np.array(["2025-01-01", "2025-01-02"], "datetime64[D]"),
                            "amount": np.array([1.0, 2.0])}
    base.update(columns)
    return base


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("date", np.array(["2025-01-01T00:00", "2025-01-02T13:45"], "datetime64[ns]"),
         "orders row 1 (id 'A'): field 'date' (2025-01-02 13:45:00) has a time of day"),
        ("date", np.array(["2025-01", "2025-02"], "datetime64[M]"),
         "orders row 0 (id 'A'): field 'date' (2025-01) is a year, month or week, not a day"),
        ("date", np.array(["2025-01-01", ""]), "orders row 1 (id 'A'): field 'date' ('') is not a valid date"),
        ("date", np.array(["2025-01-01", "2025-1-2"]), "orders row 1 (id 'A'): field 'date' ('2025-1-2') is not a valid date"),
        ("date", np.array([20250101, 20250102]), "orders row 0 (id 'A'): field 'date' (20250101) is of type int"),
        ("amount", np.array([1, 2], "timedelta64[D]"), "orders row 0 (id 'A'): field 'amount' (1 days) is of type timedelta64"),
        ("amount", np.array([1, 2], "timedelta64[ns]"), "orders row 0 (id 'A'): field 'amount' (1 nanoseconds) is of type timedelta64"),
        ("amount", np.array([True, False]), "orders row 0 (id 'A'): field 'amount' (True) is of type bool"),
        ("amount", np.array(["1.0", "2.0"]), "orders row 0 (id 'A'): field 'amount' ('1.0') is of type str"),
        ("amount", np.array([1.0, -0.0001]), "orders row 1 (id 'A'): field 'amount' (-0.0001) is negative"),
        ("amount", np.array([1.0, np.nan]), "orders row 1 (id 'A'): field 'amount' (nan) is missing"),
        ("customer_id", np.array([1.0, 2.0]), "orders row 0: field 'customer_id' (1.0) is of type float"),
        ("customer_id", np.array(["A", " "]), "orders row 1 (id ' '): field 'customer_id' (' ') is empty"),
    ],
)
def test_arrays_refuse_without_coercing(column: str, values: np.ndarray, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        Portfolio.from_arrays(customers={"id": np.array(["A"])}, orders=orders_with(**{column: values}))
    assert str(info.value).startswith(message)


def test_arrays_accept_text_dates_and_integer_ids() -> None:
    text = Portfolio.from_arrays(customers={"id": np.array(["1", "2"])},
                                 orders=orders_with(customer_id=np.array(["2", "1"]), date=np.array(["2025-01-01", "2025-01-02"])))
    ints = Portfolio.from_arrays(customers={"id": np.array([1, 2])},
                                 orders=orders_with(customer_id=np.array([2, 1]), amount=np.array([1, 2])))
    assert_same(text, ints)
    assert text.orders["customer"].tolist() == [1, 0]


def test_arrays_with_nul_characters_in_ids() -> None:
    ids = np.empty(3, dtype=object)
    ids[:] = ["A", "A\x00", "\x00"]
    refs = np.empty(3, dtype=object)
    refs[:] = ["A\x00", "\x00", "A"]
    p = Portfolio.from_arrays(customers={"id": ids}, orders=orders_with(customer_id=refs, amount=np.ones(3),
                                                                       date=np.full(3, np.datetime64("2025-01-01"))))
    assert p.orders["customer"].tolist() == [1, 2, 0]
    with pytest.raises(ValidationError, match="duplicate"):
        Portfolio.from_arrays(customers={"id": np.array(["A\x00", "A\x00"], dtype=object)})


def test_arrays_are_read_only_and_not_shared_with_the_input() -> None:
    arrays = as_arrays(DATA)
    p = Portfolio.from_arrays(**arrays)
    for name in TABLES:
        for column, values in p.table(name).items():
            assert not values.flags.writeable, f"{name}.{column}"
            with pytest.raises(ValueError, match="read-only"):
                values[0] = values[0]
    given = arrays["invoices"]["amount"]
    assert given.flags.writeable  # the caller's arrays are left alone
    for name in TABLES:
        for column, values in arrays[name].items():
            if column in p.table(name):
                assert not np.shares_memory(values, p.table(name)[column]), f"{name}.{column}"
    given[0] = 1.0
    assert p.invoices["amount"][0] == 10000.0


# --- pandas ---------------------------------------------------------------------------------------------


def test_frames_with_nullable_dtypes() -> None:
    customers = pd.DataFrame({
        "id": pd.array(["C1", "C2", "C3"], dtype="string"),
        "name": pd.array(["Acme", pd.NA, "Corvid"], dtype="string"),
        "industry_risk": pd.array([0.5, pd.NA, -1.0], dtype="Float64"),
        "secured_amount": pd.array([pd.NA, 10, 0], dtype="Int64"),
        "blocked": pd.array([True, pd.NA, False], dtype="boolean"),
        "established": pd.to_datetime(["2001-02-03", None, "2010-01-01"]).astype("datetime64[ns]"),
    })
    invoices = pd.DataFrame({
        "id": pd.array(["I1", "I2"], dtype="string"),
        "customer_id": pd.Categorical(["C2", "C1"]),
        "issued": pd.to_datetime(["2025-01-01", "2025-01-05"]).astype("datetime64[s]"),
        "due": pd.to_datetime(["2025-01-31", "2025-02-04"]).astype("datetime64[ms]"),
        "amount": pd.array([100.0, 250.5], dtype="Float64"),
        "paid_amount": pd.array([pd.NA, 50.0], dtype="Float64"),
        "paid_on": pd.to_datetime([None, "2025-01-20"]).astype("datetime64[us]"),
    })
    statements = pd.DataFrame({"customer_id": ["C1"], "period_end": pd.to_datetime(["2024-12-31"]),
                               "revenue": pd.array([pd.NA], dtype="Float64")})
    p = Portfolio.from_frames(customers=customers, invoices=invoices, statements=statements)
    q = Portfolio.from_records(
        customers=[{"id": "C1", "name": "Acme", "industry_risk": 0.5, "blocked": True, "established": "2001-02-03"},
                   {"id": "C2", "secured_amount": 10.0},
                   {"id": "C3", "name": "Corvid", "industry_risk": -1.0, "secured_amount": 0.0, "blocked": False,
                    "established": "2010-01-01"}],
        invoices=[{"id": "I1", "customer_id": "C2", "issued": "2025-01-01", "due": "2025-01-31", "amount": 100.0},
                  {"id": "I2", "customer_id": "C1", "issued": "2025-01-05", "due": "2025-02-04", "amount": 250.5,
                   "paid_amount": 50.0, "paid_on": "2025-01-20"}],
        statements=[{"customer_id": "C1", "period_end": "2024-12-31"}],
    )
    assert_same(p, q)


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("amount", pd.array([100.0, pd.NA], dtype="Float64"), "invoices row 1 (id 'I2'): field 'amount' (nan) is missing"),
        ("amount", pd.array([True, False], dtype="boolean"), "invoices row 0 (id 'I1'): field 'amount' (True) is of type bool"),
        ("amount", pd.Series([True, False]), "invoices row 0 (id 'I1'): field 'amount' (True) is of type bool"),
        ("amount", pd.array(["100", "5"], dtype="string"), "invoices row 0 (id 'I1'): field 'amount' ('100') is of type str"),
        ("id", pd.array(["I1", pd.NA], dtype="string"), "invoices row 1: field 'id' (None) is missing; it is required"),
        ("issued", pd.to_datetime(["2025-01-01", "2025-01-02 08:00"], format="ISO8601").astype("datetime64[ns]"),
         "invoices row 1 (id 'I2'): field 'issued' (2025-01-02 08:00:00) has a time of day"),
        ("issued", pd.to_datetime(["2025-01-01", None]).astype("datetime64[ns]"),
         "invoices row 1 (id 'I2'): field 'issued' (None) is missing; it is required"),
        ("issued", pd.Series([pd.Timestamp("2025-01-01", tz="UTC"), pd.Timestamp("2025-01-02", tz="Europe/Paris")],
                             dtype=object),
         "invoices row 0 (id 'I1'): field 'issued' (2025-01-01 00:00:00+00:00) has a time of day or time zone"),
        ("paid_on", pd.to_datetime(["2025-01-01 00:00:00.5", None], format="ISO8601"),
         "invoices row 0 (id 'I1'): field 'paid_on' (2025-01-01 00:00:00.500000) has a time of day"),
        ("customer_id", pd.array([1, 2], dtype="Int64"), "invoices row 0 (id 'I1'): field 'customer_id' ('1') is not a known customer id"),
        ("customer_id", pd.Series([1.0, 2.0]), "invoices row 0 (id 'I1'): field 'customer_id' (1.0) is of type float"),
    ],
)
def test_frames_refuse_without_coercing(column: str, values: Any, message: str) -> None:
    invoices = pd.DataFrame({"id": ["I1", "I2"], "customer_id": ["C1", "C1"],
                             "issued": pd.to_datetime(["2025-01-01", "2025-01-02"]),
                             "due": pd.to_datetime(["2025-01-31", "2025-02-01"]), "amount": [100.0, 5.0],
                             "paid_amount": [100.0, 0.0], "paid_on": pd.to_datetime(["2025-01-05", None])})
    invoices[column] = values
    with pytest.raises(ValidationError) as info:
        Portfolio.from_frames(customers=pd.DataFrame({"id": ["C1"]}), invoices=invoices)
    assert str(info.value).startswith(message)


def test_frames_with_integer_ids() -> None:
    p = Portfolio.from_frames(
        customers=pd.DataFrame({"id": pd.array([10, 20], dtype="Int64")}),
        orders=pd.DataFrame({"customer_id": [20, 10], "date": pd.to_datetime(["2025-01-01"] * 2), "amount": [1, 2]}),
    )
    assert p.customer_ids.tolist() == ["10", "20"] and p.orders["customer"].tolist() == [1, 0]


@pytest.mark.parametrize("errors", ["raise", "collect"])
def test_frames_refuse_time_zones(errors: str) -> None:
    orders = pd.DataFrame({"customer_id": ["C1"], "date": pd.to_datetime(["2025-01-01"]).tz_localize("Europe/Berlin"),
                           "amount": [1.0]})
    with pytest.raises(ValidationError, match="orders: column 'date' has a time zone \\(Europe/Berlin\\); give plain dates") as info:
        Portfolio.from_frames(customers=pd.DataFrame({"id": ["C1"]}), orders=orders, errors=errors)
    assert (info.value.table, info.value.field) == ("orders", "date")


def test_frames_row_numbers_are_positions_not_index_labels() -> None:
    orders = pd.DataFrame({"customer_id": ["C1", "C1"], "date": pd.to_datetime(["2025-01-01"] * 2),
                           "amount": [1.0, -2.0]}, index=[100, 7])
    with pytest.raises(ValidationError, match=r"^orders row 1 "):
        Portfolio.from_frames(customers=pd.DataFrame({"id": ["C1"]}), orders=orders)


def test_frames_must_be_frames_with_unique_columns() -> None:
    with pytest.raises(ValidationError, match="customers: expected a pandas DataFrame, got dict"):
        Portfolio.from_frames(customers={"id": ["A"]})
    df = pd.DataFrame([["A", "B"]], columns=["id", "id"])
    with pytest.raises(ValidationError, match=r"duplicate column names \['id'\]"):
        Portfolio.from_frames(customers=df)


# --- CSV ------------------------------------------------------------------------------------------------


def csv_portfolio(tmp_path: Path, header: list[str], rows: list[list[Any]], **options: Any) -> Portfolio:
    customers = write_csv(tmp_path / "customers.csv", ["id"], [["C1"]])
    orders = write_csv(tmp_path / "orders.csv", header, rows)
    return Portfolio.from_csv(customers=customers, orders=orders, **options)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1,000", "orders row 2 (id 'C1'): field 'amount' ('1,000') is of type str; expected a real number"),
        ("1_000", "orders row 2 (id 'C1'): field 'amount' ('1_000') is of type str"),
        ("nan", "orders row 2 (id 'C1'): field 'amount' ('nan') is of type str"),
        ("inf", "orders row 2 (id 'C1'): field 'amount' (inf) is not finite"),
        ("-3", "orders row 2 (id 'C1'): field 'amount' (-3.0) is negative"),
        ("", "orders row 2 (id 'C1'): field 'amount' (nan) is missing; it is required"),
        ("١٢", "orders row 2 (id 'C1'): field 'amount' ('١٢') is of type str"),
    ],
)
def test_csv_numbers_are_plain_decimals(tmp_path: Path, cell: str, message: str) -> None:
    rows = [["C1", "2025-01-01", "1.5"], ["C1", "2025-01-02", " 2e3 "], ["C1", "2025-01-03", cell]]
    with pytest.raises(ValidationError) as info:
        csv_portfolio(tmp_path, ["customer_id", "date", "amount"], rows)
    assert str(info.value).startswith(message)
    p = csv_portfolio(tmp_path, ["customer_id", "date", "amount"], rows, errors="collect")
    assert p.orders["amount"].tolist() == [1.5, 2000.0]
    assert [(r.row, r.field) for r in p.rejected] == [(2, "amount")]


def test_csv_cells(tmp_path: Path) -> None:
    customers = write_csv(
        tmp_path / "c.csv",
        ["id", "blocked", "established", "industry_risk", "name"],
        [["A", "yes", "", "-0.5", "  Acme  "], ["B", "0", "2001-01-01", "", ""], ["C", "", " 2002-02-02 ", "1e-3", "x"]],
    )
    p = Portfolio.from_csv(customers=customers)
    assert p.customers["blocked"].tolist() == [True, False, False]
    np.testing.assert_array_equal(p.customers["established"], np.array(["NaT", "2001-01-01", "2002-02-02"], "datetime64[D]"))
    np.testing.assert_array_equal(p.customers["industry_risk"], [-0.5, NAN, 0.001])
    assert p.customers["name"].tolist() == ["Acme", "", "x"]
    bad = write_csv(tmp_path / "b.csv", ["id", "blocked"], [["A", "true"], ["B", "maybe"]])
    with pytest.raises(ValidationError, match=r"customers row 1 \(id 'B'\): field 'blocked' \('maybe'\) is of type str; expected True or False"):
        Portfolio.from_csv(customers=bad)


def test_csv_delimiter_encoding_and_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id;name\nA;Café\n", encoding="utf-8-sig")
    p = Portfolio.from_csv(customers=path, delimiter=";")
    assert p.customer_ids.tolist() == ["A"] and p.customers["name"].tolist() == ["Café"]
    path.write_bytes("id,name\nA,Café\n".encode("latin-1"))
    with pytest.raises(ValidationError, match=r"is not valid utf-8.*pass encoding="):
        Portfolio.from_csv(customers=path)
    assert Portfolio.from_csv(customers=path, encoding="latin-1").customers["name"].tolist() == ["Café"]


def test_csv_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"customers: cannot read '.*missing\.csv'"):
        Portfolio.from_csv(customers=tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValidationError, match="is empty; expected a header row"):
        Portfolio.from_csv(customers=empty)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("id,name\nA,x\nB,y,z\n")
    with pytest.raises(ValidationError, match=r"customers row 1: line 3 of .* has 3 fields, the header has 2") as info:
        Portfolio.from_csv(customers=ragged)
    assert info.value.row == 1
    # collecting: the ragged line is a rejected row and the load goes on
    p = Portfolio.from_csv(customers=ragged, errors="collect")
    assert p.customer_ids.tolist() == ["A"]
    assert [(r.table, r.row, r.field) for r in p.rejected] == [("customers", 1, None)]
    dupes = tmp_path / "dupes.csv"
    dupes.write_text("id,name,name\nA,x,y\n")
    with pytest.raises(ValidationError, match=r"duplicate column names \['name'\]"):
        Portfolio.from_csv(customers=dupes)


# --- as_of ----------------------------------------------------------------------------------------------


def test_as_of_defaults_to_the_latest_transaction_never_a_due_date(portfolio: Portfolio) -> None:
    assert portfolio.as_of == LATEST_TRANSACTION
    assert portfolio.invoices["due"].max() > np.datetime64(LATEST_TRANSACTION)
    assert portfolio.resolve_as_of() == np.datetime64("2025-03-25")
    only_open = Portfolio.from_records(customers=[{"id": "A"}], invoices=[
        {"id": "I", "customer_id": "A", "issued": "2025-01-01", "due": "2025-12-31", "amount": 1.0}])
    assert only_open.as_of == dt.date(2025, 1, 1)


@pytest.mark.parametrize(
    ("table", "row", "expected"),
    [
        ("invoices", {"id": "I", "customer_id": "A", "issued": "2024-01-01", "due": "2024-01-02", "amount": 2.0,
                      "paid_amount": 2.0, "paid_on": "2024-06-01"}, "2024-06-01"),
        ("orders", {"customer_id": "A", "date": "2024-02-01", "amount": 1.0}, "2024-02-01"),
        ("events", {"customer_id": "A", "date": "2024-03-01", "kind": "lawsuit"}, "2024-03-01"),
        ("statements", {"customer_id": "A", "period_end": "2023-12-31"}, "2023-12-31"),
        ("statements", {"customer_id": "A", "period_end": "2023-12-31", "published": "2024-04-15"}, "2024-04-15"),
    ],
)
def test_as_of_counts_every_transaction_date(table: str, row: dict[str, Any], expected: str) -> None:
    p = Portfolio.from_records(customers=[{"id": "A", "established": "2030-01-01"}], **{table: [row]})
    assert p.as_of == dt.date.fromisoformat(expected)


def test_as_of_argument() -> None:
    for value in ("2025-01-31", dt.date(2025, 1, 31), dt.datetime(2025, 1, 31), np.datetime64("2025-01-31")):
        p = Portfolio.from_records(**DATA, as_of=value)
        assert p.as_of == dt.date(2025, 1, 31) and type(p.as_of) is dt.date
        assert p.resolve_as_of("2025-02-01") == np.datetime64("2025-02-01", "D")
    for value in ("31.01.2025", dt.datetime(2025, 1, 31, 12), 20250131):
        with pytest.raises(ValidationError, match="as_of") as info:
            Portfolio.from_records(**DATA, as_of=value)
        assert info.value.field == "as_of"
    with pytest.raises(ValidationError, match="as_of"):
        Portfolio.from_records(**DATA).resolve_as_of("soon")


def test_as_of_without_any_dates_is_today() -> None:
    assert Portfolio.from_records(customers=[{"id": "A"}]).as_of == dt.date.today()


# --- statistical exposure categories ----------------------------------------------------------------------


def test_statistical_categories() -> None:
    assert Portfolio.from_records(**DATA).statistical == frozenset()
    p = Portfolio.from_records(**DATA, statistical=["open_orders", "special"])
    assert p.statistical == frozenset({"open_orders", "special"})
    assert Portfolio.from_records(**DATA, statistical="special").statistical == frozenset({"special"})
    assert Portfolio.from_records(**DATA, statistical=iter(EXPOSURE_CATEGORIES)).statistical == frozenset(EXPOSURE_CATEGORIES)
    with pytest.raises(ValidationError, match=r"unknown statistical exposure categories \['open_invoice'\]; accepted: open_orders, open_deliveries, open_invoices, special") as info:
        Portfolio.from_records(**DATA, statistical=["open_orders", "open_invoice"])
    assert info.value.field == "statistical"


# --- TableView and codes -------------------------------------------------------------------------------------


def test_table_view(portfolio: Portfolio) -> None:
    view = portfolio.invoices
    assert isinstance(view, TableView) and isinstance(view, Mapping)
    assert view is portfolio.table("invoices") and view.name == "invoices"
    derived = ["customer", "applies", "rate", "doc_amount", "doc_paid_amount", "doc_residual"]
    assert list(view) == [*_schema.TABLES["invoices"].names, *derived]
    assert list(portfolio.payments) == [*_schema.TABLES["payments"].names, "invoice", "customer", "rate", "doc_amount"]
    assert list(portfolio.customers) == list(_schema.TABLES["customers"].names)
    assert len(view) == 18 and view.n_rows == 5
    assert repr(view).startswith(
        "TableView('invoices', 5 rows, columns=['id', 'customer_id', 'issued', 'due', 'amount', "
        "'paid_amount', 'paid_on', 'kind', 'credit', 'currency', 'applies_to', 'residual', 'customer', "
    )
    assert "amount" in view and "__row__" not in view and "nope" not in view
    assert view.get("nope") is None
    with pytest.raises(SchemaError, match="table 'invoices' has no column 'nope'; columns: id, customer_id") as info:
        view["nope"]
    assert isinstance(info.value, KeyError) and str(info.value).startswith("table 'invoices'")
    np.testing.assert_array_equal(portfolio.customer_ids[view["customer"]], view["customer_id"])
    np.testing.assert_array_equal(portfolio.invoices["id"][portfolio.payments["invoice"]], portfolio.payments["invoice_id"])
    df = view.to_pandas()
    assert list(df.columns) == list(view) and len(df) == 5
    np.testing.assert_array_equal(df["amount"].to_numpy(), view["amount"])
    assert portfolio.events.n_rows == 2 and len(portfolio) == portfolio.n_customers == 4
    with pytest.raises(SchemaError, match="unknown table 'nope'; tables: customers, exposures"):
        portfolio.table("nope")
    assert TableView("empty", {}).n_rows == 0


def test_schema_description() -> None:
    described = schema()
    # the seven core tables first, then the optional ones (insurance, ...), each table of the schema once
    assert list(described)[: len(TABLES)] == list(TABLES) and list(described) == list(_schema.TABLES)
    assert described["invoices"]["amount"].startswith("amount, required")
    assert described["invoices"]["due"].startswith("date, optional: due date; required for an invoice")
    assert described["invoices"]["paid_on"] == "date, optional"
    assert described["customers"]["id"].startswith("id, required")


def test_codes(portfolio: Portfolio) -> None:
    codes = portfolio.codes(["C003", "C001", "C003"])
    assert codes.dtype == np.int64 and codes.tolist() == [2, 0, 2]
    assert portfolio.codes(np.array(["C004"])).tolist() == [3]
    assert portfolio.codes([]).tolist() == [] and portfolio.codes([]).dtype == np.int64
    with pytest.raises(ValidationError, match="unknown customer id 'C999'") as info:
        portfolio.codes(["C001", "C999"])
    assert (info.value.field, info.value.value) == ("customer_id", "C999")
    with pytest.raises(ValidationError, match="unknown customer id 1"):
        portfolio.codes([1])
    with pytest.raises(ValidationError, match=r"unknown customer id \['C001'\]"):
        portfolio.codes([["C001"]])
    with pytest.raises(ValidationError, match=r"got the single string 'C001'; pass \['C001'\]"):
        portfolio.codes("C001")


# --- objects and records ---------------------------------------------------------------------------------------


class ErpCustomer:
    def __init__(self, number: int) -> None:
        self.id, self.name, self.industry, self.region, self.established = str(number), f"Firm {number}", "", "", None
        self.credit_rating = "A"  # not read


class ErpExposure:
    customer_id = "7"
    credit_limit = 500.0
    open_orders = 10.0
    open_deliveries = 0.0
    special = 0.0


def test_from_objects_reads_an_erps_own_objects() -> None:
    p = Portfolio.from_objects(customers=[ErpCustomer(7), ErpCustomer(8)], exposures=[ErpExposure()])
    q = Portfolio.from_records(customers=[{"id": "7", "name": "Firm 7"}, {"id": "8", "name": "Firm 8"}],
                               exposures=[{"customer_id": "7", "credit_limit": 500.0, "open_orders": 10.0,
                                           "open_deliveries": 0.0, "special": 0.0}])
    assert_same(p, q)


def test_from_objects_names_a_missing_attribute() -> None:
    class Half:
        id = "A"
        name = "x"

    with pytest.raises(ValidationError, match=r"customers\[1\] \(Half\) does not satisfy riskkit.Customer: missing attribute\(s\) 'industry', 'region', 'established'"):
        Portfolio.from_objects(customers=[ErpCustomer(1), Half()])


def test_from_records_needs_mappings() -> None:
    with pytest.raises(ValidationError, match="customers row 1: expected a mapping of field to value, got tuple"):
        Portfolio.from_records(customers=[{"id": "A"}, ("B",)])


def test_a_key_missing_from_one_row_is_a_missing_value() -> None:
    with pytest.raises(ValidationError, match=r"orders row 1 \(id 'A'\): field 'amount' \(None\) is missing; it is required"):
        Portfolio.from_records(customers=[{"id": "A"}], orders=[{"customer_id": "A", "date": "2025-01-01", "amount": 1.0},
                                                                {"customer_id": "A", "date": "2025-01-01"}])


def test_records_and_ingest_agree_on_what_is_refused() -> None:
    """A value a record refuses is refused by every constructor, with the same reason."""
    for field, value in [("amount", "1"), ("due", "2025-01-01"), ("paid_amount", 1.0), ("issued", "2025-1-1"),
                         ("due", None), ("currency", "EURO"), ("kind", "refund")]:
        row = {"id": "I1", "customer_id": "C1", "issued": "2025-01-10", "due": "2025-02-09", "amount": 10.0, field: value}
        with pytest.raises(ValidationError) as from_record:
            Invoice(**row)
        with pytest.raises(ValidationError) as from_rows:
            Portfolio.from_records(customers=[{"id": "C1"}], invoices=[row])
        reason = str(from_record.value).split(") ", 1)[1]
        assert str(from_rows.value).endswith(reason), (field, str(from_rows.value), reason)


def test_rejections_have_the_documented_types() -> None:
    data = copy.deepcopy(DATA)
    data["invoices"][0]["amount"] = np.float64(np.inf)
    data["customers"][3]["id"] = None
    p = Portfolio.from_records(**data, errors="collect")
    assert [(r.table, r.row, r.id, r.field, r.value) for r in p.rejected] == [
        ("customers", 3, None, "id", None),  # an id that is not known is None, not ""
        ("invoices", 0, "I1", "amount", np.inf),
    ]
    for r in p.rejected:
        assert type(r.row) is int and type(r.reason) is str
    assert type(p.rejected[1].value) is float  # plain Python values, not numpy scalars


def _read_in_threads(table: TableView, column: str, threads: int = 8) -> list[np.ndarray]:
    """``table[column]`` read by several threads at once: what each got."""
    import threading

    got: list[np.ndarray] = []
    started = [threading.Thread(target=lambda: got.append(table[column])) for _ in range(threads)]
    for t in started:
        t.start()
    for t in started:
        t.join()
    return got


def test_a_customer_reference_column_is_read_through_the_codes(portfolio: Portfolio) -> None:
    """invoices.customer_id (and the other tables whose rows all name a customer) is made when asked for,
    from the customers' own id strings: equal to what was given, the same column to every thread."""

    inv = portfolio.invoices
    assert "customer_id" not in inv._columns  # nothing kept per row until asked for
    assert list(inv)[:2] == ["id", "customer_id"]  # the schema's order all the same
    got = _read_in_threads(inv, "customer_id")
    assert all(g is got[0] for g in got) and not got[0].flags.writeable
    assert got[0].tolist() == ["C001", "C001", "C002", "C003", "C002"]
    assert all(v is portfolio.customer_ids[c] for v, c in zip(got[0].tolist(), inv["customer"].tolist(), strict=True))
    assert inv.to_pandas()["customer_id"].tolist() == got[0].tolist()
    # a Portfolio built from tables without the column reads it the same way
    rebuilt = Portfolio({name: {k: v for k, v in portfolio.table(name).items() if k != "customer_id"}
                         for name in schema()} | {"customers": dict(portfolio.customers)},
                        as_of=portfolio.as_of)
    assert rebuilt.orders["customer_id"].tolist() == portfolio.orders["customer_id"].tolist()


@pytest.mark.parametrize("ids", [["I1", "I22", "I3"], ["Köln-1", "I22", "Z\u00e9"]], ids=["ascii", "beyond-ascii"])
def test_invoice_ids_given_as_fixed_width_text_are_kept_compactly(ids: list[str]) -> None:
    """The invoices' ids given without Python objects (a unicode array, as Arrow and Parquet give them) are
    kept as bytes (or as that text) and made into strings when first read: the same column, the same
    rejections and duplicates found, rows readable one by one without making the rest."""
    import pickle

    def book(given: Any, errors: str = "raise") -> Portfolio:
        return Portfolio.from_arrays(
            customers={"id": ["C1", "C2"]},
            invoices={"id": given, "customer_id": ["C1", "C2", "C1"], "issued": ["2025-01-01"] * 3,
                      "due": ["2025-01-31"] * 3, "amount": [10.0, 20.0, 30.0]},
            payments={"invoice_id": [ids[1]], "date": ["2025-02-01"], "amount": [20.0]},
            as_of="2025-03-01", errors=errors)  # type: ignore[arg-type]

    given = np.array(ids)
    compact, plain = book(given), book(np.array(ids, dtype=object))
    inv = compact.invoices
    assert "id" not in inv._columns and inv.n_rows == 3  # nothing made per row yet
    assert given.flags.writeable  # the caller's array is not the one kept
    assert inv.take("id", np.array([2, 0])).tolist() == [ids[2], ids[0]] and inv.take("id", 1) == ids[1]
    assert type(inv.take("id", 1)) is str
    assert "id" not in inv._columns
    got = _read_in_threads(inv, "id")
    assert all(g is got[0] for g in got) and not got[0].flags.writeable and got[0].dtype == object
    assert got[0].tolist() == ids == plain.invoices["id"].tolist()
    assert all(type(v) is str for v in got[0].tolist())
    assert compact.payments["invoice"].tolist() == plain.payments["invoice"].tolist() == [1]
    np.testing.assert_array_equal(compact.features().to_numpy(), plain.features().to_numpy())
    assert pickle.loads(pickle.dumps(book(given).invoices))["id"].tolist() == ids  # a table pickles compact
    # a duplicate id is found and named as in the object column
    twice = np.array([ids[0], ids[1], ids[0]])
    with pytest.raises(ValidationError, match=re.escape(repr(ids[0]))):
        book(twice)
    dropped = book(twice, errors="collect")
    assert dropped.invoices["id"].tolist() == ids[:2] == book(twice.astype(object), errors="collect").invoices["id"].tolist()
    assert [(r.row, r.id, r.field) for r in dropped.rejected] == [(2, ids[0], "id")]


@pytest.mark.parametrize("missing", [False, True], ids=["no-missing", "a-missing-reference"])
def test_frames_with_repeated_arrow_text_read_as_objects_would_be(missing: bool,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow-backed text columns whose values repeat (references, currencies, kinds) are read as their
    distinct values and a code per row: the same tables and rejections as the same frames given as
    Python objects, non-ASCII text, bad currencies, unknown and missing references included."""
    pytest.importorskip("pyarrow")
    from riskkit import portfolio as portfolio_module

    n_customers, per = 600, 25
    ids = np.array([f"C{i:04d}" for i in range(n_customers - 1)] + ["Ölwerk-9"], dtype=object)
    cust = np.repeat(ids, per)
    n = cust.size
    assert n >= portfolio_module._REPEATED_MIN_ROWS
    currency = np.where(np.arange(n) % 7 == 0, "USD", "EUR").astype(object)
    currency[11], currency[12] = "usd", "DOLLARS"  # lower case is read as USD; a bad code is rejected
    refs = cust.copy()
    refs[5] = "UNKNOWN"
    if missing:
        refs[8] = None
    invoices = {"id": np.array([f"I{i}" for i in range(n)], dtype=object), "customer_id": refs,
                "issued": np.full(n, "2025-03-01"), "due": np.full(n, "2025-04-01"),
                "amount": np.full(n, 100.0), "currency": currency}
    rates = {"date": ["2025-01-01"], "currency": ["USD"], "rate": [0.9]}

    def load(dtype: Any) -> Portfolio:
        frames = {"customers": pd.DataFrame({"id": pd.array(ids, dtype=dtype)}),
                  "invoices": pd.DataFrame({k: pd.array(v, dtype=dtype) if v.dtype == object else v
                                            for k, v in invoices.items()})}
        return Portfolio.from_frames(**frames, as_of="2025-06-30", currency="EUR", rates=rates, errors="collect")

    coded: dict[str, bool] = {}
    repeated = portfolio_module._repeated_text

    def spy(chunked: Any, reference: bool = False) -> Any:
        out = repeated(chunked, reference)
        coded[chunked[0].as_py()] = out is not None  # by the column's first value
        return out

    monkeypatch.setattr(portfolio_module, "_repeated_text", spy)
    arrow, objects = load("string[pyarrow]"), load(object)
    # the references (unless one is missing), currencies and dates given as text went by codes; the ids not
    assert coded == {"C0000": not missing, "USD": True, "I0": False, "2025-03-01": True, "2025-04-01": True}
    assert pd.api.types.is_string_dtype(pd.array(refs, dtype="string[pyarrow]").dtype)
    for name in ("customers", "invoices"):
        a, b = arrow.table(name), objects.table(name)
        assert list(a) == list(b)
        for column in a:
            np.testing.assert_array_equal(np.asarray(a[column]), np.asarray(b[column]))
    assert [str(r) for r in arrow.rejected] == [str(r) for r in objects.rejected]
    assert len(arrow.rejected) == 2 + missing and arrow.invoices["customer_id"][-1] == "Ölwerk-9"


def test_a_portfolio_pickles_and_deep_copies_without_what_was_computed_from_it() -> None:
    """A Portfolio goes through pickle (joblib, multiprocessing) and copy.deepcopy as its book: the same
    tables and the same features, computed again on the other side; its cache and locks stay behind."""
    import pickle

    import riskkit
    from riskkit import _ledger

    p, _ = riskkit.datasets.make_portfolio(150, seed=9)
    features = p.features()
    _ledger.payment_events(p)  # the ledger (with its lock) is in the cache
    for other in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p)):
        assert other._cache == {} and other.as_of == p.as_of and other.currency == p.currency
        for name in ("customers", "invoices", "payments", "orders"):
            a, b = p.table(name), other.table(name)
            assert list(a) == list(b)
            for column in a:
                np.testing.assert_array_equal(np.asarray(a[column]), np.asarray(b[column]))
        np.testing.assert_array_equal(other.features().to_numpy(), features.to_numpy())
    assert p._cache  # the original keeps what it computed
