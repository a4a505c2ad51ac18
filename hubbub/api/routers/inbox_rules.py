"""Inbox rules over HTTP: list, create, read, change, delete, and preview what a rule (saved
or not) would have done to the last days' messages.

The rules of rules live in hubbub.inbox.rules (conditions, actions, validation),
hubbub.inbox.rules_admin (saving, ordering, audit) and hubbub.inbox.rule_preview (the dry
run, by the same code path as the real one); these handlers only translate.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from hubbub.api.auth import api_access
from hubbub.api.inbox_schemas import (
    DaysQuery,
    PreviewItemOut,
    PreviewOut,
    RuleIn,
    RuleOut,
    RulePreviewIn,
    rule_out,
)
from hubbub.api.schemas import answers
from hubbub.core.access import Access
from hubbub.inbox import rule_preview, rules, rules_admin
from hubbub.inbox.models import Rule

router = Router(tags=["inbox rules"])

R = "/workspaces/{slug}/rules"
PREVIEW_ITEMS = 100


def _rule(access: Access, rule_id: int) -> Rule:
    return get_object_or_404(Rule, pk=rule_id, workspace=access.workspace)


def _save(access: Access, payload: RuleIn, rule: Rule | None = None) -> Rule:
    saved = rules_admin.save_rule(
        access,
        payload.name,
        payload.conditions,
        payload.actions,
        match_all=payload.match_all,
        stop=payload.stop,
        enabled=payload.enabled,
        rule=rule,
    )
    if payload.position is not None and payload.position != saved.position:
        saved = rules_admin.move_rule(access, saved, payload.position)
    return saved


def _preview_out(preview: rule_preview.Preview) -> PreviewOut:
    items = [
        PreviewItemOut(
            message_id=match.message.pk,
            conversation_id=match.message.conversation_id,
            text=match.message.text,
            created_at=match.message.created_at,
            actions=match.actions,
        )
        for match in preview.matched[:PREVIEW_ITEMS]
    ]
    return PreviewOut(
        matched=len(preview.matched),
        scanned=preview.total_scanned,
        truncated=preview.truncated,
        since=preview.since,
        items=items,
    )


@router.get(R, response=answers(200, list[RuleOut]), summary="Rules, in the order they run")
def list_rules(request: HttpRequest, slug: str) -> list[RuleOut]:
    access = api_access(request, slug)
    access.require("inbox.view")
    tz = access.workspace.tz
    return [rule_out(r, tz) for r in Rule.objects.filter(workspace=access.workspace)]


@router.post(R, response=answers(201, RuleOut), summary="Add a rule (last, unless position)")
def create_rule(request: HttpRequest, slug: str, payload: RuleIn) -> Status[RuleOut]:
    access = api_access(request, slug)
    access.require("inbox.configure")
    return Status(201, rule_out(_save(access, payload), access.workspace.tz))


@router.post(
    R + "/preview",
    response=answers(200, PreviewOut),
    summary="What an unsaved rule would have done to the last days' messages",
)
def preview_unsaved(request: HttpRequest, slug: str, payload: RulePreviewIn) -> PreviewOut:
    access = api_access(request, slug)
    access.require("inbox.configure")
    errors = rules.validate(payload.conditions, payload.actions, access.workspace)
    if errors:
        raise rules_admin.RuleInvalid(errors)
    unsaved = (payload.conditions, payload.actions, payload.match_all)
    return _preview_out(rule_preview.preview(unsaved, access.workspace, days=payload.days))


@router.get(R + "/{int:rule_id}", response=answers(200, RuleOut), summary="One rule")
def get_rule(request: HttpRequest, slug: str, rule_id: int) -> RuleOut:
    access = api_access(request, slug)
    access.require("inbox.view")
    return rule_out(_rule(access, rule_id), access.workspace.tz)


@router.put(R + "/{int:rule_id}", response=answers(200, RuleOut), summary="Change a rule")
def update_rule(request: HttpRequest, slug: str, rule_id: int, payload: RuleIn) -> RuleOut:
    access = api_access(request, slug)
    access.require("inbox.configure")
    return rule_out(_save(access, payload, _rule(access, rule_id)), access.workspace.tz)


@router.delete(R + "/{int:rule_id}", response=answers(204, None), summary="Delete a rule")
def delete_rule(request: HttpRequest, slug: str, rule_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("inbox.configure")
    rules_admin.delete_rule(access, _rule(access, rule_id))
    return Status(204, None)


@router.post(
    R + "/{int:rule_id}/preview",
    response=answers(200, PreviewOut),
    summary="What a saved rule would have done to the last days' messages",
)
def preview_rule(
    request: HttpRequest, slug: str, rule_id: int, params: Query[DaysQuery]
) -> PreviewOut:
    access = api_access(request, slug)
    access.require("inbox.configure")
    rule = _rule(access, rule_id)
    return _preview_out(rule_preview.preview(rule, access.workspace, days=params.days))
