"""Frozen records users can build directly, one per row of a Portfolio table.

Each record validates itself at construction and raises
:class:`riskkit.ValidationError` naming the record and the field. Dates accept
``datetime.date``, ``numpy.datetime64`` or ISO ``'YYYY-MM-DD'`` text and are
stored as ``datetime.date``; money is a finite float ``>= 0``.

Examples
--------
>>> import datetime as dt
>>> from riskkit import Invoice
>>> inv = Invoice("INV1", "C1", dt.date(2025, 1, 1), dt.date(2025, 1, 31), 1200.0)
>>> inv.paid_amount, inv.paid_on
(0.0, None)
>>> Invoice("INV2", "C1", "2025-02-01", "2025-01-01", 100.0)
Traceback (most recent call last):
...
riskkit.errors.ValidationError: Invoice 'INV2': field 'due' (2025-01-01) is before 'issued' (2025-02-01)
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from riskkit import _schema
from riskkit._convert import _Reject, is_missing, show, to_bool, to_currency, to_date, to_number, to_text
from riskkit.errors import ValidationError

__all__ = [
    "CustomerEvent",
    "CustomerRecord",
    "Dispute",
    "EventKind",
    "ExposureRecord",
    "FinancialStatement",
    "InsuranceDecision",
    "Invoice",
    "InvoiceKind",
    "Order",
    "Payment",
    "Promise",
]


class _KindRegistry:
    """An open set of kinds, each under one of ``_GROUPS``: the built-in ones and those registered.

    Subclasses set ``_kinds`` (their built-in kinds, a dict of their own),
    ``_NOUN`` (``"event kind"``), ``_GROUP`` (what a kind is filed under, as
    messages name it) and ``_GROUPS`` (the accepted ones), and expose
    :meth:`_group_of` and :meth:`_register` under their own names.
    """

    _NOUN: ClassVar[str]
    _GROUP: ClassVar[str]
    _GROUPS: ClassVar[tuple[str, ...]]
    _kinds: ClassVar[dict[str, str]]
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def known(cls) -> Mapping[str, str]:
        """Read-only mapping of every known kind to its group: an event kind's category, a document kind's
        direction (``debit`` or ``credit``)."""
        return MappingProxyType(cls._kinds)

    @classmethod
    def _group_of(cls, kind: str) -> str:
        try:
            return cls._kinds[kind]
        except KeyError:
            raise ValidationError(
                f"unknown {cls._NOUN} {kind!r}; known kinds: {', '.join(sorted(cls._kinds))} "
                f"(add one with {cls.__name__}.register)",
                field="kind",
                value=kind,
            ) from None

    @classmethod
    def _register(cls, kind: str, group: str) -> str:
        if not isinstance(kind, str) or not kind.isidentifier():
            raise ValidationError(f"{cls._NOUN} must be an identifier-like string, got {kind!r}", value=kind)
        if group not in cls._GROUPS:
            raise ValidationError(f"unknown {cls._GROUP} {group!r}; accepted: {', '.join(cls._GROUPS)}", value=group)
        with cls._lock:
            existing = cls._kinds.get(kind)
            if existing is not None and existing != group:
                raise ValidationError(f"{cls._NOUN} {kind!r} is already registered under {existing!r}", value=kind)
            cls._kinds[kind] = group
        return kind


class EventKind(_KindRegistry):
    """The kinds of :class:`CustomerEvent`, each with the category it belongs to.

    An open set: the built-in kinds below are always known, and
    :meth:`register` adds a company's own kinds.

    Examples
    --------
    >>> EventKind.LAWSUIT
    'lawsuit'
    >>> EventKind.category("bounced_payment")
    'payment'
    >>> EventKind.register("tax_lien", "legal")
    'tax_lien'
    """

    LAWSUIT = "lawsuit"
    ASSET_FREEZE = "asset_freeze"
    ASSET_PLEDGE = "asset_pledge"
    LEGAL_REP_CHANGE = "legal_rep_change"
    BROKEN_PROMISE = "broken_promise"
    BOUNCED_PAYMENT = "bounced_payment"
    DISCOUNT_STOPPED = "discount_stopped"
    INSTRUMENT_CHANGE = "instrument_change"
    KEY_PERSON_CHANGE = "key_person_change"
    CONTACT_UNREACHABLE = "contact_unreachable"
    BANK_CHANGE = "bank_change"
    EXPLANATION_CHANGE = "explanation_change"
    LIMIT_INCREASE_REQUEST = "limit_increase_request"
    INSOLVENCY_FILING = "insolvency_filing"
    ENFORCEMENT = "enforcement"
    RESTRUCTURING = "restructuring"
    WRITE_OFF = "write_off"

    CATEGORIES: ClassVar[tuple[str, ...]] = (
        "payment",
        "ordering",
        "financial",
        "legal",
        "management",
        "industry",
    )
    _NOUN, _GROUP, _GROUPS = "event kind", "event category", CATEGORIES
    _kinds: ClassVar[dict[str, str]] = {
        LAWSUIT: "legal",
        ASSET_FREEZE: "legal",
        ASSET_PLEDGE: "legal",
        LEGAL_REP_CHANGE: "legal",
        BROKEN_PROMISE: "payment",
        BOUNCED_PAYMENT: "payment",
        DISCOUNT_STOPPED: "payment",
        INSTRUMENT_CHANGE: "payment",
        KEY_PERSON_CHANGE: "management",
        CONTACT_UNREACHABLE: "management",
        BANK_CHANGE: "management",
        EXPLANATION_CHANGE: "management",
        LIMIT_INCREASE_REQUEST: "ordering",
        INSOLVENCY_FILING: "legal",
        ENFORCEMENT: "legal",
        RESTRUCTURING: "financial",
        WRITE_OFF: "payment",
    }

    @classmethod
    def category(cls, kind: str) -> str:
        """The category of ``kind``; an unknown kind raises ``ValidationError`` listing the known ones."""
        return cls._group_of(kind)

    @classmethod
    def register(cls, kind: str, category: str) -> str:
        """Add ``kind`` under ``category``; registering a kind again with the same category is a no-op."""
        return cls._register(kind, category)


class InvoiceKind(_KindRegistry):
    """The kinds of open-item documents in the invoices table, each a debit or a credit.

    A credit document (a credit note) lowers what the customer owes and never
    carries days past due. A document is a credit when its kind is a credit
    kind, when its amount is negative, or when its ``credit`` indicator is set;
    any one of them is enough and several together are still one credit
    (docs/domain.md, open items).

    Examples
    --------
    >>> InvoiceKind.direction("credit_note")
    'credit'
    >>> InvoiceKind.register("out_refund", "credit")
    'out_refund'
    """

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    DEBIT_NOTE = "debit_note"

    DIRECTIONS: ClassVar[tuple[str, ...]] = ("debit", "credit")
    _NOUN, _GROUP, _GROUPS = "invoice kind", "direction", DIRECTIONS
    _kinds: ClassVar[dict[str, str]] = {INVOICE: "debit", CREDIT_NOTE: "credit", DEBIT_NOTE: "debit"}

    @classmethod
    def direction(cls, kind: str) -> str:
        """``"debit"`` or ``"credit"``; an unknown kind raises ``ValidationError`` listing the known ones."""
        return cls._group_of(kind)

    @classmethod
    def credit_kinds(cls) -> tuple[str, ...]:
        """Every known kind whose direction is credit."""
        return tuple(k for k, d in cls._kinds.items() if d == "credit")

    @classmethod
    def register(cls, kind: str, direction: str) -> str:
        """Add ``kind`` as a ``"debit"`` or ``"credit"`` document; registering it again the same way is a no-op."""
        return cls._register(kind, direction)


def _convert_field(column: _schema.Column, value: Any) -> Any:
    """Convert one record field per its schema column; missing optional values take the default."""
    if is_missing(value):
        if not column.optional:
            raise _Reject("is missing; it is required")
        return None if column.kind == "date" else column.default
    kind = column.kind
    if kind == "date":
        return to_date(value).astype(object)
    if kind == "money":
        return to_number(value, nonnegative=True)
    if kind in ("signed", "ratio", "amount"):
        return to_number(value, nonnegative=False)
    if kind == "bool":
        return to_bool(value)
    text = to_text(value, allow_int=kind in ("id", "ref", "invref"))
    if kind in ("id", "ref", "invref") and not text.strip():
        if column.optional:
            return column.default
        raise _Reject("is empty; it is required")
    if kind == "kind" and text not in EventKind.known():
        raise _Reject(f"is not a known event kind; known: {', '.join(sorted(EventKind.known()))}")
    if kind == "invkind" and text not in InvoiceKind.known():
        raise _Reject(f"is not a known invoice kind; known: {', '.join(sorted(InvoiceKind.known()))}")
    if kind == "currency":
        return to_currency(text) if text.strip() else column.default
    return text


class _Validated:
    """Mixin: convert and check every field against the schema after ``__init__``."""

    _table: ClassVar[_schema.Table]

    def _label(self) -> str:
        ident = getattr(self, "id", None) or getattr(self, "invoice_id", None) or getattr(self, "customer_id", "?")
        return f"{type(self).__name__} {ident!r}"

    def _fail(self, field: str, reason: str, value: Any) -> ValidationError:
        return ValidationError(
            f"{self._label()}: field {field!r} ({show(value)}) {reason}",
            table=self._table.name,
            field=field,
            value=value,
        )

    def __attrs_post_init__(self) -> None:
        for column in self._table.columns:
            raw = getattr(self, column.name)
            try:
                object.__setattr__(self, column.name, _convert_field(column, raw))
            except _Reject as exc:
                raise self._fail(column.name, str(exc), raw) from None
        self._check()

    def _check(self) -> None:
        """Cross-field rules; overridden where a record has them."""


def _nan_key(value: Any) -> Any:
    """Compare NaN (a missing amount) equal to NaN, so a record equals itself."""
    return (True, 0.0) if isinstance(value, float) and value != value else (False, value)


@attrs.frozen(slots=False)
class CustomerRecord(_Validated):
    """A customer. Satisfies :class:`riskkit.Customer`.

    ``debtor_type``, ``industry_risk``, ``secured_amount`` and ``blocked`` are
    optional extras read by the collections ladder, the 5C card and the order check.
    ``industry_risk`` and ``secured_amount`` are NaN when not given (unknown,
    so ``collateral_coverage`` is NaN); give ``secured_amount=0.0`` for a
    customer known to have no collateral. ``parent_id`` names the customer's
    parent in its corporate group and ``group_limit`` (on the group's top
    parent only) the limit its group shares (docs/domain.md, *Corporate groups*).
    """

    _table: ClassVar[_schema.Table] = _schema.CUSTOMERS
    id: str
    name: str = ""
    industry: str = ""
    region: str = ""
    established: _dt.date | None = None
    debtor_type: str = "standard"
    industry_risk: float = attrs.field(default=float("nan"), eq=_nan_key)
    secured_amount: float = attrs.field(default=float("nan"), eq=_nan_key)
    blocked: bool = False
    parent_id: str = ""
    group_limit: float = attrs.field(default=float("nan"), eq=_nan_key)


@attrs.frozen(slots=False)
class ExposureRecord(_Validated):
    """A customer's credit limit and non-invoice exposure. Satisfies :class:`riskkit.Exposure`."""

    _table: ClassVar[_schema.Table] = _schema.EXPOSURES
    customer_id: str
    credit_limit: float
    open_orders: float = 0.0
    open_deliveries: float = 0.0
    special: float = 0.0
    currency: str = ""


@attrs.frozen(slots=False)
class Invoice(_Validated):
    """An open-item document: an invoice, or a credit note (a credit).

    ``paid_amount`` paid on ``paid_on`` records one payment; use
    :class:`Payment` records for several partial payments. A document is a
    credit when ``amount`` is negative, ``kind`` is a credit kind
    (:class:`InvoiceKind`) or ``credit`` is True; a credit note needs no
    ``due`` and may name the invoice it corrects in ``applies_to``.
    ``residual`` is the open amount at the export date, for exports that
    carry no payment history. Amounts are in ``currency`` (default: the
    reporting currency).
    """

    _table: ClassVar[_schema.Table] = _schema.INVOICES
    id: str
    customer_id: str
    issued: _dt.date
    due: _dt.date | None
    amount: float
    paid_amount: float = 0.0
    paid_on: _dt.date | None = None
    kind: str = InvoiceKind.INVOICE
    credit: bool = False
    currency: str = ""
    applies_to: str = ""
    residual: float = attrs.field(default=float("nan"), eq=_nan_key)

    @property
    def is_credit(self) -> bool:
        """True for a credit document, whichever way it is marked."""
        return self.amount < 0 or self.credit or InvoiceKind.direction(self.kind) == "credit"

    def _check(self) -> None:
        if not self.is_credit:
            if self.due is None:
                raise self._fail("due", "is missing; it is required for an invoice", self.due)
            if self.due < self.issued:
                raise self._fail("due", f"is before 'issued' ({self.issued})", self.due)
            if self.applies_to:
                raise self._fail("applies_to", "is set on an invoice; only a credit note applies to an invoice",
                                 self.applies_to)
        if self.paid_amount > 0 and self.paid_on is None:
            raise self._fail("paid_amount", "is set without 'paid_on'", self.paid_amount)
        if self.paid_on is not None and self.paid_amount == 0 and self.amount != 0:
            raise self._fail("paid_on", "is set but 'paid_amount' is 0; give the amount paid", self.paid_on)


@attrs.frozen(slots=False)
class Payment(_Validated):
    """One (possibly partial) payment against an invoice, or cash on account.

    A payment names the document it pays in ``invoice_id``; one that names
    none is unapplied cash of ``customer_id``. A payment may come before its
    invoice (a down payment) and may exceed it (docs/domain.md, open items).
    ``currency`` defaults to the invoice's.
    """

    _table: ClassVar[_schema.Table] = _schema.PAYMENTS
    invoice_id: str | None
    date: _dt.date
    amount: float
    customer_id: str | None = None
    currency: str = ""

    def _check(self) -> None:
        if not self.invoice_id and not self.customer_id:
            raise self._fail("invoice_id", "is missing; give invoice_id, or customer_id for cash on account",
                             self.invoice_id)


@attrs.frozen(slots=False)
class Order(_Validated):
    """A sales order; ``quantity`` (optional) lets signals see unit prices."""

    _table: ClassVar[_schema.Table] = _schema.ORDERS
    customer_id: str
    date: _dt.date
    amount: float
    quantity: float = attrs.field(default=float("nan"), eq=_nan_key)
    currency: str = ""


@attrs.frozen(slots=False)
class FinancialStatement(_Validated):
    """A customer's financial statement for the period ending ``period_end``.

    Line items may be ``None`` (not reported; stored as NaN, so models that
    need them give NaN). ``published`` is the date the statement became known;
    the point-in-time rule uses it when given.
    """

    _table: ClassVar[_schema.Table] = _schema.STATEMENTS
    customer_id: str
    period_end: _dt.date
    revenue: float | None = attrs.field(default=None, eq=_nan_key)
    ebit: float | None = attrs.field(default=None, eq=_nan_key)
    net_income: float | None = attrs.field(default=None, eq=_nan_key)
    total_assets: float | None = attrs.field(default=None, eq=_nan_key)
    total_liabilities: float | None = attrs.field(default=None, eq=_nan_key)
    current_assets: float | None = attrs.field(default=None, eq=_nan_key)
    current_liabilities: float | None = attrs.field(default=None, eq=_nan_key)
    retained_earnings: float | None = attrs.field(default=None, eq=_nan_key)
    equity: float | None = attrs.field(default=None, eq=_nan_key)
    market_value_equity: float | None = attrs.field(default=None, eq=_nan_key)
    operating_cash_flow: float | None = attrs.field(default=None, eq=_nan_key)
    intangible_assets: float | None = attrs.field(default=None, eq=_nan_key)
    published: _dt.date | None = None
    currency: str = ""

    def _check(self) -> None:
        if self.published is not None and self.published < self.period_end:
            raise self._fail("published", f"is before 'period_end' ({self.period_end})", self.published)


@attrs.frozen(slots=False)
class CustomerEvent(_Validated):
    """A dated event about a customer; ``kind`` is one of :class:`EventKind`."""

    _table: ClassVar[_schema.Table] = _schema.EVENTS
    customer_id: str
    date: _dt.date
    kind: str
    amount: float = attrs.field(default=float("nan"), eq=_nan_key)
    currency: str = ""


@attrs.frozen(slots=False)
class InsuranceDecision(_Validated):
    """A credit insurer's decision on a customer's insured limit (docs/domain.md, *Credit insurance*).

    ``status`` is ``"requested"`` (asked for, not cover yet), ``"granted"``,
    ``"reduced"`` (the limit in force from ``date``) or ``"cancelled"`` (no
    cover from ``date``; no amount, or 0). ``indemnity`` is the insured share
    of a loss in (0, 1]; ``None`` takes the default of
    :func:`riskkit.insurance.cover`.

    Examples
    --------
    >>> InsuranceDecision("C1", "2025-01-15", "granted", 50000.0, indemnity=0.9).amount
    50000.0
    >>> InsuranceDecision("C1", "2025-01-15", "refused", 0.0)
    Traceback (most recent call last):
    ...
    riskkit.errors.ValidationError: InsuranceDecision 'C1': field 'status' ('refused') is not a known insurance status; accepted: requested, granted, reduced, cancelled
    """

    _table: ClassVar[_schema.Table] = _schema.INSURANCE
    customer_id: str
    date: _dt.date
    status: str
    amount: float = attrs.field(default=float("nan"), eq=_nan_key)
    indemnity: float = attrs.field(default=float("nan"), eq=_nan_key)
    currency: str = ""

    def _check(self) -> None:
        if self.status not in _schema.INSURANCE_STATUSES:
            raise self._fail("status", "is not a known insurance status; accepted: "
                             + ", ".join(_schema.INSURANCE_STATUSES), self.status)
        missing = self.amount != self.amount
        if self.status != "cancelled" and missing:
            raise self._fail("amount", "is missing; it is required for a requested, granted or reduced limit",
                             self.amount)
        if self.status == "cancelled" and not missing and self.amount > 0:
            raise self._fail("amount", "is set on a cancellation; a cancelled limit is 0 (leave it empty or give 0)",
                             self.amount)
        if self.indemnity == self.indemnity and not 0 < self.indemnity <= 1:
            raise self._fail("indemnity", "is not a share in (0, 1] (e.g. 0.9 for 90%); leave it empty for the "
                             "default", self.indemnity)


@attrs.frozen(slots=False)
class Promise(_Validated):
    """A promise to pay: ``amount`` by ``due``, made on ``made`` (docs/domain.md, *Promises and disputes*).

    Whether it was kept is computed from the payments, never entered
    (:func:`riskkit.promises.promise_status`). ``invoice_id`` names the
    invoice promised; without it any payment of the customer counts.
    ``amount`` is in the reporting currency.

    Examples
    --------
    >>> Promise("C1", "2025-03-01", "2025-03-10", 500.0).due
    datetime.date(2025, 3, 10)
    >>> Promise("C1", "2025-03-10", "2025-03-01", 500.0)
    Traceback (most recent call last):
    ...
    riskkit.errors.ValidationError: Promise 'C1': field 'due' (2025-03-01) is before 'made' (2025-03-10)
    """

    _table: ClassVar[_schema.Table] = _schema.PROMISES
    customer_id: str
    made: _dt.date
    due: _dt.date
    amount: float
    invoice_id: str = ""

    def _label(self) -> str:
        return f"{type(self).__name__} {self.customer_id!r}"

    def _check(self) -> None:
        if self.due < self.made:
            raise self._fail("due", f"is before 'made' ({self.made})", self.due)
        if self.amount <= 0:
            raise self._fail("amount", "is not above 0; a promise names the amount to be paid", self.amount)


@attrs.frozen(slots=False)
class Dispute(_Validated):
    """A disputed invoice, open from ``opened`` until ``resolved`` (docs/domain.md, *Promises and disputes*).

    While open, the invoice's open amount is set apart in aging and the
    invoice is left out of dunning.

    Examples
    --------
    >>> Dispute("INV1", "goods damaged", "2025-03-01").resolved is None
    True
    """

    _table: ClassVar[_schema.Table] = _schema.DISPUTES
    invoice_id: str
    reason: str
    opened: _dt.date
    resolved: _dt.date | None = None

    def _check(self) -> None:
        if self.resolved is not None and self.resolved < self.opened:
            raise self._fail("resolved", f"is before 'opened' ({self.opened})", self.resolved)
