"""Settings come from PROEFTUIN_* variables and a bad value is named at start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from service.settings import SettingsError, load_settings


def test_defaults_are_the_embedded_setup(monkeypatch):
    for name in ("DATABASE_URL", "TEMPORAL_ADDRESS", "HTTP_PORT", "DATA_DIR"):
        monkeypatch.delenv(f"PROEFTUIN_{name}", raising=False)
    settings = load_settings()
    assert settings.http_port == 8000
    assert settings.data_dir == Path(".proeftuin")
    assert settings.embedded_temporal
    assert settings.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.resolved_database_url.endswith(".proeftuin/proeftuin.db")


def test_environment_variables_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("PROEFTUIN_HTTP_PORT", "9123")
    monkeypatch.setenv("PROEFTUIN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PROEFTUIN_DATABASE_URL", "postgresql://u:p@db:5432/proeftuin")
    monkeypatch.setenv("PROEFTUIN_TEMPORAL_ADDRESS", "temporal:7233")
    settings = load_settings()
    assert settings.http_port == 9123
    assert settings.data_dir == tmp_path
    assert settings.resolved_database_url == "postgresql+asyncpg://u:p@db:5432/proeftuin"
    assert not settings.embedded_temporal
    assert settings.resolved_temporal_address == "temporal:7233"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PROEFTUIN_HTTP_PORT", "eighty"),
        ("PROEFTUIN_HTTP_PORT", "70000"),
        ("PROEFTUIN_DATABASE_URL", "mysql://localhost/x"),
        ("PROEFTUIN_TEMPORAL_ADDRESS", "no-port-here"),
        ("PROEFTUIN_MODE", "staging"),
        ("PROEFTUIN_TIME_ZONE", "Europe/Atlantis"),
        ("PROEFTUIN_PUBLIC_HOLIDAYS", "XX"),
        ("PROEFTUIN_PUBLIC_HOLIDAYS", "NL-NOWHERE"),
        ("PROEFTUIN_OTEL_ENDPOINT", "otel-collector:4318"),
        ("PROEFTUIN_OTEL_ENDPOINT", "http://"),
    ],
)
def test_a_bad_value_is_named(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert variable in str(error.value)


def test_tracing_is_off_unless_an_endpoint_is_set(monkeypatch):
    monkeypatch.setenv("PROEFTUIN_OTEL_ENDPOINT", "")
    assert load_settings().otel_endpoint is None
    monkeypatch.setenv("PROEFTUIN_OTEL_ENDPOINT", "http://otel-collector:4318/")
    assert load_settings().otel_endpoint == "http://otel-collector:4318"


def test_production_mode_requires_a_jwt_secret(monkeypatch):
    monkeypatch.setenv("PROEFTUIN_MODE", "production")
    monkeypatch.delenv("PROEFTUIN_JWT_SECRET", raising=False)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "PROEFTUIN_JWT_SECRET" in str(error.value)


@pytest.mark.parametrize(
    "secret",
    [
        "CHANGE-ME-to-32-or-more-random-characters",  # our own Kubernetes manifest's
        "changeme-changeme-changeme-changeme",
        "x" * 40,
        "abababababababababababababababababab",
    ],
)
def test_production_mode_refuses_a_placeholder_or_repetitive_secret(monkeypatch, secret):
    monkeypatch.setenv("PROEFTUIN_MODE", "production")
    monkeypatch.setenv("PROEFTUIN_JWT_SECRET", secret)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "PROEFTUIN_JWT_SECRET" in str(error.value)
    assert secret not in str(error.value)


def test_a_short_secret_is_refused_in_any_mode(monkeypatch):
    monkeypatch.setenv("PROEFTUIN_JWT_SECRET", "s3cr3t-but-short")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "PROEFTUIN_JWT_SECRET" in str(error.value)
    assert "s3cr3t-but-short" not in str(error.value)


def test_production_mode_accepts_a_random_secret(monkeypatch):
    monkeypatch.setenv("PROEFTUIN_MODE", "production")
    monkeypatch.setenv("PROEFTUIN_JWT_SECRET", "9f1c0e7a2b5d48c3a6e1f0b9d2c7e4a8")
    settings = load_settings()
    assert settings.signing_secret() == "9f1c0e7a2b5d48c3a6e1f0b9d2c7e4a8"
    assert "9f1c0e7a" not in repr(settings)


def test_production_refuses_to_start_with_the_manifest_placeholder(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "--data-dir", str(tmp_path), "api"],
        env={
            "PROEFTUIN_MODE": "production",
            "PROEFTUIN_JWT_SECRET": "CHANGE-ME-to-32-or-more-random-characters",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PROEFTUIN_JWT_SECRET" in result.stderr
    assert "placeholder" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_embedded_secret_is_generated_once_and_kept(tmp_path):
    settings = load_settings(data_dir=tmp_path)
    first = settings.signing_secret()
    assert len(first) >= 32
    assert load_settings(data_dir=tmp_path).signing_secret() == first


def test_the_command_refuses_to_start_with_a_bad_setting(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "--data-dir", str(tmp_path), "up"],
        env={"PROEFTUIN_HTTP_PORT": "eighty", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PROEFTUIN_HTTP_PORT" in result.stderr
    assert "Traceback" not in result.stderr
