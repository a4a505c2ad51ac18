"""Publishing a part on a newsletter: one e-mail to each active subscriber, exactly once.

For each subscriber without a Sending row for the part's idempotency key, in order:
1. the row is inserted (status "sending") and committed: the claim. The unique constraint
   on (key, subscriber) makes a second worker that took the delivery over skip them;
2. MAIL, RCPT and DATA go to the server on one connection for the whole list;
3. the row takes the outcome: sent (with the Message-ID), or bounced when the server
   refuses the recipient (5xx to RCPT, or 550/551/553 after DATA): the subscriber is then
   marked bounced with the server's words, and the others still get theirs.

When the server refuses before the message was handed over (a 4xx, "slow down", a closed
connection), the row is deleted, since that subscriber got nothing, and the error goes up:
the dispatcher retries later and the retry skips everyone already claimed. When the
connection breaks *after* the message was handed over, nobody knows whether it was
accepted: the row stays "sending" (it is not sent again) and the error says sent=True.

find_published: the part is published when every active subscriber has a row for its key.
"""

from __future__ import annotations

import logging
import smtplib
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hubbub.networks.base import ConnectorError, PermanentError
from hubbub.networks.newsletter import message, smtp, tokens
from hubbub.networks.newsletter.models import (
    Sending,
    SendingStatus,
    Subscriber,
    SubscriberStatus,
)
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.newsletter.connector import NewsletterConnector

log = logging.getLogger(__name__)

# Replies after DATA that are about the recipient's mailbox, not the message: 550 mailbox
# unavailable, 551 user not local, 553 mailbox name not allowed (RFC 5321 §4.2.3). A server
# that checks recipients late answers them here instead of to RCPT.
MAILBOX_REFUSALS = (550, 551, 553)


class Refused(Exception):
    """A negative reply to MAIL, RCPT or DATA: nothing was delivered."""

    def __init__(self, phase: str, code: int, reply: bytes | str) -> None:
        self.reply = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
        self.words = f"{code} {self.reply}".strip()  # the server's own words, as stored
        super().__init__(self.words)
        self.phase = phase  # "mail", "rcpt" or "data"
        self.code = code


class Lost(Exception):
    """The connection failed; `handed_over`: the message's content had been sent."""

    def __init__(self, error: ConnectorError, handed_over: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.handed_over = handed_over


def publish(conn: NewsletterConnector, part: OutgoingPart) -> PublishedRef:
    channel = conn.channel
    key = part.idempotency_key
    pending = list(_pending(conn, key))
    ref = PublishedRef(external_id=key)
    if not pending:
        if Sending.objects.filter(channel=channel, key=key).exists():
            return ref
        raise PermanentError(
            _("The newsletter has no subscribers: add some on its subscribers page first.")
        )
    server = conn.server()
    sender = conn.sender()
    language = channel.workspace.language
    with translation.override(language):
        content = message.content_for(part, sender)
        mailer = _Mailer(server)
        try:
            for subscriber in pending:
                _send_to(mailer, conn, key, subscriber, content, sender, language)
        finally:
            mailer.close()
    log.info("newsletter %s, %s: %s mails sent", channel.pk, key, mailer.sent)
    return ref


def find_published(conn: NewsletterConnector, part: OutgoingPart) -> PublishedRef | None:
    if _pending(conn, part.idempotency_key).exists():
        return None
    return PublishedRef(external_id=part.idempotency_key)


def _pending(conn: NewsletterConnector, key: str) -> QuerySet[Subscriber]:
    claimed = Sending.objects.filter(key=key).values("subscriber_id")
    return (
        Subscriber.objects.filter(channel=conn.channel, status=SubscriberStatus.ACTIVE)
        .exclude(pk__in=claimed)
        .order_by("pk")
    )


def _claim(conn: NewsletterConnector, key: str, subscriber: Subscriber) -> Sending | None:
    try:
        with transaction.atomic():  # a savepoint when the caller holds a transaction
            return Sending.objects.create(
                channel=conn.channel, key=key, subscriber=subscriber, status=SendingStatus.SENDING
            )
    except IntegrityError:
        return None  # another worker has this subscriber


def _send_to(
    mailer: _Mailer,
    conn: NewsletterConnector,
    key: str,
    subscriber: Subscriber,
    content: message.Content,
    sender: message.Sender,
    language: str,
) -> None:
    # Built before the claim: a message that cannot be built leaves no row behind.
    mail, message_id = message.for_subscriber(
        content,
        sender,
        email=subscriber.email,
        name=subscriber.name,
        unsubscribe_url=tokens.unsubscribe_url(subscriber.pk),
        language=language,
    )
    data = mail.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]
    row = _claim(conn, key, subscriber)
    if row is None:
        return
    try:
        mailer.send(sender.from_address, subscriber.email, data)
    except Refused as refused:
        if (refused.phase == "rcpt" and refused.code >= 500) or (
            refused.phase == "data" and refused.code in MAILBOX_REFUSALS
        ):
            _bounced(row, subscriber, refused)
            return
        row.delete()  # nothing was delivered: the retry sends it
        raise _refusal_error(refused, sender) from None
    except Lost as lost:
        if lost.handed_over:
            Sending.objects.filter(pk=row.pk).update(
                message_id=message_id[:255],
                error=_(
                    "The server stopped answering after the message was handed over: it may "
                    "have been delivered, so it is not sent again."
                ),
                at=timezone.now(),
            )
            lost.error.sent = True
        else:
            row.delete()
        raise lost.error from None
    except ConnectorError:  # no connection to the server at all: nothing was sent
        row.delete()
        raise
    Sending.objects.filter(pk=row.pk).update(
        status=SendingStatus.SENT, message_id=message_id[:255], at=timezone.now()
    )


def _bounced(row: Sending, subscriber: Subscriber, refused: Refused) -> None:
    now = timezone.now()
    Sending.objects.filter(pk=row.pk).update(
        status=SendingStatus.BOUNCED, error=refused.words[:2000], at=now
    )
    Subscriber.objects.filter(pk=subscriber.pk).update(
        status=SubscriberStatus.BOUNCED, bounce_message=refused.words[:2000]
    )


def _refusal_error(refused: Refused, sender: message.Sender) -> ConnectorError:
    if refused.phase == "mail":
        what = _("The SMTP server refused the sender address %(address)s") % {
            "address": sender.from_address
        }
    elif refused.phase == "rcpt":
        what = _("The SMTP server refused a recipient")
    else:
        what = _("The SMTP server refused the message")
    return smtp.error_for(refused.code, refused.reply, what)


class _Mailer:
    """One connection for the whole list, opened on first use, reopened once when the
    server closes it between two messages (some close after N messages a session)."""

    def __init__(self, server: smtp.Server) -> None:
        self.server = server
        self.client: smtplib.SMTP | None = None
        self.sent = 0
        self.on_this_connection = 0

    def send(self, from_address: str, to: str, data: bytes) -> None:
        if self.client is None:
            self.client = smtp.open_connection(self.server)  # ConnectorError: nothing sent
            self.on_this_connection = 0
        try:
            self._transaction(self.client, from_address, to, data)
        except Lost as lost:
            if lost.handed_over or self.on_this_connection == 0:
                raise
            self.close()  # the server ended the session between two messages: a new one
            self.client = smtp.open_connection(self.server)
            self.on_this_connection = 0
            self._transaction(self.client, from_address, to, data)
        self.sent += 1
        self.on_this_connection += 1

    def _transaction(self, client: smtplib.SMTP, from_address: str, to: str, data: bytes) -> None:
        try:
            code, reply = client.mail(from_address)
            if code != 250:
                self._reset(client)
                raise Refused("mail", code, reply)
            code, reply = client.rcpt(to)
            if code not in (250, 251):
                self._reset(client)
                raise Refused("rcpt", code, reply)
        except (smtplib.SMTPException, OSError) as exc:
            if isinstance(exc, smtplib.SMTPResponseException):  # e.g. 421 from mail()
                raise Refused("mail", exc.smtp_code, exc.smtp_error) from None
            raise Lost(smtp.lift(exc, self.server), handed_over=False) from None
        try:
            code, reply = client.data(data)
        except smtplib.SMTPDataError as exc:  # DATA itself refused: no content went out
            self._reset(client)
            raise Refused("data", exc.smtp_code, exc.smtp_error) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise Lost(smtp.lift(exc, self.server), handed_over=True) from None
        if code != 250:
            self._reset(client)
            raise Refused("data", code, reply)

    def _reset(self, client: smtplib.SMTP) -> None:
        try:
            client.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        if self.client is None:
            return
        client, self.client = self.client, None
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
