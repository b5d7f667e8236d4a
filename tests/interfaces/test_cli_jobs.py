"""``riskkit limits`` and ``riskkit worklist``: the nightly jobs, end to end through the command line.

On CSV files written by hand as an ERP exports them (semicolons, decimal
commas, German dates, a bad amount, an invoice of an unknown customer) and on
a generated book written to CSV; outputs, rejects and exit codes as for
``signals`` and ``check``.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from riskkit import cli

AS_OF = "2025-05-01"

#: An ERP's export (SAP-like: ';', decimal comma, dd.mm.yyyy). K1 owes 5,000 since 21.01.2025
#: (100 days past due at AS_OF: in default), K2 1,234.567 since 31.03.2025 (31 days), K3 nothing
#: overdue; invoice row 3 has a bad amount and row 4 names an unknown customer.
CUSTOMERS = """id;name;industry;debtor_type
K1;Müller Bau GmbH;construction;standard
K2;Acme Handel AG;wholesale;distributor
K3;=Formel KG;retail;
"""
INVOICES = """id;customer_id;issued;due;amount;paid_amount;paid_on
R1;K1;01.01.2025;21.01.2025;5.000,00;;
R2;K2;01.03.2025;31.03.2025;1.234,567;;
R3;K3;01.02.2025;03.03.2025;800,00;800,00;01.03.2025
R4;K3;01.03.2025;31.03.2025;abc;;
R5;K9;01.03.2025;31.03.2025;100,00;;
R6;K3;25.04.2025;25.05.2025;600,00;;
"""
EXPOSURES = """customer_id;credit_limit
K1;20.000,00
K2;10.000,00
"""
ERP_FORMAT = ["--delimiter", "semicolon", "--decimal", ",", "--thousands", ".", "--date-format", "%d.%m.%Y"]


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _usage(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    return int(exc.value.code or 0)


@pytest.fixture
def erp(tmp_path: Path) -> list[str]:
    """The hand-written export as files, and the options that read it at AS_OF."""
    paths = {}
    for name, text in (("customers", CUSTOMERS), ("invoices", INVOICES), ("exposures", EXPOSURES)):
        paths[name] = tmp_path / f"{name}_export.csv"
        paths[name].write_text(text, encoding="utf-8")
    options = [x for name, path in paths.items() for x in (f"--{name}", str(path))]
    return [*options, *ERP_FORMAT, "--as-of", AS_OF]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, list[str]]:
    """A generated book of 150 customers written as portfolio CSVs, and the table options naming them."""
    from riskkit._schema import TABLES
    from riskkit.datasets import make_portfolio

    folder = tmp_path_factory.mktemp("jobs_book")
    portfolio, _ = make_portfolio(150, seed=4)
    options = []
    for name, table in TABLES.items():
        frame = portfolio.table(name).to_pandas()
        frame[[c for c in table.names if c in frame.columns]].to_csv(folder / f"{name}.csv", index=False)
        options += [f"--{name}", str(folder / f"{name}.csv")]
    return portfolio, options


EXPECTED_REJECTS = [
    {"table": "invoices", "row": "3", "column": "amount", "value": "abc",
     "reason": "is of type str; expected a real number"},
    {"table": "invoices", "row": "4", "column": "customer_id", "value": "K9",
     "reason": "is not a known customer id"},
]


# --- limits -----------------------------------------------------------------------


def test_limits_on_an_erp_export(erp: list[str], tmp_path: Path) -> None:
    out, rejects = tmp_path / "limits.csv", tmp_path / "rejects.csv"
    assert cli.main(["limits", *erp, "--out", str(out), "--rejects", str(rejects), "-q"]) == 3
    assert _rows(rejects) == EXPECTED_REJECTS
    rows = {r["customer_id"]: r for r in _rows(out)}
    assert list(rows) == ["K1", "K2", "K3"]
    assert list(rows["K1"])[:6] == ["customer_id", "name", "grade", "current_limit", "recommended_limit", "change"]
    # checked by hand: K1 is 100 days past due on 5,000 (a material amount): in default, grade D, limit 0
    k1 = rows["K1"]
    assert (k1["name"], k1["grade"], k1["current_limit"], k1["recommended_limit"], k1["change"]) == (
        "Müller Bau GmbH", "D", "20000", "0", "-20000"
    )
    assert (k1["direction"], k1["bound_by"], k1["payment_terms"]) == ("fall", "default", "prepayment")
    assert k1["reason"].startswith("fall 20,000 -> 0: customer in default")
    # no limit on file: current and change empty, the move counted from 0
    assert rows["K3"]["current_limit"] == rows["K3"]["change"] == ""
    assert rows["K3"]["direction"] == "rise" and float(rows["K3"]["recommended_limit"]) > 0
    assert rows["K3"]["name"] == "'=Formel KG"  # a formula-like name is neutralised in a CSV
    assert "currency" not in k1  # the export names no currency and --currency was not given


def test_limits_are_the_library_recommendations(book: tuple[object, list[str]], tmp_path: Path) -> None:
    from riskkit.policy import CreditPolicy
    from riskkit.scoring import five_c

    portfolio, tables = book
    out, rejects = tmp_path / "limits.csv", tmp_path / "rejects.csv"
    assert cli.main(["limits", *tables, "--out", str(out), "--rejects", str(rejects), "-q"]) == 0
    assert _rows(rejects) == []  # a clean book: the rejects file is written, empty
    rows = _rows(out)
    recs = CreditPolicy.default().recommend(portfolio, five_c().score(portfolio.features()))  # type: ignore[attr-defined]
    assert [r["customer_id"] for r in rows] == recs.customer_ids.tolist()
    assert [r["name"] for r in rows] == portfolio.customers["name"].tolist()  # type: ignore[attr-defined]
    assert [float(r["recommended_limit"]) for r in rows] == np.round(recs.limit, 2).tolist()
    assert [r["reason"] for r in rows] == recs.reason.tolist()
    assert [r["grade"] for r in rows] == recs.grade.tolist()
    now = [float(r["current_limit"]) if r["current_limit"] else math.nan for r in rows]
    np.testing.assert_allclose(now, np.round(recs.current_limit, 2))
    changes = [float(r["change"]) for r in rows if r["change"]]
    assert changes == [round(c, 2) for c in recs.change.tolist() if not math.isnan(c)]


def test_the_book_as_parquet_gives_the_same_files_as_csv(book: tuple[object, list[str]], tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    import pandas as pd

    _, tables = book
    parquet = []
    for option, path in zip(tables[::2], tables[1::2], strict=True):
        # the CSVs read back (empty cells and all) and written as Parquet: the same tables in another format
        frame = pd.read_csv(path, keep_default_na=False, dtype=str)
        target = tmp_path / (Path(path).stem + ".parquet")
        _as_typed(frame, Path(path).stem).to_parquet(target, index=False)
        parquet += [option, str(target)]
    for command in ("limits", "worklist"):
        outs = []
        for inputs in (tables, parquet):
            out = tmp_path / f"{command}-{len(outs)}.csv"
            assert cli.main([command, *inputs, "--as-of", "2025-12-31", "--out", str(out), "-q"]) == 0
            outs.append(out.read_bytes())
        assert outs[0] == outs[1], command
    mixed = [*parquet[:2], *tables[2:]]
    assert cli.main(["limits", *mixed, "--out", str(tmp_path / "m.csv"), "-q"]) == 1
    assert not (tmp_path / "m.csv").exists()


def _as_typed(frame: object, table: str) -> object:
    """A table read from CSV as text, with the schema's types (what an ERP's Parquet export holds)."""
    import pandas as pd

    from riskkit._schema import TABLES

    frame = frame.copy()  # type: ignore[attr-defined]
    for column in TABLES[table].columns:
        if column.name not in frame:
            continue
        text = frame[column.name]
        if column.kind == "date":
            frame[column.name] = pd.to_datetime(text.replace("", None)).dt.date
        elif column.kind in ("money", "signed", "ratio", "amount"):
            frame[column.name] = pd.to_numeric(text.replace("", None)).astype("float64")
        elif column.kind == "bool":
            frame[column.name] = text.map({"True": True, "False": False, "true": True, "false": False})
    return frame


def test_limits_policy_file(book: tuple[object, list[str]], tmp_path: Path) -> None:
    _, tables = book
    policy = tmp_path / "policy.toml"
    policy.write_text('version = "nightly"\nlimit_rounding = 250\n', encoding="utf-8")
    out = tmp_path / "limits.jsonl"
    assert cli.main(["limits", *tables, "--policy", str(policy), "--out", str(out), "-q"]) == 0
    limits = [json.loads(line)["recommended_limit"] for line in out.read_text().splitlines()]
    assert all(x % 250 == 0 for x in limits)
    assert any(x % 1000 != 0 for x in limits)  # the default rounds to 1,000: the file was applied


def test_limits_json_and_currency(erp: list[str], tmp_path: Path) -> None:
    out = tmp_path / "limits.json"
    assert cli.main(["limits", *erp, "--currency", "eur", "--out", str(out), "-q"]) == 3
    records = json.loads(out.read_text())
    assert {r["currency"] for r in records} == {"EUR"}
    k3 = next(r for r in records if r["customer_id"] == "K3")
    assert k3["current_limit"] is None and k3["change"] is None and k3["name"] == "=Formel KG"


def test_currency_other_than_the_books_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    customers = tmp_path / "c.csv"
    customers.write_text("id,name\nC1,Acme\n")
    invoices = tmp_path / "i.csv"
    invoices.write_text("id,customer_id,issued,due,amount,currency\nI1,C1,2025-01-01,2025-01-31,100,USD\n")
    out = tmp_path / "l.csv"
    argv = ["limits", "--customers", str(customers), "--invoices", str(invoices), "--out", str(out)]
    assert cli.main([*argv, "--currency", "EUR", "-q"]) == 1
    assert "--currency EUR: the book's amounts are in USD" in capsys.readouterr().err
    assert not out.exists()
    assert cli.main([*argv, "--currency", "usd", "-q"]) == 0
    assert _rows(out)[0]["currency"] == "USD"


# --- worklist ---------------------------------------------------------------------


def test_worklist_on_an_erp_export(erp: list[str], tmp_path: Path) -> None:
    out, rejects = tmp_path / "worklist.csv", tmp_path / "rejects.csv"
    assert cli.main(["worklist", *erp, "--out", str(out), "--rejects", str(rejects), "-q"]) == 3
    assert _rows(rejects) == EXPECTED_REJECTS
    rows = _rows(out)
    assert [r["customer_id"] for r in rows] == ["K1", "K2"]  # K3 has nothing overdue
    assert list(rows[0])[:8] == [
        "rank", "customer_id", "name", "stage", "action", "actions", "amount_overdue", "days_past_due",
    ]
    # checked by hand: 100 days past due on 5,000; in default (PD 1); priority 5000 x (1 + 0.01) x ln(1 + 100)
    k1 = rows[0]
    assert (k1["rank"], k1["name"], k1["amount_overdue"], k1["days_past_due"], k1["overdue_invoices"]) == (
        "1", "Müller Bau GmbH", "5000", "100", "1"
    )
    assert (k1["stage"], k1["action"], k1["grade"], k1["hold_credit"]) == (
        "final_notice", "send a final notice", "D", "True"
    )
    assert float(k1["priority"]) == round(5000 * 1.01 * math.log(101), 2) == 23306.36
    assert k1["days_to_next_stage"] == ""  # the last stage
    k2 = rows[1]
    assert (k2["rank"], k2["name"], k2["amount_overdue"], k2["days_past_due"]) == ("2", "Acme Handel AG", "1234.57", "31")
    assert k2["action"] == "stop deliveries (brand and supply leverage)"  # a distributor, from the dunning stage on
    assert "stage_at_horizon" not in k2


def test_worklist_horizon(erp: list[str], tmp_path: Path) -> None:
    out = tmp_path / "worklist.csv"
    for horizon in (0, 5, 40):
        assert cli.main(["worklist", *erp, "--horizon", str(horizon), "--out", str(out), "-q"]) == 3
        rows = _rows(out)
        assert len(rows) == 2
        for r in rows:
            expected = r["days_to_next_stage"] != "" and int(r["days_to_next_stage"]) <= horizon
            assert r["escalates"] == str(expected)
            assert (r["stage_at_horizon"] == r["stage"]) == (not expected)
    k1, k2 = rows
    assert k1["stage_at_horizon"] == "final_notice"
    assert k2["stage_at_horizon"] in ("visit", "final_notice")  # 31 + 40 days past due at least


def test_worklist_ladder_file(erp: list[str], tmp_path: Path) -> None:
    ladder = tmp_path / "ladder.json"
    ladder.write_text('{"pd_floor": 0.5}', encoding="utf-8")
    out = tmp_path / "worklist.jsonl"
    assert cli.main(["worklist", *erp, "--ladder", str(ladder), "--out", str(out), "-q"]) == 3
    k1 = json.loads(out.read_text().splitlines()[0])
    assert k1["customer_id"] == "K1" and k1["priority"] == round(5000 * (1 + 0.5) * math.log(101), 2)
    assert k1["days_to_next_stage"] is None and k1["hold_credit"] is True


def test_worklist_is_the_library_worklist(book: tuple[object, list[str]], tmp_path: Path) -> None:
    from riskkit import dunning
    from riskkit.scoring import five_c

    portfolio, tables = book
    out = tmp_path / "worklist.csv"
    assert cli.main(["worklist", *tables, "--out", str(out), "-q"]) == 0
    rows = _rows(out)
    work = dunning.worklist(portfolio, five_c().score(portfolio.features()))  # type: ignore[arg-type, attr-defined]
    assert len(rows) == len(work) > 0
    assert [r["customer_id"] for r in rows] == work["customer_id"].tolist()
    assert [r["rank"] for r in rows] == [str(i) for i in range(1, len(work) + 1)]
    assert [float(r["amount_overdue"]) for r in rows] == np.round(work["overdue_amount"], 2).tolist()
    assert [r["action"] for r in rows] == work["next_action"].tolist()
    names = dict(zip(portfolio.customer_ids.tolist(), portfolio.customers["name"].tolist(), strict=True))  # type: ignore[attr-defined]
    assert [r["name"] for r in rows] == [names[c] for c in work["customer_id"].tolist()]


# --- exit codes -------------------------------------------------------------------


@pytest.mark.parametrize("command", ["limits", "worklist"])
def test_help_has_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _usage([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert f"riskkit {command} --" in out and "exit codes" in out and "--currency" in out


@pytest.mark.parametrize(
    "extra",
    [
        [],  # no --out
        ["--out", "x.xlsx"],
        ["--out", "x.csv", "--currency", "EURO"],
        ["--out", "x.csv", "--model"],
        ["--out", "x.csv", "--profile", "p.toml"],  # with the table options
    ],
)
@pytest.mark.parametrize("command", ["limits", "worklist"])
def test_usage_errors_exit_2(command: str, extra: list[str], erp: list[str], tmp_path: Path) -> None:
    argv = [command, *erp, *(str(tmp_path / x) if x.startswith(("x.", "p.")) else x for x in extra)]
    assert _usage(argv) == 2
    assert not list(tmp_path.glob("x.*"))


def test_worklist_horizon_must_be_a_whole_number(erp: list[str], tmp_path: Path) -> None:
    for bad in ("-1", "soon"):
        assert _usage(["worklist", *erp, "--horizon", bad, "--out", str(tmp_path / "w.csv")]) == 2


def test_out_equal_to_an_input_is_refused(erp: list[str], tmp_path: Path) -> None:
    customers = erp[erp.index("--customers") + 1]
    before = Path(customers).read_text(encoding="utf-8")
    assert _usage(["limits", *erp, "--out", customers]) == 2
    policy = tmp_path / "policy.json"
    policy.write_text("{}")
    assert _usage(["limits", *erp, "--policy", str(policy), "--out", str(tmp_path / "x.csv"), "--rejects", str(policy)]) == 2
    ladder = tmp_path / "ladder.json"
    ladder.write_text("{}")
    assert _usage(["worklist", *erp, "--ladder", str(ladder), "--out", str(ladder)]) == 2
    assert Path(customers).read_text(encoding="utf-8") == before and ladder.read_text() == "{}"


@pytest.mark.parametrize(
    ("command", "option", "content", "message"),
    [
        ("limits", "--policy", None, "no such file"),
        ("limits", "--policy", 'limit_rounding = "x"\n', "CreditPolicy.limit_rounding must be a number"),
        ("limits", "--policy", "limit_rounding = \n", "TOML is malformed"),
        ("worklist", "--ladder", None, "no such file"),
        ("worklist", "--ladder", '{"stages": 3}', "Ladder.stages must be"),
        ("limits", "--model", None, "nope"),
    ],
)
def test_bad_configuration_exits_1_and_writes_nothing(
    command: str, option: str, content: str | None, message: str, erp: list[str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    suffix = ".json" if (content or "").startswith("{") or option == "--model" else ".toml"
    path = tmp_path / f"nope{suffix}"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    out, rejects = tmp_path / "out.csv", tmp_path / "rejects.csv"
    code = cli.main([command, *erp, option, str(path), "--out", str(out), "--rejects", str(rejects), "-q"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert err.startswith("riskkit: error: ") and message in err and len(err.strip().splitlines()) == 1
    if option != "--model":
        assert f"{option} {str(path)!r}" in err
    assert not out.exists() and not rejects.exists()


@pytest.mark.parametrize("command", ["limits", "worklist"])
def test_a_book_that_cannot_load_exits_1_and_writes_nothing(command: str, tmp_path: Path) -> None:
    customers = tmp_path / "c.csv"
    customers.write_text("id,name\n,nameless\n")  # the only customer is rejected
    out, rejects = tmp_path / "out.csv", tmp_path / "rejects.csv"
    assert cli.main([command, "--customers", str(customers), "--out", str(out), "--rejects", str(rejects), "-q"]) == 1
    assert not out.exists() and not rejects.exists()


@pytest.mark.parametrize("command", ["limits", "worklist"])
def test_without_rejects_file_a_summary_goes_to_stderr(
    command: str, erp: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([command, *erp, "--out", str(tmp_path / "o.csv")]) == 3
    err = capsys.readouterr().err
    assert "2 row(s) rejected (pass --rejects FILE" in err
    assert "invoices row 3 column 'amount'" in err and "invoices row 4 column 'customer_id'" in err
    assert f"wrote {tmp_path / 'o.csv'}" in err


# --- issue 17: insurance deadlines in the worklist, the 5W card by name --------------------------------------


def test_worklist_insurance_columns(erp: list[str], tmp_path: Path) -> None:
    """K1's R1 is due 21.01.2025: deadline + 90 days = 21.04.2025, passed 10 days before AS_OF; K2's R2
    (due 31.03.2025) has 59 days left, beyond the 30-day warning: nothing to notify yet."""
    insurance = tmp_path / "insurance.csv"
    insurance.write_text("customer_id;date;status;amount\nK1;01.12.2024;granted;10.000,00\n"
                         "K2;01.12.2024;granted;5.000,00\n", encoding="utf-8")
    plain, insured = tmp_path / "plain.csv", tmp_path / "insured.csv"
    assert cli.main(["worklist", *erp, "--out", str(plain), "--quiet"]) == 3  # rows rejected, as always
    assert cli.main(["worklist", *erp, "--insurance", str(insurance), "--out", str(insured), "--quiet"]) == 3
    before, after = _rows(plain), _rows(insured)
    assert "notify_by" not in before[0]  # no insurance decisions: the columns of old
    assert list(after[0])[: len(before[0])] == list(before[0])
    got = {r["customer_id"]: r for r in after}
    assert [got["K1"][k] for k in ("notify_invoices", "notify_amount", "notify_by", "days_to_deadline",
                                   "cover_lost")] == ["1", "5000", "2025-04-21", "-10", "True"]
    assert [got["K2"][k] for k in ("notify_invoices", "notify_amount", "notify_by", "days_to_deadline",
                                   "cover_lost")] == ["0", "0", "2025-06-29", "59", "False"]


@pytest.mark.parametrize("name", ["five_w", "5w", "FIVE_W"])
def test_five_w_by_name(name: str, erp: list[str], tmp_path: Path) -> None:
    out = tmp_path / "limits.csv"
    assert cli.main(["limits", *erp, "--model", name, "--out", str(out), "--quiet"]) == 3
    rows = _rows(out)
    assert [r["customer_id"] for r in rows] == ["K1", "K2", "K3"]
    work = tmp_path / "worklist.csv"
    assert cli.main(["worklist", *erp, "--model", name, "--out", str(work), "--quiet"]) == 3
    assert {r["customer_id"] for r in _rows(work)} == {"K1", "K2"}


def test_five_w_grades_are_the_cards(book: tuple[object, list[str]], tmp_path: Path) -> None:
    from riskkit._frame import FeatureFrame
    from riskkit.scoring import five_w

    portfolio, options = book
    out = tmp_path / "limits.csv"
    assert cli.main(["limits", *options, "--model", "five_w", "--out", str(out), "--quiet"]) == 0
    features = portfolio.features()  # type: ignore[attr-defined]
    columns = {**features.to_dict(), "order_to_usual": np.full(len(features), np.nan),
               "terms_days": np.full(len(features), np.nan)}
    expected = five_w().score(FeatureFrame.from_mapping(columns))
    assert [r["grade"] for r in _rows(out)] == np.asarray(expected.grade, dtype=str).tolist()
