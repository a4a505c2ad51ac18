"""The core routers, mounted on the API by hubbub.api.main (network packages add theirs).

Each router spells out its full paths (/workspaces/{slug}/members...) rather than relying
on a mount prefix: ninja only binds path parameters that appear in the operation's own path.
"""

from __future__ import annotations

from ninja import NinjaAPI

from hubbub.api.routers import (
    approvals,
    audit,
    campaigns,
    channels,
    media,
    members,
    posts,
    schedule,
    tokens,
    workspaces,
)


def mount(api: NinjaAPI) -> None:
    """Attach the core routers (workspaces, members, channels, audit, tokens, posts)."""
    for module in (
        workspaces,
        members,
        channels,
        audit,
        tokens,
        posts,
        approvals,
        schedule,
        media,
        campaigns,
    ):
        api.add_router("", module.router)
    api.add_router("", "hubbub.webhooks.api.router")  # the webhooks app's own router
    # The inbox (issue 5): conversations and messages, then its settings and reports.
    api.add_router("", "hubbub.api.routers.inbox.router")
    api.add_router("", "hubbub.api.routers.inbox_settings.router")
    api.add_router("", "hubbub.api.routers.inbox_rules.router")
    # Listening: queries, sources, mentions, statistics and alerts.
    api.add_router("", "hubbub.api.routers.listening.router")
    # Measure: a period's figures, its posts, the formulas.
    api.add_router("", "hubbub.api.routers.measure.router")
    # Reports: the PDF, reports e-mailed on schedule, and the brand they carry.
    api.add_router("", "hubbub.api.routers.reports.router")
    api.add_router("", "hubbub.api.routers.adspend.router")  # campaign spend from Meta ads
    # Curate and create: feeds and the library, personas and suggestions, graphics
    # templates, guardrails and links.
    for part in ("feeds", "personas", "graphics", "guardrails", "links"):
        api.add_router("", f"hubbub.api.routers.curation_{part}.router")
