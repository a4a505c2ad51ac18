"""The feeds pages: subscriptions grouped by topic (unread counts, last error with its
reason, "Read now", pause, OPML import and export) and the items reader (newest first,
filtered by feed, topic or unread, read marks one by one or all at once, "Save to library"
and "Share"). Every change goes through hubbub.curation.feeds and .library."""

from __future__ import annotations

from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error
from hubbub.curation import feeds, library
from hubbub.curation import feeds_opml as opml
from hubbub.curation.models import Feed, FeedItem
from hubbub.web.decorators import workspace_view

PAGE_SIZE = 50


class SubscribeForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Site or feed address"),
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "https://example.com", "inputmode": "url"}),
    )
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=100, required=False)


class FeedForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Name"), max_length=300)
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=100, required=False)
    interval = forms.IntegerField(
        label=gettext_lazy("Read every (seconds)"),
        min_value=feeds.MIN_INTERVAL,
        max_value=7 * 86400,
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)


def _feed(access: Access, pk: int) -> Feed:
    return get_object_or_404(Feed, pk=pk, workspace=access.workspace)


def _item(access: Access, pk: int) -> FeedItem:
    return get_object_or_404(
        FeedItem.objects.select_related("feed"), pk=pk, workspace=access.workspace
    )


def _to_list(access: Access) -> HttpResponse:
    return redirect("curation:feeds", slug=access.workspace.slug)


def _feeds_page(
    request: HttpRequest, access: Access, form: SubscribeForm | None = None, status: int = 200
) -> HttpResponse:
    listed = list(feeds.feeds_with_counts(access.workspace, access.user))
    for feed in listed:
        feed.unread = feed.total - feed.seen  # type: ignore[attr-defined]
    topics = [(topic, list(group)) for topic, group in groupby(listed, key=lambda f: f.topic)]
    return render(
        request,
        "curation/feeds.html",
        {
            "topics": topics,
            "form": form or SubscribeForm(),
            "editable": access.can("curation.edit"),
            "unread": sum(f.unread for f in listed),  # type: ignore[attr-defined]
        },
        status=status,
    )


@require_GET
@workspace_view("curation.view")
def feed_list(request: HttpRequest, access: Access) -> HttpResponse:
    return _feeds_page(request, access)


@require_POST
@workspace_view("curation.edit")
def feed_new(request: HttpRequest, access: Access) -> HttpResponse:
    form = SubscribeForm(request.POST)
    if form.is_valid():
        try:
            feed = feeds.subscribe(
                access, form.cleaned_data["url"], topic=form.cleaned_data["topic"]
            )
        except ActionError as exc:
            form.add_error("url", exc.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Subscribed to “%(name)s”: %(n)s item.",
                    "Subscribed to “%(name)s”: %(n)s items.",
                    feed.last_found,
                )
                % {"name": feed, "n": feed.last_found},
            )
            return _to_list(access)
    return _feeds_page(request, access, form, status=400)


@workspace_view("curation.edit")
def feed_edit(request: HttpRequest, access: Access, feed_id: int) -> HttpResponse:
    feed = _feed(access, feed_id)
    status = 200
    if request.method == "POST":
        form = FeedForm(request.POST)
        status = 400
        if form.is_valid():
            change = feeds.FeedChange(**form.cleaned_data)
            try:
                feeds.update_feed(access, feed, change)
            except ActionError as exc:
                show_error(form, exc)
            else:
                messages.success(request, _("Feed “%(name)s” saved.") % {"name": feed})
                return _to_list(access)
    else:
        form = FeedForm(
            initial={
                "title": feed.title,
                "topic": feed.topic,
                "interval": feed.interval,
                "is_active": feed.is_active,
            }
        )
    return render(request, "curation/feed_edit.html", {"form": form, "feed": feed}, status=status)


@require_POST
@workspace_view("curation.edit")
def feed_read(request: HttpRequest, access: Access, feed_id: int) -> HttpResponse:
    feed = feeds.read_now(access, _feed(access, feed_id))
    if feed.last_error:
        messages.error(
            request,
            _("“%(name)s” could not be read: %(error)s") % {"name": feed, "error": feed.last_error},
        )
    else:
        messages.success(
            request,
            ngettext(
                "“%(name)s” read: %(n)s new item.",
                "“%(name)s” read: %(n)s new items.",
                feed.last_found,
            )
            % {"name": feed, "n": feed.last_found},
        )
    return _to_list(access)


@require_POST
@workspace_view("curation.edit")
def feed_pause(request: HttpRequest, access: Access, feed_id: int) -> HttpResponse:
    feed = _feed(access, feed_id)
    feeds.update_feed(access, feed, feeds.FeedChange(is_active=not feed.is_active))
    if feed.is_active:
        messages.success(request, _("“%(name)s” is read again.") % {"name": feed})
    else:
        messages.success(request, _("“%(name)s” is paused.") % {"name": feed})
    return _to_list(access)


@require_POST
@workspace_view("curation.edit")
def feed_delete(request: HttpRequest, access: Access, feed_id: int) -> HttpResponse:
    feed = _feed(access, feed_id)
    name = str(feed)
    feeds.delete_feed(access, feed)
    messages.success(request, _("Unsubscribed from “%(name)s”.") % {"name": name})
    return _to_list(access)


@require_GET
@workspace_view("curation.view")
def feeds_opml(request: HttpRequest, access: Access) -> HttpResponse:
    response = HttpResponse(opml.export_opml(access.workspace), content_type="text/x-opml")
    response["Content-Disposition"] = f'attachment; filename="{access.workspace.slug}-feeds.opml"'
    return response


@require_POST
@workspace_view("curation.edit")
def feeds_opml_import(request: HttpRequest, access: Access) -> HttpResponse:
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ActionError(_("Choose an OPML file (exported from your feed reader)."))
        if (upload.size or 0) > opml.MAX_OPML_BYTES:
            raise ActionError(_("This OPML file is too large."))
        result = opml.import_opml(access, upload.read())
    except ActionError as exc:
        messages.error(request, exc.message)
        return _to_list(access)
    messages.success(
        request,
        ngettext(
            "%(n)s feed added; its items arrive in the next minutes.",
            "%(n)s feeds added; their items arrive in the next minutes.",
            result.added,
        )
        % {"n": result.added}
        + (
            " "
            + ngettext("%(n)s was already read.", "%(n)s were already read.", result.already)
            % {"n": result.already}
            if result.already
            else ""
        ),
    )
    for problem in result.problems[:20]:
        messages.warning(request, problem)
    return _to_list(access)


# --- the reader -----------------------------------------------------------------------------


def _filters(request: HttpRequest, access: Access) -> dict[str, Any]:
    raw_feed = request.GET.get("feed", "") or request.POST.get("feed", "")
    feed_id = int(raw_feed) if raw_feed.isdigit() else None
    return {
        "feed_id": feed_id,
        "topic": (request.GET.get("topic", "") or request.POST.get("topic", ""))[:100],
        "unread": (request.GET.get("unread", "") or request.POST.get("unread", "")) == "1",
    }


def _query(filters: dict[str, Any]) -> str:
    pairs = {
        "feed": filters["feed_id"] or "",
        "topic": filters["topic"],
        "unread": "1" if filters["unread"] else "",
    }
    return urlencode({k: v for k, v in pairs.items() if v})


@require_GET
@workspace_view("curation.view")
def feed_items(request: HttpRequest, access: Access) -> HttpResponse:
    filters = _filters(request, access)
    found = feeds.items_for(access.workspace, access.user, **filters)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "curation/feed_items.html",
        {
            "page": page,
            "filters": filters,
            "query": _query(filters),
            "feeds": Feed.objects.filter(workspace=access.workspace).order_by("title", "id"),
            "topics": sorted(
                {
                    t
                    for t in Feed.objects.filter(workspace=access.workspace).values_list(
                        "topic", flat=True
                    )
                    if t
                }
            ),
            "editable": access.can("curation.edit"),
            "can_post": access.can("posts.create"),
        },
    )


@require_POST
@workspace_view("curation.view")
def feed_item_read(request: HttpRequest, access: Access, feed_item_id: int) -> HttpResponse:
    """Mark one item read or unread (read=0); htmx swaps the item, others go back."""
    item = _item(access, feed_item_id)
    read = request.POST.get("read", "1") != "0"
    feeds.mark(access, [item], read)
    if request.headers.get("HX-Request"):
        item.is_read = read  # type: ignore[attr-defined]
        return render(
            request,
            "curation/_feed_item.html",
            {
                "item": item,
                "editable": access.can("curation.edit"),
                "can_post": access.can("posts.create"),
            },
        )
    return redirect(reverse("curation:feed_items", args=[access.workspace.slug]))


@require_POST
@workspace_view("curation.view")
def feed_items_read_all(request: HttpRequest, access: Access) -> HttpResponse:
    filters = _filters(request, access)
    count = feeds.mark_all_read(access, feeds.items_for(access.workspace, access.user, **filters))
    messages.success(
        request,
        ngettext("%(n)s item marked read.", "%(n)s items marked read.", count) % {"n": count},
    )
    url = reverse("curation:feed_items", args=[access.workspace.slug])
    query = _query(filters)
    return redirect(f"{url}?{query}" if query else url)


@require_POST
@workspace_view("curation.edit")
def feed_item_save(request: HttpRequest, access: Access, feed_item_id: int) -> HttpResponse:
    item = _item(access, feed_item_id)
    try:
        saved = library.save_feed_item(access, item)
    except (ActionError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, _("“%(title)s” saved to the library.") % {"title": saved.title})
    url = reverse("curation:feed_items", args=[access.workspace.slug])
    query = _query(_filters(request, access))
    return redirect(f"{url}?{query}" if query else url)
