"""Settings from the environment (prefix SECBOT_) and an optional .env file.

Every default keeps the bot runnable on a laptop: SQLite and the index under ./var, knowledge from
./knowledge, console chat when no platform token is set.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SECBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(default=Path("./var"), description="SQLite file, index and logs")
    database_url: str | None = Field(default=None, description="defaults to SQLite in data_dir")
    knowledge_dir: Path = Path("./knowledge")
    invite_ttl_hours: int = Field(default=72, ge=1, le=24 * 90)
    max_text_chars: int = Field(default=4000, ge=100)
    log_level: str = "INFO"

    # Retrieval (issue 3)
    chroma_url: str | None = Field(default=None, description="a Chroma server; embedded if unset")
    embeddings: str = Field(
        default="local",
        description="`local` (packaged all-MiniLM-L6-v2), a sentence-transformers model folder, "
        "or `openai:MODEL` for an OpenAI-compatible embeddings endpoint",
    )
    embeddings_threads: int = Field(default=1, ge=1, le=64, description="torch threads")
    embeddings_base_url: str | None = None
    embeddings_api_key: SecretStr | None = None
    llm: str | None = Field(
        default=None, description="init_chat_model spec, e.g. openai:gpt-4o-mini"
    )
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    prompts_dir: Path | None = None

    # Platform settings (issue 4) are read now so a token never has to live in code.
    telegram_token: SecretStr | None = None
    slack_bot_token: SecretStr | None = None

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'secbot.sqlite3').resolve()}"

    @property
    def has_platform(self) -> bool:
        return self.telegram_token is not None or self.slack_bot_token is not None
