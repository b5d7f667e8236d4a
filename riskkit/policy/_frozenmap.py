"""A read-only, hashable mapping, so that a frozen :class:`~riskkit.policy.CreditPolicy` stays hashable."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

__all__ = ["FrozenMap"]


class FrozenMap(Mapping[str, Any]):
    """A read-only, hashable mapping (so a frozen policy stays hashable).

    Examples
    --------
    >>> m = FrozenMap({"AAA": 0.15, "AA": 0.125})
    >>> m["AA"], m == {"AAA": 0.15, "AA": 0.125}, hash(m) == hash(FrozenMap(m))
    (0.125, True, True)
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._data.items())))

    def __repr__(self) -> str:
        return repr(self._data)

    def to_dict(self) -> dict[str, Any]:
        """A plain (nested) dict."""
        return {k: v.to_dict() if isinstance(v, FrozenMap) else v for k, v in self._data.items()}
