"""riskkit.dask on a real distributed cluster: results equal the in-memory path exactly."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import riskkit  # noqa: E402
import riskkit.dask as rkd  # noqa: E402
from riskkit.datasets._synthetic import generate  # noqa: E402
from riskkit.portfolio import Portfolio  # noqa: E402
from riskkit.scoring._presets import five_c  # noqa: E402

AS_OF = "2025-12-31"


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def frames():
    raw, _ = generate(300, seed=0)
    return {name: pd.DataFrame(columns) for name, columns in raw.items()}


@pytest.fixture(scope="module")
def tables(frames):
    return rkd.partition_by_customer(frames, npartitions=3)


@pytest.fixture(scope="module")
def expected(frames):
    return Portfolio.from_frames(**frames, as_of=AS_OF).features().to_pandas()


def test_partitioning_keeps_customers_together(client, tables, frames):
    assert {name: df.npartitions for name, df in tables.items()} == dict.fromkeys(tables, 3)
    parts = client.compute({name: list(df.to_delayed()) for name, df in tables.items()}, sync=True)
    home = {cid: i for i, p in enumerate(parts["customers"]) for cid in p["id"].tolist()}
    assert len(home) == len(frames["customers"])
    for name in ("exposures", "invoices", "orders", "statements", "events"):
        for i, p in enumerate(parts[name]):
            assert {home[c] for c in p["customer_id"].tolist()} <= {i}
    invoice_home = {iid: i for i, p in enumerate(parts["invoices"]) for iid in p["id"].tolist()}
    for i, p in enumerate(parts["payments"]):
        assert {invoice_home[iid] for iid in p["invoice_id"].tolist()} <= {i}
    # input order is kept within a partition
    merged = pd.concat(parts["invoices"])
    for p in parts["invoices"]:
        assert p["id"].tolist() == sorted(p["id"].tolist())
    assert sorted(merged["id"].tolist()) == frames["invoices"]["id"].tolist()
    rkd.check_partitioning(tables)


def test_features_equal_in_memory(client, tables, expected):
    got = client.compute(rkd.features(tables, AS_OF), sync=True)
    got = got.sort_index()
    assert list(got.columns) == list(expected.columns)
    assert got.index.tolist() == expected.index.tolist()
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())  # exact, NaN == NaN


@pytest.mark.parametrize("reasons", [0, 2])
def test_scores_equal_in_memory(client, tables, expected, reasons):
    card = five_c()
    ddf = rkd.score(rkd.features(tables, AS_OF), card, reasons=reasons)
    got = client.compute(ddf, sync=True).sort_values("customer_id").reset_index(drop=True)
    want = card.score(expected, reasons=reasons).to_pandas().reset_index()
    if "override" not in want.columns:
        want.insert(4, "override", "")
    assert list(got.columns) == list(want.columns) == list(ddf.columns)
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_dtype=False)
    assert got["customer_id"].is_unique


def test_score_accepts_a_customer_id_column_and_unsavable_scorers(client, tables, expected):
    class Wrapped:  # a third-party scorer JSON cannot hold: shipped pickled
        def __init__(self, inner):
            self.inner = inner

        def score(self, X, reasons=0):
            return self.inner.score(X, reasons=reasons)

    feats = rkd.features(tables, AS_OF).reset_index()
    got = client.compute(rkd.score(feats, Wrapped(five_c())), sync=True)
    got = got.sort_values("customer_id").reset_index(drop=True)
    want = five_c().score(expected).to_pandas().reset_index()
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_dtype=False)


def test_scorer_travels_as_json(tmp_path):
    card = five_c()
    document = rkd.scorer_document(card)
    assert document is not None and document.lstrip().startswith("{")
    path = tmp_path / "card.json"
    riskkit.save(card, path)
    assert path.read_text(encoding="utf-8") == document
    assert rkd.load_document(document) is rkd.load_document(document)  # decoded once per worker


def test_inconsistent_partitioning_names_the_customers(client, frames):
    good = rkd.partition_by_customer(frames, npartitions=3)
    # orders partitioned by something else than the customer: rows of a customer land elsewhere
    orders = dd.from_pandas(frames["orders"], npartitions=3, sort=False)
    bad = {**good, "orders": orders}
    with pytest.raises(riskkit.ValidationError, match=r"more than one partition") as info:
        rkd.check_partitioning(bad)
    assert info.value.value and all(isinstance(c, str) and c.startswith("C") for c in info.value.value)
    with pytest.raises(riskkit.ValidationError, match=r"orders has rows of customer\(s\) 'C\d+'"):
        client.compute(rkd.features(bad, AS_OF), sync=True)

    # a customer listed in two partitions
    customers = good["customers"].partitions
    doubled = dd.concat([customers[0], customers[0], customers[2]])
    with pytest.raises(riskkit.ValidationError, match=r"more than one partition"):
        rkd.check_partitioning({**good, "customers": doubled})


def test_argument_errors(tables, frames):
    with pytest.raises(riskkit.ValidationError, match="unknown table"):
        rkd.features({**tables, "invoice": tables["invoices"]}, AS_OF)
    with pytest.raises(riskkit.ValidationError, match="needs 'customers'"):
        rkd.features({"invoices": tables["invoices"]}, AS_OF)
    with pytest.raises(riskkit.ValidationError, match="same number of partitions"):
        rkd.features({**tables, "orders": tables["orders"].repartition(npartitions=2)}, AS_OF)
    with pytest.raises(riskkit.ValidationError, match="expected a Dask DataFrame"):
        rkd.features({**tables, "orders": frames["orders"]}, AS_OF)
    with pytest.raises(riskkit.ValidationError, match="as_of"):
        rkd.features(tables, "not a date")
    with pytest.raises(riskkit.ValidationError, match="npartitions"):
        rkd.partition_by_customer(frames, npartitions=0)
    with pytest.raises(riskkit.ValidationError, match="reasons"):
        rkd.score(rkd.features(tables, AS_OF), five_c(), reasons=-1)


def test_import_without_dask_is_clear():
    code = (
        "import sys; sys.modules['dask'] = None; sys.modules['dask.dataframe'] = None\n"
        "import riskkit.dask as rkd\n"
        "try:\n"
        "    rkd.partition_by_customer({}, 2)\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert 'pip install "riskkit[dask]"' in out


def test_partition_dask_input_keeps_order(client, frames, expected):
    chunked = {name: dd.from_pandas(df, npartitions=4, sort=False) for name, df in frames.items()}
    tables = rkd.partition_by_customer(chunked, npartitions=2)
    invoices = client.compute(list(tables["invoices"].to_delayed()), sync=True)
    for part in invoices:
        assert part["id"].tolist() == sorted(part["id"].tolist())
    got = client.compute(rkd.features(tables, AS_OF), sync=True).sort_index()
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())


# --- a book stored as Parquet partitioned by customer ------------------------------------


@pytest.fixture(scope="module")
def book(tmp_path_factory, frames):
    return rkd.write_partitioned(tmp_path_factory.mktemp("book"), frames, npartitions=3)


def _graph_bytes(collection) -> int:
    import pickle

    return len(pickle.dumps(dict(collection.__dask_graph__())))


def test_write_partitioned_layout(book, frames):
    import json
    import os

    manifest = rkd.read_manifest(book)
    with open(os.path.join(book, rkd.MANIFEST), encoding="utf-8") as fh:
        assert manifest == json.load(fh)
    assert manifest["npartitions"] == 3 and manifest["tables"] == list(frames)
    for name, df in frames.items():
        files = sorted(os.listdir(os.path.join(book, name)))
        assert files == [f"part-0000{i}.parquet" for i in range(3)]
        assert sum(manifest["rows"][name]) == len(df)
    # each customer's rows in one partition, in their input order; payments with their invoice
    rkd.check_partitioning(book)
    parts = [rkd.read_partitioned(book, i) for i in range(3)]
    home = {cid: i for i, p in enumerate(parts) for cid in p["customers"]["id"].tolist()}
    assert len(home) == len(frames["customers"])
    for i, p in enumerate(parts):
        for name in ("exposures", "invoices", "orders", "statements", "events"):
            assert {home[c] for c in p[name]["customer_id"].tolist()} <= {i}
        assert set(p["payments"]["invoice_id"].tolist()) <= set(p["invoices"]["id"].tolist())
        assert p["invoices"]["id"].tolist() == sorted(p["invoices"]["id"].tolist())
    whole = rkd.read_partitioned(book)
    assert sorted(whole["invoices"]["id"].tolist()) == frames["invoices"]["id"].tolist()
    assert len(rkd.read_partitioned(book, [0, 2])["customers"]) == len(parts[0]["customers"]) + len(
        parts[2]["customers"]
    )


def test_features_and_scores_from_parquet_equal_in_memory(client, book, expected):
    """Tasks read their own partition's files: a small graph, no large-graph warning, exact results."""
    import warnings

    card = five_c()
    feats = rkd.features(book, AS_OF)
    scores = rkd.score(feats, card, reasons=1)
    assert _graph_bytes(scores) < 50_000  # file names, not frames (the frames alone are ~1 MB)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Ll]arge graph.*")
        got_f, got_s = client.compute([feats, scores], sync=True)
    got_f = got_f.sort_index()
    assert list(got_f.columns) == list(expected.columns)
    assert got_f.index.tolist() == expected.index.tolist()
    np.testing.assert_array_equal(got_f.to_numpy(), expected.to_numpy())  # bit for bit, NaN == NaN
    want = card.score(expected, reasons=1).to_pandas().reset_index()
    if "override" not in want.columns:
        want.insert(4, "override", "")
    got_s = got_s.sort_values("customer_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got_s, want, check_exact=True, check_dtype=False)


def test_parquet_book_on_worker_processes_with_a_memory_limit(tmp_path):
    """Two worker processes with a memory limit: only file names travel, each worker reads its partitions."""
    from distributed import Client, LocalCluster

    from riskkit.datasets import book_parts

    parts = list(book_parts(900, per_part=150, seed=5))
    path = rkd.write_partitioned(tmp_path / "book", (tables for tables, _ in parts))
    assert rkd.read_manifest(path)["npartitions"] == 6
    rkd.check_partitioning(path)
    whole = {
        name: {c: np.concatenate([t[name][c] for t, _ in parts]) for c in parts[0][0][name]} for name in parts[0][0]
    }
    expected = Portfolio.from_arrays(**whole, as_of=AS_OF).features().to_pandas()
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, memory_limit="1GiB", dashboard_address=":0"
        ) as cluster,
        Client(cluster) as c,
    ):
        got = c.compute(rkd.features(path, AS_OF), sync=True).sort_index()
    assert got.index.tolist() == expected.index.tolist()
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())


def test_partitioned_book_errors(tmp_path, frames):
    with pytest.raises(riskkit.ValidationError, match="not a partitioned book"):
        rkd.features(tmp_path, AS_OF)
    with pytest.raises(riskkit.ValidationError, match="not a partitioned book"):
        rkd.read_partitioned(tmp_path)
    with pytest.raises(riskkit.ValidationError, match="npartitions is required"):
        rkd.write_partitioned(tmp_path / "a", frames)
    with pytest.raises(riskkit.ValidationError, match="do not give it"):
        rkd.write_partitioned(tmp_path / "a", [frames], npartitions=2)
    with pytest.raises(riskkit.ValidationError, match="unknown table"):
        rkd.write_partitioned(tmp_path / "a", {**frames, "invoice": frames["invoices"]}, npartitions=2)
    path = rkd.write_partitioned(tmp_path / "b", frames, npartitions=2)
    with pytest.raises(riskkit.ValidationError, match="not empty"):
        rkd.write_partitioned(path, frames, npartitions=2)
    with pytest.raises(riskkit.ValidationError, match="partition 2 is not one"):
        rkd.read_partitioned(path, 2)
    rkd.write_partitioned(path, frames, npartitions=4, overwrite=True)  # a book is replaced whole
    assert rkd.read_manifest(path)["npartitions"] == 4
    assert len(rkd.read_partitioned(path)["customers"]) == len(frames["customers"])
    other = tmp_path / "c"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(riskkit.ValidationError, match="not a partitioned book, so it is not replaced"):
        rkd.write_partitioned(other, frames, npartitions=2, overwrite=True)
    assert (other / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("seed", range(6))
def test_peer_ranking_against_a_sorted_reference_is_peer_percentile(seed):
    """Ranking against the book's values sorted once per industry gives peer_percentile's figures exactly."""
    from riskkit.features import peer_percentile

    rng = np.random.default_rng(seed)
    n_ref, n_own = int(rng.integers(0, 400)), int(rng.integers(0, 60))
    names = np.array(["", "a", "b", "c", "tiny", "x y"], dtype=object)

    def draw(n):
        groups = names[rng.integers(0, names.size, n)]
        values = np.round(rng.normal(0, 3, n), int(rng.integers(0, 2)))  # ties
        values[rng.random(n) < 0.15] = np.nan
        values[rng.random(n) < 0.05] = -0.0
        values[rng.random(n) < 0.02] = np.inf
        return groups, values

    ref_groups, ref_values = draw(n_ref)
    own_groups, own_values = draw(n_own)
    own_groups[: min(3, n_own)] = "only in this partition"
    halves = [(ref_groups[: n_ref // 2], {"v": ref_values[: n_ref // 2]}),
              (ref_groups[n_ref // 2 :], {"v": ref_values[n_ref // 2 :]})]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("riskkit.features.PEER_FEATURES", {"f": "v"})
        reference = rkd._peers(*halves)["v"]
    got = rkd._rank_among(own_values, own_groups, reference)
    want = peer_percentile(own_values, own_groups, ref_values, ref_groups)
    np.testing.assert_array_equal(got, want)
    assert got.tobytes() == want.tobytes()  # bit for bit


def test_parquet_book_with_payments_on_account_and_empty_partitions(tmp_path):
    """A payment on account (no invoice, its customer named) goes with its customer; empty partitions are fine."""
    customers = pd.DataFrame({"id": ["A", "B", "C"]})
    invoices = pd.DataFrame({
        "id": ["I1", "I2", "I3"],
        "customer_id": ["A", "B", "C"],
        "issued": pd.to_datetime(["2025-01-01"] * 3),
        "due": pd.to_datetime(["2025-02-01"] * 3),
        "amount": [100.0, 200.0, 300.0],
    })
    payments = pd.DataFrame({
        "invoice_id": ["I1", "", "I3"],
        "customer_id": ["", "B", ""],
        "date": pd.to_datetime(["2025-01-15"] * 3),
        "amount": [50.0, 20.0, 300.0],
    })
    tables = {"customers": customers, "invoices": invoices, "payments": payments}
    path = rkd.write_partitioned(tmp_path / "book", tables, npartitions=5)
    rows = rkd.read_manifest(path)["rows"]
    assert 0 in rows["customers"] and rows["payments"] == rows["customers"]  # one each, with its customer
    rkd.check_partitioning(path)
    with dask.config.set(scheduler="synchronous"):
        got = rkd.features(path, "2025-03-01").compute().sort_index()
    want = Portfolio.from_frames(**tables, as_of="2025-03-01").features().to_pandas()
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
    assert got.index.tolist() == want.index.tolist()
