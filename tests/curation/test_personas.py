"""Personas: the actions (permissions, validation, audit), personas_for, propose_from_examples."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from hubbub.accounts.models import User
from hubbub.core.access import ActionError, access_workspace
from hubbub.core.models import AuditEntry, Workspace
from hubbub.curation import personas
from hubbub.curation.models import Persona
from hubbub.curation.personas import PersonaInput
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign

EXAMPLES = [
    "Our new cargo bike lanes open downtown this Saturday! Come ride with us.",
    "Urban cycling is safer with protected bike lanes. Here is how we campaigned for them.",
    "Bike repair workshop on Sunday: bring your bike, we bring the tools!",
    "Cargo bikes carry kids and groceries: the city needs more protected lanes.",
    "Join our Saturday ride through the new bike lanes of the old town.",
]


def _channel(workspace: Workspace, handle: str) -> Channel:
    return Channel.objects.create(
        workspace=workspace, network="mastodon", external_id=handle, handle=handle
    )


@pytest.fixture
def owner(alice: User, acme: Workspace):
    return access_workspace(alice, "acme")


def test_a_persona_is_created_with_its_tone_profile_and_audited(owner, acme) -> None:
    channel = _channel(acme, "@acme@m.example")
    persona = personas.create_persona(
        owner,
        PersonaInput(
            name="  Cyclists ",
            topics=personas.split_list("cycling, bike lanes, cycling"),
            languages=["EN"],
            example_posts=EXAMPLES,
            channel_ids=[channel.pk],
        ),
    )
    persona.refresh_from_db()
    assert persona.name == "Cyclists"
    assert persona.topics == ["cycling", "bike lanes"]
    assert persona.languages == ["en"]
    assert persona.tone_profile["examples"] == 5
    assert list(persona.channels.all()) == [channel]
    entry = AuditEntry.objects.get(action="persona.create")
    assert entry.object_id == str(persona.pk)


def test_an_editor_may_not_manage_personas(bob: User, acme) -> None:
    with pytest.raises(PermissionDenied, match=r"personas\.manage"):
        personas.create_persona(access_workspace(bob, "acme"), PersonaInput(name="Mine"))
    assert not Persona.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (PersonaInput(name=" "), "name", "Give the persona a name."),
        (PersonaInput(name="A", languages=["klingon"]), "languages", "klingon is not a language"),
        (
            PersonaInput(name="A", words_to_use=["Cheap"], words_to_avoid=["cheap"]),
            "words_to_avoid",
            "both to use and to avoid: cheap",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(owner, data, field, message) -> None:
    with pytest.raises(ActionError) as error:
        personas.create_persona(owner, data)
    assert error.value.field == field
    assert message in error.value.message


def test_a_duplicate_name_and_another_workspaces_channel_are_refused(owner, acme, globex) -> None:
    personas.create_persona(owner, PersonaInput(name="Voice"))
    with pytest.raises(ActionError, match="exists already"):
        personas.create_persona(owner, PersonaInput(name="Voice"))
    theirs = _channel(globex, "@globex@m.example")
    with pytest.raises(ActionError, match="not in this workspace"):
        personas.create_persona(owner, PersonaInput(name="Other", channel_ids=[theirs.pk]))


def test_update_and_delete(owner, acme) -> None:
    persona = personas.create_persona(owner, PersonaInput(name="Voice", topics=["coffee"]))
    personas.update_persona(owner, persona, PersonaInput(name="Voice 2", topics=["tea"]))
    persona.refresh_from_db()
    assert (persona.name, persona.topics) == ("Voice 2", ["tea"])
    personas.delete_persona(owner, persona)
    assert not Persona.objects.exists()
    assert AuditEntry.objects.filter(action="persona.delete").count() == 1


def test_personas_for_channels_or_campaign_each_once(owner, acme, globex) -> None:
    one, two = _channel(acme, "@one@m.example"), _channel(acme, "@two@m.example")
    campaign = Campaign.objects.create(workspace=acme, name="Spring")
    both = personas.create_persona(
        owner, PersonaInput(name="Both", channel_ids=[one.pk, two.pk], campaign_ids=[campaign.pk])
    )
    only_campaign = personas.create_persona(
        owner, PersonaInput(name="Campaign", campaign_ids=[campaign.pk])
    )
    personas.create_persona(owner, PersonaInput(name="Unattached"))
    assert personas.personas_for(acme, [one.pk, two.pk], None) == [both]
    assert personas.personas_for(acme, [], campaign.pk) == [both, only_campaign]
    assert personas.personas_for(acme, [], None) == []
    assert personas.personas_for(globex, [one.pk], campaign.pk) == []


def test_notes_for_a_persona_without_topics_or_with_undeclared_languages(owner) -> None:
    persona = personas.create_persona(
        owner,
        PersonaInput(
            name="Voice",
            languages=["fr"],
            example_posts=["Our new bike lanes open downtown this Saturday, come and ride."],
        ),
    )
    notes = " ".join(personas.language_notes(persona))
    assert "no topics" in notes
    assert "in en, which the persona does not declare (fr)" in notes


def test_propose_from_english_examples() -> None:
    proposal = personas.propose_from_examples(EXAMPLES)
    assert proposal.languages == ["en"]
    assert "bike lanes" in proposal.topics
    assert "cargo bike" in proposal.topics
    # everyday words are not proposed, however often they appear
    assert not {"our", "the", "new", "come"} & set(proposal.topics + proposal.terms)
    assert "workshop" in proposal.terms


def test_propose_from_french_examples_keeps_accents_in_what_it_shows() -> None:
    proposal = personas.propose_from_examples(
        [
            "Le marché bio du samedi revient place de la mairie ! Légumes de saison.",
            "Nos producteurs locaux vous attendent au marché : circuits courts et légumes bio.",
            "Recette de saison : la soupe de potimarron du marché bio.",
        ]
    )
    assert proposal.languages == ["fr"]
    assert "marché bio" in proposal.topics
    assert "légumes" in proposal.topics


def test_propose_without_examples_says_what_to_do() -> None:
    with pytest.raises(ActionError, match="Paste a few example posts"):
        personas.propose_from_examples(["  ", ""])
    rough = personas.propose_from_examples(["Bike lanes open on Saturday downtown."])
    assert "rough guess" in " ".join(rough.notes)
