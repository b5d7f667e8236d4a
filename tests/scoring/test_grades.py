"""MasterScale: every boundary of the built-in scales, NaN, round trips and errors."""

from __future__ import annotations

import json
import math
import struct

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from riskkit.errors import ValidationError
from riskkit.scoring import MasterScale

NAN = float("nan")
GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")


def up(x: float) -> float:
    return math.nextafter(x, math.inf)


def down(x: float) -> float:
    return math.nextafter(x, -math.inf)


# ------------------------------------------------------------------ the default PD scale, edge by edge

DEFAULT_UPPER = [  # grade, its inclusive upper pd bound, as the docstring table says
    ("AAA", 0.0003),
    ("AA", 0.001),
    ("A", 0.0025),
    ("BBB", 0.0075),
    ("BB", 0.025),
    ("B", 0.075),
    ("CCC", 0.20),
    ("CC", 0.35),
]


def test_default_scale_grades_and_bounds() -> None:
    s = MasterScale.default()
    assert s.grades == GRADES
    assert s.bounds == tuple(b for _, b in DEFAULT_UPPER)
    assert (s.basis, s.default_grade, s.closed) == ("pd", "D", "right")


@pytest.mark.parametrize(("i", "grade", "bound"), [(i, g, b) for i, (g, b) in enumerate(DEFAULT_UPPER)])
def test_default_scale_each_edge(i: int, grade: str, bound: float) -> None:
    s = MasterScale.default()
    # exactly on the bound: the better grade (intervals are closed on the right)
    assert s.grade(pd=[bound, down(bound), up(bound)]).tolist() == [grade, grade, GRADES[i + 1]]
    assert s.grade_index(pd=[bound, up(bound)]).tolist() == [i, i + 1]


def test_default_scale_ends() -> None:
    s = MasterScale.default()
    assert s.grade(pd=[0.0, 1e-300, up(0.35), 0.5, down(1.0), 1.0]).tolist() == [
        "AAA",
        "AAA",
        "C",
        "C",
        "C",
        "D",
    ]


# ------------------------------------------------------------------ the 100-point expert scale, edge by edge

EXPERT_LOWER = [
    ("AA", 80.0),
    ("A", 70.0),
    ("BBB", 60.0),
    ("BB", 50.0),
    ("B", 40.0),
    ("CCC", 30.0),
    ("CC", 20.0),
]


def test_expert_scale_definition() -> None:
    s = MasterScale.expert_100()
    assert s.grades == GRADES
    assert s.bounds == (up(90.0), *(b for _, b in EXPERT_LOWER))
    assert (s.basis, s.closed) == ("score", "left")


def test_expert_scale_aaa_needs_more_than_90() -> None:
    s = MasterScale.expert_100()
    assert s.grade(score=[up(90.0), 90.0, down(90.0)]).tolist() == ["AAA", "AA", "AA"]


@pytest.mark.parametrize(("i", "grade", "bound"), [(i + 1, g, b) for i, (g, b) in enumerate(EXPERT_LOWER)])
def test_expert_scale_each_lower_edge_is_inclusive(i: int, grade: str, bound: float) -> None:
    s = MasterScale.expert_100()
    # "80-90 AA", "40-50 B", "below 40 no open credit": a band includes its lower edge
    assert s.grade(score=[up(bound), bound, down(bound)]).tolist() == [grade, grade, GRADES[i + 1]]


def test_expert_scale_documented_examples() -> None:
    s = MasterScale.expert_100()
    got = s.grade(score=[100, 90, 85, 80, 50, 40, 39.9, 30, 20, 19.9, 0, -3, 120]).tolist()
    assert got == ["AAA", "AA", "AA", "AA", "BB", "B", "CCC", "CCC", "CC", "C", "C", "C", "AAA"]
    # a score never reaches D; a default flag does
    assert "D" not in s.grade(score=np.linspace(-50, 150, 2001)).tolist()
    assert s.grade(score=[95, NAN], in_default=[True, True]).tolist() == ["D", "D"]


def test_expert_scale_table_matches_docstring() -> None:
    rules = [r["rule"] for r in MasterScale.expert_100().table()]
    assert rules == [
        "score > 90",
        "80 <= score <= 90",
        "70 <= score < 80",
        "60 <= score < 70",
        "50 <= score < 60",
        "40 <= score < 50",
        "30 <= score < 40",
        "20 <= score < 30",
        "score < 20",
        "in default (flagged)",
    ]
    doc = MasterScale.expert_100.__doc__ or ""
    for grade, rule in zip(GRADES[:-1], rules[:-1], strict=True):
        assert f"{grade} " in doc and rule in doc


# ------------------------------------------------------------------ closed="left" / score >= bound


def test_score_scale_default_closed_left_means_score_at_least_bound() -> None:
    s = MasterScale(("A", "B", "C", "D"), (700, 600), basis="score")
    assert s.closed == "left"
    assert s.grade(score=[701, 700, down(700.0), 600, down(600.0), -1e9]).tolist() == [
        "A",
        "A",
        "B",
        "B",
        "C",
        "C",
    ]


def test_pd_scale_closed_left() -> None:
    s = MasterScale(("A", "B", "C", "D"), (0.01, 0.05), basis="pd", closed="left")
    assert s.grade(pd=[0.0, down(0.01), 0.01, 0.05, 0.99, 1.0]).tolist() == ["A", "A", "B", "C", "C", "D"]


def test_two_grade_scale_has_no_bounds() -> None:
    s = MasterScale(("OK", "D"), ())
    assert s.grade(pd=[0.0, 0.9, 1.0, NAN]).tolist() == ["OK", "OK", "D", ""]
    assert MasterScale(("OK", "D"), (), basis="score").grade(score=[-5, 5]).tolist() == ["OK", "OK"]


# ------------------------------------------------------------------ NaN, shapes, in_default


def test_nan_gets_empty_grade_and_minus_one() -> None:
    s = MasterScale.default()
    assert s.grade(pd=[NAN, 0.01]).tolist() == ["", "BB"]
    assert s.grade_index(pd=[NAN, 0.01]).tolist() == [-1, 4]
    assert s.grade_index(pd=[NAN]).dtype == np.int64
    assert s.grade(pd=[None, 0.5]).tolist() == ["", "C"]


def test_scalar_input_gives_0d() -> None:
    s = MasterScale.default()
    g = s.grade(pd=0.05)
    assert isinstance(g, np.ndarray) and g.shape == () and str(g) == "B"
    assert s.grade_index(pd=0.05).shape == ()
    assert s.grade(pd=[]).shape == (0,)


def test_in_default_overrides() -> None:
    s = MasterScale.default()
    assert s.grade(pd=[0.001, 0.001, NAN], in_default=[0, 1, 1]).tolist() == ["AA", "D", "D"]
    with pytest.raises(ValidationError, match="in_default has shape"):
        s.grade(pd=[0.1, 0.2], in_default=[True])
    with pytest.raises(ValidationError, match="in_default must be booleans"):
        s.grade(pd=[0.1], in_default=[NAN])


@given(st.lists(st.one_of(st.floats(0.0, 1.0), st.just(NAN)), max_size=40))
def test_batch_equals_row_by_row(pds: list[float]) -> None:
    s = MasterScale.default()
    batch = s.grade(pd=pds).tolist()
    assert batch == [str(s.grade(pd=p)) for p in pds]
    idx = s.grade_index(pd=pds)
    assert [s.grades[i] if i >= 0 else "" for i in idx] == batch


@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=40))
def test_riskier_pd_never_gets_a_better_grade(pds: list[float]) -> None:
    s = MasterScale.default()
    p = np.sort(np.array(pds))
    assert np.all(np.diff(s.grade_index(pd=p)) >= 0)


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=40))
def test_higher_score_never_gets_a_worse_grade(scores: list[float]) -> None:
    s = MasterScale.expert_100()
    x = np.sort(np.array(scores))
    assert np.all(np.diff(s.grade_index(score=x)) <= 0)


# ------------------------------------------------------------------ table and display


def test_table_rows_agree_with_grading() -> None:
    s = MasterScale.default()
    rows = s.table()
    assert [r["grade"] for r in rows] == list(GRADES)
    assert rows[0] == {"grade": "AAA", "lower": 0.0, "upper": 0.0003, "rule": "0 <= pd <= 0.0003"}
    assert rows[8]["rule"] == "0.35 < pd < 1"
    assert rows[9]["rule"] == "pd = 1 (in default)"
    for r in rows[:-1]:  # each row's upper edge (inclusive except C) grades as that row
        edge = r["upper"] if r["grade"] != "C" else down(1.0)
        assert str(s.grade(pd=edge)) == r["grade"]


def test_score_table() -> None:
    rows = MasterScale.expert_100().table()
    assert rows[5] == {"grade": "B", "lower": 40.0, "upper": 50.0, "rule": "40 <= score < 50"}
    assert rows[8] == {"grade": "C", "lower": None, "upper": 20.0, "rule": "score < 20"}
    assert rows[9]["lower"] is None and rows[9]["upper"] is None
    left = MasterScale(("A", "B", "C", "D"), (700, 600), basis="score").table()
    assert [r["rule"] for r in left[:3]] == ["score >= 700", "600 <= score < 700", "score < 600"]
    right = MasterScale(("A", "B", "C", "D"), (700, 600), basis="score", closed="right").table()
    assert [r["rule"] for r in right[:3]] == ["score > 700", "600 < score <= 700", "score <= 600"]
    left_pd = MasterScale(("A", "B", "C", "D"), (0.01, 0.05), closed="left").table()
    assert [r["rule"] for r in left_pd] == [
        "0 <= pd < 0.01",
        "0.01 <= pd < 0.05",
        "0.05 <= pd < 1",
        "pd = 1 (in default)",
    ]
    assert [r["rule"] for r in MasterScale(("OK", "D"), (), basis="score").table()] == [
        "any score",
        "in default (flagged)",
    ]


@given(st.floats(-1e6, 1e6), st.sampled_from(["right", "left"]))
@example(90.0, "left")
@example(up(90.0), "left")
@example(90.0, "right")
@example(up(90.0), "right")
@example(20.0, "left")
@example(down(20.0), "left")
@example(20.0, "right")
@example(down(20.0), "right")
def test_table_rule_text_agrees_with_grading(x: float, closed: str) -> None:
    # the rule of the grade a score gets must hold for that score, read as plain inequalities
    s = MasterScale(("A", "B", "C", "D"), (up(90.0), down(20.0)), basis="score", closed=closed)  # type: ignore[arg-type]
    rule = s.table()[int(s.grade_index(score=x))]["rule"]
    assert eval(rule, {"score": x})


def test_repr_html() -> None:
    html = MasterScale.default()._repr_html_()
    assert html.startswith("<table>") and "AAA" in html and "0.35 &lt; pd &lt; 1" in html


# ------------------------------------------------------------------ persistence


def _bits(xs: tuple[float, ...]) -> list[bytes]:
    return [struct.pack("<d", x) for x in xs]


@pytest.mark.parametrize("scale", [MasterScale.default(), MasterScale.expert_100()])
def test_round_trip_through_json(scale: MasterScale) -> None:
    back = MasterScale.from_dict(json.loads(json.dumps(scale.to_dict(), allow_nan=False)))
    assert back == scale
    assert _bits(back.bounds) == _bits(scale.bounds)


@given(
    st.lists(st.floats(1e-12, 1.0, exclude_max=True), min_size=1, max_size=8, unique=True),
    st.sampled_from(["right", "left"]),
)
def test_round_trip_is_bit_identical(bounds: list[float], closed: str) -> None:
    b = tuple(sorted(bounds))
    s = MasterScale((*(f"G{i}" for i in range(len(b) + 1)), "D"), b, closed=closed)  # type: ignore[arg-type]
    back = MasterScale.from_dict(json.loads(json.dumps(s.to_dict())))
    assert _bits(back.bounds) == _bits(s.bounds) and back == s


def test_from_dict_errors() -> None:
    d = MasterScale.default().to_dict()
    with pytest.raises(ValidationError, match=r"unknown \['colour'\]"):
        MasterScale.from_dict({**d, "colour": "red"})
    with pytest.raises(ValidationError, match=r"missing \['closed'\]"):
        MasterScale.from_dict({k: v for k, v in d.items() if k != "closed"})
    with pytest.raises(ValidationError, match="must be a mapping"):
        MasterScale.from_dict([1, 2])  # type: ignore[arg-type]


# ------------------------------------------------------------------ construction errors


@pytest.mark.parametrize(
    ("kwargs", "field", "match"),
    [
        ({"grades": "ABD", "bounds": (0.1,)}, "grades", "sequence of grade names"),
        ({"grades": ("A", "A", "D"), "bounds": (0.1,)}, "grades", "unique"),
        ({"grades": ("A", "", "D"), "bounds": (0.1,)}, "grades", r"grades\[1\] must be a non-empty string"),
        ({"grades": ("D",), "bounds": ()}, "grades", "at least one performing grade"),
        ({"grades": ("A", "B", "X"), "bounds": (0.1,)}, "default_grade", "must be the last"),
        ({"grades": ("A", "D", "B"), "bounds": (0.1,)}, "default_grade", "must be the last"),
        ({"grades": ("A", "B", "D"), "bounds": (0.1, 0.2)}, "bounds", "3 grades need 1 bound "),
        ({"grades": ("A", "B", "C", "D"), "bounds": (0.2, 0.1)}, "bounds", "strictly increasing"),
        ({"grades": ("A", "B", "C", "D"), "bounds": (0.1, 0.1)}, "bounds", "strictly increasing"),
        ({"grades": ("A", "B", "D"), "bounds": (1.0,)}, "bounds", "strictly between 0 and 1"),
        ({"grades": ("A", "B", "D"), "bounds": (0.0,)}, "bounds", "strictly between 0 and 1"),
        ({"grades": ("A", "B", "D"), "bounds": (NAN,)}, "bounds", "finite"),
        ({"grades": ("A", "B", "D"), "bounds": (True,)}, "bounds", "must be a number"),
        ({"grades": ("A", "B", "D"), "bounds": ("0.1",)}, "bounds", "must be a number"),
        ({"grades": ("A", "B", "D"), "bounds": 0.1}, "bounds", "sequence of finite numbers"),
        (
            {"grades": ("A", "B", "C", "D"), "bounds": (10, 20), "basis": "score"},
            "bounds",
            "strictly decreasing",
        ),
        ({"grades": ("A", "B", "D"), "bounds": (0.1,), "basis": "odds"}, "basis", "'pd' or 'score'"),
        ({"grades": ("A", "B", "D"), "bounds": (0.1,), "closed": "both"}, "closed", "'right' or 'left'"),
    ],
)
def test_constructor_errors(kwargs: dict, field: str, match: str) -> None:
    with pytest.raises(ValidationError, match=match) as info:
        MasterScale(**kwargs)
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_grade_argument_errors() -> None:
    pd_scale, score_scale = MasterScale.default(), MasterScale.expert_100()
    with pytest.raises(ValidationError, match="exactly one of pd= or score="):
        pd_scale.grade()
    with pytest.raises(ValidationError, match="exactly one of pd= or score="):
        pd_scale.grade(pd=[0.1], score=[1.0])
    with pytest.raises(ValidationError, match="grades by pd; pass pd="):
        pd_scale.grade(score=[600.0])
    with pytest.raises(ValidationError, match="grades by score; pass score="):
        score_scale.grade(pd=[0.1])
    with pytest.raises(ValidationError, match=r"row 2 is -0.1 \(2 rows out of range\)") as info:
        pd_scale.grade(pd=[0.1, 0.2, -0.1, 3.0])
    assert (info.value.row, info.value.field) == (2, "pd")
    assert score_scale.grade(score=[math.inf, -math.inf]).tolist() == ["AAA", "C"]
    with pytest.raises(ValidationError, match="1-D"):
        pd_scale.grade(pd=[[0.1]])
    with pytest.raises(ValidationError, match="must be numbers"):
        pd_scale.grade(pd=["low"])


def test_scale_is_frozen_and_hashable() -> None:
    s = MasterScale.default()
    with pytest.raises(AttributeError):
        s.basis = "score"  # type: ignore[misc]
    assert hash(s) == hash(MasterScale.default())
