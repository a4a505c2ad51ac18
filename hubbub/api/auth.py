"""API authentication: a personal token (Authorization: Bearer hbb_...) or the browser
session (with its CSRF token). Either way the request ends up with an `Access` through
`api_access()`, the same permission path the web views use."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

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

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in session there is nothing to protect: answer 401 (not a CSRF
        # 403) to a script whose token is missing or revoked.
        if not request.user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request) is not None:
            raise HttpError(
                403,
                "CSRF check failed: send the X-CSRFToken header with the value of the "
                "csrftoken cookie, or authenticate with an API token instead.",
            )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated:
            return request.user
        return None


def api_token(request: HttpRequest) -> ApiToken | None:
    """The token the request authenticated with; None for a browser session."""
    token: ApiToken | None = getattr(request, "api_token", None)
    return token


def api_access(request: HttpRequest, slug: str) -> Access:
    """The caller's access to a workspace: 404 when not a member, or when a token made for
    another workspace is used (a token is scoped to one workspace)."""
    token = api_token(request)
    if token is not None:
        if token.workspace.slug != slug:
            raise Http404("No such workspace.")
        return access_workspace(token.user, slug, via="api", role_cap=token.role)
    return access_workspace(request.user, slug, via="api")  # type: ignore[arg-type]
