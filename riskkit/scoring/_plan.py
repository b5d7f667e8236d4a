"""The compiled scoring plan: a card's bins and points as contiguous arrays, scored in chunks.

Batch scoring is the hot path of every nightly ERP job, so a card is compiled
once into a plan that:

* processes rows in cache-sized chunks (``CHUNK`` rows), so no temporary is
  ever as large as the input column: peak extra memory is the outputs plus one
  chunk per thread;
* finds a numeric bin by summing comparisons (``(x >= s0) + (x >= s1) + ...``)
  when a feature has few split points, which vectorizes far better than a
  binary search, and by ``searchsorted`` otherwise;
* maps categorical values through a lookup table: pandas categorical codes
  through a small code -> bin table, text through a dict;
* optionally splits the rows over threads (``n_jobs``); numpy releases the GIL
  in the comparisons, gathers and sums.

Results are bit-identical to the plain reference (``searchsorted``, then
``points[bin]``, added feature by feature in card order, starting from 0.0),
because every row sees the same additions in the same order.
"""

from __future__ import annotations

import bisect
import itertools
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np

from riskkit._checks import Integer, Options, check
from riskkit.scoring._input import NUMERIC, Categories, category_of
from riskkit.scoring._levels import unknown_level

#: Rows per chunk: large enough to amortise Python overhead, small enough for L2 cache.
CHUNK = 65536
#: A C-ordered matrix's chunk is copied column-major in blocks of this many rows (cache-friendly).
TRANSPOSE_BLOCK = 8192
#: Up to this many split points a bin is found by summing comparisons.
MAX_SUMMED_SPLITS = 24
#: Below this many rows a batch is not split over threads.
MIN_ROWS_PER_THREAD = 200_000


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


class _Numeric:
    __slots__ = ("missing", "points", "points_list", "special", "special_bin", "splits", "splits_list", "summed")

    def __init__(self, f: Feature) -> None:
        self.splits = np.ascontiguousarray(f.splits, dtype=np.float64)
        self.points = np.ascontiguousarray(f.points, dtype=np.float64)
        self.special = np.asarray(f.special_codes, dtype=np.float64)
        self.special_bin = f.special_bin
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


class ScoringPlan:
    """A card's features compiled for batch scoring (see the module docstring).

    ``unknown`` is the card's policy for a category it does not list.
    """

    def __init__(self, features: Sequence[Feature], unknown: str) -> None:
        self.parts: list[_Numeric | _Categorical] = [
            _Numeric(f) if f.kind == NUMERIC else _Categorical(f, unknown) for f in features
        ]

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

    def _block(
        self,
        prepared: list[Any],
        start: int,
        stop: int,
        score: np.ndarray,
        bins: np.ndarray | None,
        matrix: tuple[np.ndarray, list[int]] | None = None,
    ) -> None:
        """Score rows ``[start, stop)`` chunk by chunk into ``score`` (and ``bins`` when given).

        With ``matrix`` (a C-ordered 2-D array and the column of each feature),
        each chunk of rows is first copied column-major into a small buffer, so
        every comparison reads contiguous memory.
        """
        chunk = CHUNK
        width = min(chunk, stop - start)
        small = np.empty(width, dtype=np.uint8)
        wide = np.empty(width, dtype=np.intp)
        flag = np.empty(width, dtype=bool)
        gathered = np.empty(width, dtype=np.float64)
        buffer = None
        if matrix is not None:
            data, positions = matrix
            buffer = np.empty((len(positions), width), dtype=data.dtype)
            contiguous = positions == list(range(data.shape[1]))
        for a in range(start, stop, chunk):
            b = min(a + chunk, stop)
            m = b - a
            acc = score[a:b]
            acc[:] = 0.0
            if buffer is not None:
                for t in range(a, b, TRANSPOSE_BLOCK):
                    u = min(t + TRANSPOSE_BLOCK, b)
                    block = data[t:u] if contiguous else data[t:u, positions]
                    np.copyto(buffer[:, t - a : u - a].T, block)
            for j, (part, col) in enumerate(zip(self.parts, prepared, strict=True)):
                if isinstance(part, _Numeric):
                    ix = small[:m] if part.summed and part.points.size <= 256 else wide[:m]
                    x = buffer[j, :m] if buffer is not None else col[a:b]
                    part.bins(x, ix, flag[:m])
                elif isinstance(col, tuple):
                    ix = wide[:m]
                    table, codes = col
                    np.take(table, codes[a:b], out=ix, mode="wrap")  # code -1 (missing) wraps to the last entry
                else:
                    ix = wide[:m]
                    part.bins_text(col[a:b], a, ix)
                g = gathered[:m]
                np.take(part.points, ix, out=g)
                np.add(acc, g, out=acc)
                if bins is not None:
                    bins[a:b, j] = ix

    def total(
        self,
        columns: Sequence[Any],
        n_rows: int,
        *,
        n_jobs: int | None = None,
        with_bins: bool = False,
        matrix: tuple[np.ndarray, list[int]] | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Scores of all rows (and the bin matrix when ``with_bins``).

        ``matrix`` optionally gives the C-ordered 2-D array the numeric
        ``columns`` are views of, with each feature's column position.
        """
        prepared = self._prepare(columns)
        if matrix is not None and not (
            matrix[0].flags.c_contiguous and all(isinstance(p, _Numeric) for p in self.parts)
        ):
            matrix = None
        score = np.empty(n_rows, dtype=np.float64)
        bins = np.empty((n_rows, len(self.parts)), dtype=np.intp) if with_bins else None
        workers = _workers(n_jobs, n_rows)
        if workers == 1 or any(isinstance(c, np.ndarray) and c.dtype == object for c in prepared):
            self._block(prepared, 0, n_rows, score, bins, matrix)
        else:
            edges = np.linspace(0, n_rows, workers + 1).astype(int)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                jobs = [
                    pool.submit(self._block, prepared, int(lo), int(hi), score, bins, matrix)
                    for lo, hi in itertools.pairwise(edges)
                ]
                for job in jobs:
                    job.result()
        return score, bins

    # --- one row -------------------------------------------------------------

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
