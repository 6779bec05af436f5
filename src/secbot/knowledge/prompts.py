"""Prompt templates live as text files in `prompts/` so wording changes need no code change.

Templates with placeholders use `str.format` named fields (`answer.txt`: `{question}` and
`{passages}`). Substituted values are not re-parsed, so braces inside a question or a passage are
safe; a literal brace in a template itself must be doubled (`{{`).

The directory is, in order: the `directory` argument, the `SECBOT_PROMPTS_DIR` environment
variable, then the repository's `prompts/` folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PROMPTS_ENV = "SECBOT_PROMPTS_DIR"
DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parents[3] / "prompts"
_NAME = re.compile(r"[a-z_]+")


class UnknownPromptError(LookupError):
    """A prompt name that is malformed or has no file: a deployment error, so say which."""


def prompts_directory(directory: Path | None = None) -> Path:
    """Where prompts are read from (argument, then environment, then the repository)."""
    if directory is not None:
        return directory
    from_env = os.environ.get(PROMPTS_ENV)
    return Path(from_env) if from_env else DEFAULT_PROMPTS_DIR


def load_prompt(name: str, directory: Path | None = None) -> str:
    """Return the text of `NAME.txt`, surrounding whitespace stripped.

    Only names matching `[a-z_]+` are accepted, so a name can never reach outside the directory.
    """
    if not _NAME.fullmatch(name):
        raise UnknownPromptError(
            f"invalid prompt name {name!r}: use lower-case letters and underscores only"
        )
    folder = prompts_directory(directory)
    path = folder / f"{name}.txt"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        known = sorted(p.stem for p in folder.glob("*.txt")) if folder.is_dir() else []
        raise UnknownPromptError(
            f"no prompt named {name!r} in {folder} (available: {', '.join(known) or 'none'})"
        ) from None
