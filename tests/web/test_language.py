"""The language switch: remembered on the account and in a cookie; pages follow it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client

from hubbub.accounts.models import User
from hubbub.core.models import Membership, Workspace
from tests.conftest import signed_in

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response: Any) -> str:
    page: str = response.content.decode()
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_choosing_french_is_stored_on_the_account_and_in_a_cookie(acme, alice):
    client = signed_in(alice)
    assert html_lang(client.get("/w/acme/")) == "en"
    response = client.post("/accounts/language/", {"language": "fr", "next": "/w/acme/members/"})
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/members/"
    assert response.cookies[COOKIE].value == "fr"
    assert response.cookies[COOKIE]["samesite"] == "Lax"
    alice.refresh_from_db()
    assert alice.language == "fr"
    page = client.get("/w/acme/")
    assert html_lang(page) == "fr"
    assert page["Content-Language"] == "fr"
    assert '<option value="fr" selected>' in page.content.decode()


def test_the_choice_follows_the_account_to_another_browser(acme, alice):
    signed_in(alice).post("/accounts/language/", {"language": "fr"})
    fresh = signed_in(User.objects.get(pk=alice.pk))
    assert COOKIE not in fresh.cookies
    assert html_lang(fresh.get("/w/acme/")) == "fr"


def test_a_visitor_who_is_not_signed_in_gets_the_cookie(db):
    client = Client()
    response = client.post("/accounts/language/", {"language": "fr", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[COOKIE].value == "fr"
    assert html_lang(client.get("/accounts/login/")) == "fr"


def test_without_a_choice_the_workspace_language_is_used(alice):
    french = Workspace.objects.create(name="Lumière", slug="lumiere", language="fr")
    Membership.objects.create(workspace=french, user=alice, role="owner")
    client = signed_in(alice)
    client.get("/w/lumiere/")
    assert html_lang(client.get("/w/lumiere/")) == "fr"
    client.post("/accounts/language/", {"language": "en"})
    assert html_lang(client.get("/w/lumiere/")) == "en"


def test_an_unknown_language_resets_the_choice(acme, alice):
    client = signed_in(alice)
    client.post("/accounts/language/", {"language": "fr"})
    response = client.post("/accounts/language/", {"language": "xx"})
    assert response.cookies[COOKIE].value == ""  # deleted
    alice.refresh_from_db()
    assert alice.language == ""
    assert html_lang(client.get("/w/acme/")) == "en"


def test_it_does_not_redirect_to_another_site(acme, alice):
    response = signed_in(alice).post(
        "/accounts/language/", {"language": "fr", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_switching_is_a_post(db):
    assert Client().get("/accounts/language/").status_code == 405


def test_a_french_workspace_speaks_french_on_the_first_visit(make_user):
    paul = make_user("paul@example.com")
    cafe = Workspace.objects.create(name="Café", slug="cafe", language="fr")
    Membership.objects.create(workspace=cafe, user=paul, role="owner")
    client = Client()
    client.force_login(paul)
    page = client.get("/w/cafe/members/").content.decode()
    assert '<html lang="fr">' in page
