"""Expert scorecards: the hand-written format, its validation, JSON/TOML, scoring, reasons and the 5C card."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import _reference as reference
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskkit import ExpertScorecard, FeatureFrame, MasterScale, Scaling
from riskkit.errors import FormatError, RiskkitError, SchemaError, ValidationError
from riskkit.scoring import five_c, five_c_spec

SPEC: dict[str, Any] = {
    "name": "demo",
    "description": "a small card",
    "scaling": {"base_score": 60, "base_odds": 50, "pdo": 10},
    "master_scale": "expert_100",
    "features": [
        {
            "name": "payment_index",
            "bins": [{"below": 50, "points": 0}, {"below": 80, "points": 8}, {"points": 15}],
            "missing": 5,
            "special": {"codes": [-1], "points": 2},
        },
        {
            "name": "sector",
            "type": "categorical",
            "bins": [
                {"values": ["retail", "food, drink"], "points": 6},
                {"values": ["construction"], "points": 1},
            ],
            "missing": 3,
        },
        {"name": "years", "bins": [{"below": 2, "points": 0}, {"points": 4}], "missing": 4},
    ],
}

TOML = """
# a card in TOML: top-level keys come before the tables
name = "toml card"
master_scale = "expert_100"

[scaling]
base_score = 60
base_odds = 50
pdo = 10

[[features]]
name = "payment_index"
missing = 5
bins = [{below = 50, points = 0}, {below = 80, points = 8}, {points = 15}]
special = {codes = [-1], points = 2}

[[features]]
name = "sector"
type = "categorical"
missing = 3
bins = [{values = ["retail", "food, drink"], points = 6}, {values = ["construction"], points = 1}]

[[features]]
name = "years"
missing = 4
bins = [{below = 2, points = 0}, {points = 4}]
"""


def _card(**changes: Any) -> ExpertScorecard:
    return ExpertScorecard.from_dict({**copy.deepcopy(SPEC), **changes})


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


# --------------------------------------------------------------------------- scoring


def test_scores_points_pd_and_grades() -> None:
    card = _card()
    r = card.score(
        {
            "payment_index": [85.0, 49.999, 50.0, np.nan, -1.0, np.inf, -np.inf],
            "sector": ["retail", "food, drink", "construction", None, "retail", "retail", "retail"],
            "years": [10, 1, 2, np.nan, 3, 3, 3],
        }
    )
    assert r.score.tolist() == [25.0, 6.0, 13.0, 12.0, 12.0, 25.0, 10.0]
    s = Scaling(60, 50, 10)
    assert _same_bits(r.pd, s.pd(r.score))
    assert r.grade.tolist() == MasterScale.expert_100().grade(score=r.score).tolist()
    assert card.score_range == (1.0, 25.0)
    assert card.feature_names == ("payment_index", "sector", "years")
    assert repr(card) == "ExpertScorecard('demo', 3 features)"


def test_numeric_bins_are_left_closed() -> None:
    f = _card().card.features[0]
    values = np.array([-np.inf, np.nextafter(50, 0), 50.0, 79.99, 80.0, np.inf, np.nan, -1.0])
    assert reference.bin_index(f, values).tolist() == [0, 0, 1, 1, 2, 2, 4, 3]
    assert _card().card.plan.total([values, np.full(8, 'retail', dtype=object), np.zeros(8)], 8, with_bins=True)[1][:, 0].tolist() == [0, 0, 1, 1, 2, 2, 4, 3]
    assert f.labels() == ["[-inf, 50)", "[50, 80)", "[80, inf)", "Special", "Missing"]


def test_integer_category_values_are_text() -> None:
    spec = {
        "features": [
            {"name": "code", "type": "categorical", "bins": [{"values": [1, "2"], "points": 3}], "missing": 0}
        ]
    }
    card = ExpertScorecard.from_dict(spec)
    assert card.card.features[0].categories == (("1", "2"),)
    assert card.score({"code": np.array([1, 2])}).score.tolist() == [3.0, 3.0]
    assert card.score({"code": ["1", None]}).score.tolist() == [3.0, 0.0]


def test_positional_2d_array_in_card_order() -> None:
    card = _card()
    X = np.array([[85.0, "retail", 10], [40.0, "construction", 1]], dtype=object)
    named = card.score(
        {"payment_index": [85.0, 40.0], "sector": ["retail", "construction"], "years": [10, 1]}
    )
    assert _same_bits(card.score(X).score, named.score)
    with pytest.raises(ValidationError, match="expecting 3 features"):
        card.score(X[:, :2])


@pytest.mark.parametrize("form", ["mapping", "dataframe", "feature_frame"])
def test_missing_column_is_an_error_naming_it(form: str) -> None:
    card = ExpertScorecard.from_dict({"features": [copy.deepcopy(SPEC["features"][0]), SPEC["features"][2]]})
    columns = {"payment_index": np.array([1.0, 2.0]), "other": np.array([0.0, 0.0])}
    if form == "dataframe":
        import pandas as pd

        X: Any = pd.DataFrame(columns)
    elif form == "feature_frame":
        X = FeatureFrame.from_mapping(columns)
    else:
        X = columns
    with pytest.raises(SchemaError, match="'years'") as info:
        card.score(X)
    assert isinstance(info.value, KeyError) and isinstance(info.value, RiskkitError)
    assert "other" in str(info.value)  # the unseen column is listed


def test_feature_frame_customer_ids_reach_the_result() -> None:
    card = ExpertScorecard.from_dict({"features": [SPEC["features"][0]]})
    ff = FeatureFrame(np.array([[90.0], [10.0]]), ["payment_index"], customer_ids=["A", "B"])
    recs = card.score(ff, reasons=1).to_records()
    assert recs[0] == {"customer_id": "A", "score": 15.0, "pd": recs[0]["pd"], "grade": recs[0]["grade"]}
    assert recs[1]["reason_1"] == "payment_index"
    assert recs[1]["reason_1_value"] == 10.0
    assert recs[1]["reason_1_points"] == 15.0


# --------------------------------------------------------------------------- unknown categories


def test_unknown_category_error_names_feature_value_and_known_levels() -> None:
    with pytest.raises(ValidationError, match="'sector' row 0: category 'mining'") as info:
        _card().score({"payment_index": [1.0], "sector": ["mining"], "years": [1]})
    assert "'construction', 'food, drink', 'retail'" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unknown_category_missing_and_worst() -> None:
    X = {"payment_index": [90.0] * 3, "sector": ["mining", None, "construction"], "years": [5] * 3}
    assert _card(unknown="missing").score(X).score.tolist() == [22.0, 22.0, 20.0]  # missing sector: 3
    assert _card(unknown="worst").score(X).score.tolist() == [20.0, 22.0, 20.0]  # worst sector bin: 1


def test_unknown_policy_must_be_known() -> None:
    with pytest.raises(ValidationError, match="unknown must be one of"):
        _card(unknown="ignore")


# --------------------------------------------------------------------------- reasons


def test_reasons_give_features_values_and_points_lost() -> None:
    card = _card()
    r = card.score(
        {
            "payment_index": [40.0, 90.0, np.nan],
            "sector": ["construction", "retail", None],
            "years": [1, 5, 1],
        },
        reasons=2,
    )
    assert r.reasons is not None
    # row 0 loses 15 (payment), 5 (sector), 4 (years): the top two
    assert r.reasons.row(0) == [("payment_index", 40.0, 15.0), ("sector", "construction", 5.0)]
    # row 1 loses nothing: no reasons, empty slots
    assert r.reasons.row(1) == []
    assert r.reasons.features[1].tolist() == ["", ""]
    assert r.reasons.values[1].tolist() == [None, None]
    assert r.reasons.points_lost[1].tolist() == [0.0, 0.0]
    # row 2: payment missing loses 10, years 4, sector missing 3
    row2 = r.reasons.row(2)
    assert [(f, p) for f, _, p in row2] == [("payment_index", 10.0), ("years", 4.0)]
    assert math.isnan(row2[0][1])


def test_reason_ties_keep_card_order() -> None:
    spec = {
        "features": [
            {"name": n, "bins": [{"below": 0, "points": 0}, {"points": 5}], "missing": 0}
            for n in ("a", "b", "c")
        ]
    }
    card = ExpertScorecard.from_dict(spec)
    r = card.score({"c": [-1.0], "b": [-1.0], "a": [1.0]}, reasons=3)
    assert r.reasons is not None
    assert r.reasons.row(0) == [("b", -1.0, 5.0), ("c", -1.0, 5.0)]


def test_more_reasons_than_features_pads_with_empty_slots() -> None:
    card = _card()
    r = card.score({"payment_index": [40.0], "sector": ["construction"], "years": [1]}, reasons=5)
    assert r.reasons is not None
    assert r.reasons.features.shape == r.reasons.values.shape == r.reasons.points_lost.shape == (1, 5)
    assert r.reasons.features[0].tolist() == ["payment_index", "sector", "years", "", ""]
    assert r.reasons.points_lost[0].tolist() == [15.0, 5.0, 4.0, 0.0, 0.0]
    assert [c for c in r.to_pandas().columns if c.startswith("reason_") and c[7:].isdigit()] == [
        f"reason_{j}" for j in range(1, 6)
    ]


@pytest.mark.parametrize("bad", [-1, True, 2.0, "1", None])
def test_reasons_must_be_a_whole_number(bad: Any) -> None:
    with pytest.raises(ValidationError, match="reasons must be an integer"):
        _card().score({"payment_index": [1.0], "sector": ["retail"], "years": [1]}, reasons=bad)


# --------------------------------------------------------------------------- validation of the format


def _feature(**changes: Any) -> dict[str, Any]:
    f = copy.deepcopy(SPEC["features"][0])
    for k, v in changes.items():
        if v is None:
            f.pop(k, None)
        else:
            f[k] = v
    return f


@pytest.mark.parametrize(
    ("feature", "match"),
    [
        (_feature(missing=None), "give 'missing' points explicitly"),
        (_feature(missing=float("nan")), "missing must be a finite number"),
        (_feature(missing=True), "missing must be a finite number"),
        (
            _feature(bins=[{"below": 80, "points": 0}, {"below": 50, "points": 1}, {"points": 2}]),
            "increase strictly",
        ),
        (
            _feature(bins=[{"below": 50, "points": 0}, {"below": 50, "points": 1}, {"points": 2}]),
            "increase strictly",
        ),
        (
            _feature(bins=[{"below": 50, "points": 0}, {"below": 60, "points": 1}]),
            "the last bin has no 'below'",
        ),
        (_feature(bins=[{"points": 0}, {"points": 1}]), r"bins\[0\] must be"),
        (_feature(bins=[{"below": 50, "points": 0, "label": "x"}, {"points": 1}]), r"bins\[0\] must be"),
        (
            _feature(bins=[{"below": "50", "points": 0}, {"points": 1}]),
            r"bins\[0\].below must be a finite number",
        ),
        (
            _feature(bins=[{"below": 50, "points": "0"}, {"points": 1}]),
            r"bins\[0\].points must be a finite number",
        ),
        (_feature(bins=[]), "'bins' must be a non-empty list"),
        (_feature(bins={"points": 1}), "'bins' must be a non-empty list"),
        (_feature(colour="red"), r"unknown keys \['colour'\]"),
        (_feature(type="ordinal"), "type must be 'numeric' or 'categorical'"),
        (_feature(name=""), r"features\[0\] needs a 'name'"),
        (_feature(name=None), r"features\[0\] needs a 'name'"),
        (_feature(special={"codes": [-1]}), "'special' must be"),
        (_feature(special={"codes": [-1], "points": 1, "x": 0}), "'special' must be"),
        (_feature(special={"codes": -1, "points": 1}), "'codes' must be a list"),
        (_feature(special={"codes": ["-1"], "points": 1}), "special code must be a finite number"),
        (_feature(special={"codes": [float("inf")], "points": 1}), "special code must be a finite number"),
        (_feature(special={"codes": [-1], "points": None}), "special points must be a finite number"),
        (
            {
                "name": "s",
                "type": "categorical",
                "bins": [{"values": ["a"], "points": 1}],
                "missing": 0,
                "special": {"codes": [-1], "points": 1},
            },
            "'special' must be",
        ),
        (
            {"name": "s", "type": "categorical", "bins": [{"values": "a", "points": 1}], "missing": 0},
            r"bins\[0\] must be \{'values'",
        ),
        (
            {
                "name": "s",
                "type": "categorical",
                "bins": [{"values": ["a"], "points": 1}, {"values": ["a"], "points": 2}],
                "missing": 0,
            },
            "category 'a' is in bins 0 and 1",
        ),
        (
            {"name": "s", "type": "categorical", "bins": [{"values": [1.5], "points": 1}], "missing": 0},
            "not text",
        ),
        ("not a mapping", r"features\[0\] must be a mapping"),
    ],
)
def test_feature_validation_errors(feature: Any, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        ExpertScorecard.from_dict({"features": [feature]})


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"features": []}, "'features' must be a non-empty list"),
        ({}, "'features' must be a non-empty list"),
        ({**SPEC, "version": 2}, r"unknown keys \['version'\]"),
        ({**SPEC, "scaling": {"base_score": 60, "pdo": 0}}, "pdo must be a number > 0"),
        ({**SPEC, "scaling": {"base_score": "60"}}, "base_score must be a finite number"),
        ({**SPEC, "scaling": {"pdo": "ten"}}, "pdo must be a number > 0"),
        ({**SPEC, "scaling": {"pdo": None}}, "pdo must be a number > 0"),
        ({**SPEC, "scaling": {"base_odds": True}}, "base_odds must be a number > 0"),
        ({**SPEC, "scaling": {"points": 1}}, "unknown scaling keys"),
        ({**SPEC, "scaling": [60, 50, 10]}, "scaling must be a mapping"),
        ({**SPEC, "master_scale": "fancy"}, "master_scale must be"),
        ({**SPEC, "features": [SPEC["features"][0], SPEC["features"][0]]}, "repeated"),
        ([1, 2], "must be a mapping"),
    ],
)
def test_card_validation_errors(spec: Any, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        ExpertScorecard.from_dict(spec)


def test_needs_a_card() -> None:
    with pytest.raises(ValidationError, match="needs a Card"):
        ExpertScorecard(SPEC)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- JSON, TOML, to_dict


def test_json_text_and_path(tmp_path: Path) -> None:
    text = json.dumps(SPEC)
    path = tmp_path / "card.json"
    path.write_text(text, encoding="utf-8")
    X = {"payment_index": [70.0, np.nan], "sector": ["food, drink", "construction"], "years": [3, 0]}
    ref = _card().score(X).score
    for source in (text, "  \n" + text, json.dumps(SPEC, indent=2), path, str(path)):
        assert _same_bits(ExpertScorecard.from_json(source).score(X).score, ref)


def test_toml_text_and_path(tmp_path: Path) -> None:
    path = tmp_path / "card.toml"
    path.write_text(TOML, encoding="utf-8")
    X = {"payment_index": [70.0, -1.0], "sector": ["food, drink", None], "years": [3, 0]}
    ref = _card().score(X).score
    for source in (TOML, path, str(path)):
        card = ExpertScorecard.from_toml(source)
        assert card.name == "toml card"
        assert _same_bits(card.score(X).score, ref)


def test_malformed_documents() -> None:
    with pytest.raises(FormatError, match="expert scorecard is not a complete JSON document"):
        ExpertScorecard.from_json('{"features": [')
    with pytest.raises(FormatError, match="TOML is malformed"):
        ExpertScorecard.from_toml("[[features]\nname = 1\n")
    with pytest.raises(ValidationError, match="cannot read"):
        ExpertScorecard.from_json("no/such/card.json")
    with pytest.raises(ValidationError, match="cannot read"):
        ExpertScorecard.from_toml(Path("no/such/card.toml"))
    with pytest.raises(ValidationError, match="must be a mapping"):
        ExpertScorecard.from_json("[\n1]")


def test_to_dict_round_trip() -> None:
    card = _card(unknown="worst")
    d = card.to_dict()
    assert json.loads(json.dumps(d)) == d  # JSON-safe
    again = ExpertScorecard.from_dict(d)
    assert again.to_dict() == d
    assert (again.name, again.description, again.card.unknown) == ("demo", "a small card", "worst")
    assert again.card.scaling == card.card.scaling
    assert again.card.master_scale == card.card.master_scale
    X = {"payment_index": [70.0, -1.0, np.nan], "sector": ["x", None, "retail"], "years": [3, 0, np.nan]}
    assert _same_bits(again.score(X).score, card.score(X).score)


def test_table_lists_every_bin() -> None:
    rows = _card().table()
    assert [r["bin"] for r in rows if r["feature"] == "sector"] == [
        "retail, food, drink",
        "construction",
        "Special",
        "Missing",
    ]
    assert [r["points"] for r in rows if r["feature"] == "payment_index"] == [0.0, 8.0, 15.0, 2.0, 5.0]
    assert "<table" in _card()._repr_html_()


# --------------------------------------------------------------------------- random cards


@st.composite
def expert_specs(draw: Any) -> dict[str, Any]:
    points = st.floats(-50, 50, allow_nan=False).map(lambda p: round(p, 3))
    features = []
    for i in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            splits = sorted(draw(st.sets(st.floats(-1e6, 1e6, allow_nan=False), max_size=4)))
            bins: list[dict[str, Any]] = [{"below": s, "points": draw(points)} for s in splits]
            bins.append({"points": draw(points)})
            f: dict[str, Any] = {"name": f"n{i}", "bins": bins, "missing": draw(points)}
            if draw(st.booleans()):
                f["special"] = {"codes": [-999.0, -1.0], "points": draw(points)}
        else:
            levels = draw(st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=5, unique=True))
            cut = draw(st.integers(1, len(levels)))
            groups = [levels[:cut], levels[cut:]] if cut < len(levels) else [levels]
            bins = [{"values": g, "points": draw(points)} for g in groups]
            f = {"name": f"c{i}", "type": "categorical", "bins": bins, "missing": draw(points)}
        features.append(f)
    return {
        "name": draw(st.text(max_size=10)),
        "scaling": {
            "base_score": draw(st.floats(-500, 500)),
            "base_odds": draw(st.floats(0.01, 500)),
            "pdo": draw(st.floats(0.1, 100)),
        },
        "unknown": draw(st.sampled_from(["missing", "worst"])),
        "features": features,
    }


def _rows(card: ExpertScorecard, n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out: dict[str, np.ndarray] = {}
    for f in card.card.features:
        if f.kind == "numeric":
            x = rng.choice(
                np.r_[f.splits, f.splits + 1e-9, -1e7, 1e7, np.nan, np.inf, -np.inf, -999.0], size=n
            )
            out[f.name] = x
        else:
            known = [c for g in f.categories for c in g]
            out[f.name] = np.array([*known, None, "unseen"], dtype=object)[
                rng.integers(0, len(known) + 2, size=n)
            ]
    return out


@settings(max_examples=60, deadline=None)
@given(expert_specs(), st.integers(0, 2**32 - 1))
def test_random_expert_cards(spec: dict[str, Any], seed: int) -> None:
    card = ExpertScorecard.from_dict(spec)
    X = _rows(card, 25, seed)
    r = card.score(X, reasons=2)
    points = reference.points_matrix(card.card, reference.bins(card.card, X))
    total = np.zeros(25)
    for j in range(points.shape[1]):
        total += points[:, j]
    assert _same_bits(total, r.score)
    s = card.card.scaling
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(
            r.pd, 1 / (1 + np.exp((r.score - s.offset) / s.factor)), rtol=1e-12, atol=1e-300
        )
    lo, hi = card.score_range
    assert (r.score >= lo - 1e-9).all() and (r.score <= hi + 1e-9).all()
    for i in range(25):
        one = card.score({k: v[i : i + 1] for k, v in X.items()}, reasons=2)
        assert _same_bits(one.score, r.score[i : i + 1])
        assert one.reasons is not None and r.reasons is not None
        assert one.reasons.features.tolist() == r.reasons.features[i : i + 1].tolist()
    again = ExpertScorecard.from_dict(card.to_dict())
    assert again.to_dict() == card.to_dict()
    assert _same_bits(again.score(X).score, r.score)


# --------------------------------------------------------------------------- the 5C card


def test_five_c_card_is_0_to_100_with_explicit_missing_points() -> None:
    card = five_c()
    assert card.score_range == (0.0, 100.0)
    assert card.card.scaling == Scaling(60.0, 50.0, 10.0)
    assert card.card.master_scale == MasterScale.expert_100()
    spec = five_c_spec()
    assert all("missing" in f for f in spec["features"])
    nothing = {n: [np.nan] for n in card.feature_names}
    r = card.score(nothing)
    assert r.score.tolist() == [sum(f["missing"] for f in spec["features"])]
    best = card.score(
        {
            **{n: [np.nan] for n in card.feature_names},  # what only the overrides read: unknown
            **{
                n: [f.splits[-1] if f.best_points == f.points[f.n_regular - 1] else -1e9]
                for n, f in zip(card.card.names, card.card.features, strict=True)
            },
        }
    )
    assert best.score.tolist() == [100.0] and best.grade.tolist() == ["AAA"]
    assert ExpertScorecard.from_dict(card.to_dict()).to_dict() == card.to_dict()


@pytest.fixture(scope="module")
def portfolio() -> Any:
    from riskkit.datasets import make_portfolio

    return make_portfolio(2000, seed=0)


def test_five_c_scores_the_synthetic_book_without_training(portfolio: Any) -> None:
    from riskkit.metrics import auc

    book, outcomes = portfolio
    features = book.features()
    r = five_c().score(features, reasons=3)
    assert len(r) == 2000
    assert r.customer_ids is not None and r.customer_ids.tolist() == outcomes.customer_ids.tolist()
    assert ((r.score >= 0) & (r.score <= 100)).all()
    as_of = np.datetime64(book.as_of, "D")
    dd = outcomes.default_date
    defaulted = ~np.isnat(dd) & (dd <= as_of)
    later = ~np.isnat(dd) & (dd > as_of) & (dd <= as_of + np.timedelta64(180, "D"))
    alive = ~defaulted
    assert later.sum() > 20
    value = auc(later[alive].astype(int), r.score[alive], higher_is_riskier=False)
    assert value > 0.75, value
    assert r.reasons is not None and r.reasons.features.shape == (2000, 3)


# --------------------------------------------------------------------------- regressions: numbers beyond float64


@pytest.mark.parametrize(
    ("feature", "match"),
    [
        ({"name": "x", "bins": [{"points": 10**400}], "missing": 0}, r"'x'.*bins\[0\].points"),
        ({"name": "x", "bins": [{"below": 10**400, "points": 1}, {"points": 2}], "missing": 0}, r"'x'.*bins\[0\].below"),
        ({"name": "x", "bins": [{"points": 1}], "missing": -(10**400)}, r"'x'.*missing"),
        ({"name": "x", "bins": [{"points": 1}], "missing": 0, "special": {"codes": [10**400], "points": 1}},
         r"'x'.*special code"),
        ({"name": "c", "type": "categorical", "bins": [{"values": [10**5000], "points": 1}], "missing": 0},
         r"'c'.*bins\[0\].values"),
    ],
)
def test_ints_beyond_float64_are_validation_errors_naming_feature_and_key(feature: dict[str, Any], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        ExpertScorecard.from_dict({"features": [feature]})


def test_huge_ints_in_the_scaling_and_master_scale_are_validation_errors() -> None:
    feature = {"name": "x", "bins": [{"points": 1}], "missing": 0}
    with pytest.raises(ValidationError, match="pdo"):
        ExpertScorecard.from_dict({"features": [feature], "scaling": {"pdo": 10**400}})
    scale = MasterScale.expert_100().to_dict()
    scale["bounds"] = [10**400, *scale["bounds"][1:]]
    with pytest.raises(ValidationError, match=r"bounds\[0\]"):
        ExpertScorecard.from_dict({"features": [feature], "master_scale": scale})


def test_the_shared_json_reader_refuses_deep_nesting_and_huge_ints_and_accepts_a_bom() -> None:
    from riskkit.persistence import parse_json

    with pytest.raises(FormatError, match="deep"):
        parse_json('{"features": ' + "[" * 100_000 + "]" * 100_000 + "}", "expert scorecard")
    with pytest.raises(FormatError, match="digits"):
        parse_json('{"pdo": ' + "9" * 5000 + "}", "expert scorecard")
    assert parse_json("\ufeff" + json.dumps(five_c_spec()), "expert scorecard") == five_c_spec()
