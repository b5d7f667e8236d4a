"""The riskkit command line."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskkit import _cli_io, cli


def test_demo_prints_the_month_end_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--customers", "300", "--top", "5", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "Month-end credit report as of" in out and "DSO" in out and "In default:" in out
    watch = out.split("Watchlist:", 1)[1].split("\n\n", 1)[0]
    assert 1 <= len([line for line in watch.splitlines() if line.startswith("  - ")]) <= 5
    assert "Limits:" in out and "Collections this week:" in out and "AUC" in out
    assert "Watchlist(" not in out and "Worklist(" not in out and " inf" not in out


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

COMMANDS = ("features", "fit", "score", "signals", "check", "report", "limits", "worklist", "provisions", "groups",
            "insurance", "reviews", "promises")


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
    for section in ("summary", "grades", "watchlist", "limits", "worklist", "validation"):
        assert f'<section id="{section}">' in html
    assert "<svg" in html and "AUC" in html and "Gini" in html and "KS" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html


def test_report_options(book: tuple[Path, list[str]], tmp_path: Path) -> None:
    """--watchlist-budget caps the customers listed, --currency names the money; a bad budget is a usage error."""
    _, tables = book
    out = tmp_path / "report.html"
    assert cli.main(["report", *tables, "--watchlist-budget", "3", "--currency", "EUR", "--out", str(out), "-q"]) == 0
    html = out.read_text()
    watch = html[html.index('<section id="watchlist">'):]
    watch = watch[: watch.index("</section>")]
    assert 1 <= watch.count("<li>") <= 3
    assert "EUR " in html
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", *tables, "--watchlist-budget", "-1", "--out", str(out), "-q"])
    assert exc.value.code == 2


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


# --- riskkit score at the CSV floor: bytes in, whole columns out ----------------------------------------------


def _run_score(argv: list[str]) -> int:
    return cli.main(["score", *argv, "-q"])


@pytest.mark.parametrize("reasons", ["0", "2"])
def test_score_reads_and_writes_alike_with_pyarrow_numpy_or_the_csv_module(
    german: Path, card: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reasons: str
) -> None:
    """The pyarrow path, the numpy fallback (pyarrow hidden) and the csv module's reading write the same bytes."""
    import riskkit._csvfile as csvfile

    bad = _bad_copy(german, tmp_path)
    outputs = {}
    for path in ("pyarrow", "numpy", "python"):
        with monkeypatch.context() as patch:
            if path == "pyarrow":
                pytest.importorskip("pyarrow")
                patch.setattr(csvfile, "ARROW_MIN_BYTES", 0)
            else:
                patch.setitem(sys.modules, "pyarrow", None)
            if path == "python":
                patch.setattr(csvfile, "_read_fast", lambda *args, **kw: None)
            out, rejects = tmp_path / f"{path}.csv", tmp_path / f"{path}_rejects.csv"
            argv = ["--model", str(card), "--data", str(bad), "--id-column", "app_id", "--reasons", reasons]
            code = _run_score([*argv, "--out", str(out), "--rejects", str(rejects)])
            outputs[path] = (code, out.read_bytes(), rejects.read_bytes())
    assert outputs["numpy"] == outputs["python"]
    if "pyarrow" in outputs:
        assert outputs["pyarrow"] == outputs["python"]
    assert outputs["python"][0] == cli.EXIT_REJECTED


def test_score_with_pyarrow_hidden_never_imports_it(german: Path, card: Path, tmp_path: Path) -> None:
    """The forced fallback in a fresh process: pyarrow unimportable, the scores as with it."""
    code = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "import riskkit._csvfile as c; c.ARROW_MIN_BYTES = 0\n"
        "from riskkit.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "assert 'pandas' not in sys.modules, 'pandas imported'\n"
        "sys.exit(code)\n"
    )
    out = tmp_path / "scores.csv"
    argv = ["score", "--model", str(card), "--data", str(german), "--id-column", "app_id", "--out", str(out), "-q"]
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    reference = tmp_path / "reference.csv"
    assert cli.main([*argv[:-3], "--out", str(reference), "-q"]) == 0
    assert out.read_bytes() == reference.read_bytes()


def test_cli_start_up_imports_nothing_heavy() -> None:
    """A short-lived process: the command line imports numpy and its own modules, pandas, pyarrow, scipy,
    scikit-learn only when a command needs them."""
    code = (
        "import sys, riskkit.cli\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'pyarrow', 'scipy', 'sklearn', 'joblib'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_score_reads_pyarrow_without_pandas(german: Path, card: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    code = (
        "import sys\n"
        "import riskkit._csvfile as c; c.ARROW_MIN_BYTES = 0\n"
        "from riskkit.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "assert 'pyarrow' in sys.modules and 'pandas' not in sys.modules and 'pyarrow.compute' not in sys.modules\n"
        "sys.exit(code)\n"
    )
    out = tmp_path / "scores.csv"
    argv = ["score", "--model", str(card), "--data", str(german), "--reasons", "1", "--out", str(out), "-q"]
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("model", ["scorecard", "logistic", "tree"])
def test_coded_text_scores_as_text(german: Path, tmp_path: Path, model: str) -> None:
    """Codes into distinct values (what the CLI passes) score exactly as the object arrays of text."""
    import riskkit

    path = tmp_path / f"{model}.json"
    argv = ["fit", "--data", str(german), "--target", "creditability", "--bad-value", "bad", "--model", model]
    assert cli.main([*argv, "--id-column", "app_id", "--out", str(path), "-q"]) == 0
    scorer = riskkit.load(path)
    raw, _ = _cli_io.read_table(german)
    kinds = cli._model_kinds(scorer)
    plain = _cli_io.infer_columns({k: v for k, v in raw.items() if k in kinds})
    coded = {}
    for name, col in plain.items():
        if col.dtype == object:
            levels = list(dict.fromkeys(v for v in col.tolist() if v is not None))
            codes = np.array([-1 if v is None else levels.index(v) for v in col.tolist()])
            coded[name] = _cli_io.CodedText(codes, levels)
        else:
            coded[name] = col
    a, b = scorer.score(plain, reasons=2), scorer.score(coded, reasons=2)
    np.testing.assert_array_equal(a.score, b.score)
    np.testing.assert_array_equal(a.pd, b.pd)
    assert a.grade.tolist() == b.grade.tolist() and a.reasons.values.tolist() == b.reasons.values.tolist()


# the reference: each column's text (column_texts), then csv.writer
TEXT = st.text(st.sampled_from(list('ab,"\r\n =+-@\t\'x\x00é')), max_size=6)
FLOAT = st.one_of(st.floats(), st.sampled_from([0.0, -0.0, 1e15, 1e16, 1e-4, 9.99e-5, 1e-5, 123456789012345.6, float("nan")]))
VALUE = st.one_of(TEXT, FLOAT, st.none(), st.integers(-(10**20), 10**20), st.booleans())


@st.composite
def output_columns(draw: st.DrawFn) -> list[Any]:
    from riskkit._csvfile import Cells

    n = draw(st.integers(0, 10))
    out: list[Any] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["float", "int", "objects", "list", "cells", "arrow", "coded", "numpy text"]))
        if kind == "numpy text":
            out.append(np.array(draw(st.lists(TEXT, min_size=n, max_size=n)), dtype=str))
        elif kind == "float":
            out.append(np.array(draw(st.lists(FLOAT, min_size=n, max_size=n)), dtype=np.float64))
        elif kind == "int":
            out.append(np.array(draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n)), dtype=np.int64))
        elif kind == "objects":
            col = np.empty(n, dtype=object)
            col[:] = draw(st.lists(VALUE, min_size=n, max_size=n))
            out.append(col)
        elif kind == "list":
            out.append(draw(st.lists(st.one_of(st.integers(-(10**20), 10**20), TEXT), min_size=n, max_size=n)))
        else:
            texts = [t or None for t in draw(st.lists(TEXT, min_size=n, max_size=n))]
            if kind == "cells":
                raw = [(t or "").replace('"', '""').encode() for t in texts]
                blob = b"|".join(raw)
                lengths = np.array([len(r) for r in raw], dtype=np.int64)
                starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1])) if n else np.zeros(0, dtype=np.int64)
                escaped = np.array(['"' in (t or "") for t in texts], dtype=bool)
                out.append(Cells.from_bytes(blob, starts, starts + lengths, escaped))
            elif kind == "arrow":
                pa = pytest.importorskip("pyarrow")
                out.append(Cells.from_arrow(pa.chunked_array([pa.array(texts, pa.string())])))
            else:
                levels = sorted({t for t in texts if t is not None})
                out.append(_cli_io.CodedText(np.array([-1 if t is None else levels.index(t) for t in texts]), levels))
    return out


def _reference_csv(columns: list[Any], raw: bool) -> bytes:
    import io

    from riskkit._csvfile import Cells

    plain = [c.texts() if isinstance(c, Cells) else c.to_numpy() if isinstance(c, _cli_io.CodedText) else c for c in columns]
    texts = [_cli_io.column_texts(c, raw=raw) for c in plain]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow([f"h{j}" for j in range(len(columns))])
    writer.writerows(zip(*texts, strict=True))
    return buf.getvalue().encode("utf-8")


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(columns=output_columns(), raw=st.booleans(), arrow=st.booleans())
def test_whole_column_writing_is_csv_writer_byte_for_byte(
    tmp_path_factory: pytest.TempPathFactory, columns: list[Any], raw: bool, arrow: bool
) -> None:
    """Quoting, formulas defused, floats in their shortest text, a row of one empty field: as csv.writer."""
    out = tmp_path_factory.mktemp("w") / "x.csv"
    saved = _cli_io.ARROW_WRITER, _cli_io._ARROW_FLOATS
    _cli_io.ARROW_WRITER, _cli_io._ARROW_FLOATS = arrow, 0 if arrow else saved[1]
    try:
        _cli_io.write_columns(out, [f"h{j}" for j in range(len(columns))], columns, raw=raw)
    finally:
        _cli_io.ARROW_WRITER, _cli_io._ARROW_FLOATS = saved
    assert out.read_bytes() == _reference_csv(columns, raw)


def test_long_cells_and_many_rows_are_written_as_csv_writer_writes_them(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 70_000
    values = rng.normal(size=n) * 10.0 ** rng.integers(-8, 18, n)
    values[::7] = np.round(values[::7])
    values[::11] = np.nan
    ids = np.array([f"A{i}" if i % 1000 else "=x,y" for i in range(n)], dtype=object)
    ids[5] = "y" * 5000
    out = tmp_path / "x.csv"
    for arrow in (False, True):
        _cli_io.ARROW_WRITER = arrow
        try:
            _cli_io.write_columns(out, ["h0", "h1", "h2"], [ids, values, np.arange(n)])
        finally:
            _cli_io.ARROW_WRITER = True
        assert out.read_bytes() == _reference_csv([ids, values, np.arange(n)], False)
