"""The Templates pages: the list with previews, the form (with its font upload), delete, and
the PNG preview; untrusted text stays text."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.curation import graphics
from hubbub.curation.models import GraphicTemplate
from tests.conftest import signed_in

# The fixtures imported from graphics_helpers are parameters of the tests below.
# ruff: noqa: F811
from tests.curation.graphics_helpers import (  # noqa: F401
    PRIMARY,
    branded,
    make_template,
    media_root,
    owner,
)

LIST = "/w/acme/curate/templates/"


def test_the_list_shows_templates_with_previews_and_escapes_names(owner: Access, alice: User):
    make_template(owner.workspace, name="<img src=x onerror=alert(1)>")
    html = signed_in(alice).get(LIST).content.decode()
    assert "<img src=x onerror=alert(1)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count('data-testid="template-row"') == 1  # a workspace with one: no starters
    assert "/preview.png?size=instagram_square" in html
    assert 'data-testid="new-template"' in html


def test_an_editor_sees_the_list_without_the_edit_links(owner: Access, bob: User):
    html = signed_in(bob).get(LIST).content.decode()
    assert html.count('data-testid="template-row"') == 4
    assert 'data-testid="new-template"' not in html
    assert signed_in(bob).get("/w/acme/curate/templates/new/").status_code == 403


def test_the_preview_is_a_png_of_the_size_asked(branded: Access, alice: User):
    template = make_template(branded.workspace)
    url = f"/w/acme/curate/templates/{template.pk}/preview.png"
    response = signed_in(alice).get(url, {"size": "pinterest", "g-quote": "<b>bold?</b>"})
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (1000, 1500)
    assert image.convert("RGB").getpixel((997, 700)) == Image.new("RGB", (1, 1), PRIMARY).getpixel(
        (0, 0)
    )


def test_a_new_template_is_saved_then_its_field_texts_are_set(owner: Access, alice: User):
    client = signed_in(alice)
    response = client.post(
        "/w/acme/curate/templates/new/",
        {
            "name": "Big number",
            "kind": "key_figure",
            "background": "custom",
            "colour": "#0f766e",
            "logo_position": "top-left",
            "is_active": "on",
        },
    )
    template = GraphicTemplate.objects.get(workspace=owner.workspace, name="Big number")
    assert response.status_code == 302
    assert response["Location"] == f"/w/acme/curate/templates/{template.pk}/"
    assert template.background == "#0f766e"
    page = client.get(response["Location"]).content.decode()
    assert 'name="default-figure"' in page and 'data-testid="template-previews"' in page
    assert page.count("/preview.png?size=") == len(graphics.SIZES)
    response = client.post(
        response["Location"],
        {
            "name": "Big number",
            "kind": "key_figure",
            "background": "primary",
            "logo_position": "top-left",
            "is_active": "on",
            "default-figure": "3 000",
            "default-caption": "cups a day",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.defaults == {"figure": "3 000", "caption": "cups a day", "source": ""}


def test_a_file_that_is_not_a_font_is_refused_on_the_form(
    owner: Access, alice: User, media_root: Path
):
    template = make_template(owner.workspace)
    response = signed_in(alice).post(
        f"/w/acme/curate/templates/{template.pk}/",
        {
            "name": "Renamed with the font",
            "kind": "quote",
            "background": "primary",
            "logo_position": "bottom-right",
            "font": SimpleUploadedFile("brand.ttf", b"<svg>not a font</svg>"),
        },
    )
    assert response.status_code == 400
    assert "This file is not a TrueType or OpenType font" in response.content.decode()
    template.refresh_from_db()
    assert (template.name, template.font_path) == ("Quote", "")  # nothing saved


def test_a_missing_font_is_shown_on_the_form(owner: Access, alice: User):
    template = make_template(owner.workspace, font_path="acme/fonts/x.ttf", font_name="Gone Sans")
    html = signed_in(alice).get(f"/w/acme/curate/templates/{template.pk}/").content.decode()
    assert 'data-testid="template-note"' in html and "Gone Sans" in html


def test_delete_removes_the_template(owner: Access, alice: User):
    template = make_template(owner.workspace)
    response = signed_in(alice).post(f"/w/acme/curate/templates/{template.pk}/delete/")
    assert response.status_code == 302
    assert not GraphicTemplate.objects.filter(pk=template.pk).exists()
