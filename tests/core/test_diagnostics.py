"""`hubbub check`'s findings: each says what is wrong and how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubbub.core import diagnostics


def test_a_writable_data_folder_is_ok(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    finding = diagnostics.data_folder()
    assert finding.ok
    assert finding.detail == f"{tmp_path} is writable"
    assert list(tmp_path.iterdir()) == []  # the probe file is gone


def test_a_data_folder_that_is_not_a_folder_fails_with_a_fix(settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    settings.DATA_DIR = blocker
    finding = diagnostics.data_folder()
    assert not finding.ok
    assert "is not writable" in finding.detail
    assert finding.fix == f"Give the Hubbub user write access to {blocker}, or set HUBBUB_DATA_DIR."


def test_the_secret_key_finding_names_its_source(settings, monkeypatch):
    monkeypatch.setenv("HUBBUB_SECRET_KEY", "x" * 40)
    finding = diagnostics.secret_key()
    assert finding.ok and finding.detail == "present, from HUBBUB_SECRET_KEY"
    monkeypatch.delenv("HUBBUB_SECRET_KEY")
    monkeypatch.delenv("HUBBUB_SECRET_KEY_FILE", raising=False)
    assert diagnostics.secret_key().detail.endswith("secret_key (generated on first start)")
    settings.SECRET_KEY = "short"
    finding = diagnostics.secret_key()
    assert not finding.ok
    assert finding.fix == "Set HUBBUB_SECRET_KEY to at least 32 random characters."


@pytest.mark.django_db
def test_the_test_database_is_up_to_date():
    finding = diagnostics.database()
    assert finding.ok, finding.detail
    assert finding.detail.endswith("reachable and up to date")


def test_an_unreachable_redis_fails_with_a_fix(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    finding = diagnostics.redis()
    assert not finding.ok
    assert finding.detail.startswith("Redis at HUBBUB_REDIS_URL is not reachable (")
    assert finding.fix == "Start Redis, or correct HUBBUB_REDIS_URL (redis://host:6379/0)."


def test_the_embedded_queue_is_ok(settings):
    settings.REDIS_URL = ""
    settings.HUEY = {**settings.HUEY, "filename": "/data/jobs.sqlite3"}
    finding = diagnostics.redis()
    assert finding.ok
    assert finding.detail == "embedded (SQLite: /data/jobs.sqlite3)"


def test_email_without_smtp_is_a_warning(settings, tmp_path):
    settings.EMAIL_BACKEND = "hubbub.core.mail.LoggingFileBackend"
    settings.EMAIL_FILE_PATH = str(Path(tmp_path) / "outbox")
    finding = diagnostics.email()
    assert finding.ok and finding.warning
    assert "HUBBUB_EMAIL_HOST" in finding.fix
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "smtp.example", 587
    finding = diagnostics.email()
    assert finding.ok and not finding.warning
    assert finding.detail == "SMTP via smtp.example:587"


def test_private_networks_allowed_is_a_warning(settings):
    settings.HUBBUB_ALLOW_PRIVATE_NETWORKS = False
    assert not diagnostics.outbound().warning
    settings.HUBBUB_ALLOW_PRIVATE_NETWORKS = True
    finding = diagnostics.outbound()
    assert finding.ok and finding.warning


@pytest.mark.django_db
def test_every_check_passes_on_the_test_setup():
    # The suite runs on SQLite with the embedded queue, then on PostgreSQL with Redis:
    # both are healthy installations.
    findings = diagnostics.run_all()
    assert [f.detail for f in findings if not f.ok] == []
    names = [finding.name for finding in findings]
    assert names == [
        "Data folder",
        "Secret key",
        "Database",
        "Job queue",
        "E-mail",
        "Outbound safety",
    ]
