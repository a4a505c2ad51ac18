"""Personas: the brand voice written down, shared by the web pages, the API and the demo.

Each action checks `personas.manage`, changes the persona and writes the audit entry.
`propose_from_examples()` reads pasted example posts and proposes topics, characteristic
terms, languages and tone words, so a persona is written in a minute.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import Workspace
from hubbub.curation import terms, tone
from hubbub.curation.models import Persona
from hubbub.networks.models import Channel
from hubbub.nlp import language as nlp_language
from hubbub.publishing.models import Campaign

MAX_LIST = 50  # topics, words… per persona: more is a thesaurus, not a voice
MAX_EXAMPLES = 30
MAX_EXAMPLE_CHARS = 3000
SUPPORTED_LANGUAGES = ("en", "fr", "es", "de", "it", "pt", "nl")


def split_list(value: str | Iterable[str]) -> list[str]:
    """A list typed in a form ("a, b" or one a line) or given by the API, cleaned:
    trimmed, empty and repeated entries dropped (case-insensitively), order kept."""
    items = value.replace("\n", ",").split(",") if isinstance(value, str) else list(value)
    seen: set[str] = set()
    out = []
    for item in items:
        item = " ".join(str(item).split())[:100]
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out


def split_examples(value: str | Iterable[str]) -> list[str]:
    """Example posts: pasted with a blank line between them, or a list from the API."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").split("\n\n")
    return [t.strip()[:MAX_EXAMPLE_CHARS] for t in value if t.strip()][:MAX_EXAMPLES]


@dataclass(frozen=True)
class PersonaInput:
    name: str
    audience: str = ""
    tone: str = ""
    topics: list[str] = field(default_factory=list)
    words_to_use: list[str] = field(default_factory=list)
    words_to_avoid: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    example_posts: list[str] = field(default_factory=list)
    channel_ids: list[int] = field(default_factory=list)
    campaign_ids: list[int] = field(default_factory=list)


def _languages(codes: Iterable[str]) -> list[str]:
    out = []
    for code in split_list(codes):
        code = code.lower()
        if code.split("-")[0] not in SUPPORTED_LANGUAGES:
            raise ActionError(
                _("%(code)s is not a language Hubbub reads; use codes such as en or fr.")
                % {"code": code},
                field="languages",
            )
        out.append(code)
    return out


def _valid(access: Access, data: PersonaInput) -> dict[str, object]:
    name = " ".join(data.name.split())
    if not name:
        raise ActionError(_("Give the persona a name."), field="name")
    if len(name) > 100:
        raise ActionError(_("A persona's name has at most 100 characters."), field="name")
    lists = {
        "topics": split_list(data.topics),
        "words_to_use": split_list(data.words_to_use),
        "words_to_avoid": split_list(data.words_to_avoid),
    }
    for key, values in lists.items():
        if len(values) > MAX_LIST:
            raise ActionError(
                _("At most %(n)d entries in a list: keep the ones that matter.") % {"n": MAX_LIST},
                field=key,
            )
    clash = {w.casefold() for w in lists["words_to_use"]} & {
        w.casefold() for w in lists["words_to_avoid"]
    }
    if clash:
        raise ActionError(
            _("A word cannot be both to use and to avoid: %(words)s.")
            % {"words": ", ".join(sorted(clash))},
            field="words_to_avoid",
        )
    return {
        "name": name,
        "audience": data.audience.strip()[:2000],
        "tone": data.tone.strip()[:500],
        **lists,
        "languages": _languages(data.languages),
        "example_posts": split_examples(data.example_posts),
    }


def _attachments(access: Access, data: PersonaInput) -> tuple[list[Channel], list[Campaign]]:
    channels = list(Channel.objects.filter(workspace=access.workspace, pk__in=data.channel_ids))
    campaigns = list(Campaign.objects.filter(workspace=access.workspace, pk__in=data.campaign_ids))
    if len(channels) != len(set(data.channel_ids)):
        raise ActionError(_("One of the channels is not in this workspace."), field="channels")
    if len(campaigns) != len(set(data.campaign_ids)):
        raise ActionError(_("One of the campaigns is not in this workspace."), field="campaigns")
    return channels, campaigns


def _summary(persona: Persona) -> dict[str, object]:
    return {
        "name": persona.name,
        "topics": persona.topics,
        "words_to_use": persona.words_to_use,
        "words_to_avoid": persona.words_to_avoid,
        "languages": persona.languages,
    }


def create_persona(access: Access, data: PersonaInput) -> Persona:
    access.require("personas.manage")
    fields = _valid(access, data)
    channels, campaigns = _attachments(access, data)
    persona = Persona(workspace=access.workspace, created_by=access.user, **fields)
    persona.tone_profile = tone.profile(persona.example_posts)
    try:
        with transaction.atomic():
            persona.save()
            persona.channels.set(channels)
            persona.campaigns.set(campaigns)
            record(
                "persona.create",
                workspace=access.workspace,
                actor=access.user,
                via=access.via,
                obj=persona,
                after=_summary(persona),
            )
    except IntegrityError:
        raise ActionError(_("A persona with that name exists already."), field="name") from None
    return persona


def update_persona(access: Access, persona: Persona, data: PersonaInput) -> Persona:
    access.require("personas.manage")
    _same_workspace(access, persona)
    fields = _valid(access, data)
    channels, campaigns = _attachments(access, data)
    before = _summary(persona)
    for key, value in fields.items():
        setattr(persona, key, value)
    persona.tone_profile = tone.profile(persona.example_posts)
    try:
        with transaction.atomic():
            persona.save()
            persona.channels.set(channels)
            persona.campaigns.set(campaigns)
            record(
                "persona.update",
                workspace=access.workspace,
                actor=access.user,
                via=access.via,
                obj=persona,
                before=before,
                after=_summary(persona),
            )
    except IntegrityError:
        raise ActionError(_("A persona with that name exists already."), field="name") from None
    return persona


def delete_persona(access: Access, persona: Persona) -> None:
    access.require("personas.manage")
    _same_workspace(access, persona)
    with transaction.atomic():
        record(
            "persona.delete",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=persona,
            before=_summary(persona),
        )
        persona.delete()


def _same_workspace(access: Access, persona: Persona) -> None:
    if persona.workspace_id != access.workspace.pk:
        raise ActionError(_("That belongs to another workspace."))


def personas_for(
    workspace: Workspace, channel_ids: Iterable[int], campaign_id: int | None
) -> list[Persona]:
    """The personas attached to any of those channels or to that campaign (the composer
    panel and the guardrails read them), each once, by name."""
    channel_ids = [int(c) for c in channel_ids]
    condition = Q(channels__pk__in=channel_ids) if channel_ids else Q(pk__in=[])
    if campaign_id is not None:
        condition |= Q(campaigns__pk=campaign_id)
    ids = Persona.objects.filter(condition, workspace=workspace).values("pk")
    return list(Persona.objects.filter(pk__in=ids).order_by("name", "id"))


def language_notes(persona: Persona) -> list[str]:
    """What a person should know about the persona's languages and topics: sentences, empty
    when all is well. Nothing here blocks saving: suggestions and drafts still work."""
    notes = []
    if not persona.topics:
        notes.append(
            _(
                "This persona has no topics: suggestions rank by its words to use and its "
                "example posts, then by freshness. Add topics for sharper suggestions."
            )
        )
    declared = {code.split("-")[0] for code in persona.languages}
    found = {nlp_language.detect(text) for text in persona.example_posts} - {""}
    if declared and found - declared:
        notes.append(
            _(
                "Some example posts are in %(found)s, which the persona does not declare "
                "(%(declared)s): add the language or replace those examples."
            )
            % {
                "found": ", ".join(sorted(found - declared)),
                "declared": ", ".join(sorted(declared)),
            }
        )
    return notes


# --- proposing a persona from example posts ------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    topics: list[str]
    terms: list[str]  # characteristic terms: words the examples use far more than usual
    languages: list[str]
    tone_words: list[str]
    notes: list[str] = field(default_factory=list)


_BACKGROUND = Path(__file__).resolve().parent.parent / "nlp" / "train"


@lru_cache(maxsize=1)
def background() -> tuple[int, Counter[str]]:
    """Document frequencies of stems in ~2,000 everyday English and French posts (the
    sentiment training corpus): what "usual" means when we look for characteristic terms."""
    documents: Counter[str] = Counter()
    count = 0
    for path in sorted(_BACKGROUND.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                documents.update(set(terms.terms(row["text"], row.get("lang", ""))))
                count += 1
    return count, documents


def _idf(stem: str) -> float:
    count, documents = background()
    return math.log((count + 1) / (documents[stem] + 1))


def _weights(per_example: list[list[str]], floor: int) -> list[tuple[float, str]]:
    in_examples: Counter[str] = Counter()
    for stems in per_example:
        in_examples.update(set(stems))
    scored = [
        (n * _idf(stem), stem) for stem, n in in_examples.items() if n >= floor and len(stem) > 2
    ]
    return sorted(scored, key=lambda s: (-s[0], s[1]))


def _phrases(per_example: list[list[str]], floor: int) -> list[tuple[float, tuple[str, str]]]:
    pairs: Counter[tuple[str, str]] = Counter()
    for stems in per_example:
        pairs.update({(a, b) for a, b in itertools.pairwise(stems) if a != b})
    scored = [
        (n * (_idf(a) + _idf(b)), (a, b)) for (a, b), n in pairs.items() if n >= max(2, floor)
    ]
    return sorted(scored, key=lambda s: (-s[0], s[1]))


def tone_words(profile: dict[str, float]) -> list[str]:
    """The measured tone in a few words a person would use."""
    if not profile:
        return []
    out = []
    if profile.get("sentence_words", 0) <= 10:
        out.append(_("short sentences"))
    elif profile.get("sentence_words", 0) >= 20:
        out.append(_("long sentences"))
    if profile.get("exclamations", 0) >= 0.8:
        out.append(_("enthusiastic"))
    if profile.get("questions", 0) >= 0.5:
        out.append(_("asks questions"))
    if profile.get("emoji", 0) >= 0.5:
        out.append(_("uses emoji"))
    if profile.get("hashtags", 0) >= 1:
        out.append(_("uses hashtags"))
    out.append(_("informal") if profile.get("informal", 0) >= 0.5 else _("plain"))
    if profile.get("sentiment", 0) >= 0.3:
        out.append(_("warm"))
    elif profile.get("sentiment", 0) <= -0.2:
        out.append(_("serious"))
    return out


def propose_from_examples(texts: Sequence[str]) -> Proposal:
    """Topics (phrases and terms several examples share, rare in everyday posts),
    characteristic terms, languages and tone words read from example posts."""
    texts = split_examples(texts)
    if not texts:
        raise ActionError(
            _("Paste a few example posts, with a blank line between them."), field="example_posts"
        )
    detected = [nlp_language.detect(t) for t in texts]
    counted = Counter(code for code in detected if code)
    languages = [code for code, n in counted.most_common() if n * 4 >= len(texts)]
    per_example = [terms.terms(t, code) for t, code in zip(texts, detected, strict=True)]
    floor = 2 if len(texts) >= 3 else 1
    forms: dict[str, str] = {}
    for text, code in zip(texts, detected, strict=True):
        forms = terms.surface_forms([text], code) | forms

    def shown(stem: str) -> str:
        return forms.get(stem, stem)

    topics: list[str] = []
    used: set[str] = set()
    for _score, (a, b) in _phrases(per_example, floor)[:4]:
        topics.append(f"{shown(a)} {shown(b)}")
        used.update((a, b))
    singles = [stem for _score, stem in _weights(per_example, floor) if stem not in used]
    room = max(0, 6 - len(topics))
    topics += [shown(s) for s in singles[:room]]
    # Characteristic terms may come from one example only: they are offered, not imposed.
    taken = used | {s for s in singles[:room]}
    characteristic = [shown(s) for _w, s in _weights(per_example, 1) if s not in taken][:10]
    notes = []
    if len(texts) < 3:
        notes.append(_("With fewer than three examples the proposal is a rough guess."))
    if not languages:
        notes.append(_("The examples' language could not be recognised; choose it yourself."))
    return Proposal(
        topics=split_list(topics),
        terms=split_list(characteristic),
        languages=languages,
        tone_words=tone_words(tone.profile(texts)),
        notes=notes,
    )
