"""The month-end report's HTML, parsed: sections, named customers, no reprs or non-numbers, round ticks."""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser

import numpy as np
import pytest

import riskkit
from riskkit.datasets import make_portfolio
from riskkit.errors import ValidationError
from riskkit.reporting import Report, report

SECTIONS = ("summary", "grades", "watchlist", "limits", "reviews", "worklist", "provisions", "validation")


class _Page(HTMLParser):
    """Section ids, the text of each section, tick values, and any script or external reference."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self.current: str | None = None
        self.ticks: list[float] = []
        self.external: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "section":
            self.current = a.get("id") or ""
            self.sections[self.current] = []
        if "data-tick" in a:
            self.ticks.append(float(a["data-tick"] or "nan"))
        for key in ("src", "href"):
            if a.get(key):
                self.external.append(str(a[key]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.current = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.current is not None:
            self.sections[self.current].append(data)


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def _round(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m, rel_tol=1e-9) for m in (1, 2, 2.5, 5, 10))


@pytest.fixture(scope="module")
def book() -> tuple[riskkit.Portfolio, riskkit.Outcomes]:
    return make_portfolio(400, seed=2)


@pytest.fixture(scope="module")
def rep(book: tuple[riskkit.Portfolio, riskkit.Outcomes]) -> Report:
    portfolio, outcomes = book
    return report(portfolio, outcomes=outcomes, currency="EUR", watchlist_budget=10)


@pytest.mark.parametrize("regime", ["default", "late_payers", "growth"])
def test_the_page_has_every_section_and_no_repr_or_non_number(regime: str) -> None:
    portfolio, outcomes = make_portfolio(300, seed=4, regime=regime)
    page = _parse(report(portfolio, outcomes=outcomes, currency="EUR").html)
    assert list(page.sections) == list(SECTIONS)
    text = " ".join(page.text)
    for bad in ("Watchlist(", "Worklist(", "Recommendations(", "array(", "<riskkit", "object at 0x"):
        assert bad not in text
    assert not re.search(r"\b(nan|inf|NaN|None)\b", text), re.findall(r".{30}\b(?:nan|inf|NaN|None)\b.{10}", text)
    assert "script" not in page.tags and page.external == []


def test_watchlist_names_each_customer_within_the_budget(
    rep: Report, book: tuple[riskkit.Portfolio, riskkit.Outcomes]
) -> None:
    portfolio, _ = book
    page = _parse(rep.html)
    watch = " ".join(page.sections["watchlist"])
    assert 0 < len(rep.watchlist) <= 10
    names = dict(zip(portfolio.customer_ids.tolist(), portfolio.customers["name"].tolist(), strict=True))
    for row in rep.watchlist:
        assert names[row["customer_id"]] == row["name"] and row["name"] in watch
        assert row["level"] in ("warning", "critical")
        assert row["sentence"].startswith(row["name"] + ": ") and row["sentence"].count(".") >= 1
    flagged = riskkit.signals.evaluate(portfolio).flagged("warning")
    assert [r["customer_id"] for r in rep.watchlist] == flagged[:10].tolist()


def test_ticks_are_round_and_span_the_data(rep: Report) -> None:
    page = _parse(rep.html)
    assert len(page.ticks) >= 6
    # the page's axes, each an arithmetic run starting at a multiple of its step
    runs: list[list[float]] = [[page.ticks[0]]]
    for t in page.ticks[1:]:
        (runs[-1] if t > runs[-1][-1] else runs.append([]) or runs[-1]).append(t)
    for run in runs:
        steps = np.diff(run)
        assert np.allclose(steps, steps[0]) and _round(float(steps[0])), run
        assert math.isclose(run[0] / steps[0], round(run[0] / steps[0]), abs_tol=1e-9)
    top_exposure = max(g["exposure"] for g in rep.grades)
    assert any(run[-1] >= top_exposure > run[-2] for run in runs)


def test_money_carries_the_currency(rep: Report) -> None:
    grades = " ".join(_parse(rep.html).sections["grades"])
    total = sum(g["exposure"] for g in rep.grades)
    assert f"EUR {total:,.0f}" in grades


def test_validation_only_with_outcomes(book: tuple[riskkit.Portfolio, riskkit.Outcomes], rep: Report) -> None:
    portfolio, outcomes = book
    assert rep.validation is not None and 0.5 < rep.validation["auc"] <= 1
    y = outcomes.defaults_within(rep.as_of, 180)
    in_default = np.asarray(portfolio.features()["in_default"]) > 0
    assert rep.validation["defaults"] == int(y[~in_default].sum())
    bare = report(portfolio, currency="EUR")
    assert bare.validation is None and "No outcomes given" in " ".join(_parse(bare.html).sections["validation"])


def test_summary_matches_the_features(rep: Report, book: tuple[riskkit.Portfolio, riskkit.Outcomes]) -> None:
    portfolio, _ = book
    ff = portfolio.features()
    assert math.isclose(rep.summary["overdue"], float(np.nansum(ff["overdue_amount"])))
    assert rep.summary["in_default"] == int((np.asarray(ff["in_default"]) > 0).sum())
    assert rep.summary["then"]["date"] == np.datetime64("2025-09-30").astype(object)
    assert [r["date"] for r in rep.trend] == sorted(r["date"] for r in rep.trend)


def test_text_summary_is_short_and_readable(rep: Report) -> None:
    text = str(rep)
    assert text.startswith("Month-end credit report as of 31 Dec 2025")
    assert "DSO" in text and "Watchlist:" in text and "Collections this week" in text and "AUC" in text
    assert "nan" not in text and "inf " not in text


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"watchlist_budget": -1}, "watchlist_budget"), ({"worklist_days": 0}, "worklist_days"),
     ({"currency": "euro"}, "currency"), ({"outcomes": [0, 1]}, "outcomes"), ({"watchlist_budget": 2.5},
                                                                               "watchlist_budget")],
)
def test_bad_arguments_are_named(book: tuple[riskkit.Portfolio, riskkit.Outcomes], kwargs: dict, field: str) -> None:
    portfolio, _ = book
    with pytest.raises(ValidationError) as exc:
        report(portfolio, **kwargs)
    assert exc.value.field == field


def test_currency_other_than_the_books_is_refused() -> None:
    p = riskkit.Portfolio.from_records(
        customers=[{"id": "C1", "name": "Acme"}],
        invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-02", "due": "2025-02-01", "amount": 100.0}],
        currency="USD", as_of="2025-03-31",
    )
    with pytest.raises(ValidationError, match="reporting currency 'USD'"):
        report(p, currency="EUR")
    assert report(p).currency == "USD"


def test_riskkit_report_is_callable_and_lazy() -> None:
    import subprocess
    import sys

    code = "import sys, riskkit; print('riskkit.reporting' in sys.modules); print(callable(riskkit.report))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]
