"""The Pinterest connector: one channel is one board of a Pinterest account, signed in
through OAuth 2; the access token (30 days) is refreshed with the refresh token."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

import pydantic
from django.utils import timezone

from hubbub.core import http
from hubbub.networks import oauth2
from hubbub.networks.base import (
    Account,
    AuthError,
    Capability,
    Connection,
    Connector,
    ConnectorError,
    Counting,
    Limits,
    MediaLimits,
    TextLimits,
    revoked,
)
from hubbub.networks.incoming import AccountMetrics, PostMetrics
from hubbub.networks.oauth2 import Token
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.pinterest import client, posting
from hubbub.networks.pinterest.limits import (
    IMAGE_FORMATS,
    MAX_ALT_TEXT,
    MAX_DESCRIPTION,
    MAX_IMAGE_BYTES,
)
from hubbub.networks.pinterest.oauth import PROVIDER

log = logging.getLogger(__name__)

# Refresh a day before the access token ends: the channel check (every 15 minutes) has a
# day of chances, and a 401 still refreshes once on the spot.
REFRESH_BEFORE = timedelta(days=1)
MAX_PAGES = 20  # boards and Pins are listed 100 (boards) or 25 (Pins) a page


class PinterestConfig(pydantic.BaseModel):
    board_id: str = ""
    board_name: str = ""
    username: str = ""


class PinterestConnector(Connector):
    name = "pinterest"
    label = "Pinterest"
    oauth = PROVIDER
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            # No PUBLISH_TEXT: every Pin is an image (or a video); the text is its description.
            Capability.PUBLISH_IMAGE,  # POST /v5/pins with the image inline (image_base64)
            Capability.DELETE,  # DELETE /v5/pins/{pin_id}
            Capability.METRICS,  # GET /v5/pins/{pin_id}/analytics
        }
    )
    # Not declared: video Pins (an upload through POST /v5/media and S3, not built yet),
    # threads and first comments (a Pin has no replies by its author), comments and
    # mentions (the v5 API has no endpoint for either), direct messages.
    config_model: ClassVar[type[PinterestConfig]] = PinterestConfig
    config: PinterestConfig

    def __init__(self, channel: Any) -> None:
        super().__init__(channel)
        self._refresh_checked = False

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(
            text=TextLimits(max_length=MAX_DESCRIPTION, counting=Counting.CODE_POINTS),
            media=MediaLimits(
                max_images=1,
                max_image_bytes=MAX_IMAGE_BYTES,
                image_formats=IMAGE_FORMATS,
                max_alt_text=MAX_ALT_TEXT,
            ),
            requires_media=True,  # a Pin is a picture
        )

    @classmethod
    def accounts_from_token(cls, token: Token) -> list[Connection]:
        """Every board of the account: the person ticks those to connect."""
        user = _checked(client.send("GET", "user_account", token=token.access_token))
        username = str(user.get("username") or "")
        avatar = str(user.get("profile_image") or "")
        found: list[Connection] = []
        for board in _boards(token.access_token):
            board_id = str(board.get("id") or "")
            if not board_id or not username:
                continue
            name = str(board.get("name") or board_id)
            found.append(
                Connection(
                    account=Account(
                        external_id=f"{username}/{board_id}",
                        handle=f"@{username}",
                        name=name,
                        avatar_url=avatar if avatar.startswith("https://") else "",
                        profile_url=f"https://www.pinterest.com/{username}/",
                    ),
                    credentials=token.credentials(),
                    config=PinterestConfig(
                        board_id=board_id, board_name=name, username=username
                    ).model_dump(),
                    token_expires_at=token.expires_at,
                )
            )
        return found

    # --- credentials -----------------------------------------------------------------------

    def token(self) -> str:
        return self.stored_secret("access_token")

    def refresh_if_due(self) -> bool:
        expires = self.channel.token_expires_at
        now = timezone.now()
        if expires is None or expires - now > REFRESH_BEFORE:
            return False
        try:
            return self._refresh()
        except ConnectorError as exc:
            if exc.needs_reconnect or expires <= now:
                raise
            # Pinterest down for a moment while the token still works: use it, retry later.
            log.warning("refreshing Pinterest channel %s failed: %s", self.channel.pk, exc)
            return False

    def _refresh(self) -> bool:
        try:
            return oauth2.refresh_channel(self, PROVIDER, force=True)
        except AuthError:
            raise
        except ConnectorError as exc:
            if not exc.permanent:
                raise
            # A refresh token Pinterest no longer takes: only a new sign-in helps.
            raise revoked(self.label, exc.network_message or exc.message, exc.status) from None

    def save_credentials(self, credentials: dict[str, Any], expires_at: datetime | None) -> None:
        """Save the refreshed tokens on this channel and on the other boards of the same
        account in the workspace: they were connected with the same tokens, and a refresh
        token Pinterest replaced must not strand them."""
        super().save_credentials(credentials, expires_at)
        from hubbub.networks.models import Channel

        siblings = Channel.objects.filter(
            workspace_id=self.channel.workspace_id,
            network=self.name,
            disconnected_at__isnull=True,
            external_id__startswith=f"{self.config.username}/",
        ).exclude(pk=self.channel.pk)
        for sibling in siblings:
            sibling.credentials = credentials
            sibling.token_expires_at = expires_at
            sibling.save(update_fields=["credentials_encrypted", "token_expires_at", "updated_at"])

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        expect_body: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        if not self._refresh_checked:
            self._refresh_checked = True
            self.refresh_if_due()

        def send() -> Any:
            return client.send(
                method, path, token=self.token(), params=params, json=json, timeout=timeout
            )

        response = send()
        if response.status_code == 401 and self.channel.credentials.get("refresh_token"):
            self._refresh()  # expired early or revoked: one refresh, then the same call again
            response = send()
        if not response.is_success:
            raise client.error_for(response)
        return http.json_object(response) if expect_body else {}

    def board_id(self) -> str:
        return self.config.board_id or self.channel.external_id.rpartition("/")[2]

    def check(self) -> Account:
        user = self.call("GET", "user_account")
        board = self.call("GET", f"boards/{self.board_id()}")
        username = str(user.get("username") or self.config.username)
        avatar = str(user.get("profile_image") or "")
        return Account(
            external_id=f"{username}/{self.board_id()}",
            handle=f"@{username}",
            name=str(board.get("name") or self.config.board_name),
            avatar_url=avatar if avatar.startswith("https://") else "",
            profile_url=f"https://www.pinterest.com/{username}/",
        )

    def pages(
        self, path: str, params: dict[str, Any], max_pages: int = MAX_PAGES
    ) -> Iterator[list[dict[str, Any]]]:
        """Each page's items, following Pinterest's `bookmark` ("Pagination")."""
        query = dict(params)
        for _page in range(max_pages):
            body = self.call("GET", path, params=query)
            yield _items(body)
            bookmark = body.get("bookmark")
            if not bookmark:
                return
            query["bookmark"] = bookmark

    # --- publishing and metrics -------------------------------------------------------------

    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)

    def delete(self, ref: PublishedRef) -> None:
        posting.delete(self, ref)

    def fetch_metrics(self, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
        return posting.fetch_metrics(self, refs)

    def fetch_account_metrics(self) -> AccountMetrics:
        return posting.fetch_account_metrics(self)


def _checked(response: Any) -> dict[str, Any]:
    if not response.is_success:
        raise client.error_for(response)
    return http.json_object(response)


def _items(body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("items")
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _boards(access_token: str) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {"page_size": "100"}
    for _page in range(MAX_PAGES):
        body = _checked(client.send("GET", "boards", token=access_token, params=params))
        yield from _items(body)
        bookmark = body.get("bookmark")
        if not bookmark:
            return
        params["bookmark"] = bookmark
