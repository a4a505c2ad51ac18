"""Reports over the API: the PDF of a period, scheduled reports (create, list, change,
remove, with the same refusals as the page), and the brand with its logo."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hubbub.core.models import Brand
from hubbub.reporting.models import ReportSchedule
from tests.api.conftest import make_token, token_api
from tests.measure.test_reports import channel, local, post
from tests.reporting.helpers import pages_text, png

pytestmark = pytest.mark.django_db
S = "/workspaces/acme/report-schedules"


def test_the_pdf_of_a_period(acme, alice):
    bluesky = channel(acme, "bluesky", "brand.bsky.social")
    post(bluesky, local(2026, 10, 3, 9), likes=10, comments=2, shares=3)
    api = token_api(alice, acme)
    response = api.get(
        "/workspaces/acme/measure/report.pdf", **{"from": "2026-10-01", "to": "2026-10-31"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(pages_text(response.content)).split())
    assert "Engagements [1] 15" in text
    bad = api.get(
        "/workspaces/acme/measure/report.pdf", **{"from": "2026-10-31", "to": "2026-10-01"}
    )
    assert bad.status_code == 400
    assert "from must not be after to" in bad.json()["detail"]


def test_schedules_are_created_listed_changed_and_removed(acme, alice, bob):
    api = token_api(alice, acme)
    body = {
        "name": "Weekly",
        "frequency": "weekly",
        "weekday": 0,
        "hour": 8,
        "member_ids": [bob.pk],
        "addresses": ["client@brand.example"],
    }
    created = api.post(S, body)
    assert created.status_code == 201, created.content
    found = created.json()
    assert found["member_ids"] == [bob.pk]
    assert found["addresses"] == ["client@brand.example"]
    assert found["language"] == "en" and found["active"] is True and found["next_at"]
    assert [s["name"] for s in api.get(S).json()] == ["Weekly"]
    changed = api.call("put", f"{S}/{found['id']}", {**body, "hour": 9, "language": "fr"})
    assert changed.status_code == 200 and changed.json()["hour"] == 9
    assert api.delete(f"{S}/{found['id']}").status_code == 204
    assert not ReportSchedule.objects.exists()


def test_bad_schedules_are_refused_with_what_to_fix(acme, alice):
    api = token_api(alice, acme)
    response = api.post(S, {"name": "Weekly", "frequency": "weekly", "addresses": ["nope"]})
    assert response.status_code == 400
    assert "nope is not an e-mail address" in response.json()["detail"]


def test_an_editor_token_may_not_schedule(acme, bob):
    response = token_api(bob, acme).post(
        S, {"name": "W", "frequency": "weekly", "addresses": ["a@b.example"]}
    )
    assert response.status_code == 403


def test_the_brand_and_its_logo(acme, alice):
    api = token_api(alice, acme)
    assert api.get("/workspaces/acme/brand").json()["primary_colour"] == "#4338ca"
    changed = api.call(
        "put",
        "/workspaces/acme/brand",
        {"primary_colour": "#0F766E", "white_label": True, "prepared_by": "North Agency"},
    )
    assert changed.status_code == 200
    assert changed.json() == {
        "primary_colour": "#0f766e",
        "accent_colour": "#b45309",
        "prepared_by": "North Agency",
        "white_label": True,
        "has_logo": False,
    }
    bad = api.call("put", "/workspaces/acme/brand", {"accent_colour": "red"})
    assert bad.status_code == 400 and "six hexadecimal digits" in bad.json()["detail"]
    client = Client()
    token = make_token(alice, acme)
    upload = SimpleUploadedFile("logo.png", png("#dc2626").read(), content_type="image/png")
    response = client.post(
        "/api/workspaces/acme/brand/logo",
        {"file": upload},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200 and response.json()["has_logo"] is True
    assert Brand.of(acme).logo.startswith("acme/brand/logo-")
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post(
        "/api/workspaces/acme/brand/logo",
        {"file": fake},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert "must be a PNG, JPEG, WebP or GIF image" in response.json()["detail"]
