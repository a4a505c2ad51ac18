"""The Matrix connector: one channel is one room, posted to by the person's (bot) account."""

from __future__ import annotations

from typing import Any, ClassVar

import pydantic
from django.utils.translation import gettext as _

from hubbub.networks.base import (
    Account,
    AuthError,
    Capability,
    Connector,
    Counting,
    Limits,
    MediaLimits,
    PermanentError,
)
from hubbub.networks.incoming import Page, PostMetrics
from hubbub.networks.matrix import engage, posting, reading
from hubbub.networks.matrix.client import CLIENT, as_dict, call, errcode, matrix_to, q
from hubbub.networks.matrix.limits import (
    DEFAULT_UPLOAD_BYTES,
    MAX_BODY_BYTES,
    EventBytesTextLimits,
)
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

# The image types Matrix clients display inline (m.image's info.mimetype is free, but these
# are what Element, FluffyChat and the others render).
IMAGE_FORMATS = ("image/jpeg", "image/png", "image/gif", "image/webp")


class MatrixConfig(pydantic.BaseModel):
    homeserver: str = ""  # the Client-Server API base URL, e.g. https://matrix.example.org
    room_id: str = ""  # !opaque:example.org
    room_alias: str = ""  # #announcements:example.org, when the room has one
    user_id: str = ""  # @hubbub:example.org, the account Hubbub posts as
    display_name: str = ""  # that account's display name: mentions of it are read too
    max_upload_bytes: int = DEFAULT_UPLOAD_BYTES  # m.upload.size, read when connected


class MatrixConnector(Connector):
    name = "matrix"
    label = "Matrix"
    # The room's history can be read back: find_published looks for the transaction id.
    can_look_up = True
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH_TEXT,  # m.room.message m.text
            Capability.PUBLISH_IMAGE,  # media upload, then m.room.message m.image
            Capability.PUBLISH_THREAD,  # later parts are m.thread relations to the first
            Capability.DELETE,  # redaction
            Capability.READ_COMMENTS,  # the thread's replies (relations API)
            Capability.MENTIONS,  # room messages naming the account (/messages)
            Capability.METRICS,  # reactions (m.annotation) and thread replies, counted
            Capability.REPLY,  # m.in_reply_to the message, in its thread if it is in one
            Capability.LIKE,  # an m.reaction 👍 annotation
            Capability.DELETE_COMMENTS,  # a redaction (needs the room's "redact" power level)
        }
    )
    # Not declared: video (m.video needs a thumbnail and duration Hubbub does not make yet),
    # direct messages (a channel is one room), hiding (Matrix has none), search (server-side
    # search does not cover encrypted rooms and is optional for servers).
    config_model: ClassVar[type[MatrixConfig]] = MatrixConfig
    config: MatrixConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(
            # Counted in bytes, not characters: see limits.py ("Size limits").
            text=EventBytesTextLimits(max_length=MAX_BODY_BYTES, counting=Counting.BYTES),
            media=MediaLimits(
                # m.image carries one image; several would be several events.
                max_images=1,
                max_image_bytes=DEFAULT_UPLOAD_BYTES,
                image_formats=IMAGE_FORMATS,
                # The alt text is the m.image event's body: the event size bounds it.
                max_alt_text=MAX_BODY_BYTES,
            ),
            max_thread_parts=None,
        )

    def limits(self) -> Limits:
        base = self.default_limits()
        upload = self.config.max_upload_bytes or DEFAULT_UPLOAD_BYTES
        return Limits(
            text=base.text,
            media=MediaLimits(
                max_images=base.media.max_images,
                max_image_bytes=upload,  # this homeserver's m.upload.size
                image_formats=base.media.image_formats,
                max_alt_text=base.media.max_alt_text,
            ),
            max_thread_parts=base.max_thread_parts,
        )

    # --- credentials and calls ---------------------------------------------------------------

    def token(self) -> str:
        return self.stored_secret("access_token")

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        if not self.config.homeserver or not self.config.room_id:
            raise AuthError(_("The channel does not record its Matrix room: reconnect it."))
        return call(self.config.homeserver, method, path, token=self.token(), **kwargs)

    def room_path(self, rest: str, version: str = "v3") -> str:
        return f"{CLIENT}/{version}/rooms/{q(self.config.room_id)}{rest}"

    def check(self) -> Account:
        me = self.call("GET", f"{CLIENT}/v3/account/whoami")
        if me.get("user_id") != self.config.user_id:
            raise AuthError(
                _("The Matrix access token belongs to another account: reconnect the channel.")
            )
        joined = self.call("GET", f"{CLIENT}/v3/joined_rooms").get("joined_rooms") or []
        if self.config.room_id not in joined:
            raise AuthError(
                _(
                    "The Matrix account %(user)s is no longer in the room (it left, or was "
                    "kicked or banned): invite it again, then reconnect the channel."
                )
                % {"user": self.config.user_id}
            )
        levels = room_state(self, "m.room.power_levels")
        if not may_send(levels, self.config.user_id):
            raise AuthError(
                _(
                    "The Matrix account %(user)s may no longer send messages in this room: "
                    "raise its power level, then reconnect the channel."
                )
                % {"user": self.config.user_id}
            )
        return room_account(self, self.config.room_id, self.config.room_alias)

    # --- publishing: see posting.py -----------------------------------------------------------

    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)

    def delete(self, ref: PublishedRef) -> None:
        posting.delete(self, ref)

    # --- reading: see reading.py --------------------------------------------------------------

    def fetch_comments(self, ref: PublishedRef, cursor: str | None) -> Page:
        return reading.fetch_comments(self, ref, cursor)

    def fetch_mentions(self, cursor: str | None) -> Page:
        return reading.fetch_mentions(self, cursor)

    def fetch_metrics(self, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
        return reading.fetch_metrics(self, refs)

    # --- engaging from the inbox (answers go through publish): see engage.py ---------------
    def like(self, ref: PublishedRef) -> None:
        engage.like(self, ref)

    def delete_comment(self, ref: PublishedRef) -> None:
        engage.delete_comment(self, ref)


def room_state(conn: MatrixConnector, event_type: str) -> dict[str, Any] | None:
    """The room's current state event content of that type, or None when it has none."""
    try:
        content = conn.call("GET", conn.room_path(f"/state/{q(event_type)}"))
    except PermanentError as exc:
        if errcode(exc) == "M_NOT_FOUND":
            return None
        raise
    return content if isinstance(content, dict) else None


def _level(value: Any, default: int) -> int:
    # Power levels are integers; room versions before 10 allowed strings of digits.
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def may_send(
    levels: dict[str, Any] | None, user_id: str, event_type: str = "m.room.message"
) -> bool:
    """Whether user_id's power level reaches what sending event_type needs ("m.room.power_levels":
    `users` or `users_default`, against `events` or `events_default`). A room without a
    power levels event lets every member send (the spec's defaults, 0 and 0)."""
    if levels is None:
        return True
    users = as_dict(levels.get("users"))
    events = as_dict(levels.get("events"))
    mine = _level(users.get(user_id), _level(levels.get("users_default"), 0))
    needed = _level(events.get(event_type), _level(levels.get("events_default"), 0))
    return mine >= needed


def room_account(conn: MatrixConnector, room_id: str, alias: str) -> Account:
    """The room as an Account: its name (m.room.name) and alias (m.room.canonical_alias)."""
    named = room_state(conn, "m.room.name") or {}
    canonical = room_state(conn, "m.room.canonical_alias") or {}
    name = str(named.get("name") or "").strip()
    alias = str(canonical.get("alias") or alias or "")
    return Account(
        external_id=room_id,
        handle=alias or name or room_id,
        name=name or alias or room_id,
        avatar_url="",  # an mxc:// avatar needs an authenticated download: not for a browser
        profile_url=matrix_to(alias or room_id),
    )
