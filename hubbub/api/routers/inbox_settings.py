"""The inbox's settings and reports over HTTP: saved replies, the response policy (targets
and business hours) and the response-time reports (JSON and CSV).

Rules have their own module (inbox_rules.py). The rules of each setting live in
hubbub.inbox.actions (saved replies), hubbub.inbox.policy_admin (the policy) and
hubbub.inbox.reports; these handlers only translate.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Status

from hubbub.api.auth import api_access
from hubbub.api.inbox_schemas import (
    PolicyIn,
    PolicyOut,
    ReportOut,
    ReportQuery,
    SavedReplyIn,
    SavedReplyOut,
    policy_out,
    report_out,
    saved_reply_out,
)
from hubbub.api.schemas import answers
from hubbub.core.access import Access, ActionError
from hubbub.inbox import actions, policy_admin, reports
from hubbub.inbox.models import SavedReply
from hubbub.networks.models import Channel

router = Router(tags=["inbox settings"])

W = "/workspaces/{slug}"
DEFAULT_REPORT_DAYS = 28
MAX_REPORT_DAYS = 366


# --- saved replies --------------------------------------------------------------------------


def _saved_reply(access: Access, reply_id: int) -> SavedReply:
    return get_object_or_404(SavedReply, pk=reply_id, workspace=access.workspace)


@router.get(
    W + "/saved-replies",
    response=answers(200, list[SavedReplyOut]),
    summary="Saved replies, by title and language",
)
def list_saved_replies(request: HttpRequest, slug: str) -> list[SavedReplyOut]:
    access = api_access(request, slug)
    access.require("inbox.view")
    tz = access.workspace.tz
    return [saved_reply_out(r, tz) for r in SavedReply.objects.filter(workspace=access.workspace)]


@router.post(
    W + "/saved-replies", response=answers(201, SavedReplyOut), summary="Add a saved reply"
)
def create_saved_reply(
    request: HttpRequest, slug: str, payload: SavedReplyIn
) -> Status[SavedReplyOut]:
    access = api_access(request, slug)
    access.require("inbox.configure")
    reply = actions.save_reply(access, payload.title, payload.language, payload.text)
    return Status(201, saved_reply_out(reply, access.workspace.tz))


@router.put(
    W + "/saved-replies/{int:reply_id}",
    response=answers(200, SavedReplyOut),
    summary="Change a saved reply",
)
def update_saved_reply(
    request: HttpRequest, slug: str, reply_id: int, payload: SavedReplyIn
) -> SavedReplyOut:
    access = api_access(request, slug)
    access.require("inbox.configure")
    reply = actions.save_reply(
        access, payload.title, payload.language, payload.text, _saved_reply(access, reply_id)
    )
    return saved_reply_out(reply, access.workspace.tz)


@router.delete(
    W + "/saved-replies/{int:reply_id}",
    response=answers(204, None),
    summary="Delete a saved reply",
)
def delete_saved_reply(request: HttpRequest, slug: str, reply_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("inbox.configure")
    actions.delete_saved_reply(access, _saved_reply(access, reply_id))
    return Status(204, None)


# --- the response policy --------------------------------------------------------------------


@router.get(
    W + "/response-policy",
    response=answers(200, PolicyOut),
    summary="Response-time targets and business hours",
)
def get_policy(request: HttpRequest, slug: str) -> PolicyOut:
    access = api_access(request, slug)
    access.require("inbox.view")
    return policy_out(policy_admin.policy_of(access.workspace), access.workspace.tz)


@router.put(
    W + "/response-policy",
    response=answers(200, PolicyOut),
    summary="Change the targets and business hours (every field)",
)
def put_policy(request: HttpRequest, slug: str, payload: PolicyIn) -> PolicyOut:
    access = api_access(request, slug)
    access.require("inbox.configure")
    policy = policy_admin.save_policy(
        access,
        time_zone=payload.time_zone,
        hours=payload.hours,
        business_hours_only=payload.business_hours_only,
        first_response_minutes=payload.first_response_minutes,
        resolution_minutes=payload.resolution_minutes,
        warn_before_minutes=payload.warn_before_minutes,
    )
    return policy_out(policy, access.workspace.tz)


# --- reports --------------------------------------------------------------------------------


def _report(access: Access, params: ReportQuery) -> reports.Report:
    tz = access.workspace.tz
    today = timezone.now().astimezone(tz).date()
    last = params.end or today
    first = params.start or last - timedelta(days=DEFAULT_REPORT_DAYS - 1)
    if first > last:
        raise ActionError("start is after end: swap them.", field="start")
    if (last - first).days >= MAX_REPORT_DAYS:
        raise ActionError(f"At most {MAX_REPORT_DAYS} days at once.", field="start")
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    channel = None
    if params.channel is not None:
        channel = Channel.objects.filter(pk=params.channel, workspace=access.workspace).first()
        if channel is None:
            raise ActionError(
                f"Channel {params.channel} is not one of this workspace's.", field="channel"
            )
    if (
        params.user is not None
        and not access.workspace.memberships.filter(user_id=params.user).exists()
    ):
        raise ActionError(f"User {params.user} is not a member of this workspace.", field="user")
    return reports.response_report(access.workspace, start, end, channel=channel, user=params.user)


@router.get(
    W + "/inbox/reports",
    response=answers(200, ReportOut),
    summary="Response times (median, p90), target attainment and volume heatmap",
)
def report(request: HttpRequest, slug: str, params: Query[ReportQuery]) -> ReportOut:
    access = api_access(request, slug)
    access.require("inbox.reports")
    return report_out(_report(access, params), access.workspace.tz)


@router.get(
    W + "/inbox/reports.csv",
    response=answers(200, None),
    summary="The same report as CSV",
    openapi_extra={
        "responses": {
            200: {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}
        }
    },
)
def report_csv(request: HttpRequest, slug: str, params: Query[ReportQuery]) -> HttpResponse:
    access = api_access(request, slug)
    access.require("inbox.reports")
    body = reports.report_csv(_report(access, params))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="inbox-report.csv"'
    return response
