"""The alert destination pages in the tenancy test (tests/test_tenancy.py)."""

from __future__ import annotations

from typing import Any

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.notify.models import Destination

WEB: dict[str, dict[str, str]] = {
    "notify:list": {"GET": "alerts.manage", "POST": "alerts.manage"},
    "notify:detail": {"GET": "alerts.manage", "POST": "alerts.manage"},
    "notify:test": {"POST": "alerts.manage"},
    "notify:delete": {"POST": "alerts.manage"},
}
API: dict[tuple[str, str], str] = {}
# Refusals happen before any form is read: no field of ours is needed in the shared body.
BODY: dict[str, str] = {}


def objects(acme: Workspace, alice: User) -> dict[str, int]:
    destination = Destination(
        workspace=acme, kind="email", name="Acme on call", events=["inbox.breached"]
    )
    destination.config = {"addresses": ["oncall@acme.example"]}
    destination.save()
    return {"destination_id": destination.pk}


def snapshot() -> dict[str, Any]:
    return {
        "alert_destinations": sorted(
            Destination.objects.values_list(
                "pk", "name", "kind", "config_encrypted", "is_active", "last_sent_at"
            )
        )
    }
