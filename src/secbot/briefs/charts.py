"""Headless charts (matplotlib's Agg canvas on a bare Figure: no pyplot, no global state, safe
in worker threads). Every label comes from the brief, which holds only what the reader may see."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from secbot.briefs.model import Brief, category_label

DPI = 110
MAX_CELL_LABELS = 90
"""A heatmap with more filled cells than this shows colour only."""


def _title(brief: Brief, what: str) -> str:
    return f"{what}\n{brief.span} · TLP:{brief.tlp.value}"


def bars_figure(brief: Brief) -> Figure:
    """Reports per bar (a day or a week) stacked by category."""
    # Fixed margins, not constrained layout: the layout solver cost more than the drawing.
    figure = Figure(figsize=(8, 4.2), dpi=DPI)
    figure.subplots_adjust(left=0.07, right=0.74, bottom=0.14, top=0.86)
    ax = figure.add_subplot()
    categories = list(brief.by_category)
    x = list(range(len(brief.buckets)))
    bottoms = [0] * len(x)
    palette = _palette(len(categories))
    for n, category in enumerate(categories):
        heights = [b.counts.get(category, 0) for b in brief.buckets]
        # One collection per category, not a patch per bar: a year has 53 bars x 14
        # categories, and matplotlib's per-patch bookkeeping made that take seconds.
        boxes = [
            [(i - 0.4, low), (i + 0.4, low), (i + 0.4, low + h), (i - 0.4, low + h)]
            for i, (low, h) in enumerate(zip(bottoms, heights, strict=True))
            if h
        ]
        ax.add_collection(
            PolyCollection(boxes, facecolors=[palette[n]], label=category_label(category))
        )
        bottoms = [a + b for a, b in zip(bottoms, heights, strict=True)]
    ax.set_xlim(-0.6, max(len(x) - 0.4, 0.6))
    step = max(1, len(x) // 10)
    shown = x[::-1][::step][::-1]  # counted from the latest bar, so it is always labelled
    ax.set_xticks(shown, [_bar_label(brief, n) for n in shown], fontsize=8)
    ax.set_ylim(0, max(max(bottoms, default=0) * 1.08, 1))
    ax.set_ylabel("reports")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    unit = "day" if brief.period.bucket_days == 1 else "week"
    ax.set_title(_title(brief, f"Reports by {unit} and category"), fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    if categories:
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        ax.text(
            0.5, 0.5, "No reports you may see", ha="center", va="center", transform=ax.transAxes
        )
    return figure


def _bar_label(brief: Brief, n: int) -> str:
    """A bar's first day; a first bar shorter than the rest says how many days it holds."""
    bars = brief.buckets
    label = bars[n].start.astimezone(brief.zone).strftime("%d %b")
    if n == 0 and len(bars) > 1:
        days = round((bars[1].start - bars[0].start).total_seconds() / 86400)
        if days < brief.period.bucket_days:
            label += f"\n({days} d)"
    return label


def heatmap_figure(brief: Brief) -> Figure:
    """Category x state counts for this period."""
    categories = list(brief.by_category)
    states = sorted(brief.by_state)
    cells = brief.heat()
    label_in = 0.3 + 0.065 * max((len(category_label(c)) for c in categories), default=8)
    width_in = label_in + 1.6 + 0.45 * max(len(states), 2)
    height_in = 1.5 + 0.36 * max(len(categories), 2)
    figure = Figure(figsize=(width_in, height_in), dpi=DPI)
    figure.subplots_adjust(
        left=label_in / width_in,
        right=1 - 1.3 / width_in,
        bottom=0.55 / height_in,
        top=1 - 0.75 / height_in,
    )
    ax = figure.add_subplot()
    ax.set_title(_title(brief, "Reports by category and state"), fontsize=10)
    if not categories:
        ax.text(
            0.5, 0.5, "No reports you may see", ha="center", va="center", transform=ax.transAxes
        )
        ax.set_axis_off()
        return figure
    grid = [[cells.get((c, s), 0) for s in states] for c in categories]
    top = max(max(row) for row in grid)
    image = ax.imshow(grid, cmap="Oranges", aspect="auto", vmin=0, vmax=max(top, 1))
    ax.set_xticks(range(len(states)), states, fontsize=8)
    ax.set_yticks(range(len(categories)), [category_label(c) for c in categories], fontsize=8)
    filled = sum(1 for row in grid for value in row if value)
    if filled <= MAX_CELL_LABELS:  # each drawn number costs milliseconds; a dense grid reads
        for r, row in enumerate(grid):  # by colour, and the change table has the numbers
            for c, value in enumerate(row):
                if value:
                    dark = value > top * 0.6
                    ax.text(c, r, str(value), ha="center", va="center", fontsize=7,
                            color="white" if dark else "black")  # fmt: skip
    bar = figure.add_axes(
        (1 - 1.1 / width_in, 0.55 / height_in, 0.15 / width_in, 1 - 1.3 / height_in)
    )
    figure.colorbar(image, cax=bar, label="reports")
    return figure


def _palette(n: int) -> list[tuple[float, float, float, float]]:
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    return [cmap(i % 20) for i in range(n)]


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)  # attaches itself: savefig then renders with Agg, headless
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})  # ~same size, faster
    return buffer.getvalue()


def texts(figure: Figure) -> list[str]:
    """Every string drawn on a figure (titles, ticks, legend, cell labels), for the privacy test."""
    figure.draw_without_rendering()
    return [t.get_text() for t in figure.findobj(Text) if t.get_text()]


def render_chart_png(brief: Brief) -> bytes:
    return png(bars_figure(brief))


def render_heatmap_png(brief: Brief) -> bytes:
    return png(heatmap_figure(brief))
