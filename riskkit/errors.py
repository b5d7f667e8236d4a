"""Exceptions raised by riskkit.

Every error riskkit raises on purpose derives from :class:`RiskkitError`, and
each is also a built-in exception type, so ``except ValueError`` keeps working::

    RiskkitError(Exception)
    ├── ValidationError(RiskkitError, ValueError)    bad input data or arguments
    ├── SchemaError(RiskkitError, KeyError, ValueError)  a missing or unknown column, table or feature
    ├── DataTypeError(RiskkitError, TypeError)        a value of a type riskkit cannot read
    ├── FormatError(RiskkitError, ValueError)         a malformed saved document
    ├── NotFittedError(RiskkitError, ValueError, AttributeError)  a scorer used before fit
    └── NameCollision(RiskkitError, ValueError)       two scorers or signals registered under one name

Messages say what was wrong, where (table, row, field, customer id) and what
is accepted.
"""

from __future__ import annotations

__all__ = [
    "DataTypeError",
    "FormatError",
    "NameCollision",
    "NotFittedError",
    "RiskkitError",
    "SchemaError",
    "ValidationError",
]


class RiskkitError(Exception):
    """Root of every error riskkit raises on purpose."""


class ValidationError(RiskkitError, ValueError):
    """Input data or an argument is not acceptable.

    Attributes
    ----------
    table, row, field, value
        Where the bad value was found, when known (``None`` otherwise).
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        row: int | None = None,
        field: str | None = None,
        value: object = None,
    ) -> None:
        super().__init__(message)
        self.table = table
        self.row = row
        self.field = field
        self.value = value


class SchemaError(RiskkitError, KeyError, ValueError):
    """A required column, table or feature is missing or unknown.

    Both a ``KeyError`` (a name was not found) and a ``ValueError`` (the input
    does not have the shape asked for), so either ``except`` clause catches it.
    """

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class DataTypeError(RiskkitError, TypeError):
    """A value has a type riskkit cannot read (a dict where a number belongs, say)."""


class FormatError(RiskkitError, ValueError):
    """A saved document is malformed, truncated, tampered with or of an unknown version."""


class NotFittedError(RiskkitError, ValueError, AttributeError):
    """A trainable scorer was used before ``fit`` (also scikit-learn's convention)."""


class NameCollision(RiskkitError, ValueError):
    """Two scorers, or two signals, were registered under one name (without ``replace=True``).

    The message names both sources: ``riskkit (built-in)``, ``module <name>``
    or ``package <dist> (entry point '<name>')``.
    """
