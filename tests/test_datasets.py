"""Tests of riskkit.datasets: the synthetic book, its outcomes and the German credit data."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import attrs
import numpy as np
import pytest

import riskkit.datasets as datasets
from riskkit import Outcomes
from riskkit._schema import TABLES
from riskkit.datasets import REGIMES, load_german_credit, make_portfolio
from riskkit.datasets._synthetic import DEFAULT_AS_OF, generate
from riskkit.errors import ValidationError

#: The optional tables the synthetic book does not make (a book without them is unchanged).
NOT_GENERATED = ("insurance", "promises", "disputes")
TABLES = {name: table for name, table in TABLES.items() if name not in NOT_GENERATED}

EVENT_KINDS = {
    "lawsuit",
    "asset_freeze",
    "asset_pledge",
    "legal_rep_change",
    "broken_promise",
    "bounced_payment",
    "key_person_change",
    "contact_unreachable",
    "bank_change",
    "limit_increase_request",
    "explanation_change",
    "discount_stopped",
    "instrument_change",
}


Book = tuple[dict[str, dict[str, np.ndarray]], dict[str, np.ndarray]]

# payment terms (due - issued, days) each regime uses
TERMS = {regime: {30, 60, 90} for regime in REGIMES} | {"mixed_terms": {14, 30, 60, 90, 120}}


@pytest.fixture(scope="module", params=REGIMES)
def regime(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def book(regime: str) -> Book:
    """A 3000-customer book of each regime: the structural tests below run on every one."""
    return generate(3000, seed=0, regime=regime)


def _days(a: np.ndarray) -> np.ndarray:
    return a.astype("datetime64[D]").astype(np.int64)


def _codes(ids: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Position of each of ``keys`` in ``ids`` (all must be present)."""
    order = np.argsort(ids)
    pos = np.searchsorted(ids, keys, sorter=order)
    codes = order[np.minimum(pos, ids.size - 1)]
    assert (ids[codes] == keys).all()
    return codes


def _assert_books_equal(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].keys() == b[name].keys(), name
        for col in a[name]:
            np.testing.assert_array_equal(a[name][col], b[name][col], err_msg=f"{name}.{col}")


# --- public surface ----------------------------------------------------------------


def test_all_is_sorted_and_complete() -> None:
    # isort-style (ruff's RUF022): constants first, then classes, then functions
    assert datasets.__all__ == ["REGIMES", "book_parts", "load_german_credit", "make_portfolio"]
    for name in datasets.__all__:
        assert hasattr(datasets, name)


def test_book_parts_make_one_book_with_unique_ids() -> None:
    parts = list(datasets.book_parts(2500, per_part=1000, seed=4))
    assert [len(t["customers"]["id"]) for t, _ in parts] == [1000, 1000, 500]
    assert [len(o) for _, o in parts] == [1000, 1000, 500]
    customers = np.concatenate([t["customers"]["id"] for t, _ in parts])
    assert customers.tolist() == [f"C{i:05d}" for i in range(1, 2501)]
    invoices = np.concatenate([t["invoices"]["id"] for t, _ in parts])
    assert len(set(invoices.tolist())) == invoices.size
    assert invoices[0] == "INV0000001" and all(len(i) == 10 for i in invoices[:: 997].tolist())
    first, _ = generate(10, seed=0)
    for tables, outcomes in parts:
        assert {name: list(cols) for name, cols in tables.items()} == {n: list(c) for n, c in first.items()}
        ids = set(tables["customers"]["id"].tolist())
        for name in ("exposures", "invoices", "orders", "statements", "events"):
            assert set(tables[name]["customer_id"].tolist()) <= ids  # a customer's rows are in its part
        assert set(tables["payments"]["invoice_id"].tolist()) <= set(tables["invoices"]["id"].tolist())
        np.testing.assert_array_equal(outcomes.customer_ids, tables["customers"]["id"])
    # the parts differ from one another (own random streams) and are deterministic
    assert parts[0][0]["invoices"]["amount"][:50].tolist() != parts[1][0]["invoices"]["amount"][:50].tolist()
    again = next(datasets.book_parts(2500, per_part=1000, seed=4))[0]
    np.testing.assert_array_equal(again["invoices"]["amount"], parts[0][0]["invoices"]["amount"])
    late = next(datasets.book_parts(50, seed=4, regime="late_payers", as_of="2025-06-30"))[0]
    assert late["invoices"]["issued"].max() <= np.datetime64("2025-06-30")
    with pytest.raises(ValidationError):
        next(datasets.book_parts(0))
    with pytest.raises(ValidationError):
        next(datasets.book_parts(10, per_part=0))
    with pytest.raises(ValidationError, match="regime"):
        next(datasets.book_parts(10, regime="boom"))


def test_regimes() -> None:
    assert REGIMES == ("default", "late_payers", "seasonal", "sudden", "growth", "mixed_terms")
    assert datasets.make_portfolio.__kwdefaults__ == {"regime": "default", "write_offs": False}
    for name in REGIMES:  # every regime is documented
        assert f'``"{name}"``' in (datasets.make_portfolio.__doc__ or "")


@pytest.mark.parametrize("bad", ["recession", "Default", "", None, 3, ("default",)])
def test_unknown_regime_is_rejected(bad: object) -> None:
    with pytest.raises(ValidationError, match="regime") as info:
        generate(10, regime=bad)  # type: ignore[arg-type]
    for name in REGIMES:  # the message lists them
        assert repr(name) in str(info.value)
    with pytest.raises(ValidationError, match="regime"):
        make_portfolio(10, regime=bad)  # type: ignore[arg-type]


def test_default_regime_is_the_default() -> None:
    a, b = generate(200, seed=2), generate(200, seed=2, regime="default")
    _assert_books_equal(a[0], b[0])
    _assert_books_equal({"o": a[1]}, {"o": b[1]})


# --- generate: shape and determinism -----------------------------------------------


@pytest.mark.parametrize("regime", REGIMES)
def test_same_seed_same_book(regime: str) -> None:
    first = generate(300, seed=5, regime=regime)
    second = generate(300, seed=5, regime=regime)
    _assert_books_equal(first[0], second[0])
    _assert_books_equal({"o": first[1]}, {"o": second[1]})


def _book_hash(tables: dict[str, Any], outcomes: dict[str, Any]) -> str:
    """SHA-256 of every column (name, dtype, shape and bytes) of a generated book."""
    digest = hashlib.sha256()
    for name in [*sorted(tables), "outcomes"]:
        table = outcomes if name == "outcomes" else tables[name]
        for col, values in table.items():
            assert values.dtype != object, f"{name}.{col}"
            digest.update(f"{name}.{col}:{values.dtype.str}:{values.shape}".encode())
            digest.update(np.ascontiguousarray(values).tobytes())
    return digest.hexdigest()


# Pinned before the regimes were added: the default book must never change, bit for bit
# (tests, docs and benchmarks quote its figures).
@pytest.mark.parametrize(
    ("n", "seed", "as_of", "expected"),
    [
        (1000, 0, None, "ad071152b6ea0aa72d858501a32fc5e5122cf3c3d536faf4cd739da7f68aa216"),
        (300, 7, "2024-06-30", "80df16b87e191ae6e8af7c6a9caa4d7c8ede9f72950bb084a75c0b13331ee92d"),
    ],
)
def test_default_book_is_pinned(n: int, seed: int, as_of: str | None, expected: str) -> None:
    assert _book_hash(*generate(n, seed=seed, as_of=as_of)) == expected


def test_default_book_figures_are_pinned() -> None:
    tables, outcomes = generate(1000, seed=0)
    sizes = {name: next(iter(table.values())).size for name, table in tables.items()}
    assert sizes == {
        "customers": 1000,
        "exposures": 1000,
        "invoices": 19941,
        "payments": 896,
        "orders": 22602,
        "statements": 2483,
        "events": 744,
    }
    assert int(outcomes["defaulted"].sum()) == 76
    assert round(float(tables["invoices"]["amount"].sum()), 2) == 540865186.55
    assert tables["invoices"]["id"][-1] == "INV0019941"
    np.testing.assert_array_equal(
        outcomes["default_date"][outcomes["defaulted"] == 1][:3],
        np.array(["2025-06-03", "2026-02-08", "2025-06-06"], dtype="datetime64[D]"),
    )


@pytest.mark.parametrize("regime", REGIMES[1:])
def test_regimes_differ_from_the_default_but_keep_its_customers(regime: str) -> None:
    tables, outcomes = generate(300, seed=5, regime=regime)
    base, base_outcomes = generate(300, seed=5)
    _assert_books_equal({"o": outcomes}, {"o": base_outcomes})
    for col in ("id", "industry", "region", "debtor_type"):
        np.testing.assert_array_equal(tables["customers"][col], base["customers"][col])
    assert tables["invoices"]["id"].size != base["invoices"]["id"].size or not np.array_equal(
        tables["invoices"]["paid_on"], base["invoices"]["paid_on"]
    )


@pytest.mark.parametrize("regime", REGIMES)
def test_different_seeds_differ(regime: str) -> None:
    a, _ = generate(300, seed=1, regime=regime)
    b, _ = generate(300, seed=2, regime=regime)
    assert a["invoices"]["amount"].size != b["invoices"]["amount"].size or not np.array_equal(
        a["invoices"]["amount"], b["invoices"]["amount"]
    )
    assert not np.array_equal(a["customers"]["industry"], b["customers"]["industry"])


@pytest.mark.parametrize("regime", REGIMES)
def test_default_as_of_is_fixed(regime: str) -> None:
    assert np.datetime64("2025-12-31") == DEFAULT_AS_OF
    a, _ = generate(100, seed=3, regime=regime)
    for as_of in (dt.date(2025, 12, 31), "2025-12-31", np.datetime64("2025-12-31")):
        b, _ = generate(100, seed=3, as_of=as_of, regime=regime)
        _assert_books_equal(a, b)


@pytest.mark.parametrize("bad", ["yesterday", 20251231, 3.5, np.datetime64("NaT")])
def test_bad_as_of_is_rejected(bad: object) -> None:
    with pytest.raises(ValidationError, match="as_of"):
        generate(10, as_of=bad)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "10"])
def test_bad_size_is_rejected(bad: object) -> None:
    with pytest.raises(ValueError, match="n_customers"):
        generate(bad)  # type: ignore[arg-type]


def test_tables_have_exactly_the_schema_columns(book: Book) -> None:
    tables, _ = book
    assert set(tables) == set(TABLES)
    for name, table in TABLES.items():
        # every schema column but the optional ERP ones (currency, kinds, credit notes, residuals)
        erp = {"currency", "kind", "credit", "applies_to", "residual"} if name != "events" else {"currency"}
        if name == "payments":
            erp |= {"customer_id"}
        if name == "customers":
            erp |= {"parent_id", "group_limit"}  # corporate groups: the synthetic book has none
        assert tuple(tables[name]) == tuple(c for c in table.names if c not in erp), name
        sizes = {col: tables[name][col].shape for col in tables[name]}
        assert len(set(sizes.values())) == 1, sizes


def test_required_columns_are_filled(book: Book) -> None:
    tables, _ = book
    for name, table in TABLES.items():
        for col in table.required:
            values = tables[name][col]
            if values.dtype.kind == "M":
                assert not np.isnat(values).any(), f"{name}.{col}"
            elif values.dtype.kind == "f":
                assert np.isfinite(values).all(), f"{name}.{col}"
            else:
                assert (np.char.str_len(values.astype(str)) > 0).all(), f"{name}.{col}"


def test_column_types(book: Book) -> None:
    tables, _ = book
    for name, table in TABLES.items():
        for column in table.columns:
            if column.name not in tables[name]:
                continue
            values = tables[name][column.name]
            if column.kind == "date":
                assert values.dtype == np.dtype("datetime64[D]"), (name, column.name)
            elif column.kind in ("money", "signed", "ratio", "amount"):
                assert values.dtype == np.float64, (name, column.name)
            elif column.kind == "bool":
                assert values.dtype == bool, (name, column.name)
            else:
                assert values.dtype.kind in "UO", (name, column.name)


def test_sizes(book: Book) -> None:
    tables, outcomes = book
    n = 3000
    assert tables["customers"]["id"].size == n
    assert tables["exposures"]["customer_id"].size == n
    assert 15 * n <= tables["invoices"]["id"].size <= 25 * n
    assert tables["orders"]["date"].size >= 6 * n
    assert tables["statements"]["period_end"].size > n
    assert tables["events"]["date"].size > 0
    assert tables["payments"]["date"].size > 0
    assert outcomes["customer_ids"].size == n


def test_ids_are_unique_and_well_formed(book: Book) -> None:
    tables, outcomes = book
    cust = tables["customers"]["id"]
    inv = tables["invoices"]["id"]
    assert np.unique(cust).size == cust.size
    assert np.unique(inv).size == inv.size
    assert all(re.fullmatch(r"C\d{5}", c) for c in cust[:50])
    assert all(re.fullmatch(r"INV\d{7}", i) for i in inv[:50])
    assert np.array_equal(outcomes["customer_ids"], cust)
    assert np.array_equal(tables["exposures"]["customer_id"], cust)
    known = set(cust.tolist())
    for name in ("invoices", "orders", "statements", "events"):
        assert set(tables[name]["customer_id"].tolist()) <= known, name
    assert set(tables["payments"]["invoice_id"].tolist()) <= set(inv.tolist())


# --- generate: invariants ------------------------------------------------------------


def test_money_is_never_negative(book: Book) -> None:
    tables, _ = book
    for name, table in TABLES.items():
        for column in table.columns:
            if column.kind == "money" and column.name in tables[name]:  # optional columns not generated
                values = tables[name][column.name]
                finite = values[~np.isnan(values)]
                assert (finite >= 0).all(), (name, column.name)
                assert np.isfinite(finite).all(), (name, column.name)
    assert (tables["invoices"]["amount"] > 0).all()


def test_invoice_dates_and_payments_are_consistent(book: Book, regime: str) -> None:
    tables, _ = book
    inv = tables["invoices"]
    issued, due, paid_on = _days(inv["issued"]), _days(inv["due"]), inv["paid_on"]
    assert (due >= issued).all()
    assert set(np.unique(due - issued).tolist()) == TERMS[regime]
    # one customer, one set of terms
    terms = np.zeros(tables["customers"]["id"].size, dtype=np.int64)
    cust = _codes(tables["customers"]["id"], inv["customer_id"])
    terms[cust] = due - issued
    assert (terms[cust] == due - issued).all()
    paid = ~np.isnat(paid_on)
    assert (_days(paid_on[paid]) >= issued[paid]).all()
    assert (inv["paid_amount"] <= inv["amount"]).all()
    # paid_amount and paid_on go together
    assert np.array_equal(inv["paid_amount"] > 0, paid)
    assert np.allclose(inv["paid_amount"][paid], inv["amount"][paid])

    pay = tables["payments"]
    code = _codes(inv["id"], pay["invoice_id"])
    assert (_days(pay["date"]) >= issued[code]).all()
    assert (pay["amount"] > 0).all()
    total = np.bincount(code, weights=pay["amount"], minlength=inv["id"].size)
    assert (total + inv["paid_amount"] <= inv["amount"] + 1e-6).all()
    # an invoice is settled either in one payment or in instalments, never both
    assert (inv["paid_amount"][np.unique(code)] == 0).all()


def test_nothing_is_dated_after_as_of(book: Book) -> None:
    tables, _ = book
    as_of = DEFAULT_AS_OF
    checks = [
        ("invoices", "issued"),
        ("invoices", "paid_on"),
        ("payments", "date"),
        ("orders", "date"),
        ("events", "date"),
        ("statements", "period_end"),
        ("statements", "published"),
        ("customers", "established"),
    ]
    for name, col in checks:
        values = tables[name][col]
        values = values[~np.isnat(values)]
        assert (values <= as_of).all(), f"{name}.{col}"


@pytest.mark.parametrize("regime", REGIMES)
def test_point_in_time_for_another_as_of(regime: str) -> None:
    as_of = np.datetime64("2024-06-30")
    tables, outcomes = generate(500, seed=4, as_of="2024-06-30", regime=regime)
    for name, col in [
        ("invoices", "issued"),
        ("invoices", "paid_on"),
        ("payments", "date"),
        ("orders", "date"),
        ("events", "date"),
        ("statements", "published"),
    ]:
        values = tables[name][col]
        assert (values[~np.isnat(values)] <= as_of).all(), f"{name}.{col}"
    dd = outcomes["default_date"][outcomes["defaulted"] == 1]
    assert (dd >= as_of - np.timedelta64(270, "D")).all()
    assert (dd <= as_of + np.timedelta64(180, "D")).all()


def test_statements_are_published_after_period_end_and_balance(book: Book) -> None:
    tables, _ = book
    st = tables["statements"]
    assert (st["published"] >= st["period_end"]).all()
    lag = _days(st["published"]) - _days(st["period_end"])
    assert lag.min() >= 60 and lag.max() <= 120
    assert (st["period_end"].astype("datetime64[M]").astype(int) % 12 == 11).all()  # December
    assert (st["total_assets"] >= st["current_assets"]).all()
    assert (st["total_liabilities"] >= st["current_liabilities"]).all()
    np.testing.assert_allclose(
        st["equity"], st["total_assets"] - st["total_liabilities"], atol=0.01
    )
    assert np.isfinite(st["market_value_equity"]).any()
    assert np.isnan(st["market_value_equity"]).any()
    keys = np.char.add(st["customer_id"].astype(str), st["period_end"].astype(str))
    assert np.unique(keys).size == keys.size


def test_exposures_and_events(book: Book) -> None:
    tables, _ = book
    ex = tables["exposures"]
    assert (ex["credit_limit"] > 0).all()
    assert (ex["open_orders"] > 0).any() and (ex["open_deliveries"] > 0).any()
    assert set(np.unique(tables["events"]["kind"]).tolist()) <= EVENT_KINDS
    cust = tables["customers"]
    assert set(np.unique(cust["debtor_type"]).tolist()) == {
        "standard",
        "project",
        "manufacturer",
        "distributor",
        "government",
        "large_institution",
    }
    assert np.unique(cust["industry"]).size == 10
    est = cust["established"]
    assert np.isnat(est).any()
    age = (DEFAULT_AS_OF - est[~np.isnat(est)]).astype(np.int64)
    assert age.min() >= 365 and age.max() <= 41 * 366
    # nobody trades with a firm before it was founded
    first = np.full(est.size, np.iinfo(np.int64).max)
    orders = tables["orders"]
    np.minimum.at(first, _codes(cust["id"], orders["customer_id"]), _days(orders["date"]))
    known = ~np.isnat(est) & (first < np.iinfo(np.int64).max)
    assert (_days(est[known]) < first[known]).all()


def test_orders_quantity_gives_unit_price(book: Book) -> None:
    tables, _ = book
    orders = tables["orders"]
    assert (orders["quantity"] >= 1).all()
    price = orders["amount"] / orders["quantity"]
    assert (price > 0).all() and np.isfinite(price).all()


# --- generate: outcomes and behaviour ------------------------------------------------


def test_default_rate_and_dates(book: Book) -> None:
    _, outcomes = book
    assert outcomes["defaulted"].dtype == np.int8
    rate = outcomes["defaulted"].mean()
    assert 0.06 <= rate <= 0.10
    dflt = outcomes["defaulted"] == 1
    dd = outcomes["default_date"]
    assert np.isnat(dd[~dflt]).all() and not np.isnat(dd[dflt]).any()
    rel = _days(dd[dflt]) - _days(np.array([DEFAULT_AS_OF]))[0]
    assert rel.min() >= -270 and rel.max() <= 180
    assert (rel < 0).any() and (rel > 0).any()


def test_defaulters_stop_after_default(book: Book) -> None:
    tables, outcomes = book
    ids = outcomes["customer_ids"]
    dd = _days(outcomes["default_date"])  # NaT -> huge negative; only used where defaulted
    dflt = outcomes["defaulted"] == 1
    orders = tables["orders"]
    oc = _codes(ids, orders["customer_id"])
    m = dflt[oc]
    assert (_days(orders["date"])[m] <= dd[oc][m]).all()
    inv = tables["invoices"]
    ic = _codes(ids, inv["customer_id"])
    m = dflt[ic]
    assert (_days(inv["issued"])[m] <= dd[ic][m]).all()
    paid = m & ~np.isnat(inv["paid_on"])
    assert (_days(inv["paid_on"])[paid] <= dd[ic][paid]).all()
    pay = tables["payments"]
    pc = ic[_codes(inv["id"], pay["invoice_id"])]
    m = dflt[pc]
    assert (_days(pay["date"])[m] <= dd[pc][m]).all()
    # a defaulter's book is left with open invoices
    untouched = np.isnat(inv["paid_on"]) & ~np.isin(inv["id"], pay["invoice_id"])
    past = dflt & (outcomes["default_date"] <= DEFAULT_AS_OF)
    open_per_cust = np.bincount(ic[untouched], minlength=ids.size)
    assert (open_per_cust[past] > 0).mean() > 0.95


def test_defaulters_pay_later_before_default(book: Book, regime: str) -> None:
    tables, outcomes = book
    ids = outcomes["customer_ids"]
    dflt = outcomes["defaulted"] == 1
    dd = _days(outcomes["default_date"])
    inv = tables["invoices"]
    ic = _codes(ids, inv["customer_id"])
    due = _days(inv["due"])
    paid = ~np.isnat(inv["paid_on"])
    late = _days(inv["paid_on"]) - due
    window = dflt[ic] & (due > dd[ic] - 120) & (due <= dd[ic] - 30)
    sound = ~dflt[ic]
    # a third of the sudden regime's defaulters pay as usual until the last month
    q = 75 if regime == "sudden" else 50
    assert np.percentile(late[paid & window], q) > np.median(late[paid & sound]) + 10
    # invoices due in that window are more often left unpaid
    assert (~paid[window]).mean() > 2 * (
        ~paid[sound & (due < _days(np.array([DEFAULT_AS_OF]))[0] - 60)]
    ).mean()


def test_defaulters_report_weaker_statements(book: Book) -> None:
    tables, outcomes = book
    st = tables["statements"]
    sc = _codes(outcomes["customer_ids"], st["customer_id"])
    dflt = outcomes["defaulted"][sc] == 1
    leverage = st["total_liabilities"] / st["total_assets"]
    assert np.median(leverage[dflt]) > np.median(leverage[~dflt]) + 0.1
    assert (st["net_income"][dflt] < 0).mean() > (st["net_income"][~dflt] < 0).mean()


# --- Outcomes ------------------------------------------------------------------------


def _outcomes() -> Outcomes:
    return Outcomes(
        customer_ids=["C1", "C2", "C3", "C4"],
        defaulted=[1, 0, 1, 1],
        default_date=np.array(["2025-03-01", "NaT", "2025-09-15", "2025-07-01"], "datetime64[D]"),
    )


def test_outcomes_windows() -> None:
    out = _outcomes()
    assert len(out) == 4
    assert out.defaulted.dtype == np.int8
    np.testing.assert_array_equal(out.defaulted_by("2025-07-01"), [1, 0, 0, 1])
    np.testing.assert_array_equal(out.defaulted_by(dt.date(2025, 1, 1)), [0, 0, 0, 0])
    # (as_of, as_of + horizon]: the start is excluded, the end included
    np.testing.assert_array_equal(out.defaults_within("2025-03-01", 122), [0, 0, 0, 1])
    np.testing.assert_array_equal(out.defaults_within("2025-02-28", 365), [1, 0, 1, 1])
    assert out.defaults_within(np.datetime64("2025-06-30"), 90).dtype == np.int8


def test_outcomes_are_frozen_and_read_only() -> None:
    out = _outcomes()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        out.defaulted = np.zeros(4)  # type: ignore[misc]
    with pytest.raises(ValueError):
        out.defaulted[0] = 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"defaulted": [1, 0]}, "one length"),
        ({"defaulted": [1, 0, 2, 1]}, "0 or 1"),
        ({"defaulted": [0, 0, 1, 1]}, "C1"),
    ],
)
def test_outcomes_validate(kwargs: dict[str, Any], match: str) -> None:
    base = {
        "customer_ids": ["C1", "C2", "C3", "C4"],
        "defaulted": [1, 0, 1, 1],
        "default_date": np.array(
            ["2025-03-01", "NaT", "2025-09-15", "2025-07-01"], "datetime64[D]"
        ),
    }
    with pytest.raises(ValidationError, match=match):
        Outcomes(**{**base, **kwargs})


def test_outcomes_reject_bad_arguments() -> None:
    out = _outcomes()
    with pytest.raises(ValidationError, match="horizon_days"):
        out.defaults_within("2025-01-01", 0)
    with pytest.raises(ValidationError, match="horizon_days"):
        out.defaults_within("2025-01-01", 30.0)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="as_of"):
        out.defaults_within("soon", 30)


def test_outcomes_from_generate_and_to_pandas(book: Book) -> None:
    pytest.importorskip("pandas")
    _, raw = book
    out = Outcomes(**raw)
    frame = out.to_pandas()
    assert list(frame.columns) == ["customer_id", "defaulted", "default_date"]
    assert len(frame) == len(out) == 3000
    assert int(frame["defaulted"].sum()) == int(raw["defaulted"].sum())


# --- make_portfolio ------------------------------------------------------------------


@pytest.mark.parametrize("regime", REGIMES)
def test_make_portfolio(regime: str) -> None:
    pytest.importorskip("riskkit.portfolio")
    portfolio, outcomes = make_portfolio(200, seed=3, regime=regime)
    assert isinstance(outcomes, Outcomes)
    assert len(outcomes) == 200
    tables, raw = generate(200, seed=3, regime=regime)
    np.testing.assert_array_equal(outcomes.default_date, raw["default_date"])
    assert portfolio.n_customers == 200
    assert len(portfolio.invoices["due"]) == tables["invoices"]["id"].size


# --- German credit -------------------------------------------------------------------


def test_german_credit_arrays() -> None:
    X, y = load_german_credit()
    assert len(X) == 20
    assert y.shape == (1000,) and y.dtype == np.int8
    assert int(y.sum()) == 300
    assert set(np.unique(y).tolist()) == {0, 1}
    numeric = [k for k, v in X.items() if v.dtype == np.float64]
    text = [k for k, v in X.items() if v.dtype == object]
    assert len(numeric) == 7 and len(text) == 13
    assert all(v.shape == (1000,) for v in X.values())
    assert all(isinstance(s, str) for s in X["purpose"])
    # a quoted field holding a comma is one value
    assert "yes, registered under the customers name" in set(X["telephone"].tolist())
    assert X["credit_amount"][0] == 1169.0 and y[0] == 0 and y[1] == 1


def test_german_credit_personal_status_follows_the_rows() -> None:
    """The corrected copy: german.data row order (row 1 codes A93, male : single), not sorted blocks."""
    X, y = load_german_credit()
    status = X["personal_status_and_sex"]
    assert status[:3].tolist() == ["male : single", "female : divorced/separated/married", "male : single"]
    levels, counts = np.unique(status, return_counts=True)
    assert dict(zip(levels.tolist(), counts.tolist(), strict=True)) == {
        "female : divorced/separated/married": 310,
        "male : divorced/separated": 50,
        "male : married/widowed": 92,
        "male : single": 548,
    }
    # not in sorted blocks: the label changes from one row to the next hundreds of times
    assert int((status[1:] != status[:-1]).sum()) > 400
    # in the original, female applicants default more often than single men
    assert y[status == "female : divorced/separated/married"].mean() > y[status == "male : single"].mean()


def test_german_credit_frame() -> None:
    pd = pytest.importorskip("pandas")
    X, y = load_german_credit(as_frame=True)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert X.shape == (1000, 20)
    assert y.name == "creditability" and int(y.sum()) == 300


def test_german_credit_ships_its_attribution() -> None:
    from importlib import resources

    readme = (
        resources.files("riskkit.datasets")
        .joinpath("data")
        .joinpath("README.md")
        .read_text(encoding="utf-8")
    )
    for needle in ("Hans Hofmann", "CC BY 4.0", "UCI", "1,000", "20 attributes", "german.data", "male : single"):
        assert needle in readme
