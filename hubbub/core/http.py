"""The one door for outbound HTTP. Every call to a network goes through `request()`.

What it guarantees, so connectors do not have to:
- a timeout on every call (HUBBUB_HTTP_TIMEOUT), and no automatic retries: whether to retry
  is the caller's decision, made from the error's class (`permanent`, `retry_at`, `sent`);
- no request to loopback, private, link-local or otherwise non-public addresses, checked on
  the URL before sending *and* on the address actually connected to (a host that resolves
  to a public address when checked and a private one when connecting is still refused);
  HUBBUB_ALLOW_PRIVATE_NETWORKS=true lifts this for local test networks;
- redirects followed by hand, each hop checked the same way;
- one log line per call with method, host, path, status and duration, never headers,
  bodies or query strings (they carry tokens).

Tests record HTTP here: respx intercepts the connection pool under this module.
"""

from __future__ import annotations

import contextlib
import contextvars
import email.utils
import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
import typing
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

log = logging.getLogger("hubbub.http")

USER_AGENT = "Hubbub/0.1 (+https://github.com/hubbub-social/hubbub)"
MAX_REDIRECTS = 5


class OutboundError(Exception):
    """A call that did not produce an HTTP response.

    `permanent`: retrying the same call cannot help. `sent`: the request may have reached
    the server (a read time-out), so its outcome is unknown and must be reconciled.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        sent: bool = False,
        retry_at: datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.sent = sent
        self.retry_at = retry_at


class BlockedAddress(OutboundError):
    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


class InvalidURL(OutboundError):
    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


def resolve_host(host: str, port: int) -> list[str]:
    """All addresses a host name resolves to (patched in tests: no DNS here)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _allow_private() -> bool:
    return bool(getattr(settings, "HUBBUB_ALLOW_PRIVATE_NETWORKS", False))


def check_addresses(host: str, addresses: Iterable[str]) -> None:
    if _allow_private():
        return
    for address in addresses:
        if not is_public_address(address):
            raise BlockedAddress(
                _(
                    "%(host)s points to a private or local address (%(address)s); Hubbub only "
                    "connects to public internet addresses. Use the server's public address."
                )
                % {"host": host, "address": address}
            )


def check_url(url: str) -> None:
    """Refuse a URL that is not http(s) or whose host is not on the public internet."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidURL(
            _("'%(url)s' is not a web address: use one starting with https://.") % {"url": url}
        )
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = [str(ipaddress.ip_address(parts.hostname))]
    except ValueError:
        try:
            addresses = resolve_host(parts.hostname, port)
        except (socket.gaierror, UnicodeError):
            raise OutboundError(
                _("%(host)s cannot be found (DNS lookup failed): check the address.")
                % {"host": parts.hostname},
                permanent=False,
            ) from None
    check_addresses(parts.hostname, addresses)


# A deadline for the whole of one call, checked at each read of the connection (stream_get's
# `deadline`): a server that trickles its headers or body a byte at a time, each within the
# read time-out, is still cut off. Context-local, so each thread's calls have their own.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "hubbub_http_deadline", default=None
)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads stop at the current call's deadline, if it has one."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        deadline = _deadline.get()
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise httpcore.ReadTimeout("the call's deadline passed")
            timeout = left if timeout is None else min(timeout, left)
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves the host itself and connects only to an address that passed the check."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve_host(host, port)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        check_addresses(host, addresses)
        last: Exception | None = None
        for address in addresses:
            try:
                return _DeadlineStream(
                    self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
                )
            except httpcore.ConnectError as exc:
                last = exc
        raise httpcore.ConnectError(str(last or "no address"))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Unix sockets are not allowed for outbound calls.")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        # httpx has no public hook for the network backend; httpcore's pool does.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,
            # The publishing pool calls the network from HUBBUB_PUBLISH_CONCURRENCY threads
            # (16 by default): keep that many connections warm, or each call reopens one.
            max_keepalive_connections=32,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(),
        )


_client: httpx.Client | None = None
_client_lock = threading.Lock()


def _get_client() -> httpx.Client:
    global _client
    if _client is None:
        with _client_lock:  # threads starting at once share one pool, not one each
            if _client is None:
                _client = httpx.Client(
                    transport=_GuardedTransport(),
                    headers={"User-Agent": USER_AGENT},
                    follow_redirects=False,
                )
    return _client


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    data: Mapping[str, Any] | None = None,
    content: bytes | None = None,
    files: Any = None,
    timeout: float | None = None,
    follow_redirects: bool = False,
) -> httpx.Response:
    """Send one request and return the response, whatever its status.

    Raises OutboundError (or BlockedAddress / InvalidURL) when no response was obtained.
    """
    client = _get_client()
    limit = timeout or float(getattr(settings, "HUBBUB_HTTP_TIMEOUT", 20))
    for _hop in range(MAX_REDIRECTS + 1):
        check_url(url)
        started = time.monotonic()
        try:
            response = client.request(
                method,
                url,
                headers=headers,
                params=params,
                json=json,
                data=data,
                content=content,
                files=files,
                timeout=httpx.Timeout(limit, connect=min(limit, 10)),
            )
        except (httpx.ConnectTimeout, httpx.ConnectError) as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, OutboundError):
                raise cause from None
            host = urlsplit(url).hostname
            raise OutboundError(
                _("%(host)s cannot be reached: %(reason)s.")
                % {"host": host, "reason": str(exc) or _("connection failed")}
            ) from None
        except httpx.TimeoutException:
            host = urlsplit(url).hostname
            # The request went out; we do not know whether the server acted on it.
            raise OutboundError(
                _("%(host)s did not answer within %(seconds)s seconds.")
                % {"host": host, "seconds": f"{limit:g}"},
                sent=True,
            ) from None
        except httpx.TransportError as exc:
            raise OutboundError(
                _("%(host)s: the connection broke (%(reason)s).")
                % {"host": urlsplit(url).hostname, "reason": exc},
                sent=True,
            ) from None
        _log(method, url, response.status_code, time.monotonic() - started)
        if follow_redirects and response.is_redirect and "location" in response.headers:
            url = urljoin(url, response.headers["location"])
            if response.status_code in (301, 302, 303):
                method, json, data, content, files = "GET", None, None, None, None
            continue
        return response
    raise OutboundError(
        _("Too many redirects from %(host)s.") % {"host": urlsplit(url).hostname}, permanent=True
    )


@contextlib.contextmanager
def stream_get(
    url: str,
    *,
    timeout: float | None = None,
    deadline: float | None = None,
    headers: Mapping[str, str] | None = None,
) -> Iterator[httpx.Response]:
    """GET a large body without holding it in memory: the response (after following up to
    MAX_REDIRECTS redirects, each hop checked like request()'s) with its body unread, for
    `iter_bytes()`. Raises OutboundError when no response was obtained, as request() does;
    a connection that breaks while the body is read raises httpx.TransportError. With
    `deadline` (seconds), every read — headers and body — stops that long after the call
    began (httpx.ReadTimeout), however the server paces its bytes. `headers` go with every
    hop (e.g. If-None-Match, so an unchanged feed answers 304 with no body)."""
    token = _deadline.set(time.monotonic() + deadline) if deadline is not None else None
    try:
        yield from _stream_get(url, timeout, headers or {})
    finally:
        if token is not None:
            _deadline.reset(token)


def _stream_get(
    url: str, timeout: float | None, headers: Mapping[str, str]
) -> Iterator[httpx.Response]:
    client = _get_client()
    limit = timeout or float(getattr(settings, "HUBBUB_HTTP_TIMEOUT", 20))
    for _hop in range(MAX_REDIRECTS + 1):
        check_url(url)
        started = time.monotonic()
        try:
            with client.stream(
                "GET", url, headers=headers, timeout=httpx.Timeout(limit, connect=min(limit, 10))
            ) as response:
                _log("GET", url, response.status_code, time.monotonic() - started)
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                yield response
                return
        except (httpx.ConnectTimeout, httpx.ConnectError) as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, OutboundError):  # the guarded pool refused the address
                raise cause from None
            raise OutboundError(
                _("%(host)s cannot be reached: %(reason)s.")
                % {"host": urlsplit(url).hostname, "reason": str(exc) or _("connection failed")}
            ) from None
    raise OutboundError(
        _("Too many redirects from %(host)s.") % {"host": urlsplit(url).hostname}, permanent=True
    )


# Secrets some networks carry in the path, masked in the log line: Telegram's bot token
# (/bot<id>:<secret>/method), a Discord webhook's token (/webhooks/<id>/<token>), and a
# Slack incoming webhook's secret (/services/T<team>/B<hook>/<secret>).
_PATH_SECRETS = (
    (re.compile(r"/bot\d+:[^/]+"), "/bot<token>"),
    (re.compile(r"/webhooks/(\d+)/[^/]+"), r"/webhooks/\1/<token>"),
    (re.compile(r"/services/(T\w+)/(B\w+)/[^/]+"), r"/services/\1/\2/<token>"),
)


def masked_path(path: str) -> str:
    for pattern, replacement in _PATH_SECRETS:
        path = pattern.sub(replacement, path)
    return path


def _log(method: str, url: str, status: int, seconds: float) -> None:
    parts = urlsplit(url)
    log.info(
        "%s %s://%s%s -> %s in %.0f ms",
        method,
        parts.scheme,
        parts.netloc,
        masked_path(parts.path),
        status,
        seconds * 1000,
    )


def retry_at(response: httpx.Response, now: datetime | None = None) -> datetime | None:
    """When a rate-limited or unavailable server says to come back, as an aware datetime.

    Reads Retry-After (seconds or HTTP date) and the X-RateLimit-Reset / RateLimit-Reset
    family (epoch seconds, an ISO date as Mastodon sends, or seconds from now).
    """
    now = now or timezone.now()
    headers = response.headers
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        if value.isdigit():
            return now + timedelta(seconds=int(value))
        try:
            return email.utils.parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    for name in ("x-ratelimit-reset", "ratelimit-reset", "x-rate-limit-reset"):
        value = headers.get(name)
        if not value:
            continue
        value = value.strip()
        try:
            number = float(value)
        except ValueError:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
            except ValueError:
                continue
        if number > 1_000_000_000:  # epoch seconds
            return datetime.fromtimestamp(number, UTC)
        return now + timedelta(seconds=number)
    return None


def is_transient_status(status: int) -> bool:
    return status in (408, 425, 429) or 500 <= status <= 599


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The response's JSON object; {} when the body is not JSON or not an object (an error
    page from a proxy, an empty 204), so callers read fields with .get() either way."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
