"""Typed readers for the environment, used only by settings.py.

Every reader raises ConfigError with one line that names the variable and says what it
accepts, so a bad value stops start-up with a message a person can act on (healthchecks'
`envbool` does the same: anything but the accepted spellings is an error, never a guess).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse


class ConfigError(Exception):
    """A configuration value that cannot be used; the message is shown as is."""


def env_str(name: str, default: str = "", env: Mapping[str, str] | None = None) -> str:
    return (env if env is not None else os.environ).get(name, default).strip() or default


def env_bool(name: str, default: bool, env: Mapping[str, str] | None = None) -> bool:
    raw = (env if env is not None else os.environ).get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(
    name: str,
    default: int,
    minimum: int = 0,
    maximum: int = 2**31,
    env: Mapping[str, str] | None = None,
) -> int:
    raw = (env if env is not None else os.environ).get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(
            f"{name}={raw!r} is not a whole number: use a number from {minimum} to {maximum}."
        ) from None
    if not minimum <= value <= maximum:
        raise ConfigError(
            f"{name}={value} is out of range: use a number from {minimum} to {maximum}."
        )
    return value


def env_list(name: str, default: list[str], env: Mapping[str, str] | None = None) -> list[str]:
    raw = (env if env is not None else os.environ).get(name, "").strip()
    if raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_url(env: Mapping[str, str], data_dir: Path) -> str:
    raw = env.get("DATABASE_URL", "").strip()
    if raw == "":
        return f"sqlite:///{data_dir / 'hubbub.sqlite3'}"
    scheme = urlparse(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(
            f"DATABASE_URL has scheme {scheme or '(none)'!r}: use sqlite:///path/to/file.sqlite3 "
            "or postgresql://user:password@host:5432/dbname."
        )
    if scheme != "sqlite" and not urlparse(raw).path.strip("/"):
        raise ConfigError(
            "DATABASE_URL names no database: use postgresql://user:password@host:5432/dbname."
        )
    return raw


def redis_url(env: Mapping[str, str]) -> str:
    raw = env.get("HUBBUB_REDIS_URL", "").strip()
    if raw and urlparse(raw).scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError(
            f"HUBBUB_REDIS_URL={raw!r} is not a Redis URL: use redis://host:6379/0 "
            "(or leave it empty for the embedded job queue)."
        )
    return raw


def caches(redis: str) -> dict[str, dict[str, Any]]:
    """Django's cache: per process on the embedded default (one worker process, which is
    where a publishing retry runs), Redis when the deployment has it, so that every worker
    sees what another kept (e.g. an Instagram container still processing, which a retry on
    another worker then polls instead of uploading the media again)."""
    if not redis:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis,
            "KEY_PREFIX": "hubbub",
        }
    }


def base_url(env: Mapping[str, str]) -> str:
    raw = env.get("HUBBUB_BASE_URL", "").strip() or "http://127.0.0.1:8000"
    parsed = urlparse(raw)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise ConfigError(
            f"HUBBUB_BASE_URL={raw!r} is not an absolute web address: "
            "use the address people open, e.g. https://hubbub.example.com."
        )
    return raw.rstrip("/")


def data_dir(env: Mapping[str, str], default: Path) -> Path:
    raw = env.get("HUBBUB_DATA_DIR", "").strip()
    path = Path(raw).expanduser() if raw else default
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"HUBBUB_DATA_DIR={str(path)!r} cannot be created ({exc.strerror}): "
            "use a folder Hubbub may write to."
        ) from None
    return path.resolve()


def secret_key(env: Mapping[str, str], data_dir: Path) -> str:
    """HUBBUB_SECRET_KEY, else HUBBUB_SECRET_KEY_FILE, else a key generated once in the data dir."""
    direct = env.get("HUBBUB_SECRET_KEY", "").strip()
    if direct:
        if len(direct) < 32:
            raise ConfigError("HUBBUB_SECRET_KEY is too short: use at least 32 random characters.")
        return direct
    file_name = env.get("HUBBUB_SECRET_KEY_FILE", "").strip()
    if file_name:
        try:
            value = Path(file_name).read_text().strip()
        except OSError as exc:
            raise ConfigError(
                f"HUBBUB_SECRET_KEY_FILE={file_name!r} cannot be read ({exc.strerror}): "
                "point it at a readable file holding the key."
            ) from None
        if len(value) < 32:
            raise ConfigError(
                f"HUBBUB_SECRET_KEY_FILE={file_name!r} holds a key that is too short: "
                "use at least 32 random characters."
            )
        return value
    generated = data_dir / "secret_key"
    if not generated.exists():
        # O_EXCL: two processes starting at once (web and worker) must not write two keys.
        try:
            fd = os.open(generated, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return generated.read_text().strip()


def email_settings(env: Mapping[str, str], data_dir: Path) -> dict[str, object]:
    host = env.get("HUBBUB_EMAIL_HOST", "").strip()
    sender = env.get("HUBBUB_EMAIL_FROM", "").strip() or "Hubbub <hubbub@localhost>"
    if "@" not in sender:
        raise ConfigError(
            f"HUBBUB_EMAIL_FROM={sender!r} is not an e-mail address: use Name <address@domain>."
        )
    settings: dict[str, object] = {"DEFAULT_FROM_EMAIL": sender, "SERVER_EMAIL": sender}
    if not host:
        # No SMTP server configured: e-mails are written to the data folder and to the log,
        # so a newcomer can still follow a password-reset or invitation link.
        settings["EMAIL_BACKEND"] = "hubbub.core.mail.LoggingFileBackend"
        settings["EMAIL_FILE_PATH"] = str(data_dir / "outbox")
        return settings
    use_tls = env_bool("HUBBUB_EMAIL_USE_TLS", False, env)
    use_ssl = env_bool("HUBBUB_EMAIL_USE_SSL", False, env)
    if use_tls and use_ssl:
        raise ConfigError(
            "HUBBUB_EMAIL_USE_TLS and HUBBUB_EMAIL_USE_SSL are both true: choose one."
        )
    settings.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=host,
        EMAIL_PORT=env_int("HUBBUB_EMAIL_PORT", 465 if use_ssl else 587, 1, 65535, env),
        EMAIL_HOST_USER=env.get("HUBBUB_EMAIL_USER", ""),
        EMAIL_HOST_PASSWORD=env.get("HUBBUB_EMAIL_PASSWORD", ""),
        EMAIL_USE_TLS=use_tls,
        EMAIL_USE_SSL=use_ssl,
        EMAIL_TIMEOUT=20,
    )
    return settings
