"""The "Reading" settings page: what the inbox reads from each channel (mentions, direct
messages, the comments of each recent post), when it last read and will read next, the last
error and what to do about it; the channels it cannot read and why; and "Read now".

The page only shows hubbub.inbox.reading's status and runs its read_now action.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access
from hubbub.inbox import reading
from hubbub.inbox.models import InboxSource
from hubbub.inbox.views.common import error_of
from hubbub.web.decorators import workspace_view


@require_GET
@workspace_view("inbox.view")
def sources_page(request: HttpRequest, access: Access) -> HttpResponse:
    status = reading.reading_status(access.workspace)
    return render(
        request,
        "inbox/settings_sources.html",
        {
            "status": status,
            "editable": access.can("inbox.configure"),
            "can_see_posts": access.can("posts.view"),
        },
    )


@require_POST
@workspace_view("inbox.configure")
def source_poll(request: HttpRequest, access: Access, source_id: int) -> HttpResponse:
    source = get_object_or_404(
        InboxSource.objects.select_related("channel"), pk=source_id, workspace=access.workspace
    )
    result, error = error_of(lambda: reading.read_now(access, source))
    back = redirect("inbox_settings:sources", slug=access.workspace.slug)
    back["Location"] += f"#source-{source.pk}"
    if result is None:
        messages.error(request, error)
    elif result.errors:
        messages.error(
            request,
            _("Reading %(source)s failed: %(errors)s")
            % {"source": reading.describe(source), "errors": "; ".join(result.errors)},
        )
    elif not result.polled:
        messages.info(request, _("It is being read right now by the background worker."))
    else:
        messages.success(
            request,
            ngettext(
                "Read %(source)s: %(n)s new message.",
                "Read %(source)s: %(n)s new messages.",
                result.created,
            )
            % {"source": reading.describe(source), "n": result.created},
        )
    return back
