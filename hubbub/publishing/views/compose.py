"""Compose and edit a post, its page, the publishing-health panel and campaigns.

The composer is one plain form that works without JavaScript; htmx adds live validation
(publishing:validate, as people type), autosave (publishing:autosave), image upload
(publishing:upload) and the "Next free slot" button (publishing:next_slot). The "Repeat"
builder makes the post the first of a recurring series (hubbub.publishing.recurrence) when it
is scheduled. Every change goes through hubbub.publishing.actions: these views only
read the form and show the actions' errors on the field they name. The live check also
shows the guardrails' findings (hubbub.curation.guardrails, via compose_guardrails), which
also handles a share's prefill (`?share=feed:12`) and the paid partnership.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.networks.models import Channel
from hubbub.publishing import media as media_store
from hubbub.publishing import queue, recurrence, recurrence_text
from hubbub.publishing.actions import approvals
from hubbub.publishing.actions import posts as post_actions
from hubbub.publishing.actions.campaigns import CampaignInput, create_campaign
from hubbub.publishing.models import (
    ApprovalStep,
    Campaign,
    Delivery,
    DeliveryStatus,
    Post,
    PostStatus,
    QueueSlot,
)
from hubbub.publishing.models.posts import EDITABLE
from hubbub.publishing.tz import is_ambiguous, local_to_utc, next_valid
from hubbub.publishing.views import campaigns as campaign_views
from hubbub.publishing.views import compose_guardrails, post_page
from hubbub.publishing.views import health as health_views
from hubbub.publishing.views.compose_form import (
    ComposeData,
    MediaItem,
    apply_part_action,
    channel_rows,
    check,
    from_post,
    inspect_media,
    parse,
    variants,
)
from hubbub.web.decorators import workspace_view

FORM_FIELDS = {
    "purpose",
    "channels",
    "campaign",
    "media",
    "scheduled_at",
    "fold",
    "parts",
    "partner",
    "guardrails",
}
# The Repeat builder's fields (and recurrence's "rrule"): their errors show under the builder.
REPEAT_FIELDS = {"rrule", *recurrence_text.FIELDS}
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> posts


# --- lookups ----------------------------------------------------------------------------------


def _channels(access: Access, post: Post | None = None) -> list[Channel]:
    """The workspace's connected channels, and those the post already goes to even if one
    was disconnected since: it stays visible, and saving says to reconnect or untick it."""
    channels = Channel.objects.filter(workspace=access.workspace)
    if post is None:
        return list(channels.connected())
    return list(
        channels.filter(
            Q(disconnected_at__isnull=True) | Q(pk__in=post.variants.values("channel_id"))
        )
    )


def _post(access: Access, post_id: int) -> Post:
    return get_object_or_404(Post.objects.posts(), pk=post_id, workspace=access.workspace)


def _local(post: Post | None, access: Access) -> str:
    if post is None or post.scheduled_at is None:
        return ""
    return post.scheduled_at.astimezone(access.workspace.tz).strftime(LOCAL_INPUT)


def _locked_reason(post: Post | None) -> str:
    """Why this post cannot be changed any more (the same words the action would use)."""
    if post is None:
        return ""
    if post.status not in EDITABLE:
        return _("This post is %(status)s and can no longer be changed.") % {
            "status": PostStatus(post.status).label
        }
    busy = Delivery.objects.filter(post=post).exclude(
        status__in=[DeliveryStatus.SCHEDULED, DeliveryStatus.CANCELLED]
    )
    if busy.exists():
        return _(
            "This post is being published right now: wait until it is out, then edit or "
            "delete it on the network."
        )
    return ""


# --- saving -----------------------------------------------------------------------------------


def _campaign(access: Access, data: ComposeData, *, allow_new: bool) -> Campaign | None:
    if allow_new and data.new_campaign:
        existing = Campaign.objects.filter(
            workspace=access.workspace, name__iexact=data.new_campaign
        ).first()
        if existing is not None:
            return existing
        return create_campaign(access, CampaignInput(name=data.new_campaign))
    if data.campaign_id is None:
        return None
    found = Campaign.objects.filter(pk=data.campaign_id, workspace=access.workspace).first()
    if found is None:
        raise ActionError(_("That campaign no longer exists: choose another."), field="campaign")
    return found


def _save(
    access: Access,
    post: Post | None,
    data: ComposeData,
    channels: list[Channel],
    *,
    allow_new_campaign: bool,
) -> Post:
    inspect_media(access.workspace, data)
    campaign = _campaign(access, data, allow_new=allow_new_campaign)
    given = variants(data, channels)
    if post is None:
        post = post_actions.create_draft(
            access, purpose=data.purpose, variants=given, campaign=campaign
        )
    else:
        post = post_actions.update_post(
            access, post, purpose=data.purpose, variants=given, campaign=campaign
        )
    compose_guardrails.after_save(access, post, data)
    return post


def _when(data: ComposeData) -> datetime | None:
    if not data.scheduled_at:
        return None
    try:
        return datetime.strptime(data.scheduled_at[:16], LOCAL_INPUT)
    except ValueError:
        raise ActionError(
            _("%(value)s is not a date and time: write it as YYYY-MM-DD HH:MM.")
            % {"value": data.scheduled_at},
            field="scheduled_at",
        ) from None


def _fold(data: ComposeData) -> int | None:
    return int(data.fold) if data.fold in ("0", "1") else None


def _submit(access: Access, post: Post, when: datetime | None, fold: int | None) -> Post:
    """The Schedule and Submit-for-approval buttons: approvals.submit decides whether the post
    goes to review or straight to the schedule."""
    return approvals.submit(access, post, when, fold)


def _start_series(access: Access, post: Post, data: ComposeData) -> recurrence.SeriesResult:
    """Schedule with "Repeat": the post becomes the first of a series starting at the chosen
    time, and create_series schedules it (or submits it for approval) as the buttons would,
    with its next occurrences."""
    when = _when(data)
    if when is None:
        raise ActionError(
            _("Choose when the first post goes out: the series repeats from there."),
            field="scheduled_at",
        )
    due = local_to_utc(when, access.workspace.tz, _fold(data))  # refuses a DST-gap time
    if due <= timezone.now():
        raise ActionError(
            _("%(time)s has already passed: choose a time in the future.")
            % {"time": when.strftime("%Y-%m-%d %H:%M")},
            field="scheduled_at",
        )
    rule = recurrence_text.build_rule(data.repeat, when)
    return recurrence.create_series(access, post, rule, start=due)


def _next_slot(access: Access, data: ComposeData, channels: list[Channel]) -> dict[str, Any]:
    """Fill the time field with the chosen channels' next free queue slot; the context says
    what was found, or why nothing was."""
    chosen = [c for c in channels if c.pk in data.chosen]
    if not chosen:
        return {"slot_note": _("Choose a channel first: the next free slot is one of its.")}
    found = queue.next_free_slot(access, chosen)
    if found is None:
        if not QueueSlot.objects.filter(channel__in=chosen).exists():
            return {
                "slot_note": _("The chosen channels have no queue slots yet."),
                "slot_missing": True,
            }
        return {
            "slot_note": _("No free slot in the next %(weeks)s weeks on the chosen channels.")
            % {"weeks": queue.SEARCH_WEEKS},
            "slot_missing": True,
        }
    local = found.astimezone(access.workspace.tz)
    data.scheduled_at = local.strftime(LOCAL_INPUT)
    if is_ambiguous(local.replace(tzinfo=None), access.workspace.tz):
        data.fold = "0"  # queue slots take the first of a repeated hour
    return {
        "slot_found": _("Next free slot: %(time)s.") % {"time": local.strftime("%Y-%m-%d %H:%M")}
    }


def _repeat_preview(access: Access, data: ComposeData) -> dict[str, str]:
    """The Repeat builder's choice in words (or what is wrong with it), as people choose."""
    if not data.repeat.wanted:
        return {}
    tz = access.workspace.tz
    try:
        when = _when(data)
        rule = recurrence_text.build_rule(data.repeat, when)
        start = when.replace(tzinfo=tz) if when is not None else None
        recurrence.parse_rule(rule, start or timezone.now(), tz)  # a pasted rule: is it one?
    except ActionError as exc:
        return {"repeat_error": exc.message}
    return {"repeat_text": recurrence_text.describe(rule, start, tz)}


def _in_gap(when: datetime, access: Access) -> bool:
    tz = access.workspace.tz
    return when.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != when


# --- rendering --------------------------------------------------------------------------------


def _soft_inspect(access: Access, data: ComposeData) -> list[str]:
    """Read the named files again; a missing one is dropped and said, the rest still checked."""
    problems = []
    for item in data.media:
        try:
            item.stored = media_store.inspect(access.workspace, item.path)
        except ActionError as exc:
            problems.append(exc.message)
    data.media = [m for m in data.media if m.stored is not None]
    return problems


def _time_choices(data: ComposeData, access: Access) -> dict[str, Any]:
    """The DST help under the time field: the next valid time for a time in the spring-forward
    gap, the two occurrences of a time in the repeated autumn hour."""
    try:
        when = _when(data)
    except ActionError:
        return {}
    if when is None:
        return {}
    tz = access.workspace.tz
    if _in_gap(when, access):
        return {"suggestion": next_valid(when, tz).strftime(LOCAL_INPUT)}
    if is_ambiguous(when, tz):
        first, second = when.replace(tzinfo=tz, fold=0), when.replace(tzinfo=tz, fold=1)
        return {
            "ambiguous": [
                ("0", first.strftime("%H:%M"), first.strftime("%Z"), first.strftime("%z")),
                ("1", second.strftime("%H:%M"), second.strftime("%Z"), second.strftime("%z")),
            ]
        }
    return {}


def _render_form(
    request: HttpRequest,
    access: Access,
    post: Post | None,
    data: ComposeData,
    channels: list[Channel],
    errors: dict[str, list[str]],
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    media_problems = _soft_inspect(access, data)
    if media_problems:
        errors.setdefault("media", []).extend(media_problems)
    context = {
        "post": post,
        "data": data,
        "rows": channel_rows(data, channels),
        "campaigns": Campaign.objects.filter(workspace=access.workspace),
        "errors": errors,
        "checks": check(data, channels),
        "findings": compose_guardrails.findings(access, data, channels),
        "locked": _locked_reason(post),
        "autosave": post is None or post.status == PostStatus.DRAFT,
        "needs_approval": ApprovalStep.objects.filter(workspace=access.workspace).exists(),
        "max_media": _max_media_per_part(),
        "weekdays": recurrence_text.weekday_names(),
        "series": recurrence_text.series_info(access, post) if post is not None else None,
        **_repeat_preview(access, data),
        **_time_choices(data, access),
        **(extra or {}),
    }
    return render(request, "publishing/compose/form.html", context)


def _add_error(errors: dict[str, list[str]], exc: ActionError) -> None:
    key = exc.field if exc.field in FORM_FIELDS else "general"
    if exc.field in REPEAT_FIELDS:
        key = "repeat"
    if exc.field and exc.field.startswith("parts"):
        key = "parts"
    errors.setdefault(key or "general", []).append(exc.message)


# --- the composer -----------------------------------------------------------------------------


@workspace_view("posts.create")
def compose(request: HttpRequest, access: Access) -> HttpResponse:
    return _composer(request, access, None)


@workspace_view("posts.edit")
def edit(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    return _composer(request, access, _post(access, post_id))


def _first_visit(request: HttpRequest, access: Access, channels: list[Channel]) -> ComposeData:
    data = ComposeData(scheduled_at=request.GET.get("at", "")[:16])
    if len(channels) == 1:
        data.chosen = [channels[0].pk]  # the only channel: nothing to choose
    share = request.GET.get("share", "")
    if share:  # "Share" / "Draft a post" on a feed or library item
        compose_guardrails.prefill(
            access, data, channels, share[:40], request.GET.get("persona", "")
        )
    return data


def _composer(request: HttpRequest, access: Access, post: Post | None) -> HttpResponse:
    channels = _channels(access, post)
    errors: dict[str, list[str]] = {}
    if request.method != "POST":
        if post is None:
            data = _first_visit(request, access, channels)
        else:
            data = from_post(post, _local(post, access))
        return _render_form(request, access, post, data, channels, errors)

    data = parse(request.POST, channels)
    if post is None and data.post_id is not None:
        post = _post(access, data.post_id)  # saved by autosave since the page was opened
    action = request.POST.get("action", "save")
    if request.POST.get("use_time"):  # "Use 03:00 instead" under a time in the DST gap
        data.scheduled_at = request.POST["use_time"][:16]
        action = "schedule"
    upload = request.FILES.get("file")
    if upload is not None:  # without JavaScript, a chosen file comes with the form
        part = request.POST.get("upload_part", "0")
        try:
            stored = media_store.store_upload(access, upload, upload.size or 0, upload.name or "")
        except ActionError as exc:
            errors.setdefault("media", []).append(exc.message)
            return _render_form(request, access, post, data, channels, errors)
        data.media.append(MediaItem(stored.path, "", int(part) if part.isdigit() else 0))
    if apply_part_action(data, action):
        return _render_form(request, access, post, data, channels, errors)
    if action == "next_slot":  # without JavaScript: the form again, with the time filled
        slot = _next_slot(access, data, channels)
        return _render_form(request, access, post, data, channels, errors, slot)

    try:
        post = _save(access, post, data, channels, allow_new_campaign=True)
    except ActionError as exc:
        _add_error(errors, exc)
        return _render_form(request, access, post, data, channels, errors)
    data.post_id, data.new_campaign = post.pk, ""
    if post.campaign_id:
        data.campaign_id = post.campaign_id

    if action in ("schedule", "submit"):
        series: recurrence.SeriesResult | None = None
        try:
            if data.repeat.wanted and recurrence_text.series_info(access, post) is None:
                series = _start_series(access, post, data)
                post = series.origin
            else:
                when = _when(data)
                if action == "schedule" and when is None:
                    raise ActionError(_("Choose when the post goes out."), field="scheduled_at")
                post = _submit(access, post, when, _fold(data))
        except ActionError as exc:
            _add_error(errors, exc)
            errors.setdefault("general", []).append(
                _("Your changes are saved; the post keeps its earlier time.")
                if post.status == PostStatus.SCHEDULED
                else _("Your changes are saved as a draft; it is not scheduled yet.")
            )
            return _render_form(request, access, post, data, channels, errors)
        if post.status == PostStatus.IN_REVIEW:
            messages.success(request, _("Submitted for approval."))
        else:
            messages.success(request, _("Scheduled."))
        if series is not None:
            messages.success(
                request,
                _("It repeats: %(n)s posts planned so far, more are added as time passes.")
                % {"n": 1 + len(series.created)},
            )
            for problem in series.problems:
                messages.warning(request, problem)
        return redirect("publishing:post", slug=access.workspace.slug, post_id=post.pk)

    messages.success(request, _("Draft saved."))
    return redirect("publishing:edit", slug=access.workspace.slug, post_id=post.pk)


@require_POST
@workspace_view("posts.create")
def validate(request: HttpRequest, access: Access) -> HttpResponse:
    """The live check under the composer: per channel, the counters, the problems and the
    preview, rendered from what the form holds right now (nothing is saved)."""
    channels = _channels(access)
    data = parse(request.POST, channels)
    media_problems = _soft_inspect(access, data)
    return render(
        request,
        "publishing/compose/_validation.html",
        {
            "checks": check(data, channels),
            "findings": compose_guardrails.findings(access, data, channels),
            "data": data,
            "media_problems": media_problems,
            **_repeat_preview(access, data),
        },
    )


@require_GET
@workspace_view("posts.create")
def next_slot(request: HttpRequest, access: Access) -> HttpResponse:
    """The "Next free slot" button with htmx: the time field again, filled with the chosen
    channels' next free queue slot (or saying why there is none)."""
    post_id = request.GET.get("post_id", "")
    post = _post(access, int(post_id)) if post_id.isdigit() else None
    channels = _channels(access, post)
    data = parse(request.GET, channels)
    return render(
        request,
        "publishing/compose/_when_time.html",
        {"data": data, "errors": {}, **_next_slot(access, data, channels)},
    )


@require_POST
@workspace_view("posts.create")
def autosave(request: HttpRequest, access: Access) -> HttpResponse:
    """Save the draft as people type: created on the first save, updated after. Only drafts:
    a scheduled post changes when its author says so (Save), not on every keystroke."""
    post_id = request.POST.get("post_id", "")
    post = _post(access, int(post_id)) if post_id.isdigit() else None
    channels = _channels(access, post)
    data = parse(request.POST, channels)
    context: dict[str, Any] = {"post": post}
    if post is not None and post.status != PostStatus.DRAFT:
        context["off"] = PostStatus(post.status).label
        return render(request, "publishing/compose/_autosave.html", context)
    try:
        saved = _save(access, post, data, channels, allow_new_campaign=False)
    except ActionError as exc:
        context["error"] = exc.message
        return render(request, "publishing/compose/_autosave.html", context)
    context.update(
        post=saved,
        saved_at=timezone.now().astimezone(access.workspace.tz).strftime("%H:%M"),
        created=post is None,
    )
    response = render(request, "publishing/compose/_autosave.html", context)
    if post is None:
        response["HX-Replace-Url"] = reverse(
            "publishing:edit", kwargs={"slug": access.workspace.slug, "post_id": saved.pk}
        )
    return response


def _max_media_per_part() -> int:
    """The most files a part may carry on any registered network (TikTok's photo posts: 35,
    Threads' carousels: 20 mixed); each ticked channel's own limits are checked live."""
    return max(media_store.max_images_per_part(), media_store.max_videos_per_part())


@require_POST
@workspace_view("posts.create")
def upload(request: HttpRequest, access: Access) -> HttpResponse:
    """One image or video, checked and stored; answers the list item the composer appends."""
    part = request.POST.get("upload_part") or "0"
    index = int(part) if part.isdigit() else 0
    already = sum(1 for p in request.POST.getlist("media-part") if p == str(index))
    file = request.FILES.get("file")
    limit = _max_media_per_part()
    try:
        if file is None:
            raise ActionError(_("Choose an image or a video to upload."), field="media")
        if already >= limit:
            raise ActionError(
                _(
                    "Part %(n)s already has %(count)s files, the most any network takes "
                    "(%(max)s): remove one first."
                )
                % {"n": index + 1, "count": already, "max": limit},
                field="media",
            )
        stored = media_store.store_upload(access, file, file.size or 0, file.name or "")
    except ActionError as exc:
        return render(request, "publishing/compose/_media_error.html", {"error": exc.message})
    item = MediaItem(stored.path, "", index, stored)
    return render(
        request, "publishing/compose/_media_item.html", {"item": item, "original": file.name}
    )


@workspace_view("posts.view")
def media_file(request: HttpRequest, access: Access, path: str) -> HttpResponseBase:
    """An uploaded image or video of this workspace, for the composer's previews and the post
    page. Only files that are still the images or videos they were checked to be are served,
    with their sniffed type and nosniff: an upload can never be served as a page."""
    try:
        stored = media_store.inspect(access.workspace, path)
    except ActionError:
        raise Http404(_("No such file.")) from None
    response = FileResponse(
        (Path(settings.MEDIA_ROOT) / stored.path).open("rb"), content_type=stored.mime_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, max-age=3600"
    return response


urlpatterns: list[URLPattern] = [
    path("w/<slug:slug>/posts/new/", compose, name="compose"),
    path("w/<slug:slug>/posts/<int:post_id>/edit/", edit, name="edit"),
    path("w/<slug:slug>/posts/validate/", validate, name="validate"),
    path("w/<slug:slug>/posts/autosave/", autosave, name="autosave"),
    path("w/<slug:slug>/posts/next-slot/", next_slot, name="next_slot"),
    path("w/<slug:slug>/posts/media/", upload, name="upload"),
    path("w/<slug:slug>/media/<path:path>", media_file, name="media_file"),
    *post_page.urlpatterns,
    *health_views.urlpatterns,
    *campaign_views.urlpatterns,
]
