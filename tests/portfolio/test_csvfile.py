"""The tolerant CSV reader for ERP exports (riskkit._csvfile) and its use by Portfolio.from_csv and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from riskkit import _cli_io
from riskkit._csvfile import Dialect, RawTable, parse_column, read_csv
from riskkit.errors import ValidationError
from riskkit.portfolio import Portfolio


def write(tmp_path: Path, text: str, name: str = "t.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def cells(*values: Any) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def table(raw: RawTable) -> dict[str, list[Any]]:
    return {name: col.tolist() for name, col in raw.columns.items()}


GERMAN = Dialect(delimiter=";", decimal=",", thousands=".", date_format="%d.%m.%Y")


# --- read_csv: dialects -------------------------------------------------------------------------------


def test_german_export_semicolons_decimal_commas_thousands_and_dates(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Beleg;Kunde;Datum;Betrag\r\n"
        "R-1;K1;31.03.2025;10.000,00\r\n"
        "R-2;K2;01.04.2025;-12,5\r\n"
        "R-3;K1;;1.234.567,89\r\n"
        "R-4;K3;15.01.2024;7\r\n",
        encoding="cp1252",
    )
    raw = read_csv(path, Dialect(delimiter=";", decimal=",", thousands=".", date_format="%d.%m.%Y", encoding="cp1252"))
    assert raw.header == ("Beleg", "Kunde", "Datum", "Betrag")
    assert raw.delimiter == ";" and raw.problems == () and raw.rows.tolist() == [0, 1, 2, 3]
    assert table(raw)["Datum"] == ["31.03.2025", "01.04.2025", None, "15.01.2024"]
    amounts = parse_column("amount", raw.columns["Betrag"], GERMAN)
    assert amounts.dtype == np.float64
    assert amounts.tolist() == [10000.0, -12.5, 1234567.89, 7.0]
    dates = parse_column("date", raw.columns["Datum"], GERMAN)
    assert dates.dtype == np.dtype("datetime64[D]")
    np.testing.assert_array_equal(dates, np.array(["2025-03-31", "2025-04-01", "NaT", "2024-01-15"], "datetime64[D]"))
    assert parse_column("text", raw.columns["Kunde"], GERMAN).tolist() == ["K1", "K2", "K1", "K3"]


def test_byte_order_mark_before_a_quoted_header_cell(tmp_path: Path) -> None:
    path = write(tmp_path, '\ufeff"id";"name"\r\n"C1";"Acme"\r\n')
    raw = read_csv(path, Dialect(delimiter=";"))
    assert raw.header == ("id", "name") and table(raw) == {"id": ["C1"], "name": ["Acme"]}
    path = write(tmp_path, '"id","name"\nC1,Acme\n', encoding="utf-8-sig")
    assert read_csv(path).header == ("id", "name")


def test_latin_1_file_read_with_its_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "id,name\nC1,Café Müller\n", encoding="latin-1")
    with pytest.raises(ValidationError, match=r"is not valid utf-8: line 2 .*pass encoding=") as info:
        read_csv(path)
    assert info.value.field == "encoding"
    assert table(read_csv(path, Dialect(encoding="latin-1")))["name"] == ["Café Müller"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_auto_delimiter(tmp_path: Path, delimiter: str) -> None:
    d = delimiter
    text = f'id{d}name{d}amount\nC1{d}"Acme, Inc; a|b\tc"{d}"1,5"\nC2{d}Bolt{d}25\n'
    raw = read_csv(write(tmp_path, text), Dialect(delimiter="auto"))
    assert raw.delimiter == delimiter
    assert raw.header == ("id", "name", "amount")
    assert table(raw)["name"] == ["Acme, Inc; a|b\tc", "Bolt"]


def test_cells_longer_than_the_csv_modules_limit(tmp_path: Path) -> None:
    limit = csv.field_size_limit()
    big = "x" * 200_000
    path = write(tmp_path, f'id,note\nC1,{big}\nC2,"{big}"\nC3,short\n')
    raw = read_csv(path)
    assert table(raw)["note"] == [big, big, "short"]
    assert csv.field_size_limit() == limit  # restored


def test_field_limit_is_restored_after_concurrent_reads(tmp_path: Path) -> None:
    limit = csv.field_size_limit()
    path = write(tmp_path, "id,note\n" + "".join(f"C{i},{'y' * 150_000}\n" for i in range(4)))
    results: list[int] = []

    def read() -> None:
        results.append(read_csv(path).n_rows)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [4] * 8 and csv.field_size_limit() == limit


# --- read_csv: damaged files ------------------------------------------------------------------------


def test_ragged_line_in_the_middle_rejects_that_record_only(tmp_path: Path) -> None:
    path = write(tmp_path, "id,name\nC1,Acme\nC2,Bolt,extra\nC3,Cog\n\nC4,Dent\n")
    raw = read_csv(path, table="customers")
    assert table(raw) == {"id": ["C1", "C3", "C4"], "name": ["Acme", "Cog", "Dent"]}
    assert raw.rows.tolist() == [0, 2, 3]  # the blank line is no record; the rejected one counts
    [(row, reason)] = raw.problems
    assert row == 1
    assert reason == f"line 3 of {str(path)!r} has 3 fields, the header has 2 (delimiter ',')"


def test_ragged_line_hints_at_the_delimiter_the_header_looks_like(tmp_path: Path) -> None:
    path = write(tmp_path, "id;name;amount\nC1;Acme;1,5\nC2;Bolt;2\n")
    raw = read_csv(path, Dialect(delimiter=";"))
    assert raw.problems == ()
    raw = read_csv(write(tmp_path, "id;name\nC1;Acme\nC2;Bolt;x,y\n"), Dialect(delimiter=","))
    [(row, reason)] = raw.problems
    assert row == 1 and "has 2 fields, the header has 1 (delimiter ',')" in reason
    assert reason.endswith("the header looks ';'-separated: pass delimiter=';'")


def test_every_record_ragged_is_an_error_with_the_delimiter_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "id;amount\nC1;1,5\nC2;2,5\n")
    with pytest.raises(ValidationError, match="pass delimiter=';'") as info:
        read_csv(path, table="invoices")
    message = str(info.value)
    assert message.startswith("invoices: no record of ")
    assert "line 2 of" in message and "has 2 fields, the header has 1 (delimiter ',')" in message
    assert info.value.table == "invoices" and info.value.row == 0
    tabbed = write(tmp_path, "id\tname\nC1\tA,B\n", name="tab.csv")
    with pytest.raises(ValidationError, match=r"the header looks '\\t'-separated: pass delimiter='\\t'"):
        read_csv(tabbed)


def test_unterminated_quote_in_the_middle_keeps_the_later_rows(tmp_path: Path) -> None:
    path = write(tmp_path, 'id,name\nC1,Acme\nC2,"Bolt\nC3,Cog\nC4,Dent\n')
    raw = read_csv(path)
    assert table(raw) == {"id": ["C1", "C3", "C4"], "name": ["Acme", "Cog", "Dent"]}
    assert raw.rows.tolist() == [0, 2, 3]
    [(row, reason)] = raw.problems
    assert row == 1 and "unterminated quote starting on line 3" in reason and "reading resumes on line 4" in reason


def test_unterminated_quote_closed_by_a_later_stray_quote(tmp_path: Path) -> None:
    path = write(tmp_path, 'id,name,city\nC1,"Acme,Berlin\nC2,Bolt,Paris\nC3,"Cog",Rome\nC4,Dent,Oslo\n')
    raw = read_csv(path)
    assert table(raw)["id"] == ["C2", "C3", "C4"] and table(raw)["name"] == ["Bolt", "Cog", "Dent"]
    assert raw.rows.tolist() == [1, 2, 3]
    [(row, reason)] = raw.problems
    assert row == 0 and "unterminated quote starting on line 2" in reason and "line 4" in reason


@pytest.mark.parametrize("end", ["\n", ""])
def test_unterminated_quote_at_the_end(tmp_path: Path, end: str) -> None:
    path = write(tmp_path, f'id,name\nC1,Acme\nC2,Bolt\nC3,"Cog{end}')
    raw = read_csv(path)
    assert table(raw)["id"] == ["C1", "C2"] and raw.rows.tolist() == [0, 1]
    [(row, reason)] = raw.problems
    assert row == 2 and "unterminated quote starting on line 4" in reason and "the end of the file" in reason


def test_unterminated_quote_with_the_right_field_count_is_still_found(tmp_path: Path) -> None:
    # the rest of the file would make one well-formed record, but the file ends inside the quotes
    path = write(tmp_path, 'id,name\nC1,"Acme\nC2,Bolt\nC3,Cog\n')
    raw = read_csv(path)
    assert table(raw)["id"] == ["C2", "C3"] and raw.rows.tolist() == [1, 2]
    assert raw.problems[0][0] == 0 and "unterminated quote starting on line 2" in raw.problems[0][1]


def test_quoted_address_over_several_lines_is_kept(tmp_path: Path) -> None:
    text = 'id,name,address\nC1,Acme,"Main St 1\r\n10115 Berlin"\nC2,"Bolt ""Nuts""","a, b"\nC3,Cog,x\n'
    raw = read_csv(write(tmp_path, text))
    assert raw.problems == () and raw.rows.tolist() == [0, 1, 2]
    assert table(raw)["address"] == ["Main St 1\r\n10115 Berlin", "a, b", "x"]
    assert table(raw)["name"] == ["Acme", 'Bolt "Nuts"', "Cog"]


def test_address_and_damage_in_one_file(tmp_path: Path) -> None:
    # a legitimate multi-line record and a ragged line: read line by line, numbering unchanged
    text = 'id,name,address\nC1,Acme,"Main St 1\nBerlin"\nC2,Bolt\nC3,"Cog,x\n\nC4,Dent,y\n'
    raw = read_csv(write(tmp_path, text))
    assert table(raw)["id"] == ["C1", "C4"] and raw.rows.tolist() == [0, 3]
    assert [row for row, _ in raw.problems] == [1, 2]
    assert "line 4 of" in raw.problems[0][1] and "has 2 fields, the header has 3" in raw.problems[0][1]
    assert "unterminated quote starting on line 5" in raw.problems[1][1]


def test_text_after_a_closing_quote_on_one_line_is_kept(tmp_path: Path) -> None:
    raw = read_csv(write(tmp_path, 'id,name\nC1,"Ac"me\nC2,Bolt\n'))
    assert table(raw) == {"id": ["C1", "C2"], "name": ["Acme", "Bolt"]} and raw.problems == ()


def test_blank_and_whitespace_lines_are_not_records(tmp_path: Path) -> None:
    raw = read_csv(write(tmp_path, "\n  \nid,name\n\nC1,\n   \nC2,x\n\n"))
    assert table(raw) == {"id": ["C1", "C2"], "name": [None, "x"]} and raw.rows.tolist() == [0, 1]
    one = read_csv(write(tmp_path, 'id\nC1\n\n""\n  \n', name="one.csv"))
    assert table(one) == {"id": ["C1", None, "  "]}  # one column: only an empty line is blank


def test_header_only_gives_empty_columns(tmp_path: Path) -> None:
    raw = read_csv(write(tmp_path, " id , name \n"))
    assert raw.header == ("id", "name") and raw.n_rows == 0 and raw.rows.dtype == np.int64
    assert all(col.dtype == object and col.size == 0 for col in raw.columns.values())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty; expected a header row"),
        ("\n \n", "is empty; expected a header row"),
        ("id,name,id\nC1,x,y\n", r"duplicate column names \['id'\]"),
        ('"id","name\nC1,x\n', r"the header of .* \(line 1\) is malformed"),
        ('\ufeff"id";"name"\nC1;x\n', r"the header of .* is malformed.*pass delimiter=';'"),
    ],
)
def test_file_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        read_csv(write(tmp_path, text), table="customers")
    assert str(info.value).startswith("customers: ") and info.value.table == "customers"


def test_missing_file_and_not_a_path(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"orders: cannot read '.*nope\.csv'"):
        read_csv(tmp_path / "nope.csv", table="orders")
    with pytest.raises(ValidationError, match="cannot read"):
        read_csv(tmp_path)  # a folder
    with pytest.raises(ValidationError, match="expected a file path, got int"):
        read_csv(3)  # type: ignore[arg-type]


# --- Dialect ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        ({"encoding": "klingon-8"}, "encoding", "encoding 'klingon-8' is not a known text encoding"),
        ({"encoding": "base64"}, "encoding", "encoding 'base64' is not a known text encoding"),
        ({"decimal": ";"}, "decimal", "decimal must be '.' or ','"),
        ({"thousands": "_"}, "thousands", "thousands must be one of"),
        ({"decimal": ",", "thousands": ","}, "thousands", "must differ from decimal"),
        ({"thousands": "."}, "thousands", "must differ from decimal"),
        ({"delimiter": ";;"}, "delimiter", "delimiter must be one character"),
        ({"delimiter": '"'}, "delimiter", "delimiter must be one character"),
        ({"date_format": "dd.mm.yyyy"}, "date_format", "date_format must be a strptime format"),
        ({"date_format": "%Q"}, "date_format", "date_format must be a strptime format"),
    ],
)
def test_dialect_validation(options: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        Dialect(**options)
    assert info.value.field == field


def test_unknown_encoding_never_escapes_as_lookup_error(tmp_path: Path) -> None:
    path = write(tmp_path, "id\nC1\n")
    with pytest.raises(ValidationError, match="'no-such-codec'"):
        Portfolio.from_csv(customers=path, encoding="no-such-codec")


# --- parse_column ------------------------------------------------------------------------------------


def test_sap_trailing_minus() -> None:
    got = parse_column("amount", cells("12,50-", "1.234,56-", "0,00-", "7"), GERMAN)
    assert got.dtype == np.float64 and got.tolist() == [-12.5, -1234.56, -0.0, 7.0]
    assert parse_column("signed", cells("12.50-", "-3"), Dialect()).tolist() == [-12.5, -3.0]
    assert parse_column("amount", cells("-12,50-", "12,50--"), GERMAN).tolist() == ["-12,50-", "12,50--"]


@pytest.mark.parametrize(
    ("text", "dialect"),
    [
        ("1_000", Dialect()),
        ("nan", Dialect()),
        ("NaN", GERMAN),
        ("１２", Dialect()),
        ("١٢", Dialect()),
        ("1.23.4", Dialect(decimal=",", thousands=".")),
        ("1.5", Dialect(decimal=",", thousands=".")),
        ("1234.567,8", Dialect(decimal=",", thousands=".")),
        (".123", Dialect(decimal=",", thousands=".")),
        ("12,34", Dialect(thousands=",")),
        ("1,000", Dialect()),
        ("1.5", Dialect(decimal=",")),
        ("1,5,0", Dialect(decimal=",")),
        ("1e", Dialect()),
        ("--1", Dialect()),
        ("12 EUR", Dialect()),
        ("0x10", Dialect()),
        ("1" * 70, Dialect()),
    ],
)
def test_numbers_that_stay_text(text: str, dialect: Dialect) -> None:
    got = parse_column("money", cells("1", text, None), dialect)
    assert got.dtype == object and got.tolist() == [1.0, text, None]


def test_numbers_in_every_convention() -> None:
    assert parse_column("ratio", cells(" 1.5 ", "-2e3", ".5", "5.", "+3", "", None, "inf"), Dialect()).tolist()[:5] == [
        1.5, -2000.0, 0.5, 5.0, 3.0,
    ]
    assert parse_column("money", cells("1,234,567.5", "12"), Dialect(thousands=",")).tolist() == [1234567.5, 12.0]
    assert parse_column("money", cells("1 234,5", "1\u00a0234", "1\u202f000"), Dialect(decimal=",", thousands=" ")).tolist() == [
        1234.5, 1234.0, 1000.0,
    ]
    assert parse_column("money", cells("1'234'567.25"), Dialect(thousands="'")).tolist() == [1234567.25]
    empty = parse_column("money", cells("", "  ", None), Dialect())
    assert empty.dtype == np.float64 and np.isnan(empty).all()


def test_dates() -> None:
    iso = parse_column("date", cells("2025-03-31", " 2025-01-01 ", "", None), Dialect())
    np.testing.assert_array_equal(iso, np.array(["2025-03-31", "2025-01-01", "NaT", "NaT"], "datetime64[D]"))
    bad = ["2025-3-31", "0000-01-01", "+2025-01-01", "2025-02-30", "20250331", "2025-W01-1", "２０２５-01-01"]
    got = parse_column("date", cells("2025-03-31", *bad, None), Dialect())
    assert got.dtype == object and got.tolist() == [dt.date(2025, 3, 31), *bad, None]
    german = parse_column("date", cells("31.03.2025", "1.4.2025", "31.02.2025", "2025-03-31", "３１.03.2025"), GERMAN)
    assert german.tolist() == [dt.date(2025, 3, 31), dt.date(2025, 4, 1), "31.02.2025", "2025-03-31", "３１.03.2025"]
    timed = Dialect(date_format="%d.%m.%Y %H:%M")
    assert parse_column("date", cells("31.03.2025 00:00", "31.03.2025 10:30"), timed).tolist() == [
        dt.date(2025, 3, 31), "31.03.2025 10:30",
    ]
    many = parse_column("date", cells(*(["31.12.2024"] * 1000), None), GERMAN)
    assert many.dtype == np.dtype("datetime64[D]") and many[0] == np.datetime64("2024-12-31") and np.isnat(many[-1])


def test_bools_and_text() -> None:
    got = parse_column("bool", cells("true", "FALSE", " yes ", "N", "t", "f", "1", "0", "y", "no"), Dialect())
    assert got.dtype == bool and got.tolist() == [True, False, True, False, True, False, True, False, True, False]
    assert parse_column("bool", cells("true", None, " ", "maybe"), Dialect()).tolist() == [True, None, None, "maybe"]
    assert parse_column("text", cells("  Acme ", "", None, "  "), Dialect()).tolist() == ["Acme", None, None, None]
    assert parse_column("id", ["a", "b"], Dialect()).tolist() == ["a", "b"]  # a list is taken too


# --- properties ---------------------------------------------------------------------------------------

NAME = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\ufeff"), min_size=1, max_size=8).filter(
    lambda s: s == s.strip() and s != ""
)
CELL = st.text(
    st.one_of(st.sampled_from(list(',;\t|"\r\n \'.')), st.characters(exclude_categories=("Cs",))), max_size=12
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(NAME, min_size=1, max_size=5, unique=True),
    data=st.data(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    terminator=st.sampled_from(["\r\n", "\n"]),
)
def test_any_table_written_by_the_csv_module_reads_back(
    tmp_path: Path, header: list[str], data: st.DataObject, delimiter: str, quoting: int, terminator: str
) -> None:
    rows = data.draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=8))
    if terminator == "\n":  # the csv module does not quote a lone '\r' then: such a file is ambiguous
        header = [h.replace("\r", "") or "h" for h in header]
        assume(len(set(header)) == len(header))
        rows = [[c.replace("\r", "") for c in row] for row in rows]
    path = tmp_path / "prop.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=delimiter, quoting=quoting, lineterminator=terminator).writerows([header, *rows])
    raw = read_csv(path, Dialect(delimiter=delimiter))
    assert raw.header == tuple(header)
    assert raw.problems == ()
    assert raw.rows.tolist() == list(range(len(rows)))
    for j, name in enumerate(header):
        assert raw.columns[name].tolist() == [row[j] or None for row in rows]


CONVENTIONS = [(".", ""), (".", ","), (",", "."), (",", " "), (".", "'"), (",", ""), (".", " "), (",", "'")]


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


def _localize(standard: str, decimal: str, thousands: str, grouped: bool, trailing: bool) -> str:
    negative = standard.startswith("-")
    body = standard.lstrip("-")
    whole, _, frac = body.partition(".")
    if grouped and thousands:
        whole = _group(whole, thousands)
    text = whole + (decimal + frac if "." in body else "")
    if negative:
        return text + "-" if trailing else "-" + text
    return text


NUMBER = st.tuples(
    st.sampled_from(["", "-"]),
    st.integers(0, 10**15),
    st.one_of(st.none(), st.text("0123456789", max_size=7)),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(numbers=st.lists(NUMBER, min_size=1, max_size=30), convention=st.sampled_from(CONVENTIONS))
def test_numbers_in_any_convention_parse_back_exactly(
    numbers: list[tuple[str, int, str | None, bool, bool]], convention: tuple[str, str]
) -> None:
    decimal, thousands = convention
    standard = [f"{sign}{whole}" + ("" if frac is None else f".{frac}") for sign, whole, frac, _, _ in numbers]
    texts = [
        _localize(s, decimal, thousands, grouped, trailing)
        for s, (_, _, _, grouped, trailing) in zip(standard, numbers, strict=True)
    ]
    got = parse_column("amount", cells(*texts), Dialect(decimal=decimal, thousands=thousands))
    assert got.dtype == np.float64, list(zip(texts, got.tolist(), strict=True))
    assert got.tolist() == [float(s) for s in standard]


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.floats(-1e15, 1e15, allow_nan=False).filter(lambda x: x == 0 or abs(x) > 1e-12), min_size=1),
    convention=st.sampled_from(CONVENTIONS),
    trailing=st.booleans(),
)
def test_floats_printed_in_any_convention_parse_back_exactly(
    values: list[float], convention: tuple[str, str], trailing: bool
) -> None:
    decimal, thousands = convention
    standard = [np.format_float_positional(x, unique=True, trim="-") for x in values]
    assume(all(len(s) < 60 for s in standard))
    texts = [_localize(s, decimal, thousands, True, trailing) for s in standard]
    got = parse_column("money", cells(*texts), Dialect(decimal=decimal, thousands=thousands))
    assert got.dtype == np.float64
    assert got.tolist() == values


# --- Portfolio.from_csv and the CLI readers ----------------------------------------------------------------


def german_book(tmp_path: Path) -> dict[str, Path]:
    customers = write(
        tmp_path,
        "id;name;established;industry_risk;secured_amount;blocked\r\n"
        "K1;Müller GmbH;01.04.1998;0,35;20.000,00;0\r\n"
        "K2;Schmidt & Söhne KG;;;;1\r\n"
        'K3;"Weber; Partner";15.09.2015;-0,1;1.500,50;0\r\n',
        name="kunden.csv",
        encoding="utf-8-sig",
    )
    invoices = write(
        tmp_path,
        "id;customer_id;issued;due;amount\r\n"
        "R-1001;K1;15.01.2025;14.02.2025;12.345,67\r\n"
        "R-1002;K1;01.02.2025;03.03.2025;1.000,00\r\n"
        "R-1003;K2;05.02.2025;07.03.2025;250,00\r\n"
        "R-1004;K3;10.03.2025;09.04.2025;999.999,99\r\n",
        name="rechnungen.csv",
        encoding="utf-8-sig",
    )
    return {"customers": customers, "invoices": invoices}


def test_from_csv_german_book(tmp_path: Path) -> None:
    p = Portfolio.from_csv(
        **german_book(tmp_path), delimiter=";", decimal=",", thousands=".", date_format="%d.%m.%Y"
    )
    assert p.customer_ids.tolist() == ["K1", "K2", "K3"]
    assert p.customers["name"].tolist() == ["Müller GmbH", "Schmidt & Söhne KG", "Weber; Partner"]
    np.testing.assert_array_equal(p.customers["industry_risk"], [0.35, np.nan, -0.1])
    np.testing.assert_array_equal(p.customers["secured_amount"], [20000.0, np.nan, 1500.5])  # empty: unknown
    assert p.customers["blocked"].tolist() == [False, True, False]
    np.testing.assert_array_equal(
        p.customers["established"], np.array(["1998-04-01", "NaT", "2015-09-15"], "datetime64[D]")
    )
    assert p.invoices["amount"].tolist() == [12345.67, 1000.0, 250.0, 999999.99]
    np.testing.assert_array_equal(
        p.invoices["issued"], np.array(["2025-01-15", "2025-02-01", "2025-02-05", "2025-03-10"], "datetime64[D]")
    )
    assert p.invoices["due"][0] == np.datetime64("2025-02-14")
    assert p.rejected == ()
    auto = Portfolio.from_csv(
        **german_book(tmp_path), delimiter="auto", decimal=",", thousands=".", date_format="%d.%m.%Y"
    )
    assert auto.invoices["amount"].tolist() == p.invoices["amount"].tolist()


def test_from_csv_collects_unreadable_lines_with_their_line_numbers(tmp_path: Path) -> None:
    paths = german_book(tmp_path)
    lines = paths["invoices"].read_text(encoding="utf-8-sig").splitlines()
    lines.insert(2, 'R-X;K1;"16.01.2025;15.02.2025;1,00')  # an unterminated quote, as record 1
    lines.insert(4, "R-Y;K2;01.02.2025;03.03.2025;5,00;extra")  # a ragged line, as record 3
    paths["invoices"].write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    options = {"delimiter": ";", "decimal": ",", "thousands": ".", "date_format": "%d.%m.%Y"}
    p = Portfolio.from_csv(**paths, errors="collect", **options)
    assert p.invoices["id"].tolist() == ["R-1001", "R-1002", "R-1003", "R-1004"]
    rejected = [(r.table, r.row) for r in p.rejected]
    assert rejected == [("invoices", 1), ("invoices", 3)]
    reasons = [r.reason for r in p.rejected]
    assert "unterminated quote starting on line 3" in reasons[0]
    assert "line 5 of" in reasons[1] and "has 6 fields, the header has 5 (delimiter ';')" in reasons[1]
    with pytest.raises(ValidationError, match="unterminated quote starting on line 3") as info:
        Portfolio.from_csv(**paths, **options)
    assert info.value.table == "invoices" and info.value.row == 1


def test_from_csv_one_column_header_hints_at_the_delimiter(tmp_path: Path) -> None:
    path = write(tmp_path, "id;name\nC1;Acme\n")
    with pytest.raises(ValidationError, match=r"customers: the header of .* is the single column 'id;name'.*delimiter=';'"):
        Portfolio.from_csv(customers=path)


def test_cli_readers_take_a_dialect(tmp_path: Path) -> None:
    path = write(tmp_path, "id;amount\nC1;1.234,5\nC2;7,25-\nC3;x\nC4;1;2\n")
    columns, n, rows, problems = _cli_io.read_table_ex(path, Dialect(delimiter=";", decimal=",", thousands="."))
    assert n == 3 and rows.tolist() == [0, 1, 2] and columns["id"].tolist() == ["C1", "C2", "C3"]
    assert [row for row, _ in problems] == [3] and "line 5 of" in problems[0][1]
    values, bad = _cli_io.parse_numeric(columns["amount"], Dialect(decimal=",", thousands="."))
    assert values[:2].tolist() == [1234.5, -7.25] and np.isnan(values[2]) and bad.tolist() == [False, False, True]
    with pytest.raises(ValidationError, match=r"line 5 of .* has 3 fields, the header has 2") as info:
        _cli_io.read_table(path, Dialect(delimiter=";"))
    assert info.value.row == 3
    mixed = cells("1,5", 2, None, True, "y")
    values, bad = _cli_io.parse_numeric(mixed, Dialect(decimal=","))
    assert values[:2].tolist() == [1.5, 2.0] and bad.tolist() == [False, False, False, True, True]
    typed = _cli_io.infer_columns({"a": cells("1,5", None), "b": cells("x", "1")}, Dialect(decimal=","))
    assert typed["a"].dtype == np.float64 and typed["b"].tolist() == ["x", "1"]
    plain, n = _cli_io.read_table(write(tmp_path, "a,b\n1,2\n", name="plain.csv"))
    assert n == 1 and plain["b"].tolist() == ["2"]


# --- the vectorized reader: numpy and pyarrow read every file as the csv module does -------------------------

ENGINES = ("numpy", "pyarrow")
PIECES = ["a", "b", "1", " ", ",", ";", '"', '""', "\n", "\r\n", "\r", "\t", "é", "x y", '"q,1"', '"l\nm"', "", "\ufeff"]


def outcome(path: Path, dialect: Dialect, engine: str) -> Any:
    """What reading ``path`` gives: the table, or the error message."""
    try:
        raw = read_csv(path, dialect, engine=engine)
    except ValidationError as exc:
        return ("error", str(exc), exc.row, exc.field)
    return raw.header, raw.delimiter, raw.rows.tolist(), raw.problems, {h: raw.columns[h].tolist() for h in raw.header}


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    pieces=st.lists(st.sampled_from(PIECES), max_size=40),
    delimiter=st.sampled_from([",", ";", "auto"]),
    encoding=st.sampled_from(["utf-8", "latin-1", "utf-8-sig"]),
)
def test_every_engine_reads_any_text_as_the_csv_module(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[str], delimiter: str, encoding: str
) -> None:
    """Damaged files too: quotes never closed, text after a quote, ragged and blank lines, stray BOMs."""
    path = tmp_path_factory.mktemp("engines") / "x.csv"
    try:
        path.write_bytes("".join(pieces).encode(encoding))
    except UnicodeEncodeError:
        return
    dialect = Dialect(delimiter=delimiter, encoding=encoding)
    expected = outcome(path, dialect, "python")
    for engine in ENGINES:
        assert outcome(path, dialect, engine) == expected, engine


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(st.lists(st.sampled_from(["v", "", "1,5", 'q"q', "a\nb", " ", "=1", "é", "\r", "x" * 70]), min_size=2, max_size=2), max_size=8),
    eol=st.sampled_from(["\n", "\r\n"]),
    ragged=st.booleans(),
)
def test_every_engine_reads_a_written_table_as_the_csv_module(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], eol: str, ragged: bool
) -> None:
    text = io_text([["id", "name"], *rows], eol) + ("z,z,z" + eol if ragged else "")
    path = tmp_path_factory.mktemp("written") / "x.csv"
    path.write_bytes(text.encode())
    expected = outcome(path, Dialect(), "python")
    for engine in ENGINES:
        assert outcome(path, Dialect(), engine) == expected, engine


def io_text(rows: list[list[str]], eol: str) -> str:
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator=eol).writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("engine", ["auto", *ENGINES])
def test_engines_keep_the_documented_behaviour(tmp_path: Path, engine: str) -> None:
    text = 'id,name,address\nC1,Acme,"Main St 1\r\n10115 Berlin"\nC2,"Bolt ""Nuts""","a, b"\nC3,Cog,x\n\nC4,Dent\n'
    raw = read_csv(write(tmp_path, text), engine=engine)
    assert table(raw)["address"] == ["Main St 1\r\n10115 Berlin", "a, b", "x"]
    assert table(raw)["name"] == ["Acme", 'Bolt "Nuts"', "Cog"]
    assert raw.rows.tolist() == [0, 1, 2] and [row for row, _ in raw.problems] == [3]
    assert "line 7 of" in raw.problems[0][1] and "has 2 fields, the header has 3" in raw.problems[0][1]
    with pytest.raises(ValidationError, match="engine must be one of"):
        read_csv(write(tmp_path, "a\n1\n"), engine="fast")


def test_pyarrow_is_optional_for_the_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pyarrow (hidden here) the pyarrow engine falls back to numpy, with the same result."""
    import sys

    path = write(tmp_path, "id;amount\nC1;1.234,5\nC2;7\n")
    expected = outcome(path, Dialect(delimiter=";"), "python")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    raw = read_csv(path, Dialect(delimiter=";"), engine="pyarrow")
    assert raw.cells["id"].source == "bytes"
    assert outcome(path, Dialect(delimiter=";"), "pyarrow") == expected


def test_large_files_are_read_with_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyarrow")
    import riskkit._csvfile as csvfile

    path = write(tmp_path, "id,amount\nC1,1.5\nC2,\n")
    assert read_csv(path).cells["id"].source == "bytes"
    monkeypatch.setattr(csvfile, "ARROW_MIN_BYTES", 0)
    raw = read_csv(path, categories=["id"])
    assert raw.cells["id"].source == "arrow" and table(raw) == {"id": ["C1", "C2"], "amount": ["1.5", None]}
    codes, levels = raw.cells["id"].factorize()
    assert codes.tolist() == [0, 1] and levels == ["C1", "C2"]


# --- numbers from bytes ------------------------------------------------------------------------------------------

NUMBER_TEXT = st.text("0123456789.,-+eE '_ainfINFtyx\t\u00a0\u0661\"", max_size=12)


def byte_cells(texts: list[str], encoding: str = "utf-8") -> Any:
    """The cells as a file read as bytes would hold them (a delimiter between them)."""
    from riskkit._csvfile import Cells

    raw = [t.encode(encoding) for t in texts]
    blob = b"|" + b"|".join(raw) + b"|"
    lengths = np.array([len(r) for r in raw], dtype=np.int64)
    starts = 1 + np.concatenate(([0], np.cumsum(lengths + 1)[:-1])) if raw else np.zeros(0, dtype=np.int64)
    return Cells.from_bytes(blob, starts, starts + lengths, None, encoding)


def every_source(texts: list[str]) -> list[Any]:
    """The same cells from bytes, from an object array and (when installed) from pyarrow."""
    from riskkit._csvfile import Cells

    out = [byte_cells(texts), Cells.from_objects(cells(*[t or None for t in texts]))]
    try:
        import pyarrow as pa
    except ImportError:
        return out
    return [*out, Cells.from_arrow(pa.chunked_array([pa.array([t or None for t in texts], pa.string())]))]


def same_numbers(texts: list[str], dialect: Dialect, plain: bool) -> None:
    """Every source parses as the object path (the reference, unchanged) does, bit for bit."""
    from riskkit._csvfile import number_cells

    col = cells(*[t or None for t in texts])
    if plain:
        expected, expected_bad = _cli_io.parse_numeric(col)
    else:
        parsed = parse_column("amount", col, dialect)
        got = parsed.tolist()
        expected = np.array([v if type(v) is float else np.nan for v in got])
        expected_bad = np.array([v is not None and type(v) is not float for v in got])
    for source in every_source(texts):
        values, bad = number_cells(source, dialect, plain=plain)
        assert bad.tolist() == expected_bad.tolist(), (source, texts)
        np.testing.assert_array_equal(values, expected)
        assert np.signbit(values[~bad]).tolist() == np.signbit(expected[~bad]).tolist()
        if not plain:  # parse_column takes the cells too
            got, want = parse_column("amount", source, dialect), parse_column("amount", col, dialect)
            assert got.dtype == want.dtype and repr(got.tolist()) == repr(want.tolist())


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(NUMBER_TEXT, min_size=1, max_size=30), convention=st.sampled_from([*CONVENTIONS, None]))
def test_numbers_from_bytes_are_read_as_before(texts: list[str], convention: tuple[str, str] | None) -> None:
    """Number conventions, trailing minus, blanks, infinities, non-ASCII digits: as parse_column and
    parse_numeric read them (``None``: the command line's plain numbers)."""
    if convention is None:
        same_numbers(texts, Dialect(), plain=True)
    else:
        same_numbers(texts, Dialect(decimal=convention[0], thousands=convention[1]), plain=False)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.floats(allow_nan=False), min_size=1, max_size=40), plain=st.booleans())
def test_numbers_from_bytes_are_correctly_rounded(values: list[float], plain: bool) -> None:
    """Shortest, 17-digit and 20-digit texts of any float: what float() reads."""
    texts = [repr(x) for x in values] + [f"{x:.17e}" for x in values] + [f"{x:.20g}" for x in values]
    same_numbers(texts, Dialect(), plain=plain)


@settings(max_examples=300, deadline=None)
@given(pairs=st.lists(st.tuples(st.integers(0, 10**25), st.integers(-400, 400)), min_size=1, max_size=30))
def test_long_mantissas_and_exponents(pairs: list[tuple[int, int]]) -> None:
    texts = [f"{d}e{k}" for d, k in pairs] + [f"0.{d}" for d, _ in pairs] + [f"-{d}.5e{k}" for d, k in pairs]
    same_numbers(texts, Dialect(), plain=True)
    same_numbers(texts, Dialect(), plain=False)


def test_numbers_at_the_edges_of_doubles() -> None:
    texts = [str(2**53 + 1), str(2**64), str(10**19), str(10**19 - 1), "9007199254740993e-5", "2.2250738585072011e-308",
             "4.9e-324", "1.7976931348623157e308", "1.7976931348623159e308", "1e999", "1e-999", "0e999", "1" * 70,
             "+.5", "5.", " 1.5 ", "  ", "nan", "-Infinity", "12.50-", "1_000"]
    same_numbers(texts, Dialect(), plain=True)
    same_numbers(texts, Dialect(), plain=False)
    same_numbers(["1 234,5", "1\u00a0234", "1\u202f000", "1.234,56-"], Dialect(decimal=",", thousands=" "), plain=False)


def test_cells_of_a_latin_1_file(tmp_path: Path) -> None:
    from riskkit._csvfile import number_cells

    path = write(tmp_path, "id;betrag\nMüller;1.234,5\nSöhne;x\n", encoding="latin-1")
    raw = read_csv(path, Dialect(delimiter=";", encoding="latin-1"), engine="numpy")
    assert raw.cells["id"].texts().tolist() == ["Müller", "Söhne"] and raw.cells["id"].factorize()[1] == ["Müller", "Söhne"]
    values, bad = number_cells(raw.cells["betrag"], Dialect(decimal=",", thousands="."))
    assert values[0] == 1234.5 and bad.tolist() == [False, True]


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.sampled_from(["a", "", "b", "a" * 9, "a" * 17, "é", "x\"y", "y" * 130]), max_size=30))
def test_factorize_is_exact(texts: list[str]) -> None:
    for source in every_source(texts):
        codes, levels = source.factorize()
        table = np.array([*levels, None], dtype=object)
        assert table[codes].tolist() == [t or None for t in texts], source
        assert len(set(levels)) == len(levels) and None not in levels
