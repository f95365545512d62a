"""Mail and residents' settings come from PROEFTUIN_* variables like the others."""

from __future__ import annotations

import pytest

from service.settings import SettingsError, load_settings


def test_smtp_settings_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("PROEFTUIN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PROEFTUIN_SMTP_HOST", "smtp.city.example")
    monkeypatch.setenv("PROEFTUIN_SMTP_PORT", "465")
    monkeypatch.setenv("PROEFTUIN_SMTP_USER", "proeftuin")
    monkeypatch.setenv("PROEFTUIN_SMTP_PASSWORD", "s3cr3t-smtp-pw")
    monkeypatch.setenv("PROEFTUIN_SMTP_TLS", "ssl")
    monkeypatch.setenv("PROEFTUIN_SMTP_FROM", "Proeftuin <noreply@city.example>")
    monkeypatch.setenv("PROEFTUIN_INPUT_LIMIT_PER_HOUR", "5")
    settings = load_settings()
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_tls) == (
        "smtp.city.example",
        465,
        "ssl",
    )
    assert settings.smtp_user == "proeftuin"
    assert settings.smtp_password is not None
    assert settings.smtp_password.get_secret_value() == "s3cr3t-smtp-pw"
    assert "s3cr3t-smtp-pw" not in repr(settings)  # a settings object in a log line hides it
    assert settings.input_limit_per_hour == 5
    assert settings.mail_dir == tmp_path / "mail"


def test_no_smtp_host_means_mail_in_the_data_folder(monkeypatch):
    monkeypatch.setenv("PROEFTUIN_SMTP_HOST", "")
    assert load_settings().smtp_host is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PROEFTUIN_SMTP_FROM", "not an address"),
        ("PROEFTUIN_SMTP_TLS", "maybe"),
        ("PROEFTUIN_SMTP_PORT", "0"),
        ("PROEFTUIN_DAILY_ROUND_HOUR_UTC", "24"),
    ],
)
def test_a_bad_mail_setting_is_named(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings()
