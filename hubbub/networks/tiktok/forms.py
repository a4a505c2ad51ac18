from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# How TikTok's own app names each privacy level (Query Creator Info, privacy_level_options).
PRIVACY_LABELS = {
    "PUBLIC_TO_EVERYONE": _("Everyone"),
    "MUTUAL_FOLLOW_FRIENDS": _("Friends (followers you follow back)"),
    "FOLLOWER_OF_CREATOR": _("Followers"),
    "SELF_ONLY": _("Only me"),
}


class SettingsForm(forms.Form):
    """What TikTok's Content Sharing Guidelines ask the account holder to choose: who sees
    the posts (no preselected answer), what viewers may do (all off until turned on, and
    unavailable where the account has turned them off), and express consent."""

    privacy_level = forms.ChoiceField(label=_("Who can see the posts"))
    allow_comment = forms.BooleanField(label=_("Allow comments"), required=False)
    allow_duet = forms.BooleanField(label=_("Allow Duet"), required=False)
    allow_stitch = forms.BooleanField(label=_("Allow Stitch"), required=False)
    consent = forms.BooleanField(
        label=_(
            "I agree that Hubbub posts this account's scheduled videos to TikTok with these "
            "settings, and to TikTok's Music Usage Confirmation."
        ),
    )

    def __init__(self, *args: Any, options: list[str], disabled: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["privacy_level"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose…"))] + [
            (option, PRIVACY_LABELS.get(option, option)) for option in options
        ]
        for name in disabled:
            self.fields[name].disabled = True
            self.fields[name].help_text = _("Turned off in the account's TikTok privacy settings.")
