"""API authentication: a personal token (Authorization: Bearer hbb_...) or the browser
session (with its CSRF token). Either way the request ends up with an `Access` through
`api_access()`, the same permission path the web views use."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from hubbub.core.access import Access, access_workspace
from hubbub.core.actions.tokens import authenticate_token
from hubbub.core.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = authenticate_token(token)
        if found is not None:
            request.user = found.user
            request.api_token = found  # type: ignore[attr-defined]
        return found


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; ninja checks the CSRF token for unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated:
            return request.user
        return None


def api_access(request: HttpRequest, slug: str) -> Access:
    """The caller's access to a workspace: 404 when not a member, or when a token made for
    another workspace is used (a token is scoped to one workspace)."""
    token: ApiToken | None = getattr(request, "api_token", None)
    if token is not None:
        if token.workspace.slug != slug:
            raise Http404("No such workspace.")
        return access_workspace(token.user, slug, via="api", role_cap=token.role)
    return access_workspace(request.user, slug, via="api")  # type: ignore[arg-type]
