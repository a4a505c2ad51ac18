"""An action's refusal shown on the form that asked for it."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from hubbub.core.access import ActionError


def show_error(form: forms.Form, exc: ActionError, fields: Mapping[str, str] | None = None) -> None:
    """The action's message beside its field, above the form when it names none or a field
    the form does not have. `fields`: the form's name for a field the action names otherwise."""
    name = (fields or {}).get(exc.field or "", exc.field or "")
    form.add_error(name if name in form.fields else None, exc.message)
