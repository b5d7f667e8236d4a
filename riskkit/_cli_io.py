"""File reading and writing for the ``riskkit`` command line.

Input tables are read into raw columns (object arrays) without pandas: CSV
with :func:`riskkit._csvfile.read_csv` (every cell text, an empty cell
``None``; delimiter, encoding and number conventions from a
:class:`riskkit._csvfile.Dialect`), JSON lines with
json (values as given, ``null`` -> ``None``), Parquet with pyarrow when it is
installed. Outputs are written atomically: into a temporary file in the same
directory, then moved over the target with :func:`os.replace`, so a crash or
an error never leaves half a file and an existing file stays as it was.
Tables are written as CSV, JSON lines, a JSON array or Parquet (with pyarrow)
by the output's extension; any other extension is refused before any work is
done (:func:`check_output`), never written as CSV under another name. Money
columns are rounded to cents as they are written (:func:`cents`).

Text cells of a CSV output that a spreadsheet would run as a formula (they
begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: CWE-1236,
formula injection from customer names and ids) are written with a leading
single quote (:func:`defuse`) unless the writer is given ``raw=True``
(``--raw-cells``); numbers are never changed, JSON and Parquet never.

An output may instead be a database table (``--out-table NAME --database
URL``, ``--rejects-table``): the command line passes a :class:`TableOutput`
where a path goes, and :func:`write_columns`, :func:`write_records` and
:func:`write_objects` replace the table in one transaction
(:func:`riskkit.sql.write_table`), money rounded to cents as in a file;
CSV's formula defusing does not apply (a table cell is never run).

A SIGTERM while the command line runs (:func:`terminate_as_exception`) unwinds
like a SIGINT, so the temporary file of an unfinished output is removed and
an existing output stays as it was.

Speed
-----
``riskkit score`` reads its data file with :func:`read_cells`: a CSV file's
columns stay as its bytes (or pyarrow's buffers), numbers are parsed from
them and text columns handed to the scorer as :class:`CodedText` (codes into
their distinct values), with no Python object per cell. A CSV output is
written from whole columns, byte for byte what :func:`csv.writer` writes of
their :func:`column_texts`: floats formatted by pyarrow where its text is
``repr()``'s (else by ``repr()``), text cells copied from the input's bytes,
columns of few distinct values formatted once per value, and the rows joined
by pyarrow's string kernels when it is loaded, else laid out as a byte matrix
with numpy. pyarrow is optional: imported only when installed, and only for
large inputs (:data:`riskkit._csvfile.ARROW_MIN_BYTES`) or when it is loaded
already; the command line never imports pandas.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

import numpy as np

from riskkit._csvfile import Dialect, parse_column, read_csv
from riskkit.errors import ValidationError

__all__ = [
    "FORMATS",
    "TABLE_FORMATS",
    "CodedText",
    "Progress",
    "TableOutput",
    "Terminated",
    "atomic_open",
    "atomic_path",
    "cell",
    "cents",
    "check_output",
    "check_writable",
    "column_texts",
    "defuse",
    "infer_columns",
    "is_missing",
    "parse_numeric",
    "read_cells",
    "read_table",
    "read_table_ex",
    "terminate_as_exception",
    "write_columns",
    "write_csv",
    "write_json",
    "write_jsonl",
    "write_objects",
    "write_records",
    "write_text",
]



_NONE: Any = None  # is_missing(col), typed for mypy

# --- reading -------------------------------------------------------------------


def is_missing(col: np.ndarray) -> np.ndarray:
    """Where a raw column holds ``None``."""
    return np.asarray(np.equal(col, _NONE), dtype=bool)


def read_table(
    path: str | os.PathLike[str], dialect: Dialect | None = None
) -> tuple[dict[str, np.ndarray], int]:
    """Raw columns of a CSV (``.csv``, default), JSON lines (``.jsonl``/``.ndjson``) or Parquet file.

    Returns the columns (object arrays, ``None`` = missing) in file order and the number of rows.
    ``dialect`` (:class:`riskkit._csvfile.Dialect`) gives a CSV file's delimiter and encoding;
    default comma-separated UTF-8. A CSV record that cannot be read (wrong field count,
    unterminated quote) raises here; :func:`read_table_ex` returns such records instead.

    Raises
    ------
    ValidationError
        The file cannot be read, is malformed, or Parquet is asked for without pyarrow.
    """
    columns, n_rows, _, problems = read_table_ex(path, dialect)
    if problems:
        row, reason = problems[0]
        more = f" (and {len(problems) - 1} more unreadable record(s))" if len(problems) > 1 else ""
        raise ValidationError(reason + more, row=row)
    return columns, n_rows


def read_table_ex(
    path: str | os.PathLike[str], dialect: Dialect | None = None
) -> tuple[dict[str, np.ndarray], int, np.ndarray, list[tuple[int, str]]]:
    """Like :func:`read_table`, but a CSV file's unreadable records are returned, not raised.

    Returns the columns, the number of rows kept, the record number of each kept row (int64;
    CSV: data records from 0 after the header, unreadable ones included, blank lines not;
    JSON lines and Parquet: 0..n-1) and the unreadable records as ``(record number, reason)``.
    """
    name = os.fspath(path)
    lower = name.lower()
    try:
        if lower.endswith((".jsonl", ".ndjson")):
            columns, n = _read_jsonl(name)
        elif lower.endswith((".parquet", ".pq")):
            columns, n = _read_parquet(name)
        else:
            raw = read_csv(name, dialect if dialect is not None else Dialect())
            return dict(raw.columns), raw.n_rows, raw.rows, list(raw.problems)
    except OSError as exc:
        raise ValidationError(f"cannot read {name!r}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{name!r} is not valid UTF-8: {exc}") from None
    return columns, n, np.arange(n, dtype=np.int64), []


def read_cells(
    path: str | os.PathLike[str], dialect: Dialect | None = None, *, categories: Sequence[str] = ()
) -> tuple[dict[str, Any], int, np.ndarray, list[tuple[int, str]]]:
    """Like :func:`read_table_ex`, but each column as :class:`riskkit._csvfile.Cells`.

    A CSV file's columns stay as the file's bytes (or pyarrow's buffers, see
    :func:`riskkit._csvfile.read_csv`) until a cell is needed: numbers are
    parsed and text factorized without a Python object per cell (``categories``:
    the columns to be factorized, which pyarrow encodes as it reads). JSON
    lines and Parquet columns are Cells of their object arrays.
    """
    from riskkit._csvfile import Cells

    name = os.fspath(path)
    if name.lower().endswith((".jsonl", ".ndjson", ".parquet", ".pq")):
        columns, n, rows, problems = read_table_ex(name, dialect)
        return {k: Cells.from_objects(v) for k, v in columns.items()}, n, rows, problems
    try:
        raw = read_csv(name, dialect if dialect is not None else Dialect(), categories=categories)
    except OSError as exc:
        raise ValidationError(f"cannot read {name!r}: {exc}") from None
    return dict(raw.cells), raw.n_rows, raw.rows, list(raw.problems)


def _plain(v: Any) -> Any:
    """A JSON value as a table cell: nested lists and objects become their JSON text."""
    return json.dumps(v, sort_keys=True) if isinstance(v, list | dict) else v


def _read_jsonl(path: str) -> tuple[dict[str, np.ndarray], int]:
    records = []
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValidationError(
                    f"line {line_no} of {path!r} is not JSON: {exc}", row=line_no - 1
                ) from None
            if not isinstance(rec, dict):
                raise ValidationError(f"line {line_no} of {path!r} is not a JSON object", row=line_no - 1)
            records.append(rec)
    names: dict[str, None] = {}
    for rec in records:
        names.update(dict.fromkeys(rec))
    columns = {}
    for name in names:
        col = np.empty(len(records), dtype=object)
        col[:] = [_plain(rec.get(name)) for rec in records]
        columns[name] = col
    return columns, len(records)


def _read_parquet(path: str) -> tuple[dict[str, np.ndarray], int]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ValidationError(
            f"reading {path!r} needs pyarrow (pip install pyarrow); or convert it to CSV or JSON lines"
        ) from None
    try:
        table = pq.read_table(path)
    except OSError as exc:
        raise ValidationError(f"cannot read {path!r}: {exc.strerror or exc}") from None
    except Exception as exc:  # pyarrow's ArrowInvalid ... : not Parquet, or a damaged file
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValidationError(f"{path!r} is not a readable Parquet file: {first}") from None
    columns = {}
    for name in table.column_names:
        col = np.empty(table.num_rows, dtype=object)
        col[:] = [_plain(v) for v in table.column(name).to_pylist()]
        columns[str(name)] = col
    return columns, int(table.num_rows)


def parse_numeric(col: np.ndarray, dialect: Dialect | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A raw column as float64 (missing = NaN) and the mask of cells that are not numbers.

    Text must be a plain decimal number (``1.5``, ``-2e3``, ``inf``); JSON
    numbers are taken as they are; booleans and anything else are not numbers.
    Vectorized for the common all-good column; only a column with a suspect
    cell is looked at cell by cell. A column of :class:`riskkit._csvfile.Cells`
    (a file read as bytes) is parsed from its bytes, with no Python object per
    cell (:func:`riskkit._csvfile.number_cells`). With a ``dialect`` whose ``decimal`` or
    ``thousands`` differ from the default, text is read with them
    (``1.234,56``, and ``12,50-`` for a negative number); see
    :func:`riskkit._csvfile.parse_column`.
    """
    from riskkit._csvfile import Cells, number_cells, object_numbers

    if isinstance(col, Cells):
        if col.source == "objects":  # JSON lines, Parquet: values as they are
            col = col.texts()
        else:
            plain = dialect is None or (dialect.decimal == "." and dialect.thousands == "")
            return number_cells(col, dialect if dialect is not None else Dialect(), plain=plain)
    if dialect is not None and (dialect.decimal != "." or dialect.thousands != ""):
        return _parse_numeric_dialect(col, dialect)
    return object_numbers(col)  # the csv reader's grammar for text, numbers and None


def _parse_numeric_dialect(col: np.ndarray, dialect: Dialect) -> tuple[np.ndarray, np.ndarray]:
    """:func:`parse_numeric` for text written with the dialect's decimal and thousands separators."""
    col = np.asarray(col, dtype=object)
    values = col.tolist()
    out = np.full(col.size, np.nan)
    bad = np.zeros(col.size, dtype=bool)
    text = np.fromiter((type(v) is str for v in values), dtype=bool, count=col.size)
    if text.any():
        parsed = parse_column("amount", col[text], dialect)
        if parsed.dtype == np.float64:
            out[text] = parsed
        else:
            got = parsed.tolist()
            out[text] = [v if type(v) is float else np.nan for v in got]
            bad[text] = [v is not None and type(v) is not float for v in got]
    for i in np.flatnonzero(~text).tolist():
        v = values[i]
        if v is None:
            continue
        if isinstance(v, int | float) and not isinstance(v, bool):
            out[i] = float(v)
        else:
            bad[i] = True
    return out, bad


def infer_columns(columns: Mapping[str, np.ndarray], dialect: Dialect | None = None) -> dict[str, np.ndarray]:
    """Columns typed for fitting: float64 where every non-empty cell is a number, else text (None = missing).

    ``dialect`` gives the decimal and thousands separators of numbers written as text.
    """
    out: dict[str, np.ndarray] = {}
    for name, col in columns.items():
        values, bad = parse_numeric(col, dialect)
        if not bad.any() and not is_missing(col).all():
            out[name] = values
        else:
            text = np.empty(col.size, dtype=object)
            text[:] = [None if v is None else cell(v) for v in col.tolist()]
            out[name] = text
    return out


def cell(value: Any) -> str:
    """A value as CSV text: '' for missing, shortest round-trip text for floats."""
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        f = float(value)
        if math.isnan(f):
            return ""
        return repr(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)
    if isinstance(value, np.generic):
        return cell(value.item())
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, default=str, sort_keys=True)
    return str(value)


# --- writing -------------------------------------------------------------------


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[str]:
    """A temporary path beside ``path`` to write to; on success it replaces ``path``, on error it is removed.

    The temporary file is removed on any exception, a KeyboardInterrupt (SIGINT)
    and a :class:`Terminated` (SIGTERM under :func:`terminate_as_exception`)
    included. A file-system failure (the target is a folder, the folder is not
    writable, the disk is full ...) is a ValidationError naming ``path``.
    """
    name = os.fspath(path)
    target = os.path.abspath(name)
    folder = os.path.dirname(target)
    check_writable(name)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
        os.close(fd)
        os.chmod(tmp, _file_mode(target))  # mkstemp makes 0600; give the file the mode open() would
        yield tmp
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise ValidationError(f"cannot write {name!r}: {exc.strerror or exc}", value=name) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def check_writable(path: str | os.PathLike[str]) -> None:
    """Raise a ValidationError naming ``path`` when it cannot be written: a folder, or a folder riskkit cannot write in.

    The folder not existing is an error too. A check, not a promise: the write
    itself still reports a full disk or a folder that changed meanwhile.
    """
    name = os.fspath(path)
    target = os.path.abspath(name)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise ValidationError(f"cannot write {name!r}: the folder {folder!r} does not exist", value=name)
    if os.path.isdir(target):
        raise ValidationError(f"cannot write {name!r}: it is a folder, not a file", value=name)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValidationError(f"cannot write {name!r}: no permission to create files in {folder!r}", value=name)


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM under :func:`terminate_as_exception` (like KeyboardInterrupt)."""


@contextlib.contextmanager
def terminate_as_exception() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread instead of killing the process.

    So ``finally`` blocks and :func:`atomic_path` clean up as on Ctrl-C. A
    second SIGTERM during that clean-up is ignored. Outside the main thread
    (where signal handlers cannot be set) the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated(signum)

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):  # pragma: no cover - no signals here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], newline: str | None = None) -> Iterator[IO[str]]:
    """Open a temporary text file beside ``path``; on success it replaces ``path``, on error it is removed."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline=newline) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def _file_mode(target: str) -> int:
    try:
        return os.stat(target).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


#: How a text cell that a spreadsheet would run as a formula begins (CWE-1236).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    """``text`` with a leading single quote when a spreadsheet would read it as a formula.

    >>> defuse("=SUM(A1)"), defuse("-cmd"), defuse("Acme")
    ("'=SUM(A1)", "'-cmd", 'Acme')
    """
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(
    path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[Any]], *, raw: bool = False
) -> int:
    """Write a CSV atomically; returns the number of data rows.

    Text cells that a spreadsheet would run as a formula get a leading ``'``
    (:func:`defuse`) unless ``raw``; numbers are written as they are.
    """
    n = 0
    with atomic_open(path, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(_header(header, raw))
        for row in rows:
            writer.writerow([_text_cell(v, raw) for v in row])
            n += 1
    return n


def _text_cell(value: Any, raw: bool) -> str:
    if isinstance(value, str):
        return value if raw else defuse(value)
    return cell(value)


def _header(header: Sequence[str], raw: bool) -> list[str]:
    return [_text_cell(h, raw) for h in header]


def _json_value(value: Any) -> Any:
    """A value JSON can hold: numpy scalars as Python ones, NaN and infinities as null, nested too."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _json_text(record: Mapping[str, Any]) -> str:
    return json.dumps(_json_value(record), default=str, ensure_ascii=False, allow_nan=False)


def write_jsonl(path: str | os.PathLike[str], lines: Iterable[str | Mapping[str, Any]]) -> int:
    """Write JSON lines atomically (ready-made JSON text or mappings); returns the number of lines."""
    n = 0
    with atomic_open(path) as fh:
        for line in lines:
            fh.write((line if isinstance(line, str) else _json_text(line)) + "\n")
            n += 1
    return n


def write_json(path: str | os.PathLike[str], records: Iterable[Mapping[str, Any]]) -> int:
    """Write one JSON array of objects atomically, an object per line; returns the number of objects."""
    n = 0
    with atomic_open(path) as fh:
        fh.write("[")
        for record in records:
            fh.write(("\n" if n == 0 else ",\n") + _json_text(record))
            n += 1
        fh.write("\n]\n" if n else "]\n")
    return n


def write_objects(path: str | os.PathLike[str], records: Iterable[Mapping[str, Any]]) -> int:
    """Nested records as a JSON array for ``.json``, else as JSON lines; returns the number written.

    To a :class:`TableOutput`: a column per key (in first-seen order), nested values as JSON text.
    """
    if isinstance(path, TableOutput):
        rows = [dict(r) for r in records]
        header = list(dict.fromkeys(k for r in rows for k in r))
        return _write_table(path, header, [_objects(r.get(h) for r in rows) for h in header])
    if _extension(path) == ".json":
        return write_json(path, records)
    return write_jsonl(path, records)


def column_texts(col: Any, *, raw: bool = True) -> list[str]:
    """A whole column as CSV text (see :func:`cell`), float columns converted without a per-cell call.

    With ``raw=False`` a text cell a spreadsheet would run as a formula gets a
    leading ``'`` (:func:`defuse`); numbers, in a numeric column or not, never.
    """
    arr = np.asarray(col) if not isinstance(col, list) else None
    if arr is not None and arr.ndim == 1 and arr.dtype.kind == "f":
        values = arr.astype(np.float64)
        out = np.array(list(map(repr, values.tolist())), dtype=object)
        whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 1e15)
        out[whole] = values[whole].astype(np.int64).astype(str).astype(object)
        out[np.isnan(values)] = ""
        return list(out.tolist())
    if arr is not None and arr.ndim == 1 and arr.dtype.kind in "iu":
        return list(arr.astype(str).tolist())
    values = col.tolist() if arr is not None else col
    if raw:
        return [v if type(v) is str else cell(v) for v in values]
    return [_text_cell(v, False) for v in values]


# --- output formats and money ----------------------------------------------------

#: What riskkit writes, by file extension.
FORMATS = {
    ".csv": "CSV",
    ".jsonl": "JSON lines",
    ".ndjson": "JSON lines",
    ".json": "a JSON array",
    ".parquet": "Parquet (needs pyarrow)",
    ".html": "HTML",
    ".htm": "HTML",
}

#: The formats of a table output (:func:`write_columns`, :func:`write_records`).
TABLE_FORMATS = (".csv", ".jsonl", ".ndjson", ".json", ".parquet")

_SPREADSHEETS = (".xlsx", ".xls", ".xlsm", ".ods")


def _extension(path: str | os.PathLike[str]) -> str:
    return os.path.splitext(os.fspath(path))[1].lower()


def _has_pyarrow() -> bool:
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None


def check_output(path: str | os.PathLike[str], accepted: Sequence[str] = TABLE_FORMATS) -> str:
    """The extension of ``path`` when riskkit can write it (one of ``accepted``) into an existing folder.

    Checked before any work is done, so a run never computes for minutes to
    fail at the end, and never writes one format under another's name.

    Raises
    ------
    ValidationError
        The extension is missing, not one of ``accepted`` (``.xlsx`` ...),
        ``.parquet`` without pyarrow installed, or the folder does not exist.
    """
    name = os.fspath(path)
    ext = _extension(name)
    usable = [e for e in accepted if e != ".parquet" or _has_pyarrow()]
    choices = _either(usable)
    if not ext:
        raise ValidationError(f"{name!r} has no extension; give a name ending in {choices}", value=name)
    if ext not in accepted:
        hint = " (write .csv and open it with the spreadsheet)" if ext in _SPREADSHEETS and ".csv" in usable else ""
        raise ValidationError(
            f"riskkit cannot write {ext} files ({name!r}){hint}; give a name ending in {choices}", value=name
        )
    if ext not in usable:
        raise ValidationError(
            f"writing {ext} ({name!r}) needs pyarrow (pip install pyarrow); or give a name ending in {choices}",
            value=name,
        )
    folder = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(folder):
        raise ValidationError(f"cannot write {name!r}: the folder {folder!r} does not exist", value=name)
    return ext


def _either(extensions: Sequence[str]) -> str:
    items = list(extensions)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def cents(values: Any) -> Any:
    """Money rounded to cents for writing (``-0.0`` as ``0.0``); text and missing cells stay as they are.

    A float array gives a float array; anything else gives an object array,
    each number rounded on its own.
    """
    arr = values if isinstance(values, np.ndarray) else _objects(values)
    if arr.dtype.kind == "f":
        return np.round(arr.astype(np.float64), 2) + 0.0
    if arr.dtype.kind != "O":
        return arr
    return _objects([_cent(v) for v in arr.tolist()])


def _objects(values: Iterable[Any]) -> np.ndarray:
    """A 1-d object array of ``values`` as they are (lists stay cells, not a second dimension)."""
    items = list(values)
    out = np.empty(len(items), dtype=object)
    for i, v in enumerate(items):
        out[i] = v
    return out


def _cent(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value):
        return round(value, 2) + 0.0
    return value


def _round_money(header: Sequence[str], columns: Sequence[Any], money: Iterable[str]) -> list[Any]:
    wanted = set(money)
    return [cents(c) if h in wanted else c for h, c in zip(header, columns, strict=True)]


# --- the CSV writer: whole columns to bytes ----------------------------------------

#: Rows laid out and written per step.
_BLOCK_ROWS = 1 << 16
#: Widest row laid out as a byte matrix; a block with a longer row is joined as text.
_MATRIX_WIDTH = 1024
_FORMULA_BYTES = np.array([ord(c) for c in FORMULA_START], dtype=np.uint8)
#: Floats at least this many are formatted by pyarrow when it is installed (its import costs more below).
_ARROW_FLOATS = 1 << 18
_CRLF = np.array([13, 10], dtype=np.uint8)


def _csv_field(text: str, raw: bool) -> str:
    """One CSV field as :func:`csv.writer` writes it (quoted when needed), a formula defused unless ``raw``."""
    if not raw:
        text = defuse(text)
    if "," in text or '"' in text or "\r" in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _byte_matrix(data: np.ndarray, starts: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Cells ``data[starts:starts+length]`` as a uint8 matrix, one row each (bytes past a cell's end are 0)."""
    from riskkit._csvfile import _cell_bytes

    return _cell_bytes(data, starts, length)


def _joined(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Texts as one UTF-8 buffer with each one's start and end."""
    joined = "".join(texts)
    if joined.isascii():  # one byte a character
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        data = joined.encode("ascii")
    else:
        encoded = [t.encode("utf-8") for t in texts]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        data = b"".join(encoded)
    ends = np.cumsum(lengths)
    return np.frombuffer(data, dtype=np.uint8), ends - lengths, ends


def _put_rows(M: np.ndarray, L: np.ndarray, rows: np.ndarray, fields: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``M``, ``L`` with the given rows replaced by ``fields`` (widening the matrix when needed)."""
    data, starts, ends = _joined(fields)
    sub = _byte_matrix(data, starts, ends - starts)
    if sub.shape[1] > M.shape[1]:
        wider = np.zeros((M.shape[0], sub.shape[1]), dtype=np.uint8)
        wider[:, : M.shape[1]] = M
        M = wider
    elif not M.flags.writeable or M.base is not None:
        M = M.copy()
    M[rows] = 0
    M[rows, : sub.shape[1]] = sub
    L = L.copy()
    L[rows] = ends - starts
    return M, L


class _TextColumn:
    """Fields of text cells held as bytes (a file read as bytes, or pyarrow's buffers)."""

    def __init__(self, cells: Any, raw: bool) -> None:
        view = cells.byte_view()
        self.cells = cells
        self.data, self.starts, self.ends, self.escaped = view
        self.raw = raw
        self.transcode = cells.source == "bytes" and cells.encoding not in ("utf-8", "ascii")

    def width(self, a: int, b: int) -> int:
        return int((self.ends[a:b] - self.starts[a:b]).max(initial=0)) * 2 + 3

    def strings(self, a: int, b: int) -> list[str]:
        return [self._field(i) for i in range(a, b)]

    def _field(self, i: int) -> str:
        text = self.cells.text(i)
        return "" if text is None else _csv_field(text, self.raw)

    def matrix(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        s = self.starts[a:b]
        L = self.ends[a:b] - s
        M = _byte_matrix(self.data, s, L)
        if M.shape[1] == 0:
            fix = np.zeros(L.size, dtype=bool)
        else:
            inside = np.arange(M.shape[1])[None, :] < L[:, None]
            special = (M == 44) | (M == 34) | (M == 13) | (M == 10)
            if self.transcode:
                special |= M >= 128
            fix = (special & inside).any(axis=1)
            if not self.raw:
                fix |= np.isin(M[:, 0], _FORMULA_BYTES) & (L > 0)
        if self.escaped is not None:
            fix |= self.escaped[a:b]
        rows = np.flatnonzero(fix)
        if rows.size:
            M, L = _put_rows(M, L, rows, [self._field(a + int(r)) for r in rows.tolist()])
        return M, L


class CodedText:
    """A text column as codes into its distinct values (-1 = empty cell): no Python object per cell.

    riskkit's card scorers read it as they read a pandas ``category``
    column (``dtype.name``, ``dtype.categories``, ``cat.codes``), mapping
    each distinct value once; other scorers read the object array of
    :meth:`to_numpy`. Indexing with an array gives a CodedText of those rows.

    >>> col = CodedText(np.array([1, -1, 0]), ["a", "b"])
    >>> col[0], col[1], col[np.array([2, 0])].tolist(), len(col)
    ('b', None, ['a', 'b'], 3)
    """

    ndim = 1

    def __init__(self, codes: np.ndarray, levels: Sequence[str]) -> None:
        self.codes = np.asarray(codes, dtype=np.intp)
        self.levels = list(levels)
        self.dtype = _CategoryType(self.levels)
        self.cat = _Codes(self.codes)

    def __len__(self) -> int:
        return int(self.codes.size)

    def __repr__(self) -> str:
        return f"<CodedText: {len(self)} cells, {len(self.levels)} distinct>"

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, int | np.integer):
            code = int(self.codes[index])
            return None if code < 0 else self.levels[code]
        return CodedText(self.codes[index], self.levels)

    def to_numpy(self, dtype: Any = None, na_value: Any = None) -> np.ndarray:
        """The cells as an object array, ``None`` for an empty one."""
        table = np.empty(len(self.levels) + 1, dtype=object)
        table[: len(self.levels)] = self.levels
        table[-1] = na_value
        return table[np.where(self.codes < 0, len(self.levels), self.codes)]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.to_numpy() if dtype is None else self.to_numpy().astype(dtype)

    def tolist(self) -> list[Any]:
        return list(self.to_numpy().tolist())


class _CategoryType:
    """What a pandas ``CategoricalDtype`` shows the scorers: its name and its categories."""

    name = "category"
    kind = "O"

    def __init__(self, levels: list[str]) -> None:
        self.categories = levels


class _Codes:
    """``col.cat`` (and ``col.cat.codes``) of a :class:`CodedText`."""

    def __init__(self, codes: np.ndarray) -> None:
        self._codes = codes

    @property
    def codes(self) -> _Codes:
        return self

    def to_numpy(self) -> np.ndarray:
        return self._codes


class _LevelColumn:
    """Fields of a column of few distinct values: each value's field made once, then looked up by code."""

    def __init__(self, codes: np.ndarray, fields: list[str]) -> None:
        self.codes = codes  # -1 = the last field (an empty cell)
        data, starts, ends = _joined(fields)
        self.lengths = ends - starts
        self.levels = _byte_matrix(data, starts, self.lengths)
        self.fields = fields

    def width(self, a: int, b: int) -> int:
        return int(self.levels.shape[1])

    def strings(self, a: int, b: int) -> list[str]:
        return [self.fields[c] for c in self.codes[a:b].tolist()]

    def matrix(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        codes = self.codes[a:b]
        return self.levels[codes], self.lengths[codes]


def _int_matrix(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integers (int64) as decimal text in a uint8 matrix, right to left."""
    v = values.astype(np.int64)
    negative = v < 0
    mag = np.abs(v).astype(np.uint64)
    digits = np.ones(v.size, dtype=np.int64)
    power = np.uint64(10)
    for _ in range(19):
        more = mag >= power
        if not more.any():
            break
        digits += more
        if power > np.uint64(10**18):
            break
        power = power * np.uint64(10)
    L = digits + negative
    width = int(L.max(initial=1))
    M = np.zeros((v.size, width), dtype=np.uint8)
    rows = np.arange(v.size)
    rest = mag.copy()
    for k in range(int(digits.max(initial=1))):
        live = digits > k
        M[rows[live], (L - 1 - k)[live]] = (rest[live] % np.uint64(10)).astype(np.uint8) + np.uint8(48)
        rest //= np.uint64(10)
    M[negative, 0] = 45
    return M, L


class _IntColumn:
    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def width(self, a: int, b: int) -> int:
        return 20

    def strings(self, a: int, b: int) -> list[str]:
        return [str(v) for v in self.values[a:b].tolist()]

    def matrix(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        return _int_matrix(self.values[a:b])


def _float_texts(values: np.ndarray) -> list[str]:
    """:func:`cell` of each float that is not whole (nor NaN): its repr."""
    return list(map(repr, values.tolist()))


class _FloatColumn:
    """Floats as :func:`cell` writes them: shortest round-trip text, whole numbers as integers, NaN empty."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values.astype(np.float64)
        self.arrow = self.values.size >= _ARROW_FLOATS and _pyarrow_usable()

    def width(self, a: int, b: int) -> int:
        return 26

    def strings(self, a: int, b: int) -> list[str]:
        return [cell(v) for v in self.values[a:b].tolist()]

    def matrix(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        v = self.values[a:b]
        finite = np.isfinite(v)
        whole = finite & (v == np.round(v)) & (np.abs(v) < 1e15)
        other = np.flatnonzero(~whole & ~np.isnan(v))
        M, L = _int_matrix(np.where(whole, v, 0.0).astype(np.int64))
        L = np.where(whole, L, 0)
        if other.size:
            texts = _arrow_floats(v[other]) if self.arrow else None
            if texts is None:
                M, L = _put_rows(M, L, other, _float_texts(v[other]))
            else:
                data, starts, ends = texts
                # pyarrow's text equals repr() in fixed notation from 1e-4 up; elsewhere repr() itself
                sub = _byte_matrix(data, starts, ends - starts)
                odd = (sub == 101).any(axis=1) | (np.abs(v[other]) < 1e-4)
                if sub.shape[1] > M.shape[1]:
                    wider = np.zeros((M.shape[0], sub.shape[1]), dtype=np.uint8)
                    wider[:, : M.shape[1]] = M
                    M = wider
                M[other] = 0
                M[other, : sub.shape[1]] = sub
                L[other] = ends - starts
                if odd.any():
                    M, L = _put_rows(M, L, other[odd], _float_texts(v[other[odd]]))
        return M, L


def _pyarrow_usable() -> bool:
    if "pyarrow" in sys.modules:
        return sys.modules["pyarrow"] is not None
    return _has_pyarrow()


def _arrow_floats(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    try:
        import pyarrow as pa
    except ImportError:
        return None
    from riskkit._csvfile import _arrow_array, _arrow_call

    text = _arrow_call("cast", _arrow_array(values.astype(np.float64)), to=pa.string())
    buffers = text.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[: len(text) + 1].astype(np.int64)
    return np.frombuffer(buffers[2], dtype=np.uint8), offsets[:-1], offsets[1:]


def _factorize_text(arr: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Codes and distinct values of a numpy text array (``U``), without a Python object per cell: each
    cell's bytes hashed as 8-byte words, grouped, then compared with a cell of its group."""
    m, width = arr.size, arr.dtype.itemsize
    if m == 0 or width == 0:
        return np.zeros(m, dtype=np.intp), [str(v) for v in dict.fromkeys(arr.tolist())]
    n_words = (width + 7) // 8
    cells = np.zeros((m, n_words * 8), dtype=np.uint8)
    cells[:, :width] = np.ascontiguousarray(arr).view(np.uint8).reshape(m, width)
    words = cells.view("<u8")
    from riskkit._csvfile import _HASH_MULTIPLIERS

    multipliers = np.resize(_HASH_MULTIPLIERS, n_words)
    h = (words * multipliers).sum(axis=1, dtype=np.uint64)
    sample = np.arange(0, m, max(1, m // 4096))
    distinct, at = np.unique(h[sample], return_index=True)
    first = sample[at]  # a cell of each distinct hash
    codes = np.minimum(np.searchsorted(distinct, h), distinct.size - 1)
    if not (distinct[codes] == h).all():  # values the sample missed: all of them
        distinct, first, codes = np.unique(h, return_index=True, return_inverse=True)
        codes = codes.reshape(-1)
    if not (words == words[first[codes]]).all():  # two texts with one hash: exactness first
        levels = list(dict.fromkeys(arr.tolist()))
        index = {v: i for i, v in enumerate(levels)}
        return np.fromiter(map(index.__getitem__, arr.tolist()), dtype=np.intp, count=m), [str(v) for v in levels]
    return codes.astype(np.intp), [str(v) for v in arr[first].tolist()]


def _level_column(values: Any, raw: bool) -> _LevelColumn:
    """A column of Python values (or codes into levels) as fields: each distinct value's field made once."""
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind == "U":
        values = _factorize_text(values)
    if isinstance(values, tuple):  # (codes, level texts)
        codes, levels = values
        texts = [_csv_field(t, raw) for t in levels]
    else:
        items = values.tolist() if isinstance(values, np.ndarray) else list(values)
        kinds = set(map(type, items))
        try:
            # 1, 1.0 and True are one key to a dict, not one text: mixed types are keyed by (type, value)
            keys: Any = items if len(kinds) <= 1 else list(zip(map(type, items), items, strict=True))
            index = {k: i for i, k in enumerate(dict.fromkeys(keys))}
            codes = np.fromiter(map(index.__getitem__, keys), dtype=np.intp, count=len(items))
            distinct = list(index) if len(kinds) <= 1 else [v for _, v in index]
        except TypeError:  # unhashable cells (lists, dicts): their text
            return _level_column(np.array([_text_cell(v, True) for v in items], dtype=object), raw)
        texts = []
        for v in distinct:
            text = v if isinstance(v, str) else cell(v)
            texts.append(_csv_field(text, raw or not isinstance(v, str)))
    return _LevelColumn(np.where(codes < 0, len(texts), codes), [*texts, ""])


def _csv_column(col: Any, raw: bool) -> Any:
    """The writer of one output column, by what it holds."""
    from riskkit._csvfile import Cells

    if isinstance(col, Cells):
        if col.source != "objects":
            return _TextColumn(col, raw)
        return _level_column(col.texts(), raw)
    if isinstance(col, CodedText):
        return _level_column((col.codes, col.levels), raw)
    arr = col if isinstance(col, np.ndarray) else None
    if arr is not None and arr.ndim == 1 and arr.dtype.kind == "f":
        return _FloatColumn(arr)
    if (
        arr is not None and arr.ndim == 1 and arr.dtype.kind in "iu" and arr.dtype.itemsize <= 8
        and (arr.dtype != np.uint64 or int(arr.max(initial=0)) < 2**63)
    ):
        return _IntColumn(arr)
    if arr is None and isinstance(col, list) and col and all(type(v) is int for v in col) and max(map(abs, col)) < 2**62:
        return _IntColumn(np.asarray(col, dtype=np.int64))
    return _level_column(arr if arr is not None else list(col), raw)


def _arrow_strings(texts: list[str]) -> Any:
    """Python texts as a pyarrow string array, built from buffers (pyarrow's array() imports pandas)."""
    import pyarrow as pa

    data, _, ends = _joined(texts)
    offsets = np.concatenate(([0], ends)).astype(np.int64)
    if offsets[-1] >= 2**31:
        return pa.Array.from_buffers(pa.large_string(), len(texts), [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return pa.Array.from_buffers(
        pa.string(), len(texts), [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data.copy())]
    )


def _arrow_text(text: str) -> Any:
    """A pyarrow string scalar (from a one-item array: pyarrow's scalar() imports pandas)."""
    return _arrow_strings([text])[0]


def _arrow_mask(mask: np.ndarray) -> Any:
    import pyarrow as pa

    return pa.Array.from_buffers(pa.bool_(), mask.size, [None, pa.py_buffer(np.packbits(mask, bitorder="little"))])


def _arrow_bools(arr: Any) -> np.ndarray:
    """A pyarrow boolean array (no nulls) as numpy."""
    bits = np.unpackbits(np.frombuffer(arr.buffers()[1], dtype=np.uint8), bitorder="little")
    return bits[arr.offset : arr.offset + len(arr)].astype(bool)


def _arrow_text_fields(arr: Any, raw: bool) -> Any:
    """Text fields (a pyarrow string array, null = empty) as :func:`_csv_field` writes them: the cells a
    spreadsheet would run as a formula, or holding a delimiter, quote or line break, found in the bytes."""
    from riskkit._csvfile import _arrow_call

    try:
        from pyarrow._compute import call_function
    except ImportError:  # pragma: no cover - pyarrow moved its internals
        from pyarrow.compute import call_function
    if arr.null_count:
        arr = _arrow_call("coalesce", arr, _arrow_text(""))
    buffers = arr.buffers()
    wide = str(arr.type) == "large_string"
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if wide else np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, dtype=np.uint8)
    starts, ends = offsets[:-1].astype(np.int64), offsets[1:].astype(np.int64)
    lo, hi = (int(starts[0]), int(ends[-1])) if len(arr) else (0, 0)
    fix = np.zeros(len(arr), dtype=bool)
    if not raw:
        filled = ends > starts
        fix[filled] = np.isin(data[starts[filled]], _FORMULA_BYTES)
    part = data[lo:hi]
    special = np.flatnonzero((part == 44) | (part == 34) | (part == 13) | (part == 10)) + lo
    if special.size:
        fix[np.searchsorted(ends, special, side="right")] = True
    if not fix.any():
        return arr
    rows = np.flatnonzero(fix)
    texts = [_csv_field(bytes(data[starts[r] : ends[r]]).decode("utf-8"), raw) for r in rows.tolist()]
    return call_function("replace_with_mask", [arr, _arrow_mask(fix), _arrow_strings(texts)])


def _arrow_float_fields(values: np.ndarray) -> Any:
    """Floats as :func:`cell` writes them, formatted by pyarrow where its text is repr()'s."""
    import pyarrow as pa

    from riskkit._csvfile import _arrow_array, _arrow_call

    try:
        from pyarrow._compute import MatchSubstringOptions, call_function
    except ImportError:  # pragma: no cover
        from pyarrow.compute import MatchSubstringOptions, call_function
    v = values.astype(np.float64)
    text = _arrow_call("cast", _arrow_array(v), to=pa.string())
    nan = np.isnan(v)
    whole = np.isfinite(v) & (v == np.round(v)) & (np.abs(v) < 1e15)
    has_e = _arrow_bools(call_function("match_substring", [text], MatchSubstringOptions("e")))
    odd = ~whole & ~nan & (has_e | (np.abs(v) < 1e-4))  # pyarrow's text equals repr() in fixed notation from 1e-4 up
    if whole.any():
        ints = _arrow_call("cast", _arrow_array(v[whole].astype(np.int64)), to=pa.string())
        text = call_function("replace_with_mask", [text, _arrow_mask(whole), ints])
    if nan.any():
        text = call_function("replace_with_mask", [text, _arrow_mask(nan), _arrow_strings([""] * int(nan.sum()))])
    if odd.any():
        text = call_function("replace_with_mask", [text, _arrow_mask(odd), _arrow_strings(_float_texts(v[odd]))])
    return text


def _arrow_fields(col: Any, raw: bool, eol: str = "") -> tuple[Any, bool]:
    """One output column as a pyarrow string array of its CSV fields, and whether ``eol`` ends each of them
    (added to a column of few distinct values for free); None when the column is not one of the kinds handled
    here (then the numpy writer writes the file)."""
    import pyarrow as pa

    from riskkit._csvfile import Cells, _arrow_array, _arrow_call

    if eol:
        level = None if isinstance(col, Cells | np.ndarray) and not _is_object(col) else _csv_column(col, raw)
        if isinstance(level, _LevelColumn):
            fields = [f + eol for f in level.fields]
            return _arrow_call("take", _arrow_strings(fields), _arrow_array(level.codes.astype(np.int64))), True
        return _arrow_fields(col, raw)[0], False
    if isinstance(col, Cells):
        if col.source != "arrow":
            return None, False
        return _arrow_text_fields(_whole_strings(col), raw), False
    if isinstance(col, np.ndarray) and col.ndim == 1 and col.dtype.kind == "f":
        return _arrow_float_fields(col), False
    if isinstance(col, np.ndarray) and col.ndim == 1 and col.dtype.kind in "iu" and col.dtype.itemsize <= 8:
        if col.dtype == np.uint64 and col.size and int(col.max()) >= 2**63:
            return None, False
        return _arrow_call("cast", _arrow_array(col.astype(np.int64)), to=pa.string()), False
    level = _csv_column(col, raw)
    if not isinstance(level, _LevelColumn):
        return None, False
    return _arrow_call("take", _arrow_strings(level.fields), _arrow_array(level.codes.astype(np.int64))), False


def _is_object(col: Any) -> bool:
    return isinstance(col, np.ndarray) and col.dtype == object


def _whole_strings(cells: Any) -> Any:
    from riskkit._csvfile import _whole

    return _whole(cells._strings())


def _write_csv_arrow(path: str | os.PathLike[str], header: Sequence[str], columns: Sequence[Any], raw: bool) -> int | None:
    """:func:`_write_csv_columns` with pyarrow's string kernels (fields joined into lines in C++), when
    pyarrow is loaded already and every column is of a kind handled; else None."""
    import io

    if len(columns) < 2 or not all(_arrow_kind(c) for c in columns):
        return None

    from concurrent.futures import ThreadPoolExecutor

    from riskkit._csvfile import _arrow_call

    last = len(columns) - 1
    with ThreadPoolExecutor(2) as pool:  # pyarrow's kernels run without the GIL: two columns at a time
        made = list(pool.map(lambda j: _arrow_fields(columns[j], raw, eol="\r\n" if j == last else ""), range(len(columns))))
    if any(f is None for f, _ in made):
        return None
    fields = [f for f, _ in made]
    ended = made[-1][1]
    n = len(fields[0])
    head = io.StringIO()
    csv.writer(head).writerow(_header(header, raw))
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(head.getvalue().encode("utf-8"))
        for a in range(0, n, _ARROW_LINES):
            part = [f.slice(a, _ARROW_LINES) for f in fields]
            line = _arrow_call("binary_join_element_wise", *part, _arrow_text(","))
            if not ended:
                line = _arrow_call("binary_join_element_wise", line, _arrow_text(""), _arrow_text("\r\n"))
            buffers = line.buffers()
            wide = str(line.type) == "large_string"
            offsets = np.frombuffer(buffers[1], dtype=np.int64 if wide else np.int32)
            lo, hi = int(offsets[line.offset]), int(offsets[line.offset + len(line)])
            fh.write(memoryview(buffers[2])[lo:hi])
        fh.flush()
        os.fsync(fh.fileno())
    return n


#: Whether CSV outputs are joined by pyarrow's string kernels when pyarrow is loaded (tests switch it off).
ARROW_WRITER = True
#: Lines joined per step by the pyarrow writer (bounds its buffers below 2 GiB).
_ARROW_LINES = 1 << 18


def _arrow_kind(col: Any) -> bool:
    """Whether the pyarrow writer takes the column (text from pyarrow, numbers, or few distinct values)."""
    from riskkit._csvfile import Cells

    if isinstance(col, Cells):
        return col.source == "arrow"
    return True


def _write_csv_columns(path: str | os.PathLike[str], header: Sequence[str], columns: Sequence[Any], raw: bool) -> int:
    """Columns as CSV, exactly as :func:`csv.writer` writes their :func:`column_texts`, without a row of Python text."""
    import io

    if ARROW_WRITER and sys.modules.get("pyarrow") is not None:  # loaded already (the file was read with it)
        written = _write_csv_arrow(path, header, columns, raw)
        if written is not None:
            return written
    writers = [_csv_column(c, raw) for c in columns]
    single = len(writers) == 1  # csv.writer quotes the one empty field of a row, so the row is not blank
    n = len(columns[0]) if columns else 0
    head = io.StringIO()
    csv.writer(head).writerow(_header(header, raw))
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(head.getvalue().encode("utf-8"))
        for a in range(0, n, _BLOCK_ROWS):
            b = min(a + _BLOCK_ROWS, n)
            if sum(w.width(a, b) for w in writers) + len(writers) + 2 > _MATRIX_WIDTH:
                lines = zip(*(w.strings(a, b) for w in writers), strict=True)
                text = "".join((",".join(r) if not single or r[0] else '""') + "\r\n" for r in lines)
                fh.write(text.encode("utf-8"))
                continue
            parts = [w.matrix(a, b) for w in writers]
            if single and not parts[0][1].all():
                M, L = parts[0]
                empty = np.flatnonzero(L == 0)
                parts[0] = _put_rows(M, L, empty, ['""'] * empty.size)
            widths = [M.shape[1] for M, _ in parts]
            total = sum(widths) + len(parts) + 1
            rows = b - a
            out = np.empty((rows, total), dtype=np.uint8)
            keep = np.empty((rows, total), dtype=bool)
            at = 0
            for j, (M, L) in enumerate(parts):
                w = widths[j]
                out[:, at : at + w] = M
                keep[:, at : at + w] = np.arange(w)[None, :] < L[:, None]
                at += w
                if j < len(parts) - 1:
                    out[:, at] = 44
                    keep[:, at] = True
                    at += 1
            out[:, at : at + 2] = _CRLF
            keep[:, at : at + 2] = True
            fh.write(out[keep].tobytes())
        fh.flush()
        os.fsync(fh.fileno())
    return n


class TableOutput(str):
    """An output that is a database table, given where a file path goes (``--out-table``).

    The text is how messages name it (``table 'scores' in sqlite:///...``,
    password hidden); :attr:`table` and :attr:`database` say where it goes.
    Its extension is never a table format, so the writers never mistake it
    for a file.

    >>> out = TableOutput("scores", "postgresql://scott:tiger@db/erp")
    >>> print(out)
    table 'scores' in postgresql://scott:***@db/erp
    >>> out.table
    'scores'
    """

    table: str
    database: str

    def __new__(cls, table: str, database: str) -> TableOutput:
        from riskkit.sql import describe

        self = super().__new__(cls, f"table {table!r} in {describe(database)}")
        self.table = table
        self.database = database
        return self


def _write_table(out: TableOutput, header: Sequence[str], columns: Sequence[Any]) -> int:
    """Columns to the table of ``out``: each cell as in a JSON output, a column mixing kinds as CSV text."""
    from riskkit.sql import write_table

    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if list(header).count(h) > 1})
        raise ValidationError(f"cannot write {out}: the column name(s) {', '.join(map(repr, dupes))} repeat")
    return write_table(out.database, out.table, {h: _table_column(c) for h, c in zip(header, columns, strict=True)})


def _table_column(col: Any) -> Any:
    """A column for a database table: arrays as they are; objects with one kind of value as they are, else text."""
    col = _plain_column(col)
    arr = col if isinstance(col, np.ndarray) else _objects(col)
    if arr.dtype != object:
        return arr
    values = [_json_value(v) for v in arr.tolist()]
    kinds = {type(v) for v in values if v is not None}
    if (len(kinds) <= 1 and not kinds & {list, dict}) or kinds == {int, float}:
        return _objects(values)
    return _objects([None if v is None else cell(v) for v in values])


def write_columns(
    path: str | os.PathLike[str],
    header: Sequence[str],
    columns: Sequence[Any],
    *,
    money: Iterable[str] = (),
    raw: bool = False,
) -> int:
    """Columns (arrays or lists of equal length) as CSV, JSON lines, a JSON array or Parquet, by extension.

    ``.csv``; ``.jsonl``/``.ndjson`` (an object per line); ``.json`` (an
    array of objects); ``.parquet`` (needs pyarrow). The columns named in
    ``money`` are rounded to cents as they are written. In a CSV, text cells
    a spreadsheet would run as a formula get a leading ``'`` unless ``raw``
    (:func:`defuse`). Returns the number of rows.

    ``path`` may be a :class:`TableOutput`: the table is replaced in one
    transaction (:func:`riskkit.sql.write_table`).

    Raises
    ------
    ValidationError
        Another extension (see :func:`check_output`), or a table the database
        refuses (the old table stays as it was).
    """
    if isinstance(path, TableOutput):
        return _write_table(path, header, _round_money(header, columns, money))
    ext = check_output(path, TABLE_FORMATS)
    columns = _round_money(header, columns, money)
    if ext != ".csv":
        columns = [_plain_column(c) for c in columns]
    if ext == ".parquet":
        return _write_parquet(path, header, columns)
    if ext in (".jsonl", ".ndjson", ".json"):
        lists = [c.tolist() if isinstance(c, np.ndarray) else list(c) for c in columns]
        records = (dict(zip(header, row, strict=True)) for row in zip(*lists, strict=True))
        return write_json(path, records) if ext == ".json" else write_jsonl(path, records)
    return _write_csv_columns(path, header, columns, raw)


def _plain_column(col: Any) -> Any:
    """Cells and coded text as an object array (text, None for empty); anything else as it is."""
    from riskkit._csvfile import Cells

    if isinstance(col, Cells):
        return col.texts()
    if isinstance(col, CodedText):
        return col.to_numpy()
    return col


def write_records(
    path: str | os.PathLike[str],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    money: Iterable[str] = (),
    raw: bool = False,
) -> int:
    """Rows in the format of ``path``'s extension, as :func:`write_columns`; returns the number of rows."""
    rows = list(rows)
    columns = [_objects(row[j] for row in rows) for j in range(len(header))]
    return write_columns(path, header, columns, money=money, raw=raw)


def _write_parquet(path: str | os.PathLike[str], header: Sequence[str], columns: Sequence[Any]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = [_arrow_column(c) for c in columns]
    table = pa.table(arrays, names=list(header))
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return int(table.num_rows)


def _arrow_column(col: Any) -> Any:
    """One column for pyarrow: floats as float64 (NaN as null), text as strings, a mixed column as its text."""
    import pyarrow as pa

    arr = col if isinstance(col, np.ndarray) else _objects(col)
    if arr.dtype.kind == "f":
        return pa.array(arr.astype(np.float64), from_pandas=True)
    if arr.dtype.kind in "iub":
        return pa.array(arr)
    values = [_json_value(v) for v in arr.tolist()]
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {str}:
        return pa.array(values, type=pa.string())
    if kinds <= {int, float}:
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    if kinds <= {bool}:
        return pa.array(values, type=pa.bool_())
    return pa.array([None if v is None else cell(v) for v in values], type=pa.string())


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write a text file atomically."""
    if isinstance(path, TableOutput):
        raise ValidationError(f"a text output (HTML, ...) cannot go to {path}; give --out FILE")
    with atomic_open(path) as fh:
        fh.write(text)


# --- progress ------------------------------------------------------------------


class Progress:
    """A progress bar on stderr, shown only when stderr is a terminal and not ``quiet``.

    Uses tqdm when it is installed, else a one-line bar of its own.
    """

    def __init__(self, total: int, desc: str, *, quiet: bool = False, stream: Any = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.total = max(int(total), 1)
        self.desc = desc
        self.done = 0
        self._last = 0.0
        isatty: Callable[[], bool] = getattr(self.stream, "isatty", lambda: False)
        self.enabled = not quiet and isatty()
        self._tqdm: Any = None
        if self.enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                pass
            else:
                self._tqdm = tqdm(total=self.total, desc=desc, file=self.stream, leave=False)

    def update(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        if self._tqdm is not None:
            self._tqdm.update(n)
            return
        now = time.monotonic()
        if now - self._last < 0.1 and self.done < self.total:
            return
        self._last = now
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        self.stream.write(f"\r{self.desc} [{bar:<30}] {share:6.1%}")
        self.stream.flush()

    def close(self) -> None:
        if not self.enabled:
            return
        if self._tqdm is not None:
            self._tqdm.close()
        else:
            self.stream.write("\r" + " " * (len(self.desc) + 42) + "\r")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
