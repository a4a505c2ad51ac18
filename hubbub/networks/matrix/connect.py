"""Connect a Matrix room to a workspace: the one action the page and the API call.

The person gives the homeserver (a server name such as example.org, looked up with
/.well-known/matrix/client, or the homeserver's URL), the account's credentials (an access
token, or a username and password with which Hubbub logs in once as a new device named
"Hubbub"; the password is never stored), and the room (!id:server or #alias:server). Hubbub
resolves the alias, joins the room when the account is not in it yet (it must be invited to
a room that is not public), checks that the account's power level lets it send messages,
and reads the homeserver's upload limit. Only then is the channel saved, the access token
encrypted.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import unquote

from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.networks.actions import save_connection
from hubbub.networks.base import Connection, ConnectorError, PermanentError
from hubbub.networks.matrix.client import CLIENT, call, discover, errcode, q
from hubbub.networks.matrix.connector import (
    MatrixConfig,
    MatrixConnector,
    may_send,
    room_account,
    room_state,
)
from hubbub.networks.matrix.limits import DEFAULT_UPLOAD_BYTES
from hubbub.networks.models import Channel

DEVICE_NAME = "Hubbub"
_MATRIX_TO = re.compile(r"^https?://matrix\.to/#/(?P<id>[^/?]+)", re.IGNORECASE)
# Room ids are "!" and an opaque string (":server" after it before room version 12);
# aliases are "#localpart:server".
_ROOM_ID = re.compile(r"^![^\s:]+(?::\S+)?$")
_ALIAS = re.compile(r"^#[^\s:]+:\S+$")


class ConnectFailed(ActionError):
    """The homeserver refused or could not be reached; `error` keeps its details."""

    def __init__(self, message: str, field: str | None, error: ConnectorError) -> None:
        super().__init__(message, field)
        self.error = error


def normalise_room(value: str) -> str:
    """`!id:server`, `#alias:server`, or a matrix.to link to either → the id or alias."""
    text = value.strip()
    link = _MATRIX_TO.match(text)
    if link:
        text = unquote(link.group("id"))
    if _ROOM_ID.match(text) or _ALIAS.match(text):
        return text
    raise ActionError(
        _(
            "Enter the room's address, like #announcements:example.org, or its id, like "
            "!AbCdEf:example.org (in Element: Room settings → General or Advanced)."
        ),
        field="room",
    )


def connect_matrix(
    access: Access,
    homeserver: str,
    room: str,
    access_token: str = "",
    username: str = "",
    password: str = "",
) -> Channel:
    """Check the homeserver, the credentials, the room and the account's power level, then
    save the channel; nothing is saved on failure. Raises ActionError with the field at fault."""
    access.require("channels.connect")
    room_ref = normalise_room(room)
    token = access_token.strip()
    username = username.strip()
    if not token and not (username and password):
        raise ActionError(
            _("Enter the account's access token, or its username and password."),
            field="access_token",
        )
    if not homeserver.strip():
        raise ActionError(_("Enter the homeserver, like example.org."), field="homeserver")
    try:
        base = discover(homeserver)
    except ConnectorError as exc:
        raise _failed(exc, "homeserver") from exc

    logged_in = False
    if token:
        try:
            me = call(base, "GET", f"{CLIENT}/v3/account/whoami", token=token)
        except ConnectorError as exc:
            raise _failed(
                exc, "access_token", _("The homeserver does not accept this access token.")
            ) from exc
    else:
        me = _login(base, username, password)
        token = str(me.get("access_token") or "")
        logged_in = True
    user_id = str(me.get("user_id") or "")
    try:
        if not token or not user_id:
            raise ActionError(_("The homeserver did not say which account this is."))
        return _connect_room(access, base, token, user_id, str(me.get("device_id") or ""), room_ref)
    except ActionError:
        if logged_in:
            _logout(base, token)  # do not leave a "Hubbub" device behind for nothing
        raise


def _login(base: str, username: str, password: str) -> dict[str, Any]:
    body = {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": username},
        "password": password,
        "initial_device_display_name": DEVICE_NAME,
    }
    try:
        answer = call(base, "POST", f"{CLIENT}/v3/login", json=body)
    except ConnectorError as exc:
        if errcode(exc) == "M_FORBIDDEN":
            raise ConnectFailed(
                _("The homeserver refused this username and password."), "password", exc
            ) from exc
        raise _failed(exc, "username") from exc
    return dict(answer)


def _logout(base: str, token: str) -> None:
    # Best effort: otherwise the device can be removed in the client's settings.
    with contextlib.suppress(ConnectorError):
        call(base, "POST", f"{CLIENT}/v3/logout", token=token, json={})


def _connect_room(
    access: Access, base: str, token: str, user_id: str, device_id: str, room_ref: str
) -> Channel:
    config = MatrixConfig(homeserver=base, user_id=user_id)
    probe = Channel(network=MatrixConnector.name, config=config.model_dump())
    probe.credentials = {"access_token": token}
    conn = MatrixConnector(probe)
    alias = room_ref if room_ref.startswith("#") else ""
    try:
        room_id = _resolve(base, room_ref) if alias else room_ref
        conn.config.room_id = room_id
        joined = call(base, "GET", f"{CLIENT}/v3/joined_rooms", token=token).get("joined_rooms")
        if room_id not in (joined or []):
            _join(base, token, room_ref, user_id)
        if room_state(conn, "m.room.encryption") is not None:
            raise ActionError(
                _(
                    "This room is end-to-end encrypted: Hubbub cannot read or write encrypted "
                    "messages. Use a room without encryption for announcements."
                ),
                field="room",
            )
        levels = room_state(conn, "m.room.power_levels")
        if not may_send(levels, user_id):
            raise ActionError(
                _(
                    "%(user)s is in the room but its power level does not allow sending "
                    "messages: in the room's settings (Roles & Permissions), give it a role "
                    "that may send messages, then try again."
                )
                % {"user": user_id},
                field="room",
            )
        account = room_account(conn, room_id, alias)
        config.room_id = room_id
        config.room_alias = (
            alias if alias else (account.handle if account.handle.startswith("#") else "")
        )
        config.max_upload_bytes = _upload_limit(base, token)
        config.display_name = _display_name(base, token, user_id)
    except ConnectorError as exc:
        raise _failed(exc, "room") from exc
    connection = Connection(
        account=account,
        credentials={"access_token": token, "user_id": user_id, "device_id": device_id},
        config=config.model_dump(),
        token_expires_at=None,  # no refresh token is asked for: the token lasts until logout
    )
    return save_connection(access, MatrixConnector.name, connection)


def _resolve(base: str, alias: str) -> str:
    try:
        answer = call(base, "GET", f"{CLIENT}/v3/directory/room/{q(alias)}")
    except PermanentError as exc:
        if errcode(exc) == "M_NOT_FOUND" or exc.status == 404:
            raise ConnectFailed(
                _("The homeserver knows no room with the address %(alias)s: check it.")
                % {"alias": alias},
                "room",
                exc,
            ) from exc
        raise
    room_id = answer.get("room_id")
    if not isinstance(room_id, str) or not room_id.startswith("!"):
        raise ActionError(
            _("The homeserver did not say which room %(alias)s is.") % {"alias": alias},
            field="room",
        )
    return room_id


def _join(base: str, token: str, room_ref: str, user_id: str) -> None:
    try:
        call(base, "POST", f"{CLIENT}/v3/join/{q(room_ref)}", token=token, json={})
    except PermanentError as exc:
        if errcode(exc) in ("M_FORBIDDEN", "M_NOT_FOUND") or exc.status in (403, 404):
            raise ConnectFailed(
                _(
                    "%(user)s is not in the room and cannot join it (%(reason)s): invite it "
                    "from the room (/invite %(user)s), then try again."
                )
                % {"user": user_id, "reason": exc.network_message or exc.message},
                "room",
                exc,
            ) from exc
        raise


def _upload_limit(base: str, token: str) -> int:
    """m.upload.size from GET /_matrix/client/v1/media/config (authenticated media, v1.11);
    the key is optional, and older servers lack the endpoint: 50 MB then."""
    try:
        answer = call(base, "GET", f"{CLIENT}/v1/media/config", token=token)
    except PermanentError as exc:
        if exc.needs_reconnect:
            raise
        return DEFAULT_UPLOAD_BYTES
    size = answer.get("m.upload.size")
    return int(size) if isinstance(size, int) and size > 0 else DEFAULT_UPLOAD_BYTES


def _display_name(base: str, token: str, user_id: str) -> str:
    try:
        answer = call(base, "GET", f"{CLIENT}/v3/profile/{q(user_id)}/displayname", token=token)
    except PermanentError as exc:
        if exc.needs_reconnect:
            raise
        return ""  # no display name set (M_NOT_FOUND)
    return str(answer.get("displayname") or "")


def _failed(exc: ConnectorError, field: str, message: str = "") -> ConnectFailed:
    if not exc.permanent:
        return ConnectFailed(
            _("The homeserver could not be reached or is busy: try again in a minute (%(error)s).")
            % {"error": exc},
            None,
            exc,
        )
    text = f"{message} ({exc.network_message or exc.message})" if message else str(exc)
    return ConnectFailed(text, field, exc)
