"""Labelled sample messages for the language and sentiment sanity tests.

Written as a moderator would meet them (complaints, thanks, plain questions), independently of
the small French set the thresholds were tuned on: the tests require a fair accuracy over the
lot, not every single one, so that nobody is tempted to tune the analyzers to this list.
"""

from __future__ import annotations

ENGLISH: list[tuple[str, str]] = [
    ("My order still hasn't arrived and nobody answers my emails.", "negative"),
    ("Thank you so much, the support team was amazing!", "positive"),
    ("What time does the shop open on Sundays?", "neutral"),
    ("This is the worst customer service I have ever experienced.", "negative"),
    ("Love the new update, great work @acme", "positive"),
    ("Can you send me the invoice for order 1234?", "neutral"),
    ("The app keeps crashing every time I log in. Terrible.", "negative"),
    ("Really happy with my purchase, would recommend", "positive"),
    ("Is there a student discount?", "neutral"),
    ("I want a refund, this product is broken and useless", "negative"),
    ("You guys are awesome ❤️", "positive"),
    ("Where can I find the user manual?", "neutral"),
    ("Three weeks waiting for a reply, absolutely ridiculous 😡", "negative"),
    ("Fast delivery and excellent quality, thanks!", "positive"),
    ("I changed my address last week, please update it.", "neutral"),
    ("Disappointed. The jacket fell apart after two days.", "negative"),
    ("Best coffee in town, the staff are lovely", "positive"),
    ("Do you ship to Canada?", "neutral"),
    ("Your checkout page is broken, I cannot pay", "negative"),
    ("Brilliant service, problem solved in five minutes", "positive"),
    ("The parcel was delivered today.", "neutral"),
    ("Stop charging my card twice, this is a scam", "negative"),
    ("Congrats on the launch, looks fantastic!", "positive"),
    ("Which plan includes the API?", "neutral"),
    ("I am furious, the package was left in the rain and ruined", "negative"),
    ("Nice job on the redesign 👍", "positive"),
    ("When will the summer collection be available?", "neutral"),
    ("Awful experience, never ordering again", "negative"),
    ("So pleased with the quick answer, cheers", "positive"),
    ("I sent you a direct message about my account.", "neutral"),
]

FRENCH: list[tuple[str, str]] = [
    ("Ma commande n'est jamais arrivée et personne ne me répond.", "negative"),
    ("Merci infiniment, votre équipe est formidable !", "positive"),
    ("À quelle heure ouvre la boutique le samedi ?", "neutral"),
    ("Le pire service client que j'ai jamais vu.", "negative"),
    ("J'adore vos produits, continuez comme ça", "positive"),
    ("Pouvez-vous me renvoyer la facture de ma commande ?", "neutral"),
    ("L'application plante à chaque connexion, c'est insupportable.", "negative"),
    ("Très satisfaite de mon achat, je recommande", "positive"),
    ("Y a-t-il une réduction pour les étudiants ?", "neutral"),
    ("Je veux être remboursé, le produit est cassé", "negative"),
    ("Vous êtes super ❤️", "positive"),
    ("Où puis-je trouver le mode d'emploi ?", "neutral"),
    ("Trois semaines sans réponse, c'est honteux 😡", "negative"),
    ("Livraison rapide et très bonne qualité, merci !", "positive"),
    ("J'ai changé d'adresse la semaine dernière.", "neutral"),
    ("Déçue, la veste s'est déchirée au bout de deux jours.", "negative"),
    ("Le meilleur café de la ville, personnel adorable", "positive"),
    ("Livrez-vous en Belgique ?", "neutral"),
    ("Votre site ne fonctionne pas, impossible de payer", "negative"),
    ("Service excellent, problème réglé en cinq minutes", "positive"),
    ("Le colis a été livré ce matin.", "neutral"),
    ("Vous m'avez débité deux fois, c'est du vol", "negative"),
    ("Bravo pour le lancement, c'est magnifique !", "positive"),
    ("Quelle offre comprend l'accès à l'API ?", "neutral"),
    ("Je suis furieux, le colis est arrivé abîmé", "negative"),
    ("Joli travail sur le nouveau site 👍", "positive"),
    ("Quand sortira la collection d'été ?", "neutral"),
    ("Expérience horrible, je ne commanderai plus jamais chez vous", "negative"),
    ("Ravi de la réponse rapide, merci", "positive"),
    ("Je vous ai envoyé un message privé au sujet de mon compte.", "neutral"),
]
