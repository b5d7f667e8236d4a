"""The command line on files shaped like ERP exports, and outputs a person can use."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from riskkit import _cli_io, cli


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --- small books in an ERP's shape --------------------------------------------------

PLAIN_CUSTOMERS = "id,name,industry\nK001,Müller GmbH,construction\nK002,Schäfer AG,retail\nK003,,retail\n"
PLAIN_INVOICES = (
    "id,customer_id,issued,due,amount,paid_amount,paid_on\n"
    "R1,K001,2025-09-01,2025-10-01,1234.567,0,\n"
    "R2,K001,2025-10-15,2025-11-14,500,500,2025-11-10\n"
    "R3,K002,2025-11-27,2025-12-27,10000.1,,\n"
    "R4,K003,2025-08-01,2025-08-31,99.999,,\n"
)
PLAIN_EXPOSURES = "customer_id,credit_limit\nK001,2500.333\nK002,20000\n"


@pytest.fixture
def plain(tmp_path: Path) -> list[str]:
    """A comma / decimal point / ISO book: amounts with three decimals, a customer without a name."""
    return [
        "--customers", str(_write(tmp_path / "customers.csv", PLAIN_CUSTOMERS)),
        "--invoices", str(_write(tmp_path / "invoices.csv", PLAIN_INVOICES)),
        "--exposures", str(_write(tmp_path / "exposures.csv", PLAIN_EXPOSURES)),
    ]


@pytest.fixture
def semicolons(tmp_path: Path) -> list[str]:
    """The plain book with semicolons, as many ERPs write it."""
    folder = tmp_path / "semi"
    folder.mkdir()
    return [
        "--customers", str(_write(folder / "customers.csv", PLAIN_CUSTOMERS.replace(",", ";"))),
        "--invoices", str(_write(folder / "invoices.csv", PLAIN_INVOICES.replace(",", ";"))),
    ]


@pytest.fixture
def german(tmp_path: Path) -> list[str]:
    """The plain book as a German ERP exports it: cp1252, semicolons, 1.234,57 and 31.12.2025."""
    folder = tmp_path / "german"
    folder.mkdir()
    customers = "id;name;industry;established\nK001;Müller GmbH;Bau;01.02.1998\nK002;Schäfer AG;Handel;15.06.2010\n"
    invoices = (
        "id;customer_id;issued;due;amount;paid_amount;paid_on\n"
        "R1;K001;01.09.2025;01.10.2025;1.234,567;0;\n"
        "R2;K001;15.10.2025;14.11.2025;500,00;500,00;10.11.2025\n"
        "R3;K002;27.11.2025;27.12.2025;10.000,10;;\n"
    )
    return [
        "--customers", str(_write(folder / "kunden.csv", customers, "cp1252")),
        "--invoices", str(_write(folder / "rechnungen.csv", invoices, "cp1252")),
    ]


# --- reading ------------------------------------------------------------------------


def test_german_book_with_the_format_options(german: list[str], tmp_path: Path) -> None:
    out = tmp_path / "features.csv"
    argv = ["features", *german, "--delimiter", "semicolon", "--decimal", ",", "--thousands", "."]
    argv += ["--date-format", "%d.%m.%Y", "--encoding", "cp1252", "--out", str(out), "-q"]
    assert cli.main(argv) == 0
    rows = {r["customer_id"]: r for r in _rows(out)}
    assert rows["K001"]["name"] == "Müller GmbH" and rows["K002"]["name"] == "Schäfer AG"
    assert rows["K001"]["open_amount"] == "1234.57"
    assert rows["K002"]["open_amount"] == "10000.1"
    assert float(rows["K001"]["years_in_business"]) > 27


def test_german_book_without_the_options_is_not_read_as_one_column(german: list[str], tmp_path: Path) -> None:
    out = tmp_path / "features.csv"
    assert cli.main(["features", *german, "--out", str(out), "-q"]) == 1
    assert not out.exists()


def test_delimiter_auto(semicolons: list[str], tmp_path: Path) -> None:
    out = tmp_path / "features.csv"
    assert cli.main(["features", *semicolons, "--delimiter", "auto", "--out", str(out), "-q"]) == 0
    rows = _rows(out)
    assert [r["customer_id"] for r in rows] == ["K001", "K002", "K003"]
    assert rows[0]["open_amount"] == "1234.57"


def test_delimiter_auto_is_sniffed_per_file(plain: list[str], semicolons: list[str], tmp_path: Path) -> None:
    mixed = [*semicolons[:2], *plain[2:4]]  # semicolon customers, comma invoices
    out = tmp_path / "features.csv"
    assert cli.main(["features", *mixed, "--delimiter", "auto", "--out", str(out), "-q"]) == 0
    assert [r["open_amount"] for r in _rows(out)] == ["1234.57", "10000.1", "100"]


@pytest.mark.parametrize(
    ("option", "value"),
    [("--delimiter", "ab"), ("--delimiter", "x"), ("--decimal", ";"), ("--thousands", "x"),
     ("--date-format", "%d.%m"), ("--date-format", "today"), ("--encoding", "klingon"), ("--as-of", "31.12.2025")],
)
def test_bad_format_options_are_usage_errors(plain: list[str], tmp_path: Path, option: str, value: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["features", *plain, option, value, "--out", str(tmp_path / "f.csv")])
    assert exc.value.code == 2


def test_delimiter_words(plain: list[str]) -> None:
    parse = cli.build_parser().parse_args
    for word, char in (("tab", "\t"), ("semicolon", ";"), ("comma", ","), ("pipe", "|"), (";", ";"), ("\\t", "\t")):
        assert parse(["features", *plain, "--delimiter", word, "--out", "f.csv"]).delimiter == char
    assert parse(["features", *plain, "--delimiter", "AUTO", "--out", "f.csv"]).delimiter == "auto"


def test_thousands_equal_to_decimal_is_a_usage_error(plain: list[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["features", *plain, "--thousands", ",", "--decimal", ",", "--out", str(tmp_path / "f.csv")])
    assert exc.value.code == 2


FIVE_C = ("payment_index", "max_days_past_due", "broken_promises_90d", "legal_events_12m", "ocf_to_liabilities",
          "net_margin", "debt_ratio", "altman_z_private", "collateral_coverage", "years_in_business", "industry_risk")


def test_score_data_with_the_format_options(tmp_path: Path) -> None:
    # the 5C card's features, and the aging its overrides read
    header = ["customer_id", "name", *FIVE_C, "aging_31_60", "aging_61_90", "aging_91_plus"]
    rows = [["K001", "Müller GmbH", "72.5", "12", "0", "1", "0.15", "-0.01", "0.55", "1.9", "0.25", "12.5", "0.4",
             "0", "0", "0"],
            ["K002", "Schäfer AG", "90", "0", "0", "0", "", "0.04", "0.35", "3.1", "1.5", "30", "", "", "", ""]]
    plain = _write(tmp_path / "plain.csv", "\n".join(",".join(r) for r in [header, *rows]) + "\n")
    german = _write(
        tmp_path / "german.csv",
        "\n".join(";".join(c.replace(".", ",") for c in r) for r in [header, *rows]) + "\n",
        "cp1252",
    )
    expected, got = tmp_path / "expected.csv", tmp_path / "got.csv"
    argv = ["score", "--model", "5c", "--id-column", "customer_id", "-q"]
    assert cli.main([*argv, "--data", str(plain), "--out", str(expected)]) == 0
    options = ["--delimiter", "auto", "--decimal", ",", "--encoding", "cp1252"]
    assert cli.main([*argv, "--data", str(german), *options, "--out", str(got)]) == 0
    assert got.read_text(encoding="utf-8") == expected.read_text(encoding="utf-8")
    assert list(_rows(got)[0])[:3] == ["customer_id", "name", "score"]


# --- outputs --------------------------------------------------------------------------


def test_features_customer_id_name_and_cents(plain: list[str], tmp_path: Path) -> None:
    out = tmp_path / "features.csv"
    assert cli.main(["features", *plain, "--out", str(out), "-q"]) == 0
    rows = _rows(out)
    assert list(rows[0])[:3] == ["customer_id", "name", "open_amount"]
    by_id = {r["customer_id"]: r for r in rows}
    assert by_id["K001"]["name"] == "Müller GmbH" and by_id["K003"]["name"] == ""
    assert by_id["K001"]["open_amount"] == "1234.57"  # 1234.567
    assert by_id["K003"]["overdue_amount"] == "100"  # 99.999
    assert by_id["K001"]["credit_limit"] == "2500.33" and by_id["K001"]["exposure"] == "1234.57"
    # non-money floats keep full precision: 1234.567 / 2500.333
    assert float(by_id["K001"]["utilization"]) == pytest.approx(1234.567 / 2500.333, rel=1e-12)
    assert len(by_id["K001"]["utilization"]) > 8


def test_features_jsonl_and_json_round_money_too(plain: list[str], tmp_path: Path) -> None:
    lines, array = tmp_path / "f.jsonl", tmp_path / "f.json"
    assert cli.main(["features", *plain, "--out", str(lines), "-q"]) == 0
    assert cli.main(["features", *plain, "--out", str(array), "-q"]) == 0
    first = json.loads(lines.read_text(encoding="utf-8").splitlines()[0])
    assert first["customer_id"] == "K001" and first["name"] == "Müller GmbH" and first["open_amount"] == 1234.57
    assert json.loads(array.read_text(encoding="utf-8"))[0] == first


def test_no_name_column_without_names(tmp_path: Path) -> None:
    customers = _write(tmp_path / "c.csv", "id\nA\nB\n")
    invoices = _write(tmp_path / "i.csv", "id,customer_id,issued,due,amount\nI1,A,2025-01-02,2025-02-01,10.005\n")
    out = tmp_path / "features.csv"
    assert cli.main(["features", "--customers", str(customers), "--invoices", str(invoices), "--out", str(out), "-q"]) == 0
    assert list(_rows(out)[0])[:2] == ["customer_id", "open_amount"]


def test_parquet_output(plain: list[str], tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "features.parquet"
    assert cli.main(["features", *plain, "--out", str(out), "-q"]) == 0
    table = pq.read_table(out).to_pydict()
    assert table["customer_id"] == ["K001", "K002", "K003"] and table["open_amount"][0] == 1234.57


def test_score_signals_check_report_name_the_customer(plain: list[str], tmp_path: Path) -> None:
    scores, watch, decisions, report = (tmp_path / n for n in ("s.csv", "w.csv", "d.jsonl", "r.html"))
    assert cli.main(["score", *plain, "--reasons", "1", "--out", str(scores), "-q"]) == 0
    assert list(_rows(scores)[0])[:3] == ["customer_id", "name", "score"]
    assert cli.main(["signals", *plain, "--out", str(watch), "-q"]) == 0
    alerts = _rows(watch)
    assert alerts and list(alerts[0])[:2] == ["customer_id", "name"]
    orders = _write(tmp_path / "orders.csv", "customer_id,amount\nK001,100.004\nK002,250.126\n")
    assert cli.main(["check", *plain, "--orders-to-check", str(orders), "--out", str(decisions), "-q"]) == 0
    lines = [json.loads(line) for line in decisions.read_text(encoding="utf-8").splitlines()]
    assert [list(d)[:2] for d in lines] == [["customer_id", "name"]] * 2
    assert lines[0]["name"] == "Müller GmbH" and lines[0]["amount"] == 100.0 and lines[1]["amount"] == 250.13
    assert lines[0]["exposure"] == 1234.57 and lines[0]["credit_limit"] == 2500.33
    assert cli.main(["report", *plain, "--out", str(report), "-q"]) == 0
    html = report.read_text(encoding="utf-8")
    assert "<td>Müller GmbH</td><td>K001</td>" in html  # the customer's name beside its id


def test_rejects_as_json_lines(plain: list[str], tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.csv", PLAIN_INVOICES.replace("10000.1", "lots"))
    out, rejects = tmp_path / "f.csv", tmp_path / "rejects.jsonl"
    argv = ["features", "--customers", plain[1], "--invoices", str(bad), "--out", str(out)]
    assert cli.main([*argv, "--rejects", str(rejects), "-q"]) == 3
    (line,) = [json.loads(text) for text in rejects.read_text().splitlines()]
    assert (line["table"], line["row"], line["column"], line["value"]) == ("invoices", 2, "amount", "lots")


# --- what riskkit cannot write ---------------------------------------------------------


def test_out_xlsx_is_an_error_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "not-there.csv")  # never read: the output name is checked first
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", "--customers", missing, "--out", str(tmp_path / "report.xlsx")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert ".xlsx" in err and ".html" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("command", "out", "accepted"),
    [("features", "f.xlsx", ".csv"), ("features", "f.xls", ".jsonl"), ("features", "f", ".csv"),
     ("signals", "w.txt", ".csv"), ("check", "d.csv", ".jsonl"), ("score", "s.html", ".csv")],
)
def test_out_extensions(
    plain: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, out: str, accepted: str
) -> None:
    argv = [command, *plain, "--out", str(tmp_path / out)]
    if command == "check":
        argv += ["--orders-to-check", str(_write(tmp_path / "o.csv", "customer_id,amount\nK001,1\n"))]
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert accepted in capsys.readouterr().err
    assert not (tmp_path / out).exists()


def test_rejects_xlsx_is_an_error(plain: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["features", *plain, "--out", str(tmp_path / "f.csv"), "--rejects", str(tmp_path / "r.xlsx")])
    assert exc.value.code == 2 and "--rejects" in capsys.readouterr().err
    assert not (tmp_path / "f.csv").exists()


def test_parquet_without_pyarrow_is_an_error(
    plain: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cli_io, "_has_pyarrow", lambda: False)
    with pytest.raises(SystemExit) as exc:
        cli.main(["features", *plain, "--out", str(tmp_path / "f.parquet")])
    assert exc.value.code == 2 and "pyarrow" in capsys.readouterr().err


def test_writers_refuse_what_they_cannot_write(tmp_path: Path) -> None:
    from riskkit.errors import ValidationError

    with pytest.raises(ValidationError, match=r"\.xlsx"):
        _cli_io.write_columns(tmp_path / "x.xlsx", ["a"], [[1.0]])
    assert list(tmp_path.iterdir()) == []


# --- as of ----------------------------------------------------------------------------------


def test_future_as_of_is_an_error(plain: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "f.csv"
    assert cli.main(["features", *plain, "--as-of", "2027-01-01", "--out", str(out), "-q"]) == 1
    assert capsys.readouterr().err.strip() == (
        "riskkit: error: --as-of 2027-01-01 is 400 days after the latest date in the data (2025-11-27); "
        "pass --allow-future-as-of if that is intended"
    )
    assert not out.exists()
    argv = ["features", *plain, "--as-of", "2027-01-01", "--allow-future-as-of", "--out", str(out), "-q"]
    assert cli.main(argv) == 0 and len(_rows(out)) == 3
    assert cli.main(["features", *plain, "--as-of", "2025-12-28", "--out", str(out), "-q"]) == 0  # 31 days


# --- a failed load is never a partial success ---------------------------------------------


def test_a_bad_optional_field_on_every_row_keeps_the_rows(tmp_path: Path) -> None:
    customers = _write(tmp_path / "c.csv", "id,name,established\nA,Acme,someday\nB,Bolt,31/02/2020\n")
    invoices = _write(
        tmp_path / "i.csv",
        "id,customer_id,issued,due,amount\nI1,A,2025-01-02,2025-02-01,100\nI2,B,2025-01-05,2025-02-04,200\n",
    )
    out, rejects = tmp_path / "f.csv", tmp_path / "rejects.csv"
    argv = ["features", "--customers", str(customers), "--invoices", str(invoices), "--out", str(out)]
    assert cli.main([*argv, "--rejects", str(rejects), "-q"]) == 3
    rows = _rows(out)
    assert [r["customer_id"] for r in rows] == ["A", "B"] and rows[1]["open_amount"] == "200"
    assert rows[0]["years_in_business"] == ""
    assert [(r["table"], r["row"], r["column"]) for r in _rows(rejects)] == [
        ("customers", "0", "established"),
        ("customers", "1", "established"),
    ]


@pytest.mark.parametrize("command", ["features", "report"])
def test_every_invoice_without_amount_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    customers = _write(tmp_path / "c.csv", "id,name\nA,Acme\nB,Bolt\n")
    invoices = _write(
        tmp_path / "i.csv", "id,customer_id,issued,due,amount\nI1,A,2025-01-02,2025-02-01,\nI2,B,2025-01-05,2025-02-04,\n"
    )
    out, rejects = tmp_path / ("out.html" if command == "report" else "out.csv"), tmp_path / "rejects.csv"
    argv = [command, "--customers", str(customers), "--invoices", str(invoices), "--out", str(out)]
    assert cli.main([*argv, "--rejects", str(rejects), "-q"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("riskkit: error: ") and "invoices" in err and "amount" in err
    assert not out.exists() and not rejects.exists()


def test_a_missing_required_column_is_a_failed_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    customers = _write(tmp_path / "c.csv", "name\nAcme\n")
    out = tmp_path / "f.csv"
    assert cli.main(["features", "--customers", str(customers), "--out", str(out), "-q"]) == 1
    assert "'id'" in capsys.readouterr().err and not out.exists()


# --- --profile --------------------------------------------------------------------------------

PROFILE = """
[tables.customers]
path = "kunden.csv"
delimiter = ";"
columns = { id = "Kundennr", name = "Name" }

[tables.invoices]
path = "rechnungen.csv"
delimiter = ";"
decimal = ","
thousands = "."
date_format = "%d.%m.%Y"
columns = { id = "Belegnr", customer_id = "Kundennr", issued = "Belegdatum", due = "Faellig", amount = "Betrag" }
"""


def test_profile(tmp_path: Path) -> None:
    _write(tmp_path / "kunden.csv", "Kundennr;Name\nK001;Müller GmbH\nK002;Schäfer AG\n")
    _write(
        tmp_path / "rechnungen.csv",
        "Belegnr;Kundennr;Belegdatum;Faellig;Betrag\nR1;K001;01.09.2025;01.10.2025;1.234,567\n"
        "R2;K002;27.11.2025;27.12.2025;oops\n",
    )
    profile = _write(tmp_path / "acme.toml", PROFILE)
    out, rejects = tmp_path / "features.csv", tmp_path / "rejects.csv"
    assert cli.main(["features", "--profile", str(profile), "--out", str(out), "--rejects", str(rejects), "-q"]) == 3
    rows = {r["customer_id"]: r for r in _rows(out)}
    assert rows["K001"]["name"] == "Müller GmbH" and rows["K001"]["open_amount"] == "1234.57"
    assert [(r["table"], r["column"]) for r in _rows(rejects)] == [("invoices", "amount")]


def test_profile_with_table_options_is_a_usage_error(
    plain: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = _write(tmp_path / "acme.toml", PROFILE)
    with pytest.raises(SystemExit) as exc:
        cli.main(["features", "--profile", str(profile), *plain[:2], "--out", str(tmp_path / "f.csv")])
    assert exc.value.code == 2 and "--profile" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        cli.main(["signals", "--profile", str(profile), "--decimal", ",", "--out", str(tmp_path / "w.csv")])
    assert exc.value.code == 2


def test_neither_customers_nor_profile_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["features", "--out", str(tmp_path / "f.csv")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--customers" in err and "--profile" in err
    with pytest.raises(SystemExit) as exc:
        cli.main(["features", "--invoices", "i.csv", "--out", str(tmp_path / "f.csv")])
    assert exc.value.code == 2


@pytest.mark.parametrize("command", ["features", "score", "signals", "check", "report"])
def test_help_lists_the_erp_options(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    out = capsys.readouterr().out
    for option in ("--profile", "--delimiter", "--decimal", "--thousands", "--date-format", "--encoding",
                   "--allow-future-as-of"):
        assert option in out


def test_signals_writes_levels_and_takes_a_calibration(tmp_path: Path) -> None:
    import riskkit
    from riskkit import signals
    from riskkit.datasets import make_portfolio

    portfolio, outcomes = make_portfolio(400, seed=2)
    tables = {}
    for name in ("customers", "exposures", "invoices", "payments", "orders", "statements", "events"):
        frame = portfolio.table(name).to_pandas()
        columns = [c for c in riskkit.portfolio.schema()[name] if c in frame.columns]
        path = tmp_path / f"{name}.csv"
        frame[columns].to_csv(path, index=False)
        tables[name] = path
    argv = ["signals", *(a for n, p in tables.items() for a in (f"--{n}", str(p))), "-q"]
    cal = tmp_path / "calibration.json"
    riskkit.save(signals.calibrate(portfolio, outcomes), cal)
    plain, calibrated = tmp_path / "plain.csv", tmp_path / "calibrated.csv"
    assert cli.main([*argv, "--out", str(plain), "--alert-budget", "0.05"]) == 0
    assert cli.main([*argv, "--out", str(calibrated), "--calibration", str(cal)]) == 0
    rows = _rows(plain)
    assert list(rows[0])[:3] == ["customer_id", "name", "level"]
    flagged = {r["customer_id"] for r in rows if r["level"] in ("warning", "critical")}
    assert 0 < len(flagged) <= 0.05 * portfolio.n_customers
    assert _rows(calibrated)[0]["level"] in ("info", "watch", "warning", "critical")
    with pytest.raises(SystemExit) as usage:
        cli.main([*argv, "--out", str(plain), "--alert-budget", "2"])
    assert usage.value.code == 2
    assert cli.main([*argv, "--out", str(plain), "--calibration", str(tables["customers"])]) == 1
