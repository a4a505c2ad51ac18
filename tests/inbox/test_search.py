"""Full-text search over messages (SQLite FTS5 here; PostgreSQL's GIN index in the CI run)."""

from __future__ import annotations

import pytest
from django.db import connection

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


def test_fold_like_postgres_is_the_sql_fold_for_the_query_words():
    # The map of inbox_fold (0002): accented Latin letters to their base (lower case: the
    # parser lower-cases the rest), markup characters to spaces; ligatures stay.
    text = "Abîmé ÉTÉ <b>Œuvre</b> & ç"
    assert search.fold_like_postgres(text) == "Abime eTe  b Œuvre /b    c"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT inbox_fold(%s)", [text])
            assert cursor.fetchone()[0] == search.fold_like_postgres(text)


def test_search_triggers_lost_by_a_table_rebuild_come_back_after_migrate(acme, inbox):
    from django.db import connection

    from hubbub.inbox.apps import ensure_sqlite_search

    if connection.vendor != "sqlite":
        # PostgreSQL keeps the folded text in a stored generated column: no trigger to
        # lose. The check after migrate leaves it alone, and search keeps finding.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT is_generated FROM information_schema.columns "
                "WHERE table_name = 'inbox_message' AND column_name = 'search_vector'"
            )
            assert cursor.fetchone() == ("ALWAYS",)
        inbox.conversation("Stored before the check: parapluie")
        ensure_sqlite_search(using="default")
        inbox.conversation("And after it: parasol")
        assert found(acme, "parapluie") == {"Stored before the check: parapluie"}
        assert found(acme, "parasol") == {"And after it: parasol"}
        return

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER inbox_message_fts_insert")  # as a table rebuild does
        assert search.missing_sqlite_search(cursor) == {("trigger", "inbox_message_fts_insert")}
    inbox.conversation("Stored while the trigger was missing: parapluie")
    assert found(acme, "parapluie") == set()

    ensure_sqlite_search(using="default")

    with connection.cursor() as cursor:
        assert search.missing_sqlite_search(cursor) == set()
    assert found(acme, "parapluie") == {"Stored while the trigger was missing: parapluie"}
    inbox.conversation("And after it: parasol")
    assert found(acme, "parasol") == {"And after it: parasol"}
