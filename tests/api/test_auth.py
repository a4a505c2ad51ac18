"""Authentication: tokens (valid, revoked, wrong workspace, demoted, removed), sessions with
CSRF, and the error format."""

from __future__ import annotations

from django.test import Client

from hubbub.core.access import access_workspace
from hubbub.core.actions.members import change_role, remove_member
from hubbub.core.actions.tokens import revoke_token
from hubbub.core.models import ApiToken, Membership
from hubbub.core.roles import Role
from tests.api.conftest import Api, make_token, session_api, token_api

AUTH_HELP = (
    "Authentication required: send 'Authorization: Bearer <token>' with a valid, "
    "unrevoked API token."
)


def test_it_requires_authentication(anonymous_api):
    response = anonymous_api.get("/me")
    assert response.status_code == 401
    assert response.json() == {"detail": AUTH_HELP}


def test_it_answers_401_not_csrf_403_to_an_unsafe_request_without_credentials(anonymous_api):
    response = anonymous_api.post("/workspaces/acme/tokens", {"name": "x"})
    assert response.status_code == 401


def test_it_rejects_an_unknown_token(db):
    response = Api(Client(), "hbb_not-a-real-token").get("/me")
    assert response.status_code == 401


def test_it_rejects_a_token_without_our_prefix(db):
    response = Api(Client(), "some-other-token").get("/me")
    assert response.status_code == 401


def test_it_accepts_a_valid_token(alice_api):
    response = alice_api.get("/me")
    assert response.status_code == 200
    assert response.json() == {
        "email": "alice@example.com",
        "name": "Alice Martin",
        "language": "",
        "token": {"name": "script", "workspace": "acme", "role": "owner"},
    }


def test_it_records_when_a_token_was_last_used(alice_api):
    alice_api.get("/me")
    token = ApiToken.objects.get()
    assert token.last_used_at is not None


def test_it_rejects_a_revoked_token(alice, acme):
    api = token_api(alice, acme)
    token = ApiToken.objects.get(user=alice)
    revoke_token(access_workspace(alice, "acme"), token)
    assert api.get("/me").status_code == 401
    assert api.get("/workspaces/acme").status_code == 401


def test_a_token_does_not_work_on_another_workspace_of_its_owner(alice, acme, globex):
    Membership.objects.create(workspace=globex, user=alice, role=Role.OWNER)
    api = token_api(alice, acme)
    response = api.get("/workspaces/globex")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such workspace."}
    assert api.get("/workspaces/globex/members").status_code == 404


def test_a_token_of_a_demoted_member_acts_with_the_lower_role(alice, bob, acme):
    access = access_workspace(alice, "acme")
    change_role(access, Membership.objects.get(user=bob), Role.MANAGER)
    api = token_api(bob, acme, Role.MANAGER)
    assert api.get("/workspaces/acme/members").status_code == 200
    change_role(access, Membership.objects.get(user=bob), Role.ANALYST)

    assert api.get("/me").json()["token"]["role"] == "analyst"
    assert api.get("/workspaces/acme").json()["role"] == "analyst"
    response = api.post(
        "/workspaces/acme/invitations", {"email": "x@example.com", "role": "editor"}
    )
    assert response.status_code == 403
    assert "Analyst" in response.json()["detail"]


def test_a_token_never_acts_above_the_role_it_was_made_with(alice, acme):
    api = token_api(alice, acme, Role.EDITOR)
    assert api.get("/workspaces/acme").json()["role"] == "editor"
    assert api.patch("/workspaces/acme", {"name": "Renamed"}).status_code == 403


def test_a_removed_members_token_stops_working(alice, bob, acme):
    api = token_api(bob, acme)
    remove_member(access_workspace(alice, "acme"), Membership.objects.get(user=bob))
    assert api.get("/me").status_code == 401
    assert api.get("/workspaces/acme").status_code == 401


def test_a_token_of_a_deactivated_account_stops_working(bob, acme):
    api = token_api(bob, acme)
    bob.is_active = False
    bob.save()
    assert api.get("/me").status_code == 401


def test_a_session_works_without_a_token(bob, acme):
    response = session_api(bob).get("/me")
    assert response.status_code == 200
    assert response.json()["token"] is None


def test_a_session_needs_the_csrf_token_for_unsafe_requests(bob, acme):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    response = Api(client).post("/workspaces/acme/tokens", {"name": "cli"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_a_session_with_the_csrf_token_may_change_things(bob, acme):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    client.get("/api/me")  # any page sets the cookie in a browser; here we set it by hand
    client.cookies["csrftoken"] = "a" * 32
    response = client.post(
        "/api/workspaces/acme/tokens",
        '{"name": "cli"}',
        content_type="application/json",
        headers={"X-CSRFToken": "a" * 32},
    )
    assert response.status_code == 201
    assert ApiToken.objects.get().name == "cli"


def test_a_token_needs_no_csrf_token(bob, acme):
    raw = make_token(bob, acme)
    client = Client(enforce_csrf_checks=True)
    response = Api(client, raw).post("/workspaces/acme/tokens", {"name": "second"})
    assert response.status_code == 201


def test_malformed_json_gets_a_readable_400(alice_api):
    response = alice_api.client.post(
        "/api/workspaces/acme/tokens",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {alice_api.token}"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body is not valid JSON: send a JSON object with the header "
        "'Content-Type: application/json'."
    }


def test_a_missing_field_gets_a_readable_422(alice_api):
    response = alice_api.post("/workspaces/acme/invitations", {"email": "dan@example.com"})
    assert response.status_code == 422
    assert response.json()["detail"] == "Invalid request: role: Field required"


def test_a_bad_query_parameter_gets_a_readable_422(alice_api):
    response = alice_api.get("/workspaces/acme/audit", since="2025-13-01")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Invalid request: query.since: Input should be")
