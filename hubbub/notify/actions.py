"""Managing alert destinations: the one place the rules live (web page, API and tests use it).

Every action needs alerts.manage and is audited. A Slack webhook URL and a Matrix access
token are secrets: stored encrypted, never shown again, never written to the audit log;
when editing, a secret left blank keeps the one stored.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.networks.slack.client import parse_webhook_url
from hubbub.networks.webhook_urls import NotAWebhookURL
from hubbub.notify import sending
from hubbub.notify.models import EVENTS, Destination, DestinationKind

MAX_DESTINATIONS = 20  # per workspace: more is a mistake or a loop
MAX_ADDRESSES = 20
ROOM_ID = re.compile(r"^![^\s:/]+:[^\s/]+$")


SECRETS = {DestinationKind.SLACK: "webhook_url", DestinationKind.MATRIX: "access_token"}


def target_of(destination: Destination) -> str:
    """Where it sends, safe to show and to audit: never the secret."""
    config = destination.config if destination.config_encrypted else {}
    if destination.kind == DestinationKind.EMAIL:
        return ", ".join(config.get("addresses", []))
    if destination.kind == DestinationKind.SLACK:
        try:
            hook = parse_webhook_url(str(config.get("webhook_url", "")))
        except NotAWebhookURL:
            return ""
        return f"hooks.slack.com/services/{hook.team_id}/{hook.hook_id}/…"
    return f"{config.get('room_id', '')} @ {config.get('homeserver', '')}"


def _state(destination: Destination) -> dict[str, Any]:
    """What the audit log keeps of a destination."""
    return {
        "name": destination.name,
        "kind": destination.kind,
        "events": list(destination.events),
        "is_active": destination.is_active,
        "target": target_of(destination),
    }


def _own(access: Access, destination: Destination) -> None:
    access.require("alerts.manage")
    if destination.workspace_id != access.workspace.pk:
        raise PermissionDenied(_("That alert destination belongs to another workspace."))


# --- checking what a person typed ---------------------------------------------------------------


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ActionError(_("Give the destination a name, e.g. “#support on Slack”."), "name")
    return name[:100]


def clean_events(events: Iterable[str] | None) -> list[str]:
    if events is None:
        return list(EVENTS)
    chosen = [str(e).strip() for e in events if str(e).strip()]
    unknown = sorted(set(chosen) - set(EVENTS))
    if unknown:
        raise ActionError(
            _("Unknown event %(events)s: choose among %(known)s.")
            % {"events": ", ".join(unknown), "known": ", ".join(EVENTS)},
            field="events",
        )
    if not chosen:
        raise ActionError(_("Choose at least one event to send."), field="events")
    return [e for e in EVENTS if e in chosen]


def clean_addresses(value: str | Iterable[str]) -> list[str]:
    items = re.split(r"[\s,;]+", value) if isinstance(value, str) else list(value)
    addresses: list[str] = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            validate_email(item)
        except ValidationError:
            raise ActionError(
                _("“%(address)s” is not an e-mail address.") % {"address": item}, "addresses"
            ) from None
        if item.lower() not in {a.lower() for a in addresses}:
            addresses.append(item)
    if not addresses:
        raise ActionError(_("Give at least one e-mail address."), "addresses")
    if len(addresses) > MAX_ADDRESSES:
        raise ActionError(
            _("%(count)s addresses at most: use a mailing list for more.")
            % {"count": MAX_ADDRESSES},
            "addresses",
        )
    return addresses


def clean_slack_url(value: str) -> str:
    try:
        return parse_webhook_url(value or "").url
    except NotAWebhookURL:
        raise ActionError(
            _(
                "That is not a Slack incoming webhook URL: in your Slack app, open Incoming "
                "Webhooks and copy the URL that starts with https://hooks.slack.com/services/."
            ),
            "webhook_url",
        ) from None


def clean_homeserver(value: str) -> str:
    url = (value or "").strip().rstrip("/")
    parts = urlsplit(url)
    private_ok = getattr(settings, "HUBBUB_ALLOW_PRIVATE_NETWORKS", False)
    allowed = {"https", "http"} if private_ok else {"https"}
    if parts.scheme not in allowed or not parts.hostname or parts.query or parts.username:
        raise ActionError(
            _(
                "Give the homeserver's address, like https://matrix.example.org (in Element: "
                "Settings → Help & About → Homeserver)."
            ),
            "homeserver",
        )
    try:
        http.check_url(url)
    except http.OutboundError as exc:
        raise ActionError(exc.message, "homeserver") from None
    return url


def clean_room_id(value: str) -> str:
    room = (value or "").strip()
    if room.startswith("#"):
        raise ActionError(
            _(
                "Give the room's internal id, which starts with ! (in Element: Room settings → "
                "Advanced → Internal room ID), not its address starting with #."
            ),
            "room_id",
        )
    if not ROOM_ID.match(room):
        raise ActionError(_("A Matrix room id looks like !AbCdEf:example.org."), "room_id")
    return room


def clean_config(
    kind: str, data: Mapping[str, Any], current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The stored configuration for `kind` from what was typed; a secret left blank keeps
    the one in `current` (editing)."""
    current = current or {}
    if kind == DestinationKind.EMAIL:
        return {"addresses": clean_addresses(data.get("addresses") or "")}
    if kind == DestinationKind.SLACK:
        typed = str(data.get("webhook_url") or "").strip()
        if not typed and current.get("webhook_url"):
            return {"webhook_url": current["webhook_url"]}
        return {"webhook_url": clean_slack_url(typed)}
    if kind == DestinationKind.MATRIX:
        token = str(data.get("access_token") or "").strip() or str(
            current.get("access_token") or ""
        )
        if not token:
            raise ActionError(
                _(
                    "Give the access token of the account that posts (in Element: Settings → "
                    "Help & About → Access token). Use an account made for Hubbub."
                ),
                "access_token",
            )
        return {
            "homeserver": clean_homeserver(str(data.get("homeserver") or "")),
            "room_id": clean_room_id(str(data.get("room_id") or "")),
            "access_token": token,
        }
    raise ActionError(_("Choose e-mail, Slack or Matrix."), "kind")


# --- the actions ------------------------------------------------------------------------------


def create_destination(
    access: Access,
    kind: str,
    name: str,
    config: Mapping[str, Any],
    events: Iterable[str] | None = None,
) -> Destination:
    access.require("alerts.manage")
    if kind not in DestinationKind.values:
        raise ActionError(_("Choose e-mail, Slack or Matrix."), "kind")
    destination = Destination(
        workspace=access.workspace,
        kind=kind,
        name=clean_name(name),
        events=clean_events(events),
        created_by=access.user,
    )
    destination.config = clean_config(kind, config)
    if Destination.objects.filter(workspace=access.workspace).count() >= MAX_DESTINATIONS:
        raise ActionError(
            _("A workspace has %(count)s alert destinations at most: delete one you no longer use.")
            % {"count": MAX_DESTINATIONS}
        )
    with transaction.atomic():
        destination.save()
        record(
            "alert_destination.create",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=destination,
            label=destination.name,
            after=_state(destination),
        )
    return destination


def update_destination(
    access: Access,
    destination: Destination,
    *,
    name: str | None = None,
    config: Mapping[str, Any] | None = None,
    events: Iterable[str] | None = None,
    is_active: bool | None = None,
) -> Destination:
    """Change what is given (None: leave as is). Switching it back on clears the last error."""
    _own(access, destination)
    before = _state(destination)
    old_config = destination.config
    if name is not None:
        destination.name = clean_name(name)
    if events is not None:
        destination.events = clean_events(events)
    new_config = old_config
    if config is not None:
        new_config = clean_config(destination.kind, config, old_config)
    if is_active is not None and is_active != destination.is_active:
        destination.is_active = is_active
        if is_active:
            destination.last_error = ""
    changed_secret = new_config != old_config
    if changed_secret:
        destination.config = new_config
    after = _state(destination)
    if after == before and not changed_secret:
        return destination
    with transaction.atomic():
        destination.save()
        diff_before = {k: v for k, v in before.items() if after[k] != v}
        diff_after = {k: v for k, v in after.items() if before[k] != v}
        if changed_secret and "target" not in diff_after:
            diff_after["secret"] = "changed"  # that it changed, never what it is
        record(
            "alert_destination.update",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=destination,
            label=destination.name,
            before=diff_before,
            after=diff_after,
        )
    return destination


def delete_destination(access: Access, destination: Destination) -> None:
    _own(access, destination)
    with transaction.atomic():
        record(
            "alert_destination.delete",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=destination,
            label=destination.name,
            before=_state(destination),
        )
        destination.delete()


def send_test(access: Access, destination: Destination) -> sending.Outcome:
    """Send a test alert now and return the outcome: in the request, not by a worker, so the
    person sees at once whether it arrived. Not retried."""
    _own(access, destination)
    if not destination.is_active:
        raise ActionError(_("The destination is switched off: switch it on before testing it."))
    record(
        "alert_destination.test",
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        obj=destination,
        label=destination.name,
    )
    from hubbub.notify.alerts import render

    alert = sending.Alert(
        id=uuid.uuid4().hex,
        event="test",
        text=render(
            lambda: (
                _("This is a test alert from Hubbub for %(workspace)s: it arrives.")
                % {"workspace": access.workspace.name}
            ),
            access.workspace.language,
        ),
        url=settings.BASE_URL + reverse("web:workspace", args=[access.workspace.slug]),
    )
    outcome = sending.deliver(destination.pk, alert)
    destination.refresh_from_db()
    return outcome
