"""The point-in-time rule: features at a date equal features of the data as it was known then."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskkit
from riskkit import _schema
from riskkit.datasets import make_portfolio


@pytest.fixture(scope="module")
def book() -> riskkit.Portfolio:
    portfolio, _ = make_portfolio(300, seed=3)
    return portfolio


def known_at(p: riskkit.Portfolio, t: np.datetime64) -> riskkit.Portfolio:
    """Rebuild ``p`` from only the facts known on ``t``, the way an ERP extract taken that day would."""
    tables = {name: {c: p.table(name)[c] for c in _schema.TABLES[name].names} for name in _schema.TABLES}
    inv = dict(tables["invoices"])
    keep = inv["issued"] <= t
    paid_later = inv["paid_on"] > t
    inv["paid_amount"] = np.where(paid_later, 0.0, inv["paid_amount"])
    inv["paid_on"] = np.where(paid_later, np.datetime64("NaT"), inv["paid_on"])
    tables["invoices"] = {c: v[keep] for c, v in inv.items()}
    pay = tables["payments"]
    kept_ids = set(tables["invoices"]["id"].tolist())
    keep = (pay["date"] <= t) & np.isin(pay["invoice_id"], list(kept_ids))
    tables["payments"] = {c: v[keep] for c, v in pay.items()}
    for name, col in (("orders", "date"), ("events", "date")):
        keep = tables[name][col] <= t
        tables[name] = {c: v[keep] for c, v in tables[name].items()}
    s = tables["statements"]
    keep = (s["period_end"] <= t) & (np.isnat(s["published"]) | (s["published"] <= t))
    tables["statements"] = {c: v[keep] for c, v in s.items()}
    return riskkit.Portfolio.from_arrays(**tables, as_of=t)


@settings(max_examples=15, deadline=None)
@given(days_back=st.integers(min_value=0, max_value=600))
def test_features_use_only_facts_known_on_as_of(book: riskkit.Portfolio, days_back: int) -> None:
    t = np.datetime64(book.as_of, "D") - np.timedelta64(days_back, "D")
    full = book.features(as_of=t)
    then = known_at(book, t).features()
    assert full.names == then.names
    np.testing.assert_array_equal(full.to_numpy(), then.to_numpy())


def test_future_facts_change_nothing_before_they_happen(book: riskkit.Portfolio) -> None:
    t = np.datetime64(book.as_of, "D") - np.timedelta64(200, "D")
    before = book.features(as_of=t).to_numpy()
    assert not np.array_equal(before, book.features().to_numpy(), equal_nan=True)


# --- one reading of a date argument ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("31.03.2025", "is not a valid date"),
        ("2025-03", "is not a valid date"),
        (np.datetime64("2025-03", "M"), "is a year, month or week"),
        (np.datetime64("2025-03-31T10:00"), "has a time of day"),
        (np.datetime64("NaT"), "is NaT"),
        (20250331, "is of type int"),
    ],
)
def test_every_date_argument_is_read_alike(value: object, reason: str) -> None:
    from riskkit._pit import as_of_date, as_of_dates, as_of_day
    from riskkit.datasets._synthetic import generate
    from riskkit.errors import ValidationError

    accepted = "expected a date (datetime.date, numpy.datetime64 or 'YYYY-MM-DD')"
    for read in (as_of_day, as_of_date):
        with pytest.raises(ValidationError, match=f"^as_of \\(.*\\) {reason}.*; {re.escape(accepted)}$"):
            read(value)
    with pytest.raises(ValidationError, match=f"^as_of_dates\\[1\\] \\(.*\\) {reason}") as info:
        as_of_dates(["2025-01-31", value])
    assert (info.value.field, info.value.row) == ("as_of_dates", 1)
    with pytest.raises(ValidationError, match=f"^as_of \\(.*\\) {reason}"):
        generate(10, as_of=value)
    _, outcomes = make_portfolio(20, seed=1)
    with pytest.raises(ValidationError, match=f"^date \\(.*\\) {reason}"):
        outcomes.defaulted_by(value)


def test_date_lists_vectorised_and_missing() -> None:
    from riskkit._pit import as_of_dates
    from riskkit.errors import ValidationError

    days = np.array(["2025-01-31T00:00", "NaT"], dtype="datetime64[s]")
    assert as_of_dates(days, missing=True).tolist() == [np.datetime64("2025-01-31").astype(object), None]
    with pytest.raises(ValidationError, match=r"^default_date\[1\] \(NaT\) is NaT"):
        as_of_dates(days, "default_date")
    mixed = ["2025-01-31", None, "NaT", float("nan"), np.datetime64("2025-02-28")]
    assert np.isnat(as_of_dates(mixed, missing=True)).tolist() == [False, True, True, True, False]
    assert as_of_dates([]).dtype == np.dtype("datetime64[D]")


# --- the Portfolio's cache ------------------------------------------------------------


def test_cache_is_owned_by_the_portfolio_and_never_shared_by_copies(book: riskkit.Portfolio) -> None:
    from riskkit import _ledger
    from riskkit.signals._context import context

    p = make_portfolio(200, seed=4)[0]
    ctx = context(p, None)
    assert context(p, None) is ctx and "_signal_contexts" not in vars(p)
    frame = p.features()
    strict = p.with_default_definition(riskkit.DefaultDefinition(days_past_due=30))
    # what does not depend on the definition is handed down; features and contexts are the copy's own
    assert _ledger.ledger(strict) is _ledger.ledger(p)
    assert strict.features() is not frame
    assert context(strict, None) is not ctx and context(strict, None).portfolio is strict
    assert context(p, None) is ctx  # the copy's use left the original's cache alone
    # bounded: a few dates kept, the oldest dropped first
    for k in range(6):
        p._cached("test", lambda k=k: k, at=k, keep=2)
    assert p._cached("test", lambda: -1, at=5, keep=2) == 5
    assert p._cached("test", lambda: -1, at=0, keep=2) == -1


def test_cache_gives_every_thread_the_first_value_stored() -> None:
    import threading

    p = make_portfolio(50, seed=5)[0]
    barrier = threading.Barrier(8)
    got: list[object] = []

    def build() -> object:
        return object()

    def worker() -> None:
        barrier.wait()
        got.append(p._cached("shared", build))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(v) for v in got}) == 1
