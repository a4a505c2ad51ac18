"""Secrets at rest: encrypted with a key derived from the deployment secret, rotatable."""

from __future__ import annotations

import pytest

from hubbub.core import crypto
from hubbub.core.crypto import DecryptionError

OLD_KEY = "the-old-secret-key-of-this-deployment-0123456789"
NEW_KEY = "the-new-secret-key-of-this-deployment-9876543210"


def test_it_round_trips_a_secret():
    token = crypto.encrypt("app-password-1234")
    assert crypto.decrypt(token) == "app-password-1234"


def test_the_ciphertext_does_not_contain_the_secret():
    plain = "access-token-AAAABBBBCCCC"
    token = crypto.encrypt(plain)
    assert plain not in token
    assert "AAAABBBBCCCC" not in token
    # A fresh IV every time: equal secrets do not give equal ciphertexts.
    assert crypto.encrypt(plain) != token


def test_it_round_trips_json():
    data = {"access_token": "abc", "refresh": None, "scopes": ["read", "write"]}
    token = crypto.encrypt_json(data)
    assert "abc" not in token
    assert crypto.decrypt_json(token) == data
    assert crypto.decrypt_json("") == {}


def test_a_changed_secret_key_cannot_read_old_secrets(settings, monkeypatch):
    monkeypatch.delenv("HUBBUB_OLD_SECRET_KEYS", raising=False)
    settings.SECRET_KEY = OLD_KEY
    token = crypto.encrypt("s3cret")
    settings.SECRET_KEY = NEW_KEY
    with pytest.raises(DecryptionError) as excinfo:
        crypto.decrypt(token)
    message = str(excinfo.value)
    assert "the secret key changed" in message
    assert "HUBBUB_OLD_SECRET_KEYS" in message
    assert "s3cret" not in message


def test_a_rotated_key_reads_old_secrets_and_writes_with_the_new_key(settings, monkeypatch):
    settings.SECRET_KEY = OLD_KEY
    old_token = crypto.encrypt("s3cret")
    settings.SECRET_KEY = NEW_KEY
    monkeypatch.setenv(
        "HUBBUB_OLD_SECRET_KEYS", f" unrelated-key-0000000000000000000000, {OLD_KEY}"
    )
    assert crypto.decrypt(old_token) == "s3cret"
    new_token = crypto.encrypt("s3cret")
    # Once the old key is dropped, what was written after the rotation is still readable.
    monkeypatch.delenv("HUBBUB_OLD_SECRET_KEYS")
    assert crypto.decrypt(new_token) == "s3cret"
    with pytest.raises(DecryptionError):
        crypto.decrypt(old_token)


def test_garbage_is_a_decryption_error():
    with pytest.raises(DecryptionError):
        crypto.decrypt("not-a-fernet-token")
