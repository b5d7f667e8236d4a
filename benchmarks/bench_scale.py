"""Benchmark: the whole pipeline on one machine, from 10 thousand to a million customers.

Run with ``python benchmarks/bench_scale.py [--sizes 10000,100000,1000000]
[--cache DIR] [--seed 0] [--dask] [--dask-memory 1.5GiB]``.

Target (issue 14, target 6; 2-core machine): on 1,000,000 customers and about
20,000,000 invoices the pipeline takes at most 30 s with at most 6 GB peak
memory, and its time per customer stays flat (linear) from 10,000 customers
up. The pipeline, step by step:

``load``       ``Portfolio.from_parquet(book)``: the book's Parquet files read with Arrow and
               built into a Portfolio one table at a time (``--via frames``: ``read``, the
               files into pandas frames with :func:`riskkit.dask.read_partitioned`, then
               ``load``, ``Portfolio.from_frames``, the frames dropped once it is built)
``features``   ``Portfolio.features()``
``score``      the 5C card, ``riskkit.scoring.five_c().score(features)``
``signals``    every built-in signal, ``riskkit.signals.evaluate(portfolio)``
``recommend``  ``CreditPolicy().recommend(portfolio, scores)``
``worklist``   ``riskkit.dunning.worklist(portfolio, scores)``

Each size runs in a child process of its own, so its peak memory is its own
(``ru_maxrss`` of the child, read after every step: the column is the peak so
far, so the step where it jumps is the step that needs it). The book is drawn
once per size and seed by :func:`riskkit.datasets.book_parts` (25,000
customers a part, each a partition) and written as Parquet partitioned by customer with
:func:`riskkit.dask.write_partitioned` into ``--cache`` (default: a
``riskkit-bench-scale`` folder in the temporary directory), in another child
process: drawing the book is not part of the timed pipeline and its memory is
not counted. ``ratio`` is the pipeline's time per customer against the
smallest size's (1.00 = linear).

``--dask`` also runs ``riskkit.dask.features`` and ``riskkit.dask.score`` on the
largest book from its Parquet files, on a 2-worker ``LocalCluster`` whose
workers may each use ``--dask-memory`` (less than the book takes in memory),
and prints the time, the size of the task graph sent to the scheduler,
whether Dask warned of a large graph, and whether the features and scores
equal the in-memory ones bit for bit (compared with the pipeline's own, saved
by the child for the largest size).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
import warnings

AS_OF = "2025-12-31"
STEPS = ("read", "load", "features", "score", "signals", "recommend", "worklist")  # "read" only --via frames
PER_PART = 25_000
TARGET_SECONDS = 30.0
TARGET_BYTES = 6e9


def _peak() -> int:
    """Peak resident memory of this process so far, in bytes (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _current() -> int:
    """Resident memory of this process now, in bytes."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def book_path(cache: str, n: int, seed: int) -> str:
    return os.path.join(cache, f"book-{n}-seed{seed}")


# --- children ----------------------------------------------------------------------------


def child_write(path: str, n: int, seed: int) -> None:
    """Draw the book part by part and write it; prints its rows."""
    from riskkit.dask import read_manifest, write_partitioned
    from riskkit.datasets import book_parts

    t0 = time.perf_counter()
    write_partitioned(path, (tables for tables, _ in book_parts(n, per_part=PER_PART, seed=seed, as_of=AS_OF)),
                      overwrite=True)
    rows = {name: sum(counts) for name, counts in read_manifest(path)["rows"].items()}
    print(json.dumps({"seconds": time.perf_counter() - t0, "peak": _peak(), "rows": rows}))


def portfolio_memory(portfolio) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    """Bytes per table and column of a Portfolio: the arrays, plus the Python strings an object array points to.

    A column that is one value repeated (a read-only broadcast) costs nothing, an array two columns share
    is counted once (the first column), and a string is counted once,
    where it is first met (the customers' ids are the strings of every customer reference). Strings of the
    other tables are estimated from a sample of 200,000 rows.
    """
    import numpy as np

    known: set[int] = set()
    buffers: set[int] = set()  # an array shared by two columns (amount and doc_amount in one currency) once
    out: dict[str, dict[str, int]] = {}
    for name in ("customers", "exposures", "invoices", "payments", "orders", "statements", "events"):
        table = portfolio.table(name)
        cols: dict[str, int] = {}
        for col, a in {**table._columns, **table._compact}.items():  # compact: text as bytes, no objects
            root = a
            while isinstance(root.base, np.ndarray):
                root = root.base
            if (a.size and a.strides == (0,)) or id(root) in buffers:
                cols[col] = 0
                continue
            buffers.add(id(root))
            size = int(a.nbytes)
            if a.dtype == object and a.size:
                if name == "customers":
                    values = a.tolist()
                    fresh = {id(x): sys.getsizeof(x) for x in values if id(x) not in known}
                    known.update(fresh)
                    size += sum(fresh.values())
                else:
                    sample = a[np.linspace(0, a.size - 1, min(a.size, 200_000)).astype(np.int64)].tolist()
                    distinct = {id(x): sys.getsizeof(x) for x in sample if id(x) not in known}
                    size += int(sum(distinct.values()) / len(sample) * a.size)
            cols[col] = size
        out[name] = cols
    return out


def child_run(path: str, via: str, save: str | None) -> None:
    """The timed pipeline on one book; prints one JSON line of times and memory."""
    import riskkit
    from riskkit import dunning, signals
    from riskkit.dask import read_partitioned
    from riskkit.policy import CreditPolicy
    from riskkit.scoring import five_c

    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    peaks: dict[str, int] = {}
    live: dict[str, int] = {}
    start_peak = _peak()
    clock = [time.process_time()]

    def step(name: str, t0: float) -> None:
        times[name] = time.perf_counter() - t0
        now = time.process_time()
        cpu[name] = now - clock[0]
        peaks[name] = _peak()
        live[name] = _current()
        clock[0] = time.process_time()

    import pandas  # noqa: F401  (imports are not the book's cost: loaded before the clock starts)
    import pyarrow.parquet  # noqa: F401

    card = five_c()
    rules = CreditPolicy()
    gc.collect()
    clock[0] = time.process_time()
    frame_bytes = 0
    if via == "frames":
        t0 = time.perf_counter()
        frames = read_partitioned(path)
        step("read", t0)
        frame_bytes = int(sum(df.memory_usage(deep=True).sum() for df in frames.values()))
        t0 = time.perf_counter()
        portfolio = riskkit.Portfolio.from_frames(**frames, as_of=AS_OF)
        del frames
        gc.collect()
        step("load", t0)
    else:
        t0 = time.perf_counter()
        portfolio = riskkit.Portfolio.from_parquet(path, as_of=AS_OF)
        step("load", t0)

    t0 = time.perf_counter()
    feats = portfolio.features()
    step("features", t0)

    t0 = time.perf_counter()
    scores = card.score(feats)
    step("score", t0)

    t0 = time.perf_counter()
    watch = signals.evaluate(portfolio)
    step("signals", t0)

    t0 = time.perf_counter()
    recs = rules.recommend(portfolio, scores)
    step("recommend", t0)

    t0 = time.perf_counter()
    work = dunning.worklist(portfolio, scores)
    step("worklist", t0)

    memory = portfolio_memory(portfolio)  # after the clock: where the Portfolio's memory goes
    if save:  # the in-memory answer, for the Dask comparison
        with open(save, "wb") as fh:
            pickle.dump({"features": feats.to_pandas(), "scores": card.score(feats).to_pandas()}, fh)
    print(json.dumps({
        "times": times,
        "cpu": cpu,
        "peaks": peaks,
        "live": live,
        "start_peak": start_peak,
        "frame_bytes": frame_bytes,
        "customers": portfolio.n_customers,
        "invoices": portfolio.invoices.n_rows,
        "alerts": len(watch),
        "recommendations": len(recs),
        "worklist": len(work),
        "portfolio_memory": memory,
    }))


def child_dask(path: str, memory: str, expected: str | None) -> None:
    """Features and 5C scores of the book on a 2-worker LocalCluster reading its Parquet files."""
    import numpy as np
    import pandas as pd
    from distributed import Client, LocalCluster

    import riskkit.dask as rkd
    from riskkit.scoring import five_c

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with (
            LocalCluster(n_workers=2, threads_per_worker=1, memory_limit=memory, dashboard_address=None) as cluster,
            Client(cluster) as client,
        ):
            t0 = time.perf_counter()
            feats = rkd.features(path, AS_OF)
            scores = rkd.score(feats, five_c())
            graph = len(pickle.dumps(dict(scores.__dask_graph__())))
            # partition by partition to this process: compute() would first concatenate the whole
            # book's features on one worker, which its memory limit does not allow (nor is it needed)
            f_parts = feats.to_delayed()
            s_parts = scores.to_delayed()
            futures = client.compute([*f_parts, *s_parts])
            done = client.gather(futures)
            f_out = pd.concat(done[: len(f_parts)])
            s_out = pd.concat(done[len(f_parts) :], ignore_index=True)
            seconds = time.perf_counter() - t0
            worker_peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    large = [str(w.message) for w in caught if "large graph" in str(w.message).lower()]
    result: dict = {
        "seconds": seconds,
        "graph_bytes": graph,
        "large_graph_warnings": large,
        "rows": len(f_out),
        "worker_peaks": sorted(worker_peaks.values()),
    }
    if expected:
        with open(expected, "rb") as fh:
            want = pickle.load(fh)
        got_f = f_out.sort_index()
        want_f = want["features"]
        result["features_equal"] = bool(
            got_f.index.tolist() == want_f.index.tolist()
            and list(got_f.columns) == list(want_f.columns)
            and np.array_equal(got_f.to_numpy(), want_f.to_numpy(), equal_nan=True)
        )
        got_s = s_out.sort_values("customer_id").reset_index(drop=True)
        want_s = want["scores"].reset_index()
        try:
            pd.testing.assert_frame_equal(got_s[want_s.columns], want_s, check_exact=True, check_dtype=False)
            result["scores_equal"] = True
        except AssertionError as exc:
            result["scores_equal"] = False
            result["scores_difference"] = str(exc)[:300]
    print(json.dumps(result))


# --- parent ------------------------------------------------------------------------------


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"child {' '.join(args)} failed with exit code {out.returncode}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def gb(x: float) -> str:
    return f"{x / 1e9:5.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="customers per book, comma-separated")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "riskkit-bench-scale"),
                        help="folder for the books (drawn once per size and seed)")
    parser.add_argument("--dask", action="store_true", help="also run riskkit.dask on the largest book")
    parser.add_argument("--dask-memory", default="1.5GiB", help="memory limit of each of the 2 Dask workers")
    parser.add_argument("--via", choices=("parquet", "frames"), default="parquet",
                        help="load with Portfolio.from_parquet (default) or read pandas frames and from_frames")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, *rest = args.child
        if kind == "write":
            child_write(rest[0], int(rest[1]), int(rest[2]))
        elif kind == "run":
            child_run(rest[0], rest[1], rest[2] if len(rest) > 2 else None)
        elif kind == "dask":
            child_dask(rest[0], rest[1], rest[2] if len(rest) > 2 else None)
        return

    import riskkit

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    os.makedirs(args.cache, exist_ok=True)
    print(f"riskkit {riskkit.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} cores; "
          f"books in {args.cache}")
    results = {}
    expected = os.path.join(args.cache, "expected.pkl")
    for n in sizes:
        path = book_path(args.cache, n, args.seed)
        if not os.path.exists(os.path.join(path, "riskkit-book.json")):
            w = run_child("--child", "write", path, str(n), str(args.seed))
            print(f"  drew and wrote the book of {n:,} customers in {w['seconds']:.1f} s "
                  f"(peak {gb(w['peak'])} GB; not part of the pipeline): "
                  + ", ".join(f"{k} {v:,}" for k, v in w["rows"].items()))
        save = [expected] if args.dask and n == max(sizes) else []
        results[n] = r = run_child("--child", "run", path, args.via, *save)
        frames = f" (frames in memory {gb(r['frame_bytes'])} GB)" if args.via == "frames" else ""
        print(f"  {n:>9,} customers, {r['invoices']:>10,} invoices: pipeline {sum(r['times'].values()):6.2f} s, "
              f"peak {gb(r['peaks']['worklist'])} GB{frames}")

    steps = [s for s in STEPS if s in results[sizes[0]]["times"]]  # every step counts toward the target

    base = min(sizes)
    base_per = sum(results[base]["times"].values()) / results[base]["customers"]
    print()
    print("time per step, seconds (peak memory so far, GB)")
    head = f"{'customers':>10} {'invoices':>11} " + " ".join(f"{s:>16}" for s in steps)
    print(head + f" {'total s':>8} {'peak GB':>8} {'ratio':>6}")
    for n in sizes:
        r = results[n]
        total = sum(r["times"][s] for s in steps)
        cells = " ".join(f"{r['times'][s]:7.2f} ({gb(r['peaks'][s])})" for s in steps)
        ratio = total / r["customers"] / base_per
        print(f"{r['customers']:>10,} {r['invoices']:>11,} {cells} {total:8.2f} {gb(r['peaks']['worklist']):>8} "
              f"{ratio:6.2f}")
    print()
    print("CPU seconds per step (all threads; wall time above it means waiting for a busy machine)")
    for n in sizes:
        r = results[n]
        print(f"{n:>10,} " + "  ".join(f"{s} {r['cpu'][s]:.2f}" for s in steps)
              + f"  total {sum(r['cpu'].values()):.2f}")
    print()
    print("share of the pipeline's time per step")
    for n in sizes:
        r = results[n]
        total = sum(r["times"].values())
        print(f"{n:>10,} " + "  ".join(f"{s} {100 * r['times'][s] / total:4.1f}%" for s in steps))
    print()
    print("resident memory after each step, GB (what stays alive)")
    for n in sizes:
        r = results[n]
        print(f"{n:>10,} " + "  ".join(f"{s} {gb(r['live'][s]).strip()}" for s in steps))

    top = max(sizes)
    r = results[top]
    print()
    print(f"the Portfolio of {top:,} customers in memory: arrays plus the strings of object columns, GB")
    for name, cols in r["portfolio_memory"].items():
        big = sorted(cols.items(), key=lambda kv: -kv[1])[:4]
        print(f"  {name:<11} {gb(sum(cols.values()))}   largest: "
              + ", ".join(f"{c} {v / 1e9:.2f}" for c, v in big))
    print(f"  {'all':<11} {gb(sum(sum(c.values()) for c in r['portfolio_memory'].values()))}")
    total = sum(r["times"].values())
    if top >= 1_000_000:
        t_ok = "ok" if total <= TARGET_SECONDS else "OVER TARGET"
        m_ok = "ok" if r["peaks"]["worklist"] <= TARGET_BYTES else "OVER TARGET"
        print(f"\ntarget at {top:,} customers: {total:.1f} s (target {TARGET_SECONDS:.0f} s: {t_ok}), "
              f"peak {gb(r['peaks']['worklist']).strip()} GB (target 6 GB: {m_ok})")
    ratios = {n: sum(results[n]["times"].values()) / results[n]["customers"] / base_per for n in sizes}
    print("linearity (time per customer against the smallest size): "
          + ", ".join(f"{n:,}: {v:.2f}" for n, v in ratios.items()))
    base_cpu = sum(results[base]["cpu"].values()) / results[base]["customers"]
    print("linearity in CPU time (steadier on a shared machine): "
          + ", ".join(f"{n:,}: {sum(results[n]['cpu'].values()) / results[n]['customers'] / base_cpu:.2f}"
                      for n in sizes))

    if args.dask:
        path = book_path(args.cache, top, args.seed)
        d = run_child("--child", "dask", path, args.dask_memory, expected)
        print(f"\nriskkit.dask on {top:,} customers from Parquet, 2-worker LocalCluster, memory limit "
              f"{args.dask_memory} per worker (the book takes "
              f"{gb(sum(sum(c.values()) for c in r['portfolio_memory'].values())).strip()} GB as a Portfolio): "
              f"{d['seconds']:.1f} s for features and 5C scores; graph {d['graph_bytes'] / 1e3:.1f} kB; "
              f"large-graph warnings: {len(d['large_graph_warnings'])}; worker peaks "
              + ", ".join(f"{gb(p).strip()} GB" for p in d["worker_peaks"])
              + f"; features equal in memory: {d.get('features_equal')}; scores equal: {d.get('scores_equal')}")


if __name__ == "__main__":
    main()
