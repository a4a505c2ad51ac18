"""The inbox's periodic jobs (registered with Huey when the app loads)."""

from __future__ import annotations

from hubbub.inbox import (
    tasks_coverage,  # noqa: F401  (handoff and overnight digests)
    tasks_polling,  # noqa: F401  (reading the networks, every minute)
    tasks_sla,  # noqa: F401  (response-time targets, every minute)
)
