"""The core routers, mounted on the API by hubbub.api.main (network packages add theirs).

Each router spells out its full paths (/workspaces/{slug}/members...) rather than relying
on a mount prefix: ninja only binds path parameters that appear in the operation's own path.
"""

from __future__ import annotations

from ninja import NinjaAPI

from hubbub.api.routers import audit, channels, members, posts, tokens, workspaces


def mount(api: NinjaAPI) -> None:
    """Attach the core routers (workspaces, members, channels, audit, tokens, posts)."""
    for module in (workspaces, members, channels, audit, tokens, posts):
        api.add_router("", module.router)
