"""What the demo inbox holds (hubbub.inbox.demo): who writes to the brand, and each
conversation's story, in the English workspace's words and in the French workspace's.

Every text is a pair (English workspace, French workspace). Two stories swap languages on
purpose: a customer in Montréal writes to the English brand in French, a tourist writes to
the French brand in English, so the saved replies' language pairs have something to pick.

Placement (`Script.when`):
- ("post", index, minutes): a comment that many minutes after our published post `index`
  (0 = the oldest on the channel);
- ("day", days, "HH:MM"): that many days ago, at that local time;
- ("ago", minutes): that many minutes before now (the fresh ones, and the recent answers);
- ("weekend",): a Saturday afternoon, answered when the office opened again;
- ("breach",): late enough that its targets have passed, unanswered.

Replies use the saved replies' placeholders ({first_name}, {agent}), filled as an agent's
reply would be (hubbub.inbox.saved_replies.render).
"""

from __future__ import annotations

from dataclasses import dataclass

from hubbub.core.roles import Role

Pair = tuple[str, str]  # (English workspace, French workspace)

MOD, EDI, MAN = Role.MODERATOR, Role.EDITOR, Role.MANAGER


@dataclass(frozen=True)
class Person:
    """Someone who writes to the brand: a name and a user name per workspace language."""

    name: Pair
    user: Pair  # user name on the networks (the handle without domain)
    followers: int = 120


PEOPLE: dict[str, Person] = {
    "marcus": Person(("Marcus Lee", "Mathis Leroy"), ("marcuslee", "mathisleroy"), 840),
    "hannah": Person(("Hannah Price", "Hélène Petit"), ("hannahp", "helenepetit"), 310),
    "spammer": Person(
        ("CryptoBonanza 🚀", "CryptoBonanza 🚀"), ("cryptobonanza", "cryptobonanza"), 12
    ),
    "diego": Person(("Diego Ramos", "Damien Roux"), ("diegoramos", "damienroux"), 95),
    "ivan": Person(("Ivan Novak", "Inès Garnier"), ("ivannovak", "inesgarnier"), 60),
    "dana": Person(("Dana Whitfield", "Delphine Morel"), ("danaw", "delphinemorel"), 2300),
    "zoe": Person(("Zoe Carter", "Zoé Lambert"), ("zoecarter", "zoelambert"), 450),
    "kenji": Person(("Kenji Sato", "Karim Benali"), ("kenjisato", "karimbenali"), 1200),
    "priya": Person(("Priya Natarajan", "Pauline Navarro"), ("priyan", "paulinenavarro"), 5100),
    "rachel": Person(("Rachel Green", "Raphaëlle Girard"), ("rachelg", "raphaellegirard"), 180),
    "omar": Person(("Omar Haddad", "Olivier Henry"), ("omarhaddad", "olivierhenry"), 75),
    "jules": Person(("Jules Tremblay", "Jake Turner"), ("julestremblay", "jaketurner"), 230),
    "booster": Person(("Followers4U", "Followers4U"), ("followers4u", "followers4u"), 3),
    "chris": Person(("Chris Miller", "Clara Fontaine"), ("chrismiller", "clarafontaine"), 640),
    "emma": Person(("Emma Schultz", "Élise Fabre"), ("emmaschultz", "elisefabre"), 150),
    "lena": Person(("Lena Fischer", "Léna Faure"), ("lenafischer", "lenafaure"), 88),
    "tom": Person(("Tom Becker", "Thomas Blanc"), ("tombecker", "thomasblanc"), 40),
    "alex": Person(("Alex Kim", "Alexis Chevalier"), ("alexkim", "alexischevalier"), 520),
    "mia": Person(("Mia Rossi", "Manon Rousseau"), ("miarossi", "manonrousseau"), 210),
    "grace": Person(("Grace Okafor", "Gabrielle Simon"), ("graceokafor", "gabriellesimon"), 330),
    "noah": Person(("Noah Wilson", "Nathan Michel"), ("noahwilson", "nathanmichel"), 45),
    "sofia": Person(("Sofia Costa", "Sarah Lefèvre"), ("sofiacosta", "sarahlefevre"), 1900),
}

# Mastodon servers the demo's people write from (their handle is @user@server).
SERVERS = (
    ("mastodon.social", "hachyderm.io", "mas.to"),
    ("piaille.fr", "mastodon.social", "framapiaf.org"),
)

TAGS: dict[str, Pair] = {
    "billing": ("billing", "facturation"),
    "delivery": ("delivery", "livraison"),
    "praise": ("praise", "compliment"),
    "spam": ("spam", "spam"),
}
TAG_COLOURS = {"billing": "#b45309", "delivery": "#2563eb", "praise": "#16a34a", "spam": "#6b7280"}

TEAM: Pair = ("Support", "Support")


@dataclass(frozen=True)
class Step:
    """One message: the customer's (by "") or a member's reply (by their role)."""

    text: Pair
    by: str = ""
    after: int = 0  # minutes after the previous step
    after_open: bool = False  # count `after` from the next business opening instead


@dataclass(frozen=True)
class Script:
    key: str
    network: str  # bluesky or mastodon
    source: str  # SourceKind value: comments, mentions, messages
    author: str  # key of PEOPLE
    when: tuple[str | int, ...]
    steps: list[Step]
    close: int | None = None  # closed that many minutes after the last step; None: open
    assign: str = ""  # role of the assignee
    tags: tuple[str, ...] = ()  # keys of TAGS
    priority: int | None = None
    note: Pair | None = None  # an internal note by the manager; {moderator} {editor} @names
    note_after: int = 30  # minutes after the first message


SCRIPTS: list[Script] = [
    # --- comments under our published posts ------------------------------------------------
    Script(
        "tease-love",
        "bluesky",
        "comments",
        "marcus",
        ("post", 0, 25),
        [
            Step(
                (
                    "Baked apple and pecan?! Yes please 🍂 This sounds delicious.",
                    "Pomme au four et noix de pécan ?! J'adore, ça a l'air délicieux 🍂",
                )
            ),
            Step(
                (
                    "Thank you so much, {first_name}! It's our favourite roast of the year. ☕",
                    "Merci beaucoup {first_name} ! C'est notre torréfaction préférée de "
                    "l'année. ☕",
                ),
                by=MOD,
                after=40,
            ),
        ],
        close=90,
        assign=MOD,
        tags=("praise",),
    ),
    Script(
        "tease-decaf",
        "mastodon",
        "comments",
        "hannah",
        ("post", 0, 70),
        [
            Step(
                (
                    "Will the Harvest Blend come in decaf too? My evening self needs to know.",
                    "Est-ce que Récolte d'automne existera en déca ? Mon moi du soir veut savoir.",
                )
            ),
            Step(
                (
                    "Hi {first_name}! Not this season, but our Swiss Water decaf has the same "
                    "caramel notes. We'll tell you if a decaf Harvest happens!",
                    "Bonjour {first_name} ! Pas cette saison, mais notre déca Swiss Water a les "
                    "mêmes notes de caramel. On vous tient au courant !",
                ),
                by=EDI,
                after=35,
            ),
        ],
        close=240,
        assign=EDI,
    ),
    Script(
        "tease-spam",
        "bluesky",
        "comments",
        "spammer",
        ("post", 0, 180),
        [
            Step(
                (
                    "🚀 CRYPTO GIVEAWAY 🚀 the first 500 people to DM us get 2 ETH, don't "
                    "miss it!!",
                    "🚀 CRYPTO GIVEAWAY 🚀 les 500 premiers à nous écrire gagnent 2 ETH, vite !!",
                )
            )
        ],
        close=12,
        tags=("spam",),
    ),
    Script(
        "tip-thanks",
        "mastodon",
        "comments",
        "diego",
        ("post", 1, 45),
        [
            Step(
                (
                    "92 °C made such a difference with my Ethiopian beans, thanks for the tip!",
                    "92 °C, ça change tout avec mon éthiopien, merci pour le conseil !",
                )
            ),
            Step(
                (
                    "That's great to hear, {first_name}! Light roasts love it a touch cooler.",
                    "Super nouvelle {first_name} ! Les torréfactions claires aiment l'eau un peu "
                    "moins chaude.",
                ),
                by=EDI,
                after=50,
            ),
        ],
        close=60,
        assign=EDI,
        tags=("praise",),
    ),
    Script(
        "tip-kettle",
        "bluesky",
        "comments",
        "ivan",
        ("post", 1, 120),
        [
            Step(
                (
                    "Which kettle do you use? I'd love one with a temperature setting.",
                    "Vous utilisez quelle bouilloire ? La mienne n'a pas de réglage de "
                    "température.",
                )
            ),
            Step(
                (
                    "Hi {first_name}! No need for a fancy one: boil, then wait 30 seconds with "
                    "the lid open and you're at about 94 °C.",
                    "Bonjour {first_name} ! Pas besoin de matériel : faites bouillir, attendez "
                    "30 secondes couvercle ouvert, et vous êtes vers 94 °C.",
                ),
                by=MOD,
                after=25,
            ),
        ],
        close=300,
        assign=MOD,
    ),
    Script(
        "preorder-angry",
        "bluesky",
        "comments",
        "dana",
        ("post", 2, 50),
        [
            Step(
                (
                    "I pre-ordered your last blend and it took THREE weeks to arrive. Stale by "
                    "the time I opened it. Why would I do this again? Really disappointed 😠",
                    "J'ai précommandé votre dernier mélange et il a mis TROIS semaines à arriver. "
                    "Éventé à l'ouverture. Inadmissible, pourquoi recommencer ?",
                )
            ),
            Step(
                (
                    "Still waiting for an answer… this is really disappointing.",
                    "Toujours pas de réponse… c'est vraiment décevant.",
                ),
                after=95,
            ),
            Step(
                (
                    "Hi {first_name}, I'm so sorry, that's not the experience we want for you. "
                    "Pre-orders now ship within 48 hours of roasting, and I've sent you a code "
                    "for free shipping on this one. — {agent}",
                    "Bonjour {first_name}, toutes nos excuses, ce n'est pas l'expérience que "
                    "nous voulons. Les précommandes partent désormais sous 48 h après "
                    "torréfaction, et je vous ai envoyé un code pour la livraison offerte. "
                    "— {agent}",
                ),
                by=MOD,
                after=30,
            ),
            Step(
                (
                    "OK, thank you for making it right. I'll give it another try.",
                    "D'accord, merci d'avoir fait le nécessaire. Je retente le coup.",
                ),
                after=60,
            ),
        ],
        close=20,
        assign=MOD,
        tags=("delivery",),
        priority=2,
        note=(
            "@{moderator} can you offer Dana free shipping on this pre-order? She has 2k "
            "followers and the thread is getting likes.",
            "@{moderator} tu peux offrir la livraison à Delphine pour cette précommande ? Elle "
            "a 2 000 abonnés et le fil commence à circuler.",
        ),
        note_after=100,
    ),
    Script(
        "preorder-card",
        "mastodon",
        "comments",
        "zoe",
        ("post", 2, 90),
        [
            Step(
                (
                    "Pre-ordered two bags! Is the tasting card signed by the roaster? 😍",
                    "Deux sachets précommandés ! La carte de dégustation est signée par la "
                    "torréfactrice ? 😍",
                )
            ),
            Step(
                (
                    "Yes! Dana stamps and signs every one of them by hand. Enjoy, {first_name}!",
                    "Oui ! Camille tamponne et signe chacune à la main. Régalez-vous "
                    "{first_name} !",
                ),
                by=EDI,
                after=20,
            ),
        ],
        close=120,
        assign=EDI,
        tags=("praise",),
    ),
    Script(
        "cupping-love",
        "mastodon",
        "comments",
        "kenji",
        ("post", 3, 40),
        [
            Step(
                (
                    "Best cupping night yet. The washed Colombian was a revelation!",
                    "Meilleure soirée dégustation à ce jour. Le Colombie lavé, une révélation !",
                )
            ),
            Step(
                (
                    "Thank you for coming, {first_name}! The Colombian is back in stock on "
                    "Thursday.",
                    "Merci d'être venu, {first_name} ! Le Colombie revient en stock jeudi.",
                ),
                by=EDI,
                after=25,
            ),
        ],
        close=15,
        assign=EDI,
        tags=("praise",),
    ),
    # --- mentions ----------------------------------------------------------------------------
    Script(
        "wholesale-ask",
        "bluesky",
        "mentions",
        "priya",
        ("day", -8, "10:15"),
        [
            Step(
                (
                    "{brand} do you do wholesale for small cafés? We go through about 10 kg a "
                    "week.",
                    "{brand} vous faites de la vente aux cafés indépendants ? On utilise environ "
                    "10 kg par semaine.",
                )
            ),
            Step(
                (
                    "Hi {first_name}! We do, and we'd love to. Send us a direct message with "
                    "your café's name and I'll share our price list. — {agent}",
                    "Bonjour {first_name} ! Oui, avec plaisir. Écrivez-nous en message privé "
                    "avec le nom de votre café et je vous envoie nos tarifs. — {agent}",
                ),
                by=MAN,
                after=30,
            ),
        ],
        close=200,
        assign=MAN,
    ),
    Script(
        "weekend-hours",
        "mastodon",
        "mentions",
        "rachel",
        ("weekend",),
        [
            Step(
                (
                    "{brand} is the Park Slope café open on Sunday mornings? I'd love to bring "
                    "my parents.",
                    "{brand} le café de la Croix-Rousse est ouvert le dimanche matin ? J'aimerais "
                    "y emmener mes parents.",
                )
            ),
            Step(
                (
                    "Hi {first_name}, sorry for the wait: we answer messages on weekdays. The "
                    "café is open 8 am to 4 pm on Sundays, see you next weekend!",
                    "Bonjour {first_name}, désolée pour l'attente : nous répondons en semaine. "
                    "Le café est ouvert le dimanche de 8 h à 16 h, à dimanche prochain !",
                ),
                by=MOD,
                after=20,
                after_open=True,
            ),
        ],
        close=60,
        assign=MOD,
    ),
    Script(
        "charged-twice",
        "bluesky",
        "mentions",
        "omar",
        ("breach",),
        [
            Step(
                (
                    "{brand} I was charged twice for order #4471 and nobody answers my e-mails. "
                    "I want a refund, this is not OK.",
                    "{brand} j'ai été débité deux fois pour la commande n° 4471 et personne ne "
                    "répond à mes e-mails. Je veux un remboursement, c'est inadmissible.",
                )
            )
        ],
        assign=MOD,
        tags=("billing",),
        priority=2,
        note=(
            "@{moderator} Stripe shows both charges. Can you refund one and answer Omar today?",
            "@{moderator} Stripe montre bien les deux débits. Tu peux en rembourser un et "
            "répondre à Olivier aujourd'hui ?",
        ),
        note_after=180,
    ),
    Script(
        "other-language",
        "bluesky",
        "mentions",
        "jules",
        ("day", -5, "14:05"),
        [
            Step(
                (
                    "{brand} Est-ce que vous livrez à Montréal ? J'adore votre mélange Harvest !",
                    "{brand} Hi! Do you have oat milk at the Croix-Rousse café? Visiting Lyon "
                    "next week.",
                )
            ),
            Step(
                (
                    "Bonjour {first_name} ! Oui, nous livrons partout au Canada en 4 à 6 jours. "
                    "Merci pour votre message !",
                    "Hi {first_name}! Yes, oat and almond milk at no extra cost. Enjoy Lyon!",
                ),
                by=MOD,
                after=35,
            ),
        ],
        close=45,
        assign=MOD,
    ),
    Script(
        "followers-spam",
        "mastodon",
        "mentions",
        "booster",
        ("day", -7, "03:12"),
        [
            Step(
                (
                    "{brand} Get 10,000 FREE FOLLOWERS today!!! 👉 followers4u.example",
                    "{brand} 10 000 abonnés gratuits aujourd'hui ! FREE FOLLOWERS 👉 "
                    "followers4u.example",
                )
            )
        ],
        close=380,
        tags=("spam",),
    ),
    Script(
        "finals-shoutout",
        "bluesky",
        "mentions",
        "chris",
        ("day", -9, "11:40"),
        [
            Step(
                (
                    "Shoutout to {brand}, the oat cortado got me through finals week ☕ Love it!",
                    "Merci {brand}, le cortado au lait d'avoine m'a sauvé pendant les partiels ☕ "
                    "Au top !",
                )
            ),
            Step(
                (
                    "Congratulations on surviving finals, {first_name}! The next cortado is on us.",
                    "Bravo pour les partiels {first_name} ! Le prochain cortado est offert.",
                ),
                by=EDI,
                after=55,
            ),
        ],
        close=30,
        assign=EDI,
        tags=("praise",),
    ),
    Script(
        "wifi-down",
        "mastodon",
        "mentions",
        "emma",
        ("day", -10, "16:20"),
        [
            Step(
                (
                    "{brand} your Brooklyn café wifi has been down all afternoon 😩 really "
                    "annoying, I came here to work.",
                    "{brand} le wifi du café est en panne depuis le début de l'après-midi 😩 "
                    "pas terrible, je venais pour travailler.",
                )
            ),
            Step(
                (
                    "So sorry, {first_name}! The router is back up; ask at the counter for a "
                    "coffee on us.",
                    "Désolée {first_name} ! Le routeur fonctionne à nouveau ; demandez au "
                    "comptoir, le café est offert.",
                ),
                by=MOD,
                after=15,
            ),
        ],
        close=100,
        assign=MOD,
    ),
    Script(
        "cold-brew",
        "bluesky",
        "mentions",
        "alex",
        ("ago", 300),
        [
            Step(
                (
                    "{brand} is the Harvest Blend any good for cold brew?",
                    "{brand} Récolte d'automne, ça marche en cold brew ?",
                )
            ),
            Step(
                (
                    "Great question, {first_name}! It is, with a coarse grind and 16 hours in "
                    "the fridge. Tell us how it goes?",
                    "Bonne question {first_name} ! Oui : mouture grossière et 16 heures au frigo. "
                    "Vous nous direz ?",
                ),
                by=EDI,
                after=20,
            ),
        ],
        assign=EDI,
    ),
    Script(
        "bag-torn",
        "bluesky",
        "mentions",
        "grace",
        ("ago", 6),
        [
            Step(
                (
                    "{brand} my bag arrived torn open, beans all over the box. Not happy at all.",
                    "{brand} mon sachet est arrivé déchiré, des grains partout dans le carton. "
                    "Franchement déçue, c'est inadmissible.",
                )
            )
        ],
    ),
    Script(
        "ship-canada",
        "mastodon",
        "mentions",
        "noah",
        ("ago", 11),
        [
            Step(
                (
                    "{brand} do you ship to Canada, and how long does it take?",
                    "{brand} vous livrez en Belgique ? En combien de temps ?",
                )
            )
        ],
    ),
    Script(
        "v60-wow",
        "bluesky",
        "mentions",
        "sofia",
        ("ago", 22),
        [
            Step(
                (
                    "Just brewed the Harvest Blend in a V60 and wow. Well done {brand} 👏",
                    "Première tasse de Récolte d'automne en V60 et waouh. Bravo {brand} 👏",
                )
            )
        ],
    ),
    # --- direct messages (Mastodon) --------------------------------------------------------------
    Script(
        "wholesale-prices",
        "mastodon",
        "messages",
        "priya",
        ("day", -3, "09:40"),
        [
            Step(
                (
                    "Hi again, it's Priya from Bluesky! Could you send the wholesale price list? "
                    "Our café is called Little Fern.",
                    "Re-bonjour, c'est Pauline (de Bluesky) ! Vous pouvez m'envoyer vos tarifs "
                    "pro ? Notre café s'appelle La Fougère.",
                )
            ),
            Step(
                (
                    "Hi {first_name}! Here it is: lumen.example/wholesale. First delivery is "
                    "free, and I can drop samples by on Thursday. — {agent}",
                    "Bonjour {first_name} ! Les voici : lumen.example/pro. La première livraison "
                    "est offerte, et je peux passer avec des échantillons jeudi. — {agent}",
                ),
                by=MAN,
                after=40,
            ),
        ],
        close=180,
        assign=MAN,
    ),
    Script(
        "espresso-help",
        "mastodon",
        "messages",
        "lena",
        ("day", -3, "10:05"),
        [
            Step(
                (
                    "Hi! I bought the Harvest Blend beans but my espresso runs way too fast, "
                    "like 15 seconds.",
                    "Bonjour ! J'ai acheté Récolte d'automne en grains mais mon espresso coule "
                    "trop vite, genre 15 secondes.",
                )
            ),
            Step(
                (
                    "Hi {first_name}! Try grinding two steps finer and aim for 25 to 30 seconds.",
                    "Bonjour {first_name} ! Essayez de moudre deux crans plus fin, visez 25 à 30 "
                    "secondes.",
                ),
                by=MOD,
                after=20,
            ),
            Step(
                (
                    "Finer helped, now 24 seconds, but it tastes a bit sour?",
                    "Plus fin, c'est mieux : 24 secondes. Mais c'est un peu acide ?",
                ),
                after=70,
            ),
            Step(
                (
                    "Sour usually means under-extracted: go up to 18 g of coffee and keep the "
                    "grind.",
                    "L'acidité vient souvent d'une sous-extraction : montez à 18 g de café et "
                    "gardez la mouture.",
                ),
                by=MOD,
                after=25,
            ),
            Step(
                (
                    "Perfect now. Thank you, you're the best!",
                    "Parfait maintenant. Merci, vous êtes géniaux !",
                ),
                after=180,
            ),
        ],
        close=10,
        assign=MOD,
        tags=("praise",),
    ),
    Script(
        "refund-box",
        "mastodon",
        "messages",
        "tom",
        ("day", -2, "13:30"),
        [
            Step(
                (
                    "I'd like a refund for my subscription box, the last two arrived damaged.",
                    "Je voudrais un remboursement pour mon abonnement, les deux derniers colis "
                    "sont arrivés abîmés.",
                )
            ),
            Step(
                (
                    "Hi {first_name}, I'm sorry about that. I've refunded both boxes; you'll "
                    "see it on your card in 3 to 5 days. — {agent}",
                    "Bonjour {first_name}, désolée pour ce désagrément. J'ai remboursé les deux "
                    "colis : comptez 3 à 5 jours sur votre carte. — {agent}",
                ),
                by=MOD,
                after=45,
            ),
        ],
        close=240,
        assign=MOD,
        tags=("billing",),
        priority=2,
    ),
    Script(
        "missing-parcel",
        "mastodon",
        "messages",
        "mia",
        ("ago", 180),
        [
            Step(
                (
                    "Hi, my order #5120 says delivered but there's nothing in my mailbox.",
                    "Bonjour, ma commande n° 5120 est indiquée livrée mais rien dans ma boîte "
                    "aux lettres.",
                )
            ),
            Step(
                (
                    "Hi {first_name}, sorry about this! I've opened a claim with the carrier "
                    "and will write again as soon as they answer. — {agent}",
                    "Bonjour {first_name}, désolée ! J'ai ouvert une réclamation auprès du "
                    "transporteur et je reviens vers vous dès leur réponse. — {agent}",
                ),
                by=MOD,
                after=25,
            ),
        ],
        assign=MOD,
        tags=("delivery",),
        note=(
            "@{editor} if the carrier has not found it by tomorrow noon, let's reship.",
            "@{editor} si le transporteur ne l'a pas retrouvé demain midi, on renvoie le colis.",
        ),
        note_after=40,
    ),
]
