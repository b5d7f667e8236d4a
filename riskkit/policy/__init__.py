"""Credit policy: limits and terms per grade, recommended limits, and the check of new orders.

- :class:`CreditPolicy` holds the configuration: limits and terms per grade,
  limit methods and how they combine, the order-check steps.
- :meth:`CreditPolicy.recommend` gives every customer a recommended limit
  with its reason (:class:`Recommendations`).
- :meth:`CreditPolicy.check_order` and :meth:`CreditPolicy.check_orders`
  run the order-check steps (:class:`StepResult`) to a
  :class:`CreditDecision`.

See docs/domain.md, "Grades, limits and terms" and "Order checks".
"""

from __future__ import annotations

from riskkit.policy._engine import (
    COMBINE_RULES,
    CONDITIONS,
    LIMIT_METHODS,
    OUTCOMES,
    STEPS,
    CreditDecision,
    CreditPolicy,
    Recommendations,
    StepResult,
)

__all__ = [
    "COMBINE_RULES",
    "CONDITIONS",
    "LIMIT_METHODS",
    "OUTCOMES",
    "STEPS",
    "CreditDecision",
    "CreditPolicy",
    "Recommendations",
    "StepResult",
]
