"""The log filter blanks anything shaped like a credential before it is written."""

from __future__ import annotations

import io
import logging

import pytest

from hubbub.core.logging import RedactSecretsFilter


def filtered(msg: str, *args: object) -> str:
    record = logging.LogRecord("hubbub.test", logging.INFO, __file__, 1, msg, args, None)
    assert RedactSecretsFilter().filter(record) is True  # never drops a line, only blanks it
    return record.getMessage()


@pytest.mark.parametrize(
    ("message", "secret", "kept"),
    [
        ("Authorization: Bearer eyJhbGciOi.J9.abc-_~+/=", "eyJhbGciOi", "Authorization: Bearer "),
        ("POST /oauth/token?access_token=AbC123&x=1", "AbC123", "&x=1"),
        ("refresh_token=r-e-f-r-e-s-h done", "r-e-f-r-e-s-h", " done"),
        ('payload {"password": "hunter2!", "user": "alice"}', "hunter2!", '"user": "alice"'),
        ("{'app_password': 'abcd-efgh-ijkl-mnop'}", "abcd-efgh-ijkl-mnop", "app_password"),
        ("client_secret: s3cr3t", "s3cr3t", "client_secret"),
        ("token hbb_Zx9-Yw_8vU7 used by a script", "Zx9-Yw_8vU7", "used by a script"),
    ],
)
def test_it_blanks_credentials(message, secret, kept):
    line = filtered(message)
    assert secret not in line
    assert "[redacted]" in line
    assert kept in line


def test_it_blanks_credentials_passed_as_arguments():
    line = filtered("calling %s with %s", "https://x.example/", "Bearer tok-123456")
    assert line == "calling https://x.example/ with Bearer [redacted]"


def test_it_leaves_ordinary_lines_alone():
    record = logging.LogRecord(
        "hubbub.test", logging.INFO, __file__, 1, "GET %s -> %s", ("/api/v1/me", 200), None
    )
    RedactSecretsFilter().filter(record)
    # Untouched: the arguments are still separate, for handlers that use them.
    assert record.args == ("/api/v1/me", 200)
    assert record.getMessage() == "GET /api/v1/me -> 200"


def test_the_configured_console_handler_redacts():
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    ]
    assert len(handlers) == 1, "settings.LOGGING puts the filter on the console handler"
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logging.getLogger("hubbub.test").warning("login failed for password=%s", "hunter2")
    finally:
        handler.setStream(previous)
    written = stream.getvalue()
    assert "hubbub.test: login failed for password=[redacted]" in written
    assert "hunter2" not in written
