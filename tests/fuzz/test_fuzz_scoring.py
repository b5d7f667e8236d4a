"""Fuzzing the scorers and their model files: never a crash, never a silent mis-score.

Generators, run against every scorer (``LogisticScorer`` raw and woe,
``DecisionTreeScorer``, ``Scorecard``, ``ExpertScorecard``):

* single customers as ``name -> value`` mappings (floats, huge and tiny
  numbers, ints beyond float64, ``Decimal``, ``None``, NaN, ``pd.NA``,
  bools, text, bytes, complex numbers, nested lists and dicts);
* batches (DataFrames, mappings of arrays or lists, 2-D arrays, wrong shapes
  and lengths, missing columns);
* targets ``y`` for ``fit`` (labels of every type, None, NaN, continuous
  floats, 2-D, one or three classes, wrong lengths);
* ``reasons`` values;
* model documents: the saved JSON of each scorer type, mutated (wrong types,
  NaN/inf, missing and extra keys, duplicated list entries, huge ints, deep
  nesting, a BOM), the checksum recomputed so that only riskkit's own checks
  stand between the file and the scorer.

Every case ends in one of two ways: a :class:`~riskkit.errors.RiskkitError`
whose message names the key, feature or field at fault, or a result equal to
an independent reference (a single customer scores as a batch of one, a batch
as its rows one by one, a loaded model bit for bit as the saved one).
"""

from __future__ import annotations

import copy
import decimal
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskkit
from riskkit import DecisionTreeScorer, ExpertScorecard, LogisticScorer, Scorecard
from riskkit.errors import FormatError, RiskkitError, ValidationError
from riskkit.persistence import _canonical, parse_json
from riskkit.scoring._input import category_of

SETTINGS = settings(
    deadline=None,
    derandomize=os.environ.get("RISKKIT_FUZZ_RANDOM") is None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

NUMERIC = ("dso", "margin")
CATEGORICAL = ("sector", "region")
FEATURES = (*NUMERIC, *CATEGORICAL)
SECTORS = ("0", "1", "2")
REGIONS = ("north", "south")


def _data(n: int = 240, seed: int = 3) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    dso = rng.gamma(3.0, 15.0, n)
    margin = rng.normal(0.05, 0.1, n)
    sector = rng.choice(np.array(SECTORS, dtype=object), n)
    region = rng.choice(np.array(REGIONS, dtype=object), n)
    z = -1.0 + 0.03 * (dso - 45) - 4 * margin + np.where(sector == "2", 2.0, 0.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    dso[rng.random(n) < 0.1] = np.nan
    region[rng.random(n) < 0.1] = None
    return {"dso": dso, "margin": margin, "sector": sector, "region": region}, y


EXPERT = {
    "name": "fuzz",
    "unknown": "missing",
    "features": [
        {"name": "dso", "bins": [{"below": 30, "points": 40}, {"below": 60, "points": 20}, {"points": 0}], "missing": 10},
        {"name": "margin", "bins": [{"below": 0, "points": 0}, {"points": 30}], "missing": 5,
         "special": {"codes": [-999], "points": 3}},
        {"name": "sector", "type": "categorical",
         "bins": [{"values": ["0", "1"], "points": 30}, {"values": ["2"], "points": 0}], "missing": 15},
        {"name": "region", "type": "categorical",
         "bins": [{"values": ["north"], "points": 10}, {"values": ["south"], "points": 5}], "missing": 0},
    ],
}


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    X, y = _data()
    models = {
        "logistic": LogisticScorer(unknown="missing").fit(X, y),
        "logistic_woe": LogisticScorer(inputs="woe", unknown="missing").fit(X, y),
        "tree": DecisionTreeScorer(max_depth=3, min_samples_leaf=10, unknown="missing").fit(X, y),
        "scorecard": Scorecard(selection=None, min_iv=None, unknown="missing").fit(X, y),
        "expert": ExpertScorecard.from_dict(EXPERT),
    }
    assert "sector" in models["tree"]._used_  # the tree reads a categorical feature
    folder = tempfile.mkdtemp(prefix="riskkit-fuzz-")
    docs = {}
    for name, model in models.items():
        path = os.path.join(folder, f"{name}.json")
        riskkit.save(model, path)
        with open(path, encoding="utf-8") as fh:
            docs[name] = json.load(fh)
    return {"X": X, "y": y, "models": models, "docs": docs, "folder": folder}


MODELS = ("logistic", "logistic_woe", "tree", "scorecard", "expert")


def _same(a: Any, b: Any) -> bool:
    """Bit-identical scores and PDs, equal grades."""
    return (
        a.score.tobytes() == b.score.tobytes()
        and a.pd.tobytes() == b.pd.tobytes()
        and [str(g) for g in a.grade] == [str(g) for g in b.grade]
    )


def _outcome(f: Callable[[], Any]) -> Any:
    try:
        return f()
    except RiskkitError as exc:
        return exc


def _names_a_feature(exc: Exception, names: Any) -> bool:
    text = str(exc)
    return any(repr(n) in text or f"{n}" in text for n in names) or getattr(exc, "field", None) in names


# --------------------------------------------------------------------------- single customers

HUGE_INT = st.sampled_from([10**400, -(10**400), 2**64, 2**1024, 10**308 * 10])
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e6, max_value=1e6),
    st.sampled_from([0.0, -0.0, 1e308, -1e308, 5e-324, 1e-300, 30.0, 60.0, -999.0]),
    st.integers(min_value=-(2**70), max_value=2**70),
    HUGE_INT,
    st.decimals(allow_nan=True, allow_infinity=True, places=None),
    st.sampled_from([decimal.Decimal("1e400"), decimal.Decimal("-1e-400"), decimal.Decimal("30.5")]),
    st.floats(width=32).map(np.float32),
    st.integers(-(2**63), 2**63 - 1).map(np.int64),
)
MISSING = st.sampled_from([None, float("nan"), np.nan, pd.NA, pd.NaT, decimal.Decimal("NaN")])
ODD = st.one_of(
    st.booleans(),
    st.sampled_from([np.bool_(True), np.bool_(False)]),
    st.text(max_size=6),
    st.binary(max_size=4),
    st.complex_numbers(allow_nan=False, max_magnitude=10),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(0, 3), max_size=2),
)
LEVELS = st.one_of(
    st.sampled_from([*SECTORS, *REGIONS, "unseen"]),
    st.integers(0, 3),
    st.sampled_from([1.0, 2.0, 0.5, decimal.Decimal("2"), np.int64(1)]),
)
VALUE = st.one_of(NUMBERS, MISSING, ODD, LEVELS)


def _one(v: Any) -> np.ndarray:
    a = np.empty(1, dtype=object)
    a[0] = v
    return a


@settings(SETTINGS, max_examples=300)
@given(model=st.sampled_from(MODELS), row=st.fixed_dictionaries({n: VALUE for n in FEATURES}), data=st.data())
def test_single_customer_scores_as_a_batch_of_one(world: dict[str, Any], model: str, row: dict[str, Any], data: Any) -> None:
    scorer = world["models"][model]
    if data.draw(st.booleans(), label="drop a feature"):
        row.pop(data.draw(st.sampled_from(FEATURES)))
    k = data.draw(st.integers(0, 5), label="reasons")
    if all(isinstance(v, list | dict) for v in row.values()):
        return  # every value a collection: a batch (of len(v) rows), fuzzed by the batch test
    single = _outcome(lambda: scorer.score(row, reasons=k))
    batch = _outcome(lambda: scorer.score({n: _one(v) for n, v in row.items()}, reasons=k))
    if isinstance(single, ValidationError) and "X mixes" in str(single):
        return  # single values mixed with collections: refused as a whole (the batch reads only what it needs)
    if isinstance(single, Exception) or isinstance(batch, Exception):
        assert isinstance(single, Exception) and isinstance(batch, Exception), (single, batch)
        assert _names_a_feature(single, FEATURES) or "X mixes" in str(single), single
        return
    assert _same(single, batch)
    assert single.reasons is not None or k == 0
    if k:
        assert single.reasons.features.shape == (1, k) == batch.reasons.features.shape
    # independently of riskkit's reading: each value as the float or text it stands for
    clean = {}
    for n, v in row.items():
        if n in NUMERIC:
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, decimal.Decimal) and v.is_nan()) or (
                isinstance(v, float) and v != v
            ):
                clean[n] = np.array([np.nan])
            else:
                clean[n] = np.array([float(v)])
        else:
            try:
                clean[n] = _one(v if isinstance(v, str) or v is None else category_of(v, n, 0))
            except ValidationError:
                return  # not a category, in a feature this scorer does not read
    assert np.isfinite(single.score).all() or model == "logistic"
    assert _same(scorer.score(clean), single)


@SETTINGS
@given(model=st.sampled_from(MODELS), sector=st.sampled_from([True, False, np.bool_(True)]))
def test_a_bool_in_a_categorical_feature_is_refused_in_every_path(world: dict[str, Any], model: str, sector: Any) -> None:
    scorer = world["models"][model]
    row = {"dso": 10.0, "margin": 0.1, "sector": sector, "region": "north"}
    for X in (row, {k: [v] for k, v in row.items()}, {k: _one(v) for k, v in row.items()}, pd.DataFrame([row])):
        with pytest.raises(ValidationError, match=r"'sector'.*bool"):
            scorer.score(X)


# --------------------------------------------------------------------------- batches

CLEAN_NUMBER = st.one_of(st.floats(-1e4, 1e4), st.just(float("nan")), st.sampled_from([1e308, -1e308, 0.0]))
CLEAN_LEVEL = st.sampled_from([*SECTORS, None])
CLEAN_REGION = st.sampled_from([*REGIONS, None])


@st.composite
def batches(draw: Any) -> tuple[Any, dict[str, list[Any]] | None]:
    """A batch in some container, and the rows it holds (None when the container itself is malformed)."""
    n = draw(st.integers(0, 6))
    cols = {
        "dso": draw(st.lists(CLEAN_NUMBER, min_size=n, max_size=n)),
        "margin": draw(st.lists(CLEAN_NUMBER, min_size=n, max_size=n)),
        "sector": draw(st.lists(CLEAN_LEVEL, min_size=n, max_size=n)),
        "region": draw(st.lists(CLEAN_REGION, min_size=n, max_size=n)),
    }
    form = draw(st.sampled_from(["frame", "arrays", "lists", "matrix", "ragged", "missing", "3d", "1d", "extra"]))
    if form == "frame":
        return pd.DataFrame(cols), cols
    if form == "arrays":
        return {k: np.array(v, dtype=object if k in CATEGORICAL else float) for k, v in cols.items()}, cols
    if form == "lists":
        return dict(cols), cols
    if form == "extra":
        return {**cols, "other": list(range(n))}, cols
    if form == "matrix":
        return np.array([[cols[k][i] for k in FEATURES] for i in range(n)], dtype=object).reshape(n, 4), None
    if form == "ragged":
        return {**cols, "dso": [*cols["dso"], 1.0]}, None
    if form == "missing":
        return {k: v for k, v in cols.items() if k != "sector"}, None
    if form == "3d":
        return np.zeros((n, 4, 2)), None
    return np.zeros(4), None


@settings(SETTINGS, max_examples=200)
@given(model=st.sampled_from(MODELS), case=batches())
def test_a_batch_scores_as_its_rows_one_by_one(world: dict[str, Any], model: str, case: Any) -> None:
    scorer = world["models"][model]
    X, rows = case
    out = _outcome(lambda: scorer.score(X, reasons=2))
    if rows is None:
        if isinstance(out, Exception):
            assert str(out), out
        return
    n = len(rows["dso"])
    one_by_one = [_outcome(lambda i=i: scorer.score({k: rows[k][i] for k in FEATURES}, reasons=2)) for i in range(n)]
    if isinstance(out, Exception):
        assert _names_a_feature(out, FEATURES), out
        assert any(isinstance(r, Exception) for r in one_by_one) or n == 0 or model == "logistic"
        return
    assert len(out) == n and out.reasons.features.shape == (n, 2)
    for i, r in enumerate(one_by_one):
        assert not isinstance(r, Exception), r
        assert r.score.tobytes() == out.score[i : i + 1].tobytes(), (i, r.score, out.score[i])
        assert str(r.grade[0]) == str(out.grade[i])
        assert list(r.reasons.features[0]) == list(out.reasons.features[i])


# --------------------------------------------------------------------------- reasons

@SETTINGS
@given(
    model=st.sampled_from(MODELS),
    reasons=st.one_of(
        st.integers(-3, 9), st.booleans(), st.floats(allow_nan=True), st.text(max_size=2), st.none(),
        st.integers(0, 9).map(np.int64), st.just(2**70),
    ),
)
def test_reasons_shape_is_always_n_by_k(world: dict[str, Any], model: str, reasons: Any) -> None:
    scorer = world["models"][model]
    X = {k: v[:5] for k, v in world["X"].items()}
    out = _outcome(lambda: scorer.score(X, reasons=reasons))
    if isinstance(out, Exception):
        assert isinstance(out, ValidationError) and "reasons" in str(out)
        return
    k = int(reasons)
    if k == 0:
        assert out.reasons is None
        return
    assert out.reasons.features.shape == out.reasons.values.shape == out.reasons.points_lost.shape == (5, k)
    unused = out.reasons.features == ""
    assert (out.reasons.points_lost[unused] == 0.0).all()
    assert all(v is None for v in out.reasons.values[unused])


# --------------------------------------------------------------------------- targets

LABEL_SETS = st.sampled_from([(0, 1), (False, True), ("bad", "good"), (1.0, 0.0), (2, 7), (np.int8(0), np.int8(1))])


@st.composite
def targets(draw: Any) -> tuple[Any, bool]:
    """A y for 40 rows, and whether it is acceptable."""
    n = 40
    a, b = draw(LABEL_SETS)
    base = [a if i % 3 else b for i in range(n)]
    form = draw(st.sampled_from(["good", "series", "column", "none", "nan", "na", "continuous", "2d", "one",
                                 "three", "short", "mixed", "complex", "y_is_none", "huge"]))
    if form == "good":
        return base, True
    if form == "series":
        return pd.Series(base), True
    if form == "column":
        return np.array(base).reshape(-1, 1), True
    i = draw(st.integers(0, n - 1))
    if form == "none":
        base[i] = None
    elif form == "nan":
        base[i] = float("nan")
    elif form == "na":
        return pd.Series(base, dtype="object").where(lambda s: s.index != i, pd.NA), False
    elif form == "continuous":
        return draw(st.lists(st.floats(0.01, 0.99), min_size=n, max_size=n)), False
    elif form == "2d":
        return np.column_stack([base, base]), False
    elif form == "one":
        return [a] * n, False
    elif form == "three":
        base[i] = "third" if isinstance(a, str) else 99
    elif form == "short":
        return base[:-1], False
    elif form == "mixed":
        base[i] = "x" if not isinstance(a, str) else 1
    elif form == "complex":
        return [complex(v) for v in [0, 1] * (n // 2)], False
    elif form == "y_is_none":
        return None, False
    elif form == "huge":
        base[i] = 10**400
    return base, False


@settings(SETTINGS, max_examples=40)
@given(model=st.sampled_from(["logistic", "tree"]), case=targets())
def test_fit_refuses_bad_targets_by_name(world: dict[str, Any], model: str, case: Any) -> None:
    y, acceptable = case
    X = {k: v[:40] for k, v in world["X"].items()}
    cls = LogisticScorer if model == "logistic" else DecisionTreeScorer
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = _outcome(lambda: cls().fit(X, y))
    if isinstance(out, Exception):
        assert not acceptable, out
        assert isinstance(out, ValidationError) and ("y" in str(out) or "X has" in str(out)), out
        return
    assert acceptable, y
    labels = np.unique(np.asarray(y).ravel())
    assert len(out.classes_) == 2 and [str(c) for c in out.classes_] == [str(c) for c in labels]
    assert np.isfinite(out.predict_proba(X)).all()


# --------------------------------------------------------------------------- model documents


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*path, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node[:4]):
            out.extend(_paths(v, (*path, i)))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        node = node[p]
    return node


def _wrong_types(value: Any) -> list[Any]:
    """Values of another JSON type than ``value`` (so never a valid replacement)."""
    if isinstance(value, bool):
        return ["false", "true", 0, 1, None]
    if isinstance(value, int | float):
        return ["1", True, None, [], {}, "nan", "inf", "-inf", "1e999"]
    if isinstance(value, str):
        return [1, True, [], {}]
    if isinstance(value, list):
        return [{}, "x", 1]
    if isinstance(value, dict):
        return [[], "x", 1]
    return [1, [], {}]  # null (text may be a valid level where null is one)


PLACEHOLDER = "__riskkit_fuzz_raw__"
RAW = {
    "huge_int": "9" * 5000,
    "deep": "[" * 100_000 + "]" * 100_000,
    "big_float": "1e999",
    "nan_literal": "NaN",
}


@st.composite
def mutations(draw: Any) -> tuple[str, str, Any]:
    model = draw(st.sampled_from(MODELS))
    kind = draw(st.sampled_from(["wrong_type", "non_finite", "delete", "extra", "duplicate", "huge", "raw",
                                 "bom", "envelope_extra", "bool_text"]))
    return model, kind, draw(st.randoms(use_true_random=False))


def _write(doc: dict[str, Any], raw: str | None, folder: str, prefix: bytes = b"") -> str:
    body = doc["body"]
    if raw is None:
        doc["sha256"] = hashlib.sha256(_canonical(body)).hexdigest()
    text = json.dumps(doc, indent=1)
    if raw is not None:
        text = text.replace(json.dumps(PLACEHOLDER), raw)
    fd, path = tempfile.mkstemp(suffix=".json", dir=folder)
    with os.fdopen(fd, "wb") as fh:
        fh.write(prefix + text.encode("utf-8"))
    return path


@settings(SETTINGS, max_examples=400)
@given(case=mutations())
def test_a_mutated_model_file_is_refused_by_key_or_scores_identically(world: dict[str, Any], case: Any) -> None:
    model, kind, rnd = case
    doc = copy.deepcopy(world["docs"][model])
    paths = [p for p in _paths(doc["body"]) if p]
    path = rnd.choice(paths)
    parent, key = _get(doc["body"], path[:-1]), path[-1]
    raw = None
    prefix = b""
    has = {
        "non_finite": any(isinstance(_get(doc["body"], p), float) for p in paths),
        "bool_text": any(isinstance(_get(doc["body"], p), bool) for p in paths),
        "duplicate": any(isinstance(_get(doc["body"], p), list) and _get(doc["body"], p) for p in paths),
    }
    if not has.get(kind, True):
        kind = "wrong_type"
    numbers = [p for p in paths if type(_get(doc["body"], p)) in (int, float)]
    if kind == "huge" and numbers:
        path = rnd.choice(numbers)  # an int beyond float range where a number is (text would be a new level)
        parent, key = _get(doc["body"], path[:-1]), path[-1]
    if kind == "wrong_type":
        wrong = _wrong_types(parent[key])
        if model == "expert" and "values" in path:  # the hand-written format reads an int level as its text
            wrong = [v for v in wrong if not isinstance(v, int) or isinstance(v, bool)]
        parent[key] = rnd.choice(wrong)
    elif kind == "non_finite":
        numbers = [p for p in paths if isinstance(_get(doc["body"], p), float)]
        path = rnd.choice(numbers)
        parent, key = _get(doc["body"], path[:-1]), path[-1]
        parent[key] = rnd.choice(["nan", "inf", "-inf"])
    elif kind == "bool_text":
        flags = [p for p in paths if isinstance(_get(doc["body"], p), bool)]
        path = rnd.choice(flags)
        parent, key = _get(doc["body"], path[:-1]), path[-1]
        parent[key] = rnd.choice(["false", "true", 0, 1])
    elif kind == "delete":
        dict_paths = [p for p in paths if isinstance(_get(doc["body"], p[:-1]), dict)]
        path = rnd.choice(dict_paths)
        del _get(doc["body"], path[:-1])[path[-1]]
    elif kind == "extra":
        dicts = [p for p in paths if isinstance(_get(doc["body"], p), dict)] or [()]
        path = (*rnd.choice(dicts), "unexpected_key")
        _get(doc["body"], path[:-1])["unexpected_key"] = 1
    elif kind == "duplicate":
        lists = [p for p in paths if isinstance(_get(doc["body"], p), list) and _get(doc["body"], p)]
        path = rnd.choice(lists)
        target = _get(doc["body"], path)
        target.append(copy.deepcopy(target[rnd.randrange(len(target))]))
    elif kind == "huge":
        parent[key] = rnd.choice([10**400, -(10**400), 2**1024])
    elif kind == "raw":
        choice = rnd.choice(sorted(RAW))
        if choice == "huge_int" and rnd.random() < 0.3:
            doc["format_version"] = PLACEHOLDER
        else:
            parent[key] = PLACEHOLDER
        raw = RAW[choice]
    elif kind == "bom":
        prefix = b"\xef\xbb\xbf"
    elif kind == "envelope_extra":
        doc["comment"] = "written by hand"
    file = _write(doc, raw, world["folder"], prefix)
    try:
        out = _outcome(lambda: riskkit.load(file))
    finally:
        os.unlink(file)
    if isinstance(out, Exception):
        assert isinstance(out, FormatError), out
        text = str(out)
        named = [str(p) for p in path if not isinstance(p, int)]
        if model == "expert":  # the hand-written format's own messages name the feature and its key
            named += [f["name"] for f in EXPERT["features"]] + ["features"]
        assert (
            any(n in text for n in named)
            or (raw is not None and ("integer" in text or "deep" in text or "JSON" in text or "range" in text))
        ), (path, text)
        return
    # it loaded: then it must score exactly as the saved model
    original = world["models"][model]
    X = {k: v[:30] for k, v in world["X"].items()}
    assert type(out) is type(original)
    assert _same(out.score(X), original.score(X)), (kind, path)


@SETTINGS
@given(
    text=st.one_of(
        st.just("\ufeff{\"a\": 1}"),
        st.integers(1000, 200_000).map(lambda d: "{\"a\": " + "[" * d + "]" * d + "}"),
        st.integers(4301, 6000).map(lambda d: "{\"a\": " + "7" * d + "}"),
        st.sampled_from(["{\"a\": NaN}", "{\"a\": Infinity}", "{\"a\": 1e400}", "{\"a\": ", "\xff"]),
        st.text(max_size=20),
    )
)
def test_the_shared_json_reader_fails_only_with_format_errors(text: str) -> None:
    for data in (text, text.encode("utf-8", "surrogatepass")):
        out = _outcome(lambda data=data: parse_json(data, "document"))
        if isinstance(out, Exception):
            assert isinstance(out, FormatError) and "document" in str(out)
        else:
            assert out == json.loads(text.lstrip("\ufeff"))
