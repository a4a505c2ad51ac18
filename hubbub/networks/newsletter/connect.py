"""Connect a newsletter: the SMTP server, who the mail comes from, and the footer the laws
ask for. The server is verified by connecting, setting up TLS and logging in (no mail is
sent); only then is the channel saved, the password encrypted with the other credentials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.text import slugify
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.networks.actions import save_connection
from hubbub.networks.base import AuthError, Connection, ConnectorError, TransientError
from hubbub.networks.models import Channel
from hubbub.networks.newsletter import smtp
from hubbub.networks.newsletter.connector import (
    NewsletterConfig,
    NewsletterConnector,
    account_for,
)
from hubbub.networks.newsletter.subscribers import normalise_email

# A host name (letters, digits, dots, hyphens) or an IP address; no scheme, no path.
_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$|^[0-9a-fA-F:.]+$")


class ConnectFailed(ActionError):
    """The server refused or could not be reached; `error` keeps its details."""

    def __init__(self, message: str, field: str | None, error: ConnectorError) -> None:
        super().__init__(message, field)
        self.error = error


@dataclass(frozen=True)
class NewsletterSettings:
    host: str
    port: int
    security: str
    username: str
    password: str
    from_name: str
    from_address: str
    reply_to: str
    list_name: str
    postal_address: str


def _one_line(value: str, field: str, label: str) -> str:
    text = value.strip()
    if "\n" in text or "\r" in text:
        # It goes into a mail header, where a line break would start a new header.
        raise ActionError(_("%(label)s must fit on one line.") % {"label": label}, field=field)
    return text


def clean(values: NewsletterSettings) -> NewsletterSettings:
    host = values.host.strip().lower().rstrip(".")
    if not _HOST.match(host):
        raise ActionError(
            _("Enter the SMTP server's name only, like smtp.example.com (no https://, no port)."),
            field="host",
        )
    if not 1 <= values.port <= 65535:
        raise ActionError(_("The port is a number from 1 to 65535."), field="port")
    if values.security not in smtp.SECURITY:
        raise ActionError(_("Choose STARTTLS, TLS or none."), field="security")
    if values.username and not values.password:
        raise ActionError(_("Enter the SMTP password for this user name."), field="password")
    try:
        from_address = normalise_email(values.from_address)
    except ActionError as exc:
        raise ActionError(exc.message, field="from_address") from None
    reply_to = ""
    if values.reply_to.strip():
        try:
            reply_to = normalise_email(values.reply_to)
        except ActionError as exc:
            raise ActionError(exc.message, field="reply_to") from None
    list_name = _one_line(values.list_name, "list_name", _("The list's name"))
    if not list_name:
        raise ActionError(_("Give the list a name; subscribers see it."), field="list_name")
    postal_address = values.postal_address.strip()
    if not postal_address:
        raise ActionError(
            _(
                "Anti-spam laws (CAN-SPAM in the United States, and others) require a postal "
                "address in every newsletter: enter the sender's."
            ),
            field="postal_address",
        )
    return NewsletterSettings(
        host=host,
        port=values.port,
        security=values.security,
        username=values.username.strip(),
        password=values.password,
        from_name=_one_line(values.from_name, "from_name", _("The sender's name")),
        from_address=from_address,
        reply_to=reply_to,
        list_name=list_name,
        postal_address=postal_address,
    )


def list_id(list_name: str, from_address: str) -> str:
    """RFC 2919 List-Id: a label under a domain the sender controls."""
    return f"{slugify(list_name)[:60].strip('-') or 'newsletter'}.{from_address.rsplit('@', 1)[1]}"


def connect_newsletter(access: Access, values: NewsletterSettings) -> Channel:
    access.require("channels.connect")
    good = clean(values)
    server = smtp.Server(good.host, good.port, good.security, good.username, good.password)
    try:
        with smtp.session(server):
            pass  # connected, TLS set up, logged in: that is the whole check
    except ConnectorError as exc:
        raise ConnectFailed(str(exc), _field(exc), exc) from exc
    config = NewsletterConfig(
        host=good.host,
        port=good.port,
        security=good.security,
        username=good.username,
        from_name=good.from_name,
        from_address=good.from_address,
        reply_to=good.reply_to,
        list_name=good.list_name,
        list_id=list_id(good.list_name, good.from_address),
        postal_address=good.postal_address,
    )
    connection = Connection(
        account=account_for(config),
        credentials={"password": good.password} if good.password else {},
        config=config.model_dump(),
        token_expires_at=None,  # an SMTP password does not expire by itself
    )
    return save_connection(access, NewsletterConnector.name, connection)


def _field(exc: ConnectorError) -> str | None:
    if isinstance(exc, AuthError):
        return "password"
    if isinstance(exc, smtp.TlsError):
        return "security"
    if isinstance(exc, TransientError) and exc.status is None:
        return "host"  # not found, refused, no answer
    return None
