"""The month-end report as a short plain-text summary (``str(report)``, ``riskkit demo``)."""

from __future__ import annotations

import math
import textwrap
from typing import Any

from riskkit.promises import collections_summary
from riskkit.reporting._format import day, days, money, money_short, percent, plural
from riskkit.reporting._groups import text_lines
from riskkit.reporting._insurance import text_lines as insurance_lines
from riskkit.reporting._provisions import text_lines as provision_lines

__all__ = ["render"]


def _trend(now: float, then: float | None, fmt: Any) -> str:
    if then is None or not math.isfinite(then):
        return fmt(now)
    return f"{fmt(now)} ({fmt(then)} three months ago)"


def render(rep: Any, top: int = 5) -> str:
    """The summary: the book, grades, watchlist, limits, collections and validation, ``top`` rows each."""
    from riskkit.reporting._reviews import review_lines

    s, c = rep.summary, rep.currency
    then = s["then"] or {}
    wrap = textwrap.TextWrapper(width=100, initial_indent="  - ", subsequent_indent="    ")
    lines = [
        f"Month-end credit report as of {day(rep.as_of)}: {s['customers']:,} customers, graded by {rep.scorer_name}",
        f"Exposure {money_short(s['exposure'], c)}; open receivables {money_short(s['open_amount'], c)}, "
        f"overdue {money_short(s['overdue'], c)} ({percent(s['overdue_share'])}), over 90 days "
        f"{money_short(s['over_90'], c)}",
        f"DSO {_trend(s['dso'], then.get('dso'), days)}; ADD {_trend(s['add'], then.get('add'), days)}; "
        f"CEI {_trend(s['cei'] / 100, _div(then.get('cei')), percent)}",
        f"In default: {plural(s['in_default'], 'customer')}, exposure {money_short(s['in_default_exposure'], c)}",
        "Grades: " + ", ".join(f"{g['grade'] or 'ungraded'} {g['customers']}" for g in rep.grades),
        "",
    ]
    wc = rep.watch_counts
    lines.append(f"Watchlist: {plural(wc['flagged'], 'customer')} at warning or worse "
                 f"(alert budget {percent(wc['alert_budget'])}); the first {min(top, len(rep.watchlist))}:")
    lines += [wrap.fill(r["sentence"]) for r in rep.watchlist[:top]] or ["  none"]
    lines.append("")
    if rep.limits_error:
        lines.append(f"Limits: not recommended ({rep.limits_error})")
    else:
        rise = sum(m["rise"] for m in rep.limit_moves)
        fall = sum(m["fall"] for m in rep.limit_moves)
        hold = sum(m["hold"] for m in rep.limit_moves)
        now_total = sum(m["total_now"] for m in rep.limit_moves)
        new_total = sum(m["total_recommended"] for m in rep.limit_moves)
        lines.append(f"Limits: {rise:,} rise, {hold:,} hold, {fall:,} fall; total {money_short(now_total, c)} -> "
                     f"{money_short(new_total, c)}. Largest changes:")
        lines += [wrap.fill(f"{r['name']} ({r['grade']}): {money(r['current_limit'], c)} -> {money(r['limit'], c)}, "
                            f"{r['why']}") for r in rep.limits[:top]]
    lines += text_lines(rep, top)
    lines.append("")
    lines += [*review_lines(rep, top), ""]
    w = rep.work_counts
    lines.append(f"Collections this week: {plural(w['customers'], 'customer')} overdue ({money_short(w['overdue'], c)}); "
                 f"{w['escalating']:,} move to a harsher stage within {rep.worklist_days} days. Most urgent:")
    lines += [wrap.fill(f"{r['name']}: {r['action']} ({money(r['overdue'], c)} overdue, {days(r['days_past_due'])}"
                        f"; stage {r['stage']})") for r in rep.worklist[:top]] or ["  none"]
    if promise_text := collections_summary(w, c):  # a book with promises to pay or disputes
        lines.append(wrap.fill(promise_text))
    lines += insurance_lines(rep, top)
    lines += provision_lines(rep, top)
    if rep.validation is not None:
        v = rep.validation
        lines.append("")
        if "auc" in v:
            lines.append(f"Validation on {plural(v['customers'], 'customer')} ({v['defaults']:,} defaulted): "
                         f"AUC {v['auc']:.3f}, Gini {v['gini']:.3f}, KS {v['ks']:.3f}, Brier {v['brier']:.4f}")
        else:
            lines.append(f"Validation: {plural(v['customers'], 'customer')} with an outcome; AUC needs both "
                         "defaulted and performing customers")
    return "\n".join(lines)


def _div(value: float | None) -> float | None:
    return None if value is None else value / 100
