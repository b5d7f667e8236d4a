"""``riskkit report``: the month-end report of a portfolio as one self-contained HTML file."""

from __future__ import annotations

import argparse

import numpy as np

__all__ = ["run_report"]


def run_report(args: argparse.Namespace) -> int:
    """Load the book, read the outcomes CSV (when given), write the report; exit 3 when rows were rejected."""
    from riskkit import _cli_io, cli
    from riskkit.reporting import report

    portfolio = cli._load_portfolio(args)
    model = args.model or "5c"
    scorer = cli._load_model(model)
    as_of = args.as_of or portfolio.as_of
    scores = cli._score_features(scorer, model, portfolio.features(as_of))
    rejects = cli._portfolio_rejects(portfolio)
    outcome = None
    if args.outcomes:
        raw, n_outcomes = _cli_io.read_table(args.outcomes, dialect=cli._dialect(args))
        missing = [c for c in ("customer_id", "defaulted") if c not in raw]
        if missing:
            return int(cli._all_rejected(args, missing, n_outcomes, raw))
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
    last_review = None
    if getattr(args, "last_review", None):  # the "Reviews due" section (riskkit.cli._reviews)
        from riskkit.cli._reviews import _read_last_review

        last_review, bad_reviews = _read_last_review(args, portfolio)
        rejects += bad_reviews
    rep = report(portfolio, as_of, scorer=scorer, scores=scores, outcomes=outcome, currency=args.currency,
                 watchlist_budget=args.watchlist_budget, worklist_days=args.worklist_days,
                 n_rejected=len(rejects), last_review=last_review)
    _cli_io.write_text(args.out, rep.html)
    cli._write_rejects(args, rejects, with_table=True)
    cli._say(args, f"riskkit: wrote the report to {args.out}")
    return cli.EXIT_REJECTED if rejects else cli.EXIT_OK


def add_report_options(p: argparse.ArgumentParser) -> None:
    """The options of ``riskkit report`` beyond the portfolio's."""
    from riskkit.cli import _non_negative_int, _positive_int

    p.add_argument("--outcomes", metavar="CSV", help="customer_id,defaulted (0/1) for model validation")
    p.add_argument("--model", metavar="JSON", help="scorer (default 5c)")
    p.add_argument("--currency", metavar="CODE",
                   help="currency code written with the amounts, e.g. EUR (default: the portfolio's)")
    p.add_argument("--watchlist-budget", type=_non_negative_int, default=25, metavar="N",
                   help="at most N customers on the watchlist (default 25)")
    p.add_argument("--worklist-days", type=_positive_int, default=7, metavar="DAYS",
                   help="the collections week: cases moving to a harsher stage within it are marked (default 7)")
    p.add_argument("--last-review", metavar="FILE",
                   help="customer_id,last_review for the 'Reviews due' section (default: none on record)")
    p.add_argument("--out", required=True, metavar="HTML", help="the report (.html)")
