"""The signal registry: built-ins, ``@register`` and third-party entry points.

Third-party packages declare signals under the entry-point group
``riskkit.signals``; an entry point may name a Signal class, a Signal
instance, a decorated function, or a module whose import registers signals
with ``@riskkit.signals.register``. Entry points are read lazily, on the first
look-up, and cached; :func:`refresh` reads them again. A plugin that fails to
load warns, naming its package, and is skipped: it never breaks ``import
riskkit`` or the other signals. ``RISKKIT_DISABLE_PLUGINS=1`` turns discovery
off. Two signals with one name are an error naming both sources, unless the
later one is registered with ``replace=True``.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from riskkit.errors import RiskkitError, ValidationError
from riskkit.signals._base import CATEGORIES, SignalHits, check_default_thresholds

GROUP = "riskkit.signals"

_lock = threading.RLock()
_signals: dict[str, Any] = {}
_sources: dict[str, str] = {}
_plugin_names: set[str] = set()
_discovered = False
_current_source: list[str] = []  # set while an entry point is loading
_replaced: dict[str, tuple[Any, str]] = {}  # what plugins replaced, restored by refresh()


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


def _check_signal(signal: Any, name: str) -> None:
    for attr in ("category", "description", "thresholds", "evaluate"):
        if not hasattr(signal, attr):
            raise ValidationError(f"signal {name!r} has no {attr!r}; a signal needs name, category, description, "
                                  "thresholds and evaluate(portfolio, as_of, thresholds)")
    if signal.category not in CATEGORIES:
        raise ValidationError(f"signal {name!r}: category must be one of {', '.join(CATEGORIES)}, got {signal.category!r}")
    check_default_thresholds(name, signal.thresholds)


class NameCollision(RiskkitError):
    """Two signals were registered under one name (without ``replace=True``)."""


def _add(name: str, signal: Any, source: str, replace: bool) -> None:
    with _lock:
        if name in _signals and not replace:
            raise NameCollision(
                f"two signals are named {name!r}: one from {_sources[name]}, one from {source}; "
                "rename one or register the second with replace=True"
            )
        if name in _signals and _current_source and name not in _plugin_names:
            # a plugin replacing a built-in or user signal: remember it, so refresh() can restore it
            _replaced.setdefault(name, (_signals[name], _sources[name]))
        _signals[name] = signal
        _sources[name] = source


def register(
    name: str,
    *,
    category: str | None = None,
    description: str | None = None,
    thresholds: Mapping[str, float] | None = None,
    replace: bool = False,
) -> Callable[[Any], Any]:
    """Register a signal class (instantiated without arguments) or function under ``name``.

    For a function ``fn(portfolio, as_of, thresholds) -> SignalHits``, give
    ``category``, ``description`` and default ``thresholds``; a class carries
    them as attributes (the keywords override them).

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
    if not isinstance(name, str) or not name.isidentifier():
        raise ValidationError(f"a signal name must be an identifier-like string, got {name!r}")

    def decorate(obj: Any) -> Any:
        if isinstance(obj, type):
            signal = obj()
        elif callable(obj) and not hasattr(obj, "evaluate"):
            if category is None or description is None or thresholds is None:
                raise ValidationError(
                    f"register({name!r}) on a function needs category=, description= and thresholds="
                )
            signal = FunctionSignal(name, obj, category, description, thresholds)
        else:
            signal = obj
        for attr, value in (("category", category), ("description", description), ("thresholds", thresholds)):
            if value is not None and not isinstance(signal, FunctionSignal):
                setattr(signal, attr, value)
        if getattr(signal, "name", name) != name or not hasattr(signal, "name"):
            signal.name = name
        _check_signal(signal, name)
        source = _current_source[-1] if _current_source else _caller_source(obj)
        _add(name, signal, source, replace)
        if _current_source:
            _plugin_names.add(name)
        return obj

    return decorate


def _caller_source(obj: Any) -> str:
    module = getattr(obj, "__module__", None) or type(obj).__module__
    return "riskkit (built-in)" if module.startswith("riskkit.signals") else f"module {module}"


def unregister(name: str) -> None:
    """Remove the signal ``name`` (for tests and notebooks); unknown names are an error."""
    with _lock:
        if name not in _signals:
            raise RiskkitError(f"no signal named {name!r}")
        del _signals[name]
        del _sources[name]
        _plugin_names.discard(name)


def _discover() -> None:
    global _discovered
    with _lock:
        if _discovered:
            return
        _discovered = True
        if os.environ.get("RISKKIT_DISABLE_PLUGINS", "").strip() in ("1", "true", "yes"):
            return
        from importlib.metadata import entry_points

        for ep in entry_points(group=GROUP):
            package = ep.dist.name if ep.dist is not None else ep.module
            source = f"package {package} (entry point {ep.name!r})"
            _current_source.append(source)
            try:
                obj = ep.load()
                # an entry point naming a class, instance or function (not a module that registered
                # its own signals while loading) registers it under the entry point's name
                if not isinstance(obj, type(os)) and not any(_sources.get(n) == source for n in _signals):
                    register(ep.name)(obj)
            except NameCollision:
                raise
            except Exception as exc:
                warnings.warn(
                    f"riskkit: skipped the signal plugin from {source}: {type(exc).__name__}: {exc}",
                    RuntimeWarning,
                    stacklevel=2,
                )
            finally:
                _current_source.pop()


def refresh() -> None:
    """Forget the signals found through entry points and read the entry points again."""
    global _discovered
    with _lock:
        for name in list(_plugin_names):
            _signals.pop(name, None)
            _sources.pop(name, None)
        _plugin_names.clear()
        for name, (signal, origin) in _replaced.items():
            _signals[name] = signal
            _sources[name] = origin
        _replaced.clear()
        _discovered = False
    _discover()


def available() -> Mapping[str, Any]:
    """A read-only mapping of every registered signal by name (discovering plugins on first use)."""
    _builtins()
    _discover()
    return MappingProxyType(_signals)


def builtin() -> list[str]:
    """Names of riskkit's own signals, sorted: evaluate these for results that no plugin changes.

    Examples
    --------
    >>> from riskkit import signals
    >>> len(signals.builtin()) >= 20, "overdue_days" in signals.builtin()
    (True, True)
    """
    available()
    with _lock:
        return sorted(n for n, src in _sources.items() if src == "riskkit (built-in)")


def source(name: str) -> str:
    """Where the signal ``name`` came from (built-in, a module, or a package's entry point)."""
    get(name)
    return _sources[name]


def get(name: str) -> Any:
    """The signal ``name``; an unknown name is an error listing the available ones."""
    signals = available()
    try:
        return signals[name]
    except KeyError:
        raise RiskkitError(
            f"unknown signal {name!r}; available: {', '.join(sorted(signals))}"
        ) from None


def _builtins() -> None:
    """Import the built-in catalogue once (its modules register themselves)."""
    from riskkit.signals import _catalogue  # noqa: F401
