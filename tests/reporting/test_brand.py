"""The brand on the workspace settings page: colours checked, the logo re-drawn as a PNG (a
file that only claims to be an image is refused), served back for the preview, replaced
and removed; only owners and managers change it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from hubbub.core.models import AuditEntry, Brand
from tests.conftest import signed_in
from tests.reporting.helpers import png

pytestmark = pytest.mark.django_db


def logo_upload(colour: str = "#dc2626", size: tuple[int, int] = (200, 100)) -> SimpleUploadedFile:
    return SimpleUploadedFile("logo.png", png(colour, size).read(), content_type="image/png")


def test_the_settings_page_saves_colours_and_a_logo(acme, alice):
    client = signed_in(alice)
    url = reverse("web:brand", args=["acme"])
    response = client.post(
        url,
        {
            "primary_colour": "#0F766E",
            "accent_colour": "#b45309",
            "prepared_by": "North Agency",
            "white_label": "on",
            "logo": logo_upload(size=(3000, 1000)),
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/settings/#brand")
    brand = Brand.of(acme)
    assert (brand.primary_colour, brand.prepared_by, brand.white_label) == (
        "#0f766e",
        "North Agency",
        True,
    )
    stored = Path(settings.MEDIA_ROOT) / brand.logo
    with Image.open(stored) as image:
        assert image.format == "PNG"
        assert image.size == (1200, 400)  # fitted into 1200 × 600  # noqa: RUF003
    page = client.get(reverse("web:workspace_settings", args=["acme"])).content.decode()
    assert reverse("web:brand_logo", args=["acme"]) in page
    served = client.get(reverse("web:brand_logo", args=["acme"]))
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="workspace.brand").count() == 1


def test_a_new_logo_replaces_the_old_file_and_remove_takes_it_away(acme, alice):
    client = signed_in(alice)
    url = reverse("web:brand", args=["acme"])
    client.post(
        url, {"primary_colour": "#4338ca", "accent_colour": "#b45309", "logo": logo_upload()}
    )
    first = Path(settings.MEDIA_ROOT) / Brand.of(acme).logo
    client.post(
        url,
        {"primary_colour": "#4338ca", "accent_colour": "#b45309", "logo": logo_upload("#16a34a")},
    )
    second = Path(settings.MEDIA_ROOT) / Brand.of(acme).logo
    assert second != first and second.exists()
    client.post(url, {"primary_colour": "#4338ca", "accent_colour": "#b45309", "remove_logo": "on"})
    assert Brand.of(acme).logo == ""
    assert client.get(reverse("web:brand_logo", args=["acme"])).status_code == 404


@pytest.mark.parametrize(
    ("post", "words"),
    [
        ({"primary_colour": "blue"}, "blue is not a colour"),
        (
            {"logo": SimpleUploadedFile("x.png", b"GIF89a not really", content_type="image/png")},
            "must be a PNG, JPEG, WebP or GIF image",
        ),
        ({"prepared_by": "x" * 101}, "at most 100 characters"),
    ],
)
def test_bad_brand_input_is_refused_with_what_to_fix(acme, alice, post, words):
    client = signed_in(alice)
    data = {"primary_colour": "#4338ca", "accent_colour": "#b45309", **post}
    response = client.post(reverse("web:brand", args=["acme"]), data, follow=True)
    assert words in response.content.decode()
    assert not Brand.objects.filter(workspace=acme).exists()


def test_an_editor_may_not_change_the_brand(acme, bob):
    response = signed_in(bob).post(
        reverse("web:brand", args=["acme"]), {"primary_colour": "#000000"}
    )
    assert response.status_code == 403
    assert not Brand.objects.exists()
