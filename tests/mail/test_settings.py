"""PSO_SMTP_URL, PSO_MAIL_FROM, PSO_JOBS_HOUR and PSO_TODAY from the environment."""

from __future__ import annotations

from datetime import date

import pytest

from pso.settings import Settings, SettingsError


def test_defaults_keep_mail_in_the_outbox() -> None:
    settings = Settings.from_env({"PSO_ENV": "test"})
    assert settings.smtp_url is None and settings.today is None and settings.jobs_hour == 6


def test_values_are_read() -> None:
    settings = Settings.from_env({"PSO_ENV": "test",
        "PSO_SMTP_URL": "smtps://u:p@mail.example.nl:465", "PSO_MAIL_FROM": "pso@example.nl",
        "PSO_JOBS_HOUR": "23", "PSO_TODAY": "2026-03-01", "PSO_MAIL_POLL_SECONDS": "0.5"})
    assert settings.smtp_url == "smtps://u:p@mail.example.nl:465"
    assert settings.mail_from == "pso@example.nl"
    assert (settings.jobs_hour, settings.today, settings.mail_poll_seconds) == (
        23, date(2026, 3, 1), 0.5)


@pytest.mark.parametrize("env, message", [
    ({"PSO_SMTP_URL": "http://mail.example.nl"}, "PSO_SMTP_URL"),
    ({"PSO_SMTP_URL": "smtp://"}, "PSO_SMTP_URL"),
    ({"PSO_MAIL_FROM": "niemand"}, "PSO_MAIL_FROM"),
    ({"PSO_JOBS_HOUR": "24"}, "PSO_JOBS_HOUR"),
    ({"PSO_JOBS_HOUR": "zes"}, "PSO_JOBS_HOUR"),
    ({"PSO_TODAY": "1-3-2026"}, "PSO_TODAY"),
    ({"PSO_MAIL_POLL_SECONDS": "vaak"}, "PSO_MAIL_POLL_SECONDS"),
])
def test_bad_values_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_a_fixed_date_is_refused_in_production() -> None:
    with pytest.raises(SettingsError, match="PSO_TODAY"):
        Settings.from_env({"PSO_ENV": "production", "PSO_SECRET_KEY": "x" * 40,
                           "PSO_TODAY": "2026-03-01"})
