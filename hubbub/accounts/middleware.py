"""Choose the interface language: the person's own choice (the language switch), else the
language of the workspace they work in, else what the browser asks for.

Sits after AuthenticationMiddleware's work (process_view runs once every process_request
has), so it can read the signed-in user and override what LocaleMiddleware guessed."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: object) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        language = user.language
        if not language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            workspace = user.last_workspace
            language = workspace.language if workspace is not None else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
