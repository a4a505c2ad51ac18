from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hubbub.core.roles import Role

TIME_ZONES = sorted(zoneinfo.available_timezones())


class WorkspaceForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("The brand, or the client of your agency.")
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(tz, tz) for tz in TIME_ZONES],
        initial="UTC",
        help_text=_("Schedules, reports and response times use this time zone."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What will use it, e.g. 'reporting script'.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
