"""Sending alerts in the background (registered with Huey when the app loads)."""

from __future__ import annotations
