"""Personas and suggestions over HTTP: the personas (CRUD), proposing one from example
posts, the suggestions ranked for a persona, setting one aside, and drafting per-channel
texts for an item.

The rules live in hubbub.curation.personas, .suggestions and .drafts; these handlers turn
JSON into their inputs. Each checks the permission before looking anything up; another
workspace's id is answered 404.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import answers
from hubbub.core.access import Access, ActionError
from hubbub.curation import drafts, personas, sharing, suggestions
from hubbub.curation.models import Persona
from hubbub.networks.models import Channel

router = Router(tags=["curation"])

P = "/workspaces/{slug}/personas"


class PersonaIn(Schema):
    name: str
    audience: str = ""
    tone: str = Field("", description="In people's words: “warm, plain, no jargon”.")
    topics: list[str] = Field(default_factory=list, description="What suggestions rank by.")
    words_to_use: list[str] = Field(default_factory=list)
    words_to_avoid: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list, description="Codes such as en, fr.")
    example_posts: list[str] = Field(default_factory=list)
    channel_ids: list[int] = Field(default_factory=list)
    campaign_ids: list[int] = Field(default_factory=list)


class PersonaOut(Schema):
    id: int
    name: str
    audience: str
    tone: str
    topics: list[str]
    words_to_use: list[str]
    words_to_avoid: list[str]
    languages: list[str]
    example_posts: list[str]
    tone_profile: dict[str, float] = Field(
        description="Measured from the example posts: each feature's mean and spread."
    )
    channel_ids: list[int]
    campaign_ids: list[int]
    notes: list[str] = Field(
        description="What to know (no topics, examples in an undeclared language…)."
    )
    created_at: datetime
    updated_at: datetime


class ProposeIn(Schema):
    example_posts: list[str] = Field(description="A few posts in the voice to describe.")


class ProposalOut(Schema):
    topics: list[str]
    terms: list[str] = Field(description="Words the examples use far more than usual.")
    languages: list[str]
    tone_words: list[str]
    notes: list[str]


class SuggestionOut(Schema):
    source: str = Field(description="feed:<id> or library:<id>, as the composer's ?share=.")
    title: str
    url: str
    source_name: str
    language: str
    published_at: datetime | None
    score: float
    relevance: float
    freshness: float
    matched: list[str]
    reasons: list[str]


class DismissIn(Schema):
    item_key: str = Field(description="The suggestion's source: feed:<id> or library:<id>.")


class DraftIn(Schema):
    draft_source: str = Field(description="What to share: feed:<id> or library:<id>.")


class VariantOut(Schema):
    channel_id: int
    network: str
    handle: str
    text: str


class DraftOut(Schema):
    variants: list[VariantOut]
    messages: list[str]


def _persona(access: Access, persona_id: int) -> Persona:
    return get_object_or_404(Persona, pk=persona_id, workspace=access.workspace)


def _out(persona: Persona) -> PersonaOut:
    return PersonaOut(
        id=persona.pk,
        name=persona.name,
        audience=persona.audience,
        tone=persona.tone,
        topics=persona.topics,
        words_to_use=persona.words_to_use,
        words_to_avoid=persona.words_to_avoid,
        languages=persona.languages,
        example_posts=persona.example_posts,
        tone_profile=persona.tone_profile,
        channel_ids=sorted(c.pk for c in persona.channels.all()),
        campaign_ids=sorted(c.pk for c in persona.campaigns.all()),
        notes=personas.language_notes(persona),
        created_at=persona.created_at,
        updated_at=persona.updated_at,
    )


def _input(payload: PersonaIn) -> personas.PersonaInput:
    return personas.PersonaInput(**payload.dict())


@router.get(P, response=answers(200, list[PersonaOut]), summary="Personas, by name")
def list_personas(request: HttpRequest, slug: str) -> list[PersonaOut]:
    access = api_access(request, slug)
    access.require("curation.view")
    found = Persona.objects.filter(workspace=access.workspace).prefetch_related(
        "channels", "campaigns"
    )
    return [_out(p) for p in found]


@router.post(
    P,
    response=answers(201, PersonaOut),
    summary="Add a persona",
    description="Its tone profile is measured from the example posts. A persona without "
    "topics is accepted: `notes` says suggestions then rank by its words and examples.",
)
def create_persona(request: HttpRequest, slug: str, payload: PersonaIn) -> Status[PersonaOut]:
    access = api_access(request, slug)
    access.require("personas.manage")
    persona = personas.create_persona(access, _input(payload))
    return Status(201, _out(persona))


@router.post(
    P + "/propose",
    response=answers(200, ProposalOut),
    summary="Propose topics, characteristic words, languages and tone from example posts",
    description="Nothing is saved: use the answer to fill POST .../personas.",
)
def propose(request: HttpRequest, slug: str, payload: ProposeIn) -> ProposalOut:
    access = api_access(request, slug)
    access.require("personas.manage")
    found = personas.propose_from_examples(payload.example_posts)
    return ProposalOut(
        topics=found.topics,
        terms=found.terms,
        languages=found.languages,
        tone_words=found.tone_words,
        notes=found.notes,
    )


@router.get(P + "/{int:persona_id}", response=answers(200, PersonaOut), summary="One persona")
def get_persona(request: HttpRequest, slug: str, persona_id: int) -> PersonaOut:
    access = api_access(request, slug)
    access.require("curation.view")
    return _out(_persona(access, persona_id))


@router.put(
    P + "/{int:persona_id}",
    response=answers(200, PersonaOut),
    summary="Replace a persona (every field; lists not given are emptied)",
)
def update_persona(
    request: HttpRequest, slug: str, persona_id: int, payload: PersonaIn
) -> PersonaOut:
    access = api_access(request, slug)
    access.require("personas.manage")
    persona = personas.update_persona(access, _persona(access, persona_id), _input(payload))
    return _out(persona)


@router.delete(P + "/{int:persona_id}", response=answers(204, None), summary="Delete a persona")
def delete_persona(request: HttpRequest, slug: str, persona_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("personas.manage")
    personas.delete_persona(access, _persona(access, persona_id))
    return Status(204, None)


@router.get(
    P + "/{int:persona_id}/suggestions",
    response=answers(200, list[SuggestionOut]),
    summary="Feed items and library content ranked for a persona, best first",
    description="Relevance to the persona's topics and words (BM25 over stemmed, "
    "accent-folded terms), freshness and how similar past posts did; what was shared or "
    "set aside is left out. `reasons` says why each is suggested.",
)
def list_suggestions(
    request: HttpRequest, slug: str, persona_id: int, limit: int = 30
) -> list[SuggestionOut]:
    access = api_access(request, slug)
    access.require("curation.view")
    persona = _persona(access, persona_id)
    found = suggestions.suggest(access, persona, limit=max(1, min(limit, 100)))
    return [
        SuggestionOut(
            source=s.key,
            title=s.candidate.title,
            url=s.candidate.url,
            source_name=s.candidate.source,
            language=s.candidate.language,
            published_at=s.candidate.published_at,
            score=s.score,
            relevance=s.relevance,
            freshness=s.freshness,
            matched=s.matched,
            reasons=s.reasons,
        )
        for s in found
    ]


@router.post(
    P + "/{int:persona_id}/suggestions/dismiss",
    response=answers(204, None),
    summary="Set a suggestion aside for this persona (not suggested again)",
)
def dismiss_suggestion(
    request: HttpRequest, slug: str, persona_id: int, payload: DismissIn
) -> Status[None]:
    access = api_access(request, slug)
    access.require("curation.edit")
    suggestions.dismiss(access, _persona(access, persona_id), payload.item_key)
    return Status(204, None)


@router.post(
    P + "/{int:persona_id}/drafts",
    response=answers(200, DraftOut),
    summary="Draft one text per channel for an item, in the persona's voice",
    description="Templates fitted to each channel's limits (X counts a link as 23 "
    "characters), for the persona's channels or else every connected channel; with a "
    "text generator configured, its texts, falling back to the templates with a message.",
)
def draft(request: HttpRequest, slug: str, persona_id: int, payload: DraftIn) -> DraftOut:
    access = api_access(request, slug)
    access.require("curation.edit")
    persona = _persona(access, persona_id)
    prefill = sharing.prefill(access, payload.draft_source)
    if prefill is None:
        raise ActionError(
            f"{payload.draft_source} is not a feed item or library item of this workspace.",
            field="draft_source",
        )
    found = drafts.draft(access, prefill, persona.pk)
    channels = Channel.objects.in_bulk(list(found.variants))
    return DraftOut(
        variants=[
            VariantOut(
                channel_id=pk, network=channels[pk].network, handle=channels[pk].handle, text=text
            )
            for pk, text in found.variants.items()
        ],
        messages=found.messages,
    )
