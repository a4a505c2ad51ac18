"""The graphics template form: name, kind, colours, logo position, font, and the text each
field holds before someone types (one input per field of the template's kind)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hubbub.curation import graphics
from hubbub.curation.graphics_actions import TemplateInput
from hubbub.curation.models import GraphicTemplate, TemplateKind

BACKGROUND_CHOICES = (
    ("primary", _("The brand's main colour")),
    ("accent", _("The brand's accent colour")),
    ("custom", _("Another colour")),
)
POSITION_CHOICES = (
    ("top-left", _("Top left")),
    ("top-right", _("Top right")),
    ("bottom-left", _("Bottom left")),
    ("bottom-right", _("Bottom right")),
)
DEFAULT_PREFIX = "default-"


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=TemplateKind.choices)
    background = forms.ChoiceField(
        label=_("Background"), choices=BACKGROUND_CHOICES, widget=forms.RadioSelect
    )
    colour = forms.CharField(
        label=_("Other colour"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Used when the background is another colour."),
    )
    logo_position = forms.ChoiceField(label=_("Logo position"), choices=POSITION_CHOICES)
    is_active = forms.BooleanField(label=_("Offered in the composer"), required=False, initial=True)
    font = forms.FileField(
        label=_("Font"),
        required=False,
        help_text=_("A TrueType or OpenType file (.ttf, .otf); without one, DejaVu Sans."),
    )

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The default texts of the kind the template has (a new template gets them once
        # its kind is saved).
        for spec in graphics.FIELDS.get(kind, ()):
            self.fields[DEFAULT_PREFIX + spec.key] = forms.CharField(
                label=str(spec.label),  # the form is made per request: its language
                required=False,
                max_length=graphics.MAX_FIELD_CHARS,
                widget=forms.Textarea(attrs={"rows": 2}) if spec.multiline else forms.TextInput,
            )

    def default_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(DEFAULT_PREFIX)]

    def to_input(self) -> TemplateInput:
        data = self.cleaned_data
        background = data["background"]
        if background == "custom":
            background = data.get("colour") or ""
        defaults = {
            name.removeprefix(DEFAULT_PREFIX): value
            for name, value in data.items()
            if name.startswith(DEFAULT_PREFIX)
        }
        return TemplateInput(
            name=data["name"],
            kind=data["kind"],
            background=background,
            logo_position=data["logo_position"],
            defaults=defaults,
            is_active=data["is_active"],
        )


def initial_of(template: GraphicTemplate) -> dict[str, Any]:
    custom = template.background not in ("primary", "accent")
    initial: dict[str, Any] = {
        "name": template.name,
        "kind": template.kind,
        "background": "custom" if custom else template.background,
        "colour": template.background if custom else "",
        "logo_position": template.logo_position,
        "is_active": template.is_active,
    }
    for key, value in (template.defaults or {}).items():
        initial[DEFAULT_PREFIX + key] = value
    return initial
