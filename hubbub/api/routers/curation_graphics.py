"""The API's curation graphics operations."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["curation"])
