"""Connections to the SMTP server a newsletter channel names, and what its replies mean.

The server is user-supplied, so it gets the same guard as every outbound HTTP call
(hubbub.core.http): its name is resolved once, every address checked with
`http.check_addresses` (no loopback, private or link-local address unless
HUBBUB_ALLOW_PRIVATE_NETWORKS), and the connection is made to the address that was checked,
never to a second resolution of the name (DNS rebinding). TLS still verifies the
certificate against the *name* the person typed.

Security: "starttls" (port 587, the submission standard: RFC 8314 §3.3 allows it, STARTTLS
is then required, never optional), "tls" (port 465, TLS from the first byte, RFC 8314's
preference), or "none": plain text sends the password and every subscriber's address
readable by anyone on the path, so it is refused unless the server is on this machine
(a local relay such as Postfix on 127.0.0.1, or a test server), which needs
HUBBUB_ALLOW_PRIVATE_NETWORKS=true since loopback is otherwise refused.

`smtp_class` is the seam tests replace with an in-process fake server.
"""

from __future__ import annotations

import ipaddress
import logging
import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)

log = logging.getLogger("hubbub.smtp")

SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
# SMTP has no Retry-After: after a "slow down" reply (451, 452, 454) we wait RFC 5321
# §4.5.4.1's minimum retry interval ("the retry interval SHOULD be at least 30 minutes").
RATE_LIMIT_PAUSE = timedelta(minutes=30)
# Replies that mean "too much, later": 451 local error / throttling (Amazon SES, Office 365
# "4.7.x rate limit"), 452 insufficient resources or too many recipients (RFC 5321 §4.2.3),
# 454 temporary authentication or throttling failure (SES "Throttling failure: Maximum
# sending rate exceeded").
RATE_LIMIT_CODES = (451, 452, 454)


class TlsError(PermanentError):
    """TLS could not be set up: the security setting, the port or the certificate."""


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: str  # one of SECURITY
    username: str = ""
    password: str = ""


def timeout() -> float:
    return float(getattr(settings, "HUBBUB_SMTP_TIMEOUT", 30))


def local_hostname() -> str:
    """What we say in EHLO: the deployment's public name (HUBBUB_BASE_URL), which means more
    to the server than this machine's own name, and needs no DNS lookup."""
    host = urlsplit(settings.BASE_URL).hostname or "localhost"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    # An address, not a name: RFC 5321 §4.1.3's address literal, [192.0.2.1] or [IPv6:...].
    return f"[{ip}]" if ip.version == 4 else f"[IPv6:{ip}]"


class _Pinned(smtplib.SMTP):
    """Connects to `address` (the one that passed the check) whatever the host name, which
    smtplib keeps in `_host` for TLS: the certificate is checked against the name."""

    address = ""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection((self.address, port), timeout, self.source_address)


class PinnedSMTP(_Pinned):
    pass


class PinnedSMTPSSL(smtplib.SMTP_SSL, _Pinned):
    # SMTP_SSL._get_socket calls super(), which is _Pinned's: the TLS wraps our socket.
    pass


def smtp_class(security: str) -> type[smtplib.SMTP]:
    return PinnedSMTPSSL if security == "tls" else PinnedSMTP


def addresses_for(server: Server) -> list[str]:
    """The server's addresses, checked like every outbound call (resolved once)."""
    try:
        ipaddress.ip_address(server.host)
        found = [server.host]
    except ValueError:
        try:
            found = http.resolve_host(server.host, server.port)
        except (socket.gaierror, UnicodeError):
            raise TransientError(
                _("%(host)s cannot be found (DNS lookup failed): check the server's name.")
                % {"host": server.host}
            ) from None
    try:
        http.check_addresses(server.host, found)
    except http.BlockedAddress as exc:
        raise PermanentError(exc.message) from None
    if server.security == "none" and not all(_is_loopback(a) for a in found):
        raise PermanentError(
            _(
                "Without TLS the password and every subscriber's address cross the network "
                "readable by anyone: choose STARTTLS (port 587) or TLS (port 465). Plain SMTP "
                "is only allowed to a server on this machine."
            )
        )
    return found


def _is_loopback(address: str) -> bool:
    return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback


def _context() -> ssl.SSLContext:
    return ssl.create_default_context()


@contextmanager
def session(server: Server) -> Iterator[smtplib.SMTP]:
    """An open, authenticated connection; ConnectorError when that cannot be had. Nothing
    is sent here: opening a session is also how a channel is verified."""
    conn = open_connection(server)
    try:
        yield conn
    finally:
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()


def open_connection(server: Server) -> smtplib.SMTP:
    last: ConnectorError | None = None
    for address in addresses_for(server):
        try:
            return _open(server, address)
        except _Unreachable as exc:
            last = exc.error  # the next address may answer
    assert last is not None
    raise last


class _Unreachable(Exception):
    def __init__(self, error: ConnectorError) -> None:
        self.error = error


def _open(server: Server, address: str) -> smtplib.SMTP:
    cls = smtp_class(server.security)
    kwargs: dict[str, Any] = {"local_hostname": local_hostname(), "timeout": timeout()}
    if server.security == "tls":
        kwargs["context"] = _context()
    conn = cls(**kwargs)
    conn.address = address  # type: ignore[attr-defined]
    # smtplib keeps the name TLS checks the certificate against in _host, set only by its
    # constructor, which would also connect (to whatever the name resolves to then).
    conn._host = server.host  # type: ignore[attr-defined]
    try:
        try:
            code, reply = conn.connect(server.host, server.port)
        except ConnectionRefusedError:
            raise _Unreachable(
                TransientError(
                    _(
                        "%(host)s refused the connection on port %(port)s: check the server "
                        "name and port (587 for STARTTLS, 465 for TLS)."
                    )
                    % {"host": server.host, "port": server.port}
                )
            ) from None
        except (TimeoutError, smtplib.SMTPServerDisconnected) as exc:
            if not _timed_out(exc):
                raise
            raise _Unreachable(
                TransientError(
                    _(
                        "%(host)s did not answer on port %(port)s within %(seconds)s seconds: "
                        "check the port, and that no firewall blocks it (many hosting "
                        "providers block port 25)."
                    )
                    % {"host": server.host, "port": server.port, "seconds": f"{timeout():g}"}
                )
            ) from None
        if code != 220:
            raise error_for(code, reply, _("The server refused the connection"))
        conn.ehlo()
        if server.security == "starttls":
            if not conn.has_extn("starttls"):
                raise TlsError(
                    _(
                        "%(host)s does not offer STARTTLS on port %(port)s: choose TLS (usually "
                        "port 465), or check the port."
                    )
                    % {"host": server.host, "port": server.port}
                )
            code, reply = conn.starttls(context=_context())
            conn.ehlo()
        if server.username:
            conn.login(server.username, server.password)
    except ConnectorError:
        conn.close()
        raise
    except _Unreachable:
        conn.close()
        raise
    except Exception as exc:
        conn.close()
        raise lift(exc, server) from None
    return conn


def _timed_out(exc: BaseException) -> bool:
    """smtplib reports a time-out while reading a reply as a disconnection."""
    return isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError)


def lift(exc: Exception, server: Server) -> ConnectorError:
    """An exception from smtplib, ssl or the socket, in the connector vocabulary."""
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return AuthError(
            _(
                "The SMTP server refused the user name or password (%(code)s): check them, "
                "or create a new SMTP password at your provider, then reconnect the channel."
            )
            % {"code": exc.smtp_code},
            network_message=_words(exc.smtp_code, exc.smtp_error),
            status=exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return PermanentError(
            _(
                "The SMTP server does not offer what Hubbub needs (%(what)s): check the "
                "security setting and the port."
            )
            % {"what": str(exc) or "AUTH"}
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return error_for(exc.smtp_code, exc.smtp_error, _("The SMTP server refused"))
    if isinstance(exc, ssl.SSLError):
        reason = getattr(exc, "verify_message", "") or exc.reason or str(exc)
        return TlsError(
            _(
                "The TLS connection to %(host)s failed (%(reason)s): check that the security "
                "setting matches the port (TLS for 465, STARTTLS for 587) and that the server "
                "name is the one on its certificate."
            )
            % {"host": server.host, "reason": reason}
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected) and not _timed_out(exc):
        return TransientError(
            _("%(host)s closed the connection: Hubbub will try again.") % {"host": server.host}
        )
    if _timed_out(exc):
        return TransientError(
            _("%(host)s stopped answering (%(seconds)s seconds).")
            % {"host": server.host, "seconds": f"{timeout():g}"}
        )
    if isinstance(exc, OSError):
        return TransientError(
            _("%(host)s cannot be reached: %(reason)s.")
            % {"host": server.host, "reason": exc.strerror or exc}
        )
    raise exc


def _words(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}".strip()


def error_for(code: int, reply: bytes | str, what: str) -> ConnectorError:
    """A reply code in the connector vocabulary (RFC 5321 §4.2: 4yz transient, 5yz
    permanent), the server's own words kept."""
    words = _words(code, reply)
    if code in RATE_LIMIT_CODES:
        return RateLimited(
            _("The SMTP server asks to slow down: Hubbub goes on in %(minutes)s minutes.")
            % {"minutes": int(RATE_LIMIT_PAUSE.total_seconds() // 60)},
            timezone.now() + RATE_LIMIT_PAUSE,
            network_message=words,
            status=code,
        )
    if code in (530, 534, 535):
        # 530 authentication required, 534 mechanism too weak, 535 credentials invalid
        # (RFC 4954 §6).
        return AuthError(
            _("The SMTP server refused the credentials: reconnect the channel."),
            network_message=words,
            status=code,
        )
    if 400 <= code < 500:
        return TransientError(
            _("%(what)s for now (%(code)s): Hubbub will try again.") % {"what": what, "code": code},
            network_message=words,
            status=code,
        )
    return PermanentError(
        _("%(what)s (%(code)s).") % {"what": what, "code": code},
        network_message=words,
        status=code,
    )
