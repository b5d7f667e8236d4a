"""Exceptions raised by riskkit.

Every error riskkit raises on purpose derives from :class:`RiskkitError`, and
each is also a built-in exception type, so ``except ValueError`` keeps working::

    RiskkitError(Exception)
    ├── ValidationError(RiskkitError, ValueError)    bad input data or arguments
    ├── SchemaError(RiskkitError, KeyError)           a missing column or feature
    └── FormatError(RiskkitError, ValueError)         a malformed saved document

Messages say what was wrong, where (table, row, field, customer id) and what
is accepted.
"""

from __future__ import annotations

__all__ = ["FormatError", "RiskkitError", "SchemaError", "ValidationError"]


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


class SchemaError(RiskkitError, KeyError):
    """A required column, table or feature is missing or unknown."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class FormatError(RiskkitError, ValueError):
    """A saved document is malformed, truncated, tampered with or of an unknown version."""
