"""Benchmark: the ``riskkit score`` command against reading and writing the same CSV with pandas and pyarrow.

Run with ``python benchmarks/bench_cli.py`` (``--rows 300000 1000000``,
``--repeat 3``, ``--shapes german numeric``). The benchmark builds its own
files and models in a temporary folder:

* ``german``: the German credit data (``riskkit.datasets``) resampled to the
  number of rows, with an ``app_id`` column in front: 13 text categories
  (one of them quoted, as it holds a comma) and 7 numbers; scored by a
  Scorecard fitted on the 1,000 original rows, ``--id-column app_id``;
* ``numeric``: 20 numeric columns as an ERP or feature export writes them
  (money with cents, counts, ratios with four decimals), 2% blank cells;
  scored by a Scorecard fitted on 20,000 rows of the same kind.

For each file and size it times, as medians of ``--repeat`` runs in the same
run of this script:

* ``riskkit score`` as a whole process (a subprocess: interpreter start-up,
  imports, reading, scoring and writing ``scores.csv``), with pyarrow when it
  is installed and again with pyarrow hidden (the pure-numpy path);
* ``riskkit score`` with pyarrow called in this process (imports warm), the
  like-for-like comparison with pyarrow timed in this process;
* the peers in this process: pandas ``read_csv`` + ``to_csv`` of the same
  file, and ``pyarrow.csv.read_csv`` + ``pyarrow.csv.write_csv``;

and prints seconds, rows/s and the ratios. Issue 14's target: ``riskkit
score`` within 1.5x of pandas, and with pyarrow within 1.5x of pyarrow's own
read + write. It also times the fixed cost of a short-lived process:
``import riskkit`` and the command line's start-up (``riskkit --version``,
and ``riskkit score`` of a 10-row file).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

TARGET = 1.5
N_NUMERIC = 20

#: The command line in a fresh interpreter; ``HIDE`` hides pyarrow (the pure-numpy path).
RUN = "import sys; from riskkit.cli import main; sys.exit(main())"
HIDE = "import sys; sys.modules['pyarrow'] = None; "


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    return statistics.median(timed(fn) for _ in range(repeat))


# --- the files and the models ---------------------------------------------------------------------


def german_file(folder: str, rows: int) -> tuple[str, str, list[str]]:
    """German credit rows resampled to ``rows``, an app_id in front; the card; the score options."""
    import riskkit
    from riskkit.datasets import load_german_credit

    card = os.path.join(folder, "german_card.json")
    if not os.path.exists(card):
        X, y = load_german_credit()
        riskkit.save(riskkit.Scorecard().fit(X, y), card)
    frame, _ = load_german_credit(as_frame=True)
    base = frame.to_csv(index=False, lineterminator="\n").splitlines()
    header, lines = base[0], base[1:]
    idx = np.random.default_rng(0).integers(0, len(lines), rows).tolist()
    path = os.path.join(folder, f"german_{rows}.csv")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("app_id," + header + "\n")
        step = 100_000
        for lo in range(0, rows, step):
            fh.write("".join(f"A{i:07d},{lines[j]}\n" for i, j in enumerate(idx[lo : lo + step], start=lo)))
    return path, card, ["--id-column", "app_id"]


def numeric_matrix(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Money (cents), counts and ratios (four decimals); the outcome of a logistic model."""
    rng = np.random.default_rng(seed)
    X = np.empty((rows, N_NUMERIC))
    for j in range(N_NUMERIC):
        kind = j % 3
        if kind == 0:
            X[:, j] = np.round(rng.lognormal(8, 1.5, rows), 2)
        elif kind == 1:
            X[:, j] = rng.poisson(3 + j, rows)
        else:
            X[:, j] = np.round(rng.normal(0, 1, rows), 4)
    z = (X - X.mean(axis=0)) / X.std(axis=0)
    weights = rng.normal(size=N_NUMERIC) / np.sqrt(N_NUMERIC)
    y = (rng.random(rows) < 1 / (1 + np.exp(-(z @ weights) * 2 + 2))).astype(np.int8)
    X[rng.random(X.shape) < 0.02] = np.nan
    return X, y


def numeric_file(folder: str, rows: int) -> tuple[str, str, list[str]]:
    import riskkit

    names = [f"x{j}" for j in range(N_NUMERIC)]
    card = os.path.join(folder, "numeric_card.json")
    if not os.path.exists(card):
        X, y = numeric_matrix(20_000, seed=1)
        riskkit.save(riskkit.Scorecard(max_n_bins=8, min_iv=0.0).fit({n: X[:, j] for j, n in enumerate(names)}, y), card)
    X, _ = numeric_matrix(rows, seed=2)
    path = os.path.join(folder, f"numeric_{rows}.csv")
    text = []
    for j in range(N_NUMERIC):
        col = X[:, j]
        fmt = "%.2f" if j % 3 == 0 else "%d" if j % 3 == 1 else "%.4f"
        cells = np.char.mod(fmt, np.nan_to_num(col)).astype(object)
        cells[np.isnan(col)] = ""
        text.append(cells.tolist())
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(names) + "\n")
        fh.writelines(",".join(r) + "\n" for r in zip(*text, strict=True))
    return path, card, []


SHAPES = {"german": german_file, "numeric": numeric_file}


# --- what is timed --------------------------------------------------------------------------------


#: The environment of the timed processes: bytecode cached (in a folder of its own), as in an installation.
ENV: dict[str, str] = {}


def riskkit_score(path: str, card: str, options: list[str], out: str, *, hide_pyarrow: bool) -> None:
    code = (HIDE if hide_pyarrow else "") + RUN
    argv = [sys.executable, "-c", code, "score", "--model", card, "--data", path, *options, "--out", out, "-q"]
    done = subprocess.run(argv, capture_output=True, text=True, env=ENV)
    if done.returncode != 0:
        raise SystemExit(f"riskkit score failed ({done.returncode}): {done.stderr}")


def riskkit_in_process(path: str, card: str, options: list[str], out: str) -> None:
    """``riskkit score`` called in this process (imports warm, as the peers are timed)."""
    import riskkit.cli

    code = riskkit.cli.main(["score", "--model", card, "--data", path, *options, "--out", out, "-q"])
    if code != 0:
        raise SystemExit(f"riskkit score failed in process ({code})")


def pandas_round_trip(path: str, out: str) -> None:
    import pandas as pd

    pd.read_csv(path).to_csv(out, index=False)


def pyarrow_round_trip(path: str, out: str) -> None:
    import pyarrow.csv as pv

    pv.write_csv(pv.read_csv(path), out)


#: What every riskkit process pays before it parses a cell: the interpreter, numpy, pyarrow, riskkit's
#: command line and the card, and the file's bytes in memory.
FLOOR = (
    "import sys, numpy, pyarrow.csv, pyarrow._compute, riskkit.cli; riskkit.cli._load_model(sys.argv[1]); "
    "open(sys.argv[2], 'rb').read()"
)
#: pyarrow's read + write as a whole process, for comparison.
PEER_PROCESS = "import sys, pyarrow.csv as pv; pv.write_csv(pv.read_csv(sys.argv[1]), sys.argv[2])"


def process(code: str, *args: str) -> None:
    subprocess.run([sys.executable, "-c", code, *args], capture_output=True, check=True, env=ENV)


def digest(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def start_up(folder: str, repeat: int) -> None:
    print("\nA short-lived process (median wall time of a fresh interpreter)")
    runs = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
        "python -c 'import riskkit'": [sys.executable, "-c", "import riskkit"],
        "riskkit --version": [sys.executable, "-c", RUN, "--version"],
    }
    path, card, options = german_file(folder, 10)
    out = os.path.join(folder, "tiny_scores.csv")
    base = [sys.executable, "-c", RUN, "score", "--model", card, "--data", path, *options, "--out", out, "-q"]
    runs["riskkit score, 10 German rows"] = base
    runs["riskkit score, 10 rows, pyarrow hidden"] = [sys.executable, "-c", HIDE + RUN, *base[3:]]
    for label, argv in runs.items():
        subprocess.run(argv, capture_output=True, check=True, env=ENV)  # bytecode compiled and cached
        seconds = median_time(lambda argv=argv: subprocess.run(argv, capture_output=True, check=True, env=ENV),
                              max(repeat, 5))
        print(f"  {label:44s} {seconds * 1e3:8.1f} ms")
    code = "import sys, riskkit.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'pyarrow', 'scipy', 'sklearn')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=ENV).stdout.strip()
    print(f"  heavy modules imported by riskkit.cli: {loaded}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[300_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per median (default 3)")
    parser.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), default=["german", "numeric"])
    parser.add_argument("--no-start-up", action="store_true", help="skip the start-up timings")
    args = parser.parse_args()
    arrow = has("pyarrow")
    with_pandas = has("pandas")
    print(f"riskkit score against pandas read_csv + to_csv and pyarrow.csv read + write; medians of {args.repeat}")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, cpus {os.cpu_count()}, "
          f"pyarrow {'installed' if arrow else 'not installed'}, pandas {'installed' if with_pandas else 'not installed'}")
    if with_pandas:
        importlib.import_module("pandas")  # imported before the peer is timed
    if arrow:
        importlib.import_module("pyarrow.csv")
    results = []
    with tempfile.TemporaryDirectory(prefix="riskkit-bench-cli-") as folder:
        ENV.update(os.environ, PYTHONPYCACHEPREFIX=os.path.join(folder, "pycache"))
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        if not args.no_start_up:
            start_up(folder, args.repeat)
        for shape in args.shapes:
            for rows in args.rows:
                path, card, options = SHAPES[shape](folder, rows)
                size = os.path.getsize(path) / 2**20
                print(f"\n{shape}, {rows:,} rows ({size:.0f} MiB)", flush=True)
                out = os.path.join(folder, "scores.csv")
                peer_out = os.path.join(folder, "peer.csv")
                row: dict[str, Any] = {"shape": shape, "rows": rows}
                modes = [("riskkit (pyarrow)", False)] if arrow else []
                modes.append(("riskkit (numpy)", True))
                digests = set()
                riskkit_score(path, card, options, out, hide_pyarrow=not arrow)  # warm: bytecode, file cache
                for label, hide in modes:
                    run = functools.partial(riskkit_score, path, card, options, out, hide_pyarrow=hide)
                    seconds = median_time(run, args.repeat)
                    digests.add(digest(out))
                    row[label] = seconds
                    print(f"  {label:22s} {seconds:7.2f} s  {rows / seconds / 1e3:8.0f} k rows/s", flush=True)
                if arrow:
                    run = functools.partial(riskkit_in_process, path, card, options, out)
                    run()  # warm
                    seconds = median_time(run, args.repeat)
                    digests.add(digest(out))
                    row["riskkit in process"] = seconds
                    print(f"  {'riskkit (pyarrow), in':22s} {seconds:7.2f} s  (in this process, imports warm, as the peers below)",
                          flush=True)
                if len(digests) > 1:
                    print("  !! the pyarrow and numpy paths wrote different scores files")
                if with_pandas:
                    seconds = median_time(functools.partial(pandas_round_trip, path, peer_out), args.repeat)
                    row["pandas"] = seconds
                    print(f"  {'pandas read+write':22s} {seconds:7.2f} s  {rows / seconds / 1e3:8.0f} k rows/s", flush=True)
                if arrow:
                    seconds = median_time(functools.partial(pyarrow_round_trip, path, peer_out), args.repeat)
                    row["pyarrow"] = seconds
                    print(f"  {'pyarrow read+write':22s} {seconds:7.2f} s  {rows / seconds / 1e3:8.0f} k rows/s", flush=True)
                    seconds = median_time(functools.partial(process, PEER_PROCESS, path, peer_out), args.repeat)
                    row["pyarrow process"] = seconds
                    print(f"  {'  the same, a process':22s} {seconds:7.2f} s  (interpreter and pyarrow import included)")
                    seconds = median_time(functools.partial(process, FLOOR, card, path), args.repeat)
                    print(f"  {'riskkit floor':22s} {seconds:7.2f} s  (a process: interpreter, numpy, pyarrow, riskkit.cli, "
                          "card, the file's bytes read; no cell parsed)", flush=True)
                results.append(row)
    print(f"\nSummary (seconds; ratio = riskkit / peer, target <= {TARGET}x)")
    head = (f"  {'file':8s} {'rows':>9s} {'riskkit':>8s} {'pandas':>7s} {'ratio':>6s}   {'rk+arrow':>8s} "
            f"{'pyarrow':>7s} {'ratio':>6s}   {'rk proc':>7s} {'pa proc':>7s} {'ratio':>6s}")
    print(head)
    for r in results:
        numpy_s, arrow_s = r.get("riskkit (numpy)"), r.get("riskkit (pyarrow)")
        pd_s, pa_s = r.get("pandas"), r.get("pyarrow")
        ratio_pd = numpy_s / pd_s if numpy_s and pd_s else float("nan")
        inproc_s = r.get("riskkit in process")
        ratio_pa = inproc_s / pa_s if inproc_s and pa_s else float("nan")
        ok_pd = "ok" if ratio_pd <= TARGET else "MISSED"
        ok_pa = "ok" if ratio_pa <= TARGET else "MISSED"
        pp_s = r.get("pyarrow process")
        ratio_pp = arrow_s / pp_s if arrow_s and pp_s else float("nan")
        ok_pp = "ok" if ratio_pp <= TARGET else "MISSED"
        print(
            f"  {r['shape']:8s} {r['rows']:9,d} {numpy_s or float('nan'):8.2f} {pd_s or float('nan'):7.2f} "
            f"{ratio_pd:5.2f}x {ok_pd:6s} {inproc_s or float('nan'):8.2f} {pa_s or float('nan'):7.2f} "
            f"{ratio_pa:5.2f}x {ok_pa:6s} {arrow_s or float('nan'):7.2f} {pp_s or float('nan'):7.2f} "
            f"{ratio_pp:5.2f}x {ok_pp}"
        )
    print("  (riskkit against pandas: riskkit as a process (pyarrow hidden), pandas in this process; rk+arrow against\n"
          "   pyarrow: both in this process, imports warm; rk proc against pa proc: both as whole processes,\n"
          "   interpreter and imports included)")


if __name__ == "__main__":
    main()
