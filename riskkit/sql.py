"""SQL in and out: read a portfolio's tables from a database, write results to a table.

An ERP job reads from the ERP's database and writes back into it. This module
reads the result of a query into columns (:func:`read_columns`), builds a
:class:`~riskkit.Portfolio` from one query per table (:func:`read_portfolio`,
public as :meth:`riskkit.Portfolio.from_sql`) and replaces a table with
columns atomically (:func:`write_table`; the command line's ``--out-table``).
Load profiles read a table with ``sql = "SELECT ..."`` and ``database = URL``
through the same reader (:mod:`riskkit._profile`).

A database is named by a SQLAlchemy URL (``postgresql+psycopg2://user@host/db``,
``sqlite:///riskkit.db``), an ``Engine`` or a ``Connection``. SQLAlchemy 2.0
is an optional dependency (``pip install 'riskkit[sql]'``, plus the database's
driver) imported only when a function here runs.

Values
------
Reading keeps what the database holds, without guessing: text stays text,
integers stay integers (an integer id stays an id), ``NUMERIC``/``DECIMAL``
values become float64 (each the float nearest to the decimal, exactly as the
same text read from a CSV file) or integers when every value is whole, ``DATE``
values become ``datetime64[D]``, ``NULL`` is missing. A timestamp with a time
of day is not a date: the Portfolio rejects its rows, naming them. SQLite has
no boolean type: a portfolio's boolean field (``blocked``, ``credit``) read
as integers 0 and 1 is read as booleans; any other integer is rejected.

Writing maps float64 columns to ``DOUBLE PRECISION`` (money included: a float
written and read back is the same float, bit for bit, on SQLite and
PostgreSQL, except that SQLite stores ``-0.0`` as ``0.0``; ``NUMERIC`` would round to a fixed scale or carry long binary
fractions), integers to ``BIGINT``, booleans to ``BOOLEAN``, dates to ``DATE``
and text to ``TEXT``; NaN and ``None`` are ``NULL``.

Atomic replace
--------------
:func:`write_table` replaces a table in one transaction: when the table exists
with the same columns (names, order and kinds) it runs ``DELETE`` then
``INSERT``, which keeps what a database administrator set on the table
(grants, indexes, views reading it); otherwise it drops the old table (if
any) and creates the new one, in the same transaction. Either way readers see
the old rows until the commit and the new ones after it, never a half-written
table, and a failure (an error, Ctrl-C) rolls back to the old table.
PostgreSQL and SQLite both roll back DDL (``CREATE``/``DROP TABLE``) with the
rest of a transaction; Python's ``sqlite3`` does not open a transaction
before DDL by itself, so ``BEGIN`` is issued explicitly there. Databases
whose DDL commits implicitly (MySQL, Oracle) are atomic only when the
columns are unchanged (the ``DELETE``/``INSERT`` path).

Examples
--------
>>> import datetime, os, tempfile
>>> import numpy as np
>>> folder = tempfile.TemporaryDirectory()
>>> url = "sqlite:///" + os.path.join(folder.name, "erp.db")
>>> write_table(url, "scores", {
...     "customer_id": np.array(["C1", "C2"], dtype=object),
...     "pd": np.array([0.0123, 0.2]),
...     "as_of": np.array(["2025-06-30", "2025-06-30"], dtype="datetime64[D]"),
... })
2
>>> columns = read_columns(url, "SELECT customer_id, pd FROM scores ORDER BY customer_id")
>>> columns["customer_id"].tolist(), columns["pd"].tolist()
(['C1', 'C2'], [0.0123, 0.2])
>>> read_columns(url, "score")
Traceback (most recent call last):
...
riskkit.errors.ValidationError: table 'score' does not exist in sqlite:///...erp.db (did you mean 'scores'?); its tables: scores
>>> folder.cleanup()
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import decimal
import difflib
import inspect
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit import _schema
from riskkit.errors import DataTypeError, RiskkitError, SchemaError, ValidationError

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio

__all__ = ["check_table_name", "check_url", "connect", "describe", "read_columns", "read_portfolio", "write_table"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME_FORMS = "a table name of letters, digits and _ (not starting with a digit), optionally schema.table"
#: Rows inserted per statement batch.
_BATCH = 10_000
_NONE: Any = None  # np.equal(col, _NONE): where an object column holds None, typed for mypy
_TABLE_ORDER = (
    "customers", "exposures", "invoices", "payments", "orders", "statements", "events", "insurance", "promises",
    "disputes",
)


def _sqlalchemy() -> Any:
    """The sqlalchemy module, or an error saying how to install it."""
    try:
        import sqlalchemy
    except ImportError:
        raise RiskkitError(
            "reading or writing a database needs SQLAlchemy 2.0 or later: pip install 'riskkit[sql]' "
            "(and the database's driver, e.g. psycopg2-binary for PostgreSQL)"
        ) from None
    if int(sqlalchemy.__version__.split(".")[0]) < 2:
        raise RiskkitError(
            f"reading or writing a database needs SQLAlchemy 2.0 or later; found {sqlalchemy.__version__}: "
            "pip install --upgrade 'riskkit[sql]'"
        )
    return sqlalchemy


# --- naming databases and tables ---------------------------------------------------------


def check_url(url: Any) -> Any:
    """The parsed SQLAlchemy URL of ``url`` (text or ``sqlalchemy.engine.URL``), without connecting.

    Raises
    ------
    riskkit.errors.ValidationError
        ``url`` is not a SQLAlchemy URL, naming what is accepted.

    Examples
    --------
    >>> check_url("postgresql+psycopg2://scott:tiger@db.example/erp").render_as_string()
    'postgresql+psycopg2://scott:***@db.example/erp'
    >>> check_url("erp.db")
    Traceback (most recent call last):
    ...
    riskkit.errors.ValidationError: 'erp.db' is not a database URL; expected a SQLAlchemy URL such as ...
    """
    sa = _sqlalchemy()
    if isinstance(url, sa.engine.URL):
        return url
    if not isinstance(url, str):
        raise DataTypeError(f"a database URL must be text, got {type(url).__name__}")
    try:
        return sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        raise ValidationError(
            f"{url!r} is not a database URL; expected a SQLAlchemy URL such as "
            "'postgresql+psycopg2://user@host:5432/erp' or 'sqlite:///path/to/erp.db'",
            value=url,
        ) from None


def describe(source: Any) -> str:
    """A database as shown in messages: its URL with the password hidden.

    >>> describe("postgresql://scott:tiger@db.example/erp")
    'postgresql://scott:***@db.example/erp'
    """
    sa = _sqlalchemy()
    if isinstance(source, sa.engine.Connection | sa.engine.Engine):
        source = source.engine.url
    try:
        return str(check_url(source).render_as_string(hide_password=True))
    except (ValidationError, DataTypeError):
        return repr(source)


def check_table_name(name: Any) -> tuple[str | None, str]:
    """``(schema, table)`` of a table name ``"table"`` or ``"schema.table"``.

    Names are identifiers (letters, digits, ``_``), so a name never needs
    quoting rules of one database; its case is kept (PostgreSQL folds an
    unquoted name in a query to lower case: prefer lower-case names).

    Raises
    ------
    riskkit.errors.ValidationError
        Anything but such a name, naming what is accepted.

    Examples
    --------
    >>> check_table_name("risk.scores"), check_table_name("scores")
    (('risk', 'scores'), (None, 'scores'))
    >>> check_table_name("scores; DROP TABLE x")
    Traceback (most recent call last):
    ...
    riskkit.errors.ValidationError: table name 'scores; DROP TABLE x' is not a name riskkit writes; expected a table name of ...
    """
    if not isinstance(name, str):
        raise ValidationError(f"a table name must be text, got {type(name).__name__}", value=name)
    parts = name.split(".")
    if len(parts) > 2 or not all(_IDENTIFIER.fullmatch(p) for p in parts):
        raise ValidationError(f"table name {name!r} is not a name riskkit writes; expected {_NAME_FORMS}", value=name)
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


@contextlib.contextmanager
def connect(source: Any) -> Iterator[Any]:
    """A ``sqlalchemy.engine.Connection`` to ``source``: a URL, an ``Engine`` or a ``Connection``.

    A URL gets its own engine, disposed of at the end; an ``Engine`` lends a
    connection, closed at the end; a ``Connection`` is used as it is (not
    closed, its transaction left to the caller).

    Raises
    ------
    riskkit.errors.ValidationError
        A bad URL, an unknown database kind, a missing driver, or a database
        that cannot be reached, naming the URL (password hidden).
    riskkit.errors.DataTypeError
        ``source`` is none of these.
    """
    sa = _sqlalchemy()
    if isinstance(source, sa.engine.Connection):
        yield source
        return
    owned = None
    if isinstance(source, sa.engine.Engine):
        engine = source
    elif isinstance(source, str | sa.engine.URL):
        url = check_url(source)
        try:
            engine = owned = sa.create_engine(url)
        except (sa.exc.NoSuchModuleError, sa.exc.ArgumentError) as exc:
            raise ValidationError(
                f"cannot use database {describe(url)}: {_first_line(exc)}; expected a SQLAlchemy URL whose "
                "dialect is installed, e.g. postgresql+psycopg2://... or sqlite:///...",
                value=describe(url),
            ) from None
        except ImportError as exc:
            raise ValidationError(
                f"cannot use database {describe(url)}: its driver is not installed ({exc}); e.g. "
                "pip install psycopg2-binary for PostgreSQL",
                value=describe(url),
            ) from None
    else:
        raise DataTypeError(
            f"a database must be a SQLAlchemy URL (text), Engine or Connection, got {type(source).__name__}"
        )
    try:
        try:
            conn = engine.connect()
        except sa.exc.DBAPIError as exc:
            raise ValidationError(
                f"cannot connect to database {describe(engine)}: {_first_line(exc.orig)}", value=describe(engine)
            ) from None
        with conn:
            yield conn
    finally:
        if owned is not None:
            owned.dispose()


def _first_line(exc: BaseException | None) -> str:
    text = str(exc).strip() if exc is not None else ""
    return text.splitlines()[0] if text else type(exc).__name__


# --- reading --------------------------------------------------------------------------


def read_columns(source: Any, query: Any, *, params: Mapping[str, Any] | None = None) -> dict[str, np.ndarray]:
    """The result of a query as columns: ``{column name: numpy array}`` in the result's order.

    Parameters
    ----------
    source : str, sqlalchemy URL, Engine or Connection
        The database (see :func:`connect`).
    query : str or sqlalchemy selectable
        A ``SELECT`` statement (text, with ``:name`` parameters), a table
        name (``"invoices"`` or ``"schema.invoices"``: every column of it),
        or a SQLAlchemy ``select()``.
    params : mapping, optional
        Values of the query's ``:name`` parameters.

    Returns
    -------
    dict of str to numpy.ndarray
        One array per result column, typed as described in the module
        docstring (text and mixed values as object arrays, ``None`` missing).

    Raises
    ------
    riskkit.errors.ValidationError
        The table does not exist (listing the tables there are), the
        database refuses the query (with its message), or the result has two
        columns of one name.

    Examples
    --------
    >>> import sqlalchemy as sa
    >>> engine = sa.create_engine("sqlite://")
    >>> with engine.begin() as conn:
    ...     _ = conn.exec_driver_sql("CREATE TABLE kna1 (kunnr TEXT, limit_eur NUMERIC, since DATE)")
    ...     _ = conn.exec_driver_sql("INSERT INTO kna1 VALUES ('0042', 25000.5, '2019-04-01')")
    >>> read_columns(engine, "SELECT kunnr AS id, limit_eur FROM kna1 WHERE kunnr = :k", params={"k": "0042"})
    {'id': array(['0042'], dtype=object), 'limit_eur': array([25000.5])}
    """
    sa = _sqlalchemy()
    with connect(source) as conn:
        statement, what = _statement(sa, conn, query)
        try:
            result = conn.execute(statement, dict(params or {}))
            names = [str(k) for k in result.keys()]  # noqa: SIM118 - a Result, not a dict
            rows = result.fetchall()
        except sa.exc.DBAPIError as exc:
            if conn.in_transaction() and not conn.in_nested_transaction():
                conn.rollback()  # PostgreSQL refuses every later statement of a failed transaction
            raise ValidationError(
                f"the database {describe(conn)} refused {what}: {_first_line(exc.orig)}", value=_short(query)
            ) from None
        except sa.exc.StatementError as exc:  # a missing parameter value, a value the driver cannot send
            raise ValidationError(f"cannot run {what} on {describe(conn)}: {_first_line(exc.orig)}") from None
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValidationError(
            f"{what} returns the column name(s) {', '.join(map(repr, dupes))} more than once; give each column "
            "its own name (SELECT a.id AS id, b.id AS other_id ...)",
        )
    values = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return {name: _read_column(col) for name, col in zip(names, values, strict=True)}


def _short(query: Any) -> str:
    text = " ".join(str(query).split())
    return text if len(text) <= 200 else text[:197] + "..."


def _statement(sa: Any, conn: Any, query: Any) -> tuple[Any, str]:
    """The statement to run for ``query`` and how messages name it."""
    if isinstance(query, sa.sql.expression.Executable):
        return query, f"the query {_short(query)!r}"
    if not isinstance(query, str) or not query.strip():
        raise ValidationError(
            f"a query must be a SELECT statement (text), a table name or a SQLAlchemy select(); got {query!r}",
            value=query,
        )
    text = query.strip()
    parts = text.split(".")
    if len(parts) <= 2 and all(_IDENTIFIER.fullmatch(p) for p in parts):
        schema, name = check_table_name(text)
        inspector = sa.inspect(conn)
        if not inspector.has_table(name, schema=schema):
            tables = sorted(inspector.get_table_names(schema=schema))
            close = difflib.get_close_matches(name, tables, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            shown = ", ".join(tables[:40]) + (", ..." if len(tables) > 40 else "") if tables else "none"
            raise ValidationError(
                f"table {text!r} does not exist in {describe(conn)}{hint}; its tables: {shown}", value=text
            )
        quote = conn.dialect.identifier_preparer.quote
        target = ".".join(quote(p) for p in parts)
        return sa.text(f"SELECT * FROM {target}"), f"table {text!r}"
    return sa.text(text), f"the query {_short(text)!r}"


def _read_column(values: tuple[Any, ...]) -> np.ndarray:
    """One result column as an array: typed where the database's type says what it is (module docstring)."""
    arr = _object_array(values)
    kinds = set(map(type, values)) - {type(None)}
    missing = len(kinds) < len(set(map(type, values)))
    if not kinds or kinds <= {str}:
        return arr
    if kinds <= {bool}:
        return arr if missing else arr.astype(bool)
    if kinds <= {int}:
        if missing:
            return arr
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:
            return arr
    if kinds <= {int, float, decimal.Decimal}:
        present = ~np.equal(arr, _NONE) if missing else np.ones(arr.size, dtype=bool)
        decimals = [v for v in values if isinstance(v, decimal.Decimal)]
        if float not in kinds and all(v.is_finite() and v == v.to_integral_value() for v in decimals):
            out = arr.copy()  # every NUMERIC value whole: integers (an id, or whole amounts), exactly
            out[present] = [int(v) for v in arr[present].tolist()]
            return out
        floats = np.full(arr.size, np.nan)
        floats[present] = arr[present].astype(np.float64)
        return floats
    if kinds <= {_dt.date}:
        return arr.astype("datetime64[D]")
    return arr  # timestamps, mixed or other values: the Portfolio names what it refuses


def _object_array(values: Any) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    try:
        out[:] = values
    except ValueError:  # sequences as values (array columns): one cell each
        for i, v in enumerate(values):
            out[i] = v
    return out


def _booleans(table: str, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A portfolio table's boolean fields given as integers 0 and 1 (SQLite) as booleans; others as they are."""
    spec = _schema.TABLES[table]
    for name, col in columns.items():
        if name not in spec.names or spec.column(name).kind != "bool":
            continue
        if col.dtype.kind in "iu" and np.isin(col, (0, 1)).all():
            columns[name] = col.astype(bool)
        elif col.dtype == object:
            kinds = set(map(type, col.tolist())) - {type(None)}
            if kinds <= {int, bool} and int in kinds and all(v in (0, 1) for v in col.tolist() if v is not None):
                out = col.copy()
                present = ~np.equal(col, _NONE)
                out[present] = col[present].astype(bool)
                columns[name] = out
    return columns


def read_portfolio(source: Any, queries: Mapping[str, Any], **options: Any) -> Portfolio:
    """Build a Portfolio from one query per table; public as :meth:`riskkit.Portfolio.from_sql`.

    Parameters
    ----------
    source : str, sqlalchemy URL, Engine or Connection
        The database (see :func:`connect`).
    queries : mapping of str to query
        Table name (``customers``, ``exposures``, ``invoices``, ``payments``,
        ``orders``, ``statements``, ``events``; ``customers`` required) to a
        ``SELECT`` whose column names are the record field names (rename
        with ``AS``), a database table name, or a SQLAlchemy ``select()``
        (see :func:`read_columns`).
    **options
        The load options of :meth:`riskkit.Portfolio.from_arrays`:
        ``as_of``, ``statistical``, ``errors``, ``unknown_columns``,
        ``currency``, ``rates``, ``tolerance``, ``export_date``.

    Returns
    -------
    Portfolio
        The same Portfolio as :meth:`~riskkit.Portfolio.from_frames` or
        :meth:`~riskkit.Portfolio.from_csv` give for the same rows; row
        numbers in rejections count each query's result rows from 0. On
        PostgreSQL, given a URL or an Engine, every query reads one snapshot
        (``REPEATABLE READ``), so the tables agree with each other.

    Raises
    ------
    riskkit.errors.SchemaError
        An unknown table or option, or no customers query, listing the
        accepted ones; a required column missing from a result.
    riskkit.errors.ValidationError
        A query the database refuses, a missing table, a bad row with
        ``errors="raise"``, naming the table.
    """
    from riskkit.portfolio import Portfolio

    if not isinstance(queries, Mapping):
        raise ValidationError(
            "Portfolio.from_sql: queries must be a mapping of table name to query, e.g. "
            f"{{'customers': 'SELECT kunnr AS id, name1 AS name FROM kna1'}}; got {type(queries).__name__}"
        )
    unknown = [str(name) for name in queries if name not in _TABLE_ORDER]
    if unknown:
        hints = [difflib.get_close_matches(name, _TABLE_ORDER, n=1) for name in unknown]
        named = ", ".join(f"{n!r} (did you mean {h[0]!r}?)" if h else repr(n) for n, h in zip(unknown, hints, strict=True))
        raise SchemaError(f"Portfolio.from_sql: unknown table(s) {named} in queries; accepted: {', '.join(_TABLE_ORDER)}")
    if "customers" not in queries:
        raise SchemaError(
            "Portfolio.from_sql: queries needs 'customers' (one row per customer); the other tables "
            f"({', '.join(_TABLE_ORDER[1:])}) are optional"
        )
    accepted = [
        p.name for p in inspect.signature(Portfolio.from_arrays).parameters.values()
        if p.kind is p.KEYWORD_ONLY and p.name not in _TABLE_ORDER
    ]
    bad = sorted(str(k) for k in options if k not in accepted)
    if bad:
        hints = [difflib.get_close_matches(k, accepted, n=1) for k in bad]
        named = ", ".join(f"{n!r} (did you mean {h[0]!r}?)" if h else repr(n) for n, h in zip(bad, hints, strict=True))
        raise SchemaError(
            f"Portfolio.from_sql: unknown keyword argument(s) {named}; accepted: connection_or_url, queries, "
            f"{', '.join(accepted)}"
        )
    with connect(source) as conn:
        if conn is not source and conn.dialect.name == "postgresql" and not conn.in_transaction():
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        tables: dict[str, Any] = {}
        for name in _TABLE_ORDER:
            if name in queries:
                try:
                    columns = read_columns(conn, queries[name])
                except ValidationError as exc:
                    raise ValidationError(f"{name}: {exc}", table=name, value=exc.value) from None
                tables[name] = _booleans(name, columns)
        if conn is not source and conn.in_transaction():
            conn.rollback()  # only read: end the snapshot
    return Portfolio.from_arrays(**tables, **options)


# --- writing --------------------------------------------------------------------------


def _column_kind(name: str, values: Any) -> tuple[str, list[Any]]:
    """A column's SQL kind and its values as Python objects (NaN and NaT as None)."""
    arr = values if isinstance(values, np.ndarray) else _object_array(list(values))
    if arr.ndim != 1:
        raise ValidationError(f"column {name!r} must be one-dimensional, got shape {arr.shape}", field=name)
    kind = arr.dtype.kind
    if kind == "f":
        out = arr.astype(np.float64).astype(object)
        out[np.isnan(arr)] = None
        return "float", out.tolist()
    if kind in "iu":
        if kind == "u" and arr.size and int(arr.max()) > np.iinfo(np.int64).max:
            raise ValidationError(f"column {name!r} holds integers beyond BIGINT (2**63 - 1)", field=name)
        return "integer", arr.tolist()
    if kind == "b":
        return "bool", arr.tolist()
    if kind == "M":
        unit = np.datetime_data(arr.dtype)[0]
        days = arr.astype("datetime64[D]")
        if unit in ("Y", "M", "W", "D") or bool(((days == arr) | np.isnat(arr)).all()):
            out = days.astype(object)
            out[np.isnat(days)] = None
            return "date", out.tolist()
        out = arr.astype("datetime64[us]").astype(object)
        out[np.isnat(arr)] = None
        return "datetime", out.tolist()
    if kind in "US":
        return "text", arr.astype(str).tolist()
    if kind != "O":
        raise ValidationError(f"column {name!r} has dtype {arr.dtype}, which riskkit does not write", field=name)
    cells = [
        None if v is None or (isinstance(v, float) and v != v) else v
        for v in (x.item() if isinstance(x, np.generic) else x for x in arr.tolist())
    ]
    kinds = set(map(type, cells)) - {type(None)}
    if not kinds or kinds <= {str}:
        return "text", cells
    if kinds <= {bool}:
        return "bool", cells
    if kinds <= {int}:
        return "integer", cells
    if kinds <= {int, float}:
        return "float", [None if v is None else float(v) for v in cells]
    if kinds <= {_dt.date}:
        return "date", cells
    if kinds <= {_dt.datetime}:
        return "datetime", cells
    found = ", ".join(sorted(t.__name__ for t in kinds))
    raise ValidationError(
        f"column {name!r} mixes values of types {found}; a table column holds one kind (text, integers, "
        "numbers, booleans, dates): convert it, e.g. to text",
        field=name,
    )


def _sql_type(sa: Any, kind: str) -> Any:
    return {
        "float": sa.Double(),
        "integer": sa.BigInteger(),
        "bool": sa.Boolean(),
        "date": sa.Date(),
        "datetime": sa.DateTime(),
        "text": sa.Text(),
    }[kind]


def _reflected_kind(sa: Any, sql_type: Any) -> str:
    """The kind of an existing column's type: float, integer, ... (``numeric`` for a fixed-point column)."""
    for cls, kind in (
        (sa.Float, "float"),
        (sa.Numeric, "numeric"),
        (sa.Integer, "integer"),
        (sa.Boolean, "bool"),
        (sa.DateTime, "datetime"),
        (sa.Date, "date"),
        (sa.String, "text"),
    ):
        if isinstance(sql_type, cls):
            return kind
    return type(sql_type).__name__


def write_table(target: Any, name: str, columns: Mapping[str, Any]) -> int:
    """Replace table ``name`` with ``columns``, atomically, in one transaction; returns the rows written.

    Parameters
    ----------
    target : str, sqlalchemy URL, Engine or Connection
        The database (see :func:`connect`). Given a URL, an Engine or a
        Connection outside a transaction, the write is committed here; given
        a Connection inside a transaction, it is written in that transaction
        and the caller commits (or rolls back).
    name : str
        The table, ``"table"`` or ``"schema.table"`` (:func:`check_table_name`).
    columns : mapping of str to array-like
        Column name to values, all of one length: float64 columns become
        ``DOUBLE PRECISION``, integers ``BIGINT``, booleans ``BOOLEAN``,
        ``datetime64[D]`` and ``datetime.date`` values ``DATE``, text
        ``TEXT``; NaN, NaT and ``None`` are ``NULL``.

    Returns
    -------
    int
        The number of rows written.

    Raises
    ------
    riskkit.errors.ValidationError
        A bad table name, columns of unequal length, a column mixing kinds
        of values, or a database that refuses the write (the old table is
        then as it was), naming the table and the database.

    Notes
    -----
    When the table exists with the same columns it is emptied and filled
    (``DELETE`` + ``INSERT``: grants, indexes and views on it stay); else it
    is dropped and created again. Both happen in one transaction, so the old
    rows stay until the new ones are committed; see the module docstring.
    A view that reads a table whose columns change makes PostgreSQL refuse
    the drop: the write fails and the old table stays.

    Examples
    --------
    >>> import sqlalchemy as sa
    >>> engine = sa.create_engine("sqlite://")
    >>> write_table(engine, "limits", {"customer_id": ["C1", "C2"], "limit": [25000.0, float("nan")]})
    2
    >>> with engine.connect() as conn:
    ...     conn.exec_driver_sql("SELECT * FROM limits").fetchall()
    [('C1', 25000.0), ('C2', None)]
    """
    sa = _sqlalchemy()
    schema, table_name = check_table_name(name)
    if not isinstance(columns, Mapping) or not columns:
        raise ValidationError(f"table {name!r}: expected a mapping of column name to values with at least one column")
    kinds: list[str] = []
    values: list[list[Any]] = []
    for column, col in columns.items():
        if not isinstance(column, str) or not column:
            raise ValidationError(f"table {name!r}: column names must be non-empty text, got {column!r}", table=name)
        kind, cells = _column_kind(column, col)
        kinds.append(kind)
        values.append(cells)
    header = list(columns)
    lengths = {len(v) for v in values}
    if len(lengths) > 1:
        shown = ", ".join(f"{h!r}: {len(v)}" for h, v in zip(header, values, strict=True))
        raise ValidationError(f"table {name!r}: columns of unequal length ({shown})", table=name)
    n_rows = lengths.pop()
    with connect(target) as conn:
        where = f"table {name!r} in {describe(conn)}"
        limit = conn.dialect.max_identifier_length
        too_long = [n for n in (table_name, *header) if len(n.encode()) > limit]
        if too_long:
            raise ValidationError(
                f"{where}: the name(s) {', '.join(map(repr, too_long))} are longer than the {limit} bytes "
                f"{conn.dialect.name} allows",
                table=name,
            )
        table = sa.Table(
            table_name, sa.MetaData(),
            *(sa.Column(h, _sql_type(sa, k)) for h, k in zip(header, kinds, strict=True)),
            schema=schema,
        )
        owned = not conn.in_transaction()
        try:
            transaction = conn.begin() if owned else contextlib.nullcontext()
            with transaction:
                _begin_sqlite(conn)
                inspector = sa.inspect(conn)
                if inspector.has_table(table_name, schema=schema):
                    existing = [
                        (c["name"], _reflected_kind(sa, c["type"]))
                        for c in inspector.get_columns(table_name, schema=schema)
                    ]
                    if existing == list(zip(header, kinds, strict=True)):
                        conn.execute(table.delete())
                    else:
                        table.drop(conn)
                        table.create(conn)
                else:
                    table.create(conn)
                _insert(conn, table, header, values, n_rows)
        except sa.exc.DBAPIError as exc:
            raise ValidationError(
                f"cannot write {where}: {_first_line(exc.orig)}; the table is as it was", table=name
            ) from None
        except sa.exc.StatementError as exc:  # a value the driver cannot send (nothing was committed)
            raise ValidationError(
                f"cannot write {where}: {_first_line(exc.orig)}; the table is as it was", table=name
            ) from None
        except RiskkitError:
            raise
        except (ValueError, TypeError, OverflowError) as exc:  # the driver refused a value (psycopg2: a NUL byte)
            raise ValidationError(f"cannot write {where}: {_first_line(exc)}; the table is as it was",
                                  table=name) from None
    return n_rows


def _begin_sqlite(conn: Any) -> None:
    """Open the transaction explicitly on Python's sqlite3, which would run CREATE/DROP outside it."""
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.dbapi_connection
    if raw is not None and hasattr(raw, "in_transaction") and not raw.in_transaction:
        conn.exec_driver_sql("BEGIN")


def _insert(conn: Any, table: Any, header: list[str], values: list[list[Any]], n_rows: int) -> None:
    """INSERT the rows in batches of :data:`_BATCH` (executemany)."""
    statement = table.insert()
    keys = [c.key for c in table.columns]
    for start in range(0, n_rows, _BATCH):
        block = [v[start : start + _BATCH] for v in values]
        conn.execute(statement, [dict(zip(keys, row, strict=True)) for row in zip(*block, strict=True)])
