"""Benchmark: the service recipe of docs/guide/services.md under load, on loopback.

Run with ``python benchmarks/bench_service.py`` (``--clients``, ``--requests``
per client, ``--seconds`` to change the load). The recipe's own code is taken
from the page, serves a scorecard fitted on the German credit data (saved
and loaded, as a service would) on 127.0.0.1, and ``--clients`` threads
send the mix of ``tests/interfaces/test_service_recipe.py``: half good customers, half
bad requests (bad JSON, oversized bodies, unknown categories, wrong types,
missing Content-Length ...). Printed: requests/s, p50 and p99 latency of
the good and of all requests, the answers by status (anything but 200 for a
good request and the intended 400/411/413 for a bad one is an error), and
the floor measured in the same run: scoring one customer in-process as the
handler does (one-element object arrays, 3 reasons), with the ratio of the
served p50 to it. Every good answer is checked against serial in-process
scoring.

Only 127.0.0.1 traffic; the load is bounded in requests and in seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

import riskkit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import test_service_recipe as load  # the load test's recipe loader, customers and mix


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def floor(scorer: object, rows: list[dict], repeat: int = 3000) -> float:
    """Median seconds to score one customer in-process, as the handler does it."""
    inputs = [{k: np.array([v], dtype=object) for k, v in row.items()} for row in rows]
    for x in inputs[:200]:
        scorer.score(x, reasons=3)  # type: ignore[attr-defined]
    times = []
    for i in range(repeat):
        x = inputs[i % len(inputs)]
        t0 = time.perf_counter()
        scorer.score(x, reasons=3)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _timed(fn: Callable[[int], object], n: int) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=load.CLIENTS)
    parser.add_argument("--requests", type=int, default=200, help="requests per client")
    parser.add_argument("--seconds", type=float, default=60.0, help="clients start no request after this")
    args = parser.parse_args()
    print(f"riskkit {riskkit.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores")

    recipe = load.load_recipe()
    with tempfile.TemporaryDirectory() as tmp:
        card, served, X = load.german_card(Path(tmp))
    rows = load.customers(X)
    cat, num = load.category_feature(card), load.numeric_feature(card, X)
    server, thread = load.serve(served, recipe)
    try:
        load.drive(server.server_port, rows, cat, num, clients=args.clients, per_client=5)  # warm up
        t0 = time.perf_counter()
        records = load.drive(server.server_port, rows, cat, num, clients=args.clients,
                             per_client=args.requests, deadline=args.seconds)
        wall = time.perf_counter() - t0
        alone = load.drive(server.server_port, rows, cat, num, clients=1, per_client=min(args.requests, 200),
                           deadline=args.seconds)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)

    planned = args.clients * args.requests
    statuses = Counter(str(r["status"] if r["error"] is None else r["error"].split(":")[0]) for r in records)
    unintended = [r for r in records if r["error"] is not None or r["status"] != load.EXPECTED[r["kind"]]]
    good = [r for r in records if r["status"] == 200]
    expected: dict[int, dict] = {}
    mismatched = 0
    for r in good:
        i = r["index"]
        if i not in expected:
            expected[i] = load.expected_answer(card, rows[i])
        mismatched += r["answer"] != expected[i]
    all_ms = [r["seconds"] * 1e3 for r in records]
    good_ms = [r["seconds"] * 1e3 for r in good]
    t_floor = floor(served, rows)
    plain = [{k: v for k, v in row.items()} for row in rows]
    t_dict = statistics.median(_timed(lambda i: served.score(plain[i % len(plain)], reasons=3), 3000))

    print(f"\n{args.clients} clients x {args.requests} requests on 127.0.0.1 (one connection per request), "
          f"{len(records):,} of {planned:,} sent in {wall:.2f} s")
    print(f"  throughput          {len(records) / wall:9.0f} requests/s  ({len(good) / wall:.0f} good answers/s)")
    print(f"  latency, good       p50 {statistics.median(good_ms):7.2f} ms   p99 {percentile(good_ms, 99):7.2f} ms")
    print(f"  latency, all        p50 {statistics.median(all_ms):7.2f} ms   p99 {percentile(all_ms, 99):7.2f} ms")
    alone_ms = [r["seconds"] * 1e3 for r in alone if r["status"] == 200]
    print(f"  latency, 1 client   p50 {statistics.median(alone_ms):7.2f} ms   p99 {percentile(alone_ms, 99):7.2f} ms"
          "   (good requests, no other load)")
    print("  answers by status   " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    print(f"  errors              {len(unintended)} unintended answers (not 200 for good, not the intended "
          f"400/411/413 for bad); {mismatched} good answers differing from serial in-process scoring")
    p50 = statistics.median(good_ms) / 1e3
    print(f"  floor               {t_floor * 1e6:7.1f} us  in-process score of one customer (object arrays, "
          f"3 reasons), median")
    print(f"                      {t_dict * 1e6:7.1f} us  the same customer as a dict of plain values (the fast path)")
    print(f"  ratio               {p50 / t_floor:7.0f}x  served p50 under load / floor; "
          f"{statistics.median(alone_ms) / 1e3 / t_floor:.0f}x with one client: the HTTP round trip dominates")
    print("  (clients and server share this process and its GIL; the figures are a lower bound)")
    if unintended or mismatched or len(records) < planned:
        sys.exit(1)


if __name__ == "__main__":
    main()
