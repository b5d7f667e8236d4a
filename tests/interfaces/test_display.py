"""What a notebook shows: counts as integers, only the bins in use, a unit on every column that has one."""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pytest

import riskkit
from riskkit import dunning
from riskkit._display import column_digits, html_table, text_table
from riskkit.datasets import load_german_credit, make_portfolio


class _Cells(HTMLParser):
    """The caption, headers, rows and footer text of one ``_repr_html_`` table."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.caption = ""
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.after = ""  # text after </table>: the footer
        self._tag = ""
        self._closed = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._tag = tag
        if tag == "tr":
            self.rows.append([])

    def handle_endtag(self, tag: str) -> None:
        self._closed = self._closed or tag == "table"
        self._tag = ""

    def handle_data(self, data: str) -> None:
        if self._closed:
            self.after += data
        elif self._tag == "caption":
            self.caption += data
        elif self._tag == "th":
            self.headers.append(data)
        elif self._tag == "td":
            self.rows[-1].append(data)


def table(html: str) -> _Cells:
    t = _Cells()
    t.feed(html)
    t.rows = [r for r in t.rows if r]  # the header row holds no td
    return t


def column(t: _Cells, name: str) -> list[str]:
    j = t.headers.index(name)
    return [r[j] for r in t.rows]


@pytest.fixture(scope="module")
def german() -> riskkit.Scorecard:
    X, y = load_german_credit()
    return riskkit.Scorecard().fit(X, y)


@pytest.fixture(scope="module")
def book() -> tuple[riskkit.Portfolio, riskkit.ScoreResult]:
    portfolio, _ = make_portfolio(300, seed=0)
    return portfolio, riskkit.scoring.five_c().score(portfolio.features())


# ------------------------------------------------------------------------------------------ the formatter


def test_whole_number_columns_show_no_decimals() -> None:
    html = html_table(["bin", "count", "woe"], [["a", 394.0, 1.17634], ["b", 63.0, math.nan]], digits=4)
    t = table(html)
    assert column(t, "count") == ["394", "63"]
    assert column(t, "woe") == ["1.1763", "-"]
    assert text_table(["n"], [[1200.0], [3.0]]).splitlines()[2:] == ["1,200", "    3"]


def test_a_column_shows_the_decimals_it_needs_the_same_in_every_row() -> None:
    assert column(table(html_table(["points"], [[12.0], [3.5]], digits=4)), "points") == ["12.0", "3.5"]
    assert column(table(html_table(["p"], [[1 / 3], [0.5]], digits=4)), "p") == ["0.3333", "0.5000"]
    assert column_digits([math.inf, 1.0], 2) == 2
    assert column_digits([0.1 + 0.2], 3) == 3  # 0.30000000000000004 needs every decimal allowed


def test_units_and_per_column_digits() -> None:
    html = html_table(["amount", "days"], [[1234.5, 3], [10.25, 40]], digits={"amount": 2}, units={"amount": "EUR",
                                                                                                      "days": "days"})
    t = table(html)
    assert t.headers == ["amount (EUR)", "days (days)"]
    assert column(t, "amount (EUR)") == ["1,234.50", "10.25"]
    assert column(table(html_table(["amount"], [[5000.0]], fixed=["amount"])), "amount") == ["5,000.00"]
    assert column(table(html_table(["amount"], [[5000.0]])), "amount") == ["5,000"]


# ------------------------------------------------------------------------------------------ card tables


def test_fitted_scorecard_counts_are_integers_and_empty_bins_hidden(german: riskkit.Scorecard) -> None:
    t = table(german._repr_html_())
    for name in ("count", "bads", "goods"):
        cells = column(t, name)
        assert cells and all(re.fullmatch(r"\d{1,3}(,\d{3})*", c) for c in cells), cells
    points = column(t, "points")
    assert all(re.fullmatch(r"-?[\d,]+(\.\d{1,2})?", p) for p in points)  # never 12.0000
    # German credit has no missing values and no special codes: no Special or Missing row at all
    assert not {"Special", "Missing"} & set(column(t, "bin"))
    hidden = sum(2 for _ in german.card_.features)
    assert f"{hidden} special and missing bins without training rows not shown" in t.after
    assert "table() has every bin" in t.after
    assert len(german.table()) == len(t.rows) + hidden  # table() still lists them
    assert t.caption.endswith(" points")


def test_fitted_scorecard_shows_a_missing_bin_that_holds_rows() -> None:
    X, y = load_german_credit()
    X = X.copy() if hasattr(X, "copy") else X
    durations = np.asarray(X["duration_in_month"], dtype=float)
    durations[:40] = np.nan
    X["duration_in_month"] = durations
    sc = riskkit.Scorecard().fit(X, y)
    if "duration_in_month" not in sc.selected_features_:
        pytest.skip("duration not selected")
    t = table(sc._repr_html_())
    rows = [r for r in t.rows if r[0] == "duration_in_month"]
    assert rows[-1][1] == "Missing" and rows[-1][t.headers.index("count")] == "40"
    assert "Special" not in [r[1] for r in rows]


def test_five_c_card_shows_missing_points_not_unused_special_bins() -> None:
    card = riskkit.scoring.five_c()
    t = table(card._repr_html_())
    bins = column(t, "bin")
    assert "Special" not in bins  # no 5C feature has special codes
    assert bins.count("Missing") == len(card.card.features)  # the points of a missing input, set on purpose
    points = column(t, "points")
    assert "12.0" in points and "3.5" in points and not any(p.endswith("0000") for p in points)
    assert f"no special bin shown for the {len(card.card.features)} features without special codes" in t.after
    assert t.caption == "ExpertScorecard: 11 features, score 0 to 100 points"


def test_expert_card_with_special_codes_shows_its_special_bin() -> None:
    card = riskkit.ExpertScorecard.from_dict({
        "name": "demo",
        "features": [{"name": "dpd", "bins": [{"below": 30, "points": 10}, {"points": 0}], "missing": 5,
                      "special": {"codes": [-1], "points": 2}}],
    })
    t = table(card._repr_html_())
    assert column(t, "bin") == ["[-inf, 30)", "[30, inf)", "Special", "Missing"]
    assert column(t, "points") == ["10", "0", "2", "5"]
    assert t.after == ""


def test_binning_table_hides_empty_special_and_missing(german: riskkit.Scorecard) -> None:
    b = german.binnings_["duration_in_month"]
    t = table(b._repr_html_())
    assert column(t, "bin") == b.labels()[: b.n_bins]
    assert column(t, "count") == [str(int(c)) for c in b.count[: b.n_bins]]
    assert "Special and Missing bins not shown: no training rows" in t.after


# ------------------------------------------------------------------------------------------ units


def test_score_result_names_its_units(book: tuple[riskkit.Portfolio, riskkit.ScoreResult]) -> None:
    _, result = book
    t = table(result._repr_html_())
    assert t.headers[:4] == ["customer_id", "score (points)", "pd", "grade"]
    assert all(c.isdigit() for c in column(t, "score (points)"))  # the 5C card's points are whole
    assert all(c.endswith("%") for c in column(t, "pd"))


def test_worklist_units_and_priority_index(book: tuple[riskkit.Portfolio, riskkit.ScoreResult]) -> None:
    portfolio, result = book
    work = dunning.worklist(portfolio, result)
    t = table(work._repr_html_())
    assert t.headers == ["customer_id", "stage", "next_action", "overdue_amount (money)", "days_past_due (days)",
                         "grade", "priority (top = 100)", "reorder_rule"]
    priority = column(t, "priority (top = 100)")
    assert priority[0] == "100.0"
    expected = 100 * work["priority"][: len(priority)] / work["priority"].max()
    assert [float(p) for p in priority] == pytest.approx(expected.round(1).tolist())
    assert "100 = the most urgent" in t.after
    # the data keeps the ranking score itself
    assert work["priority"][0] > 1000


def test_worklist_shows_the_reporting_currency() -> None:
    p = riskkit.Portfolio.from_records(
        customers=[{"id": "C1"}],
        invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31", "amount": 5000.0,
                   "currency": "EUR"}],
        as_of="2025-03-31",
        currency="EUR",
    )
    scores = riskkit.ScoreResult(score=[55.0], pd=[0.03], grade=["BB"], customer_ids=["C1"])
    work = dunning.worklist(p, scores)
    assert work.currency == "EUR" and work.head(1).currency == "EUR"
    t = table(work._repr_html_())
    assert "overdue_amount (EUR)" in t.headers
    assert column(t, "overdue_amount (EUR)") == ["5,000.00"]
    assert "5,000.00 EUR overdue" in t.after
    assert repr(work) == "Worklist(1 customers, as_of=2025-03-31, overdue 5,000.00 EUR)"


def test_feature_frame_names_the_units_of_the_catalogue(book: tuple[riskkit.Portfolio, riskkit.ScoreResult]) -> None:
    portfolio, _ = book
    t = table(portfolio.features()._repr_html_())
    assert "overdue_amount (money)" in t.headers
    assert "max_days_past_due (days)" in t.headers
    assert "payment_index (points)" in t.headers
    assert "overdue_ratio" in t.headers  # a ratio has no unit
    assert all(c.isdigit() or c == "-" for c in column(t, "max_days_past_due (days)"))
