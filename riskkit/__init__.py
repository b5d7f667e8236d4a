"""riskkit: identify the credit risk of B2B customers before they stop paying.

Records -> :class:`Portfolio` (columnar numpy) -> features -> scorers,
signals and policy -> results. Heavy optional libraries (scikit-learn,
pandas, matplotlib) are imported only where they are used, so ``import
riskkit`` stays fast for short-lived ERP jobs.
"""

from __future__ import annotations

from riskkit import datasets, features, finance, receivables
from riskkit._version import __version__
from riskkit.errors import FormatError, RiskkitError, SchemaError, ValidationError
from riskkit.frame import FeatureFrame
from riskkit.portfolio import Portfolio, Rejection
from riskkit.protocols import Customer, Exposure
from riskkit.records import (
    CustomerEvent,
    CustomerRecord,
    EventKind,
    ExposureRecord,
    FinancialStatement,
    Invoice,
    Order,
    Payment,
)

__all__ = [
    "Customer",
    "CustomerEvent",
    "CustomerRecord",
    "EventKind",
    "Exposure",
    "ExposureRecord",
    "FeatureFrame",
    "FinancialStatement",
    "FormatError",
    "Invoice",
    "Order",
    "Payment",
    "Portfolio",
    "Rejection",
    "RiskkitError",
    "SchemaError",
    "ValidationError",
    "__version__",
    "datasets",
    "errors",
    "features",
    "finance",
    "frame",
    "portfolio",
    "protocols",
    "receivables",
    "records",
]
