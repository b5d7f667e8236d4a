"""One readable sentence per watchlist customer: what changed, by how much, since when.

A signal reports a bare value (``overdue_days 49``, ``litigation_vs_net_assets
inf``). The report writes it as a credit manager would say it::

    Tamar Industries Srl: oldest open invoice 49 days past due, up from 3 days
    on 30 Sep 2025; flagged since 30 Nov 2025. Also critical: payment slowdown;
    9 milder alerts.

:data:`PHRASES` holds, per built-in signal, how its value reads (unit and
words, and what an infinite value means); a plugin signal without a phrase
reads as its name and value. Text is built only for the customers shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs

from riskkit.reporting._format import day, days, percent

__all__ = ["PHRASES", "Phrase", "change_clause", "describe", "label", "others_clause", "sentence", "since_clause"]


@attrs.frozen
class Phrase:
    """How one signal's value reads.

    Attributes
    ----------
    unit : str
        ``"days"``, ``"count"``, ``"percent"`` (a fraction), ``"points"`` or ``"ratio"``.
    text : str
        The words, with ``{v}`` where the value goes.
    many : str
        For counts: the words when the value is not 1 (``text`` is the singular).
    infinite : str
        The words for an infinite value (a zero or negative denominator); no ``{v}``.
    label : str
        The signal's short name in a list of other alerts.
    """

    unit: str
    text: str
    many: str = ""
    infinite: str = ""
    label: str = ""


_NO_BASE = "{} with a zero or negative base to compare with"

#: Built-in signal -> how its value reads (docs/domain.md, *Warning signals*).
PHRASES: dict[str, Phrase] = {
    "overdue_days": Phrase("days", "oldest open invoice {v} past due", label="overdue invoices"),
    "overdue_beyond_habit": Phrase("days", "oldest overdue invoice {v} later than the customer's habit",
                                   label="late beyond habit"),
    "payment_slowdown": Phrase("days", "paying {v} later than over the previous 12 months",
                               label="payment slowdown"),
    "dbt_trend": Phrase("days", "days beyond terms {v} higher than in the quarter before",
                        label="days beyond terms rising"),
    "payment_index_low": Phrase("points", "payment index {v} of 100", label="low payment index"),
    "payment_index_drop": Phrase("points", "payment index {v} points below the quarter before",
                                 label="payment index falling"),
    "bounced_payments": Phrase("count", "{v} bounced payment in the last 90 days",
                               "{v} bounced payments in the last 90 days", label="bounced payments"),
    "broken_promises": Phrase("count", "{v} broken promise to pay in the last 90 days",
                              "{v} broken promises to pay in the last 90 days", label="broken promises"),
    "partial_payments": Phrase("count", "{v} partial payment in the last 90 days",
                               "{v} partial payments in the last 90 days", label="partial payments"),
    "discount_stopped": Phrase("count", "stopped taking early-payment discounts ({v} sign)",
                               "stopped taking early-payment discounts ({v} signs)", label="discounts stopped"),
    "instrument_change": Phrase("count", "{v} switch to a longer payment instrument in 180 days",
                                "{v} switches to longer payment instruments in 180 days",
                                label="slower payment instruments"),
    "over_limit": Phrase("percent", "exposure at {v} of the credit limit", infinite="exposure without a credit limit",
                         label="over limit"),
    "utilization_high": Phrase("percent", "exposure at {v} of the credit limit",
                               infinite="exposure without a credit limit", label="limit nearly used"),
    "order_drop": Phrase("percent", "orders of the last 90 days at {v} of the 90 days before", label="orders falling"),
    "order_drop_yoy": Phrase("percent", "orders of the last 90 days at {v} of the same quarter a year earlier",
                             label="orders below last year"),
    "order_spike_price_drop": Phrase("percent", "orders at {v} of the quarter before while unit prices fell",
                                     infinite="orders from nothing the quarter before while unit prices fell",
                                     label="order spike at falling prices"),
    "limit_increase_request": Phrase("count", "{v} request to raise the limit by 50% or more in 90 days",
                                     "{v} requests to raise the limit by 50% or more in 90 days",
                                     label="limit increase requests"),
    "current_ratio_low": Phrase("ratio", "current ratio {v} (current assets / current liabilities)",
                                label="low current ratio"),
    "current_ratio_falling": Phrase("percent", "current ratio down {v} on the previous statement",
                                    label="current ratio falling"),
    "distress_probability": Phrase("percent", "probability of financial distress {v}", label="distress probability"),
    "distress_zone": Phrase("ratio", "Altman Z' {v}, in the grey or distress zone", label="Altman distress zone"),
    "leverage_high": Phrase("percent", "liabilities at {v} of total assets",
                            infinite="liabilities with no assets reported", label="high leverage"),
    "margin_drop": Phrase("percent", "net margin down {v} on the year before",
                          infinite="net margin down from zero the year before", label="margin drop"),
    "negative_ocf": Phrase("count", "negative operating cash flow in {v} statement",
                           "negative operating cash flow in {v} consecutive statements", label="negative cash flow"),
    "litigation_vs_net_assets": Phrase(
        "percent", "lawsuits of the last 12 months claiming {v} of its equity",
        infinite="lawsuits of the last 12 months while its equity is zero or negative",
        label="litigation against equity",
    ),
    "new_lawsuit": Phrase("count", "{v} new lawsuit in the last 90 days", "{v} new lawsuits in the last 90 days",
                          label="new lawsuits"),
    "assets_frozen": Phrase("count", "{v} asset freeze or pledge in 180 days", "{v} asset freezes or pledges in 180 days",
                            label="assets frozen"),
    "legal_rep_change": Phrase("count", "{v} change of legal representative in 180 days",
                               "{v} changes of legal representative in 180 days", label="legal representative changed"),
    "bank_change": Phrase("count", "{v} bank account change in 180 days", "{v} bank account changes in 180 days",
                          label="bank account changed"),
    "contact_unreachable": Phrase("count", "unreachable {v} time in the last 90 days",
                                  "unreachable {v} times in the last 90 days", label="unreachable"),
    "explanation_change": Phrase("count", "{v} change of explanation in 90 days", "{v} changes of explanation in 90 days",
                                 label="changing explanations"),
    "key_person_change": Phrase("count", "{v} key person changed in 180 days", "{v} key people changed in 180 days",
                                label="key people changed"),
    "industry_risk": Phrase("ratio", "industry risk index {v}", label="risky industry"),
    # the value is a state, 1 or 2: as a "count" the singular reads for 1 and the plural for 2
    "group_distress": Phrase("count", "a parent in its corporate group in the distress zone",
                             "a parent in its corporate group in default", label="parent in distress"),
    "insurance_deadline": Phrase("days", "{v} left to notify the credit insurer of an overdue invoice "
                                 "(below 0: cover lost)", label="insurer notification due"),
}


def _number(value: float, unit: str) -> str:
    if unit == "days":
        return days(value)
    if unit == "percent":
        return percent(value)
    if unit == "count":
        return f"{round(value):,}"
    if unit == "points":
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def label(signal: str) -> str:
    """A signal's short name in words.

    Examples
    --------
    >>> label("new_lawsuit"), label("my_plugin_signal")
    ('new lawsuits', 'my plugin signal')
    """
    phrase = PHRASES.get(signal)
    return phrase.label if phrase is not None and phrase.label else signal.replace("_", " ")


def describe(signal: str, value: float) -> str:
    """What a signal's value says, in words; infinities and NaN in words too.

    Examples
    --------
    >>> describe("overdue_days", 49.0)
    'oldest open invoice 49 days past due'
    >>> describe("litigation_vs_net_assets", 0.62)
    'lawsuits of the last 12 months claiming 62% of its equity'
    >>> describe("litigation_vs_net_assets", float("inf"))
    'lawsuits of the last 12 months while its equity is zero or negative'
    >>> describe("new_lawsuit", 1.0), describe("new_lawsuit", 2.0)
    ('1 new lawsuit in the last 90 days', '2 new lawsuits in the last 90 days')
    >>> describe("my_signal", 3.25), describe("my_signal", float("nan"))
    ('my signal at 3.25', 'my signal (no value)')
    """
    phrase = PHRASES.get(signal)
    x = float(value)
    if math.isnan(x):
        return f"{label(signal)} (no value)"
    if math.isinf(x):
        if phrase is not None and phrase.infinite:
            return phrase.infinite
        return _NO_BASE.format(label(signal))
    if phrase is None:
        return f"{label(signal)} at {_number(x, 'ratio')}"
    text = phrase.many if phrase.unit == "count" and round(x) != 1 and phrase.many else phrase.text
    return text.format(v=_number(x, phrase.unit))


def change_clause(signal: str, now: float, then: float, then_date: Any) -> str:
    """How the value moved since ``then_date``: ``"up from 3 days on 30 Sep 2025"``; ``""`` when unknown.

    Examples
    --------
    >>> change_clause("overdue_days", 49.0, 3.0, "2025-09-30")
    'up from 3 days on 30 Sep 2025'
    >>> change_clause("payment_index_low", 35.0, 61.0, "2025-09-30")
    'down from 61 on 30 Sep 2025'
    >>> change_clause("new_lawsuit", 2.0, 0.0, "2025-09-30")
    'up from none on 30 Sep 2025'
    >>> change_clause("over_limit", 1.3, 1.3, "2025-09-30")
    'as on 30 Sep 2025'
    >>> change_clause("litigation_vs_net_assets", float("inf"), 0.2, "2025-09-30")
    'up from 20% on 30 Sep 2025'
    >>> change_clause("litigation_vs_net_assets", 0.8, float("inf"), "2025-09-30")
    'when equity was zero or negative on 30 Sep 2025'
    >>> change_clause("overdue_days", 49.0, float("nan"), "2025-09-30")
    ''
    """
    x, y = float(now), float(then)
    if math.isnan(x) or math.isnan(y):
        return ""
    when = day(then_date)
    phrase = PHRASES.get(signal)
    unit = phrase.unit if phrase is not None else "ratio"
    if math.isinf(y):
        if signal == "litigation_vs_net_assets":
            return f"when equity was zero or negative on {when}"
        return f"with no base to compare with on {when}"
    shown_then = "none" if unit == "count" and round(y) == 0 else _number(y, unit)
    if not math.isinf(x) and _number(x, unit) == _number(y, unit):
        return f"as on {when}"
    return f"{'up' if x > y else 'down'} from {shown_then} on {when}"


def since_clause(since: Any, first_checked: Any, new: bool) -> str:
    """Since when the alert has been raised at every month-end.

    ``since`` is the first month-end of the run that reaches today,
    ``first_checked`` the earliest month-end looked at; ``new`` when it was
    not raised at the last month-end.

    Examples
    --------
    >>> since_clause(None, "2025-06-30", True)
    'new this month'
    >>> since_clause("2025-10-31", "2025-06-30", False)
    'flagged since 31 Oct 2025'
    >>> since_clause("2025-06-30", "2025-06-30", False)
    'flagged since 30 Jun 2025 or earlier'
    """
    if new or since is None:
        return "new this month"
    earlier = " or earlier" if str(since)[:10] == str(first_checked)[:10] else ""
    return f"flagged since {day(since)}{earlier}"


def others_clause(severities: Sequence[str], signals: Sequence[str], lead_severity: str) -> str:
    """The customer's other alerts: those as bad as the lead by name, the milder ones counted.

    Examples
    --------
    >>> others_clause(["critical", "warning", "watch", "info"], ["payment_slowdown", "new_lawsuit", "x", "y"],
    ...               "critical")
    'Also critical: payment slowdown; warning: new lawsuits; 2 milder alerts.'
    >>> others_clause([], [], "warning")
    ''
    """
    named: dict[str, list[str]] = {}
    milder = 0
    for severity, signal in zip(severities, signals, strict=True):
        if severity in ("critical", "warning"):
            named.setdefault(severity, []).append(label(signal))
        else:
            milder += 1
    parts = [f"{sev}: {', '.join(names[:3])}" + (f" and {len(names) - 3} more" if len(names) > 3 else "")
             for sev, names in named.items()]
    if milder:
        parts.append(f"{milder} milder alert{'s' if milder != 1 else ''}")
    return f"Also {'; '.join(parts)}." if parts else ""


def sentence(
    name: str,
    signal: str,
    now: float,
    then: float = math.nan,
    then_date: Any = None,
    since: str = "",
    others: str = "",
) -> str:
    """The whole sentence of one watchlist customer.

    Examples
    --------
    >>> import datetime
    >>> sentence("Acme GmbH", "overdue_days", 62.0, 8.0, datetime.date(2025, 9, 30), "flagged since 31 Oct 2025")
    'Acme GmbH: oldest open invoice 62 days past due, up from 8 days on 30 Sep 2025; flagged since 31 Oct 2025.'
    >>> sentence("Acme GmbH", "litigation_vs_net_assets", float("inf"), since="new this month",
    ...          others="Also warning: new lawsuits.")
    'Acme GmbH: lawsuits of the last 12 months while its equity is zero or negative; new this month. Also warning: new lawsuits.'
    """
    text = f"{name}: {describe(signal, now)}"
    change = change_clause(signal, now, then, then_date) if then_date is not None else ""
    if change:
        text += f", {change}"
    if since:
        text += f"; {since}"
    text += "."
    if others:
        text += f" {others}"
    return text
