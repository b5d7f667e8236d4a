"""The scorecard representation shared by expert and fitted scorecards.

A card is a tuple of :class:`CardFeature` (bins and points per feature), a
:class:`~riskkit.scoring.Scaling` to turn points into a probability of
default, a :class:`~riskkit.scoring.MasterScale` and an unknown-category policy.

Bin layout of every feature: regular bins ``0..m-1``, then the special bin
``m`` and the missing bin ``m+1`` (always present). Numeric bins are
left-closed: with split points ``s``, a value ``x`` falls in bin
``searchsorted(s, x, side="right")`` (a value exactly on a split goes up;
``-inf`` to the first bin, ``+inf`` to the last).

The score of a row is the sum of its features' points, added in card order;
the probability of default is ``scaling.pd(score)``. So the points of a row
sum to its score exactly, and the score maps back to ``pd`` through the
scaling formula, by construction.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from riskkit._checks import check, readonly
from riskkit.errors import FormatError, ValidationError
from riskkit.persistence import decode_floats, decode_mapping, decode_text, decode_texts
from riskkit.scoring._grades import MasterScale
from riskkit.scoring._input import CATEGORICAL, NUMERIC
from riskkit.scoring._params import REAL, UNKNOWN
from riskkit.scoring._plan import ScoringPlan
from riskkit.scoring._scaling import Scaling


def _frozen(a: Any) -> np.ndarray:
    """A read-only float64 copy (a card's arrays never change, and never share the caller's memory)."""
    return readonly(np.array(a, dtype=np.float64))


def _fmt(x: float) -> str:
    """Short form of a bound, exact: ``:g`` alone would show 1234567 and 1234568 both as 1.23457e+06."""
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    short = f"{x:g}"
    return short if float(short) == x else repr(float(x))


@attrs.frozen(eq=False, slots=False)
class CardFeature:
    """One feature of a card: how its values map to bins, and each bin's points."""

    name: str
    kind: str
    points: np.ndarray = attrs.field(converter=_frozen)  # regular..., special, missing
    splits: np.ndarray = attrs.field(factory=lambda: np.empty(0), converter=_frozen)
    categories: tuple[tuple[str, ...], ...] = ()
    special_codes: tuple[float, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.kind not in (NUMERIC, CATEGORICAL):
            raise ValidationError(f"feature {self.name!r}: kind must be numeric or categorical, got {self.kind!r}")
        n_regular = self.points.size - 2
        if n_regular < 1:
            raise ValidationError(f"feature {self.name!r}: needs at least one regular bin")
        if not np.isfinite(self.points).all():
            raise ValidationError(f"feature {self.name!r}: points must be finite numbers")
        if self.kind == NUMERIC:
            if self.splits.size != n_regular - 1:
                raise ValidationError(
                    f"feature {self.name!r}: {n_regular} bins need {n_regular - 1} split points, got {self.splits.size}"
                )
            if self.splits.size and (not np.isfinite(self.splits).all() or (np.diff(self.splits) <= 0).any()):
                raise ValidationError(f"feature {self.name!r}: split points must be finite and strictly increasing")
        else:
            if len(self.categories) != n_regular:
                raise ValidationError(
                    f"feature {self.name!r}: {n_regular} bins need {n_regular} category groups, "
                    f"got {len(self.categories)}"
                )
            seen: dict[str, int] = {}
            for b, group in enumerate(self.categories):
                for c in group:
                    if not isinstance(c, str):
                        raise ValidationError(f"feature {self.name!r}: category {c!r} is not text")
                    if c in seen:
                        raise ValidationError(f"feature {self.name!r}: category {c!r} is in bins {seen[c]} and {b}")
                    seen[c] = b

    @property
    def n_regular(self) -> int:
        return int(self.points.size - 2)

    @property
    def special_bin(self) -> int:
        return self.n_regular

    @property
    def missing_bin(self) -> int:
        return self.n_regular + 1

    @property
    def best_points(self) -> float:
        """The most points any bin gives: the reference for reason codes."""
        return float(self.points.max())

    def labels(self) -> list[str]:
        """Human-readable label of every bin, in layout order."""
        if self.kind == NUMERIC:
            edges = [-math.inf, *self.splits.tolist(), math.inf]
            regular = [f"[{_fmt(a)}, {_fmt(b)})" for a, b in itertools.pairwise(edges)]
        else:
            regular = [", ".join(g) for g in self.categories]
        return [*regular, "Special", "Missing"]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "kind": self.kind, "points": self.points.tolist()}
        if self.kind == NUMERIC:
            d["splits"] = self.splits.tolist()
        else:
            d["categories"] = [list(g) for g in self.categories]
        if self.special_codes:
            d["special_codes"] = list(self.special_codes)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "feature") -> CardFeature:
        """Inverse of :meth:`to_dict`, every value checked as JSON (errors name the key path ``where``)."""
        kind = d.get("kind") if isinstance(d, Mapping) else None
        shape = ("splits",) if kind == NUMERIC else ("categories",)
        decode_mapping(d, where, ("name", "kind", "points", *shape), ("special_codes",))
        name = decode_text(d["name"], f"{where}.name")
        if kind not in (NUMERIC, CATEGORICAL):
            raise FormatError(f"{where}.kind: expected 'numeric' or 'categorical', got {kind!r}")
        points = decode_floats(d["points"], f"{where}.points", finite=True)
        splits = decode_floats(d["splits"], f"{where}.splits", finite=True) if kind == NUMERIC else []
        groups = d.get("categories", [])
        if not isinstance(groups, list):
            raise FormatError(f"{where}.categories: expected a list of lists of texts")
        categories = tuple(tuple(decode_texts(g, f"{where}.categories[{i}]")) for i, g in enumerate(groups))
        codes = decode_floats(d.get("special_codes", []), f"{where}.special_codes", finite=True)
        try:
            return cls(
                name=name, kind=kind, points=points, splits=splits, categories=categories, special_codes=tuple(codes)
            )
        except ValidationError as exc:
            raise FormatError(f"{where}: {exc}") from None


@attrs.frozen(eq=False, slots=False)
class Card:
    """Features with points, the scaling to PD, the master scale and the unknown policy."""

    features: tuple[CardFeature, ...]
    scaling: Scaling
    master_scale: MasterScale
    unknown: str = "error"

    def __attrs_post_init__(self) -> None:
        check("unknown", self.unknown, UNKNOWN)
        names = [f.name for f in self.features]
        if len(set(names)) != len(names):
            raise ValidationError(f"a card lists each feature once; repeated: {sorted({n for n in names if names.count(n) > 1})}")
        if not names:
            raise ValidationError("a card needs at least one feature")
        object.__setattr__(self, "_names", tuple(names))
        object.__setattr__(self, "_kinds", tuple((f.name, f.kind) for f in self.features))
        object.__setattr__(self, "_plan", ScoringPlan(self.features, self.unknown))
        # what MasterScale.grade indexes: the grades, then "" for no score (index -1)
        object.__setattr__(self, "_grade_names", np.array([*self.master_scale.grades, ""]))

    @property
    def names(self) -> tuple[str, ...]:
        return self._names  # type: ignore[attr-defined]

    @property
    def kinds(self) -> dict[str, str]:
        return dict(self._kinds)  # type: ignore[attr-defined]

    @property
    def plan(self) -> ScoringPlan:
        """The card compiled for scoring (built once, immutable, shared by threads)."""
        return self._plan  # type: ignore[attr-defined]

    def points_matrix(self, bins: np.ndarray) -> np.ndarray:
        """Points per row and feature from a bin matrix of shape (n_rows, n_features)."""
        out = np.empty(bins.shape, dtype=np.float64)
        for j, f in enumerate(self.features):
            np.take(f.points, bins[:, j], out=out[:, j])
        return out

    @property
    def grade_dtype(self) -> np.dtype:
        """The dtype of :meth:`grade`'s result (text as long as the longest grade)."""
        names: np.ndarray = self._grade_names  # type: ignore[attr-defined]
        return names.dtype

    def grade(self, score: np.ndarray, pd: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``master_scale.grade`` of the scores or PDs (by the scale's basis): the same array, faster.

        ``np.take`` of the grade names (at small integer positions, NaN at the
        trailing ``""``) copies the short texts several times faster than fancy
        indexing; ``out`` (of :attr:`grade_dtype`) receives them. Every position
        names an entry, so ``mode="clip"`` changes none; it lets ``np.take``
        write into ``out`` directly (``"raise"`` fills a buffer first: 2.5x
        slower).
        """
        scale = self.master_scale
        values = (scale._values(None, score) if scale.basis == "score" else scale._values(pd, None)).reshape(-1)
        names: np.ndarray = self._grade_names  # type: ignore[attr-defined]
        return np.asarray(np.take(names, scale._positions(values), out=out, mode="clip"))  # NaN: the trailing ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": [f.to_dict() for f in self.features],
            "scaling": self.scaling.to_dict(),
            "master_scale": self.master_scale.to_dict(),
            "unknown": self.unknown,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "card") -> Card:
        """Inverse of :meth:`to_dict`; a :class:`FormatError` naming the key path (``where``) for any bad value."""
        decode_mapping(d, where, ("features", "scaling", "master_scale"), ("unknown",))
        features = d["features"]
        if not isinstance(features, list):
            raise FormatError(f"{where}.features: expected a list")
        parts = tuple(CardFeature.from_dict(f, f"{where}.features[{i}]") for i, f in enumerate(features))
        key = "scaling"
        try:
            scaling = Scaling.from_dict(d["scaling"])
            key = "master_scale"
            scale = MasterScale.from_dict(d["master_scale"])
            key = "unknown"
            return cls(features=parts, scaling=scaling, master_scale=scale, unknown=d.get("unknown", "error"))
        except ValidationError as exc:
            if key == "unknown" and exc.field != "unknown":
                key = "features"  # the card's own checks: each feature listed once
            sub = f".{exc.field}" if exc.field and exc.field not in (key, "unknown") else ""
            raise FormatError(f"{where}.{key}{sub}: {exc}") from None
        except (KeyError, TypeError, AttributeError) as exc:
            raise FormatError(f"{where}.{key}: malformed: {type(exc).__name__}: {exc}") from None


# --- the hand-written (expert) format ---------------------------------------------------


def _number(value: Any, where: str, key: str) -> float:
    """A hand-written number: finite (a ValidationError naming ``where`` and ``key`` otherwise)."""
    return float(check(key, value, REAL, where=f"{where}: "))


def _level(v: Any, where: str) -> Any:
    """A hand-written category: text, or an int as its decimal text (other values are refused by the card)."""
    if isinstance(v, int) and not isinstance(v, bool):
        try:
            return str(v)
        except ValueError:  # beyond Python's int-to-text limit
            raise ValidationError(f"{where}: an integer of over 4,300 digits is not a category") from None
    return v


def expert_feature(spec: Mapping[str, Any], index: int) -> CardFeature:
    """Parse one hand-written feature (see :class:`riskkit.ExpertScorecard` for the format)."""
    if not isinstance(spec, Mapping):
        raise ValidationError(f"features[{index}] must be a mapping, got {type(spec).__name__}")
    allowed = {"name", "type", "bins", "missing", "special", "description"}
    extra = set(spec) - allowed
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        raise ValidationError(f"features[{index}] needs a 'name' (text)")
    where = f"feature {name!r}"
    if extra:
        raise ValidationError(f"{where}: unknown keys {sorted(extra)}; accepted: {', '.join(sorted(allowed))}")
    kind = spec.get("type", NUMERIC)
    if kind not in (NUMERIC, CATEGORICAL):
        raise ValidationError(f"{where}: type must be 'numeric' or 'categorical', got {kind!r}")
    if "missing" not in spec:
        raise ValidationError(
            f"{where}: give 'missing' points explicitly (neutral or penalty) for a value that is not available"
        )
    missing = _number(spec["missing"], where, "missing")
    bins = spec.get("bins")
    if not isinstance(bins, list) or not bins:
        raise ValidationError(f"{where}: 'bins' must be a non-empty list")
    special = spec.get("special")
    codes: tuple[float, ...] = ()
    special_points = missing
    if special is not None:
        if kind != NUMERIC or not isinstance(special, Mapping) or set(special) != {"codes", "points"}:
            raise ValidationError(f"{where}: 'special' must be {{'codes': [...], 'points': n}} on a numeric feature")
        if not isinstance(special["codes"], list):
            raise ValidationError(f"{where}: special 'codes' must be a list of numbers, got {special['codes']!r}")
        codes = tuple(_number(c, where, "special code") for c in special["codes"])
        special_points = _number(special["points"], where, "special points")
    points = []
    if kind == NUMERIC:
        splits = []
        for j, b in enumerate(bins):
            last = j == len(bins) - 1
            keys = {"points"} if last else {"below", "points"}
            if not isinstance(b, Mapping) or set(b) != keys:
                need = "{'points': n}" if last else "{'below': x, 'points': n}"
                raise ValidationError(f"{where}: bins[{j}] must be {need} (the last bin has no 'below')")
            points.append(_number(b["points"], where, f"bins[{j}].points"))
            if not last:
                splits.append(_number(b["below"], where, f"bins[{j}].below"))
        if any(b <= a for a, b in itertools.pairwise(splits)):
            raise ValidationError(f"{where}: 'below' values must increase strictly, got {splits}")
        return CardFeature(name, kind, [*points, special_points, missing], splits=splits, special_codes=codes)
    groups = []
    for j, b in enumerate(bins):
        if not isinstance(b, Mapping) or set(b) != {"values", "points"} or not isinstance(b["values"], list):
            raise ValidationError(f"{where}: bins[{j}] must be {{'values': [...], 'points': n}}")
        groups.append(tuple(_level(v, f"{where}: bins[{j}].values") for v in b["values"]))
        points.append(_number(b["points"], where, f"bins[{j}].points"))
    return CardFeature(name, kind, [*points, missing, missing], categories=tuple(groups))


def expert_to_spec(feature: CardFeature) -> dict[str, Any]:
    """Inverse of :func:`expert_feature`: the hand-written form of a feature."""
    regular = feature.points[: feature.n_regular].tolist()
    spec: dict[str, Any] = {"name": feature.name, "type": feature.kind}
    if feature.kind == NUMERIC:
        spec["bins"] = [{"below": s, "points": p} for s, p in zip(feature.splits.tolist(), regular, strict=False)]
        spec["bins"].append({"points": regular[-1]})
        if feature.special_codes:
            spec["special"] = {"codes": list(feature.special_codes), "points": float(feature.points[-2])}
    else:
        spec["bins"] = [{"values": list(g), "points": p} for g, p in zip(feature.categories, regular, strict=True)]
    spec["missing"] = float(feature.points[-1])
    return spec


# --- the notebook table of a card (CardScorer._repr_html_) ---------------------------------------

#: Decimals of the card table's float columns; a column of whole numbers (counts, rounded points) shows none.
_TABLE_DIGITS = {"points": 2, "event_rate": 4, "woe": 4, "iv": 4}


def shown_bins(feature: CardFeature, counts: Any = None) -> np.ndarray:
    """Which bins of ``feature`` a card table shows: one bool per bin, in layout order.

    Every regular bin; the special bin when the feature has special codes or
    training rows fell in it; the missing bin when training rows fell in it,
    or always on an expert card (``counts=None``), whose missing points were
    set on purpose. A bin not shown still scores its points.

    Examples
    --------
    >>> f = CardFeature("dpd", "numeric", [10, 0, 5, 5], splits=[30])
    >>> shown_bins(f).tolist(), shown_bins(f, counts=[70, 30, 0, 0]).tolist()
    ([True, True, False, True], [True, True, False, False])
    """
    show = np.ones(feature.points.size, dtype=bool)
    used = np.zeros(2, dtype=bool) if counts is None else np.asarray(counts, dtype=np.float64)[-2:] > 0
    show[feature.special_bin] = bool(feature.special_codes) or bool(used[0])
    show[feature.missing_bin] = counts is None or bool(used[1])
    return show


def _points_text(points: list[float]) -> str:
    lo, hi = min(points), max(points)
    text = f"{lo:,.2f}".rstrip("0").rstrip(".")
    return text if lo == hi else text + " to " + f"{hi:,.2f}".rstrip("0").rstrip(".")


def card_html(card: Card, rows: list[dict[str, Any]], title: str, max_rows: int = 120) -> str:
    """The notebook table of a card: its scorer's ``table()`` rows without the unused special and missing bins.

    ``rows`` hold every bin of every feature in card order (a fitted card's
    rows carry the training ``count``, which decides what is used, see
    :func:`shown_bins`). Counts show as integers, points with 2 decimals
    (none when whole); the footer says what was left out.
    """
    from riskkit._display import html_table

    fitted = bool(rows) and "count" in rows[0]
    keep: list[dict[str, Any]] = []
    hidden: list[float] = []
    start = 0
    for f in card.features:
        mine = rows[start : start + f.points.size]
        start += f.points.size
        counts = [r["count"] for r in mine] if fitted else None
        if len(mine) != f.points.size or any(r.get("feature") != f.name for r in mine):
            keep, hidden = list(rows), []  # not the card's layout: show the rows as they are
            break
        show = shown_bins(f, counts)
        keep.extend(r for r, s in zip(mine, show.tolist(), strict=True) if s)
        hidden.extend(float(p) for p, s in zip(f.points.tolist(), show.tolist(), strict=True) if not s)
    low = sum(float(f.points.min()) for f in card.features)
    high = sum(float(f.points.max()) for f in card.features)
    caption = f"{title}: {len(card.features)} features, score {_points_text([low])} to {_points_text([high])} points"
    notes = []
    if hidden and fitted:
        notes.append(
            f"{len(hidden)} special and missing bins without training rows not shown "
            f"(a value there scores {_points_text(hidden)} points)"
        )
    elif hidden:
        notes.append(f"no special bin shown for the {len(hidden)} features without special codes")
    shown = keep[:max_rows]
    if len(keep) > len(shown):
        notes.append(f"{len(keep) - len(shown)} more bins not shown")
    if notes:
        notes.append("table() has every bin")
    headers = list(rows[0]) if rows else ["feature", "bin", "points"]
    cells = [[r[h] for h in headers] for r in shown]
    return html_table(headers, cells, caption=caption, digits=_TABLE_DIGITS, footer="; ".join(notes))
