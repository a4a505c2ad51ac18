"""The demo's feeds and library: a few coffee-trade feeds with items in the workspace's
language and one in the other, some read, one feed with an error to show how that looks;
and a library with snippets, a hashtag set, a link, an image and a saved article.

No network at demo time: feeds are stored with their items made here (the worker leaves
them alone for a year, so made-up items are not mixed with whatever those addresses hold).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from PIL import Image, ImageDraw

from hubbub.core.access import Access
from hubbub.curation import feeds, library
from hubbub.curation.library import LibraryInput
from hubbub.curation.models import Feed, FeedItem, FeedItemRead


@dataclass(frozen=True)
class DemoFeed:
    url: str
    title: str
    topic: str
    language: str
    items: tuple[tuple[str, str, str, str], ...]  # (slug, title, text, author)
    error: str = ""


ENGLISH = (
    DemoFeed(
        "https://coffee-trade.example/feed.xml",
        "Coffee Trade Weekly",
        "Industry",
        "en",
        (
            (
                "prices",
                "Arabica prices hit a two-year high",
                "Frost in Brazil pushed futures up 12% this week; roasters expect higher "
                "shelf prices by spring.",
                "Dana Whitfield",
            ),
            (
                "oat-milk",
                "Oat milk overtakes dairy in city cafés",
                "A survey of 400 cafés finds oat milk now outsells dairy in flat whites.",
                "Sam Ortiz",
            ),
            (
                "compost",
                "Compostable pods: what the labels mean",
                "Not every 'compostable' pod breaks down in a home compost. Here is how to tell.",
                "",
            ),
        ),
    ),
    DemoFeed(
        "https://baristas.example/rss",
        "Barista Hub",
        "Craft",
        "en",
        (
            (
                "latte-art",
                "Five latte art patterns for beginners",
                "From the heart to the rosetta, step by step with milk temperatures.",
                "Lee Park",
            ),
            (
                "grinders",
                "Burr or blade? Grinders tested",
                "We tested eight grinders for consistency and noise.",
                "Lee Park",
            ),
        ),
        error="barista.example did not answer within 20 seconds.",
    ),
)
FRENCH = (
    DemoFeed(
        "https://journal-du-cafe.example/flux.xml",
        "Le Journal du Café",
        "Filière",
        "fr",
        (
            (
                "prix",
                "Le prix de l'arabica au plus haut depuis deux ans",
                "Le gel au Brésil a fait grimper les cours de 12 % cette semaine.",
                "Claire Dubois",
            ),
            (
                "torrefacteurs",
                "Les petits torréfacteurs résistent",
                "À Lyon, trois torréfacteurs artisanaux ouvrent des boutiques cette année.",
                "Marc Lefèvre",
            ),
            (
                "capsules",
                "Capsules compostables : ce que disent les étiquettes",
                "Toutes les capsules « compostables » ne se dégradent pas au jardin.",
                "",
            ),
        ),
    ),
    DemoFeed(
        "https://barista-mag.example/rss",
        "Barista Mag",
        "Savoir-faire",
        "fr",
        (
            (
                "latte-art",
                "Cinq motifs de latte art pour débuter",
                "Du cœur à la rosace, pas à pas, avec les bonnes températures de lait.",
                "Julie Martin",
            ),
        ),
        error="barista-mag.example did not answer within 20 seconds.",
    ),
)


def shop_picture() -> io.BytesIO:
    """A storefront drawn here: a demo ships no image files."""
    image = Image.new("RGB", (1200, 675), "#f5efe6")
    draw = ImageDraw.Draw(image)
    draw.rectangle((200, 200, 1000, 600), fill="#7c2d12")
    draw.rectangle((300, 300, 550, 600), fill="#d97706")
    draw.rectangle((650, 300, 900, 450), fill="#fde68a")
    out = io.BytesIO()
    image.save(out, format="PNG")
    out.seek(0)
    return out


def fill_feeds(access: Access) -> None:
    """Idempotent: a workspace that has feeds already is left as it is."""
    workspace = access.workspace
    if Feed.objects.filter(workspace=workspace).exists():
        return
    french = workspace.language == "fr"
    chosen = (*FRENCH, ENGLISH[0]) if french else (*ENGLISH, FRENCH[0])
    now = timezone.now()
    first_item: FeedItem | None = None
    for number, demo in enumerate(chosen):
        feed = Feed.objects.create(
            workspace=workspace,
            url=demo.url,
            site_url=demo.url.rsplit("/", 1)[0] + "/",
            title=demo.title,
            topic=demo.topic,
            language=demo.language,
            created_by=access.user,
            last_read_at=now - timedelta(minutes=20),
            last_found=len(demo.items),
            last_error=demo.error,
            error_count=1 if demo.error else 0,
            next_read_at=now + timedelta(days=365),
        )
        for index, (slug, title, text, author) in enumerate(demo.items):
            link = f"{demo.url.rsplit('/', 1)[0]}/{slug}"
            item = FeedItem.objects.create(
                workspace=workspace,
                feed=feed,
                key=feeds.item_key(feed.pk, link, link),
                external_id=link,
                url=link,
                title=title,
                text=f"{title}\n\n{text}",
                author=author,
                language=demo.language,
                published_at=now - timedelta(hours=3 * index + 7 * number + 1),
            )
            first_item = first_item or item
            if index == len(demo.items) - 1:  # the oldest of each feed is read already
                FeedItemRead.objects.create(item=item, user=access.user)
    _fill_library(access, french, first_item)


def _fill_library(access: Access, french: bool, article: FeedItem | None) -> None:
    def add(kind: str, title: str, text: str = "", url: str = "", tags: str = "") -> None:
        item = library.create_item(
            access,
            LibraryInput(kind=kind, title=title, text=text, url=url, tags=library.tags_of(tags)),
        )
        if kind != "link":
            library.approve(access, item)

    if french:
        add(
            "snippet",
            "Horaires",
            "Ouvert tous les jours de 8 h à 18 h, dimanche compris.",
            tags="boutique",
        )
        add(
            "snippet",
            "Merci",
            "Merci pour votre message ! Nous revenons vers vous dans la journée.",
            tags="service-client",
        )
        add("hashtags", "Café", "#café #torréfaction #barista #Lyon", tags="réseaux")
        add("link", "Carte des boissons", url="https://acme-cafe.example/fr/carte", tags="boutique")
        title, alt = "Devanture", "La devanture brune et orange de la boutique"
    else:
        add(
            "snippet",
            "Opening hours",
            "Open every day from 8am to 6pm, Sundays included.",
            tags="shop",
        )
        add(
            "snippet",
            "Thanks",
            "Thanks for reaching out! We will get back to you today.",
            tags="care",
        )
        add("hashtags", "Coffee", "#coffee #roasting #barista #specialtycoffee", tags="social")
        add("link", "Drinks menu", url="https://acme-cafe.example/menu", tags="shop")
        title, alt = "Shop front", "The shop's brown and orange front"
    picture = shop_picture()
    image = library.create_item(
        access,
        LibraryInput(kind="image", title=title, alt_text=alt, tags=("shop",)),
        image=picture,
        image_size=len(picture.getvalue()),
        image_name="shop.png",
    )
    library.approve(access, image)
    if article is not None:
        library.save_feed_item(access, article)
