"""Trend briefs (issue 13): counts, change table, charts, PDF, CSV and JSON, computed only over
what the reader's Scope may see."""

from secbot.briefs.annex import render_csv, render_json
from secbot.briefs.charts import render_chart_png, render_heatmap_png
from secbot.briefs.compute import build_brief
from secbot.briefs.model import Brief
from secbot.briefs.pdf import render_pdf
from secbot.briefs.period import Period, parse_period
from secbot.briefs.text import render_markdown, render_message

__all__ = [
    "Brief",
    "Period",
    "build_brief",
    "parse_period",
    "render_chart_png",
    "render_csv",
    "render_heatmap_png",
    "render_json",
    "render_markdown",
    "render_message",
    "render_pdf",
]
