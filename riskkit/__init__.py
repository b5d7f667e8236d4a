"""riskkit: identify the credit risk of B2B customers before they stop paying.

Records -> :class:`Portfolio` (columnar numpy) -> features -> scorers,
signals and policy -> results. Heavy optional libraries (scikit-learn,
pandas, matplotlib) are imported only where they are used, so ``import
riskkit`` stays fast for short-lived ERP jobs.
"""

from __future__ import annotations

from riskkit import binning, datasets, features, finance, receivables, scorecards, validation
from riskkit._version import __version__
from riskkit.errors import (
    DataTypeError,
    FormatError,
    NotFittedError,
    RiskkitError,
    SchemaError,
    ValidationError,
)
from riskkit.frame import FeatureFrame
from riskkit.grades import MasterScale
from riskkit.persistence import load, save
from riskkit.portfolio import Portfolio, Rejection
from riskkit.protocols import Customer, Exposure, Scorer
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
from riskkit.result import Reasons, ScoreResult
from riskkit.scaling import Scaling
from riskkit.scorecard import ExpertScorecard, Scorecard

__all__ = [
    "Customer",
    "CustomerEvent",
    "CustomerRecord",
    "DataTypeError",
    "EventKind",
    "ExpertScorecard",
    "Exposure",
    "ExposureRecord",
    "FeatureFrame",
    "FinancialStatement",
    "FormatError",
    "Invoice",
    "MasterScale",
    "NotFittedError",
    "Order",
    "Payment",
    "Portfolio",
    "Reasons",
    "Rejection",
    "RiskkitError",
    "Scaling",
    "SchemaError",
    "ScoreResult",
    "Scorecard",
    "Scorer",
    "ValidationError",
    "__version__",
    "binning",
    "datasets",
    "errors",
    "features",
    "finance",
    "frame",
    "grades",
    "load",
    "persistence",
    "portfolio",
    "protocols",
    "receivables",
    "records",
    "result",
    "save",
    "scaling",
    "scorecard",
    "scorecards",
    "validation",
]
