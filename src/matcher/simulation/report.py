"""The planner's HTML report: one self-contained file (inline SVG and CSS, no scripts, no CDN) with
the side-by-side KPI table and the plots — backlog over time, waiting-time distributions, and a
utilization heatmap by center × role — that a planner can open offline and send on.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence

from .compare import ComparisonReport, significant
from .run import WAIT_BIN_EDGES, _fmt, kpi_doc

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")
#: With more centers than this, the heatmap groups centers under their street-level (or top) ancestor.
HEATMAP_MAX_ROWS = 40

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;margin:1.5rem;color:#222;max-width:1200px}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
th{background:#f5f5f5}td.k,th.k{text-align:left}td.sig{background:#fff3cd;font-weight:600}
.scroll{overflow-x:auto}.muted{color:#666;font-size:.85rem}svg{max-width:100%;height:auto}
.legend span{display:inline-block;margin-right:1rem}.sw{display:inline-block;width:.9rem;height:.9rem;vertical-align:middle;margin-right:.3rem}
"""


def _esc(x: object) -> str:
    return html.escape(str(x))


def _axis_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step) + 1)]


def _tick(t: float) -> str:
    """A tick label with as many decimals as the tick needs (2.5 stays 2.5, 10.0 is 10)."""
    for digits in range(4):
        if abs(round(t, digits) - t) < 1e-9:
            return f"{t:,.{digits}f}"
    return f"{t:,.3g}"


def line_chart(series: Sequence[tuple[str, Sequence[float], Sequence[float]]], *, x_label: str, y_label: str,
               width: int = 760, height: int = 300, y_max: float | None = None) -> str:
    """An SVG line chart of (name, xs, ys) series with axes, ticks and a legend."""
    ml, mr, mt, mb = 60, 20, 15, 45
    xs_all = [x for _, xs, _ in series for x in xs]
    ys_all = [y for _, _, ys in series for y in ys if not math.isnan(y)]
    if not xs_all or not ys_all:
        return "<p class='muted'>(no data)</p>"
    x0, x1 = min(xs_all), max(xs_all)
    y0, y1 = 0.0, y_max if y_max is not None else max(ys_all) * 1.05 or 1.0
    x1 = x1 if x1 > x0 else x0 + 1

    def px(x: float) -> float:
        return ml + (x - x0) / (x1 - x0) * (width - ml - mr)

    def py(y: float) -> float:
        return height - mb - (y - y0) / (y1 - y0) * (height - mt - mb)

    parts = [f"<svg viewBox='0 0 {width} {height}' role='img' xmlns='http://www.w3.org/2000/svg'>"]
    for t in _axis_ticks(y0, y1):
        parts.append(f"<line x1='{ml}' x2='{width - mr}' y1='{py(t):.1f}' y2='{py(t):.1f}' stroke='#eee'/>"
                     f"<text x='{ml - 6}' y='{py(t) + 4:.1f}' font-size='11' text-anchor='end'>{_tick(t)}</text>")
    for t in _axis_ticks(x0, x1, 8):
        parts.append(f"<line x1='{px(t):.1f}' x2='{px(t):.1f}' y1='{height - mb}' y2='{height - mb + 4}' stroke='#999'/>"
                     f"<text x='{px(t):.1f}' y='{height - mb + 16}' font-size='11' text-anchor='middle'>{_tick(t)}</text>")
    parts.append(f"<line x1='{ml}' x2='{width - mr}' y1='{height - mb}' y2='{height - mb}' stroke='#999'/>"
                 f"<line x1='{ml}' x2='{ml}' y1='{mt}' y2='{height - mb}' stroke='#999'/>")
    parts.append(f"<text x='{(ml + width - mr) / 2}' y='{height - 8}' font-size='12' text-anchor='middle'>{_esc(x_label)}</text>"
                 f"<text x='14' y='{(mt + height - mb) / 2}' font-size='12' text-anchor='middle' "
                 f"transform='rotate(-90 14 {(mt + height - mb) / 2})'>{_esc(y_label)}</text>")
    for i, (name, xs, ys) in enumerate(series):
        pts = " ".join(f"{px(x):.1f},{py(min(y, y1)):.1f}" for x, y in zip(xs, ys) if not math.isnan(y))
        parts.append(f"<polyline fill='none' stroke='{PALETTE[i % len(PALETTE)]}' stroke-width='1.8' points='{pts}'>"
                     f"<title>{_esc(name)}</title></polyline>")
    parts.append("</svg>")
    legend = "".join(f"<span><i class='sw' style='background:{PALETTE[i % len(PALETTE)]}'></i>{_esc(n)}</span>"
                     for i, (n, _, _) in enumerate(series))
    return "".join(parts) + f"<div class='legend'>{legend}</div>"


def _wait_ecdf(hist: Sequence[int], until: float = math.inf) -> tuple[list[float], list[float]]:
    total = sum(hist)
    xs, ys, acc = [0.0], [0.0], 0
    for edge, n in zip(WAIT_BIN_EDGES[1:], hist):
        if math.isinf(edge) or edge > until:
            break
        acc += n
        xs.append(edge)
        ys.append(acc / total if total else math.nan)
    return xs, ys


def _wait_span(hists: Sequence[Sequence[int]]) -> float:
    """Days until every variant has seen 99.9% of its first sessions (the plot stops there)."""
    span = 1.0
    for hist in hists:
        total, acc = sum(hist), 0
        for edge, n in zip(WAIT_BIN_EDGES[1:], hist):
            acc += n
            if total and acc >= 0.999 * total:
                span = max(span, edge if not math.isinf(edge) else WAIT_BIN_EDGES[-2])
                break
    return span + 1.0


def _color(u: float) -> str:
    u = max(0.0, min(1.0, u))
    r, g, b = 255, int(255 - 190 * u), int(255 - 220 * u)
    return f"rgb({r},{g},{b})"


def heatmap(grid: dict[str, dict[str, float]], group: dict[str, str], labels: dict[str, str]) -> str:
    """A center × role table coloured by utilization (white 0 → red 1)."""
    cells: dict[str, dict[str, list[float]]] = {}
    for center, roles in grid.items():
        row = cells.setdefault(group.get(center, center), {})
        for role, u in roles.items():
            row.setdefault(role, []).append(u)
    roles = sorted({r for row in cells.values() for r in row})
    head = "".join(f"<th>{_esc(r)}</th>" for r in roles)
    body = []
    for c in sorted(cells):
        tds = []
        for r in roles:
            vals = cells[c].get(r)
            if not vals:
                tds.append("<td></td>")
                continue
            u = sum(vals) / len(vals)
            tds.append(f"<td style='background:{_color(u)}' title='{_esc(c)} {_esc(r)}: {u:.3f}'>{u:.2f}</td>")
        body.append(f"<tr><td class='k'>{_esc(labels.get(c, c))}</td>{''.join(tds)}</tr>")
    return f"<div class='scroll'><table><tr><th class='k'>center</th>{head}</tr>{''.join(body)}</table></div>"


def render_html(report: ComparisonReport, *, title: str = "Staffing scenario comparison 方案比较",
                centers: Sequence[tuple[str, str | None, str]] = ()) -> str:
    """The whole report. ``centers``: (id, parent, name) of the base scenario, used to group and
    label heatmap rows when there are many centers."""
    group, labels = _grouping(centers, {c for v in report.variants for c in v.report.utilization})
    base = report.base.report
    meta = (f"{_esc(base.scenario)} · {report.days} days from {base.start.isoformat()} · {report.replications} "
            f"replications · seed {report.seed} · warm-up {report.warmup_days} days · assigner {_esc(base.assigner)} · "
            f"{report.workers} worker(s) · {report.wall_seconds:.1f} s · generated {dt.date.today().isoformat()}")
    out = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><meta name='viewport' "
           f"content='width=device-width,initial-scale=1'><title>{_esc(title)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{_esc(title)}</h1><p class='muted'>{meta}</p>"]
    out.append("<h2>Variants 方案</h2><ul>" + "".join(
        f"<li><b style='color:{PALETTE[i % len(PALETTE)]}'>{_esc(v.name)}</b>: {_esc(v.description)}</li>"
        for i, v in enumerate(report.variants)) + "</ul>")
    out.append("<h2>KPIs side by side 指标对比</h2>" + kpi_html_table(report))
    series = [(v.name, list(range(1, len(v.report.backlog_by_day) + 1)), v.report.backlog_by_day) for v in report.variants]
    out.append("<h2>Backlog over time 积压</h2>" + line_chart(series, x_label="day", y_label="open disputes (mean over replications)"))
    until = _wait_span([v.report.wait_histogram for v in report.variants])
    ecdfs = [(v.name, *_wait_ecdf(v.report.wait_histogram, until)) for v in report.variants]
    out.append("<h2>Time to first session 首次调解等待</h2><p class='muted'>Share of disputes whose first session "
               "came within x days (all replications).</p>"
               + line_chart(ecdfs, x_label="days from arrival", y_label="share of disputes", y_max=1.0))
    out.append("<h2>Utilization by center × role 利用率</h2><p class='muted'>Time-average docket over capacity.</p>")
    for v in report.variants:
        out.append(f"<h3>{_esc(v.name)}</h3>" + heatmap(v.report.utilization, group, labels))
    out.append("<h2>Parameters 参数</h2>")
    for v in report.variants:
        out.append(f"<details><summary>{_esc(v.name)}</summary><pre>{_esc(v.report.params.model_dump_json(indent=1))}</pre></details>")
    out.append("</body></html>")
    return "\n".join(out)


def kpi_html_table(report: ComparisonReport) -> str:
    heads = "".join(f"<th>{_esc(v.name)}</th>" + ("" if i == 0 else "<th>Δ vs base (95% CI)</th>")
                    for i, v in enumerate(report.variants))
    rows = []
    for k, est in report.base.report.summary.items():
        tds = [f"<td>{_fmt(est.mean)}" + (f" <span class='muted'>±{_fmt(est.half_width)}</span>" if est.n > 1 else "") + "</td>"]
        for v in report.variants[1:]:
            e = v.report.summary.get(k)
            tds.append(f"<td>{_fmt(e.mean) if e else '-'}</td>")
            d = report.differences[v.name].get(k)
            if d is None or d.n < 2 or math.isnan(d.mean):
                tds.append("<td></td>")
            else:
                cls = " class='sig'" if significant(d) else ""
                tds.append(f"<td{cls}>{d.mean:+.3g} [{d.low:+.3g}, {d.high:+.3g}]</td>")
        rows.append(f"<tr><td class='k' title='{_esc(kpi_doc(k))}'>{_esc(k)}</td>{''.join(tds)}</tr>")
    note = ("<p class='muted'>Δ: paired difference to the base over replications that share their random numbers; "
            "highlighted where its 95% interval excludes 0. Hover a KPI for its definition.</p>")
    return f"<div class='scroll'><table><tr><th class='k'>KPI</th>{heads}</tr>{''.join(rows)}</table></div>{note}"


def _grouping(centers: Sequence[tuple[str, str | None, str]], used: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    names = {c: n for c, _, n in centers}
    if len(used) <= HEATMAP_MAX_ROWS or not centers:
        return {c: c for c in used}, {c: names.get(c, c) for c in used}
    parent = {c: p for c, p, _ in centers}
    depth: dict[str, int] = {}

    def d(c: str) -> int:
        if c not in depth:
            p = parent.get(c)
            depth[c] = 0 if p is None else d(p) + 1
        return depth[c]

    group = {}
    for c in used:
        g = c
        while d(g) > 1:
            g = parent[g]  # type: ignore[assignment]
        group[c] = g
    return group, {g: f"{names.get(g, g)} (+ subtree)" if d(g) == 1 else names.get(g, g) for g in group.values()}
