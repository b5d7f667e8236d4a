"""``riskkit provisions``: the nightly allowance job, end to end through the command line.

On CSV files written by hand as an ERP exports them (semicolons, decimal
commas, German dates, a bad amount); the allowance per customer, the matrix
and the rejects computed by hand, and the exit codes.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from riskkit import cli

AS_OF = "2025-04-30"

#: Month-ends 31.01-30.04.2025, each invoice's bucket at them (default edges 0/30/60/90, lost past 180 days):
#: R1 current, 1-30, 31-60, 61-90 (100 open); R2 current, paid 20.02; R3 1-30 (300), 31-60 (200 after
#: 100 paid 10.02), paid 15.03; R4 -, current, current, 1-30 (400); R6 issued 28.04, current at 30.04 (600).
#: Row 4 (R5) has a bad amount: rejected.
CUSTOMERS = """id;name;industry;debtor_type
K1;Müller Bau GmbH;construction;standard
K2;Acme Handel AG;wholesale;distributor
K3;=Formel KG;retail;
"""
INVOICES = """id;customer_id;issued;due;amount;paid_amount;paid_on
R1;K1;01.01.2025;31.01.2025;100,00;;
R2;K1;10.01.2025;09.02.2025;200,00;200,00;20.02.2025
R3;K2;05.01.2025;20.01.2025;300,00;;
R4;K2;01.02.2025;31.03.2025;400,00;;
R5;K3;01.03.2025;31.03.2025;abc;;
R6;K3;28.04.2025;28.05.2025;600,00;;
"""
PAYMENTS = """invoice_id;date;amount
R3;10.02.2025;100,00
R3;15.03.2025;200,00
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
    options = []
    for name, text in (("customers", CUSTOMERS), ("invoices", INVOICES), ("payments", PAYMENTS)):
        path = tmp_path / f"{name}_export.csv"
        path.write_text(text, encoding="utf-8")
        options += [f"--{name}", str(path)]
    return [*options, *ERP_FORMAT, "--as-of", AS_OF]


def test_allowance_matrix_and_rejects_by_hand(erp: list[str], tmp_path: Path) -> None:
    out, matrix, rejects = tmp_path / "allowance.csv", tmp_path / "matrix.csv", tmp_path / "rejects.csv"
    code = cli.main(["provisions", *erp, "--out", str(out), "--matrix-out", str(matrix), "--rejects", str(rejects),
                     "-q"])
    assert code == 3  # a rejected row
    assert _rows(rejects) == [{"table": "invoices", "row": "4", "column": "amount", "value": "abc",
                               "reason": "is of type str; expected a real number"}]
    rows = _rows(out)
    assert list(rows[0]) == ["customer_id", "name", "open_current", "open_1_30", "open_31_60", "open_61_90",
                             "open_91_180", "open_over_180", "open", "allowance"]
    # current: 1,100 open at a month-end, 400 stayed (R4), 700 left, 500 rolled (R1, R4): 5/7;
    # 1-30: 400 left, 300 rolled (R3 200, R1 100): 3/4; 31-60: 300 left, 100 rolled (R1): 1/3;
    # 61-90 and 91-180: never left, rolled on in full to the loss: 1
    by_id = {r["customer_id"]: r for r in rows}
    assert by_id["K1"]["name"] == "Müller Bau GmbH" and by_id["K3"]["name"] == "'=Formel KG"  # formula neutralised
    assert (by_id["K1"]["open_61_90"], by_id["K1"]["allowance"]) == ("100", "100")  # 100 x 1
    assert (by_id["K2"]["open_1_30"], by_id["K2"]["allowance"]) == ("400", "100")  # 400 x 3/4 x 1/3
    assert (by_id["K3"]["open_current"], by_id["K3"]["allowance"]) == ("600", "107.14")  # 600 x 5/7 x 1/4
    grid = {r["bucket"]: r for r in _rows(matrix)}
    assert list(grid) == ["current", "1-30", "31-60", "61-90", "91-180", "over 180"]
    assert [float(grid[b]["loss_rate"]) for b in grid] == pytest.approx([5 / 28, 1 / 4, 1 / 3, 1, 1, 1])
    assert [float(grid[b]["observed"]) for b in ("current", "1-30", "31-60", "61-90")] == [700, 400, 300, 0]
    assert grid["61-90"]["unobserved"] == "True" and grid["31-60"]["unobserved"] == "False"


def test_a_clean_book_exits_0_and_months_limit_the_history(erp: list[str], tmp_path: Path) -> None:
    clean = tmp_path / "clean.csv"
    clean.write_text("\n".join(line for line in INVOICES.splitlines() if not line.startswith("R5")) + "\n",
                     encoding="utf-8")
    argv = [x if x != erp[erp.index("--invoices") + 1] else str(clean) for x in erp]
    out, matrix = tmp_path / "allowance.csv", tmp_path / "matrix.csv"
    assert cli.main(["provisions", *argv, "--out", str(out), "--matrix-out", str(matrix), "--months", "2",
                     "-q"]) == 0
    # 31.03 -> 30.04 only: R1 31-60 -> 61-90 (1/3 of nothing lost yet: 61-90 rolls on in full), R4 current -> 1-30
    grid = {r["bucket"]: r for r in _rows(matrix)}
    assert float(grid["current"]["observed"]) == 400 and float(grid["current"]["roll_rate"]) == 1.0
    assert float(grid["1-30"]["observed"]) == 0


def test_usage_errors_exit_2(erp: list[str], tmp_path: Path) -> None:
    out = str(tmp_path / "allowance.csv")
    assert _usage(["provisions", *erp]) == 2  # --out is required
    assert _usage(["provisions", *erp, "--out", out, "--months", "0"]) == 2
    assert _usage(["provisions", *erp, "--out", out, "--loss-days", "x"]) == 2
    assert not Path(out).exists()
