"""Curation's periodic jobs (feed reading is registered by hubbub.curation.feeds_tasks)."""

from __future__ import annotations

from hubbub.curation import feeds_tasks  # noqa: F401
