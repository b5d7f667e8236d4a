"""The nightly jobs of the ``riskkit`` command: ``limits`` and ``worklist``.

``riskkit limits`` writes the recommended credit limit of every customer
(:meth:`riskkit.policy.CreditPolicy.recommend`), ``riskkit worklist`` the
collections worklist (:func:`riskkit.dunning.worklist`), so a scheduled job
produces both without Python. They read a book as the other portfolio
commands do (the table options or ``--profile``, the CSV format options,
``--as-of``), grade it with ``--model`` (default the built-in 5C card),
write one row per customer through :func:`riskkit._cli_io.write_columns`
(CSV, JSON lines, JSON or Parquet by extension; the customer's name next to
its id; money rounded to cents) and share the rejects file and the exit
codes of the module docstring of :mod:`riskkit.cli`: 0 success, 1 bad input,
2 usage, 3 rows rejected (the good ones still processed and written).

Output columns
--------------
``limits``
    customer_id, name (when the customers have names), grade,
    current_limit (the limit on file; empty when none is on file),
    recommended_limit, change (recommended - current; empty when none is on
    file), direction (rise, hold or fall; none on file counts as 0),
    payment_terms, terms_days, conditions, bound_by (the rule that set the
    limit), reason (the change and how the limit was reached, in words), and
    currency when it is known.
``worklist``
    rank (1 = most urgent), customer_id, name, stage, action (the stage's
    first action for the customer's debtor type), actions (all of them),
    amount_overdue, days_past_due (of the oldest overdue invoice),
    overdue_invoices, grade, pd, priority (:meth:`riskkit.dunning.Ladder.priority`),
    hold_credit, days_to_next_stage (empty at the last stage), with
    ``--horizon DAYS`` stage_at_horizon and escalates (the stage in DAYS days
    if nothing is paid, and whether it is a later one), reorder_rule,
    cause_hints, reason, with ``--promises`` or ``--disputes``
    promises_due, promised_amount_due, broken_promises_90d, escalate_to,
    disputes_open and disputed_amount (:func:`riskkit.dunning.promise_columns`),
    with credit-insurance decisions (``--insurance``) notify_invoices,
    notify_amount, notify_by, days_to_deadline and cover_lost
    (:func:`riskkit.dunning.insurance_columns`: the overdue insured invoices
    whose notification deadline, due + 90 days, is at most 30 days away or
    passed), and currency when it is known. Only customers with overdue money at
    ``--as-of`` are listed; invoices under an open dispute are not dunned.
    With insurance decisions, a customer whose deadline is at most 30 days
    away but who is not dunned (its overdue invoices all disputed) is listed
    after the others, at no stage (stage empty), with the action to notify
    the insurer (:func:`riskkit.dunning.with_insurance_cases`).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import numpy as np

from riskkit.cli import (
    _TABLE_FORMATS,
    _TABLE_OUT_HELP,
    EXIT_REJECTED,
    _add_common,
    _add_portfolio_options,
    _customer_columns,
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

__all__ = ["add_commands"]

#: The model used when ``--model`` is not given: the built-in 5C expert card.
DEFAULT_MODEL = "five_c"

#: Money columns of each job's output, rounded to cents when written.
LIMIT_MONEY = ("current_limit", "recommended_limit", "change")
WORKLIST_MONEY = ("amount_overdue", "promised_amount_due", "disputed_amount", "notify_amount")


def add_commands(sub: Any) -> None:
    """Add the ``limits`` and ``worklist`` sub-commands to the ``riskkit`` parser's sub-parsers."""
    limits = _sub(
        sub, "limits", "write the recommended credit limit, terms and reason of every customer",
        "Grade a portfolio (--model, default the built-in 5C card) and write the credit policy's recommended "
        "limit for every customer, one row each: customer_id, name, grade, current_limit (on file), "
        "recommended_limit, change, direction, payment terms, conditions, the rule that set the limit and the "
        "reason in words; money rounded to cents. The policy is CreditPolicy.default() (docs/domain.md, "
        "'Grades, limits and terms') unless --policy names a policy file.",
        "riskkit limits --customers customers.csv --invoices invoices.csv --exposures exposures.csv "
        "--out limits.csv --rejects rejects.csv\n  riskkit limits --profile sap.toml --policy policy.toml "
        "--as-of 2025-06-30 --currency EUR --out limits.csv",
    )
    _add_portfolio_options(limits)
    limits.add_argument("--out", required=True, metavar="FILE", help=_TABLE_OUT_HELP.format("limits"))
    limits.add_argument(
        "--policy", metavar="FILE",
        help="a credit policy: .toml (CreditPolicy.from_toml) or .json (CreditPolicy.from_json); "
        "default CreditPolicy.default()",
    )
    _add_job_options(limits)
    _add_common(limits)
    limits.set_defaults(run=run_limits, out_formats=_TABLE_FORMATS)

    work = _sub(
        sub, "worklist", "write the collections worklist: every overdue customer, most urgent first",
        "Grade a portfolio (--model, default the built-in 5C card) and write the collections worklist: one row "
        "per customer with overdue money at --as-of, most urgent first: rank, customer_id, name, stage, action, "
        "amount_overdue, days_past_due, priority, reorder rule, cause hints and the reason in words; money "
        "rounded to cents. The ladder is Ladder.default() (docs/domain.md, 'Collections ladder') unless "
        "--ladder names a ladder file. --horizon DAYS adds the stage each case reaches in DAYS days if nothing "
        "is paid.",
        "riskkit worklist --customers customers.csv --invoices invoices.csv --payments payments.csv "
        "--out worklist.csv --rejects rejects.csv\n  riskkit worklist --profile sap.toml --horizon 7 "
        "--out worklist.jsonl",
    )
    _add_portfolio_options(work)
    work.add_argument("--out", required=True, metavar="FILE", help=_TABLE_OUT_HELP.format("worklist"))
    work.add_argument(
        "--ladder", metavar="FILE",
        help="a collections ladder: .toml or .json, the keys of riskkit.dunning.Ladder.from_dict; "
        "default Ladder.default()",
    )
    work.add_argument(
        "--horizon", type=_non_negative_int, metavar="DAYS",
        help="add stage_at_horizon and escalates: the stage each case reaches DAYS days after --as-of if "
        "nothing is paid (default: not written)",
    )
    _add_job_options(work)
    _add_common(work)
    work.set_defaults(run=run_worklist, out_formats=_TABLE_FORMATS)


def _add_job_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model", metavar="JSON", default=DEFAULT_MODEL,
        help=f"scorer for the grades: a saved scorer, five_c / 5c (the built-in 5C card) or five_w / 5w (the 5W "
        f"card, its request columns unknown on a book) (default {DEFAULT_MODEL})",
    )
    p.add_argument(
        "--currency", type=_currency_code, metavar="CODE",
        help="the currency the book's amounts are in (three letters, e.g. EUR), written in a currency column; "
        "refused when the data names another (a book in several currencies: a load profile with its currency "
        "and rates)",
    )


def _currency_code(text: str) -> str:
    """argparse type: a three-letter currency code, upper-cased."""
    code = text.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise argparse.ArgumentTypeError(f"expected a three-letter currency code such as EUR, got {text!r}")
    return code


# --- riskkit limits ---------------------------------------------------------------


def run_limits(args: argparse.Namespace) -> int:
    """``riskkit limits``: the recommended limit of every customer; returns the exit code."""
    from riskkit import _cli_io

    policy = _read_policy(args.policy)
    portfolio, as_of, result = _graded(args)
    recs = policy.recommend(portfolio, result, as_of)
    header, columns = _customer_columns(portfolio)
    header += [
        "grade", "current_limit", "recommended_limit", "change", "direction", "payment_terms", "terms_days",
        "conditions", "bound_by", "reason",
    ]
    columns += [
        recs.grade, recs.current_limit, recs.limit, recs.change, recs.direction, recs.payment_terms,
        recs.terms_days, recs.conditions, recs.bound_by, recs.reason,
    ]
    _add_currency(args, portfolio, header, columns, len(recs))
    n = _cli_io.write_columns(args.out, header, columns, money=LIMIT_MONEY, raw=_raw(args))
    rejects = _portfolio_rejects(portfolio)
    _write_rejects(args, rejects, with_table=True)
    moves = ", ".join(f"{int((recs.direction == d).sum())} {d}" for d in ("rise", "hold", "fall"))
    _say(args, f"riskkit: recommended limits for {n} customer(s) as of {as_of} ({moves}); wrote {args.out}")
    return EXIT_REJECTED if rejects else 0


def _read_policy(path: str | None) -> Any:
    """The credit policy of ``--policy`` (TOML or JSON by extension), else the default one."""
    from riskkit.policy import CreditPolicy

    if path is None:
        return CreditPolicy.default()
    return _read_document("policy", path, CreditPolicy.from_dict, "credit policy")


# --- riskkit worklist -------------------------------------------------------------


def run_worklist(args: argparse.Namespace) -> int:
    """``riskkit worklist``: every customer with overdue money, most urgent first; returns the exit code."""
    from riskkit import _cli_io, dunning

    ladder = _read_ladder(args.ladder)
    portfolio, as_of, result = _graded(args)
    work = dunning.worklist(portfolio, result, as_of, ladder)
    # insured customers whose notification deadline is near but who are not dunned (disputes): the same
    # worklist without insurance decisions
    work = dunning.with_insurance_cases(portfolio, work, result, as_of)
    ids = work["customer_id"]
    header = ["rank", "customer_id"]
    columns: list[Any] = [np.arange(1, len(work) + 1, dtype=np.int64), ids]
    names = np.asarray(portfolio.customers["name"], dtype=object)
    if any(names.tolist()):
        header.append("name")
        columns.append(names[_positions(np.asarray(portfolio.customer_ids), ids)])
    to_next = work["days_to_next_stage"]
    header += [
        "stage", "action", "actions", "amount_overdue", "days_past_due", "overdue_invoices", "grade", "pd",
        "priority", "hold_credit", "days_to_next_stage",
    ]
    columns += [
        work["stage"], work["next_action"], work["actions"], work["overdue_amount"], work["days_past_due"],
        work["overdue_invoices"], work["grade"], work["pd"], np.round(work["priority"], 2),
        work["hold_credit"], np.where(to_next < 0, np.nan, to_next.astype(np.float64)),
    ]
    if args.horizon is not None:
        later = ladder.stage_index(work["days_past_due"] + args.horizon, work["grade"], work["debtor_type"])
        stage_names = np.array([s.name for s in ladder.stages], dtype=object)
        dunned = work["stage"] != ""  # a row for an insurance deadline alone is at no stage
        header += ["stage_at_horizon", "escalates"]
        columns += [np.where(dunned, stage_names[later], ""), dunned & (stage_names[later] != work["stage"])]
    header += ["reorder_rule", "cause_hints", "reason"]
    columns += [work["reorder_rule"], work["cause_hints"], work["reason"]]
    extra = dunning.promise_columns(portfolio, work, as_of, ladder=ladder)  # {} without promises and disputes
    header += list(extra)
    columns += list(extra.values())
    cover = dunning.insurance_columns(portfolio, work, as_of)  # {} without insurance decisions
    header += list(cover)
    columns += list(cover.values())
    _add_currency(args, portfolio, header, columns, len(work))
    n = _cli_io.write_columns(args.out, header, columns, money=WORKLIST_MONEY, raw=_raw(args))
    rejects = _portfolio_rejects(portfolio)
    _write_rejects(args, rejects, with_table=True)
    total = float(np.sum(work["overdue_amount"]))
    _say(args, f"riskkit: {n} customer(s) with overdue money as of {as_of} ({total:,.2f} overdue); "
               f"wrote {args.out}")
    return EXIT_REJECTED if rejects else 0


def _positions(all_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Row of each of ``ids`` in ``all_ids`` (unique ids, in any order)."""
    order = np.argsort(all_ids, kind="stable")
    return order[np.searchsorted(all_ids[order], ids)]


def _read_ladder(path: str | None) -> Any:
    """The collections ladder of ``--ladder`` (TOML or JSON by extension), else the default one."""
    from riskkit.dunning import Ladder

    if path is None:
        return Ladder.default()
    return _read_document("ladder", path, Ladder.from_dict, "collections ladder")


# --- shared ---------------------------------------------------------------------


def _graded(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """The portfolio (bad rows collected), the as-of date and the scores of its features at that date."""
    portfolio = _load_portfolio(args)
    _check_currency(args, portfolio)
    scorer = _load_model(args.model)
    as_of = args.as_of or portfolio.as_of
    return portfolio, as_of, _score_features(scorer, args.model, portfolio.features(as_of))


def _read_document(option: str, path: str, build: Any, what: str) -> Any:
    """``build(document)`` of the TOML (by extension) or JSON file given to ``--option``.

    Raises
    ------
    ValidationError
        The file is missing or unreadable, or holds a key or value ``build``
        refuses; the message names the option and the file.
    FormatError
        The file is not well-formed TOML or JSON.
    """
    from riskkit._documents import load_json, load_toml
    from riskkit.errors import FormatError, ValidationError

    if not os.path.isfile(path):
        raise ValidationError(f"--{option} {path!r}: no such file (a .toml or .json {what})", field=option, value=path)
    toml = os.path.splitext(path)[1].lower() == ".toml"
    try:
        return build(load_toml(path, what) if toml else load_json(path, what))
    except FormatError as exc:
        raise FormatError(f"--{option} {path!r}: {exc}") from None
    except ValidationError as exc:
        raise ValidationError(f"--{option} {path!r}: {exc}", field=option, value=path) from None


def _check_currency(args: argparse.Namespace, portfolio: Any) -> None:
    """``--currency`` must be the book's own when the data names one."""
    from riskkit.errors import ValidationError

    if args.currency and portfolio.currency and args.currency != portfolio.currency:
        raise ValidationError(
            f"--currency {args.currency}: the book's amounts are in {portfolio.currency} (the currency its rows "
            f"name); give --currency {portfolio.currency}, or convert the book with a load profile's currency "
            "and rates",
            field="currency",
            value=args.currency,
        )


def _add_currency(
    args: argparse.Namespace, portfolio: Any, header: list[str], columns: list[Any], n: int
) -> None:
    """A ``currency`` column when the currency is known (``--currency`` or the data's)."""
    code = args.currency or portfolio.currency
    if code:
        header.append("currency")
        columns.append(np.full(n, code, dtype=object))
