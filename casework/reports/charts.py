"""Server-drawn charts: inline SVG, no JavaScript, each one with a text alternative.

Every chart is an <svg role="img"> named by its <title> and summed up in its <desc> (the
range and the latest value), and the page puts the same numbers in a table beside it, so
nothing depends on seeing the picture. Series are told apart by line style and marker shape
as well as colour, and the legend names them in words.
"""
from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

# GOV.UK Design System colours: blue, red, green, orange, purple.
COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92")
DASHES = ("", "6 4", "2 3", "8 3 2 3", "1 2")
MARKERS = ("circle", "square", "triangle", "diamond", "circle")


def _nice_max(value: float) -> float:
    """A round axis top at or above value (1, 2, 2.5 or 5 × a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "no data"
    if unit == "%":
        return f"{value:.1f}%"
    if float(value).is_integer():
        return f"{int(value):,}{unit}"
    return f"{value:,.1f}{unit}"


def _summary(labels: list[str], values: list[float | None], unit: str) -> str:
    known = [(v, l) for v, l in zip(values, labels) if v is not None]
    if not known:
        return "No data for this period."
    high = max(known, key=lambda x: x[0])
    low = min(known, key=lambda x: x[0])
    latest = known[-1]
    return (f"Highest {_fmt(high[0], unit)} ({high[1]}); lowest {_fmt(low[0], unit)} ({low[1]}); "
            f"latest {_fmt(latest[0], unit)} ({latest[1]}).")


def _axis(y_max: float, top: int, bottom: int, left: int, right: int, unit: str) -> list[str]:
    parts = []
    for i in range(5):
        value = y_max * i / 4
        y = bottom - (bottom - top) * i / 4
        dotted = "" if i == 0 else ' stroke-dasharray="2 3"'
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#b1b4b6" stroke-width="1"{dotted}/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="#0b0c0c">'
                     f'{escape(_fmt(value, unit))}</text>')
    return parts


def _x_labels(labels: list[str], x_of, bottom: int) -> list[str]:
    step = max(1, math.ceil(len(labels) / 12))
    parts = []
    for i, label in enumerate(labels):
        if i % step:
            continue
        parts.append(f'<text x="{x_of(i):.1f}" y="{bottom + 16}" text-anchor="middle" font-size="12" fill="#0b0c0c">'
                     f'{escape(label)}</text>')
    return parts


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg class="casework-chart" id="{chart_id}" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMinYMin meet" focusable="false" font-family="GDS Transport, arial, sans-serif">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def bar_chart(chart_id: str, title: str, labels: list[str], values: list[float | None], *, unit: str = "",
              width: int = 640, height: int = 260) -> Markup:
    """Vertical bars, one per label, with each value written above its bar."""
    left, right, top, bottom = 56, width - 10, 16, height - 28
    numbers = [v for v in values if v is not None]
    y_max = 100.0 if unit == "%" else _nice_max(max(numbers) if numbers else 0)
    n = max(len(labels), 1)
    slot = (right - left) / n
    bar = slot * 0.7

    def x_of(i):
        return left + slot * i + slot / 2

    parts = _open(chart_id, title, _summary(labels, values, unit), width, height)
    parts += _axis(y_max, top, bottom, left, right, unit)
    for i, value in enumerate(values):
        if value is None:
            continue
        h = (bottom - top) * min(value, y_max) / y_max
        parts.append(f'<rect x="{x_of(i) - bar / 2:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                     f'fill="{COLOURS[0]}"/>')
        if n <= 16:
            parts.append(f'<text x="{x_of(i):.1f}" y="{bottom - h - 4:.1f}" text-anchor="middle" font-size="11" '
                         f'fill="#0b0c0c">{escape(_fmt(value, unit))}</text>')
    parts += _x_labels(labels, x_of, bottom)
    parts.append("</svg>")
    return Markup("".join(parts))


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if shape == "triangle":
        return f'<polygon points="{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y + 3.5:.1f} {x - 4.5:.1f},{y + 3.5:.1f}" fill="{colour}"/>'
    if shape == "diamond":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def line_chart(chart_id: str, title: str, labels: list[str], series: dict[str, list[float | None]], *,
               unit: str = "", width: int = 640, height: int = 260, y_max: float | None = None) -> Markup:
    """One line per series (gaps where there is no value), with a legend in words."""
    legend_height = 20 * len(series) if len(series) > 1 else 0
    left, right, top, bottom = 56, width - 10, 16, height - 28 - legend_height
    numbers = [v for values in series.values() for v in values if v is not None]
    if y_max is None:
        y_max = 100.0 if unit == "%" else _nice_max(max(numbers) if numbers else 0)
    n = max(len(labels), 1)
    slot = (right - left) / n

    def x_of(i):
        return left + slot * i + slot / 2

    def y_of(v):
        return bottom - (bottom - top) * min(v, y_max) / y_max

    first = next(iter(series.values()), [])
    desc = _summary(labels, first, unit) if len(series) == 1 else " ".join(
        f"{name}: {_summary(labels, values, unit)}" for name, values in series.items())
    parts = _open(chart_id, title, desc, width, height)
    parts += _axis(y_max, top, bottom, left, right, unit)
    for s, (name, values) in enumerate(series.items()):
        colour, dash, marker = COLOURS[s % 5], DASHES[s % 5], MARKERS[s % 5]
        segment: list[str] = []
        segments = []
        for i, value in enumerate(values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x_of(i):.1f},{y_of(value):.1f}")
        if segment:
            segments.append(segment)
        for points in segments:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        for i, value in enumerate(values):
            if value is not None:
                parts.append(_marker(marker, x_of(i), y_of(value), colour))
        if len(series) > 1:
            y = height - legend_height + 20 * s + 4
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<line x1="{left}" y1="{y}" x2="{left + 28}" y2="{y}" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
            parts.append(_marker(marker, left + 14, y, colour))
            parts.append(f'<text x="{left + 36}" y="{y + 4}" font-size="12" fill="#0b0c0c">{escape(name)}</text>')
    parts += _x_labels(labels, x_of, bottom)
    parts.append("</svg>")
    return Markup("".join(parts))
