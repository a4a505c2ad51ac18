"""Stable network names → connector classes, imported lazily (healthchecks' TRANSPORTS).

The key is stored in the database: never rename one. Adding a network is one line here and
one package under hubbub/networks/ (with optional `urls.py` and `api.py` for its connect flow).
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hubbub.networks.base import Connector
    from hubbub.networks.models import Channel

NETWORKS: dict[str, str] = {
    "bluesky": "hubbub.networks.bluesky.connector.BlueskyConnector",
    "discord": "hubbub.networks.discord.connector.DiscordConnector",
    "facebook": "hubbub.networks.facebook.connector.FacebookConnector",
    "instagram": "hubbub.networks.instagram.connector.InstagramConnector",
    "mastodon": "hubbub.networks.mastodon.connector.MastodonConnector",
    "matrix": "hubbub.networks.matrix.connector.MatrixConnector",
    "slack": "hubbub.networks.slack.connector.SlackConnector",
    "telegram": "hubbub.networks.telegram.connector.TelegramConnector",
    "wordpress": "hubbub.networks.wordpress.connector.WordPressConnector",
    "linkedin": "hubbub.networks.linkedin.connector.LinkedInConnector",
    "youtube": "hubbub.networks.youtube.connector.YouTubeConnector",
    "tiktok": "hubbub.networks.tiktok.connector.TikTokConnector",
    "newsletter": "hubbub.networks.newsletter.connector.NewsletterConnector",
    "x": "hubbub.networks.x.connector.XConnector",
    "threads": "hubbub.networks.threads.connector.ThreadsConnector",
    "pinterest": "hubbub.networks.pinterest.connector.PinterestConnector",
}


class UnknownNetwork(LookupError):
    pass


@cache
def connector_class(name: str) -> type[Connector]:
    try:
        dotted = NETWORKS[name]
    except KeyError:
        raise UnknownNetwork(
            f"{name!r} is not a network Hubbub knows: use one of {', '.join(sorted(NETWORKS))}."
        ) from None
    module_name, class_name = dotted.rsplit(".", 1)
    cls: type[Connector] = getattr(importlib.import_module(module_name), class_name)
    return cls


def connector_for(channel: Channel) -> Connector:
    return connector_class(channel.network)(channel)


def network_module(name: str, part: str) -> ModuleType | None:
    """A network package's optional module (`urls`, `api`), or None when it has none."""
    dotted = f"hubbub.networks.{name}.{part}"
    try:
        spec = importlib.util.find_spec(dotted)
    except ModuleNotFoundError:  # no package of that name: a connector registered from elsewhere
        return None
    if spec is None:
        return None
    return importlib.import_module(dotted)


def all_networks() -> list[type[Connector]]:
    return [connector_class(name) for name in NETWORKS]
