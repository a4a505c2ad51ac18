"""Reports over HTTP: the PDF of a period (as the Results page's "PDF" button makes it),
reports e-mailed on schedule, and the brand (logo, colours, white-label) they carry. The
same actions as the pages: hubbub.reporting.schedules and hubbub.core.actions.brand."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja import Query as QueryParams

from hubbub.api.auth import api_access
from hubbub.api.routers.measure import PeriodQuery, _scope_and_period
from hubbub.api.schemas import answers
from hubbub.core.access import Access, ActionError
from hubbub.core.actions.brand import update_brand
from hubbub.core.models import Brand
from hubbub.reporting import schedules
from hubbub.reporting.models import ReportSchedule

router = Router(tags=["reports"])
W = "/workspaces/{slug}"
PDF = {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}


class PdfQuery(PeriodQuery):
    lang: str = Field("", description="en or fr; empty: the workspace's language.")


@router.get(
    W + "/measure/report.pdf",
    response=answers(200, None),
    summary="The period's report as a branded PDF (charts, tables, formulas appendix)",
    openapi_extra={"responses": {200: {"description": "PDF", **PDF}}},
)
def report_pdf(request: HttpRequest, slug: str, params: QueryParams[PdfQuery]) -> HttpResponse:
    access, scope, period = _scope_and_period(request, slug, params)
    language = params.lang if params.lang in schedules.LANGUAGES else access.workspace.language
    found, data = schedules.build_pdf(access.workspace, scope, period, params.compare, language)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{schedules.filename(found)}"'
    return response


# --- scheduled reports -----------------------------------------------------------------------


class ScheduleIn(Schema):
    name: str
    frequency: str = Field(description="weekly (the 7 days before) or monthly (the month before)")
    weekday: int = Field(0, description="Weekly: 0 Monday to 6 Sunday.")
    day_of_month: int = Field(1, description="Monthly: 1 to 28.")
    hour: int = Field(8, description="0 to 23, in the workspace's time zone.")
    channel_id: int | None = None
    campaign_id: int | None = None
    compare: str = Field("previous", description="previous or year")
    language: str = Field("", description="en or fr; empty: the workspace's language.")
    member_ids: list[int] = Field(default_factory=list, description="Members to send it to.")
    addresses: list[str] = Field(default_factory=list, description="Other e-mail addresses.")


class SendingOut(Schema):
    due_at: datetime
    status: str = Field(description="sending, sent or failed")
    error: str
    sent_at: datetime | None


class ScheduleOut(Schema):
    id: int
    name: str
    frequency: str
    weekday: int
    day_of_month: int
    hour: int
    channel_id: int | None
    campaign_id: int | None
    compare: str
    language: str
    member_ids: list[int]
    addresses: list[str]
    active: bool
    next_at: datetime | None = Field(description="The next sending; null when paused.")
    last: SendingOut | None


def _out(schedule: ReportSchedule, access: Access) -> ScheduleOut:
    last = schedule.sendings.first()
    return ScheduleOut(
        id=schedule.pk,
        name=schedule.name,
        frequency=schedule.frequency,
        weekday=schedule.weekday,
        day_of_month=schedule.day_of_month,
        hour=schedule.hour,
        channel_id=schedule.channel_id,
        campaign_id=schedule.campaign_id,
        compare=schedule.compare,
        language=schedule.language,
        member_ids=sorted(schedule.members.values_list("pk", flat=True)),
        addresses=schedule.address_list(),
        active=schedule.active,
        next_at=schedules.next_due(schedule, timezone.now(), access.workspace.tz)
        if schedule.active
        else None,
        last=SendingOut(
            due_at=last.due_at, status=last.status, error=last.error, sent_at=last.sent_at
        )
        if last is not None
        else None,
    )


def _input(body: ScheduleIn) -> schedules.ScheduleInput:
    return schedules.ScheduleInput(
        name=body.name,
        frequency=body.frequency,
        weekday=body.weekday,
        day_of_month=body.day_of_month,
        hour=body.hour,
        channel_id=body.channel_id,
        campaign_id=body.campaign_id,
        compare=body.compare,
        language=body.language,
        member_ids=tuple(body.member_ids),
        addresses="\n".join(body.addresses),
    )


def _schedule_access(request: HttpRequest, slug: str) -> Access:
    access = api_access(request, slug)
    access.require("measure.report")
    return access


@router.get(
    W + "/report-schedules", response=answers(200, list[ScheduleOut]), summary="Scheduled reports"
)
def schedule_list(request: HttpRequest, slug: str) -> list[ScheduleOut]:
    access = _schedule_access(request, slug)
    found = ReportSchedule.objects.filter(workspace=access.workspace)
    return [_out(schedule, access) for schedule in found]


@router.post(
    W + "/report-schedules",
    response=answers(201, ScheduleOut),
    summary="Schedule a report to be e-mailed",
)
def schedule_create(request: HttpRequest, slug: str, body: ScheduleIn) -> Status[ScheduleOut]:
    access = _schedule_access(request, slug)
    return Status(201, _out(schedules.save_schedule(access, _input(body)), access))


def _schedule(access: Access, schedule_id: int) -> ReportSchedule:
    return get_object_or_404(ReportSchedule, pk=schedule_id, workspace=access.workspace)


@router.put(
    W + "/report-schedules/{schedule_id}",
    response=answers(200, ScheduleOut),
    summary="Change a scheduled report",
)
def schedule_update(
    request: HttpRequest, slug: str, schedule_id: int, body: ScheduleIn
) -> ScheduleOut:
    access = _schedule_access(request, slug)
    schedule = schedules.save_schedule(access, _input(body), _schedule(access, schedule_id))
    return _out(schedule, access)


@router.delete(
    W + "/report-schedules/{schedule_id}",
    response=answers(204, None),
    summary="Stop and remove a scheduled report",
)
def schedule_delete(request: HttpRequest, slug: str, schedule_id: int) -> Status[None]:
    access = _schedule_access(request, slug)
    schedules.delete_schedule(access, _schedule(access, schedule_id))
    return Status(204, None)


# --- brand -----------------------------------------------------------------------------------


class BrandIn(Schema):
    primary_colour: str | None = Field(None, description="#rrggbb")
    accent_colour: str | None = Field(None, description="#rrggbb")
    prepared_by: str | None = Field(None, description="Printed at the foot of each page.")
    white_label: bool | None = Field(None, description="Leave Hubbub's name off reports.")
    remove_logo: bool = False


class BrandOut(Schema):
    primary_colour: str
    accent_colour: str
    prepared_by: str
    white_label: bool
    has_logo: bool


def _brand_out(brand: Brand) -> BrandOut:
    return BrandOut(
        primary_colour=brand.primary_colour,
        accent_colour=brand.accent_colour,
        prepared_by=brand.prepared_by,
        white_label=brand.white_label,
        has_logo=bool(brand.logo),
    )


@router.get(W + "/brand", response=answers(200, BrandOut), summary="The workspace's brand")
def brand_get(request: HttpRequest, slug: str) -> BrandOut:
    access = api_access(request, slug)
    access.require("workspace.view")
    return _brand_out(Brand.of(access.workspace))


@router.put(W + "/brand", response=answers(200, BrandOut), summary="Change the brand")
def brand_put(request: HttpRequest, slug: str, body: BrandIn) -> BrandOut:
    access = api_access(request, slug)
    brand = update_brand(
        access,
        primary_colour=body.primary_colour,
        accent_colour=body.accent_colour,
        prepared_by=body.prepared_by,
        white_label=body.white_label,
        remove_logo=body.remove_logo,
    )
    return _brand_out(brand)


LOGO_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A PNG, JPEG, WebP or GIF image, at most 5 MB.",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    W + "/brand/logo",
    response=answers(200, BrandOut),
    summary="Upload the logo (multipart/form-data, field 'file')",
    openapi_extra=LOGO_BODY,
)
def brand_logo(request: HttpRequest, slug: str) -> BrandOut:
    # The file is read from request.FILES rather than declared as a parameter: the
    # permission is checked before the body, so a refused role gets 403, not 422.
    access = api_access(request, slug)
    access.require("workspace.edit")
    upload = request.FILES.get("file")
    if upload is None:
        raise ActionError(
            _("Send the logo as multipart/form-data in a field named 'file'."), field="file"
        )
    return _brand_out(update_brand(access, logo=upload.file))
