from tests.api.conftest import *  # noqa


def test_smoke(alice_api, bob_api):
    for p in [
        "/me",
        "/workspaces",
        "/workspaces/acme",
        "/workspaces/acme/members",
        "/workspaces/acme/invitations",
        "/workspaces/acme/channels",
        "/workspaces/acme/audit",
        "/workspaces/acme/tokens",
    ]:
        r = alice_api.get(p)
        print(p, r.status_code, r.content[:300])
    print(bob_api.get("/workspaces/acme/audit").content)
    print(alice_api.post("/workspaces/acme/invitations", {"email": "x"}).content)
    print(
        alice_api.post(
            "/workspaces/acme/invitations", {"email": "dan@example.com", "role": "boss"}
        ).content
    )
    print(
        alice_api.post(
            "/workspaces/acme/invitations", {"email": "dan@example.com", "role": "editor"}
        ).content
    )
    print(alice_api.post("/workspaces", {"name": "X"}).content)
    print(alice_api.get("/workspaces/acme/audit", since="2020-13-01").content)
    print(alice_api.post("/workspaces/acme/tokens", "notjson").content)
    print(
        alice_api.client.post(
            "/api/workspaces/acme/tokens",
            "{bad",
            content_type="application/json",
            headers={"Authorization": "Bearer " + alice_api.token},
        ).content
    )
