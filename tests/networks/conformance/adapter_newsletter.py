"""The newsletter in the conformance suite: SMTP, not HTTP.

The seam is smtplib's (tests/networks/newsletter/fake_smtp.py: smtplib's client code runs
against a scripted server). Each mail the server takes is recorded in the scenario's
router.calls and in the route's calls, as an HTTP request would be, so "one request and
nothing else" reads the same for every network; the "request" asserted field by field is
the SMTP transaction (envelope) and the e-mail's headers and parts.

Answers are Postfix's and the RFCs': 451 4.7.1 for "slow down" (RFC 5321 §4.2.3 with RFC
3463 enhanced codes; rate_limit_status), 535 5.7.8 for refused credentials (RFC 4954 §6).
A time-out after DATA is the HTTP read time-out's counterpart: the message was handed
over, no answer came. find_published reads Hubbub's own Sending rows (no request at all).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any, cast

import httpx
import respx
from respx.models import Call

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.networks.newsletter import smtp, tokens
from hubbub.networks.newsletter.models import Subscriber
from hubbub.networks.newsletter.smtp import RATE_LIMIT_PAUSE
from hubbub.networks.outgoing import PublishedRef
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.networks.conformance.adapters import ALT, TEXT, Adapter
from tests.networks.newsletter.conftest import make_newsletter
from tests.networks.newsletter.fake_smtp import Delivered, FakeServer, Script

HOST = "smtp.acme-mail.example"
USERNAME = "AKIAEXAMPLE7NEWS"
PASSWORD = "smtp-password-of-the-docs"
READER = "reader@example.com"


class SmtpRoute(respx.Route):
    """The mails the fake server took, in a respx Route's shape (call_count, calls.last)."""

    def __init__(self, server: FakeServer) -> None:
        super().__init__()
        self.server = server

    @property  # type: ignore[override]
    def side_effect(self) -> Any:
        return self._side_effect

    @side_effect.setter
    def side_effect(self, effect: Any) -> None:
        # The scenario's "time-out after sending" (an HTTP read time-out): the server takes
        # the message and never answers.
        self._side_effect = effect
        self.server.script.time_out_after_data = isinstance(effect, httpx.TimeoutException)


class NewsletterAdapter(Adapter):
    name = "newsletter"
    now = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
    hosts = (HOST,)
    post_urls = False  # an e-mail has no public address
    rate_limit_status = 451
    finds_in_own_records = True

    def __init__(self) -> None:
        self.server = FakeServer()
        self.route: SmtpRoute | None = None

    @contextlib.contextmanager
    def seam(self, router: respx.MockRouter) -> Iterator[None]:
        self.server = FakeServer()
        self.route = None

        def record(delivered: Delivered) -> None:
            call = Call(request=cast(httpx.Request, delivered), optional_response=None)
            router.calls.append(call)
            if self.route is not None:
                self.route.calls.append(call)

        self.server.on_delivered = record
        original = smtp.smtp_class
        smtp.smtp_class = self.server.smtp_class  # type: ignore[assignment]
        try:
            yield
        finally:
            smtp.smtp_class = original  # type: ignore[assignment]

    def channel(self, workspace: Workspace) -> Channel:
        channel = make_newsletter(
            workspace,
            587,
            HOST,
            password=PASSWORD,
            security="starttls",
            username=USERNAME,
            postal_address="1 Rue de la Paix, 75002 Paris, France",
        )
        Subscriber.objects.create(channel=channel, email=READER, name="Rea Der")
        return channel

    def _route(self, script: Script) -> SmtpRoute:
        self.server.script = script
        self.route = SmtpRoute(self.server)
        return self.route

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        return self._route(Script())

    def _assert_envelope(self, delivered: Delivered) -> EmailMessage:
        (connection,) = self.server.connections
        assert (connection.host, connection.port) == (HOST, 587)
        assert connection.address == PUBLIC_TEST_ADDRESS  # the address that was checked
        assert connection.tls and connection.verifies_certificate
        assert connection.login == (USERNAME, PASSWORD)
        assert (delivered.mail_from, delivered.rcpt_to) == ("news@acme.example", [READER])
        message = delivered.message
        subscriber = Subscriber.objects.get(email=READER)
        link = tokens.unsubscribe_url(subscriber.pk)
        assert message["From"] == "Acme <news@acme.example>"
        assert message["To"] == "Rea Der <reader@example.com>"
        assert message["Reply-To"] == "hello@acme.example"
        assert message["Subject"] == TEXT
        assert message["List-Id"] == "Acme News <acme-news.acme.example>"
        # Folded onto its own line (a long URL): unfolding leaves the leading space.
        assert message["List-Unsubscribe"].strip() == f"<{link}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Message-ID"].endswith("@acme.example>")
        return message

    def assert_text_request(self, request: object) -> None:
        assert isinstance(request, Delivered)
        message = self._assert_envelope(request)
        assert message.get_content_type() == "multipart/alternative"
        text, html = (_content(part) for part in message.iter_parts())
        assert text.startswith(f"{TEXT}\n\n-- \n")
        assert "1 Rue de la Paix, 75002 Paris, France" in text
        assert f"<p>{TEXT}</p>" in html

    def published(self) -> PublishedRef:
        return PublishedRef(external_id="delivery-7:0")

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        return [self._route(Script())]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        (route,) = routes
        delivered = route.calls.last.request
        assert isinstance(delivered, Delivered)
        message = self._assert_envelope(delivered)
        assert message.get_content_type() == "multipart/related"
        alternative, picture = message.iter_parts()
        assert isinstance(alternative, EmailMessage) and isinstance(picture, EmailMessage)
        _text, html = (_content(part) for part in alternative.iter_parts())
        assert picture.get_content_type() == "image/png"
        assert picture.get_content() == image
        cid = picture["Content-ID"].strip("<>")
        assert f'<img src="cid:{cid}" alt="{ALT}"' in html

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        self._route(Script(mail=b"451 4.7.1 Sending rate exceeded, try again later"))
        return self.now + RATE_LIMIT_PAUSE

    def revoked(self, router: respx.MockRouter) -> None:
        self._route(Script(auth=b"535 5.7.8 Error: authentication failed: authentication failure"))

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        return None  # find_published reads Hubbub's own Sending rows: no request


def _content(part: Any) -> str:
    return str(part.get_content()).replace("\r\n", "\n")
