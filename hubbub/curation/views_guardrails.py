"""The guardrails' settings page (each rule: off, warn or block, and its options) and its
"Try a text" box, which shows what the guardrails would say without saving anything.
Saving goes through hubbub.curation.guardrails.configure, like the API."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hubbub.core.access import Access, ActionError
from hubbub.curation import guardrails
from hubbub.curation.guardrails.configure import RuleInput, update_settings
from hubbub.curation.guardrails.registry import RULES, settings_of
from hubbub.curation.models import RuleMode
from hubbub.networks.models import Channel
from hubbub.web.decorators import workspace_view

MAX_TRY_LENGTH = 10_000


def _posted(data: QueryDict) -> list[RuleInput]:
    """Form fields: mode-<rule>, and opt-<rule>-<option> for each option (a rule whose mode
    is not in the form is left as it is)."""
    return [
        RuleInput(
            rule.code,
            str(data.get(f"mode-{rule.code}", "")),
            {
                o.name: data[f"opt-{rule.code}-{o.name}"]
                for o in rule.options
                if f"opt-{rule.code}-{o.name}" in data
            },
        )
        for rule in RULES
        if f"mode-{rule.code}" in data
    ]


def _rows(access: Access, posted: QueryDict | None = None) -> list[dict[str, Any]]:
    rows = []
    for setting in settings_of(access.workspace):
        code = setting.rule.code
        options = []
        for option in setting.rule.options:
            value = setting.options.get(option.name, option.default)
            if posted is not None and f"opt-{code}-{option.name}" in posted:
                value = posted[f"opt-{code}-{option.name}"]
            elif option.kind == "words":
                value = "\n".join(str(v) for v in value)
            options.append({"option": option, "value": value, "field": f"opt-{code}-{option.name}"})
        rows.append(
            {
                "setting": setting,
                "mode": posted.get(f"mode-{code}", setting.mode) if posted else setting.mode,
                "options": options,
            }
        )
    return rows


def _page(
    request: HttpRequest, access: Access, *, posted: QueryDict | None = None, error: str = ""
) -> HttpResponse:
    return render(
        request,
        "curation/guardrails.html",
        {
            "rows": _rows(access, posted),
            "modes": RuleMode.choices,
            "channels": Channel.objects.filter(workspace=access.workspace).connected(),
            "error": error,
        },
        status=400 if error else 200,
    )


@workspace_view("guardrails.manage")
def guardrails_page(request: HttpRequest, access: Access) -> HttpResponse:
    if request.method != "POST":
        return _page(request, access)
    try:
        update_settings(access, _posted(request.POST))
    except ActionError as exc:
        return _page(request, access, posted=request.POST, error=exc.message)
    messages.success(request, _("Guardrails saved."))
    return redirect("curation:guardrails", slug=access.workspace.slug)


@require_POST
@workspace_view("guardrails.manage")
def guardrails_try(request: HttpRequest, access: Access) -> HttpResponse:
    """What the guardrails say about a text, as the settings stand (nothing is saved)."""
    text = request.POST.get("try_text", "")[:MAX_TRY_LENGTH]
    chosen = [int(c) for c in request.POST.getlist("try_channel") if c.isdigit()]
    channels = list(Channel.objects.filter(workspace=access.workspace, pk__in=chosen).connected())
    if channels:
        texts = guardrails.group_texts((c, [text], "", "") for c in channels)
    else:
        texts = [guardrails.ChannelText((), (), (text,))]
    subject = guardrails.Subject(
        workspace=access.workspace,
        texts=texts,
        sponsored=bool(request.POST.get("try_sponsored")),
        partner=request.POST.get("try_partner", "")[:200],
    )
    findings = guardrails.check(subject) if text.strip() else []
    template = "curation/guardrails_try.html"
    if request.htmx:  # type: ignore[attr-defined]
        template = "curation/_guardrails_try_result.html"
    return render(request, template, {"findings": findings, "tried": bool(text.strip())})
