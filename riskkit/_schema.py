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
``date``    calendar date, stored as ``datetime64[D]``; missing is ``NaT``
            only where the column is ``optional``.
``money``   finite float >= 0.
``signed``  finite float of either sign (profits, equity, cash flows).
``ratio``   finite float of either sign (an index or share supplied by the user).
``bool``    True/False.

An ``optional`` column may be missing from the input or hold ``None``/NaN/NaT
(stored as NaN / NaT); a required column must be present and filled on every
row. ``default`` is used when an optional column is absent or a value is
``None`` and the default is not missing (e.g. ``paid_amount`` = 0).
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
        Column("name", "text", optional=True, default="", doc="display name"),
        Column("industry", "text", optional=True, default="", doc="industry code or name"),
        Column("region", "text", optional=True, default="", doc="region or country"),
        Column("established", "date", optional=True, doc="date the business was founded"),
        Column(
            "debtor_type",
            "text",
            optional=True,
            default="standard",
            doc="collections debtor type: standard, project, manufacturer, distributor, "
            "government, large_institution",
        ),
        Column(
            "industry_risk",
            "ratio",
            optional=True,
            default=_NAN,
            doc="user-supplied industry risk index (higher = riskier), NaN if unknown",
        ),
        Column(
            "secured_amount",
            "money",
            optional=True,
            default=0.0,
            doc="guarantees or credit insurance covering this customer",
        ),
        Column("blocked", "bool", optional=True, default=False, doc="credit block set in the ERP"),
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
    ),
    doc="current credit limit and non-invoice exposure, at most one row per customer",
)

INVOICES = Table(
    "invoices",
    (
        Column("id", "id"),
        Column("customer_id", "ref"),
        Column("issued", "date"),
        Column("due", "date"),
        Column("amount", "money"),
        Column("paid_amount", "money", optional=True, default=0.0),
        Column("paid_on", "date", optional=True),
    ),
    doc="invoices; paid_amount/paid_on record one payment (or use the payments table)",
)

PAYMENTS = Table(
    "payments",
    (
        Column("invoice_id", "invref"),
        Column("date", "date"),
        Column("amount", "money"),
    ),
    doc="individual (possibly partial) payments against invoices",
)

ORDERS = Table(
    "orders",
    (
        Column("customer_id", "ref"),
        Column("date", "date"),
        Column("amount", "money"),
        Column("quantity", "money", optional=True, default=_NAN),
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
        *(Column(name, kind, optional=True, default=_NAN) for name, kind in _STATEMENT_ITEMS),
        Column("market_value_equity", "money", optional=True, default=_NAN),
        Column("operating_cash_flow", "signed", optional=True, default=_NAN),
        Column("intangible_assets", "money", optional=True, default=_NAN),
        Column("published", "date", optional=True, doc="date the statement became known"),
    ),
    doc="financial statements; a line item may be missing (NaN), never infinite",
)

EVENTS = Table(
    "events",
    (
        Column("customer_id", "ref"),
        Column("date", "date"),
        Column("kind", "kind"),
        Column("amount", "money", optional=True, default=_NAN),
    ),
    doc="dated events: lawsuits, frozen assets, broken promises, bounced payments ...",
)

TABLES: dict[str, Table] = {
    t.name: t for t in (CUSTOMERS, EXPOSURES, INVOICES, PAYMENTS, ORDERS, STATEMENTS, EVENTS)
}
