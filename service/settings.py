"""Typed settings, read from ``PROEFTUIN_*`` environment variables.

Nothing is read at import time: ``get_settings()`` builds (and caches) the settings
the first time a command needs them, and tests build their own ``Settings``.
"""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path(".proeftuin")

# Placeholders from our own deploy files and docs: a production service that still
# signs its tokens with one of these would accept tokens anyone can forge.
KNOWN_PLACEHOLDER_SECRETS = frozenset(
    {
        "change-me-to-32-or-more-random-characters",  # deploy/kubernetes/base/secret.yaml
    }
)
_PLACEHOLDER_WORDS = ("changeme", "change-me", "change_me", "replace-me", "example", "secret-key")


class SettingsError(Exception):
    """A setting has a bad value; the message names the variable and the reason."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROEFTUIN_", extra="ignore")

    mode: Literal["embedded", "production"] = "embedded"
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL; SQLite in the data folder when unset",
        repr=False,  # it may carry a password
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

    jwt_secret: SecretStr | None = Field(default=None, min_length=32)
    token_ttl_minutes: int = Field(default=12 * 60, ge=1, le=60 * 24 * 30)

    # Password guessing: failed sign-ins counted per e-mail address and per client IP in
    # the database (so every API process sees the same count); past either limit within
    # the window, sign-in answers 429 with Retry-After, even with the right password.
    login_failures_per_email: int = Field(default=5, ge=1, le=1000)
    login_failures_per_ip: int = Field(default=50, ge=1, le=100_000)
    login_throttle_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Sign-ups per client IP and hour (each costs a 64 MiB password hash), counted in the
    # database like sign-ins; past it, 429 with Retry-After.
    signups_per_ip: int = Field(default=10, ge=1, le=100_000)
    # Password resets asked for, per e-mail address and per client IP an hour (counted
    # alike for unknown addresses, so a 429 tells nobody who has an account), and how
    # long the link in the mail works.
    password_resets_per_email: int = Field(default=3, ge=1, le=1000)
    password_resets_per_ip: int = Field(default=20, ge=1, le=100_000)
    password_reset_minutes: int = Field(default=60, ge=5, le=24 * 60)
    # Whether self-service accounts confirm their e-mail address (a link mailed at
    # sign-up) before their public contributions (input, endorsements, questions) are
    # taken: unset, on in production mode and off in the embedded default.
    verify_email: bool | None = None
    # How long the link in an invitation (city staff, evaluators) works.
    invitation_days: int = Field(default=7, ge=1, le=60)
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies whose X-Forwarded-For names the client (uvicorn's setting)",
    )

    max_request_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=100 * 1024 * 1024)

    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # /metrics: open in the embedded default; in production mode only with this token
    # (Authorization: Bearer ...), and not at all without one.
    metrics_token: SecretStr | None = Field(default=None, min_length=16)
    # The worker's Temporal SDK metrics (Prometheus) on this port; unset: none.
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # OpenTelemetry tracing, off unless set: spans of each request, and of the workflows
    # and activities it causes, sent over OTLP/HTTP to <endpoint>/v1/traces (needs the
    # `otel` extra; service/telemetry.py).
    otel_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP collector, e.g. http://otel-collector:4318"
    )

    # E-mail: through this SMTP server, or, with no host (the embedded default), written
    # as .eml files to <data folder>/mail.
    smtp_host: str | None = Field(default=None, description="SMTP server; unset: .eml files")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_from: str = "Proeftuin <noreply@proeftuin.invalid>"
    smtp_timeout_seconds: float = Field(default=30, gt=0, le=600)
    mail_poll_seconds: float = Field(default=2, gt=0, le=3600)
    daily_round_hour_utc: int = Field(
        default=7, ge=0, le=23, description="When overdue input and daily digests go out"
    )

    # The city's working days, for response targets ("answered within 10 working days"):
    # Monday to Friday in its time zone, less its public holidays when they are named.
    time_zone: str = Field(default="UTC", description="The city's time zone (IANA name)")
    public_holidays: str | None = Field(
        default=None, description='Holiday calendar: a country, or country-region ("NL", "DE-BY")'
    )

    # Per-account limits on what residents write, counted in the database so they hold
    # across any number of API processes.
    input_limit_per_hour: int = Field(default=10, ge=1)
    endorsement_limit_per_hour: int = Field(default=60, ge=1)
    report_limit_per_hour: int = Field(default=20, ge=1)

    # How long an API process may serve an anonymous reader a challenge (or the list) it
    # computed earlier, in seconds: the most a public reader lags a change (0: never).
    # Unset: 1 in production mode, 0 in the embedded default (one person clicking
    # around sees each change at once). Signed-in readers are never served from it
    # (service/http/public_cache.py).
    public_cache_seconds: float | None = Field(default=None, ge=0, le=60)

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

    @field_validator(
        "smtp_host", "smtp_user", "smtp_password", "metrics_token", "otel_endpoint", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return value or None

    @field_validator("otel_endpoint")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme, _, rest = value.partition("://")
        if scheme not in ("http", "https") or not rest.strip("/"):
            raise ValueError("must be an http:// or https:// URL, e.g. http://collector:4318")
        return value.rstrip("/")

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

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "must be an IANA time zone name, for example Europe/Amsterdam"
            ) from None
        return value

    @field_validator("public_holidays", mode="before")
    @classmethod
    def _known_holiday_calendar(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            # A country code, optionally with a subdivision ("NL", "DE-BY"), as the
            # holidays package knows them; the calendar itself is a rule of the residents
            # domain (service/residents/rules.py).
            country, _, subdivision = value.strip().upper().partition("-")
            try:
                holidays.country_holidays(country, subdiv=subdivision or None)
            except NotImplementedError as exc:
                raise ValueError(f"{value!r} is not a known holiday calendar ({exc})") from None
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
        if self.mode != "production":
            return self
        if not self.jwt_secret:
            raise ValueError(
                "PROEFTUIN_JWT_SECRET must be set (32+ characters) when PROEFTUIN_MODE=production"
            )
        weakness = secret_weakness(self.jwt_secret.get_secret_value())
        if weakness:
            raise ValueError(
                f"PROEFTUIN_JWT_SECRET {weakness}; with PROEFTUIN_MODE=production use a random "
                "one, e.g. `openssl rand -hex 32`"
            )
        return self

    @property
    def verifies_email(self) -> bool:
        return self.mode == "production" if self.verify_email is None else self.verify_email

    @property
    def public_cache_ttl(self) -> float:
        if self.public_cache_seconds is not None:
            return self.public_cache_seconds
        return 1.0 if self.mode == "production" else 0.0

    @property
    def https(self) -> bool:
        """Whether users reach the service over HTTPS (then cookies are Secure)."""
        return self.base_url.startswith("https://")

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
            return self.jwt_secret.get_secret_value()
        return _stored_secret(self.data_dir.resolve())


@cache
def _stored_secret(data_dir: Path) -> str:
    """The secret kept in ``data_dir``, made on first use; read once per process (every
    mail's unsubscribe link and every CSRF check needs it)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "jwt_secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def secret_weakness(secret: str) -> str | None:
    """Why ``secret`` is no fit to sign tokens in production, or None."""
    lowered = secret.strip().lower()
    if lowered in KNOWN_PLACEHOLDER_SECRETS or any(w in lowered for w in _PLACEHOLDER_WORDS):
        return "is a placeholder from the documentation"
    if len(set(secret)) < 8:
        return "is too repetitive to be random"
    return None


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
