"""Publishing a newsletter through a real SMTP server (aiosmtpd in-process, on loopback)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from PIL import Image

from hubbub.networks.base import PermanentError
from hubbub.networks.models import Channel
from hubbub.networks.newsletter import tokens
from hubbub.networks.newsletter.message import subject_of
from hubbub.networks.newsletter.models import Sending, SendingStatus, Subscriber, SubscriberStatus
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from hubbub.networks.registry import connector_for
from tests.networks.newsletter.conftest import PEOPLE
from tests.networks.newsletter.smtp_server import Running

TEXT = "Our March news\n\nHello <b>friends</b> & all:\nread https://acme.example/march?a=1&b=2"


def part(text: str = TEXT, key: str = "delivery-1:0", **extra: object) -> OutgoingPart:
    return OutgoingPart(text=text, idempotency_key=key, **extra)  # type: ignore[arg-type]


def body(message: EmailMessage, kind: str) -> str:
    found = message.get_body(preferencelist=(kind,))
    assert found is not None
    return str(found.get_content()).replace("\r\n", "\n")


def test_each_active_subscriber_gets_one_mail_with_their_own_link(
    newsletter: Channel, smtp: Running
) -> None:
    gone = Subscriber.objects.create(
        channel=newsletter, email="gone@example.com", status=SubscriberStatus.UNSUBSCRIBED
    )

    ref = connector_for(newsletter).publish(part())

    assert ref == PublishedRef(external_id="delivery-1:0")
    received = smtp.recorder.received
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(email for email, _ in PEOPLE)
    assert smtp.recorder.to(gone.email) == []
    links = set()
    for email, name in PEOPLE:
        (message,) = smtp.recorder.to(email)
        subscriber = Subscriber.objects.get(channel=newsletter, email=email)
        link = tokens.unsubscribe_url(subscriber.pk)
        links.add(link)
        assert message["Subject"] == "Our March news"
        (to,) = message["To"].addresses
        assert (to.addr_spec, to.display_name) == (email, name)
        assert message["From"] == "Acme <news@acme.example>"
        assert message["List-Unsubscribe"].strip() == f"<{link}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Id"] == "Acme News <acme-news.acme.example>"
        assert link in body(message, "plain") and link in body(message, "html")
        sending = Sending.objects.get(subscriber=subscriber, key="delivery-1:0")
        assert sending.status == SendingStatus.SENT
        assert sending.message_id == message["Message-ID"]
    assert len(links) == 3


def test_the_text_is_escaped_in_the_html_and_its_links_work(
    newsletter: Channel, smtp: Running
) -> None:
    connector_for(newsletter).publish(part())

    (message,) = smtp.recorder.to("ann@example.com")
    html = body(message, "html")
    assert "<b>friends</b>" not in html
    assert "Hello &lt;b&gt;friends&lt;/b&gt; &amp; all:<br>" in html
    assert '<a href="https://acme.example/march?a=1&amp;b=2">' in html
    assert "<p>Our March news</p>" in html
    assert "1 Rue de la Paix<br>75002 Paris, France" in html  # the postal address
    plain = body(message, "plain")
    assert plain.startswith(TEXT + "\n\n-- \n")
    assert "1 Rue de la Paix\n75002 Paris, France" in plain


def test_a_refused_recipient_is_marked_bounced_and_the_others_get_theirs(
    newsletter: Channel, smtp: Running
) -> None:
    smtp.recorder.bounce["ben@example.org"] = "550 5.1.1 <ben@example.org>: mailbox unknown"

    connector_for(newsletter).publish(part())

    assert sorted(r.rcpt_tos[0] for r in smtp.recorder.received) == [
        "ann@example.com",
        "cat@example.net",
    ]
    ben = Subscriber.objects.get(email="ben@example.org")
    assert ben.status == SubscriberStatus.BOUNCED
    assert ben.bounce_message == "550 5.1.1 <ben@example.org>: mailbox unknown"
    assert Sending.objects.get(subscriber=ben).status == SendingStatus.BOUNCED


def test_publishing_the_same_part_again_mails_nobody_twice(
    newsletter: Channel, smtp: Running
) -> None:
    connector = connector_for(newsletter)
    connector.publish(part())
    Subscriber.objects.create(channel=newsletter, email="dan@example.com")

    connector.publish(part())  # a retry of the same part: only the newcomer is left

    assert sorted(r.rcpt_tos[0] for r in smtp.recorder.received) == sorted(
        [email for email, _ in PEOPLE] + ["dan@example.com"]
    )


def test_it_is_found_published_once_every_active_subscriber_has_a_row(
    newsletter: Channel, smtp: Running
) -> None:
    connector = connector_for(newsletter)
    assert connector.find_published(part()) is None
    connector.publish(part())
    assert connector.find_published(part()) == PublishedRef(external_id="delivery-1:0")
    assert smtp.recorder.received  # (and find_published itself sent nothing)
    count = len(smtp.recorder.received)
    connector.find_published(part())
    assert len(smtp.recorder.received) == count


def test_an_empty_list_is_refused(acme, smtp: Running) -> None:
    from tests.networks.newsletter.conftest import make_newsletter

    channel = make_newsletter(acme, smtp.port)

    with pytest.raises(PermanentError, match="no subscribers"):
        connector_for(channel).publish(part())
    assert smtp.recorder.received == []


def test_images_travel_inside_the_mail_with_their_alt_text(
    newsletter: Channel, smtp: Running, tmp_path: Path
) -> None:
    path = tmp_path / "chart.png"
    Image.new("RGB", (40, 30), (10, 120, 200)).save(path)
    image = MediaFile(path, "image/png", path.stat().st_size, alt_text='Sales "up" <20%>')

    connector_for(newsletter).publish(part(media=(image,)))

    (message,) = smtp.recorder.to("cat@example.net")
    assert message.get_content_type() == "multipart/related"
    pictures = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(pictures) == 1 and pictures[0].get_content() == path.read_bytes()
    cid = pictures[0]["Content-ID"].strip("<>")
    html = body(message, "html")
    assert f'<img src="cid:{cid}" alt="Sales &quot;up&quot; &lt;20%&gt;"' in html


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Short title\n\nThe body.", "Short title"),
        ("\n  Leading blank lines  \nbody", "Leading blank lines"),
        ("x" * 78, "x" * 78),
        (
            "A first line that runs on and on, well past the seventy-eight characters a "
            "subject line should keep to",
            "A first line that runs on and on, well past the seventy-eight characters a…",
        ),
    ],
)
def test_the_subject_is_the_first_line_cut_at_78_characters(text: str, subject: str) -> None:
    assert subject_of(text) == subject
    assert len(subject_of(text)) <= 78
