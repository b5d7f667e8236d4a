"""The signal registry: built-ins, ``@register`` and third-party entry points.

Third-party packages declare signals under the entry-point group
``riskkit.signals``; an entry point may name a Signal class, a Signal
instance, a decorated function, or a module whose import registers signals
with ``@riskkit.signals.register``. Discovery, collisions, ``replace=True``,
:func:`refresh`, broken plugins and ``RISKKIT_DISABLE_PLUGINS`` work as in
every riskkit registry (see :mod:`riskkit._plugins`, shared with
:mod:`riskkit.scoring`).

A signal class is instantiated when it is registered, and that one object
is checked and shared from then on (a signal keeps no state between
evaluations): a plugin whose signal cannot be built or is incomplete warns
at discovery and is skipped, so it never breaks :func:`available` or
:func:`~riskkit.signals.evaluate`. (Scorers, which may keep fitted state,
are built anew on every fetch instead.) The built-in catalogue registers
itself when its modules are imported, on the first look-up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from riskkit._plugins import Entry, Registry
from riskkit.errors import ValidationError
from riskkit.signals._base import CATEGORIES, SignalHits, check_default_thresholds

GROUP = "riskkit.signals"

#: What a signal carries, besides its name.
_ATTRIBUTES = ("category", "description", "thresholds")

_build_lock = threading.RLock()


class FunctionSignal:
    """A signal made from a function ``fn(portfolio, as_of, thresholds) -> SignalHits``."""

    def __init__(
        self,
        name: str,
        fn: Callable[[Any, Any, Mapping[str, np.ndarray]], SignalHits],
        category: str,
        description: str,
        thresholds: Mapping[str, float],
    ) -> None:
        self.name = name
        self.category = category
        self.description = description
        self.thresholds = dict(thresholds)
        self._fn = fn

    def evaluate(self, portfolio: Any, as_of: Any, thresholds: Mapping[str, np.ndarray]) -> SignalHits:
        return self._fn(portfolio, as_of, thresholds)

    def __repr__(self) -> str:
        return f"<signal {self.name!r} ({self.category}) from function {self._fn.__qualname__}>"


class _SignalEntry(Entry):
    """A registered signal: a class (built when registered) or an instance; a function is wrapped.

    The keywords of :func:`register` (``category``, ``description``,
    ``thresholds``) override the signal's own attributes.
    """

    __slots__ = ("_overrides", "_signal")

    noun = "signal"

    def __init__(self, name: str, target: Any, source: str, **overrides: Any) -> None:
        overrides = {k: v for k, v in overrides.items() if v is not None}
        if callable(target) and not isinstance(target, type) and not hasattr(target, "evaluate"):
            if len(overrides) < len(_ATTRIBUTES):
                raise ValidationError(f"register({name!r}) on a function needs category=, description= and thresholds=")
            target, overrides = FunctionSignal(name, target, **overrides), {}
        super().__init__(name, target, source)
        self._overrides = overrides
        self._signal: Any = super().build() if self.kind == "class" else None
        _check_signal(name, target if self._signal is None else self._signal, overrides)

    def _kind(self, target: Any) -> str:
        return "class" if isinstance(target, type) else "instance"

    def build(self) -> Any:
        """The signal: the one built when registered, or the registered instance."""
        with _build_lock:
            if self._signal is None:
                self._signal = super().build()
        return self._signal

    def _ready(self, built: Any) -> Any:
        for attr, value in self._overrides.items():
            setattr(built, attr, value)
        built.name = self.name
        return built


def _check_signal(name: str, target: Any, overrides: Mapping[str, Any]) -> None:
    for attr in (*_ATTRIBUTES, "evaluate"):
        if attr not in overrides and not hasattr(target, attr):
            raise ValidationError(f"signal {name!r} has no {attr!r}; a signal needs name, category, description, "
                                  "thresholds and evaluate(portfolio, as_of, thresholds)")
    category = overrides.get("category", target.category)
    if category not in CATEGORIES:
        raise ValidationError(f"signal {name!r}: category must be one of {', '.join(CATEGORIES)}, got {category!r}")
    check_default_thresholds(name, overrides.get("thresholds", target.thresholds))


def _builtins() -> None:
    """Import the built-in catalogue once (its modules register themselves)."""
    from riskkit.signals import _catalogue  # noqa: F401


_REGISTRY: Registry[_SignalEntry] = Registry(GROUP, _SignalEntry, builtins=_builtins, home="riskkit.signals")

get = _REGISTRY.get
refresh = _REGISTRY.refresh
source = _REGISTRY.source
unregister = _REGISTRY.unregister


def register(
    name: str,
    *,
    category: str | None = None,
    description: str | None = None,
    thresholds: Mapping[str, float] | None = None,
    replace: bool = False,
) -> Callable[[Any], Any]:
    """Register a signal class (instantiated without arguments), instance or function under ``name``.

    For a function ``fn(portfolio, as_of, thresholds) -> SignalHits``, give
    ``category``, ``description`` and default ``thresholds``; a class carries
    them as attributes (the keywords override them). Used as a decorator, it
    hands the class or function back unchanged.

    Raises
    ------
    ValidationError
        ``name`` is not identifier-like, or the signal is incomplete or invalid.
    NameCollision
        ``name`` is taken and ``replace`` is False.

    Examples
    --------
    >>> import numpy as np
    >>> from riskkit import signals
    >>> @signals.register("tiny_limit", category="payment", description="Credit limit under 1,000.",
    ...                   thresholds={"watch": 1000.0}, replace=True)
    ... def tiny_limit(portfolio, as_of, thresholds):
    ...     limit = portfolio.features(as_of)["credit_limit"]
    ...     return signals.hits_from_values("tiny_limit", limit, thresholds, "<", 0)
    >>> "tiny_limit" in signals.available()
    True
    >>> signals.unregister("tiny_limit")
    """
    return _REGISTRY.register(name, replace=replace, category=category, description=description,
                              thresholds=thresholds)


def available() -> Mapping[str, Any]:
    """A read-only mapping of every registered signal by name (reading the entry points on first use)."""
    return MappingProxyType({name: entry.build() for name, entry in _REGISTRY.available().items()})


def builtin() -> list[str]:
    """Names of riskkit's own signals, sorted: evaluate these for results that no plugin changes.

    Examples
    --------
    >>> from riskkit import signals
    >>> len(signals.builtin()) >= 20, "overdue_days" in signals.builtin()
    (True, True)
    """
    return _REGISTRY.builtin()
