"""The composer's Graphic panel: the partial it loads, its preview, and "Add to post", which
answers the composer's own media item (the stored image and its alt text)."""

from __future__ import annotations

import re
from pathlib import Path

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.models import Membership
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.publishing import media as media_store
from tests.conftest import signed_in

# The fixtures imported from graphics_helpers are parameters of the tests below.
# ruff: noqa: F811
from tests.curation.graphics_helpers import branded, make_template, media_root, owner  # noqa: F401

PANEL = "/w/acme/curate/compose/graphics/"
ADD = "/w/acme/curate/compose/graphic/"


def _template_options(html: str) -> list[str]:
    select = re.search(r'<select id="graphic-template".*?</select>', html, re.S)
    assert select is not None
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(0))


def test_the_panel_offers_the_active_templates_with_a_preview(branded: Access, alice: User):
    client = signed_in(alice)
    # The four starting templates, created on the first look
    assert len(_template_options(client.get(PANEL).content.decode())) == 4
    make_template(branded.workspace, name="Switched off", is_active=False)
    html = client.get(PANEL).content.decode()
    assert 'data-testid="graphics-panel-body"' in html
    options = _template_options(html)
    assert len(options) == 4 and "Quote card" in options
    assert not any("Switched off" in o for o in options)
    assert 'src="data:image/jpeg;base64,' in html
    assert 'name="g-headline"' in html  # the first template's fields (announcement)


def test_the_size_follows_the_first_chosen_channel(branded: Access, alice: User, acme):
    x = Channel.objects.create(workspace=acme, network="x", external_id="1", handle="@acme")
    html = signed_in(alice).get(PANEL, {"channels": [x.pk]}).content.decode()
    assert re.search(r'<option value="x" selected>', html)


def test_a_preview_keeps_the_text_typed_and_escapes_it(branded: Access, alice: User):
    template = make_template(branded.workspace, name="Mine")
    response = signed_in(alice).post(
        PANEL,
        {
            "graphic_template": template.pk,
            "graphic_shown": template.pk,
            "g-quote": "<script>alert(1)</script>",
            "g-person": "Ann",
            "graphic_size": "facebook",
        },
    )
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<option value="facebook" selected>' in html


def test_picking_another_template_starts_from_its_defaults(branded: Access, alice: User):
    first = make_template(branded.workspace, name="A", defaults={"quote": "First"})
    second = make_template(branded.workspace, name="B", defaults={"quote": "Second default"})
    html = (
        signed_in(alice)
        .post(PANEL, {"graphic_template": second.pk, "graphic_shown": first.pk, "g-quote": "x"})
        .content.decode()
    )
    assert "Second default" in html


def test_add_to_post_stores_the_image_like_an_upload(
    branded: Access, alice: User, media_root: Path
):
    template = make_template(branded.workspace, name="Mine")
    response = signed_in(alice).post(
        ADD,
        {
            "graphic_template": template.pk,
            "g-quote": "Less is more",
            "g-person": "Mies",
            "g-role": "Architect",
            "graphic_size": "linkedin",
            "upload_part": "1",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    path = re.search(r'name="media-path" value="([^"]+)"', html)
    assert path is not None
    stored = media_store.inspect(branded.workspace, path.group(1))
    assert (stored.mime_type, stored.width, stored.height) == ("image/png", 1200, 627)
    assert 'name="media-part" value="1"' in html
    alt = re.search(r'<textarea id="alt-[^"]+" name="media-alt" rows="2">([^<]*)</textarea>', html)
    assert alt is not None
    assert "Less is more" in alt.group(1) and "Mies, Architect" in alt.group(1)


def test_add_to_post_refuses_a_full_part_with_the_composers_message(branded: Access, alice: User):
    template = make_template(branded.workspace)
    limit = media_store.max_images_per_part()
    response = signed_in(alice).post(
        ADD, {"graphic_template": template.pk, "media-part": ["0"] * limit, "upload_part": "0"}
    )
    assert 'data-testid="media-error"' in response.content.decode()
    assert "remove one first" in response.content.decode()


def test_another_workspaces_template_cannot_be_added(branded: Access, alice: User, globex):
    theirs = make_template(globex, name="Theirs")
    response = signed_in(alice).post(ADD, {"graphic_template": theirs.pk})
    assert "Choose a template first." in response.content.decode()


def test_an_analyst_sees_no_panel(branded: Access, make_user, acme):
    analyst = make_user("ana@example.com")
    Membership.objects.create(workspace=acme, user=analyst, role=Role.ANALYST)
    assert signed_in(analyst).get(PANEL).status_code == 403
    assert signed_in(analyst).post(ADD, {}).status_code == 403
