"""The console's and the report's charts: inline SVG built by pure functions of numbers.

Each chart is a `Chart`: the SVG text (with `<title>` and `<desc>`, role="img"), and the same
numbers as a table (headers, rows) for people who cannot or would rather not read a picture. The
numbers are computed first (`histogram`, `waterfall`) and tested on their own; drawing only
scales them to pixels (floats for pixels only — money stays integer cents and is labelled with
`format_cents`). No script, no external font: the SVG uses the page's system font stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from paymentprocess.domain.money import format_cents
from paymentprocess.service.review.chart_numbers import histogram, waterfall

WIDTH, HEIGHT = 640, 260
PAD_L, PAD_R, PAD_T, PAD_B = 110, 20, 16, 40
SEVERITY_FILL = {"Critical": "#b3261e", "Warning": "#a15c00", "Info": "#2f5d8a"}
UP, DOWN, TOTAL = "#2e7d32", "#b3261e", "#2f5d8a"
THIS, PREVIOUS = "#2f5d8a", "#9aa7b4"


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    desc: str
    svg: str
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]] = field(default_factory=list)


# --- drawing --------------------------------------------------------------------------------


def _svg(chart_id: str, title: str, desc: str, body: list[str], height: int = HEIGHT) -> str:
    return (
        f'<svg id="{chart_id}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif" '
        f'font-size="12" data-testid="{chart_id}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", fill: str = "#1b1b1b") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, label: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{max(h, 0.5):.1f}" '
        f'fill="{fill}"><title>{escape(label)}</title></rect>'
    )


def net_pay_chart(net_pays: list[int], bins: int = 10) -> Chart:
    data = histogram(net_pays, bins)
    top = max((b.count for b in data), default=0) or 1
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    bar_w = plot_w / max(len(data), 1)
    body = [_text(PAD_L - 8, PAD_T + 10, f"{top} payees", "end")]
    rows = []
    for i, b in enumerate(data):
        h = plot_h * b.count / top
        label = f"{format_cents(b.low)} to {format_cents(b.high - 1)}: {b.count} payees"
        body.append(_rect(PAD_L + i * bar_w + 1, PAD_T + plot_h - h, bar_w - 2, h, TOTAL, label))
        rows.append((format_cents(b.low), format_cents(b.high - 1), str(b.count)))
    if data:
        body.append(_text(PAD_L, HEIGHT - PAD_B + 16, format_cents(data[0].low)))
        body.append(
            _text(WIDTH - PAD_R, HEIGHT - PAD_B + 16, format_cents(data[-1].high - 1), "end")
        )
    body.append(_text(PAD_L + plot_w / 2, HEIGHT - 6, "net pay per payee", "middle"))
    desc = f"{len(net_pays)} payees in {len(data)} equal ranges of net pay; tallest bar {top}."
    return Chart(
        "chart-net-pay",
        "Net pay by payee",
        desc,
        _svg("chart-net-pay", "Net pay by payee", desc, body),
        ("from", "to", "payees"),
        rows,
    )


def findings_chart(by_code: list[tuple[str, str, int]]) -> Chart:
    ordered = sorted(by_code, key=lambda f: (-f[2], f[0]))
    row_h = 22
    height = PAD_T + PAD_B // 2 + row_h * max(len(ordered), 1)
    top = max((n for _, _, n in ordered), default=0) or 1
    plot_w = WIDTH - PAD_L - PAD_R - 180
    body = []
    for i, (code, severity, count) in enumerate(ordered):
        y = PAD_T + i * row_h
        w = plot_w * count / top
        body.append(_text(PAD_L + 90, y + 14, code, "end"))
        body.append(
            _rect(
                PAD_L + 100,
                y + 3,
                w,
                row_h - 6,
                SEVERITY_FILL.get(severity, TOTAL),
                f"{code} ({severity}): {count}",
            )
        )
        body.append(_text(PAD_L + 106 + w, y + 14, f"{count} · {severity}"))
    if not ordered:
        body.append(_text(PAD_L, PAD_T + 14, "no findings"))
    desc = f"{len(ordered)} finding codes, by count; colour is severity (Critical, Warning, Info)."
    return Chart(
        "chart-findings",
        "Findings by code and severity",
        desc,
        _svg("chart-findings", "Findings by code and severity", desc, body, height),
        ("code", "severity", "count"),
        [(c, s, str(n)) for c, s, n in ordered],
    )


def money_flow_chart(totals: dict[str, int]) -> Chart:
    steps = waterfall(totals)
    low = min(0, *(min(s.start, s.end) for s in steps))
    high = max(0, *(max(s.start, s.end) for s in steps)) or 1
    plot_w, plot_h = WIDTH - 40 - PAD_R, HEIGHT - PAD_T - PAD_B
    bar_w = plot_w / len(steps)

    def y(value: int) -> float:
        return PAD_T + plot_h * (high - value) / (high - low)

    body = []
    for i, s in enumerate(steps):
        top_v, bottom_v = max(s.start, s.end), min(s.start, s.end)
        fill = TOTAL if s.total else (UP if s.amount >= 0 else DOWN)
        x = 40 + i * bar_w
        body.append(
            _rect(
                x + 4,
                y(top_v),
                bar_w - 8,
                y(bottom_v) - y(top_v),
                fill,
                f"{s.label}: {format_cents(s.amount)}",
            )
        )
        body.append(_text(x + bar_w / 2, HEIGHT - PAD_B + 14, s.label, "middle"))
        body.append(_text(x + bar_w / 2, HEIGHT - PAD_B + 28, format_cents(s.amount), "middle"))
    body.append(
        f'<line x1="40" x2="{WIDTH - PAD_R}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#555"/>'
    )
    desc = (
        "Money flow of the cycle: claims net, plus interest and carry-in, less offsets and holds, "
        f"plus new overpayments, gives paid {format_cents(steps[-1].amount)}."
    )
    return Chart(
        "chart-money-flow",
        "Money flow of the cycle",
        desc,
        _svg("chart-money-flow", "Money flow of the cycle", desc, body),
        ("step", "amount", "running total"),
        [(s.label, format_cents(s.amount), format_cents(s.end)) for s in steps],
    )


def compare_chart(
    names: list[str], this: list[int], previous: list[int], this_label: str, previous_label: str
) -> Chart:
    row_h = 34
    height = PAD_T + 30 + row_h * len(names)
    top = max([abs(v) for v in this + previous] + [1])
    plot_w = WIDTH - PAD_L - PAD_R - 90
    body = [
        _rect(PAD_L, 4, 10, 10, THIS, this_label),
        _text(PAD_L + 14, 13, this_label),
        _rect(PAD_L + 200, 4, 10, 10, PREVIOUS, previous_label),
        _text(PAD_L + 214, 13, previous_label),
    ]
    rows = []
    for i, name in enumerate(names):
        y0 = PAD_T + 16 + i * row_h
        body.append(_text(PAD_L - 8, y0 + 16, name, "end"))
        for j, (value, fill) in enumerate(((this[i], THIS), (previous[i], PREVIOUS))):
            w = plot_w * abs(value) / top
            body.append(
                _rect(PAD_L, y0 + j * 14 + 2, w, 12, fill, f"{name}: {format_cents(value)}")
            )
            body.append(_text(PAD_L + w + 4, y0 + j * 14 + 12, format_cents(value)))
        rows.append(
            (
                name,
                format_cents(this[i]),
                format_cents(previous[i]),
                format_cents(this[i] - previous[i]),
            )
        )
    desc = f"Totals of {this_label} beside {previous_label}."
    return Chart(
        "chart-compare",
        "This cycle against the previous cycle",
        desc,
        _svg("chart-compare", "This cycle against the previous cycle", desc, body, height),
        ("total", this_label, previous_label, "change"),
        rows,
    )
