"""The connect pages of networks connected with a form (a bot token, a webhook URL, an
application password...): posting the form connects the channel, or puts the reason it
could not on the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django import forms
from django.http import HttpRequest

from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error

if TYPE_CHECKING:
    from hubbub.networks.models import Channel


def submit(
    request: HttpRequest, access: Access, form: forms.Form, connect: Callable[..., Channel]
) -> Channel | None:
    """The channel `connect(access, **form.cleaned_data)` connected, when the form was posted
    and is valid. None: show the form (again); an ActionError is on it, on its field when the
    form has that field."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return connect(access, **form.cleaned_data)
    except ActionError as exc:
        show_error(form, exc)
        return None
