"""riskkit: identify the credit risk of B2B customers before they stop paying.

Records -> :class:`Portfolio` (columnar numpy) -> features -> scorers,
signals and policy -> results.

``import riskkit`` loads only the error types; every other public name is
imported on first use (PEP 562), so a short-lived ERP job that loads a saved
scorecard and scores a file pays only for what it touches. scikit-learn,
scipy.stats and pandas are imported only inside the functions that need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from riskkit._version import __version__
from riskkit.errors import (
    DataTypeError,
    FormatError,
    NotFittedError,
    RiskkitError,
    SchemaError,
    ValidationError,
)

if TYPE_CHECKING:
    from riskkit import (
        binning,
        collections,
        dask,
        datasets,
        errors,
        features,
        finance,
        frame,
        grades,
        logistic,
        persistence,
        plot,
        policy,
        portfolio,
        protocols,
        receivables,
        records,
        result,
        scaling,
        scorecard,
        scorecards,
        scorers,
        signals,
        spark,
        testing,
        tree,
        validation,
    )
    from riskkit._default import DefaultDefinition
    from riskkit.frame import FeatureFrame
    from riskkit.grades import MasterScale
    from riskkit.logistic import LogisticScorer
    from riskkit.persistence import load, save
    from riskkit.portfolio import Portfolio, Rejection
    from riskkit.protocols import Customer, Exposure, Scorer, Signal
    from riskkit.records import (
        CustomerEvent,
        CustomerRecord,
        EventKind,
        ExposureRecord,
        FinancialStatement,
        Invoice,
        InvoiceKind,
        Order,
        Payment,
    )
    from riskkit.result import Reasons, ScoreResult
    from riskkit.scaling import Scaling
    from riskkit.scorecard import ExpertScorecard, Scorecard
    from riskkit.scorers import get_scorer
    from riskkit.tree import DecisionTreeScorer

#: Public name -> the module it lives in (a submodule maps to itself).
_LAZY = {
    "Customer": "riskkit.protocols",
    "CustomerEvent": "riskkit.records",
    "CustomerRecord": "riskkit.records",
    "DecisionTreeScorer": "riskkit.tree",
    "DefaultDefinition": "riskkit._default",
    "EventKind": "riskkit.records",
    "ExpertScorecard": "riskkit.scorecard",
    "Exposure": "riskkit.protocols",
    "ExposureRecord": "riskkit.records",
    "FeatureFrame": "riskkit.frame",
    "FinancialStatement": "riskkit.records",
    "Invoice": "riskkit.records",
    "InvoiceKind": "riskkit.records",
    "LogisticScorer": "riskkit.logistic",
    "MasterScale": "riskkit.grades",
    "Order": "riskkit.records",
    "Payment": "riskkit.records",
    "Portfolio": "riskkit.portfolio",
    "Reasons": "riskkit.result",
    "Rejection": "riskkit.portfolio",
    "Scaling": "riskkit.scaling",
    "ScoreResult": "riskkit.result",
    "Scorecard": "riskkit.scorecard",
    "Scorer": "riskkit.protocols",
    "Signal": "riskkit.protocols",
    "get_scorer": "riskkit.scorers",
    "load": "riskkit.persistence",
    "save": "riskkit.persistence",
    **{
        name: f"riskkit.{name}"
        for name in (
            "binning",
            "collections",
            "dask",
            "datasets",
            "errors",
            "features",
            "finance",
            "frame",
            "grades",
            "logistic",
            "persistence",
            "plot",
            "policy",
            "portfolio",
            "protocols",
            "receivables",
            "records",
            "result",
            "scaling",
            "scorecard",
            "scorecards",
            "scorers",
            "signals",
            "spark",
            "testing",
            "tree",
            "validation",
        )
    },
}

__all__ = [
    "Customer",
    "CustomerEvent",
    "CustomerRecord",
    "DataTypeError",
    "DecisionTreeScorer",
    "DefaultDefinition",
    "EventKind",
    "ExpertScorecard",
    "Exposure",
    "ExposureRecord",
    "FeatureFrame",
    "FinancialStatement",
    "FormatError",
    "Invoice",
    "InvoiceKind",
    "LogisticScorer",
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
    "Signal",
    "ValidationError",
    "__version__",
    "binning",
    "collections",
    "dask",
    "datasets",
    "errors",
    "features",
    "finance",
    "frame",
    "get_scorer",
    "grades",
    "load",
    "logistic",
    "persistence",
    "plot",
    "policy",
    "portfolio",
    "protocols",
    "receivables",
    "records",
    "result",
    "save",
    "scaling",
    "scorecard",
    "scorecards",
    "scorers",
    "signals",
    "spark",
    "testing",
    "tree",
    "validation",
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'riskkit' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if module_name == f"riskkit.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
