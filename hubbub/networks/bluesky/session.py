"""Bluesky sessions: log in with an app password, refresh, read the profile.

A session is two JWTs from com.atproto.server.createSession: a short access token (about two
hours on bsky.social) sent as `Authorization: Bearer`, and a long refresh token (about two
months) that buys a new pair from com.atproto.server.refreshSession.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import regex
from django.conf import settings
from django.utils.translation import gettext as _

from hubbub.networks.base import Account
from hubbub.networks.bluesky import xrpc

DEFAULT_PDS = "https://bsky.social"

# Access-token scopes the PDS puts in the JWT: an app password's session is limited (it
# cannot change the e-mail, the password or delete the account); the main password's is not.
APP_PASSWORD_SCOPES = frozenset({"com.atproto.appPass", "com.atproto.appPassPrivileged"})

# A handle is a domain name (atproto.com/specs/handle); a DID is did:<method>:<id>.
_HANDLE = regex.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
_DID = regex.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]+$")


class InvalidInput(ValueError):
    """What a person typed cannot be used; the message says what to type instead."""


@dataclass(frozen=True)
class Session:
    access_jwt: str
    refresh_jwt: str
    did: str
    handle: str

    @classmethod
    def from_output(cls, data: dict[str, Any], pds_url: str) -> Session:
        try:
            return cls(
                access_jwt=str(data["accessJwt"]),
                refresh_jwt=str(data["refreshJwt"]),
                did=str(data["did"]),
                handle=str(data["handle"]),
            )
        except KeyError:
            raise xrpc.NotAPds(
                _("%(url)s answered the login without a session: it is not a Bluesky PDS.")
                % {"url": pds_url}
            ) from None

    @property
    def access_expires_at(self) -> datetime | None:
        return jwt_expiry(self.access_jwt)

    @property
    def uses_app_password(self) -> bool:
        return jwt_claims(self.access_jwt).get("scope") in APP_PASSWORD_SCOPES


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, read without checking its signature.

    We only read `exp` (to refresh in time) and `scope`; the PDS checks the signature
    whenever the token is used, so trusting these fields can at worst cost one refresh.
    """
    try:
        payload = token.split(".")[1]
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = json.loads(decoded)
    except (IndexError, ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


def jwt_expiry(token: str) -> datetime | None:
    exp = jwt_claims(token).get("exp")
    if not isinstance(exp, int | float):
        return None
    return datetime.fromtimestamp(exp, UTC)


def normalise_identifier(value: str) -> str:
    """A handle as people type it ("@Alice.bsky.social ") → "alice.bsky.social"; a DID or
    the account's e-mail address (which createSession also accepts) pass unchanged."""
    text = value.strip()
    if _DID.match(text):
        return text
    text = text.removeprefix("@").strip().lower()
    if "@" in text and "." in text.rsplit("@", 1)[1]:
        return text
    if not text:
        raise InvalidInput(_("Enter the account's handle, e.g. alice.bsky.social."))
    if "." not in text:
        raise InvalidInput(
            _("A handle is a full domain name: did you mean %(handle)s.bsky.social?")
            % {"handle": text}
        )
    if not _HANDLE.match(text):
        raise InvalidInput(
            _(
                "%(handle)s is not a valid handle: use the one shown on the profile, e.g. "
                "alice.bsky.social."
            )
            % {"handle": text}
        )
    return text


def normalise_pds_url(value: str) -> str:
    """The PDS base address, "https://host[:port]" with no trailing slash; empty → bsky.social."""
    text = value.strip().rstrip("/") or DEFAULT_PDS
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput(_("Enter the PDS's web address, e.g. https://bsky.social."))
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InvalidInput(
            _("Enter only the PDS's address, without a path: e.g. https://pds.example.com.")
        )
    # An app password must not travel in clear over the internet; plain http is only for a
    # PDS on a private network the operator opened up (a local test network).
    if parts.scheme == "http" and not getattr(settings, "HUBBUB_ALLOW_PRIVATE_NETWORKS", False):
        raise InvalidInput(
            _("Use the PDS's https:// address: the app password must not be sent unencrypted.")
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def create_session(pds_url: str, identifier: str, password: str) -> Session:
    data = xrpc.call(
        pds_url,
        "com.atproto.server.createSession",
        post=True,
        body={"identifier": identifier, "password": password},
    )
    return Session.from_output(data, pds_url)


def refresh_session(pds_url: str, refresh_jwt: str) -> Session:
    # refreshSession authenticates with the *refresh* token and has no input body.
    data = xrpc.call(pds_url, "com.atproto.server.refreshSession", post=True, token=refresh_jwt)
    return Session.from_output(data, pds_url)


def get_session(pds_url: str, access_jwt: str) -> dict[str, Any]:
    return xrpc.call(pds_url, "com.atproto.server.getSession", token=access_jwt)


def get_profile(pds_url: str, access_jwt: str, actor: str) -> dict[str, Any]:
    # Served by the AppView through the PDS's proxy, with the session's credentials.
    return xrpc.call(
        pds_url, "app.bsky.actor.getProfile", token=access_jwt, params={"actor": actor}
    )


def account_from_profile(profile: dict[str, Any], did: str, handle: str) -> Account:
    handle = str(profile.get("handle") or handle)
    avatar = str(profile.get("avatar") or "")
    return Account(
        external_id=did,
        handle=handle,
        name=str(profile.get("displayName") or "").strip() or handle,
        # Stored and shown as an <img>, never fetched by us: keep web addresses only.
        avatar_url=avatar if avatar.startswith(("https://", "http://")) else "",
        profile_url=f"https://bsky.app/profile/{handle}",
    )
