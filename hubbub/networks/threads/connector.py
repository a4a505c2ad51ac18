"""The Threads connector: one channel is one Threads profile, signed in through OAuth 2 and
kept alive by refreshing its long-lived token (oauth.py)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, ClassVar

import pydantic
from django.utils import timezone

from hubbub.networks.base import (
    Account,
    Capability,
    Connection,
    Connector,
    ConnectorError,
    Counting,
    Limits,
    MediaLimits,
)
from hubbub.networks.incoming import AccountMetrics, Page, PostMetrics
from hubbub.networks.oauth2 import Token
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.threads import client, engage, posting, reading
from hubbub.networks.threads.limits import (
    IMAGE_FORMATS,
    MAX_ALT_TEXT,
    MAX_CAROUSEL,
    MAX_IMAGE_BYTES,
    MAX_TEXT,
    MAX_VIDEO_BYTES,
    MAX_VIDEO_SECONDS,
    VIDEO_FORMATS,
    ThreadsTextLimits,
)
from hubbub.networks.threads.oauth import PROVIDER, long_lived, refresh

log = logging.getLogger(__name__)

# When to refresh the long-lived token (60 days). Threads refreshes a token only once it is
# a day old and before it expires; an expired one is lost. Refreshing when 30 days are left
# means the channel check (every 15 minutes) has a month of chances if Threads is down or
# the server is off for a while, and the channels page's warning (a week before the end)
# only shows when every one of them failed.
REFRESH_WHEN_LEFT = timedelta(days=30)
MIN_AGE = timedelta(hours=24)  # "Long-Lived Tokens": at least 24 hours old
PROFILE_FIELDS = "id,username,name,threads_profile_picture_url"


class ThreadsConfig(pydantic.BaseModel):
    user_id: str = ""
    username: str = ""


class ThreadsConnector(Connector):
    name = "threads"
    label = "Threads"
    oauth = PROVIDER
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH_TEXT,  # TEXT container, published in the same request
            Capability.PUBLISH_IMAGE,  # IMAGE container; several: a carousel
            Capability.PUBLISH_VIDEO,  # VIDEO container, polled until FINISHED
            Capability.PUBLISH_THREAD,  # each part replies to the previous (reply_to_id)
            Capability.FIRST_COMMENT,  # the dispatcher sends it as the thread's last reply
            Capability.DELETE,  # DELETE /{threads-media-id} ("Delete Posts")
            Capability.READ_COMMENTS,  # GET /{threads-media-id}/conversation
            Capability.MENTIONS,  # GET /{threads-user-id}/mentions
            Capability.METRICS,  # GET /{threads-media-id}/insights
            Capability.REPLY,  # a reply container, reply_to_id the reply or mention answered
            Capability.HIDE,  # POST /{threads-reply-id}/manage_reply (top-level replies)
        }
    )
    # Not declared: direct messages (Threads has none in its API), liking and deleting
    # others' replies (no API for either), search (keyword search needs its own review).
    config_model: ClassVar[type[ThreadsConfig]] = ThreadsConfig
    config: ThreadsConfig

    def __init__(self, channel: Any) -> None:
        super().__init__(channel)
        self._refresh_checked = False

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(
            # Code points, an emoji weighing its UTF-8 bytes (limits.weight).
            text=ThreadsTextLimits(max_length=MAX_TEXT, counting=Counting.CODE_POINTS),
            media=MediaLimits(
                max_images=MAX_CAROUSEL,
                max_image_bytes=MAX_IMAGE_BYTES,
                image_formats=IMAGE_FORMATS,
                max_videos=MAX_CAROUSEL,
                max_video_bytes=MAX_VIDEO_BYTES,
                video_formats=VIDEO_FORMATS,
                max_video_seconds=MAX_VIDEO_SECONDS,
                images_and_video_together=True,  # a carousel mixes them
                max_alt_text=MAX_ALT_TEXT,
            ),
        )

    @classmethod
    def accounts_from_token(cls, token: Token) -> list[Connection]:
        lasting = long_lived(token)
        me = client.call(
            "GET",
            "me",
            token=lasting.access_token,
            params={"fields": PROFILE_FIELDS},
        )
        account = account_from_user(me)
        if not account.external_id:
            return []
        return [
            Connection(
                account=account,
                credentials={
                    "access_token": lasting.access_token,
                    "scope": lasting.scope,
                    "issued_at": timezone.now().isoformat(),
                },
                config=ThreadsConfig(
                    user_id=account.external_id, username=str(me.get("username") or "")
                ).model_dump(),
                token_expires_at=lasting.expires_at,
            )
        ]

    # --- credentials ---------------------------------------------------------------------

    def token(self) -> str:
        return self.stored_secret("access_token")

    def refresh_if_due(self) -> bool:
        """Refresh the long-lived token once fewer than REFRESH_WHEN_LEFT remain, if it is
        at least a day old. An expired token cannot be refreshed: the call that follows
        fails with error 190 and the channel asks for a reconnect."""
        expires = self.channel.token_expires_at
        now = timezone.now()
        if expires is None or expires <= now or expires - now > REFRESH_WHEN_LEFT:
            return False
        stored = self.stored_credentials()
        issued = _parse(stored.get("issued_at"))
        if issued is not None and now - issued < MIN_AGE:
            return False
        try:
            fresh = refresh(self.token())
        except ConnectorError as exc:
            if exc.needs_reconnect:
                raise
            # Threads down for a moment: the token still has weeks; the next check retries.
            log.warning("refreshing Threads channel %s failed: %s", self.channel.pk, exc)
            return False
        self.save_credentials(
            {**stored, "access_token": fresh.access_token, "issued_at": now.isoformat()},
            fresh.expires_at or now + timedelta(days=60),
        )
        return True

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        if not self._refresh_checked:
            self._refresh_checked = True
            self.refresh_if_due()
        return client.call(method, path, token=self.token(), **kwargs)

    def paged(self, path: str, **kwargs: Any) -> Any:
        if not self._refresh_checked:
            self._refresh_checked = True
            self.refresh_if_due()
        return client.paged(path, token=self.token(), **kwargs)

    def user_id(self) -> str:
        return self.config.user_id or self.channel.external_id

    def check(self) -> Account:
        me = self.call("GET", "me", params={"fields": PROFILE_FIELDS})
        return account_from_user(me)

    # --- publishing and reading ------------------------------------------------------------

    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)

    def delete(self, ref: PublishedRef) -> None:
        posting.delete(self, ref)

    def fetch_comments(self, ref: PublishedRef, cursor: str | None) -> Page:
        return reading.fetch_comments(self, ref, cursor)

    def fetch_mentions(self, cursor: str | None) -> Page:
        return reading.fetch_mentions(self, cursor)

    def fetch_metrics(self, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
        return reading.fetch_metrics(self, refs)

    def fetch_account_metrics(self) -> AccountMetrics:
        return reading.fetch_account_metrics(self)

    def hide(self, ref: PublishedRef, hidden: bool) -> None:
        engage.hide(self, ref, hidden)


def account_from_user(user: dict[str, Any]) -> Account:
    username = str(user.get("username") or "")
    avatar = str(user.get("threads_profile_picture_url") or "")
    return Account(
        external_id=str(user.get("id") or ""),
        handle=f"@{username}" if username else str(user.get("id") or ""),
        name=str(user.get("name") or username),
        avatar_url=avatar if avatar.startswith("https://") else "",
        profile_url=f"https://www.threads.com/@{username}" if username else "",
    )


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
