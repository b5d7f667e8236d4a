"""The ``riskkit`` command line.

Commands: ``demo`` (a synthetic book, end to end), ``features``, ``fit``,
``score``, ``signals``, ``check`` and ``report``. File reading and writing
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
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit._version import __version__
from riskkit.errors import RiskkitError

if TYPE_CHECKING:
    from riskkit._frame import FeatureFrame

#: Feature columns shown by ``riskkit demo``: (feature, header, scale).
DEMO_COLUMNS = (
    ("max_days_past_due", "max dpd", 1.0),
    ("overdue_ratio", "overdue %", 100.0),
    ("payment_index", "pay idx", 1.0),
    ("utilization", "util %", 100.0),
    ("altman_z_private", "Z'", 1.0),
)


def riskiest(score: np.ndarray, features: FeatureFrame, top: int) -> np.ndarray:
    """Row order of the ``top`` riskiest customers: lowest score first, then oldest overdue item."""
    max_dpd = np.nan_to_num(features["max_days_past_due"], nan=-1.0)
    return np.lexsort((-max_dpd, score))[:top]


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _demo(args: argparse.Namespace) -> int:
    from riskkit import dunning, policy, signals
    from riskkit._display import text_table
    from riskkit.datasets import make_portfolio
    from riskkit.metrics import auc
    from riskkit.scoring._presets import five_c

    t0 = time.perf_counter()
    portfolio, outcomes = make_portfolio(args.customers, seed=args.seed)
    t1 = time.perf_counter()
    ff = portfolio.features()
    result = five_c().score(ff, reasons=1)
    t2 = time.perf_counter()
    recs = policy.CreditPolicy.default().recommend(portfolio, result)
    watch = signals.evaluate(portfolio)
    work = dunning.worklist(portfolio, result)
    t3 = time.perf_counter()
    print(f"riskkit {__version__} demo: synthetic B2B book (seed {args.seed}), as of {portfolio.as_of}")
    print(repr(portfolio))
    print(
        f"built in {t1 - t0:.2f} s; features and 5C scores in {t2 - t1:.3f} s; "
        f"limits, {len(watch.signals)} warning signals and the worklist in {t3 - t2:.3f} s\n"
    )
    grades, counts = np.unique(result.grade, return_counts=True)
    order = np.argsort([_GRADE_ORDER.get(str(g), 99) for g in grades])
    in_default = np.asarray(ff["in_default"]) > 0
    print("1. Grades (5C card): " + ", ".join(f"{grades[i]} {counts[i]}" for i in order))
    print(f"   {int(in_default.sum())} customers are in default (90+ days past due on a material amount, or "
          "insolvency): grade D, collections cases (section 5).\n")

    shown = riskiest(np.where(in_default, np.inf, result.score), ff, args.top)
    rec_rows = {r["customer_id"]: r for r in recs.to_records()}
    rows = []
    for i in shown:
        cid = str(portfolio.customer_ids[i])
        rec = rec_rows[cid]
        row: list[object] = [cid, float(result.score[i]), str(result.grade[i]), f"{result.pd[i]:.1%}"]
        row += [float(ff[name][i]) * scale for name, _, scale in DEMO_COLUMNS]
        reason = result.reasons.row(int(i)) if result.reasons is not None else []
        row.append(f"{reason[0][0]} (-{reason[0][2]:g})" if reason else "")
        row += [float(rec["current_limit"]), float(rec["limit"]), rec["payment_terms"]]
        rows.append([*row, str(outcomes.default_date[i]) if outcomes.defaulted[i] else ""])
    headers = ["customer", "score", "grade", "pd", *(h for _, h, _ in DEMO_COLUMNS), "main reason",
               "limit now", "new limit", "terms", "default date"]
    print(f"2. The {len(rows)} riskiest customers not in default, with the recommended credit limit and terms:")
    print(text_table(headers, rows, digits=1))
    as_of = np.datetime64(portfolio.as_of, "D")
    defaulted, when = outcomes.defaulted == 1, outcomes.default_date
    performing = ~(defaulted & (when <= as_of))
    later = (defaulted & (when > as_of))[performing].astype(np.int8)
    if 0 < later.sum() < later.size:
        print(
            f"   Among the {int(performing.sum())} customers still performing, the 5C card ranks the "
            f"{int(later.sum())} who default in the next 180 days with AUC "
            f"{auc(later, result.pd[performing]):.3f} (no training)."
        )

    changes = recs.changes_by_grade()
    print("\n3. Limit review by grade (limits on file against the recommended ones):")
    print(text_table(
        ["grade", "customers", "rise", "hold", "fall", "on file", "recommended"],
        [[c["grade"], c["n"], c["rise"], c["hold"], c["fall"], float(c["total_now"]), float(c["total_recommended"])]
         for c in changes],
        digits=0,
    ))

    flagged = watch.flagged("warning")
    eligible = portfolio.n_customers - len(watch.in_default)
    print(f"\n4. Watchlist: {len(flagged)} of the {eligible} customers not in default at warning or worse "
          f"(budget {watch.alert_budget:.0%}); {watch.n_customers} with any alert, {len(watch)} alerts "
          f"from {len(watch.signals)} signals")
    top = watch.customers()[: args.top]
    print(text_table(
        ["customer", "level", "alerts", "overdue", "summary"],
        [[r["customer_id"], r["level"], r["alerts"], float(r["overdue_amount"]), _short(r["summary"], 90)]
         for r in top],
        digits=0,
    ))

    print(f"\n5. Collections worklist: {work!r}")
    head = work.head(args.top).to_records()
    print(text_table(
        ["customer", "stage", "next action", "overdue", "dpd", "grade", "if they order again"],
        [[r["customer_id"], r["stage"], _short(r["next_action"], 40), float(r["overdue_amount"]),
          int(r["days_past_due"]), r["grade"], r["reorder_rule"]] for r in head],
        digits=0,
    ))
    print("\n'default date' is the synthetic truth, known only in this demo.")
    return 0


_GRADE_ORDER = {g: i for i, g in enumerate(("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D", ""))}


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

_TABLE_OPTIONS = ("customers", "invoices", "payments", "orders", "statements", "events", "exposures")


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
        try:
            portfolio = Portfolio.from_csv(**tables, as_of=args.as_of, errors="collect", **_csv_format(args))
        except RiskkitError as exc:
            raise _name_the_file(exc, tables) from None
    _check_as_of(args, portfolio)
    return portfolio


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


def _load_model(name: str) -> Any:
    """A saved scorer, or the built-in five C card for ``5c``."""
    from riskkit.persistence import load

    if name.lower() in ("5c", "five_c"):
        from riskkit.scoring._presets import five_c

        return five_c()
    return load(name)


def _score_features(scorer: Any, model: str, features: Any, reasons: int = 0) -> Any:
    """A portfolio's features scored; a model that cannot score them is an error naming --model."""
    from riskkit.errors import ValidationError

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
_MONEY_STEPS = frozenset({"static_limit", "max_document_value"})


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


# --- riskkit report -------------------------------------------------------------


def _report(args: argparse.Namespace) -> int:
    from riskkit import _cli_io, dunning, signals
    from riskkit.metrics import auc, gini, ks

    portfolio = _load_portfolio(args)
    scorer = _load_model(args.model or "5c")
    as_of = args.as_of or portfolio.as_of
    result = _score_features(scorer, args.model or "5c", portfolio.features(as_of), reasons=1)
    watch = signals.evaluate(portfolio, as_of)
    work = dunning.worklist(portfolio, result, as_of)
    rejects = _portfolio_rejects(portfolio)
    outcome = None
    metrics: list[tuple[str, str]] = []
    if args.outcomes:
        raw, n_outcomes = _cli_io.read_table(args.outcomes, dialect=_dialect(args))
        missing = [c for c in ("customer_id", "defaulted") if c not in raw]
        if missing:
            return _all_rejected(args, missing, n_outcomes, raw)
        flags, bad = _cli_io.parse_numeric(raw["defaulted"])
        bad |= ~np.isin(flags, (0.0, 1.0)) & ~np.isnan(flags)
        rejects += [
            {"table": "outcomes", "row": r, "column": "defaulted", "value": raw["defaulted"][r],
             "reason": "expected 0 or 1"}
            for r in np.flatnonzero(bad).tolist()
        ]
        known = {_cli_io.cell(c): f for c, f, b in zip(raw["customer_id"].tolist(), flags.tolist(), bad.tolist(),
                                                       strict=True) if not b and f == f}
        outcome = np.array([known.get(str(c), np.nan) for c in portfolio.customer_ids.tolist()])
        has = ~np.isnan(outcome)
        y = outcome[has].astype(np.int8)
        metrics.append(("customers with an outcome", f"{int(has.sum()):,} ({int(y.sum()):,} defaulted)"))
        if 0 < y.sum() < y.size:
            metrics += [
                ("AUC", f"{auc(y, result.pd[has]):.3f}"),
                ("Gini", f"{gini(y, result.pd[has]):.3f}"),
                ("KS", f"{ks(y, result.pd[has]):.3f}"),
            ]
        else:
            metrics.append(("AUC / Gini / KS", "need both defaulted and performing customers"))
    html = _report_html(portfolio, as_of, scorer, result, outcome, metrics, watch, work, len(rejects))
    _cli_io.write_text(args.out, html)
    _write_rejects(args, rejects, with_table=True)
    _say(args, f"riskkit: wrote the report to {args.out}")
    return EXIT_REJECTED if rejects else 0


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;
color:#222;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;
margin-top:1.8em}
table{border-collapse:collapse;font-size:.9em}th,td{padding:.25em .6em;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}th{background:#f4f4f4}td.num{text-align:right}
.muted{color:#777}.legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;
vertical-align:middle}
svg text{font-size:11px;fill:#333}
"""

_GOOD_COLOUR, _BAD_COLOUR, _ALL_COLOUR = "#4a90c2", "#d9534f", "#5b8db8"


def _e(value: Any) -> str:
    import html

    from riskkit._cli_io import cell

    return html.escape(cell(value) if not isinstance(value, str) else value)


def _table_html(headers: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[int] = ()) -> str:
    if not rows:
        return '<p class="muted">None.</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num">{_e(v)}</td>' if j in numeric else f"<td>{_e(v)}</td>" for j, v in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _bar_chart(labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float]]], *, percent: bool) -> str:
    """A grouped vertical bar chart as inline SVG: one group per label, one bar per series."""
    width, height, left, bottom, top = 760, 260, 50, 40, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max((v for _, _, values in series for v in values), default=0.0) or 1.0
    group = plot_w / max(len(labels), 1)
    bar = group * 0.8 / max(len(series), 1)
    parts = [f'<svg width="{width}" height="{height}" role="img">']
    for t in range(5):
        value = peak * t / 4
        y = top + plot_h - plot_h * t / 4
        text = f"{value:.0%}" if percent else f"{value:,.0f}"
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{text}</text>')
    for i, label in enumerate(labels):
        x0 = left + i * group + group * 0.1
        for s, (name, colour, values) in enumerate(series):
            h = plot_h * values[i] / peak
            shown = f"{values[i]:.1%}" if percent else f"{values[i]:,.0f}"
            parts.append(
                f'<rect x="{x0 + s * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{_e(name)} {_e(label)}: {shown}</title></rect>'
            )
        parts.append(
            f'<text x="{left + (i + 0.5) * group:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
            f"{_e(label)}</text>"
        )
    parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#999"/>')
    parts.append("</svg>")
    legend = "".join(f'<span style="background:{c}"></span>{_e(n)}' for n, c, _ in series)
    return f'<div class="legend">{legend}</div>' + "".join(parts)


def _score_distribution(score: np.ndarray, outcome: np.ndarray | None) -> str:
    finite = score[np.isfinite(score)]
    if finite.size == 0:
        return '<p class="muted">No scores.</p>'
    low, high = float(finite.min()), float(finite.max())
    edges = np.linspace(low, high if high > low else low + 1.0, 11)
    labels = [f"{edges[i]:.0f}" for i in range(10)]

    def shares(values: np.ndarray) -> list[float]:
        counts, _ = np.histogram(values, bins=edges)
        return (counts / max(values.size, 1)).tolist()

    if outcome is None or not np.isfinite(outcome).any():
        series = [("all customers", _ALL_COLOUR, shares(finite))]
    else:
        ok = np.isfinite(score) & np.isfinite(outcome)
        series = [
            ("performing", _GOOD_COLOUR, shares(score[ok & (outcome == 0)])),
            ("defaulted", _BAD_COLOUR, shares(score[ok & (outcome == 1)])),
        ]
    chart = _bar_chart(labels, series, percent=True)
    return chart + '<p class="muted">Share of each group per score band (lower bound shown; higher = safer).</p>'


def _report_html(
    portfolio: Any,
    as_of: Any,
    scorer: Any,
    result: Any,
    outcome: np.ndarray | None,
    metrics: list[tuple[str, str]],
    watch: Any,
    work: Any,
    n_rejected: int,
) -> str:
    grades, counts = np.unique(np.asarray(result.grade).astype(str), return_counts=True)
    order = np.argsort([_GRADE_ORDER.get(str(g), 99) for g in grades], kind="stable")
    grade_chart = _bar_chart(
        [str(grades[i]) or "none" for i in order], [("customers", _ALL_COLOUR, [float(counts[i]) for i in order])],
        percent=False,
    )
    grade_table = _table_html(
        ["grade", "customers", "share"],
        [[str(grades[i]), int(counts[i]), f"{counts[i] / max(counts.sum(), 1):.1%}"] for i in order],
        numeric=(1, 2),
    )
    if metrics:
        validation = _table_html(["metric", "value"], metrics, numeric=(1,))
    else:
        validation = '<p class="muted">No outcomes given (pass --outcomes with customer_id,defaulted).</p>'
    names = _customer_names(portfolio)
    who = ["customer_id", "name"] if names is not None else ["customer_id"]
    shift = len(who) - 1

    def customer(cid: Any) -> list[Any]:
        return [cid, names.get(cid, "")] if names is not None else [cid]

    top = watch.customers()[:15]
    watch_table = _table_html(
        [*who, "worst", "alerts", "overdue", "summary"],
        [[*customer(r["customer_id"]), r["worst_severity"], r["alerts"], f"{float(r['overdue_amount']):,.0f}",
          r["summary"]] for r in top],
        numeric=(2 + shift, 3 + shift),
    )
    work_table = _table_html(
        [*who, "stage", "next action", "overdue", "dpd", "grade", "if they order again"],
        [[*customer(r["customer_id"]), r["stage"], r["next_action"], f"{float(r['overdue_amount']):,.0f}",
          int(r["days_past_due"]), r["grade"], r["reorder_rule"]] for r in work.head(15).to_records()],
        numeric=(3 + shift, 4 + shift),
    )
    name = getattr(scorer, "name", None) or type(scorer).__name__
    rejected = f"; {n_rejected:,} input row(s) rejected" if n_rejected else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>riskkit report {_e(str(as_of))}</title><style>{_CSS}</style></head><body>\n"
        f"<h1>Credit risk report</h1><p class=\"muted\">riskkit {_e(__version__)}; as of {_e(str(as_of))}; "
        f"{portfolio.n_customers:,} customers; scored with {_e(str(name))}{_e(rejected)}</p>\n"
        f"<section id=\"score-distribution\"><h2>Score distribution</h2>"
        f"{_score_distribution(np.asarray(result.score, dtype=float), outcome)}</section>\n"
        f"<section id=\"grade-mix\"><h2>Grade mix</h2>{grade_chart}{grade_table}</section>\n"
        f"<section id=\"validation\"><h2>Validation</h2>{validation}</section>\n"
        f"<section id=\"watchlist\"><h2>Watchlist</h2><p class=\"muted\">{_e(repr(watch))}</p>{watch_table}"
        "</section>\n"
        f"<section id=\"worklist\"><h2>Collections worklist</h2><p class=\"muted\">{_e(repr(work))}</p>"
        f"{work_table}</section>\n</body></html>\n"
    )


_FORMAT_OPTIONS = ("delimiter", "decimal", "thousands", "date_format", "encoding")


def _add_portfolio_options(p: argparse.ArgumentParser, *, customers_required: bool = True) -> None:
    tables = p.add_argument_group(
        "portfolio",
        "CSV tables with a header row (see riskkit.portfolio.schema()), or --profile",
    )
    tables.add_argument(
        "--customers", metavar="CSV",
        help="customers (id, name, ...)" + ("; required unless --profile" if customers_required else ""),
    )
    for name in _TABLE_OPTIONS[1:]:
        tables.add_argument(f"--{name}", metavar="CSV", help=f"{name} table")
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
                                                              "policy", "profile", "calibration")
             if getattr(args, name, None)]
    found = [(option.replace("_", "-"), path) for option, path in found]
    model = getattr(args, "model", None)
    if model and args.run is not _fit and model.lower() not in ("5c", "five_c"):
        found.append(("--model", model))
    if getattr(args, "profile", None):
        try:
            from riskkit._profile import read_profile

            profile = read_profile(args.profile)
        except Exception:  # a bad profile is reported when the portfolio is loaded
            return found
        found += [(f"the {name} file of --profile", os.fspath(t.path)) for name, t in profile.tables.items()]
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
        sub, "report", "write a self-contained HTML report of a portfolio",
        "Write one HTML file (no external assets): score distribution, grade mix, validation metrics when "
        "outcomes are given, and the heads of the watchlist and the collections worklist.",
        "riskkit report --customers customers.csv --invoices invoices.csv --outcomes outcomes.csv "
        "--out report.html",
    )
    _add_portfolio_options(report)
    report.add_argument("--outcomes", metavar="CSV", help="customer_id,defaulted (0/1) for AUC, Gini and KS")
    report.add_argument("--model", metavar="JSON", help="scorer (default 5c)")
    report.add_argument("--out", required=True, metavar="HTML", help="the report (.html)")
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
        _check_outputs(args)
        _check_same_files(args)
        _check_writable(args)
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
