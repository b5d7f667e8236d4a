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
    NameCollision,
    NotFittedError,
    RiskkitError,
    SchemaError,
    ValidationError,
)

if TYPE_CHECKING:
    from riskkit import (
        dask,
        datasets,
        dunning,
        errors,
        features,
        finance,
        groups,
        insurance,
        metrics,
        persistence,
        plot,
        policy,
        portfolio,
        promises,
        protocols,
        provisions,
        receivables,
        records,
        reporting,
        reviews,
        scoring,
        signals,
        spark,
        testing,
    )
    from riskkit._default import DefaultDefinition
    from riskkit._frame import FeatureFrame
    from riskkit._outcomes import Outcomes
    from riskkit.persistence import load, save
    from riskkit.portfolio import Portfolio, Rejection
    from riskkit.protocols import Customer, Exposure, Scorer, Signal
    from riskkit.records import (
        CustomerEvent,
        CustomerRecord,
        Dispute,
        EventKind,
        ExposureRecord,
        FinancialStatement,
        InsuranceDecision,
        Invoice,
        InvoiceKind,
        Order,
        Payment,
        Promise,
    )
    from riskkit.reporting import Report, report
    from riskkit.scoring import (
        DecisionTreeScorer,
        ExpertScorecard,
        LogisticScorer,
        MasterScale,
        Reasons,
        Scaling,
        Scorecard,
        ScoreResult,
        get_scorer,
    )

#: Where each public name lives: module -> the names it gives ``riskkit``.
_HOMES = {
    "riskkit._default": ("DefaultDefinition",),
    "riskkit._frame": ("FeatureFrame",),
    "riskkit._outcomes": ("Outcomes",),
    "riskkit.persistence": ("load", "save"),
    "riskkit.portfolio": ("Portfolio", "Rejection"),
    "riskkit.protocols": ("Customer", "Exposure", "Scorer", "Signal"),
    "riskkit.records": (
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
    ),
    "riskkit.reporting": ("Report", "report"),
    "riskkit.scoring": (
        "DecisionTreeScorer",
        "ExpertScorecard",
        "LogisticScorer",
        "MasterScale",
        "Reasons",
        "Scaling",
        "ScoreResult",
        "Scorecard",
        "get_scorer",
    ),
}

#: The public subpackages and modules, each imported on first use.
_MODULES = (
    "dask",
    "datasets",
    "dunning",
    "errors",
    "features",
    "finance",
    "groups",
    "insurance",
    "metrics",
    "persistence",
    "plot",
    "policy",
    "portfolio",
    "promises",
    "provisions",
    "protocols",
    "receivables",
    "records",
    "reporting",
    "reviews",
    "scoring",
    "signals",
    "spark",
    "testing",
)

#: Public name -> the module it lives in (a submodule maps to itself).
_LAZY = {
    **{name: module for module, names in _HOMES.items() for name in names},
    **{name: f"riskkit.{name}" for name in _MODULES},
}

__all__ = sorted(
    [*_LAZY, "DataTypeError", "FormatError", "NameCollision", "NotFittedError", "RiskkitError", "SchemaError", "ValidationError", "__version__"]
)


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
