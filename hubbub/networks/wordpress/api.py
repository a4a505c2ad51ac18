"""POST /api/workspaces/{slug}/channels/wordpress: connect a WordPress site."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import ERRORS, ChannelOut, ErrorOut, channel_out
from hubbub.networks.wordpress.connect import ConnectFailed, connect_wordpress

# The workspace slug is in the prefix this router is mounted under (hubbub.api.main): `Path`
# tells ninja where it comes from.
router = Router()


class ConnectIn(Schema):
    site_url: str = Field(
        max_length=300, description="The site's address, e.g. https://blog.example.com (HTTPS)."
    )
    username: str = Field(max_length=200, description="The WordPress user's login name.")
    application_password: str = Field(
        max_length=200,
        description="An Application Password of that user (Users → Profile → Application "
        "Passwords), not the login password. Spaces are ignored.",
    )
    post_status: Literal["publish", "draft"] = Field(
        "publish",
        description="publish: published when due (Hubbub is the scheduler). draft: saved as "
        "a draft in WordPress for an editor to publish.",
    )
    categories: list[int] = Field(
        default_factory=list,
        description="Category ids (GET /wp/v2/categories on the site); empty: the site's "
        "default category.",
    )
    comment_status: Literal["", "open", "closed"] = Field(
        "", description="Comments on new posts; empty: the site's default."
    )


# 502: the site was unreachable, rate limited or failing: trying later can help.
ANSWERS: dict[int, Any] = {201: ChannelOut, **ERRORS, 502: ErrorOut}


@router.post(
    "",
    response=ANSWERS,
    summary="Connect a WordPress site",
    description=(
        "Finds the site's REST API (/wp-json/, the Link header, or ?rest_route=/), checks "
        "the username and application password (users/me) and that the user may publish, "
        "then saves the channel with the password encrypted; connecting the same site again "
        "updates it. Nothing is saved when a check fails: the 400 answer says why, with the "
        "field at fault. Requires the channels.connect permission."
    ),
)
def connect(request: HttpRequest, slug: Path[str], payload: ConnectIn) -> Any:
    access = api_access(request, slug)
    try:
        channel = connect_wordpress(
            access,
            payload.site_url,
            payload.username,
            payload.application_password,
            post_status=payload.post_status,
            categories=payload.categories,
            comment_status=payload.comment_status,
        )
    except ConnectFailed as exc:
        if not exc.retryable:
            raise
        return Status(502, {"detail": exc.message, "field": exc.field})
    return Status(201, channel_out(channel, access.workspace.tz))
