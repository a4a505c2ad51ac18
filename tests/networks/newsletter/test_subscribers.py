"""The list: CSV import and export, the subscribers page, the API, the command line."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hubbub.accounts.models import User
from hubbub.core.access import access_workspace
from hubbub.core.actions.tokens import create_token
from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.networks.newsletter.models import Source, Subscriber, SubscriberStatus
from hubbub.networks.newsletter.subscribers import import_csv
from tests.conftest import signed_in
from tests.networks.newsletter.conftest import make_newsletter


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    return make_newsletter(acme, 2525)


def emails(channel: Channel) -> list[str]:
    return sorted(Subscriber.objects.filter(channel=channel).values_list("email", flat=True))


def test_csv_with_a_header_imports_good_rows_and_lists_bad_ones(
    channel: Channel, alice: User
) -> None:
    Subscriber.objects.create(channel=channel, email="old@example.com")
    data = (
        "Name;E-mail\n"
        "Ann;Ann@Example.COM\n"
        "Bob;not-an-address\n"
        "Old;old@example.com\n"
        ";\n"
        "Ann again;ann@example.com\n"
        "Zoé;zoé@example.com\n"
        "Cat;cat@example.net\n"
    )

    result = import_csv(access_workspace(alice, "acme"), channel, data.encode("utf-8-sig"))

    assert result.imported == 2 and result.duplicates == 2
    assert [(e.line, e.message) for e in result.errors] == [
        (3, "not-an-address is not an e-mail address."),
        (7, "zoé@example.com is not an e-mail address."),  # SMTPUTF8 is not universal
    ]
    assert emails(channel) == ["ann@example.com", "cat@example.net", "old@example.com"]
    ann = Subscriber.objects.get(email="ann@example.com")
    assert (ann.name, ann.source, ann.status) == ("Ann", Source.CSV, SubscriberStatus.ACTIVE)


def test_csv_without_a_header_takes_the_address_first(channel: Channel, alice: User) -> None:
    result = import_csv(
        access_workspace(alice, "acme"), channel, "ann@example.com,Ann\nben@example.org\n"
    )

    assert (result.imported, result.errors) == (2, [])
    assert Subscriber.objects.get(email="ann@example.com").name == "Ann"


def test_a_header_without_an_email_column_is_refused(channel: Channel, alice: User) -> None:
    from hubbub.core.access import ActionError

    with pytest.raises(ActionError, match="no column named email"):
        import_csv(access_workspace(alice, "acme"), channel, "who,what\nAnn,ann\n")


def test_someone_who_left_is_never_subscribed_again(channel: Channel, alice: User) -> None:
    Subscriber.objects.create(
        channel=channel, email="gone@example.com", status=SubscriberStatus.UNSUBSCRIBED
    )

    result = import_csv(access_workspace(alice, "acme"), channel, "email\ngone@example.com\n")

    assert (result.imported, result.duplicates) == (0, 1)
    assert Subscriber.objects.get(email="gone@example.com").status == SubscriberStatus.UNSUBSCRIBED


def test_ten_thousand_rows_import_quickly_in_few_statements(channel: Channel, alice: User) -> None:
    data = "email,name\n" + "".join(f"p{n}@example.com,Person {n}\n" for n in range(10_000))
    access = access_workspace(alice, "acme")

    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        result = import_csv(access, channel, data)
    seconds = time.monotonic() - started

    assert result.imported == 10_000 and not result.errors
    assert Subscriber.objects.filter(channel=channel).count() == 10_000
    assert len(queries) < 200  # bulk inserts (SQLite caps their size), not an INSERT a row
    assert seconds < 30  # about 1 s alone; generous for a loaded test machine


def test_an_editor_may_not_import(channel: Channel, bob: User) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_csv(access_workspace(bob, "acme"), channel, "email\nann@example.com\n")
    assert emails(channel) == []


# --- the page ------------------------------------------------------------------------------


def page(channel: Channel) -> str:
    return f"/w/acme/channels/newsletter/{channel.pk}/subscribers/"


def test_the_page_adds_imports_lists_and_removes(channel: Channel, alice_client: Client) -> None:
    url = page(channel)
    response = alice_client.post(url, {"action": "add", "email": "Ann@Example.com", "name": "Ann"})
    assert response.status_code == 302
    upload = io.BytesIO(b"email,name\nben@example.org,Ben\nnope\nann@example.com,Ann\n")
    upload.name = "list.csv"
    response = alice_client.post(url, {"action": "import", "file": upload}, follow=True)
    text = response.content.decode()
    assert "1 subscriber imported." in text
    assert "1 address was already on the list: skipped." in text
    assert "Line 3: nope is not an e-mail address." in text
    assert emails(channel) == ["ann@example.com", "ben@example.org"]
    assert text.count('data-testid="subscriber-row"') == 2

    ben = Subscriber.objects.get(email="ben@example.org")
    response = alice_client.post(url, {"action": "remove", "subscriber": ben.pk})
    assert response.status_code == 302
    assert emails(channel) == ["ann@example.com"]
    from hubbub.core.models import AuditEntry

    log = {e.action: e.after for e in AuditEntry.objects.filter(action__startswith="subscriber")}
    assert log["subscriber.add"] == {"email": "ann@example.com", "source": "web"}
    assert log["subscribers.import"] == {"imported": 1, "duplicates": 1, "refused": 1}
    assert log["subscriber.remove"] == {"subscriber_id": ben.pk}  # not who: their data is gone


def test_adding_an_address_twice_says_so(channel: Channel, alice_client: Client) -> None:
    Subscriber.objects.create(channel=channel, email="ann@example.com")

    response = alice_client.post(page(channel), {"action": "add", "email": "ann@example.com"})

    assert response.status_code == 200
    assert "ann@example.com is already on the list." in response.content.decode()


def test_names_are_escaped_on_the_page(channel: Channel, alice_client: Client) -> None:
    Subscriber.objects.create(channel=channel, email="x@example.com", name="<script>x()</script>")

    html = alice_client.get(page(channel)).content.decode()

    assert "<script>x()</script>" not in html and "&lt;script&gt;" in html


def test_the_export_guards_spreadsheet_formulas(channel: Channel, alice_client: Client) -> None:
    Subscriber.objects.create(channel=channel, email="ann@example.com", name="=HYPERLINK(1)")

    response = alice_client.get(f"/w/acme/channels/newsletter/{channel.pk}/subscribers.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "email",
        "name",
        "status",
        "source",
        "created_at",
        "unsubscribed_at",
        "bounce",
    ]
    assert rows[1][:4] == ["ann@example.com", "'=HYPERLINK(1)", "active", "web"]


def test_another_networks_channel_has_no_subscribers_page(acme: Workspace, alice_client: Client):
    other = Channel.objects.create(workspace=acme, network="mastodon", external_id="1", handle="@a")

    assert alice_client.get(page(other)).status_code == 404


# --- the API -------------------------------------------------------------------------------


@pytest.fixture
def api(alice: User, acme: Workspace) -> Client:
    _token, raw = create_token(access_workspace(alice, "acme"), "script")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_api_adds_imports_lists_and_exports(channel: Channel, api: Client) -> None:
    base = f"/api/workspaces/acme/channels/newsletter/{channel.pk}/subscribers"
    added = api.post(
        base, {"email": "Ann@example.com", "name": "Ann"}, content_type="application/json"
    )
    assert added.status_code == 201, added.content
    assert added.json()["email"] == "ann@example.com" and added.json()["source"] == "api"

    again = api.post(base, {"email": "ann@example.com"}, content_type="application/json")
    assert again.status_code == 400 and again.json()["field"] == "email"

    imported = api.post(
        f"{base}/import", "email\nben@example.org\nbad\nann@example.com\n", content_type="text/csv"
    )
    assert imported.status_code == 200, imported.content
    assert imported.json() == {
        "imported": 1,
        "duplicates": 1,
        "errors": [{"line": 3, "message": "bad is not an e-mail address."}],
    }

    listed = api.get(base, {"status": "active"})
    assert listed.json()["count"] == 2
    assert [s["email"] for s in listed.json()["items"]] == ["ann@example.com", "ben@example.org"]

    exported = api.get(f"{base}/export.csv")
    assert exported.status_code == 200
    assert exported.content.decode().splitlines()[1].startswith("ann@example.com,Ann,active,api,")


# --- the command line ----------------------------------------------------------------------


def test_the_command_imports_a_file_and_reports(
    channel: Channel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email,name\nann@example.com,Ann\nwrong\n", encoding="utf-8")

    with pytest.raises(SystemExit) as exited:
        call_command("import-subscribers", str(channel.pk), str(path), "--no-progress")

    assert exited.value.code == 1  # a row was refused
    out = capsys.readouterr().out
    assert "line 3: wrong is not an e-mail address." in out
    assert "1 imported, 0 already on the list, 1 refused." in out
    assert emails(channel) == ["ann@example.com"]


def test_an_analyst_sees_the_list_but_no_forms(
    channel: Channel, make_user: Any, acme: Workspace
) -> None:
    from hubbub.core.models import Membership
    from hubbub.core.roles import Role

    analyst = make_user("ana@example.com")
    Membership.objects.create(workspace=acme, user=analyst, role=Role.ANALYST)
    Subscriber.objects.create(channel=channel, email="ann@example.com")
    client = signed_in(analyst)

    html = client.get(page(channel)).content.decode()

    assert "ann@example.com" in html
    assert 'data-testid="add-subscriber"' not in html and 'data-testid="export"' not in html
    refused = client.post(page(channel), {"action": "add", "email": "x@example.com"})
    assert refused.status_code == 403


def test_a_subscriber_claimed_by_another_worker_is_skipped(channel: Channel, alice: User) -> None:
    """The unique (key, subscriber) row is the claim: whoever inserted it mails that person."""
    from hubbub.networks.newsletter.models import Sending, SendingStatus
    from hubbub.networks.newsletter.posting import _pending
    from hubbub.networks.registry import connector_for

    ann = Subscriber.objects.create(channel=channel, email="ann@example.com")
    ben = Subscriber.objects.create(channel=channel, email="ben@example.org")
    Sending.objects.create(channel=channel, key="k:0", subscriber=ann, status=SendingStatus.SENDING)

    assert list(_pending(connector_for(channel), "k:0")) == [ben]  # type: ignore[arg-type]


def test_names_keep_to_one_line_and_addresses_to_their_length(
    channel: Channel, alice: User
) -> None:
    data = (
        'email,name\nann@example.com,"Ann\nBcc: evil@example.com"\n' + "a" * 250 + "@x.com,Long\n"
    )

    result = import_csv(access_workspace(alice, "acme"), channel, data)

    assert result.imported == 1
    assert Subscriber.objects.get().name == "Ann Bcc: evil@example.com"  # not a header
    assert [e.line for e in result.errors] == [4]


def test_the_channels_page_links_the_list(channel: Channel, alice_client: Client) -> None:
    listing = alice_client.get("/w/acme/channels/").content.decode()
    assert f'href="{page(channel)}" data-testid="channel-page">Subscribers<' in listing
