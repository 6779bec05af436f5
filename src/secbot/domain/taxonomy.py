"""The incident taxonomy: categories a focal point picks from, each tied to a security dimension.

Keywords let the one-line `report <text>` form guess a category; the guess is always shown back to
the reporter so a wrong guess costs one correction, not a wrong record.
"""

from __future__ import annotations

from dataclasses import dataclass

from secbot.domain.enums import SecurityDimension as D


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    dimension: D
    keywords: tuple[str, ...]


CATEGORIES: tuple[Category, ...] = (
    Category(
        "natural_hazard",
        "Natural hazard",
        D.ENVIRONMENT,
        (
            "hurricane",
            "storm",
            "flood",
            "earthquake",
            "volcano",
            "landslide",
            "tsunami",
            "drought",
            "cyclone",
            "surge",
        ),
    ),
    Category(
        "environmental_damage",
        "Environmental damage",
        D.ENVIRONMENT,
        ("spill", "pollution", "dumping", "sargassum", "reef", "toxic", "waste"),
    ),
    Category(
        "drug_trafficking",
        "Drug trafficking",
        D.TRANSNATIONAL_CRIME,
        ("cocaine", "drug", "drugs", "narcotic", "narcotics", "cannabis", "marijuana"),
    ),
    Category(
        "firearms_trafficking",
        "Firearms trafficking",
        D.TRANSNATIONAL_CRIME,
        ("firearm", "firearms", "gun", "guns", "ammunition", "rifle", "weapons"),
    ),
    Category(
        "human_trafficking",
        "Human trafficking or smuggling",
        D.TRANSNATIONAL_CRIME,
        ("trafficking", "smuggling", "migrants", "migrant", "exploitation"),
    ),
    Category(
        "maritime_security",
        "Maritime security",
        D.SOVEREIGNTY,
        ("vessel", "boat", "ship", "fishing", "piracy", "maritime", "eez", "yacht"),
    ),
    Category(
        "border_incursion",
        "Border or airspace incursion",
        D.SOVEREIGNTY,
        ("border", "incursion", "airspace", "aircraft", "territorial"),
    ),
    Category(
        "cyber_incident",
        "Cyber incident",
        D.CYBER,
        ("cyber", "ransomware", "phishing", "malware", "hack", "hacked", "ddos", "breach"),
    ),
    Category(
        "critical_infrastructure",
        "Critical infrastructure failure",
        D.ECONOMY_TRADE,
        ("power", "outage", "grid", "port", "airport", "water", "telecom", "cable"),
    ),
    Category(
        "financial_crime",
        "Financial crime",
        D.ECONOMY_TRADE,
        ("laundering", "fraud", "sanctions", "counterfeit", "scam", "financial"),
    ),
    Category(
        "terrorism",
        "Terrorism or violent extremism",
        D.MILITARY_POLITICAL,
        ("terror", "terrorist", "bomb", "explosive", "extremist", "attack"),
    ),
    Category(
        "civil_unrest",
        "Civil unrest",
        D.DEMOCRATIC_INSTITUTIONS,
        ("protest", "riot", "unrest", "strike", "election", "demonstration"),
    ),
    Category(
        "foreign_interference",
        "Foreign interference",
        D.EXTERNAL_INTERFERENCE,
        ("interference", "disinformation", "influence", "espionage", "coercion"),
    ),
    Category(
        "public_health",
        "Public health emergency",
        D.PUBLIC_HEALTH,
        ("outbreak", "disease", "epidemic", "virus", "dengue", "cholera", "health"),
    ),
    Category("other", "Other", D.MILITARY_POLITICAL, ()),
)

BY_KEY: dict[str, Category] = {c.key: c for c in CATEGORIES}


def guess_category(text: str) -> Category:
    """Pick the category whose keywords appear most often in the text; `other` when none do."""
    words = [w.strip(".,;:!?()\"'").lower() for w in text.split()]
    best, best_hits = BY_KEY["other"], 0
    for category in CATEGORIES:
        hits = sum(1 for w in words if w in category.keywords)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


def find_category(text: str) -> Category | None:
    """Accept a key, a label or a unique prefix of either, case-insensitively."""
    needle = text.strip().lower().replace(" ", "_")
    if needle in BY_KEY:
        return BY_KEY[needle]
    matches = [
        c
        for c in CATEGORIES
        if c.key.startswith(needle) or c.label.lower().replace(" ", "_").startswith(needle)
    ]
    return matches[0] if len(matches) == 1 else None
