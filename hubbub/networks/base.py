"""The contract every network connector fulfils.

A connector declares what the network can do (capabilities) and its limits (with how text
length is counted), verifies and refreshes credentials, and turns every failure into a
ConnectorError that says whether retrying can help and when. Callers act on those fields,
never on message strings. Later capabilities (publishing, inbox, listening, metrics) add
methods here; a connector implements those its capabilities declare.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

import httpx
import pydantic
import regex
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.core.crypto import DecryptionError
from hubbub.networks.incoming import AccountMetrics, Page, PostMetrics
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.models import Channel
    from hubbub.networks.oauth2 import Provider, Token


class Capability(enum.StrEnum):
    PUBLISH_TEXT = "publish_text"
    PUBLISH_IMAGE = "publish_image"
    PUBLISH_VIDEO = "publish_video"
    PUBLISH_THREAD = "publish_thread"
    FIRST_COMMENT = "first_comment"
    DELETE = "delete"
    READ_COMMENTS = "read_comments"
    MENTIONS = "mentions"
    DIRECT_MESSAGES = "direct_messages"
    REPLY = "reply"
    METRICS = "metrics"
    SEARCH = "search"
    # Engaging with what others wrote (the inbox): like it, hide it from the public, delete it.
    LIKE = "like"
    HIDE = "hide"
    DELETE_COMMENTS = "delete_comments"


class Counting(enum.StrEnum):
    """How a network measures the length of a text."""

    GRAPHEMES = "graphemes"  # user-perceived characters: an emoji with modifiers counts 1
    CODE_POINTS = "code_points"
    MASTODON = "mastodon"  # code points, every URL counts as url_length, @user@domain as @user
    BYTES = "bytes"  # UTF-8 bytes (a connector's TextLimits subclass says which exactly)


_GRAPHEME = regex.compile(r"\X")
_URL = regex.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'}]", regex.IGNORECASE)
_REMOTE_MENTION = regex.compile(r"(?<![\w@])(@\w+)@[\w.-]+\w", regex.UNICODE)


@dataclass(frozen=True)
class TextLimits:
    max_length: int
    counting: Counting
    url_length: int | None = None  # a URL's fixed weight, where the network shortens links

    def count(self, text: str) -> int:
        if self.counting == Counting.GRAPHEMES:
            if text.isascii():
                # Every ASCII character is its own grapheme except CR LF, which is one; this
                # skips the \X scan (about 100 µs a post, measured in bench/) for most posts.
                return len(text) - text.count("\r\n")
            return len(_GRAPHEME.findall(text))
        if self.counting == Counting.MASTODON:
            weight = self.url_length or 23
            text = _REMOTE_MENTION.sub(r"\1", text)
            urls = _URL.findall(text)
            stripped = _URL.sub("", text)
            return len(stripped) + weight * len(urls)
        return len(text)

    def remaining(self, text: str) -> int:
        return self.max_length - self.count(text)


@dataclass(frozen=True)
class MediaLimits:
    max_images: int = 0
    max_image_bytes: int = 0
    image_formats: tuple[str, ...] = ()
    max_image_pixels: int | None = None
    max_videos: int = 0
    max_video_bytes: int = 0
    video_formats: tuple[str, ...] = ()
    max_video_seconds: int | None = None
    images_and_video_together: bool = False
    max_alt_text: int | None = None


@dataclass(frozen=True)
class Limits:
    text: TextLimits
    media: MediaLimits = field(default_factory=MediaLimits)
    max_thread_parts: int | None = None
    # Where a part's text becomes its image's caption, with a lower limit (Telegram: 1024).
    caption_max_length: int | None = None
    # Networks where every post is a picture or a video (YouTube, Instagram): a part
    # without media is refused before anything is sent.
    requires_media: bool = False


@dataclass(frozen=True)
class Account:
    """Who a channel posts as, as the network describes them."""

    external_id: str
    handle: str
    name: str
    avatar_url: str = ""
    profile_url: str = ""


@dataclass
class Connection:
    """What a successful connect flow produces; saved in one transaction or not at all."""

    account: Account
    credentials: dict[str, Any]
    config: dict[str, Any]
    token_expires_at: datetime | None = None


class ConnectorError(Exception):
    """A failed call to a network.

    permanent: the same call will fail again (bad credentials, rejected content).
    needs_reconnect: a person must reconnect the channel (revoked or expired authorization).
    retry_at: when trying again makes sense (rate limits). network_message: the network's
    own words, kept for the person.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        needs_reconnect: bool = False,
        retry_at: datetime | None = None,
        network_message: str = "",
        status: int | None = None,
        sent: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.needs_reconnect = needs_reconnect
        self.retry_at = retry_at
        self.network_message = network_message
        self.status = status
        self.sent = sent

    def __str__(self) -> str:
        if self.network_message and self.network_message not in self.message:
            return f"{self.message} ({self.network_message})"
        return self.message


class AuthError(ConnectorError):
    def __init__(self, message: str, **kw: Any) -> None:
        kw.setdefault("needs_reconnect", True)
        super().__init__(message, permanent=True, **kw)


class RateLimited(ConnectorError):
    def __init__(self, message: str, retry_at: datetime | None, **kw: Any) -> None:
        super().__init__(message, permanent=False, retry_at=retry_at, **kw)


class TransientError(ConnectorError):
    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, permanent=False, **kw)


class PermanentError(ConnectorError):
    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, permanent=True, **kw)


def from_outbound(exc: http.OutboundError, network: str) -> ConnectorError:
    """Lift an error of the HTTP layer (no response at all) into the connector vocabulary."""
    return ConnectorError(
        f"{network}: {exc.message}", permanent=exc.permanent, retry_at=exc.retry_at, sent=exc.sent
    )


def network_request(network: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One call through the outbound seam (hubbub.core.http.request, same arguments), whatever
    the answer; a call that got no answer at all raises its ConnectorError (from_outbound)."""
    try:
        return http.request(method, url, **kwargs)
    except http.OutboundError as exc:
        raise from_outbound(exc, network) from None


def read_media(media: MediaFile) -> bytes:
    """The bytes of a file to attach; a file gone from the media store is refused for good
    (retrying cannot bring it back), telling the person to attach it again."""
    try:
        return media.path.read_bytes()
    except OSError as exc:
        raise _unreadable(media, exc) from None


def upload_file(media: MediaFile) -> tuple[str, bytes, str]:
    """A file to attach as a multipart field (httpx's `files=`): name, bytes, content type."""
    return (media.path.name, read_media(media), media.mime_type)


def open_media(media: MediaFile) -> BinaryIO:
    """The file to attach opened for reading in chunks (videos); refused as read_media."""
    try:
        return media.path.open("rb")
    except OSError as exc:
        raise _unreadable(media, exc) from None


def _unreadable(media: MediaFile, exc: OSError) -> PermanentError:
    return PermanentError(
        _("The file %(name)s to attach cannot be read (%(reason)s): attach it to the post again.")
        % {"name": media.path.name, "reason": exc.strerror or exc}
    )


def unavailable(
    response: httpx.Response, network: str, network_message: str = "", status: int | None = None
) -> TransientError:
    """A server error or time-out no documented code explains: try again, when the network
    says (Retry-After) or on the usual back-off."""
    status = status or response.status_code
    return TransientError(
        _("%(network)s is unavailable right now (HTTP %(status)s): Hubbub will try again.")
        % {"network": network, "status": status},
        network_message=network_message,
        status=status,
        retry_at=http.retry_at(response),
    )


def revoked(network: str, network_message: str = "", status: int | None = None) -> AuthError:
    """The network no longer takes the channel's authorization (expired, revoked, the
    password changed): only signing in again helps."""
    return AuthError(
        _("%(network)s no longer accepts this authorization: connect the account again.")
        % {"network": network},
        network_message=network_message,
        status=status,
    )


def rejected(network: str, status: int, network_message: str = "") -> PermanentError:
    """A refusal no documented code explains: sending the same again cannot help."""
    return PermanentError(
        _("%(network)s rejected the request (HTTP %(status)s)")
        % {"network": network, "status": status},
        network_message=network_message,
        status=status,
    )


def classify_response(
    response: httpx.Response, network: str, network_message: str = ""
) -> ConnectorError:
    """The default mapping of an HTTP error status; connectors refine it with documented codes."""
    status = response.status_code
    text = network_message or response.reason_phrase
    if status == 429:
        when = http.retry_at(response)
        return RateLimited(
            _("%(network)s rate limit reached") % {"network": network},
            when,
            network_message=text,
            status=status,
        )
    if status in (401, 403):
        return AuthError(
            _("%(network)s refused the credentials; reconnect the channel") % {"network": network},
            network_message=text,
            status=status,
        )
    if http.is_transient_status(status):
        return TransientError(
            _("%(network)s is unavailable right now (HTTP %(status)s)")
            % {"network": network, "status": status},
            network_message=text,
            status=status,
            retry_at=http.retry_at(response),
        )
    return rejected(network, status, text)


class Connector(ABC):
    """One instance per channel (or per connect attempt, before a channel exists)."""

    name: ClassVar[str]  # stable key in the registry and the database
    label: ClassVar[str]  # what people call the network
    capabilities: ClassVar[frozenset[Capability]]
    config_model: ClassVar[type[pydantic.BaseModel]]
    # Can find_published tell whether a part reached the network? When not (Telegram's bots
    # cannot read a channel), an unknown outcome waits for a person, whose "send now" after
    # looking in the channel is the only way such a part is sent again.
    can_look_up: ClassVar[bool] = True
    # Networks connected through OAuth 2 with a central developer app (hubbub.networks.oauth2).
    oauth: ClassVar[Provider | None] = None

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.config = self.config_model.model_validate(channel.config or {})

    @classmethod
    @abstractmethod
    def default_limits(cls) -> Limits:
        """The limits that hold before a channel is known (from the network's docs)."""

    def limits(self) -> Limits:
        """The limits for this channel; a network whose servers differ (Mastodon) overrides."""
        return self.default_limits()

    @classmethod
    def accounts_from_token(cls, token: Token) -> list[Connection]:
        """OAuth networks: the accounts this sign-in can post as (the person's pages,
        organizations, or the signed-in account), each ready to save. Raises ConnectorError;
        an empty list means there is nothing this person may post to."""
        raise NotImplementedError

    @abstractmethod
    def check(self) -> Account:
        """Verify the credentials with the network (refreshing them if due) and return the
        account they belong to. Raises ConnectorError."""

    def refresh_if_due(self) -> bool:
        """Refresh short-lived credentials before they expire; True when they changed."""
        return False

    # --- stored credentials -------------------------------------------------------------------
    # Every connector reads its secrets the same way, so a channel whose secrets cannot be used
    # says so in the same words on every network: both cases need a reconnect.

    def stored_credentials(self) -> dict[str, Any]:
        """The channel's decrypted credentials. Raises AuthError when the secret key that
        encrypted them is gone."""
        try:
            return dict(self.channel.credentials)
        except DecryptionError:
            raise AuthError(
                _(
                    "The stored %(network)s credentials cannot be read (the server's secret key "
                    "changed): reconnect the channel."
                )
                % {"network": self.label}
            ) from None

    def stored_secret(self, key: str) -> str:
        """One stored credential (a token, a password), never empty. Raises AuthError."""
        value = self.stored_credentials().get(key)
        if not value:
            raise AuthError(
                _("The channel has no %(network)s credentials: reconnect it.")
                % {"network": self.label}
            )
        return str(value)

    # --- publishing (see hubbub/networks/outgoing.py for the contract) ------------------------
    # A connector whose capabilities include PUBLISH_TEXT overrides these three. The defaults
    # refuse permanently, so the dispatcher marks the delivery and tells a person.

    def publish(self, part: OutgoingPart) -> PublishedRef:
        """Publish one part (a post, a thread's next part, or a reply) and say where it is.
        Raises ConnectorError; `sent=True` on it when the outcome is unknown."""
        raise PermanentError(
            _("%(network)s: Hubbub cannot publish to this network yet.") % {"network": self.label}
        )

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        """After an attempt whose outcome is unknown: the part if the network has it, found by
        its idempotency key (or identical text among the account's recent posts), else None."""
        return None

    def delete(self, ref: PublishedRef) -> None:
        raise PermanentError(
            _("%(network)s: Hubbub cannot delete on this network yet.") % {"network": self.label}
        )

    # --- reading (see hubbub/networks/incoming.py for the contract) ---------------------------
    # A connector overrides each method whose capability it declares; the conformance suite
    # checks that what is declared is implemented and what is implemented is declared.

    def fetch_comments(self, ref: PublishedRef, cursor: str | None) -> Page:
        """READ_COMMENTS: the comments on one published post that are newer than `cursor`
        (all of them when None), oldest first, and the cursor to pass next time."""
        raise PermanentError(
            _("%(network)s: Hubbub cannot read comments on this network.") % {"network": self.label}
        )

    def fetch_mentions(self, cursor: str | None) -> Page:
        """MENTIONS: posts that mention the account, newer than `cursor`, oldest first."""
        raise PermanentError(
            _("%(network)s: Hubbub cannot read mentions on this network.") % {"network": self.label}
        )

    def search(self, terms: str, cursor: str | None, since: datetime | None = None) -> Page:
        """SEARCH: public posts matching `terms` (the network's own search syntax; a #tag
        reads the tag's timeline where the network has one), newer than `cursor` (a first read: not
        older than `since`), oldest first, and the cursor to pass next time. Listening's
        sources call it."""
        raise PermanentError(
            _("%(network)s: Hubbub cannot search this network.") % {"network": self.label}
        )

    def fetch_metrics(self, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
        """METRICS: each published post's counts now, keyed by the ref's external_id. A post
        the network no longer has is left out of the answer rather than failing the rest."""
        raise PermanentError(
            _("%(network)s: Hubbub cannot read metrics on this network.") % {"network": self.label}
        )

    def fetch_account_metrics(self) -> AccountMetrics:
        """METRICS: the account's own counts now (followers, …)."""
        raise PermanentError(
            _("%(network)s: Hubbub cannot read an account's counts on this network.")
            % {"network": self.label}
        )

    def fetch_messages(self, cursor: str | None) -> Page:
        """DIRECT_MESSAGES: private messages to the account, newer than `cursor`, oldest
        first; each Incoming's data["conversation_id"] names its thread, and our own messages
        in it come back too (author = the channel's account)."""
        raise PermanentError(
            _("%(network)s: Hubbub cannot read direct messages on this network.")
            % {"network": self.label}
        )

    # --- engaging with what others wrote (the inbox) ------------------------------------------
    # `ref` is the message as the inbox stores it: PublishedRef(external_id, url, data) with the
    # Incoming's data. Each raises ConnectorError like publishing does.

    def like(self, ref: PublishedRef) -> None:
        """LIKE: like (favourite, react to) a comment, mention or message."""
        raise PermanentError(
            _("%(network)s: Hubbub cannot like on this network.") % {"network": self.label}
        )

    def hide(self, ref: PublishedRef, hidden: bool) -> None:
        """HIDE: hide a comment from the public (hidden=False shows it again); its author
        still sees it."""
        raise PermanentError(
            _("%(network)s: Hubbub cannot hide comments on this network.") % {"network": self.label}
        )

    def delete_comment(self, ref: PublishedRef) -> None:
        """DELETE_COMMENTS: delete someone else's comment under one of the account's posts."""
        raise PermanentError(
            _("%(network)s: Hubbub cannot delete others' comments on this network.")
            % {"network": self.label}
        )

    def save_credentials(self, credentials: dict[str, Any], expires_at: datetime | None) -> None:
        self.channel.credentials = credentials
        self.channel.token_expires_at = expires_at
        self.channel.save(update_fields=["credentials_encrypted", "token_expires_at", "updated_at"])
