"""The browser's side of the shared OAuth 2 connect pages (hubbub.networks.oauth2_views), as
every OAuth network's test_connect.py drives them: press the sign-in button on the connect
page, follow the redirect to the network's authorization page, come back to the callback."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import respx
from django.test import Client

from hubbub.networks.models import Channel


def connect_page(network: str) -> str:
    return f"/w/acme/channels/{network}/connect/"


def callback_page(network: str) -> str:
    return f"/oauth/{network}/callback/"


def start_sign_in(client: Client, network: str, authorize_url: str) -> dict[str, str]:
    """Press the sign-in button: the browser is sent to `authorize_url` (scheme, host and
    path); answers the query it carries (client_id, state, scope, PKCE challenge, ...)."""
    response = client.post(connect_page(network))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == authorize_url
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def assert_unknown_state_refused(
    client: Client, network: str, authorize_url: str, router: respx.MockRouter
) -> None:
    """A callback whose state this server did not issue is refused without asking the
    network anything, and connects nothing."""
    start_sign_in(client, network, authorize_url)

    response = client.get(callback_page(network), {"code": "abc", "state": "forged"})

    assert response.status_code == 400
    assert "unknown" in response.content.decode()
    assert not router.calls and not Channel.objects.exists()
