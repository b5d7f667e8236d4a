"""riskkit.spark: the pandas functions are plain pandas (always tested); Spark itself in local mode.

CI (``CI`` set) installs PySpark and a Java runtime (``.ci/run``), so there the
Spark tests run and a missing PySpark or Java fails them; elsewhere they are
skipped without them. One Spark session serves the whole module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

import riskkit  # noqa: E402
import riskkit.dask as rkd  # noqa: E402
import riskkit.spark as rks  # noqa: E402
from riskkit.datasets import make_portfolio  # noqa: E402
from riskkit.datasets._synthetic import generate  # noqa: E402
from riskkit.portfolio import Portfolio  # noqa: E402
from riskkit.scoring._presets import five_c  # noqa: E402
from riskkit.spark import output_schema, score_function  # noqa: E402

AS_OF = "2025-12-31"

# PySpark's own notices about the pandas it runs with: not riskkit's to fix
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


def _need_spark() -> None:
    java = shutil.which("java") or os.environ.get("JAVA_HOME")
    if os.environ.get("CI"):  # .ci/run installs both: not having them is a failure, never a skip
        import pyspark  # noqa: F401

        assert java, "CI must install a Java runtime for Spark (see .ci/run)"
    else:
        pytest.importorskip("pyspark")
        if not java:
            pytest.skip("Spark needs a Java runtime (apt-get install default-jre-headless)")


@pytest.fixture(scope="module")
def spark():
    """One local Spark session (2 cores) for the module: starting one costs 10-20 s."""
    _need_spark()
    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as mp:
        # Spark's Python workers: this interpreter, which has riskkit
        mp.setenv("PYSPARK_PYTHON", sys.executable)
        mp.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("riskkit-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.driver.memory", "1g")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        try:
            yield session
        finally:
            session.stop()


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """A 600-customer book in 3 Parquet partitions, and its in-memory features."""
    raw, _ = generate(600, seed=0)
    frames = {name: pd.DataFrame(columns) for name, columns in raw.items()}
    path = rkd.write_partitioned(tmp_path_factory.mktemp("book"), frames, npartitions=3)
    expected = Portfolio.from_frames(**frames, as_of=AS_OF).features().to_pandas()
    return path, expected


@pytest.fixture(scope="module")
def features():
    portfolio, _ = make_portfolio(300, seed=0)
    return portfolio.features().to_pandas()


def _missing(value):
    return value is None or (isinstance(value, float) and value != value)


def _expected(features, reasons):
    want = five_c().score(features, reasons=reasons).to_pandas().reset_index()
    for j in range(1, reasons + 1):
        want[f"reason_{j}_value"] = [None if _missing(v) else str(v) for v in want[f"reason_{j}_value"]]
    return want


def test_output_schema():
    assert output_schema() == "customer_id string, score double, pd double, grade string, override string"
    assert output_schema(reasons=2).split(", ")[5:] == [
        "reason_1 string",
        "reason_1_value string",
        "reason_1_points double",
        "reason_2 string",
        "reason_2_value string",
        "reason_2_points double",
    ]
    with pytest.raises(riskkit.ValidationError, match="reasons"):
        output_schema(reasons=-1)


@pytest.mark.parametrize("reasons", [0, 2])
def test_score_function_is_plain_pandas(features, reasons):
    fn = score_function(five_c(), reasons=reasons)
    flat = features.reset_index()
    batches = [flat.iloc[i : i + 70] for i in range(0, len(flat), 70)]  # Spark hands over batches
    out = list(fn(iter(batches)))
    assert len(out) == len(batches)
    got = pd.concat(out, ignore_index=True)
    names = [part.split(" ")[0] for part in output_schema(reasons).split(", ")]
    assert list(got.columns) == names
    pd.testing.assert_frame_equal(got, _expected(features, reasons), check_exact=True, check_dtype=False)


def test_missing_values_are_null_not_nan_text(features):
    """A reason whose feature is missing (NaN) has a null value, never the text 'nan', in every text column."""
    flat = features.reset_index()
    assert flat["collateral_coverage"].isna().any()  # the book has missing values to explain
    out = next(score_function(five_c(), reasons=3)(iter([flat])))
    names = [part.split(" ") for part in output_schema(3).split(", ")]
    text = [name for name, kind in names if kind == "string"]
    for name in text:
        values = out[name].tolist()
        assert out[name].dtype == object
        assert all(v is None or (isinstance(v, str) and v.lower() != "nan") for v in values), name
    nulls = 0
    for j in range(1, 4):
        for row, feature, value in zip(flat.index, out[f"reason_{j}"], out[f"reason_{j}_value"], strict=True):
            if feature == "":  # fewer reasons than asked: no feature, no value
                assert value is None
                continue
            given = flat.at[row, feature]
            if _missing(given):
                assert value is None
                nulls += 1
            else:
                assert value == str(given)
    assert nulls > 0


def test_text_columns_null_for_any_missing_marker():
    from riskkit.spark import _texts

    column = pd.Series(["a", None, float("nan"), pd.NA, pd.NaT, 1.5, np.float32("nan")], dtype=object)
    assert _texts(column).tolist() == ["a", None, None, None, None, "1.5", None]


def test_score_function_needs_customer_id(features):
    fn = score_function(five_c())
    with pytest.raises(riskkit.ValidationError, match="customer_id"):
        list(fn(iter([features.reset_index(drop=True)])))
    with pytest.raises(riskkit.ValidationError, match="score method"):
        score_function(object())


def test_no_pyspark_import():
    code = "import sys, riskkit.spark as s; s.output_schema(); print('pyspark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_spark_local_mode(spark, features):
    flat = features.reset_index()
    flat["customer_id"] = flat["customer_id"].astype(object)
    sdf = spark.createDataFrame(flat).repartition(3)
    scored = sdf.mapInPandas(score_function(five_c(), reasons=2), output_schema(reasons=2))
    got = scored.toPandas().sort_values("customer_id").reset_index(drop=True)
    want = _expected(features, 2)
    assert np.array_equal(got["score"].to_numpy(), want["score"].to_numpy())
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_dtype=False)


def test_partition_function_is_the_dask_partition(book):
    """applyInPandas runs riskkit.dask's partition function: plain pandas, callable without Spark."""
    path, expected = book
    fn = rks.partition_function(path, AS_OF)
    parts = [fn(pd.DataFrame({"partition": [i]})) for i in range(3)]
    got = pd.concat(parts).set_index("customer_id").sort_index()
    assert list(got.columns) == [*expected.columns, "__industry__"]
    assert got.index.tolist() == expected.index.tolist()
    # everything but the peer features (ranked within a partition here) equals the whole book's
    peer = ["dbt_industry_pct", "payment_index_industry_pct"]
    same = [c for c in expected.columns if c not in peer]
    np.testing.assert_array_equal(got[same].to_numpy(dtype=np.float64), expected[same].to_numpy())


def test_spark_features_and_scores_equal_in_memory(spark, book):
    path, expected = book
    feats = rks.features(spark, path, AS_OF)
    assert [f.name for f in feats.schema.fields] == ["customer_id", *expected.columns]
    got = feats.toPandas().set_index("customer_id").sort_index()
    assert got.index.tolist() == expected.index.tolist()
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())  # bit for bit, NaN == NaN

    scored = rks.score(feats, five_c(), reasons=2).toPandas().sort_values("customer_id").reset_index(drop=True)
    want = _expected(expected, 2)
    pd.testing.assert_frame_equal(scored, want, check_exact=True, check_dtype=False)


def test_spark_features_errors(tmp_path):
    with pytest.raises(riskkit.ValidationError, match="not a partitioned book"):
        rks.features(None, tmp_path, AS_OF)
    with pytest.raises(riskkit.ValidationError, match="not a partitioned book"):
        rks.partition_function(tmp_path, AS_OF)
    with pytest.raises(riskkit.ValidationError, match="as_of"):
        rks.features(None, tmp_path, "not a date")
