"""File reading and writing for the ``riskkit`` command line.

Input tables are read into raw columns (object arrays) without pandas: CSV
with the csv module (every cell text, an empty cell ``None``), JSON lines with
json (values as given, ``null`` -> ``None``), Parquet with pyarrow when it is
installed. Outputs are written atomically: into a temporary file in the same
directory, then moved over the target with :func:`os.replace`, so a crash or
an error never leaves half a file and an existing file stays as it was.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import IO, Any

import numpy as np

from riskkit.errors import ValidationError

__all__ = [
    "Progress",
    "atomic_open",
    "cell",
    "column_texts",
    "infer_columns",
    "is_missing",
    "parse_numeric",
    "read_table",
    "write_columns",
    "write_csv",
    "write_jsonl",
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


def read_table(path: str | os.PathLike[str]) -> tuple[dict[str, np.ndarray], int]:
    """Raw columns of a CSV (``.csv``, default), JSON lines (``.jsonl``/``.ndjson``) or Parquet file.

    Returns the columns (object arrays, ``None`` = missing) in file order and the number of rows.

    Raises
    ------
    ValidationError
        The file cannot be read, is malformed, or Parquet is asked for without pyarrow.
    """
    name = os.fspath(path)
    lower = name.lower()
    try:
        if lower.endswith((".jsonl", ".ndjson")):
            return _read_jsonl(name)
        if lower.endswith((".parquet", ".pq")):
            return _read_parquet(name)
        return _read_csv(name)
    except OSError as exc:
        raise ValidationError(f"cannot read {name!r}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{name!r} is not valid UTF-8: {exc}") from None


def _read_csv(path: str) -> tuple[dict[str, np.ndarray], int]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            raise ValidationError(f"{path!r} is empty; expected a header row")
        header = [h.strip() for h in header]
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            raise ValidationError(f"{path!r} has duplicate column names {dupes}")
        rows = list(reader)
    lengths = set(map(len, rows))
    if lengths - {len(header)}:
        for line_no, row in enumerate(rows, start=2):
            if row and len(row) != len(header):
                raise ValidationError(
                    f"line {line_no} of {path!r} has {len(row)} fields, the header has {len(header)}",
                    row=line_no - 2,
                )
        rows = [row for row in rows if row]  # blank lines
    columns = {}
    for j, name in enumerate(header):
        col = np.fromiter(map(itemgetter(j), rows), dtype=object, count=len(rows))
        col[col == ""] = None
        columns[name] = col
    return columns, len(rows)


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
    table = pq.read_table(path)
    columns = {}
    for name in table.column_names:
        col = np.empty(table.num_rows, dtype=object)
        col[:] = [_plain(v) for v in table.column(name).to_pylist()]
        columns[str(name)] = col
    return columns, int(table.num_rows)


def parse_numeric(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A raw column as float64 (missing = NaN) and the mask of cells that are not numbers.

    Text must be a plain decimal number (``1.5``, ``-2e3``, ``inf``); JSON
    numbers are taken as they are; booleans and anything else are not numbers.
    Vectorized for the common all-good column; only a column with a suspect
    cell is looked at cell by cell.
    """
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


def infer_columns(columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Columns typed for fitting: float64 where every non-empty cell is a number, else text (None = missing)."""
    out: dict[str, np.ndarray] = {}
    for name, col in columns.items():
        values, bad = parse_numeric(col)
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
def atomic_open(path: str | os.PathLike[str], newline: str | None = None) -> Iterator[IO[str]]:
    """Open a temporary text file beside ``path``; on success it replaces ``path``, on error it is removed."""
    target = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise ValidationError(f"cannot write {os.fspath(path)!r}: the folder {folder!r} does not exist")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        os.chmod(tmp, _file_mode(target))  # mkstemp makes 0600; give the file the mode open() would
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _file_mode(target: str) -> int:
    try:
        return os.stat(target).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_csv(path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a CSV atomically; returns the number of data rows."""
    n = 0
    with atomic_open(path, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([cell(v) for v in row])
            n += 1
    return n


def _json_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_jsonl(path: str | os.PathLike[str], lines: Iterable[str | Mapping[str, Any]]) -> int:
    """Write JSON lines atomically (ready-made JSON text or mappings); returns the number of lines."""
    n = 0
    with atomic_open(path) as fh:
        for line in lines:
            if not isinstance(line, str):
                line = json.dumps(
                    {k: _json_value(v) for k, v in line.items()}, default=str, ensure_ascii=False
                )
            fh.write(line + "\n")
            n += 1
    return n


def column_texts(col: Any) -> list[str]:
    """A whole column as CSV text (see :func:`cell`), float columns converted without a per-cell call."""
    arr = np.asarray(col) if not isinstance(col, list) else None
    if arr is not None and arr.ndim == 1 and arr.dtype.kind == "f":
        values = arr.astype(np.float64)
        out = np.array(list(map(repr, values.tolist())), dtype=object)
        whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 1e15)
        out[whole] = values[whole].astype(np.int64).astype(str).astype(object)
        out[np.isnan(values)] = ""
        return list(out.tolist())
    if arr is not None and arr.ndim == 1 and arr.dtype.kind in "iuU":
        return list(arr.astype(str).tolist())
    values = col.tolist() if arr is not None else col
    return [v if type(v) is str else cell(v) for v in values]


def write_columns(path: str | os.PathLike[str], header: Sequence[str], columns: Sequence[Any]) -> int:
    """Columns (arrays or lists of equal length) as JSON lines for ``.jsonl``/``.ndjson``, else as CSV."""
    if os.fspath(path).lower().endswith((".jsonl", ".ndjson")):
        lists = [c.tolist() if isinstance(c, np.ndarray) else list(c) for c in columns]
        return write_jsonl(path, (dict(zip(header, row, strict=True)) for row in zip(*lists, strict=True)))
    texts = [column_texts(c) for c in columns]
    n = len(texts[0]) if texts else 0
    with atomic_open(path, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(zip(*texts, strict=True))
    return n


def write_records(path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Rows as JSON lines when ``path`` ends in ``.jsonl``/``.ndjson``, else as CSV."""
    if os.fspath(path).lower().endswith((".jsonl", ".ndjson")):
        return write_jsonl(path, (dict(zip(header, row, strict=True)) for row in rows))
    return write_csv(path, header, rows)


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
