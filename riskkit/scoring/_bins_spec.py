"""Bins set by hand: the ``bins`` parameter of :class:`~riskkit.Scorecard`, checked, and fitted bins in its format.

A scorecard is built in rounds: the optimiser proposes bins, the analyst
merges categories, sets cut points that make business sense or fixes a
trend, refits and compares. ``Scorecard(bins={feature: spec})`` takes one
spec per feature:

numeric, a list of cut points
    ``[25, 35, 50]``: the bins, used as they are (left-closed:
    ``[-inf, 25)``, ``[25, 35)``, ``[35, 50)``, ``[50, inf)``); ``[]`` is one
    bin. Cut points are finite and strictly increasing.
numeric, a dict
    ``{"fixed": [12, 24], "splits": [...], "monotonic_trend": "ascending"}``,
    each key optional: the optimiser bins the feature, keeping every
    ``fixed`` cut, considering the ``splits`` besides its own pre-bins, under
    the feature's own ``monotonic_trend`` (instead of the card's). When no
    partition keeps the fixed cuts within the constraints, the fixed cuts
    alone are the bins.
categorical, a list of groups
    ``[["car (new)", "car (used)"], ["radio/tv"]]``: each group is one bin,
    as given; a level of the training data no group lists gets a bin of its
    own; a level never seen in training follows the card's ``unknown`` policy
    at scoring time.

A fitted scorecard's ``bins_`` gives every feature's bins back in the first
and third forms, so ``Scorecard(bins=card.bins_)`` refits the same bins and
an edited copy refits the analyst's. Every mistake is a
:class:`~riskkit.ValidationError` naming the feature and the cut or level.

>>> spec = parse({"age": [25, 35, 50], "purpose": [["car (new)", "car (used)"]],
...               "duration": {"fixed": [12, 24, 36]}})
>>> spec["age"].set_by, spec["duration"].set_by, spec["purpose"].kind
('hand', 'guided', 'categorical')
>>> parse({"age": [25, 25.0]})
Traceback (most recent call last):
riskkit.errors.ValidationError: bins of feature 'age': cut 25.0 does not exceed the cut before it (25); cut points are finite and strictly increasing
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from riskkit._checks import Constraint, is_number
from riskkit.errors import ValidationError
from riskkit.scoring._input import CATEGORICAL, NUMERIC
from riskkit.scoring._params import TREND

__all__ = ["BINS", "GUIDED", "HAND", "FeatureBins", "bins_of", "match", "parse", "parse_one", "set_by", "to_json"]

#: ``set_by`` of a feature whose bins were given (cut points or groups), used as they are.
HAND = "hand"
#: ``set_by`` of a feature the optimiser binned under the analyst's fixed cuts, candidate cuts or trend.
GUIDED = "guided"
_DICT_KEYS = ("fixed", "monotonic_trend", "splits")
_ACCEPTED = (
    "a list of cut points (numeric), a list of groups of levels (categorical) or a dict with the keys "
    "'fixed', 'splits', 'monotonic_trend' (numeric)"
)
_KEEP = object()  # no per-feature trend: the card's


class _Bins(Constraint):
    """The ``bins`` parameter's outer shape: None or a mapping of feature name to spec (checked in full by fit)."""

    def accepts(self, value: Any) -> bool:
        return value is None or (isinstance(value, Mapping) and all(isinstance(k, str) for k in value))

    def __str__(self) -> str:
        return "None or a mapping of feature name to its bins"


#: The constraint of ``Scorecard(bins=...)``.
BINS = _Bins()


@attrs.frozen
class FeatureBins:
    """One feature's spec, checked.

    Attributes
    ----------
    name : str
    cuts : tuple of float or None
        Cut points used as they are (a numeric list).
    groups : tuple of tuple of str or None
        Groups of levels (a categorical list).
    fixed, splits : tuple of float
        Cut points the optimiser keeps, and those it may choose (a numeric dict).
    trend : str or None or a marker
        The feature's own ``monotonic_trend``; see :attr:`has_trend`.
    """

    name: str
    cuts: tuple[float, ...] | None = None
    groups: tuple[tuple[str, ...], ...] | None = None
    fixed: tuple[float, ...] = ()
    splits: tuple[float, ...] = ()
    trend: Any = _KEEP

    @property
    def has_trend(self) -> bool:
        """Whether the spec sets the feature's own ``monotonic_trend``."""
        return self.trend is not _KEEP

    @property
    def set_by(self) -> str:
        """``"hand"`` (bins given) or ``"guided"`` (the optimiser under the analyst's constraints)."""
        return HAND if self.cuts is not None or self.groups is not None else GUIDED

    @property
    def kind(self) -> str | None:
        """``"numeric"``, ``"categorical"`` or None (an empty list fits both)."""
        if self.groups:
            return CATEGORICAL
        if self.cuts or self.set_by == GUIDED:
            return NUMERIC
        return None

    def to_json(self) -> Any:
        """The spec as JSON values, in its canonical form."""
        if self.groups is not None:
            return [list(g) for g in self.groups]
        if self.cuts is not None:
            return list(self.cuts)
        out: dict[str, Any] = {}
        if self.fixed:
            out["fixed"] = list(self.fixed)
        if self.splits:
            out["splits"] = list(self.splits)
        if self.has_trend:
            out["monotonic_trend"] = self.trend
        return out


def _where(name: str) -> str:
    return f"bins of feature {name!r}"


def _is_list(value: Any) -> bool:
    return isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, (str, bytes))


def _cuts(values: Any, name: str, key: str, increasing: bool) -> tuple[float, ...]:
    if not _is_list(values):
        raise ValidationError(
            f"{_where(name)}: {key} must be a list of cut points, got {values!r}", field="bins", value=values
        )
    out: list[float] = []
    for v in list(values):
        if not is_number(v) or not math.isfinite(float(v)):
            raise ValidationError(
                f"{_where(name)}: cut {v!r} is not accepted; cut points are finite numbers", field="bins", value=v
            )
        if increasing and out and not float(v) > out[-1]:
            raise ValidationError(
                f"{_where(name)}: cut {float(v)!r} does not exceed the cut before it ({out[-1]:g}); cut points "
                "are finite and strictly increasing",
                field="bins",
                value=v,
            )
        out.append(float(v))
    return tuple(out) if increasing else tuple(sorted(set(out)))


def _groups(values: Sequence[Any], name: str) -> tuple[tuple[str, ...], ...]:
    out: list[tuple[str, ...]] = []
    group_of: dict[str, int] = {}
    for i, group in enumerate(values):
        if not _is_list(group):
            raise ValidationError(
                f"{_where(name)}: group {i} is {group!r}; a categorical feature's bins are a list of groups, "
                f"each a list of levels, such as [[{group!r}]]",
                field="bins",
                value=group,
            )
        if len(group) == 0:
            raise ValidationError(f"{_where(name)}: group {i} is empty; a group lists at least one level",
                                  field="bins")
        for level in group:
            if not isinstance(level, str):
                raise ValidationError(
                    f"{_where(name)}: level {level!r} in group {i} is a {type(level).__name__}; levels are str",
                    field="bins",
                    value=level,
                )
            if level in group_of:
                raise ValidationError(
                    f"{_where(name)}: level {level!r} is in group {group_of[level]} and in group {i}; a level "
                    "belongs to one group",
                    field="bins",
                    value=level,
                )
            group_of[level] = i
        out.append(tuple(group))
    return tuple(out)


def parse_one(name: str, spec: Any) -> FeatureBins:
    """One feature's spec checked (its form only; :func:`match` checks it against the training data)."""
    if isinstance(spec, Mapping):
        extra = sorted(set(map(str, spec)) - set(_DICT_KEYS))
        if extra:
            raise ValidationError(
                f"{_where(name)}: unknown key {extra[0]!r}; a dict accepts {', '.join(map(repr, _DICT_KEYS))}",
                field="bins",
                value=extra[0],
            )
        trend = spec.get("monotonic_trend", _KEEP)
        if trend is not _KEEP and not TREND.accepts(trend):
            raise ValidationError(
                f"{_where(name)}: monotonic_trend must be {TREND}, got {trend!r}", field="bins", value=trend
            )
        return FeatureBins(
            name,
            fixed=_cuts(spec.get("fixed", ()), name, "fixed", increasing=False),
            splits=_cuts(spec.get("splits", ()), name, "splits", increasing=False),
            trend=trend,
        )
    if not _is_list(spec):
        raise ValidationError(f"{_where(name)}: got {spec!r}; accepted: {_ACCEPTED}", field="bins", value=spec)
    items = list(spec)
    if items and all(_is_list(v) for v in items):
        return FeatureBins(name, groups=_groups(items, name))
    if items and any(isinstance(v, str) for v in items):
        raise ValidationError(
            f"{_where(name)}: level {next(v for v in items if isinstance(v, str))!r} is not in a group; a "
            f"categorical feature's bins are a list of groups, such as [{[str(v) for v in items]!r}]",
            field="bins",
        )
    return FeatureBins(name, cuts=_cuts(items, name, "the cut points", increasing=True))


def parse(bins: Mapping[str, Any] | None) -> dict[str, FeatureBins]:
    """Every feature's spec of ``bins``, checked in form; ``{}`` for None.

    Raises
    ------
    ValidationError
        A spec of no accepted form, a cut that is not a finite number or
        not above the one before it, a level that is not a str or in two
        groups, an empty group, an unknown dict key or trend.
    """
    if bins is None:
        return {}
    if not BINS.accepts(bins):
        raise ValidationError(f"bins must be {BINS}, got {bins!r:.80}", field="bins")
    return {name: parse_one(name, spec) for name, spec in bins.items()}


def match(
    specs: Mapping[str, FeatureBins],
    names: Sequence[str],
    kinds: Mapping[str, str],
    columns: Mapping[str, np.ndarray],
    special_for: Callable[[str], tuple[float, ...]],
) -> None:
    """Check the specs against the training data: known features of the right kind, levels seen, no empty bin.

    A cut given by hand (a list, or ``fixed``) must leave training rows in
    every bin it bounds; a level must occur in the training data (a typo
    would otherwise become a bin of its own that nothing falls into).
    """
    unknown = [n for n in specs if n not in kinds]
    if unknown:
        raise ValidationError(
            f"bins names the feature {unknown[0]!r}, which is not in X; features: {', '.join(names)}",
            field="bins",
            value=unknown[0],
        )
    for name, spec in specs.items():
        kind = spec.kind
        if kind is not None and kind != kinds[name]:
            want = (
                "a list of groups of levels" if kinds[name] == CATEGORICAL else "a list of cut points or a dict"
            )
            also = " (list it in `categorical` to bin it as categories)" if kinds[name] == NUMERIC else ""
            raise ValidationError(
                f"{_where(name)}: {name!r} is a {kinds[name]} feature{also}; its bins are {want}",
                field="bins",
            )
        col = columns[name]
        if spec.groups:
            missing = _missing_levels(col)
            seen = set(col[~missing].tolist())
            for group in spec.groups:
                for level in group:
                    if level not in seen:
                        shown = sorted(map(str, seen))
                        more = f" and {len(shown) - 20} more" if len(shown) > 20 else ""
                        raise ValidationError(
                            f"{_where(name)}: level {level!r} does not occur in the training data; levels seen: "
                            f"{', '.join(map(repr, shown[:20]))}{more}",
                            field="bins",
                            value=level,
                        )
        cuts = spec.cuts if spec.cuts is not None else spec.fixed
        if kinds[name] == NUMERIC and cuts:
            _check_cuts(name, np.asarray(cuts, dtype=np.float64), col, special_for(name))


def _missing_levels(col: np.ndarray) -> np.ndarray:
    flat = col.tolist()
    return np.fromiter((not isinstance(v, str) for v in flat), dtype=bool, count=len(flat))


def _check_cuts(name: str, cuts: np.ndarray, col: np.ndarray, codes: tuple[float, ...]) -> None:
    """Every bin bounded by a cut of ``cuts`` holds a training value (not missing, not special)."""
    regular = col[~np.isnan(col)]
    if codes:
        regular = regular[~np.isin(regular, codes)]
    counts = np.bincount(np.searchsorted(cuts, regular, side="right"), minlength=cuts.size + 1)
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        b = int(empty[0])
        lo = "-inf" if b == 0 else repr(float(cuts[b - 1]))
        hi = "inf" if b == cuts.size else repr(float(cuts[b]))
        cut = cuts[b] if b < cuts.size else cuts[b - 1]
        raise ValidationError(
            f"{_where(name)}: cut {float(cut)!r} leaves the bin [{lo}, {hi}) without training rows; the training "
            f"values run from {float(regular.min()):g} to {float(regular.max()):g}"
            if regular.size
            else f"{_where(name)}: the feature has no training values (all missing or special) to cut",
            field="bins",
            value=float(cut),
        )


def bins_of(binnings: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The bins of fitted binnings in the ``bins`` format: cut points, or groups of levels.

    >>> import numpy as np
    >>> from riskkit.scoring._binning import apply_splits
    >>> bins_of({"age": apply_splits(np.array([20.0, 40.0]), [1, 0], name="age", splits=[30])})
    {'age': [30.0]}
    """
    out: dict[str, list[Any]] = {}
    for name, b in binnings.items():
        if b.kind == NUMERIC:
            out[name] = [float(s) for s in b.splits.tolist()]
        else:
            out[name] = [list(group) for group in b.categories if group]
    return out


def to_json(bins: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``bins`` as JSON values in canonical form (for the saved parameters); None stays None."""
    if bins is None:
        return None
    return {name: spec.to_json() for name, spec in parse(bins).items()}


def set_by(bins: Mapping[str, Any] | None, names: Iterable[str]) -> dict[str, str]:
    """``"hand"``, ``"guided"`` or ``"optimiser"`` for each of ``names``."""
    specs = parse(bins)
    return {n: specs[n].set_by if n in specs else "optimiser" for n in names}
