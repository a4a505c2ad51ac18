"""Full-text search over messages (SQLite FTS5 here; PostgreSQL's GIN index in the CI run)."""

from __future__ import annotations

import pytest

from hubbub.core.models import Workspace
from hubbub.inbox import search
from hubbub.inbox.models import Message
from tests.inbox.conftest_queries import Inbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(acme: Workspace) -> Inbox:
    return Inbox(acme)


def found(workspace: Workspace, q: str) -> set[str]:
    ids = search.search_message_ids(workspace, q)
    return set(Message.objects.filter(id__in=ids).values_list("text", flat=True))


@pytest.fixture
def texts(inbox: Inbox) -> Inbox:
    inbox.conversation("Mon colis est arrivé abîmé, je veux un remboursement")
    inbox.conversation("Où est ma commande ? Déjà trois semaines d'attente")
    inbox.conversation("The delivery was late and the box was damaged")
    inbox.conversation("Late again. The box arrived open.", who="dave")
    inbox.conversation("Merci pour l'été, c'était génial ! ÉTÉ 2026 🌞")
    return inbox


def test_words_match_whatever_their_case_and_accents(acme, texts):
    assert found(acme, "ete") == {"Merci pour l'été, c'était génial ! ÉTÉ 2026 🌞"}
    assert found(acme, "ÉTÉ") == found(acme, "été") == found(acme, "ete")
    assert found(acme, "abime") == {"Mon colis est arrivé abîmé, je veux un remboursement"}
    assert found(acme, "DEJA") == {"Où est ma commande ? Déjà trois semaines d'attente"}
    assert found(acme, "commande") == found(acme, "Commande")


def test_every_word_must_appear(acme, texts):
    assert found(acme, "late box") == {
        "The delivery was late and the box was damaged",
        "Late again. The box arrived open.",
    }
    assert found(acme, "late damaged") == {"The delivery was late and the box was damaged"}
    assert found(acme, "late remboursement") == set()


def test_a_quoted_phrase_keeps_its_word_order(acme, texts):
    assert found(acme, '"the box arrived"') == {"Late again. The box arrived open."}
    assert found(acme, '"box the"') == set()
    assert found(acme, '"arrive abime"') == found(acme, '"arrivé abîmé"')  # accents fold
    assert found(acme, "arriv") == set()  # whole words, no prefixes
    assert found(acme, '"arrivé abîmé" colis') == {
        "Mon colis est arrivé abîmé, je veux un remboursement"
    }


def test_french_elisions_split_into_words(acme, texts):
    assert found(acme, "attente") == {"Où est ma commande ? Déjà trois semaines d'attente"}
    assert found(acme, "c'était") == {"Merci pour l'été, c'était génial ! ÉTÉ 2026 🌞"}


def test_query_syntax_typed_by_a_user_is_only_text(acme, texts):
    # FTS5 and tsquery operators, quotes and column filters must not raise nor widen.
    for q in ["late OR merci", "late*", "text:late", "NEAR(late box)", '"unbalanced', "a & | !b"]:
        search.search_message_ids(acme, q)  # no error
    assert found(acme, "late OR merci") == set()  # "or" is a word here, in no message
    assert found(acme, "") == set()
    assert found(acme, "  ,;  ") == set()


def test_edits_and_deletions_reach_the_index(acme, texts):
    message = Message.objects.get(text__startswith="The delivery")
    message.text = "The parcel never came"
    message.save()
    assert found(acme, "damaged") == set()
    assert found(acme, "parcel") == {"The parcel never came"}
    message.delete()
    assert found(acme, "parcel") == set()


def test_another_workspace_never_sees_the_messages(acme, globex, texts):
    assert found(globex, "late") == set()
    Inbox(globex).conversation("late too")
    assert found(globex, "late") == {"late too"}
    assert "late too" not in found(acme, "late")


def test_long_and_hostile_texts_are_searchable(acme, inbox):
    inbox.conversation("<script>alert(1)</script> zero\u200bwidth " + "filler " * 20_000 + "needle")
    assert len(found(acme, "needle")) == 1
    assert len(found(acme, "script alert")) == 1


def test_fold_is_what_the_indexes_do():
    assert search.fold("Été ÀÉÎÕÜ ç") == "ete aeiou c"


def test_parse_keeps_words_and_phrases():
    parsed = search.parse('refund "late delivery" colis "x" refund')
    assert parsed.words == ("x", "refund", "colis")
    assert parsed.phrases == (("late", "delivery"),)
    assert not search.parse(' "" ')
