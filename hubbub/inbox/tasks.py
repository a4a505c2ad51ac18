"""The inbox's periodic jobs (registered with Huey when the app loads)."""

from __future__ import annotations
