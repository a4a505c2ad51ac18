"""The saved replies page (by title, English and French versions, placeholders help) and the
teams and tags page."""

from __future__ import annotations

from hubbub.core.models import Membership
from hubbub.core.roles import Role
from hubbub.inbox.models import SavedReply, Tag, Team
from tests.conftest import signed_in
from tests.web.conftest import count, messages_of, text

REPLIES = "/w/acme/inbox/settings/replies/"
TEAMS = "/w/acme/inbox/settings/teams/"
TAGS = "/w/acme/inbox/settings/tags/"


def test_writing_a_reply_in_english_then_its_french_version(alice_client, acme):
    form = alice_client.get(REPLIES + "new/")
    assert form.status_code == 200
    assert "{first_name}" in text(form) and "{agent}" in text(form)  # the placeholders help
    response = alice_client.post(
        REPLIES + "new/",
        {"title": "Thanks", "language": "en", "text": "Thank you {first_name}! — {agent}"},
    )
    assert response.status_code == 302
    page = alice_client.get(REPLIES)
    assert count(page, "reply-row") == 1
    shown = text(page)
    assert "Thank you {first_name}! — {agent}" in shown
    assert "Not written yet. Write it" in shown  # the French one
    link = page.content.decode()
    assert "new/?title=Thanks&amp;language=fr" in link
    prefilled = alice_client.get(REPLIES + "new/", {"title": "Thanks", "language": "fr"})
    assert 'value="Thanks"' in prefilled.content.decode()
    alice_client.post(
        REPLIES + "new/", {"title": "Thanks", "language": "fr", "text": "Merci {first_name} !"}
    )
    page = alice_client.get(REPLIES)
    assert count(page, "reply-row") == 1  # one title, two versions
    assert "Merci {first_name} !" in text(page)
    assert SavedReply.objects.filter(workspace=acme).count() == 2


def test_a_duplicate_title_in_the_same_language_is_refused_beside_the_title(alice_client, acme):
    SavedReply.objects.create(workspace=acme, title="Thanks", language="en", text="Hi")
    response = alice_client.post(
        REPLIES + "new/", {"title": "Thanks", "language": "en", "text": "Again"}
    )
    assert response.status_code == 400
    assert "There is already a saved reply “Thanks” in this language" in text(response)
    assert SavedReply.objects.count() == 1


def test_editing_and_deleting_a_reply(alice_client, acme):
    reply = SavedReply.objects.create(workspace=acme, title="Thanks", language="en", text="Hi")
    page = alice_client.get(f"{REPLIES}{reply.pk}/")
    assert "Hi</textarea>" in page.content.decode()
    alice_client.post(
        f"{REPLIES}{reply.pk}/", {"title": "Thanks", "language": "en", "text": "Hello {name}"}
    )
    reply.refresh_from_db()
    assert reply.text == "Hello {name}"
    deleted = alice_client.post(f"{REPLIES}{reply.pk}/delete/")
    assert "Saved reply “Thanks” (English) deleted." in messages_of(deleted)
    assert not SavedReply.objects.exists()


def test_reply_text_is_shown_escaped(alice_client, acme):
    SavedReply.objects.create(
        workspace=acme, title="<b>x</b>", language="en", text="<script>alert(1)</script>"
    )
    page = alice_client.get(REPLIES)
    assert b"<script>alert(1)</script>" not in page.content
    assert "<script>alert(1)</script>" in text(page)


def test_a_moderator_reads_saved_replies_but_cannot_write_them(make_user, acme):
    moderator = make_user("mod@example.com")
    Membership.objects.create(workspace=acme, user=moderator, role=Role.MODERATOR)
    client = signed_in(moderator)
    assert client.get(REPLIES).status_code == 200
    assert "New saved reply" not in text(client.get(REPLIES))
    refused = client.post(REPLIES + "new/", {"title": "x", "language": "en", "text": "y"})
    assert refused.status_code == 403
    assert not SavedReply.objects.exists()


# --- teams and tags -------------------------------------------------------------------------


def test_creating_a_team_with_members_and_changing_it(alice_client, acme, alice, bob):
    response = alice_client.post(
        TEAMS, {"form": "team", "newteam-name": "Support", "newteam-members": [alice.pk, bob.pk]}
    )
    assert response.status_code == 302
    team = Team.objects.get(workspace=acme)
    assert set(team.members.all()) == {alice, bob}
    page = alice_client.get(TEAMS)
    assert count(page, "team-row") == 1
    assert "Support Alice Martin, Bob Durand" in text(page)
    changed = alice_client.post(
        f"{TEAMS}{team.pk}/", {f"team{team.pk}-name": "Care", f"team{team.pk}-members": [bob.pk]}
    )
    assert changed.status_code == 302
    team.refresh_from_db()
    assert team.name == "Care" and list(team.members.all()) == [bob]
    alice_client.post(f"{TEAMS}{team.pk}/delete/")
    assert not Team.objects.exists()


def test_a_team_member_must_belong_to_the_workspace(alice_client, charlie, globex):
    response = alice_client.post(
        TEAMS, {"form": "team", "newteam-name": "Support", "newteam-members": [charlie.pk]}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in text(response)
    assert not Team.objects.exists()


def test_a_duplicate_team_name_is_refused_in_that_teams_form(alice_client, acme):
    Team.objects.create(workspace=acme, name="Support")
    care = Team.objects.create(workspace=acme, name="Care")
    response = alice_client.post(f"{TEAMS}{care.pk}/", {f"team{care.pk}-name": "support"})
    assert response.status_code == 400
    assert "There is already a team “support”." in text(response)
    assert "<details open>" in response.content.decode()  # that team's form is open


def test_tags_with_colours(alice_client, acme):
    response = alice_client.post(
        TEAMS, {"form": "tag", "newtag-name": "billing", "newtag-colour": "#2563eb"}
    )
    assert response.status_code == 302
    tag = Tag.objects.get(workspace=acme)
    assert tag.colour == "#2563eb"
    page = alice_client.get(TEAMS)
    assert count(page, "tag-row") == 1
    assert "background: #2563eb" in page.content.decode()
    bad = alice_client.post(
        f"{TAGS}{tag.pk}/", {f"tag{tag.pk}-name": "billing", f"tag{tag.pk}-colour": "blue"}
    )
    assert bad.status_code == 400
    assert "Write the colour as #rrggbb" in text(bad)
    alice_client.post(
        f"{TAGS}{tag.pk}/", {f"tag{tag.pk}-name": "Billing", f"tag{tag.pk}-colour": "#000000"}
    )
    tag.refresh_from_db()
    assert (tag.name, tag.colour) == ("Billing", "#000000")
    alice_client.post(f"{TAGS}{tag.pk}/delete/")
    assert not Tag.objects.exists()


def test_an_analyst_sees_teams_and_tags_but_cannot_change_them(make_user, acme):
    analyst = make_user("ana@example.com")
    Membership.objects.create(workspace=acme, user=analyst, role=Role.ANALYST)
    tag = Tag.objects.create(workspace=acme, name="billing")
    client = signed_in(analyst)
    page = client.get(TEAMS)
    assert page.status_code == 200
    assert count(page, "tag-form") == 0
    assert client.post(TEAMS, {"form": "tag", "newtag-name": "x"}).status_code == 403
    assert client.post(f"{TAGS}{tag.pk}/delete/").status_code == 403
    assert Tag.objects.count() == 1
