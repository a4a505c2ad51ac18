"""The homeserver's answers in the connector vocabulary, and finding the homeserver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import respx
import time_machine

from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from hubbub.networks.matrix.client import call, discover, matrix_to
from tests.networks.matrix.conftest import CLIENT, HOMESERVER, error

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
WHOAMI = f"{CLIENT}/v3/account/whoami"
VERSIONS = {"versions": ["v1.11", "v1.12"], "unstable_features": {}}


def _fail(
    homeserver: respx.MockRouter, status: int, body: dict[str, Any], **headers: str
) -> Exception:
    homeserver.get(WHOAMI).respond(status, json=body, headers=headers)
    with pytest.raises(Exception) as caught:
        call(HOMESERVER, "GET", "/_matrix/client/v3/account/whoami", token="t")
    return caught.value


@time_machine.travel(NOW, tick=False)
def test_limit_exceeded_waits_retry_after_ms(homeserver):
    exc = _fail(
        homeserver, 429, error("M_LIMIT_EXCEEDED", "Too many requests", retry_after_ms=2000)
    )

    assert isinstance(exc, RateLimited)
    assert exc.retry_at == NOW + timedelta(seconds=2)
    assert exc.network_message == "M_LIMIT_EXCEEDED: Too many requests"


@time_machine.travel(NOW, tick=False)
def test_limit_exceeded_without_retry_after_ms_reads_the_header(homeserver):
    # v1.10 deprecates retry_after_ms in favour of the Retry-After header.
    exc = _fail(homeserver, 429, error("M_LIMIT_EXCEEDED", "Slow down"), **{"Retry-After": "7"})

    assert isinstance(exc, RateLimited) and exc.retry_at == NOW + timedelta(seconds=7)


def test_a_soft_logout_needs_a_reconnect_and_says_so(homeserver):
    exc = _fail(homeserver, 401, error("M_UNKNOWN_TOKEN", "Token expired", soft_logout=True))

    assert isinstance(exc, AuthError) and exc.needs_reconnect and exc.permanent
    assert "soft logout" in exc.message
    assert exc.network_message == "M_UNKNOWN_TOKEN: Token expired"


def test_an_unknown_token_needs_a_reconnect(homeserver):
    exc = _fail(homeserver, 401, error("M_UNKNOWN_TOKEN", "Invalid access token passed."))

    assert isinstance(exc, AuthError) and exc.needs_reconnect
    assert "no longer valid" in exc.message


def test_forbidden_is_permanent_with_the_servers_words(homeserver):
    exc = _fail(homeserver, 403, error("M_FORBIDDEN", "You are not allowed to send here"))

    assert isinstance(exc, PermanentError) and not exc.needs_reconnect
    assert "You are not allowed to send here" in str(exc)


def test_too_large_is_permanent(homeserver):
    exc = _fail(homeserver, 413, error("M_TOO_LARGE", "Upload request body is too large"))

    assert isinstance(exc, PermanentError) and exc.status == 413
    assert "too large" in exc.message


def test_a_failing_server_is_transient(homeserver):
    exc = _fail(homeserver, 502, {})

    assert isinstance(exc, TransientError) and exc.permanent is False


def test_a_url_is_used_as_given(homeserver):
    versions = homeserver.get(f"{CLIENT}/versions").respond(200, json=VERSIONS)

    assert discover(" https://matrix.example.com/ ") == HOMESERVER
    assert versions.call_count == 1


def test_a_server_name_is_looked_up_in_its_well_known_file(homeserver):
    homeserver.get("https://example.com/.well-known/matrix/client").respond(
        200, json={"m.homeserver": {"base_url": "https://matrix.example.com/"}}
    )
    homeserver.get(f"{CLIENT}/versions").respond(200, json=VERSIONS)

    assert discover("example.com") == HOMESERVER


def test_without_a_well_known_file_the_server_name_is_the_homeserver(homeserver):
    homeserver.get("https://example.com/.well-known/matrix/client").respond(404)
    versions = homeserver.get("https://example.com/_matrix/client/versions").respond(
        200, json=VERSIONS
    )

    assert discover("example.com") == "https://example.com"
    assert versions.called


def test_a_well_known_file_without_a_homeserver_is_refused(homeserver):
    homeserver.get("https://example.com/.well-known/matrix/client").respond(
        200, json={"m.identity_server": {"base_url": "https://id.example.com"}}
    )

    with pytest.raises(PermanentError) as caught:
        discover("example.com")
    assert "does not name a homeserver" in caught.value.message


def test_a_server_that_is_not_matrix_is_refused(homeserver):
    homeserver.get(f"{CLIENT}/versions").respond(404, text="<html>Not found</html>")

    with pytest.raises(PermanentError) as caught:
        discover(HOMESERVER)
    assert "is not a Matrix homeserver" in caught.value.message


def test_a_private_address_is_refused_before_any_request(homeserver):
    # The SSRF guard of hubbub.core.http: a typed homeserver cannot reach the local network.
    with pytest.raises(ConnectorError) as caught:
        discover("http://127.0.0.1:8008")
    assert caught.value.permanent is True
    assert "private or local address" in caught.value.message
    assert not homeserver.calls


def test_permalinks_are_percent_encoded_as_in_the_spec():
    assert matrix_to("#somewhere:example.org") == "https://matrix.to/#/%23somewhere%3Aexample.org"
    assert (
        matrix_to("!somewhere:example.org", "$event:example.org", via="example.org")
        == "https://matrix.to/#/!somewhere%3Aexample.org/%24event%3Aexample.org?via=example.org"
    )
