"""Addresses of the Mastodon pages, for code that must not import the views (oauth.py)."""

from __future__ import annotations

from django.urls import reverse


def url_for(name: str, *args: str) -> str:
    return reverse(f"mastodon:{name}", args=args)
