"""``riskkit groups``: one row per corporate group, for the nightly job (docs/domain.md, *Corporate groups*).

Reads a book as the other portfolio commands do (the table options or
``--profile``, the CSV format options, ``--as-of``) and writes, through
:func:`riskkit._cli_io.write_columns` (CSV, JSON lines, JSON or Parquet by
extension; money rounded to cents), one row per group of two or more
customers or with a group limit (:func:`riskkit.groups.group_table`), largest
group exposure first. Shares the rejects file and the exit codes of
:mod:`riskkit.cli`: 0 success, 1 bad input, 2 usage, 3 rows rejected (the
good ones still processed and written).

Output columns
--------------
parent_id (the top parent), parent_name (when the customers have names),
members (the top parent included), group_exposure, group_limit (empty for
none), headroom (group_limit - group_exposure; empty without a group limit),
distressed_members (in default or in Altman's distress zone),
distressed_ids (``;``-separated), and currency when the book names one.
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
    _load_portfolio,
    _portfolio_rejects,
    _raw,
    _say,
    _sub,
    _write_rejects,
)

__all__ = ["add_commands"]

#: Money columns of the output, rounded to cents when written.
GROUP_MONEY = ("group_exposure", "group_limit", "headroom")


def add_commands(sub: Any) -> None:
    """Add the ``groups`` sub-command to the ``riskkit`` parser's sub-parsers."""
    groups = _sub(
        sub, "groups", "write one row per corporate group: exposure, group limit, headroom, members in distress",
        "Read a portfolio whose customers name their parent (customers.parent_id; the group limit is "
        "customers.group_limit on the top parent) and write one row per group of two or more customers, or "
        "with a group limit, largest group exposure first: parent_id, parent_name, members, group_exposure, "
        "group_limit, headroom, distressed_members and distressed_ids (docs/domain.md, 'Corporate groups'); "
        "money rounded to cents.",
        "riskkit groups --customers customers.csv --invoices invoices.csv --exposures exposures.csv "
        "--out groups.csv --rejects rejects.csv\n  riskkit groups --profile sap.toml --as-of 2025-06-30 "
        "--out groups.jsonl",
    )
    _add_portfolio_options(groups)
    groups.add_argument("--out", required=True, metavar="FILE", help=_TABLE_OUT_HELP.format("groups"))
    _add_common(groups)
    groups.set_defaults(run=run_groups, out_formats=_TABLE_FORMATS)


def run_groups(args: argparse.Namespace) -> int:
    """``riskkit groups``: one row per corporate group; returns the exit code."""
    from riskkit import _cli_io
    from riskkit.groups import group_table

    portfolio = _load_portfolio(args)
    as_of = args.as_of or portfolio.as_of
    table = group_table(portfolio, as_of)
    header = ["parent_id"]
    columns: list[Any] = [table["parent_id"]]
    if any(np.asarray(portfolio.customers["name"], dtype=object).tolist()):
        header.append("parent_name")
        columns.append(table["parent_name"])
    header += ["members", "group_exposure", "group_limit", "headroom", "distressed_members", "distressed_ids"]
    columns += [table["members"], table["group_exposure"], table["group_limit"], table["headroom"],
                table["distressed"], table["distressed_ids"]]
    if portfolio.currency:
        header.append("currency")
        columns.append(np.full(table["members"].size, portfolio.currency, dtype=object))
    n = _cli_io.write_columns(args.out, header, columns, money=GROUP_MONEY, raw=_raw(args))
    rejects = _portfolio_rejects(portfolio)
    _write_rejects(args, rejects, with_table=True)
    over = int(np.sum(np.nan_to_num(table["headroom"], nan=0.0) < 0))
    _say(args, f"riskkit: {n} group(s) as of {as_of} ({over} over their group limit, "
               f"{int(np.sum(table['distressed'] > 0))} with members in distress); wrote {args.out}")
    return EXIT_REJECTED if rejects else 0
