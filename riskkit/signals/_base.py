"""Severities, thresholds and SignalHits: the vocabulary every signal speaks.

A signal compares one value per customer (days overdue, utilisation, a
distress score ...) with a threshold per severity and reports the customers
that cross one, each with the worst severity crossed, the value, the
threshold, the window it looked at and the evidence (invoice ids, events).

Thresholds reach ``Signal.evaluate`` already resolved per customer: a mapping
of severity to an array with one threshold per customer (NaN where that
severity is off for that customer), so a signal never loops over customers
or segments.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np

from riskkit._checks import NONE, Interval, Options, check, readonly
from riskkit.errors import ValidationError

#: Severities, mildest first (docs/domain.md, *Warning signals*): info (blue), watch (yellow), warning (orange), critical (red).
SEVERITIES: tuple[str, ...] = ("info", "watch", "warning", "critical")
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
#: Signal categories (docs/domain.md, *Warning signals*).
CATEGORIES: tuple[str, ...] = ("payment", "ordering", "financial", "legal", "management", "industry")

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def _ints(a: Any) -> np.ndarray:
    return readonly(np.array(a, dtype=np.intp))


def _severities(a: Any) -> np.ndarray:
    return readonly(np.array(a, dtype=np.int8))


def _floats(a: Any) -> np.ndarray:
    return readonly(np.array(a, dtype=np.float64))


def _objects(a: Any) -> np.ndarray:
    return readonly(np.array(a, dtype=object))


class LazyEvidence:
    """The evidence texts of one signal's hits, built by the signal's evidence maker when they are read.

    Building a text for each of 100,000 alerts costs more than finding them,
    and most are never read: a watchlist is read from the top, one customer
    at a time, or summarised. ``build(codes)`` gets customer codes (a subset of
    ``customers`` in increasing order) and returns one text each; the text of
    a customer depends on that customer alone, so a subset gives the same
    texts as the whole. All texts are kept once built for the whole.

    Examples
    --------
    >>> ev = LazyEvidence(lambda codes: [f"code {c}" for c in codes.tolist()], np.array([2, 5, 7]))
    >>> ev.rows(np.array([2])).tolist(), ev.full().tolist()
    (['code 7'], ['code 2', 'code 5', 'code 7'])
    """

    __slots__ = ("_build", "_customers", "_full")

    def __init__(self, build: Callable[[np.ndarray], Any], customers: np.ndarray) -> None:
        self._build = build
        self._customers = customers
        self._full: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self._customers.size)

    def _texts(self, codes: np.ndarray) -> np.ndarray:
        texts = self._build(codes)
        texts = texts if isinstance(texts, np.ndarray) else list(texts)
        if len(texts) != codes.size:
            raise ValidationError(
                f"an evidence maker returned {len(texts)} texts for {codes.size} customers; "
                "give one text per customer"
            )
        out = np.empty(codes.size, dtype=object)
        out[:] = texts
        return out

    def full(self) -> np.ndarray:
        """Every hit's text, in hit order (read-only; built once)."""
        if self._full is None:
            self._full = readonly(self._texts(self._customers))
        return self._full

    def rows(self, positions: np.ndarray) -> np.ndarray:
        """The texts of the hits at ``positions`` (any order, repeats allowed)."""
        positions = np.asarray(positions, dtype=np.intp)
        if self._full is not None or 4 * positions.size >= self._customers.size:
            return self.full()[positions]
        wanted, inverse = np.unique(positions, return_inverse=True)
        return self._texts(self._customers[wanted])[inverse.ravel()]


def _evidence_texts(a: Any) -> np.ndarray | LazyEvidence:
    return a if isinstance(a, LazyEvidence) else _objects(a)


_SEVERITY = Options(*SEVERITIES)
_THRESHOLD = Interval(float)


def check_severity(severity: Any) -> str:
    """``severity`` when it is one of :data:`SEVERITIES`, else a ValidationError listing them.

    Examples
    --------
    >>> check_severity("warning")
    'warning'
    >>> check_severity("red")
    Traceback (most recent call last):
    riskkit.errors.ValidationError: severity must be one of 'info', 'watch', 'warning', 'critical', got 'red'
    """
    return check("severity", str(severity) if isinstance(severity, str) else severity, _SEVERITY)


@attrs.frozen(eq=False)
class SignalHits:
    """The customers one signal fired for, as columns (one row per customer hit).

    Attributes
    ----------
    signal : str
        The signal's name.
    customer : ndarray of intp
        Customer codes: rows of ``portfolio.customer_ids``.
    severity : ndarray of int8
        Index into :data:`SEVERITIES` (0 info ... 3 critical): the worst crossed.
    value, threshold : ndarray of float64
        The customer's value and the threshold of that severity.
    window_days : ndarray of int
        Days of history the value looks back over (0 for a point-in-time state).
    evidence : ndarray of str
        A short human-readable justification per hit (invoice ids, events ...).
        Given as one text per hit, or as a :class:`LazyEvidence` that builds
        them when first read (what :func:`hits_from_values` gives).
    """

    signal: str
    customer: np.ndarray = attrs.field(converter=_ints)
    severity: np.ndarray = attrs.field(converter=_severities)
    value: np.ndarray = attrs.field(converter=_floats)
    threshold: np.ndarray = attrs.field(converter=_floats)
    window_days: np.ndarray = attrs.field(converter=_ints)
    _evidence: np.ndarray | LazyEvidence = attrs.field(converter=_evidence_texts, alias="evidence")

    def __attrs_post_init__(self) -> None:
        n = self.customer.shape
        for name in ("severity", "value", "threshold", "window_days"):
            if getattr(self, name).shape != n:
                raise ValidationError(
                    f"SignalHits({self.signal!r}).{name} has shape {getattr(self, name).shape}, expected {n}"
                )
        ev = self._evidence
        shape = (len(ev),) if isinstance(ev, LazyEvidence) else ev.shape
        if shape != n:
            raise ValidationError(f"SignalHits({self.signal!r}).evidence has shape {shape}, expected {n}")
        if self.severity.size and (self.severity.min() < 0 or self.severity.max() >= len(SEVERITIES)):
            raise ValidationError(f"SignalHits({self.signal!r}).severity must be 0..{len(SEVERITIES) - 1}")
        c = self.customer
        # codes in increasing order (as hits_from_values gives them) are distinct: no sort needed
        if c.size > 1 and not bool((c[1:] > c[:-1]).all()) and np.unique(c).size != c.size:
            raise ValidationError(f"SignalHits({self.signal!r}) lists a customer twice; give one row per customer")

    @property
    def evidence(self) -> np.ndarray:
        """A short human-readable justification per hit (read-only object array of str), built when first read."""
        ev = self._evidence
        return ev.full() if isinstance(ev, LazyEvidence) else ev

    def __len__(self) -> int:
        return int(self.customer.size)

    @classmethod
    def empty(cls, signal: str) -> SignalHits:
        """No customer hit."""
        return cls(signal, [], [], [], [], [], [])

    def __repr__(self) -> str:
        counts = np.bincount(self.severity, minlength=len(SEVERITIES))
        shown = ", ".join(f"{s} {c}" for s, c in zip(SEVERITIES, counts.tolist(), strict=True) if c)
        return f"SignalHits({self.signal!r}, {len(self)} customers{': ' + shown if shown else ''})"


def severity_of(values: np.ndarray, thresholds: Mapping[str, np.ndarray], compare: str) -> np.ndarray:
    """The worst severity each value crosses (-1 for none); NaN values and thresholds never cross.

    Examples
    --------
    >>> import numpy as np
    >>> t = {"watch": np.full(4, 3.0), "warning": np.full(4, 7.0), "critical": np.full(4, 15.0)}
    >>> severity_of(np.array([0.0, 5.0, 15.0, 16.0]), t, ">").tolist()
    [-1, 1, 2, 3]
    """
    op = _COMPARE[check("comparison", compare, Options(*_COMPARE))]
    out = np.full(values.shape, -1, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        for sev in SEVERITIES:
            thr = thresholds.get(sev)
            if thr is None:
                continue
            crossed = op(values, thr)  # NaN on either side compares False
            out[crossed] = SEVERITY_RANK[sev]
    return out


def hits_from_values(
    signal: str,
    values: np.ndarray,
    thresholds: Mapping[str, np.ndarray],
    compare: str,
    window_days: int,
    evidence: Callable[[np.ndarray], list[str]] | None = None,
) -> SignalHits:
    """SignalHits for a value per customer compared with per-customer thresholds.

    ``evidence`` gets codes of the customers hit and returns one string each;
    it is called only when the evidence is read, for the customers read (a
    subset of the hits, in increasing order, or all of them), so it may afford
    a little Python per hit; each customer's text must depend on that
    customer alone (see :class:`LazyEvidence`).
    """
    sev = severity_of(values, thresholds, compare)
    hit = np.flatnonzero(sev >= 0)
    if hit.size == 0:
        return SignalHits.empty(signal)
    s = sev[hit]
    thr = np.empty(hit.size)
    for name, rank in SEVERITY_RANK.items():
        mask = s == rank
        if mask.any():
            thr[mask] = thresholds[name][hit[mask]]
    notes = LazyEvidence(evidence, hit) if evidence is not None else np.full(hit.size, "", dtype=object)
    return SignalHits(signal, hit, s, values[hit], thr, np.full(hit.size, window_days), notes)


# --- thresholds ---------------------------------------------------------------------


def check_default_thresholds(name: str, thresholds: Mapping[str, Any]) -> dict[str, float]:
    """Validate a signal's default thresholds: severity -> finite number."""
    if not isinstance(thresholds, Mapping) or not thresholds:
        raise ValidationError(f"signal {name!r}: thresholds must be a non-empty mapping of severity to number")
    out = {}
    for sev, value in thresholds.items():
        if sev not in SEVERITY_RANK:
            raise ValidationError(
                f"signal {name!r}: unknown severity {sev!r}; severities: {', '.join(SEVERITIES)}", field=sev
            )
        out[sev] = check(f"threshold for {sev!r}", value, _THRESHOLD, where=f"signal {name!r}: ")
    return out


def resolve_thresholds(
    name: str, defaults: Mapping[str, float], override: Any, segments: Mapping[str, np.ndarray], n: int
) -> dict[str, np.ndarray]:
    """Per-customer threshold arrays for one signal.

    ``override`` is None (use the defaults), a mapping of severity to number
    (replacing those severities for everyone; None switches a severity off),
    or a segmented override::

        {"by": "industry", "segments": {"construction": {"warning": 1.2}}, "default": {...}}

    where ``by`` is ``"industry"`` or ``"region"``; customers of a listed
    segment use its values, the others ``default`` (if given), and anything
    not given falls back to the signal's defaults.
    """
    return {sev: np.array(arr) for sev, arr in _resolve(name, defaults, override, segments, n).items()}


def _resolve(
    name: str, defaults: Mapping[str, float], override: Any, segments: Mapping[str, np.ndarray], n: int
) -> dict[str, np.ndarray]:
    """:func:`resolve_thresholds`, read-only: a threshold the same for every customer is one value
    repeated (a view, no array per signal and severity)."""
    base = {sev: np.broadcast_to(np.float64(value), (n,)) for sev, value in defaults.items()}
    if override is None:
        return base
    if not isinstance(override, Mapping):
        raise ValidationError(f"thresholds for {name!r} must be a mapping, got {type(override).__name__}")
    if "by" not in override:
        _apply(name, base, override, np.ones(n, dtype=bool), n)
        return base
    unknown = set(override) - {"by", "segments", "default"}
    if unknown:
        raise ValidationError(f"thresholds for {name!r}: unknown keys {sorted(unknown)}; accepted: by, segments, default")
    by = override["by"]
    if by not in segments:
        raise ValidationError(f"thresholds for {name!r}: 'by' must be one of {', '.join(segments)}, got {by!r}")
    labels = segments[by]
    if "default" in override:
        _apply(name, base, override["default"], np.ones(n, dtype=bool), n)
    seg_map = override.get("segments", {})
    if not isinstance(seg_map, Mapping):
        raise ValidationError(f"thresholds for {name!r}: 'segments' must map a segment to thresholds")
    for label, values in seg_map.items():
        _apply(name, base, values, labels == label, n)
    return base


def _apply(name: str, base: dict[str, np.ndarray], values: Any, rows: np.ndarray, n: int) -> None:
    if not isinstance(values, Mapping):
        raise ValidationError(f"thresholds for {name!r} must map severity to number, got {values!r}")
    for sev, value in values.items():
        if sev not in SEVERITY_RANK:
            raise ValidationError(
                f"thresholds for {name!r}: unknown severity {sev!r}; severities: {', '.join(SEVERITIES)}"
            )
        value = check(repr(sev), value, _THRESHOLD, NONE, where=f"thresholds for {name!r}: ")
        current = base.get(sev)
        # a writable array of our own (the defaults are read-only views)
        arr = np.full(n, np.nan) if current is None else current if current.flags.writeable else np.array(current)
        arr[rows] = np.nan if value is None else value
        base[sev] = arr


class ThresholdSignal:
    """Base class for the common signal: one value per customer against thresholds per severity.

    Subclasses set ``name``, ``category``, ``description``, ``thresholds``
    (defaults per severity), ``compare`` (``">"``, ``">="``, ``"<"``, ``"<="``:
    how a value crosses a threshold) and ``window_days``, and implement
    :meth:`values`. Plugin authors may subclass it too.

    Examples
    --------
    >>> import numpy as np, riskkit
    >>> class BigExposure(ThresholdSignal):
    ...     name, category = "big_exposure", "payment"
    ...     description = "Counted exposure above a limit in money."
    ...     thresholds = {"watch": 100_000.0, "critical": 500_000.0}
    ...     compare, window_days = ">", 0
    ...     def values(self, portfolio, as_of):
    ...         return portfolio.features(as_of)["exposure"], None
    >>> book, _ = riskkit.datasets.make_portfolio(200, seed=0)
    >>> hits = BigExposure().evaluate(book, book.as_of, {"watch": np.full(200, 100_000.0)})
    >>> bool((hits.value > 100_000).all())
    True
    """

    name: str = ""
    category: str = ""
    description: str = ""
    thresholds: Mapping[str, float] = {}
    compare: str = ">"
    window_days: int = 0

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Callable[[np.ndarray], list[str]] | None]:
        """Each customer's value (NaN where it does not apply), and an evidence maker for the hits."""
        raise NotImplementedError

    def evaluate(self, portfolio: Any, as_of: Any, thresholds: Mapping[str, np.ndarray]) -> SignalHits:
        """Hits of this signal on ``portfolio`` at ``as_of`` with per-customer ``thresholds``."""
        when = portfolio.resolve_as_of(as_of)
        values, evidence = self.values(portfolio, when)
        return hits_from_values(self.name, np.asarray(values, dtype=np.float64), thresholds, self.compare,
                                self.window_days, evidence)

    def __repr__(self) -> str:
        return f"<signal {self.name!r} ({self.category})>"
