"""Connect a Mastodon account from a script: /api/workspaces/{slug}/channels/mastodon/...

Either start the OAuth flow (`/authorize`: open the returned address in a browser, sign in
on the server, and the channel appears when the server sends the browser back to Hubbub),
or hand over a token created on the server (`/token`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import ERRORS, ChannelOut, ErrorOut, channel_out
from hubbub.networks.mastodon.connect import (
    ConnectError,
    connect_with_token,
    start_authorization,
)

router = Router(tags=["channels"])

# The slug is in the mount prefix, not in each operation's path: ninja binds it only when
# it is marked as a path parameter (Path[str]), otherwise it looks for it in the query.


class AuthorizeIn(Schema):
    instance_url: str = Field(
        max_length=300,
        description="The server: mastodon.social, https://mastodon.social or @you@mastodon.social.",
    )


class AuthorizeOut(Schema):
    authorize_url: str = Field(
        description="Open it in a browser to sign in on the server and approve Hubbub; it "
        "works for 30 minutes and once."
    )
    state: str = Field(description="The OAuth state carried by authorize_url.")


class TokenIn(Schema):
    instance_url: str = Field(max_length=300, description="The server the token is from.")
    access_token: str = Field(
        max_length=500,
        description="Created on the server under Preferences → Development, with the scopes "
        "read:accounts read:statuses read:notifications read:search write:statuses write:media.",
    )


# 502: the server was unreachable, rate limited or failing: trying later can help.
ANSWERS: dict[int, Any] = {**ERRORS, 502: ErrorOut}


def _error(exc: ConnectError) -> Any:
    return Status(502 if exc.retryable else 400, {"detail": exc.message, "field": exc.field})


@router.post(
    "/authorize",
    response={200: AuthorizeOut, **ANSWERS},
    summary="Start connecting a Mastodon account (OAuth)",
)
def authorize(request: HttpRequest, slug: Path[str], payload: AuthorizeIn) -> Any:
    access = api_access(request, slug)
    try:
        started = start_authorization(
            access, payload.instance_url, None, api_token=getattr(request, "api_token", None)
        )
    except ConnectError as exc:
        return _error(exc)
    return AuthorizeOut(authorize_url=started.url, state=started.state)


@router.post(
    "/token",
    response={200: ChannelOut, **ANSWERS},
    summary="Connect a Mastodon account with an access token",
)
def token(request: HttpRequest, slug: Path[str], payload: TokenIn) -> Any:
    access = api_access(request, slug)
    try:
        channel = connect_with_token(access, payload.instance_url, payload.access_token)
    except ConnectError as exc:
        return _error(exc)
    return channel_out(channel, access.workspace.tz)
