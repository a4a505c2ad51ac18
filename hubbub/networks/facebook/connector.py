"""The Facebook connector: one channel is one Facebook Page, posted to with its Page token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pydantic

from hubbub.networks.base import (
    Account,
    Capability,
    Connection,
    Connector,
    Counting,
    Limits,
    MediaLimits,
    TextLimits,
)
from hubbub.networks.facebook import ads, engage, graph, messenger, posting, reading
from hubbub.networks.facebook.oauth import NETWORK, PROVIDER, long_lived
from hubbub.networks.incoming import AccountMetrics, Page, PostMetrics
from hubbub.networks.oauth2 import Token
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

# A Page post's message: 63,206 characters (Facebook's documented status length; the
# Graph API refuses longer). Counted in code points: never fewer than Facebook counts.
MAX_MESSAGE = 63206
# Page Photos reference, "Publishing": JPEG, BMP, PNG, GIF or TIFF, at most 4 MB (Hubbub
# stores JPEG, PNG, WebP and GIF; WebP is not in Facebook's list).
MAX_PHOTO_BYTES = 4 * 1024 * 1024
PHOTO_FORMATS = ("image/jpeg", "image/png", "image/gif")
# A multi-photo post (attached_media): Meta documents no number; Hubbub sends up to 10.
MAX_PHOTOS = 10
# The Page tasks that allow publishing ("Page Access Tokens", tasks on /me/accounts).
POSTING_TASKS = frozenset({"CREATE_CONTENT", "MANAGE"})


class FacebookConfig(pydantic.BaseModel):
    page_id: str = ""


class FacebookConnector(Connector):
    name = "facebook"
    label = "Facebook"
    oauth = PROVIDER
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH_TEXT,  # POST /{page-id}/feed
            Capability.PUBLISH_IMAGE,  # POST /{page-id}/photos; several: attached_media
            Capability.FIRST_COMMENT,  # POST /{post-id}/comments as the Page
            Capability.DELETE,  # DELETE /{post-id}
            Capability.READ_COMMENTS,  # GET /{post-id}/comments
            Capability.MENTIONS,  # GET /{page-id}/tagged
            Capability.METRICS,  # reactions, comments, shares and post insights
            Capability.REPLY,  # POST /{comment-id}/comments (or /{post-id}/comments) as the Page
            Capability.LIKE,  # POST /{object-id}/likes
            Capability.HIDE,  # POST /{comment-id} is_hidden
            Capability.DELETE_COMMENTS,  # DELETE /{comment-id}
            Capability.DIRECT_MESSAGES,  # Messenger: /{page-id}/conversations, /{page-id}/messages
        }
    )
    # Not declared: video (resumable upload not implemented yet), threads (a Page post has
    # no thread).
    config_model: ClassVar[type[FacebookConfig]] = FacebookConfig
    config: FacebookConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(
            text=TextLimits(max_length=MAX_MESSAGE, counting=Counting.CODE_POINTS),
            media=MediaLimits(
                max_images=MAX_PHOTOS,
                max_image_bytes=MAX_PHOTO_BYTES,
                image_formats=PHOTO_FORMATS,
                # The Graph API has no alt text field for Page photos: Facebook writes its
                # own automatic alt text, and a person can edit it on facebook.com only.
                max_alt_text=None,
            ),
        )

    @classmethod
    def accounts_from_token(cls, token: Token) -> list[Connection]:
        user = long_lived(token)
        fields = "id,name,username,link,access_token,tasks,picture{url}"
        connections = []
        for item in postable_pages(user, fields, NETWORK):
            found = page_connection(
                user,
                item,
                account=account_from_page(item),
                config=FacebookConfig(page_id=str(item["id"])).model_dump(),
            )
            # Ad accounts are read with a user token, never a Page token (see ads.py): keep
            # the long-lived one for campaign spend from the Ads Insights API.
            found.credentials[ads.TOKEN_KEY] = user.access_token
            if user.expires_at is not None:
                found.credentials["ads_token_expires_at"] = user.expires_at.isoformat()
            connections.append(found)
        return connections

    def token(self) -> str:
        return self.stored_secret("access_token")

    def page_id(self) -> str:
        return self.config.page_id or self.channel.external_id

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return graph.call(method, path, token=self.token(), network=NETWORK, **kwargs)

    def check(self) -> Account:
        page = self.call(
            "GET", self.page_id(), params={"fields": "id,name,username,link,picture{url}"}
        )
        return account_from_page(page)

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

    def fetch_messages(self, cursor: str | None) -> Page:
        return messenger.fetch_messages(self, cursor)

    # Engaging from the inbox: see engage.py.
    def like(self, ref: PublishedRef) -> None:
        engage.like(self, ref)

    def hide(self, ref: PublishedRef, hidden: bool) -> None:
        engage.hide(self, ref, hidden)

    def delete_comment(self, ref: PublishedRef) -> None:
        engage.delete_comment(self, ref)


def postable_pages(user: Token, fields: str, network: str) -> Iterator[dict[str, Any]]:
    """The signed-in person's Pages (GET /me/accounts with `fields`, which must name
    access_token and tasks) where they may publish, each with its Page token. A Page where
    the person may only moderate or analyse is left out."""
    for page in graph.paged(
        "me/accounts",
        token=user.access_token,
        network=network,
        params={"fields": fields, "limit": "100"},
    ):
        for item in page:
            raw = item.get("tasks")
            tasks = {str(t) for t in raw} if isinstance(raw, list) else set()
            if POSTING_TASKS & tasks and item.get("access_token"):
                yield item


def page_connection(
    user: Token, item: dict[str, Any], *, account: Account, config: dict[str, Any]
) -> Connection:
    """A channel posting with the Page token of `item` (one of postable_pages)."""
    return Connection(
        account=account,
        credentials={"access_token": str(item["access_token"]), "scope": user.scope},
        config=config,
        token_expires_at=None,  # a Page token from a long-lived token never expires
    )


def account_from_page(page: dict[str, Any]) -> Account:
    page_id = str(page.get("id") or "")
    username = str(page.get("username") or "")
    name = str(page.get("name") or username or page_id)
    avatar = str(graph.obj(graph.obj(page.get("picture")).get("data")).get("url") or "")
    return Account(
        external_id=page_id,
        handle=f"@{username}" if username else name,
        name=name,
        avatar_url=avatar if avatar.startswith("https://") else "",
        profile_url=str(page.get("link") or f"{graph.WWW_URL}/{page_id}"),
    )
