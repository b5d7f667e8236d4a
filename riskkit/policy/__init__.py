"""Credit policy: limits and terms per grade, recommended limits, and the check of new orders.

- :class:`CreditPolicy` holds the configuration: limits and terms per grade,
  limit methods and how they combine, the order-check steps
  (riskkit.policy._policy; what each parameter accepts: riskkit.policy._config).
- :meth:`CreditPolicy.recommend` gives every customer a recommended limit
  with its reason (:class:`Recommendations`; the methods, the review and
  their conventions: riskkit.policy._limits).
- :meth:`CreditPolicy.check_order` and :meth:`CreditPolicy.check_orders`
  run the order-check steps (:data:`STEPS`, one object each in
  riskkit.policy._steps) to a :class:`CreditDecision` with a
  :class:`StepResult` per step (riskkit.policy._orders).
- :meth:`CreditPolicy.prepare` computes that check once for a book, its
  scores and a date: a :class:`PreparedPolicy` answers each order of an
  order-entry service in microseconds, and checks batches to
  :class:`OrderChecks`, columns whose decisions are written when read
  (riskkit.policy._prepared, riskkit.policy._batch).

See docs/domain.md, "Grades, limits and terms" and "Order checks".
"""

from __future__ import annotations

from riskkit.policy._batch import OrderChecks
from riskkit.policy._config import COMBINE_RULES, CONDITIONS, LIMIT_METHODS
from riskkit.policy._decision import OUTCOMES, CreditDecision, StepResult
from riskkit.policy._policy import CreditPolicy
from riskkit.policy._prepared import PreparedPolicy
from riskkit.policy._recommendations import BOUND_BY, DIRECTIONS, Recommendations
from riskkit.policy._steps import STEPS

__all__ = [
    "BOUND_BY",
    "COMBINE_RULES",
    "CONDITIONS",
    "DIRECTIONS",
    "LIMIT_METHODS",
    "OUTCOMES",
    "STEPS",
    "CreditDecision",
    "CreditPolicy",
    "OrderChecks",
    "PreparedPolicy",
    "Recommendations",
    "StepResult",
]
