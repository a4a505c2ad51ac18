"""The Bluesky connector: what the network offers, its limits, and keeping the session alive."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

import pydantic
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.networks.base import (
    Account,
    AuthError,
    Capability,
    Connector,
    Counting,
    Limits,
    MediaLimits,
    TextLimits,
)
from hubbub.networks.bluesky import posting, reading, searching, xrpc
from hubbub.networks.bluesky import session as bsky
from hubbub.networks.bluesky.xrpc import TokenRejected
from hubbub.networks.incoming import AccountMetrics, Page, PostMetrics
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

# bsky.social's access tokens live about two hours; refreshing with ten minutes left means a
# post sent by a slow job never carries a token that expires on the way.
REFRESH_MARGIN = timedelta(minutes=10)

CREDENTIAL_KEYS = ("accessJwt", "refreshJwt", "did", "pds_url", "app_password")


class BlueskyConfig(pydantic.BaseModel):
    pds_url: str = bsky.DEFAULT_PDS  # a copy for display; the calls use the credentials' own
    # False when the account's main password was used rather than an app password.
    app_password_login: bool = True


class BlueskyConnector(Connector):
    name = "bluesky"
    label = "Bluesky"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH_TEXT,  # app.bsky.feed.post, com.atproto.repo.createRecord
            Capability.PUBLISH_IMAGE,  # app.bsky.embed.images, blobs: repo.uploadBlob
            Capability.PUBLISH_VIDEO,  # app.bsky.embed.video
            Capability.PUBLISH_THREAD,  # a post whose `reply` points at the previous one
            Capability.DELETE,  # com.atproto.repo.deleteRecord
            Capability.READ_COMMENTS,  # replies, from app.bsky.feed.getPostThread
            Capability.MENTIONS,  # app.bsky.notification.listNotifications (mention, reply, quote)
            Capability.REPLY,  # publish() with reply_to: the Incoming's uri and cid
            Capability.SEARCH,  # app.bsky.feed.searchPosts (searching.py)
            Capability.METRICS,  # likeCount, repostCount, replyCount, quoteCount on post views
            Capability.LIKE,  # an app.bsky.feed.like record
        }
    )
    # Not declared yet: direct messages (chat.bsky.* through the PDS with `atproto-proxy:
    # did:web:api.bsky.chat#bsky_chat`, an app password allowed to read them): the reference
    # network that runs here has no chat service to prove them against; search
    # (app.bsky.feed.searchPosts) comes with listening. Hiding a reply needs a threadgate
    # rewrite, and deleting one is not possible (it lives in its author's repository).
    config_model = BlueskyConfig

    @classmethod
    def default_limits(cls) -> Limits:
        # Sources: the app.bsky.* lexicons (bluesky-social/atproto, as shipped in
        # @atproto/api 0.20) and Bluesky's announcements.
        # - text: app.bsky.feed.post `text` maxGraphemes 300 (and maxLength 3000 bytes).
        #   Links are facets over the text, so a URL counts its full length: no shortening.
        # - images: app.bsky.embed.images allows 4; each blob was limited to 1,000,000 bytes
        #   and the newest lexicon allows 2,000,000. We keep 1,000,000 so a post stays valid
        #   on every PDS and AppView, including self-hosted ones on an older lexicon.
        # - video: one per post (app.bsky.embed.video, accept video/mp4). Bluesky's video
        #   service takes up to 100 MB and 3 minutes (announcement of March 2025); the newest
        #   lexicon raises the blob limit to 300 MB, which the service does not promise yet.
        # - alt text: the lexicon sets no bound; the Bluesky app's composer stops at 2,000
        #   graphemes (social-app's MAX_ALT_TEXT; 1,000 in older versions).
        # - an image and a video cannot share a post: `embed` is one of images | video.
        return Limits(
            text=TextLimits(max_length=300, counting=Counting.GRAPHEMES),
            media=MediaLimits(
                max_images=4,
                max_image_bytes=1_000_000,
                image_formats=("image/jpeg", "image/png", "image/webp", "image/gif"),
                max_videos=1,
                max_video_bytes=100_000_000,
                video_formats=("video/mp4",),
                max_video_seconds=180,
                images_and_video_together=False,
                max_alt_text=2000,
            ),
            max_thread_parts=None,
        )

    def credentials(self) -> dict[str, Any]:
        stored = self.stored_credentials()
        if any(not stored.get(key) for key in CREDENTIAL_KEYS):
            raise AuthError(_("The Bluesky credentials are incomplete: reconnect the channel."))
        return stored

    def refresh_if_due(self, *, force: bool = False) -> bool:
        stored = self.credentials()
        expires_at = bsky.jwt_expiry(stored["accessJwt"])
        if not force and expires_at is not None and expires_at - timezone.now() > REFRESH_MARGIN:
            return False
        pds = stored["pds_url"]
        # Two workers refreshing at once is harmless: the PDS accepts a refresh token again
        # for a grace period and answers with the same new pair.
        try:
            fresh = bsky.refresh_session(pds, stored["refreshJwt"])
        except TokenRejected:
            # The refresh token lapsed (a channel idle for ~2 months) or the PDS revoked the
            # session. That is why the app password is kept: it opens a new session without
            # asking a person to reconnect. The DID survives handle changes.
            fresh = bsky.create_session(pds, stored["did"], stored["app_password"])
        # App passwords do not expire, so the channel has no expiry date to warn about.
        self.save_credentials(session_credentials(fresh, pds, stored["app_password"]), None)
        return True

    def check(self) -> Account:
        self.refresh_if_due()
        stored = self.credentials()
        try:
            bsky.get_session(stored["pds_url"], stored["accessJwt"])
        except TokenRejected:
            # Revoked early (e.g. the person signed out every session): one new session.
            self.refresh_if_due(force=True)
            stored = self.credentials()
            bsky.get_session(stored["pds_url"], stored["accessJwt"])
        profile = bsky.get_profile(stored["pds_url"], stored["accessJwt"], stored["did"])
        return bsky.account_from_profile(profile, stored["did"], self.channel.handle)

    def xrpc(self, nsid: str, **kwargs: Any) -> dict[str, Any]:
        """One XRPC call with the channel's session: refreshed first when due, and once more
        if the PDS says the token expired or was revoked (then the same call again)."""
        self.refresh_if_due()
        stored = self.credentials()
        try:
            return xrpc.call(stored["pds_url"], nsid, token=stored["accessJwt"], **kwargs)
        except TokenRejected:
            self.refresh_if_due(force=True)
            stored = self.credentials()
            return xrpc.call(stored["pds_url"], nsid, token=stored["accessJwt"], **kwargs)

    # Publishing: see posting.py.
    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)

    def delete(self, ref: PublishedRef) -> None:
        posting.delete(self, ref)

    # Reading: see reading.py.
    def like(self, ref: PublishedRef) -> None:
        posting.like(self, ref)

    def fetch_comments(self, ref: PublishedRef, cursor: str | None) -> Page:
        return reading.fetch_comments(self, ref, cursor)

    def fetch_mentions(self, cursor: str | None) -> Page:
        return reading.fetch_mentions(self, cursor)

    def fetch_metrics(self, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
        return reading.fetch_metrics(self, refs)

    def fetch_account_metrics(self) -> AccountMetrics:
        return reading.fetch_account_metrics(self)

    def search(self, terms: str, cursor: str | None, since: datetime | None = None) -> Page:
        return searching.search(self, terms, cursor, since)


def session_credentials(session: bsky.Session, pds_url: str, app_password: str) -> dict[str, Any]:
    """What a channel stores (encrypted by Channel.credentials)."""
    return {
        "accessJwt": session.access_jwt,
        "refreshJwt": session.refresh_jwt,
        "did": session.did,
        "pds_url": pds_url,
        "app_password": app_password,
    }
