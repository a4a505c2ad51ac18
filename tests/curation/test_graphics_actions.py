"""Graphics templates' actions: the starting templates, changes with their audit entries and
refusals, fonts (checked by loading them, a missing one falling back with a note), and an
image drawn into a post's media."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from PIL import Image

from hubbub.core.access import Access, ActionError, access_workspace
from hubbub.core.models import AuditEntry
from hubbub.curation import graphics, graphics_actions
from hubbub.curation.graphics_actions import TemplateInput
from hubbub.curation.models import GraphicTemplate
from hubbub.publishing import media as media_store

# The fixtures imported from graphics_helpers are parameters of the tests below.
# ruff: noqa: F811
from tests.curation.graphics_helpers import (  # noqa: F401
    LOGO,
    branded,
    make_template,
    media_root,
    owner,
)


def test_a_workspace_gets_one_starting_template_of_each_kind_once(owner: Access):
    first = graphics_actions.templates_of(owner)
    assert sorted(t.kind for t in first) == ["announcement", "event", "key_figure", "quote"]
    assert all(t.defaults for t in first)  # each shows what its fields are for
    graphics_actions.templates_of(owner)
    assert GraphicTemplate.objects.filter(workspace=owner.workspace).count() == 4


def test_a_template_is_created_changed_and_deleted_with_audit_entries(owner: Access):
    data = TemplateInput(name="Launch", kind="announcement", background="#112233")
    template = graphics_actions.create_template(owner, data)
    assert template.defaults["label"] == "New"  # no defaults given: the examples
    changed = TemplateInput(
        name="Launch day", kind="announcement", background="accent", defaults={"label": "Soon"}
    )
    graphics_actions.update_template(owner, template, changed)
    template.refresh_from_db()
    assert (template.name, template.background, template.defaults) == (
        "Launch day",
        "accent",
        {"label": "Soon"},
    )
    graphics_actions.delete_template(owner, template)
    assert not GraphicTemplate.objects.filter(pk=template.pk).exists()
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [
        "graphics.template_create",
        "graphics.template_update",
        "graphics.template_delete",
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (TemplateInput(name=" ", kind="quote"), "name"),
        (TemplateInput(name="A", kind="poster"), "kind"),
        (TemplateInput(name="A", kind="quote", background="blue"), "background"),
        (TemplateInput(name="A", kind="quote", logo_position="middle"), "logo_position"),
        (TemplateInput(name="A", kind="quote", defaults={"quote": "x" * 2001}), "quote"),
    ],
)
def test_bad_input_is_refused_with_the_field(owner: Access, data: TemplateInput, field: str):
    with pytest.raises(ActionError) as caught:
        graphics_actions.create_template(owner, data)
    assert caught.value.field == field


def test_two_templates_cannot_share_a_name(owner: Access):
    make_template(owner.workspace, name="Quote")
    with pytest.raises(ActionError, match="already called “Quote”"):
        graphics_actions.create_template(owner, TemplateInput(name="Quote", kind="quote"))


def test_an_editor_may_not_manage_templates_but_may_add_one_to_a_post(owner: Access, bob):
    editor = access_workspace(bob, "acme")
    template = make_template(owner.workspace)
    with pytest.raises(PermissionDenied):
        graphics_actions.create_template(editor, TemplateInput(name="Mine", kind="quote"))
    with pytest.raises(PermissionDenied):
        graphics_actions.upload_font(
            editor, template, io.BytesIO(graphics.BUNDLED_REGULAR.read_bytes())
        )
    rendered = graphics_actions.render_for_post(editor, template, {"quote": "Hi"}, "x")
    assert rendered.stored.width == 1600


def test_a_font_is_checked_and_stored_in_the_workspaces_folder(owner: Access, media_root: Path):
    template = make_template(owner.workspace)
    graphics_actions.upload_font(owner, template, io.BytesIO(graphics.BUNDLED_BOLD.read_bytes()))
    template.refresh_from_db()
    assert template.font_name == "DejaVu Sans Bold"
    assert template.font_path.startswith("acme/fonts/") and template.font_path.endswith(".ttf")
    assert (media_root / template.font_path).is_file()
    assert AuditEntry.objects.filter(action="graphics.font_upload").count() == 1


@pytest.mark.parametrize(
    "data",
    [
        b"not a font at all",
        b"\x00\x01\x00\x00" + b"garbage" * 50,  # a TrueType signature and nothing behind it
        b"wOFF" + b"\x00" * 100,  # a web font
        Image.new("RGB", (4, 4)).tobytes(),
    ],
)
def test_what_is_not_a_font_is_refused_clearly(owner: Access, media_root: Path, data: bytes):
    template = make_template(owner.workspace)
    with pytest.raises(ActionError, match="not a TrueType or OpenType font"):
        graphics_actions.upload_font(owner, template, io.BytesIO(data))
    assert not (media_root / "acme" / "fonts").exists()
    template.refresh_from_db()
    assert template.font_path == ""


def test_a_missing_font_falls_back_to_dejavu_with_a_note(branded: Access):
    template = make_template(
        branded.workspace, font_path="acme/fonts/gone.ttf", font_name="Brand Sans"
    )
    drawn = graphics_actions.draw(template, {"quote": "Still drawn"}, "facebook")
    assert drawn.image.size == (1200, 630)
    assert len(drawn.notes) == 1
    assert "“Brand Sans” is missing" in drawn.notes[0] and "DejaVu Sans" in drawn.notes[0]


def test_an_uploaded_font_is_used(owner: Access):
    plain = make_template(owner.workspace, name="Plain")
    bold = make_template(owner.workspace, name="Bold")
    graphics_actions.upload_font(owner, bold, io.BytesIO(graphics.BUNDLED_BOLD.read_bytes()))
    bold.refresh_from_db()
    values = {"person": "Ann"}  # a regular-weight field: the uploaded bold font shows
    one = graphics_actions.draw(plain, values, "x").image
    two = graphics_actions.draw(bold, values, "x").image
    assert one.tobytes() != two.tobytes()
    assert graphics_actions.draw(bold, values, "x").notes == []


def test_the_brand_colours_and_logo_are_used(branded: Access):
    template = make_template(branded.workspace, background="accent", logo_position="top-left")
    drawn = graphics_actions.draw(template, {"quote": "Hi"}, "instagram_square")
    assert drawn.image.getpixel((1077, 540)) == (245, 158, 11)  # the accent, #f59e0b
    assert drawn.logo_box is not None
    left, top, right, bottom = drawn.logo_box
    assert (left, top) == (76, 76)
    assert drawn.image.getpixel(((left + right) // 2, (top + bottom) // 2)) == LOGO


def test_rendering_for_a_post_stores_media_the_composer_can_use(branded: Access):
    template = make_template(branded.workspace)
    rendered = graphics_actions.render_for_post(
        branded, template, {"quote": "Less is more", "person": "Mies"}, "instagram_portrait"
    )
    stored = media_store.inspect(branded.workspace, rendered.stored.path)
    assert (stored.mime_type, stored.width, stored.height) == ("image/png", 1080, 1350)
    assert rendered.alt_text == "Quote: “Less is more” — Mies"
    # Bluesky takes 1,000,000 bytes an image: a drawn card stays well below
    assert stored.size < 1_000_000


def test_a_switched_off_template_is_not_added_to_posts(branded: Access):
    template = make_template(branded.workspace, is_active=False)
    with pytest.raises(ActionError, match="switched off"):
        graphics_actions.render_for_post(branded, template, {}, "x")
