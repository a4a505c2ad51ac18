"""Signing in and out, and getting back in: password reset and one-time sign-in links."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.conf import settings
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client
from django.utils import timezone

from hubbub.accounts.models import SignInLink
from tests.conftest import PASSWORD, signed_in
from tests.web.conftest import messages_of, signed_in_user_id, text

NEW_PASSWORD = "a brand new passphrase for Alice"


def test_the_sign_in_page_has_labelled_fields(db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<label for="id_username">E-mail address:</label>' in page
    assert '<label for="id_password">Password:</label>' in page
    assert 'href="/accounts/password/reset/"' in page


def test_it_signs_in_with_the_email_in_any_case(alice, acme):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "ALICE@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(alice.pk)
    assert client.get("/")["Location"] == "/w/acme/"


def test_a_wrong_password_is_refused_on_the_page(alice):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "alice@example.com", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "Please enter a correct e-mail address and password." in text(response)
    assert signed_in_user_id(client) is None


def test_it_goes_back_where_the_person_was_going_but_not_elsewhere(alice, acme):
    client = Client()
    response = client.get("/w/acme/members/")
    assert response["Location"] == "/accounts/login/?next=/w/acme/members/"
    response = client.post(
        "/accounts/login/?next=/w/acme/members/",
        {"username": "alice@example.com", "password": PASSWORD, "next": "/w/acme/members/"},
    )
    assert response["Location"] == "/w/acme/members/"
    client = Client()
    response = client.post(
        "/accounts/login/",
        {
            "username": "alice@example.com",
            "password": PASSWORD,
            "next": "https://evil.example/phish",
        },
    )
    assert response["Location"] == "/"


def test_signing_out_ends_the_session(alice, acme):
    client = signed_in(alice)
    assert client.get("/w/acme/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert signed_in_user_id(client) is None
    assert client.get("/w/acme/")["Location"] == "/accounts/login/?next=/w/acme/"


def reset_link(body: object) -> str:
    body = str(body)
    match = re.search(r"(\S+/accounts/password/reset/[^/\s]+/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def test_a_password_reset_sends_a_link_that_sets_a_new_password(alice):
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "Reset your Hubbub password"
    link = reset_link(message.body)
    assert link.startswith(settings.BASE_URL + "/accounts/password/reset/")

    path = link.removeprefix(settings.BASE_URL)
    response = client.get(path)
    assert response.status_code == 302  # to the same page without the token in the address
    form_url = response["Location"]
    assert form_url.endswith("/set-password/")
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/password/reset/complete/"
    assert authenticate(username="alice@example.com", password=NEW_PASSWORD) == alice
    assert authenticate(username="alice@example.com", password=PASSWORD) is None

    # The link worked once.
    again = Client().get(path, follow=True)
    assert "This link is no longer valid. Ask for a new one." in text(again)


def test_a_password_reset_refuses_a_weak_password(alice):
    Client().post("/accounts/password/reset/", {"email": "alice@example.com"})
    client = Client()
    form_url = client.get(reset_link(mail.outbox[0].body).removeprefix(settings.BASE_URL))
    response = client.post(
        form_url["Location"], {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert "This password is too common." in text(response)
    assert authenticate(username="alice@example.com", password=PASSWORD) == alice


def test_a_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(db):
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_a_sign_in_link_shows_a_button_and_signs_in_once(alice, acme):
    raw = SignInLink.issue(alice)
    url = f"/accounts/sign-in/{raw}/"
    client = Client()
    # A mail scanner that follows the link must not use it up.
    response = client.get(url)
    assert response.status_code == 200
    assert '<form method="post">' in response.content.decode()
    assert "This one-time link signs you in. It works once." in text(response)
    assert signed_in_user_id(client) is None
    assert SignInLink.objects.get().used_at is None

    response = client.post(url)
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(alice.pk)
    assert SignInLink.objects.get().used_at is not None

    other = Client()
    response = other.post(url)
    assert response["Location"] == "/accounts/login/"
    assert messages_of(response) == ["This sign-in link is not valid any more. Ask for a new one."]
    assert signed_in_user_id(other) is None


def test_an_expired_sign_in_link_is_refused(alice):
    raw = SignInLink.issue(alice, valid_for=timedelta(hours=24))
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        client = Client()
        response = client.post(f"/accounts/sign-in/{raw}/")
    assert response["Location"] == "/accounts/login/"
    assert signed_in_user_id(client) is None


def test_a_sign_in_link_without_a_password_leads_to_choosing_one(make_user):
    owner = make_user("owner@example.com")
    owner.set_unusable_password()
    owner.save()
    client = Client()
    response = client.post(f"/accounts/sign-in/{SignInLink.issue(owner)}/", follow=True)
    assert response.redirect_chain[0] == ("/accounts/profile/", 302)
    assert "Welcome! Choose a password so you can sign in again." in text(response)
    assert 'href="/accounts/password/change/">Choose a password</a>' in response.content.decode()


def test_an_owner_without_a_password_chooses_one_without_an_old_one(make_user):
    owner = make_user("owner@example.com")
    owner.set_unusable_password()
    owner.save()
    client = Client()
    client.post(f"/accounts/sign-in/{SignInLink.issue(owner)}/")
    response = client.get("/accounts/password/change/")
    assert response.status_code == 200
    assert 'name="old_password"' not in response.content.decode()
    response = client.post(
        "/accounts/password/change/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == "/accounts/profile/"
    assert authenticate(username="owner@example.com", password=NEW_PASSWORD) == owner
    assert signed_in_user_id(client) == str(owner.pk)  # still signed in after the change


def test_changing_a_password_asks_for_the_old_one(alice):
    client = signed_in(alice)
    page = client.get("/accounts/password/change/").content.decode()
    assert 'name="old_password"' in page
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in text(response)
    assert authenticate(username="alice@example.com", password=PASSWORD) == alice
