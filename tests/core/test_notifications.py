"""In-app notices and their e-mails: each in the recipient's language, never twice, and an
SMTP outage is logged instead of raised."""

from __future__ import annotations

from unittest import mock

from django.core import mail
from django.utils.translation import gettext as _

from hubbub.core.models import Notification
from hubbub.core.notifications import notify, unread_count


def test_it_creates_a_notice_and_an_email_per_person(alice, bob, acme):
    created = notify([alice, bob, alice], acme, "approval.requested", "Please look", "/w/acme/")
    assert [n.user for n in created] == [alice, bob]  # alice once
    assert Notification.objects.filter(kind="approval.requested").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com"]
    message = mail.outbox[0]
    assert message.subject == "[Acme] Please look"
    assert "http://" in message.body and "/w/acme/" in message.body
    assert unread_count(alice) == 1


def test_the_text_is_rendered_in_each_recipients_language(alice, bob, acme):
    bob.language = "fr"
    bob.save()

    def text() -> str:
        return _("Cancel")  # a string the catalogue translates

    notify([alice, bob], acme, "test", text)
    by_user = {n.user_id: n.text for n in Notification.objects.all()}
    assert by_user[alice.pk] == "Cancel"  # Acme speaks English
    assert by_user[bob.pk] == "Annuler"


def test_the_workspace_language_applies_when_the_person_has_none(alice, acme):
    acme.language = "fr"
    acme.save()
    notify([alice], acme, "test", lambda: _("Cancel"))
    assert Notification.objects.get(user=alice).text == "Annuler"


def test_inactive_people_are_skipped(alice, bob, acme):
    bob.is_active = False
    bob.save()
    notify([alice, bob], acme, "test", "Hello")
    assert list(Notification.objects.values_list("user__email", flat=True)) == ["alice@example.com"]


def test_an_smtp_failure_is_logged_not_raised(alice, acme, caplog):
    with mock.patch("hubbub.core.notifications.send_mail", side_effect=OSError("no server")):
        notify([alice], acme, "test", "Hello")
    assert Notification.objects.filter(user=alice).exists()
    assert "could not e-mail" in caplog.text


def test_a_long_text_is_cut_to_fit(alice, acme):
    notify([alice], acme, "test", "x" * 800)
    assert len(Notification.objects.get(user=alice).text) == 500
    assert len(mail.outbox[0].subject) < 140
