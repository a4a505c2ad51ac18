"""The demo's personas: in each demo workspace, one English-speaking and one French-speaking
voice of the coffee roaster, the workspace's own language first, attached to its channels
(Bluesky speaks the workspace's language, Mastodon the other)."""

from __future__ import annotations

from dataclasses import dataclass

from hubbub.core.access import Access
from hubbub.curation.models import Persona
from hubbub.curation.personas import PersonaInput, create_persona
from hubbub.networks.models import Channel


@dataclass(frozen=True)
class DemoPersona:
    language: str
    network: str  # attached to the workspace's channel on this network, when there is one
    data: PersonaInput


ENGLISH = PersonaInput(
    name="Home baristas",
    audience="Coffee lovers who brew at home and want to get better at it, 25 to 45.",
    tone="warm, curious, plain words, one exclamation at most",
    topics=["specialty coffee", "espresso", "coffee roasting", "coffee farmers", "brewing"],
    words_to_use=["fresh", "origin", "cup", "together"],
    words_to_avoid=["cheap", "instant"],
    languages=["en"],
    example_posts=[
        "This week's roast: a washed Ethiopian with notes of jasmine and lemon. "
        "Brew it as a pour-over to taste the origin in every cup.",
        "Your grinder matters more than your machine. A burr grinder gives an even grind, "
        "and an even grind gives a sweeter espresso.",
        "We visited the Huila cooperative last month. Their farmers pick every cherry by "
        "hand, and we pay them well above the market price.",
        "Fresh beans make the difference: we roast on Monday and ship on Tuesday. "
        "How do you brew yours?",
    ],
)
FRENCH = PersonaInput(
    name="Amateurs de café",
    audience="Les amateurs de café qui préparent leur café à la maison et veulent progresser.",
    tone="chaleureux, simple, vouvoiement, sans jargon",
    topics=["café de spécialité", "espresso", "torréfaction", "producteurs de café", "extraction"],
    words_to_use=["fraîcheur", "origine", "tasse", "ensemble"],
    words_to_avoid=["pas cher", "soluble"],
    languages=["fr"],
    example_posts=[
        "La torréfaction de la semaine : un Éthiopie lavé aux notes de jasmin et de citron. "
        "Préparez-le en méthode douce pour goûter son origine dans chaque tasse.",
        "Votre moulin compte plus que votre machine : une mouture régulière donne un "
        "espresso plus doux.",
        "Nous avons rendu visite à la coopérative de Huila. Les producteurs cueillent chaque "
        "cerise à la main, et nous les payons bien au-dessus du cours du marché.",
        "La fraîcheur fait la différence : nous torréfions le lundi et expédions le mardi. "
        "Et vous, comment préparez-vous votre café ?",
    ],
)


def _demo_personas(language: str) -> list[DemoPersona]:
    own, other = (FRENCH, ENGLISH) if language == "fr" else (ENGLISH, FRENCH)
    return [
        DemoPersona(own.languages[0], "bluesky", own),
        DemoPersona(other.languages[0], "mastodon", other),
    ]


def fill_personas(access: Access) -> None:
    """Two personas (English and French) attached to the demo channels; run again, it
    leaves the workspace as it is."""
    workspace = access.workspace
    for demo in _demo_personas(workspace.language):
        if Persona.objects.filter(workspace=workspace, name=demo.data.name).exists():
            continue
        channels = Channel.objects.connected().filter(workspace=workspace, network=demo.network)
        data = PersonaInput(**{**demo.data.__dict__, "channel_ids": [c.pk for c in channels]})
        create_persona(access, data)
