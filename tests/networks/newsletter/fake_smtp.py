"""An SMTP server at the smtplib seam (hubbub.networks.newsletter.smtp.smtp_class), for
the cases a real server will not act out on demand: a time-out after the message was
handed over, a rate limit, a revoked password, a connection to a public address.

smtplib's own client code runs unchanged (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA with its
dot-stuffing): only the socket is replaced, by one that answers each command the way
Postfix does (RFC 5321 replies with RFC 3463 enhanced codes), or as `Script` says.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

GREETING = b"220 smtp.acme-mail.example ESMTP Postfix"
OK_QUEUED = b"250 2.0.0 Ok: queued as 4FbQ9X0yzT"


@dataclass
class Script:
    """Answers that differ from a server accepting everything (None: the usual answer)."""

    auth: bytes | None = None  # e.g. b"535 5.7.8 Error: authentication failed: ..."
    mail: bytes | None = None
    rcpt: dict[str, bytes] = field(default_factory=dict)  # by address
    data_end: bytes | None = None
    time_out_after_data: bool = False  # no answer once the message was handed over


@dataclass
class Delivered:
    """One message the server accepted (or took without answering)."""

    mail_from: str
    rcpt_to: list[str]
    raw: bytes
    message: EmailMessage


@dataclass
class Connection:
    host: str  # the name smtplib keeps for TLS
    port: int
    address: str  # where the socket went
    tls: bool = False
    verifies_certificate: bool = False
    login: tuple[str, str] | None = None


@dataclass
class FakeServer:
    script: Script = field(default_factory=Script)
    connections: list[Connection] = field(default_factory=list)
    delivered: list[Delivered] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    on_delivered: Any = None  # called with each Delivered (the conformance adapter's record)

    def smtp_class(self, security: str) -> type[smtplib.SMTP]:
        server = self
        base: type[smtplib.SMTP] = smtplib.SMTP_SSL if security == "tls" else smtplib.SMTP

        class Fake(base):  # type: ignore[valid-type,misc]
            address = ""

            def _get_socket(self, host: str, port: int, timeout: float) -> Any:
                connection = Connection(host, port, self.address, tls=security == "tls")
                if security == "tls":
                    connection.verifies_certificate = _verifies(self.context)
                server.connections.append(connection)
                return _Socket(server, connection)

            def starttls(self, *args: Any, context: ssl.SSLContext | None = None) -> Any:
                # smtplib's starttls, minus the socket wrap a fake socket cannot take.
                self.ehlo_or_helo_if_needed()
                if not self.has_extn("starttls"):
                    raise smtplib.SMTPNotSupportedError("STARTTLS extension not supported")
                code, reply = self.docmd("STARTTLS")
                if code == 220:
                    server.connections[-1].tls = True
                    server.connections[-1].verifies_certificate = _verifies(context)
                    self.file = None
                    self.helo_resp = self.ehlo_resp = None
                    self.esmtp_features.clear()
                    self.does_esmtp = False
                return code, reply

        return Fake


def _verifies(context: ssl.SSLContext | None) -> bool:
    return bool(
        context is not None and context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED
    )


class _Socket:
    def __init__(self, server: FakeServer, connection: Connection) -> None:
        self.server = server
        self.connection = connection
        self.replies: list[bytes] = [GREETING + b"\r\n"]
        self.pending = b""
        self.in_data = False
        self.mail_from = ""
        self.rcpt_to: list[str] = []
        self.silent = False

    # --- the socket smtplib sees ---------------------------------------------------------

    def sendall(self, data: bytes) -> None:
        self.pending += data
        while True:
            if self.in_data:
                end = self.pending.find(b"\r\n.\r\n")
                if end < 0:
                    return
                body, self.pending = self.pending[: end + 2], self.pending[end + 5 :]
                self.in_data = False
                self._message(body.replace(b"\r\n..", b"\r\n."))
                continue
            line, sep, rest = self.pending.partition(b"\r\n")
            if not sep:
                return
            self.pending = rest
            self._command(line.decode())

    def makefile(self, mode: str) -> _Socket:
        return self

    def readline(self, limit: int = -1) -> bytes:
        if self.silent:
            raise TimeoutError("timed out")
        return self.replies.pop(0) if self.replies else b""

    def close(self) -> None:
        pass

    # --- the server ----------------------------------------------------------------------

    def _say(self, reply: bytes) -> None:
        self.replies.append(reply + b"\r\n")

    def _command(self, line: str) -> None:
        self.server.commands.append(line if not line.upper().startswith("AUTH") else "AUTH ***")
        verb, _, argument = line.partition(" ")
        verb = verb.upper()
        script = self.server.script
        if verb == "EHLO":
            features = [b"250-smtp.acme-mail.example", b"250-PIPELINING", b"250-SIZE 35882577"]
            if not self.connection.tls:
                features.append(b"250-STARTTLS")
            features += [b"250-AUTH PLAIN LOGIN", b"250 8BITMIME"]
            self.replies += [line + b"\r\n" for line in features]
        elif verb == "STARTTLS":
            self._say(b"220 2.0.0 Ready to start TLS")
        elif verb == "AUTH":
            mechanism, _, initial = argument.partition(" ")
            if mechanism.upper() == "PLAIN" and initial:
                _authz, user, password = base64.b64decode(initial).decode().split("\0")
                self.connection.login = (user, password)
            self._say(script.auth or b"235 2.7.0 Authentication successful")
        elif verb == "MAIL":
            self.mail_from = _address(argument)
            self.rcpt_to = []
            self._say(script.mail or b"250 2.1.0 Ok")
        elif verb == "RCPT":
            address = _address(argument)
            refusal = script.rcpt.get(address)
            if refusal is None:
                self.rcpt_to.append(address)
            self._say(refusal or b"250 2.1.5 Ok")
        elif verb == "DATA":
            self.in_data = True
            self._say(b"354 End data with <CR><LF>.<CR><LF>")
        elif verb == "RSET":
            self._say(b"250 2.0.0 Ok")
        elif verb == "QUIT":
            self._say(b"221 2.0.0 Bye")
        else:
            self._say(b"502 5.5.2 Error: command not recognized")

    def _message(self, raw: bytes) -> None:
        script = self.server.script
        if script.data_end is not None:
            self._say(script.data_end)
            return
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        delivered = Delivered(self.mail_from, list(self.rcpt_to), raw, parsed)
        self.server.delivered.append(delivered)
        if self.server.on_delivered is not None:
            self.server.on_delivered(delivered)
        if script.time_out_after_data:
            self.silent = True
            return
        self._say(OK_QUEUED)


def _address(argument: str) -> str:
    start, end = argument.find("<"), argument.find(">")
    return argument[start + 1 : end]
