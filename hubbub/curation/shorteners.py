"""The optional link shortener: Bitly, YOURLS or Kutt, one per workspace.

Each provider is a small class against its official API (healthchecks' transports): it
sends one request through hubbub.core.http (time-outs, SSRF guard, a log line without the
token) and returns the short address, or raises ShortenerError with a sentence a person can
act on. `short_link()` keeps every short link made (ShortLink), so a link is shortened once
and a retried publication sends the very same text.

- Bitly v4: POST https://api-ssl.bitly.com/v4/shorten, "Authorization: Bearer <token>",
  JSON {"long_url", "domain"?} → 200/201 {"link": "https://bit.ly/…", …}.
- YOURLS: POST <site>/yourls-api.php with form fields signature, action=shorturl,
  format=json, url → {"status": "success", "shorturl": …}; a URL shortened before answers
  {"status": "fail", "code": "error:url", "shorturl": …}, which is as good.
- Kutt v2: POST <site>/api/v2/links, "X-API-KEY: <key>", JSON {"target", "reuse": true,
  "domain"?} → 201 {"link": …, "target": …, …}.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
from django.db import IntegrityError
from django.utils.translation import gettext as _

from hubbub.core import crypto, http
from hubbub.core.models import Workspace
from hubbub.curation.models import LinkSettings, ShortenerProvider, ShortLink
from hubbub.publishing import writes

MAX_LONG_URL = 2000  # ShortLink.long_url's size


class ShortenerError(Exception):
    """The shortener gave no short link; the message says why and what to change."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ShortenerConfig:
    provider: str
    api_url: str = ""
    domain: str = ""
    token: str = ""


class Shortener(ABC):
    provider: ClassVar[str]
    label: ClassVar[str]
    default_api_url: ClassVar[str] = ""

    def __init__(self, config: ShortenerConfig) -> None:
        self.config = config

    @property
    def base(self) -> str:
        return (self.config.api_url or self.default_api_url).rstrip("/")

    @abstractmethod
    def shorten(self, long_url: str, timeout: float | None = None) -> str:
        """The short link the service made for `long_url`, or ShortenerError saying why."""

    def hosts(self) -> list[str]:
        """The hosts its short links live on: such links are never tagged or shortened."""
        found = [urlsplit(self.base).hostname or "", self.config.domain.strip().lower()]
        return [h.removeprefix("www.") for h in found if h]

    def _send(self, timeout: float | None, **kwargs: Any) -> httpx.Response:
        try:
            return http.request("POST", timeout=timeout, **kwargs)
        except http.OutboundError as exc:
            raise ShortenerError(
                _("%(service)s could not be reached: %(reason)s")
                % {"service": self.label, "reason": exc}
            ) from None

    def _refused(self, response: httpx.Response, detail: str) -> ShortenerError:
        if response.status_code in (401, 403):
            return ShortenerError(
                _("%(service)s refused the token (HTTP %(status)s): check it in the settings.")
                % {"service": self.label, "status": response.status_code}
            )
        if response.status_code == 429:
            return ShortenerError(
                _("%(service)s limits how many links are shortened: try again later.")
                % {"service": self.label}
            )
        return ShortenerError(
            _("%(service)s answered HTTP %(status)s: %(detail)s")
            % {
                "service": self.label,
                "status": response.status_code,
                "detail": detail[:300] or _("no explanation"),
            }
        )

    def _checked(self, short: Any) -> str:
        if not isinstance(short, str) or not short.startswith(("https://", "http://")):
            raise ShortenerError(
                _("%(service)s answered without a short link.") % {"service": self.label}
            )
        if len(short) > 500:
            raise ShortenerError(
                _("%(service)s answered with a link too long to keep.") % {"service": self.label}
            )
        return short


class Bitly(Shortener):
    provider = ShortenerProvider.BITLY
    label = "Bitly"
    default_api_url = "https://api-ssl.bitly.com"

    def shorten(self, long_url: str, timeout: float | None = None) -> str:
        body: dict[str, str] = {"long_url": long_url}
        if self.config.domain:
            body["domain"] = self.config.domain
        response = self._send(
            timeout,
            url=f"{self.base}/v4/shorten",
            headers={"Authorization": f"Bearer {self.config.token}"},
            json=body,
        )
        answer = http.json_object(response)
        if response.status_code not in (200, 201):
            raise self._refused(response, str(answer.get("description") or answer.get("message")))
        return self._checked(answer.get("link"))


class Yourls(Shortener):
    provider = ShortenerProvider.YOURLS
    label = "YOURLS"

    @property
    def endpoint(self) -> str:
        # People paste the site's address or the API's; both work.
        return self.base if self.base.endswith(".php") else f"{self.base}/yourls-api.php"

    def shorten(self, long_url: str, timeout: float | None = None) -> str:
        if not self.base:
            raise ShortenerError(_("Give the address of your YOURLS site."))
        response = self._send(
            timeout,
            url=self.endpoint,
            data={
                "signature": self.config.token,
                "action": "shorturl",
                "format": "json",
                "url": long_url,
            },
        )
        answer = http.json_object(response)
        # A link shortened before is "fail" with its existing short link: use that one.
        if answer.get("shorturl"):
            return self._checked(answer.get("shorturl"))
        raise self._refused(response, str(answer.get("message") or ""))


class Kutt(Shortener):
    provider = ShortenerProvider.KUTT
    label = "Kutt"
    default_api_url = "https://kutt.to"

    def shorten(self, long_url: str, timeout: float | None = None) -> str:
        body: dict[str, Any] = {"target": long_url, "reuse": True}
        if self.config.domain:
            body["domain"] = self.config.domain
        response = self._send(
            timeout,
            url=f"{self.base}/api/v2/links",
            headers={"X-API-KEY": self.config.token},
            json=body,
        )
        answer = http.json_object(response)
        if response.status_code not in (200, 201):
            raise self._refused(response, str(answer.get("error") or answer.get("message") or ""))
        return self._checked(answer.get("link"))


PROVIDERS: dict[str, type[Shortener]] = {cls.provider: cls for cls in (Bitly, Yourls, Kutt)}


def config_of(workspace: Workspace) -> ShortenerConfig | None:
    """The workspace's shortener, token decrypted; None when it has none."""
    row = LinkSettings.objects.filter(workspace=workspace).first()
    if row is None or row.shortener not in PROVIDERS:
        return None
    try:
        token = crypto.decrypt(row.token) if row.token else ""
    except crypto.DecryptionError:
        token = ""  # the provider then refuses it, and the person is told to set it again
    return ShortenerConfig(row.shortener, row.api_url, row.domain, token)


def shortener_for(config: ShortenerConfig | None) -> Shortener | None:
    return PROVIDERS[config.provider](config) if config is not None else None


def long_key(long_url: str) -> str:
    return hashlib.sha256(long_url.encode()).hexdigest()


def stored(workspace: Workspace, long_url: str) -> str | None:
    row = ShortLink.objects.filter(workspace=workspace, long_key=long_key(long_url)).first()
    return row.short_url if row is not None else None


def short_link(
    workspace: Workspace, shortener: Shortener, long_url: str, timeout: float | None = None
) -> str:
    """The short link of a long one: the one made before when there is one, otherwise made
    now and kept. Raises ShortenerError."""
    known = stored(workspace, long_url)
    if known is not None:
        return known
    if len(long_url) > MAX_LONG_URL:
        raise ShortenerError(
            _("The link is too long to shorten (%(n)s characters at most).") % {"n": MAX_LONG_URL}
        )
    short = shortener.shorten(long_url, timeout=timeout)
    try:
        with writes.write():
            ShortLink.objects.create(
                workspace=workspace,
                long_url=long_url,
                long_key=long_key(long_url),
                short_url=short,
                provider=shortener.provider,
            )
    except IntegrityError:  # another worker shortened it meanwhile: theirs is the one kept
        return stored(workspace, long_url) or short
    return short
