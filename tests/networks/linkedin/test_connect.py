"""Connecting LinkedIn pages through the shared OAuth 2 pages (hubbub.networks.oauth2_views):
the sign-in goes to LinkedIn with a state (no PKCE: a web app with a secret), the code is
exchanged for a 60-day token, organizationAcls lists the pages the person administers and
organizations names them; several pages are offered on the selection page, each becomes a
channel whose expiry the Channels page warns about."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import respx
import time_machine
from django.conf import settings
from django.test import Client, override_settings

from hubbub.networks.actions import expiry_warning
from hubbub.networks.models import Channel
from tests.networks.linkedin.conftest import (
    ACCESS_TOKEN,
    API,
    NOW,
    ORG_ID,
    OTHER_ORG_ID,
    TOKEN_URL,
    acl,
    error,
    organization,
    token_answer,
)
from tests.networks.oauth_flow import assert_unknown_state_refused, start_sign_in

CONNECT = "/w/acme/channels/linkedin/connect/"
CHOOSE = "/w/acme/channels/linkedin/choose/"
CALLBACK = "/oauth/linkedin/callback/"
AUTHORIZE = "https://www.linkedin.com/oauth/v2/authorization"
ACLS = f"{API}/organizationAcls?q=roleAssignee&state=APPROVED&count=100"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def configured() -> Iterator[None]:
    with override_settings(
        HUBBUB_LINKEDIN_CLIENT_ID="86a1b2c3d4e5f6", HUBBUB_LINKEDIN_CLIENT_SECRET="s3cret"
    ):
        yield


def _start(client: Client) -> dict[str, str]:
    return start_sign_in(client, "linkedin", AUTHORIZE)


def _network(router: respx.MockRouter, *acls: dict[str, object]) -> respx.Route:
    token = router.post(TOKEN_URL).respond(200, json=token_answer())
    router.get(ACLS).respond(200, json={"elements": list(acls), "paging": {"count": 100}})
    router.get(f"{API}/organizations/{ORG_ID}").respond(200, json=organization())
    router.get(f"{API}/organizations/{OTHER_ORG_ID}").respond(
        200, json=organization(OTHER_ORG_ID, "Acme Robotics", "acme-robotics")
    )
    return token


def test_the_sign_in_asks_for_the_page_permissions_without_pkce(alice_client: Client) -> None:
    query = _start(alice_client)

    assert query["response_type"] == "code"
    assert query["client_id"] == "86a1b2c3d4e5f6"
    assert query["redirect_uri"] == f"{settings.BASE_URL}{CALLBACK}"
    assert query["scope"].split() == [
        "w_organization_social",
        "r_organization_social",
        "rw_organization_admin",
    ]
    assert len(query["state"]) >= 32
    assert "code_challenge" not in query  # LinkedIn offers PKCE to native apps only


def test_unconfigured_the_page_names_the_settings(alice_client: Client) -> None:
    with override_settings(HUBBUB_LINKEDIN_CLIENT_ID="", HUBBUB_LINKEDIN_CLIENT_SECRET=""):
        response = alice_client.get(CONNECT)

    assert response.status_code == 503
    page = response.content.decode()
    assert "HUBBUB_LINKEDIN_CLIENT_ID" in page and "HUBBUB_LINKEDIN_CLIENT_SECRET" in page
    assert f"{settings.BASE_URL}{CALLBACK}" in page


def test_two_pages_are_offered_and_the_chosen_one_connected(
    alice_client: Client, router: respx.MockRouter
) -> None:
    token = _network(
        router,
        acl(ORG_ID, "ADMINISTRATOR"),
        acl(OTHER_ORG_ID, "CONTENT_ADMINISTRATOR"),
        acl("999", "ANALYST"),  # may read, not post: not offered
        acl("998", "ADMINISTRATOR", state="REQUESTED"),
    )
    state = _start(alice_client)["state"]

    response = alice_client.get(CALLBACK, {"code": "AQTQmah11lalyH65DAIivsjsAQV5P", "state": state})

    assert response.status_code == 302 and response["Location"] == CHOOSE
    sent = parse_qs(token.calls.last.request.content.decode())
    assert sent["grant_type"] == ["authorization_code"]
    assert sent["code"] == ["AQTQmah11lalyH65DAIivsjsAQV5P"]
    assert sent["client_id"] == ["86a1b2c3d4e5f6"] and sent["client_secret"] == ["s3cret"]
    assert "code_verifier" not in sent
    acls = router.calls[1].request
    assert acls.headers["linkedin-version"] == "202605"
    assert acls.headers["x-restli-protocol-version"] == "2.0.0"
    assert acls.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"

    page = alice_client.get(CHOOSE).content.decode()
    assert "Devtestco" in page and "Acme Robotics" in page and "999" not in page
    chosen = alice_client.post(CHOOSE, {"account": [OTHER_ORG_ID]})

    assert chosen.status_code == 302
    channel = Channel.objects.get(network="linkedin")
    assert (channel.external_id, channel.name, channel.handle) == (
        OTHER_ORG_ID,
        "Acme Robotics",
        "acme-robotics",
    )
    assert channel.profile_url == "https://www.linkedin.com/company/acme-robotics/"
    assert channel.config == {"organization_id": OTHER_ORG_ID}
    assert channel.credentials["access_token"] == ACCESS_TOKEN
    assert ACCESS_TOKEN not in channel.credentials_encrypted
    assert channel.token_expires_at == NOW + timedelta(days=60)


def test_the_channels_page_warns_a_week_before_the_60_days_end(
    alice_client: Client, router: respx.MockRouter
) -> None:
    _network(router, acl(ORG_ID))
    state = _start(alice_client)["state"]
    alice_client.get(CALLBACK, {"code": "c", "state": state})  # one page: connected at once
    channel = Channel.objects.get(network="linkedin", external_id=ORG_ID)

    assert expiry_warning(channel) is None
    with time_machine.travel(NOW + timedelta(days=55), tick=False):
        assert expiry_warning(channel) == (
            "The authorization expires in 5 days: reconnect before then."
        )


def test_a_person_who_administers_no_page_is_told_so(
    alice_client: Client, router: respx.MockRouter
) -> None:
    _network(router, acl("999", "ANALYST"))
    state = _start(alice_client)["state"]

    response = alice_client.get(CALLBACK, {"code": "c", "state": state})

    assert response.status_code == 400
    assert "nothing Hubbub can post to" in response.content.decode()
    assert not Channel.objects.exists()


def test_a_cancelled_sign_in_connects_nothing(alice_client: Client) -> None:
    state = _start(alice_client)["state"]

    response = alice_client.get(
        CALLBACK,
        {
            "error": "user_cancelled_authorize",
            "error_description": "The user cancelled the authorization",
            "state": state,
        },
    )

    assert response.status_code == 400
    assert "The user cancelled the authorization" in response.content.decode()
    assert not Channel.objects.exists()


def test_an_unknown_state_is_refused(alice_client: Client, router: respx.MockRouter) -> None:
    assert_unknown_state_refused(alice_client, "linkedin", AUTHORIZE, router)


def test_a_missing_permission_is_explained(alice_client: Client, router: respx.MockRouter) -> None:
    router.post(TOKEN_URL).respond(200, json=token_answer())
    router.get(ACLS).respond(
        403,
        json=error(
            403, "ACCESS_DENIED", "Not enough permissions to access: organizationAcls.FINDER"
        ),
    )
    state = _start(alice_client)["state"]

    response = alice_client.get(CALLBACK, {"code": "c", "state": state})

    page = response.content.decode()
    assert response.status_code == 400
    assert "no longer one of its administrators" in page
    assert "Not enough permissions" in page
