"""A tolerant, fast CSV reader for ERP exports.

ERP exports come with semicolons, decimal commas (``10.000,00``), thousands
separators, dates such as ``31.03.2025``, a UTF-8 byte-order mark before a
quoted header cell, ragged lines and unterminated quotes. :func:`read_csv`
reads such a file into raw text columns and lists every record it could not
read, with the file's line number and what was wrong, instead of giving up on
the whole file; :func:`parse_column` turns a text column into numbers, dates,
booleans or clean text by the file's :class:`Dialect`, leaving every cell it
cannot parse as its text so that validation can name it.

Records and rows
----------------
Line numbers in messages are the file's physical lines, from 1 (the header is
usually line 1). The *data records* are numbered from 0 after the header:
every non-blank record counts, kept or rejected, so a record's number does
not change when an earlier one is rejected. A blank line (empty, or holding
only whitespace when the header has more than one column) is not a record and
is skipped. When an unterminated quote is found, only its first physical line
is rejected (one record) and each following line is read again as a record of
its own. :attr:`RawTable.rows` holds the record number of each kept record and
:attr:`RawTable.problems` the number and reason of each rejected one.

Speed
-----
The whole file is parsed by the csv module in one go; only when that finds
an unterminated quote, or a wrong field count in a file with multi-line
records, is it parsed again record by record to resynchronise. Columns are
built with :func:`numpy.fromiter`; numbers are validated and converted on
a character matrix with numpy (no per-cell ``float()``), dates once per
distinct cell. While a file is read or a column parsed, the csv field size
limit is lifted and the cyclic garbage collector paused (the millions of
cell strings would set it off again and again); both are restored when the
last thread is done.

Examples
--------
>>> import os, tempfile
>>> folder = tempfile.TemporaryDirectory()
>>> path = os.path.join(folder.name, "invoices.csv")
>>> with open(path, "w", encoding="utf-8") as fh:
...     _ = fh.write("id;amount;issued\\nI1;1.234,50;31.03.2025\\nI2;7;x;y\\nI3;-2,5;\\n")
>>> german = Dialect(delimiter=";", decimal=",", thousands=".", date_format="%d.%m.%Y")
>>> raw = read_csv(path, german)
>>> raw.rows.tolist(), raw.problems[0][0]
([0, 2], 1)
>>> parse_column("amount", raw.columns["amount"], german).tolist()
[1234.5, -2.5]
>>> parse_column("date", raw.columns["issued"], german)
array(['2025-03-31', 'NaT'], dtype='datetime64[D]')
>>> folder.cleanup()
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as _dt
import gc
import io
import itertools
import os
import re
import threading
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

import attrs
import numpy as np

from riskkit.errors import ValidationError

__all__ = ["DELIMITERS", "Dialect", "RawTable", "header_hint", "parse_column", "read_csv"]

#: The delimiters ``delimiter="auto"`` chooses among, and hints suggest.
DELIMITERS = (",", ";", "\t", "|")

_DECIMALS = (".", ",")
_THOUSANDS = ("", ".", ",", " ", "'")
_NUMBER_KINDS = frozenset({"money", "signed", "ratio", "amount"})
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INF = ("inf", "+inf", "-inf", "infinity", "+infinity", "-infinity")
_MAX_NUMBER_CHARS = 64  # a longer cell is never read as a number (bounds the vectorized work)
_CHUNK = 1 << 18  # cells per vectorized number-parsing step (bounds its memory)
_SNIFF_LINES = 20
_FIELD_LIMIT = 2**31 - 1
_NONE: Any = None  # np.equal(cells, _NONE), typed for mypy
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()


def _show_delimiter(d: str) -> str:
    return "'\\t'" if d == "\t" else repr(d)


@attrs.frozen
class Dialect:
    """How an export writes its cells: separators, decimal convention, dates and encoding.

    Parameters
    ----------
    delimiter : str, default ","
        The field separator: one character such as ``","``, ``";"``,
        ``"\\t"`` or ``"|"``, or ``"auto"`` to take the one of those that
        splits the header into the most fields consistently with the first
        lines.
    decimal : {".", ","}, default "."
        The decimal separator of numbers.
    thousands : {"", ".", ",", " ", "'"}, default ""
        The thousands separator of numbers (``""``: none); it must differ
        from ``decimal``. Separators must group digits by three
        (``1.234.567``), else the cell is not read as a number. With
        ``" "``, no-break spaces are taken as spaces.
    date_format : str, optional
        A :func:`datetime.datetime.strptime` format such as ``"%d.%m.%Y"``;
        default ISO ``YYYY-MM-DD`` only.
    encoding : str, default "utf-8"
        The file's text encoding (a Python codec name such as ``"latin-1"``
        or ``"cp1252"``). A leading byte-order mark is always dropped.

    Raises
    ------
    ValidationError
        A field has a value that is not accepted; the message names the
        field and the accepted values.

    Examples
    --------
    >>> Dialect(delimiter=";", decimal=",", thousands=".").decimal
    ','
    >>> Dialect(decimal=",", thousands=",")
    Traceback (most recent call last):
    ...
    riskkit.errors.ValidationError: thousands (',') must differ from decimal (','); ...
    """

    delimiter: str = ","
    decimal: str = "."
    thousands: str = ""
    date_format: str | None = None
    encoding: str = "utf-8"

    def __attrs_post_init__(self) -> None:
        d = self.delimiter
        if not isinstance(d, str) or not (
            d == "auto" or (len(d) == 1 and d not in "\"\r\n " and not d.isalnum())
        ):
            raise ValidationError(
                f"delimiter must be one character such as ',', ';', '\\t' or '|' (not a quote, space, "
                f"newline, letter or digit), or 'auto'; got {d!r}",
                field="delimiter",
                value=d,
            )
        if self.decimal not in _DECIMALS:
            raise ValidationError(
                f"decimal must be '.' or ','; got {self.decimal!r}", field="decimal", value=self.decimal
            )
        if self.thousands not in _THOUSANDS:
            raise ValidationError(
                f"thousands must be one of '', '.', ',', ' ', \"'\"; got {self.thousands!r}",
                field="thousands",
                value=self.thousands,
            )
        if self.thousands == self.decimal:
            raise ValidationError(
                f"thousands ({self.thousands!r}) must differ from decimal ({self.decimal!r}); "
                "e.g. decimal=',' with thousands='.' or decimal='.' with thousands=','",
                field="thousands",
                value=self.thousands,
            )
        fmt = self.date_format
        if fmt is not None:
            ok = isinstance(fmt, str) and "%" in fmt
            if ok:
                try:
                    sample = _dt.datetime(2001, 2, 3)
                    _dt.datetime.strptime(sample.strftime(fmt), fmt)
                except (ValueError, TypeError):
                    ok = False
            if not ok:
                raise ValidationError(
                    f"date_format must be a strptime format such as '%d.%m.%Y' or '%m/%d/%Y', "
                    f"or None for ISO 'YYYY-MM-DD'; got {fmt!r}",
                    field="date_format",
                    value=fmt,
                )
        try:
            info = codecs.lookup(self.encoding)
        except (LookupError, TypeError):
            info = None
        if info is None or not getattr(info, "_is_text_encoding", True):
            raise ValidationError(
                f"encoding {self.encoding!r} is not a known text encoding; use a Python codec name "
                "such as 'utf-8', 'latin-1', 'cp1252' or 'utf-16'",
                field="encoding",
                value=self.encoding,
            )


@attrs.frozen(eq=False)
class RawTable:
    """A CSV file read into text columns, with the records that could not be read.

    Attributes
    ----------
    path : str
        The file read.
    header : tuple of str
        The column names, stripped of surrounding whitespace.
    columns : dict of str to numpy.ndarray
        One object array per header column: the cell text (``str``), ``None``
        for an empty cell.
    rows : numpy.ndarray
        int64, the data-record number (from 0 after the header, rejected
        records included, blank lines not) of each kept record.
    problems : tuple of (int, str)
        The record number and reason of every record not kept; the reason
        names the file's line(s), what was found and what was expected.
    delimiter : str
        The delimiter used (the one chosen for ``"auto"``).
    """

    path: str
    header: tuple[str, ...]
    columns: dict[str, np.ndarray]
    rows: np.ndarray
    problems: tuple[tuple[int, str], ...]
    delimiter: str

    @property
    def n_rows(self) -> int:
        """Number of kept records."""
        return int(self.rows.size)


# --- reading ----------------------------------------------------------------------

_bulk_lock = threading.Lock()
_bulk_users = 0
_saved_limit = 0
_saved_gc = False


@contextlib.contextmanager
def _bulk() -> Iterator[None]:
    """Lift the csv field size limit and pause the cyclic garbage collector while any thread parses.

    Parsing creates millions of cell strings and row lists, which would set off
    the collector over and over (about three times the parsing time) although
    they hold no reference cycles. Both settings are process-wide: the first
    thread in changes them, the last one out restores them.
    """
    global _bulk_users, _saved_limit, _saved_gc
    with _bulk_lock:
        if _bulk_users == 0:
            _saved_limit = csv.field_size_limit(_FIELD_LIMIT)
            _saved_gc = gc.isenabled()
            gc.disable()
        _bulk_users += 1
    try:
        yield
    finally:
        with _bulk_lock:
            _bulk_users -= 1
            if _bulk_users == 0:
                csv.field_size_limit(_saved_limit)
                if _saved_gc:
                    gc.enable()


def _is_blank(record: list[str], n_columns: int) -> bool:
    """An empty line, or (with more than one column) one holding only whitespace."""
    return not record or (n_columns > 1 and len(record) == 1 and not record[0].strip())


def _split(line: str, delimiter: str) -> list[str]:
    """One record's text split leniently (text after a closing quote is kept, as csv does by default)."""
    try:
        return next(csv.reader(io.StringIO(line, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return []


def _sniff(lines: list[str]) -> str:
    """The delimiter giving the header the most fields, consistently with the next lines."""
    best, best_score = ",", (False, -1.0, 0)
    for d in DELIMITERS:
        try:
            records = [r for r in csv.reader(lines, delimiter=d) if r and any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not records:
            continue
        h = len(records[0])
        body = records[1:]
        agree = sum(len(r) == h for r in body) / len(body) if body else 1.0
        score = (h > 1, agree, h)
        if score > best_score:
            best, best_score = d, score
    return best


def header_hint(header_line: str, delimiter: str, n_columns: int = 1) -> str:
    """A hint naming another delimiter when the header line splits into more fields with it, else ``""``.

    Examples
    --------
    >>> header_hint("id;name;amount", ",")
    "; the header looks ';'-separated: pass delimiter=';'"
    >>> header_hint("id,name", ",", 2)
    ''
    """
    best, most = "", n_columns
    for d in DELIMITERS:
        if d == delimiter:
            continue
        n = len(_split(header_line, d))
        if n > most:
            best, most = d, n
    if not best:
        return ""
    return f"; the header looks {_show_delimiter(best)}-separated: pass delimiter={_show_delimiter(best)}"


def _read_text(name: str, encoding: str, table: str | None) -> str:
    where = f"{table}: " if table else ""
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ValidationError(f"{where}cannot read {name!r}: {reason}", table=table) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.end][:4].hex(" ")
        raise ValidationError(
            f"{where}{name!r} is not valid {encoding}: line {line} has the byte(s) {bad} ({exc.reason}); "
            f"pass encoding= with the file's encoding, e.g. encoding='latin-1' or encoding='cp1252'",
            table=table,
            row=None,
            field="encoding",
            value=encoding,
        ) from None
    return text.removeprefix("\ufeff")


def read_csv(path: str | os.PathLike[str], dialect: Dialect = Dialect(), *, table: str | None = None) -> RawTable:
    """Read a CSV file into text columns, setting aside the records that cannot be read.

    A record whose field count differs from the header's is not kept; it is
    listed in :attr:`RawTable.problems` with its line number, its field count,
    the header's and the delimiter assumed (with a hint when another delimiter
    would split the header into more fields). A quoted field that spans lines
    and leaves a malformed record (wrong field count, the end of the file
    inside the quotes, or text after the closing quote) is taken as an
    unterminated quote: only its first line is rejected and reading resumes
    on the next line. Quoted fields holding line breaks (addresses) that give
    a well-formed record are kept. Cells of any length are read. Record
    numbering: see the module documentation.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    dialect : Dialect, optional
        Delimiter and encoding (the number and date conventions are used by
        :func:`parse_column`).
    table : str, optional
        A table name to put before error messages (``"invoices: ..."``).

    Returns
    -------
    RawTable

    Raises
    ------
    ValidationError
        The file cannot be read or decoded, is empty, has duplicate column
        names or a malformed header, or none of its records can be read.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "customers.csv")
    >>> with open(path, "w", encoding="utf-8") as fh:
    ...     _ = fh.write('\\ufeff"id";"name"\\nC1;Acme\\nC2;"Bolt; Nuts"\\nC3\\n\\nC4;\\n')
    >>> raw = read_csv(path, Dialect(delimiter="auto"))
    >>> raw.header, raw.delimiter
    (('id', 'name'), ';')
    >>> raw.columns["name"].tolist(), raw.rows.tolist()
    (['Acme', 'Bolt; Nuts', None], [0, 1, 3])
    >>> raw.problems[0][1]
    "line 4 of '...customers.csv' has 1 field, the header has 2 (delimiter ';')"
    >>> folder.cleanup()
    """
    try:
        name = os.fspath(path)
    except TypeError:
        raise ValidationError(
            f"{table + ': ' if table else ''}expected a file path, got {type(path).__name__}", table=table
        ) from None
    if not isinstance(dialect, Dialect):
        raise ValidationError(f"dialect must be a riskkit Dialect, got {type(dialect).__name__}", field="dialect")
    where = f"{table}: " if table else ""
    text = _read_text(name, dialect.encoding, table)
    with _bulk():
        return _parse(text, name, dialect, table, where)


def _parse(text: str, name: str, dialect: Dialect, table: str | None, where: str) -> RawTable:
    delimiter = dialect.delimiter
    if delimiter == "auto":
        head = io.StringIO(text, newline="")
        sample = [line for _, line in zip(range(_SNIFF_LINES), head, strict=False)]
        delimiter = _sniff(sample)

    buffer = io.StringIO(text, newline="")
    reader = csv.reader(buffer, delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_start = 0
    while header is None:
        header_start = reader.line_num
        try:
            record = next(reader)
        except StopIteration:
            raise ValidationError(f"{where}{name!r} is empty; expected a header row", table=table) from None
        except csv.Error as exc:
            line = next(itertools.islice(io.StringIO(text, newline=""), header_start, None), "")
            raise ValidationError(
                f"{where}the header of {name!r} (line {header_start + 1}) is malformed: {exc}"
                + header_hint(line, delimiter, 1),
                table=table,
            ) from None
        if record and any(c.strip() for c in record):
            header = [c.strip() for c in record]
    header_end = reader.line_num  # physical lines up to the first data line
    n_columns = len(header)
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ValidationError(f"{where}{name!r} has duplicate column names {dupes}", table=table)
    header_text = "".join(itertools.islice(io.StringIO(text, newline=""), header_start, header_end))
    hint = header_hint(header_text, delimiter, n_columns)

    # fast path: the whole file in one go; line by line only when something is wrong
    result: tuple[list[list[str]], Any, list[tuple[int, str]]] | None
    try:
        records = list(reader)
    except csv.Error:  # an unterminated quote, or text after a closing quote
        result = None
    else:
        result = _fast(records, reader.line_num - header_end, header_end, n_columns, name, delimiter, hint)
    if result is None:
        lines = io.StringIO(text, newline="").readlines()
        result = _resync(lines, header_end, n_columns, name, delimiter, hint)
    kept, rows, problems = result

    if problems and not kept:
        first_row, first = problems[0]
        raise ValidationError(
            f"{where}no record of {name!r} could be read ({len(problems)} malformed); the first: {first}"
            + ("" if hint in first else hint),
            table=table,
            row=first_row,
        )
    n = len(kept)
    columns: dict[str, np.ndarray] = {}
    for j, column in enumerate(header):
        col = np.fromiter(map(itemgetter(j), kept), dtype=object, count=n)
        col[col == ""] = None
        columns[column] = col
    return RawTable(
        path=name,
        header=tuple(header),
        columns=columns,
        rows=np.asarray(rows, dtype=np.int64),
        problems=tuple(problems),
        delimiter=delimiter,
    )


def _mismatch(line: int, found: int, n_columns: int, name: str, delimiter: str, hint: str) -> str:
    return (
        f"line {line} of {name!r} has {found} field{'' if found == 1 else 's'}, the header has {n_columns} "
        f"(delimiter {_show_delimiter(delimiter)})" + hint
    )


def _unterminated(line: int, end: int | None, what: str, name: str) -> str:
    runs = "the end of the file" if end is None else f"line {end}"
    return (
        f"line {line} of {name!r}: unterminated quote starting on line {line}: the quoted field runs to "
        f"{runs} and {what}; line {line} skipped, reading resumes on line {line + 1}"
    )


def _fast(
    records: list[list[str]], n_lines: int, header_end: int, n_columns: int, name: str, delimiter: str, hint: str
) -> tuple[list[list[str]], Any, list[tuple[int, str]]] | None:
    """Sort out a whole-file parse; ``None`` when it needs resynchronising line by line."""
    if set(map(len, records)) <= {n_columns}:
        return records, np.arange(len(records), dtype=np.int64), []
    lengths = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
    good = lengths == n_columns
    blank = lengths == 0
    if n_columns > 1:
        for i in np.flatnonzero(lengths == 1).tolist():
            blank[i] = not records[i][0].strip()
    if not (good | blank).all() and n_lines != len(records):
        return None  # a record spans lines: an unterminated quote may be behind it
    number = np.cumsum(~blank) - 1
    kept_at = np.flatnonzero(good & ~blank)
    problems = [
        (int(number[i]), _mismatch(header_end + i + 1, int(lengths[i]), n_columns, name, delimiter, hint))
        for i in np.flatnonzero(~good & ~blank).tolist()
    ]
    return [records[i] for i in kept_at.tolist()], number[kept_at], problems


def _resync(
    lines: list[str], start: int, n_columns: int, name: str, delimiter: str, hint: str
) -> tuple[list[list[str]], list[int], list[tuple[int, str]]]:
    """Parse record by record; an unterminated quote costs its first line only."""
    kept: list[list[str]] = []
    rows: list[int] = []
    problems: list[tuple[int, str]] = []
    keep, row = kept.append, rows.append
    number = 0
    n = len(lines)
    pos = start
    while pos < n:
        base = first = pos  # first: index of the first line of the record being read
        reader = csv.reader(map(lines.__getitem__, range(pos, n)), delimiter=delimiter, strict=True)
        pos = n
        while True:
            try:
                for record in reader:
                    last = base + reader.line_num  # index after the record's last line
                    if len(record) == n_columns:
                        keep(record)
                        row(number)
                        number += 1
                    elif _is_blank(record, n_columns):
                        pass
                    elif last - first > 1:  # a quoted field ran over lines into a malformed record
                        what = f"the record has {len(record)} fields, the header has {n_columns}"
                        problems.append((number, _unterminated(first + 1, last, what, name)))
                        number += 1
                        pos = first + 1
                        break
                    else:
                        problems.append((number, _mismatch(first + 1, len(record), n_columns, name, delimiter, hint)))
                        number += 1
                    first = last
                break
            except csv.Error as exc:  # the reader goes on with the next line
                last = base + reader.line_num
                error = str(exc)
                if last - first <= 1 and "end of data" not in error:
                    record = _split(lines[first], delimiter)  # text after a closing quote: keep it
                    if len(record) == n_columns:
                        keep(record)
                        row(number)
                        number += 1
                    elif not _is_blank(record, n_columns):
                        problems.append((number, _mismatch(first + 1, len(record), n_columns, name, delimiter, hint)))
                        number += 1
                    first = last
                    continue
                eof = "end of data" in error
                what = "never closes" if eof else f"the record is malformed there ({error})"
                problems.append((number, _unterminated(first + 1, None if eof else last, what, name)))
                number += 1
                pos = first + 1
                break
    return kept, rows, problems


# --- parsing cells ----------------------------------------------------------------


def parse_column(kind: str, cells: np.ndarray, dialect: Dialect = Dialect()) -> np.ndarray:
    """Parse a column of CSV text by its kind; a cell that does not parse stays as it was.

    Parameters
    ----------
    kind : str
        A column kind of the schema (:mod:`riskkit._schema`): ``money``,
        ``signed``, ``ratio`` and ``amount`` are numbers, ``date`` dates,
        ``bool`` booleans, anything else text.
    cells : numpy.ndarray
        Object array of text, ``None`` for an empty cell (as in
        :attr:`RawTable.columns`).
    dialect : Dialect, optional
        The decimal and thousands separators and the date format.

    Returns
    -------
    numpy.ndarray
        Numbers: float64 (empty = NaN) when every non-empty cell is a number,
        else an object array of floats, ``None`` for empty cells and the
        original text of the others. Digits are ASCII only; ``1_000``,
        ``nan`` and misplaced thousands separators are not numbers;
        ``inf``, an exponent (``2e3``) and a trailing minus (``12,50-``, as
        SAP writes negatives) are read. Dates: ``datetime64[D]`` (empty =
        NaT) when every non-empty cell is a date (ISO ``YYYY-MM-DD`` or the
        dialect's ``date_format``; a time of day other than midnight is not
        a date), else an object array of ``datetime.date``, ``None`` and
        text. Booleans: a bool array when every cell is one of
        true/false/1/0/yes/no/y/n/t/f (any case), else an object array of
        ``True``, ``False``, ``None`` and text. Text: the stripped text,
        ``None`` for an empty cell. Whitespace-only cells are empty.

    Examples
    --------
    >>> import numpy as np
    >>> german = Dialect(decimal=",", thousands=".")
    >>> parse_column("amount", np.array(["1.234,56", "12,50-", None], dtype=object), german)
    array([1234.56,  -12.5 ,      nan])
    >>> parse_column("money", np.array(["1.5", "1_000", "nan", None], dtype=object)).tolist()
    [1.5, '1_000', 'nan', None]
    >>> parse_column("date", np.array(["2025-03-31", None], dtype=object))
    array(['2025-03-31', 'NaT'], dtype='datetime64[D]')
    >>> parse_column("bool", np.array(["Yes", "n", "maybe"], dtype=object)).tolist()
    [True, False, 'maybe']
    """
    if not isinstance(cells, np.ndarray) or cells.dtype != object:
        arr = np.empty(len(cells), dtype=object)
        arr[:] = list(cells)
        cells = arr
    if cells.ndim != 1:
        raise ValidationError(f"cells must be one-dimensional, got shape {cells.shape}")
    with _bulk():
        if kind in _NUMBER_KINDS:
            return _parse_numbers(cells, dialect)
        if kind == "date":
            return _parse_dates(cells, dialect.date_format)
        if kind == "bool":
            return _parse_bools(cells)
        return _parse_text(cells)


def _parse_text(cells: np.ndarray) -> np.ndarray:
    values = cells.tolist()
    return np.fromiter(
        ((c.strip() or None) if type(c) is str else c for c in values), dtype=object, count=len(values)
    )


def _parse_bools(cells: np.ndarray) -> np.ndarray:
    values = cells.tolist()
    meaning: dict[str, bool | str | None] = {}
    for c in dict.fromkeys(v for v in values if type(v) is str):
        low = c.strip().lower()
        meaning[c] = True if low in _TRUE else False if low in _FALSE else (c if low else None)
    parsed = [meaning[v] if type(v) is str else v for v in values]
    if all(type(v) is bool for v in parsed):
        return np.array(parsed, dtype=bool)
    out = np.empty(cells.size, dtype=object)
    out[:] = parsed
    return out


def _parse_date(text: str, date_format: str | None) -> Any:
    """One cell: a date, None for empty, or the text itself when it is not a date."""
    s = text.strip()
    if not s:
        return None
    if date_format is None:
        if _ISO_DATE.fullmatch(s):
            try:
                return _dt.date.fromisoformat(s)
            except ValueError:
                return text
        return text
    if not s.isascii() and any(ch.isdigit() and not ch.isascii() for ch in s):
        return text
    try:
        when = _dt.datetime.strptime(s, date_format)
    except ValueError:
        return text
    if when.time() != _dt.time(0):
        return text
    return when.date()


def _parse_dates(cells: np.ndarray, date_format: str | None) -> np.ndarray:
    values = cells.tolist()
    try:
        unique = list(dict.fromkeys(values))
    except TypeError:  # unhashable values: not from a CSV file
        unique = None
    if unique is None:
        out = np.empty(cells.size, dtype=object)
        out[:] = [_parse_date(v, date_format) if type(v) is str else v for v in values]
        return out
    parsed = [_parse_date(v, date_format) if type(v) is str else v for v in unique]
    if all(v is None or type(v) is _dt.date for v in parsed):
        nat = np.datetime64("NaT", "D").astype(np.int64)
        day = {u: nat if v is None else v.toordinal() - _EPOCH_ORDINAL for u, v in zip(unique, parsed, strict=True)}
        ints = np.fromiter(map(day.__getitem__, values), dtype=np.int64, count=len(values))
        return ints.view("datetime64[D]")
    lookup = dict(zip(unique, parsed, strict=True))
    return np.fromiter(map(lookup.__getitem__, values), dtype=object, count=len(values))


def _parse_numbers(cells: np.ndarray, dialect: Dialect) -> np.ndarray:
    n = cells.size
    values = cells.tolist()
    if set(map(type, values)) <= {str, type(None)}:
        texts = list(filter(None, values))  # the non-empty cells
        if len(texts) == n:
            empty = np.zeros(n, dtype=bool)
            at = np.arange(n)
        else:
            empty = np.equal(cells, _NONE) | np.equal(cells, "")
            at = np.flatnonzero(~empty)
    else:  # not from a CSV file: only the text cells are parsed, other values stay as they are
        empty = np.fromiter((v is None for v in values), dtype=bool, count=n)
        at = np.flatnonzero(np.fromiter((type(v) is str and v != "" for v in values), dtype=bool, count=n))
        texts = [values[i] for i in at.tolist()]
        empty[[i for i, v in enumerate(values) if v == "" and type(v) is str]] = True
    result = np.full(n, np.nan)
    ok = np.zeros(n, dtype=bool)
    for lo in range(0, len(texts), _CHUNK):
        idx = at[lo : lo + _CHUNK]
        got, good, blank = _number_texts(texts[lo : lo + _CHUNK], dialect)
        result[idx[good]] = got[good]
        ok[idx[good]] = True
        empty[idx[blank]] = True
    if (ok | empty).all():
        return result
    out = cells.copy()
    out[empty] = None
    out[ok] = result[ok]
    return out


_ASCII_SPACE = np.zeros(256, dtype=bool)  # what str.strip() removes, among ASCII bytes
_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True


def _number_texts(texts: list[str], dialect: Dialect) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse non-empty cell texts: (floats, which are numbers, which are only whitespace)."""
    m = len(texts)
    matrix = _ascii_matrix(texts)
    if matrix is None:  # non-ASCII text, or cells holding line breaks: go through a unicode array
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=m)
        short = lengths <= _MAX_NUMBER_CHARS
        text = np.array(texts if short.all() else [t if s else "" for t, s in zip(texts, short.tolist(), strict=True)])
        text = np.strings.strip(text.astype(str))
        if dialect.thousands == " ":
            text = np.strings.replace(np.strings.replace(text, "\u00a0", " "), "\u202f", " ")
        length = np.strings.str_len(text).astype(np.int64)
        width = max(int(length.max(initial=0)), 1)
        codes = text.astype(f"U{width}").view(np.uint32).reshape(m, width)
    else:
        codes, length, short = matrix
    values, good = _numbers(codes, length, dialect)
    good &= short
    return values, good, (length == 0) & short


def _ascii_matrix(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """ASCII cells stripped and laid out as a uint8 matrix (one row per cell, zero-padded), or None."""
    m = len(texts)
    joined = "\n".join(texts)
    if not m or not joined.isascii():
        return None
    for _ in range(2):
        buffer = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        ends = np.flatnonzero(buffer == 10)
        if ends.size != m - 1:
            return None  # a cell holds a line break
        starts = np.zeros(m, dtype=np.int64)
        starts[1:] = ends + 1
        stops = np.full(m, buffer.size, dtype=np.int64)
        stops[:-1] = ends
        length = stops - starts
        filled = length > 0
        edges = np.concatenate([buffer[starts[filled]], buffer[stops[filled] - 1]])
        if not _ASCII_SPACE[edges].any():
            break
        joined = "\n".join([t.strip() for t in texts])  # surrounding whitespace: strip, lay out again
    short = length <= _MAX_NUMBER_CHARS
    length[~short] = 0
    width = max(int(length.max()), 1)
    offsets = np.arange(width)
    inside = offsets[None, :] < length[:, None]
    if buffer.size == 0:
        return np.zeros((m, width), dtype=np.uint8), length, short
    gather = np.minimum(starts[:, None] + offsets[None, :], buffer.size - 1)
    codes = np.where(inside, buffer[gather], np.uint8(0))
    return codes, length, short


def _numbers(codes: np.ndarray, length: np.ndarray, dialect: Dialect) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized over a code matrix (uint8 or uint32, one zero-padded row per stripped cell):
    the float of each row and whether it is a number in the dialect."""
    m, width = codes.shape
    values = np.full(m, np.nan)
    if m == 0:
        return values, np.zeros(0, dtype=bool)
    u = codes.dtype.type
    pos = np.arange(width)[None, :]
    rows = np.arange(m)

    first = codes[:, 0]
    lastc = codes[rows, np.maximum(length - 1, 0)]
    lead = (first == u(ord("+"))) | (first == u(ord("-")))
    trail = (lastc == u(ord("-"))) & (length > 1) & ~lead
    b0 = lead.astype(np.int64)
    b1 = length - trail
    body = (pos >= b0[:, None]) & (pos < b1[:, None])

    digit = (codes - u(ord("0"))) < u(10)
    is_e = ((codes == u(ord("e"))) | (codes == u(ord("E")))) & body
    n_e = is_e.sum(axis=1)
    epos = np.where(n_e == 1, is_e.argmax(axis=1), b1)
    mantissa = body & (pos < epos[:, None])
    if n_e.any():
        exponent = body & (pos > epos[:, None])
        exp_sign = exponent & (pos == epos[:, None] + 1) & ((codes == u(ord("+"))) | (codes == u(ord("-"))))
        exp_digits = (exponent & digit).sum(axis=1)
        exp_ok = (n_e == 0) | (
            (exp_digits >= 1) & (exp_digits + exp_sign.sum(axis=1) == exponent.sum(axis=1)) & ~trail
        )
    else:
        exp_ok = np.ones(m, dtype=bool)

    is_dec = (codes == u(ord(dialect.decimal))) & mantissa
    n_dec = is_dec.sum(axis=1)
    dpos = np.where(n_dec == 1, is_dec.argmax(axis=1), epos)
    integer = mantissa & (pos < dpos[:, None])
    mant_digits = (mantissa & digit).sum(axis=1)
    int_digits = (integer & digit).sum(axis=1)
    int_len = dpos - b0
    frac_len = epos - dpos - (n_dec == 1)
    good = (n_e <= 1) & (n_dec <= 1) & (mant_digits >= 1) & exp_ok & (mant_digits - int_digits == frac_len)
    if dialect.thousands:
        sep = integer & (codes == u(ord(dialect.thousands)))
        n_sep = sep.sum(axis=1)
        if n_sep.any():
            # a separator belongs every 4th place left of the decimal point: pos = dpos (mod 4)
            misplaced = (sep & ((pos % 4).astype(np.uint8) != (dpos % 4).astype(np.uint8)[:, None])).any(axis=1)
            grouped = (n_sep == 0) | ((int_len % 4 != 0) & (n_sep == int_len // 4) & ~misplaced)
            good &= grouped & (int_digits + n_sep == int_len)
        else:
            sep = None
            good &= int_digits == int_len
    else:
        sep = None
        good &= int_digits == int_len
    if good.any():
        sel = np.flatnonzero(good)
        kind = np.bytes_ if codes.dtype == np.uint8 else np.str_
        text: Any = np.ascontiguousarray(codes[sel]).view(np.dtype((kind, width))).ravel()

        def lit(c: str) -> Any:
            return c.encode("ascii") if kind is np.bytes_ else c

        if sep is not None:
            text = np.strings.replace(text, lit(dialect.thousands), lit(""))
        if dialect.decimal != ".":
            text = np.strings.replace(text, lit(dialect.decimal), lit("."))
        tail = trail[sel]
        if tail.any():
            text = np.strings.rstrip(text, lit("-"))  # only a trailing minus ends a number in '-'
        parsed = text.astype(np.float64)
        values[sel] = np.where(tail, -parsed, parsed)
    maybe_inf = ~good & (length >= 3) & (length <= 9)
    if maybe_inf.any():
        kind = np.bytes_ if codes.dtype == np.uint8 else np.str_
        for i in np.flatnonzero(maybe_inf).tolist():
            cell = np.ascontiguousarray(codes[i]).view(np.dtype((kind, width)))[0]
            word = (cell.decode("ascii") if isinstance(cell, bytes) else str(cell)).lower()
            if word in _INF:
                values[i] = -np.inf if word[0] == "-" else np.inf
                good[i] = True
    return values, good
