"""Typed settings, read from ``PROEFTUIN_*`` environment variables.

Nothing is read at import time: ``get_settings()`` builds (and caches) the settings
the first time a command needs them, and tests build their own ``Settings``.
"""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path(".proeftuin")


class SettingsError(Exception):
    """A setting has a bad value; the message names the variable and the reason."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROEFTUIN_", extra="ignore")

    mode: Literal["embedded", "production"] = "embedded"
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; SQLite in the data folder when unset"
    )

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = Field(
        default=None, description="Base URL users reach the service at (links in mail)"
    )

    temporal_address: str | None = Field(
        default=None, description="host:port of an external Temporal; embedded server when unset"
    )
    temporal_namespace: str = "default"
    temporal_port: int = Field(default=7233, ge=1, le=65535)
    temporal_ui_port: int = Field(default=8233, ge=1, le=65535)
    task_queue: str = "proeftuin"

    jwt_secret: str | None = Field(default=None, min_length=32)
    token_ttl_minutes: int = Field(default=12 * 60, ge=1, le=60 * 24 * 30)

    log_level: Literal["debug", "info", "warning", "error"] = "info"

    # E-mail: through this SMTP server, or, with no host (the embedded default), written
    # as .eml files to <data folder>/mail.
    smtp_host: str | None = Field(default=None, description="SMTP server; unset: .eml files")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_from: str = "Proeftuin <noreply@proeftuin.invalid>"
    smtp_timeout_seconds: float = Field(default=30, gt=0, le=600)
    mail_poll_seconds: float = Field(default=2, gt=0, le=3600)
    daily_round_hour_utc: int = Field(
        default=7, ge=0, le=23, description="When overdue input and daily digests go out"
    )

    # Per-account limits on what residents write, counted in the database so they hold
    # across any number of API processes.
    input_limit_per_hour: int = Field(default=10, ge=1)
    endorsement_limit_per_hour: int = Field(default=60, ge=1)
    report_limit_per_hour: int = Field(default=20, ge=1)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.startswith(("postgres://", "postgresql://")):
            scheme, rest = value.split("://", 1)
            return f"postgresql+asyncpg://{rest}"
        if not value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            raise ValueError(
                "must start with postgresql+asyncpg:// (or postgresql://) or sqlite+aiosqlite://"
            )
        return value

    @field_validator("smtp_host", "smtp_user", "smtp_password")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("smtp_from")
    @classmethod
    def _one_address(cls, value: str) -> str:
        from email.headerregistry import Address
        from email.utils import parseaddr

        name, address = parseaddr(value)
        if "@" not in address or "\n" in value or "\r" in value:
            raise ValueError("must be an address, e.g. Proeftuin <noreply@city.example>")
        Address(display_name=name, addr_spec=address)
        return value

    @field_validator("temporal_address")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("must be host:port, for example temporal.internal:7233")
        return value

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        if self.mode == "production" and not self.jwt_secret:
            raise ValueError(
                "PROEFTUIN_JWT_SECRET must be set (32+ characters) when PROEFTUIN_MODE=production"
            )
        return self

    @property
    def embedded_temporal(self) -> bool:
        return self.temporal_address is None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'proeftuin.db').resolve()}"

    @property
    def resolved_temporal_address(self) -> str:
        return self.temporal_address or f"127.0.0.1:{self.temporal_port}"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")

    @property
    def mail_dir(self) -> Path:
        """Where mail goes as .eml files when no SMTP host is set."""
        return self.data_dir / "mail"

    def signing_secret(self) -> str:
        """The JWT secret: the configured one, or one kept in the data folder (embedded)."""
        if self.jwt_secret:
            return self.jwt_secret
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "jwt_secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning a validation error into a message that names each variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "settings"
            variable = f"PROEFTUIN_{field.upper()}" if error["loc"] else "settings"
            lines.append(f"{variable}: {error['msg']}")
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None


@cache
def get_settings() -> Settings:
    return load_settings()
