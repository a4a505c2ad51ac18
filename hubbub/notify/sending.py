"""Sending one alert to one destination: e-mail addresses, a Slack incoming webhook, a Matrix
room.

Every HTTP call goes through hubbub.core.http: the webhook URL and the homeserver are
addresses a person typed, so the private-address guard applies (lifted only where the
deployment sets HUBBUB_ALLOW_PRIVATE_NETWORKS). A Slack webhook URL and a Matrix access
token are secrets: no message, log line or `last_error` here contains them (http masks the
Slack secret in its own log line; the token travels in a header, which it never logs).

An alert carries an id made once when it is raised. Matrix's transaction id is derived from
it and the destination, so a retry of the same alert is the same PUT and the homeserver
answers with the event it already sent instead of posting twice ("Transaction identifiers").
Slack and e-mail have no such key: a retry after a time-out may repeat the message, which
for an alert is better than losing it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.notify.models import Destination, DestinationKind

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
# Delay before attempt 2, 3, … (the first is made at once): about three hours in all, after
# which an alert is stale anyway.
BACKOFF = [
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=2),
]
MAX_ATTEMPTS = len(BACKOFF) + 1
MAX_RETRY_AFTER = timedelta(hours=6)
MATRIX_SEND = "/_matrix/client/v3/rooms/{room}/send/m.room.message/{txn}"
MAX_TEXT = 3000  # characters of alert text sent (Slack cuts at 40,000; a notice is short)


@dataclass(frozen=True)
class Alert:
    """What is sent: rendered once, in the workspace's language, when the alert is raised."""

    id: str
    event: str
    text: str
    url: str = ""  # absolute

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        return cls(
            id=str(data["id"]),
            event=str(data["event"]),
            text=str(data["text"]),
            url=str(data.get("url", "")),
        )


class SendError(Exception):
    """Sending failed; `permanent`: trying again cannot help. The message is safe to show."""

    def __init__(self, message: str, *, permanent: bool, retry_at: datetime | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_at = retry_at


@dataclass(frozen=True)
class Outcome:
    sent: bool
    error: str = ""
    retry: bool = False  # worth another attempt later
    retry_at: datetime | None = None


def deliver(destination_id: int, alert: Alert) -> Outcome:
    """One attempt at one destination; records the result on it. Never raises."""
    destination = Destination.objects.filter(pk=destination_id).first()
    if destination is None or not destination.is_active:
        return Outcome(sent=False, error=_("The destination was deleted or switched off."))
    try:
        send(destination, alert)
    except SendError as exc:
        _record_failure(destination, exc.message)
        return Outcome(
            sent=False, error=exc.message, retry=not exc.permanent, retry_at=exc.retry_at
        )
    except Exception as exc:  # a bug must not stop the other destinations' jobs
        # The exception's text may quote the configuration: log its type only.
        log.error("alert destination %s: unexpected %s", destination.pk, type(exc).__name__)
        message = _("Hubbub hit an internal error while sending; it will try again.")
        _record_failure(destination, message)
        return Outcome(sent=False, error=message, retry=True)
    Destination.objects.filter(pk=destination.pk).update(last_sent_at=timezone.now(), last_error="")
    return Outcome(sent=True)


def _record_failure(destination: Destination, message: str) -> None:
    Destination.objects.filter(pk=destination.pk).update(last_error=message[:1000])
    log.warning("alert destination %s (%s): %s", destination.pk, destination.kind, message)


def retry_delay(attempt: int, retry_at: datetime | None = None) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1-based)."""
    delay = BACKOFF[min(attempt, len(BACKOFF)) - 1]
    if retry_at is not None:  # the server said when: never sooner, never absurdly later
        asked = retry_at - timezone.now()
        delay = min(max(asked, delay), MAX_RETRY_AFTER)
    return delay


def send(destination: Destination, alert: Alert) -> None:
    """Raises SendError when the destination did not take the alert."""
    config = destination.config
    if destination.kind == DestinationKind.SLACK:
        send_slack(str(config.get("webhook_url", "")), alert)
    elif destination.kind == DestinationKind.MATRIX:
        send_matrix(
            str(config.get("homeserver", "")),
            str(config.get("room_id", "")),
            str(config.get("access_token", "")),
            txn_id(alert, destination.pk),
            alert,
        )
    elif destination.kind == DestinationKind.EMAIL:
        send_email([str(a) for a in config.get("addresses", [])], alert, destination)
    else:
        raise SendError(
            _("Unknown kind of destination %(kind)s.") % {"kind": destination.kind},
            permanent=True,
        )


def _text(alert: Alert) -> str:
    text = alert.text.strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


# --- Slack ---------------------------------------------------------------------------------

_SLACK_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def slack_escape(text: str) -> str:
    """Slack reads <…> in "text" as links and mentions (<!channel> pings everyone): a
    customer's words quoted in an alert are escaped as Slack's formatting guide says."""
    return re.sub(r"[&<>]", lambda m: _SLACK_ESCAPES[m.group()], text)


def slack_body(alert: Alert) -> dict[str, Any]:
    text = slack_escape(_text(alert))
    if alert.url:
        text += f"\n<{slack_escape(alert.url)}|{slack_escape(_('Open in Hubbub'))}>"
    return {"text": text}


def send_slack(webhook_url: str, alert: Alert) -> None:
    response = _request("Slack", "POST", webhook_url, json=slack_body(alert))
    if response.is_success:
        return
    # Slack answers errors as a short code in plain text (no_service, channel_is_archived…).
    code = " ".join(response.text.split())[:100] or response.reason_phrase
    _raise_for(
        "Slack",
        response,
        _("Slack refused the alert (HTTP %(status)s: %(code)s).")
        % {"status": response.status_code, "code": code},
    )


# --- Matrix --------------------------------------------------------------------------------


def txn_id(alert: Alert, destination_id: int) -> str:
    digest = hashlib.sha256(f"{alert.id}\x00{destination_id}".encode()).hexdigest()[:32]
    return f"hubbub-alert-{digest}"


def matrix_url(homeserver: str, room_id: str, txn: str) -> str:
    path = MATRIX_SEND.format(room=quote(room_id, safe=""), txn=quote(txn, safe=""))
    return homeserver.rstrip("/") + path


def matrix_body(alert: Alert) -> dict[str, Any]:
    # m.text, not m.notice: the default push rule ".m.rule.suppress_notices" would silence
    # the alert on people's phones. Plain `body` only: nothing is read as HTML.
    body = _text(alert)
    if alert.url:
        body += f"\n{alert.url}"
    return {"msgtype": "m.text", "body": body}


def send_matrix(homeserver: str, room_id: str, token: str, txn: str, alert: Alert) -> None:
    response = _request(
        "Matrix",
        "PUT",
        matrix_url(homeserver, room_id, txn),
        json=matrix_body(alert),
        headers={"Authorization": f"Bearer {token}"},
    )
    if response.is_success:
        return
    body = http.json_object(response)
    code = str(body.get("errcode") or "")
    said = " ".join(str(body.get("error") or response.reason_phrase).split())[:200]
    if code in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN") or response.status_code == 401:
        raise SendError(
            _(
                "The Matrix homeserver refused the access token (%(code)s): it was logged out "
                "or revoked. Edit the destination and give a new one."
            )
            % {"code": code or response.status_code},
            permanent=True,
        )
    if code == "M_FORBIDDEN":
        raise SendError(
            _(
                "The Matrix homeserver refused to post in the room (%(reason)s): invite the "
                "account to the room, or check that it may speak there."
            )
            % {"reason": said},
            permanent=True,
        )
    retry_at = None
    retry_ms = body.get("retry_after_ms")
    if isinstance(retry_ms, int | float) and not isinstance(retry_ms, bool):
        retry_at = timezone.now() + timedelta(milliseconds=int(retry_ms))
    _raise_for(
        "Matrix",
        response,
        _("The Matrix homeserver refused the alert (HTTP %(status)s: %(reason)s).")
        % {"status": response.status_code, "reason": f"{code} {said}".strip()},
        retry_at=retry_at,
    )


# --- e-mail --------------------------------------------------------------------------------


def send_email(addresses: list[str], alert: Alert, destination: Destination) -> None:
    if not addresses:
        raise SendError(_("The destination has no e-mail address."), permanent=True)
    subject = " ".join(alert.text.split())
    if len(subject) > 120:
        subject = subject[:119] + "…"
    body = _text(alert)
    if alert.url:
        body += "\n\n" + _("Open it: %(url)s") % {"url": alert.url}
    body += "\n\n" + _(
        "You receive this because %(name)s in Hubbub sends alerts to this address."
    ) % {"name": destination.name}
    try:
        send_mail(subject, body, None, addresses)
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(
            _("The mail server did not take the alert (%(reason)s).")
            % {"reason": type(exc).__name__},
            permanent=False,
        ) from None


# --- shared ----------------------------------------------------------------------------------


def _request(network: str, method: str, url: str, **kwargs: Any) -> Any:
    try:
        return http.request(method, url, timeout=TIMEOUT_SECONDS, **kwargs)
    except http.OutboundError as exc:
        # http's messages name the host, never the path or the query (the Slack secret).
        raise SendError(
            _("%(network)s: %(reason)s") % {"network": network, "reason": exc.message},
            permanent=exc.permanent,
            retry_at=exc.retry_at,
        ) from None


def _raise_for(network: str, response: Any, message: str, retry_at: datetime | None = None) -> None:
    transient = http.is_transient_status(response.status_code)
    raise SendError(
        message,
        permanent=not transient,
        retry_at=retry_at or (http.retry_at(response) if transient else None),
    )
