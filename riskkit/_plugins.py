"""One plugin registry: names to scorers or signals, built in, registered or from entry points.

A :class:`Registry` maps names to :class:`Entry` objects. The scorer
registry (:mod:`riskkit.scoring`) and the signal registry
(:mod:`riskkit.signals`) are two instances of it; each adds only its own
kind of :class:`Entry` (what a valid target is, and how it is built).

- Entries come from three places, named by :attr:`Entry.source`:
  ``riskkit (built-in)``, ``module <name>`` (``register`` called in user
  code) and ``package <dist> (entry point '<name>')`` (an installed
  package's entry point).
- Entry points are read lazily, on the first look-up, and cached, like
  xarray's ``list_engines``; :meth:`Registry.refresh` forgets what they
  registered, restores what they replaced and reads them again.
- An entry point may name a target (registered under the entry point's
  name) or a module whose import registers its own targets.
- A plugin that fails to load warns, naming its package, and is skipped:
  it never breaks ``import riskkit`` or the other entries.
  ``RISKKIT_DISABLE_PLUGINS=1`` turns discovery off.
- Two entries with one name are a :class:`~riskkit.errors.NameCollision`
  naming both sources, unless the later one is registered with
  ``replace=True``.
- Every change holds the registry's lock, so threads may register and look
  up at the same time.

**When a target is built.** Registering checks a target and never builds
it: no class is instantiated and no factory called. It is built when it is
fetched (:meth:`Entry.build`), so a plugin costs nothing until it is used.

Examples
--------
>>> from riskkit._plugins import Entry, Registry
>>> class Greeter(Entry):
...     noun = "greeter"
>>> greeters = Registry("riskkit.example_greeters", Greeter)
>>> @greeters.register("hello")
... def hello():
...     return "hello, world"
>>> greeters.available()["hello"]
<greeter 'hello': factory riskkit._plugins.hello from module riskkit._plugins>
>>> greeters.get("hello")
'hello, world'
>>> greeters.register("hello")(lambda: "hi")
Traceback (most recent call last):
riskkit.errors.NameCollision: two greeters are named 'hello': one from module riskkit._plugins, one from ...
"""

from __future__ import annotations

import os
import threading
import types
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from riskkit.errors import NameCollision, RiskkitError, ValidationError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

__all__ = ["BUILTIN", "Entry", "Registry"]

#: The source of riskkit's own entries.
BUILTIN = "riskkit (built-in)"

T = TypeVar("T")
E = TypeVar("E", bound="Entry")


def _plugins_disabled() -> bool:
    """Whether ``RISKKIT_DISABLE_PLUGINS`` (``1``, ``true`` or ``yes``) turns entry-point discovery off."""
    return os.environ.get("RISKKIT_DISABLE_PLUGINS", "").strip().lower() in ("1", "true", "yes")


class Entry:
    """One registration: a target under a name, from a source; subclass it per kind of plugin.

    Subclasses set :attr:`noun`, and may refuse a target in ``__init__``
    (raising a :class:`~riskkit.errors.RiskkitError` that names it), classify
    it in :meth:`_kind` and check or finish what was built in :meth:`_ready`.

    Parameters
    ----------
    name : str
        The name it is registered under.
    target : object
        What was registered: a class, a factory or an instance.
    source : str
        Where it came from (see :class:`Registry`).

    Attributes
    ----------
    name, target, source
        As given.
    kind : {"class", "factory", "instance"}
        A class is instantiated and a factory called, without arguments, by
        :meth:`build`; an instance is handed out as it is.
    """

    __slots__ = ("kind", "name", "source", "target")

    #: What an entry is called in messages ("scorer", "signal").
    noun = "entry"

    def __init__(self, name: str, target: Any, source: str) -> None:
        self.name = name
        self.target = target
        self.source = source
        self.kind = self._kind(target)

    def _kind(self, target: Any) -> str:
        if isinstance(target, type):
            return "class"
        return "factory" if callable(target) else "instance"

    def build(self) -> Any:
        """The ready object: the instance, or what the class or factory returns.

        Raises
        ------
        RiskkitError
            The class or factory failed; the message names the entry's source.
        """
        if self.kind == "instance":
            return self._ready(self.target)
        try:
            made = self.target()
        except RiskkitError:
            raise
        except Exception as exc:
            raise RiskkitError(
                f"building the {self.noun} {self.name!r} from {self.source} failed: {type(exc).__name__}: {exc}"
            ) from exc
        return self._ready(made)

    def _ready(self, built: Any) -> Any:
        """Check or finish what :meth:`build` made (a hook: here, hand it back)."""
        return built

    def __repr__(self) -> str:
        what = self.target if self.kind == "instance" else _qualified(self.target)
        return f"<{self.noun} {self.name!r}: {self.kind} {what} from {self.source}>"


def _nothing() -> None:
    return None


def _qualified(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


class Registry(Generic[E]):
    """Named entries of one kind: built-ins, ``register`` calls and entry points of installed packages.

    Parameters
    ----------
    group : str
        The entry-point group installed packages declare their plugins under.
    entry : type of Entry
        Makes and checks an entry: ``entry(name, target, source, **options)``,
        ``options`` being the keywords given to :meth:`register`.
    builtins : callable, optional
        Registers riskkit's own entries; called once, before the first
        look-up. What it registers comes from ``riskkit (built-in)``.
    home : str, optional
        A package whose modules register their targets when imported (a
        built-in catalogue): targets defined under it come from
        ``riskkit (built-in)`` whenever the modules are imported.

    Attributes
    ----------
    group : str
    noun : str
        ``entry.noun``, what an entry is called in messages.
    """

    def __init__(
        self,
        group: str,
        entry: Callable[..., E],
        *,
        builtins: Callable[[], object] | None = None,
        home: str | None = None,
    ) -> None:
        self.group = group
        self.noun: str = getattr(entry, "noun", "entry")
        self._entry = entry
        self._builtins = builtins or _nothing
        self._home = home
        self._lock = threading.RLock()
        self._entries: dict[str, E] = {}
        self._plugins: set[str] = set()  # names registered by entry points, forgotten by refresh()
        self._replaced: dict[str, E] = {}  # what entry points replaced, restored by refresh()
        self._loading: list[str] = []  # the source being loaded (built-ins or an entry point)
        self._builtins_loaded = False
        self._discovered = False

    # --- registering ------------------------------------------------------------------

    def register(self, name: str, *, replace: bool = False, **options: Any) -> Callable[[T], T]:
        """A decorator registering its target under ``name`` and handing it back unchanged.

        Parameters
        ----------
        name : str
            The name, which must be identifier-like.
        replace : bool, default False
            Whether the target may take the place of an entry of that name
            (otherwise that is a NameCollision naming both sources).
        **options
            Passed on to the registry's ``entry``.

        Raises
        ------
        ValidationError
            ``name`` is not identifier-like.
        NameCollision
            ``name`` is taken and ``replace`` is False.
        """
        if not isinstance(name, str) or not name.isidentifier():
            raise ValidationError(f"a {self.noun} name must be an identifier-like string, got {name!r}")

        def decorate(target: T) -> T:
            with self._lock:
                self._add(self._entry(name, target, self._source_of(target), **options), replace)
            return target

        return decorate

    def unregister(self, name: str) -> None:
        """Remove the entry ``name`` (for tests and notebooks); an unknown name is an error."""
        with self._lock:
            if name not in self._entries:
                raise RiskkitError(f"no {self.noun} named {name!r}")
            del self._entries[name]
            self._plugins.discard(name)

    def _source_of(self, target: Any) -> str:
        if self._loading:
            return self._loading[-1]
        module = getattr(target, "__module__", None) or type(target).__module__
        if self._home and (module == self._home or module.startswith(f"{self._home}.")):
            return BUILTIN
        return f"module {module}"

    def _add(self, entry: E, replace: bool) -> None:
        name, old = entry.name, self._entries.get(entry.name)
        if old is not None and not replace:
            raise NameCollision(
                f"two {self.noun}s are named {name!r}: one from {old.source}, one from {entry.source}; "
                "rename one or register the second with replace=True"
            )
        from_plugin = bool(self._loading) and self._loading[-1] != BUILTIN
        if old is not None and from_plugin and name not in self._plugins:
            self._replaced.setdefault(name, old)
        self._entries[name] = entry
        if from_plugin:
            self._plugins.add(name)
        else:
            self._plugins.discard(name)

    # --- discovering ------------------------------------------------------------------

    @contextmanager
    def _loading_from(self, source: str) -> Iterator[None]:
        self._loading.append(source)
        try:
            yield
        finally:
            self._loading.pop()

    def _ensure(self) -> None:
        """Register the built-ins and read the entry points, once (until :meth:`refresh`)."""
        with self._lock:
            if not self._builtins_loaded:
                self._builtins_loaded = True
                with self._loading_from(BUILTIN):
                    self._builtins()
            if self._discovered:
                return
            self._discovered = True
            if _plugins_disabled():
                return
            from importlib.metadata import entry_points

            for ep in entry_points(group=self.group):
                self._load(ep)

    def _load(self, ep: EntryPoint) -> None:
        """Load one entry point; a failure other than a name collision warns and is skipped."""
        source = f"package {ep.dist.name if ep.dist is not None else ep.module} (entry point {ep.name!r})"
        with self._loading_from(source):
            try:
                target = ep.load()
                # a module registers its own targets; so may the module of a target, under the same name
                registered = getattr(self._entries.get(ep.name), "source", None) == source
                if not isinstance(target, types.ModuleType) and not registered:
                    self.register(ep.name)(target)
            except NameCollision:
                raise
            except Exception as exc:
                warnings.warn(
                    f"riskkit: skipped the {self.noun} plugin from {source}: {type(exc).__name__}: {exc}",
                    RuntimeWarning,
                    stacklevel=4,
                )

    def _forget(self) -> None:
        """Drop what entry points registered, restore what they replaced, and read them again on next use."""
        with self._lock:
            for name in self._plugins:
                self._entries.pop(name, None)
            self._plugins.clear()
            self._entries.update(self._replaced)
            self._replaced.clear()
            self._discovered = False

    def refresh(self) -> None:
        """Forget the entries found through entry points, restore what they replaced, and read them again.

        Raises
        ------
        NameCollision
            A plugin takes a name already registered, without ``replace=True``.
        """
        with self._lock:
            self._forget()
            self._ensure()

    # --- looking up -------------------------------------------------------------------

    def available(self) -> Mapping[str, E]:
        """A read-only snapshot of every entry by name (reading the entry points on first use)."""
        with self._lock:
            self._ensure()
            return types.MappingProxyType(dict(self._entries))

    def entry(self, name: str) -> E:
        """The entry ``name``; an unknown name is an error listing the available ones."""
        entries = self.available()
        try:
            return entries[name]
        except (KeyError, TypeError):
            raise RiskkitError(
                f"unknown {self.noun} {name!r}; available: {', '.join(sorted(entries)) or '(none)'}"
            ) from None

    def get(self, name: str) -> Any:
        """The object ``name`` stands for, built by its entry (:meth:`Entry.build`)."""
        return self.entry(name).build()

    def source(self, name: str) -> str:
        """Where the entry ``name`` came from: built-in, a module, or a package's entry point."""
        return self.entry(name).source

    def builtin(self) -> list[str]:
        """Names of riskkit's own entries, sorted."""
        return sorted(name for name, e in self.available().items() if e.source == BUILTIN)

    def __repr__(self) -> str:
        return f"<Registry {self.group!r}: {len(self._entries)} {self.noun}s>"
