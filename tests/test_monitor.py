"""riskkit.metrics.monitor: stability against hand arithmetic, alerts, default rates per grade, HTML, errors."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

import riskkit.metrics
from riskkit.errors import SchemaError, ValidationError
from riskkit.metrics import MonitoringAlert, MonitoringReport, monitor, psi
from riskkit.scoring import ExpertScorecard

# one feature: dpd below 31 scores 600 (pd 1/51, grade BB), from 31 on 500 (pd 0.39, grade C)
CARD = ExpertScorecard.from_dict(
    {"features": [{"name": "dpd", "bins": [{"below": 31, "points": 600}, {"points": 500}], "missing": 550}]}
)
LOW, HIGH = 0.0, 40.0


def book(n_low: int, n_high: int) -> dict[str, np.ndarray]:
    return {"dpd": np.r_[np.full(n_low, LOW), np.full(n_high, HIGH)]}


def hand_psi(e: list[float], a: list[float]) -> float:
    e_, a_ = np.array(e) / sum(e), np.array(a) / sum(a)
    return float(np.sum((a_ - e_) * np.log(a_ / e_)))


REFERENCE = book(18, 2)  # 90% / 10%


# ------------------------------------------------------------------------------------------ stability


def test_psi_of_score_and_characteristic_by_hand() -> None:
    report = monitor(CARD, REFERENCE, {"Jan": book(16, 4), "Feb": book(15, 5), "Mar": book(10, 10)})
    t = report.table()
    expected = [
        hand_psi([0.9, 0.1], [0.8, 0.2]),
        hand_psi([0.9, 0.1], [0.75, 0.25]),
        hand_psi([0.9, 0.1], [0.5, 0.5]),
    ]
    # 0.1 ln(9/8) + 0.1 ln 2; 0.15 ln(1.2) + 0.15 ln(2.5); 0.4 ln(1.8) + 0.4 ln 5
    assert expected == pytest.approx([0.0810930, 0.1647918, 0.8788898], abs=1e-7)
    assert t["score_psi"].tolist() == pytest.approx(expected, abs=1e-12)
    # the card's own bins: two regular bins, the special and the missing bin (empty on both sides: 0)
    assert report.characteristics()["psi"].tolist() == pytest.approx(expected, abs=1e-12)
    assert t["worst_feature"].tolist() == ["dpd"] * 3
    by_grades = monitor(CARD, REFERENCE, {"Jan": book(16, 4)}, score_bins="grades")
    assert by_grades.table()["score_psi"].tolist() == pytest.approx(expected[:1], abs=1e-12)
    assert by_grades.score_bins == "grades"


def test_score_psi_uses_the_reference_deciles() -> None:
    rng = np.random.default_rng(0)
    card = ExpertScorecard.from_dict(
        {
            "features": [
                {
                    "name": "x",
                    "bins": [{"below": float(c), "points": 600 - c} for c in range(100)] + [{"points": 400}],
                    "missing": 500,
                }
            ]
        }
    )
    ref = {"x": rng.uniform(0, 100, 5000)}
    new = {"x": rng.uniform(20, 120, 3000)}
    report = monitor(card, ref, {"new": new})
    s_ref, s_new = card.score(ref).score, card.score(new).score
    assert report.table()["score_psi"][0] == pytest.approx(psi(s_ref, s_new, 10), abs=1e-12)


def test_alerts_at_0_1_and_0_25() -> None:
    report = monitor(CARD, REFERENCE, {"Jan": book(16, 4), "Feb": book(15, 5), "Mar": book(10, 10)})
    assert report.table()["status"].tolist() == ["green", "amber", "red"]
    got = [(a.period, a.kind, a.subject, a.status, a.threshold) for a in report.alerts]
    assert got == [
        ("Feb", "score_psi", "score", "amber", 0.1),
        ("Feb", "characteristic_psi", "dpd", "amber", 0.1),
        ("Mar", "score_psi", "score", "red", 0.25),
        ("Mar", "characteristic_psi", "dpd", "red", 0.25),
    ]
    assert report.table()["alerts"].tolist() == [0, 2, 2]
    assert report.alerts[0].message == "Feb: score PSI 0.165 above 0.1"
    # other thresholds: 0.081 is now amber, 0.165 red
    strict = monitor(CARD, REFERENCE, {"Jan": book(16, 4), "Feb": book(15, 5)}, thresholds=(0.05, 0.1))
    assert strict.table()["status"].tolist() == ["amber", "red"]
    assert strict.characteristics()["status"].tolist() == ["amber", "red"]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.one_of(st.floats(-100, 100), st.just(float("nan"))), min_size=1, max_size=50), st.randoms()
)
def test_a_period_like_the_reference_is_stable(values: list[float], random: Any) -> None:
    shuffled = list(values)
    random.shuffle(shuffled)
    report = monitor(CARD, {"dpd": np.array(values)}, {"same": {"dpd": np.array(shuffled)}})
    assert report.table()["score_psi"][0] == 0.0
    assert report.characteristics()["psi"].tolist() == [0.0]
    assert report.alerts == ()


# ------------------------------------------------------------------------------------------ outcomes


def outcomes(
    n_bad_bb: int, n_bb: int = 100, n_c: int = 10, n_bad_c: int = 5
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    y = np.r_[np.ones(n_bad_bb), np.zeros(n_bb - n_bad_bb), np.ones(n_bad_c), np.zeros(n_c - n_bad_c)]
    return book(n_bb, n_c), y.astype(int)


def test_grade_default_rate_out_of_its_band() -> None:
    # grade BB covers 0.75% < pd <= 2.5%; C covers 35% < pd < 1 (5 of 10 is inside)
    report = monitor(
        CARD,
        book(100, 10),
        {"ok": outcomes(2), "by chance": outcomes(3), "amber": outcomes(6), "red": outcomes(8)},
    )
    g = report.grades()
    rows = {(r["period"], r["grade"]): r for r in g.rows()}
    assert [rows[(p, "BB")]["status"] for p in report.periods] == ["green", "green", "amber", "red"]
    assert [rows[(p, "BB")]["in_band"] for p in report.periods] == [True, False, False, False]
    assert all(rows[(p, "C")]["status"] == "green" and rows[(p, "C")]["in_band"] for p in report.periods)
    # the one-sided binomial tail at the band's upper edge
    assert rows[("amber", "BB")]["p_value"] == pytest.approx(binom.sf(5, 100, 0.025), rel=1e-9)
    assert rows[("red", "BB")]["p_value"] == pytest.approx(binom.sf(7, 100, 0.025), rel=1e-9)
    assert (rows[("red", "BB")]["pd_lower"], rows[("red", "BB")]["pd_upper"]) == (0.0075, 0.025)
    assert rows[("red", "BB")]["default_rate"] == 0.08 and rows[("red", "BB")]["n_bad"] == 8
    alerts = [(a.period, a.kind, a.subject, a.status, a.threshold) for a in report.alerts]
    assert alerts == [
        ("amber", "grade_default_rate", "BB", "amber", 0.025),
        ("red", "grade_default_rate", "BB", "red", 0.025),
    ]
    assert "above its PD band 0.75%-2.50%" in report.alerts[1].message
    t = report.table()
    assert t["n_bad"].tolist() == [7, 8, 11, 13]
    assert t["default_rate"].tolist() == pytest.approx([7 / 110, 8 / 110, 11 / 110, 13 / 110])
    assert t["auc"][0] == pytest.approx(riskkit.metrics.auc(outcomes(2)[1], CARD.score(outcomes(2)[0]).pd))
    assert t["gini"].tolist() == pytest.approx(list(2 * t["auc"] - 1))


def test_a_rate_below_its_band_is_an_alert_too() -> None:
    # 200 rows of C (35% < pd < 1) with only 20% defaults
    y = np.r_[np.ones(40), np.zeros(160)].astype(int)
    report = monitor(CARD, REFERENCE, {"low": (book(0, 200), y)})
    (alert,) = [a for a in report.alerts if a.kind == "grade_default_rate"]
    assert (alert.subject, alert.status, alert.threshold, alert.value) == ("C", "red", 0.35, 0.2)
    assert report.grades().rows()[0]["p_value"] == pytest.approx(binom.cdf(40, 200, 0.35), rel=1e-9)


def test_periods_without_outcomes() -> None:
    report = monitor(CARD, REFERENCE, [("Jan", book(16, 4), None), ("Feb", book(15, 5))])
    t = report.table()
    for column in ("n_bad", "default_rate", "auc", "gini", "ks"):
        assert all(math.isnan(v) for v in t[column].tolist()), column
    assert all(math.isnan(v) for v in report.grades()["default_rate"].tolist())
    assert report.grades()["in_band"].tolist() == [True] * 4
    assert all(a.kind != "grade_default_rate" for a in report.alerts)
    # one class only: a default rate, but no discrimination
    only_goods = monitor(CARD, REFERENCE, {"Jan": (book(16, 4), np.zeros(20, dtype=int))}).table()
    assert only_goods["default_rate"][0] == 0.0 and math.isnan(only_goods["auc"][0])


def test_mapping_and_sequence_forms_agree() -> None:
    X, y = outcomes(3)
    a = monitor(CARD, REFERENCE, {"Jan": (X, y), "Feb": book(15, 5)})
    b = monitor(CARD, REFERENCE, [("Jan", X, y), ("Feb", book(15, 5), None)])
    assert a.to_dict() == b.to_dict()
    assert a.periods == ("Jan", "Feb")


def test_a_scorer_without_a_card_reports_the_score_only() -> None:
    class Fixed:
        def score(self, X: Any) -> Any:
            pd = np.asarray(X["pd"], dtype=float)
            return type("R", (), {"score": -pd, "pd": pd, "grade": np.where(pd < 0.1, "A", "B")})()

    report = monitor(Fixed(), {"pd": np.linspace(0.01, 0.3, 50)}, {"p": {"pd": np.linspace(0.2, 0.5, 50)}})
    assert report.features == () and len(report.characteristics()) == 0
    assert report.table()["worst_feature"].tolist() == [""] and report.table()["score_psi"][0] > 0.25
    assert report.grades()["pd_lower"].tolist() == [] or math.isnan(report.grades()["pd_lower"][0])


def test_a_fitted_scorecard_on_german_credit() -> None:
    from riskkit import Scorecard
    from riskkit.datasets import load_german_credit

    X, y = load_german_credit()
    card = Scorecard().fit(X, y)
    report = monitor(card, X, {"all": (X, y)})
    assert report.features == card.selected_features_
    assert report.table()["score_psi"][0] == 0.0 and report.characteristics()["psi"].tolist() == [0.0] * len(
        report.features
    )
    assert report.table()["auc"][0] == pytest.approx(riskkit.metrics.validate(card, X, y).auc)


# ------------------------------------------------------------------------------------------ output


def test_html_structure_and_escaping() -> None:
    report = monitor(CARD, REFERENCE, {"<b>Jan</b>": book(16, 4), "Mar": outcomes(8)})
    html = report.to_html()
    assert html == report._repr_html_()
    assert html.startswith('<div class="riskkit-monitoring">') and html.endswith("</div>")
    assert html.count("<table>") == 4  # periods, alerts, characteristic stability, grades
    assert "<caption>alerts</caption>" in html and "<caption>grades</caption>" in html
    assert "&lt;b&gt;Jan&lt;/b&gt;" in html and "<b>Jan</b>" not in html
    assert '<td style="background:#f6b2b2">red</td>' in html
    quiet = monitor(CARD, REFERENCE, {"Jan": book(18, 2)}).to_html()
    assert "<p>No alerts.</p>" in quiet and quiet.count("<table>") == 3


def test_repr_dict_and_public_names() -> None:
    report = monitor(CARD, REFERENCE, {"Jan": book(15, 5), "Mar": outcomes(8)})
    assert repr(report) == "MonitoringReport(2 periods, 1 characteristics, alerts: 1 red, 2 amber)"
    d = report.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["table"]["columns"]["period"] == ["Jan", "Mar"] and len(d["alerts"]) == 3
    assert isinstance(report.alerts[0], MonitoringAlert) and report.alerts[0].to_dict()["kind"] == "score_psi"
    assert isinstance(report, MonitoringReport)
    assert {"monitor", "MonitoringReport", "MonitoringAlert"} <= set(riskkit.metrics.__all__)
    assert riskkit.metrics.__all__ == sorted(riskkit.metrics.__all__, key=lambda n: (n[0].islower(), n))


def test_plot() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from riskkit import plot

    report = monitor(CARD, REFERENCE, {"Jan": outcomes(3), "Feb": book(15, 5)})
    ax = plot.monitoring(report)
    assert [line.get_label() for line in ax.get_lines()][:2] == ["score PSI", "dpd"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan", "Feb"]
    ax = plot.monitoring(report, "default_rate")
    observed = ax.get_lines()[1].get_ydata()
    assert observed[0] == pytest.approx(8 / 110) and math.isnan(observed[1])

    with pytest.raises(ValidationError, match="kind must be"):
        plot.monitoring(report, kind="pie")
    with pytest.raises(ValidationError, match="report must be a MonitoringReport"):
        plot.monitoring(report.table())
    matplotlib.pyplot.close("all")


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("kwargs", "field", "match"),
    [
        ({"periods": {}}, "periods", "periods is empty"),
        ({"periods": "Jan"}, "periods", "periods must be a mapping"),
        ({"periods": [("Jan",)]}, "periods", r"periods\[0\] must be \(label, X\)"),
        ({"periods": {"Jan": (book(1, 1), [0, 1], None)}}, "periods", "a pair"),
        (
            {"periods": [("Jan", book(1, 1)), ("Jan", book(1, 1))]},
            "periods",
            r"repeats the label\(s\) \['Jan'\]",
        ),
        ({"periods": {"Jan": book(0, 0)}}, "periods", "period 'Jan' has no rows"),
        ({"periods": {"Jan": (book(1, 1), [0, 2])}}, "y of period 'Jan'", "only 0"),
        ({"periods": {"Jan": (book(1, 1), [0, 1, 1])}}, "periods", "has 3 values but its X has 2 rows"),
        ({"score_bins": "quintiles"}, "score_bins", "deciles"),
        ({"thresholds": (0.25, 0.1)}, "thresholds", "increasing"),
        ({"thresholds": 0.1}, "thresholds", "increasing"),
        ({"significance": (0.01, 0.05)}, "significance", "red < amber"),
        ({"card": object()}, "card", "fitted scorer"),
        ({"reference": {"dpd": np.array([])}}, "reference", "reference is empty"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, Any], field: str, match: str) -> None:
    args: dict[str, Any] = {"card": CARD, "reference": REFERENCE, "periods": {"Jan": book(1, 1)}}
    args.update(kwargs)
    with pytest.raises(ValidationError, match=match) as info:
        monitor(**args)
    assert info.value.field == field


def test_an_x_the_card_cannot_read_names_the_period() -> None:
    with pytest.raises(Exception, match="period 'Feb'") as info:
        monitor(CARD, REFERENCE, {"Jan": book(1, 1), "Feb": {"dpd": np.array(["soon"], dtype=object)}})
    assert isinstance(info.value, ValidationError)


def test_a_missing_feature_names_the_period() -> None:
    with pytest.raises(SchemaError, match=r"period 'Feb': .*dpd"):
        monitor(CARD, REFERENCE, {"Jan": book(1, 1), "Feb": {"days": np.array([1.0])}})
