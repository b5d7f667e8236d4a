"""The scorer registry: built-ins, ``@register`` and third-party entry points.

Scorers are found by name, so a service, a CLI or a config file can say
``"five_c"`` instead of importing a class. Third-party packages declare
scorers under the entry-point group ``riskkit.scorers``; an entry point may
name a Scorer class (instantiated without arguments), a Scorer instance, a
zero-argument factory returning a Scorer, or a module whose import registers
scorers with :func:`register`.

Discovery, collisions, ``replace=True``, :func:`refresh`, broken plugins and
``RISKKIT_DISABLE_PLUGINS`` work as in every riskkit registry (see
:mod:`riskkit._plugins`, shared with :mod:`riskkit.signals`): entry points
are read on the first look-up and cached, a plugin that fails to load warns
naming its package and is skipped, and two scorers with one name are a
:class:`~riskkit.errors.NameCollision` naming both sources.

A scorer is checked when registered and built when fetched: registering a
factory does not call it, and :func:`get_scorer` builds a new scorer from a
class or factory on every call (an instance is handed out as it is, shared).
Plugin authors test their scorer with :func:`riskkit.testing.check_scorer`.

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

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from riskkit._plugins import Entry, Registry
from riskkit.errors import DataTypeError

if TYPE_CHECKING:
    from riskkit.protocols import Scorer

__all__ = [
    "GROUP",
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


class ScorerEntry(Entry):
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

    __slots__ = ("description",)

    noun = "scorer"

    def __init__(self, name: str, target: Any, source: str) -> None:
        super().__init__(name, target, source)
        if self.kind == "class" and not callable(getattr(target, "score", None)):
            raise DataTypeError(
                f"scorer {name!r} from {source}: class {target.__qualname__} has no score(X, *, reasons=0) method"
            )
        doc = (getattr(type(target) if self.kind == "instance" else target, "__doc__", None) or "").strip()
        self.description = doc.splitlines()[0] if doc else ""

    def _kind(self, target: Any) -> str:
        if isinstance(target, type):
            return "class"
        if callable(getattr(target, "score", None)):
            return "instance"
        if callable(target):
            return "factory"
        raise DataTypeError(
            f"scorer {self.name!r} from {self.source}: expected a Scorer class, a Scorer instance or a "
            f"zero-argument factory returning one, got {type(target).__name__}"
        )

    def _ready(self, built: Any) -> Scorer:
        from riskkit.protocols import Scorer

        if self.kind != "instance" and not isinstance(built, Scorer):
            raise DataTypeError(
                f"the scorer {self.name!r} from {self.source} built a {type(built).__name__}, which is not a "
                "riskkit.Scorer (it needs score(X, *, reasons=0) -> ScoreResult)"
            )
        return built


def _builtins() -> None:
    from riskkit.scoring._presets import five_c

    register("five_c")(five_c)
    from riskkit.scoring._five_w import five_w

    register("five_w")(five_w)


_REGISTRY: Registry[ScorerEntry] = Registry(GROUP, ScorerEntry, builtins=_builtins)

available = _REGISTRY.available
refresh = _REGISTRY.refresh
source = _REGISTRY.source
unregister = _REGISTRY.unregister


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
        taken name is a :class:`~riskkit.errors.NameCollision` naming both
        sources.

    Raises
    ------
    ValidationError
        ``name`` is not identifier-like.
    DataTypeError
        The target is not a Scorer class, instance or factory.
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
    return _REGISTRY.register(name, replace=replace)


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
    scorer: Scorer = _REGISTRY.get(name)
    return scorer
