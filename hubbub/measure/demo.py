"""The metrics part of `hubbub demo`: twelve months of history, so every chart of the Results
page has something real-looking to show.

- About one published post a day on each demo channel (some days none, some days two), from
  a year ago up to four days ago, as the dispatcher would have left them (Post, PostVariant,
  Delivery and its attempt; published_refs from hubbub.core.demo._published_ref), mostly at
  9:00, 12:00 and 18:00 in the workspace's zone. A month of them, in spring, belongs to the
  "Spring launch" campaign.
- A few readings per post (PostSnapshot, 1 h, 24 h, 72 h, 7 days, 30 days and 90 days after
  it went out, those already past), growing and then levelling off. Bluesky and Mastodon
  give likes, shares and comments only: the other counts stay NULL, as real collection
  leaves them. Posts at 18:00 on Tuesdays and Thursdays do best, so "best time to post" has
  something to find. One channel's network "stopped answering" for five days about 200 days
  ago: no readings then, and none for the posts of those days.
- A daily ChannelSnapshot per channel: followers growing from a few hundred to a few
  thousand, following about flat, posts counted so far.
- PostTracking for the posts younger than ninety days, as collection would have left them.
  Collection never asks a network about a demo channel (hubbub.measure.collection).

The published posts of the demo calendar (hubbub.core.demo.create_calendar) get readings too.
Rows are written with bulk_create and a generator seeded with the workspace's slug, so the
history is the same on every run. Safe to rerun: nothing is made when the workspace has any
PostSnapshot already.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from hubbub.core.demo import _published_ref
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.measure import latest
from hubbub.measure.collection import next_reading
from hubbub.measure.models import ChannelSnapshot, PostSnapshot, PostTracking
from hubbub.networks.models import Channel
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
)
from hubbub.publishing.tz import local_to_utc

DAYS = 365  # of history
NEWEST = 4  # days ago: the calendar's own published posts come after
TRACKED_FOR = timedelta(days=90)  # hubbub.measure.collection.DAILY_UNTIL
# When each post is read after it went out, and the share of its final counts it has by then.
READINGS = [
    (timedelta(hours=1), 0.3),
    (timedelta(hours=24), 0.78),
    (timedelta(hours=72), 0.9),
    (timedelta(days=7), 0.96),
    (timedelta(days=30), 0.99),
    (timedelta(days=90), 1.0),
]
# Local hours people post at, and how often.
HOURS = [(9, 5), (12, 5), (18, 5), (8, 1), (10, 1), (11, 1), (14, 1), (15, 1), (16, 1), (17, 1)]
GAP_DAYS_AGO = 200  # the first channel's network stopped answering for GAP_LENGTH days
GAP_LENGTH = 5
CHANNEL_READ_AT = time(4, 0)  # local time of the daily account reading

# Per network: followers a year ago and today, following, and per post likes per follower,
# shares and comments per like.
AUDIENCE = {
    "bluesky": (420, 3600, 180, 0.02, 0.25, 0.12),
    "mastodon": (260, 1900, 140, 0.016, 0.4, 0.1),
}
DEFAULT_AUDIENCE = (300, 2500, 150, 0.018, 0.3, 0.1)

CAMPAIGNS = {
    "en": (
        "Spring launch",
        "Launch the spring single-origin line and grow the newsletter list.",
        "#16a34a",
    ),
    "fr": (
        "Lancement de printemps",
        "Lancer la gamme printanière d'origines uniques et faire grandir la newsletter.",
        "#15803d",
    ),
}

# (purpose, text) by language, cycled through the year.
POSTS = {
    "en": [
        (
            "Roast of the week",
            "Roast of the week: a washed Guji from Ethiopia. Jasmine, bergamot and a finish "
            "like peach tea. ☕",
        ),
        (
            "Brewing tip: grind size",
            "Brew tip: if your cup tastes sour, grind a little finer. Bitter? A little "
            "coarser. Change one thing at a time.",
        ),
        (
            "Behind the scenes at the roastery",
            "Monday morning at the roastery: 60 kg of Colombian beans, one very focused "
            "roaster and the best smell in Brooklyn.",
        ),
        (
            "Café opening hours",
            "Our Park Slope café opens at 7 tomorrow. The first 20 cortados are on us.",
        ),
        (
            "Meet the team",
            "Meet Rosa, our head barista. Her tip for a silkier flat white: stop steaming "
            "when the jug is too hot to hold.",
        ),
        (
            "Customer photo",
            "Your photos make our week. This pour-over setup by a customer in Queens is "
            "pure calm. Tag us to be featured!",
        ),
        (
            "Sourcing story",
            "We pay our partner farms above Fair Trade prices and visit every year. This "
            "season's Huila lots are the best yet.",
        ),
        (
            "Weekend brunch",
            "Weekend plans: cold brew, cinnamon buns and the sunny corner table. See you at Lumen.",
        ),
        (
            "Brewing tip: storage",
            "Keep beans in an airtight tin, away from light, and never in the fridge. Buy "
            "what you will drink in two weeks.",
        ),
        (
            "Subscription reminder",
            "Lumen subscribers get fresh beans every two weeks and 10% off in our cafés. "
            "https://lumen.example/subscribe",
        ),
        (
            "Latte-art class",
            "Latte-art class on Saturday: 8 seats, 2 hours, all the milk you can steam. "
            "https://lumen.example/classes",
        ),
        (
            "Question for the community",
            "Quick question: pour-over, French press or espresso at home? Tell us how you "
            "brew your first cup.",
        ),
    ],
    "fr": [
        (
            "Torréfaction de la semaine",
            "Torréfaction de la semaine : un Guji lavé d'Éthiopie. Jasmin, bergamote et une "
            "finale de thé à la pêche. ☕",
        ),
        (
            "Conseil : la mouture",
            "Conseil : un café acide ? Moulez un peu plus fin. Amer ? Un peu plus gros. "
            "Changez une seule chose à la fois.",
        ),
        (
            "Coulisses de la brûlerie",
            "Lundi matin à la brûlerie : 60 kg de grains colombiens, une torréfactrice "
            "concentrée et la meilleure odeur de Lyon.",
        ),
        (
            "Horaires du café",
            "Notre café de la Croix-Rousse ouvre à 7 h demain. Les 20 premiers cortados sont "
            "offerts.",
        ),
        (
            "Portrait de l'équipe",
            "Voici Rosa, notre cheffe barista. Son astuce pour un flat white soyeux : arrêter "
            "la vapeur quand le pot devient trop chaud à tenir.",
        ),
        (
            "Photo d'un client",
            "Vos photos font notre semaine. Ce café filtre signé par un client de "
            "Villeurbanne, c'est le calme absolu. Identifiez-nous !",
        ),
        (
            "Histoire d'approvisionnement",
            "Nous payons nos fermes partenaires au-dessus du prix équitable et les visitons "
            "chaque année. Les lots de Huila sont superbes.",
        ),
        (
            "Brunch du week-end",
            "Ce week-end : cold brew, brioches à la cannelle et la table au soleil. À "
            "bientôt chez Lumen.",
        ),
        (
            "Conseil : la conservation",
            "Gardez vos grains dans une boîte hermétique, à l'abri de la lumière, jamais au "
            "frigo. Achetez ce que vous boirez en deux semaines.",
        ),
        (
            "Rappel abonnement",
            "Les abonnés Lumen reçoivent des grains frais toutes les deux semaines et 10 % de "
            "remise dans nos cafés. https://lumen.example/abonnement",
        ),
        (
            "Atelier latte art",
            "Atelier latte art samedi : 8 places, 2 heures, tout le lait que vous voudrez. "
            "https://lumen.example/ateliers",
        ),
        (
            "Question à la communauté",
            "Petite question : filtre, piston ou espresso à la maison ? Dites-nous comment "
            "vous préparez votre premier café.",
        ),
    ],
}
CAMPAIGN_POSTS = {
    "en": [
        (
            "Spring launch: teaser",
            "Something bright is coming to Lumen. 🌱 Our spring single origins land next "
            "week: floral, juicy, light.",
        ),
        (
            "Spring launch: the line-up",
            "Spring line-up: a Kenyan AA with blackcurrant, a Rwandan with red apple and a "
            "Costa Rican honey. https://lumen.example/spring",
        ),
        (
            "Spring launch: tasting flight",
            "Try all three spring coffees as a tasting flight in our cafés this month. "
            "Which one is yours? 🌸",
        ),
        (
            "Spring launch: newsletter",
            "Spring brewing guide out now, free with our newsletter: recipes for each new "
            "coffee. https://lumen.example/newsletter",
        ),
    ],
    "fr": [
        (
            "Lancement de printemps : teaser",
            "Du nouveau chez Lumen. 🌱 Nos origines de printemps arrivent la semaine "
            "prochaine : florales, juteuses, légères.",
        ),
        (
            "Lancement de printemps : la gamme",
            "La gamme de printemps : un Kenya AA au cassis, un Rwanda à la pomme rouge et un "
            "Costa Rica honey. https://lumen.example/printemps",
        ),
        (
            "Lancement de printemps : dégustation",
            "Goûtez les trois cafés de printemps en dégustation dans nos cafés ce mois-ci. "
            "Lequel est le vôtre ? 🌸",
        ),
        (
            "Lancement de printemps : newsletter",
            "Notre guide d'infusion de printemps est sorti, offert avec la newsletter. "
            "https://lumen.example/newsletter",
        ),
    ],
}


@dataclass
class Audience:
    """One channel's year: followers and following at each day's reading (index 0 = DAYS
    days ago), and how its posts engage."""

    followers: list[int]
    following: list[int]
    like_rate: float
    share_ratio: float
    comment_ratio: float


def fill_measure(workspace: Workspace, now: datetime | None = None) -> None:
    """Called by hubbub.core.demo.create_demo for each demo workspace (after its commit)."""
    if PostSnapshot.objects.filter(workspace=workspace).exists():
        return
    channels = list(Channel.objects.filter(workspace=workspace, config__demo=True).order_by("pk"))
    if not channels:
        return
    at = now or timezone.now()
    rng = random.Random(workspace.slug)  # noqa: S311  (demo data, not secrets)
    today = at.astimezone(workspace.tz).date()
    audiences = {channel.pk: _audience(channel, rng) for channel in channels}
    gap = {today - timedelta(days=GAP_DAYS_AGO - n) for n in range(GAP_LENGTH)}
    with transaction.atomic():
        _history(workspace, channels, today, rng)
        deliveries = list(
            Delivery.objects.filter(
                workspace=workspace,
                channel__in=channels,
                status=DeliveryStatus.PUBLISHED,
                published_at__isnull=False,
                published_at__lte=at,
            )
            .select_related("post")
            .order_by("published_at", "pk")
        )
        _post_snapshots(workspace, channels[0], deliveries, audiences, gap, today, at, rng)
        _channel_snapshots(workspace, channels, deliveries, audiences, gap, today, at)


def _audience(channel: Channel, rng: random.Random) -> Audience:
    start, end, following, like_rate, share_ratio, comment_ratio = AUDIENCE.get(
        channel.network, DEFAULT_AUDIENCE
    )
    start = round(start * rng.uniform(0.9, 1.1))
    end = round(end * rng.uniform(0.9, 1.1))
    followers = []
    follows = []
    for day in range(DAYS + 1):
        share = day / DAYS
        # Growth that speeds up a little over the year, with daily noise.
        trend = start * (end / start) ** (share**0.9)
        followers.append(max(1, round(trend * rng.gauss(1.0, 0.006))))
        # About flat: a few more accounts followed over the year, give or take.
        follows.append(following + round(15 * share) + rng.randint(-2, 2))
    return Audience(followers, follows, like_rate, share_ratio, comment_ratio)


def _spring(today: date) -> tuple[date, date]:
    """The campaign's month: the last April wholly within the history."""
    year = today.year
    first = date(year, 4, 1)
    if first + timedelta(days=29) > today - timedelta(days=NEWEST):
        year -= 1
        first = date(year, 4, 1)
    return first, date(year, 4, 30)


def _member(workspace: Workspace, roles: tuple[str, ...]) -> int | None:
    for role in roles:
        found = (
            Membership.objects.filter(workspace=workspace, role=role)
            .order_by("pk")
            .values_list("user_id", flat=True)
            .first()
        )
        if found is not None:
            return found
    return None


def _history(
    workspace: Workspace, channels: list[Channel], today: date, rng: random.Random
) -> None:
    """A year of published posts on each channel, one Post (with one variant) per delivery."""
    language = workspace.language if workspace.language in POSTS else "en"
    texts = POSTS[language]
    campaign_texts = CAMPAIGN_POSTS[language]
    spring_first, spring_last = _spring(today)
    name, purpose, colour = CAMPAIGNS[language]
    campaign = Campaign.objects.get_or_create(
        workspace=workspace,
        name=name,
        defaults={
            "purpose": purpose,
            "colour": colour,
            "starts_on": spring_first,
            "ends_on": spring_last,
        },
    )[0]
    author = _member(workspace, (Role.EDITOR, Role.MANAGER, Role.OWNER))
    manager = _member(workspace, (Role.MANAGER, Role.OWNER))
    step = ApprovalStep.objects.filter(workspace=workspace, order=1).first()
    hours = [hour for hour, weight in HOURS for _n in range(weight)]
    tz = workspace.tz

    planned: list[tuple[Channel, datetime, tuple[str, str], bool]] = []
    counter = 0
    spring_counter = 0
    for channel in channels:
        for ago in range(DAYS, NEWEST - 1, -1):
            day = today - timedelta(days=ago)
            count = rng.choices((0, 1, 2), weights=(2, 6, 2))[0]
            chosen: set[int] = set()
            while len(chosen) < count:
                chosen.add(rng.choice(hours))
            for hour in sorted(chosen):
                minute = rng.choice((0, 0, 0, 15, 30, 45))
                when = local_to_utc(datetime.combine(day, time(hour, minute)), tz, fold=0)
                in_spring = spring_first <= day <= spring_last and rng.random() < 0.7
                if in_spring:
                    text = campaign_texts[spring_counter % len(campaign_texts)]
                    spring_counter += 1
                else:
                    text = texts[counter % len(texts)]
                    counter += 1
                planned.append((channel, when, text, in_spring))

    posts = Post.objects.bulk_create(
        [
            Post(
                workspace=workspace,
                author_id=author,
                campaign=campaign if in_spring else None,
                purpose=text[0],
                status=PostStatus.PUBLISHED,
                scheduled_at=when,
                approval_round=1,
                submitted_at=when - timedelta(days=2, hours=2),
                created_at=when - timedelta(days=2, hours=3),
            )
            for _channel, when, text, in_spring in planned
        ]
    )
    if step is not None:
        ApprovalDecision.objects.bulk_create(
            [
                ApprovalDecision(
                    post=post,
                    round=1,
                    step=step,
                    user_id=manager,
                    decision=Decision.APPROVE,
                    created_at=when - timedelta(days=1, hours=23),
                )
                for post, (_channel, when, _text, _spring) in zip(posts, planned, strict=True)
            ]
        )
    variants = PostVariant.objects.bulk_create(
        [
            PostVariant(post=post, channel=channel, parts=[text[1]], language=language)
            for post, (channel, _when, text, _spring) in zip(posts, planned, strict=True)
        ]
    )
    deliveries = []
    attempts = []
    for number, (post, variant) in enumerate(zip(posts, variants, strict=True)):
        due = post.scheduled_at
        assert due is not None
        started = due + timedelta(seconds=2)
        finished = started + timedelta(milliseconds=600)
        ref = _published_ref(
            variant.channel, started, f"{workspace.slug}:history:{number}:{variant.channel.pk}:0"
        )
        deliveries.append(
            Delivery(
                workspace=workspace,
                post=post,
                variant=variant,
                channel=variant.channel,
                due_at=due,
                next_attempt_at=due,
                status=DeliveryStatus.PUBLISHED,
                attempt_count=1,
                published_refs=[ref],
                published_url=str(ref["url"]),
                published_at=finished,
                updated_at=finished,
            )
        )
        attempts.append(
            DeliveryAttempt(
                part_index=0,
                worker="demo",
                started_at=started,
                finished_at=finished,
                outcome=Attempt.PUBLISHED,
                response_id=str(ref["external_id"]),
            )
        )
    Delivery.objects.bulk_create(deliveries)
    for delivery, attempt in zip(deliveries, attempts, strict=True):
        attempt.delivery = delivery
    DeliveryAttempt.objects.bulk_create(attempts)


def _appeal(local: datetime, in_campaign: bool, rng: random.Random) -> float:
    """How much better than usual a post does: its weekday and hour, its campaign, luck."""
    weekday, hour = local.weekday(), local.hour
    if hour == 18 and weekday in (1, 3):  # Tuesday and Thursday evenings
        effect = 2.6
    elif hour == 18:
        effect = 1.4
    elif hour == 12:
        effect = 1.15
    elif hour == 9:
        effect = 1.0
    else:
        effect = 0.75
    if weekday >= 5:
        effect *= 0.8
    if in_campaign:
        effect *= 1.3
    return effect * rng.lognormvariate(0.0, 0.35)


def _day_index(when: datetime, today: date, workspace: Workspace) -> int:
    """Index into Audience.followers for the reading of `when`'s local day."""
    ago = (today - when.astimezone(workspace.tz).date()).days
    return min(DAYS, max(0, DAYS - ago))


def _post_snapshots(
    workspace: Workspace,
    silent: Channel,
    deliveries: list[Delivery],
    audiences: dict[int, Audience],
    gap: set[date],
    today: date,
    at: datetime,
    rng: random.Random,
) -> None:
    """A few readings per post, and the tracking of those younger than ninety days."""
    tz = workspace.tz
    snapshots: list[PostSnapshot] = []
    trackings: list[PostTracking] = []
    for delivery in deliveries:
        published = delivery.published_at
        assert published is not None
        audience = audiences[delivery.channel_id]
        followers = audience.followers[_day_index(published, today, workspace)]
        final_likes = (
            followers
            * audience.like_rate
            * _appeal(published.astimezone(tz), delivery.post.campaign_id is not None, rng)
        )
        final_shares = final_likes * audience.share_ratio * rng.uniform(0.6, 1.4)
        final_comments = final_likes * audience.comment_ratio * rng.uniform(0.5, 1.5)
        silenced = delivery.channel_id == silent.pk and published.astimezone(tz).date() in gap
        last_at: datetime | None = None
        likes = shares = comments = 0
        for after, share in READINGS:
            taken = published + after + timedelta(minutes=rng.randint(0, 4))
            if taken > at:
                break
            last_at = taken
            if silenced or (
                delivery.channel_id == silent.pk and taken.astimezone(tz).date() in gap
            ):
                continue
            grown = min(1.0, share * rng.uniform(0.95, 1.05))
            likes = max(likes, math.floor(final_likes * grown))
            shares = max(shares, math.floor(final_shares * grown))
            comments = max(comments, math.floor(final_comments * grown))
            snapshots.append(
                PostSnapshot(
                    workspace=workspace,
                    channel_id=delivery.channel_id,
                    delivery=delivery,
                    taken_at=taken,
                    likes=likes,
                    shares=shares,
                    comments=comments,
                )
            )
        if at - published < TRACKED_FOR:
            trackings.append(
                PostTracking(
                    delivery=delivery,
                    workspace=workspace,
                    channel_id=delivery.channel_id,
                    published_at=published,
                    last_at=last_at,
                    next_at=next_reading(published, last_at) if last_at else published,
                    created_at=published,
                )
            )
    PostSnapshot.objects.bulk_create(snapshots, batch_size=2000)
    # bulk_create sends no post_save: the reports' copy of each post's latest reading is
    # made here, as collection does.
    latest.refresh({snapshot.delivery_id for snapshot in snapshots})
    PostTracking.objects.bulk_create(trackings, ignore_conflicts=True)


def _channel_snapshots(
    workspace: Workspace,
    channels: list[Channel],
    deliveries: list[Delivery],
    audiences: dict[int, Audience],
    gap: set[date],
    today: date,
    at: datetime,
) -> None:
    """One account reading a day per channel (none on the silent channel during its gap)."""
    tz = workspace.tz
    published: dict[int, list[datetime]] = defaultdict(list)
    for delivery in deliveries:
        if delivery.published_at is not None:
            published[delivery.channel_id].append(delivery.published_at)
    rows = []
    for position, channel in enumerate(channels):
        audience = audiences[channel.pk]
        times = published[channel.pk]  # in order
        seen = 0
        for index in range(DAYS + 1):
            day = today - timedelta(days=DAYS - index)
            if position == 0 and day in gap:
                continue
            local = datetime.combine(day, CHANNEL_READ_AT) + timedelta(minutes=7 * position)
            taken = local_to_utc(local, tz, fold=0)
            if taken > at:
                break
            while seen < len(times) and times[seen] <= taken:
                seen += 1
            rows.append(
                ChannelSnapshot(
                    workspace=workspace,
                    channel=channel,
                    taken_at=taken,
                    followers=audience.followers[index],
                    following=audience.following[index],
                    posts=seen,
                )
            )
    ChannelSnapshot.objects.bulk_create(rows, batch_size=2000)
