"""The API's curation feeds operations."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["curation"])
