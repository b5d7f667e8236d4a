"""The reason of each recommended limit, in words and numbers.

``"<rise|hold|fall> <limit on file> -> <limit>: <the rule that set it>"``,
with the methods' figure, the purchases floor or the cap on the cut, the
concentration cap and the rounding quoted as the review applied them
(riskkit.policy._limits). :func:`reasons` writes them from the arrays
:func:`riskkit.policy._limits.limit_arrays` gives, when
:attr:`Recommendations.reason <riskkit.policy.Recommendations.reason>` is
first read: the one per-customer Python loop of the limits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit.policy._config import CENT, TERM_MONTH_DAYS
from riskkit.policy._format import money, pct

if TYPE_CHECKING:
    from riskkit.policy._policy import CreditPolicy

__all__ = ["reasons"]

_COMBINE_WORD = {"min": "lowest", "max": "highest", "median": "median"}
#: What each method needs in order to apply.
_NEEDS = {
    "net_worth": "statement with equity",
    "working_capital": "statement with current assets and liabilities",
    "sales": "invoice",
    "trade_reference": "trade reference",
    "insured": "insurance decision",
}


def reasons(policy: CreditPolicy, a: Mapping[str, Any]) -> np.ndarray:
    """One human-readable reason per customer, from the arrays of ``limit_arrays``."""
    grades = policy.grades
    combine_word = _COMBINE_WORD[policy.combine]
    unit = money(policy.limit_rounding)
    n = a["limit"].size
    a = _lists(a)  # python scalars: much faster to format one by one than numpy's
    # the review's reason of a limit the group cap lowered is told with the limit before the cap
    uncapped = {**a, "limit": a["uncapped_limit"], "direction": a["uncapped_direction"]} if "group_bound" in a else a
    out = np.empty(n, dtype=object)
    for i in range(n):
        count = a["count"][i]
        if count == 0:
            text = f"no limit method applies (no {', '.join(_NEEDS[m] for m in policy.methods)}) -> 0"
        else:
            text = _method_reason(policy, a["combined_method"][i], a, i)
            text += " (only method that applies)" if count == 1 else f" ({combine_word} of {count} methods)"
        if a["binding_method"][i] == "concentration":
            assert policy.seller_annual_revenue is not None
            cap = a["method_limits"]["concentration"][i]
            text = (
                f"concentration cap: {pct(policy.concentration_share)} of seller revenue "
                f"{money(policy.seller_annual_revenue)} = {money(cap)}; uncapped: {text}"
            )
        if "group_bound" in a and a["group_bound"][i]:
            text = _group_reason(a, i, _review_reason(policy, uncapped, i, text, unit), unit)
        else:
            text = _review_reason(policy, a, i, text, unit)
        g, pg = a["grade_index"][i], a["policy_grade_index"][i]
        if a["new_customer"][i]:
            months = a["history_months"][i]
            history = "no invoices yet" if math.isnan(months) else f"{months:.1f} months of history"
            text += f"; new customer ({history})"
            if pg != g:
                text += f": grade {grades[g]} capped at {grades[pg]}"
        out[i] = text
    return out


def _lists(a: Mapping[str, Any]) -> dict[str, Any]:
    """The arrays of ``a`` (and of ``a["method_limits"]``) as lists of python scalars."""
    out: dict[str, Any] = {k: v.tolist() for k, v in a.items() if isinstance(v, np.ndarray)}
    out["method_limits"] = {k: v.tolist() for k, v in a["method_limits"].items()}
    return out


def _review_reason(policy: CreditPolicy, a: Mapping[str, Any], i: int, methods: str, unit: str) -> str:
    """``"<rise|hold|fall> <now> -> <new>: <the rule that set it>"``, the methods' reason inside."""
    limit, current = a["limit"][i], a["current_limit"][i]
    direction = a["direction"][i]
    now = "0 (none on file)" if math.isnan(current) else money(current)
    head = f"hold {now}" if direction == "hold" else f"{direction} {now} -> {money(limit)}"
    if a["in_default"][i]:
        return f"{head}: customer in default: no open credit (neither the floor nor the cap on the cut applies)"
    grade = policy.grades[a["policy_grade_index"][i]]
    method_limit, unrounded = a["method_limit"][i], a["unrounded"][i]
    floor, lifted_by = a["floor"][i], a["lifted_by"][i]
    if lifted_by == "floor":
        rule = f"{_floor_reason(policy, a, i, grade)}; the methods give {money(method_limit)}: {methods}"
    elif lifted_by == "cut_cap":
        rule = (
            f"the cut is capped at {pct(policy.max_cut)} per review: {pct(1.0 - policy.max_cut)} of "
            f"{money(current)} = {money(a['cut_cap'][i])}"
        )
        if not math.isnan(floor):
            rule += f" (purchases floor {money(floor)})"
        rule += f"; the methods give {money(method_limit)}: {methods}"
    else:
        rule = methods
        if a["exempt"][i] and direction == "fall" and (1.0 - policy.max_cut) * current > limit:
            rule += f" (grade {grade}: the cut is not capped)"
    if lifted_by and a["guarantee"][i] > unrounded + CENT:
        assert policy.seller_annual_revenue is not None
        rule += (
            f"; held to the concentration cap: {pct(policy.concentration_share)} of seller revenue "
            f"{money(policy.seller_annual_revenue)} = {money(unrounded)}"
        )
    if abs(limit - unrounded) > CENT:
        way = "up" if limit > unrounded else "down"
        why = ""
        if way == "up" and not lifted_by:  # a method's figure, rounded up to keep a guarantee
            floor_binds = not math.isnan(floor) and not a["cut_cap"][i] > floor
            why = (f"; not below the purchases floor {money(floor)}" if floor_binds
                   else f"; not below the cap on the cut {money(a['cut_cap'][i])}")
        rule += f" -> rounded {way} to {money(limit)} (a multiple of {unit}{why})"
    return f"{head}: {rule}"


def _group_reason(a: Mapping[str, Any], i: int, uncapped: str, unit: str) -> str:
    """``"<fall|hold|rise> <now> -> <limit>: capped by group '<P>' headroom: ...; uncapped: <review reason>"``."""
    limit, current = a["limit"][i], a["current_limit"][i]
    direction = a["direction"][i]
    now = "0 (none on file)" if math.isnan(current) else money(current)
    head = f"hold {now}" if direction == "hold" else f"{direction} {now} -> {money(limit)}"
    limit_g, exposure_g = a["group_limit"][i], a["group_exposure"][i]
    exact = a["member_exposure"][i] + (limit_g - exposure_g)
    if exact < 0:
        exact_text = f"{money(exact)} -> 0 (the group is over its limit)"
    elif abs(exact - limit) > CENT:
        exact_text = f"{money(exact)} -> rounded down to {money(limit)} (a multiple of {unit})"
    else:
        exact_text = money(limit)
    return (
        f"{head}: capped by group {a['group_id'][i]!r} headroom: exposure {money(a['member_exposure'][i])} + "
        f"headroom {money(limit_g - exposure_g)} (group limit {money(limit_g)} - group exposure "
        f"{money(exposure_g)}) = {exact_text}; uncapped: {uncapped}"
    )


def _floor_reason(policy: CreditPolicy, a: Mapping[str, Any], i: int, grade: str) -> str:
    monthly = a["avg_monthly"][i]
    monthly = max(monthly, 0.0) if math.isfinite(monthly) else 0.0
    terms = a["avg_terms"][i]
    if math.isnan(terms):
        regular = "regular purchases 0 (no invoice in the last 12 months)"
    else:
        regular = (
            f"regular purchases {money(monthly)}/month x {terms:.3g} days / 30 "
            f"= {money(a['regular_exposure'][i])}"
        )
    if policy.floor_exposure:
        regular = f"max({regular}, exposure within terms {money(a['in_terms_exposure'][i])})"
    if policy.floor_headroom_months > 0:
        months = policy.floor_headroom_months
        regular += (
            f" + {months:g} month{'' if months == 1 else 's'} of purchases "
            f"{money(months * monthly)}"
        )
    return f"purchases floor (grade {grade}; {policy.floor_grade} and better): {regular} = {money(a['floor'][i])}"


def _method_reason(policy: CreditPolicy, method: str, a: Mapping[str, Any], i: int) -> str:
    grade = policy.grades[a["policy_grade_index"][i]]
    value = a["method_limits"][method][i]
    if method == "net_worth":
        tnw = a["tangible_net_worth"][i]
        if tnw <= 0:
            return f"net worth: tangible net worth {money(tnw)} <= 0 -> 0"
        loss = ""
        if a["k_used"][i] != a["k"][i]:
            loss = f" x {policy.net_worth_loss_factor:g} (net loss)"
        return (
            f"net worth: {pct(a['k'][i])} ({grade}){loss} x tangible net worth {money(tnw)} "
            f"= {money(value)}"
        )
    if method == "working_capital":
        wc = a["working_capital"][i]
        if wc <= 0:
            return f"working capital: working capital {money(wc)} <= 0 -> 0"
        return f"working capital: {pct(policy.working_capital_share)} x working capital {money(wc)} = {money(value)}"
    if method == "sales":
        observed = a["months_observed"][i]
        over = "" if observed >= 12 else f" (over {observed:.1f} months)"
        months = a["terms_days"][i] / TERM_MONTH_DAYS
        return (
            f"sales-based: {money(a['avg_monthly'][i])} avg monthly{over} x {months:.4g} "
            f"month{'' if months == 1 else 's'} "
            f"x {a['coefficient'][i]:g} ({grade}) = {money(value)}"
        )
    if method == "insured":
        return f"insured limit: {money(value)} (credit insurance in force)"
    ref = a["trade_reference"][i]
    if policy.trade_reference_factor == 1.0:
        return f"trade reference: {money(ref)}"
    return f"trade reference: {policy.trade_reference_factor:g} x {money(ref)} = {money(value)}"
