"""Measure's pages and API operations for tests/test_tenancy.py: the permission each one
needs (reading only: nothing to leave as it was)."""

from __future__ import annotations

from typing import Any

from hubbub.accounts.models import User
from hubbub.core.models import Workspace

VIEW = {"GET": "measure.view"}

WEB: dict[str, dict[str, str]] = {
    "measure:overview": VIEW,
    "measure:channels_csv": VIEW,
    "measure:posts_csv": VIEW,
}

M = "api/workspaces/{slug}/measure"
API: dict[tuple[str, str], str] = {
    ("GET", f"{M}/summary"): "measure.view",
    ("GET", f"{M}/posts"): "measure.view",
    ("GET", f"{M}/formulas"): "measure.view",
    ("GET", f"{M}/best-time"): "measure.view",
}
BODY: dict[str, Any] = {}


def objects(acme: Workspace, alice: User) -> dict[str, int]:
    return {}


def snapshot() -> dict[str, Any]:
    return {}
