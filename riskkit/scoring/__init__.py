"""Scorers: fitted and expert scorecards, logistic and tree scorers, their results and registry.

Every scorer satisfies :class:`riskkit.Scorer` and returns a :class:`ScoreResult`
(probability of default, points, grade and reason codes per customer).

- :class:`Scorecard`: a points scorecard fitted on data (optimal binning,
  weight of evidence, logistic regression); :class:`ExpertScorecard`: the
  same card written by hand, with overrides; :func:`five_c` ships the 5C
  expert card, :func:`five_w` the 5W card for new customers and large orders.
- :class:`LogisticScorer` and :class:`DecisionTreeScorer`: transparent
  models on raw features.
- :class:`Binning` (:func:`fit_numeric`, :func:`fit_categorical`): optimal
  binning of one feature; :class:`Scaling` turns log-odds into points;
  :class:`MasterScale` maps PD to grades.
- :func:`reject_inference`: an application card's accepted applicants and
  its rejects with inferred outcomes, weighted, to fit the card again on.
- :func:`register`, :func:`available`, :func:`get_scorer`, :func:`refresh`,
  :func:`source`, :func:`unregister`: the registry, with third-party scorers
  discovered through the entry-point group ``riskkit.scorers``.

The modules behind this face are private; import from ``riskkit.scoring``.
"""

from __future__ import annotations

from riskkit.errors import NameCollision
from riskkit.scoring._binning import Binning, fit_categorical, fit_numeric
from riskkit.scoring._five_w import five_w, five_w_spec
from riskkit.scoring._grades import MasterScale
from riskkit.scoring._logistic import LogisticScorer
from riskkit.scoring._presets import five_c, five_c_spec
from riskkit.scoring._registry import (
    ScorerEntry,
    available,
    get_scorer,
    refresh,
    register,
    source,
    unregister,
)
from riskkit.scoring._reject import reject_inference
from riskkit.scoring._result import Reasons, ScoreResult, default_flags, grade_defaults
from riskkit.scoring._scaling import Scaling
from riskkit.scoring._scorecard import ExpertScorecard, Scorecard
from riskkit.scoring._tree import DecisionTreeScorer

__all__ = [
    "Binning",
    "DecisionTreeScorer",
    "ExpertScorecard",
    "LogisticScorer",
    "MasterScale",
    "NameCollision",
    "Reasons",
    "Scaling",
    "ScoreResult",
    "Scorecard",
    "ScorerEntry",
    "available",
    "default_flags",
    "fit_categorical",
    "fit_numeric",
    "five_c",
    "five_c_spec",
    "five_w",
    "five_w_spec",
    "get_scorer",
    "grade_defaults",
    "refresh",
    "register",
    "reject_inference",
    "source",
    "unregister",
]
