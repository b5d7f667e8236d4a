"""Scorecard scaling: points <-> odds <-> probability of default (docs/domain.md, *Scorecard scaling*).

Conventions, stated once and used by every scorer:

* odds are **good:bad**; ``ln(odds) = ln((1 - pd) / pd)``;
* ``score = offset + factor * ln(odds)`` with ``factor = pdo / ln 2`` and
  ``offset = base_score - factor * ln(base_odds)``;
* so higher scores are safer, and ``pdo`` more points double the odds.

The default, 600 points at 50:1 odds with 20 points to double the odds,
gives ``factor = 28.8539`` and ``offset = 487.123``.

Examples
--------
>>> s = Scaling()
>>> round(s.factor, 4), round(s.offset, 3)
(28.8539, 487.123)
>>> float(s.score(1 / 51))  # pd of 50:1 odds
600.0
>>> round(float(s.pd(620.0)), 6)  # 20 more points: 100:1
0.009901
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from riskkit._checks import Constraint, check
from riskkit.errors import ValidationError
from riskkit.scoring._params import POSITIVE, REAL

__all__ = ["Scaling"]

#: The accepted values of each parameter (also checked by the scorers that take them).
CONSTRAINTS: dict[str, tuple[Constraint, ...]] = {"base_score": (REAL,), "base_odds": (POSITIVE,), "pdo": (POSITIVE,)}


def _checked(name: str, value: Any) -> float:
    """The value of the parameter ``name`` as a float, or a ValidationError naming it (the fields' converter)."""
    return float(check(name, value, *CONSTRAINTS[name]))


def _base_score(value: Any) -> float:
    return _checked("base_score", value)


def _base_odds(value: Any) -> float:
    return _checked("base_odds", value)


def _pdo(value: Any) -> float:
    return _checked("pdo", value)


@attrs.frozen
class Scaling:
    """Linear map between log-odds (good:bad) and points.

    Parameters
    ----------
    base_score : float, default 600
        Points at ``base_odds``.
    base_odds : float, default 50
        Good:bad odds that score ``base_score`` (50 means 50:1).
    pdo : float, default 20
        Points to double the odds.
    """

    base_score: float = attrs.field(default=600.0, converter=_base_score)
    base_odds: float = attrs.field(default=50.0, converter=_base_odds)
    pdo: float = attrs.field(default=20.0, converter=_pdo)

    @property
    def factor(self) -> float:
        """Points per unit of ln(odds): ``pdo / ln 2``."""
        return self.pdo / math.log(2.0)

    @property
    def offset(self) -> float:
        """Points at even odds (1:1): ``base_score - factor * ln(base_odds)``."""
        return self.base_score - self.factor * math.log(self.base_odds)

    def score(self, pd: npt.ArrayLike) -> np.ndarray:
        """Points for a probability of default (``inf`` at pd 0, ``-inf`` at pd 1)."""
        p = np.asarray(pd, dtype=np.float64)
        with np.errstate(divide="ignore"):
            return self.offset + self.factor * (np.log1p(-p) - np.log(p))

    def log_odds(self, score: npt.ArrayLike) -> np.ndarray:
        """ln(good:bad odds) for a score."""
        return (np.asarray(score, dtype=np.float64) - self.offset) / self.factor

    def pd(self, score: npt.ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
        """Probability of default for a score: ``1 / (1 + exp(ln odds))``, overflow-safe.

        ``out``: a writeable float64 array of the scores' shape to write the
        PDs into (computed in place there, with no temporary arrays); anything
        else is a :class:`~riskkit.errors.ValidationError` naming ``out``.

        Examples
        --------
        >>> s, out = Scaling(), np.empty(2)
        >>> s.pd(np.array([600.0, 700.0]), out=out) is out, out.round(4).tolist()
        (True, [0.0196, 0.0006])
        """
        if out is None:
            z = np.array(self.log_odds(score), dtype=np.float64)
        else:  # the same IEEE operations as log_odds, into out
            scores = np.asarray(score, dtype=np.float64)
            if not (isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == scores.shape
                    and out.flags.writeable):
                raise ValidationError(
                    f"out must be a writeable float64 array of the scores' shape {scores.shape}, got "
                    + (f"{out.dtype} of shape {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__),
                    field="out",
                )
            z = out
            np.subtract(scores, self.offset, out=z)
            np.divide(z, self.factor, out=z)
        # e^z overflows to inf for very safe scores, and 1 / (1 + inf) is the right limit, 0
        with np.errstate(over="ignore"):
            np.exp(z, out=z)
        z += 1.0
        return np.divide(1.0, z, out=z)

    def pd_one(self, score: float) -> float:
        """:meth:`pd` of one score, bit for bit (the one-customer path: Python floats, numpy's exp).

        Examples
        --------
        >>> s = Scaling()
        >>> s.pd_one(620.0) == float(s.pd(np.array([620.0]))[0])
        True
        """
        z = (score - self.offset) / self.factor  # the same IEEE operations as log_odds on an array
        if z < 700.0:
            e = float(np.exp(z))
        else:  # e^z overflows to inf beyond about 709.78 (and NaN stays NaN): 1 / (1 + inf) is 0
            with np.errstate(over="ignore"):
                e = float(np.exp(z))
        return 1.0 / (e + 1.0)

    def to_dict(self) -> dict[str, float]:
        """JSON-safe parameters (lossless)."""
        return {"base_score": self.base_score, "base_odds": self.base_odds, "pdo": self.pdo}

    @classmethod
    def from_dict(cls, d: Any) -> Scaling:
        """Inverse of :meth:`to_dict`; unknown keys are an error."""
        if not isinstance(d, dict):
            raise ValidationError(f"scaling must be a mapping, got {type(d).__name__}", field="scaling")
        unknown = set(d) - {"base_score", "base_odds", "pdo"}
        if unknown:
            raise ValidationError(
                f"unknown scaling keys {sorted(unknown)}; accepted: base_score, base_odds, pdo", field="scaling"
            )
        return cls(**d)
