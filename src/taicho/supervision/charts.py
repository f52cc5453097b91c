"""Charts drawn on the server as inline SVG (item 8: no CDN; nothing to install in the browser). Each chart is
also described by its table on the same page, so the numbers can be read and downloaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLORS = {"green": "#198754", "yellow": "#ffc107", "red": "#dc3545", "grey": "#6c757d", "blue": "#0d6efd"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    color: str = "blue"
    note: str = ""


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    text = f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if text.endswith(",0"):
        text = text[:-2]
    return f"{text}{unit}"


def hbar(
    bars: Sequence[Bar],
    *,
    title: str,
    maximum: float | None = None,
    target: float | None = None,
    target_label: str = "",
    unit: str = "",
    width: int = 640,
) -> SafeString:
    """Horizontal bars, one per row (agencies, levels…), with an optional target line."""
    row, label_w, pad = 20, 230, 8
    top = 28
    height = top + row * max(1, len(bars)) + 24
    plot_w = width - label_w - 70
    peak = maximum or max([b.value or 0 for b in bars] + [target or 0, 1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="13" font-weight="600">{escape(title)}</text>',
    ]
    for i, bar in enumerate(bars):
        y = top + i * row
        length = 0 if bar.value is None else max(0.0, min(1.0, bar.value / peak)) * plot_w
        label = bar.label if len(bar.label) <= 38 else bar.label[:36] + "…"
        parts.append(
            f'<text x="{label_w - pad}" y="{y + 14}" font-size="11" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" '
            f'fill="{COLORS.get(bar.color, bar.color)}"><title>{escape(bar.label)}: '
            f"{escape(_fmt(bar.value, unit))}{escape(bar.note)}</title></rect>"
            f'<text x="{label_w + length + 4:.1f}" y="{y + 14}" font-size="11">{escape(_fmt(bar.value, unit))}</text>'
        )
    if target is not None:
        x = label_w + min(1.0, target / peak) * plot_w
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 20}" stroke="#000" '
            f'stroke-dasharray="4 3"/><text x="{x:.1f}" y="{height - 6}" font-size="11" text-anchor="middle">'
            f"{escape(target_label or _fmt(target, unit))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def columns(
    points: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    series: Sequence[str],
    colors: Sequence[str] = ("blue", "green", "red"),
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Grouped columns over time (e.g. received / finished / late per week), with a legend."""
    left, bottom, top = 44, 36, 30
    plot_w, plot_h = width - left - 10, height - top - bottom
    peak = max([v for _, values in points for v in values] + [1])
    group = plot_w / max(1, len(points))
    bar_w = max(1.0, (group - 2) / max(1, len(series)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="13" font-weight="600">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 8}" font-size="10" text-anchor="end">{escape(_fmt(peak, ""))}</text>',
    ]
    step = max(1, len(points) // 8)
    for i, (label, values) in enumerate(points):
        x0 = left + i * group + 1
        for j, value in enumerate(values):
            h = plot_h * value / peak
            parts.append(
                f'<rect x="{x0 + j * bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{COLORS.get(colors[j % len(colors)], colors[j % len(colors)])}"><title>{escape(label)} — '
                f"{escape(series[j])}: {escape(_fmt(value, ''))}</title></rect>"
            )
        if i % step == 0:
            parts.append(
                f'<text x="{x0 + group / 2:.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    for j, name in enumerate(series):
        x = left + j * 150
        color = COLORS.get(colors[j % len(colors)], colors[j % len(colors)])
        parts.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{color}"/>'
            f'<text x="{x + 14}" y="{height - 5}" font-size="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped
