"""The month-end report as one self-contained HTML page: inline CSS and SVG charts, no script, no link.

Every text is escaped; every number goes through :mod:`riskkit.reporting._format`
(money with the currency, percentages, days), so no ``nan``, ``inf`` or
Python repr reaches the page. Axis ticks are round (:func:`nice_ticks`) and
carry their value in a ``data-tick`` attribute for tests.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

from riskkit._version import __version__
from riskkit.promises import collections_summary
from riskkit.reporting._format import (
    count,
    day,
    days,
    money,
    money_short,
    nice_ticks,
    percent,
    plural,
    tick_label,
)
from riskkit.reporting._groups import html_section as groups_section
from riskkit.reporting._insurance import html_section as insurance_section
from riskkit.reporting._provisions import html_section as provisions_section

__all__ = ["render"]

_CSS = """
:root{--ink:#1f2933;--muted:#667085;--line:#e4e7ec;--soft:#f6f7f9;--accent:#2f5d8a;--red:#b42318;--amber:#b54708;
--green:#067647}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);margin:0;
background:#fff;font-size:14px;line-height:1.45}
main{max-width:1120px;margin:0 auto;padding:28px 32px 48px}
header{border-bottom:3px solid var(--accent);padding-bottom:10px;margin-bottom:18px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:30px 0 6px;color:var(--accent)}
.sub,.note{color:var(--muted)}.note{font-size:12.5px;margin:4px 0 10px}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:10px}
.card{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.card .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.card .v{font-size:21px;font-weight:600;margin-top:2px}.card .t{font-size:12px;color:var(--muted)}
.up{color:var(--red)}.down{color:var(--green)}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:20px;align-items:start}
table{border-collapse:collapse;width:100%;font-size:13px}
th{text-align:left;font-weight:600;color:var(--muted);border-bottom:1px solid #cfd4dc;padding:5px 8px;
font-size:12px}
td{padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:600;border-top:1px solid #cfd4dc}
ol.watch{list-style:none;padding:0;margin:0}
ol.watch li{padding:8px 0 8px 0;border-bottom:1px solid var(--line);display:grid;grid-template-columns:76px 1fr;gap:10px}
ol.watch .meta{font-size:12px;color:var(--muted)}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:11.5px;font-weight:600;height:fit-content;
text-align:center}
.critical{background:#fee4e2;color:var(--red)}.warning{background:#fef0c7;color:var(--amber)}
.small{font-size:12px;color:var(--muted)}
svg{display:block}svg text{font-size:11px;fill:#475467;font-family:inherit}
.legend{font-size:12px;color:var(--muted);margin:4px 0}.legend i{display:inline-block;width:10px;height:10px;
margin:0 4px 0 12px;vertical-align:baseline;border-radius:2px}
footer{margin-top:36px;font-size:12px;color:var(--muted);border-top:1px solid var(--line);padding-top:8px}
@media print{main{padding:0}h2{break-after:avoid}li,tr{break-inside:avoid}}
"""

_BLUE, _ORANGE, _GREY = "#2f5d8a", "#d97706", "#98a2b3"


def _e(text: Any) -> str:
    return html.escape(str(text))


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[int] = (),
           total: Sequence[Any] | None = None) -> str:
    if not rows:
        return '<p class="note">None.</p>'

    def cells(row: Sequence[Any], tag: str = "td") -> str:
        return "".join(f'<{tag} class="n">{_e(v)}</{tag}>' if j in numeric else f"<{tag}>{_e(v)}</{tag}>"
                       for j, v in enumerate(row))

    body = "".join(f"<tr>{cells(r)}</tr>" for r in rows)
    if total is not None:
        body += f'<tr class="total">{cells(total)}</tr>'
    return f"<table><thead><tr>{cells(headers, 'th')}</tr></thead><tbody>{body}</tbody></table>"


def _axis(ticks: list[float], kind: str, currency: str, left: int, width: int, y_of: Any) -> list[str]:
    step = ticks[1] - ticks[0]
    parts = []
    for t in ticks:
        y = y_of(t)
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eaecf0"/>')
        parts.append(f'<text class="tick" data-tick="{t!r}" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f"{_e(tick_label(t, step, kind, currency))}</text>")
    return parts


def bar_chart(labels: Sequence[str], values: Sequence[float], *, kind: str, currency: str = "",
              width: int = 520, height: int = 240, colour: str = _BLUE, title: str = "") -> str:
    """Vertical bars, one per label, on a value axis with round ticks."""
    left, bottom, top = 74, 26, 10
    ticks = nice_ticks(0.0, max([v for v in values if math.isfinite(v)], default=0.0), 6)
    low, high = ticks[0], ticks[-1]
    plot_h = height - bottom - top

    def y_of(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="{_e(title)}">']
    parts += _axis(ticks, kind, currency, left, width, y_of)
    group = (width - left - 8) / max(len(labels), 1)
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        x = left + i * group + group * 0.18
        h = y_of(low) - y_of(v if math.isfinite(v) else 0.0)
        shown = money(v, currency) if kind == "money" else f"{v:,.0f}"
        parts.append(f'<rect x="{x:.1f}" y="{y_of(low) - h:.1f}" width="{group * 0.64:.1f}" height="{h:.1f}" '
                     f'fill="{colour}" rx="2"><title>{_e(label)}: {_e(shown)}</title></rect>')
        parts.append(f'<text x="{left + (i + 0.5) * group:.1f}" y="{height - 8}" text-anchor="middle">{_e(label)}</text>')
    parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y_of(low):.1f}" y2="{y_of(low):.1f}" stroke="#98a2b3"/>')
    return "".join(parts) + "</svg>"


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float]]], *, kind: str,
               width: int = 520, height: int = 240, title: str = "") -> str:
    """Lines over dates (one point per label), on a value axis with round ticks from 0."""
    left, bottom, top = 54, 26, 10
    finite = [v for _, _, vs in series for v in vs if math.isfinite(v)]
    ticks = nice_ticks(min([0.0, *finite]), max([*finite, 1.0]), 6)
    low, high = ticks[0], ticks[-1]
    plot_h = height - bottom - top
    step_x = (width - left - 30) / max(len(labels) - 1, 1)

    def y_of(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="{_e(title)}">']
    parts += _axis(ticks, kind, "", left, width, y_of)
    for i, label in enumerate(labels):
        parts.append(f'<text x="{left + 12 + i * step_x:.1f}" y="{height - 8}" text-anchor="middle">{_e(label)}</text>')
    for name, colour, values in series:
        points = [(left + 12 + i * step_x, y_of(v)) for i, v in enumerate(values) if math.isfinite(v)]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.2"/>')
        for (x, y), v in zip(points, [v for v in values if math.isfinite(v)], strict=True):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>{_e(name)}: '
                         f"{_e(days(v) if kind == 'count' else v)}</title></circle>")
    parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y_of(low):.1f}" y2="{y_of(low):.1f}" stroke="#98a2b3"/>')
    legend = "".join(f'<i style="background:{c}"></i>{_e(n)}' for n, c, _ in series)
    return f'<div class="legend">{legend}</div>' + "".join(parts) + "</svg>"


def _change(now: float, then: float | None, fmt: Any, worse_if_up: bool) -> str:
    if then is None or not (math.isfinite(now) and math.isfinite(then)):
        return '<div class="t">no figure three months ago</div>'
    if fmt(now) == fmt(then):
        return f'<div class="t">unchanged from three months ago ({_e(fmt(then))})</div>'
    up = now > then
    css = "up" if up == worse_if_up else "down"
    arrow = "&#9650;" if up else "&#9660;"
    return f'<div class="t"><span class="{css}">{arrow}</span> from {_e(fmt(then))} three months ago</div>'


def _card(key: str, value: str, note: str) -> str:
    return f'<div class="card"><div class="k">{_e(key)}</div><div class="v">{_e(value)}</div>{note}</div>'


def _summary(rep: Any) -> str:
    s, c = rep.summary, rep.currency
    then = s["then"] or {}

    def pct100(v: float) -> str:
        return percent(v / 100)

    cards = [
        _card("Exposure", money_short(s["exposure"], c), f'<div class="t">{_e(plural(s["customers"], "customer"))}</div>'),
        _card("Open receivables", money_short(s["open_amount"], c),
              _change(s["open_amount"], then.get("open_amount"), lambda v: money_short(v, c), True)),
        _card("Overdue", money_short(s["overdue"], c),
              f'<div class="t">{_e(percent(s["overdue_share"]))} of open invoices; over 90 days '
              f'{_e(money_short(s["over_90"], c))}</div>'),
        _card("In default", count(s["in_default"]),
              f'<div class="t">exposure {_e(money_short(s["in_default_exposure"], c))}</div>'),
        _card("DSO", days(s["dso"]), _change(s["dso"], then.get("dso"), days, True)),
        _card("ADD (days delinquent)", days(s["add"]), _change(s["add"], then.get("add"), days, True)),
        _card("CEI (collected)", pct100(s["cei"]), _change(s["cei"], then.get("cei"), pct100, False)),
        _card("Overdue share", percent(s["overdue_share"]),
              _change(s["overdue_share"], then.get("overdue_share"), percent, True)),
    ]
    labels = [f"{r['date']:%b %y}" for r in rep.trend]
    chart = line_chart(labels, [("DSO", _BLUE, [r["dso"] for r in rep.trend]),
                                ("ADD", _ORANGE, [r["add"] for r in rep.trend])], kind="count",
                       title="DSO and ADD by month-end, days")
    trend_rows = [[f"{r['date']:%d %b %Y}", days(r["dso"]), days(r["add"]), percent(r["cei"] / 100),
                   percent(r["overdue_share"]), money_short(r["overdue"], c)] for r in rep.trend]
    trend = _table(["month-end", "DSO", "ADD", "CEI", "overdue share", "overdue"], trend_rows, numeric=(1, 2, 3, 4, 5))
    return (
        '<section id="summary"><h2>Summary</h2>'
        f'<div class="cards">{"".join(cards)}</div>'
        '<h3 class="sub" style="font-size:14px;margin:18px 0 4px">Receivables by month-end (days)</h3>'
        f'<div class="grid2"><div>{chart}</div><div>{trend}<p class="note">DSO = open receivables / credit sales of '
        "the last 90 days x 90; ADD = the part of DSO beyond terms (overdue / sales x 90); CEI = share of what "
        "could be collected over 90 days that was collected.</p></div></div></section>"
    )


def _grades(rep: Any) -> str:
    c = rep.currency
    rows = [[g["grade"] or "ungraded", count(g["customers"]), money(g["exposure"], c), percent(g["exposure_share"]),
             money(g["overdue"], c), percent(g["mean_pd"])] for g in rep.grades]
    total = ["all", count(sum(g["customers"] for g in rep.grades)), money(sum(g["exposure"] for g in rep.grades), c),
             "100%" if rep.grades else "", money(sum(g["overdue"] for g in rep.grades), c), ""]
    chart = bar_chart([g["grade"] or "ungraded" for g in rep.grades], [g["exposure"] for g in rep.grades],
                      kind="money", currency=c, title="Exposure by grade")
    return (
        f'<section id="grades"><h2>Grades and exposure</h2><p class="note">Graded by {_e(rep.scorer_name)}; '
        "D is in default.</p>"
        f'<div class="grid2"><div>{chart}</div><div>'
        + _table(["grade", "customers", "exposure", "share", "overdue", "mean PD"], rows, numeric=(1, 2, 3, 4, 5),
                 total=total)
        + "</div></div></section>"
    )


def _watchlist(rep: Any) -> str:
    wc, c = rep.watch_counts, rep.currency
    intro = (f"{plural(wc['flagged'], 'customer')} of the {wc['eligible']:,} not in default are at warning or "
             f"worse (alert budget {percent(wc['alert_budget'])}); ")
    intro += (f"the {len(rep.watchlist)} most severe are below. " if wc["flagged"] > len(rep.watchlist)
              else "all are below. ")
    intro += f"{plural(wc['watch_level'], 'more customer')} at watch level are not listed."
    items = []
    for r in rep.watchlist:
        name, rest = r["sentence"][: len(r["name"])], r["sentence"][len(r["name"]):]
        items.append(
            f'<li><span class="badge {r["level"]}">{_e(r["level"])}</span><div><b>{_e(name)}</b>{_e(rest)}'
            f'<div class="meta">{_e(r["customer_id"])} &middot; exposure {_e(money(r["exposure"], c))} &middot; '
            f'overdue {_e(money(r["overdue"], c))} &middot; {_e(plural(r["alerts"], "alert"))}</div></div></li>'
        )
    body = f'<ol class="watch">{"".join(items)}</ol>' if items else '<p class="note">No customer is at warning or worse.</p>'
    return f'<section id="watchlist"><h2>Watchlist</h2><p class="note">{_e(intro)}</p>{body}</section>'


def _limits(rep: Any) -> str:
    c = rep.currency
    if rep.limits_error:
        return (f'<section id="limits"><h2>Credit limits</h2><p class="note">No limits recommended: '
                f"{_e(rep.limits_error)}</p></section>")
    moves = [[m["grade"] or "ungraded", count(m["n"]), count(m["rise"]), count(m["hold"]), count(m["fall"]),
              money(m["total_now"], c), money(m["total_recommended"], c)] for m in rep.limit_moves]
    total = ["all", *(count(sum(m[k] for m in rep.limit_moves)) for k in ("n", "rise", "hold", "fall")),
             money(sum(m["total_now"] for m in rep.limit_moves), c),
             money(sum(m["total_recommended"] for m in rep.limit_moves), c)]
    rows = [[r["name"], r["customer_id"], r["grade"], money(r["current_limit"], c), money(r["limit"], c),
             money(r["change"], c), r["why"], r["terms"] + (f", {r['conditions']}" if r["conditions"] else "")]
            for r in rep.limits]
    return (
        '<section id="limits"><h2>Recommended limit changes</h2>'
        '<p class="note">Limits on file against the credit policy\'s recommendation, by grade; then the largest '
        "changes to make.</p>"
        + _table(["grade", "customers", "rise", "hold", "fall", "limits on file", "recommended"], moves,
                 numeric=(1, 2, 3, 4, 5, 6), total=total)
        + '<h3 class="sub" style="font-size:14px;margin:16px 0 4px">Largest changes</h3>'
        + _table(["customer", "id", "grade", "limit now", "recommended", "change", "why", "terms"], rows,
                 numeric=(3, 4, 5))
        + "</section>"
    )


def _worklist(rep: Any) -> str:
    w, c = rep.work_counts, rep.currency
    intro = (f"{plural(w['customers'], 'customer')} owe {money(w['overdue'], c)} past due; "
             f"{w['hold_credit']:,} are on credit hold. {plural(w['escalating'], 'case')} move to a harsher stage "
             f"within {rep.worklist_days} days. The {len(rep.worklist)} most urgent:")
    rows = [[r["name"], r["customer_id"], r["action"], money(r["overdue"], c), count(r["days_past_due"]), r["grade"],
             r["stage"], r["escalates"], r["reorder"]] for r in rep.worklist]
    promised = collections_summary(w, c)  # promises to pay and disputes, when the book has them
    return (f'<section id="worklist"><h2>Collections this week</h2><p class="note">{_e(intro)}</p>'
            + (f'<p class="note">{_e(promised)}</p>' if promised else "")
            + _table(["customer", "id", "do this week", "overdue", "days late", "grade", "stage", "next stage",
                      "if they order"], rows, numeric=(3, 4))
            + "</section>")


def _validation(rep: Any) -> str:
    v = rep.validation
    if v is None:
        return ('<section id="validation"><h2>Model validation</h2><p class="note">No outcomes given: pass '
                "outcomes= (or --outcomes customer_id,defaulted) to measure how well the grades rank.</p></section>")
    horizon = f" within {v['horizon_days']} days" if v.get("horizon_days") else ""
    note = (f"{plural(v['customers'], 'customer')} with an outcome, {v['defaults']:,} defaulted{horizon}; "
            f"{plural(v['excluded_in_default'], 'customer')} already in default left out.")
    if "auc" in v:
        metrics = _table(["measure", "value"], [["AUC", f"{v['auc']:.3f}"], ["Gini", f"{v['gini']:.3f}"],
                                                ["KS", f"{v['ks']:.3f}"], ["Brier score", f"{v['brier']:.4f}"]],
                         numeric=(1,))
    else:
        metrics = '<p class="note">AUC, Gini and KS need both defaulted and performing customers.</p>'
    rows = [[g["grade"] or "ungraded", count(g["customers"]), count(g["defaults"]), percent(g["default_rate"]),
             percent(g["mean_pd"])] for g in v["grades"]]
    return (f'<section id="validation"><h2>Model validation</h2><p class="note">{_e(note)}</p>'
            f'<div class="grid2"><div>{metrics}</div><div>'
            + _table(["grade", "customers", "defaults", "default rate", "mean PD"], rows, numeric=(1, 2, 3, 4))
            + "</div></div></section>")


def render(rep: Any, fragment: bool = False) -> str:
    """The report as an HTML page (``fragment``: the body only, for a notebook)."""
    from riskkit.reporting._reviews import reviews_section

    c = rep.currency
    rejected = f" &middot; {rep.n_rejected:,} input rows rejected" if rep.n_rejected else ""
    money_note = f"amounts in {_e(c)}" if c else "amounts in the book's currency"
    body = (
        f'<main><header><h1>Month-end credit report</h1><div class="sub">As of {_e(day(rep.as_of))} &middot; '
        f"{_e(plural(rep.summary['customers'], 'customer'))} &middot; {money_note}{rejected}</div></header>"
        + _summary(rep) + _grades(rep) + _watchlist(rep) + _limits(rep) + groups_section(rep) + reviews_section(rep) + _worklist(rep)
        + insurance_section(rep) + provisions_section(rep) + _validation(rep)
        + f"<footer>riskkit {_e(__version__)} &middot; the watchlist compares each lead alert with the month-end "
        "three months back and names the month-end since which it has fired at every month-end.</footer></main>"
    )
    if fragment:
        return f"<div><style>{_CSS}</style>{body}</div>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Month-end credit report {_e(day(rep.as_of))}</title><style>{_CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )
