"""Words as personas and suggestions compare them: lower-cased, accents folded, stop words
dropped, and stemmed (Snowball, English or French) so "bike", "bikes" and "biking" — or
"vélo" and "vélos" — count as one term.

The Snowball stemmers come from NLTK, already installed as TextBlob's dependency; they are
plain Python tables and need no data download.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import regex
from nltk.stem.snowball import SnowballStemmer  # type: ignore[import-untyped]

WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'\u2019\-]*[\p{L}\p{N}]|[\p{L}]", regex.UNICODE)
_LINK = regex.compile(r"https?://\S+|www\.\S+", regex.IGNORECASE)
_HANDLE = regex.compile(r"@\w+")
_MARKS = regex.compile(r"\p{Mn}+")

# Short lists written here rather than NLTK's corpus, which would need a download.
_EN = """a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for
from further had has have having he her here hers herself him himself his how i if in into is
it its itself just let me more most my myself no nor not now of off on once only or other our
ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself yourselves
s t don doesn didn isn aren wasn weren ll re ve d m o y get got new one two via amp us
can't won't it's we're you're i'm they're that's here's there's what's let's today
week day year just like make made really much many every still even well way"""
_FR = """a à au aux avec ce ces c cet cette d dans de des du elle elles en est et être eux il
ils je j l la le les leur leurs lui m ma mais me même mes moi mon n ne nos notre nous on ou
où par pas pour qu que qui s sa se ses si son sur t ta te tes toi ton tu un une vos votre vous
y été étée étés ai as avons avez ont avait étais était sont sera seront fait faire plus
moins très tout tous toute toutes comme aussi bien encore ici là ça cela ceci donc alors car
entre chez sans sous vers depuis pendant avant après quand comment pourquoi quel quelle
quels quelles dont cet ceux celle celles celui chaque autre autres peu peut peuvent doit
faut va vont été non oui jour jours semaine an ans année aujourd hui nouveau nouvelle
nouveaux nouvelles deux un une via"""


def fold(text: str) -> str:
    """Lower-cased, accents removed, curly apostrophes straightened."""
    text = text.lower().replace("\u2019", "'")
    return _MARKS.sub("", unicodedata.normalize("NFKD", text))


STOP_WORDS = frozenset(fold(w) for w in (_EN + " " + _FR).split())
_STEMMERS = {"en": SnowballStemmer("english"), "fr": SnowballStemmer("french")}


def _language_of(language: str) -> str:
    return language.split("-")[0].lower() if language else ""


@lru_cache(maxsize=50_000)
def stem(word: str, language: str = "") -> str:
    """The word's stem. An unknown language gets the stem both stemmers agree on most
    (the shorter), which keeps plurals together in either language."""
    code = _language_of(language)
    if code in _STEMMERS:
        return fold(str(_STEMMERS[code].stem(word)))
    english, french = str(_STEMMERS["en"].stem(word)), str(_STEMMERS["fr"].stem(word))
    return fold(min(english, french, key=len))


def words(text: str) -> list[str]:
    """The words of a text (links and @handles removed), folded, stop words kept."""
    text = _HANDLE.sub(" ", _LINK.sub(" ", text))
    out = []
    for match in WORD.findall(fold(text)):
        # "l'avenir" → "avenir", "company's" → "company": the elided part is a stop word
        parts = [p for p in match.replace("-", "'").split("'") if p]
        out.extend(parts)
    return out


def terms(text: str, language: str = "") -> list[str]:
    """The stems of a text's meaningful words, in order (stop words and lone digits out)."""
    return [
        stem(w, language)
        for w in words(text)
        if len(w) > 1 and w not in STOP_WORDS and not w.isdigit()
    ]


def phrase_terms(phrase: str, language: str = "") -> tuple[str, ...]:
    """A topic such as "urban cycling" as the stems to look for together."""
    return tuple(terms(phrase, language))


def surface_forms(texts: Iterable[str], language: str = "") -> dict[str, str]:
    """stem → the commonest written form of it (lower-case, accents kept), to show people
    "cycling" rather than "cycl"."""
    counts: dict[str, dict[str, int]] = {}
    for text in texts:
        plain = _HANDLE.sub(" ", _LINK.sub(" ", text.lower().replace("\u2019", "'")))
        for match in WORD.findall(plain):
            for part in (p for p in match.replace("-", "'").split("'") if p):
                folded = fold(part)
                if len(folded) < 2 or folded in STOP_WORDS or folded.isdigit():
                    continue
                forms = counts.setdefault(stem(folded, language), {})
                forms[part] = forms.get(part, 0) + 1
    return {
        s: max(forms.items(), key=lambda kv: (kv[1], -len(kv[0])))[0] for s, forms in counts.items()
    }
