#!/usr/bin/env python
"""Retrieval latency benchmark: answer latency without an LLM, before and after bulk reports.

Target (issue 3): p95 <= 150 ms with 10,000 synthetic incident reports indexed across 15 states
on a 2-core machine, and a resident set under 800 MB.

    .venv/bin/python scripts/bench_retrieval.py                  # 10,000 reports (~5 minutes)
    .venv/bin/python scripts/bench_retrieval.py --reports 500    # smoke run (~1 minute)

What it does, in one process and a fresh temporary data dir (SQLite + embedded Chroma):

1. builds the app with the real packaged MiniLM embedder and the repository's knowledge/;
2. adds states (knowledge's plus extra codes) with one focal point each (invite + join), a
   secretariat member, and a registered group chat;
3. measures the BASELINE: a fixed list of questions, asked by four principals, with only the
   knowledge indexed;
4. files N synthetic incidents (deterministic seed) through services.incidents.file_incident in a
   few large transactions, with random TLP labels and shares, then times one `index.repair()`;
5. measures the same questions again, and the freshness of new reports, shares and unshares
   filed through the engine (the commit hook refreshes the index within the request);
6. restart check: a fresh child process starts the app on the loaded data dir, as `secbot
   serve` would (nothing to embed), and reports its startup time, latency and memory, which is
   the serving footprint (the benchmark process itself also carries the bulk embedding pass).

`--torch-threads N` sets Settings.embeddings_threads (torch intra-op threads of the embedder);
by default the Settings default is kept, as in `secbot serve`. Results go to --out as JSON,
and a table to stdout.

The bulk load keeps the commit hook out of the way on purpose (see `_skip_commit_hook`), so the
embedding of all reports is the single `repair()` pass that is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:  # runnable without an editable install
    sys.path.insert(0, str(REPO / "src"))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from secbot.access.chroma import retrieval_where  # noqa: E402
from secbot.access.principal import Place, Principal  # noqa: E402
from secbot.access.scope import scope_for  # noqa: E402
from secbot.config import Settings  # noqa: E402
from secbot.db.models import State  # noqa: E402
from secbot.db.types import utcnow  # noqa: E402
from secbot.domain.enums import TLP, ChatKind, Role, Severity  # noqa: E402
from secbot.domain.taxonomy import CATEGORIES  # noqa: E402
from secbot.engine.messages import Inbound  # noqa: E402
from secbot.entrypoints.bootstrap import App, build  # noqa: E402
from secbot.identity.accounts import Account, principal_for  # noqa: E402
from secbot.identity.channels import add_channel, channel_audience  # noqa: E402
from secbot.identity.invites import create_invite, join  # noqa: E402
from secbot.identity.members import list_members  # noqa: E402
from secbot.identity.states import add_state  # noqa: E402
from secbot.reports.incidents import IncidentInput, file_incident  # noqa: E402
from secbot.reports.sharing import share  # noqa: E402

TARGET_P95_MS = 150.0
TARGET_RSS_MB = 800.0
PLATFORM = "console"
GROUP_CHAT = "bench-group"
WARMUP_QUESTIONS = 8
BULK_TRANSACTION = 2500
RESTART_QUESTIONS = 50
EPOCH = datetime(2026, 6, 1, tzinfo=UTC)

# --------------------------------------------------------------------------------------------
# Synthetic material
# --------------------------------------------------------------------------------------------

EXTRA_STATES = [
    ("HTI", "Haiti"),
    ("DOM", "Dominican Republic"),
    ("PAN", "Panama"),
    ("CRI", "Costa Rica"),
    ("SLV", "El Salvador"),
    ("HND", "Honduras"),
    ("GTM", "Guatemala"),
    ("NIC", "Nicaragua"),
    ("URY", "Uruguay"),
    ("PRY", "Paraguay"),
]

PLACES: dict[str, list[str]] = {
    "ATG": ["St. John's harbour", "V. C. Bird airport", "English Harbour", "Barbuda lagoon"],
    "BHS": ["Nassau cruise port", "Freeport container terminal", "Andros", "Exuma cays"],
    "BRB": ["Bridgetown port", "Oistins fish market", "Speightstown", "Grantley Adams airport"],
    "BLZ": ["Belize City", "the Western Highway", "Ambergris Caye", "Punta Gorda"],
    "DMA": ["Roseau ferry terminal", "Portsmouth", "Douglas-Charles airport", "Marigot"],
    "GRD": ["St. George's", "Grand Anse beach", "Carriacou", "Maurice Bishop airport"],
    "GUY": ["Georgetown wharf", "the Essequibo coast", "Lethem border post", "Linden"],
    "JAM": ["Kingston container terminal", "Montego Bay", "Port Antonio", "Ocho Rios"],
    "KNA": ["Basseterre port", "Charlestown, Nevis", "Frigate Bay", "Sandy Point"],
    "LCA": ["Castries harbour", "Vieux Fort", "Rodney Bay marina", "Hewanorra airport"],
    "VCT": ["Kingstown harbour", "Bequia", "Union Island", "Argyle airport"],
    "SUR": ["Paramaribo", "Nieuw Nickerie", "the Marowijne river", "Zanderij airport"],
    "TTO": ["Port of Spain", "Point Lisas", "Scarborough, Tobago", "Chaguaramas"],
    "HTI": ["Port-au-Prince", "Cap-Haitien", "Les Cayes", "the Ouanaminthe crossing"],
    "DOM": ["Santo Domingo port", "Puerto Plata", "Punta Cana", "Barahona"],
}
GENERIC_PLACES = ["the capital", "the main port", "the international airport", "a coastal village"]

# Per category: (title, description) templates. Slots: {place} {n} {vessel} {agency} {when}.
TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "natural_hazard": [
        (
            "Flash flooding near {place}",
            "Heavy rain overnight caused flash flooding near {place}; {n} households were "
            "evacuated and the {agency} opened two shelters.",
        ),
        (
            "Storm surge damage at {place}",
            "A tropical storm pushed a surge over the sea wall at {place} {when}, damaging "
            "roads and cutting power to about {n} homes.",
        ),
        (
            "Landslide blocks road above {place}",
            "A landslide after days of rain blocked the only road above {place}; {n} people "
            "are cut off and the {agency} is clearing debris.",
        ),
    ],
    "environmental_damage": [
        (
            "Oil spill reported off {place}",
            "Fishermen reported an oil sheen about {n} metres long off {place} {when}; the "
            "{agency} suspects a tanker flushing its bilge.",
        ),
        (
            "Sargassum inundation at {place}",
            "Thick sargassum mats piled up at {place}, releasing hydrogen sulphide; {n} "
            "residents complained of headaches.",
        ),
        (
            "Illegal dumping of toxic waste near {place}",
            "Drums of unlabelled chemical waste were found dumped near {place}; the {agency} "
            "sealed the area and took samples.",
        ),
    ],
    "drug_trafficking": [
        (
            "Cocaine seized from go-fast boat near {place}",
            "The {agency} intercepted a go-fast boat near {place} {when} and seized {n} kg of "
            "cocaine; two crew were arrested.",
        ),
        (
            "Cannabis field destroyed inland of {place}",
            "A joint patrol found and destroyed about {n} cannabis plants inland of {place}; "
            "the growers escaped into the bush.",
        ),
        (
            "Narcotics concealed in container at {place}",
            "Scanners at {place} flagged a container of frozen fish hiding {n} packages of "
            "narcotics bound for Europe.",
        ),
    ],
    "firearms_trafficking": [
        (
            "Firearms found in barrel shipment at {place}",
            "Customs at {place} found {n} handguns and ammunition hidden in a barrel of "
            "household goods shipped from Florida.",
        ),
        (
            "Rifles seized from vessel {vessel}",
            "The {agency} boarded the vessel {vessel} near {place} {when} and seized {n} "
            "rifles with their serial numbers filed off.",
        ),
    ],
    "human_trafficking": [
        (
            "Migrants landed at {place}",
            "A boat carrying {n} migrants landed at {place} {when}; several said they paid "
            "smugglers and were promised work.",
        ),
        (
            "Suspected labour exploitation near {place}",
            "The {agency} found {n} foreign workers living in a locked compound near {place}, "
            "their passports held by the employer.",
        ),
    ],
    "maritime_security": [
        (
            "Foreign fishing vessel in the EEZ off {place}",
            "The coast guard spotted the trawler {vessel} fishing without a licence about {n} "
            "nautical miles off {place}; it fled when hailed.",
        ),
        (
            "Yacht boarded and robbed at {place}",
            "Armed men boarded a yacht at anchor off {place} {when} and stole electronics and "
            "cash; the crew of {n} were unharmed.",
        ),
    ],
    "border_incursion": [
        (
            "Unidentified aircraft over {place}",
            "Radar tracked an unidentified light aircraft over {place} {when} for {n} minutes; "
            "it did not answer air traffic control.",
        ),
        (
            "Armed group crossed the border near {place}",
            "Residents near {place} reported {n} armed men crossing the border at night; the "
            "{agency} increased patrols.",
        ),
    ],
    "cyber_incident": [
        (
            "Ransomware at the {agency}",
            "The {agency} was hit by ransomware {when}; {n} workstations are encrypted and "
            "e-services in {place} are offline.",
        ),
        (
            "Phishing campaign against ministry staff",
            "Staff in {place} received {n} phishing emails impersonating the {agency}, asking "
            "them to reset passwords on a fake portal.",
        ),
        (
            "DDoS on government portal",
            "The government portal serving {place} was knocked offline for {n} hours by a "
            "distributed denial of service attack.",
        ),
    ],
    "critical_infrastructure": [
        (
            "Island-wide power outage from {place}",
            "A fault at the {place} substation caused a power outage for {n} hours; hospitals "
            "ran on generators.",
        ),
        (
            "Undersea cable cut near {place}",
            "The undersea telecom cable landing at {place} was damaged {when}; internet "
            "capacity dropped by {n} percent.",
        ),
        (
            "Water supply contamination at {place}",
            "The water treatment plant at {place} was shut down after {n} people fell ill; "
            "the {agency} is testing the supply.",
        ),
    ],
    "financial_crime": [
        (
            "Money laundering through car dealership in {place}",
            "The financial intelligence unit traced {n} cash deposits through a car "
            "dealership in {place} to a known trafficking network.",
        ),
        (
            "Counterfeit notes circulating in {place}",
            "Merchants in {place} reported {n} counterfeit hundred-dollar notes {when}; the "
            "central bank issued a warning.",
        ),
    ],
    "terrorism": [
        (
            "Suspicious package at {place}",
            "A suspicious package was found at {place} {when}; the bomb squad evacuated {n} "
            "people before declaring it harmless.",
        ),
        (
            "Extremist recruitment online in {place}",
            "The {agency} identified {n} young people in {place} contacted online by an "
            "extremist recruiter.",
        ),
    ],
    "civil_unrest": [
        (
            "Protest turns violent in {place}",
            "A protest against fuel prices in {place} turned violent {when}; {n} people were "
            "injured and shops were looted.",
        ),
        (
            "Port workers strike at {place}",
            "A strike by port workers at {place} has stranded {n} containers of food and "
            "medicine for three days.",
        ),
    ],
    "foreign_interference": [
        (
            "Disinformation campaign ahead of elections",
            "Fake accounts posted {n} false stories about voting in {place} {when}; the "
            "{agency} traced the network abroad.",
        ),
        (
            "Espionage suspected at {place}",
            "A foreign national was detained photographing the {agency} installation at "
            "{place}; {n} memory cards were seized.",
        ),
    ],
    "public_health": [
        (
            "Dengue outbreak in {place}",
            "The {agency} confirmed {n} dengue cases in {place} this week and started "
            "fogging and clean-up of breeding sites.",
        ),
        (
            "Suspected cholera cases at {place}",
            "Clinics near {place} reported {n} patients with acute watery diarrhoea {when}; "
            "samples were sent to the regional laboratory.",
        ),
    ],
    "other": [
        (
            "Unusual activity near {place}",
            "Residents reported unusual night-time activity near {place} {when}, with {n} "
            "vehicles coming and going from a disused warehouse.",
        ),
    ],
}
AGENCIES = [
    "coast guard",
    "police",
    "customs department",
    "defence force",
    "disaster management office",
    "ministry of health",
    "environment agency",
    "immigration department",
    "national CSIRT",
    "port authority",
]
VESSELS = ["Sea Breeze", "Lucky Star II", "Ocean Pearl", "Marisol", "Blue Marlin", "Esperanza"]
WHEN = ["this morning", "last night", "on Sunday", "yesterday afternoon", "at dawn", "at midday"]
EXTRA_DETAIL = [
    "Investigations are ongoing.",
    "Neighbouring states have been alerted.",
    "Photographs are available on request.",
    "The information comes from a single source and is not yet corroborated.",
    "A follow-up report will be filed within 48 hours.",
    "",
    "",
]
TLP_WEIGHTS = [
    (TLP.CLEAR, 15),
    (TLP.GREEN, 25),
    (TLP.AMBER, 35),
    (TLP.AMBER_STRICT, 15),
    (TLP.RED, 10),
]

INCIDENT_QUESTIONS = [
    "Any reports of cocaine seized near {place}?",
    "Has there been flooding or storm damage around {place}?",
    "What incidents involved firearms at {place}?",
    "Were migrants landed recently at {place}?",
    "Is there any ransomware or cyber attack reported against the {agency}?",
    "Foreign trawlers fishing illegally off {place}: any reports?",
    "Any dengue or cholera outbreak in {place}?",
    "What happened with the undersea cable near {place}?",
    "Reports of money laundering or counterfeit notes in {place}?",
    "Was there a protest or strike in {place}?",
    "Any oil spill or sargassum at {place}?",
    "Did an unidentified aircraft fly over {place}?",
]
FALLBACK_MODEL_QUESTIONS = [
    "What principles should govern the design and application of the security management model?",
    "Who are the key actors in the framework for the security concerns of small states?",
    "What is the threat from sargassum and marine pollution?",
    "What do we know about ransomware against government and utilities?",
    "Which objective covers the common maritime picture and joint patrols?",
    "Is it possible for any nation to be completely safe?",
]

FRESH_TEXT = (
    "report Quillfeather drone seen hovering over the Zephyrcove fuel depot at dawn, no "
    "markings, it flew off toward the sea."
)
FRESH_QUESTION = "Quillfeather drone over the Zephyrcove fuel depot"


@dataclass(frozen=True)
class Member:
    name: str
    principal: Principal


def places_for(code: str) -> list[str]:
    return PLACES.get(code, [f"{p} of {code}" for p in GENERIC_PLACES])


def incident_text(rng: random.Random, state: str) -> tuple[str, str, str, str]:
    """(category key, title, description, location) for one synthetic report."""
    category = rng.choice(CATEGORIES) if rng.random() < 0.97 else CATEGORIES[-1]
    title_t, body_t = rng.choice(TEMPLATES.get(category.key, TEMPLATES["other"]))
    place = rng.choice(places_for(state))
    slots = {
        "place": place,
        "n": str(rng.choice([2, 3, 5, 8, 12, 17, 25, 40, 60, 120, 300])),
        "vessel": rng.choice(VESSELS),
        "agency": rng.choice(AGENCIES),
        "when": rng.choice(WHEN),
    }
    body = body_t.format(**slots)
    detail = rng.choice(EXTRA_DETAIL)
    return category.key, title_t.format(**slots), f"{body} {detail}".strip(), place


def load_model_questions() -> list[str]:
    """The project's retrieval evaluation questions (model text and knowledge files)."""
    path = REPO / "tests" / "eval" / "questions.yaml"
    try:
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = [str(q["question"]) for q in data["questions"]]
        return found or FALLBACK_MODEL_QUESTIONS
    except (OSError, KeyError, TypeError, ValueError):
        return FALLBACK_MODEL_QUESTIONS


def make_questions(count: int, states: Sequence[str], seed: int) -> list[tuple[str, str]]:
    """(kind, question): half about the model and knowledge files, half about incidents."""
    rng = random.Random(seed + 1)
    model = load_model_questions()
    out: list[tuple[str, str]] = []
    for i in range(count):
        if i % 2 == 0:
            out.append(("model", model[(i // 2) % len(model)]))
        else:
            template = rng.choice(INCIDENT_QUESTIONS)
            place = rng.choice(places_for(rng.choice(list(states))))
            out.append(("incident", template.format(place=place, agency=rng.choice(AGENCIES))))
    return out


# --------------------------------------------------------------------------------------------
# World set-up
# --------------------------------------------------------------------------------------------


def account(name: str) -> Account:
    return Account(PLATFORM, "", name, name)


def enrol(session: Session, name: str, role: Role, state: str | None) -> None:
    code = create_invite(
        session,
        role=role,
        state_code=state,
        created_by="bench",
        ttl=timedelta(hours=2),
        now=utcnow(),
    )
    join(session, account(name), code, utcnow())


def setup_world(app: App, n_states: int) -> None:
    """States, one focal point per state, a secretariat member and a registered group."""
    with app.db.transaction() as session:
        codes = sorted(session.scalars(select(State.code)))
        for code, name in EXTRA_STATES:
            if len(codes) >= n_states:
                break
            if code not in codes:
                add_state(session, code, name, by="bench")
                codes.append(code)
        codes = sorted(codes)[:n_states]
        for code in codes:
            enrol(session, f"fp-{code.lower()}", Role.FOCAL_POINT, code)
        enrol(session, "sec-1", Role.SECRETARIAT, None)
        add_channel(
            session,
            platform=PLATFORM,
            chat_id=GROUP_CHAT,
            audience=",".join(codes[:2]),
            by="bench",
        )


def resolve_world(app: App) -> tuple[list[str], dict[str, Member]]:
    """The benchmark's states (those with a bench focal point) and the measured principals."""
    with app.db.transaction() as session:
        codes = sorted(
            str(m.state_code)
            for m in list_members(session)
            if m.user_id.startswith("fp-") and m.state_code
        )
        fp0 = account(f"fp-{codes[0].lower()}")
        audience = channel_audience(session, PLATFORM, "", GROUP_CHAT)
        members = {
            "focal_point_dm": Member(fp0.user_id, principal_for(session, fp0, Place.direct())),
            "secretariat_dm": Member(
                "sec-1", principal_for(session, account("sec-1"), Place.direct())
            ),
            "unknown": Member("stranger", Principal.unknown(Place.direct())),
            "group_member": Member(fp0.user_id, principal_for(session, fp0, Place.group(audience))),
        }
    return codes, members


def focal_point(session: Session, code: str) -> Principal:
    return principal_for(session, account(f"fp-{code.lower()}"), Place.direct())


def _skip_commit_hook(session: Session) -> None:
    """Flush, then forget which submissions this transaction touched, so the after-commit hook
    does not embed the bulk load piecemeal: the one `repair()` that follows does it, timed."""
    session.flush()
    session.info.pop("touched", None)


def load_reports(app: App, codes: Sequence[str], count: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    tlps = [t for t, _ in TLP_WEIGHTS]
    weights = [w for _, w in TLP_WEIGHTS]
    stats = {"reports": 0, "shared_state": 0, "shared_all": 0, "red": 0}
    done = 0
    while done < count:
        with app.db.transaction() as session:
            principals = {code: focal_point(session, code) for code in codes}
            for _ in range(min(BULK_TRANSACTION, count - done)):
                state = codes[done % len(codes)] if rng.random() < 0.5 else rng.choice(codes)
                category, title, description, place = incident_text(rng, state)
                tlp = rng.choices(tlps, weights)[0]
                submission = file_incident(
                    session,
                    principals[state],
                    IncidentInput(
                        category=category,
                        severity=rng.choice(list(Severity)),
                        title=title,
                        description=description,
                        location=place,
                        occurred_at=EPOCH - timedelta(minutes=rng.randrange(525_600)),
                        tlp=tlp,
                    ),
                )
                done += 1
                stats["reports"] += 1
                roll = rng.random()
                if tlp is TLP.RED:
                    stats["red"] += 1
                elif roll < 0.05:
                    share(session, principals[state], submission.public_id, ["all"])
                    stats["shared_all"] += 1
                elif roll < 0.25:
                    other = rng.choice([c for c in codes if c != state])
                    share(session, principals[state], submission.public_id, [other])
                    stats["shared_state"] += 1
            _skip_commit_hook(session)
    return stats


# --------------------------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------------------------


def summarise(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        if not ordered:
            return 0.0
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return round(ordered[rank], 2)

    return {
        "count": len(ordered),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": round(ordered[-1], 2) if ordered else 0.0,
        "mean_ms": round(statistics.fmean(ordered), 2) if ordered else 0.0,
    }


def ask_once(app: App, principal: Principal, question: str) -> tuple[float, bool]:
    assert app.asker is not None
    start = time.perf_counter()
    with app.db.transaction() as session:
        answer = app.asker.ask(session, principal, question)
    return (time.perf_counter() - start) * 1000, answer.found


def measure(
    app: App, members: dict[str, Member], questions: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    for _kind, question in questions[:WARMUP_QUESTIONS]:
        for member in members.values():
            ask_once(app, member.principal, question)
    overall: list[float] = []
    by_principal: dict[str, list[float]] = {name: [] for name in members}
    by_kind: dict[str, list[float]] = {}
    found = 0
    for kind, question in questions:
        for name, member in members.items():
            ms, ok = ask_once(app, member.principal, question)
            overall.append(ms)
            by_principal[name].append(ms)
            by_kind.setdefault(kind, []).append(ms)
            found += ok
    return {
        **summarise(overall),
        "found_ratio": round(found / max(1, len(overall)), 3),
        "by_principal": {name: summarise(s) for name, s in by_principal.items()},
        "by_question_kind": {kind: summarise(s) for kind, s in by_kind.items()},
        "components_focal_point_dm": components(
            app, members["focal_point_dm"].principal, questions
        ),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def components(
    app: App, principal: Principal, questions: Sequence[tuple[str, str]]
) -> dict[str, dict[str, float]]:
    """Where the time of one ask goes: query embedding, Chroma query, BM25 query (one principal)."""
    assert app.asker is not None
    retriever = app.asker.retriever
    where = retrieval_where(scope_for(principal))
    parts: dict[str, list[float]] = {"embed_query": [], "chroma_query": [], "bm25_query": []}
    for _kind, question in questions:
        t0 = time.perf_counter()
        vector = retriever.embedder.embed_query(question)
        t1 = time.perf_counter()
        retriever.vector.search(vector, retriever.depth, where)
        t2 = time.perf_counter()
        retriever.lexical.search(question, retriever.depth, where)
        t3 = time.perf_counter()
        parts["embed_query"].append((t1 - t0) * 1000)
        parts["chroma_query"].append((t2 - t1) * 1000)
        parts["bm25_query"].append((t3 - t2) * 1000)
    return {name: summarise(samples) for name, samples in parts.items()}


def sees(app: App, principal: Principal, question: str, public_id: str) -> bool:
    assert app.asker is not None
    with app.db.transaction() as session:
        passages = app.asker.passages(session, principal, question)
    return any(p.public_id == public_id for p in passages)


def wait_for(check: Callable[[], bool], deadline_s: float = 10.0) -> tuple[float, int, bool]:
    """(ms until check() first held, polls, held) measured from the call."""
    start = time.perf_counter()
    polls = 0
    while True:
        polls += 1
        if check():
            return (time.perf_counter() - start) * 1000, polls, True
        if time.perf_counter() - start > deadline_s:
            return (time.perf_counter() - start) * 1000, polls, False
        time.sleep(0.005)


def send(app: App, user: str, text: str) -> tuple[str, float]:
    inbound = Inbound(
        platform=PLATFORM,
        workspace="",
        user_id=user,
        chat_id=user,
        chat_kind=ChatKind.DIRECT,
        text=text,
        display_name=user,
    )
    start = time.perf_counter()
    replies = app.engine.handle(inbound)
    return "\n".join(r.text for r in replies), (time.perf_counter() - start) * 1000


def freshness(app: App, codes: Sequence[str]) -> dict[str, Any]:
    """How long after an engine request its effect shows in retrieval (the commit hook refreshes
    the index inside the request, so the first poll should already see it)."""
    owner, grantee = codes[0], codes[1]
    owner_user = f"fp-{owner.lower()}"
    with app.db.transaction() as session:
        owner_p, grantee_p = focal_point(session, owner), focal_point(session, grantee)
    results: dict[str, Any] = {}

    def step(name: str, user: str, text: str, expect: str, check: Callable[[], bool]) -> None:
        reply, handle_ms = send(app, user, text)
        if expect not in reply:
            raise RuntimeError(f"{text!r} failed: {reply}")
        ms, polls, held = wait_for(check)
        results[name] = {
            "engine_ms": round(handle_ms, 2),
            "visible_after_ms": round(ms, 2),
            "total_ms": round(handle_ms + ms, 2),
            "polls": polls,
            "reflected": held,
        }

    public_id = ""

    def owner_sees() -> bool:
        return sees(app, owner_p, FRESH_QUESTION, public_id)

    reply, handle_ms = send(app, owner_user, FRESH_TEXT)
    match = re.search(r"Filed ([A-Z]{3}-\d+)", reply)
    if match is None:
        raise RuntimeError(f"report was not filed: {reply}")
    public_id = match.group(1)
    ms, polls, held = wait_for(owner_sees)
    results["new_report_owner"] = {
        "engine_ms": round(handle_ms, 2),
        "visible_after_ms": round(ms, 2),
        "total_ms": round(handle_ms + ms, 2),
        "polls": polls,
        "reflected": held,
    }
    results["grantee_before_share_sees"] = sees(app, grantee_p, FRESH_QUESTION, public_id)
    step(
        "share_grantee",
        owner_user,
        f"share {public_id} {grantee}",
        "Shared",
        lambda: sees(app, grantee_p, FRESH_QUESTION, public_id),
    )
    step(
        "unshare_grantee",
        owner_user,
        f"unshare {public_id} {grantee}",
        "no longer see",
        lambda: not sees(app, grantee_p, FRESH_QUESTION, public_id),
    )
    readers = app_readers(app, public_id)
    results["index_readers_after_unshare"] = readers
    results["public_id"] = public_id
    return results


def app_readers(app: App, public_id: str) -> list[str]:
    assert app.index is not None
    got = app.index.vector.collection.get(ids=[f"sub:{public_id}"], include=["metadatas"])
    metas = got["metadatas"] or [{}]
    return [str(r) for r in (metas[0] or {}).get("readers", [])]


def rss_mb() -> dict[str, float]:
    """ru_maxrss (kept across exec on Linux, so a child inherits its parent's peak), VmHWM (this
    process image's own peak) and VmRSS (now), in MB."""
    status: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                status[key] = int(value.split()[0]) / 1024
    except (OSError, ValueError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "peak_rss_mb": round(peak, 1),
        "hwm_rss_mb": round(status.get("VmHWM", 0.0), 1),
        "current_rss_mb": round(status.get("VmRSS", 0.0), 1),
    }


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--states", type=int, default=15)
    parser.add_argument("--questions", type=int, default=200, help="distinct questions")
    parser.add_argument("--out", type=Path, default=Path("bench-results/retrieval.json"))
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--data-dir", type=Path, help="keep the data here instead of a temp dir")
    parser.add_argument(
        "--torch-threads",
        type=int,
        help="Settings.embeddings_threads for the embedder; default: the Settings default "
        "(what `secbot serve` uses)",
    )
    parser.add_argument(
        "--no-restart",
        action="store_true",
        help="skip the restart check (a fresh process serving the loaded data dir)",
    )
    parser.add_argument("--restart-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reports < 1 or args.states < 2 or args.questions < 1:
        parser.error("need --reports >= 1, --states >= 2 and --questions >= 1")
    if args.restart_only and not args.data_dir:
        parser.error("--restart-only needs --data-dir")
    return args


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def make_app(data_dir: Path, threads: int | None) -> App:
    """Built as `secbot serve` builds it: the packaged model through the embedder factory."""
    settings = Settings(
        data_dir=data_dir,
        knowledge_dir=REPO / "knowledge",
        database_url=None,
        chroma_url=None,
        embeddings="local",
        llm=None,
    )
    if threads:
        settings = settings.model_copy(update={"embeddings_threads": threads})
    return build(settings)


def torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())


def restart_only(args: argparse.Namespace) -> dict[str, Any]:
    """Child process: start the app on the loaded data dir as `secbot serve` would (repair
    finds nothing to embed), answer questions, and report its latency and memory."""
    t0 = time.perf_counter()
    app = make_app(args.data_dir, args.torch_threads)
    try:
        assert app.index is not None
        startup_s = time.perf_counter() - t0
        codes, members = resolve_world(app)
        questions = make_questions(min(args.questions, RESTART_QUESTIONS), codes, args.seed)
        latency = measure(app, members, questions)
        return {
            "startup_s": round(startup_s, 2),
            "units": app.index.vector.count(),
            "torch_threads": torch_threads(),
            "latency": latency,
            "memory": rss_mb(),
        }
    finally:
        app.db.dispose()


def restart_check(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--restart-only",
        "--data-dir",
        str(data_dir),
        "--questions",
        str(args.questions),
        "--seed",
        str(args.seed),
    ]
    if args.torch_threads:
        command += ["--torch-threads", str(args.torch_threads)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"restart check failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if args.restart_only:
        child = restart_only(args)
        print(json.dumps(child), flush=True)
        return child
    started = time.perf_counter()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    temp = None if args.data_dir else Path(tempfile.mkdtemp(prefix="secbot-bench-"))
    data_dir = args.data_dir or (temp / "data" if temp else Path("bench-data"))
    app: App | None = None
    try:
        log(f"building the app in {data_dir}")
        t0 = time.perf_counter()
        app = make_app(data_dir, args.torch_threads)
        assert app.index is not None and app.asker is not None
        build_s = time.perf_counter() - t0
        knowledge_units = app.index.vector.count()
        setup_world(app, args.states)
        codes, members = resolve_world(app)
        questions = make_questions(args.questions, codes, args.seed)
        log(f"{len(codes)} states, {knowledge_units} knowledge units; measuring the baseline")
        baseline = measure(app, members, questions)
        memory_baseline = rss_mb()

        log(f"filing {args.reports} reports")
        t0 = time.perf_counter()
        load = load_reports(app, codes, args.reports, args.seed)
        load_s = time.perf_counter() - t0
        log(f"filed in {load_s:.1f} s; repairing the index")
        t0 = time.perf_counter()
        report = app.index.repair()
        repair_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        app.index.lexical.search("bench", 1, {"owner": "*regional"})  # built lazily, if at all
        first_bm25_ms = (time.perf_counter() - t0) * 1000
        got = app.index.vector.collection.get(where={"kind": "incident"}, include=[])
        indexed_reports = len(got["ids"])
        log(f"embedded {report.embedded} units in {repair_s:.1f} s; measuring again")
        loaded = measure(app, members, questions)
        fresh = freshness(app, codes)
        memory = rss_mb()
        restart: dict[str, Any] | None = None
        if not args.no_restart:
            log("restart check: a fresh process serving the loaded data dir")
            restart = restart_check(args, data_dir)

        ratio = loaded["p95_ms"] / baseline["p95_ms"] if baseline["p95_ms"] else 0.0
        results: dict[str, Any] = {
            "config": {
                "reports": args.reports,
                "states": len(codes),
                "questions": len(questions),
                "principals": list(members),
                "asks_per_phase": len(questions) * len(members),
                "seed": args.seed,
                "embedder": "LocalEmbedder (all-MiniLM-L6-v2, CPU)",
                "torch_threads": torch_threads(),
                "vector_store": "chromadb PersistentClient",
                "database": "sqlite",
                "cpus": os.cpu_count(),
                "load_average_at_start": load_at_start,
            },
            "setup": {
                "build_s": round(build_s, 2),
                "knowledge_units": knowledge_units,
                "load_reports_s": round(load_s, 2),
                **load,
            },
            "index": {
                "indexed_reports": indexed_reports,
                "units_total": report.total,
                "embedded": report.embedded,
                "repair_s": round(repair_s, 2),
                "embeddings_per_s": round(report.embedded / repair_s, 1) if repair_s else 0.0,
                "first_bm25_query_ms": round(first_bm25_ms, 1),
            },
            "baseline": baseline,
            "loaded": loaded,
            "p95_ratio": round(ratio, 2),
            "freshness": fresh,
            "memory": {**memory, "baseline_current_rss_mb": memory_baseline["current_rss_mb"]},
            "restart": restart,
            "targets": {
                "p95_ms": TARGET_P95_MS,
                "rss_mb": TARGET_RSS_MB,
                "p95_met": loaded["p95_ms"] <= TARGET_P95_MS,
                "rss_met": memory["peak_rss_mb"] < TARGET_RSS_MB,
                "restart_rss_met": None
                if restart is None
                else restart["memory"]["hwm_rss_mb"] < TARGET_RSS_MB,
            },
            "wall_s": round(time.perf_counter() - started, 1),
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(render(results))
        log(f"wrote {args.out}")
        return results
    finally:
        if app is not None:
            app.db.dispose()
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def render(r: dict[str, Any]) -> str:
    cols = ("count", "p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms")
    lines = [
        f"secbot retrieval benchmark: {r['config']['reports']} reports, "
        f"{r['config']['states']} states, {r['config']['questions']} questions x "
        f"{len(r['config']['principals'])} principals",
        "",
        f"{'phase':<28}" + "".join(f"{c:>10}" for c in cols) + f"{'found':>8}",
    ]

    def row(label: str, s: dict[str, Any], found: Any = "") -> str:
        return f"{label:<28}" + "".join(f"{s[c]:>10}" for c in cols) + f"{found!s:>8}"

    for phase in ("baseline", "loaded"):
        lines.append(row(phase, r[phase], r[phase]["found_ratio"]))
        for name, s in r[phase]["by_principal"].items():
            lines.append(row(f"  {name}", s))
        for name, s in r[phase]["by_question_kind"].items():
            lines.append(row(f"  q:{name}", s))
        for name, s in r[phase]["components_focal_point_dm"].items():
            lines.append(row(f"  part:{name}", s))
    ix, mem, t = r["index"], r["memory"], r["targets"]
    lines += [
        "",
        f"p95 ratio loaded/baseline: {r['p95_ratio']}x   target p95 <= {t['p95_ms']} ms: "
        f"{'MET' if t['p95_met'] else 'MISSED'}",
        f"index: {ix['indexed_reports']} reports indexed, {ix['embedded']} embedded in "
        f"{ix['repair_s']} s ({ix['embeddings_per_s']}/s, BM25 rebuild included); "
        f"first BM25 query {ix['first_bm25_query_ms']} ms",
        f"memory: peak {mem['peak_rss_mb']} MB, current {mem['current_rss_mb']} MB "
        f"(baseline {mem['baseline_current_rss_mb']} MB)   target < {t['rss_mb']} MB: "
        f"{'MET' if t['rss_met'] else 'MISSED'}",
        "freshness (engine request, then polls until retrieval reflects it):",
    ]
    for name in ("new_report_owner", "share_grantee", "unshare_grantee"):
        f = r["freshness"][name]
        lines.append(
            f"  {name:<18} engine {f['engine_ms']:>8} ms, then {f['visible_after_ms']:>8} ms "
            f"({f['polls']} poll{'s' if f['polls'] != 1 else ''}), reflected={f['reflected']}"
        )
    if r.get("restart"):
        rs = r["restart"]
        lines.append(
            f"restart (fresh process, {rs['units']} units): startup {rs['startup_s']} s, "
            f"p50 {rs['latency']['p50_ms']} ms, p95 {rs['latency']['p95_ms']} ms "
            f"({rs['latency']['count']} asks), peak RSS (VmHWM) {rs['memory']['hwm_rss_mb']} MB, "
            f"current {rs['memory']['current_rss_mb']} MB"
        )
    lines.append(
        f"wall time: {r['wall_s']} s on {r['config']['cpus']} CPUs, torch threads "
        f"{r['config']['torch_threads']}; load average at start "
        f"{r['config']['load_average_at_start']}, baseline {r['baseline']['load_average']}, "
        f"loaded {r['loaded']['load_average']}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
