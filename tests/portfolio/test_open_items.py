"""Open items as an ERP keeps them: credit notes, tolerances, down payments, cash on account, currencies.

Every convention of docs/domain.md (open items) has a hand-computed test here,
and a property test checks that a book written the way ERPs write it gives the
same features as the same book written in one currency with the credits and
payments netted by hand.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskkit import Portfolio, ValidationError
from riskkit._ledger import group_cumsum

AS_OF = "2025-06-30"


def book(invoices: list[dict[str, Any]], payments: list[dict[str, Any]] = (), **options: Any) -> Portfolio:
    options.setdefault("as_of", AS_OF)
    return Portfolio.from_records(customers=[{"id": "C"}], invoices=invoices, payments=list(payments), **options)


def inv(id: str, amount: float, issued: str = "2025-05-01", due: str | None = "2025-05-21", **more: Any) -> dict:
    return {"id": id, "customer_id": "C", "issued": issued, "due": due, "amount": amount, **more}


def feature(p: Portfolio, name: str, as_of: str = AS_OF) -> float:
    return float(p.features(as_of)[name][0])


# --- credit notes -----------------------------------------------------------------------------------


def test_a_credit_note_on_account_nets_into_the_balance_and_carries_no_days_past_due() -> None:
    # invoice 1,000 due 2025-05-21 (40 days past due on 2025-06-30); credit note 300 on account
    p = book([inv("I1", 1000.0), inv("CN1", -300.0, issued="2025-06-10", due=None)])
    assert feature(p, "open_amount") == 700.0
    assert feature(p, "credit_balance") == 300.0
    assert feature(p, "overdue_amount") == 1000.0  # only invoices are overdue
    assert feature(p, "aging_31_60") == 1000.0 and feature(p, "aging_current") == 0.0
    assert feature(p, "overdue_ratio") == 1.0
    assert feature(p, "max_days_past_due") == 40.0
    # credit sales of the last 90 days are net of the credit note: 1,000 - 300
    assert feature(p, "dso_90d") == pytest.approx(700.0 / 700.0 * 90)
    assert feature(p, "add_90d") == pytest.approx(1000.0 / 700.0 * 90)
    # before the credit note was issued it did not exist
    assert feature(p, "open_amount", "2025-06-09") == 1000.0


def test_a_credit_note_that_names_its_invoice_clears_it_from_its_date() -> None:
    p = book([inv("I1", 1000.0), inv("CN1", -1000.0, issued="2025-06-10", due=None, applies_to="I1")])
    assert feature(p, "open_amount") == 0.0 and feature(p, "credit_balance") == 0.0
    assert feature(p, "max_days_past_due") == 0.0 and feature(p, "overdue_amount") == 0.0
    assert feature(p, "open_amount", "2025-06-09") == 1000.0
    assert feature(p, "max_days_past_due", "2025-06-09") == 19.0
    # a credit note is not a payment: no payment behaviour comes from it
    assert math.isnan(feature(p, "payment_index"))
    partly = book([inv("I1", 1000.0), inv("CN1", -300.0, issued="2025-06-10", due=None, applies_to="I1")])
    assert feature(partly, "open_amount") == 700.0 and feature(partly, "aging_31_60") == 700.0
    assert feature(partly, "credit_balance") == 0.0
    # a credit note larger than what is left: the rest is a credit on the account
    more = book([inv("I1", 1000.0), inv("CN1", -1200.0, issued="2025-06-10", due=None, applies_to="I1")])
    assert feature(more, "open_amount") == -200.0 and feature(more, "credit_balance") == 200.0


@pytest.mark.parametrize(
    "note",
    [
        {"amount": -250.0},  # a negative amount
        {"amount": 250.0, "kind": "credit_note"},  # Odoo's out_refund: positive, marked by its kind
        {"amount": 250.0, "credit": True},  # SAP's SHKZG = H
        {"amount": -250.0, "kind": "credit_note", "credit": True},  # marked three ways: still one credit
    ],
)
def test_a_credit_is_one_credit_whatever_sign_the_erp_writes(note: dict[str, Any]) -> None:
    p = book([inv("I1", 1000.0), {**inv("CN1", 0.0, due=None), **note}])
    assert p.invoices["amount"].tolist() == [1000.0, -250.0]
    assert p.invoices["kind"].tolist() == ["invoice", "credit_note"]
    assert feature(p, "open_amount") == 750.0


def test_a_refund_lowers_the_credit_it_pays_out() -> None:
    p = book([inv("CN1", -500.0, due=None)], [{"invoice_id": "CN1", "date": "2025-06-01", "amount": 200.0}])
    assert feature(p, "credit_balance") == 300.0 and feature(p, "open_amount") == -300.0
    assert math.isnan(feature(p, "payment_index"))  # a refund is not the customer paying


# --- tolerance ----------------------------------------------------------------------------------------


def test_a_payment_within_the_tolerance_settles_the_invoice() -> None:
    # SAP: 1 cent above the invoice (currency rounding) -- was rejected, left 1,614.30 open at 360 days
    over = book([inv("I1", 1614.30)], [{"invoice_id": "I1", "date": "2025-05-20", "amount": 1614.31}])
    assert feature(over, "open_amount") == 0.0 and feature(over, "credit_balance") == 0.0
    assert feature(over, "max_days_past_due") == 0.0 and feature(over, "aging_91_plus") == 0.0
    assert feature(over, "partial_payments_90d") == 0.0
    short = book([inv("I1", 1000.0)], [{"invoice_id": "I1", "date": "2025-05-25", "amount": 999.50}])
    assert feature(short, "open_amount") == 0.0 and feature(short, "max_days_past_due") == 0.0
    assert feature(short, "wadl_90d") == 4.0  # paid 4 days late
    # the tolerance is per load
    strict = book([inv("I1", 1000.0)], [{"invoice_id": "I1", "date": "2025-05-25", "amount": 999.50}], tolerance=0.0)
    assert feature(strict, "open_amount") == pytest.approx(0.50)
    assert feature(strict, "max_days_past_due") == 40.0 and feature(strict, "partial_payments_90d") == 1.0


def test_an_invoice_smaller_than_the_tolerance_is_open_until_paid() -> None:
    p = book([inv("I1", 0.40)])
    assert feature(p, "open_amount") == 0.40 and feature(p, "max_days_past_due") == 40.0


def test_an_overpayment_beyond_the_tolerance_is_cash_on_account() -> None:
    p = book([inv("I1", 1000.0)], [{"invoice_id": "I1", "date": "2025-05-20", "amount": 1050.0}])
    assert feature(p, "open_amount") == -50.0 and feature(p, "credit_balance") == 50.0
    assert feature(p, "max_days_past_due") == 0.0
    # the payment behaviour weighs what paid the invoice, not the excess
    assert p.features()["payment_index"][0] == pytest.approx(80 + (1 / 20) * 10)  # 1 day early: 80.5


def test_payments_in_many_parts_settle_when_they_add_up() -> None:
    p = book(
        [inv("I1", 1000.0)],
        [{"invoice_id": "I1", "date": f"2025-05-{d:02d}", "amount": a} for d, a in [(10, 400.0), (15, 300.0), (30, 299.6)]],
    )
    assert feature(p, "open_amount") == 0.0
    assert feature(p, "open_amount", "2025-05-20") == pytest.approx(300.0)
    assert feature(p, "partial_payments_90d") == 2.0  # the last one settled it within the tolerance


# --- down payments and cash on account ----------------------------------------------------------------


def test_a_down_payment_is_a_credit_until_its_invoice_is_issued() -> None:
    p = book([inv("I1", 1000.0, issued="2025-05-01")], [{"invoice_id": "I1", "date": "2025-04-20", "amount": 400.0}])
    assert feature(p, "open_amount", "2025-04-25") == -400.0
    assert feature(p, "credit_balance", "2025-04-25") == 400.0
    assert feature(p, "open_amount", "2025-05-01") == 600.0
    assert feature(p, "credit_balance", "2025-05-01") == 0.0
    assert feature(p, "overdue_amount") == 600.0
    # paid 31 days ahead of the due date: the index's best band
    assert p.features()["payment_index"][0] == 100.0


def test_a_payment_that_names_no_invoice_is_unapplied_cash_of_its_customer() -> None:
    p = book([inv("I1", 1000.0)], [{"customer_id": "C", "date": "2025-06-01", "amount": 250.0}])
    assert feature(p, "open_amount") == 750.0 and feature(p, "credit_balance") == 250.0
    assert feature(p, "overdue_amount") == 1000.0  # not applied: the invoice stays overdue
    assert math.isnan(feature(p, "payment_index"))
    assert p.payments["invoice"].tolist() == [-1] and p.payments["customer"].tolist() == [0]


def test_a_payment_naming_an_invoice_of_another_customer_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"payments row 0 \(id 'I1'\): field 'customer_id' \('D'\) differs from the invoice's customer \('C'\)"):
        Portfolio.from_records(
            customers=[{"id": "C"}, {"id": "D"}],
            invoices=[inv("I1", 10.0)],
            payments=[{"invoice_id": "I1", "customer_id": "D", "date": "2025-05-02", "amount": 10.0}],
        )


def test_credit_note_rules_name_the_row() -> None:
    with pytest.raises(ValidationError, match=r"invoices row 1 .*'applies_to' \('I9'\) is not a known invoice id"):
        book([inv("I1", 10.0), inv("CN1", -5.0, due=None, applies_to="I9")])
    with pytest.raises(ValidationError, match=r"invoices row 1 .*'applies_to' \('CN0'\) refers to a credit note"):
        book([inv("CN0", -1.0, due=None), inv("CN1", -5.0, due=None, applies_to="CN0")])
    with pytest.raises(ValidationError, match=r"invoices row 0 .*'due' \(None\) is missing; it is required for an invoice"):
        book([inv("I1", 10.0, due=None)])
    with pytest.raises(ValidationError, match=r"'residual' \(20.0\) is above the document's amount \(10.0\)"):
        book([inv("I1", 10.0, residual=20.0)])


# --- currencies -------------------------------------------------------------------------------------


RATES = {"date": ["2025-01-01", "2025-05-15", "2025-01-01"], "currency": ["USD", "USD", "CHF"], "rate": [0.90, 0.95, 1.05]}


def test_amounts_are_converted_at_the_rate_of_their_document_date() -> None:
    p = book(
        [inv("I1", 1000.0, currency="USD"), inv("I2", 500.0, issued="2025-05-20", due="2025-06-19", currency="usd"),
         inv("I3", 100.0, currency="CHF"), inv("I4", 10.0)],
        currency="EUR",
        rates=RATES,
    )
    assert p.currency == "EUR"
    assert p.invoices["currency"].tolist() == ["USD", "USD", "CHF", "EUR"]
    assert p.invoices["amount"].tolist() == pytest.approx([900.0, 475.0, 105.0, 10.0])
    assert feature(p, "open_amount") == pytest.approx(900 + 475 + 105 + 10)


def test_a_payment_in_document_currency_settles_its_invoice_whatever_the_rate_did() -> None:
    # USD 1,000 invoiced at 0.90, paid USD 1,000 when the rate is 0.95: settled, no exchange residue in AR
    p = book([inv("I1", 1000.0, currency="USD")], [{"invoice_id": "I1", "date": "2025-05-20", "amount": 1000.0}],
             currency="EUR", rates=RATES)
    assert p.payments["currency"].tolist() == ["USD"]  # a payment without a currency takes its invoice's
    assert p.payments["amount"].tolist() == pytest.approx([950.0])
    assert feature(p, "open_amount") == 0.0
    assert feature(p, "wadl_90d") == 0.0
    # the tolerance is in document currency: USD 0.99 short settles
    short = book([inv("I1", 1000.0, currency="USD")], [{"invoice_id": "I1", "date": "2025-05-20", "amount": 999.01}],
                 currency="EUR", rates=RATES)
    assert feature(short, "open_amount") == 0.0


def test_currencies_without_a_rate_are_errors_naming_them() -> None:
    with pytest.raises(ValidationError, match=r"amounts in 2 currencies \(EUR, USD\) and no reporting currency"):
        book([inv("I1", 1.0, currency="USD"), inv("I2", 1.0, currency="EUR")])
    with pytest.raises(ValidationError, match=r"invoices: amounts in GBP but no GBP rate to the reporting currency EUR"):
        book([inv("I1", 1.0, currency="GBP")], currency="EUR", rates={"USD": 0.9})
    with pytest.raises(ValidationError, match=r"invoices: no USD rate on or before 2024-12-01"):
        book([inv("I1", 1.0, issued="2024-12-01", due="2024-12-31", currency="USD")], currency="EUR", rates=RATES)
    with pytest.raises(ValidationError, match=r"rates\['USD'\] \(0\) must be a finite number > 0"):
        book([inv("I1", 1.0)], currency="EUR", rates={"USD": 0})
    # one currency named everywhere: it is the reporting currency, no rates needed
    assert book([inv("I1", 1.0, currency="CHF")]).currency == "CHF"


# --- residual exports ---------------------------------------------------------------------------------


def test_a_residual_export_is_open_down_to_its_residual_and_knows_no_payment_history() -> None:
    p = book([inv("I1", 1000.0, residual=400.0), inv("CN1", -100.0, due=None, residual=-100.0)], export_date=AS_OF)
    assert p.export_date is not None and str(p.export_date) == AS_OF
    assert feature(p, "open_amount") == 300.0 and feature(p, "overdue_amount") == 400.0
    for name in ("payment_index", "wadl_90d", "partial_payments_90d"):
        assert math.isnan(feature(p, name)), name  # never guessed
    with pytest.raises(ValidationError, match="before the export date 2025-06-30"):
        p.features("2025-06-29")
    # looking back (trends, signals) gives NaN for what only the export could tell
    assert math.isnan(p.features_history(np.datetime64("2025-06-01"))["open_amount"][0])
    # payments after the export date clear the residual
    later = book([inv("I1", 1000.0, residual=400.0)], [{"invoice_id": "I1", "date": "2025-07-05", "amount": 400.0}],
                 export_date=AS_OF, as_of="2025-07-10")
    assert feature(later, "open_amount", "2025-07-10") == 0.0


# --- loads that fail --------------------------------------------------------------------------------


def test_a_bad_optional_field_is_blanked_and_the_row_kept() -> None:
    customers = [{"id": f"C{i}", "name": f"N{i}", "established": "31.03.1999"} for i in range(3)]
    p = Portfolio.from_records(customers=customers, errors="collect", as_of=AS_OF)
    assert p.n_customers == 3 and np.isnat(p.customers["established"]).all()
    assert [(r.row, r.field, r.kept) for r in p.rejected] == [(0, "established", True), (1, "established", True),
                                                             (2, "established", True)]
    with pytest.raises(ValidationError, match="'established'"):
        Portfolio.from_records(customers=customers, as_of=AS_OF)  # raise mode stays strict


def test_a_load_that_rejects_every_customer_or_invoice_is_an_error() -> None:
    with pytest.raises(ValidationError, match=r"every row of customers was rejected \(2 rows\); most common reason "
                                              r"\(2 rows\): field 'blocked' is of type str"):
        Portfolio.from_records(customers=[{"id": "A", "blocked": "no"}, {"id": "B", "blocked": "x"}], errors="collect")
    with pytest.raises(ValidationError, match=r"every row of invoices was rejected \(1 rows\); .*field 'amount' is missing"):
        Portfolio.from_records(customers=[{"id": "A"}], invoices=[inv("I1", None)], errors="collect")


# --- exact sums ---------------------------------------------------------------------------------------


def test_group_running_sums_are_exact_per_group_at_any_book_size() -> None:
    rng = np.random.default_rng(0)
    sizes = rng.integers(1, 9, 20_000)
    values = np.round(rng.uniform(1, 1e4, sizes.sum()), 2)
    values[:5] = 1e15  # a huge first group must not leak rounding into the others
    starts = np.zeros(values.size, dtype=bool)
    starts[np.r_[0, np.cumsum(sizes)[:-1]]] = True
    got = group_cumsum(values, starts)
    begin = np.r_[0, np.cumsum(sizes)[:-1]]
    for b, n in zip(begin[:500].tolist(), sizes[:500].tolist(), strict=True):
        # only this group's own rounding (a few ulp), nothing of the 1e15 group's
        np.testing.assert_allclose(got[b:b + n], np.cumsum(values[b:b + n]), rtol=1e-15, atol=0)


def test_fully_paid_invoices_are_not_partial_in_a_huge_book() -> None:
    n = 2000
    ids = [f"I{i}" for i in range(n)]
    amount = np.full(n, 5e7)  # a book total of 1e11
    p = Portfolio.from_arrays(
        customers={"id": np.array(["C"])},
        invoices={"id": np.array(ids), "customer_id": np.full(n, "C"), "issued": np.full(n, "2025-05-01"),
                  "due": np.full(n, "2025-05-31"), "amount": amount},
        payments={"invoice_id": np.repeat(ids, 3), "date": np.full(3 * n, "2025-06-01"),
                  "amount": np.repeat(amount / 3, 3)},
        as_of=AS_OF,
    )
    assert feature(p, "partial_payments_90d") == 2 * n  # the first two of three parts, never the last
    assert feature(p, "open_amount") == 0.0


# --- an ERP's book equals the same book netted by hand ------------------------------------------------


FX = {"EUR": [1.0, 1.0], "USD": [0.90, 0.95], "CHF": [1.05, 1.10]}
RATE_DAYS = ["2024-01-01", "2025-03-01"]


def _rate(currency: str, day: np.datetime64) -> float:
    return FX[currency][int(day >= np.datetime64(RATE_DAYS[1]))]


@st.composite
def erp_books(draw: st.DrawFn) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """An ERP-shaped book (credit notes marked several ways, tolerances, down payments, three currencies)
    and the same book in EUR with everything netted by hand."""
    n_customers = draw(st.integers(1, 4))
    customers = [{"id": f"C{i}"} for i in range(n_customers)]
    erp: dict[str, list[dict]] = {"customers": customers, "invoices": [], "payments": []}
    flat: dict[str, list[dict]] = {"customers": customers, "invoices": [], "payments": []}
    base = np.datetime64("2025-01-01")
    for k in range(draw(st.integers(1, 10))):
        cust = f"C{draw(st.integers(0, n_customers - 1))}"
        cur = draw(st.sampled_from(sorted(FX)))
        issued = base + np.timedelta64(draw(st.integers(0, 150)), "D")
        terms = draw(st.sampled_from([0, 14, 30, 60]))
        amount = draw(st.integers(5_000, 500_000)) / 100  # document currency
        rate = _rate(cur, issued)
        doc = f"I{k}"
        credit = draw(st.booleans()) and k % 3 == 2
        if credit:
            how = draw(st.sampled_from(["negative", "kind", "flag", "all"]))
            row = {"id": doc, "customer_id": cust, "issued": str(issued), "currency": cur,
                   "amount": -amount if how in ("negative", "all") else amount}
            if how in ("kind", "all"):
                row["kind"] = "credit_note"
            if how in ("flag", "all"):
                row["credit"] = True
            erp["invoices"].append(row)
            flat["invoices"].append({"id": doc, "customer_id": cust, "issued": str(issued), "due": str(issued),
                                     "amount": -amount * rate})
            continue
        due = issued + np.timedelta64(terms, "D")
        erp["invoices"].append({"id": doc, "customer_id": cust, "issued": str(issued), "due": str(due),
                                "amount": amount, "currency": cur})
        flat["invoices"].append({"id": doc, "customer_id": cust, "issued": str(issued), "due": str(due),
                                 "amount": amount * rate})
        remaining = amount
        day = issued - np.timedelta64(draw(st.integers(0, 10)), "D")  # the first may be a down payment
        for _ in range(draw(st.integers(0, 3))):
            if remaining < 40:
                break
            part = round(remaining * draw(st.sampled_from([0.25, 0.5])), 2)
            erp["payments"].append({"invoice_id": doc, "date": str(day), "amount": part})
            flat["payments"].append({"invoice_id": doc, "date": str(day), "amount": part * rate})
            remaining = round(remaining - part, 2)
            day = day + np.timedelta64(draw(st.integers(1, 40)), "D")
        ending = draw(st.sampled_from(["open", "within", "excess"]))
        day = max(day, issued)  # a settling payment ahead of its invoice is a credit of what was paid, not netted
        if ending == "within":  # rounding differences the ERP's tolerance writes off
            delta = draw(st.sampled_from([-0.9, -0.01, 0.0, 0.01, 0.9]))
            erp["payments"].append({"invoice_id": doc, "date": str(day), "amount": remaining + delta})
            flat["payments"].append({"invoice_id": doc, "date": str(day), "amount": remaining * rate})
        elif ending == "excess":  # paid more: the excess is cash on account
            extra = draw(st.integers(200, 10_000)) / 100
            erp["payments"].append({"invoice_id": doc, "date": str(day), "amount": remaining + extra})
            flat["payments"].append({"invoice_id": doc, "date": str(day), "amount": remaining * rate})
            flat["payments"].append({"customer_id": cust, "date": str(day), "amount": extra * rate})
    return erp, flat


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(erp_books(), st.sampled_from(["2025-02-15", "2025-04-01", "2025-06-30", "2025-09-30"]))
def test_an_erp_book_gives_the_features_of_the_same_book_netted_by_hand(books: tuple, as_of: str) -> None:
    erp, flat = books
    rates = {"date": [d for d in RATE_DAYS for _ in FX], "currency": list(FX) * 2,
             "rate": [FX[c][i] for i in range(2) for c in FX]}
    a = Portfolio.from_records(**erp, currency="EUR", rates=rates, as_of=as_of)
    b = Portfolio.from_records(**flat, as_of=as_of)
    fa, fb = a.features(), b.features()
    for name in fa.names:
        np.testing.assert_allclose(fa[name], fb[name], rtol=1e-9, atol=1e-6, err_msg=name)


# --- the ledger's sort and running sums, against the plain computations (issue 14) ------------------------


def _doubling_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Hillis-Steele running sums over every element (what group_cumsum computes on the later ones only)."""
    out = values.astype(np.float64).copy()
    pos = np.arange(out.size)
    depth = pos - np.maximum.accumulate(np.where(starts, pos, 0)) if out.size else pos
    shift = 1
    while out.size and shift <= depth.max():
        take = np.flatnonzero(depth >= shift)
        out[take] = out[take] + out[take - shift]
        shift *= 2
    return out


def test_ledger_events_sort_and_running_sums_equal_the_plain_computations() -> None:
    from riskkit._ledger import _PAY, _sorted_events, group_cumsum

    rng = np.random.default_rng(14)
    for _ in range(2000):
        n_docs = int(rng.integers(1, 30))
        own = np.flatnonzero(rng.random(n_docs) < 0.6)
        own_date = rng.integers(0, 5, own.size).astype("datetime64[D]")
        own_mag = rng.random(own.size)
        m = int(rng.integers(0, 20))
        owner, date = rng.integers(0, n_docs, m), rng.integers(0, 5, m).astype("datetime64[D]")
        if m and rng.random() < 0.1:
            date[0] = np.datetime64("NaT")
        mag, kind = rng.random(m), rng.integers(0, 3, m).astype(np.int8)
        got = _sorted_events(own, own_date, own_mag, owner.astype(np.int64), date, mag, kind)
        all_owner, all_date = np.concatenate([own, owner]), np.concatenate([own_date, date])
        all_kind = np.concatenate([np.full(own.size, _PAY, dtype=np.int8), kind])
        order = np.lexsort((all_kind, all_date, all_owner))
        expected = (all_owner[order], all_date[order], np.concatenate([own_mag, mag])[order], all_kind[order])
        for a, b in zip(got, expected, strict=True):
            assert a.dtype == b.dtype and np.array_equal(a.view(np.uint8), b.view(np.uint8))
        values = rng.random(int(rng.integers(0, 40))) * 10.0 ** int(rng.integers(-3, 17))
        starts = rng.random(values.size) < rng.random()
        assert np.array_equal(group_cumsum(values, starts).view(np.int64), _doubling_cumsum(values, starts).view(np.int64))
