"""The library's actions: each kind added with what it needs, tags, search, approval (and
what an edit by a non-approver does to it), images sniffed like uploads, a feed item saved
with its credit, CSV export and an import whose bad lines are reported by number."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from PIL import Image

from hubbub.core.access import Access, ActionError, access_workspace
from hubbub.core.models import AuditEntry, Workspace
from hubbub.curation import library
from hubbub.curation.library import LibraryInput
from hubbub.curation.models import Feed, FeedItem, LibraryItem, LibraryKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(alice, acme: Workspace) -> Access:
    return access_workspace(alice, "acme")


@pytest.fixture
def editor(bob, acme: Workspace) -> Access:
    return access_workspace(bob, "acme")


def png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "brown").save(out, format="PNG")
    out.seek(0)
    return out


def snippet(access: Access, title: str = "Opening hours", **extra: object) -> LibraryItem:
    data = {"kind": "snippet", "title": title, "text": "Open 8am to 6pm, every day.", **extra}
    return library.create_item(access, LibraryInput(**data))  # type: ignore[arg-type]


def test_a_snippet_is_added_with_its_tags_language_and_audit(editor: Access) -> None:
    item = snippet(editor, tags=library.tags_of("Hours, #Shop  hours"))
    assert sorted(t.name for t in item.tags.all()) == ["hours", "shop"]
    assert item.language == "en"
    assert not item.is_approved
    assert AuditEntry.objects.filter(action="library.create", object_id=str(item.pk)).exists()


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"kind": "snippet", "title": "Empty"}, "text", "snippet's text"),
        ({"kind": "link", "title": "No link"}, "url", "link's address"),
        ({"kind": "link", "title": "Bad", "url": "javascript:alert(1)"}, "url", "web address"),
        ({"kind": "hashtags", "title": "Bad", "text": "#ok not-ok"}, "text", "not a hashtag"),
        ({"kind": "poem", "title": "?"}, "kind", "Choose a kind"),
        ({"kind": "image", "title": "No file"}, "image", "Choose the image"),
    ],
)
def test_what_each_kind_needs_is_asked_for(
    editor: Access, data: dict[str, str], field: str, words: str
) -> None:
    with pytest.raises(ActionError) as refused:
        library.create_item(editor, LibraryInput(**data))  # type: ignore[arg-type]
    assert refused.value.field == field
    assert words in refused.value.message
    assert LibraryItem.objects.count() == 0


def test_a_hashtag_set_is_stored_with_its_hashes_once(editor: Access) -> None:
    item = library.create_item(
        editor, LibraryInput(kind="hashtags", title="Coffee", text="coffee #latte, #coffee café")
    )
    assert item.text == "#coffee #latte #café"


def test_an_image_is_sniffed_and_stored_like_an_upload(editor: Access, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    data = LibraryInput(kind="image", title="Shop front", alt_text="Our shop's brown front")
    item = library.create_item(editor, data, image=png(), image_size=100, image_name="a.exe")
    assert item.mime_type == "image/png"
    assert (item.width, item.height) == (40, 30)
    assert (tmp_path / item.media_path).exists()
    assert item.media_path.startswith("acme/")


def test_an_image_needs_alt_text_and_a_real_image(editor: Access, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ActionError, match="alt text"):
        library.create_item(editor, LibraryInput(kind="image", title="x"), image=png())
    fake = io.BytesIO(b"MZ not an image at all")
    with pytest.raises(ActionError):
        library.create_item(
            editor,
            LibraryInput(kind="image", title="x", alt_text="x"),
            image=fake,
            image_size=22,
        )
    assert LibraryItem.objects.count() == 0


def test_search_by_words_tag_kind_and_approval(owner: Access) -> None:
    hours = snippet(owner, tags=("shop",))
    link = library.create_item(
        owner, LibraryInput(kind="link", title="Menu", url="https://acme.example/menu")
    )
    library.approve(owner, link)
    workspace = owner.workspace
    assert list(library.search(workspace, words="OPEN daily")) == []
    assert list(library.search(workspace, words="open every")) == [hours]
    assert list(library.search(workspace, tag="#Shop")) == [hours]
    assert list(library.search(workspace, kind="link")) == [link]
    assert list(library.search(workspace, approved=True)) == [link]
    assert list(library.search(workspace, words="acme.example")) == [link]


def test_only_approvers_approve_and_an_editors_change_withdraws_it(
    owner: Access, editor: Access
) -> None:
    item = snippet(editor)
    with pytest.raises(PermissionDenied):
        library.approve(editor, item)
    library.approve(owner, item)
    assert item.is_approved and item.approved_by == owner.user

    library.update_item(
        owner, item, LibraryInput(kind="snippet", title="Hours", text="Open 9am to 6pm.")
    )
    assert item.is_approved  # an approver's edit keeps it
    library.update_item(
        editor, item, LibraryInput(kind="snippet", title="Hours", text="Open 10am to 6pm.")
    )
    item.refresh_from_db()
    assert not item.is_approved


def test_approved_content_is_deleted_by_approvers_only(owner: Access, editor: Access) -> None:
    item = snippet(editor)
    library.approve(owner, item)
    with pytest.raises(PermissionDenied):
        library.delete_item(editor, item)
    library.delete_item(owner, item)
    assert LibraryItem.objects.count() == 0


def test_a_feed_item_is_saved_with_its_credit_once(editor: Access, acme: Workspace) -> None:
    feed = Feed.objects.create(workspace=acme, url="https://journal.example/rss", title="Journal")
    item = FeedItem.objects.create(
        workspace=acme,
        feed=feed,
        key="k",
        url="https://journal.example/a1",
        title="Coffee prices rise",
        text="Coffee prices rise\n\nBeans cost more this winter.",
        author="Jeanne Roy",
        language="en",
        published_at=timezone.now(),
    )
    saved = library.save_feed_item(editor, item)
    assert saved.kind == LibraryKind.ARTICLE
    assert (saved.source_name, saved.source_author) == ("Journal", "Jeanne Roy")
    assert saved.text == "Beans cost more this winter."
    assert library.save_feed_item(editor, item) == saved
    assert LibraryItem.objects.count() == 1


def test_csv_export_guards_against_formulas(owner: Access) -> None:
    snippet(owner, title='=HYPERLINK("http://evil.example")')
    rows = list(csv.reader(io.StringIO(library.export_csv(library.search(owner.workspace)))))
    assert rows[0][:3] == ["kind", "title", "text"]
    assert rows[1][1].startswith("'=")


def test_csv_import_reports_bad_lines_and_imports_the_good(editor: Access) -> None:
    content = (
        b"kind,title,text,url,tags,language\n"
        b"snippet,Thanks,Thank you for your order!,,thanks,en\n"
        b"link,Broken,,not a link,,\n"
        b"poem,Roses,Roses are red,,,\n"
        b'hashtags,Coffee,"#coffee #latte",,coffee,\n'
    )
    result = library.import_csv(editor, content)
    assert result.added == 2
    assert [p.split(":")[0] for p in result.problems] == ["Line 3", "Line 4"]
    assert set(LibraryItem.objects.values_list("title", flat=True)) == {"Thanks", "Coffee"}
    assert not LibraryItem.objects.filter(approved_at__isnull=False).exists()


def test_csv_import_refuses_what_is_not_utf8_or_has_no_header(editor: Access) -> None:
    with pytest.raises(ActionError, match="UTF-8"):
        library.import_csv(editor, "kind,title\nsnippet,Café".encode("latin-1"))
    with pytest.raises(ActionError, match="first line"):
        library.import_csv(editor, b"snippet,Hello,Hi\n")
