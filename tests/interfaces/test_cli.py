"""The riskkit command line."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from riskkit import _cli_io, cli


def test_demo_prints_riskiest_customers(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--customers", "300", "--top", "5", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "1. Grades (5C card)" in out
    assert "max dpd" in out and "main reason" in out and "new limit" in out
    # header, rule, five rows (then the AUC line)
    table = out.split("recommended credit limit and terms:\n", 1)[1].split("\n\n", 1)[0]
    assert len([line for line in table.splitlines() if not line.startswith("   ")]) == 7
    assert "3. Limit review by grade" in out and "4. Watchlist" in out and "5. Collections worklist" in out
    assert "at warning or worse (budget 15%)" in out and "customers are in default" in out
    worklist = out.split("5. Collections worklist", 1)[1]
    assert "if they order again" in worklist


def test_demo_ranks_lowest_score_first() -> None:
    from riskkit.datasets import make_portfolio
    from riskkit.scoring import five_c

    portfolio, _ = make_portfolio(300, seed=1)
    ff = portfolio.features()
    score = five_c().score(ff).score
    order = cli.riskiest(score, ff, 20)
    assert list(score[order]) == sorted(score[order])
    assert score[order].max() <= np.sort(score)[19]


@pytest.mark.parametrize("argv", [["demo", "--customers", "0"], ["demo", "--top", "x"], ["nope"], []])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2


def test_console_script_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "riskkit.cli", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("riskkit ")


# --- the file commands ------------------------------------------------------------

COMMANDS = ("features", "fit", "score", "signals", "check", "report")


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The German credit data as a CSV with an id and a good/bad target column."""
    from riskkit.datasets import load_german_credit

    X, y = load_german_credit(as_frame=True)
    X = X.drop(columns=["personal_status_and_sex"])
    X.insert(0, "app_id", [f"A{i:04d}" for i in range(len(X))])
    X["creditability"] = np.where(y == 1, "bad", "good")
    path = tmp_path_factory.mktemp("german") / "german.csv"
    X.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def card(german: Path) -> Path:
    out = german.parent / "card.json"
    argv = ["fit", "--data", str(german), "--target", "creditability", "--bad-value", "bad"]
    assert cli.main([*argv, "--id-column", "app_id", "--out", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Portfolio CSVs of a synthetic book of 200 customers, and the table options naming them."""
    from riskkit._schema import TABLES
    from riskkit.datasets import make_portfolio

    folder = tmp_path_factory.mktemp("book")
    portfolio, outcomes = make_portfolio(200, seed=2)
    options = []
    for name, table in TABLES.items():
        frame = portfolio.table(name).to_pandas()
        frame[[c for c in table.names if c in frame.columns]].to_csv(folder / f"{name}.csv", index=False)
        options += [f"--{name}", str(folder / f"{name}.csv")]
    with open(folder / "outcomes.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["customer_id", "defaulted"])
        writer.writerows(zip(portfolio.customer_ids.tolist(), outcomes.defaulted.tolist(), strict=True))
    return folder, options


def test_fit_then_score_round_trip(german: Path, card: Path, tmp_path: Path) -> None:
    import riskkit

    out = tmp_path / "scores.csv"
    assert (
        cli.main(
            [
                "score",
                "--model",
                str(card),
                "--data",
                str(german),
                "--out",
                str(out),
                "--id-column",
                "app_id",
                "-q",
            ]
        )
        == 0
    )
    rows = _rows(out)
    assert len(rows) == 1000 and list(rows[0]) == ["customer_id", "score", "pd", "grade"]
    assert rows[0]["customer_id"] == "A0000"
    from riskkit.datasets import load_german_credit

    X, _ = load_german_credit(as_frame=True)
    expected = riskkit.load(card).score(X)
    assert np.allclose([float(r["score"]) for r in rows], expected.score)
    assert [r["grade"] for r in rows] == expected.grade.tolist()


def test_fit_prints_summary(german: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "tree.json"
    argv = [
        "fit",
        "--data",
        str(german),
        "--target",
        "creditability",
        "--bad-value",
        "bad",
        "--model",
        "tree",
    ]
    assert cli.main([*argv, "--id-column", "app_id", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "feature(s) used" in err and "in-sample AUC" in err and out.exists()


def _bad_copy(german: Path, folder: Path) -> Path:
    rows = _rows(german)
    rows[3]["credit_amount"] = "12x"
    rows[5]["purpose"] = "spaceship"
    rows[9]["purpose"] = "spaceship"
    rows[11]["housing"] = "boat"
    path = folder / "bad.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_bad_rows_rejected_good_rows_scored(german: Path, card: Path, tmp_path: Path) -> None:
    bad = _bad_copy(german, tmp_path)
    out, rejects = tmp_path / "scores.csv", tmp_path / "rejects.csv"
    code = cli.main(
        [
            "score",
            "--model",
            str(card),
            "--data",
            str(bad),
            "--out",
            str(out),
            "--rejects",
            str(rejects),
            "-q",
        ]
    )
    assert code == cli.EXIT_REJECTED
    rows = _rows(out)
    assert len(rows) == 996
    assert {"3", "5", "9", "11"}.isdisjoint(r["customer_id"] for r in rows)
    rejected = _rows(rejects)
    assert [(r["row"], r["column"], r["value"]) for r in rejected] == [
        ("3", "credit_amount", "12x"),
        ("5", "purpose", "spaceship"),
        ("9", "purpose", "spaceship"),
        ("11", "housing", "boat"),
    ]
    assert rejected[0]["reason"] == "not a number" and "not seen" in rejected[1]["reason"]


def test_rejects_summarised_on_stderr(
    german: Path, card: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _bad_copy(german, tmp_path)
    code = cli.main(
        ["score", "--model", str(card), "--data", str(bad), "--out", str(tmp_path / "s.csv"), "-q"]
    )
    assert code == 3
    err = capsys.readouterr().err
    assert "4 row(s) rejected" in err and "row 3 column 'credit_amount'" in err


def test_missing_column_rejects_every_row_and_keeps_output(
    card: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "x.csv"
    data.write_text("duration_in_month,credit_amount\n12,1000\n24,2000\n")
    out, rejects = tmp_path / "scores.csv", tmp_path / "rejects.csv"
    out.write_text("previous\n")
    code = cli.main(
        ["score", "--model", str(card), "--data", str(data), "--out", str(out), "--rejects", str(rejects)]
    )
    assert code == 3
    assert "has no column" in capsys.readouterr().err
    assert out.read_text() == "previous\n"
    assert [r["row"] for r in _rows(rejects)] == ["0", "1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rejects.csv", "scores.csv", "x.csv"]


def test_jsonl_input_and_output(german: Path, card: Path, tmp_path: Path) -> None:
    rows = _rows(german)[:20]
    rows[2]["purpose"] = "spaceship"
    data = tmp_path / "x.jsonl"
    with open(data, "w") as fh:
        for r in rows:
            rec: dict[str, object] = dict(r)
            for name in ("duration_in_month", "credit_amount", "age_in_years"):
                rec[name] = float(r[name])
            fh.write(json.dumps(rec) + "\n")
    out = tmp_path / "scores.jsonl"
    assert (
        cli.main(
            [
                "score",
                "--model",
                str(card),
                "--data",
                str(data),
                "--out",
                str(out),
                "--id-column",
                "app_id",
                "--reasons",
                "1",
                "-q",
            ]
        )
        == 3
    )
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 19 and lines[0]["customer_id"] == "A0000"
    assert set(lines[0]) == {"customer_id", "score", "pd", "grade", "reason_1", "reason_1_value"}


def test_reasons_columns(german: Path, card: Path, tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    assert (
        cli.main(
            ["score", "--model", str(card), "--data", str(german), "--out", str(out), "--reasons", "3", "-q"]
        )
        == 0
    )
    rows = _rows(out)
    assert list(rows[0]) == [
        "customer_id",
        "score",
        "pd",
        "grade",
        "reason_1",
        "reason_1_value",
        "reason_2",
        "reason_2_value",
        "reason_3",
        "reason_3_value",
    ]
    assert rows[0]["customer_id"] == "0" and rows[0]["reason_1"]


def test_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), _cli_io.atomic_open(target) as fh:
        fh.write("half")
        raise RuntimeError("crash")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    _cli_io.write_csv(target, ["a"], [[1.0], [None]])
    assert target.read_text() == 'a\n1\n""\n'  # a lone empty cell is quoted, so the row is not blank
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_parse_numeric_marks_bad_cells() -> None:
    col = np.array(["1.5", None, "x", "nan", "-2e3", "1_000"], dtype=object)
    values, bad = _cli_io.parse_numeric(col)
    assert bad.tolist() == [False, False, True, True, False, True]
    assert values[0] == 1.5 and np.isnan(values[1]) and values[4] == -2000.0


def test_features(book: tuple[Path, list[str]], tmp_path: Path) -> None:
    _, tables = book
    out, rejects = tmp_path / "features.csv", tmp_path / "rejects.csv"
    assert cli.main(["features", *tables, "--out", str(out), "--rejects", str(rejects), "-q"]) == 0
    rows = _rows(out)
    assert len(rows) == 200 and next(iter(rows[0])) == "customer_id"
    assert "max_days_past_due" in rows[0] and "payment_index" in rows[0]
    assert _rows(rejects) == []


def test_features_reject_bad_portfolio_rows(book: tuple[Path, list[str]], tmp_path: Path) -> None:
    folder, _ = book
    text = (folder / "invoices.csv").read_text().splitlines()
    header = text[0].split(",")
    cells = text[1].split(",")
    cells[header.index("amount")] = "lots"
    (tmp_path / "invoices.csv").write_text("\n".join([text[0], ",".join(cells), *text[2:]]) + "\n")
    out, rejects = tmp_path / "features.csv", tmp_path / "rejects.csv"
    code = cli.main(
        [
            "features",
            "--customers",
            str(folder / "customers.csv"),
            "--invoices",
            str(tmp_path / "invoices.csv"),
            "--out",
            str(out),
            "--rejects",
            str(rejects),
            "-q",
        ]
    )
    assert code == 3
    assert len(_rows(out)) == 200
    bad = _rows(rejects)
    assert bad[0]["table"] == "invoices" and bad[0]["row"] == "0" and bad[0]["column"] == "amount"


def test_score_portfolio_with_five_c(book: tuple[Path, list[str]], tmp_path: Path) -> None:
    _, tables = book
    out = tmp_path / "scores.csv"
    assert cli.main(["score", "--model", "5c", *tables, "--out", str(out), "--reasons", "1", "-q"]) == 0
    rows = _rows(out)
    assert len(rows) == 200 and rows[0]["customer_id"] == "C00001" and "reason_1" in rows[0]


def test_signals(book: tuple[Path, list[str]], tmp_path: Path) -> None:
    _, tables = book
    out = tmp_path / "watchlist.csv"
    assert cli.main(["signals", *tables, "--out", str(out), "-q"]) == 0
    rows = _rows(out)
    assert rows and {"customer_id", "signal", "severity", "evidence"} <= set(rows[0])


def test_check(book: tuple[Path, list[str]], tmp_path: Path) -> None:
    _, tables = book
    orders = tmp_path / "orders.csv"
    orders.write_text("customer_id,amount\nC00001,100\nC00002,2500000\nC00003,x\nNOPE,5\n")
    out, rejects = tmp_path / "decisions.jsonl", tmp_path / "rejects.csv"
    code = cli.main(
        [
            "check",
            *tables,
            "--orders-to-check",
            str(orders),
            "--out",
            str(out),
            "--rejects",
            str(rejects),
            "-q",
        ]
    )
    assert code == 3
    decisions = [json.loads(line) for line in out.read_text().splitlines()]
    assert [d["customer_id"] for d in decisions] == ["C00001", "C00002"]
    assert all(d["outcome"] for d in decisions)
    assert [(r["row"], r["column"]) for r in _rows(rejects)] == [("2", "amount"), ("3", "customer_id")]


def test_report(book: tuple[Path, list[str]], tmp_path: Path) -> None:
    folder, tables = book
    out = tmp_path / "report.html"
    assert (
        cli.main(["report", *tables, "--outcomes", str(folder / "outcomes.csv"), "--out", str(out), "-q"])
        == 0
    )
    html = out.read_text()
    for section in ("Score distribution", "Grade mix", "Validation", "Watchlist", "Collections worklist"):
        assert f"<h2>{section}</h2>" in html
    assert "<svg" in html and "AUC" in html and "Gini" in html and "KS" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert f"riskkit {command} --" in out and "exit codes" in out


def test_quiet_prints_nothing(
    book: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, tables = book
    assert cli.main(["signals", *tables, "--out", str(tmp_path / "w.csv"), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert cli.main(["signals", *tables, "--out", str(tmp_path / "w.csv")]) == 0
    assert "alert(s)" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["score", "--model", "5c", "--out", "x.csv"], ["fit", "--data", "x.csv"]])
def test_file_command_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2


def test_unreadable_input_is_a_riskkit_error(card: Path, tmp_path: Path) -> None:
    code = cli.main(
        [
            "score",
            "--model",
            str(card),
            "--data",
            str(tmp_path / "nope.csv"),
            "--out",
            str(tmp_path / "s.csv"),
            "-q",
        ]
    )
    assert code == 1 and not (tmp_path / "s.csv").exists()


def test_score_needs_data_or_portfolio_not_both(
    card: Path, book: tuple[Path, list[str]], tmp_path: Path
) -> None:
    _, tables = book
    with pytest.raises(SystemExit) as exc:
        cli.main(
            ["score", "--model", str(card), "--data", "x.csv", *tables, "--out", str(tmp_path / "s.csv")]
        )
    assert exc.value.code == 2


def test_fit_rejects_rows_without_target(german: Path, tmp_path: Path) -> None:
    text = german.read_text().splitlines()
    text[1] = text[1].rsplit(",", 1)[0] + ","  # first data row: empty target
    data = tmp_path / "g.csv"
    data.write_text("\n".join(text) + "\n")
    out, rejects = tmp_path / "card.json", tmp_path / "rejects.csv"
    argv = ["fit", "--data", str(data), "--target", "creditability", "--bad-value", "bad", "--model", "tree"]
    assert cli.main([*argv, "--id-column", "app_id", "--out", str(out), "--rejects", str(rejects), "-q"]) == 3
    assert out.exists()
    assert [(r["row"], r["column"]) for r in _rows(rejects)] == [("0", "creditability")]


def test_fit_missing_target_column(german: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "card.json"
    argv = ["fit", "--data", str(german), "--target", "nope", "--bad-value", "bad", "--out", str(out)]
    assert cli.main(argv) == 3
    assert "'nope'" in capsys.readouterr().err and not out.exists()


def test_parquet_input(german: Path, card: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    import pandas as pd

    data = tmp_path / "x.parquet"
    pd.read_csv(german).head(30).to_parquet(data)
    out = tmp_path / "scores.csv"
    assert cli.main(["score", "--model", str(card), "--data", str(data), "--out", str(out), "-q"]) == 0
    assert len(_rows(out)) == 30


class _Terminal:
    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_progress_bar_only_on_a_terminal() -> None:
    terminal = _Terminal()
    with _cli_io.Progress(10, "scoring", stream=terminal) as bar:
        bar.update(10)
    assert "scoring" in terminal.text
    quiet = _Terminal()
    with _cli_io.Progress(10, "scoring", stream=quiet, quiet=True) as bar:
        bar.update(10)
    assert quiet.text == ""


def test_features_file_scores_like_the_portfolio(book: tuple[Path, list[str]], tmp_path: Path) -> None:
    _, tables = book
    features, direct, via_file = tmp_path / "f.csv", tmp_path / "direct.csv", tmp_path / "file.csv"
    assert cli.main(["features", *tables, "--out", str(features), "-q"]) == 0
    assert cli.main(["score", *tables, "--out", str(direct), "-q"]) == 0
    argv = ["score", "--model", "5c", "--data", str(features), "--id-column", "customer_id"]
    assert cli.main([*argv, "--out", str(via_file), "-q"]) == 0
    assert direct.read_text() == via_file.read_text()
