from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ConnectForm(forms.Form):
    site_url = forms.CharField(
        label=_("Site address"),
        max_length=300,
        help_text=_("The address of the blog, like https://blog.example.com (HTTPS)."),
        widget=forms.TextInput(
            attrs={"autocapitalize": "none", "spellcheck": "false", "inputmode": "url"}
        ),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=200,
        help_text=_("The WordPress login name of the user Hubbub posts as."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    application_password = forms.CharField(
        label=_("Application password"),
        max_length=200,
        help_text=_(
            "Created in WordPress under Users → Profile → Application Passwords; not the "
            "password you log in with."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


POST_STATUS_CHOICES = [
    ("publish", _("Publish at the planned time")),
    ("draft", _("Save as a draft in WordPress, for an editor to publish")),
]
COMMENT_STATUS_CHOICES = [
    ("", _("The site's default (Settings → Discussion)")),
    ("open", _("Open")),
    ("closed", _("Closed")),
]


class OptionsForm(forms.Form):
    post_status = forms.ChoiceField(
        label=_("New posts"), choices=POST_STATUS_CHOICES, widget=forms.RadioSelect
    )
    categories = forms.TypedMultipleChoiceField(
        label=_("Categories"),
        coerce=int,
        required=False,
        help_text=_("None chosen: WordPress files posts under the site's default category."),
        widget=forms.CheckboxSelectMultiple,
    )
    comment_status = forms.ChoiceField(
        label=_("Comments"), choices=COMMENT_STATUS_CHOICES, required=False
    )

    def __init__(self, *args: Any, categories: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = {c["id"]: c["name"] for c in categories}
        field = self.fields["categories"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [
            (c["id"], f"{names[c['parent']]} / {c['name']}" if c["parent"] in names else c["name"])
            for c in categories
        ]
