"""The TikTok connector: one channel is one TikTok account; a post is one video or up to 35
photos, published with the Content Posting API's Direct Post (posting.py, upload.py)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import pydantic
from django.utils.translation import gettext as _

from hubbub.networks import oauth2
from hubbub.networks.base import (
    Account,
    AuthError,
    Capability,
    Connection,
    Connector,
    Limits,
    PermanentError,
)
from hubbub.networks.incoming import AccountMetrics, PostMetrics
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.tiktok import client, limits, posting, reading
from hubbub.networks.tiktok.oauth import PROVIDER

PrivacyLevel = Literal[
    "", "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"
]
# user.info.basic gives these; `username` would need user.info.profile, so the account's
# @name comes from creator_info (creator_username) instead, which posting needs anyway.
USER_FIELDS = "open_id,union_id,avatar_url,display_name"


class TikTokConfig(pydantic.BaseModel):
    open_id: str = ""
    username: str = ""  # creator_username, for the post's web address
    # The account holder's choices, which TikTok's Content Sharing Guidelines ask them to
    # make themselves: no privacy level is preselected ("" until chosen, and nothing is
    # posted before), and every interaction starts off.
    privacy_level: PrivacyLevel = ""
    allow_comment: bool = False
    allow_duet: bool = False
    allow_stitch: bool = False
    # What creator_info said when the account was connected or its settings last saved;
    # each post asks again, these only shape the settings page and the compose limits.
    privacy_level_options: list[str] = pydantic.Field(default_factory=list)
    max_video_seconds: int | None = None


class TikTokConnector(Connector):
    name = "tiktok"
    label = "TikTok"
    oauth = PROVIDER
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH_VIDEO,  # Direct Post, FILE_UPLOAD in chunks
            Capability.PUBLISH_IMAGE,  # photo posts, PULL_FROM_URL from public addresses
            Capability.METRICS,  # /v2/video/query/ (video.list)
        }
    )
    # Not declared: text posts (TikTok has none), delete (the API has no delete), comments
    # and mentions (no API for posting apps), threads, first comments, messages, search.
    config_model: ClassVar[type[TikTokConfig]] = TikTokConfig
    config: TikTokConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return limits.default_limits()

    def limits(self) -> Limits:
        # The longest video this account may post, as creator_info last said.
        return limits.default_limits(self.config.max_video_seconds)

    # --- connecting -----------------------------------------------------------------------

    @classmethod
    def accounts_from_token(cls, token: oauth2.Token) -> list[Connection]:
        granted = set(token.scope.replace(",", " ").split())
        if token.scope and "video.publish" not in granted:
            raise PermanentError(
                _(
                    "TikTok was not allowed to let Hubbub post (video.publish): connect again "
                    "and allow every permission TikTok lists."
                ),
                network_message=token.scope,
            )
        user = client.call(
            "GET", "/user/info/", token.access_token, params={"fields": USER_FIELDS}
        ).get("user")
        user = user if isinstance(user, dict) else {}
        creator = client.call("POST", "/post/publish/creator_info/query/", token.access_token)
        open_id = str(user.get("open_id") or token.extra.get("open_id") or "")
        if not open_id:
            raise PermanentError(_("TikTok answered the sign-in without naming the account."))
        config = TikTokConfig(open_id=open_id)
        apply_creator_info(config, creator)
        return [
            Connection(
                account=account_of(user, config.username, creator),
                credentials={**token.credentials(), "open_id": open_id},
                config=config.model_dump(),
                token_expires_at=token.expires_at,
            )
        ]

    def check(self) -> Account:
        data = self.api("GET", "/user/info/", params={"fields": USER_FIELDS})
        user = data.get("user") if isinstance(data.get("user"), dict) else {}
        user = user or {}
        if str(user.get("open_id") or "") != self.config.open_id:
            raise AuthError(
                _("This TikTok authorization belongs to another account: reconnect the channel.")
            )
        return account_of(user, self.config.username, {})

    def creator_info(self) -> dict[str, Any]:
        """Query Creator Info: the account's privacy options, interaction settings and
        longest video, as they are now."""
        return self.api("POST", "/post/publish/creator_info/query/")

    # --- credentials ----------------------------------------------------------------------

    def token(self) -> str:
        return self.stored_secret("access_token")

    def refresh_if_due(self) -> bool:
        return oauth2.refresh_channel(self, PROVIDER)

    def api(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """A call with a fresh token. access_token_invalid refreshes once and tries again;
        a refused refresh (invalid_grant) asks for a reconnect."""
        self.refresh_if_due()
        try:
            return client.call(method, path, self.token(), **kwargs)
        except client.TokenInvalid:
            # Dead before its time (revoked, or refreshed by another device): once more.
            oauth2.refresh_channel(self, PROVIDER, force=True)
        return client.call(method, path, self.token(), **kwargs)

    # --- publishing and reading: posting.py and reading.py ---------------------------------

    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)

    def fetch_metrics(self, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
        return reading.fetch_metrics(self, refs)

    def fetch_account_metrics(self) -> AccountMetrics:
        return reading.fetch_account_metrics(self)


def apply_creator_info(config: TikTokConfig, creator: dict[str, Any]) -> None:
    """Keep what creator_info says about the account; a chosen privacy level the account no
    longer offers is dropped, so that nothing is posted before a new choice."""
    options = [str(o) for o in creator.get("privacy_level_options") or () if isinstance(o, str)]
    config.privacy_level_options = options
    if config.privacy_level and config.privacy_level not in options:
        config.privacy_level = ""
    seconds = creator.get("max_video_post_duration_sec")
    if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds > 0:
        config.max_video_seconds = seconds
    if creator.get("creator_username"):
        config.username = str(creator["creator_username"])


def account_of(user: dict[str, Any], username: str, creator: dict[str, Any]) -> Account:
    open_id = str(user.get("open_id") or "")
    name = str(user.get("display_name") or creator.get("creator_nickname") or username or open_id)
    return Account(
        external_id=open_id,
        handle=f"@{username}" if username else name,
        name=name,
        avatar_url=str(user.get("avatar_url") or creator.get("creator_avatar_url") or ""),
        profile_url=client.profile_url(username),
    )
