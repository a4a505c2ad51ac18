"""`workspace_view`: every workspace page goes through the access helpers and the
permissions table before its body runs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import translation

from hubbub.accounts.models import User
from hubbub.core.access import Access, access_workspace

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, Access, P], HttpResponseBase]


def workspace_view(permission: str) -> Callable[[View[P]], Callable[..., HttpResponseBase]]:
    def decorator(view: View[P]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user: User = request.user  # type: ignore[assignment]
            access = access_workspace(user, slug)
            access.require(permission)
            if not user.language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                # No language chosen by the person: each workspace speaks its own.
                translation.activate(access.workspace.language)
                request.LANGUAGE_CODE = access.workspace.language  # type: ignore[attr-defined]
            if user.last_workspace_id != access.workspace.pk:
                User.objects.filter(pk=user.pk).update(last_workspace=access.workspace)
            request.access = access  # type: ignore[attr-defined]
            return view(request, access, *args, **kwargs)

        return wrapper

    return decorator
