"""CSV import (every row checked, good rows imported, bad ones listed by line) and export."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime

import httpx
import pytest
import respx
from PIL import Image

import hubbub.urls  # noqa: F401  (load the URLs before the fake network joins the registry)
from hubbub.core.access import ActionError
from hubbub.core.models import AuditEntry
from hubbub.networks.models import Channel
from hubbub.publishing import csv_io
from hubbub.publishing.models import (
    ApprovalStep,
    Campaign,
    Delivery,
    Post,
    PostStatus,
    StepMode,
)

pytestmark = pytest.mark.django_db

HEADER = "channel,time,text,media,first_comment,campaign,purpose\n"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def errors_by_line(result: csv_io.ImportResult) -> dict[int, str]:
    return {e.line: e.message for e in result.errors}


def test_good_rows_are_scheduled_and_bad_rows_listed_by_line(owner, channel, clock):
    data = (
        HEADER
        + "@acme,2026-06-10 09:00,Hello Monday,,,,launch\n"  # line 2: good
        + "@nobody,2026-06-10 09:00,Hello,,,,\n"  # 3: unknown channel
        + "@acme,10/06/2026 9h,Hello,,,,\n"  # 4: bad date
        + "@acme,2026-05-01 09:00,Hello,,,,\n"  # 5: in the past
        + "@acme,2027-03-28 02:30,Hello,,,,\n"  # 6: the spring-forward gap
        + "@acme,2026-10-25 02:30,Hello,,,,\n"  # 7: happens twice
        + "@acme,2026-06-10 10:00,,,,,\n"  # 8: no text
        + f"@acme,2026-06-10 11:00,{'x' * 301},,,,\n"  # 9: over Fakebook's 300
        + "\n"  # 10: blank, skipped
        + '@acme,2026-10-25 02:30+01:00,"Two lines\nof text",,,,\n'  # 11-12: good (offset)
        + f"{channel.pk},2026-06-11T09:00:00Z,By channel id,,,,\n"  # 13: good
    )
    result = csv_io.import_posts(owner, data)
    assert result.rows == 10  # the blank line is not a row
    errors = errors_by_line(result)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9]
    assert "Unknown channel '@nobody'" in errors[3]
    assert "is not a date and time: write it as 2026-12-01 09:00" in errors[4]
    assert "is in the past" in errors[5]
    assert "next valid time is 2027-03-28 03:00" in errors[6]
    assert "happens twice" in errors[7] and "+02:00" in errors[7] and "+01:00" in errors[7]
    assert "text is missing" in errors[8]
    assert "301 characters long; the limit there is 300" in errors[9]
    posts = list(Post.objects.filter(pk__in=result.imported).order_by("scheduled_at"))
    assert [p.status for p in posts] == [PostStatus.SCHEDULED] * 3
    assert [p.scheduled_at for p in posts] == [
        datetime(2026, 6, 10, 7, 0, tzinfo=UTC),
        datetime(2026, 6, 11, 9, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    ]
    assert posts[0].purpose == "launch" and posts[1].purpose == "Imported from CSV"
    assert posts[2].variants.get().parts == ["Two lines\nof text"]
    assert Delivery.objects.filter(post__in=posts).count() == 3
    audit = AuditEntry.objects.get(action="posts.import")
    assert audit.after["imported"] == 3 and audit.after["errors"] == 7


def test_a_thousand_rows_import_quickly_with_the_bad_ones_listed(owner, channel, clock):
    lines = [HEADER.strip()]
    for i in range(1000):
        day, minute = 2 + i // 100, i % 60
        if i % 100 == 7:
            lines.append(f"@ghost,2026-07-{day:02d} 09:{minute:02d},Post {i},,,,")
        else:
            lines.append(f"@acme,2026-07-{day:02d} 09:{minute:02d},Post {i},,,Summer,summer")
    started = time.monotonic()
    result = csv_io.import_posts(owner, "\n".join(lines))
    elapsed = time.monotonic() - started
    assert len(result.imported) == 990
    assert sorted(errors_by_line(result)) == [i + 2 for i in range(1000) if i % 100 == 7]
    assert Post.objects.filter(status=PostStatus.SCHEDULED).count() == 990
    assert result.campaigns_created == ["Summer"]  # the owner may manage campaigns
    assert Campaign.objects.get().posts.count() == 990
    assert elapsed < 60, f"1,000 rows took {elapsed:.1f} s"


def test_a_byte_order_mark_and_semicolons_are_understood(owner, channel, clock):
    data = "\ufeffChannel;Time;Text;Campaign\n@acme;2026-06-10 09:00;Bonjour, le monde;\n"
    result = csv_io.import_posts(owner, data.encode("utf-8"))
    assert result.errors == []
    post = Post.objects.get(pk=result.imported[0])
    assert post.variants.get().parts == ["Bonjour, le monde"]


def test_a_file_that_is_not_utf8_is_refused_whole(owner, channel):
    with pytest.raises(ActionError, match="not UTF-8"):
        csv_io.import_posts(owner, (HEADER + "@acme,2026-06-10 09:00,Café\n").encode("latin-1"))


def test_a_file_without_the_required_columns_is_refused(owner, channel):
    with pytest.raises(ActionError, match="time, text missing"):
        csv_io.import_posts(owner, "channel,when,body\n@acme,x,y\n")


def test_an_unknown_campaign_is_a_row_error_for_an_editor(editor, channel, clock):
    data = HEADER + "@acme,2026-06-10 09:00,Hi,,,Nope,\n"
    result = csv_io.import_posts(editor, data)
    assert "There is no campaign called 'Nope'" in errors_by_line(result)[2]
    assert not Campaign.objects.exists()


def test_a_thread_and_a_first_comment(owner, channel, clock):
    data = HEADER + '@acme,2026-06-10 09:00,"One\n---\nTwo",,Read more,,\n'
    result = csv_io.import_posts(owner, data)
    variant = Post.objects.get(pk=result.imported[0]).variants.get()
    assert variant.parts == ["One", "Two"]
    assert variant.first_comment == "Read more"


def test_media_from_a_private_address_is_refused(owner, channel, clock):
    data = (
        HEADER
        + "@acme,2026-06-10 09:00,Hi,https://127.0.0.1/admin.png,,,\n"
        + "@acme,2026-06-10 10:00,Hi,https://10.1.2.3/x.png,,,\n"
        + "@acme,2026-06-10 11:00,Hi,http://images.example/x.png,,,\n"
    )
    result = csv_io.import_posts(owner, data)
    errors = errors_by_line(result)
    assert "private or local address" in errors[2]
    assert "private or local address" in errors[3]
    assert "must start with https://" in errors[4]
    assert result.imported == []


def test_media_from_a_public_address_is_fetched_and_checked(
    owner, channel, clock, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with respx.mock(assert_all_called=True) as mock:
        mock.get("https://images.example/sale.png").mock(
            return_value=httpx.Response(200, content=png_bytes())
        )
        mock.get("https://images.example/notes.txt").mock(
            return_value=httpx.Response(200, content=b"not an image")
        )
        data = (
            HEADER
            + "@acme,2026-06-10 09:00,Sale,https://images.example/sale.png,,,\n"
            + "@acme,2026-06-10 10:00,Sale again,https://images.example/sale.png,,,\n"
            + "@acme,2026-06-10 11:00,Notes,https://images.example/notes.txt,,,\n"
        )
        result = csv_io.import_posts(owner, data)
        assert mock.calls.call_count == 2  # the same address is fetched once
    assert "not an image" in errors_by_line(result)[4]
    media = Post.objects.get(pk=result.imported[0]).media.get()
    assert media.mime_type == "image/png" and media.width == 4
    assert (tmp_path / media.path).read_bytes() == png_bytes()


def test_a_media_path_outside_the_workspace_is_refused(owner, channel, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "globex").mkdir()
    (tmp_path / "globex" / "secret.png").write_bytes(png_bytes())
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "ok.png").write_bytes(png_bytes())
    data = (
        HEADER
        + "@acme,2026-06-10 09:00,Hi,globex/secret.png,,,\n"
        + "@acme,2026-06-10 10:00,Hi,acme/../globex/secret.png,,,\n"
        + "@acme,2026-06-10 11:00,Hi,acme/ok.png,,,\n"
    )
    result = csv_io.import_posts(owner, data)
    assert sorted(errors_by_line(result)) == [2, 3]
    assert Post.objects.get(pk=result.imported[0]).media.get().path == "acme/ok.png"


def test_an_export_re_imports(owner, channel, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "ok.png").write_bytes(png_bytes())
    Campaign.objects.create(workspace=channel.workspace, name="Sale", purpose="sell")
    data = (
        HEADER
        + '@acme,2026-06-10 09:00,"=1+1 is not a formula\n---\npart two",acme/ok.png,First!,Sale,\n'
        + "@acme,2026-10-25 02:30+01:00,Late night,,,,night owls\n"
    )
    first = csv_io.import_posts(owner, data)
    assert first.errors == []
    exported = csv_io.export_csv(owner)
    rows = exported.splitlines()
    assert rows[0] == ",".join(csv_io.EXPORT_COLUMNS)
    assert "'=1+1 is not a formula" in exported  # a spreadsheet must not run it
    assert "2026-10-25 02:30+01:00" in exported  # the repeated hour keeps its offset
    again = csv_io.import_posts(owner, exported)
    assert again.errors == []
    assert len(again.imported) == 2
    originals = Post.objects.filter(pk__in=first.imported).order_by("scheduled_at")
    copies = Post.objects.filter(pk__in=again.imported).order_by("scheduled_at")
    for a, b in zip(originals, copies, strict=True):
        assert (a.scheduled_at, a.purpose, a.campaign_id) == (
            b.scheduled_at,
            b.purpose,
            b.campaign_id,
        )
        va, vb = a.variants.get(), b.variants.get()
        assert (va.parts, va.first_comment) == (vb.parts, vb.first_comment)
        assert [m.path for m in a.media.all()] == [m.path for m in b.media.all()]


def test_images_carry_their_alt_text_in_and_out(owner, channel, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "acme").mkdir()
    for name in ("one.png", "two.png"):
        (tmp_path / "acme" / name).write_bytes(png_bytes())
    data = (
        "channel,time,text,media,alt_text\n"
        + "@acme,2026-06-10 09:00,Two pictures,acme/one.png|acme/two.png,A red square|\n"
        + "@acme,2026-06-10 10:00,One picture,acme/one.png,First|Second\n"  # 3: one too many
    )
    result = csv_io.import_posts(owner, data)
    assert errors_by_line(result) == {
        3: "2 alt texts for 1 images: give one per image, in the same order, separated by |."
    }
    post = Post.objects.get(pk=result.imported[0])
    assert [(m.path, m.alt_text) for m in post.media.all()] == [
        ("acme/one.png", "A red square"),
        ("acme/two.png", ""),
    ]
    exported = csv_io.export_csv(owner).splitlines()
    assert "acme/one.png|acme/two.png,A red square|," in exported[1]


def test_export_filters_and_shows_status_and_id(owner, channel, clock):
    other = Channel.objects.create(
        workspace=channel.workspace, network="fake", external_id="2", handle="@other"
    )
    data = HEADER + "@acme,2026-06-10 09:00,A,,,,\n@other,2026-06-11 09:00,B,,,,\n"
    result = csv_io.import_posts(owner, data)
    from hubbub.publishing.calendar import Filters

    exported = csv_io.export_csv(owner, Filters(channel=other.pk)).splitlines()
    assert len(exported) == 2
    assert exported[1].endswith(f",scheduled,,{result.imported[1]}")


def test_with_an_approval_workflow_imported_posts_wait_for_approval(editor, channel, clock):
    ApprovalStep.objects.create(
        workspace=channel.workspace, order=1, name="Legal", mode=StepMode.ANY, roles=["owner"]
    )
    result = csv_io.import_posts(editor, HEADER + "@acme,2026-06-10 09:00,Hi,,,,\n")
    post = Post.objects.get(pk=result.imported[0])
    assert post.status == PostStatus.IN_REVIEW
    assert post.scheduled_at == datetime(2026, 6, 10, 7, 0, tzinfo=UTC)
    assert not Delivery.objects.filter(post=post).exists()


def test_bulk_rows_are_audited_like_the_composers(owner, channel, clock):
    result = csv_io.import_posts(owner, HEADER + "@acme,2026-06-10 09:00,Hi,,,,launch\n")
    post_id = str(result.imported[0])
    entries = AuditEntry.objects.filter(object_id=post_id, object_type="post").order_by("id")
    assert [e.action for e in entries] == ["post.create", "post.schedule"]
    assert entries[1].before["status"] == "draft"
    assert entries[1].after == {
        "status": "scheduled",
        "purpose": "launch",
        "campaign": None,
        "channels": [channel.pk],
        "scheduled_at": "2026-06-10T07:00:00+00:00",
    }
    delivery = Delivery.objects.get(post_id=post_id)
    assert (delivery.channel_id, delivery.due_at, delivery.next_attempt_at) == (
        channel.pk,
        datetime(2026, 6, 10, 7, 0, tzinfo=UTC),
        datetime(2026, 6, 10, 7, 0, tzinfo=UTC),
    )


def test_the_commands_import_and_export(alice, owner, channel, clock, tmp_path, capsys):
    from django.core.management import call_command

    source = tmp_path / "posts.csv"
    source.write_text(HEADER + "@acme,2026-06-10 09:00,Hi,,,,\n@ghost,2026-06-10 09:00,Hi,,,,\n")
    with pytest.raises(SystemExit) as exited:
        call_command("import-posts", "acme", str(source), "--as", "alice@example.com")
    assert exited.value.code == 1  # a row was refused
    out = capsys.readouterr().out
    assert "line 3 (channel): Unknown channel '@ghost'" in out
    assert "1 of 2 rows imported, 1 refused." in out
    target = tmp_path / "out.csv"
    call_command("export-posts", "acme", "--as", "alice@example.com", "-o", str(target))
    # A leading @ is guarded against spreadsheets' formulas; the import takes the ' off again.
    assert target.read_text().splitlines()[1].startswith("'@acme,2026-06-10 09:00+02:00,Hi")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a member of a workspace 'globex'"):
        call_command("export-posts", "globex", "--as", "alice@example.com")
