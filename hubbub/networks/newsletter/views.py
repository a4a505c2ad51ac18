"""The newsletter's pages: connect, the subscribers page, and the public unsubscribe page.

The unsubscribe page is public (the subscriber has no account) and answers GET with a
confirmation button only: mail scanners and link previews open every link in a message,
and must not unsubscribe anyone. The POST that confirms is also RFC 8058's one-click
endpoint, which mail clients call with the body "List-Unsubscribe=One-Click" and no cookie
or CSRF token: the signed token in the address is the proof.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hubbub.core.access import Access, ActionError
from hubbub.networks.connect_forms import submit
from hubbub.networks.models import Channel
from hubbub.networks.newsletter import subscribers as actions
from hubbub.networks.newsletter.connect import NewsletterSettings, connect_newsletter
from hubbub.networks.newsletter.forms import AddSubscriberForm, ConnectForm, ImportForm
from hubbub.networks.newsletter.models import Subscriber, SubscriberStatus
from hubbub.web.decorators import workspace_view

PAGE_SIZE = 100


@require_http_methods(["GET", "POST"])
@workspace_view("channels.connect")
def connect(request: HttpRequest, access: Access) -> HttpResponse:
    form = ConnectForm(request.POST or None)
    channel = submit(
        request,
        access,
        form,
        lambda access, **data: connect_newsletter(access, NewsletterSettings(**data)),
    )
    if channel is not None:
        messages.success(
            request,
            _("Newsletter %(name)s connected: add its subscribers now.") % {"name": channel.name},
        )
        return redirect("newsletter:subscribers", slug=access.workspace.slug, channel_id=channel.pk)
    lists = Channel.objects.connected().filter(workspace=access.workspace, network="newsletter")
    return render(request, "newsletter/connect.html", {"form": form, "lists": lists})


@require_http_methods(["GET", "POST"])
@workspace_view("channels.view")
def subscribers(request: HttpRequest, access: Access, channel_id: int) -> HttpResponse:
    if request.method == "POST":
        access.require("channels.connect")  # before the lookup: a refusal says so, not 404
    channel = actions.newsletter_channel(access, channel_id)
    add_form = AddSubscriberForm()
    import_form = ImportForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "add":
            add_form = AddSubscriberForm(request.POST)
            if add_form.is_valid():
                try:
                    added = actions.add_subscriber(access, channel, **add_form.cleaned_data)
                except ActionError as exc:
                    add_form.add_error("email", exc.message)
                else:
                    messages.success(request, _("%(email)s added.") % {"email": added.email})
                    return redirect(request.path)
        elif action == "import":
            import_form = ImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                upload = import_form.cleaned_data["file"]
                try:
                    result = actions.import_csv(access, channel, upload.read())
                except ActionError as exc:
                    import_form.add_error("file", exc.message)
                else:
                    _report_import(request, result)
                    return redirect(request.path)
        elif action == "remove":
            raw = request.POST.get("subscriber", "")
            if not raw.isdigit():
                raise Http404("No such subscriber.")
            removed = actions.remove_subscriber(access, channel, int(raw))
            messages.success(request, _("%(email)s removed.") % {"email": removed.email})
            return redirect(request.path)
    counts = dict(
        Subscriber.objects.filter(channel=channel)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    page = Paginator(Subscriber.objects.filter(channel=channel), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "newsletter/subscribers.html",
        {
            "channel": channel,
            "page": page,
            "counts": {s: counts.get(s, 0) for s in SubscriberStatus.values},
            "statuses": SubscriberStatus,
            "add_form": add_form,
            "import_form": import_form,
            "can_manage": access.can("channels.connect"),
        },
    )


def _report_import(request: HttpRequest, result: actions.ImportResult) -> None:
    messages.success(
        request,
        ngettext("%(n)s subscriber imported.", "%(n)s subscribers imported.", result.imported)
        % {"n": result.imported},
    )
    if result.duplicates:
        messages.info(
            request,
            ngettext(
                "%(n)s address was already on the list: skipped.",
                "%(n)s addresses were already on the list: skipped.",
                result.duplicates,
            )
            % {"n": result.duplicates},
        )
    for error in result.errors[:50]:
        messages.error(
            request, _("Line %(line)s: %(reason)s") % {"line": error.line, "reason": error.message}
        )
    if len(result.errors) > 50:
        messages.error(
            request,
            _("… and %(n)s more refused lines.") % {"n": len(result.errors) - 50},
        )


@require_http_methods(["GET"])
@workspace_view("channels.connect")
def export(request: HttpRequest, access: Access, channel_id: int) -> HttpResponse:
    channel = actions.newsletter_channel(access, channel_id)
    response = HttpResponse(
        actions.export_csv(access, channel), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="subscribers-{channel.pk}.csv"'
    return response


@never_cache
@csrf_exempt  # RFC 8058's one-click POST carries no CSRF token; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = actions.subscriber_for_token(token)
    if subscriber is None:
        return render(request, "newsletter/unsubscribe_unknown.html", status=404)
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(subscriber.channel.workspace.language)
    list_name = subscriber.channel.name
    if request.method == "POST":
        actions.unsubscribe(token)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            # A mail client, not a person: a short answer is all it reads.
            return HttpResponse(_("Unsubscribed."), content_type="text/plain; charset=utf-8")
        return render(request, "newsletter/unsubscribed.html", {"list_name": list_name})
    return render(
        request,
        "newsletter/unsubscribe.html",
        {
            "list_name": list_name,
            "email": subscriber.email,
            "already": subscriber.status == SubscriberStatus.UNSUBSCRIBED,
        },
    )
