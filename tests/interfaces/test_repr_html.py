"""Notebook display: every user-facing result renders a well-formed, escaped HTML table with its key columns."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pytest

import riskkit
from riskkit import dunning, signals
from riskkit.datasets import load_german_credit

AS_OF = "2025-06-30"
#: ids and invoice numbers that would break the page (or run script) if not escaped
NASTY = "<b>Acme & Co</b>"
NASTY_2 = "<script>alert(1)</script>"


class _Table(HTMLParser):
    """Parses ``_repr_html_`` output: checks every tag closes in order, collects headers, rows and text."""

    VOID = frozenset({"br", "hr", "img", "meta", "col"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.headers: list[list[str]] = []
        self.rows: list[list[str]] = []
        self.captions: list[str] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.append(tag)
        if tag in self.VOID:
            return
        self.stack.append(tag)
        if tag == "table":
            self.headers.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th", "caption"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag in ("td", "th", "caption"):
            text = "".join(self._cell or [])
            if tag == "th":
                self.headers[-1].append(text)
            elif tag == "td":
                assert self._row is not None
                self._row.append(text)
            else:
                self.captions.append(text)
            self._cell = None
        elif tag == "tr" and self._row:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> _Table:
    assert isinstance(html, str) and html.startswith("<table>")
    t = _Table()
    t.feed(html)
    t.close()
    assert not t.stack, f"unclosed tags {t.stack}"
    assert "script" not in t.tags and "b" not in t.tags, "a value was rendered as markup"
    for row in t.rows:
        assert len(row) == len(t.headers[0]), "every row has one cell per column"
    return t


def _day(offset: int) -> str:
    return str(dt.date.fromisoformat(AS_OF) + dt.timedelta(days=offset))


@pytest.fixture(scope="module")
def book() -> riskkit.Portfolio:
    """Two customers with awkward ids, each with an overdue invoice whose number looks like markup."""
    customers = [{"id": NASTY, "industry": "retail"}, {"id": "plain", "industry": "retail"}]
    invoices = [
        {"id": NASTY_2, "customer_id": NASTY, "issued": _day(-80), "due": _day(-50), "amount": 1200.0},
        {"id": "INV-2", "customer_id": "plain", "issued": _day(-40), "due": _day(-10), "amount": 300.0},
        {"id": "INV-3", "customer_id": "plain", "issued": _day(-200), "due": _day(-170), "amount": 50.0,
         "paid_amount": 50.0, "paid_on": _day(-160)},
    ]
    return riskkit.Portfolio.from_records(customers=customers, invoices=invoices, as_of=AS_OF)


@pytest.fixture(scope="module")
def scores(book: riskkit.Portfolio) -> riskkit.ScoreResult:
    return riskkit.scoring.five_c().score(book.features(), reasons=2)


def test_portfolio(book):
    t = parse(book._repr_html_())
    assert t.captions == ["riskkit.Portfolio"]
    assert t.headers[0] == ["table", "rows"]
    counts = dict(t.rows)
    assert counts["customers"] == "2"
    assert counts["invoices"] == "3"
    assert counts["as_of"] == AS_OF


def test_feature_frame(book):
    frame = book.features()
    html = frame._repr_html_()
    t = parse(html)
    assert t.headers[0][0] == "customer_id"
    assert set(frame.names) <= {h.split(" (")[0] for h in t.headers[0]}  # a header may add its unit
    assert [r[0] for r in t.rows] == [NASTY, "plain"]
    assert "&lt;b&gt;Acme &amp; Co&lt;/b&gt;" in html
    assert any("2 rows" in s for s in t.text)


def test_feature_frame_shows_at_most_max_rows():
    portfolio, _ = riskkit.datasets.make_portfolio(30, seed=0)
    t = parse(portfolio.features()._repr_html_(max_rows=5))
    assert len(t.rows) == 5
    assert any("30 rows" in s for s in t.text)


def test_score_result(scores):
    html = scores._repr_html_()
    t = parse(html)
    assert t.captions == ["riskkit.ScoreResult"]
    assert t.headers[0] == ["customer_id", "score (points)", "pd", "grade", "override", "reasons (points lost)"]
    assert t.rows[0][0] == NASTY
    assert "&lt;b&gt;" in html
    assert t.rows[0][3] == str(scores.grade[0])
    assert t.rows[0][2].endswith("%")


def test_score_result_without_ids_or_reasons():
    r = riskkit.ScoreResult(score=np.array([1.0, 2.0]), pd=np.array([0.1, 0.2]), grade=np.array(["A", "<B>"]))
    t = parse(r._repr_html_())
    assert t.headers[0] == ["customer_id", "score (points)", "pd", "grade"]
    assert t.rows == [["0", "1", "10.00%", "A"], ["1", "2", "20.00%", "<B>"]]  # whole points: no decimals


def test_expert_scorecard_points_table():
    card = riskkit.ExpertScorecard.from_dict({
        "name": "demo",
        "features": [
            {"name": "a<b", "bins": [{"below": 50, "points": 0}, {"points": 60}], "missing": 30},
            {"name": "sector", "type": "categorical",
             "bins": [{"values": ["<retail>"], "points": 40}, {"values": ["mining & quarrying"], "points": 10}],
             "missing": 20},
        ],
    })
    html = card._repr_html_()
    t = parse(html)
    assert t.headers[0] == ["feature", "bin", "points"]
    assert {r[0] for r in t.rows} == {"a<b", "sector"}
    assert any(r[1] == "<retail>" for r in t.rows)
    assert "a&lt;b" in html and "&lt;retail&gt;" in html and "mining &amp; quarrying" in html
    # every bin but the special ones, which these features (no special codes) never use
    assert len(t.rows) == len(card.table()) - 2
    assert [r[2] for r in t.rows if r[0] == "a<b"] == ["0", "60", "30"]


def test_five_c_card():
    card = riskkit.scoring.five_c()
    t = parse(card._repr_html_())
    assert t.headers[0] == ["feature", "bin", "points"]
    assert {r[0] for r in t.rows} == set(card.card.names)  # the points' features (overrides read more)


def test_fitted_scorecard_shows_woe_iv_and_points():
    X, y = load_german_credit()
    sc = riskkit.Scorecard().fit(X, y)
    t = parse(sc._repr_html_())
    for column in ("feature", "bin", "count", "event_rate", "woe", "iv", "points"):
        assert column in t.headers[0]
    assert {r[0] for r in t.rows} <= set(sc.selected_features_)
    used = [r for r in sc.table() if r["bin"] not in ("Special", "Missing") or r["count"] > 0]
    assert len(t.rows) == min(len(used), 120)
    if len(used) > 120:
        assert any(f"{len(used) - 120} more bins not shown" in s for s in t.text)
    assert any("14 features" in c for c in t.captions) or "features" in sc._repr_html_()


def test_watchlist(book):
    wl = signals.evaluate(book, signals=["overdue_days"])
    html = wl._repr_html_()
    t = parse(html)
    assert t.captions == ["riskkit.signals.Watchlist"]
    for column in ("customer_id", "signal", "severity", "value", "threshold", "evidence", "status"):
        assert column in t.headers[0]
    assert t.rows[0][0] == NASTY
    assert NASTY_2 in t.rows[0][t.headers[0].index("evidence")]
    assert "&lt;script&gt;" in html
    assert any(f"as of {AS_OF}" in s for s in t.text)


def test_empty_watchlist(book):
    wl = signals.evaluate(book, signals=["overdue_days"]).at_least("critical").for_customer("plain")
    t = parse(wl._repr_html_())
    assert t.rows == []
    assert t.headers[0][0] == "customer_id"


def test_worklist(book, scores):
    work = dunning.worklist(book, scores, as_of=AS_OF)
    html = work._repr_html_()
    t = parse(html)
    assert t.captions == ["riskkit.Worklist"]
    for column in ("customer_id", "stage", "next_action", "overdue_amount (money)", "days_past_due (days)", "grade",
                   "priority (top = 100)"):
        assert column in t.headers[0]
    assert [r[0] for r in t.rows] == [NASTY, "plain"]  # most overdue first
    assert "&lt;b&gt;Acme &amp; Co&lt;/b&gt;" in html
    assert t.rows[0][t.headers[0].index("overdue_amount (money)")] == "1,200.00"
