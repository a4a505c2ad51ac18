"""Personal data in a post: e-mail addresses, phone numbers, payment card numbers and IBANs.

No checksum library is installed (python-stdnum, schwifty and phonenumbers are not in the
environment), so the two checksums are written here; both are a few lines and standard:
Luhn for cards (ISO/IEC 7812) and ISO 7064 mod 97-10 for IBANs (ISO 13616).

False positives are the cost of a guardrail people learn to ignore, so each pattern is
checked beyond its shape: an e-mail inside a link is part of the link; a phone number must
look like one as people write them (international "+33 …", a national "06 …" / "0 800 …",
or North American "(555) 123-4567") and not follow "order", "n°", "#"…; a card must pass
Luhn; an IBAN must pass mod 97 and have its country's length.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import regex
from django.utils.translation import gettext as _

from hubbub.curation.guardrails.base import Hit, Subject

_URL = regex.compile(r"(?:https?://|www\.)\S+", regex.IGNORECASE)
_EMAIL = regex.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# A run of digits with the separators people put in phone and card numbers.
_PHONE = regex.compile(r"(?<![\w+#/.-])(?:\+\d|\(\d|\d)[\d \u00a0.\-()]{6,20}\d(?![\w/-])")
_CARD = regex.compile(r"(?<![\w-])\d(?:[ \-]?\d){12,18}(?![\w-])")
_IBAN = regex.compile(r"(?<![A-Z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")
# Words after which a number is a reference, not a phone: "order 0612345678", "n° 0612…"
_REFERENCE = regex.compile(
    r"(?:order|invoice|ref|réf|reference|référence|commande|facture|dossier|ticket|"
    r"tracking|suivi|colis|n°|no\.|nº|#|id)\s*[:#]?\s*$",
    regex.IGNORECASE,
)
_NANP = regex.compile(r"^(?:\+?1[ .\-]?)?\(?\d{3}\)?[ .\-]\d{3}[ .\-]\d{4}$")
# IBAN lengths of the countries Hubbub's users write most; others are checked by mod 97 only.
IBAN_LENGTHS = {
    "FR": 27, "DE": 22, "BE": 16, "CH": 21, "LU": 20, "ES": 24, "IT": 27, "NL": 18,
    "PT": 25, "GB": 22, "IE": 22, "AT": 20, "MC": 27, "PL": 28, "SE": 24, "DK": 18,
}  # fmt: skip


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    iban = candidate.replace(" ", "").upper()
    if not 15 <= len(iban) <= 34 or IBAN_LENGTHS.get(iban[:2], len(iban)) != len(iban):
        return False
    moved = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _is_phone(text: str, preceding: str) -> bool:
    digits = _digits(text)
    if _REFERENCE.search(preceding[-20:]):
        return False
    if text.startswith("+"):
        return 8 <= len(digits) <= 15
    if _NANP.match(text):
        return True
    # A national number written with its trunk 0 and grouped: "06 12 34 56 78", "020 7946 0958"
    grouped = any(sep in text for sep in " .-\u00a0")
    return text.startswith("0") and grouped and 9 <= len(digits) <= 11


def _spans_outside(
    pattern: regex.Pattern[str], text: str, skip: list[tuple[int, int]]
) -> Iterator[regex.Match[str]]:
    for match in pattern.finditer(text):
        if not any(a <= match.start() < b for a, b in skip):
            yield match


def find(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of each piece of personal data: kind "email", "phone", "card",
    "iban"; ordered by position."""
    links = [m.span() for m in _URL.finditer(text)]
    found: list[tuple[str, int, int]] = []
    for m in _spans_outside(_EMAIL, text, links):
        found.append(("email", *m.span()))
    taken = links + [(s, e) for _k, s, e in found]
    for m in _spans_outside(_IBAN, text, taken):
        if iban_valid(m.group()):
            found.append(("iban", *m.span()))
    taken = links + [(s, e) for _k, s, e in found]
    for m in _spans_outside(_CARD, text, taken):
        if luhn_valid(_digits(m.group())):
            found.append(("card", *m.span()))
    taken = links + [(s, e) for _k, s, e in found]
    for m in _spans_outside(_PHONE, text, taken):
        value = m.group().rstrip(" -.(")
        if _is_phone(value, text[: m.start()]):
            found.append(("phone", m.start(), m.start() + len(value)))
    return sorted(found, key=lambda f: f[1])


def _message(kind: str) -> str:
    return {
        "email": _(
            "An e-mail address: remove it, or use the contact page's link if people should "
            "write to you."
        ),
        "phone": _("A phone number: remove it unless it is your public customer-service line."),
        "card": _("A payment card number: remove it, never publish one."),
        "iban": _("A bank account number (IBAN): remove it, never publish one."),
    }[kind]


def check(subject: Subject, options: Mapping[str, Any]) -> list[Hit]:
    kinds = set(options.get("kinds") or ("email", "phone", "card", "iban"))
    hits = []
    for text in subject.texts:
        for where, piece in text.pieces():
            for kind, start, end in find(piece):
                if kind in kinds:
                    hits.append(Hit(_message(kind), text, where, (start, end), piece))
    return hits
