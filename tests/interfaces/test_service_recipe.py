"""The service recipe of docs/guide/services.md under load, on loopback only.

The recipe's own code is taken from the page (its first example block, the
one defining ``make_server``) and run here, so the page and what is tested
cannot drift apart. 16 client threads send a bounded mix of good and bad
requests to a server on 127.0.0.1 (port 0); every answer must be the
intended one (200, or 400/411/413 for the bad ones), never a 500, a reset or
a time-out, and every good answer must equal scoring the same customer
serially in this process. ``benchmarks/bench_service.py`` drives the same
load and times it.
"""

from __future__ import annotations

import doctest
import http.client
import inspect
import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import riskkit

RECIPE = Path(__file__).resolve().parents[2] / "docs" / "guide" / "services.md"
HOST = "127.0.0.1"
CLIENTS = 16
PER_CLIENT = 40          # 640 requests in all
DEADLINE = 15.0          # seconds: clients start no request after this, so the test always ends
SOCKET_TIMEOUT = 10.0
MAX_BODY = 64 * 1024

# what each kind of request must get
EXPECTED = {
    "good": 200,
    "good_missing": 200,         # null values: scored as missing
    "bad_json": 400,
    "not_utf8": 400,
    "not_finite": 400,
    "oversized": 413,
    "unknown_category": 400,
    "wrong_type": 400,
    "wrong_json_type": 400,
    "missing_feature": 400,
    "no_length": 411,
    "bad_length": 400,
}
# one round of the mix: half good, half bad
MIX = ["good", "bad_json", "good", "oversized", "good_missing", "unknown_category", "good", "wrong_type",
       "good", "no_length", "good_missing", "wrong_json_type", "good", "not_finite", "good", "missing_feature",
       "good", "bad_length", "good_missing", "not_utf8"]


def load_recipe() -> dict[str, Any]:
    """Run the page's recipe block (the one defining make_server) and return its names."""
    text = RECIPE.read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL) if "def make_server" in b)
    namespace: dict[str, Any] = {"__name__": "services_recipe"}
    for example in doctest.DocTestParser().get_examples(block):
        exec(compile(example.source, str(RECIPE), "exec"), namespace)
    return namespace


def german_card(tmp: Path) -> tuple[Any, Any, dict[str, np.ndarray]]:
    """A scorecard fitted on the German credit data, and the same card saved and loaded (what a service serves)."""
    X, y = riskkit.datasets.load_german_credit()
    card = riskkit.Scorecard().fit(X, y)
    path = tmp / "card.json"
    riskkit.save(card, str(path))
    return card, riskkit.load(str(path)), X


def customers(X: dict[str, np.ndarray], n: int = 200) -> list[dict[str, Any]]:
    """n customers as a client sends them: plain JSON values; every third has a missing (null) value."""
    names = list(X)
    rows = []
    for i in range(n):
        row = {k: (v[i].item() if isinstance(v[i], np.generic) else v[i]) for k, v in X.items()}
        if i % 3 == 0:
            row[names[i % len(names)]] = None
        rows.append(row)
    return rows


def category_feature(card: Any) -> str:
    return next(f.name for f in card.card_.features if getattr(f, "categories", None) is not None)


def numeric_feature(card: Any, X: dict[str, np.ndarray]) -> str:
    return next(f.name for f in card.card_.features if np.asarray(X[f.name]).dtype.kind == "f")


def expected_answer(card: Any, row: dict[str, Any]) -> dict[str, Any]:
    """Scoring the customer in this process, serially, as JSON would carry it."""
    result = card.score({k: np.array([v], dtype=object) for k, v in row.items()}, reasons=3)

    def plain(value: Any) -> Any:
        value = value.item() if hasattr(value, "item") else value
        return None if isinstance(value, float) and value != value else value

    return {
        "score": float(result.score[0]),
        "pd": float(result.pd[0]),
        "grade": str(result.grade[0]),
        "reasons": [{"feature": f, "value": plain(v), "points_lost": p} for f, v, p in result.reasons.row(0)],
    }


def build_request(kind: str, k: int, rows: list[dict[str, Any]], cat: str, num: str) -> tuple[
    dict[str, str], bytes, int | None
]:
    """(headers, body, index of the customer for good requests) for request k of a kind."""
    i = k % len(rows)
    row = rows[i]
    encoded = json.dumps(row).encode("utf-8")
    body, index = encoded, None
    if kind == "good":
        index = i
    elif kind == "good_missing":
        index = 3 * (k % (len(rows) // 3))  # every third customer has a null value
        body = json.dumps(rows[index]).encode("utf-8")
    elif kind == "bad_json":
        body = encoded[: len(encoded) // 2]
    elif kind == "not_utf8":
        body = b'{"' + cat.encode() + b'": "\xff\xfe"}'
    elif kind == "not_finite":
        body = encoded[:-1] + b', "' + num.encode() + b'": 1e400}'
    elif kind == "oversized":
        body = json.dumps({**row, "padding": "x" * (MAX_BODY + 1000 * (k % 7))}).encode("utf-8")
    elif kind == "unknown_category":
        body = json.dumps({**row, cat: f"no such category {k}"}).encode("utf-8")
    elif kind == "wrong_type":
        body = json.dumps({**row, num: ["twelve", "12", ""][k % 3]}).encode("utf-8")
    elif kind == "wrong_json_type":
        body = json.dumps({**row, num: [True, [1, 2], {"a": 1}][k % 3]}).encode("utf-8")
    elif kind == "missing_feature":
        body = json.dumps({name: v for name, v in row.items() if name != num}).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if kind == "bad_length":
        headers["Content-Length"] = ["12abc", "-5", "+12"][k % 3]
    elif kind != "no_length":
        headers["Content-Length"] = str(len(body))
    return headers, body, index


def send(port: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    """One request on its own connection (the recipe answers HTTP/1.0): status and JSON answer."""
    connection = http.client.HTTPConnection(HOST, port, timeout=SOCKET_TIMEOUT)
    try:
        connection.putrequest("POST", "/score", skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def drive(port: int, rows: list[dict[str, Any]], cat: str, num: str, clients: int = CLIENTS,
          per_client: int = PER_CLIENT, deadline: float = DEADLINE) -> list[dict[str, Any]]:
    """clients threads, each sending per_client requests of the mix; one record per request."""
    records: list[list[dict[str, Any]]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients)
    stop_at = time.monotonic() + deadline

    def client(c: int) -> None:
        barrier.wait()
        for j in range(per_client):
            if time.monotonic() > stop_at:
                return
            k = c * per_client + j
            kind = MIX[(c + j) % len(MIX)]
            headers, body, index = build_request(kind, k, rows, cat, num)
            t0 = time.perf_counter()
            try:
                status, answer = send(port, headers, body)
                error = None
            except (OSError, http.client.HTTPException, ValueError) as exc:
                status, answer, error = None, None, f"{type(exc).__name__}: {exc}"
            records[c].append({"kind": kind, "status": status, "answer": answer, "index": index,
                               "error": error, "seconds": time.perf_counter() - t0})

    threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(deadline + 2 * SOCKET_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a client thread is stuck"
    return [r for per in records for r in per]


def serve(scorer: Any, recipe: dict[str, Any], **kwargs: Any) -> tuple[Any, threading.Thread]:
    server = recipe["make_server"](scorer, host=HOST, port=0, **kwargs)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="module")
def recipe() -> dict[str, Any]:
    return load_recipe()


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, recipe: dict[str, Any]) -> Iterator[dict[str, Any]]:
    card, loaded, X = german_card(tmp_path_factory.mktemp("service"))
    server, thread = serve(loaded, recipe, timeout=2.0)
    rows = customers(X)
    try:
        yield {"card": card, "server": server, "rows": rows, "cat": category_feature(card),
               "num": numeric_feature(card, X)}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def test_recipe_defaults(recipe: dict[str, Any]) -> None:
    parameters = inspect.signature(recipe["make_server"]).parameters
    assert parameters["host"].default == "127.0.0.1"
    assert parameters["max_body"].default == MAX_BODY
    assert 0 < parameters["timeout"].default <= 30


def test_load_mixed_requests(setup: dict[str, Any]) -> None:
    server, rows, card = setup["server"], setup["rows"], setup["card"]
    assert server.server_address[0] == HOST
    t0 = time.perf_counter()
    records = drive(server.server_port, rows, setup["cat"], setup["num"])
    elapsed = time.perf_counter() - t0
    assert len(records) == CLIENTS * PER_CLIENT, f"only {len(records)} requests in {elapsed:.1f} s"
    failures = [r for r in records if r["error"] is not None or r["status"] != EXPECTED[r["kind"]]]
    assert not failures, f"{len(failures)} unintended answers, e.g. {failures[:3]}"
    by_kind = Counter(r["kind"] for r in records)
    assert set(by_kind) == set(EXPECTED)
    expected = {}
    good = 0
    for r in records:
        answer = r["answer"]
        assert isinstance(answer, dict)
        if r["status"] == 200:
            good += 1
            i = r["index"]
            if i not in expected:
                expected[i] = expected_answer(card, rows[i])
            assert answer == expected[i], f"customer {i}: {answer} != {expected[i]}"
        else:
            message = answer["error"]
            assert isinstance(message, str) and message and "Traceback" not in message
            assert "unknown=" not in message and "pass " not in message.lower()
            if r["kind"] == "unknown_category":
                assert answer["field"] == setup["cat"]
                assert "Send one of the known categories, or null" in message
            if r["kind"] in ("wrong_type", "wrong_json_type"):
                assert answer["field"] == setup["num"]
            if r["kind"] == "missing_feature":
                assert repr(setup["num"]) in message and "Send every feature the card reads" in message
    assert good == by_kind["good"] + by_kind["good_missing"] >= CLIENTS * PER_CLIENT // 2


def test_threads_equal_serial_scoring(setup: dict[str, Any]) -> None:
    """Every customer, answered concurrently, equals its serial in-process score."""
    server, rows, card = setup["server"], setup["rows"], setup["card"]
    serial = [expected_answer(card, row) for row in rows]
    got: list[Any] = [None] * len(rows)

    def work(c: int) -> None:
        for i in range(c, len(rows), CLIENTS):
            body = json.dumps(rows[i]).encode("utf-8")
            got[i] = send(server.server_port, {"Content-Length": str(len(body))}, body)

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE)
    assert got == [(200, answer) for answer in serial]


def test_slow_clients_time_out_without_blocking_others(setup: dict[str, Any], recipe: dict[str, Any]) -> None:
    server, rows = setup["server"], setup["rows"]
    port = server.server_port
    body = json.dumps(rows[1]).encode("utf-8")
    with socket.create_connection((HOST, port), timeout=SOCKET_TIMEOUT) as silent, \
            socket.create_connection((HOST, port), timeout=SOCKET_TIMEOUT) as half:
        silent.sendall(b"POST /score HTTP/1.1\r\n")  # headers never finish
        half.sendall(b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:10])
        t0 = time.monotonic()
        assert send(port, {"Content-Length": str(len(body))}, body)[0] == 200  # the others are served meanwhile
        assert half.recv(4096).split(b"\r\n")[0] == b"HTTP/1.0 408 Request Timeout"
        assert silent.recv(4096) == b""  # closed by the server, without an answer
        assert time.monotonic() - t0 < 2.0 + 3.0


def test_other_paths_and_methods(setup: dict[str, Any]) -> None:
    port = setup["server"].server_port
    connection = http.client.HTTPConnection(HOST, port, timeout=SOCKET_TIMEOUT)
    connection.request("GET", "/score")
    response = connection.getresponse()
    assert response.status == 405 and "POST" in json.loads(response.read())["error"]
    connection.close()
    connection = http.client.HTTPConnection(HOST, port, timeout=SOCKET_TIMEOUT)
    connection.request("POST", "/elsewhere", body=b"{}")
    response = connection.getresponse()
    assert response.status == 404
    connection.close()
    assert send(port, {"Content-Length": "2", "Transfer-Encoding": "chunked"}, b"{}")[0] == 411
    assert send(port, {"Content-Length": "3"}, b"[1]") == (
        400, {"error": "send one customer: a JSON object of feature name to value", "field": None})
