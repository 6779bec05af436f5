"""The brief as text: a short chat message and the full Markdown version (the CLI's `md`)."""

from __future__ import annotations

from datetime import datetime

from secbot.briefs import changes
from secbot.briefs.model import Brief, ChangeRow, Item, ThreatActivity, category_label

MESSAGE_CHANGES = 5


def day(brief: Brief, at: datetime) -> str:
    return at.astimezone(brief.zone).strftime("%d %b %Y")


def header_lines(brief: Brief) -> list[str]:
    lines = [
        f"TLP:{brief.tlp.value} · Trend brief, {brief.span} "
        f"({day(brief, brief.start)} to {day(brief, brief.end)})",
        f"For {brief.reader}" + (f" · states: {', '.join(brief.states)}" if brief.states else ""),
    ]
    if brief.next_issue is not None:
        lines.append(f"Next issue: {day(brief, brief.next_issue)}")
    return lines


def figure_lines(brief: Brief) -> list[str]:
    f = brief.figures
    lines = [
        f"Reports: {f.current} this period, {f.previous} the previous period, "
        f"{f.trailing_mean:.1f} trailing 52-week mean",
        f"States reporting: {len(f.states_reporting)}"
        + (f" ({', '.join(f.states_reporting)})" if f.states_reporting else ""),
    ]
    if f.alerts_sent is not None:
        rate = (
            "no alerts to acknowledge" if f.ack_rate is None else f"{f.ack_rate:.0%} acknowledged"
        )
        lines.append(f"Alerts sent: {f.alerts_sent} ({rate})")
    return lines


def change_text(row: ChangeRow) -> str:
    pct = "new" if row.change_pct is None else f"{row.change_pct:+.0f} %"
    return (
        f"{category_label(row.category)}, {row.state}: {row.current} "
        f"(prev {row.previous}, mean {row.mean:.1f}, {pct}) {row.trend}"
    )


def item_text(brief: Brief, item: Item) -> str:
    where = f", {item.place}" if item.place else ""
    n = item.open_tasks
    tasks = f" · {n} open task{'s' * (n != 1)}" if n else ""
    return (
        f"{item.public_id} [{item.tlp.value}] {day(brief, item.occurred_at)}{where}: "
        f"{item.title} ({item.severity}){tasks}"
    )


def threat_label(entry: ThreatActivity) -> str:
    """A state's own register entry is a submission: it shows its TLP wherever it is quoted."""
    return f" TLP:{entry.tlp}" if entry.tlp else ""


def render_message(brief: Brief) -> str:
    """The chat summary: what changed and what to look at; the PDF carries the rest."""
    lines = [*header_lines(brief), "", brief.bottom_line, "", *figure_lines(brief)]
    moving = [r for r in brief.changes if r.trend != changes.LIMITED][:MESSAGE_CHANGES]
    if moving:
        lines += ["", "Changes:", *(f"• {change_text(r)}" for r in moving)]
    if brief.first_seen_categories or brief.first_seen_places:
        lines += ["", *first_seen_lines(brief)]
    if brief.notable:
        lines += ["", "Notable:", *(f"• {item_text(brief, it)}" for it in brief.notable)]
    rising = [t for t in brief.threats if t.rising]
    if rising:
        lines += [
            "",
            "Rising register entries: "
            + ", ".join(f"{t.code}{threat_label(t)} ({t.current})" for t in rising),
        ]
    lines += ["", brief.caveat]
    return "\n".join(lines)


def first_seen_lines(brief: Brief) -> list[str]:
    lines = []
    if brief.first_seen_categories:
        labels = ", ".join(category_label(c) for c in brief.first_seen_categories)
        lines.append(f"First seen (categories): {labels}")
    if brief.first_seen_places:
        lines.append(f"First seen (places): {', '.join(brief.first_seen_places)}")
    return lines


def render_markdown(brief: Brief) -> str:
    out = [f"# {header_lines(brief)[0]}", "", *(f"{line}  " for line in header_lines(brief)[1:])]
    out += ["", "## Bottom line", "", brief.bottom_line, "", "## Key figures", ""]
    out += [f"- {line}" for line in figure_lines(brief)]
    out += ["", "## Change by category and state", "", f"Thresholds: {changes.THRESHOLDS}.", ""]
    if brief.changes:
        out += [
            "| category | state | this period | previous | 52-week mean | change | trend |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        for r in brief.changes:
            pct = "new" if r.change_pct is None else f"{r.change_pct:+.0f} %"
            out.append(
                f"| {category_label(r.category)} | {r.state} | {r.current} | {r.previous} | "
                f"{r.mean:.1f} | {pct} | {r.trend} |"
            )
    else:
        out.append("No reports to compare.")
    out += ["", "## First seen", ""]
    out += [f"- {line}" for line in first_seen_lines(brief)] or ["Nothing new this period."]
    out += ["", "## Threat-register activity", ""]
    basis = (
        "linked reports" if brief.threat_source == "links" else "reports in the entry's category"
    )
    out += [
        f"- {t.code}{threat_label(t)} {t.title}: {t.current} ({t.previous} before)"
        f"{' rising' if t.rising else ''}"
        for t in brief.threats
    ] or ["No register entry had reports."]
    out += ["", f"Counted as {basis}.", "", "## Notable incidents", ""]
    out += [f"- {item_text(brief, it)}" for it in brief.notable] or ["None."]
    out += ["", "## Objectives and indicators", ""]
    for o in brief.objectives:
        out.append(f"- {o.code} {o.title} (threats {', '.join(o.linked_threats)})")
        out += [f"  - {i}" for i in o.indicators]
    if not brief.objectives:
        out.append("No agreed objective answers an entry active this period.")
    out += ["", "## What the counts cover", "", brief.caveat, ""]
    return "\n".join(out)
