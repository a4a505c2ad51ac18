"""Test settings: the real settings module, with a throw-away data folder and jobs run inline."""

import os
import tempfile

os.environ.setdefault("HUBBUB_DATA_DIR", tempfile.mkdtemp(prefix="hubbub-test-"))
os.environ.setdefault("HUBBUB_SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789")
os.environ["HUBBUB_JOBS_IMMEDIATE"] = "true"

from hubbub.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests change endpoints with queryset updates too, which send no signal: read them afresh.
HUBBUB_WEBHOOK_LISTENERS_TTL = 0.0
