"""Hubbub settings: read from the environment once, here, through hubbub.config.

Defaults give the embedded setup (SQLite and Huey-on-SQLite in ./data). DATABASE_URL and
HUBBUB_REDIS_URL switch to PostgreSQL and Redis. docs/configuration.md lists every variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from hubbub import config

# Lets `forms.ModelForm[User]` and friends be written at run time as the type checker sees them.
django_stubs_ext.monkeypatch()

_env = os.environ
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir(_env, Path.cwd() / "data")

DEBUG = config.env_bool("HUBBUB_DEBUG", False)
SECRET_KEY = config.secret_key(_env, DATA_DIR)
BASE_URL = config.base_url(_env)
ALLOWED_HOSTS = config.env_list("HUBBUB_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
_base_host = BASE_URL.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
if _base_host not in ALLOWED_HOSTS and "*" not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_base_host)
CSRF_TRUSTED_ORIGINS = [BASE_URL.split("/", 3)[0] + "//" + BASE_URL.split("/", 3)[2]]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = BASE_URL.startswith("https://")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Loopback and private addresses are refused for user-supplied URLs. Only a deployment
# that talks to a network inside its own LAN (or the local test networks) opts in.
HUBBUB_ALLOW_PRIVATE_NETWORKS = config.env_bool("HUBBUB_ALLOW_PRIVATE_NETWORKS", False)
HUBBUB_HTTP_TIMEOUT = config.env_int("HUBBUB_HTTP_TIMEOUT", 20, 1, 600)
HUBBUB_SMTP_TIMEOUT = config.env_int("HUBBUB_SMTP_TIMEOUT", 30, 1, 600)  # newsletters' servers
# The largest video Hubbub stores (4 GiB: TikTok's limit; only YouTube takes more, 256 GB).
HUBBUB_MAX_VIDEO_BYTES = config.env_int("HUBBUB_MAX_VIDEO_BYTES", 4 * 1024**3, 1, 256 * 1024**3)
# The Telegram Bot API server: the public one, or a self-hosted telegram-bot-api.
HUBBUB_TELEGRAM_API_URL = config.env_str("HUBBUB_TELEGRAM_API_URL", "https://api.telegram.org")
# An optional text generator for "Draft a post" (an OpenAI-compatible /v1/chat/completions
# address, its key and model): off when empty; drafts then come from templates alone.
HUBBUB_TEXTGEN_URL = config.env_str("HUBBUB_TEXTGEN_URL", "")
HUBBUB_TEXTGEN_KEY = config.env_str("HUBBUB_TEXTGEN_KEY", "")
HUBBUB_TEXTGEN_MODEL = config.env_str("HUBBUB_TEXTGEN_MODEL", "")
# OAuth 2 apps the operator registered on each network's developer portal (see
# docs/networks/<network>.md); a network without both values says so on its connect page.
HUBBUB_X_CLIENT_ID = config.env_str("HUBBUB_X_CLIENT_ID", "")
HUBBUB_X_CLIENT_SECRET = config.env_str("HUBBUB_X_CLIENT_SECRET", "")
HUBBUB_META_CLIENT_ID = config.env_str("HUBBUB_META_CLIENT_ID", "")  # Facebook and Instagram
HUBBUB_META_CLIENT_SECRET = config.env_str("HUBBUB_META_CLIENT_SECRET", "")
HUBBUB_META_WEBHOOK_VERIFY_TOKEN = config.env_str("HUBBUB_META_WEBHOOK_VERIFY_TOKEN", "")
HUBBUB_THREADS_CLIENT_ID = config.env_str("HUBBUB_THREADS_CLIENT_ID", "")
HUBBUB_THREADS_CLIENT_SECRET = config.env_str("HUBBUB_THREADS_CLIENT_SECRET", "")
HUBBUB_LINKEDIN_CLIENT_ID = config.env_str("HUBBUB_LINKEDIN_CLIENT_ID", "")
HUBBUB_LINKEDIN_CLIENT_SECRET = config.env_str("HUBBUB_LINKEDIN_CLIENT_SECRET", "")
HUBBUB_GOOGLE_CLIENT_ID = config.env_str("HUBBUB_GOOGLE_CLIENT_ID", "")  # YouTube
HUBBUB_GOOGLE_CLIENT_SECRET = config.env_str("HUBBUB_GOOGLE_CLIENT_SECRET", "")
HUBBUB_TIKTOK_CLIENT_ID = config.env_str("HUBBUB_TIKTOK_CLIENT_ID", "")  # TikTok's client key
HUBBUB_TIKTOK_CLIENT_SECRET = config.env_str("HUBBUB_TIKTOK_CLIENT_SECRET", "")
HUBBUB_PINTEREST_CLIENT_ID = config.env_str("HUBBUB_PINTEREST_CLIENT_ID", "")
HUBBUB_PINTEREST_CLIENT_SECRET = config.env_str("HUBBUB_PINTEREST_CLIENT_SECRET", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "huey.contrib.djhuey",
    "hubbub.core",
    "hubbub.accounts",
    "hubbub.networks",
    "hubbub.networks.newsletter",  # subscribers and sendings: its own models
    "hubbub.publishing",
    "hubbub.inbox",
    "hubbub.listening",
    "hubbub.measure",
    "hubbub.reporting",
    "hubbub.curation",
    "hubbub.notify",
    "hubbub.webhooks",
    "hubbub.api",
    "hubbub.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hubbub.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "hubbub.urls"
WSGI_APPLICATION = "hubbub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Network packages are not Django apps; their templates folders are listed here.
        "DIRS": sorted((BASE_DIR / "networks").glob("*/templates")),
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hubbub.web.context.shell",
            ],
        },
    }
]

DATABASE_URL = config.database_url(_env, DATA_DIR)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock between two writers. The WAL is copied back
    # into the database every 8,000 pages (32 MB) rather than SQLite's 1,000: listening
    # writes touch index pages all over (a match per query), and a page changed by several
    # batches is then copied once (the pipeline 7 % faster at 100,000 mentions);
    # the file is cut back to 64 MB after.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
            " PRAGMA wal_autocheckpoint=8000; PRAGMA journal_size_limit=67108864;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# plotly.min.js is served from the plotly package itself (hubbub.inbox.plotly_static): no
# copy in the repository, no CDN.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "hubbub.inbox.plotly_static.PlotlyFinder",
]
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every start when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
# Large uploads (videos) are written here while they arrive, then moved into MEDIA_ROOT: the
# same disk, so the move is a rename, and not /tmp, which may be memory-backed and small.
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

for _key, _value in config.email_settings(_env, DATA_DIR).items():
    globals()[_key] = _value

REDIS_URL = config.redis_url(_env)
HUEY = {
    "name": "hubbub",
    "immediate": config.env_bool("HUBBUB_JOBS_IMMEDIATE", False),
    "utc": True,
    "consumer": {
        "workers": config.env_int("HUBBUB_WORKER_THREADS", 2, 1, 64),
        "worker_type": "thread",
        # An idle worker polling the SQLite queue sleeps at most this long (Huey's default,
        # 10 s, would make the first post after a quiet spell up to 10 s late).
        "max_delay": 0.5,
    },
}
# Publishing (hubbub.publishing.dispatcher): deliveries each worker process sends at once
# (waiting on the network, not the CPU), and how long a claim lasts before another worker may
# take a crashed worker's delivery over (renewed before every part).
HUBBUB_PUBLISH_CONCURRENCY = config.env_int("HUBBUB_PUBLISH_CONCURRENCY", 16, 1, 256)
HUBBUB_PUBLISH_LEASE = config.env_int("HUBBUB_PUBLISH_LEASE", 300, 10, 86400)
HUBBUB_INBOX_POLL_SECONDS = config.env_int("HUBBUB_INBOX_POLL_SECONDS", 60, 10, 86400)
HUBBUB_INBOX_BACKFILL_DAYS = config.env_int("HUBBUB_INBOX_BACKFILL_DAYS", 7, 0, 365)
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "jobs.sqlite3")})
CACHES = config.caches(REDIS_URL)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "hubbub.core.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": config.env_str("HUBBUB_LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # The PDF report's font subsetting and chart fonts log every glyph at INFO.
        "fontTools": {"level": "WARNING"},
        "matplotlib": {"level": "WARNING"},
        # Given a handler here, Huey's consumer does not add its own (which doubled each line).
        "huey": {"handlers": ["console"], "propagate": False},
    },
}
