"""Addresses of the Mastodon pages, for code that must not import the views (oauth.py)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def url_for(name: str, *args: str) -> str:
    """reverse() for the routes in urls.py. The contract is "mastodon:<name>"; while
    hubbub.networks.urls nests network routes under its own "networks" namespace they are
    "networks:mastodon:<name>", so both are tried."""
    try:
        return reverse(f"mastodon:{name}", args=args)
    except NoReverseMatch:
        return reverse(f"networks:mastodon:{name}", args=args)
