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

A SIGTERM while the command line runs (:func:`terminate_as_exception`) unwinds
like a SIGINT, so the temporary file of an unfinished output is removed and
an existing output stays as it was.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import re
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
    "Progress",
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

_NUMBER = re.compile(
    r"\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*|\s*[+-]?inf(?:inity)?\s*", re.I
)


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
    cell is looked at cell by cell. With a ``dialect`` whose ``decimal`` or
    ``thousands`` differ from the default, text is read with them
    (``1.234,56``, and ``12,50-`` for a negative number); see
    :func:`riskkit._csvfile.parse_column`.
    """
    if dialect is not None and (dialect.decimal != "." or dialect.thousands != ""):
        return _parse_numeric_dialect(col, dialect)
    missing = is_missing(col)
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
        elif isinstance(v, int | float) or (isinstance(v, str) and _NUMBER.fullmatch(v)):
            out[i] = float(v)
        else:
            bad[i] = True
    return out, bad


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
    """Nested records as a JSON array for ``.json``, else as JSON lines; returns the number written."""
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

    Raises
    ------
    ValidationError
        Another extension (see :func:`check_output`).
    """
    ext = check_output(path, TABLE_FORMATS)
    columns = _round_money(header, columns, money)
    if ext == ".parquet":
        return _write_parquet(path, header, columns)
    if ext in (".jsonl", ".ndjson", ".json"):
        lists = [c.tolist() if isinstance(c, np.ndarray) else list(c) for c in columns]
        records = (dict(zip(header, row, strict=True)) for row in zip(*lists, strict=True))
        return write_json(path, records) if ext == ".json" else write_jsonl(path, records)
    texts = [column_texts(c, raw=raw) for c in columns]
    n = len(texts[0]) if texts else 0
    with atomic_open(path, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(_header(header, raw))
        writer.writerows(zip(*texts, strict=True))
    return n


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
