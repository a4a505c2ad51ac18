"""The API's curation guardrails operations."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["curation"])
