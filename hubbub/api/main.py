"""The REST API at /api/, with its OpenAPI description at /api/docs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from hubbub.api.auth import SessionAuth, TokenAuth
from hubbub.core.access import ActionError
from hubbub.networks.registry import NETWORKS, network_module

api = NinjaAPI(
    title="Hubbub API",
    version="1",
    description=(
        "Manage workspaces, members, channels, posts and their publishing, and read the audit "
        "log. Authenticate with a personal "
        "token (`Authorization: Bearer hbb_...`, created on the API tokens page) or, from the "
        "browser, with your session and its CSRF token."
    ),
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
)


@api.exception_handler(ActionError)
def _action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=400)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or "Your role does not allow this."}, status=403
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    detail = str(exc)
    if not detail or detail.endswith("matches the given query."):  # Django's words, naming a model
        detail = "Not found: check the id; it must be one of this workspace's."
    return api.create_response(request, {"detail": detail}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": "Authentication required: send 'Authorization: Bearer <token>' with a valid, "
            "unrevoked API token."
        },
        status=401,
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):  # ninja's words, which say no fix
        detail = (
            "The request body is not valid JSON: send a JSON object with the header "
            "'Content-Type: application/json'."
        )
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for error in exc.errors:
        loc = error.get("loc", ())
        where = ".".join(str(part) for part in loc if part not in ("body", "payload"))
        problems.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
    detail = "Invalid request: " + "; ".join(problems)
    return api.create_response(request, {"detail": detail, "errors": exc.errors}, status=422)


def _mount_routers() -> None:
    from hubbub.api import routes

    routes.mount(api)
    for name in NETWORKS:
        module = network_module(name, "api")
        if module is not None:
            prefix = f"/workspaces/{{slug}}/channels/{name}"
            api.add_router(prefix, module.router, tags=["channels"])


_mount_routers()
