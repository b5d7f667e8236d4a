"""Load profiles: a company's ERP exports described once, in TOML.

A load profile names the files an ERP exports and says how to read them: the
CSV dialect, which source column holds which riskkit field, which source
values are credit documents or which invoice kind, and which rows to skip
(drafts, cancelled documents). :func:`read_profile` checks a profile without
reading any data; :func:`load` (public as
:meth:`riskkit.Portfolio.from_profile`) reads the exports and builds the
Portfolio through the same validated path as every other constructor.

Profile keys
------------
Top level: ``currency`` (the reporting currency), ``tolerance`` (payment
tolerance in document currency, default 1.00), ``[rates]`` (currency = rate
to the reporting currency) or ``rates_path`` (a CSV with columns
``date,currency,rate``), and ``[tables.NAME]`` for NAME in customers,
exposures, invoices, payments, orders, statements, events.

Per table: ``path``, ``delimiter`` (one character or ``"auto"``),
``decimal``, ``thousands``, ``date_format`` (strptime), ``encoding``,
``columns`` (riskkit field = source column, or a list of source columns
joined with ``"-"`` into one key), ``kinds`` (source value = riskkit kind, for
the ``kind`` column of invoices and events), ``sign`` (``{ column = ...,
credit = [...] }``, invoices only) and ``where`` (source column = accepted
values; other rows are skipped and counted).

A table is read from a database instead of a file with ``sql`` (a ``SELECT``
whose result holds the mapped source columns) and ``database`` (a SQLAlchemy
URL; a top-level ``database`` is the default for every ``sql`` table), in
place of ``path``; the CSV dialect keys do not apply (the database's values
are typed; text is stripped as in a file), ``columns``, ``kinds``, ``sign``
and ``where`` do. Reading a database needs ``riskkit[sql]``
(:mod:`riskkit.sql`). A relative SQLite path (``sqlite:///erp.db``) is
relative to the profile's folder, as the file paths are.

Paths are relative to the profile's folder. Every mistake in a profile is a
:class:`~riskkit.errors.ValidationError` (an unknown key or field a
:class:`~riskkit.errors.SchemaError`) naming the profile file and the key.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from riskkit import _schema
from riskkit.errors import RiskkitError, SchemaError, ValidationError

if TYPE_CHECKING:
    from riskkit._csvfile import Dialect, RawTable
    from riskkit.portfolio import Portfolio

__all__ = ["JOIN", "Profile", "Sign", "TableProfile", "load", "read_profile"]

#: The text joining the parts of a key made of several source columns.
JOIN = "-"

TOP_KEYS = ("currency", "tolerance", "rates", "rates_path", "database", "tables")
TABLE_KEYS = (
    "path",
    "sql",
    "database",
    "delimiter",
    "decimal",
    "thousands",
    "date_format",
    "encoding",
    "columns",
    "kinds",
    "sign",
    "where",
)
SIGN_KEYS = ("column", "credit")
TABLE_NAMES = (
    "customers", "exposures", "invoices", "payments", "orders", "statements", "events", "insurance", "promises",
    "disputes",
)

_KIND_TABLES = ("invoices", "events")
_SIGN_TABLES = ("invoices",)
_JOINABLE_KINDS = ("id", "ref", "invref", "text")
# fields holding an invoice key: joined like the invoice id
_INVOICE_KEYS = (("payments", "invoice_id"), ("invoices", "applies_to"))
_CURRENCY = re.compile(r"[A-Z]{3}")
#: The keys of a table read from a file only (the CSV dialect).
_FILE_KEYS = ("delimiter", "decimal", "thousands", "date_format", "encoding")
#: Schema kinds read as text: stripped, an empty text missing, in a file or a database.
_TEXT_KINDS = ("id", "ref", "invref", "text", "kind", "invkind", "currency")
# names people reach for, and the key they mean
_ALIASES = {
    "separator": "delimiter",
    "sep": "delimiter",
    "decimal_separator": "decimal",
    "thousands_separator": "thousands",
    "dateformat": "date_format",
    "file": "path",
    "filter": "where",
    "mapping": "columns",
    "fields": "columns",
    "reporting_currency": "currency",
    "rates_file": "rates_path",
}
_RATES_COLUMNS = ("date", "currency", "rate")


@attrs.frozen
class Sign:
    """A debit/credit indicator: rows whose ``column`` holds a ``credit`` value are credits.

    Attributes
    ----------
    column : str
        The source column (SAP ``SHKZG``).
    credit : tuple of str
        The values marking a credit document (SAP ``("H",)``).
    """

    column: str
    credit: tuple[str, ...]


@attrs.frozen
class TableProfile:
    """How one riskkit table is read from one export file.

    Attributes
    ----------
    name : str
        The riskkit table (``"invoices"``, ...).
    path : pathlib.Path or None
        The export file (already joined to the profile's folder); None for a
        table read from a database.
    delimiter, decimal, thousands, date_format, encoding
        The CSV dialect (:class:`riskkit._csvfile.Dialect`).
    columns : dict of str to tuple of str
        riskkit field -> source column(s); several columns are joined with
        :data:`JOIN` into one key.
    kinds : dict of str to str
        Source value -> riskkit kind, for the ``kind`` field.
    sign : Sign or None
        The debit/credit indicator producing the ``credit`` field.
    where : dict of str to tuple of str
        Source column -> accepted values; rows with another value are skipped.
    sql : str or None
        The query a database table is read with (instead of ``path``).
    database : str or None
        The SQLAlchemy URL ``sql`` runs on (a relative SQLite path joined to
        the profile's folder).
    """

    name: str
    path: Path | None
    delimiter: str = ","
    decimal: str = "."
    thousands: str = ""
    date_format: str | None = None
    encoding: str = "utf-8"
    columns: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    kinds: dict[str, str] = attrs.field(factory=dict)
    sign: Sign | None = None
    where: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    sql: str | None = None
    database: str | None = None

    @property
    def source(self) -> str:
        """The file, or the query and database, as messages name it."""
        if self.sql is None:
            return repr(os.fspath(self.path or ""))
        from riskkit.sql import describe

        return f"the result of tables.{self.name}.sql on {describe(self.database)}"

    @property
    def dialect(self) -> Dialect:
        """The :class:`riskkit._csvfile.Dialect` this table's file is read with."""
        from riskkit._csvfile import Dialect

        return Dialect(
            delimiter=self.delimiter,
            decimal=self.decimal,
            thousands=self.thousands,
            date_format=self.date_format,
            encoding=self.encoding,
        )

    def uses(self) -> list[tuple[str, str]]:
        """Every source column this table reads, with the profile key naming it."""
        out: list[tuple[str, str]] = []
        for field, parts in self.columns.items():
            out.extend((f"tables.{self.name}.columns.{field}", part) for part in parts)
        if self.sign is not None:
            out.append((f"tables.{self.name}.sign.column", self.sign.column))
        out.extend((f"tables.{self.name}.where.{column}", column) for column in self.where)
        return out


@attrs.frozen
class Profile:
    """A validated load profile (see the module docstring for its keys).

    Attributes
    ----------
    path : pathlib.Path
        The profile file.
    currency : str or None
        The reporting currency, None when the profile names none.
    tolerance : float
        Payment tolerance in document currency.
    rates : dict of str to float or None
        Inline rates to the reporting currency (``[rates]``).
    rates_path : pathlib.Path or None
        A CSV of dated rates (``rates_path``), joined to the profile's folder.
    tables : dict of str to TableProfile
        The tables read, in riskkit's table order.
    """

    path: Path
    currency: str | None = None
    tolerance: float = 1.0
    rates: dict[str, float] | None = None
    rates_path: Path | None = None
    tables: dict[str, TableProfile] = attrs.field(factory=dict)


# --- reading and checking a profile ------------------------------------------------


class _Where:
    """Builds errors naming the profile file and the key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def invalid(self, key: str, message: str, value: Any = None) -> ValidationError:
        where = f"load profile {os.fspath(self.path)!r}"
        return ValidationError(f"{where}: {key}: {message}" if key else f"{where}: {message}", field=key, value=value)

    def unknown(self, key: str, what: str, names: Iterable[str], accepted: Sequence[str]) -> SchemaError:
        names = list(names)
        hints = [
            h
            for n in names
            for h in ([_ALIASES[n]] if _ALIASES.get(n) in accepted else difflib.get_close_matches(n, accepted, n=1))
        ]
        hint = f" (did you mean {', '.join(map(repr, hints))}?)" if len(hints) == len(names) == 1 else ""
        noun = what if len(names) == 1 else what + "s"
        place = f" in {key}" if key else ""
        return SchemaError(
            f"load profile {os.fspath(self.path)!r}: unknown {noun} {', '.join(map(repr, names))}{place}{hint}; "
            f"accepted: {', '.join(accepted)}"
        )


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:  # pragma: no cover - Python 3.10
        import tomli

        return tomli
    except ImportError:  # pragma: no cover - Python 3.10 without tomli
        raise RiskkitError(
            "reading a load profile on Python 3.10 needs the 'tomli' package (pip install tomli); "
            "Python 3.11 and later read TOML without it"
        ) from None


def read_profile(path: str | os.PathLike[str]) -> Profile:
    """Read and check a load profile without reading any data.

    Checks every key, value type and dialect setting, that every riskkit
    field exists and every required one is mapped, and that every file the
    profile names exists. Source columns are checked against the files'
    headers when the data is loaded (:func:`load`).

    Parameters
    ----------
    path : str or path-like
        The profile, a TOML file.

    Returns
    -------
    Profile
        The profile with its paths joined to the profile's folder.

    Raises
    ------
    riskkit.errors.ValidationError
        A missing file, a TOML syntax error (with its line), a value of the
        wrong type or a bad dialect setting, naming the profile and the key.
    riskkit.errors.SchemaError
        An unknown key, table or riskkit field, or a required field not
        mapped, listing the accepted ones.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "KNA1.csv").write_text("KUNNR;NAME1\\n0000100042;Acme GmbH\\n")
    >>> _ = (folder / "profile.toml").write_text('''
    ... currency = "EUR"
    ... [tables.customers]
    ... path = "KNA1.csv"
    ... delimiter = ";"
    ... columns = { id = "KUNNR", name = "NAME1" }
    ... ''')
    >>> profile = read_profile(folder / "profile.toml")
    >>> profile.tables["customers"].columns
    {'id': ('KUNNR',), 'name': ('NAME1',)}
    >>> _ = (folder / "bad.toml").write_text('[tables.customers]\\npath = "KNA1.csv"\\nseparator = ";"\\n')
    >>> read_profile(folder / "bad.toml")
    Traceback (most recent call last):
    ...
    riskkit.errors.SchemaError: load profile '.../bad.toml': unknown key 'separator' in tables.customers (did you mean 'delimiter'?); accepted: path, ...
    >>> import shutil; shutil.rmtree(folder)
    """
    file = Path(path)
    where = _Where(file)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise where.invalid("", f"cannot read the profile: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise where.invalid("", f"is not UTF-8 text (TOML files are UTF-8): {exc}") from None
    toml = _toml()
    try:
        doc = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        raise where.invalid("", f"TOML syntax error: {exc}") from None
    return _check_profile(doc, file, where)


def _check_profile(doc: dict[str, Any], file: Path, where: _Where) -> Profile:
    unknown = [k for k in doc if k not in TOP_KEYS]
    if unknown:
        raise where.unknown("", "key", unknown, TOP_KEYS)
    base = file.parent

    currency = doc.get("currency")
    if currency is not None:
        currency = _currency_code(where, "currency", currency)
    tolerance = doc.get("tolerance", 1.0)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not math.isfinite(tolerance):
        raise where.invalid("tolerance", f"expected a number >= 0 (in document currency), got {tolerance!r}", tolerance)
    if tolerance < 0:
        raise where.invalid("tolerance", f"is negative ({tolerance!r}); expected a number >= 0", tolerance)

    rates: dict[str, float] | None = None
    rates_path: Path | None = None
    if "rates" in doc and "rates_path" in doc:
        raise where.invalid("rates", "give either [rates] or rates_path, not both")
    if "rates" in doc:
        rates = _rates_table(where, doc["rates"])
    if "rates_path" in doc:
        rates_path = _file(where, "rates_path", doc["rates_path"], base)

    tables_doc = doc.get("tables")
    if tables_doc is None:
        raise where.invalid("tables", "the profile reads no table; add [tables.customers] with its path and columns")
    if not isinstance(tables_doc, dict):
        raise where.invalid("tables", f"expected a table of [tables.NAME] sections, got {tables_doc!r}", tables_doc)
    unknown = [k for k in tables_doc if k not in TABLE_NAMES]
    if unknown:
        raise where.unknown("tables", "table", unknown, TABLE_NAMES)
    if "customers" not in tables_doc:
        raise where.invalid("tables", "[tables.customers] is missing; every Portfolio needs its customers")
    database = doc.get("database")
    if database is not None:
        database = _database(where, "database", database, base)
    tables = {
        name: _check_table(where, name, tables_doc[name], base, database)
        for name in TABLE_NAMES
        if name in tables_doc
    }
    _check_joins(where, tables)
    return Profile(
        path=file,
        currency=currency,
        tolerance=float(tolerance),
        rates=rates,
        rates_path=rates_path,
        tables=tables,
    )


def _currency_code(where: _Where, key: str, value: Any) -> str:
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise where.invalid(key, f"expected a three-letter currency code such as 'EUR', got {value!r}", value)
    return value


def _rates_table(where: _Where, value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise where.invalid("rates", f"expected a table of currency = rate, got {value!r}", value)
    out = {}
    for code, rate in value.items():
        _currency_code(where, f"rates.{code}", code)
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not math.isfinite(rate) or rate <= 0:
            raise where.invalid(
                f"rates.{code}", f"expected a positive number (the rate to the reporting currency), got {rate!r}", rate
            )
        out[code] = float(rate)
    return out


def _file(where: _Where, key: str, value: Any, base: Path) -> Path:
    if not isinstance(value, str) or not value:
        raise where.invalid(key, f"expected a file path (text), got {value!r}", value)
    path = base / value
    if not path.is_file():
        raise where.invalid(key, f"file {os.fspath(path)!r} does not exist (paths are relative to the profile's folder)", value)
    return path


def _text(where: _Where, key: str, value: Any, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value):
        raise where.invalid(key, f"expected {'text' if empty else 'non-empty text'}, got {value!r}", value)
    return value


def _values(where: _Where, key: str, value: Any) -> tuple[str, ...]:
    """A list of source values (text or integers), or one of them."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise where.invalid(key, "is an empty list; give the accepted value(s)", value)
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise where.invalid(key, f"expected source values as text (or integers), got {item!r}", item)
    return tuple(str(item).strip() for item in items)


def _database(where: _Where, key: str, value: Any, base: Path) -> str:
    """A database URL, checked without connecting; a relative SQLite path joined to the profile's folder."""
    from riskkit.sql import check_url

    if not isinstance(value, str) or not value:
        raise where.invalid(key, f"expected a SQLAlchemy URL (text) such as 'sqlite:///erp.db', got {value!r}", value)
    try:
        url = check_url(value)
    except ValidationError as exc:
        raise where.invalid(key, str(exc), value) from None
    except RiskkitError as exc:  # SQLAlchemy is not installed
        raise where.invalid(key, str(exc), value) from None
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:" and not database.startswith(
        "file:"
    ) and not os.path.isabs(database):
        url = url.set(database=os.fspath(base / database))
    return str(url.render_as_string(hide_password=False))


def _check_table(where: _Where, name: str, doc: Any, base: Path, database: str | None = None) -> TableProfile:
    key = f"tables.{name}"
    if not isinstance(doc, dict):
        raise where.invalid(key, f"expected a table with path (or sql) and columns, got {doc!r}", doc)
    unknown = [k for k in doc if k not in TABLE_KEYS]
    if unknown:
        raise where.unknown(key, "key", unknown, TABLE_KEYS)
    if "path" in doc and "sql" in doc:
        raise where.invalid(
            key, f"table {name!r} gives both path and sql; read it from a file (path) or from a database "
            "(sql with database), not both",
        )
    if "path" not in doc and "sql" not in doc:
        raise where.invalid(
            key, f"table {name!r} gives neither path nor sql; give the export file (path, relative to the "
            "profile's folder) or a query (sql, with database)",
        )
    if "sql" in doc:
        return _check_sql_table(where, name, doc, base, database)
    if "database" in doc:
        raise where.invalid(f"{key}.database", f"table {name!r} is read from a file (path); database goes with sql")
    path = _file(where, f"{key}.path", doc["path"], base)

    delimiter = _text(where, f"{key}.delimiter", doc.get("delimiter", ","))
    decimal = _text(where, f"{key}.decimal", doc.get("decimal", "."))
    thousands = _text(where, f"{key}.thousands", doc.get("thousands", ""), empty=True)
    date_format = doc.get("date_format")
    if date_format is not None:
        date_format = _text(where, f"{key}.date_format", date_format)
        _check_date_format(where, f"{key}.date_format", date_format)
    encoding = _text(where, f"{key}.encoding", doc.get("encoding", "utf-8"))
    from riskkit._csvfile import Dialect

    try:
        Dialect(delimiter=delimiter, decimal=decimal, thousands=thousands, date_format=date_format, encoding=encoding)
    except ValidationError as exc:
        raise where.invalid(f"{key}.{exc.field}", str(exc), exc.value) from None

    return _check_mapping(where, name, doc, TableProfile(
        name=name,
        path=path,
        delimiter=delimiter,
        decimal=decimal,
        thousands=thousands,
        date_format=date_format,
        encoding=encoding,
    ))


def _check_sql_table(where: _Where, name: str, doc: dict[str, Any], base: Path, database: str | None) -> TableProfile:
    key = f"tables.{name}"
    dialect = [k for k in _FILE_KEYS if k in doc]
    if dialect:
        raise where.invalid(
            f"{key}.{dialect[0]}",
            f"table {name!r} is read from a database (sql): {', '.join(dialect)} describe(s) a CSV file; the "
            "database's values are typed, so remove it",
        )
    query = _text(where, f"{key}.sql", doc["sql"])
    if "database" in doc:
        database = _database(where, f"{key}.database", doc["database"], base)
    if database is None:
        raise where.invalid(
            f"{key}.database", f"is missing; table {name!r} reads sql from a database: give its SQLAlchemy URL "
            "(database = \"postgresql+psycopg2://user@host/erp\"), here or at the top of the profile",
        )
    return _check_mapping(where, name, doc, TableProfile(name=name, path=None, sql=query, database=database))


def _check_mapping(where: _Where, name: str, doc: dict[str, Any], spec: TableProfile) -> TableProfile:
    """``spec`` with the columns, kinds, sign and where of ``doc``, checked."""
    key = f"tables.{name}"
    table = _schema.TABLES[name]
    columns = _check_columns(where, key, table, doc.get("columns"))

    kinds: dict[str, str] = {}
    if "kinds" in doc:
        if name not in _KIND_TABLES:
            raise where.invalid(f"{key}.kinds", f"is only read for {' and '.join(_KIND_TABLES)} (their kind column)")
        if "kind" not in columns:
            raise where.invalid(f"{key}.kinds", "needs the kind column: map it in columns, e.g. kind = \"BLART\"")
        raw = doc["kinds"]
        if not isinstance(raw, dict):
            raise where.invalid(f"{key}.kinds", f"expected a table of source value = riskkit kind, got {raw!r}", raw)
        for source, kind in raw.items():
            kinds[source.strip()] = _text(where, f"{key}.kinds.{source}", kind)

    sign = None
    if "sign" in doc:
        if name not in _SIGN_TABLES:
            raise where.invalid(f"{key}.sign", "is only read for invoices (their debit/credit indicator)")
        if "credit" in columns:
            raise where.invalid(f"{key}.sign", "sets the credit field; do not also map credit in columns")
        raw = doc["sign"]
        if not isinstance(raw, dict):
            raise where.invalid(f"{key}.sign", f'expected {{ column = "SHKZG", credit = ["H"] }}, got {raw!r}', raw)
        unknown = [k for k in raw if k not in SIGN_KEYS]
        if unknown:
            raise where.unknown(f"{key}.sign", "key", unknown, SIGN_KEYS)
        for needed in SIGN_KEYS:
            if needed not in raw:
                raise where.invalid(f"{key}.sign.{needed}", 'is missing; e.g. sign = { column = "SHKZG", credit = ["H"] }')
        sign = Sign(_text(where, f"{key}.sign.column", raw["column"]), _values(where, f"{key}.sign.credit", raw["credit"]))

    where_: dict[str, tuple[str, ...]] = {}
    if "where" in doc:
        raw = doc["where"]
        if not isinstance(raw, dict):
            raise where.invalid(f"{key}.where", f"expected a table of source column = [accepted values], got {raw!r}", raw)
        for column, values in raw.items():
            where_[column] = _values(where, f"{key}.where.{column}", values)

    return attrs.evolve(spec, columns=columns, kinds=kinds, sign=sign, where=where_)


def _check_date_format(where: _Where, key: str, fmt: str) -> None:
    sample = _dt.date(2031, 12, 24)
    try:
        ok = _dt.datetime.strptime(sample.strftime(fmt), fmt).date() == sample
    except ValueError:
        ok = False
    if not ok:
        raise where.invalid(
            key, f"{fmt!r} is not a strptime date format with day, month and year, e.g. '%d.%m.%Y'", fmt
        )


def _check_columns(
    where: _Where, key: str, table: _schema.Table, raw: Any
) -> dict[str, tuple[str, ...]]:
    if raw is None:
        raise where.invalid(f"{key}.columns", 'is missing; map riskkit fields to source columns, e.g. id = "KUNNR"')
    if not isinstance(raw, dict):
        raise where.invalid(f"{key}.columns", f"expected a table of riskkit field = source column, got {raw!r}", raw)
    unknown = [k for k in raw if k not in table.names]
    if unknown:
        raise where.unknown(f"{key}.columns", f"{table.name} field", unknown, table.names)
    columns: dict[str, tuple[str, ...]] = {}
    for field, source in raw.items():
        fkey = f"{key}.columns.{field}"
        if isinstance(source, list):
            if not source:
                raise where.invalid(fkey, "is an empty list; give the source column(s)", source)
            parts = tuple(_text(where, fkey, s) for s in source)
            kind = table.column(field).kind
            if len(parts) > 1 and kind not in _JOINABLE_KINDS:
                raise where.invalid(
                    fkey, f"joins several columns, but {field!r} is a {kind} field; only ids and text are joined", source
                )
        else:
            parts = (_text(where, fkey, source),)
        columns[field] = parts
    missing = [c for c in table.required if c not in columns]
    if missing:
        raise SchemaError(
            f"load profile {os.fspath(where.path)!r}: {key}.columns: required {table.name} field(s) "
            f"{', '.join(map(repr, missing))} not mapped; required: {', '.join(table.required)}"
        )
    return columns


def _check_joins(where: _Where, tables: Mapping[str, TableProfile]) -> None:
    """A key referring to an invoice joins as many columns as the invoice id."""
    invoices = tables.get("invoices")
    if invoices is None:
        return
    parts = invoices.columns["id"]
    for name, field in _INVOICE_KEYS:
        table = tables.get(name)
        if table is None or field not in table.columns:
            continue
        got = table.columns[field]
        if len(got) != len(parts):
            raise where.invalid(
                f"tables.{name}.columns.{field}",
                f"joins {len(got)} column(s) {list(got)} but tables.invoices.columns.id joins {len(parts)} "
                f"{list(parts)}; join the same parts in the same order (e.g. the referenced fiscal year and "
                "document number), so the keys match",
                list(got),
            )


# --- loading the data -------------------------------------------------------------------


def load(
    source: str | os.PathLike[str] | Profile,
    *,
    errors: str = "raise",
    as_of: Any = None,
    statistical: Iterable[str] = (),
) -> Portfolio:
    """Read the exports a load profile describes and build the Portfolio.

    The public entry is :meth:`riskkit.Portfolio.from_profile`; see it for
    the parameters. ``source`` may also be a :class:`Profile` from
    :func:`read_profile`. Each file is read once, however many tables read it.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "partners.csv").write_text("ref,name,credit_limit\\n00815,Brandt GmbH,25000\\n")
    >>> _ = (folder / "profile.toml").write_text('''
    ... [tables.customers]
    ... path = "partners.csv"
    ... columns = { id = "ref", name = "name" }
    ... [tables.exposures]
    ... path = "partners.csv"
    ... columns = { customer_id = "ref", credit_limit = "credit_limit" }
    ... ''')
    >>> profile = read_profile(folder / "profile.toml")
    >>> p = load(profile, as_of="2025-06-30")
    >>> p.customer_ids.tolist(), p.exposures["credit_limit"].tolist()
    (['00815'], [25000.0])
    >>> import shutil; shutil.rmtree(folder)
    """
    from riskkit.portfolio import Portfolio, _Options

    profile = source if isinstance(source, Profile) else read_profile(source)
    where = _Where(profile.path)
    files: dict[tuple[str, Any], RawTable | _SqlResult] = {}
    inputs: dict[str, dict[str, np.ndarray]] = {}
    problems: dict[str, list[tuple[int, str]]] = {}
    skipped: dict[str, int] = {}
    for name, spec in profile.tables.items():
        try:
            raw = _read(files, spec)
        except ValidationError as exc:  # unreadable, undecodable, empty, a query refused: name the key too
            if spec.sql is not None:
                raise where.invalid(f"tables.{name}.sql", str(exc), spec.sql) from None
            raise where.invalid(f"tables.{name}.path", str(exc), os.fspath(spec.path or "")) from None
        _check_header(where, spec, raw)
        inputs[name], n_skipped = _table_columns(spec, raw)
        if raw.problems:
            problems[name] = [(int(r), str(reason)) for r, reason in raw.problems]
        if spec.where:
            skipped[name] = n_skipped
    rates: Any = profile.rates
    if profile.rates_path is not None:
        rates = _read_rates(where, profile.rates_path)
    options = _Options(as_of=as_of, statistical=statistical, errors=errors, currency=profile.currency, rates=rates,
                       tolerance=profile.tolerance)
    return Portfolio._build(inputs, options, problems=problems, skipped=skipped)


@attrs.frozen
class _SqlResult:
    """A query's result, read as a file is (:class:`riskkit._csvfile.RawTable`): typed values, no problems."""

    header: tuple[str, ...]
    columns: dict[str, np.ndarray]
    rows: np.ndarray
    problems: tuple[tuple[int, str], ...] = ()
    delimiter: str | None = None


def _read(files: dict[tuple[str, Any], RawTable | _SqlResult], spec: TableProfile) -> RawTable | _SqlResult:
    if spec.sql is not None:
        from riskkit.sql import read_columns

        query: tuple[str, Any] = (spec.database or "", spec.sql)
        result = files.get(query)
        if result is None:
            columns = read_columns(spec.database, spec.sql)
            n = len(next(iter(columns.values()))) if columns else 0
            result = files[query] = _SqlResult(tuple(columns), columns, np.arange(n, dtype=np.int64))
        return result
    from riskkit._csvfile import read_csv

    assert spec.path is not None
    dialect = spec.dialect
    key = (os.path.realpath(spec.path), dialect)
    raw = files.get(key)
    if raw is None:
        raw = files[key] = read_csv(spec.path, dialect, table=spec.name)
    return raw


def _check_header(where: _Where, spec: TableProfile, raw: RawTable | _SqlResult) -> None:
    header = list(raw.header)
    for key, column in spec.uses():
        if column not in header:
            close = difflib.get_close_matches(column, header, n=1) or [
                h for h in header if h.casefold() == column.casefold()
            ]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            shown = ", ".join(header[:40]) + (", ..." if len(header) > 40 else "")
            how = "" if raw.delimiter is None else f" (read with delimiter {raw.delimiter!r})"
            raise where.invalid(key, f"column {column!r} is not in {spec.source}{hint}; its columns: {shown}{how}",
                                column)


def _cells(raw: RawTable | _SqlResult, column: str) -> np.ndarray:
    return np.asarray(raw.columns[column], dtype=object)


def _stripped(cells: np.ndarray) -> np.ndarray:
    out = np.empty(cells.size, dtype=object)
    out[:] = ["" if c is None else str(c).strip() for c in cells.tolist()]
    return out


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    """Join the parts of a key with :data:`JOIN`; a row whose parts are all empty has no key."""
    texts = [_stripped(p).tolist() for p in parts]
    out = np.empty(parts[0].size, dtype=object)
    out[:] = [JOIN.join(row) if any(row) else None for row in zip(*texts, strict=True)]
    return out


def _table_columns(spec: TableProfile, raw: RawTable | _SqlResult) -> tuple[dict[str, np.ndarray], int]:
    """The riskkit columns of one table, and the number of rows its ``where`` skipped."""
    from riskkit._csvfile import parse_column

    table = _schema.TABLES[spec.name]
    dialect = spec.dialect
    records = np.asarray(raw.rows, dtype=np.int64)
    keep = np.ones(records.size, dtype=bool)
    for column, accepted in spec.where.items():
        allowed = set(accepted)
        text = _stripped(_cells(raw, column))
        keep &= np.fromiter((t in allowed for t in text.tolist()), dtype=bool, count=text.size)
    out: dict[str, np.ndarray] = {}
    for field, parts in spec.columns.items():
        if len(parts) == 1:
            cells = _cells(raw, parts[0])[keep]
        else:
            cells = _joined([_cells(raw, p)[keep] for p in parts])
        kind = table.column(field).kind
        values = parse_column(kind, cells, dialect) if spec.sql is None else _typed(kind, cells)
        if field == "kind" and spec.kinds:
            mapped = np.empty(values.size, dtype=object)
            mapped[:] = [spec.kinds.get(v, v) if isinstance(v, str) else v for v in values.tolist()]
            values = mapped
        out[field] = values
    if spec.sign is not None:
        credit = set(spec.sign.credit)
        text = _stripped(_cells(raw, spec.sign.column)[keep])
        out["credit"] = np.fromiter((t in credit for t in text.tolist()), dtype=bool, count=text.size)
    if spec.sql is not None:
        from riskkit.sql import _booleans

        out = _booleans(spec.name, out)
    out["__row__"] = records[keep]
    return out, int(records.size - keep.sum())


def _typed(kind: str, cells: np.ndarray) -> np.ndarray:
    """A database column's values for a field: text stripped (empty = missing) as in a file, others as typed."""
    if kind not in _TEXT_KINDS:
        return cells
    out = cells.copy()
    is_text = np.fromiter((isinstance(v, str) for v in cells.tolist()), dtype=bool, count=cells.size)
    out[is_text] = [t.strip() or None for t in cells[is_text].tolist()]
    return out


def _read_rates(where: _Where, path: Path) -> dict[str, np.ndarray]:
    """The dated rates of ``rates_path`` as columns date, currency, rate; any bad record is an error."""
    from riskkit._csvfile import Dialect, parse_column, read_csv

    dialect = Dialect(delimiter="auto")
    shown = os.fspath(path)
    raw = read_csv(path, dialect, table="rates")
    missing = [c for c in _RATES_COLUMNS if c not in raw.header]
    if missing:
        raise where.invalid(
            "rates_path",
            f"{shown!r} lacks column(s) {', '.join(map(repr, missing))}; expected the header "
            "date,currency,rate (ISO dates, '.' decimals)",
        )
    if raw.problems:
        raise where.invalid("rates_path", f"{shown!r}: {raw.problems[0][1]}")
    out: dict[str, np.ndarray] = {}
    for column, kind, expected, accepted in (
        ("date", "date", "M", "an ISO date (YYYY-MM-DD)"),
        ("currency", "text", "O", "a currency code"),
        ("rate", "ratio", "f", "a number with '.' decimals"),
    ):
        cells = _cells(raw, column)
        values = parse_column(kind, cells, dialect)
        bad = np.zeros(values.size, dtype=bool)
        if values.dtype.kind != expected:
            bad = np.array([not isinstance(v, _dt.date | float) for v in values.tolist()], dtype=bool)
        bad |= (
            np.isnat(values)
            if values.dtype.kind == "M"
            else np.isnan(values)
            if values.dtype.kind == "f"
            else np.array([v is None for v in values.tolist()], dtype=bool)
        )
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            value = cells[i]
            raise where.invalid(
                "rates_path",
                f"{shown!r} record {int(raw.rows[i])}: {column} "
                + ("is empty" if value is None else f"{value!r} is not {accepted}"),
                value,
            )
        out[column] = values
    return out
