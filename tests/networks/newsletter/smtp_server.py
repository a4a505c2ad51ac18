"""A real SMTP server in-process (aiosmtpd, ../shared/peers/README.md "E-mail"), for the
newsletter tests and tests/peers: it records what it accepts, refuses the recipients it is
told to (550, as a mail server does for an unknown mailbox), and checks a password."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

USERNAME = "newsletter@acme.example"
PASSWORD = "smtp-secret-9f2c"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Recorder:
    received: list[Received] = field(default_factory=list)
    bounce: dict[str, str] = field(default_factory=dict)  # address → the 5xx reply
    data_reply: str = ""  # answer DATA with this instead of accepting

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.bounce:
            return self.bounce[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply:
            return self.data_reply
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt_tos]


def _authenticator(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login.decode() == USERNAME
        and data.password.decode() == PASSWORD
    )
    # handled=False: aiosmtpd answers a failure itself (535 5.7.8 Authentication credentials
    # invalid), as a mail server does.
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Running:
    recorder: Recorder
    port: int
    host: str = "127.0.0.1"


@contextmanager
def smtp_server(tls_context: ssl.SSLContext | None = None) -> Iterator[Running]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator,
        auth_require_tls=False,  # plain SMTP on loopback, as HUBBUB_ALLOW_PRIVATE_NETWORKS permits
        tls_context=tls_context,
    )
    controller.start()
    try:
        yield Running(recorder, port)
    finally:
        controller.stop()
