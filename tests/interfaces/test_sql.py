"""SQL in and out: Portfolio.from_sql, load profiles with sql tables, riskkit.sql.write_table and --out-table.

Every database test runs on SQLite and on a real PostgreSQL server the test
session starts (``tests/_postgres.py``); PostgreSQL is skipped only where
neither a server nor its driver can be had, and never when ``CI`` is set.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sa = pytest.importorskip("sqlalchemy")

from riskkit import Portfolio, _cli_io, cli, sql  # noqa: E402
from riskkit.errors import SchemaError, ValidationError  # noqa: E402

TABLES = ("customers", "exposures", "invoices", "payments", "orders", "statements", "events")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database: a SQLite file, or a schema of its own on the session's PostgreSQL server."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
        return
    base = request.getfixturevalue("postgres_url")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    yield f"{base}?options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


def _fetch(url: str, query: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.exec_driver_sql(query).fetchall()]
    finally:
        engine.dispose()


def _execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def assert_same_portfolio(a: Portfolio, b: Portfolio) -> None:
    assert a.customer_ids.tolist() == b.customer_ids.tolist()
    assert a.as_of == b.as_of and a.currency == b.currency
    for name in TABLES:
        ta, tb = a.table(name), b.table(name)
        assert list(ta) == list(tb), name
        for column in ta:
            x, y = ta[column], tb[column]
            assert x.dtype == y.dtype, (name, column, x.dtype, y.dtype)
            if x.dtype.kind == "f":  # bit for bit, NaN included
                assert np.array_equal(x.view(np.int64), y.view(np.int64)), (name, column)
            else:
                assert x.tolist() == y.tolist(), (name, column)
    assert [r.reason for r in a.rejected] == [r.reason for r in b.rejected]


# --- reading: Portfolio.from_sql ---------------------------------------------------------


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Portfolio, Path]:
    """A synthetic book of 80 customers and its tables as CSV files (the schema's columns only)."""
    from riskkit._schema import TABLES as SCHEMA
    from riskkit.datasets import make_portfolio

    folder = tmp_path_factory.mktemp("sqlbook")
    portfolio, _ = make_portfolio(80, seed=5)
    for name, table in SCHEMA.items():
        frame = portfolio.table(name).to_pandas()
        frame[[c for c in table.names if c in frame.columns]].to_csv(folder / f"{name}.csv", index=False)
    return portfolio, folder


def _frames(folder: Path) -> dict[str, Any]:
    import pandas as pd

    return {name: pd.read_csv(folder / f"{name}.csv", keep_default_na=False, na_values=[""]) for name in TABLES}


def test_from_sql_equals_from_frames_and_from_csv(url: str, book: tuple[Portfolio, Path]) -> None:
    _, folder = book
    frames = _frames(folder)
    from riskkit._schema import TABLES as SCHEMA

    for name, frame in frames.items():
        columns = {c: frame[c].to_numpy() for c in frame.columns}
        for c in columns:
            if SCHEMA[name].column(c).kind == "date":  # as DATE columns
                columns[c] = np.array(frame[c].fillna("NaT").tolist(), dtype="datetime64[D]")
        sql.write_table(url, name, columns)
    from_csv = Portfolio.from_csv(**{n: folder / f"{n}.csv" for n in TABLES}, as_of="2025-06-30")
    from_frames = Portfolio.from_frames(**frames, as_of="2025-06-30")
    from_sql = Portfolio.from_sql(url, {n: f"SELECT * FROM {n}" for n in TABLES}, as_of="2025-06-30")
    assert_same_portfolio(from_sql, from_csv)
    assert_same_portfolio(from_sql, from_frames)
    # a table name reads the whole table; an Engine and a Connection work as the URL does
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert_same_portfolio(Portfolio.from_sql(conn, {n: n for n in TABLES}, as_of="2025-06-30"), from_csv)
    assert_same_portfolio(Portfolio.from_sql(engine, {n: n for n in TABLES}, as_of="2025-06-30"), from_csv)
    engine.dispose()


def test_typed_database_columns_read_as_the_same_csv_text(url: str, tmp_path: Path) -> None:
    """NUMERIC money, DATE, BOOLEAN (0/1 on SQLite), integer ids and padded CHAR read as the CSV text would."""
    boolean = "INTEGER" if url.startswith("sqlite") else "BOOLEAN"
    true, false = ("1", "0") if url.startswith("sqlite") else ("TRUE", "FALSE")
    _execute(
        url,
        "CREATE TABLE kunden (kunnr INTEGER, name1 VARCHAR(40), gesperrt " + boolean + ")",
        f"INSERT INTO kunden VALUES (100042, 'Acme GmbH', {false}), (100057, 'Bolt KG', {true})",
        "CREATE TABLE belege (belnr CHAR(12), kunnr INTEGER, bldat DATE, faedt DATE, wrbtr NUMERIC(14, 2), "
        "gutschrift " + boolean + ")",
        "INSERT INTO belege VALUES ('90000001', 100042, '2025-01-02', '2025-02-01', 1190.10, " + false + "), "
        "('16000001', 100042, '2025-02-10', '2025-02-10', 380.00, " + true + "), "
        "('90000002', 100057, '2025-02-12', '2025-03-14', 0.07, " + false + ")",
    )
    p = Portfolio.from_sql(url, {
        "customers": "SELECT kunnr AS id, name1 AS name, gesperrt AS blocked FROM kunden",
        "invoices": "SELECT TRIM(belnr) AS id, kunnr AS customer_id, bldat AS issued, faedt AS due, "
                    "wrbtr AS amount, gutschrift AS credit FROM belege",
    }, as_of="2025-03-31")
    (tmp_path / "c.csv").write_text("id,name,blocked\n100042,Acme GmbH,false\n100057,Bolt KG,true\n")
    (tmp_path / "i.csv").write_text(
        "id,customer_id,issued,due,amount,credit\n90000001,100042,2025-01-02,2025-02-01,1190.10,false\n"
        "16000001,100042,2025-02-10,2025-02-10,380.00,true\n90000002,100057,2025-02-12,2025-03-14,0.07,false\n"
    )
    assert_same_portfolio(p, Portfolio.from_csv(customers=tmp_path / "c.csv", invoices=tmp_path / "i.csv",
                                                as_of="2025-03-31"))
    assert p.invoices["amount"].tolist() == [1190.1, -380.0, 0.07]  # the credit note counts negative


def test_read_columns_types(url: str) -> None:
    _execute(
        url,
        "CREATE TABLE t (n NUMERIC(14, 2), w NUMERIC(10, 0), i INTEGER, s TEXT, d DATE, f DOUBLE PRECISION)",
        "INSERT INTO t VALUES (1190.10, 42, 7, 'x', '2025-01-31', 0.1), (NULL, NULL, NULL, NULL, NULL, NULL)",
    )
    got = sql.read_columns(url, "SELECT * FROM t")
    assert got["n"].dtype == np.float64 and got["n"][0] == float("1190.10") and np.isnan(got["n"][1])
    assert got["w"].tolist() == [42, None] and type(got["w"][0]) is int  # whole NUMERIC: integers, exactly
    assert got["i"].tolist() == [7, None] and got["s"].tolist() == ["x", None]
    assert got["f"][0] == 0.1
    if url.startswith("postgresql"):  # SQLite has no DATE type: its dates are ISO text, read as dates downstream
        assert got["d"].dtype == "datetime64[D]" and str(got["d"][0]) == "2025-01-31" and np.isnat(got["d"][1])
    empty = sql.read_columns(url, "SELECT s, i FROM t WHERE 1 = 0")
    assert list(empty) == ["s", "i"] and all(len(c) == 0 for c in empty.values())


def test_from_sql_errors_name_what_is_wrong(url: str) -> None:
    _execute(url, "CREATE TABLE kunden (kunnr TEXT, name1 TEXT)", "INSERT INTO kunden VALUES ('1', 'A')")
    with pytest.raises(ValidationError, match=r"customers: table 'kunde' does not exist in .*\(did you mean 'kunden'"):
        Portfolio.from_sql(url, {"customers": "kunde"})
    with pytest.raises(ValidationError, match=r"customers: the database .* refused the query 'SELECT nope FROM kunden'"):
        Portfolio.from_sql(url, {"customers": "SELECT nope FROM kunden"})
    with pytest.raises(SchemaError, match=r"customers: missing required column\(s\) 'id'"):
        Portfolio.from_sql(url, {"customers": "SELECT name1 AS name FROM kunden"})
    with pytest.raises(SchemaError, match=r"customers: unknown column\(s\) 'kunnr'; accepted columns: id, name"):
        Portfolio.from_sql(url, {"customers": "SELECT kunnr, name1 AS name FROM kunden"})
    with pytest.raises(SchemaError, match=r"unknown table\(s\) 'invoice' \(did you mean 'invoices'\?\)"):
        Portfolio.from_sql(url, {"customers": "kunden", "invoice": "kunden"})
    with pytest.raises(SchemaError, match="needs 'customers'"):
        Portfolio.from_sql(url, {"invoices": "kunden"})
    with pytest.raises(SchemaError, match=r"unknown keyword argument\(s\) 'asof' \(did you mean 'as_of'\?\)"):
        Portfolio.from_sql(url, {"customers": "kunden"}, asof="2025-01-01")
    with pytest.raises(ValidationError, match="more than once"):
        sql.read_columns(url, "SELECT kunnr, name1 AS kunnr FROM kunden")
    with pytest.raises(ValidationError, match="must be a mapping"):
        Portfolio.from_sql(url, ["SELECT 1"])  # type: ignore[arg-type]


def test_bad_urls_and_unreachable_databases(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"'kunden\.db' is not a database URL; expected a SQLAlchemy URL"):
        Portfolio.from_sql("kunden.db", {"customers": "kunden"})
    with pytest.raises(ValidationError, match="cannot use database nosuchdb://"):
        sql.read_columns("nosuchdb://host/x", "t")
    with pytest.raises(ValidationError, match=r"cannot connect to database sqlite:///.*missing/x\.db"):
        sql.read_columns(f"sqlite:///{tmp_path / 'missing' / 'x.db'}", "t")
    pytest.importorskip("psycopg2")
    with pytest.raises(ValidationError, match=r"cannot connect to database postgresql\+psycopg2://scott:\*\*\*@127"):
        sql.read_columns("postgresql+psycopg2://scott:tiger@127.0.0.1:1/erp", "t")


# --- load profiles with sql tables ----------------------------------------------------------


def test_profile_reads_sql_tables_like_files(url: str, tmp_path: Path) -> None:
    (tmp_path / "KNA1.csv").write_text("KUNNR;NAME1\n0000100042;Acme GmbH\n0000100057;Bolt KG\n")
    _execute(
        url,
        "CREATE TABLE bsid (gjahr TEXT, belnr TEXT, kunnr TEXT, bldat DATE, faedt DATE, wrbtr NUMERIC(14, 2), "
        "shkzg CHAR(1), bstat CHAR(1))",
        "INSERT INTO bsid VALUES ('2024', '0090000001', '0000100042', '2024-12-02', '2025-01-01', 1190.00, 'S', ' '),"
        " ('2025', '0016000001', '0000100042', '2025-02-10', '2025-02-10', 380.00, 'H', ' '),"
        " ('2025', '0090000002', '0000100057', '2025-02-12', '2025-03-14', 500.00, 'S', 'V')",
    )
    (tmp_path / "FBL5N.csv").write_text(
        "GJAHR;BELNR;KUNNR;BLDAT;FAEDT;WRBTR;SHKZG;BSTAT\n"
        "2024;0090000001;0000100042;02.12.2024;01.01.2025;1.190,00;S;\n"
        "2025;0016000001;0000100042;10.02.2025;10.02.2025;380,00;H;\n"
        "2025;0090000002;0000100057;12.02.2025;14.03.2025;500,00;S;V\n"
    )
    customers = '[tables.customers]\npath = "KNA1.csv"\ndelimiter = ";"\ncolumns = { id = "KUNNR", name = "NAME1" }\n'
    mapping = (
        'sign = { column = "shkzg", credit = ["H"] }\nwhere = { bstat = [""] }\n[tables.invoices.columns]\n'
        'id = ["gjahr", "belnr"]\ncustomer_id = "kunnr"\nissued = "bldat"\ndue = "faedt"\namount = "wrbtr"\n'
    )
    (tmp_path / "db.toml").write_text(
        f'currency = "EUR"\ndatabase = "{url}"\n{customers}[tables.invoices]\nsql = "SELECT * FROM bsid"\n{mapping}'
    )
    (tmp_path / "files.toml").write_text(
        f'currency = "EUR"\n{customers}[tables.invoices]\npath = "FBL5N.csv"\ndelimiter = ";"\ndecimal = ","\n'
        'thousands = "."\ndate_format = "%d.%m.%Y"\nsign = { column = "SHKZG", credit = ["H"] }\n'
        'where = { BSTAT = [""] }\n[tables.invoices.columns]\nid = ["GJAHR", "BELNR"]\ncustomer_id = "KUNNR"\n'
        'issued = "BLDAT"\ndue = "FAEDT"\namount = "WRBTR"\n'
    )
    from_db = Portfolio.from_profile(tmp_path / "db.toml", as_of="2025-03-31")
    from_files = Portfolio.from_profile(tmp_path / "files.toml", as_of="2025-03-31")
    assert_same_portfolio(from_db, from_files)
    assert from_db.invoices["id"].tolist() == ["2024-0090000001", "2025-0016000001"]
    assert from_db.skipped == {"invoices": 1} and from_db.invoices["credit"].tolist() == [False, True]


def _profile(tmp_path: Path, table: str) -> Path:
    (tmp_path / "KNA1.csv").write_text("KUNNR,NAME1\n1,Acme\n")
    path = tmp_path / "p.toml"
    path.write_text('[tables.customers]\npath = "KNA1.csv"\ncolumns = { id = "KUNNR", name = "NAME1" }\n' + table)
    return path


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[tables.invoices]\npath = "KNA1.csv"\nsql = "SELECT 1"\ndatabase = "sqlite://"\n',
         r"tables.invoices: table 'invoices' gives both path and sql"),
        ('[tables.invoices]\ncolumns = { id = "a" }\n', r"tables.invoices: table 'invoices' gives neither path nor sql"),
        ('[tables.invoices]\nsql = "SELECT 1"\n', r"tables.invoices.database: is missing; table 'invoices' reads sql"),
        ('[tables.invoices]\nsql = "SELECT 1"\ndatabase = "sqlite://"\ndelimiter = ";"\n',
         r"tables.invoices.delimiter: table 'invoices' is read from a database \(sql\)"),
        ('[tables.invoices]\nsql = "SELECT 1"\ndatabase = "kunden.db"\n',
         r"tables.invoices.database: 'kunden.db' is not a database URL"),
        ('[tables.invoices]\npath = "KNA1.csv"\ndatabase = "sqlite://"\n',
         r"tables.invoices.database: table 'invoices' is read from a file \(path\); database goes with sql"),
    ],
)
def test_profile_sql_keys_are_checked(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Portfolio.from_profile(_profile(tmp_path, table))


def test_profile_sql_errors_name_the_key(tmp_path: Path) -> None:
    db = tmp_path / "erp.db"
    _execute(f"sqlite:///{db}", "CREATE TABLE bsid (belnr TEXT, kunnr TEXT)")
    base = '[tables.invoices]\ndatabase = "sqlite:///erp.db"\n'  # relative to the profile's folder
    columns = 'columns = { id = "belnr", customer_id = "kunnr", issued = "bldat", due = "bldat", amount = "x" }\n'
    with pytest.raises(ValidationError, match=r"tables.invoices.columns.issued: column 'bldat' is not in the result "
                                              r"of tables.invoices.sql on sqlite:///.*erp.db; its columns: belnr, kunnr"):
        Portfolio.from_profile(_profile(tmp_path, base + 'sql = "SELECT * FROM bsid"\n' + columns))
    with pytest.raises(ValidationError, match=r"tables.invoices.sql: the database .* refused the query 'SELECT \* FROM bs'"):
        Portfolio.from_profile(_profile(tmp_path, base + 'sql = "SELECT * FROM bs"\n' + columns))


# --- writing: riskkit.sql.write_table -------------------------------------------------------


def test_money_round_trips_exactly_and_dates_are_dates(url: str) -> None:
    rng = np.random.default_rng(0)
    money = np.concatenate([rng.uniform(0, 1e9, 500), [0.1 + 0.2, 5e-324, 1.7976931348623157e308, np.nan]])
    days = (np.datetime64("2000-01-01") + rng.integers(0, 20_000, money.size)).astype("datetime64[D]")
    days[3] = np.datetime64("NaT")
    ids = np.array([f"C{i}" for i in range(money.size)], dtype=object)
    assert sql.write_table(url, "book", {"id": ids, "amount": money, "due": days, "flag": money > 5e8}) == money.size
    back = sql.read_columns(url, "SELECT * FROM book ORDER BY id")
    order = np.argsort(ids)
    assert back["id"].tolist() == ids[order].tolist()
    assert np.array_equal(back["amount"].view(np.int64)[~np.isnan(money[order])],
                          money[order].view(np.int64)[~np.isnan(money[order])])
    assert np.isnan(back["amount"]).sum() == 1
    assert [bool(v) for v in back["flag"].tolist()] == (money[order] > 5e8).tolist()
    inspector_types = {c["name"]: c["type"] for c in sa.inspect(sa.create_engine(url)).get_columns("book")}
    assert isinstance(inspector_types["due"], sa.Date) and isinstance(inspector_types["amount"], sa.Float)
    assert isinstance(inspector_types["flag"], sa.Boolean)
    got = np.array(back["due"].tolist(), dtype="datetime64[D]")
    assert np.array_equal(got, days[order], equal_nan=True)


def test_write_table_replaces_rows_and_recreates_on_new_columns(url: str) -> None:
    sql.write_table(url, "scores", {"customer_id": ["C1", "C2"], "pd": [0.1, 0.2]})
    _execute(url, "CREATE INDEX scores_by_id ON scores (customer_id)")
    sql.write_table(url, "scores", {"customer_id": ["C3"], "pd": [0.3]})  # same columns: DELETE + INSERT
    assert _fetch(url, "SELECT * FROM scores") == [("C3", 0.3)]
    assert "scores_by_id" in {i["name"] for i in sa.inspect(sa.create_engine(url)).get_indexes("scores")}
    sql.write_table(url, "scores", {"customer_id": ["C4"], "pd": [0.4], "grade": ["B"]})  # new columns
    assert _fetch(url, "SELECT * FROM scores") == [("C4", 0.4, "B")]
    sql.write_table(url, "scores", {"customer_id": np.array([], dtype=object), "pd": np.array([])})
    assert _fetch(url, "SELECT * FROM scores") == []


@pytest.mark.parametrize("columns", [{"customer_id": ["X1", "X2"], "pd": [0.5, 0.6]},
                                     {"customer_id": ["X1", "X2"], "rank": [1, 2]}])
def test_a_failing_write_leaves_the_old_table(url: str, monkeypatch: pytest.MonkeyPatch,
                                              columns: dict[str, Any]) -> None:
    sql.write_table(url, "scores", {"customer_id": ["C1", "C2"], "pd": [0.1, 0.2]})
    real = sql._insert

    def half_then_fail(conn: Any, table: Any, header: list[str], values: list[list[Any]], n: int) -> None:
        real(conn, table, header, [v[:1] for v in values], 1)  # one row in, then the job dies
        raise KeyboardInterrupt

    monkeypatch.setattr(sql, "_insert", half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        sql.write_table(url, "scores", columns)
    monkeypatch.undo()
    assert _fetch(url, "SELECT * FROM scores ORDER BY customer_id") == [("C1", 0.1), ("C2", 0.2)]
    assert sa.inspect(sa.create_engine(url)).get_table_names() == ["scores"]


def test_write_in_the_callers_transaction(url: str) -> None:
    sql.write_table(url, "scores", {"customer_id": ["C1"], "pd": [0.1]})
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        conn.begin()
        sql.write_table(conn, "scores", {"customer_id": ["C9"], "pd": [0.9]})
        conn.rollback()
    assert _fetch(url, "SELECT * FROM scores") == [("C1", 0.1)]
    with engine.connect() as conn, conn.begin():
        sql.write_table(conn, "scores", {"customer_id": ["C9"], "pd": [0.9]})
    assert _fetch(url, "SELECT * FROM scores") == [("C9", 0.9)]
    engine.dispose()


def test_the_database_refusing_a_write_leaves_the_old_table(postgres_url: str) -> None:
    sql.write_table(postgres_url, "refused", {"name": ["Acme"]})
    with pytest.raises(ValidationError, match=r"cannot write table 'refused' in postgresql.*; the table is as it was"):
        sql.write_table(postgres_url, "refused", {"name": ["ok", "nul\x00byte"]})
    assert _fetch(postgres_url, "SELECT * FROM refused") == [("Acme",)]
    with pytest.raises(ValidationError, match=r"the name\(s\) 'aaaa.*' are longer than the 63 bytes postgresql allows"):
        sql.write_table(postgres_url, "refused", {"a" * 70: [1]})


def test_write_table_refuses_bad_input(sqlite_url: str) -> None:
    with pytest.raises(ValidationError, match="table name 'x;y' is not a name riskkit writes"):
        sql.write_table(sqlite_url, "x;y", {"a": [1]})
    with pytest.raises(ValidationError, match=r"columns of unequal length \('a': 1, 'b': 2\)"):
        sql.write_table(sqlite_url, "t", {"a": [1], "b": [1, 2]})
    with pytest.raises(ValidationError, match="column 'a' mixes values of types float, str"):
        sql.write_table(sqlite_url, "t", {"a": np.array(["x", 1.5], dtype=object)})
    with pytest.raises(ValidationError, match="must be non-empty text"):
        sql.write_table(sqlite_url, "t", {"": [1]})
    with pytest.raises(ValidationError, match="at least one column"):
        sql.write_table(sqlite_url, "t", {})


# --- the command line: --out-table ------------------------------------------------------------


@pytest.fixture(scope="module")
def tables(book: tuple[Portfolio, Path], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Table options of the book with one bad invoice amount (row 0) and one unknown customer (row 1)."""
    _, folder = book
    text = (folder / "invoices.csv").read_text().splitlines()
    header = text[0].split(",")
    first, second = text[1].split(","), text[2].split(",")
    first[header.index("amount")] = "lots"
    second[header.index("customer_id")] = "NOPE"
    bad = tmp_path_factory.mktemp("bad") / "invoices.csv"
    bad.write_text("\n".join([text[0], ",".join(first), ",".join(second), *text[3:]]) + "\n")
    options = []
    for name in TABLES:
        options += [f"--{name}", str(bad if name == "invoices" else folder / f"{name}.csv")]
    return options


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(
    "command",
    [["features"], ["score", "--model", "5c", "--reasons", "2"], ["signals"], ["limits"], ["worklist"]],
    ids=lambda c: c[0],
)
def test_out_table_end_to_end(url: str, tables: list[str], tmp_path: Path, command: list[str]) -> None:
    """The table holds what the file holds; the rejects table the rejects; exit 3 for rejected rows."""
    common = [*command, *tables, "--as-of", "2025-06-30", "-q"]
    out, rejects = tmp_path / "out.csv", tmp_path / "rejects.csv"
    assert cli.main([*common, "--out", str(out), "--raw-cells", "--rejects", str(rejects)]) == 3
    sql.write_table(url, "result", {"stale": [1.0]})  # an older run's table, replaced
    code = cli.main([*common, "--out-table", "result", "--rejects-table", "rejected", "--database", url])
    assert code == 3
    want, want_rejects = _csv(out), _csv(rejects)
    got = sql.read_columns(url, "result")
    assert list(got) == list(want[0])
    assert len(got[next(iter(got))]) == len(want)
    types = {c["name"]: c["type"] for c in sa.inspect(sa.create_engine(url)).get_columns("result")}
    for name, values in got.items():
        if isinstance(types[name], sa.Boolean):  # SQLite keeps booleans as 0 and 1
            values = values.astype(bool)
        assert [_cli_io.cell(v) for v in values.tolist()] == [row[name] for row in want], name
    got_rejects = sql.read_columns(url, "rejected")
    assert list(got_rejects) == ["table", "row", "column", "value", "reason"]
    assert [[_cli_io.cell(got_rejects[k][i]) for k in got_rejects] for i in range(len(want_rejects))] == [
        list(r.values()) for r in want_rejects
    ]
    assert got_rejects["row"].tolist()[:2] == [0, 1] and len(want_rejects) == 2


def test_out_table_money_is_rounded_like_the_file_and_exact(sqlite_url: str, tables: list[str], tmp_path: Path) -> None:
    common = ["features", *tables, "--as-of", "2025-06-30", "-q"]
    assert cli.main([*common, "--out-table", "features", "--database", sqlite_url]) == 3
    got = sql.read_columns(sqlite_url, "features")
    open_amount = got["open_amount"]
    assert open_amount.dtype == np.float64 and np.array_equal(open_amount, np.round(open_amount, 2))


def test_out_table_without_rejects_writes_an_empty_rejects_table(url: str, book: tuple[Portfolio, Path]) -> None:
    _, folder = book
    options = ["--customers", str(folder / "customers.csv"), "--invoices", str(folder / "invoices.csv")]
    sql.write_table(url, "rejected", {"table": ["old"], "row": [1]})
    assert cli.main(["features", *options, "--out-table", "f", "--rejects-table", "rejected", "--database", url,
                     "-q"]) == 0
    assert _fetch(url, "SELECT * FROM rejected") == []
    assert len(_fetch(url, "SELECT * FROM f")) == 80


def test_check_decisions_to_a_table(sqlite_url: str, book: tuple[Portfolio, Path], tmp_path: Path) -> None:
    portfolio, folder = book
    orders = tmp_path / "new.csv"
    orders.write_text("customer_id,amount\n" + "".join(f"{c},1500\n" for c in portfolio.customer_ids[:3].tolist()))
    options = ["--customers", str(folder / "customers.csv"), "--invoices", str(folder / "invoices.csv"),
               "--orders-to-check", str(orders), "-q"]
    assert cli.main(["check", *options, "--out-table", "decisions", "--database", sqlite_url]) == 0
    got = sql.read_columns(sqlite_url, "decisions")
    assert got["customer_id"].tolist() == portfolio.customer_ids[:3].tolist()
    import json

    assert all(isinstance(json.loads(s), list) for s in got["steps"].tolist())  # nested values as JSON text


def test_an_interrupted_out_table_leaves_the_old_table(
    url: str, tables: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sql.write_table(url, "features", {"customer_id": ["old"]})

    def interrupted(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sql, "_insert", interrupted)
    code = cli.main(["features", *tables, "-q", "--out-table", "features", "--database", url])
    assert code == cli.EXIT_INTERRUPTED
    assert "interrupted" in capsys.readouterr().err
    monkeypatch.undo()
    assert _fetch(url, "SELECT * FROM features") == [("old",)]


def test_a_refused_out_table_is_exit_1_and_leaves_the_old_table(
    postgres_url: str, book: tuple[Portfolio, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, folder = book
    customers = tmp_path / "customers.csv"
    customers.write_text((folder / "customers.csv").read_text() + "\n")
    lines = customers.read_text().splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("name")] = "Acme\x00GmbH"
    customers.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
    sql.write_table(postgres_url, "features_refused", {"customer_id": ["old"]})
    code = cli.main(["features", "--customers", str(customers), "-q", "--out-table", "features_refused",
                     "--database", postgres_url])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "cannot write table 'features_refused' in postgresql+psycopg2://postgres@" in err
    assert _fetch(postgres_url, "SELECT * FROM features_refused") == [("old",)]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out-table", "t"], "--out-table needs --database URL"),
        (["--out", "{tmp}/x.csv", "--database", "sqlite://"], "--database is for --out-table or --rejects-table"),
        (["--out", "{tmp}/x.csv", "--out-table", "t", "--database", "sqlite://"], "give --out FILE or --out-table"),
        (["--out-table", "t", "--rejects", "{tmp}/r.csv", "--rejects-table", "r", "--database", "sqlite://"],
         "give --rejects FILE or --rejects-table NAME, not both"),
        (["--out-table", "1t", "--database", "sqlite://"], "argument --out-table: table name '1t' is not a name"),
        (["--out-table", "t", "--rejects-table", "t", "--database", "sqlite://"], "are the same table 't'"),
        (["--out-table", "t", "--database", "erp.db"], "argument --database: 'erp.db' is not a database URL"),
        ([], "required: --out (or --out-table NAME with --database URL)"),
    ],
)
def test_out_table_usage_errors_exit_2(
    book: tuple[Portfolio, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    _, folder = book
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    with pytest.raises(SystemExit) as exc:
        cli.main(["features", "--customers", str(folder / "customers.csv"), *argv])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_out_table_is_refused_where_the_output_is_no_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["fit", "--data", "x.csv", "--target", "y", "--bad-value", "1", "--out", str(tmp_path / "m.json"),
                  "--out-table", "t", "--database", "sqlite://"])
    assert exc.value.code == 2
    assert "--out-table: riskkit fit writes a file (.json), not a table" in capsys.readouterr().err


def test_an_unreachable_database_is_exit_1_before_any_work(
    book: tuple[Portfolio, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, folder = book
    rejects = tmp_path / "rejects.csv"
    code = cli.main(["features", "--customers", str(folder / "customers.csv"), "--out-table", "t", "--rejects",
                     str(rejects), "--database", f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.db'}"])
    assert code == 1
    assert "cannot connect to database sqlite:///" in capsys.readouterr().err
    assert not rejects.exists()


def test_dates_written_by_the_cli_are_dates(postgres_url: str, tables: list[str]) -> None:
    assert cli.main(["signals", *tables, "-q", "--out-table", "watch", "--database", postgres_url]) == 3
    assert cli.main(["limits", *tables, "-q", "--out-table", "limits", "--database", postgres_url]) == 3
    types = {c["name"]: c["type"] for c in sa.inspect(sa.create_engine(postgres_url)).get_columns("limits")}
    money = [name for name in ("current_limit", "recommended_limit", "change") if name in types]
    assert money and all(isinstance(types[name], sa.Float) for name in money)


def test_table_output_is_a_path_for_messages_only() -> None:
    out = _cli_io.TableOutput("risk.scores", "postgresql://u:secret@h/db")
    assert str(out) == "table 'risk.scores' in postgresql://u:***@h/db" and out.table == "risk.scores"
    with pytest.raises(ValidationError, match=r"a text output .* cannot go to table 'risk\.scores'"):
        _cli_io.write_text(out, "<html></html>")


def test_score_data_file_to_a_table(url: str, tables: list[str], tmp_path: Path) -> None:
    """score --data (the columnar CSV path) writes the same rows to a table as to a file, rejects too."""
    features = tmp_path / "features.csv"
    cli.main(["features", *tables, "--as-of", "2025-06-30", "-q", "--out", str(features)])
    lines = features.read_text().splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("max_days_past_due")] = "n/a"
    features.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
    common = ["score", "--model", "5c", "--data", str(features), "--id-column", "customer_id", "-q"]
    out, rejects = tmp_path / "scores.csv", tmp_path / "rejects.csv"
    assert cli.main([*common, "--out", str(out), "--rejects", str(rejects), "--raw-cells"]) == 3
    assert cli.main([*common, "--out-table", "scores", "--rejects-table", "rejects", "--database", url]) == 3
    want = _csv(out)
    got = sql.read_columns(url, "scores")
    assert list(got) == list(want[0])
    for name, values in got.items():
        assert [_cli_io.cell(v) for v in values.tolist()] == [r[name] for r in want], name
    got_rejects = sql.read_columns(url, "rejects")
    assert got_rejects["row"].tolist() == [0] and got_rejects["column"].tolist() == ["max_days_past_due"]
    assert [r["reason"] for r in _csv(rejects)] == got_rejects["reason"].tolist()
