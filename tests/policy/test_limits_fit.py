"""Limits that fit the business: the limit review of CreditPolicy.recommend, by hand and on the demo book.

The hand book is observed on 2025-06-30 (no statements, so the sales-based
method is the only one that applies):

* F1 (limit on file 60,000, open orders 4,000): an invoice of 50,000 on
  2024-06-01 (paid; before the 12 months), then 10,000 on the 15th of every
  month from 2024-07 to 2025-06, on 30 days for the first six and 60 days for
  the last six (paid on their due date when it has come), 3,000 on 2025-04-01
  on 45 days never paid (overdue 45 days), a credit note of 1,200 on
  2025-06-20 against the June invoice, and 99,999 on 2025-07-05 (after
  ``as_of``: not known yet).

  * average monthly invoiced A = (120,000 + 3,000 - 1,200) / 12 = 10,150
  * average terms D = (60,000 x 30 + 60,000 x 60 + 3,000 x 45) / 123,000 = 45 days
  * regular purchases A x D / 30 = 15,225
  * exposure 25,800 = open May and June invoices (10,000 + 8,800) + the overdue
    3,000 + orders 4,000; within terms E = 25,800 - 3,000 = 22,800
  * floor = max(15,225, 22,800) + 1 x 10,150 = 32,950
  * sales-based (grade A): 10,150 x 2 months x 0.8 = 16,240
  * cut cap: 50 % of 60,000 = 30,000

* F2 (limit 40,000), F3 (limit 30,000), F4 (none on file): no documents.
* F5 (limit 70,000): 50,000 invoiced on 2024-12-01, never paid: in default.
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pytest

import riskkit
from riskkit.errors import ValidationError
from riskkit.policy import BOUND_BY, DIRECTIONS, CreditPolicy, Recommendations
from riskkit.portfolio import Portfolio
from riskkit.scoring import ScoreResult

AS_OF = "2025-06-30"
IDS = ["F1", "F2", "F3", "F4", "F5"]
NOW = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.timezone.utc)


def add_days(day: str, n: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=n)).isoformat()


def invoice(iid: str, cid: str, issued: str, terms: int, amount: float, paid: bool = True) -> dict:
    due = add_days(issued, terms)
    row = {"id": iid, "customer_id": cid, "issued": issued, "due": due, "amount": amount}
    if paid and due <= AS_OF:
        row.update(paid_amount=amount, paid_on=due)
    return row


@functools.lru_cache(maxsize=8)
def hand_book(f1_limit: float = 60000.0, f2_limit: float = 40000.0) -> Portfolio:
    invoices = [invoice("F1-old", "F1", "2024-06-01", 30, 50000.0)]
    months = [f"2024-{m:02d}-15" for m in range(7, 13)] + [f"2025-{m:02d}-15" for m in range(1, 7)]
    for k, day in enumerate(months):
        invoices.append(invoice(f"F1-{k}", "F1", day, 30 if k < 6 else 60, 10000.0))
    invoices += [
        invoice("F1-late", "F1", "2025-04-01", 45, 3000.0, paid=False),
        {"id": "F1-cn", "customer_id": "F1", "issued": "2025-06-20", "due": "2025-06-20", "amount": -1200.0,
         "applies_to": "F1-11"},
        invoice("F1-future", "F1", "2025-07-05", 30, 99999.0),
        invoice("F5-1", "F5", "2024-12-01", 30, 50000.0, paid=False),
    ]
    return Portfolio.from_records(
        customers=[{"id": c} for c in IDS],
        exposures=[
            {"customer_id": "F1", "credit_limit": f1_limit, "open_orders": 4000.0},
            {"customer_id": "F2", "credit_limit": f2_limit},
            {"customer_id": "F3", "credit_limit": 30000.0},
            {"customer_id": "F5", "credit_limit": 70000.0},
        ],
        invoices=invoices,
        as_of=AS_OF,
    )


def graded(*grades: str) -> ScoreResult:
    return ScoreResult(score=[50.0] * 5, pd=[0.1] * 5, grade=list(grades), customer_ids=IDS)


GRADED = graded("A", "BB", "CCC", "A", "BBB")


def row(rec: Recommendations, cid: str) -> dict:
    return next(r for r in rec.to_records() if r["customer_id"] == cid)


def test_the_facts_of_the_hand_book() -> None:
    f = hand_book().features()
    assert f["exposure"].tolist()[0] == pytest.approx(25800.0)
    assert f["overdue_amount"].tolist()[0] == pytest.approx(3000.0)
    if "in_default" in f.names:
        assert f["in_default"].tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]


# ------------------------------------------------------------------ the purchases floor


def test_floor_from_regular_purchases_by_hand() -> None:
    rec = CreditPolicy().recommend(hand_book(), GRADED)
    f1 = row(rec, "F1")
    assert f1["method_limit"] == pytest.approx(16240.0)
    assert f1["floor"] == pytest.approx(32950.0)  # max(10,150 x 45 / 30, 25,800 - 3,000) + 10,150
    assert f1["cut_cap"] == pytest.approx(30000.0)
    assert (f1["limit"], f1["direction"], f1["bound_by"]) == (33000.0, "fall", "floor")  # rounded up
    assert f1["reason"] == (
        "fall 60,000 -> 33,000: purchases floor (grade A; BBB and better): max(regular purchases "
        "10,150/month x 45 days / 30 = 15,225, exposure within terms 22,800) + 1 month of purchases "
        "10,150 = 32,950; the methods give 16,240: sales-based: 10,150 avg monthly x 2 months x 0.8 (A) "
        "= 16,240 (only method that applies) -> rounded up to 33,000 (a multiple of 1,000)"
    )


def test_floor_formula_parameters() -> None:
    book = hand_book()
    no_cap = {"max_cut": 1.0, "limit_rounding": 0.0}
    # the purchases estimate alone, plus a month: 15,225 + 10,150
    assert CreditPolicy(floor_exposure=False, **no_cap).recommend(book, GRADED).floor[0] == pytest.approx(25375.0)
    # the estimate alone, without headroom: 10,150 x 45 / 30 (below the methods' 16,240 here)
    bare = CreditPolicy(floor_exposure=False, floor_headroom_months=0.0, **no_cap).recommend(book, GRADED)
    assert bare.floor[0] == pytest.approx(15225.0)
    assert bare.limit[0] == pytest.approx(16240.0) and bare.bound_by[0] == "method"
    two = CreditPolicy(floor_headroom_months=2.0, **no_cap).recommend(book, GRADED)
    assert two.floor[0] == pytest.approx(22800.0 + 2 * 10150.0)
    assert two.limit[0] == pytest.approx(43100.0) and two.bound_by[0] == "floor"
    # with the floor exactly at the cut cap's 30,000, the floor is named
    assert CreditPolicy(floor_exposure=False).recommend(book, GRADED).bound_by[0] == "cut_cap"


def test_floor_uses_only_what_is_known_at_as_of() -> None:
    book = hand_book()
    early = CreditPolicy(max_cut=1.0, limit_rounding=0.0, floor_exposure=False).recommend(
        book, GRADED, as_of="2025-06-10"
    )
    # 12 months to 2025-06-10: the eleven invoices from 2024-07-15 to 2025-05-15 and the 3,000;
    # not yet the June invoice nor its credit note
    a = (11 * 10000.0 + 3000.0) / 12
    d = (6 * 10000.0 * 30 + 5 * 10000.0 * 60 + 3000.0 * 45) / (11 * 10000.0 + 3000.0)
    assert d == pytest.approx(43.672566)
    assert early.floor[0] == pytest.approx(a * d / 30 + a)


@pytest.mark.parametrize(("grade", "protected"), [("AAA", True), ("A", True), ("BBB", True), ("BB", False),
                                                   ("B", False), ("CCC", False)])
def test_floor_protects_bbb_and_better(grade: str, protected: bool) -> None:
    rec = CreditPolicy().recommend(hand_book(), graded(grade, "BB", "CCC", "A", "BBB"))
    assert np.isnan(rec.floor[0]) != protected
    if protected:
        assert rec.limit[0] >= rec.floor[0]


def test_floor_grade_is_configurable() -> None:
    strict = CreditPolicy(floor_grade="A").recommend(hand_book(), graded("BBB", "BB", "CCC", "A", "BBB"))
    assert np.isnan(strict.floor[0])
    assert strict.bound_by[0] == "cut_cap" and strict.limit[0] == 30000.0
    off = CreditPolicy(floor_grade="").recommend(hand_book(), GRADED)
    assert np.isnan(off.floor).all()


# ------------------------------------------------------------------ the cap on the cut


def test_cut_is_capped_at_half_per_review() -> None:
    rec = CreditPolicy().recommend(hand_book(), GRADED)
    f2 = row(rec, "F2")  # BB: the methods give 0
    assert (f2["limit"], f2["direction"], f2["bound_by"], f2["cut_cap"]) == (20000.0, "fall", "cut_cap", 20000.0)
    assert f2["reason"].startswith(
        "fall 40,000 -> 20,000: the cut is capped at 50% per review: 50% of 40,000 = 20,000; the methods give 0: "
        "no limit method applies"
    )


@pytest.mark.parametrize(("max_cut", "limit", "direction", "bound_by"), [
    (0.2, 32000.0, "fall", "cut_cap"),
    (0.0, 40000.0, "hold", "cut_cap"),
    (1.0, 0.0, "fall", "none"),
])
def test_max_cut_is_configurable(max_cut: float, limit: float, direction: str, bound_by: str) -> None:
    rec = CreditPolicy(max_cut=max_cut).recommend(hand_book(), GRADED)
    assert (rec.limit[1], rec.direction[1], rec.bound_by[1]) == (limit, direction, bound_by)


def test_no_cap_without_a_limit_on_file() -> None:
    rec = CreditPolicy().recommend(hand_book(), GRADED)
    f4 = row(rec, "F4")
    assert np.isnan(f4["cut_cap"]) and f4["limit"] == 0.0 and f4["direction"] == "hold"
    assert f4["reason"].startswith("hold 0 (none on file): no limit method applies")


def test_ccc_and_worse_may_be_cut_fully() -> None:
    rec = CreditPolicy().recommend(hand_book(), GRADED)
    f3 = row(rec, "F3")
    assert np.isnan(f3["cut_cap"]) and f3["limit"] == 0.0 and f3["direction"] == "fall"
    assert f3["reason"].startswith("fall 30,000 -> 0: no limit method applies")
    assert "(grade CCC: the cut is not capped)" in f3["reason"]
    for grade in ("CC", "C", "D"):
        assert CreditPolicy().recommend(hand_book(), graded("A", "BB", grade, "A", "BBB")).limit[2] == 0.0
    # B is still protected; move the exemption to D and CCC is protected too
    assert CreditPolicy().recommend(hand_book(), graded("A", "BB", "B", "A", "BBB")).limit[2] == 15000.0
    assert CreditPolicy(max_cut_exempt_grade="D").recommend(hand_book(), GRADED).limit[2] == 15000.0


def test_customer_in_default_goes_to_zero() -> None:
    book = hand_book()
    if "in_default" not in book.features().names:
        pytest.skip("the features have no in_default")
    for grade in ("AAA", "BBB", "BB"):  # whatever its grade: no floor, no cap on the cut
        rec = CreditPolicy().recommend(book, graded("A", "BB", "CCC", "A", grade))
        f5 = row(rec, "F5")
        assert (f5["limit"], f5["direction"], f5["bound_by"], f5["in_default"]) == (0.0, "fall", "default", True)
        assert np.isnan(f5["floor"]) and np.isnan(f5["cut_cap"])
        assert f5["reason"].startswith("fall 70,000 -> 0: customer in default: no open credit")
    assert not row(rec, "F1")["in_default"]


# ------------------------------------------------------------------ rounding


def test_rounding_down_for_a_method_figure() -> None:
    rec = CreditPolicy(floor_grade="", max_cut=1.0).recommend(hand_book(), GRADED)
    assert rec.method_limit[0] == pytest.approx(16240.0)
    assert rec.limit[0] == 16000.0 and rec.bound_by[0] == "method"
    assert rec.reason[0].endswith("= 16,240 (only method that applies) -> rounded down to 16,000 (a multiple of 1,000)")
    assert CreditPolicy(floor_grade="", max_cut=1.0, limit_rounding=0).recommend(hand_book(), GRADED).limit[0] == (
        pytest.approx(16240.0)
    )


def test_rounding_up_keeps_the_floor_and_the_cap() -> None:
    assert CreditPolicy().recommend(hand_book(), GRADED).limit[0] == 33000.0  # floor 32,950
    assert CreditPolicy(limit_rounding=5000).recommend(hand_book(), GRADED).limit[0] == 35000.0
    odd = CreditPolicy().recommend(hand_book(f2_limit=41000.0), GRADED)  # cut cap 20,500
    assert odd.limit[1] == 21000.0 and odd.bound_by[1] == "cut_cap"
    assert "= 20,500; the methods give 0" in odd.reason[1]
    assert "-> rounded up to 21,000 (a multiple of 1,000)" in odd.reason[1]


def test_rounding_never_above_the_concentration_cap() -> None:
    rec = CreditPolicy(seller_annual_revenue=255000.0).recommend(hand_book(), GRADED)  # cap 25,500
    assert rec.limit[0] == 25000.0 and rec.bound_by[0] == "concentration"
    assert rec.reason[0].endswith(
        "; held to the concentration cap: 10% of seller revenue 255,000 = 25,500 -> rounded down to 25,000 "
        "(a multiple of 1,000)"
    )


def test_rounding_can_decide_a_hold() -> None:
    # limit on file 16,000, the methods give 16,240: rounded down, it holds
    rec = CreditPolicy(floor_grade="", max_cut=1.0).recommend(hand_book(f1_limit=16000.0), GRADED)
    assert (rec.limit[0], rec.direction[0], rec.bound_by[0]) == (16000.0, "hold", "rounding")
    assert rec.reason[0].startswith("hold 16,000: sales-based: 10,150 avg monthly x 2 months x 0.8 (A) = 16,240")


def test_every_limit_is_a_multiple_of_its_unit() -> None:
    for unit in (1000.0, 250.0, 5000.0):
        rec = CreditPolicy(limit_rounding=unit).recommend(*demo())
        np.testing.assert_array_equal(rec.limit % unit, 0.0)


# ------------------------------------------------------------------ reasons, changes by grade, reprs


def test_every_change_has_a_reason_naming_its_rule() -> None:
    rec = CreditPolicy().recommend(hand_book(), GRADED)
    for r in rec.to_records():
        assert r["direction"] in DIRECTIONS and r["bound_by"] in BOUND_BY
        assert r["reason"].split(" ", 1)[0] == r["direction"]
    assert rec.direction.tolist() == ["fall", "fall", "fall", "hold", "fall"]
    assert rec.bound_by.tolist()[:4] == ["floor", "cut_cap", "none", "none"]
    df = rec.to_pandas()
    assert {"direction", "bound_by", "floor", "cut_cap", "method_limit", "reason"} <= set(df.columns)


def test_changes_by_grade_by_hand() -> None:
    rec = CreditPolicy().recommend(hand_book(), GRADED)
    assert rec.changes_by_grade() == [
        {"grade": "A", "n": 2, "rise": 0, "hold": 1, "fall": 1, "total_now": 60000.0, "total_recommended": 33000.0},
        {"grade": "BBB", "n": 1, "rise": 0, "hold": 0, "fall": 1, "total_now": 70000.0, "total_recommended": 0.0},
        {"grade": "BB", "n": 1, "rise": 0, "hold": 0, "fall": 1, "total_now": 40000.0, "total_recommended": 20000.0},
        {"grade": "CCC", "n": 1, "rise": 0, "hold": 0, "fall": 1, "total_now": 30000.0, "total_recommended": 0.0},
    ]
    lines = repr(rec).splitlines()
    assert lines[0] == (
        "Recommendations(5 customers, total limit 53,000 (on file 200,000): 0 rise, 1 hold, 4 fall; "
        "as_of=2025-06-30, policy '1')"
    )
    assert lines[1].split() == ["grade", "n", "rise", "hold", "fall", "total", "now", "recommended"]
    assert lines[3].split() == ["A", "2", "0", "1", "1", "60,000", "33,000"]
    assert lines[-1].split() == ["all", "5", "0", "1", "4", "200,000", "53,000"]
    html = rec._repr_html_()
    assert "limit changes by grade" in html and "<td>CCC</td>" in html and "<td>floor</td>" in html


def test_ungraded_customers_have_their_own_row() -> None:
    rec = CreditPolicy().recommend(hand_book(), graded("A", "", "CCC", "A", "BBB"))
    rows = rec.changes_by_grade()
    assert [r["grade"] for r in rows] == ["A", "BBB", "CCC", ""]
    assert "ungraded" in repr(rec)


# ------------------------------------------------------------------ the policy document


def test_new_keys_are_saved_and_loaded(tmp_path) -> None:
    p = CreditPolicy(limit_rounding=500, floor_grade="A", floor_headroom_months=0.5, floor_exposure=False,
                     max_cut=0.3, max_cut_exempt_grade="B")
    d = p.to_dict()
    assert (d["limit_rounding"], d["floor_grade"], d["floor_headroom_months"], d["floor_exposure"],
            d["max_cut"], d["max_cut_exempt_grade"]) == (500.0, "A", 0.5, False, 0.3, "B")
    assert CreditPolicy.from_dict(d) == p and CreditPolicy.from_json(p.to_json()) == p
    path = tmp_path / "policy.toml"
    path.write_text(
        'limit_rounding = 500\nfloor_grade = "A"\nfloor_headroom_months = 0.5\nfloor_exposure = false\n'
        'max_cut = 0.3\nmax_cut_exempt_grade = "B"\n',
        encoding="utf-8",
    )
    assert CreditPolicy.from_toml(path) == p
    default = CreditPolicy.default()
    assert (default.limit_rounding, default.floor_grade, default.floor_headroom_months, default.floor_exposure,
            default.max_cut, default.max_cut_exempt_grade) == (1000.0, "BBB", 1.0, True, 0.5, "CCC")


@pytest.mark.parametrize(("kwargs", "names"), [
    ({"floor_grade": "Z"}, ["floor_grade", "'BBB'", "''"]),
    ({"floor_grade": None}, ["floor_grade"]),
    ({"floor_headroom_months": -1}, ["floor_headroom_months", ">= 0"]),
    ({"floor_exposure": "yes"}, ["floor_exposure", "true or false"]),
    ({"max_cut": 1.5}, ["max_cut", "in [0, 1]"]),
    ({"max_cut": -0.1}, ["max_cut", "in [0, 1]"]),
    ({"max_cut_exempt_grade": ""}, ["max_cut_exempt_grade", "'CCC'"]),
    ({"limit_rounding": float("nan")}, ["limit_rounding", ">= 0, got nan"]),
])
def test_bad_review_parameters_are_named(kwargs: dict, names: list[str]) -> None:
    with pytest.raises(ValidationError) as info:
        CreditPolicy.from_dict(kwargs)
    for name in names:
        assert name in str(info.value), str(info.value)
    assert info.value.field == next(iter(kwargs))


# ------------------------------------------------------------------ the demo book


@functools.lru_cache(maxsize=4)
def demo(as_of: str | None = None) -> tuple[Portfolio, ScoreResult]:
    book, _ = riskkit.datasets.make_portfolio(1000, seed=0)
    return book, riskkit.scoring.five_c().score(book.features(as_of))


def grade_rank(rec: Recommendations) -> np.ndarray:
    rank = {g: i for i, g in enumerate(rec.grades)}
    return np.array([rank.get(g, len(rec.grades)) for g in rec.grade.tolist()])


@pytest.mark.parametrize("as_of", [None, "2025-06-30", "2025-03-31"])
def test_demo_book_limits_fit_the_business(as_of: str | None) -> None:
    book, scores = demo(as_of)
    rec = CreditPolicy.default().recommend(book, scores, as_of=as_of)
    exposure = np.asarray(book.features(as_of)["exposure"])
    rank = grade_rank(rec)
    good = rank <= rec.grades.index("BBB")
    # at least 90 % of BBB-and-better customers keep a limit at or above their exposure
    assert (rec.limit[good] >= exposure[good]).mean() >= 0.90
    np.testing.assert_array_equal(rec.limit % 1000.0, 0.0)
    falls = int((rec.direction == "fall").sum())
    assert falls < 700  # 980 of 1,000 before the review rules
    # nobody better than CCC (and not in default) loses more than half its limit
    capped = (rank < rec.grades.index("CCC")) & ~rec.in_default
    assert (rec.limit[capped] >= 0.5 * rec.current_limit[capped]).all()
    # CCC and worse may be cut to 0 at once
    bad = rank >= rec.grades.index("CCC")
    assert bad.any() and (rec.limit[bad] == 0).all()
    rows = rec.changes_by_grade()
    assert sum(r["n"] for r in rows) == 1000 and sum(r["fall"] for r in rows) == falls


def test_demo_book_checks_use_the_reviewed_limit() -> None:
    book, scores = demo()
    policy = CreditPolicy(checks={"static_limit": {"limit": "recommended"}})
    rec = policy.recommend(book, scores)
    ids = book.customer_ids[:50].tolist()
    decisions = policy.check_orders(book, ids, [1000.0] * 50, scores=scores, now=NOW)
    assert [d.credit_limit for d in decisions] == rec.limit[:50].tolist()
    assert policy.check_order(book, ids[3], 1000.0, scores=scores, now=NOW) == decisions[3]


@pytest.mark.parametrize("days_back", [-30, 0, 200, 700, 5000])
def test_the_months_of_history_are_the_oldest_document_issued_by_then(days_back: int) -> None:
    """A customer's history (limits' new-customer rule) counts from its oldest document issued by the date:
    the same as taking the largest age of its documents one by one (NaN before its first)."""
    from riskkit.policy._limits import _MONTH_DAYS, history

    book, _ = riskkit.datasets.make_portfolio(300, seed=5)
    when = book.resolve_as_of() - np.timedelta64(days_back, "D")
    months, _, _ = history(book, when)
    inv = book.invoices
    expected = np.full(book.n_customers, np.nan)
    for c, issued in zip(inv["customer"].tolist(), inv["issued"].tolist(), strict=True):
        age = (np.datetime64(issued, "D") - np.datetime64(when, "D")).astype(np.int64) * -1
        if age >= 0 and not age / _MONTH_DAYS <= expected[c]:
            expected[c] = age / _MONTH_DAYS
    np.testing.assert_array_equal(months, expected)
    assert np.isnan(months).all() == (days_back == 5000)  # long before the first document: no history
