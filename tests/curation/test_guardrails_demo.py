"""The demo's guardrails: set once, in the workspace's language, and then in force."""

from __future__ import annotations

import pytest

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.models import Workspace
from hubbub.core.roles import Role
from hubbub.curation import guardrails
from hubbub.curation.demo_guardrails import fill_guardrails
from hubbub.curation.models import GuardrailSetting

pytestmark = pytest.mark.django_db


def test_the_demo_sets_french_words_in_a_french_workspace_and_they_block(alice: User):
    workspace = Workspace.objects.create(name="Vélo", slug="velo", language="fr")
    access = Access(alice, workspace, Role.OWNER)
    fill_guardrails(access)
    fill_guardrails(access)  # twice: nothing doubled
    banned = GuardrailSetting.objects.get(workspace=workspace, rule="banned_words")
    assert banned.mode == "block" and "garanti" in banned.options["words"]
    subject = guardrails.Subject(
        workspace=workspace,
        texts=[guardrails.ChannelText((), (), ("Résultat garanti en une semaine",))],
    )
    [finding] = guardrails.check(subject, network=False)
    assert (finding.rule, finding.matched, finding.blocks) == ("banned_words", "garanti", True)


def test_the_demo_leaves_settings_someone_chose(alice: User, acme: Workspace):
    GuardrailSetting.objects.create(workspace=acme, rule="tone", mode="off")
    fill_guardrails(Access(alice, acme, Role.OWNER))
    assert list(GuardrailSetting.objects.values_list("rule", flat=True)) == ["tone"]
