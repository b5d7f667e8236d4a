"""Load profiles: ERP exports described once in TOML (riskkit._profile, Portfolio.from_profile).

The sample exports under tests/data/erp/ (SAP FBL5N + KNA1/KNKK, Odoo
account.move/account.payment, ERPNext Sales Invoice/Payment Entry) are small
enough to check by hand; the figures below are worked out in comments.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import attrs
import numpy as np
import pytest

import riskkit._csvfile
from riskkit import Portfolio
from riskkit._profile import JOIN, Profile, Sign, load, read_profile
from riskkit.errors import RiskkitError, SchemaError, ValidationError

ERP = Path(__file__).parents[1] / "data" / "erp"
AS_OF = "2025-06-30"


def _load(name: str, **kwargs: object) -> Portfolio:
    return Portfolio.from_profile(ERP / name, as_of=AS_OF, **kwargs)  # type: ignore[arg-type]


def _open(p: Portfolio, customer: str) -> float:
    return float(p.features()["open_amount"][p.codes([customer])][0])


# --- the three sample ERPs ---------------------------------------------------------------------

SAMPLES = {
    # profile: (customers, invoices incl. credit notes, credit notes, payments, skipped)
    "sap/profile.toml": (10, 57, 2, 53, {"invoices": 4, "payments": 1}),
    "odoo/profile.toml": (10, 60, 3, 52, {"invoices": 3, "payments": 2}),
    "erpnext/profile.toml": (10, 56, 2, 48, {"invoices": 3, "payments": 2}),
    "odoo/profile_residual.toml": (10, 60, 3, 0, {"invoices": 3}),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_profiles_load_without_rejects(name: str) -> None:
    n_customers, n_invoices, n_credit, n_payments, skipped = SAMPLES[name]
    strict = _load(name)  # errors="raise": any bad row would raise
    p = _load(name, errors="collect")
    assert p.rejected == () and strict.rejected == ()
    assert p.skipped == skipped
    assert p.n_customers == n_customers
    assert p.invoices.n_rows == n_invoices
    assert int((p.invoices["kind"] == "credit_note").sum()) == n_credit
    assert int(p.invoices["credit"].sum()) == n_credit  # whatever the ERP's sign convention
    assert (p.invoices["amount"][p.invoices["credit"]] < 0).all()
    assert p.payments.n_rows == n_payments


def test_sample_profiles_read_without_data() -> None:
    profile = read_profile(ERP / "sap" / "profile.toml")
    assert isinstance(profile, Profile)
    assert profile.currency == "EUR" and profile.tolerance == 1.0 and profile.rates is None
    assert profile.rates_path == ERP / "sap" / "rates.csv"
    assert list(profile.tables) == ["customers", "exposures", "invoices", "payments"]
    invoices = profile.tables["invoices"]
    assert invoices.columns["id"] == ("GJAHR", "BELNR")
    assert invoices.sign == Sign("SHKZG", ("H",))
    assert invoices.where == {"BSTAT": ("",)}
    assert invoices.dialect == riskkit._csvfile.Dialect(";", ",", ".", "%d.%m.%Y", "utf-8")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        profile.currency = "USD"  # type: ignore[misc]
    odoo = read_profile(ERP / "odoo" / "profile.toml")
    assert odoo.rates == {"USD": 0.92, "GBP": 1.17} and odoo.rates_path is None


def test_sap_hand_checked() -> None:
    p = _load("sap/profile.toml")
    # leading zeros kept; customers and exposures from the one KNA1/KNKK export (Latin-1)
    assert p.customer_ids[0] == "0000100042"
    assert p.customers["name"][0] == "Müller Maschinenbau GmbH"
    assert p.exposures["customer_id"].tolist() == p.customer_ids.tolist()
    assert p.exposures["credit_limit"][0] == 80000.0  # '80.000,00'
    # Müller, at 2025-06-30 (EUR):
    #   2024-0090000003  12.400,00 paid in full                              0,00
    #   2024-0090000008   8.750,00 paid 8.750,40 (0,40 over: tolerance)      0,00
    #   2025-0090000006  15.000,00 - 9.000,00 paid - 1.500,00 credit memo 4.500,00
    #   2025-0090000031   6.200,00 - 2.000,00 down payment (before it)   4.200,00
    #   2025-0090000038   3.980,00 not due                                3.980,00
    #   noted item (down payment request, BSTAT S): skipped                    -
    f = p.features()
    muller = p.codes(["0000100042"])[0]
    assert f["open_amount"][muller] == pytest.approx(12680.00)
    assert f["aging_current"][muller] == pytest.approx(3980.00)
    assert f["aging_1_30"][muller] == pytest.approx(4200.00)
    assert f["aging_91_plus"][muller] == pytest.approx(4500.00)
    assert f["max_days_past_due"][muller] == 117  # 2025-03-05 -> 2025-06-30
    # Ventura (USD), two open invoices at the rate of their document date (rates.csv, monthly):
    #   2025-05-20 USD 10.000,00 x 0.8860 + 2025-06-05 USD 4.500,00 x 0.8720 = 12.784,00 EUR
    assert _open(p, "0000100071") == pytest.approx(8860.00 + 3924.00)
    # Kraus: 7.140,00 + 11.305,00 open, 5.000,00 paid on account (no REBZG)
    assert _open(p, "0000100088") == pytest.approx(7140.00 + 11305.00 - 5000.00)
    # Bäckerei Groß: a 250,00 goodwill credit memo without reference, nothing else open; no days past due
    backerei = p.codes(["0000100057"])[0]
    assert f["open_amount"][backerei] == pytest.approx(-250.00)
    assert f["max_days_past_due"][backerei] == 0


def test_odoo_hand_checked() -> None:
    p = _load("odoo/profile.toml")
    # Brandt Metallbau ('00815'), at 2025-06-30 (EUR):
    #   INV/2024/00052-like 4.760,00 paid                                        0,00
    #   11.900,00 - RINV 1.190,00 (reversed_entry_id) - 10.710,00 paid            0,00
    #   7.140,00 - 3.000,00 paid late                                        4.140,00
    #   2.380,00 paid 2.379,60 (0,40 short: tolerance)                           0,00
    #   5.950,00 not due                                                     5.950,00
    #   RINV 595,00 goodwill credit, positive amount_total, move_type out_refund -595,00
    #   draft "/" 1.000,00: skipped
    assert _open(p, "00815") == pytest.approx(9495.00)
    # Harbor Supply (USD at 0.92): 6.300,75 on a 6.300,00 invoice settles it; USD 3.000,00 on account
    residual = _load("odoo/profile_residual.toml")
    assert _open(p, "C1004") == pytest.approx(_open(residual, "C1004") - 3000.00 * 0.92)
    # Atelier Lumière: 2.512,00 on a 2.500,00 invoice: 12,00 beyond tolerance is unapplied cash
    assert _open(p, "C1002") == pytest.approx(_open(residual, "C1002") - 12.00)


def test_odoo_residual_export_agrees_with_the_payment_history() -> None:
    """amount_residual (Odoo's own open amount) gives every balance the payments give, but unapplied cash."""
    history, residual = _load("odoo/profile.toml"), _load("odoo/profile_residual.toml")
    assert residual.payments.n_rows == 0 and np.isfinite(residual.invoices["residual"]).all()
    a, b = history.features()["open_amount"], residual.features()["open_amount"]
    same = ~np.isin(history.customer_ids, ["C1002", "C1004"])  # the two with unapplied cash
    np.testing.assert_allclose(a[same], b[same])
    assert _open(residual, "00815") == pytest.approx(9495.00)


def test_erpnext_hand_checked() -> None:
    p = _load("erpnext/profile.toml")
    ids = set(p.invoices["id"].tolist())
    assert "ACC-SINV-2025-00007-1" in ids and "ACC-SINV-2025-00007" not in ids  # amended, cancelled
    # Cotswold Office Supplies (CUST-00004), GBP:
    #   3.600,00 paid; 2.400,00 - return 240,00 (grand_total -240, is_return 1) - 2.160,00 paid: 0
    #   950,00 (the amendment) paid 950,50 (tolerance): 0
    #   5.200,00 - 2.000,00 paid: 3.200,00; 1.850,00 not due: 1.850,00
    assert _open(p, "CUST-00004") == pytest.approx(5050.00)
    assert p.currency == "GBP"


def test_erpnext_outstanding_amounts_agree() -> None:
    """ERPNext's own outstanding_amount, converted, is riskkit's open amount but for unapplied cash."""
    p = _load("erpnext/profile.toml")
    rates = {"GBP": 1.0, "EUR": 0.85, "USD": 0.79}
    with open(ERP / "erpnext" / "sales_invoice.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["docstatus"] == "1"]
    expected = dict.fromkeys(p.customer_ids.tolist(), 0.0)
    for r in rows:
        expected[r["customer"]] += float(r["outstanding_amount"]) * rates[r["currency"]]
    expected["CUST-00002"] -= 50.00  # 1.250,00 paid on a 1.200,00 invoice: 50,00 beyond tolerance
    expected["CUST-00006"] -= 4000.00  # an unallocated Payment Entry: cash on account
    np.testing.assert_allclose(p.features()["open_amount"], list(expected.values()), atol=1e-6)
    # Kessler's 3.780,00 EUR advance was paid before its 12.600,00 invoice (a down payment), which is settled
    pay, inv = p.payments, p.invoices
    kessler = (pay["customer_id"] == "CUST-00003") & (pay["invoice"] >= 0)
    early = pay["date"][kessler] < inv["issued"][pay["invoice"][kessler]]
    assert pay["amount"][kessler][early].tolist() == [pytest.approx(3780.00 * 0.85)]


def test_a_residual_export_refuses_features_before_its_export_date() -> None:
    r = _load("odoo/profile_residual.toml")
    assert str(r.export_date) == AS_OF
    with pytest.raises(ValidationError, match="export"):
        r.features(as_of="2025-05-31")


def test_sap_document_numbers_repeat_and_the_join_makes_them_unique() -> None:
    text = (ERP / "sap" / "FBL5N_items.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    belnr = Counter(line.split(";")[3] for line in text)
    assert any(n > 1 for n in belnr.values())  # BELNR restarts every fiscal year
    p = _load("sap/profile.toml")
    ids = p.invoices["id"].tolist()
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"20(24|25)" + re.escape(JOIN) + r"00[0-9]{8}", i) for i in ids)
    # every payment finds its invoice through the same join (REBZJ-REBZG)
    pay = p.payments
    linked = pay["invoice_id"] != ""
    assert (pay["invoice"][linked] >= 0).all()
    assert (p.invoices["id"][pay["invoice"][linked]] == pay["invoice_id"][linked]).all()
    assert int((~linked).sum()) == 1  # the payment on account
    credit = p.invoices["kind"] == "credit_note"
    assert "2025-0090000006" in p.invoices["applies_to"][credit].tolist()


# --- a small SAP-like book in a temporary folder -----------------------------------------------

KNA1 = "KUNNR;NAME1;KLIMK\n0000100042;Acme GmbH;10.000,00\n0000100057;Bolt KG;2.000,00\n"
ITEMS = (
    "GJAHR;BELNR;KUNNR;BLDAT;FAEDT;WRBTR;SHKZG;BLART;BSTAT;REBZJ;REBZG\n"
    "2024;0090000001;0000100042;02.12.2024;01.01.2025;1.190,00;S;RV;;;\n"
    "2025;0090000001;0000100057;03.02.2025;05.03.2025;2.380,00;S;RV;;;\n"
    "2025;0016000001;0000100057;10.02.2025;10.02.2025;380,00;H;DG;;2025;0090000001\n"
    "2025;0090000002;0000100042;12.02.2025;14.03.2025;500,00;S;RV;V;;\n"
    "2025;0090000003;0000100042;14.02.2025;16.03.2025;700,00;S;RV;;;\n"
)
PAYMENTS = (
    "GJAHR;BELNR;KUNNR;BUDAT;WRBTR;REBZJ;REBZG\n"
    "2024;1400000001;0000100042;30.12.2024;1.190,00;2024;0090000001\n"
    "2025;1400000001;0000100057;01.03.2025;1.000,00;2025;0090000001\n"
    "2025;1400000002;0000100042;01.03.2025;300,00;;\n"
)
GERMAN = 'delimiter = ";"\ndecimal = ","\nthousands = "."\ndate_format = "%d.%m.%Y"\n'
PROFILE = f"""\
currency = "EUR"
tolerance = 1.00

[tables.customers]
path = "KNA1.csv"
{GERMAN}columns = {{ id = "KUNNR", name = "NAME1" }}

[tables.exposures]
path = "KNA1.csv"
{GERMAN}columns = {{ customer_id = "KUNNR", credit_limit = "KLIMK" }}

[tables.invoices]
path = "items.csv"
{GERMAN}kinds = {{ RV = "invoice", DG = "credit_note" }}
sign = {{ column = "SHKZG", credit = ["H"] }}
where = {{ BSTAT = [""] }}
columns = {{ id = ["GJAHR", "BELNR"], customer_id = "KUNNR", issued = "BLDAT", due = "FAEDT", amount = "WRBTR", kind = "BLART", applies_to = ["REBZJ", "REBZG"] }}

[tables.payments]
path = "payments.csv"
{GERMAN}columns = {{ invoice_id = ["REBZJ", "REBZG"], customer_id = "KUNNR", date = "BUDAT", amount = "WRBTR" }}
"""


def _book(folder: Path, profile: str = PROFILE, **files: str) -> Path:
    contents = {"KNA1.csv": KNA1, "items.csv": ITEMS, "payments.csv": PAYMENTS}
    contents.update({k.replace("_", "."): v for k, v in files.items()})
    for name, text in contents.items():
        (folder / name).write_text(text, encoding="utf-8")
    path = folder / "profile.toml"
    path.write_text(profile, encoding="utf-8")
    return path


def test_small_book(tmp_path: Path) -> None:
    p = Portfolio.from_profile(_book(tmp_path), as_of="2025-03-31")
    assert p.customer_ids.tolist() == ["0000100042", "0000100057"]
    assert p.invoices["id"].tolist() == ["2024-0090000001", "2025-0090000001", "2025-0016000001", "2025-0090000003"]
    assert p.invoices["credit"].tolist() == [False, False, True, False]
    assert p.invoices["kind"].tolist() == ["invoice", "invoice", "credit_note", "invoice"]
    assert p.invoices["applies_to"][2] == "2025-0090000001"
    assert p.skipped == {"invoices": 1}
    # the 2024 payment pays the 2024 invoice, the 2025 one the 2025 invoice of the same number
    assert p.invoices["id"][p.payments["invoice"][:2]].tolist() == ["2024-0090000001", "2025-0090000001"]
    assert p.payments["invoice_id"][2] == ""  # on account
    # Acme: 700 open - 300 on account; Bolt: 2.380 - 380 credit - 1.000 paid
    np.testing.assert_allclose(p.features()["open_amount"], [400.0, 1000.0])
    assert load(_book(tmp_path), as_of="2025-03-31").features()["open_amount"].tolist() == [400.0, 1000.0]
    assert load(read_profile(tmp_path / "profile.toml")).n_customers == 2


def test_paths_are_relative_to_the_profile_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "acme"
    folder.mkdir()
    path = _book(folder)
    monkeypatch.chdir(tmp_path)
    assert Portfolio.from_profile(Path("acme") / "profile.toml").n_customers == 2
    monkeypatch.chdir(folder.parent.parent)
    assert Portfolio.from_profile(str(path)).n_customers == 2


def test_where_skips_and_counts(tmp_path: Path) -> None:
    items = ITEMS + "2025;0090000004;0000100042;20.02.2025;22.03.2025;100,00;S;RV;S;;\n"
    profile = PROFILE.replace('where = { BSTAT = [""] }', 'where = { BSTAT = ["", "S"], BLART = ["RV"] }')
    p = Portfolio.from_profile(_book(tmp_path, profile, items_csv=items))
    # kept: BSTAT '' or 'S' and BLART RV; skipped: the parked RV (V) and the DG credit memo
    assert p.skipped == {"invoices": 2}
    assert p.invoices["id"].tolist() == ["2024-0090000001", "2025-0090000001", "2025-0090000003", "2025-0090000004"]
    assert p.rejected == ()


def test_where_accepts_integers_and_one_value(tmp_path: Path) -> None:
    items = ITEMS.replace("BSTAT", "docstatus").replace(";RV;;", ";RV;1;").replace(";RV;V;", ";RV;2;")
    items = items.replace(";DG;;", ";DG;1;")
    profile = PROFILE.replace('where = { BSTAT = [""] }', "where = { docstatus = 1 }")
    p = Portfolio.from_profile(_book(tmp_path, profile, items_csv=items))
    assert p.skipped == {"invoices": 1} and p.invoices.n_rows == 4


def test_rejections_name_the_file_record_after_skipped_rows(tmp_path: Path) -> None:
    items = ITEMS.replace("700,00", "siebenhundert")
    path = _book(tmp_path, items_csv=items)
    p = Portfolio.from_profile(path, errors="collect")
    assert p.skipped == {"invoices": 1}
    [bad] = p.rejected
    # record 4 of items.csv (0-based, after the header), though record 3 was skipped
    assert (bad.table, bad.row, bad.field, bad.value) == ("invoices", 4, "amount", "siebenhundert")
    with pytest.raises(ValidationError, match=r"invoices row 4 .*'amount'"):
        Portfolio.from_profile(path)


def test_unreadable_lines_are_rejected_with_their_line(tmp_path: Path) -> None:
    items = ITEMS + "2025;0090000009;0000100042;oops\n"
    p = Portfolio.from_profile(_book(tmp_path, items_csv=items), errors="collect")
    [bad] = p.rejected
    assert bad.table == "invoices" and bad.row == 5 and "line 7" in bad.reason
    assert p.invoices.n_rows == 4


def test_unknown_kind_passes_through_so_validation_names_it(tmp_path: Path) -> None:
    items = ITEMS.replace("700,00;S;RV;", "700,00;S;AB;")
    assert ";AB;" in items
    p = Portfolio.from_profile(_book(tmp_path, items_csv=items), errors="collect")
    [bad] = p.rejected
    assert (bad.table, bad.field, bad.value) == ("invoices", "kind", "AB")


def test_two_tables_read_one_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = riskkit._csvfile.read_csv

    def counting(path, dialect, *, table=None):  # type: ignore[no-untyped-def]
        calls.append(Path(path).name)
        return real(path, dialect, table=table)

    monkeypatch.setattr(riskkit._csvfile, "read_csv", counting)
    p = Portfolio.from_profile(_book(tmp_path))
    assert sorted(calls) == ["KNA1.csv", "items.csv", "payments.csv"]
    assert p.exposures["credit_limit"].tolist() == [10000.0, 2000.0]
    assert p.customers["name"].tolist() == ["Acme GmbH", "Bolt KG"]


def test_invoices_and_payments_from_one_line_item_file(tmp_path: Path) -> None:
    items = (
        "GJAHR;BELNR;KUNNR;BLDAT;FAEDT;WRBTR;SHKZG;BLART;BSTAT;REBZJ;REBZG\n"
        "2025;0090000001;0000100042;03.02.2025;05.03.2025;1.000,00;S;RV;;;\n"
        "2025;1400000001;0000100042;01.03.2025;01.03.2025;400,00;H;DZ;;2025;0090000001\n"
        "2025;0090000002;0000100057;04.02.2025;06.03.2025;50,00;S;RV;;;\n"
    )
    profile = PROFILE.split("[tables.invoices]")[0] + (
        '[tables.invoices]\npath = "items.csv"\n' + GERMAN + 'where = { BLART = ["RV", "DG"] }\n'
        'columns = { id = ["GJAHR", "BELNR"], customer_id = "KUNNR", issued = "BLDAT", due = "FAEDT", '
        'amount = "WRBTR" }\n'
        '[tables.payments]\npath = "items.csv"\n' + GERMAN + 'where = { BLART = ["DZ"] }\n'
        'columns = { invoice_id = ["REBZJ", "REBZG"], date = "BLDAT", amount = "WRBTR" }\n'
    )
    p = Portfolio.from_profile(_book(tmp_path, profile, items_csv=items))
    assert p.skipped == {"invoices": 1, "payments": 2}
    assert p.invoices.n_rows == 2 and p.payments.n_rows == 1
    assert p.payments["invoice"].tolist() == [0]
    np.testing.assert_allclose(p.features()["open_amount"], [600.0, 50.0])


def test_events_kinds(tmp_path: Path) -> None:
    events = "KUNNR;DATUM;ART;BETRAG\n0000100042;05.03.2025;KLAGE;12.000,00\n0000100057;06.03.2025;SCHECK;\n"
    profile = PROFILE + (
        '\n[tables.events]\npath = "events.csv"\n' + GERMAN + 'kinds = { KLAGE = "lawsuit", SCHECK = "bounced_payment" }\n'
        'columns = { customer_id = "KUNNR", date = "DATUM", kind = "ART", amount = "BETRAG" }\n'
    )
    p = Portfolio.from_profile(_book(tmp_path, profile, events_csv=events))
    assert p.events["kind"].tolist() == ["lawsuit", "bounced_payment"]
    assert p.events["amount"][0] == 12000.0


def test_inline_and_dated_rates(tmp_path: Path) -> None:
    kna1 = KNA1
    items = ITEMS.replace("GJAHR;", "WAERS;GJAHR;").replace("\n2", "\nEUR;2").replace(
        "EUR;2025;0090000003", "USD;2025;0090000003"
    )
    profile = PROFILE.replace('kind = "BLART"', 'kind = "BLART", currency = "WAERS"')
    p = Portfolio.from_profile(_book(tmp_path, profile.replace("tolerance = 1.00", "tolerance = 1.00\nrates = { USD = 0.5 }"),
                                     KNA1_csv=kna1, items_csv=items))
    assert p.invoices["amount"][-1] == pytest.approx(350.0)
    (tmp_path / "fx.csv").write_text("date,currency,rate\n2025-01-01,USD,0.9\n2025-02-14,USD,0.8\n")
    p = Portfolio.from_profile(_book(tmp_path, profile.replace("tolerance = 1.00", 'rates_path = "fx.csv"'),
                                     items_csv=items))
    assert p.invoices["amount"][-1] == pytest.approx(560.0)  # issued 2025-02-14: 700 x 0.8
    assert p.tolerance == 1.0 and p.currency == "EUR"


def test_tolerance_from_the_profile(tmp_path: Path) -> None:
    p = Portfolio.from_profile(_book(tmp_path, PROFILE.replace("tolerance = 1.00", "tolerance = 5")))
    assert p.tolerance == 5.0
    p = Portfolio.from_profile(_book(tmp_path, PROFILE.replace("tolerance = 1.00\n", "")))
    assert p.tolerance == 1.0


# --- profile errors ----------------------------------------------------------------------------

ERRORS = {
    # name: (profile edit (old, new), error type, words the message must hold)
    "unknown top-level key": (("tolerance = 1.00", 'tolerance = 1.00\ncolour = "red"'), SchemaError,
                              ["'colour'", "accepted: currency, tolerance"]),
    "unknown table key": (('path = "KNA1.csv"', 'path = "KNA1.csv"\nseperator = ";"'), SchemaError,
                          ["'seperator'", "tables.customers", "delimiter"]),
    "unknown table name": (("[tables.payments]", "[tables.zahlungen]"), SchemaError,
                           ["'zahlungen'", "customers, exposures, invoices, payments"]),
    "unknown field": (('id = "KUNNR", name = "NAME1"', 'id = "KUNNR", nmae = "NAME1"'), SchemaError,
                      ["'nmae'", "tables.customers.columns", "did you mean 'name'"]),
    "required field not mapped": (('customer_id = "KUNNR", credit_limit = "KLIMK"', 'customer_id = "KUNNR"'),
                                  SchemaError, ["tables.exposures.columns", "'credit_limit'"]),
    "missing file": (('path = "payments.csv"', 'path = "zahlungen.csv"'), ValidationError,
                     ["tables.payments.path", "zahlungen.csv", "does not exist"]),
    "bad delimiter": (('path = "KNA1.csv"\ndelimiter = ";"', 'path = "KNA1.csv"\ndelimiter = ";;"'),
                      ValidationError, ["tables.customers.delimiter", "';;'"]),
    "bad decimal": (('path = "KNA1.csv"\ndelimiter = ";"\ndecimal = ","', 'path = "KNA1.csv"\ndelimiter = ";"\ndecimal = "·"'),
                    ValidationError, ["tables.customers.decimal"]),
    "bad date format": (('path = "KNA1.csv"\ndelimiter = ";"\ndecimal = ","\nthousands = "."\ndate_format = "%d.%m.%Y"',
                         'path = "KNA1.csv"\ndelimiter = ";"\ndecimal = ","\nthousands = "."\ndate_format = "%m.%Y"'),
                        ValidationError, ["tables.customers.date_format", "'%m.%Y'"]),
    "bad encoding": (('path = "KNA1.csv"', 'path = "KNA1.csv"\nencoding = "latin-9x"'), ValidationError,
                     ["tables.customers.encoding", "latin-9x"]),
    "bad tolerance type": (("tolerance = 1.00", 'tolerance = "1,00"'), ValidationError, ["tolerance", "'1,00'"]),
    "negative tolerance": (("tolerance = 1.00", "tolerance = -1"), ValidationError, ["tolerance", "negative"]),
    "bad currency": (('currency = "EUR"', 'currency = "Euro"'), ValidationError, ["currency", "'Euro'"]),
    "bad rate": (("tolerance = 1.00", "tolerance = 1.00\nrates = { USD = 0 }"), ValidationError, ["rates.USD"]),
    "rates_path missing": (("tolerance = 1.00", 'tolerance = 1.00\nrates_path = "kurse.csv"'), ValidationError,
                           ["rates_path", "kurse.csv"]),
    "rates and rates_path": (("tolerance = 1.00", 'rates_path = "KNA1.csv"\nrates = { USD = 0.9 }'),
                             ValidationError, ["rates", "not both"]),
    "columns not a table": (('columns = { id = "KUNNR", name = "NAME1" }', 'columns = "KUNNR"'), ValidationError,
                            ["tables.customers.columns", "'KUNNR'"]),
    "bad column type": (('name = "NAME1"', "name = 1"), ValidationError, ["tables.customers.columns.name"]),
    "joined date": (('issued = "BLDAT"', 'issued = ["GJAHR", "BLDAT"]'), ValidationError,
                    ["tables.invoices.columns.issued", "date"]),
    "join mismatch": (('invoice_id = ["REBZJ", "REBZG"]', 'invoice_id = "REBZG"'), ValidationError,
                      ["tables.payments.columns.invoice_id", "joins 1", "joins 2", "GJAHR"]),
    "kinds on payments": (('date = "BUDAT", amount = "WRBTR" }', 'date = "BUDAT", amount = "WRBTR" }\nkinds = { DZ = "invoice" }'),
                          ValidationError, ["tables.payments.kinds", "invoices and events"]),
    "sign on payments": (('date = "BUDAT", amount = "WRBTR" }', 'date = "BUDAT", amount = "WRBTR" }\nsign = { column = "X", credit = ["H"] }'),
                         ValidationError, ["tables.payments.sign", "invoices"]),
    "sign key": (('credit = ["H"] }', 'credit = ["H"], debit = ["S"] }'), SchemaError, ["'debit'", "tables.invoices.sign"]),
    "where value type": (('where = { BSTAT = [""] }', "where = { BSTAT = [1.5] }"), ValidationError,
                         ["tables.invoices.where.BSTAT", "1.5"]),
    "no customers": (("[tables.customers]", "[tables.orders]"), ValidationError, ["tables.customers"]),
    "toml syntax": (('currency = "EUR"', 'currency = "EUR"\ntolerance 1.00'), ValidationError,
                    ["TOML syntax error", "line 2", "profile.toml"]),
}


@pytest.mark.parametrize("case", ERRORS)
def test_profile_errors(case: str, tmp_path: Path) -> None:
    (old, new), error, words = ERRORS[case]
    assert old in PROFILE
    path = _book(tmp_path, PROFILE.replace(old, new, 1))
    with pytest.raises(error) as exc:
        read_profile(path)
    message = str(exc.value)
    assert isinstance(exc.value, RiskkitError)
    assert "profile.toml" in message
    for word in words:
        assert word in message
    with pytest.raises(error):  # the same error when loading
        Portfolio.from_profile(path)


MISSING_COLUMNS = {
    "columns": (('name = "NAME1"', 'name = "NAME"'), ["tables.customers.columns.name", "'NAME'", "KNA1.csv",
                                                    "did you mean 'NAME1'"]),
    "joined columns": (('id = ["GJAHR", "BELNR"]', 'id = ["GJAHR", "BELNRR"]'), ["tables.invoices.columns.id", "'BELNRR'"]),
    "sign": (('column = "SHKZG"', 'column = "SHKZ"'), ["tables.invoices.sign.column", "'SHKZ'", "items.csv"]),
    "where": (('where = { BSTAT = [""] }', 'where = { STATUS = [""] }'), ["tables.invoices.where.STATUS", "'STATUS'"]),
}


@pytest.mark.parametrize("case", MISSING_COLUMNS)
def test_a_source_column_missing_from_its_file(case: str, tmp_path: Path) -> None:
    (old, new), words = MISSING_COLUMNS[case]
    path = _book(tmp_path, PROFILE.replace(old, new, 1))
    read_profile(path)  # the profile itself is well-formed; the file's header is read with the data
    with pytest.raises(ValidationError) as exc:
        Portfolio.from_profile(path, errors="collect")
    for word in words:
        assert word in str(exc.value)


def test_the_profile_file_itself_missing(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"nope\.toml.*cannot read"):
        read_profile(tmp_path / "nope.toml")
    with pytest.raises(ValidationError, match=r"nope\.toml"):
        Portfolio.from_profile(tmp_path / "nope.toml")


def test_a_bad_rates_file_names_the_record(tmp_path: Path) -> None:
    (tmp_path / "fx.csv").write_text("date,currency,rate\n2025-01-01,USD,0.9\n2025-02-01,USD,0,8\n")
    path = _book(tmp_path, PROFILE.replace("tolerance = 1.00", 'rates_path = "fx.csv"'))
    with pytest.raises(ValidationError, match=r"rates_path.*fx\.csv"):
        Portfolio.from_profile(path)
    (tmp_path / "fx.csv").write_text("date,currency,rate\n2025-01-01,USD,0.9\n01.02.2025,USD,0.8\n")
    with pytest.raises(ValidationError, match=r"rates_path.*record 1: date '01\.02\.2025' is not an ISO date"):
        Portfolio.from_profile(path)
    (tmp_path / "fx.csv").write_text("day,currency,rate\n2025-01-01,USD,0.9\n")
    with pytest.raises(ValidationError, match=r"lacks column\(s\) 'date'"):
        Portfolio.from_profile(path)


def test_a_bom_is_stripped_and_latin1_read(tmp_path: Path) -> None:
    path = _book(tmp_path, PROFILE.replace('path = "KNA1.csv"', 'path = "KNA1.csv"\nencoding = "latin-1"'))
    (tmp_path / "KNA1.csv").write_bytes(KNA1.replace("Acme", "Müller").encode("latin-1"))
    (tmp_path / "items.csv").write_bytes(b"\xef\xbb\xbf" + ITEMS.encode("utf-8"))
    p = Portfolio.from_profile(path)
    assert p.customers["name"][0] == "Müller GmbH" and p.invoices.n_rows == 4


def test_the_guide_shows_the_sample_profiles_as_they_are() -> None:
    guide = (Path(__file__).parents[2] / "docs" / "guide" / "erp.md").read_text(encoding="utf-8")
    shown = dict(re.findall(r"`(tests/data/erp/[^`]+\.toml)`:\n\n```toml\n(.*?)```", guide, flags=re.S))
    assert sorted(shown) == sorted(f"tests/data/erp/{name}" for name in SAMPLES)
    for name, text in shown.items():
        assert (ERP.parent.parent.parent / name).read_text(encoding="utf-8") == text, name
