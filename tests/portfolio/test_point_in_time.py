"""The point-in-time rule: features at a date equal features of the data as it was known then."""

from __future__ import annotations

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
