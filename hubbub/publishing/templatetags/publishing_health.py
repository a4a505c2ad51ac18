"""`{% publishing_health %}`: the health numbers in compact form, for the workspace overview
(whose view belongs to the web app and need not know publishing's queries)."""

from __future__ import annotations

from typing import Any

from django import template

from hubbub.publishing.views.health import numbers

register = template.Library()


@register.inclusion_tag("publishing/_health_compact.html", takes_context=True)
def publishing_health(context: template.Context) -> dict[str, Any]:
    workspace = context.get("workspace")
    return {
        "workspace": workspace,
        "numbers": numbers(workspace) if workspace is not None else None,
        "can": context.get("can", {}),
    }
