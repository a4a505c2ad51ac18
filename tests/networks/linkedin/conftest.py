"""LinkedIn answers shaped like the examples of LinkedIn's Community Management API
documentation (learn.microsoft.com/linkedin/marketing/community-management/...): the token
answer of the authorization code flow, organizationAcls, organizations, Posts (x-restli-id),
Images initializeUpload, Comments, Organization Share Statistics, and the error object of
"Error Handling"; with our test page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import respx
import time_machine

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from tests.conftest import PUBLIC_TEST_ADDRESS

API = "https://api.linkedin.com/rest"
TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
NOW = datetime(2026, 5, 12, 9, 30, tzinfo=UTC)
ACCESS_TOKEN = "AQXNnd2kXITHELmWblJigkxm9E9sDKu7nUMQiyx7rW8bV"
NEW_ACCESS_TOKEN = "AQUl4dLmc2kv1YFGTvpC8NIjcvQhE1YP6bEupRSEMB8e"
REFRESH_TOKEN = "AQWAft_WjYZKwuWXLC5hQlghgTam-tuT8CvFej9-XxGyqeER"
SCOPE = "r_organization_social,rw_organization_admin,w_organization_social"
ORG_ID = "2414183"  # the organization of LinkedIn's own examples
ORG_URN = f"urn:li:organization:{ORG_ID}"
OTHER_ORG_ID = "5515715"
PERSON_URN = "urn:li:person:Wc7GjvDPVm"
POST_URN = "urn:li:share:6844785523593134080"
IMAGE_URN = "urn:li:image:C4E10AQFoyyAjHPMQuQ"
UPLOAD_URL = (
    "https://www.linkedin.com/dms-uploads/C4E10AQFoyyAjHPMQuQ/uploaded-image/0"
    "?ca=vector_ads&cn=uploads&m=AQJbrN86Zm265gAAAXuJhqDovUyQBBZMZRhZE4YGq_R1OzrT&app=1953784"
    "&sync=0&v=beta&ut=3VVMBmQ2jpg6I1"
)
HEADERS = {"LinkedIn-Version": "202605", "X-Restli-Protocol-Version": "2.0.0"}


def token_answer(access: str = ACCESS_TOKEN, refresh: bool = False) -> dict[str, Any]:
    """The accessToken endpoint's answer ("Step 3: Exchange Authorization Code")."""
    body: dict[str, Any] = {"access_token": access, "expires_in": 5184000, "scope": SCOPE}
    if refresh:  # apps approved for programmatic refresh tokens only
        body |= {"refresh_token": REFRESH_TOKEN, "refresh_token_expires_in": 31536000}
    return body


def acl(org_id: str, role: str = "ADMINISTRATOR", state: str = "APPROVED") -> dict[str, Any]:
    return {
        "roleAssignee": PERSON_URN,
        "state": state,
        "role": role,
        "organization": f"urn:li:organization:{org_id}",
    }


def organization(
    org_id: str = ORG_ID, name: str = "Devtestco", vanity: str = "devtestco"
) -> dict[str, Any]:
    return {
        "id": int(org_id),
        "localizedName": name,
        "vanityName": vanity,
        "name": {
            "localized": {"en_US": name},
            "preferredLocale": {"country": "US", "language": "en"},
        },
        "organizationType": "PUBLIC_COMPANY",
    }


def error(status: int, code: str, message: str, service: int = 100) -> dict[str, Any]:
    return {"status": status, "serviceErrorCode": service, "code": code, "message": message}


def post(urn: str, commentary: str, created: datetime) -> dict[str, Any]:
    """A post as GET /rest/posts?q=author returns it."""
    return {
        "id": urn,
        "author": ORG_URN,
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": []},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
        "createdAt": int(created.timestamp() * 1000),
        "lastModifiedAt": int(created.timestamp() * 1000),
        "publishedAt": int(created.timestamp() * 1000),
    }


def comment(number: int, text: str, actor: str, at: datetime) -> dict[str, Any]:
    activity = "urn:li:activity:6844785523593134080"
    millis = int(at.timestamp() * 1000)
    return {
        "actor": actor,
        "commentUrn": f"urn:li:comment:({activity},{number})",
        "created": {"actor": actor, "time": millis},
        "lastModified": {"actor": actor, "time": millis},
        "id": str(number),
        "message": {"attributes": [], "text": text},
        "object": activity,
    }


def make_channel(workspace: Workspace, **credentials: Any) -> Channel:
    channel = Channel(
        workspace=workspace,
        network="linkedin",
        external_id=ORG_ID,
        handle="devtestco",
        name="Devtestco",
        profile_url="https://www.linkedin.com/company/devtestco/",
        config={"organization_id": ORG_ID},
        # Connected ten days ago with a 60-day token.
        token_expires_at=NOW + timedelta(days=50),
    )
    channel.credentials = {"access_token": ACCESS_TOKEN, "scope": SCOPE, **credentials}
    channel.save()
    return channel


@pytest.fixture(autouse=True)
def network(fake_dns: dict[str, list[str]]) -> Iterator[None]:
    """The network's hosts resolve to a public address, at the recorded answers' time."""
    for host in ("api.linkedin.com", "www.linkedin.com"):
        fake_dns[host] = [PUBLIC_TEST_ADDRESS]
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """Every outbound call must match a route; nothing reaches a network."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        yield mock
