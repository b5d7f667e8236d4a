"""riskkit.save / riskkit.load: lossless versioned JSON, clear errors for bad documents, no pickle by default."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskkit
from riskkit import ExpertScorecard, MasterScale, Scorecard
from riskkit.errors import FormatError, RiskkitError, ValidationError
from riskkit.scoring import five_c


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def _same_reasons(a: Any, b: Any) -> bool:
    same_values = all(
        (x is None and y is None) or x == y or (x != x and y != y)
        for x, y in zip(a.values.ravel().tolist(), b.values.ravel().tolist(), strict=True)
    )
    return (
        a.features.tolist() == b.features.tolist()
        and same_values
        and _same_bits(a.points_lost, b.points_lost)
    )


def _book(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    dpd = rng.gamma(2.0, 10.0, size=n)
    sector = rng.choice(["retail", "food, drink", 'say "hi"', "bâtiment, BTP"], size=n).astype(object)
    effect = {"retail": -0.5, "food, drink": 0.0, 'say "hi"': 0.6, "bâtiment, BTP": 1.2}
    logit = -3.0 + 0.06 * dpd + np.array([effect[s] for s in sector])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    dpd[:30] = np.nan
    dpd[30:50] = -999.0
    sector[50:70] = None
    return pd.DataFrame({"dpd": dpd, "sector": sector}), y


@pytest.fixture(scope="module")
def fitted() -> tuple[Scorecard, pd.DataFrame]:
    X, y = _book()
    return Scorecard(special_codes=[-999], base_score=512.25, base_odds=7.3, pdo=33.3).fit(X, y), X


@pytest.fixture
def saved(tmp_path: Path, fitted: tuple[Scorecard, pd.DataFrame]) -> Path:
    path = tmp_path / "model.json"
    riskkit.save(fitted[0], path)
    return path


# --------------------------------------------------------------------------- lossless round trips


def test_fitted_scorecard_round_trip(saved: Path, fitted: tuple[Scorecard, pd.DataFrame]) -> None:
    sc, X = fitted
    again = riskkit.load(saved)
    assert type(again) is Scorecard
    a, b = sc.score(X, reasons=3), again.score(X, reasons=3)
    assert _same_bits(a.score, b.score) and _same_bits(a.pd, b.pd)
    assert a.grade.tolist() == b.grade.tolist()
    assert _same_reasons(a.reasons, b.reasons)
    assert _same_bits(sc.predict_proba(X), again.predict_proba(X))
    assert (sc.predict(X) == again.predict(X)).all()
    assert again.get_params() == sc.get_params()
    assert again.card_.scaling == sc.card_.scaling
    assert again.card_.scaling.to_dict() == {"base_score": 512.25, "base_odds": 7.3, "pdo": 33.3}
    assert json.dumps(again.table()) == json.dumps(sc.table())  # NaN event rates of empty bins included
    assert again.iv_ == sc.iv_ and again.selected_features_ == sc.selected_features_
    assert _same_bits(again.coef_, sc.coef_) and again.intercept_ == sc.intercept_
    assert again.classes_.tolist() == sc.classes_.tolist() and again.classes_.dtype == sc.classes_.dtype
    assert again.feature_names_in_.tolist() == sc.feature_names_in_.tolist()
    assert {n: b.to_dict() for n, b in again.binnings_.items()} == {
        n: b.to_dict() for n, b in sc.binnings_.items()
    }


def test_document_is_human_readable_json(saved: Path, fitted: tuple[Scorecard, pd.DataFrame]) -> None:
    text = saved.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert list(doc) == sorted(doc)
    assert doc["format"] == "riskkit" and doc["format_version"] == 1
    assert doc["type"] == "Scorecard" and doc["riskkit_version"] == riskkit.__version__
    assert len(doc["sha256"]) == 64
    assert "\n" in text and "bâtiment, BTP" in text  # indented, unicode kept as text
    categories = next(f for f in doc["body"]["card"]["features"] if f["name"] == "sector")["categories"]
    assert ["bâtiment, BTP"] in categories or any("bâtiment, BTP" in g for g in categories)
    assert ["food, drink"] in categories or any("food, drink" in g for g in categories)


def test_string_labels_and_bad_label_survive(tmp_path: Path) -> None:
    X, y = _book()
    sc = Scorecard(bad_label="bad").fit(X, np.where(y == 1, "bad", "good"))
    riskkit.save(sc, tmp_path / "m.json")
    again = riskkit.load(tmp_path / "m.json")
    assert again.classes_.tolist() == ["bad", "good"]
    assert _same_bits(again.predict_proba(X), sc.predict_proba(X))
    assert (again.predict(X) == sc.predict(X)).all()


def test_positional_scorecard_round_trip(tmp_path: Path) -> None:
    X, y = _book()
    arr = X[["dpd"]].to_numpy()
    sc = Scorecard(rounding=True).fit(arr, y)
    riskkit.save(sc, tmp_path / "m.json")
    again = riskkit.load(tmp_path / "m.json")
    assert not hasattr(again, "feature_names_in_")
    assert _same_bits(again.score(arr).score, sc.score(arr).score)


def test_expert_scorecard_and_master_scale_round_trip(tmp_path: Path) -> None:
    card = five_c()
    riskkit.save(card, tmp_path / "5c.json")
    again = riskkit.load(tmp_path / "5c.json")
    assert type(again) is ExpertScorecard and again.to_dict() == card.to_dict()
    ff = riskkit.FeatureFrame(np.full((1, len(card.feature_names)), np.nan), card.feature_names)
    assert _same_bits(again.score(ff).score, card.score(ff).score)
    scale = MasterScale.expert_100()
    riskkit.save(scale, tmp_path / "scale.json")
    assert riskkit.load(tmp_path / "scale.json") == scale


# --------------------------------------------------------------------------- random cards

LEVEL = st.one_of(
    st.sampled_from(
        ["a,b", "a, b", 'q"x', "'", "\\", "é", "日本, 東京", "", "nan", "null", "x\x00", "\u2028"]
    ),
    st.text(max_size=6),
)


@st.composite
def fitted_cases(draw: Any) -> tuple[Scorecard, dict[str, Any]]:
    n = draw(st.integers(40, 150))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    levels = draw(st.lists(LEVEL, min_size=1, max_size=6, unique=True))
    x = rng.normal(size=n) * draw(st.sampled_from([1.0, 1e-7, 1e9]))
    kind = rng.random(n)
    x[kind < 0.1] = np.nan
    x[(kind >= 0.1) & (kind < 0.15)] = -1.0e9 - 0.5
    x[(kind >= 0.15) & (kind < 0.17)] = np.inf
    cat = np.array([levels[i] for i in rng.integers(0, len(levels), size=n)], dtype=object)
    cat[rng.random(n) < 0.1] = None
    effect = {lv: rng.normal() for lv in levels}
    y = (rng.random(n) < 1 / (1 + np.exp(-np.array([effect.get(c, 0.0) for c in cat])))).astype(np.int64)
    y[:2] = [0, 1]
    X = {"x": x, "cat": cat}
    params = {
        "special_codes": [-1.0e9 - 0.5],
        "min_iv": 0.0,
        "rounding": draw(st.booleans()),
        "unknown": draw(st.sampled_from(["error", "missing", "worst"])),
        "base_score": draw(st.floats(-1e4, 1e4)),
        "base_odds": draw(st.floats(1e-3, 1e3)),
        "pdo": draw(st.floats(1e-2, 1e3)),
        "C": draw(st.sampled_from([1.0, 0.1 + 0.2])),
        "master_scale": draw(st.sampled_from([None, "default", MasterScale.default().to_dict()])),
    }
    return Scorecard(**params).fit(X, y), X


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fitted_cases())
def test_random_scorecards_round_trip_losslessly(case: tuple[Scorecard, dict[str, Any]]) -> None:
    sc, X = case
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.json")
        riskkit.save(sc, path)
        again = riskkit.load(path)
        riskkit.save(again, os.path.join(tmp, "again.json"))
        with open(path, "rb") as a, open(os.path.join(tmp, "again.json"), "rb") as b:
            assert a.read() == b.read()  # saving what was loaded writes the same document
    a, b = sc.score(X, reasons=2), again.score(X, reasons=2)
    assert _same_bits(a.score, b.score) and _same_bits(a.pd, b.pd)
    assert a.grade.tolist() == b.grade.tolist()
    assert _same_reasons(a.reasons, b.reasons)
    assert again.card_.scaling.to_dict() == sc.card_.scaling.to_dict()
    assert again.get_params(deep=False).keys() == sc.get_params(deep=False).keys()
    for f, g in zip(sc.card_.features, again.card_.features, strict=True):
        assert f.categories == g.categories and f.special_codes == g.special_codes
        assert _same_bits(f.points, g.points) and _same_bits(f.splits, g.splits)


# --------------------------------------------------------------------------- bad documents


def _rewrite(path: Path, change: Callable[[dict[str, Any]], None], *, fix_checksum: bool) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    if fix_checksum:
        canonical = json.dumps(doc["body"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        doc["sha256"] = hashlib.sha256(canonical.encode()).hexdigest()
    path.write_text(json.dumps(doc), encoding="utf-8")


def _points(doc: dict[str, Any]) -> list[Any]:
    points: list[Any] = doc["body"]["card"]["features"][0]["points"]
    return points


def test_tampered_body_fails_the_checksum(saved: Path) -> None:
    _rewrite(saved, lambda d: _points(d).__setitem__(0, _points(d)[0] + 1), fix_checksum=False)
    with pytest.raises(FormatError, match="checksum"):
        riskkit.load(saved)


def test_reformatting_the_document_keeps_it_loadable(
    saved: Path, fitted: tuple[Scorecard, pd.DataFrame]
) -> None:
    doc = json.loads(saved.read_text(encoding="utf-8"))
    saved.write_text(json.dumps(doc, indent=4, ensure_ascii=True), encoding="utf-8")
    sc, X = fitted
    assert _same_bits(riskkit.load(saved).score(X).score, sc.score(X).score)


@pytest.mark.parametrize("keep", [0.0, 0.01, 0.5, 0.99])
def test_truncated_file(saved: Path, keep: float) -> None:
    raw = saved.read_bytes()
    saved.write_bytes(raw[: int(len(raw) * keep)])
    with pytest.raises(FormatError):
        riskkit.load(saved)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d.__setitem__("format_version", 2), "format_version 2"),
        (lambda d: d.pop("format_version"), "format_version None"),
        (lambda d: d.__setitem__("type", "NeuralNet"), "unknown type 'NeuralNet'"),
        (lambda d: d.__setitem__("format", "other"), "not a riskkit document"),
        (lambda d: d.pop("sha256"), "no body or checksum"),
        (lambda d: d.__setitem__("body", [1, 2]), "no body or checksum"),
    ],
)
def test_envelope_errors(saved: Path, change: Callable[[dict[str, Any]], None], match: str) -> None:
    _rewrite(saved, change, fix_checksum=False)
    with pytest.raises(FormatError, match=match):
        riskkit.load(saved)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: _points(d).__setitem__(0, "x"),
        lambda d: _points(d).__setitem__(0, 10**400),
        lambda d: _points(d).__setitem__(0, [1, 2]),
        lambda d: _points(d).pop(),
        lambda d: d["body"]["card"]["features"][0].__setitem__("splits", [3.0, 1.0]),
        lambda d: d["body"]["card"]["scaling"].__setitem__("pdo", -1),
        lambda d: d["body"]["card"]["scaling"].__setitem__("pdo", "20"),
        lambda d: d["body"]["card"].pop("features"),
        lambda d: d["body"]["card"].__setitem__("features", 3),
        lambda d: d["body"].pop("binnings"),
        lambda d: d["body"].__setitem__("binnings", [1]),
        lambda d: d["body"].__setitem__("iv", {"dpd": "high"}),
        lambda d: d["body"].__setitem__("coef", None),
        lambda d: d["body"].__setitem__("classes", {"dtype": "<M8[D]", "values": [1, 2]}),
        lambda d: d["body"].__setitem__("classes", {"dtype": "<f999", "values": [1, 2]}),
        lambda d: d["body"].__setitem__("feature_names", ["other"]),
        lambda d: d["body"].__setitem__("feature_names", 5),
        lambda d: d["body"]["params"].__setitem__("colour", "red"),
        lambda d: d["body"].__setitem__("card", "card"),
    ],
)
def test_malformed_body_with_a_valid_checksum(saved: Path, change: Callable[[dict[str, Any]], None]) -> None:
    _rewrite(saved, change, fix_checksum=True)
    with pytest.raises(FormatError) as info:
        riskkit.load(saved)
    assert isinstance(info.value, RiskkitError) and str(info.value)


@pytest.mark.parametrize("text", ['{"a": 1}', "[1, 2]", '"riskkit"', "{", "{}", '{"format": "riskkit"}'])
def test_not_a_riskkit_document(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError):
        riskkit.load(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(FormatError, match="not a complete riskkit JSON document"):
        riskkit.load(path)


def test_missing_file_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot read"):
        riskkit.load(tmp_path / "nope.json")


def test_unsavable_objects(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot save a dict as JSON"):
        riskkit.save({"a": 1}, tmp_path / "x.json")
    with pytest.raises(ValidationError, match="format must be"):
        riskkit.save(five_c(), tmp_path / "x.json", format="xml")
    with pytest.raises(RiskkitError):  # an unfitted Scorecard has nothing to save
        riskkit.save(Scorecard(), tmp_path / "x.json")
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------- pickle


def test_joblib_is_refused_without_allow_pickle(
    tmp_path: Path, fitted: tuple[Scorecard, pd.DataFrame]
) -> None:
    sc, X = fitted
    path = tmp_path / "m.joblib"
    riskkit.save(sc, path, format="joblib")
    with pytest.raises(FormatError, match="allow_pickle=True"):
        riskkit.load(path)
    again = riskkit.load(path, allow_pickle=True)
    assert _same_bits(again.score(X).score, sc.score(X).score)
    assert sorted(os.listdir(tmp_path)) == ["m.joblib"]


def test_pickles_that_are_not_riskkit_envelopes(tmp_path: Path) -> None:
    import joblib

    path = tmp_path / "other.joblib"
    joblib.dump({"a": 1}, path)
    with pytest.raises(FormatError, match="not a riskkit envelope"):
        riskkit.load(path, allow_pickle=True)
    joblib.dump({"format": "riskkit-joblib", "format_version": 9, "object": 1}, path)
    with pytest.raises(FormatError, match="unknown envelope version"):
        riskkit.load(path, allow_pickle=True)
    path.write_bytes(b"\x00garbage")
    with pytest.raises(FormatError, match="not a readable joblib file"):
        riskkit.load(path, allow_pickle=True)


# --------------------------------------------------------------------------- atomic writes


def test_save_overwrites_atomically_and_leaves_no_temp_files(
    tmp_path: Path, fitted: tuple[Scorecard, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"
    riskkit.save(five_c(), path)
    before = path.read_bytes()
    riskkit.save(fitted[0], path)
    assert os.listdir(tmp_path) == ["m.json"]
    assert riskkit.load(path).__class__ is Scorecard

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    riskkit.save(five_c(), path)
    monkeypatch.setattr(os, "replace", broken_replace)
    for fmt in ("json", "joblib"):
        with pytest.raises(OSError, match="disk full"):
            riskkit.save(fitted[0], path, format=fmt)
        assert os.listdir(tmp_path) == ["m.json"]  # no .riskkit-* temp file left
        assert path.read_bytes() == before  # the old document is intact


# --------------------------------------------------------------------------- no scikit-learn when scoring


def test_loading_and_scoring_does_not_import_sklearn(
    saved: Path, fitted: tuple[Scorecard, pd.DataFrame]
) -> None:
    sc, X = fitted
    rows = X.iloc[:20]
    code = textwrap.dedent(
        f"""
        import json, sys
        import riskkit
        sc = riskkit.load({str(saved)!r})
        columns = json.loads({json.dumps(json.dumps({c: rows[c].tolist() for c in rows.columns}))})
        r = sc.score(columns, reasons=2)
        proba = sc.predict_proba(columns)
        print(json.dumps({{
            "sklearn": sorted(m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")),
            "score": [float(s).hex() for s in r.score],
            "proba": [float(p).hex() for p in proba[:, 1]],
            "reasons": r.reasons.features.tolist(),
        }}))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    assert got["sklearn"] == []
    expected = sc.score(rows, reasons=2)
    assert got["score"] == [float(s).hex() for s in expected.score]
    assert got["proba"] == [float(p).hex() for p in expected.pd]
    assert expected.reasons is not None and got["reasons"] == expected.reasons.features.tolist()


def test_the_codec_imports_no_savable_type_until_one_is_saved_or_loaded() -> None:
    code = (
        "import json, sys, riskkit.persistence as p; "
        "print(json.dumps([sorted(p.TYPES), sorted(m for m in sys.modules if m.startswith(('riskkit.scoring', "
        "'riskkit.signals')))]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    types, loaded = json.loads(out.stdout)
    assert loaded == []
    assert types == ["Calibration", "DecisionTreeScorer", "ExpertScorecard", "LogisticScorer", "MasterScale", "Scorecard"]


def test_every_savable_type_owns_its_json_body() -> None:
    import importlib

    from riskkit.persistence import TYPES

    for name, target in TYPES.items():
        module, _, cls_name = target.partition(":")
        cls = getattr(importlib.import_module(module), cls_name)
        assert cls.__name__ == name and callable(cls._to_json) and callable(cls._from_json), name


def test_a_subclass_is_not_saved_as_its_parent(tmp_path: Path) -> None:
    class MyScale(MasterScale):
        pass

    with pytest.raises(ValidationError, match="cannot save a MyScale as JSON"):
        riskkit.save(MyScale.default(), tmp_path / "x.json")


# --------------------------------------------------------------------------- regressions: hostile files and folders


def test_a_utf8_bom_is_accepted(saved: Path, fitted: tuple[Scorecard, pd.DataFrame]) -> None:
    saved.write_bytes(b"\xef\xbb\xbf" + saved.read_bytes())
    sc, X = fitted
    assert _same_bits(riskkit.load(saved).score(X).score, sc.score(X).score)


def test_deep_nesting_and_huge_ints_are_format_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"format": "riskkit", "body": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(FormatError, match="deep"):
        riskkit.load(path)
    path.write_text('{"format": "riskkit", "format_version": ' + "9" * 5000 + "}", encoding="utf-8")
    with pytest.raises(FormatError, match="digits"):
        riskkit.load(path)
    path.write_text('{"format": "riskkit", "format_version": 1.0e999}', encoding="utf-8")
    with pytest.raises(FormatError, match="range"):
        riskkit.load(path)


def test_saving_into_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "no" / "such"
    for fmt in ("json", "joblib"):
        with pytest.raises(ValidationError, match=r"such.*does not exist"):
            riskkit.save(five_c(), folder / "m.json", format=fmt)
    assert not folder.exists()


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: _points(d).__setitem__(0, "nan"), r"body.card.features\[0\].points\[0\]"),
        (lambda d: _points(d).__setitem__(0, "inf"), r"body.card.features\[0\].points\[0\]"),
        (lambda d: d["body"]["card"]["scaling"].__setitem__("pdo", "inf"), "body.card.scaling"),
        (lambda d: d["body"].__setitem__("bad_positive", "false"), "body.bad_positive"),
        (lambda d: d["body"].__setitem__("named", 1), "body.named"),
        (lambda d: d["body"]["coef"].__setitem__(0, "nan"), r"body.coef\[0\]"),
        (lambda d: d["body"]["card"]["features"][0].__setitem__("special_codes", ["nan"]), "special_codes"),
        (lambda d: d["body"]["card"]["features"][0].__setitem__("surprise", 1), "surprise"),
        (lambda d: d["body"]["classes"].__setitem__("values", [1, 1]), "body.classes.values"),
    ],
)
def test_values_are_checked_on_load_and_errors_name_the_key(
    saved: Path, change: Callable[[dict[str, Any]], None], where: str
) -> None:
    _rewrite(saved, change, fix_checksum=True)
    with pytest.raises(FormatError, match=where):
        riskkit.load(saved)


def test_a_categorical_level_listed_twice_is_a_format_error(tmp_path: Path) -> None:
    card = ExpertScorecard.from_dict(
        {"features": [{"name": "c", "type": "categorical",
                       "bins": [{"values": ["a"], "points": 1}, {"values": ["b"], "points": 2}], "missing": 0}]}
    )
    path = tmp_path / "m.json"
    riskkit.save(card, path)
    _rewrite(path, lambda d: d["body"]["features"][0]["bins"][1]["values"].append("a"), fix_checksum=True)
    with pytest.raises(FormatError, match="'a'"):
        riskkit.load(path)
