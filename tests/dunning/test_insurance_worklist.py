"""Credit-insurance notification deadlines on the collections worklist (riskkit.dunning._insurance).

Hand-computed book at 2025-04-11, deadline = due + 90 days, warn 30 days:

- C1 (insured from 2024-12-01): I1 due 2025-01-31, 70 days past due, deadline 2025-05-01 (20 days);
  I2 due 2025-03-31, 11 days past due, deadline 2025-06-29 (79 days, not yet to notify).
- C2 (insured): I3 due 2025-01-01, 100 days past due, deadline 2025-04-01: passed 10 days ago, lost.
- C3 (no insurance decision): I4 overdue, nothing to notify.
- C4 (insured): I5 due 2025-01-20 (deadline 2025-04-20, 9 days) is under an open dispute, so the
  worklist leaves C4 out; with_insurance_cases adds it.
- C5 (insured only from 2025-03-01): I6 issued 2025-01-05, before the cover: not insured.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import riskkit
from riskkit import dunning
from riskkit.errors import DataTypeError, ValidationError

AS_OF = "2025-04-11"
IDS = ["C1", "C2", "C3", "C4", "C5"]
SCORES = riskkit.ScoreResult(score=[60.0] * 5, pd=[0.02, 0.05, 0.01, 0.03, 0.02], grade=["BB", "B", "A", "BB", "BB"],
                             customer_ids=IDS)


def inv(i: str, c: str, issued: str, due: str, amount: float) -> dict[str, object]:
    return {"id": i, "customer_id": c, "issued": issued, "due": due, "amount": amount}


def grant(c: str, date: str = "2024-12-01") -> dict[str, object]:
    return {"customer_id": c, "date": date, "status": "granted", "amount": 50000.0}


def book(insured: bool = True) -> riskkit.Portfolio:
    return riskkit.Portfolio.from_records(
        customers=[{"id": c} for c in IDS],
        invoices=[inv("I1", "C1", "2025-01-01", "2025-01-31", 4000.0), inv("I2", "C1", "2025-03-01", "2025-03-31", 1000.0),
                  inv("I3", "C2", "2024-12-02", "2025-01-01", 2500.0), inv("I4", "C3", "2025-02-01", "2025-03-03", 700.0),
                  inv("I5", "C4", "2024-12-21", "2025-01-20", 3000.0), inv("I6", "C5", "2025-01-05", "2025-02-04", 900.0)],
        disputes=[{"invoice_id": "I5", "reason": "quality", "opened": "2025-02-01"}],
        insurance=[grant("C1"), grant("C2"), grant("C4"), grant("C5", "2025-03-01")] if insured else None,
        as_of=AS_OF)


def test_columns_per_worklist_row() -> None:
    p = book()
    work = dunning.worklist(p, SCORES)
    assert sorted(work["customer_id"].tolist()) == ["C1", "C2", "C3", "C5"]  # C4: only a disputed invoice
    cols = dunning.insurance_columns(p, work)
    got = {c: {k: v[i] for k, v in cols.items()} for i, c in enumerate(work["customer_id"].tolist())}
    assert list(cols) == ["notify_invoices", "notify_amount", "notify_by", "days_to_deadline", "cover_lost"]
    assert (got["C1"]["notify_invoices"], got["C1"]["notify_amount"], str(got["C1"]["notify_by"]),
            got["C1"]["days_to_deadline"], got["C1"]["cover_lost"]) == (1, 4000.0, "2025-05-01", 20.0, False)
    assert (got["C2"]["notify_invoices"], got["C2"]["notify_amount"], str(got["C2"]["notify_by"]),
            got["C2"]["days_to_deadline"], got["C2"]["cover_lost"]) == (1, 2500.0, "2025-04-01", -10.0, True)
    for c in ("C3", "C5"):  # uninsured, and delivered before the cover
        assert got[c]["notify_invoices"] == 0 and got[c]["notify_amount"] == 0.0 and not got[c]["cover_lost"]
        assert np.isnat(got[c]["notify_by"]) and math.isnan(got[c]["days_to_deadline"])


def test_warn_days_and_extension() -> None:
    p = book()
    work = dunning.worklist(p, SCORES)
    row = work["customer_id"].tolist().index("C1")
    wide = dunning.insurance_columns(p, work, warn_days=90)
    assert wide["notify_invoices"][row] == 2 and wide["notify_amount"][row] == 5000.0
    # a 60-day policy: I1's deadline 2025-04-01 passed 10 days ago, I2's 2025-05-30 is 49 days away
    short = dunning.insurance_columns(p, work, max_extension_days=60)
    assert short["days_to_deadline"][row] == -10.0 and short["cover_lost"][row]
    assert short["notify_invoices"][row] == 1
    with pytest.raises(ValidationError, match="warn_days"):
        dunning.insurance_columns(p, work, warn_days=-1)
    with pytest.raises(ValidationError, match="max_extension_days"):
        dunning.insurance_columns(p, work, max_extension_days=1.5)  # type: ignore[arg-type]


def test_near_deadline_of_a_customer_not_dunned_is_added() -> None:
    p = book()
    work = dunning.worklist(p, SCORES)
    full = dunning.with_insurance_cases(p, work, SCORES)
    assert len(full) == len(work) + 1
    assert full["customer_id"].tolist()[: len(work)] == work["customer_id"].tolist()  # the worklist first, as it was
    case = full.for_customer("C4")
    assert case["stage"] == "" and case["next_action"] == dunning._insurance.NOTIFY_ACTION
    assert (case["overdue_amount"], case["days_past_due"], case["priority"], case["hold_credit"]) == (0.0, 0, 0.0, False)
    assert case["grade"] == "BB" and case["pd"] == 0.03
    assert case["reason"] == ("notify the credit insurer by 2025-04-20 (9 days left): 1 overdue insured invoice "
                              "(3,000.00); not at a dunning stage")
    cols = dunning.insurance_columns(p, full)
    assert cols["notify_invoices"][-1] == 1 and cols["days_to_deadline"][-1] == 9.0
    # promise columns on the added row: the dispute, and no escalation from no stage
    extra = dunning.promise_columns(p, full)
    assert extra["disputes_open"][-1] == 1 and extra["escalate_to"][-1] == ""
    # further than warn_days: not added
    assert dunning.with_insurance_cases(p, work, SCORES, warn_days=5) is work


def test_book_without_insurance_is_unchanged() -> None:
    p = book(insured=False)
    work = dunning.worklist(p, SCORES)
    assert dunning.insurance_columns(p, work) == {}
    assert dunning.with_insurance_cases(p, work, SCORES) is work
    with pytest.raises(DataTypeError, match="Worklist"):
        dunning.with_insurance_cases(p, work.to_records(), SCORES)  # type: ignore[arg-type]
