"""What a credit check records: one :class:`StepResult` per step and the :class:`CreditDecision` on the order.

A decision is plain data with the facts it used, the policy version, the
date of the facts and the time of the decision (UTC): it serialises to JSON
for the audit trail (:meth:`CreditDecision.to_json`, :meth:`CreditDecision.from_json`).
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

import attrs

from riskkit._checks import Options, check, fail
from riskkit._pit import as_of_date
from riskkit.errors import FormatError

__all__ = ["OUTCOMES", "CreditDecision", "StepResult", "utc"]

#: Outcomes of a credit check, mildest first.
OUTCOMES: tuple[str, ...] = ("approve", "approve_with_conditions", "hold", "reject")
_OUTCOME = Options(*OUTCOMES)


def utc(value: Any, field: str) -> _dt.datetime:
    """A timezone-aware datetime, or ISO text of one, as a UTC datetime; ``field`` names it in errors.

    >>> utc("2025-03-31T11:30:00+02:00", "now")
    datetime.datetime(2025, 3, 31, 9, 30, tzinfo=datetime.timezone.utc)
    """
    if isinstance(value, str):
        try:
            value = _dt.datetime.fromisoformat(value)
        except ValueError:
            raise fail(field, "an ISO timestamp with a time zone", value) from None
    if not isinstance(value, _dt.datetime) or value.tzinfo is None:
        raise fail(field, "a timezone-aware datetime (e.g. datetime.now(timezone.utc))", value)
    return value.astimezone(_dt.timezone.utc)


def _decided_at(value: Any) -> _dt.datetime:
    if type(value) is _dt.datetime and value.tzinfo is _dt.timezone.utc:
        return value  # already what utc() gives: the check builds thousands of decisions with one timestamp
    return utc(value, "decided_at")


def _as_of(value: Any) -> _dt.date:
    if type(value) is _dt.date:
        return value  # already what as_of_date() gives
    return as_of_date(value)


@attrs.frozen
class StepResult:
    """One step of a credit check.

    Attributes
    ----------
    name : str
        From :data:`STEPS`.
    passed : bool
    reason : str
    value, limit : float or None
        What was compared (``None`` for the blocked step).
    on_fail : str
        What failing this step does for this customer's segment:
        ``"reject"``, ``"hold"`` or ``"conditions"``.
    """

    name: str
    passed: bool
    reason: str
    value: float | None = None
    limit: float | None = None
    on_fail: str = "hold"

    def to_dict(self) -> dict[str, Any]:
        """The step as a JSON-safe dict."""
        return attrs.asdict(self)


@attrs.frozen
class CreditDecision:
    """The documented decision on one order: outcome, every step and the facts used.

    Attributes
    ----------
    customer_id : str
    amount : float
        The order amount.
    outcome : str
        From :data:`OUTCOMES`: ``"approve"``, ``"approve_with_conditions"``,
        ``"hold"`` (for review) or ``"reject"``.
    reason : str
        The outcome in one line: the steps (and grade condition) that decided it.
    steps : tuple of StepResult
        Every enabled step, in :data:`STEPS` order.
    exposure : float
        Counted exposure before this order.
    credit_limit : float or None
        The limit the static check used (``None``: none on file, checked as 0).
    limit_source : str
        ``"current"``, ``"recommended"`` or ``"lower"``.
    oldest_item_days : float
        Days past due of the oldest open item (0 when nothing is overdue).
    dunning_level : int
    payment_index : float or None
        ``None`` without payments in the last 365 days.
    blocked : bool
    grade, conditions : str or None
        The policy grade and its conditions (``None`` without scores).
    terms_days : int or None
    segment : str
        The customer's ``segment_by`` value.
    policy_version : str
    as_of : datetime.date
        The date of the facts.
    decided_at : datetime.datetime
        When the decision was made (UTC).
    """

    customer_id: str
    amount: float
    outcome: str
    reason: str
    steps: tuple[StepResult, ...]
    exposure: float
    credit_limit: float | None
    limit_source: str
    oldest_item_days: float
    dunning_level: int
    payment_index: float | None
    blocked: bool
    grade: str | None
    conditions: str | None
    terms_days: int | None
    segment: str
    policy_version: str
    as_of: _dt.date = attrs.field(converter=_as_of)
    decided_at: _dt.datetime = attrs.field(converter=_decided_at)

    def __attrs_post_init__(self) -> None:
        if not (type(self.outcome) is str and self.outcome in OUTCOMES):
            check("outcome", self.outcome, _OUTCOME)

    @property
    def approved(self) -> bool:
        """True for ``approve`` and ``approve_with_conditions``."""
        return self.outcome in ("approve", "approve_with_conditions")

    def to_dict(self) -> dict[str, Any]:
        """The decision as JSON-safe data (dates as ISO text)."""
        out = {f.name: getattr(self, f.name) for f in attrs.fields(type(self))}
        out["steps"] = [s.to_dict() for s in self.steps]
        out["as_of"] = self.as_of.isoformat()
        out["decided_at"] = self.decided_at.isoformat()
        out["type"] = "CreditDecision"
        return out

    def to_json(self) -> str:
        """The decision as a JSON document with sorted keys: the same decision always gives the same text.

        Examples
        --------
        >>> import datetime
        >>> d = CreditDecision(customer_id="C1", amount=500.0, outcome="approve", reason="approve: all 1 checks passed",
        ...     steps=(StepResult("blocked", True, "not blocked", on_fail="reject"),), exposure=0.0,
        ...     credit_limit=1000.0, limit_source="current", oldest_item_days=0.0, dunning_level=0,
        ...     payment_index=None, blocked=False, grade=None, conditions=None, terms_days=None,
        ...     segment="standard", policy_version="1", as_of=datetime.date(2025, 1, 31),
        ...     decided_at=datetime.datetime(2025, 1, 31, 8, 0, tzinfo=datetime.timezone.utc))
        >>> d.to_json()[:40]
        '{"amount": 500.0, "as_of": "2025-01-31",'
        >>> CreditDecision.from_json(d.to_json()) == d
        True
        """
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> CreditDecision:
        """Read what :meth:`to_json` wrote.

        Raises
        ------
        FormatError
            The text is not a CreditDecision document.
        """
        try:
            d = json.loads(text)
        except (json.JSONDecodeError, TypeError) as exc:
            raise FormatError(f"a CreditDecision must be JSON text: {exc}") from None
        if not isinstance(d, dict) or d.pop("type", None) != "CreditDecision":
            raise FormatError('not a CreditDecision document (no "type": "CreditDecision")')
        names = {f.name for f in attrs.fields(cls)}
        if set(d) != names:
            raise FormatError(
                f"CreditDecision keys: missing {sorted(names - set(d))}, unknown {sorted(set(d) - names)}"
            )
        try:
            d["steps"] = tuple(StepResult(**s) for s in d["steps"])
            d["as_of"] = _dt.date.fromisoformat(d["as_of"])
            d["decided_at"] = _dt.datetime.fromisoformat(d["decided_at"])
            return cls(**d)
        except (TypeError, ValueError) as exc:
            raise FormatError(f"malformed CreditDecision: {exc}") from None


