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
A file is split without a Python object per cell. numpy finds every
delimiter, line break and quote character in its bytes (a slice of whole
lines at a time, so the masks stay in cache) and counts the quotes to skip
the delimiters and line breaks inside quoted fields; each column is kept as
:class:`Cells`, each cell's start and end in the file's bytes. Files of 8 MiB
or more are split by pyarrow's CSV reader in threads instead, when pyarrow is
installed (the optional ``pyarrow`` extra; imported only then), the columns
kept in pyarrow's buffers. Either way a column is turned into Python text
only when :attr:`RawTable.columns` is asked for it: numbers are parsed from
the bytes (:func:`number_cells`, exactly as before: correctly rounded, every
dialect), text columns factorized into codes and distinct values
(:meth:`Cells.factorize`).

Both read exactly what the csv module reads, and only files written plainly:
every quoted field quoted the standard way (it begins and ends with the
quote, doubles the quotes inside), no carriage return alone, an encoding in
which ASCII bytes are ASCII (UTF-8, ASCII, Latin-1, cp1252, ISO 8859-15).
Anything else - an unterminated quote, text after a closing quote, a quoted
line break in a damaged file, UTF-16 - is parsed by the csv module in one go
and, when that finds an unterminated quote or a wrong field count in a file
with multi-line records, again record by record to resynchronise. There,
columns are built with :func:`numpy.fromiter`, and while a file is read or a
column parsed the csv field size limit is lifted and the cyclic garbage
collector paused (the millions of cell strings would set it off again and
again); both are restored when the last thread is done. Numbers of an object
column are validated and converted on a character matrix with numpy (no
per-cell ``float()``), dates once per distinct cell.

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
from collections.abc import Collection, Iterator, Mapping
from operator import itemgetter
from typing import Any

import attrs
import numpy as np

from riskkit.errors import ValidationError

__all__ = ["DELIMITERS", "Cells", "Dialect", "RawTable", "header_hint", "number_cells", "parse_column", "read_csv"]

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
_ENGINES = ("auto", "pyarrow", "numpy", "python")
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
    columns : mapping of str to numpy.ndarray
        One object array per header column: the cell text (``str``), ``None``
        for an empty cell. A file read as bytes makes each array when it is
        first asked for.
    rows : numpy.ndarray
        int64, the data-record number (from 0 after the header, rejected
        records included, blank lines not) of each kept record.
    problems : tuple of (int, str)
        The record number and reason of every record not kept; the reason
        names the file's line(s), what was found and what was expected.
    delimiter : str
        The delimiter used (the one chosen for ``"auto"``).
    cells : mapping of str to Cells
        The same columns as :class:`Cells` (numbers parsed and text factorized
        without a Python object per cell when the file was read as bytes).
    """

    path: str
    header: tuple[str, ...]
    columns: Mapping[str, np.ndarray]
    rows: np.ndarray
    problems: tuple[tuple[int, str], ...]
    delimiter: str
    cells: Mapping[str, Cells] = attrs.field(factory=dict, repr=False)

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


def read_csv(
    path: str | os.PathLike[str],
    dialect: Dialect = Dialect(),
    *,
    table: str | None = None,
    engine: str = "auto",
    categories: Collection[str] = (),
) -> RawTable:
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
    engine : {"auto", "pyarrow", "numpy", "python"}, default "auto"
        How the file is split into cells: ``"numpy"`` splits its bytes with
        numpy; ``"pyarrow"`` with pyarrow's CSV reader (in threads) when it
        is installed, else as ``"numpy"``; ``"auto"`` takes pyarrow for
        files of 8 MiB or more when it is installed, else numpy; ``"python"``
        uses the csv module. Whatever the engine, the result is the same: a
        file that the faster engines cannot read exactly as the csv module
        does (an unterminated quote, text after a closing quote, a quoted
        line break in a damaged file, an encoding other than UTF-8, ASCII,
        Latin-1 or cp1252 ...) is read by the csv module.
    categories : collection of str, optional
        Columns that will be factorized (:meth:`Cells.factorize`): pyarrow
        encodes them as it reads. Nothing else changes.

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
    if engine not in _ENGINES:
        raise ValidationError(f"engine must be one of {', '.join(map(repr, _ENGINES))}; got {engine!r}", field="engine")
    where = f"{table}: " if table else ""
    blob = _read_bytes(name, table)
    if engine != "python":
        fast = _read_fast(blob, name, dialect, table, engine, frozenset(categories))
        if fast is not None:
            return fast
    text = _decode(blob, name, dialect.encoding, table)
    del blob
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
        cells={column: Cells.from_objects(col) for column, col in columns.items()},
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


# --- the vectorized reader: cells as bytes ----------------------------------------

#: Encodings in which a byte below 0x80 is always that ASCII character: the file is split as bytes.
_BYTE_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "ascii", "iso8859-1", "cp1252", "iso8859-15"})
_BOM = b"\xef\xbb\xbf"
_QUOTE = 34
_LF = 10
_CR = 13
_SCAN_BYTES = 1 << 18  # bytes per step when looking for delimiters and line breaks (the masks stay in cache)
_PREFIX = 1 << 16  # bytes decoded to find the header (more when the header is longer)
_WORD = 8
#: Files at least this large are read with pyarrow when it is installed (its import costs more than it saves below).
ARROW_MIN_BYTES = 8 << 20


def _arrow_values(arr: Any, dtype: Any) -> np.ndarray:
    """A primitive pyarrow array's values as numpy, read from its buffer (pyarrow's to_numpy imports pandas)."""
    buffer = arr.buffers()[1]
    if buffer is None:
        return np.zeros(len(arr), dtype=dtype)
    return np.frombuffer(buffer, dtype=dtype)[arr.offset : arr.offset + len(arr)]


def _arrow_valid(arr: Any) -> np.ndarray | None:
    """Which entries of a pyarrow array are not null; None when none is."""
    if not arr.null_count:
        return None
    bits = np.unpackbits(np.frombuffer(arr.buffers()[0], dtype=np.uint8), bitorder="little")
    return bits[arr.offset : arr.offset + len(arr)].astype(bool)


def _arrow_array(values: np.ndarray) -> Any:
    """A numpy array of numbers as a pyarrow array, without pyarrow's pandas checks."""
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    kind = {np.dtype(np.float64): pa.float64(), np.dtype(np.int64): pa.int64()}[values.dtype]
    return pa.Array.from_buffers(kind, values.size, [None, pa.py_buffer(values)])


def _arrow_call(function: str, *args: Any, to: Any = None) -> Any:
    """A pyarrow compute function (``to``: the type of a cast), without importing pyarrow.compute
    (its import, docstrings and all, costs a short-lived command line 0.1 s)."""
    try:
        from pyarrow._compute import CastOptions, call_function
    except ImportError:  # pragma: no cover - pyarrow moved its internals
        from pyarrow.compute import CastOptions, call_function
    return call_function(function, list(args), CastOptions(target_type=to) if to is not None else None)


def _whole(arr: Any) -> Any:
    """One pyarrow array of a chunked one (with 64-bit offsets when the text passes 2 GiB)."""
    if not hasattr(arr, "combine_chunks"):
        return arr
    if arr.num_chunks == 1:
        return arr.chunk(0)
    try:
        return arr.combine_chunks()
    except Exception:  # ArrowInvalid: offset overflow
        import pyarrow as pa

        return _arrow_call("cast", arr, to=pa.large_string()).combine_chunks()


def _decoded(blob: bytes, starts: np.ndarray, ends: np.ndarray, encoding: str) -> np.ndarray:
    return np.fromiter(
        (blob[a:b].decode(encoding) if b > a else None for a, b in zip(starts.tolist(), ends.tolist(), strict=True)),
        dtype=object,
        count=starts.size,
    )


class Cells:
    """One column of a CSV file, kept as the file's bytes until a cell is needed as text.

    Reading a column this way makes no Python object per cell: numbers are
    parsed from the bytes (:func:`number_cells`), a text column is factorized
    into codes and its distinct values (:meth:`factorize`), and :meth:`texts`
    builds the object array of :attr:`RawTable.columns` only when it is asked
    for. The cells come from one of:

    * the file's bytes (``data``, uint8): each cell's ``starts`` and ``ends``
      (quotes removed), ``escaped`` marking the quoted cells that hold a
      doubled quote (``""`` stands for ``"``), and the file's ``encoding``;
    * a pyarrow string column (null for an empty cell);
    * an object array of text and ``None`` (the csv module's reading, JSON
      lines, Parquet).

    Examples
    --------
    >>> cells = Cells.from_objects(np.array(["b", None, "a", "b"], dtype=object))
    >>> len(cells), cells.texts().tolist()
    (4, ['b', None, 'a', 'b'])
    >>> codes, levels = cells.factorize()
    >>> codes.tolist(), levels
    ([0, -1, 1, 0], ['b', 'a'])
    """

    __slots__ = ("_arrow", "_blob", "_objects", "data", "encoding", "ends", "escaped", "starts")

    def __init__(self) -> None:
        self._arrow: Any = None
        self._blob: bytes = b""
        self._objects: np.ndarray | None = None
        self.data: np.ndarray = np.zeros(0, dtype=np.uint8)
        self.starts: np.ndarray = np.zeros(0, dtype=np.int64)
        self.ends: np.ndarray = np.zeros(0, dtype=np.int64)
        self.escaped: np.ndarray | None = None
        self.encoding = "utf-8"

    @classmethod
    def from_bytes(
        cls, blob: bytes, starts: np.ndarray, ends: np.ndarray, escaped: np.ndarray | None = None, encoding: str = "utf-8"
    ) -> Cells:
        """Cells ``blob[starts[i]:ends[i]]`` (``escaped``: doubled quotes to undo), text in ``encoding``."""
        out = cls()
        out._blob = blob
        out.data = np.frombuffer(blob, dtype=np.uint8)
        out.starts = np.asarray(starts, dtype=np.int64)
        out.ends = np.asarray(ends, dtype=np.int64)
        out.escaped = escaped if escaped is not None and escaped.any() else None
        out.encoding = encoding
        return out

    @classmethod
    def from_arrow(cls, column: Any) -> Cells:
        """Cells of a pyarrow string column (array or chunked array; null = empty cell)."""
        out = cls()
        out._arrow = column
        return out

    @classmethod
    def from_objects(cls, values: np.ndarray) -> Cells:
        """Cells of an object array of text, ``None`` for an empty cell."""
        out = cls()
        out._objects = values
        return out

    @property
    def source(self) -> str:
        """``"bytes"``, ``"arrow"`` or ``"objects"``."""
        return "objects" if self._objects is not None else "arrow" if self._arrow is not None else "bytes"

    def __len__(self) -> int:
        if self._objects is not None:
            return int(self._objects.size)
        if self._arrow is not None:
            return len(self._arrow)
        return int(self.starts.size)

    def __repr__(self) -> str:
        return f"<Cells: {len(self)} from {self.source}>"

    def take(self, index: np.ndarray) -> Cells:
        """The cells at ``index`` (integer positions or a boolean mask), from the same source."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        if self._objects is not None:
            return Cells.from_objects(self._objects[index])
        if self._arrow is not None:
            return Cells.from_arrow(_arrow_call("take", self._arrow, _arrow_array(index.astype(np.int64))))
        escaped = None if self.escaped is None else self.escaped[index]
        return Cells.from_bytes(self._blob, self.starts[index], self.ends[index], escaped, self.encoding)

    def texts(self) -> np.ndarray:
        """The cells as an object array of text, ``None`` for an empty cell (what the csv module gives)."""
        if self._objects is not None:
            return self._objects
        if self._arrow is not None:
            data, starts, ends, _ = self.byte_view()  # type: ignore[misc]
            return _decoded(data.tobytes(), starts, ends, "utf-8")
        out = _decoded(self._blob, self.starts, self.ends, self.encoding)
        if self.escaped is not None:
            for i in np.flatnonzero(self.escaped).tolist():
                out[i] = out[i].replace('""', '"')
        return out

    def __getitem__(self, i: int) -> str | None:
        return self.text(i)

    def is_empty(self) -> np.ndarray:
        """Which cells are empty (``None`` in :meth:`texts`)."""
        if self._objects is not None:
            return np.asarray(np.equal(self._objects, _NONE), dtype=bool)
        _, starts, ends, _ = self.byte_view()  # type: ignore[misc]
        return np.asarray(ends <= starts)

    def text(self, i: int) -> str | None:
        """One cell as text, ``None`` when empty."""
        if self._objects is not None:
            value = self._objects[i]
            return None if value is None else value
        if self._arrow is not None:
            value = self._arrow[i].as_py()
            return value if value else None
        a, b = int(self.starts[i]), int(self.ends[i])
        if b <= a:
            return None
        text = self._blob[a:b].decode(self.encoding)
        return text.replace('""', '"') if self.escaped is not None and self.escaped[i] else text

    def byte_view(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None] | None:
        """``(data, starts, ends, escaped)`` of cells held as bytes (pyarrow's buffers too), else None."""
        if self._objects is not None:
            return None
        if self._arrow is None:
            return self.data, self.starts, self.ends, self.escaped
        arr = _whole(self._strings())
        buffers = arr.buffers()
        wide = str(arr.type) in ("large_string", "large_utf8")
        offsets = np.frombuffer(buffers[1], dtype=np.int64 if wide else np.int32)[arr.offset : arr.offset + len(arr) + 1]
        data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, dtype=np.uint8)
        starts = offsets[:-1].astype(np.int64)
        ends = offsets[1:].astype(np.int64)
        valid = _arrow_valid(arr)
        if valid is not None:  # a null's bytes are no cell
            ends = np.where(valid, ends, starts)
        return data, starts, ends, None

    def _is_dictionary(self) -> bool:
        return str(self._arrow.type).startswith("dictionary")

    def _strings(self) -> Any:
        """The pyarrow column as strings (a dictionary-encoded one decoded)."""
        if self._is_dictionary():
            import pyarrow as pa

            return _arrow_call("cast", self._arrow, to=pa.string())
        return self._arrow

    def _encoded(self) -> list[Any]:
        """The pyarrow column dictionary-encoded, as chunks sharing one dictionary."""
        import pyarrow as pa

        if not self._is_dictionary():
            return [_arrow_call("dictionary_encode", _whole(self._arrow))]
        column = self._arrow if hasattr(self._arrow, "chunks") else pa.chunked_array([self._arrow])
        return list(pa.table({"c": column}).unify_dictionaries().column(0).chunks)

    def factorize(self) -> tuple[np.ndarray, list[str]]:
        """``(codes, levels)``: each cell's index into its distinct texts (-1 = empty), in order of first appearance."""
        if self._objects is not None:
            return _factorize_objects(self._objects)
        if self._arrow is not None:
            chunks = self._encoded()
            parts = []
            for chunk in chunks:
                part = _arrow_values(chunk.indices, np.int32).astype(np.intp)
                valid = _arrow_valid(chunk.indices)
                if valid is not None:
                    part[~valid] = -1
                parts.append(part)
            codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)
            levels = [str(v) for v in chunks[0].dictionary.to_pylist()] if chunks else []
            if "" in levels:  # an empty string is an empty cell
                empty = levels.index("")
                levels.pop(empty)
                codes = np.where(codes == empty, -1, np.where(codes > empty, codes - 1, codes))
            return codes, levels
        return _factorize_bytes(self)


def _factorize_objects(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    index: dict[Any, int] = {}
    for v in values.tolist():
        if v is not None and v not in index:
            index[v] = len(index)
    index_get = index.get
    codes = np.fromiter((-1 if v is None else index_get(v, -1) for v in values.tolist()), dtype=np.intp, count=values.size)
    return codes, list(index)


def _gather(data: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """``width`` bytes from each of ``starts`` as a uint8 matrix, one row each (zero past the end of data).

    One gather of ``width``-byte items, read unaligned straight from the buffer."""
    m, n = starts.size, data.size
    out = np.zeros((m, width), dtype=np.uint8)
    if width == 0 or m == 0:
        return out
    last = n - width  # the last start with ``width`` bytes after it
    if last >= 0:
        items = np.ndarray(shape=(last + 1,), dtype=np.dtype((np.void, width)), buffer=data, strides=(1,))
        out[:] = items[np.minimum(starts, last)].view(np.uint8).reshape(m, width)
    tail = np.flatnonzero(starts > last)
    if tail.size:  # near the end: from a padded copy of the last bytes
        lo = max(last, 0)
        padded = np.zeros(n - lo + width, dtype=np.uint8)
        padded[: n - lo] = data[lo:]
        out[tail] = padded[(starts[tail] - lo)[:, None] + np.arange(width)[None, :]]
    return out


def _cell_bytes(data: np.ndarray, starts: np.ndarray, length: np.ndarray, width: int | None = None) -> np.ndarray:
    """Each cell's bytes as a uint8 matrix, zero past the cell's end."""
    if width is None:
        width = int(length.max(initial=0))
    out = _gather(data, starts, width)
    if width:
        out *= np.arange(width)[None, :] < length[:, None]
    return out


#: Odd multipliers of a cell's 8-byte words in its hash (any odd numbers; equal hashes are checked byte for byte).
_HASH_MULTIPLIERS = np.array([(0x9E3779B97F4A7C15 * (2 * k + 1)) % 2**64 | 1 for k in range(16)], dtype=np.uint64)


def _factorize_bytes(cells: Cells) -> tuple[np.ndarray, list[str]]:
    """Exact factorization of byte cells: each cell's bytes as uint64 words, hashed, grouped, then compared."""
    data, starts, ends = cells.data, cells.starts, cells.ends
    m = starts.size
    length = ends - starts
    if m == 0:
        return np.zeros(0, dtype=np.intp), []
    n_words = int((length.max() + _WORD - 1) // _WORD)
    if n_words > 16:  # cells longer than 128 bytes: through their text
        return _factorize_objects(cells.texts())
    matrix = _cell_bytes(data, starts, length, n_words * _WORD).view("<u8")
    h = (matrix * _HASH_MULTIPLIERS[:n_words]).sum(axis=1, dtype=np.uint64)
    h ^= length.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    rep = first[inverse]
    same = (length == length[rep]) & (matrix == matrix[rep]).all(axis=1)  # the hash only groups; bytes decide
    if not same.all():  # two texts with one hash: never seen, but exactness first
        return _factorize_objects(cells.texts())
    order = np.argsort(first, kind="stable")  # levels in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    codes = rank[inverse].astype(np.intp)
    keep = first[order]
    empty_level = np.flatnonzero(length[keep] == 0)
    levels = [cells.text(int(i)) for i in keep.tolist()]
    if empty_level.size:
        e = int(empty_level[0])
        levels.pop(e)
        codes = np.where(codes == e, -1, np.where(codes > e, codes - 1, codes))
    return codes, [str(v) for v in levels]


def _codec(encoding: str) -> str:
    return codecs.lookup(encoding).name


def _read_bytes(name: str, table: str | None) -> bytes:
    where = f"{table}: " if table else ""
    try:
        with open(name, "rb") as fh:
            return fh.read()
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ValidationError(f"{where}cannot read {name!r}: {reason}", table=table) from None


def _decode(data: bytes, name: str, encoding: str, table: str | None) -> str:
    where = f"{table}: " if table else ""
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


class _Header:
    """The header found at the start of a file read as bytes."""

    __slots__ = ("data_start", "delimiter", "hint", "line_end", "names")

    def __init__(self, names: list[str], delimiter: str, data_start: int, line_end: int, hint: str) -> None:
        self.names = names
        self.delimiter = delimiter
        self.data_start = data_start  # byte offset of the first data line
        self.line_end = line_end  # physical lines up to the first data line
        self.hint = hint


def _find_header(blob: bytes, start: int, dialect: Dialect, encoding: str) -> _Header | None:
    """The header of a file's bytes from ``start``, found as :func:`_parse` finds it; None to let that path decide."""
    size = _PREFIX
    while True:
        whole = start + size >= len(blob)
        cut = len(blob) if whole else blob.rfind(b"\n", start, start + size) + 1
        if cut <= start:
            if whole:
                return None  # an empty file: the csv module's path says so
            size *= 4
            continue
        try:
            prefix = blob[start:cut].decode(encoding)
        except UnicodeDecodeError:
            return None
        lines = io.StringIO(prefix, newline="").readlines()
        if not whole and len(lines) <= _SNIFF_LINES:
            size *= 4
            continue
        delimiter = dialect.delimiter if dialect.delimiter != "auto" else _sniff(lines[:_SNIFF_LINES])
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        header: list[str] | None = None
        header_start = 0
        try:
            while header is None:
                header_start = reader.line_num
                record = next(reader, None)
                if record is None:
                    break
                if record and any(c.strip() for c in record):
                    header = [c.strip() for c in record]
        except csv.Error:
            return None
        end = reader.line_num
        if header is None or (end >= len(lines) and not whole):
            if whole:
                return None  # no header: the csv module's path says so
            size *= 4
            continue
        if len(set(header)) != len(header):
            return None
        data_start = start + len("".join(lines[:end]).encode(encoding))
        hint = header_hint("".join(lines[header_start:end]), delimiter, len(header))
        return _Header(header, delimiter, data_start, end, hint)


def _plain_quotes(buf: np.ndarray, q: np.ndarray, start: int, delimiter: str) -> bool:
    """Whether every quote character at ``q`` (sorted, from ``start``) belongs to a field quoted the plain way.

    The plain way: a quoted field begins with the quote, ends with the quote just before a delimiter, a
    line break or the end of the file, and doubles every quote inside. Then the number of quote characters
    before a delimiter or line break tells whether it is inside a field, as the csv module reads it.
    """
    if q.size == 0:
        return True
    if q.size % 2:
        return False  # a quote never closed
    opens, closes = q[0::2], q[1::2]
    d = ord(delimiter)
    n = buf.size
    before = buf[np.maximum(opens - 1, 0)]
    ok = (opens == start) | (before == d) | (before == _LF) | (before == _CR)
    ok[1:] |= opens[1:] - 1 == closes[:-1]  # a doubled quote inside a quoted field
    if not ok.all():
        return False
    after = buf[np.minimum(closes + 1, n - 1)]
    ok = (closes + 1 == n) | (after == d) | (after == _LF) | (after == _CR)
    ok[:-1] |= closes[:-1] + 1 == opens[1:]
    return bool(ok.all())


def _quote_positions(buf: np.ndarray, start: int) -> np.ndarray:
    parts = [np.flatnonzero(buf[lo : lo + _SCAN_BYTES] == _QUOTE) + lo for lo in range(start, buf.size, _SCAN_BYTES)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)


class _Lines:
    """The boundaries of a file's fields: every delimiter and line feed outside quotes, from :func:`_scan`."""

    __slots__ = ("kind", "lf_cr", "multi_line", "pos", "quotes")

    def __init__(self, pos: np.ndarray, kind: np.ndarray, quotes: np.ndarray, lf_cr: np.ndarray | None, multi_line: bool):
        self.pos = pos  # positions (int64) of the delimiters and line feeds that end a field
        self.kind = kind  # the byte there
        self.quotes = quotes  # positions of every quote character
        self.lf_cr = lf_cr  # line feeds right after a carriage return (None: the file has none)
        self.multi_line = multi_line  # a quoted field holds a line break


def _scan(blob: bytes, buf: np.ndarray, start: int, delimiter: str) -> _Lines | None:
    """Find the field boundaries from ``start`` in slices of whole lines (kept in cache), counting quotes
    to skip the delimiters and line breaks inside quoted fields; None for a carriage return alone."""
    d = ord(delimiter)
    n = buf.size
    with_cr = blob.find(b"\r", start) >= 0
    positions, kinds, crs, quotes = [], [], [], []
    parity = 0
    multi_line = False
    lo = start
    while lo < n:
        hi = blob.rfind(b"\n", lo, lo + _SCAN_BYTES) + 1
        if hi <= lo:
            hi = blob.find(b"\n", lo + _SCAN_BYTES) + 1 or n
        seg = buf[lo:hi]
        mask = seg == d
        mask |= seg == _LF
        mask |= seg == _QUOTE
        if with_cr:
            mask |= seg == _CR
        at = np.flatnonzero(mask)
        k = seg[at]
        is_q = k == _QUOTE
        n_q = int(np.count_nonzero(is_q))
        keep = None
        if n_q or parity:
            odd = np.cumsum(is_q, dtype=np.uint8)  # the parity of the quotes up to each boundary is enough
            odd ^= is_q
            if parity:
                odd ^= np.uint8(1)
            inside = (odd & 1).view(bool) & ~is_q
            multi_line = multi_line or bool((inside & (k != d)).any())
            keep = ~(inside | is_q)
            quotes.append(at[is_q] + lo)
            parity = (parity + n_q) & 1
        if with_cr:
            is_cr = k == _CR
            if keep is not None:
                is_cr &= keep
            cr = np.flatnonzero(is_cr)
            if cr.size:
                nxt = np.minimum(cr + 1, at.size - 1)
                if not ((cr + 1 < at.size) & (k[nxt] == _LF) & (at[nxt] == at[cr] + 1)).all():
                    return None  # a carriage return alone is a line break for the csv module
                flags = np.zeros(at.size, dtype=bool)
                flags[cr + 1] = True
                keep = ~is_cr if keep is None else keep & ~is_cr
            else:
                flags = np.zeros(at.size, dtype=bool)
            crs.append(flags if keep is None else flags[keep])
        if keep is not None:
            at, k = at[keep], k[keep]
        positions.append(at + lo)
        kinds.append(k)
        lo = hi
    if not positions:
        none = np.zeros(0, dtype=np.int64)
        return _Lines(none, np.zeros(0, dtype=np.uint8), none, None, False)
    return _Lines(
        np.concatenate(positions).astype(np.int64, copy=False),
        np.concatenate(kinds),
        np.concatenate(quotes) if quotes else np.zeros(0, dtype=np.int64),
        np.concatenate(crs) if with_cr else None,
        multi_line,
    )


def _read_bytes_table(
    blob: bytes, head: _Header, name: str, encoding: str
) -> tuple[dict[str, Cells], np.ndarray, list[tuple[int, str]]] | None:
    """Split the data lines with numpy; None when only the csv module's path can read them the same way."""
    buf = np.frombuffer(blob, dtype=np.uint8)
    n = buf.size
    n_columns = len(head.names)
    data_start = head.data_start
    lines = _scan(blob, buf, data_start, head.delimiter)
    if lines is None:
        return None
    quotes = lines.quotes
    if not _plain_quotes(buf, quotes, data_start, head.delimiter):
        return None
    pos, kind, lf_cr, multi_line = lines.pos, lines.kind, lines.lf_cr, lines.multi_line
    if n > data_start and buf[n - 1] != _LF:
        pos = np.append(pos, n)  # the last line has no line break
        kind = np.append(kind, np.uint8(_LF))
        if lf_cr is not None:
            lf_cr = np.append(lf_cr, False)
    empty = np.zeros(0, dtype=np.int64)
    if pos.size == 0:
        return {h: Cells.from_bytes(blob, empty, empty, None, encoding) for h in head.names}, empty, []
    pos = pos.astype(np.int64, copy=False)
    line_end = np.flatnonzero(kind == _LF)
    quoted = np.zeros(pos.size, dtype=bool)  # per field (the one ending at each boundary)
    escaped = np.zeros(pos.size, dtype=bool)
    if quotes.size:
        field = np.searchsorted(pos, quotes[0::2])
        more = np.zeros(field.size, dtype=bool)
        more[1:] = quotes[2::2] - 1 == quotes[1:-1:2]  # the second half of a doubled quote
        quoted[field[~more]] = True
        escaped[field[more]] = True
    regular = n_columns > 1 and line_end.size * n_columns == pos.size and bool(
        (line_end == np.arange(n_columns - 1, pos.size, n_columns)).all()
    )
    problems: list[tuple[int, str]] = []
    if regular:
        n_rows = line_end.size
        rows = np.arange(n_rows, dtype=np.int64)
        grid = np.ascontiguousarray(pos.reshape(n_rows, n_columns).T)  # a contiguous row per column
        qgrid = np.ascontiguousarray(quoted.reshape(n_rows, n_columns).T)
        egrid = np.ascontiguousarray(escaped.reshape(n_rows, n_columns).T)
        crs = None if lf_cr is None else lf_cr.reshape(n_rows, n_columns)[:, -1]

        def column(j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
            e = grid[j]
            if j:
                s = grid[j - 1] + 1
            else:
                s = np.empty(n_rows, dtype=np.int64)
                s[0] = data_start
                s[1:] = grid[-1, :-1] + 1
            if j == n_columns - 1 and crs is not None:
                e = e - crs
            return s, e, qgrid[j], egrid[j]
    else:
        first_bound = np.empty(line_end.size, dtype=np.int64)
        first_bound[0] = 0
        first_bound[1:] = line_end[:-1] + 1
        counts = line_end - first_bound + 1
        field_start = np.empty(pos.size, dtype=np.int64)
        field_start[0] = data_start
        field_start[1:] = pos[:-1] + 1
        field_end = pos.copy()
        if lf_cr is not None:
            field_end -= lf_cr
        single = counts == 1
        first_len = field_end[first_bound] - field_start[first_bound]
        blank = single & (first_len == 0) & ~quoted[first_bound]
        if n_columns > 1:
            for r in np.flatnonzero(single & ~blank).tolist():
                b = int(first_bound[r])
                a, z = int(field_start[b]), int(field_end[b])
                if quoted[b]:
                    a, z = a + 1, z - 1
                blank[r] = not blob[a:z].decode(encoding).strip()
        good = (counts == n_columns) & ~blank
        bad = ~good & ~blank
        number = np.cumsum(~blank) - 1
        if bad.any():
            if multi_line:
                return None  # a quoted line break in a damaged file: the csv module's path resynchronises
            problems = [
                (int(number[i]), _mismatch(head.line_end + i + 1, int(counts[i]), n_columns, name, head.delimiter, head.hint))
                for i in np.flatnonzero(bad).tolist()
            ]
        rows = number[good].astype(np.int64)
        kept_first = first_bound[good]

        def column(j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
            b = kept_first + j
            return field_start[b], field_end[b], quoted[b], escaped[b]

    columns: dict[str, Cells] = {}
    for j, name_j in enumerate(head.names):
        s, e, q, esc = column(j)
        if q.any():
            s = s + q
            e = e - q
        columns[name_j] = Cells.from_bytes(blob, s, e, esc if esc.any() else None, encoding)
    return columns, rows, problems


def _read_arrow_table(blob: bytes, head: _Header, quoted: bool, categories: frozenset[str]) -> dict[str, Cells] | None:
    """Split the data lines with pyarrow (in threads); None when pyarrow is missing or cannot read them plainly.

    ``quoted``: the data holds a quote (a quoted field may hold a line break, so pyarrow must not
    split the file into blocks at any line break); ``categories``: columns read dictionary-encoded."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pv
    except ImportError:
        return None
    names = [f"c{j}" for j in range(len(head.names))]
    types = {
        c: pa.dictionary(pa.int32(), pa.string()) if h in categories else pa.string()
        for c, h in zip(names, head.names, strict=True)
    }
    try:
        table = pv.read_csv(
            pa.BufferReader(pa.py_buffer(blob)[head.data_start :]),
            read_options=pv.ReadOptions(column_names=names),
            parse_options=pv.ParseOptions(
                delimiter=head.delimiter, quote_char='"', double_quote=True, escape_char=False,
                newlines_in_values=quoted, ignore_empty_lines=True,
            ),
            convert_options=pv.ConvertOptions(
                column_types=types, null_values=[""], strings_can_be_null=True,
                quoted_strings_can_be_null=True, check_utf8=True,
            ),
        )
    except Exception:  # pyarrow's ArrowInvalid ...: a ragged line, a bad byte; the numpy path says which
        return None
    return {h: Cells.from_arrow(table.column(j)) for j, h in enumerate(head.names)}


def _read_fast(
    blob: bytes, name: str, dialect: Dialect, table: str | None, engine: str, categories: frozenset[str] = frozenset()
) -> RawTable | None:
    """The file read without the csv module, when it is written plainly; None to take the csv module's path."""
    codec = _codec(dialect.encoding)
    if codec not in _BYTE_ENCODINGS:
        return None
    start = 0
    if codec.startswith("utf-8"):
        for _ in range(2 if codec == "utf-8-sig" else 1):
            if blob.startswith(_BOM, start):
                start += len(_BOM)
        encoding = "utf-8"
    else:
        encoding = codec
    head = _find_header(blob, start, dialect, encoding)
    if head is None:
        return None
    arrow = engine == "pyarrow" or (engine == "auto" and _use_arrow(blob))
    # pyarrow checks the UTF-8 itself; it would drop a byte-order mark at the start of the data lines
    if arrow and encoding in ("utf-8", "ascii") and not blob.startswith(_BOM, head.data_start):
        # pyarrow splits the file in its threads while numpy checks the quotes; its result is kept only
        # when they are plain
        from concurrent.futures import ThreadPoolExecutor

        quoted = blob.find(b'"', head.data_start) >= 0
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(_read_arrow_table, blob, head, quoted, categories)
            buf = np.frombuffer(blob, dtype=np.uint8)
            quotes = _quote_positions(buf, head.data_start) if quoted else np.zeros(0, dtype=np.intp)
            plain = _plain_quotes(buf, quotes, head.data_start, head.delimiter)
            cells = future.result()
        if not plain:
            return None
        if cells is not None:
            n = len(next(iter(cells.values())))
            return RawTable(
                path=name, header=tuple(head.names), columns=_LazyColumns(cells), rows=np.arange(n, dtype=np.int64),
                problems=(), delimiter=head.delimiter, cells=cells,
            )
    if not (blob.isascii() if start == 0 else bool((np.frombuffer(blob, dtype=np.uint8)[start:] < 128).all())):
        _decode(blob, name, dialect.encoding, table)  # the error the csv module's path raises, if any
    split = _read_bytes_table(blob, head, name, encoding)
    if split is None:
        return None
    columns, rows, problems = split
    if problems and not rows.size:
        return None  # every record unreadable: the csv module's path raises the error
    return RawTable(
        path=name, header=tuple(head.names), columns=_LazyColumns(columns), rows=rows,
        problems=tuple(problems), delimiter=head.delimiter, cells=columns,
    )


def _use_arrow(blob: bytes) -> bool:
    if len(blob) < ARROW_MIN_BYTES:
        return False
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None


class _LazyColumns(Mapping[str, np.ndarray]):
    """:attr:`RawTable.columns` of a file read as bytes: each object array made when first asked for."""

    def __init__(self, cells: Mapping[str, Cells]) -> None:
        self._cells = cells
        self._made: dict[str, np.ndarray] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._cells

    def __getitem__(self, name: str) -> np.ndarray:
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = self._cells[name].texts()
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._cells)

    def __len__(self) -> int:
        return len(self._cells)


# --- parsing cells ----------------------------------------------------------------


def parse_column(kind: str, cells: np.ndarray | Cells, dialect: Dialect = Dialect()) -> np.ndarray:
    """Parse a column of CSV text by its kind; a cell that does not parse stays as it was.

    Parameters
    ----------
    kind : str
        A column kind of the schema (:mod:`riskkit._schema`): ``money``,
        ``signed``, ``ratio`` and ``amount`` are numbers, ``date`` dates,
        ``bool`` booleans, anything else text.
    cells : numpy.ndarray or Cells
        Object array of text, ``None`` for an empty cell (as in
        :attr:`RawTable.columns`), or the column's :class:`Cells`
        (:attr:`RawTable.cells`): the same result, numbers parsed from the
        bytes without a Python object per cell.
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
    if isinstance(cells, Cells):
        if kind in _NUMBER_KINDS and cells.source != "objects":
            values, bad = number_cells(cells, dialect)
            if not bad.any():
                return values
            out = values.astype(object)
            out[np.isnan(values) & ~bad] = None
            out[bad] = cells.take(bad).texts()
            return out
        cells = cells.texts()
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


# --- numbers from bytes -----------------------------------------------------------

#: What Python's float() reads, without 'nan', '1_000' and non-ASCII digits (riskkit's plain numbers).
_PLAIN_NUMBER = re.compile(
    r"\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*|\s*[+-]?inf(?:inity)?\s*", re.I
)
_P10 = np.array([10.0**k for k in range(23)])  # exact in float64
_TWO53 = np.uint64(2**53)
_NUMBER_CHUNK = 1 << 16  # cells per step of the byte parser (its matrices stay in cache)
_MAX_WIDTH = 32  # longer cells (rare) are read one by one


def _long_double_powers() -> tuple[np.ndarray, bool]:
    """Powers of ten as long doubles (exact up to 10**27), and whether long doubles are x87 80-bit ones."""
    table = np.array([f"1e{k}" for k in range(400)], dtype=np.longdouble)
    usable = np.finfo(np.longdouble).nmant == 63 and np.dtype(np.longdouble).itemsize == 16
    if usable:
        usable = int(np.array([1.5], dtype=np.longdouble).view(np.uint64)[0]) == 0xC000000000000000
    return table, usable


_POWERS: tuple[np.ndarray, bool] | None = None


def plain_number(text: str) -> float | None:
    """A cell's number as the command line reads one without a dialect (Python's float() grammar,
    but not ``nan``, ``1_000`` or non-ASCII digits), or None.

    >>> plain_number(" -2e3 "), plain_number("inf"), plain_number("nan"), plain_number("12,5")
    (-2000.0, inf, None, None)
    """
    return float(text) if _PLAIN_NUMBER.fullmatch(text) else None


def _cell_number(text: str, dialect: Dialect, plain: bool) -> float | None:
    """One cell's number the way the object paths read it: NaN for an empty cell, None when not a number."""
    if plain:
        return plain_number(text)
    values, good, blank = _number_texts([text], dialect)
    if blank[0]:
        return float("nan")
    return float(values[0]) if good[0] else None


def number_cells(cells: Cells, dialect: Dialect = Dialect(), *, plain: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A column's numbers without a Python object per cell: ``(values, bad)``.

    ``values`` is float64, NaN for an empty cell and a cell that is not a
    number; ``bad`` marks the latter. With ``plain`` the grammar is the
    command line's for a file without number conventions (see
    :func:`plain_number`: a cell of blanks is not a number), else
    :func:`parse_column`'s in the dialect (a cell of blanks is empty).

    Numbers are read from the bytes with numpy: the common ``[-]digits[.digits]``
    in one pass per character position, anything else by the full grammar;
    the value is computed exactly (correctly rounded, as ``float()`` does):
    up to 15 digits with one IEEE operation, up to 19 with 64-bit long
    doubles where the rounding is certain. The rare rest (20 or more
    digits, a rounding too close to call, non-ASCII text, a cell longer
    than 32 characters, ``inf``) is read cell by cell.

    >>> cells = Cells.from_objects(np.array(["1.5", None, "x", "-2e3"], dtype=object))
    >>> values, bad = number_cells(cells)
    >>> values.tolist()[::3], bad.tolist()
    ([1.5, -2000.0], [False, False, True, False])
    """
    if cells.source == "objects":
        col = cells.texts()
        if plain:
            return object_numbers(col)
        parsed = _parse_numbers(col, dialect) if col.size else np.zeros(0)
        if parsed.dtype == np.float64:
            return parsed, np.zeros(col.size, dtype=bool)
        got = parsed.tolist()
        values = np.array([v if type(v) is float else np.nan for v in got], dtype=np.float64)
        return values, np.array([v is not None and type(v) is not float for v in got], dtype=bool)
    if cells.source == "arrow" and plain:
        fast = _arrow_numbers(cells)
        if fast is not None:
            return fast
    view = cells.byte_view()
    assert view is not None
    data, starts, ends, _ = view
    encoding = cells.encoding if cells.source == "bytes" else "utf-8"

    def one(i: int) -> float | None:
        return _cell_number(data[starts[i] : ends[i]].tobytes().decode(encoding, "replace"), dialect, plain)

    return _byte_numbers(data, starts, ends, dialect.decimal, dialect.thousands, plain, one)


def object_numbers(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The plain grammar on an object array of text, numbers and None (JSON values as they are)."""
    missing = np.asarray(np.equal(col, _NONE), dtype=bool)
    types = set(map(type, col.tolist()))
    if bool not in types and types <= {str, int, float, type(None)}:
        try:
            values = np.where(missing, "nan", col).astype(np.float64)
        except (TypeError, ValueError):
            pass
        else:
            # float() also takes 'nan', '1_000' and non-ASCII digits, which a data file should not hold
            suspect = np.isnan(values) & ~missing
            if str in types and col.size:
                text = np.where(missing, "", col).astype(str)
                codes = text.view(np.uint32).reshape(text.size, -1)
                suspect |= (np.char.find(text, "_") >= 0) | (codes > 127).any(axis=1)
            if not suspect.any():
                return values, np.zeros(col.size, dtype=bool)
    out = np.full(col.size, np.nan)
    bad = np.zeros(col.size, dtype=bool)
    for i, v in enumerate(col.tolist()):
        if v is None:
            continue
        if isinstance(v, bool):
            bad[i] = True
        elif isinstance(v, int | float):
            out[i] = float(v)
        else:
            number = plain_number(v) if isinstance(v, str) else None
            if number is None:
                bad[i] = True
            else:
                out[i] = number
    return out, bad


def _arrow_numbers(cells: Cells) -> tuple[np.ndarray, np.ndarray] | None:
    """pyarrow's own float parsing (correctly rounded) for the plain grammar, or None when it refuses a cell.

    Every text pyarrow reads as a number is one of the plain grammar, with the same value, but for
    ``nan`` (read as NaN here, so marked bad); whatever it refuses (blanks around a number, ``+1`` ...)
    sends the column to the byte parser.
    """
    import pyarrow as pa

    try:
        parsed = _whole(_arrow_call("cast", cells._strings(), to=pa.float64()))
    except Exception:  # ArrowInvalid: a cell that is not a plain number to pyarrow
        return None
    values = _arrow_values(parsed, np.float64).copy()
    bad = np.isnan(values)
    valid = _arrow_valid(parsed)
    if valid is not None:
        values[~valid] = np.nan
        bad &= valid
    return values, bad


def _byte_numbers(
    data: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    decimal: str,
    thousands: str,
    plain: bool,
    one: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """(values, bad) of the cells ``data[starts:ends]``; ``one(i)`` reads cell i the slow way."""
    m = starts.size
    values = np.full(m, np.nan)
    bad = np.zeros(m, dtype=bool)
    s = starts.astype(np.int64)
    e = ends.astype(np.int64)
    length = e - s
    todo = np.flatnonzero(length > 0)
    wide = length[todo] > _MAX_WIDTH
    by_cell = todo[wide].tolist()
    todo = todo[~wide]
    dec = ord(decimal)
    sep = ord(thousands) if thousands else 0
    for lo in range(0, todo.size, _NUMBER_CHUNK):
        idx = todo[lo : lo + _NUMBER_CHUNK]
        L = length[idx]
        width = int(L.max())
        codes = _gather(data, s[idx], width)
        rows = np.arange(idx.size)
        edges = _ASCII_SPACE[codes[:, 0]] | _ASCII_SPACE[codes[rows, L - 1]]
        if edges.any():  # blanks around some cells: strip them (what str.strip() removes among ASCII bytes)
            for i in np.flatnonzero(edges).tolist():
                cell = bytes(codes[i, : L[i]])
                stripped = cell.strip(b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ")
                codes[i] = 0
                codes[i, : len(stripped)] = np.frombuffer(stripped, dtype=np.uint8)
                L[i] = len(stripped)
            blank = L == 0
            if blank.any():
                if plain:
                    bad[idx[blank]] = True  # float() refuses a cell of blanks
                keep = ~blank
                idx, L, codes = idx[keep], L[keep], codes[keep]
                if not idx.size:
                    continue
        good, negative, D, e10, digits = _scan_simple(codes, L, dec)
        if not good.all():
            codes = np.where(np.arange(codes.shape[1])[None, :] < L[:, None], codes, np.uint8(0))
            other = np.flatnonzero(~good)
            sub = codes[other]
            g2, n2, D2, e2, d2 = _scan_full(sub, L[other], dec, sep, not plain)
            g2 &= (sub < 128).all(axis=1)
            good[other], negative[other], D[other], e10[other], digits[other] = g2, n2, D2, e2, d2
        if digits.max(initial=0) > 19:  # leading zeros do not count: the significant digits must fit D
            codes = np.where(np.arange(codes.shape[1])[None, :] < L[:, None], codes, np.uint8(0))
            nonzero = (codes - np.uint8(49)) < 9
            first = np.where(nonzero.any(axis=1), nonzero.argmax(axis=1), codes.shape[1])
            zeros = np.count_nonzero((codes == 48) & (np.arange(codes.shape[1])[None, :] < first[:, None]), axis=1)
            digits = digits - zeros
        got, slow = _exact(negative, D, e10, digits)
        take = good & ~slow
        values[idx[take]] = got[take]
        rest = ~take
        if rest.any():
            # infinity words, non-ASCII text, 20 or more significant digits: cell by cell
            inside = np.arange(codes.shape[1])[None, :] < L[:, None]
            maybe = rest & (((L >= 3) & (L <= 9)) | good | ((codes >= 128) & inside).any(axis=1))
            by_cell.extend(idx[maybe].tolist())
            bad[idx[rest & ~maybe]] = True
    for i in by_cell:
        v = one(i)
        if v is None:
            bad[i] = True
        else:
            values[i] = v
    return values, bad


def _scan_simple(codes: np.ndarray, length: np.ndarray, decimal: int) -> tuple[np.ndarray, ...]:
    """The common shape ``[-]digits[.digits]`` on a character matrix (one row per cell, any bytes past its end).

    Returns (good, negative, D, e10, digits): the number is ``-D * 10**e10`` when negative, else
    ``D * 10**e10``; ``digits`` counts the mantissa's digits (D is exact up to 19 significant ones).
    """
    m, width = codes.shape
    D = np.zeros(m, dtype=np.uint64)
    n_digits = np.zeros(m, dtype=np.int64)
    n_dots = np.zeros(m, dtype=np.int64)
    frac = np.zeros(m, dtype=np.int64)
    seen_dot = np.zeros(m, dtype=bool)
    ten = np.uint64(10)
    negative = codes[:, 0] == 45
    for k in range(width):
        c = codes[:, k]
        d = c - np.uint8(48)
        digit = d < 10
        dot = c == decimal
        if k:
            live = length > k
            digit &= live
            dot &= live
            frac += digit & seen_dot
        n_dots += dot
        seen_dot |= dot
        n_digits += digit
        D = np.where(digit, D * ten + d, D)
    good = (n_dots <= 1) & (n_digits >= 1) & (n_digits + n_dots + negative == length)
    return good, negative, D, -frac, n_digits


def _scan_full(codes: np.ndarray, length: np.ndarray, decimal: int, thousands: int, trailing: bool) -> tuple[np.ndarray, ...]:
    """:func:`_scan_simple` for the whole grammar of :func:`_numbers` (signs, an exponent, a trailing
    minus when ``trailing``, grouped thousands), on a zero-padded matrix with one row per cell."""
    m, width = codes.shape
    pos = np.arange(width)
    rows = np.arange(m)
    codes = np.where(pos[None, :] < length[:, None], codes, np.uint8(0))
    first = codes[:, 0]
    last = codes[rows, np.maximum(length - 1, 0)]
    lead = (first == 43) | (first == 45)
    trail = ((last == 45) & (length > 1) & ~lead) if trailing else np.zeros(m, dtype=bool)
    negative = (first == 45) | trail
    b0 = lead.astype(np.int64)
    b1 = length - trail
    body = (pos >= b0[:, None]) & (pos < b1[:, None])
    digit = (codes - np.uint8(48)) < 10
    is_e = ((codes | np.uint8(0x20)) == 101) & body
    n_e = np.count_nonzero(is_e, axis=1)
    epos = np.where(n_e == 1, is_e.argmax(axis=1), b1)
    mantissa = body & (pos < epos[:, None])
    is_dec = (codes == decimal) & mantissa
    n_dec = np.count_nonzero(is_dec, axis=1)
    dpos = np.where(n_dec == 1, is_dec.argmax(axis=1), epos)
    mdig = mantissa & digit
    n_mdig = np.count_nonzero(mdig, axis=1)
    integer = pos < dpos[:, None]
    n_idig = np.count_nonzero(mdig & integer, axis=1)
    frac_len = epos - dpos - (n_dec == 1)
    int_len = dpos - b0
    good = (n_e <= 1) & (n_dec <= 1) & (n_mdig >= 1) & (n_mdig - n_idig == frac_len)
    if thousands:
        sep = mantissa & integer & (codes == thousands)
        n_sep = np.count_nonzero(sep, axis=1)
        if n_sep.any():
            # a separator belongs every 4th place left of the decimal point: pos = dpos (mod 4)
            misplaced = (sep & ((pos % 4)[None, :] != (dpos % 4)[:, None])).any(axis=1)
            grouped = (n_sep == 0) | ((int_len % 4 != 0) & (n_sep == int_len // 4) & ~misplaced)
            good &= grouped & (n_idig + n_sep == int_len)
        else:
            good &= n_idig == int_len
    else:
        good &= n_idig == int_len
    e10 = -frac_len
    if n_e.any():
        has_e = n_e == 1
        after = body & (pos > epos[:, None])
        sign_at = epos + 1
        sign = codes[rows, np.minimum(sign_at, width - 1)]
        signed = has_e & (sign_at < b1) & ((sign == 43) | (sign == 45))
        edig = after & digit
        n_edig = np.count_nonzero(edig, axis=1)
        good &= ~has_e | ((n_edig >= 1) & (n_edig + signed == np.count_nonzero(after, axis=1)) & ~trail)
        exponent = np.zeros(m, dtype=np.int64)
        for k in range(width):
            col = edig[:, k]
            if col.any():
                step = np.minimum(exponent * 10 + (codes[:, k].astype(np.int64) - 48), 100_000)
                exponent = np.where(col, step, exponent)
        e10 = e10 + np.where(signed & (sign == 45), -exponent, exponent)
    D = np.zeros(m, dtype=np.uint64)
    columns = np.ascontiguousarray(codes.T)
    mcols = np.ascontiguousarray(mdig.T)
    ten = np.uint64(10)
    for k in range(width):
        col = mcols[k]
        if col.any():
            D = np.where(col, D * ten + (columns[k] - np.uint8(48)), D)
    return good, negative, D, e10, n_mdig


def _exact(negative: np.ndarray, D: np.ndarray, e10: np.ndarray, digits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The float64 nearest to ``(-1 if negative) * D * 10**e10`` (as float() rounds), and the rows left to a slower path.

    D up to 2**53 with |e10| <= 22: one IEEE operation on exact operands. Else, on x87 long doubles,
    one or two roundings to 64 bits, then one to 53: exact unless the 64-bit result lies within two
    units of a halfway point between doubles (about 1 in 400 such numbers) or outside the normal range
    of doubles; those, and a mantissa of 20 or more significant digits, are left (``slow``).
    """
    global _POWERS
    out = np.empty(D.size, dtype=np.float64)
    slow = digits > 19
    zero = D == 0
    fast = ~slow & (zero | ((D <= _TWO53) & (np.abs(e10) <= 22)))
    e = np.minimum(np.abs(e10), 22)
    Df = D.astype(np.float64)
    out[:] = np.where(e10 >= 0, Df * _P10[e], Df / _P10[e])
    out[zero] = 0.0
    rest = np.flatnonzero(~fast & ~slow)
    if rest.size:
        if _POWERS is None:
            _POWERS = _long_double_powers()
        table, usable = _POWERS
        if usable:
            ee = e10[rest]
            k = np.minimum(np.abs(ee), table.size - 1)
            Dl = D[rest].astype(np.longdouble)
            r = np.where(ee >= 0, Dl * table[k], Dl / table[k])
            low = r.view(np.uint64).reshape(-1, 2)[:, 0] & np.uint64(0x7FF)
            near = (low >= 0x3FE) & (low <= 0x402) & (ee != 0)
            normal = (r >= np.longdouble("2.2250738585072014e-308")) & (r <= np.longdouble("1.7976931348623157e308"))
            ok = (np.abs(ee) < table.size) & ~near & normal
            out[rest[ok]] = r[ok].astype(np.float64)
            slow[rest[~ok]] = True
        else:
            slow[rest] = True
    for i in np.flatnonzero(slow & (digits <= 19)).tolist():  # the exact decimal, read by float()
        out[i] = float(f"{int(D[i])}e{int(e10[i])}")
        slow[i] = False
    return np.where(negative, -out, out), slow
