"""The compiled scoring plan: a card's bins and points as contiguous arrays, scored in chunks.

Batch scoring is the hot path of every nightly ERP job, so a card is compiled
once into a plan that scores rows in cache-sized chunks (peak extra memory is
the outputs plus one chunk per thread) with a few numpy passes per value,
however many bins a feature has:

* **numeric bins on a uniform grid.** Each numeric feature gets a map
  ``t = x * a + b`` that spreads its split points over ``GRID`` cells; a
  value's cell is ``trunc(clip(t, 0, GRID - 2))``, and NaN goes to the last
  cell. A table of every feature's cells gives the points of a value
  directly, by one ``take``. A cell that holds values on both sides of a split
  point has NaN for points, so the row's total comes out NaN; those few rows
  (a few percent) are scored again, exactly, at the end of the block. The map
  runs in float32 when float32 still resolves a sixteenth of a cell (half the
  memory traffic), else in float64.
* **a C-ordered matrix** is mapped row-major, as it lies in memory, every value
  of a ``CHUNK``-row chunk at once (multiply, add, clip, ``fmin``, offset in
  the table), and transposed by the cast to cell numbers, so the points come
  out one row per column; ``np.add.reduce`` over them adds the features.
* **columns** (a DataFrame, a mapping, an F-ordered matrix) are scored feature
  by feature, ``COLUMN_CHUNK`` rows at a time: the same map and table per
  numeric feature, a code -> bin table for pandas category codes, a dict for
  text, and the points added to the totals feature after feature. A feature
  whose values often sit on a split point (integers, say) leaves the grid for
  comparisons, decided on the first chunk.
* **threads** (``n_jobs``): the rows are split over threads; numpy releases
  the GIL in every pass.
* **finishing in the threads.** ``finish(score, rows)``, given by the caller,
  is called once the scores are final, with slices of ``FINISH_ROWS`` rows
  handed out to the same threads, so probabilities and grades are computed
  in parallel too. Long slices mean few numpy calls, and so few waits for the
  GIL: finishing each scoring block while it was still in cache made many
  short calls, and two threads waited on each other (1M x 20 on two threads:
  61 ms that way, 55 ms this way; one thread 89 and 82 ms).

Results are bit-identical to the plain reference (``searchsorted``, then
``points[bin]``, added feature by feature in card order, starting from 0.0):

* the grid only chooses which table entry a value reads. The cells of the
  split points (and of the floats just below them) are computed by the very
  same floating-point operations when the plan is built, and every operation
  is monotone (IEEE rounding is), so a cell without a split point lies within
  one bin, and the others are scored again by the general path;
* ``np.add.reduce`` over the slow axis of the (features x rows) points of a
  chunk adds the features one after another, in card order, from
  ``initial=0.0`` (numpy sums pairwise only along the fast axis in memory);
  otherwise the additions are written out one by one.

A feature whose grid cannot be built (split points too close together for
their size) and batches that need the bin of every value (reason codes) take
the general path: comparisons or ``searchsorted`` per feature.
"""

from __future__ import annotations

import bisect
import itertools
import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np

from riskkit._checks import Integer, Options, check
from riskkit.scoring._input import NUMERIC, Categories, category_of
from riskkit.scoring._levels import unknown_level

#: Rows per chunk of the grid path. Its temporaries (a few arrays of features x rows, about 5 MiB for 20
#: features) no longer fit in L2, but the one-thread time is the same as with 2,048 rows and the Python
#: overhead per chunk, which holds the GIL, falls fourfold: two threads score 1M x 20 1.4x faster than one
#: instead of 1.1x (benchmarks/bench_scoring.py; 16,384 rows: 1.6x, but one thread 10% slower).
CHUNK = 8192
#: Rows per chunk of the general path (bins of every value).
WIDE_CHUNK = 65536
#: Rows per chunk of the general path with the grid (one feature at a time).
COLUMN_CHUNK = 16384
#: A C-ordered matrix's chunk is copied column-major in blocks of this many rows (general path).
TRANSPOSE_BLOCK = 8192
#: Up to this many split points the general path finds a bin by summing comparisons.
MAX_SUMMED_SPLITS = 24
#: Below this many rows a batch is not split over threads.
MIN_ROWS_PER_THREAD = 200_000
#: Cells of a numeric feature's grid; the last one holds NaN (missing). Twice 2,048 halves the rows scored
#: again (1M x 20: 1.7% of them, not 3.5%; 5 ms instead of 9 on one thread) for a table of 32 KiB per feature.
GRID = 4096
#: From this many rows a chunk's points are totalled by one ``np.add.reduce`` over the slow axis.
MIN_REDUCE = 16
#: A feature leaves the grid for a block when more than this share of its values in the first chunk
#: fall in cells that hold a split point (to be re-scored)
MAX_AGAIN = 0.02
#: Rows re-scored at once (the few with a value in a cell that holds a split point).
RESCORE_CHUNK = 4096
#: Rows handed out to a thread at a time.
BLOCK_ROWS = 32768
#: Rows handed out to a thread at a time once the scores are final, for ``finish`` (probabilities and grades).
FINISH_ROWS = 131072

#: ``finish(score, rows)``: called with the final scores and a slice of rows, once for every row.
Finish = Callable[[np.ndarray, slice], None]


class Feature(Protocol):
    """What the plan reads of a card's feature (:class:`riskkit.scoring._card.CardFeature`)."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def points(self) -> np.ndarray: ...

    @property
    def splits(self) -> np.ndarray: ...

    @property
    def categories(self) -> tuple[tuple[str, ...], ...]: ...

    @property
    def special_codes(self) -> tuple[float, ...]: ...

    @property
    def n_regular(self) -> int: ...

    @property
    def special_bin(self) -> int: ...

    @property
    def missing_bin(self) -> int: ...


def _cells(x: np.ndarray, a: float, b: float, offset: float, dtype: Any) -> np.ndarray:
    """The grid cell of every value, by the very operations (and roundings) of the batch path."""
    t = np.empty(x.shape, dtype=dtype)
    np.multiply(x, dtype(a), out=t, dtype=dtype, casting="same_kind")
    np.add(t, dtype(b), out=t)
    np.clip(t, dtype(0.0), dtype(GRID - 2), out=t)
    np.fmin(t, dtype(GRID - 1), out=t)
    np.add(t, dtype(offset), out=t)
    return t.astype(np.intp) - int(offset)


def _affine(f: Feature) -> tuple[float, float] | None:
    """``(a, b)`` of the map ``t = x * a + b`` spreading a numeric feature's split points over the grid.

    The split points go to cells 3 to ``GRID - 5``; a single one to the middle
    cell, a cell being ``4 / GRID`` of its size. None when that is not possible in
    floats (split points too close together for their size).
    """
    s = np.asarray(f.splits, dtype=np.float64)
    if s.size == 0:
        a, b = 1.0, 0.0
    elif s.size == 1:
        scale = abs(float(s[0])) or 1.0
        a = GRID / 4 / scale
        b = GRID / 2 - float(s[0]) * a
    else:
        a = (GRID - 8) / (float(s[-1]) - float(s[0]))
        b = 3.0 - float(s[0]) * a
    with np.errstate(over="ignore"):
        if not (math.isfinite(a) and a > 0 and math.isfinite(b) and np.isfinite(s * a).all()):
            return None
    return a, b


def _fits_float32(f: Feature, a: float, b: float) -> bool:
    """Whether the map works in float32, to a quarter of a cell around the feature's split points
    (float32 resolves a quarter below 2**21)."""
    reach = float(np.abs(np.asarray(f.splits, dtype=np.float64) * a).max(initial=0.0))
    return 2.0**-100 <= a <= 2.0**100 and max(reach, abs(b)) <= 2.0**21


def _table(f: Feature, a: float, b: float, offset: float, dtype: Any) -> np.ndarray | None:
    """The points of every cell of a numeric feature's grid, at ``offset`` in the plan's table.

    NaN for a cell that holds values on both sides of a split point (its values
    are re-scored exactly), the missing bin's points in the last cell. None when
    a split point falls in an end cell (every value beyond it would be re-scored).
    """
    s = np.asarray(f.splits, dtype=np.float64)
    cells = _cells(s, a, b, offset, dtype)
    if cells.size and (cells[0] <= 0 or cells[-1] >= GRID - 2):
        return None
    # the cell of the float just below each split point: when it is the split point's own cell, that cell
    # holds values on both sides of the split point
    below = _cells(np.nextafter(s, -np.inf), a, b, offset, dtype)
    points = np.asarray(f.points, dtype=np.float64)
    table = np.empty(GRID, dtype=np.float64)
    # cells never decrease as the value grows, so every value of a cell without such a split point has
    # as many split points at or below it as there are split points with a cell at or below it
    table[: GRID - 1] = points[np.searchsorted(cells, np.arange(GRID - 1), side="right")]
    table[cells[below == cells]] = np.nan
    table[GRID - 1] = points[f.missing_bin]
    return table


class _Numeric:
    __slots__ = (
        "missing", "points", "points_list", "special", "special_bin", "special_points", "splits", "splits_list",
        "summed",
    )  # fmt: skip

    def __init__(self, f: Feature) -> None:
        self.splits = np.ascontiguousarray(f.splits, dtype=np.float64)
        self.points = np.ascontiguousarray(f.points, dtype=np.float64)
        self.special = np.asarray(f.special_codes, dtype=np.float64)
        self.special_bin = f.special_bin
        self.special_points = float(self.points[f.special_bin])
        self.missing = f.missing_bin
        self.summed = self.splits.size <= MAX_SUMMED_SPLITS
        self.splits_list = self.splits.tolist()
        self.points_list = self.points.tolist()

    def bins(self, x: np.ndarray, out: np.ndarray, flag: np.ndarray) -> None:
        """Bin of every value of chunk ``x`` into ``out`` (uint8 when summing, else intp)."""
        if self.summed:
            # each comparison adds 0 or 1; uint8 accumulation keeps the passes narrow and vectorized
            acc = out.view(np.uint8) if out.dtype == np.uint8 else out
            acc[:] = 0
            for s in self.splits:
                np.greater_equal(x, s, out=flag)
                np.add(acc, flag.view(np.uint8), out=acc)
        else:
            out[:] = np.searchsorted(self.splits, x, side="right")
        for code in self.special:
            np.equal(x, code, out=flag)
            np.putmask(out, flag, self.special_bin)
        np.isnan(x, out=flag)
        np.putmask(out, flag, self.missing)

    def exact_points(self, x: np.ndarray) -> np.ndarray:
        """Points of values that are neither missing nor special codes, by binary search."""
        return self.points[np.searchsorted(self.splits, np.asarray(x, dtype=np.float64), side="right")]

    def bin_one(self, v: float) -> int:
        if v != v:
            return self.missing
        if self.special.size and v in self.special.tolist():
            return self.special_bin
        return bisect.bisect_right(self.splits_list, v)


class _Categorical:
    __slots__ = ("feature", "lookup", "points", "points_list", "unknown")

    def __init__(self, f: Feature, unknown: str) -> None:
        self.feature = f
        self.points = np.ascontiguousarray(f.points, dtype=np.float64)
        self.points_list = self.points.tolist()
        self.lookup: dict[Any, int] = {c: b for b, g in enumerate(f.categories) for c in g}
        self.lookup[None] = f.missing_bin
        self.unknown = unknown

    def _unknown_bin(self) -> int:
        if self.unknown == "missing":
            return self.feature.missing_bin
        return int(np.argmin(self.points[: self.feature.n_regular]))

    def _raise(self, value: Any, row: int) -> None:
        raise unknown_level(self.feature.name, value, row, self.lookup, "when the card was built")

    def code_table(self, cats: Categories) -> np.ndarray:
        """Bin of every level of a categorical column, plus the missing bin at the end (code -1)."""
        table = np.empty(len(cats.levels) + 1, dtype=np.intp)
        for i, level in enumerate(cats.levels):
            b = self.lookup.get(level, -1)
            table[i] = b
        table[-1] = self.feature.missing_bin
        unseen = np.flatnonzero(table < 0)
        if unseen.size:
            used = np.zeros(table.size, dtype=bool)
            used[np.unique(cats.codes)] = True
            bad = unseen[used[unseen]]
            if bad.size and self.unknown == "error":
                row = int(np.flatnonzero(cats.codes == bad[0])[0])
                self._raise(cats.levels[int(bad[0])], row)
            table[unseen] = self._unknown_bin()
        return table

    def bins_text(self, col: np.ndarray, start: int, out: np.ndarray) -> None:
        """Bins of a chunk of raw values (object array) into ``out``; misses are converted, then looked up."""
        get = self.lookup.get
        values = col.tolist()
        try:
            out[:] = np.fromiter(map(get, values, itertools.repeat(-1)), dtype=np.intp, count=col.size)
        except TypeError:  # an unhashable value: find and name it below
            out[:] = -1
        for i in np.flatnonzero(out < 0).tolist():
            out[i] = self.bin_one(values[i], start + i)

    def bin_one(self, v: Any, row: int = 0) -> int:
        """Bin of one raw value: text, None/NaN (missing) or an integer (its decimal text)."""
        b = self.lookup.get(v, -1) if isinstance(v, str) or v is None else -1
        if b < 0:
            key = category_of(v, self.feature.name, row)
            b = self.lookup.get(key, -1)
            if b < 0:
                if self.unknown == "error":
                    self._raise(v, row)
                b = self._unknown_bin()
        return b


#: ``n_jobs``: a number of threads, -1 (one per core) or None (one per core for large batches).
_N_JOBS = (Integer(1), Options(-1, None))


def _workers(n_jobs: int | None, n_rows: int) -> int:
    """Threads for a batch: ``None`` means one per core for large batches, 1 none, -1 one per core."""
    n_jobs = check("n_jobs", n_jobs, *_N_JOBS)
    if n_jobs == 1:
        return 1
    cores = os.cpu_count() or 1
    wanted = cores if n_jobs in (None, -1) else n_jobs
    return max(1, min(wanted, n_rows // MIN_ROWS_PER_THREAD))


def _nan_rows(score: np.ndarray, ranges: list[tuple[int, int]]) -> np.ndarray:
    """The rows of ``ranges`` whose score is NaN (a value in a cell that holds a split point)."""
    found = [np.flatnonzero(np.isnan(score[lo:hi])) + lo for lo, hi in ranges]
    return np.concatenate(found) if found else np.empty(0, dtype=np.intp)


def _total_rows(points: np.ndarray, order: Sequence[int] | None, out: np.ndarray) -> None:
    """``out = ((0.0 + points[order[0]]) + points[order[1]]) + ...``: each column's points added in order.

    ``points`` has one row per feature (or matrix column) and one column per
    scored row; ``order`` None means all its rows in turn. ``np.add.reduce``
    over the slow axis of a C-ordered array adds row after row into ``out``
    (numpy sums pairwise only along the fast axis in memory); with few columns
    the fast axis could be the reduced one, so the additions are then written out.
    """
    n = points.shape[1]
    if order is None and n >= MIN_REDUCE and points.strides[1] == points.itemsize:
        np.add.reduce(points, axis=0, out=out, initial=0.0)
        return
    out[:] = 0.0
    for r in range(points.shape[0]) if order is None else order:
        np.add(out, points[r], out=out)


class _Matrix:
    """The grid of a plan laid out for a C-ordered matrix, one entry per column.

    ``a``, ``b`` and ``offset``: per column of the matrix, its feature's map and
    the offset of its cells in the plan's table (a column the card does not
    read maps to the zero region). ``order``: the columns to add up in card
    order (None when the card's features are in the matrix's order, so all
    columns are added in turn, the others adding 0.0). ``specials``: (feature,
    column) of the features with special codes.
    """

    __slots__ = ("a", "b", "offset", "order", "specials", "width")

    def __init__(self, plan: ScoringPlan, width: int, positions: list[int]) -> None:
        dtype = plan.dtype
        self.width = width
        self.a = np.zeros(width, dtype=dtype)
        self.b = np.zeros(width, dtype=dtype)
        self.offset = np.full(width, len(plan.parts) * GRID, dtype=dtype)
        self.a[positions], self.b[positions], self.offset[positions] = plan.grid_a, plan.grid_b, plan.grid_offset
        self.order = None if positions == sorted(positions) else positions
        self.specials = [(j, p) for j, p in enumerate(positions) if plan.parts[j].special.size]  # type: ignore[union-attr]

    def buffers(self, n: int) -> tuple[np.ndarray, ...]:
        """A chunk of ``n`` rows: ``t`` (row-major), ``cells``, ``points`` (a row per column), ``a``, ``b``, ``offset``."""
        return (
            np.empty(self.width * n, dtype=self.a.dtype),
            np.empty((self.width, n), dtype=np.intp),
            np.empty((self.width, n), dtype=np.float64),
            np.tile(self.a, n),
            np.tile(self.b, n),
            np.tile(self.offset, n),
        )


def _handed(n_rows: int, step: int) -> Iterator[tuple[int, int]]:
    """``(lo, hi)``: the slices of ``step`` rows that cover ``n_rows`` rows, in order."""
    for lo in range(0, n_rows, step):
        yield lo, min(lo + step, n_rows)


def _in_threads(
    pool: ThreadPoolExecutor,
    workers: int,
    work: Callable[[Iterator[tuple[int, int]]], None],
    ranges: Iterator[tuple[int, int]],
    n_rows: int,
) -> None:
    """``work`` in ``workers`` threads of ``pool``, each claiming the next of ``ranges`` as it is ready.

    When threads fail, the error of the lowest row raises (the first bad row of
    the batch wins, whichever thread met it).
    """
    lock = threading.Lock()

    def thread() -> tuple[int, BaseException] | None:
        started = [n_rows]

        def claimed() -> Iterator[tuple[int, int]]:
            while True:
                with lock:  # a generator runs in one thread at a time: another would get a ValueError
                    lo_hi = next(ranges, None)
                if lo_hi is None:
                    return
                started[0] = lo_hi[0]
                yield lo_hi

        try:
            work(claimed())
        except Exception as exc:
            return started[0], exc
        return None

    failed = [r for r in pool.map(lambda _: thread(), range(workers)) if r is not None]
    if failed:
        raise min(failed, key=lambda f: f[0])[1]


class ScoringPlan:
    """A card's features compiled for batch scoring (see the module docstring).

    ``unknown`` is the card's policy for a category it does not list.
    """

    def __init__(self, features: Sequence[Feature], unknown: str) -> None:
        self.parts: list[_Numeric | _Categorical] = [
            _Numeric(f) if f.kind == NUMERIC else _Categorical(f, unknown) for f in features
        ]
        k = len(self.parts)
        maps = [_affine(f) if isinstance(p, _Numeric) else None for p, f in zip(self.parts, features, strict=True)]
        fits = (k + 1) * GRID <= 2**20 and all(
            _fits_float32(f, *ab) for f, ab in zip(features, maps, strict=True) if ab is not None
        )
        #: the float type of the grid's passes (see :func:`_fits_float32`)
        self.dtype: Any = np.float32 if fits else np.float64
        #: every feature's cells, in card order, then a region of zeros (the cells of columns the card does not read)
        self.table = np.zeros((k + 1) * GRID, dtype=np.float64)
        self.on_grid: list[bool] = []
        for j, (f, ab) in enumerate(zip(features, maps, strict=True)):
            table = None if ab is None else _table(f, *ab, j * GRID, self.dtype)
            if table is not None:
                self.table[j * GRID : (j + 1) * GRID] = table
            self.on_grid.append(table is not None)
        self.all_on_grid = all(self.on_grid)
        grid = [ab if on else (0.0, 0.0) for ab, on in zip(maps, self.on_grid, strict=True)]
        self.grid_a = np.array([ab[0] for ab in grid], dtype=self.dtype)  # type: ignore[index]
        self.grid_b = np.array([ab[1] for ab in grid], dtype=self.dtype)  # type: ignore[index]
        self.grid_offset = np.arange(k, dtype=self.dtype) * GRID
        #: the most points each feature can give (the reference of reason codes)
        self.best = [max(p.points_list) for p in self.parts]
        self._matrices: dict[tuple[int, tuple[int, ...]], _Matrix] = {}

    # --- batch ---------------------------------------------------------------

    def _prepare(self, columns: Sequence[Any]) -> list[Any]:
        """Per feature: the column, or for categorical codes the code -> bin table with the codes."""
        out = []
        for part, col in zip(self.parts, columns, strict=True):
            if isinstance(part, _Categorical) and isinstance(col, Categories):
                out.append((part.code_table(col), col.codes))
            else:
                out.append(col)
        return out

    def _matrix_rows(
        self,
        prepared: list[Any],
        ranges: Iterator[tuple[int, int]],
        score: np.ndarray,
        matrix: tuple[np.ndarray, list[int]],
    ) -> None:
        """Score the ``ranges`` of rows of a C-ordered matrix on the grid, a chunk at a time, row-major.

        Every value of a chunk is mapped at once, in memory order (so the map's
        parameters are repeated per row); the cast to cell numbers transposes the
        chunk to one row per column, from which one ``take`` reads the points.
        The rows with a value in a cell that holds a split point are scored
        again at the end: their rows of the matrix through the same passes,
        then those values by binary search.
        """
        data, positions = matrix
        key = (data.shape[1], tuple(positions))
        layout = self._matrices.get(key)
        if layout is None:
            layout = self._matrices[key] = _Matrix(self, data.shape[1], positions)
        buffers: tuple[np.ndarray, ...] = ()
        done: list[tuple[int, int]] = []
        for start, stop in ranges:
            lo = start
            while lo < stop:
                hi = min(lo + CHUNK, stop)
                if not buffers or buffers[0].size != (hi - lo) * layout.width:  # the first chunk, a shorter one
                    buffers = layout.buffers(hi - lo)
                points = self._matrix_points(layout, data[lo:hi], buffers)
                _total_rows(points, layout.order, score[lo:hi])
                if not done and lo == start and np.count_nonzero(np.isnan(points)) > MAX_AGAIN * points.size:
                    # values often sit on split points (integer data, say): the other rows feature by feature,
                    # each feature on the grid or not as suits it
                    self._block(prepared, itertools.chain([(hi, stop)], ranges), score, None, matrix, True)
                    stop = hi
                lo = hi
            done.append((start, stop))
        again = _nan_rows(score, done)
        for lo in range(0, again.size, RESCORE_CHUNK):
            rows = again[lo : lo + RESCORE_CHUNK]
            values = data[rows]
            points = self._matrix_points(layout, values, layout.buffers(rows.size))
            which, where = np.nonzero(np.isnan(points))  # by column, then by row
            bounds = np.searchsorted(which, np.arange(layout.width + 1)).tolist()
            for j, r in enumerate(positions):
                if bounds[r] < bounds[r + 1]:
                    at = where[bounds[r] : bounds[r + 1]]
                    points[r, at] = self.parts[j].exact_points(values[at, r])  # type: ignore[union-attr]
            totals = np.empty(rows.size)
            _total_rows(points, layout.order, totals)
            score[rows] = totals

    def _matrix_points(self, layout: _Matrix, x: np.ndarray, buffers: tuple[np.ndarray, ...]) -> np.ndarray:
        """The points of the rows ``x`` of a C-ordered matrix, one row per column (NaN: to score again)."""
        t, cells, points, a, b, offset = buffers
        dtype = self.dtype
        np.copyto(t, x.reshape(-1), casting="same_kind")
        np.multiply(t, a, out=t)
        np.add(t, b, out=t)
        np.clip(t, dtype(0.0), dtype(GRID - 2), out=t)
        np.fmin(t, dtype(GRID - 1), out=t)  # NaN: the last cell
        np.add(t, offset, out=t)
        np.copyto(cells.T, t.reshape(x.shape), casting="unsafe")
        np.take(self.table, cells, out=points, mode="wrap")  # every cell is in the table: no wrapping happens
        for j, r in layout.specials:
            part = self.parts[j]
            for code in part.special:  # type: ignore[union-attr]
                np.putmask(points[r], x[:, r] == code, part.special_points)  # type: ignore[union-attr]
        return points

    def _block(
        self,
        prepared: list[Any],
        ranges: Iterator[tuple[int, int]],
        score: np.ndarray,
        bins: np.ndarray | None,
        matrix: tuple[np.ndarray, list[int]] | None = None,
        grid: bool = False,
    ) -> None:
        """Score the ``ranges`` of rows feature by feature, chunk by chunk, into ``score`` (and ``bins``).

        Each feature's bins by comparisons (or ``searchsorted``), then its
        points, added to the rows' totals in card order. With ``grid`` (and no
        ``bins``), the numeric features on the grid read their points from it
        instead, and the rows with a value in a cell that holds a split point
        are scored again at the end. With ``matrix`` (a C-ordered 2-D array and
        the column of each feature), each chunk of rows is first copied
        column-major into a small buffer, so every pass reads contiguous memory.
        """
        grid = grid and bins is None
        chunk = COLUMN_CHUNK if grid else WIDE_CHUNK
        width = 0
        # a feature whose values often sit on its split points (integer data, say) leaves the grid
        on_grid = [grid and on for on in self.on_grid]
        done: list[tuple[int, int]] = []
        for start, stop in ranges:
            for a in range(start, stop, chunk):
                b = min(a + chunk, stop)
                m = b - a
                if m > width:
                    width = m
                    small = np.empty(width, dtype=np.uint8)
                    wide = np.empty(width, dtype=np.intp)
                    flag = np.empty(width, dtype=bool)
                    gathered = np.empty(width, dtype=np.float64)
                    t = np.empty(width, dtype=self.dtype)
                    if matrix is not None:
                        data, positions = matrix
                        buffer = np.empty((len(positions), width), dtype=data.dtype)
                        contiguous = positions == list(range(data.shape[1]))
                acc = score[a:b]
                acc[:] = 0.0
                if matrix is not None:
                    for u in range(a, b, TRANSPOSE_BLOCK):
                        v = min(u + TRANSPOSE_BLOCK, b)
                        block = data[u:v] if contiguous else data[u:v, positions]
                        np.copyto(buffer[:, u - a : v - a].T, block)
                g = gathered[:m]
                for j, (part, col) in enumerate(zip(self.parts, prepared, strict=True)):
                    if on_grid[j]:
                        x = buffer[j, :m] if matrix is not None else col[a:b]
                        self._grid_points(j, x, t[:m], wide[:m], g)
                        for code in part.special:  # type: ignore[union-attr]
                            np.equal(x, code, out=flag[:m])
                            np.putmask(g, flag[:m], part.special_points)  # type: ignore[union-attr]
                        np.add(acc, g, out=acc)
                        if not done and a == start and np.count_nonzero(np.isnan(g)) > MAX_AGAIN * m:
                            on_grid[j] = False
                        continue
                    if isinstance(part, _Numeric):
                        ix = small[:m] if part.summed and part.points.size <= 256 else wide[:m]
                        part.bins(buffer[j, :m] if matrix is not None else col[a:b], ix, flag[:m])
                    elif isinstance(col, tuple):
                        ix = wide[:m]
                        table, codes = col
                        np.take(table, codes[a:b], out=ix, mode="wrap")  # code -1 (missing): the last entry
                    else:
                        ix = wide[:m]
                        part.bins_text(col[a:b], a, ix)
                    np.take(part.points, ix, out=g)
                    np.add(acc, g, out=acc)
                    if bins is not None:
                        bins[a:b, j] = ix
            done.append((start, stop))
        if grid:
            self._again(prepared, matrix, _nan_rows(score, done), score)

    def _grid_points(self, j: int, x: np.ndarray, t: np.ndarray, cells: np.ndarray, out: np.ndarray) -> None:
        """The points of the values ``x`` of feature ``j``, on its grid, into ``out`` (NaN: to score again)."""
        dtype = self.dtype
        np.copyto(t, x, casting="same_kind")
        np.multiply(t, self.grid_a[j], out=t)
        np.add(t, self.grid_b[j], out=t)
        np.clip(t, dtype(0.0), dtype(GRID - 2), out=t)
        np.fmin(t, dtype(GRID - 1), out=t)  # NaN: the last cell
        np.add(t, self.grid_offset[j], out=t)
        np.copyto(cells, t, casting="unsafe")
        np.take(self.table, cells, out=out, mode="wrap")  # every cell is in the table: no wrapping happens

    def _again(
        self,
        prepared: list[Any],
        matrix: tuple[np.ndarray, list[int]] | None,
        again: np.ndarray,
        score: np.ndarray,
    ) -> None:
        """Score the rows ``again`` again, exactly (by the general path)."""
        for lo in range(0, again.size, RESCORE_CHUNK):
            rows = again[lo : lo + RESCORE_CHUNK]
            totals = np.empty(rows.size)
            whole = iter([(0, rows.size)])
            if matrix is not None:
                data = np.ascontiguousarray(matrix[0][rows])
                self._block([data[:, p] for p in matrix[1]], whole, totals, None, (data, matrix[1]))
            else:
                columns = [(c[0], c[1][rows]) if isinstance(c, tuple) else np.asarray(c)[rows] for c in prepared]
                self._block(columns, whole, totals, None)
            score[rows] = totals

    def total(
        self,
        columns: Sequence[Any],
        n_rows: int,
        *,
        n_jobs: int | None = None,
        with_bins: bool = False,
        matrix: tuple[np.ndarray, list[int]] | None = None,
        finish: Finish | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Scores of all rows (and the bin matrix when ``with_bins``).

        ``matrix`` optionally gives the C-ordered 2-D array the numeric
        ``columns`` are views of, with each feature's column position.
        ``finish(score, rows)`` is called once every score is final, from the
        same threads, with slices of rows that together cover every row once.

        The rows are handed out to the threads ``BLOCK_ROWS`` at a time (then
        ``FINISH_ROWS`` at a time to finish), as each thread is ready for
        more: a thread that gets less of the machine scores fewer rows.
        """
        prepared = self._prepare(columns)
        if matrix is not None and not (
            matrix[0].flags.c_contiguous and all(isinstance(p, _Numeric) for p in self.parts)
        ):
            matrix = None
        score = np.empty(n_rows, dtype=np.float64)
        bins = np.empty((n_rows, len(self.parts)), dtype=np.intp) if with_bins else None
        grid = not with_bins and any(self.on_grid)
        # row-major on the grid: a C-ordered matrix of which the card reads at least half the columns
        row_major = grid and matrix is not None and self.all_on_grid and 2 * len(self.parts) >= matrix[0].shape[1]
        workers = _workers(n_jobs, n_rows)
        if any(isinstance(c, np.ndarray) and c.dtype == object for c in prepared):
            workers = 1  # text is looked up in Python, under the GIL: threads would only wait for each other

        def work(claimed: Iterator[tuple[int, int]]) -> None:
            # values beyond float32 (or the map) go to the end cells as infinities: no warning about it
            with np.errstate(over="ignore"):
                if row_major and matrix is not None:
                    self._matrix_rows(prepared, claimed, score, matrix)
                else:
                    self._block(prepared, claimed, score, bins, matrix, grid)

        def finished(claimed: Iterator[tuple[int, int]]) -> None:
            for lo, hi in claimed:
                finish(score, slice(lo, hi))  # type: ignore[misc]

        if workers == 1:
            work(_handed(n_rows, BLOCK_ROWS))
            if finish is not None:
                finished(_handed(n_rows, FINISH_ROWS))
            return score, bins
        with ThreadPoolExecutor(max_workers=workers) as pool:
            _in_threads(pool, workers, work, _handed(n_rows, BLOCK_ROWS), n_rows)
            if finish is not None:
                _in_threads(pool, workers, finished, _handed(n_rows, FINISH_ROWS), n_rows)
        return score, bins

    # --- one row -------------------------------------------------------------

    def lost_one(self, bins: Sequence[int]) -> list[float]:
        """Points each feature lost against its best bin, for one row's ``bins`` (the reason codes' measure)."""
        return [best - part.points_list[b] for best, part, b in zip(self.best, self.parts, bins, strict=True)]

    def total_one(self, values: Sequence[Any]) -> tuple[float, list[int]]:
        """Score of a single row given as plain Python values (the service path)."""
        score = 0.0
        bins = []
        for part, v in zip(self.parts, values, strict=True):
            if isinstance(part, _Numeric):
                if v is None:
                    v = math.nan
                b = part.bin_one(v)
            else:
                b = part.bin_one(v)
            bins.append(b)
            score += part.points_list[b]
        return score, bins
