"""The brief as a PDF (reportlab, pure Python: docs/decisions/0020): the TLP on every page,
both charts, the tables, the caveat."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from secbot.briefs import changes, charts
from secbot.briefs.model import Brief, category_label
from secbot.briefs.text import figure_lines, first_seen_lines, header_lines, item_text
from secbot.domain.enums import TLP

TLP_COLOURS = {
    TLP.CLEAR: colors.black,
    TLP.GREEN: colors.HexColor("#33a02c"),
    TLP.AMBER: colors.HexColor("#ffc000"),
    TLP.AMBER_STRICT: colors.HexColor("#ffc000"),
    TLP.RED: colors.HexColor("#ff2b2b"),
}
WIDTH = A4[0] - 3 * cm
TABLE_ROWS = 40
"""The change table in the PDF stops here; the CSV annex has every report."""


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": base["Title"],
        "h2": ParagraphStyle("h2", parent=base["Heading2"], keepWithNext=1),
        "body": base["BodyText"],
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8, leading=10),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _table(rows: list[list[str]], widths: list[float] | None = None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _image(data: bytes) -> Image:
    """At the chart's own size (its pixels at the DPI it was drawn with), narrowed to the page."""
    image = Image(io.BytesIO(data))
    natural = image.imageWidth / charts.DPI * 72
    width = min(WIDTH, natural)
    image.drawWidth, image.drawHeight = width, width * image.imageHeight / image.imageWidth
    return image


def _change_rows(brief: Brief) -> list[list[str]]:
    rows = [["category", "state", "this period", "previous", "52-wk mean", "change", "trend"]]
    for r in brief.changes[:TABLE_ROWS]:
        pct = "new" if r.change_pct is None else f"{r.change_pct:+.0f} %"
        rows.append(
            [
                category_label(r.category),
                r.state,
                str(r.current),
                str(r.previous),
                f"{r.mean:.1f}",
                pct,
                r.trend,
            ]
        )
    return rows


def story(brief: Brief, chart_png: bytes, heatmap_png: bytes) -> list[Any]:
    s = _styles()
    head = header_lines(brief)
    flow: list[Any] = [_p(head[0], s["title"]), *(_p(line, s["body"]) for line in head[1:])]
    flow += [_p("Bottom line", s["h2"]), _p(brief.bottom_line, s["body"])]
    flow += [_p("Key figures", s["h2"]), *(_p(line, s["body"]) for line in figure_lines(brief))]
    flow += [Spacer(1, 6), _image(chart_png)]
    flow += [_p("Change by category and state", s["h2"]), _p(changes.THRESHOLDS, s["small"])]
    if brief.changes:
        flow.append(_table(_change_rows(brief)))
        if len(brief.changes) > TABLE_ROWS:
            more = len(brief.changes) - TABLE_ROWS
            flow.append(_p(f"{more} more rows of limited change in the CSV annex.", s["small"]))
    flow += [Spacer(1, 6), _image(heatmap_png)]
    flow += [_p("First seen", s["h2"])]
    flow += [_p(line, s["body"]) for line in first_seen_lines(brief)] or [
        _p("Nothing new this period.", s["body"])
    ]
    flow += [_p("Threat-register activity", s["h2"])]
    if brief.threats:
        rows = [["entry", "title", "this period", "before", ""]]
        rows += [
            [
                f"{t.code} TLP:{t.tlp}" if t.tlp else t.code,
                t.title[:60],
                str(t.current),
                str(t.previous),
                "rising" if t.rising else "",
            ]
            for t in brief.threats
        ]
        flow.append(_table(rows))
    else:
        flow.append(_p("No register entry had reports.", s["body"]))
    flow += [_p("Notable incidents", s["h2"])]
    flow += [_p(item_text(brief, it), s["body"]) for it in brief.notable] or [
        _p("None.", s["body"])
    ]
    flow += [_p("Objectives and indicators", s["h2"])]
    for o in brief.objectives:
        flow.append(_p(f"{o.code} {o.title} (threats {', '.join(o.linked_threats)})", s["body"]))
        flow += [_p(f"- {i}", s["small"]) for i in o.indicators]
    if not brief.objectives:
        flow.append(_p("No agreed objective answers an entry active this period.", s["body"]))
    flow += [_p("What the counts cover", s["h2"]), _p(brief.caveat, s["body"])]
    return flow


def render_pdf(
    brief: Brief, *, chart_png: bytes | None = None, heatmap_png: bytes | None = None
) -> bytes:
    """Pass the charts when they were already drawn (the chat reply sends the bar chart too),
    so a brief draws each chart once."""
    chart_png = chart_png or charts.render_chart_png(brief)
    heatmap_png = heatmap_png or charts.render_heatmap_png(brief)
    buffer = io.BytesIO()
    label = f"TLP:{brief.tlp.value}"

    def mark(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 9)
        canvas.setFillColor(TLP_COLOURS[brief.tlp])
        canvas.drawRightString(A4[0] - 1.5 * cm, A4[1] - 1 * cm, label)
        canvas.drawRightString(A4[0] - 1.5 * cm, 1 * cm, label)
        canvas.setFillColor(colors.grey)
        canvas.setFont("Helvetica", 8)
        canvas.drawString(1.5 * cm, 1 * cm, f"secbot trend brief · page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=f"Trend brief, {brief.span} ({label})",
        author="secbot",
    )
    doc.build(story(brief, chart_png, heatmap_png), onFirstPage=mark, onLaterPages=mark)
    return buffer.getvalue()
