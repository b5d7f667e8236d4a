"""The watchlist: alerts gathered, sorted for action, summarised, compared with the previous one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskkit
from riskkit import signals
from riskkit.errors import RiskkitError, ValidationError

AS_OF = "2025-06-30"


class RiskIndex(signals.ThresholdSignal):
    """Test signal: the customers table's industry_risk against thresholds (fully under the test's control)."""

    category = "industry"
    description = "Industry risk index at or above a level (test signal)."
    thresholds = {"watch": 5.0, "warning": 7.0, "critical": 9.0}  # noqa: RUF012 - read-only by convention
    compare = ">="
    window_days = 0

    def values(self, portfolio, as_of):
        risk = np.asarray(portfolio.customers["industry_risk"])

        def evidence(codes: np.ndarray) -> list[str]:
            return [f"index {risk[c]:g}" for c in codes.tolist()]

        return risk, evidence


@pytest.fixture(autouse=True)
def t_risk() -> Iterator[None]:
    signals.register("t_risk")(RiskIndex)
    yield
    signals.unregister("t_risk")


SIGNALS = ["t_risk", "overdue_days"]
#: This six-customer book tests alerts and their order; the alert budget has its own tests below.
ALL = 1.0


def invoice(iid: str, cid: str, due: str, amount: float, paid_on: str | None = None) -> dict:
    d = dt.date.fromisoformat(due)
    row = {"id": iid, "customer_id": cid, "issued": (d - dt.timedelta(days=30)).isoformat(), "due": due,
           "amount": amount}
    if paid_on is not None:
        row.update(paid_amount=amount, paid_on=paid_on)
    return row


def book(as_of: str = AS_OF) -> riskkit.Portfolio:
    """Six customers whose alerts at 2025-06-30 are known (see the comments)."""
    customers = [
        # id, industry, region, risk: t_risk >= 5 watch, >= 7 warning, >= 9 critical
        {"id": "A", "industry": "construction", "region": "north", "industry_risk": 9.0},
        {"id": "B", "industry": "retail", "region": "south", "industry_risk": 7.5},
        {"id": "C", "industry": "retail", "region": "north", "industry_risk": 9.5},
        {"id": "D", "industry": "construction", "region": "south", "industry_risk": 1.0},
        {"id": "E", "industry": "retail", "region": "south", "industry_risk": 9.0},
        {"id": "F", "industry": "construction", "region": "north", "industry_risk": 9.0},
    ]
    invoices = [
        # overdue_days: > 3 info, > 7 watch, > 15 warning, > 30 critical (days past due on as_of)
        invoice("IA1", "A", "2025-05-16", 1000.0),  # 45 days: critical
        invoice("IB1", "B", "2025-06-20", 500.0),  # 10 days: watch
        invoice("ID1", "D", "2025-06-10", 800.0),  # 20 days: warning
        invoice("IE1", "E", "2025-05-16", 5000.0),  # 45 days: critical, the largest amount overdue
        invoice("IF1", "F", "2025-05-16", 1000.0),  # 45 days: critical, as much overdue as A
        invoice("IF0", "F", "2025-05-01", 700.0, paid_on="2025-06-15"),  # paid before as_of
    ]
    return riskkit.Portfolio.from_records(customers=customers, invoices=invoices, as_of=as_of)


def alerts(wl: signals.Watchlist) -> list[tuple[str, str, str]]:
    return [(r["customer_id"], r["signal"], r["severity"]) for r in wl.to_records()]


# --- what fires, and the order ---------------------------------------------------------------


def test_alerts_and_their_action_order() -> None:
    wl = signals.evaluate(book(), signals=SIGNALS, alert_budget=ALL)
    assert alerts(wl) == [
        # critical customers with two alerts: E (most overdue), then A and F (equal amounts) by id
        ("E", "overdue_days", "critical"), ("E", "t_risk", "critical"),
        ("A", "overdue_days", "critical"), ("A", "t_risk", "critical"),
        ("F", "overdue_days", "critical"), ("F", "t_risk", "critical"),
        # critical with one alert
        ("C", "t_risk", "critical"),
        # worst warning: B has two alerts, D one
        ("B", "t_risk", "warning"), ("B", "overdue_days", "watch"),
        ("D", "overdue_days", "warning"),
    ]
    assert len(wl) == 10 and wl.n_customers == 6
    assert wl.signals == ("t_risk", "overdue_days")
    assert wl.as_of == dt.date(2025, 6, 30)
    rec = wl.to_records()[0]
    assert rec == {
        "customer_id": "E", "signal": "overdue_days", "category": "payment", "severity": "critical",
        "value": 45.0, "threshold": 30.0, "window_days": 0, "evidence": rec["evidence"], "status": "active",
    }
    assert "IE1" in rec["evidence"]
    t = wl.for_customer("A").to_records()[1]
    assert (t["value"], t["threshold"], t["category"], t["evidence"]) == (9.0, 9.0, "industry", "index 9")


def test_customer_summaries() -> None:
    wl = signals.evaluate(book(), signals=SIGNALS, alert_budget=ALL)
    rows = wl.customers()
    assert [r["customer_id"] for r in rows] == ["E", "A", "F", "C", "B", "D"]
    assert [r["worst_severity"] for r in rows] == ["critical"] * 4 + ["warning"] * 2
    assert [r["alerts"] for r in rows] == [2, 2, 2, 1, 2, 1]
    assert [r["overdue_amount"] for r in rows] == [5000.0, 1000.0, 1000.0, 0.0, 500.0, 800.0]
    overdue_a = wl.for_customer("A").to_records()[0]["evidence"]
    assert rows[1]["summary"] == f"critical: overdue_days 45 ({overdue_a}), t_risk 9 (index 9)"
    assert rows[3]["summary"] == "critical: t_risk 9.5 (index 9.5)"
    # milder severities follow by name only
    assert rows[4]["summary"] == "warning: t_risk 7.5 (index 7.5); watch: overdue_days"
    assert rows[0]["new_alerts"] == 0


def test_all_signals_by_default_and_the_selection_is_validated() -> None:
    wl = signals.evaluate(book())
    assert wl.signals == tuple(sorted(signals.available()))
    assert set(alerts(signals.evaluate(book(), signals=SIGNALS))) <= set(alerts(wl))
    assert signals.evaluate(book(), signals="t_risk").signals == ("t_risk",)
    with pytest.raises(RiskkitError, match=r"unknown signal\(s\) 'nope'; available: .*overdue_days.*t_risk"):
        signals.evaluate(book(), signals=["t_risk", "nope"])
    with pytest.raises(ValidationError, match="more than once"):
        signals.evaluate(book(), signals=["t_risk", "t_risk"])
    empty = signals.evaluate(book(), signals=[])
    assert len(empty) == 0 and empty.customers() == [] and empty.to_records() == []


# --- thresholds ------------------------------------------------------------------------------


def test_per_call_threshold_overrides() -> None:
    wl = signals.evaluate(book(), signals=["t_risk"], thresholds={"t_risk": {"critical": None, "warning": 9.2}})
    # critical off, warning raised to 9.2, watch (5) kept; equal severities ordered by overdue amount
    assert alerts(wl) == [("C", "t_risk", "warning"), ("E", "t_risk", "watch"), ("A", "t_risk", "watch"),
                          ("F", "t_risk", "watch"), ("B", "t_risk", "watch")]
    with pytest.raises(RiskkitError, match=r"thresholds name unknown signal\(s\) 'nope'; available: .*t_risk"):
        signals.evaluate(book(), signals=["t_risk"], thresholds={"nope": {"watch": 1.0}})
    with pytest.raises(ValidationError, match="unknown severity 'severe'"):
        signals.evaluate(book(), signals=["t_risk"], thresholds={"t_risk": {"severe": 1.0}})
    with pytest.raises(ValidationError, match="must be a mapping"):
        signals.evaluate(book(), signals=["t_risk"], thresholds={"t_risk": 3})
    # an override for a signal not evaluated this time is allowed (one settings dict for many calls)
    assert len(signals.evaluate(book(), signals=["t_risk"], thresholds={"overdue_days": {"info": None}})) == 5


def test_segment_overrides_by_industry_and_region() -> None:
    override = {"by": "industry", "segments": {"construction": {"critical": None, "warning": 9.5}}}
    wl = signals.evaluate(book(), signals=["t_risk"], thresholds={"t_risk": override})
    sev = {r["customer_id"]: r["severity"] for r in wl.to_records()}
    # construction (A, F: 9.0) only reach watch now; retail keeps the defaults
    assert sev == {"A": "watch", "F": "watch", "B": "warning", "C": "critical", "E": "critical"}
    thr = {r["customer_id"]: r["threshold"] for r in wl.to_records()}
    assert thr["A"] == 5.0 and thr["C"] == 9.0

    by_region = {"by": "region", "segments": {"north": {"critical": 9.6}}, "default": {"watch": 8.0}}
    wl = signals.evaluate(book(), signals=["t_risk"], thresholds={"t_risk": by_region})
    sev = {r["customer_id"]: r["severity"] for r in wl.to_records()}
    # north (A, C, F): critical at 9.6, watch 8 (the default part); south (B, E): default critical 9, watch 8
    assert sev == {"A": "warning", "C": "warning", "F": "warning", "B": "warning", "E": "critical"}
    with pytest.raises(ValidationError, match="'by' must be one of industry, region"):
        signals.evaluate(book(), signals=["t_risk"], thresholds={"t_risk": {"by": "country", "segments": {}}})


# --- point in time and the previous watchlist --------------------------------------------------


def test_point_in_time() -> None:
    p = book()
    # on 2025-06-10 F's invoice IF0 (due 2025-05-01, paid 2025-06-15) was open and 40 days overdue
    early = signals.evaluate(p, "2025-06-10", signals=["overdue_days"]).for_customer("F").to_records()
    assert [(r["value"], r["severity"]) for r in early] == [(40.0, "critical")]
    assert "IF0" in early[0]["evidence"]
    late = signals.evaluate(p, AS_OF, signals=["overdue_days"]).for_customer("F").to_records()
    assert [(r["value"], r["severity"]) for r in late] == [(45.0, "critical")]
    assert "IF0" not in late[0]["evidence"]
    # a later portfolio holding the same facts gives the same watchlist at the same date
    assert alerts(signals.evaluate(book("2025-07-31"), AS_OF, signals=SIGNALS)) == alerts(
        signals.evaluate(p, signals=SIGNALS))


def test_previous_marks_new_persisting_and_resolved() -> None:
    p = book()
    before = signals.evaluate(p, "2025-06-10", signals=SIGNALS)
    # on 2025-06-10: F's IF0 overdue 40 days; A, E, F's invoices (due 05-16) 25 days (warning);
    # B's (due 06-20) and D's (due 06-10) not overdue yet
    assert {(c, s) for c, s, _ in alerts(before) if s == "overdue_days"} == {
        ("A", "overdue_days"), ("E", "overdue_days"), ("F", "overdue_days")}
    now = signals.evaluate(p, signals=SIGNALS, previous=before)
    status = {(r["customer_id"], r["signal"]): r["status"] for r in now.to_records()}
    assert status[("B", "overdue_days")] == "new"
    assert status[("D", "overdue_days")] == "new"
    assert status[("A", "overdue_days")] == "persisting"  # warning then, critical now: the same alert
    assert status[("C", "t_risk")] == "persisting"
    assert set(status.values()) == {"new", "persisting"}
    assert now.resolved is not None and len(now.resolved) == 0
    assert {r["customer_id"]: r["new_alerts"] for r in now.customers()} == {
        "E": 0, "A": 0, "F": 0, "C": 0, "B": 1, "D": 1}

    # the other way round (a later list as "previous" of an earlier date) is refused ...
    with pytest.raises(ValidationError, match="after this one"):
        signals.evaluate(p, "2025-06-10", signals=SIGNALS, previous=now)
    # ... so raise the thresholds instead to make alerts disappear
    calmer = signals.evaluate(p, signals=SIGNALS, previous=now,
                              thresholds={"t_risk": {"critical": None, "warning": None, "watch": 9.2}})
    assert [(r["customer_id"], r["signal"], r["status"]) for r in calmer.resolved.to_records()] == [
        ("E", "t_risk", "resolved"), ("A", "t_risk", "resolved"), ("F", "t_risk", "resolved"),
        ("B", "t_risk", "resolved")]
    assert calmer.resolved.to_records()[0]["severity"] == "critical"  # as last seen
    assert {r["status"] for r in calmer.to_records()} == {"persisting"}


def test_previous_only_compares_the_signals_evaluated_both_times() -> None:
    p = book()
    before = signals.evaluate(p, signals=["t_risk"])
    now = signals.evaluate(p, signals=["overdue_days"], previous=before)
    assert {r["status"] for r in now.to_records()} == {"new"}  # overdue_days was not evaluated before
    assert len(now.resolved) == 0  # t_risk is not evaluated now: its alerts are not resolved


def test_previous_from_a_portfolio_with_other_customers() -> None:
    before = signals.evaluate(book(), signals=SIGNALS)
    fewer = riskkit.Portfolio.from_records(
        customers=[{"id": "F", "industry_risk": 9.0}, {"id": "A", "industry_risk": 1.0}], as_of=AS_OF)
    now = signals.evaluate(fewer, signals=SIGNALS, previous=before)
    assert [(r["customer_id"], r["signal"], r["status"]) for r in now.to_records()] == [
        ("F", "t_risk", "persisting")]
    gone = {(r["customer_id"], r["signal"]) for r in now.resolved.to_records()}
    assert ("A", "t_risk") in gone and ("E", "t_risk") in gone and ("D", "overdue_days") in gone
    assert ("F", "t_risk") not in gone


# --- filters and immutability -----------------------------------------------------------------


def test_filters() -> None:
    wl = signals.evaluate(book(), signals=SIGNALS, alert_budget=ALL)
    crit = wl.at_least("critical")
    assert {s for _, _, s in alerts(crit)} == {"critical"} and len(crit) == 7
    assert [r["customer_id"] for r in crit.customers()] == ["E", "A", "F", "C"]
    warn = wl.at_least("warning")
    assert ("B", "overdue_days", "watch") not in alerts(warn) and len(warn) == 9
    # customers keep their level and score: B (a warning and a watch) still before D (one warning)
    assert [r["customer_id"] for r in warn.customers()][-2:] == ["B", "D"]
    assert alerts(wl.for_customer("B")) == [("B", "t_risk", "warning"), ("B", "overdue_days", "watch")]
    assert len(signals.evaluate(book(), signals=["overdue_days"]).for_customer("C")) == 0
    with pytest.raises(ValidationError, match="unknown customer id 'Z'"):
        wl.for_customer("Z")
    with pytest.raises(ValidationError, match=r"severity must be one of 'info', 'watch', .*got 'red'"):
        wl.at_least("red")


def test_a_watchlist_is_immutable() -> None:
    wl = signals.evaluate(book(), signals=SIGNALS)
    with pytest.raises(AttributeError, match="immutable"):
        wl.as_of = dt.date(2020, 1, 1)  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        wl.column("value")[0] = 0.0
    with pytest.raises(TypeError, match="evaluate"):
        signals.Watchlist()
    wl.customers()[0]["summary"] = "changed"
    assert wl.customers()[0]["summary"] != "changed"


# --- output ------------------------------------------------------------------------------------


def test_records_pandas_html_and_repr() -> None:
    pd = pytest.importorskip("pandas")
    wl = signals.evaluate(book(), signals=SIGNALS, alert_budget=ALL)
    df = wl.to_pandas()
    assert list(df.columns) == ["customer_id", "signal", "category", "severity", "value", "threshold",
                                "window_days", "evidence", "status"]
    assert df["customer_id"].tolist() == [r["customer_id"] for r in wl.to_records()]
    assert isinstance(df["severity"].dtype, pd.CategoricalDtype) and df["severity"].cat.ordered
    assert (df["severity"] >= "warning").sum() == 9
    html = wl._repr_html_()
    assert html.startswith("<table>") and "riskkit.signals.Watchlist" in html and "10 alerts on 6 customers" in html
    assert repr(wl) == ("Watchlist(as_of=2025-06-30, 2 signals, 10 alerts on 6 customers: critical 7, warning 2, "
                        "watch 1; levels: critical 4, warning 2)")
    later = signals.evaluate(book(), signals=SIGNALS, previous=wl, alert_budget=ALL)
    assert repr(later).endswith("warning 2; resolved 0)")
    assert set(wl.timings) == set(SIGNALS)
    with pytest.raises(ValidationError, match="unknown watchlist column 'nope'"):
        wl.column("nope")


def test_a_signal_returning_garbage_is_reported_with_its_name() -> None:
    @signals.register("t_garbage", category="payment", description="broken", thresholds={"watch": 1.0})
    def garbage(portfolio, as_of, thresholds):
        return [1, 2, 3]

    try:
        with pytest.raises(ValidationError, match=r"signal 't_garbage' .* returned list"):
            signals.evaluate(book(), signals=["t_garbage"])
    finally:
        signals.unregister("t_garbage")


def test_thresholds_reach_the_signal_read_only() -> None:
    @signals.register("t_meddler", category="payment", description="changes its thresholds",
                      thresholds={"watch": 1.0})
    def meddler(portfolio, as_of, thresholds):
        thresholds["watch"][:] = 0.0
        return signals.SignalHits.empty("t_meddler")

    try:
        with pytest.raises(ValueError, match="read-only") as info:
            signals.evaluate(book(), signals=["t_meddler"])
        if hasattr(info.value, "__notes__"):
            assert "t_meddler" in info.value.__notes__[0]
    finally:
        signals.unregister("t_meddler")


# --- batch equals one customer at a time ------------------------------------------------------

customer_st = st.tuples(
    st.sampled_from(["retail", "construction"]),
    st.one_of(st.none(), st.floats(0, 10, allow_nan=False)),  # industry risk
    st.one_of(st.none(), st.integers(-10, 60)),  # days past due of one open invoice
    st.floats(1, 5000, allow_nan=False),  # its amount
)


def _portfolio(spec: list[tuple]) -> riskkit.Portfolio:
    customers, invoices = [], []
    due0 = dt.date.fromisoformat(AS_OF)
    for i, (industry, risk, dpd, amount) in enumerate(spec):
        cid = f"K{i:02d}"
        row = {"id": cid, "industry": industry}
        if risk is not None:
            row["industry_risk"] = risk
        customers.append(row)
        if dpd is not None:
            invoices.append(invoice(f"I{i:02d}", cid, (due0 - dt.timedelta(days=dpd)).isoformat(), amount))
    return riskkit.Portfolio.from_records(customers=customers, invoices=invoices or None, as_of=AS_OF)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(customer_st, min_size=1, max_size=7))
def test_batch_equals_one_customer_at_a_time_and_the_order_holds(spec) -> None:
    override = {"t_risk": {"by": "industry", "segments": {"construction": {"warning": 6.0}}}}
    wl = signals.evaluate(_portfolio(spec), signals=SIGNALS, thresholds=override, alert_budget=ALL)
    expected = set()
    for i, one in enumerate(spec):
        single = signals.evaluate(_portfolio([one]), signals=SIGNALS, thresholds=override, alert_budget=ALL)
        expected |= {(f"K{i:02d}", r["signal"], r["severity"], r["value"]) for r in single.to_records()}
    got = {(r["customer_id"], r["signal"], r["severity"], r["value"]) for r in wl.to_records()}
    assert got == expected
    # customers' rows are contiguous and in action order
    rank = {s: i for i, s in enumerate(signals.SEVERITIES)}
    rows = wl.customers()
    keys = [(-rank[r["level"]], -r["score"], -rank[r["worst_severity"]], -r["alerts"], -r["overdue_amount"],
             r["customer_id"]) for r in rows]
    assert keys == sorted(keys)
    seen = [r["customer_id"] for r in wl.to_records()]
    assert [c for k, c in enumerate(seen) if k == 0 or seen[k - 1] != c] == [r["customer_id"] for r in rows]


# --- levels, the alert budget, customers in default -------------------------------------------------


def test_the_alert_budget_keeps_the_highest_scores_at_warning() -> None:
    wl = signals.evaluate(book(), signals=SIGNALS, alert_budget=0.5)  # 3 of 6 customers may be at warning+
    assert list(wl.flagged("warning")) == ["E", "A", "F"]  # two critical alerts each; E owes the most
    assert [wl.level(c) for c in "EAFCBD"] == ["critical"] * 3 + ["watch"] * 3
    assert wl.alert_budget == 0.5
    assert [r["customer_id"] for r in wl.at_level("warning").customers()] == ["E", "A", "F"]
    default = signals.evaluate(book(), signals=SIGNALS)  # 15% of 6: nobody
    assert default.alert_budget == 0.15 and len(default.flagged("warning")) == 0
    assert len(default) == 10  # the alerts themselves are all there, each with its own severity
    with pytest.raises(ValidationError, match="alert_budget must be a share"):
        signals.evaluate(book(), signals=SIGNALS, alert_budget=0.0)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(customer_st, min_size=1, max_size=12), st.sampled_from([0.1, 0.15, 0.3, 0.5]))
def test_never_more_than_the_budget_at_warning_or_worse(spec, budget) -> None:
    p = _portfolio(spec)
    wl = signals.evaluate(p, signals=SIGNALS, alert_budget=budget)
    eligible = p.n_customers - len(wl.in_default)
    assert len(wl.flagged("warning")) <= budget * eligible + 1e-9


def test_customers_in_default_are_listed_apart() -> None:
    p = riskkit.Portfolio.from_records(
        customers=[{"id": "X"}, {"id": "Y"}],
        invoices=[invoice("I1", "X", "2025-01-31", 5000.0), invoice("I2", "Y", "2025-05-20", 5000.0)],
        as_of=AS_OF,
    )
    wl = signals.evaluate(p, signals=["overdue_days"], alert_budget=ALL)
    assert wl.in_default == ("X",)  # 150 days past due on 5,000: a collections case, not a warning
    assert [r["customer_id"] for r in wl.customers()] == ["Y"]
    assert wl.level("X") == "" and wl.level("Y") == "critical"
    assert repr(wl).endswith("in default 1)")


# --- evidence built when read (issue 14) ------------------------------------------------------


def _eager_evidence(p: riskkit.Portfolio, names: list[str]) -> dict[tuple[str, str], str]:
    """Each (customer id, signal) hit's evidence, the evidence maker called for all hits at once."""
    when = p.resolve_as_of()
    out = {}
    for name in names:
        hits = signals.get(name).evaluate(p, when, {s: np.full(p.n_customers, v)
                                                    for s, v in signals.get(name).thresholds.items()})
        for code, text in zip(hits.customer.tolist(), hits.evidence.tolist(), strict=True):
            out[(p.customer_ids[code], name)] = text
    return out


def test_evidence_is_built_when_read_and_reads_the_same_text() -> None:
    p, _ = riskkit.datasets.make_portfolio(600, seed=3)
    names = sorted(n for n in signals.available() if signals.source(n) == "riskkit (built-in)")
    wl = signals.evaluate(p, signals=names, alert_budget=1.0)
    # nothing built yet
    assert wl._cols.evidence._texts is None
    assert all(getattr(src, "_full", None) is None for src in wl._cols.evidence._sources)
    eager = _eager_evidence(p, names)
    ids, sig = wl.column("customer_id").tolist(), wl.column("signal").tolist()
    # one customer's rows, read first: the same texts as built for every hit at once
    one = wl.for_customer(ids[0])
    texts = one.column("evidence").tolist()
    assert texts == [eager[(ids[0], s)] for s in one.column("signal").tolist()]
    assert wl._cols.evidence._texts is None  # reading one customer built no other rows
    # the whole column, records and summaries: the same texts, in action order
    assert wl.column("evidence").tolist() == [eager[k] for k in zip(ids, sig, strict=True)]
    assert [r["evidence"] for r in wl.to_records()] == wl.column("evidence").tolist()
    assert wl.column("evidence").flags.writeable is False


def test_lazy_evidence_of_a_subset_is_the_text_of_the_whole() -> None:
    calls = []

    def build(codes: np.ndarray) -> list[str]:
        calls.append(codes.tolist())
        return [f"customer {c}" for c in codes.tolist()]

    codes = np.arange(0, 80, 2)
    ev = signals.LazyEvidence(build, codes)
    assert len(ev) == 40 and calls == []
    assert ev.rows(np.array([3, 0, 3])).tolist() == ["customer 6", "customer 0", "customer 6"]
    assert calls == [[0, 6]]  # only the rows read, once each, in increasing order
    assert ev.full().tolist() == [f"customer {c}" for c in codes.tolist()]
    assert ev.rows(np.array([1])).tolist() == ["customer 2"] and len(calls) == 2  # kept once built


def test_an_evidence_maker_giving_the_wrong_number_of_texts_is_an_error() -> None:
    hits = signals.hits_from_values("x", np.array([1.0, 9.0, 9.0]), {"watch": np.full(3, 5.0)}, ">", 0,
                                    lambda codes: ["only one"])
    assert len(hits) == 2  # the hits are there; the texts are built when read
    with pytest.raises(ValidationError, match="1 texts for 2 customers"):
        _ = hits.evidence


def test_signal_hits_take_texts_or_lazy_evidence() -> None:
    eager = signals.SignalHits("x", [1, 4], [1, 2], [3.0, 4.0], [1.0, 2.0], [0, 0], ["a", "b"])
    lazy = signals.SignalHits("x", [1, 4], [1, 2], [3.0, 4.0], [1.0, 2.0], [0, 0],
                              evidence=signals.LazyEvidence(lambda c: [f"c{k}" for k in c.tolist()], np.array([1, 4])))
    assert eager.evidence.tolist() == ["a", "b"] and lazy.evidence.tolist() == ["c1", "c4"]
    with pytest.raises(ValidationError, match="evidence has shape"):
        signals.SignalHits("x", [1, 4], [1, 2], [3.0, 4.0], [1.0, 2.0], [0, 0], ["a"])
    with pytest.raises(ValidationError, match="twice"):
        signals.SignalHits("x", [4, 4], [1, 2], [3.0, 4.0], [1.0, 2.0], [0, 0], ["a", "b"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 300)), max_size=60), st.booleans())
def test_rows_in_order_is_the_stable_lexsort_by_position_then_within_whichever_sort_it_takes(rows, composite):
    # the composite-key sort and the two stable sorts (taken when the keys would overflow) give np.lexsort's order
    from riskkit.signals import _watchlist

    position = np.array([p for p, _ in rows], dtype=np.intp)
    within = np.array([w for _, w in rows], dtype=np.int64)
    with pytest.MonkeyPatch.context() as mp:
        if not composite:
            mp.setattr(_watchlist, "_KEY_LIMIT", 0)
        order, starts = _watchlist._rows_in_order(position, within, 31)
    expected = np.lexsort((within, position))
    assert order.tolist() == expected.tolist()
    assert starts.tolist() == np.flatnonzero(np.diff(position[expected], prepend=-1)).tolist()
