"""Fuzzing the command line in-process: it never crashes, never loses a good row.

Two generators, run through :func:`riskkit.cli.main`:

* data files for ``riskkit score`` (CSV with any of four delimiters, JSON
  lines, a CSV under another extension, random bytes, a folder, a missing
  file), built from good German credit rows with some cells broken (text in
  a number, ``inf``, ``nan``, ``1_000``, an unknown category, a huge cell,
  quotes, delimiters and line breaks in a cell), the CSV read as bytes with
  numpy, with pyarrow or by the csv module. A reference says which rows
  are good, independently of riskkit: with exit 0 or 3 every good row, and
  only those, is in the output;
* argument lists: commands, known and unknown options, repeated options,
  values naming good files, missing files, folders, random bytes, files with
  the wrong extension.

Every run must exit 0, 1, 2 or 3 (never 70, never an exception leaving
``main``); a riskkit error is one line on stderr naming the file or option;
a usage error is argparse's usage and one ``error:`` line.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import riskkit
from riskkit import cli

SETTINGS = settings(
    deadline=None,
    derandomize=os.environ.get("RISKKIT_FUZZ_RANDOM") is None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

N_ROWS = 12


# --- fixtures: a logistic model and good rows ------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The model, the good rows it scores, the columns it reads, and a small book (files to copy per example)."""
    from riskkit.datasets import load_german_credit

    folder = tmp_path_factory.mktemp("fuzz")
    X, y = load_german_credit(as_frame=True)
    X = X.drop(columns=["personal_status_and_sex"]).head(300).copy()
    X.insert(0, "app_id", [f"A{i:04d}" for i in range(len(X))])
    X["creditability"] = np.where(np.asarray(y)[:300] == 1, "bad", "good")
    train = folder / "train.csv"
    X.to_csv(train, index=False)
    model = folder / "model.json"
    argv = ["fit", "--data", str(train), "--target", "creditability", "--bad-value", "bad", "--model", "logistic"]
    assert cli.main([*argv, "--id-column", "app_id", "--out", str(model), "-q"]) == 0
    kinds = cli._model_kinds(riskkit.load(model))
    with open(train, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    known = {name: sorted({r[name] for r in rows}) for name, kind in kinds.items() if kind == "categorical"}
    small = folder / "small.csv"
    X.head(40).to_csv(small, index=False)
    (folder / "customers.csv").write_text("id,name,industry\nK0,Acme,retail\nK1,=Bolt,construction\n")
    (folder / "invoices.csv").write_text(
        "id,customer_id,issued,due,amount,paid_amount,paid_on\n"
        "R0,K0,2025-05-01,2025-06-01,1000,0,\nR1,K1,2025-06-01,2025-07-01,500.5,500.5,2025-06-20\n"
    )
    (folder / "orders.csv").write_text("customer_id,amount\nK0,100\nK1,x\nK9,5\n")
    (folder / "outcomes.csv").write_text("customer_id,defaulted\nK0,1\nK1,0\n")
    (folder / "random.bin").write_bytes(bytes(range(256)) * 3)
    (folder / "random.parquet").write_bytes(b"PAR1" + bytes(range(200)))
    return {"folder": folder, "model": model, "kinds": kinds, "rows": rows[:N_ROWS], "known": known}


@contextlib.contextmanager
def _sandbox(world: dict[str, Any]) -> Iterator[Path]:
    """A fresh folder with copies of the fixture files, so no example can change another's inputs."""
    with tempfile.TemporaryDirectory(prefix="riskkit-fuzz-") as name:
        folder = Path(name)
        for path in world["folder"].iterdir():
            if path.is_file():
                shutil.copy(path, folder / path.name)
        (folder / "a_folder").mkdir()
        (folder / "a_folder.csv").mkdir()
        yield folder


@contextlib.contextmanager
def _engine(engine: str) -> Iterator[None]:
    """Read the data files with ``engine`` (pyarrow: every file, when installed; python: the csv module)."""
    import riskkit._csvfile as csvfile

    saved = csvfile.ARROW_MIN_BYTES, csvfile._read_fast
    if engine == "pyarrow":
        csvfile.ARROW_MIN_BYTES = 0
    elif engine == "python":
        csvfile._read_fast = lambda *args, **kw: None  # type: ignore[assignment]
    try:
        yield
    finally:
        csvfile.ARROW_MIN_BYTES, csvfile._read_fast = saved


def _run(argv: list[str]) -> tuple[int, str]:
    """Exit code and stderr of ``riskkit argv``, in-process; only SystemExit (argparse's) may leave main."""
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # usage errors, --help and --version
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return int(code), err.getvalue()


def _check_messages(code: int, err: str, argv: list[str]) -> None:
    assert code in (0, 1, 2, 3), f"exit {code} for {argv!r}:\n{err}"
    assert "Traceback" not in err and "internal error" not in err, err
    lines = err.strip().splitlines()
    if code == 1:
        assert len(lines) == 1 and lines[0].startswith("riskkit: error: "), f"{argv!r}:\n{err}"
        named = [t for t in argv if len(t) > 1] + [os.path.basename(t) for t in argv if os.sep in t]
        assert any(t in lines[0] for t in named), f"the message names no file or option of {argv!r}: {err}"
    if code == 2:
        errors = [line for line in lines if ": error: " in line]
        assert len(errors) == 1 and lines[-1] == errors[0] and lines[-1].startswith("riskkit"), err


# --- 1. data files for riskkit score ------------------------------------------------------------

#: Cells of a numeric column: (text, good?). Good means a finite number or empty (missing).
NUMBERS = [
    ("", True), ("0", True), ("-3.5", True), ("1e3", True), ("42", True), ("0.001", True),
    ("12x", False), ("inf", False), ("-inf", False), ("Infinity", False), ("nan", False), ("1_000", False),
    ("1e999", False), ("0x10", False), ("--1", False), ("+", False), ("TRUE", False), ("\u0661\u0662", False),
    ("1,5", False), ("=1+1", False),
]

#: Cells of a categorical column that are never a known category (empty is missing, good).
UNKNOWN = ["spaceship", '=HYPERLINK("http://x")', "x" * 20_000, 'a,b;c|d\t"q"', "line\nbreak", "-cmd", "@SUM(A1)"]

#: Cells of a column the model does not read: anything goes.
NOISE = ["", "x" * 50_000, '"', ";;;", "\t|,", "line\r\nbreak", "\u2028", "\x00", "=cmd|' /C calc'!A0"]


@st.composite
def data_files(draw: st.DrawFn, world: dict[str, Any]) -> dict[str, Any]:
    """Rows with some cells broken, how they are written, and which rows are good."""
    kinds = world["kinds"]
    rows = [dict(r) for r in world["rows"][: draw(st.integers(0, N_ROWS))]]
    good = []
    edits: list[tuple[int, str, str]] = []
    others = [c for c in rows[0] if c not in kinds and c != "app_id"] if rows else []
    for row in rows:
        fine: dict[str, bool] = {}  # the last edit of a cell decides
        for _ in range(draw(st.integers(0, 3))):
            column = draw(st.sampled_from(sorted(kinds) + others))
            if column in others:
                row[column] = draw(st.sampled_from(NOISE))
            elif kinds[column] == "numeric":
                row[column], fine[column] = draw(st.sampled_from(NUMBERS))
            else:
                known = world["known"][column]
                choice = draw(st.sampled_from(["known", "missing", "unknown"]))
                row[column] = draw(st.sampled_from(known)) if choice == "known" else (
                    "" if choice == "missing" else draw(st.sampled_from(UNKNOWN))
                )
                fine[column] = choice != "unknown"
            edits.append((len(good), column, row[column][:40]))
        good.append(all(fine.values()))
    form = draw(st.sampled_from(["csv", "csv", "csv", "jsonl", "csv-as-txt", "csv-as-json", "bytes", "folder",
                                 "missing", "parquet-bytes"]))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    given = draw(st.sampled_from(["same", "same", "same", "none", "other"]))
    return {"rows": rows, "good": good, "edits": edits, "form": form, "delimiter": delimiter, "given": given,
            "rejects": draw(st.sampled_from([None, "r.csv", "r.jsonl", "r.json"])),
            "out": draw(st.sampled_from(["s.csv", "s.jsonl", "s.json", "s.parquet"])),
            "reasons": draw(st.integers(0, 2))}


_WORDS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def _write_data(folder: Path, case: dict[str, Any]) -> tuple[Path, list[str]]:
    """The data file of a case and the format options naming how it is written."""
    rows, form, delimiter = case["rows"], case["form"], case["delimiter"]
    header = list(rows[0]) if rows else ["app_id", "duration_in_month"]
    options: list[str] = []
    if form == "jsonl":
        path = folder / "data.jsonl"
        records = [{k: (None if v == "" else v) for k, v in r.items()} for r in rows]  # JSON's missing is null
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return path, options
    if form == "bytes":
        return folder / "random.bin", options
    if form == "parquet-bytes":
        return folder / "random.parquet", options
    if form == "folder":
        return folder / "a_folder.csv", options
    if form == "missing":
        return folder / "not-there.csv", options
    path = folder / {"csv": "data.csv", "csv-as-txt": "data.txt", "csv-as-json": "data.json"}[form]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    if case["given"] == "same":
        options = ["--delimiter", _WORDS[delimiter] if delimiter != "," else ","]
    elif case["given"] == "other":
        options = ["--delimiter", next(w for d, w in _WORDS.items() if d != delimiter)]
    elif delimiter != ",":
        options = []  # read as comma-separated: a mismatch
    return path, options


def _out_rows(path: Path) -> list[str]:
    """The customer_id column of a scores file, as text."""
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as fh:
            return [r["customer_id"] for r in csv.DictReader(fh)]
    if path.suffix == ".jsonl":
        return [str(json.loads(line)["customer_id"]) for line in path.read_text().splitlines()]
    if path.suffix == ".json":
        return [str(r["customer_id"]) for r in json.loads(path.read_text())]
    import pyarrow.parquet as pq

    return [str(v) for v in pq.read_table(path).column("customer_id").to_pylist()]


@settings(SETTINGS, max_examples=200)
@given(data=st.data())
def test_score_never_loses_a_good_row(world: dict[str, Any], data: st.DataObject) -> None:
    case = data.draw(data_files(world))
    # the file read as bytes with numpy (small files), with pyarrow (large ones, when installed) or by the csv module
    engine = data.draw(st.sampled_from(["numpy", "pyarrow", "python"]))
    with _sandbox(world) as folder, _engine(engine):
        path, options = _write_data(folder, case)
        out = folder / case["out"]
        argv = ["score", "--model", str(folder / "model.json"), "--data", str(path), *options,
                "--id-column", "app_id", "--out", str(out), "--reasons", str(case["reasons"]), "-q"]
        if case["rejects"]:
            argv += ["--rejects", str(folder / case["rejects"])]
        code, err = _run(argv)
        _check_messages(code, err, argv)
        readable = case["form"] in ("csv", "jsonl", "csv-as-txt", "csv-as-json")
        matched = case["form"] == "jsonl" or case["given"] == "same" or (
            case["given"] == "none" and case["delimiter"] == ","
        )
        event(f"{case['form']}: exit {code}")
        if not readable:
            assert code in (1, 3) and not out.exists(), (argv, err)
            return
        if not matched or not case["rows"]:
            assert code in (0, 1, 3), (argv, err)
            return
        expected = [r["app_id"] for r, ok in zip(case["rows"], case["good"], strict=True) if ok]
        why = (case["form"], case["delimiter"], case["given"], case["edits"], case["good"], err)
        assert code == (3 if len(expected) < len(case["rows"]) else 0), why
        assert _out_rows(out) == expected, why
        if case["rejects"] and code == 3:
            rejects = folder / case["rejects"]
            assert rejects.exists()
            text = rejects.read_text(encoding="utf-8")
            assert text.strip() not in ("", "[]", "row,column,value,reason")


# --- 2. argument lists ----------------------------------------------------------------------------

COMMANDS = ["features", "fit", "score", "signals", "check", "report", "limits", "worklist", "nope", "--version", "--debug"]
OPTIONS = ["--customers", "--invoices", "--payments", "--orders", "--statements", "--events", "--exposures",
           "--profile", "--data", "--model", "--out", "--rejects", "--target", "--bad-value", "--id-column",
           "--exclude", "--reasons", "--unknown", "--orders-to-check", "--policy", "--outcomes", "--as-of",
           "--delimiter", "--decimal", "--thousands", "--date-format", "--encoding", "--bogus"]
FLAGS = ["-q", "--raw-cells", "--allow-future-as-of", "--debug"]
FILES = ["customers.csv", "invoices.csv", "orders.csv", "outcomes.csv", "small.csv", "model.json",
         "random.bin", "random.parquet", "a_folder", "a_folder.csv", "not-there.csv", "nodir/x.csv"]
OUTPUTS = ["o.csv", "o.jsonl", "o.json", "o.parquet", "o.html", "o.xlsx", "o", "a_folder", "a_folder.csv",
           "nodir/o.csv", "customers.csv", "model.json", "r.csv"]
VALUES = ["5c", "logistic", "scorecard", "creditability", "bad", "app_id", "2025-06-30", "2031-01-01", "x", "-1",
          "3", "worst", "missing", ";", ",", "auto", "%d.%m.%Y", "%Q", "cp1252", "utf-99", "", "\x00",
          "x" * 5000]


@st.composite
def argument_lists(draw: st.DrawFn) -> list[str]:
    argv = [draw(st.sampled_from(COMMANDS))]
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["file", "file", "out", "value", "flag", "bare"]))
        if kind == "flag":
            argv.append(draw(st.sampled_from(FLAGS)))
            continue
        option = draw(st.sampled_from(OPTIONS))
        if kind == "bare":
            argv.append(option)
            continue
        token = {"file": FILES, "out": OUTPUTS, "value": VALUES}[kind]
        value = draw(st.sampled_from(token))
        argv += [option if kind != "out" else draw(st.sampled_from(["--out", "--rejects"])),
                 "@" + value if kind in ("file", "out") else value]
    return argv


def _resolve(argv: list[str], folder: Path) -> list[str]:
    """File tokens (marked with @) as paths in the example's sandbox."""
    return [str(folder / t[1:]) if t.startswith("@") else t for t in argv]


@settings(SETTINGS, max_examples=200)
@given(argv=argument_lists())
def test_any_argument_list(world: dict[str, Any], argv: list[str]) -> None:
    with _sandbox(world) as folder:
        real = _resolve(argv, folder)
        if "--version" in real[:1]:
            return
        code, err = _run(real)
        event(f"{argv[0]}: exit {code}")
        _check_messages(code, err, real)


@settings(SETTINGS, max_examples=60)
@given(
    command=st.sampled_from(["features", "signals", "score", "check", "report"]),
    extra=st.lists(st.sampled_from([
        ["--customers", "@customers.csv"], ["--invoices", "@invoices.csv"], ["--invoices", "@random.bin"],
        ["--invoices", "@a_folder"], ["--payments", "@not-there.csv"], ["--delimiter", "auto"],
        ["--decimal", ","], ["--thousands", "."], ["--encoding", "cp1252"], ["--as-of", "2025-07-15"],
        ["--rejects", "@r.csv"], ["--rejects", "@r.jsonl"], ["--rejects", "@invoices.csv"], ["--out", "@o.csv"],
        ["--raw-cells"], ["--model", "@model.json"], ["--model", "5c"], ["--unknown", "worst"],
    ]), max_size=5),
)
def test_portfolio_commands(world: dict[str, Any], command: str, extra: list[list[str]]) -> None:
    """A working book with options added, repeated or contradicting: never a crash."""
    out = {"check": "@o.jsonl", "report": "@o.html"}.get(command, "@o.csv")
    argv = [command, "--customers", "@customers.csv", "--invoices", "@invoices.csv", "--out", out, "-q"]
    if command == "check":
        argv += ["--orders-to-check", "@orders.csv"]
    for option in extra:
        argv += option
    with _sandbox(world) as folder:
        real = _resolve(argv, folder)
        code, err = _run(real)
        event(f"{command}: exit {code}")
        _check_messages(code, err, real)
        if code in (0, 3):  # the last --out given is written
            outputs = [real[i + 1] for i, t in enumerate(real[:-1]) if t == "--out"]
            assert Path(outputs[-1]).exists(), (real, err)
