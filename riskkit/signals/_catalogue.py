"""The built-in signal catalogue: importing this module registers every built-in signal."""

from __future__ import annotations

import importlib

#: The catalogue's modules, by docs/domain.md, *Warning signals* category.
MODULES = ("_payment", "_ordering", "_financial", "_legal", "_management", "_industry", "_baseline", "_groups",
           "_insurance")

for _name in MODULES:
    try:
        importlib.import_module(f"riskkit.signals.{_name}")
    except ModuleNotFoundError as _exc:  # a category module not written yet
        if _exc.name != f"riskkit.signals.{_name}":
            raise
