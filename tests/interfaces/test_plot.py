"""riskkit.plot: every chart on real data draws what it should, and bad input is refused."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

import riskkit  # noqa: E402
from riskkit import ValidationError, metrics, plot  # noqa: E402
from riskkit.datasets import load_german_credit, make_portfolio  # noqa: E402
from riskkit.scoring._binning import fit_numeric  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def german():
    X, y = load_german_credit()
    sc = riskkit.Scorecard().fit(X, y)
    return sc, sc.score(X), np.asarray(y)


@pytest.fixture(scope="module")
def book():
    portfolio, outcomes = make_portfolio(300, seed=0)
    card = riskkit.scoring.five_c()
    before = card.score(portfolio.features("2025-06-30"))
    after = card.score(portfolio.features())
    y = outcomes.defaulted.astype(np.int64)
    return before, after, y


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _unwrapped(ax):
    """The x tick labels without the line breaks of wrapping (compared without spaces)."""
    return ["".join(t.get_text().split()) for t in ax.get_xticklabels()]


def _squeezed(labels):
    return ["".join(label.split()) for label in labels]


# ------------------------------------------------------------------------------------------ binning


def test_binning_from_scorecard_draws_one_bar_per_bin(german):
    sc, _, _ = german
    b = sc.binnings_["duration_in_month"]
    ax = plot.binning(sc, "duration_in_month")
    non_empty_extra = int((b.count[b.n_bins :] > 0).sum())
    bars = _bars(ax)
    assert len(bars) == b.n_bins + non_empty_extra
    assert [bar.get_height() for bar in bars] == b.count[: len(bars)].tolist()
    assert [t.get_text() for t in ax.get_xticklabels()] == b.labels()[: b.n_bins]
    assert "IV = " in ax.get_title()
    twin = [a for a in ax.figure.axes if a is not ax]
    assert len(twin) == 1
    (line,) = twin[0].get_lines()
    np.testing.assert_allclose(line.get_ydata(), b.event_rate[: b.n_bins])


def test_binning_draws_woe_and_nonempty_missing_bin():
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, np.nan, np.nan])
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1, 0, 1])
    b = fit_numeric(x, y, name="days_late", min_bin_size=0.25, min_prebin_size=0.1)
    fig, ax = plt.subplots()
    out = plot.binning(b, ax=ax, line="woe")
    assert out is ax
    assert len(_bars(ax)) == b.n_bins + 1  # the special bin is empty, the missing bin is not
    assert ax.get_xticklabels()[-1].get_text() == "Missing"
    twin = next(a for a in fig.axes if a is not ax)
    line = next(ln for ln in twin.get_lines() if ln.get_label() == "WoE")
    np.testing.assert_allclose(line.get_ydata(), b.woe[[0, 1, 3]])


def test_binning_categorical_labels(german):
    sc, _, _ = german
    b = sc.binnings_["status_of_existing_checking_account"]
    ax = plot.binning(b)
    assert _unwrapped(ax) == _squeezed(b.labels()[: b.n_bins])


def test_binning_wraps_long_labels_and_keeps_the_legend_off_the_bars(german):
    sc, _, _ = german
    b = sc.binnings_["purpose"]
    assert max(map(len, b.labels()[: b.n_bins])) > 30  # "domestic appliances, furniture/equipment"
    ax = plot.binning(sc, "purpose")
    ax.figure.canvas.draw()
    texts = [t.get_text() for t in ax.get_xticklabels()]
    assert any("\n" in t for t in texts)
    assert max(len(line) for t in texts for line in t.split("\n")) <= 18
    assert all(t.get_rotation() == 0 for t in ax.get_xticklabels())
    assert _unwrapped(ax) == _squeezed(b.labels()[: b.n_bins])  # wrapped, not cut
    # the legend sits above the plotting area, where it cannot cover a bar
    legend = ax.get_legend().get_window_extent()
    assert legend.y0 >= ax.get_window_extent().y1 - 1
    # labels of neighbouring bars do not overlap
    boxes = [t.get_window_extent() for t in ax.get_xticklabels()]
    assert all(a.x1 <= b.x0 for a, b in itertools.pairwise(boxes))


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((), {}, "feature"),  # a scorecard needs the feature
        (("no_such_feature",), {}, "feature"),
        (("duration_in_month",), {"line": "iv"}, "line"),
        (("duration_in_month",), {"ax": "not an axes"}, "ax"),
    ],
)
def test_binning_bad_arguments(german, args, kwargs, field):
    sc, _, _ = german
    with pytest.raises(ValidationError) as info:
        plot.binning(sc, *args, **kwargs)
    assert info.value.field == field
    assert field in str(info.value)


def test_binning_refuses_unfitted_cards_and_other_objects(german):
    sc, _, _ = german
    with pytest.raises(ValidationError, match=r"binning_or_scorecard.*fit it first"):
        plot.binning(riskkit.Scorecard(), "x")
    with pytest.raises(ValidationError, match="binning_or_scorecard must be"):
        plot.binning({"payment_index": 1}, "payment_index")
    with pytest.raises(ValidationError, match="does not match"):
        plot.binning(sc.binnings_["duration_in_month"], "age_in_years")


def test_binning_of_an_expert_card_draws_its_points():
    card = riskkit.scoring.five_c()
    f = next(f for f in card.card.features if f.name == "payment_index")
    ax = plot.binning(card, "payment_index")
    bars = _bars(ax)
    # the regular bins and the missing bin (its points were set on purpose); no special codes, no special bin
    assert [bar.get_height() for bar in bars] == [*f.points[: f.n_regular].tolist(), f.points[-1]]
    assert _unwrapped(ax) == _squeezed([*f.labels()[: f.n_regular], "Missing"])
    assert ax.get_ylabel() == "points"
    assert "expert card" in ax.get_title()
    assert len(ax.figure.axes) == 1  # no outcomes, so no event-rate line
    with pytest.raises(ValidationError, match="not a feature of the scorecard") as info:
        plot.binning(card, "age")
    assert info.value.field == "feature"
    with pytest.raises(ValidationError, match="feature is required"):
        plot.binning(card)


def test_binning_of_an_expert_card_shows_special_codes():
    card = riskkit.ExpertScorecard.from_dict({
        "name": "demo",
        "features": [{"name": "dpd", "bins": [{"below": 30, "points": 10}, {"points": 0}], "missing": 5,
                      "special": {"codes": [-1], "points": 2}}],
    })
    ax = plot.binning(card, "dpd")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["[-inf, 30)", "[30, inf)", "Special", "Missing"]
    assert [bar.get_height() for bar in _bars(ax)] == [10.0, 0.0, 2.0, 5.0]


# ------------------------------------------------------------------------------------------ distributions


def test_score_distribution_of_a_score_result(german):
    _, r, y = german
    ax = plot.score_distribution(r, y, bins=20)
    assert len(_bars(ax)) == 2 * 20
    assert _legend(ax) == ["goods (n=700)", "bads (n=300)"]
    # each histogram is a density over the same edges
    goods = _bars(ax)[:20]
    assert sum(b.get_height() * b.get_width() for b in goods) == pytest.approx(1.0)
    assert goods[0].get_x() == pytest.approx(float(r.score.min()))


def test_score_distribution_of_an_array_with_edges(book):
    _, after, y = book
    ax = plot.score_distribution(np.asarray(after.score), y, bins=[0, 25, 50, 75, 100])
    assert len(_bars(ax)) == 2 * 4


def test_score_distribution_without_outcomes(book):
    _, after, _ = book  # an expert 5C book scored today: no outcomes yet
    ax = plot.score_distribution(after, bins=[0, 25, 50, 75, 100])
    bars = _bars(ax)
    assert [b.get_height() for b in bars] == np.histogram(after.score, bins=[0, 25, 50, 75, 100])[0].tolist()
    assert _legend(ax) == [f"customers (n={len(after)})"]
    assert ax.get_ylabel() == "customers"
    # unscored rows are left out and said so
    ax = plot.score_distribution([50.0, np.nan, 70.0], bins=2)
    assert sum(b.get_height() for b in _bars(ax)) == 2
    assert _legend(ax) == ["customers (n=2, 1 unscored not shown)"]


@pytest.mark.parametrize(
    ("scores", "bins"),
    [([np.nan, np.nan], 10), ([], 10), ([[1.0, 2.0]], 10), (["a", "b"], 10), ([1.0, 2.0], 0)],
)
def test_score_distribution_without_outcomes_bad_input(scores, bins):
    with pytest.raises(ValidationError) as info:
        plot.score_distribution(scores, bins=bins)
    assert info.value.field == ("bins" if bins == 0 else "scores")


@pytest.mark.parametrize(
    ("scores", "y", "bins", "field"),
    [
        ([1.0, 2.0, 3.0], [0, 1], 30, "scores"),
        ([1.0, np.nan, 3.0], [0, 1, 0], 30, "scores"),
        ([1.0, 2.0, 3.0], [0, 2, 1], 30, "y"),
        ([1.0, 2.0, 3.0], [0, 0, 0], 30, "y"),
        ([1.0, 2.0, 3.0], [0, 1, 0], 0, "bins"),
        ([1.0, 2.0, 3.0], [0, 1, 0], [3.0, 1.0], "bins"),
        ([1.0, 2.0, 3.0], [0, 1, 0], "auto", "bins"),
    ],
)
def test_score_distribution_bad_input(scores, y, bins, field):
    with pytest.raises(ValidationError) as info:
        plot.score_distribution(scores, y, bins=bins)
    assert info.value.field == field


# ------------------------------------------------------------------------------------------ discrimination


def test_roc_shows_auc_gini_and_ks(german):
    _, r, y = german
    ax = plot.roc(y, r)
    auc = metrics.auc(y, r.pd)
    legend = _legend(ax)
    assert legend[0] == f"ROC (AUC = {auc:.3f}, Gini = {2 * auc - 1:.3f})"
    assert f"KS = {metrics.ks(y, r.pd):.3f}" in legend
    fpr, tpr, _ = metrics.roc_curve(y, r.pd)
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), fpr)
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), tpr)
    assert any(t.get_text().startswith("KS = ") for t in ax.texts)


def test_ks_and_roc_charts_name_the_threshold_of_the_metrics(german):
    sc, r, y = german
    threshold = metrics.ks_threshold(y, r.pd)
    text = f"threshold {threshold:.4g} (flag >=)"
    roc_note = next(t.get_text() for t in plot.roc(y, r).texts if t.get_text().startswith("KS = "))
    ks_label = next(c.get_label() for c in plot.ks(y, r).collections if isinstance(c, LineCollection))
    assert roc_note == f"KS = {metrics.ks(y, r.pd):.3f}\n{text}"
    assert ks_label == f"KS = {metrics.ks(y, r.pd):.3f} at {text}"
    assert metrics.validate(sc, load_german_credit()[0], y).ks_threshold == threshold
    # the ROC chart marks the point of that threshold, the KS chart stands its segment on it
    marker = next(ln for ln in plot.roc(y, r).get_lines() if ln.get_marker() == "o")
    flagged = r.pd >= threshold
    assert marker.get_xdata()[0] == pytest.approx(flagged[y == 0].mean())
    assert marker.get_ydata()[0] == pytest.approx(flagged[y == 1].mean())
    (segment,) = next(c for c in plot.ks(y, r).collections if isinstance(c, LineCollection)).get_segments()
    assert segment[0, 0] == threshold


def test_ks_chart_of_points_flags_from_below(german):
    _, r, y = german
    threshold = metrics.ks_threshold(y, r.score, higher_is_riskier=False)
    ax = plot.ks(y, r.score, higher_is_riskier=False)
    label = next(c.get_label() for c in ax.collections if isinstance(c, LineCollection))
    assert label == f"KS = {metrics.ks(y, r.score):.3f} at threshold {threshold:.4g} (flag <=)"
    note = next(t.get_text() for t in plot.roc(y, r.score, higher_is_riskier=False).texts)
    assert note.endswith(f"threshold {threshold:.4g} (flag <=)")
    assert ax.get_xlabel() == "points"


def test_roc_on_points_needs_the_direction(german):
    _, r, y = german
    up = plot.roc(y, r.score, higher_is_riskier=False)
    assert _legend(up)[0].startswith(f"ROC (AUC = {metrics.auc(y, r.pd):.3f}")


def test_ks_matches_validation_ks(book):
    _, after, y = book
    ax = plot.ks(y, after)
    assert [ln.get_label() for ln in ax.get_lines()] == ["goods", "bads"]
    segment = next(c for c in ax.collections if isinstance(c, LineCollection))
    label = segment.get_label()
    assert label.startswith(f"KS = {metrics.ks(y, after.pd):.3f} at ")
    (seg,) = segment.get_segments()
    assert abs(seg[1, 1] - seg[0, 1]) == pytest.approx(metrics.ks(y, after.pd))
    for line in ax.get_lines():
        assert line.get_ydata()[-1] == pytest.approx(1.0)


@pytest.mark.parametrize("fn", [plot.roc, plot.ks])
@pytest.mark.parametrize(
    ("y", "risk", "field"),
    [
        ([0, 1, 0], [0.1, 0.2], "risk"),
        ([0, 1, 0], [0.1, np.nan, 0.3], "risk"),
        ([0, 1, 5], [0.1, 0.2, 0.3], "y"),
        ([1, 1, 1], [0.1, 0.2, 0.3], "y"),
    ],
)
def test_discrimination_bad_input(fn, y, risk, field):
    with pytest.raises(ValidationError) as info:
        fn(y, risk)
    assert info.value.field == field


# ------------------------------------------------------------------------------------------ calibration


def test_calibration_one_point_per_bin(german):
    _, r, y = german
    ax = plot.calibration(y, r, n_bins=8)
    table = metrics.calibration_table(y, r.pd, n_bins=8)
    observed = next(ln for ln in ax.get_lines() if ln.get_label().startswith("observed"))
    np.testing.assert_allclose(observed.get_xdata(), table["mean_pd"])
    np.testing.assert_allclose(observed.get_ydata(), table["default_rate"])
    assert _legend(ax) == ["perfect calibration", f"observed ({len(table)} bins)"]


@pytest.mark.parametrize(
    ("pd", "n_bins", "field"),
    [([0.1, 1.5, 0.2], 10, "pd"), ([0.1, 0.5, 0.2], 0, "n_bins"), ([0.1, 0.5], 10, "pd")],
)
def test_calibration_bad_input(pd, n_bins, field):
    with pytest.raises(ValidationError) as info:
        plot.calibration([0, 1, 0], pd, n_bins=n_bins)
    assert info.value.field == field


# ------------------------------------------------------------------------------------------ migration


def test_grade_migration_matrix(book):
    before, after, _ = book
    ax = plot.grade_migration(before, after)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    scale = riskkit.MasterScale.default().grades
    assert labels == [g for g in scale if g in set(before.grade) | set(after.grade)]
    (image,) = ax.get_images()
    counts = np.asarray(image.get_array())
    assert counts.shape == (len(labels), len(labels))
    assert counts.sum() == len(before)
    assert len(ax.texts) == counts.size
    i, j = labels.index(str(before.grade[0])), labels.index(str(after.grade[0]))
    expected = int(np.sum((before.grade == before.grade[0]) & (after.grade == after.grade[0])))
    assert counts[i, j] == expected
    assert f"{int(np.trace(counts))} of 300 unchanged" in ax.get_title()


def test_grade_migration_custom_order():
    ax = plot.grade_migration(["low", "high", "low"], ["high", "high", "mid"], order=["low", "mid", "high"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["low", "mid", "high"]
    np.testing.assert_array_equal(np.asarray(ax.get_images()[0].get_array()), [[0, 1, 1], [0, 0, 0], [0, 0, 1]])


@pytest.mark.parametrize(
    ("before", "after", "order", "field"),
    [
        (["A", "B"], ["A"], None, "grades_after"),
        (["A", None], ["A", "B"], None, "grades_before"),
        ([], [], None, "grades_before"),
        (["A", "B"], ["A", "Z"], ["A", "B"], "order"),
        (["A", "B"], ["A", "B"], "AB", "order"),
    ],
)
def test_grade_migration_bad_input(before, after, order, field):
    with pytest.raises(ValidationError) as info:
        plot.grade_migration(before, after, order=order)
    assert info.value.field == field


# ------------------------------------------------------------------------------------------ optional dependency


def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
                          check=False)


def test_import_does_not_import_matplotlib():
    done = _run(
        """
        import sys
        import riskkit.plot
        assert not any(m == "matplotlib" or m.startswith("matplotlib.") for m in sys.modules), "matplotlib imported"
        print("ok")
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_missing_matplotlib_raises_a_clear_import_error():
    done = _run(
        """
        import sys
        sys.modules["matplotlib"] = None  # as if it were not installed
        sys.modules["matplotlib.pyplot"] = None
        from riskkit import plot
        try:
            plot.roc([0, 1], [0.2, 0.8])
        except ImportError as exc:
            print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    assert 'pip install "riskkit[plot]"' in done.stdout
