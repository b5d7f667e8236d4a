"""The provision matrix on a hand-made book: roll rates, loss rates and allowance computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import riskkit
from riskkit.errors import ValidationError
from riskkit.provisions import ProvisionMatrix, month_ends
from riskkit.scoring._result import ScoreResult

DATES = ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"]
EDGES = (0, 30)  # buckets current, 1-30, 31-60, and "over 60" (lost) with loss_days=60


def _book(write_off: bool = False, later_payment: bool = False) -> riskkit.Portfolio:
    """Two customers, four invoices; the comments give each invoice's state at each month-end."""
    invoices = [
        # I1: 01-31 current (dpd 0), 02-28 1-30 (28), 03-31 31-60 (59), 04-30 over 60 (89): lost
        {"id": "I1", "customer_id": "A", "issued": "2025-01-01", "due": "2025-01-31", "amount": 100.0},
        # I2: 01-31 current (dpd -9), paid 02-20
        {"id": "I2", "customer_id": "A", "issued": "2025-01-10", "due": "2025-02-09", "amount": 200.0,
         "paid_amount": 200.0, "paid_on": "2025-02-20"},
        # I3: 01-31 1-30 (dpd 11), 100 paid 02-10, 02-28 31-60 (39) with 200 open, the rest paid 03-15
        {"id": "I3", "customer_id": "B", "issued": "2025-01-05", "due": "2025-01-20", "amount": 300.0},
        # I4: 02-28 current (dpd -31), 03-31 current (0), 04-30 1-30 (30)
        {"id": "I4", "customer_id": "B", "issued": "2025-02-01", "due": "2025-03-31", "amount": 400.0},
    ]
    payments = [{"invoice_id": "I3", "date": "2025-02-10", "amount": 100.0},
                {"invoice_id": "I3", "date": "2025-03-15", "amount": 200.0}]
    if later_payment:
        payments.append({"invoice_id": "I1", "date": "2025-04-15", "amount": 100.0})
    events = [{"customer_id": "A", "date": "2025-03-15", "kind": "write_off", "amount": 100.0}] if write_off else []
    return riskkit.Portfolio.from_records(
        customers=[{"id": "A", "debtor_type": "standard"}, {"id": "B", "debtor_type": "government"}],
        invoices=invoices, payments=payments, events=events, as_of="2025-04-30",
    )


def test_roll_rates_and_loss_rates_by_hand() -> None:
    m = ProvisionMatrix.fit(_book(), DATES, buckets=EDGES, loss_days=60)
    assert m.buckets == ("current", "1-30", "31-60", "over 60")
    # current: open at a month-end 300 (I1, I2) + 400 (I4) + 400 (I4) = 1100; I4 stayed 400 once -> left 700;
    # rolled to 1-30: I1 100 + I4 400 = 500
    # 1-30: I3 300 + I1 100 = 400 left; rolled: I3 200 + I1 100 = 300 -> 0.75
    # 31-60: I3 200 (paid) + I1 100 (lost) = 300 left; lost 100 -> 1/3
    np.testing.assert_allclose(m.observed[0], [700.0, 400.0, 300.0])
    np.testing.assert_allclose(m.roll_rates[0], [5 / 7, 0.75, 1 / 3])
    # chain-ladder: 31-60 = 1/3; 1-30 = 0.75 x 1/3 = 0.25; current = 5/7 x 0.25 = 5/28
    np.testing.assert_allclose(m.rates[0], [5 / 28, 0.25, 1 / 3, 1.0])
    rows = m.table()
    assert [r["bucket"] for r in rows] == list(m.buckets) and math.isnan(rows[-1]["observed"])


def test_allowance_per_customer_bucket_and_total_by_hand() -> None:
    book = _book()
    a = ProvisionMatrix.fit(book, DATES, buckets=EDGES, loss_days=60).allowance(book, "2025-04-30")
    # A: I1 100 over 60 days (lost: 100%) -> 100; B: I4 400 in 1-30 x 0.25 -> 100
    np.testing.assert_allclose(a.allowance, [100.0, 100.0])
    np.testing.assert_allclose(a.bucket_amount, [0.0, 400.0, 0.0, 100.0])
    np.testing.assert_allclose(a.bucket_allowance, [0.0, 100.0, 0.0, 100.0])
    assert a.total == pytest.approx(200.0) and a.coverage == pytest.approx(200 / 500)
    cols = a.columns()
    assert cols["customer_id"].tolist() == ["A", "B"] and cols["open_1_30"].tolist() == [0.0, 400.0]
    assert "Allowance(as_of=2025-04-30" in repr(a) and "<table>" in a._repr_html_()


def test_forward_looking_factor_scales_and_caps() -> None:
    book = _book()
    m = ProvisionMatrix.fit(book, DATES, buckets=EDGES, loss_days=60, forward_looking=2.0)
    # 2 x (5/28, 0.25, 1/3), each capped at 1; the lost state stays 1
    np.testing.assert_allclose(m.rates[0], [10 / 28, 0.5, 2 / 3, 1.0])
    np.testing.assert_allclose(m.allowance(book).allowance, [100.0, 200.0])  # B: 400 x 0.5
    assert ProvisionMatrix.fit(book, DATES, buckets=EDGES, loss_days=60, forward_looking=9.0).rates.max() == 1.0


def test_write_off_is_a_loss_and_leaves_the_receivables() -> None:
    book = _book(write_off=True)  # A written off on 03-15: I1 (1-30 at 02-28) is lost by 03-31
    m = ProvisionMatrix.fit(book, DATES, buckets=EDGES, loss_days=60)
    # 1-30: left 400 (I3 300, I1 100): to 31-60 200 (I3), lost 100 (I1); 31-60: I3 200 paid -> rate 0
    np.testing.assert_allclose(m.transitions[0, 1], [0.0, 0.0, 0.5, 0.25])
    # 1-30 = 0.5 x 0 + 0.25 x 1 = 0.25; current = 5/7 x 0.25
    np.testing.assert_allclose(m.rates[0], [5 / 28, 0.25, 0.0, 1.0])
    a = m.allowance(book, "2025-04-30")
    assert a.written_off == pytest.approx(100.0)  # I1 is no longer a receivable
    np.testing.assert_allclose(a.allowance, [0.0, 100.0])


def test_point_in_time_later_facts_change_nothing() -> None:
    early = DATES[:3]
    plain = ProvisionMatrix.fit(_book(), early, buckets=EDGES, loss_days=60)
    later = ProvisionMatrix.fit(_book(later_payment=True), early, buckets=EDGES, loss_days=60)
    np.testing.assert_array_equal(plain.rates, later.rates)
    # current over two pairs: left 300 (I1 rolled 100, I2 paid 200) + I4 stayed -> 1/3; 31-60: I3 paid -> 0
    np.testing.assert_allclose(plain.roll_rates[0], [1 / 3, 0.75, 0.0])
    np.testing.assert_allclose(plain.rates[0], [0.0, 0.0, 0.0, 1.0])
    a = later.allowance(_book(later_payment=True), "2025-03-31")
    # at 03-31, I1 (paid 04-15) is still open in 31-60 at rate 0; I4 current at rate 0
    np.testing.assert_allclose(a.bucket_amount, [400.0, 0.0, 100.0, 0.0])


class _ByCustomer:
    """A scorer that grades A 'A' and B 'B' whatever the features."""

    def score(self, features: object, **_: object) -> ScoreResult:
        return ScoreResult(score=np.array([700.0, 500.0]), pd=np.array([0.01, 0.1]), grade=np.array(["A", "B"]))


def test_by_grade_and_by_column_by_hand() -> None:
    book = _book()
    m = ProvisionMatrix.fit(book, DATES, by="grade", scorer=_ByCustomer(), buckets=EDGES, loss_days=60)
    assert m.groups == ("A", "B", "all")
    # A: current I1 100 rolled, I2 200 paid -> 1/3; 1-30 I1 rolled -> 1; 31-60 I1 lost -> 1
    np.testing.assert_allclose(m.rates[0], [1 / 3, 1.0, 1.0, 1.0])
    # B: current I4 rolled in full (400/400); 1-30 I3 300 -> 200 rolled = 2/3; 31-60 I3 paid -> 0
    np.testing.assert_allclose(m.roll_rates[1], [1.0, 2 / 3, 0.0])
    np.testing.assert_allclose(m.rates[1], [0.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(m.rates[2], [5 / 28, 0.25, 1 / 3, 1.0])  # pooled = the matrix without groups
    np.testing.assert_allclose(m.allowance(book).allowance, [100.0, 0.0])
    col = ProvisionMatrix.fit(book, DATES, by="debtor_type", buckets=EDGES, loss_days=60)
    assert col.groups == ("government", "standard", "all")
    np.testing.assert_allclose(col.rates[:2], m.rates[[1, 0]])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"buckets": (30, 0)}, "buckets"),
        ({"loss_days": 30}, "loss_days"),
        ({"forward_looking": 0.0}, "forward_looking"),
        ({"by": "segment"}, "by"),
        ({"dates": ["2025-02-28", "2025-01-31"]}, "dates"),
        ({"dates": ["2025-04-30", "2025-05-31"]}, "dates"),
        ({"dates": ["2025-04-30"]}, "dates"),
        ({"scorer": _ByCustomer()}, "scorer"),
    ],
)
def test_invalid_input_is_named(kwargs: dict, field: str) -> None:
    args = {"dates": DATES, "buckets": EDGES, "loss_days": 60, **kwargs}
    with pytest.raises(ValidationError) as exc:
        ProvisionMatrix.fit(_book(), **args)
    assert exc.value.field == field, str(exc.value)


def test_not_a_portfolio_and_late_backtest_dates_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"riskkit\.Portfolio"):
        ProvisionMatrix.fit({"customers": []})
    m = ProvisionMatrix.fit(_book(), DATES, buckets=EDGES, loss_days=60)
    with pytest.raises(ValidationError, match="known only up to"):
        m.backtest(_book(), ["2025-03-31"], horizon_days=60)


def test_backtest_by_hand() -> None:
    book = _book()
    m = ProvisionMatrix.fit(book, DATES, buckets=EDGES, loss_days=60)
    bt = m.backtest(book, ["2025-02-28"], horizon_days=61)
    (row,) = bt.table()
    # refitted on 01-31 and 02-28 only: current 1/3 (I1 rolled of 300 left), 1-30 2/3 (I3), 31-60 none left:
    # taken to roll on in full -> rate 1; 1-30 = 2/3, current = 2/9
    # open at 02-28 not lost: I1 100 (1-30), I3 200 (31-60), I4 400 (current)
    assert row["open"] == pytest.approx(700.0)
    assert row["allowance"] == pytest.approx(100 * 2 / 3 + 200 * 1.0 + 400 * 2 / 9)
    # by 04-30 (02-28 + 61 days): I1 over 60 days past due (lost, 100 open); I3 paid; I4 open, 30 dpd
    assert row["losses"] == pytest.approx(100.0) and row["n_dates"] == 2


def test_month_ends() -> None:
    assert month_ends("2024-12-31", "2025-02-27").astype(str).tolist() == ["2024-12-31", "2025-01-31"]


def _erp_book() -> riskkit.Portfolio:
    """Credit notes (applied and on account), a payment within the tolerance, cash on account, a residual export."""
    def inv(id: str, amount: float, issued: str, due: str | None, **more: object) -> dict:
        return {"id": id, "customer_id": "C", "issued": issued, "due": due, "amount": amount, **more}

    invoices = [inv("I1", 1000.0, "2025-05-01", "2025-05-21", residual=400.0),
                inv("I2", 500.0, "2025-07-02", "2025-07-12"), inv("I3", 300.0, "2025-07-03", "2025-07-20"),
                inv("I4", 0.5, "2025-07-03", "2025-07-04"), inv("CN1", -100.0, "2025-07-10", None, applies_to="I3"),
                inv("CN2", -50.0, "2025-07-11", None)]
    payments = [{"invoice_id": "I1", "date": "2025-07-05", "amount": 250.0},
                {"invoice_id": "I2", "date": "2025-07-15", "amount": 499.5},
                {"invoice_id": "I3", "date": "2025-07-25", "amount": 100.0},
                {"customer_id": "C", "date": "2025-07-06", "amount": 30.0}]
    return riskkit.Portfolio.from_records(customers=[{"id": "C"}], invoices=invoices, payments=payments,
                                          export_date="2025-06-30", as_of="2025-08-10")


def test_the_history_of_a_fit_is_open_book_at_every_date() -> None:
    from riskkit._ledger import open_book
    from riskkit.provisions import _books

    bounds = np.asarray((0, 30, 60, 90, 180))
    for book in (_erp_book(), _book(write_off=True, later_payment=True)):
        start = max(book.invoices["issued"].min(), np.datetime64(book.export_date or "2000-01-01", "D"))
        days = np.arange(start, np.datetime64(book.as_of, "D") + 1)  # every day
        seen = 0
        for b, when in zip(_books(book, days, bounds), days, strict=True):
            ob = open_book(book, when)
            for mine, theirs in ((b.rows, ob.rows), (b.amount, ob.amount), (b.dpd, ob.dpd)):
                np.testing.assert_array_equal(mine, theirs)  # bit for bit
            seen += b.rows.size
        assert seen > 0
    with pytest.raises(ValidationError, match="not known: the book holds residual amounts exported on 2025-06-30"):
        ProvisionMatrix.fit(_erp_book(), ["2025-06-29", "2025-07-31"])


def test_synthetic_write_offs_feed_the_loss_state() -> None:
    from riskkit.datasets import make_portfolio

    plain, _ = make_portfolio(300, seed=1)
    written, outcomes = make_portfolio(300, seed=1, write_offs=True)
    kinds = np.asarray(written.events["kind"])
    wo = np.flatnonzero(kinds == "write_off")
    assert wo.size == 8 and np.asarray(plain.events["kind"]).size + wo.size == kinds.size
    # 120 days after each default on or before as_of - 120 days, one per such defaulter
    codes = written.codes(np.asarray(written.events["customer_id"])[wo].tolist())
    np.testing.assert_array_equal(written.events["date"][wo], outcomes.default_date[codes] + np.timedelta64(120, "D"))
    m0, m1 = ProvisionMatrix.fit(plain), ProvisionMatrix.fit(written)
    lost = m1.transitions[0, :-1, -1]  # the buckets up to loss_days: lost only by a write-off
    assert (m0.transitions[0, :-1, -1] == 0).all() and lost.sum() > 0
    assert (m1.rates[0] >= m0.rates[0]).all()
    assert m1.allowance(written).written_off > 0 == m0.allowance(plain).written_off


def test_the_month_end_report_shows_the_allowance() -> None:
    from riskkit.datasets import make_portfolio
    from riskkit.reporting._provisions import provision_part

    book, _ = make_portfolio(200, seed=5)
    rep = riskkit.report(book)
    part = rep.provisions
    matrix = ProvisionMatrix.fit(book, month_ends("2025-01-01", "2025-12-31"))
    a = matrix.allowance(book)
    assert part["error"] == "" and part["n_dates"] == 12
    assert part["total"] == pytest.approx(a.total) and part["coverage"] == pytest.approx(a.coverage)
    assert [r["rate"] for r in part["buckets"]] == pytest.approx(matrix.rates[0].tolist())
    assert "Expected credit loss" in rep.html and "Expected credit loss: allowance" in rep.text()
    # a history too short is said, not raised
    early = provision_part(_book(), "2025-02-15")
    assert early["error"].startswith("the book's history holds 1 month-end(s) on or before 2025-02-15")
    short = riskkit.report(_book(), "2025-02-15")
    assert "No provision matrix: the book&#x27;s history holds 1 month-end(s)" in short.html
