"""DecisionTreeScorer: scikit-learn conformance, traversal equal to scikit-learn's, leaves, rules, reasons, persistence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskkit
from riskkit.datasets import load_german_credit
from riskkit.errors import NotFittedError, ValidationError
from riskkit.metrics import auc
from riskkit.scoring import DecisionTreeScorer, Scaling

with warnings.catch_warnings():
    # riskkit's estimators deliberately do not inherit BaseEstimator (scoring must not import scikit-learn)
    warnings.filterwarnings("ignore", message=".*does not inherit from `sklearn.base.BaseEstimator`")
    from _sklearn_checks import expected_failed_checks
    from sklearn.utils.estimator_checks import parametrize_with_checks

    _CHECKS = parametrize_with_checks(
        [DecisionTreeScorer(), DecisionTreeScorer(max_depth=None, min_samples_leaf=1)],
        expected_failed_checks=expected_failed_checks,
    )

SCALING = Scaling()


@_CHECKS
def test_sklearn_conformance(estimator: Any, check: Any) -> None:
    check(estimator)


# --------------------------------------------------------------------------- fixtures


def _mixed(n: int = 600, seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    dso = rng.gamma(3.0, 15.0, n)
    margin = rng.normal(0.05, 0.1, n)
    sector = rng.choice(np.array(["retail", "food", "mining", "construction"]), n)
    z = -1.5 + 0.04 * (dso - 45) - 5 * margin + np.where(sector == "construction", 1.5, 0.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    dso[rng.random(n) < 0.15] = np.nan
    sector = sector.astype(object)
    sector[rng.random(n) < 0.05] = None
    return {"dso": dso, "margin": margin, "sector": sector}, y


@pytest.fixture(scope="module")
def mixed() -> tuple[dict[str, np.ndarray], np.ndarray]:
    return _mixed()


@pytest.fixture(scope="module")
def model(mixed: Any) -> DecisionTreeScorer:
    return DecisionTreeScorer(unknown="missing").fit(*mixed)


@pytest.fixture(scope="module")
def german() -> tuple[dict[str, np.ndarray], np.ndarray]:
    return load_german_credit()


# --------------------------------------------------------------------------- hand-checked leaves and rules


def test_one_split_by_hand() -> None:
    X = np.arange(1.0, 11.0).reshape(-1, 1)
    y = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 0])
    tree = DecisionTreeScorer(max_depth=1, min_samples_leaf=1).fit(X, y)
    rules = tree.rules()
    assert [r["rule"] for r in rules] == ["x0 <= 5.5", "x0 > 5.5"]
    assert [(r["n"], r["bads"]) for r in rules] == [(5.0, 0.0), (5.0, 4.0)]
    # smoothed leaf PDs: (bads + 0.5) / (n + 1)
    assert [r["pd"] for r in rules] == [0.5 / 6, 4.5 / 6]
    np.testing.assert_allclose([r["score"] for r in rules], SCALING.score([0.5 / 6, 4.5 / 6]), rtol=0, atol=0)
    r = tree.score(np.array([[5.0], [5.5], [5.6], [np.nan], [-np.inf], [np.inf]]))
    assert r.pd.tolist() == [
        0.5 / 6,
        0.5 / 6,
        4.5 / 6,
        0.5 / 6 if tree.tree_["missing_go_to_left"][0] else 4.5 / 6,
        0.5 / 6,
        4.5 / 6,
    ]
    assert r.grade.tolist()[0] == riskkit.MasterScale.default().grade(pd=0.5 / 6).item()
    assert tree.depth_ == 1
    np.testing.assert_allclose(tree.decision_function(X[:1]), np.log((0.5 / 6) / (5.5 / 6)), atol=1e-12)
    assert tree.predict(np.array([[1.0], [8.0]])).tolist() == [0, 1]


def test_leaf_counts_add_up(model: DecisionTreeScorer, mixed: Any) -> None:
    X, y = mixed
    t = model.tree_
    leaves = t["children_left"] == -1
    assert t["n"][leaves].sum() == len(y) and t["bads"][leaves].sum() == y.sum()
    assert t["n"][0] == len(y)
    leaf = model.apply(X)
    for node in np.flatnonzero(leaves):
        assert t["n"][node] == (leaf == node).sum()
        assert t["bads"][node] == y[leaf == node].sum()
    np.testing.assert_array_equal(t["pd"], (t["bads"] + 0.5) / (t["n"] + 1))
    rules = model.rules()
    assert len(rules) == leaves.sum()
    assert sum(r["n"] for r in rules) == len(y)


def test_constant_target_feature_gives_a_single_leaf() -> None:
    X = {"x": np.ones(20)}
    y = np.array([0, 1] * 10)
    tree = DecisionTreeScorer().fit(X, y)
    assert tree.depth_ == 0
    assert tree.rules()[0]["rule"] == "all rows"
    r = tree.score({"x": [1.0, 2.0]}, reasons=2)
    assert r.pd.tolist() == [10.5 / 21] * 2
    assert r.reasons.row(0) == []


def test_categorical_levels_are_ranked_by_event_rate(model: DecisionTreeScorer, mixed: Any) -> None:
    X, y = mixed
    levels = model.categories_["sector"]
    rates = []
    for level in levels:
        mask = X["sector"] == level
        rates.append((y[mask].sum() + 0.5) / (mask.sum() + 1))
    assert rates == sorted(rates)
    assert levels[-1] == "construction"
    sector_rules = [r["rule"] for r in model.rules() if "sector" in r["rule"]]
    assert sector_rules and all("sector in {" in rule for rule in sector_rules)


def test_rules_describe_the_scoring(model: DecisionTreeScorer, mixed: Any) -> None:
    """Evaluating each rule's text on the data selects exactly the rows of its leaf."""
    X, _ = mixed
    leaf = model.apply(X)
    env = {"dso": X["dso"], "margin": X["margin"], "sector": X["sector"]}
    for rule in model.rules():
        selected = _evaluate(rule["rule"], env)
        np.testing.assert_array_equal(selected, leaf == rule["leaf"], err_msg=rule["rule"])


def _evaluate(rule: str, env: dict[str, np.ndarray]) -> np.ndarray:
    """A tiny evaluator for the rule grammar (and / or / in {...} / <= / < / > / is (not) missing)."""
    import re

    n = len(next(iter(env.values())))

    def atom(text: str) -> np.ndarray:
        text = text.strip()
        if text.startswith("(") and text.endswith(")"):
            return expr(text[1:-1])
        m = re.fullmatch(r"(\w+) is (not )?missing", text)
        if m:
            col = env[m.group(1)]
            miss = np.array([v is None or (isinstance(v, float) and np.isnan(v)) for v in col])
            return ~miss if m.group(2) else miss
        m = re.fullmatch(r"(\w+) in \{(.*)\}", text)
        if m:
            levels = set(re.findall(r"'([^']*)'", m.group(2)))
            return np.array([v in levels for v in env[m.group(1)]])
        m = re.fullmatch(r"(\S+) < (\w+) <= (\S+)", text)
        x32 = None
        if m:
            x32 = env[m.group(2)].astype(np.float32)
            with np.errstate(invalid="ignore"):
                return (x32 > float(m.group(1))) & (x32 <= float(m.group(3)))
        m = re.fullmatch(r"(\w+) (<=|>) (\S+)", text)
        assert m, text
        x32 = env[m.group(1)].astype(np.float32)
        with np.errstate(invalid="ignore"):
            return x32 <= float(m.group(3)) if m.group(2) == "<=" else x32 > float(m.group(3))

    def split_top(text: str, sep: str) -> list[str]:
        parts, depth, start = [], 0, 0
        for i, ch in enumerate(text):
            depth += 1 if ch in "({" else -1 if ch in ")}" else 0
            if depth == 0 and text.startswith(sep, i):
                parts.append(text[start:i])
                start = i + len(sep)
        return [*parts, text[start:]]

    def expr(text: str) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        for alt in split_top(text, " or "):
            term = np.ones(n, dtype=bool)
            for part in split_top(alt, " and "):
                term &= atom(part)
            out |= term
        return out

    return np.ones(n, dtype=bool) if rule == "all rows" else expr(rule)


# --------------------------------------------------------------------------- traversal = scikit-learn's


def test_traversal_equals_sklearn_apply_including_float32_edges() -> None:
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(5)
    X = rng.normal(size=(2000, 4)) * [1.0, 1e3, 1e-3, 7.0]
    X[rng.random(X.shape) < 0.1] = np.nan
    y = (rng.random(2000) < 1 / (1 + np.exp(-np.nan_to_num(X[:, 0] + X[:, 1] / 1e3)))).astype(int)
    ours = DecisionTreeScorer(max_depth=6, min_samples_leaf=5).fit(X, y)
    theirs = DecisionTreeClassifier(max_depth=6, min_samples_leaf=5, random_state=0).fit(X, y)
    test = rng.normal(size=(5000, 4)) * [1.0, 1e3, 1e-3, 7.0]
    test[rng.random(test.shape) < 0.1] = np.nan
    # values right at, just under and just over each threshold, in float64
    t = theirs.tree_
    internal = np.flatnonzero((t.children_left != -1) & np.isfinite(t.threshold))
    edge = np.tile(np.nanmedian(X, axis=0), (internal.size * 5, 1))
    for i, node in enumerate(internal):
        th = t.threshold[node]
        for j, v in enumerate(
            [th, np.nextafter(th, -np.inf), np.nextafter(th, np.inf), th * (1 + 1e-8), th * (1 - 1e-8)]
        ):
            edge[i * 5 + j, t.feature[node]] = v
    test = np.vstack([test, edge, X])
    np.testing.assert_array_equal(ours.apply(test), theirs.apply(test.astype(np.float32)))
    np.testing.assert_array_equal(ours.apply(test), theirs.apply(test))
    np.testing.assert_array_equal(ours.tree_["threshold"][internal], t.threshold[internal])
    np.testing.assert_array_equal(ours.tree_["missing_go_to_left"], t.missing_go_to_left.astype(bool))


def test_nan_in_training_is_shown_in_the_rules(model: DecisionTreeScorer) -> None:
    rules = " ".join(r["rule"] for r in model.rules())
    assert "dso is missing" in rules or "dso" not in rules


def test_a_missing_versus_present_split_reads_as_such() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    x[:40] = np.nan
    y = np.zeros(200, dtype=int)
    y[:50] = 1
    tree = DecisionTreeScorer(max_depth=1).fit({"x": x}, y)
    assert tree.tree_["threshold"][0] == np.inf  # scikit-learn's encoding of "missing goes right"
    rules = tree.rules()
    assert [r["rule"] for r in rules] == ["x is not missing", "x is missing"]
    assert [r["bads"] for r in rules] == [10.0, 40.0]
    for rule in rules:
        np.testing.assert_array_equal(_evaluate(rule["rule"], {"x": x}), tree.apply({"x": x}) == rule["leaf"])
    assert tree.score({"x": [np.nan, 1e30, -3.0]}).pd.tolist() == [40.5 / 41, 10.5 / 161, 10.5 / 161]


def test_nan_without_nan_in_training_follows_the_larger_child() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 1))
    y = (X[:, 0] > 0.8).astype(int)
    tree = DecisionTreeScorer(max_depth=1).fit(X, y)
    t = tree.tree_
    bigger = (
        t["children_left"][0]
        if t["n"][t["children_left"][0]] > t["n"][t["children_right"][0]]
        else (t["children_right"][0])
    )
    assert tree.apply(np.array([[np.nan]]))[0] == bigger
    assert "missing" not in " ".join(r["rule"] for r in tree.rules())


def test_infinity_is_refused_at_fit_and_compares_at_scoring() -> None:
    X = np.arange(20.0).reshape(-1, 1)
    y = (np.arange(20) > 9).astype(int)
    bad = X.copy()
    bad[3, 0] = np.inf
    with pytest.raises(ValidationError, match=r"'x0' row 3: inf is infinite or too large") as e:
        DecisionTreeScorer().fit(bad, y)
    assert e.value.row == 3
    tree = DecisionTreeScorer(max_depth=1).fit(X, y)
    assert tree.predict(np.array([[np.inf], [-np.inf]])).tolist() == [1, 0]


# --------------------------------------------------------------------------- unknown levels


def test_unknown_level_policies(mixed: Any) -> None:
    X, y = mixed
    row = {"dso": [90.0], "margin": [0.0], "sector": ["space travel"]}
    with pytest.raises(
        ValidationError, match=r"feature 'sector' row 0: category 'space travel' was not seen"
    ) as e:
        DecisionTreeScorer().fit(X, y).score(row)
    assert (e.value.field, e.value.row, e.value.value) == ("sector", 0, "space travel")
    missing = DecisionTreeScorer(unknown="missing").fit(X, y)
    worst = DecisionTreeScorer(unknown="worst").fit(X, y)
    for dso in (5.0, 40.0, 90.0, np.nan):
        r = dict(row, dso=[dso])
        assert missing.score(r).pd[0] == missing.score(dict(r, sector=[None])).pd[0]
        assert worst.score(r).pd[0] == worst.score(dict(r, sector=["construction"])).pd[0]


# --------------------------------------------------------------------------- reasons


def _candidates(tree: DecisionTreeScorer, name: str) -> list[Any]:
    """Values of a feature covering every region of the tree's splits on it."""
    if name in tree.categories_:
        return [*tree.categories_[name], None]
    j = tree._feature_names_.index(name)
    t = tree.tree_
    out: list[Any] = [np.nan, -1e30, 1e30]
    for node in np.flatnonzero((t["feature"] == j) & (t["children_left"] != -1)):
        th = np.float32(t["threshold"][node])
        out += [
            float(th),
            float(np.nextafter(th, np.float32(-np.inf))),
            float(np.nextafter(th, np.float32(np.inf))),
        ]
    return out


def test_reasons_are_the_points_of_the_best_leaf_reachable_by_one_feature(
    model: DecisionTreeScorer, mixed: Any
) -> None:
    X, _ = mixed
    r = model.score(X, reasons=3)
    for i in range(0, len(r), 23):
        own = r.score[i]
        expected = {}
        for name in model._used_:
            best = own
            for value in _candidates(model, name):
                row = {k: np.array([v[i]], dtype=v.dtype) for k, v in X.items()}
                row[name] = np.array([value], dtype=X[name].dtype)
                best = max(best, model.score(row).score[0])
            if best > own:
                expected[name] = best - own
        got = {f: p for f, _, p in r.reasons.row(i)}
        top = dict(sorted(expected.items(), key=lambda kv: -kv[1])[:3])
        assert got.keys() == top.keys(), i
        for f in got:
            assert got[f] == pytest.approx(top[f], abs=1e-9)
        for f, v, _ in r.reasons.row(i):
            assert v is X[f][i] or v == X[f][i] or (np.isnan(v) and np.isnan(X[f][i]))


def test_best_leaf_has_no_reasons(model: DecisionTreeScorer, mixed: Any) -> None:
    X, _ = mixed
    r = model.score(X, reasons=2)
    best = r.score == r.score.max()
    assert best.any()
    assert (r.reasons.points_lost[best] == 0).all()
    assert (r.reasons.features[best] == "").all()


# --------------------------------------------------------------------------- batch = row by row


_rows = st.lists(
    st.tuples(
        st.one_of(st.floats(-10, 200), st.just(np.nan)),
        st.floats(-1, 1),
        st.sampled_from(["retail", "food", "mining", "construction", "space travel", None]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows)
def test_batch_equals_row_by_row(model: DecisionTreeScorer, rows: list[tuple[Any, ...]]) -> None:
    cols = list(zip(*rows, strict=True))
    X = {
        "dso": np.array(cols[0], dtype=float),
        "margin": np.array(cols[1], dtype=float),
        "sector": np.array(cols[2], dtype=object),
    }
    batch = model.score(X, reasons=2)
    for i in range(len(rows)):
        one = model.score({k: v[i : i + 1] for k, v in X.items()}, reasons=2)
        assert one.score[0] == batch.score[i] and one.pd[0] == batch.pd[i] and one.grade[0] == batch.grade[i]
        assert one.reasons is not None and batch.reasons is not None
        assert one.reasons.features[0].tolist() == batch.reasons.features[i].tolist()
        assert one.reasons.points_lost[0].tolist() == batch.reasons.points_lost[i].tolist()


# --------------------------------------------------------------------------- persistence


def test_json_round_trip_is_bit_identical(tmp_path: Any, mixed: Any) -> None:
    X, y = mixed
    m = DecisionTreeScorer(
        max_depth=4, unknown="worst", master_scale="expert_100", base_score=60, pdo=10
    ).fit(X, y)
    path = tmp_path / "tree.json"
    riskkit.save(m, path)
    assert json.loads(path.read_text())["type"] == "DecisionTreeScorer"
    loaded = riskkit.load(path)
    a, b = m.score(X, reasons=3), loaded.score(X, reasons=3)
    for attr in ("score", "pd", "grade"):
        assert np.array_equal(getattr(a, attr), getattr(b, attr))
    assert np.array_equal(a.reasons.points_lost, b.reasons.points_lost)
    assert np.array_equal(m.predict_proba(X), loaded.predict_proba(X))
    assert np.array_equal(m.decision_function(X), loaded.decision_function(X))
    assert loaded.rules() == m.rules()
    assert loaded.categories_ == m.categories_


def test_loading_and_scoring_does_not_import_sklearn(tmp_path: Any, mixed: Any) -> None:
    path = tmp_path / "tree.json"
    riskkit.save(DecisionTreeScorer().fit(*mixed), path)
    code = (
        "import sys, numpy as np, riskkit\n"
        f"m = riskkit.load({os.fspath(path)!r})\n"
        "X = {'dso': np.array([10.0, np.nan]), 'margin': np.array([0.1, 0.0]),"
        " 'sector': np.array(['food', None], dtype=object)}\n"
        "m.score(X, reasons=2); m.predict_proba(X); m.predict(X); m.rules()\n"
        "print('sklearn' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_malformed_tree_is_refused(tmp_path: Any, mixed: Any) -> None:
    import hashlib

    from riskkit.persistence import _canonical

    path = tmp_path / "tree.json"
    riskkit.save(DecisionTreeScorer().fit(*mixed), path)
    doc = json.loads(path.read_text())
    doc["body"]["tree"]["children_left"][0] = 0  # a node that is its own child
    doc["sha256"] = hashlib.sha256(_canonical(doc["body"])).hexdigest()
    path.write_text(json.dumps(doc))
    with pytest.raises(riskkit.FormatError, match="binary tree"):
        riskkit.load(path)


# --------------------------------------------------------------------------- German credit and the API


def test_german_credit_sanity(german: Any) -> None:
    X, y = german
    tree = DecisionTreeScorer().fit(X, y)
    r = tree.score(X, reasons=2)
    assert auc(y, r.pd) > 0.72
    rules = tree.rules()
    assert 2 <= len(rules) <= 8
    assert rules[0]["rule"].startswith("status_of_existing_checking_account in {")
    assert sum(rule["n"] for rule in rules) == 1000 and sum(rule["bads"] for rule in rules) == 300
    # the riskiest segment has the lowest score and a worse grade than the safest
    by_pd = sorted(rules, key=lambda rule: rule["pd"])
    assert by_pd[0]["score"] == max(rule["score"] for rule in rules)
    scale = riskkit.MasterScale.default()
    assert scale.grades.index(by_pd[0]["grade"]) < scale.grades.index(by_pd[-1]["grade"])
    p = tree.predict_proba(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    html = tree._repr_html_()
    assert "<table" in html and "status_of_existing_checking_account" in html
    assert DecisionTreeScorer()._repr_html_().startswith("<pre>")


def test_string_labels_and_bad_label(mixed: Any) -> None:
    X, y01 = mixed
    y = np.where(y01 == 1, "bad", "good")
    tree = DecisionTreeScorer(bad_label="bad").fit(X, y)
    assert tree.classes_.tolist() == ["bad", "good"]
    r = tree.score(X)
    np.testing.assert_array_equal(tree.predict_proba(X)[:, 0], r.pd)
    np.testing.assert_array_equal(tree.predict(X), np.where(r.pd > 0.5, "bad", "good"))
    reference = DecisionTreeScorer().fit(X, y01).score(X)
    np.testing.assert_array_equal(reference.pd, r.pd)


def test_named_input_needs_only_the_features_the_tree_uses(model: DecisionTreeScorer, mixed: Any) -> None:
    X, _ = mixed
    used = {k: X[k] for k in model._used_}
    np.testing.assert_array_equal(model.score(used).score, model.score(X).score)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"max_depth": 0}, "max_depth"),
        ({"max_depth": 2.5}, "max_depth"),
        ({"min_samples_leaf": 0}, "min_samples_leaf"),
        ({"min_samples_leaf": 0.7}, "min_samples_leaf"),
        ({"min_impurity_decrease": -1.0}, "min_impurity_decrease"),
        ({"unknown": "skip"}, "unknown"),
        ({"random_state": "seed"}, "random_state"),
        ({"categorical": ["nope"]}, "categorical"),
    ],
)
def test_invalid_parameters_name_the_field(mixed: Any, params: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as e:
        DecisionTreeScorer(**params).fit(*mixed)
    assert e.value.field == field


def test_parameters_are_keywords_and_messages_name_what_is_accepted(mixed: Any) -> None:
    with pytest.raises(TypeError):
        DecisionTreeScorer(3)  # type: ignore[misc]
    with pytest.raises(ValidationError, match=r"^min_samples_leaf must be an integer >= 1 or a number in \(0, 0.5\], got 1.0$"):
        DecisionTreeScorer(min_samples_leaf=1.0).fit(*mixed)
    with pytest.raises(ValidationError, match=r"^random_state must be an integer in \[0, 2\*\*32\) or None, got -1$"):
        DecisionTreeScorer(random_state=-1).fit(*mixed)


def test_unfitted_use_raises_not_fitted(mixed: Any) -> None:
    with pytest.raises(NotFittedError):
        DecisionTreeScorer().score(mixed[0])
    with pytest.raises(NotFittedError):
        DecisionTreeScorer().rules()


# --------------------------------------------------------------------------- regressions: bad inputs and files


def _resave(model: Any, tmp_path: Any, change: Any) -> Any:
    import hashlib

    from riskkit.persistence import _canonical

    path = tmp_path / "m.json"
    riskkit.save(model, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc["body"])
    doc["sha256"] = hashlib.sha256(_canonical(doc["body"])).hexdigest()
    path.write_text(json.dumps(doc), encoding="utf-8")
    return riskkit.load(path)


def test_a_customer_with_decimal_and_pandas_na_scores_as_floats(model: DecisionTreeScorer, mixed: Any) -> None:
    import decimal

    import pandas as pd

    X, _ = mixed
    row = {name: X[name][0] for name in X}
    for name in model._used_:
        if model._kinds_[name] == "numeric":
            plain = model.score({**row, name: 37.25})
            assert model.score({**row, name: decimal.Decimal("37.25")}).score.tobytes() == plain.score.tobytes()
            missing = model.score({**row, name: float("nan")})
            assert model.score({**row, name: pd.NA}).score.tobytes() == missing.score.tobytes()


def test_a_bool_in_a_categorical_feature_is_refused_alike_in_batch_and_single_row(
    model: DecisionTreeScorer, mixed: Any
) -> None:
    X, _ = mixed
    cat = next(n for n in model._feature_names_ if model._kinds_[n] == "categorical")
    row = {name: X[name][0] for name in X}
    row[cat] = True
    batch = {k: np.array([v], dtype=object) for k, v in row.items()}
    if cat in model._used_:
        for given_X in (row, batch):
            with pytest.raises(ValidationError, match="bool"):
                model.score(given_X)


def test_reasons_beyond_the_used_features_are_empty_slots(model: DecisionTreeScorer, mixed: Any) -> None:
    X, _ = mixed
    r = model.score(X, reasons=len(model._used_) + 3)
    assert r.reasons.features.shape == (len(r), len(model._used_) + 3)
    assert (r.reasons.features[:, len(model._used_):] == "").all()


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda b: b["tree"]["missing_go_to_left"].__setitem__(0, "false"), r"body.tree.missing_go_to_left\[0\]"),
        (lambda b: b["tree"]["threshold"].__setitem__(0, "nan"), r"body.tree.threshold\[0\]"),
        (lambda b: b["tree"]["n"].__setitem__(0, "inf"), r"body.tree.n\[0\]"),
        (lambda b: b["tree"]["children_left"].__setitem__(0, 1.0), r"body.tree.children_left\[0\]"),
        (lambda b: b["missing_seen"].__setitem__(0, "no"), r"body.missing_seen\[0\]"),
        (lambda b: b["tree"]["bads"].__setitem__(0, 1e9), r"body.tree.bads\[0\]"),
    ],
)
def test_a_model_file_with_a_valid_checksum_is_checked_value_by_value(
    model: DecisionTreeScorer, tmp_path: Any, change: Any, where: str
) -> None:
    with pytest.raises(riskkit.errors.FormatError, match=where):
        _resave(model, tmp_path, change)


def test_a_category_listed_twice_in_a_model_file_is_a_format_error(model: DecisionTreeScorer, tmp_path: Any) -> None:
    def twice(b: Any) -> None:
        name = next(iter(b["categories"]))
        b["categories"][name].append(b["categories"][name][0])

    with pytest.raises(riskkit.errors.FormatError, match="listed twice"):
        _resave(model, tmp_path, twice)
