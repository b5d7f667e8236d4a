"""The public surface, import cost and packaging promises."""

from __future__ import annotations

import json
import subprocess
import sys

import riskkit


def test_all_is_exactly_the_public_names() -> None:
    # in a fresh interpreter: other tests import submodules (riskkit.cli ...) into the namespace;
    # names load lazily, so resolve them all first and then compare the namespace with __all__
    code = (
        "import json, types, riskkit; [getattr(riskkit, n) for n in riskkit.__all__]; "
        "print(json.dumps(sorted(n for n, o in vars(riskkit).items() if not n.startswith('_') "
        "and n not in ('annotations', 'importlib', 'TYPE_CHECKING', 'Any') and not (isinstance(o, types.ModuleType) "
        "and not o.__name__.startswith('riskkit.')))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(riskkit.__all__) == set(json.loads(out.stdout)) | {"__version__"}
    assert riskkit.__all__ == sorted(riskkit.__all__)
    assert set(riskkit.__all__) <= set(dir(riskkit))


def test_unknown_attribute_is_an_attribute_error() -> None:
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        riskkit.nope  # noqa: B018


def test_every_exported_name_resolves() -> None:
    for name in riskkit.__all__:
        assert getattr(riskkit, name) is not None


def test_version() -> None:
    assert isinstance(riskkit.__version__, str) and riskkit.__version__[0].isdigit()


def test_errors_are_builtin_types_too() -> None:
    assert issubclass(riskkit.ValidationError, ValueError)
    assert issubclass(riskkit.ValidationError, riskkit.RiskkitError)
    assert issubclass(riskkit.SchemaError, KeyError)
    assert issubclass(riskkit.FormatError, ValueError)
    assert str(riskkit.SchemaError("missing column 'x'")) == "missing column 'x'"


def test_import_does_not_load_heavy_modules() -> None:
    code = (
        "import sys, json, riskkit; "
        "print(json.dumps([m for m in ('sklearn', 'pandas', 'scipy.stats', 'matplotlib', 'joblib') "
        "if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_py_typed_marker_ships() -> None:
    from importlib.resources import files

    assert files("riskkit").joinpath("py.typed").is_file()
