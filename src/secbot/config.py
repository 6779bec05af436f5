"""Settings from the environment (prefix SECBOT_) and an optional .env file.

Every default keeps the bot runnable on a laptop: SQLite and the index under ./var, knowledge from
./knowledge, console chat when no platform token is set.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_CHARS = 16


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
    embeddings_bulk_threads: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="torch threads when embedding many texts at once (an ingest, a re-index); "
        "default: one per core",
    )
    embeddings_base_url: str | None = None
    embeddings_api_key: SecretStr | None = None
    llm: str | None = Field(
        default=None, description="init_chat_model spec, e.g. openai:gpt-4o-mini"
    )
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    prompts_dir: Path | None = None

    # Chat platforms
    http_host: str = Field(default="127.0.0.1", description="webhooks, Slack events, /healthz")
    http_port: int = Field(default=8080, ge=0, le=65535)
    telegram_token: SecretStr | None = None
    telegram_base_url: str | None = Field(default=None, description="a self-hosted Bot API server")
    telegram_webhook_url: str | None = Field(default=None, description="webhook mode when set")
    telegram_webhook_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = Field(default=None, description="Socket Mode when set")
    slack_api_url: str | None = Field(default=None, description="Web API base, e.g. for a proxy")
    shutdown_grace_seconds: float = Field(default=20.0, ge=0)
    inbox_lease_seconds: float = Field(
        default=15.0, ge=2, description="how long a worker holds an inbound message it handles"
    )

    # Alert dispatcher (runs inside `secbot serve`, or alone as `secbot dispatch`)
    dispatch_enabled: bool = Field(default=True, description="send alerts from `secbot serve`")
    dispatch_lease_seconds: float = Field(default=30.0, ge=2, description="claim lifetime")
    dispatch_send_timeout: float = Field(default=10.0, ge=1, description="per HTTP request")
    dispatch_max_in_flight: int = Field(default=32, ge=1, le=512)
    dispatch_max_attempts: int = Field(default=10, ge=1, le=100)
    telegram_messages_per_second: float = Field(default=30.0, gt=0)
    telegram_group_spacing_seconds: float = Field(default=3.0, ge=0, description="20/min")
    slack_messages_per_second: float = Field(default=50.0, gt=0)
    chat_spacing_seconds: float = Field(default=1.0, ge=0, description="1 message/s a chat")
    brief_check_seconds: float = Field(
        default=60.0, gt=0, description="how often `secbot serve` queues scheduled briefs due"
    )
    # MISP (issue 15): where `push ID misp` sends a report the owner chooses
    misp_url: str | None = Field(default=None, description="e.g. https://misp.example.org")
    misp_key: SecretStr | None = None
    misp_verify_tls: bool = True
    misp_timeout_seconds: float = Field(default=15.0, gt=0)
    web_url: str | None = Field(
        default=None,
        description="the web console's public base URL, e.g. https://secbot.example.org; the "
        "console is served under /web/ on the HTTP server when set",
    )
    cap_sender: str = Field(default="secbot@secretariat.invalid", description="CAP <sender>")
    cap_sender_name: str = Field(
        default="Regional security secretariat", description="CAP <senderName>", min_length=1
    )

    # Retention (issue 15): days a submission of each TLP label is kept; unset keeps it. A state
    # may shorten its own (`secbot admin state retention`); the daily job erases what is past.
    retention_days_clear: int | None = Field(default=None, ge=1)
    retention_days_green: int | None = Field(default=None, ge=1)
    retention_days_amber: int | None = Field(default=None, ge=1)
    retention_days_amber_strict: int | None = Field(default=None, ge=1)
    retention_days_red: int | None = Field(default=None, ge=1)
    retention_check_seconds: float = Field(
        default=24 * 3600.0, gt=0, description="how often `secbot serve` applies retention"
    )

    @field_validator("telegram_webhook_secret", "slack_signing_secret", mode="after")
    @classmethod
    def _strong_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """A secret that is set must be one: an empty or short secret accepts forgeries."""
        if value is not None and len(value.get_secret_value().strip()) < MIN_SECRET_CHARS:
            raise ValueError(
                f"is set but {'empty' if not value.get_secret_value().strip() else 'too short'}"
                f"; use at least {MIN_SECRET_CHARS} random characters, or leave it unset"
            )
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'secbot.sqlite3').resolve()}"

    @property
    def has_platform(self) -> bool:
        return self.telegram_token is not None or self.slack_bot_token is not None

    @property
    def needs_http(self) -> bool:
        """The HTTP server runs for Telegram webhooks and for Slack without Socket Mode."""
        slack_http = self.slack_bot_token is not None and self.slack_app_token is None
        webhook = bool(self.telegram_token and self.telegram_webhook_url)
        return webhook or slack_http or self.web_url is not None
