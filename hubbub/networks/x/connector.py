"""The X connector: one channel is one X account, signed in through OAuth 2.0 with PKCE."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import pydantic
from django.utils.translation import gettext as _

from hubbub.networks import oauth2
from hubbub.networks.base import (
    Account,
    Capability,
    Connection,
    Connector,
    Limits,
    PermanentError,
)
from hubbub.networks.incoming import AccountMetrics, Page, PostMetrics
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.x import client, engage, messages, posting, reading, searching
from hubbub.networks.x.limits import x_limits
from hubbub.networks.x.oauth import PROVIDER

ME_FIELDS = {"user.fields": "name,username,profile_image_url"}


class XConfig(pydantic.BaseModel):
    username: str = ""  # without the @, for post addresses: https://x.com/<username>/status/<id>


def account_from(body: dict[str, Any]) -> Account:
    """An Account from GET /2/users/me (X API > Users > User lookup: `data` is the User)."""
    user = body.get("data")
    if not isinstance(user, dict) or not user.get("id") or not user.get("username"):
        raise PermanentError(_("X answered without the signed-in account."))
    username = str(user["username"])
    return Account(
        external_id=str(user["id"]),
        handle=f"@{username}",
        name=str(user.get("name") or username),
        avatar_url=str(user.get("profile_image_url") or ""),
        profile_url=f"https://x.com/{username}",
    )


class XConnector(Connector):
    name = "x"
    label = "X"
    oauth = PROVIDER
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH_TEXT,  # POST /2/tweets
            Capability.PUBLISH_IMAGE,  # POST /2/media/upload, alt text: POST /2/media/metadata
            Capability.PUBLISH_VIDEO,  # the chunked upload, then STATUS until processed
            Capability.PUBLISH_THREAD,  # each part replies to the previous one
            Capability.FIRST_COMMENT,  # one more reply, to the post (or the thread's end)
            Capability.DELETE,  # DELETE /2/tweets/:id
            Capability.READ_COMMENTS,  # recent search, conversation_id:<post> (7 days)
            Capability.MENTIONS,  # GET /2/users/:id/mentions
            Capability.METRICS,  # GET /2/tweets?ids=…&tweet.fields=public_metrics
            Capability.REPLY,  # POST /2/tweets, reply.in_reply_to_tweet_id: the mention or reply
            Capability.LIKE,  # POST /2/users/:id/likes
            Capability.HIDE,  # PUT /2/tweets/:id/hidden, replies under the account's own posts
            Capability.DIRECT_MESSAGES,  # GET /2/dm_events; POST /2/dm_conversations/:id/messages
            Capability.SEARCH,  # GET /2/tweets/search/recent, 7 days (searching.py)
        }
    )
    # Not declared: deleting others' posts (X has no such thing: hiding is the owner's tool).
    can_look_up = True  # GET /2/users/:id/tweets since the part was due: see posting.py
    config_model: ClassVar[type[XConfig]] = XConfig
    config: XConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return x_limits()

    @classmethod
    def accounts_from_token(cls, token: oauth2.Token) -> list[Connection]:
        """The signed-in account: X's OAuth signs in one account, which is the channel."""
        body = client.call_with_token(
            "GET", "/2/users/me", token=token.access_token, params=ME_FIELDS
        )
        account = account_from(body)
        return [
            Connection(
                account=account,
                credentials=token.credentials(),
                config=XConfig(username=account.handle.lstrip("@")).model_dump(),
                token_expires_at=token.expires_at,
            )
        ]

    def token(self) -> str:
        return self.stored_secret("access_token")

    def can_refresh(self) -> bool:
        return bool(self.channel.credentials.get("refresh_token"))

    def refresh_if_due(self) -> bool:
        return client.refresh(self)

    def user_id(self) -> str:
        return str(self.channel.external_id)

    def post_url(self, tweet_id: str) -> str:
        username = self.config.username or self.channel.handle.lstrip("@")
        return f"https://x.com/{username or 'i/web'}/status/{tweet_id}"

    def check(self) -> Account:
        return account_from(client.call(self, "GET", "/2/users/me", params=ME_FIELDS))

    # Publishing: see posting.py and media.py.
    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)

    def delete(self, ref: PublishedRef) -> None:
        posting.delete(self, ref)

    # Reading: see reading.py.
    def fetch_comments(self, ref: PublishedRef, cursor: str | None) -> Page:
        return reading.fetch_comments(self, ref, cursor)

    def fetch_mentions(self, cursor: str | None) -> Page:
        return reading.fetch_mentions(self, cursor)

    def fetch_metrics(self, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
        return reading.fetch_metrics(self, refs)

    def fetch_account_metrics(self) -> AccountMetrics:
        return reading.fetch_account_metrics(self)

    def fetch_messages(self, cursor: str | None) -> Page:
        return messages.fetch_messages(self, cursor)

    # Listening: see searching.py.
    def search(self, terms: str, cursor: str | None, since: datetime | None = None) -> Page:
        return searching.search(self, terms, cursor, since)

    # Engaging from the inbox: see engage.py.
    def like(self, ref: PublishedRef) -> None:
        engage.like(self, ref)

    def hide(self, ref: PublishedRef, hidden: bool) -> None:
        engage.hide(self, ref, hidden)
