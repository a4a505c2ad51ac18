"""Curation guardrails pages and API operations for tests/test_tenancy.py: the permission each one
needs, one of each object they reach (in Acme), and what a refused request must leave."""

from __future__ import annotations

from typing import Any

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.curation.models import GuardrailSetting, Sponsorship

WEB: dict[str, dict[str, str]] = {
    "curation:guardrails": {"GET": "guardrails.manage", "POST": "guardrails.manage"},
    "curation:guardrails_try": {"POST": "guardrails.manage"},
    "publishing:post_guardrails": {"GET": "posts.view"},
}

W = "api/workspaces/{slug}"
API: dict[tuple[str, str], str] = {
    ("GET", f"{W}/guardrails"): "curation.view",
    ("PUT", f"{W}/guardrails"): "guardrails.manage",
    ("POST", f"{W}/guardrails/check"): "curation.view",
    ("GET", f"{W}/posts/{{post_id}}/guardrails"): "posts.view",
}
BODY: dict[str, Any] = {
    "guardrails": [{"rule": "alt_text", "mode": "block", "options": {}}],
    "mode-alt_text": "block",
    "try_text": "Write to jane@example.com",
}


def objects(acme: Workspace, alice: User) -> dict[str, int]:
    GuardrailSetting.objects.create(workspace=acme, rule="alt_text", mode="warn")
    return {}


def snapshot() -> dict[str, Any]:
    return {
        "guardrail_settings": sorted(
            GuardrailSetting.objects.values_list("workspace_id", "rule", "mode", "options")
        ),
        "sponsorships": sorted(Sponsorship.objects.values_list("post_id", "partner")),
    }
