"""Records validate themselves at construction and name the record and field on failure."""

from __future__ import annotations

import datetime as dt
import math

import attrs
import numpy as np
import pytest

from riskkit.errors import RiskkitError, ValidationError
from riskkit.records import (
    CustomerEvent,
    CustomerRecord,
    EventKind,
    ExposureRecord,
    FinancialStatement,
    Invoice,
    Order,
    Payment,
)

D = dt.date


def invoice(**changes: object) -> Invoice:
    fields: dict[str, object] = {
        "id": "INV-7",
        "customer_id": "C1",
        "issued": D(2025, 1, 10),
        "due": D(2025, 2, 9),
        "amount": 1200.0,
    }
    fields.update(changes)
    return Invoice(**fields)  # type: ignore[arg-type]


def raises(record_label: str, field: str, *fragments: str) -> pytest.RaisesContext[ValidationError]:
    """Expect a ValidationError whose message names the record, the field and every fragment."""
    import re

    pattern = re.escape(f"{record_label}: field {field!r}")
    for fragment in fragments:
        pattern += ".*" + re.escape(fragment)
    return pytest.raises(ValidationError, match=pattern)


# --- valid records -------------------------------------------------------------------


def test_invoice_normalises_dates_and_numbers() -> None:
    inv = Invoice(
        "INV-1",
        "C1",
        "2025-01-10",
        np.datetime64("2025-02-09"),
        np.float64(500),
        paid_amount=200,
        paid_on=dt.datetime(2025, 2, 1),
    )
    assert inv.issued == D(2025, 1, 10) and type(inv.issued) is dt.date
    assert inv.due == D(2025, 2, 9) and type(inv.due) is dt.date
    assert inv.paid_on == D(2025, 2, 1) and type(inv.paid_on) is dt.date
    assert inv.amount == 500.0 and type(inv.amount) is float
    assert inv.paid_amount == 200.0 and type(inv.paid_amount) is float


def test_invoice_defaults_and_fully_paid() -> None:
    assert (invoice().paid_amount, invoice().paid_on) == (0.0, None)
    paid = invoice(paid_amount=1200.0, paid_on="2025-02-09")
    assert paid.paid_amount == paid.amount
    # a zero invoice may carry a payment date without an amount
    assert invoice(amount=0.0, paid_on="2025-01-10").paid_on == D(2025, 1, 10)
    # due on the day of issue is fine
    assert invoice(due="2025-01-10").due == D(2025, 1, 10)


def test_customer_defaults_and_integer_id() -> None:
    c = CustomerRecord(4711)  # type: ignore[arg-type]
    assert c.id == "4711"
    assert (c.name, c.industry, c.region, c.established, c.debtor_type) == ("", "", "", None, "standard")
    assert math.isnan(c.industry_risk) and math.isnan(c.secured_amount) and c.blocked is False
    c = CustomerRecord("C1", established="1999-05-01", industry_risk=-0.5, blocked=np.bool_(True))
    assert c.established == D(1999, 5, 1) and c.industry_risk == -0.5 and c.blocked is True


def test_statement_missing_items_are_nan_and_signed_items_may_be_negative() -> None:
    st = FinancialStatement("C1", "2024-12-31", revenue=1e6, ebit=-5e4, net_income=None, equity=-1.0)
    assert st.revenue == 1e6 and st.ebit == -5e4 and st.equity == -1.0
    assert math.isnan(st.net_income) and math.isnan(st.total_assets)  # type: ignore[arg-type]
    assert st.published is None
    assert FinancialStatement("C1", "2024-12-31", published="2024-12-31").published == D(2024, 12, 31)


def test_records_are_frozen_equal_and_hashable() -> None:
    a, b = invoice(), invoice()
    assert a == b and hash(a) == hash(b)
    # a missing (NaN) amount compares equal to itself, so records with one are equal too
    c = CustomerRecord("C1")
    assert c == c == CustomerRecord("C1", industry_risk=float("nan")) != CustomerRecord("C1", industry_risk=0.1)
    assert len({c, CustomerRecord("C1"), CustomerRecord("C1", industry_risk=np.nan)}) == 1
    st = FinancialStatement("C1", "2024-12-31", revenue=5.0)
    assert st == FinancialStatement("C1", "2024-12-31", revenue=5.0, ebit=None)
    assert st != FinancialStatement("C1", "2024-12-31", revenue=5.0, ebit=0.0)
    assert Order("C1", "2025-01-01", 5.0) == Order("C1", "2025-01-01", 5.0)
    assert CustomerEvent("C1", "2025-01-01", "lawsuit") in [CustomerEvent("C1", "2025-01-01", "lawsuit")]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.amount = 5.0  # type: ignore[misc]


def test_validation_error_is_a_riskkit_error_and_a_value_error() -> None:
    with pytest.raises(ValidationError) as info:
        invoice(amount=float("inf"))
    err = info.value
    assert isinstance(err, RiskkitError) and isinstance(err, ValueError)
    assert (err.table, err.field, err.value) == ("invoices", "amount", float("inf"))
    assert str(err) == "Invoice 'INV-7': field 'amount' (inf) is not finite; expected a finite number"


# --- money ---------------------------------------------------------------------------


BAD_MONEY = [
    (-0.01, "-0.01", "is negative"),
    (float("nan"), "nan", "is missing"),
    (float("inf"), "inf", "is not finite"),
    (float("-inf"), "-inf", "is not finite"),
    (np.float64("nan"), "nan", "is missing"),
    ("100", "'100'", "is of type str; expected a real number"),
    (True, "True", "is of type bool"),
    (np.bool_(False), "False", "is of type bool"),
    (None, "None", "is missing; it is required"),
    (np.timedelta64(3, "D"), "3 days", "is of type timedelta64"),
    # an int beyond float64 used to escape as OverflowError
    (10**400, "100000000000...0000 (an integer of 401 digits)", "is too large for a number; expected a finite number"),
    (-(10**400), "-10000000000...0000 (an integer of 401 digits)", "is too large for a number"),
]


@pytest.mark.parametrize(("value", "shown", "reason"), BAD_MONEY)
def test_invoice_amount_refused(value: object, shown: str, reason: str) -> None:
    if reason == "is negative":  # a negative document amount is a credit note
        assert invoice(amount=value).is_credit
        return
    with raises("Invoice 'INV-7'", "amount", f"({shown})", reason):
        invoice(amount=value)


@pytest.mark.parametrize(
    ("value", "reason"), [(-1.0, "is negative"), (float("inf"), "not finite"), ("5", "type str"), (True, "type bool")]
)
def test_optional_money_refused(value: object, reason: str) -> None:
    with raises("Invoice 'INV-7'", "paid_amount", reason):
        invoice(paid_amount=value, paid_on="2025-01-20")
    with raises("ExposureRecord 'C9'", "open_orders", reason):
        ExposureRecord("C9", 1000.0, open_orders=value)  # type: ignore[arg-type]
    with raises("CustomerRecord 'C9'", "secured_amount", reason):
        CustomerRecord("C9", secured_amount=value)  # type: ignore[arg-type]
    with raises("Order 'C9'", "quantity", reason):
        Order("C9", "2025-01-01", 10.0, quantity=value)  # type: ignore[arg-type]
    with raises("CustomerEvent 'C9'", "amount", reason):
        CustomerEvent("C9", "2025-01-01", "lawsuit", amount=value)  # type: ignore[arg-type]


def test_optional_money_nan_is_missing() -> None:
    """NaN is the missing marker of a float column: an optional amount takes its default."""
    assert invoice(paid_amount=float("nan")).paid_amount == 0.0
    assert math.isnan(Order("C1", "2025-01-01", 5.0, quantity=float("nan")).quantity)


@pytest.mark.parametrize(("value", "reason"), [(-1.0, "is negative"), (float("nan"), "is missing"), (float("inf"), "not finite")])
def test_required_money_refused_in_every_record(value: float, reason: str) -> None:
    with raises("ExposureRecord 'C1'", "credit_limit", reason):
        ExposureRecord("C1", value)
    with raises("Payment 'INV-7'", "amount", reason):
        Payment("INV-7", "2025-01-01", value)
    with raises("Order 'C1'", "amount", reason):
        Order("C1", "2025-01-01", value)


@pytest.mark.parametrize("item", ["revenue", "total_assets", "total_liabilities", "current_assets",
                                  "current_liabilities", "market_value_equity", "intangible_assets"])
def test_statement_money_items_refuse_negative(item: str) -> None:
    with raises("FinancialStatement 'C1'", item, "(-1.0)", "is negative"):
        FinancialStatement("C1", "2024-12-31", **{item: -1.0})  # type: ignore[arg-type]


@pytest.mark.parametrize("item", ["ebit", "net_income", "retained_earnings", "equity", "operating_cash_flow", "revenue"])
def test_statement_items_refuse_infinity(item: str) -> None:
    with raises("FinancialStatement 'C1'", item, "(inf)", "is not finite"):
        FinancialStatement("C1", "2024-12-31", **{item: float("inf")})  # type: ignore[arg-type]


def test_ratio_and_bool_fields() -> None:
    with raises("CustomerRecord 'C1'", "industry_risk", "(inf)", "not finite"):
        CustomerRecord("C1", industry_risk=float("inf"))
    with raises("CustomerRecord 'C1'", "industry_risk", "type str"):
        CustomerRecord("C1", industry_risk="high")  # type: ignore[arg-type]
    for value in ("yes", 1, 0.0):
        with raises("CustomerRecord 'C1'", "blocked", "expected True or False"):
            CustomerRecord("C1", blocked=value)  # type: ignore[arg-type]


# --- dates and cross-field rules ----------------------------------------------------------


def test_due_before_issued() -> None:
    with raises("Invoice 'INV-7'", "due", "(2025-01-09)", "is before 'issued' (2025-01-10)"):
        invoice(due="2025-01-09")


def test_down_payments_and_overpayments_are_documents_an_erp_keeps() -> None:
    assert invoice(paid_amount=10.0, paid_on="2025-01-01").paid_on == dt.date(2025, 1, 1)  # paid ahead
    assert invoice(paid_amount=1200.5, paid_on="2025-02-01").paid_amount == 1200.5  # paid more


def test_credit_notes_need_no_due_date_and_name_what_they_correct() -> None:
    note = invoice(amount=-50.0, due=None, applies_to="INV-1")
    assert note.is_credit and note.due is None
    assert invoice(amount=50.0, kind="credit_note", due=None).is_credit
    assert invoice(amount=50.0, credit=True, due=None).is_credit
    with raises("Invoice 'INV-7'", "due", "(None)", "is missing; it is required for an invoice"):
        invoice(due=None)
    with raises("Invoice 'INV-7'", "applies_to", "('INV-1')", "only a credit note applies to an invoice"):
        invoice(applies_to="INV-1")
    with raises("Invoice 'INV-7'", "kind", "('refund')", "is not a known invoice kind"):
        invoice(kind="refund")
    with raises("Invoice 'INV-7'", "currency", "('euro')", "is not a currency code"):
        invoice(currency="euro")
    assert invoice(currency=" chf ").currency == "CHF"


def test_paid_amount_without_paid_on() -> None:
    with raises("Invoice 'INV-7'", "paid_amount", "(10.0)", "is set without 'paid_on'"):
        invoice(paid_amount=10.0)


def test_paid_on_without_paid_amount() -> None:
    with raises("Invoice 'INV-7'", "paid_on", "(2025-02-01)", "'paid_amount' is 0"):
        invoice(paid_on="2025-02-01")


def test_published_before_period_end() -> None:
    with raises("FinancialStatement 'C1'", "published", "(2024-12-30)", "is before 'period_end' (2024-12-31)"):
        FinancialStatement("C1", "2024-12-31", published="2024-12-30")


BAD_DATES = [
    (dt.datetime(2025, 1, 10, 9, 30), "2025-01-10 09:30:00", "has a time of day"),
    (dt.datetime(2025, 1, 10, tzinfo=dt.timezone.utc), "2025-01-10 00:00:00+00:00", "time zone"),
    (np.datetime64("2025-01-10T09:30"), "2025-01-10T09:30", "has a time of day"),
    (np.datetime64("2025-01-10T00:00:00.000000001"), "2025-01-10T00:00:00.000000001", "has a time of day"),
    (np.datetime64("2025-01"), "2025-01", "not a day"),
    ("2025-02-30", "'2025-02-30'", "is not a valid date"),
    ("10/01/2025", "'10/01/2025'", "is not a valid date"),
    ("2025-01-10T00:00", "'2025-01-10T00:00'", "is not a valid date"),
    ("", "''", "is not a valid date"),
    (20250110, "20250110", "is of type int"),
    (None, "None", "is missing; it is required"),
    (np.datetime64("NaT"), "NaT", "is missing; it is required"),
    # year 0, signed years and days Python cannot hold: refused here and on every batch path alike
    ("0000-01-01", "'0000-01-01'", "is not a valid date"),
    ("+002-01-01", "'+002-01-01'", "is not a valid date"),
    ("-001-01-01", "'-001-01-01'", "is not a valid date"),
    ("２０２５-01-10", "'２０２５-01-10'", "is not a valid date"),
    (np.datetime64("0000-01-01"), "0000-01-01", "is outside the years 1 to 9999"),
    (np.datetime64("-0005-06-01"), "-005-06-01", "is outside the years 1 to 9999"),
    (np.datetime64("12000-01-01"), "12000-01-01", "is outside the years 1 to 9999"),
]


@pytest.mark.parametrize(("value", "shown", "reason"), BAD_DATES)
def test_issued_refuses_non_dates(value: object, shown: str, reason: str) -> None:
    accepted = () if "missing" in reason else ("expected a date (datetime.date, numpy.datetime64 or 'YYYY-MM-DD')",)
    with raises("Invoice 'INV-7'", "issued", f"({shown})", reason, *accepted):
        invoice(issued=value)


def test_midnight_datetimes_and_padded_text_are_dates() -> None:
    assert invoice(issued=dt.datetime(2025, 1, 10)).issued == D(2025, 1, 10)
    assert invoice(issued=np.datetime64("2025-01-10T00:00:00")).issued == D(2025, 1, 10)
    assert invoice(issued=" 2025-01-10 ").issued == D(2025, 1, 10)


@pytest.mark.parametrize("field", ["established"])
def test_optional_dates_refuse_time_of_day(field: str) -> None:
    with raises("CustomerRecord 'C1'", field, "has a time of day"):
        CustomerRecord("C1", **{field: dt.datetime(2000, 1, 1, 12)})  # type: ignore[arg-type]


# --- ids, text, kinds ---------------------------------------------------------------------


@pytest.mark.parametrize(("value", "reason"), [("", "is empty"), ("   ", "is empty"), (None, "is missing"),
                                               (1.5, "is of type float"), (True, "is of type bool")])
def test_ids_refused(value: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=f"field 'id'.*{reason}"):
        CustomerRecord(value)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=f"field 'customer_id'.*{reason}"):
        invoice(customer_id=value)
    payment_reason = reason if reason.startswith("is of type") else "is missing; give invoice_id, or customer_id"
    with pytest.raises(ValidationError, match=f"field 'invoice_id'.*{payment_reason}"):
        Payment(value, "2025-01-01", 1.0)  # type: ignore[arg-type]


def test_text_fields_refuse_numbers() -> None:
    with raises("CustomerRecord 'C1'", "name", "(5)", "expected text"):
        CustomerRecord("C1", name=5)  # type: ignore[arg-type]
    assert CustomerRecord("C1", name=None).name == ""  # type: ignore[arg-type]


def test_event_kinds() -> None:
    ev = CustomerEvent("C1", "2025-03-01", EventKind.LAWSUIT, amount=50_000)
    assert ev.kind == "lawsuit" and ev.amount == 50_000.0 and math.isnan(CustomerEvent("C1", "2025-03-01", "bank_change").amount)
    with raises("CustomerEvent 'C1'", "kind", "('sued')", "is not a known event kind", "lawsuit"):
        CustomerEvent("C1", "2025-03-01", "sued")
    with raises("CustomerEvent 'C1'", "kind", "type int"):
        CustomerEvent("C1", "2025-03-01", 3)  # type: ignore[arg-type]


def test_event_kind_registry() -> None:
    assert EventKind.category("bounced_payment") == "payment"
    with pytest.raises(ValidationError, match=r"unknown event kind 'nope'; known kinds: .*lawsuit"):
        EventKind.category("nope")
    assert EventKind.register("test_records_kind", "legal") == "test_records_kind"
    assert EventKind.register("test_records_kind", "legal") == "test_records_kind"  # idempotent
    assert CustomerEvent("C1", "2025-03-01", "test_records_kind").kind == "test_records_kind"
    with pytest.raises(ValidationError, match="already registered under 'legal'"):
        EventKind.register("test_records_kind", "payment")
    with pytest.raises(ValidationError, match="unknown event category 'weather'"):
        EventKind.register("storm", "weather")
    with pytest.raises(ValidationError, match="identifier-like"):
        EventKind.register("not a kind", "legal")
    with pytest.raises(TypeError):
        EventKind.known()["x"] = "legal"  # type: ignore[index]
