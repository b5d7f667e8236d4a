"""The declared constraints of the scorers' parameters, checked by :func:`riskkit._checks.check`.

A trainable scorer stores its parameters unchanged in ``__init__`` (the
scikit-learn convention) and checks them when it is fitted or loaded, against
its table of constraints built from the ones declared here; every refusal is a
:class:`~riskkit.ValidationError` naming the parameter, in one shape::

    C must be a number > 0, got -1.0

>>> from riskkit._checks import NONE, check
>>> check("random_state", 7, SEED, NONE)
7
>>> check("random_state", 2.0, SEED, NONE)
Traceback (most recent call last):
riskkit.errors.ValidationError: random_state must be an integer in [0, 2**32) or None, got 2.0
"""

from __future__ import annotations

from riskkit._checks import Boolean, Integer, Interval, Options

__all__ = ["BOOLEAN", "POSITIVE", "REAL", "SEED", "SHARE", "TREND", "UNKNOWN"]


class _Seed(Integer):
    """A seed numpy accepts: an integer in [0, 2**32)."""

    def __init__(self) -> None:
        super().__init__(0, 2**32 - 1)

    def __str__(self) -> str:
        return "an integer in [0, 2**32)"


#: What a category never seen in training (or not listed in a card) does at scoring time.
UNKNOWN = Options("error", "missing", "worst")
#: The event-rate trends of an optimal binning (``monotonic_trend``).
TREND = Options("auto", "ascending", "descending", "peak", "valley", None)
#: A finite number (a score, a tolerance).
REAL = Interval(float)
#: A finite number > 0 (odds, points to double the odds, a regularisation strength).
POSITIVE = Interval(float, 0, None, closed="neither")
#: A share of the rows: a number in (0, 0.5].
SHARE = Interval(float, 0, 0.5, closed="right")
#: A random seed numpy accepts (or, with ``riskkit._checks.NONE``, None: a fresh seed each time).
SEED: Integer = _Seed()
#: ``True`` or ``False``.
BOOLEAN = Boolean()
