"""The Mastodon connector: one channel is one account on one Mastodon server."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.utils.translation import gettext

from hubbub.networks.base import (
    Account,
    AuthError,
    Capability,
    Connector,
    ConnectorError,
    Counting,
    Limits,
    MediaLimits,
    PermanentError,
    TextLimits,
)
from hubbub.networks.incoming import AccountMetrics, Page, PostMetrics
from hubbub.networks.mastodon import instance, posting, reading, searching
from hubbub.networks.mastodon.client import call, host_of
from hubbub.networks.outgoing import OutgoingPart, PublishedRef


class MastodonConfig(instance.Instance):
    """A channel's config: its server's limits, plus the account's id on that server."""

    account_id: str = ""


def account_from(server: str, domain: str, body: Any) -> Account:
    """An Account from /api/v1/accounts/verify_credentials."""
    if not isinstance(body, dict) or not body.get("id") or not body.get("username"):
        raise PermanentError(
            gettext(
                "%(host)s answered verify_credentials without an account: "
                "is this a Mastodon server?"
            )
            % {"host": host_of(server)}
        )
    username = str(body["username"])
    return Account(
        # Account ids are only unique on their own server: two servers both have an
        # account 1, so the server is part of the id Hubbub stores.
        external_id=f"{body['id']}@{host_of(server)}",
        handle=f"@{username}@{domain or host_of(server)}",
        name=str(body.get("display_name") or username),
        avatar_url=str(body.get("avatar") or body.get("avatar_static") or ""),
        profile_url=str(body.get("url") or ""),
    )


def verify_credentials(server: str, token: str, domain: str = "") -> tuple[Account, str]:
    """Who the token belongs to, and their account id on the server. A 403 here means the
    token cannot read its own account (missing read:accounts, or a disabled login)."""
    try:
        body = call("GET", server, "/api/v1/accounts/verify_credentials", token=token)
    except ConnectorError as exc:
        if exc.status == 403:
            raise AuthError(
                gettext(
                    "%(host)s does not let this token read its own account: reconnect "
                    "and allow the read:accounts permission"
                )
                % {"host": host_of(server)},
                network_message=exc.network_message,
                status=403,
            ) from None
        raise
    return account_from(server, domain, body), str(body["id"])


class MastodonConnector(Connector):
    name = "mastodon"
    label = "Mastodon"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGE,
            Capability.PUBLISH_VIDEO,
            Capability.PUBLISH_THREAD,  # a chain of replies to oneself
            Capability.DELETE,
            Capability.READ_COMMENTS,  # a status's context (its descendants)
            Capability.MENTIONS,  # notifications of type mention
            Capability.REPLY,  # publish() with reply_to (in_reply_to_id)
            Capability.METRICS,  # favourites, reblogs and replies counts
            Capability.DIRECT_MESSAGES,  # mentions with visibility=direct; replies stay direct
            Capability.LIKE,  # favourite
            # GET /api/v1/timelines/tag/:hashtag for one #tag, else GET /api/v2/search
            # (full text where the server has search enabled; searching.py)
            Capability.SEARCH,
        }
    )  # No first comment: Mastodon has no such thing beyond a reply. No hiding or deleting
    # others' statuses: that is a moderator's tool on their own server, not an API for us.
    config_model: ClassVar[type[MastodonConfig]] = MastodonConfig
    config: MastodonConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return _limits(MastodonConfig())

    def limits(self) -> Limits:
        return _limits(self.config)

    def _token(self) -> str:
        token = self.channel.credentials.get("access_token")
        if not token:
            raise AuthError(gettext("The channel has no access token: reconnect it"))
        return str(token)

    def token(self) -> str:
        return self._token()

    @property
    def host(self) -> str:
        return host_of(self.config.server)

    def account_id(self) -> str:
        """The account's id on its server: saved at connect time, else asked again."""
        if self.config.account_id:
            return self.config.account_id
        _account, account_id = verify_credentials(
            self.config.server, self._token(), self.config.domain
        )
        return account_id

    # Publishing: see posting.py.
    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)

    def delete(self, ref: PublishedRef) -> None:
        posting.delete(self, ref)

    # Reading: see reading.py.
    def fetch_comments(self, ref: PublishedRef, cursor: str | None) -> Page:
        return reading.fetch_comments(self, ref, cursor)

    def fetch_messages(self, cursor: str | None) -> Page:
        return reading.fetch_mentions(self, cursor, direct=True)

    def like(self, ref: PublishedRef) -> None:
        posting.like(self, ref)

    def fetch_mentions(self, cursor: str | None) -> Page:
        return reading.fetch_mentions(self, cursor)

    def fetch_metrics(self, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
        return reading.fetch_metrics(self, refs)

    def fetch_account_metrics(self) -> AccountMetrics:
        return reading.fetch_account_metrics(self)

    # Listening: see searching.py.
    def search(self, terms: str, cursor: str | None, since: datetime | None = None) -> Page:
        return searching.search(self, terms, cursor, since)

    def check(self) -> Account:
        if not self.config.server:
            raise AuthError(
                gettext("The channel does not record its Mastodon server: reconnect it")
            )
        account, _id = verify_credentials(self.config.server, self._token(), self.config.domain)
        return account


def _limits(config: MastodonConfig) -> Limits:
    images = tuple(m for m in config.supported_mime_types if m.startswith("image/"))
    videos = tuple(m for m in config.supported_mime_types if m.startswith("video/"))
    return Limits(
        text=TextLimits(
            max_length=config.max_characters,
            counting=Counting.MASTODON,
            url_length=config.characters_reserved_per_url,
        ),
        media=MediaLimits(
            max_images=config.max_media_attachments,
            max_image_bytes=config.image_size_limit,
            image_formats=images,  # MIME types, as the server lists them
            max_image_pixels=config.image_matrix_limit,
            max_videos=1,  # Mastodon takes one video per post, and not alongside images
            max_video_bytes=config.video_size_limit,
            video_formats=videos,
            max_video_seconds=None,  # no duration limit, only size, frame size and rate
            images_and_video_together=False,
            max_alt_text=config.description_limit,
        ),
        max_thread_parts=None,
    )
