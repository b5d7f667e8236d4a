"""The ``riskkit`` command line.

Commands: ``demo`` (a synthetic book, end to end), ``features``, ``fit``,
``score``, ``signals``, ``check``, ``report``, the nightly jobs ``limits``
and ``worklist`` (:mod:`riskkit.cli._jobs`), ``groups`` (corporate groups,
:mod:`riskkit.cli._groups`), ``insurance`` (credit-insurance cover and
notification deadlines, :mod:`riskkit.cli._insurance`), ``promises``
(promises to pay and disputes, :mod:`riskkit.cli._promises`), ``reviews``
(the credit reviews due, :mod:`riskkit.cli._reviews`) and ``provisions``
(the expected-credit-loss allowance, :mod:`riskkit.cli._provisions`).
``--model`` names a saved scorer or a built-in card: ``5c`` / ``five_c``,
``5w`` / ``five_w``. File reading and writing
live in :mod:`riskkit._cli_io`; every output is written atomically (a
temporary file in the same folder, then :func:`os.replace`), so a failed run
leaves an existing output as it was.

Exit codes
----------
0
    Success.
1
    Bad input or a riskkit error (an unreadable or damaged file, an
    ``--out`` that is a folder or in a folder riskkit cannot write, a model
    that cannot score the input ...), reported on stderr as one line naming
    the file and what was wrong. A portfolio that cannot be loaded (a
    required column missing, every customer or every invoice rejected) is one
    too: nothing is written, no output and no rejects, so a failed load never
    looks like a partial success.
2
    A usage error (argparse), found before any work is done: a bad option,
    ``--profile`` with table options, an ``--out`` or ``--rejects`` name with
    an extension riskkit cannot write (``.xlsx`` ...), an output that is one
    of the inputs (``--out`` equal to ``--data``, ``--rejects`` equal to
    ``--customers`` ..., compared as resolved real paths) or ``--out`` equal
    to ``--rejects``.
3
    Input rows were rejected: a value that is not a number in a numeric
    column, a number the model refuses (``inf`` for a logistic model), a
    category the model does not know, a bad portfolio row. Every good row is
    still processed and written; the rejected ones go to ``--rejects`` (CSV,
    JSON lines or JSON by its extension: row, column, value, reason;
    portfolio commands add the table) or are summarised on stderr. A
    required column missing from a data file (``--data``,
    ``--orders-to-check``, ``--outcomes``) rejects every row: nothing but the
    rejects is written and the message names the column.
70
    An internal error (EX_SOFTWARE): a bug in riskkit. One line asks for a
    bug report with the riskkit version; the traceback is printed only with
    the global ``--debug`` option (``riskkit --debug score ...``).
130, 143
    Interrupted by SIGINT (Ctrl-C) or terminated by SIGTERM: an output being
    written is not left behind (no temporary file) and an existing output
    stays as it was.

Outputs
-------
CSV outputs neutralise text cells a spreadsheet would run as a formula
(CWE-1236): a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (a customer named ``=HYPERLINK(...)``) is written with a
leading single quote; numbers are never changed. ``--raw-cells`` writes the
text as it is. The HTML report escapes every text it shows.

A table output goes to a database table instead with ``--out-table NAME``
(and ``--rejects-table NAME``) and ``--database URL`` (SQLAlchemy, the
``riskkit[sql]`` extra): the table is replaced in one transaction, so a
failed or interrupted run leaves it as it was; the exit codes are the same.
A command passes ``args.out`` / ``args.rejects`` to the writers of
:mod:`riskkit._cli_io` as always: they are then a :class:`riskkit._cli_io.TableOutput`.

ERP exports
-----------
The portfolio commands read the tables as ERPs write them: ``--delimiter``
(a character, ``tab``/``semicolon``/``comma``/``pipe``, or ``auto``),
``--decimal ,``, ``--thousands .``, ``--date-format %d.%m.%Y`` and
``--encoding cp1252``; the same options read ``score --data``,
``--orders-to-check`` and ``--outcomes``. Or ``--profile company.toml``, a
load profile that describes a company's exports once. ``--as-of`` more than
31 days after the latest date in the data is refused unless
``--allow-future-as-of``.

Outputs name the customer ``customer_id`` (with ``name`` next to it when the
customers have names) and round money to cents; computations keep full
precision.

Examples
--------
::

    riskkit demo                      # synthetic book of 1,000 customers
    riskkit demo --customers 5000 --top 20 --seed 7
    riskkit fit --data german.csv --target creditability --bad-value bad --out card.json
    riskkit score --model card.json --data applicants.csv --out scores.csv --rejects rejects.csv --reasons 3
    riskkit score --model card.json --data applicants.csv --unknown worst --out scores.csv
    riskkit report --customers customers.csv --invoices invoices.csv --out report.html
    riskkit features --customers kunden.csv --invoices rechnungen.csv --delimiter auto --decimal , \\
        --date-format %d.%m.%Y --encoding cp1252 --out features.csv
    riskkit signals --profile acme.toml --out watchlist.csv --rejects rejects.csv
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np

from riskkit._version import __version__
from riskkit.cli._demo import riskiest as riskiest
from riskkit.cli._demo import run_demo as _demo
from riskkit.cli._report import add_report_options
from riskkit.cli._report import run_report as _report
from riskkit.errors import RiskkitError

# --- shared by the file commands ------------------------------------------------

#: Exit code of a successful run.
EXIT_OK = 0
#: Exit code of bad input or a riskkit error (one line on stderr).
EXIT_ERROR = 1
#: Exit code of a usage error (argparse's).
EXIT_USAGE = 2
#: Exit code when some input rows were rejected (the good ones are still processed).
EXIT_REJECTED = 3
#: Exit code of an internal error, a bug in riskkit (EX_SOFTWARE of sysexits.h).
EXIT_INTERNAL = 70
#: Exit codes after SIGINT and SIGTERM (128 + the signal number).
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

#: Rows scored per block (progress is reported per block).
_BLOCK = 50_000

_TABLE_OPTIONS = (
    "customers", "invoices", "payments", "orders", "statements", "events", "exposures", "insurance", "promises",
    "disputes",
)


def _say(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(message, file=sys.stderr)


def _write_rejects(args: argparse.Namespace, rejects: list[dict[str, Any]], *, with_table: bool = False) -> None:
    """Rejected rows to ``--rejects`` (CSV), else a summary on stderr; nothing when there are none."""
    from riskkit import _cli_io

    if not rejects:
        if getattr(args, "rejects", None):
            _cli_io.write_records(args.rejects, _reject_header(with_table), [], raw=_raw(args))
        return
    header = _reject_header(with_table)
    if getattr(args, "rejects", None):
        _cli_io.write_records(
            args.rejects, header, ([r.get(h) for h in header] for r in rejects), raw=_raw(args)
        )
        print(f"riskkit: {len(rejects)} row(s) rejected; see {args.rejects}", file=sys.stderr)
        return
    print(f"riskkit: {len(rejects)} row(s) rejected (pass --rejects FILE for the full list):", file=sys.stderr)
    for r in rejects[:10]:
        where = f"{r['table']} row {r['row']}" if with_table else f"row {r['row']}"
        column = f" column {r['column']!r}" if r.get("column") else ""
        print(f"  {where}{column}: {_one_line(str(r['reason']))}", file=sys.stderr)
    if len(rejects) > 10:
        print(f"  ... and {len(rejects) - 10} more", file=sys.stderr)


def _raw(args: argparse.Namespace) -> bool:
    """``--raw-cells``: CSV text cells as they are, formulas not neutralised."""
    return bool(getattr(args, "raw_cells", False))


def _one_line(text: str) -> str:
    """A message on one line (line breaks from a library or a file's content become spaces)."""
    return re.sub(r"\s*[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+\s*", " ", text).strip()


#: Library hints (keyword arguments) and the command line's own remedy for each.
_HINTS = (
    (re.compile(r"Pass unknown='missing' or 'worst' to score it anyway\."),
     "Pass --unknown missing or --unknown worst to score it anyway."),
    (re.compile(r"pass encoding= with the file's encoding, e\.g\. encoding='latin-1' or encoding='cp1252'"),
     "pass --encoding with the file's encoding, e.g. --encoding latin-1 or --encoding cp1252"),
    (re.compile(r"pass delimiter=(\S+)"), r"pass --delimiter \1"),
    (re.compile(r"pass unknown_columns='ignore' to skip extra columns"),
     "remove them, or describe the file in a load profile (--profile), which reads only the columns it maps"),
)
_PROFILE_HINTS = (
    (re.compile(r"Pass unknown='missing' or 'worst' to score it anyway\."),
     "Pass --unknown missing or --unknown worst to score it anyway."),
    (re.compile(r"pass encoding= with the file's encoding, e\.g\. encoding='latin-1' or encoding='cp1252'"),
     "set the table's encoding in the load profile, e.g. encoding = \"cp1252\""),
    (re.compile(r"pass delimiter=(\S+)"), r"set the table's delimiter in the load profile (\1)"),
)


def _cli_hint(text: str, args: argparse.Namespace | None = None) -> str:
    """A library message with its hints naming the command line's options instead of keyword arguments."""
    for pattern, remedy in _PROFILE_HINTS if getattr(args, "profile", None) else _HINTS:
        text = pattern.sub(remedy, text)
    return text


def _reject_header(with_table: bool) -> list[str]:
    return ["table", "row", "column", "value", "reason"] if with_table else ["row", "column", "value", "reason"]


def _load_portfolio(args: argparse.Namespace) -> Any:
    """The Portfolio of ``--profile`` or the table options, bad rows collected (not raised).

    A load that fails as a whole (a required column missing, every customer
    or every invoice rejected) raises: the command writes nothing and exits 1.
    ``--as-of`` far after the data is refused here, before any output.
    """
    from riskkit.portfolio import Portfolio

    if args.profile:
        portfolio = Portfolio.from_profile(args.profile, errors="collect", as_of=args.as_of)
        skipped = {name: n for name, n in portfolio.skipped.items() if n}
        if skipped:
            counts = ", ".join(f"{n} {name}" for name, n in skipped.items())
            _say(args, f"riskkit: the profile's where filters skipped {counts} row(s)")
    else:
        tables = {name: getattr(args, name) for name in _TABLE_OPTIONS if getattr(args, name, None)}
        parquet = sorted(name for name, path in tables.items() if _is_parquet(path))
        try:
            if parquet and len(parquet) < len(tables):
                from riskkit.errors import ValidationError

                csv = sorted(set(tables) - set(parquet))
                raise ValidationError(
                    f"the tables are Parquet ({', '.join('--' + n for n in parquet)}) and CSV "
                    f"({', '.join('--' + n for n in csv)}); give them all in one format"
                )
            if parquet:
                portfolio = Portfolio.from_parquet(**tables, as_of=args.as_of, errors="collect")
            else:
                portfolio = Portfolio.from_csv(**tables, as_of=args.as_of, errors="collect", **_csv_format(args))
        except RiskkitError as exc:
            raise _name_the_file(exc, tables) from None
    _check_as_of(args, portfolio)
    return portfolio


def _is_parquet(path: str) -> bool:
    """A table option naming a Parquet file (``.parquet``, ``.pq``) or a folder of them."""
    return os.path.splitext(os.fspath(path))[1].lower() in (".parquet", ".pq") or os.path.isdir(path)


def _name_the_file(exc: RiskkitError, tables: dict[str, str]) -> RiskkitError:
    """A table's error naming the option and file it came from (the library names only the table)."""
    from riskkit.errors import ValidationError

    text = str(exc)
    if any(os.fspath(path) in text for path in tables.values()):
        return exc
    table = getattr(exc, "table", None)
    if table not in tables:
        match = re.match(r"(\w+)\b", text)
        table = match.group(1) if match and match.group(1) in tables else None
    if table is None:
        return exc
    return ValidationError(f"--{table} {os.fspath(tables[table])!r}: {text}", table=table)


#: How far ``--as-of`` may lie after the latest date in the data without --allow-future-as-of.
_FUTURE_DAYS = 31


def _check_as_of(args: argparse.Namespace, portfolio: Any) -> None:
    """Refuse an ``--as-of`` more than a month after the latest fact: most likely a typo, or the wrong files."""
    from riskkit.errors import ValidationError

    if args.as_of is None or args.allow_future_as_of:
        return
    latest = portfolio._latest_date()  # what Portfolio(as_of=None) takes as its as_of
    days = (args.as_of - latest).days
    if days > _FUTURE_DAYS:
        raise ValidationError(
            f"--as-of {args.as_of.isoformat()} is {days} days after the latest date in the data "
            f"({latest.isoformat()}); pass --allow-future-as-of if that is intended",
            field="as_of",
            value=args.as_of.isoformat(),
        )


#: The words ``--delimiter`` takes for its characters.
_DELIMITER_WORDS = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}


def _dialect(args: argparse.Namespace) -> Any:
    """The CSV format options as a :class:`riskkit._csvfile.Dialect`, for the files the CLI reads itself."""
    from riskkit._csvfile import Dialect

    return Dialect(**_csv_format(args))


def _csv_format(args: argparse.Namespace) -> dict[str, Any]:
    """The CSV format options for Portfolio.from_csv (``auto`` delimiter: sniffed per file by the reader)."""
    return {
        "delimiter": args.delimiter or ",",
        "decimal": args.decimal or ".",
        "thousands": args.thousands or "",
        "date_format": args.date_format,
        "encoding": args.encoding or "utf-8",
    }


def _customer_columns(portfolio: Any) -> tuple[list[str], list[Any]]:
    """Header and columns ``customer_id`` (and ``name`` when any customer has one), in portfolio order."""
    ids = portfolio.customer_ids
    names = np.asarray(portfolio.customers["name"], dtype=object)
    if any(names.tolist()):
        return ["customer_id", "name"], [ids, names]
    return ["customer_id"], [ids]


def _customer_names(portfolio: Any) -> dict[str, str] | None:
    """Customer id -> name, or None when no customer has a name."""
    names = portfolio.customers["name"].tolist()
    if not any(names):
        return None
    return dict(zip(portfolio.customer_ids.tolist(), names, strict=True))


def _money_features() -> frozenset[str]:
    """Features measured in money (rounded to cents when written)."""
    from riskkit.features import catalogue

    return frozenset(f.name for f in catalogue() if f.unit == "money")


def _portfolio_rejects(portfolio: Any) -> list[dict[str, Any]]:
    return [
        {"table": r.table, "row": r.row, "column": r.field or "", "value": r.value,
         "reason": r.reason + ("; the field was left blank and the row kept" if r.kept else "")}
        for r in portfolio.rejected
    ]


#: ``--model`` names of the built-in expert cards (any case): not files.
_BUILTIN_MODELS = ("5c", "five_c", "5w", "five_w")


def _load_model(name: str) -> Any:
    """A saved scorer, or a built-in card: ``5c`` / ``five_c`` the 5C card, ``5w`` / ``five_w`` the 5W card."""
    from riskkit.persistence import load

    if name.lower() in ("5c", "five_c"):
        from riskkit.scoring._presets import five_c

        return five_c()
    if name.lower() in ("5w", "five_w"):
        from riskkit.scoring._five_w import five_w

        return five_w()
    return load(name)


def _score_features(scorer: Any, model: str, features: Any, reasons: int = 0) -> Any:
    """A portfolio's features scored; a model that cannot score them is an error naming --model.

    The 5W card's request columns (``order_to_usual``, ``terms_days``) are
    no features of a book: scoring a book with ``--model five_w`` gives them
    as unknown (NaN), so the card scores them with its missing points.
    """
    from riskkit.errors import ValidationError

    if model.lower() in ("5w", "five_w") and hasattr(features, "to_dict"):
        from riskkit._frame import FeatureFrame
        from riskkit.scoring._five_w import REQUEST_COLUMNS

        columns = features.to_dict()
        columns.update((name, np.full(len(features), np.nan)) for name in REQUEST_COLUMNS if name not in columns)
        features = FeatureFrame.from_mapping(columns, customer_ids=features.customer_ids, as_of=features.as_of)
    try:
        return scorer.score(features, reasons=reasons)
    except RiskkitError as exc:
        raise ValidationError(f"--model {model!r} cannot score the portfolio's features: {exc}") from None


def _model_kinds(scorer: Any) -> dict[str, str]:
    """Each input column the scorer needs -> "numeric" or "categorical"."""
    card = getattr(scorer, "card_", None) or getattr(scorer, "card", None)
    if card is not None and hasattr(card, "kinds"):
        card_kinds = dict(card.kinds)
        for override in getattr(scorer, "overrides", ()):  # an expert card's overrides read numbers too
            card_kinds.update((name, "numeric") for name in override.features if name not in card_kinds)
        return card_kinds
    kinds = getattr(scorer, "_kinds_", None)
    if kinds is None:
        return {}
    needed = getattr(scorer, "_used_", None) or getattr(scorer, "_feature_names_", None) or tuple(kinds)
    return {name: kinds[name] for name in needed}


def _reason_text(exc: Exception) -> str:
    """An error message without the row number of the probe it came from, on one line, with the CLI's hint."""
    return _one_line(_cli_hint(re.sub(r" row \d+", "", str(exc), count=1)))


def _unknown_categories(
    scorer: Any, kinds: dict[str, str], columns: dict[str, Any], good: np.ndarray
) -> list[tuple[str, np.ndarray, list[str]]]:
    """Categorical values the scorer refuses: (column, rows, reasons) per column.

    Each categorical column's distinct values are scored on their own (every
    other feature missing), so the cost grows with the number of distinct
    values, not rows; a refused value is dropped and the rest scored again.
    """
    from riskkit import _cli_io
    from riskkit.errors import ValidationError

    n_rows = int(good.size)
    found = []
    for name, kind in kinds.items():
        if kind == "numeric":
            continue
        col = columns[name]
        coded = isinstance(col, _cli_io.CodedText)
        if coded:  # the distinct values of the good rows, in order of first appearance
            present, first = np.unique(col.codes[good], return_index=True)
            values = [col.levels[c] for c in present[np.argsort(first)].tolist() if c >= 0]
        else:
            values = list(dict.fromkeys(v for v in col[good].tolist() if v is not None))
        refused: dict[Any, str] = {}
        while values:
            probe: dict[str, np.ndarray] = {}
            for other, other_kind in kinds.items():
                if other == name:
                    probe[other] = np.array(values, dtype=object)
                elif other_kind == "numeric":
                    probe[other] = np.full(len(values), np.nan)
                else:
                    probe[other] = np.full(len(values), None, dtype=object)
            try:
                scorer.score(probe)
                break
            except ValidationError as exc:
                if exc.field != name or exc.row is None or not 0 <= exc.row < len(values):
                    break  # not about this column's values: the rows are found one by one (_score_rows)
                refused[values.pop(exc.row)] = _reason_text(exc)
        if refused:
            if coded:
                hit = np.isin(col.codes, [col.levels.index(v) for v in refused])
            else:
                hit = np.fromiter((_hashable(v) and v in refused for v in col.tolist()), dtype=bool, count=n_rows)
            hit &= good
            rows = np.flatnonzero(hit)
            found.append((name, rows, [refused[col[r]] for r in rows.tolist()]))
    return found


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _refused_numbers(
    scorer: Any, kinds: dict[str, str], columns: dict[str, np.ndarray], good: np.ndarray
) -> list[tuple[str, np.ndarray, list[str]]]:
    """Non-finite numbers (``inf``, ``-inf``) the scorer refuses: (column, rows, reasons) per column.

    Each distinct non-finite value of a numeric column is scored on its own
    (every other feature missing); a refused one rejects every row holding it.
    """
    from riskkit.errors import ValidationError

    found = []
    for name, kind in kinds.items():
        if kind != "numeric":
            continue
        col = columns[name]
        infinite = np.isinf(col) & good
        if not infinite.any():
            continue
        hit = np.zeros(col.size, dtype=bool)
        reasons = np.empty(col.size, dtype=object)
        for value in np.unique(col[infinite]).tolist():
            probe: dict[str, np.ndarray] = {}
            for other, other_kind in kinds.items():
                if other == name:
                    probe[other] = np.array([value])
                elif other_kind == "numeric":
                    probe[other] = np.full(1, np.nan)
                else:
                    probe[other] = np.full(1, None, dtype=object)
            try:
                scorer.score(probe)
            except ValidationError as exc:
                if exc.field != name:
                    continue  # not about this value: the rows are found one by one (_score_rows)
                where = infinite & (col == value)
                hit |= where
                reasons[where] = _reason_text(exc)
        if hit.any():
            rows = np.flatnonzero(hit)
            found.append((name, rows, reasons[rows].tolist()))
    return found


def _score_rows(
    scorer: Any,
    kinds: dict[str, str],
    columns: dict[str, Any],
    raw: dict[str, Any],
    good: np.ndarray,
    bad_rows: list[tuple[int, str, Any, str]],
    args: argparse.Namespace,
) -> Any:
    """Score the good rows; a row with a value the scorer refuses is rejected (``good`` and ``bad_rows`` updated).

    Every bad value gets the same rule: an unknown category, a number the
    scorer refuses (``inf`` for a logistic model) or any other value the
    scorer names by row and column is moved to ``bad_rows`` with its reason
    and the other rows are scored. The common all-good input is scored once;
    the distinct bad values are found with small probes, anything else row by
    row. An error that names no row (a broken model) is raised.
    """
    from riskkit.errors import ValidationError

    probed = False
    for _ in range(good.size + 2):
        rows = np.flatnonzero(good)
        try:
            return _score_blocks(scorer, columns, rows, args.reasons, args)
        except ValidationError as exc:
            if exc.field not in columns:
                raise
            if not probed:
                probed = True
                found = _unknown_categories(scorer, kinds, columns, good) + _refused_numbers(scorer, kinds, columns, good)
                if found:
                    for name, where, reasons in found:
                        good[where] = False
                        col = raw[name]
                        bad_rows.extend((r, name, col[r], why) for r, why in zip(where.tolist(), reasons, strict=True))
                    continue
            block = getattr(exc, "block_rows", None)
            if block is None or not isinstance(exc.row, int | np.integer) or not 0 <= exc.row < block.size:
                raise
            r = int(block[exc.row])
            if not good[r]:
                raise
            good[r] = False
            bad_rows.append((r, str(exc.field), raw[exc.field][r] if exc.field in raw else None, _reason_text(exc)))
    raise AssertionError("unreachable: every row was rejected and scoring still failed")  # pragma: no cover


def _score_blocks(scorer: Any, columns: dict[str, Any], rows: np.ndarray, k: int, args: argparse.Namespace) -> Any:
    """Score the given rows in blocks when a progress bar shows them, else in one call (the scorer
    chunks and threads a batch itself); returns one ScoreResult-like namespace."""
    from riskkit._cli_io import Progress

    parts = []
    with Progress(rows.size, "scoring", quiet=args.quiet) as bar:
        block = _BLOCK if bar.enabled else max(rows.size, 1)
        n_rows = len(next(iter(columns.values()))) if columns else 0
        for start in range(0, max(rows.size, 1), block):
            idx = rows[start : start + block]
            whole = idx.size == n_rows  # every row, in order: the columns as they are, no copy
            try:
                parts.append(scorer.score({name: col if whole else col[idx] for name, col in columns.items()}, reasons=k))
            except RiskkitError as exc:
                exc.block_rows = idx  # type: ignore[attr-defined]  # which input rows exc.row counts
                raise
            bar.update(idx.size)
    score = np.concatenate([p.score for p in parts])
    pd = np.concatenate([p.pd for p in parts])
    grades = [np.asarray(p.grade) for p in parts]
    if any(g.dtype.kind != "U" for g in grades):  # numpy text stays so (written without a Python object per row)
        grades = [g.astype(object) for g in grades]
    grade = np.concatenate(grades)
    override = None
    if any(p.override is not None for p in parts):
        override = np.concatenate([np.full(len(p), "", dtype=object) if p.override is None else p.override
                                   for p in parts])
    reasons = None
    if k:
        reasons = (
            np.concatenate([p.reasons.features for p in parts]),
            np.concatenate([p.reasons.values for p in parts]),
        )
    return argparse.Namespace(score=score, pd=pd, grade=grade, reasons=reasons, override=override)


def _column(values: Any) -> Any:
    """An output column as it is when whole-column writing takes it (an array, cells), else as a list."""
    from riskkit._cli_io import CodedText
    from riskkit._csvfile import Cells

    return values if isinstance(values, np.ndarray | Cells | CodedText) else list(values)


def _score_columns(
    ids: Any, scored: Any, k: int, names: Any = None
) -> tuple[list[str], list[Any]]:
    """Header and columns of a scores file.

    customer_id (and name), score, pd, grade, override (when a rule set a grade), then reason_j and
    reason_j_value; a reason value of a money feature is rounded to cents.
    """
    from riskkit._cli_io import cents

    header = ["customer_id", "score", "pd", "grade"]
    columns: list[Any] = [_column(ids), scored.score, scored.pd, scored.grade]
    if getattr(scored, "override", None) is not None:  # why a rule set the grade (in default, an override)
        header.append("override")
        columns.append(list(scored.override))
    if names is not None:
        header.insert(1, "name")
        columns.insert(1, _column(names))
    if k:
        money = _money_features()
        feats, values = scored.reasons
        for j in range(k):
            header += [f"reason_{j + 1}", f"reason_{j + 1}_value"]
            value = np.asarray(values[:, j])
            is_money = np.isin(np.asarray(feats[:, j], dtype=object).astype(str), list(money))
            if is_money.any():
                value = np.where(is_money, cents(value), value)
            columns += [feats[:, j], value]
    return header, columns


# --- riskkit features -----------------------------------------------------------


def _features(args: argparse.Namespace) -> int:
    from riskkit import _cli_io

    portfolio = _load_portfolio(args)
    ff = portfolio.features(args.as_of)
    header, columns = _customer_columns(portfolio)
    columns += [ff[name] for name in ff.names]
    n = _cli_io.write_columns(args.out, [*header, *ff.names], columns, money=_money_features(), raw=_raw(args))
    rejects = _portfolio_rejects(portfolio)
    _write_rejects(args, rejects, with_table=True)
    _say(args, f"riskkit: wrote {n} customers x {len(ff.names)} features to {args.out}")
    return EXIT_REJECTED if rejects else 0


# --- riskkit fit ----------------------------------------------------------------

_MODELS = ("scorecard", "logistic", "tree")


def _fit(args: argparse.Namespace) -> int:
    from riskkit import _cli_io
    from riskkit.metrics import auc
    from riskkit.persistence import save

    raw, n_rows = _cli_io.read_table(args.data)
    exclude = {c.strip() for c in (args.exclude or "").split(",") if c.strip()}
    missing = [c for c in (args.target, args.id_column) if c and c not in raw]
    missing += sorted(exclude - set(raw))
    if missing:
        return _all_rejected(args, missing, n_rows, raw)
    target = raw[args.target]
    absent = _cli_io.is_missing(target)
    rejects = [
        {"row": int(r), "column": args.target, "value": "", "reason": "the target is missing"}
        for r in np.flatnonzero(absent).tolist()
    ]
    keep = ~absent
    y = np.array([_cli_io.cell(v) for v in target[keep].tolist()], dtype=object) == args.bad_value
    if y.all() or not y.any():
        from riskkit.errors import ValidationError

        raise ValidationError(
            f"{args.target!r} must hold both bad ({args.bad_value!r}) and other values; "
            f"found {sorted({_cli_io.cell(v) for v in target[keep].tolist()})[:10]}"
        )
    drop = {args.target, args.id_column, *exclude}
    X = _cli_io.infer_columns({k: v[keep] for k, v in raw.items() if k not in drop})
    scorer = _new_model(args.model)
    scorer.fit(X, y.astype(np.int8))
    save(scorer, args.out)
    result = scorer.score(X)
    used = list(getattr(scorer, "selected_features_", None) or _model_kinds(scorer))
    _write_rejects(args, rejects)
    _say(
        args,
        f"riskkit: fitted a {args.model} on {int(keep.sum())} rows ({int(y.sum())} bad); "
        f"{len(used)} feature(s) used: {', '.join(used)}\n"
        f"riskkit: in-sample AUC {auc(y.astype(np.int8), result.pd):.3f}; saved to {args.out}",
    )
    return EXIT_REJECTED if rejects else 0


def _new_model(kind: str) -> Any:
    if kind == "logistic":
        from riskkit.scoring._logistic import LogisticScorer

        return LogisticScorer()
    if kind == "tree":
        from riskkit.scoring._tree import DecisionTreeScorer

        return DecisionTreeScorer()
    from riskkit.scoring._scorecard import Scorecard

    return Scorecard()


def _all_rejected(args: argparse.Namespace, missing: Sequence[str], n_rows: int, raw: dict[str, Any]) -> int:
    """A required column is missing: every row is rejected, nothing else is written; exit 3."""
    names = ", ".join(map(repr, missing))
    reason = f"the input has no column {names}; it has: {', '.join(map(repr, raw)) or 'none'}"
    print(f"riskkit: error: {_one_line(reason)}", file=sys.stderr)
    if args.rejects:
        from riskkit import _cli_io

        _cli_io.write_records(
            args.rejects, _reject_header(False), ([r, missing[0], "", reason] for r in range(n_rows)),
            raw=_raw(args),
        )
    return EXIT_REJECTED


# --- riskkit score --------------------------------------------------------------


def _score(args: argparse.Namespace) -> int:
    scorer = _with_unknown(_load_model(args.model), args.unknown, args.model)
    if args.customers or args.profile:
        return _score_portfolio(args, scorer)
    return _score_file(args, scorer)


def _check_score_args(args: argparse.Namespace) -> None:
    """score takes a data file or a portfolio, and a model (default 5c with a portfolio)."""
    portfolio = bool(args.customers or args.profile)
    if args.model is None:
        args.model = "5c" if portfolio else None
    if args.model is None:
        raise _Usage("score needs --model (a saved scorer, or 5c for the built-in five C card)")
    if bool(args.data) == portfolio:
        raise _Usage(
            "score needs either --data FILE or a portfolio (--customers CSV ... or --profile TOML), not both"
        )


#: What ``--unknown`` does with a category the model does not know.
_UNKNOWN = ("error", "missing", "worst")


def _with_unknown(scorer: Any, policy: str, model: str) -> Any:
    """The scorer with its unknown-category policy set to ``policy`` (``--unknown``).

    Scorecards keep the policy on their card (``Card.unknown``); the logistic
    and tree scorers have an ``unknown`` parameter. Another scorer accepts
    only ``error`` (the default, reject the row).
    """
    import attrs

    from riskkit.errors import ValidationError
    from riskkit.scoring._card import Card

    if policy == "error":
        return scorer
    for attr in ("card_", "card"):
        card = getattr(scorer, attr, None)
        if isinstance(card, Card):
            setattr(scorer, attr, attrs.evolve(card, unknown=policy))
            if hasattr(scorer, "unknown"):
                scorer.unknown = policy
            return scorer
    from riskkit.scoring._logistic import LogisticScorer
    from riskkit.scoring._tree import DecisionTreeScorer

    if isinstance(scorer, LogisticScorer | DecisionTreeScorer):
        scorer.unknown = policy
        return scorer
    raise ValidationError(
        f"--unknown {policy}: the model {model!r} ({type(scorer).__name__}) has no unknown-category policy; "
        "it can only reject a row with an unknown category (--unknown error, the default)",
        field="unknown",
        value=policy,
    )


class _Usage(Exception):
    """Options that argparse cannot check on its own (exit 2)."""


def _score_portfolio(args: argparse.Namespace, scorer: Any) -> int:
    from riskkit import _cli_io

    portfolio = _load_portfolio(args)
    result = _score_features(scorer, args.model, portfolio.features(args.as_of), reasons=args.reasons)
    scored = argparse.Namespace(
        score=np.asarray(result.score),
        pd=np.asarray(result.pd),
        grade=np.asarray(result.grade, dtype=object),
        reasons=(result.reasons.features, result.reasons.values) if args.reasons else None,
        override=result.override,
    )
    _, id_columns = _customer_columns(portfolio)
    names = id_columns[1] if len(id_columns) > 1 else None
    header, columns = _score_columns(portfolio.customer_ids.tolist(), scored, args.reasons, names)
    n = _cli_io.write_columns(args.out, header, columns, raw=_raw(args))
    rejects = _portfolio_rejects(portfolio)
    _write_rejects(args, rejects, with_table=True)
    _say(args, f"riskkit: scored {n} customers; wrote {args.out}")
    return EXIT_REJECTED if rejects else 0


def _score_file(args: argparse.Namespace, scorer: Any) -> int:
    """Score a data file. A CSV file's columns stay as its bytes (or pyarrow's buffers) until needed:
    numbers are parsed and categories factorized without a Python object per cell, and the scores are
    written from whole columns (:func:`riskkit._cli_io.read_cells`, :func:`riskkit._cli_io.write_columns`)."""
    from riskkit import _cli_io

    dialect = _dialect(args)
    card_kinds = _model_kinds(scorer)
    categories = [name for name, kind in card_kinds.items() if kind != "numeric"]
    cells, n_rows, _, problems = _cli_io.read_cells(args.data, dialect, categories=categories)
    if problems:
        from riskkit.errors import ValidationError

        row, reason = problems[0]
        more = f" (and {len(problems) - 1} more unreadable record(s))" if len(problems) > 1 else ""
        raise ValidationError(reason + more, row=row)
    kinds = card_kinds or {
        name: "numeric" if col.dtype.kind == "f" else "categorical"
        for name, col in _cli_io.infer_columns({k: c.texts() for k, c in cells.items()}, dialect).items()
    }
    missing = [name for name in kinds if name not in cells]
    if args.id_column and args.id_column not in cells:
        missing.append(args.id_column)
    if missing:
        return _all_rejected(args, missing, n_rows, cells)
    good = np.ones(n_rows, dtype=bool)
    bad_rows: list[tuple[int, str, Any, str]] = []
    columns: dict[str, Any] = {}
    for name, kind in kinds.items():
        col = cells[name]
        if kind == "numeric":  # parsed from the bytes, no Python object per cell
            values, bad = _cli_io.parse_numeric(col, dialect)
            bad_rows.extend((r, name, col[r], "not a number") for r in np.flatnonzero(bad).tolist())
            good &= ~bad
            columns[name] = values
        else:  # text read as bytes: codes into its distinct values
            columns[name] = col.texts() if col.source == "objects" else _cli_io.CodedText(*col.factorize())
    if "in_default" in cells and "in_default" not in kinds:
        # a features file carries the default flag: a customer in default is graded D, as in the portfolio path
        flags, bad = _cli_io.parse_numeric(cells["in_default"], dialect)
        for r in np.flatnonzero(bad).tolist():
            bad_rows.append((r, "in_default", cells["in_default"][r], "not a number"))
        good &= ~bad
        columns["in_default"] = flags
    scored = _score_rows(scorer, kinds, columns, cells, good, bad_rows, args)
    rows = np.flatnonzero(good)
    csv_out = os.path.splitext(args.out)[1].lower() == ".csv"
    if args.id_column:
        ids: Any = cells[args.id_column].take(rows) if csv_out else cells[args.id_column].take(rows).texts().tolist()
    else:
        ids = rows if csv_out else rows.tolist()
    # a name column travels with the id (a features file written by riskkit features has one)
    names = None
    if args.id_column and args.id_column != "name" and "name" in cells and not cells["name"].is_empty().all():
        name_cells = cells["name"].take(rows)
        names = name_cells if csv_out else [_cli_io.cell(v) for v in name_cells.texts().tolist()]
    header, out_columns = _score_columns(ids, scored, args.reasons, names)
    n = _cli_io.write_columns(args.out, header, out_columns, raw=_raw(args))
    rejects = [
        {"row": r, "column": c, "value": v, "reason": why}
        for r, c, v, why in sorted(bad_rows, key=lambda t: (t[0], str(t[1])))
    ]
    _write_rejects(args, rejects)
    _say(args, f"riskkit: scored {n} of {n_rows} rows; wrote {args.out}")
    return EXIT_REJECTED if rejects else 0


# --- riskkit signals ------------------------------------------------------------


def _signals(args: argparse.Namespace) -> int:
    from riskkit import _cli_io, signals

    calibration = None
    if args.calibration:
        from riskkit.errors import ValidationError
        from riskkit.persistence import load

        calibration = load(args.calibration)
        if not isinstance(calibration, signals.Calibration):
            raise ValidationError(f"--calibration {args.calibration!r} holds a {type(calibration).__name__}, "
                                  "not a signals calibration (save one with riskkit.save(signals.calibrate(...)))")
    portfolio = _load_portfolio(args)
    watch = signals.evaluate(portfolio, args.as_of, calibration=calibration, alert_budget=args.alert_budget)
    records = watch.to_records()
    header = list(records[0]) if records else [
        "customer_id", "signal", "category", "severity", "value", "threshold", "window_days", "evidence", "status",
    ]
    # each alert row carries its customer's warning level (its signals weighed together, within the budget)
    levels = {row["customer_id"]: row["level"] for row in watch.customers()}
    header.insert(header.index("customer_id") + 1, "level")
    for r in records:
        r["level"] = levels.get(r["customer_id"], "")
    names = _customer_names(portfolio)
    if names is not None:
        header.insert(header.index("customer_id") + 1, "name")
        for r in records:
            r["name"] = names.get(r["customer_id"], "")
    n = _cli_io.write_records(args.out, header, ([r[h] for h in header] for r in records), raw=_raw(args))
    rejects = _portfolio_rejects(portfolio)
    _write_rejects(args, rejects, with_table=True)
    _say(args, f"riskkit: {n} alert(s) for {watch.n_customers} customer(s); {len(watch.flagged('warning'))} at "
               f"warning or worse (budget {watch.alert_budget:.0%}); {len(watch.in_default)} in default, listed "
               f"apart; wrote {args.out}")
    return EXIT_REJECTED if rejects else 0


# --- riskkit check --------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    from riskkit import _cli_io
    from riskkit.policy import CreditPolicy

    portfolio = _load_portfolio(args)
    dialect = _dialect(args)
    raw, n_rows = _cli_io.read_table(args.orders_to_check, dialect=dialect)
    missing = [c for c in ("customer_id", "amount") if c not in raw]
    if missing:
        return _all_rejected(args, missing, n_rows, raw)
    amounts, bad = _cli_io.parse_numeric(raw["amount"], dialect)
    ids = np.array([_cli_io.cell(v) for v in raw["customer_id"].tolist()], dtype=object)
    negative = ~bad & ~(np.isfinite(amounts) & (amounts >= 0))
    unknown = ~np.isin(ids.astype(str), portfolio.customer_ids.astype(str))
    rejects: list[dict[str, Any]] = []
    for mask, column, reason in (
        (bad, "amount", "not a number"),
        (negative, "amount", "must be a finite amount >= 0"),
        (unknown & ~bad & ~negative, "customer_id", "not a customer of the portfolio (or its row was rejected)"),
    ):
        rejects += [
            {"table": "orders_to_check", "row": r, "column": column, "value": raw[column][r], "reason": reason}
            for r in np.flatnonzero(mask).tolist()
        ]
    good = ~(bad | negative | unknown)
    policy = CreditPolicy.from_json(args.policy) if args.policy else CreditPolicy.default()
    scorer = _load_model(args.model or "5c")
    as_of = args.as_of or portfolio.as_of
    scores = _score_features(scorer, args.model or "5c", portfolio.features(as_of))
    decisions = policy.check_orders(
        portfolio, ids[good].tolist(), amounts[good], as_of=as_of, scores=scores
    ) if good.any() else []
    names = _customer_names(portfolio)
    n = _cli_io.write_objects(args.out, (_decision_record(d, names) for d in decisions))
    rejects += _portfolio_rejects(portfolio)
    _write_rejects(args, rejects, with_table=True)
    _say(args, f"riskkit: {n} decision(s); wrote {args.out}")
    return EXIT_REJECTED if rejects else 0


#: Money fields of a credit decision, and the steps comparing money (their value and limit).
_DECISION_MONEY = ("amount", "exposure", "credit_limit")
_MONEY_STEPS = frozenset({"static_limit", "group_limit", "max_document_value"})


def _decision_record(decision: Any, names: dict[str, str] | None) -> dict[str, Any]:
    """A credit decision as written: customer_id (and name) first, money rounded to cents."""
    from riskkit._cli_io import cents

    d = decision.to_dict()
    for key in _DECISION_MONEY:
        if d.get(key) is not None:
            d[key] = cents([d[key]])[0]
    for step in d.get("steps", []):
        if step.get("name") in _MONEY_STEPS:
            for key in ("value", "limit"):
                if step.get(key) is not None:
                    step[key] = cents([step[key]])[0]
    head = {"customer_id": d.pop("customer_id")}
    if names is not None:
        head["name"] = names.get(head["customer_id"], "")
    return {**head, **d}


_FORMAT_OPTIONS = ("delimiter", "decimal", "thousands", "date_format", "encoding")


def _add_portfolio_options(p: argparse.ArgumentParser, *, customers_required: bool = True) -> None:
    tables = p.add_argument_group(
        "portfolio",
        "CSV tables with a header row, or Parquet files (.parquet, or a folder of them; every table then), "
        "their columns named as in riskkit.portfolio.schema(); or --profile",
    )
    tables.add_argument(
        "--customers", metavar="FILE",
        help="customers (id, name, ...)" + ("; required unless --profile" if customers_required else ""),
    )
    for name in _TABLE_OPTIONS[1:]:
        tables.add_argument(f"--{name}", metavar="FILE", help=f"{name} table")
    tables.add_argument(
        "--profile", metavar="TOML",
        help="a load profile describing a company's exports (files, columns, formats), instead of the tables",
    )
    fmt = p.add_argument_group(
        "CSV format",
        "of the tables and the other input CSVs, as the ERP writes them; not with --profile",
    )
    fmt.add_argument(
        "--delimiter", type=_delimiter, metavar="CHAR",
        help="field separator: a character, comma, semicolon, tab, pipe, or auto (sniffed among , ; tab |); "
        "default ,",
    )
    fmt.add_argument("--decimal", type=_decimal, metavar="CHAR", help="decimal separator: . or , (default .)")
    fmt.add_argument(
        "--thousands", type=_thousands, metavar="CHAR",
        help="thousands separator: . , ' space or none (default none)",
    )
    fmt.add_argument(
        "--date-format", type=_date_format, metavar="FORMAT",
        help="strptime format of the dates, e.g. %%d.%%m.%%Y (default ISO, YYYY-MM-DD)",
    )
    fmt.add_argument("--encoding", type=_encoding, metavar="NAME", help="text encoding, e.g. cp1252 (default utf-8)")
    p.add_argument(
        "--as-of", type=_iso_date, metavar="YYYY-MM-DD",
        help="point in time (default: the latest date in the data)",
    )
    p.add_argument(
        "--allow-future-as-of", action="store_true",
        help=f"accept an --as-of more than {_FUTURE_DAYS} days after the latest date in the data",
    )
    p.set_defaults(portfolio_required=customers_required)


def _add_common(p: argparse.ArgumentParser, *, rejects: bool = True) -> None:
    if rejects:
        p.add_argument(
            "--rejects", metavar="FILE",
            help="write rejected input rows here (.csv, .jsonl or .json; else a summary on stderr)",
        )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary; errors only")
    p.add_argument(
        "--raw-cells", action="store_true",
        help="write CSV text cells as they are; by default a cell beginning with = + - @ tab or CR gets a leading ' "
        "so a spreadsheet does not run it as a formula",
    )
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    db = p.add_argument_group(
        "database", "write an output to a database table instead of a file (needs riskkit[sql]); the table is "
        "replaced in one transaction, so a failed run leaves it as it was",
    )
    db.add_argument("--out-table", metavar="NAME", help="write the output to this table (or schema.table), not --out")
    if rejects:
        db.add_argument("--rejects-table", metavar="NAME", help="write the rejected rows to this table, not --rejects")
    db.add_argument(
        "--database", metavar="URL",
        help="SQLAlchemy URL of the database, e.g. postgresql+psycopg2://user@host/erp or sqlite:///riskkit.db",
    )


def _allow_out_table(p: argparse.ArgumentParser) -> None:
    """--out or --out-table: a command whose --out is a table gets --out required one way or the other."""
    formats = p.get_default("out_formats") or ()
    out = p._option_string_actions.get("--out")
    if "--out-table" in p._option_string_actions and out is not None and out.required and (
        ".csv" in formats or ".jsonl" in formats
    ):
        out.required = False
        p.set_defaults(out_required=True)


def _check_tables(args: argparse.Namespace) -> None:
    """--out-table / --rejects-table go with --database, replace --out / --rejects, and name tables: exit 2."""
    from riskkit import sql
    from riskkit.errors import ValidationError

    if not hasattr(args, "database"):
        return
    tables = [(o, getattr(args, o.replace("-", "_"), None)) for o in ("out-table", "rejects-table")]
    given = [(option, name) for option, name in tables if name]
    if getattr(args, "out_required", False) and not args.out and not args.out_table:
        raise _Usage("the following arguments are required: --out (or --out-table NAME with --database URL)")
    if args.out_table and not getattr(args, "out_required", False):
        raise _Usage(f"--out-table: riskkit {args.command} writes a file ({', '.join(args.out_formats or ())}), "
                     "not a table; give --out FILE")
    for option, name in given:
        twin = option.removesuffix("-table")
        if getattr(args, twin, None):
            raise _Usage(f"give --{twin} FILE or --{option} NAME, not both")
        try:
            sql.check_table_name(name)
        except ValidationError as exc:
            raise _Usage(f"argument --{option}: {exc}") from None
    if given and not args.database:
        raise _Usage(f"--{given[0][0]} needs --database URL (a SQLAlchemy URL such as "
                     "postgresql+psycopg2://user@host/erp or sqlite:///riskkit.db)")
    if args.database and not given:
        raise _Usage("--database is for --out-table or --rejects-table; give one of them, or drop --database")
    if len(given) == 2 and given[0][1] == given[1][1]:
        raise _Usage(f"--out-table and --rejects-table are the same table {given[0][1]!r}; give different tables")
    if args.database:
        try:
            sql.check_url(args.database)
        except ValidationError as exc:
            raise _Usage(f"argument --database: {exc}") from None


def _use_tables(args: argparse.Namespace) -> None:
    """Route --out / --rejects to the tables: the writers of _cli_io take a TableOutput where a path goes.

    The database is reached here, before any work: one that cannot be reached is exit 1 with nothing done.
    """
    if not getattr(args, "database", None):
        return
    from riskkit import _cli_io, sql

    with sql.connect(args.database):
        pass
    if args.out_table:
        args.out = _cli_io.TableOutput(args.out_table, args.database)
    if getattr(args, "rejects_table", None):
        args.rejects = _cli_io.TableOutput(args.rejects_table, args.database)


# --- option values and the checks made before any work ----------------------------


def _delimiter(text: str) -> str:
    word = text.strip().lower() if text.strip() else text
    if word == "auto":
        return "auto"
    if word in _DELIMITER_WORDS:
        return _DELIMITER_WORDS[word]
    if len(text) == 1 and text not in "\"\r\n " and not text.isalnum():
        return text
    raise argparse.ArgumentTypeError(
        f"expected one character (not a quote, space, letter or digit), comma, semicolon, tab, pipe or auto, "
        f"got {text!r}"
    )


def _decimal(text: str) -> str:
    word = {"point": ".", "dot": ".", "comma": ","}.get(text.strip().lower(), text)
    if word not in (".", ","):
        raise argparse.ArgumentTypeError(f"expected . or , got {text!r}")
    return word


def _thousands(text: str) -> str:
    word = text.strip().lower()
    named = {"none": "", "": "", "space": " ", "comma": ",", "dot": ".", "point": ".", "apostrophe": "'"}
    if word in named:
        return named[word]
    if text in (".", ",", "'", " "):
        return text
    raise argparse.ArgumentTypeError(f"expected . , ' space or none, got {text!r}")


def _date_format(text: str) -> str:
    import datetime as dt

    probe = dt.date(2025, 11, 27)
    try:
        back = dt.datetime.strptime(probe.strftime(text), text).date()
    except ValueError:
        back = None
    if back != probe:
        raise argparse.ArgumentTypeError(
            f"{text!r} does not read back a date it writes; give day, month and year, e.g. %d.%m.%Y"
        )
    return text


def _encoding(text: str) -> str:
    import codecs

    try:
        return codecs.lookup(text).name
    except LookupError:
        raise argparse.ArgumentTypeError(f"unknown encoding {text!r}; e.g. utf-8, cp1252, latin-1") from None


def _iso_date(text: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _format_options_given(args: argparse.Namespace) -> list[str]:
    return [f"--{name.replace('_', '-')}" for name in _FORMAT_OPTIONS if getattr(args, name, None) is not None]


def _check_portfolio_args(args: argparse.Namespace) -> None:
    """The portfolio options go together: --profile or the tables, and --customers with any table."""
    if not hasattr(args, "portfolio_required"):
        return
    tables = [f"--{name}" for name in _TABLE_OPTIONS if getattr(args, name, None)]
    if args.profile:
        if tables:
            raise _Usage(f"--profile replaces the table options; give --profile or {', '.join(tables)}, not both")
        given = _format_options_given(args)
        if given:
            raise _Usage(f"{', '.join(given)} describe table CSVs; with --profile the profile says how its files "
                         "are written")
    elif tables and not args.customers:
        raise _Usage(f"{', '.join(tables)} need --customers CSV (or give --profile TOML instead)")
    elif not tables and args.portfolio_required:
        raise _Usage("give the portfolio: --customers CSV (with --invoices CSV ... as you have them) or "
                     "--profile TOML")
    if args.thousands and args.thousands == (args.decimal or "."):
        raise _Usage(f"--thousands and --decimal are both {args.thousands!r}")


def _check_outputs(args: argparse.Namespace) -> None:
    """--out and --rejects name files riskkit can write, in existing folders: checked before any work."""
    from riskkit import _cli_io
    from riskkit.errors import ValidationError

    for option, accepted in (("out", getattr(args, "out_formats", None)), ("rejects", _REJECT_FORMATS)):
        path = getattr(args, option, None)
        if path is None or accepted is None:
            continue
        try:
            _cli_io.check_output(path, accepted)
        except ValidationError as exc:
            raise _Usage(f"argument --{option}: {exc}") from None


def _check_writable(args: argparse.Namespace) -> None:
    """--out and --rejects can be written (not a folder, a folder riskkit may write in): else exit 1, before any work."""
    from riskkit import _cli_io

    for option in ("out", "rejects"):
        path = getattr(args, option, None)
        if path is not None and getattr(args, "out_formats", None) is not None:
            _cli_io.check_writable(path)


def _inputs(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(option, path) of every file the command reads, a load profile's export files included."""
    found = [(f"--{name}", getattr(args, name)) for name in ("data", *_TABLE_OPTIONS, "orders_to_check", "outcomes",
                                                              "policy", "ladder", "profile", "calibration")
             if getattr(args, name, None)]
    found = [(option.replace("_", "-"), path) for option, path in found]
    model = getattr(args, "model", None)
    if model and args.run is not _fit and model.lower() not in _BUILTIN_MODELS:
        found.append(("--model", model))
    if getattr(args, "profile", None):
        try:
            from riskkit._profile import read_profile

            profile = read_profile(args.profile)
        except Exception:  # a bad profile is reported when the portfolio is loaded
            return found
        found += [(f"the {name} file of --profile", os.fspath(t.path)) for name, t in profile.tables.items()
                  if t.path is not None]
        if profile.rates_path is not None:
            found.append(("the rates file of --profile", os.fspath(profile.rates_path)))
    return found


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name one file: equal resolved real paths, or the same existing file (a hard link)."""
    try:
        if os.path.realpath(a) == os.path.realpath(b):
            return True
        return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _check_same_files(args: argparse.Namespace) -> None:
    """Refuse an output that is one of the inputs, or --out equal to --rejects: before any work (exit 2)."""
    outputs = [(f"--{name}", getattr(args, name)) for name in ("out", "rejects") if getattr(args, name, None)]
    for option, path in outputs:
        for source, given in _inputs(args):
            if _same_file(path, given):
                raise _Usage(
                    f"{option} {path!r} is the same file as {source} {given!r}; riskkit never overwrites its "
                    f"input: give {option} another file"
                )
    if len(outputs) == 2 and _same_file(outputs[0][1], outputs[1][1]):
        raise _Usage(f"--out and --rejects are the same file {outputs[0][1]!r}; give them different files")


_TABLE_FORMATS = (".csv", ".jsonl", ".ndjson", ".json", ".parquet")
_REJECT_FORMATS = (".csv", ".jsonl", ".ndjson", ".json")


_EXIT_CODES = (
    "exit codes: 0 success; 1 bad input or a riskkit error (one line on stderr naming the file; nothing "
    "written, also when the portfolio cannot be loaded at all); 2 usage error (checked before any work, an "
    "output that is one of the inputs too); 3 some input rows were rejected (the good rows are still "
    "processed and written); 70 internal error, a bug in riskkit (please report it; riskkit --debug shows "
    "the traceback); 130/143 interrupted by SIGINT/SIGTERM (no partial output left)"
)


def _sub(
    sub: Any, name: str, help: str, description: str, example: str
) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help,
        description=textwrap.fill(description, 79),
        epilog=f"example:\n  {example}\n\n" + textwrap.fill(_EXIT_CODES, 79, subsequent_indent="  "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(subparser=p, out_formats=None)
    return p


def _add_file_commands(sub: Any) -> None:
    features = _sub(
        sub, "features", "compute every feature per customer from portfolio CSVs or a load profile",
        "Build a portfolio from CSV tables (or a load profile) and write one row per customer: customer_id, "
        "name (when the customers have names) and every feature, money rounded to cents.",
        "riskkit features --customers customers.csv --invoices invoices.csv --as-of 2025-06-30 "
        "--out features.csv --rejects rejects.csv\n  riskkit features --customers kunden.csv --invoices "
        "rechnungen.csv --delimiter semicolon --decimal , --date-format %d.%m.%Y --out features.csv",
    )
    _add_portfolio_options(features)
    features.add_argument("--out", required=True, metavar="FILE", help=_TABLE_OUT_HELP.format("features"))
    _add_common(features)
    features.set_defaults(run=_features, out_formats=_TABLE_FORMATS)

    fit = _sub(
        sub, "fit", "fit a scorer on a CSV with a target column and save it",
        "Fit a scorer on a table with a target column and save it with riskkit.save. Columns where every "
        "non-empty value is a number are numeric; the others are categories; an empty cell is missing.",
        "riskkit fit --data german.csv --target creditability --bad-value bad --out card.json",
    )
    fit.add_argument("--data", required=True, metavar="FILE", help="training data (.csv, .jsonl or .parquet)")
    fit.add_argument("--target", required=True, help="the target column")
    fit.add_argument("--bad-value", required=True, help="the target value that marks a bad (defaulted) row")
    fit.add_argument("--out", required=True, metavar="JSON", help="where to save the fitted scorer (.json)")
    fit.add_argument("--model", choices=_MODELS, default="scorecard", help="scorer kind (default scorecard)")
    fit.add_argument("--id-column", metavar="COLUMN", help="a row id column, not used as a feature")
    fit.add_argument("--exclude", metavar="COL,COL", help="columns not to use as features")
    _add_common(fit)
    fit.set_defaults(run=_fit, out_formats=(".json",))

    score = _sub(
        sub, "score", "score a data file, or a portfolio's customers, with a saved scorer",
        "Score every row of a data file (CSV, JSON lines, Parquet with pyarrow) with a saved scorer, or every "
        "customer of a portfolio (--customers ... or --profile; --model 5c is the built-in five C card). Rows "
        "with a bad number or an unknown category are rejected; every good row is scored. The first column is "
        "customer_id: the portfolio's customer, the --id-column value, or else the 0-based row number.",
        "riskkit score --model card.json --data applicants.csv --out scores.csv --rejects rejects.csv "
        "--reasons 3\n  riskkit score --model 5c --customers customers.csv --invoices invoices.csv --out scores.csv",
    )
    score.add_argument("--model", metavar="JSON", help="a saved scorer, or 5c (default with a portfolio)")
    score.add_argument("--data", metavar="FILE", help="rows to score (.csv, .jsonl or .parquet)")
    score.add_argument("--out", required=True, metavar="FILE", help=_TABLE_OUT_HELP.format("scores"))
    score.add_argument("--reasons", type=_non_negative_int, default=0, metavar="K", help="reason codes per row")
    score.add_argument(
        "--unknown", choices=_UNKNOWN, default="error",
        help="a category the model does not know: error = reject the row (default), missing = score it with the "
        "feature's missing points, worst = with its worst points",
    )
    score.add_argument(
        "--id-column", metavar="COLUMN",
        help="--data column written as customer_id, with the name column when the data has one "
        "(default: the 0-based row number)",
    )
    _add_portfolio_options(score, customers_required=False)
    _add_common(score)
    score.set_defaults(run=_score, out_formats=_TABLE_FORMATS)

    sig = _sub(
        sub, "signals", "write the early-warning watchlist of a portfolio",
        "Run the early-warning signals over a portfolio and write the watchlist, one row per alert.",
        "riskkit signals --customers customers.csv --invoices invoices.csv --out watchlist.csv",
    )
    _add_portfolio_options(sig)
    sig.add_argument("--out", required=True, metavar="FILE", help=_TABLE_OUT_HELP.format("watchlist"))
    sig.add_argument("--calibration", metavar="JSON",
                     help="a calibration saved from riskkit.signals.calibrate (thresholds, weights, level cutoffs)")
    sig.add_argument("--alert-budget", type=_share, metavar="SHARE",
                     help="share of the customers not in default allowed at warning or worse (default 0.15)")
    _add_common(sig)
    sig.set_defaults(run=_signals, out_formats=_TABLE_FORMATS)

    check = _sub(
        sub, "check", "run the credit check on new orders",
        "Run the credit policy on new orders (CSV with customer_id,amount): one JSON line per decision "
        "(customer_id, name when known, then the decision; money rounded to cents).",
        "riskkit check --customers customers.csv --invoices invoices.csv --orders-to-check new.csv "
        "--out decisions.jsonl",
    )
    _add_portfolio_options(check)
    check.add_argument("--orders-to-check", required=True, metavar="CSV", help="orders: customer_id,amount")
    check.add_argument("--policy", metavar="JSON", help="credit policy (default CreditPolicy.default())")
    check.add_argument("--model", metavar="JSON", help="scorer for grades (default 5c)")
    check.add_argument(
        "--out", required=True, metavar="JSONL", help="decisions: .jsonl (one JSON line each) or .json (an array)"
    )
    _add_common(check)
    check.set_defaults(run=_check, out_formats=(".jsonl", ".ndjson", ".json"))

    report = _sub(
        sub, "report", "write the month-end report of a portfolio as one self-contained HTML file",
        "Write one HTML file (no external assets): the summary (exposure, overdue, DSO/ADD/CEI now and three "
        "months back, customers in default), grades with their exposure, the watchlist (one sentence per "
        "customer), recommended limit changes, the collections worklist for the week and, with outcomes, "
        "model validation. Python: riskkit.report(portfolio).to_html(path).",
        "riskkit report --customers customers.csv --invoices invoices.csv --outcomes outcomes.csv "
        "--currency EUR --out report.html",
    )
    _add_portfolio_options(report)
    add_report_options(report)
    _add_common(report)
    report.set_defaults(run=_report, out_formats=(".html", ".htm"))


_TABLE_OUT_HELP = "{} (.csv, .jsonl, .json, or .parquet with pyarrow)"


def _share(text: str) -> float:
    """argparse type: a share in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share in (0, 1] such as 0.1, got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share in (0, 1] such as 0.1, got {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="riskkit",
        description="Identify the credit risk of B2B customers before they stop paying.",
        epilog=textwrap.fill(_EXIT_CODES, 79, subsequent_indent="  "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"riskkit {__version__}")
    parser.add_argument(
        "--debug", action="store_true",
        help="on an internal error (exit 70), print the traceback (for a bug report)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    demo = sub.add_parser(
        "demo",
        help="run the whole job (grades, limits, watchlist, worklist) on a synthetic portfolio",
        description="Build a synthetic B2B portfolio and run the whole job on it: grades, credit limits and terms, the watchlist and the collections worklist.",
        epilog="example: riskkit demo --customers 5000 --top 20",
    )
    demo.add_argument("--customers", type=_positive_int, default=1000, help="number of customers (default 1000)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--top", type=_positive_int, default=15, help="rows to show (default 15)")
    demo.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    demo.set_defaults(run=_demo)
    _add_file_commands(sub)
    from riskkit.cli import _jobs  # limits and worklist; imported here, after this module is complete

    _jobs.add_commands(sub)
    from riskkit.cli import _provisions

    _provisions.add_commands(sub)
    from riskkit.cli import _groups  # corporate groups

    _groups.add_commands(sub)
    from riskkit.cli import _insurance  # credit-insurance cover and notification deadlines

    _insurance.add_commands(sub)
    from riskkit.cli import _reviews  # the credit reviews due

    _reviews.add_commands(sub)
    from riskkit.cli import _promises  # promises to pay and disputes

    _promises.add_commands(sub)
    for command in sub.choices.values():  # --out or --out-table, on every command writing a table
        _allow_out_table(command)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``riskkit`` console script; returns the exit code (see the module docstring).

    Usage errors (and ``--help``, ``--version``) exit through argparse's
    SystemExit; everything else returns a code: no other exception leaves.
    """
    from riskkit._cli_io import Terminated, terminate_as_exception

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        with terminate_as_exception():
            return _main(argv)
    except KeyboardInterrupt:
        print("riskkit: interrupted; no partial output was left and existing outputs are as they were",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print("riskkit: terminated (SIGTERM); no partial output was left and existing outputs are as they were",
              file=sys.stderr)
        return EXIT_TERMINATED


def _main(argv: list[str]) -> int:
    parser = build_parser()
    args: argparse.Namespace | None = None
    try:
        args = parser.parse_args(argv)
        _check_portfolio_args(args)
        if args.run is _score:
            _check_score_args(args)
        _check_tables(args)
        _check_outputs(args)
        _check_same_files(args)
        _check_writable(args)
        _use_tables(args)
        return int(args.run(args))
    except _Usage as exc:
        command: argparse.ArgumentParser = getattr(args, "subparser", parser)
        command.error(_one_line(str(exc)))
    except RiskkitError as exc:
        print(f"riskkit: error: {_one_line(_cli_hint(str(exc), args))}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:  # the file system (a file vanished, a disk full ...): the environment, not a bug
        where = f"{exc.filename!r}: " if exc.filename is not None else ""
        print(f"riskkit: error: {where}{_one_line(exc.strerror or str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        return _internal_error(exc, args, argv)
    raise AssertionError("unreachable")  # pragma: no cover - command.error exits


def _internal_error(exc: Exception, args: argparse.Namespace | None, argv: Sequence[str]) -> int:
    """One line asking for a bug report (the traceback with --debug); exit 70."""
    debug = bool(getattr(args, "debug", False)) if args is not None else "--debug" in argv
    if debug:
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    detail = _one_line(f"{type(exc).__name__}: {exc}")
    if len(detail) > 300:
        detail = detail[:297] + "..."
    more = "" if debug else "; run again with riskkit --debug ... for the traceback"
    print(
        f"riskkit: internal error ({detail}); this is a bug in riskkit {__version__}: please report it with "
        f"the command line and this message{more}",
        file=sys.stderr,
    )
    return EXIT_INTERNAL
