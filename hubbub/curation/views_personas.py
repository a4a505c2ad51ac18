"""Personas and suggestions pages: the personas list, the edit form (with "propose from
example posts"), the suggestions for a persona (set aside, draft a post) and the composer's
persona panel. Saving goes through hubbub.curation.personas and .suggestions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error
from hubbub.curation import personas as actions
from hubbub.curation import suggestions as suggesting
from hubbub.curation.models import Persona
from hubbub.curation.personas import PersonaInput
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign
from hubbub.web.decorators import workspace_view


def _channel_label(channel: Channel) -> str:
    return f"{channel.network} · {channel.handle}"


class PersonaForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    audience = forms.CharField(
        label=gettext_lazy("Audience"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Who reads it: “city commuters aged 25 to 45 who ride to work”."),
    )
    tone = forms.CharField(
        label=gettext_lazy("Tone"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("In your words: “warm, plain, no jargon”."),
    )
    topics = forms.CharField(
        label=gettext_lazy("Topics"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Separated by commas or one a line; suggestions rank by them."),
    )
    words_to_use = forms.CharField(
        label=gettext_lazy("Words to use"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    words_to_avoid = forms.CharField(
        label=gettext_lazy("Words to avoid"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    languages = forms.CharField(
        label=gettext_lazy("Languages"),
        required=False,
        help_text=gettext_lazy("Codes such as en, fr, separated by commas."),
    )
    example_posts = forms.CharField(
        label=gettext_lazy("Example posts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Paste a few posts in this voice, a blank line between them."),
    )
    channels = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Channels that speak with it"),
        queryset=Channel.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    campaigns = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Campaigns that speak with it"),
        queryset=Campaign.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channels = self.fields["channels"]
        campaigns = self.fields["campaigns"]
        assert isinstance(channels, forms.ModelMultipleChoiceField)
        assert isinstance(campaigns, forms.ModelMultipleChoiceField)
        channels.queryset = Channel.objects.connected().filter(workspace=workspace)
        channels.label_from_instance = _channel_label  # type: ignore[method-assign,assignment]
        campaigns.queryset = Campaign.objects.filter(workspace=workspace)

    def to_input(self) -> PersonaInput:
        data = self.cleaned_data
        return PersonaInput(
            name=data["name"],
            audience=data["audience"],
            tone=data["tone"],
            topics=actions.split_list(data["topics"]),
            words_to_use=actions.split_list(data["words_to_use"]),
            words_to_avoid=actions.split_list(data["words_to_avoid"]),
            languages=actions.split_list(data["languages"]),
            example_posts=actions.split_examples(data["example_posts"]),
            channel_ids=[c.pk for c in data["channels"]],
            campaign_ids=[c.pk for c in data["campaigns"]],
        )


def _initial(persona: Persona) -> dict[str, Any]:
    return {
        "name": persona.name,
        "audience": persona.audience,
        "tone": persona.tone,
        "topics": ", ".join(persona.topics),
        "words_to_use": ", ".join(persona.words_to_use),
        "words_to_avoid": ", ".join(persona.words_to_avoid),
        "languages": ", ".join(persona.languages),
        "example_posts": "\n\n".join(persona.example_posts),
        "channels": list(persona.channels.all()),
        "campaigns": list(persona.campaigns.all()),
    }


def _persona(access: Access, pk: int) -> Persona:
    return get_object_or_404(Persona, pk=pk, workspace=access.workspace)


@require_GET
@workspace_view("curation.view")
def persona_list(request: HttpRequest, access: Access) -> HttpResponse:
    found = Persona.objects.filter(workspace=access.workspace).prefetch_related(
        "channels", "campaigns"
    )
    return render(
        request,
        "curation/personas.html",
        {"personas": found, "editable": access.can("personas.manage")},
    )


def _proposed(request: HttpRequest, workspace: Any) -> tuple[PersonaForm, Any]:
    """The form again with the proposal written into its empty fields (nothing typed is
    replaced), and the proposal itself to show (None when there was nothing to read)."""
    values = request.POST.copy()
    try:
        proposal = actions.propose_from_examples(
            actions.split_examples(values.get("example_posts", ""))
        )
    except ActionError as exc:
        form = PersonaForm(values, workspace=workspace)
        form.full_clean()
        form.add_error("example_posts", exc.message)
        return form, None
    filled = {
        "topics": ", ".join(proposal.topics),
        "words_to_use": ", ".join(proposal.terms),
        "languages": ", ".join(proposal.languages),
        "tone": ", ".join(proposal.tone_words),
    }
    for key, value in filled.items():
        if not values.get(key, "").strip():
            values[key] = value
    return PersonaForm(values, workspace=workspace), proposal


def _edit(request: HttpRequest, access: Access, persona: Persona | None) -> HttpResponse:
    workspace = access.workspace
    proposal = None
    status = 200
    if request.method != "POST":
        form = PersonaForm(initial=_initial(persona) if persona else {}, workspace=workspace)
    else:
        form = PersonaForm(request.POST, workspace=workspace)
        if "propose" in request.POST:
            form, proposal = _proposed(request, workspace)
        elif form.is_valid():
            try:
                if persona is None:
                    saved = actions.create_persona(access, form.to_input())
                else:
                    saved = actions.update_persona(access, persona, form.to_input())
            except ActionError as exc:
                show_error(form, exc)
                status = 400
            else:
                messages.success(request, _("Persona “%(name)s” saved.") % {"name": saved.name})
                for note in actions.language_notes(saved):
                    messages.warning(request, note)
                return redirect("curation:personas", slug=workspace.slug)
        else:
            status = 400
    return render(
        request,
        "curation/persona_edit.html",
        {
            "form": form,
            "persona": persona,
            "proposal": proposal,
            "notes": actions.language_notes(persona) if persona else [],
            "measured": actions.tone_words(persona.tone_profile) if persona else [],
        },
        status=status,
    )


@workspace_view("personas.manage")
def persona_new(request: HttpRequest, access: Access) -> HttpResponse:
    return _edit(request, access, None)


@workspace_view("personas.manage")
def persona_edit(request: HttpRequest, access: Access, persona_id: int) -> HttpResponse:
    return _edit(request, access, _persona(access, persona_id))


@require_POST
@workspace_view("personas.manage")
def persona_delete(request: HttpRequest, access: Access, persona_id: int) -> HttpResponse:
    persona = _persona(access, persona_id)
    name = persona.name
    actions.delete_persona(access, persona)
    messages.success(request, _("Persona “%(name)s” deleted.") % {"name": name})
    return redirect("curation:personas", slug=access.workspace.slug)


# --- suggestions ---------------------------------------------------------------------------


@require_GET
@workspace_view("curation.view")
def suggestion_list(request: HttpRequest, access: Access) -> HttpResponse:
    all_personas = list(Persona.objects.filter(workspace=access.workspace))
    chosen = None
    wanted = request.GET.get("persona", "")
    if wanted.isdigit():
        chosen = next((p for p in all_personas if p.pk == int(wanted)), None)
    if chosen is None and all_personas:
        chosen = all_personas[0]
    found = suggesting.suggest(access, chosen) if chosen else []
    return render(
        request,
        "curation/suggestions.html",
        {
            "personas": all_personas,
            "persona": chosen,
            "suggestions": found,
            "notes": actions.language_notes(chosen) if chosen else [],
            "can_edit": access.can("curation.edit"),
        },
    )


@require_POST
@workspace_view("curation.edit")
def suggestion_dismiss(request: HttpRequest, access: Access, persona_id: int) -> HttpResponse:
    persona = _persona(access, persona_id)
    key = request.POST.get("item", "")
    try:
        suggesting.dismiss(access, persona, key)
    except ActionError as exc:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(exc.message, status=400)
        messages.error(request, exc.message)
    else:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse("")  # the row is swapped out
        messages.success(request, _("Set aside: it will not be suggested again."))
    url = redirect("curation:suggestions", slug=access.workspace.slug).url
    return redirect(f"{url}?persona={persona.pk}")


# --- the composer's panel -----------------------------------------------------------------


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_GET
@workspace_view("curation.view")
def compose_persona(request: HttpRequest, access: Access) -> HttpResponse:
    """The persona(s) of the channels and campaign chosen in the composer (its own field
    names: `channels`, `campaign`); an empty panel when none."""
    channel_ids = [i for v in request.GET.getlist("channels") if (i := _int(v)) is not None]
    found = actions.personas_for(access.workspace, channel_ids, _int(request.GET.get("campaign")))
    return render(request, "curation/_compose_persona.html", {"personas": found})
