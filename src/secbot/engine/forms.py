"""Whole-form descriptions for platforms that render forms natively (a Slack modal). The chat
form in report_flow asks the same fields one at a time; both end in the same validation."""

from __future__ import annotations

from dataclasses import dataclass

from secbot.domain.enums import TLP, Severity
from secbot.domain.taxonomy import CATEGORIES


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # choice | text | long_text
    options: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    placeholder: str = ""
    initial: str = ""


REPORT_FORM: tuple[Field, ...] = (
    Field("category", "Category", "choice", tuple((c.label, c.key) for c in CATEGORIES)),
    Field(
        "severity", "Severity", "choice", tuple((s.value.capitalize(), s.value) for s in Severity)
    ),
    Field("what", "What happened", "long_text", placeholder="One or two sentences"),
    Field("where", "Where", "text", optional=True, placeholder="A place or coordinates"),
    Field(
        "when", "When (UTC)", "text", placeholder="now, 2 hours ago, yesterday 14:30", initial="now"
    ),
    Field(
        "tlp",
        "TLP label",
        "choice",
        tuple((t.value, t.value) for t in TLP),
        initial=TLP.AMBER.value,
    ),
)
