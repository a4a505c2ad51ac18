"""The audit log, filtered and paged: the same filters as the audit page."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from hubbub.api.auth import api_access
from hubbub.api.schemas import AuditPageOut, AuditQuery, answers, audit_entry_out
from hubbub.core.audit_query import AuditFilter

router = Router(tags=["audit"])


@router.get(
    "/workspaces/{slug}/audit",
    response=answers(200, AuditPageOut),
    summary="The audit log, newest first",
)
def audit_log(request: HttpRequest, slug: str, filters: Query[AuditQuery]) -> AuditPageOut:
    access = api_access(request, slug)
    access.require("audit.view")
    entries = AuditFilter(
        action=filters.action,
        actor=filters.actor,
        since=filters.since,
        until=filters.until,
        text=filters.text,
    ).apply(access.workspace)
    tz = access.workspace.tz
    page = entries[filters.offset : filters.offset + filters.limit]
    return AuditPageOut(
        total=entries.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[audit_entry_out(entry, tz) for entry in page],
    )
