"""Scorecards as SQL: the SELECT of ``to_sql`` scores every row in SQLite and PostgreSQL as Python does.

Score and grade must equal Python's exactly; the pd (the database's EXP against
numpy's) to a relative 1e-13.
"""

from __future__ import annotations

import math
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskkit import ExpertScorecard, MasterScale, Scaling, Scorecard
from riskkit.datasets import load_german_credit, make_portfolio
from riskkit.errors import RiskkitError, ValidationError
from riskkit.scoring import five_c
from riskkit.scoring._sql import _exact_sqlite, grade_cuts

PD_RTOL = 1e-13
#: Runs one table through one card's SQL: (dialect, columns, kinds, sql maker) -> rows.
Runner = Callable[..., list[tuple[Any, ...]]]


# --- databases ----------------------------------------------------------------------------------


def _create(kinds: Mapping[str, str], table: str, dialect: str) -> str:
    number = "REAL" if dialect == "sqlite" else "DOUBLE PRECISION"
    cols = ", ".join(f'"{n}" {"TEXT" if k == "categorical" else number}' for n, k in kinds.items())
    return f'CREATE TABLE "{table}" ("row_id" INTEGER, {cols})'


def _rows(data: Mapping[str, Sequence[Any]]) -> list[tuple[Any, ...]]:
    columns = [list(v.tolist() if isinstance(v, np.ndarray) else v) for v in data.values()]
    return [(i, *values) for i, values in enumerate(zip(*columns, strict=True))]


def run_sqlite(
    data: Mapping[str, Sequence[Any]], kinds: Mapping[str, str], sql_of: Callable[[str], str]
) -> list[tuple[Any, ...]]:
    """Load ``data`` into an in-memory SQLite table (NaN is stored as NULL) and run the card's SQL on it."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute(_create(kinds, "book", "sqlite"))
        marks = ", ".join("?" * (len(kinds) + 1))
        db.executemany(f'INSERT INTO "book" VALUES ({marks})', _rows(data))
        return db.execute(sql_of("book") + ' ORDER BY "row_id"').fetchall()
    finally:
        db.close()


@pytest.fixture(scope="module")
def pg_engine(request: pytest.FixtureRequest) -> Iterator[Any]:
    url = request.getfixturevalue("postgres_url")
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    yield engine
    engine.dispose()


def run_postgres(engine: Any) -> Runner:
    def run(
        data: Mapping[str, Sequence[Any]], kinds: Mapping[str, str], sql_of: Callable[[str], str]
    ) -> list[tuple[Any, ...]]:
        """Load ``data`` into a fresh PostgreSQL table (NaN stays NaN) and run the card's SQL on it."""
        table = f"book_{uuid.uuid4().hex[:12]}"
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(_create(kinds, table, "postgresql"))
            marks = ", ".join(["%s"] * (len(kinds) + 1))
            cur.executemany(f'INSERT INTO "{table}" VALUES ({marks})', _rows(data))
            cur.execute(sql_of(table) + ' ORDER BY "row_id"')
            out = [tuple(r) for r in cur.fetchall()]
            cur.execute(f'DROP TABLE "{table}"')
            raw.commit()
            return out
        finally:
            raw.close()

    return run


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> tuple[str, Runner]:
    """(dialect, runner) for each database."""
    if request.param == "sqlite":
        return "sqlite", run_sqlite
    return "postgresql", run_postgres(request.getfixturevalue("pg_engine"))


# --- comparing with Python ------------------------------------------------------------------------


def assert_same(rows: list[tuple[Any, ...]], result: Any) -> None:
    """SQL rows (row_id, score, pd, grade) against a ScoreResult: score and grade exact, pd to PD_RTOL."""
    assert [r[0] for r in rows] == list(range(len(result)))
    score = [r[1] for r in rows]
    assert score == result.score.tolist()  # exact, bit for bit (0.0 == -0.0 aside)
    assert [r[3] for r in rows] == [str(g) for g in result.grade.tolist()]
    for (_, _, pd, _), expected in zip(rows, result.pd.tolist(), strict=True):
        assert pd == pytest.approx(expected, rel=PD_RTOL, abs=1e-300)


def score_in(
    run: Runner, dialect: str, card: Any, data: Mapping[str, Any], kinds: Mapping[str, str], **options: Any
) -> list[tuple[Any, ...]]:
    return run(data, kinds, lambda table: card.to_sql(dialect, table, keys=["row_id"], **options))


@pytest.fixture(scope="module")
def german() -> tuple[dict[str, np.ndarray], np.ndarray, Scorecard]:
    X, y = load_german_credit()
    return X, y, Scorecard().fit(X, y)


def _kinds(X: Mapping[str, np.ndarray]) -> dict[str, str]:
    return {n: "categorical" if v.dtype == object else "numeric" for n, v in X.items()}


# --- German credit and a random book --------------------------------------------------------------


def test_german_credit_every_row(database: tuple[str, Runner], german: Any) -> None:
    dialect, run = database
    X, _, card = german
    rows = score_in(run, dialect, card, X, _kinds(X))
    assert len(rows) == 1000
    assert_same(rows, card.score(X))


def test_german_credit_rounded_points_and_a_score_scale(database: tuple[str, Runner], german: Any) -> None:
    dialect, run = database
    X, y, _ = german
    scale = MasterScale(("A", "B", "C", "D"), (620.0, 560.0), basis="score")
    card = Scorecard(rounding=True, master_scale=scale, pdo=40).fit(X, y)
    result = card.score(X)
    assert len(set(result.grade.tolist())) == 3
    assert_same(score_in(run, dialect, card, X, _kinds(X)), result)


@pytest.fixture(scope="module")
def book() -> dict[str, np.ndarray]:
    portfolio, _ = make_portfolio(1500, seed=11)
    features = portfolio.features(as_of="2025-06-30")
    data = {n: np.array(features[n], dtype=np.float64) for n in features.names}
    # a few rows in default, so that the in-default rule is exercised whatever the synthetic book holds
    rng = np.random.default_rng(5)
    data["in_default"][rng.choice(len(data["in_default"]), 25, replace=False)] = 1.0
    return data


def test_random_book_with_the_5c_card(database: tuple[str, Runner], book: dict[str, np.ndarray]) -> None:
    dialect, run = database
    card = five_c()
    kinds = dict.fromkeys(book, "numeric")
    rows = score_in(run, dialect, card, book, kinds, in_default="in_default")
    result = card.score(book)
    assert (result.grade == "D").sum() >= 25
    assert result.override is not None and any(result.override)  # the overrides did something
    assert_same(rows, result)
    # without the in-default column both sides keep the card's own grade and pd
    rows = score_in(run, dialect, card, book, kinds)
    assert_same(rows, card.score(book, grade_defaults=False))


def test_random_book_with_a_fitted_card_special_codes_and_infinities(
    database: tuple[str, Runner], book: dict[str, np.ndarray]
) -> None:
    dialect, run = database
    rng = np.random.default_rng(8)
    names = [
        "payment_index",
        "max_days_past_due",
        "utilization",
        "debt_ratio",
        "dso_90d",
        "years_in_business",
    ]
    data = {n: book[n].copy() for n in names}
    for n in names[:3]:
        data[n][rng.random(data[n].size) < 0.05] = -999.0
    data["utilization"][:3] = [math.inf, -math.inf, math.nan]
    y = (rng.random(book["payment_index"].size) < 0.2 + 0.2 * np.isnan(book["debt_ratio"])).astype(int)
    card = Scorecard(special_codes=[-999.0], selection=None).fit(data, y)
    assert any(f.special_codes for f in card.card_.features)
    result = card.score(data)
    assert_same(score_in(run, dialect, card, data, dict.fromkeys(names, "numeric")), result)


# --- missing, special values, unknown categories --------------------------------------------------


def _card(unknown: str) -> ExpertScorecard:
    return ExpertScorecard.from_dict(
        {
            "scaling": {"base_score": 60, "base_odds": 50, "pdo": 10},
            "master_scale": "expert_100",
            "unknown": unknown,
            "features": [
                {
                    "name": "x",
                    "bins": [{"below": 0.1, "points": 10}, {"below": 0.3, "points": 25}, {"points": 40}],
                    "missing": 5,
                    "special": {"codes": [-1, 0.2], "points": 1},
                },
                {
                    "name": "sector",
                    "type": "categorical",
                    "missing": 7,
                    "bins": [
                        {"values": ["retail", "O'Brien \\ Sons"], "points": 30},
                        {"values": ["mining", ""], "points": 3},
                        {"values": ["food"], "points": 3},
                    ],
                },
            ],
        }
    )


VALUES = {
    "x": [0.0, 0.1, 0.29999999999999993, 0.3, -1.0, 0.2, math.nan, math.inf, -math.inf, 0.09999999999999999],
    "sector": ["retail", "O'Brien \\ Sons", "mining", "", None, "food", "retail", "mining", "food", "retail"],
}


@pytest.mark.parametrize("unknown", ["missing", "worst"])
def test_missing_special_bounds_and_unknown_categories(database: tuple[str, Runner], unknown: str) -> None:
    dialect, run = database
    card = _card(unknown)
    data = {"x": VALUES["x"], "sector": [*VALUES["sector"][:-2], "RETAIL", "construction"]}
    kinds = {"x": "numeric", "sector": "categorical"}
    rows = score_in(run, dialect, card, data, kinds)
    result = card.score(data)
    assert_same(rows, result)
    # -inf and the float below 0.1 are in the first bin (10 points); the unknown categories got the
    # missing points, or the lowest (the first of two bins with 3 points)
    expected = 7.0 if unknown == "missing" else 3.0
    assert [r[1] for r in rows[-2:]] == [10.0 + expected, 10.0 + expected]


def test_unknown_category_under_error_gets_no_score(database: tuple[str, Runner]) -> None:
    dialect, run = database
    card = _card("error")
    data = {"x": [0.5, 0.5, 0.5], "sector": ["retail", "construction", None]}
    with pytest.raises(ValidationError, match="construction"):
        card.score(data)
    rows = score_in(run, dialect, card, data, {"x": "numeric", "sector": "categorical"})
    assert rows[1][1:] == (None, None, None)
    known = card.score({"x": [0.5, 0.5], "sector": ["retail", None]})
    assert_same([rows[0], (1, *rows[2][1:])], known)


# --- random cards ---------------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
small_points = st.floats(min_value=-500, max_value=500, allow_nan=False, allow_infinity=False)


@st.composite
def cards_and_values(draw: st.DrawFn) -> tuple[ExpertScorecard, dict[str, list[Any]], dict[str, str]]:
    features: list[dict[str, Any]] = []
    values: dict[str, list[Any]] = {}
    kinds: dict[str, str] = {}
    n_rows = draw(st.integers(1, 12))
    for j in range(draw(st.integers(1, 4))):
        name = f"f{j}"
        if draw(st.booleans()):
            splits = sorted(set(draw(st.lists(finite, min_size=0, max_size=5))))
            bins = [{"below": s, "points": draw(small_points)} for s in splits] + [
                {"points": draw(small_points)}
            ]
            codes = draw(st.lists(finite, max_size=2))
            spec: dict[str, Any] = {"name": name, "bins": bins, "missing": draw(small_points)}
            if codes:
                spec["special"] = {"codes": codes, "points": draw(small_points)}
            near = [v for s in splits for v in (s, math.nextafter(s, -math.inf))] + codes
            pool = st.one_of(finite, st.sampled_from([math.nan, math.inf, -math.inf, *near]))
            values[name] = draw(st.lists(pool, min_size=n_rows, max_size=n_rows))
            kinds[name] = "numeric"
        else:
            levels = draw(
                st.lists(
                    st.text(
                        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=4
                    ),
                    min_size=1,
                    max_size=5,
                    unique=True,
                )
            )
            groups = [levels[i::2] for i in range(2) if levels[i::2]]
            spec = {
                "name": name,
                "type": "categorical",
                "missing": draw(small_points),
                "bins": [{"values": g, "points": draw(small_points)} for g in groups],
            }
            values[name] = draw(
                st.lists(st.sampled_from([*levels, None, "zz-unknown"]), min_size=n_rows, max_size=n_rows)
            )
            kinds[name] = "categorical"
        features.append(spec)
    scale = draw(st.sampled_from(["default", "expert_100"]))
    scaling = {
        "base_score": draw(st.floats(0, 700)),
        "base_odds": draw(st.floats(1, 100)),
        "pdo": draw(st.floats(1, 60)),
    }
    unknown = draw(st.sampled_from(["missing", "worst"]))
    card = ExpertScorecard.from_dict(
        {"features": features, "master_scale": scale, "scaling": scaling, "unknown": unknown}
    )
    return card, values, kinds


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards_and_values())
def test_random_cards_in_sqlite(drawn: tuple[ExpertScorecard, dict[str, list[Any]], dict[str, str]]) -> None:
    card, values, kinds = drawn
    assert_same(score_in(run_sqlite, "sqlite", card, values, kinds), card.score(values))


def test_random_cards_in_postgresql(pg_engine: Any) -> None:
    run = run_postgres(pg_engine)

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cards_and_values())
    def check(drawn: tuple[ExpertScorecard, dict[str, list[Any]], dict[str, str]]) -> None:
        card, values, kinds = drawn
        assert_same(score_in(run, "postgresql", card, values, kinds), card.score(values))

    check()


# --- numbers and grades ---------------------------------------------------------------------------


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_sqlite_reads_every_number_exactly(x: float) -> None:
    db = sqlite3.connect(":memory:")
    (got,) = db.execute(f"SELECT {_exact_sqlite(x)}").fetchone()
    assert isinstance(got, float)
    assert got == x


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.0001, 0.9999), min_size=1, max_size=5, unique=True),
    st.floats(0, 900),
    st.floats(1, 100),
    st.floats(1, 60),
    st.sampled_from(["right", "left"]),
    st.lists(st.floats(-2000, 3000), max_size=20),
)
def test_grade_cuts_grade_as_python(
    bounds: list[float], base: float, odds: float, pdo: float, closed: str, scores: list[float]
) -> None:
    from riskkit.scoring._card import Card, CardFeature

    scale = MasterScale(
        (*"ABCDEFG"[: len(bounds) + 1], "D!"), sorted(bounds), basis="pd", default_grade="D!", closed=closed
    )
    card = Card((CardFeature("x", "numeric", [0.0, 0.0, 0.0]),), Scaling(base, odds, pdo), scale)
    best, cuts = grade_cuts(card)
    # each cut and the float just above it grade as the cut says
    probes = [*scores, *(t for t, _ in cuts), *(math.nextafter(t, math.inf) for t, _ in cuts)]
    for s in probes:
        expected = int(scale.grade_index(pd=card.scaling.pd(np.array([s])))[0])
        got = next((k for t, k in cuts if s <= t), best)
        assert got == expected, s


# --- names ----------------------------------------------------------------------------------------


def test_a_name_with_sql_in_it_is_only_a_name() -> None:
    card = _card("missing")
    db = sqlite3.connect(":memory:")
    evil = "book; DROP TABLE keep; --"
    db.execute("CREATE TABLE keep (a INTEGER)")
    db.execute(f'CREATE TABLE "{evil}" ("x y" REAL, "sector" TEXT)')
    db.execute(f"INSERT INTO \"{evil}\" VALUES (0.5, 'retail')")
    sql = card.to_sql("sqlite", evil, columns={"x": "x y"}, keys=["sector"])
    python = card.score({"x": [0.5], "sector": ["retail"]})
    ((sector, score, pd, grade),) = db.execute(sql).fetchall()
    assert (sector, score, grade) == ("retail", float(python.score[0]), str(python.grade[0]))
    assert pd == pytest.approx(float(python.pd[0]), rel=PD_RTOL)
    assert db.execute("SELECT count(*) FROM keep").fetchone() == (0,)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"dialect": "mysql"}, "dialect must be one of 'sqlite', 'postgresql', 'ansi'"),
        ({"table": 'x"; DROP TABLE y; --'}, "table must be a non-empty name"),
        ({"table": ""}, "table must be"),
        ({"table": "erp.features"}, r"\('schema', 'table'\)"),
        ({"table": ("erp", "fea\ntures")}, r"table\[1\] must be"),
        ({"table": ("a", "b", "c", "d")}, "1 to 3 names"),
        ({"table": 3}, "table must be"),
        ({"keys": ["id\x00"]}, r"keys\[0\] must be"),
        ({"keys": "id"}, "keys must be a sequence"),
        ({"keys": ["Score"]}, "result column"),
        ({"keys": ["id", "id"]}, "given twice"),
        ({"columns": {"nope": "x"}}, "does not read"),
        ({"columns": {"x": 'x"'}}, r"columns\['x'\] must be"),
        ({"columns": ["x"]}, "columns must be a mapping"),
        ({"in_default": ""}, "in_default must be"),
        ({"dialect": "postgresql", "keys": ["k" * 64]}, "63 bytes"),
    ],
)
def test_bad_arguments_are_named(options: dict[str, Any], match: str) -> None:
    arguments = {"dialect": "sqlite", "table": "book", **options}
    with pytest.raises(ValidationError, match=match) as info:
        _card("missing").to_sql(arguments.pop("dialect"), arguments.pop("table"), **arguments)
    assert isinstance(info.value, RiskkitError)


def test_postgresql_accepts_63_bytes_and_quotes_every_dialect() -> None:
    card = _card("missing")
    name = "k" * 63
    sql = card.to_sql("postgresql", ("erp", "book"), keys=[name])
    assert f'"{name}"' in sql and 'FROM "erp"."book"' in sql
    assert 'FROM "book"' in card.to_sql("ansi", "book")
    # PostgreSQL's escape string: the same whatever standard_conforming_strings is
    assert "E'O''Brien \\\\ Sons'" in sql
    assert "'O''Brien \\ Sons'" in card.to_sql("sqlite", "book")


def test_an_unfitted_scorecard_cannot_write_sql() -> None:
    with pytest.raises(RiskkitError):
        Scorecard().to_sql("sqlite", "book")


def test_ansi_differs_from_postgresql_only_in_nan_and_escapes() -> None:
    card = _card("worst")
    ansi, pg = card.to_sql("ansi", "book"), card.to_sql("postgresql", "book")
    assert "NaN" not in ansi and "NULLIF" in pg
    unescaped = pg.replace("E'O''Brien \\\\ Sons'", "'O''Brien \\ Sons'")
    assert re.sub(r"NULLIF\(([^,]+), CAST\('NaN' AS DOUBLE PRECISION\)\)", r"\1", unescaped) == ansi
