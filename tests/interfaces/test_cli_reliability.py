"""The command line never crashes, never loses good rows, never writes something dangerous.

One regression test (or a few) per defect found by an independent corpus:
exit codes and internal errors, outputs that cannot be written, outputs that
are inputs, one rule for every bad value, ``--unknown``, SIGTERM, formula
injection in CSV outputs and escaping in the HTML report.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import riskkit
from riskkit import _cli_io, cli


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _usage(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    return int(exc.value.code or 0)


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 rows of the German credit data with an id and a good/bad target column."""
    from riskkit.datasets import load_german_credit

    X, y = load_german_credit(as_frame=True)
    X = X.drop(columns=["personal_status_and_sex"]).head(400).copy()
    X.insert(0, "app_id", [f"A{i:04d}" for i in range(len(X))])
    X["creditability"] = np.where(np.asarray(y)[:400] == 1, "bad", "good")
    path = tmp_path_factory.mktemp("german") / "german.csv"
    X.to_csv(path, index=False)
    return path


def _fit(german: Path, kind: str) -> Path:
    out = german.parent / f"{kind}.json"
    if not out.exists():
        argv = ["fit", "--data", str(german), "--target", "creditability", "--bad-value", "bad", "--model", kind]
        assert cli.main([*argv, "--id-column", "app_id", "--out", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def scorecard(german: Path) -> Path:
    return _fit(german, "scorecard")


@pytest.fixture(scope="module")
def logistic(german: Path) -> Path:
    return _fit(german, "logistic")


def _edited(german: Path, folder: Path, edits: dict[tuple[int, str], str], name: str = "data.csv") -> Path:
    rows = _rows(german)
    for (row, column), value in edits.items():
        rows[row][column] = value
    path = folder / name
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- 1. exit codes ---------------------------------------------------------------------------


def _small_book(folder: Path, names: tuple[str, ...] = ("Acme", "Bolt")) -> list[str]:
    customers = folder / "customers.csv"
    with open(customers, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "industry"])
        writer.writerows([f"K{i}", n, "retail"] for i, n in enumerate(names))
    invoices = ["id,customer_id,issued,due,amount,paid_amount,paid_on"]
    invoices += [f"R{i},K{i},2025-06-01,2025-07-01,{1000 + i}.5,0," for i in range(len(names))]
    return ["--customers", str(customers), "--invoices", str(_write(folder / "invoices.csv", "\n".join(invoices) + "\n"))]


def test_internal_error_is_exit_70_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(args: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "_load_portfolio", boom)
    argv = ["features", *_small_book(tmp_path), "--out", str(tmp_path / "f.csv"), "-q"]
    assert cli.main(argv) == cli.EXIT_INTERNAL == 70
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "internal error" in err and "ZeroDivisionError: a bug" in err
    assert f"riskkit {riskkit.__version__}" in err and "report" in err and "--debug" in err
    assert not (tmp_path / "f.csv").exists()


@pytest.mark.parametrize("where", ["global", "command"])
def test_debug_prints_the_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    def boom(args: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "_load_portfolio", boom)
    argv = ["features", *_small_book(tmp_path), "--out", str(tmp_path / "f.csv"), "-q"]
    argv = ["--debug", *argv] if where == "global" else [*argv, "--debug"]
    assert cli.main(argv) == 70
    err = capsys.readouterr().err
    assert "Traceback" in err and "ZeroDivisionError: a bug" in err and "internal error" in err


def test_riskkit_errors_stay_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["features", "--customers", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "f.csv"), "-q"]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("riskkit: error: ") and len(err.strip().splitlines()) == 1 and "nope.csv" in err


def test_exit_codes_are_documented(capsys: pytest.CaptureFixture[str]) -> None:
    assert _usage(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for piece in ("0 success", "1 bad input or a riskkit error", "2 usage error", "3 some input rows were rejected",
                  "70 internal error", "--debug"):
        assert piece in text
    doc = cli.__doc__ or ""
    assert "\n70\n" in doc and "--debug" in doc and "EX_SOFTWARE" in doc
    assert (cli.EXIT_OK, cli.EXIT_ERROR, cli.EXIT_USAGE, cli.EXIT_REJECTED) == (0, 1, 2, 3)


# --- 2. outputs that cannot be written, inputs that cannot be read ----------------------------


def test_out_is_a_folder(scorecard: Path, german: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "scores.csv"
    folder.mkdir()
    argv = ["score", "--model", str(scorecard), "--data", str(german), "--out", str(folder), "-q"]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(folder) in err and "folder" in err
    assert list(folder.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]


def test_rejects_is_a_folder(scorecard: Path, german: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.csv").mkdir()
    argv = ["score", "--model", str(scorecard), "--data", str(german), "--out", str(tmp_path / "s.csv")]
    assert cli.main([*argv, "--rejects", str(tmp_path / "r.csv"), "-q"]) == 1
    assert "r.csv" in capsys.readouterr().err and not (tmp_path / "s.csv").exists()


def test_out_in_an_unwritable_folder(
    scorecard: Path, german: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    out = locked / "s.csv"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if os.fspath(p) == str(locked) else real_access(p, mode))
    argv = ["score", "--model", str(scorecard), "--data", str(german), "--out", str(out), "-q"]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(out) in err and "permission" in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a folder the user cannot write")
def test_out_in_a_read_only_folder(scorecard: Path, german: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        argv = ["score", "--model", str(scorecard), "--data", str(german), "--out", str(locked / "s.csv"), "-q"]
        assert cli.main(argv) == 1
    finally:
        locked.chmod(0o755)


def test_a_write_that_fails_is_a_riskkit_error(
    scorecard: Path, german: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder checks passed, but the file system refuses at the end (a full disk, a folder locked meanwhile)."""
    out = tmp_path / "s.csv"
    out.write_text("old\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_cli_io.tempfile, "mkstemp", refuse)
    argv = ["score", "--model", str(scorecard), "--data", str(german), "--out", str(out), "-q"]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"riskkit: error: cannot write {str(out)!r}: Permission denied"
    assert out.read_text() == "old\n"


def test_corrupt_parquet_is_a_riskkit_error(
    scorecard: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pyarrow")
    data = tmp_path / "x.parquet"
    data.write_bytes(b"PAR1" + os.urandom(200))
    argv = ["score", "--model", str(scorecard), "--data", str(data), "--out", str(tmp_path / "s.csv"), "-q"]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "x.parquet" in err and "Parquet" in err
    assert not (tmp_path / "s.csv").exists()


# --- 3. an output is never one of the inputs ---------------------------------------------------


def test_out_equal_to_data_is_refused(
    scorecard: Path, german: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data.csv"
    data.write_bytes(german.read_bytes())
    before = data.read_bytes()
    other = str(tmp_path / "sub" / ".." / "data.csv")  # another spelling of the same file
    (tmp_path / "sub").mkdir()
    assert _usage(["score", "--model", str(scorecard), "--data", str(data), "--out", other, "-q"]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "--data" in err and "same file" in err
    assert data.read_bytes() == before


def test_out_through_a_symlink_is_refused(scorecard: Path, german: Path, tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_bytes(german.read_bytes())
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    assert _usage(["score", "--model", str(scorecard), "--data", str(data), "--out", str(link)]) == 2
    assert data.read_bytes() == german.read_bytes()


@pytest.mark.parametrize(
    ("out", "rejects", "named"),
    [
        ("customers.csv", None, ("--out", "--customers")),
        ("s.csv", "invoices.csv", ("--rejects", "--invoices")),
        ("s.csv", "s.csv", ("--out", "--rejects")),
    ],
)
def test_outputs_equal_to_inputs_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str, rejects: str | None, named: tuple[str, str]
) -> None:
    book = _small_book(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    argv = ["features", *book, "--out", str(tmp_path / out)]
    if rejects:
        argv += ["--rejects", str(tmp_path / rejects)]
    assert _usage(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert all(option in err for option in named)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_out_equal_to_model_is_refused(scorecard: Path, german: Path, tmp_path: Path) -> None:
    model = tmp_path / "card.json"
    model.write_bytes(scorecard.read_bytes())
    assert _usage(["score", "--model", str(model), "--data", str(german), "--out", str(tmp_path / "card.json")]) == 2
    assert model.read_bytes() == scorecard.read_bytes()


def test_out_equal_to_a_profile_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _small_book(tmp_path)
    profile = _write(
        tmp_path / "p.toml",
        '[tables.customers]\npath = "customers.csv"\ncolumns = { id = "id", name = "name" }\n\n'
        '[tables.invoices]\npath = "invoices.csv"\n'
        'columns = { id = "id", customer_id = "customer_id", issued = "issued", due = "due", amount = "amount" }\n',
    )
    before = (tmp_path / "invoices.csv").read_bytes()
    assert _usage(["features", "--profile", str(profile), "--out", str(tmp_path / "invoices.csv")]) == 2
    assert "--profile" in capsys.readouterr().err
    assert (tmp_path / "invoices.csv").read_bytes() == before
    assert _usage(["features", "--profile", str(profile), "--out", str(tmp_path / "p.toml")]) == 2


# --- 4. one rule for every bad value ------------------------------------------------------------


def test_logistic_inf_rejects_the_row_and_scores_the_others(
    logistic: Path, german: Path, tmp_path: Path
) -> None:
    data = _edited(german, tmp_path, {
        (2, "credit_amount"): "inf", (4, "duration_in_month"): "-inf", (6, "credit_amount"): "12x",
        (8, "purpose"): "spaceship",
    })
    out, rejects = tmp_path / "s.csv", tmp_path / "r.csv"
    argv = ["score", "--model", str(logistic), "--data", str(data), "--out", str(out), "--rejects", str(rejects)]
    assert cli.main([*argv, "--id-column", "app_id", "-q"]) == 3
    scored = _rows(out)
    assert len(scored) == 396
    assert {"A0002", "A0004", "A0006", "A0008"}.isdisjoint(r["customer_id"] for r in scored)
    bad = _rows(rejects)
    assert [(r["row"], r["column"]) for r in bad] == [
        ("2", "credit_amount"), ("4", "duration_in_month"), ("6", "credit_amount"), ("8", "purpose"),
    ]
    assert "infinite" in bad[0]["reason"] and bad[2]["reason"] == "not a number"
    expected = riskkit.load(logistic).score(
        {k: v for k, v in _cli_io.infer_columns(_cli_io.read_table(german)[0]).items()}
    )
    keep = np.setdiff1d(np.arange(400), [2, 4, 6, 8])
    assert np.allclose([float(r["score"]) for r in scored], expected.score[keep])


def test_a_row_refused_by_the_scorer_without_a_probe_is_rejected_alone(
    scorecard: Path, german: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any value a scorer refuses by row and column rejects that row (found row by row), never the run."""
    from riskkit.errors import ValidationError

    model = riskkit.load(scorecard)
    real = type(model).score

    def picky(self: object, X: dict[str, np.ndarray], **kw: object) -> object:
        hit = np.flatnonzero(np.asarray(X["credit_amount"]) == 1169.0)  # row 0 of the German data
        if hit.size:
            raise ValidationError(f"feature 'credit_amount' row {hit[0]}: too round", field="credit_amount",
                                  row=int(hit[0]))
        return real(self, X, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(type(model), "score", picky)
    out, rejects = tmp_path / "s.csv", tmp_path / "r.csv"
    argv = ["score", "--model", str(scorecard), "--data", str(german), "--out", str(out), "--rejects", str(rejects)]
    assert cli.main([*argv, "-q"]) == 3
    assert len(_rows(out)) == 399
    assert [(r["row"], r["column"], r["reason"]) for r in _rows(rejects)] == [("0", "credit_amount", "feature 'credit_amount': too round")]


# --- 5. --unknown ---------------------------------------------------------------------------------


def _score_of(path: Path) -> list[float]:
    return [float(r["score"]) for r in _rows(path)]


@pytest.mark.parametrize("kind", ["scorecard", "logistic"])
def test_unknown_policies(kind: str, german: Path, tmp_path: Path) -> None:
    model = _fit(german, kind)
    feature = next(name for name, k in cli._model_kinds(riskkit.load(model)).items() if k == "categorical")
    rows = _rows(german)
    known = sorted({r[feature] for r in rows})
    row = rows[5]
    variants = [*known, "", "spaceship"]  # every known category, missing, unknown
    path = tmp_path / "one.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row))
        writer.writeheader()
        writer.writerows({**row, feature: v} for v in variants)
    out, rejects = tmp_path / "s.csv", tmp_path / "r.csv"
    argv = ["score", "--model", str(model), "--data", str(path), "--out", str(out), "--rejects", str(rejects), "-q"]
    assert cli.main(argv) == 3  # default: error, the unknown row is rejected
    assert len(_rows(out)) == len(variants) - 1
    reason = _rows(rejects)[0]["reason"]
    assert "--unknown missing" in reason and "unknown='missing'" not in reason
    assert cli.main([*argv, "--unknown", "error"]) == 3
    assert cli.main([*argv, "--unknown", "missing"]) == 0
    scores = _score_of(out)
    assert scores[-1] == pytest.approx(scores[-2])  # the missing points
    assert _rows(rejects) == []
    assert cli.main([*argv, "--unknown", "worst"]) == 0
    scores = _score_of(out)
    assert scores[-1] == pytest.approx(min(scores[: len(known)]))  # the worst points of the known categories


def test_unknown_with_the_built_in_card(tmp_path: Path) -> None:
    book = _small_book(tmp_path)
    out = tmp_path / "s.csv"
    assert cli.main(["score", "--model", "5c", *book, "--out", str(out), "--unknown", "worst", "-q"]) == 0
    assert len(_rows(out)) == 2


def test_unknown_on_a_scorer_without_a_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Plain:
        def score(self, X: object, reasons: int = 0) -> object:
            raise AssertionError("never scored")

    monkeypatch.setattr(cli, "_load_model", lambda name: Plain())
    data = _write(tmp_path / "d.csv", "a\n1\n")
    argv = ["score", "--model", "m.json", "--data", str(data), "--out", str(tmp_path / "s.csv"), "-q"]
    assert cli.main([*argv, "--unknown", "missing"]) == 1
    err = capsys.readouterr().err
    assert "--unknown missing" in err and "Plain" in err and "no unknown-category policy" in err


def test_unknown_is_a_choice() -> None:
    assert _usage(["score", "--model", "5c", "--data", "d.csv", "--out", "s.csv", "--unknown", "ignore"]) == 2


def test_encoding_hint_names_the_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    customers = tmp_path / "c.csv"
    customers.write_bytes("id,name\nK1,Müller\n".encode("cp1252"))
    assert cli.main(["features", "--customers", str(customers), "--out", str(tmp_path / "f.csv"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "--encoding cp1252" in err and "encoding=" not in err


# --- 6. SIGTERM ---------------------------------------------------------------------------------

_SLOW_WRITER = textwrap.dedent(
    """
    import contextlib, sys, time
    from riskkit import _cli_io, cli

    real = _cli_io.atomic_path

    @contextlib.contextmanager
    def slow(path):
        with real(path) as tmp:
            print("TMP " + tmp, flush=True)
            time.sleep(60)
            yield tmp

    _cli_io.atomic_path = slow
    sys.exit(cli.main(sys.argv[1:]))
    """
)


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_while_writing_leaves_no_temporary_file(tmp_path: Path, sig: int, code: int) -> None:
    book = _small_book(tmp_path)
    out = tmp_path / "features.csv"
    out.write_text("old\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, "features", *book, "--out", str(out), "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("TMP "), proc.stderr.read() if proc.stderr else ""
        tmp = Path(line[4:].strip())
        assert tmp.exists() and tmp.parent == tmp_path and tmp.name.startswith(".features.csv.")
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not tmp.exists()
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
@pytest.mark.parametrize("engine", ["pyarrow", "numpy"])
def test_sigterm_while_writing_scores_leaves_no_temporary_file(
    scorecard: Path, german: Path, tmp_path: Path, engine: str
) -> None:
    """Scores written from whole columns (by pyarrow's kernels or numpy) are written atomically too."""
    if engine == "pyarrow":
        pytest.importorskip("pyarrow")
    setup = (
        "import riskkit._csvfile as c; c.ARROW_MIN_BYTES = 0\n" if engine == "pyarrow"
        else "import sys; sys.modules['pyarrow'] = None\n"
    )
    out = tmp_path / "scores.csv"
    out.write_text("old\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = ["score", "--model", str(scorecard), "--data", str(german), "--out", str(out), "-q"]
    proc = subprocess.Popen(
        [sys.executable, "-c", setup + _SLOW_WRITER, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("TMP "), proc.stderr.read() if proc.stderr else ""
        tmp = Path(line[4:].strip())
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143 and "Traceback" not in err
    assert not tmp.exists() and out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_terminate_as_exception_restores_the_handler() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with _cli_io.terminate_as_exception():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


# --- 7. formula injection (CWE-1236) -----------------------------------------------------------

NASTY = ('=HYPERLINK("http://x")', "+1", "-cmd", "@SUM(A1)", "Acme")


def test_formula_cells_are_neutralised_in_every_csv(tmp_path: Path) -> None:
    book = _small_book(tmp_path, NASTY)
    features, signals = tmp_path / "f.csv", tmp_path / "w.csv"
    assert cli.main(["features", *book, "--out", str(features), "-q"]) == 0
    rows = _rows(features)
    assert [r["name"] for r in rows] == ["'" + n for n in NASTY[:-1]] + ["Acme"]
    assert cli.main(["signals", *book, "--out", str(signals), "-q"]) == 0
    assert {r["name"] for r in _rows(signals)} <= {"'" + n for n in NASTY[:-1]} | {"Acme"}
    scores = tmp_path / "s.csv"
    assert cli.main(["score", *book, "--out", str(scores), "-q"]) == 0
    assert {r["name"] for r in _rows(scores)} == {"'" + n for n in NASTY[:-1]} | {"Acme"}
    for path in (features, signals, scores):
        for r in _rows(path):
            assert not any(v.startswith(_cli_io.FORMULA_START) for v in r.values() if not _is_number(v))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_tab_and_carriage_return_are_neutralised(tmp_path: Path) -> None:
    """The portfolio reader strips a name's blanks; a data file's id column keeps them."""
    out = tmp_path / "x.csv"
    _cli_io.write_columns(out, ["id"], [np.array(["\tTab", "\rCR", "ok"], dtype=object)])
    with open(out, newline="", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["id"], ["'\tTab"], ["'\rCR"], ["ok"]]
    _cli_io.write_columns(out, ["id"], [np.array(["\tTab", "=1"])])  # a numpy str column
    with open(out, newline="", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["id"], ["'\tTab"], ["'=1"]]


def test_numbers_stay_numbers(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    col = np.array([-1.5, 2.0])
    mixed = np.array([-3.25, "-cmd", None, "=1+1"], dtype=object)
    _cli_io.write_columns(out, ["a", "b"], [np.array([-1.5, 2.0, -7.0, np.nan]), mixed])
    assert out.read_text().splitlines() == ["a,b", "-1.5,-3.25", "2,'-cmd", "-7,", "," + "'=1+1"]
    _cli_io.write_csv(out, ["a", "b"], [[-1, "@x"], [col[0], "ok"]])
    assert out.read_text().splitlines() == ["a,b", "-1,'@x", "-1.5,ok"]


def test_raw_cells_writes_text_as_it_is(tmp_path: Path) -> None:
    book = _small_book(tmp_path, NASTY[:4])
    out = tmp_path / "f.csv"
    assert cli.main(["features", *book, "--out", str(out), "--raw-cells", "-q"]) == 0
    assert [r["name"] for r in _rows(out)] == list(NASTY[:4])


def test_rejects_csv_is_neutralised_json_is_not(tmp_path: Path) -> None:
    book = _small_book(tmp_path)
    orders = _write(tmp_path / "o.csv", 'customer_id,amount\nK0,"=1+2"\n@evil,5\n')
    argv = ["check", *book, "--orders-to-check", str(orders), "--out", str(tmp_path / "d.jsonl")]
    assert cli.main([*argv, "--rejects", str(tmp_path / "r.csv"), "-q"]) == 3
    assert [r["value"] for r in _rows(tmp_path / "r.csv")] == ["'=1+2", "'@evil"]
    assert cli.main([*argv, "--rejects", str(tmp_path / "r.jsonl"), "-q"]) == 3
    values = [json.loads(line)["value"] for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert values == ["=1+2", "@evil"]


def test_jsonl_output_is_not_neutralised(tmp_path: Path) -> None:
    book = _small_book(tmp_path, NASTY[:2])
    out = tmp_path / "f.jsonl"
    assert cli.main(["features", *book, "--out", str(out), "-q"]) == 0
    assert [json.loads(line)["name"] for line in out.read_text().splitlines()] == list(NASTY[:2])


# --- 8. the HTML report ---------------------------------------------------------------------------


def test_report_escapes_names_and_ids(tmp_path: Path) -> None:
    script = "<script>alert(1)</script>"
    customers = _write(
        tmp_path / "c.csv",
        f'id,name,industry\n<b>K1</b>,{script},construction\nK2,"Bolt & <i>Sons</i>",retail\n',
    )
    invoices = _write(
        tmp_path / "i.csv",
        "id,customer_id,issued,due,amount,paid_amount,paid_on\n"
        "<img src=x onerror=alert(2)>,<b>K1</b>,2025-02-01,2025-03-01,1234.5,0,\n"
        "R2,K2,2025-02-15,2025-03-14,500,0,\n"
        "R3,K2,2025-06-15,2025-07-14,50,0,\n",
    )
    out = tmp_path / "r.html"
    assert cli.main(["report", "--customers", str(customers), "--invoices", str(invoices), "--out", str(out), "-q"]) == 0
    html = out.read_text()
    assert "<script" not in html and "<b>" not in html and "<i>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;K1&lt;/b&gt;" in html
    assert "Bolt &amp; &lt;i&gt;Sons&lt;/i&gt;" in html


def test_display_html_table_escapes() -> None:
    from riskkit._display import html_table

    html = html_table(["<th>"], [["<script>x</script>"]], caption="<c>", footer="<f>")
    assert "<script>" not in html and "&lt;script&gt;" in html and "<c>" not in html and "<f>" not in html
