"""Curation links pages and API operations for tests/test_tenancy.py: the permission each one
needs, one of each object they reach (in Acme), and what a refused request must leave."""

from __future__ import annotations

from typing import Any

from hubbub.accounts.models import User
from hubbub.core.models import Workspace

WEB: dict[str, dict[str, str]] = {}

W = "api/workspaces/{slug}"
API: dict[tuple[str, str], str] = {}
BODY: dict[str, Any] = {}


def objects(acme: Workspace, alice: User) -> dict[str, int]:
    return {}


def snapshot() -> dict[str, Any]:
    return {}
