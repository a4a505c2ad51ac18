"""External reviewers: a post seen and approved through a signed link, without an account.

The token in the URL is looked up by its hash only. An unknown token answers 404, an
expired or revoked one 410, each with a page saying what to do. The page never shows the
workspace's navigation: the reviewer is not a member.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hubbub.core.access import ActionError
from hubbub.publishing.actions import approvals as actions
from hubbub.publishing.models import Decision, PostStatus, ReviewLink
from hubbub.publishing.views.approvals import guardrail_findings


def _speak_workspace_language(request: HttpRequest, link: ReviewLink) -> None:
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        language = link.post.workspace.language
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]


@never_cache
def review(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = actions.review_link_for(token)
    except actions.ReviewLinkGone as gone:
        return render(
            request, "publishing/review_gone.html", {"reason": gone.message}, status=gone.status
        )
    _speak_workspace_language(request, link)
    error = ""
    if request.method == "POST":
        choice = request.POST.get("decision", "")
        try:
            actions.review_decide(link, choice, request.POST.get("comment", ""))
        except actions.ReviewLinkGone as gone:
            return render(
                request, "publishing/review_gone.html", {"reason": gone.message}, status=gone.status
            )
        except ActionError as exc:
            error = exc.message
        except PermissionDenied as exc:
            error = str(exc)
        else:
            thanks = {
                Decision.APPROVE: _("Thank you: your approval is recorded."),
                Decision.REJECT: _(
                    "Thank you: the post goes back to its author with your comment."
                ),
                Decision.COMMENT: _("Thank you: your comment is recorded."),
            }
            messages.success(request, thanks.get(choice, _("Thank you.")))  # type: ignore[call-overload]
            return redirect("publishing:review", token=token)
    post = link.post
    workspace = post.workspace
    state = actions.approval_state(post)
    current = state.current
    return render(
        request,
        "publishing/review.html",
        {
            "link": link,
            "post": post,
            "ws": workspace,  # not `workspace`: that would draw the members' navigation
            "planned": post.scheduled_at.astimezone(workspace.tz) if post.scheduled_at else None,
            "variants": post.variants.select_related("channel").prefetch_related("media"),
            "approval": state,
            "may_approve": current is not None and current.allow_external,
            "in_review": post.status == PostStatus.IN_REVIEW,
            "my_decisions": [d for d in state.decisions if d.review_link_id == link.pk],
            "findings": guardrail_findings(post),
            "error": error,
        },
        status=400 if error else 200,
    )


urlpatterns: list[URLPattern] = [
    path("review/<str:token>/", review, name="review"),
]
