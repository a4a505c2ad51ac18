from __future__ import annotations

from ninja import NinjaAPI


def mount(api: NinjaAPI) -> None:
    """Attach the core routers (workspaces, members, channels, audit, tokens)."""
