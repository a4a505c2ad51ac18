"""Personal API tokens: each works on one workspace, with a role no higher than its owner's."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import (
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    answers,
    token_fields,
    token_out,
)
from hubbub.core.actions.tokens import create_token, revoke_token
from hubbub.core.models import ApiToken

router = Router(tags=["tokens"])


@router.get(
    "/workspaces/{slug}/tokens",
    response=answers(200, list[TokenOut]),
    summary="API tokens (yours; managers and owners see everyone's)",
)
def list_api_tokens(request: HttpRequest, slug: str) -> list[TokenOut]:
    access = api_access(request, slug)
    access.require("tokens.manage")
    tokens = ApiToken.objects.filter(workspace=access.workspace).select_related("user")
    if not access.can("members.remove"):  # the same rule as the tokens page
        tokens = tokens.filter(user=access.user)
    tz = access.workspace.tz
    return [token_out(t, tz) for t in tokens]


@router.post(
    "/workspaces/{slug}/tokens",
    response=answers(201, TokenCreatedOut),
    summary="Create a token (its value is in this answer only)",
)
def create_api_token(request: HttpRequest, slug: str, payload: TokenIn) -> Status[TokenCreatedOut]:
    access = api_access(request, slug)
    token, raw = create_token(access, payload.name, payload.role)
    return Status(201, TokenCreatedOut(**token_fields(token, access.workspace.tz), token=raw))


@router.delete(
    "/workspaces/{slug}/tokens/{int:token_id}",
    response=answers(204, None),
    summary="Revoke a token",
)
def revoke_api_token(request: HttpRequest, slug: str, token_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("tokens.manage")
    token = get_object_or_404(ApiToken, pk=token_id, workspace=access.workspace)
    revoke_token(access, token)
    return Status(204, None)
