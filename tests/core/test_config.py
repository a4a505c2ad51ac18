"""The environment readers: a bad value stops start-up with one line that names the variable
and says what it accepts."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hubbub import config
from hubbub.config import ConfigError

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 40


def message_of(excinfo: pytest.ExceptionInfo[ConfigError]) -> str:
    message = str(excinfo.value)
    assert "\n" not in message, "a configuration error is one line"
    return message


def test_it_refuses_a_database_url_of_another_engine(tmp_path):
    with pytest.raises(ConfigError) as excinfo:
        config.database_url({"DATABASE_URL": "mysql://u:p@db/hubbub"}, tmp_path)
    message = message_of(excinfo)
    assert message.startswith("DATABASE_URL has scheme 'mysql'")
    assert "sqlite:///" in message and "postgresql://" in message


def test_it_refuses_a_postgres_url_without_a_database_name(tmp_path):
    with pytest.raises(ConfigError) as excinfo:
        config.database_url({"DATABASE_URL": "postgresql://u:p@db:5432/"}, tmp_path)
    assert message_of(excinfo).startswith("DATABASE_URL names no database")


def test_it_defaults_the_database_to_sqlite_in_the_data_folder(tmp_path):
    assert config.database_url({}, tmp_path) == f"sqlite:///{tmp_path / 'hubbub.sqlite3'}"
    url = "postgresql://u:p@db:5432/hubbub"
    assert config.database_url({"DATABASE_URL": url}, tmp_path) == url


def test_it_refuses_a_redis_url_that_is_not_redis():
    with pytest.raises(ConfigError) as excinfo:
        config.redis_url({"HUBBUB_REDIS_URL": "http://x"})
    message = message_of(excinfo)
    assert message.startswith("HUBBUB_REDIS_URL='http://x' is not a Redis URL")
    assert "redis://host:6379/0" in message
    assert config.redis_url({"HUBBUB_REDIS_URL": "redis://127.0.0.1:6379/1"}).startswith("redis:")
    assert config.redis_url({}) == ""


def test_it_refuses_a_base_url_that_is_not_absolute():
    with pytest.raises(ConfigError) as excinfo:
        config.base_url({"HUBBUB_BASE_URL": "foo"})
    message = message_of(excinfo)
    assert message.startswith("HUBBUB_BASE_URL='foo' is not an absolute web address")
    assert "https://hubbub.example.com" in message


def test_it_strips_the_trailing_slash_of_the_base_url():
    assert config.base_url({"HUBBUB_BASE_URL": "https://h.example/"}) == "https://h.example"
    assert config.base_url({}) == "http://127.0.0.1:8000"


def test_it_refuses_a_boolean_it_would_have_to_guess():
    env = {"HUBBUB_EMAIL_HOST": "smtp.example", "HUBBUB_EMAIL_USE_TLS": "maybe"}
    with pytest.raises(ConfigError) as excinfo:
        config.email_settings(env, Path("/tmp"))
    message = message_of(excinfo)
    assert message == "HUBBUB_EMAIL_USE_TLS='maybe' is not a boolean: use true or false."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("Yes", True), (" on ", True), ("0", False), ("OFF", False), ("", True)],
)
def test_it_reads_the_accepted_boolean_spellings(raw, expected):
    assert config.env_bool("HUBBUB_X", True, {"HUBBUB_X": raw}) is expected


def test_it_refuses_a_port_out_of_range():
    env = {"HUBBUB_EMAIL_HOST": "smtp.example", "HUBBUB_EMAIL_PORT": "99999"}
    with pytest.raises(ConfigError) as excinfo:
        config.email_settings(env, Path("/tmp"))
    assert message_of(excinfo) == (
        "HUBBUB_EMAIL_PORT=99999 is out of range: use a number from 1 to 65535."
    )


def test_it_refuses_a_port_that_is_not_a_number():
    env = {"HUBBUB_EMAIL_HOST": "smtp.example", "HUBBUB_EMAIL_PORT": "smtp"}
    with pytest.raises(ConfigError) as excinfo:
        config.email_settings(env, Path("/tmp"))
    assert message_of(excinfo) == (
        "HUBBUB_EMAIL_PORT='smtp' is not a whole number: use a number from 1 to 65535."
    )


def test_it_refuses_tls_and_ssl_together():
    env = {
        "HUBBUB_EMAIL_HOST": "smtp.example",
        "HUBBUB_EMAIL_USE_TLS": "true",
        "HUBBUB_EMAIL_USE_SSL": "true",
    }
    with pytest.raises(ConfigError) as excinfo:
        config.email_settings(env, Path("/tmp"))
    assert "choose one" in message_of(excinfo)


def test_it_refuses_a_sender_without_an_address():
    with pytest.raises(ConfigError) as excinfo:
        config.email_settings({"HUBBUB_EMAIL_FROM": "Hubbub"}, Path("/tmp"))
    assert message_of(excinfo).startswith("HUBBUB_EMAIL_FROM='Hubbub' is not an e-mail address")


def test_it_configures_smtp_from_the_environment(tmp_path):
    env = {
        "HUBBUB_EMAIL_HOST": "smtp.example",
        "HUBBUB_EMAIL_USE_SSL": "true",
        "HUBBUB_EMAIL_USER": "u",
        "HUBBUB_EMAIL_PASSWORD": "p",
    }
    settings = config.email_settings(env, tmp_path)
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert settings["EMAIL_PORT"] == 465
    assert settings["EMAIL_USE_SSL"] is True and settings["EMAIL_USE_TLS"] is False
    without_host = config.email_settings({}, tmp_path)
    assert without_host["EMAIL_BACKEND"] == "hubbub.core.mail.LoggingFileBackend"
    assert without_host["EMAIL_FILE_PATH"] == str(tmp_path / "outbox")


def test_it_refuses_a_short_secret_key(tmp_path):
    with pytest.raises(ConfigError) as excinfo:
        config.secret_key({"HUBBUB_SECRET_KEY": "short"}, tmp_path)
    assert message_of(excinfo) == (
        "HUBBUB_SECRET_KEY is too short: use at least 32 random characters."
    )
    assert not (tmp_path / "secret_key").exists()


def test_it_refuses_a_secret_key_file_it_cannot_read(tmp_path):
    # A folder in place of the file: unreadable even for root, who ignores file modes.
    unreadable = tmp_path / "key-folder"
    unreadable.mkdir()
    for name in (str(unreadable), str(tmp_path / "missing")):
        with pytest.raises(ConfigError) as excinfo:
            config.secret_key({"HUBBUB_SECRET_KEY_FILE": name}, tmp_path)
        message = message_of(excinfo)
        assert message.startswith(f"HUBBUB_SECRET_KEY_FILE={name!r} cannot be read (")
        assert "point it at a readable file" in message


def test_it_reads_the_secret_key_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(GOOD_KEY + "\n")
    assert config.secret_key({"HUBBUB_SECRET_KEY_FILE": str(key_file)}, tmp_path) == GOOD_KEY
    key_file.write_text("short")
    with pytest.raises(ConfigError) as excinfo:
        config.secret_key({"HUBBUB_SECRET_KEY_FILE": str(key_file)}, tmp_path)
    assert "too short" in message_of(excinfo)


def test_it_generates_the_secret_key_once_and_keeps_it_private(tmp_path):
    first = config.secret_key({}, tmp_path)
    second = config.secret_key({}, tmp_path)
    assert first == second
    assert len(first) >= 32
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_direct_secret_key_wins_over_the_generated_one(tmp_path):
    config.secret_key({}, tmp_path)
    assert config.secret_key({"HUBBUB_SECRET_KEY": GOOD_KEY}, tmp_path) == GOOD_KEY


def test_it_refuses_a_data_folder_it_cannot_create(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    target = blocker / "data"
    with pytest.raises(ConfigError) as excinfo:
        config.data_dir({"HUBBUB_DATA_DIR": str(target)}, tmp_path)
    message = message_of(excinfo)
    assert message.startswith(f"HUBBUB_DATA_DIR={str(target)!r} cannot be created (")
    assert message.endswith("use a folder Hubbub may write to.")


def test_it_creates_the_data_folder(tmp_path):
    target = tmp_path / "nested" / "data"
    assert config.data_dir({"HUBBUB_DATA_DIR": str(target)}, tmp_path) == target.resolve()
    assert target.is_dir()


def test_it_reads_a_comma_separated_list():
    env = {"HUBBUB_ALLOWED_HOSTS": " a.example , ,b.example"}
    assert config.env_list("HUBBUB_ALLOWED_HOSTS", [], env) == ["a.example", "b.example"]
    assert config.env_list("HUBBUB_ALLOWED_HOSTS", ["x"], {}) == ["x"]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HUBBUB_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(HUBBUB_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="hubbub.settings")
    env.update(extra)
    return env


@pytest.mark.parametrize(
    ("variable", "value", "start"),
    [
        ("DATABASE_URL", "mysql://u:p@db/hubbub", "DATABASE_URL has scheme 'mysql'"),
        ("HUBBUB_REDIS_URL", "http://x", "HUBBUB_REDIS_URL='http://x' is not a Redis URL"),
        ("HUBBUB_DEBUG", "maybe", "HUBBUB_DEBUG='maybe' is not a boolean"),
    ],
)
def test_the_command_prints_one_line_and_exits_2_on_a_bad_variable(
    tmp_path, variable, value, start
):
    result = subprocess.run(
        [sys.executable, "-m", "hubbub.cli", "migrate"],
        env=clean_env(tmp_path, **{variable: value}),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"hubbub: configuration error: {start}")
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "hubbub.sqlite3").exists()


def test_the_cache_is_per_process_unless_redis_is_configured():
    assert config.caches("") == {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    shared = config.caches("redis://127.0.0.1:6379/2")["default"]
    assert shared["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shared["LOCATION"] == "redis://127.0.0.1:6379/2"


def test_the_configured_cache_works(settings):
    """On the PostgreSQL + Redis run this is Redis; on the embedded run, the process's own."""
    from django.core.cache import cache

    expected = "RedisCache" if settings.REDIS_URL else "LocMemCache"
    assert settings.CACHES["default"]["BACKEND"].endswith(expected)
    cache.set("hubbub-test-key", {"container": "17889615691921648"}, 30)
    assert cache.get("hubbub-test-key") == {"container": "17889615691921648"}
