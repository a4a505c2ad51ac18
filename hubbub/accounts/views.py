from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hubbub.accounts.forms import ProfileForm, SignInForm, SignUpForm
from hubbub.accounts.models import SignInLink, User
from hubbub.core.access import ActionError
from hubbub.core.actions.members import accept_invitation, find_invitation
from hubbub.core.roles import Role


class SignInView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class ChoosePasswordView(PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def get_form_class(self) -> type[SetPasswordForm[User]]:  # type: ignore[override]
        # An owner created with a one-time sign-in link has no password yet, so there is no
        # "old password" to confirm: they choose their first one.
        user: User = self.request.user  # type: ignore[assignment]
        if not user.has_usable_password():
            return SetPasswordForm
        return PasswordChangeForm


def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that follow links must not use up the link.
    if request.method != "POST":
        return render(request, "accounts/sign_in_link.html", {"token": token})
    user = SignInLink.redeem(token)
    if user is None:
        messages.error(request, _("This sign-in link is not valid any more. Ask for a new one."))
        return redirect("accounts:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if not user.has_usable_password():
        messages.info(request, _("Welcome! Choose a password so you can sign in again."))
        return redirect("accounts:profile")
    return redirect(settings.LOGIN_REDIRECT_URL)


def accept_invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = find_invitation(token)
    if invitation is None or invitation.status != "pending":
        reason = {
            "accepted": _("This invitation has already been accepted."),
            "expired": _(
                "This invitation has expired; ask the person who invited you to resend it."
            ),
        }.get(invitation.status if invitation else "", _("This invitation link is not valid."))
        return render(request, "accounts/invitation_invalid.html", {"reason": reason}, status=410)
    context: dict[str, object] = {
        "invitation": invitation,
        "role_label": Role(invitation.role).label,
        "token": token,
    }
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = accept_invitation(request.user, token)  # type: ignore[arg-type]
            except ActionError as exc:
                context["error"] = exc.message
                return render(request, "accounts/invitation.html", context, status=400)
            messages.success(
                request, _("Welcome to %(name)s.") % {"name": membership.workspace.name}
            )
            return redirect("web:workspace", slug=membership.workspace.slug)
        return render(request, "accounts/invitation.html", context)
    if User.objects.filter(email__iexact=invitation.email).exists():
        login_url = reverse("accounts:login") + "?next=" + request.path
        context["login_url"] = login_url
        return render(request, "accounts/invitation.html", context)
    form = SignUpForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = User.objects.create_user(
                invitation.email,
                form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
            )
            membership = accept_invitation(user, token)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to %(name)s.") % {"name": membership.workspace.name})
        return redirect("web:workspace", slug=membership.workspace.slug)
    context["form"] = form
    return render(request, "accounts/invitation.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        response = redirect("accounts:profile")
        _remember_language(response, user.language)
        return response
    return render(request, "accounts/profile.html", {"form": form})


def _remember_language(response: HttpResponse, language: str) -> None:
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch: remembered on the account when signed in, in a cookie always."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = ""
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    if request.user.is_authenticated:
        User.objects.filter(pk=request.user.pk).update(language=language)
    response = HttpResponseRedirect(next_url)
    _remember_language(response, language)
    return response
