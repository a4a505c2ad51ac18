"""The YouTube connector: one channel is one YouTube channel; a post is one video upload."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import httpx
import pydantic
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks import oauth2
from hubbub.networks.base import (
    Account,
    AuthError,
    Capability,
    Connection,
    Connector,
    Limits,
)
from hubbub.networks.incoming import AccountMetrics, Page, PostMetrics
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.youtube import client, engage, limits, posting, reading
from hubbub.networks.youtube.oauth import PROVIDER


class YouTubeConfig(pydantic.BaseModel):
    channel_id: str = ""  # UC...
    # status.privacyStatus of each upload. Note: Google makes every upload private while
    # the operator's API project has not passed its audit (see docs/networks/youtube.md).
    privacy_status: Literal["public", "unlisted", "private"] = "public"
    # status.selfDeclaredMadeForKids: YouTube requires creators to say whether a video is
    # made for children (COPPA); a channel whose videos are sets this to True.
    made_for_kids: bool = False
    category_id: str = "22"  # snippet.categoryId; 22 is "People & Blogs"


class YouTubeConnector(Connector):
    name = "youtube"
    label = "YouTube"
    oauth = PROVIDER
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH_VIDEO,  # videos.insert, resumable upload
            Capability.DELETE,  # videos.delete
            Capability.READ_COMMENTS,  # commentThreads.list
            Capability.METRICS,  # videos.list part=statistics
            Capability.REPLY,  # comments.insert, snippet.parentId the thread's top comment
            Capability.HIDE,  # comments.setModerationStatus heldForReview / published
            Capability.DELETE_COMMENTS,  # comments.setModerationStatus rejected
        }
    )
    # Not declared: text or image posts (YouTube publishes videos; community posts have no
    # API), threads, first comments, mentions (no API), messages (YouTube has none), search,
    # liking comments (the API cannot rate a comment).
    config_model: ClassVar[type[YouTubeConfig]] = YouTubeConfig
    config: YouTubeConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return limits.default_limits()

    # --- connecting -----------------------------------------------------------------------

    @classmethod
    def accounts_from_token(cls, token: oauth2.Token) -> list[Connection]:
        response = client.call(
            "GET", "/channels", token.access_token, params={"part": "snippet", "mine": "true"}
        )
        return [
            Connection(
                account=account,
                credentials=token.credentials(),
                config=YouTubeConfig(channel_id=account.external_id).model_dump(),
                token_expires_at=token.expires_at,
            )
            for account in accounts_of(response)
        ]

    def check(self) -> Account:
        response = self.api("GET", "/channels", params={"part": "snippet", "mine": "true"})
        for account in accounts_of(response):
            if account.external_id == self.config.channel_id:
                return account
        raise AuthError(
            _(
                "The Google account that connected this channel no longer manages it: "
                "reconnect with the channel's owner or a manager."
            )
        )

    # --- credentials ----------------------------------------------------------------------

    def token(self) -> str:
        return self.stored_secret("access_token")

    def refresh_if_due(self) -> bool:
        return oauth2.refresh_channel(self, PROVIDER)

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A call with a fresh token; a 401 (authError) refreshes once and tries again,
        and a refused refresh (invalid_grant) asks for a reconnect."""
        self.refresh_if_due()
        try:
            return client.call(method, path, self.token(), **kwargs)
        except AuthError as exc:
            if exc.status != 401:
                raise
        oauth2.refresh_channel(self, PROVIDER, force=True)
        return client.call(method, path, self.token(), **kwargs)

    # --- publishing and reading: posting.py and reading.py ---------------------------------

    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)

    def delete(self, ref: PublishedRef) -> None:
        posting.delete(self, ref)

    def fetch_comments(self, ref: PublishedRef, cursor: str | None) -> Page:
        return reading.fetch_comments(self, ref, cursor)

    def fetch_metrics(self, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
        return reading.fetch_metrics(self, refs)

    def fetch_account_metrics(self) -> AccountMetrics:
        return reading.fetch_account_metrics(self)

    # Engaging from the inbox (answers go through publish): see engage.py.
    def hide(self, ref: PublishedRef, hidden: bool) -> None:
        engage.hide(self, ref, hidden)

    def delete_comment(self, ref: PublishedRef) -> None:
        engage.delete_comment(self, ref)


def accounts_of(response: httpx.Response) -> list[Account]:
    """Accounts from channels.list part=snippet (the channel resource)."""
    found = []
    for item in http.json_object(response).get("items") or ():
        if not isinstance(item, dict) or not item.get("id"):
            continue
        snippet = item.get("snippet") if isinstance(item.get("snippet"), dict) else {}
        snippet = snippet or {}
        custom = str(snippet.get("customUrl") or "")  # "@handle" on today's channels
        title = str(snippet.get("title") or custom or item["id"])
        thumbnails = snippet.get("thumbnails")
        default = thumbnails.get("default") if isinstance(thumbnails, dict) else None
        found.append(
            Account(
                external_id=str(item["id"]),
                handle=custom or title,
                name=title,
                avatar_url=str(default.get("url") or "") if isinstance(default, dict) else "",
                profile_url=f"https://www.youtube.com/{custom}"
                if custom.startswith("@")
                else f"https://www.youtube.com/channel/{item['id']}",
            )
        )
    # A Google account without a channel gets no "items" at all: nothing to connect.
    return found
