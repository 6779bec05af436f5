"""The README's ten-minute trial, run exactly as written: each `$` line as a process of its own
(`make run` is `secbot serve`), the `name>` lines under it typed into that process, codes taken
from what earlier commands printed. Every chat reply must read as a person would write it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.paths import KNOWLEDGE, REPO

pytestmark = pytest.mark.slow

TYPED = re.compile(r"^(\w+)> (.*?)(?:\s{2,}\(.*\))?$")
UNREADABLE = {
    "a stray list marker": re.compile(r"• -"),
    "an index field label": re.compile(r"\bcontact:|Topics:|Dimension:"),
    "a log line": re.compile(r"\b(DEBUG|INFO|WARNING|ERROR)\b|Traceback"),
    "a raw Python value": re.compile(
        r"\bNone\b|\bTrue\b|\bFalse\b|\{'|\['|<secbot\.|\d:\d\d:\d\d\.\d"
    ),
    "a snake_case key": re.compile(r"(?<![`\w.@/-])[a-z]+_[a-z_]+(?![`\w@.])"),
}


@dataclass
class Step:
    command: str
    typed: list[str] = field(default_factory=list)
    output: str = ""


def trial_steps() -> list[Step]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- trial -->", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    steps: list[Step] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append(Step(line[2:]))
        elif match := TYPED.match(line):
            steps[-1].typed.append(match.group(2))
    return steps


def argv(command: str) -> list[str]:
    if command == "make run":
        return [sys.executable, "-m", "secbot", "serve"]
    words = shlex.split(command)
    assert words[0] == ".venv/bin/secbot", command
    return [sys.executable, "-m", "secbot", *words[1:]]


def run_trial(env: dict[str, str], cwd: Path) -> list[Step]:
    steps = trial_steps()
    code = ""
    for step in steps:
        proc = subprocess.Popen(
            argv(step.command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cwd,
        )
        assert proc.stdin is not None and proc.stdout is not None
        head = ""
        if any("DEMO-" in t for t in step.typed):  # the code is printed before the chat starts
            while (line := proc.stdout.readline()) and "join DEMO-" not in line:
                head += line
            head += line
            code = re.findall(r"DEMO-[A-Z0-9-]+", line)[0]
        typed = [re.sub(r"DEMO-X[X-]+|\bCODE\b", code, t) for t in step.typed]
        out, err = proc.communicate("".join(t + "\n" for t in typed), timeout=300)
        assert proc.returncode == 0, (step.command, out, err)
        assert "Traceback" not in err, (step.command, err)
        step.output = head + out
        if "invite create" in step.command:
            code = out.strip().splitlines()[-1].strip()
    return steps


def test_the_readme_trial_reads_well_and_works(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECBOT_")}
    env.update(
        SECBOT_DATA_DIR=str(tmp_path / "var"),
        SECBOT_KNOWLEDGE_DIR=str(KNOWLEDGE),
        PYTHONUNBUFFERED="1",
    )
    steps = run_trial(env, tmp_path)
    (tmp_path / "trial.txt").write_text(
        "\n".join(f"$ {s.command}\n{s.output}" for s in steps), encoding="utf-8"
    )
    chats = [s for s in steps if s.typed]
    for step in chats:
        for what, pattern in UNREADABLE.items():
            found = pattern.search(step.output)
            assert found is None, (what, found and found.group(), step.command, step.output)

    you, bob, sam, bob_room, sam_status = (s.output for s in chats)
    assert "joined as a focal point for Barbados" in you
    assert "OBJ-02" in you, "the maritime objective answers drug trafficking"
    assert "Saved BRB-0001" in you or "Filed BRB-0001" in you, you
    assert "Speightstown" in you and "BRB-0002" in you, you
    assert "Shared BRB-0002 with" in you and "JAM" in you.split("Shared BRB-0002", 1)[1], you
    assert "BRB-0002" in bob and "TLP:" in bob, bob
    assert "BRB-0001 ·" not in bob and "Fishing boat" not in bob, "BRB-0001 is Barbados's alone"
    assert "joined the secretariat" in sam or "secretariat" in sam, sam
    sent = next(s.output for s in steps if s.command.startswith(".venv/bin/secbot alert send"))
    assert "A-1 queued for 1 channel" in sent and "Delivered to 1 console chat." in sent, sent
    assert "⚠ ALERT A-1" in bob_room and "✔ bob acknowledged A-1." in bob_room, bob_room
    assert "Delivered 1/1" in sam_status and "bob (JAM)" in sam_status, sam_status
