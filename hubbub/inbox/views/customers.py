"""A customer's profile: name, e-mail and notes, the identities linked to them on each
network (found by handle to link one more), and every conversation across channels."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hubbub.core.access import Access
from hubbub.inbox.models import Conversation, Customer, Identity
from hubbub.inbox.views.common import attempt, error_of
from hubbub.inbox.views.inbox import decorate
from hubbub.web.decorators import workspace_view

SEARCH_LIMIT = 20
CONVERSATIONS_LIMIT = 200


def _customer(access: Access, customer_id: int) -> Customer:
    return get_object_or_404(Customer, pk=customer_id, workspace=access.workspace)


def _here(access: Access, customer: Customer) -> str:
    return reverse("inbox:customer", args=[access.workspace.slug, customer.pk])


@workspace_view("inbox.view")
def customer_page(request: HttpRequest, access: Access, customer_id: int) -> HttpResponse:
    customer = _customer(access, customer_id)
    if request.method == "POST":
        from hubbub.inbox import actions

        access.require("inbox.reply")
        post = request.POST
        if attempt(
            request,
            lambda: actions.update_customer(
                access, customer, post.get("name", ""), post.get("email", ""), post.get("notes", "")
            ),
        ):
            messages.success(request, _("Profile saved."))
        return redirect(_here(access, customer))
    q = request.GET.get("q", "").strip().lstrip("@")
    found: list[Identity] = []
    if q:
        found = list(
            Identity.objects.filter(workspace=access.workspace, handle__icontains=q)
            .exclude(customer=customer)
            .select_related("customer")
            .order_by("handle")[:SEARCH_LIMIT]
        )
    conversations = decorate(
        access,
        list(
            Conversation.objects.filter(workspace=access.workspace, customer=customer)
            .select_related("channel", "identity", "assignee", "team")
            .prefetch_related("tags")
            .order_by("-last_message_at", "-id")[:CONVERSATIONS_LIMIT]
        ),
        timezone.now(),
    )
    return render(
        request,
        "inbox/customer.html",
        {
            "customer": customer,
            "identities": list(customer.identities.all()),
            "q": q,
            "found": found,
            "rows": conversations,
            "here": request.get_full_path(),
        },
    )


@require_POST
@workspace_view("inbox.reply")
def customer_link(request: HttpRequest, access: Access, customer_id: int) -> HttpResponse:
    """Link an identity found by handle to this customer, or unlink one of theirs (it gets
    a customer of its own again)."""
    from hubbub.inbox import actions

    customer = _customer(access, customer_id)
    raw = request.POST.get("identity", "")
    identity = get_object_or_404(
        Identity, pk=int(raw) if raw.isdigit() else 0, workspace=access.workspace
    )
    if request.POST.get("op") == "unlink":
        if identity.customer_id != customer.pk:
            messages.error(request, _("This identity is not linked to this customer."))
            return redirect(_here(access, customer))
        _other, error = error_of(lambda: actions.unlink_identity(access, identity))
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request,
                _("%(handle)s unlinked: it has a profile of its own again.")
                % {"handle": identity.handle},
            )
    elif attempt(request, lambda: actions.link_identity(access, customer, identity)):
        messages.success(
            request, _("%(handle)s linked to this customer.") % {"handle": identity.handle}
        )
    return redirect(_here(access, customer))
