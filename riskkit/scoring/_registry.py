"""The scorer registry: built-ins, ``@register`` and third-party entry points.

Scorers are found by name, so a service, a CLI or a config file can say
``"five_c"`` instead of importing a class. Third-party packages declare
scorers under the entry-point group ``riskkit.scorers``; an entry point may
name a Scorer class (instantiated without arguments), a Scorer instance, a
zero-argument factory returning a Scorer, or a module whose import registers
scorers with :func:`register`. The design mirrors the signal registry
(:mod:`riskkit.signals`):

- entry points are read lazily, on the first look-up, and cached;
  :func:`refresh` reads them again;
- a plugin that fails to load warns, naming its package, and is skipped: it
  never breaks ``import riskkit`` or the other scorers;
- ``RISKKIT_DISABLE_PLUGINS=1`` turns discovery off;
- two scorers with one name are a :class:`NameCollision` naming both
  sources, unless the later one is registered with ``replace=True``;
- an unknown name is an error listing the available ones;
- :func:`available` is a read-only view (:class:`types.MappingProxyType`).

Nothing is built until :func:`get_scorer` asks for it: registering a
factory does not call it. Plugin authors test their scorer with
:func:`riskkit.testing.check_scorer`.

Examples
--------
>>> import riskkit
>>> card = riskkit.get_scorer("five_c")
>>> card
ExpertScorecard('riskkit 5C', 11 features, 5 overrides)
>>> riskkit.scoring.available()["five_c"].kind
'factory'
>>> riskkit.scoring.source("five_c")
'riskkit (built-in)'

.. versionadded:: 0.1
"""

from __future__ import annotations

import os
import threading
import types
import warnings
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from riskkit.errors import DataTypeError, RiskkitError, ValidationError

if TYPE_CHECKING:
    from riskkit.protocols import Scorer

__all__ = [
    "GROUP",
    "NameCollision",
    "ScorerEntry",
    "available",
    "get_scorer",
    "refresh",
    "register",
    "source",
    "unregister",
]

#: The entry-point group third-party packages declare their scorers under.
GROUP = "riskkit.scorers"

_BUILTIN = "riskkit (built-in)"

_lock = threading.RLock()
_entries: dict[str, ScorerEntry] = {}
_plugin_names: set[str] = set()
_discovered = False
_builtins_loaded = False
_current_source: list[str] = []  # set while an entry point is loading
_replaced: dict[str, ScorerEntry] = {}  # what plugins replaced, restored by refresh()


class NameCollision(RiskkitError):
    """Two scorers were registered under one name (without ``replace=True``)."""


class ScorerEntry:
    """A registered scorer: what :func:`available` lists and :func:`get_scorer` builds.

    Attributes
    ----------
    name : str
        The name it is registered under.
    kind : {"class", "factory", "instance"}
        A class is instantiated without arguments and a factory called
        without arguments on every :func:`get_scorer`; an instance is handed
        out as it is (shared).
    target : object
        The class, factory or instance.
    source : str
        Where it came from: ``riskkit (built-in)``, ``module <name>`` or
        ``package <dist> (entry point '<name>')``.
    description : str
        The first line of the target's docstring (``""`` when it has none).
    """

    __slots__ = ("description", "kind", "name", "source", "target")

    def __init__(self, name: str, target: Any, source: str) -> None:
        if isinstance(target, type):
            kind = "class"
        elif callable(getattr(target, "score", None)):
            kind = "instance"
        elif callable(target):
            kind = "factory"
        else:
            raise DataTypeError(
                f"scorer {name!r} from {source}: expected a Scorer class, a Scorer instance or a zero-argument "
                f"factory returning one, got {type(target).__name__}"
            )
        if kind == "class" and not callable(getattr(target, "score", None)):
            raise DataTypeError(
                f"scorer {name!r} from {source}: class {target.__qualname__} has no score(X, *, reasons=0) method"
            )
        documented = type(target) if kind == "instance" else target
        doc = (getattr(documented, "__doc__", None) or "").strip()
        self.name = name
        self.kind = kind
        self.target = target
        self.source = source
        self.description = doc.splitlines()[0] if doc else ""

    def build(self) -> Scorer:
        """A ready scorer: the instance, or what the class or factory returns (checked against the protocol)."""
        from riskkit.protocols import Scorer

        if self.kind == "instance":
            return self.target
        try:
            scorer = self.target()
        except RiskkitError:
            raise
        except Exception as exc:
            raise RiskkitError(
                f"building the scorer {self.name!r} from {self.source} failed: {type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(scorer, Scorer):
            raise DataTypeError(
                f"the scorer {self.name!r} from {self.source} built a {type(scorer).__name__}, which is not a "
                "riskkit.Scorer (it needs score(X, *, reasons=0) -> ScoreResult)"
            )
        return scorer

    def __repr__(self) -> str:
        what = self.target if self.kind == "instance" else _qualified(self.target)
        return f"<scorer {self.name!r}: {self.kind} {what} from {self.source}>"


def _qualified(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def _add(entry: ScorerEntry, replace: bool) -> None:
    name = entry.name
    with _lock:
        if name in _entries and not replace:
            raise NameCollision(
                f"two scorers are named {name!r}: one from {_entries[name].source}, one from {entry.source}; "
                "rename one or register the second with replace=True"
            )
        if name in _entries and _current_source and name not in _plugin_names:
            # a plugin replacing a built-in or user scorer: remember it, so refresh() can restore it
            _replaced.setdefault(name, _entries[name])
        _entries[name] = entry
        if _current_source:
            _plugin_names.add(name)


def register(name: str, *, replace: bool = False) -> Callable[[Any], Any]:
    """Register a Scorer class, a zero-argument factory or a Scorer instance under ``name``.

    Used as a decorator, it hands the class or function back unchanged.
    Nothing is built until :func:`get_scorer` is called.

    Parameters
    ----------
    name : str
        An identifier-like name.
    replace : bool, default False
        Replace a scorer already registered under ``name``; without it, a
        taken name is a :class:`NameCollision` naming both sources.

    Raises
    ------
    ValidationError
        ``name`` is not identifier-like.
    NameCollision
        ``name`` is taken and ``replace`` is False.

    Examples
    --------
    >>> import riskkit
    >>> @riskkit.scoring.register("strict_5c")
    ... def strict_5c():
    ...     '''The 5C card, refusing unknown categories.'''
    ...     return riskkit.scoring.five_c()
    >>> riskkit.scoring.available()["strict_5c"].description
    'The 5C card, refusing unknown categories.'
    >>> riskkit.get_scorer("strict_5c").score_range
    (0.0, 100.0)
    >>> riskkit.scoring.unregister("strict_5c")
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValidationError(f"a scorer name must be an identifier-like string, got {name!r}")

    def decorate(obj: Any) -> Any:
        origin = _current_source[-1] if _current_source else _caller_source(obj)
        _add(ScorerEntry(name, obj, origin), replace)
        return obj

    return decorate


def _caller_source(obj: Any) -> str:
    module = getattr(obj, "__module__", None) or type(obj).__module__
    return f"module {module}"


def unregister(name: str) -> None:
    """Remove the scorer ``name`` (for tests and notebooks); unknown names are an error."""
    with _lock:
        if name not in _entries:
            raise RiskkitError(f"no scorer named {name!r}")
        del _entries[name]
        _plugin_names.discard(name)


def _plugins_disabled() -> bool:
    return os.environ.get("RISKKIT_DISABLE_PLUGINS", "").strip().lower() in ("1", "true", "yes")


def _discover() -> None:
    global _discovered
    with _lock:
        if _discovered:
            return
        _discovered = True
        if _plugins_disabled():
            return
        from importlib.metadata import entry_points

        for ep in entry_points(group=GROUP):
            package = ep.dist.name if ep.dist is not None else ep.module
            origin = f"package {package} (entry point {ep.name!r})"
            _current_source.append(origin)
            try:
                obj = ep.load()
                # an entry point naming a class, instance or factory (not a module that registered its
                # own scorers while loading) registers it under the entry point's name
                if not isinstance(obj, types.ModuleType):
                    register(ep.name)(obj)
            except NameCollision:
                raise
            except Exception as exc:
                warnings.warn(
                    f"riskkit: skipped the scorer plugin from {origin}: {type(exc).__name__}: {exc}",
                    RuntimeWarning,
                    stacklevel=3,
                )
            finally:
                _current_source.pop()


def _builtins() -> None:
    global _builtins_loaded
    with _lock:
        if _builtins_loaded:
            return
        _builtins_loaded = True
        from riskkit.scoring._presets import five_c

        _add(ScorerEntry("five_c", five_c, _BUILTIN), replace=False)


def refresh() -> None:
    """Forget the scorers found through entry points and read the entry points again."""
    global _discovered
    _builtins()
    with _lock:
        for name in list(_plugin_names):
            _entries.pop(name, None)
        _plugin_names.clear()
        _entries.update(_replaced)
        _replaced.clear()
        _discovered = False
        _discover()


def available() -> Mapping[str, ScorerEntry]:
    """A read-only mapping of every registered scorer by name (discovering plugins on first use).

    Each value is a :class:`ScorerEntry` (its ``kind``, ``target``,
    ``source`` and ``description``); :func:`get_scorer` builds the scorer.
    """
    _builtins()
    _discover()
    return MappingProxyType(_entries)


def _entry(name: str) -> ScorerEntry:
    entries = available()
    try:
        return entries[name]
    except (KeyError, TypeError):
        raise RiskkitError(
            f"unknown scorer {name!r}; available: {', '.join(sorted(entries)) or '(none)'}"
        ) from None


def source(name: str) -> str:
    """Where the scorer ``name`` came from (built-in, a module, or a package's entry point)."""
    return _entry(name).source


def get_scorer(name: str) -> Scorer:
    """A ready scorer by name: a registered class or factory is built, an instance handed out as it is.

    Parameters
    ----------
    name : str
        A name from :func:`available`: a built-in (``"five_c"``), one
        registered with :func:`register`, or one an installed package
        declares under the entry-point group ``riskkit.scorers``.

    Returns
    -------
    Scorer
        Satisfies :class:`riskkit.Scorer`.

    Raises
    ------
    RiskkitError
        ``name`` is unknown (the message lists the available names), or
        building the scorer failed (the message names its source).

    Examples
    --------
    >>> import riskkit
    >>> from riskkit.datasets import make_portfolio
    >>> book, _ = make_portfolio(100, seed=0)
    >>> len(riskkit.get_scorer("five_c").score(book.features()))
    100
    >>> riskkit.get_scorer("five_k")
    Traceback (most recent call last):
    riskkit.errors.RiskkitError: unknown scorer 'five_k'; available: ...five_c...
    """
    return _entry(name).build()
