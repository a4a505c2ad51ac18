"""The newsletter connector: a channel is a subscriber list, mailed through an SMTP server."""

from __future__ import annotations

from typing import ClassVar

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
    TextLimits,
)
from hubbub.networks.newsletter import posting, smtp
from hubbub.networks.newsletter.message import Sender
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

# No network sets these: they keep a newsletter readable and deliverable. Gmail clips a
# message whose HTML passes 102 KB ("[Message clipped]", hiding the footer and its
# unsubscribe link); 50,000 characters of text stay well under it once marked up.
MAX_TEXT = 50_000
# The smallest message size among the common providers is 10 MB (Postmark: "The maximum
# email size including attachments is 10 MB"); base64 adds a third, so 4 images of 1.5 MB
# (8 MB encoded) leave room for the text. Each image goes to every subscriber: smaller is
# kinder to their mailboxes too.
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1536 * 1024
MAX_ALT_TEXT = 1000  # not a protocol limit: alt text is one attribute, meant to be short


class NewsletterConfig(pydantic.BaseModel):
    host: str = ""
    port: int = 587
    security: str = "starttls"  # smtp.SECURITY
    username: str = ""
    from_name: str = ""
    from_address: str = ""
    reply_to: str = ""
    list_name: str = ""
    list_id: str = ""  # RFC 2919 identifier, e.g. acme-news.acme.example (the external_id)
    postal_address: str = ""


class NewsletterConnector(Connector):
    name = "newsletter"
    label = "E-mail newsletter"
    can_look_up = True  # Hubbub's own Sending rows say who got the part: see posting.py
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH_TEXT,  # one e-mail per subscriber, text and HTML
            Capability.PUBLISH_IMAGE,  # inline images (cid:) with alt text
        }
    )
    # Not declared: delete (a sent e-mail cannot be taken back), threads, video (mail
    # clients do not play attached video), comments and mentions (replies go to the
    # Reply-To mailbox, which Hubbub does not read), metrics (PostMetrics counts readers'
    # actions; Hubbub knows only how many mails the server accepted, shown on the
    # subscribers page, and does not track opens or clicks with pixels or rewritten links).
    config_model: ClassVar[type[NewsletterConfig]] = NewsletterConfig
    config: NewsletterConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(
            text=TextLimits(max_length=MAX_TEXT, counting=Counting.CODE_POINTS),
            media=MediaLimits(
                max_images=MAX_IMAGES,
                max_image_bytes=MAX_IMAGE_BYTES,
                image_formats=("image/jpeg", "image/png", "image/gif"),  # what clients show
                max_alt_text=MAX_ALT_TEXT,
            ),
        )

    def server(self) -> smtp.Server:
        stored = self.stored_credentials()
        if not self.config.host:
            raise AuthError(_("The channel has no SMTP server: reconnect it."))
        return smtp.Server(
            host=self.config.host,
            port=self.config.port,
            security=self.config.security,
            username=self.config.username,
            password=str(stored.get("password") or ""),
        )

    def sender(self) -> Sender:
        return Sender(
            from_name=self.config.from_name,
            from_address=self.config.from_address,
            reply_to=self.config.reply_to,
            list_name=self.config.list_name or self.channel.name,
            list_id=self.config.list_id or self.channel.external_id,
            postal_address=self.config.postal_address,
        )

    def check(self) -> Account:
        with smtp.session(self.server()):
            pass  # connected, TLS, logged in: nothing is sent
        return account_for(self.config)

    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)


def account_for(config: NewsletterConfig) -> Account:
    return Account(
        external_id=config.list_id,
        handle=config.from_address,
        name=config.list_name,
    )
