"""Demo data for a fictional coffee roaster, in English and in French.

Built through the same actions people use, so the audit log, members and invitations look
as they would after a week of real use. Each later capability adds its part here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.actions.members import change_role, invite_member
from hubbub.core.actions.tokens import create_token
from hubbub.core.actions.workspaces import create_workspace
from hubbub.core.audit import record
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.networks.models import Channel, Health

DEMO_PASSWORD = "hubbub-demo-2026"


@dataclass(frozen=True)
class DemoBrand:
    name: str
    time_zone: str
    language: str
    team: list[tuple[str, str, str]]  # e-mail, name, role
    channels: list[tuple[str, str, str]] = field(default_factory=list)  # network, handle, name
    invite: str = ""


BRANDS = [
    DemoBrand(
        name="Lumen Coffee Roasters (demo)",
        time_zone="America/New_York",
        language="en",
        team=[
            ("maya.manager@lumen.example", "Maya Chen", Role.MANAGER),
            ("eli.editor@lumen.example", "Eli Brooks", Role.EDITOR),
            ("sam.moderator@lumen.example", "Sam Ortiz", Role.MODERATOR),
            ("ana.analyst@lumen.example", "Ana Kowalski", Role.ANALYST),
            ("client@lumen.example", "Jordan Client", Role.CLIENT_VIEWER),
        ],
        channels=[
            ("bluesky", "lumencoffee.bsky.social", "Lumen Coffee"),
            ("mastodon", "@lumen@mastodon.social", "Lumen Coffee Roasters"),
        ],
        invite="new.hire@lumen.example",
    ),
    DemoBrand(
        name="Lumen Torréfacteurs (démo)",
        time_zone="Europe/Paris",
        language="fr",
        team=[
            ("chloe.responsable@lumen.example", "Chloé Martin", Role.MANAGER),
            ("hugo.redacteur@lumen.example", "Hugo Bernard", Role.EDITOR),
            ("lea.moderatrice@lumen.example", "Léa Dubois", Role.MODERATOR),
        ],
        channels=[
            ("bluesky", "lumen-fr.bsky.social", "Lumen Torréfacteurs"),
            ("mastodon", "@lumen@piaille.fr", "Lumen Torréfacteurs"),
        ],
        invite="stagiaire@lumen.example",
    ),
]


def _person(email: str, name: str, language: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, language=language)
    return user


@transaction.atomic
def create_demo(owner: User) -> list[Workspace]:
    """Create (or complete) the demo workspaces with `owner` as their owner. Idempotent."""
    made = []
    for brand in BRANDS:
        workspace = Workspace.objects.filter(name=brand.name).first()
        if workspace is None:
            workspace = create_workspace(
                owner, brand.name, brand.time_zone, brand.language, via="cli"
            )
        Membership.objects.get_or_create(
            workspace=workspace, user=owner, defaults={"role": Role.OWNER}
        )
        access = Access(user=owner, workspace=workspace, role=Role.OWNER, via="cli")
        for email, name, role in brand.team:
            person = _person(email, name, brand.language)
            membership, created = Membership.objects.get_or_create(
                workspace=workspace, user=person, defaults={"role": Role.CLIENT_VIEWER}
            )
            if created:
                record(
                    "member.join",
                    workspace=workspace,
                    actor=person,
                    via="cli",
                    obj=membership,
                    label=email,
                    after={"role": Role.CLIENT_VIEWER},
                )
                change_role(access, membership, role)
        if brand.invite and not workspace.invitations.filter(email=brand.invite).exists():
            invite_member(access, brand.invite, Role.EDITOR)
        for network, handle, name in brand.channels:
            channel, created = Channel.objects.get_or_create(
                workspace=workspace,
                network=network,
                external_id=f"demo:{handle}",
                defaults={
                    "handle": handle,
                    "name": name,
                    "health": Health.OK,
                    "connected_by": owner,
                    # A demo channel has no credentials: health checks leave it alone.
                    "config": {"demo": True},
                },
            )
            if created:
                record(
                    "channel.connect",
                    workspace=workspace,
                    actor=owner,
                    via="cli",
                    obj=channel,
                    after={"network": network, "handle": handle, "demo": True},
                )
        if not workspace.api_tokens.exists():
            create_token(access, "Reporting script (demo)", Role.ANALYST)
        record("demo.create", workspace=workspace, actor=owner, via="cli", obj=workspace)
        made.append(workspace)
    return made
