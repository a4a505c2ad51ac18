"""The Instagram connector: one channel is one Instagram professional account, reached with
the token of the Facebook Page it is linked to."""

from __future__ import annotations

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
from hubbub.networks.facebook import graph
from hubbub.networks.facebook.connector import page_connection, postable_pages
from hubbub.networks.facebook.oauth import long_lived
from hubbub.networks.incoming import AccountMetrics, Page, PostMetrics
from hubbub.networks.instagram import engage, posting, reading
from hubbub.networks.instagram.limits import (
    IMAGE_FORMATS,
    MAX_ALT_TEXT,
    MAX_CAPTION,
    MAX_CAROUSEL,
    MAX_IMAGE_BYTES,
    MAX_VIDEO_BYTES,
    MAX_VIDEO_SECONDS,
    VIDEO_FORMATS,
)
from hubbub.networks.instagram.oauth import NETWORK, PROVIDER
from hubbub.networks.oauth2 import Token
from hubbub.networks.outgoing import OutgoingPart, PublishedRef


class InstagramConfig(pydantic.BaseModel):
    ig_user_id: str = ""
    page_id: str = ""  # the Facebook Page the account is linked to (whose token we hold)
    username: str = ""


class InstagramConnector(Connector):
    name = "instagram"
    label = "Instagram"
    oauth = PROVIDER
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            # No PUBLISH_TEXT: Instagram publishes no text alone; the text is the caption.
            Capability.PUBLISH_IMAGE,  # image container; several: a carousel
            Capability.PUBLISH_VIDEO,  # a reel (media_type=REELS)
            Capability.FIRST_COMMENT,  # POST /{ig-media-id}/comments
            Capability.READ_COMMENTS,  # GET /{ig-media-id}/comments (+ replies)
            Capability.MENTIONS,  # GET /{ig-user-id}/tags: media the account is tagged in
            Capability.METRICS,  # GET /{ig-media-id}/insights
            Capability.REPLY,  # POST /{ig-comment-id}/replies; a tag: POST /{ig-user-id}/mentions
            Capability.HIDE,  # POST /{ig-comment-id} hide
            Capability.DELETE_COMMENTS,  # DELETE /{ig-comment-id}
        }
    )
    # Not declared: delete (the Instagram API cannot delete a post), threads, stories
    # (Hubbub has no story composer), direct messages (a separate product and review),
    # liking comments (the API has no such call).
    config_model: ClassVar[type[InstagramConfig]] = InstagramConfig
    config: InstagramConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(
            # Counted in code points: never fewer than Instagram counts.
            text=TextLimits(max_length=MAX_CAPTION, counting=Counting.CODE_POINTS),
            media=MediaLimits(
                max_images=MAX_CAROUSEL,
                max_image_bytes=MAX_IMAGE_BYTES,
                image_formats=IMAGE_FORMATS,
                max_videos=1,
                max_video_bytes=MAX_VIDEO_BYTES,
                video_formats=VIDEO_FORMATS,
                max_video_seconds=MAX_VIDEO_SECONDS,
                # A reel is published alone; a carousel of images and videos is not sent yet.
                images_and_video_together=False,
                max_alt_text=MAX_ALT_TEXT,
            ),
            requires_media=True,  # every Instagram post is an image, a carousel or a reel
        )

    @classmethod
    def accounts_from_token(cls, token: Token) -> list[Connection]:
        user = long_lived(token)
        fields = (
            "id,name,access_token,tasks,"
            "instagram_business_account{id,username,name,profile_picture_url}"
        )
        found: list[Connection] = []
        for item in postable_pages(user, fields, NETWORK):
            ig = graph.obj(item.get("instagram_business_account"))
            if not ig.get("id"):
                continue  # a Page without a linked Instagram account
            config = InstagramConfig(
                ig_user_id=str(ig["id"]),
                page_id=str(item.get("id") or ""),
                username=str(ig.get("username") or ""),
            )
            found.append(
                page_connection(
                    user, item, account=account_from_user(ig), config=config.model_dump()
                )
            )
        return found

    def token(self) -> str:
        return self.stored_secret("access_token")

    def ig_user_id(self) -> str:
        return self.config.ig_user_id or self.channel.external_id

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return graph.call(method, path, token=self.token(), network=NETWORK, **kwargs)

    def check(self) -> Account:
        user = self.call(
            "GET", self.ig_user_id(), params={"fields": "id,username,name,profile_picture_url"}
        )
        return account_from_user(user)

    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)

    def fetch_comments(self, ref: PublishedRef, cursor: str | None) -> Page:
        return reading.fetch_comments(self, ref, cursor)

    def fetch_mentions(self, cursor: str | None) -> Page:
        return reading.fetch_mentions(self, cursor)

    def fetch_metrics(self, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
        return reading.fetch_metrics(self, refs)

    def fetch_account_metrics(self) -> AccountMetrics:
        return reading.fetch_account_metrics(self)

    # Engaging from the inbox (replies go through publish): see engage.py.
    def hide(self, ref: PublishedRef, hidden: bool) -> None:
        engage.hide(self, ref, hidden)

    def delete_comment(self, ref: PublishedRef) -> None:
        engage.delete_comment(self, ref)


def account_from_user(user: dict[str, Any]) -> Account:
    username = str(user.get("username") or "")
    avatar = str(user.get("profile_picture_url") or "")
    return Account(
        external_id=str(user.get("id") or ""),
        handle=f"@{username}" if username else str(user.get("id") or ""),
        name=str(user.get("name") or username),
        avatar_url=avatar if avatar.startswith("https://") else "",
        profile_url=f"https://www.instagram.com/{username}/" if username else "",
    )
