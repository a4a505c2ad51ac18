"""The listening part of `hubbub demo`: query groups (the brand, its competitors, a campaign),
queries, sources, 90 days of mentions in English and French, a negative spike twelve days
ago with the crisis alert it raised, and a few sentiment corrections.

Mentions go through the real pipeline (hubbub.listening.pipeline.process) day by day, so
language, sentiment, reposts and matching are what the product computes; the spike is
checked by the real alert code at the times it happened (hubbub.listening.alerts), without
sending anything. Demo sources are paused: their channel has no account to search with, and
the feed's address is an example.

Safe to rerun: nothing is made when the workspace has queries already.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.models import Workspace
from hubbub.core.roles import Role
from hubbub.listening import actions, alerts
from hubbub.listening.actions import QueryInput
from hubbub.listening.models import (
    GroupKind,
    ListeningSource,
    Mention,
    Query,
    SourceKind,
)
from hubbub.listening.pipeline import Found, process
from hubbub.networks.models import Channel

DAYS = 90
SPIKE_DAYS_AGO = 12
SPIKE_HOURS = 3

# (text, network) by language; {h} is an hour-ish number to vary the words a little.
EN_BRAND = [
    "Best flat white in town is still @lumencoffee, fight me ☕",
    "Lumen Coffee's Ethiopian roast this week is unreal, fruity and bright",
    "Anyone know if Lumen ships beans to Canada?",
    "Lumen Coffee opened a new shop near the station, queue already out the door",
    "The Lumen espresso blend works great in my cheap machine too",
    "Lumen Coffee raised prices again, a bit steep for a latte now",
    "Waited 25 minutes for a Lumen order this morning, not great",
    "Lumen's barista course was worth every penny, learned so much",
    "Is the Lumen subscription worth it? thinking of trying it",
    "Got my Lumen beans a day late but they smell amazing",
    "#lumencoffee latte art competition on Saturday, who's going?",
    "Lumen Coffee grinder broke after a month, support replaced it quickly though",
]
FR_BRAND = [
    "Le flat white de Lumen reste le meilleur du quartier ☕",
    "Torréfaction éthiopienne de Lumen cette semaine : une merveille",
    "Quelqu'un sait si Lumen livre en Belgique ?",
    "Nouvelle boutique Lumen près de la gare, déjà la queue",
    "Le café Lumen a encore augmenté ses prix, ça commence à faire cher",
    "Commande Lumen arrivée avec deux jours de retard, un peu déçu",
    "Atelier barista chez Lumen ce week-end, génial !",
    "L'abonnement Lumen vaut-il le coup ? des avis ?",
    "#lumencoffee j'adore leur nouveau mélange pour espresso",
    "Moulin Lumen en panne après un mois, le SAV l'a remplacé vite",
]
EN_COMPETITORS = [
    ("Beanery's new cold brew is decent but too sweet", "beanery"),
    ("#beanery app down again this morning", "beanery"),
    ("Switched from Beanery to a local roaster, no regrets", "beanery"),
    ("Roastwell announces 40 new shops next year", "roastwell"),
    ("Roastwell loyalty card is honestly the best deal around", "roastwell"),
    ("Roastwell coffee tastes burnt every single time", "roastwell"),
]
FR_COMPETITORS = [
    ("Le cold brew de Beanery est correct mais trop sucré", "beanery"),
    ("Appli #beanery encore en panne ce matin", "beanery"),
    ("Roastwell annonce 40 nouvelles boutiques l'an prochain", "roastwell"),
    ("La carte fidélité Roastwell est vraiment avantageuse", "roastwell"),
]
EN_CAMPAIGN = [
    "The Lumen holiday blend is here and it tastes like gingerbread 🎄 #lumenholiday",
    "Bought the holiday blend as a gift, the tin is gorgeous #lumenholiday",
    "Lumen holiday blend sold out at my shop already?!",
]
FR_CAMPAIGN = [
    "Le mélange de fêtes Lumen est arrivé, goût pain d'épices 🎄 #lumenholiday",
    "Offert le holiday blend Lumen, la boîte est superbe #lumenholiday",
]
EN_SPIKE = [
    "The new Lumen holiday blend batch tastes burnt and smells like smoke, what happened? 😡",
    "Lumen holiday blend made my whole family sick?? never buying again",
    "Third bag of Lumen holiday blend that is burnt. Terrible quality control #lumenholiday",
    "Lumen please recall the holiday blend, it's awful and you are ignoring complaints",
    "Refund requested for the Lumen holiday blend. Disgusting, tastes like ash",
    "Is anyone else's Lumen holiday blend burnt? Mine is undrinkable 🤮",
]
FR_SPIKE = [
    "Le nouveau mélange de fêtes Lumen a un goût de brûlé, c'est inadmissible 😡",
    "Lumen holiday blend imbuvable, on veut un remboursement #lumenholiday",
    "Troisième paquet Lumen brûlé, quelle honte, le SAV ne répond pas",
    "Rappelez ce lot Lumen, c'est une arnaque, goût de cendre",
]
NEWS = [
    ("Lumen Coffee Roasters expands to three new cities", "lumen"),
    ("Independent roasters face rising bean prices; Lumen and Roastwell respond", "lumen"),
    ("Beanery reports strong quarter driven by cold brew", "beanery"),
]
AUTHORS = [
    f"{name}{n}" for name in ("sam", "lea", "tom", "ines", "kai", "zoe", "max") for n in range(12)
]


def fill_listening(workspace: Workspace, owner: User, now: datetime | None = None) -> None:
    """Called by hubbub.core.demo.create_demo for each demo workspace (after its commit)."""
    if Query.objects.filter(workspace=workspace).exists():
        return
    at = now or timezone.now()
    access = Access(user=owner, workspace=workspace, role=Role.OWNER, via="cli")
    french = workspace.language == "fr"
    with transaction.atomic():
        brand_group = actions.create_group(access, "Lumen", GroupKind.BRAND)
        rivals = actions.create_group(
            access, "Concurrents" if french else "Competitors", GroupKind.COMPETITOR
        )
        campaign_group = actions.create_group(access, "Holiday blend", GroupKind.CAMPAIGN)
        brand = actions.create_query(
            access,
            QueryInput("Lumen", "lumen OR #lumencoffee OR @lumencoffee", group=brand_group),
        )
        actions.create_query(
            access,
            QueryInput(
                "Lumen: delivery and service" if not french else "Lumen : livraison et service",
                "lumen NEAR/6 (late OR retard OR order OR commande OR support OR SAV OR wait*)",
                group=brand_group,
                alerts_enabled=False,
            ),
        )
        actions.create_query(access, QueryInput("Beanery", "beanery OR #beanery", group=rivals))
        actions.create_query(access, QueryInput("Roastwell", "roastwell", group=rivals))
        campaign = actions.create_query(
            access,
            QueryInput(
                "Holiday blend",
                '"holiday blend" OR #lumenholiday OR "mélange de fêtes"',
                group=campaign_group,
            ),
        )
        channel = (
            Channel.objects.filter(workspace=workspace, network="bluesky").order_by("pk").first()
        )
        if channel is not None:
            ListeningSource.objects.create(
                workspace=workspace,
                kind=SourceKind.SEARCH,
                name="Bluesky: lumen",
                channel=channel,
                terms="lumen",
                is_active=False,
            )
        ListeningSource.objects.create(
            workspace=workspace,
            kind=SourceKind.FEED,
            name="Coffee industry news",
            url="https://news.example/coffee/feed.xml",
            is_active=False,
        )
    Query.objects.filter(workspace=workspace).update(created_at=at - timedelta(days=DAYS + 1))
    _mentions(workspace, at, french)
    _spike_alert(workspace, [brand.pk, campaign.pk], at)
    _corrections(access)


def _mentions(workspace: Workspace, now: datetime, french: bool) -> None:
    rng = random.Random(f"listening-{workspace.slug}")  # noqa: S311  (demo data, not secrets)
    spike_start = now - timedelta(days=SPIKE_DAYS_AGO)
    spike_start = spike_start.replace(hour=15, minute=0, second=0, microsecond=0)
    main, other = (FR_BRAND, EN_BRAND) if french else (EN_BRAND, FR_BRAND)
    rivals, other_rivals = (
        (FR_COMPETITORS, EN_COMPETITORS)
        if french
        else (
            EN_COMPETITORS,
            FR_COMPETITORS,
        )
    )
    campaign, spike = (FR_CAMPAIGN, FR_SPIKE) if french else (EN_CAMPAIGN, EN_SPIKE)
    counter = 0
    for day in range(DAYS, -1, -1):
        day_start = (now - timedelta(days=day)).replace(hour=0, minute=0, second=0, microsecond=0)
        weekend = day_start.weekday() >= 5
        found: list[Found] = []
        # About 30 mentions of the brand a day (more at weekends), 15 of competitors.
        for _n in range(rng.randint(24, 34) + (8 if weekend else 0)):
            texts = main if rng.random() < 0.85 else other
            found.append(_found(rng, rng.choice(texts), day_start, counter))
            counter += 1
        for _n in range(rng.randint(10, 18)):
            text, _rival = rng.choice(rivals if rng.random() < 0.85 else other_rivals)
            found.append(_found(rng, text, day_start, counter))
            counter += 1
        if day <= 40:  # the holiday campaign started 40 days ago
            for _n in range(rng.randint(3, 8)):
                found.append(_found(rng, rng.choice(campaign), day_start, counter))
                counter += 1
        if rng.random() < 0.3:
            title, _topic = rng.choice(NEWS)
            found.append(_found(rng, title, day_start, counter, network="rss"))
            counter += 1
        if day == SPIKE_DAYS_AGO:
            # The burst: 180 mentions in three hours, most of them angry, many reposts.
            for _n in range(180):
                moment = spike_start + timedelta(seconds=rng.randint(0, SPIKE_HOURS * 3600))
                text = rng.choice(spike)
                if rng.random() < 0.3:
                    text = f"RT @{rng.choice(AUTHORS)}: {text}"
                found.append(_found(rng, text, moment, counter, exact=True))
                counter += 1
        end = min(day_start + timedelta(days=1), now)
        found = [f for f in found if f.published_at <= end]
        process(workspace, found, now=end)


def _found(
    rng: random.Random,
    text: str,
    day_start: datetime,
    counter: int,
    *,
    network: str = "",
    exact: bool = False,
) -> Found:
    moment = day_start if exact else day_start + timedelta(seconds=rng.randint(7 * 3600, 23 * 3600))
    author = rng.choice(AUTHORS)
    network = network or rng.choice(["bluesky", "bluesky", "mastodon"])
    if network == "rss":
        return Found(
            network="rss",
            external_id=f"demo-news-{counter}",
            text="",
            title=text,
            published_at=moment,
            url=f"https://news.example/coffee/{counter}",
            author_name="Coffee Trade News",
        )
    handle = f"@{author}.bsky.social" if network == "bluesky" else f"@{author}@mastodon.example"
    return Found(
        network=network,
        external_id=f"demo-{network}-{counter}",
        text=text,
        published_at=moment,
        url=f"https://{network}.example/{author}/{counter}",
        author_handle=handle,
        author_name=author.capitalize(),
        author_reach=int(rng.paretovariate(1.2) * 120),
    )


def _spike_alert(workspace: Workspace, query_ids: list[int], now: datetime) -> None:
    """The checks the worker made while the spike happened, at their times: the baseline is
    learned from the weeks before, the burst seen, then alerted once it lasted."""
    spike_start = (now - timedelta(days=SPIKE_DAYS_AGO)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    alerts.check_queries(
        workspace.pk, query_ids, spike_start - timedelta(minutes=30), deliver=False
    )
    for minutes in range(2, 40, 1):
        alerts.check_queries(
            workspace.pk, query_ids, spike_start + timedelta(minutes=minutes), deliver=False
        )


def _corrections(access: Access) -> None:
    """A few mentions whose sentiment a person corrected (the learning page shows them)."""
    candidates = Mention.objects.filter(
        workspace=access.workspace, sentiment="positive", text__icontains="sick"
    )[:1]
    steep = Mention.objects.filter(workspace=access.workspace).filter(
        text__icontains="cher"
    ) | Mention.objects.filter(workspace=access.workspace, text__icontains="steep")
    for mention in list(candidates) + list(steep.exclude(sentiment="negative")[:4]):
        actions.correct_sentiment(access, mention, "negative")
