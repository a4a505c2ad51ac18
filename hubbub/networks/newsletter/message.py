"""The e-mail a post part becomes: built once per part (`Content`), then addressed to each
subscriber with their own unsubscribe link (`for_subscriber`).

Subject: the text's first line, as newsletters are written ("Our March news" then the body).
A first line longer than 78 characters is cut at a word before it with an ellipsis: 78 is
the line length RFC 5322 §2.1.1 recommends for headers, and mail clients show fewer
characters than that in a list anyway. The body keeps the whole text, first line included.

The text is the person's, never trusted: the HTML version escapes it, makes paragraphs of
blank-line-separated blocks and links of URLs (Django's urlize, which escapes too). Images
travel inside the message (multipart/related, referenced by cid:) with their alt text, so
they show without the client fetching anything from the internet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.mime.image import MIMEImage
from email.utils import formataddr, make_msgid

from django.core.mail import EmailMultiAlternatives
from django.utils.html import escape, urlize
from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError, read_media
from hubbub.networks.outgoing import OutgoingPart

SUBJECT_MAX = 78
_BLANK_LINES = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Sender:
    """Who the newsletter comes from, and what its footer says (the channel's config)."""

    from_name: str
    from_address: str
    reply_to: str
    list_name: str
    list_id: str  # RFC 2919 List-Id's identifier, e.g. acme-news.acme.example
    postal_address: str

    @property
    def domain(self) -> str:
        return self.from_address.rsplit("@", 1)[-1]


@dataclass(frozen=True)
class Image:
    cid: str  # without the angle brackets
    alt: str
    part: MIMEImage  # built once, attached to every recipient's message


@dataclass(frozen=True)
class Content:
    subject: str
    text: str
    html: str  # the body's HTML, without the footer
    images: tuple[Image, ...]


def subject_of(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= SUBJECT_MAX:
        return first
    cut = first[: SUBJECT_MAX - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


def html_of(text: str) -> str:
    paragraphs = [p.strip("\n") for p in _BLANK_LINES.split(text.replace("\r\n", "\n"))]
    return "\n".join(
        f"<p>{urlize(p, autoescape=True).replace(chr(10), '<br>')}</p>"
        for p in paragraphs
        if p.strip()
    )


def content_for(part: OutgoingPart, sender: Sender) -> Content:
    images = []
    for n, media in enumerate(part.media, start=1):
        if not media.mime_type.startswith("image/"):
            raise PermanentError(
                _("A newsletter can carry images only, not %(type)s.") % {"type": media.mime_type}
            )
        data = read_media(media)
        cid = make_msgid(idstring=f"image{n}", domain=sender.domain)[1:-1]
        mime = MIMEImage(data, _subtype=media.mime_type.split("/", 1)[1])
        mime.add_header("Content-ID", f"<{cid}>")
        mime.add_header("Content-Disposition", "inline", filename=media.path.name)
        images.append(Image(cid=cid, alt=media.alt_text, part=mime))
    html = html_of(part.text) + "".join(
        f'\n<p><img src="cid:{image.cid}" alt="{escape(image.alt)}" '
        'style="max-width:100%;height:auto"></p>'
        for image in images
    )
    return Content(subject_of(part.text), part.text, html, tuple(images))


def footer_text(sender: Sender, unsubscribe_url: str) -> str:
    lines = [
        "-- ",
        _("You receive this e-mail because you subscribed to %(list)s.")
        % {"list": sender.list_name},
        _("Unsubscribe: %(url)s") % {"url": unsubscribe_url},
    ]
    if sender.postal_address:
        lines.append(sender.postal_address)
    return "\n".join(lines)


def footer_html(sender: Sender, unsubscribe_url: str) -> str:
    received = _("You receive this e-mail because you subscribed to %(list)s.") % {
        "list": escape(sender.list_name)
    }
    link = f'<a href="{escape(unsubscribe_url)}">{escape(_("Unsubscribe"))}</a>'
    address = escape(sender.postal_address).replace("\n", "<br>")
    return (
        '<hr><p style="color:#555;font-size:small">'
        f"{received} {link}" + (f"<br>{address}" if address else "") + "</p>"
    )


def document(subject: str, body: str, language: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head>\n"
        '<body style="font-family:sans-serif;line-height:1.5;max-width:40em">\n'
        f"{body}\n</body></html>\n"
    )


def for_subscriber(
    content: Content,
    sender: Sender,
    *,
    email: str,
    name: str,
    unsubscribe_url: str,
    language: str,
) -> tuple[EmailMultiAlternatives, str]:
    """One subscriber's message and its Message-ID."""
    message_id = make_msgid(domain=sender.domain)
    headers = {
        "Message-ID": message_id,
        "List-Id": formataddr((sender.list_name, sender.list_id)),
        # RFC 2369 and RFC 8058: the https address takes the one-click POST; no mailto,
        # since nothing in Hubbub reads a mailbox.
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Precedence": "bulk",  # RFC 3834 §2: no out-of-office replies to a newsletter
    }
    mail = EmailMultiAlternatives(
        subject=content.subject,
        body=f"{content.text}\n\n{footer_text(sender, unsubscribe_url)}\n",
        from_email=formataddr((sender.from_name, sender.from_address)),
        to=[formataddr((" ".join(name.split()), email))],  # one line: it is a header
        reply_to=[sender.reply_to] if sender.reply_to else None,
        headers=headers,
    )
    html = content.html + "\n" + footer_html(sender, unsubscribe_url)
    mail.attach_alternative(document(content.subject, html, language), "text/html")
    if content.images:
        # multipart/related around the text/html alternatives and the images: what lets
        # mail clients resolve cid: references (RFC 2387).
        mail.mixed_subtype = "related"  # type: ignore[attr-defined]
        for image in content.images:
            mail.attach(image.part)
    return mail, message_id
