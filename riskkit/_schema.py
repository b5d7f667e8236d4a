"""The columnar schema of a Portfolio: tables, their columns and what each accepts.

Every constructor (objects, records, frames, CSV, arrays) funnels into one
validated columnar path driven by this schema, so a field means the same
thing and is checked the same way whichever way the data arrived.

Column kinds
------------
``id``      text identifier, unique within its table, never empty.
``ref``     text reference to a customer id (interned to an integer code).
``invref``  text reference to an invoice id (interned to an integer code).
``text``    free text; missing becomes ``""``.
``kind``    an event kind from :class:`riskkit.records.EventKind`.
``invkind`` an invoice kind from :class:`riskkit.records.InvoiceKind`.
``currency`` an ISO-4217-like currency code (three letters); missing means the
            reporting currency (a payment's missing currency is its invoice's).
``date``    calendar date, stored as ``datetime64[D]``; missing is ``NaT``
            only where the column is ``optional``.
``money``   finite float >= 0.
``amount``  finite float of either sign: a document amount, negative for a credit.
``signed``  finite float of either sign (profits, equity, cash flows).
``ratio``   finite float of either sign (an index or share supplied by the user).
``bool``    True/False.

An ``optional`` column may be missing from the input or hold ``None``/NaN/NaT
(stored as NaN / NaT); a required column must be present and filled on every
row. ``default`` is used when an optional column is absent or a value is
``None`` and the default is not missing (e.g. ``paid_amount`` = 0).

A ``compact`` column (the invoices' document numbers, one per row of the
largest table) given as fixed-width text stays so through the checks and is
kept as ASCII bytes (or as that text beyond ASCII); the Portfolio makes its
Python strings only when the column is first read (``TableView``).

A ``blankable`` column is descriptive: with ``errors="collect"`` a bad value
in it is blanked (stored as missing), listed among the rejections, and the row
is kept. Every other bad value rejects its row, because the row would mean
something else without it.
"""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class Column:
    name: str
    kind: str
    optional: bool = False
    default: Any = None
    doc: str = ""
    blankable: bool = False
    compact: bool = False


@attrs.frozen
class Table:
    name: str
    columns: tuple[Column, ...]
    doc: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if not c.optional)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


_NAN = float("nan")

CUSTOMERS = Table(
    "customers",
    (
        Column("id", "id", doc="customer id, unique"),
        Column("name", "text", optional=True, default="", doc="display name", blankable=True),
        Column("industry", "text", optional=True, default="", doc="industry code or name", blankable=True),
        Column("region", "text", optional=True, default="", doc="region or country", blankable=True),
        Column("established", "date", optional=True, doc="date the business was founded", blankable=True),
        Column(
            "debtor_type",
            "text",
            optional=True,
            default="standard",
            doc="collections debtor type: standard, project, manufacturer, distributor, "
            "government, large_institution",
            blankable=True,
        ),
        Column(
            "industry_risk",
            "ratio",
            optional=True,
            default=_NAN,
            doc="user-supplied industry risk index (higher = riskier), NaN if unknown",
            blankable=True,
        ),
        Column(
            "secured_amount",
            "money",
            optional=True,
            default=_NAN,
            doc="guarantees or credit insurance covering this customer; NaN if unknown (0 only when given as 0)",
        ),
        Column("blocked", "bool", optional=True, default=False, doc="credit block set in the ERP"),
        Column(
            "parent_id",
            "ref",
            optional=True,
            default="",
            doc="the customer's parent in its corporate group (a customer id of this book); empty for none",
        ),
        Column(
            "group_limit",
            "money",
            optional=True,
            default=_NAN,
            doc="credit limit shared by the group, given on the group's top parent (reporting currency); "
            "NaN for none",
        ),
    ),
    doc="one row per customer; its order is the order of every result",
)

EXPOSURES = Table(
    "exposures",
    (
        Column("customer_id", "ref"),
        Column("credit_limit", "money"),
        Column("open_orders", "money", optional=True, default=0.0),
        Column("open_deliveries", "money", optional=True, default=0.0),
        Column("special", "money", optional=True, default=0.0),
        Column("currency", "currency", optional=True, default="", doc="currency of the amounts"),
    ),
    doc="current credit limit and non-invoice exposure, at most one row per customer",
)

INVOICES = Table(
    "invoices",
    (
        Column("id", "id", doc="document number, unique", compact=True),
        Column("customer_id", "ref"),
        Column("issued", "date", doc="document date"),
        Column("due", "date", optional=True, doc="due date; required for an invoice, a credit note's is its issue date"),
        Column("amount", "amount", doc="document amount; negative for a credit note"),
        Column("paid_amount", "money", optional=True, default=0.0, doc="one payment (or a refund of a credit note)"),
        Column("paid_on", "date", optional=True),
        Column("kind", "invkind", optional=True, default="invoice", doc="invoice, credit_note, debit_note or a registered kind"),
        Column("credit", "bool", optional=True, default=False, doc="debit/credit indicator: True marks a credit document"),
        Column("currency", "currency", optional=True, default="", doc="document currency"),
        Column("applies_to", "invref", optional=True, default="", doc="the invoice a credit note corrects"),
        Column("residual", "amount", optional=True, default=_NAN, doc="open amount at the export date"),
    ),
    doc="invoices and credit notes (open items); paid_amount/paid_on record one payment "
    "(or use the payments table)",
)

PAYMENTS = Table(
    "payments",
    (
        Column("invoice_id", "invref", optional=True, default="", doc="the document paid; empty for cash on account"),
        Column("customer_id", "ref", optional=True, default="", doc="the payer; required without invoice_id"),
        Column("date", "date"),
        Column("amount", "money"),
        Column("currency", "currency", optional=True, default="", doc="payment currency; default the invoice's"),
    ),
    doc="individual (possibly partial) payments against invoices, or on account",
)

ORDERS = Table(
    "orders",
    (
        Column("customer_id", "ref"),
        Column("date", "date"),
        Column("amount", "money"),
        Column("quantity", "money", optional=True, default=_NAN, blankable=True),
        Column("currency", "currency", optional=True, default=""),
    ),
    doc="sales orders",
)

_STATEMENT_ITEMS = (
    ("revenue", "money"),
    ("ebit", "signed"),
    ("net_income", "signed"),
    ("total_assets", "money"),
    ("total_liabilities", "money"),
    ("current_assets", "money"),
    ("current_liabilities", "money"),
    ("retained_earnings", "signed"),
    ("equity", "signed"),
)

STATEMENTS = Table(
    "statements",
    (
        Column("customer_id", "ref"),
        Column("period_end", "date"),
        *(Column(name, kind, optional=True, default=_NAN, blankable=True) for name, kind in _STATEMENT_ITEMS),
        Column("market_value_equity", "money", optional=True, default=_NAN, blankable=True),
        Column("operating_cash_flow", "signed", optional=True, default=_NAN, blankable=True),
        Column("intangible_assets", "money", optional=True, default=_NAN, blankable=True),
        Column("published", "date", optional=True, doc="date the statement became known"),
        Column("currency", "currency", optional=True, default=""),
    ),
    doc="financial statements; a line item may be missing (NaN), never infinite",
)

EVENTS = Table(
    "events",
    (
        Column("customer_id", "ref"),
        Column("date", "date"),
        Column("kind", "kind"),
        Column("amount", "money", optional=True, default=_NAN, blankable=True),
        Column("currency", "currency", optional=True, default=""),
    ),
    doc="dated events: lawsuits, frozen assets, broken promises, bounced payments ...",
)

#: Statuses of a credit-insurance limit decision (docs/domain.md, *Credit insurance*).
INSURANCE_STATUSES: tuple[str, ...] = ("requested", "granted", "reduced", "cancelled")

INSURANCE = Table(
    "insurance",
    (
        Column("customer_id", "ref"),
        Column("date", "date", doc="date of the insurer's decision (or of the request)"),
        Column("status", "text", doc="requested, granted, reduced or cancelled"),
        Column(
            "amount",
            "money",
            optional=True,
            default=_NAN,
            doc="the limit requested, granted or reduced to; required except for a cancellation",
        ),
        Column(
            "indemnity",
            "ratio",
            optional=True,
            default=_NAN,
            doc="insured share of a loss in (0, 1]; missing: the default of riskkit.insurance.cover (0.9)",
        ),
        Column("currency", "currency", optional=True, default="", doc="currency of the amount"),
    ),
    doc="credit-insurance limit decisions per customer over time (optional)",
)

PROMISES = Table(
    "promises",
    (
        Column("customer_id", "ref", doc="the customer who promised"),
        Column("made", "date", doc="date the promise was made"),
        Column("due", "date", doc="date the customer promised to pay by; on or after made"),
        Column("amount", "money", doc="amount promised (reporting currency), above 0"),
        Column("invoice_id", "invref", optional=True, default="",
               doc="the invoice promised; empty: any payment of the customer counts"),
    ),
    doc="promises to pay taken by collections (optional); kept or broken is computed from the payments",
)

DISPUTES = Table(
    "disputes",
    (
        Column("invoice_id", "invref", doc="the invoice disputed"),
        Column("reason", "text", optional=True, default="", doc="why the customer disputes it", blankable=True),
        Column("opened", "date", doc="date the dispute was raised"),
        Column("resolved", "date", optional=True, doc="date it was settled; missing while open"),
    ),
    doc="disputed invoices (optional): set apart in aging and left out of dunning while open",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (CUSTOMERS, EXPOSURES, INVOICES, PAYMENTS, ORDERS, STATEMENTS, EVENTS, INSURANCE, PROMISES, DISPUTES)
}

#: Columns holding amounts converted to the reporting currency, per table.
AMOUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "exposures": ("credit_limit", "open_orders", "open_deliveries", "special"),
    "invoices": ("amount", "paid_amount", "residual"),
    "payments": ("amount",),
    "orders": ("amount",),
    "statements": (
        *(name for name, _ in _STATEMENT_ITEMS),
        "market_value_equity",
        "operating_cash_flow",
        "intangible_assets",
    ),
    "events": ("amount",),
    "insurance": ("amount",),
}


def read_as(table: str, name: str) -> tuple[bool, bool]:
    """How a reader may hand a text column of ``table`` over to a build: (as ASCII bytes, without an
    object per row). The first for a compact column (the invoices' document numbers), the second for a
    required customer reference; both false for anything else, an unknown table or column included.

    Examples
    --------
    >>> read_as("invoices", "id"), read_as("orders", "customer_id"), read_as("payments", "customer_id")
    ((True, False), (False, True), (False, False))
    """
    spec = TABLES.get(table)
    if spec is None or name not in spec.names:
        return False, False
    column = spec.column(name)
    return column.compact, column.kind == "ref" and not column.optional
