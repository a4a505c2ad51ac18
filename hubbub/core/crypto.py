"""Secrets at rest: Fernet, keyed from the deployment secret.

The key is derived with HKDF so the raw SECRET_KEY is never used as an encryption key, and
HUBBUB_OLD_SECRET_KEYS (comma-separated) keeps data readable while a key is rotated.
"""

from __future__ import annotations

import base64
import json
import os
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class DecryptionError(Exception):
    """Stored secret cannot be read with the current keys (the secret key changed)."""


def _derive(secret: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"hubbub-secrets-v1", info=b"fernet"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


@lru_cache(maxsize=4)
def _fernet(secret: str, old: str) -> MultiFernet:
    keys = [_derive(secret)] + [_derive(k.strip()) for k in old.split(",") if k.strip()]
    return MultiFernet(keys)


def _current() -> MultiFernet:
    return _fernet(settings.SECRET_KEY, os.environ.get("HUBBUB_OLD_SECRET_KEYS", ""))


def encrypt(plain: str) -> str:
    return _current().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "A stored secret cannot be decrypted: the secret key changed. Restore the old key "
            "or list it in HUBBUB_OLD_SECRET_KEYS, or reconnect the channel."
        ) from None


def encrypt_json(data: dict[str, Any]) -> str:
    return encrypt(json.dumps(data, separators=(",", ":")))


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    value = json.loads(decrypt(token))
    assert isinstance(value, dict)
    return value
