"""Demo data for a fictional coffee roaster, in English and in French.

Built through the same actions people use, so the audit log, members and invitations look
as they would after a week of real use. Each later capability adds its part here.

The publishing calendar (past, upcoming, in review, failed, drafts) is seed data: its rows
are written directly, with no call to any network, but every post's status is the one its
deliveries imply (hubbub.publishing.status.derived_status), so the pages show what a real
week would leave behind. Times are sensible wall-clock times in each workspace's zone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.actions.members import change_role, invite_member
from hubbub.core.actions.tokens import create_token
from hubbub.core.actions.workspaces import create_workspace
from hubbub.core.audit import record
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.networks.models import Channel, Health
from hubbub.publishing.models import (
    ApprovalDecision,
    ApprovalStep,
    Attempt,
    Campaign,
    Decision,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Post,
    PostStatus,
    PostVariant,
    StepMode,
)
from hubbub.publishing.status import derived_status
from hubbub.publishing.tz import local_to_utc

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
        create_calendar(workspace, brand.language, owner)
        from hubbub.inbox.demo import fill_inbox  # after the commit: see its docstring

        fill_inbox(workspace, owner)
        from hubbub.listening.demo import fill_listening

        transaction.on_commit(partial(fill_listening, workspace, owner))
        from hubbub.measure.demo import fill_measure

        transaction.on_commit(partial(fill_measure, workspace))
        from hubbub.reporting.demo import fill_reports

        fill_reports(access)
        from hubbub.curation.demo import fill_curation

        fill_curation(access)
        record("demo.create", workspace=workspace, actor=owner, via="cli", obj=workspace)
        made.append(workspace)
    return made


# --- the publishing calendar ----------------------------------------------------------------


@dataclass(frozen=True)
class DemoPost:
    kind: str  # published, retried, failed, scheduled, in_review, draft
    day: int | None  # days from today in the workspace's zone; None: a draft with no date
    at: time
    purpose: str
    parts: list[str]
    campaign: int | None = None  # index into DemoCalendar.campaigns
    network: str = ""  # only this network; empty: every demo channel
    author: str = Role.EDITOR


@dataclass(frozen=True)
class DemoCalendar:
    campaigns: list[tuple[str, str, str]]  # name, purpose, colour
    step_name: str  # the one approval step, for the brand manager
    failure: str  # Hubbub's explanation of the failed delivery
    retry_error: str  # the transient error before a successful retry
    posts: list[DemoPost]


# What Bluesky answers when an app password was revoked (com.atproto.server.createSession).
BLUESKY_AUTH_ERROR = "AuthenticationRequired: Invalid identifier or password"

CALENDARS = {
    "en": DemoCalendar(
        campaigns=[
            (
                "Harvest Blend launch",
                "Launch the autumn Harvest Blend and fill the pre-order list.",
                "#d97706",
            ),
            (
                "Brew Better",
                "Weekly brewing tips that make Lumen the coffee people trust.",
                "#0d9488",
            ),
        ],
        step_name="Brand manager",
        failure=(
            "Bluesky refused the channel's app password (it was revoked or mistyped). "
            "Reconnect the channel, then send this post again or cancel it."
        ),
        retry_error="mastodon.social answered 503 Service Unavailable: retrying in 30 seconds.",
        posts=[
            DemoPost(
                "published",
                -6,
                time(9, 0),
                "Tease the Harvest Blend",
                [
                    "Something warm is roasting at Lumen. 🍂 Our autumn Harvest Blend arrives "
                    "next week: baked apple, pecan and dark caramel."
                ],
                campaign=0,
            ),
            DemoPost(
                "retried",
                -4,
                time(12, 30),
                "Brewing tip: water temperature",
                [
                    "Brew tip: water just off the boil (92 to 96 °C) brings out a light roast's "
                    "sweetness without the bitterness. Let the kettle rest 30 seconds."
                ],
                campaign=1,
            ),
            DemoPost(
                "published",
                -2,
                time(8, 30),
                "Open the Harvest Blend pre-orders",
                [
                    "Pre-orders for the Harvest Blend are open! The first 200 bags ship with a "
                    "hand-stamped tasting card. https://lumen.example/harvest",
                    "Every bag is roasted to order in Brooklyn and ships within 48 hours.",
                ],
                campaign=0,
                author=Role.MANAGER,
            ),
            DemoPost(
                "failed",
                -1,
                time(11, 0),
                "Share the roastery tour video",
                [
                    "Ever wondered what happens between the farm and your cup? Take a 2-minute "
                    "tour of our roastery. https://lumen.example/tour"
                ],
                network="bluesky",
            ),
            DemoPost(
                "published",
                -1,
                time(17, 30),
                "Thank the cupping-night guests",
                [
                    "Thank you to everyone who came to Friday's cupping night! Photos from the "
                    "tasting table are on our site."
                ],
            ),
            DemoPost(
                "scheduled",
                1,
                time(9, 0),
                "Launch day: Harvest Blend is here",
                [
                    "It's here. ☕ The Harvest Blend is in our cafés and online from today. "
                    "https://lumen.example/harvest"
                ],
                campaign=0,
                author=Role.MANAGER,
            ),
            DemoPost(
                "scheduled",
                2,
                time(12, 30),
                "Brewing tip: French press grind",
                [
                    "French press tip: grind coarse, like sea salt. Too fine and the plunger "
                    "fights you, and the cup turns muddy."
                ],
                campaign=1,
            ),
            DemoPost(
                "in_review",
                3,
                time(10, 0),
                "Announce the new Brooklyn café hours",
                [
                    "New hours at Lumen Brooklyn from Monday: 7 am to 7 pm every day, so the "
                    "after-work cortado is back on."
                ],
            ),
            DemoPost(
                "scheduled",
                4,
                time(17, 30),
                "Invite people to the latte-art class",
                [
                    "Saturday latte-art class: 8 seats, 2 hours, all the milk you can steam. "
                    "Sign up at https://lumen.example/classes"
                ],
            ),
            DemoPost(
                "scheduled",
                7,
                time(9, 0),
                "Brewing tip: bloom the pour-over",
                [
                    "Pour-over tip: wet the grounds with twice their weight in water and wait "
                    "30 seconds before the main pour. The bloom lets CO₂ escape."
                ],
                campaign=1,
            ),
            DemoPost(
                "scheduled",
                9,
                time(12, 0),
                "Customer photo of the week",
                [
                    "Photo of the week: a perfect rosetta by @mira at our Park Slope café. "
                    "Tag us for a chance to be featured!"
                ],
                network="mastodon",
            ),
            DemoPost(
                "scheduled",
                12,
                time(8, 30),
                "Last call for the pre-order perks",
                [
                    "Last call: Harvest Blend pre-orders with a tasting card close tonight. "
                    "https://lumen.example/harvest"
                ],
                campaign=0,
            ),
            DemoPost(
                "draft",
                10,
                time(10, 0),
                "Tease the holiday gift box",
                ["Draft: holiday gift box, three blends and a ceramic dripper. Price to confirm."],
            ),
            DemoPost(
                "draft",
                None,
                time(0, 0),
                "Meet the roaster: interview with Dana",
                ["Draft: five questions for our head roaster Dana. Waiting for her answers."],
            ),
        ],
    ),
    "fr": DemoCalendar(
        campaigns=[
            (
                "Lancement Récolte d'automne",
                "Lancer le mélange Récolte d'automne et remplir la liste de précommandes.",
                "#c2410c",
            ),
            (
                "Bien infuser",
                "Un conseil d'infusion par semaine, pour que Lumen soit le café de confiance.",
                "#0f766e",
            ),
        ],
        step_name="Responsable de marque",
        failure=(
            "Bluesky a refusé le mot de passe d'application du canal (révoqué ou mal saisi). "
            "Reconnectez le canal, puis renvoyez ce post ou annulez-le."
        ),
        retry_error="piaille.fr a répondu 503 Service Unavailable : nouvel essai dans 30 secondes.",
        posts=[
            DemoPost(
                "published",
                -6,
                time(9, 0),
                "Teaser Récolte d'automne",
                [
                    "Ça torréfie chez Lumen… 🍂 Notre mélange Récolte d'automne arrive la semaine "
                    "prochaine : pomme au four, noix de pécan et caramel."
                ],
                campaign=0,
            ),
            DemoPost(
                "retried",
                -4,
                time(12, 30),
                "Conseil : la température de l'eau",
                [
                    "Conseil : une eau à 92 to 96 °C révèle la douceur d'une torréfaction claire "
                    "sans amertume. Laissez reposer la bouilloire 30 secondes."
                ],
                campaign=1,
            ),
            DemoPost(
                "published",
                -2,
                time(8, 30),
                "Ouvrir les précommandes",
                [
                    "Les précommandes de Récolte d'automne sont ouvertes ! Les 200 premiers "
                    "sachets ont une carte de dégustation. https://lumen.example/recolte",
                    "Chaque sachet est torréfié à la commande à Lyon et expédié sous 48 h.",
                ],
                campaign=0,
                author=Role.MANAGER,
            ),
            DemoPost(
                "failed",
                -1,
                time(11, 0),
                "Partager la vidéo de la brûlerie",
                [
                    "Que se passe-t-il entre la ferme et votre tasse ? Visitez notre brûlerie en "
                    "2 minutes. https://lumen.example/visite"
                ],
                network="bluesky",
            ),
            DemoPost(
                "published",
                -1,
                time(18, 0),
                "Remercier les invités de la dégustation",
                [
                    "Merci à toutes et tous pour la soirée dégustation de vendredi ! Les photos "
                    "sont en ligne sur notre site."
                ],
            ),
            DemoPost(
                "scheduled",
                1,
                time(9, 0),
                "Jour de lancement",
                [
                    "C'est le jour J ☕ Récolte d'automne est dans nos cafés et en ligne dès "
                    "aujourd'hui. https://lumen.example/recolte"
                ],
                campaign=0,
                author=Role.MANAGER,
            ),
            DemoPost(
                "scheduled",
                2,
                time(12, 30),
                "Conseil : mouture pour cafetière à piston",
                [
                    "Cafetière à piston : mouture grossière, comme du gros sel. Trop fine, le "
                    "piston résiste et la tasse est trouble."
                ],
                campaign=1,
            ),
            DemoPost(
                "in_review",
                3,
                time(10, 0),
                "Annoncer les nouveaux horaires du café",
                [
                    "Nouveaux horaires à Lumen Croix-Rousse dès lundi : de 7 h à 19 h tous les "
                    "jours. Le cortado d'après le travail est de retour."
                ],
            ),
            DemoPost(
                "scheduled",
                5,
                time(17, 30),
                "Inviter à l'atelier latte art",
                [
                    "Atelier latte art samedi : 8 places, 2 heures, tout le lait que vous "
                    "voudrez. Inscriptions : https://lumen.example/ateliers"
                ],
            ),
            DemoPost(
                "scheduled",
                8,
                time(9, 0),
                "Conseil : le bloom du café filtre",
                [
                    "Café filtre : mouillez la mouture avec deux fois son poids d'eau et "
                    "attendez 30 secondes. Le CO₂ s'échappe, l'extraction est plus régulière."
                ],
                campaign=1,
            ),
            DemoPost(
                "scheduled",
                11,
                time(12, 0),
                "Photo de la semaine",
                [
                    "Photo de la semaine : une rosace parfaite signée Inès à la Croix-Rousse. "
                    "Identifiez-nous pour être à l'honneur !"
                ],
                network="mastodon",
            ),
            DemoPost(
                "draft",
                10,
                time(10, 0),
                "Teaser du coffret de fin d'année",
                ["Brouillon : coffret de trois mélanges et un dripper. Prix à confirmer."],
            ),
            DemoPost(
                "draft",
                None,
                time(0, 0),
                "Portrait de notre torréfactrice",
                ["Brouillon : cinq questions à Camille, notre torréfactrice. En attente."],
            ),
        ],
    ),
}


def _rkey(seed: str) -> str:
    """A Bluesky record key (a TID: 13 characters of base32-sortable) made from `seed`."""
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    number = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return "3l" + "".join(alphabet[(number >> (5 * i)) & 31] for i in range(11))


def _published_ref(channel: Channel, when: datetime, seed: str) -> dict[str, object]:
    """What the network would have answered: its id for the post and the post's public URL."""
    if channel.network == "bluesky":
        rkey = _rkey(seed)
        return {
            "external_id": f"at://{channel.handle}/app.bsky.feed.post/{rkey}",
            "url": f"https://bsky.app/profile/{channel.handle}/post/{rkey}",
            "data": {},
        }
    user, _at, host = channel.handle.lstrip("@").partition("@")
    # Mastodon ids are snowflakes: milliseconds since 1970 shifted left 16 bits, plus noise.
    status_id = str((int(when.timestamp() * 1000) << 16) + int(_rkey(seed)[2:6], 36) % 65536)
    return {"external_id": status_id, "url": f"https://{host}/@{user}/{status_id}", "data": {}}


def _member(workspace: Workspace, role: str, fallback: User) -> User:
    membership = (
        Membership.objects.filter(workspace=workspace, role=role).select_related("user").first()
    )
    return membership.user if membership else fallback


def _deliver(
    post: Post, variant: PostVariant, spec: DemoPost, calendar: DemoCalendar, seed: str
) -> Delivery:
    """The delivery of a variant as the dispatcher would have left it, with its attempts."""
    due = post.scheduled_at
    assert due is not None
    delivery = Delivery(
        workspace=post.workspace,
        post=post,
        variant=variant,
        channel=variant.channel,
        due_at=due,
        next_attempt_at=due,
        status=DeliveryStatus.SCHEDULED,
    )
    attempts: list[DeliveryAttempt] = []
    started = due + timedelta(seconds=2)
    if spec.kind == "retried":
        attempts.append(
            DeliveryAttempt(
                part_index=0,
                worker="demo",
                started_at=started,
                finished_at=started + timedelta(seconds=1),
                outcome=Attempt.TRANSIENT,
                error=calendar.retry_error,
                network_message="Service Unavailable",
            )
        )
        started += timedelta(seconds=33)
    if spec.kind == "failed":
        delivery.status = DeliveryStatus.NEEDS_ATTENTION
        delivery.last_error = calendar.failure
        delivery.network_message = BLUESKY_AUTH_ERROR
        attempts.append(
            DeliveryAttempt(
                part_index=0,
                worker="demo",
                started_at=started,
                finished_at=started + timedelta(seconds=1),
                outcome=Attempt.PERMANENT,
                error=calendar.failure,
                network_message=BLUESKY_AUTH_ERROR,
            )
        )
    elif spec.kind in ("published", "retried"):
        refs = []
        for index, _text in enumerate(variant.parts):
            when = started + timedelta(seconds=index)
            ref = _published_ref(variant.channel, when, f"{seed}:{variant.channel.pk}:{index}")
            refs.append(ref)
            attempts.append(
                DeliveryAttempt(
                    part_index=index,
                    worker="demo",
                    started_at=when,
                    finished_at=when + timedelta(milliseconds=600),
                    outcome=Attempt.PUBLISHED,
                    response_id=str(ref["external_id"]),
                )
            )
        delivery.status = DeliveryStatus.PUBLISHED
        delivery.published_refs = refs
        delivery.published_url = str(refs[0]["url"])
        delivery.published_at = attempts[-1].finished_at
    delivery.attempt_count = len(attempts)
    delivery.updated_at = (attempts[-1].finished_at if attempts else None) or post.created_at
    delivery.save()
    for attempt in attempts:
        attempt.delivery = delivery
    DeliveryAttempt.objects.bulk_create(attempts)
    return delivery


def create_calendar(workspace: Workspace, language: str, owner: User) -> None:
    """A fortnight of publishing around today. Skipped when the workspace has posts already:
    a rerun (or someone trying the demo) never gets a second copy."""
    if Post.objects.posts().filter(workspace=workspace).exists():
        return
    calendar = CALENDARS[language]
    tz = workspace.tz
    now = timezone.now()
    today: date = now.astimezone(tz).date()
    campaigns = [
        Campaign.objects.get_or_create(
            workspace=workspace,
            name=name,
            defaults={
                "purpose": purpose,
                "colour": colour,
                "starts_on": today - timedelta(days=7),
                "ends_on": today + timedelta(days=21),
            },
        )[0]
        for name, purpose, colour in calendar.campaigns
    ]
    step = ApprovalStep.objects.filter(workspace=workspace, order=1).first()
    if step is None:
        step = ApprovalStep.objects.create(
            workspace=workspace,
            order=1,
            name=calendar.step_name,
            mode=StepMode.ANY,
            roles=[Role.MANAGER],
        )
    manager = _member(workspace, Role.MANAGER, owner)
    channels = list(Channel.objects.filter(workspace=workspace, config__demo=True))
    for number, spec in enumerate(calendar.posts):
        when = None
        if spec.day is not None:
            local = datetime.combine(today + timedelta(days=spec.day), spec.at)
            when = local_to_utc(local, tz, fold=0)
        author = _member(workspace, spec.author, owner)
        created = min(now, when or now) - timedelta(days=2, hours=3)
        post = Post.objects.create(
            workspace=workspace,
            author=author,
            campaign=campaigns[spec.campaign] if spec.campaign is not None else None,
            purpose=spec.purpose,
            status=PostStatus.DRAFT,
            scheduled_at=when,
            created_at=created,
        )
        targets = [c for c in channels if not spec.network or c.network == spec.network]
        variants = [
            PostVariant.objects.create(
                post=post, channel=channel, parts=list(spec.parts), language=language
            )
            for channel in targets
        ]
        if spec.kind == "draft":
            continue
        post.approval_round = 1
        post.submitted_at = created + timedelta(hours=1)
        if spec.kind == "in_review":
            post.status = PostStatus.IN_REVIEW
            post.save(update_fields=["status", "approval_round", "submitted_at"])
            continue
        # Everything past review was approved by the brand manager before it was scheduled.
        ApprovalDecision.objects.create(
            post=post,
            round=1,
            step=step,
            user=manager,
            decision=Decision.APPROVE,
            created_at=created + timedelta(hours=4),
        )
        deliveries = [
            _deliver(post, variant, spec, calendar, f"{workspace.slug}:{number}")
            for variant in variants
        ]
        post.status = derived_status({d.status for d in deliveries}) or PostStatus.SCHEDULED
        post.save(update_fields=["status", "approval_round", "submitted_at"])
        record(
            "post.schedule",
            workspace=workspace,
            actor=author,
            via="cli",
            obj=post,
            after={"scheduled_at": when.isoformat() if when else None},
        )
