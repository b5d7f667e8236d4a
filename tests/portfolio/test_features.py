"""Every feature against a hand-computed example, and the point-in-time rule."""

from __future__ import annotations

import math

import numpy as np
import pytest

import riskkit
from riskkit import Portfolio, features

AS_OF = "2025-06-30"


@pytest.fixture(scope="module")
def book() -> Portfolio:
    """C3 reproduces docs/domain.md's ADD example over a 90-day window; C2 has no data at all."""
    return Portfolio.from_records(
        customers=[
            {"id": "C2", "name": "Empty Ltd"},
            {"id": "C3", "name": "Worked Example", "established": "2015-06-30", "industry_risk": 0.7,
             "secured_amount": 9000.0},
        ],
        exposures=[
            {"customer_id": "C3", "credit_limit": 40000.0, "open_orders": 2000.0, "open_deliveries": 1000.0,
             "special": 500.0},
        ],
        invoices=[
            # A: 10,000 unpaid at as_of (paid only after as_of), 51 days past due
            {"id": "A", "customer_id": "C3", "issued": "2025-04-10", "due": "2025-05-10", "amount": 10000.0,
             "paid_amount": 10000.0, "paid_on": "2025-07-05"},
            # B: 16,000, 15,000 paid 10 days late (a partial payment), 1,000 open 30 days past due
            {"id": "B", "customer_id": "C3", "issued": "2025-05-01", "due": "2025-05-31", "amount": 16000.0},
            # C: 4,000 not yet due
            {"id": "C", "customer_id": "C3", "issued": "2025-06-15", "due": "2025-07-15", "amount": 4000.0},
            # D: issued after as_of: does not exist yet
            {"id": "D", "customer_id": "C3", "issued": "2025-07-01", "due": "2025-07-31", "amount": 99999.0},
        ],
        payments=[{"invoice_id": "B", "date": "2025-06-10", "amount": 15000.0}],
        orders=[
            {"customer_id": "C3", "date": "2025-05-01", "amount": 3000.0},
            {"customer_id": "C3", "date": "2025-06-30", "amount": 2000.0},
            {"customer_id": "C3", "date": "2025-03-01", "amount": 10000.0},
            {"customer_id": "C3", "date": "2025-07-02", "amount": 50000.0},  # after as_of
        ],
        statements=[
            {"customer_id": "C3", "period_end": "2023-12-31", "revenue": 900000.0, "ebit": 40000.0,
             "net_income": -10000.0, "total_assets": 500000.0, "total_liabilities": 300000.0,
             "current_assets": 200000.0, "current_liabilities": 150000.0, "retained_earnings": 50000.0,
             "equity": 200000.0},
            {"customer_id": "C3", "period_end": "2024-12-31", "published": "2025-03-15", "revenue": 1000000.0,
             "ebit": 50000.0, "net_income": 20000.0, "total_assets": 600000.0, "total_liabilities": 400000.0,
             "current_assets": 240000.0, "current_liabilities": 160000.0, "retained_earnings": 70000.0,
             "equity": 200000.0, "market_value_equity": 300000.0, "operating_cash_flow": 60000.0},
            # period ended before as_of but published after it: unknown at as_of
            {"customer_id": "C3", "period_end": "2025-03-31", "published": "2025-07-15", "revenue": 1.0,
             "ebit": 0.0, "net_income": 0.0, "total_assets": 1.0, "total_liabilities": 1.0,
             "current_assets": 1.0, "current_liabilities": 1.0, "retained_earnings": 0.0, "equity": 0.0},
        ],
        events=[
            {"customer_id": "C3", "date": "2024-09-01", "kind": "lawsuit"},
            {"customer_id": "C3", "date": "2024-05-01", "kind": "asset_freeze"},  # older than 12 months
            {"customer_id": "C3", "date": "2025-06-01", "kind": "broken_promise"},
            {"customer_id": "C3", "date": "2025-05-15", "kind": "bounced_payment"},
            {"customer_id": "C3", "date": "2025-03-01", "kind": "bounced_payment"},  # older than 90 days
            {"customer_id": "C3", "date": "2025-07-10", "kind": "lawsuit"},  # after as_of
        ],
        statistical=("special",),
    )


@pytest.fixture(scope="module")
def ff(book: Portfolio) -> riskkit.FeatureFrame:
    return book.features(as_of=AS_OF)


def value(ff: riskkit.FeatureFrame, name: str, customer: str) -> float:
    row = list(ff.customer_ids).index(customer)
    return float(ff[name][row])


HAND = {
    # open: A 10,000 + B 1,000 + C 4,000 (D not issued yet)
    "open_amount": 15000.0,
    "overdue_amount": 11000.0,
    "overdue_ratio": 11000 / 15000,
    "aging_current": 4000.0,
    "aging_1_30": 1000.0,  # B: 2025-06-30 - 2025-05-31 = 30 days
    "aging_31_60": 10000.0,  # A: 2025-06-30 - 2025-05-10 = 51 days
    "aging_61_90": 0.0,
    "aging_91_plus": 0.0,
    "credit_balance": 0.0,  # no credit notes, no cash on account
    "max_days_past_due": 51.0,
    "dbt_weighted": (10000 * 51 + 1000 * 30) / 11000,
    "wadl_90d": 10.0,  # 15,000 paid 10 days late
    "payment_index": 80 - 10 * (10 / 15),  # between (0, 80) and (15, 70)
    # 90-day credit sales 10,000 + 16,000 + 4,000 = 30,000: docs/domain.md's ADD example scaled to 90 days
    "dso_90d": 45.0,
    "bpdso_90d": 12.0,
    "add_90d": 33.0,
    # AR begin (2025-04-01) 0: (0 + 30,000 - 15,000) / (0 + 30,000 - 4,000) x 100
    "cei_90d": 15000 / 26000 * 100,
    "exposure": 15000.0 + 2000 + 1000,  # special is statistical
    "credit_limit": 40000.0,
    "utilization": 18000 / 40000,
    "uninsured_exposure": 15000.0 + 2000 + 1000,  # no insurance decision: the whole exposure
    "order_trend_3m": (3000 + 2000) / 10000,
    # latest known statement: 2024-12-31 (the 2025-03-31 one is published after as_of)
    "current_ratio": 240000 / 160000,
    "debt_ratio": 400000 / 600000,
    "net_margin": 20000 / 1000000,
    "ocf_to_liabilities": 60000 / 400000,
    "altman_z": 1.2 * 80000 / 600000 + 1.4 * 70000 / 600000 + 3.3 * 50000 / 600000
    + 0.6 * 300000 / 400000 + 1.0 * 1000000 / 600000,
    "altman_z_private": 0.717 * 80000 / 600000 + 0.847 * 70000 / 600000 + 3.107 * 50000 / 600000
    + 0.420 * 200000 / 400000 + 0.998 * 1000000 / 600000,
    "altman_z_nonmfg": 6.56 * 80000 / 600000 + 3.26 * 70000 / 600000 + 6.72 * 50000 / 600000
    + 1.05 * 200000 / 400000,
    "zmijewski_p": 0.5 * math.erfc(-(-4.336 - 4.513 * 20000 / 600000 + 5.679 * 400000 / 600000
                                      + 0.004 * 240000 / 160000) / math.sqrt(2)),
    "ohlson_p": 1 / (1 + math.exp(-(
        -1.32 - 0.407 * math.log(600000) + 6.03 * 400000 / 600000 - 1.43 * 80000 / 600000
        + 0.0757 * 160000 / 240000 - 1.72 * 0 - 2.37 * 20000 / 600000 - 1.83 * 60000 / 400000
        + 0.285 * 0 - 0.521 * (20000 - -10000) / (20000 + 10000)
    ))),
    "years_in_business": 3653 / 365.25,
    "industry_risk": 0.7,
    "collateral_coverage": 9000 / 18000,
    "legal_events_12m": 1.0,
    "broken_promises_90d": 1.0,
    "bounced_payments_90d": 1.0,
    "partial_payments_90d": 1.0,
    "in_default": 0.0,  # 51 days past due at most, no insolvency or enforcement
    # last 90 days: B's 15,000 paid 10 days late, A (10,000, 51 days) and B's rest (1,000, 30) open and overdue
    "days_late_90d": (15000 * 10 + 10000 * 51 + 1000 * 30) / 26000,
    # no invoice before 2025-04-01: no history to compare with -- NaN, never 0
    "days_late_change": math.nan,
    "dbt_change_90d": math.nan,
    "payment_index_change": math.nan,
    "late_share_change": math.nan,
    # 90 days earlier nothing was open: exposure then = orders and deliveries only, 3,000 of 40,000
    "utilization_change_90d": 18000 / 40000 - 3000 / 40000,
    "orders_yoy_3m": math.nan,  # no orders a year earlier
    "orders_vs_average_3m": 5000 / (10000 * 90 / 365),  # the previous 12 months held 10,000 of orders
    "dbt_industry_pct": math.nan,  # no industry given
    "payment_index_industry_pct": math.nan,
}


def test_every_catalogue_feature_has_a_hand_computed_value() -> None:
    assert set(HAND) == {f.name for f in features.catalogue()}


@pytest.mark.parametrize("name", list(HAND))
def test_feature_matches_hand_computation(ff: riskkit.FeatureFrame, name: str) -> None:
    assert value(ff, name, "C3") == pytest.approx(HAND[name], rel=1e-12, nan_ok=True), name


EMPTY_IS_ZERO = {"open_amount", "credit_balance", "overdue_amount", "exposure", "uninsured_exposure", "in_default", "legal_events_12m", "broken_promises_90d",
                 "bounced_payments_90d", "partial_payments_90d"} | {f"aging_{b}" for b in ("current", "1_30",
                                                                               "31_60", "61_90", "91_plus")}


@pytest.mark.parametrize("name", list(HAND))
def test_customer_without_data_gets_nan_not_zero(ff: riskkit.FeatureFrame, name: str) -> None:
    got = value(ff, name, "C2")
    if name in EMPTY_IS_ZERO:
        assert got == 0.0
    else:
        assert math.isnan(got), f"{name} should be NaN for a customer with no data, got {got}"


def test_required_feature_names_present(ff: riskkit.FeatureFrame) -> None:
    required = ["open_amount", "overdue_amount", "overdue_ratio", "aging_current", "aging_1_30", "aging_31_60", "aging_61_90", "aging_91_plus", "max_days_past_due", "dbt_weighted", "wadl_90d", "payment_index", "dso_90d", "bpdso_90d", "add_90d", "cei_90d", "exposure", "utilization", "order_trend_3m", "current_ratio", "debt_ratio", "net_margin", "ocf_to_liabilities", "altman_z", "altman_z_private", "altman_z_nonmfg", "zmijewski_p", "ohlson_p", "years_in_business", "legal_events_12m", "broken_promises_90d", "bounced_payments_90d"]
    assert set(required) <= set(ff.names)
    assert ff.to_numpy().dtype == np.float64
    assert ff.shape == (2, len(features.catalogue()))


def test_frame_metadata(ff: riskkit.FeatureFrame) -> None:
    assert str(ff.as_of) == AS_OF
    assert list(ff.customer_ids) == ["C2", "C3"]


def test_after_payment_date_the_invoice_is_paid(book: Portfolio) -> None:
    later = book.features(as_of="2025-07-06")
    # A paid 2025-07-05; D issued 2025-07-01 (not due yet); B 1,000 still open; C not due
    assert value(later, "open_amount", "C3") == pytest.approx(1000 + 4000 + 99999)
    assert value(later, "max_days_past_due", "C3") == 36.0


def test_newer_statement_used_once_published(book: Portfolio) -> None:
    later = book.features(as_of="2025-07-15")
    assert value(later, "current_ratio", "C3") == 1.0


def test_statistical_open_invoices_are_not_counted() -> None:
    p = Portfolio.from_records(
        customers=[{"id": "X"}],
        exposures=[{"customer_id": "X", "credit_limit": 100.0, "open_orders": 10.0}],
        invoices=[{"id": "I", "customer_id": "X", "issued": "2025-01-01", "due": "2025-01-31", "amount": 50.0}],
        statistical=["open_invoices"],
        as_of="2025-01-10",
    )
    f = p.features()
    assert f["exposure"].tolist() == [10.0]
    assert f["utilization"].tolist() == [0.1]


def test_zero_limit_gives_nan_utilization() -> None:
    p = Portfolio.from_records(
        customers=[{"id": "X"}], exposures=[{"customer_id": "X", "credit_limit": 0.0, "open_orders": 10.0}],
        as_of="2025-01-10",
    )
    assert math.isnan(p.features()["utilization"][0])


def test_fully_paid_customer_has_zero_overdue_and_nan_ratio() -> None:
    p = Portfolio.from_records(
        customers=[{"id": "X"}],
        invoices=[{"id": "I", "customer_id": "X", "issued": "2025-01-01", "due": "2025-01-31",
                   "amount": 50.0, "paid_amount": 50.0, "paid_on": "2025-01-20"}],
        as_of="2025-03-01",
    )
    f = p.features()
    assert f["open_amount"][0] == 0.0
    assert f["max_days_past_due"][0] == 0.0
    assert f["dbt_weighted"][0] == 0.0
    assert math.isnan(f["overdue_ratio"][0])
    # paid 11 days early: between (-20, 90) and (0, 80)
    assert f["payment_index"][0] == pytest.approx(80 + 11 * 0.5)


def test_describe_unknown_feature_lists_known() -> None:
    with pytest.raises(riskkit.SchemaError, match="open_amount"):
        features.describe("nope")


def test_features_as_of_argument_validated(book: Portfolio) -> None:
    with pytest.raises(riskkit.ValidationError, match="as_of"):
        book.features(as_of="30/06/2025")


def test_change_against_the_customers_own_baseline_by_hand() -> None:
    inv = [  # paid 5 days late and on time last year; 30 days late in the last quarter
        {"id": "I1", "customer_id": "X", "issued": "2024-09-01", "due": "2024-10-01", "amount": 1000.0,
         "paid_amount": 1000.0, "paid_on": "2024-10-06"},
        {"id": "I2", "customer_id": "X", "issued": "2024-12-01", "due": "2024-12-31", "amount": 1000.0,
         "paid_amount": 1000.0, "paid_on": "2024-12-31"},
        {"id": "I3", "customer_id": "X", "issued": "2025-04-15", "due": "2025-05-15", "amount": 2000.0,
         "paid_amount": 2000.0, "paid_on": "2025-06-14"},
    ]
    orders = [{"customer_id": "X", "date": d, "amount": a}
              for d, a in [("2024-05-01", 1000.0), ("2024-10-01", 2000.0), ("2025-05-01", 3000.0)]]
    p = Portfolio.from_records(customers=[{"id": "X"}], invoices=inv, orders=orders, as_of=AS_OF)
    f = p.features()
    got = {name: float(f[name][0]) for name in f.names}
    assert got["days_late_90d"] == 30.0
    assert got["days_late_change"] == pytest.approx(30.0 - (1000 * 5 + 1000 * 0) / 2000)
    assert got["payment_index_change"] == pytest.approx(50.0 - ((80 - 10 * 5 / 15) + 80) / 2)
    assert got["late_share_change"] == pytest.approx(1.0 - 0.5)
    assert got["dbt_change_90d"] == 0.0
    assert got["orders_yoy_3m"] == 3.0  # 3,000 against 1,000 in the same quarter a year before
    assert got["orders_vs_average_3m"] == pytest.approx(3000 / (3000 * 90 / 365))
    assert math.isnan(got["utilization_change_90d"])  # no limit


def test_position_among_industry_peers() -> None:
    customers = [{"id": f"R{i}", "industry": "retail"} for i in range(5)] + [{"id": "M", "industry": "mining"}]
    invoices = [{"id": f"I{i}", "customer_id": c["id"], "issued": "2025-04-01", "due": f"2025-06-{10 + i:02d}",
                 "amount": 100.0} for i, c in enumerate(customers)]
    f = Portfolio.from_records(customers=customers, invoices=invoices, as_of=AS_OF).features()
    # days beyond terms 20, 19, 18, 17, 16 in retail: R0 pays latest of its five peers
    assert f["dbt_industry_pct"].tolist()[:5] == pytest.approx([0.9, 0.7, 0.5, 0.3, 0.1])
    assert math.isnan(f["dbt_industry_pct"][5])  # one mining customer: no peers to compare with


def test_in_default_by_amount_and_by_event() -> None:
    customers = [{"id": c} for c in ("late", "small", "filed", "fine")]
    invoices = [
        {"id": "I1", "customer_id": "late", "issued": "2025-02-01", "due": "2025-03-01", "amount": 600.0},
        {"id": "I2", "customer_id": "small", "issued": "2025-02-01", "due": "2025-03-01", "amount": 400.0},
        {"id": "I3", "customer_id": "filed", "issued": "2025-06-01", "due": "2025-07-01", "amount": 600.0},
        {"id": "I4", "customer_id": "fine", "issued": "2025-06-01", "due": "2025-07-01", "amount": 600.0},
    ]
    events = [{"customer_id": "filed", "date": "2025-06-20", "kind": "insolvency_filing"}]
    p = Portfolio.from_records(customers=customers, invoices=invoices, events=events, as_of=AS_OF)
    assert p.in_default().tolist() == [True, False, True, False]  # 600 > 500 at 121 days; 400 is not material
    assert p.features()["in_default"].tolist() == [1.0, 0.0, 1.0, 0.0]
    strict = riskkit.DefaultDefinition(absolute=100.0, events=())
    assert p.in_default(definition=strict).tolist() == [True, True, False, False]
    assert p.in_default(as_of="2025-05-30").tolist() == [False, False, False, False]  # 90 days exactly: not yet
    with pytest.raises(riskkit.ValidationError, match="relative"):
        riskkit.DefaultDefinition(relative=2.0)
    with pytest.raises(riskkit.ValidationError, match="not a known event kind"):
        riskkit.DefaultDefinition(events=("bankrupt",))


def test_amount_sums_that_overflow_are_an_error_naming_the_customer() -> None:
    """Two invoices of 1e308 used to give open_amount inf, overdue_ratio NaN and dbt_weighted 0."""
    invoices = [{"id": f"I{i}", "customer_id": "big", "issued": "2025-05-01", "due": "2025-05-31", "amount": 1e308}
                for i in range(2)]
    invoices.append({"id": "I9", "customer_id": "ok", "issued": "2025-05-01", "due": "2025-05-31", "amount": 1e308})
    p = Portfolio.from_records(customers=[{"id": "ok"}, {"id": "big"}], invoices=invoices, as_of="2025-05-15")
    with pytest.raises(riskkit.ValidationError, match=r"^customer\(s\) 'big': open_amount cannot be computed: the "
                                                      r"sum of their open invoices overflows") as info:
        p.features()
    assert info.value.field == "open_amount" and info.value.value == "big"
    # alone, 1e308 is a sum like any other, but DSO multiplies it by 90 days first: an error, not inf
    alone = Portfolio.from_records(customers=[{"id": "ok"}], invoices=invoices[2:], as_of="2025-05-15")
    with pytest.raises(riskkit.ValidationError, match=r"^customer\(s\) 'ok': dso_90d cannot be computed"):
        alone.features()
    fine = Portfolio.from_records(customers=[{"id": "ok"}], invoices=[{**invoices[2], "amount": 1e300}],
                                  as_of="2025-05-15").features()
    assert fine["open_amount"].tolist() == [1e300] and fine["dso_90d"].tolist() == pytest.approx([90.0])
    # cash on account: the credits of a customer overflow in the other direction
    payments = [{"customer_id": "ok", "date": "2025-05-02", "amount": 1e308} for _ in range(2)]
    cash = Portfolio.from_records(customers=[{"id": "ok"}], invoices=invoices[2:], payments=payments,
                                  as_of="2025-05-15")
    with pytest.raises(riskkit.ValidationError, match=r"^customer\(s\) 'ok': .* overflows"):
        cash.features()


def test_collateral_coverage_is_nan_when_no_secured_amount_is_given() -> None:
    """secured_amount left out is unknown (NaN), not 0: only a given 0 gives a coverage of 0."""
    invoices = [{"id": f"I{c}", "customer_id": c, "issued": "2025-06-01", "due": "2025-07-01", "amount": 1000.0}
                for c in ("unknown", "none", "half")]
    p = Portfolio.from_records(
        customers=[{"id": "unknown"}, {"id": "none", "secured_amount": 0.0}, {"id": "half", "secured_amount": 500}],
        invoices=invoices, as_of=AS_OF)
    coverage = p.features()["collateral_coverage"]
    assert math.isnan(coverage[0]) and coverage[1:].tolist() == [0.0, 0.5]
    assert "NaN when secured_amount is not given" in features.describe("collateral_coverage")
    assert math.isnan(p.customers["secured_amount"][0])


def test_the_ledger_payment_events_and_open_book_are_computed_once_and_shared() -> None:
    """Features, signals and the collections worklist of one Portfolio read one ledger, one set of payment
    events and one book of open invoices per date (issue 14): none is rebuilt."""
    from riskkit import _ledger, signals
    from riskkit.dunning import worklist
    from riskkit.scoring import five_c

    p, _ = riskkit.datasets.make_portfolio(300, seed=2)
    when = p.resolve_as_of()
    features = p.features()
    kept = (_ledger.ledger(p), _ledger.payment_events(p), _ledger.open_book(p, when))
    signals.evaluate(p)
    worklist(p, five_c().score(features))
    assert all(a is b for a, b in zip((_ledger.ledger(p), _ledger.payment_events(p), _ledger.open_book(p, when)),
                                      kept, strict=True))


@pytest.mark.parametrize("residual", [False, True], ids=["history", "residual-export"])
def test_the_open_amounts_kept_as_rows_read_as_the_ledgers_own(residual: bool) -> None:
    """A Portfolio keeps each date's open amounts as rows: read back per document they equal the ledger's
    own, bit for bit (NaN where unknown before an export date), and so do what is issued, the balances
    and the book of open invoices, at dates before, on and after the book's events."""
    from riskkit import _ledger

    p, _ = riskkit.datasets.make_portfolio(300, seed=4)
    if residual:  # the same book exported with residuals on its as_of, read 60 days before that
        tables = {name: dict(p.table(name)) for name in ("customers", "invoices")}
        inv = tables["invoices"]
        inv["residual"] = np.where(np.arange(p.invoices.n_rows) % 3 == 0, inv["amount"] / 2, np.nan)
        keep = ["id", "customer_id", "issued", "due", "amount", "residual"]
        p = Portfolio.from_arrays(customers={"id": tables["customers"]["id"]},
                                  invoices={k: inv[k] for k in keep}, as_of=p.as_of, export_date=p.as_of)
    led = _ledger.Ledger(p)
    as_of = p.resolve_as_of()
    for days in (-400, -60, 0, 30):
        when = as_of + np.timedelta64(days, "D")
        issued, open_, balance = led.open_at(when)
        for got, want in zip(_ledger.open_at(p, when), (issued, open_, balance), strict=True):
            assert got.dtype == want.dtype and got.tobytes() == want.tobytes() and not got.flags.writeable
        assert _ledger.issued_at(p, when).tobytes() == issued.tobytes()
        assert _ledger.balance_at(p, when).tobytes() == balance.tobytes()
        book = _ledger.open_book(p, when)
        assert book.rows.tolist() == np.flatnonzero(open_ > 0).tolist()
        assert book.amount.tobytes() == open_[open_ > 0].tobytes()
        assert bool(np.isnan(open_).any()) == (residual and days < 0)
    counts = np.bincount(led.owner, minlength=led.n_docs)
    assert led.event_counts().tolist() == counts.tolist()


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("large", [False, True])
def test_features_in_two_threads_equal_the_sequential_ones(monkeypatch: pytest.MonkeyPatch, seed: int,
                                                           large: bool) -> None:
    """Large books run the feature families in two threads: the same values, bit for bit, at several dates
    (the trends' two windows in both threads, or for a large book one after the other in one)."""
    from riskkit import _memory
    from riskkit.datasets import make_portfolio
    from riskkit.portfolio import _TABLE_ORDER as TABLES

    if large:
        monkeypatch.setattr(_memory, "LARGE_BOOK_ROWS", 0)
    book, _ = make_portfolio(n_customers=300, seed=seed)
    for as_of in (book.as_of, np.datetime64(book.as_of) - np.timedelta64(200, "D")):
        monkeypatch.setattr(features, "THREAD_MIN_DOCUMENTS", 10**12)
        alone = Portfolio({n: dict(book.table(n)) for n in TABLES}, as_of=book.as_of, currency=book.currency).features(as_of)
        monkeypatch.setattr(features, "THREAD_MIN_DOCUMENTS", 0)
        both = Portfolio({n: dict(book.table(n)) for n in TABLES}, as_of=book.as_of, currency=book.currency).features(as_of)
        assert both.names == alone.names
        np.testing.assert_array_equal(both.to_numpy(), alone.to_numpy())


def test_features_in_two_threads_raise_the_first_error_of_the_sequential_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """When families of both threads fail, the one the sequential order runs first raises."""
    monkeypatch.setattr(features, "THREAD_MIN_DOCUMENTS", 0)
    invoices = [{"id": f"I{i}", "customer_id": "big", "issued": "2025-05-01", "due": "2025-05-31", "amount": 1e308}
                for i in range(2)]
    p = Portfolio.from_records(customers=[{"id": "big"}], invoices=invoices, as_of="2025-05-15")
    with pytest.raises(riskkit.ValidationError, match="open_amount cannot be computed"):
        p.features()

    def broken(*args: object) -> None:
        raise RuntimeError("ordering failed")

    monkeypatch.setattr(features, "_FAMILIES", tuple(broken if f is features._ordering else f for f in features._FAMILIES))
    monkeypatch.setattr(features, "_WITHOUT_LEDGER", (broken, features._order_trends, features._financials, features._events))
    fine = Portfolio.from_records(customers=[{"id": "a"}], invoices=[{**invoices[0], "customer_id": "a", "amount": 10.0}],
                                  as_of="2025-05-15")
    with pytest.raises(RuntimeError, match="ordering failed"):
        fine.features()
    # both fail: the receivables (first in order) raise, not the ordering that failed first in time
    with pytest.raises(riskkit.ValidationError, match="open_amount cannot be computed"):
        Portfolio.from_records(customers=[{"id": "big"}], invoices=invoices, as_of="2025-05-15").features()


@pytest.mark.parametrize("applied_credit_notes", [False, True], ids=["plain", "credit-notes-applied"])
def test_payment_events_once_per_ledger_from_many_threads_and_the_ledger_keeps_what_it_still_reads(
        applied_credit_notes: bool) -> None:
    """A large book's ledger lets go of its events' magnitudes and kinds once the payment events are made
    (only they read them): the events are made once whichever threads ask at the same time, a second
    call returns them, and the open amounts at any date stay bit for bit those of a ledger that kept
    everything. Events name invoices and customers in 4 bytes while they fit."""
    import threading

    from riskkit import _ledger

    p, _ = riskkit.datasets.make_portfolio(300, seed=5)
    if applied_credit_notes:  # every tenth invoice followed by a credit note correcting a third of it
        inv = {k: np.asarray(v) for k, v in p.table("invoices").items()}
        keep = ["id", "customer_id", "issued", "due", "amount", "paid_amount", "paid_on"]
        rows = np.arange(0, p.invoices.n_rows, 10)
        notes = {k: inv[k][rows] for k in keep}
        notes.update(id=np.array([f"CN-{i}" for i in inv["id"][rows]], dtype=object), amount=-inv["amount"][rows] / 3,
                     paid_amount=np.zeros(rows.size), paid_on=np.full(rows.size, np.datetime64("NaT"), "datetime64[D]"))
        tables = {k: np.concatenate([inv[k], notes[k]]) for k in keep}
        tables["applies_to"] = np.concatenate([np.full(inv["id"].size, "", dtype=object), inv["id"][rows]])
        p = Portfolio.from_arrays(customers={"id": np.asarray(p.customer_ids)}, invoices=tables, as_of=p.as_of)
    whole = _ledger.Ledger(p)  # a second ledger that never makes its payment events: it keeps everything
    led = _ledger.Ledger(p)
    assert led.owns.all() != applied_credit_notes and (led.owns.strides == (0,)) != applied_credit_notes
    barrier, got = threading.Barrier(4), []

    def ask() -> None:
        barrier.wait()
        got.append(led.payment_events())

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    events = got[0]
    assert all(e is events for e in got) and led.payment_events() is events
    assert led.mag is None and led.kind is None and whole.mag is not None
    assert events["invoice"].dtype == np.int32 and events["customer"].dtype == np.int32
    assert events["customer"].tolist() == p.invoices["customer"][events["invoice"]].tolist()
    assert led.magnitude.tolist() == np.abs(p.invoices["doc_amount"]).tolist()
    as_of = p.resolve_as_of()
    for days in (-200, -30, 0):
        when = as_of + np.timedelta64(days, "D")
        for a, b in zip(led.open_at(when), whole.open_at(when), strict=True):
            assert a.tobytes() == b.tobytes()
