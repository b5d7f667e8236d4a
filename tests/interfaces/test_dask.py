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
