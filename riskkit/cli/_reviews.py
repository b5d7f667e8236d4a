"""``riskkit reviews``: the credit reviews due within a horizon, for a nightly job.

It reads a book as the other portfolio commands do (the table options or
``--profile``, the CSV format options, ``--as-of``), grades it with
``--model`` (default the built-in 5C card), reads the last review of each
customer from ``--last-review`` (a file of ``customer_id,last_review`` rows;
several rows of one customer are its history: the latest on or before
``--as-of`` counts), runs the watchlist now and ``--warning-days`` earlier so
that a warning new since then pulls its customer's review forward, and writes
the reviews due within ``--horizon`` days (:func:`riskkit.reviews.due`).
Rejects and exit codes are those of :mod:`riskkit.cli`: 0 success, 1 bad
input, 2 usage, 3 rows rejected (the good ones still processed and written).

Output columns
--------------
rank (1 = first due), customer_id, name (when the customers have names),
grade, exposure, last_review (empty: none on record), next_review,
days_until (0 or less: due now), interval_months, cause (warning,
never_reviewed, exposure or grade) and reason (in words).
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from riskkit.cli import (
    _TABLE_FORMATS,
    _TABLE_OUT_HELP,
    EXIT_REJECTED,
    _add_common,
    _add_portfolio_options,
    _dialect,
    _load_model,
    _load_portfolio,
    _non_negative_int,
    _portfolio_rejects,
    _raw,
    _say,
    _score_features,
    _sub,
    _write_rejects,
)
from riskkit.cli._jobs import DEFAULT_MODEL

__all__ = ["add_commands"]

#: Days back the watchlist is compared with when ``--warning-days`` is not given.
DEFAULT_WARNING_DAYS = 7


def add_commands(sub: Any) -> None:
    """Add the ``reviews`` sub-command to the ``riskkit`` parser's sub-parsers."""
    p = _sub(
        sub, "reviews", "write the credit reviews due within --horizon days, soonest first",
        "Grade a portfolio (--model, default the built-in 5C card) and write the credit reviews due within "
        "--horizon days of --as-of, overdue ones included, soonest first and then largest exposure first: "
        "rank, customer_id, name, grade, exposure, last_review, next_review, days_until, interval_months, cause "
        "and the reason in words. Intervals by grade and exposure follow ReviewPolicy() (docs/domain.md, "
        "'Credit reviews') unless --review-policy names a policy file. A customer without a row in "
        "--last-review counts as never reviewed; one at warning or worse with an alert that was not there "
        "--warning-days earlier is due at once unless reviewed since.",
        "riskkit reviews --customers customers.csv --invoices invoices.csv --last-review reviews.csv "
        "--out reviews.csv\n  riskkit reviews --profile sap.toml --last-review reviews.csv --horizon 14 "
        "--out due.jsonl",
    )
    _add_portfolio_options(p)
    p.add_argument("--out", required=True, metavar="FILE", help=_TABLE_OUT_HELP.format("reviews due"))
    p.add_argument(
        "--last-review", metavar="FILE",
        help="customer_id,last_review (a date; several rows per customer: its history); default: none on record, "
        "every customer due now",
    )
    p.add_argument(
        "--horizon", type=_non_negative_int, default=30, metavar="DAYS",
        help="write the reviews due within DAYS days after --as-of, overdue ones included (default 30)",
    )
    p.add_argument(
        "--warning-days", type=_non_negative_int, default=DEFAULT_WARNING_DAYS, metavar="DAYS",
        help="compare the watchlist with the one DAYS days earlier: an alert new since then, at warning or "
        f"worse, makes its customer due unless reviewed since; 0: no watchlist (default {DEFAULT_WARNING_DAYS})",
    )
    p.add_argument(
        "--review-policy", metavar="FILE",
        help="a review policy: .toml or .json, the keys of riskkit.reviews.ReviewPolicy.from_dict; "
        "default ReviewPolicy()",
    )
    p.add_argument(
        "--model", metavar="JSON", default=DEFAULT_MODEL,
        help=f"scorer for the grades: a saved scorer, or five_c / 5c, the built-in 5C card (default {DEFAULT_MODEL})",
    )
    _add_common(p)
    p.set_defaults(run=run_reviews, out_formats=_TABLE_FORMATS)


def run_reviews(args: argparse.Namespace) -> int:
    """``riskkit reviews``: the reviews due within the horizon; returns the exit code."""
    from riskkit import _cli_io, reviews, signals
    from riskkit.cli._jobs import _read_document

    policy = reviews.ReviewPolicy() if args.review_policy is None else _read_document(
        "review-policy", args.review_policy, reviews.ReviewPolicy.from_dict, "review policy")
    portfolio = _load_portfolio(args)
    as_of = portfolio.resolve_as_of(args.as_of)
    scores = _score_features(_load_model(args.model), args.model, portfolio.features(as_of))
    rejects = _portfolio_rejects(portfolio)
    last = None
    if args.last_review:
        last, bad = _read_last_review(args, portfolio)
        rejects += bad
    watch, since = None, None
    if args.warning_days:
        since = as_of - np.timedelta64(args.warning_days, "D")
        watch = signals.evaluate(portfolio, as_of, previous=signals.evaluate(portfolio, since))
    work = reviews.due(portfolio, as_of, grades=scores, last_review=last, watchlist=watch, warnings_since=since,
                       policy=policy, horizon_days=args.horizon)
    header = ["rank", "customer_id"]
    columns: list[Any] = [np.arange(1, len(work) + 1, dtype=np.int64), work["customer_id"]]
    names = np.asarray(portfolio.customers["name"], dtype=object)
    if any(names.tolist()):
        header.append("name")
        columns.append(names[portfolio.codes(work["customer_id"].tolist())])
    shown = ("grade", "exposure", "last_review", "next_review", "days_until", "interval_months", "cause", "reason")
    header += list(shown)
    columns += [_text_dates(work[c]) if c in ("last_review", "next_review") else work[c] for c in shown]
    n = _cli_io.write_columns(args.out, header, columns, money=("exposure",), raw=_raw(args))
    _write_rejects(args, rejects, with_table=True)
    now = int(np.sum(work["days_until"] <= 0))
    _say(args, f"riskkit: {n} review(s) due within {args.horizon} days of {as_of} ({now} due now); wrote {args.out}")
    return EXIT_REJECTED if rejects else 0


def _text_dates(days: np.ndarray) -> np.ndarray:
    """Dates as ISO text, NaT as an empty cell."""
    out = np.datetime_as_string(days, unit="D").astype(object)
    out[np.isnat(days)] = None
    return out


def _read_last_review(args: argparse.Namespace, portfolio: Any) -> tuple[dict[str, list[Any]], list[dict[str, Any]]]:
    """Customer id -> its review dates from ``--last-review``, and the rows rejected (bad date, unknown id)."""
    from riskkit import _cli_io
    from riskkit._csvfile import parse_column
    from riskkit.errors import ValidationError

    raw, _ = _cli_io.read_table(args.last_review, dialect=_dialect(args))
    missing = [c for c in ("customer_id", "last_review") if c not in raw]
    if missing:
        raise ValidationError(f"--last-review {args.last_review!r} has no column {missing[0]!r}; it needs "
                              f"customer_id,last_review and has: {', '.join(raw) or 'none'}", field=missing[0])
    days = parse_column("date", raw["last_review"], _dialect(args))
    ids = raw["customer_id"]
    known = portfolio._index
    history: dict[str, list[Any]] = {}
    rejects: list[dict[str, Any]] = []
    for row, (cid, day) in enumerate(zip(ids.tolist(), days.tolist(), strict=True)):
        key = _cli_io.cell(cid).strip()
        if key not in known:
            rejects.append({"table": "last_review", "row": row, "column": "customer_id", "value": cid,
                            "reason": "unknown customer id"})
        elif day is None:
            continue
        elif not hasattr(day, "isoformat"):
            rejects.append({"table": "last_review", "row": row, "column": "last_review", "value": day,
                            "reason": "expected a date (YYYY-MM-DD or --date-format)"})
        else:
            history.setdefault(key, []).append(day)
    return history, rejects
